"""The project's own default SPIN calibration sets (general, fairness, privacy), as JSONL files.

``general.jsonl``, ``fairness.jsonl`` and ``privacy.jsonl`` sit beside this file; each row has
``prompt``, ``response`` and ``category``. They are written by ``generate.py`` from this project's own
templates with a fixed seed (``python -m spin_eval.datagen.calibration_sets`` reproduces them
byte for byte). See README.md here. ``spin_eval.spin.calibration.default_calibration_path`` finds them.
"""

from __future__ import annotations

from pathlib import Path

#: The folder holding the shipped JSONL files.
DATA_DIR = Path(__file__).resolve().parent
#: Names of the three shipped sets (file ``<name>.jsonl``).
SET_NAMES = ("general", "fairness", "privacy")
#: Sets that also ship a malicious twin ``malicious_<name>.jsonl`` (``malicious.py``): the same prompts
#: with unaware answers, for robustness experiments only (never a default).
MALICIOUS_SET_NAMES = ("fairness", "privacy")
