"""Interviews and free-text comments coded with a codebook, and what they say.

Step 4 of the analysis: read the interview notes (:func:`read_interviews`), code them and the
survey comments and exit reasons with the codebook (:func:`code_texts`, from
:mod:`kit.codebook`), then summarise: which themes come up (:func:`theme_frequency`), which
most interviewees of a segment share (:func:`common_themes`), positive and negative aspects
per theme (:func:`aspects`), representative quotes without personal data (:func:`quotes`),
themes that occur together (:func:`cooccurrence`), detractors against promoters
(:func:`theme_contrast`), reasons for leaving as a Pareto table (:func:`reasons_pareto`) and
the agreement of the automatic with manual coding (:func:`intercoder_agreement`).

Every table that holds customers' words is plain text; show it with :func:`as_html_table`
(or pandas' own HTML, which escapes too), never as raw HTML.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import frontmatter
import numpy as np
import pandas as pd
import yaml
from scipy import stats

from kit.codebook import Codebook, code_texts, read_codebook
from kit.errors import DataError, DataQualityWarning
from kit.privacy import scrub_personal_data

__all__ = [
    "read_interviews", "read_codebook", "code_texts", "theme_frequency", "common_themes", "aspects", "quotes",
    "cooccurrence", "theme_contrast", "reasons_pareto", "uncoded_texts", "uncoded_share",
    "intercoder_agreement", "as_html_table", "INTERVIEW_COLUMNS", "SEGMENTS",
]

SEGMENTS = ("loyal", "at_risk", "lost")
INTERVIEW_COLUMNS = ["interview_id", "customer_id", "date", "interviewer", "segment", "language", "codes",
                     "text", "file"]
_REQUIRED = ("customer_id", "date", "interviewer")
_EXAMPLE_HEADER = ("---\ncustomer_id: K01234\ndate: 2026-09-01\ninterviewer: Miriam Koch\nsegment: loyal\n"
                   "codes: [service, quality]   # optional manual codes\n---")
_POLARITIES = ("positive", "negative", "neutral")
Lang = Literal["en", "de"]


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
        "customer_id": str(meta["customer_id"]).strip(),
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
        ``name`` when any file gives the interviewee's name (used by :func:`quotes` to remove it;
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
# Helpers
# --------------------------------------------------------------------------------------------

_ID_COLUMNS = ("text_id", "interview_id", "response_id")


def _text_ids(texts: pd.DataFrame | pd.Series, id_column: str | None) -> pd.Series:
    """Text ids aligned with the rows of ``texts`` (same rule as :func:`code_texts`)."""
    if isinstance(texts, pd.DataFrame):
        if id_column is None:
            id_column = next((c for c in _ID_COLUMNS if c in texts.columns), None)
        if id_column is not None:
            return pd.Series(texts[id_column].to_numpy(), index=texts.index, name="text_id")
    return pd.Series(texts.index.to_numpy(), index=texts.index, name="text_id")


def _with_labels(frame: pd.DataFrame, codebook: Codebook | None, lang: Lang) -> pd.DataFrame:
    if codebook is not None and "theme" in frame:
        labels = codebook.labels(lang=lang)
        frame.insert(frame.columns.get_loc("theme") + 1, "label",
                     frame["theme"].map(lambda t: labels.get(t, t)).astype(object))
    return frame


def _themes(coded: pd.DataFrame, codebook: Codebook | None) -> list[str]:
    if codebook is not None:
        return list(codebook.ids)
    return list(dict.fromkeys(coded["theme"]))


# --------------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------------

def theme_frequency(coded: pd.DataFrame, texts: pd.DataFrame | pd.Series | None = None, *,
                    by: str | None = None, id_column: str | None = None, codebook: Codebook | None = None,
                    lang: Lang = "en") -> pd.DataFrame:
    """How often each theme comes up, overall or per group (segment, interviewee).

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`code_texts`.
    texts : DataFrame or Series, optional
        The texts that were coded (the denominators: texts without any theme count too).
        Without it, only texts with at least one theme are counted.
    by : str, optional
        Column of ``texts`` to group by, e.g. ``"segment"`` or ``"customer_id"``.
    id_column : str, optional
        Text id column of ``texts`` (default: as in :func:`code_texts`).
    codebook : Codebook, optional
        Adds a ``label`` column and rows (with zeros) for themes nobody mentioned.
    lang : {"en", "de"}
        Language of the labels.

    Returns
    -------
    DataFrame
        One row per (group, theme): ``by`` (when given), ``theme``, [``label``], ``texts`` (texts in the
        group), ``mentioning`` (texts mentioning the theme), ``share`` (= mentioning / texts),
        ``mentions`` (sentences), ``positive``, ``negative``, ``neutral`` (sentences by polarity).

    Examples
    --------
    >>> coded = pd.DataFrame({"text_id": ["a", "a", "b"], "theme": ["price", "price", "service"],
    ...                       "polarity": ["negative", "negative", "positive"]})
    >>> theme_frequency(coded)[["theme", "mentioning", "share", "mentions"]].values.tolist()
    [['price', 1, 0.5, 2], ['service', 1, 0.5, 1]]
    """
    if texts is not None:
        ids = _text_ids(texts, id_column)
        if by is not None and by not in texts:
            raise ValueError(f"texts has no column {by!r}; columns: {', '.join(map(str, texts.columns))}")
        group = (texts[by].astype(object).where(texts[by].notna(), "(missing)").to_numpy() if by is not None
                 else np.repeat("all", len(ids)))
        mapping = pd.DataFrame({"text_id": ids.to_numpy(), "group": group})
    else:
        if by is not None:
            raise ValueError("by= needs texts= (the table holding the column to group by)")
        mapping = pd.DataFrame({"text_id": coded["text_id"].unique(), "group": "all"})
    mapping = mapping.drop_duplicates("text_id")
    merged = coded.merge(mapping, on="text_id", how="inner")
    counts = pd.crosstab([merged["group"], merged["theme"]], merged["polarity"])
    counts = counts.reindex(columns=list(_POLARITIES), fill_value=0)
    mentioning = merged.groupby(["group", "theme"])["text_id"].nunique().rename("mentioning")
    groups = list(dict.fromkeys(mapping["group"]))
    index = pd.MultiIndex.from_product([groups, _themes(coded, codebook)], names=["group", "theme"])
    out = pd.concat([mentioning, counts], axis=1).reindex(index, fill_value=0).reset_index()
    out["texts"] = out["group"].map(mapping.groupby("group")["text_id"].nunique()).astype("int64")
    out["mentions"] = out[list(_POLARITIES)].sum(axis=1)
    out["share"] = out["mentioning"] / out["texts"]
    out = out[["group", "theme", "texts", "mentioning", "share", "mentions", *_POLARITIES]]
    out[["mentioning", "mentions", *_POLARITIES]] = out[["mentioning", "mentions", *_POLARITIES]].astype("int64")
    if by is None:
        out = out.drop(columns="group")
        out = out.loc[out["mentions"] > 0] if codebook is None else out
        out = out.sort_values(["mentioning", "mentions"], ascending=False, kind="stable")
    else:
        out = out.rename(columns={"group": by})
    return _with_labels(out.reset_index(drop=True), codebook, lang)


def _person_themes(coded: pd.DataFrame, who: pd.Series) -> pd.DataFrame:
    """One row per (person, theme): mentioned, positive, negative (any sentence of theirs)."""
    merged = coded.loc[coded["text_id"].isin(who.index)].assign(person=lambda f: f["text_id"].map(who))
    return (merged.assign(positive=merged["polarity"] == "positive", negative=merged["polarity"] == "negative")
            .groupby(["person", "theme"], sort=False)[["positive", "negative"]].any().reset_index())


def common_themes(coded: pd.DataFrame, interviews: pd.DataFrame, *, segment: str | None = None,
                  min_share: float = 0.5, by: str = "customer_id", codebook: Codebook | None = None,
                  lang: Lang = "en") -> pd.DataFrame:
    """Themes that most interviewees (of a segment) share, with their prevailing polarity.

    Parameters
    ----------
    coded : DataFrame
        :func:`code_texts` of the interviews (text id = ``interview_id``).
    interviews : DataFrame
        :func:`read_interviews`.
    segment : str, optional
        Only interviewees of this segment (e.g. ``"loyal"``); the other interviewees become
        the comparison group of ``lift``.
    min_share : float
        Keep themes mentioned by at least this share of interviewees (0.5 = most of them).
    by : str
        Column identifying an interviewee (one person may have several interviews).
    codebook : Codebook, optional
        Adds labels.
    lang : {"en", "de"}
        Language of the labels.

    Returns
    -------
    DataFrame
        ``theme``, [``label``], ``interviewees`` (mentioning it), ``n`` (interviewees),
        ``share``, ``positive`` / ``negative`` (interviewees with a positive / negative
        mention), ``polarity`` (positive, negative or mixed: which interviewees prevail),
        ``common_to_all`` (every interviewee mentions it), and with ``segment``:
        ``share_others`` (share of the other interviewees with a mention of that polarity) and
        ``lift`` (= share with that polarity in the segment − ``share_others``: what sets the
        segment apart). Sorted by share; ties by lift (with ``segment``: among themes every
        interviewee mentions, the one that sets the segment apart comes first), then positive.

    Examples
    --------
    >>> coded = pd.DataFrame({"text_id": ["i1", "i2"], "theme": ["service"] * 2,
    ...                       "polarity": ["positive", "positive"]})
    >>> interviews = pd.DataFrame({"interview_id": ["i1", "i2"], "customer_id": ["K1", "K2"],
    ...                            "segment": ["loyal", "loyal"]})
    >>> common_themes(coded, interviews)[["theme", "share", "polarity", "common_to_all"]].values.tolist()
    [['service', 1.0, 'positive', True]]
    """
    if segment is not None and "segment" not in interviews:
        raise ValueError(f"segment={segment!r} needs a 'segment' column in interviews (front matter 'segment:')")
    ids = _text_ids(interviews, None)
    who = pd.Series(interviews[by].to_numpy() if by in interviews else ids.to_numpy(), index=ids.to_numpy())
    inside = (interviews["segment"] == segment).to_numpy() if segment is not None else np.ones(len(who), bool)
    columns = ["theme", "interviewees", "n", "share", "positive", "negative", "polarity", "common_to_all"]
    columns += ["share_others", "lift"] if segment is not None else []
    n = int(who[inside].nunique())
    per_person = _person_themes(coded, who[inside])
    if per_person.empty or n == 0:
        return _with_labels(pd.DataFrame(columns=columns), codebook, lang)
    out = per_person.groupby("theme", sort=False).agg(
        interviewees=("person", "nunique"), positive=("positive", "sum"), negative=("negative", "sum"))
    out = out.reset_index().assign(n=n)
    out["share"] = out["interviewees"] / n
    out["polarity"] = np.where(out["positive"] > out["negative"], "positive",
                               np.where(out["negative"] > out["positive"], "negative", "mixed"))
    out["common_to_all"] = out["interviewees"] == n
    sort = ["share", "positive"]
    if segment is not None:
        others = who[~inside]
        n_others = int(others.nunique())
        other_people = _person_themes(coded, others)
        share_others, lift = [], []
        for row in out.itertuples(index=False):
            part = other_people.loc[other_people["theme"] == row.theme]
            if row.polarity == "mixed":
                k_in, k_out = row.interviewees, part["person"].nunique()
            else:
                k_in, k_out = getattr(row, row.polarity), int(part[row.polarity].sum())
            share_out = k_out / n_others if n_others else np.nan
            share_others.append(share_out)
            lift.append(k_in / n - share_out)
        out["share_others"], out["lift"] = share_others, lift
        sort = ["share", "lift", "positive"]
    out[["positive", "negative"]] = out[["positive", "negative"]].astype("int64")
    out = out.loc[out["share"] >= min_share, columns]
    out = out.sort_values(sort, ascending=False, kind="stable").reset_index(drop=True)
    return _with_labels(out, codebook, lang)


def aspects(coded: pd.DataFrame, *, codebook: Codebook | None = None, lang: Lang = "en") -> pd.DataFrame:
    """Positive against negative aspects per theme (counted in sentences).

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`code_texts`.
    codebook : Codebook, optional
        Adds labels.
    lang : {"en", "de"}
        Language of the labels.

    Returns
    -------
    DataFrame
        ``theme``, [``label``], ``positive``, ``negative``, ``neutral``, ``mentions``,
        ``texts`` (texts mentioning the theme), ``net`` (= positive − negative),
        ``negative_share`` (= negative / (positive + negative); NaN without either);
        sorted by mentions.

    Examples
    --------
    >>> coded = pd.DataFrame({"text_id": ["a", "b", "c"], "theme": ["price"] * 3,
    ...                       "polarity": ["negative", "negative", "positive"]})
    >>> aspects(coded)[["theme", "positive", "negative", "net"]].values.tolist()
    [['price', 1, 2, -1]]
    """
    counts = pd.crosstab(coded["theme"], coded["polarity"]).reindex(columns=list(_POLARITIES), fill_value=0)
    counts = counts.reindex(_themes(coded, codebook), fill_value=0)
    out = counts.rename_axis(columns=None).reset_index()
    out["mentions"] = out[list(_POLARITIES)].sum(axis=1)
    out["texts"] = out["theme"].map(coded.groupby("theme")["text_id"].nunique()).fillna(0).astype("int64")
    out["net"] = out["positive"] - out["negative"]
    judged = out["positive"] + out["negative"]
    out["negative_share"] = (out["negative"] / judged.where(judged > 0)).astype("float64")
    out = out.sort_values("mentions", ascending=False, kind="stable").reset_index(drop=True)
    return _with_labels(out, codebook, lang)


def quotes(coded: pd.DataFrame, *, interviews: pd.DataFrame | None = None, names: Iterable[str] = (),
           min_words: int = 8, max_words: int = 30, per_group: int = 1,
           polarities: Sequence[str] = ("positive", "negative"), codebook: Codebook | None = None,
           lang: Lang = "en") -> pd.DataFrame:
    """Representative quotes: one short, clear sentence per theme and polarity, personal data removed.

    A sentence qualifies with ``min_words`` to ``max_words`` words; sentences about a single
    theme come first, then those with a polarity cue, then the ones closest to 15 words. Names
    (``names``, plus the interviewer and an optional ``name`` column of ``interviews``, and any
    "Herr/Frau/Mr/Mrs/Ms X"), e-mail addresses and phone numbers are removed with
    :func:`kit.privacy.scrub_personal_data`.

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`code_texts`.
    interviews : DataFrame, optional
        :func:`read_interviews`, for the names to remove and the segment of each quote.
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
        "quote": [scrub_personal_data(s, names=base_names) for s in picked["sentence"]],
        "words": picked["words"].to_numpy(),
        "text_id": picked["text_id"].to_numpy(),
    })
    if segments:
        out["segment"] = out["text_id"].map(segments)
    return _with_labels(out, codebook, lang)


def cooccurrence(coded: pd.DataFrame, *, level: Literal["text", "sentence"] = "text",
                 codebook: Codebook | None = None) -> pd.DataFrame:
    """How often two themes are mentioned together (in the same text or the same sentence).

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`code_texts`.
    level : {"text", "sentence"}
        Count texts or sentences mentioning both themes.
    codebook : Codebook, optional
        Fixes the order of the themes (and includes unmentioned ones).

    Returns
    -------
    DataFrame
        Theme × theme counts; the diagonal holds the texts (sentences) mentioning the theme.

    Examples
    --------
    >>> coded = pd.DataFrame({"text_id": ["a", "a", "b"], "sentence_no": [1, 2, 1],
    ...                       "theme": ["price", "delivery", "price"]})
    >>> cooccurrence(coded).loc["price", "delivery"]
    np.int64(1)
    """
    unit = ["text_id"] if level == "text" else ["text_id", "sentence_no"]
    themes = _themes(coded, codebook)
    if coded.empty:
        return pd.DataFrame(0, index=pd.Index(themes, name="theme"), columns=themes, dtype="int64")
    keys = coded[unit].astype(str).agg("\x1f".join, axis=1)
    indicator = pd.crosstab(keys, coded["theme"]).clip(upper=1)
    indicator = indicator.reindex(columns=themes, fill_value=0)
    matrix = indicator.T @ indicator
    matrix.index.name, matrix.columns.name = "theme", None
    return matrix.astype("int64")


def theme_contrast(coded: pd.DataFrame, groups: pd.Series, *, polarity: str | None = None,
                   codebook: Codebook | None = None, lang: Lang = "en") -> pd.DataFrame:
    """Share of texts mentioning each theme, per group (e.g. detractors against promoters).

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`code_texts`.
    groups : Series
        Group of every coded text: index = text id, values = group (e.g. "detractor",
        "promoter"). Texts without any theme count in the denominators. A categorical
        Series keeps its category order.
    polarity : str, optional
        Count only mentions of this polarity (e.g. ``"negative"``).
    codebook : Codebook, optional
        Adds labels and rows for unmentioned themes.
    lang : {"en", "de"}
        Language of the labels.

    Returns
    -------
    DataFrame
        ``theme``, [``label``], per group ``texts_<group>`` (texts mentioning) and
        ``share_<group>``; with exactly two groups also ``difference`` (first − second share)
        and ``p_value`` (two-sided Fisher exact test of the 2 × 2 table). Sorted by the first
        group's share.

    Examples
    --------
    >>> coded = pd.DataFrame({"text_id": [1, 2, 3], "theme": ["price"] * 3,
    ...                       "polarity": ["negative"] * 3})
    >>> groups = pd.Series(["detractor", "detractor", "promoter", "promoter"], index=[1, 2, 3, 4])
    >>> theme_contrast(coded, groups)[["theme", "share_detractor", "share_promoter", "difference"]].values.tolist()
    [['price', 1.0, 0.5, 0.5]]
    """
    groups = groups.dropna()
    order = (list(groups.cat.categories) if isinstance(groups.dtype, pd.CategoricalDtype)
             else list(dict.fromkeys(groups)))
    order = [g for g in order if (groups == g).any()]
    used = coded if polarity is None else coded.loc[coded["polarity"] == polarity]
    used = used.loc[used["text_id"].isin(groups.index)]
    sizes = groups.value_counts()
    out = pd.DataFrame({"theme": _themes(coded, codebook)})
    for group in order:
        ids = groups.index[groups == group]
        mentioning = used.loc[used["text_id"].isin(ids)].groupby("theme")["text_id"].nunique()
        out[f"texts_{group}"] = out["theme"].map(mentioning).fillna(0).astype("int64")
        out[f"share_{group}"] = out[f"texts_{group}"] / sizes[group]
    if len(order) == 2:
        first, second = order
        out["difference"] = out[f"share_{first}"] - out[f"share_{second}"]
        out["p_value"] = [
            stats.fisher_exact([[a, sizes[first] - a], [b, sizes[second] - b]])[1]
            for a, b in zip(out[f"texts_{first}"], out[f"texts_{second}"], strict=True)]
    if order:
        out = out.sort_values(f"share_{order[0]}", ascending=False, kind="stable")
    return _with_labels(out.reset_index(drop=True), codebook, lang)


def reasons_pareto(coded: pd.DataFrame, texts: pd.DataFrame | pd.Series | None = None, *,
                   id_column: str | None = None, codebook: Codebook | None = None,
                   lang: Lang = "en") -> pd.DataFrame:
    """Coded reasons for leaving (or any coded texts) as a Pareto table by theme.

    Parameters
    ----------
    coded : DataFrame
        :func:`code_texts` of the exit reasons (or detractor comments).
    texts : DataFrame or Series, optional
        The texts that were coded; adds a last row ``(no theme)`` for texts without a theme.
    id_column : str, optional
        Text id column of ``texts``.
    codebook : Codebook, optional
        Adds labels.
    lang : {"en", "de"}
        Language of the labels.

    Returns
    -------
    DataFrame
        ``theme``, [``label``], ``count`` (texts mentioning the theme; a text naming two
        themes counts for both), ``share`` (of all counts), ``cumulative_share``, ``share_of_texts``.

    Examples
    --------
    >>> coded = pd.DataFrame({"text_id": [1, 2, 3, 3], "theme": ["price", "price", "delivery", "price"]})
    >>> reasons_pareto(coded)[["theme", "count", "cumulative_share"]].values.tolist()
    [['price', 3, 0.75], ['delivery', 1, 1.0]]
    """
    counts = coded.groupby("theme")["text_id"].nunique().sort_values(ascending=False, kind="stable")
    out = counts.rename("count").rename_axis("theme").reset_index()
    n_texts = coded["text_id"].nunique()
    if texts is not None:
        ids = _text_ids(texts, id_column)
        values = texts if isinstance(texts, pd.Series) else None
        present = ids if values is None else ids[values.fillna("").astype(str).str.strip() != ""]
        n_texts = present.nunique()
        uncoded = int((~present.drop_duplicates().isin(set(coded["text_id"]))).sum())
        if uncoded:
            out = pd.concat([out, pd.DataFrame({"theme": ["(no theme)"], "count": [uncoded]})], ignore_index=True)
    out["count"] = out["count"].astype("int64")
    total = out["count"].sum()
    out["share"] = out["count"] / total if total else np.nan
    out["cumulative_share"] = out["share"].cumsum()
    out["share_of_texts"] = out["count"] / n_texts if n_texts else np.nan
    return _with_labels(out, codebook, lang)


def uncoded_texts(texts: pd.DataFrame | pd.Series, coded: pd.DataFrame, *, column: str = "text",
                  id_column: str | None = None) -> pd.Series:
    """The non-empty texts that got no theme at all (to improve the codebook).

    Parameters
    ----------
    texts : DataFrame or Series
        The texts given to :func:`code_texts`.
    coded : DataFrame
        Its output.
    column, id_column : str
        As for :func:`code_texts`.

    Returns
    -------
    Series
        Index = text id, values = text.

    Examples
    --------
    >>> uncoded_texts(pd.Series({"a": "zu teuer", "b": "hm", "c": ""}),
    ...               pd.DataFrame({"text_id": ["a"], "theme": ["price"]})).to_dict()
    {'b': 'hm'}
    """
    values = texts[column] if isinstance(texts, pd.DataFrame) else texts
    series = pd.Series(values.to_numpy(), index=_text_ids(texts, id_column).to_numpy(), name="text")
    series = series.loc[series.fillna("").astype(str).str.strip() != ""]
    return series.loc[~series.index.isin(set(coded["text_id"]))]


def uncoded_share(texts: pd.DataFrame | pd.Series, coded: pd.DataFrame, *, column: str = "text",
                  id_column: str | None = None) -> float:
    """Share of the non-empty texts that got no theme (NaN when there are no texts).

    Examples
    --------
    >>> uncoded_share(pd.Series({"a": "zu teuer", "b": "hm"}), pd.DataFrame({"text_id": ["a"], "theme": ["price"]}))
    0.5
    """
    values = texts[column] if isinstance(texts, pd.DataFrame) else texts
    n = int((values.fillna("").astype(str).str.strip() != "").sum())
    return len(uncoded_texts(texts, coded, column=column, id_column=id_column)) / n if n else float("nan")


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
    = the theme is among the codes, "automatic" = :func:`code_texts` found it.
    κ = (p_o − p_e) / (1 − p_e) with p_o the observed agreement and
    p_e = p_m·p_a + (1 − p_m)(1 − p_a) (Cohen 1960); κ is NaN when p_e = 1 (both coders
    constant and equal, agreement by construction).

    Parameters
    ----------
    interviews : DataFrame
        :func:`read_interviews` (``interview_id``, ``codes``).
    coded : DataFrame
        :func:`code_texts` of the same interviews.
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


# --------------------------------------------------------------------------------------------
# Display
# --------------------------------------------------------------------------------------------

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
