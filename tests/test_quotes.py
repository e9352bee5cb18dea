"""Unit tests for stories.text.quotes: pure heuristics, no database and no Django models.

The rules are tuned on the real seed articles, so most expectations below are pinned on them:
exactly which quotes and speakers each seed yields, so that a change to a word list or a
pattern shows up here as a precise regression rather than as odd suggestions in the admin.
"""

from __future__ import annotations

import dataclasses

import pytest

from stories.text.quotes import QuoteCandidate, Resolution, SpeakerKind, find_quotes

from .seed_texts import SEED_000, SEED_001, SEED_002, SEED_NAMES, seed_body


def speakers(body: str, **kwargs) -> list[tuple[str, str]]:
    return [(quote.text, quote.speaker) for quote in find_quotes(body, **kwargs)]


# --- Results ---------------------------------------------------------------------------------


def test_results_are_frozen():
    quote = find_quotes(seed_body(SEED_001))[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        quote.speaker = "someone else"  # type: ignore[misc]


# --- Offsets always index the body -----------------------------------------------------------


@pytest.mark.parametrize("seed", SEED_NAMES)
def test_every_offset_indexes_the_body_exactly(seed):
    body = seed_body(seed)
    for quote in find_quotes(body, min_words=1):
        assert body[quote.start : quote.end] == quote.text
        assert body[quote.start - 1] in '\u201c"' and body[quote.end] in '\u201d"'
        if quote.speaker:
            assert body[quote.speaker_start : quote.speaker_end] == quote.speaker
            assert quote.speaker_kind != SpeakerKind.NONE
        else:
            assert (quote.speaker_start, quote.speaker_end) == (-1, -1)
            assert quote.speaker_kind == SpeakerKind.NONE


# --- find_quotes: the seeds -------------------------------------------------------------------


def test_quotes_in_seed_000():
    body = seed_body(SEED_000)
    [quote] = find_quotes(body)
    assert quote.text == (
        "Are you doing something? What's gonna happen now? They're gonna do something and I "
        "need to know what it is."
    )
    # "A sentiment Swift seemed to share ..., asking": the subject of the clause speaks.
    assert quote.speaker == "Swift"
    assert body[quote.speaker_start - 12 : quote.speaker_end] == "A sentiment Swift"
    # "Bongos" (a one-word song title after "song") is never a quote, whatever min_words is.
    assert [q.text for q in find_quotes(body, min_words=1)] == [quote.text]


def test_quotes_in_seed_001():
    body = seed_body(SEED_001)
    # "Do As Infinity" (after "set to Rukai Mori’s") and "Bongos" (after "single,") are titles.
    assert speakers(body) == [
        ("I just talk with my hands. lol. See ya next time @Justin Timberlake.", "Megan"),
    ]
    assert speakers(body, min_words=1) == speakers(body)
    [quote] = find_quotes(body)
    assert body[quote.speaker_start : quote.speaker_end + 10] == "Megan captioned"


def test_quotes_in_seed_002():
    body = seed_body(SEED_002)
    assert speakers(body) == [
        # "Justin Timberlake expressed his delight at meeting Megan, saying,"
        ("it\u2019s so nice to meet you.", "Justin Timberlake"),
        # "However, Megan playfully responded,"
        (
            "No, no, this don\u2019t count. This don\u2019t count. We gotta meet proper.",
            "Megan",
        ),
        # "The source described the exchange as"
        ("a very cute moment,", "The source"),
        # "The source stated," -- the quote holds an unclosed single quote.
        (
            "Meg loves Justin. She was saying \u2018No, no, no, we\u2019ve never met before. "
            "It was their first time meeting, and she was excited.",
            "The source",
        ),
    ]
    # The one-word scare quote "proper" only shows up when asked for, with no speaker.
    assert ("proper", "") in speakers(body, min_words=1)
    assert len(find_quotes(body, min_words=1)) == 5


def test_speaker_kinds_in_seed_002():
    kinds = [quote.speaker_kind for quote in find_quotes(seed_body(SEED_002))]
    name, description = SpeakerKind.NAME, SpeakerKind.DESCRIPTION
    assert kinds == [name, name, description, description]


def test_speaker_offsets_in_seed_002_point_at_the_attribution():
    body = seed_body(SEED_002)
    first, second, third, fourth = find_quotes(body)
    assert body[first.speaker_start : first.speaker_end + 10] == "Justin Timberlake expressed"
    assert body[second.speaker_start - 9 : second.speaker_end] == "However, Megan"
    assert body[third.speaker_start : third.speaker_end + 10] == "The source described"
    assert body[fourth.speaker_start : fourth.speaker_end + 8] == "The source stated,"
    assert third.speaker_start != fourth.speaker_start


# --- find_quotes: the rules on small examples -------------------------------------------------


def test_speaker_after_the_quote_with_unicode_capitals():
    body = '"We will vote tomorrow," Ødegaard told the chamber.'
    [quote] = find_quotes(body)
    assert quote == QuoteCandidate(
        start=1,
        end=23,
        text="We will vote tomorrow,",
        speaker="Ødegaard",
        speaker_start=25,
        speaker_end=33,
        speaker_kind=SpeakerKind.NAME,
        said_by="Ødegaard",
        said_by_kind=SpeakerKind.NAME,
        resolution=Resolution.ATTRIBUTION,
    )


def test_said_before_the_speaker_after_the_quote():
    body = "\u201cFine,\u201d said Ana María López."
    [quote] = find_quotes(body, min_words=1)
    assert (quote.text, quote.speaker) == ("Fine,", "Ana María López")
    assert body[quote.speaker_start : quote.speaker_end] == "Ana María López"
    # One word is below the default of three.
    assert find_quotes(body) == []


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        (
            "\u201cWe are thrilled for them,\u201d a source close to Megan said.",
            "a source close to Megan",
        ),
        (
            "A source close to the couple said: \u201cThey are very happy now.\u201d",
            "A source close to the couple",
        ),
        ("According to the source, \u201cthey had never met before.\u201d", "the source"),
        ("\u201cIs it over yet?\u201d she asked the crowd.", "she"),
        ("Justin Timberlake, 42, said, \u201cI love this city so much.\u201d", "Justin Timberlake"),
        ("Megan later took to Instagram and wrote, \u201cI love this city.\u201d", "Megan"),
        (
            "Megan\u2019s rep told reporters, \u201cShe is doing very well.\u201d",
            "Megan\u2019s rep",
        ),
        ("He told ET, \u201cit was a long night for everyone.\u201d", "He"),
        ("The family said, \u201cwe are so proud of her today.\u201d", "The family"),
        ("\u201cIt was a long night,\u201d the spokesperson said.", "the spokesperson"),
        # A description runs to the end of its clause, so it is kept whole.
        (
            "\u201cIt was a long night,\u201d the spokesperson for the band said.",
            "the spokesperson for the band",
        ),
        # A quote that ends its sentence is not attributed to the next sentence's subject.
        ("\u201cThis is it.\u201d The source described it as awful.", ""),
        # No speech verb, no speaker: the editor decides.
        ("Fans chanted \u201cone more song please\u201d all night.", ""),
    ],
)
def test_speaker_patterns(body, speaker):
    [quote] = find_quotes(body)
    assert quote.speaker == speaker
    if speaker:
        assert body[quote.speaker_start : quote.speaker_end] == speaker


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Justin Timberlake, 42, said, \u201cI love this city so much.\u201d", SpeakerKind.NAME),
        ("\u201cIs it over yet?\u201d she asked the crowd.", SpeakerKind.PRONOUN),
        ("The family said, \u201cwe are so proud of her today.\u201d", SpeakerKind.DESCRIPTION),
        (
            "\u201cWe are thrilled for them,\u201d a source close to Megan said.",
            SpeakerKind.DESCRIPTION,
        ),
        ("Megan\u2019s rep told ET, \u201cShe is doing well.\u201d", SpeakerKind.DESCRIPTION),
        # Capitalised, but a word for an unnamed source.
        ("Someone close to her said, \u201cShe is doing very well.\u201d", SpeakerKind.DESCRIPTION),
        ("Insiders said, \u201cthey had never met before.\u201d", SpeakerKind.DESCRIPTION),
        # A lowercase particle inside a name does not make it a description.
        ("Ana de Armas said, \u201cI love this city so much.\u201d", SpeakerKind.NAME),
        ("Fans chanted \u201cone more song please\u201d all night.", SpeakerKind.NONE),
    ],
)
def test_speaker_kinds(body, kind):
    [quote] = find_quotes(body)
    assert quote.speaker_kind == kind


def test_speech_verbs_inside_other_quotes_are_ignored():
    # "saying" inside the first quote must not make its subject speak the second one.
    body = "\u201cShe kept saying it was fine,\u201d he said. \u201cWe all knew it was not.\u201d"
    assert speakers(body) == [
        ("She kept saying it was fine,", "he"),
        ("We all knew it was not.", ""),
    ]


@pytest.mark.parametrize(
    "body",
    [
        'They performed the song "Bongos Party Now" on stage.',
        "The clip, set to \u201cdo as infinity now,\u201d went viral.",
        "A film titled \u201cthe long goodbye again\u201d opened.",
        "The track called \u201cmeet me there tonight\u201d charted.",
        "Their new single, \u201cone more time tonight,\u201d charted.",
        "Rukai Mori\u2019s \u201cthe very best of us\u201d played.",
        "They danced to \u201cDo As Infinity\u201d all night.",
    ],
)
def test_titles_are_not_quotes(body):
    assert find_quotes(body) == []


def test_contractions_before_a_quote_are_not_possessive_titles():
    body = "Megan said it\u2019s \u201ca very cute moment indeed,\u201d and left."
    assert speakers(body) == [("a very cute moment indeed,", "Megan")]


def test_min_words_counts_the_words_inside_the_marks():
    body = "\u201cNo way,\u201d she said. \u201cNot a chance,\u201d he said."
    assert speakers(body) == [("Not a chance,", "he")]
    assert speakers(body, min_words=2) == [("No way,", "she"), ("Not a chance,", "he")]


def test_unterminated_and_cross_paragraph_quotes_are_skipped():
    body = "\u201cThis quote never closes, she said.\n\nNext paragraph, no quotes at all."
    assert find_quotes(body) == []


def test_no_quotes():
    assert find_quotes("") == []
    assert find_quotes("Nobody said anything quotable today.") == []


# --- Who says it: said_by (issue #10) --------------------------------------------------------


def said_by(body: str) -> list[tuple[str, str, str]]:
    return [(q.speaker, q.said_by, q.resolution) for q in find_quotes(body)]


def test_a_short_form_and_a_title_resolve_to_the_full_name():
    body = (
        "Councillor Ada Quist spoke first. “We were not told anything,” said Ms Quist.\n\n"
        "Dame Cleo Marr disagreed. “That is simply not so,” Dame Cleo said."
    )
    assert said_by(body) == [
        ("Quist", "Ada Quist", Resolution.ATTRIBUTION),
        ("Cleo", "Cleo Marr", Resolution.ATTRIBUTION),
    ]


def test_she_is_the_one_person_in_view_and_nobody_when_two_are():
    one = "Ada Quist said she would stay. “I am not going anywhere,” she said."
    two = "Ada Quist and Cleo Marr met on Friday. “We agreed on nothing,” she said."
    assert said_by(one) == [("she", "Ada Quist", Resolution.PRONOUN)]
    assert said_by(two) == [("she", "", Resolution.NONE)]


def test_an_honorific_says_who_he_can_be():
    body = "Tom Ebb thanked Ms Ada Quist for her help. “It was a long week,” he said."
    assert said_by(body) == [("he", "Tom Ebb", Resolution.PRONOUN)]


def test_the_role_is_the_one_person_given_it_and_nobody_when_two_are():
    one = "Mayor Ada Quist opened it. “It is finished at last,” the mayor said."
    two = (
        "Coach Ada Quist won. Their coach, Tom Ebb, lost. “We were unlucky today,” said the coach."
    )
    assert said_by(one) == [("the mayor", "Ada Quist", Resolution.ROLE)]
    assert said_by(two) == [("the coach", "", Resolution.NONE)]


def test_a_description_is_kept_whole_and_a_name_next_to_a_role_wins():
    body = (
        "“It was close,” said an official who asked not to be named.\n\n"
        "“It was fair,” said the museum’s director, Ada Quist.\n\n"
        "An expert for Tom Ebb, the French engineer Cleo Marr, told the court it was “the "
        "same bridge in every detail.”"
    )
    assert [q.said_by for q in find_quotes(body)] == [
        "an official who asked not to be named",
        "Ada Quist",
        "Cleo Marr",
    ]


def test_a_further_quotation_carries_on_its_speaker():
    body = (
        "“We lost again,” Ada Quist said. “We will be back.”\n\n"
        "Tom Ebb said he had expected it. “Nobody gave us a chance.\n\n"
        "“Not one person,” he added later, laughing about it."
    )
    assert [(q.text, q.said_by, q.resolution) for q in find_quotes(body)] == [
        ("We lost again,", "Ada Quist", Resolution.ATTRIBUTION),
        ("We will be back.", "Ada Quist", Resolution.CONTINUED),
        ("Nobody gave us a chance.", "Tom Ebb", Resolution.CONTEXT),
        ("Not one person,", "Tom Ebb", Resolution.PRONOUN),
    ]


def test_people_on_file_are_named_as_on_file_and_keyed():
    from stories.text.names import KnownPerson

    body = "Mayor Brennan opened it. “It is finished at last,” the mayor said."
    known = [KnownPerson(7, ("Zoë Brennan", "Brennan"))]
    [quote] = find_quotes(body, known=known)
    assert (quote.said_by, quote.said_by_key, quote.said_by_kind) == (
        "Zoë Brennan",
        7,
        SpeakerKind.NAME,
    )
