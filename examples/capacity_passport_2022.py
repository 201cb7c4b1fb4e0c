"""The 2022 passport surge as a capacity plan: the ramp that happened vs the least-cost plan.

Applications to the passport program took off in January 2022. The workforce roughly doubled, from
1,365 in March 2022 to 2,639 in December 2022 (the Minister at the HUMA committee, 10 February 2023),
but recruits take weeks to hire and train and are slow at first: the backlog passed 500,000, nearly
290,000 applications waited beyond the 20-business-day standard, and the phones were swamped by
"where is my passport?" calls. This script asks what a least-cost plan started at the first sign of
the surge would have done, and shows the backlog, the calls and the service level week by week for
both.

Data: ``data/passport/passport_daily.csv``, SYNTHETIC, calibrated to the published figures (see
data/README.md): applications, processing, backlog, calls. What is assumed here, in one place:

* **First sign of the surge**: the first week since October 2021 whose applications exceed 1.5 x the
  mean of the 8 weeks before (week ending Sunday 16 January 2022: 1.83 x). The plan starts Monday
  17 January and runs to Sunday 25 December 2022 (49 weeks). The plan aims to process applications
  within 15 business days: a 5-day buffer on the 20-day standard it is judged by.
* **Demand known in hindsight**: the plan uses the applications that actually came (a planner would
  use a forecast; the "surge +20%" and "4 weeks earlier" what-ifs show what misjudging it costs).
  Calls come from a :class:`forecast.BacklogModel` fitted on the history up to the first sign
  (general enquiries, calls per recent application, and status calls per application past standard);
  they count callers (first attempts), as the model is fitted on them: redials of blocked callers are
  not demand.
* **Processing**: 1,365 people at the start (the published March 2022 figure); 5.0 applications per
  productive person per business day (the bundled data processed about 34,500 a week in February and
  March 2022: 34,500 / 5 days / 1,365 = 5.05); attrition 0.2 % a week; 4 weeks to hire, 6 weeks of
  training, then 50 % -> 100 % productivity over 5 weeks; classes of at most 150; overtime up to 10 %
  (the program reported 7,076 overtime hours in the week of 11-17 July 2022, about 9 % of its staff's
  time); up to 300 borrowed staff from other programs after 2 weeks, at 80 % productivity.
* **Phones**: the policy of ``examples/current.toml`` (540 s handle time, 10-minute mean patience,
  80 % answered within 2 minutes, at most 10 % abandoned, 30 % shrinkage, 45 an hour); 200 people at
  the start (the bundled generator answers at most 7,000 calls a day in March 2022: 7,000 x 545 s at
  5.25 productive hours a day is 200 people); attrition 0.3 % a week; 3 weeks to hire, 4 of training,
  then 50 % and 75 %; classes of at most 60; overtime up to 10 %; up to 100 borrowed after 2 weeks.
  Intraday profile: the mean shape of ``data/passport/passport_intraday_30min.csv``.
* **The ramp that happened**: processing headcount flat at 1,365 until 31 March 2022, then a straight
  line to 2,639 on 15 December 2022 (only the two ends are published); phones from 200 to 577 people
  over the same dates (the generator's answering capacity rising from 7,000 to 20,000 calls a day).
  Overtime as needed (up to 10 %), no borrowed staff.
* Costs: 45 an hour x 37.5 paid hours a week for everyone; 5,000 per hire.

Run from the repository root (about half a minute; ``--quick`` skips the what-ifs)::

    python examples/capacity_passport_2022.py [--out capacity_2022.xlsx] [--quick]
"""
from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import forecast
import simulate
from simulate import capacity as cap

ROOT = Path(__file__).resolve().parent.parent
DAILY = ROOT / "data" / "passport" / "passport_daily.csv"
INTRADAY = ROOT / "data" / "passport" / "passport_intraday_30min.csv"
SCENARIO = ROOT / "examples" / "current.toml"
END = pd.Timestamp("2022-12-25")  # a Sunday: 49 whole weeks from the first sign


def first_sign(applications: pd.Series, since: str = "2021-10-01", factor: float = 1.5, window: int = 8
               ) -> pd.Timestamp:
    """Monday after the first week (Monday-Sunday) from ``since`` whose applications exceed ``factor`` x
    the mean of the ``window`` weeks before (``since``: after the recovery from the 2020 lows, which
    tripped the same rule in early 2021)."""
    weekly = applications.resample("W-SUN").sum()
    ratio = weekly / weekly.rolling(window).mean().shift(1)
    hit = ratio[(ratio > factor) & (ratio.index >= since)]
    return hit.index[0] + pd.Timedelta(days=1)


def headcount_path(start: pd.Timestamp, weeks: int, first: float, last: float, rise_from: str, rise_to: str,
                   attrition: float) -> dict[int, float]:
    """Classes (week -> people) that make the headcount follow ``first`` until ``rise_from`` and a straight
    line to ``last`` on ``rise_to``, replacing leavers: hires_w = target_w - (1 - attrition) target_{w-1}."""
    days = start + pd.to_timedelta(np.arange(weeks) * 7, unit="D")
    t0, t1 = pd.Timestamp(rise_from), pd.Timestamp(rise_to)
    share = np.clip((days - t0).days / (t1 - t0).days, 0.0, 1.0)
    target = first + (last - first) * share
    hires = np.diff(target) + attrition * target[:-1]
    return {w + 1: float(round(h)) for w, h in enumerate(hires) if round(h) > 0}


def build(quick: bool = False) -> dict:
    history = forecast.read_history(DAILY)
    wide = history.pivot(index="ds", columns="series", values="y")
    start = first_sign(wide["applications"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels on identity links
        model = forecast.BacklogModel().fit(history[history["ds"] < start])
    applications = wide.loc[start:END, "applications"]
    profile = cap.intraday_profile(forecast.read_history(INTRADAY))
    phones = simulate.Scenario.load(SCENARIO)
    wage = phones.hourly_cost * phones.paid_hours_per_week
    weeks = int(((END - start).days + 1) // 7)

    processing = cap.Supply(headcount=1365, attrition=0.002, time_to_hire=4, training_weeks=6,
                            ramp=cap.linear_ramp(0.5, 5), max_class_size=150, overtime=0.10, borrow_max=300,
                            borrow_lead_weeks=2, borrow_productivity=0.8, weekly_cost=wage, hire_cost=5000,
                            productivity=5.0)
    agents = cap.Supply(headcount=200, attrition=0.003, time_to_hire=3, training_weeks=4, ramp=(0.5, 0.75),
                        max_class_size=60, overtime=0.10, borrow_max=100, borrow_lead_weeks=2, hire_cost=5000)
    backoffice = cap.Backoffice(model=model, applications=applications, group="processing", phone_group="phones",
                                target_days=15)
    problem = cap.CapacityProblem(scenarios={"phones": phones}, supply={"phones": agents, "processing": processing},
                                  backoffice=backoffice, profile=profile)
    plan = cap.plan(problem)

    happened = problem.replace(supply={
        "processing": processing.replace(classes=headcount_path(start, weeks, 1365, 2639, "2022-03-31", "2022-12-15",
                                                                processing.attrition), class_weeks=(), borrow_max=0),
        "phones": agents.replace(classes=headcount_path(start, weeks, 200, 577, "2022-03-31", "2022-12-15",
                                                        agents.attrition), class_weeks=(), borrow_max=0)})
    actual = cap.plan(happened)
    out = {"start": start, "plan": plan, "actual": actual, "wide": wide, "problem": problem}
    if not quick:
        out["what_ifs"] = cap.what_ifs(problem, base=plan)
    return out


def weekly_comparison(res: dict) -> pd.DataFrame:
    """One row per week: the bundled (synthetic) history, the ramp that happened and the plan."""
    plan, actual, wide = res["plan"], res["actual"], res["wide"]
    weeks = plan.group("processing")["week"]
    data = wide.loc[res["start"]:END]
    k = (data.index - res["start"]).days // 7
    rows = {"week": weeks.dt.date, "applications": data["applications"].groupby(k).sum().to_numpy(),
            "data: backlog": data["backlog"].groupby(k).last().to_numpy(),
            "data: past standard": data["past_standard"].groupby(k).last().to_numpy()}
    for name, p in (("happened", actual), ("plan", plan)):
        proc, ph = p.group("processing"), p.group("phones")
        rows[f"{name}: processing staff"] = proc["headcount"].round(0).to_numpy()
        rows[f"{name}: backlog"] = proc["backlog"].round(0).to_numpy()
        rows[f"{name}: past standard"] = proc["past_standard"].round(0).to_numpy()
        rows[f"{name}: calls"] = ph["calls"].round(0).to_numpy()
        rows[f"{name}: phone staff"] = ph["headcount"].round(0).to_numpy()
        rows[f"{name}: service level"] = ph["service_level"].round(3).to_numpy()
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="write the least-cost plan (and the what-ifs) to this .xlsx")
    parser.add_argument("--quick", action="store_true", help="skip the what-ifs")
    args = parser.parse_args(argv)
    res = build(quick=args.quick)
    plan, actual = res["plan"], res["actual"]
    pd.set_option("display.width", 200)
    print(f"First sign of the surge: the week ending {(res['start'] - pd.Timedelta(days=1)).date()}; "
          f"the plan starts {res['start'].date()} and runs {plan.summary['weeks']} weeks.\n")
    for name, p in (("Ramp that happened", actual), ("Least-cost plan from the first sign", plan)):
        s = p.summary
        ph = p.group("phones")
        print(f"{name}: {s['hires']:,.0f} hires, cost {s['cost'] / 1e6:,.1f} M; peak backlog {s['peak_backlog']:,.0f}, "
              f"peak past standard {s['peak_past_standard']:,.0f}; phones: {ph['calls'].sum():,.0f} callers, lowest "
              f"weekly service level {s['min_service_level']:.0%}, {int((ph['service_level'] < 0.8 - 1e-9).sum())} "
              f"weeks under 80%; {s['fte_weeks_short']:,.0f} FTE-weeks short in {s['weeks_short']} weeks")
    print("\nLatest class start to be productive for each group's peak (least-cost plan):")
    print(plan.latest_start[["group", "peak_week", "peak_required", "latest_start", "decide_by", "in_time"]]
          .to_string(index=False))
    print("\nHiring classes of the least-cost plan:")
    print(plan.classes[["group", "week", "size", "productive_from", "full_from"]].to_string(index=False))
    print("\nWeek by week:")
    print(weekly_comparison(res).to_string(index=False))
    table = None
    if "what_ifs" in res:
        table = cap.compare(res["what_ifs"])
        print("\nWhat-ifs on the least-cost plan (each re-planned):")
        print(table[["plan", "cost", "hires", "peak_backlog", "peak_past_standard", "min_service_level",
                     "fte_weeks_short", "weeks_short", "latest_start_processing", "in_time_processing"]]
              .to_string(index=False))
    if args.out:
        path = cap.to_excel(plan, args.out, what_ifs=table)
        print(f"\nwrote {path}")
    return res


if __name__ == "__main__":
    main()
