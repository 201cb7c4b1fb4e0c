"""Staffing agent groups: the least-cost English, French and bilingual agents per interval that meet
the service target for *each* language, by simulation.

Picture a federal line answering in both official languages. The French line is smaller, so on its
own it needs proportionally more agents to absorb its randomness; bilingual agents can absorb the
randomness of both lines at once, but they are scarcer and may cost more. Limited cross-training is
almost as good as full flexibility (Wallace & Whitt 2005, MSOM 7:276-294), and simulation-based
staffing of agent groups beats analytic heuristics (Cezik & L'Ecuyer 2008, Management Science
54:310-323). So, per interval:

1. **Erlang split** (:func:`erlang_split`). The total N by Erlang (A or C) as if every agent were
   bilingual (one pooled queue: the fewest agents possible); then the square-root split: square-root
   staffing reads a pooled requirement as N_C = R + beta x sqrt(R) (R the offered load in Erlangs,
   N_C by Erlang C), and the bilingual agents (the group serving every language) carry that safety
   part, round(N_C - R), at most N; the specialists share the rest of N in proportion to their
   languages' loads R_l (largest remainders). Without a group serving every language, each
   language is staffed on its own by Erlang.
2. **Simulation refinement** (:func:`staff_groups`), on the whole horizon (queues carry over
   between intervals), with common random numbers (replications from ``seed``, as
   :func:`simulate.run`). Every round changes every interval that needs it and costs one
   simulation of the horizon (the search is what costs, not the engine), as the one-pool
   simulation staffing (:mod:`simulate.staffing`) does:

   0. *The load Erlang does not see*: the Erlang split is simulated once; per interval, the calls
      reaching the queue (first attempts and redials, answered or abandoned) over the calls Erlang
      sees give a factor (:func:`_arrival_factor`), and the split is computed again on the calls
      times that factor, aimed at the target plus the margin plus half the pass rule's standard
      errors (:func:`_aimed`). Skipped when ``start`` is given.
   a. *Add* while some (interval, language) misses its target, in every missing interval at once:
      agents in that interval to the group with the lowest hourly cost per missing language it
      serves (ties: fewer skills, then group order): a French specialist when only French misses,
      a bilingual agent when both do and one costs less than two specialists; at least half the
      agents Erlang (one pool, at the factor's load) says close the gap, and twice the last step
      while the interval keeps missing.
   b. *Reduce cost*, at most ``max_passes`` rounds (default 1; 0 skips it): every interval takes
      at once the move with the largest saving it has not failed, among: remove an agent of a
      group; replace an agent serving several languages by a specialist; replace one specialist
      of each language by one agent serving them all; only where the languages the move takes
      capacity from have room for it (their pass margin at least Erlang's service level per
      agent, :func:`_drop_per_agent`). Where a language then fails, the change in that interval
      is undone (else the next interval's, where its late callers wait, else the closest one
      before it, whose queue carries over) and the result re-simulated, twice at most; what still
      fails gets agents back by step a, and the round is kept only if it costs less. Where a move
      is kept it is tried twice as big next round; an interval where a move of size one is undone
      tries the next move next round.
   c. *Check on fresh seeds* (``seed + 5_000``): steps a and b kept what passed on the search's
      seeds, a choice biased toward lucky draws; step a runs again on new seeds.

   An (interval, language) meets its target when its simulated service level (answered within
   ``sl_threshold`` / answered + abandoned, the language's calls arriving in the interval) minus
   ``safety_z`` standard errors is at least ``sl_target + safety_margin``, and, when
   ``max_abandon_rate`` is set, its abandon rate plus ``safety_z`` standard errors is at most that;
   the standard error is the larger of the across-replication one and 2.5 x the binomial one (the
   floor of the one-pool simulation staffing, :mod:`simulate.staffing`). ``max_occupancy`` is not
   applied per group.
3. **Verification** on seeds ``seed + 10_000`` never used in the search: per interval and language
   the service level with its 95% interval and ``met``; per language over the horizon.

Costs: an agent-hour on the phones is ``1 / (1 - shrinkage)`` paid hours at the group's hourly cost
(:func:`simulate.staffing.workforce_totals`, the one place that arithmetic lives).
:func:`compare_pools` sizes "separate pools" (no cross-trained agents) and "with bilingual agents"
side by side and says what cross-training saves.

Durations in seconds; hours only in ``*_hours`` columns.
"""
from __future__ import annotations

import dataclasses
import math
import time
import warnings
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import stats

from simulate.demand import Demand, as_demand
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED
from simulate.scenario import Scenario
from simulate.staffing_plan import StaffingPlan
from simulate.workload import build_workload

__all__ = ["GroupStaffing", "PoolComparison", "compare_pools", "erlang_split", "group_agents", "staff_groups"]

_EPS = 1e-9


# --------------------------------------------------------------------------- structure of the groups
def _structure(scenario: Scenario) -> dict[str, Any]:
    """Skills (in first-seen call-type order), the type -> skill index, the specialist group of each
    skill (or -1), the first group serving every skill (or -1), costs."""
    types = scenario.type_table()
    groups = scenario.group_table()
    skills = list(dict.fromkeys(str(k) for k in types["skill"]))
    type_skill = np.array([skills.index(str(k)) for k in types["skill"]], dtype=np.int64)
    serves = np.zeros((len(groups["names"]), len(skills)), dtype=bool)  # (G, S)
    for t, s in enumerate(type_skill):
        serves[:, s] |= groups["eligible"][t]
    specialist = np.full(len(skills), -1, dtype=np.int64)
    for s in range(len(skills)):
        only = np.flatnonzero(serves[:, s] & (serves.sum(axis=1) == 1))
        if only.size:
            specialist[s] = only[0]
    full = np.flatnonzero(serves.all(axis=1))
    return {"skills": skills, "type_skill": type_skill, "serves": serves, "specialist": specialist,
            "flexible": int(full[0]) if full.size and len(skills) > 1 else -1,
            "cost": groups["hourly_cost"].astype(np.float64), "names": [str(g) for g in groups["names"]],
            "n_skills": serves.sum(axis=1)}


def _pooled(scenario: Scenario) -> Scenario:
    """The same centre with one pool of agents serving every call type (the Erlang total)."""
    return scenario.replace(agent_groups=(), overflow_after=None, pick="priority")


def _skill_demands(demand: Demand, scenario: Scenario, st: dict[str, Any]) -> list[tuple[Demand, Scenario]]:
    """Per skill: its calls as a one-type demand (calls and mean handle time per interval) and a one-pool
    scenario with its mean patience (the mix-weighted hang-up rate turned back into a mean)."""
    pooled = _pooled(scenario)
    work = build_workload(demand, pooled, np.zeros(len(demand), dtype=np.int64))
    share = np.diff(np.concatenate([np.zeros((work.n, 1)), work.cum_share], axis=1), axis=1)
    aht = work.aht_s / (scenario.residual_aht_factor if scenario.ivr_containment > 0 else 1.0)
    types = scenario.type_table()
    out = []
    for s in range(len(st["skills"])):
        mine = st["type_skill"] == s
        w = share[:, mine]
        tot = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            aht_s = np.where(tot > 0, (w * aht[:, mine]).sum(axis=1) / np.where(tot > 0, tot, 1.0), np.nan)
        overall = (demand.calls[:, None] * w).sum(axis=0)
        rate = overall / types["patience"][mine]
        theta = rate.sum() / overall.sum() if overall.sum() > 0 else 0.0
        patience = None if theta <= 0 else 1.0 / theta
        d = Demand(ds=demand.ds, calls=demand.calls * tot, interval_s=demand.interval_s, aht_s=aht_s)
        sc = pooled.replace(call_types=(), patience=patience,
                            aht=float(np.nanmean(aht_s)) if np.isfinite(aht_s).any() else scenario.aht)
        out.append((d, sc))
    return out


def _erlang_total(demand: Demand, scenario: Scenario, method: str) -> np.ndarray:
    from simulate.staffing import required_agents

    return required_agents(demand, scenario, method=method)["agents"].to_numpy(dtype=np.int64)


def _offered_load(d: Demand, sc: Scenario) -> np.ndarray:
    """Erlangs reaching agents per interval: calls x handle time / interval (after the IVR)."""
    assert d.aht_s is not None  # the per-skill demands of _skill_demands always carry aht_s
    aht = np.where(np.isfinite(d.aht_s), d.aht_s, sc.aht) * (sc.residual_aht_factor if sc.ivr_containment > 0
                                                            else 1.0)
    reach = 1.0 - sc.ivr_containment if sc.uses_ivr else 1.0
    return d.calls * reach * aht / d.interval_s


def erlang_split(demand: Any, scenario: Scenario, method: str = "erlang_a", *,
                 fixed: dict[str, int] | None = None) -> np.ndarray:
    """Agents per interval and group by the Erlang square-root split (step 1 of the module docstring):
    int64 array (n, G), columns in ``scenario.group_names`` order.

    method: "erlang_a" or "erlang_c" (as :func:`simulate.staffing.required_agents`). fixed: groups
    held at a number of agents (e.g. ``{"bilingual": 0}``: separate pools, each language staffed on
    its own by Erlang)."""
    if method not in ("erlang_a", "erlang_c"):
        raise ValueError(f"erlang_split: method must be 'erlang_a' or 'erlang_c', got {method!r}")
    demand = as_demand(demand)
    st = _structure(scenario)
    fixed_idx = _fixed(scenario, fixed)
    n, n_groups = len(demand), len(st["names"])
    out = np.zeros((n, n_groups), dtype=np.int64)
    for g, value in fixed_idx.items():
        out[:, g] = value
    if n_groups == 1:
        if 0 not in fixed_idx:
            out[:, 0] = _erlang_total(demand, _pooled(scenario), method)
        return out
    per_skill = _skill_demands(demand, scenario, st)
    flex = st["flexible"]
    if flex >= 0 and flex not in fixed_idx:
        pooled = _pooled(scenario)
        total = _erlang_total(demand, pooled, method)
        load = np.stack([_offered_load(d, sc) for d, sc in per_skill], axis=1)  # (n, S) Erlangs
        safety = _erlang_total(demand, pooled, "erlang_c") - load.sum(axis=1)  # beta x sqrt(R)
        flexible = np.clip(np.rint(safety), 0, total).astype(np.int64)
        rest = total - flexible
        held = [s for s in range(len(st["skills"])) if st["specialist"][s] >= 0 and st["specialist"][s] not in
                fixed_idx]
        if held:
            shares = _largest_remainder(rest, load[:, held])
            for j, s in enumerate(held):
                out[:, st["specialist"][s]] = shares[:, j]
            rest = rest - shares.sum(axis=1)
        out[:, flex] = flexible + rest  # languages without specialists ride on the bilingual agents
        return out
    for s, (d, sc) in enumerate(per_skill):  # no group serves every language: each on its own
        g = st["specialist"][s]
        if g < 0 or g in fixed_idx:
            free = [h for h in np.flatnonzero(st["serves"][:, s]) if h not in fixed_idx]
            if not free:
                raise ValueError(f"erlang_split: no group left to serve skill {st['skills'][s]!r} "
                                 f"(fixed: {sorted(fixed or {})})")
            g = int(free[0])
        out[:, g] += _erlang_total(d, sc, method)
    return out


def _largest_remainder(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split whole numbers ``total`` (n,) in proportion to ``weights`` (n, k) into whole numbers (n, k)
    summing to ``total`` where the weights are positive (largest remainders first)."""
    w = np.asarray(weights, dtype=np.float64)
    tot = w.sum(axis=1, keepdims=True)
    exact = np.where(tot > 0, total[:, None] * w / np.where(tot > 0, tot, 1.0), 0.0)
    out = np.floor(exact + _EPS).astype(np.int64)
    left = np.where(tot[:, 0] > 0, total - out.sum(axis=1), 0)
    order = np.argsort(-(exact - out), axis=1, kind="stable")
    for i in np.flatnonzero(left > 0):
        out[i, order[i, :left[i]]] += 1
    return out


def _fixed(scenario: Scenario, fixed: dict[str, int] | None) -> dict[int, int]:
    names = list(scenario.group_names)
    out = {}
    for name, value in (fixed or {}).items():
        if name not in names:
            raise ValueError(f"fixed: scenario {scenario.name!r} has no agent group {name!r} (groups: {names})")
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"fixed[{name!r}] must be a whole number of agents >= 0, got {value!r}")
        out[names.index(name)] = int(value)
    return out


# --------------------------------------------------------------------------- simulation
@dataclass
class _Sim:
    """Per (interval, skill) across replications: mean service level and abandon rate, their standard
    errors, mean calls; and the counts summed over replications (for the horizon totals)."""

    sl: np.ndarray
    sl_se: np.ndarray
    ab: np.ndarray
    ab_se: np.ndarray
    calls: np.ndarray
    within_sum: np.ndarray
    calls_sum: np.ndarray
    abandoned_sum: np.ndarray
    wait_sum: np.ndarray
    answered_sum: np.ndarray
    sl_rep: np.ndarray


def _simulate(demand: Demand, scenario: Scenario, st: dict[str, Any], agents: np.ndarray, replications: int,
              seed: int, engine: str) -> _Sim:
    """``replications`` replications of ``agents`` (n, G) on ``engine`` ("fast" or "simpy", resolved)."""
    from simulate.run import _engine_function

    work = build_workload(demand, scenario, agents)
    simulate_replication = _engine_function(engine)
    n, n_skills = len(demand), len(st["skills"])
    size = n * n_skills
    within = np.zeros((replications, size))
    calls = np.zeros((replications, size))
    abandoned = np.zeros((replications, size))
    answered = np.zeros((replications, size))
    wait = np.zeros((replications, size))
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        rec = simulate_replication(work, scenario, child)
        key = rec.interval.astype(np.int64) * n_skills + st["type_skill"][rec.call_type.astype(np.int64)]
        ans = rec.outcome == OUTCOME_ANSWERED
        ab = rec.outcome == OUTCOME_ABANDONED
        calls[r] = np.bincount(key[ans | ab], minlength=size)
        within[r] = np.bincount(key[ans & (rec.wait_s <= scenario.sl_threshold)], minlength=size)
        abandoned[r] = np.bincount(key[ab], minlength=size)
        answered[r] = np.bincount(key[ans], minlength=size)
        wait[r] = np.bincount(key[ans], weights=rec.wait_s[ans], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        sl_rep = np.where(calls > 0, within / np.maximum(calls, 1), np.nan)
        ab_rep = np.where(calls > 0, abandoned / np.maximum(calls, 1), np.nan)

    def mean_se(x):
        k = (~np.isnan(x)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # (interval, language) pairs with no call: NaN
            m = np.nanmean(x, axis=0)
            sd = np.nanstd(x, axis=0, ddof=1)
        se = np.where(k > 1, sd / np.sqrt(np.maximum(k, 1)), 0.0)
        return m.reshape(n, n_skills), np.nan_to_num(se).reshape(n, n_skills)

    sl, sl_se = mean_se(sl_rep)
    abr, ab_se = mean_se(ab_rep)
    shape = (n, n_skills)
    return _Sim(sl=sl, sl_se=sl_se, ab=abr, ab_se=ab_se, calls=calls.mean(axis=0).reshape(shape),
                within_sum=within.sum(axis=0).reshape(shape), calls_sum=calls.sum(axis=0).reshape(shape),
                abandoned_sum=abandoned.sum(axis=0).reshape(shape), wait_sum=wait.sum(axis=0).reshape(shape),
                answered_sum=answered.sum(axis=0).reshape(shape), sl_rep=sl_rep.reshape(replications, n, n_skills))


# The same floor as the one-pool simulation staffing (simulate/staffing.py): calls of one interval share
# its queue, so their outcomes are correlated; the sd of an interval's service level across
# replications is 1.5 to 3.5 times its binomial sd, and a few replications estimate it poorly.
_DESIGN_EFFECT_SD = 2.5


def _floor_se(rate: np.ndarray, se: np.ndarray, calls_sum: np.ndarray) -> np.ndarray:
    """The larger of the across-replication se and 2.5 x the binomial se of ``calls_sum`` calls."""
    with np.errstate(invalid="ignore", divide="ignore"):
        binom = np.where(calls_sum > 0, np.sqrt(np.clip(rate * (1 - rate), 0.0, None) / calls_sum), 0.0)
    return np.maximum(se, _DESIGN_EFFECT_SD * np.nan_to_num(binom))


def _misses(sim: _Sim, scenario: Scenario, safety_margin: float, safety_z: float) -> np.ndarray:
    """bool (n, S): the (interval, language) pairs that miss their target (see the module docstring)."""
    has = sim.calls > 0
    se = _floor_se(sim.sl, sim.sl_se, sim.calls_sum)
    low = np.nan_to_num(sim.sl - safety_z * se, nan=1.0) < scenario.sl_target + safety_margin - _EPS
    miss = has & low
    if scenario.max_abandon_rate is not None:
        se_ab = _floor_se(sim.ab, sim.ab_se, sim.calls_sum)
        high = np.nan_to_num(sim.ab + safety_z * se_ab, nan=0.0) > scenario.max_abandon_rate + _EPS
        miss |= has & high
    return miss


# --------------------------------------------------------------------------- the search
@dataclass(frozen=True, eq=False)
class GroupStaffing:
    """Agents per group and interval meeting each language's target at least cost (:func:`staff_groups`).

    agents: one row per interval: ds, calls, one column per agent group (agents on the phones), total.
    kpis: one row per interval and skill (language): ds, skill, calls (mean per replication),
        service_level, service_level_se, abandon_rate, from the search's last simulation.
    groups: one row per group: group, skills, hourly_cost, agent_hours, paid_hours, fte, cost.
    summary: agent_hours, paid_hours, fte, cost (all groups), simulations, passes, seconds, converged
        (every language met its target in the search), intervals_meeting_target (every language met,
        on the verification seeds when verified), method, engine (the one that ran: "fast" or "simpy").
    verification: on unseen seeds, one row per interval and skill: ds, skill, calls, service_level,
        service_level_lo, service_level_hi (95%), abandon_rate, met; or None. ``by_skill`` gives the
        horizon totals per language (service_level, abandon_rate, asa_s).
    """

    agents: pd.DataFrame
    kpis: pd.DataFrame
    groups: pd.DataFrame
    summary: dict[str, Any]
    verification: pd.DataFrame | None
    by_skill: pd.DataFrame | None
    scenario: Scenario
    demand: Demand

    def group_agents(self) -> np.ndarray:
        """int64 (n, G): agents per interval and group, in ``scenario.group_names`` order."""
        return self.agents[list(self.scenario.group_names)].to_numpy(dtype=np.int64)

    @property
    def plan(self) -> StaffingPlan:
        """The staffing as a :class:`simulate.StaffingPlan` per group (a table per group), for
        :func:`simulate.run`."""
        ds = self.agents["ds"]
        return StaffingPlan.groups({g: StaffingPlan.table(pd.DataFrame({"ds": ds, "agents": self.agents[g]}),
                                                          interval=self.demand.interval_s)
                                    for g in self.scenario.group_names})


def _best_group(missing: np.ndarray, st: dict[str, Any], free: np.ndarray) -> int:
    """The group to add for the missing skills (bool (S,)): lowest cost per missing skill served."""
    best, best_key = -1, None
    for g in range(len(st["names"])):
        if not free[g]:
            continue
        k = int((st["serves"][g] & missing).sum())
        if k == 0:
            continue
        key = (st["cost"][g] / k, st["n_skills"][g], g)
        if best_key is None or key < best_key:
            best, best_key = g, key
    return best


def _moves(st: dict[str, Any], free: np.ndarray) -> list[tuple[str, np.ndarray, float]]:
    """Cost-reducing moves (name, change per group (G,), saving per interval), best saving first."""
    names, cost, n_groups = st["names"], st["cost"], len(st["names"])
    moves = []
    for g in range(n_groups):
        if free[g]:
            d = np.zeros(n_groups, dtype=np.int64)
            d[g] = -1
            moves.append((f"remove {names[g]}", d, cost[g]))
    for g in range(n_groups):  # an agent serving several languages -> a specialist of one of them
        for h in range(n_groups):
            if free[g] and free[h] and st["n_skills"][g] > 1 and st["n_skills"][h] == 1 \
                    and (st["serves"][h] & ~st["serves"][g]).sum() == 0 and cost[g] > cost[h]:
                d = np.zeros(n_groups, dtype=np.int64)
                d[g], d[h] = -1, 1
                moves.append((f"{names[g]} -> {names[h]}", d, cost[g] - cost[h]))
    f = st["flexible"]
    if f >= 0 and free[f]:  # one specialist of each language -> one agent serving them all
        spec = st["specialist"]
        if (spec >= 0).all() and free[spec].all():
            d = np.zeros(n_groups, dtype=np.int64)
            d[spec] -= 1
            d[f] += 1
            saving = cost[spec].sum() - cost[f]
            if saving > 0:
                moves.append(("specialists -> " + names[f], d, saving))
    return sorted(moves, key=lambda m: -m[2])


def _to_undo(fails: np.ndarray, changed: np.ndarray) -> np.ndarray:
    """Changed intervals to undo after a trial, for each failing interval: its own change, else the
    next interval's (its late callers wait into it), else the closest change before it (the queue it
    left carries over). bool (n,)."""
    undo = np.zeros_like(changed)
    before = np.maximum.accumulate(np.where(changed, np.arange(len(changed)), -1))
    for k in np.flatnonzero(fails):
        if changed[k]:
            undo[k] = True
        elif k + 1 < len(changed) and changed[k + 1]:
            undo[k + 1] = True
        elif before[k] >= 0:
            undo[before[k]] = True
    return undo


def _arrival_factor(demand: Demand, scenario: Scenario, sim: _Sim) -> np.ndarray:
    """Per interval (n,): calls reaching the queue in simulation (first attempts and redials, answered
    or abandoned, mean per replication) over the calls Erlang sees (the demand after the IVR); 1 where
    either is zero or the two are within two Poisson standard errors; within [0.5, 3]."""
    reach = 1.0 - scenario.ivr_containment if scenario.uses_ivr else 1.0
    seen = demand.calls * reach
    got = sim.calls.sum(axis=1)
    reps = sim.calls_sum.sum() / max(sim.calls.sum(), _EPS)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where((seen > 0) & (got > 0), got / np.where(seen > 0, seen, 1.0), 1.0)
        # within two Poisson standard errors of the calls Erlang sees: noise, not load
        noise = np.where(seen > 0, 2.0 / np.sqrt(np.maximum(seen * reps, _EPS)), np.inf)
    return np.clip(np.where(np.abs(f - 1.0) <= noise, 1.0, f), 0.5, 3.0)


def _scaled(demand: Demand, factor: np.ndarray) -> Demand:
    """The demand with its calls (and calls per type) times ``factor`` (n,), for the Erlang split."""
    type_calls = None if demand.type_calls is None else demand.type_calls * factor[:, None]
    return dataclasses.replace(demand, calls=demand.calls * factor, type_calls=type_calls, arrivals=None)


def _aimed(scenario: Scenario, demand: Demand, replications: int, safety_margin: float, safety_z: float
           ) -> Scenario:
    """The scenario with a service-level target near what the pass rule asks of a simulated interval:
    the target plus the margin plus half of ``safety_z`` floor standard errors (:func:`_floor_se`) of
    an interval with the median calls of the open intervals, at most 0.99 (never below the target).
    Half: the full allowance over-staffs the large intervals (tried on the bundled bilingual week:
    0.7% more cost for one simulation fewer); the adding step covers the rest."""
    t = scenario.sl_target
    calls = demand.calls[demand.calls > 0]
    if calls.size == 0:
        return scenario
    se = _DESIGN_EFFECT_SD * math.sqrt(t * (1.0 - t) / (float(np.median(calls)) * replications))
    return scenario.replace(sl_target=max(t, min(0.99, t + safety_margin + 0.5 * safety_z * se)))


def _room(sim: _Sim, scenario: Scenario, safety_margin: float, safety_z: float) -> np.ndarray:
    """float (n, S): how far each (interval, language)'s service level, less ``safety_z`` standard
    errors, is above the target plus the margin (the pass rule of :func:`_misses`); inf without calls."""
    se = _floor_se(sim.sl, sim.sl_se, sim.calls_sum)
    room = sim.sl - safety_z * se - (scenario.sl_target + safety_margin)
    return np.where((sim.calls > 0) & np.isfinite(room), room, np.inf)


def _drop_per_agent(demand: Demand, scenario: Scenario, factor: np.ndarray, total: np.ndarray) -> np.ndarray:
    """float (n,): the service level one agent fewer costs, by Erlang (A with patience, else C) on
    one pool of ``total`` agents at the calls times ``factor`` (:func:`_arrival_factor`); 1 where
    fewer than two agents or no calls."""
    from simulate.staffing import _effective, _kpis

    aht, patience, reach = _effective(demand, _pooled(scenario))
    lam = demand.calls * reach / demand.interval_s * factor
    out = np.ones(len(demand))
    ok = (lam > 0) & (total >= 2)
    if ok.any():
        approx = "erlang_a" if patience is not None else "erlang_c"
        pat = None if patience is None else patience[ok]
        n = total[ok].astype(np.float64)
        sl = [_kpis(approx, lam[ok], aht[ok], pat, k, scenario.sl_threshold)["service_level"] for k in (n, n - 1)]
        out[ok] = np.clip(sl[0] - sl[1], 0.0, 1.0)
    return out


def _cost(agents: np.ndarray, st: dict[str, Any]) -> float:
    """Hourly cost of agents (n, G) summed over intervals (proportional to the plan's cost)."""
    return float((agents * st["cost"][None, :]).sum())


def _hurts(delta: np.ndarray, st: dict[str, Any]) -> np.ndarray:
    """bool (S,): the languages a move (change per group) takes capacity from: those of the groups it
    takes agents from, less (when it adds as many agents as it takes) those the added agents serve."""
    taken = st["serves"][delta < 0].any(axis=0)
    if delta.sum() < 0:
        return taken
    return taken & ~st["serves"][delta > 0].any(axis=0)


def staff_groups(demand: Any, scenario: Scenario, *, replications: int = 8, seed: int = 0,
                 safety_margin: float = 0.01, safety_z: float = 1.0, max_passes: int = 1, max_add_rounds: int = 40,
                 verify: bool = True, verify_replications: int | None = None, fixed: dict[str, int] | None = None,
                 start: np.ndarray | None = None, engine: str = "auto") -> GroupStaffing:
    """The least-cost agents per group and interval meeting the target for each language, by simulation
    (see the module docstring).

    demand: a :class:`simulate.Demand` or a frame it reads; scenario: the policy with its agent groups
    (a scenario without groups is sized as one pool the same way). replications / seed: the search's
    common random numbers (replication r uses ``SeedSequence(seed).spawn(replications)[r]``);
    safety_margin, safety_z: the pass rule; max_passes: cost-reducing rounds at most (step b; 0 keeps
    the staffing steps 0 and a find; on the bundled bilingual week the first round saves about 0.3%
    of the cost for about 6 more simulations, see benchmarks/multiskill_speed.py); max_add_rounds:
    rounds of adding at most; verify / verify_replications (default 2 x replications): the check on seeds
    ``seed + 10_000``; fixed: groups held at a number of agents (``{"bilingual": 0}`` sizes separate
    pools); start: (n, G) agents to start from instead of the Erlang split (used as given: no load
    learned); engine: as :func:`simulate.run` ("auto": the compiled engine, which routes by skill call
    for call as the SimPy engine does).
    """
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 2:
        raise ValueError(f"staff_groups: replications must be a whole number >= 2, got {replications!r}")
    if isinstance(max_passes, bool) or not isinstance(max_passes, (int, np.integer)) or max_passes < 0:
        raise ValueError(f"staff_groups: max_passes must be a whole number >= 0, got {max_passes!r}")
    from simulate.run import resolve_engine

    t0 = time.perf_counter()
    used = resolve_engine(engine, scenario)
    demand = as_demand(demand)
    st = _structure(scenario)
    fixed_idx = _fixed(scenario, fixed)
    n_groups = len(st["names"])
    free = np.array([g not in fixed_idx for g in range(n_groups)])
    open_ = demand.calls > 0
    method = "erlang_a" if scenario.patience is not None or any(t.patience is not None for t in scenario.call_types) \
        else "erlang_c"
    if start is None:
        agents = erlang_split(demand, scenario, method, fixed=fixed)
    else:
        agents = np.asarray(start, dtype=np.int64).copy()
        if agents.shape != (len(demand), n_groups):
            raise ValueError(f"staff_groups: start must have shape ({len(demand)}, {n_groups}), got {agents.shape}")
        for g, v in fixed_idx.items():
            agents[:, g] = v
    agents[~open_] = np.where(free, 0, agents[~open_])
    sims = 0

    def simulate(a: np.ndarray, seed_: int = seed) -> _Sim:
        nonlocal sims
        sims += 1
        return _simulate(demand, scenario, st, a, replications, seed_, used)

    def misses(s: _Sim) -> np.ndarray:
        return _misses(s, scenario, safety_margin, safety_z)

    sim = simulate(agents)
    factor = np.ones(len(demand))
    if start is None:
        # 0. the Erlang split again at the load the simulation revealed (redials and busy signals
        # change the calls reaching agents, which Erlang does not see), aimed at the pass rule
        factor = _arrival_factor(demand, scenario, sim)
        again = erlang_split(_scaled(demand, factor), _aimed(scenario, demand, replications, safety_margin, safety_z),
                             method, fixed=fixed)
        again[~open_] = np.where(free, 0, again[~open_])
        if (again != agents).any():
            agents = again
            sim = simulate(agents)

    def add(agents: np.ndarray, sim: _Sim, seed_: int) -> tuple[np.ndarray, _Sim, int, bool]:
        """a. add, every missing interval at once, until every language meets its target on seeds ``seed_``."""
        miss = misses(sim)
        rounds = 0
        step = np.ones(len(demand), dtype=np.int64)  # doubles while an interval keeps missing
        while miss.any() and rounds < max_add_rounds:
            rounds += 1
            missing = miss.any(axis=1)
            # at least half the agents Erlang says close the gap (one pool at the load the simulation
            # showed): half, as one agent of the missing language's group does more for it than for
            # the pool, and the adding cannot be taken back (tried on the bundled week: the whole
            # estimate over-staffs, half saves a few simulations at the same cost)
            gap = -_room(sim, scenario, safety_margin, safety_z).min(axis=1)
            gain = _drop_per_agent(demand, scenario, factor, agents.sum(axis=1) + 1)
            with np.errstate(invalid="ignore", divide="ignore"):
                need = np.where(missing & (gain > 0), np.ceil(0.5 * gap / np.maximum(gain, 1e-9) - 1e-6), 1)
            step = np.maximum(step, np.clip(np.nan_to_num(need, nan=1.0), 1, 64).astype(np.int64))
            for k in np.flatnonzero(missing):
                g = _best_group(miss[k], st, free)
                if g < 0:
                    continue  # nothing left to add for this language (every group serving it is fixed)
                agents[k, g] += step[k]
            step = np.where(missing, step * 2, 1)
            sim = simulate(agents, seed_)
            miss = misses(sim)
        return agents, sim, rounds, not miss.any()

    agents, sim, rounds, converged = add(agents, sim, seed)
    # b. cost-reducing rounds: every interval tries its best-saving move at once
    passes = 0
    moves = _moves(st, free)
    hurt = np.array([_hurts(delta, st) for _, delta, _ in moves]).reshape(len(moves), len(st["skills"]))
    failed = np.zeros((len(moves), len(demand)), dtype=bool)  # undone at step 1, nothing changed there since
    step = np.ones(len(demand), dtype=np.int64)  # doubles where kept, back to 1 where undone
    while converged and passes < max_passes and moves:
        passes += 1
        room = _room(sim, scenario, safety_margin, safety_z)
        drop = _drop_per_agent(demand, scenario, factor, agents.sum(axis=1))
        chosen = np.full(len(demand), -1, dtype=np.int64)
        trial = agents.copy()
        for m, (_, delta, _) in enumerate(moves):
            size = step.copy()
            for h in np.flatnonzero(delta < 0):  # never below zero agents
                size = np.minimum(size, agents[:, h] // -delta[h])
            # only where the languages it takes capacity from have room for it (Erlang's estimate)
            fits = (room[:, hurt[m]] >= size[:, None] * drop[:, None]).all(axis=1)
            take = open_ & (chosen < 0) & (size >= 1) & ~failed[m] & fits
            chosen[take] = m
            trial[take] += size[take, None] * delta[None, :]
        if not (chosen >= 0).any():
            break
        tried = (trial != agents).any(axis=1)
        undone = np.zeros(len(demand), dtype=bool)
        trial_sim = simulate(trial)
        for _ in range(2):  # undo where a language fails (or where its queue comes from), re-simulate
            fails = cast(np.ndarray, misses(trial_sim).any(axis=1))  # numpy's stubs: bool | ndarray
            undo = _to_undo(fails, (trial != agents).any(axis=1))
            if not undo.any():
                break
            trial[undo] = agents[undo]
            undone |= undo
            trial_sim = simulate(trial)
        if misses(trial_sim).any():  # what still fails (queues carried over, noise): add back the cheapest
            trial, trial_sim, more, ok = add(trial, trial_sim, seed)
            rounds += more
            if not ok:
                trial, trial_sim = agents, sim
        if _cost(trial, st) >= _cost(agents, st) - _EPS:
            trial, trial_sim = agents, sim
            undone = tried
        kept = (trial != agents).any(axis=1) & tried & ~undone
        rows = np.flatnonzero(undone & (step <= 1))
        failed[chosen[rows], rows] = True
        failed[:, kept] = False
        step = np.where(kept, step * 2, 1)
        agents, sim = trial, trial_sim
    # c. the rounds kept what passed on the search's seeds, a choice biased toward lucky draws: check
    # again on fresh seeds and add where a language misses there
    if converged:
        agents, sim, more, converged = add(agents, simulate(agents, seed + 5_000), seed + 5_000)
        rounds += more
    verification = by_skill = None
    if verify:
        vreps = verify_replications or 2 * replications
        vsim = _simulate(demand, scenario, st, agents, vreps, seed + 10_000, used)
        sims += 1
        verification, by_skill = _verification(demand, scenario, st, vsim, vreps)
    return _result(demand, scenario, st, agents, sim, verification, by_skill, {
        "simulations": sims, "passes": passes, "add_rounds": rounds, "converged": converged,
        "seconds": time.perf_counter() - t0, "method": "simulation", "engine": used})


def _verification(demand: Demand, scenario: Scenario, st: dict[str, Any], sim: _Sim, reps: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    n, n_skills = sim.sl.shape
    half = stats.t.ppf(0.975, max(reps - 1, 1)) * sim.sl_se
    sl = sim.sl
    met = (sim.calls == 0) | ~np.isfinite(sl) | (sl >= scenario.sl_target - _EPS)
    if scenario.max_abandon_rate is not None:
        met &= (sim.calls == 0) | ~np.isfinite(sim.ab) | (sim.ab <= scenario.max_abandon_rate + _EPS)
    frame = pd.DataFrame({
        "ds": np.repeat(demand.ds, n_skills), "skill": np.tile(st["skills"], n), "calls": sim.calls.ravel(),
        "service_level": sl.ravel(), "service_level_lo": (sl - half).ravel(), "service_level_hi": (sl + half).ravel(),
        "abandon_rate": sim.ab.ravel(), "met": met.ravel()})
    calls = sim.calls_sum.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_skill = pd.DataFrame({
            "skill": st["skills"], "calls": calls / reps,
            "service_level": np.where(calls > 0, sim.within_sum.sum(axis=0) / np.maximum(calls, 1), np.nan),
            "abandon_rate": np.where(calls > 0, sim.abandoned_sum.sum(axis=0) / np.maximum(calls, 1), np.nan),
            "asa_s": np.where(sim.answered_sum.sum(axis=0) > 0,
                              sim.wait_sum.sum(axis=0) / np.maximum(sim.answered_sum.sum(axis=0), 1), np.nan)})
    return frame, by_skill


def _result(demand: Demand, scenario: Scenario, st: dict[str, Any], agents: np.ndarray, sim: _Sim | None,
            verification: pd.DataFrame | None, by_skill: pd.DataFrame | None, info: dict[str, Any]
            ) -> GroupStaffing:
    from simulate.staffing import workforce_totals

    names = st["names"]
    table = pd.DataFrame({"ds": demand.ds, "calls": demand.calls})
    for g, name in enumerate(names):
        table[name] = agents[:, g]
    table["total"] = agents.sum(axis=1)
    rows = []
    for g, name in enumerate(names):
        tot = workforce_totals(agents[:, g], demand.interval_s, scenario.replace(hourly_cost=float(st["cost"][g])))
        rows.append({"group": name, "skills": ", ".join(s for s, on in zip(st["skills"], st["serves"][g]) if on),
                     "hourly_cost": float(st["cost"][g]), "agent_hours": tot["agent_hours"],
                     "paid_hours": tot["ideal_paid_hours"], "fte": tot["fte"], "cost": tot["cost"]})
    groups = pd.DataFrame(rows)
    n_skills = len(st["skills"])
    if sim is not None:
        kpis = pd.DataFrame({"ds": np.repeat(demand.ds, n_skills), "skill": np.tile(st["skills"], len(demand)),
                             "calls": sim.calls.ravel(), "service_level": sim.sl.ravel(),
                             "service_level_se": sim.sl_se.ravel(), "abandon_rate": sim.ab.ravel()})
    else:
        kpis = pd.DataFrame(columns=["ds", "skill", "calls", "service_level", "service_level_se", "abandon_rate"])
    open_ = demand.calls > 0
    if verification is not None:
        met_by_interval = verification["met"].to_numpy().reshape(len(demand), n_skills).all(axis=1)
    elif sim is not None:
        met_by_interval = ~_misses(sim, scenario, 0.0, 0.0).any(axis=1)
    else:
        met_by_interval = np.zeros(len(demand), dtype=bool)
    summary = {
        "agent_hours": float(groups["agent_hours"].sum()), "paid_hours": float(groups["paid_hours"].sum()),
        "fte": float(groups["fte"].sum()), "cost": float(groups["cost"].sum()),
        "peak_agents": int(table["total"].max()) if len(table) else 0,
        "intervals_open": int(open_.sum()), "intervals_meeting_target": int((met_by_interval & open_).sum()),
        **info,
    }
    return GroupStaffing(agents=table, kpis=kpis, groups=groups, summary=summary, verification=verification,
                         by_skill=by_skill, scenario=scenario, demand=demand)


def group_agents(demand: Any, scenario: Scenario, method: str = "erlang_a", **options: Any) -> np.ndarray:
    """Agents per interval and group sized to the target: int64 (n, G). What a plan
    ``StaffingPlan.sized(method)`` gives on a scenario with agent groups: "erlang_a" / "erlang_c" the
    Erlang split (:func:`erlang_split`), "simulation" the least-cost search (:func:`staff_groups`,
    ``options`` passed on; ``verify`` off unless asked)."""
    if method in ("erlang_a", "erlang_c"):
        return erlang_split(demand, scenario, method)
    if method == "simulation":
        options.setdefault("verify", False)
        allowed = {"replications", "seed", "safety_margin", "safety_z", "max_passes", "max_add_rounds", "verify",
                   "verify_replications", "engine"}
        return staff_groups(demand, scenario, **{k: v for k, v in options.items() if k in allowed}).group_agents()
    raise ValueError(f"method must be one of ('erlang_c', 'erlang_a', 'simulation'), got {method!r}")


# --------------------------------------------------------------------------- separate pools vs shared
@dataclass(frozen=True, eq=False)
class PoolComparison:
    """What cross-training saves (:func:`compare_pools`).

    table: one row per option ("separate pools", "with bilingual agents"): agent-hours per group
        (``agent_hours_<group>``), agent_hours, paid_hours, fte, cost, saving (cost below separate
        pools) and saving_share, then per language the service level and ASA on unseen seeds
        (``service_level_<skill>``, ``asa_s_<skill>``).
    separate, shared: the two :class:`GroupStaffing` results.
    """

    table: pd.DataFrame
    separate: GroupStaffing
    shared: GroupStaffing


def compare_pools(demand: Any, scenario: Scenario, **options: Any) -> PoolComparison:
    """Size the scenario twice with :func:`staff_groups` (``options`` passed on, same seeds): with its
    groups serving several languages held at 0 ("separate pools": each language on its own
    specialists) and with every group ("with bilingual agents"), and compare costs and service.

    The search is local, so the shared staffing is searched twice, from the Erlang split and from the
    separate pools' staffing (where cross-trained agents can only lower the cost), and the cheaper
    is kept: it never costs more than the separate pools on the search's seeds."""
    st = _structure(scenario)
    multi = [st["names"][g] for g in range(len(st["names"])) if st["n_skills"][g] > 1]
    if not multi:
        raise ValueError(f"compare_pools: scenario {scenario.name!r} has no group serving several languages "
                         "(nothing to compare with separate pools)")
    missing = [s for s, g in zip(st["skills"], st["specialist"]) if g < 0]
    if missing:
        raise ValueError(f"compare_pools: separate pools need a specialist group for every language; none serves "
                         f"only {missing}")
    options = dict(options)
    options.setdefault("verify", True)
    separate = staff_groups(demand, scenario, fixed={g: 0 for g in multi}, **options)
    shared = staff_groups(demand, scenario, **options)
    # the search is local: from the separate pools' staffing, cross-trained agents can only lower the cost
    again = staff_groups(demand, scenario, start=separate.group_agents(), **options)
    if again.summary["cost"] < shared.summary["cost"]:
        shared = again
    rows = []
    for label, res in (("separate pools", separate), ("with bilingual agents", shared)):
        row: dict[str, Any] = {"option": label}
        for _, g in res.groups.iterrows():
            row[f"agent_hours_{g['group']}"] = g["agent_hours"]
        for k in ("agent_hours", "paid_hours", "fte", "cost"):
            row[k] = res.summary[k]
        if res.by_skill is not None:
            for _, s in res.by_skill.iterrows():
                row[f"service_level_{s['skill']}"] = s["service_level"]
                row[f"asa_s_{s['skill']}"] = s["asa_s"]
        rows.append(row)
    table = pd.DataFrame(rows)
    base = table.loc[0, "cost"]
    table.insert(table.columns.get_loc("cost") + 1, "saving", base - table["cost"])
    table.insert(table.columns.get_loc("saving") + 1, "saving_share",
                 (base - table["cost"]) / base if base > 0 else math.nan)
    return PoolComparison(table=table, separate=separate, shared=shared)
