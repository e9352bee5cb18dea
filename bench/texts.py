"""Generated article texts, without Django: what the import benchmark feeds the importer."""

from .derivation import Generator


def article_text(generator, key):
    """(headline, body, byline) of one generated article."""
    sentences = generator.sentences(generator.rng.randint(18, 30))
    body = generator.body(sentences)
    headline = " ".join(sentences[0].split()[:9]).rstrip(".,") + f" ({key})"
    return headline, body, generator.rng.choice(generator.names)


def write_text_files(folder, count, seed=11):
    """``count`` importable text files (headline, blank line, body, byline) in ``folder``."""
    generator = Generator(seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    for key in range(count):
        headline, body, byline = article_text(generator, key)
        text = f"{headline}\n\n{body}\n\nWritten by {byline}\n"
        (folder / f"article-{key:05d}.txt").write_text(text, encoding="utf-8")
