"""The tutorial (docs/tutorial.ipynb, paired with docs/tutorial.py) runs top to bottom, so it never rots."""

from __future__ import annotations

import time

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from sim.run import ROOT

NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"
SCRIPT = ROOT / "docs" / "tutorial.py"


def _sources(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_notebook_and_script_say_the_same():
    """Editing one of the pair without `jupytext --sync docs/tutorial.py` leaves them apart."""
    assert _sources(nbformat.read(NOTEBOOK, as_version=4)) == _sources(jupytext.read(SCRIPT))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("tutorial")
    mp = pytest.MonkeyPatch()
    mp.setenv("TUTORIAL_OUT", str(out))  # the kernel inherits it: the experiments write here, not in results/
    nb = nbformat.read(NOTEBOOK, as_version=4)
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        mp.undo()
    return nb, out, time.perf_counter() - start


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts.append(o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_the_tutorial_runs_top_to_bottom(executed):
    nb, out, seconds = executed
    text = _text(nb)
    assert "goals met in this run" in text
    assert "against the reference no programme" in text  # the findings of the comparison
    assert "bass_q" in text and "least_total_cny" in text
    for folder in ("tutorial_compare", "tutorial_budget"):
        assert (out / folder / "report.html").exists(), folder
    print(f"tutorial executed in {seconds:.1f} s")
