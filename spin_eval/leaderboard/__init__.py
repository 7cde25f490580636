"""The leaderboard (``spin-eval leaderboard submit|build|verify``).

Modules: ``pack`` (a run packed into a submission), ``submission_io`` (the one reader of submissions and
evidence, schema in ``schemas/``), ``checks`` (``check_submission``: the one check build and verify run),
``evidence``, ``identity``, ``signing``, ``board_facts``, ``build`` (group, rank, render), ``reproduce``
(verify: re-evaluate random documents) and ``record`` (verification records). Runs are read through
``spin_eval.results``. Importing this package imports neither torch nor lm-eval.
"""
