"""Real data: ~2,400 NPS comments of a UK telecom provider coded with data/codebook_telecom.yaml.

Source: ../shared/datasets/bt-nps-verbatims (see its SOURCE.md; R package textSummary, GPL). The file is
read at run time and never copied into the repository. There are no human codes, so the checks are the
ones a reviewer of a coding frame makes: few comments left without a theme, and themes that separate
detractors from promoters the way their scores say they should.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.text.codebook import read_codebook
from kit.text.interviews import code_texts, theme_contrast, uncoded_share, uncoded_texts

pytestmark = pytest.mark.shared

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def verbatims(shared_datasets):
    frame = pd.read_csv(shared_datasets / "bt-nps-verbatims" / "nps_verbatims.csv")
    assert len(frame) == 2385                                     # SOURCE.md: 2,385 rows
    return frame


@pytest.fixture(scope="module")
def coded(verbatims):
    codebook = read_codebook(ROOT / "data" / "codebook_telecom.yaml")
    return code_texts(verbatims, codebook)


@pytest.fixture(scope="module")
def groups(verbatims):
    rating = verbatims["NPS_RATING"].str.lower()
    keep = rating.isin(["detractor", "promoter"])
    return pd.Series(pd.Categorical(rating[keep], categories=["detractor", "promoter"]),
                     index=verbatims.index[keep])


def test_few_comments_have_no_theme(verbatims, coded):
    share = uncoded_share(verbatims, coded)
    assert share < 0.20
    # the catch-all theme "general" (overall praise or complaint) is not what keeps the share low
    specific = coded.loc[coded["theme"] != "general"]
    assert uncoded_share(verbatims, specific) < 0.20
    # naive oracle: count by hand the non-empty texts whose index never appears in the coded rows
    non_empty = verbatims["text"].fillna("").str.strip() != ""
    ids = set(coded["text_id"])
    by_hand = sum(1 for i in verbatims.index[non_empty] if i not in ids) / non_empty.sum()
    assert share == pytest.approx(by_hand)
    # what is left is mostly bare scores and one-word answers ("10", "Stop")
    left = uncoded_texts(verbatims, coded)
    assert (left.str.count(r"[A-Za-z]+") <= 3).mean() > 0.5


def test_detractors_and_promoters_talk_about_different_things(coded, groups):
    contrast = theme_contrast(coded.loc[coded["theme"] != "general"], groups).set_index("theme")
    top_detractor = contrast["share_detractor"].nlargest(3).index.tolist()
    top_promoter = contrast["share_promoter"].nlargest(3).index.tolist()
    assert top_detractor != top_promoter
    # waiting for the order / connection is the detractors' first theme, and far rarer among promoters
    assert top_detractor[0] == "order_delivery"
    row = contrast.loc["order_delivery"]
    assert row["share_detractor"] > 2 * row["share_promoter"] and row["p_value"] < 1e-6
    # naive oracle for that share: detractor texts with an order_delivery row / all detractor texts
    detractors = set(groups.index[groups == "detractor"])
    mentioning = set(coded.loc[coded["theme"] == "order_delivery", "text_id"]) & detractors
    assert row["share_detractor"] == pytest.approx(len(mentioning) / len(detractors))
    # ease of the process is a promoters' theme
    assert "ease" in top_promoter and "ease" not in top_detractor
    assert contrast.loc["ease", "share_promoter"] > 3 * contrast.loc["ease", "share_detractor"]


def test_polarity_follows_the_score(coded, groups):
    negative = theme_contrast(coded, groups, polarity="negative").set_index("theme")
    positive = theme_contrast(coded, groups, polarity="positive").set_index("theme")
    # for every theme that at least 5 % of either group mention, detractors mention it negatively more often
    # and promoters positively more often
    for theme in negative.index:
        if max(negative.loc[theme, "share_detractor"], positive.loc[theme, "share_promoter"]) < 0.05:
            continue
        assert negative.loc[theme, "share_detractor"] > negative.loc[theme, "share_promoter"], theme
        assert positive.loc[theme, "share_promoter"] > positive.loc[theme, "share_detractor"], theme
