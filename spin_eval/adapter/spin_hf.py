"""``SpinHFLM``: lm-eval's Hugging Face model (``hf``) with a SPIN mask applied once at load time.

Registered in lm-eval as ``spin_hf`` (see ``spin_eval/adapter/registration.py``)::

    lm_eval --model spin_hf --model_args pretrained=smollm2,mask=masks/smollm2.safetensors --tasks ...
    lm_eval --model spin_hf --model_args pretrained=Qwen/Qwen2-7B-Instruct,spin=auto,spin_p=5e-7 --tasks ...

model_args added to every ``hf`` argument (all of which keep working):

``pretrained``
    Anything ``hf`` takes, plus ``smollm2`` (the embedded SmolLM2-135M-Instruct, converted offline by
    ``spin_eval.modelspec``) and a path to a ``.gguf`` file.
``mask=PATH``
    A mask file written by ``spin-eval mask build`` (safetensors indices + JSON metadata). It is loaded
    and checked before the model loads, its model fingerprint is verified against the loaded weights,
    and the masked weights are zeroed in place once, after ``HFLM.__init__``: no hooks, so every
    request type (loglikelihood, loglikelihood_rolling, generate_until) sees the masked model at
    exactly the speed of ``hf``.
``spin=auto``
    Build the mask on the fly with ``spin_eval.spin.build.load_or_build_mask`` from ``spin_p``,
    ``spin_q``, ``spin_target``, ``spin_selection``, ``spin_nsamples``, ``spin_seed``, ``spin_general``,
    ``spin_fairness``, ``spin_privacy``, ``spin_batch_size``, ``spin_chat_template``,
    ``spin_control_seed`` and ``spin_max_length``: one ``spin_<field>`` per setting of
    ``spin_eval.spin.settings`` (defaults: ``SpinConfig``'s, the shipped calibration sets; p defaults to
    ``default_ratio`` of the model, q to p). ``spin_batch_size`` only changes speed. The mask is cached under
    ``$SPIN_EVAL_CACHE/masks`` keyed by the model fingerprint, every setting and the data hashes, so a
    second run reuses it. Concurrent builders (data-parallel ranks, parallel jobs) take a file lock, so
    one builds and the others load the cached file.
``spin=none``
    The unmodified model through the same class (a clean baseline). ``spin=mask`` is implied by ``mask=``.
``peft=DIR``
    A PEFT adapter (e.g. from ``spin-eval tune``), loaded as ``hf`` loads it; an adapter with a
    ``spin_eval_tune.json`` must have been trained on this base model (fingerprint, else exit 2). With
    ``mask=``/``spin=auto`` the adapter is merged into the weights first and the mask applies to the
    fine-tuned model (prompt-learning adapters are refused there). ``delta=DIR`` (full fine-tuning)
    works as in ``hf``.
``spin_force=true``
    Apply a mask whose fingerprint does not match (the weights differ, e.g. another dtype export).
``prefix_sharing=false``
    Score log-likelihood requests exactly as ``hf`` does. By default (``true``) the requests of one
    ``loglikelihood`` call that share a context are scored in one packed row that runs the context
    once (``spin_eval.adapter.prefix_sharing``): same ``(loglikelihood, is_greedy)`` per request as
    ``hf`` (within float rounding), same truncation at ``max_length``, same ``--use_cache`` entries and
    result order, about twice as fast on multiple choice. Perplexity (``loglikelihood_rolling``),
    seq2seq models, flash/flex attention, sliding-window models and prompt-tuning adapters always take
    ``hf``'s path.

``fast_generate=false``
    Generate exactly through ``hf``'s ``generate_until``. By default (``true``) greedy ``generate_until``
    requests run ``spin_eval.adapter.fast_generate``: continuous batching over each group of requests
    (finished rows leave, waiting prompts take their place, up to 4x ``batch_size`` rows in flight within
    ``hf``'s worst-case KV cache of ``batch_size x max_length`` tokens) with a shared prompt prefix run
    once (``generate_prefix_cache=false`` turns only that off), and ``hf``'s batches' stopping rules
    replayed so every answer is the one ``hf`` returns (tested token for token; a near-tie in the last bit
    of a logit is the one thing not provable). Sampling, extra generation kwargs and models it cannot
    mirror take ``hf``'s path.

``get_model_info()`` adds ``spin`` = ``{mode, mask_path, mask_sha256, mask_metadata}``, which lm-eval
writes into ``results_*.json`` under ``config.spin``.

Swapping masks on a loaded model (one load, several variants): ``lm.use_mask(mask_or_path)`` restores
any current mask and applies the new one, ``lm.clear_mask(target=...)`` restores the original weights;
both keep ``get_model_info()['spin']`` truthful (plus ``model_fingerprint`` of the unmasked weights).

Bad input (unknown ``spin_*`` key, unreadable mask, a mask for another model, ``mask`` with
``spin=auto``, a bad ``spin`` value or a mistyped setting) raises a ``SpinEvalError`` subclass naming
the model_arg, before any request is evaluated.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lm_eval.models.huggingface import HFLM

from spin_eval.adapter.registration import SPIN_HF_NAME, register_spin_hf
from spin_eval.adapter.spin_args import (  # noqa: F401 - re-exported: the adapter's documented names
    OTHER_ARGS,
    SPIN_MODES,
    SpinRequest,
    install_error_hook,
    load_mask_arg,
    parse_bool,
    parse_spin_args,
    parse_str,
    preflight,
    resolve_pretrained,
    spin_config,
    spin_settings,
)
from spin_eval.errors import FingerprintMismatchError, InputError, MaskError, SpinEvalError

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------- the model


class SpinHFLM(HFLM):
    """``hf`` plus a SPIN mask applied once after loading (``mask=PATH``, ``spin=auto`` or ``spin=none``)."""

    def __init__(self, pretrained: Any, **kwargs: Any) -> None:
        prefix_sharing = parse_bool("prefix_sharing", kwargs.pop("prefix_sharing", True))
        fast_generate = parse_bool("fast_generate", kwargs.pop("fast_generate", True))
        prefix_cache = parse_bool("generate_prefix_cache", kwargs.pop("generate_prefix_cache", True))
        install_error_hook()
        request = parse_spin_args(kwargs)
        mask = load_mask_arg(request.mask_path) if request.mode == "mask" else None
        peft_path = kwargs.pop("peft", None) or None
        if peft_path is not None and kwargs.get("delta"):
            raise InputError("spin_hf: peft= and delta= cannot be combined (lm-eval's hf refuses it too); pass one")
        pretrained, model_spec = resolve_pretrained(pretrained, kwargs)
        settings = spin_settings(request, model_spec if model_spec is not None else pretrained)
        preflight(pretrained, kwargs, None if settings is None else settings[0])

        super().__init__(pretrained=pretrained, **kwargs)
        if peft_path is not None:
            self._load_peft(str(peft_path), merge=request.mode != "none")

        self.prefix_sharing = prefix_sharing
        self.fast_generate = fast_generate
        self.generate_prefix_cache = prefix_cache
        from spin_eval.adapter.continuous_batching import GenerateStats

        self.generate_stats = GenerateStats()
        self._spin_request = request
        self._spin_applied = None
        self._spin_info: dict[str, Any] = {
            "mode": request.mode,
            "mask_path": None,
            "mask_sha256": None,
            "mask_metadata": None,
        }
        if request.mode == "none":
            return
        if request.mode == "auto":
            mask, mask_file = self._build_mask(*settings)
        else:
            mask_file = request.mask_path
        self._apply(mask, mask_file)

    # -- fine-tuned adapters (peft=) ---------------------------------------------------------------------

    def _load_peft(self, path: str, *, merge: bool) -> None:
        """Wrap the loaded base model with the PEFT adapter at ``path`` as ``hf`` does (after a fingerprint
        check for ``spin-eval tune`` adapters). With a mask (``merge``) the adapter is merged into the
        weights, so the mask zeroes the fine-tuned weights and its fingerprint refers to them."""
        from spin_eval.adapter.finetuned import attach_peft

        try:
            self._model = attach_peft(self._model, path, merge=merge)
        except InputError as exc:
            raise type(exc)(f"spin_hf model_arg {exc}") from exc
        self.peft = path

    def use_finetuned(self, path: str | Path, kind: str) -> None:
        """Attach a fine-tuned artifact (``kind`` ``peft`` or ``delta``) to the loaded base model for the
        next evaluations (``clear_finetuned`` detaches it); ``get_model_info()`` names it."""
        from spin_eval.adapter.finetuned import attach_delta, attach_peft

        self.clear_finetuned()
        if kind == "peft":
            self._model = attach_peft(self._model, str(path), merge=False)
            self.peft = str(path)
        else:
            self._spin_delta = attach_delta(self._model, str(path))
            self.delta = str(path)

    def clear_finetuned(self) -> None:
        """Detach the artifact of ``use_finetuned``: the base weights are exactly as loaded again."""
        delta = self.__dict__.pop("_spin_delta", None)
        if delta is not None:
            delta.restore()
            self.delta = None
        if self.peft and hasattr(self._model, "unload"):
            self._model = self._model.unload()
            self._model.eval()
            self.peft = None

    # -- mask construction and application ---------------------------------------------------------------

    def _build_mask(self, config, options):
        """Load the cached mask for this model and settings, or build and cache it (under the cache lock of
        ``spin_eval.spin.build.load_or_build_masks``)."""
        from spin_eval.spin.build import load_or_build_mask

        try:
            mask, path = load_or_build_mask(
                self.model, self.tokenizer, config, batch_size=options.batch_size, progress=self.rank == 0
            )
        except SpinEvalError as exc:
            raise type(exc)(
                f"spin_hf spin=auto: {exc} (calibration sets are model_args spin_general=, spin_fairness=, "
                "spin_privacy=)"
            ) from exc
        return mask, Path(path)

    def _apply(self, mask, mask_file: Path | None, *, check_fingerprint: bool | None = None) -> None:
        from spin_eval.spin.io import file_sha256
        from spin_eval.spin.mask import apply_mask

        if check_fingerprint is None:
            check_fingerprint = not self._spin_request.force
        try:
            self._spin_applied = apply_mask(self.model, mask, check_fingerprint=check_fingerprint)
        except MaskError as exc:
            hint = ""
            dtype = getattr(self.model, "dtype", None)
            if isinstance(exc, FingerprintMismatchError) and dtype is not None and "float32" not in str(dtype):
                hint = (
                    f" (the model is loaded as {dtype}: fingerprints hash the weights as loaded, so a mask "
                    "built from float32 weights differs from a bf16/fp16 load; the indices still fit, so "
                    "spin_force=true is safe if the checkpoint is the same)"
                )
            raise type(exc)(f"spin_hf model_arg mask={mask_file}: {exc}{hint}") from exc
        sha = None if mask_file is None else file_sha256(mask_file)
        self._spin_info.update(
            mask_path=None if mask_file is None else str(mask_file.resolve()),
            mask_sha256=sha,
            mask_metadata=dict(mask.metadata),
        )
        if self.rank == 0:
            logger.info(
                "spin_hf: zeroed %d weights in %d matrices (mask %s, sha256 %s)",
                mask.total,
                sum(1 for n in mask.counts.values() if n),
                mask_file,
                (sha or "-")[:16],
            )

    # -- swapping masks on the loaded model ------------------------------------------------------------------

    def _unmasked_fingerprint(self, target: str) -> str:
        """Fingerprint of the unmasked ``target`` weights (computed while no mask is applied, then cached)."""
        from spin_eval.spin.mask import model_fingerprint

        cache = self.__dict__.setdefault("_spin_fingerprints", {})
        if target not in cache:  # callers have restored any applied mask
            cache[target] = model_fingerprint(self.model, target)
        return cache[target]

    def use_mask(self, mask: Any, path: str | Path | None = None, *, check_fingerprint: bool = True):
        """Apply ``mask`` (a SpinMask, or a mask file path) to the loaded model in place of any current one.

        The mask applied before (at load time or by an earlier ``use_mask``) is restored first, so masks
        never stack. ``path`` names the file a SpinMask came from (recorded with its sha256; None: no
        file). ``get_model_info()['spin']`` then reports ``mode='mask'``, the mask path, sha256 and
        metadata, and ``model_fingerprint`` (the unmasked model's, for the mask's target). Returns the
        AppliedMask handle; call ``clear_mask()`` (not the handle's ``restore()``) to keep the info true.
        Raises MaskError / FingerprintMismatchError naming the file when the mask does not fit.
        """
        from spin_eval.spin.io import file_sha256
        from spin_eval.spin.mask import SpinMask

        if not isinstance(mask, SpinMask):
            if path is None:
                path = mask
            mask = load_mask_arg(Path(parse_str("mask", mask)).expanduser())
        mask_file = None if path is None else Path(path).expanduser()
        self.clear_mask()
        fingerprint = self._unmasked_fingerprint(str(mask.metadata.get("target", "mlp")))
        self._apply(mask, mask_file, check_fingerprint=check_fingerprint)
        self._spin_info = {
            "mode": "mask",
            "mask_path": None if mask_file is None else str(mask_file.resolve()),
            "mask_sha256": None if mask_file is None else file_sha256(mask_file),
            "mask_metadata": dict(mask.metadata),
            "model_fingerprint": fingerprint,
        }
        return self._spin_applied

    def clear_mask(self, *, target: str | None = None) -> None:
        """Restore the original weights of any applied mask; ``get_model_info()['spin']`` says mode ``none``.

        With ``target`` (mlp, attn, all) the info also records ``model_fingerprint`` of the unmasked
        weights for that target, so an unmasked run can be matched to masked runs of the same model.
        """
        if self._spin_applied is not None:
            self._spin_applied.restore()
            self._spin_applied = None
        self._spin_info = {"mode": "none", "mask_path": None, "mask_sha256": None, "mask_metadata": None}
        if target is not None:
            self._spin_info["model_fingerprint"] = self._unmasked_fingerprint(target)

    # -- log-likelihood scoring --------------------------------------------------------------------------

    def _loglikelihood_tokens(self, requests, disable_tqdm: bool = False, override_bs: int | None = None):
        """``hf``'s scoring with each shared context run once; ``hf``'s own path where sharing cannot apply.

        Rolling windows (``override_bs``), calls containing an empty context or continuation or one
        longer than ``max_length`` (``hf`` rejects those with its own errors) and models listed by
        ``prefix_sharing.sharing_blocker`` go to ``HFLM._loglikelihood_tokens`` unchanged.
        """
        from spin_eval.adapter.prefix_sharing import sharing_blocker

        blocker = sharing_blocker(self)
        malformed = any(not ctx or not cont or len(cont) > self.max_length for _, ctx, cont in requests)
        if blocker is not None or override_bs is not None or malformed or not requests:
            if blocker not in (None, "prefix_sharing=false") and not getattr(self, "_sharing_warned", False):
                logger.info("spin_hf: prefix sharing off (%s); scoring as hf does", blocker)
                self._sharing_warned = True
            return super()._loglikelihood_tokens(requests, disable_tqdm=disable_tqdm, override_bs=override_bs)
        from spin_eval.adapter.prefix_sharing import score_requests

        return score_requests(self, requests, disable_tqdm=disable_tqdm)

    # -- generation -------------------------------------------------------------------------------------

    def generate_until(self, requests, disable_tqdm: bool = False):
        """``hf``'s answers through continuous batching with prefix reuse (``spin_eval.adapter.fast_generate``);
        ``fast_generate=false`` runs ``HFLM.generate_until`` unchanged."""
        if not self.fast_generate:
            return super().generate_until(requests, disable_tqdm=disable_tqdm)
        from spin_eval.adapter import fast_generate as fg

        plain = lambda reqs: super(SpinHFLM, self).generate_until(reqs, disable_tqdm=disable_tqdm)  # noqa: E731
        return fg.generate_until(self, requests, disable_tqdm, plain, prefix_reuse=self.generate_prefix_cache,
                                 stats=self.generate_stats)

    # -- reporting ------------------------------------------------------------------------------------------

    @property
    def spin_info(self) -> dict[str, Any]:
        """``{mode, mask_path, mask_sha256, mask_metadata}`` of what this instance evaluates."""
        return dict(self._spin_info)

    def get_model_info(self) -> dict:
        info = super().get_model_info()
        info["spin"] = self.spin_info
        return info


# Importing the class directly (without the .pth hook) still makes --model spin_hf resolvable.
try:
    register_spin_hf()
except Exception as exc:  # noqa: BLE001 - registration is a convenience here, never a reason to fail
    logger.debug("spin_hf: registering %r failed: %s", SPIN_HF_NAME, exc)

__all__ = ["SPIN_MODES", "SpinHFLM", "SpinRequest", "parse_spin_args", "spin_config", "spin_settings"]
