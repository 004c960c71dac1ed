"""The shape matrix: every common shape of a business's exports validates and gives a full report.

Each variant is derived from a small generated sample business (300 customers, canonical columns, ISO
dates): a table or an optional column left out, one source only, degenerate churn, a single customer...
For each variant and both report languages, ``loyalty-kit validate`` exits 0 and ``loyalty-kit run --smoke``
writes five pages and the index, none of which shows a traceback or an error; every section shows its
result or says, in the report's language, which table or column it needs.

The notebooks are executed in this process (``tests/_inprocess.py``): a Jupyter kernel per notebook would
make the matrix take tens of minutes; ``test_shape_with_kernels`` runs two variants with the real kernels.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
Tables = dict[str, pd.DataFrame]

#: the optional columns of each table (kit/data/contract.py) that a variant may leave out
_REQUIRED = {
    "customers": ["customer_id"],
    "orders": ["order_id", "customer_id", "order_date", "revenue"],
    "surveys": ["responded_at", "nps"],
    "tickets": ["ticket_id", "opened_at"],
    "exits": ["customer_id", "exit_date"],
    "referrals": ["referrer_id", "referred_at"],
    "contacts": ["customer_id", "sent_at"],
}
_FILES = ("customers", "orders", "surveys", "tickets", "exits", "referrals", "contacts")
_DRIVERS = ["driver_delivery", "driver_price", "driver_quality", "driver_service", "driver_website"]


# ---- the variants -------------------------------------------------------------------------------------------
def _without(*tables: str) -> Callable[[Tables], Tables]:
    return lambda t: {k: v for k, v in t.items() if k not in tables}


def _bare(table: str) -> Callable[[Tables], Tables]:
    return lambda t: {**t, table: t[table][_REQUIRED[table]]}


def _only(*tables: str) -> Callable[[Tables], Tables]:
    return lambda t: {k: v for k, v in t.items() if k in tables}


def _drop_columns(table: str, *columns: str) -> Callable[[Tables], Tables]:
    return lambda t: {**t, table: t[table].drop(columns=list(columns))}


def _surveys_with(*columns: str) -> Callable[[Tables], Tables]:
    """Surveys with ``responded_at``, ``customer_id`` and ``columns`` only (answers without any kept dropped)."""
    def make(t: Tables) -> Tables:
        s = t["surveys"][["responded_at", "customer_id", *columns]]
        return {**t, "surveys": s.dropna(subset=[c for c in columns if c != "comment"], how="all")}
    return make


def _ratings_comments(t: Tables) -> Tables:
    """Star reviews with comments, no NPS, no orders (a marketplace's review export)."""
    s = t["surveys"][["responded_at", "customer_id", "rating", "comment"]].dropna(subset=["rating"])
    return {"customers": t["customers"], "surveys": s, "codebook": t["codebook"]}


def _csat_drivers(t: Tables) -> Tables:
    """A B2B satisfaction survey: CSAT and driver ratings, no NPS, no orders."""
    s = t["surveys"][["responded_at", "customer_id", "csat", "comment", *_DRIVERS]].dropna(subset=["csat"])
    return {"customers": t["customers"], "surveys": s, "codebook": t["codebook"]}


def _exits_without_orders(t: Tables) -> Tables:
    return {k: t[k] for k in ("customers", "surveys", "exits", "tickets", "interviews")}


def _between(t: Tables, start: str, end: str) -> Tables:
    """Every dated row inside [start, end)."""
    dates = {"orders": "order_date", "surveys": "responded_at", "tickets": "opened_at", "exits": "exit_date",
             "referrals": "referred_at", "contacts": "sent_at"}
    out = dict(t)
    for name, col in dates.items():
        if name in t:
            d = t[name]
            out[name] = d[(d[col] >= pd.Timestamp(start)) & (d[col] < pd.Timestamp(end))]
    return out


def _one_period(t: Tables) -> Tables:
    return _between(t, "2026-07-01", "2026-10-01")


def _mid_period(t: Tables) -> Tables:
    return _between(t, "2000-01-01", "2026-08-16")


def _zero_churn(t: Tables) -> Tables:
    """No exits, and every customer orders every 60 days from the first order on: nobody is ever lost."""
    o = t["orders"]
    first = o.groupby("customer_id")["order_date"].min()
    end = o["order_date"].max()
    rows = [(c, d) for c, f in first.items() for d in pd.date_range(f, end, freq="60D")]
    extra = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    extra = extra.assign(order_id=[f"Z{i:06d}" for i in range(len(extra))], revenue=30.0, refund_amount=0.0,
                         returned=False, quantity=1, category=o["category"].iloc[0], channel=o["channel"].iloc[0])
    return {**{k: v for k, v in t.items() if k != "exits"}, "orders": pd.concat([o, extra], ignore_index=True)}


def _all_lost(t: Tables) -> Tables:
    """Orders end on 2026-07-15, the other data run to 2026-09-30: with 30 inactive days every customer
    active on 2026-07-01 is lost during 2026-Q3 (churn 100 %), and the period still has orders (a period
    without rows in its main table is refused, issue 13)."""
    o = t["orders"]
    return {**t, "orders": o[o["order_date"] < pd.Timestamp("2026-07-16")]}


def _one_segment(t: Tables) -> Tables:
    return {**t, "customers": t["customers"].assign(segment="Standard")}


def _tickets_open(t: Tables) -> Tables:
    return {**t, "tickets": t["tickets"].assign(first_response_at=pd.NaT, resolved_at=pd.NaT)}


def _no_refunds(t: Tables) -> Tables:
    return {**t, "orders": t["orders"].assign(refund_amount=0.0, returned=False)}


def _single_customer(t: Tables) -> Tables:
    one = t["orders"]["customer_id"].value_counts().index[0]
    out: Tables = {}
    for name, frame in t.items():
        key = "referrer_id" if name == "referrals" else "customer_id"
        out[name] = frame[frame[key] == one] if key in frame else frame
    return out


#: name -> (derive the tables, configuration overrides, period asked)
VARIANTS: dict[str, tuple[Callable[[Tables], Tables], dict, str]] = {
    "complete": (lambda t: t, {}, "latest"),
    **{f"no_{name}": (_without(name), {}, "latest")
       for name in ("customers", "surveys", "tickets", "exits", "referrals", "contacts", "interviews")},
    "no_texts": (_without("interviews", "codebook"), {}, "latest"),
    **{f"bare_{name}": (_bare(name), {}, "latest") for name in _FILES},
    "exits_no_category": (_drop_columns("exits", "category"), {}, "latest"),
    "surveys_no_customer_id": (_drop_columns("surveys", "customer_id"), {}, "latest"),
    "surveys_only": (_only("surveys"), {}, "latest"),
    "orders_only": (_only("orders"), {}, "latest"),
    "exits_without_orders": (_exits_without_orders, {}, "latest"),
    "ratings_comments_no_nps": (_ratings_comments, {}, "latest"),
    "csat_drivers_no_nps": (_csat_drivers, {}, "latest"),
    "ces_only": (_surveys_with("ces"), {}, "latest"),
    "drivers_outcome_rating": (lambda t: t, {"drivers": {"outcome": "rating"}}, "latest"),
    "one_period": (_one_period, {}, "latest"),
    "zero_churn": (_zero_churn, {}, "latest"),
    "churn_100": (_all_lost, {"thresholds": {"inactivity_days": 30}}, "2026-Q3"),
    "mid_period": (_mid_period, {}, "2026-Q3"),
    "churn_not_observable": (lambda t: t, {}, "2024-Q1"),
    "one_segment": (_one_segment, {}, "latest"),
    "tickets_open": (_tickets_open, {}, "latest"),
    "no_refunds": (_no_refunds, {}, "latest"),
    "single_customer": (_single_customer, {}, "latest"),
}


# ---- writing a variant --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def base_tables() -> Tables:
    """The sample business with 300 customers (canonical columns), generated once per test process."""
    from kit.sample import generate_sample

    tables = generate_sample(customers=300, seed=7)
    tables.pop("truth")
    return tables


def _csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = np.where(out[col], "true", "false")
        elif pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%dT%H:%M:%S")
    out.to_csv(path, index=False)


def _interviews(frame: pd.DataFrame, folder: Path) -> None:
    folder.mkdir()
    for i, row in enumerate(frame.itertuples(index=False)):
        (folder / f"{i:02d}_{row.customer_id}.md").write_text(
            f"---\ncustomer_id: {row.customer_id}\ndate: {row.date}\ninterviewer: {row.interviewer}\n"
            f"segment: {row.segment}\n---\n\n{row.text}\n", encoding="utf-8")


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def write_variant(folder: Path, tables: Tables, *, lang: str, overrides: dict | None = None) -> Path:
    """Write ``tables`` as CSV files and an ``analysis.yaml`` (the sample's settings) into ``folder``."""
    config = yaml.safe_load((ROOT / "data" / "analysis.yaml").read_text(encoding="utf-8"))
    config["business"]["language"] = lang
    sources: dict = {"tables": {}, "timezone": "Europe/Berlin"}
    for name in _FILES:
        if name in tables and not tables[name].empty:  # a table without rows is refused by validate (on purpose)
            _csv(tables[name], folder / f"{name}.csv")
            sources["tables"][name] = {"file": f"{name}.csv"}
    if "interviews" in tables and not tables["interviews"].empty:
        _interviews(tables["interviews"], folder / "interviews")
        sources["interviews"] = "interviews"
    if "codebook" in tables:
        shutil.copy(ROOT / "data" / "sample" / "codebook.yaml", folder / "codebook.yaml")
        sources["codebook"] = "codebook.yaml"
    config["data"] = sources
    config = _merge(config, overrides or {})
    path = folder / "analysis.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ---- checking a report --------------------------------------------------------------------------------------
_BAD = re.compile(r"Traceback|Error\b|Exception\b|\bnan\b|\bNaN\b")


def _visible_text(page: str) -> str:
    """The text a reader sees (no tags, no embedded images, no style or script)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", page)


def check_report(folder: Path) -> None:
    """Five pages and the index; no error text; no section repeating the same missing-data line."""
    pages = sorted(folder.glob("0*.html"))
    assert [p.name[:2] for p in pages] == ["01", "02", "03", "04", "05"], pages
    for page in [*pages, folder / "index.html"]:
        html = page.read_text(encoding="utf-8")
        shown = _visible_text(html)
        bad = _BAD.search(shown)
        assert bad is None, f"{page.name}: {shown[max(0, bad.start() - 200):bad.end() + 200]!r}"
        for section in re.findall(r"<section class='kit-section'.*?</section>", html, flags=re.S):
            missing = re.findall(r"class='kit-missing'[^>]*>(.*?)</p>", section, flags=re.S)
            assert len(missing) == len(set(missing)), f"{page.name}: a section repeats {missing}"


def run_variant(tmp_path: Path, tables: Tables, *, lang: str, overrides: dict, period: str,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    """``loyalty-kit validate`` and ``loyalty-kit run --smoke`` on the variant (notebooks in this process)."""
    import matplotlib

    matplotlib.use("Agg")
    from _inprocess import execute_in_process

    from kit import cli
    from kit.report import execute
    from kit.report.run import run_report

    data = tmp_path / "data"
    data.mkdir()
    config = write_variant(data, tables, lang=lang, overrides=overrides)
    assert cli.main(["validate", "--config", str(config)]) == 0
    monkeypatch.setattr(execute, "_execute", execute_in_process)
    return run_report(config, period=period, out=tmp_path / "reports", smoke=True, jobs=1, timeout=300)


def _expect(texts: dict[str, str]) -> Callable[[Path, str], None]:
    """A check that the report (any page or the index) shows ``texts[lang]``."""
    def check(folder: Path, lang: str) -> None:
        shown = " ".join(_visible_text(p.read_text(encoding="utf-8")) for p in folder.glob("*.html"))
        assert texts[lang] in shown, texts[lang]
    return check


def _churn_no_data(folder: Path, lang: str) -> None:
    """2024-Q1 starts 92 days after the first order, sooner than 180 inactive days: churn is no data, says why."""
    kpis = pd.read_csv(folder / "kpis.csv")
    churn = kpis[(kpis["kpi"] == "churn_rate") & (kpis["period"] == "2024-Q1")].iloc[0]
    assert churn["status"] == "no_data" and pd.isna(churn["value"])
    _expect({"en": "churn cannot be observed yet: 2024-Q1 starts 92 days after the first order",
             "de": "Abwanderung noch nicht beobachtbar: 2024-Q1 beginnt 92 Tage"})(folder, lang)
    index = _visible_text((folder / "index.html").read_text(encoding="utf-8"))
    assert ("cannot be observed" in index) if lang == "en" else ("nicht beobachtbar" in index)


def _churn_all(folder: Path, lang: str) -> None:
    """Every customer active on 2026-07-01 is lost in 2026-Q3: churn 100 %, retention 0 %."""
    kpis = pd.read_csv(folder / "kpis.csv").set_index("kpi")
    assert kpis.loc["churn_rate", "value"] == 1.0 and kpis.loc["retention_rate", "value"] == 0.0
    assert kpis.loc["churn_rate", "n"] > 0


#: extra checks of a variant's report (besides :func:`check_report`)
CHECKS: dict[str, Callable[[Path, str], None]] = {
    "ratings_comments_no_nps": _expect({"en": "Outcome explained: Star rating (surveys column 'rating')",
                                        "de": "Erklärte Zielgröße: Sternebewertung (Umfragespalte 'rating')"}),
    "csat_drivers_no_nps": _expect({"en": "What drives customer satisfaction (CSAT)",
                                    "de": "Was die Kundenzufriedenheit (CSAT) treibt"}),
    "drivers_outcome_rating": _expect({"en": "Outcome explained: Star rating (surveys column 'rating'), as set in "
                                             "drivers.outcome",
                                       "de": "Erklärte Zielgröße: Sternebewertung (Umfragespalte 'rating'), wie in "
                                             "drivers.outcome"}),
    "exits_no_category": _expect({"en": "by reason as written", "de": "nach Grund wie erfasst"}),
    "churn_not_observable": _churn_no_data,
    "churn_100": _churn_all,
}


def _cases() -> list:
    """Every variant once in the default suite, in alternating languages; the other language is ``slow``."""
    cases = []
    for i, name in enumerate(VARIANTS):
        first, second = ("en", "de") if i % 2 == 0 else ("de", "en")
        cases += [pytest.param(name, first, id=f"{name}-{first}"),
                  pytest.param(name, second, id=f"{name}-{second}", marks=pytest.mark.slow)]
    return cases


@pytest.mark.parametrize(("name", "lang"), _cases())
def test_shape(name: str, lang: str, base_tables: Tables, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    derive, overrides, period = VARIANTS[name]
    tables = derive({**base_tables, "codebook": pd.DataFrame()})
    folder = run_variant(tmp_path, tables, lang=lang, overrides=overrides, period=period, monkeypatch=monkeypatch)
    check_report(folder)
    if name in CHECKS:
        CHECKS[name](folder, lang)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "lang"), [("exits_without_orders", "de"), ("ratings_comments_no_nps", "en")])
def test_shape_with_kernels(name: str, lang: str, base_tables: Tables, tmp_path: Path) -> None:
    """The real ``loyalty-kit run --smoke`` (a Jupyter kernel per notebook) on two variants."""
    from kit import cli

    derive, overrides, period = VARIANTS[name]
    (tmp_path / "data").mkdir()
    config = write_variant(tmp_path / "data", derive({**base_tables, "codebook": pd.DataFrame()}), lang=lang,
                           overrides=overrides)
    assert cli.main(["validate", "--config", str(config)]) == 0
    assert cli.main(["run", "--smoke", "--config", str(config), "--period", period,
                     "--out", str(tmp_path / "reports")]) == 0
    check_report(tmp_path / "reports" / "latest")
    if name in CHECKS:
        CHECKS[name](tmp_path / "reports" / "latest", lang)
