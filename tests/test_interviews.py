"""Interviews: reading notes, summaries of coded texts, quotes, kappa, escaping (kit.interviews)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.codebook import parse_codebook, read_codebook
from kit.errors import DataError, DataQualityWarning
from kit.interviews import (
    as_html_table, aspects, code_texts, common_themes, cooccurrence, intercoder_agreement, quotes,
    read_interviews, reasons_pareto, theme_contrast, theme_frequency, uncoded_share, uncoded_texts,
)
from kit.privacy import scrub_personal_data

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _write(folder: Path, name: str, header: str | None, body: str = "Die Lieferung war gut.") -> Path:
    path = folder / name
    text = (f"---\n{header}\n---\n\n{body}\n" if header is not None else body + "\n")
    path.write_text(text, encoding="utf-8")
    return path


def _coded(rows):
    """A coded frame from (text_id, sentence_no, theme, polarity) tuples."""
    frame = pd.DataFrame(rows, columns=["text_id", "sentence_no", "theme", "polarity"])
    frame["sentence"] = "s"
    frame["cues"] = ""
    return frame


@pytest.fixture(scope="module")
def sample_codebook():
    return read_codebook(SAMPLE / "codebook.yaml")


# ---- read_interviews ----------------------------------------------------------------------------

def test_read_interviews_columns_codes_dates_and_order(tmp_path):
    _write(tmp_path, "b.md", "customer_id: 1002\ndate: 03.09.2026\ninterviewer: Tom Becker\nsegment: lost")
    _write(tmp_path, "a.md", "customer_id: K1\ndate: 2026-09-05\ninterviewer: Jana Wolf\nsegment: loyal\n"
                             "codes: [service, quality]", body="# Notes\n\nService top.")
    frame = read_interviews(tmp_path)
    assert frame["interview_id"].tolist() == ["b", "a"]               # sorted by date: 3 Sep before 5 Sep
    assert frame["customer_id"].tolist() == ["1002", "K1"]             # ids are text, even when YAML reads a number
    assert frame["date"].tolist() == [pd.Timestamp("2026-09-03"), pd.Timestamp("2026-09-05")]
    assert frame["date"].dtype == "datetime64[ns]"
    assert frame["codes"].tolist() == [None, ("service", "quality")]
    assert frame.loc[1, "text"] == "# Notes\n\nService top."
    assert frame["file"].tolist() == ["b.md", "a.md"]


def test_missing_front_matter_names_file_and_shows_example(tmp_path):
    _write(tmp_path, "notes.md", None)
    with pytest.raises(DataError, match=r"notes.md: has no front matter") as info:
        read_interviews(tmp_path)
    assert "customer_id: K01234" in str(info.value)                   # the example header


def test_missing_key_is_named(tmp_path):
    _write(tmp_path, "x.md", "customer_id: K1\ndate: 2026-09-01")
    with pytest.raises(DataError, match=r"x.md: front matter lacks 'interviewer'.*Expected a YAML front matter"):
        read_interviews(tmp_path)


def test_broken_yaml_bad_date_bad_segment_bad_codes(tmp_path):
    cases = {
        "customer_id: K1\ndate: [2026\ninterviewer: A": r"not valid YAML",
        "customer_id: K1\ndate: 31.02.2026\ninterviewer: A": r"'date' is not a date \('31.02.2026'\)",
        "customer_id: K1\ndate: 2026-09-01\ninterviewer: A\nsegment: happy":
            r"'segment' is 'happy'.*loyal, at_risk, lost",
        "customer_id: K1\ndate: 2026-09-01\ninterviewer: A\ncodes: {a: 1}": r"'codes'.*a list of theme ids",
    }
    for header, message in cases.items():
        folder = tmp_path / str(abs(hash(header)))
        folder.mkdir()
        _write(folder, "i.md", header)
        with pytest.raises(DataError, match=message):
            read_interviews(folder)


def test_unknown_manual_code_with_codebook(tmp_path, sample_codebook):
    _write(tmp_path, "i.md", "customer_id: K1\ndate: 2026-09-01\ninterviewer: A\ncodes: [servise]")
    with pytest.raises(DataError, match=r"unknown theme ids \['servise'\].*delivery, price"):
        read_interviews(tmp_path, codebook=sample_codebook)


def test_missing_folder_and_empty_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_interviews(tmp_path / "nope")
    with pytest.warns(DataQualityWarning, match="no interview files"):
        frame = read_interviews(tmp_path)
    assert frame.empty and "customer_id" in frame.columns


def test_unknown_customer_warns_with_counts(tmp_path):
    _write(tmp_path, "a.md", "customer_id: K1\ndate: 2026-09-01\ninterviewer: A")
    _write(tmp_path, "b.md", "customer_id: K9\ndate: 2026-09-02\ninterviewer: A")
    customers = pd.DataFrame({"customer_id": ["K1", "K2"]})
    with pytest.warns(DataQualityWarning, match=r"1 of 2 interviews name a customer_id that is not in customers \(K9"):
        read_interviews(tmp_path, customers=customers)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_interviews(tmp_path, customers=pd.DataFrame({"customer_id": ["K1", "K9"]}))


# ---- summaries on hand-built frames ----------------------------------------------------------------

def test_theme_frequency_by_segment_counts_uncoded_texts_in_denominator():
    texts = pd.DataFrame({"interview_id": ["i1", "i2", "i3"], "segment": ["loyal", "loyal", "lost"]})
    coded = _coded([("i1", 1, "service", "positive"), ("i1", 2, "service", "neutral"),
                    ("i3", 1, "price", "negative")])
    freq = theme_frequency(coded, texts, by="segment")
    loyal = freq.set_index(["segment", "theme"]).loc[("loyal", "service")]
    # 2 loyal interviews, 1 mentions service (2 sentences: 1 positive, 1 neutral) -> share 1/2
    assert (loyal["texts"], loyal["mentioning"], loyal["share"]) == (2, 1, 0.5)
    assert (loyal["mentions"], loyal["positive"]) == (2, 1)
    assert freq.set_index(["segment", "theme"]).loc[("loyal", "price"), "mentioning"] == 0
    assert freq.set_index(["segment", "theme"]).loc[("lost", "price"), "share"] == 1.0


def test_common_themes_shares_flags_and_lift():
    interviews = pd.DataFrame({"interview_id": ["a", "b", "c", "d", "e"],
                               "customer_id": ["K1", "K2", "K3", "K4", "K5"],
                               "segment": ["loyal", "loyal", "loyal", "lost", "lost"]})
    coded = _coded([("a", 1, "service", "positive"), ("b", 1, "service", "positive"),
                    ("c", 1, "service", "negative"), ("a", 2, "price", "negative"),
                    ("b", 2, "price", "negative"), ("d", 1, "service", "positive"),
                    ("c", 2, "range", "positive")])
    common = common_themes(coded, interviews, segment="loyal", min_share=0.5).set_index("theme")
    # service: 3 of 3 loyal (2 positive, 1 negative) -> share 1, positive prevails, common to all;
    # among the 2 others 1 positive -> lift = 2/3 - 1/2
    assert common.loc["service", "share"] == 1.0 and bool(common.loc["service", "common_to_all"])
    assert common.loc["service", "polarity"] == "positive"
    assert common.loc["service", "lift"] == pytest.approx(2 / 3 - 1 / 2)
    # price: 2 of 3, negative, nobody else -> lift 2/3
    assert common.loc["price", "share"] == pytest.approx(2 / 3) and not common.loc["price", "common_to_all"]
    assert common.loc["price", "lift"] == pytest.approx(2 / 3)
    assert "range" not in common.index                              # 1 of 3 < 0.5
    assert list(common.index) == ["service", "price"]


def test_aspects_counts_and_negative_share():
    coded = _coded([("a", 1, "price", "negative"), ("b", 1, "price", "negative"), ("b", 2, "price", "positive"),
                    ("c", 1, "service", "neutral")])
    out = aspects(coded).set_index("theme")
    # price: 1 positive, 2 negative -> net -1, negative share 2/3, in 2 texts
    assert out.loc["price", ["positive", "negative", "net", "texts"]].tolist() == [1, 2, -1, 2]
    assert out.loc["price", "negative_share"] == pytest.approx(2 / 3)
    assert np.isnan(out.loc["service", "negative_share"])


def test_cooccurrence_by_text_and_sentence():
    coded = _coded([("a", 1, "price", "negative"), ("a", 1, "delivery", "negative"),
                    ("b", 1, "price", "negative"), ("b", 2, "delivery", "neutral"), ("c", 1, "price", "neutral")])
    by_text = cooccurrence(coded)
    assert by_text.loc["price", "delivery"] == 2 and by_text.loc["price", "price"] == 3   # a and b; a, b, c
    assert cooccurrence(coded, level="sentence").loc["price", "delivery"] == 1              # only a/1


def test_theme_contrast_shares_and_fisher_p_value():
    coded = _coded([(1, 1, "price", "negative"), (2, 1, "price", "negative"), (2, 1, "quality", "positive")])
    groups = pd.Series(["detractor", "detractor", "promoter", "promoter"], index=[1, 2, 3, 4])
    out = theme_contrast(coded, groups).set_index("theme")
    # price: 2 of 2 detractors, 0 of 2 promoters. Fisher table [[2, 0], [0, 2]]: P(X=2) = C(2,2)C(2,0)/C(4,2) = 1/6,
    # two-sided adds the equally extreme X=0 -> p = 1/3
    assert out.loc["price", ["share_detractor", "share_promoter", "difference"]].tolist() == [1.0, 0.0, 1.0]
    assert out.loc["price", "p_value"] == pytest.approx(1 / 3)
    negative = theme_contrast(coded, groups, polarity="negative").set_index("theme")
    assert negative.loc["quality", "texts_detractor"] == 0            # quality mention was positive


def test_reasons_pareto_with_uncoded_row():
    reasons = pd.Series({1: "zu teuer", 2: "Preis und Lieferung", 3: "Umzug", 4: ""})
    coded = _coded([(1, 1, "price", "negative"), (2, 1, "price", "neutral"), (2, 1, "delivery", "neutral")])
    out = reasons_pareto(coded, reasons)
    # counts price 2, delivery 1, (no theme) 1 (text 3; the empty text 4 does not count) -> total 4
    assert out["theme"].tolist() == ["price", "delivery", "(no theme)"]
    assert out["count"].tolist() == [2, 1, 1]
    assert out["cumulative_share"].tolist() == pytest.approx([0.5, 0.75, 1.0])
    assert out["share_of_texts"].tolist() == pytest.approx([2 / 3, 1 / 3, 1 / 3])   # 3 non-empty texts


def test_uncoded_texts_and_share():
    texts = pd.Series({"a": "zu teuer", "b": "hm", "c": None, "d": "ok"})
    coded = _coded([("a", 1, "price", "negative")])
    assert uncoded_texts(texts, coded).to_dict() == {"b": "hm", "d": "ok"}
    assert uncoded_share(texts, coded) == pytest.approx(2 / 3)


# ---- intercoder agreement -------------------------------------------------------------------------

def test_kappa_against_hand_calculation_and_statsmodels():
    # 10 interviews, theme "price": both 4, manual only 1, automatic only 2, neither 3.
    # p_o = 7/10; p_manual = 5/10, p_auto = 6/10; p_e = .5*.6 + .5*.4 = .5; kappa = (.7 - .5) / .5 = 0.4
    ids = [f"i{k}" for k in range(10)]
    manual = [("price",)] * 4 + [("price",)] + [()] * 2 + [()] * 3
    interviews = pd.DataFrame({"interview_id": ids, "codes": manual})
    auto_ids = ids[:4] + ids[5:7]
    coded = _coded([(i, 1, "price", "neutral") for i in auto_ids])
    out = intercoder_agreement(interviews, coded, themes=["price"]).set_index("theme")
    row = out.loc["price"]
    assert row[["n", "both", "manual_only", "auto_only", "neither"]].tolist() == [10, 4, 1, 2, 3]
    assert row["agreement"] == pytest.approx(0.7)
    assert row["kappa"] == pytest.approx(0.4)
    from statsmodels.stats.inter_rater import cohens_kappa

    assert row["kappa"] == pytest.approx(cohens_kappa(np.array([[4, 1], [2, 3]])).kappa)


def test_kappa_skips_interviews_without_codes_and_is_nan_when_undefined():
    interviews = pd.DataFrame({"interview_id": ["a", "b", "c"], "codes": [("service",), ("service",), None]})
    coded = _coded([("a", 1, "service", "positive"), ("b", 1, "service", "positive"), ("c", 1, "price", "neutral")])
    out = intercoder_agreement(interviews, coded, themes=["service"]).set_index("theme")
    assert out.loc["service", "n"] == 2                            # "c" has no manual codes
    assert np.isnan(out.loc["service", "kappa"])                   # p_e = 1: both always "yes"
    assert out.loc["service", "agreement"] == 1.0


# ---- quotes, privacy, escaping -----------------------------------------------------------------------

def test_scrub_personal_data():
    text = ("Frau Schmidt bat um Rückruf unter 0221 9876543 oder +49 (171) 234-5678, Mail an anna.b@example.com; "
            "Mr. Smith and Ms Brown agreed. Miriam notierte es am 12.03.2026 für 39,90 EUR.")
    out = scrub_personal_data(text, names=["Miriam Koch"])
    for personal in ("Schmidt", "9876543", "234-5678", "anna.b@example.com", "Smith", "Brown", "Miriam"):
        assert personal not in out
    assert out.count("[phone]") == 2 and "[e-mail]" in out and out.count("[name]") == 4
    assert "12.03.2026" in out and "39,90 EUR" in out                  # dates and amounts stay


def test_quotes_are_short_one_per_theme_polarity_and_scrubbed(tmp_path, sample_codebook):
    body = ("Miriam Koch fragte nach dem Service. "
            "Herr Weber lobt den Kundenservice als sehr freundlich und schnell, Mail an k.weber@example.de. "
            "Karl findet die Lieferung viel zu langsam, die Pakete kommen leider immer eine Woche zu spät an. "
            "Der Kundenservice war freundlich. "
            "Die Lieferung kam leider viel zu spät und das Paket war fast zwei Wochen lang unterwegs gewesen. "
            "Lieferung zu spät, " + "wirklich " * 30 + "ärgerlich.")
    _write(tmp_path, "i1.md", "customer_id: K1\ndate: 2026-09-01\ninterviewer: Miriam Koch\nsegment: loyal\n"
                              "name: Karl Weber", body)
    interviews = read_interviews(tmp_path)
    coded = code_texts(interviews, sample_codebook)
    out = quotes(coded, interviews=interviews, codebook=sample_codebook)
    assert out.groupby(["theme", "polarity"]).size().max() == 1
    assert out["words"].between(8, 30).all()                         # the 36-word sentence is left out
    service = out.set_index(["theme", "polarity"]).loc[("service", "positive"), "quote"]
    assert service == "[name] lobt den Kundenservice als sehr freundlich und schnell, Mail an [e-mail]."
    assert not out["quote"].str.contains("Miriam|Koch|Weber|Karl|@").any()
    assert "[name] findet die Lieferung" in " ".join(quotes(coded, interviews=interviews, per_group=3)["quote"])
    assert out.set_index(["theme", "polarity"]).loc[("delivery", "negative"), "segment"] == "loyal"


def test_script_in_a_comment_is_escaped_in_html(sample_codebook):
    comments = pd.Series({"r1": "Alles gut <script>alert(1)</script> – der Kaffee ist frisch und schmeckt gut."})
    coded = code_texts(comments, sample_codebook)
    table = quotes(coded, min_words=3)
    assert "<script>" in table.loc[0, "quote"]                      # the data keeps the plain text
    html = as_html_table(table)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in table._repr_html_()                     # pandas' own notebook display escapes too


# ---- the sample business (planted effects) -------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_interviews(sample_codebook):
    if not (SAMPLE / "interviews").is_dir():
        pytest.skip("data/sample/interviews not present")
    interviews = read_interviews(SAMPLE / "interviews", codebook=sample_codebook)
    return interviews, code_texts(interviews, sample_codebook)


def test_sample_loyal_interviewees_share_positive_service(sample_interviews, sample_codebook):
    interviews, coded = sample_interviews
    common = common_themes(coded, interviews, segment="loyal", codebook=sample_codebook).set_index("theme")
    # planted: 6 of 7 loyal interviewees praise the personal service. All 7 mention service; it is
    # positive for 6 and not negative for anyone, and it is what sets loyal interviewees apart (largest lift:
    # few at-risk or lost interviewees speak well of service). Coffee quality is praised by all
    # 7 too, but equally by the other segments, so its lift is small.
    assert common.loc["service", "common_to_all"]
    assert (common.loc["service", "positive"], common.loc["service", "negative"]) == (6, 0)
    assert common.loc["service", "polarity"] == "positive"
    assert common["lift"].idxmax() == "service"
    # shares tie at 7/7, so the more distinctive theme leads the table
    assert common.index[0] == "service" and common.loc["quality", "share"] == common.loc["service", "share"] == 1.0
    positive_common = common.loc[common["common_to_all"] & (common["polarity"] == "positive")]
    assert "service" in positive_common.index


def test_sample_detractors_complain_about_delivery_and_price(sample_codebook):
    surveys = pd.read_csv(SAMPLE / "surveys.csv")
    commented = surveys.loc[surveys["comment"].notna() & surveys["nps"].notna()]
    coded = code_texts(commented, sample_codebook, column="comment")
    nps_class = pd.cut(commented["nps"], [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    groups = pd.Series(nps_class.to_numpy(), index=commented["response_id"].to_numpy())
    negative = theme_contrast(coded, groups, polarity="negative")
    top = negative.sort_values("share_detractor", ascending=False)["theme"].head(2).tolist()
    assert set(top) == {"delivery", "price"}
    positive = theme_contrast(coded, groups, polarity="positive").set_index("theme")
    assert positive["share_promoter"].idxmax() == "quality"
    assert uncoded_share(commented, coded, column="comment") < 0.05


def test_sample_exit_reasons_agree_with_their_category(sample_codebook):
    exits = pd.read_csv(SAMPLE / "exits.csv").reset_index()
    coded = code_texts(exits, sample_codebook, column="reason", id_column="index")
    themes = coded.groupby("text_id")["theme"].agg(set)
    judged = exits.loc[exits["category"].isin(sample_codebook.ids)]
    hit = [row.category in themes.get(row.index, set()) for row in judged.itertuples()]
    assert np.mean(hit) > 0.9
    pareto = reasons_pareto(coded, exits.set_index("index")["reason"], codebook=sample_codebook)
    assert pareto["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert pareto["theme"].iloc[-1] == "(no theme)"                  # moved / no longer need it


# ---- plots -------------------------------------------------------------------------------------------

def test_plot_themes_by_segment_bars_are_the_shares():
    from kit.plots.interviews import plot_themes_by_segment

    freq = pd.DataFrame({"segment": ["loyal", "loyal", "lost", "lost"], "theme": ["service", "price"] * 2,
                         "label": ["Kundenservice", "Preis"] * 2, "share": [1.0, 0.2, 0.3, 0.9], "texts": [5, 5, 3, 3]})
    ax = plot_themes_by_segment(freq, lang="de")
    assert [float(b.get_width()) for b in ax.containers[0]] == [1.0, 0.2]      # loyal
    assert [float(b.get_width()) for b in ax.containers[1]] == [0.3, 0.9]      # lost
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kundenservice", "Preis"]
    assert ax.get_title(loc="left") == "Themen nach Segment"


def test_plot_theme_polarity_diverges_from_zero(sample_codebook):
    from kit.plots.interviews import plot_theme_polarity

    coded = _coded([("a", 1, "price", "negative"), ("b", 1, "price", "negative"), ("b", 2, "price", "positive"),
                    ("c", 1, "service", "positive")])
    ax = plot_theme_polarity(aspects(coded, codebook=sample_codebook))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    widths = {label: (float(neg.get_width()), float(pos.get_width()))
              for label, neg, pos in zip(labels, ax.containers[0], ax.containers[1], strict=False)}
    assert widths["Price"] == (-2.0, 1.0) and widths["Customer service"] == (-0.0, 1.0)
    assert widths["Delivery"] == (-0.0, 0.0)                                 # in the codebook, never mentioned


# ---- edge cases ------------------------------------------------------------------------------------------

def test_summaries_accept_empty_coding(sample_codebook):
    empty = code_texts(pd.Series([], dtype=object), sample_codebook)
    interviews = pd.DataFrame({"interview_id": ["a"], "customer_id": ["K1"], "segment": ["loyal"], "codes": [None]})
    assert theme_frequency(empty).empty
    assert common_themes(empty, interviews, segment="loyal").empty
    assert aspects(empty, codebook=sample_codebook)["mentions"].sum() == 0
    assert quotes(empty, interviews=interviews).empty
    assert cooccurrence(empty, codebook=sample_codebook).to_numpy().sum() == 0
    assert reasons_pareto(empty).empty
    assert intercoder_agreement(interviews, empty).empty


def test_missing_segment_values_and_column():
    interviews = pd.DataFrame({"interview_id": ["a", "b"], "customer_id": ["K1", "K2"], "segment": ["loyal", None]})
    coded = _coded([("a", 1, "service", "positive"), ("b", 1, "price", "negative")])
    freq = theme_frequency(coded, interviews, by="segment").set_index(["segment", "theme"])
    assert freq.loc[("(missing)", "price"), "mentioning"] == 1
    with pytest.raises(ValueError, match="needs a 'segment' column"):
        common_themes(coded, interviews.drop(columns="segment"), segment="loyal")
    with pytest.raises(ValueError, match="no column 'wave'"):
        theme_frequency(coded, interviews, by="wave")


def test_read_interviews_handles_bom_crlf_and_latin1(tmp_path):
    (tmp_path / "a.md").write_bytes("\ufeff---\r\ncustomer_id: K1\r\ndate: 01.09.2026\r\ninterviewer: Jörg Müller\r\n"
                                    "---\r\n\r\nDie Lieferung war schön.\r\n".encode())
    (tmp_path / "b.md").write_bytes("---\ncustomer_id: K2\ndate: 2026-09-02\ninterviewer: Jörg Müller\n---\n\n"
                                    "Die Qualität ist schön, über alles zufrieden. Äußerst günstig.\n".encode("latin-1"))
    frame = read_interviews(tmp_path)
    assert frame["interviewer"].tolist() == ["Jörg Müller", "Jörg Müller"]
    assert frame["date"].tolist() == [pd.Timestamp("2026-09-01"), pd.Timestamp("2026-09-02")]   # 01.09. = 1 Sep
    assert frame.loc[1, "text"].startswith("Die Qualität ist schön")
