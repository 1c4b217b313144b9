"""course_utils.setup: the first call of every notebook."""

import subprocess
import sys

import numpy as np
import pytest
import torch

import course_utils


@pytest.fixture
def restore_torch_state():
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)


def test_setup_makes_global_draws_repeatable(restore_torch_state):
    course_utils.setup(seed=123)
    first = (np.random.rand(3), torch.rand(3))
    course_utils.setup(seed=123)
    second = (np.random.rand(3), torch.rand(3))
    np.testing.assert_array_equal(first[0], second[0])
    torch.testing.assert_close(first[1], second[1], rtol=0, atol=0)


def test_setup_uses_one_thread_and_deterministic_algorithms(restore_torch_state):
    course_utils.setup(seed=0)
    assert torch.get_num_threads() == 1
    assert torch.are_deterministic_algorithms_enabled()
    assert np.get_printoptions()["precision"] == 4


@pytest.mark.parametrize("seed", [-1, 1.5, "0", None, True, 2**32])
def test_setup_rejects_bad_seeds(seed, restore_torch_state):
    with pytest.raises(ValueError, match="seed"):
        course_utils.setup(seed=seed)


@pytest.mark.parametrize("threads", [0, -2, 1.0])
def test_setup_rejects_bad_thread_counts(threads, restore_torch_state):
    with pytest.raises(ValueError, match="threads"):
        course_utils.setup(seed=0, threads=threads)


def test_setup_starts_a_notebook_without_importing_the_compiler():
    """The public deterministic switch imports torch._inductor (about 2 s); setup sets the same eager flag without it."""
    probe = ("import sys, torch, course_utils; course_utils.setup(seed=0);"
             " print(torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),"
             " 'torch._inductor' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300).stdout
    assert shown.split() == ["True", "False", "False"], shown
