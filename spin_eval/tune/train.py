"""One fine-tuning run with transformers' Trainer (LoRA / DoRA through PEFT, or full fine-tuning).

Seeded (``transformers.set_seed`` before the adapter is created, the Trainer's ``seed``/``data_seed``)
and deterministic on CPU. A non-finite loss stops training at once with an InputError naming the step,
so nothing is written. Under ``torchrun`` / ``accelerate launch`` the Trainer runs data-parallel: each of
the W processes takes ``batch_size / W`` rows per step, so a step sees the same rows as in one process
(accelerate's seedable sampler draws one permutation, its batch shards split it) and the loss is the
token mean over all of them (``average_tokens_across_devices``); only rank 0 writes (``is_main_process``).
"""

from __future__ import annotations

import math
import os
import tempfile
from functools import partial
from typing import Any

from spin_eval.errors import InputError
from spin_eval.tune.config import TuneConfig
from spin_eval.tune.data import pad_batch


def _module_names(model: Any) -> set[str]:
    return {name.rsplit(".", 1)[-1] for name, _ in model.named_modules() if name}


def check_target_modules(model: Any, config: TuneConfig) -> None:
    """InputError naming the absent names when a target module does not exist in the model."""
    present = _module_names(model)
    missing = [m for m in config.target_modules if m not in present]
    if missing:
        linear = sorted(n for n, m in model.named_modules() if type(m).__name__ == "Linear")
        leaves = sorted({n.rsplit(".", 1)[-1] for n in linear})
        raise InputError(
            f"tune --target-modules: {', '.join(missing)} not in the model; its linear layers are named "
            f"{', '.join(leaves)}"
        )


def prepare_model(model: Any, config: TuneConfig) -> Any:
    """The model ready to train: wrapped by PEFT (LoRA/DoRA) or with only the target weights trainable."""
    from transformers import set_seed

    check_target_modules(model, config)
    set_seed(config.seed)
    if config.method in ("lora", "dora"):
        from peft import LoraConfig, get_peft_model

        peft_config = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=list(config.target_modules),
            use_dora=config.method == "dora",
            task_type="CAUSAL_LM",
        )
        return get_peft_model(model, peft_config)
    targets = set(config.target_modules)
    for name, param in model.named_parameters():
        parts = name.split(".")
        param.requires_grad = len(parts) >= 2 and parts[-2] in targets and parts[-1] == "weight"
    return model


def trainable_state(model: Any) -> dict[str, Any]:
    """Copies of the trainable weights before training (full fine-tuning saves tuned - these)."""
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def world_size() -> int:
    """Processes of a ``torchrun`` / ``accelerate launch`` job (1 when started alone)."""
    return int(os.environ.get("WORLD_SIZE", "1") or "1")


def per_device_batch_size(config: TuneConfig, world: int) -> int:
    """Rows per process and step, so that one step sees ``config.batch_size`` rows in all; InputError when
    the batch does not split evenly."""
    if config.batch_size % world:
        raise InputError(f"tune --batch-size {config.batch_size}: must be divisible by the {world} processes of "
                         f"this torchrun/accelerate job (each takes batch size / processes rows per step)")
    return config.batch_size // world


def rank_device(device: str) -> str:
    """``cuda`` as this rank's own GPU (``cuda:LOCAL_RANK``) in a data-parallel job, so that the ranks do not
    all load onto GPU 0; any other device as given."""
    if device == "cuda" and world_size() > 1:
        return f"cuda:{int(os.environ.get('LOCAL_RANK', '0') or '0')}"
    return device


def _distributed() -> bool:
    import torch.distributed as dist

    return dist.is_available() and dist.is_initialized()


def is_main_process() -> bool:
    """Whether this process writes (rank 0 of a data-parallel job, or the only process)."""
    import torch.distributed as dist

    return not _distributed() or dist.get_rank() == 0


def wait_for_main_process() -> None:
    """In a data-parallel job, wait until every rank (rank 0 writing the artifact) arrives here."""
    if _distributed():
        import torch.distributed as dist

        dist.barrier()


def _stop_on_nonfinite_loss():
    from transformers import TrainerCallback

    class StopOnNonFiniteLoss(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            for key in ("loss", "grad_norm"):
                value = (logs or {}).get(key)
                if value is not None and not math.isfinite(float(value)):
                    what = "training loss" if key == "loss" else "gradient norm"
                    raise InputError(
                        f"tune: the {what} is {float(value)} at step {state.global_step}; nothing was written "
                        "(lower --learning-rate, or check the data for empty responses)"
                    )

    return StopOnNonFiniteLoss()


def train(model: Any, tokenizer: Any, config: TuneConfig, examples: list[dict], *, progress: bool = True) -> list[float]:
    """Train ``model`` (prepared by ``prepare_model``) in place for ``config.steps`` steps; the losses logged
    at each step."""
    import torch
    from transformers import Trainer, TrainingArguments

    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    model.train()
    with tempfile.TemporaryDirectory(prefix="spin-eval-tune-") as tmp:
        args = TrainingArguments(
            output_dir=tmp,
            max_steps=config.steps,
            per_device_train_batch_size=per_device_batch_size(config, world_size()),
            average_tokens_across_devices=True,  # the token mean over all ranks, as in one process
            learning_rate=config.lr,
            lr_scheduler_type="constant",
            warmup_steps=0,
            weight_decay=0.0,
            logging_steps=1,
            logging_nan_inf_filter=False,  # a NaN loss must reach the callback, not be averaged away
            save_strategy="no",
            report_to="none",
            seed=config.seed,
            data_seed=config.seed,
            use_cpu=not torch.cuda.is_available(),
            disable_tqdm=not progress,
            remove_unused_columns=False,
            dataloader_num_workers=0,
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=examples,
            data_collator=partial(pad_batch, pad_id=pad_id),
            callbacks=[_stop_on_nonfinite_loss()],
        )
        trainer.train()
    model.eval()
    return [float(h["loss"]) for h in trainer.state.log_history if "loss" in h]
