"""Pytest set-up for the whole repository: unit tests and notebooks under nbval.

The notebook kernels get the environment of a numeric path
(``course_utils.nbtools.kernel_environment``): ``$COURSE_CPU`` picks it,
``reference`` by default, the path the stored outputs come from.

* On the reference path, on a CPU that can run it, nbval is strict: every
  stored output is compared, as the README promises.
* Elsewhere (another CPU, where the same digits cannot be had, or
  ``COURSE_CPU=foreign`` / ``native``), nbval runs in lax mode: every notebook
  still runs top to bottom, every claim cell still asserts what it claims, but
  stored outputs are not compared; the report says so and why, first and last.

Three known nbval pitfalls are fixed here, before any kernel starts (the third:
nbval waits a fixed 5 s for the outputs of a finished cell, too short on a loaded
two-core machine running two workers and a browser; here it waits 120 s):

* nbval sends every cell with ``store_history=False``; IPython then does not
  apply the trailing-semicolon rule, so ``plt.plot(x);`` shows an
  ``execute_result`` under nbval that JupyterLab (and the stored notebook) do
  not have (nbval issue #194). We send cells with ``store_history=True``, as a
  notebook front end does.
* an inherited ``MPLBACKEND=Agg`` would replace the inline backend in the
  kernel and every figure output would vanish; the kernel environment drops it.
"""

import os

from course_utils import nbtools

_kernel_env = nbtools.kernel_environment()
os.environ.clear()
os.environ.update(_kernel_env)

try:
    from nbval.kernel import RunningKernel
except ImportError:  # nbval is not installed: nothing to patch
    RunningKernel = None

if RunningKernel is not None:

    def _execute_with_history(self, cell_input, allow_stdin=None):
        """Run a cell as a notebook front end does (``store_history=True``)."""
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)

    RunningKernel.execute_cell_input = _execute_with_history

import zmq

_zmq_socket = zmq.Context.socket


def _socket_with_unbounded_subscription(self, socket_type, *args, **kwargs):
    """nbval reads a cell's IOPub messages only after its reply: let them queue here, however many (widgets send many)."""
    sock = _zmq_socket(self, socket_type, *args, **kwargs)
    if socket_type == zmq.SUB:
        sock.setsockopt(zmq.RCVHWM, 0)
    return sock


zmq.Context.socket = _socket_with_unbounded_subscription

try:
    from nbval.plugin import IPyNbCell
except ImportError:
    IPyNbCell = None

if IPyNbCell is not None:
    _cell_init = IPyNbCell.__init__

    def _init_with_patient_output(self, *args, **kwargs):
        """nbval waits a fixed 5 s for a cell's outputs; a loaded two-core machine can take longer."""
        _cell_init(self, *args, **kwargs)
        self.output_timeout = 120

    IPyNbCell.__init__ = _init_with_patient_output


_PROBED = "COURSE_NOTEBOOKS_LAX_REASON"


def _lax_reason(config) -> str | None:
    """Why stored outputs cannot be compared in this run (None: strict), worked out once per run."""
    if not getattr(config.option, "nbval", False):
        return None
    if _PROBED not in os.environ:  # (pytest-xdist's workers inherit the controller's answer)
        os.environ[_PROBED] = nbtools.reference_path_problem() or ""
    return os.environ[_PROBED] or None


#: Long, independent tests that pytest-xdist may give to any worker, each on its own (the others go by file).
SPREAD = ("tests/test_student_edition.py::test_the_student_edition_runs_top_to_bottom",)


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, except that each test of :data:`SPREAD` is a unit of its own (a notebook's cells, which share
    one kernel, and a module's tests, which share its fixtures, stay together on one worker)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FileOrOwn(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if nodeid.startswith(SPREAD) else super()._split_scope(nodeid)

    return FileOrOwn(config, log)


def pytest_configure(config):
    """Switch nbval to lax mode where the reference numeric path is not available."""
    if _lax_reason(config):
        config.option.nbval_lax = True


def _message(config) -> str:
    return (f"notebooks: stored outputs were NOT compared, because {_lax_reason(config)}; every notebook is run "
            "top to bottom and every claim cell checks its claim (nbval lax mode)")


def pytest_report_header(config):
    """Say first which numeric path the notebook kernels run on and whether outputs are compared."""
    if not getattr(config.option, "nbval", False):
        return None
    cpu = nbtools.cpu_path()
    if _lax_reason(config):
        return [f"notebook kernels: numeric path {cpu!r}", _message(config)]
    return [f"notebook kernels: numeric path {cpu!r}; stored outputs compared (nbval strict)"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say it again last, where a student reads the result."""
    if _lax_reason(config) and not hasattr(config, "workerinput"):
        terminalreporter.write_line(_message(config), yellow=True, bold=True)
