"""read_history speed and bounds.

1. A 300,000-row CSV (plain, fully quoted, French Excel) vs pandas.read_csv alone on the same file,
   and the same file given as bytes (median of 5).
2. A 169 KB file with 20,000 columns: time to its refusal at the default
   limit (MAX_COLUMNS = 200), then the time to read 2,500 to 20,000 columns with the limit raised:
   linear in the columns (each doubling about doubles the time).
3. A 2 MB gzip bomb (2 GB of zeros in 120 gzip members; finding 2): time to its refusal and the
   peak memory traced meanwhile (the limit is MAX_UPLOAD_BYTES = 100 MB).
"""
import csv
import gzip
import os
import statistics
import tempfile
import time
import tracemalloc
import zlib

import numpy as np
import pandas as pd

import forecast
from forecast import limits

os.chdir(tempfile.mkdtemp(prefix="qc_read_bench_"))
rng = np.random.default_rng(0)
n = 300_000
ds = pd.date_range("2020-01-01", periods=n // 3, freq="30min")
df = pd.DataFrame({"series": np.repeat(["calls", "applications", "calls_blocked"], n // 3),
                   "ds": np.tile(ds, 3), "y": rng.poisson(40, n) + rng.integers(0, 100, n) / 100})
df = df.sample(frac=1, random_state=1)  # unsorted, as exports often are
df.to_csv("big.csv", index=False)
df.to_csv("big_q.csv", index=False, quoting=csv.QUOTE_ALL)
fr = df.assign(ds=df["ds"].dt.strftime("%d/%m/%Y %H:%M"), y=[repr(v).replace(".", ",") for v in df["y"]])
fr.to_csv("big_fr.csv", index=False, sep=";")


def med(f, k=5):
    ts = []
    for _ in range(k):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def refused(f):
    try:
        f()
    except forecast.DataError:
        return
    raise AssertionError("expected a refusal")


for name, kw in [("big.csv", {}), ("big_q.csv", {}), ("big_fr.csv", {"sep": ";", "decimal": ","})]:
    a = med(lambda name=name, kw=kw: pd.read_csv(name, **kw))
    b = med(lambda name=name: forecast.read_history(name))
    print(f"{name:11s} pandas.read_csv {a:.3f} s  read_history {b:.3f} s  ratio {b / a:.1f}")
data = open("big.csv", "rb").read()
print(f"big.csv as bytes: read_history {med(lambda: forecast.read_history(data, name='big.csv')):.3f} s")
h = forecast.read_history("big.csv")
print(f"describe_history 300k rows: {med(lambda: forecast.describe_history(h)):.3f} s")
h87 = pd.DataFrame({"ds": pd.date_range("2015-01-01", periods=87_600, freq="h"),
                    "y": rng.poisson(50, 87_600).astype(float)})
print(f"describe_history 87,600 rows: {med(lambda: forecast.describe_history(h87)):.3f} s")


def wide(columns: int) -> bytes:
    header = "ds,y," + ",".join(f"c{i}" for i in range(columns - 2))
    rows = "".join(f"2024-01-0{d},1" + "," * (columns - 2) + "\n" for d in (1, 2))
    return f"{header}\n{rows}".encode()


w = wide(20_000)
print(f"20,000 columns ({len(w) / 1e3:.0f} KB), refused at MAX_COLUMNS = {limits.MAX_COLUMNS}: "
      f"{med(lambda: refused(lambda: forecast.read_history(w, name='wide.csv'))) * 1e3:.1f} ms")
limits.MAX_COLUMNS = 100_000
for cols in (2_500, 5_000, 10_000, 20_000):
    data_w = wide(cols)
    seconds = med(lambda data_w=data_w: forecast.read_history(data_w), k=3)
    print(f"{cols:>6,} columns read with the limit raised: {seconds:.2f} s")
limits.MAX_COLUMNS = limits.LIMITS["MAX_COLUMNS"].value

member = zlib.compressobj(9, zlib.DEFLATED, 31)
member = member.compress(b"0" * (16 << 20)) + member.flush()
bomb = member * (2_000_000 // len(member))
assert gzip.decompress(member)[:1] == b"0"
tracemalloc.start()
t = time.perf_counter()
refused(lambda: forecast.read_history(bomb, name="bomb.csv.gz"))
elapsed = time.perf_counter() - t
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(f"gzip bomb {len(bomb) / 1e6:.1f} MB -> {len(bomb) // len(member) * 16 / 1024:.1f} GiB: "
      f"refused in {elapsed:.2f} s, "
      f"peak traced memory {peak / 1e6:.0f} MB (limit {limits.MAX_UPLOAD_BYTES / 1e6:.0f} MB)")
