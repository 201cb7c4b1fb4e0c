"""End to end: every example printed by ``queuecast <command> --help`` runs on the bundled data.

The examples are read from the parser's epilogs (lines starting with ``  queuecast ``), so help text
and tests cannot drift apart. They are written to be run from the repository root; here paths under
``data/`` and ``examples/`` are made absolute and the examples run in-process (``main([...])``) in a
temporary directory, where their outputs land. Two subprocess runs check the installed console
script: ``queuecast --help``, and a refused file exiting with status 2 and no traceback.
"""
from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import queuecast_cli
import simulate

REPO = Path(__file__).resolve().parents[1]
#: the subcommands issue 7 promises, each with runnable examples
DOCUMENTED = ["validate", "forecast", "backtest", "simulate", "staff", "schedule", "sweep"]


def _subparsers() -> dict:
    parser = queuecast_cli.build_parser()
    (action,) = [a for a in parser._actions if a.dest == "command"]
    return dict(action.choices)


def _examples(command: str) -> list[list[str]]:
    epilog = _subparsers()[command].epilog or ""
    return [shlex.split(line)[1:] for line in epilog.splitlines() if line.startswith("  queuecast ")]


def _absolute(argv: list[str]) -> list[str]:
    return [str(REPO / a) if a.startswith(("data/", "examples/")) else a for a in argv]


EXAMPLES = [(cmd, i, argv) for cmd in _subparsers() for i, argv in enumerate(_examples(cmd))]


def _option(argv: list[str], name: str, default=None):
    return argv[argv.index(name) + 1] if name in argv else default


def _options(argv: list[str], name: str) -> list[str]:
    i = argv.index(name) + 1
    out = []
    while i < len(argv) and not argv[i].startswith("--"):
        out.append(argv[i])
        i += 1
    return out


# --- what each command's output must look like -------------------------------------------------
def _check_validate(argv, out, tmp_path):
    assert "valid" in out
    assert "zero_days" in out and "freq" in out


def _check_forecast(argv, out, tmp_path):
    path = tmp_path / _option(argv, "--out")
    fc = pd.read_excel(path) if path.suffix == ".xlsx" else pd.read_csv(path, parse_dates=["ds"])
    assert list(fc.columns) == ["series", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95",
                                "model"]
    horizon = pd.Timedelta(_option(argv, "--horizon"))
    step = pd.to_datetime(fc["ds"]).diff().dropna().min()
    assert len(fc) == horizon / step
    assert (fc["yhat_lo_95"] <= fc["yhat_lo_80"] + 1e-9).all() and (fc["yhat_lo_80"] <= fc["yhat"] + 1e-9).all()
    assert (fc["yhat"] <= fc["yhat_hi_80"] + 1e-9).all() and (fc["yhat_hi_80"] <= fc["yhat_hi_95"] + 1e-9).all()
    assert (fc["yhat_lo_95"] >= 0).all() and fc["yhat"].sum() > 0
    if "--series" in argv:
        assert set(fc["series"]) == {_option(argv, "--series")}
    assert "wrote" in out


def _check_backtest(argv, out, tmp_path):
    header = out.splitlines()[0].split()
    assert {"model", "mase", "rmse", "bias", "coverage_80", "coverage_95"} <= set(header)
    for model in _option(argv, "--models").split(","):
        assert f" {model} " in out


def _check_staff(argv, out, tmp_path):
    path = tmp_path / _option(argv, "--out")
    arrivals = pd.read_csv(_absolute([argv[1]])[0])
    if path.suffix == ".xlsx":
        sheets = pd.read_excel(path, sheet_name=None)
        assert {"Summary", "Assumptions"} <= set(sheets)
        main = sheets["Intervals"]
    else:
        main = pd.read_csv(path)
        assert (tmp_path / f"{path.stem}_summary.csv").exists()
    assert len(main) == len(arrivals)
    method = _option(argv, "--method", "erlang_a")
    assert f"method: {method}" in out and "agent_hours" in out


def _check_schedule(argv, out, tmp_path):
    path = tmp_path / _option(argv, "--out")
    if path.suffix == ".xlsx":
        shifts = pd.read_excel(path, sheet_name="Schedule")
    else:
        shifts = pd.read_csv(path)
    people = shifts.filter(like="People").iloc[:, 0]
    assert people.sum() > 0
    cap = _option(argv, "--max-headcount")
    if cap is not None:
        assert people.sum() <= int(cap)
    assert "shifts" in out and "paid hours" in out


def _check_sweep(argv, out, tmp_path):
    table = pd.read_csv(tmp_path / _option(argv, "--out"))
    scenarios = [simulate.Scenario.load(_absolute([p])[0]).name for p in _options(argv, "--scenarios")]
    reps = int(_option(argv, "--replications", 10))
    assert list(table.columns) == ["scenario", "replication", "metric", "value"]
    assert len(table) == len(scenarios) * reps * len(simulate.METRICS)
    assert list(dict.fromkeys(table["scenario"])) == scenarios
    sl = table[table["metric"] == "service_level"]["value"]
    assert sl.between(0, 1).all()


def _check_simulate(argv, out, tmp_path):
    out_path = _option(argv, "--out")
    if out_path is not None:
        assert (tmp_path / out_path).stat().st_size > 0
    assert "service_level" in out or "Service level" in out


def _check_calibrate(argv, out, tmp_path):
    sc = simulate.Scenario.load(tmp_path / _option(argv, "--out"))
    assert 400 < sc.aht < 700 and sc.patience is not None  # the example log: 540 s handle time, 600 s patience
    staffing = _option(argv, "--staffing-out")
    if staffing is not None:
        table = pd.read_csv(tmp_path / staffing)
        assert {"ds", "agents"} <= set(table.columns) and table["agents"].max() > 0
    assert "patience" in out and "wrote" in out


def _check_capacity(argv, out, tmp_path):
    from simulate.export.labels import CAPACITY_COLUMNS, header

    path = tmp_path / _option(argv, "--out")
    weeks = pd.read_excel(path, sheet_name="Weeks") if path.suffix == ".xlsx" else pd.read_csv(path)
    # the columns under their catalogue labels with units ("Required (FTE)")
    head = {c: header(simulate.i18n.text(f"export.cap.{c}"), CAPACITY_COLUMNS[c][0], "en")
            for c in ("required", "available", "hires", "shortfall", "cost")}
    assert len(weeks) > 0 and set(head.values()) <= set(weeks.columns), list(weeks.columns)
    weeks = weeks.rename(columns={v: k for k, v in head.items()})
    assert (weeks["available"] + weeks["shortfall"] >= weeks["required"] - 1e-6).all()
    assert "cost" in out and "wrote" in out


CHECKS = {"validate": _check_validate, "forecast": _check_forecast, "backtest": _check_backtest,
          "staff": _check_staff, "schedule": _check_schedule, "sweep": _check_sweep, "simulate": _check_simulate,
          "calibrate": _check_calibrate, "capacity": _check_capacity}


# --- the tests ---------------------------------------------------------------------------------
def test_cli_offers_every_documented_subcommand():
    missing = [c for c in DOCUMENTED if c not in _subparsers()]
    assert not missing, f"queuecast has no subcommand {missing}"


@pytest.mark.parametrize("command", sorted(_subparsers()))
def test_every_subcommand_help_shows_examples_on_bundled_files(command):
    examples = _examples(command)
    assert examples, f"'queuecast {command} --help' shows no example"
    for argv in examples:
        assert argv[0] == command
        for arg in argv:
            if arg.startswith(("data/", "examples/")):
                assert (REPO / arg).is_file(), f"example input {arg} does not exist"


@pytest.mark.parametrize(("command", "i", "argv"), EXAMPLES, ids=[f"{c}-{i}" for c, i, _ in EXAMPLES])
def test_help_example_runs_and_writes_what_it_says(command, i, argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status = queuecast_cli.main(_absolute(argv))
    captured = capsys.readouterr()
    assert status == 0, f"queuecast {shlex.join(argv)} exited {status}: {captured.err}"
    out_path = _option(argv, "--out")
    if out_path is not None:
        assert (tmp_path / out_path).stat().st_size > 0
    CHECKS[command](argv, captured.out, tmp_path)


def test_missing_file_is_a_clear_error_with_status_2(tmp_path, capsys):
    status = queuecast_cli.main(["validate", str(tmp_path / "nowhere.csv")])
    err = capsys.readouterr().err
    assert status == queuecast_cli.EXIT_BAD_INPUT == 2
    assert "nowhere.csv" in err and "Traceback" not in err


def _console_script() -> list[str]:
    beside = Path(sys.executable).with_name("queuecast")
    found = str(beside) if beside.exists() else shutil.which("queuecast")
    assert found, "the queuecast console script is not installed (pip install -e .)"
    return [found]


def test_console_script_help_lists_the_subcommands():
    proc = subprocess.run([*_console_script(), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for command in _subparsers():
        assert command in proc.stdout


def test_console_script_refuses_bad_data_with_status_2_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ds,y\n2024-07-02 08:00,12\n2024-07-02 08:30,-3\n", encoding="utf-8")
    proc = subprocess.run([*_console_script(), "validate", str(bad)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.csv" in proc.stderr and "line 3" in proc.stderr and "'y'" in proc.stderr
    assert proc.stdout == ""
