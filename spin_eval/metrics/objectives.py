"""The objectives a run declares (``--objectives``) and the catalog families that measure them. Pure.

SPIN removes weights coupled between two (or more) objectives; the report's trust families, its plane and
its alignment tax follow the objectives the run declares:

* ``fairness`` -> family ``fairness`` (spin_bbq, the fairness-awareness tasks);
* ``privacy`` -> family ``privacy`` (spin_pii_leakage, the privacy-awareness tasks);
* ``safety`` -> family ``safety`` (spin_safety: harmful requests declined, benign twins answered);
* ``helpfulness`` -> family ``overrefusal`` (spin_overrefusal: benign requests that only look sensitive,
  answered with the requested content; its change is oriented so that + = more helpful).

The default, ``fairness,privacy``, is the SPIN paper's conflict and every report before objectives existed.
"""

from __future__ import annotations

from spin_eval.errors import InputError

#: objective -> catalog family.
OBJECTIVES: dict[str, str] = {
    "fairness": "fairness",
    "privacy": "privacy",
    "safety": "safety",
    "helpfulness": "overrefusal",
}
DEFAULT_OBJECTIVES: tuple[str, ...] = ("fairness", "privacy")
#: objective -> the task group (``tasks/groups``) that measures it with capability (``spin-eval run`` suites).
SUITE_OF: dict[tuple[str, ...], str] = {("fairness", "privacy"): "spin_suite", ("safety", "helpfulness"): "spin_suite_safety"}
#: Human names of the objectives in the report (plane axes, the tax line).
TITLES: dict[str, str] = {"fairness": "fairness", "privacy": "privacy", "safety": "safety", "helpfulness": "helpfulness"}


def parse_objectives(text: str, flag: str = "--objectives") -> tuple[str, ...]:
    """``"safety,helpfulness"`` -> ``("safety", "helpfulness")``: two or more known, distinct objectives
    (InputError naming ``flag`` and the fix otherwise)."""
    names = [n.strip() for n in str(text).split(",")]
    if any(not n for n in names):
        raise InputError(f"{flag} {text!r}: empty name; give comma-separated objectives, e.g. {flag} safety,helpfulness")
    unknown = [n for n in names if n not in OBJECTIVES]
    if unknown:
        raise InputError(f"{flag}: unknown objective {', '.join(unknown)}; choose from {', '.join(OBJECTIVES)}")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"{flag}: {', '.join(dup)} named twice; name each objective once")
    if len(names) < 2:
        raise InputError(f"{flag} {text}: name at least two objectives (the conflict SPIN resolves), "
                         f"e.g. {flag} safety,helpfulness")
    fams = [OBJECTIVES[n] for n in names]
    if len(set(fams)) != len(fams):
        raise InputError(f"{flag}: {', '.join(names)} measure the same family twice; name each family once")
    return tuple(names)


def objective_families(objectives: tuple[str, ...] = DEFAULT_OBJECTIVES) -> tuple[str, ...]:
    """The catalog families of ``objectives`` (the report's trust families), in the order given."""
    return tuple(OBJECTIVES[o] for o in objectives)


def trust_definition(objectives: tuple[str, ...] = DEFAULT_OBJECTIVES) -> dict[str, str]:
    """The report's definition of the trust change for non-default ``objectives`` (empty for the default:
    the report keeps its wording)."""
    objectives = tuple(objectives)
    if objectives == DEFAULT_OBJECTIVES:
        return {}
    names = [f"the {o} change" + (" (over-refusal, + = more helpful)" if o == "helpfulness" else "") for o in objectives]
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return {"trust change": f"mean of {listed} (the run's objectives; each the mean improvement over that "
                            "family's headline metrics in points)."}


def tax_columns(objectives: tuple[str, ...] = DEFAULT_OBJECTIVES) -> list[tuple[str, str]]:
    """``(family key, column label)`` of the report's tax table: capability, the objectives' families,
    trust, then over-refusal when it is no objective (the default's columns, unchanged)."""
    objectives = tuple(objectives)
    cols = [("capability", "capability")]
    cols += [(OBJECTIVES[o], TITLES[o]) for o in objectives]
    cols.append(("trust", "trust"))
    if "overrefusal" not in objective_families(objectives):
        cols.append(("overrefusal", "over-refusal"))
    return cols
