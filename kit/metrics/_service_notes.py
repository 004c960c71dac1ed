"""Wording shared by the notes of the service metrics: counts, the basis of the hours, no tickets.

English counts are written as digits (``1624``), German ones by :func:`kit.results.format_value`
(``1.624``); used by :mod:`kit.metrics.service` and :mod:`kit.metrics._complaints`.
"""

from __future__ import annotations

from kit.definitions import Language
from kit.metrics._business_hours import Basis
from kit.results import format_value

__all__: list[str] = []


def _count(value: int, lang: Language, one: str = "", many: str = "") -> str:
    """A count in a note: English as written so far (``1624``), German by :func:`format_value` (``1.624``),
    followed by the German noun in singular or plural when given."""
    if lang != "de":
        return str(value)
    shown = format_value(value, "count", "de")
    return f"{shown} {one if value == 1 else many}" if many else shown


def _basis_hours(basis: Basis, lang: Language) -> str:
    """``business hours`` / ``calendar hours``; German ``Geschäftsstunden`` / ``Kalenderstunden``."""
    if lang == "de":
        return "Geschäftsstunden" if basis == "business" else "Kalenderstunden"
    return f"{basis} hours"


def _no_tickets(lang: Language) -> str:
    return "keine im Zeitraum eröffneten Tickets" if lang == "de" else "no tickets opened in the period"
