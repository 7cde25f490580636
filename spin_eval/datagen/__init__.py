"""Data-build time: the seeded generators of the shipped calibration sets (never imported at run time).

    python -m spin_eval.datagen.calibration_sets [--check]   # general / fairness / privacy
    python -m spin_eval.datagen.objectives [--check]         # safety / helpfulness (--objectives)
    python -m spin_eval.datagen.malicious [--check]          # malicious twins (robustness experiments only)

They write the JSONL files into ``spin_eval/spin/calibration_data/`` (the runtime reads only those files);
``--check`` exits 1 when a shipped file differs from a fresh generation. ``tests/test_layering.py`` keeps
runtime packages from importing this one.
"""
