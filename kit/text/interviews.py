"""Interview notes: reading them, and the agreement of the automatic with manual coding.

Step 4 of the analysis reads the interview notes (:func:`read_interviews`), codes them, the
survey comments and the exit reasons with the codebook (:func:`kit.text.coding.code_texts`),
summarises the coding (:mod:`kit.text.themes`, quotes in :mod:`kit.text.verbatims`) and checks the
automatic coding against the interviewers' manual codes (:func:`intercoder_agreement`).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import frontmatter
import numpy as np
import pandas as pd
import yaml

from kit.errors import DataError, DataQualityWarning
from kit.text.codebook import Codebook
from kit.text.coding import _text_ids

# Re-exports (``import x as x``) for callers that look these names up by the module path
# "kit.text.interviews": tests/test_shared_verbatims.py.
# They live in kit.text.coding and kit.text.themes; new code imports them from there.
from kit.text.coding import code_texts as code_texts
from kit.text.coding import uncoded_share as uncoded_share
from kit.text.coding import uncoded_texts as uncoded_texts
from kit.text.themes import theme_contrast as theme_contrast

__all__ = ["read_interviews", "intercoder_agreement", "INTERVIEW_COLUMNS", "SEGMENTS"]

SEGMENTS = ("loyal", "at_risk", "lost")
INTERVIEW_COLUMNS = ["interview_id", "customer_id", "date", "interviewer", "segment", "language", "codes",
                     "text", "file"]
_REQUIRED = ("customer_id", "date", "interviewer")
_EXAMPLE_HEADER = ("---\ncustomer_id: K01234\ndate: 2026-09-01\ninterviewer: Miriam Koch\nsegment: loyal\n"
                   "codes: [service, quality]   # optional manual codes\n---")


# --------------------------------------------------------------------------------------------
# Reading interviews
# --------------------------------------------------------------------------------------------

def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            raise DataError("is not a text file", file=path.name, expected="a UTF-8 Markdown file") from None
        return str(best)


def _header_error(path: Path, problem: str) -> DataError:
    return DataError(problem, file=path.name,
                     expected=f"a YAML front matter block at the top of the file, e.g.\n{_EXAMPLE_HEADER}\n",
                     fix="add or correct the header between the two '---' lines")


_RAW_ID = re.compile(r"""^customer_id[ \t]*:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^#\n]*?))[ \t]*(?:\#.*)?$""", re.M)


def _raw_customer_id(text: str, parsed: object) -> str:
    """The customer id as written in the front matter: YAML reads an unquoted ``00153`` as the number 153
    (or as octal 107 under YAML 1.1), which would attribute the interview to another customer."""
    head = text.lstrip("\ufeff").split("---", 2)
    match = _RAW_ID.search(head[1]) if len(head) == 3 else None
    if match is not None:
        raw = next(g for g in match.groups() if g is not None).strip()
        if raw:
            return raw
    return str(parsed).strip()


def _one_interview(path: Path, codebook: Codebook | None) -> dict[str, Any]:
    text = _decode(path)
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise _header_error(path, f"the front matter is not valid YAML{where} "
                                  f"({getattr(exc, 'problem', exc)})") from None
    meta = dict(post.metadata)
    if not meta:
        raise _header_error(path, "has no front matter (customer_id, date, interviewer)")
    missing = [key for key in _REQUIRED if meta.get(key) in (None, "")]
    if missing:
        raise _header_error(path, f"front matter lacks {', '.join(repr(k) for k in missing)}")
    date = meta["date"]
    try:
        if isinstance(date, dt.date):
            stamp = pd.Timestamp(date)
        else:
            value = str(date).strip()
            stamp = pd.to_datetime(value, dayfirst=not value[:4].isdigit())
    except (ValueError, TypeError):
        raise DataError(f"front matter 'date' is not a date ({date!r})", file=path.name,
                        expected="an ISO date like 2026-09-01 or DD.MM.YYYY") from None
    segment = meta.get("segment")
    if segment is not None and segment not in SEGMENTS:
        raise DataError(f"front matter 'segment' is {segment!r}", file=path.name,
                        expected=f"one of {', '.join(SEGMENTS)} (or leave it out)")
    codes = meta.get("codes")
    if codes is not None:
        if isinstance(codes, str):
            codes = [c.strip() for c in codes.split(",") if c.strip()]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise DataError(f"front matter 'codes' is {codes!r}", file=path.name,
                            expected="a list of theme ids, e.g. codes: [service, quality]")
        if codebook is not None:
            unknown = [c for c in codes if c not in codebook.ids]
            if unknown:
                raise DataError(f"front matter 'codes' has unknown theme ids {unknown}", file=path.name,
                                expected=f"theme ids of the codebook: {', '.join(codebook.ids)}")
        codes = tuple(codes)
    return {
        "interview_id": path.stem,
        "customer_id": _raw_customer_id(text, meta["customer_id"]),
        "date": stamp,
        "interviewer": str(meta["interviewer"]).strip(),
        "segment": segment,
        "language": meta.get("language"),
        "codes": codes,
        "text": post.content.strip(),
        "file": path.name,
        "name": str(meta["name"]).strip() if meta.get("name") else None,
    }


def read_interviews(folder: str | Path, *, customers: pd.DataFrame | None = None,
                    codebook: Codebook | None = None) -> pd.DataFrame:
    """Read interview notes: one Markdown file per interview with a YAML front matter.

    Parameters
    ----------
    folder : str or Path
        Folder with ``*.md`` files. Each starts with a header like::

            ---
            customer_id: K01234
            date: 2026-09-01
            interviewer: Miriam Koch
            segment: loyal            # optional: loyal, at_risk or lost
            codes: [service, quality] # optional manual codes (theme ids)
            name: Anna Beispiel       # optional: only used to remove the name from quotes
            ---

    customers : DataFrame, optional
        The customers table; interviews naming a ``customer_id`` not in it give a warning.
    codebook : Codebook, optional
        When given, manual ``codes`` must be theme ids of this codebook.

    Returns
    -------
    DataFrame
        One row per file, sorted by date: ``interview_id`` (file name without ``.md``),
        ``customer_id``, ``date``, ``interviewer``, ``segment``, ``language``, ``codes``
        (tuple of theme ids, or None when the file has none), ``text`` (the notes), ``file``; and
        ``name`` when any file gives the interviewee's name (used by :func:`kit.text.verbatims.quotes` to remove it;
        do not show it).

    Raises
    ------
    DataError
        When the folder does not exist, or a file has no or broken front matter, lacks a
        required key, or has an invalid date, segment or codes list. The message names the
        file and shows an example header.

    Warns
    -----
    DataQualityWarning
        When the folder holds no ``.md`` file, or interviews name unknown customers.

    Examples
    --------
    >>> import kit
    >>> interviews = read_interviews(kit.sample_config_path().parent / "sample" / "interviews")  # doctest: +SKIP
    >>> interviews["segment"].value_counts().to_dict()  # doctest: +SKIP
    {'loyal': 7, 'at_risk': 4, 'lost': 3}
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"interview folder {str(folder)!r} does not exist", file=folder.name,
                        expected="a folder of Markdown files (*.md), one per interview",
                        fix="set data.interviews in analysis.yaml")
    files = sorted(folder.glob("*.md"))
    if not files:
        warnings.warn(f"{folder.name}: no interview files (*.md) found; the interview step has no data.",
                      DataQualityWarning, stacklevel=2)
        return pd.DataFrame(columns=INTERVIEW_COLUMNS)
    rows = [_one_interview(f, codebook) for f in files]
    with_name = any(r["name"] for r in rows)
    frame = pd.DataFrame(rows, columns=INTERVIEW_COLUMNS + (["name"] if with_name else []))
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["codes"] = frame["codes"].astype(object)
    frame["segment"] = frame["segment"].astype(object)
    if customers is not None and "customer_id" in customers:
        known = set(customers["customer_id"].astype(str))
        unknown = frame.loc[~frame["customer_id"].isin(known)]
        if len(unknown):
            warnings.warn(
                f"{folder.name}: {len(unknown)} of {len(frame)} interviews name a customer_id that is not in "
                f"customers ({', '.join(unknown['customer_id'].head(5))}; files "
                f"{', '.join(unknown['file'].head(5))}). Check the ids in the front matter.",
                DataQualityWarning, stacklevel=2)
    return frame.sort_values(["date", "interview_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Intercoder agreement
# --------------------------------------------------------------------------------------------

def _kappa(both: int, manual_only: int, auto_only: int, neither: int) -> float:
    n = both + manual_only + auto_only + neither
    if n == 0:
        return float("nan")
    observed = (both + neither) / n
    p_manual, p_auto = (both + manual_only) / n, (both + auto_only) / n
    expected = p_manual * p_auto + (1 - p_manual) * (1 - p_auto)
    return float("nan") if expected >= 1 else (observed - expected) / (1 - expected)


def intercoder_agreement(interviews: pd.DataFrame, coded: pd.DataFrame, *,
                         themes: Sequence[str] | Codebook | None = None) -> pd.DataFrame:
    """Cohen's kappa per theme between manual codes and the automatic coding.

    Only interviews with manual ``codes`` take part. For each theme and interview, "manual"
    = the theme is among the codes, "automatic" = :func:`~kit.text.coding.code_texts` found it.
    κ = (p_o − p_e) / (1 − p_e) with p_o the observed agreement and
    p_e = p_m·p_a + (1 − p_m)(1 − p_a) (Cohen 1960); κ is NaN when p_e = 1 (both coders
    constant and equal, agreement by construction).

    Parameters
    ----------
    interviews : DataFrame
        :func:`read_interviews` (``interview_id``, ``codes``).
    coded : DataFrame
        :func:`~kit.text.coding.code_texts` of the same interviews.
    themes : sequence of str or Codebook, optional
        Themes to compare (default: all themes of the manual and automatic codes).

    Returns
    -------
    DataFrame
        ``theme``, ``n`` (interviews), ``both``, ``manual_only``, ``auto_only``, ``neither``,
        ``agreement`` (p_o), ``kappa``; a last row ``(all themes)`` pools every theme-interview pair.

    Examples
    --------
    >>> interviews = pd.DataFrame({"interview_id": ["a", "b"], "codes": [("price",), ()]})
    >>> coded = pd.DataFrame({"text_id": ["a"], "theme": ["price"]})
    >>> intercoder_agreement(interviews, coded)[["theme", "agreement", "kappa"]].values.tolist()
    [['price', 1.0, 1.0], ['(all themes)', 1.0, 1.0]]
    """
    manual = interviews.loc[interviews["codes"].map(lambda c: c is not None and not
                                                    (isinstance(c, float) and np.isnan(c)))]
    ids = _text_ids(manual, None).tolist()
    manual_sets = {i: set(c) for i, c in zip(ids, manual["codes"], strict=True)}
    auto_sets = {i: set(coded.loc[coded["text_id"] == i, "theme"]) for i in ids}
    if isinstance(themes, Codebook):
        theme_list = list(themes.ids)
    elif themes is None:
        theme_list = list(dict.fromkeys([t for s in manual_sets.values() for t in sorted(s)] +
                                        [t for s in auto_sets.values() for t in sorted(s)]))
    else:
        theme_list = list(themes)
    rows = []
    for theme in theme_list:
        cells = {"both": 0, "manual_only": 0, "auto_only": 0, "neither": 0}
        for i in ids:
            m, a = theme in manual_sets[i], theme in auto_sets[i]
            cells["both" if m and a else "manual_only" if m else "auto_only" if a else "neither"] += 1
        rows.append({"theme": theme, "n": len(ids), **cells})
    out = pd.DataFrame(rows, columns=["theme", "n", "both", "manual_only", "auto_only", "neither"])
    if len(out):
        pooled = out[["both", "manual_only", "auto_only", "neither"]].sum()
        out.loc[len(out)] = {"theme": "(all themes)", "n": int(pooled.sum()), **pooled.to_dict()}
    cells = out[["both", "manual_only", "auto_only", "neither"]].astype("int64")
    out[["both", "manual_only", "auto_only", "neither", "n"]] = pd.concat(
        [cells, out["n"].astype("int64")], axis=1)
    out["agreement"] = (cells["both"] + cells["neither"]) / cells.sum(axis=1).where(cells.sum(axis=1) > 0)
    out["kappa"] = [_kappa(*row) for row in cells.itertuples(index=False)]
    return out
