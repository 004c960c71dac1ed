"""What the notebooks' work and section cells rely on: ``ctx.reuse`` (the run's shared results for the same call,
computed otherwise), ``ctx.has`` (guards for data a page can lack) and ``pages.show`` (a section with the
notebook's results, and a note when one differs from the page's)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kit
from kit.errors import ModelFitError
from kit.report import pages

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shared():
    """The sample's context after ``pages.prepare``, as a report run hands it to the notebooks."""
    ctx = pages.context(smoke=True)
    assert not pages.prepare(ctx)
    return ctx


def _kept(ctx, name):
    return ctx._cache[name][0]


def test_the_notebooks_calls_get_the_runs_shared_results(shared):
    """The calls exactly as the work cells write them return the objects the run computed: nothing again."""
    ctx = shared
    data, config, p = ctx.data, ctx.config, ctx.period
    as_of = p.end - pd.Timedelta(days=1)
    assert ctx.reuse(kit.scorecard, data, config, period=p, lang=ctx.lang) is _kept(ctx, "scorecard")
    values = ctx.reuse(kit.customer_value, data.orders, as_of=as_of, settings=config.clv)
    assert values is _kept(ctx, "customer_value")
    surveys = data.surveys
    upto = surveys[surveys["responded_at"] < p.end]
    drivers = [c for c in surveys.columns if c.startswith("driver_")]
    model = ctx.reuse(kit.KeyDrivers(n_boot=50 if ctx.smoke else 500, seed=0, lang=ctx.lang).fit, upto,
                      outcome=ctx.driver_outcome, drivers=drivers)
    assert model is _kept(ctx, "drivers")
    book = ctx.reuse(kit.read_codebook, config.data.codebook)
    notes = ctx.reuse(kit.read_interviews, config.data.interviews, customers=data.customers, codebook=book)
    assert book is _kept(ctx, "codebook") and notes is _kept(ctx, "interviews")
    assert ctx.reuse(kit.code_texts, notes, book) is _kept(ctx, "coded_interviews")
    assert ctx.reuse(kit.watch_list, data, config, as_of=as_of, customer_values=values) is _kept(ctx, "list_watch_list")
    assert ctx.reuse(kit.advocates, data, config, as_of=as_of) is _kept(ctx, "list_advocates")
    assert ctx.reuse(kit.winback_list, data, config, as_of=as_of) is _kept(ctx, "list_winback_full")


def test_the_lists_made_once_with_real_ids_are_the_lists_as_configured(shared):
    """The run makes each list once with the real ids (for the plan) and pseudonymises it for the pages and files:
    the same frames as the list functions called with the configuration (pseudonyms on, as in the sample)."""
    from kit.plan.winback import winback_calls

    ctx = shared
    data, config = ctx.data, ctx.config
    as_of = ctx.period.end - pd.Timedelta(days=1)
    assert config.privacy.pseudonymise
    frames = pages.list_frames(ctx)
    values = _kept(ctx, "customer_value")
    pd.testing.assert_frame_equal(frames["watch_list"], kit.watch_list(data, config, as_of=as_of,
                                                                       customer_values=values))
    pd.testing.assert_frame_equal(frames["advocates"], kit.advocates(data, config, as_of=as_of))
    pd.testing.assert_frame_equal(_kept(ctx, "list_winback_full"), kit.winback_list(data, config, as_of=as_of))
    calls = winback_calls(data, config, as_of=as_of, lang=ctx.lang)
    pd.testing.assert_frame_equal(frames["winback_list"], calls)
    assert frames["winback_list"].attrs == calls.attrs and not frames["watch_list"]["customer_id"].str.startswith(
        "K").any()


def test_another_argument_is_computed_here_and_kept_for_the_same_call(shared):
    ctx = shared
    before = len(ctx._cache)
    model = ctx.reuse(kit.KeyDrivers(n_boot=20, seed=1, lang=ctx.lang).fit,
                      ctx.data.surveys[ctx.data.surveys["responded_at"] < ctx.period.end], outcome="nps",
                      drivers=["driver_delivery", "driver_price"])
    assert model is not _kept(ctx, "drivers") and list(model.summary["driver"]) != list(_kept(ctx, "drivers")
                                                                                          .summary["driver"])
    answers = pd.Series([10, 9, 9, 7, 3, 0, 10, 8])           # 4 promoters, 2 detractors of 8: NPS 25
    first = ctx.reuse(kit.nps, answers, min_n=2)
    assert first.value == pytest.approx(25.0)
    assert ctx.reuse(kit.nps, answers, min_n=2) is first       # the same call: kept
    assert ctx.reuse(kit.nps, answers, min_n=3) is not first   # another argument: computed again
    assert ctx.reuse(kit.nps, answers.replace(0, 10), min_n=2).value == pytest.approx(50.0)  # other content
    assert len(ctx._cache) == before + 4


def test_an_argument_that_cannot_be_told_apart_is_computed_each_time(shared):
    made = []

    def make(thing, *, n):
        made.append(thing)
        return [n]

    thing = object()
    assert shared.reuse(make, thing, n=1) == [1] and shared.reuse(make, thing, n=1) == [1]
    assert len(made) == 2


def test_a_shared_model_that_could_not_be_fitted_raises_its_error(shared, capsys):
    ctx = pages.Context(config=shared.config, data=shared.data, period=shared.period, lang="en", smoke=True,
                        config_path=shared.config_path)
    ctx._cache["customer_value"] = (ModelFitError("BG/NBD did not converge"), [], ())  # as pages store it
    as_of = ctx.period.end - pd.Timedelta(days=1)
    with pytest.raises(ModelFitError, match="did not converge"):
        ctx.reuse(kit.customer_value, ctx.data.orders, as_of=as_of, settings=ctx.config.clv)
    assert ctx.reuse_or_none(kit.customer_value, ctx.data.orders, as_of=as_of, settings=ctx.config.clv) is None
    assert "customer_value: not available: BG/NBD did not converge" in capsys.readouterr().out
    with pytest.raises(ZeroDivisionError):  # any other error is not a finding about the data: raised
        ctx.reuse_or_none(lambda x: x / 0, 1)


def test_has_tells_tables_and_columns(shared):
    assert shared.has("surveys", "nps", "responded_at") and shared.has("orders")
    assert not shared.has("surveys", "no_such_column") and not shared.has("no_such_table")
    without_period = pages.Context(config=shared.config, data=shared.data, period=None)
    assert not without_period.has("orders")


def test_show_notes_a_result_that_differs_from_the_scorecard(shared):
    ctx = shared
    surveys = ctx.data.surveys
    now = surveys[ctx.period.contains(surveys["responded_at"])]["nps"].dropna()
    by_hand = 100 * ((now >= 9).mean() - (now <= 6).mean())
    card = pages.get_scorecard(ctx).set_index("kpi")
    assert card.loc["nps", "value"] == pytest.approx(by_hand)
    agreeing = pages.show(ctx, "satisfaction", nps=kit.nps(now))
    assert "computed in this notebook" not in str(agreeing)
    previous = surveys[ctx.period.previous().contains(surveys["responded_at"])]["nps"].dropna()
    other = 100 * ((previous >= 9).mean() - (previous <= 6).mean())
    assert abs(other - by_hand) > 1
    differing = str(pages.show(ctx, "satisfaction", nps=kit.nps(previous), csat=None))
    assert f"Net Promoter Score = {other:.1f}" in differing and f"shows {by_hand:.1f}" in differing
    scorecard = str(pages.show(ctx, "scorecard", scorecard=card.reset_index().head(3)))
    assert "the scorecard computed in this notebook differs" in scorecard


def test_show_names_the_valid_sections(shared):
    with pytest.raises(KeyError, match="unknown section 'satisfactoin'; valid: business, kpi_targets"):
        pages.show(shared, "satisfactoin")
    assert {"satisfaction", "retention", "themes", "customer_lists", "inventory"} <= set(pages.SECTIONS)


def test_a_reused_results_warnings_show_in_the_cell_and_still_become_the_sections_notes(shared):
    ctx = pages.Context(config=shared.config, data=shared.data, period=shared.period, lang="en", smoke=True,
                        config_path=shared.config_path)
    card = _kept(shared, "scorecard")
    ctx._cache["scorecard"] = (card, [(UserWarning, "2026-Q3: few answers")], ())  # as the run hands it over
    for _ in range(2):  # each time the cell runs
        with pytest.warns(UserWarning, match="few answers"):
            assert ctx.reuse(kit.scorecard, ctx.data, ctx.config, period=ctx.period, lang=ctx.lang) is card
    section = pages.Section("Baseline")
    assert pages.get_scorecard(ctx, section) is card
    assert "Note: 2026-Q3: few answers" in str(section)


def test_a_call_is_the_same_whether_arguments_come_by_position_by_name_or_as_their_default(shared):
    ctx = pages.Context(config=shared.config, data=shared.data, period=shared.period, lang="en", smoke=True)
    key = ctx._call_key
    as_of = ctx.period.end
    base = key(kit.common_themes, (ctx.data.orders, ctx.data.customers), {"segment": "loyal"})
    assert base == key(kit.common_themes, (ctx.data.orders,), {"interviews": ctx.data.customers, "segment": "loyal",
                                                              "min_share": 0.5})  # 0.5 is the default
    assert base != key(kit.common_themes, (ctx.data.orders, ctx.data.customers), {"segment": "loyal",
                                                                                 "min_share": 0.75})
    assert key(kit.lifetime_table, (ctx.data, ctx.config), {"as_of": as_of}) \
        == key(kit.lifetime_table, (), {"data": ctx.data, "config": ctx.config, "as_of": as_of})
    assert key(kit.lifetime_table, (ctx.data,), {"no_such_argument": 1}) is not None  # the call itself says why


def test_the_shared_calls_are_worked_out_once_for_what_they_rest_on(shared):
    from kit.report.pages._context import _shared_call_names

    ctx = pages.Context(config=shared.config, data=shared.data, period=shared.period, lang="en", smoke=True,
                        _cache=dict(shared._cache))
    names = _shared_call_names(ctx)
    assert _shared_call_names(ctx) is names and "customer_value" in names.values()
    ctx._cache["customer_value"] = (shared._cache["customer_value"][0].head(3), [], ())  # the watch list's key moves
    assert _shared_call_names(ctx) is not names


def test_a_section_takes_its_work_cells_result_and_computes_its_own_when_an_argument_changed(shared, monkeypatch):
    import functools

    from kit.report.pages import criteria

    made = []
    real = criteria.lifetime_table

    @functools.wraps(real)
    def counted(*args, **kwargs):
        made.append(kwargs.get("as_of"))
        return real(*args, **kwargs)

    monkeypatch.setattr(criteria, "lifetime_table", counted)
    monkeypatch.setattr(pages.Section, "plot", lambda self, *args, **kwargs: self)  # the charts are not the point
    fresh = lambda: pages.Context(config=shared.config, data=shared.data, period=shared.period, lang="en",  # noqa: E731
                                  smoke=True, _cache=dict(shared._cache))
    alone = str(pages.show(fresh(), "retention"))
    ctx, p = fresh(), shared.period
    lifetimes = ctx.reuse(counted, ctx.data, ctx.config, as_of=p.end)   # the work cell's call
    made.clear()
    assert str(pages.show(ctx, "retention")) == alone and not made     # the section took it
    assert ctx.reuse(counted, ctx.data, ctx.config, as_of=p.end) is lifetimes
    ctx = fresh()
    ctx.reuse(counted, ctx.data, ctx.config, as_of=p.previous().end)    # a reader's other argument
    made.clear()
    assert str(pages.show(ctx, "retention")) == alone and made == [p.end]  # the section computed its own


#: what a work cell computes and its section shows again (pages/*.py take it through ctx.reuse), with the number
#: of different calls the work cells make (theme_frequency: overall and by segment)
_SHOWN_AGAIN = {
    "03_criteria.ipynb": {"churn_by_period": 1, "cohort_retention": 1, "lifetime_table": 1,
                          "contractual_churn_by_period": 1, "subscriber_values": 1, "rfm_segments": 1,
                          "referred_retention": 1, "CoxChurnModel.fit": 1},
    "04_interviews.ipynb": {"theme_frequency": 2, "aspects": 1, "common_themes": 1,
                            "code_texts": 0},  # the run coded the interviews and the comments
    "05_actions.ipynb": {"importance_performance": 1},
}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A run folder with the context the run shares (``pages.prepare``, ``pages.share``), and its period."""
    ctx = pages.context(smoke=True)
    assert not pages.prepare(ctx)
    folder = tmp_path_factory.mktemp("run")
    pages.share(ctx, folder)
    return folder, ctx.period.label


@pytest.mark.parametrize("name", sorted(_SHOWN_AGAIN))
def test_the_sections_compute_nothing_the_work_cells_above_them_computed(name, run_folder, monkeypatch):
    """The notebook as the report runs it (the run's shared context, every work and section cell, charts left
    out): a result of a work cell is computed once, whether the run, the work cell or the section needs it."""
    import functools
    import sys

    import nbformat
    from _inprocess import _run_cell

    from kit.models.survival import CoxChurnModel

    folder, period = run_folder
    calls: list[str] = []

    def counting(func, label):
        @functools.wraps(func)
        def call(*args, **kwargs):
            calls.append(label)
            return func(*args, **kwargs)
        return call

    for label in _SHOWN_AGAIN[name]:
        if label == "CoxChurnModel.fit":
            monkeypatch.setattr(CoxChurnModel, "fit", counting(CoxChurnModel.fit, label))
            continue
        real = getattr(kit, label)
        for module in [m for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith("kit")]:
            for attr, value in list(vars(module).items()):
                if value is real:
                    monkeypatch.setattr(module, attr, counting(real, label))
    for attr in [a for a in kit.__all__ if a.startswith("plot_")]:
        monkeypatch.setattr(kit, attr, lambda *args, **kwargs: None)
    monkeypatch.setattr(pages.Section, "plot", lambda self, *args, **kwargs: self)

    book = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    namespace = {"__name__": "__main__", "display": lambda *values: None}
    by_cell = []
    for cell in book.cells:
        if cell.cell_type != "code" or "skip-execution" in cell.metadata.get("tags", []):
            continue
        calls.clear()
        _run_cell(cell.source, namespace)
        if "parameters" in cell.metadata.get("tags", []):   # as papermill injects them
            namespace.update(run_dir=str(folder), smoke=True, period=period)
        by_cell.append((cell.source.splitlines()[0], list(calls)))
    section_cells = {source: made for source, made in by_cell if source.startswith("pages.show(")}
    uncoded = 'pages.show(ctx, "uncoded_terms", coded=coded_comments)'   # every comment, with or without a score
    again = {source: made for source, made in section_cells.items()
             if [m for m in made if not (source == uncoded and m == "code_texts")]}
    assert not again, f"computed again in the section cells: {again}"
    work = [m for source, made in by_cell if not source.startswith("pages.show(") for m in made]
    assert {label: work.count(label) for label in _SHOWN_AGAIN[name]} == _SHOWN_AGAIN[name]
