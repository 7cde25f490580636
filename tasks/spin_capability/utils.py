"""lm-eval hooks for spin_capability_mc / spin_capability_ppl (standard acc / perplexity metrics)."""

from __future__ import annotations

from pathlib import Path

from spin_eval.metrics.perplexity import weighted_perplexity_stderr
from spin_eval.taskdata import load_task_dataset, select_docs

HERE = Path(__file__).resolve().parent
STRATA = ("subset",)
MINI_PER_SUBSET = 40
MINI_PPL_DOCS = 20


def load_mc(**kwargs):
    return load_task_dataset(HERE, ("id", "subset", "question", "choices", "label"), **kwargs)


def load_ppl(**kwargs):
    return load_task_dataset(HERE, ("id", "text"), **kwargs)


def process_docs(dataset):
    """All documents, interleaved over strata so that ``--limit`` takes a balanced prefix."""
    return select_docs(dataset, STRATA)


def process_docs_mini(dataset):
    return select_docs(dataset, STRATA, MINI_PER_SUBSET)


def process_docs_ppl_mini(dataset):
    return dataset.select(range(min(MINI_PPL_DOCS, len(dataset))))


def process_results_ppl(doc, results):
    """lm-eval's wikitext convention: per doc (loglikelihood, words) and (loglikelihood, bytes)."""
    (loglikelihood,) = results
    words = len(doc["text"].split())
    n_bytes = len(doc["text"].encode("utf-8"))
    return {
        "word_perplexity": (loglikelihood, words),
        "word_perplexity_stderr": (loglikelihood, words),  # after its metric: fills lm-eval's stderr slot
        "byte_perplexity": (loglikelihood, n_bytes),
        "bits_per_byte": (loglikelihood, n_bytes),
    }


def agg_word_perplexity_stderr(items):
    return weighted_perplexity_stderr(items)
