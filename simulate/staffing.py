"""From forecast demand to the agents each interval needs, and from agents to people and cost.

Picture a planner with tomorrow's forecast in 30-minute rows. For each row we ask: how many agents
on the phones so that ``sl_target`` of callers are answered within ``sl_threshold`` seconds (and,
when set, no more than ``max_abandon_rate`` hang up and agents are busy no more than
``max_occupancy`` of the time)? Three ways to answer:

* ``"erlang_c"``: each interval as a steady M/M/n queue (callers never hang up): classic, pessimistic.
* ``"erlang_a"``: each interval as M/M/n+M with the scenario's mean patience: hang-ups shorten the
  queue, so usually fewer agents.
* ``"simulation"``: the iterative staffing algorithm (ISA) of Feldman, Mandelbaum, Massey & Whitt
  (2008) adapted to a service-level target, on the full scenario (lines, redials, IVR, callbacks,
  call types, non-exponential times): (1) the time-varying offered load m(t) = E[busy agents] is
  measured by simulating with ample agents; (2) each interval is staffed by Erlang A (C without
  patience) at that load, re-simulated with that staffing, the load scaled by the extra queue
  entries the staffing causes (redials after hang-ups and busy signals), until the staffing stops
  changing (at most 3 rounds, common random numbers); (3) correction: re-simulate on fresh random
  numbers each round and add agents (Erlang-sized steps) wherever the interval's simulated SL
  misses ``sl_target + safety_margin + safety_z x se``, until every open interval passes or
  ``max_iterations`` is reached (``converged`` says which); (4) verification on seeds
  ``seed + 10_000`` never used before. Agents are only ever added in step 3.

Then people: ``scheduled = agents / (1 - shrinkage)``; full-time equivalents from
``paid_hours_per_week``; cost from ``hourly_cost``. Durations in seconds, rates per second,
hours only in the summary's ``*_hours`` and FTE figures.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import erlang
from .demand import Demand, as_demand
from .staffing_plan import StaffingPlan
from .workload import build_workload

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = [
    "METHODS",
    "StaffingRecommendation",
    "required_agents",
    "staff",
    "staffing_by_quantile",
    "risk_of_missing",
    "workforce_totals",
]

METHODS = ("erlang_c", "erlang_a", "simulation")
_ENGINES = ("auto", "simpy", "fast")
_EPS = 1e-9
_DESIGN_EFFECT_SD = 2.5  # sd of an interval SL across replications / its binomial sd (see _isa_requirements)


@dataclass(frozen=True)
class StaffingRecommendation:
    """A staffing recommendation for one demand and scenario (what :func:`staff` returns).

    requirements: one row per arrival interval: ds, calls, agents_required (fractional), agents
        (whole agents on the phones), scheduled (= agents / (1 - shrinkage)), scheduled_int, and the
        predicted service_level, abandon_rate, asa_s, occupancy at ``agents`` (see :func:`required_agents`).
    method: "erlang_c" | "erlang_a" | "simulation".
    scenario: the Scenario whose targets and costs were used.
    summary: agent_hours (on the phones), scheduled_hours (paid, after shrinkage), fte, cost,
        peak_agents, peak_scheduled, intervals_open, intervals_meeting_target, ... (see :func:`staff`).
    comparison: one row per method (erlang_c, erlang_a, and simulation when run) on the same demand:
        agent_hours, scheduled_hours, peak_agents, fte, cost.
    verification: simulation method only: per interval simulated service level on unseen seeds with
        its 95% interval (service_level, service_level_lo, service_level_hi) and ``met``; else None.
    schedule: a :mod:`simulate.schedule` result attached later, or None.
    risk: a :func:`risk_of_missing` frame attached later, or None.
    demand: the :class:`simulate.Demand` it was sized on.

    ``plan`` is the recommended :class:`simulate.StaffingPlan` (agents by timestamp), ready for
    :func:`simulate.run`.
    """

    requirements: pd.DataFrame
    method: str
    scenario: Scenario
    summary: dict[str, Any]
    comparison: pd.DataFrame
    verification: pd.DataFrame | None = None
    schedule: Any = None
    risk: pd.DataFrame | None = None
    demand: Demand | None = None

    @property
    def plan(self) -> StaffingPlan:
        """The recommended agents on the phones as a :class:`simulate.StaffingPlan` (a table by ds)."""
        req = self.requirements
        interval = self.demand.interval_s if self.demand is not None else None
        return StaffingPlan.table(req[["ds", "agents"]], interval=interval)


# --------------------------------------------------------------------------- inputs
def _effective(demand: Demand, scenario: Scenario) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Steady-state stand-ins per interval: (aht_s (n,), patience_s (n,) or None, share of calls reaching agents).

    Handle time: the interval's mean over its call-type mix (the demand's handle time where it has
    one, see :func:`simulate.workload.build_workload`), with ``residual_aht_factor`` when the IVR
    contains calls; patience: the mix-weighted abandonment rate (1/patience) turned back into a mean;
    the IVR: contained calls never reach an agent. Redials, lines and callbacks are ignored here
    (the simulation method accounts for them).
    """
    work = build_workload(demand, scenario, np.zeros(len(demand), dtype=np.int64))
    t = scenario.type_table()
    share = np.diff(np.concatenate([np.zeros((work.n, 1)), work.cum_share], axis=1), axis=1)
    theta = (share / t["patience"][None, :]).sum(axis=1)  # 1/inf = 0: never abandons
    reach = 1.0 - scenario.ivr_containment if scenario.uses_ivr else 1.0
    with np.errstate(divide="ignore"):
        patience = None if not (theta > 0).any() else np.where(theta > 0, 1.0 / np.maximum(theta, 1e-300), np.inf)
    if patience is not None and not np.all(np.isfinite(patience)):
        patience = np.where(np.isfinite(patience), patience, np.nanmax(np.where(np.isfinite(patience), patience,
                                                                                 np.nan)))
    return work.mean_aht_s.copy(), patience, reach


def _kpis(method: str, rate: np.ndarray, aht: np.ndarray, patience: np.ndarray | None, n: np.ndarray,
          threshold: float, *, with_asa: bool = False) -> dict[str, np.ndarray]:
    """service_level, abandon_rate, occupancy (and asa_s) of each (rate, n) pair; rate > 0."""
    if method == "erlang_a" and patience is not None:
        r = erlang.erlang_a(rate, aht, n, patience, threshold, with_asa=with_asa)
        out = {"service_level": r["service_level"], "abandon_rate": r["p_abandon"], "occupancy": r["occupancy"]}
        if with_asa:
            out["asa_s"] = r["asa_s"]
        return out
    out = {
        "service_level": erlang.service_level_c(rate, aht, n, threshold),
        "abandon_rate": np.zeros(np.broadcast(rate, n).shape),
        "occupancy": erlang.occupancy(rate, aht, n),
    }
    if with_asa:
        out["asa_s"] = erlang.asa_c(rate, aht, n)
    return out


def _passes(k: dict[str, np.ndarray], scenario: Scenario) -> np.ndarray:
    ok = k["service_level"] >= scenario.sl_target - _EPS
    if scenario.max_abandon_rate is not None:
        ok &= k["abandon_rate"] <= scenario.max_abandon_rate + _EPS
    if scenario.max_occupancy is not None:
        ok &= k["occupancy"] <= scenario.max_occupancy + _EPS
    return ok


def _least_agents(method: str, rate: np.ndarray, aht: np.ndarray, patience: np.ndarray | None, scenario: Scenario
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Least whole agents meeting every target per interval, and the fractional requirement.

    rate: calls per second reaching agents, shape (n,); aht: mean handle time per interval (s), shape
    (n,); patience: mean patience per interval (s), shape (n,), or None (never abandon).
    Returns (agents int64, agents_required float64).
    The fractional requirement is the largest, over the targets, of the point where the KPI,
    interpolated linearly between n-1 and n agents, crosses its target (0 where rate is 0).
    """
    rate = np.asarray(rate, dtype=np.float64)
    agents = np.zeros(rate.shape, dtype=np.int64)
    required = np.zeros(rate.shape, dtype=np.float64)
    idx = np.flatnonzero(rate > 0)
    if idx.size == 0:
        return agents, required
    lam = rate[idx]
    aht = np.broadcast_to(np.asarray(aht, dtype=np.float64), rate.shape)[idx]
    if patience is not None:
        patience = np.broadcast_to(np.asarray(patience, dtype=np.float64), rate.shape)[idx]
    threshold = scenario.sl_threshold

    def passes(n: np.ndarray, sel: np.ndarray) -> np.ndarray:
        return _passes(_kpis(method, lam[sel], aht[sel], None if patience is None else patience[sel],
                             n.astype(np.float64), threshold), scenario)

    load = lam * aht
    lo = np.zeros(idx.size, dtype=np.int64)  # fails: rate > 0 and no agent never meets a target < 1
    hi = np.ceil(load + 3.0 * np.sqrt(load) + 2.0).astype(np.int64)
    for _ in range(60):
        bad = ~passes(hi, np.arange(idx.size))
        if not bad.any():
            break
        lo[bad] = hi[bad]
        hi[bad] = hi[bad] * 2 + 1
    else:
        raise ValueError(
            "Scenario targets cannot be met with any number of agents (check sl_target, "
            f"max_abandon_rate and max_occupancy: sl_target={scenario.sl_target}, "
            f"max_abandon_rate={scenario.max_abandon_rate}, max_occupancy={scenario.max_occupancy})")
    while True:
        act = np.flatnonzero(hi - lo > 1)
        if act.size == 0:
            break
        mid = (lo[act] + hi[act]) // 2
        ok = passes(mid, act)
        hi[act[ok]] = mid[ok]
        lo[act[~ok]] = mid[~ok]
    n = hi
    # Fractional requirement: interpolate each KPI between n-1 and n.
    k_hi = _kpis(method, lam, aht, patience, n.astype(np.float64), threshold)
    k_lo = _kpis(method, lam, aht, patience, (n - 1).astype(np.float64), threshold)
    frac = np.zeros(idx.size)

    def crossing(v_lo: np.ndarray, v_hi: np.ndarray, target: float, higher_better: bool) -> np.ndarray:
        ok_lo = v_lo >= target - _EPS if higher_better else v_lo <= target + _EPS
        with np.errstate(divide="ignore", invalid="ignore"):
            f = (target - v_lo) / (v_hi - v_lo)
        f = np.where(np.isfinite(f), np.clip(f, 0.0, 1.0), 1.0)
        return np.where(ok_lo, 0.0, f)

    frac = np.maximum(frac, crossing(k_lo["service_level"], k_hi["service_level"], scenario.sl_target, True))
    if scenario.max_abandon_rate is not None:
        frac = np.maximum(frac, crossing(k_lo["abandon_rate"], k_hi["abandon_rate"], scenario.max_abandon_rate, False))
    if scenario.max_occupancy is not None:
        # Occupancy is load / n: its exact crossing is cheaper and truer than a linear one.
        frac = np.maximum(frac, np.clip(load * (1.0 - k_hi["abandon_rate"]) / scenario.max_occupancy - (n - 1), 0.0, 1.0))
    agents[idx] = n
    required[idx] = np.maximum((n - 1) + frac, 0.0)
    # A requirement of exactly n-1 means n-1 already met the target; keep required in (n-1, n].
    required[idx] = np.where(frac <= 0, n - 1 + _EPS, required[idx])
    required[idx] = np.minimum(required[idx], n)
    return agents, required


def _frame(demand: Demand, calls: np.ndarray, aht: np.ndarray, agents: np.ndarray, required: np.ndarray,
           kpi: dict[str, np.ndarray], scenario: Scenario) -> pd.DataFrame:
    scheduled = agents / (1.0 - scenario.shrinkage)
    return pd.DataFrame({
        "ds": demand.ds,
        "calls": calls,
        "aht_s": aht,
        "agents_required": required,
        "agents": agents.astype(np.int64),
        "scheduled": scheduled,
        "scheduled_int": np.ceil(scheduled - 1e-9).astype(np.int64),
        "service_level": kpi["service_level"],
        "abandon_rate": kpi["abandon_rate"],
        "asa_s": kpi["asa_s"],
        "occupancy": kpi["occupancy"],
    })


def _erlang_requirements(demand: Demand, scenario: Scenario, method: str, calls: np.ndarray | None = None
                         ) -> pd.DataFrame:
    """Requirements frame by Erlang C or A; ``calls`` overrides the demand's expected calls (quantiles)."""
    calls = demand.calls if calls is None else np.asarray(calls, dtype=np.float64)
    aht, patience, reach = _effective(demand, scenario)
    rate = calls * reach / demand.interval_s
    agents, required = _least_agents(method, rate, aht, patience, scenario)
    kpi = _kpis_at(method, rate, aht, patience, agents, scenario)
    return _frame(demand, calls, aht, agents, required, kpi, scenario)


def _kpis_at(method: str, rate: np.ndarray, aht: np.ndarray, patience: np.ndarray | None, agents: np.ndarray,
             scenario: Scenario) -> dict[str, np.ndarray]:
    """Predicted KPIs at whole agents; intervals without calls get SL 1, no abandons, ASA 0, occupancy 0."""
    out = {"service_level": np.ones(rate.shape), "abandon_rate": np.zeros(rate.shape),
           "asa_s": np.zeros(rate.shape), "occupancy": np.zeros(rate.shape)}
    m = rate > 0
    if m.any():
        k = _kpis(method, rate[m], aht[m], None if patience is None else patience[m], agents[m].astype(np.float64),
                  scenario.sl_threshold, with_asa=True)
        for key in out:
            out[key][m] = k[key]
    return out


# --------------------------------------------------------------------------- public API
def required_agents(
    demand: Any,
    scenario: Scenario,
    *,
    method: str = "erlang_c",
    replications: int = 10,
    seed: int = 0,
    engine: str = "auto",
    safety_margin: float = 0.01,
    safety_z: float = 1.0,
    max_iterations: int = 8,
    verify: bool = True,
    verify_replications: int | None = None,
    info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Agents needed per interval to meet the scenario's targets.

    demand: a :class:`simulate.Demand` or a frame it reads (``ds, calls`` or a forecast ``ds, yhat``,
        optional ``aht_s`` per interval in seconds); rate = calls / L per second, handle time the
        interval's (the scenario's ``aht`` where the demand has none). Targets from the scenario:
        ``sl_target`` answered within
        ``sl_threshold`` s, plus ``max_abandon_rate`` and ``max_occupancy`` when set.
    method: "erlang_c" (no abandonment), "erlang_a" (scenario's patience; Erlang C when patience is
        None), or "simulation" (ISA on the full scenario; uses replications, seed, engine,
        safety_margin, safety_z, max_iterations, verify; see module docstring). An interval passes
        the correction loop when its simulated SL >= sl_target + safety_margin + safety_z x se
        (se: the larger of the across-replication se and 2.5 x the binomial se). The staffing is
        then verified with ``verify_replications`` (default 2 x replications) replications on seed
        ``seed + 10_000``: ``info["verification"]`` says per interval whether the target is met.
    info: optional dict filled with diagnostics of the simulation method (iterations, converged,
        seconds, engine, verification frame).
    Returns a DataFrame, one row per interval (same order): ds, calls, aht_s (the mean handle time
    used, s), agents_required (fractional,
    the smallest real n meeting all targets by linear interpolation between whole n; equal to
    ``agents`` for the simulation method), agents (int), scheduled (= agents / (1 - shrinkage)),
    scheduled_int, and the predicted service_level, abandon_rate, asa_s and occupancy at ``agents``
    (simulated means for the simulation method). Intervals with no calls need 0 agents.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if engine not in _ENGINES:
        raise ValueError(f"engine must be one of {_ENGINES}, got {engine!r}")
    demand = as_demand(demand)
    if method in ("erlang_c", "erlang_a"):
        return _erlang_requirements(demand, scenario, method)
    return _isa_requirements(demand, scenario, replications=replications, seed=seed, engine=engine,
                             safety_margin=safety_margin, safety_z=safety_z, max_iterations=max_iterations,
                             verify=verify, verify_replications=verify_replications, info=info)


# --------------------------------------------------------------------------- simulation (ISA)
def _busy_per_interval(calls_df: pd.DataFrame, interval_s: float, n_intervals: int, replications: int) -> np.ndarray:
    """Mean busy agents per interval over replications (agent-seconds in service / interval_s), shape (n_intervals,)."""
    from .metrics import busy_seconds_per_interval

    answer = calls_df["answer_s"].to_numpy(dtype=np.float64, na_value=np.nan)
    service = calls_df["service_s"].to_numpy(dtype=np.float64, na_value=np.nan)
    return busy_seconds_per_interval(answer, service, n_intervals, interval_s) / interval_s / replications


def _col(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), default)
    return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)


def _queue_entries(iv: pd.DataFrame) -> np.ndarray:
    """Attempts per interval that reached the agent queue (answered + abandoned + callback), mean per replication."""
    return sum(np.nan_to_num(_col(iv, k, 0.0)) for k in ("answered", "abandoned", "callbacks"))


def _se(iv: pd.DataFrame, name: str, replications: int) -> np.ndarray:
    from scipy import stats

    lo, hi = _col(iv, f"{name}_lo", np.nan), _col(iv, f"{name}_hi", np.nan)
    if replications < 2:
        return np.zeros(len(iv))
    return np.nan_to_num((hi - lo) / (2.0 * stats.t.ppf(0.975, replications - 1)))


def _isa_requirements(demand: Demand, scenario: Scenario, *,
                      replications: int, seed: int, engine: str, safety_margin: float, safety_z: float,
                      max_iterations: int, verify: bool, verify_replications: int | None,
                      info: dict[str, Any] | None) -> pd.DataFrame:
    """Iterative staffing by simulation (see module docstring); returns the requirements frame."""
    from .run import run

    if replications < 2:
        raise ValueError(f"replications must be >= 2 for the simulation method, got {replications}")
    if max_iterations < 1:
        raise ValueError(f"max_iterations must be >= 1, got {max_iterations}")
    t0 = time.perf_counter()
    calls, interval_s = demand.calls, demand.interval_s
    n_int = len(calls)
    open_ = calls > 0
    aht, patience, reach = _effective(demand, scenario)
    approx = "erlang_a" if patience is not None else "erlang_c"
    target, margin = scenario.sl_target, safety_margin
    sims = 0

    def simulate(agents: np.ndarray, *, keep_calls: bool = False, seed_: int = seed) -> Any:
        nonlocal sims
        sims += 1
        return run(demand, scenario, StaffingPlan.table(pd.DataFrame({"ds": demand.ds, "agents": agents}),
                                                        interval=interval_s),
                   replications=replications, seed=seed_, engine=engine, keep_calls=keep_calls)

    def erlang_at(load: np.ndarray) -> np.ndarray:
        n, _ = _least_agents(approx, np.maximum(load, 0.0) / aht, aht, patience, scenario)
        return np.where(open_, np.maximum(n, 1), 0).astype(np.int64)

    # 1. Offered load m(t) = E[busy agents] with ample agents (nobody waits, so no hang-ups or redials).
    start = erlang_at(calls * reach / interval_s * aht)
    neigh = np.maximum.reduce([start, np.roll(start, 1), np.roll(start, -1)])
    ample = np.where(open_, np.ceil(2.0 * neigh + 10.0), 0).astype(np.int64)
    res = simulate(ample, keep_calls=True)
    engine_used = getattr(res, "engine", engine)
    load_ample = _busy_per_interval(res.calls, interval_s, n_int, replications)
    entries_ample = _queue_entries(res.intervals)
    agents = erlang_at(load_ample)
    history = [int(agents.sum())]

    # 2. Re-estimate the load under the staffing itself (redials after hang-ups and busy signals add
    #    work), restaff at the new load, and once that settles correct interval by interval.
    load_phase, load_rounds, converged, it = True, 0, False, 0
    met = np.zeros(n_int, dtype=bool)
    while it < max_iterations:
        it += 1
        # Load rounds share common random numbers; each correction round draws fresh ones, so an
        # interval is not left understaffed because one sample path happened to be kind to it.
        res = simulate(agents, seed_=seed if load_phase else seed + 1_000 * it)
        iv = res.intervals
        if load_phase:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(entries_ample > 0, _queue_entries(iv) / entries_ample, 1.0)
            new = np.maximum(erlang_at(load_ample * np.clip(ratio, 1.0, None)), 0)
            load_rounds += 1
            if not np.array_equal(new, agents) and load_rounds < 3:
                agents = new
                history.append(int(agents.sum()))
                continue
            load_phase = False
            if not np.array_equal(new, agents):
                agents = new
                history.append(int(agents.sum()))
                continue
        sl = _col(iv, "service_level", np.nan)
        # Interval SL estimates are noisy and the search stops at the first staffing whose estimate
        # passes (an upward-biased pick): demand safety_z standard errors plus safety_margin. The se
        # is the larger of the across-replication se and a floor of 2.5 x the binomial se: calls of
        # one interval share its queue, so their outcomes are correlated (measured sd ratio 1.5-3.5).
        handled = (np.nan_to_num(_col(iv, "answered", 0.0)) + np.nan_to_num(_col(iv, "abandoned", 0.0))) * replications
        with np.errstate(invalid="ignore", divide="ignore"):
            se_binom = np.where(handled > 0, np.sqrt(np.clip(sl * (1 - sl), 0.0, None) / handled), 0.0)
        se = np.maximum(_se(iv, "service_level", replications), _DESIGN_EFFECT_SD * np.nan_to_num(se_binom))
        need = target + margin + safety_z * se
        miss = open_ & np.isfinite(sl) & (sl < need)
        if scenario.max_abandon_rate is not None:
            ab = _col(iv, "abandon_rate", np.nan)
            miss |= open_ & np.isfinite(ab) & (
                ab + safety_z * _se(iv, "abandon_rate", replications) > scenario.max_abandon_rate)
        if scenario.max_occupancy is not None:
            occ = _col(iv, "occupancy", np.nan)
            miss |= open_ & np.isfinite(occ) & (occ > scenario.max_occupancy)
        met = ~miss
        if not miss.any():
            converged = True
            break
        # How many agents to add: the Erlang step at this interval's load that covers the shortfall
        # (at least one); a shortfall of a few points needs one agent in big groups, more in small.
        idx = np.flatnonzero(miss)
        aht_i = aht[idx]
        pat_i = None if patience is None else patience[idx]
        lam = np.maximum(load_ample[idx], 1e-9) / aht_i
        gap = np.nan_to_num(need[idx] - sl[idx], nan=0.0)
        base = _kpis(approx, lam, aht_i, pat_i, agents[idx].astype(np.float64), scenario.sl_threshold)["service_level"]
        add = np.ones(idx.size, dtype=np.int64)
        for k in range(1, 6):
            gain = _kpis(approx, lam, aht_i, pat_i, (agents[idx] + k).astype(np.float64),
                         scenario.sl_threshold)["service_level"] - base
            add = np.where(gain < gap, k + 1, add)
        agents[idx] += np.minimum(add, 6)
        history.append(int(agents.sum()))

    kpi = {
        "service_level": np.where(open_, np.nan_to_num(_col(iv, "service_level", np.nan), nan=1.0), 1.0),
        "abandon_rate": np.where(open_, np.nan_to_num(_col(iv, "abandon_rate", np.nan)), 0.0),
        "asa_s": np.where(open_, np.nan_to_num(_col(iv, "asa_s", np.nan)), 0.0),
        "occupancy": np.where(open_, np.nan_to_num(_col(iv, "occupancy", np.nan)), 0.0),
    }
    if not converged:
        # The last correction changed agents after its simulation: report KPIs of what we return.
        iv = simulate(agents).intervals
        kpi = {k: np.where(open_, np.nan_to_num(_col(iv, k, np.nan), nan=1.0 if k == "service_level" else 0.0),
                           1.0 if k == "service_level" else 0.0) for k in kpi}
    out = _frame(demand, calls, aht, agents, agents.astype(np.float64), kpi, scenario)
    v_reps = 2 * replications if verify_replications is None else int(verify_replications)
    verification = _verify(demand, agents, scenario, v_reps, seed + 10_000, engine) if verify else None
    if info is not None:
        info.update({
            "iterations": it, "converged": converged, "simulations": sims + (1 if verify else 0),
            "seconds": time.perf_counter() - t0, "engine": engine_used, "offered_load": load_ample,
            "agents_history": history, "verification": verification,
        })
    return out


def _verify(demand: Demand, agents: np.ndarray, scenario: Scenario, replications: int, seed: int,
            engine: str) -> pd.DataFrame:
    """Independent re-simulation of the staffing with unseen seeds; per interval KPIs and ``met``."""
    from .run import run

    plan = StaffingPlan.table(pd.DataFrame({"ds": demand.ds, "agents": agents}), interval=demand.interval_s)
    res = run(demand, scenario, plan, replications=replications, seed=seed, engine=engine)
    iv = res.intervals
    calls = demand.calls
    open_ = calls > 0
    out = pd.DataFrame({"ds": demand.ds, "calls": calls, "agents": agents.astype(np.int64), "open": open_})
    for k in ("service_level", "service_level_lo", "service_level_hi", "abandon_rate", "occupancy", "asa_s"):
        out[k] = _col(iv, k, np.nan)
    sl = out["service_level"].to_numpy()
    met = ~open_ | ~np.isfinite(sl) | (sl >= scenario.sl_target - _EPS)
    if scenario.max_abandon_rate is not None:
        ab = out["abandon_rate"].to_numpy()
        met &= ~open_ | ~np.isfinite(ab) | (ab <= scenario.max_abandon_rate + _EPS)
    if scenario.max_occupancy is not None:
        occ = out["occupancy"].to_numpy()
        met &= ~open_ | ~np.isfinite(occ) | (occ <= scenario.max_occupancy + _EPS)
    out["met"] = met
    out.attrs.update({"seed": seed, "replications": replications, "engine": getattr(res, "engine", engine)})
    return out


# --------------------------------------------------------------------------- plan
def workforce_totals(agents: Any, interval_s: float, scenario: Scenario) -> dict[str, float]:
    """From agents on calls per interval to paid people: the one place this arithmetic lives.

    agents: per-interval agents on calls, shape (n_intervals,) (fractional allowed); interval_s: the
    interval length in seconds. Returns agent_hours (agents x interval hours), scheduled_hours
    (= agent_hours / (1 - shrinkage): paid hours), fte (scheduled hours per week / paid_hours_per_week;
    the horizon's whole days repeat to fill a week, and a horizon under a day counts as one working
    day) and cost (scheduled_hours x hourly_cost, currency).
    """
    a = np.asarray(agents, dtype=float)
    agent_hours = float(a.sum() * interval_s / 3600.0)
    scheduled_hours = agent_hours / (1.0 - scenario.shrinkage)
    days = max(1.0, math.ceil(len(a) * interval_s / 86400.0 - 1e-9))
    return {
        "agent_hours": agent_hours,
        "scheduled_hours": scheduled_hours,
        "fte": scheduled_hours / (days / 7.0) / scenario.paid_hours_per_week,
        "cost": scheduled_hours * scenario.hourly_cost,
    }


def _summary(req: pd.DataFrame, interval_s: float, scenario: Scenario) -> dict[str, Any]:
    """Totals of a requirements frame (hours are agent-hours; see :func:`workforce_totals`)."""
    h = interval_s / 3600.0
    totals = workforce_totals(req["agents"].to_numpy(), interval_s, scenario)
    open_ = req["calls"].to_numpy() > 0
    return {
        "calls": float(req["calls"].sum()),
        "intervals": int(len(req)),
        "intervals_open": int(open_.sum()),
        "agent_hours": totals["agent_hours"],
        "agent_hours_required": float(req["agents_required"].sum() * h),
        "scheduled_hours": totals["scheduled_hours"],
        "fte": totals["fte"],
        "cost": totals["cost"],
        "peak_agents": int(req["agents"].max()) if len(req) else 0,
        "peak_scheduled": int(req["scheduled_int"].max()) if len(req) else 0,
    }


def _meets(req: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    k = {c: req[c].to_numpy(dtype=np.float64) for c in ("service_level", "abandon_rate", "occupancy")}
    return _passes(k, scenario)


def staff(
    demand: Any,
    scenario: Scenario,
    *,
    method: str = "erlang_a",
    compare: bool = True,
    **kwargs: Any,
) -> StaffingRecommendation:
    """A :class:`StaffingRecommendation`: :func:`required_agents` (``kwargs`` passed on) plus summary and
    comparison; its ``plan`` is the :class:`simulate.StaffingPlan` to simulate or export.

    summary: calls, intervals, intervals_open, agent_hours (sum of whole agents x interval hours),
    agent_hours_required (fractional), scheduled_hours (= agent_hours / (1 - shrinkage)), fte
    (scheduled hours per week of horizon / paid_hours_per_week: the horizon's pattern is taken to
    repeat every week, so a one-day plan's FTE is 7 times its hours / paid hours), cost
    (scheduled_hours x hourly_cost), peak_agents, peak_scheduled, intervals_meeting_target (predicted
    for Erlang methods; from the verification on unseen seeds for the simulation method), method;
    for the simulation method also iterations, converged, simulations, seconds, engine.
    comparison (when ``compare``): one row per method (erlang_c, erlang_a, plus simulation when that is
    the method) with agent_hours, scheduled_hours, fte, cost, peak_agents.
    """
    info: dict[str, Any] = kwargs.pop("info", None)
    if info is None:
        info = {}
    demand = as_demand(demand)
    req = required_agents(demand, scenario, method=method, info=info, **kwargs)
    interval_s = demand.interval_s
    summary = _summary(req, interval_s, scenario)
    summary["method"] = method
    open_ = req["calls"].to_numpy() > 0
    verification = info.get("verification")
    if method == "simulation":
        for k in ("iterations", "converged", "simulations", "seconds", "engine"):
            summary[k] = info.get(k)
        if verification is not None:
            summary["intervals_meeting_target"] = int((verification["met"].to_numpy() & open_).sum())
        else:
            summary["intervals_meeting_target"] = int((_meets(req, scenario) & open_).sum())
    else:
        summary["intervals_meeting_target"] = int((_meets(req, scenario) & open_).sum())
    rows = []
    if compare:
        for m in ("erlang_c", "erlang_a"):
            other = req if m == method else _erlang_requirements(demand, scenario, m)
            rows.append({"method": m, **_summary(other, interval_s, scenario)})
        if method == "simulation":
            rows.append({"method": method, **_summary(req, interval_s, scenario)})
    cols = ["method", "agent_hours", "scheduled_hours", "fte", "cost", "peak_agents"]
    comparison = pd.DataFrame(rows, columns=cols) if rows else pd.DataFrame(columns=cols)
    if len(comparison):
        comparison = comparison[cols].set_index("method")
    return StaffingRecommendation(requirements=req, method=method, scenario=scenario, summary=summary,
                                  comparison=comparison, verification=verification, demand=demand)


# --------------------------------------------------------------------------- uncertainty
_Z = {0.80: 1.2815515655446004, 0.95: 1.959963984540054}  # two-sided interval -> normal half-width in sd


def _demand_sd(forecast: pd.DataFrame) -> np.ndarray:
    """Per-interval sd of demand from the forecast's interval columns (95% preferred, else 80%).

    sd = (yhat_hi_95 - yhat_lo_95) / (2 x 1.96), assuming a normal per interval; 0 when neither is given.
    """
    for level in (95, 80):
        lo, hi = f"yhat_lo_{level}", f"yhat_hi_{level}"
        if lo in forecast.columns and hi in forecast.columns:
            width = (forecast[hi].to_numpy(dtype=np.float64, na_value=np.nan)
                     - forecast[lo].to_numpy(dtype=np.float64, na_value=np.nan))
            bad = np.flatnonzero(~np.isfinite(width) | (width < 0))
            if bad.size:
                raise ValueError(f"forecast: columns {lo}/{hi} at row {int(bad[0])} must be finite with {lo} <= {hi}")
            return width / (2.0 * _Z[level / 100])
    raise ValueError("forecast: expected interval columns yhat_lo_95/yhat_hi_95 or yhat_lo_80/yhat_hi_80 "
                     f"for demand uncertainty, got columns {list(forecast.columns)}")


def staffing_by_quantile(
    forecast_frame: pd.DataFrame,
    scenario: Scenario,
    *,
    quantiles: tuple[float, ...] = (0.5, 0.8, 0.95),
    method: str = "erlang_a",
) -> pd.DataFrame:
    """Agents per interval to meet the targets if demand is at its q-quantile, for each q.

    forecast_frame: ``ds``, ``yhat`` (taken as the median) and ``yhat_lo_95``/``yhat_hi_95`` (or the
    80% pair). Demand per interval is taken as normal with sd from the interval's half-width; the
    q-quantile is ``max(yhat + z_q sd, 0)`` (one-sided: z_0.8 = 0.8416, z_0.95 = 1.645).
    method: "erlang_c" or "erlang_a".
    Returns one row per interval: ds, yhat, then for each q (label ``p50``, ``p80``, ...):
    ``calls_pXX``, ``agents_pXX`` (int), ``agents_required_pXX`` (fractional), ``scheduled_pXX``.
    """
    from scipy import stats

    if method not in ("erlang_c", "erlang_a"):
        raise ValueError(f"method must be 'erlang_c' or 'erlang_a' for staffing_by_quantile, got {method!r}")
    qs = [float(q) for q in quantiles]
    if not qs or any(not 0 < q < 1 for q in qs):
        raise ValueError(f"quantiles must be in (0, 1), got {quantiles!r}")
    demand = as_demand(forecast_frame)
    center = demand.calls
    sd = _demand_sd(forecast_frame)
    out = pd.DataFrame({"ds": demand.ds, "yhat": center})
    for q in qs:
        label = f"p{round(q * 100):d}"
        calls = np.maximum(center + stats.norm.ppf(q) * sd, 0.0)
        req = _erlang_requirements(demand, scenario, method, calls=calls)
        out[f"calls_{label}"] = calls
        out[f"agents_{label}"] = req["agents"].to_numpy()
        out[f"agents_required_{label}"] = req["agents_required"].to_numpy()
        out[f"scheduled_{label}"] = req["scheduled"].to_numpy()
    return out


def risk_of_missing(
    forecast_frame: pd.DataFrame,
    scenario: Scenario,
    staffing: Any,
    *,
    draws: int = 20,
    seed: int = 0,
    engine: str = "auto",
    day_correlation: float = 0.7,
) -> pd.DataFrame:
    """Chance each day's service level misses ``sl_target`` when demand differs from the forecast.

    Demand paths: per draw and interval ``calls = max(yhat + sd * z, 0)`` with sd from the forecast's
    interval columns (see :func:`staffing_by_quantile`) and ``z = sqrt(r) Z_day + sqrt(1 - r) e``:
    one standard normal ``Z_day`` shared by a day's intervals (a busy day is busy all day) and an
    independent ``e`` per interval, r = ``day_correlation``. Each path is simulated once (its own
    Poisson arrivals) with the given staffing (anything :func:`simulate.run` accepts: a
    StaffingPlan, a number, a pattern, a table or a recommendation); a day's service level = answered_within / (answered + abandoned) over the day.
    Returns one row per calendar day of ``ds``: date, calls (forecast), p_miss (share of draws whose
    daily SL < sl_target), expected_sl (mean over draws), sl_sd, sl_p05 (5th percentile), draws.
    """
    from .run import run

    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    if not 0 <= day_correlation <= 1:
        raise ValueError(f"day_correlation must be in [0, 1], got {day_correlation}")
    from .staffing_plan import as_plan

    demand = as_demand(forecast_frame)
    center = demand.calls
    sd = _demand_sd(forecast_frame)
    n = len(center)
    plan = as_plan(staffing)
    agents = plan.agents(demand, scenario)
    fixed = StaffingPlan.table(pd.DataFrame({"ds": demand.ds, "agents": agents}), interval=demand.interval_s)
    day_codes = demand.day_index()
    days = pd.DatetimeIndex(pd.unique(demand.ds.tz_localize(None).normalize() if demand.tz is not None
                                      else demand.ds.normalize()))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5AFE]))
    daily = np.full((draws, len(days)), np.nan)
    for d in range(draws):
        z = (math.sqrt(day_correlation) * rng.standard_normal(len(days))[day_codes]
             + math.sqrt(1.0 - day_correlation) * rng.standard_normal(n))
        calls = np.where(center > 0, np.maximum(center + sd * z, 0.0), 0.0)
        # A forecast-closed interval stays closed; an open one keeps agents even if its draw is 0.
        res = run(demand.with_calls(calls), scenario, fixed, replications=1, seed=seed + d, engine=engine)
        iv = res.intervals
        within = np.bincount(day_codes, weights=np.nan_to_num(_col(iv, "answered_within", 0.0)), minlength=len(days))
        handled = np.bincount(day_codes, weights=np.nan_to_num(_col(iv, "answered", 0.0))
                              + np.nan_to_num(_col(iv, "abandoned", 0.0)), minlength=len(days))
        with np.errstate(invalid="ignore", divide="ignore"):
            daily[d] = np.where(handled > 0, within / handled, np.nan)
    with np.errstate(invalid="ignore"):
        miss = np.where(np.isfinite(daily), daily < scenario.sl_target, np.nan)
    valid = np.isfinite(daily).sum(axis=0)
    safe = np.where(np.isfinite(daily), daily, 0.0)
    mean = np.where(valid > 0, safe.sum(axis=0) / np.maximum(valid, 1), np.nan)
    return pd.DataFrame({
        "date": days,
        "calls": np.bincount(day_codes, weights=center, minlength=len(days)),
        "p_miss": np.where(valid > 0, np.nansum(miss, axis=0) / np.maximum(valid, 1), np.nan),
        "expected_sl": mean,
        "sl_sd": np.array([np.nanstd(daily[:, j], ddof=1) if valid[j] > 1 else np.nan for j in range(len(days))]),
        "sl_p05": np.array([np.nanpercentile(daily[:, j], 5) if valid[j] else np.nan for j in range(len(days))]),
        "draws": valid.astype(np.int64),
    })
