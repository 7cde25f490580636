"""The regression gate (``spin-eval check``): ``check`` compares a candidate run with a baseline run under a
``policy`` (``default_policy.yaml`` is the shipped default). Runs are read through ``spin_eval.results``.
Importing this package imports neither torch nor lm-eval.
"""
