"""What a planner waits for in the app: each page's first run, and a scenario edit on Compare.

Drives the real app (``app.py``) headless through Streamlit's AppTest, on the bundled data, and prints
wall-clock seconds per page (first visit, caches cold for that page's own work) and the median of
``--edits`` handle-time edits of one scenario followed by the Compare page's rerun (only that
scenario is simulated again). Peer in the same run: the first Compare run, which simulates every
ready scenario.

Run: ``python benchmarks/app_speed.py [--edits 5]``.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ("scenarios", "demand", "staffing", "capacity")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edits", type=int, default=5, help="scenario edits timed on Compare (default 5)")
    args = ap.parse_args()

    at = AppTest.from_file(APP, default_timeout=600)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, [e.message for e in at.exception]
    print(f"Compare, first run (every ready scenario simulated): {first:6.2f} s")

    for page in PAGES:
        t0 = time.perf_counter()
        at.switch_page(f"app_pages/{page}.py").run()
        took = time.perf_counter() - t0
        assert not at.exception, (page, [e.message for e in at.exception])
        print(f"{page:<10} first visit: {took:6.2f} s")

    at.switch_page("app_pages/scenarios.py").run()
    edits = []
    for i in range(args.edits):
        at.number_input(key="aht_1").set_value(560.0 + 10 * i).run()
        t0 = time.perf_counter()
        at.switch_page("app_pages/compare.py").run()
        edits.append(time.perf_counter() - t0)
        assert not at.exception, [e.message for e in at.exception]
        at.switch_page("app_pages/scenarios.py").run()
    med = statistics.median(edits)
    print(f"Compare after editing one scenario's handle time: median {med:.2f} s over {len(edits)} edits "
          f"({', '.join(f'{e:.2f}' for e in edits)}); {med / first:.2f} x the first run")


if __name__ == "__main__":
    main()
