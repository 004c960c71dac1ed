"""Every KPI for one period in one tidy table: value, n, interval, previous period, target, status.

The scorecard is what ``kpis.csv`` holds. Each KPI id of :data:`kit.definitions.KPI_IDS`
gets exactly one row, in that order, whatever data exist: a KPI without its data
is a ``no_data`` row that says why.

This module resolves the period, reads a KPI's status from its interval and assembles the
table; how each KPI is computed from the tables, and how its change is tested, is in
:mod:`kit.plan._scorecard_kpis`.
"""

from __future__ import annotations

import math
import warnings

import pandas as pd

from kit.data.config import AnalysisConfig
from kit.data.contract import TABLES, LoyaltyData
from kit.data.periods import Period, latest_complete_period, parse_period, periods_between
from kit.definitions import DEFINITIONS, KPI_IDS, MULTIPLICITY, Language
from kit.errors import ConfigError, DataError, DataQualityWarning, KitWarning, SmallSampleWarning
from kit.metrics._orders import PreparedOrders
from kit.plan._scorecard_kpis import ADAPTERS, adjust_p_values, change_p_value, note_text

__all__ = ["scorecard", "resolve_period", "kpi_status", "SCORECARD_COLUMNS", "STATUSES"]

SCORECARD_COLUMNS = ("kpi", "label", "period", "value", "n", "ci_low", "ci_high", "previous", "change",
                     "p_value", "target", "status", "definition", "p_adjusted")
STATUSES = ("met", "missed", "inconclusive", "no_target", "no_data")


# --------------------------------------------------------------------------- period


def _main_dates(data: LoyaltyData) -> tuple[str, str, pd.Series] | None:
    """The table a report stands on (orders, else surveys), its date column and its dates; None for a subscription
    business without orders (a period has data there when subscriptions are active in it, not only started)."""
    if getattr(data, "orders", None) is None and getattr(data, "subscriptions", None) is not None:
        return None
    for name in ("orders", "surveys"):
        table = getattr(data, name)
        col = TABLES[name].dates[0]
        if table is not None and col in table and table[col].notna().any():
            return name, col, table[col].dropna()
    return None


def _rows_in(dates: pd.Series, period: Period) -> int:
    return int(((dates >= period.start) & (dates < period.end)).sum())


def _latest_with_data(data: LoyaltyData, config: AnalysisConfig, last: pd.Timestamp) -> Period:
    """The latest complete period; when its main table has no rows in it (all data in an incomplete period, or
    the main table ends before the others), the latest period that has some, with a warning that says why."""
    granularity = config.periods.granularity
    chosen = latest_complete_period(last, granularity)
    main = _main_dates(data)
    if main is None or _rows_in(main[2], chosen):
        return chosen
    name, col, dates = main
    instead = periods_between(dates.max(), dates.max(), granularity)[0]
    if config.business.language == "de":
        message = (f"Der letzte vollständige Zeitraum {chosen.label} hat keine Zeilen in {name} ({col} von "
                   f"{dates.min():%d.%m.%Y} bis {dates.max():%d.%m.%Y}): berichtet wird stattdessen {instead.label}, "
                   "der letzte Zeitraum mit Daten")
    else:
        message = (f"the latest complete period {chosen.label} has no rows in {name} ({col} runs from "
                   f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}): reporting {instead.label} instead, the latest "
                   "period with data")
    warnings.warn(message, DataQualityWarning, stacklevel=3)
    return instead


def resolve_period(data: LoyaltyData, config: AnalysisConfig, period: Period | str = "latest") -> Period:
    """Turn ``"latest"``, a label like ``"2026-Q3"`` or a :class:`Period` into a :class:`Period`.

    Parameters
    ----------
    data : LoyaltyData
        The tables; ``"latest"`` is the latest complete period of their dates.
    config : AnalysisConfig
        ``periods.granularity`` is used for ``"latest"``.
    period : Period or str
        ``"latest"``, ``"2026-Q3"``, ``"2026-10"``, ``"2026"`` or a Period.

    Returns
    -------
    Period
        The resolved calendar period.

    Raises
    ------
    ConfigError
        When the label is not a period, starts after the data end, or has no rows in the main table
        (orders, else surveys).

    Warns
    -----
    DataQualityWarning
        When the period ends after the data (it is incomplete), or when ``"latest"`` cannot use the latest
        complete period because the main table has no rows in it (it says which period it used instead).
    DataError
        When ``"latest"`` is asked for and no table has a dated row.

    Examples
    --------
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    >>> data = LoyaltyData(orders=pd.DataFrame({"order_date": pd.to_datetime(["2026-09-30 17:00"])}))
    >>> resolve_period(data, cfg, "latest").label
    '2026-Q3'
    >>> resolve_period(data, cfg, "2026-09").label
    '2026-09'
    """
    if isinstance(period, Period):
        return period
    if str(period).strip().lower() == "latest":
        try:
            last = data.last_seen()
        except ValueError:
            raise DataError("no table has a dated row, so there is no latest period",
                            fix="pass an explicit period such as '2026-Q3'") from None
        resolved = _latest_with_data(data, config, last)
    else:
        resolved = parse_period(str(period))
        try:
            last = data.last_seen()
        except ValueError:
            return resolved
    if resolved.start > last:
        latest = latest_complete_period(last, config.periods.granularity)
        raise ConfigError(
            f"period {resolved.label} starts after the data end ({last:%Y-%m-%d}): there is nothing to report "
            f"for it. Choose a period up to {latest.label} (the latest complete one, also chosen by "
            "--period latest).", key="period")
    main = _main_dates(data)
    if main is not None and not _rows_in(main[2], resolved):
        name, col, dates = main
        raise ConfigError(
            f"period {resolved.label} has no rows in {name} ({col} runs from {dates.min():%Y-%m-%d} to "
            f"{dates.max():%Y-%m-%d}): there is nothing to report for it. Choose a period with data, e.g. "
            f"{periods_between(dates.max(), dates.max(), config.periods.granularity)[0].label} "
            "(or --period latest).", key="period")
    if resolved.end > last.normalize() + pd.Timedelta(days=1):
        if config.business.language == "de":
            message = (f"Zeitraum {resolved.label} ist in den Daten nicht vollständig (sie enden am {last:%d.%m.%Y}): "
                       "Die Abwanderung zählt noch nicht fällige Kunden als gehalten, und Anteile beruhen nur auf "
                       "einem Teil des Zeitraums; der Vergleich mit dem Vorzeitraum und mit Zielen ist verzerrt")
        else:
            message = (f"period {resolved.label} is not complete in the data (they end on {last:%Y-%m-%d}): "
                       "churn counts customers not yet due as retained and shares rest on part of the period; "
                       "comparisons with the previous period and with targets are biased")
        warnings.warn(message, DataQualityWarning, stacklevel=2)
    return resolved


# --------------------------------------------------------------------------- status


def kpi_status(value: float, ci_low: float, ci_high: float, *, n: int, target: float | None,
               direction: str) -> str:
    """Status of a KPI against its target, read from the 95 % interval.

    Parameters
    ----------
    value, ci_low, ci_high : float
        The estimate and its interval (NaN bounds: no interval).
    n : int
        Observations behind the value.
    target : float or None
        The target; None when none is configured.
    direction : {"higher", "lower"}
        Which side of the target is good.

    Returns
    -------
    str
        ``no_data`` (n = 0 or no value), ``no_target``, ``met`` (the whole interval on the good
        side, touching the target allowed), ``missed`` (the whole interval on the bad side) or
        ``inconclusive`` (the interval straddles the target). Without an interval the value
        itself is compared.

    Examples
    --------
    >>> kpi_status(32.0, 25.0, 39.0, n=400, target=30, direction="higher")
    'inconclusive'
    >>> kpi_status(0.05, 0.04, 0.06, n=900, target=0.10, direction="lower")
    'met'
    """
    if n == 0 or value is None or math.isnan(value):
        return "no_data"
    if target is None or math.isnan(target):
        return "no_target"
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction {direction!r} is not known. Expected 'higher' or 'lower'.")
    low, high = (value, value) if math.isnan(ci_low) or math.isnan(ci_high) else (ci_low, ci_high)
    if direction == "lower":
        low, high, target = -high, -low, -target
    if low >= target:
        return "met"
    if high < target:
        return "missed"
    return "inconclusive"


# --------------------------------------------------------------------------- scorecard


def scorecard(data: LoyaltyData, config: AnalysisConfig, *, period: Period | str = "latest",
              lang: Language = "en") -> pd.DataFrame:
    """Every KPI of :data:`kit.definitions.KPI_IDS` for one period, against the previous one and its target.

    Parameters
    ----------
    data : LoyaltyData
        The tables of the analysis; missing tables give ``no_data`` rows that say why.
    config : AnalysisConfig
        Targets, thresholds, business hours, CLV settings and the period granularity.
    period : Period or str
        ``"latest"`` (the latest complete period of the data) or a label like ``"2026-Q3"``.
    lang : {"en", "de"}
        Language of ``label`` and ``definition``, and of the notes: each KPI's function writes its
        note in this language.

    Returns
    -------
    DataFrame
        Columns ``kpi, label, period, value, n, ci_low, ci_high, previous, change, p_value,
        target, status, definition, p_adjusted``; one row per KPI id, in registry order. ``change`` =
        value - previous; ``p_value`` is the raw two-sided p-value of the change, each test with its
        variance estimated under "nothing changed" (:data:`kit.plan._scorecard_kpis.CHANGE_TEST_KIND`): NPS
        and shares with pooled shares, survey means with the variance pooled around the common mean, the
        average order value with customer-clustered errors, the refund share with a pooled residual
        variance, the complaint rate by an exact Poisson test. Medians, the cumulative historical CLV and
        the model-based predicted CLV have none (NaN, and the definition says so). ``p_adjusted`` is the
        Holm-adjusted p-value across the scorecard's change tests (the retention rate shares the churn
        rate's); ``frame.attrs["multiplicity"]`` says so. Notes (why a row has no data, the rule applied)
        follow the definition after "Note:" and are also in ``frame.attrs["notes"]``.

    Raises
    ------
    ConfigError
        When ``period`` is not a period label.

    Warns
    -----
    SmallSampleWarning
        Once, naming every KPI whose n is below ``thresholds.min_n``.

    Examples
    --------
    >>> import kit
    >>> config, data = kit.load_sample()          # doctest: +SKIP
    >>> scorecard(data, config, period="2026-Q3")  # doctest: +SKIP
    """
    current = resolve_period(data, config, period)
    previous = current.previous()
    rows, notes, small = [], {}, []
    # orders sorted and coded once for every order KPI of both periods (the costly part on large data)
    prep = PreparedOrders(data.orders, data.exits) if data.orders is not None else None
    for kpi in KPI_IDS:
        adapter = ADAPTERS[kpi]
        now = adapter(data, config, current, prep, lang=lang)
        with warnings.catch_warnings():
            # the previous period is only the comparison: its warnings would repeat or confuse
            warnings.simplefilter("ignore", KitWarning)
            before = adapter(data, config, previous, prep, lang=lang)
        p_value, test_note = change_p_value(kpi, now, before, data, current, previous, lang)
        target_cfg = config.targets.get(kpi)
        target = float(target_cfg.target) if target_cfg else math.nan
        status = kpi_status(now.value, now.ci_low, now.ci_high, n=now.n,
                            target=target_cfg.target if target_cfg else None, direction=config.direction(kpi))
        if 0 < now.n < config.thresholds.min_n:
            small.append(f"{kpi} (n = {now.n})")
        label, text = DEFINITIONS[kpi].text(lang)
        note = "; ".join(part for part in (now.note, test_note) if part)
        notes[kpi] = note
        previous_value = before.value if before.has_data else math.nan
        rows.append({
            "kpi": kpi, "label": label, "period": current.label,
            "value": now.value if now.has_data else math.nan, "n": int(now.n),
            "ci_low": now.ci_low, "ci_high": now.ci_high, "previous": previous_value,
            "change": now.value - previous_value if now.has_data else math.nan,
            "p_value": p_value, "target": target, "status": status,
            "definition": f"{text} {note_text(lang, 'note')}: {note}" if note else text,
        })
    if small:
        warnings.warn(f"{current.label}: below the minimum n of {config.thresholds.min_n}: {', '.join(small)}",
                      SmallSampleWarning, stacklevel=2)
    adjusted = adjust_p_values([r["kpi"] for r in rows], [r["p_value"] for r in rows])
    for row, p_adjusted in zip(rows, adjusted, strict=True):
        row["p_adjusted"] = p_adjusted
    frame = pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))
    frame = frame.astype({"n": "int64", "value": "float64", "ci_low": "float64", "ci_high": "float64",
                          "previous": "float64", "change": "float64", "p_value": "float64",
                          "target": "float64", "p_adjusted": "float64"})
    frame.attrs["multiplicity"] = MULTIPLICITY[1 if lang == "de" else 0]
    frame.attrs["notes"] = notes
    frame.attrs["period"] = current.label
    frame.attrs["previous_period"] = previous.label
    return frame
