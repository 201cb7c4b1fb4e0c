"""``simulate.run``: replications of a scenario on interval arrivals, summarised with intervals.

Replication r always uses ``SeedSequence(seed).spawn(replications)[r]``, so a run is the same
whether replications run one after another or in worker processes, and two scenarios run with
the same seed share common random numbers (same callers, same draws).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from simulate import metrics as _metrics
from simulate.records import RECORD_FIELDS, CallRecords
from simulate.result import SimulationResult
from simulate.scenario import Scenario, arrivals_from_frame

__all__ = ["ENGINES", "replicate", "run", "resolve_engine"]

ENGINES = ("simpy", "fast", "auto")


def _fast_module():
    """simulate.engine_fast, or None when it is not there (yet)."""
    try:
        return importlib.import_module("simulate.engine_fast")
    except ModuleNotFoundError as exc:
        if exc.name == "simulate.engine_fast":
            return None
        raise


def resolve_engine(engine: str, scenario: Scenario) -> str:
    """The engine that will run ``scenario``: "simpy" or "fast".

    "auto" picks "fast" when ``simulate.engine_fast.supports(scenario)`` says yes, else "simpy".
    "fast" raises ValueError when the fast engine is missing or cannot run this scenario.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if engine == "simpy":
        return "simpy"
    fast = _fast_module()
    if fast is None:
        if engine == "fast":
            raise ValueError("engine='fast' is not available: simulate.engine_fast is not installed; "
                             "use engine='simpy' or 'auto'")
        return "simpy"
    ok, reason = fast.supports(scenario)
    if ok:
        return "fast"
    if engine == "fast":
        raise ValueError(f"engine='fast' cannot run scenario {scenario.name!r}: {reason}")
    return "simpy"


def _engine_function(name: str) -> Callable[..., CallRecords]:
    if name == "simpy":
        from simulate.engine_simpy import simulate_replication
        return simulate_replication
    return _fast_module().simulate_replication


def replicate(engine: str, calls: np.ndarray, agents: np.ndarray, interval_s: float, scenario: Scenario,
               seed: np.random.SeedSequence, keep_calls: bool):
    """One replication: (summary dict, interval dict, records columns or None). Runs in workers too."""
    rec = _engine_function(engine)(calls, agents, interval_s, scenario, seed)
    summary = _metrics.summarize(rec, interval_s, scenario.sl_threshold)
    per_interval = _metrics.interval_metrics(rec, interval_s, scenario.sl_threshold)
    columns = {name: getattr(rec, name) for name in RECORD_FIELDS} if keep_calls else None
    return summary, per_interval, columns


def run(arrivals: pd.DataFrame, scenario: Scenario, *, replications: int = 10, seed: int | None = 0,
        engine: str = "simpy", workers: int = 1, keep_calls: bool = False,
        interval_s: float | None = None) -> SimulationResult:
    """Simulate ``scenario`` on ``arrivals`` and return KPIs with 95% intervals.

    arrivals: one row per interval with ``ds`` and expected calls in ``calls`` (or ``yhat``/``y``),
    see :func:`simulate.arrivals_from_frame`; ``scenario.agents`` gives one agent count or one per
    row. replications: independent runs (>= 1); seed: int (None draws fresh entropy, recorded in
    ``result.seed``); engine: "simpy", "fast" or "auto"; workers: processes (results identical to
    workers=1); keep_calls: keep every attempt in ``result.calls``.
    """
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario must be a simulate.Scenario, got {type(scenario).__name__}")
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise ValueError(f"replications must be a whole number >= 1, got {replications!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    ds, calls, step = arrivals_from_frame(arrivals, interval_s=interval_s)
    agents = scenario.agents_for(len(calls))
    used = resolve_engine(engine, scenario)
    root = np.random.SeedSequence(seed)
    seed_value = int(root.entropy) if seed is None else int(seed)
    children = root.spawn(int(replications))
    args = [(used, calls, agents, step, scenario, child, keep_calls) for child in children]
    if workers == 1 or replications == 1:
        outputs = [replicate(*a) for a in args]
    else:
        with ProcessPoolExecutor(max_workers=min(int(workers), int(replications))) as pool:
            outputs = list(pool.map(replicate, *zip(*args)))
    return _assemble(outputs, ds, calls, agents, scenario, used, seed_value, int(replications))


def _assemble(outputs, ds, calls, agents, scenario, engine, seed, replications) -> SimulationResult:
    names = list(_metrics.METRICS)
    per_rep = pd.DataFrame([out[0] for out in outputs], columns=names)
    per_rep.insert(0, "replication", np.arange(len(outputs)))
    mean, lo, hi = _metrics.t_interval(per_rep[names].to_numpy(dtype=np.float64))
    summary = pd.DataFrame({"mean": mean, "lo": lo, "hi": hi}, index=pd.Index(names, name="metric"))
    cols: dict[str, object] = {"ds": ds, "calls": calls, "agents": agents}
    for m in names:
        m_mean, m_lo, m_hi = _metrics.t_interval(np.stack([out[1][m] for out in outputs]))
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
    return SimulationResult(summary=summary, intervals=intervals, per_replication=per_rep, calls=calls_frame,
                            scenario=scenario, engine=engine, seed=seed, replications=replications)
