"""`queuecast validate PATH`: prints the report of a valid history; a bad one gets one clear line on stderr
and exit status 2, never a traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import queuecast_cli

GOOD = "series,ds,y\ncalls,2024-01-01 08:00,5\ncalls,2024-01-01 08:30,7\nmail,2024-01-01 08:00,2\n"
BAD = "ds,y\n2024-01-01,1\n2024-01-02,1\n2024-01-03,1\n2024-01-04,1\n2024-01-05,1\n2024-01-06,12,5x\n"
BAD_SEMI = "ds;y\n2024-01-01;1\n2024-01-02;1\n2024-01-03;1\n2024-01-04;1\n2024-01-05;1\n2024-01-06;12,5x\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_validate_prints_one_report_row_per_series(tmp_path, capsys):
    path = _write(tmp_path, "history.csv", GOOD)
    assert queuecast_cli.main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}: 3 rows, 2 series, valid" in out
    assert "calls" in out and "mail" in out and "30min" in out


def test_validate_series_filter(tmp_path, capsys):
    path = _write(tmp_path, "history.csv", GOOD)
    assert queuecast_cli.main(["validate", str(path), "--series", "mail"]) == 0
    assert "1 rows, 1 series" in capsys.readouterr().out


def test_validate_bad_value_exits_2_with_the_data_error_on_stderr(tmp_path, capsys):
    path = _write(tmp_path, "passport.csv", BAD_SEMI)
    assert queuecast_cli.main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}, line 7, column 'y': '12,5x' is not a number" in captured.err
    assert "Traceback" not in captured.err


def test_validate_missing_file_exits_2(tmp_path, capsys):
    assert queuecast_cli.main(["validate", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_validate_as_a_subprocess_ok_and_refused(tmp_path):
    good = _write(tmp_path, "good.csv", GOOD)
    bad = _write(tmp_path, "bad.csv", BAD)
    root = Path(__file__).resolve().parents[1]
    run = [sys.executable, "-m", "queuecast_cli", "validate"]
    ok = subprocess.run(run + [str(good)], capture_output=True, text=True, cwd=root, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout
    refused = subprocess.run(run + [str(bad)], capture_output=True, text=True, cwd=root, timeout=120)
    assert refused.returncode == 2
    assert f"{bad}, line 7: the row '2024-01-06,12,5x' has 3 fields but the header has 2" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert refused.stdout == ""


def test_validate_reports_blank_values_as_a_warning_line_and_still_succeeds(tmp_path, capsys):
    path = _write(tmp_path, "gaps.csv", "ds,y\n2024-01-01,1\n2024-01-02,\n2024-01-03,3\n")
    assert queuecast_cli.main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert f"queuecast validate: warning: {path}: 1 blank 'y' value(s) loaded as NaN (line 3)" in captured.err
    assert "missing" in captured.out


def test_validate_a_damaged_gzip_file_exits_2_naming_the_file(tmp_path, capsys):
    import gzip

    path = tmp_path / "calls.csv.gz"
    good = gzip.compress(GOOD.encode())
    path.write_bytes(good[:10] + b"\xff" * 8 + good[18:])  # corrupt compressed data: zlib.error inside
    assert queuecast_cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"queuecast validate: error: {path}: is a damaged gzip file")
    assert "zlib" not in err and "Traceback" not in err


def test_validate_refuses_a_gzip_bomb_and_a_20000_column_file_with_the_limit(tmp_path, capsys, monkeypatch):
    import gzip

    from forecast import limits

    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1_000_000)
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"ds,y\n" + b"2024-01-01,1\n" * 200_000))
    assert queuecast_cli.main(["validate", str(bomb)]) == 2
    assert "MAX_UPLOAD_BYTES" in capsys.readouterr().err
    wide = tmp_path / "wide.csv"
    wide.write_text("ds,y," + ",".join(f"c{i}" for i in range(19_998)) + "\n2024-01-01,1" + "," * 19_998 + "\n")
    assert queuecast_cli.main(["validate", str(wide)]) == 2
    assert f"{wide}, line 1: 20,000 columns is above the limit of 200 columns (MAX_COLUMNS)" in capsys.readouterr().err


def test_validate_names_the_line_of_a_date_in_year_1500(tmp_path, capsys):
    path = _write(tmp_path, "old.csv", "ds,y\n2024-01-01,1\n1500-01-01,2\n")
    assert queuecast_cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 3, column 'ds': '1500-01-01': the year 1500 is below the minimum of 1900" in err
    assert "OutOfBounds" not in err
