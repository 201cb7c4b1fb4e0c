"""Erlang B, C and A against independent computations: birth-death chains solved with numpy,
textbook values and the classic recursion."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from simulate import erlang


# ----------------------------------------------------------------- independent references
def erlang_b_recursion(n: int, a: float) -> float:
    """The classic stable recursion B(k) = a B(k-1) / (k + a B(k-1)), B(0) = 1."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def mmn_chain(rate: float, aht: float, n: int, t: float, cap: int = 600) -> dict[str, float]:
    """M/M/n by a truncated birth-death chain: P(wait), SL within t, ASA (FCFS, exponential services)."""
    mu = 1.0 / aht
    k = np.arange(cap + 1)
    down = np.minimum(k[1:], n) * mu
    logp = np.concatenate([[0.0], np.cumsum(np.log(rate) - np.log(down))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    c = n * mu
    j = np.arange(cap + 1 - n)  # callers already waiting ahead
    pj = p[n:]
    # An arrival with j ahead waits Erlang(j+1, c): P(W > t) = P(Poisson(c t) <= j).
    from scipy import stats

    p_wait_gt = np.sum(pj * stats.poisson.cdf(j, c * t))
    return {"p_wait": float(pj.sum()), "service_level": float(1.0 - p_wait_gt),
            "asa_s": float(np.sum(pj * (j + 1) / c))}


def mmn_m_chain(rate: float, aht: float, n: int, patience: float, t: float, queue_cap: int = 120) -> dict[str, float]:
    """M/M/n+M by a truncated birth-death chain plus, per queue position, the tagged caller's own
    absorbing chain (answered / hung up) solved with a matrix exponential and the fundamental matrix."""
    mu, th = 1.0 / aht, 1.0 / patience
    size = n + queue_cap
    down = np.array([min(k, n) * mu + max(k - n, 0) * th for k in range(1, size + 1)])
    logp = np.concatenate([[0.0], np.cumsum(np.log(rate) - np.log(down))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    c = n * mu
    sl = p[:n].sum()
    p_ab = 0.0
    wait_served = 0.0
    for j in range(queue_cap):
        pj = p[n + j]
        if pj < 1e-18:
            continue
        m = j + 1  # tagged caller with i = j, ..., 0 ahead
        T = np.zeros((m, m))
        r_served = np.zeros(m)
        for idx in range(m):
            i = j - idx
            T[idx, idx] = -(c + i * th + th)
            if i > 0:
                T[idx, idx + 1] = c + i * th
            else:
                r_served[idx] = c
        inv = np.linalg.inv(-T)
        alpha = np.zeros(m)
        alpha[0] = 1.0
        served = alpha @ inv @ r_served
        sl += pj * (alpha @ (np.eye(m) - expm(T * t)) @ inv @ r_served)
        p_ab += pj * (1.0 - served)
        wait_served += pj * (alpha @ inv @ inv @ r_served)
    return {"p_wait": float(p[n:].sum()), "p_abandon": float(p_ab), "service_level": float(sl),
            "asa_s": float(wait_served / (1.0 - p_ab))}


# ----------------------------------------------------------------- Erlang B and C
def test_erlang_c_textbook_10_agents_8_erlangs_is_0_409():
    assert float(erlang.erlang_c(10, 8.0)) == pytest.approx(0.40918, abs=1e-5)


@pytest.mark.parametrize("n, a, b", [(5, 2.0, 0.03669), (10, 5.0, 0.01838), (20, 15.0, 0.04561), (1, 1.0, 0.5)])
def test_erlang_b_matches_classic_table(n, a, b):
    assert float(erlang.erlang_b(n, a)) == pytest.approx(b, abs=5e-5)


@pytest.mark.parametrize("n", [1, 7, 50, 400, 2500])
def test_erlang_b_matches_recursion_for_wide_range_of_loads(n):
    for a in (0.1 * n, 0.9 * n, n, 1.3 * n, 5.0 * n + 40):
        assert float(erlang.erlang_b(n, a)) == pytest.approx(erlang_b_recursion(n, a), rel=1e-9)


@pytest.mark.parametrize("rate, aht, n, t", [(0.04, 180, 10, 20), (0.1, 300, 35, 30), (2.0, 60, 130, 10)])
def test_erlang_c_sl_and_asa_match_birth_death_chain(rate, aht, n, t):
    ref = mmn_chain(rate, aht, n, t, cap=n + 900)
    assert float(erlang.erlang_c(n, rate * aht)) == pytest.approx(ref["p_wait"], rel=1e-9)
    assert float(erlang.service_level_c(rate, aht, n, t)) == pytest.approx(ref["service_level"], rel=1e-9)
    assert float(erlang.asa_c(rate, aht, n)) == pytest.approx(ref["asa_s"], rel=1e-8)


def test_erlang_c_is_stable_for_2000_agents_and_unstable_load_gives_certain_wait():
    c = erlang.erlang_c(2000, np.array([1500.0, 1950.0, 1999.0, 2000.0, 2600.0]))
    assert np.all(np.isfinite(c)) and np.all((c >= 0) & (c <= 1))
    assert np.all(np.diff(c) >= 0)
    assert c[-1] == 1.0 and c[-2] == 1.0
    assert float(erlang.asa_c(2600 / 300, 300, 2000)) == math.inf
    assert float(erlang.service_level_c(2600 / 300, 300, 2000, 20)) == 0.0


def test_erlang_b_and_c_broadcast_and_fractional_agents_interpolate_smoothly():
    b = erlang.erlang_b(np.array([[3.0], [3.5], [4.0]]), np.array([2.0, 3.0]))
    assert b.shape == (3, 2)
    assert np.all(b[0] > b[1]) and np.all(b[1] > b[2])
    assert float(erlang.erlang_b(0, 3.0)) == 1.0 and float(erlang.erlang_b(3, 0.0)) == 0.0


def test_erlang_c_service_level_rises_with_agents():
    n = np.arange(9, 40)
    sl = erlang.service_level_c(0.05, 180, n, 20)
    assert np.all(np.diff(sl) > 0)
    assert np.all(np.diff(erlang.asa_c(0.05, 180, n)) < 0)


def test_negative_load_is_refused_naming_it():
    with pytest.raises(ValueError, match="load"):
        erlang.erlang_b(3, -1.0)


# ----------------------------------------------------------------- Erlang A
@pytest.mark.parametrize("rate, aht, n, patience, t", [
    (0.05, 180, 10, 120, 20),   # moderately loaded
    (0.10, 180, 10, 60, 20),    # overloaded (load 18 on 10 agents)
    (0.02, 300, 3, 200, 30),    # small group, overloaded
    (0.20, 100, 25, 600, 15),   # under-loaded, patient callers
])
def test_erlang_a_matches_exact_birth_death_chain(rate, aht, n, patience, t):
    got = erlang.erlang_a(rate, aht, n, patience, t)
    ref = mmn_m_chain(rate, aht, n, patience, t)
    for key in ("p_wait", "p_abandon", "service_level", "asa_s"):
        assert float(got[key]) == pytest.approx(ref[key], rel=1e-7, abs=1e-12), key


def test_erlang_a_mean_wait_and_occupancy_obey_flow_balance():
    r = erlang.erlang_a(0.1, 180, 10, 60, 20)
    # rate * P(abandon) = E[queue] / patience and E[queue] = rate * E[wait] (Little)
    assert float(r["mean_wait_s"]) == pytest.approx(float(r["p_abandon"]) * 60, rel=1e-12)
    assert float(r["occupancy"]) == pytest.approx(0.1 * 180 * (1 - float(r["p_abandon"])) / 10, rel=1e-12)
    assert 0 < float(r["p_wait_gt_t"]) < float(r["p_wait"])


def test_erlang_a_tends_to_erlang_c_for_very_patient_callers():
    r = erlang.erlang_a(1900 / 300, 300, 2000, 1e8, 20)
    assert float(r["p_wait"]) == pytest.approx(float(erlang.erlang_c(2000, 1900)), rel=1e-5)
    expected = float(erlang.service_level_c(1900 / 300, 300, 2000, 20))
    assert float(r["service_level"]) == pytest.approx(expected, rel=1e-6)
    assert float(r["asa_s"]) == pytest.approx(float(erlang.asa_c(1900 / 300, 300, 2000)), rel=1e-4)


def test_erlang_a_stable_for_2000_agents_and_heavy_overload_without_nan():
    n = np.arange(0, 2600, 7)
    r = erlang.erlang_a(3000 / 300, 300, n, 240, 20)
    for key, v in r.items():
        assert not np.any(np.isnan(v)), key
        if key != "asa_s":
            assert np.all(np.isfinite(v)) and np.all(v >= 0), key
    assert np.all(np.diff(r["service_level"]) >= -1e-12)
    assert np.all(np.diff(r["p_abandon"]) <= 1e-12)
    # Fluid limit: with load 3000 on 1000 agents about 2/3 of callers hang up.
    heavy = erlang.erlang_a(3000 / 300, 300, 1000, 240, 20)
    assert float(heavy["p_abandon"]) == pytest.approx(2 / 3, abs=0.01)
    # Overloaded served callers wait about patience * ln(load / agents) (fluid limit).
    assert float(heavy["asa_s"]) == pytest.approx(240 * math.log(3.0), rel=0.02)


def test_erlang_a_needs_finite_patience():
    with pytest.raises(ValueError, match="patience"):
        erlang.erlang_a(0.1, 180, 10, math.inf, 20)
