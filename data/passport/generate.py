"""Generate the bundled SYNTHETIC passport call-centre history (calibrated to public figures).

This is not real Service Canada data. It is a deterministic, seeded simulation of a national passport
program and its call centre, calibrated to the public figures listed in ``data/README.md``:

* applications received per day: yearly totals per fiscal year (GC Service Inventory), monthly totals
  April 2022 - March 2025 (canada.ca "Passport program statistics"), May 2020 = 2,917; a smooth
  spring/summer travel peak, weekday intake, federal statutory holidays;
* processing: a first-in-first-out inventory worked on business days, limited by a processing capacity
  (workforce-driven; in April 2022 - February 2023 it follows the published passports issued);
  ``past_standard`` counts open applications older than 20 business days (the mail standard);
* calls: fresh callers = general enquiries + a share of recent applications + *status calls* that
  scale with ``past_standard`` (failure demand); a call centre with a fixed number of lines and an
  answering capacity; blocked and abandoned callers redial on the next open days, so in the 2022
  surge attempts run at 3-4 per caller; closed on weekends and statutory holidays, with a rebound on
  the next open day.

Run ``python data/passport/generate.py [--out-dir DIR]``; the output is byte-identical on every run.
Requires numpy, pandas and holidays only.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

SEED = 20220704
START = pd.Timestamp("2016-01-01")
END = pd.Timestamp("2024-12-31")
# The simulation warms up from the start of FY2015-16 so the inventory on 2016-01-01 is realistic,
# and runs to the end of FY2024-25 so every fiscal year is complete; both ends are trimmed on output.
SIM_START = pd.Timestamp("2015-04-01")
SIM_END = pd.Timestamp("2025-03-31")
INTRADAY_START = pd.Timestamp("2024-07-01")
OPEN_HOUR, CLOSE_HOUR = 8, 20  # hours of operation, local (Eastern) time, Monday to Friday
STANDARD_BDAYS = 20  # processing standard by mail / Service Canada Centre, business days

# Yearly applications per fiscal year (April-March). Published: FY2018-19..FY2024-25, GC Service
# Inventory (passport_applications_by_channel_fy2018_2025.csv). FY2015-16..FY2017-18 are NOT published
# here: chosen inside the 2.5-5 M five-year cycle quoted by the Minister (HUMA, 30 May 2022).
FY_TOTALS = {  # key: the calendar year in which the fiscal year starts (2018 = FY2018-19)
    2015: 4_300_000,  # assumption
    2016: 4_000_000,  # assumption
    2017: 3_400_000,  # assumption
    2018: 2_894_929,
    2019: 2_298_340,
    2020: 354_037,
    2021: 1_406_647,
    2022: 3_429_561,
    2023: 4_984_089,  # the monthly page sums to 4,852,271; the monthly figures win (see README)
    2024: 5_255_644,
}
# Monthly applications received (canada.ca statistics page); March 2023 is published only to the
# 19th (230,381) so the full month is FY2022-23's total minus its other 11 months (403,978).
MONTHLY_PUBLISHED = {
    "2020-05": 2_917,
    "2022-04": 261_183, "2022-05": 281_055, "2022-06": 266_027, "2022-07": 234_552,
    "2022-08": 265_168, "2022-09": 225_356, "2022-10": 265_507, "2022-11": 279_686,
    "2022-12": 238_006, "2023-01": 371_842, "2023-02": 337_201, "2023-03": 403_978,
    "2023-04": 213_061, "2023-05": 373_435, "2023-06": 366_612, "2023-07": 364_030,
    "2023-08": 406_287, "2023-09": 388_725, "2023-10": 407_328, "2023-11": 427_939,
    "2023-12": 357_507, "2024-01": 551_335, "2024-02": 515_116, "2024-03": 480_896,
    "2024-04": 480_454, "2024-05": 469_472, "2024-06": 415_322, "2024-07": 466_975,
    "2024-08": 447_612, "2024-09": 397_583, "2024-10": 460_200, "2024-11": 385_027,
    "2024-12": 323_507, "2025-01": 549_944, "2025-02": 413_799, "2025-03": 439_484,
}
# Passports issued per month (same page), April 2022 - February 2023: the processing capacity of the
# surge. Processed = issued / 0.95 (assumption: ~5% of applications close without a passport).
ISSUED_PUBLISHED = {
    "2022-04": 134_290, "2022-05": 160_204, "2022-06": 203_425, "2022-07": 206_744,
    "2022-08": 240_980, "2022-09": 248_705, "2022-10": 298_384, "2022-11": 389_523,
    "2022-12": 336_432, "2023-01": 357_480, "2023-02": 375_516,
}
ISSUED_SHARE = 0.95

# Travel-season shape of applications (multiplier per calendar month, interpolated daily).
SEASON = np.array([1.10, 1.15, 1.25, 1.28, 1.25, 1.12, 0.95, 0.85, 0.75, 0.75, 0.72, 0.60])
# Share of a weekday's intake received on Sat, Sun and weekday holidays (mail drop-offs and online).
INTAKE_SAT, INTAKE_SUN, INTAKE_HOLIDAY = 0.12, 0.06, 0.08
# Pandemic multiplier on applications (anchor date -> factor, linear in between; 1 outside).
PANDEMIC = [
    ("2020-03-12", 1.0), ("2020-03-22", 0.012), ("2020-05-31", 0.012), ("2020-07-01", 0.10),
    ("2020-10-15", 0.15), ("2021-01-15", 0.13), ("2021-03-15", 0.17), ("2021-04-15", 0.22),
    ("2021-07-15", 0.45), ("2021-10-15", 0.62), ("2021-12-20", 0.58), ("2022-01-20", 0.70),
    ("2022-03-20", 0.85),
]

# Processing capacity (applications per business day). Before the pandemic and from March 2023 it is a
# multiple of the centred yearly mean intake, so each spring peak builds a small backlog (a different
# size each year, which makes the status-call response identifiable before 2022).
CAPACITY_FACTOR = {2015: 1.09, 2016: 1.07, 2017: 1.09, 2018: 1.065, 2019: 1.08}
CAPACITY_FACTOR_POST = 1.10
CAPACITY_PANDEMIC = [
    ("2020-03-16", 8_000.0), ("2020-04-30", 8_000.0), ("2020-06-30", 3_000.0), ("2021-03-31", 3_500.0),
    ("2021-04-01", 4_500.0), ("2021-12-31", 6_500.0), ("2022-03-31", 7_000.0),
]
WORK_RATE = 0.12  # share of the waiting inventory that can be completed in a day (min. latency)

# Calls: fresh callers per open day = (GENERAL + PER_APPLICATION * recent applications per business day
# + STATUS_PER_LATE * past_standard) * weekday factor; plus the holiday rebound.
GENERAL_CALLS = 1_500.0
PER_APPLICATION = 0.30
STATUS_PER_LATE = 0.18
WEEKDAY_CALLS = np.array([1.28, 1.04, 0.96, 0.92, 0.80])  # Mon..Fri, mean 1
REBOUND = 0.35  # share of a closed weekday's callers who call on the next open day
# Answering capacity (answered calls per open day), anchors linear in between.
ANSWER_CAPACITY = [
    ("2015-04-01", 11_000.0), ("2020-03-13", 11_000.0), ("2020-03-27", 5_000.0), ("2021-12-31", 5_000.0),
    ("2022-03-31", 7_000.0), ("2022-06-30", 10_000.0), ("2022-12-31", 20_000.0), ("2023-06-30", 16_000.0),
    ("2025-03-31", 16_000.0),
]
LINES_FACTOR = 1.5  # the queue admits this multiple of the answering capacity per day; the rest is busy
REDIAL_BLOCKED, REDIAL_ABANDONED = 0.75, 0.55  # chance a failed caller tries again
REDIAL_NEXT_DAY = 0.75  # of the redials, share on the next open day; the rest on the one after
AHT_BASE_S = 540.0  # assumption: no federal figure is published

# Intraday profile of call attempts, one weight per half hour 08:00..19:30 (peak about 10:00).
INTRADAY_PROFILE = np.array([
    0.55, 0.80, 1.05, 1.25, 1.35, 1.30, 1.20, 1.05, 0.85, 0.80, 0.95, 1.05,
    1.05, 1.00, 0.95, 0.90, 0.85, 0.75, 0.65, 0.55, 0.45, 0.40, 0.33, 0.25,
])

DAILY_SERIES = [
    "applications", "processed", "backlog", "past_standard",
    "calls", "calls_answered", "calls_abandoned", "calls_blocked", "callers", "aht_s",
]


def federal_holidays(start: pd.Timestamp, end: pd.Timestamp) -> set[pd.Timestamp]:
    """Federal statutory holidays (with observed days) between start and end, as normalised Timestamps.

    New Year, Good Friday, Victoria Day, Canada Day, Labour Day, Truth and Reconciliation (from 2021),
    Thanksgiving, Remembrance Day, Christmas, Boxing Day: ``holidays.Canada`` with the public, government
    and optional categories (no province).
    """
    cal = holidays.Canada(years=range(start.year, end.year + 1),
                          categories=("public", "government", "optional"))
    return {pd.Timestamp(d) for d in cal if start <= pd.Timestamp(d) <= end}


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total into integers proportional to weights (largest remainder), summing exactly."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(np.int64)
    short = int(total - out.sum())
    if short > 0:
        order = np.argsort(-(raw - out), kind="stable")
        out[order[:short]] += 1
    return out


def _day_number(days: pd.DatetimeIndex) -> np.ndarray:
    """Days since 1970-01-01 as floats (independent of the index's datetime unit, ns or us)."""
    return ((days - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(dtype=float)


def _interp_dates(days: pd.DatetimeIndex, anchors: list[tuple[str, float]], outside: float | None = None
                  ) -> np.ndarray:
    """Piecewise-linear path through (date, value) anchors, evaluated on days; constant (or `outside`) beyond."""
    x = _day_number(pd.DatetimeIndex([pd.Timestamp(d) for d, _ in anchors]))
    y = np.array([v for _, v in anchors], dtype=float)
    t = _day_number(days)
    out = np.interp(t, x, y)
    if outside is not None:
        out[(t < x[0]) | (t > x[-1])] = outside
    return out


def _season(days: pd.DatetimeIndex) -> np.ndarray:
    """Smooth yearly travel-season multiplier: SEASON at mid-month, periodic linear interpolation."""
    doy = days.day_of_year.to_numpy() - 1
    mid = np.arange(12) * 365.0 / 12 + 15.0
    xs = np.concatenate([mid - 365.0, mid, mid + 365.0])
    ys = np.tile(SEASON, 3)
    return np.interp(doy, xs, ys)


def _fiscal_year(days: pd.DatetimeIndex) -> np.ndarray:
    return np.where(days.month >= 4, days.year, days.year - 1)


def simulate_applications(days: pd.DatetimeIndex, open_day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Applications received per calendar day (int), matching FY_TOTALS and MONTHLY_PUBLISHED exactly."""
    dow = days.day_of_week.to_numpy()
    day_w = np.where(dow == 5, INTAKE_SAT, np.where(dow == 6, INTAKE_SUN, 1.0))
    day_w = np.where((dow < 5) & ~open_day, INTAKE_HOLIDAY, day_w)
    expected_w = _season(days) * _interp_dates(days, PANDEMIC, outside=1.0) * day_w
    noisy_w = expected_w * rng.lognormal(0.0, 0.08, len(days))
    months = days.strftime("%Y-%m").to_numpy()
    fy = _fiscal_year(days)
    apps = np.zeros(len(days), dtype=np.int64)
    for year, total in FY_TOTALS.items():
        in_fy = fy == year
        fy_months = list(dict.fromkeys(months[in_fy]))
        pinned = {m: MONTHLY_PUBLISHED[m] for m in fy_months if m in MONTHLY_PUBLISHED}
        free = [m for m in fy_months if m not in pinned]
        free_total = max(total - sum(pinned.values()), 0)
        free_mask = in_fy & np.isin(months, free)
        month_totals = dict(pinned)
        if free:
            # unpinned months share the rest of the FY total in proportion to their expected weight
            per_month = np.array([expected_w[free_mask & (months == m)].sum() for m in free])
            month_totals.update(zip(free, _apportion(free_total, per_month).tolist(), strict=True))
        for m, t in month_totals.items():
            sel = months == m
            apps[sel] = _apportion(int(t), noisy_w[sel])
    return apps


def _processing_capacity(days: pd.DatetimeIndex, apps: np.ndarray, business: np.ndarray) -> np.ndarray:
    """Applications that can be completed per calendar day (0 on non-business days).

    Outside the pandemic and the surge: a factor times the centred yearly mean intake per business day,
    the mean taken over days outside the pandemic (so early 2020 is not starved by the later collapse).
    """
    pandemic = (days >= pd.Timestamp(CAPACITY_PANDEMIC[0][0])) & (days <= pd.Timestamp(CAPACITY_PANDEMIC[-1][0]))
    normal = ~pandemic
    a = pd.Series(np.where(normal, apps, 0.0))
    b = pd.Series(np.where(normal, business, False).astype(float))
    window = dict(window=365, center=True, min_periods=120)
    rate_per_bday = (a.rolling(**window).sum() / b.rolling(**window).sum()).to_numpy()
    fy = _fiscal_year(days)
    factor = np.array([CAPACITY_FACTOR.get(int(y), CAPACITY_FACTOR_POST) for y in fy])
    cap = np.where(pandemic, _interp_dates(days, CAPACITY_PANDEMIC), factor * rate_per_bday)
    months = days.strftime("%Y-%m").to_numpy()
    for m, issued in ISSUED_PUBLISHED.items():
        sel = months == m
        cap[sel] = issued / ISSUED_SHARE / business[sel].sum()
    return np.where(business, cap, 0.0)


def simulate_processing(days: pd.DatetimeIndex, apps: np.ndarray, business: np.ndarray,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FIFO inventory: returns (processed, backlog at end of day, past_standard at end of day), ints."""
    cap = _processing_capacity(days, apps, business) * rng.lognormal(0.0, 0.05, len(days))
    bday_index = np.cumsum(business)  # business-day clock; a cohort's age = clock now - clock at receipt
    remaining = apps.astype(np.int64).copy()
    head = 0
    backlog = 0
    processed = np.zeros(len(days), dtype=np.int64)
    backlog_end = np.zeros(len(days), dtype=np.int64)
    late_end = np.zeros(len(days), dtype=np.int64)
    for t in range(len(days)):
        workable = backlog  # today's receipts are not workable today
        todo = int(min(cap[t], WORK_RATE * workable)) if business[t] else 0
        done = 0
        while todo > 0 and head < t:
            take = min(todo, int(remaining[head]))
            remaining[head] -= take
            todo -= take
            done += take
            if remaining[head] == 0:
                head += 1
            else:
                break
        processed[t] = done
        backlog = backlog - done + int(apps[t])
        backlog_end[t] = backlog
        cut = int(np.searchsorted(bday_index, bday_index[t] - STANDARD_BDAYS, side="left"))
        late_end[t] = int(remaining[head:cut].sum()) if cut > head else 0
    return processed, backlog_end, late_end


def simulate_calls(days: pd.DatetimeIndex, open_day: np.ndarray, apps: np.ndarray, late: np.ndarray,
                   rng_callers: np.random.Generator, rng_redial: np.random.Generator,
                   rng_aht: np.random.Generator) -> dict[str, np.ndarray]:
    """Daily call flows; every array has one value per calendar day (0 when closed; aht_s NaN when closed)."""
    n = len(days)
    recent = pd.Series(apps.astype(float)).rolling(28, min_periods=1).sum().to_numpy() / 20.0
    late_start = np.concatenate([[0], late[:-1]]).astype(float)  # past_standard at the start of the day
    dow = days.day_of_week.to_numpy()
    wk = np.where(dow < 5, WEEKDAY_CALLS[np.minimum(dow, 4)], 0.0)
    base = (GENERAL_CALLS + PER_APPLICATION * recent) * wk
    status = STATUS_PER_LATE * late_start * wk
    mean_fresh = base + status
    answer_cap = _interp_dates(days, ANSWER_CAPACITY)
    lines = LINES_FACTOR * answer_cap
    open_idx = np.flatnonzero(open_day)
    next_open = np.searchsorted(open_idx, np.arange(n), side="right")  # position in open_idx after day t

    out = {k: np.zeros(n, dtype=np.int64) for k in
           ("calls", "calls_answered", "calls_abandoned", "calls_blocked", "callers")}
    aht = np.full(n, np.nan)
    redials_due = np.zeros(len(open_idx) + 2, dtype=np.int64)
    rebound_due = np.zeros(len(open_idx) + 1)
    noise = rng_callers.lognormal(0.0, 0.06, n)
    for t in range(n):
        if not open_day[t]:
            if dow[t] < 5 and next_open[t] < len(open_idx):  # a closed weekday: part of its demand rebounds
                rebound_due[next_open[t]] += REBOUND * mean_fresh[t]
            continue
        k = next_open[t] - 1  # this day's position among open days
        lam = mean_fresh[t] * noise[t] + rebound_due[k]
        fresh = int(rng_callers.poisson(lam))
        attempts = fresh + int(redials_due[k])
        entered = min(attempts, int(lines[t]))
        blocked = attempts - entered
        load = entered / answer_cap[t]
        abandon_share = 0.03 + 0.12 * min(load, 1.0) ** 6
        answered = int(min(round(entered * (1.0 - abandon_share)), answer_cap[t]))
        abandoned = entered - answered
        again = (int(rng_redial.binomial(blocked, REDIAL_BLOCKED))
                 + int(rng_redial.binomial(abandoned, REDIAL_ABANDONED)))
        soon = int(rng_redial.binomial(again, REDIAL_NEXT_DAY))
        redials_due[k + 1] += soon
        redials_due[k + 2] += again - soon
        out["callers"][t] = fresh
        out["calls"][t] = attempts
        out["calls_answered"][t] = answered
        out["calls_abandoned"][t] = abandoned
        out["calls_blocked"][t] = blocked
        status_share = status[t] / max(mean_fresh[t], 1e-9)
        aht[t] = AHT_BASE_S + 45.0 * status_share + rng_aht.normal(0.0, 12.0)
    out_f: dict[str, np.ndarray] = dict(out)
    out_f["aht_s"] = np.round(aht, 1)
    return out_f


def simulate_intraday(days: pd.DatetimeIndex, open_day: np.ndarray, calls: np.ndarray,
                      rng: np.random.Generator) -> pd.DataFrame:
    """Half-hourly call attempts within hours of operation (Mon-Fri 08:00-20:00), summing to daily calls.

    Weekday holidays appear as zero rows (the centre is closed); weekends have no rows.
    """
    rows = []
    slots = pd.timedelta_range(start=pd.Timedelta(hours=OPEN_HOUR), periods=2 * (CLOSE_HOUR - OPEN_HOUR),
                               freq="30min")
    for t in np.flatnonzero((days >= INTRADAY_START) & (days <= END) & (days.day_of_week < 5)):
        profile = INTRADAY_PROFILE.copy()
        if days[t].day_of_week == 0:
            profile[:8] *= 1.10  # Mondays start harder
        p = rng.dirichlet(profile / profile.sum() * 400.0)
        y = rng.multinomial(int(calls[t]), p) if open_day[t] else np.zeros(len(slots), dtype=np.int64)
        rows.append(pd.DataFrame({"ds": days[t] + slots, "y": y}))
    df = pd.concat(rows, ignore_index=True)
    df.insert(0, "series", "calls")
    return df


def generate() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate everything; returns (daily wide frame indexed by date, intraday long frame)."""
    ss = np.random.SeedSequence(SEED)
    rng_apps, rng_proc, rng_callers, rng_redial, rng_aht, rng_intra = (np.random.default_rng(s) for s in ss.spawn(6))
    days = pd.date_range(SIM_START, SIM_END, freq="D")
    closed = federal_holidays(SIM_START, SIM_END)
    is_holiday = days.isin(sorted(closed))
    open_day = (days.day_of_week < 5) & ~is_holiday
    apps = simulate_applications(days, open_day, rng_apps)
    processed, backlog, late = simulate_processing(days, apps, open_day, rng_proc)
    calls = simulate_calls(days, open_day, apps, late, rng_callers, rng_redial, rng_aht)
    wide = pd.DataFrame({"applications": apps, "processed": processed, "backlog": backlog,
                         "past_standard": late, **calls}, index=days)
    wide.index.name = "ds"
    intraday = simulate_intraday(days, open_day, calls["calls"], rng_intra)
    return wide.loc[START:END, DAILY_SERIES], intraday


def _fmt(series: str, values: pd.Series) -> pd.Series:
    if series == "aht_s":
        return values.map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    return values.map(lambda v: f"{int(v)}")


def main(out_dir: str | Path | None = None) -> list[Path]:
    """Write passport_daily.csv, passport_daily_wide.csv and passport_intraday_30min.csv into out_dir."""
    out = Path(out_dir) if out_dir is not None else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    wide, intraday = generate()
    dates = wide.index.strftime("%Y-%m-%d")
    long_parts = []
    for s in DAILY_SERIES:
        col = wide[s]
        keep = col.notna().to_numpy()  # aht_s is undefined on closed days: no row (documented)
        long_parts.append(pd.DataFrame({"series": s, "ds": dates[keep], "y": _fmt(s, col[keep]).to_numpy()}))
    long = pd.concat(long_parts, ignore_index=True)
    wide_out = pd.DataFrame({"ds": dates})
    for s in DAILY_SERIES:
        wide_out[s] = _fmt(s, wide[s]).to_numpy()
    intra_out = pd.DataFrame({"series": intraday["series"], "ds": intraday["ds"].dt.strftime("%Y-%m-%d %H:%M"),
                              "y": intraday["y"].astype("int64")})
    paths = [out / "passport_daily.csv", out / "passport_daily_wide.csv", out / "passport_intraday_30min.csv"]
    for frame, path in zip((long, wide_out, intra_out), paths, strict=True):
        frame.to_csv(path, index=False, lineterminator="\n")
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=None, help="output folder (default: this script's folder)")
    args = parser.parse_args()
    for p in main(args.out_dir):
        print(p)
