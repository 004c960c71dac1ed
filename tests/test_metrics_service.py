"""Service metrics: business hours counted by hand, order-statistic median interval, SLA, complaints."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from kit.data.config import BusinessHours
from kit.data.periods import parse_period
from kit.metrics.service import (
    business_hours_between,
    complaint_rate,
    complaints_by_category,
    first_response_hours,
    median_interval,
    resolution_hours,
    sla_share,
)


def _ts(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)))


def test_saturday_before_all_saints_day_nw():
    # Opened Saturday 2026-10-31 10:00 (Reformationstag: not a holiday in NW, and a Saturday anyway).
    # Sunday 1 Nov (All Saints' Day) closed. Monday 2 Nov 09:00-18:00 = 9 h, Tuesday 3 Nov 09:00-11:30 = 2.5 h
    # -> answered Tuesday 11:30 = 11.5 business hours.
    h = business_hours_between(_ts("2026-10-31 10:00"), _ts("2026-11-03 11:30"), state="NW")
    assert h.tolist() == [11.5]


def test_weekday_holiday_depends_on_state():
    # Wed 2026-06-03 17:00 -> Fri 06-05 10:00. Thu 4 June is Corpus Christi in NW, not in Berlin.
    # NW: Wed 17-18 (1 h) + Thu closed + Fri 9-10 (1 h) = 2 h; BE: 1 + 9 + 1 = 11 h
    start, end = _ts("2026-06-03 17:00"), _ts("2026-06-05 10:00")
    assert business_hours_between(start, end, state="NW").tolist() == [2.0]
    assert business_hours_between(start, end, state="BE").tolist() == [11.0]


def test_business_hours_edges_and_custom_schedule():
    start = _ts("2026-07-06 07:00", "2026-07-06 12:15", "2026-07-10 17:00", "2026-07-06 10:00", None)
    end = _ts("2026-07-06 08:00", "2026-07-06 20:00", "2026-07-13 09:30", "2026-07-06 09:00", "2026-07-06 10:00")
    h = business_hours_between(start, end, state="NW")
    # Mon 07-08 before opening -> 0; Mon 12:15 to 20:00 -> until 18:00 = 5.75;
    # Fri 17:00 -> Mon 09:30 = 1 + 0.5 = 1.5; end before start -> -1; missing start -> NaN
    assert h.iloc[:4].tolist() == [0.0, 5.75, 1.5, -1.0]
    assert math.isnan(h.iloc[4])
    # Saturday service 10:00-14:00 on Mon-Sat: Fri 17:00 -> Mon 09:30 = Sat 10-14 (4) ... Mon opens 10:00 -> 0
    sched = BusinessHours(start=dt.time(10), end=dt.time(14), weekdays=(0, 1, 2, 3, 4, 5))
    assert business_hours_between(start.iloc[[2]], end.iloc[[2]], schedule=sched).tolist() == [4.0]


def test_business_hours_against_naive_minute_count():
    # Oracle: walk minute by minute over open minutes for a handful of random intervals across Easter 2026
    import holidays

    rng = np.random.default_rng(3)
    base = pd.Timestamp("2026-03-30")
    starts = base + pd.to_timedelta(rng.integers(0, 14 * 24 * 60, 8), unit="min")
    ends = starts + pd.to_timedelta(rng.integers(0, 5 * 24 * 60, 8), unit="min")
    h = business_hours_between(pd.Series(starts), pd.Series(ends), state="NW")
    closed = set(holidays.Germany(subdiv="NW", years=2026))
    for s, e, got in zip(starts, ends, h, strict=False):
        minutes = pd.date_range(s, e, freq="min", inclusive="left")
        open_ = [(m.weekday() < 5) and (m.date() not in closed) and (9 <= m.hour < 18) for m in minutes]
        assert got == pytest.approx(sum(open_) / 60)


def test_median_interval_against_binomial_oracle():
    for n in (5, 6, 10, 31, 100):
        x = np.arange(1.0, n + 1)
        low, high = median_interval(x)
        # oracle: largest rank l with coverage 1 - 2 P(B <= l-1) >= 0.95
        ranks = [r for r in range(1, n // 2 + 1) if 1 - 2 * stats.binom.cdf(r - 1, n, 0.5) >= 0.95]
        if not ranks:
            assert math.isnan(low) and math.isnan(high)
        else:
            assert (low, high) == (float(max(ranks)), float(n - max(ranks) + 1))
    # n = 10: P(B <= 1) = 11/1024 = 0.0107 <= 0.025, P(B <= 2) = 56/1024 = 0.055 > 0.025 -> ranks 2 and 9
    assert median_interval(np.arange(1.0, 11.0)) == (2.0, 9.0)


def _tickets() -> pd.DataFrame:
    opened = pd.Timestamp("2026-07-01 00:00")
    hours = [1, 2, 3, 4, 5, 6, 7, 8, 30, 50]
    return pd.DataFrame({
        "ticket_id": [f"t{i}" for i in range(12)],
        "opened_at": [opened] * 11 + [pd.Timestamp("2026-04-01")],
        "first_response_at": [opened + pd.Timedelta(hours=h) for h in hours] + [pd.NaT, opened],
        "resolved_at": [opened + pd.Timedelta(hours=2 * h) for h in hours] + [pd.NaT, opened],
        "is_complaint": [True, True, True, False, False, False, False, False, False, False, True, True],
        "category": ["delivery", "delivery", "price"] + ["x"] * 7 + [None, "price"],
    })


def test_first_response_median_p90_and_missing_counted():
    r = first_response_hours(_tickets(), period=parse_period("2026-Q3"), basis="calendar")
    # 11 tickets in Q3, one without a response; 10 answered: 1..8, 30, 50 -> median (5+6)/2 = 5.5
    assert r.value == 5.5 and r.n == 10
    assert r.extras["missing"] == 1 and "1 of 11 tickets have no first response" in r.note
    assert r.extras["p90"] == pytest.approx(np.quantile([1, 2, 3, 4, 5, 6, 7, 8, 30, 50], 0.9))  # 32.0
    assert (r.ci_low, r.ci_high) == (2.0, 30.0)   # ranks 2 and 9 for n = 10
    # Wed 2026-07-01 00:00 opening: business hours start at 09:00, so 1..8 h -> 0; 30 h (Thu 06:00) -> 9;
    # 50 h (Fri 02:00) -> 18 business hours; median of (0 x 8, 9, 18) = 0
    assert r.extras["median_calendar"] == 5.5 and r.extras["median_business"] == 0.0
    assert math.isnan(r.se)
    res = resolution_hours(_tickets(), period=parse_period("2026-Q3"), basis="calendar")
    assert res.value == 11.0 and "not resolved" in res.note
    assert not first_response_hours(_tickets(), period=parse_period("2026-Q1")).has_data


def test_sla_share_counts_unanswered_as_outside():
    r = sla_share(_tickets(), period=parse_period("2026-Q3"), sla_hours=24, basis="calendar")
    # 11 tickets: 8 answered within 24 h, 2 later, 1 unanswered -> 8 / 11
    assert r.value == pytest.approx(8 / 11) and r.n == 11
    assert (r.ci_low, r.ci_high) == pytest.approx(proportion_confint(8, 11, method="agresti_coull"))
    assert "1 of 11 tickets without a first response" in r.note


def test_complaint_rate_exact_poisson():
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2026-07-15"] * 500 + ["2026-05-01"] * 10)})
    r = complaint_rate(_tickets(), orders, period=parse_period("2026-Q3"))
    # Q3: 4 complaints (t0, t1, t2, t10), 500 orders -> 8 per 1,000
    assert r.value == pytest.approx(8.0) and r.n == 500 and r.extras["complaints"] == 4
    # Garwood: [chi2(0.025; 8)/2, chi2(0.975; 10)/2] = [1.0899, 10.2416] -> x 2
    assert r.ci_low == pytest.approx(1.0899 * 2, abs=1e-3)
    assert r.ci_high == pytest.approx(10.2416 * 2, abs=1e-3)
    table = complaints_by_category(_tickets(), orders, period=parse_period("2026-Q3"))
    assert table["category"].tolist() == ["delivery", "(none)", "price"]
    assert table["complaints"].tolist() == [2, 1, 1]
    assert table["per_1000_orders"].tolist() == pytest.approx([4.0, 2.0, 2.0])
    assert not complaint_rate(_tickets().drop(columns="is_complaint"), orders, period=None).has_data


def test_plot_service_times_sla_line_and_counts():
    import matplotlib

    matplotlib.use("Agg")
    from kit.report.plots.service import plot_service_times

    ax = plot_service_times(_tickets(), basis="calendar", sla_hours=24, bins=5)
    # 12 tickets, one without a response: 11 durations in the histogram (t11 has 0 h)
    assert sum(p.get_height() for p in ax.patches) == 11
    sla = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(sla) == 1 and list(sla[0].get_xdata()) == [24, 24]


def test_sample_slow_first_responses_go_with_lower_retention(sample_data, sample_config):
    from statsmodels.stats.proportion import proportions_ztest

    tickets, orders = sample_data.tickets, sample_data.orders
    as_of = pd.Timestamp("2026-10-01")
    window = as_of - pd.Timedelta(days=sample_config.thresholds.inactivity_days)
    hours = (tickets["first_response_at"] - tickets["opened_at"]) / pd.Timedelta(hours=1)
    # the kit's SLA share in calendar hours against a direct count (unanswered tickets count as outside)
    sla = sla_share(tickets, sla_hours=24, basis="calendar")
    assert sla.value == pytest.approx((hours <= 24).sum() / len(tickets)) and sla.value < 1
    slow = set(tickets.loc[hours > 24, "customer_id"])
    span = orders.groupby("customer_id")["order_date"].agg(["min", "max"])
    span = span.loc[(span["min"] < window) & span.index.isin(list(set(tickets["customer_id"])))]
    is_slow = span.index.isin(list(slow))
    retained = span["max"] >= window
    k = [int(retained[is_slow].sum()), int(retained[~is_slow].sum())]
    n = [int(is_slow.sum()), int((~is_slow).sum())]
    # planted: after a slow first response the churn hazard doubles -> lower retention
    assert k[0] / n[0] < k[1] / n[1]
    assert proportions_ztest(k, n)[1] < 0.01


# --------------------------------------------------------------------------- notes in English and German


def test_duration_notes_in_english_and_german():
    # 3 tickets opened 2026-07-01: one answered after 2 h, one never, one answered "before" it was opened
    opened = _ts("2026-07-01 10:00", "2026-07-01 11:00", "2026-07-01 12:00")
    t = pd.DataFrame({"opened_at": opened, "first_response_at": _ts("2026-07-01 12:00", None, "2026-07-01 09:00"),
                      "resolved_at": _ts("2026-07-02 10:00", None, None)})
    assert first_response_hours(t, basis="calendar").note == (
        "calendar hours; 1 of 3 tickets have no first response and are not in the median; "
        "1 tickets with the time before the opening were left out; too few tickets for a 95 % interval of the median")
    assert first_response_hours(t, basis="calendar", lang="de").note == (
        "Kalenderstunden; 1 von 3 Tickets ohne erste Antwort, nicht im Median; "
        "1 Ticket mit einem Zeitpunkt vor der Eröffnung ausgelassen; "
        "zu wenige Tickets für ein 95-%-Intervall des Medians")
    assert resolution_hours(t, lang="de").note.startswith(
        "Geschäftsstunden; 2 von 3 Tickets nicht gelöst, nicht im Median")
    assert resolution_hours(t).note.startswith(
        "business hours; 2 of 3 tickets are not resolved and are not in the median")
    assert first_response_hours(t, period=parse_period("2025-Q1"), lang="de").note == \
        "keine im Zeitraum eröffneten Tickets"


def test_sla_and_complaint_notes_in_english_and_german():
    # 1,100 tickets, 1,000 answered within the hour, 100 never: SLA 24.5 calendar hours
    opened = pd.Series(pd.to_datetime(["2026-07-01 10:00"] * 1100))
    answered = pd.Series(pd.to_datetime(["2026-07-01 11:00"] * 1000 + [None] * 100))
    t = pd.DataFrame({"opened_at": opened, "first_response_at": answered, "is_complaint": [True] * 2 + [False] * 1098})
    assert sla_share(t, sla_hours=24.5, basis="calendar").note == \
        "SLA 24.5 calendar hours; 100 of 1100 tickets without a first response count as outside the SLA"
    assert sla_share(t, sla_hours=24.5, basis="calendar", lang="de").note == \
        "SLA 24,5 Kalenderstunden; 100 von 1.100 Tickets ohne erste Antwort zählen als außerhalb des SLA"
    assert sla_share(t.iloc[:10], lang="de").note == "SLA 24 Geschäftsstunden"
    # 2 complaints and 1,234 orders in the period
    o = pd.DataFrame({"order_date": pd.to_datetime(["2026-07-01"] * 1234)})
    assert complaint_rate(t, o, period=None).note == "2 complaints, 1234 orders"
    assert complaint_rate(t, o, period=None, lang="de").note == "2 Beschwerden, 1.234 Bestellungen"
    assert complaint_rate(t.iloc[1:], o.iloc[:1], period=None, lang="de").note == "1 Beschwerde, 1 Bestellung"
    assert complaint_rate(t, o.iloc[:0], period=None, lang="de").note == "keine Bestellungen im Zeitraum"
    assert complaint_rate(t.drop(columns="is_complaint"), o, period=None, lang="de").note == \
        "die Tickettabelle hat keine Spalte 'is_complaint'"
