"""Routing by skill against exact answers: a continuous-time Markov chain computed here, and Erlang A.

Small two-type (English, French), three-group (English, French, bilingual) systems with exponential
handle times and patience. The chain's state is the agents busy per (group, call type) pair (handle
times may differ by type) and the callers on hold per type; routing as stated in
:mod:`simulate.engine_simpy` (rule 9) with ``pick = "priority"`` (French first at bilingual agents).
Queues are truncated at ``CAP`` callers per type, and each test checks that the truncated states
carry negligible probability. Per-type P(wait > 0) (by PASTA), abandonment (hang-up rate / arrival
rate) and mean wait of all callers (Little's law) are compared with long SimPy runs, within
``Z`` standard errors estimated across independent replications (warm-up discarded).

``pick = "oldest"`` needs the order of types in the queue (a word over {en, fr}), so its chain grows
exponentially: it is checked where the answer is known exactly instead: with every agent bilingual
it is first come, first served across languages, so the calls are those of one pool, call for call
(and one pool is Erlang A: the no-bilingual and all-bilingual tests here and the engine tests).
``overflow_after`` is deterministic (not Markov): checked by its exact limits (see test_skills.py
for a hand-checked timing case).
"""
from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.linalg import spsolve

from simulate import Scenario, erlang_a
from simulate.engine_simpy import simulate_replication
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED, RECORD_FIELDS
from simulate.workload import Workload

CAP = 25  # callers on hold per type in the chain (truncated states: below 1e-10 here)
Z = 4.5  # allowed standard errors (t with 15 degrees of freedom: two-sided 0.04%)
REPS = 16
WARMUP_S = 5400.0
KPIS = ("p_wait", "abandon_rate", "mean_wait_s")
GROUPS = ("en", "fr", "bilingual")
ELIGIBLE = np.array([[True, False, True], [False, True, True]])  # (type, group): en, fr / en, fr, bilingual


def ctmc(lam, aht, patience, agents, priority, eligible=ELIGIBLE, cap=CAP) -> dict:
    """Exact steady state of the routing with pick = "priority": per type p_wait, abandon_rate,
    mean_wait_s and the probability of a full (truncated) queue. lam: per second; aht, patience: s."""
    lam, mu, theta = np.asarray(lam, float), 1 / np.asarray(aht, float), 1 / np.asarray(patience, float)
    n_types, n_groups = eligible.shape
    n_skills = eligible.sum(axis=0)
    order = sorted(range(n_groups), key=lambda g: (n_skills[g], g))  # fewest skills, then group order
    pairs = [(g, t) for g in range(n_groups) for t in range(n_types) if eligible[t, g]]
    slot = {p: i for i, p in enumerate(pairs)}

    def idle(busy, g):
        return agents[g] - sum(busy[slot[(g, t)]] for t in range(n_types) if eligible[t, g])

    start = (tuple([0] * len(pairs)), tuple([0] * n_types))
    index, states, todo = {start: 0}, [start], deque([start])
    rows, cols, rates = [], [], []

    def go(i, nxt, rate):
        if nxt not in index:
            index[nxt] = len(states)
            states.append(nxt)
            todo.append(nxt)
        rows.append(i)
        cols.append(index[nxt])
        rates.append(rate)

    while todo:
        s = todo.popleft()
        i = index[s]
        busy, q = s
        for t in range(n_types):
            if q[t] < cap:  # an arrival: an idle agent of the eligible group with fewest skills, else the queue
                g = next((g for g in order if eligible[t, g] and idle(busy, g) > 0), None)
                b, qq = list(busy), list(q)
                if g is None:
                    qq[t] += 1
                else:
                    b[slot[(g, t)]] += 1
                go(i, (tuple(b), tuple(qq)), lam[t])
            if q[t]:  # a hang-up
                qq = list(q)
                qq[t] -= 1
                go(i, (busy, tuple(qq)), q[t] * theta[t])
        for (g, t), k in slot.items():  # an end of service: the freed agent takes the most urgent type it serves
            if busy[k]:
                b, qq = list(busy), list(q)
                b[k] -= 1
                waiting = [u for u in range(n_types) if eligible[u, g] and q[u]]
                if waiting:
                    u = min(waiting, key=lambda u: priority[u])
                    b[slot[(g, u)]] += 1
                    qq[u] -= 1
                go(i, (tuple(b), tuple(qq)), busy[k] * mu[t])
    n = len(states)
    gen = sparse.coo_matrix((rates, (rows, cols)), shape=(n, n)).tocsr()
    gen = gen - sparse.diags(np.asarray(gen.sum(axis=1)).ravel())
    a = gen.T.tolil()
    a[n - 1, :] = np.ones(n)  # pi Q = 0 with sum(pi) = 1
    rhs = np.zeros(n)
    rhs[n - 1] = 1.0
    pi = spsolve(a.tocsr(), rhs)
    q = np.array([s[1] for s in states])
    out = {k: np.zeros(n_types) for k in (*KPIS, "truncation")}
    for t in range(n_types):
        no_agent = np.array([all(idle(s[0], g) == 0 for g in range(n_groups) if eligible[t, g]) for s in states])
        room = q[:, t] < cap
        out["p_wait"][t] = pi[no_agent & room].sum() / pi[room].sum()
        out["abandon_rate"][t] = (pi * q[:, t]).sum() * theta[t] / lam[t]
        out["mean_wait_s"][t] = (pi * q[:, t]).sum() / lam[t]
        out["truncation"][t] = pi[~room].sum()
    return out


def scenario(lam, aht, patience, priority, pick="priority", **extra) -> Scenario:
    share = np.asarray(lam) / np.sum(lam)
    return Scenario(
        name="two languages", aht=float(aht[0]), patience=float(patience[0]), pick=pick,
        call_types={"English": {"share": float(share[0]), "skill": "en", "aht": float(aht[0]),
                                "patience": float(patience[0]), "priority": priority[0]},
                    "French": {"share": float(share[1]), "skill": "fr", "aht": float(aht[1]),
                               "patience": float(patience[1]), "priority": priority[1]}},
        agent_groups={"en": {"skills": ["en"]}, "fr": {"skills": ["fr"]}, "bilingual": {"skills": ["en", "fr"]}},
        **extra)


def simulated(s: Scenario, lam, agents, calls_per_rep=1800, seed=7, reps=REPS):
    """Per replication and type (reps, 2, 3): P(wait > 0), abandonment, mean wait of callers arriving
    after the warm-up, in one long interval; also the total over both types (reps, 3)."""
    horizon = calls_per_rep / float(np.sum(lam))
    work = Workload.from_arrays(np.array([np.sum(lam) * horizon]), dict(zip(GROUPS, agents)), horizon, s)
    per_type, total = [], []
    for child in np.random.SeedSequence(seed).spawn(reps):
        r = simulate_replication(work, s, child)
        keep = (r.arrival_s > WARMUP_S) & ((r.outcome == OUTCOME_ANSWERED) | (r.outcome == OUTCOME_ABANDONED))

        def kpis(m, r=r):
            return [(r.wait_s[m] > 0).mean(), (r.outcome[m] == OUTCOME_ABANDONED).mean(), r.wait_s[m].mean()]

        per_type.append([kpis(keep & (r.call_type == t)) for t in range(2)])
        total.append(kpis(keep))
    return np.array(per_type), np.array(total)


def assert_close(sim: np.ndarray, exact: np.ndarray, what: str) -> np.ndarray:
    """sim: (reps, ...) replication values; exact: (...). Returns the z-scores."""
    mean = sim.mean(axis=0)
    se = sim.std(axis=0, ddof=1) / np.sqrt(len(sim))
    z = (mean - exact) / se
    assert np.all(np.abs(z) < Z), f"{what}: simulated {mean} vs exact {exact} (se {se}, z {z})"
    return z


LAM = np.array([4.5 / 300, 2.0 / 360])  # English 4.5 Erlangs, French 2.0 Erlangs
AHT = np.array([300.0, 360.0])
PATIENCE = np.array([600.0, 400.0])


def test_french_priority_at_bilingual_agents_matches_the_exact_markov_chain():
    agents = (4, 2, 2)
    exact = ctmc(LAM, AHT, PATIENCE, agents, priority=(1, 0))
    assert exact["truncation"].max() < 1e-9
    s = scenario(LAM, AHT, PATIENCE, priority=(1, 0))
    per_type, _ = simulated(s, LAM, agents)
    for j, k in enumerate(KPIS):
        assert_close(per_type[:, :, j], exact[k], k)
    # the same check rejects another routing: English first at bilingual agents is a different
    # chain, and the French line's simulated abandonment and wait are far from it
    other = ctmc(LAM, AHT, PATIENCE, agents, priority=(0, 1))
    french = per_type[:, 1, 1:]
    z_other = (french.mean(axis=0) - np.array([other["abandon_rate"][1], other["mean_wait_s"][1]])) / (
        french.std(axis=0, ddof=1) / np.sqrt(REPS))
    assert np.all(np.abs(z_other) > Z), z_other


def test_no_bilingual_agents_gives_two_independent_erlang_a_lines():
    agents = (4, 3, 0)
    exact = ctmc(LAM, AHT, PATIENCE, agents, priority=(1, 0), cap=60)  # English is overloaded: long queues
    assert exact["truncation"].max() < 1e-15
    line = erlang_a(LAM, AHT, np.array(agents[:2]), PATIENCE, 0.0)
    np.testing.assert_allclose(exact["p_wait"], line["p_wait"], rtol=1e-9)
    np.testing.assert_allclose(exact["abandon_rate"], line["p_abandon"], rtol=1e-9)
    np.testing.assert_allclose(exact["mean_wait_s"], line["mean_wait_s"], rtol=1e-9)
    per_type, _ = simulated(scenario(LAM, AHT, PATIENCE, priority=(1, 0)), LAM, agents, calls_per_rep=2000)
    for j, k in enumerate(("p_wait", "p_abandon", "mean_wait_s")):
        assert_close(per_type[:, :, j], line[k], k)


SAME_AHT = np.array([300.0, 300.0])
SAME_PATIENCE = np.array([500.0, 500.0])
LAM_ALL = np.array([4.6 / 300, 1.6 / 300])


def test_all_agents_bilingual_gives_erlang_a_in_total_and_french_first_per_type():
    agents = (0, 0, 7)
    total = erlang_a(LAM_ALL.sum(), 300.0, 7, 500.0, 0.0)
    exact = ctmc(LAM_ALL, SAME_AHT, SAME_PATIENCE, agents, priority=(1, 0))
    assert exact["truncation"].max() < 1e-9
    share = LAM_ALL / LAM_ALL.sum()
    for k, e in (("p_wait", "p_wait"), ("abandon_rate", "p_abandon"), ("mean_wait_s", "mean_wait_s")):
        assert (share * exact[k]).sum() == pytest.approx(float(total[e]), rel=1e-9)
    # the same agents answer both, so both find them all busy equally often; French callers wait less
    assert exact["p_wait"][1] == pytest.approx(exact["p_wait"][0], rel=1e-9)
    assert exact["mean_wait_s"][1] < 0.6 * exact["mean_wait_s"][0]
    per_type, both = simulated(scenario(LAM_ALL, SAME_AHT, SAME_PATIENCE, priority=(1, 0)), LAM_ALL, agents)
    for j, k in enumerate(KPIS):
        assert_close(per_type[:, :, j], exact[k], k)
    assert_close(both, np.array([total["p_wait"], total["p_abandon"], total["mean_wait_s"]]), "total")


def test_pick_oldest_with_every_agent_bilingual_is_one_first_come_first_served_pool_call_for_call():
    lam = LAM_ALL.sum()
    horizon = 800 / lam
    pool = Scenario(name="one pool", aht=300.0, patience=500.0)
    oldest = scenario(LAM_ALL, SAME_AHT, SAME_PATIENCE, priority=(1, 0), pick="oldest")
    w_pool = Workload.from_arrays(np.array([lam * horizon]), 7, horizon, pool)
    w_groups = Workload.from_arrays(np.array([lam * horizon]), {"en": 0, "fr": 0, "bilingual": 7}, horizon, oldest)
    seed = np.random.SeedSequence(11)
    a, b = simulate_replication(w_pool, pool, seed), simulate_replication(w_groups, oldest, seed)
    for f in RECORD_FIELDS:
        if f not in ("call_type", "group"):
            np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    assert (b.group[~np.isnan(b.service_s)] == 2).all()
    # with priority (same callers, same draws) French callers wait far less than with "oldest"
    prio = simulate_replication(w_groups, oldest.replace(pick="priority"), seed)
    fr = b.call_type == 1
    assert np.nanmean(prio.wait_s[fr]) < 0.6 * np.nanmean(b.wait_s[fr])
    assert np.nanmean(prio.wait_s[~fr]) > np.nanmean(b.wait_s[~fr])


def test_overflow_after_limits_are_exact():
    # an overflow delay longer than the run: bilingual agents never answer anyone (both types have
    # specialists, their preferred groups), the same calls as with no bilingual agent at all; a delay
    # of zero is no delay at all
    s = scenario(LAM, AHT, PATIENCE, priority=(1, 0))
    horizon = 600 / LAM.sum()
    calls = np.array([LAM.sum() * horizon])

    def records(sc, agents):
        work = Workload.from_arrays(calls, dict(zip(GROUPS, agents)), horizon, sc)
        return simulate_replication(work, sc, np.random.SeedSequence(3))

    never = records(s.replace(overflow_after=1e9), (4, 2, 2))
    alone = records(s, (4, 2, 0))
    assert (never.group != 2).all()
    for f in RECORD_FIELDS:
        np.testing.assert_array_equal(getattr(never, f), getattr(alone, f), err_msg=f)
    zero, none = records(s.replace(overflow_after=0.0), (4, 2, 2)), records(s, (4, 2, 2))
    for f in RECORD_FIELDS:
        np.testing.assert_array_equal(getattr(zero, f), getattr(none, f), err_msg=f)
    assert (none.group == 2).any()
