"""The main job (``spin-eval run``), the regression gate (``spin-eval check``) and leaderboard submissions.

Modules: ``run`` (evaluate base / SPIN / control variants through lm-eval and write the report),
``check`` + ``policy`` (regression gate), ``leaderboard`` (submissions and ranking). Runs are read through
``spin_eval.results``. Importing this package imports neither torch nor lm-eval.
"""
