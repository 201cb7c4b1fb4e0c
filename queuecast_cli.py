"""The ``queuecast`` command line: parses arguments and calls :mod:`forecast` and :mod:`simulate`.

No modelling happens here. Every subcommand is registered by an ``_add_<name>`` function in
``SUBCOMMANDS``; its handler returns an exit status. Bad input (:class:`forecast.DataError`,
``ValueError``, missing files) is printed on stderr as one clear message and exits with status 2;
``--debug`` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

EXIT_BAD_INPUT = 2


def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a history file against the data contract and print its report",
        description="Read HISTORY (CSV, CSV.gz, XLSX or Parquet), validate it and print a report per series.",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast validate data/passport/passport_daily.csv\n"
               "  queuecast validate data/passport/passport_intraday_30min.csv --series calls --tz America/Toronto\n"
               "  queuecast validate data/anonymous_bank/anonymous_bank_1999_30min.csv\n"
               "Exit status 2 with a message naming the file, line, column and value when the data is refused.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="HISTORY", help="history file")
    p.add_argument("--series", default=None, help="keep only this series")
    p.add_argument("--tz", default=None, help="time zone to convert timestamps to (e.g. America/Toronto)")
    p.set_defaults(handler=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    import warnings

    import forecast

    with warnings.catch_warnings(record=True) as caught:  # data warnings as one clean line each
        warnings.simplefilter("always", forecast.DataWarning)
        df = forecast.read_history(args.path, series=args.series, tz=args.tz)
    for w in caught:
        print(f"queuecast validate: warning: {w.message}", file=sys.stderr)
    report = forecast.describe_history(df)
    print(f"{args.path}: {len(df)} rows, {df['series'].nunique() if 'series' in df else 1} series, valid")
    print(report.to_string())
    return 0


def _add_staff(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "staff",
        help="agents needed per interval to meet the service target, with people and cost",
        description="Read ARRIVALS (CSV/XLSX/Parquet with ds and calls or yhat, one row per interval) and a "
                    "scenario file (TOML/JSON), compute the staffing plan and write it to --out "
                    "(.xlsx or .csv). Prints the summary and the method comparison.",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast staff examples/arrivals_2024-11-13.csv --scenario examples/current.toml --out plan.xlsx\n"
               "  queuecast staff examples/arrivals_2024-11-13.csv --scenario examples/current.toml "
               "--method simulation --replications 5 --out plan_sim.csv\n"
               "examples/ holds one day of 30-minute passport calls (ds, calls) and sample scenarios; a forecast "
               "written by 'queuecast forecast ... --out forecast.csv' also works as ARRIVALS.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="ARRIVALS", help="interval arrivals file (ds + calls or yhat)")
    p.add_argument("--scenario", required=True, metavar="FILE", help="scenario file (.toml or .json)")
    p.add_argument("--method", default="erlang_a", choices=["erlang_c", "erlang_a", "simulation"],
                   help="staffing method (default erlang_a)")
    p.add_argument("--interval", default=None, help="planning interval: 15min, 30min or 60min (default: the data's)")
    p.add_argument("--out", required=True, metavar="PLAN", help="output file: plan.xlsx or plan.csv")
    p.add_argument("--replications", type=int, default=10, help="simulation method: replications (default 10)")
    p.add_argument("--seed", type=int, default=0, help="simulation method: seed (default 0)")
    p.add_argument("--engine", default="auto", choices=["auto", "simpy", "fast"],
                   help="simulation method: engine (default auto)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists (never an input file)")
    p.add_argument("--language", default="en", choices=["en", "fr"], help="language of the exported file (default en)")
    p.set_defaults(handler=_cmd_staff)


_STAFFING_HELP = ("who is on duty: a number of agents ('40'), a method sized to the scenario's target "
                  "('erlang_a', 'erlang_c', 'simulation'), a weekly pattern ('Mon-Fri 08:00-20:00=40; "
                  "Sat 09:00-13:00=12'), or a file: a table ds,agents (.csv/.xlsx) or a plan (.toml/.json); "
                  "append ' x 1.25' or ' + 10' to scale it")


def _staffing(text: str) -> simulate.StaffingPlan:  # noqa: F821 - simulate imported lazily
    """A staffing plan from the --staffing argument (text, or a file when it names one)."""
    from pathlib import Path

    import simulate

    path = Path(text)
    low = text.lower()
    if low.endswith((".csv", ".xlsx", ".xls", ".parquet")):
        if not path.is_file():
            raise ValueError(f"--staffing: file {text!r} not found")
        import forecast

        table = forecast.read_history(text, value="agents", value_limit="MAX_AGENTS")
        return simulate.StaffingPlan.table(table[["ds", "agents"]])
    if low.endswith((".toml", ".json")):
        import json
        import tomllib

        if not path.is_file():
            raise ValueError(f"--staffing: file {text!r} not found")
        raw = path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(raw) if low.endswith(".toml") else json.loads(raw)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"--staffing: {text} is not valid {'TOML' if low.endswith('.toml') else 'JSON'}: "
                             f"{exc}") from None
        return simulate.StaffingPlan.from_dict(data.get("staffing", data))
    return simulate.StaffingPlan.parse(text)


def _read_arrivals(path: str, series: str | None = None) -> pd.DataFrame:  # noqa: F821 - lazy pandas
    """An arrivals table (ds + calls, yhat or y; optional aht_s) read and checked by forecast.read_history:
    every refusal names the file, the line, the column and the value."""
    import forecast

    return forecast.read_history(path, value=forecast.ARRIVALS_VALUES, numeric=("aht_s",),
                                 value_limit="MAX_CALLS_PER_INTERVAL", series=series)


def _cmd_staff(args: argparse.Namespace) -> int:
    from pathlib import Path

    import simulate

    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise ValueError(f"--out must end in .xlsx or .csv, got {args.out!r}")
    arrivals = simulate.as_demand(_read_arrivals(args.path), interval=args.interval)
    scenario = simulate.Scenario.load(args.scenario)
    kwargs = {}
    if args.method == "simulation":
        kwargs = {"replications": args.replications, "seed": args.seed, "engine": args.engine}
    plan = simulate.staff(arrivals, scenario, method=args.method, **kwargs)
    inputs = (args.path, args.scenario)
    if out.suffix.lower() == ".xlsx":
        written = [simulate.export.to_excel(plan, out, language=args.language, force=args.force, inputs=inputs)]
    else:
        written = simulate.export.to_csv(plan, out, language=args.language, force=args.force, inputs=inputs)
    for key, value in plan.summary.items():
        print(f"{key:>26}: {value:.6g}" if isinstance(value, float) else f"{key:>26}: {value}")
    print(plan.comparison.to_string())
    for line in (plan.verdict(args.language), *plan.warnings):
        print(line)
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _add_sweep(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="simulate several scenarios x replications, in local processes or on a Dask cluster",
        description="Read ARRIVALS (CSV/XLSX/Parquet with ds and calls or yhat, one row per interval) and "
                    "scenario files (TOML/JSON); simulate each scenario --replications times with common "
                    "random numbers and write one row per scenario, replication and metric to --out (CSV). "
                    "Prints the mean of each metric per scenario.",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast sweep examples/arrivals_2024-11-13.csv --scenarios examples/current.toml "
               "examples/status_line_callbacks.toml --staffing 100 --replications 5 --workers 1 "
               "--out sweep.csv\n"
               "On a Dask cluster, add --backend dask --address tcp://SCHEDULER:8786 (without --address a local "
               "cluster of --workers processes is started).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="ARRIVALS", help="interval arrivals file (ds + calls or yhat)")
    p.add_argument("--scenarios", required=True, nargs="+", metavar="FILE", help="scenario files (.toml or .json)")
    p.add_argument("--staffing", required=True, metavar="PLAN", help=_STAFFING_HELP + " (the same for every scenario)")
    p.add_argument("--replications", type=int, default=10, help="replications per scenario (default 10)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--engine", default="auto", choices=["auto", "simpy", "fast"], help="engine (default auto)")
    p.add_argument("--backend", default="local", choices=["local", "dask"],
                   help="local processes or a Dask cluster (default local)")
    p.add_argument("--address", default=None,
                   help="Dask scheduler address; without it --backend dask starts a local cluster")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV (scenario, replication, metric, value)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists (never an input file)")
    p.set_defaults(handler=_cmd_sweep)


def _cmd_sweep(args: argparse.Namespace) -> int:
    import simulate

    if not args.out.lower().endswith(".csv"):
        raise ValueError(f"--out must end in .csv, got {args.out!r}")
    arrivals = _read_arrivals(args.path)
    scenarios = {}
    for path in args.scenarios:
        sc = simulate.Scenario.load(path)
        if sc.name in scenarios:
            raise ValueError(f"--scenarios: two files define a scenario named {sc.name!r} ({path}); "
                             "give each scenario its own name")
        scenarios[sc.name] = sc
    table = simulate.sweep(arrivals, scenarios, _staffing(args.staffing), replications=args.replications,
                           seed=args.seed,
                           engine=args.engine, backend=args.backend, address=args.address, workers=args.workers)
    from forecast.writers import csv_bytes, write_output

    write_output(args.out, csv_bytes(table), inputs=(args.path, *args.scenarios), force=args.force)
    means = table.pivot_table(index="metric", columns="scenario", values="value", aggfunc="mean", sort=False)
    print(means.to_string())
    print(f"wrote {args.out} ({len(table)} rows)")
    return 0


def _add_schedule(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schedule",
        help="turn agents required per interval into shifts (integer program) and export them",
        description="Read REQUIREMENTS (CSV with ds and one of scheduled, agents, agents_required), choose how "
                    "many people start each shift so every interval is covered at least paid hours, and write "
                    "the schedule as CSV (shifts; coverage, summary and assumptions beside it) or XLSX.",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast schedule examples/requirements_2024-11-13.csv --out schedule.xlsx "
               "--shift-lengths 8h,6h --start-every 30min\n"
               "  queuecast schedule examples/requirements_2024-11-13.csv --out shifts.csv --max-headcount 200\n"
               "examples/requirements_2024-11-13.csv holds ds, calls, agents and scheduled (agents after "
               "30% shrinkage) for one day.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="REQUIREMENTS", help="CSV with ds and a requirement column")
    p.add_argument("--out", required=True, help="output file, .csv or .xlsx")
    p.add_argument("--shift-lengths", default="8h", help="comma-separated shift lengths (default 8h)")
    p.add_argument("--start-every", default="30min", help="shift start grid (default 30min)")
    p.add_argument("--max-headcount", type=int, default=None, help="cap on shifts worked; partial schedule if short")
    p.add_argument("--column", default=None, help="requirement column (default: scheduled, agents, agents_required)")
    p.add_argument("--no-breaks", action="store_true", help="no breaks (default: 30-min unpaid break mid-shift >= 6h)")
    p.add_argument("--max-idle", default=None,
                   help="most on-duty time a shift may spend while closed, e.g. 0h (default: no limit)")
    p.add_argument("--time-limit", type=float, default=10.0, help="solver time limit, seconds (default 10)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists (never an input file)")
    p.add_argument("--language", default="en", choices=["en", "fr"], help="language of the exported file (default en)")
    p.set_defaults(handler=_cmd_schedule)


def _cmd_schedule(args: argparse.Namespace) -> int:
    from pathlib import Path

    import simulate

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError(f"--out must end in .csv or .xlsx, got {args.out!r}")
    import forecast

    columns = (args.column,) if args.column else ("scheduled", "agents", "agents_required")
    requirements = forecast.read_history(args.path, value=columns, numeric=("calls", "scheduled", "agents",
                                                                             "agents_required"),
                                         value_limit="MAX_AGENTS")
    sched = simulate.schedule(
        requirements,
        shift_lengths=tuple(v.strip() for v in args.shift_lengths.split(",") if v.strip()),
        start_every=args.start_every,
        breaks=None if args.no_breaks else "auto",
        max_headcount=args.max_headcount,
        column=args.column,
        time_limit=args.time_limit,
        max_idle=args.max_idle,
    )
    written = ([simulate.export.to_excel(sched, out, language=args.language, force=args.force, inputs=(args.path,))]
               if out.suffix.lower() == ".xlsx"
               else simulate.export.to_csv(sched, out, language=args.language, force=args.force, inputs=(args.path,)))
    print(f"{sched.headcount} shifts, {sched.paid_hours:,.1f} paid hours for {sched.required_agent_hours:,.1f} "
          f"agent-hours required; {sched.status} ({sched.solve_time_s:.2f} s)")
    if not sched.feasible:
        print(f"warning: {len(sched.short)} interval(s) short by {sched.shortage_agent_hours:,.1f} agent-hours",
              file=sys.stderr)
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _add_forecast(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forecast",
        help="forecast demand with calibrated 80/95%% intervals and write it to a file",
        description="Forecast every series of HISTORY over the horizon. Closed hours and holidays are zero; "
                    "model 'auto' picks the best model (or ensemble) by a rolling-origin backtest.",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast forecast data/passport/passport_intraday_30min.csv --horizon 7D --holidays CA "
               "--out forecast.csv\n"
               "  queuecast forecast data/passport/passport_daily.csv --series callers --horizon 28D "
               "--model profile --holidays CA --out callers.xlsx\n"
               "Columns: series, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95, model. A 30-minute "
               "forecast of one series is ARRIVALS for 'queuecast staff' and 'queuecast sweep'.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="HISTORY", help="history file (CSV, CSV.gz, XLSX or Parquet)")
    p.add_argument("--horizon", default="14D", help="duration ('14D', '7D') or a number of intervals (default 14D)")
    p.add_argument("--freq", default=None, help="grid step such as 30min or D (default: inferred)")
    p.add_argument("--model", default="auto", help="auto (default), seasonal_naive, profile, ets, sarimax, mstl, "
                                                   "theta, yearly or mstl_plain")
    p.add_argument("--holidays", default=None, help="holidays country/subdivision code, e.g. CA, CA-QC, US, IL")
    p.add_argument("--series", default=None, help="forecast only this series")
    p.add_argument("--out", required=True, help="output file: .csv, .xlsx or .parquet")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists (never an input file)")
    p.set_defaults(handler=_cmd_forecast)


def _horizon_arg(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text


def _cmd_forecast(args: argparse.Namespace) -> int:
    import forecast
    from forecast.core import write_forecast

    hist = forecast.read_history(args.path, series=args.series)
    fc = forecast.forecast(hist, _horizon_arg(args.horizon), freq=args.freq, model=args.model,
                           holidays=args.holidays)
    written = write_forecast(fc, args.out, force=args.force, inputs=(args.path,))
    models = ", ".join(f"{s}: {m}" for s, m in fc.groupby("series")["model"].first().items())
    print(f"{len(fc)} rows, {fc['series'].nunique()} series ({models}); wrote {written}")
    return 0


def _add_backtest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backtest",
        help="rolling-origin backtest of the forecasting models; prints MASE, RMSE, bias and coverage",
        description="Score each model on the last ORIGINS cutoffs spaced by the horizon (open intervals only; "
                    "MASE scaled by the in-sample weekly seasonal-naive error) and print the aggregate table.",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast backtest data/passport/passport_intraday_30min.csv --horizon 7D --origins 3 "
               "--models seasonal_naive,profile,auto --holidays CA\n"
               "  queuecast backtest data/anonymous_bank/anonymous_bank_1999_30min.csv --horizon 7D --origins 2 "
               "--models seasonal_naive,profile",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="HISTORY", help="history file (CSV, CSV.gz, XLSX or Parquet)")
    p.add_argument("--horizon", default="7D", help="duration ('7D') or a number of intervals (default 7D)")
    p.add_argument("--origins", type=int, default=8, help="number of rolling origins (default 8)")
    p.add_argument("--models", default=None,
                   help="comma-separated model names, 'auto' included (default: all candidates and auto)")
    p.add_argument("--freq", default=None, help="grid step such as 30min or D (default: inferred)")
    p.add_argument("--holidays", default=None, help="holidays country/subdivision code, e.g. CA, IL")
    p.add_argument("--series", default=None, help="backtest only this series")
    p.set_defaults(handler=_cmd_backtest)


def _cmd_backtest(args: argparse.Namespace) -> int:
    import forecast

    hist = forecast.read_history(args.path, series=args.series)
    models = [m.strip() for m in args.models.split(",")] if args.models else None
    bt = forecast.backtest(hist, _horizon_arg(args.horizon), models=models, origins=args.origins,
                           freq=args.freq, holidays=args.holidays)
    agg = bt[bt["origin"] == "all"].drop(columns=["origin", "chosen"])
    print(agg.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


def _add_simulate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate a scenario on interval arrivals and write KPIs per interval",
        description="Simulate the call centre of SCENARIO (TOML/JSON, the policy) on ARRIVALS (the demand: a "
                    "history (ds, y), interval calls (ds, calls, optional aht_s) or a forecast (ds, yhat); CSV, XLSX "
                    "or Parquet) with the --staffing plan. Writes the summary and the per-interval KPIs with 95%% "
                    "intervals to --out (.xlsx or .csv).",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast simulate examples/arrivals_2024-11-13.csv --scenario examples/current.toml "
               "--staffing 100 --replications 10 --out kpis.xlsx\n"
               "  queuecast simulate examples/arrivals_2024-11-13.csv --scenario examples/status_line_callbacks.toml "
               "--staffing 'erlang_a x 1.1' --replications 5 --seed 7 --out kpis.csv\n"
               "  queuecast simulate examples/arrivals_2024-11-13.csv --scenario examples/current.toml "
               "--staffing examples/staffing_weekdays.toml --out kpis_pattern.csv\n"
               "A forecast written by 'queuecast forecast ... --out forecast.csv' also works as ARRIVALS.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="ARRIVALS", help="interval arrivals file")
    p.add_argument("--scenario", required=True, help="scenario file (.toml or .json)")
    p.add_argument("--staffing", required=True, metavar="PLAN", help=_STAFFING_HELP)
    p.add_argument("--interval", default=None, help="planning interval: 15min, 30min or 60min (default: the data's)")
    p.add_argument("--replications", type=int, default=10, help="independent replications (default 10)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--engine", choices=["simpy", "fast", "auto"], default="auto",
                   help="engine (default auto: the compiled engine when it supports the scenario)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (results are identical)")
    p.add_argument("--series", default=None, help="keep only this series of a history file")
    p.add_argument("--out", required=True, help="output file: .xlsx, or .csv (summary beside it)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists (never an input file)")
    p.add_argument("--language", default="en", choices=["en", "fr"], help="language of the exported file (default en)")
    p.set_defaults(handler=_cmd_simulate)


def _cmd_simulate(args: argparse.Namespace) -> int:
    from pathlib import Path

    import simulate

    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise ValueError(f"--out must end in .xlsx or .csv, got {args.out!r}")
    arrivals = _read_arrivals(args.path, series=args.series)
    scenario = simulate.Scenario.load(args.scenario)
    demand = simulate.as_demand(arrivals, interval=args.interval)
    result = simulate.run(demand, scenario, _staffing(args.staffing), replications=args.replications,
                          seed=args.seed, engine=args.engine, workers=args.workers)
    for note in result.warnings:
        print(f"queuecast simulate: note: {note}", file=sys.stderr)
    from simulate import export

    inputs = (args.path, args.scenario)
    written = ([export.to_excel(result, out, language=args.language, force=args.force, inputs=inputs)]
               if out.suffix.lower() == ".xlsx"
               else export.to_csv(result, out, language=args.language, force=args.force, inputs=inputs))
    print(f"{scenario.name}: {len(result.intervals)} intervals, {result.replications} replications, "
          f"engine {result.engine}, seed {result.seed}")
    print(result.summary.to_string(float_format=lambda v: f"{v:.4g}"))
    for path in written:
        print(f"wrote {path}")
    return 0


def _add_capacity(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "capacity",
        help="weekly hiring plan across months: classes, training, attrition, overtime, what-ifs",
        description="Read DEMAND (a forecast with ds, yhat and its bands, or a history with ds, y; daily, weekly or "
                    "per interval; a 'group' or 'series' column for several queues) and a TOML file of supply "
                    "assumptions (headcount, attrition, time to hire, training, learning curve, classes, overtime, "
                    "borrowed staff, policy file per group). Solve the least-cost hiring plan that meets the "
                    "service target every week (or the plan with the smallest shortfall) and write the weekly "
                    "table to --out (.xlsx with classes, latest starts, what-ifs and assumptions; or .csv, the "
                    "other tables beside it), headers in English or French (--language fr).",
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
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists (never an input file)")
    p.add_argument("--series", default=None, help="keep only this series of a long history (e.g. callers)")
    p.add_argument("--start", default=None, help="first day of the plan (YYYY-MM-DD; default: the demand's first)")
    p.add_argument("--end", default=None, help="last day of demand to plan for (YYYY-MM-DD)")
    p.add_argument("--quantile", type=float, default=None, help="planning quantile, e.g. 0.8 (default: the file's, "
                                                                 "else 0.5)")
    p.add_argument("--what-ifs", action="store_true", help="also plan the standard what-ifs (surge +20%%, 4 weeks "
                                                            "earlier, attrition doubled, training 2 weeks shorter, "
                                                            "automation 20%%) and compare them")
    p.add_argument("--language", default="en", choices=["en", "fr"], help="language of the exported file (default en)")
    p.set_defaults(handler=_cmd_capacity)


def _cmd_capacity(args: argparse.Namespace) -> int:
    from pathlib import Path

    import simulate
    from simulate import capacity

    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise ValueError(f"--out must end in .xlsx or .csv, got {args.out!r}")
    problem = capacity.problem_from_toml(_read_arrivals(args.path, series=args.series), args.supply,
                                         series=args.series, start=args.start, end=args.end, quantile=args.quantile)
    plan = capacity.plan(problem)
    table = capacity.compare(capacity.what_ifs(problem, base=plan)) if args.what_ifs else None
    export = capacity.PlanWithWhatIfs(plan, table)
    inputs = (args.path, args.supply)
    if out.suffix.lower() == ".xlsx":
        written = [simulate.export.to_excel(export, out, language=args.language, force=args.force, inputs=inputs)]
    else:  # the weekly table to --out, the other tables beside it (plan_summary.csv, plan_what_ifs.csv...)
        written = simulate.export.to_csv(export, out, language=args.language, force=args.force, inputs=inputs)
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
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _add_calibrate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="read a call-by-call log (ACD export) and write the calibrated scenario, staffing and demand",
        description="Read LOG, one row per call attempt (CSV, CSV.gz or XLSX) with the columns arrival, outcome "
                    "(answered / abandoned / contained / blocked) and, as available, queue_entry, queue_exit, end, "
                    "agent, caller, call_type; fit handle time, patience (Kaplan-Meier and parametric fits), "
                    "redials and the menu; estimate the agents on duty; write the policy to --out (.toml or .json) "
                    "and print the fit. Other exports: map their columns with --columns and their outcome codes "
                    "with --outcomes.",
        epilog="examples (run from the repository root; outputs go to the current directory):\n"
               "  queuecast calibrate examples/call_log_2024-11-13.csv --out calibrated.toml\n"
               "  queuecast calibrate examples/call_log_2024-11-13.csv --out calibrated2.toml "
               "--staffing-out staffing.csv --demand-out demand.csv --validate 20\n"
               "  queuecast calibrate examples/acd_export_2024-11-13.csv --out calibrated3.toml --tz America/Toronto "
               "--columns arrival=StartTime,queue_exit=AnswerOrHangup,end=EndTime,outcome=Result,agent=AgentId,"
               "caller=CallerId --outcomes ANS=answered,ABN=abandoned,IVR=contained,BSY=blocked\n"
               "Then: queuecast simulate demand.csv --scenario calibrated.toml --staffing staffing.csv --out kpis.csv\n"
               "Exit status 2 with a message naming the file, line, column and value when the log is refused.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="LOG", help="call-by-call log")
    p.add_argument("--out", required=True, help="calibrated scenario file (.toml or .json)")
    p.add_argument("--staffing-out", default=None,
                   help="write the estimated staffing per interval (ds, agents, lower, upper, ...) to this .csv; "
                        "usable as --staffing of queuecast simulate")
    p.add_argument("--demand-out", default=None,
                   help="write the demand per interval (ds, calls, aht_s, calls_<type>, ...) to this .csv")
    p.add_argument("--interval", default="30min", help="planning interval: 15min, 30min or 60min (default 30min)")
    p.add_argument("--tz", default=None, help="the centre's time zone (e.g. America/Toronto)")
    p.add_argument("--columns", default=None, metavar="NAME=COLUMN,...",
                   help="the log's column for each contract name, e.g. arrival=StartTime,end=EndTime")
    p.add_argument("--outcomes", default=None, metavar="CODE=OUTCOME,...",
                   help="the log's outcome codes, e.g. ANS=answered,ABN=abandoned,TEST=ignore")
    p.add_argument("--time-format", default=None,
                   help="strptime format of non-ISO timestamps, e.g. %%d/%%m/%%Y %%H:%%M:%%S")
    p.add_argument("--date-format", default=None, help="strptime format of a separate date column, e.g. %%y%%m%%d")
    p.add_argument("--empty", default=None, metavar="TEXT,...",
                   help="texts the export writes for 'none', e.g. 0:00:00,NO_SERVER")
    p.add_argument("--on-error", choices=["raise", "skip"], default="raise",
                   help="rows whose times contradict each other: stop with a message (default) or leave them out "
                        "and count them")
    p.add_argument("--sl-threshold", type=float, default=None, help="service-level threshold in seconds")
    p.add_argument("--handle", choices=["auto", "lognormal", "exponential", "empirical"], default="auto",
                   help="handle-time distribution (default auto)")
    p.add_argument("--patience", choices=["auto", "exponential", "weibull", "lognormal", "empirical"], default="auto",
                   help="patience distribution (default auto: the family closest to Kaplan-Meier)")
    p.add_argument("--validate", type=int, default=0, metavar="R",
                   help="replay the period R times (R >= 2) and print simulated vs observed with the noise floor")
    p.add_argument("--force", action="store_true", help="overwrite output files that exist")
    p.set_defaults(handler=_cmd_calibrate)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from pathlib import Path

    import simulate

    def pairs(text: str | None, what: str) -> dict[str, str] | None:
        if not text:
            return None
        out = {}
        for item in text.split(","):
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ValueError(f"{what} must be NAME=VALUE pairs separated by commas, got {item!r}")
            out[key.strip()] = value.strip()
        return out

    if Path(args.out).suffix.lower() not in (".toml", ".json"):
        raise ValueError(f"--out must end in .toml or .json, got {args.out!r}")
    for path, flag in ((args.staffing_out, "--staffing-out"), (args.demand_out, "--demand-out")):
        if path and Path(path).suffix.lower() != ".csv":
            raise ValueError(f"{flag} must end in .csv, got {path!r}")
    cal = simulate.calibrate(args.path, columns=pairs(args.columns, "--columns"),
                             outcomes=pairs(args.outcomes, "--outcomes"), interval=args.interval, tz=args.tz,
                             time_format=args.time_format, date_format=args.date_format,
                             sl_threshold=args.sl_threshold, handle=args.handle, patience=args.patience,
                             empty=args.empty.split(",") if args.empty else (), on_error=args.on_error)
    print(cal.summary())
    from forecast.writers import csv_bytes, write_outputs

    text = cal.scenario.to_toml() if Path(args.out).suffix.lower() == ".toml" else cal.scenario.to_json()
    files = {args.out: text.encode("utf-8")}
    if args.staffing_out:
        files[args.staffing_out] = csv_bytes(cal.report.staffing)
    if args.demand_out:
        files[args.demand_out] = csv_bytes(cal.demand.to_frame())
    # every target checked before any is written; never over the log, never over a file unless --force
    written = write_outputs(files, inputs=(args.path,), force=args.force)
    if args.validate:
        print()
        print(simulate.validate(cal, replications=args.validate).report())
    for path in written:
        print(f"wrote {path}")
    return 0


# Each later subcommand adds one _add_<name> function above this line and one entry below.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_validate,
    _add_simulate,
    _add_calibrate,
    _add_staff,
    _add_sweep,
    _add_schedule,
    _add_forecast,
    _add_backtest,
    _add_capacity,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="queuecast",
        description="Forecast call-centre demand, simulate the queue and recommend staffing.",
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in SUBCOMMANDS:
        add(sub)
    return parser


_PROJECT_DIRS = tuple(str(Path(__file__).resolve().parent / d) for d in ("forecast", "simulate"))
_PROJECT_FILES = (str(Path(__file__).resolve()),)


def _raised_by_us(exc: BaseException) -> bool:
    """Whether a ValueError was raised by Queuecast's own code (a sentence meant for the user) rather
    than deep inside a library (a bug to report): the frame that raised it is in forecast/, simulate/
    or this file. The project's own error classes (DataError, LimitError, OutputError) always are."""
    import forecast

    if isinstance(exc, (forecast.DataError, forecast.LimitError, forecast.OutputError)):
        return True
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    if last is None:
        return False
    last = str(Path(last).resolve())
    return last.startswith(_PROJECT_DIRS) or last in _PROJECT_FILES


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("queuecast: interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError) as exc:
        user = isinstance(exc, OSError) or _raised_by_us(exc)
        if args.debug:
            traceback.print_exc()
        elif user:  # the input or a parameter: one sentence, exit 2
            print(f"queuecast {args.command}: error: {_plain(exc)}", file=sys.stderr)
        else:
            _bug(args.command, exc)
        return EXIT_BAD_INPUT if user else 1
    except Exception as exc:  # noqa: BLE001 - the CLI promises no traceback without --debug
        if args.debug:
            traceback.print_exc()
        else:
            _bug(args.command, exc)
        return 1


def _plain(exc: BaseException) -> str:
    """The message with control characters shown escaped (a file name or value may hold them)."""
    text = str(exc) if not isinstance(exc, OSError) or not exc.filename else \
        f"{exc.filename}: {exc.strerror or exc}"
    return "".join(ch if ch in "\n\t" or ord(ch) >= 32 else ch.encode("unicode_escape").decode() for ch in text)


def _bug(command: str, exc: BaseException) -> None:
    print(f"queuecast {command}: unexpected error ({type(exc).__name__}): {_plain(exc)[:300]}\n"
          "This is a bug in Queuecast, not in your data. Run again with --debug and report the output.",
          file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
