# ``queuecast calibrate LOG --out scenario.toml``: paste the two functions below into queuecast_cli.py above the
# line "# Each later subcommand adds one _add_<name> function above this line ..." and add ``_add_calibrate``
# to SUBCOMMANDS (after _add_simulate). They use only what queuecast_cli.py already imports (argparse, sys) and
# import simulate lazily, like the other subcommands.


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
               "  queuecast calibrate calls_march.csv --out calibrated.toml\n"
               "  queuecast calibrate calls_march.csv --out calibrated.toml --staffing-out staffing.csv "
               "--demand-out demand.csv --validate 20\n"
               "  queuecast calibrate acd_export.xlsx --out calibrated.toml --tz America/Toronto "
               "--columns arrival=StartTime,queue_exit=AnswerOrHangup,end=EndTime,agent=AgentId "
               "--outcomes ANS=answered,ABN=abandoned,IVR=contained\n"
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
    p.add_argument("--time-format", default=None, help="strptime format of non-ISO timestamps, e.g. %%d/%%m/%%Y %%H:%%M:%%S")
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

    log_path = Path(args.path).resolve()
    outputs = [Path(p) for p in (args.out, args.staffing_out, args.demand_out) if p]
    if Path(args.out).suffix.lower() not in (".toml", ".json"):
        raise ValueError(f"--out must end in .toml or .json, got {args.out!r}")
    for path, flag in ((args.staffing_out, "--staffing-out"), (args.demand_out, "--demand-out")):
        if path and Path(path).suffix.lower() != ".csv":
            raise ValueError(f"{flag} must end in .csv, got {path!r}")
    for path in outputs:
        if path.resolve() == log_path:
            raise ValueError(f"refusing to overwrite the input log {args.path!r}")
        if path.exists() and not args.force:
            raise ValueError(f"{path} exists; use --force to overwrite it")
    cal = simulate.calibrate(args.path, columns=pairs(args.columns, "--columns"),
                             outcomes=pairs(args.outcomes, "--outcomes"), interval=args.interval, tz=args.tz,
                             time_format=args.time_format, date_format=args.date_format,
                             sl_threshold=args.sl_threshold, handle=args.handle, patience=args.patience,
                             empty=args.empty.split(",") if args.empty else (), on_error=args.on_error)
    print(cal.summary())
    written = [cal.scenario.save(args.out)]
    if args.staffing_out:
        frame = cal.report.staffing
        frame.to_csv(args.staffing_out, index=False)
        written.append(Path(args.staffing_out))
    if args.demand_out:
        cal.demand.to_frame().to_csv(args.demand_out, index=False)
        written.append(Path(args.demand_out))
    if args.validate:
        print()
        print(simulate.validate(cal, replications=args.validate).report())
    for path in written:
        print(f"wrote {path}")
    return 0
