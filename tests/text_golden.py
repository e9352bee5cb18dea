"""What the pure text rules answered, article by article, before they were made fast.

Issue #11 asks the suggestion pass and derivative detection to be many times faster without
changing a single answer. This module is the yardstick: it builds a varied corpus (the seeds and
fixtures, the labelled evaluation set with its held-out part, the ingest samples and the
derivation samples, every sizeable string the rules' own tests feed them, and generated bench
articles), runs ``names``, ``quotes`` and ``derivation`` over it, and writes every answer --
people, mentions, descriptions, roles, quotes, speakers, relations with their scores and
passages -- to ``tests/data/text_golden.json.gz``.

That file was generated ONCE from the rules as they were on main at commit e122ce3, before any
speed-up (``python tests/text_golden.py``); ``tests/test_text_speed_equivalence.py`` asserts
that today's rules still give exactly those answers. Regenerate it only for a deliberate change
of behaviour, and say so in the commit. The corpus and the inputs (who is on file, what is
ruled out) are stored in the file with the answers, so a change to the bench's generator or a
fixture cannot silently change what is compared.

Not a test module (pytest collects ``test_*.py`` only), and pure like the rules: no Django.
"""

from __future__ import annotations

import ast
import gzip
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

GOLDEN = Path(__file__).resolve().parent / "data" / "text_golden.json.gz"

# The people on file in the demo story, as ``fixtures/demo_story.json`` files them.
DEMO_DESK = [
    ("Megan Thee Stallion", "Megan", "Meg"),
    ("Justin Timberlake", "Timberlake", "Justin", "JT"),
    ("Joey Fatone", "Fatone"),
    ("Lance Bass",),
    ("JC Chasez",),
    ("Chris Kirkpatrick",),
    ("Taylor Swift", "Swift"),
    ("Cardi B",),
    ("Benicio Del Toro",),
    ("Alicia Silverstone",),
]
# Test modules whose string literals are bodies the rules were written against.
RULE_TESTS = [
    "test_names.py",
    "test_quotes.py",
    "test_people_suggestions.py",
    "test_derivation.py",
    "test_suggestion_accuracy.py",
    "test_quotecompare.py",
    "test_independence.py",
]
BENCH_TEXTS = 100  # bench/texts.py articles, as the import benchmark writes them
BENCH_CORPUS = 100  # bench/derivation.py articles, planted rewrites among them


# --------------------------------------------------------------------------------------------
# The corpus


def corpus() -> list[dict]:
    """Every body to compare on: ``{"name", "body", "published"}``, in a fixed order."""
    from stories.text.importing import read_article

    items: list[dict] = []

    def add(name, body, published=None):
        if body and body.strip() and all(item["body"] != body for item in items[-400:]):
            items.append({"name": name, "body": body, "published": published})

    for folder in ("fixtures/seeds", "tests/data/eval", "tests/data/eval/heldout"):
        for path in sorted((REPO_ROOT / folder).glob("*.txt")):
            add(f"{folder}/{path.name}", read_article(path).body)
    for path in sorted((REPO_ROOT / "tests/data/derivation").glob("*.txt")):
        add(f"tests/data/derivation/{path.name}", path.read_text(encoding="utf-8"))
    for fixture in ("seed_articles.json", "demo_story.json"):
        rows = json.loads((REPO_ROOT / "fixtures" / fixture).read_text(encoding="utf-8"))
        for number, row in enumerate(rows):
            if row["model"] == "stories.article":
                add(f"fixtures/{fixture}#{row.get('pk', number)}", row["fields"]["body"])

    from tests import ingest_samples

    add("ingest_samples.BODY", ingest_samples.BODY)
    add("ingest_samples.BARE", "\n\n".join(ingest_samples.BARE_PARAGRAPHS))
    add("ingest_samples.NINJS", "\n\n".join(ingest_samples.NINJS_PARAGRAPHS))

    for module in RULE_TESTS:
        for number, text in enumerate(_literals(Path(__file__).resolve().parent / module)):
            add(f"{module}#{number}", text)

    from tests.test_suggestion_scaling import many_people

    add("many_people(60)", many_people(60))
    add("many quotes in one paragraph", _many_quotes(400))

    from bench.derivation import Generator
    from bench.texts import article_text

    generator = Generator(seed=11)
    for key in range(BENCH_TEXTS):
        add(f"bench/texts.py#{key}", article_text(generator, key)[1])
    articles, _ = Generator(seed=7).corpus(BENCH_CORPUS)
    for article in articles:
        add(f"bench/derivation.py#{article.key}", article.body, article.published.isoformat())
    return items


def _literals(path: Path) -> list[str]:
    """The string constants of a test module long enough to be a sentence, f-strings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if len(text) >= 25 and " " in text and any(char.isupper() for char in text):
                found.append(text)
    return found


def _many_quotes(count: int) -> str:
    """One paragraph holding ``count`` quotations, attributed and not, in several shapes."""
    names = ["Ada Quist", "Bram Nash", "Cleo Marr", "Dev Orr"]
    parts = []
    for index in range(count):
        name = names[index % len(names)]
        shape = index % 4
        if shape == 0:
            parts.append(f"“We will look at number {index} again,” said {name}.")
        elif shape == 1:
            parts.append(f"{name.split()[1]} told reporters: “The plan for {index} stands.”")
        elif shape == 2:
            parts.append("“It carries on as before for now,” she said.")
        else:
            parts.append("“Nothing more to add on this one.” The mayor left.")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# The inputs each body is read with


def desk_for(body: str, first: dict) -> dict:
    """Who is on file and what is ruled out when the body is read a second time.

    Drawn from what the rules proposed on a first reading with nobody on file (``first``), as
    an editor accepting some of them would: every other new name is filed, with its last word as
    an alias, plus the demo desk; the first thing found is ruled out as not a person, and the
    second proposal is rejected.
    """
    proposals = first["propose_people"]
    known = [[f"demo-{index}", list(names)] for index, names in enumerate(DEMO_DESK)]
    for index, candidate in enumerate(proposals[::2]):
        name = candidate["name"]
        aliases = [name.split()[-1]] if len(name.split()) > 1 else []
        known.append([f"filed-{index}", [name, *aliases]])
    things = [named["name"] for named in first["read_people"] if named["thing"]]
    return {
        "known": known,
        "not_people": things[:1],
        "rejected": [candidate["name"] for candidate in proposals[1:2]],
    }


# --------------------------------------------------------------------------------------------
# The answers, as plain JSON


def _mentions(mentions) -> list:
    return [[mention.start, mention.end, mention.text] for mention in mentions]


def _named(reading) -> list[dict]:
    return [
        {
            "key": named.key,
            "name": named.name,
            "mentions": _mentions(named.mentions),
            "description": named.description,
            "roles": sorted(named.roles),
            "gender": named.gender,
            "thing": named.thing,
        }
        for named in reading.named
    ]


def _candidates(candidates) -> list[dict]:
    return [
        {"name": c.name, "mentions": _mentions(c.mentions), "description": c.description}
        for c in candidates
    ]


def _matches(matches) -> list[dict]:
    return [
        {"key": m.key, "mentions": _mentions(m.mentions), "description": m.description}
        for m in matches
    ]


def _quotes(found) -> list[list]:
    return [
        [
            quote.start,
            quote.end,
            quote.text,
            quote.speaker,
            quote.speaker_start,
            quote.speaker_end,
            str(quote.speaker_kind),
            quote.said_by,
            str(quote.said_by_kind),
            quote.said_by_key,
            str(quote.resolution),
        ]
        for quote in found
    ]


def first_reading(body: str) -> dict:
    """The rules with nobody on file, as the first import of an article runs them."""
    from stories.text import names, quotes

    reading = names.read_people(body)
    return {
        "read_people": _named(reading),
        "propose_people": _candidates(names.propose_people(body)),
        "find_quotes": _quotes(quotes.find_quotes(body)),
        "find_quotes_min_1": _quotes(quotes.find_quotes(body, min_words=1)),
    }


def second_reading(body: str, desk: dict) -> dict:
    """The rules with people on file, names ruled out and a proposal rejected."""
    from stories.text import names, quotes

    known = [names.KnownPerson(key, tuple(aliases)) for key, aliases in desk["known"]]
    known_names = [name for _, aliases in desk["known"] for name in aliases]
    reading = names.read_people(body, known=known, not_people=desk["not_people"])
    return {
        "read_people": _named(reading),
        "known_people": _matches(reading.known_people()),
        "new_names": _candidates(
            reading.new_names(known_names=known_names, rejected=desk["rejected"])
        ),
        "find_known_people": _matches(names.find_known_people(body, known)),
        "propose_people": _candidates(
            names.propose_people(
                body,
                known_names=known_names,
                rejected=desk["rejected"],
                not_people=desk["not_people"],
            )
        ),
        "find_quotes": _quotes(quotes.find_quotes(body, known=known)),
        "find_quotes_people": _quotes(quotes.find_quotes(body, people=reading)),
    }


def analysis(body: str) -> dict:
    """What the derivation detector keeps of a body: its words and where no shingle runs."""
    from stories.text.derivation import _analyse

    text = _analyse(body)
    return {
        "starts": text.starts,
        "ends": text.ends,
        "words": text.words,
        "lower": text.lower,
        "gaps": [index for index, shingle in enumerate(text.shingles) if shingle is None],
        "distinct": len(text.distinct),
    }


def _relations(found) -> list[list]:
    return [
        [
            r.source,
            r.derived,
            r.score,
            r.decided_by,
            [[p.source_start, p.source_end, p.derived_start, p.derived_end] for p in r.shared],
        ]
        for r in found
    ]


def derivations(items: list[dict]) -> dict:
    """Every relation among the corpus, the same with a tiny document-frequency cap (so common
    shingles matter), and the second half queried one at a time against the first."""
    from datetime import date

    from stories.text.derivation import ArticleText, DerivationIndex, find_derivatives

    articles = [
        ArticleText(
            number,
            item["body"],
            date.fromisoformat(item["published"]) if item["published"] else None,
        )
        for number, item in enumerate(items)
    ]
    half = len(articles) // 2
    index = DerivationIndex(articles[:half])
    queries = {}
    for article in articles[half:]:
        found = index.query(article)
        if found:
            queries[str(article.key)] = _relations(found)
    small = DerivationIndex(articles[:half], max_document_frequency=3)
    return {
        "relations": _relations(find_derivatives(articles)),
        "relations_df_3": _relations(find_derivatives(articles, max_document_frequency=3)),
        "relations_df_1": _relations(find_derivatives(articles, max_document_frequency=1)),
        "queries": queries,
        "queries_df_3": {
            str(article.key): _relations(small.query(article)) for article in articles[half:]
        },
        "stats": list(DerivationIndex(articles).stats().__dict__.values()),
    }


# --------------------------------------------------------------------------------------------


def answers(items: list[dict]) -> dict:
    """Every answer for ``items`` (each with its ``desk``), in the golden file's shape."""
    per_body = []
    for item in items:
        body = item["body"]
        per_body.append(
            {
                "first": first_reading(body),
                "second": second_reading(body, item["desk"]),
                "analysis": analysis(body),
            }
        )
    return {"bodies": per_body, "derivation": derivations(items)}


def load() -> dict:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as file:
        return json.load(file)


def main() -> None:
    items = corpus()
    for item in items:
        item["desk"] = desk_for(item["body"], first_reading(item["body"]))
    golden = {"corpus": items, **answers(items)}
    text = json.dumps(golden, ensure_ascii=False, separators=(",", ":"))
    # No time in the gzip header: the same answers give the same bytes.
    GOLDEN.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(items)} bodies, {len(text):,} characters of JSON -> {GOLDEN}")


if __name__ == "__main__":
    main()
