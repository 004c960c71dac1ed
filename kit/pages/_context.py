"""The context every report page starts from: configuration, data, period, language."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kit.config import AnalysisConfig, load_config
from kit.labels import text
from kit.pages._section import Section, capability
from kit.periods import Period, latest_complete_period, parse_period
from kit.tables import LoyaltyData

__all__ = ["Context", "context", "resolve_config_path", "resolve_period"]


def resolve_config_path(config_path: str | Path | None) -> Path:
    """The configuration to use: ``config_path``, else the bundled sample's (``kit.sample_config_path()``).

    Parameters
    ----------
    config_path : str, Path or None

    Returns
    -------
    Path

    Examples
    --------
    >>> resolve_config_path("/tmp/analysis.yaml")
    PosixPath('/tmp/analysis.yaml')
    """
    if config_path is not None:
        return Path(config_path)
    sample_config_path = capability("kit.sample", "sample_config_path")
    if sample_config_path is not None:
        return Path(sample_config_path())
    # kit.sample not there yet: the sample configuration ships beside the package
    return Path(__file__).resolve().parents[2] / "data" / "analysis.yaml"


def resolve_period(data: LoyaltyData, config: AnalysisConfig, period: str | Period) -> Period | None:
    """The reporting period: ``kit.scorecards.resolve_period`` when present, else :mod:`kit.periods`.

    ``"latest"`` is the latest complete period of the data. Returns None when the
    data hold no dated rows at all.

    Raises
    ------
    ConfigError
        When ``period`` is not a period label.
    """
    if isinstance(period, Period):
        return period
    official = capability("kit.scorecards", "resolve_period")
    if official is not None:
        return official(data, config, period)
    if period != "latest":
        return parse_period(period)
    try:
        last = data.last_seen()
    except ValueError:  # no dated rows in any table (LoyaltyData.last_seen's documented case)
        return None
    return latest_complete_period(last, config.periods.granularity)


@dataclass
class Context:
    """What every page of one report run works on.

    Attributes
    ----------
    config : AnalysisConfig
    data : LoyaltyData
        Read once by ``kit.read_data``.
    period : Period or None
        The reporting period (None when the data hold no dates).
    lang : {"en", "de"}
        Report language (``business.language``).
    smoke : bool
        Small, fast run: kit calls that take ``smoke`` get it.
    config_path : Path
    notes : list of str
        Things the page should say up front (e.g. a capability not there yet).
    """

    config: AnalysisConfig
    data: LoyaltyData
    period: Period | None
    lang: str = "en"
    smoke: bool = False
    config_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def period_label(self) -> str:
        """The period as written by users, or a dash."""
        return self.period.label if self.period is not None else "–"

    def t(self, key: str, **values: object) -> str:
        """A UI string in the report language."""
        return text(key, self.lang, **values)

    def section(self, key: str, **values: object) -> Section:
        """A new section titled with the UI string ``key``."""
        return Section(self.t(key, **values), lang=self.lang)

    def cached(self, key: str, make: Any) -> Any:
        """Compute ``make()`` once per context (the scorecard is shown on several pages)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def __repr__(self) -> str:
        return (f"Context({self.config.business.name!r}, period={self.period_label!r}, "
                f"tables={self.data.available()}, smoke={self.smoke})")

    def __str__(self) -> str:
        lines = [f"{self.config.business.name} — {self.t('period')} {self.period_label}"]
        lines.append(f"{self.t('tables_read')}: {', '.join(self.data.available()) or '–'}")
        if self.smoke:
            lines.append(self.t("smoke"))
        lines.extend(f"! {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        span = ""
        if self.period is not None:
            last = self.period.end - pd.Timedelta(days=1)
            span = f" ({self.period.start:%d.%m.%Y} – {last:%d.%m.%Y})"
        out = ["<div class='kit-context'>",
               f"<p><strong>{esc(self.config.business.name)}</strong> · {esc(self.t('period'))} "
               f"<strong>{esc(self.period_label)}</strong>{esc(span)}</p>",
               f"<p><small>{esc(self.t('tables_read'))}: {esc(', '.join(self.data.available()) or '–')}"
               "</small></p>"]
        if self.smoke:
            out.append(f"<p><small><em>{esc(self.t('smoke'))}</em></small></p>")
        for n in self.notes:
            out.append("<p class='kit-missing' style='color:#8a5a00;background:#fff6e0;padding:4px 8px;"
                       f"border-left:3px solid #e0a800'>{esc(n)}</p>")
        out.append("</div>")
        return "\n".join(out)


def context(config_path: str | Path | None = None, period: str = "latest", smoke: bool = False) -> Context:
    """Load the configuration, read the data once and resolve the period for a report page.

    Parameters
    ----------
    config_path : str, Path or None
        The ``analysis.yaml``; None = the bundled sample's.
    period : str
        ``2026-Q3``, ``2026-10``, ``2026`` or ``"latest"`` (latest complete period of the data).
    smoke : bool
        Small, fast run (fewer bootstrap draws where the kit supports it).

    Returns
    -------
    Context

    Raises
    ------
    ConfigError
        Invalid configuration or period.
    DataError
        A data file cannot be used (raised by ``kit.read_data``).

    Examples
    --------
    >>> ctx = context()  # doctest: +SKIP
    >>> ctx.period.label  # doctest: +SKIP
    '2026-Q3'
    """
    path = resolve_config_path(config_path)
    config = load_config(path)
    notes: list[str] = []
    read_data = capability("kit.io", "read_data")
    if read_data is None:
        data = LoyaltyData()
        notes.append(text("not_available", config.business.language, what="reading data (kit.read_data)"))
    else:
        data = read_data(config)
    return Context(config=config, data=data, period=resolve_period(data, config, period),
                   lang=config.business.language, smoke=smoke, config_path=path, notes=notes)
