"""Helpers shared by the simulation tests: plain arrays in, the engines' :class:`Workload` out, and
call-for-call comparison of two engines' records."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulate.demand import Demand
from simulate.records import RECORD_FIELDS
from simulate.scenario import Scenario
from simulate.workload import Workload, build_workload

#: test files that start the app, a browser or a notebook kernel: the ``slow`` marker, so that
#: ``python -m pytest -m "not slow"`` is the quick suite (the README's command runs everything)
_SLOW_FILES = frozenset({"test_app.py", "test_app_browser.py", "test_notebooks.py"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in _SLOW_FILES or "dask" in item.name:  # Dask tests start local clusters
            item.add_marker(pytest.mark.slow)


def workload(calls, agents, interval_s: float, scenario: Scenario, start: str = "2026-01-05 00:00", *,
             aht_s=None, type_calls=None) -> Workload:
    """What one replication simulates, from arrays: expected calls (n,), agents per interval (n,) or
    one number, the interval length in seconds (intervals start at ``start``, naive).

    aht_s: optional handle time per interval (s, NaN = the scenario's); type_calls: optional calls
    per interval and call type (n, T), in the order of ``scenario.call_types`` (then ``calls`` must
    be their row sums)."""
    if aht_s is None and type_calls is None:
        return Workload.from_arrays(np.asarray(calls, dtype=np.float64), agents, interval_s, scenario, start=start)
    calls = np.asarray(calls, dtype=np.float64)
    ds = pd.date_range(start, periods=len(calls), freq=pd.Timedelta(seconds=float(interval_s)))
    types = tuple(t.name for t in scenario.call_types) if type_calls is not None else ()
    demand = Demand(ds=ds, calls=calls, interval_s=interval_s, aht_s=aht_s, types=types, type_calls=type_calls)
    agents = np.asarray(agents, dtype=np.int64)
    return build_workload(demand, scenario, np.full(len(calls), agents) if agents.ndim == 0 else agents)


def demand_frame(calls, start: str = "2026-01-05 08:00", freq: str = "30min", **columns) -> pd.DataFrame:
    """A plain demand table ``ds, calls`` (plus any extra columns, e.g. ``aht_s``)."""
    calls = np.asarray(calls, dtype=np.float64)
    return pd.DataFrame({"ds": pd.date_range(start, periods=len(calls), freq=freq), "calls": calls, **columns})


def same_records(a, b) -> bool:
    """Exactly the same attempts, in the same order, with the same staffed seconds."""
    return len(a) == len(b) and all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True)
                                    for f in (*RECORD_FIELDS, "staffed_s"))


def assert_call_for_call(a, b, what: str = "") -> None:
    """The two engines' records hold the same attempts with the same outcomes and times (each engine
    orders its records its own way, so both are sorted by caller, then attempt)."""
    assert len(a) == len(b), f"{what}: {len(a)} vs {len(b)} attempts"
    ia, ib = np.lexsort((a.attempt, a.caller)), np.lexsort((b.attempt, b.caller))
    for field in ("caller", "attempt", "call_type", "interval", "outcome"):
        np.testing.assert_array_equal(getattr(a, field)[ia], getattr(b, field)[ib], err_msg=f"{what}: {field}")
    for field in ("arrival_s", "wait_s", "answer_s", "service_s"):
        np.testing.assert_allclose(getattr(a, field)[ia], getattr(b, field)[ib], rtol=1e-9, atol=1e-6,
                                   err_msg=f"{what}: {field}")
