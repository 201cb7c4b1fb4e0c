"""Round-trip properties of the history contract: what pandas writes (plainly, or as French-locale Excel
would), read_history reads back unchanged, only sorted by series then ds."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast import read_history

FORMULA_LIKE = ["=SUM(A1)", "-calls", "+1", "@user", "=1+1", "calls_blocked", "NA", "a;b", 'say "hi"', "x,y"]
NAME_CHARS = st.characters(codec="utf-8", categories=("L", "N"), include_characters=" =+-@_;,.'\"é")

series_name = st.one_of(st.sampled_from(FORMULA_LIKE), st.text(NAME_CHARS, min_size=1, max_size=12)).filter(
    lambda s: s.strip() != "")
note = st.one_of(st.sampled_from(["", "=1+1", "fermé", "-2", "a,b", "x;y"]), st.text(NAME_CHARS, max_size=8))
# non-negative values with at most 6 decimals, as counts or rates would be
value = st.integers(min_value=0, max_value=10**10).map(lambda n: n / 10**6)


@st.composite
def histories(draw) -> pd.DataFrame:
    names = draw(st.lists(series_name, min_size=1, max_size=3, unique=True))
    parts = []
    for name in names:
        steps = draw(st.lists(st.integers(0, 24 * 2 * 60), min_size=1, max_size=15, unique=True))
        ds = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.array(steps) * 30, unit="min")
        ys = draw(st.lists(value, min_size=len(steps), max_size=len(steps)))
        notes = draw(st.lists(note, min_size=len(steps), max_size=len(steps)))
        parts.append(pd.DataFrame({"series": name, "ds": ds, "y": ys, "note": notes}))
    frame = pd.concat(parts, ignore_index=True)
    order = draw(st.permutations(range(len(frame))))  # rows in any order
    return frame.iloc[list(order)].reset_index(drop=True)


def expected(frame: pd.DataFrame) -> pd.DataFrame:
    keys = list(zip(frame["series"], frame["ds"]))
    order = sorted(range(len(frame)), key=lambda i: keys[i])
    return frame.iloc[order].reset_index(drop=True)


def assert_same(out: pd.DataFrame, frame: pd.DataFrame) -> None:
    want = expected(frame)
    assert list(out.columns) == ["series", "ds", "y", "note"]
    assert out["series"].tolist() == want["series"].tolist()
    assert out["ds"].tolist() == want["ds"].tolist()
    assert out["y"].tolist() == want["y"].tolist()  # exact: no rounding on the way
    assert out["note"].fillna("").tolist() == want["note"].tolist()


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(histories())
def test_csv_written_by_pandas_reads_back_unchanged(frame):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.csv"
        frame.to_csv(path, index=False)
        assert_same(read_history(path), frame)


@SETTINGS
@given(histories())
def test_csv_written_as_french_excel_reads_back_unchanged(frame):
    french = frame.assign(
        ds=frame["ds"].dt.strftime("%d/%m/%Y %H:%M"),
        y=[repr(v).replace(".", ",") for v in frame["y"]],
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "historique.csv"
        path.write_bytes(french.to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig"))
        assert_same(read_history(path), frame)


@SETTINGS
@given(histories())
def test_dataframe_source_reads_back_unchanged_and_keeps_every_row(frame):
    out = read_history(frame)
    assert len(out) == len(frame)
    assert_same(out, frame)
