"""The metric result type presents itself with n, interval and definition."""

from __future__ import annotations

import math

from kit.definitions import DEFINITIONS, KPI_IDS, definition, definitions_frame
from kit.results import MetricResult, format_value, no_data


def test_str_shows_value_interval_and_n():
    r = MetricResult("csat", 0.8125, 160, 0.745, 0.865, "share >= 4", "share")
    assert str(r) == "Customer satisfaction (CSAT) = 81.2 % (95 % CI 74.5 % to 86.5 %; n = 160)"


def test_no_data_says_why_and_keeps_the_definition():
    r = no_data("first_response_hours", "no ticket data: service metrics skipped")
    assert not r.has_data and r.n == 0 and math.isnan(r.value)
    assert "no ticket data" in str(r)
    assert r.definition == DEFINITIONS["first_response_hours"].definition


def test_html_escapes_text():
    r = MetricResult("nps", 10.0, 5, note="<script>alert(1)</script>")
    assert "<script>" not in r._repr_html_()
    assert "&lt;script&gt;" in r._repr_html_()


def test_to_frame_is_one_tidy_row_with_extras():
    r = MetricResult("nps", 30.0, 10, 2.0, 58.0, extras={"promoters": 0.5})
    frame = r.to_frame()
    assert frame.shape[0] == 1
    assert frame.loc[0, "promoters"] == 0.5 and frame.loc[0, "n"] == 10


def test_format_value_units():
    assert format_value(0.05, "share") == "5.0 %"
    assert format_value(float("nan"), "share") == "–"
    assert format_value(1234.5, "currency") == "1,234.50"


def test_registry_covers_the_design_kpi_ids():
    # the 20 ids of DESIGN.md, in its order; none may be renamed, more may be added after them
    design_ids = ["nps", "csat", "ces", "star_rating", "at_risk_share", "response_rate", "churn_rate",
                  "retention_rate", "repeat_purchase_rate", "purchase_frequency", "average_order_value",
                  "return_rate", "refund_share", "clv_historical", "clv_predicted", "referral_rate",
                  "first_response_hours", "resolution_hours", "sla_share", "complaint_rate"]
    assert list(KPI_IDS[:len(design_ids)]) == design_ids
    # ids added later come after them: clv_contractual (subscriptions, sBG)
    assert list(KPI_IDS[len(design_ids):]) == ["clv_contractual"]


def test_every_definition_has_both_languages():
    for d in DEFINITIONS.values():
        assert d.label and d.label_de and d.definition and d.definition_de
        assert d.better in ("higher", "lower", "configured")
    assert set(definitions_frame("de")["label"]) == {d.label_de for d in DEFINITIONS.values()}


def test_unknown_kpi_lists_valid_ids():
    try:
        definition("nsp")
    except KeyError as exc:
        assert "nps" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected KeyError")


def test_non_kpi_metrics_have_labels_and_share_differences_show_points():
    # referred 0.657 retained vs others 0.559: +9.8 percentage points, not "9.8 %"
    r = MetricResult("referred_retention", 0.098, 834, 0.046, 0.150, unit="share_diff")
    assert str(r) == ("Retention of referred minus other customers = +9.8 pp "
                      "(95 % CI +4.6 pp to +15.0 pp; n = 834)")


# ---- German: one formatter, taking the language ----------------------------------------------------------------

NB = "\u00a0"


def test_format_value_german_conventions():
    # decimal comma, thousands dot, no-break space before % and the currency, "Pp." for percentage points
    assert format_value(0.628, "share", "de") == f"62,8{NB}%"
    assert format_value(1828, "count", "de") == "1.828" and format_value(1828, "count") == "1,828"
    assert format_value(9.87, "points", "de") == "9,9"
    assert format_value(0.075, "share_diff", "de") == f"+7,5{NB}Pp."
    assert format_value(38.47, "currency", "de", currency="EUR") == f"38,47{NB}EUR"
    assert format_value(12000.5, "currency", "de") == "12.000,50"
    assert format_value(0.8, "hours", "de", symbol=True) == f"0,8{NB}h"
    assert format_value(0.0342, "p", "de") == "0,034" and format_value(0.0004, "p", "de") == "< 0,001"
    assert format_value(float("nan"), "share", "de") == "–"


def test_format_value_english_is_unchanged_and_tables_ask_for_the_no_break_space():
    assert format_value(0.628, "share") == "62.8 %" and format_value(0.628, "share", nbsp=True) == f"62.8{NB}%"
    assert format_value(0.098, "share_diff") == "+9.8 pp" and format_value(5.513, "mean") == "5.51"
    assert format_value(47.5, "per_1000", symbol=True) == "47.5 ‰"
    # a p-value of 1 is "> 0.999": the German "1,000" would read as a thousand
    assert format_value(1.0, "p") == "> 0.999" and format_value(1.0, "p", "de") == "> 0,999"


def test_metric_result_formats_itself_in_german():
    r = MetricResult("csat", 0.628, 1828, 0.577, 0.676, "share >= 4", "share")
    assert r.formatted("de") == f"Kundenzufriedenheit (CSAT) = 62,8{NB}% (95-%-KI 57,7{NB}% bis 67,6{NB}%; n = 1.828)"
    assert str(r) == r.formatted("en") == "Customer satisfaction (CSAT) = 62.8 % (95 % CI 57.7 % to 67.6 %; n = 1,828)"
    shown = no_data("nps", "keine Umfragedaten").formatted("de")
    assert shown == "Net Promoter Score: keine Daten (keine Umfragedaten)"


def test_metric_result_html_in_german_uses_the_registered_german_definition():
    from kit.metrics.advocacy import _RETENTION_DEFINITION

    r = MetricResult("referred_retention", 0.098, 2484, 0.046, 0.150, _RETENTION_DEFINITION, "share_diff")
    html = r.to_html("de")
    assert f"Bindung geworbener minus übriger Kunden = +9,8{NB}Pp." in html
    assert "Definition: Anteil der zum Stichtag noch aktiven Kunden" in html and "Share of customers" not in html
    # a definition the metric wrote itself (not the registered one) is shown as written
    assert "my own words" in r.with_(definition="my own words").to_html("de")
    assert r._repr_html_() == r.to_html("en") and "Retention of referred minus other customers" in r._repr_html_()


def test_a_small_negative_value_is_not_shown_as_minus_zero():
    from kit.results import NBSP, format_value

    assert format_value(-0.0004, "share_diff") == "0.0 pp"           # -0.04 pp rounds to 0.0: no sign
    assert format_value(0.0004, "share_diff") == "0.0 pp"            # and no "+0.0" either
    assert format_value(-0.0004, "share_diff", "de") == f"0,0{NBSP}Pp."
    assert format_value(-0.00001, "share") == "0.0 %"
    assert format_value(-0.06, "number", digits=1) == "-0.1"          # a real negative keeps its sign
    assert format_value(-0.0016, "share_diff") == "-0.2 pp"
