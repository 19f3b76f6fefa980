"""Execute every tutorial notebook from its own folder, so that none of them rots."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_six_tutorials():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_a_tutorial(path):
    # opens with its question, explains before the first code, checks a number by hand with an
    # assert, draws a figure, and ends with exercises
    book = nbformat.read(path, as_version=4)
    first = book.cells[0]
    assert first.cell_type == "markdown" and "**The question.**" in first.source
    assert book.cells[1].cell_type == "markdown"
    code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    assert "assert " in code
    assert "plot." in code
    assert any("by hand" in c.source.lower() for c in book.cells if c.cell_type == "markdown")
    assert book.cells[-1].cell_type == "markdown" and "## Now try" in book.cells[-1].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(
        book, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [
        o
        for c in book.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
