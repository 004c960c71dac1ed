"""Which report sections each optional column feeds, for the data-quality report.

``validate`` (and page 2) say, per table, which optional columns are there and which are not,
and for each the sections of the report it feeds: a user who left ``refund_amount`` out of the
export learns before the run that the return and refund rates will say they need it.
"""

from __future__ import annotations

from typing import Any

from kit.data.contract import quality_row

__all__ = ["OPTIONAL_FEEDS", "optional_columns_row"]

#: table -> optional column (``driver_*`` for the family) -> keys of the sections it feeds
#: (:data:`kit.data.check_texts.CHECK_TEXTS`, ``sec_*``).
OPTIONAL_FEEDS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {"segment": ("sec_segments",), "acquisition_channel": ("sec_channel",)},
    "orders": {"refund_amount": ("sec_returns", "sec_net_value"), "returned": ("sec_returns",)},
    "surveys": {"customer_id": ("sec_survey_customers",), "comment": ("sec_comments",),
                "driver_*": ("sec_drivers",)},
    "tickets": {"customer_id": ("sec_service_churn",), "first_response_at": ("sec_first_response",),
                "resolved_at": ("sec_resolution",), "is_complaint": ("sec_complaints",),
                "category": ("sec_ticket_categories",)},
    "exits": {"reason": ("sec_exit_reasons",), "category": ("sec_exit_categories",)},
    "referrals": {"referred_id": ("sec_referred",)},
    "contacts": {"responded": ("sec_response_rate",)},
}


def _present(column: str, columns: list[str]) -> bool:
    if column.endswith("*"):
        return any(c.startswith(column[:-1]) for c in columns)
    return column in columns


def optional_columns_row(table: str, columns: list[str]) -> dict[str, Any] | None:
    """The quality-report row that lists a table's optional columns and the report sections they feed.

    Parameters
    ----------
    table : str
        Table of the data contract.
    columns : list of str
        The table's columns after mapping (contract names).

    Returns
    -------
    dict or None
        A :func:`kit.data.contract.quality_row` (severity ``info``; count = optional columns absent; the
        example, when any is absent, names the absent and the present ones with their sections), or None
        for a table without such columns.

    Examples
    --------
    >>> row = optional_columns_row("exits", ["customer_id", "exit_date", "reason"])
    >>> row["count"], row["example"]
    (1, 'absent: category (exit categories) | present: reason (reasons for leaving, coded by the codebook)')
    """
    feeds = OPTIONAL_FEEDS.get(table)
    if not feeds:
        return None

    def item(column: str) -> dict[str, Any]:
        return {"key": "feeds", "params": {"column": column,
                                           "sections": [{"key": k} for k in feeds[column]]}}

    absent = [item(c) for c in feeds if not _present(c, columns)]
    present = [item(c) for c in feeds if _present(c, columns)]
    # the example names the absent columns and the present ones; a table with every optional column has nothing
    # to say (its row passes, like every check that found nothing)
    example = "ex_optional_both" if absent and present else "ex_optional_absent" if absent else ""
    return quality_row(table, "optional_columns", "info", len(absent), example_key=example,
                       params={"absent": absent, "present": present})
