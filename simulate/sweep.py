"""Sweeps: many scenarios x many replications, in local processes or on a Dask cluster.

A sweep answers "what if" across scenarios (more agents, more lines, an IVR message...) on the
same arrivals. Every (scenario, replication) pair is one independent task. Replication r of every
scenario uses ``SeedSequence(seed).spawn(replications)[r]``, exactly as :func:`simulate.run` does,
so

* a sweep gives the same numbers as ``simulate.run(arrivals, scenario, seed=seed)`` scenario by
  scenario, whether it runs serially, in local processes or on a cluster; and
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

import numpy as np
import pandas as pd

from simulate import metrics as _metrics
from simulate.run import replicate, resolve_engine
from simulate.scenario import Scenario, arrivals_from_frame

__all__ = ["BACKENDS", "sweep"]

BACKENDS = ("local", "dask")


def _task(engine: str, calls: np.ndarray, agents: np.ndarray, interval_s: float, scenario: Scenario,
          seed: np.random.SeedSequence) -> dict[str, float]:
    """One replication of one scenario: its summary metrics (runs in a worker process)."""
    return replicate(engine, calls, agents, interval_s, scenario, seed, False)[0]


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


def sweep(arrivals: pd.DataFrame, scenarios: Sequence[Scenario] | Mapping[str, Scenario], *,
          replications: int = 10, seed: int = 0, engine: str = "auto", backend: str = "local",
          address: str | None = None, workers: int | None = None) -> pd.DataFrame:
    """Run every scenario ``replications`` times on ``arrivals``; return every metric of every run.

    arrivals: one row per interval with ``ds`` and ``calls`` (or ``yhat``), as for
    :func:`simulate.run`. scenarios: Scenarios (named by ``Scenario.name``, which must be unique)
    or a mapping name -> Scenario. engine: "auto", "fast" or "simpy" (resolved per scenario).
    backend: "local" runs tasks in ``workers`` processes (default ``os.cpu_count()``; 1 = in this
    process); "dask" sends them to the Dask scheduler at ``address`` (e.g. "tcp://10.0.0.5:8786"),
    or, without an address, to a LocalCluster of ``workers`` single-threaded processes on
    127.0.0.1 started and closed here (like any Dask LocalCluster, a script that calls this must
    guard its entry point with ``if __name__ == "__main__":``). Results are identical for every backend and worker count.

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
    _, calls, step = arrivals_from_frame(arrivals)
    children = np.random.SeedSequence(seed).spawn(int(replications))
    tasks = []
    for _, sc in named:
        agents = sc.agents_for(len(calls))
        used = resolve_engine(engine, sc)
        tasks += [(used, calls, agents, step, sc, child) for child in children]

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
