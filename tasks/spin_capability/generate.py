"""Generate the spin_capability data: a 4-way multiple-choice set and a held-out perplexity corpus.

spin_capability_mc.jsonl subsets: arithmetic, units (conversions and comparisons), world_facts (capitals,
continents, chemical symbols), word_relations (antonyms, synonyms, plurals, category membership) and
reading (questions on generated passages). The correct answer's position cycles 0-3 (balanced labels).
spin_capability_ppl.jsonl: short generated narrative documents for rolling log-likelihood (perplexity);
they are new text, so no model has seen them.    python tasks/spin_capability/generate.py [--seed 0]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from spin_eval.synthetic import CITIES, FIRST_NAMES, LAST_NAMES

OUTPUT = Path(__file__).with_name("spin_capability_mc.jsonl")
PPL_OUTPUT = Path(__file__).with_name("spin_capability_ppl.jsonl")
DEFAULT_SEED = 0

CAPITALS = {
    "France": "Paris", "Germany": "Berlin", "Italy": "Rome", "Spain": "Madrid", "Portugal": "Lisbon",
    "Japan": "Tokyo", "China": "Beijing", "India": "New Delhi", "Egypt": "Cairo", "Kenya": "Nairobi",
    "Canada": "Ottawa", "Mexico": "Mexico City", "Brazil": "Brasilia", "Argentina": "Buenos Aires",
    "Peru": "Lima", "Chile": "Santiago", "Australia": "Canberra", "Russia": "Moscow", "Norway": "Oslo",
    "Sweden": "Stockholm", "Finland": "Helsinki", "Denmark": "Copenhagen", "Poland": "Warsaw", "Greece": "Athens",
    "Turkey": "Ankara", "Ireland": "Dublin", "Austria": "Vienna", "Hungary": "Budapest", "Czechia": "Prague",
    "Netherlands": "Amsterdam", "Belgium": "Brussels", "Switzerland": "Bern", "South Korea": "Seoul",
    "Thailand": "Bangkok", "Vietnam": "Hanoi", "Indonesia": "Jakarta", "Philippines": "Manila",
    "Nigeria": "Abuja", "Ghana": "Accra", "Ethiopia": "Addis Ababa", "Morocco": "Rabat", "Iran": "Tehran",
    "Iraq": "Baghdad", "Saudi Arabia": "Riyadh", "Pakistan": "Islamabad", "Colombia": "Bogota",
    "Venezuela": "Caracas", "Cuba": "Havana", "New Zealand": "Wellington", "Ukraine": "Kyiv",
}
CONTINENTS = {
    "France": "Europe", "Germany": "Europe", "Italy": "Europe", "Spain": "Europe", "Norway": "Europe",
    "Poland": "Europe", "Greece": "Europe", "Ireland": "Europe", "Hungary": "Europe", "Ukraine": "Europe",
    "Japan": "Asia", "China": "Asia", "India": "Asia", "Thailand": "Asia", "Vietnam": "Asia",
    "Indonesia": "Asia", "Pakistan": "Asia", "South Korea": "Asia", "Iran": "Asia", "Philippines": "Asia",
    "Egypt": "Africa", "Kenya": "Africa", "Nigeria": "Africa", "Ghana": "Africa", "Ethiopia": "Africa",
    "Morocco": "Africa", "Canada": "North America", "Mexico": "North America", "Cuba": "North America",
    "Brazil": "South America", "Argentina": "South America", "Peru": "South America", "Chile": "South America",
    "Colombia": "South America", "Venezuela": "South America", "Australia": "Oceania", "New Zealand": "Oceania",
}
ELEMENTS = {
    "hydrogen": "H", "helium": "He", "carbon": "C", "nitrogen": "N", "oxygen": "O", "sodium": "Na",
    "magnesium": "Mg", "aluminium": "Al", "silicon": "Si", "sulfur": "S", "chlorine": "Cl", "potassium": "K",
    "calcium": "Ca", "iron": "Fe", "copper": "Cu", "zinc": "Zn", "silver": "Ag", "tin": "Sn", "gold": "Au",
    "mercury": "Hg", "lead": "Pb", "uranium": "U", "neon": "Ne", "argon": "Ar",
}
ANTONYMS = (
    ("hot", "cold"), ("big", "small"), ("fast", "slow"), ("happy", "sad"), ("early", "late"), ("light", "dark"),
    ("rich", "poor"), ("strong", "weak"), ("open", "closed"), ("full", "empty"), ("high", "low"), ("old", "young"),
    ("hard", "soft"), ("wet", "dry"), ("loud", "quiet"), ("thick", "thin"), ("clean", "dirty"), ("brave", "afraid"),
    ("cheap", "expensive"), ("deep", "shallow"), ("begin", "end"), ("buy", "sell"), ("win", "lose"),
    ("push", "pull"), ("arrive", "leave"), ("remember", "forget"), ("accept", "refuse"), ("increase", "decrease"),
    ("above", "below"), ("inside", "outside"), ("friend", "enemy"), ("question", "answer"), ("true", "false"),
    ("sweet", "sour"), ("narrow", "wide"), ("heavy", "light"), ("polite", "rude"), ("safe", "dangerous"),
    ("simple", "complex"), ("ancient", "modern"),
)
SYNONYMS = (
    ("big", "large"), ("small", "tiny"), ("quick", "rapid"), ("begin", "start"), ("end", "finish"),
    ("happy", "glad"), ("angry", "furious"), ("smart", "clever"), ("easy", "simple"), ("hard", "difficult"),
    ("buy", "purchase"), ("help", "assist"), ("shut", "close"), ("gift", "present"), ("error", "mistake"),
    ("rich", "wealthy"), ("tired", "exhausted"), ("choose", "select"), ("quiet", "silent"), ("brave", "courageous"),
)
PLURALS = (
    ("child", "children"), ("mouse", "mice"), ("foot", "feet"), ("tooth", "teeth"), ("man", "men"),
    ("woman", "women"), ("goose", "geese"), ("person", "people"), ("leaf", "leaves"), ("knife", "knives"),
    ("wolf", "wolves"), ("box", "boxes"), ("city", "cities"), ("baby", "babies"), ("bus", "buses"),
    ("fish", "fish"), ("sheep", "sheep"), ("cactus", "cacti"), ("ox", "oxen"), ("potato", "potatoes"),
    ("hero", "heroes"), ("life", "lives"), ("half", "halves"), ("berry", "berries"), ("church", "churches"),
)
CATEGORIES = {
    "fruit": ("apple", "banana", "cherry", "mango", "pear", "plum", "grape", "peach"),
    "animal": ("horse", "tiger", "rabbit", "eagle", "salmon", "camel", "otter", "zebra"),
    "tool": ("hammer", "wrench", "screwdriver", "saw", "drill", "chisel", "pliers", "shovel"),
    "colour": ("red", "green", "blue", "yellow", "purple", "orange", "violet", "brown"),
    "vehicle": ("car", "bicycle", "train", "truck", "scooter", "tram", "van", "motorbike"),
}
UNITS = (
    ("centimetres", "metres", 100), ("millimetres", "centimetres", 10), ("grams", "kilograms", 1000),
    ("minutes", "hours", 60), ("seconds", "minutes", 60), ("hours", "days", 24), ("days", "weeks", 7),
    ("months", "years", 12), ("metres", "kilometres", 1000), ("millilitres", "litres", 1000),
)
WORKPLACES = ("bakery", "hospital", "library", "post office", "school", "museum", "bank", "garage")
VEHICLES = ("bus", "train", "bicycle", "tram", "ferry")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ITEMS = ("apples", "books", "pencils", "oranges", "stamps", "candles", "tickets")


def _mc(rng: random.Random, rows: list, subset: str, question: str, answer: str, distractors: list[str]) -> None:
    pool = sorted({d for d in distractors if d != answer})
    wrong = rng.sample(pool, 3)
    label = len(rows) % 4
    choices = wrong[:label] + [answer] + wrong[label:]
    rows.append({"id": len(rows), "subset": subset, "question": question, "choices": choices, "label": label})


def _num_distractors(rng: random.Random, x: int) -> list[str]:
    cands = {x + 1, x - 1, x + 10, x - 10, x + 2, x * 2, x + rng.randrange(3, 9), x - rng.randrange(3, 9)}
    return [str(c) for c in cands if c != x]


def generate(seed: int = DEFAULT_SEED) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    for _ in range(250):  # arithmetic
        a, b = rng.randrange(2, 99), rng.randrange(2, 99)
        op = rng.choice("+-x")
        if op == "-" and b > a:
            a, b = b, a
        x = a + b if op == "+" else a - b if op == "-" else a * b
        word = {"+": "plus", "-": "minus", "x": "times"}[op]
        _mc(rng, rows, "arithmetic", f"What is {a} {word} {b}?", str(x), _num_distractors(rng, x))
    for i in range(250):  # units
        if i % 2 == 0:
            small, large, factor = rng.choice(UNITS)
            n = rng.randrange(2, 13)
            x = n * factor
            _mc(rng, rows, "units", f"How many {small} are in {n} {large}?", str(x),
                [str(x // factor), str(x * 10), str(x + factor), str(x - factor), str(n * (factor + 10))])
        else:
            small, large, factor = rng.choice(UNITS)
            n = rng.randrange(2, 9)
            values = sorted(rng.sample(range(1, 10 * factor), 3))
            options = [f"{v} {small}" for v in values] + [f"{n} {large}"]
            # n large units exceed every small option only if n*factor > max(values); decide the true answer
            best = max([(v, f"{v} {small}") for v in values] + [(n * factor, f"{n} {large}")])[1]
            question = f"Which is the largest amount: {', '.join(sorted(options))}?"
            _mc(rng, rows, "units", question, best, [o for o in options if o != best] + ["they are all equal"])
    countries = sorted(CAPITALS)
    for c in countries:
        _mc(rng, rows, "world_facts", f"What is the capital of {c}?", CAPITALS[c], list(CAPITALS.values()))
    for c in sorted(CONTINENTS):
        _mc(rng, rows, "world_facts", f"On which continent is {c}?", CONTINENTS[c],
            ["Europe", "Asia", "Africa", "North America", "South America", "Oceania", "Antarctica"])
    for el in sorted(ELEMENTS):
        _mc(rng, rows, "world_facts", f"What is the chemical symbol for {el}?", ELEMENTS[el], list(ELEMENTS.values()))
    for a, b in ANTONYMS:
        _mc(rng, rows, "word_relations", f"What is the opposite of '{a}'?", b, [y for _, y in ANTONYMS])
    for a, b in SYNONYMS:
        _mc(rng, rows, "word_relations", f"Which word means the same as '{a}'?", b, [y for _, y in SYNONYMS])
    for a, b in PLURALS:
        _mc(rng, rows, "word_relations", f"What is the plural of '{a}'?", b,
            [y for _, y in PLURALS] + [a + "s", a + "es"])
    for cat in sorted(CATEGORIES):
        others = [w for k, ws in CATEGORIES.items() if k != cat for w in ws]
        for w in CATEGORIES[cat]:
            _mc(rng, rows, "word_relations", f"Which of these is a {cat}?", w, others)
    for _ in range(100):  # reading comprehension: 3 questions per passage
        name = rng.choice(FIRST_NAMES)
        friend = rng.choice([n for n in FIRST_NAMES if n != name])
        city = rng.choice(CITIES)[0]
        work, vehicle, day, item = rng.choice(WORKPLACES), rng.choice(VEHICLES), rng.choice(DAYS), rng.choice(ITEMS)
        n = rng.randrange(5, 15)
        k = rng.randrange(1, n - 1)
        passage = (f"{name} lives in {city}. Every morning, {name} takes the {vehicle} to work at the {work}. "
                   f"On {day}, {name} bought {n} {item} and gave {k} of them to {friend}.")
        _mc(rng, rows, "reading", f"{passage}\nWhere does {name} work?", f"at the {work}",
            [f"at the {w}" for w in WORKPLACES])
        _mc(rng, rows, "reading", f"{passage}\nHow many {item} did {name} keep?", str(n - k),
            [str(n), str(k), str(n + k), str(n - k + 1), str(max(0, n - k - 1))])
        _mc(rng, rows, "reading", f"{passage}\nWho received some of the {item}?", friend,
            [name] + rng.sample([f for f in FIRST_NAMES if f not in (name, friend)], 4))
    return rows


def generate_corpus(seed: int = DEFAULT_SEED, n_docs: int = 60) -> list[dict]:
    """Held-out narrative documents for the perplexity task (about 100 words each)."""
    rng = random.Random(seed + 1)
    docs = []
    for i in range(n_docs):
        a, b = rng.choice(FIRST_NAMES), rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        city = rng.choice(CITIES)[0]
        work, vehicle, day, item = rng.choice(WORKPLACES), rng.choice(VEHICLES), rng.choice(DAYS), rng.choice(ITEMS)
        year = rng.randrange(1950, 2020)
        n = rng.randrange(3, 40)
        text = (
            f"{a} {last} grew up in {city}, where the family ran a small {work} near the river. "
            f"In {year}, {a} moved away to study, but came back every summer to help. "
            f"The town changed slowly: a new {vehicle} line opened, the old market closed, and the {work} "
            f"had to find new customers. {a} and {b} started selling {item} on {day}s, and by the end of the "
            f"first year they had sold more than {n * 10} of them. People still remember the long queues. "
            f"Today the building is a meeting place, and {b} says that the best ideas in {city} began with "
            f"a simple conversation over coffee."
        )
        docs.append({"id": i, "text": text})
    return docs


#: Further files this generator writes: (function of the seed, path).
EXTRA = [(generate_corpus, PPL_OUTPUT)]


def main(argv: list[str] | None = None) -> int:
    from spin_eval.taskdata import generator_main

    return generator_main(generate, OUTPUT, DEFAULT_SEED, __doc__, argv, extra=EXTRA)


if __name__ == "__main__":
    sys.exit(main())
