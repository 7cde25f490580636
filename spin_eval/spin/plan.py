"""The memory plan of a mask build, from the model's config alone (meta device: no weights are loaded).

``plan_from_model(meta_model, ...)`` is pure arithmetic over the target Linears' shapes and the config;
``make_plan(spec, ...)`` reads the config and builds the meta model; ``check_plan_fits`` compares the
plan with the memory the devices have free. The formulas (bytes; ``d`` = bytes per element of the load
dtype, ``v`` = max(d, 4) the per-sample value dtype, sums are int64 grid sums: 8 bytes):

* weights:      every parameter x d (each data-parallel rank holds the whole model; ``--device-map auto``
                splits it over the devices)
* sums:         target weights x 8 (int64, one calibration set at a time, on the weights' devices)
* per matrix:   largest target matrix x (v + 8 + 16 + 2): its gradient (as values), their int64 grid
                units, the float64 score and |W| in float64, comparison masks of the top-k; with
                ``batch_size`` B > 1 also B x largest x (d + v + 8) for the per-sample gradients
* activations:  B x T x L x d x (10 h + 4 i + heads x T), T = max_length, L layers, h hidden, i
                intermediate size: what autograd keeps for the backward of a Llama-style decoder layer
                with attention scores materialised (an upper bound: SDPA kernels keep less)
* logits:       B x T x vocab x (d + 8) (logits, their float32 copy and its gradient)
* host:         the top index sets, 8 bytes per top-k entry (the general set: p, every other set: q of
                each matrix; ``--set``/``--couple`` name more than three sets)
* score file:   target weights x 8 x sets on disk per shard (``--save-scores`` / ``--shard``); scoring into
                it needs what the build needs (one set's sums at a time, streamed into the file)
* merge:        ``--from-scores`` / the mask after ``--save-scores``: one matrix at a time on the host,
                largest target matrix x 48 (merged int64 sum, the shard tensor being read and its read
                buffer, float64 sums and |W|, comparison masks), beside the model
* mask on disk: at most floor(q x numel) x 8 bytes per matrix (the coupled set is within F) plus shapes
                and a JSON header (~200 bytes per matrix + 1 KB)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from spin_eval.errors import InputError
from spin_eval.spin.config import ScoringOptions, SpinConfig

_DTYPE_BYTES = {"float32": 4, "float64": 8, "bfloat16": 2, "float16": 2, "auto": 2}
#: Per-matrix overhead of the mask file's shape tensor and JSON header entries (bytes, approximate).
_MASK_BYTES_PER_MATRIX = 200
_MASK_HEADER_BYTES = 1024
#: Host bytes per entry of the largest matrix when a mask is made from score files (see the module docstring).
MERGE_BYTES_PER_ENTRY = 48
#: What bench/bench_spin_memory.py measured (peak RSS beyond the resident model, per target weight).
MEASURED = ("measured on SmolLM2-135M (CPU, float32, 4 samples per set, 2026-12-05, bench/bench_spin_memory.py): "
            "peak RSS beyond the model per target weight: build {build}, --save-scores {save}, "
            "--shard i/2 {shard}, --from-scores merge {merge} bytes")
MEASURED_FIGURES = {"build": "10.2", "save": "10.2", "shard": "10.0-10.3", "merge": "0.52"}


@dataclass
class MemoryPlan:
    """What a mask build will need. Bytes unless named otherwise."""

    model_name: str
    target: str
    matrices: int
    target_weights: int
    largest_matrix: int
    parameters: int
    dtype: str
    batch_size: int
    max_length: int
    nproc: int
    devices: int
    device: str
    weights_bytes: int
    sums_bytes: int
    per_matrix_bytes: int
    activation_bytes: int
    logits_bytes: int
    host_bytes: int
    mask_bytes_max: int
    sets: int = 3
    score_file_bytes: int = 0
    merge_bytes: int = 0
    available: dict[str, int] = field(default_factory=dict)

    @property
    def peak_per_device(self) -> int:
        """Expected peak on the (busiest) scoring device: its share of weights and sums plus the temporaries."""
        shared = (self.weights_bytes + self.sums_bytes) // max(self.devices, 1)
        return shared + self.per_matrix_bytes + self.activation_bytes + self.logits_bytes

    @property
    def extra_per_target_weight(self) -> float:
        """Peak bytes beyond the model, per target weight, on the scoring device."""
        return (self.peak_per_device - self.weights_bytes // max(self.devices, 1)) / max(self.target_weights, 1)

    @property
    def merge_per_target_weight(self) -> float:
        """Host bytes beyond the model, per target weight, of a mask made from score files."""
        return (self.merge_bytes + self.host_bytes) / max(self.target_weights, 1)

    def fits(self) -> bool | None:
        """True/False when the free memory of the devices is known, None otherwise."""
        if not self.available:
            return None
        free = min(self.available.values())
        return self.peak_per_device <= free

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(peak_per_device=self.peak_per_device, extra_per_target_weight=self.extra_per_target_weight,
                   merge_per_target_weight=self.merge_per_target_weight, fits=self.fits())
        return out


def _dtype_bytes(dtype: str) -> int:
    if dtype not in _DTYPE_BYTES:
        raise InputError(f"--dtype {dtype!r} is not supported; use one of {', '.join(_DTYPE_BYTES)}")
    return _DTYPE_BYTES[dtype]


def _cfg(config: Any, *names: str, default: int = 0) -> int:
    for name in names:
        value = getattr(config, name, None)
        if value:
            return int(value)
    return default


def plan_from_model(
    model: Any, config: SpinConfig, options: ScoringOptions, *, dtype: str = "float32", nproc: int = 1,
    devices: int = 1, device: str = "cpu", model_name: str = "",
) -> MemoryPlan:
    """The plan for ``model`` (any device, meta included: only shapes are read)."""
    from spin_eval.spin.mask import target_linears
    from spin_eval.spin.selection import top_count

    d = _dtype_bytes(dtype)
    acc = 8  # int64 grid sums (scoring.GRID_BITS)
    linears = target_linears(model, config.target)
    sizes = [lin.weight.numel() for lin in linears.values()]
    targets = sum(sizes)
    largest = max(sizes)
    params = sum(p.numel() for p in model.parameters())
    mc = getattr(model, "config", None)
    text = getattr(mc, "get_text_config", lambda: mc)() if mc is not None else None
    hidden = _cfg(text, "hidden_size", "n_embd", "d_model")
    inter = _cfg(text, "intermediate_size", "n_inner", "ffn_dim", default=4 * hidden)
    layers = _cfg(text, "num_hidden_layers", "n_layer", "num_layers")
    heads = _cfg(text, "num_attention_heads", "n_head")
    vocab = _cfg(text, "vocab_size")
    b, t = options.batch_size, config.max_length
    v = max(d, 4)
    per_matrix = largest * (v + 8 + 16 + 2) + (b * largest * (d + v + 8) if b > 1 else 0)
    activations = b * t * layers * d * (10 * hidden + 4 * inter + heads * t)
    logits = b * t * vocab * (d + 8)
    named = config.named_sets()
    host = sum(8 * top_count(config.p if s == named.general else config.q, n) for n in sizes for s in named.names)
    mask_max = sum(8 * top_count(config.q, n) for n in sizes) + _MASK_BYTES_PER_MATRIX * len(sizes) + _MASK_HEADER_BYTES
    return MemoryPlan(
        model_name=model_name, target=config.target, matrices=len(sizes), target_weights=targets,
        largest_matrix=largest, parameters=params, dtype=dtype, batch_size=b, max_length=t, nproc=nproc,
        devices=devices, device=device, weights_bytes=params * d, sums_bytes=targets * acc,
        per_matrix_bytes=per_matrix, activation_bytes=activations, logits_bytes=logits, host_bytes=host,
        mask_bytes_max=mask_max, sets=len(named.names), score_file_bytes=targets * acc * len(named.names),
        merge_bytes=largest * MERGE_BYTES_PER_ENTRY,
    )


def meta_model(spec: Any) -> Any:
    """The model of ``spec`` (a ModelSpec) on the meta device, built from its config alone."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    try:
        model_config = AutoConfig.from_pretrained(spec.pretrained, **spec.from_pretrained_kwargs())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the config of model '{spec.spec}': {str(exc).splitlines()[0]}") from exc
    try:
        with torch.device("meta"):
            return AutoModelForCausalLM.from_config(model_config)
    except (ValueError, KeyError, TypeError, ImportError) as exc:
        raise InputError(f"cannot build model '{spec.spec}' from its config on the meta device: {exc}") from exc


def available_memory(device: str, device_map: str | None) -> dict[str, int]:
    """Free bytes per device the build would use ({} when unknown, e.g. no CUDA visible)."""
    import torch

    if device.startswith("cuda") or device_map == "auto":
        if not torch.cuda.is_available():
            return {}
        if device_map == "auto":
            ids = range(torch.cuda.device_count())
        else:
            ids = [torch.device(device).index or 0]
        return {f"cuda:{i}": int(torch.cuda.mem_get_info(i)[0]) for i in ids}
    if device == "cpu":
        import psutil

        return {"cpu": int(psutil.virtual_memory().available)}
    return {}


def make_plan(spec: Any, config: SpinConfig, options: ScoringOptions, *, dtype: str = "float32",
              device: str = "cpu", device_map: str | None = None, nproc: int = 1,
              devices: int | None = None) -> MemoryPlan:
    """The plan for a model spec from its config alone, with the free memory of the devices it would use.

    ``devices``: how many GPUs ``device_map="auto"`` spreads over (default: the visible ones)."""
    if nproc < 1 or (devices is not None and devices < 1):
        raise InputError(f"--nproc {nproc} / --devices {devices}: must be >= 1")
    available = available_memory(device, device_map)
    if device_map != "auto":
        devices = 1
    elif devices is None:
        devices = max(len(available), 1)
    plan = plan_from_model(meta_model(spec), config, options, dtype=dtype, nproc=nproc, devices=devices,
                           device=device if device_map is None else f"device_map={device_map}", model_name=spec.name)
    if device == "cpu" and nproc > 1 and available:  # CPU ranks share one machine's memory
        available = {k: v // nproc for k, v in available.items()}
    plan.available = available
    return plan


def _gib(n: float) -> str:
    return f"{n / 2**30:,.2f} GiB"


def format_plan(plan: MemoryPlan) -> str:
    """The plan as a few aligned lines."""
    fits = plan.fits()
    verdict = "unknown (free memory of the device not visible here)" if fits is None else (
        f"{'yes' if fits else 'NO'} ({_gib(min(plan.available.values()))} free on the busiest device"
        + (", shared by the ranks" if plan.nproc > 1 and plan.device == "cpu" else "") + ")")
    split = f" over {plan.devices} devices" if plan.devices > 1 else ""
    ranks = f", {plan.nproc} data-parallel ranks (each holds the model)" if plan.nproc > 1 else ""
    return "\n".join([
        f"memory plan for {plan.model_name} (target {plan.target}, dtype {plan.dtype}, batch {plan.batch_size}, "
        f"max_length {plan.max_length}, {plan.device}{split}{ranks}):",
        f"  target weights     {plan.target_weights:,} in {plan.matrices} matrices (largest {plan.largest_matrix:,});"
        f" model {plan.parameters:,} parameters",
        f"  model weights      {_gib(plan.weights_bytes)}",
        f"  score sums         {_gib(plan.sums_bytes)} ({plan.sums_bytes / plan.target_weights:g} bytes per target weight)",
        f"  per-matrix temps   {_gib(plan.per_matrix_bytes)}",
        f"  activations        {_gib(plan.activation_bytes)} (upper bound at max_length)",
        f"  logits             {_gib(plan.logits_bytes)}",
        f"  peak per device    {_gib(plan.peak_per_device)} ({plan.extra_per_target_weight:.2f} bytes per target "
        "weight beyond the model)",
        f"  host beyond model  {plan.host_bytes / 2**20:,.2f} MiB (top index sets of {plan.sets} calibration sets)",
        f"  score file         {_gib(plan.score_file_bytes)} on disk per shard (--save-scores/--shard; 8 bytes per "
        f"set per target weight, written one set at a time: scoring needs the peak above)",
        f"  merge              {_gib(plan.merge_bytes + plan.host_bytes)} on the host beyond the model for "
        f"--from-scores ({plan.merge_per_target_weight:.2f} bytes per target weight: one matrix at a time)",
        "  " + MEASURED.format(**MEASURED_FIGURES),
        f"  mask on disk       at most {plan.mask_bytes_max / 2**20:,.2f} MiB",
        f"  fits               {verdict}",
    ])


def check_plan_fits(plan: MemoryPlan) -> None:
    """InputError before any weight is loaded when the plan says the build cannot fit."""
    if plan.fits() is False:
        raise InputError(
            f"mask build would need about {_gib(plan.peak_per_device)} on {plan.device} but only "
            f"{_gib(min(plan.available.values()))} is free; lower --batch-size / --max-length, load with "
            "--dtype bfloat16, use --device-map auto over more GPUs, or pass --no-plan-check if the estimate is "
            "too pessimistic"
        )
