"""The German report shows every number the German way: 1.234,5 and 62,8 % (no-break space), Pp., no English.

The check reads the sections as a reader sees them (their HTML, tags stripped) and looks for numbers in English
format, the notes that metric functions attach to their results included (they write them in the report's
language). Left out, and named: the customers' own words and warnings raised by kit functions. The notes are also
searched for English words.
"""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from kit.report import pages

#: a number-like token: digits with inner dots or commas, not part of a word or id (C-4fed7e, run_20261124T...)
_TOKEN = re.compile(r"(?<![\w.,\u2011-])\d[\d.,]*\d(?![\w\u2011])")
#: English forms: a decimal point (1.5, 1,234.5) or thousands commas (1,828)
_ENGLISH = re.compile(r"\d+\.\d+|[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
#: German thousands (1.828, 12.000,50) look like an English decimal with three places: they are German
_GERMAN_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
#: dates (01.07.2026) and versions (1.2.3) have two dots: never an English number
_TWO_DOTS = re.compile(r"\d+\.\d+\.\d+")
#: 'pp' after a number (German: Pp.), or % after a number without a no-break space
_ENGLISH_UNIT = re.compile(r"\d\s?pp\b|\d(?: |)%")


def english_numbers(text: str) -> list[str]:
    """The numbers (and units) in ``text`` written the English way."""
    found = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if _TWO_DOTS.fullmatch(token) or _GERMAN_THOUSANDS.fullmatch(token):
            continue
        if _ENGLISH.fullmatch(token):
            found.append(token)
    found += [m.group() for m in _ENGLISH_UNIT.finditer(text)]
    return found


@pytest.mark.parametrize("text", ["Wert 9.9", "62.8 %", "n = 1,828", "38.47 EUR", "p = 0.034", "Chi² = 90.1",
                                  "+7.5 pp", "13.0% der Kunden", "12,000.50", "Konkordanz 0.57."])
def test_the_check_finds_english_numbers(text):
    assert english_numbers(text), text


@pytest.mark.parametrize("text", ["Wert 9,9", "62,8\u00a0%", "n = 1.828", "38,47\u00a0EUR", "p = 0,034", "< 0,001",
                                  "+7,5\u00a0Pp.", "Zeitraum 01.07.2026 – 30.09.2026", "2026-Q3", "Version 1.2.3",
                                  "C\u20114fed7eebbc", "C-4fed7eebbc", "Lauf 2026-Q3_20261124T035659Z", "1.234.567",
                                  "95-%-Intervall", "Je 1.000 Bestellungen", "Skala 1-5, 0-10", "2026\u201109\u201101",
                                  "12.000", "0,5"])
def test_the_check_leaves_german_numbers_dates_and_ids_alone(text):
    assert english_numbers(text) == [], text


def _visible(section: pages.Section) -> str:
    """What a reader sees of a section: its HTML without tags (and without the embedded images)."""
    body = re.sub(r"<[^>]+>", " ", section._repr_html_())
    return html.unescape(body)


def _not_written_in_german(ctx: pages.Context, section: pages.Section) -> list[str]:
    """Texts in ``section`` the report does not write in its language: warnings of kit functions, quotes."""
    foreign: list[str] = []
    warning = f"{ctx.t('note')}: "
    for block in section.blocks:
        if block.kind == "note" and str(block.content).startswith(warning):  # a warning a kit function raised
            foreign.append(str(block.content)[len(warning):])
        elif block.kind == "table" and ctx.t("col_quote") in block.content:    # the customers' own words
            foreign += block.content[ctx.t("col_quote")].tolist()
    return sorted(foreign, key=len, reverse=True)


def _notes(ctx: pages.Context, sections: list[pages.Section]) -> list[str]:
    """The notes metric functions wrote: in the scorecard (after "Hinweis:"), under a metric, of the driver model."""
    card = pages.get_scorecard(ctx)
    found = [n for n in card.attrs["notes"].values() if n]
    found += [b.content.note for s in sections for b in s.blocks if b.kind == "metric" and b.content.note]
    found.append(pages.driver_model(ctx).note_)
    return found


@pytest.fixture(scope="module")
def german_sections():
    ctx = pages.context(None, period="latest", smoke=True)
    german = dataclasses.replace(ctx, lang="de", _cache={})
    made = [pages.kpi_targets(german), pages.kpi_tree(german), pages.baseline(german), pages.why_retention(german),
            pages.inventory(german), pages.data_quality(german), pages.survey_coverage(german), pages.scorecard(german)]
    made += [pages.criterion(german, name) for name in pages.CRITERIA]
    made += [pages.overview(german), pages.themes(german), pages.aspects(german), pages.loyal_patterns(german),
             pages.quotes(german), pages.survey_comments(german), pages.findings(german), pages.drivers(german),
             pages.action_plan(german), pages.customer_lists(german)]
    return german, made


def test_german_sample_sections_show_no_number_in_english_format(german_sections):
    german, sections = german_sections
    leftovers = {}
    for section in sections:
        text = _visible(section)
        for foreign in _not_written_in_german(german, section):
            text = text.replace(foreign, " ")
        found = english_numbers(text)
        if found:
            leftovers[section.title] = found
    assert not leftovers, "\n".join(f"{title}: {', '.join(found[:8])}" for title, found in leftovers.items())


#: English words the notes of the metric functions used to contain (and German ones do not)
_ENGLISH_WORDS = re.compile(r"\b(complaints?|orders?|business hours|calendar hours|dropped|retained|scale|"
                            r"margin|referring|referrers?|tickets? (?:have|are)|interval:|at risk|low effort|lost =|"
                            r"months|draws|missing value|listwise|revenue)\b", re.IGNORECASE)
#: a count of 1,000 or more without its thousands dot (1624; German 1.624); dates and periods (2026-10-01) aside
_NO_THOUSANDS = re.compile(r"(?<![\w.,-])\d{4,}(?![\w.,-])")


def test_german_notes_are_german(german_sections):
    german, sections = german_sections
    notes = _notes(german, sections)
    # the sample's notes: 11 scorecard KPIs with a rule or a count, referred customers' retention, the drivers
    assert len(notes) >= 13
    english = {note: _ENGLISH_WORDS.findall(note) for note in notes if _ENGLISH_WORDS.search(note)}
    assert not english, "\n".join(f"{note}: {words}" for note, words in english.items())
    assert not [note for note in notes if english_numbers(note) or _NO_THOUSANDS.search(note)]


def test_the_english_words_check_finds_the_english_notes():
    for note in ("201 complaints, 4232 orders", "business hours", "770 of 2879 rows dropped for a missing value",
                 "retained = an order in the 180 days", "scale 1-7", "margin 35% on net revenue"):
        assert _ENGLISH_WORDS.search(note), note
    assert _NO_THOUSANDS.findall("24 referring of 1624 ordering customers, 2026-Q3, 2026-10-01") == ["1624"]
    for note in ("201 Beschwerden, 4.232 Bestellungen", "Geschäftsstunden", "Skala 1-7",
                 "Marge 35\u00a0% auf den Nettoumsatz", "noch aktiv = eine Bestellung in den 180 Tagen",
                 "verloren = 180 Tage ohne Bestellung", "Intervall: parametrischer Bootstrap"):
        assert not _ENGLISH_WORDS.search(note), note


def _section(sections, title: str) -> pages.Section:
    return next(s for s in sections if s.title == title)


#: English words of the data-quality checks and examples. Contract column ids (driver_delivery, responded_at) are
#: names, not words: the underscore keeps their parts from matching.
_ENGLISH_CHECK_WORDS = re.compile(r"\b(rows?|read|scale|not|before|after|end|day|data's|known|unique|filled|empty|"
                                  r"exact|duplicate|dropped|kept|mapped|contract|decimal|mark|assumed|separator|"
                                  r"wrong|distinct|score|integer|or|the|of|as|from|types|file)\b")


def test_the_english_check_words_find_the_english_quality_texts():
    for found in ("driver_delivery scale", "read as a 1-5 scale", "exit_date not after the data's end + 1 day",
                  "end 2026-09-30", "exact duplicate rows (dropped, first kept)", "customer_id known in customers",
                  "driver_price 1-5 or 0-10", "nps integer"):
        assert _ENGLISH_CHECK_WORDS.search(found), found
    for german in ("driver_delivery: Skala", "als Skala 1-5 gelesen", "exit_date nicht nach Datenende + 1 Tag",
                   "Ende 2026-09-30", "responded_at nicht vor 1990", "driver_price 1-5 oder 0-10"):
        assert not _ENGLISH_CHECK_WORDS.search(german), german


def test_german_data_quality_section_speaks_german(german_sections):
    german, sections = german_sections
    text = _visible(_section(sections, german.t("quality")))
    # the sample's checks found nothing: the section counts them and names the five driver scales as read
    # (the six checks against the data's end found nothing, so their reference date is not shown)
    assert text.count("driver_") == 5 and text.count("2026-09-30") == 0 and "117 von 117 Prüfungen" in text
    assert not _ENGLISH_CHECK_WORDS.findall(text), text


def test_sample_quality_rows_in_german_and_their_english_originals(german_sections):
    from kit.data.io import translate_quality_report

    german, _ = german_sections
    report = german.data.quality
    shown = report[report["example"].ne("") & report["check"].ne("rows read")]
    drivers = ["delivery", "price", "quality", "service", "website"]
    dated = [("customers", "signup_date"), ("surveys", "responded_at"), ("tickets", "opened_at"),
             ("exits", "exit_date"), ("referrals", "referred_at"), ("contacts", "sent_at"),
             ("subscriptions", "start_date")]
    # the English report keeps its wording (validate, run.log and the English page show it)
    assert shown[["check", "example"]].values.tolist() == (
        [[f"driver_{d} scale", "read as a 1-5 scale"] for d in drivers]
        + [[f"{col} not after the data's end + 1 day", "end 2026-09-30"] for _, col in dated])
    assert translate_quality_report(shown, "de")[["table", "check", "example"]].values.tolist() == (
        [["surveys", f"driver_{d}: Skala", "als Skala 1-5 gelesen"] for d in drivers]
        + [[table, f"{col} nicht nach Datenende + 1 Tag", "Datenende 2026-09-30"] for table, col in dated])


def test_german_action_plan_names_topics_and_comments_in_german(german_sections):
    german, sections = german_sections
    why = next(b.content for b in _section(sections, german.t("plan")).blocks if b.kind == "table")["Warum (Belege)"]
    top = why.iloc[0]
    # the codebook's German label opens the sentence, not the theme id; the base of the shares is German
    assert top.startswith("Lieferung: ") and "der Kritiker-Kommentare" in top
    assert not any(w.startswith(("delivery:", "price:", "service:")) for w in why)
    assert not why.str.contains("detractor comments").any()


def test_german_watch_list_says_how_value_at_risk_was_measured_in_german(german_sections):
    german, sections = german_sections
    notes = [b.content for b in _section(sections, german.t("lists")).blocks if b.kind == "note"]
    assert "Gefährdeter Wert: prognostizierter gefährdeter Wert (CLV-Modell)" in notes
    # the export keeps the English wording
    assert pages.list_frames(german)["watch_list"]["value_basis"].iloc[0] == "predicted value at risk (CLV model)"


def test_german_referral_metric_and_counts(german_sections):
    german, sections = german_sections
    referrals = str(_section(sections, german.t("crit_referrals")))
    assert re.search(r"Bindung geworbener minus übriger Kunden = \+\d+,\d\u00a0Pp\. \(95-%-KI .* n = 2\.\d{3}\)",
                     referrals)
    lists = str(_section(sections, german.t("lists")))
    # the win-back list is capped at 100 (winback.cap); the note says in German how many were left out and why
    assert re.search(r"\n100 Kunden; die ersten 10", lists)
    notes = " ".join(b.content for b in _section(sections, german.t("lists")).blocks if b.kind == "note")
    assert re.search(r"Nicht enthalten: \d+ mit einem Abwanderungsgrund, der sich nicht umkehren", notes), notes
    assert re.search(r"und \d+ über der Obergrenze von 100 \(winback\.cap\)", notes), notes


def test_value_basis_wordings_in_german():
    from kit.plan.lists import value_basis_text

    assert value_basis_text("historical net revenue × margin 0.35 (fallback)", "de") == \
        "bisheriger Nettoumsatz × Marge 0,35 (Ersatzwert)"
    assert value_basis_text("predicted CLV (CLV model)", "de") == "prognostizierter Kundenwert (CLV-Modell)"
    assert value_basis_text("predicted CLV (CLV model)") == "predicted CLV (CLV model)"   # English: as exported
    assert value_basis_text("something else", "de") == "something else"
