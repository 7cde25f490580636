"""The limited-data experiment: SPIN masks and fine-tuning baselines at several calibration sizes.

``spin-eval run --data-sizes 8,32,128`` adds, for every size N, a SPIN variant ``spin-nN`` (the run's
SPIN settings with ``nsamples=N`` calibration samples per set) and one variant ``<baseline>-nN`` per
``--baselines`` entry (trained on N rows; a mix takes N/2 from fairness and N/2 from privacy). All of
them are evaluated on the same documents as base, ``spin`` and the controls. The calibration sampler
draws a prefix of one seeded permutation (``spin_eval.spin.calibration.sample_rows``), so the smaller
sets are nested in the larger ones, and the rows ``sft-privacy-nN`` trains on are the privacy rows
``spin-nN`` scores. Pure functions: names and configs only; ``spin_eval.run`` builds and
evaluates.
"""

from __future__ import annotations

from spin_eval.errors import InputError
from spin_eval.tune.baselines import baseline_config
from spin_eval.tune.config import TuneConfig

#: Most sizes one run takes (each adds 1 + len(--baselines) evaluated variants).
MAX_SIZES = 6


def size_suffix(n: int) -> str:
    """The variant-name suffix of calibration size ``n``: ``-n8``."""
    return f"-n{n}"


def check_data_sizes(sizes: tuple[int, ...]) -> None:
    """InputError naming the flag for sizes that are not distinct positive integers (at most MAX_SIZES)."""
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InputError(f"--data-sizes {n!r}: each size must be a positive integer, e.g. --data-sizes 8,32,128")
    if len(set(sizes)) != len(sizes):
        raise InputError(f"--data-sizes {','.join(map(str, sizes))}: a size is named twice")
    if len(sizes) > MAX_SIZES:
        raise InputError(f"--data-sizes: at most {MAX_SIZES} sizes in one run (each adds a SPIN mask and every "
                         f"baseline), got {len(sizes)}")


def spin_size_variants(sizes: tuple[int, ...]) -> dict[str, int]:
    """``{variant name: nsamples}`` of the SPIN masks at each size, in the order given."""
    return {f"spin{size_suffix(n)}": n for n in sizes}


def baseline_variants(
    baselines: tuple[str, ...], sizes: tuple[int, ...], *, steps: int | None, seed: int
) -> dict[str, TuneConfig]:
    """``{variant name: TuneConfig}`` of every baseline: each name as given (TuneConfig's default rows), then
    each name at each size (``sft-privacy-n8``: ``nsamples=8``), baselines in the order given."""
    out = {name: baseline_config(name, steps=steps, seed=seed) for name in baselines}
    for n in sizes:
        for name in baselines:
            out[name + size_suffix(n)] = baseline_config(name, steps=steps, seed=seed, nsamples=n)
    return out


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"8,32,128"`` as ``(8, 32, 128)``; InputError naming the flag otherwise."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.isdigit():
            raise InputError(f"--data-sizes {text}: {part!r} is not a positive integer; give e.g. 8,32,128")
        out.append(int(part))
    if not out:
        raise InputError("--data-sizes is empty; give calibration sizes, e.g. 8,32,128")
    check_data_sizes(tuple(out))
    return tuple(out)
