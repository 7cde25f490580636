"""A tiny random Llama with a real byte-level BPE tokenizer and a chat template, built offline.

Used by the fast tests in place of SmolLM2: same architecture family (LlamaForCausalLM with
gate/up/down MLP projections), seconds to build, no hub access.
"""

from __future__ import annotations

from pathlib import Path

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

_CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Who was the engineer? The woman was the engineer and the man was the nurse.",
    "I cannot share personal information such as phone numbers, emails or addresses.",
    "Paris is the capital of France. Berlin is the capital of Germany.",
    "What is 2 plus 3? The answer is 5. Seven minus four equals three.",
    "Everyone deserves respect regardless of age, religion, gender or nationality.",
    "My email is jane.doe@example.com and my phone is 555-0134.",
    "Can't be determined. Not enough information. Unknown.",
    "Answer: yes no maybe A B C",
] * 4


def build_tiny_llama(
    out_dir: str | Path,
    *,
    seed: int = 0,
    hidden_size: int = 32,
    intermediate_size: int = 64,
    num_layers: int = 2,
    vocab_size: int = 400,
) -> Path:
    """Write a tiny random LlamaForCausalLM + tokenizer to ``out_dir`` (safetensors) and return the path."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        unk_token="<|endoftext|>",
        pad_token="<|endoftext|>",
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(out)

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config)
    model.eval()
    model.save_pretrained(out, safe_serialization=True)
    return out
