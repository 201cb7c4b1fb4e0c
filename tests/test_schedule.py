"""Specifications of simulate.schedule: shift covering by integer programming (HiGHS)."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate.schedule import SHORTAGE_PENALTY, Schedule


def day_requirements(freq: str = "30min", open_from: float = 8.0, open_to: float = 20.0) -> pd.DataFrame:
    ds = pd.date_range("2022-06-06", periods=int(pd.Timedelta("1D") / pd.Timedelta(freq)), freq=freq)
    hour = ds.hour + ds.minute / 60.0
    shape = 4.0 + 9.0 * np.exp(-((hour - 11.0) / 2.0) ** 2)
    agents = np.where((hour >= open_from) & (hour < open_to), np.round(shape, 2), 0.0)
    return pd.DataFrame({"ds": ds, "agents": agents})


def on_duty_from_shift_table(sched: Schedule, ds: pd.Series, interval: pd.Timedelta,
                             break_from: pd.Timedelta | None, break_len: pd.Timedelta) -> np.ndarray:
    """People on duty per interval, recomputed from the shifts table alone (whole-interval breaks)."""
    out = np.zeros(len(ds))
    for row in sched.shifts.itertuples():
        start, end = row.start, row.end
        for k, t in enumerate(ds):
            if not (start <= t and t + interval <= end):
                continue
            if break_from is not None and start + break_from <= t < start + break_from + break_len:
                continue
            out[k] += row.people
    return out


def test_coverage_meets_every_interval_recomputed_from_the_shift_table():
    req = day_requirements()
    sched = simulate.schedule(req, shift_lengths=("8h",), start_every="30min")
    assert sched.feasible and sched.optimal
    # default break model: 8-hour shift, 30-minute unpaid break at 03:30 after the start
    on_duty = on_duty_from_shift_table(sched, req["ds"], pd.Timedelta("30min"),
                                       pd.Timedelta("3h30min"), pd.Timedelta("30min"))
    assert (on_duty >= req["agents"].to_numpy() - 1e-9).all()
    np.testing.assert_allclose(sched.coverage["scheduled"].to_numpy(), on_duty)
    assert (sched.coverage["under"] == 0).all()
    assert set(sched.shifts["breaks"]) == {"03:30-04:00 unpaid"}


def test_paid_hours_equal_the_solver_objective_and_the_shift_table():
    req = day_requirements()
    sched = simulate.schedule(req, shift_lengths=("8h", "6h", "4h"))
    from_table = float((sched.shifts["paid_h"] * sched.shifts["people"]).sum())
    assert sched.paid_hours == pytest.approx(from_table)
    assert sched.objective == pytest.approx(sched.paid_hours, abs=1e-6)
    assert sched.headcount == int(sched.shifts["people"].sum())
    # 8h and 6h shifts lose a 30-minute unpaid lunch; 4h shifts have none
    paid = dict(zip(sched.shifts["length_h"], sched.shifts["paid_h"]))
    assert all(paid[length] == {8.0: 7.5, 6.0: 5.5, 4.0: 4.0}[length] for length in paid)
    # no schedule pays fewer hours than agents are required
    assert sched.paid_hours >= sched.required_agent_hours


def test_fractional_requirement_is_rounded_up_once_by_the_solver():
    ds = pd.date_range("2022-06-06 08:00", periods=16, freq="30min")
    req = pd.DataFrame({"ds": ds, "agents": np.full(16, 2.2)})
    sched = simulate.schedule(req, shift_lengths=("8h",), breaks=None)
    assert sched.headcount == 3
    assert sched.paid_hours == pytest.approx(24.0)


def brute_force_min_paid(req: np.ndarray, lengths_h: tuple[int, ...], cap: int | None = None) -> tuple[float, float]:
    """Enumerate every schedule of 1-hour intervals and starts; return (min shortage, then min paid)."""
    n = len(req)
    shifts = [(s, length) for length in lengths_h for s in range(n)]
    cover = np.zeros((len(shifts), n))
    for i, (s, length) in enumerate(shifts):
        cover[i, s:min(n, s + length)] = 1.0
    top = int(np.ceil(req.max()))
    x = np.array(list(itertools.product(range(top + 1), repeat=len(shifts))), dtype=float)  # every schedule
    if cap is not None:
        x = x[x.sum(axis=1) <= cap]
    shortage = np.round(np.clip(req - x @ cover, 0, None).sum(axis=1), 9)
    paid = x @ np.array([length for _, length in shifts], dtype=float)
    least_short = shortage.min()
    return float(least_short), float(paid[shortage == least_short].min())


def hourly(req: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"ds": pd.date_range("2022-06-06 08:00", periods=len(req), freq="1h"), "agents": req})


def test_tiny_case_matches_the_brute_force_optimum():
    req = np.array([1.0, 2.0, 1.5, 0.0, 2.0])
    expected_short, expected_paid = brute_force_min_paid(req, (2, 3))
    assert expected_short == 0
    sched = simulate.schedule(hourly(list(req)), shift_lengths=("2h", "3h"), start_every="1h", breaks=None)
    assert sched.optimal and sched.feasible
    assert sched.paid_hours == pytest.approx(expected_paid)


def test_headcount_cap_returns_the_best_partial_schedule_not_an_error():
    req = np.array([1.0, 2.0, 1.5, 0.0, 2.0])
    expected_short, expected_paid = brute_force_min_paid(req, (2, 3), cap=2)
    assert expected_short > 0
    sched = simulate.schedule(hourly(list(req)), shift_lengths=("2h", "3h"), start_every="1h", breaks=None,
                              max_headcount=2)
    assert sched.feasible is False
    assert sched.headcount <= 2
    assert (sched.coverage["under"] > 0).any()
    assert len(sched.short) == int((sched.coverage["under"] > 1e-6).sum()) > 0
    assert "impossible" in sched.status
    assert sched.shortage_agent_hours == pytest.approx(expected_short)
    assert sched.paid_hours == pytest.approx(expected_paid)
    assert sched.objective == pytest.approx(expected_paid + SHORTAGE_PENALTY * expected_short)


def test_headcount_cap_that_is_not_binding_changes_nothing():
    req = day_requirements()
    free = simulate.schedule(req)
    capped = simulate.schedule(req, max_headcount=free.headcount)
    assert capped.feasible and capped.paid_hours == pytest.approx(free.paid_hours)


def test_zero_requirement_gives_an_empty_schedule():
    req = pd.DataFrame({"ds": pd.date_range("2022-06-06", periods=48, freq="30min"), "agents": 0.0})
    sched = simulate.schedule(req)
    assert sched.shifts.empty
    assert list(sched.shifts.columns) == ["start", "end", "length_h", "paid_h", "breaks", "people"]
    assert sched.paid_hours == 0 and sched.headcount == 0
    assert sched.feasible and sched.optimal
    assert (sched.coverage["scheduled"] == 0).all() and len(sched.coverage) == 48


def test_closed_nights_get_no_idle_shifts_and_shifts_stay_near_opening_hours():
    two_days = pd.concat([day_requirements(), day_requirements().assign(ds=lambda d: d["ds"] + pd.Timedelta("1D"))],
                         ignore_index=True)
    sched = simulate.schedule(two_days, shift_lengths=("8h", "4h"))
    assert sched.feasible
    for row in sched.shifts.itertuples():
        window = two_days[(two_days["ds"] >= row.start) & (two_days["ds"] < row.end)]
        assert (window["agents"] > 0).any(), "a shift covers only closed intervals"
    # the night between the days is closed, so nobody is on duty at 02:00
    night = sched.coverage[sched.coverage["ds"] == pd.Timestamp("2022-06-07 02:00")]
    assert float(night["scheduled"].iloc[0]) == 0.0


def test_cyclic_horizon_lets_a_late_shift_wrap_to_the_first_intervals():
    ds = pd.date_range("2022-06-06", periods=8, freq="1h")
    req = pd.DataFrame({"ds": ds, "agents": [1, 1, 0, 0, 0, 0, 1, 1]})
    straight = simulate.schedule(req, shift_lengths=("4h",), start_every="1h", breaks=None)
    wrapped = simulate.schedule(req, shift_lengths=("4h",), start_every="1h", breaks=None, cyclic=True)
    assert straight.paid_hours == pytest.approx(8.0)
    assert wrapped.paid_hours == pytest.approx(4.0)
    assert wrapped.feasible and wrapped.shifts["start"].iloc[0] == pd.Timestamp("2022-06-06 06:00")


def test_explicit_breaks_are_removed_from_coverage_and_unpaid_ones_from_paid_hours():
    ds = pd.date_range("2022-06-06 08:00", periods=8, freq="1h")
    req = pd.DataFrame({"ds": ds, "agents": 1.0})
    sched = simulate.schedule(req, shift_lengths=("8h",), start_every="1h",
                              breaks=[("4h", "1h"), ("2h", "15min", True)])
    # the 1-hour unpaid lunch leaves 12:00-13:00 uncovered by the first shift: a second one is needed
    assert sched.headcount == 2
    assert (sched.coverage["under"] == 0).all()
    assert sched.shifts["paid_h"].iloc[0] == pytest.approx(7.0)
    covered = sched.coverage.set_index("ds")["scheduled"]
    assert covered[pd.Timestamp("2022-06-06 10:00")] >= 0.75  # a 15-minute break takes a quarter of the hour


def test_requirement_column_prefers_scheduled_then_agents_then_agents_required():
    ds = pd.date_range("2022-06-06 08:00", periods=8, freq="1h")
    req = pd.DataFrame({"ds": ds, "agents_required": 1.0, "agents": 2.0, "scheduled": 3.0})
    kwargs = dict(shift_lengths=("8h",), start_every="1h", breaks=None)
    assert simulate.schedule(req, **kwargs).headcount == 3
    assert simulate.schedule(req.drop(columns="scheduled"), **kwargs).headcount == 2
    assert simulate.schedule(req[["ds", "agents_required"]], **kwargs).headcount == 1
    assert simulate.schedule(req, column="agents_required", **kwargs).column == "agents_required"


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (pd.DataFrame({"ds": pd.to_datetime(["2022-06-06 08:00", "2022-06-06 08:30", "2022-06-06 09:30"]),
                       "agents": [1, 1, 1]}), {}, "regularly spaced"),
        (pd.DataFrame({"ds": pd.date_range("2022-06-06", periods=3, freq="30min"), "agents": [1, -1, 1]}), {},
         "row 1"),
        (pd.DataFrame({"ds": pd.date_range("2022-06-06", periods=3, freq="30min"), "calls": [1, 1, 1]}), {},
         "requirement column"),
        (pd.DataFrame({"ds": pd.date_range("2022-06-06", periods=3, freq="30min"), "agents": [1, 1, 1]}),
         {"shift_lengths": ("eight hours",)}, "shift_lengths"),
        (pd.DataFrame({"ds": pd.date_range("2022-06-06", periods=3, freq="30min"), "agents": [1, 1, 1]}),
         {"max_headcount": -1}, "max_headcount"),
        (pd.DataFrame({"ds": pd.date_range("2022-06-06", periods=3, freq="30min"), "agents": [1, 1, 1]}),
         {"breaks": [("7h", "2h")]}, "does not fit"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_problem(frame, kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate.schedule(frame, **kwargs)


def test_time_limit_returns_the_best_schedule_found_without_claiming_optimality():
    # a 24/7 week with noisy requirements: HiGHS cannot prove optimality in a few hundredths of a second
    ds = pd.date_range("2022-06-06", periods=336, freq="30min")
    hour = ds.hour + ds.minute / 60.0
    agents = np.round(20 + 15 * np.sin((hour - 6) / 24 * 2 * np.pi) + np.random.default_rng(0).uniform(0, 3, 336), 2)
    req = pd.DataFrame({"ds": ds, "agents": agents})
    sched = simulate.schedule(req, shift_lengths=("8h", "6h", "4h"), time_limit=0.05)
    assert sched.feasible and not sched.optimal
    assert "time limit" in sched.status
    assert (sched.coverage["scheduled"] >= sched.coverage["required"] - 1e-9).all()
    assert sched.paid_hours >= sched.required_agent_hours


def test_greedy_fallback_covers_every_interval():
    from simulate.schedule import _greedy_cover

    cover = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0.5], [0, 0, 1.0]])  # (intervals, shifts)
    required = np.array([2.0, 3.5, 1.2, 2.0])
    x = _greedy_cover(cover, required)
    assert (cover @ x >= required - 1e-9).all() and (x == np.round(x)).all()


def test_optimal_schedules_sit_on_the_proven_lower_bound():
    sched = simulate.schedule(day_requirements(), shift_lengths=("8h", "6h"))
    assert sched.optimal
    # paid hours come in half-hour grains (7.5 h and 5.5 h), so optimal means within half an hour of the bound
    assert sched.dual_bound - 1e-6 <= sched.objective < sched.dual_bound + 0.5


def test_max_idle_keeps_shifts_inside_opening_hours_at_a_price():
    req = day_requirements()
    free = simulate.schedule(req, shift_lengths=("8h", "6h", "4h"))
    inside = simulate.schedule(req, shift_lengths=("8h", "6h", "4h"), max_idle="0h")
    assert inside.feasible and inside.optimal
    assert (inside.shifts["start"] >= pd.Timestamp("2022-06-06 08:00")).all()
    assert (inside.shifts["end"] <= pd.Timestamp("2022-06-06 20:00")).all()
    assert inside.paid_hours >= free.paid_hours  # a restriction can only cost more
    assert inside.settings["max_idle_h"] == 0.0


def test_among_equally_cheap_schedules_the_one_with_least_idle_time_is_chosen():
    # one agent 08:00-12:00 and a second 08:00-09:00: the second 4-hour shift may start anywhere
    # from 05:00 to 08:00 for the same pay; only 08:00 keeps nobody on duty while the line is closed
    ds = pd.date_range("2022-06-06 04:00", "2022-06-06 13:30", freq="30min")
    hour = ds.hour + ds.minute / 60.0
    agents = np.where((hour >= 8) & (hour < 12), 1.0, 0.0) + np.where((hour >= 8) & (hour < 9), 1.0, 0.0)
    sched = simulate.schedule(pd.DataFrame({"ds": ds, "agents": agents}), shift_lengths=("4h",), breaks=None)
    assert sched.optimal and sched.paid_hours == 8.0 and sched.objective == pytest.approx(8.0)
    assert sched.shifts["start"].tolist() == [pd.Timestamp("2022-06-06 08:00")]
    assert sched.shifts["people"].tolist() == [2]
    closed = sched.coverage["required"] == 0
    assert float(sched.coverage.loc[closed, "scheduled"].sum()) == 0.0


def test_least_idle_keeps_paid_hours_and_moves_people_out_of_closed_hours():
    req = day_requirements()  # open 08:00-20:00; 8-hour shifts cannot tile it without idle time
    first = simulate.schedule(req, shift_lengths=("8h",), least_idle=False)
    tidy = simulate.schedule(req, shift_lengths=("8h",))
    closed = req["agents"].to_numpy() == 0

    def idle_hours(s):
        return float(s.coverage["scheduled"].to_numpy()[closed].sum()) * 0.5

    assert tidy.optimal and tidy.feasible and tidy.settings["least_idle"]
    assert tidy.paid_hours == first.paid_hours and tidy.headcount == first.headcount
    assert idle_hours(tidy) < idle_hours(first)


def test_bare_numbers_are_seconds_as_everywhere_in_simulate_and_text_needs_its_unit():
    req = hourly([1.0, 2.0, 2.0, 3.0, 2.0, 1.0, 0.0, 0.0])
    in_text = simulate.schedule(req, shift_lengths=("3h", "4h"), start_every="1h", breaks=[("2h", "30min")],
                                max_idle="1h")
    in_seconds = simulate.schedule(req, shift_lengths=(10_800, 14_400.0), start_every=3_600, breaks=[(7_200, 1_800)],
                                   max_idle=3_600.0)
    assert in_text.optimal and not in_text.shifts.empty
    pd.testing.assert_frame_equal(in_seconds.shifts, in_text.shifts)
    assert in_seconds.paid_hours == in_text.paid_hours
    # 8 read as seconds is shorter than one 1-hour interval: refused, with the way to say hours
    with pytest.raises(ValueError, match=r"shift_lengths: 8 s is shorter than one interval.*'8h'"):
        simulate.schedule(req, shift_lengths=(8,))
    # text without a unit would be nanoseconds to pandas
    with pytest.raises(ValueError, match=r"start_every '1' has no unit: write e.g. '1h'"):
        simulate.schedule(req, start_every="1")
