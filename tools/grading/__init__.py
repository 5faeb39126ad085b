"""The grading command's parts: the course as released (:mod:`~tools.grading.course`), the
submissions (:mod:`~tools.grading.submissions`), the judge that computes verdicts
(:mod:`~tools.grading.judge`, started by :mod:`~tools.grading.client`), the isolated jobs that
run learner code (:mod:`~tools.grading.sandbox`, replies in the format of
:mod:`~tools.grading.wire`), similarity flags (:mod:`~tools.grading.similarity`), the results
(:mod:`~tools.grading.results`) and the outputs (:mod:`~tools.grading.report`). The command
itself is ``python -m tools.grade``.
"""
