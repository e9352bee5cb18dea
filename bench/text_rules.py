"""Per-call cost of the pure text rules an import runs on each article, in milliseconds.

The import's budget (issue #11: at least as fast as ``loaddata``, about 0.35 ms an article)
leaves well under a millisecond for the rules, so each is timed on its own, on the bench's
generated articles (``bench/texts.py``, about 500 words each):

    .venv/bin/python bench/text_rules.py [--articles 100] [--repeat 5]

Each figure is the best of ``--repeat`` runs over the same articles, in CPU time of this
process (neighbours on a shared machine only ever add time). No database.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The repository, not this folder, so that ``bench`` is the package and not bench/bench.py.
sys.path[0] = str(ROOT)

from bench.derivation import Generator  # noqa: E402
from bench.texts import article_text  # noqa: E402
from stories.text import names, quotes  # noqa: E402
from stories.text.derivation import ArticleText, DerivationIndex  # noqa: E402


def best(function, repeat: int) -> float:
    """The least CPU seconds of ``repeat`` calls of ``function``."""
    times = []
    for _ in range(repeat):
        began = time.process_time()
        function()
        times.append(time.process_time() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    count, repeat = options.articles, options.repeat

    generator = Generator(seed=11)
    bodies = [article_text(generator, key)[1] for key in range(count)]
    others = [article_text(generator, count + key)[1] for key in range(count)]
    desk = [
        names.KnownPerson(index, (name, name.split()[-1]))
        for index, name in enumerate(generator.names[:500])
    ]
    readings = [names.read_people(body, known=desk) for body in bodies]
    indexed = [ArticleText(key, body) for key, body in enumerate(bodies)]
    new = [ArticleText(count + key, body) for key, body in enumerate(others)]
    index = DerivationIndex(indexed)

    def add_all():
        fresh = DerivationIndex()
        for article in indexed:
            fresh.add(article)

    rules = {
        "read_people": lambda: [names.read_people(body) for body in bodies],
        "read_people (500 on file)": lambda: [
            names.read_people(body, known=desk) for body in bodies
        ],
        "propose_people": lambda: [names.propose_people(body) for body in bodies],
        "find_known_people (500 on file)": lambda: [
            names.find_known_people(body, desk) for body in bodies
        ],
        "find_quotes": lambda: [quotes.find_quotes(body) for body in bodies],
        "find_quotes (people given)": lambda: [
            quotes.find_quotes(body, people=reading)
            for body, reading in zip(bodies, readings, strict=True)
        ],
        "DerivationIndex.add": add_all,
        f"DerivationIndex.query (index of {count})": lambda: [index.query(a) for a in new],
    }
    print(f"{count} articles of bench/texts.py, best of {repeat}, CPU ms per article")
    for label, function in rules.items():
        print(f"{label:<40} {best(function, repeat) / count * 1000:8.3f}")


if __name__ == "__main__":
    main()
