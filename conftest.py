"""Pytest set-up for the whole repository: unit tests and notebooks under nbval.

Two known nbval pitfalls are fixed here, before any kernel starts:

* nbval sends every cell with ``store_history=False``; IPython then does not
  apply the trailing-semicolon rule, so ``plt.plot(x);`` shows an
  ``execute_result`` under nbval that JupyterLab (and the stored notebook) do
  not have (nbval issue #194). We send cells with ``store_history=True``, as a
  notebook front end does.
* an inherited ``MPLBACKEND=Agg`` would replace the inline backend in the
  kernel and every figure output would vanish, so the kernel gets the same
  environment as ``make execute`` gives it (``course_utils.nbtools.KERNEL_ENV``).
"""

import os

from course_utils.nbtools import KERNEL_ENV, KERNEL_ENV_UNSET

for _name in KERNEL_ENV_UNSET:
    os.environ.pop(_name, None)
os.environ.update(KERNEL_ENV)

try:
    from nbval.kernel import RunningKernel
except ImportError:  # nbval is not installed: nothing to patch
    RunningKernel = None

if RunningKernel is not None:

    def _execute_with_history(self, cell_input, allow_stdin=None):
        """Run a cell as a notebook front end does (``store_history=True``)."""
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)

    RunningKernel.execute_cell_input = _execute_with_history
