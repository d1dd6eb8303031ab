"""The example notebook (``examples/first_look.ipynb``) runs top to bottom, within two minutes, so that it cannot rot.

It needs the notebook extra (``pip install -e '.[notebook]'``, part of ``.[test]``): without nbclient or
ipykernel the test is skipped and says which to install.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.helpers import ROOT

NOTEBOOK = ROOT / "examples" / "first_look.ipynb"
LIMIT = 120  # seconds: the bound for the notebook on a fresh clone


def test_the_first_look_notebook_runs_top_to_bottom(monkeypatch):
    reason = "executing the notebook needs the notebook extra: pip install -e '.[notebook]'"
    nbclient = pytest.importorskip("nbclient", reason=reason)
    nbformat = pytest.importorskip("nbformat", reason=reason)
    pytest.importorskip("ipykernel", reason=reason)
    pytest.importorskip("pandas", reason=reason)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))  # the checkout's sim
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    started = time.monotonic()
    nbclient.NotebookClient(notebook, timeout=LIMIT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    seconds = time.monotonic() - started
    assert seconds < LIMIT, f"the notebook took {seconds:.0f} s"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(output.get("output_type") != "error" for cell in code for output in cell.get("outputs", []))
    images = sum("image/png" in output.get("data", {}) for cell in code for output in cell.get("outputs", []))
    assert images >= 3, f"expected the comparison, war-by-date and heatmap figures, got {images} images"
    assert "benes_fights" in str(notebook.cells) and "general_war" in str(notebook.cells)
