"""``simulate.run``: replications of a policy on a demand with a staffing plan, summarised with intervals.

``run(demand, scenario, staffing)``: the three things are separate and meet here, aligned by
timestamp (:func:`simulate.workload.build_workload`). Replication r always uses
``SeedSequence(seed).spawn(replications)[r]``, so a run is the same whether replications run one
after another or in worker processes, and two scenarios run with the same seed share common random
numbers (same callers, same draws).
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, cast

import numpy as np
import pandas as pd

from simulate import metrics as _metrics
from simulate.demand import Demand, as_demand
from simulate.records import RECORD_FIELDS, CallRecords
from simulate.result import SimulationResult
from simulate.scenario import Scenario
from simulate.staffing_plan import StaffingPlan, as_plan
from simulate.workload import Workload, build_workload

__all__ = ["ENGINES", "replicate", "run", "resolve_engine", "prepare", "has_breakdown"]

ENGINES = ("simpy", "fast", "auto")


def resolve_engine(engine: str, scenario: Scenario) -> str:
    """The engine that will run ``scenario``: "simpy" or "fast".

    "auto" picks "fast" when ``simulate.engine_fast.supports(scenario)`` says yes, else "simpy".
    "fast" raises ValueError when the fast engine cannot run this scenario.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if engine == "simpy":
        return "simpy"
    from simulate import engine_fast

    ok, reason = engine_fast.supports(scenario)
    if ok:
        return "fast"
    if engine == "fast":
        raise ValueError(f"engine='fast' cannot run scenario {scenario.name!r}: {reason}")
    return "simpy"


def _engine_function(name: str) -> Callable[..., CallRecords]:
    if name == "simpy":
        from simulate.engine_simpy import simulate_replication
        return simulate_replication
    from simulate.engine_fast import simulate_replication as fast
    return fast


def has_breakdown(scenario: Scenario) -> bool:
    """Whether a run reports KPIs per call type, skill and agent group (several types or groups)."""
    return len(scenario.call_types) > 1 or len(scenario.agent_groups) > 1


def replicate(engine: str, work: Workload, scenario: Scenario, seed: np.random.SeedSequence, keep_calls: bool):
    """One replication: (summary dict, interval dict, records columns or None, (type counts, group
    counts) or None). Runs in workers too."""
    rec = _engine_function(engine)(work, scenario, seed)
    summary, per_interval = _metrics.kpis(rec, work.interval_s, scenario.sl_threshold)
    columns = {name: getattr(rec, name) for name in RECORD_FIELDS} if keep_calls else None
    breakdown = None
    if has_breakdown(scenario):
        breakdown = (_metrics.type_counts(rec, scenario.sl_threshold, work.n_types),
                     _metrics.group_counts(rec, work.interval_s, scenario.sl_threshold))
    return summary, per_interval, columns, breakdown


def prepare(demand: Any, scenario: Scenario, staffing: Any) -> tuple[Demand, StaffingPlan, np.ndarray, Workload,
                                                                     list[str]]:
    """Align demand, policy and staffing: (demand, plan, agents per interval, workload, warnings).

    With agent groups, ``agents`` is all groups together and the workload holds each group's agents.
    Raises forecast.DataError when the plan does not cover an open interval of the demand."""
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario must be a simulate.Scenario, got {type(scenario).__name__}")
    demand = as_demand(demand)
    plan = as_plan(staffing)
    if len(scenario.group_names) > 1 or plan.per_group:
        group_agents = plan.group_agents(demand, scenario)  # (n, G): agents of each group
        agents = group_agents.sum(axis=1)
        work = build_workload(demand, scenario, group_agents)
    else:
        agents = plan.agents(demand, scenario)
        work = build_workload(demand, scenario, agents)
    warnings = list(demand.notes)
    unstaffed = np.flatnonzero(demand.open & (agents == 0))
    if unstaffed.size:
        warnings.append(f"{unstaffed.size} interval{'s' if unstaffed.size > 1 else ''} with calls expected "
                        f"ha{'ve' if unstaffed.size > 1 else 's'} no agent on duty (first {demand.ds[unstaffed[0]]}): "
                        "callers there wait or hang up")
    return demand, plan, agents, work, warnings


def _check_size(demand: Demand, scenario: Scenario, engine: str, replications: int) -> list[str]:
    """Refuse a run whose calls exceed the limits before any memory is taken (the worst case of a redial
    loop counted: every attempt fails); a warning when the SimPy engine will take long."""
    from forecast import limits

    attempts = float(np.sum(demand.calls)) * limits.expected_attempts(
        scenario.redial_prob if scenario.max_attempts > 1 else 0.0, scenario.max_attempts)
    limits.check("MAX_CALLS_PER_REPLICATION", attempts,
                 f"scenario {scenario.name!r}: expected attempts per replication")
    limits.check("MAX_CALLS_PER_RUN", attempts * replications,
                 f"scenario {scenario.name!r}: expected attempts over {replications} replications")
    if engine == "simpy" and limits.exceeds("SIMPY_SLOW_CALLS", attempts * replications):
        return [limits.sentence("SIMPY_SLOW_CALLS", attempts * replications,
                                f"scenario {scenario.name!r} on the SimPy engine")]
    return []


def run(demand: Any, scenario: Scenario, staffing: Any, *, replications: int = 10, seed: int | None = 0,
        engine: str = "auto", workers: int = 1, keep_calls: bool = False) -> SimulationResult:
    """Simulate ``scenario`` on ``demand`` with ``staffing`` and return KPIs with 95% intervals.

    demand: a :class:`simulate.Demand` or a frame it can read (a forecast ``ds, yhat``, a history
        ``ds, y``, or ``ds, calls`` with optional ``aht_s`` seconds and ``call_type``).
    scenario: the policy (:class:`simulate.Scenario`).
    staffing: a :class:`simulate.StaffingPlan`, a whole number (constant), a weekly pattern
        ``{"Mon-Fri 08:00-20:00": 40}``, a table ``ds, agents``, or a staffing recommendation
        (:func:`simulate.staff`); aligned to the demand by timestamp.
    replications: independent runs (>= 1); seed: int (None draws fresh entropy, recorded in
    ``result.seed``); engine: "auto" (the compiled engine when it supports the scenario), "fast" or
    "simpy"; workers: processes (results identical to workers=1); keep_calls: keep every attempt in
    ``result.calls``.
    """
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise ValueError(f"replications must be a whole number >= 1, got {replications!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    demand, plan, agents, work, warnings = prepare(demand, scenario, staffing)
    used = resolve_engine(engine, scenario)
    warnings += _check_size(demand, scenario, used, int(replications))
    root = np.random.SeedSequence(seed)
    seed_value = int(cast(int, root.entropy)) if seed is None else int(seed)
    children = root.spawn(int(replications))
    args = [(used, work, scenario, child, keep_calls) for child in children]
    if workers == 1 or replications == 1:
        outputs = [replicate(*a) for a in args]
    else:
        with ProcessPoolExecutor(max_workers=min(int(workers), int(replications))) as pool:
            outputs = list(pool.map(replicate, *zip(*args)))
    return _assemble(outputs, demand, agents, scenario, used, seed_value, int(replications), plan, warnings)


def _assemble(outputs, demand, agents, scenario, engine, seed, replications, plan, warnings) -> SimulationResult:
    def _range(metric: str) -> dict[str, Any]:
        lower, upper = metric_bounds(metric)
        return {"lower": lower, "upper": upper}

    from simulate.confidence import metric_bounds

    names = list(_metrics.METRICS)
    per_rep = pd.DataFrame([out[0] for out in outputs], columns=names)
    per_rep.insert(0, "replication", np.arange(len(outputs)))
    # Each KPI's interval stays inside its range (shares in [0, 1], counts >= 0): simulate.confidence.
    rows = {m: _metrics.t_interval(per_rep[m].to_numpy(dtype=np.float64), **_range(m)) for m in names}
    summary = pd.DataFrame({k: [float(rows[m][i]) for m in names] for i, k in enumerate(("mean", "lo", "hi"))},
                           index=pd.Index(names, name="metric"))
    cols: dict[str, object] = {"ds": demand.ds, "calls": demand.calls, "agents": agents}
    for m in names:
        m_mean, m_lo, m_hi = _metrics.t_interval(np.stack([out[1][m] for out in outputs]), **_range(m))
        cols[m], cols[f"{m}_lo"], cols[f"{m}_hi"] = m_mean, m_lo, m_hi
    intervals = pd.DataFrame(cols)
    calls_frame = None
    if outputs[0][2] is not None:
        parts = []
        for r, out in enumerate(outputs):
            part = pd.DataFrame(out[2])
            part.insert(0, "replication", np.full(len(part), r, dtype=np.int32))
            parts.append(part)
        calls_frame = pd.concat(parts, ignore_index=True)
    by_type = by_skill = by_group = None
    if outputs[0][3] is not None:
        by_type, by_skill, by_group = _breakdowns([out[3] for out in outputs], scenario)
    return SimulationResult(summary=summary, intervals=intervals, per_replication=per_rep, calls=calls_frame,
                            scenario=scenario, engine=engine, seed=seed, replications=replications, demand=demand,
                            staffing=plan, warnings=tuple(warnings), by_type=by_type, by_skill=by_skill,
                            by_group=by_group)


def _breakdowns(counts: list[tuple[dict, dict]], scenario: Scenario
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """by_type, by_skill and by_group frames (see :class:`SimulationResult`) from each replication's counts."""
    types = scenario.type_table()
    groups = scenario.group_table()
    by_type = _metrics.breakdown_frame(
        [str(n) for n in types["names"]], [_metrics.type_rates(c) | _calls(c) for c, _ in counts], "call_type",
        {"skill": [str(k) for k in types["skill"]]})
    skills, _ = _metrics.sum_by(counts[0][0], types["skill"])
    by_skill = _metrics.breakdown_frame(
        [str(k) for k in skills],
        [_metrics.type_rates(summed) | _calls(summed)
         for summed in (_metrics.sum_by(c, types["skill"])[1] for c, _ in counts)], "skill")
    by_group = _metrics.breakdown_frame(
        [str(n) for n in groups["names"]], [_metrics.group_rates(g) | {"answered": g["answered"]} for _, g in counts],
        "group", {"skills": [", ".join(g.skills) for g in scenario.agent_groups] or ["all"]})
    paid_hours = by_group["agent_hours"].to_numpy() / (1.0 - scenario.shrinkage)
    by_group["paid_hours"] = paid_hours
    by_group["hourly_cost"] = groups["hourly_cost"]
    by_group["cost"] = paid_hours * groups["hourly_cost"]
    return by_type, by_skill, by_group


def _calls(counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: counts[k] for k in ("calls", "answered", "abandoned")}
