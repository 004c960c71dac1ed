"""Sentence splitting, theme matching and negation-aware polarity (kit.text.coding)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.text.codebook import parse_codebook, read_codebook
from kit.text.coding import code_texts, split_sentences, uncoded_share, uncoded_texts

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CODEBOOK = ROOT / "data" / "sample" / "codebook.yaml"


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


def test_codes_thousands_of_distinct_comments():
    cb = read_codebook(SAMPLE_CODEBOOK)
    texts = pd.Series(["Die Lieferung kam schnell, aber der Kaffee ist zu teuer. Service super, danke!",
                       "Shipping took ages and customer service never replied.",
                       "Ich mag die Auswahl, aber das Abo ist unflexibel."] * 900)
    texts = texts + pd.Series([f" Bestellung {i}." for i in range(len(texts))])  # all different
    coded = code_texts(texts, cb)
    # texts 0, 1 (mod 3) name Lieferung / shipping -> delivery; texts 2 (mod 3) name the Abo -> subscription
    assert coded["text_id"].nunique() == 2700
    assert set(coded.loc[coded["theme"] == "delivery", "text_id"]) == {i for i in range(2700) if i % 3 != 2}
    assert set(coded.loc[coded["theme"] == "subscription", "text_id"]) == {i for i in range(2700) if i % 3 == 2}


# ---- the sample codebook on typical feedback ---------------------------------------------------

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


# ---- what the codebook missed ---------------------------------------------------------------------

def test_uncoded_texts_and_share():
    texts = pd.Series({"a": "zu teuer", "b": "hm", "c": None, "d": "ok"})
    coded = pd.DataFrame({"text_id": ["a"], "theme": ["price"]})
    assert uncoded_texts(texts, coded).to_dict() == {"b": "hm", "d": "ok"}
    assert uncoded_share(texts, coded) == pytest.approx(2 / 3)
