"""UI strings of the report pages and the summary, in English and German.

Only presentation text lives here (section titles, "no data" lines, column
headers), and the colour of each scorecard status. Metric labels and definitions
come from :mod:`kit.definitions`; the texts of the data-quality checks from
:mod:`kit.data.check_texts`.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["text", "table_name", "no_data_for", "LABELS", "STATUS_TEXT", "STATUS_COLOURS", "TABLE_NAMES",
           "MISSING_DATA", "LANGUAGES"]

Language = Literal["en", "de"]
#: The report languages, in the order of the pairs in :data:`LABELS`.
LANGUAGES: tuple[str, ...] = ("en", "de")

#: key -> (English, German). ``{name}`` placeholders are filled by :func:`text`.
LABELS: dict[str, tuple[str, str]] = {
    # generic
    "not_available": ("not available yet: {what}", "noch nicht verfügbar: {what}"),
    "no_table": ("no {table} data: {what} skipped", "{table}: {what} übersprungen"),  # table: see no_data_for
    "metrics_of": ("{title} metrics", "Kennzahlen zu {title}"),
    "period": ("Period", "Zeitraum"),
    "smoke": ("smoke run (small and fast; numbers are indicative only)",
              "Schnelllauf (klein und schnell; Zahlen nur zur Orientierung)"),
    "tables_read": ("Tables read", "Gelesene Tabellen"),
    "note": ("Note", "Hinweis"),
    "definition": ("Definition", "Definition"),
    "n": ("n", "n"),
    "result_interval": ("95 % CI {low} to {high}; n = {n}", "95-%-KI {low} bis {high}; n = {n}"),
    # column headers
    "col_kpi": ("KPI", "Kennzahl"),
    "col_value": ("Value", "Wert"),
    "col_interval": ("95 % interval", "95-%-Intervall"),
    "col_previous": ("Previous period", "Vorperiode"),
    "col_change": ("Change", "Veränderung"),
    "col_target": ("Target", "Ziel"),
    "col_status": ("Status", "Status"),
    "col_better": ("Better when", "Besser, wenn"),
    "col_table": ("Table", "Tabelle"),
    "col_file": ("File", "Datei"),
    "col_rows": ("Rows", "Zeilen"),
    "col_customers": ("Customers", "Kunden"),
    "col_first": ("First date", "Erstes Datum"),
    "col_last": ("Last date", "Letztes Datum"),
    "higher": ("higher", "höher"),
    "lower": ("lower", "niedriger"),
    # page 1
    "business": ("The business", "Das Unternehmen"),
    "vision": ("Vision", "Vision"),
    "model": ("Business model", "Geschäftsmodell"),
    "positioning": ("Positioning", "Positionierung"),
    "market": ("Market", "Markt"),
    "targets": ("KPI targets", "KPI-Ziele"),
    "no_targets": ("no targets configured (targets: in analysis.yaml)",
                   "keine Ziele konfiguriert (targets: in analysis.yaml)"),
    "kpi_tree": ("How the KPIs connect", "Wie die Kennzahlen zusammenhängen"),
    "baseline": ("Where we stand: {period} against the targets", "Stand {period} gegenüber den Zielen"),
    "why_retention": ("Why keeping customers pays", "Warum sich Kundenbindung lohnt"),
    "payback": ("A new customer costs {cost} to win. At an average order value of {aov} "
                "and a margin of {margin}, one order earns {per_order}: a new customer pays back "
                "only after about {orders} orders. Every customer kept saves the cost of winning a new one.",
                "Ein Neukunde kostet {cost}. Bei einem durchschnittlichen Bestellwert von {aov} "
                "und einer Marge von {margin} bringt eine Bestellung {per_order}: ein "
                "Neukunde rechnet sich erst nach etwa {orders} Bestellungen. Jeder gehaltene Kunde spart die "
                "Kosten eines neuen."),
    "what_payback": ("payback", "Amortisationsrechnung"),
    "no_acquisition_cost": ("business.acquisition_cost is not configured: the payback cannot be shown",
                            "business.acquisition_cost ist nicht konfiguriert: keine Amortisationsrechnung"),
    # page 2
    "inventory": ("Data inventory", "Datenbestand"),
    "quality": ("Data quality checks", "Datenqualitätsprüfungen"),
    "col_check": ("Check", "Prüfung"),
    "col_dq_severity": ("Severity", "Schweregrad"),
    "col_dq_count": ("Count", "Anzahl"),
    "col_example": ("Example", "Beispiel"),
    "quality_ok": ("All data-quality checks passed.", "Alle Datenqualitätsprüfungen bestanden."),
    "quality_passed": ("{n} of {total} checks found nothing ({tables}).",
                       "{n} von {total} Prüfungen ohne Befund ({tables})."),
    "quality_optional": ("Optional columns (info: the sections they feed say what they need): {items}.",
                         "Optionale Spalten (Info: die Abschnitte, die sie speisen, sagen, was ihnen fehlt): {items}."),
    "quality_readings": ("How the data were read (info: a remark, not a problem): {readings}. A driver column whose "
                         "ratings all lie within 1-5 is read as a 1-5 scale, otherwise as 0-10; if that is wrong, "
                         "correct the export.",
                         "So wurden die Daten gelesen (Info: ein Hinweis, kein Problem): {readings}. Eine "
                         "Treiber-Spalte, deren Bewertungen alle zwischen 1 und 5 liegen, gilt als Skala 1-5, sonst "
                         "als 0-10; stimmt das nicht, bitte den Export korrigieren."),
    "quality_counts": ("{errors} errors, {warnings} warnings, {checks} checks.",
                       "{errors} Fehler, {warnings} Warnungen, {checks} Prüfungen."),
    "quality_errors": ("Errors:", "Fehler:"),
    "quality_none": ("no checks were run (no tables configured).",
                     "keine Prüfungen gelaufen (keine Tabellen konfiguriert)."),
    "survey_coverage": ("Survey coverage and response", "Umfrageabdeckung und Rücklauf"),
    "what_inventory": ("inventory", "Datenbestand"),
    "what_survey_coverage": ("survey coverage", "Umfrageabdeckung"),
    "what_response_rate": ("response rate", "Rücklaufquote"),
    "surveyed": ("{answers} survey answers in {period} from {customers} customers "
                 "({share} of the {total} customers on file).",
                 "{answers} Umfrageantworten in {period} von {customers} Kunden "
                 "({share} der {total} Kunden im Bestand)."),
    "nonresponse": ("Response rate {rate} is below {limit}: the customers who answered may not speak for "
                    "those who did not (non-response bias). Read survey numbers as indicative.",
                    "Die Rücklaufquote {rate} liegt unter {limit}: die Antwortenden sprechen womöglich nicht "
                    "für alle (Non-Response-Bias). Umfragewerte nur als Hinweis lesen."),
    "market_context": ("Market and brand context", "Markt- und Markenumfeld"),
    "not_configured": ("not configured", "nicht konfiguriert"),
    # page 3
    "scorecard": ("Scorecard {period}", "Scorecard {period}"),
    "crit_satisfaction": ("Satisfaction", "Zufriedenheit"),
    "crit_retention": ("Retention, churn and survival", "Bindung, Abwanderung und Verbleib"),
    "crit_frequency": ("Purchase frequency and repeat purchases", "Kaufhäufigkeit und Wiederkäufe"),
    "crit_value": ("Customer value (CLV)", "Kundenwert (CLV)"),
    "crit_referrals": ("Referrals", "Empfehlungen"),
    "crit_exits": ("Why customers leave", "Warum Kunden gehen"),
    "crit_service": ("Service", "Service"),
    "crit_returns": ("Returns and refunds", "Retouren und Erstattungen"),
    "churn_trend": ("Churn rate by period", "Abwanderungsquote je Zeitraum"),
    # page 3: subscriptions (contractual churn and the sBG customer value)
    "crit_contracts": ("Subscriptions: contractual churn and value (sBG)",
                       "Abonnements: vertragliche Abwanderung und Kundenwert (sBG)"),
    "contracts_missing": ("no subscription data: contractual churn by tenure and the sBG customer value need a "
                          "subscriptions table (customer_id, start_date, end_date) or customers with a status or "
                          "churn_date",
                          "keine Abonnementdaten: vertragliche Abwanderung nach Laufzeit und der sBG-Kundenwert "
                          "brauchen eine Tabelle subscriptions (customer_id, start_date, end_date) oder Kunden mit "
                          "status oder churn_date"),
    "contracts_intro": ("A subscriber is lost on the day the subscription ends; no inactivity rule is needed. "
                        "{subscribers} subscribers, {running} still running at {as_of}.",
                        "Ein Abonnent ist am Tag verloren, an dem das Abonnement endet; eine Inaktivitätsregel "
                        "braucht es nicht. {subscribers} Abonnenten, davon {running} am {as_of} noch laufend."),
    "contracts_snapshot": ("The data are a snapshot taken on {as_of}: customers with a churned status and no "
                           "churn_date count as lost on {day}, so only the period that holds that day shows churn.",
                           "Die Daten sind eine Momentaufnahme vom {as_of}: Kunden mit gekündigtem Status und ohne "
                           "churn_date gelten am {day} als verloren; nur der Zeitraum mit diesem Tag zeigt daher "
                           "Abwanderung."),
    "contracts_trend": ("Contractual churn by period", "Vertragliche Abwanderung je Zeitraum"),
    "cap_contracts_trend": ("Subscriptions ended in the period / subscribers active at its start. Customers who "
                            "joined and left within a period were not active at its start: they are in neither "
                            "count and shown apart.",
                            "Im Zeitraum beendete Abonnements / zu Beginn aktive Abonnenten. Wer im Zeitraum "
                            "begonnen und wieder gekündigt hat, war zu Beginn nicht aktiv: in keiner der beiden "
                            "Zahlen enthalten und getrennt ausgewiesen."),
    "contracts_tenure": ("Churn by tenure", "Abwanderung nach Laufzeit"),
    "cap_contracts_tenure": ("Observed churn in each billing period of tenure ({months} month(s)): cancelled in "
                             "period t / subscribers who reached it, beside the sBG model's 1 - r(t).",
                             "Beobachtete Abwanderung je Abrechnungszeitraum der Laufzeit ({months} Monat(e)): in "
                             "Zeitraum t gekündigt / Abonnenten, die ihn erreicht haben, neben 1 - r(t) des "
                             "sBG-Modells."),
    "contracts_sbg": ("Value of the running subscriptions (sBG)", "Wert der laufenden Abonnements (sBG)"),
    "contracts_sbg_intro": ("The shifted-beta-geometric model (Fader & Hardie 2007) lets each subscriber cancel "
                            "with an own probability per billing period, spread across subscribers as "
                            "Beta(alpha, beta); retention then rises with tenure because those who stay are the "
                            "loyal ones. Fitted on {n} subscribers ({cancelled} cancelled): alpha = {alpha}, "
                            "beta = {beta}. Value of a running subscription = amount x margin ({margin}) x "
                            "discounted expected residual lifetime (DERL, Fader & Hardie 2010) at {rate} per "
                            "billing period, with no horizon.",
                            "Das shifted-beta-geometrische Modell (Fader & Hardie 2007) gibt jedem Abonnenten eine "
                            "eigene Kündigungswahrscheinlichkeit je Abrechnungszeitraum, über die Abonnenten "
                            "verteilt als Beta(alpha, beta); die Bindung steigt dann mit der Laufzeit, weil die "
                            "Treuen bleiben. Geschätzt auf {n} Abonnenten ({cancelled} gekündigt): alpha = {alpha}, "
                            "beta = {beta}. Wert eines laufenden Abonnements = Betrag x Marge ({margin}) x "
                            "abgezinste erwartete Restlaufzeit (DERL, Fader & Hardie 2010) bei {rate} je "
                            "Abrechnungszeitraum, ohne Horizont."),
    "cap_contracts_plan": ("Running subscriptions per plan: renewals so far, expected residual lifetime and value",
                           "Laufende Abonnements je Tarif: bisherige Verlängerungen, erwartete Restlaufzeit und "
                           "Wert"),
    "col_period": ("Period", "Zeitraum"),
    "col_subscribers": ("Subscribers at start", "Abonnenten zu Beginn"),
    "col_joined_left": ("Joined and left", "Begonnen und gekündigt"),
    "col_churn": ("Churn", "Abwanderung"),
    "col_tenure": ("Billing period of tenure", "Abrechnungszeitraum der Laufzeit"),
    "col_reached": ("Reached it", "Erreicht"),
    "col_cancelled": ("Cancelled", "Gekündigt"),
    "col_model_churn": ("sBG: 1 - r(t)", "sBG: 1 - r(t)"),
    "col_plan": ("Plan", "Tarif"),
    "col_renewals": ("Mean renewals", "Mittlere Verlängerungen"),
    "col_derl": ("Mean DERL (billing periods)", "Mittlere DERL (Abrechnungszeiträume)"),
    "col_residual_value": ("Mean residual value", "Mittlerer Restwert"),
    "churn_trend_from": ("The trend starts in {start}: earlier periods began less than {days} days after the "
                         "first order in the data, so the inactivity rule could not yet mark anyone as lost.",
                         "Der Verlauf beginnt {start}: frühere Zeiträume begannen weniger als {days} Tage nach "
                         "der ersten Bestellung in den Daten, die Inaktivitätsregel konnte dort noch niemanden "
                         "als verloren markieren."),
    "cohorts": ("Cohort retention", "Kohorten-Bindung"),
    "survival": ("How long customers stay (Kaplan-Meier)", "Wie lange Kunden bleiben (Kaplan-Meier)"),
    "per_segment": (", per segment", ", je Segment"),
    "survival_intro": ("Share of customers still active by days since their first order{by}; shaded: "
                       "95 % band. A customer is lost at an exit or {days} days after the last order; customers "
                       "not lost by {as_of} count as still active (censored).",
                       "Anteil der noch aktiven Kunden nach Tagen seit der ersten Bestellung{by}; "
                       "schattiert: 95-%-Band. Verloren ist ein Kunde mit einer Kündigung oder {days} Tage nach "
                       "der letzten Bestellung; wer bis {as_of} nicht verloren ist, gilt als noch aktiv "
                       "(zensiert)."),
    "survival_table": ("Customers, losses and median lifetime (days) per segment",
                       "Kunden, Abgänge und mittlere Verweildauer (Median, Tage) je Segment"),
    "median_never": ("A median of – means more than half of the segment is still active: the curve never "
                     "falls to 50 %.",
                     "Ein Median von – bedeutet: mehr als die Hälfte des Segments ist noch aktiv, die Kurve "
                     "fällt nie auf 50\u00a0%."),
    "logrank": ("Log-rank test of equal retention curves across {groups}: chi² = {stat}, df = {df}, "
                "p {p}. {verdict}",
                "Log-Rank-Test auf gleiche Verbleibkurven ({groups}): Chi² = {stat}, df = {df}, p {p}. "
                "{verdict}"),
    "logrank_diff": ("The segments differ in how long customers stay.",
                     "Die Segmente unterscheiden sich darin, wie lange Kunden bleiben."),
    "logrank_same": ("No clear difference between the segments.",
                     "Kein klarer Unterschied zwischen den Segmenten."),
    "cox": ("What shortens customer lifetimes (Cox model)", "Was die Verweildauer verkürzt (Cox-Modell)"),
    "cox_intro": ("Hazard ratio (HR) = how much a characteristic multiplies the risk of being lost at any "
                  "moment, the others held equal: HR 1.5 = 50 % higher risk, HR 0.7 = 30 % lower. "
                  "n = {n} customers, {events} losses, concordance {c}.",
                  "Hazard Ratio (HR) = um welchen Faktor ein Merkmal das Risiko, in einem Moment verloren zu "
                  "gehen, verändert, bei sonst gleichen Merkmalen: HR 1,5 = 50\u00a0% höheres Risiko, HR 0,7 = "
                  "30\u00a0% niedrigeres. n = {n} Kunden, {events} Abgänge, Konkordanz {c}."),
    "cox_time_varying": ("A slow first response counts from the day it happened (a time-varying covariate), not "
                         "over the customer's whole lifetime.",
                         "Eine langsame Erstantwort zählt ab dem Tag, an dem sie geschah (zeitabhängiges Merkmal), "
                         "nicht über die ganze Kundenbeziehung."),
    "cox_five_star": ("Five-star ratings are not in the model: they are survivor-biased. Customers who stay "
                      "longer have more chances to give a rating, so 'gave five stars' partly measures having "
                      "stayed, and would look protective even without any effect.",
                      "Fünf-Sterne-Bewertungen sind nicht im Modell: Sie sind durch Überlebende verzerrt. Wer "
                      "länger bleibt, hat mehr Gelegenheiten zu bewerten; 'hat fünf Sterne gegeben' misst "
                      "also teils das Bleiben selbst und sähe auch ohne jede Wirkung schützend aus."),
    "cox_none": ("no covariates in the data (customers, referrals or tickets): churn drivers skipped",
                 "keine Merkmale in den Daten (Kunden, Empfehlungen oder Tickets): Abwanderungstreiber "
                 "übersprungen"),
    "cov_slow_first_response": ("Slow first response (> {hours} calendar hours) on a ticket",
                                "Langsame Erstantwort (> {hours} Kalenderstunden) auf ein Ticket"),
    "slow_vs_sla": ("Two thresholds for a first response, both set in analysis.yaml: the SLA share counts tickets "
                    "answered within {sla} ({sla_share}), the churn model calls a first response slow after "
                    "{slow} calendar hours ({slow_share} of the same tickets, 95 % CI {low} to {high}; n = {n}).",
                    "Zwei Schwellen für die Erstantwort, beide in analysis.yaml festgelegt: Der SLA-Anteil zählt "
                    "Tickets mit Antwort innerhalb von {sla} ({sla_share}), das Abwanderungsmodell nennt eine "
                    "Erstantwort nach {slow} Kalenderstunden langsam ({slow_share} derselben Tickets, 95-%-KI "
                    "{low} bis {high}; n = {n})."),
    "cov_referred": ("Came through a referral", "Über eine Empfehlung gekommen"),
    "cov_segment": ("Segment {level} (vs. {reference})", "Segment {level} (ggü. {reference})"),
    "col_covariate": ("Characteristic", "Merkmal"),
    "col_hr": ("Hazard ratio", "Hazard Ratio"),
    "col_ci_low": ("95 % low", "95 % von"),
    "col_ci_high": ("95 % high", "95 % bis"),
    "col_p": ("p-value", "p-Wert"),
    "col_p_holm": ("p (Holm)", "p (Holm)"),
    "col_segment": ("Segment", "Segment"),
    "col_lost": ("Lost", "Verloren"),
    "col_median_days": ("Median lifetime (days)", "Median-Verweildauer (Tage)"),
    # page 4
    "interviews": ("The interviews", "Die Interviews"),
    "interview_count": ("{n} interviews", "{n} Interviews"),
    "themes": ("Themes", "Themen"),
    "aspects": ("Positive and negative aspects", "Positive und negative Aspekte"),
    "loyal_patterns": ("What most loyal customers have in common", "Was die meisten treuen Kunden gemeinsam haben"),
    "quotes": ("In their words", "In ihren Worten"),
    "comments": ("Survey comments, coded with the same codebook", "Umfragekommentare, mit demselben Codebuch codiert"),
    "themes_chart": ("Share of interviews mentioning each theme, by segment",
                     "Anteil der Interviews, die ein Thema nennen, je Segment"),
    "aspects_chart": ("Positive against negative mentions per theme",
                      "Positive gegen negative Nennungen je Thema"),
    # page 5
    "findings": ("What we found: positives and negatives, ranked", "Ergebnisse: Stärken und Schwächen, geordnet"),
    "positives": ("Positives", "Stärken"),
    "negatives": ("Negatives", "Schwächen"),
    "drivers": ("What drives the Net Promoter Score", "Was den Net Promoter Score treibt"),
    "drivers_csat": ("What drives customer satisfaction (CSAT)", "Was die Kundenzufriedenheit (CSAT) treibt"),
    "drivers_rating": ("What drives the star rating", "Was die Sternebewertung treibt"),
    "drivers_ces": ("What drives the customer effort score (CES)", "Was den Kundenaufwand (CES) treibt"),
    "outcome_used": ("Outcome explained: {label} (surveys column '{column}'), {why}.",
                     "Erklärte Zielgröße: {label} (Umfragespalte '{column}'), {why}."),
    "outcome_configured": ("as set in drivers.outcome or by the driver_outcome setting",
                           "wie in drivers.outcome oder mit der Einstellung driver_outcome gewählt"),
    "outcome_default": ("the first of nps, csat, rating, ces in the surveys (set drivers.outcome to choose)",
                        "die erste von nps, csat, rating, ces in den Umfragen (drivers.outcome wählt eine andere)"),
    "no_column": ("no column '{column}' in {table}: {what} skipped",
                  "keine Spalte '{column}' in {table}: {what} übersprungen"),
    "no_outcome": ("no survey score (nps, csat, rating or ces) in surveys: {what} skipped",
                   "kein Umfragewert (nps, csat, rating oder ces) in den Umfragen: {what} übersprungen"),
    "theme_base_low": ("comments with low {label} scores", "Kommentare mit niedriger {label}"),
    "gaps": ("Gaps to the targets", "Abstand zu den Zielen"),
    "plan": ("Prioritised action plan", "Priorisierter Maßnahmenplan"),
    "lists": ("Customers to act on (pseudonymised)", "Kunden für Maßnahmen (pseudonymisiert)"),
    "watch_list": ("Watch list", "Beobachtungsliste"),
    "winback_list": ("Win-back list", "Rückgewinnungsliste"),
    "advocates": ("Advocates", "Fürsprecher"),
    "winback_rule": ("Left out: {unwinnable} whose exit reason cannot be won back ({categories}; winback.unwinnable) "
                     "and {over} beyond the cap of {cap} (winback.cap). Ranked by recoverable value = past value "
                     "× 0.5 ^ (days inactive / {half}); each call is due {days} days after the period's end.",
                     "Nicht enthalten: {unwinnable} mit einem Abwanderungsgrund, der sich nicht umkehren lässt "
                     "({categories}; winback.unwinnable), und {over} über der Obergrenze von {cap} (winback.cap). "
                     "Geordnet nach rückgewinnbarem Wert = bisheriger Wert × 0,5 ^ (Tage inaktiv / {half}); jeder "
                     "Anruf ist {days} Tage nach Periodenende fällig."),
    "no_actions": ("no actions configured (actions: in analysis.yaml)",
                   "keine Maßnahmen konfiguriert (actions: in analysis.yaml)"),
    "theme_base_detractors": ("detractor comments", "Kritiker-Kommentare"),
    "list_count": ("{n} customers; the first {shown} are shown, the full list is {file} in the report folder that "
                   "loyalty-kit run writes.",
                   "{n} Kunden; die ersten {shown} sind gezeigt, die vollständige Liste ist {file} im Berichtsordner, "
                   "den loyalty-kit run schreibt."),
    # summary page
    "summary_title": ("Customer loyalty report", "Kundenbindungsbericht"),
    "summary_nav": ("Summary", "Übersicht"),
    "top_findings": ("Top findings", "Wichtigste Ergebnisse"),
    "top_actions": ("Top five actions", "Die fünf wichtigsten Maßnahmen"),
    "pages": ("The five steps", "Die fünf Schritte"),
    "downloads": ("Files of this run", "Dateien dieses Laufs"),
    "page_01": ("1. Goals", "1. Ziele"),
    "page_02": ("2. Data collection", "2. Datenerhebung"),
    "page_03": ("3. Loyalty criteria", "3. Bindungskriterien"),
    "page_04": ("4. Interviews", "4. Interviews"),
    "page_05": ("5. Actions", "5. Maßnahmen"),
    "page_01_summary": ("Vision, KPI targets and the KPI tree; where we stand", "Vision, KPI-Ziele, KPI-Baum; Stand"),
    "page_02_summary": ("What data we have and whether it can be trusted",
                        "Welche Daten es gibt und wie verlässlich sie sind"),
    "page_03_summary": ("Satisfaction, retention, frequency, value, referrals, service, returns",
                        "Zufriedenheit, Bindung, Häufigkeit, Wert, Empfehlungen, Service, Retouren"),
    "page_04_summary": ("What loyal customers say: themes, aspects, quotes",
                        "Was treue Kunden sagen: Themen, Aspekte, Zitate"),
    "page_05_summary": ("Ranked findings, drivers, the action plan, customer lists",
                        "Ergebnisse, Treiber, Maßnahmenplan, Kundenlisten"),
    "finding_missed": ("{label}: {value} ({interval}n = {n}) missed the target of {target}.{change}",
                       "{label}: {value} ({interval}n = {n}) verfehlt das Ziel von {target}.{change}"),
    "finding_met": ("{label}: {value} ({interval}n = {n}) met the target of {target}.{change}",
                    "{label}: {value} ({interval}n = {n}) erreicht das Ziel von {target}.{change}"),
    "finding_interval": ("95 % CI {low} to {high}; ", "95-%-KI {low} bis {high}; "),
    "finding_change": (" Previous period {previous}, change {change} (p {p}; Holm-adjusted p {p_adj}: {verdict}).",
                       " Vorperiode {previous}, Veränderung {change} (p {p}; nach Holm korrigiert p {p_adj}: "
                       "{verdict})."),
    "finding_change_raw": (" Previous period {previous}, change {change} (p {p}).",
                           " Vorperiode {previous}, Veränderung {change} (p {p})."),
    "change_significant": ("a significant change", "eine signifikante Veränderung"),
    "change_not_significant": ("not a significant change", "keine signifikante Veränderung"),
    "status_help": ("A target counts as met or missed only when the 95 % interval lies clearly on one side of "
                    "it; otherwise the status is inconclusive. Each KPI's name links to its definition in the "
                    "glossary.",
                    "Ein Ziel gilt nur dann als erreicht oder verfehlt, wenn das 95-%-Intervall klar auf einer "
                    "Seite liegt; sonst ist der Status nicht eindeutig. Jeder Kennzahlname führt zu seiner "
                    "Definition im Glossar."),
    "col_rank": ("#", "#"),
    "col_severity": ("Gap severity (0-1)", "Abstand (0-1)"),
    "col_scaled_gap": ("Gap on the KPI's scale", "Abstand auf der Skala der Kennzahl"),
    "col_action": ("Action", "Maßnahme"),
    "col_owner": ("Owner", "Verantwortlich"),
    "col_effort": ("Effort (1-5)", "Aufwand (1-5)"),
    "col_cost": ("Cost", "Kosten"),
    "col_why": ("Why (evidence)", "Warum (Belege)"),
    "finding_none": ("No KPI missed its target in {period}.", "Keine Kennzahl verfehlt in {period} ihr Ziel."),
    "generated": ("Run {run_id}, configuration {config}.", "Lauf {run_id}, Konfiguration {config}."),
    # table formatting (kit.report.pages._format): headers
    "col_share": ("Share", "Anteil"),
    "col_count": ("Number", "Anzahl"),
    "col_nps": ("NPS", "NPS"),
    "col_answers": ("Answers", "Antworten"),
    "col_promoters": ("Promoters", "Promotoren"),
    "col_passives": ("Passives", "Passive"),
    "col_detractors": ("Detractors", "Kritiker"),
    "col_interval_median": ("95 % interval (days)", "95-%-Intervall (Tage)"),
    "col_interval_hr": ("95 % interval", "95-%-Intervall"),
    "col_group": ("Group", "Gruppe"),
    "col_retained": ("Still active", "Noch aktiv"),
    "col_retention": ("Retention", "Bindungsquote"),
    "col_category": ("Category", "Kategorie"),
    "col_exits": ("Exits", "Kündigungen"),
    "col_cumulative": ("Cumulative share", "Kumulierter Anteil"),
    "col_complaints": ("Complaints", "Beschwerden"),
    "col_share_complaints": ("Share of complaints", "Anteil an Beschwerden"),
    "col_per_1000": ("Per 1,000 orders", "Je 1.000 Bestellungen"),
    "col_interval_per_1000": ("95 % interval (per 1,000)", "95-%-Intervall (je 1.000)"),
    "col_rfm_segment": ("RFM segment", "RFM-Segment"),
    "col_interviews": ("Interviews", "Interviews"),
    "col_date": ("Date", "Datum"),
    "col_language": ("Language", "Sprache"),
    "col_theme": ("Theme", "Thema"),
    "col_texts": ("Texts coded", "Codierte Texte"),
    "col_mentioning": ("Interviews mentioning it", "Interviews, die es nennen"),
    "col_share_mentioning": ("Share mentioning it", "Anteil, der es nennt"),
    "col_mentions": ("Mentions", "Nennungen"),
    "col_positive": ("Positive", "Positiv"),
    "col_negative": ("Negative", "Negativ"),
    "col_neutral": ("Neutral", "Neutral"),
    "col_net": ("Net (positive − negative)", "Saldo (positiv − negativ)"),
    "col_negative_share": ("Share negative", "Anteil negativ"),
    "col_interviewees": ("Interviewees", "Befragte"),
    "col_mentioned_by": ("Mentioned by", "Genannt von"),
    "col_polarity": ("Tone", "Tonlage"),
    "col_all_mention": ("All of them mention it", "Alle nennen es"),
    "col_share_any_tone": ("Share mentioning it (any tone)", "Anteil, der es nennt (jede Tonlage)"),
    "col_share_tone": ("Share in this tone", "Anteil in dieser Tonlage"),
    "col_share_others": ("Share in this tone among the others", "Anteil in dieser Tonlage bei den anderen"),
    "col_lift": ("Difference in this tone", "Unterschied in dieser Tonlage"),
    "col_quote": ("Quote", "Zitat"),
    "col_words": ("Words", "Wörter"),
    "col_texts_detractor": ("Detractor comments", "Kommentare von Kritikern"),
    "col_share_detractor": ("Share of detractor comments", "Anteil Kritiker-Kommentare"),
    "col_texts_promoter": ("Promoter comments", "Kommentare von Promotoren"),
    "col_share_promoter": ("Share of promoter comments", "Anteil Promotoren-Kommentare"),
    "col_texts_low": ("Comments with low scores", "Kommentare mit niedrigen Werten"),
    "col_share_low": ("Share of low-score comments", "Anteil Kommentare mit niedrigen Werten"),
    "col_texts_high": ("Comments with top scores", "Kommentare mit Höchstwerten"),
    "col_share_high": ("Share of top-score comments", "Anteil Kommentare mit Höchstwerten"),
    "col_difference": ("Difference", "Differenz"),
    "col_driver": ("Driver rating", "Treiber-Bewertung"),
    "col_importance": ("Importance (share of explained variance)", "Wichtigkeit (Anteil erklärter Varianz)"),
    "col_performance": ("Average rating (1-5)", "Durchschnittsbewertung (1-5)"),
    "col_quadrant": ("What to do", "Was zu tun ist"),
    "col_impact": ("Expected impact", "Erwartete Wirkung"),
    "col_impact_part": ("Impact", "Wirkung"),
    "col_confidence": ("Confidence", "Sicherheit"),
    "col_score": ("Score per 1,000 of cost", "Wert je 1.000 Kosten"),
    "col_recoverable_value": ("Recoverable value", "Rückgewinnbarer Wert"),
    "col_due": ("Due", "Fällig"),
    "col_title": ("Action", "Maßnahme"),
    "col_status_list": ("Status", "Status"),
    "col_customer": ("Customer (pseudonym)", "Kunde (Pseudonym)"),
    "col_reasons": ("Why on the list", "Warum auf der Liste"),
    "col_value_at_risk": ("Value at risk", "Gefährdeter Wert"),
    "col_rating": ("Stars", "Sterne"),
    "col_p_alive": ("Probability still active", "Wahrscheinlichkeit noch aktiv"),
    "col_open_complaints": ("Open complaints", "Offene Beschwerden"),
    "col_last_order": ("Last order", "Letzte Bestellung"),
    "col_days_inactive": ("Days without an order", "Tage ohne Bestellung"),
    "col_orders": ("Orders", "Bestellungen"),
    "col_net_revenue": ("Net revenue", "Nettoumsatz"),
    "col_past_value": ("Past value", "Bisheriger Wert"),
    "col_exit_date": ("Exit date", "Kündigungsdatum"),
    "col_exit_category": ("Exit reason (category)", "Kündigungsgrund (Kategorie)"),
    "col_exit_reason": ("Exit reason (their words)", "Kündigungsgrund (eigene Worte)"),
    "col_referrals": ("Referrals", "Empfehlungen"),
    "yes": ("yes", "ja"),
    "no": ("no", "nein"),
    # table captions (page 3-5)
    "cap_nps_segment": ("NPS by customer segment, {period}", "NPS je Kundensegment, {period}"),
    "cap_rfm": ("Customers by RFM segment (recency, frequency, monetary value), {period}",
                "Kunden je RFM-Segment (Aktualität, Häufigkeit, Umsatz), {period}"),
    "cap_exits_reason": ("All recorded exits by reason as written (no 'category' column in exits), most "
                         "frequent first (all periods)",
                         "Alle erfassten Kündigungen nach Grund wie erfasst (keine Spalte 'category' in den "
                         "Kündigungen), häufigste zuerst (alle Zeiträume)"),
    "cap_exits": ("All recorded exits by category, most frequent first (all periods)",
                  "Alle erfassten Kündigungen nach Kategorie, häufigste zuerst (alle Zeiträume)"),
    "cap_complaints": ("Complaints by category, {period}", "Beschwerden nach Kategorie, {period}"),
    "cap_referred": ("Retention of referred customers against all others",
                     "Bindung geworbener Kunden ggü. allen anderen"),
    "cap_cox": ("Hazard ratios with 95 % intervals", "Hazard Ratios mit 95-%-Intervallen"),
    "cap_interview_segments": ("Interviews by segment", "Interviews je Segment"),
    "cap_interview_list": ("The interviews (no names)", "Die Interviews (ohne Namen)"),
    "cap_theme_frequency": ("How many interviews mention each theme", "Wie viele Interviews ein Thema nennen"),
    "cap_aspects": ("Positive and negative mentions per theme", "Positive und negative Nennungen je Thema"),
    "cap_loyal": ("Themes most interviewed loyal customers mention, against the other interviewees. Tone = the "
                  "tone that prevails among them; the last three columns count only mentions in that tone (mixed: "
                  "any mention), and the difference is the one share minus the other.",
                  "Themen, die die meisten befragten treuen Kunden nennen, ggü. den übrigen Befragten. Tonlage = die "
                  "Tonlage, die bei ihnen überwiegt; die letzten drei Spalten zählen nur Nennungen in dieser "
                  "Tonlage (gemischt: jede Nennung), der Unterschied ist der eine Anteil minus der andere."),
    "cap_quotes": ("One quote per theme and tone (personal data removed)",
                   "Ein Zitat je Thema und Tonlage (persönliche Daten entfernt)"),
    "cap_contrast": ("Share of comments mentioning each theme negatively: detractors against promoters "
                     "(Fisher's exact test per theme; the last column Holm-adjusted across the themes, and a "
                     "theme differs only where that is below 0.05)",
                     "Anteil der Kommentare, die ein Thema negativ nennen: Kritiker ggü. Promotoren (exakter "
                     "Fisher-Test je Thema; die letzte Spalte nach Holm über die Themen korrigiert, und ein Thema "
                     "unterscheidet sich nur, wo sie unter 0,05 liegt)"),
    "uncoded_terms": ("Words and phrases the codebook does not catch yet",
                      "Wörter und Wendungen, die das Codebuch noch nicht erfasst"),
    "uncoded_intro": ("{uncoded} of {n} survey comments in {period} got no theme ({share}). The words and phrases "
                      "most of them use, with the number of comments that contain each: candidates for new "
                      "patterns or themes in the codebook.",
                      "{uncoded} von {n} Umfragekommentaren in {period} erhielten kein Thema ({share}). Die Wörter "
                      "und Wendungen, die die meisten davon enthalten, mit der Zahl der Kommentare, die sie "
                      "enthalten: Kandidaten für neue Muster oder Themen im Codebuch."),
    "uncoded_none": ("Every survey comment in {period} got a theme ({n} comments).",
                     "Jeder Umfragekommentar in {period} erhielt ein Thema ({n} Kommentare)."),
    "uncoded_rare": ("No word or phrase occurs in two or more of the {uncoded} comments without a theme.",
                     "Kein Wort und keine Wendung kommt in zwei oder mehr der {uncoded} Kommentare ohne Thema vor."),
    "cap_uncoded_terms": ("Most frequent words and phrases of the comments without a theme",
                          "Häufigste Wörter und Wendungen der Kommentare ohne Thema"),
    "col_term": ("Word or phrase", "Wort oder Wendung"),
    "col_term_kind": ("Kind", "Art"),
    "col_comments": ("Comments", "Kommentare"),
    "term_word": ("word", "Wort"),
    "term_phrase": ("phrase", "Wendung"),
    "cap_contrast_low_high": ("Share of comments mentioning each theme negatively: low {label} scores ({low}) "
                              "against top scores ({high})",
                              "Anteil der Kommentare, die ein Thema negativ nennen: niedrige Werte ({low}) "
                              "ggü. Höchstwerten ({high}) bei {label}"),
    "comments_count_low_high": ("{n} comments with a {label} score in {period}: {low_n} with low scores ({low}), "
                                "{high_n} with top scores ({high}).",
                                "{n} Kommentare mit {label}-Wert in {period}: {low_n} mit niedrigen Werten ({low}), "
                                "{high_n} mit Höchstwerten ({high})."),
    "comments_count": ("{n} comments in {period}: {detractors} from detractors, {promoters} from promoters.",
                       "{n} Kommentare in {period}: {detractors} von Kritikern, {promoters} von Promotoren."),
    "cap_ipa": ("Importance and performance of each driver rating", "Wichtigkeit und Leistung je Treiber-Bewertung"),
    "cap_plan": ("Score = expected impact (impact × confidence) per 1,000 of cost; actions without a cost follow, "
                 "by expected impact per effort point (1-5)",
                 "Wert = erwartete Wirkung (Wirkung × Sicherheit) je 1.000 Kosten; Maßnahmen ohne Kosten folgen, "
                 "nach erwarteter Wirkung je Aufwandspunkt (1-5)"),
    "drivers_scope": ("Importance: all {n} survey answers from {first} to {last} (up to the end of {period}), "
                      "{complete} of them with every driver rated; R² = {r2}, n in the model = {n_model}. "
                      "Performance: the mean rating of the {n_period} answers in {period} only, so a problem "
                      "of this period shows even when the years before were good.",
                      "Wichtigkeit: alle {n} Umfrageantworten von {first} bis {last} (bis Ende {period}), "
                      "davon {complete} mit allen Treibern bewertet; R² = {r2}, n im Modell = {n_model}. "
                      "Leistung: mittlere Bewertung nur der {n_period} Antworten aus {period}, damit ein Problem "
                      "dieses Zeitraums sichtbar wird, auch wenn die Jahre davor gut waren."),
    # category keys shown in tables
    "cat_no_need": ("no longer needed", "kein Bedarf mehr"),
    "cat_price": ("price", "Preis"),
    "cat_delivery": ("delivery", "Lieferung"),
    "cat_service": ("service", "Service"),
    "cat_quality": ("quality", "Qualität"),
    "cat_moved": ("moved away", "umgezogen"),
    "cat_damaged": ("damaged goods", "beschädigte Ware"),
    "cat_billing": ("billing", "Rechnung"),
    "cat_product": ("product", "Produkt"),
    "cat_website": ("website", "Website"),
    "cat_other": ("other", "Sonstiges"),
    "cat_loyal": ("loyal", "treu"),
    "cat_at_risk": ("at risk", "gefährdet"),
    "cat_lost": ("lost", "verloren"),
    "cat_positive": ("positive", "positiv"),
    "cat_negative": ("negative", "negativ"),
    "cat_neutral": ("neutral", "neutral"),
    "cat_mixed": ("mixed", "gemischt"),
    "cat_referred": ("referred customers", "geworbene Kunden"),
    "cat_other_customers": ("all other customers", "alle anderen Kunden"),
    "cat_inactive": ("inactive", "inaktiv"),
    "cat_exited": ("cancelled", "gekündigt"),
    "cat_all": ("all", "alle"),
    "cat_error": ("error", "Fehler"),
    "cat_warning": ("warning", "Warnung"),
    "cat_info": ("info", "Info"),
    "cat_de": ("German", "Deutsch"),
    "cat_en": ("English", "Englisch"),
    "cat_driver_delivery": ("Delivery", "Lieferung"),
    "cat_driver_price": ("Price", "Preis"),
    "cat_driver_quality": ("Quality", "Qualität"),
    "cat_driver_service": ("Service", "Service"),
    "cat_driver_website": ("Website", "Website"),
    "reason_detractor": ("NPS detractor (0-6)", "NPS-Kritiker (0-6)"),
    "reason_stars_le": ("{n} stars or fewer", "{n} Sterne oder weniger"),
    "reason_low_p_alive": ("probably no longer active", "wahrscheinlich nicht mehr aktiv"),
    "reason_open_complaint": ("open complaint", "offene Beschwerde"),
    "reason_recent_complaint": ("recent complaint", "kürzliche Beschwerde"),
    "reason_promoter": ("NPS promoter (9-10)", "NPS-Promotor (9-10)"),
    "reason_5_stars": ("5 stars", "5 Sterne"),
    "reason_referrer": ("has referred customers", "hat Kunden geworben"),
}

#: table id (as in analysis.yaml, kpis.csv and the data-quality report) -> display name (English, German)
TABLE_NAMES: dict[str, tuple[str, str]] = {
    "customers": ("customers", "Kunden"),
    "orders": ("orders", "Bestellungen"),
    "surveys": ("surveys", "Umfragen"),
    "tickets": ("tickets", "Tickets"),
    "exits": ("exits", "Kündigungen"),
    "referrals": ("referrals", "Empfehlungen"),
    "contacts": ("contacts", "Umfrageeinladungen"),
    "subscriptions": ("subscriptions", "Abonnements"),
    "interviews": ("interviews", "Interviews"),
}

#: The missing data of a "no ... data" line (:func:`no_data_for`): the English word -> the German phrase.
MISSING_DATA: dict[str, str] = {
    "any": "keine Daten", "survey": "keine Umfragedaten", "order": "keine Bestelldaten",
    "referral": "keine Empfehlungsdaten", "exit": "keine Kündigungsdaten", "ticket": "keine Ticketdaten",
    "driver rating": "keine Treiber-Bewertungen", "survey invitation": "keine Umfrageeinladungen",
    "interview": "keine Interviews", "codebook": "kein Codebuch", "survey comment": "keine Umfragekommentare",
    "customers": "keine Kundendaten", "orders": "keine Bestelldaten", "surveys": "keine Umfragedaten",
    "tickets": "keine Ticketdaten", "exits": "keine Kündigungsdaten", "referrals": "keine Empfehlungsdaten",
    "contacts": "keine Umfrageeinladungen", "subscription": "keine Abonnementdaten",
    "subscriptions": "keine Abonnementdaten",
}

#: scorecard status -> (English, German)
STATUS_TEXT: dict[str, tuple[str, str]] = {
    "met": ("met", "erreicht"),
    "missed": ("missed", "verfehlt"),
    "inconclusive": ("inconclusive", "nicht eindeutig"),
    "no_target": ("no target", "kein Ziel"),
    "no_data": ("no data", "keine Daten"),
}

#: scorecard status -> colour, the one place for it (scorecard tables, the KPI tree, index.html and the plots);
#: ``inconclusive`` is deliberately neutral grey, never a confident green or red
STATUS_COLOURS: dict[str, str] = {
    "met": "#1b7f3b",
    "missed": "#b3261e",
    "inconclusive": "#8a8a8a",
    "no_target": "#c9c9c9",
    "no_data": "#e6e6e6",
}


def table_name(table: str, lang: Language = "en") -> str:
    """The display name of a table id in ``lang`` (an unknown id is shown as it is).

    Examples
    --------
    >>> table_name("orders", "de"), table_name("orders"), table_name("returns", "de")
    ('Bestellungen', 'orders', 'returns')
    """
    pair = TABLE_NAMES.get(table)
    if pair is None:
        return table
    return pair[1] if lang == "de" else pair[0]


def no_data_for(table: str, what: str, lang: Language = "en", *, detail: str = "") -> str:
    """The line that says a table is missing and what is skipped for it.

    Parameters
    ----------
    table : str
        What is missing, as the English line names it (``ticket``, ``survey invitation``, a table id).
    what : str
        What is skipped, in ``lang``.
    lang : {"en", "de"}
    detail : str
        Added in brackets after the missing data (e.g. the period).

    Examples
    --------
    >>> no_data_for("ticket", "service metrics")
    'no ticket data: service metrics skipped'
    >>> no_data_for("survey", "Wichtigkeit", "de", detail="2026-Q3")
    'keine Umfragedaten (2026-Q3): Wichtigkeit übersprungen'
    """
    shown = MISSING_DATA.get(table, f"keine Daten ({table})") if lang == "de" else table
    if detail:
        shown += f" ({detail})"
    return text("no_table", lang, table=shown, what=what)


def text(key: str, lang: Language = "en", **values: object) -> str:
    """The UI string ``key`` in ``lang``, with ``{placeholders}`` filled.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS` or :data:`STATUS_TEXT`.
    lang : {"en", "de"}
        Language; anything other than ``"de"`` gives English.
    **values
        Values for the placeholders.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        When ``key`` is unknown.

    Examples
    --------
    >>> text("no_table", "en", table="ticket", what="service metrics")
    'no ticket data: service metrics skipped'
    >>> text("met", "de")
    'erreicht'
    """
    pair = LABELS.get(key) or STATUS_TEXT.get(key)
    if pair is None:
        raise KeyError(f"unknown UI string {key!r}")
    template = pair[1] if lang == "de" else pair[0]
    return template.format(**values) if values else template
