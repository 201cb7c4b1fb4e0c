"""simulate.run(demand, scenario, staffing): replications, intervals, engines, workers, and the metric table."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import workload

import simulate
from simulate import METRICS, Scenario, SimulationResult, compare, run
from simulate.metrics import busy_seconds_per_interval, metrics_table, t_interval


def arrivals(n: int = 6, calls: float = 150.0) -> pd.DataFrame:
    return pd.DataFrame({"ds": pd.date_range("2022-06-01 08:00", periods=n, freq="30min"), "calls": calls})


def test_run_returns_summary_intervals_and_replications():
    s = Scenario(aht=300.0, patience=400.0)
    table = pd.DataFrame({"ds": arrivals()["ds"], "agents": [8, 10, 12, 12, 10, 8]})
    res = run(arrivals(), s, table, replications=4, seed=1, keep_calls=True, engine="simpy")
    assert isinstance(res, SimulationResult) and res.engine == "simpy" and res.replications == 4 and res.seed == 1
    assert res.staffing == simulate.StaffingPlan.table(table) and res.demand.interval_s == res.interval_s == 1800.0
    assert list(res.summary.columns) == ["mean", "lo", "hi"] and list(res.summary.index) == list(METRICS)
    sl = res.summary.loc["service_level"]
    assert sl["lo"] <= sl["mean"] <= sl["hi"] and 0 < sl["mean"] < 1
    assert len(res.intervals) == 6 and res.intervals["agents"].tolist() == [8, 10, 12, 12, 10, 8]
    for m in METRICS:
        assert {m, f"{m}_lo", f"{m}_hi"} <= set(res.intervals.columns)
    assert res.intervals["attempts"].sum() == pytest.approx(res["attempts"])
    assert list(res.per_replication["replication"]) == [0, 1, 2, 3]
    assert res.calls["replication"].nunique() == 4 and len(res.calls) == res.per_replication["attempts"].sum()


def test_one_replication_has_a_zero_width_interval():
    res = run(arrivals(), Scenario(), 12, replications=1, seed=3)
    assert (res.summary["lo"] == res.summary["mean"]).all() or res.summary["mean"].isna().any()
    assert res.calls is None


def test_replication_r_uses_the_r_th_spawned_seed():
    from simulate.engine_simpy import simulate_replication
    from simulate.metrics import summarize

    s = Scenario(patience=300.0)
    res = run(arrivals(), s, 12, replications=3, seed=9, engine="simpy")
    child = np.random.SeedSequence(9).spawn(3)[2]
    rec = simulate_replication(workload(np.full(6, 150.0), 12, 1800.0, s), s, child)
    assert res.per_replication.loc[2, "answered"] == summarize(rec, 1800.0, s.sl_threshold)["answered"]


def test_workers_give_the_same_result_as_serial():
    s = Scenario(patience=300.0, redial_prob=0.3)
    serial = run(arrivals(), s, 12, replications=4, seed=5, keep_calls=True)
    parallel = run(arrivals(), s, 12, replications=4, seed=5, workers=2, keep_calls=True)
    pd.testing.assert_frame_equal(serial.summary, parallel.summary)
    pd.testing.assert_frame_equal(serial.intervals, parallel.intervals)
    pd.testing.assert_frame_equal(serial.calls, parallel.calls)


def test_same_seed_same_result_and_a_forecast_frame_with_yhat_works():
    s = Scenario(patience=300.0)
    a = run(arrivals(), s, 11, replications=2, seed=4)
    b = run(arrivals().rename(columns={"calls": "yhat"}), s, 11, replications=2, seed=4)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    c = run(simulate.Demand.from_frame(arrivals()), s, simulate.StaffingPlan.constant(11), replications=2, seed=4)
    pd.testing.assert_frame_equal(a.summary, c.summary)


def test_engine_choice():
    s = Scenario()
    with pytest.raises(ValueError, match="engine"):
        run(arrivals(), s, 12, replications=1, engine="gpss")
    assert run(arrivals(), s, 12, replications=1, engine="auto").engine == "fast"  # the fast engine supports it
    assert run(arrivals(), s.replace(callback_threshold=60.0), 12, replications=1).engine == "fast"  # callbacks too
    assert run(arrivals(), s.replace(pick="oldest"), 12, replications=1).engine == "fast"  # routing rules too
    with pytest.raises(ValueError, match="replications"):
        run(arrivals(), s, 12, replications=0)
    with pytest.raises(ValueError, match="workers"):
        run(arrivals(), s, 12, replications=2, workers=0)


def test_staffing_is_required_and_a_plan_that_misses_an_open_interval_is_refused_naming_it():
    s = Scenario()
    with pytest.raises(TypeError):
        run(arrivals(), s, replications=1)  # who is on duty is not part of the scenario
    short = pd.DataFrame({"ds": arrivals()["ds"][:4], "agents": 12})
    with pytest.raises(ValueError, match="2022-06-01 10:00"):
        run(arrivals(), s, short, replications=1)
    with pytest.raises(ValueError, match="staffing"):
        run(arrivals(), s, "twelve agents", replications=1)  # text is read by StaffingPlan.parse
    assert run(arrivals(), s, "12", replications=1, seed=3)["answered"] == \
        run(arrivals(), s, 12, replications=1, seed=3)["answered"]
    with pytest.raises(ValueError, match="scenario"):
        run(arrivals(), {"aht": 300.0}, 12, replications=1)


def test_an_open_interval_without_agents_is_simulated_with_a_warning():
    res = run(arrivals(), Scenario(patience=120.0), {"Wed 08:00-10:00": 12}, replications=1, seed=0)
    assert res.intervals["agents"].tolist() == [12, 12, 12, 12, 0, 0]
    assert any("no agent on duty" in w and "2022-06-01 10:00" in w for w in res.warnings)
    assert res.intervals["answered"].iloc[4:].sum() == 0 and res.intervals["abandoned"].iloc[4:].sum() > 0


def test_compare_names_the_best_scenario_per_metric():
    low = run(arrivals(), Scenario(name="low", patience=300.0), 10, replications=3, seed=2)
    high = run(arrivals(), Scenario(name="high", patience=300.0), 14, replications=3, seed=2)
    table = compare({"low": low, "high": high})
    assert {"low", "low_lo", "low_hi", "high", "high_lo", "high_hi", "best"} <= set(table.columns)
    assert table.loc["service_level", "best"] == ("high",)
    assert table.loc["abandon_rate", "best"] == ("high",)
    assert table.loc["callers", "best"] == ()  # neutral: same demand


def test_metric_table_has_one_row_per_metric_with_direction_and_unit():
    t = metrics_table()
    assert list(t.index) == list(METRICS) and set(t["direction"]) <= {"higher", "lower", "neutral"}
    assert t.loc["asa_s", "unit"] == "seconds" and t.loc["service_level", "direction"] == "higher"
    assert "run" in simulate.__all__ and "compare" in simulate.__all__


def test_busy_seconds_are_split_exactly_across_intervals():
    answer = np.array([50.0, 90.0, np.nan, 250.0])
    service = np.array([100.0, 5.0, np.nan, 100.0])  # the last runs past the horizon (300 s)
    busy = busy_seconds_per_interval(answer, service, 3, 100.0)
    np.testing.assert_allclose(busy, [50.0 + 5.0, 50.0, 50.0])


def test_t_interval_ignores_missing_replications():
    mean, lo, hi = t_interval(np.array([[1.0, np.nan], [3.0, np.nan], [2.0, 5.0]]))
    assert mean[0] == 2.0 and lo[0] < 2.0 < hi[0]
    assert mean[1] == lo[1] == hi[1] == 5.0


def test_cli_simulate_reads_a_history_file_and_writes_intervals_and_summary(tmp_path, capsys):
    from queuecast_cli import main

    hist = tmp_path / "hist.csv"
    pd.DataFrame({"ds": pd.date_range("2022-06-01 08:00", periods=4, freq="30min"),
                  "y": [100.0, 150.0, 150.0, 100.0]}).to_csv(hist, index=False)
    scen = Scenario(name="cli", patience=300.0).save(tmp_path / "s.toml")
    plan = tmp_path / "plan.csv"
    pd.DataFrame({"ds": pd.date_range("2022-06-01 08:00", periods=4, freq="30min"),
                  "agents": [10, 14, 14, 10]}).to_csv(plan, index=False)
    out = tmp_path / "sim.csv"
    assert main(["simulate", str(hist), "--scenario", str(scen), "--staffing", str(plan), "--replications", "2",
                 "--out", str(out)]) == 0
    written = pd.read_csv(out)
    assert len(written) == 4 and "wrote" in capsys.readouterr().out
    assert written.filter(like="gents").iloc[:, 0].tolist() == [10, 14, 14, 10]
    assert main(["simulate", str(hist), "--scenario", str(scen), "--staffing", "Wed 08:00-10:00=12 x 1.25",
                 "--out", str(out)]) == 2  # the outputs exist: nothing replaced unasked
    assert "already exist" in capsys.readouterr().err
    assert pd.read_csv(out).filter(like="gents").iloc[:, 0].tolist() == [10, 14, 14, 10]
    assert main(["simulate", str(hist), "--scenario", str(scen), "--staffing", "Wed 08:00-10:00=12 x 1.25",
                 "--out", str(out), "--force"]) == 0
    assert pd.read_csv(out).filter(like="gents").iloc[:, 0].tolist() == [15, 15, 15, 15]
    assert main(["simulate", str(hist), "--scenario", str(tmp_path / "missing.toml"), "--staffing", "12",
                 "--out", str(out)]) == 2
    capsys.readouterr()
    assert main(["simulate", str(hist), "--scenario", str(scen), "--staffing", "Wed 08:00-09:00=12",
                 "--out", str(out), "--force"]) == 0  # a pattern staffs 0 outside its windows: a note, not an error
    assert "no agent on duty (first 2022-06-01 09:00" in capsys.readouterr().err
    pd.read_csv(plan).iloc[:2].to_csv(plan, index=False)
    assert main(["simulate", str(hist), "--scenario", str(scen), "--staffing", str(plan),
                 "--out", str(out), "--force"]) == 2  # a table that misses open intervals: a sentence, status 2
    err = capsys.readouterr().err
    assert "does not cover 2022-06-01 09:00" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["simulate", str(hist), "--scenario", str(scen), "--out", str(out)])  # --staffing is required
