"""kit.report.plots.actions.plot_impact_effort: rank labels that never overlap and match the plan table's # column."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kit.report import pages  # noqa: E402
from kit.report.plots.actions import plot_impact_effort  # noqa: E402


def _labels(ax):
    """The rank labels (gid ``rank-<n>``) and their boxes in display pixels, after a draw."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    found = [t for t in ax.texts if str(t.get_gid()).startswith("rank-")]
    return found, [t.get_window_extent(renderer) for t in found]


def _overlapping(boxes):
    return [(i, j) for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2) if a.overlaps(b)]


def _plan(points):
    """A plan frame from (effort, impact, confidence) tuples, ranked in the given order."""
    return pd.DataFrame([{"rank": i + 1, "action_id": f"a{i + 1}", "title": f"Action {i + 1}", "effort": e,
                          "impact": v, "confidence": c} for i, (e, v, c) in enumerate(points)])


@pytest.fixture(scope="module")
def sample_plan():
    ctx = pages.context(None, period="latest", smoke=True)
    section = pages.action_plan(ctx)
    table = next(b.content for b in section.blocks if b.kind == "table")
    return pages.plan_frame(ctx), table


def test_sample_plan_labels_do_not_overlap_and_are_the_tables_ranks(sample_plan):
    plan, table = sample_plan
    ax = plot_impact_effort(plan)
    labels, boxes = _labels(ax)
    assert not _overlapping(boxes)
    # the old labels ("4. service-response", "6. winback-calls") ran into each other; ids are gone
    assert not any(t.get_text() in set(plan["action_id"]) for t in ax.texts)
    # one label per row of the plan table, its text the table's #, anchored at that action's point
    assert sorted(t.get_text() for t in labels) == sorted(table["#"])
    by_rank = plan.set_index("rank")
    for label in labels:
        row = by_rank.loc[int(label.get_text())]
        assert label.get_gid() == f"rank-{label.get_text()}"
        assert tuple(label.xy) == pytest.approx((row["effort"], row["impact"]))
    # the key under the plot: "# title" as in the table, in its order
    note = next(t.get_text() for t in ax.texts if "rank" in t.get_text() and "\n" in t.get_text())
    key = note.splitlines()[2:]
    assert key == [f"{rank}  {title}" for rank, title in zip(table["#"], plan["title"], strict=False)]
    assert table["Action"].tolist() == plan["title"].tolist()


def test_the_sample_point_pairs_that_used_to_collide_get_separate_labels(sample_plan):
    plan, _ = sample_plan
    labels, boxes = _labels(plot_impact_effort(plan, lang="de"))
    box = dict(zip((t.get_text() for t in labels), boxes, strict=False))
    # ranks 3 and 4 sit at effort 2 with impacts 0.178 and 0.165 (their markers overlap); 4 and 6 share the height
    assert not box["3"].overlaps(box["4"]) and not box["4"].overlaps(box["6"])


@pytest.mark.parametrize("points", [
    [(2, 0.3, 0.9)] * 6,                                               # six actions on the very same spot
    [(2, 0.30, 1.0), (2, 0.29, 1.0), (2, 0.31, 0.5), (3, 0.30, 0.8), (2.9, 0.30, 0.2)],   # a crowded corner
    [(1, 0.0, 1.0), (5, 0.0, 1.0), (1, 0.0, 0.0), (5, 0.0, 0.0)],      # on the axes' edges
    [(e, 0.5, 0.7) for e in (1, 2, 3, 4, 5)] * 3,                      # fifteen actions in three stacks per effort
])
def test_no_two_labels_overlap_even_on_the_same_point(points):
    plan = _plan(points)
    labels, boxes = _labels(plot_impact_effort(plan))
    assert [t.get_text() for t in labels] == [str(r) for r in plan["rank"]]
    assert not _overlapping(boxes)


def test_labels_stay_apart_when_the_figure_is_saved_at_another_resolution(tmp_path):
    ax = plot_impact_effort(_plan([(2, 0.3, 0.9)] * 4))
    ax.figure.savefig(tmp_path / "plan.png", dpi=150)   # offsets are in points: they scale with the text
    ax.figure.set_dpi(150)
    labels, boxes = _labels(ax)
    assert len(labels) == 4 and not _overlapping(boxes)
