"""Page 4, interviews: themes, positive and negative aspects, patterns of loyal customers, quotes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kit.labels import no_data_for, table_name
from kit.metrics.outcomes import group_names, group_rules, score_groups
from kit.report.pages._common import driver_outcome, outcome_chosen, outcome_label
from kit.report.pages._context import Context
from kit.report.pages._format import Col, display, fmt
from kit.report.pages._section import Section
from kit.report.plots.interviews import plot_theme_polarity, plot_themes_by_segment
from kit.text.codebook import read_codebook
from kit.text.coding import code_texts, uncoded_texts
from kit.text.interviews import read_interviews
from kit.text.themes import aspects as theme_aspects
from kit.text.themes import common_themes, theme_contrast, theme_frequency
from kit.text.verbatims import quotes as pick_quotes
from kit.text.vocabulary import frequent_terms

__all__ = ["interviews", "codebook", "coded_interviews", "coded_comments", "overview", "themes", "aspects",
           "loyal_patterns",
           "quotes", "survey_comments", "uncoded_terms"]



def codebook(ctx: Context) -> Any:
    """The codebook (``kit.read_codebook``), or None when not configured or not available yet."""
    path = ctx.config.data.codebook
    if path is None:
        return None
    return ctx.cached("codebook", lambda: read_codebook(path))


def interviews(ctx: Context) -> pd.DataFrame | None:
    """The interview notes (``kit.read_interviews``), read once per context; None when not configured."""
    if ctx.data.interviews is not None:
        return ctx.data.interviews
    folder = ctx.config.data.interviews
    if folder is None:
        return None
    return ctx.cached("interviews",
                      lambda: read_interviews(folder, customers=ctx.data.customers, codebook=codebook(ctx)))


def coded_interviews(ctx: Context) -> pd.DataFrame | None:
    """Interview sentences coded by theme and polarity (``kit.code_texts``), or None."""
    notes, book = interviews(ctx), codebook(ctx)
    if notes is None or book is None:
        return None
    return ctx.cached("coded_interviews", lambda: code_texts(notes, book))


def _show(ctx: Context, frame: pd.DataFrame, spec: list[Col]) -> pd.DataFrame:
    """``frame`` as displayed: the theme (its label, else its id) and the columns of ``spec``, formatted."""
    theme = Col("label", "col_theme") if "label" in frame else Col("theme", "col_theme", "category")
    return display(frame, [theme, *spec], ctx.lang, currency=ctx.config.business.currency)


def _show_plain(ctx: Context, frame: pd.DataFrame, spec: list[Col]) -> pd.DataFrame:
    """``frame`` as displayed: only the columns of ``spec``."""
    return display(frame, spec, ctx.lang, currency=ctx.config.business.currency)


def _start(ctx: Context, key: str) -> tuple[Section, pd.DataFrame | None, pd.DataFrame | None]:
    """A section plus the interviews and their coding, or the reason why there are none."""
    s = ctx.section(key)
    if ctx.config.data.interviews is None:
        s.missing(no_data_for("interview", s.title if ctx.lang == "de" else s.title.lower(), ctx.lang))
        return s, None, None
    with s.collect_warnings():
        notes = interviews(ctx)
        coded = coded_interviews(ctx)
    if ctx.config.data.codebook is None:
        s.missing(no_data_for("codebook", s.title, ctx.lang))
    return s, notes, coded


def overview(ctx: Context) -> Section:
    """How many interviews, with which segment, when (no names)."""
    s, notes, _ = _start(ctx, "interviews")
    if notes is None:
        return s
    s.para(ctx.t("interview_count", n=fmt(len(notes), "count", ctx.lang)))
    if "segment" in notes:
        counts = notes["segment"].fillna("–").value_counts().rename_axis("segment").reset_index(name="interviews")
        s.table(_show_plain(ctx, counts, [Col("segment", "col_segment", "category"),
                                          Col("interviews", "col_interviews", "count")]),
                caption=ctx.t("cap_interview_segments"))
    # no ids or names on the page
    return s.table(_show_plain(ctx, notes, [Col("date", "col_date"), Col("segment", "col_segment", "category"),
                                            Col("language", "col_language", "category")]),
                   caption=ctx.t("cap_interview_list"), max_rows=len(notes))


def themes(ctx: Context) -> Section:
    """How many interviews mention each theme, overall and by segment."""
    s, notes, coded = _start(ctx, "themes")
    if coded is None:
        return s
    book = codebook(ctx)
    table = s.call(ctx.reuse, theme_frequency, coded, notes, codebook=book,   # the work cell's, when the same call
                   lang=ctx.lang)
    if table is not None:
        s.table(_show(ctx, table, [
            Col("texts", "col_interviews", "count"), Col("mentioning", "col_mentioning", "count"),
            Col("share", "col_share_mentioning", "share"), Col("mentions", "col_mentions", "count"),
            Col("positive", "col_positive", "count"), Col("negative", "col_negative", "count"),
            Col("neutral", "col_neutral", "count")]), caption=ctx.t("cap_theme_frequency"))
    if notes is not None and "segment" in notes and notes["segment"].notna().any():
        by_segment = s.call(ctx.reuse, theme_frequency, coded,
                            notes, by="segment", codebook=book, lang=ctx.lang)
        if by_segment is not None and not by_segment.empty:
            s.plot(plot_themes_by_segment, by_segment, caption=ctx.t("themes_chart"))
    return s


def aspects(ctx: Context) -> Section:
    """Positive and negative aspects per theme."""
    s, _, coded = _start(ctx, "aspects")
    if coded is None:
        return s
    table = s.call(ctx.reuse, theme_aspects, coded, codebook=codebook(ctx), lang=ctx.lang)
    if table is not None:
        s.table(_show(ctx, table, [
            Col("texts", "col_mentioning", "count"), Col("mentions", "col_mentions", "count"),
            Col("positive", "col_positive", "count"), Col("negative", "col_negative", "count"),
            Col("neutral", "col_neutral", "count"), Col("net", "col_net", "count"),
            Col("negative_share", "col_negative_share", "share")]), caption=ctx.t("cap_aspects"))
        if not table.empty:
            s.plot(plot_theme_polarity, table,
                   caption=ctx.t("aspects_chart"))
    return s


def loyal_patterns(ctx: Context) -> Section:
    """Themes that at least half of the interviewed loyal customers mention."""
    s, notes, coded = _start(ctx, "loyal_patterns")
    if coded is None:
        return s
    segment = "loyal" if "segment" in notes and (notes["segment"] == "loyal").any() else None
    table = s.call(ctx.reuse, common_themes, coded, notes,
                   segment=segment, codebook=codebook(ctx), lang=ctx.lang)
    if table is not None:
        # the difference is computed from the two shares left of it (mentions in the tone shown), not from the
        # share mentioning the theme in any tone
        s.table(_show(ctx, table, [
            Col("interviewees", "col_mentioned_by", "count"), Col("n", "col_interviewees", "count"),
            Col("share", "col_share_any_tone", "share"), Col("common_to_all", "col_all_mention", "bool"),
            Col("positive", "col_positive", "count"), Col("negative", "col_negative", "count"),
            Col("polarity", "col_polarity", "category"), Col("share_polarity", "col_share_tone", "share"),
            Col("share_others", "col_share_others", "share"), Col("lift", "col_lift", "points")]),
            caption=ctx.t("cap_loyal"))
    return s


def quotes(ctx: Context) -> Section:
    """One representative quote per theme and polarity, personal data removed."""
    s, notes, coded = _start(ctx, "quotes")
    if coded is None:
        return s
    table = s.call(pick_quotes, coded, interviews=notes,
                   codebook=codebook(ctx), lang=ctx.lang, id_pattern=ctx.config.privacy.id_pattern)
    if table is not None:
        # no text or customer ids on the page
        s.table(_show(ctx, table, [
            Col("polarity", "col_polarity", "category"), Col("quote", "col_quote"),
            Col("segment", "col_segment", "category"), Col("words", "col_words", "count")]),
            caption=ctx.t("cap_quotes"), max_rows=40)
    return s


def coded_comments(ctx: Context) -> tuple[pd.DataFrame, pd.Series, pd.Series] | None:
    """Survey comments of the period coded with the codebook, once per context.

    Returns ``(coded, groups, customers)``: the coding (``kit.code_texts``), the score group of each
    comment on the survey outcome (:func:`kit.report.pages.actions.driver_outcome`; for the NPS detractor
    0-6, passive 7-8, promoter 9-10, as in :mod:`kit.definitions`; for the others low, middle, high, see
    :mod:`kit.metrics.outcomes`) and the customer of each comment, all indexed by response id; None without
    comments, an outcome or a codebook.
    """
    surveys, book, outcome = ctx.data.surveys, codebook(ctx), driver_outcome(ctx)
    if surveys is None or book is None or "comment" not in surveys or outcome is None or outcome not in surveys:
        return None

    def make() -> tuple[pd.DataFrame, pd.Series, pd.Series] | None:
        rows = surveys if ctx.period is None else surveys[ctx.period.contains(surveys["responded_at"])]
        rows = rows[rows["comment"].fillna("").str.strip().ne("") & rows[outcome].notna()]
        if rows.empty:
            return None
        ids = (rows["response_id"] if "response_id" in rows else rows.index.to_series()).to_numpy()
        # by response id, as the notebook's work cell codes them: one coding for the run and the work cell
        texts = rows.set_index("response_id")["comment"] if "response_id" in rows else \
            pd.Series(rows["comment"].to_numpy(), index=ids)
        groups = score_groups(rows[outcome], outcome, ctx.config.thresholds).set_axis(ids)
        who = pd.Series(rows["customer_id"].to_numpy() if "customer_id" in rows else None, index=ids)
        return ctx.reuse(code_texts, texts, book), groups, who

    return ctx.cached("coded_comments", make)


def survey_comments(ctx: Context) -> Section:
    """Survey comments of the period coded with the same codebook: low scores against top scores of the
    survey outcome (detractors against promoters for the NPS)."""
    s = ctx.section("comments")
    surveys, outcome = ctx.data.surveys, driver_outcome(ctx)
    if surveys is None or "comment" not in surveys:
        return s.missing(no_data_for("survey comment", s.title, ctx.lang))
    if outcome is None:
        return s.missing(ctx.t("no_outcome", what=s.title))
    if outcome not in surveys:
        return s.missing(ctx.t("no_column", column=outcome, table=table_name("surveys", ctx.lang), what=s.title))
    if codebook(ctx) is None:
        return s.missing(no_data_for("codebook", s.title, ctx.lang))
    with s.collect_warnings():
        result = coded_comments(ctx)
    if result is None:
        return s.missing(no_data_for("survey comment", s.title, ctx.lang))
    coded, groups, _ = result
    low, _middle, high = group_names(outcome)
    two = groups[groups != _middle].cat.remove_unused_categories()
    count = lambda v: fmt(v, "count", ctx.lang)  # noqa: E731
    if outcome == "nps":
        s.para(ctx.t("comments_count", n=count(len(groups)), period=ctx.period_label,
                     detractors=count(int((two == low).sum())), promoters=count(int((two == high).sum()))))
        caption = ctx.t("cap_contrast")
    else:
        label, (low_rule, high_rule) = outcome_label(ctx, outcome), group_rules(outcome, ctx.config.thresholds)
        why = ctx.t("outcome_configured" if outcome_chosen(ctx) else "outcome_default")
        s.para(ctx.t("outcome_used", label=label, column=outcome, why=why))
        s.para(ctx.t("comments_count_low_high", n=count(len(groups)), period=ctx.period_label, label=label,
                     low=low_rule, high=high_rule, low_n=count(int((two == low).sum())),
                     high_n=count(int((two == high).sum()))))
        caption = ctx.t("cap_contrast_low_high", label=label, low=low_rule, high=high_rule)
    table = s.call(theme_contrast, coded[coded["text_id"].isin(two.index)], two, polarity="negative",
                   codebook=codebook(ctx),
                   lang=ctx.lang)
    if table is not None:
        s.table(_show(ctx, table, [
            Col(f"texts_{low}", f"col_texts_{low}", "count"), Col(f"share_{low}", f"col_share_{low}", "share"),
            Col(f"texts_{high}", f"col_texts_{high}", "count"), Col(f"share_{high}", f"col_share_{high}", "share"),
            Col("difference", "col_difference", "points"), Col("p_value", "col_p", "p"),
            Col("p_adjusted", "col_p_holm", "p")]),
            caption=caption)
    return s


def uncoded_terms(ctx: Context) -> Section:
    """The most frequent words and phrases of the period's survey comments that no theme caught (with counts).

    Every comment of the period is coded (whatever score the survey has); those without any theme go
    to :func:`kit.text.vocabulary.frequent_terms`. An analyst reads the list to grow the codebook.
    """
    s = ctx.section("uncoded_terms")
    surveys, book = ctx.data.surveys, codebook(ctx)
    if surveys is None or "comment" not in surveys:
        return s.missing(no_data_for("survey comment", s.title, ctx.lang))
    if book is None:
        return s.missing(no_data_for("codebook", s.title, ctx.lang))
    rows = surveys if ctx.period is None else surveys[ctx.period.contains(surveys["responded_at"])]
    texts = pd.Series(rows["comment"].to_numpy(), index=range(len(rows)))
    texts = texts[texts.fillna("").astype(str).str.strip().ne("")]
    if texts.empty:
        return s.missing(no_data_for("survey comment", s.title, ctx.lang))
    with s.collect_warnings():
        left = uncoded_texts(texts, ctx.cached("coded_period_comments", lambda: code_texts(texts, book)))
    count = lambda v: fmt(v, "count", ctx.lang)  # noqa: E731
    if left.empty:
        return s.para(ctx.t("uncoded_none", period=ctx.period_label, n=count(len(texts))))
    s.para(ctx.t("uncoded_intro", uncoded=count(len(left)), n=count(len(texts)), period=ctx.period_label,
                 share=fmt(len(left) / len(texts), "share", ctx.lang)))
    table = s.call(frequent_terms, left)
    if table is None or table.empty:
        return s.para(ctx.t("uncoded_rare", uncoded=count(len(left))))
    table = table.assign(kind=table["kind"].map(lambda k: ctx.t(f"term_{k}")))
    s.table(_show_plain(ctx, table, [Col("term", "col_term"), Col("kind", "col_term_kind"),
                                     Col("texts", "col_comments", "count"), Col("share", "col_share", "share")]),
            caption=ctx.t("cap_uncoded_terms"))
    return s
