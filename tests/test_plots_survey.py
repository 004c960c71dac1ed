"""kit.report.plots.survey.plot_nps_trend: period labels readable (no overlap), latest period labelled; target and
status."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kit.report.plots.survey import plot_nps_trend  # noqa: E402


def _monthly(months: int) -> pd.DataFrame:
    """One promoter and one detractor answer in each of ``months`` months from January 2024."""
    days = pd.date_range("2024-01-01", periods=months, freq="MS") + pd.Timedelta(days=9)
    return pd.DataFrame({"responded_at": days.repeat(2), "nps": [10.0, 0.0] * months})


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


def _overlaps(ax) -> int:
    """How many neighbouring tick labels overlap on screen.

    Horizontal labels: their drawn bounding boxes intersect. Slanted labels (parallel lines of text
    at angle a): the distance between neighbouring lines, ``dx * sin(a)`` for tick spacing ``dx`` in
    pixels, is less than the text height (font size in points * dpi / 72).
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    count = 0
    for a, b in zip(labels, labels[1:], strict=False):
        if a.get_rotation() == 0:
            count += a.get_window_extent(renderer).overlaps(b.get_window_extent(renderer))
        else:
            xa, _ = ax.transData.transform((a.get_position()[0], 0))
            xb, _ = ax.transData.transform((b.get_position()[0], 0))
            height = a.get_fontsize() * fig.dpi / 72
            count += abs(xb - xa) * math.sin(math.radians(a.get_rotation())) < height
    return count


def test_36_monthly_periods_are_thinned_to_every_third_and_keep_the_latest():
    ax = plot_nps_trend(_monthly(36), granularity="month")
    labels = _labels(ax)
    # 36 months / at most 12 labels -> every 3rd, counted back from 2026-12: 2024-03, 2024-06, ..., 2026-12
    assert len(labels) == 12
    assert labels[0] == "2024-03" and labels[-1] == "2026-12"
    # every period keeps a tick: 12 labelled major + 24 unlabelled minor (matplotlib drops minors on majors)
    assert len(ax.get_xticks()) + len(ax.get_xticks(minor=True)) == 36
    assert _overlaps(ax) == 0
    plt.close(ax.figure)


def test_twelve_quarters_are_all_labelled_slanted_without_overlap():
    data = _monthly(36)  # 36 months = 12 quarters, 2024-Q1 .. 2026-Q4
    ax = plot_nps_trend(data, granularity="quarter")
    labels = _labels(ax)
    assert labels == [f"{y}-Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)]
    assert all(t.get_rotation() == pytest.approx(45) for t in ax.get_xticklabels())
    assert _overlaps(ax) == 0
    plt.close(ax.figure)


def test_few_periods_stay_horizontal():
    ax = plot_nps_trend(_monthly(6), granularity="quarter")  # Jan-Jun 2024: two quarters
    assert _labels(ax) == ["2024-Q1", "2024-Q2"]
    assert all(t.get_rotation() == 0 for t in ax.get_xticklabels())
    plt.close(ax.figure)


def test_horizontal_unthinned_labels_would_overlap():
    """The check can fail: all 36 monthly labels on the default 7-inch figure overlap, flat or slanted."""
    for rotation in (0, 45):
        ax = plot_nps_trend(_monthly(36), granularity="month")
        ax.set_xticks(range(36), [f"2024-{i:02d}" for i in range(36)], rotation=rotation)
        assert _overlaps(ax) > 0
        plt.close(ax.figure)


# ---- target line and status colours ---------------------------------------------------------------------------

def _quarters(*answers: list[int]) -> pd.DataFrame:
    """The answers of consecutive quarters from 2026-Q1, one list of 0-10 scores per quarter."""
    rows = [(pd.Timestamp(2026, 1 + 3 * q, 10), score) for q, scores in enumerate(answers) for score in scores]
    return pd.DataFrame(rows, columns=["responded_at", "nps"])


def _point_colours(ax) -> list[str]:
    """Face colours of the filled points (hollow ones: edge colours), in period order."""
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_hex

    by_x = {}
    for points in (c for c in ax.collections if isinstance(c, PathCollection)):  # the scatters, not error bars
        faces, edges = points.get_facecolors(), points.get_edgecolors()
        for i, (x, _) in enumerate(points.get_offsets()):
            face = to_hex(faces[i % len(faces)])
            by_x[float(x)] = to_hex(edges[i % len(edges)]) if face == "#ffffff" else face
    return [by_x[x] for x in sorted(by_x)]


def test_nps_trend_colours_each_period_by_its_status_against_the_target():
    from kit.labels import STATUS_COLOURS
    from kit.metrics.survey import nps
    from kit.plan.scorecards import kpi_status

    # Q1: 40 promoters of 40 -> NPS 100, interval well above 30: met. Q2: 40 detractors -> -100: missed.
    # Q3: 24 promoters, 16 detractors -> 20, adjusted-Wald interval -10.2 to 47.4 straddles 30: inconclusive.
    # The chart reads the status as the scorecard does (kit.plan.scorecards.kpi_status on the same interval).
    data = _quarters([10] * 40, [0] * 40, [10] * 24 + [0] * 16)
    expected = []
    for q in range(3):
        r = nps(data.loc[data["responded_at"].dt.quarter == q + 1, "nps"])
        expected.append(kpi_status(r.value, r.ci_low, r.ci_high, n=r.n, target=30, direction="higher"))
    assert expected == ["met", "missed", "inconclusive"]
    ax = plot_nps_trend(data, target=30)
    assert _point_colours(ax) == [STATUS_COLOURS[s] for s in expected]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and list(dashed[0].get_ydata()) == [30, 30]        # the target line
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["target 30", "met", "missed", "inconclusive"]
    german = plot_nps_trend(data, target=30, lang="de")
    assert [t.get_text() for t in german.get_legend().get_texts()] == ["Ziel 30", "erreicht", "verfehlt",
                                                                        "nicht eindeutig"]
    # where lower is better (a configured direction), the same points read the other way round
    assert _point_colours(plot_nps_trend(data, target=30, direction="lower"))[:2] == [
        STATUS_COLOURS["missed"], STATUS_COLOURS["met"]]
    plt.close("all")


def test_nps_trend_small_periods_stay_hollow_in_their_status_colour_and_no_target_means_no_status():
    from kit.labels import STATUS_COLOURS

    data = _quarters([0] * 40, [0] * 5)               # Q2: 5 answers < min_n 30 -> hollow, still missed
    ax = plot_nps_trend(data, target=30)
    assert _point_colours(ax) == [STATUS_COLOURS["missed"]] * 2
    from matplotlib.collections import PathCollection

    hollow = [c for c in ax.collections if isinstance(c, PathCollection)][1]
    assert len(hollow.get_offsets()) == 1 and tuple(hollow.get_facecolors()[0]) == (1.0, 1.0, 1.0, 1.0)
    plain = plot_nps_trend(data)
    assert not any(line.get_linestyle() == "--" for line in plain.get_lines()) and plain.get_legend() is None
    assert STATUS_COLOURS["missed"] not in _point_colours(plain)
    plt.close("all")
