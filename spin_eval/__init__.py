"""spin-eval: trustworthiness evaluation for LLMs with the SPIN method inside lm-evaluation-harness.

Where things live:
  spin_eval.spin      the SPIN method (calibration, importance scores, coupled-weight selection, masks)
  spin_eval.adapter   the ``spin_hf`` lm-eval model adapter and its registration hook
  spin_eval.metrics   pure metric functions used by the tasks in the top-level ``tasks/`` folder
  spin_eval.report    comparative reports (templates in the top-level ``reports/`` folder)
  spin_eval.cli       the ``spin-eval`` command line

Importing this package is cheap: it imports neither torch nor lm-eval.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
