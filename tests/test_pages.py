"""Presentation sections (kit.report.pages) and UI strings (kit.labels)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.labels import LABELS, STATUS_TEXT, text
from kit.report import pages
from kit.report.pages._section import Section

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures_report" / "analysis.yaml"


# ---- Section.call / Section.plot: direct calls of kit functions --------------------------------------------


def test_section_call_passes_arguments_and_returns_the_result():
    from kit.data.periods import parse_period

    s = Section("Periods")
    assert s.call(parse_period, "2026-Q3").label == "2026-Q3"


def test_section_call_does_not_swallow_errors_of_kit_functions():
    from kit.data.periods import parse_period

    s = Section("Periods")
    with pytest.raises(Exception, match="not a period"):
        s.call(parse_period, "2026-Q9")


def test_section_turns_warnings_into_notes():
    import warnings

    from kit.errors import SmallSampleWarning

    def noisy() -> int:
        warnings.warn("only 12 answers", SmallSampleWarning, stacklevel=1)
        return 1

    s = Section("x")
    with s.collect_warnings():
        assert noisy() == 1
    assert "Note: only 12 answers" in str(s)


# ---- escaping --------------------------------------------------------------------------------------------------


def test_section_html_escapes_all_user_text():
    s = Section("<b>Title</b>").para("<script>alert(1)</script>").note("a < b").missing("<i>")
    s.table(pd.DataFrame({"comment": ["<script>alert(2)</script>"]}))
    s.fields([("Vision", "<img src=x onerror=alert(3)>")])
    html = s._repr_html_()
    for raw in ("<script>", "<b>Title", "<img", "<i>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;script&gt;alert(2)" in html


def test_scorecard_html_escapes_labels_and_colours_status():
    frame = pd.DataFrame([{"kpi": "nps", "label": "<script>x</script>", "period": "2026-Q3", "value": 12.5,
                           "n": 40, "ci_low": 1.0, "ci_high": 24.0, "previous": 10.0, "change": 2.5,
                           "p_value": 0.5, "target": 30.0, "status": "missed", "definition": "a<b"}])
    html = pages.scorecard_html(frame)
    assert "<script>" not in html and "&lt;script&gt;x" in html and "a&lt;b" in html
    assert "kit-status-missed" in html and "#b3261e" in html   # the 'missed' colour
    assert "12.5" in html and "1.0 – 24.0" in html and ">40<" in html


# ---- labels ----------------------------------------------------------------------------------------------------


def test_every_label_has_english_and_german():
    for key, (en, de) in {**LABELS, **STATUS_TEXT}.items():
        assert en and de, key
        # the same placeholders in both languages
        assert sorted(part.split("}")[0] for part in en.split("{")[1:]) == \
            sorted(part.split("}")[0] for part in de.split("{")[1:]), key


def test_text_fills_placeholders_and_rejects_unknown_keys():
    assert text("no_table", "en", table="ticket", what="service metrics") == "no ticket data: service metrics skipped"
    assert text("missed", "de") == "verfehlt"
    with pytest.raises(KeyError, match="nope"):
        text("nope")


# ---- sections on the tiny fixture (orders, surveys, exits only) ---------------------------------------------


@pytest.fixture(scope="module")
def ctx():
    return pages.context(FIXTURE, period="latest", smoke=True)


def test_context_resolves_the_latest_complete_period(ctx):
    # fixture orders end in late September 2026, before the 30th: the latest complete quarter is Q2
    assert ctx.period.label == "2026-Q2"
    assert ctx.data.available() == ["orders", "surveys", "exits"]
    assert "Tiny" in repr(ctx) and len(repr(ctx)) < 200   # no data dump in the notebook's text output


def test_missing_tables_are_named_not_failed(ctx):
    assert "no ticket data: service metrics skipped" in str(pages.criterion(ctx, "service"))
    assert "no referral data: referrals metrics skipped" in str(pages.criterion(ctx, "referrals"))
    assert "no interview data" in str(pages.overview(ctx))
    assert "no survey invitation data: response rate skipped" in str(pages.survey_coverage(ctx))


def test_unknown_criterion_lists_the_valid_ones(ctx):
    with pytest.raises(KeyError, match="satisfaction, retention"):
        pages.criterion(ctx, "happiness")


def test_inventory_counts_rows_and_customers(ctx):
    text_ = str(pages.inventory(ctx))
    orders = pd.read_csv(FIXTURE.parent / "orders.csv")
    row = next(line for line in text_.splitlines() if line.strip().startswith("orders"))
    assert f"{len(orders):,}" in row and str(orders["customer_id"].nunique()) in row


def test_kpi_targets_show_each_configured_target(ctx):
    shown = str(pages.kpi_targets(ctx))
    assert "Net Promoter Score" in shown and "20.0" in shown          # nps target 20
    assert "Churn rate" in shown and "10.0 %" in shown                # churn target 0.10


def test_why_retention_payback_arithmetic(ctx):
    # acquisition cost 20 EUR, margin 0.3 (default); payback orders = ceil(20 / (AOV × 0.3))
    import math

    frame = pages.get_scorecard(ctx)
    aov = float(frame.loc[frame["kpi"] == "average_order_value", "value"].iloc[0])
    shown = str(pages.why_retention(ctx))
    assert f"about {math.ceil(20 / (aov * 0.3))} orders" in shown


# ---- retention section: survival curves, log-rank, Cox -----------------------------------------------------


@pytest.fixture(scope="module")
def tiny_segments_ctx():
    """Six customers, two segments, inactivity 30 days, period 2026-Q1 (follow-up ends 2026-04-01).

    Lifetimes by hand (loss = last order + 30 days, censored at 2026-04-01):
    a1, a2: one order 01-01 -> lost 01-31, 30 days; a3: 01-01, 03-20 -> censored, 90 days.
    b1: 01-01, 02-15 -> lost 03-17, 75 days; b2: 01-01, 03-25 -> censored, 90; b3: 01-01, 03-01 -> lost 03-31, 89.
    """
    from kit.data.config import AnalysisConfig
    from kit.data.contract import LoyaltyData
    from kit.data.periods import parse_period

    cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"}, "thresholds": {"inactivity_days": 30},
                                         "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    rows = [("a1", "2026-01-01"), ("a2", "2026-01-01"), ("a3", "2026-01-01"), ("a3", "2026-03-20"),
            ("b1", "2026-01-01"), ("b1", "2026-02-15"), ("b2", "2026-01-01"), ("b2", "2026-03-25"),
            ("b3", "2026-01-01"), ("b3", "2026-03-01")]
    orders = pd.DataFrame({"order_id": [str(i) for i in range(len(rows))], "customer_id": [r[0] for r in rows],
                           "order_date": pd.to_datetime([r[1] for r in rows]), "revenue": 10.0,
                           "refund_amount": 0.0, "returned": False})
    customers = pd.DataFrame({"customer_id": ["a1", "a2", "a3", "b1", "b2", "b3"], "segment": ["A"] * 3 + ["B"] * 3})
    return pages.Context(config=cfg, data=LoyaltyData(orders=orders, customers=customers),
                         period=parse_period("2026-Q1"), smoke=True)


def test_retention_shows_km_medians_and_logrank_by_hand(tiny_segments_ctx):
    s = pages.criterion(tiny_segments_ctx, "retention")
    tables = [b.content for b in s.blocks if b.kind == "table"]
    km = tables[0].set_index("Segment")
    # KM A: at 30 days 2 of 3 lost -> S = 1/3 <= 0.5: median 30. KM B: 75 days S = 2/3, 89 days S = 2/3 * 1/2 = 1/3:
    # median 89
    assert km.loc["A", "Median lifetime (days)"] == "30" and km.loc["B", "Median lifetime (days)"] == "89"
    assert km["Lost"].tolist() == ["2", "2"]
    # log-rank by hand: event times 30 (n 6, nA 3, d 2), 75 (n 4, nA 1, d 1), 89 (n 3, nA 1, d 1)
    # E_A = 2*3/6 + 1/4 + 1/3 = 1.5833, O_A = 2; V = 0.4 + 0.1875 + 0.2222 = 0.8097; chi2 = 0.4167^2 / V = 0.214;
    # p = P(chi2_1 > 0.214) = 0.643
    assert "chi² = 0.2, df = 1, p = 0.643" in str(s)
    assert sum(b.kind == "figure" for b in s.blocks) >= 2          # cohort heatmap and survival curves
    # Cox: the most frequent level (tie: the first) is the reference
    assert "Segment B (vs. A)" in tables[1].iloc[:, 0].tolist()


def test_retention_without_covariates_says_why(ctx):
    s = pages.criterion(ctx, "retention")   # tiny fixture: no customers, referrals or tickets
    assert "no covariates in the data" in str(s)
    assert "first order; shaded" in str(s)  # one curve for everyone: no "per segment" in the intro


@pytest.fixture(scope="module")
def sample_ctx():
    return pages.context(None, period="latest", smoke=True)


def test_sample_cox_drivers_leave_out_five_star_and_say_why(sample_ctx):
    s = pages.criterion(sample_ctx, "retention")
    cox = [b.content for b in s.blocks if b.kind == "table"][-1]
    assert cox.iloc[:, 0].tolist() == ["Slow first response (> 24 calendar hours) on a ticket",
                                       "Came through a referral", "Segment Abo (vs. Einzelkauf)"]
    assert "survivor-biased" in str(s)
    assert "Log-rank test of equal retention curves across Abo, Einzelkauf" in str(s)
    assert "A slow first response counts from the day it happened" in str(s)


def test_cox_intro_claims_a_time_varying_flag_only_when_the_model_has_one(sample_ctx):
    import dataclasses

    no_tickets = dataclasses.replace(sample_ctx, data=dataclasses.replace(sample_ctx.data, tickets=None), _cache={})
    s = str(pages.criterion(no_tickets, "retention"))
    assert "Came through a referral" in s and "Slow first response" not in s
    assert "time-varying" not in s


def test_interview_pages_draw_their_charts_next_to_the_tables(sample_ctx, ctx):
    for section in (pages.themes(sample_ctx), pages.aspects(sample_ctx)):
        kinds = [b.kind for b in section.blocks]
        assert "table" in kinds and kinds.count("figure") == 1, kinds
    assert not any(b.kind == "figure" for b in pages.themes(ctx).blocks)  # fixture: no interviews, no chart


def test_tidy_axes_right_aligns_slanted_labels_and_moves_the_note_below_them():
    import matplotlib.pyplot as plt

    from kit.report.pages._section import _tidy_axes
    from kit.report.plots.behaviour import plot_churn_trend

    trend = pd.DataFrame({"period": [f"2025-Q{q}" for q in (1, 2, 3, 4)], "value": [0.1, 0.2, 0.1, 0.15],
                          "n": [50, 60, 70, 80], "ci_low": [0.05, 0.1, 0.05, 0.1], "ci_high": [0.2, 0.3, 0.2, 0.2]})
    ax = plot_churn_trend(trend)           # labels slanted 45°, centred; note "n = 50-80" at a fixed offset
    _tidy_axes(ax)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    assert {t.get_horizontalalignment() for t in labels} == {"right"}
    note = next(t for t in ax.texts if t.get_text().startswith("n = "))
    lowest = min(t.get_window_extent(renderer).y0 for t in [*labels, ax.xaxis.label])
    assert note.get_window_extent(renderer).y1 <= lowest   # display y grows upwards: the note is below
    plt.close(fig)


# ---- table formatting layer (kit.report.pages._format) -------------------------------------------------------------


def test_display_formats_shares_intervals_p_values_money_and_drops_other_columns():
    from kit.report.pages._format import Col, display

    frame = pd.DataFrame({"category": ["no_need", "price"], "share": [0.4321, 0.05],
                          "ci_low": [0.381, 0.0], "ci_high": [0.4804, 0.1], "se": [0.02, 0.01],
                          "small": [False, True], "p_value": [0.0004, 0.0431], "revenue": [1234.5, 7.0]})
    spec = [Col("category", "col_category", "category"), Col("share", "col_share", "share"),
            Col(("ci_low", "ci_high"), "col_interval", "share_interval"), Col("p_value", "col_p", "p"),
            Col("revenue", "col_net_revenue", "money"), Col("not_there", "col_rows", "count")]
    out = display(frame, spec, "en", currency="EUR").apply(lambda c: c.str.replace("\u00a0", " "))
    # 0.4321 * 100 = 43.21 -> one decimal 43.2; 0.381 -> 38.1, 0.4804 -> 48.0
    assert out.columns.tolist() == ["Category", "Share", "95 % interval", "p-value", "Net revenue"]
    assert out.iloc[0].tolist() == ["no longer needed", "43.2 %", "38.1 – 48.0 %", "< 0.001", "1,234.50 EUR"]
    assert out.iloc[1].tolist() == ["price", "5.0 %", "0.0 – 10.0 %", "0.043", "7.00 EUR"]
    de = display(frame, spec, "de", currency="EUR").apply(lambda c: c.str.replace("\u00a0", " "))
    assert de.columns.tolist() == ["Kategorie", "Anteil", "95-%-Intervall", "p-Wert", "Nettoumsatz"]
    assert de.iloc[0].tolist() == ["kein Bedarf mehr", "43,2 %", "38,1 – 48,0 %", "< 0,001", "1.234,50 EUR"]


def test_fmt_points_missing_values_and_list_reasons():
    from kit.report.pages._format import fmt, reasons_text

    assert fmt(0.714, "points") == "+71.4\u00a0pp" and fmt(-0.05, "points", "de") == "-5,0\u00a0Pp."
    assert fmt(pd.Timestamp("2026-07-03"), "text") == "2026\u201107\u201103"   # non-breaking hyphens
    assert fmt(float("nan"), "share") == "–" and fmt(None, "money", currency="EUR") == "–"
    assert fmt(True, "bool", "de") == "ja"
    assert reasons_text("detractor;stars<=3;recent complaint") == \
        "NPS detractor (0-6), 3 stars or fewer, recent complaint"
    assert reasons_text("unknown code") == "unknown code"   # not translated, shown as is


def test_criteria_and_action_tables_show_no_technical_columns(sample_ctx):
    technical = {"ci_low", "ci_high", "se", "small", "per_1000_orders", "cumulative_share", "negative_share",
                 "share_others", "lift", "texts", "mentioning", "p_value", "customer_id", "reasons"}
    sections = [pages.criterion(sample_ctx, name) for name in pages.CRITERIA]
    sections += [pages.themes(sample_ctx), pages.aspects(sample_ctx), pages.loyal_patterns(sample_ctx),
                 pages.drivers(sample_ctx)]
    tables = [b for s in sections for b in s.blocks if b.kind == "table"]
    assert len(tables) >= 8
    for block in tables:
        assert not technical & {str(c) for c in block.content.columns}, block.content.columns.tolist()
    html = "".join(s._repr_html_() for s in sections)
    assert "<th>ci_low</th>" not in html and "<th>se</th>" not in html and "<th>95 % interval</th>" in html
    exits = next(b for s in sections for b in s.blocks if b.kind == "table" and b.caption.startswith("All recorded"))
    assert exits.content["Share"].str.endswith("\u00a0%").all()
    drivers_text = str(pages.drivers(sample_ctx))
    assert "Importance: all " in drivers_text and "survey answers from " in drivers_text


def test_loyal_patterns_show_the_shares_their_difference_is_computed_from(sample_ctx):
    table = next(b.content for b in pages.loyal_patterns(sample_ctx).blocks if b.kind == "table")
    service = table.set_index("Theme").loc["Customer service"].str.replace("\u00a0", " ")
    # planted: all 7 loyal interviewees mention service (100 %), 6 of 7 praise it (85.7 %); 1 of the 7 others
    # praises it (14.3 %): the difference +71.4 pp is 85.7 % - 14.3 %, both shown beside it
    assert service["Share mentioning it (any tone)"] == "100.0 %" and service["Tone"] == "positive"
    assert (service["Share in this tone"], service["Share in this tone among the others"]) == ("85.7 %", "14.3 %")
    assert service["Difference in this tone"] == "+71.4 pp"
    number = lambda cell: float(cell.replace("\u00a0", " ").split(" ")[0])  # noqa: E731
    for _, row in table.iterrows():
        assert number(row["Difference in this tone"]) == pytest.approx(
            number(row["Share in this tone"]) - number(row["Share in this tone among the others"]), abs=0.11)


def test_driver_performance_is_the_periods_own_and_shows_the_delivery_crisis(sample_ctx):
    # planted effect 8: delivery ratings fall in 2026-Q3; importance still rests on all answers up to then
    s = pages.drivers(sample_ctx)
    table = next(b.content for b in s.blocks if b.kind == "table")
    surveys = sample_ctx.data.surveys
    q3 = surveys[(surveys["responded_at"] >= "2026-07-01") & (surveys["responded_at"] < "2026-10-01")]
    delivery = table.set_index("Driver rating").loc["Delivery"]
    assert delivery["What to do"] == "Concentrate here"
    assert delivery["Answers"] == f"{q3['driver_delivery'].notna().sum():,}"
    assert float(delivery["Average rating (1-5)"]) == pytest.approx(q3["driver_delivery"].mean(), abs=0.005)
    assert f"the {len(q3):,} answers in 2026-Q3" in str(s)


def test_german_captions_have_no_english_left(sample_ctx):
    import dataclasses

    german = dataclasses.replace(sample_ctx, lang="de", _cache={})
    s = pages.criterion(german, "service")
    captions = [b.caption for b in s.blocks if b.kind == "table"]
    assert captions and captions[0].startswith("Beschwerden nach Kategorie")
    assert "Kategorie" in next(b for b in s.blocks if b.kind == "table").content.columns


# ---- German numbers and words (the presentation layer formats through kit.results.format_value) -------------

NB = "\u00a0"


def _card_row(**changes):
    row = {"kpi": "csat", "label": "CSAT", "period": "2026-Q3", "value": 0.628, "n": 1828, "ci_low": 0.577,
           "ci_high": 0.676, "previous": 0.711, "change": -0.083, "p_value": 0.01, "target": 0.8, "status": "missed",
           "definition": ""}
    return pd.DataFrame([{**row, **changes}])


def test_scorecard_row_in_german_and_in_english():
    german = pages.scorecard_html(_card_row(), "de")
    assert f">62,8{NB}%<" in german and ">1.828<" in german and f"57,7{NB}% – 67,6{NB}%" in german
    assert f">80,0{NB}%<" in german and "verfehlt" in german
    english = pages.scorecard_html(_card_row(), "en")
    assert ">62.8 %<" in english and ">1,828<" in english and "57.7 % – 67.6 %" in english   # as before
    aov = pages.scorecard_html(_card_row(kpi="average_order_value", value=38.47, ci_low=37.89, ci_high=39.05,
                                         previous=39.67, target=40.0), "de")
    assert ">38,47<" in aov and "37,89 – 39,05" in aov


def test_scorecard_shows_money_kpis_with_the_currency():
    aov = _card_row(kpi="average_order_value", value=38.47, ci_low=37.89, ci_high=39.05, previous=39.67, target=40.0)
    english = pages.scorecard_html(aov, "en", currency="EUR")
    assert ">38.47 EUR<" in english and "37.89 EUR – 39.05 EUR" in english
    assert ">39.67 EUR<" in english and ">40.00 EUR<" in english
    german = pages.scorecard_html(aov, "de", currency="EUR")
    assert f">38,47{NB}EUR<" in german and f"37,89{NB}EUR – 39,05{NB}EUR" in german
    from kit.report.pages._common import scorecard_text

    assert scorecard_text(aov, "en", currency="EUR") == ("CSAT: 38.47 EUR (37.89 EUR – 39.05 EUR), n = 1,828; "
                                                         "target 40.00 EUR: missed")
    # shares and counts carry no currency
    assert "EUR" not in pages.scorecard_html(_card_row(), "en", currency="EUR")


def test_sample_scorecards_write_money_as_page_05_does(sample_ctx):
    card = pages.get_scorecard(sample_ctx).set_index("kpi")
    money = ("average_order_value", "clv_historical", "clv_predicted")
    value = card.loc["average_order_value", "value"]
    shown = f"{value:.2f} EUR"  # as page 05 writes it: "38.47 EUR"
    findings = pages.findings(sample_ctx)
    assert shown in str(findings)
    for section in (pages.criterion(sample_ctx, "value"), pages.baseline(sample_ctx)):
        html = section._repr_html_()
        assert f">{shown}<" in html, section.title
    value_html = pages.criterion(sample_ctx, "value")._repr_html_()
    for kpi in money:
        assert f">{card.loc[kpi, 'value']:,.2f} EUR<" in value_html, kpi
    targets = next(b.content for b in pages.kpi_targets(sample_ctx).blocks if b.kind == "table")
    assert targets.set_index("KPI").loc["Average order value", "Target"] == "40.00 EUR"


def test_scorecard_text_in_german_keeps_the_noun_capital():
    from kit.report.pages._common import scorecard_text

    assert scorecard_text(_card_row(), "de") == (f"CSAT: 62,8{NB}% (57,7{NB}% – 67,6{NB}%), n = 1.828; "
                                                 f"Ziel 80,0{NB}%: verfehlt")


@pytest.fixture(scope="module")
def german_sample_ctx(sample_ctx):
    return dataclasses.replace(sample_ctx, lang="de", _cache={})


def _quality_ctx(ctx, rows):
    """``ctx`` with a hand-made data-quality report."""
    from kit.data.contract import quality_row

    report = pd.DataFrame([quality_row(*args, **kw) for args, kw in rows])
    return dataclasses.replace(ctx, data=dataclasses.replace(ctx.data, quality=report), _cache={})


_TINY_REPORT = [
    (("orders", "rows_read", "info", 3000), {"example": "orders.csv"}),
    (("orders", "exact_duplicates", "warning", 2), {"example_key": "ex_rows", "params": {"rows": "4, 9"}}),
    (("orders", "unique", "info", 0), {"params": {"column": "order_id"}}),
    (("customers", "filled", "info", 0), {"params": {"column": "customer_id"}}),
    (("customers", "not_after_end", "info", 0), {"example_key": "ex_data_end",
                                                 "params": {"column": "signup_date", "end": "2026-09-30"}}),
    (("surveys", "driver_scale", "info", 0), {"example_key": "ex_driver_scale",
                                              "params": {"column": "driver_price", "scale": "1-5"}}),
    (("surveys", "driver_scale", "info", 0), {"example_key": "ex_driver_scale",
                                              "params": {"column": "driver_website", "scale": "1-5"}}),
]


def test_data_quality_lists_only_checks_that_found_something(sample_ctx):
    s = pages.data_quality(_quality_ctx(sample_ctx, _TINY_REPORT))
    table = next(b.content for b in s.blocks if b.kind == "table")
    # 6 checks (rows read is no check): the duplicates warning found 2 rows -> the one row of the table;
    # unique, filled and not-after-end found nothing (orders 1, customers 2); the two scales are readings
    assert table.values.tolist() == [["orders", "exact duplicate rows (dropped, first kept)", "warning", "2",
                                      "rows 4, 9"]]
    notes = [b.content for b in s.blocks if b.kind == "note"]
    assert notes[0] == "3 of 4 checks found nothing (orders 1, customers 2)."
    assert notes[1].startswith("How the data were read (info: a remark, not a problem): "
                               "driver_price, driver_website: read as a 1-5 scale. A driver column whose ratings "
                               "all lie within 1-5 is read as a 1-5 scale, otherwise as 0-10")
    assert "end 2026-09-30" not in s._repr_html_()   # a check that found nothing has no example row
    german = pages.data_quality(_quality_ctx(dataclasses.replace(sample_ctx, lang="de"), _TINY_REPORT))
    notes = [b.content for b in german.blocks if b.kind == "note"]
    assert notes[0] == "3 von 4 Prüfungen ohne Befund (Bestellungen 1, Kunden 2)."
    assert "driver_price, driver_website: als Skala 1-5 gelesen. Eine Treiber-Spalte" in notes[1]


def test_data_quality_without_findings_says_so_and_counts_the_checks(sample_ctx):
    s = pages.data_quality(_quality_ctx(sample_ctx, [row for row in _TINY_REPORT if row[0][2] != "warning"]))
    assert not [b for b in s.blocks if b.kind == "table"]
    assert str(s).splitlines()[1] == "All data-quality checks passed."
    assert "  (3 of 3 checks found nothing (orders 1, customers 2).)" in str(s)


def test_data_quality_in_german_has_german_headers_severities_and_table_names(german_sample_ctx):
    rows = [*_TINY_REPORT, (("surveys", "range", "error", 1), {"example": "nps 11",
                                                               "params": {"column": "nps", "low": 0, "high": 10}})]
    s = pages.data_quality(_quality_ctx(german_sample_ctx, rows))
    table = next(b.content for b in s.blocks if b.kind == "table")
    assert table.columns.tolist() == ["Tabelle", "Prüfung", "Schweregrad", "Anzahl", "Beispiel"]
    assert table[["Tabelle", "Schweregrad"]].values.tolist() == [["Umfragen", "Fehler"], ["Bestellungen", "Warnung"]]
    # the sample: nothing found, 117 checks passed: 67 + the 8 of abos.csv (subscriptions) + 16 of issue 16 (blank
    # required values of every table, identical anonymous answers, the order of ticket times) + 26 of issue 13 (per
    # table: header names unique, no NUL bytes, each date column not after the export date); the five driver
    # scales read as 1-5
    sample = pages.data_quality(german_sample_ctx)
    assert not [b for b in sample.blocks if b.kind == "table"]
    passed = next(b.content for b in sample.blocks if b.kind == "note")
    assert passed.startswith("117 von 117 Prüfungen ohne Befund (Kunden 10, Bestellungen 17, Umfragen 22,")
    assert "customers" not in passed
    # the report itself keeps the ids (CSV/JSON exports and the English report use them)
    assert "surveys" in set(german_sample_ctx.data.quality["table"])
    english_ctx = dataclasses.replace(german_sample_ctx, lang="en", _cache={})
    english = next(b.content for b in pages.data_quality(_quality_ctx(english_ctx, rows)).blocks
                   if b.kind == "table")
    assert english.columns.tolist() == ["Table", "Check", "Severity", "Count", "Example"]
    assert english[["Table", "Severity"]].values.tolist() == [["surveys", "error"], ["orders", "warning"]]


def test_data_quality_in_german_shows_german_checks_and_examples(german_sample_ctx, tmp_path):
    from kit.data.config import AnalysisConfig
    from kit.data.io import read_data

    path = tmp_path / "o.csv"
    path.write_text("order_id;customer_id;order_date;revenue\nA;1;01.02.2024;1.234\nB;1;02.02.2024;7\n"
                    "B;1;02.02.2024;7\n", encoding="utf-8")
    config = AnalysisConfig.model_validate({"business": {"name": "T"}, "data": {"tables": {"orders": {
        "file": str(path)}}}})
    ctx = dataclasses.replace(german_sample_ctx, data=read_data(config), _cache={})
    table = next(b.content for b in pages.data_quality(ctx).blocks if b.kind == "table")
    # a ';' file: '1.234' is read with a decimal comma (1234); row 4 copies row 3
    assert table[["Prüfung", "Schweregrad", "Beispiel"]].values.tolist() == [
        ["revenue: Dezimalzeichen", "Warnung",
         "revenue: '1.234' als 1234 gelesen (Dezimalkomma angenommen wegen des Trennzeichens ';'); "
         "falls falsch, csv.decimal setzen"],
        ["exakt doppelte Zeilen (entfernt, erste behalten)", "Warnung", "Zeilen 4"]]
    english = dataclasses.replace(ctx, lang="en", _cache={})
    table = next(b.content for b in pages.data_quality(english).blocks if b.kind == "table")
    assert table["Check"].tolist() == ["revenue decimal mark", "exact duplicate rows (dropped, first kept)"]


def test_inventory_and_survey_coverage_in_german(german_sample_ctx):
    inventory = next(b.content for b in pages.inventory(german_sample_ctx).blocks if b.kind == "table")
    assert inventory["Tabelle"].tolist()[:3] == ["Kunden", "Bestellungen", "Umfragen"]
    assert inventory.set_index("Tabelle").loc["Kunden", "Zeilen"] == "3.000"
    coverage = str(pages.survey_coverage(german_sample_ctx))
    # 390 answers from 390 of the 3,000 customers: 13.0 %
    assert f"(13,0{NB}% der 3.000 Kunden im Bestand)" in coverage
    assert "n = 1.320)" in coverage


def test_retention_in_german_formats_the_log_rank_line_and_the_cox_intro(german_sample_ctx):
    s = str(pages.criterion(german_sample_ctx, "retention"))
    assert re.search(r"Chi² = \d+,\d, df = 1, p < 0,001\.", s)
    assert re.search(r"n = 3\.000 Kunden, 1\.\d{3} Abgänge, Konkordanz 0,\d\d\.", s)


def test_payback_in_german(german_sample_ctx):
    frame = pages.get_scorecard(german_sample_ctx)
    aov = float(frame.loc[frame["kpi"] == "average_order_value", "value"].iloc[0])
    shown = str(pages.why_retention(german_sample_ctx))
    # cost 38 EUR; margin 0.35
    assert f"kostet 38{NB}EUR." in shown and f"von {aov:.2f}{NB}EUR".replace(".", ",") in shown
    assert f"Marge von 35{NB}%" in shown and f"{aov * 0.35:.2f}{NB}EUR".replace(".", ",") in shown


def test_english_action_plan_opens_with_the_codebook_label(sample_ctx):
    why = pages.plan_frame(sample_ctx)["why"]
    assert why.iloc[0].startswith("Delivery: ") and "of detractor comments" in why.iloc[0]


def test_missing_tables_are_named_in_german(ctx):
    german = dataclasses.replace(ctx, lang="de", _cache={})
    assert "keine Ticketdaten: Kennzahlen zu Service übersprungen" in str(pages.criterion(german, "service"))
    assert "keine Empfehlungsdaten: Kennzahlen zu Empfehlungen übersprungen" in \
        str(pages.criterion(german, "referrals"))
    assert "keine Interviews: Die Interviews übersprungen" in str(pages.overview(german))
    assert "keine Umfrageeinladungen: Rücklaufquote übersprungen" in str(pages.survey_coverage(german))
    assert "keine Kundendaten: Kunden übersprungen" in str(pages.inventory(german))


def test_page_three_shows_the_scorecard_once_compact_per_criterion_and_links_to_the_index(sample_ctx):
    """The full scorecard is on the index only: page 3's scorecard section links there, each criterion shows its
    own KPIs with value, interval, n and status (no previous period, target or definition)."""
    top = pages.scorecard(sample_ctx)._repr_html_()
    assert "index.html#kit-scorecard" in top and "<table class='kit-scorecard" not in top
    card = pages.get_scorecard(sample_ctx).set_index("kpi")
    html = pages.criterion(sample_ctx, "service")._repr_html_()
    table = html[html.index("<table class='kit-scorecard kit-compact'"):html.index("</table>")]
    headers = [h.split(">", 1)[1] for h in table.split("</th>")[:-1]]
    assert [h.rsplit(">", 1)[-1] for h in headers] == ["KPI", "Value", "95 % interval", "n", "Status"]
    for kpi in pages.CRITERIA["service"][1]:
        assert f"glossary.html#kpi-{kpi}" in table
        assert f">{int(card.loc[kpi, 'n']):,}<" in table, kpi
    assert table.count("<tr>") == 1 + len(pages.CRITERIA["service"][1])
    assert "index.html#kit-scorecard" in html


@pytest.mark.filterwarnings("ignore")
def test_segment_breakdowns_of_order_dimensions_match_plain_pandas_on_the_raw_files(sample_config):
    """NPS and average order value by order channel and product category, checked against the CSV files: an
    order counts in its own group, a customer's answers in every group of their period's orders."""
    from pathlib import Path

    from kit.report.pages.segments import segment_aov, segment_nps

    ctx = pages.context(None, period="2026-Q3")
    folder = Path(sample_config.data.tables["orders"].file).parent
    orders = pd.read_csv(folder / "bestellungen.csv", sep=";", dtype=str, encoding="utf-8-sig")
    for column in ("Umsatz", "Erstattung"):   # German numbers: 1.234,50
        orders[column] = pd.to_numeric(orders[column].str.replace(".", "").str.replace(",", "."))
    orders["date"] = pd.to_datetime(orders["Bestelldatum"], format="%d.%m.%Y")
    q3 = orders[(orders["date"] >= "2026-07-01") & (orders["date"] < "2026-10-01")]
    aov = segment_aov(ctx).set_index(["dimension", "segment"])
    for category, part in q3.groupby("Kategorie"):
        net = (part["Umsatz"] - part["Erstattung"]).mean()
        assert aov.loc[("category", category), "value"] == pytest.approx(net, rel=1e-9)
        assert aov.loc[("category", category), "n"] == len(part)
    assert aov.xs("channel")["n"].sum() == len(q3)   # each order in exactly one channel

    surveys = pd.read_csv(folder / "surveys.csv", parse_dates=["responded_at"])
    answers = surveys[(surveys["responded_at"] >= "2026-07-01") & (surveys["responded_at"] < "2026-10-01")
                      & surveys["nps"].notna()]
    nps = segment_nps(ctx).set_index(["dimension", "segment"])
    for channel in sorted(q3["Kanal"].unique()):
        ordered = set(q3.loc[q3["Kanal"] == channel, "Kundennummer"])
        scores = answers.loc[answers["customer_id"].isin(ordered), "nps"]
        expected = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
        assert nps.loc[("channel", channel), "n"] == len(scores)
        assert nps.loc[("channel", channel), "value"] == pytest.approx(expected, abs=1e-9)
    # customers who ordered through two channels count in both: more answers than respondents with an order
    with_order = answers["customer_id"].isin(set(q3["Kundennummer"])).sum()
    assert nps.xs("channel")["n"].sum() > with_order


def test_a_compact_kpi_row_without_data_says_why():
    from kit.report.pages._format import compact_kpis_html

    row = pd.DataFrame({"kpi": ["churn_rate"], "label": ["Churn rate"], "value": [float("nan")],
                        "ci_low": [float("nan")], "ci_high": [float("nan")], "n": [float("nan")], "status": ["no_data"],
                        "definition": ["Customers lost / active at the start. Note: churn cannot be observed yet"]})
    page = compact_kpis_html(row)
    assert "churn cannot be observed yet" in page and "Customers lost" not in page


@pytest.mark.parametrize("missing", [True, False])
def test_customer_column_equals_series_map_for_every_dtype(missing):
    # segment_aov looks each order's customer up once and takes every dimension from there; the oracle is
    # pandas' own Series.map of the ids, per dimension (dtype, missing values and group labels alike)
    from kit.report.pages.segments import _customer_column

    customers = pd.DataFrame({
        "customer_id": pd.array(["a", "b", "c", "a"], dtype="str"),
        "text": pd.array(["x", None, "z", "w"], dtype="str"), "number": [1, 2, 3, 4], "share": [1.5, np.nan, 2.0, 3.0],
        "flag": [True, False, True, False], "day": pd.to_datetime(["2026-01-01", None, "2026-02-01", "2026-03-01"]),
        "band": pd.Categorical(["x", "y", "x", "y"]), "nullable": pd.array([1, None, 3, 4], dtype="Int64")})
    ids = ["a", "c", "q", "b"] if missing else ["a", "c", "b"]
    orders = pd.DataFrame({"customer_id": pd.array(ids, dtype="str")}, index=[10, 11, 12, 13][:len(ids)])
    first = customers.drop_duplicates("customer_id").set_index("customer_id")
    at = first.index.get_indexer(orders["customer_id"])
    for column in first.columns:
        expected = orders["customer_id"].map(first[column])
        pd.testing.assert_series_equal(_customer_column(first, at, column, orders.index), expected)


def test_a_resource_warning_of_the_garbage_collector_is_never_a_note():
    # an event loop of an earlier kernel client, closed by the garbage collector while a section runs, once
    # appeared as "Note: unclosed event loop" in the retention section
    import warnings

    s = Section("x", "en")
    with s.collect_warnings():
        warnings.warn("unclosed event loop <_UnixSelectorEventLoop>", ResourceWarning, stacklevel=1)
        warnings.warn("only 12 answers", UserWarning, stacklevel=1)
    notes = "\n".join(str(b.content) for b in s.blocks)
    assert "only 12 answers" in notes and "event loop" not in notes
