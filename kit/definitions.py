"""The registry of KPI definitions: one place for every label, formula and direction.

Reports print definitions from here, in English or German.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

__all__ = ["Definition", "DEFINITIONS", "KPI_IDS", "METRIC_LABELS", "METRIC_DEFINITIONS", "definition",
           "definitions_frame", "GAP_SCALE", "SCALE_SPANS", "gap_span", "scaled_gap", "CHANGE_TESTS",
           "MULTIPLICITY", "COST_UNIT", "ACTION_TERMS", "action_terms"]

Direction = Literal["higher", "lower", "configured"]
Language = Literal["en", "de"]


@dataclass(frozen=True)
class Definition:
    """How one KPI is defined.

    Attributes
    ----------
    kpi : str
        The KPI id used in ``kpis.csv`` (never renamed).
    label, label_de : str
        Short name in English and German.
    definition, definition_de : str
        The formula in words.
    unit : str
        ``points``, ``share``, ``mean``, ``stars``, ``hours``, ``per_1000``, ``currency``, ``orders``.
    better : {"higher", "lower", "configured"}
        Which direction is good.
    interval : str
        How the 95 % interval is computed (``"none"`` where no interval exists).
    """

    kpi: str
    label: str
    label_de: str
    definition: str
    definition_de: str
    unit: str
    better: Direction
    interval: str

    def text(self, lang: Language = "en") -> tuple[str, str]:
        """``(label, definition)`` in the requested language."""
        if lang == "de":
            return self.label_de, self.definition_de
        return self.label, self.definition


_D = Definition
DEFINITIONS: dict[str, Definition] = {
    d.kpi: d
    for d in (
        _D("nps", "Net Promoter Score", "Net Promoter Score",
           "% promoters (9-10) minus % detractors (0-6) among answers on the 0-10 scale; -100 to 100.",
           "% Promotoren (9-10) minus % Kritiker (0-6) unter den Antworten auf der Skala 0-10; -100 bis 100.",
           "points", "higher", "adjusted Wald (add 3/4 to promoters and detractors, 3 to n)"),
        _D("csat", "Customer satisfaction (CSAT)", "Kundenzufriedenheit (CSAT)",
           "Share of satisfaction ratings of 4 or 5 on the 1-5 scale (top-2 box).",
           "Anteil der Zufriedenheitsbewertungen 4 oder 5 auf der Skala 1-5 (Top-2-Box).",
           "share", "higher", "Agresti-Coull"),
        _D("ces", "Customer effort score (CES)", "Kundenaufwand (CES)",
           "Mean answer on the configured effort scale.",
           "Mittelwert der Antworten auf der konfigurierten Aufwandsskala.",
           "mean", "configured", "pseudo-answers at the scale ends (Agresti-Coull for a bounded mean)"),
        _D("star_rating", "Star rating", "Sternebewertung",
           "Mean of the 1-5 star ratings.", "Mittelwert der Sternebewertungen (1-5).",
           "stars", "higher", "pseudo-answers at the scale ends (Agresti-Coull for a bounded mean)"),
        _D("at_risk_share", "At-risk share (stars <= 3)", "Anteil gefährdet (Sterne <= 3)",
           "Share of star ratings of 3 or fewer (5 = advocate, 4 = satisfied, <= 3 = at risk).",
           "Anteil der Sternebewertungen von 3 oder weniger (5 = Fürsprecher, 4 = zufrieden, <= 3 = gefährdet).",
           "share", "lower", "Agresti-Coull"),
        _D("response_rate", "Survey response rate", "Rücklaufquote",
           "Survey answers / survey invitations sent in the period.",
           "Umfrageantworten / im Zeitraum versandte Einladungen.",
           "share", "higher", "Agresti-Coull"),
        _D("churn_rate", "Churn rate", "Abwanderungsquote",
           "Customers lost during the period / customers active at its start. Lost = exit recorded, "
           "or the inactivity rule first holds inside the period.",
           "Im Zeitraum verlorene Kunden / aktive Kunden zu Beginn. Verloren = Kündigung erfasst "
           "oder die Inaktivitätsregel greift erstmals im Zeitraum.",
           "share", "lower", "Agresti-Coull"),
        _D("retention_rate", "Retention rate", "Bindungsquote",
           "1 - churn rate: customers active at the start of the period who were not lost during it.",
           "1 - Abwanderungsquote: zu Beginn aktive Kunden, die im Zeitraum nicht verloren gingen.",
           "share", "higher", "Agresti-Coull"),
        _D("repeat_purchase_rate", "Repeat purchase rate", "Wiederkaufrate",
           "Customers with 2 or more orders / customers with 1 or more orders in the period.",
           "Kunden mit 2 oder mehr Bestellungen / Kunden mit mindestens 1 Bestellung im Zeitraum.",
           "share", "higher", "Agresti-Coull"),
        _D("purchase_frequency", "Purchase frequency", "Kaufhäufigkeit",
           "Orders per active (ordering) customer in the period.",
           "Bestellungen je aktivem (bestellendem) Kunden im Zeitraum.",
           "orders", "higher", "t interval of the mean"),
        _D("average_order_value", "Average order value", "Durchschnittlicher Bestellwert",
           "Net revenue (revenue - refunds) per order in the period.",
           "Nettoumsatz (Umsatz - Erstattungen) je Bestellung im Zeitraum.",
           "currency", "higher", "studentised interval on the log scale with the customer-clustered standard "
           "error, its quantiles learnt by resampling the customers of the whole order history (bootstrap-t)"),
        _D("return_rate", "Return rate", "Retourenquote",
           "Share of orders in the period with a return or a refund.",
           "Anteil der Bestellungen im Zeitraum mit Retoure oder Erstattung.",
           "share", "lower", "Agresti-Coull"),
        _D("refund_share", "Refund share of revenue", "Erstattungsanteil am Umsatz",
           "Refunds / gross revenue of the orders in the period.",
           "Erstattungen / Bruttoumsatz der Bestellungen im Zeitraum.",
           "share", "lower", "ratio estimator with pseudo-orders (Agresti-Coull for a ratio of sums)"),
        _D("clv_historical", "Historical CLV", "Historischer Kundenwert",
           "Mean net revenue x margin per customer, from the first order to the end of the period.",
           "Mittlerer Nettoumsatz x Marge je Kunde, von der ersten Bestellung bis Periodenende.",
           "currency", "higher", "t interval of the mean"),
        _D("clv_predicted", "Predicted CLV", "Prognostizierter Kundenwert",
           "Mean predicted net value x margin per customer over the configured horizon "
           "(BG/NBD + Gamma-Gamma, monthly discounting).",
           "Mittlerer prognostizierter Nettowert x Marge je Kunde über den konfigurierten Horizont "
           "(BG/NBD + Gamma-Gamma, monatlich diskontiert).",
           "currency", "higher", "parametric bootstrap of the model parameters"),
        _D("referral_rate", "Referral rate", "Empfehlungsquote",
           "Customers who referred someone in the period / customers active in the period.",
           "Kunden, die im Zeitraum jemanden empfohlen haben / im Zeitraum aktive Kunden.",
           "share", "higher", "Agresti-Coull"),
        _D("first_response_hours", "First response time", "Erstreaktionszeit",
           "Median hours from ticket opening to first response (calendar or business hours, as configured).",
           "Median der Stunden von Ticketeröffnung bis zur ersten Antwort (Kalender- oder Geschäftsstunden).",
           "hours", "lower", "distribution-free interval of the median (binomial order statistics)"),
        _D("resolution_hours", "Resolution time", "Lösungszeit",
           "Median hours from ticket opening to resolution (calendar or business hours, as configured).",
           "Median der Stunden von Ticketeröffnung bis zur Lösung (Kalender- oder Geschäftsstunden).",
           "hours", "lower", "distribution-free interval of the median (binomial order statistics)"),
        _D("sla_share", "First responses within SLA", "Erstreaktionen innerhalb SLA",
           "Share of tickets whose first response came within the configured SLA hours.",
           "Anteil der Tickets mit erster Antwort innerhalb der konfigurierten SLA-Stunden.",
           "share", "higher", "Agresti-Coull"),
        _D("complaint_rate", "Complaint rate", "Beschwerdequote",
           "Complaints opened in the period per 1,000 orders in the period.",
           "Im Zeitraum eröffnete Beschwerden je 1.000 Bestellungen im Zeitraum.",
           "per_1000", "lower", "exact Poisson interval on the complaint count"),
        _D("clv_contractual", "Contractual CLV (sBG)", "Vertraglicher Kundenwert (sBG)",
           "Mean expected residual value x margin of the running subscriptions: amount per billing period x "
           "discounted expected residual lifetime (shifted-beta-geometric model, Fader & Hardie 2007, 2010).",
           "Mittlerer erwarteter Restwert x Marge der laufenden Abonnements: Betrag je Abrechnungszeitraum x "
           "abgezinste erwartete Restlaufzeit (shifted-beta-geometrisches Modell, Fader & Hardie 2007, 2010).",
           "currency", "higher", "parametric bootstrap of the sBG parameters"),
    )
}

KPI_IDS: tuple[str, ...] = tuple(DEFINITIONS)

#: Labels (en, de) of metrics that are not scorecard KPIs but are shown with their numbers.
METRIC_LABELS: dict[str, tuple[str, str]] = {
    "nps_change": ("NPS change", "NPS-Veränderung"),
    "referred_retention": ("Retention of referred minus other customers",
                           "Bindung geworbener minus übriger Kunden"),
    "inter_purchase_days": ("Median days between purchases", "Median der Tage zwischen Käufen"),
    "frequency_spend_correlation": ("Correlation of purchase frequency and spend",
                                    "Korrelation von Kaufhäufigkeit und Ausgaben"),
}


#: Definitions (en, de) of those metrics. The English text is the one the metric function writes; a
#: report shows the German one only where the result carries exactly that English text.
METRIC_DEFINITIONS: dict[str, tuple[str, str]] = {
    "nps_change": ("Change in NPS points between two periods; z-test on the difference with the variance "
                   "[p + d - (p - d)^2] (1/n1 + 1/n2) of both periods pooled (no change assumed).",
                   "Veränderung des NPS in Punkten zwischen zwei Zeiträumen; z-Test auf die Differenz mit der "
                   "Varianz [p + d - (p - d)^2] (1/n1 + 1/n2) beider Zeiträume zusammen (keine Veränderung "
                   "angenommen)."),
    "referred_retention": ("Share of customers still active at the reference date (an order within the inactivity "
                           "window) among referred customers minus the same share among all other customers; "
                           "customers whose first order is younger than the window are left out. Two-proportion "
                           "z-test.",
                           "Anteil der zum Stichtag noch aktiven Kunden (eine Bestellung innerhalb des "
                           "Inaktivitätsfensters) unter den geworbenen Kunden minus derselbe Anteil unter allen "
                           "anderen Kunden; Kunden, deren erste Bestellung jünger als das Fenster ist, bleiben "
                           "außen vor. z-Test für zwei Anteile."),
    "inter_purchase_days": ("Median days between consecutive orders of the same customer.",
                            "Median der Tage zwischen aufeinanderfolgenden Bestellungen desselben Kunden."),
}

#: How the change of each KPI between two periods is tested (en, de). Every test estimates its variance
#: under "nothing changed"; cumulative and model-based KPIs get none.
CHANGE_TESTS: dict[str, tuple[str, str]] = {
    "nps": ("z-test, variance of both periods pooled", "z-Test, Varianz beider Zeiträume zusammen"),
    "share": ("two-proportion z-test, pooled share", "z-Test für zwei Anteile, gemeinsamer Anteil"),
    "mean": ("t-test, variance pooled around the common mean", "t-Test, Varianz um den gemeinsamen Mittelwert"),
    "clustered_mean": ("t-test, customer-clustered variance pooled under no change",
                       "t-Test, nach Kunden geclusterte Varianz beider Zeiträume zusammen"),
    "ratio": ("z-test of the ratio, residual variance pooled", "z-Test des Verhältnisses, gemeinsame Restvarianz"),
    "rate": ("exact conditional test of two Poisson rates", "exakter bedingter Test zweier Poisson-Raten"),
    "median": ("none: a median has no standard error", "keiner: ein Median hat keinen Standardfehler"),
    "cumulative": ("none: a cumulative KPI to date overlaps the previous period's value",
                   "keiner: eine kumulierte Kennzahl bis heute überlappt den Wert der Vorperiode"),
    "model": ("none: the two fits share most of their data and average over different customers",
              "keiner: die beiden Modellanpassungen teilen die meisten Daten und mitteln über verschiedene Kunden"),
}

#: The multiplicity correction of the scorecard's change tests, as printed (en, de).
MULTIPLICITY: tuple[str, str] = (
    "p-values of the changes are Holm-adjusted across the scorecard's change tests (family-wise error 5 %; the "
    "retention rate, being the churn rate's complement, shares its test); the raw p-value is shown alongside, "
    "and a change is called significant only when the adjusted p-value is below 0.05.",
    "Die p-Werte der Veränderungen sind nach Holm über die Veränderungstests der Übersicht korrigiert "
    "(familienweiser Fehler 5\u00a0%; die Bindungsquote als Gegenstück der Abwanderungsquote teilt deren Test); der "
    "rohe p-Wert steht daneben, und eine Veränderung heißt nur signifikant, wenn der korrigierte p-Wert unter "
    "0,05 liegt.")

#: The width of each bounded unit's scale: a gap is measured in these units (see :func:`gap_span`).
SCALE_SPANS: dict[str, float] = {"share": 1.0, "points": 200.0, "stars": 4.0}

#: The one gap scale of every KPI (en, de), printed on the actions page.
GAP_SCALE: tuple[str, str] = (
    "Gap on the KPI's own scale: how far the value falls short of the target, divided by the width of the KPI's "
    "scale (1 for shares, so 3.8 points of churn or of retention both score 0.038; 200 NPS points; 4 stars; the "
    "configured CES scale) or, for KPIs without an upper bound (money, orders, hours, complaints per 1,000), by "
    "the target. Severity = this gap, 0 to 1, halved when the interval straddles the target.",
    "Abstand auf der eigenen Skala der Kennzahl: wie weit der Wert das Ziel verfehlt, geteilt durch die Breite "
    "der Skala der Kennzahl (1 für Anteile, also zählen 3,8 Punkte Abwanderung wie 3,8 Punkte Bindung 0,038; "
    "200 NPS-Punkte; 4 Sterne; die konfigurierte CES-Skala) oder, für Kennzahlen ohne Obergrenze (Geld, "
    "Bestellungen, Stunden, Beschwerden je 1.000), durch das Ziel. Schwere = dieser Abstand, 0 bis 1, halbiert, "
    "wenn das Intervall das Ziel einschließt.")


#: The cost unit of the action score: expected impact per this many units of the business currency.
COST_UNIT = 1000

#: The parts of the action plan's score (en, de), each with its formula and unit; ``{currency}`` is the business
#: currency. Printed on the actions page, in the glossary and beside ``actions.csv``.
ACTION_TERMS: dict[str, tuple[str, str]] = {
    "impact": (
        "Impact (0-100 %): the mean of the action's evidence components, each 0 to 1: the largest gap severity of "
        "the KPIs it addresses, its drivers' share of the explained variance, the share of low-score comments "
        "that mention its themes negatively, its complaint categories' share of all complaints, and the share of "
        "the value at risk held by the customers its problems touch. A kind of evidence the data lack is left "
        "out of the mean.",
        "Wirkung (0-100\u00a0%): Mittelwert der Befundanteile der Maßnahme, jeder von 0 bis 1: die größte "
        "Abstandsschwere der adressierten Kennzahlen, der Anteil ihrer Treiber an der erklärten Varianz, der "
        "Anteil der Kommentare mit niedrigen Werten, die ihre Themen negativ erwähnen, der Anteil ihrer "
        "Beschwerdekategorien an allen Beschwerden und der Anteil am gefährdeten Wert, den die betroffenen "
        "Kunden halten. Befundarten, zu denen Daten fehlen, bleiben außerhalb des Mittelwerts."),
    "confidence": (
        "Confidence (0-100 %): how firmly the impact rests on data, the impact-weighted mean of each component's "
        "confidence: its n against thresholds.min_n (full at min_n or more), and for drivers the width of the "
        "bootstrap interval and the number of complete answers (full at 100).",
        "Sicherheit (0-100\u00a0%): wie fest die Wirkung auf Daten beruht, der nach Wirkung gewichtete Mittelwert "
        "der Sicherheit jedes Anteils: sein n gegenüber thresholds.min_n (voll ab min_n), bei Treibern zudem die "
        "Breite des Bootstrap-Intervalls und die Zahl vollständiger Antworten (voll ab 100)."),
    "expected_impact": (
        "Expected impact (0-100 %) = impact × confidence.",
        "Erwartete Wirkung (0-100\u00a0%) = Wirkung × Sicherheit."),
    "score": (
        "Priority score = expected impact per 1,000 {currency} of cost = impact × confidence / (cost / 1,000 "
        "{currency}). Unit: expected impact (0 to 1) per 1,000 {currency}. The plan is ranked by it, highest first. "
        "An action without a cost (or a cost of 0) cannot be weighed per {currency}: it is ranked after every "
        "costed action, by impact × confidence / effort (1-5), and its score_basis is 'effort'.",
        "Prioritätswert = erwartete Wirkung je 1.000 {currency} Kosten = Wirkung × Sicherheit / (Kosten / 1.000 "
        "{currency}). Einheit: erwartete Wirkung (0 bis 1) je 1.000 {currency}. Der Plan ist danach geordnet, "
        "höchster zuerst. Eine Maßnahme ohne Kosten (oder mit Kosten 0) lässt sich nicht je {currency} abwägen: "
        "sie steht nach allen Maßnahmen mit Kosten, geordnet nach Wirkung × Sicherheit / Aufwand (1-5), und ihre "
        "score_basis ist 'effort'."),
    "not_needed": (
        "Not needed now: every KPI the action addresses meets its target and no driver (important and rated "
        "below average) and no theme (mentioned negatively in at least 5 % of the low-score comments) argues "
        "for it. It stays in actions.csv with status not_needed and no rank.",
        "Derzeit nicht nötig: Jede Kennzahl, die die Maßnahme adressiert, erreicht ihr Ziel, und weder ein "
        "Treiber (wichtig und unterdurchschnittlich bewertet) noch ein Thema (in mindestens 5\u00a0% der "
        "Kommentare mit niedrigen Werten negativ erwähnt) spricht für sie. Sie bleibt in actions.csv mit dem "
        "Status not_needed und ohne Rang."),
}


def action_terms(lang: Language = "en", *, currency: str = "EUR") -> dict[str, str]:
    """The definitions of :data:`ACTION_TERMS` in ``lang``, with the business currency filled in.

    Examples
    --------
    >>> action_terms("en")["expected_impact"]
    'Expected impact (0-100 %) = impact × confidence.'
    >>> action_terms("de", currency="CHF")["score"].split(" = ")[1]
    'erwartete Wirkung je 1.000 CHF Kosten'
    """
    i = 1 if lang == "de" else 0
    return {key: pair[i].format(currency=currency) for key, pair in ACTION_TERMS.items()}


def gap_span(kpi: str, target: float, *, ces_scale: tuple[float, float] = (1, 7)) -> float:
    """The width a KPI's gap is divided by: its scale's width, or the target for KPIs without an upper bound.

    Parameters
    ----------
    kpi : str
        A KPI id (other ids: the target).
    target : float
        The KPI's target.
    ces_scale : (float, float)
        The configured CES scale (``thresholds.ces_scale``).

    Returns
    -------
    float
        1 for shares, 200 for NPS points, 4 for stars, ``high - low`` for CES, else ``|target|`` (NaN for a
        target of 0).

    Examples
    --------
    >>> gap_span("churn_rate", 0.10), gap_span("retention_rate", 0.90), gap_span("nps", 30)
    (1.0, 1.0, 200.0)
    >>> gap_span("average_order_value", 40.0), gap_span("ces", 5.5, ces_scale=(1, 7))
    (40.0, 6.0)
    """
    d = DEFINITIONS.get(kpi)
    if kpi == "ces":
        return float(ces_scale[1] - ces_scale[0])
    if d is not None and d.unit in SCALE_SPANS:
        return SCALE_SPANS[d.unit]
    return abs(float(target)) if target else float("nan")


def scaled_gap(kpi: str, gap: float, target: float, *, ces_scale: tuple[float, float] = (1, 7)) -> float:
    """A KPI's gap (positive = worse than the target) on the one gap scale, :data:`GAP_SCALE`.

    Examples
    --------
    >>> round(scaled_gap("churn_rate", 0.0384, 0.10), 4), round(scaled_gap("retention_rate", 0.0384, 0.90), 4)
    (0.0384, 0.0384)
    >>> scaled_gap("star_rating", 0.5, 4.3), scaled_gap("nps", 20.0, 30.0)
    (0.125, 0.1)
    """
    return gap / gap_span(kpi, target, ces_scale=ces_scale)


def definition(kpi: str) -> Definition:
    """Look up a KPI definition; the error lists the valid ids.

    Examples
    --------
    >>> definition("nps").better
    'higher'
    """
    try:
        return DEFINITIONS[kpi]
    except KeyError:
        raise KeyError(f"unknown KPI id {kpi!r}; valid ids: {', '.join(KPI_IDS)}") from None


def definitions_frame(lang: Language = "en") -> pd.DataFrame:
    """All definitions as a table (kpi, label, definition, unit, better, interval)."""
    rows = []
    for d in DEFINITIONS.values():
        label, text = d.text(lang)
        rows.append({"kpi": d.kpi, "label": label, "definition": text, "unit": d.unit,
                     "better": d.better, "interval": d.interval})
    return pd.DataFrame(rows)
