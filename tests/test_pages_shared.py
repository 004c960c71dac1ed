"""The context a report run computes once and hands to its notebooks (kit.report.pages.prepare / share)."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from kit.errors import ModelFitError, ReportError, SmallSampleWarning
from kit.report import pages


def test_a_kernel_uses_the_shared_context_and_reads_nothing(fixture_config, tmp_path, monkeypatch):
    parent = pages.context(fixture_config, period="latest", smoke=True)
    assert pages.prepare(parent) == []
    expected = pages.get_scorecard(parent)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    written = pages.share(parent, run_dir)
    assert written == run_dir / pages.SHARED_FILE

    def no_reading(*_: object, **__: object) -> None:
        raise AssertionError("the kernel read the data again")

    monkeypatch.setattr("kit.report.pages._context.read_data", no_reading)
    kernel = pages.context(fixture_config, period=parent.period.label, smoke=True, run_dir=run_dir)
    pd.testing.assert_frame_equal(pages.get_scorecard(kernel), expected)
    assert kernel.period == parent.period and kernel.data.available() == parent.data.available()


def test_a_kernel_loads_only_the_tables_its_page_reads(fixture_config, tmp_path):
    """Each table is a private file beside the context: unpickling the context loads none, reading one loads that
    one (once), and every table is the parent's."""
    parent = pages.context(fixture_config, period="latest", smoke=True)
    pages.share(parent, tmp_path)
    files = sorted(p.name for p in tmp_path.glob(pages.SHARED_FILE + ".*"))
    assert files == [f"{pages.SHARED_FILE}.{t}" for t in sorted(parent.data.available())]
    assert all((tmp_path / f).stat().st_mode & 0o777 == 0o600 for f in files)
    kernel = pages.context(fixture_config, period=parent.period.label, smoke=True, run_dir=tmp_path)
    assert kernel.data.available() == parent.data.available()
    assert not [t for t in parent.data.available() if t in vars(kernel.data)]   # nothing loaded yet
    assert kernel.has("surveys", "nps") and kernel.data.surveys is kernel.data.surveys
    assert [t for t in parent.data.available() if t in vars(kernel.data)] == ["surveys"]
    for table in parent.data.available():
        pd.testing.assert_frame_equal(getattr(kernel.data, table), getattr(parent.data, table))
    (tmp_path / f"{pages.SHARED_FILE}.orders").chmod(0o644)   # as the context file: only a private file is loaded
    again = pages.context(fixture_config, period=parent.period.label, smoke=True, run_dir=tmp_path)
    with pytest.raises(ReportError, match="not a private file"):
        again.data.orders  # noqa: B018


def test_the_run_drops_its_tables_once_shared_and_loads_one_again_only_if_used(fixture_config, tmp_path):
    parent = pages.context(fixture_config, period="latest", smoke=True)
    assert pages.prepare(parent) == []
    orders = parent.data.orders.copy()
    assert not pages.release(parent, tmp_path)                    # nothing shared there: nothing dropped
    pages.share(parent, tmp_path)
    assert pages.release(parent, tmp_path)
    assert not [t for t in parent.data.available() if t in vars(parent.data)]
    assert pages.customer_values(parent) is parent._cache["customer_value"][0] and "orders" not in vars(parent.data)
    pd.testing.assert_frame_equal(parent.data.orders, orders)


@pytest.mark.parametrize(("change", "named"), [("smoke", "smoke: run True, this notebook False"),
                                               ("period", "period: run '2026-Q2', this notebook '2026-Q1'"),
                                               ("config", "configuration content (SHA-256)")])
def test_a_shared_context_for_other_settings_stops_the_notebook_and_says_why(fixture_config, tmp_path, change,
                                                                             named):
    # the pages would contradict the run's summary (index.html, kpis.csv): never silently compute something else
    parent = pages.context(fixture_config, period="latest", smoke=True)
    pages.share(parent, tmp_path)
    smoke, period = True, parent.period.label
    if change == "smoke":
        smoke = False
    elif change == "period":
        period = "2026-Q1"
    else:
        fixture_config.write_text(fixture_config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(ReportError, match=re.escape(named) + ".*Run the report again"):
        pages.context(fixture_config, period=period, smoke=smoke, run_dir=tmp_path)


def test_the_shared_file_is_private_and_its_stamp_is_read_before_anything_is_unpickled(fixture_config, tmp_path):
    import json
    import os
    import pickle

    parent = pages.context(fixture_config, period="latest", smoke=True)
    shared = pages.share(parent, tmp_path)
    assert shared.stat().st_mode & 0o777 == 0o600
    stamp = json.loads(shared.read_bytes().split(b"\n", 1)[0])
    assert stamp["period"] == "2026-Q2" and stamp["smoke"] is True and len(stamp["fingerprint"]) == 64

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(tmp_path / "payload_ran"),))

    # a file whose stamp does not match is refused before its pickle is touched
    other = dict(stamp, period="2020-Q1")
    shared.write_bytes(json.dumps(other).encode() + b"\n" + pickle.dumps(Payload()))
    with pytest.raises(ReportError, match="period"):
        pages.context(fixture_config, period="2026-Q2", smoke=True, run_dir=tmp_path)
    assert not (tmp_path / "payload_ran").exists()
    # and a file others may read or write is not loaded at all
    shared.chmod(0o644)
    with pytest.raises(ReportError, match="not a private file"):
        pages.context(fixture_config, period="2026-Q2", smoke=True, run_dir=tmp_path)


def test_without_a_shared_file_the_kernel_computes_itself(fixture_config, tmp_path):
    kernel = pages.context(fixture_config, period="latest", smoke=True, run_dir=tmp_path)
    assert kernel.period.label == "2026-Q2" and kernel.data.available() == ["orders", "surveys", "exits"]


def test_warnings_of_a_shared_value_reach_the_first_section_that_shows_it(fixture_config, tmp_path):
    parent = pages.context(fixture_config, period="latest", smoke=True)

    def make() -> int:
        warnings.warn("only 12 answers", SmallSampleWarning, stacklevel=1)
        return 12

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert parent.cached("answers", make) == 12
        assert parent.cached("answers", make) == 12   # shown once per process, not on every use
    assert [str(w.message) for w in caught] == ["only 12 answers"]

    pages.share(parent, tmp_path)
    kernel = pages.context(fixture_config, period=parent.period.label, smoke=True, run_dir=tmp_path)
    first, second = kernel.section("scorecard"), kernel.section("scorecard")
    with first.collect_warnings():
        kernel.cached("answers", make)
    with second.collect_warnings():
        kernel.cached("answers", make)
    assert "only 12 answers" in str(first)
    assert "only 12 answers" not in str(second)


def test_a_model_that_cannot_be_fitted_is_explained_by_every_section_that_needs_it(fixture_config, tmp_path,
                                                                                      monkeypatch):
    def cannot_fit(*_: object, **__: object) -> None:
        raise ModelFitError("only 3 repeat buyers")

    monkeypatch.setattr("kit.report.pages.criteria.customer_value", cannot_fit)
    parent = pages.context(fixture_config, period="latest", smoke=True)
    assert pages.customer_values(parent) is None          # computed in the parent, no section yet
    pages.share(parent, tmp_path)
    kernel = pages.context(fixture_config, period=parent.period.label, smoke=True, run_dir=tmp_path)
    for _ in range(2):
        s = kernel.section("scorecard")
        assert pages.customer_values(kernel, s) is None
        assert "predicted customer value not available: only 3 repeat buyers" in str(s)


def test_a_part_that_fails_in_prepare_is_left_to_the_page(fixture_config, monkeypatch):
    def broken(*_: object, **__: object) -> None:
        raise ValueError("drivers broke")

    monkeypatch.setattr(pages._prepare, "SHARED", (("drivers", broken),))
    parent = pages.context(fixture_config, period="latest", smoke=True)
    assert pages.prepare(parent) == ["drivers: drivers broke"]


def test_context_names_the_tables_read_in_the_report_language(fixture_config):
    import dataclasses

    ctx = pages.context(fixture_config, period="latest", smoke=True)
    assert "Tables read: orders, surveys, exits" in str(ctx)
    german = dataclasses.replace(ctx, lang="de", _cache={})
    assert "Gelesene Tabellen: Bestellungen, Umfragen, Kündigungen" in str(german)
    assert "Bestellungen, Umfragen, Kündigungen" in german._repr_html_()


def test_caveats_of_the_values_a_value_was_made_from_come_with_it_in_a_kernel_too(fixture_config, tmp_path):
    # B's warning must reach the section that shows A first, whether A was computed here or handed over
    def inner() -> int:
        warnings.warn("inner: only 12 answers", SmallSampleWarning, stacklevel=1)
        return 12

    def shown_with_outer(ctx: pages.Context) -> str:
        s = ctx.section("scorecard")
        with s.collect_warnings():
            ctx.cached("outer", lambda: ctx.cached("inner", inner) + 1)
        return str(s)

    interactive = pages.context(fixture_config, period="latest", smoke=True)
    assert "inner: only 12 answers" in shown_with_outer(interactive)

    parent = pages.context(fixture_config, period="latest", smoke=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parent.cached("inner", inner)                                    # computed and shown first (prepare order)
        parent.cached("outer", lambda: parent.cached("inner", inner) + 1)
    pages.share(parent, tmp_path)
    kernel = pages.context(fixture_config, period=parent.period.label, smoke=True, run_dir=tmp_path)
    assert "inner: only 12 answers" in shown_with_outer(kernel)
    assert "inner: only 12 answers" not in shown_with_outer(kernel)      # once per process


def test_a_period_only_partly_in_the_data_is_a_note_of_the_context(fixture_config):
    # the fixture's orders end in late September 2026: 2026-Q3 is not complete. Interactively as under a run,
    # the page says so up front (Context.notes), not only as a warning in a cell's stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # nothing about the data is left as a bare warning
        ctx = pages.context(fixture_config, period="2026-Q3", smoke=True)
    assert len(ctx.notes) == 1 and ctx.notes[0].startswith("period 2026-Q3 is not complete in the data")
    assert "period 2026-Q3 is not complete" in ctx._repr_html_()
    assert pages.context(fixture_config, period="2026-Q2", smoke=True).notes == []
