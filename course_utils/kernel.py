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

from course_utils.cpu import kernel_environment

__all__ = ["INLINE_BACKEND", "lab_kernel_environment", "main"]

#: The inline backend, named (an inherited ``MPLBACKEND`` such as Agg would swallow every figure).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def lab_kernel_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) as the course kernel gets it: its ``$COURSE_CPU`` path, inline figures, live bars."""
    env = kernel_environment(None, base, front_end=True)  # (a user's own COURSE_PROGRESS_LIVE stands)
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
