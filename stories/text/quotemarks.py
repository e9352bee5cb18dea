"""Where an article puts words between double quotation marks, and which of those are titles.

Both halves of the suggestions read this: the quote rules (``quotes``) offer the quoted speech
as candidate claims, and the name rules (``names``) skip words inside a quoted title ("Do As
Infinity" is a song, not a person). It sits below both so that neither imports the other's
rules to learn where a quote is.

The rules are those of print:

* Double marks only, curly or straight. Single marks are left alone: they double as
  apostrophes ("we’ve") and mostly nest inside double ones.
* A quotation never runs past its paragraph unless it is continued: a paragraph whose quotation
  is still open at its end goes on in the next paragraph only if that one opens with a mark,
  as quotations of several paragraphs are printed. Any other unclosed mark is a typo, and
  pairing it with a mark paragraphs later would make a quote of the text between.
* A quotation right after a cue such as "the song", "titled" or a name's possessive, or whose
  every word is capitalised, is the title of a work, not speech.

Pure and linear: one pass over each paragraph's quotation marks. Offsets index the body as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import words
from .paragraphs import paragraph_spans

__all__ = ["QuoteSpan", "is_speech", "is_title", "quote_spans", "speech_spans", "title_spans"]

_OPENING = "“"
_CLOSING = "”"
_STRAIGHT = '"'
_MARKS = re.compile('[“”"]')


@dataclass(frozen=True)
class QuoteSpan:
    """The text between a pair of marks: ``body[start:end]``, ``body[open]`` the opening mark.

    ``closed`` is False for the first paragraphs of a quotation running over several: ``end``
    is then the end of its paragraph, and the next span (``continued``) carries on with it.
    """

    open: int
    start: int
    end: int
    closed: bool = True
    continued: bool = False  # this span goes on with the unclosed one before it


def quote_spans(body: str) -> list[QuoteSpan]:
    """Every quotation in body order, paragraph by paragraph."""
    spans: list[QuoteSpan] = []
    pending: QuoteSpan | None = None  # an unclosed quotation at the end of the last paragraph
    for para_start, para_end in paragraph_spans(body):
        continues = pending is not None and body[para_start] in (_OPENING, _STRAIGHT)
        if continues:
            spans.append(pending)
        pending = None
        opened = None
        first_here = False
        for mark in _MARKS.finditer(body, para_start, para_end):
            index, char = mark.start(), mark.group()
            if char == _OPENING or (char == _STRAIGHT and opened is None):
                opened, first_here = index, continues and index == para_start
            elif char in (_CLOSING, _STRAIGHT) and opened is not None:
                if index > opened + 1:
                    spans.append(QuoteSpan(opened, opened + 1, index, continued=first_here))
                opened = None
        if opened is not None and para_end > opened + 1:
            pending = QuoteSpan(opened, opened + 1, para_end, closed=False, continued=first_here)
    return spans


# A quote right after one of these names a work, not speech: the song "Bongos", the single
# "Bongos", set to "Do As Infinity", a film titled "...".
_TITLE_CUE = re.compile(
    r"\b(?:songs?|single|tracks?|album|film|movie|series|book|titled|entitled|called|dubbed"
    r"|set\s+to)\s*,?\s*$",
    re.IGNORECASE,
)
# So does one right after a name's possessive (Rukai Mori’s "Do As Infinity"); checked in code
# so that contractions ("it’s", "She’s") are not taken for possessives.
_POSSESSIVE_BEFORE = re.compile(r"([^\W\d_][\w'’-]*)['’]s\s*$")
# The words titles leave in lowercase ("Portrait of a Woman with a Lute").
_SMALL_WORDS = words.word_set(
    "a an the and but or nor for so yet as at by in of off on per to up via with from into"
)
QUOTE_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def is_title(body: str, quote: QuoteSpan) -> bool:
    """Whether the quotation names a work (a song, a film) rather than reporting speech."""
    window = max(0, quote.open - 40)
    if _TITLE_CUE.search(body, window, quote.open):
        return True
    owner = _POSSESSIVE_BEFORE.search(body, window, quote.open)
    if owner and words.is_capitalised(owner[1]) and not words.among(words.STOPWORDS, owner[1]):
        return True
    # Every word capitalised ("Do As Infinity"): a title, since speech is written in sentence
    # case. One word says too little ("Fine," is speech), so at least two are needed.
    inside = QUOTE_WORD.findall(body, quote.start, quote.end)
    return len(inside) > 1 and all(word[0].isupper() or word in _SMALL_WORDS for word in inside)


def title_spans(body: str) -> list[tuple[int, int]]:
    """Where the body quotes a title (a song, a film) rather than speech: inside the marks.

    Words there are a title's, not a person's, so the name rules skip them.
    """
    return [(quote.start, quote.end) for quote in quote_spans(body) if is_title(body, quote)]


def is_speech(body: str, quote: QuoteSpan, min_words: int = 3) -> bool:
    """Whether the quotation is speech worth offering as a claim: ``min_words`` words or more
    (not a scare-quoted "proper") and not a title.

    The quote rules offer exactly these, and the derivation detector masks exactly these, so
    both ask here; neither needs to know who speaks to know what is quoted.
    """
    return len(QUOTE_WORD.findall(body, quote.start, quote.end)) >= min_words and not is_title(
        body, quote
    )


def speech_spans(body: str, min_words: int = 3) -> list[QuoteSpan]:
    """Every quotation of speech (:func:`is_speech`) in body order."""
    return [quote for quote in quote_spans(body) if is_speech(body, quote, min_words)]
