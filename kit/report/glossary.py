"""The report's glossary (``glossary.html``): every KPI's definition and the statistical terms, in English and
German, each in one or two sentences a manager understands; the index's KPI names link to it."""

from __future__ import annotations

import html
from pathlib import Path

from kit.definitions import DEFINITIONS, KPI_IDS
from kit.report.render import _TEMPLATES

__all__ = ["TERMS", "glossary_html", "write_glossary", "GLOSSARY_FILE", "kpi_anchor", "glossary_title"]

GLOSSARY_FILE = "glossary.html"

#: term id -> ((English term, explanation), (German term, explanation))
TERMS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "ci": (("95 % interval (CI, confidence interval)",
            "The range in which the true value lies with 95 % confidence, given how many answers or customers the "
            "number rests on. The fewer, the wider. A target counts as met or missed only when the whole range is "
            "on one side of it."),
           ("95-%-KI (95-%-Konfidenzintervall)",
            "KI steht hier für Konfidenzintervall, nicht für künstliche Intelligenz: der Bereich, in dem der wahre "
            "Wert mit 95 % Sicherheit liegt, gemessen an der Zahl der Antworten oder Kunden. Je weniger, desto "
            "breiter. Ein Ziel gilt nur als erreicht oder verfehlt, wenn der ganze Bereich auf einer Seite liegt.")),
    "n": (("n", "How many answers, customers, orders or tickets a number rests on."),
          ("n", "Auf wie vielen Antworten, Kunden, Bestellungen oder Tickets eine Zahl beruht.")),
    "inconclusive": (("inconclusive", "The 95 % interval contains the target: the data cannot yet tell whether "
                                      "the target is met."),
                     ("nicht eindeutig", "Das 95-%-Konfidenzintervall enthält das Ziel: Die Daten können noch nicht "
                                         "sagen, ob es erreicht ist.")),
    "significant": (("significant (p-value)",
                     "A change is significant when chance alone would produce one this large in fewer than 5 of "
                     "100 comparisons (p < 0.05). When many KPIs are compared at once the p-values are adjusted "
                     "(Holm), so that one comparison among many does not look significant by luck."),
                    ("signifikant (p-Wert)",
                     "Eine Veränderung ist signifikant, wenn der Zufall allein eine so große in weniger als 5 von "
                     "100 Vergleichen ergäbe (p < 0,05). Werden viele Kennzahlen zugleich verglichen, werden die "
                     "p-Werte angepasst (Holm), damit nicht ein Vergleich unter vielen zufällig auffällt.")),
    "pp": (("percentage points (pp)", "The difference of two percentages: from 11 % to 14 % is +3 percentage "
                                      "points (and +27 %)."),
           ("Prozentpunkte (Pp.)", "Der Unterschied zweier Prozentwerte: von 11 % auf 14 % sind +3 Prozentpunkte "
                                   "(und +27 %).")),
    "wald": (("adjusted Wald interval", "The interval used for the NPS: it adds a few virtual answers so that "
                                        "small samples do not give falsely narrow ranges."),
             ("adjustiertes Wald-Intervall", "Das Intervall des NPS: Es fügt einige gedachte Antworten hinzu, "
                                             "damit kleine Stichproben keine falsch engen Bereiche ergeben.")),
    "agresti_coull": (("Agresti-Coull interval", "The interval used for shares (CSAT, churn): it adds about two "
                                                 "virtual yes and two virtual no answers, so it stays reliable "
                                                 "also near 0 % and 100 %."),
                      ("Agresti-Coull-Intervall", "Das Intervall für Anteile (CSAT, Abwanderung): Es fügt etwa zwei "
                                                  "gedachte Ja- und zwei Nein-Antworten hinzu und bleibt so auch "
                                                  "nahe 0 % und 100 % verlässlich.")),
    "bgnbd": (("BG/NBD and Gamma-Gamma", "Two standard models of customer value: the first predicts how often a "
                                         "customer will still buy (and whether they are still active), the "
                                         "second how much they spend per order."),
              ("BG/NBD und Gamma-Gamma", "Zwei Standardmodelle des Kundenwerts: Das erste sagt voraus, wie oft ein "
                                         "Kunde noch kauft (und ob er noch aktiv ist), das zweite, wie viel er je "
                                         "Bestellung ausgibt.")),
    "p_alive": (("P(alive)", "The model's probability that a customer is still an active customer."),
                ("P(aktiv)", "Die Wahrscheinlichkeit des Modells, dass ein Kunde noch aktiver Kunde ist.")),
    "kaplan_meier": (("Kaplan-Meier curve", "The share of customers still with us after each month since their "
                                            "first order; customers who joined recently count only as long as "
                                            "we have seen them."),
                     ("Kaplan-Meier-Kurve", "Der Anteil der Kunden, die nach jedem Monat seit ihrer ersten "
                                            "Bestellung noch da sind; neue Kunden zählen nur so lange, wie wir sie "
                                            "beobachten konnten.")),
    "cox": (("Cox model (hazard ratio)", "Compares how fast groups of customers leave: a hazard ratio of 2 means "
                                         "twice the risk of leaving at any time, all else equal."),
            ("Cox-Modell (Hazard Ratio)", "Vergleicht, wie schnell Kundengruppen abwandern: Ein Hazard Ratio von 2 "
                                          "heißt doppeltes Abwanderungsrisiko zu jeder Zeit, bei sonst gleichen "
                                          "Bedingungen.")),
    "concordance": (("concordance", "How well a model orders customers by risk: 0.5 is guessing, 1.0 perfect."),
                    ("Konkordanz", "Wie gut ein Modell Kunden nach Risiko ordnet: 0,5 ist Raten, 1,0 perfekt.")),
    "r2": (("R² (explained variance)", "The share of the differences in the NPS answers that the driver ratings "
                                       "explain together; a driver's share of it is its importance."),
           ("R² (erklärte Varianz)", "Der Anteil der Unterschiede in den NPS-Antworten, den die Treiberbewertungen "
                                     "gemeinsam erklären; der Anteil eines Treibers daran ist seine Bedeutung.")),
    "listwise": (("listwise deletion", "Answers with a missing rating are left out of the driver analysis as a "
                                       "whole; n says how many remain."),
                 ("fallweiser Ausschluss", "Antworten mit einer fehlenden Bewertung bleiben in der "
                                           "Treiberanalyse ganz außen vor; n sagt, wie viele bleiben.")),
    "rfm": (("RFM segments", "Customers grouped by recency (last order), frequency (number of orders) and monetary "
                             "value (net revenue): champions buy recently, often and much; at-risk customers used "
                             "to, but not lately."),
            ("RFM-Segmente", "Kunden gruppiert nach Aktualität (letzte Bestellung), Häufigkeit (Zahl der "
                             "Bestellungen) und Umsatz: Champions kaufen kürzlich, oft und viel; gefährdete Kunden "
                             "taten es früher, zuletzt nicht mehr.")),
    "severity": (("gap severity", "How far a KPI misses its target on the KPI's own scale: the gap divided by the "
                                  "width of the scale (1 for shares, so churn and retention score alike; 200 NPS "
                                  "points; 4 stars) or, for money, orders and hours, by the target; from 0 (met) "
                                  "to 1, half of it when inconclusive."),
                 ("Schwere der Lücke", "Wie weit eine Kennzahl ihr Ziel verfehlt, auf ihrer eigenen Skala: der "
                                       "Abstand geteilt durch die Breite der Skala (1 für Anteile, also zählen "
                                       "Abwanderung und Bindung gleich; 200 NPS-Punkte; 4 Sterne) oder, für Geld, "
                                       "Bestellungen und Stunden, durch das Ziel; von 0 (erreicht) bis 1, die "
                                       "Hälfte, wenn nicht eindeutig.")),
    "order_value_interval": (("interval of the average order value",
                              "A few big buyers carry much of a shop's revenue, and a quarter without them shows "
                              "a low average and a falsely narrow range. The interval is therefore learnt from the "
                              "whole order history: the kit draws many samples of the quarter's size from all "
                              "customers of all quarters and widens the range as far as those samples needed. It "
                              "reaches further up than down."),
                             ("Intervall des durchschnittlichen Bestellwerts",
                              "Wenige Großkunden tragen einen großen Teil des Umsatzes, und ein Quartal ohne sie "
                              "zeigt einen niedrigen Durchschnitt und einen falsch engen Bereich. Das Intervall "
                              "wird deshalb aus der ganzen Bestellhistorie gelernt: Das Kit zieht viele "
                              "Stichproben in der Größe des Quartals aus allen Kunden aller Quartale und weitet den "
                              "Bereich so weit, wie diese Stichproben es brauchten. Es reicht weiter nach oben als "
                              "nach unten.")),
}

_HEAD = {"en": ("Glossary", "Key figures (KPIs)", "Statistical terms", "Back to the summary"),
         "de": ("Glossar", "Kennzahlen (KPIs)", "Statistische Begriffe", "Zurück zur Übersicht")}


def glossary_title(lang: str = "en") -> str:
    """The glossary's title in ``lang`` (a navigation link)."""
    return _HEAD["de" if lang == "de" else "en"][0]


def kpi_anchor(kpi: str) -> str:
    """Id of a KPI's entry in the glossary (``kpi-nps``)."""
    return f"kpi-{kpi}"


def glossary_html(lang: str = "en", *, business: str = "") -> str:
    """The glossary as one self-contained HTML page (escaped; the kit's small and print stylesheets).

    Examples
    --------
    >>> page = glossary_html("de")
    >>> "Konfidenzintervall" in page and "id='kpi-nps'" in page and "id='term-ci'" in page
    True
    """
    esc = html.escape
    de = lang == "de"
    title, kpis_title, terms_title, back = _HEAD["de" if de else "en"]
    css = (_TEMPLATES / "kit.css").read_text(encoding="utf-8") + (_TEMPLATES / "print.css").read_text(
        encoding="utf-8")
    rows = []
    for kpi in KPI_IDS:
        label, definition = DEFINITIONS[kpi].text("de" if de else "en")
        rows.append(f"<dt id='{esc(kpi_anchor(kpi))}'><strong>{esc(label)}</strong> <code>{esc(kpi)}</code></dt>"
                    f"<dd>{esc(definition)}</dd>")
    terms = []
    for term, (en, de_) in TERMS.items():
        name, explanation = de_ if de else en
        terms.append(f"<dt id='term-{esc(term)}'><strong>{esc(name)}</strong></dt><dd>{esc(explanation)}</dd>")
    heading = f"{title}: {business}" if business else title
    return (f"<!DOCTYPE html><html lang='{esc(lang)}'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1.0'>"
            f"<title>{esc(heading)}</title><style>{css}\nbody {{ max-width: 900px; margin: 0 auto; "
            "padding: 8px 20px 40px; }} dd {{ margin: 0 0 10px 18px; }}</style></head><body>"
            f"<p class='kit-noprint'><a href='index.html'>{esc(back)}</a></p><h1>{esc(heading)}</h1>"
            f"<h2>{esc(kpis_title)}</h2><dl>{''.join(rows)}</dl>"
            f"<h2>{esc(terms_title)}</h2><dl>{''.join(terms)}</dl></body></html>")


def write_glossary(folder: Path, lang: str = "en", *, business: str = "") -> Path:
    """Write ``glossary.html`` into ``folder``; returns its path."""
    target = folder / GLOSSARY_FILE
    target.write_text(glossary_html(lang, business=business), encoding="utf-8")
    return target
