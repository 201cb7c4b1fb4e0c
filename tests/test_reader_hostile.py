"""read_history against hostile or careless files (issue 19, findings 2, 5, 7 and 8): every one is
refused with a sentence naming the file, the line and the limit, in bounded memory and time."""
from __future__ import annotations

import gzip
import io
import re
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
import openpyxl
import pandas as pd
import pytest

from forecast import DataError, DataWarning, limits, read_history


def gzip_member_of_zeros(size: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(b"0" * size) + c.flush()


# ------------------------------------------------------------------------------------------------
# finding 2: compression bombs


def test_a_2_mb_gzip_bomb_is_refused_in_bounded_memory():
    # a gzip file may hold many members one after the other: 120 copies of a 16 MB member of zeros
    # make a 2 MB file that decompresses to 2 GB
    member = gzip_member_of_zeros(16 << 20)
    bomb = member * (2_000_000 // len(member))
    assert 1_500_000 < len(bomb) <= 2_000_000
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as info:
            read_history(bomb, name="history.csv.gz")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200e6, f"peak {peak / 1e6:.0f} MB"
    message = str(info.value)
    assert message.startswith("history.csv.gz: decompresses to more than 100,000,000 bytes")
    assert "MAX_UPLOAD_BYTES" in message and "split the file" in message


def test_a_few_kilobyte_bomb_past_a_lowered_limit_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1_000_000)
    bomb = gzip.compress(b"ds,y\n" + b"2024-01-01,1\n" * 400_000)
    assert len(bomb) < 20_000
    path = tmp_path / "small.csv.gz"
    path.write_bytes(bomb)
    with pytest.raises(DataError, match=r"small\.csv\.gz: decompresses to more than 1,000,000 bytes"):
        read_history(path)


@pytest.mark.parametrize("damage,words", [
    (lambda gz: gz[: len(gz) // 2], "ends before its compressed data does"),
    (lambda gz: gz[:10] + b"\xff" * 8 + gz[18:], "compressed data is corrupt"),
    (lambda gz: gz[:-8] + b"\0\0\0\0" + gz[-4:], "CRC check failed"),
])
def test_a_damaged_gzip_file_is_a_data_error_naming_the_file(tmp_path, damage, words):
    good = gzip.compress(("ds,y\n" + "".join(f"2024-01-{d:02d},{d}\n" for d in range(1, 29))).encode())
    path = tmp_path / "calls.csv.gz"
    path.write_bytes(damage(good))
    with pytest.raises(DataError) as info:
        read_history(path)
    assert str(info.value).startswith(f"{path}: is a damaged gzip file")
    assert words in str(info.value)


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezip(data: bytes, edit) -> bytes:
    """The workbook ``data`` with its first sheet's XML passed through ``edit``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            zout.writestr(info.filename, body)
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(monkeypatch):
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1_000_000)
    book = _rezip(_xlsx([["ds", "y"], ["2024-01-01", 1]]),
                  lambda xml: xml.replace(b"<sheetData>", b" " * 5_000_000 + b"<sheetData>"))
    assert len(book) < 30_000
    with pytest.raises(DataError,
                       match=r"bomb\.xlsx: 5,0\d\d,\d{3} bytes is above the limit of 1,000,000 bytes "
                             r"\(MAX_UPLOAD_BYTES\)"):
        read_history(book, name="bomb.xlsx")


def test_an_xlsx_declaring_a_huge_dimension_is_read_as_its_cells():
    # openpyxl pads rows to the declared dimension: A1:XFD1048576 would make 17 billion cells
    book = _rezip(_xlsx([["ds", "y"], ["2024-01-01", 1], ["2024-01-02", 2]]),
                  lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', xml))
    out = read_history(book, name="dim.xlsx")
    assert out["y"].tolist() == [1.0, 2.0]


def test_an_xlsx_row_reaching_far_right_is_refused_at_that_row():
    book = _rezip(_xlsx([["ds", "y"], ["2024-01-01", 1]]),
                  lambda xml: xml.replace(b"</sheetData>", b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c>'
                                                           b'</row></sheetData>'))
    with pytest.raises(DataError) as info:
        read_history(book, name="far.xlsx")
    assert info.value.line == 3
    assert "far.xlsx, sheet 'Sheet', row 3" in str(info.value)
    assert "column XFD" in str(info.value) and "MAX_COLUMNS" in str(info.value)


# ------------------------------------------------------------------------------------------------
# finding 7: unbounded work


def wide_csv(columns: int) -> bytes:
    header = "ds,y," + ",".join(f"c{i}" for i in range(columns - 2))
    rows = "".join(f"2024-01-0{d},1" + "," * (columns - 2) + "\n" for d in (1, 2))
    return f"{header}\n{rows}".encode()


def test_a_169_kb_file_with_20000_columns_is_refused_at_once():
    data = wide_csv(20_000)
    assert 160_000 < len(data) < 180_000
    with pytest.raises(DataError) as info:
        read_history(data, name="wide.csv")
    assert info.value.line == 1
    assert str(info.value).startswith(
        "wide.csv, line 1: 20,000 columns is above the limit of 200 columns (MAX_COLUMNS)")
    assert "series,ds,y" in str(info.value)


def test_many_columns_under_a_raised_limit_are_all_kept_in_order(monkeypatch):
    # reading is linear in the columns (benchmarks/read_history_speed.py times it); here: nothing lost
    monkeypatch.setattr(limits, "MAX_COLUMNS", 5_000)
    out = read_history(wide_csv(1_000), name="wide.csv")
    assert out.shape == (2, 1_001)  # the series column is added
    assert list(out.columns[:6]) == ["series", "ds", "y", "c0", "c1", "c2"] and out.columns[-1] == "c997"


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet", "frame"])
def test_more_rows_than_the_limit_are_refused_for_every_kind_of_source(monkeypatch, kind):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    frame = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=4, freq="D"), "y": [1.0, 2.0, 3.0, 4.0]})
    if kind == "csv":
        source = frame.to_csv(index=False).encode()
    elif kind == "xlsx":
        out = io.BytesIO()
        frame.to_excel(out, index=False)
        source = out.getvalue()
    elif kind == "parquet":
        source = frame.to_parquet()
    else:
        source = frame
    with pytest.raises(DataError, match=r"MAX_ROWS"):
        read_history(source, name=f"long.{kind}" if kind != "frame" else None)


def test_more_series_than_the_limit_are_refused_unless_one_is_chosen(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SERIES", 2)
    data = b"series,ds,y\na,2024-01-01,1\nb,2024-01-01,1\nc,2024-01-01,1\n"
    with pytest.raises(DataError,
                       match=r"many\.csv, column 'series': the file has 3 series: 3 series is above the limit of 2"):
        read_history(data, name="many.csv")
    assert read_history(data, name="many.csv", series="b")["series"].tolist() == ["b"]


def test_a_series_name_longer_than_the_limit_is_refused_at_its_line():
    data = ("series,ds,y\ncalls,2024-01-01,1\n" + "x" * 5_000 + ",2024-01-01,1\n").encode()
    with pytest.raises(DataError) as info:
        read_history(data, name="names.csv")
    assert info.value.line == 3
    assert "5000 characters is above the limit of 200 characters (MAX_NAME_LENGTH)" in str(info.value)
    assert len(str(info.value)) < 600  # the name itself is not echoed in full


# ------------------------------------------------------------------------------------------------
# finding 8: messages that name the file and the line, never a raw value or a server path


@pytest.mark.parametrize("content,line,year", [
    ("ds,y\n2024-01-01,1\n1500-01-01,2\n", 3, 1500),
    ("ds,y\n2024-01-01,1\n2300-06-01 08:00,2\n", 3, 2300),
    ("ds;y\n01/01/2024;1\n31/12/1500;2\n", 3, 1500),
    ("ds,y\n2300-01-01T08:00-05:00,2\n", 2, 2300),
])
def test_a_date_in_year_1500_or_2300_names_file_line_column_and_value(content, line, year):
    with pytest.raises(DataError) as info:
        read_history(content.encode(), name="dates.csv")
    err = info.value
    assert (err.path, err.line, err.column) == ("dates.csv", line, "ds")
    assert str(year) in str(err.value)
    name = "EARLIEST_YEAR" if year < 1900 else "LATEST_YEAR"
    assert f"dates.csv, line {line}, column 'ds'" in str(err) and f"the year {year}" in str(err) and name in str(err)


def test_typed_dates_out_of_range_in_a_frame_are_refused_with_the_row():
    frame = pd.DataFrame({"ds": pd.to_datetime(["2024-01-01", "1500-01-01"]).as_unit("s"), "y": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"DataFrame, row 3 \(index 1\), column 'ds': .*the year 1500"):
        read_history(frame)


@pytest.mark.parametrize("value", ["1e308", "1e10", "12345678901"])
def test_an_implausible_value_is_refused_with_its_line(value):
    with pytest.raises(DataError) as info:
        read_history(f"ds,y\n2024-01-01,1\n2024-01-02,{value}\n".encode(), name="big.csv")
    assert info.value.line == 3 and info.value.column == "y"
    assert f"big.csv, line 3, column 'y': '{value}' is not a plausible value" in str(info.value)
    assert "MAX_VALUE" in str(info.value)


def test_arrivals_are_held_to_the_calls_per_interval_limit():
    data = b"ds,calls\n2024-11-13 08:00,173\n2024-11-13 08:30,2000000\n"
    with pytest.raises(DataError, match=r"arrivals\.csv, line 3, column 'calls'.*MAX_CALLS_PER_INTERVAL"):
        read_history(data, name="arrivals.csv", value=("calls", "yhat", "y"), value_limit="MAX_CALLS_PER_INTERVAL")


@pytest.mark.parametrize("bad", ["\x1b[31m", "\n", "\u202e", "\x7f", "\x9b"])
def test_control_characters_in_a_series_name_are_refused_and_shown_escaped(bad):
    data = f"series,ds,y\ncalls,2024-01-01,1\nca{bad}lls,2024-01-01,1\n".encode()
    if bad == "\n":
        data = b'series,ds,y\ncalls,2024-01-01,1\n"ca\nlls",2024-01-01,1\n'
    with pytest.raises(DataError) as info:
        read_history(data, name="names.csv")
    message = str(info.value)
    assert info.value.line == 3 and info.value.column == "series"
    assert message.isprintable(), repr(message)
    assert repr(bad[0])[1:-1] in message


def test_a_file_name_with_control_characters_is_shown_escaped_in_errors_and_warnings():
    name = "up\x1b[2Jload.csv"
    with pytest.raises(DataError) as info:
        read_history(b"ds,y\n2024-01-01,x\n", name=name)
    assert str(info.value).startswith("up\\x1b[2Jload.csv, line 2")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        read_history(b"ds,y\n2024-01-01,\n", name=name)
    assert [str(w.message) for w in caught] == ["up\\x1b[2Jload.csv: 1 blank 'y' value(s) loaded as NaN (line 2)"]


def test_an_upload_read_from_memory_never_mentions_a_temporary_path():
    upload = io.BytesIO(b"ds,y\n2024-01-01,1\n2024-01-02,-4\n")
    upload.name = "/tmp/tmpab12cd/upload.csv"  # what a temporary file would be called
    with pytest.raises(DataError) as info:
        read_history(upload)
    assert str(info.value).startswith("upload.csv, line 3, column 'y': '-4' is negative")
    assert "/tmp" not in str(info.value)
    with pytest.raises(DataError) as info:
        read_history(upload.getvalue(), name="Mes appels.csv")
    assert str(info.value).startswith("Mes appels.csv, line 3")


def test_wrong_kinds_of_source_are_parameter_errors():
    with pytest.raises(TypeError, match="binary mode"):
        read_history(io.StringIO("ds,y\n2024-01-01,1\n"))
    with pytest.raises(TypeError, match="expected a path, bytes"):
        read_history(42)
    with pytest.raises(ValueError, match="value_limit"):
        read_history(b"ds,y\n2024-01-01,1\n", value_limit="NO_SUCH_LIMIT")


def test_values_at_the_limits_are_accepted():
    out = read_history(b"ds,y\n1900-01-01,1000000000\n2200-12-31 23:30,0\n", name="edge.csv")
    assert out["y"].tolist() == [1e9, 0.0]
    assert out["ds"].dt.year.tolist() == [1900, 2200]
    assert np.isfinite(out["y"]).all()


# ------------------------------------------------------------------------------------------------
# finding 5: whatever a damaged file makes the libraries raise, the planner reads one sentence


def _without(data: bytes, member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename != member:
                zout.writestr(info.filename, zin.read(info.filename))
    return out.getvalue()


@pytest.mark.parametrize("damage", ["junk sheet xml", "cut sheet xml", "no sheet", "junk workbook xml"])
def test_a_damaged_workbook_is_a_data_error(damage):
    good = _xlsx([["ds", "y"], ["2024-01-01", 1], ["2024-01-02", 2]])
    if damage == "junk sheet xml":
        book = _rezip(good, lambda xml: b"<x><<>")
    elif damage == "cut sheet xml":
        book = _rezip(good, lambda xml: xml[: len(xml) // 2])
    elif damage == "no sheet":
        book = _without(good, "xl/worksheets/sheet1.xml")
    else:
        book = _rezip_member(good, "xl/workbook.xml", b"<x><<>")
    with pytest.raises(DataError, match=r"^book\.xlsx: is not a readable Excel workbook"):
        read_history(book, name="book.xlsx")


def _rezip_member(data: bytes, member: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, body if info.filename == member else zin.read(info.filename))
    return out.getvalue()


def test_a_truncated_parquet_file_is_a_data_error():
    data = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=50, freq="h"), "y": 1.0}).to_parquet()
    with pytest.raises(DataError, match=r"^h\.parquet: is not a readable Parquet file"):
        read_history(data[: len(data) - 40], name="h.parquet")


def test_a_malformed_offset_among_naive_timestamps_is_not_a_date_at_its_line():
    # pandas refuses such a mix even with errors="coerce" ("Mixed timezones detected. Pass utc=True")
    data = b"ds,y\n2024-01-01 08:00,1\n2024-01-01 08:30,2\n2024-01-01 09:0-0,3\n"
    with pytest.raises(DataError) as info:
        read_history(data, name="odd.csv")
    assert str(info.value).startswith("odd.csv, line 4, column 'ds': '2024-01-01 09:0-0' is not a date")
    assert "utc=True" not in str(info.value)
