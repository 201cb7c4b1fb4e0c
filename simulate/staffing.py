"""From forecast demand to the agents each interval needs, and from agents to people and cost.

Picture a planner with next week's forecast in 30-minute rows. For each row we ask: how many agents
on the phones so that ``sl_target`` of callers are answered within ``sl_threshold`` seconds (and,
when set, no more than ``max_abandon_rate`` hang up and agents are busy no more than
``max_occupancy`` of the time)? Three ways to answer:

* ``"erlang_c"``: each interval as a steady M/M/n queue (callers never hang up): classic, pessimistic.
* ``"erlang_a"``: each interval as M/M/n+M with the scenario's mean patience: hang-ups shorten the
  queue, so usually fewer agents.
* ``"simulation"``: the scenario as it is (redials, phone lines, the IVR, callbacks, call types,
  non-exponential times, one interval's queue spilling into the next), sized by simulation and
  seeded by Erlang for speed (see :func:`required_agents` for the search and its stopping rule).

``"auto"`` (the default) is ``"simulation"`` when the scenario has anything Erlang cannot see
(:func:`erlang_blind_spots`), else Erlang A (Erlang C when callers never hang up).

Whatever the method, :func:`staff` then simulates the recommended plan on seeds the sizing never
used and carries the result: ``rec.simulated`` (service level, abandonment and ASA with 95%
intervals), ``rec.meets_target`` and ``rec.verdict()``, a sentence for the page, the report and the
Excel Summary. Erlang C and A are reported beside it as quick estimates (``rec.comparison``,
``rec.gap()``), with what they leave out spelled out. With ``"auto"`` an Erlang plan that misses
its target in that simulation is corrected by simulation before it is returned.

Then people, in one place (:func:`workforce_totals`): paid hours ``= agents / (1 - shrinkage)``
per interval (the *ideal* requirement), or a shift schedule's paid hours when there is one (the
headline), full-time equivalents from ``paid_hours_per_week``, cost from ``hourly_cost``.
Durations in seconds, rates per second, hours only in ``*_hours`` figures and FTE.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import erlang, i18n
from .confidence import mean_interval, wilson, worse_than_target
from .demand import Demand, as_demand
from .staffing_plan import StaffingPlan
from .workload import build_workload

if TYPE_CHECKING:
    from .result import SimulationResult
    from .scenario import Scenario

__all__ = [
    "METHODS",
    "BLIND_SPOTS",
    "StaffingRecommendation",
    "predicted_kpis",
    "erlang_blind_spots",
    "describe_blind_spots",
    "resolve_method",
    "sized_plan_note",
    "required_agents",
    "staff",
    "staffing_by_quantile",
    "risk_of_missing",
    "workforce_totals",
]

METHODS = ("auto", "erlang_c", "erlang_a", "simulation")
_ENGINES = ("auto", "simpy", "fast")
_EPS = 1e-9
_LOAD_FACTOR = (0.25, 10.0)  # range searched for the simulated load / Erlang load of an interval
_CALIBRATION_ROUNDS = 2  # rounds in which the search may also remove agents (see required_agents)
_SHOWN = 0.6827  # an interval is shown to meet a target when its mean is one standard error on the good side
_POOL_ROUNDS = 2  # rounds an undecided interval gathers replications before it is stepped up anyway

# --------------------------------------------------------------------------- what Erlang cannot see
#: Codes returned by :func:`erlang_blind_spots`, each with its words (en, fr) from the message
#: catalogue (``blind.<code>``); ``{}`` fields are filled from the scenario by :func:`describe_blind_spots`.
BLIND_SPOTS: dict[str, tuple[str, str]] = {
    code: (i18n.text(f"blind.{code}", "en"), i18n.text(f"blind.{code}", "fr"))
    for code in ("redials", "lines", "ivr", "callbacks", "call_types", "handle_time", "patience", "replay")
}


def erlang_blind_spots(scenario: Scenario, demand: Any = None) -> tuple[str, ...]:
    """What the scenario (and the demand, when given) says that Erlang C and A cannot see.

    Codes of :data:`BLIND_SPOTS`, in that order: ``redials`` (redial_prob > 0 and more than one
    attempt), ``lines`` (a finite number of phone lines), ``ivr``, ``callbacks``, ``call_types``,
    ``handle_time`` (not exponential), ``patience`` (not exponential, when callers hang up),
    ``replay`` (a demand replaying exact arrival times). Empty: Erlang's model is the scenario's
    (per interval, in steady state)."""
    out = []
    if scenario.redial_prob > 0 and scenario.max_attempts > 1:
        out.append("redials")
    if scenario.lines is not None:
        out.append("lines")
    if scenario.uses_ivr:
        out.append("ivr")
    if scenario.callback_threshold is not None:
        out.append("callbacks")
    if scenario.call_types:
        out.append("call_types")
    if scenario.aht_dist != "exponential":
        out.append("handle_time")
    hangs_up = bool(np.isfinite(scenario.type_table()["patience"]).any())
    if hangs_up and scenario.patience_dist != "exponential":
        out.append("patience")
    if demand is not None and getattr(as_demand(demand), "arrivals", None) is not None:
        out.append("replay")
    return tuple(out)


def describe_blind_spots(codes: tuple[str, ...], scenario: Scenario, language: str = "en") -> str:
    """The blind spots in words, joined ("redials (50% ...), 214 phone lines ... and lognormal handle times")."""
    i18n.check_language(language)
    values = {
        "redial_prob": scenario.redial_prob, "lines": scenario.lines, "ivr_time": scenario.ivr_time,
        "ivr_containment": scenario.ivr_containment, "callback_threshold": scenario.callback_threshold or 0.0,
        "n_types": len(scenario.call_types), "aht_cv": scenario.aht_cv,
        "aht_dist": i18n.text(f"value.dists.{scenario.aht_dist}", language),
        "patience_dist": i18n.text(f"value.dist.{scenario.patience_dist}", language),
    }
    parts = [i18n.text(f"blind.{c}", language, **values) for c in codes]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + (" and " if language == "en" else " et ") + parts[-1]


def sized_plan_note(result: Any, method: str, language: str = "en") -> str:
    """When a plan sized by an Erlang method (``method`` "erlang_a" or "erlang_c") misses the
    scenario's service-level target in ``result`` (a :class:`simulate.SimulationResult` of that plan:
    the upper end of its 95% interval below the target), the sentence that says so, names what Erlang
    leaves out of the scenario and says which figure to trust (the simulation's); else ``""``.
    The app's Compare page shows it under its table; :meth:`StaffingRecommendation.gap` says the same
    of the quick Erlang estimates beside a recommendation."""
    i18n.check_language(language)
    if method not in ("erlang_a", "erlang_c"):
        return ""
    sc = result.scenario
    row = result.summary.loc["service_level"]
    if not float(row["hi"]) < sc.sl_target:
        return ""
    spots = erlang_blind_spots(sc, result.demand)
    tail = (_say("gap_blind", language, spots=describe_blind_spots(spots, sc, language))
            if spots else _say("gap_none", language))
    return _say("sized_short", language, method=_say(method, language), sl=float(row["mean"]),
                lo=float(row["lo"]), hi=float(row["hi"]), thr=sc.sl_threshold, target=sc.sl_target) + tail + \
        _say("sized_trust", language)


def resolve_method(method: str, scenario: Scenario, demand: Any = None) -> str:
    """The sizing method ``method`` stands for: "auto" -> "simulation" when :func:`erlang_blind_spots`
    finds anything, else "erlang_a" (or "erlang_c" when nobody ever hangs up); others unchanged."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if method != "auto":
        return method
    if erlang_blind_spots(scenario, demand):
        return "simulation"
    return "erlang_a" if np.isfinite(scenario.type_table()["patience"]).any() else "erlang_c"


# --------------------------------------------------------------------------- the recommendation
def _say(key: str, language: str, **values: Any) -> str:
    """A sentence of the message catalogue (``verdict.<key>``), numbers written the locale's way."""
    return i18n.text(f"verdict.{key}", language, **values)


@dataclass(frozen=True)
class StaffingRecommendation:
    """A staffing recommendation for one demand and scenario (what :func:`staff` returns).

    requirements: one row per interval: ds, calls, aht_s, agents_required (fractional), agents (whole
        agents on the phones), scheduled (= agents / (1 - shrinkage)), scheduled_int, and the
        service_level, abandon_rate, asa_s, occupancy the sizing method predicts at ``agents``
        (Erlang's formulas, or the search's pooled simulation).
    method: the method used: "erlang_c" | "erlang_a" | "simulation"; requested_method: what was asked
        ("auto" included).
    scenario: the policy whose targets and costs were used; demand: the :class:`simulate.Demand`.
    comparison: one row per method (erlang_c, erlang_a, and simulation when used), indexed by method:
        agent_hours, ideal_paid_hours, ideal_fte, ideal_cost, peak_agents, predicted_service_level
        (the method's own estimate, calls-weighted), simulated_service_level (that plan simulated
        with the full scenario, NaN when it was not), gap_agent_hours (against the recommended plan).
    simulation: the recommended plan simulated on seeds the sizing never used (a
        :class:`simulate.SimulationResult`), or None when ``verify=False``.
    verification: per interval view of ``simulation``: ds, calls, agents, open, service_level
        (+ _lo/_hi, 95%), abandon_rate (+ _lo/_hi), asa_s, occupancy, and ``met`` (not significantly
        short of every target, the open intervals tested together: see :func:`staff`); or None.
    blind_spots: :func:`erlang_blind_spots` of the scenario and demand.
    facts: how the sizing went (iterations, converged, simulations, seconds, engine, load_factor...).
    warnings: plain sentences (a search that did not converge, a plan that misses its target).
    schedule: a :class:`simulate.Schedule` attached by :meth:`with_schedule`, or None; risk: a
        :func:`risk_of_missing` frame attached later, or None.

    ``plan`` is the recommended :class:`simulate.StaffingPlan`; ``summary`` the figures every
    page and export shows (see :attr:`summary`).
    """

    requirements: pd.DataFrame
    method: str
    scenario: Scenario
    comparison: pd.DataFrame
    requested_method: str = ""
    simulation: SimulationResult | None = None
    verification: pd.DataFrame | None = None
    blind_spots: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    schedule: Any = None
    risk: pd.DataFrame | None = None
    demand: Demand | None = None

    @property
    def plan(self) -> StaffingPlan:
        """The recommended agents on the phones as a :class:`simulate.StaffingPlan` (a table by ds)."""
        req = self.requirements
        interval = self.demand.interval_s if self.demand is not None else None
        return StaffingPlan.table(req[["ds", "agents"]], interval=interval)

    @property
    def interval_s(self) -> float:
        if self.demand is not None:
            return self.demand.interval_s
        from .demand import interval_of

        return interval_of(pd.DatetimeIndex(self.requirements["ds"])) if len(self.requirements) > 1 else 1800.0

    def with_schedule(self, schedule: Any) -> StaffingRecommendation:
        """The same recommendation with a shift schedule attached: its paid hours become the headline."""
        return dataclasses.replace(self, schedule=schedule)

    @property
    def workforce(self) -> dict[str, Any]:
        """:func:`workforce_totals` of the recommended agents, with the schedule when one is attached."""
        return workforce_totals(self.requirements["agents"].to_numpy(), self.interval_s, self.scenario,
                                schedule=self.schedule)

    @property
    def simulated(self) -> dict[str, Any]:
        """The recommended plan as simulated (empty dict when it was not simulated).

        service_level, abandon_rate, asa_s, got_through_rate (means over replications) each with
        ``_lo``/``_hi`` (95%); intervals_open; intervals_meeting_target (open intervals not
        significantly short: the ``met`` column of ``verification``); intervals_below_target (open
        intervals whose simulated service level is below the target, significant or not);
        meets_target; replications, seed, engine."""
        if self.simulation is None or self.verification is None:
            return {}
        summ = self.simulation.summary
        out: dict[str, Any] = {}
        for m in ("service_level", "abandon_rate", "asa_s", "got_through_rate"):
            out[m] = float(summ.at[m, "mean"])
            out[f"{m}_lo"] = float(summ.at[m, "lo"])
            out[f"{m}_hi"] = float(summ.at[m, "hi"])
        ver = self.verification
        open_ = ver["open"].to_numpy(dtype=bool)
        sl = ver["service_level"].to_numpy(dtype=np.float64)
        met = ver["met"].to_numpy(dtype=bool)
        out["intervals_open"] = int(open_.sum())
        out["intervals_meeting_target"] = int((met & open_).sum())
        with np.errstate(invalid="ignore"):
            out["intervals_below_target"] = int((open_ & (sl < self.scenario.sl_target - _EPS)).sum())
        out["meets_target"] = bool(met[open_].all())
        out.update({"replications": int(self.simulation.replications), "seed": int(self.simulation.seed),
                    "engine": self.simulation.engine})
        return out

    @property
    def meets_target(self) -> bool | None:
        """True when every open interval of the simulated plan meets the targets within sampling error
        (see :func:`staff`); False when any falls significantly short; None when not simulated."""
        sim = self.simulated
        return sim["meets_target"] if sim else None

    def verdict(self, language: str = "en") -> str:
        """One sentence for the page, the report and the Excel Summary: the simulated service level,
        abandonment and ASA against the target, and whether every open interval meets it."""
        sim, sc = self.simulated, self.scenario
        if not sim:
            return _say("not_simulated", language, method=_say(self.method, language))
        how = (_say("everything", language, spots=describe_blind_spots(self.blind_spots, sc, language))
               if self.blind_spots else _say("as_is", language))
        values = dict(how=how, sl=sim["service_level"], lo=sim["service_level_lo"], hi=sim["service_level_hi"],
                      thr=sc.sl_threshold, target=sc.sl_target, ab=sim["abandon_rate"], asa=sim["asa_s"],
                      n_open=sim["intervals_open"], n_short=sim["intervals_open"] - sim["intervals_meeting_target"])
        return _say("meets" if sim["meets_target"] else "misses", language, **values)

    def gap(self, language: str = "en") -> str:
        """The quick Erlang estimates against the recommended plan, in words, with what Erlang leaves out."""
        comp = self.comparison
        if comp is None or not len(comp) or self.method not in comp.index:
            return ""
        rec_hours = float(comp.at[self.method, "agent_hours"])
        rows = []
        for m in ("erlang_c", "erlang_a"):
            if m not in comp.index or m == self.method:
                continue
            hours = float(comp.at[m, "agent_hours"])
            sim_sl = float(comp.at[m, "simulated_service_level"])
            sim = (_say("gap_sim", language, sl=sim_sl, thr=self.scenario.sl_threshold)
                   if math.isfinite(sim_sl) else "")
            diff = hours / rec_hours - 1.0 if rec_hours > 0 else 0.0
            rows.append(_say("gap_row", language, method=_say(m, language), hours=hours, diff=diff, sim=sim))
        if not rows:
            return ""
        tail = (_say("gap_blind", language, spots=describe_blind_spots(self.blind_spots, self.scenario, language))
                if self.blind_spots else _say("gap_none", language))
        return _say("gap_head", language) + "; ".join(rows) + tail

    @property
    def summary(self) -> dict[str, Any]:
        """The figures every page and export shows, in display order (plain Python values):

        method; when simulated: meets_target, simulated_service_level (+ _lo/_hi), simulated_abandon_rate
        (+ _lo/_hi), simulated_asa_s (+ _lo/_hi), intervals_meeting_target, intervals_below_target;
        sl_target, sl_threshold_s, intervals_open; the workforce figures of :func:`workforce_totals`
        (paid_hours, fte, cost and basis: the headline; ideal_*; schedule_* and granularity_* with a
        schedule); agent_hours, agent_hours_required, peak_agents, peak_scheduled, calls, intervals;
        requested_method and the sizing facts (converged, iterations, simulations, seconds, engine).
        """
        req, sc = self.requirements, self.scenario
        open_ = req["calls"].to_numpy() > 0
        out: dict[str, Any] = {"method": self.method}
        sim = self.simulated
        if sim:
            out["meets_target"] = sim["meets_target"]
            for m in ("service_level", "abandon_rate", "asa_s"):
                for suffix in ("", "_lo", "_hi"):
                    out[f"simulated_{m}{suffix}"] = sim[f"{m}{suffix}"]
            out["intervals_meeting_target"] = sim["intervals_meeting_target"]
            out["intervals_below_target"] = sim["intervals_below_target"]
        out.update({"sl_target": sc.sl_target, "sl_threshold_s": sc.sl_threshold, "intervals_open": int(open_.sum())})
        out.update(self.workforce)
        h = self.interval_s / 3600.0
        out.update({
            "agent_hours_required": float(req["agents_required"].sum() * h),
            "peak_agents": int(req["agents"].max()) if len(req) else 0,
            "peak_scheduled": int(req["scheduled_int"].max()) if len(req) else 0,
            "calls": float(req["calls"].sum()),
            "intervals": int(len(req)),
            "requested_method": self.requested_method or self.method,
        })
        for k in ("converged", "iterations", "simulations", "seconds", "engine"):
            if k in self.facts:
                out[k] = self.facts[k]
        return out


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
        frac = np.maximum(frac, np.clip(load * (1.0 - k_hi["abandon_rate"]) / scenario.max_occupancy - (n - 1),
                                        0.0, 1.0))
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




# --------------------------------------------------------------------------- simulation
_KPIS = ("service_level", "abandon_rate", "asa_s", "occupancy")


def _nanmean(values: np.ndarray) -> np.ndarray:
    """Column means ignoring NaN (NaN for an all-NaN column, without numpy's warning)."""
    valid = ~np.isnan(values)
    count = valid.sum(axis=0)
    total = np.where(valid, values, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _table_plan(demand: Demand, agents: np.ndarray) -> StaffingPlan:
    return StaffingPlan.table(pd.DataFrame({"ds": demand.ds, "agents": np.asarray(agents, dtype=np.int64)}),
                              interval=demand.interval_s)


@dataclass
class _Batch:
    """Replications of one staffing, run exactly as ``simulate.run(..., seed=seed)`` runs them."""

    outputs: list
    engine: str
    prepared: tuple
    seed: int

    def values(self, metric: str) -> np.ndarray:
        """Per replication, per interval values of a KPI: shape (R, n)."""
        return np.stack([out[1][metric] for out in self.outputs])

    def overall(self, metric: str) -> float:
        """Mean over replications of the whole-horizon KPI."""
        vals = np.array([out[0][metric] for out in self.outputs], dtype=np.float64)
        return float(np.nanmean(vals)) if np.isfinite(vals).any() else float("nan")

    def result(self, scenario: Scenario) -> SimulationResult:
        """The :class:`simulate.SimulationResult` of these replications (equal to ``simulate.run``'s)."""
        from .run import _assemble

        demand, plan, agents, _, warnings = self.prepared
        return _assemble(self.outputs, demand, agents, scenario, self.engine, self.seed, len(self.outputs), plan,
                         warnings)


@contextlib.contextmanager
def _workers(workers: int) -> Iterator[Any]:
    """A process pool shared by every simulation of one sizing (None for ``workers=1``)."""
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    if workers == 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=int(workers)) as pool:
        yield pool


def _simulate(demand: Demand, scenario: Scenario, agents: np.ndarray, replications: int, seed: int,
              engine: str, pool: Any = None) -> _Batch:
    # The per-replication, per-interval KPIs the sequential test needs are not kept by
    # SimulationResult, so the replications are run here with run()'s own pieces and seeds
    # (identical numbers whether they run here or in the pool's processes).
    from .run import prepare, replicate, resolve_engine

    prepared = prepare(demand, scenario, _table_plan(demand, agents))
    used = resolve_engine(engine, scenario)
    children = np.random.SeedSequence(seed).spawn(int(replications))
    args = [(used, prepared[3], scenario, child, False) for child in children]
    if pool is not None and len(args) > 1:
        outputs = list(pool.map(replicate, *zip(*args)))
    else:
        outputs = [replicate(*a) for a in args]
    return _Batch(outputs=outputs, engine=used, prepared=prepared, seed=int(seed))


def _checks(scenario: Scenario) -> list[tuple[str, float, str]]:
    """The scenario's targets as (KPI, target, direction of good)."""
    out = [("service_level", scenario.sl_target, "higher")]
    if scenario.max_abandon_rate is not None:
        out.append(("abandon_rate", scenario.max_abandon_rate, "lower"))
    if scenario.max_occupancy is not None:
        out.append(("occupancy", scenario.max_occupancy, "lower"))
    return out


def _load_factor(approx: str, lam: np.ndarray, aht: np.ndarray, patience: np.ndarray | None, agents: np.ndarray,
                 sl: np.ndarray, scenario: Scenario, previous: np.ndarray) -> np.ndarray:
    """Per interval, the factor f on Erlang's arrival rate at which Erlang's service level with
    ``agents`` equals the simulated ``sl``: the load the scenario really puts on agents, as Erlang
    would need to see it (redials add to it, the IVR and busy signals take from it...).

    Solved by bisection on log f in :data:`_LOAD_FACTOR`; ``previous`` where it is not identified (no
    calls, no agents, no simulated value, or a simulated value Erlang reaches at no f in the range:
    below every one -> the top of the range)."""
    f = previous.copy()
    idx = np.flatnonzero((lam > 0) & (agents > 0) & np.isfinite(sl))
    if idx.size == 0:
        return f
    lam_i, aht_i, n_i, target = lam[idx], aht[idx], agents[idx].astype(np.float64), sl[idx]
    pat_i = None if patience is None else patience[idx]

    def sl_at(log_f: np.ndarray) -> np.ndarray:
        return _kpis(approx, lam_i * np.exp(log_f), aht_i, pat_i, n_i, scenario.sl_threshold)["service_level"]

    lo = np.full(idx.size, math.log(_LOAD_FACTOR[0]))
    hi = np.full(idx.size, math.log(_LOAD_FACTOR[1]))
    s_lo, s_hi = sl_at(lo), sl_at(hi)  # service level falls as the load grows
    inside = (target < s_lo) & (target > s_hi)
    for _ in range(30):
        mid = (lo + hi) / 2.0
        above = sl_at(mid) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    solved = np.exp((lo + hi) / 2.0)
    f[idx] = np.where(inside, solved, np.where(target <= s_hi, _LOAD_FACTOR[1], f[idx]))
    return f


def _size_by_simulation(demand: Demand, scenario: Scenario, *, replications: int, seed: int, engine: str,
                        max_iterations: int, alpha: float, start: np.ndarray | None = None,
                        load_factor: np.ndarray | None = None, pool: Any = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The sequential search of :func:`required_agents` (method "simulation"): (requirements, facts)."""
    if replications < 2:
        raise ValueError(f"replications must be >= 2 for the simulation method, got {replications}")
    if max_iterations < 1:
        raise ValueError(f"max_iterations must be >= 1, got {max_iterations}")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be in (0, 0.5), got {alpha}")
    t0 = time.perf_counter()
    calls, interval_s = demand.calls, demand.interval_s
    n = len(calls)
    open_ = calls > 0
    aht, patience, reach = _effective(demand, scenario)
    approx = "erlang_a" if patience is not None else "erlang_c"
    lam = calls * reach / interval_s
    f = np.ones(n) if load_factor is None else np.clip(np.asarray(load_factor, dtype=np.float64), *_LOAD_FACTOR)

    def erlang_at(factor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        whole, frac = _least_agents(approx, lam * factor, aht, patience, scenario)
        return np.where(open_, np.maximum(whole, 1), 0).astype(np.int64), np.where(open_, frac, 0.0)

    if start is not None:
        agents = np.where(open_, np.maximum(np.asarray(start, dtype=np.int64), 1), 0).astype(np.int64)
    else:
        agents = erlang_at(f)[0]
    checks = _checks(scenario)
    rounds: list[dict[str, np.ndarray]] = []
    since = np.zeros(n, dtype=np.int64)  # first round whose replications ran with the interval's current agents
    history = [int(agents.sum())]
    seed_sl = float("nan")
    engine_used = engine
    converged, it = False, 0
    pooled: dict[str, np.ndarray] = {}
    while it < max_iterations:
        it += 1
        # Fresh random numbers every round: an interval is never passed because one sample path was kind to it.
        batch = _simulate(demand, scenario, agents, replications, seed + 7919 * it, engine, pool)
        engine_used = batch.engine
        if it == 1:
            seed_sl = batch.overall("service_level")
        rounds.append({m: batch.values(m) for m in _KPIS})
        row_round = np.repeat(np.arange(len(rounds)), replications)
        keep = row_round[:, None] >= since[None, :]
        pooled = {m: np.where(keep, np.concatenate([r[m] for r in rounds]), np.nan) for m in _KPIS}
        short = np.zeros(n, dtype=bool)  # significantly worse than a target: add agents now
        below = np.zeros(n, dtype=bool)  # worse than a target, not significantly: keep sampling
        better = open_.copy()  # significantly better than every target: may give agents back (calibration)
        sl_low = sl_one = sl_now = np.full(n, np.nan)
        under = np.zeros(n, dtype=bool)  # pooled mean worse than a target
        for metric, target, direction in checks:
            vals = pooled[metric]
            mean, lo, hi = mean_interval(vals, 1.0 - 2.0 * alpha, lower=0.0, upper=1.0)
            _, lo1, hi1 = mean_interval(vals, _SHOWN, lower=0.0, upper=1.0)  # mean -/+ one standard error
            fine = np.isnan(mean)
            if direction == "higher":
                sig, worse, sig_better = hi < target - _EPS, lo1 < target - _EPS, lo > target + _EPS
            else:
                sig, worse, sig_better = lo > target + _EPS, hi1 > target + _EPS, hi < target - _EPS
            if metric == "service_level":
                sl_low, sl_one, sl_now = lo, lo1, mean
            short |= open_ & ~fine & sig
            below |= open_ & ~fine & worse & ~sig
            under |= open_ & ~fine & ((mean < target - _EPS) if direction == "higher" else (mean > target + _EPS))
            better &= ~fine & sig_better
        if not (short | below).any():
            converged = True
            break
        if it == max_iterations:
            break
        # Steps are Erlang at the load the simulation revealed (see _load_factor), read from the
        # pessimistic side of the pooled estimate: one standard error below it for a step up (so the
        # new staffing is likely to be shown to meet the target next round), the low end of the
        # 1 - 2 alpha interval for a step down.
        f = _load_factor(approx, lam, aht, patience, agents, sl_now if it == 1 else sl_one, scenario, f)
        evidence = it - since  # rounds of replications at the current agents
        up = short | (below & ((evidence >= _POOL_ROUNDS) | (under & (evidence >= 1))))
        new = agents.copy()
        new[up] = np.clip(erlang_at(f)[0][up], agents[up] + 1, 2 * agents[up] + 2)
        if it <= _CALIBRATION_ROUNDS and better.any():
            careful = erlang_at(_load_factor(approx, lam, aht, patience, agents, sl_low, scenario, f))[0]
            down = better & (careful < agents)
            new[down] = careful[down]
        changed = new != agents
        since[changed] = it
        if (new < agents).any():
            # Fewer agents somewhere make every later interval's pooled replications optimistic
            # (the queue spills forward): they start again.
            since[int(np.flatnonzero(new < agents)[0]):] = it
        agents = new
        history.append(int(agents.sum()))

    kpi = {}
    for m in _KPIS:
        est = _nanmean(pooled[m]) if pooled else np.full(n, np.nan)
        kpi[m] = np.where(open_ & np.isfinite(est), est, 1.0 if m == "service_level" else 0.0)
    out = _frame(demand, calls, aht, agents, agents.astype(np.float64), kpi, scenario)
    facts = {"iterations": it, "converged": converged, "simulations": it, "seconds": time.perf_counter() - t0,
             "engine": engine_used, "agents_history": history, "load_factor": f,
             "seed_service_level": seed_sl if start is None and load_factor is None else float("nan"),
             "replications_per_round": int(replications)}
    return out, facts


def _verify(demand: Demand, scenario: Scenario, agents: np.ndarray, *, replications: int, seed: int,
            engine: str, alpha: float, pool: Any = None) -> tuple[SimulationResult, pd.DataFrame]:
    """The plan simulated on seeds the sizing never used: (SimulationResult, per-interval frame with ``met``)."""
    batch = _simulate(demand, scenario, agents, replications, seed, engine, pool)
    res = batch.result(scenario)
    iv = res.intervals
    open_ = demand.calls > 0
    out = pd.DataFrame({"ds": demand.ds, "calls": demand.calls, "agents": np.asarray(agents, dtype=np.int64),
                        "open": open_})
    for k in ("service_level", "service_level_lo", "service_level_hi", "abandon_rate", "abandon_rate_lo",
              "abandon_rate_hi", "asa_s", "occupancy"):
        out[k] = iv[k].to_numpy(dtype=np.float64)
    short = np.zeros(len(out), dtype=bool)
    for metric, target, direction in _checks(scenario):
        vals = np.where(open_[None, :], batch.values(metric), np.nan)  # closed intervals are not tested
        short |= worse_than_target(vals, target, direction=direction, alpha=alpha)
    out["met"] = ~open_ | ~short
    out.attrs.update({"seed": int(seed), "replications": int(replications), "engine": res.engine,
                      "alpha": float(alpha)})
    return res, out


def predicted_kpis(demand: Any, scenario: Scenario, agents: Any, *, method: str = "erlang_a") -> pd.DataFrame:
    """Erlang C or A prediction of each interval's KPIs with the given agents on the phones.

    demand: a :class:`simulate.Demand` or a frame it reads (handle time per interval where it has one);
    agents: per-interval agents, shape (n,), whole or fractional (a fractional count is interpolated
    linearly between the whole counts around it, as the fractional requirement is). Returns one row
    per interval: ds, calls, agents, service_level, abandon_rate, asa_s (s), occupancy; intervals
    without calls get SL 1, no abandons, ASA 0, occupancy 0; calls with no agent get SL 0."""
    if method not in ("erlang_c", "erlang_a"):
        raise ValueError(f"method must be 'erlang_c' or 'erlang_a' for predicted_kpis, got {method!r}")
    demand = as_demand(demand)
    a = np.asarray(agents, dtype=np.float64)
    if a.shape != (len(demand),) or not np.all(np.isfinite(a)) or (a < 0).any():
        raise ValueError(f"agents must be {len(demand)} finite numbers >= 0, one per interval")
    aht, patience, reach = _effective(demand, scenario)
    rate = demand.calls * reach / demand.interval_s
    lo = np.floor(a)
    frac = a - lo
    k_lo = _kpis_at(method, rate, aht, patience, lo.astype(np.int64), scenario)
    k_hi = _kpis_at(method, rate, aht, patience, np.ceil(a).astype(np.int64), scenario)
    out = pd.DataFrame({"ds": demand.ds, "calls": demand.calls, "agents": a})
    for key in ("service_level", "abandon_rate", "asa_s", "occupancy"):
        with np.errstate(invalid="ignore"):
            out[key] = np.where(frac > 0, k_lo[key] * (1 - frac) + k_hi[key] * frac, k_lo[key])
    return out


# --------------------------------------------------------------------------- public API
def _check_common(method: str, engine: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if engine not in _ENGINES:
        raise ValueError(f"engine must be one of {_ENGINES}, got {engine!r}")


def required_agents(
    demand: Any,
    scenario: Scenario,
    *,
    method: str = "auto",
    replications: int = 10,
    seed: int = 0,
    engine: str = "auto",
    max_iterations: int = 12,
    alpha: float = 0.05,
    workers: int = 1,
    info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Agents needed per interval to meet the scenario's targets.

    demand: a :class:`simulate.Demand` or a frame it reads (``ds, calls`` or a forecast ``ds, yhat``,
        optional ``aht_s`` per interval in seconds); rate = calls / L per second, handle time the
        interval's (the scenario's ``aht`` where the demand has none). Targets from the scenario:
        ``sl_target`` answered within ``sl_threshold`` s, plus ``max_abandon_rate`` and
        ``max_occupancy`` when set.
    method: "auto" (see :func:`resolve_method`), "erlang_c" (no abandonment), "erlang_a" (the
        scenario's patience; Erlang C when nobody hangs up) or "simulation".

    The simulation method is a sequential search on the full scenario (``replications`` per round,
    fresh seeds ``seed + 7919 k`` in round k, ``engine``), seeded by Erlang for speed:

    1. Start from Erlang (A, or C when nobody hangs up) per interval.
    2. Each round simulates the current staffing. For each open interval the replications run since
       its agents last changed are pooled (an earlier interval's extra agents leave them valid or
       pessimistic; after a step down every later interval's pool starts again) and each target is tested against the
       pooled mean and its standard error (the Wilson interval of
       :func:`simulate.confidence.mean_interval`, which carries the spread between replications):
       the interval is **short** when it is significantly worse than a target (one-sided, level
       ``alpha``), **shown to meet** it when its mean is at least one standard error on the good
       side of every target, and **undecided** otherwise.
    3. **Stopping rule** (a sequential test per interval): stop when every open interval is shown to
       meet its targets; ``converged`` says whether that happened within ``max_iterations`` rounds
       (if not, the last staffing is returned and :func:`staff` warns). Otherwise a short interval
       gets the agents Erlang needs at the load the simulation revealed (the factor on Erlang's load
       that reproduces the pooled service level one standard error below its mean; at least one more
       agent, at most twice as many plus two); an undecided interval keeps its agents and gathers
       more replications: if its pooled mean is worse than the target after one round, or it is
       still undecided after two, it is stepped up the same way (the test's cap: not shown to meet
       the target). In the first 2 rounds an interval
       significantly better than every target is brought down to the Erlang figure read from the
       low end of its 1 - 2 alpha interval.

    workers: processes running each round's replications side by side (same numbers as 1).
    info: optional dict filled with how the sizing went (iterations, converged, simulations,
        seconds, engine, agents_history, load_factor: the per-interval factor on Erlang's load).
    Returns a DataFrame, one row per interval (same order): ds, calls, aht_s (the mean handle time
    used, s), agents_required (fractional: the smallest real n meeting all targets by linear
    interpolation between whole n; equal to ``agents`` for the simulation method), agents (int),
    scheduled (= agents / (1 - shrinkage)), scheduled_int, and the service_level, abandon_rate,
    asa_s and occupancy predicted at ``agents`` (pooled simulated means for the simulation method).
    Intervals with no calls need 0 agents; an open interval at least 1 with the simulation method.
    """
    _check_common(method, engine)
    demand = as_demand(demand)
    used = resolve_method(method, scenario, demand)
    if used in ("erlang_c", "erlang_a"):
        if info is not None:
            info.update({"method": used})
        return _erlang_requirements(demand, scenario, used)
    with _workers(workers) as pool:
        req, facts = _size_by_simulation(demand, scenario, replications=replications, seed=seed, engine=engine,
                                         max_iterations=max_iterations, alpha=alpha, pool=pool)
    if info is not None:
        info.update({"method": used, **facts})
    return req


def _weighted(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    return float(np.sum(values[ok] * weights[ok]) / np.sum(weights[ok])) if ok.any() else float("nan")


def _comparison_row(req: pd.DataFrame, interval_s: float, scenario: Scenario, simulated_sl: float) -> dict[str, Any]:
    w = workforce_totals(req["agents"].to_numpy(), interval_s, scenario)
    return {"agent_hours": w["agent_hours"], "ideal_paid_hours": w["ideal_paid_hours"], "ideal_fte": w["ideal_fte"],
            "ideal_cost": w["ideal_cost"], "peak_agents": int(req["agents"].max()) if len(req) else 0,
            "predicted_service_level": _weighted(req["service_level"].to_numpy(dtype=np.float64),
                                                 req["calls"].to_numpy(dtype=np.float64)),
            "simulated_service_level": simulated_sl}


def staff(
    demand: Any,
    scenario: Scenario,
    *,
    method: str = "auto",
    compare: bool = True,
    replications: int = 10,
    seed: int = 0,
    engine: str = "auto",
    max_iterations: int = 12,
    alpha: float = 0.05,
    verify: bool = True,
    verify_replications: int | None = None,
    workers: int = 1,
    info: dict[str, Any] | None = None,
) -> StaffingRecommendation:
    """Size the staffing (:func:`required_agents`), simulate it, and say whether it keeps its promise.

    method: "auto" (default: simulation when :func:`erlang_blind_spots` finds anything, else Erlang A
        or C), "erlang_c", "erlang_a" or "simulation"; replications, seed, engine, max_iterations,
        alpha, workers: see :func:`required_agents`.
    verify: simulate the recommended plan with the full scenario on seeds the sizing never used
        (``verify_replications``, default ``replications``, seed ``seed + 10_000``; the same numbers
        as ``simulate.run(demand, scenario, rec.plan, replications=..., seed=seed + 10_000)``). An
        open interval *meets* a target unless it is significantly short of it: the open intervals
        are tested together, one-sided, by :func:`simulate.confidence.worse_than_target`
        (Benjamini-Hochberg at level ``alpha``: a plan whose every interval truly meets the target is
        called short with chance at most ``alpha`` per target, while many intervals that miss
        together are all caught). ``rec.meets_target``: no open interval short. With "auto",
        an Erlang plan that is significantly short anywhere is corrected by the simulation search,
        started from it, and verified again on seeds ``seed + 20_000``.
    compare: add the quick Erlang estimates (``rec.comparison``; see :class:`StaffingRecommendation`).

    Warnings (``rec.warnings``, plain sentences) say when the search did not converge and when the
    plan misses its targets in its own simulation.
    """
    _check_common(method, engine)
    t0 = time.perf_counter()
    demand = as_demand(demand)
    spots = erlang_blind_spots(scenario, demand)
    used = resolve_method(method, scenario, demand)
    v_reps = int(replications if verify_replications is None else verify_replications)
    if verify and v_reps < 1:
        raise ValueError(f"verify_replications must be >= 1, got {v_reps}")
    facts: dict[str, Any] = {"simulations": 0}
    verifications = 0
    erlang_reqs: dict[str, pd.DataFrame] = {}
    simulated_sl: dict[str, float] = {}
    with _workers(workers) as pool:
        if used in ("erlang_c", "erlang_a"):
            req = _erlang_requirements(demand, scenario, used)
            erlang_reqs[used] = req
        else:
            req, facts = _size_by_simulation(demand, scenario, replications=replications, seed=seed,
                                             engine=engine, max_iterations=max_iterations, alpha=alpha, pool=pool)
            seed_method = "erlang_a" if _effective(demand, scenario)[1] is not None else "erlang_c"
            simulated_sl[seed_method] = facts.get("seed_service_level", float("nan"))
        simulation = verification = None
        if verify:
            simulation, verification = _verify(demand, scenario, req["agents"].to_numpy(), replications=v_reps,
                                               seed=seed + 10_000, engine=engine, alpha=alpha, pool=pool)
            verifications += 1
            if method == "auto" and used != "simulation" and not verification["met"].all():
                simulated_sl[used] = float(simulation["service_level"])
                req, facts = _size_by_simulation(demand, scenario, replications=replications, seed=seed,
                                                 engine=engine, max_iterations=max_iterations, alpha=alpha,
                                                 start=req["agents"].to_numpy(), pool=pool)
                facts["reason"] = "the Erlang plan fell short of its target when simulated"
                used = "simulation"
                simulation, verification = _verify(demand, scenario, req["agents"].to_numpy(), replications=v_reps,
                                                   seed=seed + 20_000, engine=engine, alpha=alpha, pool=pool)
                verifications += 1
    if simulation is not None:
        simulated_sl[used] = float(simulation["service_level"])
    interval_s = demand.interval_s
    rows = {}
    if compare:
        for m in ("erlang_c", "erlang_a"):
            other = erlang_reqs.get(m)
            if other is None:
                other = req if m == used else _erlang_requirements(demand, scenario, m)
            rows[m] = _comparison_row(other, interval_s, scenario, simulated_sl.get(m, float("nan")))
        if used == "simulation":
            rows["simulation"] = _comparison_row(req, interval_s, scenario, simulated_sl.get(used, float("nan")))
    cols = ["agent_hours", "ideal_paid_hours", "ideal_fte", "ideal_cost", "peak_agents", "predicted_service_level",
            "simulated_service_level", "gap_agent_hours"]
    comparison = pd.DataFrame.from_dict(rows, orient="index") if rows else pd.DataFrame(columns=cols[:-1])
    rec_hours = workforce_totals(req["agents"].to_numpy(), interval_s, scenario)["agent_hours"]
    comparison["gap_agent_hours"] = comparison["agent_hours"] - rec_hours if len(comparison) else []
    comparison = comparison.reindex(columns=cols)
    comparison.index.name = "method"
    warnings = []
    if used == "simulation" and not facts.get("converged", True):
        warnings.append(f"The simulation search stopped after {facts.get('iterations')} rounds (max_iterations) "
                        "before every open interval was shown to meet the target; the plan is the last one tried.")
    if verification is not None and not verification["met"].all():
        short = int((~verification["met"]).sum())
        warnings.append(f"Simulated on unseen seeds, {short} open interval{'s' if short > 1 else ''} fall"
                        f"{'' if short > 1 else 's'} significantly short of the target: the plan does not keep "
                        "its promise there.")
    facts["simulations"] = int(facts.get("simulations", 0)) + verifications
    facts["seconds"] = time.perf_counter() - t0
    if simulation is not None:
        facts.setdefault("engine", simulation.engine)
    if info is not None:
        info.update({"method": used, **facts})
    return StaffingRecommendation(requirements=req, method=used, scenario=scenario, comparison=comparison,
                                  requested_method=method, simulation=simulation, verification=verification,
                                  blind_spots=spots, facts=facts, warnings=tuple(warnings), demand=demand)


# --------------------------------------------------------------------------- people and cost
def workforce_totals(agents: Any, interval_s: float, scenario: Scenario, *, schedule: Any = None) -> dict[str, Any]:
    """From agents on the phones per interval to paid people and cost: the one place this arithmetic lives.

    agents: agents on the phones per interval, shape (n_intervals,) (fractional allowed); interval_s:
    the interval length in seconds; schedule: an optional :class:`simulate.Schedule` covering the
    same intervals.

    Returns, in display order:
      paid_hours, fte, cost: the headline: the schedule's when there is one, else the ideal figures;
      basis: "schedule" or "requirement" (which one the headline is);
      agent_hours: agents x interval hours (time on the phones);
      ideal_paid_hours: agent_hours / (1 - shrinkage): paid hours if people could be bought by the
        interval (no shift granularity); ideal_fte, ideal_cost;
      with a schedule also schedule_paid_hours (its shifts' paid hours; a schedule built on agents on
        the phones rather than on the ``scheduled`` column is grossed up by 1 / (1 - shrinkage)),
        schedule_fte, schedule_cost, schedule_shifts (shifts worked), and granularity_hours /
        granularity_cost = schedule minus ideal (what whole shifts cost on top).
    FTE = paid hours per week / paid_hours_per_week: the horizon's whole days repeat to fill a week
    (a horizon under a day counts as one day). Cost = paid hours x hourly_cost (currency).
    """
    a = np.asarray(agents, dtype=float)
    weeks = max(1.0, math.ceil(len(a) * interval_s / 86400.0 - 1e-9)) / 7.0
    agent_hours = float(a.sum() * interval_s / 3600.0)
    ideal = agent_hours / (1.0 - scenario.shrinkage)

    def fte(hours: float) -> float:
        return hours / weeks / scenario.paid_hours_per_week

    out: dict[str, Any] = {"paid_hours": ideal, "fte": fte(ideal), "cost": ideal * scenario.hourly_cost,
                           "basis": "requirement", "agent_hours": agent_hours, "ideal_paid_hours": ideal,
                           "ideal_fte": fte(ideal), "ideal_cost": ideal * scenario.hourly_cost}
    if schedule is not None:
        paid = float(schedule.paid_hours)
        if getattr(schedule, "column", "scheduled") != "scheduled":
            paid /= 1.0 - scenario.shrinkage
        cost = paid * scenario.hourly_cost
        out.update({"paid_hours": paid, "fte": fte(paid), "cost": cost, "basis": "schedule",
                    "schedule_paid_hours": paid, "schedule_fte": fte(paid), "schedule_cost": cost,
                    "schedule_shifts": int(schedule.headcount), "granularity_hours": paid - ideal,
                    "granularity_cost": (paid - ideal) * scenario.hourly_cost})
    return out


# --------------------------------------------------------------------------- uncertainty
_Z = {0.80: 1.2815515655446004, 0.95: 1.959963984540054}  # two-sided interval -> normal half-width in sd


def _demand_sd(forecast: pd.DataFrame) -> np.ndarray:
    """Per-interval sd of demand from the forecast's interval columns (95% preferred, else 80%).

    sd = (yhat_hi_95 - yhat_lo_95) / (2 x 1.96), assuming a normal per interval. Raises ValueError
    when the frame has neither pair of columns.
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
    method: str = "auto",
    reference: StaffingRecommendation | None = None,
    replications: int = 10,
    seed: int = 0,
    engine: str = "auto",
    max_iterations: int = 12,
    alpha: float = 0.05,
    workers: int = 1,
) -> pd.DataFrame:
    """Agents per interval to meet the targets if demand is at its q-quantile, for each q.

    forecast_frame: ``ds``, ``yhat`` (taken as the median) and ``yhat_lo_95``/``yhat_hi_95`` (or the
    80% pair). Demand per interval is taken as normal with sd from the interval's half-width; the
    q-quantile is ``max(yhat + z_q sd, 0)`` (one-sided: z_0.8 = 0.8416, z_0.95 = 1.645).
    method: as in :func:`required_agents` ("auto": simulation when the scenario has anything Erlang
        cannot see). With the simulation method each quantile's demand is sized by the sequential
        search (replications, seed, engine, max_iterations, alpha, workers), the whole scenario simulated.
    reference: a recommendation sized by simulation on the same intervals (what :func:`staff`
        returned for this forecast): a quantile whose demand is the one it was sized on reuses its
        plan, and the others start from Erlang at the load factors it measured (fewer rounds).
    Returns one row per interval: ds, yhat, then for each q (label ``p50``, ``p80``, ...):
    ``calls_pXX``, ``agents_pXX`` (int), ``agents_required_pXX`` (fractional), ``scheduled_pXX``,
    ``service_level_pXX`` (the method's predicted service level at that demand: Erlang's, or the
    search's pooled simulated one). ``attrs["method"]`` is the method used; with simulation
    ``attrs["converged"]`` maps each label to whether its search converged.
    """
    from scipy import stats

    _check_common(method, engine)
    qs = [float(q) for q in quantiles]
    if not qs or any(not 0 < q < 1 for q in qs):
        raise ValueError(f"quantiles must be in (0, 1), got {quantiles!r}")
    demand = as_demand(forecast_frame)
    used = resolve_method(method, scenario, demand)
    center = demand.calls
    sd = _demand_sd(forecast_frame)
    out = pd.DataFrame({"ds": demand.ds, "yhat": center})
    converged: dict[str, bool] = {}
    ref_ok = (reference is not None and reference.method == "simulation" and len(reference.requirements) == len(center)
              and np.array_equal(pd.DatetimeIndex(reference.requirements["ds"]).asi8, demand.ds.asi8))
    for q in qs:
        label = f"p{round(q * 100):d}"
        calls = np.maximum(center + stats.norm.ppf(q) * sd, 0.0)
        if used in ("erlang_c", "erlang_a"):
            req = _erlang_requirements(demand, scenario, used, calls=calls)
        elif ref_ok and reference is not None and np.allclose(calls, reference.requirements["calls"].to_numpy(
                dtype=np.float64)):
            req = reference.requirements
            converged[label] = bool(reference.facts.get("converged", False))
        else:
            factor = reference.facts.get("load_factor") if ref_ok and reference is not None else None
            with _workers(workers) as pool:
                req, facts = _size_by_simulation(demand.with_calls(calls), scenario, replications=replications,
                                                 seed=seed, engine=engine, max_iterations=max_iterations,
                                                 alpha=alpha, load_factor=factor, pool=pool)
            converged[label] = bool(facts["converged"])
        out[f"calls_{label}"] = calls
        out[f"agents_{label}"] = req["agents"].to_numpy()
        out[f"agents_required_{label}"] = req["agents_required"].to_numpy()
        out[f"scheduled_{label}"] = req["scheduled"].to_numpy()
        out[f"service_level_{label}"] = req["service_level"].to_numpy()
    out.attrs["method"] = used
    if converged:
        out.attrs["converged"] = converged
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
    independent ``e`` per interval, r = ``day_correlation``. Each path is simulated once with the
    whole scenario (its own random arrivals, redials, lines...) and the given staffing (anything
    :func:`simulate.run` accepts: a StaffingPlan, a number, a pattern, a table or a recommendation);
    a day's service level = answered_within / (answered + abandoned) over the day.
    Returns one row per calendar day of ``ds``: date, calls (forecast), p_miss (share of draws whose
    daily SL < sl_target), p_miss_lo / p_miss_hi (its 95% Wilson interval: the draws are independent
    trials), expected_sl (mean over draws), sl_sd, sl_p05 (5th percentile), draws.
    """
    from .run import run
    from .staffing_plan import as_plan

    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    if not 0 <= day_correlation <= 1:
        raise ValueError(f"day_correlation must be in [0, 1], got {day_correlation}")
    demand = as_demand(forecast_frame)
    center = demand.calls
    sd = _demand_sd(forecast_frame)
    n = len(center)
    plan = as_plan(staffing)
    fixed = _table_plan(demand, plan.agents(demand, scenario))
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
        iv = run(demand.with_calls(calls), scenario, fixed, replications=1, seed=seed + d, engine=engine).intervals
        within = np.bincount(day_codes, weights=np.nan_to_num(iv["answered_within"].to_numpy(dtype=np.float64)),
                             minlength=len(days))
        handled = np.bincount(day_codes, weights=np.nan_to_num(iv["answered"].to_numpy(dtype=np.float64))
                              + np.nan_to_num(iv["abandoned"].to_numpy(dtype=np.float64)), minlength=len(days))
        with np.errstate(invalid="ignore", divide="ignore"):
            daily[d] = np.where(handled > 0, within / handled, np.nan)
    valid = np.isfinite(daily).sum(axis=0)
    misses = np.where(np.isfinite(daily), daily < scenario.sl_target - _EPS, False).sum(axis=0)
    safe = np.where(np.isfinite(daily), daily, 0.0)
    mean = np.where(valid > 0, safe.sum(axis=0) / np.maximum(valid, 1), np.nan)
    lo, hi = wilson(misses, valid)
    return pd.DataFrame({
        "date": days,
        "calls": np.bincount(day_codes, weights=center, minlength=len(days)),
        "p_miss": np.where(valid > 0, misses / np.maximum(valid, 1), np.nan),
        "p_miss_lo": lo,
        "p_miss_hi": hi,
        "expected_sl": mean,
        "sl_sd": np.array([np.nanstd(daily[:, j], ddof=1) if valid[j] > 1 else np.nan for j in range(len(days))]),
        "sl_p05": np.array([np.nanpercentile(daily[:, j], 5) if valid[j] else np.nan for j in range(len(days))]),
        "draws": valid.astype(np.int64),
    })
