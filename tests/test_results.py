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
    # the 20 ids of DESIGN.md, in its order; none may be renamed
    design_ids = ["nps", "csat", "ces", "star_rating", "at_risk_share", "response_rate", "churn_rate",
                  "retention_rate", "repeat_purchase_rate", "purchase_frequency", "average_order_value",
                  "return_rate", "refund_share", "clv_historical", "clv_predicted", "referral_rate",
                  "first_response_hours", "resolution_hours", "sla_share", "complaint_rate"]
    assert list(KPI_IDS) == design_ids


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
