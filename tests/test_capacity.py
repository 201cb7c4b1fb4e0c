"""Specifications of simulate.capacity: a weekly hiring plan across months (issue 16)."""
from __future__ import annotations

import io
import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forecast
import simulate
from simulate import capacity as cap
from simulate.capacity.backoffice import weekly_queue

START = pd.Timestamp("2025-01-06")  # a Monday
REPO = Path(__file__).resolve().parent.parent


def required_table(values, group="phones") -> pd.DataFrame:
    return pd.DataFrame({"group": group, "week": np.arange(len(values)), "required_fte": np.asarray(values, float)})


def solve(values, supply: cap.Supply, mip_gap: float = 0.0, **kw) -> cap.CapacityPlan:
    """The exact optimum (mip_gap=0) for a requirement of one group given as FTE per week."""
    problem = cap.CapacityProblem(required=required_table(values), start=START, supply={"phones": supply}, **kw)
    return cap.plan(problem, mip_gap=mip_gap)


# ------------------------------------------------------------------------------------- hand-checkable plans
def test_without_attrition_or_learning_curve_hires_are_the_requirement_minus_headcount_in_the_week_it_rises():
    req = [10, 10, 10, 13, 13, 13, 17, 17, 17, 17]
    p = solve(req, cap.Supply(headcount=10, weekly_cost=100.0))
    hires = p.group("phones")["hires"].to_numpy()
    np.testing.assert_array_equal(hires, [0, 0, 0, 3, 0, 0, 4, 0, 0, 0])
    assert list(p.classes["week_index"]) == [3, 6] and list(p.classes["size"]) == [3, 4]
    np.testing.assert_allclose(p.group("phones")["available"], req)
    assert p.summary["feasible"] and p.summary["fte_weeks_short"] == 0
    # cost: 10 people x 10 weeks + 3 x 7 weeks + 4 x 4 weeks, at 100 a person-week
    assert p.summary["cost"] == pytest.approx(100 * (100 + 21 + 16))


@pytest.mark.parametrize("training", [1, 2, 3])
def test_with_training_of_w_weeks_each_class_starts_w_weeks_earlier(training):
    req = [10, 10, 10, 13, 13, 13, 17, 17, 17, 17]
    p = solve(req, cap.Supply(headcount=10, weekly_cost=100.0, training_weeks=training))
    assert list(p.classes["week_index"]) == [3 - training, 6 - training]
    assert list(p.classes["size"]) == [3, 4]
    wk = p.group("phones")
    # trainees are paid and on staff, not productive
    assert wk["in_training"].iloc[3 - training] == 3 and wk["productive"].iloc[3 - training] == 10
    np.testing.assert_allclose(wk["available"], req)


def test_with_a_learning_curve_the_effective_fte_of_a_class_follows_the_ramp_exactly():
    ramp = (0.25, 0.5, 0.75)
    a = 0.02
    supply = cap.Supply(headcount=40, attrition=a, training_weeks=2, ramp=ramp, classes={1: 10}, class_weeks=())
    p = solve(np.zeros(10), supply)
    wk = p.group("phones")
    w = np.arange(10)
    staff = 40 * (1 - a) ** w
    age = w - 1
    share = np.select([age < 0, age < 2, age < 5], [0.0, 0.0, np.asarray(ramp + (1.0,))[np.clip(age - 2, 0, 3)]], 1.0)
    cohort = np.where(age >= 0, 10 * (1 - a) ** np.maximum(age, 0), 0.0)
    np.testing.assert_allclose(wk["productive"], staff + cohort * share, rtol=1e-12)
    np.testing.assert_allclose(wk["headcount"], staff + cohort, rtol=1e-12)
    np.testing.assert_allclose(wk["in_training"], np.where((age >= 0) & (age < 2), cohort, 0.0), rtol=1e-12)
    np.testing.assert_allclose(wk["attrition"], a * (staff + cohort), rtol=1e-12)
    assert list(p.classes["committed"]) == [True]


def _brute_force(req, head, a, starts, train, ramp, ot, premium, wage, hire_cost, max_size):
    """Least shortfall, then least cost, over every combination of class sizes (overtime filled greedily)."""
    W = len(req)
    best = None
    for sizes in itertools.product(range(max_size + 1), repeat=len(starts)):
        people = head * (1 - a) ** np.arange(W)
        fte = people.copy()
        for c, x in zip(starts, sizes):
            for w in range(c, W):
                n = x * (1 - a) ** (w - c)
                age = w - c
                people[w] += n
                fte[w] += n * (0.0 if age < train else (ramp[age - train] if age - train < len(ramp) else 1.0))
        need = np.maximum(np.asarray(req) - fte, 0.0)
        overtime = np.minimum(need, ot * fte)
        short = float((need - overtime).sum())
        cost = float(wage * people.sum() + premium * wage * overtime.sum() + hire_cost * sum(sizes))
        key = (round(short, 9), cost)
        if best is None or key < best[0]:
            best = (key, sizes)
    return best


@pytest.mark.parametrize("max_size", [6, 2])
def test_the_milp_optimum_equals_a_brute_force_search_on_a_small_instance(max_size):
    req = [5.0, 6.2, 8.0, 9.5, 9.0, 7.0]
    kw = dict(head=5.0, a=0.1, starts=(0, 2, 3), train=1, ramp=(0.5,), ot=0.2, premium=1.5, wage=100.0,
              hire_cost=50.0, max_size=max_size)
    (short, cost), sizes = _brute_force(req, **kw)
    supply = cap.Supply(headcount=5, attrition=0.1, training_weeks=1, ramp=(0.5,), class_weeks=[0, 2, 3],
                        max_class_size=max_size, overtime=0.2, overtime_premium=1.5, weekly_cost=100.0, hire_cost=50.0)
    p = solve(req, supply)
    got = dict(zip(p.classes["week_index"], p.classes["size"]))
    assert tuple(got.get(c, 0) for c in (0, 2, 3)) == sizes
    assert p.summary["cost"] == pytest.approx(cost, rel=1e-7)
    assert p.summary["fte_weeks_short"] == pytest.approx(short, abs=1e-5)  # HiGHS feasibility tolerance
    assert p.summary["cost_bound"] == pytest.approx(cost, rel=1e-7)  # HiGHS proved it
    default = solve(req, supply, mip_gap=1e-3)  # the default: proven within 0.1 % of the least cost
    assert default.summary["cost"] <= cost * 1.001 + 1e-6 and default.summary["fte_weeks_short"] == pytest.approx(
        short, abs=1e-5)
    if max_size == 2:  # too few trainees allowed: the least shortfall is reported, week by week
        assert short > 0 and not p.summary["feasible"] and p.summary["solves"] == 3
        assert p.summary["weeks_short"] == len(p.short) > 0
        assert (p.short["shortfall"] == p.short["required"] - p.short["available"]).all()


def test_min_class_size_means_a_class_runs_full_or_not_at_all():
    p = solve([10, 10, 12, 12, 12, 12], cap.Supply(headcount=10, weekly_cost=100.0, min_class_size=5))
    assert list(p.classes["size"]) == [5]
    assert list(p.classes["week_index"]) == [2]


def test_borrowed_staff_only_after_their_lead_time_and_overtime_within_its_cap():
    supply = cap.Supply(headcount=10, weekly_cost=100.0, borrow_max=3, borrow_lead_weeks=2, borrow_productivity=0.5,
                        overtime=0.1, class_weeks=())
    p = solve([12, 12, 12, 12], supply)
    wk = p.group("phones")
    assert (wk["borrowed"].iloc[:2] == 0).all()
    assert (wk["overtime"] <= 0.1 * wk["productive"] + 1e-9).all()
    # weeks 0-1: overtime alone (1 FTE) cannot cover 2 FTE: short by 1; from week 2 borrowed staff fill the gap
    np.testing.assert_allclose(wk["shortfall"], [1.0, 1.0, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(wk["borrowed"].iloc[2:], 2.0, atol=1e-6)  # 1 FTE short at 50 % productivity


def test_cross_training_lends_spare_staff_to_a_short_group_instead_of_hiring():
    table = pd.concat([required_table([8, 8, 8], "english"), required_table([6, 6, 6], "french")])
    supply = {"english": cap.Supply(headcount=10, weekly_cost=100.0, time_to_hire=0),
              "french": cap.Supply(headcount=5, weekly_cost=100.0)}
    p = cap.plan(cap.CapacityProblem(required=table, start=START, supply=supply,
                                     cross_training={"english>french": (0.2, 0.5)}))
    fr, en = p.group("french"), p.group("english")
    assert p.summary["hires"] == 0 and p.summary["feasible"]
    np.testing.assert_allclose(fr["cross_in"], 1.0)   # 2 FTE lent at 50 % efficiency
    np.testing.assert_allclose(en["cross_out"], 2.0)  # the cap: 20 % of english's 10 FTE
    np.testing.assert_allclose(en["available"], 8.0)


def test_latest_start_is_the_peak_minus_training_on_an_allowed_week_and_says_when_to_decide():
    req = [10] * 10 + [20] + [10] * 5
    supply = cap.Supply(headcount=10, weekly_cost=1.0, training_weeks=3, ramp=(0.5, 0.75), time_to_hire=2,
                        class_weeks=[1, 4, 6, 8])
    ls = solve(req, supply).latest_start.iloc[0]
    assert ls["peak_week_index"] == 10
    assert ls["latest_start_week_index"] == 6       # 10 - 3 = 7 is not a class week
    assert ls["latest_full_start_week_index"] == 4  # 10 - 3 - 2 = 5 -> 4
    assert ls["decide_by"] == START + pd.Timedelta(weeks=4) and ls["in_time"]
    late = solve([20, 10, 10], cap.Supply(headcount=10, weekly_cost=1.0, training_weeks=3)).latest_start.iloc[0]
    assert late["latest_start_week_index"] == -3 and not late["in_time"]


# ------------------------------------------------------------------------------------- requirement
def _daily(weeks=4, level=1500.0):
    ds = pd.date_range(START, periods=7 * weeks, freq="D")
    calls = np.where(ds.day_of_week < 5, level, 0.0)
    return pd.DataFrame({"ds": ds, "yhat": calls, "yhat_lo_95": calls * 0.8, "yhat_hi_95": calls * 1.2})


SCENARIO = simulate.Scenario(name="phones", aht=540.0, patience=600.0, sl_threshold=120.0, sl_target=0.8,
                             shrinkage=0.3, paid_hours_per_week=37.5, hourly_cost=45.0)


def test_weekly_fte_is_the_interval_agents_through_workforce_totals():
    req = cap.weekly_requirement({"phones": _daily()}, SCENARIO)
    iv = req.intervals["phones"]
    week0 = iv[iv["week_index"] == 0]
    agent_hours = week0["agents"].sum() * 0.5
    assert req.weeks["agent_hours"].iloc[0] == pytest.approx(agent_hours)
    assert req.weeks["required_fte"].iloc[0] == pytest.approx(agent_hours / 0.7 / 37.5)
    totals = simulate.workforce_totals(week0["agents"].to_numpy(), 1800.0, SCENARIO)
    assert req.weeks["required_fte"].iloc[0] == pytest.approx(totals["fte"])


def test_a_daily_forecast_spread_flat_needs_the_same_fte_as_the_same_calls_given_per_interval():
    daily = _daily()
    ds = pd.date_range(START, periods=28 * 48, freq="30min")
    hour = ds.hour + ds.minute / 60
    open_ = (hour >= 8) & (hour < 20) & (ds.day_of_week < 5)
    interval = pd.DataFrame({"ds": ds[open_], "calls": 1500.0 / 24})  # closed slots left out of the table
    a = cap.weekly_requirement({"phones": daily}, SCENARIO).weeks
    b = cap.weekly_requirement({"phones": interval}, SCENARIO).weeks
    np.testing.assert_allclose(a["required_fte"], b["required_fte"], rtol=1e-12)
    weekly = daily.set_index("ds").resample("W-SUN").sum().reset_index()  # one row per week, ds on Sundays
    c = cap.weekly_requirement({"phones": weekly}, SCENARIO, start=START).weeks
    np.testing.assert_allclose(c["required_fte"], a["required_fte"], rtol=1e-12)


def test_a_higher_planning_quantile_needs_more_people_and_p50_is_the_forecast_itself():
    daily = _daily()
    p50 = cap.weekly_requirement({"phones": daily}, SCENARIO, quantile=0.5).weeks
    p80 = cap.weekly_requirement({"phones": daily}, SCENARIO, quantile=0.8).weeks
    assert (p80["required_fte"] > p50["required_fte"]).all()
    np.testing.assert_allclose(p50["calls_planned"], p50["calls"])
    z80 = 0.8416212335729143
    np.testing.assert_allclose(p80["calls_planned"], p50["calls"] * (1 + z80 * 0.4 / (2 * 1.959963984540054)))


def test_a_profile_with_a_peak_needs_more_people_than_a_flat_day():
    peaked = pd.Series({f"{h:02d}:{m:02d}": (3.0 if 10 <= h < 12 else 1.0) for h in range(8, 20) for m in (0, 30)})
    flat = cap.weekly_requirement({"phones": _daily()}, SCENARIO).weeks["required_fte"]
    peak = cap.weekly_requirement({"phones": _daily()}, SCENARIO, profile=peaked).weeks["required_fte"]
    assert (peak > flat).all()


def test_service_level_meets_the_target_when_available_equals_required_and_falls_below_when_short():
    p = cap.plan(cap.CapacityProblem(demand={"phones": _daily()}, scenarios={"phones": SCENARIO},
                                     supply={"phones": cap.Supply(headcount=0, time_to_hire=0)}))
    wk = p.group("phones")
    assert (wk["service_level"] >= SCENARIO.sl_target - 1e-9).all()
    short = cap.plan(cap.CapacityProblem(demand={"phones": _daily()}, scenarios={"phones": SCENARIO},
                                         supply={"phones": cap.Supply(headcount=20, class_weeks=())}))
    assert (short.group("phones")["service_level"] < SCENARIO.sl_target).all()


def test_bad_inputs_are_refused_naming_the_field():
    with pytest.raises(ValueError, match="Supply.attrition"):
        cap.Supply(attrition=1.0)
    with pytest.raises(ValueError, match="Supply.min_class_size"):
        cap.Supply(min_class_size=5, max_class_size=3)
    with pytest.raises(ValueError, match="supply: no Supply for group 'phones'"):
        cap.CapacityProblem(required=required_table([1, 2]), start=START, supply={})
    with pytest.raises(forecast.DataError, match="column 'yhat' at row 2"):
        cap.weekly_requirement({"phones": pd.DataFrame({"ds": [START, START + pd.Timedelta("1D")],
                                                        "yhat": [1.0, -1.0]})}, SCENARIO)
    with pytest.raises(ValueError, match="quantile 0.8 needs the forecast's bands"):
        cap.weekly_requirement({"phones": _daily()[["ds", "yhat"]]}, SCENARIO, quantile=0.8)


# ------------------------------------------------------------------------------------- back office
@pytest.fixture(scope="module")
def backlog_model():
    """BacklogModel fitted on the bundled passport days of 2019-01-01..2022-01-16 (the spring bumps of 2019
    and 2020 identify the status-call coefficient), and the daily applications."""
    wide = pd.read_csv(REPO / "data" / "passport" / "passport_daily_wide.csv", parse_dates=["ds"])
    wide = wide[(wide["ds"] >= "2019-01-01") & (wide["ds"] <= "2022-12-31")]
    hist = wide.melt(id_vars="ds", var_name="series", value_name="y").dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = forecast.BacklogModel().fit(hist[hist["ds"] <= "2022-01-16"])
    return model, wide.set_index("ds")["applications"].astype(float)


def _backoffice_plan(model, apps, processors: float, weeks: int = 10) -> cap.CapacityPlan:
    days = pd.date_range("2022-01-17", periods=7 * weeks, freq="D")
    bo = cap.Backoffice(model=model, applications=apps.reindex(days))
    supply = {"phones": cap.Supply(headcount=2000, class_weeks=()),
              "processing": cap.Supply(headcount=processors, class_weeks=(), productivity=5.0)}
    return cap.plan(cap.CapacityProblem(scenarios={"phones": SCENARIO}, supply=supply, backoffice=bo))


def test_fewer_processors_raise_the_backlog_then_the_status_calls_then_the_agents_needed(backlog_model):
    model, apps = backlog_model
    full, cut = _backoffice_plan(model, apps, 1500), _backoffice_plan(model, apps, 1200)
    f_ph, c_ph = full.group("phones"), cut.group("phones")
    d_backlog = c_ph["backlog"] - f_ph["backlog"]
    d_status = c_ph["status_calls"] - f_ph["status_calls"]
    d_agents = c_ph["required"] - f_ph["required"]
    assert (d_backlog >= -1e-6).all() and (d_status >= -1e-6).all() and (d_agents >= -1e-6).all()
    first = lambda d: int(np.flatnonzero(d.to_numpy() > 1e-6)[0])  # noqa: E731
    # the backlog grows at once; status calls only once applications pass the 20-business-day standard
    assert first(d_backlog) == 0
    assert first(d_status) >= 3 and first(d_agents) == first(d_status)
    assert d_status.iloc[-1] > 0 and d_agents.iloc[-1] > 0

    # ...by the amounts the backlog model projects for that processing capacity, day by day
    q = weekly_queue(cut.problem.backoffice, pd.Timestamp("2022-01-17"), 10)
    capacity = pd.Series(np.where(q.business, 1200 * 5.0, 0.0), index=q.days)
    proj = model.project(apps.reindex(q.days), capacity, start=q.days[0])
    week = np.arange(len(q.days)) // 7
    np.testing.assert_allclose(c_ph["backlog"], proj.groupby(week)["backlog"].last(), rtol=1e-9)
    np.testing.assert_allclose(c_ph["status_calls"], proj.groupby(week)["status_calls"].sum(), rtol=1e-9)
    np.testing.assert_allclose(c_ph["calls"], proj.groupby(week)["calls"].sum(), rtol=1e-9)
    # ...and the agents needed are the phones' requirement of exactly those calls
    calls = pd.DataFrame({"ds": proj["ds"], "yhat": proj["calls"]})
    again = cap.weekly_requirement({"phones": calls}, SCENARIO, start="2022-01-17").weeks
    np.testing.assert_allclose(c_ph["required"], again["required_fte"], rtol=1e-9)
    # the processing group is short exactly by the applications past standard, as work
    pr = cut.group("processing")
    np.testing.assert_allclose(pr["shortfall"], pr["past_standard"] / (5.0 * q.bdays), rtol=1e-9)


def test_planning_processors_and_phones_together_keeps_applications_within_standard(backlog_model):
    model, apps = backlog_model
    days = pd.date_range("2022-01-17", periods=7 * 10, freq="D")
    bo = cap.Backoffice(model=model, applications=apps.reindex(days))
    supply = {"phones": cap.Supply(headcount=100, time_to_hire=1, training_weeks=1),
              "processing": cap.Supply(headcount=1200, productivity=5.0, weekly_cost=1500.0, time_to_hire=1)}
    p = cap.plan(cap.CapacityProblem(scenarios={"phones": SCENARIO}, supply=supply, backoffice=bo))
    assert p.summary["feasible"], p.short
    assert p.summary["peak_past_standard"] < 1.0 and p.summary["hires"] > 0
    wk = p.group("phones")
    assert (wk["available"] >= wk["required"] - 1e-6).all()
    assert p.summary["link_residual_fte"] <= max(0.5, 0.002 * wk["required"].max())


# ------------------------------------------------------------------------------------- what-ifs and files
def test_what_ifs_move_the_plan_the_way_a_director_expects():
    base = cap.CapacityProblem(required=required_table([50] * 6 + [80] * 6 + [50] * 4), start=START,
                               supply={"phones": cap.Supply(headcount=50, attrition=0.01, training_weeks=4,
                                                            time_to_hire=2, weekly_cost=100.0, hire_cost=500.0,
                                                            overtime=0.1)})
    plans = cap.what_ifs(base)
    table = cap.compare(plans)
    assert list(table["plan"]) == ["plan", *cap.DEFAULT_WHAT_IFS]
    row = table.set_index("plan")
    assert row.loc["surge +20%", "hires"] > row.loc["plan", "hires"]
    assert row.loc["surge +20%", "peak_required"] == pytest.approx(96.0)
    assert row.loc["attrition doubled", "hires"] > row.loc["plan", "hires"]
    assert row.loc["status line automation 20%", "cost"] < row.loc["plan", "cost"]
    # peak in week 6, 4 weeks of training: start by week 2, decide by week 0; four weeks earlier it is too late
    assert plans["plan"].latest_start["latest_start_week_index"].iloc[0] == 2
    assert plans["plan"].latest_start["in_time"].iloc[0]
    early = plans["surge 4 weeks earlier"]
    assert early.latest_start["latest_start_week_index"].iloc[0] == -2 and not early.latest_start["in_time"].iloc[0]
    assert row.loc["surge 4 weeks earlier", "fte_weeks_short"] > 0 == row.loc["plan", "fte_weeks_short"]
    assert plans["training 2 weeks shorter"].latest_start["latest_start"].iloc[0] > \
        plans["plan"].latest_start["latest_start"].iloc[0]
    kept = cap.what_ifs(base, {"surge +20%": {"surge": 1.2}}, base=plans["plan"], keep_hires=True)
    assert kept["surge +20%"].classes["committed"].all()
    assert kept["surge +20%"].summary["fte_weeks_short"] > 0


def test_excel_export_has_the_weekly_table_and_an_assumptions_sheet(tmp_path):
    p = solve([10, 12, 12], cap.Supply(headcount=10, weekly_cost=100.0))
    path = cap.to_excel(p, tmp_path / "plan.xlsx", what_ifs=cap.compare({"plan": p}))
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"Summary", "Weeks", "Classes", "Latest start", "What-ifs", "Assumptions"} <= set(sheets)
    assert len(sheets["Weeks"]) == 3 and "Shortfall (FTE)" in sheets["Weeks"].columns
    assert "headcount" in set(sheets["Assumptions"]["Parameter"])  # English names the file's keys
    buf = cap.to_excel(p, io.BytesIO())
    assert buf.getvalue()[:2] == b"PK"


def test_supply_assumptions_read_from_toml(tmp_path):
    (tmp_path / "s.toml").write_text("""
[plan]
quantile = 0.8
[groups.phones]
scenario = "current.toml"
headcount = 200
ramp = [0.5, 0.75]
classes = { "3" = 20, "2022-02-07" = 10 }
[cross_training]
"phones>french" = [0.2, 0.9]
""", encoding="utf-8")
    SCENARIO.save(tmp_path / "current.toml")
    got = cap.read_supply_toml(tmp_path / "s.toml")
    assert got["plan"] == {"quantile": 0.8}
    assert got["supply"]["phones"].ramp == (0.5, 0.75)
    assert got["supply"]["phones"].classes == ((3, 20.0), ("2022-02-07", 10.0))
    assert got["scenarios"]["phones"] == SCENARIO
    (tmp_path / "bad.toml").write_text("[groups.phones]\nheadcount = 1\nhedcount = 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[groups.phones\].*hedcount"):
        cap.read_supply_toml(tmp_path / "bad.toml")


def test_what_if_moves_demand_earlier_and_scales_it_and_its_bands():
    daily = _daily(weeks=3)
    for col in ("yhat", "yhat_lo_95", "yhat_hi_95"):
        daily[col] = daily[col] * np.repeat([1.0, 2.0, 3.0], 7)
    problem = cap.CapacityProblem(demand={"phones": daily}, scenarios={"phones": SCENARIO},
                                  supply={"phones": cap.Supply(headcount=10)})
    moved = cap.what_if(problem, earlier_weeks=1, surge=1.5).demand["phones"]
    assert list(moved["ds"]) == list(daily["ds"])  # same days: the plan keeps its weeks
    level = moved.groupby(np.arange(21) // 7)["yhat"].max().to_numpy()
    np.testing.assert_allclose(level, 1500.0 * 1.5 * np.array([2.0, 3.0, 3.0]))  # the last week repeats
    np.testing.assert_allclose(moved["yhat_hi_95"], moved["yhat"] * 1.2)
    fewer = cap.what_if(problem, automation=0.25).demand["phones"]
    np.testing.assert_allclose(fewer["yhat"], daily["yhat"] * 0.75)


def test_intraday_profile_is_the_mean_shape_of_the_open_days():
    ds = pd.date_range(START, periods=3 * 48, freq="30min")
    y = np.where((ds.hour == 9) & (ds.minute == 0), 30.0, np.where((ds.hour == 10) & (ds.minute == 0), 10.0, 0.0))
    y[ds.normalize() == START + pd.Timedelta(days=1)] = 0.0  # a closed day
    prof = cap.intraday_profile(pd.DataFrame({"ds": ds, "y": y}))
    assert len(prof) == 48 and prof[prof > 0].to_dict() == {"09:00": 0.75, "10:00": 0.25}
    req = cap.weekly_requirement({"phones": _daily(1)}, SCENARIO, profile=prof)
    calls = req.intervals["phones"].set_index("ds")["calls"]
    assert calls[START + pd.Timedelta(hours=9)] == pytest.approx(1125.0)


def test_a_problem_from_a_history_and_the_supply_toml_of_the_examples():
    hist = pd.DataFrame({"series": "callers", "ds": _daily(4)["ds"], "y": _daily(4)["yhat"]})
    problem = cap.problem_from_toml(hist, REPO / "examples" / "capacity_supply.toml", series="callers",
                                    start="2025-01-13")
    assert problem.groups == ["phones"] and problem.plan_start() == pd.Timestamp("2025-01-13")
    assert problem.supply["phones"].ramp == (0.5, 0.75) and problem.quantile == 0.5
    p = cap.plan(problem)
    assert p.summary["weeks"] == 3 and p.summary["feasible"]
    two = pd.concat([hist.assign(group="english"), hist.assign(group="french")])
    with pytest.raises(ValueError, match="no \\[groups.english\\] table"):
        cap.problem_from_toml(two, REPO / "examples" / "capacity_supply.toml", series="callers")


def test_a_week_with_a_daylight_saving_change_counts_seven_calendar_days():
    ds = pd.date_range("2025-10-27", periods=14 * 96, freq="15min", tz="America/Toronto")  # clocks go back 2 Nov
    hour = ds.hour + ds.minute / 60
    open_ = (hour >= 8) & (hour < 18) & (ds.day_of_week < 5)
    aware = pd.DataFrame({"ds": ds[open_], "yhat": 40.0})
    naive = aware.assign(ds=aware["ds"].dt.tz_localize(None))
    a = cap.weekly_requirement({"a": aware}, SCENARIO).weeks
    b = cap.weekly_requirement({"a": naive}, SCENARIO).weeks
    assert list(a["days"]) == [7, 7]
    assert [w.strftime("%Y-%m-%d %H:%M") for w in a["week"]] == ["2025-10-27 00:00", "2025-11-03 00:00"]
    np.testing.assert_allclose(a["required_fte"], b["required_fte"], rtol=1e-12)
