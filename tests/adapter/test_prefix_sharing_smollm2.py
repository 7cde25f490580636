"""Shared-prefix scoring in spin_hf equals lm-eval's hf on the real SmolLM2 (slow).

Its own module, so that pytest-xdist (--dist loadscope) can run it beside test_prefix_sharing.py's
tiny-model tests instead of after them in the same worker.
"""

from __future__ import annotations

import pytest
from test_prefix_sharing import assert_same, task_instances


@pytest.mark.slow
def test_smollm2_sample_equals_hf():
    from lm_eval.models.huggingface import HFLM

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.modelspec import resolve_model_spec

    spec = resolve_model_spec("smollm2")
    hf = HFLM(pretrained=spec.pretrained, device="cpu", dtype="float32", batch_size=8)
    spin = SpinHFLM(pretrained=hf.model, tokenizer=hf.tokenizer, device="cpu", batch_size=8)
    for task, limit in (("spin_bbq", 36), ("spin_capability_mc", 20)):
        instances = task_instances(task, limit)
        got, want = spin.loglikelihood(instances, disable_tqdm=True), hf.loglikelihood(instances, disable_tqdm=True)
        assert_same(got, want)
        assert any(w[1] for w in want) or task == "spin_bbq"
