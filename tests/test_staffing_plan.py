"""StaffingPlan: who is on duty, a rule evaluated on a demand by timestamp, never by position.

Constant, weekly pattern, table, sized to the target, relative to another plan; parsed from short
text, round-tripped through plain dicts, hashable; one plan fits any horizon it covers.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from forecast import DataError
from simulate import Demand, Scenario, StaffingPlan, as_plan, required_agents, staff

SCENARIO = Scenario(aht=300.0, patience=180.0, sl_threshold=20.0, sl_target=0.8)


def week_demand(start: str = "2026-01-05", days: int = 7, freq: str = "30min", tz=None, open_days: int = 5,
                hours=(8, 20)) -> Demand:
    """Calls Monday to Friday (``open_days`` first weekdays) from 08:00 to 20:00, closed otherwise; a
    different volume every interval so a misaligned plan shows."""
    ds = pd.date_range(start, periods=days * int(pd.Timedelta("1D") / pd.Timedelta(freq)), freq=freq, tz=tz)
    open_ = (ds.day_of_week < open_days) & (ds.hour >= hours[0]) & (ds.hour < hours[1])
    calls = np.where(open_, 20.0 + 10.0 * np.sin(np.arange(len(ds)) / 5.0) ** 2 + ds.day_of_week, 0.0)
    return Demand(ds=ds, calls=calls, interval_s=pd.Timedelta(freq).total_seconds())


def agents_at(plan: StaffingPlan, demand: Demand, scenario: Scenario | None = None) -> pd.Series:
    return pd.Series(plan.agents(demand, scenario), index=demand.ds)


# ----------------------------------------------------------------------------- constant
def test_a_constant_is_the_same_in_every_interval_and_must_be_whole_and_not_negative():
    d = week_demand(days=2)
    a = StaffingPlan.constant(40).agents(d)
    assert a.dtype == np.int64 and a.shape == (96,) and (a == 40).all()
    for bad in (-1, 1.5, True, float("nan"), "40"):
        with pytest.raises(ValueError, match="whole number of agents"):
            StaffingPlan.constant(bad)
    with pytest.raises(ValueError, match="at most"):
        StaffingPlan.constant(2_000_000)


# ----------------------------------------------------------------------------- weekly pattern
def test_a_weekday_pattern_staffs_its_windows_by_wall_clock_and_nothing_else():
    d = week_demand()
    a = agents_at(StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40, "Sat 09:00-13:00": 12}), d)
    weekday = (d.ds.day_of_week < 5) & (d.ds.hour >= 8) & (d.ds.hour < 20)
    saturday = (d.ds.day_of_week == 5) & (d.ds.hour >= 9) & (d.ds.hour < 13)
    assert (a[weekday] == 40).all() and (a[saturday] == 12).all() and (a[~weekday & ~saturday] == 0).all()
    assert a.sum() == 40 * 5 * 24 + 12 * 8
    # the same wall-clock windows in a time zone, across the spring daylight-saving change
    toronto = week_demand("2025-03-08", days=3, tz="America/Toronto", open_days=7)
    b = agents_at(StaffingPlan.pattern({"Daily 08:00-20:00": 7}), toronto)
    assert (b[b > 0].index.hour >= 8).all() and (b[b > 0].index.hour < 20).all() and (b > 0).sum() == 3 * 24


def test_an_overnight_window_runs_from_the_named_evening_into_the_next_morning():
    d = week_demand()
    a = agents_at(StaffingPlan.pattern({"Fri 22:00-06:00": 5}), d)
    on = a[a > 0].index
    assert (a[a > 0] == 5).all() and len(on) == 4 + 12  # Friday 22:00-24:00, Saturday 00:00-06:00
    assert on[0] == pd.Timestamp("2026-01-09 22:00") and on[-1] == pd.Timestamp("2026-01-10 05:30")
    sunday_night = agents_at(StaffingPlan.pattern({"Sun 22:00-06:00": 3}), d)
    assert sunday_night.loc["2026-01-05 00:00":"2026-01-05 05:30"].eq(3).all()  # wraps to Monday morning


def test_french_day_names_and_hours_read_like_english_ones():
    d = week_demand()
    fr = StaffingPlan.pattern({"lun-ven 08h00-20h00": 40, "sam 09h00-13h00": 12})
    en = StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40, "Sat 09:00-13:00": 12})
    np.testing.assert_array_equal(fr.agents(d), en.agents(d))
    assert fr.describe() == en.describe() == "Mon-Fri 08:00-20:00: 40; Sat 09:00-13:00: 12"
    np.testing.assert_array_equal(StaffingPlan.pattern({"Daily 00:00-24:00": 3}).agents(d), np.full(len(d), 3))
    assert StaffingPlan.pattern({"Tous les jours 10:00-11:00": 1}).agents(d).sum() == 7 * 2


def test_a_later_window_overrides_an_earlier_one_where_they_overlap():
    d = week_demand()
    lunch_last = agents_at(StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40, "Wed 12:00-14:00": 10}), d)
    lunch_first = agents_at(StaffingPlan.pattern({"Wed 12:00-14:00": 10, "Mon-Fri 08:00-20:00": 40}), d)
    assert lunch_last["2026-01-07 12:00":"2026-01-07 13:30"].eq(10).all()
    assert lunch_last["2026-01-07 11:30"] == lunch_last["2026-01-07 14:00"] == 40
    assert lunch_first["2026-01-07 12:00":"2026-01-07 13:30"].eq(40).all()


@pytest.mark.parametrize("pattern, match", [
    ({"Mon-Fri": 40}, "expected days and hours"), ({"Mon-Fri 08:00-08:00": 4}, "empty"),
    ({"Mon-Fry 08:00-20:00": 4}, "not a day"), ({"Mon 08:00-25:00": 4}, "not a time of day"),
    ({"Mon 08:00-20:00": -4}, "whole number"), ({}, "mapping"),
])
def test_a_bad_pattern_is_refused_naming_the_window(pattern, match):
    with pytest.raises(ValueError, match=match):
        StaffingPlan.pattern(pattern)


# ----------------------------------------------------------------------------- table, by timestamp
def test_a_table_is_aligned_by_timestamp_not_by_position():
    d = week_demand()  # Monday 5 to Sunday 11 January
    # a week of rows that starts on Sunday at 20:00 (like a roster exported from another tool), the
    # agents on each row telling its own day and hour
    rows = pd.date_range("2026-01-04 20:00", periods=8 * 48, freq="30min")
    table = pd.DataFrame({"ds": rows, "agents": rows.day * 100 + rows.hour})
    a = agents_at(StaffingPlan.table(table), d)
    np.testing.assert_array_equal(a.to_numpy(), d.ds.day * 100 + d.ds.hour)
    shifted = table.assign(ds=table["ds"] + pd.Timedelta("1D"))  # the same rows one day later
    b = agents_at(StaffingPlan.table(shifted), week_demand("2026-01-06", days=6))
    np.testing.assert_array_equal(b.to_numpy(), (b.index - pd.Timedelta("1D")).day * 100 + b.index.hour)


def test_a_table_for_tuesday_to_monday_used_on_a_monday_to_friday_demand_names_the_first_uncovered_interval():
    d = week_demand(days=5)  # Monday 5 to Friday 9 January, open 08:00-20:00
    tue_to_mon = pd.DataFrame({"ds": pd.date_range("2026-01-06", periods=7 * 48, freq="30min"), "agents": 30})
    with pytest.raises(DataError, match=r"does not cover 2026-01-05 08:00:00 \(24 open intervals"):
        StaffingPlan.table(tue_to_mon).agents(d)
    # from Tuesday on it covers every open interval; the rows it has beyond Friday are fine
    a = StaffingPlan.table(tue_to_mon).agents(week_demand("2026-01-06", days=4))
    assert (a == 30).all()


def test_a_table_may_skip_closed_intervals_and_have_extra_rows():
    d = week_demand(days=2)
    open_rows = pd.DataFrame({"ds": d.ds[d.open], "agents": 12})
    extra = pd.concat([open_rows, pd.DataFrame({"ds": pd.date_range("2027-01-01", periods=3, freq="30min"),
                                                "agents": 99})])
    for table in (open_rows, extra.sample(frac=1.0, random_state=0)):  # any row order
        a = StaffingPlan.table(table).agents(d)
        assert (a[d.open] == 12).all() and (a[~d.open] == 0).all()


def test_coarser_and_finer_tables_are_spread_and_averaged_over_the_demand_intervals():
    d = week_demand(days=1)
    hourly = pd.DataFrame({"ds": pd.date_range("2026-01-05", periods=24, freq="h"), "agents": np.arange(24) * 2})
    np.testing.assert_array_equal(StaffingPlan.table(hourly).agents(d), np.repeat(np.arange(24) * 2, 2))
    quarter = pd.DataFrame({"ds": pd.date_range("2026-01-05", periods=96, freq="15min"),
                            "agents": np.tile([10, 13], 48)})
    # each half-hour holds a 10 and a 13: the time-weighted mean 11.5, rounded half up
    np.testing.assert_array_equal(StaffingPlan.table(quarter).agents(d), np.full(48, 12))
    np.testing.assert_array_equal(StaffingPlan.table(quarter.iloc[:3], interval="15min").agents(
        Demand(ds=d.ds[:1], calls=[5.0], interval_s=1800.0)), [12])


def test_a_table_and_a_demand_must_agree_on_time_zones_and_bad_rows_are_named():
    d = week_demand(days=1)
    aware = pd.DataFrame({"ds": pd.date_range("2026-01-05", periods=48, freq="30min", tz="UTC"), "agents": 3})
    with pytest.raises(DataError, match="disagree on time zones"):
        StaffingPlan.table(aware).agents(d)
    toronto = week_demand(days=1, tz="America/Toronto")
    utc_rows = aware.assign(ds=aware["ds"] + pd.Timedelta("5h"), agents=np.arange(48))  # the same instants
    np.testing.assert_array_equal(StaffingPlan.table(utc_rows).agents(toronto), np.arange(48))
    bad = pd.DataFrame({"ds": ["2026-01-05 08:00", "2026-01-05 08:30", "2026-01-05 08:30"], "agents": [1, 2, 3]})
    with pytest.raises(DataError, match="row 3: timestamp 2026-01-05 08:30:00 appears twice"):
        StaffingPlan.table(bad)
    with pytest.raises(DataError, match=r"row 2, column 'agents'.*got 2\.5"):
        StaffingPlan.table(bad.iloc[:2].assign(agents=[1, 2.5]))
    with pytest.raises(DataError, match="row 2: 'ds' is not a timestamp"):
        StaffingPlan.table(bad.iloc[:2].assign(ds=["2026-01-05 08:00", "soon"]))


# ----------------------------------------------------------------------------- sized, relative
@pytest.mark.parametrize("method", ["erlang_c", "erlang_a"])
def test_a_sized_plan_is_the_least_agents_meeting_the_target_on_the_demand_it_is_given(method):
    d = week_demand(days=2)
    a = StaffingPlan.sized(method).agents(d, SCENARIO)
    np.testing.assert_array_equal(a, required_agents(d, SCENARIO, method=method)["agents"].to_numpy())
    assert (a[~d.open] == 0).all() and (a[d.open] > 0).all()
    np.testing.assert_array_equal(StaffingPlan.sized(method).agents(d.with_calls(d.calls * 2), SCENARIO),
                                  required_agents(d.with_calls(d.calls * 2), SCENARIO, method=method)["agents"])
    with pytest.raises(ValueError, match="needs the scenario"):
        StaffingPlan.sized(method).agents(d)
    with pytest.raises(ValueError, match="method"):
        StaffingPlan.sized("guess")
    recommendation = staff(d, SCENARIO, method=method)
    np.testing.assert_array_equal(as_plan(recommendation).agents(d), a)  # its plan: a table by ds


def test_x_1_25_gives_25_percent_more_agent_hours_within_one_interval_and_nights_stay_closed():
    d = week_demand()
    base = StaffingPlan.sized("erlang_a")
    b = base.agents(d, SCENARIO)
    more = (base * 1.25).agents(d, SCENARIO)
    assert abs(more.sum() - 1.25 * b.sum()) <= 1  # agent-intervals: within one interval's worth
    assert (np.abs(more - 1.25 * b) < 1).all() and (more[b == 0] == 0).all()
    assert more.sum() > b.sum()
    assert StaffingPlan.relative(base, 1.25) == base * 1.25 == 1.25 * base


def test_plus_10_adds_only_where_the_base_plan_has_agents():
    d = week_demand()
    base = StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40, "Sat 09:00-13:00": 12})
    b = base.agents(d)
    plus = (base + 10).agents(d)
    np.testing.assert_array_equal(plus, np.where(b > 0, b + 10, 0))
    minus = StaffingPlan.relative(base, 1.0, -15).agents(d)
    np.testing.assert_array_equal(minus, np.where(b > 0, np.maximum(b - 15, 0), 0))  # never below 0
    both = StaffingPlan.relative(base, 0.5, 2).agents(d)
    np.testing.assert_array_equal(both, np.where(b > 0, b // 2 + 2, 0))
    for bad in ({"factor": -1.0}, {"factor": float("inf")}, {"add": 1.5}):
        with pytest.raises(ValueError, match="StaffingPlan.relative"):
            StaffingPlan.relative(base, **bad)


# ----------------------------------------------------------------------------- text, dicts, hashing
@pytest.mark.parametrize("text, want", [
    ("40", StaffingPlan.constant(40)),
    ("erlang_a", StaffingPlan.sized("erlang_a")),
    ("erlang_a x 1.25", StaffingPlan.sized("erlang_a") * 1.25),
    ("erlang_c × 1.1 + 2", StaffingPlan.relative(StaffingPlan.sized("erlang_c"), 1.1, 2)),
    ("40 + 10", StaffingPlan.constant(40) + 10),
    ("simulation - 3", StaffingPlan.relative(StaffingPlan.sized("simulation"), 1.0, -3)),
    ("Mon-Fri 08:00-20:00=40; Sat 09:00-13:00=12",
     StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40, "Sat 09:00-13:00": 12})),
    ("Mon-Fri 08:00-20:00=40 x 1.25", StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40}) * 1.25),
])
def test_parse_reads_the_short_texts_of_the_command_line(text, want):
    assert StaffingPlan.parse(text) == want


@pytest.mark.parametrize("text", ["", "   ", "lots", "Mon-Fri 08:00-20:00", "erlang_b"])
def test_parse_refuses_what_it_cannot_read_with_a_sentence(text):
    with pytest.raises(ValueError, match="staffing"):
        StaffingPlan.parse(text)


ROUND_TRIP_PLANS = [
    StaffingPlan.constant(40),
    StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40, "Fri 22:00-06:00": 3}),
    StaffingPlan.table(pd.DataFrame({"ds": pd.date_range("2026-01-05 08:00", periods=4, freq="30min"),
                                     "agents": [1, 2, 3, 4]})),
    StaffingPlan.table(pd.DataFrame({"ds": pd.date_range("2025-03-08 22:00", periods=8, freq="h",
                                                         tz="America/Toronto"), "agents": range(8)})),
    StaffingPlan.sized("erlang_a"),
    StaffingPlan.sized("simulation", replications=4, seed=2),
    StaffingPlan.relative(StaffingPlan.sized("erlang_a"), 1.25, 2),
    StaffingPlan.pattern({"Sat 09:00-13:00": 12}) * 1.5 + 1,  # relative to a relative plan
]


@pytest.mark.parametrize("plan", ROUND_TRIP_PLANS, ids=lambda p: p.kind)
def test_to_dict_and_from_dict_round_trip_through_json_exactly(plan):
    back = StaffingPlan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert back == plan and hash(back) == hash(plan)
    assert as_plan(plan.to_dict()) == plan and as_plan(plan) is plan


def test_plans_are_hashable_cache_keys_and_describe_themselves():
    cache = {plan: i for i, plan in enumerate(ROUND_TRIP_PLANS)}
    assert len(cache) == len(ROUND_TRIP_PLANS)
    assert cache[StaffingPlan.parse("erlang_a x 1.25 + 2")] == len(ROUND_TRIP_PLANS) - 2
    assert (StaffingPlan.sized("erlang_a") * 1.25).describe() == "sized to target (erlang_a) x 1.25"
    assert (StaffingPlan.constant(40) + 10).describe() == "40 agents + 10"
    with pytest.raises(ValueError, match="one of: agents, pattern, table, sized, base"):
        StaffingPlan.from_dict({"agnets": 4})


def test_as_plan_takes_a_number_a_pattern_a_table_or_a_plan():
    d = week_demand(days=1)
    assert as_plan(12) == StaffingPlan.constant(12)
    assert as_plan({"Mon 08:00-20:00": 4}) == StaffingPlan.pattern({"Mon 08:00-20:00": 4})
    table = pd.DataFrame({"ds": d.ds, "agents": 5})
    assert as_plan(table) == StaffingPlan.table(table)
    assert as_plan("12") == StaffingPlan.constant(12)  # a short text is read by StaffingPlan.parse
    assert as_plan("erlang_a x 1.25") == StaffingPlan.relative(StaffingPlan.sized("erlang_a"), 1.25)
    for bad in (12.0, True, None, [1, 2]):
        with pytest.raises(ValueError, match="staffing must be"):
            as_plan(bad)


# ----------------------------------------------------------------------------- any horizon
@pytest.mark.parametrize("plan", [
    StaffingPlan.pattern({"Mon-Fri 08:00-20:00": 40}),
    StaffingPlan.sized("erlang_a") * 1.25,
    StaffingPlan.table(pd.DataFrame({"ds": pd.date_range("2026-01-05", periods=14 * 48, freq="30min"),
                                     "agents": np.arange(14 * 48) % 17})),
], ids=["pattern", "relative to sized", "table"])
def test_one_plan_fits_a_horizon_of_14_days_and_of_3_days(plan):
    two_weeks = week_demand(days=14)
    three_days = week_demand(days=3)
    long = plan.agents(two_weeks, SCENARIO)
    short = plan.agents(three_days, SCENARIO)
    assert long.shape == (14 * 48,) and short.shape == (3 * 48,)
    np.testing.assert_array_equal(short, long[:3 * 48])
    if plan.kind == "table":
        np.testing.assert_array_equal(long, np.arange(14 * 48) % 17)
    else:  # every open interval of both weeks staffed, every closed one empty
        assert (long[two_weeks.open] > 0).all() and (long[~two_weeks.open] == 0).all()
    frame = plan.frame(three_days, SCENARIO)
    assert list(frame.columns) == ["ds", "agents"] and frame["ds"].equals(pd.Series(three_days.ds, name="ds"))
