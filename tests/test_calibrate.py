"""Calibrating from a call log: a week simulated with known parameters, written in the contract's format,
read back; every parameter is recovered within its sampling error and the replay reproduces every wait."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import simulate
from forecast import DataError
from simulate import Demand, Scenario, StaffingPlan, calibrate, to_call_log

TRUE = Scenario(name="truth", aht=240.0, aht_dist="lognormal", aht_cv=0.8, patience=180.0, patience_dist="weibull",
                patience_cv=0.6, redial_prob=0.5, redial_delay=600.0, max_attempts=5, ivr_containment=0.2,
                ivr_time=30.0, sl_threshold=20.0)
PLAN = StaffingPlan.pattern({"Mon-Sun 08:00-12:00": 11, "Mon-Sun 12:00-16:00": 13, "Mon-Sun 16:00-20:00": 10})


def _week_demand(days: int = 7) -> Demand:
    ds = pd.date_range("2026-03-02", periods=days * 48, freq="30min")
    h = ds.hour + ds.minute / 60
    calls = np.where((h >= 8) & (h < 20), 80 * (1 + 0.4 * np.sin((h - 8) / 12 * np.pi)), 0.0)
    return Demand(ds=ds, calls=calls, interval_s=1800)


@pytest.fixture(scope="module")
def week():
    result = simulate.run(_week_demand(), TRUE, PLAN, replications=1, keep_calls=True, seed=0)
    log = to_call_log(result)
    cal = calibrate(log.to_csv(index=False).encode(), name="week.csv")
    return result, log, cal


def _param(cal, name: str) -> tuple[object, float]:
    p = cal.report.parameters.set_index("name")
    return p.at[name, "value"], float(p.at[name, "se"])


@pytest.mark.parametrize("name, truth", [
    ("aht", 240.0), ("aht_cv", 0.8), ("patience", 180.0), ("patience_cv", 0.6), ("redial_prob", 0.5),
    ("redial_delay", 600.0), ("ivr_containment", 0.2),
])
def test_round_trip_recovers_each_parameter_within_three_standard_errors(week, name, truth):
    _, _, cal = week
    value, se = _param(cal, name)
    assert 0 < se < 0.1 * truth  # a real standard error, small enough to mean something
    assert abs(value - truth) <= 3 * se, f"{name}: {value:.4g} +- {se:.2g}, truth {truth}"
    assert getattr(cal.scenario, name) == pytest.approx(value)


def test_round_trip_picks_the_true_families_and_the_exact_menu_time(week):
    result, log, cal = week
    s = cal.scenario
    assert (s.aht_dist, s.patience_dist) == ("lognormal", "weibull")
    assert s.ivr_time == pytest.approx(30.0, abs=1e-6)
    assert s.residual_aht_factor == 1.0 and s.lines is None
    fits = cal.report.patience_fits.set_index("family")
    assert fits.at["weibull", "max_gap_km"] < fits.at["lognormal", "max_gap_km"] < fits.at["exponential", "max_gap_km"]
    # Mandelbaum-Zeltyn: total time on hold / abandonments
    q = cal.calls[cal.calls.outcome.isin(["answered", "abandoned"])]
    assert cal.patience_mz_s == pytest.approx(q.wait_s.sum() / (q.outcome == "abandoned").sum())
    assert cal.report.handle_fits.set_index("family").at["lognormal", "chosen"]


def test_demand_counts_first_attempts_and_carries_the_handle_time_of_each_interval(week):
    result, log, cal = week
    rec = result.calls
    first = rec[rec.attempt == 1]
    np.testing.assert_array_equal(cal.demand.calls, np.bincount(first.interval, minlength=len(cal.demand)))
    answered = rec[rec.outcome == 3]
    by_interval = answered.groupby("interval").service_s.mean()
    np.testing.assert_allclose(cal.demand.aht_s[by_interval.index], by_interval.to_numpy(), rtol=1e-6)
    assert np.isnan(cal.demand.aht_s[cal.demand.calls == 0]).all()
    # the chains of attempts are told apart by caller id: the same attempt numbers as the simulation's
    mine = cal.calls.assign(c=cal.calls.caller.str[1:].astype(int)).sort_values(["c", "t_s"])
    np.testing.assert_array_equal(mine.attempt.to_numpy(), rec.sort_values(["caller", "attempt"]).attempt.to_numpy())


@pytest.mark.parametrize("engine", ["fast", "simpy"])
def test_replay_with_observed_times_and_the_true_staffing_reproduces_every_wait(week, engine):
    _, _, cal = week
    replay = cal.replay(handle="observed", patience="observed")
    got = simulate.run(replay, cal.replay_scenario, PLAN, replications=1, keep_calls=True, engine=engine).calls
    obs = cal.calls[cal.calls.outcome.isin(["answered", "abandoned"])].sort_values("replay_t_s", kind="stable")
    assert len(got) == len(obs) > 10_000
    np.testing.assert_array_equal(got.outcome.to_numpy(), obs.outcome.map({"answered": 3, "abandoned": 2}).to_numpy())
    np.testing.assert_allclose(got.wait_s.to_numpy(), obs.wait_s.to_numpy(), rtol=0, atol=1e-6)
    # the identity is no accident: with patience drawn the same replay differs
    drawn = simulate.run(cal.replay(handle="observed"), cal.replay_scenario, PLAN, replications=1, keep_calls=True,
                         engine=engine).calls
    assert not np.allclose(drawn.wait_s.to_numpy(), obs.wait_s.to_numpy(), atol=1e-6)


def test_staffing_is_estimated_from_the_agents_activity_within_its_bounds(week):
    _, _, cal = week
    truth = PLAN.agents(cal.demand)
    st = cal.report.staffing
    est = cal.staffing.agents(cal.demand)
    np.testing.assert_array_equal(est, st["agents"].to_numpy())
    open_ = truth > 0
    assert np.mean(est[open_] == truth[open_]) >= 0.95
    held = st["held_s"].to_numpy() > 0
    assert (st["lower"].to_numpy()[held] <= est[held] + 0.5).all()
    assert (est <= st["upper"].to_numpy()).all() and (est <= st["peak"].to_numpy()).all()
    assert (est[~open_ & (cal.demand.calls == 0)] <= 13).all()


def test_kaplan_meier_and_the_ratio_estimator_on_a_hand_case():
    # waits: abandoned at 1, 3, 3, 6 s; answered (censored) at 2, 3, 5 s. By hand: S(1) = 6/7,
    # S(3) = 6/7 x 3/5 (at risk at 3: the 3, 3, 6 abandoners and the 3, 5 answered), S(6) = 0.
    t0 = pd.Timestamp("2026-03-02 09:00:00")
    rows = []
    for i, (wait, outcome) in enumerate([(1, "abandoned"), (3, "abandoned"), (3, "abandoned"), (6, "abandoned"),
                                         (2, "answered"), (3, "answered"), (5, "answered")]):
        arrival = t0 + pd.Timedelta(minutes=5 * i)
        exit_ = arrival + pd.Timedelta(seconds=wait)
        rows.append({"arrival": arrival, "queue_exit": exit_, "outcome": outcome,
                     "end": exit_ + pd.Timedelta(seconds=100) if outcome == "answered" else pd.NaT})
    cal = calibrate(pd.DataFrame(rows), patience="exponential")
    km = cal.report.kaplan_meier.query("curve == 'kaplan_meier'")
    np.testing.assert_allclose(km.wait_s, [1, 3, 6])
    np.testing.assert_allclose(km.survival, [6 / 7, 6 / 7 * 3 / 5, 0.0])
    assert cal.patience_mz_s == pytest.approx((1 + 3 + 3 + 6 + 2 + 3 + 5) / 4)
    assert cal.scenario.patience == pytest.approx(cal.patience_mz_s)
    assert cal.scenario.aht == pytest.approx(100.0)


def test_the_fit_report_has_tidy_frames_for_every_chart(week):
    _, log, cal = week
    r = cal.report
    assert set(r.kaplan_meier.curve) == {"kaplan_meier", "exponential", "weibull", "lognormal"}
    assert r.kaplan_meier.survival.between(0, 1).all()
    assert (np.diff(r.kaplan_meier.query("curve == 'kaplan_meier'").survival) <= 1e-12).all()
    assert set(r.handle_by_hour.hour) == set(range(8, 20)) and set(r.handle_by_hour.call_type) == {"all"}
    assert r.arrivals["attempts"].sum() == len(log) and list(r.arrivals.columns[:2]) == ["ds", "attempts"]
    assert {"ds", "agents", "lower", "upper", "peak", "rule"} <= set(r.staffing.columns)
    assert len(r.handle_quantiles) == 99
    text = str(cal)
    assert "patience" in text and "Mandelbaum-Zeltyn" in text and "redial_prob" in text


def _bank_export(log: pd.DataFrame) -> pd.DataFrame:
    """The same log as a bank's platform exports it (the layout of the Technion "Anonymous Bank" records): its own
    column names and codes, the date apart (yymmdd), times of day, 0:00:00 and NO_SERVER for "none"."""
    def tod(ts: pd.Series) -> pd.Series:
        return (ts.dt.hour.astype("Int64").astype(str) + ts.dt.strftime(":%M:%S.%f")).where(ts.notna(), "0:00:00")
    answered = log.outcome == "answered"
    return pd.DataFrame({
        "customer_id": log.caller.str[1:], "type": "PS", "date": log.arrival.dt.strftime("%y%m%d"),
        "vru_entry": tod(log.arrival), "q_start": tod(log.queue_entry),
        "q_exit": tod(log.queue_exit.where(~answered)),  # this export leaves q_exit empty for answered calls
        "outcome": log.outcome.map({"answered": "AGENT", "abandoned": "HANG", "contained": "HANG", "blocked": "BUSY"}),
        "ser_start": tod(log.queue_exit.where(answered)), "ser_exit": tod(log.end.where(answered)),
        "server": log.agent.fillna("NO_SERVER"),
    })


def test_a_bank_export_is_read_through_the_column_and_outcome_mappings(week):
    _, log, cal = week
    day = log[log.arrival < "2026-03-03"].copy()
    bank = _bank_export(day)
    bank.loc[len(bank)] = ["0", "PS", "260302", "9:00:00", "0:00:00", "0:00:00", "PHANTOM", "0:00:00", "0:00:00",
                           "NO_SERVER"]  # a test call, to leave out
    got = calibrate(bank.to_csv(index=False, sep="\t").encode(), name="bank.txt", date_format="%y%m%d",
                    columns={"date": "date", "arrival": "vru_entry", "queue_entry": "q_start", "queue_exit": "q_exit",
                             "answer": "ser_start", "end": "ser_exit", "outcome": "outcome", "agent": "server",
                             "caller": "customer_id"},
                    outcomes={"AGENT": "answered", "HANG": "abandoned", "PHANTOM": "ignore"},
                    empty=["0:00:00", "NO_SERVER"])
    want = calibrate(day, name="day")
    assert any("'ignore'" in n for n in got.notes) and any("hung up in the menu" in n for n in got.notes)
    for f in ("aht", "aht_cv", "patience", "patience_cv", "redial_prob", "redial_delay", "ivr_containment",
              "ivr_time"):
        assert getattr(got.scenario, f) == pytest.approx(getattr(want.scenario, f), rel=1e-6), f
    np.testing.assert_array_equal(got.demand.calls, want.demand.calls)
    np.testing.assert_array_equal(got.staffing.agents(got.demand), want.staffing.agents(want.demand))


def test_rows_whose_times_contradict_each_other_can_be_left_out_and_are_counted():
    data = _bad(5, "2026-03-02 09:03:00,2026-03-02 09:03:20,2026-03-02 09:03:10,2026-03-02 09:06:00,answered,A2,C4")
    cal = calibrate(data, name="small.csv", on_error="skip")
    assert len(cal.calls) == 3
    assert any(n.startswith("1 row left out: queue_exit") and "line 5" in n for n in cal.notes)


def test_a_workbook_gives_the_calibration_of_the_same_csv(week):
    _, log, _ = week
    day = log[log.arrival < "2026-03-02 09:30"]  # openpyxl reads about 1,000 rows a second
    buf = io.BytesIO()
    day.to_excel(buf, index=False)
    book = calibrate(buf.getvalue(), name="day.xlsx")
    text = calibrate(day.to_csv(index=False).encode(), name="day.csv")
    for f in ("aht", "patience", "ivr_containment", "redial_prob"):
        assert getattr(book.scenario, f) == pytest.approx(getattr(text.scenario, f), rel=1e-4), f  # Excel keeps us
    np.testing.assert_array_equal(book.staffing.agents(book.demand), text.staffing.agents(text.demand))


def test_offsets_across_a_clock_change_need_the_time_zone_and_then_give_a_tz_aware_demand(week):
    _, log, _ = week
    weekend = log[log.arrival >= "2026-03-07"]
    local = weekend.copy()
    for c in ("arrival", "queue_entry", "queue_exit", "end"):  # the week read as Toronto wall-clock times
        local[c] = local[c].dt.tz_localize("America/Toronto").dt.strftime("%Y-%m-%dT%H:%M:%S.%f%z").fillna("")
    data = local.to_csv(index=False).encode()
    with pytest.raises(DataError, match="tz='America/Toronto'"):
        calibrate(data, name="toronto.csv")
    cal = calibrate(data, name="toronto.csv", tz="America/Toronto")
    assert str(cal.demand.ds.tz) == "America/Toronto"
    assert len(cal.demand) == 2 * 48 - 2  # 8 March 2026 has 23 hours
    assert cal.demand.ds[-1] == pd.Timestamp("2026-03-08 23:30", tz="America/Toronto")
    assert cal.demand.calls.sum() == (weekend.caller.duplicated() == False).sum()  # noqa: E712


SMALL = """arrival,queue_entry,queue_exit,end,outcome,agent,caller
2026-03-02 09:00:00,2026-03-02 09:00:20,2026-03-02 09:00:20,2026-03-02 09:04:00,answered,A1,C1
2026-03-02 09:01:00,2026-03-02 09:01:20,2026-03-02 09:02:10,,abandoned,,C2
2026-03-02 09:02:00,,,2026-03-02 09:02:30,contained,,C3
2026-03-02 09:03:00,2026-03-02 09:03:20,2026-03-02 09:03:25,2026-03-02 09:06:00,answered,A2,C4
"""


def _bad(replace_line: int, new: str) -> bytes:
    lines = SMALL.splitlines()
    lines[replace_line - 1] = new
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("data, kwargs, says", ids=[
    "not ISO", "unknown outcome", "exit before entry", "answered without end", "column not found",
    "mapped column absent", "duplicate", "offsets mixed", "contained in queue"], argvalues=[
    (_bad(3, "2026-03-02 09:01:00,2026-03-02 09:01:20,03/02/2026 09:02,,abandoned,,C2"), {},
     ["small.csv", "line 3", "column 'queue_exit'", "'03/02/2026 09:02' is not a timestamp", "time_format="]),
    (_bad(5, "2026-03-02 09:03:00,2026-03-02 09:03:20,2026-03-02 09:03:25,2026-03-02 09:06:00,served-late,A2,C4"), {},
     ["line 5", "column 'outcome'", "'served-late'", "outcomes="]),
    (_bad(5, "2026-03-02 09:03:00,2026-03-02 09:03:20,2026-03-02 09:03:10,2026-03-02 09:06:00,answered,A2,C4"), {},
     ["line 5", "column 'queue_exit'", "is before queue_entry"]),
    (_bad(2, "2026-03-02 09:00:00,2026-03-02 09:00:20,2026-03-02 09:00:20,,answered,A1,C1"), {},
     ["line 2", "column 'end'", "answered call has no end time"]),
    (SMALL.replace("arrival,", "Arrival Time,").encode(), {},
     ["no 'arrival' column", "columns={'arrival':"]),
    (SMALL.encode(), {"columns": {"caller": "Caller_ID"}}, ["'Caller_ID', which is not in the file"]),
    ((SMALL + SMALL.splitlines()[2] + "\n").encode(), {}, ["lines 3 and 6", "the same call twice"]),
    (_bad(2, "2026-03-02 09:00:00-05:00,2026-03-02 09:00:20,2026-03-02 09:00:20,2026-03-02 09:04:00,answered,A1,C1"),
     {}, ["column 'arrival'", "with and without UTC offsets"]),
    (_bad(4, "2026-03-02 09:02:00,2026-03-02 09:02:10,,2026-03-02 09:02:30,contained,,C3"), {},
     ["line 4", "column 'queue_entry'", "contained call has a queue entry"]),
])
def test_bad_records_are_refused_naming_file_line_column_value_and_what_was_expected(data, kwargs, says):
    with pytest.raises(DataError) as err:
        calibrate(data, name="small.csv", **kwargs)
    for part in says:
        assert part in str(err.value), str(err.value)


def test_bad_arguments_are_value_errors_naming_the_argument():
    for kwargs, says in (({"handle": "gamma"}, "handle"), ({"patience": "normal"}, "patience"),
                         ({"columns": {"start": "arrival"}}, "unknown contract names"),
                         ({"outcomes": {"X": "won"}}, "outcomes="), ({"interval": "7min"}, "interval")):
        with pytest.raises(ValueError, match=says):
            calibrate(SMALL.encode(), **kwargs)


def test_the_call_type_mix_changes_by_hour_in_the_calibrated_demand():
    # type "status" is 34% of the calls in the morning and 69% in the afternoon, and takes longer
    ds = pd.date_range("2026-03-02", periods=3 * 48, freq="30min")
    h = ds.hour
    open_ = (h >= 8) & (h < 20)
    status = np.where(h < 14, 0.34, 0.69)
    rows = []
    for name, share in (("status", status), ("new", 1 - status)):
        rows.append(pd.DataFrame({"ds": ds, "call_type": name, "calls": np.where(open_, 90 * share, 0.0),
                                  "aht_s": 360.0 if name == "status" else 180.0}))
    demand = Demand.from_frame(pd.concat(rows))
    policy = Scenario(aht=240.0, patience=200.0, call_types={"status": {"share": 0.5}, "new": {"share": 0.5}})
    result = simulate.run(demand, policy, 16, replications=1, keep_calls=True, seed=2)
    cal = calibrate(to_call_log(result))
    assert cal.demand.types == ("status", "new") or set(cal.demand.types) == {"status", "new"}
    i = list(cal.demand.types).index("status")
    share = cal.demand.type_calls[:, i] / np.maximum(cal.demand.calls, 1)
    morning, afternoon = open_ & (h < 14), open_ & (h >= 14)
    w = cal.demand.calls
    assert np.average(share[morning], weights=w[morning]) == pytest.approx(0.34, abs=0.03)
    assert np.average(share[afternoon], weights=w[afternoon]) == pytest.approx(0.69, abs=0.03)
    types = {t.name: t for t in cal.scenario.call_types}
    assert types["status"].aht == pytest.approx(360.0, rel=0.05) and types["new"].aht == pytest.approx(180.0, rel=0.05)
    assert sum(t.share for t in types.values()) == pytest.approx(1.0)
    # the calibrated demand and policy run together
    simulate.run(cal.demand, cal.scenario, cal.staffing, replications=1)


def test_empirical_fits_on_request_give_a_scenario_that_round_trips_and_replays(week):
    _, log, _ = week
    day = log[log.arrival < "2026-03-04"]
    cal = calibrate(day, handle="empirical", patience="empirical")
    s = cal.scenario
    assert s.aht_dist == s.patience_dist == "empirical"
    assert len(s.aht_quantiles) <= 1001 and len(s.patience_quantiles) <= 1001
    # the tables give the shapes; the means are the observed ones (a 1,001-point table holds them to 1%)
    assert s.aht == pytest.approx(day.pipe(lambda d: (d.end - d.queue_exit).dt.total_seconds()[d.outcome == "answered"]
                                           .mean()))
    assert np.mean(s.aht_quantiles) == pytest.approx(s.aht, rel=0.01)
    assert s.patience == pytest.approx(np.mean(s.patience_quantiles))
    assert Scenario.from_toml(s.to_toml()) == s
    res = simulate.run(cal.replay(), cal.replay_scenario, cal.staffing, replications=2)
    assert 0 < res["abandon_rate"] < 0.5


def test_after_call_work_the_log_does_not_record_is_read_from_agents_idle_time_while_callers_wait():
    # every call really ends 20 s after the recorded end (wrap-up the platform does not log)
    policy = Scenario(aht=240.0, aht_dist="lognormal", aht_cv=0.3, patience=200.0)
    result = simulate.run(_week_demand(days=2), policy, PLAN, replications=1, keep_calls=True, seed=4)
    log = to_call_log(result)
    answered = log.outcome == "answered"
    log.loc[answered, "end"] = log.loc[answered, "end"] - pd.Timedelta(seconds=20)
    cal = calibrate(log)
    wrap, se = _param(cal, "after_call_work")
    assert wrap == pytest.approx(20.0, abs=0.01) and se < 0.01
    assert cal.scenario.aht == pytest.approx(result.calls.service_s.mean(), rel=1e-9)  # talk + after-call work
    truth = PLAN.agents(cal.demand)
    est = cal.staffing.agents(cal.demand)
    assert np.mean(est[truth > 0] == truth[truth > 0]) >= 0.95
    # and none where there is none: the week's log has agents free at once
    assert calibrate(to_call_log(result)).report.parameters.set_index("name").at["after_call_work", "value"] == 0.0
