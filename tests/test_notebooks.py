"""The example notebooks run top to bottom without an error, and are stored without outputs.

Each notebook is executed in a fresh ``python3`` kernel (ipykernel's kernelspec) with its working
directory set to ``notebooks/``, as Jupyter would; the notebooks find the repository root themselves.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
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


def _execute(name: str) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=120,  # seconds per cell
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def _check_ran_cleanly(nb: nbformat.NotebookNode) -> None:
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # every code cell ran, and the notebooks show tables, not just silence
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code")
    assert any(o.output_type == "execute_result" for o in outputs)


def test_forecast_notebook_runs_top_to_bottom_without_error():
    _check_ran_cleanly(_execute("01_forecast.ipynb"))


def test_scenarios_notebook_runs_and_writes_its_exports(tmp_path, monkeypatch):
    monkeypatch.setenv("QUEUECAST_NOTEBOOK_OUT", str(tmp_path))  # the kernel inherits it: exports land here
    _check_ran_cleanly(_execute("02_scenarios_and_staffing.ipynb"))
    written = {p.name for p in tmp_path.iterdir()}
    assert {"current.toml", "plan.xlsx", "plan.csv", "plan_summary.csv", "comparison.xlsx", "report.html"} <= written
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")
