"""Exercises of the course, checked on the spot: ``check("03.2", relu_rnn_backward)`` in the cell after an exercise.

Each notebook has its module (``nb01`` ... ``nb09``) holding the course's
reference solution of each of its exercises and the check that compares a
student's function with it on fresh random cases; :mod:`.core` holds the
machinery (the registry, the feedback, comparisons that name what is wrong).
``python -m course_utils.exercises.student OUTDIR`` writes the student edition
(see :mod:`.student`).
"""

from course_utils.exercises import nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09  # noqa: F401  (register the checks)
from course_utils.exercises.core import REGISTRY, check, is_stub, passes

__all__ = ["check", "passes", "reference", "exercises", "is_stub", "SOLUTION_TAG"]

#: The tag of a solution cell (cell metadata ``tags``); the student edition replaces those cells by stubs.
SOLUTION_TAG = "solution"


def reference(exercise_id: str):
    """The course's reference solution of exercise ``exercise_id`` (a function or a class), for cells that need one working."""
    if not isinstance(exercise_id, str) or exercise_id not in REGISTRY:
        raise ValueError(f"exercise_id must be one of {sorted(REGISTRY)}, got {exercise_id!r}")
    return REGISTRY[exercise_id].reference


def exercises() -> dict[str, str]:
    """Every exercise's id and title, in order."""
    return {key: REGISTRY[key].title for key in sorted(REGISTRY)}
