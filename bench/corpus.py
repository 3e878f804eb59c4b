"""Write N realistic, deterministic event entries: `python bench/corpus.py N DIR [--seed S]`.

Bodies of 80–400 words, 1–4 sources, 1–3 tags, dates in several of the forms
the contract accepts, spread over the years so days, gaps and months all occur.
The same N and seed always give the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

WORDS = (
    "minister talks border troops report statement agency council summit sanctions briefing "
    "officials according said region forces deployment meeting alliance defence foreign security "
    "agreement government spokesperson commander election parliament vote court ruling protest "
    "ceasefire negotiations delegation capital province analysts estimate confirmed denied "
    "announced week earlier later morning evening international public press release"
).split()
TAGS = ("Diplomacy", "Military", "Economy", "Elections", "Courts", "Energy", "Health", "Climate",
        "Technology", "Migration", "Trade", "Security")
PUBLISHERS = ("Reuters", "Associated Press", "BBC News", "The Guardian", "Le Monde", "Yonhap",
              "Kyiv Independent", "Al Jazeera", "NHK World", "Deutsche Welle")
PLACES = ("Brussels", "Washington, D.C.", "Seoul", "Kyiv", "Tokyo", "Berlin", "Paris", "Geneva")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def body(rng: random.Random) -> str:
    target = rng.randint(80, 400)
    paragraphs, count = [], 0
    while count < target:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
        count += len(paragraph.split())
        paragraphs.append(paragraph)
    if rng.random() < 0.3:
        paragraphs.insert(1, "\n".join(f"- {sentence(rng)}" for _ in range(3)))
    return "\n\n".join(paragraphs) + "\n"


def date_text(rng: random.Random, day: date) -> str:
    form = rng.random()
    if form < 0.5:
        return day.isoformat()
    if form < 0.7:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if form < 0.9:
        return f"{day.isoformat()}T{rng.randint(6, 22):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def entry(rng: random.Random, index: int, day: date) -> str:
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
    lines = ["---", f'title: "{title} ({index})"', f"date: {date_text(rng, day)}",
             f"location: {rng.choice(PLACES)}",
             f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]", "sources:"]
    for n in range(rng.randint(1, 4)):
        publisher = rng.choice(PUBLISHERS)
        lines += [f"  - url: https://news.example.org/{day:%Y/%m/%d}/{index}-{n}",
                  f"    publisher: {publisher}",
                  f'    title: "{sentence(rng)[:-1]}"']
    return "\n".join(lines) + "\n---\n" + body(rng)


def write_corpus(count: int, folder: Path, seed: int = 1) -> list[Path]:
    """Write count entries and an _index.md into folder; return the entries' paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_index.md").write_text(
        "---\ntitle: Benchmark timeline\ndescription: Synthetic events for benchmarks.\n"
        "timezone: Europe/Brussels\n---\nA synthetic timeline.\n", encoding="utf-8")
    day = date(2000, 1, 1)
    paths = []
    for index in range(count):
        day += timedelta(days=rng.choice((0, 0, 1, 1, 2, 5)))
        path = folder / f"{day.isoformat()}-event-{index:06d}.md"
        path.write_text(entry(rng, index, day), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_corpus(args.count, args.folder, args.seed)
    print(f"wrote {args.count} entries into {args.folder}")


if __name__ == "__main__":
    main()
