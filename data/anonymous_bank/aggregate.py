"""Aggregate the Anonymous Bank 6-minute call counts (1999) into 30-minute counts.

Reads anonymous_bank_1999_6min.csv (or .csv.gz) next to this script and writes
anonymous_bank_1999_30min.csv: columns ``ds`` (interval start, local time, no zone, "YYYY-MM-DD HH:MM")
and ``y`` (calls arriving in the 30 minutes; the 91 published half calls are kept, so a few values end in .5).
Every 30-minute interval of 1999 is written (17,520 rows), zeros included. Run:
``python data/anonymous_bank/aggregate.py [--out-dir DIR]``; the output is byte-identical on every run.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def aggregate(src: Path | None = None) -> pd.DataFrame:
    """Return the 30-minute frame (ds: Timestamp, y: float) summed from the 6-minute file."""
    if src is None:
        src = next(p for p in (HERE / "anonymous_bank_1999_6min.csv", HERE / "anonymous_bank_1999_6min.csv.gz")
                   if p.exists())
    six = pd.read_csv(src, parse_dates=["ds"])
    out = six.groupby(six["ds"].dt.floor("30min"), sort=True)["y"].sum().reset_index()
    return out


def main(out_dir: str | Path | None = None) -> Path:
    """Write anonymous_bank_1999_30min.csv into out_dir (default: this folder) and return its path."""
    out = Path(out_dir) if out_dir is not None else HERE
    out.mkdir(parents=True, exist_ok=True)
    df = aggregate()
    text = pd.DataFrame({"ds": df["ds"].dt.strftime("%Y-%m-%d %H:%M"),
                         "y": df["y"].map(lambda v: f"{v:g}")})
    path = out / "anonymous_bank_1999_30min.csv"
    text.to_csv(path, index=False, lineterminator="\n")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Aggregate the Anonymous Bank 6-minute counts to 30 minutes.")
    parser.add_argument("--out-dir", default=None, help="output folder (default: this script's folder)")
    print(main(parser.parse_args().out_dir))
