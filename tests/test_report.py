"""The report run: validation before kernels start, failures that name the cell, the run folder, escaping."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kit.errors import ConfigError, ReportError
from kit.report import NOTEBOOKS, check_parameters, default_out, notebook_dir, pages, run_report

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures_report" / "analysis.yaml"
GOALS = notebook_dir() / "01_goals.ipynb"


def _runs(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith((".", "failed-"))
                  and not p.is_symlink())


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory) -> Path:
    """One full run of the five notebooks on the tiny fixture (no tickets, contacts, interviews)."""
    out = tmp_path_factory.mktemp("reports")
    return run_report(FIXTURE, "latest", out=out, jobs=3, timeout=300, smoke=True)


# ---- validation before any kernel starts ---------------------------------------------------------------


def test_mistyped_parameter_lists_the_valid_ones(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown notebook parameter 'perod'.*Did you mean 'period'\?") as err:
        run_report(FIXTURE, out=tmp_path, parameters={"perod": "2026-Q3"})
    for name in ("config_path", "period", "run_dir", "smoke"):
        assert name in str(err.value)
    assert list(tmp_path.iterdir()) == []  # stopped before a run folder (or a kernel) existed


def test_parameter_of_the_wrong_type_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"parameter 'smoke' .* must be bool, found 'yes'"):
        run_report(FIXTURE, out=tmp_path, parameters={"smoke": "yes"})


def test_check_parameters_accepts_the_documented_ones():
    check_parameters([notebook_dir() / n for n in NOTEBOOKS],
                     {"config_path": "x.yaml", "period": "2026-Q3", "run_dir": None, "smoke": True})


def test_bad_period_fails_before_kernels(tmp_path):
    with pytest.raises(ConfigError, match="2026-Q5"):
        run_report(FIXTURE, period="2026-Q5", out=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_default_out_is_reports_next_to_the_data_folder():
    assert default_out(ROOT / "data" / "analysis.yaml") == ROOT / "reports"


# ---- failures --------------------------------------------------------------------------------------------


def _broken_copy(tmp_path: Path, at: int) -> Path:
    """01_goals with a failing code cell inserted at 0-based position ``at``."""
    book = nbformat.read(GOALS, as_version=4)
    bad = nbformat.v4.new_code_cell("1 / 0  # planted failure")
    book.cells.insert(at, bad)
    target = tmp_path / "01_goals.ipynb"
    nbformat.write(book, target)
    return target


def test_failing_cell_names_notebook_and_cell_and_keeps_previous_report(tmp_path):
    out = tmp_path / "reports"
    good = run_report(FIXTURE, out=out, smoke=True, notebooks=[GOALS], timeout=300)
    assert (out / "latest").resolve() == good.resolve()
    before = sorted(p.name for p in good.iterdir())

    # the planted failing cell goes to 0-based position 4, which the error must call cell 5 (1-based)
    broken = _broken_copy(tmp_path, at=4)
    with pytest.raises(ReportError, match=r"^01_goals\.ipynb, cell 5: ZeroDivisionError") as err:
        run_report(FIXTURE, out=out, smoke=True, notebooks=[broken], timeout=300)
    assert err.value.notebook == "01_goals.ipynb" and err.value.cell == 5

    assert _runs(out) == [good]                                   # no second run folder
    assert (out / "latest").resolve() == good.resolve()           # latest still points at the good run
    assert sorted(p.name for p in good.iterdir()) == before       # its files untouched
    failed = [p for p in out.iterdir() if p.name.startswith("failed-")]
    assert len(failed) == 1 and (failed[0] / "01_goals.ipynb").is_file()
    assert not list(failed[0].glob(pages.SHARED_FILE + "*"))   # the context and the tables beside it
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


def test_cell_timeout_is_a_report_error(tmp_path):
    book = nbformat.read(GOALS, as_version=4)
    book.cells.insert(1, nbformat.v4.new_code_cell("import time\ntime.sleep(30)"))  # before the slow setup
    slow = tmp_path / "01_goals.ipynb"
    nbformat.write(book, slow)
    with pytest.raises(ReportError, match=r"^01_goals\.ipynb, cell 2: .*cell timeout of 3 s"):
        run_report(FIXTURE, out=tmp_path / "r", smoke=True, notebooks=[slow], timeout=3)


# ---- the run folder ----------------------------------------------------------------------------------------


def test_run_folder_has_every_artefact(fixture_run):
    names = {p.name for p in fixture_run.iterdir()}
    for nb in NOTEBOOKS:
        assert nb in names and nb.replace(".ipynb", ".html") in names
    assert {"index.html", "kpis.csv", "kpis.json", "actions.csv", "watchlist.csv", "run.log"} <= names
    assert re.fullmatch(r"2026-Q2_\d{8}T\d{6}Z(-\d+)?", fixture_run.name)  # data end 2026-09-2x: Q2 complete
    assert (fixture_run.parent / "latest").resolve() == fixture_run.resolve()
    log = (fixture_run / "run.log").read_text()
    assert "05_actions.ipynb executed in" in log and "finished in" in log
    assert "shared results" in log and not [n for n in names if n.startswith(pages.SHARED_FILE)]  # not a result
    # two steps: page 3 started once scorecard, customer values and trends were shared, before the rest
    first = log.index("shared results (scorecard, customer values, kpi trends)")
    assert first < log.index("action plan computed")
    assert "the run works on the tables it shared (mapped, not copied): exits, orders, surveys\n" in log


@pytest.mark.parametrize("relative_out", [False, True])
def test_notebooks_start_from_the_context_the_run_computed(tmp_path, monkeypatch, relative_out):
    book = nbformat.read(GOALS, as_version=4)
    setup = next(i for i, c in enumerate(book.cells) if "pages.context(" in c.source)
    book.cells.insert(setup + 1, nbformat.v4.new_code_cell(
        'assert {"scorecard", "plan", "customer_value"} <= set(ctx._cache), "computed again in the kernel"'))
    checked = tmp_path / "01_goals.ipynb"
    nbformat.write(book, checked)
    out = tmp_path / "r"
    if relative_out:  # `loyalty-kit run --out reports`: the kernels run elsewhere, the path must still work
        monkeypatch.chdir(tmp_path)
        out = Path("r")
    run = run_report(FIXTURE, out=out, smoke=True, notebooks=[checked], timeout=300)
    assert not list(run.glob(pages.SHARED_FILE + "*"))


def test_a_shared_part_over_the_time_limit_is_left_to_the_page(monkeypatch):
    import time

    from kit.report.pages import _prepare

    def slow(ctx: object) -> None:
        time.sleep(3)

    monkeypatch.setattr(_prepare, "SHARED", (("drivers", slow), ("scorecard", lambda ctx: None)))
    started = time.monotonic()
    failed = pages.prepare(object(), timeout=1)  # type: ignore[arg-type]
    assert failed == ["drivers: took longer than the time limit of 1 s"]
    assert time.monotonic() - started < 2.5


def test_a_terminated_run_leaves_no_copy_of_the_data_behind(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "r"
    code = (f"import sys; from kit.cli import main; sys.exit(main(['run', '--config', {str(FIXTURE)!r}, "
            f"'--out', {str(out)!r}, '--smoke']))")
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob(f".*.tmp/{pages.SHARED_FILE}")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(out.glob(f".*.tmp/{pages.SHARED_FILE}")), "the run never shared its context"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 128 + signal.SIGTERM
    assert not list(out.rglob(pages.SHARED_FILE + "*"))
    assert [p.name.startswith("failed-") for p in out.iterdir()] == [True]


def test_kpis_csv_equals_the_scorecard_computed_directly(fixture_run):
    from kit.data.config import load_config
    from kit.data.io import read_data
    from kit.plan.scorecards import scorecard

    cfg = load_config(FIXTURE)
    direct = scorecard(read_data(cfg), cfg, period="2026-Q2", lang="en")
    written = pd.read_csv(fixture_run / "kpis.csv", keep_default_na=True)
    pd.testing.assert_frame_equal(written, direct.reset_index(drop=True), check_dtype=False, check_exact=False,
                                  rtol=1e-9)
    as_json = pd.DataFrame(json.loads((fixture_run / "kpis.json").read_text()))
    pd.testing.assert_frame_equal(as_json[["kpi", "value", "n"]], direct[["kpi", "value", "n"]],
                                  check_dtype=False)


def test_script_in_user_text_is_escaped_everywhere(fixture_run):
    # the fixture's business name is 'Tiny <script>alert(1)</script> Shop'
    for page in ["index.html"] + [n.replace(".ipynb", ".html") for n in NOTEBOOKS]:
        body = (fixture_run / page).read_text(encoding="utf-8")
        assert "<script>alert(1)" not in body, page
    assert "Tiny &lt;script&gt;alert(1)&lt;/script&gt; Shop" in (fixture_run / "index.html").read_text()


def test_pages_are_self_contained_and_hide_code(fixture_run):
    body = (fixture_run / "03_criteria.html").read_text(encoding="utf-8")
    assert "churn_by_period" not in body and "Working in this notebook" not in body  # analysis only --with-code
    assert not re.search(r"<script[^>]+src=", body)                  # no CDN (or any external) script
    assert not re.search(r"<link[^>]+href=[\"']https?://", body)      # no external stylesheet
    assert "data:image/png;base64," in body                           # figures embedded
    assert not re.search(r'class="[^"]*jp-InputArea-editor', body)   # code hidden by default
    assert "no ticket data: service metrics skipped" in body          # a missing table is said, not failed
    index = (fixture_run / "index.html").read_text(encoding="utf-8")
    for nb in NOTEBOOKS:
        assert f'href="{nb.replace(".ipynb", ".html")}"' in index


def test_with_code_keeps_the_code(tmp_path):
    run = run_report(FIXTURE, out=tmp_path, smoke=True, notebooks=[GOALS], with_code=True, timeout=300)
    body = (run / "01_goals.html").read_text(encoding="utf-8")
    assert "kpi_targets" in body and re.search(r'class="[^"]*jp-InputArea-editor', body)  # code shown
    assert "definitions_frame" in body and "Working in this notebook" in body   # the analysis cells too
    assert "check_exercise" not in body                                          # exercises never


def test_index_shows_scorecard_statuses_and_actions(fixture_run):
    index = (fixture_run / "index.html").read_text(encoding="utf-8")
    kpis = pd.read_csv(fixture_run / "kpis.csv")
    for status in set(kpis["status"]):
        assert f"kit-status-{status}" in index
    actions = pd.read_csv(fixture_run / "actions.csv")
    assert actions["title"].iloc[0] in index  # the top action is on the summary
    # money carries its currency on the summary as on the pages
    aov = kpis.set_index("kpi").loc["average_order_value", "value"]
    assert f"{aov:,.2f}\u00a0EUR" in index or f"{aov:,.2f} EUR" in index


def test_data_error_stops_before_kernels(tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(FIXTURE.parent, folder)
    orders = (folder / "orders.csv").read_text().splitlines()
    fields = orders[3].split(",")
    fields[2] = "2025-02-31"  # order_date: one impossible date
    orders[3] = ",".join(fields)
    (folder / "orders.csv").write_text("\n".join(orders) + "\n")
    from kit.errors import DataError

    with pytest.raises(DataError, match="order_date"):
        run_report(folder / "analysis.yaml", out=tmp_path / "out")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_findings_carry_interval_and_the_change_test():
    from kit.data.config import AnalysisConfig
    from kit.report.summary import _findings

    cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"}, "targets": {"nps": {"target": 30}},
                                         "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    card = pd.DataFrame([{"kpi": "nps", "label": "Net Promoter Score", "period": "2026-Q3", "value": 9.9, "n": 382,
                          "ci_low": 1.7, "ci_high": 18.0, "previous": 26.8, "change": -16.9, "p_value": 0.0047,
                          "target": 30.0, "status": "missed", "definition": "…"}])
    (finding,) = _findings(card, cfg, "en", "2026-Q3")
    assert finding["css"] == "kit-missed"
    # a scorecard without p_adjusted (written before it existed): the raw p-value alone
    assert finding["text"] == ("Net Promoter Score: 9.9 (95 % CI 1.7 to 18.0; n = 382) missed the target of 30.0. "
                               "Previous period 26.8, change −16.9 (p = 0.005).")
    # with it, "significant" is read from the Holm-adjusted p-value: 0.0047 raw, 0.069 adjusted -> not significant
    (finding,) = _findings(card.assign(p_adjusted=0.069), cfg, "en", "2026-Q3")
    assert finding["text"].endswith("change −16.9 (p = 0.005; Holm-adjusted p = 0.069: not a significant change).")
    (finding,) = _findings(card.assign(p_adjusted=0.0049), cfg, "en", "2026-Q3")
    assert finding["text"].endswith("(p = 0.005; Holm-adjusted p = 0.005: a significant change).")


@pytest.mark.parametrize(("lang", "shown", "left_out"), [("en", "Read the tree", "Lesen Sie den Baum"),
                                                         ("de", "Lesen Sie den Baum", "Read the tree")])
def test_narrative_appears_in_the_report_language_only(tmp_path, lang, shown, left_out):
    from kit.report import to_html

    book = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Read the tree top-down.", metadata={"tags": ["lang-en"]}),
        nbformat.v4.new_markdown_cell("Lesen Sie den Baum von oben.", metadata={"tags": ["lang-de"]}),
        nbformat.v4.new_markdown_cell("KPI: NPS")])
    source = tmp_path / "page.ipynb"
    nbformat.write(book, source)
    body = to_html(source, tmp_path / "page.html", lang=lang).read_text(encoding="utf-8")
    assert shown in body and left_out not in body and "KPI: NPS" in body


def _german_card():
    return pd.DataFrame([
        {"kpi": "at_risk_share", "label": "Anteil gefährdet (Sterne <= 3)", "period": "2026-Q3", "value": 0.385,
         "n": 377, "ci_low": 0.337, "ci_high": 0.435, "previous": 0.31, "change": 0.075, "p_value": 0.0342,
         "target": 0.15, "status": "missed", "definition": "…"},
        {"kpi": "churn_rate", "label": "Abwanderungsquote", "period": "2026-Q3", "value": 0.138, "n": 1828,
         "ci_low": 0.123, "ci_high": 0.155, "previous": 0.114, "change": 0.024, "p_value": 0.033, "target": 0.1,
         "status": "missed", "definition": "…"}])


def _german_config():
    from kit.data.config import AnalysisConfig

    return AnalysisConfig.model_validate({"business": {"name": "Shop", "language": "de"},
                                          "targets": {"at_risk_share": {"target": 0.15}, "churn_rate": {"target": 0.1}},
                                          "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})


def test_german_findings_use_german_numbers_and_percentage_points():
    from kit.report.summary import _findings

    nb = "\u00a0"
    first, second = _findings(_german_card(), _german_config(), "de", "2026-Q3")
    # 0.385 - 0.31 = +7.5 percentage points
    assert first["text"] == (f"Anteil gefährdet (Sterne <= 3): 38,5{nb}% (95-%-KI 33,7{nb}% bis 43,5{nb}%; n = 377) "
                             f"verfehlt das Ziel von 15,0{nb}%. Vorperiode 31,0{nb}%, Veränderung +7,5{nb}Pp. "
                             "(p = 0,034).")
    assert "n = 1.828" in second["text"] and "pp" not in second["text"]


def test_german_index_page_shows_german_numbers(tmp_path):
    from kit.data.periods import parse_period
    from kit.report.summary import write_index

    actions = pd.DataFrame({"rank": [1], "title": ["Schneller liefern"], "owner": ["Versand"], "effort": [3],
                            "cost": [12000.0], "why": ["Lieferung: 67 % der Beschwerden"]})
    page = write_index(tmp_path, config=_german_config(), period=parse_period("2026-Q3"), run_id="r1",
                       scorecard=_german_card(), actions=actions, pages=[], downloads=[], notes=[], smoke=False,
                       config_name="analysis.yaml").read_text(encoding="utf-8")
    assert "<td>12.000</td>" in page and "n = 1.828" in page and ">1.828<" in page
    assert "38,5\u00a0%" in page and "+7,5\u00a0Pp." in page and "01.07.2026 – 30.09.2026" in page
    for english in ("38.5", "1,828", "12,000", " pp"):
        assert english not in page, english


def test_a_context_that_cannot_be_shared_only_makes_the_run_slower(tmp_path, monkeypatch):
    import pickle

    def cannot(*_: object, **__: object) -> None:
        raise pickle.PicklingError("cannot pickle '_thread.lock' object")

    monkeypatch.setattr(pages, "share", cannot)
    run = run_report(FIXTURE, out=tmp_path / "r", smoke=True, notebooks=[GOALS], timeout=300)
    log = (run / "run.log").read_text(encoding="utf-8")
    assert "could not hand the shared results to the notebooks (PicklingError" in log
    assert (run / "01_goals.html").is_file() and (run / "kpis.csv").is_file()


def test_a_period_only_partly_in_the_data_is_said_on_the_console_the_summary_and_every_page(tmp_path, capsys):
    from kit.cli import main

    # the fixture's data end in late September 2026: the year 2026 is only partly covered
    out = tmp_path / "r"
    assert main(["run", "--config", str(FIXTURE), "--period", "2026", "--out", str(out), "--smoke"]) == 0
    err = capsys.readouterr().err
    assert "warning: period 2026 is not complete in the data" in err
    assert err.count("warning: period 2026") == 1
    run = (out / "latest").resolve()
    assert "period 2026 is not complete in the data" in (run / "index.html").read_text(encoding="utf-8")
    for page in ("01_goals.html", "03_criteria.html", "05_actions.html"):
        assert "period 2026 is not complete in the data" in (run / page).read_text(encoding="utf-8"), page


def test_every_failed_notebook_is_named(tmp_path):
    first = _broken_copy(tmp_path, at=4)
    book = nbformat.read(notebook_dir() / "02_data.ipynb", as_version=4)
    book.cells.insert(4, nbformat.v4.new_code_cell("raise RuntimeError('planted')"))
    second = tmp_path / "02_data.ipynb"
    nbformat.write(book, second)
    with pytest.raises(ReportError, match=r"^01_goals\.ipynb, cell 5: ZeroDivisionError.*"
                                          r"Also failed: 02_data\.ipynb, cell 5 \(RuntimeError: planted\)\."):
        run_report(FIXTURE, out=tmp_path / "r", smoke=True, notebooks=[first, second], timeout=300)


def test_runs_leave_the_working_directory_alone_and_kernels_start_in_the_run_folder(tmp_path, monkeypatch):
    import os

    moves: list[str] = []
    real_chdir = os.chdir

    def chdir(path: object) -> None:   # the process-wide cwd must never move: notebooks run in threads
        if os.path.abspath(str(path)) != before:
            moves.append(str(path))
        real_chdir(path)

    before = os.getcwd()
    monkeypatch.setattr(os, "chdir", chdir)
    book = nbformat.read(GOALS, as_version=4)
    book.cells.insert(2, nbformat.v4.new_code_cell("open('written_by_the_notebook.txt', 'w').write('here')"))
    writer = tmp_path / "01_goals.ipynb"
    nbformat.write(book, writer)
    runs = [run_report(FIXTURE, out=tmp_path / "r", smoke=True, notebooks=[writer, notebook_dir() / "02_data.ipynb"],
                       timeout=300, jobs=2) for _ in range(2)]    # two runs in one process, notebooks in parallel
    assert os.getcwd() == before and moves == []
    for run in runs:
        assert (run / "written_by_the_notebook.txt").is_file()


# ---- the analyst's settings as parameters (-p inactivity_days=90, ...) -------------------------------------


def test_check_parameters_accepts_the_settings_with_their_types():
    check_parameters([GOALS], {"inactivity_days": 90, "sla_hours": 12.5, "min_n": 50, "segment_by": "region",
                               "driver_outcome": "csat"})
    check_parameters([GOALS], {"sla_hours": 12, "inactivity_days": None})       # an int SLA is fine, None = YAML
    with pytest.raises(ConfigError, match=r"parameter 'inactivity_days' .* must be int or None, found 'ninety'"):
        check_parameters([GOALS], {"inactivity_days": "ninety"})
    with pytest.raises(ConfigError, match=r"'min_n' .* must be int or None, found True"):
        check_parameters([GOALS], {"min_n": True})                             # a bool is not a count


def test_an_invalid_setting_stops_the_run_before_any_kernel(tmp_path):
    with pytest.raises(ConfigError, match=r"threshold 'inactivity_days' = -5: .*greater than 0"):
        run_report(FIXTURE, out=tmp_path, parameters={"inactivity_days": -5})
    with pytest.raises(ConfigError, match=r"driver_outcome = 'loyalty': .*Use one of nps"):
        run_report(FIXTURE, out=tmp_path, parameters={"driver_outcome": "loyalty"})
    assert list(tmp_path.iterdir()) == []


def test_a_setting_reaches_the_scorecard_like_the_metric_computed_directly():
    import kit

    default = pages.context(FIXTURE)
    short = pages.context(FIXTURE, inactivity_days=60)
    assert short.config.thresholds.inactivity_days == 60 and default.config.thresholds.inactivity_days == 180
    churn = {c.config.thresholds.inactivity_days: pages.get_scorecard(c).set_index("kpi").loc["churn_rate", "value"]
             for c in (default, short)}
    # the oracle: kit.churn_rate with the same rule; a shorter rule loses customers sooner, so churn cannot fall
    direct = kit.churn_rate(short.data.orders, period=short.period, inactivity_days=60, exits=short.data.exits)
    assert churn[60] == pytest.approx(direct.value) and churn[60] >= churn[180]


def test_a_notebook_with_other_settings_than_its_run_stops(tmp_path):
    ctx = pages.context(FIXTURE, inactivity_days=90)
    ctx.notes.append("made by the run")  # tells the shared context from one read again
    pages.share(ctx, tmp_path)
    label = ctx.period.label  # the run hands the resolved period to its notebooks
    same = pages.context(FIXTURE, label, run_dir=tmp_path, inactivity_days=90)
    assert same.config.thresholds.inactivity_days == 90 and "made by the run" in same.notes
    with pytest.raises(ReportError, match=r"inactivity_days: run 90, this notebook 120"):
        pages.context(FIXTURE, label, run_dir=tmp_path, inactivity_days=120)


def test_segment_by_must_be_a_customer_column():
    with pytest.raises(ConfigError, match=r"segment_by = 'regoin': .*Use one of .*region"):
        pages.context(None, segment_by="regoin", smoke=True)


def test_a_german_configuration_runs_the_german_notebooks(tmp_path, monkeypatch):
    import kit.report.run as run_module
    from kit.report import NOTEBOOKS_DE, notebook_dir

    german = tmp_path / "analysis.yaml"
    german.write_text(FIXTURE.read_text(encoding="utf-8").replace("language: en", "language: de"), encoding="utf-8")
    for table in ("orders.csv", "surveys.csv", "exits.csv"):
        (tmp_path / table).symlink_to(FIXTURE.parent / table)
    ran: list[str] = []

    def stop(sources, *args, **kwargs):
        ran.extend(str(s) for s in sources)
        raise RuntimeError("stop before the kernels")

    monkeypatch.setattr(run_module, "_execute_all", stop)
    with pytest.raises(RuntimeError, match="stop before the kernels"):
        run_report(german, out=tmp_path / "r", smoke=True)
    assert ran == [str(notebook_dir("de") / n) for n in NOTEBOOKS_DE]


# ---- the story: findings, trends, glossary, print (issue 15) -------------------------------------------

def test_pages_carry_the_small_and_the_print_stylesheet_and_2x_figures(fixture_run):
    body = (fixture_run / "03_criteria.html").read_text(encoding="utf-8")
    assert "JupyterLab: the one small stylesheet" not in body     # (the kit's own comment, below, is)
    assert "loyalty-kit: the one small stylesheet" in body and "@page { size: A4" in body
    assert "--jp-layout-color0" not in body                        # JupyterLab's theme variables are gone
    small = (fixture_run / "02_data.html").stat().st_size
    assert small < 120_000, small                                  # was ~276 KB with the lab CSS
    # a 2x figure is shown at half its pixel width
    import base64
    import struct

    match = re.search(r'max-width:\s*(\d+)px[^>]*>\s*<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]{32})', body)
    assert match, "no figure with a shown width"
    pixels = struct.unpack(">I", base64.b64decode(match.group(2))[16:20])[0]
    assert int(match.group(1)) == pixels // 2


def test_index_opens_with_the_executive_summary_and_links_the_glossary(fixture_run):
    index = (fixture_run / "index.html").read_text(encoding="utf-8")
    assert index.index("Executive summary") < index.index("Top five actions") < index.index("id=\"kit-scorecard\"")
    assert "class='kit-spark'" in index and "class='kit-delta'" in index            # sparkline and delta arrow
    assert "href='glossary.html#kpi-nps'" in index
    glossary = (fixture_run / "glossary.html").read_text(encoding="utf-8")
    assert "id='kpi-nps'" in glossary and "id='term-ci'" in glossary
    assert 'href="glossary.html"' in (fixture_run / "01_goals.html").read_text(encoding="utf-8")   # navigation


def test_pdf_is_checked_before_any_kernel_starts(tmp_path, monkeypatch):
    import kit.report.pdf as pdf

    def missing() -> type:
        raise ReportError("--pdf needs WeasyPrint")

    monkeypatch.setattr(pdf, "_weasyprint_html", missing)
    with pytest.raises(ReportError, match="WeasyPrint"):
        run_report(FIXTURE, out=tmp_path, smoke=True, pdf=True)
    assert not any(tmp_path.iterdir())


def test_the_winback_key_lies_outside_the_run_folder_and_the_run_folder_holds_no_real_ids(fixture_run):
    import os
    import stat

    from kit.data.privacy import pseudonymise
    from kit.report.keyfile import KEY_FILE, PRIVATE_DIR

    key_file = fixture_run.parent / PRIVATE_DIR / fixture_run.name / KEY_FILE
    assert key_file.is_file() and not (fixture_run / KEY_FILE).exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key_file.parent).st_mode) == 0o700
    assert str(key_file) in (fixture_run / "run.log").read_text(encoding="utf-8")
    # the key maps exactly the pseudonyms of winback.csv, each to the id it was made from (salt: the default)
    winback = pd.read_csv(fixture_run / "winback.csv", dtype=str)
    key = pd.read_csv(key_file, dtype=str)
    assert key["pseudonym"].tolist() == winback["customer_id"].tolist() and len(key) > 0
    assert pseudonymise(key["customer_id"], salt="loyalty-kit").tolist() == key["pseudonym"].tolist()
    # no real customer id anywhere in the shareable folder: not in the lists, run.log, the pages' text or the
    # executed notebooks, whose work cells display the tables as read (their outputs carry the pseudonyms)
    real = set(pd.read_csv(FIXTURE.parent / "orders.csv", dtype=str)["customer_id"])
    pattern = re.compile(r"(?<![\w-])(" + "|".join(sorted(real)) + r")(?![\w-])")
    for path in fixture_run.iterdir():
        if path.suffix in (".csv", ".log", ".json", ".html", ".ipynb"):
            body = re.sub(r"data:[^\"')\s]+", "", path.read_text(encoding="utf-8"))   # embedded images
            assert not pattern.search(body), (path.name, pattern.search(body))


def test_a_run_starts_one_kernel_per_worker_and_hands_each_on_to_its_next_page(fixture_run):
    """jobs=3 for five pages: three kernels, every one emptied for its next page (kit.report._kernel), none refused
    (a library's daemon thread, such as zmq's garbage collector, does not stop a kernel from being reused)."""
    log = (fixture_run / "run.log").read_text(encoding="utf-8")
    assert log.count("a kernel started ahead and ready") == 3
    assert "could not be emptied" not in log and "could not be started" not in log
    for book in sorted(fixture_run.glob("0*.ipynb")):   # each page as in a kernel of its own: counts from 1
        counts = [c.execution_count for c in nbformat.read(book, as_version=4).cells if c.cell_type == "code"
                  and c.execution_count is not None]
        assert counts == list(range(1, len(counts) + 1)), book.name
