"""The numeric paths a notebook kernel can run on, and the environment each gives a kernel.

Only the standard library is imported here: the course kernel's launcher
(:mod:`course_utils.kernel`) reads these before anything numeric loads, and
starts in a fraction of a second. :mod:`course_utils.nbtools` re-exports them.
"""

from __future__ import annotations

import os

__all__ = ["CPU_PATHS", "CPU_VARIABLES", "CPU_PATH_VARIABLE", "KERNEL_ENV_BASE", "KERNEL_ENV_UNSET", "KERNEL_ENV",
           "LIVE_VARIABLE", "cpu_path", "kernel_environment"]

#: The numeric paths a notebook kernel can run on. ``reference`` is the path the
#: stored outputs come from: the numeric libraries held to their AVX2 code paths,
#: so that an x86 machine with AVX-512 and one without round floats the same way
#: and print the same digits. ``foreign`` simulates a CPU whose kernels round
#: differently (Apple Silicon, ARM Linux, an x86 without AVX2): generic ATen
#: kernels, SSE4.1 oneDNN, an old OpenBLAS core, numpy without AVX2/FMA.
#: ``native`` sets none of these variables: what a plain ``python3`` kernel gets.
CPU_PATHS: dict[str, dict[str, str]] = {
    "reference": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_CBWR": "AVX2",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
        "OPENBLAS_CORETYPE": "Haswell",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    },
    "foreign": {
        "ATEN_CPU_CAPABILITY": "default",
        "MKL_CBWR": "COMPATIBLE",
        "ONEDNN_MAX_CPU_ISA": "SSE41",
        "OPENBLAS_CORETYPE": "Prescott",
        "NPY_DISABLE_CPU_FEATURES": "AVX2 FMA3 X86_V3 X86_V4 AVX512F AVX512_SKX AVX512_ICL AVX512_SPR",
    },
    "native": {},
}
#: The variables a numeric path may set; every path starts with all of them unset.
CPU_VARIABLES = tuple(sorted({name for env in CPU_PATHS.values() for name in env}))
#: Environment variable that picks the numeric path of ``make execute``/``make test`` kernels.
CPU_PATH_VARIABLE = "COURSE_CPU"

#: Environment of every notebook kernel, on any path: no inherited MPLBACKEND (it
#: would swallow the inline figures) and a fixed hash seed (so nothing that prints
#: a set or a dict of strings can change order).
KERNEL_ENV_BASE = {"PYTHONHASHSEED": "0"}
KERNEL_ENV_UNSET = ("MPLBACKEND",)
#: The reference kernel's environment (what JupyterLab's course kernel, ``make execute`` and nbval use).
KERNEL_ENV = {**KERNEL_ENV_BASE, **CPU_PATHS["reference"]}
#: Set to "0" for kernels that no front end watches: progress bars are then drawn once, not redrawn.
LIVE_VARIABLE = "COURSE_PROGRESS_LIVE"


def cpu_path(name: str | None = None) -> str:
    """Return the numeric path ``name``, or the one ``$COURSE_CPU`` names (``reference`` if unset), checked."""
    if name is None:
        name = os.environ.get(CPU_PATH_VARIABLE) or "reference"
    if not isinstance(name, str) or name not in CPU_PATHS:
        raise ValueError(f"cpu path must be one of {sorted(CPU_PATHS)} (argument or ${CPU_PATH_VARIABLE}), got {name!r}")
    return name


def kernel_environment(cpu: str | None = None, base: dict[str, str] | None = None, *, front_end: bool = False) -> dict[str, str]:
    """Return ``base`` (default ``os.environ``) as a kernel on numeric path ``cpu`` gets it (see :data:`CPU_PATHS`).

    ``cpu=None`` takes the path ``$COURSE_CPU`` names in ``base``. Without a
    ``front_end`` (nbval, ``make execute``), progress bars are not redrawn.
    """
    if base is not None and not isinstance(base, dict):
        raise TypeError(f"base must be a dict of environment variables or None, got {type(base).__name__}")
    env = dict(os.environ if base is None else base)
    path = cpu_path(cpu if cpu is not None else env.get(CPU_PATH_VARIABLE) or "reference")
    for name in (*KERNEL_ENV_UNSET, *CPU_VARIABLES):
        env.pop(name, None)
    env.update(KERNEL_ENV_BASE)
    env.update(CPU_PATHS[path])
    if not front_end:
        # No front end watches these kernels: progress bars appear but are not redrawn, since their
        # redraws would flood the kernel's output channel past what it buffers during a long cell.
        env[LIVE_VARIABLE] = "0"
    return env
