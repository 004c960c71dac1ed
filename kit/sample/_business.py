"""What the sample business is (private to :mod:`kit.sample`): its calendar, its vocabulary and its ids.

The dates the sample spans and its survey quarters, the regions and acquisition channels with
their shares, the product categories, order and ticket channels, ticket and exit categories and
the survey drivers. :mod:`kit.sample._sim` draws the customers' histories from these, and
:mod:`kit.sample._frames` writes them into the canonical tables with the same names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CATEGORIES", "CHANNELS", "DRIVERS", "EXIT_CATEGORIES", "ORDER_CHANNELS", "Q_DAYS", "SAMPLE_END",
           "SAMPLE_START", "STATES", "TICKET_CATEGORIES", "TICKET_CHANNELS", "T_END", "WAVES", "format_ids"]

SAMPLE_START = pd.Timestamp("2023-10-01")
"""First day of the sample (first possible order)."""
SAMPLE_END = pd.Timestamp("2026-10-01")
"""First instant after the sample (exclusive); the latest complete quarter is 2026-Q3."""

T_END = float((SAMPLE_END - SAMPLE_START).days)  # 1096 days
_QUARTERS = pd.date_range("2023-10-01", "2026-10-01", freq="QS-OCT")
Q_DAYS = np.array([(q - SAMPLE_START).days for q in _QUARTERS], dtype=float)  # 13 boundaries
WAVES = [f"{q.year}-Q{(q.month - 1) // 3 + 1}" for q in _QUARTERS[:-1]]

STATES = {  # Bundesland: population share (approx.)
    "Nordrhein-Westfalen": 21.5, "Bayern": 15.9, "Baden-Württemberg": 13.4, "Niedersachsen": 9.6,
    "Hessen": 7.6, "Rheinland-Pfalz": 4.9, "Sachsen": 4.8, "Berlin": 4.4, "Schleswig-Holstein": 3.5,
    "Brandenburg": 3.0, "Sachsen-Anhalt": 2.6, "Thüringen": 2.5, "Hamburg": 2.2,
    "Mecklenburg-Vorpommern": 1.9, "Saarland": 1.2, "Bremen": 0.8,
}
CHANNELS = {"Suchmaschine": 0.32, "Marktplatz": 0.22, "Social Media": 0.20, "Empfehlung": 0.15, "Newsletter": 0.11}
CATEGORIES = ("Espresso", "Filterkaffee", "Entkoffeiniert", "Probierset", "Zubehör")
ORDER_CHANNELS = ("Webshop", "App", "Telefon", "Marktplatz")
TICKET_CATEGORIES = ("delivery", "damaged", "billing", "product", "service", "website")
TICKET_CHANNELS = ("email", "phone", "chat", "form")
EXIT_CATEGORIES = ("price", "delivery", "service", "quality", "moved", "no_need")
DRIVERS = ("delivery", "price", "quality", "service", "website")


def format_ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """``prefix`` + zero-padded numbers, e.g. ``B00000042``."""
    return prefix + pd.Series(numbers, dtype="int64").astype("str").str.zfill(width)
