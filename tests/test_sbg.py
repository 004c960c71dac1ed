"""The shifted-beta-geometric model: published fits, closed forms against brute force, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import beta as beta_fn

from kit.errors import DataError, ModelFitError
from kit.models.clv.sbg import ShiftedBetaGeometric, lifetimes_from_survivors

# Fader & Hardie (2007), "How to project customer retention", Table 1 and the MLEs in the text
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


@pytest.mark.parametrize(("survivors", "alpha", "beta", "loglik"), [
    (HIGH_END, 0.668, 3.806, -1611.2),
    (REGULAR, 0.704, 1.182, -1680.3),
])
def test_reproduces_the_published_fits(survivors, alpha, beta, loglik):
    model = ShiftedBetaGeometric().fit(lifetimes_from_survivors(survivors))
    assert model.params_.round(3).tolist() == [alpha, beta]
    assert model.log_likelihood_ == pytest.approx(loglik, abs=0.05)
    assert model.n_ == 1000 and model.churned_ == 1000 - survivors[-1]
    # the summary is tidy and its interval covers the estimate; SEs from the Hessian are positive
    assert list(model.summary.columns) == ["estimate", "se", "ci_low", "ci_high"]
    assert (model.summary["se"] > 0).all()
    assert ((model.summary["ci_low"] < model.summary["estimate"])
            & (model.summary["estimate"] < model.summary["ci_high"])).all()


def test_the_mle_is_the_maximum_of_a_naive_likelihood():
    # oracle: the likelihood written out with Beta functions, evaluated on a grid around the fit
    lifetimes = lifetimes_from_survivors(REGULAR)

    def loglik(a, b):
        total = 0.0
        for t, churned, w in lifetimes.itertuples(index=False):
            p = beta_fn(a + 1, b + t - 1) / beta_fn(a, b) if churned else beta_fn(a, b + t) / beta_fn(a, b)
            total += w * math.log(p)
        return total

    model = ShiftedBetaGeometric().fit(lifetimes)
    a, b = model.params_
    best = loglik(a, b)
    assert best == pytest.approx(model.log_likelihood_, rel=1e-9)
    for da, db in ((0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)):
        assert loglik(a + da, b + db) < best


def test_retention_curve_and_derl_by_hand():
    # alpha = 1, beta = 2: r(t) = (2 + t - 1) / (3 + t - 1) -> r(1) = 2/3, r(2) = 3/4, r(3) = 4/5
    model = ShiftedBetaGeometric()
    p = np.array([1.0, 2.0])
    assert model.retention_rate([1, 2, 3], params=p) == pytest.approx([2 / 3, 3 / 4, 4 / 5])
    # S(t) = prod r: S(1) = 2/3, S(2) = 1/2, S(3) = 2/5; also B(1, 2 + t) / B(1, 2) = 2 / (2 + t)
    assert model.survival([0, 1, 2, 3], params=p) == pytest.approx([1, 2 / 3, 1 / 2, 2 / 5])
    # P(T = 1) = 1/3, P(T = 2) = 2/3 - 1/2 = 1/6
    assert model.churn_probability([1, 2], params=p) == pytest.approx([1 / 3, 1 / 6])
    # DERL by brute force: sum_{t >= n} S(t) / S(n - 1) / (1 + d)^(t - n), S(t) = 2 / (2 + t)
    d = 0.1
    for renewals in (0, 1, 4):
        n = renewals + 1
        brute = sum((2 / (2 + t)) / (2 / (2 + n - 1)) / (1 + d) ** (t - n) for t in range(n, 3_000))
        assert float(model.derl(d, renewals, params=p)) == pytest.approx(brute, rel=1e-9)
    # n = 1 by hand for the first terms: S(1) + S(2)/1.1 + S(3)/1.21 + ... starts 2/3 + 0.4545 + 0.3306
    assert float(model.derl(d, 0, params=p)) > 2 / 3 + 0.5 / 1.1 + 0.4 / 1.21
    # a new subscriber: 1 + S(1)/1.1 + S(2)/1.21 + ...
    brute_new = sum((2 / (2 + t)) / (1 + d) ** t for t in range(0, 3_000))
    assert model.del_new(d, params=p) == pytest.approx(brute_new, rel=1e-9)


def test_retention_rises_with_tenure_on_a_fitted_model():
    model = ShiftedBetaGeometric().fit(lifetimes_from_survivors(HIGH_END))
    r = model.retention_rate(np.arange(1, 13))
    assert np.all(np.diff(r) > 0)
    # r(1) = beta / (alpha + beta) = 3.806 / 4.474 = 0.851 against the observed 869 / 1000
    assert float(r[0]) == pytest.approx(0.851, abs=0.001)


def test_individual_rows_give_the_same_fit_as_groups():
    groups = lifetimes_from_survivors(REGULAR[:4])
    rows = groups.loc[groups.index.repeat(groups["weight"].astype(int))].drop(columns="weight")
    a = ShiftedBetaGeometric().fit(groups).params_
    b = ShiftedBetaGeometric().fit(rows.reset_index(drop=True)).params_
    assert a.to_numpy() == pytest.approx(b.to_numpy(), rel=1e-5)


def test_errors_name_the_problem():
    with pytest.raises(DataError, match="must not rise"):
        lifetimes_from_survivors([100, 120])
    with pytest.raises(DataError, match="churned"):
        ShiftedBetaGeometric().fit(pd.DataFrame({"periods": [1]}))
    with pytest.raises(DataError, match="period 1 or later"):
        ShiftedBetaGeometric().fit(pd.DataFrame({"periods": [0, 2], "churned": [True, False]}))
    with pytest.raises(ModelFitError, match="no subscriber has cancelled"):
        ShiftedBetaGeometric().fit(pd.DataFrame({"periods": [3, 2], "churned": [False, False]}))
    with pytest.raises(ValueError, match="discount_rate"):
        ShiftedBetaGeometric().derl(0.0, params=np.array([1.0, 2.0]))
    assert repr(ShiftedBetaGeometric()) == "ShiftedBetaGeometric()"


def test_objective_and_derl_are_the_row_by_row_numbers_to_the_last_bit():
    # special functions run once per distinct t (or renewal count) and are gathered back: the numbers must be
    # those of the plain per-row formulas, so the fitted parameters and the contractual CLV do not move
    from scipy.special import betaln, digamma, hyp2f1

    from kit.models.clv.sbg import _sbg_objective

    rng = np.random.default_rng(5)
    t = rng.integers(1, 12, 400).astype(float)
    churned = rng.random(400) < 0.4
    w = rng.integers(1, 3, 400).astype(float)
    for lp in (np.array([0.0, 0.0]), np.log([0.704, 1.182])):
        a, b = np.exp(lp)
        ll = np.where(churned, betaln(a + 1, b + t - 1) - betaln(a, b), betaln(a, b + t) - betaln(a, b))
        ga = np.where(churned, digamma(a + 1) - digamma(a), 0.0) + digamma(a + b) - digamma(a + b + t)
        gb = (np.where(churned, digamma(b + t - 1), digamma(b + t)) - digamma(b) - digamma(a + b + t)
              + digamma(a + b))
        value, grad = _sbg_objective(t, churned, w)(lp)
        assert value == -float(w @ ll) / float(w.sum())
        assert np.array_equal(grad, -(np.array([float(w @ ga), float(w @ gb)]) / float(w.sum())) * np.array([a, b]))
    model = ShiftedBetaGeometric()
    p, d = np.array([0.704, 1.182]), 0.1
    n = t + 1
    plain = (p[1] + n - 1) / (p[0] + p[1] + n - 1) * hyp2f1(1.0, p[1] + n, p[0] + p[1] + n, 1.0 / (1.0 + d))
    assert np.array_equal(model.derl(d, t, params=p), plain)
    assert np.array_equal(model.derl(d, t.reshape(20, 20), params=p), plain.reshape(20, 20))
    # by hand: alpha = 1, beta = 1, no renewal yet: (1 + 1 - 1) / (1 + 1 + 1 - 1) 2F1(1, 2; 3; 1/1.1)
    assert float(model.derl(d, 0, params=np.array([1.0, 1.0]))) == pytest.approx(
        0.5 * hyp2f1(1.0, 2.0, 3.0, 1 / 1.1), rel=1e-15)
