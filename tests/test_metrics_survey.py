"""Survey metrics: NPS, CSAT, CES, stars, response rate; numbers checked by hand or by an oracle."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from kit.data.periods import parse_period
from kit.errors import DataError, NonResponseWarning, SmallSampleWarning
from kit.metrics.survey import (
    at_risk_list,
    at_risk_share,
    ces,
    compare_nps,
    csat,
    nps,
    nps_by_segment,
    response_rate,
    star_rating,
    star_segments,
)

Z = 1.959963984540054


def _adjusted_wald(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """The DESIGN.md formula, written out independently of the kit."""
    na = n + 3
    pa, da = (promoters + 0.75) / na, (detractors + 0.75) / na
    half = Z * math.sqrt((pa + da - (pa - da) ** 2) / na)
    return max(-100, 100 * (pa - da - half)), min(100, 100 * (pa - da + half))


def test_nps_ten_answers_by_hand():
    # 10 answers: 5 promoters (10,10,9,9,9), 3 passives (8,8,7), 2 detractors (5,3) -> NPS = 50 - 20 = 30
    r = nps(pd.Series([10, 10, 9, 9, 9, 8, 8, 7, 5, 3]))
    assert r.value == pytest.approx(30.0)
    assert r.n == 10
    assert r.extras["n_promoters"] == 5 and r.extras["n_passives"] == 3 and r.extras["n_detractors"] == 2
    # Var = [p + d - (p-d)^2] / n = [0.5 + 0.2 - 0.09] / 10 = 0.061 -> se = 100 * sqrt(0.061) = 24.698
    assert r.se == pytest.approx(100 * math.sqrt(0.061))
    # adjusted: p' = 5.75/13 = 0.44231, d' = 2.75/13 = 0.21154, centre 0.23077,
    # var' = (0.44231 + 0.21154 - 0.23077^2)/13 = 0.60059/13 = 0.046199, se' = 0.21494
    # -> 23.077 -/+ 1.96 * 21.494 = (-19.05, 65.20)
    low, high = _adjusted_wald(5, 2, 10)
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high))
    assert r.ci_low == pytest.approx(-19.05, abs=0.01)
    assert r.ci_high == pytest.approx(65.20, abs=0.01)
    assert r.definition.startswith("% promoters")


def test_nps_missing_values_are_left_out():
    # NaN answers are not detractors: 3 answers 10, 10, 0 -> (2 - 1)/3 = 33.3
    r = nps(pd.Series([10, np.nan, 10, None, 0], dtype=float))
    assert r.n == 3
    assert r.value == pytest.approx(100 / 3)


def test_nps_all_promoters_interval_clipped_and_not_degenerate():
    # 20 promoters -> NPS 100, se 0; adjusted Wald still gives a proper interval below 100
    r = nps(pd.Series([9, 10] * 10))
    assert r.value == 100 and r.se == 0
    low, high = _adjusted_wald(20, 0, 20)
    assert r.ci_low == pytest.approx(low) and r.ci_high == pytest.approx(min(100, high))
    assert r.ci_low < 100 <= r.ci_high + 1e-9


def test_nps_single_answer_and_empty():
    one = nps(pd.Series([3]))
    # one detractor: NPS = -100; adjusted p' = .75/4, d' = 1.75/4
    assert one.value == -100 and one.n == 1
    assert (one.ci_low, one.ci_high) == pytest.approx(_adjusted_wald(0, 1, 1))
    empty = nps(pd.Series([], dtype=float))
    assert empty.n == 0 and math.isnan(empty.value) and not empty.has_data
    assert "no NPS answers" in empty.note


def test_nps_rejects_out_of_scale():
    with pytest.raises(DataError, match="outside the scale 0-10"):
        nps(pd.Series([5, 11]))


def test_nps_small_sample_warning():
    with pytest.warns(SmallSampleWarning, match="n = 3"):
        nps(pd.Series([9, 9, 1]), min_n=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nps(pd.Series([9, 9, 1]), min_n=3)   # n == min_n: no warning


def test_compare_nps_z_by_hand():
    # current: 6 promoters, 4 detractors of 10 -> NPS 20, var = (1 - 0.04)/10 = 0.096
    # previous: 5 promoters, 15 passives, 0 detractors of 20 -> NPS 25, var = (0.25 + 0 - 0.25^2)/20
    cur = pd.Series([10] * 6 + [0] * 4)
    prev = pd.Series([9] * 5 + [8] * 15)
    r = compare_nps(cur, prev)
    var_c = (0.6 + 0.4 - 0.2**2) / 10          # 0.096
    var_p = (0.25 + 0 - 0.25**2) / 20          # 0.009375
    se = 100 * math.sqrt(var_c + var_p)        # 32.44: the interval of the difference
    # the test pools both periods under "no change": p0 = 11/30, d0 = 4/30,
    # V0 = (15/30 - (7/30)^2) (1/10 + 1/20) = 0.44556 x 0.15 = 0.066833, z = -0.05 / 0.25852 = -0.1934
    v0 = (15 / 30 - (7 / 30) ** 2) * (1 / 10 + 1 / 20)
    z = (0.20 - 0.25) / math.sqrt(v0)
    assert z == pytest.approx(-0.1934, abs=1e-4)
    assert r.kpi == "nps_change"
    assert r.value == pytest.approx(-5)
    assert r.se == pytest.approx(se)
    assert r.extras["z"] == pytest.approx(z)
    assert r.extras["p_value"] == pytest.approx(2 * (1 - stats.norm.cdf(abs(z))))
    assert r.ci_low == pytest.approx(-5 - Z * se)


def test_compare_nps_empty_and_zero_variance():
    assert not compare_nps(pd.Series([], dtype=float), pd.Series([10])).has_data
    r = compare_nps(pd.Series([10, 10]), pd.Series([9]))
    assert r.value == 0 and math.isnan(r.extras["p_value"]) and "zero variance" in r.note


def test_nps_by_segment():
    f = pd.DataFrame({"stage": ["a", "a", "a", "b", "b", None],
                      "nps": [10, 10, 0, 7, 0, 10]})
    out = nps_by_segment(f, by="stage")
    # a: 2 promoters, 1 detractor of 3 -> 33.3; b: 0 promoters, 1 detractor of 2 -> -50; None dropped
    assert out["stage"].tolist() == ["a", "b"]
    assert out["nps"].tolist() == pytest.approx([100 / 3, -50])
    assert out["n"].tolist() == [3, 2]
    with pytest.raises(KeyError, match="journey"):
        nps_by_segment(f, by="journey")


def test_csat_interval_vs_statsmodels():
    scores = pd.Series([5, 5, 4, 4, 4, 3, 2, 1, np.nan, 5])
    r = csat(scores)
    # 9 answers, 6 of them >= 4 -> 0.667; mean = (5+5+4+4+4+3+2+1+5)/9 = 33/9
    assert r.n == 9 and r.value == pytest.approx(6 / 9)
    low, high = proportion_confint(6, 9, method="agresti_coull")
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high))
    assert r.extras["mean"] == pytest.approx(33 / 9)
    assert r.se == pytest.approx(math.sqrt(6 / 9 * 3 / 9 / 9))
    assert csat(scores, top_box=5).value == pytest.approx(3 / 9)


def test_ces_mean_bounded_interval_and_low_effort():
    r = ces(pd.Series([7, 6, 5, 2]))
    # mean 5; sd = sqrt(((2^2 + 1 + 0 + 3^2)/3)) = sqrt(14/3); se = sd / 2
    se = math.sqrt(14 / 3) / 2
    assert r.value == 5 and r.se == pytest.approx(se)
    # interval: y = (x - 1) / 6 = 1, 5/6, 4/6, 1/6 (sum 2.6667); c = z^2/2 = 1.92073, n~ = 7.84146
    # y~ = 4.58740 / 7.84146 = 0.58502; sum (y - y~)^2 = 0.41556, + c y~^2 0.65737 + c (1 - y~)^2 0.33076
    # = 1.40369; s~^2 = 0.17901, se~ = 0.15109, half 0.29613 -> y 0.28889 .. 0.88115 -> 2.733 .. 6.287
    assert (r.ci_low, r.ci_high) == pytest.approx((2.7333, 6.2869), abs=1e-3)
    assert r.extras["low_effort_share"] == 0.75
    # reversed scale (1 = very easy): low effort = answers <= 2 -> only the 2
    rev = ces(pd.Series([7, 6, 5, 2]), low_effort=2, higher_is_better=False)
    assert rev.extras["low_effort_share"] == 0.25
    single = ces(pd.Series([4]))
    assert single.value == 4 and math.isnan(single.ci_low) and math.isnan(single.se)


def test_stars_segments_and_at_risk():
    ratings = pd.Series([5, 5, 4, 3, 1, np.nan])
    r = star_rating(ratings)
    assert r.value == pytest.approx(18 / 5)
    assert r.extras == pytest.approx({"advocate": 0.4, "satisfied": 0.2, "at_risk": 0.4})
    share = at_risk_share(ratings)
    assert share.value == pytest.approx(0.4) and share.n == 5
    assert (share.ci_low, share.ci_high) == pytest.approx(proportion_confint(2, 5, method="agresti_coull"))
    seg = star_segments(ratings, lang="de")
    assert seg["count"].tolist() == [2, 1, 2]
    assert seg["label"].iloc[2] == "Gefährdet"
    assert star_segments(ratings, at_risk_max=4)["count"].tolist() == [2, 0, 3]


def test_at_risk_list_uses_latest_rating_and_period():
    s = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "d"],
        "rating": [1.0, 5.0, 2.0, 3.0, np.nan],
        "responded_at": pd.to_datetime(["2026-07-02", "2026-08-01", "2026-07-05", "2026-04-01", "2026-07-01"]),
    })
    assert at_risk_list(s)["customer_id"].tolist() == ["b", "c"]
    assert at_risk_list(s, period=parse_period("2026-Q3"))["customer_id"].tolist() == ["b"]


def test_response_rate_interval_and_non_response_note():
    c = pd.DataFrame({"customer_id": [str(i) for i in range(10)],
                      "sent_at": pd.to_datetime(["2026-07-01"] * 10),
                      "responded": [True] + [False] * 9})
    with pytest.warns(NonResponseWarning):
        r = response_rate(c, warn_below=0.2)
    # 1 of 10 answered -> 0.1 < 0.2
    assert r.value == 0.1 and r.n == 10
    assert (r.ci_low, r.ci_high) == pytest.approx(proportion_confint(1, 10, method="agresti_coull"))
    assert "non-response" in r.note
    assert not response_rate(c, period=parse_period("2026-Q1")).has_data
    assert "responded" in response_rate(c.drop(columns="responded")).note


# --------------------------------------------------------------------------- plots (through the Axes)


def test_plot_nps_distribution_bars_and_colours():
    import matplotlib

    matplotlib.use("Agg")
    from kit.report.plots.survey import plot_nps_distribution

    s = pd.DataFrame({"nps": [0, 0, 6, 7, 8, 9, 10, 10, 10, np.nan]})
    ax = plot_nps_distribution(s, lang="de")
    heights = [p.get_height() for p in ax.patches]
    # bars in group order: detractors 0-6 (0:2, 6:1), passives 7-8 (1, 1), promoters 9-10 (1, 3)
    assert heights == [2, 0, 0, 0, 0, 0, 1, 1, 1, 1, 3]
    colours = {tuple(p.get_facecolor()) for p in ax.patches[:7]}
    assert len(colours) == 1 and tuple(ax.patches[10].get_facecolor()) not in colours
    # 4 promoters - 3 detractors of 9 -> 11.1 points
    assert ax.get_title(loc="left") == "NPS-Antworten: 11 Punkte"


def test_plot_nps_trend_and_star_segments():
    import matplotlib

    matplotlib.use("Agg")
    from kit.report.plots.survey import plot_nps_trend, plot_star_segments

    s = pd.DataFrame({"responded_at": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-07-05"]),
                      "nps": [10, 0, 9], "rating": [5, 3, np.nan]})
    ax = plot_nps_trend(s)
    # Q1: 1 promoter, 1 detractor -> 0; Q2 has no answers (left out); Q3: 100
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-Q1", "2026-Q3"]
    assert list(ax.lines[0].get_ydata()) == [0, 100]
    ax = plot_star_segments(s)
    assert [p.get_height() for p in ax.patches] == [0.5, 0, 0.5]


# --------------------------------------------------------------------------- notes in English and German
NB = "\u00a0"  # the no-break space between a German number and its unit


def test_ces_and_at_risk_notes_in_english_and_german():
    scores = pd.Series([7, 6, 5, 2])
    assert ces(scores).note == "scale 1-7; low effort = answers >= 5"
    assert ces(scores, lang="de").note == "Skala 1-7; geringer Aufwand = Antworten >= 5"
    assert ces(scores, low_effort=3, higher_is_better=False, lang="de").note == \
        "Skala 1-7; geringer Aufwand = Antworten <= 3"
    stars = pd.Series([5, 4, 3, 1])
    assert at_risk_share(stars).note == "at risk = 3 stars or fewer"
    assert at_risk_share(stars, lang="de").note == "gefährdet = 3 Sterne oder weniger"
    assert at_risk_share(stars, at_risk_max=1, lang="de").note == "gefährdet = 1 Stern oder weniger"


def test_no_answers_notes_in_english_and_german():
    empty = pd.Series([np.nan, np.nan])
    assert (nps(empty).note, csat(empty).note, ces(empty).note) == ("no NPS answers", "no CSAT answers",
                                                                    "no CES answers")
    assert (nps(empty, lang="de").note, csat(empty, lang="de").note, ces(empty, lang="de").note) == \
        ("keine NPS-Antworten", "keine CSAT-Antworten", "keine CES-Antworten")
    assert star_rating(empty).note == at_risk_share(empty).note == "no star ratings"
    assert star_rating(empty, lang="de").note == at_risk_share(empty, lang="de").note == "keine Sternebewertungen"
    # one promoter in each period: no variance, no test
    same = compare_nps(pd.Series([10]), pd.Series([10]))
    assert same.note == "both periods have zero variance (all answers in one group); no test possible"
    assert compare_nps(pd.Series([10]), pd.Series([10]), lang="de").note == \
        "beide Zeiträume ohne Streuung (alle Antworten in einer Gruppe); kein Test möglich"
    assert compare_nps(empty, pd.Series([10]), lang="de").note == "keine NPS-Antworten im aktuellen Zeitraum"


def test_response_rate_note_in_german_formats_its_numbers_the_german_way():
    # 1,250 invitations, 125 answered: 10.0 % below the 20 % warning limit
    contacts = pd.DataFrame({"customer_id": [f"c{i}" for i in range(1250)], "responded": [True] * 125 + [False] * 1125,
                             "sent_at": pd.to_datetime(["2026-07-01"] * 1250)})
    with pytest.warns(NonResponseWarning):
        english = response_rate(contacts)
    assert english.note == ("response rate 10.0% is below 20%: those who answered may not represent all "
                            "customers (non-response bias).")
    with pytest.warns(NonResponseWarning, match="Rücklaufquote 10,0"):
        german = response_rate(contacts, lang="de")
    assert german.note == (f"Rücklaufquote 10,0{NB}% unter 20{NB}%: Antwortende sind womöglich nicht "
                           "repräsentativ (Non-Response-Bias).")
    assert response_rate(contacts.iloc[:0], lang="de").note == "keine Umfrageeinladungen im Zeitraum"
