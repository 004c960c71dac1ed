"""Codebooks in any language (issue 16): pattern, cue and label slots for any ISO 639 code, accents of every
Latin script folded (NFKD), the German umlauts keeping their own rule."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from kit.errors import ConfigError
from kit.text.codebook import FOLD_TABLE, parse_codebook, read_codebook, term_regex
from kit.text.coding import code_texts

PORTUGUESE = {
    "themes": [
        {"id": "delivery", "label": {"pt": "Entrega", "en": "Delivery"},
         "patterns": {"pt": ["entrega*", "não chegou", "atras*", "prazo"]}},
        {"id": "price", "label": {"pt": "Preço"}, "patterns": {"pt": ["preço*", "caro", "barato"]},
         "polarity": {"positive": {"pt": ["barato"]}, "negative": {"pt": ["caro"]}}},
    ],
    "polarity": {"positive": {"pt": ["ótim*", "excelente", "recomendo"]}, "negative": {"pt": ["péssim*", "ruim"]}},
    "negation": {"words": {"pt": ["não", "nunca", "nem"]}},
}


def _themes(texts: list[str], codebook) -> dict[int, list[str]]:
    coded = code_texts(pd.Series(texts), codebook)
    return {int(k): sorted(set(v)) for k, v in coded.groupby("text_id")["theme"]}


def test_a_portuguese_codebook_needs_no_tricks():
    cb = parse_codebook(PORTUGUESE)
    texts = ["O produto nao chegou no prazo",       # 0: written without the tilde
             "NÃO CHEGOU ATÉ HOJE",                  # 1: capitals and accents
             "Preco justo, entrega rapida",          # 2: both themes, no accents at all
             "Gostei muito",                          # 3: nothing coded
             "Muito caro para o que é"]              # 4: price
    assert _themes(texts, cb) == {0: ["delivery"], 1: ["delivery"], 2: ["delivery", "price"], 4: ["price"]}


def test_portuguese_cues_and_negation_give_polarity():
    cb = parse_codebook(PORTUGUESE)
    coded = code_texts(pd.Series(["A entrega foi otima", "A entrega não foi ótima", "Entrega pessima"]), cb)
    polarity = coded.set_index("text_id")["polarity"].to_dict()
    # 'otima' matches the cue 'ótim*'; 'não' before it flips it; 'pessima' matches 'péssim*'
    assert polarity == {0: "positive", 1: "negative", 2: "negative"}


@pytest.mark.parametrize(("term", "text", "hit"), [
    ("café", "un cafe noir", True), ("cafe", "un café noir", True), ("façade", "the facade", True),
    ("señal", "sin senal", True), ("łódź", "lodz", False),   # ł has no NFKD decomposition: not folded
    ("schön", "schon gut", False), ("schon", "sehr schön", False),   # umlauts keep their own rule
    ("schön", "sehr schoen", True), ("pünktlich", "PÜNKTLICH", True),
])
def test_accent_folding(term, text, hit):
    # the raw-text form (a class per letter) and the folded form agree: the oracle is the other form
    raw = bool(re.search(term_regex(term), text, re.IGNORECASE))
    folded = bool(re.search(term_regex(term, folded=True), text.translate(FOLD_TABLE), re.IGNORECASE))
    assert raw == folded == hit


def test_fold_table_keeps_positions():
    text = "Não, Ação, Ça, Ø, ß, Äpfel"
    folded = text.translate(FOLD_TABLE)
    assert len(folded) == len(text)
    assert folded == "Nao, Acao, Ca, Ø, ß, Äpfel"


def test_labels_fall_back_to_english_then_the_first_language():
    cb = parse_codebook(PORTUGUESE)
    assert cb.labels(lang="de") == {"delivery": "Delivery", "price": "Preço"}
    assert cb.labels(lang="pt") == {"delivery": "Entrega", "price": "Preço"}
    frame = cb.to_frame()
    assert frame["patterns_pt"].tolist() == ["entrega*, não chegou, atras*, prazo", "preço*, caro, barato"]


@pytest.mark.parametrize(("change", "match"), [
    ({"label": {"Portugiesisch": "Preço"}}, r"theme 'price', key 'label': 'Portugiesisch' is not a language code"),
    ({"label": {}}, r"theme 'price', key 'label': a label needs at least one language"),
    ({"patterns": {"pt": ["re:("]}}, r"theme 'price', key 'patterns.*pattern 're:\(' is not a valid regular"),
    ({"patterns": {"pt": ["  "]}}, r"theme 'price', key 'patterns.*empty pattern"),
])
def test_bad_language_slots_raise_config_error(change, match):
    raw = {"themes": [PORTUGUESE["themes"][0], {**PORTUGUESE["themes"][1], **change}]}
    with pytest.raises(ConfigError, match=match):
        parse_codebook(raw, source="codebook_pt.yaml")


def test_portuguese_codebook_file_with_a_key_written_twice(tmp_path):
    path = tmp_path / "codebook_pt.yaml"
    path.write_text("themes:\n  - id: price\n    label: {pt: Preço}\n    patterns:\n      pt: [caro]\n"
                    "      pt: [barato]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"codebook_pt\.yaml, key 'themes\[0\]\.patterns\.pt': written twice "
                                          r"\(lines 5 and 6\)"):
        read_codebook(path)


# ------------------------------------------------------------------ what the codebook does not catch (page 4)


def test_frequent_terms_count_texts_not_words():
    from kit.text.vocabulary import frequent_terms

    texts = pd.Series(["Die Kundenkarte geht nicht. Kundenkarte!", "Kundenkarte kaputt", "App stürzt ab",
                       "die App stürzt ständig ab", "Não recebi o cartão", "nao recebi nada", None, "  "])
    table = frequent_terms(texts)
    # 6 non-empty texts; 'Kundenkarte' is in 2 texts (3 times), 'App' and 'stürzt' in 2, 'recebi' in 2;
    # 'die', 'ab', 'não' are function words; 'não'/'nao' would fold together
    words = table[table["kind"] == "word"].set_index("term")["texts"].to_dict()
    assert words == {"Kundenkarte": 2, "App": 2, "stürzt": 2, "recebi": 2}
    phrases = table[table["kind"] == "phrase"].set_index("term")["texts"].to_dict()
    assert phrases == {"App stürzt": 2}
    assert table["n"].unique().tolist() == [6] and table["share"].iloc[0] == pytest.approx(2 / 6)


def test_frequent_terms_oracle_on_random_words():
    """A naive count (set of lower-case words per text) agrees with frequent_terms on plain ASCII words."""
    import numpy as np

    from kit.text.vocabulary import STOPWORDS, frequent_terms

    rng = np.random.default_rng(3)
    vocabulary = ["delivery", "refund", "voucher", "invoice", "courier", "parcel", "account", "login"]
    texts = pd.Series([" ".join(rng.choice(vocabulary, size=rng.integers(1, 6))) for _ in range(200)])
    table = frequent_terms(texts, top=20)
    by_hand = {w: sum(w in set(t.split()) for t in texts) for w in vocabulary if w not in STOPWORDS}
    assert table[table["kind"] == "word"].set_index("term")["texts"].to_dict() == \
        {w: c for w, c in by_hand.items() if c >= 2}


def test_page_4_lists_the_words_of_uncoded_comments(sample_config):
    from kit.data.contract import LoyaltyData
    from kit.data.periods import parse_period
    from kit.report import pages
    from kit.report.pages._context import Context

    surveys = pd.DataFrame({
        "responded_at": pd.to_datetime(["2026-07-02", "2026-07-03", "2026-08-01", "2026-08-02", "2026-01-05"]),
        "nps": [3.0, 4.0, 9.0, 2.0, 1.0],
        "comment": ["Die Lieferung kam zu spät", "Kundenkarte geht nicht", "Kundenkarte gesperrt, Hotline nett",
                    "kundenkarte gesperrt", "Kundenkarte gesperrt (voriges Jahr)"]})
    ctx = Context(config=sample_config, data=LoyaltyData(surveys=surveys), period=parse_period("2026-Q3"))
    s = pages.uncoded_terms(ctx)
    paras = [b.content for b in s.blocks if b.kind == "para"]
    # Q3 has 4 comments; 'Lieferung ... zu spät' is coded (delivery); 'Hotline nett' is coded (service) in the
    # sample codebook, so 2 of 4 have no theme: 'Kundenkarte geht nicht', 'kundenkarte gesperrt'
    assert paras[0].replace("\xa0", " ").startswith("2 of 4 survey comments in 2026-Q3 got no theme (50.0 %)")
    table = next(b.content for b in s.blocks if b.kind == "table")
    assert table.iloc[0].tolist()[:3] == ["Kundenkarte", "word", "2"]
