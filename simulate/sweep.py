"""Sweeps: many scenarios x many replications, in local processes or on a Dask cluster.

A sweep answers "what if" across scenarios (more lines, an IVR message, other staffing...) on the
same demand. Every (scenario, replication) pair is one independent task. Replication r of every
scenario uses ``SeedSequence(seed).spawn(replications)[r]``, exactly as :func:`simulate.run` does,
so

* a sweep gives the same numbers as ``simulate.run(demand, scenario, staffing, seed=seed)``
  scenario by scenario, whether it runs serially, in local processes or on a cluster; and
* scenarios share common random numbers (same callers, same draws), so differences between
  scenarios are not blurred by different luck.

The result is a tidy frame, one row per (scenario, replication, metric), ready for
``groupby(["scenario", "metric"])``. Metrics are those of :data:`simulate.metrics.METRICS`.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from simulate import metrics as _metrics
from simulate.demand import as_demand
from simulate.run import prepare, replicate, resolve_engine
from simulate.scenario import Scenario
from simulate.workload import Workload

__all__ = ["BACKENDS", "sweep"]

BACKENDS = ("local", "dask")


def _task(engine: str, work: Workload, scenario: Scenario, seed: np.random.SeedSequence) -> dict[str, float]:
    """One replication of one scenario: its summary metrics (runs in a worker process)."""
    return replicate(engine, work, scenario, seed, False)[0]


def _named(scenarios: Sequence[Scenario] | Mapping[str, Scenario]) -> list[tuple[str, Scenario]]:
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    items = list(scenarios.items()) if isinstance(scenarios, Mapping) else [(s.name, s) for s in scenarios]
    if not items:
        raise ValueError("scenarios must hold at least one Scenario")
    for name, sc in items:
        if not isinstance(sc, Scenario):
            raise ValueError(f"scenarios: {name!r} is a {type(sc).__name__}, expected a simulate.Scenario")
    names = [str(name) for name, _ in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"scenarios: names must be unique, {dupes} appear more than once "
                         "(give a mapping name -> Scenario, or Scenario.replace(name=...))")
    return [(str(name), sc) for name, sc in items]


def _run_dask(tasks: list[tuple], address: str | None, workers: int) -> list[dict[str, float]]:
    from distributed import Client, LocalCluster

    cluster = None
    if address is None:
        # loopback only and a random free port for the scheduler's HTTP endpoint (no dashboard), so
        # it runs offline and never collides with another cluster on port 8787
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                               silence_logs=logging.ERROR)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futures = [client.submit(_task, *t, pure=False) for t in tasks]
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def sweep(demand: Any, scenarios: Sequence[Scenario] | Mapping[str, Scenario], staffing: Any, *,
          replications: int = 10, seed: int = 0, engine: str = "auto", backend: str = "local",
          address: str | None = None, workers: int | None = None) -> pd.DataFrame:
    """Run every scenario ``replications`` times on ``demand``; return every metric of every run.

    demand: a :class:`simulate.Demand` or a frame it reads, as for :func:`simulate.run`.
    scenarios: Scenarios (named by ``Scenario.name``, which must be unique) or a mapping
    name -> Scenario. staffing: one staffing plan for every scenario (anything
    :func:`simulate.run` accepts), or a mapping scenario name -> plan. engine: "auto", "fast" or "simpy"
    (resolved per scenario).
    backend: "local" runs tasks in ``workers`` processes (default ``os.cpu_count()``; 1 = in this
    process); "dask" sends them to the Dask scheduler at ``address`` (e.g. "tcp://10.0.0.5:8786"),
    or, without an address, to a LocalCluster of ``workers`` single-threaded processes on
    127.0.0.1 started and closed here (like any Dask LocalCluster, a script that calls this must
    guard its entry point with ``if __name__ == "__main__":``). Results are identical for every backend and
    worker count.

    Returns a DataFrame with columns scenario (str), replication (int), metric (str), value
    (float64): ``len(scenarios) * replications * len(METRICS)`` rows, in scenario, replication,
    metric order.
    """
    named = _named(scenarios)
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise ValueError(f"replications must be a whole number >= 1, got {replications!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, (int, np.integer))
                                or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1 or None, got {workers!r}")
    if address is not None and backend != "dask":
        raise ValueError("address is only used with backend='dask'")
    n_workers = int(workers) if workers is not None else (os.cpu_count() or 1)
    demand = as_demand(demand)
    names = {name for name, _ in named}
    if isinstance(staffing, Mapping) and staffing and all(isinstance(k, str) and k in names for k in staffing):
        plans = dict(staffing)  # one plan per scenario name (every key names a scenario)
    else:
        plans = {name: staffing for name, _ in named}
    missing = [name for name, _ in named if name not in plans]
    if missing:
        raise ValueError(f"staffing: no plan for scenario(s) {missing}")
    children = np.random.SeedSequence(seed).spawn(int(replications))
    tasks = []
    for name, sc in named:
        _, _, _, work, _ = prepare(demand, sc, plans[name])
        used = resolve_engine(engine, sc)
        tasks += [(used, work, sc, child) for child in children]

    if backend == "dask":
        outputs = _run_dask(tasks, address, n_workers)
    elif n_workers == 1 or len(tasks) == 1:
        outputs = [_task(*t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=min(n_workers, len(tasks))) as pool:
            outputs = list(pool.map(_task, *zip(*tasks)))

    metric_names = list(_metrics.METRICS)
    values = np.array([[out[m] for m in metric_names] for out in outputs], dtype=np.float64)
    n_rep, n_met = int(replications), len(metric_names)
    return pd.DataFrame({
        "scenario": np.repeat([name for name, _ in named], n_rep * n_met),
        "replication": np.tile(np.repeat(np.arange(n_rep), n_met), len(named)),
        "metric": np.tile(metric_names, len(named) * n_rep),
        "value": values.ravel(),
    })
