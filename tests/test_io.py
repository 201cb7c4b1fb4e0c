"""The history data contract: what read_history accepts, what it refuses, and how it says so."""
from __future__ import annotations

import gzip
import io
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import forecast
from forecast import DataError, DataWarning, describe_history, read_history


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode(encoding))
    return path


def refusal(path_or_frame, **kw) -> DataError:
    with pytest.raises(DataError) as info:
        read_history(path_or_frame, **kw)
    return info.value


# ------------------------------------------------------------------------------------------------
# refusals: every message names the file, the line, the column, the value and what was expected

REFUSALS = [
    # id, file name, content, line, column, fragments the message must hold
    ("non_numeric_y", "passport.csv", "ds,y\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n2024-01-04,4\n"
     "2024-01-05,5\n2024-01-06,12.5x\n", 7, "y",
     ["passport.csv, line 7, column 'y'", "'12.5x' is not a number", "expected a non-negative number"]),
    ("negative_y", "neg.csv", "ds,y\n2024-01-01,1\n2024-01-02,-3\n", 3, "y",
     ["neg.csv, line 3, column 'y'", "'-3' is negative", "non-negative"]),
    ("infinite_y", "inf.csv", "ds,y\n2024-01-01,inf\n", 2, "y", ["line 2", "'inf' is infinite"]),
    ("overflowing_y", "big.csv", "ds,y\n2024-01-01,1\n2024-01-02,1e400\n", 3, "y", ["line 3", "'1e400' is infinite"]),
    ("unparseable_date", "dates.csv", "ds,y\n2024-01-01,1\n2024-13-45,2\n", 3, "ds",
     ["dates.csv, line 3, column 'ds'", "'2024-13-45' is not a date", "expected a date or timestamp"]),
    ("impossible_day_first_date", "fr.csv", "ds;y\n30/01/2024;1\n31/02/2024;2\n", 3, "ds",
     ["line 3", "'31/02/2024' is not a date", "day/month/year"]),
    ("blank_ds", "blank.csv", "ds,y\n2024-01-01,1\n,2\n", 3, "ds", ["line 3, column 'ds'", "blank"]),
    ("blank_series", "s.csv", "series,ds,y\ncalls,2024-01-01,1\n ,2024-01-02,2\n", 3, "series",
     ["line 3, column 'series'", "blank", "name of a series"]),
    ("duplicate_series_ds", "dup.csv", "series,ds,y\ncalls,2024-01-01,1\nmail,2024-01-01,1\ncalls,2024-01-02,2\n"
     "calls,2024-01-01,3\n", 5, "ds", ["dup.csv, lines 2 and 5, column 'ds'", "'calls'", "twice",
                                       "one row per series and timestamp"]),
    ("more_fields_than_header", "ragged.csv", "ds,y\n2024-01-01,1\n2024-01-02,2,7\n", 3, None,
     ["ragged.csv, line 3", "'2024-01-02,2,7'", "has 3 fields but the header has 2"]),
    ("fewer_fields_than_header", "short.csv", "ds,y,note\n2024-01-01,1,a\n2024-01-02,2\n", 3, None,
     ["short.csv, line 3", "has 2 fields but the header has 3"]),
    ("ragged_after_blank_line_counts_lines", "gap.csv", "ds,y\n2024-01-01,1\n\n2024-01-03,3,3\n", 4, None,
     ["gap.csv, line 4", "3 fields"]),
    ("ragged_in_quoted_file", "quoted.csv", 'series,ds,y\n"a,b",2024-01-01,1\nc,2024-01-02,2,9\n', 3, None,
     ["quoted.csv, line 3", "4 fields but the header has 3"]),
    ("mixed_naive_and_offset", "tz.csv", "ds,y\n2024-01-01T10:00-05:00,1\n2024-01-02T10:00,2\n", 3, "ds",
     ["tz.csv, line 3, column 'ds'", "'2024-01-02T10:00' has no UTC offset", "line 2"]),
    # offsets that change with daylight saving are read in the zone they match (tests/test_reader_zones.py);
    # offsets no zone explains are refused
    ("differing_offsets_without_tz", "dst.csv", "ds,y\n2024-03-01T10:00-05:00,1\n2024-03-20T10:00+03:17,2\n", 3,
     "ds", ["dst.csv, line 3, column 'ds'", "+03:17", "-05:00", "tz="]),
    ("header_only", "header.csv", "ds,y\n", 1, None, ["header.csv", "no data rows"]),
    ("missing_ds_suggests_closest", "cols.csv", "Date,y\n2024-01-01,1\n", 1, "ds",
     ["cols.csv, line 1, column 'ds'", "no column 'ds'", "did you mean 'Date'", "never renamed"]),
    ("missing_y_suggests_alias", "cols.csv", "ds,calls\n2024-01-01,1\n", 1, "y",
     ["no column 'y'", "did you mean 'calls'"]),
    ("column_named_twice", "twice.csv", "ds,y,y\n2024-01-01,1,2\n", 1, "y", ["twice.csv, line 1", "appears twice"]),
    ("decimal_comma_in_comma_file_quoted", "dc.csv", 'ds,y\n2024-01-01,"12,5"\n', 2, "y",
     ["line 2, column 'y'", "'12,5' is not a number", "';'-separated"]),
    ("ambiguous_day_month", "amb.csv", "ds,y\n01/02/2024,1\n01/02/2025,2\n", 2, "ds",
     ["amb.csv, line 2, column 'ds'", "'01/02/2024'", "day/month/year and as month/day/year"]),
]


@pytest.mark.parametrize("name,content,line,column,fragments", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refusal_names_file_line_column_and_value(tmp_path, name, content, line, column, fragments):
    err = refusal(write(tmp_path, name, content))
    message = str(err)
    for fragment in fragments:
        assert fragment in message, message
    assert err.path == str(tmp_path / name)
    assert err.line == line
    assert err.column == column
    assert err.expected
    assert isinstance(err, ValueError)


def test_data_error_str_matches_the_documented_shape():
    err = DataError("'12,5x' is not a number", path="passport.csv", line=7, column="y", value="12,5x",
                    expected="a non-negative number such as 42 or 12.5")
    assert str(err) == ("passport.csv, line 7, column 'y': '12,5x' is not a number; "
                        "expected a non-negative number such as 42 or 12.5")
    assert (err.path, err.line, err.column, err.value) == ("passport.csv", 7, "y", "12,5x")


def test_data_error_survives_pickling_with_its_attributes():
    import pickle

    err = pickle.loads(pickle.dumps(DataError("bad", path="a.csv", line=3, column="y", value="x", expected="1")))
    assert (err.path, err.line, err.column, err.value, str(err)) == (
        "a.csv", 3, "y", "x", "a.csv, line 3, column 'y': bad; expected 1")


@pytest.mark.parametrize("name,content,what", [
    ("empty.csv", "", "empty"),
    ("spaces.csv", "  \n\n", "empty"),
    ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
    ("book.csv", b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
    ("page.csv", "<!DOCTYPE html><html><body>Sign in</body></html>", "HTML"),
    ("data.csv", '[{"ds": "2024-01-01", "y": 1}]', "JSON"),
    ("nul.csv", b"ds,y\n2024-01-01,1\x00\x00\n", "binary"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
    ("fake.xlsx", "ds,y\n2024-01-01,1\n", "not an Excel .xlsx workbook"),
    ("fake.parquet", "ds,y\n2024-01-01,1\n", "not a Parquet file"),
])
def test_refuses_files_that_are_not_tables(tmp_path, name, content, what):
    err = refusal(write(tmp_path, name, content))
    assert what in str(err)
    assert str(err).startswith(str(tmp_path / name))


def test_series_filter_names_the_series_present(tmp_path):
    path = write(tmp_path, "multi.csv", "series,ds,y\ncalls,2024-01-01,1\nmail,2024-01-01,2\n")
    err = refusal(path, series="applications")
    assert "no series 'applications'" in str(err) and "'calls', 'mail'" in str(err)
    assert err.column == "series" and err.value == "applications"


def test_series_filter_on_a_file_without_series_column_accepts_only_the_default_name(tmp_path):
    path = write(tmp_path, "one.csv", "ds,y\n2024-01-01,1\n")
    assert read_history(path, series=forecast.DEFAULT_SERIES)["series"].tolist() == ["y"]
    assert "no series 'calls'" in str(refusal(path, series="calls"))


def test_nonexistent_local_time_in_tz_is_refused(tmp_path):
    path = write(tmp_path, "spring.csv", "ds,y\n2024-03-10 01:30,1\n2024-03-10 02:30,2\n")
    err = refusal(path, tz="America/Toronto")
    assert "line 3, column 'ds'" in str(err) and "'2024-03-10 02:30'" in str(err)


def test_unknown_tz_is_a_parameter_error_naming_tz(tmp_path):
    path = write(tmp_path, "a.csv", "ds,y\n2024-01-01,1\n")
    with pytest.raises(ValueError, match="tz: unknown time zone 'Mars/Olympus'"):
        read_history(path, tz="Mars/Olympus")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_history(tmp_path / "nope.csv")


def test_xlsx_refusal_names_sheet_and_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calls"
    ws.append(["ds", "y"])
    ws.append(["2024-01-01", 4])
    ws.append([])  # an empty row still counts in the numbering
    ws.append(["2024-01-03", "12,5x"])
    wb.save(tmp_path / "book.xlsx")
    err = refusal(tmp_path / "book.xlsx")
    assert str(err).startswith(f"{tmp_path / 'book.xlsx'}, sheet 'Calls', row 4, column 'y': '12,5x' is not a number")
    assert err.line == 4


def test_xlsx_value_beyond_the_header_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ds", "y"])
    ws.append(["2024-01-01", 4, None, "stray"])
    wb.save(tmp_path / "stray.xlsx")
    err = refusal(tmp_path / "stray.xlsx")
    assert "row 2" in str(err) and "'stray'" in str(err) and "column D" in str(err)


def test_parquet_and_frame_refusals_count_rows_like_a_spreadsheet(tmp_path):
    frame = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=4), "y": [1.0, 2.0, -1.0, 4.0]},
                         index=[10, 11, 12, 13])
    frame.to_parquet(tmp_path / "h.parquet")
    err = refusal(tmp_path / "h.parquet")
    assert "h.parquet, row 4, column 'y': -1.0 is negative" in str(err)
    err = refusal(frame)
    assert str(err).startswith("DataFrame, row 4 (index 12), column 'y': -1.0 is negative")
    assert err.line == 4


def test_frame_with_ds_as_index_is_told_to_reset_it():
    frame = pd.DataFrame({"y": [1.0]}, index=pd.DatetimeIndex(["2024-01-01"], name="ds"))
    assert ".reset_index()" in str(refusal(frame))


def test_first_offending_row_is_reported_among_many(tmp_path):
    ds = pd.date_range("2024-01-01", periods=5000, freq="h").strftime("%Y-%m-%d %H:%M")
    y = np.arange(5000).astype(str).astype(object)
    y[3210], y[4000] = "oops", "-1"
    body = "\n".join(f"{d},{v}" for d, v in zip(ds, y))
    err = refusal(write(tmp_path, "long.csv", "ds,y\n" + body + "\n"))
    assert err.line == 3212 and err.value == "oops"


# ------------------------------------------------------------------------------------------------
# accepted and preserved

def test_unsorted_rows_come_back_sorted_by_series_then_ds_with_every_row(tmp_path):
    path = write(tmp_path, "u.csv", "series,ds,y\nmail,2024-01-02,5\ncalls,2024-01-02,2\ncalls,2024-01-01,1\n"
                                    "mail,2024-01-01,4\n")
    out = read_history(path)
    assert out["series"].tolist() == ["calls", "calls", "mail", "mail"]
    assert out["y"].tolist() == [1.0, 2.0, 4.0, 5.0]
    assert list(out.columns) == ["series", "ds", "y"]
    assert out.index.equals(pd.RangeIndex(4))


def test_crlf_bom_and_extra_columns_are_accepted_and_carried_through(tmp_path):
    path = write(tmp_path, "win.csv", "\ufeffds,y,agent_note,site\r\n2024-01-01,1,=1+1,Ottawa\r\n"
                                      "2024-01-02,2,,Montréal\r\n")
    out = read_history(path)
    assert list(out.columns) == ["series", "ds", "y", "agent_note", "site"]
    assert out["agent_note"].tolist() == ["=1+1", ""]
    assert out["site"].tolist() == ["Ottawa", "Montréal"]
    assert out["series"].tolist() == ["y", "y"]


def test_formula_like_series_names_are_kept_verbatim(tmp_path):
    path = write(tmp_path, "f.csv", "series,ds,y\n=SUM(A1),2024-01-01,1\n-calls,2024-01-01,2\n+cmd|' /C calc'!A0,"
                                    "2024-01-01,3\n@x,2024-01-01,4\n")
    out = read_history(path)
    assert sorted(out["series"]) == sorted(["=SUM(A1)", "-calls", "+cmd|' /C calc'!A0", "@x"])
    assert out.set_index("series").loc["=SUM(A1)", "y"] == 1.0


def test_french_excel_csv_semicolon_decimal_comma_day_first(tmp_path):
    text = ("series;ds;y;commentaire\r\nappels;31/12/2024;1 234,5;fermé\r\nappels;30/12/2024 14:30;12,25;\r\n"
            "appels;2024-12-29 09:00;7;\r\ndemandes;01/12/2024;1\u00a0000;\r\n")
    out = read_history(write(tmp_path, "fr.csv", text, encoding="cp1252" if False else "utf-8-sig"))
    calls = out[out["series"] == "appels"]
    assert calls["ds"].tolist() == [pd.Timestamp("2024-12-29 09:00"), pd.Timestamp("2024-12-30 14:30"),
                                    pd.Timestamp("2024-12-31")]
    assert calls["y"].tolist() == [7.0, 12.25, 1234.5]
    assert out[out["series"] == "demandes"]["y"].tolist() == [1000.0]
    assert out["commentaire"].tolist()[2] == "fermé"


def test_windows_1252_encoded_file_is_decoded(tmp_path):
    out = read_history(write(tmp_path, "w.csv", "ds;y;note\n2024-01-01;1;fermé l'été\n", encoding="cp1252"))
    assert out["note"].tolist() == ["fermé l'été"]


def test_a_file_mixing_utf8_and_windows_1252_is_refused_naming_both_lines(tmp_path):
    # decoding it all as cp1252 would turn the UTF-8 "é" of line 2 into "Ã©" without a word
    data = "ds;y;note\n2024-01-01;1;fermé\n".encode() + "2024-01-02;2;été\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    with pytest.raises(DataError) as info:
        read_history(path)
    message = str(info.value)
    assert "mixes two text encodings" in message and "line 2 is UTF-8" in message
    assert info.value.line == 3 and "0xE9" in message and "save it again as UTF-8" in message


def test_utf16_with_bom_is_decoded(tmp_path):
    out = read_history(write(tmp_path, "u16.csv", "ds\ty\n2024-01-01\t3\n", encoding="utf-16"))
    assert out["y"].tolist() == [3.0]


def test_thousands_separator_in_quoted_comma_file(tmp_path):
    out = read_history(write(tmp_path, "t.csv", 'ds,y\n2024-01-01,"1,234"\n2024-01-02,"12,345.5"\n'))
    assert out["y"].tolist() == [1234.0, 12345.5]


def test_month_first_dates_are_read_when_a_day_above_12_decides(tmp_path):
    out = read_history(write(tmp_path, "us.csv", "ds,y\n12/31/2024,1\n01/02/2025,2\n"))
    assert out["ds"].tolist() == [pd.Timestamp("2024-12-31"), pd.Timestamp("2025-01-02")]


def test_regular_spacing_settles_day_month_ambiguity_in_comma_files(tmp_path):
    out = read_history(write(tmp_path, "d.csv", "ds,y\n01/02/2024,1\n02/02/2024,2\n03/02/2024,3\n"))
    assert out["ds"].tolist() == list(pd.date_range("2024-02-01", periods=3))


def test_iso_offsets_all_equal_keep_that_offset():
    out = read_history(pd.DataFrame({"ds": ["2024-01-01T10:00:00-05:00", "2024-01-02T10:00:00-05:00"], "y": [1, 2]}))
    assert str(out["ds"].dt.tz) == "UTC-05:00"
    assert out["ds"].iat[0] == pd.Timestamp("2024-01-01 15:00", tz="UTC")


def test_dst_offsets_are_converted_when_tz_is_given(tmp_path):
    path = write(tmp_path, "dst.csv", "ds,y\n2024-03-01T10:00-05:00,1\n2024-03-20T10:00-04:00,2\n2024-03-21T14:00Z,3\n")
    out = read_history(path, tz="America/Toronto")
    assert str(out["ds"].dt.tz) == "America/Toronto"
    assert [t.hour for t in out["ds"]] == [10, 10, 10]


def test_naive_timestamps_are_localised_to_tz(tmp_path):
    out = read_history(write(tmp_path, "n.csv", "ds,y\n2024-07-01 09:00,1\n"), tz="America/Vancouver")
    assert out["ds"].iat[0] == pd.Timestamp("2024-07-01 16:00", tz="UTC")


def test_blank_y_is_loaded_as_nan_and_reported_never_dropped(tmp_path):
    path = write(tmp_path, "m.csv", "ds,y\n2024-01-01,1\n2024-01-02,\n2024-01-03,NA\n2024-01-04,4\n")
    with pytest.warns(DataWarning, match=r"2 blank 'y' value\(s\) loaded as NaN \(line 3, line 4\)"):
        out = read_history(path)
    assert len(out) == 4 and out["y"].isna().tolist() == [False, True, True, False]
    assert describe_history(out).loc["y", "missing"] == 2


def test_blank_lines_and_empty_excel_rows_are_not_data_rows(tmp_path):
    out = read_history(write(tmp_path, "b.csv", "ds;y\n2024-01-01;1\n\n;\n2024-01-02;2\n\n"))
    assert out["y"].tolist() == [1.0, 2.0]


def test_output_dtypes(tmp_path):
    out = read_history(write(tmp_path, "d.csv", "series,ds,y,n\ncalls,2024-01-01 08:30,3,7\n"))
    assert out["ds"].dtype == np.dtype("datetime64[ns]")
    assert out["y"].dtype == np.float64
    assert pd.api.types.is_string_dtype(out["series"].dtype)
    assert out["n"].tolist() == ["7"]  # extra columns of a text file stay text


def test_gzipped_csv_is_read(tmp_path):
    out = read_history(write(tmp_path, "h.csv.gz", gzip.compress(b"ds,y\n2024-01-01,5\n")))
    assert out["y"].tolist() == [5.0]


def test_series_filter_keeps_one_series_and_ignores_errors_elsewhere(tmp_path):
    path = write(tmp_path, "s.csv", "series,ds,y\ncalls,2024-01-01,1\nmail,2024-01-01,oops\ncalls,2024-01-02,2\n")
    out = read_history(path, series="calls")
    assert out["y"].tolist() == [1.0, 2.0]
    assert "line 3" in str(refusal(path))


def test_dataframe_source_is_not_modified():
    frame = pd.DataFrame({"ds": ["2024-01-02", "2024-01-01"], "y": [2, 1], "series": ["a", "a"]})
    before = frame.copy()
    out = read_history(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out["y"].tolist() == [1.0, 2.0]


def test_xlsx_with_excel_dates_and_an_empty_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["series", "ds", "y", "note"])
    ws.append(["calls", pd.Timestamp("2024-01-02 08:30").to_pydatetime(), 3, "x"])
    ws.append([None, None, None, None])
    ws.append(["calls", "2024-01-01 08:30", 2.5, None])
    wb.save(tmp_path / "h.xlsx")
    out = read_history(tmp_path / "h.xlsx")
    assert out["ds"].tolist() == [pd.Timestamp("2024-01-01 08:30"), pd.Timestamp("2024-01-02 08:30")]
    assert out["y"].tolist() == [2.5, 3.0]


def test_26_weeks_of_30_minute_data_round_trip_through_parquet_and_xlsx(tmp_path):
    rng = np.random.default_rng(7)
    ds = pd.date_range("2024-01-01", periods=26 * 7 * 48, freq="30min")
    frame = pd.DataFrame({"series": "calls", "ds": ds, "y": rng.poisson(30, len(ds)).astype(float),
                          "site": rng.choice(["Ottawa", "Gatineau"], len(ds))})
    frame.to_parquet(tmp_path / "h.parquet")
    frame.to_excel(tmp_path / "h.xlsx", index=False)
    for name in ("h.parquet", "h.xlsx"):
        out = read_history(tmp_path / name)
        pd.testing.assert_frame_equal(out, frame, check_dtype=False)
        assert out["ds"].dtype == np.dtype("datetime64[ns]")


# ------------------------------------------------------------------------------------------------
# describe_history

def test_describe_reports_grid_gaps_zero_days_and_outliers_within_opening_hours():
    ds = pd.date_range("2024-01-01", "2024-03-31 23:30", freq="30min")
    ds = ds[(ds.day_of_week < 5) & (ds.hour >= 8) & (ds.hour < 20)]  # open weekdays 8:00-20:00 only
    y = np.full(len(ds), 20.0)
    frame = pd.DataFrame({"series": "calls", "ds": ds, "y": y})
    frame.loc[frame["ds"].dt.normalize() == "2024-01-15", "y"] = 0.0  # a closure
    frame.loc[frame["ds"] == "2024-02-07 10:00", "y"] = 400.0  # one spike
    frame = frame[~frame["ds"].isin(pd.to_datetime(["2024-03-05 09:00", "2024-03-05 09:30"]))]
    report = describe_history(frame).loc["calls"]
    assert report["freq"] == "30min"
    assert report["gaps"] == 2
    assert report["expected_rows"] == len(frame) + 2
    assert report["zero_days"] == 1
    assert report["outliers"] == 1
    assert report["missing"] == 0
    assert report["rows"] == len(frame)
    assert report["total"] == frame["y"].sum()


def test_describe_daily_monthly_and_irregular_series():
    daily = pd.DataFrame({"series": "d", "ds": pd.date_range("2024-01-01", periods=60).delete([10, 11]),
                          "y": 5.0})
    monthly = pd.DataFrame({"series": "m", "ds": pd.date_range("2022-04-01", periods=12, freq="MS"), "y": 31.0})
    irregular = pd.DataFrame({"series": "x", "ds": pd.to_datetime(["2024-01-01 10:17", "2024-01-03 08:02",
                                                                   "2024-01-09 23:59"]), "y": 1.0})
    report = describe_history(pd.concat([daily, monthly, irregular]))
    assert report.loc["d", "freq"] == "D" and report.loc["d", "gaps"] == 2 and report.loc["d", "expected_rows"] == 60
    assert report.loc["d", "mean_per_day"] == 5.0
    assert report.loc["m", "freq"] == "MS" and report.loc["m", "gaps"] == 0
    assert report.loc["m", "mean_per_day"] == pytest.approx(12 * 31.0 / 365)
    assert report.loc["x", "freq"] is None and pd.isna(report.loc["x", "gaps"])
    assert list(report.index) == ["d", "m", "x"]


def test_describe_does_not_count_weekends_of_a_weekday_centre_as_gaps():
    ds = pd.bdate_range("2024-01-01", periods=100)
    report = describe_history(pd.DataFrame({"ds": ds, "y": 10.0}))
    assert report.loc["y", "gaps"] == 0 and report.loc["y", "expected_rows"] == 100


def test_describe_follows_a_surge_without_flagging_it_all_as_outliers():
    rng = np.random.default_rng(3)
    ds = pd.date_range("2022-01-01", periods=365)
    level = np.where(ds < "2022-05-01", 5000.0, 50000.0)  # the passport surge: a tenfold step
    frame = pd.DataFrame({"ds": ds, "y": rng.poisson(level).astype(float)})
    assert describe_history(frame).loc["y", "outliers"] <= 14  # only days near the step may stand out


def test_describe_without_ds_is_a_value_error():
    with pytest.raises(ValueError, match="df: expected the columns 'ds' and 'y'"):
        describe_history(pd.DataFrame({"y": [1.0]}))


def test_no_warning_for_clean_files(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_history(write(tmp_path, "ok.csv", "ds,y\n2024-01-01,1\n"))


def test_quoted_field_with_a_line_break_is_kept_and_later_lines_counted_right(tmp_path):
    path = write(tmp_path, "ml.csv", 'series,ds,y,note\ncalls,2024-01-01,1,"two\nlines"\ncalls,2024-01-02,2,\n')
    out = read_history(path)
    assert out["note"].tolist() == ["two\nlines", ""]
    bad = write(tmp_path, "ml_bad.csv", 'series,ds,y,note\ncalls,2024-01-01,1,"two\nlines"\ncalls,2024-01-02,x,\n')
    err = refusal(bad)
    assert err.line == 4 and "ml_bad.csv, line 4, column 'y': 'x'" in str(err)


def test_wide_table_is_told_to_melt(tmp_path):
    err = refusal(write(tmp_path, "wide.csv", "ds,calls_answered,calls_blocked\n2024-01-01,1,2\n"))
    assert "wide table" in str(err) and "melt" in str(err)


def test_an_unclosed_quote_is_refused_not_allowed_to_swallow_later_rows(tmp_path):
    path = write(tmp_path, "q.csv", 'ds,y,note\n2024-01-01,1,"ok"\n2024-01-02,2,"never closed\n2024-01-03,3,x\n')
    err = refusal(path)
    assert "q.csv, line 3" in str(err) and "quoting is broken" in str(err)


def test_fully_quoted_file_as_some_exporters_write_it(tmp_path):
    out = read_history(write(tmp_path, "allq.csv",
                             '"series","ds","y"\n"calls","2024-01-02","2"\n"calls","2024-01-01","1"\n'))
    assert out["y"].tolist() == [1.0, 2.0] and list(out.columns) == ["series", "ds", "y"]


def test_xlsx_empty_rows_between_and_below_date_cells_are_not_data(tmp_path):
    # every ds is an Excel date cell, so the empty cells come back as NaT, not None
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ds", "y"])
    ws.append([pd.Timestamp("2024-01-01").to_pydatetime(), 5])
    ws.append([None, None])
    ws.append([pd.Timestamp("2024-01-02").to_pydatetime(), 6])
    ws["A9"].number_format = "yyyy-mm-dd"  # a formatted but empty row under the data, as Excel saves
    wb.save(tmp_path / "h.xlsx")
    out = read_history(tmp_path / "h.xlsx")
    assert out["y"].tolist() == [5.0, 6.0]


def test_semicolon_file_with_dot_thousands_reads_every_value_the_same_way(tmp_path):
    p = tmp_path / "de.csv"
    p.write_text("ds;y\n2024-01-01;1.234,5\n2024-01-02;12.345\n2024-01-03;7,5\n", encoding="utf-8")
    assert read_history(p)["y"].tolist() == [1234.5, 12345.0, 7.5]


def test_semicolon_file_with_english_grouping_is_refused_not_misread(tmp_path):
    p = tmp_path / "en.csv"
    p.write_text("ds;y\n2024-01-01;5\n2024-01-02;1,234.5\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_history(p)
    msg = str(err.value)
    assert "en.csv" in msg and "line 3" in msg and "1,234.5" in msg


# ------------------------------------------------------------------------------------------------
# sources: a path, the file's bytes, or a file object read the same; messages use the name given

SOURCES = [
    ("history.csv",
     "series,ds,y,note\ncalls,2024-01-01 08:30,7,=1+1\ncalls,2024-01-01 08:00,5,\nmail,2024-01-01 08:00,2,x\n"),
    ("historique.csv", "ds;y\n02/01/2024;1 234,5\n01/01/2024;12,5\n"),
]


@pytest.mark.parametrize("name,content", SOURCES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_bytes_and_file_objects_read_the_same_frame_as_the_path(tmp_path, name, content, suffix):
    data = content.encode("utf-8")
    if suffix:
        data = gzip.compress(data)
    path = write(tmp_path, name + suffix, data)
    want = read_history(path)
    pd.testing.assert_frame_equal(read_history(data), want)
    pd.testing.assert_frame_equal(read_history(data, name=name + suffix), want)
    with open(path, "rb") as fh:
        pd.testing.assert_frame_equal(read_history(fh), want)
    pd.testing.assert_frame_equal(read_history(io.BytesIO(data), name="x.csv"), want)


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_workbooks_and_parquet_files_read_from_bytes_by_name_or_by_their_first_bytes(tmp_path, kind):
    frame = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=3, freq="30min"), "y": [1.0, 2.0, 3.0]})
    path = tmp_path / f"h.{kind}"
    frame.to_excel(path, index=False) if kind == "xlsx" else frame.to_parquet(path)
    want = read_history(path)
    data = path.read_bytes()
    pd.testing.assert_frame_equal(read_history(data, name=f"upload.{kind}"), want)
    pd.testing.assert_frame_equal(read_history(data), want)  # no name: told by the ZIP / PAR1 magic
    pd.testing.assert_frame_equal(read_history(io.BytesIO(data)), want)


def test_messages_name_the_file_name_given_for_bytes_and_file_objects(tmp_path):
    bad = b"ds,y\n2024-01-01,1\n2024-01-02,12.5x\n"
    for source in (bad, io.BytesIO(bad)):
        err = refusal(source, name="x.csv")
        assert str(err).startswith("x.csv, line 3, column 'y': '12.5x' is not a number")
        assert err.path == "x.csv"
    assert str(refusal(bad)).startswith("upload, line 3")
    with open(write(tmp_path, "named.csv", bad), "rb") as fh:  # a file object's own name, without its folder
        assert str(refusal(fh)).startswith("named.csv, line 3")
    with pytest.warns(DataWarning, match=r"^x\.csv: 1 blank 'y' value"):
        read_history(b"ds,y\n2024-01-01,\n", name="x.csv")


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(forecast.limits, "MAX_UPLOAD_BYTES", 100)
    data = b"ds,y\n" + b"2024-01-01,1\n" * 20
    for source in (write(tmp_path, "big.csv", data), data, io.BytesIO(data)):
        with pytest.raises(DataError, match="MAX_UPLOAD_BYTES"):
            read_history(source, name="big.csv")


# ------------------------------------------------------------------------------------------------
# arrivals tables (ds, calls / yhat) through the same validation: value=


def test_an_arrivals_table_reads_with_its_calls_column():
    root = Path(__file__).resolve().parents[1]
    out = read_history(root / "examples" / "arrivals_2024-11-13.csv", value=forecast.ARRIVALS_VALUES,
                       value_limit="MAX_CALLS_PER_INTERVAL")
    assert list(out.columns) == ["series", "ds", "calls"]
    assert out["calls"].dtype == np.float64 and len(out) == 24
    assert out["ds"].diff().dropna().eq(pd.Timedelta("30min")).all()
    assert out["calls"].iloc[:2].tolist() == [173.0, 168.0]


def test_a_forecast_reads_as_arrivals_by_its_yhat_column_and_extra_numbers_are_numbers():
    data = (b"series,ds,yhat,yhat_lo_80,model,aht_s\n"
            b"calls,2024-11-13 08:30,10.5,8,profile,\ncalls,2024-11-13 08:00,9,7,profile,310\n")
    with pytest.warns(DataWarning, match="1 blank 'aht_s' value"):
        out = read_history(data, name="fc.csv", value=forecast.ARRIVALS_VALUES, numeric=("aht_s", "absent"))
    assert list(out.columns) == ["series", "ds", "yhat", "yhat_lo_80", "model", "aht_s"]
    assert out["yhat"].tolist() == [9.0, 10.5]
    assert out["aht_s"].iloc[0] == 310.0 and np.isnan(out["aht_s"].iloc[1])
    assert out["yhat_lo_80"].tolist() == ["7", "8"]  # not asked for: carried as read


@pytest.mark.parametrize("content,fragments", [
    ("ds,calls\n2024-11-13 08:00,5\n2024-11-13 08:30,-10\n", ["arr.csv, line 3, column 'calls'", "'-10' is negative"]),
    ("ds,calls\n2024-11-13 08:00,5\n2024-11-13 08:30,abc\n",
     ["arr.csv, line 3, column 'calls'", "'abc' is not a number"]),
    ("ds,volume\n2024-11-13 08:00,5\n", ["arr.csv, line 1, column 'calls'", "no column 'calls', 'yhat' or 'y'",
                                         "did you mean"]),
    ("ds,calls,aht_s\n2024-11-13 08:00,5,-3\n", ["arr.csv, line 2, column 'aht_s'", "'-3' is negative"]),
    ("ds,calls\n2024-03-10 08:00-05:00,5\n2024-03-11 08:00-04:00,5\n", ["arr.csv, line 3, column 'ds'", "tz="]),
])
def test_arrivals_refusals_name_file_and_line_counted_as_a_person_does(content, fragments):
    err = refusal(content.encode(), name="arr.csv", value=forecast.ARRIVALS_VALUES, numeric=("aht_s",),
                  value_limit="MAX_CALLS_PER_INTERVAL")
    for fragment in fragments:
        assert fragment in str(err), str(err)
    assert "np." not in str(err) and "Pass utc=True" not in str(err)


def test_a_group_column_can_name_the_series_and_messages_say_group():
    text = (b"ds,group,yhat,yhat_lo_80\n2026-01-05,phones,10,8\n2026-01-05,processing,20,15\n"
            b"2026-01-06,phones,11,9\n")
    read = forecast.read_history(text, name="plan.csv", value=("yhat", "calls", "y"), numeric=("yhat_lo_80",),
                                 series_column="group")
    assert sorted(read["series"].unique()) == ["phones", "processing"]
    assert read.loc[read["series"] == "processing", "yhat_lo_80"].tolist() == [15.0]
    with pytest.raises(forecast.DataError) as err:  # the same group twice on a day: both lines named
        forecast.read_history(text + b"2026-01-05,phones,12,9\n", name="plan.csv", value="yhat", series_column="group")
    assert "lines 2 and 5" in str(err.value)
    with pytest.raises(forecast.DataError) as err:
        forecast.read_history(b"ds,group,yhat\n2026-01-05, ,10\n", name="plan.csv", value="yhat",
                              series_column="group")
    assert err.value.column == "group" and err.value.line == 2
    with pytest.raises(forecast.DataError, match="both a 'group' and a 'series' column"):
        forecast.read_history(b"ds,group,series,yhat\n2026-01-05,a,b,10\n", name="plan.csv", value="yhat",
                              series_column="group")
    # without the option a group column is an ordinary extra column: one series, and the day is doubled
    with pytest.raises(forecast.DataError, match="twice"):
        forecast.read_history(text, name="plan.csv", value="yhat")
