"""Open the course in JupyterLab the way a student needs it (``make lab``).

The shipped notebooks in ``notebooks/`` are what CI checks and ``git pull``
updates, so students never work in them. ``make lab`` runs
``python -m course_utils.lab --dir lab -- LAB_ARGS``, which

1. copies every course notebook that is not there yet into ``lab/notebooks/``
   (a student's own copy is never overwritten) and refreshes ``lab/img/`` from
   ``img/``, so that the notebooks' ``../img/*.png`` links load; marks every copy
   still as shipped as trusted (``jupyter trust``: its outputs are the course's,
   so JupyterLab shows them all without a warning); and puts the stylesheets
   RISE looks for beside the notebooks (``rise.css`` for all, ``NN_name.css`` for
   one), empty but for a comment, for an instructor's own slide style;
2. installs the kernel ``rnn-course`` ("Python 3 (RNN course)") into this
   environment: this Python, started by :mod:`course_utils.kernel` on the
   reference numeric path (:data:`course_utils.nbtools.KERNEL_ENV`), the same as
   ``make execute`` and nbval use, so a student's Restart and Run All prints what
   the stored notebook shows; the notebooks' metadata select it.
   ``COURSE_CPU=foreign make lab`` starts the kernels on the simulated foreign
   CPU instead (what a student on Apple Silicon gets: other last digits, the
   same conclusions), as ``make test`` walks the course in the browser;
3. installs the course's JupyterLab defaults (``course_utils/lab_settings/``) as
   ``overrides.d/rnn-course.json`` in this environment's JupyterLab settings:
   the RISE slideshow uses reveal.js's ``white`` theme (its font is bundled;
   the default ``simple`` theme asks Google Fonts for two) and scrolls slides
   taller than the screen, and JupyterLab never offers to fetch news from the
   internet; a user's own settings still win; and the server's defaults
   (``jupyter_server.json``, written into this environment's
   ``etc/jupyter/jupyter_server_config.json``, over what it already holds):
   no keep-alive pings on the browser's connections (on 127.0.0.1 nothing in
   between drops an idle one; and no ping settings satisfy both layers: Tornado
   6.5 warns at every start when the timeout exceeds the interval, as
   jupyter-server's defaults do (90 s against 30 s), while jupyter-server closes a
   connection whose last pong is older than the timeout when it next pings),
   and the file browser does not list the notebooks' own stylesheets
   (``NN_name.css``; the server still serves them to RISE);
4. starts JupyterLab on ``lab/`` with kernels on local IPC sockets (over TCP on
   127.0.0.1 where Jupyter's runtime folder is too deep for a Unix socket's
   address of at most 107 characters, which would stop every kernel from starting).

``python -m course_utils.lab restore 03_bptt`` (``make restore NB=03_bptt``)
puts a notebook back as shipped, keeping the student's copy in ``lab/backups/``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from course_utils.nbtools import CPU_PATH_VARIABLE, KERNEL_TRANSPORT, KERNELSPEC, cpu_path

__all__ = ["ROOT", "SETTINGS", "prepare", "restore", "install_kernel", "install_settings", "kernel_transport", "lab_command", "main"]

#: The repository (or unpacked course) this package belongs to.
ROOT = Path(__file__).resolve().parents[1]
#: The course's JupyterLab defaults, installed by :func:`install_settings`.
SETTINGS = Path(__file__).resolve().parent / "lab_settings" / "rnn-course.json"
#: The course's Jupyter server defaults, installed by :func:`install_settings`.
SERVER_SETTINGS = Path(__file__).resolve().parent / "lab_settings" / "jupyter_server.json"
#: What ``make lab`` writes into the stylesheets RISE reads beside the notebooks (when they do not exist yet).
RISE_CSS = ("/* RISE reads {name} for the slideshow of {what} in this folder.\n"
            "   Put your own slide style here: make lab never overwrites this file. */\n")


def _course_notebooks(root: Path) -> list[Path]:
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _check_dir(lab_dir: str | os.PathLike, root: Path) -> Path:
    if not isinstance(lab_dir, (str, os.PathLike)) or not str(lab_dir):
        raise TypeError(f"lab_dir must be a path, got {lab_dir!r}")
    lab_dir = Path(lab_dir).resolve()
    if lab_dir == root.resolve() or lab_dir == (root / "notebooks").resolve():
        raise ValueError(f"lab_dir must be a folder of its own, not the course's {lab_dir}: students work on copies")
    return lab_dir


def _check_prefix(prefix: object) -> Path:
    """``prefix`` as a Path (None: this environment's), or a TypeError naming it."""
    if prefix is not None and not isinstance(prefix, (str, os.PathLike)):
        raise TypeError(f"prefix must be a path or None, got {prefix!r}")
    return Path(prefix or sys.prefix)


def install_kernel(prefix: str | os.PathLike | None = None) -> Path:
    """Install the ``rnn-course`` kernelspec (this Python, started by :mod:`course_utils.kernel`) under ``prefix``; return its folder.

    The launcher gives the kernel the numeric path ``$COURSE_CPU`` names in the
    server's environment (the reference path of :data:`KERNEL_ENV` if unset), so
    one kernelspec serves ``make lab`` and ``COURSE_CPU=foreign make lab``.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    prefix = _check_prefix(prefix)

    spec = {
        "argv": [sys.executable, "-m", "course_utils.kernel", "-f", "{connection_file}"],
        "display_name": KERNELSPEC["display_name"],
        "language": "python",
        "metadata": {"debugger": True},
    }
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
        target = KernelSpecManager().install_kernel_spec(
            folder, KERNELSPEC["name"], prefix=str(prefix)
        )
    return Path(target)


def _merged(target: Path, ours: dict) -> dict:
    """What ``target`` (a JSON config file, perhaps missing) holds with ``ours`` written over it, section by section."""
    merged = json.loads(target.read_text(encoding="utf-8")) if target.is_file() else {}
    for section, values in ours.items():
        merged[section] = {**merged.get(section, {}), **values}
    return merged


def install_settings(prefix: str | os.PathLike | None = None) -> list[Path]:
    """Install the course's JupyterLab and Jupyter server defaults under ``prefix`` (default: this environment); return the files."""
    prefix = _check_prefix(prefix)
    lab_target = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / SETTINGS.name
    json.loads(SETTINGS.read_text(encoding="utf-8"))  # (a broken file would be skipped by JupyterLab without a word)
    lab_target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SETTINGS, lab_target)
    # (a server reads only jupyter_server_config.* at this level of its config path; a user's own config still wins)
    server_target = prefix / "etc" / "jupyter" / "jupyter_server_config.json"
    server_target.parent.mkdir(parents=True, exist_ok=True)
    merged = _merged(server_target, json.loads(SERVER_SETTINGS.read_text(encoding="utf-8")))
    server_target.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    return [lab_target, server_target]


def _notary():
    """This user's Jupyter trust database, as ``jupyter trust`` and JupyterLab use it."""
    from nbformat.sign import NotebookNotary

    return NotebookNotary()


def _trust(notebook: Path, notary) -> None:
    """Sign ``notebook`` in ``notary``'s database, as ``jupyter trust`` does (the file is not changed)."""
    import nbformat

    notary.sign(nbformat.read(notebook, as_version=nbformat.NO_CONVERT))


def _write_rise_css(folder: Path, shipped: list[Path]) -> None:
    for name, what in [("rise.css", "every notebook"), *((f"{p.stem}.css", p.name) for p in shipped)]:
        if not (folder / name).exists():
            (folder / name).write_text(RISE_CSS.format(name=name, what=what), encoding="utf-8")


def prepare(lab_dir: str | os.PathLike = "lab", root: str | os.PathLike = ROOT) -> list[Path]:
    """Fill ``lab_dir`` with the student's copies (new notebooks only) and fresh images; return the notebooks copied now."""
    root = Path(root)
    lab_dir = _check_dir(lab_dir, root)
    notebooks = lab_dir / "notebooks"
    notebooks.mkdir(parents=True, exist_ok=True)
    copied = []
    shipped = _course_notebooks(root)
    notary = _notary()
    for source in shipped:
        target = notebooks / source.name
        if not target.exists():
            shutil.copyfile(source, target)
            copied.append(target)
        if target.read_bytes() == source.read_bytes():
            _trust(target, notary)
    shutil.copytree(root / "img", lab_dir / "img", dirs_exist_ok=True)
    _write_rise_css(notebooks, shipped)
    return copied


def restore(names: list[str], lab_dir: str | os.PathLike = "lab", root: str | os.PathLike = ROOT) -> list[Path]:
    """Put the notebooks ``names`` (``03``, ``03_bptt`` or ``03_bptt.ipynb``) back as shipped; the old copies go to ``lab_dir/backups``."""
    root = Path(root)
    lab_dir = _check_dir(lab_dir, root)
    if isinstance(names, str) or not names:
        raise ValueError(f"names must be a non-empty list of notebook names such as ['03_bptt'], got {names!r}")
    shipped = _course_notebooks(root)
    notary = _notary()
    restored = []
    for name in names:
        stem = Path(str(name)).name.removesuffix(".ipynb")
        matches = [p for p in shipped if p.stem == stem or p.stem.split("_")[0] == stem]
        if len(matches) != 1:
            raise ValueError(f"names: {name!r} is not one course notebook; choose from {[p.stem for p in shipped]}")
        source = matches[0]
        target = lab_dir / "notebooks" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            backups = lab_dir / "backups"
            backups.mkdir(exist_ok=True)
            shutil.copyfile(target, backups / f"{source.stem}-{time.strftime('%Y%m%d-%H%M%S')}.ipynb")
        shutil.copyfile(source, target)
        _trust(target, notary)
        restored.append(target)
    return restored


#: The longest name JupyterLab gives a kernel's IPC socket in its runtime folder (kernel id, channel number).
_SOCKET_NAME = "/kernel-00000000-0000-0000-0000-000000000000-ipc-99"


def kernel_transport(runtime_dir: str | os.PathLike | None = None) -> str:
    """``ipc`` if the kernels' sockets fit under ``runtime_dir`` (default: Jupyter's runtime folder), else ``tcp``."""
    import zmq
    from jupyter_core.paths import jupyter_runtime_dir

    if runtime_dir is not None and not isinstance(runtime_dir, (str, os.PathLike)):
        raise TypeError(f"runtime_dir must be a path or None, got {runtime_dir!r}")
    if KERNEL_TRANSPORT != "ipc":
        return KERNEL_TRANSPORT
    folder = os.path.abspath(runtime_dir if runtime_dir is not None else jupyter_runtime_dir())
    return "ipc" if len(folder + _SOCKET_NAME) <= getattr(zmq, "IPC_PATH_MAX_LEN", 107) else "tcp"


def lab_command(lab_dir: str | os.PathLike, extra: list[str]) -> list[str]:
    """The JupyterLab command line ``make lab`` runs on ``lab_dir``, with ``extra`` flags appended."""
    jupyter = Path(sys.executable).with_name("jupyter")
    return [
        str(jupyter) if jupyter.exists() else "jupyter", "lab",
        f"--ServerApp.root_dir={Path(lab_dir).resolve()}",
        f"--KernelManager.transport={kernel_transport()}",
        *extra,
    ]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``[--dir LAB] [-- JUPYTER_ARGS...]`` opens the course; ``restore NB... [--dir LAB]`` restores notebooks."""
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(prog="python -m course_utils.lab", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="lab", help="the student's working folder (default: lab)")
    parser.add_argument("command", nargs="?", choices=["open", "restore"], default="open")
    parser.add_argument("notebooks", nargs="*", help="with restore: the notebooks to put back as shipped")
    args = parser.parse_args(argv)
    if args.command == "restore":
        for path in restore(args.notebooks, args.dir):
            print(f"restored {path} as shipped")
        return 0
    cpu = cpu_path()  # (a bad $COURSE_CPU stops make lab here, not every kernel start)
    for path in prepare(args.dir):
        print(f"copied {path.name} into {Path(args.dir) / 'notebooks'} (your copy to work in)")
    install_kernel()
    if cpu != "reference":
        print(f"note: the kernels run on the {cpu!r} numeric path (${CPU_PATH_VARIABLE}={cpu}): their last digits differ"
              " from the stored outputs, the notebooks' claims are the same")
    install_settings()
    command = lab_command(args.dir, extra)
    if "--KernelManager.transport=tcp" in command and KERNEL_TRANSPORT == "ipc":
        from jupyter_core.paths import jupyter_runtime_dir

        print(f"note: kernels talk over TCP on 127.0.0.1: Jupyter's runtime folder {jupyter_runtime_dir()} is too deep"
              " for their Unix sockets (set JUPYTER_RUNTIME_DIR to a shorter folder to use them)")
    sys.stdout.flush()
    os.execv(command[0], command) if Path(command[0]).is_absolute() else os.execvp(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
