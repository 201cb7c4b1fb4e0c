# `queuecast capacity`: paste these two functions into queuecast_cli.py (beside _add_staff / _cmd_staff) and add
# `_add_capacity` to SUBCOMMANDS. They use queuecast_cli's own `_read_frame` and `argparse`; nothing else.
# tests/test_cli.py then runs the epilog's two examples on the bundled files (a few seconds: 23 weeks, then
# 10 weeks with the five what-ifs). --quantile 0.8 needs a forecast with its bands (a history has none).


def _add_capacity(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "capacity",
        help="weekly hiring plan across months: classes, training, attrition, overtime, what-ifs",
        description="Read DEMAND (a forecast with ds, yhat and its bands, or a history with ds, y; daily, weekly or "
                    "per interval; a 'group' or 'series' column for several queues) and a TOML file of supply "
                    "assumptions (headcount, attrition, time to hire, training, learning curve, classes, overtime, "
                    "borrowed staff, policy file per group). Solve the least-cost hiring plan that meets the "
                    "service target every week (or the plan with the smallest shortfall) and write the weekly "
                    "table to --out (.xlsx with classes, latest starts, what-ifs and assumptions; or .csv).",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast capacity data/passport/passport_daily.csv --series callers --start 2022-01-17 "
               "--end 2022-06-26 --supply examples/capacity_supply.toml --out capacity.xlsx\n"
               "  queuecast capacity data/passport/passport_daily.csv --series callers --start 2022-01-17 "
               "--end 2022-03-27 --supply examples/capacity_supply.toml --what-ifs --out capacity.csv\n"
               "examples/capacity_supply.toml documents every key; a forecast written by 'queuecast forecast ... "
               "--out forecast.csv' also works as DEMAND.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="DEMAND", help="forecast or history file (ds + yhat or y)")
    p.add_argument("--supply", required=True, metavar="FILE", help="supply assumptions (.toml)")
    p.add_argument("--out", required=True, metavar="PLAN", help="output file: plan.xlsx or plan.csv")
    p.add_argument("--series", default=None, help="keep only this series of a long history (e.g. callers)")
    p.add_argument("--start", default=None, help="first day of the plan (YYYY-MM-DD; default: the demand's first)")
    p.add_argument("--end", default=None, help="last day of demand to plan for (YYYY-MM-DD)")
    p.add_argument("--quantile", type=float, default=None, help="planning quantile, e.g. 0.8 (default: the file's, "
                                                                 "else 0.5)")
    p.add_argument("--what-ifs", action="store_true", help="also plan the standard what-ifs (surge +20%%, 4 weeks "
                                                            "earlier, attrition doubled, training 2 weeks shorter, "
                                                            "automation 20%%) and compare them")
    p.set_defaults(handler=_cmd_capacity)


def _cmd_capacity(args: argparse.Namespace) -> int:
    from pathlib import Path

    from simulate import capacity

    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise ValueError(f"--out must end in .xlsx or .csv, got {args.out!r}")
    problem = capacity.problem_from_toml(_read_frame(args.path), args.supply, series=args.series, start=args.start,
                                         end=args.end, quantile=args.quantile)
    plan = capacity.plan(problem)
    table = capacity.compare(capacity.what_ifs(problem, base=plan)) if args.what_ifs else None
    if out.suffix.lower() == ".xlsx":
        capacity.to_excel(plan, out, what_ifs=table)
    else:
        plan.weeks.to_csv(out, index=False)
        if table is not None:
            table.to_csv(out.with_name(f"{out.stem}_what_ifs.csv"), index=False)
    s = plan.summary
    print(f"{s['status']}; {s['weeks']} weeks from {s['start']:%Y-%m-%d}, groups {', '.join(s['groups'])}")
    print(f"cost {s['cost']:,.0f} (proven within {s['mip_gap']:.2%} of the least); {s['hires']:,.0f} hires in "
          f"{s['classes']} classes; {s['fte_weeks_short']:,.1f} FTE-weeks short in {s['weeks_short']} weeks")
    for note in s["notes"]:
        print(f"note: {note}")
    print(plan.latest_start[["group", "peak_week", "peak_required", "latest_start", "decide_by", "in_time"]]
          .to_string(index=False))
    if len(plan.classes):
        print(plan.classes[["group", "week", "size", "productive_from", "full_from"]].to_string(index=False))
    if table is not None:
        print(table[["plan", "cost", "hires", "fte_weeks_short", "weeks_short", "min_service_level"]]
              .to_string(index=False))
    print(f"wrote {out}")
    return 0
