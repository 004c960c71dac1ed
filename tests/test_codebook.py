"""Codebook validation, pattern syntax, the bundled codebooks (kit.text.codebook)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kit.errors import ConfigError
from kit.text.codebook import parse_codebook, read_codebook, term_regex

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CODEBOOK = ROOT / "data" / "sample" / "codebook.yaml"
TELECOM_CODEBOOK = ROOT / "data" / "codebook_telecom.yaml"


def _theme(theme_id, en=(), de=(), **extra):
    return {"id": theme_id, "label": {"en": theme_id.title(), "de": theme_id.title()},
            "patterns": {"en": list(en), "de": list(de)}, **extra}


def _matches(term: str, text: str) -> list[str]:
    return [m.group() for m in re.finditer(term_regex(term), text, re.IGNORECASE)]


# ---- pattern syntax -------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["Lieferung", "geliefert", "Lieferzeit", "Paketlieferung", "ausgeliefert",
                                  "Lieferungen", "liefern"])
def test_infix_stem_covers_german_inflections_and_compounds(word):
    assert _matches("*liefer*", f"Die {word} war ok") == [word]


def test_prefix_stem_and_whole_word():
    assert _matches("preis*", "Preise und Preiserhöhung") == ["Preise", "Preiserhöhung"]
    assert _matches("preis", "Preise, Preis.") == ["Preis"]          # plain word = whole word only
    assert _matches("liefer*", "geliefert") == []                     # prefix stem does not match inside a word


@pytest.mark.parametrize(("term", "text"), [
    ("pünktlich", "kam puenktlich an"), ("puenktlich", "kam pünktlich an"),
    ("strasse", "in der Straße"), ("grüße", "viele Gruesse"), ("qualität*", "QUALITAET top"),
])
def test_umlaut_and_sharp_s_match_both_spellings(term, text):
    assert len(_matches(term, text)) == 1


def test_phrases_allow_spaces_and_hyphens():
    assert _matches("customer service", "the Customer-Service team") == ["Customer-Service"]
    assert _matches("customer service", "customer   service") == ["customer   service"]


# ---- validation ----------------------------------------------------------------------------------

def test_unknown_key_names_theme_and_key():
    # any ISO 639 code is a pattern slot (fr, pt, ...); a key that is not a language code is refused
    bad = {"themes": [_theme("delivery", de=["x"]) | {"patterns": {"french": ["livraison"]}}]}
    with pytest.raises(ConfigError, match=r"theme 'delivery', key 'patterns': 'french' is not a language code") \
            as info:
        parse_codebook(bad, source="cb.yaml")
    assert str(info.value).startswith("cb.yaml")


def test_missing_label_and_missing_patterns():
    with pytest.raises(ConfigError, match=r"theme 'price', key 'label': required key 'label' is missing"):
        parse_codebook({"themes": [{"id": "price", "patterns": {"en": ["price"]}}]})
    with pytest.raises(ConfigError, match=r"theme 'price'.*has no patterns"):
        parse_codebook({"themes": [_theme("price")]})


def test_duplicate_ids_bad_regex_and_bad_id():
    with pytest.raises(ConfigError, match="repeated: price"):
        parse_codebook({"themes": [_theme("price", en=["a"]), _theme("price", en=["b"])]})
    with pytest.raises(ConfigError, match=r"theme 'price', key 'patterns.en'.*not a valid regular expression"):
        parse_codebook({"themes": [_theme("price", en=["re:(unclosed"])]})
    with pytest.raises(ConfigError, match=r"themes\[0\]|theme 'Bad Id'"):
        parse_codebook({"themes": [_theme("Bad Id", en=["a"])]})


def test_read_codebook_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_codebook(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("themes: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.yaml: not valid YAML at line"):
        read_codebook(broken)
    empty = tmp_path / "empty.yaml"
    empty.write_text("themes: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="empty.yaml"):
        read_codebook(empty)


def test_sample_codebook_has_the_agreed_theme_ids_and_labels():
    cb = read_codebook(SAMPLE_CODEBOOK)
    assert set(cb.ids) == {"delivery", "price", "quality", "service", "packaging", "website", "subscription",
                           "range"}
    assert cb.label("delivery", lang="de") == "Lieferung"
    assert all(t.patterns.de and t.patterns.en and t.definition for t in cb.themes)


def test_telecom_codebook_is_valid():
    cb = read_codebook(TELECOM_CODEBOOK)
    assert len(cb.ids) >= 8
    assert all(t.patterns.en for t in cb.themes)


def test_codebook_presents_itself_as_a_table():
    cb = read_codebook(SAMPLE_CODEBOOK)
    frame = cb.to_frame(lang="de")
    assert frame["theme"].tolist() == list(cb.ids)
    assert frame.set_index("theme").loc["delivery", "label"] == "Lieferung"
    assert "*liefer*" in frame.set_index("theme").loc["delivery", "patterns_de"]
    assert "delivery_time" in frame.set_index("theme").loc["delivery", "subthemes"]
    assert "<table" in cb._repr_html_()
