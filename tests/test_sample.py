"""The sample business: deterministic files, formats, ranges, and every planted effect.

The planted effects are checked with plain pandas/numpy computations written here (the kit's own
metric modules are tested elsewhere), against the sizes documented in data/sample/README.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import kit.sample.generate as sample
from kit.sample import generate_sample, sample_config_path, write_sample

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
THEMES = {"delivery", "price", "quality", "service", "packaging", "website", "subscription", "range"}
END = pd.Timestamp("2026-10-01")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate_sample()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample(out)


def _nps(scores: pd.Series) -> float:
    s = scores.dropna()
    return 100.0 * ((s >= 9).mean() - (s <= 6).mean())


# ---------------------------------------------------------------------------------------------
# files


def test_regeneration_is_byte_identical_to_committed_files(written):
    out, files = written
    generated = {p.relative_to(out).as_posix() for p in files}
    committed = {p.relative_to(SAMPLE_DIR).as_posix() for p in SAMPLE_DIR.rglob("*")
                 if p.is_file() and p.name not in ("codebook.yaml", "README.md")}
    assert generated == committed
    for rel in sorted(generated):
        assert (out / rel).read_bytes() == (SAMPLE_DIR / rel).read_bytes(), rel


def test_same_seed_same_frames_other_seed_other_frames():
    a = generate_sample(customers=300, seed=3)
    b = generate_sample(customers=300, seed=3)
    c = generate_sample(customers=300, seed=4)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["orders"].equals(c["orders"])


def test_german_exports_are_encoded_as_documented():
    kunden = (SAMPLE_DIR / "kunden.csv").read_bytes()
    assert kunden.startswith(b"Kundennummer;Registriert_am;Segment;Bundesland;Akquisekanal\n")
    assert "Thüringen".encode("cp1252") in kunden  # ü is the single byte 0xFC
    with pytest.raises(UnicodeDecodeError):
        kunden.decode("utf-8")
    assert re.search(rb"\nK\d{5};\d{2}\.\d{2}\.\d{4};(Abo|Einzelkauf);", kunden)

    orders = (SAMPLE_DIR / "bestellungen.csv").read_bytes()
    assert orders.startswith(b"\xef\xbb\xbfBestellnummer;Kundennummer;Bestelldatum;Umsatz;Erstattung;"
                             b"Retoure;Menge;Kategorie;Kanal\n")
    text = orders.decode("utf-8-sig")
    assert orders.count(b"\xef\xbb\xbf") == 1
    assert re.search(r"\n[^;\n]+;[^;\n]+;\d{2}\.\d{2}\.\d{4};\d{1,3}(\.\d{3})*,\d{2};\d+,\d{2};(ja|nein);", text)
    assert re.search(r";\d\.\d{3},\d{2};", text), "some order above 1,000 EUR shows the thousands separator"


def test_ticket_offsets_follow_berlin_daylight_saving_time():
    raw = pd.read_csv(SAMPLE_DIR / "tickets.csv", dtype=str, keep_default_na=False)
    stamps = pd.concat([raw.opened_at, raw.first_response_at, raw.resolved_at])
    stamps = stamps[stamps != ""]
    assert stamps.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+0[12]:00").all()
    # the offset written must be the one Europe/Berlin had at that instant
    instant = pd.to_datetime(stamps, utc=True, format="ISO8601")
    offset_h = stamps.str[-6:-3].astype(int)
    local = instant.dt.tz_convert("Europe/Berlin")
    expected = local.map(lambda t: int(t.utcoffset().total_seconds() // 3600))
    assert (offset_h.to_numpy() == expected.to_numpy()).all()
    assert {1, 2} <= set(offset_h)
    assert set(raw.is_complaint) == {"true", "false"}


def test_row_counts_and_date_ranges(tables):
    t = tables
    assert len(t["customers"]) == 3000
    assert t["customers"].customer_id.is_unique
    assert 25_000 < len(t["orders"]) < 45_000
    assert t["orders"].order_id.is_unique
    assert t["orders"].order_date.min() == pd.Timestamp("2023-10-01")
    assert t["orders"].order_date.max() == pd.Timestamp("2026-09-30")  # latest complete quarter 2026-Q3
    for name, cols in (("surveys", ["responded_at"]), ("tickets", ["opened_at", "first_response_at", "resolved_at"]),
                       ("exits", ["exit_date"]), ("referrals", ["referred_at"]), ("contacts", ["sent_at"])):
        for col in cols:
            values = t[name][col].dropna()
            assert values.min() >= pd.Timestamp("2023-10-01"), (name, col)
            assert values.max() < END, (name, col)
    # every order belongs to a known customer and lies on or after its signup day
    orders = t["orders"].merge(t["customers"], on="customer_id", how="left", validate="many_to_one")
    assert orders.signup_date.notna().all()
    assert (orders.order_date >= orders.signup_date).all()
    # tickets: response after opening, resolution after response
    k = t["tickets"].dropna(subset=["first_response_at", "resolved_at"])
    assert (k.first_response_at > k.opened_at).all() and (k.resolved_at > k.first_response_at).all()
    assert (t["tickets"].opened_at.dt.day_of_week >= 5).mean() > 0.15  # weekend tickets exist


def test_orders_have_returns_refunds_and_only_refunded_customers(tables):
    o, truth = tables["orders"], tables["truth"]
    assert 0.03 < o.returned.mean() < 0.07
    full = o.refund_amount == o.revenue
    partial = (o.refund_amount > 0) & ~full
    assert full.sum() > 300 and partial.sum() > 100
    assert (o.refund_amount <= o.revenue).all()
    net = (o.revenue - o.refund_amount).groupby(o.customer_id).sum()
    only = truth.customer_id[truth.only_refunded]
    assert len(only) == 9 and (net[only] == 0).all()


def test_surveys_waves_invitations_and_missing_answers(tables):
    s, c = tables["surveys"], tables["contacts"]
    per_wave = s.groupby("wave").size()
    assert list(per_wave.index) == [f"{y}-Q{q}" for y, q in
                                    [(2023, 4)] + [(y, q) for y in (2024, 2025) for q in (1, 2, 3, 4)]
                                    + [(2026, q) for q in (1, 2, 3)]]
    assert per_wave.between(100, 450).all() and per_wave.tail(6).between(200, 450).all()
    # every answer matches a responded invitation of the same customer and wave, one to one
    answered = c[c.responded][["customer_id", "wave"]].sort_values(["customer_id", "wave"], ignore_index=True)
    answers = s[["customer_id", "wave"]].sort_values(["customer_id", "wave"], ignore_index=True)
    pd.testing.assert_frame_equal(answered, answers)
    assert 0.25 <= c.responded.mean() <= 0.32
    wave_of = s.responded_at.dt.year.astype(str) + "-Q" + s.responded_at.dt.quarter.astype(str)
    assert (wave_of == s.wave).all()
    for col in ("nps", "csat", "ces", "rating", "driver_delivery"):
        assert 0.01 < s[col].isna().mean() < 0.12, col
    assert s.nps.dropna().between(0, 10).all() and s.ces.dropna().between(1, 7).all()
    with_comment = s[s.comment.notna()]
    assert 0.5 < len(with_comment) / len(s) < 0.75
    assert 0.6 < (with_comment.language == "de").mean() < 0.8


def test_special_texts_for_escaping_and_scrubbing(tables):
    comments = tables["surveys"].comment.dropna()
    assert comments.str.contains("<script>alert(1)</script>", regex=False).sum() == 1
    email = r"[\w.]+@example\.(?:de|com)"
    phone = r"0\d{3} \d{6,7}"
    assert (comments.str.contains(email) & comments.str.contains(phone)).sum() == 1
    notes = [p.read_text(encoding="utf-8") for p in sorted((SAMPLE_DIR / "interviews").glob("*.md"))]
    assert sum(bool(re.search(email, n) and re.search(phone, n)) for n in notes) == 1


def _interviews() -> list[tuple[dict, str]]:
    out = []
    for path in sorted((SAMPLE_DIR / "interviews").glob("*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        out.append((yaml.safe_load(head), body))
    return out


def test_interview_notes_front_matter(tables):
    notes = _interviews()
    truth = tables["truth"].set_index("customer_id")
    assert len(notes) == 14
    assert sum("codes" in meta for meta, _ in notes) == 6
    for meta, body in notes:
        assert meta["customer_id"] in truth.index
        assert meta["segment"] in {"loyal", "at_risk", "lost"}
        assert isinstance(meta["date"], __import__("datetime").date)
        assert set(meta.get("codes", [])) <= THEMES
        row = truth.loc[meta["customer_id"]]
        expected = {"loyal": row.loyal, "at_risk": row.planted_at_risk_high_value, "lost": row.lapsed}
        assert expected[meta["segment"]], meta
        assert len(body.split("\n\n")) >= 3
    assert {m["segment"] for m, _ in notes} == {"loyal", "at_risk", "lost"}


# ---------------------------------------------------------------------------------------------
# planted effects


def _exposure(truth: pd.DataFrame) -> pd.DataFrame:
    """Person-days and deaths before and after the first slow ticket, per customer (naive oracle)."""
    t = truth[~truth.planted_at_risk_high_value].copy()
    stop = t.lifetime_end.fillna(END)
    switch = t.first_slow_ticket_at.fillna(stop).clip(upper=stop)
    return pd.DataFrame({
        "stratum": t.segment + "/" + t.churn_hazard_multiplier.astype(str),
        "days_before": (switch - t.signup_date).dt.days.clip(lower=0),
        "days_after": (stop - switch).dt.days.clip(lower=0),
        "death_after": t.churned & t.first_slow_ticket_at.notna(),
        "death_before": t.churned & t.first_slow_ticket_at.isna(),
        "referred": t.referred, "loyal": t.loyal, "segment": t.segment,
    })


def test_effect1_slow_first_response_doubles_the_churn_hazard(tables):
    e = _exposure(tables["truth"])
    # within each stratum of (segment, multiplier) the hazard is constant except for the slow ticket;
    # expected deaths after the switch at the stratum's pre-switch rate vs observed deaths (SMR)
    g = e.groupby("stratum")[["days_before", "days_after", "death_before", "death_after"]].sum()
    rate_before = g.death_before / g.days_before
    ratio = g.death_after.sum() / (rate_before * g.days_after).sum()
    assert 1.5 < ratio < 2.7, ratio  # planted 2.0
    # and the plain comparison an analyst makes first: churned share with vs without a slow ticket
    truth = tables["truth"]
    share = truth.groupby("slow_first_response").churned.mean()
    assert share[True] > share[False] + 0.05


def test_effect1_visible_in_observed_tickets(tables):
    t, truth = tables["tickets"], tables["truth"]
    hours = (t.first_response_at - t.opened_at).dt.total_seconds() / 3600
    slow_ids = set(t.customer_id[hours > 24])
    assert slow_ids == set(truth.customer_id[truth.slow_first_response])
    assert 0.05 < len(slow_ids) / len(truth) < 0.15


def test_effect2_delivery_strongest_price_weakest_driver(tables):
    s = tables["surveys"]
    drivers = ["driver_delivery", "driver_price", "driver_quality", "driver_service", "driver_website"]
    cc = s[drivers + ["nps"]].dropna()
    corr = cc.corr()["nps"][drivers]
    assert corr.idxmax() == "driver_delivery" and corr.idxmin() == "driver_price"
    # standardised OLS coefficients, bootstrapped: the intervals of delivery and price do not overlap
    z = (cc - cc.mean()) / cc.std()
    rng = np.random.default_rng(0)
    coefs = []
    for _ in range(200):
        b = z.iloc[rng.integers(0, len(z), len(z))]
        x = np.column_stack([np.ones(len(b)), b[drivers].to_numpy()])
        coefs.append(np.linalg.lstsq(x, b.nps.to_numpy(), rcond=None)[0][1:])
    coefs = np.array(coefs)
    lo, hi = np.quantile(coefs, [0.025, 0.975], axis=0)
    assert lo[0] > hi[1]  # delivery's lower bound above price's upper bound
    assert np.median(coefs, axis=0).argmax() == 0 and np.median(coefs, axis=0).argmin() == 1


KEYWORDS = {
    "delivery": r"(?i)liefer|deliver|shipping|versand|paket|parcel|carrier",
    "price": r"(?i)preis|teuer|price|expensive|cheaper",
    "quality": r"(?i)qualit|frisch|geschmack|quality|fresh|taste",
    "service": r"(?i)service|freundlich|friendly",
}


def test_effect3_detractor_and_promoter_comments(tables):
    s = tables["surveys"].dropna(subset=["comment", "nps"])
    det, pro = s[s.nps <= 6].comment, s[s.nps >= 9].comment
    share = {k: (det.str.contains(v).mean(), pro.str.contains(v).mean()) for k, v in KEYWORDS.items()}
    assert len(det) > 150 and len(pro) > 400
    assert share["delivery"][0] > 0.45 and share["price"][0] > 0.3
    assert share["delivery"][0] > 3 * share["quality"][0] and share["price"][0] > 3 * share["service"][0]
    assert share["quality"][1] > 0.4 and share["service"][1] > 0.25 and share["price"][1] < 0.05


def test_effect4_referred_customers_churn_less(tables):
    e = _exposure(tables["truth"])
    e = e[~e.loyal]
    # deaths per person-day before any slow ticket, referred vs not, within segment
    g = e.groupby(["segment", "referred"])[["death_before", "days_before"]].sum()
    rate = g.death_before / g.days_before
    for seg in ("Abo", "Einzelkauf"):
        assert 0.35 < rate[(seg, True)] / rate[(seg, False)] < 0.9, seg  # planted 0.6
    refs = tables["referrals"]
    assert set(refs.referred_id) == set(tables["truth"].customer_id[tables["truth"].referred])
    assert set(refs.referred_id) <= set(tables["customers"].customer_id[
        tables["customers"].acquisition_channel == "Empfehlung"])
    signup = tables["customers"].set_index("customer_id").signup_date
    assert (signup[refs.referrer_id].to_numpy() < signup[refs.referred_id].to_numpy()).all()


def test_effect5_five_star_customers_reorder_more(tables):
    truth = tables["truth"]
    years = ((truth.lifetime_end.fillna(END) - truth.signup_date).dt.days + 1) / 365.25
    rate = (truth.n_orders / years).groupby(truth.five_star).mean()
    assert 1.15 < rate[True] / rate[False] < 1.7  # planted 1.5 on the order process
    s = tables["surveys"]
    fans = truth.customer_id[truth.five_star & ~truth.planted_at_risk_high_value]
    assert (s[s.customer_id.isin(fans)].rating.dropna() >= 4).all()


def test_effect6_loyal_interviewees_praise_personal_service():
    loyal = [body for meta, body in _interviews() if meta["segment"] == "loyal"]
    praise = [bool(re.search(r"(?i)pers[öo]nlich\w* (service|kontakt)|personal service", b)) for b in loyal]
    assert len(loyal) == 7 and sum(praise) / len(loyal) >= 0.75


def test_effect7_at_risk_high_value_customers_top_a_simple_watch_list(tables):
    t = tables
    o, s, k, truth = t["orders"], t["surveys"], t["tickets"], t["truth"]
    planted = set(truth.customer_id[truth.planted_at_risk_high_value])
    assert len(planted) == 60
    recent = s[s.wave.isin(["2026-Q2", "2026-Q3"])]
    low = set(recent.customer_id[(recent.rating <= 3) | (recent.nps <= 6)])
    complained = set(k.customer_id[k.is_complaint & (k.opened_at >= "2026-07-01")])
    assert planted <= low and planted <= complained
    # the watch list: low answer + recent complaint, ranked by net spend in the year before
    year = o[(o.order_date >= "2025-07-01") & (o.order_date < "2026-07-01")]
    spend = (year.revenue - year.refund_amount).groupby(year.customer_id).sum()
    candidates = spend[spend.index.isin(low & complained)].sort_values(ascending=False)
    assert len(set(candidates.index[:60]) & planted) >= 55
    # ordering slows: orders per customer-month before vs after 2026-05-01
    mine = o[o.customer_id.isin(planted)]
    before = ((mine.order_date >= "2025-05-01") & (mine.order_date < "2026-05-01")).sum() / 12
    after = (mine.order_date >= "2026-05-01").sum() / 5
    assert after < 0.5 * before


def test_effect8_delivery_crisis_in_2026_q2_q3(tables):
    k, s = tables["tickets"], tables["surveys"]
    quarter = k.opened_at.dt.year.astype(str) + "-Q" + k.opened_at.dt.quarter.astype(str)
    delivery = k[k.category == "delivery"].groupby(quarter).size()
    assert delivery["2026-Q3"] > 1.5 * delivery["2026-Q2"] > 2 * delivery["2026-Q1"]
    complaints = k[k.is_complaint]
    assert complaints.category.value_counts().idxmax() == "delivery"
    nps = s.groupby("wave").nps.apply(_nps)
    assert nps["2026-Q3"] < nps["2026-Q2"] - 5
    assert nps[[w for w in nps.index if w < "2026-Q2"]].mean() > nps["2026-Q2"]
    rating = s.groupby("wave").driver_delivery.mean()
    assert rating["2026-Q3"] < rating["2026-Q2"] < rating["2026-Q1"]


def test_effect9_loyal_keep_buying_lapsed_stop(tables):
    truth = tables["truth"]
    lapsed = truth.groupby("loyal").lapsed.mean()
    assert lapsed[True] < 0.12 and lapsed[False] > 0.3
    recency = (END - truth.last_order_date).dt.days
    assert recency[truth.loyal].median() < 45
    # lapsed customers' last order really is > 180 days before the end
    assert (recency[truth.lapsed] > 180).all()


def test_exits_are_abo_cancellations(tables):
    e, truth = tables["exits"], tables["truth"].set_index("customer_id")
    assert e.customer_id.is_unique
    assert (truth.loc[e.customer_id, "segment"] == "Abo").all()
    assert (truth.loc[e.customer_id, "lifetime_end"].to_numpy() == e.exit_date.to_numpy()).all()
    assert set(e.category) == {"price", "delivery", "service", "quality", "moved", "no_need"}
    assert e.reason.str.len().gt(5).all()


def test_abo_customers_have_subscriptions_that_match_their_exits(tables):
    a, truth = tables["subscriptions"], tables["truth"].set_index("customer_id")
    abo = truth.index[truth.segment == "Abo"]
    assert a.customer_id.is_unique and set(a.customer_id) == set(abo)
    # the subscription starts on the signup day and ends on the cancellation day of exits.csv
    assert (a.start_date.to_numpy() == truth.loc[a.customer_id, "signup_date"].to_numpy()).all()
    ends = a.set_index("customer_id").end_date.dropna()
    exits = tables["exits"].set_index("customer_id").exit_date
    assert set(ends.index) == set(exits.index) and (ends == exits.loc[ends.index]).all()
    # 1-3 bags; the planted at-risk customers order 2 bags more (effect 7)
    assert a.plan.str.fullmatch(r"Abo 1 Tüte|Abo [2-5] Tüten").all()
    assert a.plan.value_counts().index[0] == "Abo 2 Tüten"
    # data/sample/README.md documents the file and its size
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert "| `abos.csv` |" in readme and f"| {len(a)} |" in readme
    # amount per month: a median Abo order (2-3 bags, -10 %) about once a month (1.5 times for five-star customers)
    assert a.amount.between(5, 150).all() and 25 < a.amount.median() < 60


# ---------------------------------------------------------------------------------------------
# API, chunking, errors


def test_config_path_points_at_the_repository_yaml():
    path = sample_config_path()
    assert path.is_file() and path.parent.name == "data"
    assert "sample/kunden.csv" in path.read_text(encoding="utf-8")


def test_load_sample_reads_the_committed_files(tables):
    config, data = sample.load_sample()
    assert config.business.name.startswith("Bohnenpost")
    assert len(data.orders) == len(tables["orders"])
    assert data.orders.revenue.sum() == pytest.approx(tables["orders"].revenue.sum())
    assert not (data.quality.severity == "error").any()


def test_chunks_give_unique_ids_and_parquet_matches_frames(tmp_path, monkeypatch):
    pq = pytest.importorskip("pyarrow.parquet")
    monkeypatch.setattr(sample, "_CHUNK", 1000)
    frames = generate_sample(customers=2500, seed=11)
    files = write_sample(tmp_path, customers=2500, seed=11, fmt="parquet")
    assert {p.name for p in files} >= {"customers.parquet", "orders.parquet", "analysis.yaml"}
    assert frames["customers"].customer_id.is_unique and len(frames["customers"]) == 2500
    for name, key in (("orders", "order_id"), ("tickets", "ticket_id"), ("surveys", "response_id")):
        assert frames[name][key].is_unique, name
        stored = pq.ParquetFile(tmp_path / f"{name}.parquet")
        assert stored.metadata.num_rows == len(frames[name])
        assert stored.num_row_groups == 3  # one per chunk of 1,000 customers
    back = pd.read_parquet(tmp_path / "orders.parquet")
    assert back.revenue.sum() == pytest.approx(frames["orders"].revenue.sum())
    assert len(frames["interviews"]) == 14  # only the first chunk carries interviews
    assert (tmp_path / "truth" / "customers_truth.parquet").is_file()


def test_parquet_parts_hold_the_same_tables_as_one_file_each(tmp_path, monkeypatch):
    from kit.data.config import load_config
    from kit.data.io import read_data

    monkeypatch.setattr(sample, "_CHUNK", 1000)
    one = write_sample(tmp_path / "one", customers=2500, seed=11, fmt="parquet")
    parts = write_sample(tmp_path / "parts", customers=2500, seed=11, fmt="parquet", part_customers=2000)
    names = [p.relative_to(tmp_path / "parts").as_posix() for p in parts]
    # chunks of 1,000, 1,000 and 500 customers: a new part after 2,000
    assert [n for n in names if n.startswith("orders/")] == ["orders/part-00000.parquet", "orders/part-00001.parquet"]
    assert "truth/customers_truth.parquet" in names and names[-1] == "analysis.yaml"
    assert len(names) == 2 * 8 + 2          # eight tables in two parts, the truth, the configuration
    assert len(one) == 10
    config = (tmp_path / "parts" / "analysis.yaml").read_text(encoding="utf-8")
    assert "orders: {file: orders}" in config and ".parquet}" not in config
    a = read_data(load_config(tmp_path / "one" / "analysis.yaml"))
    b = read_data(load_config(tmp_path / "parts" / "analysis.yaml"))
    for table in ("customers", "orders", "surveys", "tickets", "exits", "referrals", "contacts", "subscriptions"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True, obj=table)
    assert pd.read_parquet(tmp_path / "parts" / "orders" / "part-00001.parquet").customer_id.nunique() <= 500
    # written again, smaller, into the same folder: the earlier set's second part is gone, not read as data
    write_sample(tmp_path / "parts", customers=800, seed=11, fmt="parquet", part_customers=2000)
    assert sorted(p.name for p in (tmp_path / "parts" / "orders").iterdir()) == ["part-00000.parquet"]
    assert len(read_data(load_config(tmp_path / "parts" / "analysis.yaml")).customers) == 800


def test_bad_arguments():
    with pytest.raises(ValueError, match="fmt"):
        write_sample("/nonexistent-never-created", fmt="xlsx")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="part_customers needs fmt='parquet'"):
        write_sample("/nonexistent-never-created", part_customers=10)
    with pytest.raises(ValueError, match="at least 10"):
        generate_sample(customers=5)


@pytest.mark.parametrize("customers", [10, 57, 400])
def test_small_samples_generate_and_write(tmp_path, customers):
    files = write_sample(tmp_path, customers=customers, seed=2)
    kunden = pd.read_csv(tmp_path / "kunden.csv", sep=";", encoding="cp1252")
    assert len(kunden) == customers and kunden.Kundennummer.is_unique
    assert all(p.is_file() for p in files)
    # interviews only for customers who exist and fit the segment; fewer notes when the sample is small
    notes = list((tmp_path / "interviews").glob("*.md")) if (tmp_path / "interviews").is_dir() else []
    assert len(notes) <= 14
    for note in notes:
        assert note.name.split("_")[-1].removesuffix(".md") in set(kunden.Kundennummer)
