"""Benchmark re-anchoring: 1,000 passages of a 1 MB article followed into a new version.

Pure text, no database and no Django:

    .venv/bin/python bench/reanchoring.py

The article is made of random sentences (seeded, so every run is the same) with a few phrases
that recur across sentences, as "the company said" does in real copy. Three new versions are
timed: the same text, one paragraph inserted at the top (the common correction), and a heavy
revision: paragraphs inserted and moved, typos fixed inside cited quotes, cited sentences
deleted and cited quotes re-spaced. "First run" includes compiling each quote's pattern,
"again" (a median) finds them cached. The test suite bounds the work by counting
comparisons; wall-clock figures live here.
"""

import random
import statistics
import sys
import time
import timeit
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stories.text.anchoring import make_anchor  # noqa: E402
from stories.text.reanchoring import BodyChange  # noqa: E402
from stories.text.words import word_set  # noqa: E402

SIZE = 1_000_000
PASSAGES = 1_000
REPEAT = 3
WORDS = sorted(
    word_set(
        "harbour council budget river school mayor bridge report police station market winter "
        "summer library museum judge ruling appeal figures shares office tower street garden "
        "concert season league coach players fans ticket prices workers union strike hospital "
        "doctors patients nurses election voters minister deputy village county railway airport "
        "festival theatre editor reporter court jury witness factory farmers harvest weather"
    )
)
PHRASES = ["the company said", "according to officials", "on Tuesday", "the mayor added"]


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words)), rng.choice(PHRASES))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def article(rng):
    """Paragraphs as lists of sentences, about SIZE characters in all."""
    paragraphs, size = [], 0
    while size < SIZE:
        paragraph = [sentence(rng) for _ in range(rng.randint(3, 6))]
        paragraphs.append(paragraph)
        size += sum(len(s) + 1 for s in paragraph) + 1
    return paragraphs


def render(paragraphs):
    return "\n\n".join(" ".join(p) for p in paragraphs)


def passages(rng, paragraphs, body):
    """PASSAGES distinct passages: whole sentences, word spans and recurring phrases."""
    offsets, position = [], 0
    for p, paragraph in enumerate(paragraphs):
        for s, text in enumerate(paragraph):
            offsets.append((p, s, position))
            position += len(text) + 1
        position += 1
    chosen = rng.sample(offsets, PASSAGES)
    result = []
    for p, s, at in chosen:
        text = paragraphs[p][s]
        phrase = next((ph for ph in PHRASES if ph in text), None)
        kind = rng.random()
        if phrase and kind < 0.3:
            start = at + text.index(phrase)
            end = start + len(phrase)
        elif kind < 0.6:
            start, end = at, at + len(text)
        else:
            words = text.split(" ")
            first = rng.randint(0, len(words) - 3)
            last = rng.randint(first + 1, min(len(words) - 1, first + 8))
            start = at + len(" ".join(words[:first])) + (first > 0)
            end = start + len(" ".join(words[first : last + 1]))
        assert body[start:end].strip() == body[start:end]
        result.append(((p, s), make_anchor(body, start, end)))
    return result


def revised(rng, paragraphs, cited):
    """A heavy revision; returns (old paragraphs with typos, new paragraphs)."""
    old = [list(p) for p in paragraphs]
    new = [list(p) for p in paragraphs]
    keys = rng.sample(cited, 200)
    for p, s in keys[:100]:  # typos in the old version, fixed in the new one
        text = old[p][s]
        at = rng.randrange(len(text) - 1)
        if text[at].isalpha() and text[at + 1].isalpha():
            old[p][s] = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    for p, s in keys[100:150]:  # cited quotes re-spaced
        new[p][s] = new[p][s].replace(" ", "\n", 1)
    for p, s in keys[150:]:  # cited sentences deleted
        new[p][s] = None
    new = [[s for s in p if s is not None] for p in new]
    for _ in range(20):  # paragraphs moved
        new.insert(rng.randrange(len(new)), new.pop(rng.randrange(len(new))))
    for _ in range(50):  # paragraphs inserted
        new.insert(rng.randrange(len(new)), [sentence(rng) for _ in range(3)])
    return old, [p for p in new if p]


def median_ms(function):
    return statistics.median(timeit.repeat(function, number=1, repeat=REPEAT)) * 1000


def run(name, old_body, new_body, anchors):
    began = time.perf_counter()
    change = BodyChange(old_body, new_body)
    results = change.reanchor_all(anchors)
    cold_ms = (time.perf_counter() - began) * 1000
    states = Counter(r.state for r in results)
    diff_ms = median_ms(lambda: BodyChange(old_body, new_body))
    warm_ms = median_ms(lambda: BodyChange(old_body, new_body).reanchor_all(anchors))
    print(
        f"{name:<22} {len(old_body) / 1e6:.2f} MB -> {len(new_body) / 1e6:.2f} MB  "
        f"diff {diff_ms:6.1f} ms  diff + {len(anchors)} passages: first run {cold_ms:6.1f} ms, "
        f"again {warm_ms:6.1f} ms  comparisons {change.comparisons:5d}  "
        f"{dict(sorted(states.items()))}"
    )


def main():
    rng = random.Random(9)  # noqa: S311 (a reproducible article, not a secret)
    paragraphs = article(rng)
    body = render(paragraphs)
    chosen = passages(rng, paragraphs, body)
    anchors = [anchor for _, anchor in chosen]
    run("unchanged", body, body, anchors)
    run("paragraph at the top", body, "An editor's note.\n\n" + body, anchors)

    old_paragraphs, new_paragraphs = revised(rng, paragraphs, [key for key, _ in chosen])
    old_body = render(old_paragraphs)
    # The same passages, re-cut on the version with the typos (the offsets are unchanged).
    old_anchors = [make_anchor(old_body, a.start, a.end) for a in anchors]
    run("heavy revision", old_body, render(new_paragraphs), old_anchors)


if __name__ == "__main__":
    main()
