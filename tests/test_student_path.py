"""The student's path outside the browser: own copies in lab/, the course kernel, numeric paths, lax mode.

(tests/test_lab.py walks the same path in JupyterLab itself, in headless Chromium.)
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from course_utils import kernel, lab, nbtools

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(autouse=True)
def own_trust_database(tmp_path_factory, monkeypatch):
    """prepare and restore sign notebooks in Jupyter's data folder: a temporary one here, not the user's
    (the runtime folder, which Jupyter would move into it, stays where it was: its depth decides ipc or tcp)."""
    from jupyter_core.paths import jupyter_runtime_dir

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", jupyter_runtime_dir())
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path_factory.mktemp("jupyter-data")))


def trusted(path) -> bool:
    from nbformat.sign import NotebookNotary

    return NotebookNotary().check_signature(nbformat.read(path, as_version=nbformat.NO_CONVERT))


def test_prepare_copies_every_notebook_and_the_images_and_never_overwrites_a_students_copy(tmp_path):
    copied = lab.prepare(tmp_path)
    assert [p.name for p in copied] == [p.name for p in SHIPPED]
    own = tmp_path / "notebooks" / SHIPPED[0].name
    own.write_text("my work")
    assert lab.prepare(tmp_path) == []
    assert own.read_text() == "my work"
    for image in (ROOT / "img").glob("*.png"):
        assert (tmp_path / "img" / image.name).read_bytes() == image.read_bytes()


def test_prepare_trusts_the_copies_as_shipped_and_never_a_students_own(tmp_path):
    lab.prepare(tmp_path)
    copies = sorted((tmp_path / "notebooks").glob("*.ipynb"))
    assert copies and all(trusted(p) for p in copies)
    own = copies[1]
    nb = nbformat.read(own, as_version=4)
    nb.cells[0].source += "\n\nmy note"
    nbformat.write(nb, own)
    lab.prepare(tmp_path)
    assert not trusted(own)
    assert lab.restore([own.stem], tmp_path) == [own] and trusted(own)


def test_prepare_puts_the_stylesheets_rise_asks_for_beside_the_notebooks_and_keeps_an_own_one(tmp_path):
    lab.prepare(tmp_path)
    folder = tmp_path / "notebooks"
    for name in ["rise.css", *(f"{p.stem}.css" for p in SHIPPED)]:
        assert (folder / name).read_text().startswith(f"/* RISE reads {name} for the slideshow of"), name
    (folder / "rise.css").write_text(".reveal { font-size: 30px; }")
    lab.prepare(tmp_path)
    assert (folder / "rise.css").read_text() == ".reveal { font-size: 30px; }"


def test_the_settings_keep_jupyterlab_offline_and_the_server_quiet(tmp_path):
    lab_file, server_file = lab.install_settings(prefix=tmp_path)
    assert lab_file == tmp_path / "share/jupyter/lab/settings/overrides.d/rnn-course.json"
    assert server_file == tmp_path / "etc/jupyter/jupyter_server_config.json"
    settings = json.loads(lab_file.read_text())
    assert settings["jupyterlab-rise:plugin"]["theme"] == "white" and settings["jupyterlab-rise:plugin"]["scroll"] is True
    pings = json.loads(server_file.read_text())["ServerApp"]["tornado_settings"]
    assert pings == {"ws_ping_interval": 0}, "keep-alive pings off: no ping settings keep both Tornado and jupyter-server quiet"
    from fnmatch import fnmatch
    from jupyter_server.services.contents.manager import ContentsManager

    hidden = json.loads(server_file.read_text())["ContentsManager"]["hide_globs"]
    assert set(ContentsManager().hide_globs) <= set(hidden), "the server's own hidden patterns were dropped"
    assert [name for name in ("01_motivation.css", "rise.css", "01_motivation.ipynb") if any(fnmatch(name, g) for g in hidden)] \
        == ["01_motivation.css"]
    server_file.write_text(json.dumps({"ServerApp": {"port": 9999}, "ContentsManager": {"allow_hidden": True}}))
    lab.install_settings(prefix=tmp_path)
    merged = json.loads(server_file.read_text())
    assert merged["ServerApp"]["port"] == 9999 and merged["ContentsManager"]["allow_hidden"] is True, "other settings lost"
    assert merged["ServerApp"]["tornado_settings"] == pings
    with pytest.raises(TypeError, match="prefix"):
        lab.install_settings(prefix=3)


def test_every_image_a_notebook_links_resolves_inside_the_lab_folder(tmp_path):
    lab.prepare(tmp_path)
    for path in (tmp_path / "notebooks").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for target in __import__("re").findall(r"\]\((\.\./img/[^)\s]+)\)", cell.source):
                resolved = (path.parent / target).resolve()
                assert resolved.is_relative_to(tmp_path.resolve()) and resolved.is_file(), target


def test_restore_puts_a_notebook_back_as_shipped_and_keeps_the_old_copy(tmp_path):
    lab.prepare(tmp_path)
    own = tmp_path / "notebooks" / SHIPPED[2].name
    own.write_text("my work")
    assert lab.restore([SHIPPED[2].name[:2]], tmp_path) == [own]
    assert own.read_bytes() == SHIPPED[2].read_bytes()
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1 and backups[0].read_text() == "my work"


@pytest.mark.parametrize("names", [[], "03", ["99"], ["0"]])
def test_restore_rejects_what_is_not_one_notebook(tmp_path, names):
    with pytest.raises(ValueError, match="names"):
        lab.restore(names, tmp_path)


def test_the_lab_folder_is_never_the_shipped_notebooks():
    for folder in (ROOT, ROOT / "notebooks"):
        with pytest.raises(ValueError, match="lab_dir"):
            lab.prepare(folder)


def test_the_course_kernel_is_this_python_through_the_launcher(tmp_path):
    folder = lab.install_kernel(prefix=tmp_path)
    spec = json.loads((folder / "kernel.json").read_text())
    assert folder.name == nbtools.KERNELSPEC["name"]
    assert spec["argv"][:3] == [sys.executable, "-m", "course_utils.kernel"] and "{connection_file}" in spec["argv"]
    with pytest.raises(TypeError, match="prefix"):
        lab.install_kernel(prefix=3)


@pytest.mark.parametrize("cpu", ["", "reference", "foreign", "native"])
def test_the_launcher_gives_the_kernel_its_numeric_path(cpu):
    base = {"HOME": "/h", "MPLBACKEND": "Agg", "ATEN_CPU_CAPABILITY": "avx512", "COURSE_PROGRESS_LIVE": "0"}
    env = kernel.lab_kernel_environment({**base, "COURSE_CPU": cpu} if cpu else base)
    assert {k: env[k] for k in nbtools.CPU_VARIABLES if k in env} == nbtools.CPU_PATHS[cpu or "reference"]
    assert env["PYTHONHASHSEED"] == "0" and env["HOME"] == "/h" and env["MPLBACKEND"] == kernel.INLINE_BACKEND
    assert env["COURSE_PROGRESS_LIVE"] == "0"  # (a user's own choice stands; unset, the bars are live)
    assert "COURSE_PROGRESS_LIVE" not in kernel.lab_kernel_environment({"COURSE_CPU": cpu})


def test_the_launcher_refuses_a_bad_path_or_environment():
    with pytest.raises(ValueError, match="COURSE_CPU|cpu path"):
        kernel.lab_kernel_environment({"COURSE_CPU": "arm"})
    with pytest.raises(TypeError, match="base"):
        kernel.lab_kernel_environment([("COURSE_CPU", "foreign")])


@pytest.mark.parametrize("cpu", ["reference", "foreign"])
def test_a_kernel_started_from_the_installed_kernelspec_runs_on_its_path(tmp_path, cpu):
    """As JupyterLab starts it: the kernelspec of make lab, the server's environment (COURSE_CPU), a fresh process."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    lab.install_kernel(prefix=tmp_path)
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "share/jupyter/kernels")])
    server_env = {k: v for k, v in os.environ.items() if k not in (*nbtools.CPU_VARIABLES, "PYTHONHASHSEED")}
    manager = KernelManager(kernel_name=nbtools.KERNELSPEC["name"], kernel_spec_manager=specs)
    manager.start_kernel(env={**server_env, "COURSE_CPU": cpu})
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        shown = []
        client.execute_interactive("import os, sys, torch; print(torch.backends.cpu.get_cpu_capability(),"
                                   " os.environ['ATEN_CPU_CAPABILITY'], sys.flags.hash_randomization)",
                                   timeout=120, output_hook=lambda m: shown.append(m["content"].get("text", "")))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    capability, variable, randomised = "".join(shown).split()
    assert variable == nbtools.CPU_PATHS[cpu]["ATEN_CPU_CAPABILITY"] and randomised == "0"  # PYTHONHASHSEED=0 from the start
    if cpu == "foreign" or nbtools.reference_path_problem("reference") is None:
        assert capability == variable.upper()


def test_the_notebooks_select_the_course_kernel():
    for path in SHIPPED:
        assert nbformat.read(path, as_version=4).metadata.kernelspec.name == nbtools.KERNELSPEC["name"], path.name


def test_lab_starts_jupyterlab_on_the_lab_folder_with_ipc_kernels(tmp_path):
    command = lab.lab_command(tmp_path, ["--no-browser"])
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert "--KernelManager.transport=ipc" in command and command[-1] == "--no-browser"
    makefile = (ROOT / "Makefile").read_text()
    assert "-m course_utils.lab --dir $(LAB_DIR)" in makefile and "root_dir=notebooks" not in makefile
    assert "lab/" in (ROOT / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize("cpu", sorted(nbtools.CPU_PATHS))
def test_each_numeric_path_sets_exactly_its_variables(cpu):
    env = nbtools.kernel_environment(cpu, base={"MPLBACKEND": "Agg", "OPENBLAS_CORETYPE": "Zen", "HOME": "/h"})
    assert "MPLBACKEND" not in env and env["HOME"] == "/h" and env["PYTHONHASHSEED"] == "0"
    assert {k: env[k] for k in nbtools.CPU_VARIABLES if k in env} == nbtools.CPU_PATHS[cpu]


def test_a_bad_numeric_path_is_named(monkeypatch):
    with pytest.raises(ValueError, match="cpu path"):
        nbtools.kernel_environment("arm")
    monkeypatch.setenv("COURSE_CPU", "fast")
    with pytest.raises(ValueError, match="COURSE_CPU"):
        nbtools.cpu_path()


def test_only_a_reference_run_may_replace_a_course_notebook():
    with pytest.raises(ValueError, match="output"):
        nbtools.execute(SHIPPED[0], cpu="foreign")


def test_the_foreign_path_runs_other_kernels():
    probe = subprocess.run([sys.executable, "-c", "import torch; print(torch.backends.cpu.get_cpu_capability())"],
                           env=nbtools.kernel_environment("foreign"), capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "DEFAULT"


def test_off_the_reference_path_nbval_runs_lax_and_says_why():
    # (inside the repository, so that its conftest.py applies; _build/ is never collected otherwise)
    (ROOT / "_build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "_build") as folder:
        _lax_run(Path(folder))


def _lax_run(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(0.1 + 0.2)", execution_count=1, outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="a stored output that differs\n")])]
    path = tmp_path / "claim.ipynb"
    nbformat.write(nb, path)
    env = {k: v for k, v in os.environ.items() if k != "COURSE_NOTEBOOKS_LAX_REASON"}
    runs = {}
    for cpu in ("reference", "foreign"):
        runs[cpu] = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}", "-c",
             str(ROOT / "pyproject.toml"), str(path)],
            env={**env, "COURSE_CPU": cpu}, capture_output=True, text=True, timeout=300, cwd=ROOT)
    if nbtools.reference_path_problem("reference") is None:
        assert runs["reference"].returncode == 1, runs["reference"].stdout  # strict: the stored output differs
    assert runs["foreign"].returncode == 0, runs["foreign"].stdout
    assert "stored outputs were NOT compared, because the 'foreign' numeric path was asked for" in runs["foreign"].stdout
