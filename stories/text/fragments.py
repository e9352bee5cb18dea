"""Links that land a reader on the cited words of the publisher's own page.

A citation that only names an article asks the reader to trust the desk. One that also opens
the publisher's page scrolled to, and highlighting, the very words quoted lets them check the
passage where it was first published. Browsers do that for a URL ending in a W3C Text Fragment,
``#:~:text=[prefix-,]start[,end][,-suffix]`` (WICG "scroll-to-text-fragment"). Choices taken
from that spec, so that the links keep working:

* Each term is matched inside one block of the page (a paragraph), so neither the passage's own
  terms nor its context may cross a paragraph break (a blank line, as :mod:`.anchoring` defines
  paragraphs). A passage spanning paragraphs therefore has to be written as a range
  (``start,end``): its first words in the first paragraph, its last words in the last.
* The spec's advice for generated links is an exact match below 300 characters (the URL itself
  then says what was cited even if the page changes) and a range above, so a long quote does not
  make an unwieldy URL. The end of a range is lengthened until it cannot match earlier inside the
  passage (the browser takes the first match after the start); if no short end will do, a
  single paragraph falls back to the exact form, which is always right.
* Context (``prefix-``, ``-suffix``) is a few whole words next to the passage. The spec suggests
  context only when the text is ambiguous on the page, but we never see the page: news pages
  repeat quotes in headlines, pull quotes and captions, so it is always sent when there is any.
  Whitespace is collapsed because the page renders any run of it as one space.
* ``-``, ``&`` and ``,`` are syntax, so inside a term they must be percent-encoded; we encode
  everything outside ALPHA / DIGIT / ``._~`` (UTF-8), which every URL parser leaves alone.
* The URL's own ``#fragment`` is dropped: the spec advises keeping an element id as a fallback
  only when it is known to be the right section, and an article's stored URL says nothing of
  that. The query string is kept: it is part of which page is meant.

Pure: strings in, strings and a frozen dataclass out, no Django, no database.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from .anchoring import paragraph_spans

__all__ = [
    "CONTEXT_WORDS",
    "EXACT_MATCH_LIMIT",
    "TextDirective",
    "text_directive",
    "text_fragment_url",
]

# "Text snippets shorter than 300 characters are encouraged to be encoded using an exact match."
EXACT_MATCH_LIMIT = 300
# Enough words to tell apart the same quote in a headline and in the body, few enough that an
# edit to the page next to the passage rarely breaks the link.
CONTEXT_WORDS = 3
# A range's start and end: as many words as context, the end lengthened up to the maximum while
# it would still match earlier inside the passage.
RANGE_WORDS = 3
MAX_RANGE_WORDS = 10


@dataclass(frozen=True)
class TextDirective:
    """The four terms of a text directive, decoded (plain text, whitespace collapsed)."""

    start: str
    end: str | None = None
    prefix: str | None = None
    suffix: str | None = None

    def fragment(self) -> str:
        """``:~:text=...`` with every term percent-encoded, ready to follow a ``#``."""
        terms = [f"{_encode(self.prefix)}-"] if self.prefix else []
        terms.append(_encode(self.start))
        if self.end:
            terms.append(_encode(self.end))
        if self.suffix:
            terms.append(f"-{_encode(self.suffix)}")
        return ":~:text=" + ",".join(terms)


def text_fragment_url(url: str, body: str, start: int, end: int) -> str:
    """``url`` with its fragment replaced by a Text Fragment for ``body[start:end]``.

    ``body`` is the article's text as the desk stores it; the link is right as long as the
    publisher's page shows the same words. Raises ValueError for a URL that is not http(s) or
    a passage that is out of range or blank.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"url {url!r} is not an http or https address")
    page = url.split("#", 1)[0]
    return f"{page}#{text_directive(body, start, end).fragment()}"


def text_directive(body: str, start: int, end: int) -> TextDirective:
    """The terms that select ``body[start:end]``; surrounding whitespace is not part of it."""
    if not 0 <= start < end <= len(body):
        raise ValueError(f"passage {start}:{end} is outside a body of {len(body)} characters")
    passage = body[start:end]
    if not passage.strip():
        raise ValueError(f"passage {start}:{end} is only whitespace")
    start += len(passage) - len(passage.lstrip())
    end -= len(passage) - len(passage.rstrip())

    paragraphs = paragraph_spans(body)
    starts = [first for first, _ in paragraphs]
    first_start, first_end = paragraphs[bisect_right(starts, start) - 1]
    last_start, last_end = paragraphs[bisect_right(starts, end - 1) - 1]
    prefix = _words_before(body[first_start:start].split())
    suffix = _words_after(body[end:last_end].split())

    text = _collapse(body[start:end])
    one_paragraph = first_start == last_start
    if one_paragraph and len(text) < EXACT_MATCH_LIMIT:
        return TextDirective(text, None, prefix, suffix)

    head = body[start:first_end].split()
    tail = body[last_start:end].split()
    range_start = _words_after(head, RANGE_WORDS)
    # In one paragraph head and tail are the same words, and the end must not reuse the start's.
    room = len(tail) - len(range_start.split()) if one_paragraph else len(tail)
    range_end, unambiguous = _range_end(tail, room, _fold(text), len(_fold(range_start)))
    if one_paragraph and not unambiguous:
        return TextDirective(text, None, prefix, suffix)
    # Across paragraphs there is no exact form to fall back to; an end repeated inside the last
    # paragraph makes the browser stop at its first repeat, which is still the best a range says.
    return TextDirective(range_start, range_end, prefix, suffix)


def _range_end(tail: list[str], room: int, text: str, after_start: int) -> tuple[str, bool]:
    """The shortest end of at least RANGE_WORDS words whose first match after the start (in the
    folded passage ``text``) is the passage's own end, and whether one was found in time."""
    candidate = ""
    for count in range(RANGE_WORDS, MAX_RANGE_WORDS + 1):
        longer = _words_before(tail, count) or ""
        if len(longer.split()) > room or longer == candidate:
            break  # no room left, or no more words to add
        candidate = longer
        needle = _fold(candidate)
        if text.find(needle, after_start) + len(needle) == len(text):
            return candidate, True
    return candidate, False


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _is_word(token: str) -> bool:
    return any(char.isalnum() for char in token)


def _words_before(tokens: list[str], count: int = CONTEXT_WORDS) -> str | None:
    """The last ``count`` words of ``tokens`` with any punctuation between them and the end."""
    taken = 0
    index = len(tokens)
    while index > 0 and taken < count:
        index -= 1
        taken += _is_word(tokens[index])
    return " ".join(tokens[index:]) or None


def _words_after(tokens: list[str], count: int = CONTEXT_WORDS) -> str | None:
    """The first ``count`` words of ``tokens`` with any punctuation between the start and them."""
    taken = 0
    index = 0
    while index < len(tokens) and taken < count:
        taken += _is_word(tokens[index])
        index += 1
    return " ".join(tokens[:index]) or None


def _fold(text: str) -> str:
    """How the browser compares (case and accents ignored), character by character so that the
    fold of a prefix is a prefix of the fold."""
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(part for part in decomposed if not unicodedata.combining(part)).casefold()


def _encode(term: str) -> str:
    # quote() leaves only ALPHA / DIGIT / "-._~" alone; "-" is directive syntax, so it goes too.
    return quote(term, safe="").replace("-", "%2D")
