"""The example notebooks run top to bottom without an error, and are stored without outputs.

Each notebook is executed in a fresh ``python3`` kernel (ipykernel's kernelspec) with its working
directory set to ``notebooks/``, as Jupyter would; the notebooks find the repository root themselves.
The kernel inherits the environment with this checkout's root first on ``PYTHONPATH``, so it imports
the ``forecast`` and ``simulate`` next to the notebooks, not an installed copy (checked from inside
the kernel).
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_forecast.ipynb", "02_scenarios_and_staffing.ipynb"]


def test_every_notebook_in_the_folder_is_tested():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code cells"
    assert all(c.outputs == [] and c.execution_count is None for c in code)


# Appended to each notebook before it runs: where the kernel found the packages.
_PROBE = "import forecast, simulate\nprint(forecast.__file__)\nprint(simulate.__file__)"


def _execute(name: str, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    # the kernel inherits os.environ: put this checkout first, ahead of any installed copy
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    client = NotebookClient(
        nb,
        timeout=120,  # seconds per cell
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    probe = nb.cells.pop()
    found = [Path(line).resolve() for line in "".join(o.get("text", "") for o in probe.outputs).split()]
    assert found == [ROOT / "forecast" / "__init__.py", ROOT / "simulate" / "__init__.py"], found
    return nb


def _check_ran_cleanly(nb: nbformat.NotebookNode) -> None:
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # every code cell ran, and the notebooks show tables, not just silence
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code")
    assert any(o.output_type == "execute_result" for o in outputs)


def test_forecast_notebook_runs_top_to_bottom_without_error(monkeypatch):
    _check_ran_cleanly(_execute("01_forecast.ipynb", monkeypatch))


def test_scenarios_notebook_runs_and_writes_its_exports(tmp_path, monkeypatch):
    monkeypatch.setenv("QUEUECAST_NOTEBOOK_OUT", str(tmp_path))  # the kernel inherits it: exports land here
    _check_ran_cleanly(_execute("02_scenarios_and_staffing.ipynb", monkeypatch))
    written = {p.name for p in tmp_path.iterdir()}
    assert {"current.toml", "plan.xlsx", "plan.csv", "plan_summary.csv", "comparison.xlsx", "report.html"} <= written
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")
