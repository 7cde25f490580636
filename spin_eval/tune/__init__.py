"""Fine-tuning baselines (the paper's seesaw): LoRA, DoRA or full fine-tuning on a calibration-format set.

``spin-eval tune`` trains a model on prompt/response pairs with the same response-only loss and
tokenisation as SPIN's calibration (``spin_eval.spin.calibration.tokenize_sample``), seeded and
deterministic on CPU, and writes an artifact that lm-eval loads as it is: a PEFT adapter folder
(``adapter_config.json`` + ``adapter_model.safetensors``) for LoRA/DoRA, or a delta-weights folder
(``config.json`` + ``model.safetensors`` holding tuned - base) for full fine-tuning, each with a
``spin_eval_tune.json`` provenance record (base model fingerprint, data sha256, method,
hyperparameters, package versions). Modules: ``config`` (TuneConfig), ``data`` (training rows),
``train`` (the Trainer run), ``store`` (artifact, provenance, content-addressed cache, fingerprint check).
"""
