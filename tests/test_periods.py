"""Periods: parsing, shifting, and the latest complete period (never today's date)."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.data.periods import latest_complete_period, parse_period, periods_between
from kit.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "start", "end", "granularity"),
    [
        ("2026-Q3", "2026-07-01", "2026-10-01", "quarter"),
        ("2026-Q1", "2026-01-01", "2026-04-01", "quarter"),
        ("2026-10", "2026-10-01", "2026-11-01", "month"),
        ("2026-12", "2026-12-01", "2027-01-01", "month"),
        ("2025", "2025-01-01", "2026-01-01", "year"),
    ],
)
def test_parse_period(text, start, end, granularity):
    period = parse_period(text)
    assert period.start == pd.Timestamp(start)
    assert period.end == pd.Timestamp(end)
    assert period.granularity == granularity
    assert period.label == text


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "Q3 2026", "26-10", "", "latest"])
def test_parse_period_rejects_with_the_accepted_forms(text):
    with pytest.raises(ConfigError, match="Expected '2026-Q3'"):
        parse_period(text)


def test_previous_crosses_the_year():
    assert parse_period("2026-Q1").previous().label == "2025-Q4"
    assert parse_period("2026-01").previous().label == "2025-12"
    assert parse_period("2026").previous().label == "2025"


def test_days_and_contains():
    q3 = parse_period("2026-Q3")
    # July 31 + August 31 + September 30 = 92 days
    assert q3.days == 92
    when = pd.Series(pd.to_datetime(["2026-06-30 23:59", "2026-07-01", "2026-09-30 23:59", "2026-10-01"],
                                    format="ISO8601"))
    assert q3.contains(when).tolist() == [False, True, True, False]


@pytest.mark.parametrize(
    ("last_seen", "granularity", "expected"),
    [
        ("2026-09-30 18:00", "quarter", "2026-Q3"),  # the data reach the quarter's last day
        ("2026-09-29", "quarter", "2026-Q2"),  # one day short: Q3 is not complete
        ("2026-10-31", "month", "2026-10"),
        ("2026-11-01", "month", "2026-10"),
        ("2026-12-31", "year", "2026"),
        ("2026-12-30", "year", "2025"),
    ],
)
def test_latest_complete_period(last_seen, granularity, expected):
    assert latest_complete_period(pd.Timestamp(last_seen), granularity).label == expected


def test_periods_between_covers_both_ends():
    labels = [p.label for p in periods_between(pd.Timestamp("2025-11-15"), pd.Timestamp("2026-02-01"), "quarter")]
    assert labels == ["2025-Q4", "2026-Q1"]
