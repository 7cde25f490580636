"""The main job (``spin-eval run``) and the sweep (``spin-eval sweep``).

Modules: ``settings`` (RunSettings and its checks), ``manifest`` (the run folder's record), ``masks`` (the
SPIN and control masks of a run), ``documents`` (which documents; ``budget`` + ``pilot`` for ``--budget``),
``evaluate`` (one variant through lm-eval), ``summary`` (report and terminal summary), ``main``
(``run_pipeline``: the stages in order), ``validate`` (inputs checked before any model loads), ``sweep``.
Runs are read through ``spin_eval.results``. Importing this package imports neither torch nor lm-eval.
"""
