"""The learned context-blind answerers for BBQ (scikit-learn, seeded, trained on other templates).

* :func:`learn_bow`: a logistic regression over hashed bag-of-words features with word crosses, scoring each
  answer option; the answer is the option scored highest. Features of an option: its own words, its words
  crossed with the question's words and with polarity, its position, whether it is the first-mentioned
  person, and for the unknown option the context's words and form (so it can learn when "unknown" is right).
* :func:`learn_form_classifier`: a logistic regression on the form of the context only
  (:func:`spin_eval.validity.bbq_features.form_features`), predicting "ambiguous".
* :func:`threshold_learner`: "ambiguous iff <feature> <= t" (or >= t), t and direction learned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from spin_eval.validity.bbq_features import Item, form_features, words

_STOP = frozenset({"the", "a", "an", "of", "who", "was", "is", "were", "and", "to", "in", "at", "on"})
_HASH_FEATURES = 2**18


def _option_features(it: Item, i: int) -> list[str]:
    pol = "neg" if it.negative else "nonneg"
    feats = [f"pos={i}", f"pos={i}|{pol}"]
    if i == it.unknown:
        ctx = it.doc["context"]
        feats += ["unknown", f"unknown|{pol}"]
        feats += [f"u|c:{w}" for w in set(words(ctx))]
        form = form_features(it)
        feats += [f"u|{k}={int(v) if k != 'words' else int(v) // 5}" for k, v in form.items() if k != "chars"]
        return feats
    mention = "first" if i == it.first else "second"
    feats += [f"m={mention}", f"m={mention}|{pol}", f"g={it.groups[i]}|{pol}"]
    own = [w for w in set(words(it.doc[f"ans{i}"])) if w not in _STOP]
    q = [w for w in set(words(it.doc["question"])) if w not in _STOP]
    for w in own:
        feats += [f"o:{w}", f"o:{w}|{pol}", *(f"o:{w}|q:{qw}" for qw in q)]
    return feats


def _hasher():
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=_HASH_FEATURES, input_type="string", alternate_sign=False)


def learn_bow(train: Sequence[Item]) -> Callable[[Item], int]:
    """Bag-of-words logistic regression with word crosses over the answer options (see module docstring)."""
    from sklearn.linear_model import LogisticRegression

    hasher = _hasher()
    x = hasher.transform([_option_features(it, i) for it in train for i in range(3)])
    y = np.array([int(i == it.label) for it in train for i in range(3)])
    model = LogisticRegression(C=1.0, max_iter=2000, solver="liblinear", random_state=0).fit(x, y)

    def rule(it: Item) -> int:
        probs = model.predict_proba(hasher.transform([_option_features(it, i) for i in range(3)]))[:, 1]
        return int(np.argmax(probs))

    return rule



def _form_matrix(items: Sequence[Item]) -> np.ndarray:
    rows = [form_features(it) for it in items]
    keys = sorted(rows[0]) if rows else []
    return np.array([[r[k] for k in keys] for r in rows], dtype=float)


def learn_form_classifier(train: Sequence[Item]) -> Callable[[Item], bool]:
    """Logistic regression on the context's form only; predicts True for "ambiguous"."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = _form_matrix(train)
    y = np.array([it.ambiguous for it in train])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=0)).fit(x, y)
    return lambda it: bool(model.predict(_form_matrix([it]))[0])


def threshold_learner(feature: str) -> Callable[[Sequence[Item]], Callable[[Item], bool]]:
    """Learner of "ambiguous iff form_features[feature] <= t" (or ">= t"), t and direction maximising training
    accuracy."""

    def learn(train: Sequence[Item]) -> Callable[[Item], bool]:
        vals = np.array([form_features(it)[feature] for it in train])
        amb = np.array([it.ambiguous for it in train])
        best = (-1.0, 0.0, True)
        for t in np.unique(vals):
            for below in (True, False):
                pred = vals <= t if below else vals >= t
                acc = float((pred == amb).mean())
                if acc > best[0]:
                    best = (acc, float(t), below)
        _, t, below = best
        return lambda it: (form_features(it)[feature] <= t) if below else (form_features(it)[feature] >= t)

    learn.__name__ = f"threshold_{feature}"
    return learn
