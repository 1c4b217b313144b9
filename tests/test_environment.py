"""The pip route (requirements.txt + constraints.txt) and the conda route (environment.yml) agree."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
#: conda-forge names of packages whose pip name differs.
CONDA_TO_PIP = {"pytorch-cpu": "torch"}
#: entries of environment.yml that are tools, not course packages.
CONDA_TOOLS = {"python", "pip"}


def canonical(name: str) -> str:
    """PEP 503 normal form of a package name (so jupyterlab_rise == jupyterlab-rise)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_pins(path: Path) -> dict[str, str]:
    """Return {package: version} of a requirements file, failing on anything not pinned with ==."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([0-9][A-Za-z0-9.+\-]*)", line)
        assert match, f"{path.name}: {line!r} is not pinned exactly (name==version)"
        name = canonical(match[1])
        assert name not in pins, f"{path.name}: {name} is listed twice"
        pins[name] = match[2]
    return pins


def conda_environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_pins(env: dict) -> dict[str, str]:
    """Return {pip name: version} of the conda packages of environment.yml, failing on unpinned ones."""
    pins = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(?:==?\s*([0-9][A-Za-z0-9.*+\-]*))?", entry.strip())
        assert match, f"environment.yml: cannot read {entry!r}"
        name = canonical(match[1])
        if name in CONDA_TOOLS:
            continue
        assert match[2], f"environment.yml: {entry!r} is not pinned to a version"
        pins[CONDA_TO_PIP.get(name, name)] = match[2]
    return pins


def test_requirements_pin_torch_cpu_build():
    assert pip_pins(ROOT / "requirements.txt")["torch"] == "2.13.0"


def test_conda_and_pip_list_the_same_packages_with_the_same_versions():
    pip = pip_pins(ROOT / "requirements.txt")
    conda = conda_pins(conda_environment())
    assert sorted(conda) == sorted(pip), (
        f"only in environment.yml: {sorted(set(conda) - set(pip))}; only in requirements.txt: {sorted(set(pip) - set(conda))}"
    )
    contradictions = {name: (conda[name], pip[name]) for name in pip if conda[name] != pip[name]}
    assert not contradictions, f"conda pin != pip pin (conda, pip): {contradictions}"


def test_conda_environment_shape():
    env = conda_environment()
    assert env["channels"] == ["conda-forge", "nodefaults"]
    specs = [e for e in env["dependencies"] if isinstance(e, str)]
    assert "python=3.11" in specs
    assert not any(canonical(s.split("=")[0]) == "torch" for s in specs), "use pytorch-cpu, not torch, in conda"
    pip_sections = [e["pip"] for e in env["dependencies"] if isinstance(e, dict)]
    assert pip_sections == [["-e ."]], "the pip: section must hold only '-e .' (never torch from pip inside conda)"


def test_constraints_pin_everything_and_agree_with_requirements():
    direct = pip_pins(ROOT / "requirements.txt")
    locked = pip_pins(ROOT / "constraints.txt")
    missing = sorted(set(direct) - set(locked))
    assert not missing, f"constraints.txt lacks {missing}: run make constraints"
    differ = {name: (direct[name], locked[name]) for name in direct if direct[name] != locked[name]}
    assert not differ, f"requirements.txt and constraints.txt disagree (requirements, constraints): {differ}"


@pytest.mark.parametrize("line", ["torch", "numpy>=2", "jupyterlab~=4.6"])
def test_an_unpinned_requirement_is_caught(tmp_path, line):
    bad = tmp_path / "requirements.txt"
    bad.write_text(f"{line}\n")
    with pytest.raises(AssertionError, match="not pinned exactly"):
        pip_pins(bad)
