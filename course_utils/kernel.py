"""The course kernel: IPython's kernel on the numeric path that ``$COURSE_CPU`` names (``reference`` if unset).

JupyterLab starts it through the ``rnn-course`` kernelspec that ``make lab``
installs (:func:`course_utils.lab.install_kernel`). The numeric libraries read
their variables (:data:`course_utils.cpu.CPU_PATHS`) only when they load, and
Python reads ``PYTHONHASHSEED`` only when it starts, so this launcher puts them
into the environment and then replaces itself with ``python -m
ipykernel_launcher``: the kernel is the same process (the server's interrupts
and restarts reach it) and has the environment from its first instruction.

``make lab`` gives the reference path, the one the stored outputs come from;
``COURSE_CPU=foreign make lab`` gives kernels on the simulated foreign CPU (as on
Apple Silicon), which ``make test`` walks in the browser.
"""

from __future__ import annotations

import os
import subprocess
import sys

from course_utils.cpu import CPU_PATH_VARIABLE, cpu_path, kernel_environment

__all__ = ["INLINE_BACKEND", "LIVE_VARIABLE", "lab_kernel_environment", "main"]

#: The inline backend, named (an inherited ``MPLBACKEND`` such as Agg would swallow every figure).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Progress bars redraw live in a front end; nbval's and ``make execute``'s kernels turn it off.
LIVE_VARIABLE = "COURSE_PROGRESS_LIVE"


def lab_kernel_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) as the course kernel gets it: its ``$COURSE_CPU`` path, inline figures, live bars."""
    if base is not None and not isinstance(base, dict):
        raise TypeError(f"base must be a dict of environment variables or None, got {type(base).__name__}")
    base = dict(os.environ if base is None else base)
    env = kernel_environment(cpu_path(base.get(CPU_PATH_VARIABLE) or "reference"), base)
    env.pop(LIVE_VARIABLE)
    if LIVE_VARIABLE in base:  # (a user's own choice stands)
        env[LIVE_VARIABLE] = base[LIVE_VARIABLE]
    env["MPLBACKEND"] = INLINE_BACKEND
    return env


def main(argv: list[str] | None = None) -> int:
    """Start ``python -m ipykernel_launcher ARGV...`` (ARGV: what the kernelspec passes, ``-f CONNECTION_FILE``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = [sys.executable, "-m", "ipykernel_launcher", *argv]
    env = lab_kernel_environment()
    if os.name == "posix":
        os.execve(sys.executable, command, env)
    return subprocess.run(command, env=env, close_fds=False).returncode  # (Windows: no exec that keeps the process)


if __name__ == "__main__":
    sys.exit(main())
