"""The evaluation harness scores what it says it scores.

Its figures are what the suggestion rules will be held to, so the scoring is pinned here on
small articles built inline, with stand-in rules returning chosen answers: the rules
themselves are about to change, the scoring must not change with them. One test runs the
real rules on the real set, only to check that the counts add up and the table prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from stories.text.names import KnownPerson, Mention, NameCandidate, PersonMatch

from . import eval_harness
from .eval_harness import (
    Article,
    Person,
    Quote,
    Rules,
    evaluate,
    format_details,
    format_report,
    judge_speaker,
    score_article,
    why_not_a_person,
)

BODY = (
    "GALWAY — Mayor Zoë Brennan opened St Mary’s School on Monday. "
    "“We kept our promise,” the mayor said.\n\n"
    "“Nobody believed us,” Brennan said. “Now they do.”\n\n"
    "Declan O’Rourke, a councillor, called it “The Big Opening.”"
)
BRENNAN = Person("Zoë Brennan", ("Zoë Brennan", "Brennan"), roles=("the mayor",))
ROURKE = Person("Declan O’Rourke", ("Declan O’Rourke",))


def article(body=BODY, *, people=(BRENNAN, ROURKE), quotes=(), kind="politics", path="a.txt"):
    return Article(
        path=path,
        kind=kind,
        body=body,
        byline="",
        expected_byline="",
        people=tuple(people),
        not_people=("GALWAY", "St Mary’s School"),
        quotes=tuple(quotes),
        not_quotes=("The Big Opening.",),
    )


@dataclass(frozen=True)
class Found:
    """A quote as the rules report one: offsets inside the marks and a speaker."""

    start: int
    end: int
    speaker: str

    @property
    def text(self):
        return BODY[self.start : self.end]


def found(text, speaker, *, trim=0):
    start = BODY.index(text)
    return Found(start, start + len(text) - trim, speaker)


def mentions(*texts):
    spans = []
    for text in texts:
        start = BODY.index(text)
        spans.append(Mention(start, start + len(text), text))
    return tuple(spans)


def stand_in(*, known=(), proposed=(), quotes=(), seen=None):
    """Rules answering as told; ``seen`` collects the names on file each call was given."""

    def find_known_people(body, people):
        people = list(people)
        if seen is not None:
            seen.append([person.key for person in people])
        return [match for match in known if match.key in {person.key for person in people}]

    return Rules(
        known_person=KnownPerson,
        find_known_people=find_known_people,
        propose_people=lambda body, *, known_names: list(proposed),
        find_quotes=lambda body: list(quotes),
    )


# --- Speakers ---------------------------------------------------------------------------------

DESCRIBED = Quote("We kept our promise,", "a source close to the mayor")
SAID_BY_BRENNAN = Quote("We kept our promise,", "Zoë Brennan")
NOBODY_KNOWS = Quote("We kept our promise,", None, features=("ambiguous",))


@pytest.mark.parametrize(
    ("given", "quote", "outcome", "reason"),
    [
        ("Zoë Brennan", SAID_BY_BRENNAN, "right", "exact"),
        ("Brennan", SAID_BY_BRENNAN, "right", "name form"),
        ("", SAID_BY_BRENNAN, "missing", ""),
        ("she", SAID_BY_BRENNAN, "wrong", "pronoun"),
        ("the mayor", SAID_BY_BRENNAN, "wrong", "role not linked"),
        ("Mayor Brennan", SAID_BY_BRENNAN, "wrong", "title kept"),
        ("Mayor Zoë Brennan", SAID_BY_BRENNAN, "wrong", "title kept"),
        ("Declan O’Rourke", SAID_BY_BRENNAN, "wrong", "another person: Declan O’Rourke"),
        ("the council", SAID_BY_BRENNAN, "wrong", "other"),
        ("A source close to the mayor", DESCRIBED, "right", "exact"),
        ("the source", DESCRIBED, "wrong", "description cut short"),
        ("a source", DESCRIBED, "wrong", "description cut short"),
        ("Brennan", DESCRIBED, "wrong", "other"),
        ("", NOBODY_KNOWS, "right", "no speaker, as labelled"),
        ("she", NOBODY_KNOWS, "wrong", "pronoun"),
        ("Brennan", NOBODY_KNOWS, "wrong", "the label has no speaker"),
    ],
)
def test_judging_a_speaker(given, quote, outcome, reason):
    assert judge_speaker(given, quote, article(quotes=[quote])) == (outcome, reason)


# --- Proposals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Councillor Declan O’Rourke", "title: Declan O’Rourke"),
        ("Sir Zoë Brennan KC", "title: Zoë Brennan"),
        ("Mayor Brennan", "title: Zoë Brennan"),
        ("Zoë Brennan Said", "overlong: Zoë Brennan"),
        ("Brennan’s", "possessive"),
        ("Brennan Zoë", "part or reordering of: Zoë Brennan"),
        ("St Mary", "not a person: St Mary’s School"),
        ("Mary’s School", "not a person: St Mary’s School"),
        ("School Monday", "overlaps a non-person: St Mary’s School"),
        ("Harold Pinter", "unlabelled"),
    ],
)
def test_why_a_proposal_is_wrong(name, reason):
    assert why_not_a_person(name, article()) == reason


def test_only_the_canonical_name_counts_and_mentions_need_the_right_proposal():
    rules = stand_in(
        proposed=[
            NameCandidate("Zoë Brennan", mentions("Zoë Brennan", "Brennan said")[:1]),
            NameCandidate("Councillor Declan O’Rourke", mentions("Declan O’Rourke")),
            NameCandidate("St Mary", mentions("St Mary")),
        ]
    )
    result = score_article(article(), rules, on_file=[])
    tally = result.tally
    assert (tally.people, tally.proposed, tally.correct) == (2, 3, 1)
    assert (tally.precision, tally.recall) == (1 / 3, 1 / 2)
    assert tally.titled == 1
    assert result.missed == ["Declan O’Rourke"]
    assert dict(result.false_positives) == {
        "Councillor Declan O’Rourke": "title: Declan O’Rourke",
        "St Mary": "not a person: St Mary’s School",
    }
    # Zoë Brennan, Brennan and Declan O’Rourke are labelled mentions; only the first is linked.
    assert (tally.mentions, tally.mentions_linked) == (3, 1)
    assert [line.split(" at ")[0] for line in result.unlinked] == ["Brennan", "Declan O’Rourke"]


def test_quotes_are_matched_by_overlap_and_every_outcome_is_counted():
    quotes = [
        Quote("We kept our promise,", "Zoë Brennan", features=("role",)),
        Quote("Nobody believed us,", "Zoë Brennan"),
        Quote("Now they do.", "Zoë Brennan", features=("continued",)),
    ]
    rules = stand_in(
        quotes=[
            found("We kept our promise,", "the mayor", trim=1),  # a trimmed comma still matches
            found("Nobody believed us,", "Brennan"),
            found("The Big Opening.", ""),
        ]
    )
    result = score_article(article(quotes=quotes), rules, on_file=[])
    tally = result.tally
    assert [(item.outcome, item.reason) for item in result.quotes] == [
        ("wrong", "role not linked"),
        ("right", "name form"),
        ("undetected", ""),
    ]
    assert (tally.quotes, tally.right, tally.exact, tally.wrong) == (3, 1, 0, 1)
    assert (tally.missing, tally.undetected, tally.with_speaker) == (0, 1, 2)
    assert result.extra_quotes == ["The Big Opening."]
    assert (tally.extra_quotes, tally.speaker_share, tally.quote_accuracy) == (1, 2 / 3, 1 / 3)


def test_the_second_pass_puts_only_earlier_articles_people_on_file():
    seen = []
    known = [PersonMatch("Zoë Brennan", mentions("Zoë Brennan", "Brennan said"))]
    rules = stand_in(known=known, seen=seen)
    first = article(path="first.txt", people=[BRENNAN])
    second = article(path="second.txt", people=[BRENNAN, ROURKE], kind="courts")
    fresh = evaluate([first, second], rules=rules)
    on_file = evaluate([first, second], people_on_file=True, rules=rules)
    assert seen == [[], [], [], ["Zoë Brennan"]]
    assert [r.tally.correct for r in fresh.results] == [0, 0]
    assert [r.tally.correct for r in on_file.results] == [0, 1]
    # Found through the desk's file, with both its mentions.
    spans = {(mention.start, mention.end) for mention in known[0].mentions}
    assert on_file.results[1].proposals == {"Zoë Brennan": spans}
    assert list(on_file.by_kind()) == ["politics", "courts"]
    assert on_file.total().people == 3


# --- The real set -------------------------------------------------------------------------------


def test_the_current_rules_on_the_set_give_figures_that_add_up(capsys):
    for report in (evaluate(), evaluate(people_on_file=True)):
        for result in report.results:
            tally = result.tally
            assert tally.right + tally.wrong + tally.missing + tally.undetected == tally.quotes
            assert tally.exact <= tally.right and tally.with_speaker <= tally.quotes
            assert tally.correct + len(result.false_positives) == tally.proposed
            assert tally.correct + len(result.missed) == tally.people
            assert tally.mentions_linked + len(result.unlinked) == tally.mentions
        assert tuple(report.by_kind()) == eval_harness.KINDS
        assert sum(report.by_kind().values(), eval_harness.Tally()) == report.total()
        table = format_report(report)
        assert all(kind in table for kind in report.by_kind())
        details = format_details(report)
        assert all(result.article.path in details for result in report.results)
        wrong = sum(len(result.false_positives) for result in report.results)
        assert details.count("wrong proposal") == wrong
    assert eval_harness.main(["--details"]) == 0
    printed = capsys.readouterr().out
    assert "Fresh desk" in printed and "People of earlier articles on file" in printed
