"""The sections of ``analysis.yaml`` as validated, immutable pydantic models.

One model per section (business, periods, targets, thresholds, clv, actions, privacy, data),
each checking its own values; :class:`kit.data.config.AnalysisConfig` puts them together.
Every public name here is re-exported by :mod:`kit.data.config`, the place to import them from.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from kit.data.contract import TABLES
from kit.data.privacy import DEFAULT_ID_PATTERN
from kit.definitions import DEFINITIONS, KPI_IDS

__all__ = [
    "Business", "Target", "Periods", "BusinessHours", "Thresholds", "CLVSettings", "Drivers", "OUTCOMES",
    "Action", "Addresses", "Privacy", "CsvOptions", "TableSource", "DataSources", "GERMAN_STATES", "LocalText",
    "localise", "RowFilter", "Winback",
]

GERMAN_STATES = ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH")


class _KeyError(ValueError):
    """A validation error about one entry of a mapping; ``subkey`` is appended to the reported key."""

    def __init__(self, message: str, subkey: str) -> None:
        super().__init__(message)
        self.subkey = subkey


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: A text of the configuration in one language (a string) or per language (``{en: ..., de: ...}``).
LocalText = str | dict[Literal["en", "de"], str]


def localise(value: LocalText | None, lang: str) -> tuple[str, str | None]:
    """A configured text in the report's language.

    Returns
    -------
    (str, str or None)
        The text, and the language it is in when that is not ``lang`` (the text exists in another language
        only), else None. A plain string is taken as written in the report's language.

    Examples
    --------
    >>> localise({"en": "Fresh beans", "de": "Frische Bohnen"}, "de")
    ('Frische Bohnen', None)
    >>> localise({"en": "Fresh beans"}, "de")
    ('Fresh beans', 'en')
    >>> localise("Frische Bohnen", "en"), localise(None, "en")
    (('Frische Bohnen', None), ('', None))
    """
    if value is None:
        return "", None
    if isinstance(value, str):
        return value, None
    if value.get(lang):  # type: ignore[call-overload]
        return value[lang], None  # type: ignore[index]
    for other, text in value.items():
        if text:
            return text, other
    return "", None


class Business(_Model):
    """What the business is and wants (shown in step 1). Vision, model, market and positioning may be given
    per language (``vision: {en: ..., de: ...}``); the report shows the one of its language."""

    name: str = Field(description="Name of the business")
    vision: LocalText = Field("", description="Long-term vision, in the business's own words")
    model: LocalText = Field("", description="How the business earns money")
    market: LocalText = Field("", description="Market context: competitors, trends")
    positioning: LocalText = Field("", description="Brand positioning")
    currency: str = Field("EUR", description="Currency of revenue columns")
    language: Literal["en", "de"] = Field("en", description="Report language")
    acquisition_cost: float | None = Field(None, ge=0, description="Cost to win one new customer")


class Target(_Model):
    """A KPI target; ``direction`` defaults to the KPI's own (``higher`` or ``lower`` is better)."""

    target: float
    direction: Literal["higher", "lower"] | None = None


class Periods(_Model):
    """How reporting periods are cut."""

    granularity: Literal["month", "quarter", "year"] = "quarter"


class BusinessHours(_Model):
    """The service schedule used for business-hours durations."""

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(18, 0)
    weekdays: tuple[int, ...] = Field((0, 1, 2, 3, 4), description="0 = Monday … 6 = Sunday")

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [d for d in value if d not in range(7)]
        if bad or not value:
            raise ValueError(f"weekdays must be numbers 0 (Monday) to 6 (Sunday), found {list(value)}")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _order(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class Thresholds(_Model):
    """Cut-offs and rules used by the metrics."""

    inactivity_days: int = Field(180, gt=0, description="Days without an order after which a customer counts as lost")
    churn_from: Literal["auto", "orders", "subscriptions"] = Field(
        "auto", description="Source of churn_rate / retention_rate: auto = orders when there are orders, "
                            "else subscriptions (or the customers' status / churn_date)")
    csat_top_box: int = Field(4, ge=1, le=5, description="CSAT answers at or above this are satisfied")
    star_at_risk_max: int = Field(3, ge=1, le=5, description="Star ratings at or below this are at risk")
    ces_scale: tuple[int, int] = Field((1, 7), description="Lowest and highest CES answer")
    ces_higher_is_better: bool = Field(True, description="True when a high CES answer means low effort")
    ces_low_effort: int = Field(5, description="Answers at or beyond this (towards 'easy') count as low effort")
    sla_hours: float = Field(24.0, gt=0, description="First-response SLA in hours (of hours_basis)")
    slow_response_hours: float = Field(
        24.0, gt=0, description="Calendar hours after which a first response counts as slow in the churn model "
                                "(shown beside the SLA share, which counts hours_basis hours)")
    hours_basis: Literal["calendar", "business"] = Field("business", description="How service hours are counted")
    business_hours: BusinessHours = BusinessHours()
    holiday_state: str = Field("NW", description="German federal state for public holidays")
    min_n: int = Field(30, ge=1, description="Below this n a number carries a SmallSampleWarning")
    response_rate_warning: float = Field(0.2, ge=0, le=1, description="Warn about non-response below this rate")

    @field_validator("holiday_state")
    @classmethod
    def _state(cls, value: str) -> str:
        if value not in GERMAN_STATES:
            raise ValueError(f"unknown German state {value!r}; allowed: {', '.join(GERMAN_STATES)}")
        return value

    @field_validator("ces_scale")
    @classmethod
    def _ces_scale(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] >= value[1]:
            raise ValueError(f"ces_scale must be [lowest, highest], e.g. [1, 7]; found {list(value)}")
        return value

    @field_validator("ces_low_effort")
    @classmethod
    def _ces_low_effort(cls, value: int, info: ValidationInfo) -> int:
        scale = info.data.get("ces_scale")
        if scale and not scale[0] <= value <= scale[1]:
            raise ValueError(f"ces_low_effort must lie on ces_scale {list(scale)}")
        return value


class CLVSettings(_Model):
    """Customer-lifetime-value settings."""

    margin: float = Field(0.3, gt=0, le=1, description="Contribution margin on net revenue")
    annual_discount_rate: float = Field(0.1, ge=0, lt=1, description="Yearly discount rate")
    horizon_months: int = Field(24, gt=0, le=120, description="Prediction horizon in months")
    time_unit: Literal["D", "W", "M"] = Field("W", description="Time unit of the BG/NBD model")
    billing_months: int = Field(1, gt=0, le=12, description="Length of a subscription's billing period in months "
                                                            "(the period of the sBG model; amount is per period)")
    penaliser: float = Field(0.0, ge=0, le=1, description="L2 penalty of the BG/NBD and Gamma-Gamma fits "
                                                          "(e.g. 0.001 when a fit does not converge); 0 = none")


#: Survey scores that can be the outcome of the driver analysis and of the comment contrast, in the order
#: in which the first one present in the surveys is chosen when ``drivers.outcome`` is not set.
OUTCOMES = ("nps", "csat", "rating", "ces")


class Drivers(_Model):
    """Which survey score the key-driver analysis and the comment contrast explain."""

    outcome: Literal["nps", "csat", "rating", "ces"] | None = Field(
        None, description="Survey score to explain; default: the first of nps, csat, rating, ces in the surveys")


class Addresses(_Model):
    """What an action addresses (the evidence it is scored on)."""

    kpis: tuple[str, ...] = ()
    drivers: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    complaint_categories: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()

    @field_validator("kpis")
    @classmethod
    def _kpis(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for kpi in value:
            _check_kpi(kpi)
        return value


class Action(_Model):
    """One entry of the action catalogue."""

    id: str
    title: str
    title_de: str | None = None
    description: str = ""
    addresses: Addresses = Addresses()
    effort: int = Field(3, ge=1, le=5, description="1 = trivial … 5 = a project")
    cost: float | None = Field(None, ge=0)
    owner: LocalText | None = None
    due: dt.date | None = None


class Winback(_Model):
    """The win-back list a team works (``winback.csv``): who is left out, how many, who calls and by when."""

    unwinnable: tuple[str, ...] = Field(
        ("moved", "no_need", "deceased"),
        description="Exit categories no call can change (compared case-insensitively); left out of winback.csv")
    cap: int = Field(100, ge=1, description="At most this many customers on winback.csv (highest recoverable "
                                            "value first)")
    due_days: int = Field(30, ge=0, description="Days from the end of the period to the due date of each call")
    half_life_days: float = Field(180, gt=0, description="Days after which a lapsed customer's recoverable value "
                                                         "halves (recoverable value = past value × 0.5 ^ (days "
                                                         "inactive / half_life_days))")
    owner: LocalText | None = Field(None, description="Who calls; default: the owner of the action that addresses "
                                                      "the 'lapsed' segment")


class Privacy(_Model):
    """How people appear in lists and quotes."""

    pseudonymise: bool = Field(True, description="Replace customer ids by stable pseudonyms in exports")
    key_file: bool = Field(True, description="With pseudonymise on: write the key pseudonym -> customer_id of "
                                             "winback.csv to <reports>/.private/<run-id>/winback_key.csv (mode 0600), "
                                             "outside the shareable run folder, for the people allowed to call; "
                                             "false: no key file")
    salt: str = Field("loyalty-kit", description="Salt of the pseudonym hash; change it per business")
    id_pattern: str | None = Field(DEFAULT_ID_PATTERN, description="Regular expression of a customer number in "
                                   "free text (removed from quotes and exit reasons); null: only the data's ids")

    @field_validator("id_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"id_pattern {value!r} is not a regular expression ({err}); e.g. 'K\\d{{5}}'") from None
        return value


class CsvOptions(_Model):
    """CSV reading options; ``None`` means detect."""

    sep: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    encoding: str | None = None


_FILTER_OPS = ("equals", "not_equals", "in", "not_in", "contains", "not_contains", "starts_with",
               "not_starts_with", "blank")


class RowFilter(_Model):
    """One condition of a table's ``where:`` list: rows that do not meet it are left out before any check.

    ``column`` is a column of the file (or the contract name it is mapped to); the cell's text is compared.
    Exactly one operator: ``equals``, ``not_equals``, ``in``, ``not_in`` (a list), ``contains``,
    ``not_contains``, ``starts_with``, ``not_starts_with`` or ``blank`` (true: keep empty cells only; false:
    keep filled ones).
    """

    column: str
    equals: str | None = None
    not_equals: str | None = None
    in_: tuple[str, ...] | None = Field(None, alias="in")
    not_in: tuple[str, ...] | None = None
    contains: str | None = None
    not_contains: str | None = None
    starts_with: str | None = None
    not_starts_with: str | None = None
    blank: bool | None = None

    @field_validator("equals", "not_equals", "contains", "not_contains", "starts_with", "not_starts_with",
                     mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("in_", "not_in", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return tuple(str(v) for v in value)
        return value

    @model_validator(mode="after")
    def _one_operator(self) -> RowFilter:
        given = [op for op in _FILTER_OPS if getattr(self, "in_" if op == "in" else op) is not None]
        if len(given) != 1:
            raise ValueError(f"a where condition needs exactly one of {', '.join(_FILTER_OPS)} besides 'column'; "
                             f"found {', '.join(given) or 'none'}")
        return self

    @property
    def operator(self) -> tuple[str, Any]:
        """The condition's operator and value."""
        op = next(op for op in _FILTER_OPS if getattr(self, "in_" if op == "in" else op) is not None)
        return op, getattr(self, "in_" if op == "in" else op)


class TableSource(_Model):
    """Where one table comes from and how to read it."""

    file: Path
    columns: dict[str, str] = Field(default_factory=dict, description="Column in your file -> contract column")
    sheet: str | int | None = None
    header_row: int = Field(1, ge=1, description="Row of the header in the sheet or CSV file (1 = first), "
                                                 "for exports with a title block above the header")
    date_format: str | None = None
    csv: CsvOptions | None = None
    where: tuple[RowFilter, ...] = Field((), description="Conditions every row must meet, e.g. "
                                                         "[{column: Kundengruppe, not_equals: Test}]")
    constants: dict[str, str | float | bool] = Field(
        default_factory=dict, description="Columns with one value in every row, e.g. {channel: online}")
    group_by: str | None = Field(None, description="orders only: the file has one row per line item; lines with "
                                                   "the same value of this column (e.g. InvoiceNo) form one order")
    cancellation_prefix: str | None = Field(None, description="orders with group_by: order ids starting with this "
                                                              "(e.g. C) are cancellations; negative totals always are")

    @model_validator(mode="after")
    def _prefix_needs_group_by(self) -> TableSource:
        if self.cancellation_prefix is not None and self.group_by is None:
            raise ValueError("cancellation_prefix needs group_by (the column that names the order of each line)")
        return self

    @field_validator("file")
    @classmethod
    def _resolve(cls, value: Path, info: ValidationInfo) -> Path:
        base = (info.context or {}).get("base")
        return (Path(base) / value).resolve() if base and not value.is_absolute() else value


class DataSources(_Model):
    """The data files of the analysis."""

    date_format: str | None = Field(None, description="e.g. '%d.%m.%Y'; None = ISO or detect")
    timezone: str = Field("Europe/Berlin", description="Business time zone; aware timestamps are converted to it")
    csv: CsvOptions = CsvOptions()
    tables: dict[str, TableSource] = Field(default_factory=dict)
    interviews: Path | None = None
    codebook: Path | None = None
    as_of: dt.date | None = Field(None, description="Day a snapshot export was taken (exclusive end of the data), "
                                                    "for exports without dates, e.g. status and tenure only; "
                                                    "dates after it (plus future_days) are data errors; default "
                                                    "for that check: each file's modification date")
    future_days: int = Field(31, ge=0, description="Days after the export date a date may lie (bookings, "
                                                   "time zones) before it is a data error")
    max_rows: int = Field(500_000, ge=1, description="Rows an Excel sheet may declare before reading stops with "
                                                     "an error (a small xlsx can unpack to millions of rows and "
                                                     "take minutes); raise it for large sheets, or use CSV/Parquet")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            close = difflib.get_close_matches(value, sorted(zoneinfo.available_timezones()), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown time zone {value!r}.{hint} Use an IANA name such as 'Europe/Berlin'") from None
        return value

    @field_validator("tables")
    @classmethod
    def _tables(cls, value: dict[str, TableSource]) -> dict[str, TableSource]:
        for name, source in value.items():
            if name not in TABLES:
                raise _KeyError(_unknown("table", name, TABLES), name)
            if source.group_by is not None and name != "orders":
                raise _KeyError("group_by folds line items into orders; it is only allowed for the orders table",
                                f"{name}.group_by")
        if not {"orders", "subscriptions", "surveys"} & set(value) and not _customers_with_status(value):
            raise ValueError("an analysis needs at least an 'orders', a 'subscriptions' or a 'surveys' table "
                             "(or a customers table that maps a status or churn_date column)")
        return value

    @field_validator("interviews", "codebook")
    @classmethod
    def _resolve(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        base = (info.context or {}).get("base")
        if value is None or not base or value.is_absolute():
            return value
        return (Path(base) / value).resolve()


def _customers_with_status(tables: dict[str, TableSource]) -> bool:
    """True when the customers table maps a ``status`` or ``churn_date`` column (a contractual snapshot)."""
    customers = tables.get("customers")
    return customers is not None and bool({"status", "churn_date"} & set(customers.columns.values()))


def _unknown(kind: str, name: str, valid: Any) -> str:
    valid = list(valid)
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"unknown {kind} {name!r}.{hint} Valid: {', '.join(valid)}"


def _check_kpi(kpi: str) -> None:
    if kpi not in DEFINITIONS:
        raise ValueError(_unknown("KPI id", kpi, KPI_IDS))
