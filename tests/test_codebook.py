"""Codebook validation, pattern syntax, sentence splitting and coding (kit.codebook)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest

from kit.codebook import code_texts, parse_codebook, read_codebook, split_sentences, term_regex
from kit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CODEBOOK = ROOT / "data" / "sample" / "codebook.yaml"
TELECOM_CODEBOOK = ROOT / "data" / "codebook_telecom.yaml"


def _theme(theme_id, en=(), de=(), **extra):
    return {"id": theme_id, "label": {"en": theme_id.title(), "de": theme_id.title()},
            "patterns": {"en": list(en), "de": list(de)}, **extra}


@pytest.fixture(scope="module")
def small():
    """Two themes; only the built-in general cues plus one theme cue."""
    return parse_codebook({"themes": [
        _theme("delivery", en=["deliver*", "shipping"], de=["*liefer*", "versand*"],
               polarity={"positive": {"de": ["pünktlich*"], "en": ["on time"]},
                         "negative": {"de": ["zu lange"]}}),
        _theme("price", en=["price*"], de=["*preis*", "teuer*"],
               polarity={"negative": {"de": ["zu hoch"]}}),
    ]})


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


# ---- sentences ---------------------------------------------------------------------------------

def test_split_sentences_handles_abbreviations_ordinals_and_markdown():
    text = "# Notizen\n\n- Kam z.B. am 3. Mai an. Gut!\n- Zweiter Punkt\ngeht weiter.\n\nI gave it a 10. Great"
    assert split_sentences(text) == ["Notizen", "Kam z.B. am 3. Mai an.", "Gut!", "Zweiter Punkt geht weiter.",
                                     "I gave it a 10.", "Great"]
    assert split_sentences(float("nan")) == []
    assert split_sentences("  ") == []


# ---- coding --------------------------------------------------------------------------------------

def _code_one(text, codebook):
    coded = code_texts(pd.Series({"t": text}), codebook)
    return dict(zip(coded["theme"], coded["polarity"], strict=True))


@pytest.mark.parametrize(("text", "expected"), [
    ("Ich war mit der Lieferung nicht zufrieden.", "negative"),
    ("Mit der Lieferung bin ich zufrieden.", "positive"),
    ("Not happy with the delivery.", "negative"),
    ("Die Lieferung: kein Problem.", "positive"),
    ("No problem with the delivery at all.", "positive"),
    ("Nie wieder, die Lieferung war eine Katastrophe.", "negative"),
    ("Die Lieferung gefällt mir nicht", "negative"),                     # trailing German negation
    ("Die Lieferung kam nicht pünktlich.", "negative"),                  # negated theme cue
    ("Nicht nur die Lieferung war schnell.", "positive"),                # "nicht nur" is no negation
    ("The delivery didn’t arrive on time.", "negative"),                 # curly apostrophe n't
    ("Lieferung ohne Probleme.", "positive"),
    ("Die Lieferung kam am Dienstag.", "neutral"),
])
def test_polarity_with_negation(small, text, expected):
    assert _code_one(text, small) == {"delivery": expected}


@pytest.mark.parametrize("text", ["LIEFERUNG: SUPER!!!", "lieferung...super", "(Lieferung) super", "Liefer-Zeit super"])
def test_case_and_punctuation(small, text):
    assert _code_one(text, small) == {"delivery": "positive"}


def test_sentence_with_two_themes_gets_each_its_own_clause_polarity(small):
    coded = code_texts(pd.Series({"a": "Die Paketlieferung kam schnell, aber der Preis ist zu hoch."}), small)
    assert coded[["theme", "polarity", "span"]].values.tolist() == [
        ["delivery", "positive", "Paketlieferung"], ["price", "negative", "Preis"]]
    assert coded["sentence_no"].tolist() == [1, 1]


def test_rows_per_sentence_and_text_ids(small):
    texts = pd.Series({"r1": "Super Versand. Der Preis ist zu hoch! Sonst nichts.", "r2": "Hallo", "r3": None})
    coded = code_texts(texts, small)
    assert coded[["text_id", "sentence_no", "theme"]].values.tolist() == [["r1", 1, "delivery"], ["r1", 2, "price"]]
    assert coded.loc[1, "sentence"] == "Der Preis ist zu hoch!"
    assert list(coded.columns) == ["text_id", "sentence_no", "sentence", "theme", "subtheme", "polarity", "span",
                                   "cues"]


def test_dataframe_input_uses_id_column_and_text_column(small):
    frame = pd.DataFrame({"response_id": ["x", "y"], "comment": ["zu teuer", "Lieferung top"]})
    coded = code_texts(frame, small, column="comment")
    assert coded[["text_id", "theme", "polarity"]].values.tolist() == [["x", "price", "negative"],
                                                                        ["y", "delivery", "positive"]]
    with pytest.raises(KeyError, match="column='comment'"):
        code_texts(frame, small)


def test_subthemes_count_for_their_theme():
    cb = parse_codebook({"themes": [_theme("delivery", de=["*liefer*"], subthemes=[
        {"id": "carrier", "patterns": {"de": ["dhl"]}}])]})
    coded = code_texts(pd.Series(["DHL war schnell", "Lieferung ok"]), cb)
    assert coded[["theme", "subtheme"]].fillna("-").values.tolist() == [["delivery", "carrier"], ["delivery", "-"]]


def test_no_texts_gives_empty_frame_with_columns(small):
    coded = code_texts(pd.Series([], dtype=str), small)
    assert coded.empty and "theme" in coded.columns


def test_speed_on_thousands_of_comments():
    cb = read_codebook(SAMPLE_CODEBOOK)
    texts = pd.Series(["Die Lieferung kam schnell, aber der Kaffee ist zu teuer. Service super, danke!",
                       "Shipping took ages and customer service never replied.",
                       "Ich mag die Auswahl, aber das Abo ist unflexibel."] * 900)
    texts = texts + pd.Series([f" Bestellung {i}." for i in range(len(texts))])  # all different
    start = time.perf_counter()
    coded = code_texts(texts, cb)
    elapsed = time.perf_counter() - start
    assert coded["text_id"].nunique() == 2700
    assert elapsed < 8.0          # ~1.5 s on an idle laptop; generous for a loaded CI machine


# ---- validation ----------------------------------------------------------------------------------

def test_unknown_key_names_theme_and_key():
    bad = {"themes": [_theme("delivery", de=["x"]) | {"patterns": {"fr": ["livraison"]}}]}
    with pytest.raises(ConfigError, match=r"theme 'delivery', key 'patterns.fr': unknown key") as info:
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


def test_sample_codebook_codes_typical_german_and_english_feedback():
    cb = read_codebook(SAMPLE_CODEBOOK)
    cases = {
        "Geliefert wurde pünktlich, die Paketlieferung war top.": {"delivery": "positive"},
        "Leider war die Tüte beim letzten Mal aufgerissen.": {"packaging": "negative"},
        "Der Kundenservice hat sofort geantwortet und sich gekümmert.": {"service": "positive"},
        "Great coffee beans, but shipping took forever.": {"quality": "positive", "delivery": "negative"},
        "Die Bestellung auf der Webseite ist umständlich.": {"website": "negative"},
        "Ich habe mein Abo gekündigt, weil der Kaffee zu teuer wurde.": {"subscription": "negative",
                                                                         "price": "negative"},
        "Der Kaffee schmeckt nicht, zu bitter.": {"quality": "negative"},
        "Schöne Auswahl an Sorten.": {"range": "positive"},
    }
    for text, expected in cases.items():
        assert _code_one(text, cb) == expected, text


def test_telecom_codebook_is_valid():
    cb = read_codebook(TELECOM_CODEBOOK)
    assert len(cb.ids) >= 8
    assert all(t.patterns.en for t in cb.themes)


@pytest.mark.parametrize(("text", "expected"), [
    ("Der Versand dauert mir zu lange.", {"delivery": "negative"}),
    ("Ich bin sehr zufrieden mit dem Abo.", {"subscription": "positive"}),
    ("Die Verpackung ist nicht besonders umweltfreundlich.", {"packaging": "negative"}),
    ("Der Kundenservice war überhaupt nicht hilfreich.", {"service": "negative"}),
    ("The coffee is not as fresh as it used to be.", {"quality": "negative"}),
    ("I never had any problems with delivery.", {"delivery": "positive"}),
    ("Der Preis ist leider gestiegen, aber die Qualität stimmt.", {"price": "negative", "quality": "positive"}),
    ("Mein Lieblingskaffee ist ständig ausverkauft.", {"range": "negative"}),
])
def test_sample_codebook_more_german_and_english(text, expected):
    assert _code_one(text, read_codebook(SAMPLE_CODEBOOK)) == expected


def test_codebook_presents_itself_as_a_table():
    cb = read_codebook(SAMPLE_CODEBOOK)
    frame = cb.to_frame(lang="de")
    assert frame["theme"].tolist() == list(cb.ids)
    assert frame.set_index("theme").loc["delivery", "label"] == "Lieferung"
    assert "*liefer*" in frame.set_index("theme").loc["delivery", "patterns_de"]
    assert "delivery_time" in frame.set_index("theme").loc["delivery", "subthemes"]
    assert "<table" in cb._repr_html_()
