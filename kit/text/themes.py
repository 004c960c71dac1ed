"""What coded texts say, theme by theme: frequencies, shared themes, aspects, contrasts, Pareto.

Summaries over the output of :func:`kit.text.coding.code_texts` (interview notes, survey comments,
exit reasons): which themes come up (:func:`theme_frequency`), which most interviewees of a
segment share (:func:`common_themes`), positive and negative aspects per theme
(:func:`aspects`), themes that occur together (:func:`cooccurrence`), detractors against
promoters (:func:`theme_contrast`) and reasons for leaving as a Pareto table
(:func:`reasons_pareto`). Quotes are in :mod:`kit.text.verbatims`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from kit.metrics._change import benjamini_hochberg, holm
from kit.text.codebook import Codebook, Lang
from kit.text.coding import _text_ids

__all__ = ["theme_frequency", "common_themes", "aspects", "cooccurrence", "theme_contrast", "reasons_pareto"]

_POLARITIES = ("positive", "negative", "neutral")


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
        Output of :func:`~kit.text.coding.code_texts`.
    texts : DataFrame or Series, optional
        The texts that were coded (the denominators: texts without any theme count too).
        Without it, only texts with at least one theme are counted.
    by : str, optional
        Column of ``texts`` to group by, e.g. ``"segment"`` or ``"customer_id"``.
    id_column : str, optional
        Text id column of ``texts`` (default: as in :func:`~kit.text.coding.code_texts`).
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
        :func:`~kit.text.coding.code_texts` of the interviews (text id = ``interview_id``).
    interviews : DataFrame
        :func:`~kit.text.interviews.read_interviews`.
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
        ``share`` (= interviewees / n, a mention in any tone), ``positive`` / ``negative``
        (interviewees with a positive / negative mention), ``polarity`` (positive, negative or
        mixed: which interviewees prevail), ``share_polarity`` (share of the interviewees with a
        mention of that polarity; mixed: any mention), ``common_to_all`` (every interviewee
        mentions it), and with ``segment``: ``share_others`` (share of the other interviewees with
        a mention of that polarity) and ``lift`` (= ``share_polarity`` − ``share_others``: what
        sets the segment apart). Sorted by share; ties by lift (with ``segment``: among themes
        every interviewee mentions, the one that sets the segment apart comes first), then positive.

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
    columns = ["theme", "interviewees", "n", "share", "positive", "negative", "polarity", "share_polarity",
               "common_to_all"]
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
    # interviewees with a mention in the prevailing tone (mixed: any mention): what share_others is compared with
    in_tone = np.select([out["polarity"] == "positive", out["polarity"] == "negative"],
                        [out["positive"], out["negative"]], default=out["interviewees"])
    out["share_polarity"] = in_tone / n
    out["common_to_all"] = out["interviewees"] == n
    sort = ["share", "positive"]
    if segment is not None:
        others = who[~inside]
        n_others = int(others.nunique())
        other_people = _person_themes(coded, others)
        share_others = []
        for row in out.itertuples(index=False):
            part = other_people.loc[other_people["theme"] == row.theme]
            k_out = part["person"].nunique() if row.polarity == "mixed" else int(part[row.polarity].sum())
            share_others.append(k_out / n_others if n_others else np.nan)
        out["share_others"] = share_others
        out["lift"] = out["share_polarity"] - out["share_others"]
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
        Output of :func:`~kit.text.coding.code_texts`.
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


def cooccurrence(coded: pd.DataFrame, *, level: Literal["text", "sentence"] = "text",
                 codebook: Codebook | None = None) -> pd.DataFrame:
    """How often two themes are mentioned together (in the same text or the same sentence).

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`~kit.text.coding.code_texts`.
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
                   codebook: Codebook | None = None, lang: Lang = "en", adjust: str = "holm") -> pd.DataFrame:
    """Share of texts mentioning each theme, per group (e.g. detractors against promoters).

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`~kit.text.coding.code_texts`.
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
    adjust : {"holm", "bh"}
        Multiplicity correction of the themes' tests: Holm (family-wise error) or Benjamini-Hochberg
        (false discovery rate).

    Returns
    -------
    DataFrame
        ``theme``, [``label``], per group ``texts_<group>`` (texts mentioning) and
        ``share_<group>``; with exactly two groups also ``difference`` (first − second share),
        ``p_value`` (two-sided Fisher exact test of the 2 × 2 table, raw) and ``p_adjusted`` (``adjust``
        across the themes: with 8 themes a raw p of 0.016 is not a finding). Sorted by the first
        group's share; ``attrs["adjust"]`` names the correction.

    Raises
    ------
    ValueError
        For an unknown ``adjust``.

    Examples
    --------
    >>> coded = pd.DataFrame({"text_id": [1, 2, 3], "theme": ["price"] * 3,
    ...                       "polarity": ["negative"] * 3})
    >>> groups = pd.Series(["detractor", "detractor", "promoter", "promoter"], index=[1, 2, 3, 4])
    >>> theme_contrast(coded, groups)[["theme", "share_detractor", "share_promoter", "difference"]].values.tolist()
    [['price', 1.0, 0.5, 0.5]]
    """
    if adjust not in _ADJUST:
        raise ValueError(f"adjust must be one of {', '.join(_ADJUST)}, found {adjust!r}")
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
        out["p_adjusted"] = _ADJUST[adjust](out["p_value"].to_numpy())
    if order:
        out = out.sort_values(f"share_{order[0]}", ascending=False, kind="stable")
    result = _with_labels(out.reset_index(drop=True), codebook, lang)
    result.attrs["adjust"] = adjust
    return result


#: The multiplicity corrections :func:`theme_contrast` offers.
_ADJUST = {"holm": holm, "bh": benjamini_hochberg}


def reasons_pareto(coded: pd.DataFrame, texts: pd.DataFrame | pd.Series | None = None, *,
                   id_column: str | None = None, codebook: Codebook | None = None,
                   lang: Lang = "en") -> pd.DataFrame:
    """Coded reasons for leaving (or any coded texts) as a Pareto table by theme.

    Parameters
    ----------
    coded : DataFrame
        :func:`~kit.text.coding.code_texts` of the exit reasons (or detractor comments).
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
