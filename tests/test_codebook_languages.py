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
