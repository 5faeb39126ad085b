"""The grading command's parts: the course as released (:mod:`~tools.grading.course`), the
submissions (:mod:`~tools.grading.submissions`), the sandbox that re-runs them
(:mod:`~tools.grading.sandbox`, :mod:`~tools.grading.client`) and the outputs
(:mod:`~tools.grading.report`). The command itself is ``python -m tools.grade``.
"""
