"""Benchmark the derivative detector at 1,000 and 10,000 articles.

The target (issue #7's performance line): finding every relation among 10,000 articles takes
at most 12 times as long as among 1,000, which no all-pairs comparison can meet. The detector
is pure, so this needs no database:

    .venv/bin/python bench/derivation.py

Each corpus is generated word salad: sentences drawn from a Zipf-distributed vocabulary of
invented words, with names, quoted speech and, in a third of the articles, one of a few
boilerplate lines (a newsletter plug, an agency tagline) that the document-frequency cap must
discard. About 2% of the articles are planted rewrites of an earlier one, copying whole
sentences (of fourteen words or more) until a quarter of its words are copied, among their own,
as a wire rewrite does; the benchmark checks that exactly those pairs are found.

Timings are the best of repeated runs (fewer at 10,000), in CPU seconds of this process, since
the machine may be shared: neighbours only ever add time, to wall time most of all, which is
shown beside it. Generating the corpus is not timed.
"""

import bisect
import itertools
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stories.text.derivation import ArticleText, DerivationIndex  # noqa: E402

SIZES = (1_000, 10_000)
REWRITE_SHARE = 0.02
BOILERPLATE_SHARE = 1 / 3
QUERIES = 200  # new articles queried one at a time against the larger index
BOILERPLATE = [
    "Sign up for our morning newsletter to get the best of the day's news delivered straight"
    " to your inbox.",
    "This story was produced by the Coastal Press Agency and is published here under licence"
    " from its members.",
    "Do you have a story we should hear about? Write to the newsdesk; we read every letter.",
]


class Generator:
    """Reproducible articles of invented words, and rewrites copying some of their sentences."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 -- reproducible filler, not a secret
        syllables = [a + b for a in "bcdfghklmnprstvwz" for b in "aeiouy"]
        words = {
            "".join(self.rng.choices(syllables, k=self.rng.randint(1, 4))) for _ in range(40_000)
        }
        self.vocabulary = sorted(words)
        self.rng.shuffle(self.vocabulary)
        # Zipf: the word of rank r is drawn with weight 1/r, as in natural text.
        self.cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
        self.names = [
            " ".join(self.rng.choice(self.vocabulary).capitalize() for _ in range(2))
            for _ in range(2_000)
        ]

    def word(self) -> str:
        return self.vocabulary[
            bisect.bisect(self.cumulative, self.rng.random() * self.cumulative[-1])
        ]

    def sentence(self) -> str:
        words = [self.word() for _ in range(self.rng.randint(8, 24))]
        if self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(self.names))
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        if self.rng.random() < 0.1:
            return f"“{text},” said {self.rng.choice(self.names)}."
        return text + "."

    def sentences(self, count: int) -> list[str]:
        return [self.sentence() for _ in range(count)]

    def copied(self, sentences: list[str]) -> list[str]:
        """Whole sentences of the source, long enough to count, until a quarter of its words."""
        candidates = [s for s in sentences if not s.startswith("“") and len(s.split()) >= 14]
        self.rng.shuffle(candidates)
        target, copied = sum(len(s.split()) for s in sentences) / 4, []
        for sentence in candidates:
            if target <= 0:
                break
            copied.append(sentence)
            target -= len(sentence.split())
        return copied

    def body(self, sentences: list[str]) -> str:
        paragraphs, rest = [], list(sentences)
        while rest:
            size = self.rng.randint(1, 4)
            paragraphs.append(" ".join(rest[:size]))
            rest = rest[size:]
        if self.rng.random() < BOILERPLATE_SHARE:
            paragraphs.append(self.rng.choice(BOILERPLATE))
        return "\n\n".join(paragraphs)

    def corpus(self, size: int) -> tuple[list[ArticleText], set[tuple[int, int]]]:
        """``size`` articles (about 450 words each), the planted (source, derived) pairs."""
        articles: list[ArticleText] = []
        fresh: list[list[str]] = []  # each article's own sentences, never copied ones
        planted: set[tuple[int, int]] = set()
        used: set[int] = set()  # a source is rewritten once, so rewrites never share text
        first_day = date(2023, 1, 1)
        for key in range(size):
            published = first_day + timedelta(days=key // 30)
            own = self.sentences(self.rng.randint(18, 30))
            sentences = list(own)
            source = self.rng.randrange(key) if key else None
            if source is not None and source not in used and self.rng.random() < REWRITE_SHARE:
                used.add(source)
                for sentence in self.copied(fresh[source]):
                    sentences.insert(self.rng.randrange(len(sentences) + 1), sentence)
                planted.add((source, key))
                published = max(published, articles[source].published + timedelta(days=1))
            fresh.append(own)
            articles.append(ArticleText(key, self.body(sentences), published))
        return articles, planted


def timed(function, repeat: int) -> tuple[float, float, object]:
    """The least CPU and wall seconds over ``repeat`` runs, and the last result."""
    cpu, wall, result = [], [], None
    for _ in range(repeat):
        result = None  # so that two indexes are never alive at once
        began_cpu, began_wall = time.process_time(), time.perf_counter()
        result = function()
        cpu.append(time.process_time() - began_cpu)
        wall.append(time.perf_counter() - began_wall)
    return min(cpu), min(wall), result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def find_all(articles: list[ArticleText]) -> tuple[DerivationIndex, list]:
    """What ``find_derivatives`` does, keeping the index to report on it."""
    index = DerivationIndex(articles)
    return index, index.relations()


def main() -> None:
    generator = Generator(seed=7)
    cpu_times, wall_times = {}, {}
    print(
        f"{'articles':>9} {'words':>10} {'planted':>8} {'found':>6} {'extra':>6} "
        f"{'CPU s':>7} {'wall s':>7} {'postings':>10} {'common':>7} {'peak MB':>8}"
    )
    for size in SIZES:
        articles, planted = generator.corpus(size)
        words = sum(len(article.body.split()) for article in articles)
        cpu, wall, (index, relations) = timed(
            lambda articles=articles: find_all(articles), repeat=5 if size < 5_000 else 3
        )
        found = {(relation.source, relation.derived) for relation in relations}
        stats = index.stats()
        cpu_times[size], wall_times[size] = cpu, wall
        print(
            f"{size:>9,} {words:>10,} {len(planted):>8} {len(found & planted):>6} "
            f"{len(found - planted):>6} {cpu:>7.2f} {wall:>7.2f} {stats.postings:>10,} "
            f"{stats.common:>7,} {peak_mb():>8,.0f}"
        )
        if found != planted:
            missed = sorted(planted - found)[:5]
            print(f"  mismatch: missed {missed}, extra {sorted(found - planted)[:5]}")

    small, large = SIZES
    print(
        f"\ntime at {large:,} / time at {small:,}: {cpu_times[large] / cpu_times[small]:.1f} in"
        f" CPU time, {wall_times[large] / wall_times[small]:.1f} in wall time (target: at most 12)"
    )

    # The incremental form: one import at a time, queried against the larger index.
    new, _ = generator.corpus(QUERIES)
    new = [ArticleText(large + article.key, article.body, article.published) for article in new]
    began = time.process_time()
    for article in new:
        index.query(article)
    per_query = (time.process_time() - began) / QUERIES * 1000
    print(f"query one new article against {large:,}: {per_query:.1f} ms CPU (mean of {QUERIES})")


if __name__ == "__main__":
    main()
