"""Presentation sections (kit.pages) and UI strings (kit.labels)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd
import pytest

from kit import pages
from kit.labels import LABELS, STATUS_TEXT, text
from kit.pages._section import Section, capability

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures_report" / "analysis.yaml"


# ---- capability: only a missing kit module or name counts as "not there yet" ------------------------------


def test_capability_of_missing_kit_module_or_name_is_none():
    assert capability("kit.no_such_module", "f") is None
    assert capability("kit.periods", "no_such_function") is None
    assert capability("kit.periods", "parse_period").__name__ == "parse_period"


def test_capability_reraises_import_errors_that_are_not_the_kits(monkeypatch):
    def broken(name: str):
        raise ImportError("No module named 'lifelines'", name="lifelines")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ImportError, match="lifelines"):
        capability("kit.survival", "KaplanMeier")


def test_capability_reraises_a_broken_import_inside_an_existing_kit_module(monkeypatch):
    def broken(name: str):
        raise ImportError("cannot import name '_helper' from 'kit.metrics.survey'", name="kit.metrics.survey")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ImportError, match="_helper"):
        capability("kit.lists", "watch_list")


def test_section_call_of_missing_capability_says_not_available_yet():
    s = Section("Drivers")
    assert s.call("kit.no_such_module", "fit", "key drivers (kit.no_such_module.fit)") is None
    assert "not available yet: key drivers (kit.no_such_module.fit)" in str(s)
    assert "not available yet: key drivers" in s._repr_html_()


def test_section_call_does_not_swallow_errors_of_existing_functions():
    s = Section("Periods")
    with pytest.raises(Exception, match="not a period"):
        s.call("kit.periods", "parse_period", "periods", "2026-Q9")


def test_section_turns_warnings_into_notes():
    import warnings

    from kit.errors import SmallSampleWarning

    def noisy() -> int:
        warnings.warn("only 12 answers", SmallSampleWarning, stacklevel=1)
        return 1

    s = Section("x")
    with s.collect_warnings():
        assert noisy() == 1
    assert "Note: only 12 answers" in str(s)


# ---- escaping --------------------------------------------------------------------------------------------------


def test_section_html_escapes_all_user_text():
    s = Section("<b>Title</b>").para("<script>alert(1)</script>").note("a < b").missing("<i>")
    s.table(pd.DataFrame({"comment": ["<script>alert(2)</script>"]}))
    s.fields([("Vision", "<img src=x onerror=alert(3)>")])
    html = s._repr_html_()
    for raw in ("<script>", "<b>Title", "<img", "<i>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;script&gt;alert(2)" in html


def test_scorecard_html_escapes_labels_and_colours_status():
    frame = pd.DataFrame([{"kpi": "nps", "label": "<script>x</script>", "period": "2026-Q3", "value": 12.5,
                           "n": 40, "ci_low": 1.0, "ci_high": 24.0, "previous": 10.0, "change": 2.5,
                           "p_value": 0.5, "target": 30.0, "status": "missed", "definition": "a<b"}])
    html = pages.scorecard_html(frame)
    assert "<script>" not in html and "&lt;script&gt;x" in html and "a&lt;b" in html
    assert "kit-status-missed" in html and "#b3261e" in html   # the 'missed' colour
    assert "12.5" in html and "1.0 – 24.0" in html and ">40<" in html


# ---- labels ----------------------------------------------------------------------------------------------------


def test_every_label_has_english_and_german():
    for key, (en, de) in {**LABELS, **STATUS_TEXT}.items():
        assert en and de, key
        # the same placeholders in both languages
        assert sorted(part.split("}")[0] for part in en.split("{")[1:]) == \
            sorted(part.split("}")[0] for part in de.split("{")[1:]), key


def test_text_fills_placeholders_and_rejects_unknown_keys():
    assert text("no_table", "en", table="ticket", what="service metrics") == "no ticket data: service metrics skipped"
    assert text("missed", "de") == "verfehlt"
    with pytest.raises(KeyError, match="nope"):
        text("nope")


# ---- sections on the tiny fixture (orders, surveys, exits only) ---------------------------------------------


@pytest.fixture(scope="module")
def ctx():
    return pages.context(FIXTURE, period="latest", smoke=True)


def test_context_resolves_the_latest_complete_period(ctx):
    # fixture orders end in late September 2026, before the 30th: the latest complete quarter is Q2
    assert ctx.period.label == "2026-Q2"
    assert ctx.data.available() == ["orders", "surveys", "exits"]
    assert "Tiny" in repr(ctx) and len(repr(ctx)) < 200   # no data dump in the notebook's text output


def test_missing_tables_are_named_not_failed(ctx):
    assert "no ticket data: service metrics skipped" in str(pages.criterion(ctx, "service"))
    assert "no referral data: referrals metrics skipped" in str(pages.criterion(ctx, "referrals"))
    assert "no interview data" in str(pages.overview(ctx))
    assert "no survey invitation data: response rate skipped" in str(pages.survey_coverage(ctx))


def test_unknown_criterion_lists_the_valid_ones(ctx):
    with pytest.raises(KeyError, match="satisfaction, retention"):
        pages.criterion(ctx, "happiness")


def test_inventory_counts_rows_and_customers(ctx):
    text_ = str(pages.inventory(ctx))
    orders = pd.read_csv(FIXTURE.parent / "orders.csv")
    row = next(line for line in text_.splitlines() if line.strip().startswith("orders"))
    assert f"{len(orders):,}" in row and str(orders["customer_id"].nunique()) in row


def test_kpi_targets_show_each_configured_target(ctx):
    shown = str(pages.kpi_targets(ctx))
    assert "Net Promoter Score" in shown and "20.0" in shown          # nps target 20
    assert "Churn rate" in shown and "10.0 %" in shown                # churn target 0.10


def test_why_retention_payback_arithmetic(ctx):
    # acquisition cost 20 EUR, margin 0.3 (default); payback orders = ceil(20 / (AOV × 0.3))
    import math

    frame = pages.get_scorecard(ctx)
    aov = float(frame.loc[frame["kpi"] == "average_order_value", "value"].iloc[0])
    shown = str(pages.why_retention(ctx))
    assert f"about {math.ceil(20 / (aov * 0.3))} orders" in shown


def test_capability_follows_the_export_map_when_a_name_moved():
    # parse_period lives in kit.periods (kit._EXPORTS says so), not in kit.config
    assert capability("kit.config", "parse_period").__module__ == "kit.periods"
