"""Summaries of coded texts: frequencies, shared themes, aspects, contrasts, Pareto (kit.text.themes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.text.codebook import read_codebook
from kit.text.coding import code_texts, uncoded_share
from kit.text.interviews import read_interviews
from kit.text.themes import aspects, common_themes, cooccurrence, reasons_pareto, theme_contrast, theme_frequency

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _coded(rows):
    """A coded frame from (text_id, sentence_no, theme, polarity) tuples."""
    frame = pd.DataFrame(rows, columns=["text_id", "sentence_no", "theme", "polarity"])
    frame["sentence"] = "s"
    frame["cues"] = ""
    return frame


@pytest.fixture(scope="module")
def sample_codebook():
    return read_codebook(SAMPLE / "codebook.yaml")


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


def test_common_themes_difference_is_computed_from_the_shares_it_shows():
    # 4 loyal interviewees all mention service, 3 of them positively (d neutrally); of the 2 others,
    # 1 praises service. Mentioned in any tone: 4/4 = 100 %; in the prevailing (positive) tone: 3/4 = 75 %;
    # others positive: 1/2 = 50 % -> difference 75 % - 50 % = +25 pp (not 100 % - 50 %).
    interviews = pd.DataFrame({"interview_id": list("abcdef"), "customer_id": ["K1", "K2", "K3", "K4", "K5", "K6"],
                               "segment": ["loyal"] * 4 + ["lost"] * 2})
    coded = _coded([("a", 1, "service", "positive"), ("b", 1, "service", "positive"),
                    ("c", 1, "service", "positive"), ("d", 1, "service", "neutral"),
                    ("e", 1, "service", "positive"), ("f", 1, "price", "negative"),
                    # mixed: 1 positive, 1 negative of 4 loyal -> in tone = any mention 2/4; others any 1/2
                    ("a", 2, "price", "positive"), ("b", 2, "price", "negative")])
    common = common_themes(coded, interviews, segment="loyal", min_share=0.5).set_index("theme")
    service = common.loc["service"]
    assert (service["share"], service["polarity"], service["share_polarity"]) == (1.0, "positive", 0.75)
    assert service["share_others"] == 0.5 and service["lift"] == pytest.approx(0.25)
    price = common.loc["price"]
    assert (price["share"], price["polarity"], price["share_polarity"]) == (0.5, "mixed", 0.5)
    assert price["share_others"] == 0.5 and price["lift"] == pytest.approx(0.0)
    for row in common.itertuples():  # the difference is always the two shares the table shows
        assert row.lift == pytest.approx(row.share_polarity - row.share_others)


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


def test_theme_contrast_adjusts_across_themes():
    coded = _coded([(1, 1, "price", "negative"), (2, 1, "price", "negative"), (2, 1, "quality", "positive")])
    groups = pd.Series(["detractor", "detractor", "promoter", "promoter"], index=[1, 2, 3, 4])
    # two themes: price p = 1/3, quality (1 of 2 detractors, 0 of 2 promoters) p = 1.
    # Holm: 2 x 1/3 = 2/3, then max(1 x 1, 2/3) = 1. BH: price 2 x 1/3 / 1 = 2/3 (min with quality 2 x 1 / 2 = 1)
    holm_ = theme_contrast(coded, groups).set_index("theme")
    assert holm_.loc["price", "p_value"] == pytest.approx(1 / 3)
    assert holm_.loc["price", "p_adjusted"] == pytest.approx(2 / 3)
    assert holm_.loc["quality", "p_adjusted"] == pytest.approx(1.0) and holm_.attrs["adjust"] == "holm"
    bh = theme_contrast(coded, groups, adjust="bh").set_index("theme")
    assert bh.loc["price", "p_adjusted"] == pytest.approx(2 / 3) and bh.attrs["adjust"] == "bh"
    with pytest.raises(ValueError, match="holm, bh"):
        theme_contrast(coded, groups, adjust="bonferroni")


def test_reasons_pareto_with_uncoded_row():
    reasons = pd.Series({1: "zu teuer", 2: "Preis und Lieferung", 3: "Umzug", 4: ""})
    coded = _coded([(1, 1, "price", "negative"), (2, 1, "price", "neutral"), (2, 1, "delivery", "neutral")])
    out = reasons_pareto(coded, reasons)
    # counts price 2, delivery 1, (no theme) 1 (text 3; the empty text 4 does not count) -> total 4
    assert out["theme"].tolist() == ["price", "delivery", "(no theme)"]
    assert out["count"].tolist() == [2, 1, 1]
    assert out["cumulative_share"].tolist() == pytest.approx([0.5, 0.75, 1.0])
    assert out["share_of_texts"].tolist() == pytest.approx([2 / 3, 1 / 3, 1 / 3])   # 3 non-empty texts


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
    from kit.report.plots.interviews import plot_themes_by_segment

    freq = pd.DataFrame({"segment": ["loyal", "loyal", "lost", "lost"], "theme": ["service", "price"] * 2,
                         "label": ["Kundenservice", "Preis"] * 2, "share": [1.0, 0.2, 0.3, 0.9], "texts": [5, 5, 3, 3]})
    ax = plot_themes_by_segment(freq, lang="de")
    assert [float(b.get_width()) for b in ax.containers[0]] == [1.0, 0.2]      # loyal
    assert [float(b.get_width()) for b in ax.containers[1]] == [0.3, 0.9]      # lost
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kundenservice", "Preis"]
    assert ax.get_title(loc="left") == "Themen nach Segment"


def test_plot_theme_polarity_diverges_from_zero(sample_codebook):
    from kit.report.plots.interviews import plot_theme_polarity

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
    assert cooccurrence(empty, codebook=sample_codebook).to_numpy().sum() == 0
    assert reasons_pareto(empty).empty


def test_missing_segment_values_and_column():
    interviews = pd.DataFrame({"interview_id": ["a", "b"], "customer_id": ["K1", "K2"], "segment": ["loyal", None]})
    coded = _coded([("a", 1, "service", "positive"), ("b", 1, "price", "negative")])
    freq = theme_frequency(coded, interviews, by="segment").set_index(["segment", "theme"])
    assert freq.loc[("(missing)", "price"), "mentioning"] == 1
    with pytest.raises(ValueError, match="needs a 'segment' column"):
        common_themes(coded, interviews.drop(columns="segment"), segment="loyal")
    with pytest.raises(ValueError, match="no column 'wave'"):
        theme_frequency(coded, interviews, by="wave")
