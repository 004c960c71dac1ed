"""Page 4, interviews: themes, positive and negative aspects, patterns of loyal customers, quotes."""

from __future__ import annotations

from typing import Any

from kit.pages._context import Context
from kit.pages._section import Section, capability

__all__ = ["interviews", "coded_interviews", "overview", "themes", "aspects", "loyal_patterns", "quotes",
           "survey_comments"]


def interviews(ctx: Context) -> Any:
    """The interview notes (``kit.read_interviews``), read once per context; None when not configured."""
    folder = ctx.config.data.interviews
    if ctx.data.interviews is not None:
        return ctx.data.interviews
    read = capability("kit.interviews", "read_interviews")
    if folder is None or read is None:
        return None
    return ctx.cached("interviews", lambda: read(folder))


def codebook(ctx: Context) -> Any:
    """The codebook (``kit.read_codebook``), or None when not configured or not available yet."""
    path = ctx.config.data.codebook
    read = capability("kit.interviews", "read_codebook") or capability("kit.codebook", "read_codebook")
    if path is None or read is None:
        return None
    return ctx.cached("codebook", lambda: read(path))


def coded_interviews(ctx: Context) -> Any:
    """Interview sentences coded by theme and polarity (``kit.code_texts``), or None."""
    notes, book = interviews(ctx), codebook(ctx)
    code = capability("kit.interviews", "code_texts")
    if notes is None or book is None or code is None:
        return None
    return ctx.cached("coded_interviews", lambda: code(notes, book))


def _start(ctx: Context, key: str) -> tuple[Section, Any]:
    s = ctx.section(key)
    if ctx.config.data.interviews is None:
        s.missing(ctx.t("no_table", table="interview", what=s.title))
        return s, None
    if capability("kit.interviews", "read_interviews") is None:
        s.not_available("reading interviews (kit.read_interviews)")
        return s, None
    return s, interviews(ctx)


def overview(ctx: Context) -> Section:
    """How many interviews, with whom (segment) and when."""
    s, notes = _start(ctx, "interviews")
    if notes is None:
        return s
    s.para(ctx.t("interview_count", n=len(notes)))
    cols = [c for c in ("date", "interviewer", "segment") if c in notes]
    if cols:
        s.table(notes[cols], max_rows=len(notes))
    return s


def _summary(ctx: Context, key: str, name: str, what: str, **kwargs: Any) -> Section:
    s, notes = _start(ctx, key)
    if notes is None:
        return s
    coded = coded_interviews(ctx)
    if coded is None:
        return s.not_available("coding interviews (kit.code_texts, kit.read_codebook)")
    result = s.call("kit.interviews", name, what, coded, **kwargs)
    if result is not None:
        s.table(result)
    return s


def themes(ctx: Context) -> Section:
    """How often each theme comes up in the interviews."""
    return _summary(ctx, "themes", "theme_frequency", "theme frequency (kit.interviews.theme_frequency)")


def aspects(ctx: Context) -> Section:
    """Positive and negative aspects per theme."""
    return _summary(ctx, "aspects", "aspects", "positive and negative aspects (kit.interviews.aspects)")


def loyal_patterns(ctx: Context) -> Section:
    """Themes that most loyal customers mention."""
    return _summary(ctx, "loyal_patterns", "common_themes", "patterns common to loyal customers "
                    "(kit.interviews.common_themes)")


def quotes(ctx: Context) -> Section:
    """Representative quotes, scrubbed of personal data."""
    return _summary(ctx, "quotes", "quotes", "quotes (kit.interviews.quotes)")


def survey_comments(ctx: Context) -> Section:
    """Survey comments coded with the same codebook, detractors against promoters."""
    s = ctx.section("comments")
    if ctx.data.surveys is None or "comment" not in ctx.data.surveys:
        return s.missing(ctx.t("no_table", table="survey comment", what=s.title))
    return s.not_available("coded survey comments (kit.interviews.theme_contrast)")
