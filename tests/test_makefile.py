"""The two set-up commands explain themselves on a machine without Python 3.11."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


@pytest.mark.parametrize("target", ["lab", "test"])
def test_make_without_python_311_says_what_to_install(tmp_path, target):
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\necho 'Python 3.9.2'\nexit 1\n")
    fake.chmod(0o755)
    result = subprocess.run(
        ["make", "-C", str(ROOT), target, f"PYTHON={fake}", f"VENV={tmp_path / 'venv'}"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "needs Python 3.11" in result.stderr
    assert "install" in result.stderr.lower()
    assert not (tmp_path / "venv").exists()


def test_make_with_no_python_at_all_says_what_to_install(tmp_path):
    result = subprocess.run(
        ["make", "-C", str(ROOT), "test", "PYTHON=", f"VENV={tmp_path / 'venv'}"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "no Python found" in result.stderr and "3.11" in result.stderr


@pytest.mark.parametrize("index, flag", [("", None), ("https://download.pytorch.org/whl/cpu",
                                                     "--extra-index-url https://download.pytorch.org/whl/cpu")])
def test_the_torch_index_reaches_pip_only_when_asked_for(tmp_path, index, flag):
    """`make lab TORCH_INDEX=...` hands PyTorch's CPU index to pip; without it pip sees only its own configuration."""
    result = subprocess.run(
        ["make", "-C", str(ROOT), "-n", "env", f"VENV={tmp_path / 'venv'}", f"TORCH_INDEX={index}"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    install = [line for line in result.stdout.splitlines() if "pip install" in line and "requirements.txt" in line]
    assert len(install) == 1, result.stdout
    assert ("--extra-index-url" in install[0]) == (flag is not None) and (flag is None or flag in install[0]), install[0]
