"""The second part of the JupyterLab walk of tests/test_lab.py (its notebooks :data:`test_lab.PART_TWO`).

A file of its own so that ``make test`` (pytest-xdist, ``--dist loadfile``) runs it on one worker while the
other runs tests/test_lab.py: each file starts its own JupyterLab server with ``make lab``, so the
notebooks' second run in the browser does not add its whole time to the wall clock of ``make test``.
"""

from __future__ import annotations

import pytest

import test_lab
from test_lab import lab  # noqa: F401  (the module-scoped fixture: this module's own server)


@pytest.mark.parametrize("path", test_lab.part(2), ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab(path, browser, lab, tmp_path):  # noqa: F811
    test_lab.walk_notebook(path, browser, lab, tmp_path)


def test_make_lab_warned_of_nothing(lab):  # noqa: F811
    """No warning from the course's own command over this module's walk."""
    assert test_lab.warnings_of_make_lab(lab[2]) == [], "make lab (or its JupyterLab server) warned"
