"""A displayable report section: title, paragraphs, tables, figures and notes.

A :class:`Section` presents itself in a notebook (``_repr_html_``) and as plain
text (``str``). Figures are embedded as base64 PNG, so the HTML report is
self-contained. All user text is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kit.labels import text
from kit.results import format_value

__all__ = ["Section"]


@dataclass
class _Block:
    kind: str  # heading, para, html, table, figure, note, missing, metric
    content: Any
    caption: str = ""


def _fmt_cell(value: Any, lang: str = "en") -> str:
    """A raw cell of a table no page formatted (pages format theirs with :func:`kit.report.pages._format.display`)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        return format_value(int(value), "count", lang)
    if isinstance(value, float):
        if abs(value) >= 1000:
            return format_value(value, "count", lang)
        shown = f"{value:.3g}"  # three significant digits; small numbers never need grouping
        return shown.replace(".", ",") if lang == "de" else shown
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _is_share(name: Any, column: pd.Series) -> bool:
    """Columns named ``share`` / ``share_x`` / ``x_share`` hold shares 0…1: shown as percent."""
    text_ = str(name)
    named = text_ == "share" or text_.startswith("share_") or text_.endswith("_share")
    return named and pd.api.types.is_float_dtype(column)


def _tidy_axes(ax: Any) -> None:
    """Page polish for any kit plot: slanted x labels end under their tick (right-aligned), and a
    small note under the axes (``n = ...``) moves below the tick labels and axis label it would overlap."""
    from matplotlib.text import Annotation

    fig = ax.figure
    notes = [t for t in ax.texts if isinstance(t, Annotation) and t.xycoords == "axes fraction" and t.xy[1] < 0]
    # tick labels exist before a draw (matplotlib makes them when asked); a figure without slanted labels or notes
    # needs no layout pass here, which costs as much as a quarter of its savefig
    if not notes and not any(label.get_rotation() % 90 != 0 for label in ax.get_xticklabels()):
        return
    # the layout of a draw (tick label texts of categorical axes, a layout engine's positions) without painting
    # any pixel: the figure is painted once, by savefig
    fig.draw_without_rendering()
    for label in ax.get_xticklabels():
        if label.get_text() and label.get_rotation() % 90 != 0 and label.get_horizontalalignment() == "center":
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    if not notes:
        return
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    below = [t.get_window_extent(renderer).y0 for t in [*ax.get_xticklabels(), ax.xaxis.label] if t.get_text()]
    if not below:
        return
    lowest = ax.transAxes.inverted().transform((0.0, min(below)))[1]  # axes fraction of the lowest text
    for note in notes:
        if note.get_window_extent(renderer).y1 > min(below):  # overlaps: put it just below
            note.xy = note.xyann = (note.xy[0], lowest - 0.03)  # xyann: where the text is drawn


#: Figures are rendered at this multiple of the resolution they are shown at (2: "retina").
FIGURE_SCALE = 2


def _shown_width(png_base64: str) -> str:
    """CSS width of an embedded PNG: its pixel width (from the PNG header) / :data:`FIGURE_SCALE` (``516px``)."""
    head = base64.b64decode(png_base64[:32])
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return "100%"
    return f"{int.from_bytes(head[16:20], 'big') // FIGURE_SCALE}px"


@dataclass
class Section:
    """One part of a report page.

    Build it with the chainable methods; a notebook cell ends with the section
    and Jupyter shows it.

    Attributes
    ----------
    title : str
        Heading of the section.
    lang : {"en", "de"}
        Language of the generated lines.
    blocks : list
        What the section shows, in order.
    anchor : str
        Id of the section in the page (``kit-<key>``), the target of the findings' links; empty: none.

    Examples
    --------
    >>> s = Section("Service").para("Tickets answered within a day.").missing("no ticket data")
    >>> print(s)
    Service
    Tickets answered within a day.
    ! no ticket data
    """

    title: str
    lang: str = "en"
    blocks: list[_Block] = field(default_factory=list)
    anchor: str = ""

    # ---- building -------------------------------------------------------------------------
    def heading(self, content: str) -> Section:
        """Add a sub-heading."""
        self.blocks.append(_Block("heading", content))
        return self

    def para(self, content: str) -> Section:
        """Add a paragraph of (escaped) text."""
        if content:
            self.blocks.append(_Block("para", content))
        return self

    def fields(self, pairs: list[tuple[str, str]]) -> Section:
        """Add labelled lines (``label: text``), skipping empty texts."""
        for label, value in pairs:
            if value:
                self.blocks.append(_Block("field", value, caption=label))
        return self

    def note(self, content: str) -> Section:
        """Add a small note (a rule applied, a warning)."""
        self.blocks.append(_Block("note", content))
        return self

    def missing(self, content: str) -> Section:
        """Add a clear line that something is missing (no table, or capability not there yet)."""
        self.blocks.append(_Block("missing", content))
        return self

    def not_available(self, what: str) -> Section:
        """Add ``not available yet: <what>``."""
        return self.missing(text("not_available", self.lang, what=what))

    def table(self, frame: pd.DataFrame, caption: str = "", *, max_rows: int = 30) -> Section:
        """Add a table (escaped; long tables cut at ``max_rows``)."""
        self.blocks.append(_Block("table", frame.head(max_rows), caption=caption))
        return self

    def html_block(self, content: str, plain: str = "") -> Section:
        """Add HTML built by the kit itself (already escaped where it holds user text); ``plain`` for ``str``."""
        self.blocks.append(_Block("html", content, caption=plain))
        return self

    def metric(self, result: Any) -> Section:
        """Add a metric result (anything with ``__str__``, ideally a MetricResult, which is shown in the
        section's language)."""
        self.blocks.append(_Block("metric", result))
        return self

    def figure(self, fig: Any, caption: str = "") -> Section:
        """Add a matplotlib figure; it is rendered to PNG now, at twice the resolution it is shown at
        (:data:`FIGURE_SCALE`: crisp on HiDPI screens, projectors and paper), and closed."""
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100 * FIGURE_SCALE, bbox_inches="tight")
        plt.close(fig)
        self.blocks.append(_Block("figure", base64.b64encode(buffer.getvalue()).decode("ascii"),
                                  caption=caption))
        return self

    def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``func(*args, **kwargs)``; warnings it raises become notes of this section.

        Warnings (small samples, data quality) become notes of the section instead of stderr
        noise in the report. Exceptions propagate.
        """
        with self.collect_warnings():
            return func(*args, **kwargs)

    def plot(self, func: Callable[..., Any], *args: Any, caption: str = "", **kwargs: Any) -> Section:
        """Draw a kit plot (``plot_x(data, *, ax=None, lang=...)``) in the kit's style and add it."""
        from kit.report.plots._style import style

        with self.collect_warnings(), style():
            ax = func(*args, lang=self.lang, **kwargs)
            if hasattr(ax, "get_xticklabels"):
                _tidy_axes(ax)
            fig = ax.figure if hasattr(ax, "figure") else ax
            self.figure(fig, caption=caption)
        return self

    @contextmanager
    def collect_warnings(self) -> Iterator[None]:
        """Record warnings raised inside the block and add each distinct one as a note."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        seen: set[str] = set()
        for w in caught:
            # library deprecations and the garbage collector's ResourceWarnings (an event loop of an earlier
            # kernel client closed at a random moment) say nothing about the data: never a note
            if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning, ResourceWarning)):
                continue
            message = str(w.message)
            if message not in seen:
                seen.add(message)
                self.note(f"{text('note', self.lang)}: {message}")

    # ---- presenting -----------------------------------------------------------------------
    def __str__(self) -> str:
        lines = [self.title]
        for b in self.blocks:
            if b.kind in ("heading", "para"):
                lines.append(str(b.content))
            elif b.kind == "field":
                lines.append(f"{b.caption}: {b.content}")
            elif b.kind == "note":
                lines.append(f"  ({b.content})")
            elif b.kind == "missing":
                lines.append(f"! {b.content}")
            elif b.kind == "metric":
                formatted = getattr(b.content, "formatted", None)
                lines.append(formatted(self.lang) if callable(formatted) else str(b.content))
            elif b.kind == "table":
                if b.caption:
                    lines.append(b.caption)
                lines.append(b.content.to_string(index=False))
            elif b.kind == "figure":
                lines.append(f"[figure{': ' + b.caption if b.caption else ''}]")
            elif b.kind == "html" and b.caption:
                lines.append(b.caption)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Section({self.title!r}, {len(self.blocks)} blocks)"

    def _repr_html_(self) -> str:
        esc = html.escape
        # the section's language lets the browser hyphenate long table headers (Kündigungsgrund) correctly
        ident = f" id='{esc(self.anchor)}'" if self.anchor else ""
        out = [f"<section class='kit-section'{ident} lang='{esc(self.lang)}' style='border:1px solid #dde3ea;"
               "border-radius:6px;padding:6px 14px 10px;margin:6px 0 18px'>",
               "<div class='kit-section-title' style='font-size:12px;font-weight:600;text-transform:uppercase;"
               f"letter-spacing:.05em;color:#5a6b7d;margin:2px 0 6px'>{esc(self.title)}</div>"]
        for b in self.blocks:
            if b.kind == "heading":
                out.append(f"<h4>{esc(str(b.content))}</h4>")
            elif b.kind == "para":
                out.append(f"<p>{esc(str(b.content))}</p>")
            elif b.kind == "field":
                out.append(f"<p><strong>{esc(b.caption)}:</strong> {esc(str(b.content))}</p>")
            elif b.kind == "note":
                out.append(f"<p class='kit-note'><small>{esc(str(b.content))}</small></p>")
            elif b.kind == "missing":
                out.append("<p class='kit-missing' style='color:#8a5a00;background:#fff6e0;padding:4px 8px;"
                           f"border-left:3px solid #e0a800'>{esc(str(b.content))}</p>")
            elif b.kind == "metric":
                in_lang = getattr(b.content, "to_html", None)
                renderer = getattr(b.content, "_repr_html_", None)
                if callable(in_lang):
                    out.append(in_lang(self.lang))
                else:
                    out.append(renderer() if callable(renderer) else f"<p>{esc(str(b.content))}</p>")
            elif b.kind == "html":
                out.append(str(b.content))
            elif b.kind == "table":
                frame = b.content.copy()
                for col in frame.columns:
                    if _is_share(col, frame[col]):
                        frame[col] = frame[col].map(lambda v: format_value(v, "share", self.lang, digits=0,
                                                                           nbsp=True))
                    else:
                        frame[col] = frame[col].map(lambda v: _fmt_cell(v, self.lang))
                    if str(col).endswith("_id"):  # keep pseudonyms like C-4fed7eebbc on one line
                        frame[col] = frame[col].str.replace("-", "\u2011", regex=False)
                if b.caption:
                    out.append(f"<p><em>{esc(b.caption)}</em></p>")
                out.append(frame.to_html(index=False, escape=True, border=0, classes="kit-table"))
            elif b.kind == "figure":
                alt = esc(b.caption or self.title)
                # the figure's box has the shown width (nbconvert keeps a div's style, not an img's width)
                out.append(f"<figure><div class='kit-figure' style='max-width:{_shown_width(b.content)}'><img "
                           f"alt='{alt}' style='max-width:100%;height:auto;width:100%' "
                           f"src='data:image/png;base64,{b.content}'/></div>")
                if b.caption:
                    out.append(f"<figcaption><small>{esc(b.caption)}</small></figcaption>")
                out.append("</figure>")
        out.append("</section>")
        return "\n".join(out)
