"""kit.plots.survey.plot_nps_trend: period labels readable (no overlap), latest period labelled."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kit.plots.survey import plot_nps_trend  # noqa: E402


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
    for a, b in zip(labels, labels[1:]):
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
