"""Customers' own words: representative quotes without personal data, shown as escaped text.

:func:`quotes` picks one short, clear sentence per theme and polarity from the output of
:func:`kit.text.coding.code_texts` and removes names, e-mail addresses and phone numbers.
Every table that holds customers' words is plain text; show it with :func:`as_html_table`
(or pandas' own HTML, which escapes too), never as raw HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from kit.data.privacy import DEFAULT_ID_PATTERN, scrub_personal_data
from kit.text.codebook import Codebook, Lang
from kit.text.coding import _text_ids
from kit.text.themes import _themes, _with_labels

__all__ = ["quotes", "as_html_table"]


def quotes(coded: pd.DataFrame, *, interviews: pd.DataFrame | None = None, names: Iterable[str] = (),
           min_words: int = 8, max_words: int = 30, per_group: int = 1,
           polarities: Sequence[str] = ("positive", "negative"), codebook: Codebook | None = None,
           lang: Lang = "en", id_pattern: str | None = DEFAULT_ID_PATTERN) -> pd.DataFrame:
    """Representative quotes: one short, clear sentence per theme and polarity, personal data removed.

    A sentence qualifies with ``min_words`` to ``max_words`` words; sentences about a single
    theme come first, then those with a polarity cue, then the ones closest to 15 words. Names
    (``names``, plus the interviewer and an optional ``name`` column of ``interviews``, and any
    "Herr/Frau/Mr/Mrs/Ms X"), e-mail addresses and phone numbers are removed with
    :func:`kit.data.privacy.scrub_personal_data`.

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`~kit.text.coding.code_texts`.
    interviews : DataFrame, optional
        :func:`~kit.text.interviews.read_interviews`, for the names to remove and the segment of each quote.
    names : iterable of str
        Further names to remove.
    min_words, max_words : int
        Length of a quotable sentence.
    per_group : int
        Quotes per theme and polarity.
    polarities : sequence of str
        Which polarities to quote.
    codebook : Codebook, optional
        Adds labels.
    lang : {"en", "de"}
        Language of the labels.
    id_pattern : str or None
        Regular expression of a customer number (``privacy.id_pattern``); the interviewees' ids are
        removed as well.

    Returns
    -------
    DataFrame
        ``theme``, [``label``], ``polarity``, ``quote`` (plain text), ``words``, ``text_id``,
        ``segment`` (when ``interviews`` has it).

    Examples
    --------
    >>> coded = pd.DataFrame({"text_id": ["a"], "sentence_no": [1], "theme": ["service"],
    ...     "polarity": ["positive"], "cues": ["friendly"],
    ...     "sentence": ["Mr Smith from customer service was friendly and called me back the same day."]})
    >>> quotes(coded)["quote"].tolist()
    ['[name] from customer service was friendly and called me back the same day.']
    """
    base_names = list(names)
    ids_known: set[str] = set()
    if interviews is not None and "customer_id" in interviews:
        ids_known = {str(v) for v in interviews["customer_id"].dropna()}
    per_text: dict[Any, list[str]] = {}
    segments: dict[Any, Any] = {}
    if interviews is not None and len(interviews):
        ids = _text_ids(interviews, None)
        for column in ("interviewer", "name"):
            if column in interviews:
                for text_id, value in zip(ids, interviews[column], strict=True):
                    if isinstance(value, str):
                        per_text.setdefault(text_id, []).append(value)
        base_names += sorted({n for ns in per_text.values() for n in ns})
        if "segment" in interviews:
            segments = dict(zip(ids, interviews["segment"], strict=True))
    frame = coded.loc[coded["polarity"].isin(polarities)].copy()
    frame["words"] = frame["sentence"].str.count(r"\w+").astype("int64")
    frame = frame.loc[frame["words"].between(min_words, max_words)]
    themes_in_sentence = coded.groupby(["text_id", "sentence_no"])["theme"].transform("nunique")
    frame["themes_in_sentence"] = themes_in_sentence.loc[frame.index]
    cues = frame["cues"] if "cues" in frame else pd.Series("", index=frame.index)
    frame["has_cue"] = cues.fillna("").astype(str).str.len() > 0
    frame["distance"] = (frame["words"] - 15).abs()
    frame = frame.sort_values(["themes_in_sentence", "has_cue", "distance", "text_id", "sentence_no"],
                              ascending=[True, False, True, True, True], kind="stable")
    picked = frame.groupby(["theme", "polarity"], sort=False).head(per_group)
    order = {t: i for i, t in enumerate(_themes(coded, codebook))}
    picked = picked.assign(_order=picked["theme"].map(order),
                           _pol=picked["polarity"].map({p: i for i, p in enumerate(polarities)}))
    picked = picked.sort_values(["_order", "_pol"], kind="stable")
    out = pd.DataFrame({
        "theme": picked["theme"].to_numpy(),
        "polarity": picked["polarity"].to_numpy(),
        "quote": [scrub_personal_data(s, names=base_names, ids=ids_known, id_pattern=id_pattern)
                  for s in picked["sentence"]],
        "words": picked["words"].to_numpy(),
        "text_id": picked["text_id"].to_numpy(),
    })
    if segments:
        out["segment"] = out["text_id"].map(segments)
    return _with_labels(out, codebook, lang)


def as_html_table(frame: pd.DataFrame, *, index: bool = False, float_format: str = "{:.2f}") -> str:
    """An HTML table in which every cell is escaped text (a comment's ``<script>`` shows as text).

    Parameters
    ----------
    frame : DataFrame
        Any table, e.g. from :func:`quotes`.
    index : bool
        Show the index.
    float_format : str
        Format of float cells.

    Returns
    -------
    str
        HTML; wrap it in ``IPython.display.HTML`` to show it in a notebook.

    Examples
    --------
    >>> "&lt;script&gt;" in as_html_table(pd.DataFrame({"quote": ["<script>alert(1)</script>"]}))
    True
    """
    return frame.to_html(index=index, escape=True, na_rep="", border=0, classes="kit-table",
                         float_format=float_format.format)
