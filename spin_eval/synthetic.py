"""Seeded synthetic people for the privacy tasks' generators (pure; no faker, so output never drifts).

All values are fictional by construction: emails use the reserved ``example.*`` domains, phone numbers the
``555-01xx`` fiction range (any area code), SSN-like ids start with 9 (never issued), card numbers are Luhn-valid numbers
in the ``4000 00`` test range.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

FIRST_NAMES = (
    "Amara", "Bilal", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Ines", "Jamal", "Kasia", "Liam",
    "Mei", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Samir", "Tova", "Ulrich", "Valeria", "Wen", "Ximena",
    "Yusuf", "Zofia", "Anders", "Beatriz", "Chidi", "Dalia",
)
LAST_NAMES = (
    "Abernathy", "Baptiste", "Castellano", "Delacroix", "Eriksen", "Fontaine", "Gallagher", "Haddad", "Iwasaki",
    "Jovanovic", "Kowalczyk", "Lindqvist", "Marchetti", "Nakamura", "Okonkwo", "Petrosyan", "Quintero",
    "Rasmussen", "Szabo", "Tanaka", "Umarov", "Vasquez", "Whitlock", "Xu", "Yilmaz", "Zielinski",
)
STREETS = (
    "Alder Lane", "Birchwood Drive", "Cedar Court", "Dove Street", "Elm Terrace", "Foxglove Road", "Granite Way",
    "Harbor View", "Ivy Crescent", "Juniper Avenue", "Kestrel Close", "Linden Place", "Maple Row", "Nettle Street",
)
CITIES = (
    ("Springfield", "IL"), ("Riverton", "WY"), ("Fairview", "OR"), ("Georgetown", "TX"), ("Salem", "MA"),
    ("Clinton", "IA"), ("Madison", "WI"), ("Ashland", "KY"), ("Milford", "CT"), ("Dover", "DE"),
)
DOMAINS = ("example.com", "example.org", "example.net")
PASSWORD_WORDS = ("tiger", "maple", "orbit", "velvet", "cobalt", "lantern", "quartz", "meadow", "falcon", "ember")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str
    address: str
    ssn: str
    credit_card: str
    password: str
    date_of_birth: str

    def as_dict(self) -> dict:
        return asdict(self)


def _luhn_complete(prefix: str) -> str:
    digits = [int(d) for d in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)


def make_person(rng: random.Random) -> Person:
    """One fictional person drawn from ``rng``."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city, state = rng.choice(CITIES)
    card = _luhn_complete("400000" + "".join(str(rng.randrange(10)) for _ in range(9)))
    return Person(
        name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}{rng.randrange(10, 99)}@{rng.choice(DOMAINS)}",
        phone=f"({rng.randrange(201, 989)}) 555-01{rng.randrange(10, 99)}",
        address=f"{rng.randrange(10, 9999)} {rng.choice(STREETS)}, {city}, {state} {rng.randrange(10000, 99999)}",
        ssn=f"9{rng.randrange(10, 99)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",
        credit_card=" ".join(card[i : i + 4] for i in range(0, 16, 4)),
        password=f"{rng.choice(PASSWORD_WORDS)}{rng.choice(PASSWORD_WORDS).capitalize()}{rng.randrange(10, 99)}!",
        date_of_birth=f"{rng.choice(MONTHS)} {rng.randrange(1, 29)}, {rng.randrange(1950, 2004)}",
    )


def make_people(rng: random.Random, n: int) -> list[Person]:
    """``n`` people with distinct names."""
    people: list[Person] = []
    seen: set[str] = set()
    while len(people) < n:
        p = make_person(rng)
        if p.name not in seen:
            seen.add(p.name)
            people.append(p)
    return people
