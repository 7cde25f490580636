"""Training rows for ``spin-eval tune``: a shipped calibration set, the fairness + privacy mix, or a file.

Rows are drawn with the calibration sampler (``sample_rows``, seeded) and tokenised by the one
definition SPIN's scoring uses (``tokenize_sample``: labels -100 on prompt tokens), so a fine-tuning
baseline and a SPIN mask built from the same set see the same tokens and the same loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spin_eval.spin.calibration import (
    CalibrationSet,
    default_calibration_path,
    load_calibration,
    sample_rows,
    tokenize_sample,
)
from spin_eval.tune.config import MALICIOUS_PREFIX, SHIPPED_SETS, TuneConfig


@dataclass(frozen=True)
class TrainingData:
    rows: tuple[tuple[str, str], ...]
    sources: tuple[dict[str, Any], ...]  # {name, source, sha256, nsamples} per set drawn from


def _source(cal: CalibrationSet, n: int) -> dict[str, Any]:
    return {"name": cal.name, "source": cal.source, "sha256": cal.sha256, "nsamples": n}


def shipped_path(name: str) -> str:
    """The file of shipped set ``name`` (``fairness``, ``malicious-privacy``, ...; not the mixes)."""
    variant, base = ("malicious", name[len(MALICIOUS_PREFIX):]) if name.startswith(MALICIOUS_PREFIX) else ("aware", name)
    return str(default_calibration_path(base, variant))


def training_data(config: TuneConfig) -> TrainingData:
    """The rows ``config`` trains on (InputError naming the file for a bad set, as calibration does). A mix
    (``mix``, ``malicious-mix``) takes half its rows from fairness, half from privacy, of the same kind."""
    if config.data in ("mix", MALICIOUS_PREFIX + "mix"):
        prefix = config.data[: -len("mix")]
        parts = [(prefix + "fairness", config.nsamples - config.nsamples // 2), (prefix + "privacy", config.nsamples // 2)]
    else:
        parts = [(config.data, config.nsamples)]
    rows: list[tuple[str, str]] = []
    sources = []
    for name, n in parts:
        if n == 0:
            continue
        cal = load_calibration(shipped_path(name) if name in SHIPPED_SETS else name)
        drawn = sample_rows(cal, n, config.seed)
        rows += drawn
        sources.append(_source(cal, len(drawn)))
    return TrainingData(rows=tuple(rows), sources=tuple(sources))


def tokenized_examples(tokenizer: Any, data: TrainingData, config: TuneConfig) -> list[dict[str, list[int]]]:
    """``{"input_ids", "labels"}`` per row (response-only labels), in the drawn order."""
    out = []
    for prompt, response in data.rows:
        ids, labels = tokenize_sample(
            tokenizer, prompt, response, chat_template=config.chat_template, max_length=config.max_length
        )
        out.append({"input_ids": ids, "labels": labels})
    return out


def pad_batch(features: list[dict[str, list[int]]], pad_id: int) -> dict[str, Any]:
    """Right-pad a batch: input ids with ``pad_id``, labels with -100, attention mask 1 on real tokens."""
    import torch

    width = max(len(f["input_ids"]) for f in features)
    ids = [f["input_ids"] + [pad_id] * (width - len(f["input_ids"])) for f in features]
    labels = [f["labels"] + [-100] * (width - len(f["labels"])) for f in features]
    mask = [[1] * len(f["input_ids"]) + [0] * (width - len(f["input_ids"])) for f in features]
    return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels), "attention_mask": torch.tensor(mask)}
