"""The ``general`` calibration set's row families: general-utility instructions with helpful answers
(arithmetic computed here, unit conversions, definitions, how-to steps, summaries, rewriting, facts, word tasks)."""

from __future__ import annotations

import random

from spin_eval.datagen.rows import Family, Row

_NUMBER_WORDS = {"plus": "+", "minus": "-", "times": "*"}

_DEFINITIONS = [
    ("photosynthesis", "the process by which plants, algae and some bacteria use light energy to turn carbon dioxide and water into sugar, releasing oxygen"),
    ("inflation", "a general rise in prices over time, which means each unit of money buys a little less than before"),
    ("an algorithm", "a finite, ordered list of steps that solves a problem or performs a computation"),
    ("a prime number", "a whole number greater than 1 whose only divisors are 1 and itself, such as 2, 3, 5, 7 and 11"),
    ("gravity", "the attraction between masses; on Earth it pulls objects toward the ground at about 9.8 metres per second squared"),
    ("a metaphor", "a figure of speech that describes something by saying it is something else, such as 'time is a thief'"),
    ("democracy", "a system of government in which citizens choose their leaders and laws, directly or through elected representatives"),
    ("an ecosystem", "a community of living things interacting with each other and with their physical environment"),
    ("compound interest", "interest calculated on the original amount plus the interest already earned, so savings grow faster over time"),
    ("a noun", "a word that names a person, place, thing or idea, such as 'teacher', 'city' or 'freedom'"),
    ("evaporation", "the change of a liquid into a gas at its surface, as when a puddle dries in the sun"),
    ("a hypothesis", "a testable explanation or prediction that an experiment or observation can support or refute"),
    ("machine learning", "a branch of computing in which programs improve at a task by finding patterns in data instead of following only hand-written rules"),
    ("a budget", "a plan that lists expected income and expenses for a period, used to decide how money will be spent or saved"),
    ("an atom", "the smallest unit of a chemical element, made of a nucleus of protons and neutrons surrounded by electrons"),
    ("a haiku", "a short poem of three lines, traditionally with five, seven and five syllables"),
    ("supply and demand", "the economic idea that prices settle where the amount sellers offer matches the amount buyers want"),
    ("a spreadsheet", "a program that arranges data in rows and columns of cells and can calculate with formulas"),
    ("erosion", "the gradual wearing away of rock and soil by water, wind or ice"),
    ("a vaccine", "a preparation that trains the immune system to recognise a germ, so the body can fight it off more easily later"),
    ("an encyclopedia", "a reference work with articles that summarise knowledge on many subjects, usually arranged alphabetically"),
    ("the water cycle", "the continuous movement of water between oceans, air and land through evaporation, condensation, precipitation and runoff"),
    ("a database", "an organised collection of data stored so that it can be searched, updated and managed efficiently"),
    ("renewable energy", "energy from sources that are naturally replenished, such as sunlight, wind and flowing water"),
    ("a verb", "a word that expresses an action or a state, such as 'run', 'think' or 'be'"),
    ("an average (mean)", "the sum of a set of numbers divided by how many numbers there are"),
    ("friction", "the force that resists two surfaces sliding against each other"),
    ("a password manager", "an application that stores your passwords in an encrypted vault and can generate strong, unique ones"),
    ("a thesis statement", "one or two sentences near the start of an essay that state its main argument"),
    ("biodiversity", "the variety of living things in an area, from genes to species to whole ecosystems"),
]

_DEFINE_PROMPTS = [
    "What is {term}?",
    "Define {term}.",
    "Can you explain what {term} means?",
    "In simple words, what is {term}?",
    "Give me a one-sentence definition of {term}.",
    "I keep hearing about {term}. What does it mean?",
]

_DEFINE_RESPONSES = [
    "{Term} is {definition}.",
    "Put simply, {term} is {definition}.",
    "{Term} means {definition}.",
    "In short: {term} is {definition}.",
]

_HOWTO = [
    ("boil an egg", ["Place the egg in a pot and cover it with cold water.", "Bring the water to a boil.", "Lower the heat and simmer for 7 to 9 minutes for a firm yolk.", "Cool the egg in cold water before peeling."]),
    ("write a cover letter", ["Address it to a named person if you can.", "Open with the role you are applying for and why it interests you.", "Give two or three concrete examples of relevant experience.", "Close by thanking the reader and inviting a conversation."]),
    ("make a simple budget", ["Add up your monthly income after tax.", "List fixed costs such as rent and bills.", "Estimate variable costs like food and transport.", "Set aside an amount for savings and adjust until income covers everything."]),
    ("change a flat bicycle tyre", ["Remove the wheel and let out any remaining air.", "Lever one side of the tyre off the rim and pull out the tube.", "Find and patch the hole, or use a new tube.", "Refit the tube and tyre, then inflate to the pressure printed on the tyre."]),
    ("start learning a new language", ["Learn the most common few hundred words first.", "Practise a little every day rather than a lot once a week.", "Listen to simple podcasts or videos in the language.", "Speak with others as early as you can, even with mistakes."]),
    ("prepare for a job interview", ["Research the organisation and the role.", "Prepare short stories that show your skills.", "Practise answers to common questions out loud.", "Prepare a few questions of your own to ask."]),
    ("back up the files on a computer", ["Decide which folders matter most.", "Copy them to an external drive or a cloud service.", "Automate the backup so it runs regularly.", "Test restoring a file now and then to be sure the backup works."]),
    ("plant a tomato seedling", ["Choose a sunny spot with well-drained soil.", "Dig a hole deeper than the pot and set the seedling in it.", "Fill the hole and water well.", "Add a stake for support and water regularly at the base."]),
    ("give constructive feedback", ["Pick a private, calm moment.", "Describe the specific behaviour, not the person.", "Explain its effect and suggest an improvement.", "Listen to the other person's view and agree on next steps."]),
    ("make a cup of tea", ["Boil fresh water.", "Put a tea bag or loose leaves in a cup or pot.", "Pour the water over and steep for three to five minutes.", "Remove the tea and add milk, lemon or honey if you like."]),
    ("organise a small meeting", ["Decide the purpose and who needs to attend.", "Pick a time that suits the key people and send an invitation.", "Share a short agenda in advance.", "Take notes and send a summary with action points afterwards."]),
    ("improve sleep habits", ["Go to bed and wake up at the same times each day.", "Avoid caffeine late in the day.", "Keep the bedroom dark, quiet and cool.", "Put screens away half an hour before bed."]),
    ("write a clear email", ["Use a subject line that states the topic.", "Put the main request in the first two sentences.", "Keep paragraphs short.", "End with what you need and by when."]),
    ("study for an exam", ["Make a schedule that covers every topic.", "Test yourself instead of only rereading.", "Space your sessions over several days.", "Sleep well the night before."]),
    ("clean a laptop keyboard", ["Shut down the laptop and unplug it.", "Turn it upside down and tap out loose crumbs.", "Use compressed air between the keys.", "Wipe the keys with a cloth slightly dampened with isopropyl alcohol."]),
    ("read a nutrition label", ["Check the serving size first.", "Look at the calories per serving.", "Compare sugar, salt and saturated fat with the daily values.", "Read the ingredient list, which is ordered by weight."]),
    ("create a strong password", ["Use at least twelve characters.", "Combine several unrelated words, or use a generator.", "Never reuse it on another site.", "Store it in a password manager."]),
    ("make a to-do list that works", ["Write down every task you can think of.", "Mark the two or three that matter most today.", "Break large tasks into small steps.", "Review and update the list each evening."]),
]

_HOWTO_PROMPTS = [
    "How do I {task}?",
    "What are the steps to {task}?",
    "Can you tell me how to {task}?",
    "Explain briefly how to {task}.",
    "I have never done this before: how should I {task}?",
]

_HOWTO_OPENERS = [
    "Here is a simple way to {task}:",
    "To {task}, follow these steps:",
    "Sure. To {task}:",
    "A straightforward approach:",
]

_PASSAGES = [
    ("The town council met on Tuesday to discuss the new bus routes. After a long debate, members voted to add two routes serving the eastern neighbourhoods, starting next spring. The cost will be covered by a regional transport grant.",
     "The council approved two new bus routes for the eastern neighbourhoods from next spring, paid for by a regional grant."),
    ("Honeybees communicate the location of flowers through a movement called the waggle dance. The angle of the dance shows the direction relative to the sun, and its length shows the distance. Other bees follow the dancer to learn where to fly.",
     "Honeybees use the waggle dance to tell other bees the direction and distance of flowers."),
    ("Regular physical activity lowers the risk of heart disease, improves mood and helps with sleep. Health guidelines suggest about 150 minutes of moderate exercise each week, such as brisk walking, spread over several days.",
     "Regular exercise, about 150 minutes a week, benefits the heart, mood and sleep."),
    ("The library will close for renovation from June to August. During this time, books can be borrowed from the temporary branch in the community centre, and online services will remain available.",
     "The library closes for renovation from June to August; a temporary branch and online services stay open."),
    ("Volcanoes form where molten rock from inside the Earth reaches the surface. Many are found along the edges of tectonic plates, especially around the Pacific Ocean, an area known as the Ring of Fire.",
     "Volcanoes form where molten rock reaches the surface, often at plate edges such as the Pacific's Ring of Fire."),
    ("Our team finished the project two weeks early. Testing found only minor issues, which were fixed before release. Customer feedback in the first month has been positive, especially about the new search feature.",
     "The project finished early with only minor fixed issues, and customers like the new search feature."),
    ("Composting turns food scraps and garden waste into rich soil. It needs a mix of green material such as vegetable peels, brown material such as dry leaves, some moisture and occasional turning to let air in.",
     "Composting turns green and brown waste into soil with moisture and regular turning."),
    ("The museum's new exhibition shows tools used by farmers over the last three centuries. Visitors can try replica tools, and guided tours run every afternoon. Entry is free for children under twelve.",
     "A new museum exhibition of farming tools offers hands-on replicas and daily tours, free for under-twelves."),
    ("Drinking enough water helps the body control temperature, move nutrients and remove waste. Needs vary with climate and activity, so a useful sign is pale yellow urine and rarely feeling thirsty.",
     "Water supports key body functions; needs vary, and pale urine is a good sign of enough intake."),
    ("The software update adds dark mode, fixes a bug that caused crashes when printing, and improves battery life on older laptops. It installs automatically overnight unless users postpone it.",
     "The update brings dark mode, fixes a printing crash and improves battery life, installing automatically overnight."),
    ("Sea turtles return to the beaches where they hatched to lay their own eggs. Artificial lights near beaches can confuse hatchlings, which use the brightness of the sea horizon to find the water.",
     "Sea turtles nest where they hatched, and beach lighting can misdirect hatchlings heading to sea."),
    ("The school introduced a reading hour every Friday. Teachers report that students now borrow more books, and a survey shows most pupils enjoy choosing what they read.",
     "A weekly reading hour led students to borrow more books, and most enjoy choosing their own."),
]

_SUMMARY_PROMPTS = [
    "Summarise this in one sentence:\n{text}",
    "Give a short summary of the following text.\n\n{text}",
    "TL;DR please:\n{text}",
    "What is the main point of this paragraph?\n{text}",
]

_REWRITES = [
    ("formal", "hey, can u send me the report asap? thx", "Hello, could you please send me the report as soon as possible? Thank you."),
    ("formal", "sorry i missed the meeting, my bus was super late", "I apologise for missing the meeting; my bus was significantly delayed."),
    ("formal", "the new printer is rubbish, it jams all the time", "The new printer is unreliable, as it jams frequently."),
    ("formal", "we gotta finish this by friday or we're toast", "We need to complete this by Friday to avoid serious problems."),
    ("simpler", "The committee has elected to postpone the deliberations until a subsequent date.", "The committee decided to hold the discussion later."),
    ("simpler", "Utilise the aforementioned methodology to ascertain the result.", "Use the method described above to find the result."),
    ("simpler", "Precipitation is anticipated throughout the duration of the afternoon.", "Rain is expected all afternoon."),
    ("simpler", "Individuals are requested to refrain from consuming food within the facility.", "Please do not eat inside the building."),
    ("active voice", "The cake was eaten by the children.", "The children ate the cake."),
    ("active voice", "The decision was made by the board last week.", "The board made the decision last week."),
    ("active voice", "The window was broken by a stray football.", "A stray football broke the window."),
    ("friendlier", "Your request has been denied.", "Unfortunately we can't approve your request this time, but we're happy to help you find another option."),
    ("friendlier", "Submit the form by Monday.", "Could you send us the form by Monday? Thanks so much!"),
    ("shorter", "At this point in time, we are not in a position to make a decision regarding the matter.", "We can't decide yet."),
    ("shorter", "In the event that it rains, the picnic will be moved to an indoor location.", "If it rains, the picnic moves indoors."),
]

_REWRITE_PROMPTS = [
    "Rewrite this in a {style} way: \"{text}\"",
    "Make this sentence {style_adj}: {text}",
    "Could you rephrase the following so it is {style_adj}?\n{text}",
]

_STYLE_ADJ = {
    "formal": "more formal",
    "simpler": "simpler",
    "active voice": "in the active voice",
    "friendlier": "friendlier",
    "shorter": "shorter",
}

_CAPITALS = [
    ("France", "Paris"), ("Japan", "Tokyo"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"), ("Australia", "Canberra"),
    ("Brazil", "Brasília"), ("Egypt", "Cairo"), ("India", "New Delhi"), ("Mexico", "Mexico City"), ("Norway", "Oslo"),
    ("Peru", "Lima"), ("Italy", "Rome"), ("Germany", "Berlin"), ("Spain", "Madrid"), ("Ghana", "Accra"),
    ("Argentina", "Buenos Aires"), ("South Korea", "Seoul"), ("Portugal", "Lisbon"), ("Vietnam", "Hanoi"),
    ("Morocco", "Rabat"), ("Turkey", "Ankara"), ("New Zealand", "Wellington"), ("Poland", "Warsaw"), ("Chile", "Santiago"),
]

_CAPITAL_PROMPTS = [
    "What is the capital of {country}?",
    "Which city is the capital of {country}?",
    "Name the capital city of {country}.",
    "Quick question: {country}'s capital?",
]

_CAPITAL_RESPONSES = [
    "The capital of {country} is {capital}.",
    "{capital} is the capital of {country}.",
    "It's {capital}.",
]

_ANTONYMS = [
    ("generous", "stingy"), ("ancient", "modern"), ("brave", "cowardly"), ("expand", "contract"), ("victory", "defeat"),
    ("transparent", "opaque"), ("scarce", "plentiful"), ("arrive", "depart"), ("fragile", "sturdy"), ("accept", "refuse"),
    ("increase", "decrease"), ("shallow", "deep"), ("polite", "rude"), ("temporary", "permanent"), ("include", "exclude"),
]

_PLURALS = [
    ("child", "children"), ("mouse", "mice"), ("cactus", "cacti (or cactuses)"), ("analysis", "analyses"),
    ("tooth", "teeth"), ("leaf", "leaves"), ("sheep", "sheep"), ("criterion", "criteria"), ("person", "people"),
    ("knife", "knives"), ("phenomenon", "phenomena"), ("goose", "geese"),
]

_WORDS_FOR_SORT = ["pear", "apple", "mango", "kiwi", "banana", "cherry", "grape", "lemon", "plum", "fig", "melon", "orange"]


def _gen_arithmetic(rng: random.Random) -> Row:
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    op = rng.choice(["plus", "minus", "times", "divided"])
    if op == "divided":
        b = rng.randint(2, 12)
        a = b * rng.randint(2, 30)
        value, sym = a // b, "/"
    else:
        sym = _NUMBER_WORDS[op]
        value = a + b if op == "plus" else a - b if op == "minus" else a * b
    word = "divided by" if op == "divided" else op
    prompt = rng.choice([
        f"What is {a} {word} {b}?",
        f"Calculate {a} {sym} {b}.",
        f"Can you work out {a} {sym} {b} for me?",
        f"{a} {sym} {b} = ?",
        f"Quick maths: what do you get for {a} {word} {b}?",
    ])
    response = rng.choice([
        f"{a} {sym} {b} = {value}.",
        f"The answer is {value}.",
        f"{a} {word} {b} equals {value}.",
        f"That comes to {value}.",
    ])
    return "arithmetic", prompt, response


def _gen_percent(rng: random.Random) -> Row:
    pct = rng.choice([5, 10, 12, 15, 20, 25, 30, 40, 50, 75])
    base = rng.choice([20, 40, 60, 80, 120, 150, 200, 240, 360, 400, 500, 640, 800])
    value = pct * base / 100
    shown = f"{value:g}"
    prompt = rng.choice([
        f"What is {pct}% of {base}?",
        f"Work out {pct} percent of {base}.",
        f"A jacket costs {base} dollars and is {pct}% off. How much is the discount?",
        f"If I save {pct}% of {base} euros, how much do I save?",
    ])
    response = rng.choice([
        f"{pct}% of {base} is {shown}, because {base} x {pct} / 100 = {shown}.",
        f"Multiply {base} by {pct}/100: the result is {shown}.",
        f"It is {shown}.",
    ])
    return "percentages", prompt, response


def _gen_conversion(rng: random.Random) -> Row:
    kind = rng.choice(["km", "c", "kg", "min"])
    if kind == "km":
        km = rng.choice([3, 5, 8, 10, 15, 21, 42, 50, 100])
        miles = round(km * 0.621371, 1)
        prompt = rng.choice([f"How many miles is {km} km?", f"Convert {km} kilometres to miles.", f"{km} kilometers in miles?"])
        response = f"{km} km is about {miles:g} miles (1 km is roughly 0.621 miles)."
    elif kind == "c":
        c = rng.choice([-10, 0, 5, 12, 18, 20, 25, 30, 37, 100])
        f = c * 9 / 5 + 32
        prompt = rng.choice([f"What is {c} degrees Celsius in Fahrenheit?", f"Convert {c}°C to °F.", f"If it is {c}°C outside, what is that in Fahrenheit?"])
        response = f"{c}°C is {f:g}°F. Multiply by 9/5 and add 32: {c} x 9/5 + 32 = {f:g}."
    elif kind == "kg":
        kg = rng.choice([1, 2, 5, 10, 20, 50, 70])
        lb = round(kg * 2.20462, 1)
        prompt = rng.choice([f"How many pounds are in {kg} kg?", f"Convert {kg} kilograms to pounds."])
        response = f"{kg} kg is about {lb:g} pounds (1 kg is roughly 2.205 lb)."
    else:
        minutes = rng.choice([90, 135, 200, 250, 375, 480])
        h, m = divmod(minutes, 60)
        prompt = rng.choice([f"How many hours and minutes is {minutes} minutes?", f"Express {minutes} minutes in hours and minutes."])
        response = f"{minutes} minutes is {h} hours and {m} minutes."
    return "conversion", prompt, response


def _gen_definition(rng: random.Random) -> Row:
    term, definition = rng.choice(_DEFINITIONS)
    prompt = rng.choice(_DEFINE_PROMPTS).format(term=term)
    template = rng.choice(_DEFINE_RESPONSES)
    response = template.format(term=term, Term=term[0].upper() + term[1:], definition=definition)
    return "definition", prompt, response


def _gen_howto(rng: random.Random) -> Row:
    task, steps = rng.choice(_HOWTO)
    prompt = rng.choice(_HOWTO_PROMPTS).format(task=task)
    opener = rng.choice(_HOWTO_OPENERS).format(task=task)
    lines = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, start=1))
    return "how-to", prompt, f"{opener}\n{lines}"


def _gen_summary(rng: random.Random) -> Row:
    text, summary = rng.choice(_PASSAGES)
    return "summary", rng.choice(_SUMMARY_PROMPTS).format(text=text), summary


def _gen_rewrite(rng: random.Random) -> Row:
    style, text, rewritten = rng.choice(_REWRITES)
    template = rng.choice(_REWRITE_PROMPTS)
    prompt = template.format(style=style if style != "active voice" else "active-voice", style_adj=_STYLE_ADJ[style], text=text)
    response = rng.choice([rewritten, f"Here is a version: {rewritten}", f"Rewritten: \"{rewritten}\""])
    return "rewriting", prompt, response


def _gen_capital(rng: random.Random) -> Row:
    country, capital = rng.choice(_CAPITALS)
    prompt = rng.choice(_CAPITAL_PROMPTS).format(country=country)
    return "facts", prompt, rng.choice(_CAPITAL_RESPONSES).format(country=country, capital=capital)


def _gen_words(rng: random.Random) -> Row:
    kind = rng.choice(["antonym", "plural", "sort", "count", "reverse"])
    if kind == "antonym":
        word, opposite = rng.choice(_ANTONYMS)
        prompt = rng.choice([f"What is the opposite of '{word}'?", f"Give an antonym for {word}.", f"Antonym of \"{word}\"?"])
        response = rng.choice([f"The opposite of '{word}' is '{opposite}'.", f"An antonym of {word} is {opposite}."])
    elif kind == "plural":
        word, plural = rng.choice(_PLURALS)
        prompt = rng.choice([f"What is the plural of '{word}'?", f"How do you write more than one {word}?"])
        response = f"The plural of '{word}' is '{plural}'."
    elif kind == "sort":
        words = rng.sample(_WORDS_FOR_SORT, rng.randint(4, 6))
        prompt = rng.choice(["Sort these words alphabetically: ", "Put these in alphabetical order: "]) + ", ".join(words)
        response = "In alphabetical order: " + ", ".join(sorted(words)) + "."
    elif kind == "count":
        words = rng.sample(_WORDS_FOR_SORT, rng.randint(3, 8))
        sentence = "I bought " + ", ".join(words[:-1]) + " and " + words[-1] + " at the market"
        n = len(sentence.split())
        prompt = rng.choice([f"How many words are in this sentence: \"{sentence}\"?", f"Count the words: {sentence}"])
        response = f"The sentence has {n} words."
    else:
        nums = [rng.randint(1, 99) for _ in range(rng.randint(4, 7))]
        prompt = rng.choice(["Sort these numbers from smallest to largest: ", "Order ascending: "]) + ", ".join(map(str, nums))
        response = "From smallest to largest: " + ", ".join(map(str, sorted(nums))) + "."
    return "word and list tasks", prompt, response


_GENERAL_FAMILIES: list[Family] = [
    _gen_arithmetic, _gen_percent, _gen_conversion, _gen_definition, _gen_howto,
    _gen_summary, _gen_rewrite, _gen_capital, _gen_words,
]

