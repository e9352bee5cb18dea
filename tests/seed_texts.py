"""The seed articles' bodies, exactly as the importer stores them, for the text-rule tests."""

from functools import cache
from pathlib import Path

from stories.text.importing import read_article

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SEED_000 = "000_5fbdc9d36ea42218.txt"  # EW: the "tense exchange" report
SEED_001 = "001_4af5f67e3a3e7ebc.txt"  # "An Unlikely Encounter", with headings
SEED_002 = "002_cc828ae233cc8540.txt"  # the ET quotes
SEED_NAMES = [SEED_000, SEED_001, SEED_002]


@cache
def seed_body(name: str) -> str:
    """The body exactly as the importer stores it (headline and byline removed)."""
    return read_article(SEEDS / name).body


def all_seed_bodies() -> list[str]:
    return [seed_body(name) for name in SEED_NAMES]
