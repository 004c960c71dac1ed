"""Key driver analysis: relative weights and Shapley R² against naive oracles written here."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.linalg

from kit.errors import DataError, DataQualityWarning, SmallSampleWarning
from kit.models.drivers import KeyDrivers, importance_performance, relative_weights, shapley_r2


def _simulated(n: int = 400, seed: int = 3) -> pd.DataFrame:
    """Five correlated drivers with known, unequal effects on y."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    x = rng.normal(size=(n, 5)) + 0.6 * common[:, None]
    y = x @ np.array([1.0, 0.6, 0.4, 0.2, 0.05]) + rng.normal(scale=1.5, size=n)
    frame = pd.DataFrame(x, columns=[f"driver_{c}" for c in "abcde"])
    frame["y"] = y
    return frame


DRIVERS = [f"driver_{c}" for c in "abcde"]


def _naive_relative_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson (2000) step by step: Λ = R^(1/2) via scipy's general matrix square root, β = Λ⁻¹ r_xy."""
    z = (x - x.mean(0)) / x.std(0)
    zy = (y - y.mean()) / y.std()
    n = len(y)
    r = z.T @ z / n
    rxy = z.T @ zy / n
    lam = np.real(scipy.linalg.sqrtm(r))
    beta = np.linalg.inv(lam) @ rxy
    return (lam**2) @ (beta**2)


def _r2_lstsq(x: np.ndarray, y: np.ndarray, cols: tuple[int, ...]) -> float:
    if not cols:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x[:, list(cols)]])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


def _naive_shapley(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """LMG by brute force: average increase in OLS R² over every order of entry (p! orders)."""
    p = x.shape[1]
    phi = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        for k, j in enumerate(order):
            before = tuple(sorted(order[:k]))
            phi[j] += _r2_lstsq(x, y, tuple(sorted((*before, j)))) - _r2_lstsq(x, y, before)
    return phi / len(orders)


def test_relative_weights_match_naive_formula_on_tiny_data():
    # 8 rows, 3 drivers: small enough to check by hand-written numpy, large enough to be non-trivial
    x = np.array([[1, 2, 5], [2, 1, 4], [3, 4, 4], [4, 3, 2], [5, 5, 3], [2, 2, 1], [4, 5, 2], [1, 3, 5]], float)
    y = np.array([2, 3, 5, 5, 8, 2, 7, 3], float)
    corr = np.corrcoef(np.column_stack([y, x]), rowvar=False)
    ours = relative_weights(corr[1:, 1:], corr[1:, 0])
    np.testing.assert_allclose(ours, _naive_relative_weights(x, y), atol=1e-10)
    # the raw weights add up to the OLS R² (Johnson 2000, property 1)
    assert ours.sum() == pytest.approx(_r2_lstsq(x, y, (0, 1, 2)), abs=1e-10)


def test_shapley_matches_brute_force_permutations():
    frame = _simulated(n=120)
    x, y = frame[DRIVERS[:4]].to_numpy(), frame["y"].to_numpy()
    corr = np.corrcoef(np.column_stack([y, x]), rowvar=False)
    np.testing.assert_allclose(shapley_r2(corr[1:, 1:], corr[1:, 0]), _naive_shapley(x, y), atol=1e-10)


def test_uncorrelated_drivers_get_their_squared_correlation():
    # x1, x2 centred and orthogonal; y = (4, 2, 1, 1) has mean 2, centred (2, 0, -1, -1), |yc| = √6.
    # r1 = x1·yc / (|x1||yc|) = 2 / (2√6) → r1² = 1/6; r2 = 4 / (2√6) → r2² = 4/6; R² = 5/6.
    # The four rows are repeated once (correlations unchanged) so that n = 8 >= p + 3.
    frame = pd.DataFrame({"x1": [1, -1, 1, -1] * 2, "x2": [1, 1, -1, -1] * 2, "y": [4, 2, 1, 1] * 2}, dtype=float)
    for method in ("relative_weights", "shapley"):
        with pytest.warns(SmallSampleWarning, match="exploratory"):
            kd = KeyDrivers(method, n_boot=0).fit(frame, outcome="y", drivers=["x1", "x2"])
        s = kd.summary.set_index("driver")
        assert s.loc["x1", "raw_weight"] == pytest.approx(1 / 6)
        assert s.loc["x2", "raw_weight"] == pytest.approx(4 / 6)
        assert s.loc["x2", "importance"] == pytest.approx(0.8)  # (4/6) / (5/6)
        assert kd.r_squared_ == pytest.approx(5 / 6)
        assert s["rank"].to_dict() == {"x2": 1, "x1": 2}
        assert kd.n_ == 8 and "exploratory" in kd.note_


def test_relative_weights_and_shapley_agree_closely():
    # Measured on this simulated case: max |share difference| is 0.0027 (asserted < 0.01).
    frame = _simulated()
    rw = KeyDrivers("relative_weights", n_boot=0).fit(frame, outcome="y", drivers=DRIVERS).summary
    sh = KeyDrivers("shapley", n_boot=0).fit(frame, outcome="y", drivers=DRIVERS).summary
    diff = (rw.set_index("driver")["importance"] - sh.set_index("driver")["importance"]).abs().max()
    assert diff < 0.01
    assert rw["driver"].tolist() == sh["driver"].tolist() == DRIVERS  # effects 1 > .6 > .4 > .2 > .05


def test_summary_columns_signs_and_regression():
    frame = _simulated()
    frame["driver_neg"] = -(frame["driver_a"] + np.random.default_rng(0).normal(size=len(frame)))
    kd = KeyDrivers(n_boot=0).fit(frame, outcome="y", drivers=["driver_b", "driver_neg"])
    s = kd.summary.set_index("driver")
    assert list(kd.summary.columns) == ["driver", "importance", "raw_weight", "ci_low", "ci_high", "sign",
                                        "coefficient", "std_coefficient", "correlation", "p_value", "rank"]
    assert s.loc["driver_neg", "sign"] == "-" and s.loc["driver_b", "sign"] == "+"
    # coefficient = OLS slope from the naive lstsq
    design = np.column_stack([np.ones(len(frame)), frame[["driver_b", "driver_neg"]]])
    coef, *_ = np.linalg.lstsq(design, frame["y"], rcond=None)
    assert s.loc["driver_b", "coefficient"] == pytest.approx(coef[1])
    assert s.loc["driver_neg", "coefficient"] == pytest.approx(coef[2])
    assert s["importance"].sum() == pytest.approx(1.0)
    assert (s["p_value"] < 0.001).all()


def test_bootstrap_intervals_are_seeded_and_cover_the_estimate():
    frame = _simulated()
    a = KeyDrivers(n_boot=200, seed=5).fit(frame, outcome="y", drivers=DRIVERS).summary
    b = KeyDrivers(n_boot=200, seed=5).fit(frame, outcome="y", drivers=DRIVERS).summary
    pd.testing.assert_frame_equal(a, b)
    assert (a["ci_low"] <= a["importance"]).all() and (a["importance"] <= a["ci_high"]).all()
    c = KeyDrivers(n_boot=200, seed=6).fit(frame, outcome="y", drivers=DRIVERS).summary
    assert not np.allclose(a["ci_low"], c["ci_low"])  # the seed matters
    # the vectorised bootstrap equals a plain loop over the same resampled rows
    kd = KeyDrivers(n_boot=20, seed=1).fit(frame, outcome="y", drivers=DRIVERS)
    idx = np.random.default_rng(1).integers(0, len(frame), size=(20, len(frame)))
    values = frame[["y", *DRIVERS]].to_numpy()
    loop = []
    for rows in idx:
        corr = np.corrcoef(values[rows], rowvar=False)
        raw = _naive_relative_weights(values[rows][:, 1:], values[rows][:, 0])
        loop.append(raw / raw.sum())
        assert raw.sum() == pytest.approx(relative_weights(corr[1:, 1:], corr[1:, 0]).sum())
    np.testing.assert_allclose(kd.boot_, np.array(loop), atol=1e-9)


def test_point_estimates_do_not_depend_on_row_order():
    frame = _simulated()
    a = KeyDrivers(n_boot=0).fit(frame, outcome="y", drivers=DRIVERS).summary
    b = KeyDrivers(n_boot=0).fit(frame.sample(frac=1, random_state=4), outcome="y", drivers=DRIVERS).summary
    pd.testing.assert_frame_equal(a, b, check_exact=False, atol=1e-12)


def test_listwise_deletion_and_small_sample_note():
    frame = _simulated(n=90)
    frame.loc[[0, 5, 7], "driver_b"] = np.nan
    frame.loc[[5, 9], "y"] = np.nan  # row 5 twice: 4 distinct incomplete rows
    with pytest.warns(SmallSampleWarning):
        kd = KeyDrivers(n_boot=0).fit(frame, outcome="y", drivers=DRIVERS)
    assert kd.n_ == 86 and kd.n_dropped_ == 4
    assert "exploratory" in kd.note_ and "4 of 90 rows dropped" in kd.note_


def test_too_few_rows_give_an_empty_summary_with_a_reason():
    frame = _simulated(n=6)
    with pytest.warns(SmallSampleWarning, match="no driver analysis"):
        kd = KeyDrivers().fit(frame, outcome="y", drivers=DRIVERS)
    assert kd.summary.empty and math.isnan(kd.r_squared_)
    assert kd.note_.startswith("no driver analysis: 6 complete rows for 5 drivers")


def test_missing_column_is_a_data_error():
    with pytest.raises(DataError, match="column.*not found: driver_x"):
        KeyDrivers().fit(_simulated(n=50), outcome="y", drivers=["driver_a", "driver_x"])
    with pytest.raises(ValueError, match="at most 12"):
        KeyDrivers("shapley").fit(_simulated(n=50), outcome="y", drivers=[f"d{i}" for i in range(13)])


def test_binary_outcome_is_flagged_as_linear_probability():
    frame = _simulated(n=300)
    frame["churned"] = frame["y"] > frame["y"].median()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # n = 300: no small-sample warning expected
        kd = KeyDrivers(n_boot=0).fit(frame, outcome="churned", drivers=DRIVERS)
    assert kd.binary_ and "linear-probability" in kd.note_
    assert kd.summary["driver"].iloc[0] == "driver_a"
    # McFadden pseudo-R² = 1 - llf / llnull, the logit log-likelihood maximised here with scipy
    from scipy.optimize import minimize

    x = np.column_stack([np.ones(len(frame)), frame[DRIVERS]])
    y = frame["churned"].to_numpy(float)

    def negll(b):
        eta = x @ b
        return -(y * eta - np.logaddexp(0, eta)).sum()

    llf = -minimize(negll, np.zeros(x.shape[1]), method="BFGS").fun
    p = y.mean()
    llnull = len(y) * (p * np.log(p) + (1 - p) * np.log(1 - p))
    assert kd.pseudo_r_squared_ == pytest.approx(1 - llf / llnull, abs=1e-5)
    assert f"pseudo-R² = {kd.pseudo_r_squared_:.3f}" in kd.note_


def test_importance_performance_quadrants_by_hand():
    # importances .4 .3 .2 .1 (mean .25); mean ratings 2, 4, 2, 4 (mean 3), 20 answers each
    summary = pd.DataFrame({"driver": ["a", "b", "c", "d"], "importance": [0.4, 0.3, 0.2, 0.1]})
    ratings = pd.DataFrame({"a": [1.0, 3.0] * 10, "b": [4.0, 4.0] * 10, "c": [2.0, np.nan] * 10,
                            "d": [5.0, 3.0] * 10})
    ip = importance_performance(summary, ratings)
    assert ip["quadrant"].tolist() == ["Concentrate here", "Keep up the good work", "Low priority",
                                       "Possible overkill"]
    assert ip["performance"].tolist() == [2.0, 4.0, 2.0, 4.0]
    assert ip["performance_share"].tolist() == [0.25, 0.75, 0.25, 0.75]  # (mean - 1) / 4
    assert ip["n"].tolist() == [20, 20, 10, 20]
    # a: sd of ten 1s and ten 3s = sqrt(20/19) = 1.026, t(0.975, 19) = 2.093 -> 2 ± 2.093 × 1.026 / sqrt(20)
    half = 2.093024 * np.sqrt(20 / 19) / np.sqrt(20)
    assert ip.loc[0, ["performance_ci_low", "performance_ci_high"]].tolist() == pytest.approx([2 - half, 2 + half])
    assert importance_performance(summary, ratings, lang="de")["quadrant"].iloc[0] == "Hier ansetzen"


def test_a_driver_on_the_split_line_is_borderline_not_overkill():
    # the sample's case: mean importance 0.2; quality 0.198 (interval 0.168-0.228) straddles it, service 0.164
    # (0.139-0.187) lies below it; both rated well above the mean rating 3.0
    summary = pd.DataFrame({"driver": ["delivery", "quality", "service", "website", "price"],
                            "importance": [0.532, 0.198, 0.164, 0.076, 0.030],
                            "ci_low": [0.498, 0.168, 0.139, 0.060, 0.020],
                            "ci_high": [0.564, 0.228, 0.187, 0.094, 0.041]})
    ratings = pd.DataFrame({"delivery": [1.0, 3.0] * 20, "quality": [3.0, 5.0] * 20, "service": [3.0, 5.0] * 20,
                            "website": [2.0, 4.0] * 20, "price": [2.0, 4.0] * 20})
    ip = importance_performance(summary, ratings).set_index("driver")
    assert ip["importance_side"].to_dict() == {"delivery": "above", "quality": "borderline", "service": "below",
                                               "website": "below", "price": "below"}
    # performance 2.0, 4.0, 4.0, 3.0, 3.0 around the mean 3.2: website and price (3.0 ± 0.32) straddle it
    assert ip["performance_side"].to_dict() == {"delivery": "below", "quality": "above", "service": "above",
                                                "website": "borderline", "price": "borderline"}
    assert ip["quadrant_id"].to_dict() == {"delivery": "concentrate", "quality": "borderline",
                                           "service": "overkill", "website": "borderline", "price": "borderline"}
    assert ip.loc["quality", "quadrant"] == "Borderline"
    assert importance_performance(summary.reset_index(), ratings, lang="de").set_index("driver").loc[
        "quality", "quadrant"] == "Grenzfall"
    # without interval columns the point estimates decide, as in the classic map
    classic = importance_performance(summary[["driver", "importance"]], ratings).set_index("driver")
    assert classic.loc["quality", "importance_side"] == "below"


def test_plots_show_importances_and_quadrants():
    from kit.report.plots.drivers import plot_driver_importance, plot_importance_performance

    frame = _simulated()
    kd = KeyDrivers(n_boot=50).fit(frame, outcome="y", drivers=DRIVERS)
    ax = plot_driver_importance(kd.summary, outcome="y")
    widths = [float(p.get_width()) for p in ax.patches]
    assert widths == pytest.approx(kd.summary["importance"].tolist())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c", "d", "e"]
    ip = importance_performance(kd.summary, frame, scale=(-3, 3))
    ax = plot_importance_performance(ip, lang="de")
    assert ax.get_ylabel() == "Mittlere Bewertung"
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert sorted(points[:, 0].tolist()) == pytest.approx(sorted(ip["importance"].tolist()))
    assert ax.lines[0].get_xdata()[0] == pytest.approx(0.2)  # mean of five shares that add up to 1


# ---------------------------------------------------------------------------------------------
# the sample business: delivery is the planted strongest NPS driver, price the weakest
# (kit/sample/generate.py: driver weights delivery 1.0, quality 0.6, service 0.5, website 0.3, price 0.1)


def test_sample_planted_driver_order(sample_data):
    surveys = sample_data.surveys
    drivers = sorted(c for c in surveys.columns if c.startswith("driver_"))
    kd = KeyDrivers(n_boot=500, seed=0).fit(surveys, outcome="nps", drivers=drivers)
    s = kd.summary.set_index("driver")
    assert kd.summary["driver"].iloc[0] == "driver_delivery"
    assert kd.summary["driver"].iloc[-1] == "driver_price"
    others = s.drop(index=["driver_delivery"])
    assert s.loc["driver_delivery", "ci_low"] > others["ci_high"].max()  # non-overlapping intervals
    others = s.drop(index=["driver_price"])
    assert s.loc["driver_price", "ci_high"] < others["ci_low"].min()
    assert (s["sign"] == "+").all()
    # measured on the sample (as of 02:05 UTC): delivery 53 % (50-56 %), price 3 % (2-4 %), n = 2109, R² = 0.70;
    # relative weights vs exhaustive Shapley: max |share difference| = 0.0014
    shapley = KeyDrivers("shapley", n_boot=0).fit(surveys, outcome="nps", drivers=drivers).summary.set_index("driver")
    assert (s["importance"] - shapley["importance"]).abs().max() < 0.01


def test_bootstrap_chunks_draw_the_same_stream(monkeypatch):
    # with a tiny chunk budget the replicates are drawn 3 at a time; the result must not change
    import kit.models.drivers as drivers_module

    frame = _simulated(n=150)
    whole = KeyDrivers(n_boot=40, seed=2).fit(frame, outcome="y", drivers=DRIVERS)
    monkeypatch.setattr(drivers_module, "_BOOT_CELLS", 150 * 3)
    chunked = KeyDrivers(n_boot=40, seed=2).fit(frame, outcome="y", drivers=DRIVERS)
    np.testing.assert_allclose(whole.boot_, chunked.boot_, rtol=0, atol=1e-12)


def test_resamples_with_a_constant_column_are_left_out():
    # 12 rows where x2 differs from 1 in one row only: many resamples miss that row and x2 is constant there
    frame = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6], "x2": [1] * 11 + [2],
                          "y": [2, 3, 5, 4, 6, 8, 1, 3, 4, 4, 7, 9]}, dtype=float)
    with pytest.warns(SmallSampleWarning):
        kd = KeyDrivers(n_boot=200, seed=0).fit(frame, outcome="y", drivers=["x1", "x2"])
    from kit.models._drivers_importance import corr_stack

    idx = np.random.default_rng(0).integers(0, 12, size=(200, 12))
    constant = ~(idx == 11).any(axis=1)  # row 11 (x2 = 2) never drawn
    assert 0 < constant.sum() < 200  # (11/12)^12 = 35 % of resamples expected
    assert np.isnan(kd.boot_[constant]).all() and np.isfinite(kd.boot_[~constant]).all()
    corr = corr_stack(frame[["y", "x1", "x2"]].to_numpy(), idx)
    assert np.isnan(corr[constant]).all()
    assert np.isfinite(kd.summary[["ci_low", "ci_high"]].to_numpy()).all()


def test_collinear_drivers_give_a_reason_not_a_crash():
    frame = _simulated(n=200)
    frame["driver_sum"] = frame["driver_a"] + frame["driver_b"]
    with pytest.warns(DataQualityWarning, match="perfectly collinear"):
        kd = KeyDrivers(n_boot=10).fit(frame, outcome="y", drivers=["driver_a", "driver_b", "driver_sum"])
    assert kd.summary.empty and "perfectly collinear" in kd.note_
    with pytest.raises(ValueError, match="distinct"):
        KeyDrivers().fit(frame, outcome="y", drivers=["driver_a", "driver_a"])


def test_notes_in_english_and_german():
    # 1,200 rows, 150 of them without driver_b: 1,050 complete rows
    frame = _simulated(n=1200)
    frame.loc[:149, "driver_b"] = np.nan
    english = KeyDrivers(n_boot=0).fit(frame, outcome="y", drivers=DRIVERS)
    german = KeyDrivers(n_boot=0, lang="de").fit(frame, outcome="y", drivers=DRIVERS)
    assert english.note_ == "150 of 1200 rows dropped for a missing value (listwise)"
    assert german.note_ == "150 von 1.200 Zeilen wegen eines fehlenden Werts ausgelassen (listenweiser Ausschluss)"
    pd.testing.assert_frame_equal(english.summary, german.summary)   # only the words differ
    with pytest.warns(SmallSampleWarning, match="keine Treiberanalyse: 6 vollständige Zeilen für 5 Treiber"):
        KeyDrivers(lang="de").fit(_simulated(n=6), outcome="y", drivers=DRIVERS)
    small = _simulated(n=90)
    with pytest.warns(SmallSampleWarning, match="beruht auf 90 vollständigen Zeilen"):
        assert KeyDrivers(n_boot=0, lang="de").fit(small, outcome="y", drivers=DRIVERS).note_ == \
            "explorativ: nur 90 vollständige Zeilen (weniger als 100)"
    binary = _simulated(n=300).assign(churned=lambda f: f["y"] > f["y"].median())
    kd = KeyDrivers(n_boot=0, lang="de").fit(binary, outcome="churned", drivers=DRIVERS)
    pseudo, ols = (f"{v:.3f}".replace(".", ",") for v in (kd.pseudo_r_squared_, kd.r_squared_))
    assert kd.note_ == ("zweiwertige Zielgröße: Wichtigkeiten nach dem linearen Wahrscheinlichkeitsmodell (OLS-R²); "
                        f"Pseudo-R² nach McFadden (Logit) = {pseudo} (OLS-R² = {ols})")
    with pytest.raises(ValueError, match="unknown lang 'fr'"):
        KeyDrivers(lang="fr")


def test_importance_plot_draws_an_interval_that_leaves_out_the_estimate():
    # a small-sample bootstrap percentile interval may lie wholly above the estimate (0.10 in [0.15, 0.30]);
    # it was drawn as xerr = [0.10 - 0.15, ...] < 0, which matplotlib refuses (page 5 died at 2024-Q1)
    from kit.report.plots.drivers import plot_driver_importance

    s = pd.DataFrame({"driver": ["driver_a", "driver_b"], "importance": [0.9, 0.1],
                      "ci_low": [0.7, 0.15], "ci_high": [0.95, 0.30]})
    ax = plot_driver_importance(s)
    segments = ax.collections[0].get_segments()
    assert [(float(a[0]), float(b[0])) for a, b in segments] == [(0.7, 0.95), (0.15, 0.30)]
    assert [round(float(p.get_width()), 2) for p in ax.patches] == [0.9, 0.1]


def test_bootstrap_runs_on_one_blas_thread_whatever_the_caller_allows():
    # the resample products are pinned to one BLAS thread, so the shares are the same bit for bit whether the
    # caller allows 1 or 2 threads (with 2 threads OpenBLAS splits the sums and the last digits moved)
    from threadpoolctl import threadpool_info, threadpool_limits

    import kit.models.drivers as drivers_module

    seen = []
    original = drivers_module.corr_stack

    def spy(*args, **kwargs):
        seen.append({i["user_api"]: i["num_threads"] for i in threadpool_info()}.get("blas"))
        return original(*args, **kwargs)

    frame = _simulated(n=4_000)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drivers_module, "corr_stack", spy)
        with threadpool_limits(limits=2, user_api="blas"):
            two = KeyDrivers(n_boot=300, seed=4).fit(frame, outcome="y", drivers=DRIVERS)
    with threadpool_limits(limits=1, user_api="blas"):
        one = KeyDrivers(n_boot=300, seed=4).fit(frame, outcome="y", drivers=DRIVERS)
    assert seen and set(seen) == {1}
    np.testing.assert_array_equal(two.boot_, one.boot_)
