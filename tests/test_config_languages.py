"""The configuration's own texts per language (vision: {en: ..., de: ...}): the report shows the one of its
language and says when a text exists in another language only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.data.config import AnalysisConfig, localise
from kit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures_report" / "analysis.yaml"


def _config(business: dict) -> AnalysisConfig:
    return AnalysisConfig.model_validate({"business": {"name": "S", **business},
                                          "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})


def test_texts_may_be_given_per_language_or_as_one_string():
    cfg = _config({"vision": {"en": "Fresh beans", "de": "Frische Bohnen"}, "model": "Online shop"})
    assert localise(cfg.business.vision, "de") == ("Frische Bohnen", None)
    assert localise(cfg.business.vision, "en") == ("Fresh beans", None)
    assert localise(cfg.business.model, "de") == ("Online shop", None)          # one string: as written
    assert localise({"de": "Nur Deutsch"}, "en") == ("Nur Deutsch", "de")       # the other language, said so


def test_an_unknown_language_key_is_a_config_error():
    with pytest.raises((ConfigError, ValueError)):
        _config({"vision": {"fr": "Des grains frais"}})


@pytest.mark.filterwarnings("ignore")
def test_the_german_goals_page_shows_the_german_text_and_marks_an_english_only_one(tmp_path):
    from kit.report import pages

    folder = tmp_path / "fixture"
    shutil.copytree(FIXTURE.parent, folder)
    path = folder / "analysis.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  vision: Keep every customer who likes our coffee.\n",
                        "  vision: {en: Keep every customer., de: Jeden Kunden halten.}\n")
    text = text.replace("  model: Online shop, single orders.\n", "  model: {en: Online shop only.}\n")
    path.write_text(text.replace("  language: en\n", "  language: de\n"), encoding="utf-8")
    ctx = pages.context(path, period="latest", smoke=True)
    shown = str(pages.business(ctx))
    assert "Jeden Kunden halten." in shown and "Keep every customer." not in shown
    assert "Online shop only. (nur auf Englisch)" in shown


def test_an_action_owner_per_language_appears_in_the_report_language():
    from kit.data.config import Action

    action = Action(id="a", title="Call", owner={"en": "Customer service", "de": "Kundenservice"})
    assert localise(action.owner, "de")[0] == "Kundenservice"
