"""loyalty-kit: how strong are our customer relationships, why, and what do we do next?

Everything a notebook needs is importable from ``kit`` directly. Importing ``kit``
is cheap and has no side effects: each name is loaded from its module on first use.

Data flows config → read and validate → tidy tables → metrics and models →
scorecard and evidence → notebooks → report folder, and the sub-packages follow it:

- shared vocabulary: :mod:`kit.errors`, :mod:`kit.definitions`, :mod:`kit.labels`, :mod:`kit.results`;
- :mod:`kit.data`: configuration, data contract, reading, conversion, checks, periods, privacy;
- :mod:`kit.sample`: the bundled sample business;
- :mod:`kit.metrics`: KPI functions; :mod:`kit.text`: codebook, coding, themes, interviews, quotes;
- :mod:`kit.models`: survival, CLV, key drivers;
- :mod:`kit.plan`: scorecard, evidence, actions, customer lists;
- :mod:`kit.report`: pages, plots, templates and the run; :mod:`kit.cli`: the command.

Each stage imports only the stages before it.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module. Each section belongs to one module; keep it in the data-flow order.
_EXPORTS: dict[str, str] = {
    # errors and warnings
    **dict.fromkeys(
        ["KitError", "ConfigError", "DataError", "ReportError", "SmallSampleWarning",
         "DataQualityWarning", "NonResponseWarning"], "kit.errors"),
    # configuration, periods, definitions, results
    **dict.fromkeys(["load_config", "AnalysisConfig"], "kit.data.config"),
    **dict.fromkeys(["Period", "parse_period", "latest_complete_period", "periods_between"], "kit.data.periods"),
    **dict.fromkeys(["definition", "definitions_frame", "KPI_IDS", "DEFINITIONS"], "kit.definitions"),
    **dict.fromkeys(["MetricResult", "no_data"], "kit.results"),
    **dict.fromkeys(["LoyaltyData", "TABLES"], "kit.data.contract"),
    **dict.fromkeys(["pseudonymise", "scrub_personal_data"], "kit.data.privacy"),
    # reading and validation
    **dict.fromkeys(["read_data", "read_table", "validate"], "kit.data.io"),
    # the sample business
    **dict.fromkeys(["sample_config_path", "load_sample", "generate_sample", "write_sample"], "kit.sample"),
    **dict.fromkeys(["check_exercise", "EXERCISES"], "kit.sample.exercises"),
    # metrics
    **dict.fromkeys(
        ["nps", "compare_nps", "nps_by_segment", "csat", "ces", "star_rating", "at_risk_share",
         "star_segments", "at_risk_list", "response_rate"], "kit.metrics.survey"),
    **dict.fromkeys(
        ["churn_rate", "retention_rate", "churn_by_period", "convert_rate", "loss_moments",
         "repeat_purchase_rate", "purchase_frequency", "inter_purchase_days"], "kit.metrics.behaviour"),
    **dict.fromkeys(["cohort_retention", "rfm_segments"], "kit.metrics.segments"),
    **dict.fromkeys(
        ["net_revenue", "average_order_value", "return_rate", "refund_share", "clv_historical"],
        "kit.metrics.value"),
    **dict.fromkeys(["referral_rate", "referred_retention", "exit_reasons"], "kit.metrics.advocacy"),
    **dict.fromkeys(["subscriptions_of", "subscription_lifetimes", "contractual_churn", "contractual_retention",
                     "contractual_churn_by_period", "churn_by_tenure"], "kit.metrics.contracts"),
    **dict.fromkeys(
        ["first_response_hours", "resolution_hours", "sla_share", "complaint_rate",
         "complaints_by_category", "business_hours_between", "median_interval"], "kit.metrics.service"),
    # models
    **dict.fromkeys(["lifetime_table", "KaplanMeier", "CoxChurnModel", "logrank_test"], "kit.models.survival"),
    **dict.fromkeys(["summarise_customers", "BetaGeo", "GammaGamma", "customer_value", "clv_predicted",
                     "holdout_comparison", "frequency_spend_correlation", "ShiftedBetaGeometric",
                     "subscriber_values", "clv_contractual"], "kit.models.clv"),
    **dict.fromkeys(["KeyDrivers", "importance_performance"], "kit.models.drivers"),
    **dict.fromkeys(["read_interviews", "intercoder_agreement"], "kit.text.interviews"),
    **dict.fromkeys(["read_codebook"], "kit.text.codebook"),
    **dict.fromkeys(["code_texts", "uncoded_texts", "uncoded_share"], "kit.text.coding"),
    **dict.fromkeys(["frequent_terms"], "kit.text.vocabulary"),
    **dict.fromkeys(["check_text_sources"], "kit.text.sources"),
    **dict.fromkeys(["theme_frequency", "common_themes", "aspects", "cooccurrence", "theme_contrast",
                     "reasons_pareto"], "kit.text.themes"),
    **dict.fromkeys(["quotes", "as_html_table"], "kit.text.verbatims"),
    # scorecard and actions
    **dict.fromkeys(["scorecard", "resolve_period", "kpi_status"], "kit.plan.scorecards"),
    **dict.fromkeys(["kpi_gaps", "Evidence", "gather_evidence"], "kit.plan.evidence"),
    **dict.fromkeys(["prioritise_actions"], "kit.plan.actions"),
    **dict.fromkeys(["watch_list", "winback_list", "advocates"], "kit.plan.lists"),
    # plots (one line per area module)
    **dict.fromkeys(["plot_nps_distribution", "plot_nps_trend", "plot_star_segments"], "kit.report.plots.survey"),
    **dict.fromkeys(["plot_service_times"], "kit.report.plots.service"),
    **dict.fromkeys(["plot_survival", "plot_cohort_retention", "plot_orders_per_customer", "plot_churn_trend",
                     "plot_rfm_segments"], "kit.report.plots.behaviour"),
    **dict.fromkeys(["plot_holdout", "plot_frequency_spend", "plot_p_alive"], "kit.report.plots.clv"),
    **dict.fromkeys(["plot_themes_by_segment", "plot_theme_polarity"], "kit.report.plots.interviews"),
    **dict.fromkeys(["plot_driver_importance", "plot_importance_performance"], "kit.report.plots.drivers"),
    **dict.fromkeys(["plot_impact_effort"], "kit.report.plots.actions"),
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
