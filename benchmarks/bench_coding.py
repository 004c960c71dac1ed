"""Coding speed: the telecom codebook over the real NPS verbatims (2,385 comments) and 27,000 sample-style comments.

Floor: one compiled regex ``str.contains`` pass over the same texts (the least any keyword coder does).
Skips the real-data part when ../shared/datasets is absent.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from kit.text.codebook import read_codebook
from kit.text.coding import code_texts

ROOT = Path(__file__).resolve().parents[1]
VERBATIMS = ROOT.parent / "shared" / "datasets" / "bt-nps-verbatims" / "nps_verbatims.csv"


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    rows = []
    sample_cb = read_codebook(ROOT / "data" / "sample" / "codebook.yaml")
    texts = pd.Series(["Die Lieferung kam schnell, aber der Kaffee ist zu teuer. Service super, danke!",
                       "Shipping took ages and customer service never replied.",
                       "Ich mag die Auswahl, aber das Abo ist unflexibel."] * 9000)
    texts = texts + pd.Series([f" Bestellung {i}." for i in range(len(texts))])
    rows.append(("sample codebook, 27,000 comments", _time(lambda: code_texts(texts, sample_cb)),
                 _time(lambda: texts.str.contains(r"liefer|shipping|service|preis|teuer", case=False))))
    if VERBATIMS.is_file():
        frame = pd.read_csv(VERBATIMS)
        cb = read_codebook(ROOT / "data" / "codebook_telecom.yaml")
        rows.append(("telecom codebook, 2,385 real comments", _time(lambda: code_texts(frame, cb)),
                     _time(lambda: frame["text"].astype(str).str.contains(
                         r"broadband|speed|price|bill|engineer", case=False))))
    print(f"{'case':45s} {'code_texts s':>12s} {'regex floor s':>14s}")
    for name, kit_s, floor_s in rows:
        print(f"{name:45s} {kit_s:12.2f} {floor_s:14.3f}")


if __name__ == "__main__":
    main()
