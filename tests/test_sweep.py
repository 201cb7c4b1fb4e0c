"""Sweeps: the same numbers serially, in local processes and on a Dask cluster; tidy output."""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate import Scenario

ARRIVALS = pd.DataFrame({"ds": pd.date_range("2026-01-05 08:00", periods=6, freq="30min"),
                         "calls": [30.0, 50.0, 70.0, 70.0, 50.0, 30.0]})
BASE = Scenario(name="base", aht=240.0, patience=180.0, lines=14, redial_prob=0.4, max_attempts=3)
MORE = BASE.replace(name="more_agents")
SIMPY_ONLY = BASE.replace(name="callbacks", callback_threshold=60.0)
SCENARIOS = [BASE, MORE, SIMPY_ONLY]
STAFFING = {"base": 6, "more_agents": 8, "callbacks": 6}  # a plan per scenario name


@pytest.fixture(scope="module")
def serial() -> pd.DataFrame:
    return simulate.sweep(ARRIVALS, SCENARIOS, STAFFING, replications=3, seed=9, workers=1)


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                                       silence_logs=logging.ERROR)
    yield cluster
    cluster.close()


def test_sweep_returns_one_tidy_row_per_scenario_replication_and_metric(serial):
    assert list(serial.columns) == ["scenario", "replication", "metric", "value"]
    assert len(serial) == len(SCENARIOS) * 3 * len(simulate.METRICS)
    assert list(serial["scenario"].unique()) == ["base", "more_agents", "callbacks"]
    assert sorted(serial["replication"].unique()) == [0, 1, 2]
    assert list(serial["metric"].unique()) == list(simulate.METRICS)
    assert serial["value"].dtype == np.float64


def test_sweep_gives_the_same_numbers_as_run_for_each_scenario(serial):
    for sc in SCENARIOS:
        res = simulate.run(ARRIVALS, sc, STAFFING[sc.name], replications=3, seed=9, engine="auto")
        got = serial[serial["scenario"] == sc.name].pivot(index="replication", columns="metric", values="value")
        want = res.per_replication.set_index("replication")[list(simulate.METRICS)]
        pd.testing.assert_frame_equal(got[list(simulate.METRICS)], want, check_names=False, check_dtype=False)


def test_scenarios_share_common_random_numbers_so_more_agents_never_lowers_service_level(serial):
    sl = serial[serial["metric"] == "service_level"].pivot(index="replication", columns="scenario", values="value")
    assert (sl["more_agents"] >= sl["base"]).all()
    callers = serial[serial["metric"] == "callers"].pivot(index="replication", columns="scenario", values="value")
    assert (callers["more_agents"] == callers["base"]).all()  # same callers in every scenario


def test_local_processes_give_exactly_the_serial_result(serial):
    parallel = simulate.sweep(ARRIVALS, SCENARIOS, STAFFING, replications=3, seed=9, workers=2)
    pd.testing.assert_frame_equal(parallel, serial)


def test_a_dask_cluster_of_two_workers_gives_exactly_the_serial_result(serial, dask_cluster):
    distributed_result = simulate.sweep(ARRIVALS, SCENARIOS, STAFFING, replications=3, seed=9, backend="dask",
                                        address=dask_cluster.scheduler_address)
    pd.testing.assert_frame_equal(distributed_result, serial)


def test_dask_without_address_starts_and_closes_its_own_local_cluster():
    pytest.importorskip("distributed")
    one = simulate.sweep(ARRIVALS, {"a": BASE}, 6, replications=2, seed=1, backend="dask", workers=1)
    assert one.equals(simulate.sweep(ARRIVALS, {"a": BASE}, 6, replications=2, seed=1, workers=1))


def test_mapping_names_the_scenarios_and_duplicate_names_are_refused():
    out = simulate.sweep(ARRIVALS, {"x": BASE, "y": BASE}, 6, replications=1, seed=0, workers=1)
    assert list(out["scenario"].unique()) == ["x", "y"]
    x, y = (out[out["scenario"] == n]["value"].to_numpy() for n in "xy")
    np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="unique"):
        simulate.sweep(ARRIVALS, [BASE, BASE], 6, replications=1)


def test_one_plan_for_every_scenario_or_one_per_scenario_name():
    same = simulate.sweep(ARRIVALS, [BASE, MORE], 6, replications=2, seed=3, workers=1)
    per_name = simulate.sweep(ARRIVALS, [BASE, MORE], {"base": 6, "more_agents": 6}, replications=2, seed=3,
                              workers=1)
    pd.testing.assert_frame_equal(same, per_name)
    sl = same[same["metric"] == "service_level"].pivot(index="replication", columns="scenario", values="value")
    np.testing.assert_array_equal(sl["base"], sl["more_agents"])  # same policy, same plan, same numbers
    pattern = simulate.sweep(ARRIVALS, [BASE], {"Mon 08:00-11:00": 6}, replications=2, seed=3, workers=1)
    np.testing.assert_array_equal(pattern["value"], same[same["scenario"] == "base"]["value"])
    with pytest.raises(ValueError, match="more_agents"):
        simulate.sweep(ARRIVALS, [BASE, MORE], {"base": 6}, replications=1)


@pytest.mark.parametrize("kwargs, match", [
    ({"backend": "spark"}, "backend"),
    ({"replications": 0}, "replications"),
    ({"workers": 0}, "workers"),
    ({"address": "tcp://127.0.0.1:8786"}, "address"),
])
def test_bad_parameters_raise_value_errors_naming_them(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate.sweep(ARRIVALS, [BASE], 6, **kwargs)


def test_cli_sweep_writes_the_tidy_csv(tmp_path, capsys):
    from queuecast_cli import main

    arrivals = tmp_path / "arrivals.csv"
    ARRIVALS.to_csv(arrivals, index=False)
    files = []
    more_lines = BASE.replace(name="more_lines", lines=20)
    for sc in (BASE, more_lines):
        path = tmp_path / f"{sc.name}.toml"
        sc.save(path)
        files.append(str(path))
    out = tmp_path / "sweep.csv"
    status = main(["sweep", str(arrivals), "--scenarios", *files, "--staffing", "6 + 1", "--replications", "2",
                   "--seed", "9", "--workers", "1", "--out", str(out)])
    assert status == 0
    table = pd.read_csv(out)
    want = simulate.sweep(ARRIVALS, [BASE, more_lines], 7, replications=2, seed=9, workers=1)
    np.testing.assert_allclose(table["value"].to_numpy(), want["value"].to_numpy(), rtol=1e-12)
    assert "more_lines" in capsys.readouterr().out
