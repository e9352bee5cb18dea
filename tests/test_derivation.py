"""Unit tests for stories.text.derivation: finding copied articles, without a database.

Most expectations are pinned on articles written for the purpose (``tests/data/derivation/``),
about two invented events: the closure of the Tarrow footbridge in Vellmouth (an original
report, a wire rewrite copying several of its sentences and changing a fact, an opinion piece
contradicting it, a short radio report quoting the same press conference) and a Dunmere library
brief copied whole into a longer feature, plus an unrelated chess report. Which pairs are copies
is labelled below by hand, from how the articles were written, not from the detector's output.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stories.text.derivation import (
    MAX_DOCUMENT_FREQUENCY,
    MIN_PASSAGE_WORDS,
    SHINGLE_WORDS,
    ArticleText,
    DerivationIndex,
    IndexStats,
    TextRelation,
    find_derivatives,
)
from stories.text.importing import read_article

from .seed_facts import NAMED_PEOPLE

DATA = Path(__file__).resolve().parent / "data" / "derivation"
SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"

# When each invented article was published.
PUBLISHED = {
    "tarrow_original": date(2024, 3, 14),
    "tarrow_radio": date(2024, 3, 14),
    "tarrow_wire": date(2024, 3, 15),
    "tarrow_opinion": date(2024, 3, 18),
    "dunmere_chess": date(2024, 3, 20),
    "library_brief": date(2024, 4, 2),
    "library_feature": date(2024, 4, 6),
}

# The only copies among them: (source, derived).
EXPECTED_PAIRS = [("library_brief", "library_feature"), ("tarrow_original", "tarrow_wire")]

# What the wire took verbatim from the original, in the original's order; each sentence ends
# before its full stop, and the two sentences of one paragraph were copied together.
WIRE_COPIED = [
    "Vellmouth's Tarrow footbridge was closed to walkers and cyclists on Wednesday evening after"
    " a routine inspection found corrosion in the steel cables that hold up its deck",
    "The 140-metre bridge, which opened in 1987, carries about 3,000 people a day between the"
    " railway station and the old harbour. Barriers went up at both ends shortly after seven"
    " o'clock, and council staff spent the evening turning back commuters who had not heard the"
    " news",
    "The council said a free shuttle bus would run every fifteen minutes from Friday until the"
    " footbridge reopens",
]

# Normalised words, written independently of the module: what "the same text" means.
_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def words(text: str) -> list[str]:
    return [
        unicodedata.normalize("NFKC", word).casefold().replace("'", "").replace("’", "")
        for word in _WORDS.findall(text)
    ]


@cache
def body(name: str) -> str:
    """A body exactly as the importer stores it (headline and byline removed)."""
    folder = SEEDS if name[:3].isdigit() else DATA
    return read_article(folder / f"{name}.txt").body


def article(name: str, *, dated: bool = True) -> ArticleText:
    return ArticleText(name, body(name), PUBLISHED[name] if dated else None)


def corpus(*, dated: bool = True) -> list[ArticleText]:
    return [article(name, dated=dated) for name in PUBLISHED]


def seeds() -> list[ArticleText]:
    return [ArticleText(path.stem, body(path.stem)) for path in sorted(SEEDS.glob("*.txt"))]


def pairs(relations: list[TextRelation]) -> list[tuple[object, object]]:
    return [(relation.source, relation.derived) for relation in relations]


def relation(relations: list[TextRelation], source: str, derived: str) -> TextRelation:
    (found,) = [r for r in relations if (r.source, r.derived) == (source, derived)]
    return found


def passage_texts(found: TextRelation, source: str, derived: str) -> list[tuple[str, str]]:
    return [
        (source[p.source_start : p.source_end], derived[p.derived_start : p.derived_end])
        for p in found.shared
    ]


def salad(seed: int, count: int) -> str:
    """Sentences of invented words, unlike any other seed's: text that copies nothing."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible filler, not a secret
    sentences = []
    for _ in range(count):
        length = rng.randint(8, 16)
        sentence = " ".join(
            "".join(rng.choice("bcdfgklmnprstv") + rng.choice("aeiou") for _ in range(3))
            for _ in range(length)
        )
        sentences.append(sentence.capitalize() + ".")
    return " ".join(sentences)


# --------------------------------------------------------------------------------------------
# The labelled articles


def test_the_labelled_pairs_are_found_dated_and_nothing_else_pairs():
    found = find_derivatives(corpus())
    assert pairs(found) == EXPECTED_PAIRS
    assert [r.decided_by for r in found] == ["date", "date"]


def test_the_wire_rewrite_shares_exactly_its_copied_sentences():
    found = relation(find_derivatives(corpus()), "tarrow_original", "tarrow_wire")
    texts = passage_texts(found, body("tarrow_original"), body("tarrow_wire"))
    assert texts == [(sentence, sentence) for sentence in WIRE_COPIED]
    # The sentence whose fact the wire changed (four cables became six) is not evidence.
    assert not any("48" in source or "48" in derived for source, derived in texts)
    assert 0.3 < found.score < 0.45, "about a third of the original's own words were copied"


def test_without_dates_the_longer_wire_is_derived_by_containment():
    found = find_derivatives(corpus(dated=False))
    assert pairs(found) == EXPECTED_PAIRS
    assert [r.decided_by for r in found] == ["containment", "containment"]
    wire = relation(found, "tarrow_original", "tarrow_wire")
    assert passage_texts(wire, body("tarrow_original"), body("tarrow_wire")) == [
        (sentence, sentence) for sentence in WIRE_COPIED
    ]


def test_the_publication_date_outranks_containment():
    backdated = ArticleText("tarrow_wire", body("tarrow_wire"), date(2024, 3, 1))
    (found,) = find_derivatives([article("tarrow_original"), backdated])
    assert (found.source, found.derived, found.decided_by) == (
        "tarrow_wire",
        "tarrow_original",
        "date",
    )
    # The passages follow the direction: source offsets now index the wire's body.
    assert passage_texts(found, body("tarrow_wire"), body("tarrow_original")) == [
        (sentence, sentence) for sentence in WIRE_COPIED
    ]


def test_a_short_item_copied_whole_into_a_long_one_is_its_source():
    for dated in (True, False):
        found = relation(find_derivatives(corpus(dated=dated)), "library_brief", "library_feature")
        assert found.decided_by == ("date" if dated else "containment")
        assert found.score == 1.0
        brief = body("library_brief")
        (passage,) = passage_texts(found, brief, body("library_feature"))
        assert passage == (brief.removesuffix("."), brief.removesuffix("."))


def test_reports_quoting_the_same_press_conference_do_not_pair():
    quote = "Nobody will walk across that bridge until I am certain it is safe."
    for name in ("tarrow_original", "tarrow_wire", "tarrow_radio"):
        assert quote in body(name)
    assert find_derivatives([article("tarrow_original"), article("tarrow_radio")]) == []
    assert find_derivatives([article("tarrow_wire"), article("tarrow_radio")]) == []


def test_the_seeds_share_names_and_topic_but_no_pair():
    assert find_derivatives(seeds()) == []
    assert pairs(find_derivatives(seeds() + corpus())) == EXPECTED_PAIRS


# --------------------------------------------------------------------------------------------
# What is not copying


MAYOR = (
    "“We will rebuild the harbour wall before the winter storms, and we will not ask the"
    " families who lost their boats to wait for the insurers to agree among themselves. The"
    " money is there, the engineers are ready, and I have signed the contracts this morning.”"
)


def test_a_long_quotation_of_the_same_speaker_is_not_copying():
    one = ArticleText("one", f"{salad(1, 4)} {MAYOR} said the mayor, Ana Ruiz. {salad(2, 4)}")
    two = ArticleText("two", f"{salad(3, 3)} Ana Ruiz told reporters: {MAYOR} {salad(4, 5)}")
    assert find_derivatives([one, two]) == []
    # Without the quotation marks the same words are the reporters' own, and do pair.
    unquoted = [ArticleText(a.key, a.body.replace("“", "").replace("”", "")) for a in (one, two)]
    assert pairs(find_derivatives(unquoted)) == [("one", "two")]


def test_straight_quotes_are_masked_too():
    straight = MAYOR.replace("“", '"').replace("”", '"')
    one = ArticleText("one", f"{salad(1, 3)} The mayor said: {straight} {salad(2, 3)}")
    two = ArticleText("two", f"{salad(3, 3)} {straight} Ruiz said. {salad(4, 3)}")
    assert find_derivatives([one, two]) == []


def test_a_shared_list_of_names_is_not_copying():
    names = ", ".join(NAMED_PEOPLE[:-1]) + f" and {NAMED_PEOPLE[-1]}"
    assert len(words(names)) > 2 * MIN_PASSAGE_WORDS
    one = ArticleText("one", f"{salad(5, 2)} Guests included {names}. {salad(6, 2)}")
    two = ArticleText("two", f"{salad(7, 2)} Spotted at the party: {names}. {salad(8, 2)}")
    assert find_derivatives([one, two]) == []
    # The same two texts do pair once a sentence of running text is shared as well.
    sentence = (
        "The party ran long past midnight, and the last of the guests were seen leaving by the"
        " kitchen door just before dawn."
    )
    copied = [ArticleText(a.key, f"{a.body} {sentence}") for a in (one, two)]
    assert pairs(find_derivatives(copied)) == [("one", "two")]


def test_a_stock_phrase_is_not_copying():
    stock = "did not immediately respond to a request for comment"
    one = ArticleText("one", f"Tiny note. A spokesman {stock}.")
    two = ArticleText("two", f"Brief. Lawyers for the club {stock}.")
    assert find_derivatives([one, two]) == []


# --------------------------------------------------------------------------------------------
# Boilerplate and the document-frequency cap


NEWSLETTER = (
    "Sign up for our morning newsletter to get the best of the week's local news and sport"
    " delivered straight to your inbox every day."
)


def newsletter_articles(count: int = MAX_DOCUMENT_FREQUENCY + 1) -> list[ArticleText]:
    """Unrelated articles all ending with the newsletter: by default one too many for the cap."""
    return [
        ArticleText(f"a{index:02}", f"{salad(100 + index, 3)} {NEWSLETTER}")
        for index in range(count)
    ]


def test_boilerplate_in_many_articles_pairs_none_of_them():
    articles = newsletter_articles()
    assert find_derivatives(articles) == []
    # Two of them alone share the sentence and a third of their text: by themselves they pair.
    assert pairs(find_derivatives(articles[:2])) == [("a00", "a01")]


def test_a_common_shingle_is_dropped_from_the_index():
    boilerplated = newsletter_articles(40)
    plain = [ArticleText(a.key, a.body.removesuffix(f" {NEWSLETTER}")) for a in boilerplated]
    before, after = DerivationIndex(plain).stats(), DerivationIndex(boilerplated).stats()
    assert before == IndexStats(
        articles=40, shingles=before.postings, postings=before.postings, common=0
    )
    # Each article gains six shingles joining its own last words to the newsletter, held once;
    # the newsletter's own shingles are in all forty articles and hold no postings at all.
    newsletter = len(words(NEWSLETTER)) - SHINGLE_WORDS + 1
    assert after == IndexStats(
        articles=40,
        shingles=before.shingles + 40 * (SHINGLE_WORDS - 1),
        postings=before.postings + 40 * (SHINGLE_WORDS - 1),
        common=newsletter,
    )


def test_a_shingle_repeated_over_and_over_is_not_followed_either_way():
    chant = "and the crowd kept singing the old song about the harbour all night long."
    chanting = ArticleText("chanting", f"{salad(400, 2)} {' '.join([chant] * 20)}")
    once = ArticleText("once", f"{salad(401, 2)} {chant} {salad(402, 1)}")
    assert find_derivatives([chanting, once]) == find_derivatives([once, chanting]) == []
    # Sung a few times it is an ordinary shared sentence.
    few = ArticleText("chanting", f"{salad(400, 2)} {' '.join([chant] * 3)}")
    assert pairs(find_derivatives([few, once])) == pairs(find_derivatives([once, few]))
    assert pairs(find_derivatives([few, once])) == [("chanting", "once")]


def test_a_copy_among_boilerplate_is_still_found():
    articles = newsletter_articles()
    copy = ArticleText("copy", f"{articles[7].body[:150]} {salad(999, 2)} {NEWSLETTER}")
    (found,) = find_derivatives([*articles, copy])
    assert (found.source, found.derived) == ("a07", "copy")
    (passage,) = found.shared
    copied = articles[7].body[passage.source_start : passage.source_end]
    assert articles[7].body.startswith(copied)
    assert "newsletter" not in copied, "the common sentence is not evidence"


def test_a_common_phrase_lengthens_a_copied_passage_but_never_makes_one():
    phrase = "according to figures from the national statistics office"
    sentence = (
        f"House prices in the valley rose by a fifth last year, {phrase}, the fastest rise"
        " anywhere in the region since the series began."
    )
    common = [ArticleText(f"c{i}", f"{salad(200 + i, 3)} Rents fell, {phrase}.") for i in range(3)]
    one = ArticleText("one", f"{salad(300, 2)} {sentence} {salad(301, 2)}")
    two = ArticleText("two", f"{salad(302, 2)} {sentence} {salad(303, 2)}")
    found = find_derivatives([*common, one, two], max_document_frequency=2)
    assert pairs(found) == [("one", "two")]
    (passage,) = found[0].shared
    assert one.body[passage.source_start : passage.source_end] == sentence.removesuffix(".")


# --------------------------------------------------------------------------------------------
# Direction, offsets and the incremental index


def test_equal_texts_without_dates_are_ordered_by_key():
    text = body("tarrow_original")
    (found,) = find_derivatives([ArticleText("b", text), ArticleText("a", text)])
    assert (found.source, found.derived, found.decided_by) == ("a", "b", "order")
    assert found.score == 1.0
    # A shared date decides nothing either.
    same_day = date(2024, 3, 14)
    (found,) = find_derivatives([ArticleText(2, text, same_day), ArticleText(1, text, same_day)])
    assert (found.source, found.derived, found.decided_by) == (1, 2, "order")


def test_retyped_quote_marks_and_line_breaks_still_match_with_exact_offsets():
    original = body("tarrow_original")
    retyped = original.replace("'", "’").replace(" the ", " the\n")
    (found,) = find_derivatives([ArticleText("a", original), ArticleText("b", retyped)])
    assert (found.source, found.derived, found.score) == ("a", "b", 1.0)
    # Everything is shared but the quoted speech, which parts the text into three stretches.
    assert len(found.shared) == 3
    for passage in found.shared:
        source = original[passage.source_start : passage.source_end]
        derived = retyped[passage.derived_start : passage.derived_end]
        assert source != derived
        assert words(source) == words(derived)
    first = found.shared[0]
    assert original[first.source_start :].startswith("Vellmouth's Tarrow")
    assert retyped[first.derived_start :].startswith("Vellmouth’s Tarrow")


def test_composed_and_decomposed_accents_are_the_same_words():
    sentence = (
        "The café on the quay served a naïve but generous breakfast to the rescued crew of the"
        " trawler while the coastguard finished its report on the rocks off Ærø."
    )
    decomposed = unicodedata.normalize("NFD", sentence).replace("fi", "\ufb01")  # and a ligature
    assert decomposed != sentence
    one = ArticleText("one", f"{salad(500, 2)} {sentence} {salad(501, 1)}")
    two = ArticleText("two", f"{salad(502, 2)} {decomposed} {salad(503, 1)}")
    (found,) = find_derivatives([one, two])
    (passage,) = found.shared
    assert one.body[passage.source_start : passage.source_end] == sentence.removesuffix(".")
    assert two.body[passage.derived_start : passage.derived_end] == decomposed.removesuffix(".")


def test_querying_one_new_article_agrees_with_indexing_it():
    everything = corpus() + seeds()
    found = find_derivatives(everything)
    for new in everything:
        index = DerivationIndex([a for a in everything if a.key != new.key])
        assert new.key not in index
        expected = [r for r in found if new.key in (r.source, r.derived)]
        assert index.query(new) == expected
        index.add(new)
        assert new.key in index and len(index) == len(everything)
        assert index.relations() == found


def test_boilerplate_is_judged_alike_when_querying_and_indexing():
    articles = newsletter_articles()
    index = DerivationIndex(articles[:-1])
    assert len(index.relations()) > 0, "below the cap the newsletter still pairs them"
    assert index.query(articles[-1]) == []
    index.add(articles[-1])
    assert index.relations() == []


def test_an_index_refuses_a_key_twice():
    index = DerivationIndex([article("tarrow_original")])
    with pytest.raises(ValueError, match="'tarrow_original' is already indexed"):
        index.add(article("tarrow_original"))
    with pytest.raises(ValueError, match="'tarrow_original' is already indexed"):
        index.query(article("tarrow_original"))
    with pytest.raises(ValueError, match="max_document_frequency must be at least 1"):
        DerivationIndex(max_document_frequency=0)


def test_article_text_refuses_what_it_cannot_compare():
    with pytest.raises(TypeError, match="article 7: published must be a date or None"):
        ArticleText(7, "text", datetime(2024, 3, 14, 9, 0))
    with pytest.raises(TypeError, match="article 7: published must be a date or None"):
        ArticleText(7, "text", "2024-03-14")
    with pytest.raises(TypeError, match="article 7: body must be a str"):
        ArticleText(7, b"text")


def test_empty_and_tiny_texts_pair_with_nothing():
    articles = [ArticleText("empty", ""), ArticleText("tiny", "Short."), article("tarrow_radio")]
    assert find_derivatives(articles) == []
    assert DerivationIndex(articles).query(ArticleText("new", "")) == []


# --------------------------------------------------------------------------------------------
# Properties

VOCABULARY = [
    "the", "harbour", "wall", "didn't", "O'Brien", "council", "Ruiz", "storm", "boats", "was",
    "rebuilt", "by", "winter", "and", "families", "it’s", "money", "Vellmouth", "engineers",
    "ready", "signed", "contracts", "morning", "bridge", "fifteen", "minutes", "shuttle", "2024",
]  # fmt: skip
SEPARATORS = [" ", "  ", "\n", ", ", ". ", " — ", "\n\n", ' "', '" ', "“", "” "]


def typed(draw, tokens: list[str]) -> str:
    """The words joined by arbitrary punctuation, with apostrophes and case retyped at random."""
    text = []
    for token in tokens:
        style = draw(st.sampled_from(["same", "curly", "straight", "upper"]))
        if style == "curly":
            token = token.replace("'", "’")
        elif style == "straight":
            token = token.replace("’", "'")
        elif style == "upper":
            token = token.capitalize()
        text.append(token + draw(st.sampled_from(SEPARATORS)))
    return "".join(text)


@st.composite
def copied_pairs(draw) -> tuple[str, str]:
    word_lists = st.lists(st.sampled_from(VOCABULARY), max_size=30)
    shared = draw(st.lists(st.sampled_from(VOCABULARY), min_size=10, max_size=60))
    one = typed(draw, draw(word_lists) + shared + draw(word_lists))
    two = typed(
        draw, draw(word_lists) + shared + draw(word_lists) + shared[: draw(st.integers(0, 20))]
    )
    return one, two


@settings(max_examples=300, deadline=None, database=None)
@given(copied_pairs())
def test_every_passage_selects_the_same_words_in_both_bodies(texts):
    one, two = texts
    bodies = {"one": one, "two": two}
    for found in find_derivatives([ArticleText("one", one), ArticleText("two", two)]):
        assert 0.1 <= found.score <= 1.0
        assert found.shared
        source, derived = bodies[found.source], bodies[found.derived]
        for passage in found.shared:
            source_text = source[passage.source_start : passage.source_end]
            derived_text = derived[passage.derived_start : passage.derived_end]
            assert words(source_text) == words(derived_text)
            assert len(words(source_text)) >= MIN_PASSAGE_WORDS
            # Offsets start and end on whole words.
            for text in (source_text, derived_text):
                assert text[0].isalnum() and text[-1].isalnum()


@settings(max_examples=100, deadline=None, database=None)
@given(copied_pairs(), st.randoms(use_true_random=False))
def test_the_order_articles_come_in_changes_nothing(texts, rng):
    articles = [ArticleText("one", texts[0]), ArticleText("two", texts[1])]
    articles += [ArticleText(f"other{i}", salad(i, 2)) for i in range(3)]
    expected = find_derivatives(articles)
    rng.shuffle(articles)
    assert find_derivatives(articles) == expected


def one_at_a_time(articles, **options):
    index = DerivationIndex(**options)
    for article_text in articles:
        index.add(article_text)
    return index


@pytest.mark.parametrize("max_document_frequency", [1, 2, 3, MAX_DOCUMENT_FREQUENCY])
def test_an_index_built_in_one_batch_is_the_index_built_one_at_a_time(max_document_frequency):
    # The batch build sorts every shingle at once; add() counts them one article at a time.
    # Boilerplate makes shingles common at every cap, and the copies make candidate pairs.
    articles = corpus() + seeds() + newsletter_articles(12)
    articles += [
        ArticleText(f"copy{n}", f"{source.body[:400]} {salad(700 + n, 2)}")
        for n, source in enumerate(articles[:: max(1, len(articles) // 6)])
    ]
    new = ArticleText("new", f"{articles[3].body[:300]} {salad(800, 2)} {NEWSLETTER}")
    options = {"max_document_frequency": max_document_frequency}
    batch, single = DerivationIndex(articles, **options), one_at_a_time(articles, **options)

    assert batch.relations() == single.relations()
    assert batch.query(new) == single.query(new)
    assert batch.stats() == single.stats()
    batch.add(new)
    single.add(new)
    assert batch.relations() == single.relations()
    assert batch.stats() == single.stats()


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(copied_pairs(), min_size=1, max_size=4), st.integers(1, 4))
def test_batch_and_one_at_a_time_agree_on_texts_sharing_many_shingles(pairs_of_texts, cap):
    articles = [
        ArticleText(f"{n}{side}", text)
        for n, texts in enumerate(pairs_of_texts)
        for side, text in zip("ab", texts, strict=True)
    ]
    batch = DerivationIndex(articles, max_document_frequency=cap)
    single = one_at_a_time(articles, max_document_frequency=cap)
    assert batch.relations() == single.relations()
    assert batch.stats() == single.stats()
