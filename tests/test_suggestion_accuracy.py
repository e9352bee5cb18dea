"""The suggestions reach issue #10's figures on the labelled evaluation set.

People: precision at least 95% and recall 100%, names in their canonical spelling. Quotes: no
wrong speaker, and at least 90% of quotations given one. Held to on the invented articles and
on the seeds, each on a fresh desk and with the people of earlier articles on file; computed
by ``tests/eval_harness.py`` from ``tests/data/eval/labels.json``, through the pure rules and
through the desk's own service on the test database (SQLite or PostgreSQL). A failure prints
the per-kind table (``python tests/eval_harness.py --details`` lists every error).
"""

from __future__ import annotations

from functools import cache

import pytest

from stories.models import Article, Person, PersonSuggestion, SuggestionStatus
from stories.services import suggestions

from .eval_harness import (
    EVAL_DIR,
    FoundQuote,
    Report,
    evaluate,
    format_details,
    format_report,
    load_set,
    occurrences,
    score_proposals,
)
from .test_eval_set import quoted_spans

PRECISION = 0.95
RECALL = 1.0
SPEAKER_SHARE = 0.90
PASSES = {"fresh desk": False, "people on file": True}


@cache
def rules_report(people_on_file: bool) -> Report:
    return evaluate(load_set(), people_on_file=people_on_file)


def assert_thresholds(report: Report, group: str) -> None:
    tallies = [r.tally for r in report.results if (r.article.kind == "seed") == (group == "seed")]
    tally = sum(tallies[1:], tallies[0])
    table = f"{group}, {report.title}\n{format_report(report)}\n\n{format_details(report)}"
    assert tally.precision >= PRECISION, table
    assert tally.recall >= RECALL, table
    assert tally.titled == 0, table
    assert tally.wrong == 0, table
    assert tally.speaker_share >= SPEAKER_SHARE, table


@pytest.mark.parametrize("group", ["invented", "seed"])
@pytest.mark.parametrize("people_on_file", PASSES.values(), ids=PASSES.keys())
def test_the_rules_reach_the_figures(group, people_on_file):
    assert_thresholds(rules_report(people_on_file), group)


def desk_report(people_on_file: bool) -> Report:
    """The same set through ``suggest_people``: each article imported, its pending
    suggestions read back from the database, and (second pass) the people of the earlier
    articles on file as an editor accepting them would have left them."""
    results = []
    for labelled in load_set():
        article = Article.objects.create(headline=labelled.path, body=labelled.body)
        suggestions.suggest_people(article)
        pending = PersonSuggestion.objects.filter(
            article=article, status=SuggestionStatus.PENDING
        ).select_related("person")
        proposals = {
            (s.person.name if s.person else s.name): {tuple(span) for span in s.mentions}
            for s in pending
        }
        found = [
            FoundQuote(quote.start, quote.end, quote.text, quote.speaker)
            for quote in suggestions.proposals(article).quotes
        ]
        results.append(score_proposals(labelled, proposals, found))
        if people_on_file:
            for person in labelled.people:
                Person.objects.get_or_create(name=person.name)
    title = "People of earlier articles on file" if people_on_file else "Fresh desk"
    return Report(f"{title} (the desk's service)", results)


@pytest.mark.django_db
@pytest.mark.parametrize("people_on_file", PASSES.values(), ids=PASSES.keys())
def test_the_desk_reaches_the_figures_on_the_database(people_on_file):
    report = desk_report(people_on_file)
    for group in ("invented", "seed"):
        assert_thresholds(report, group)
    # The service proposes what the rules do.
    expected = rules_report(people_on_file)
    assert [r.tally for r in report.results] == [r.tally for r in expected.results]


# --- The held-out check ----------------------------------------------------------------------
#
# Articles written after the rules were tuned, in two batches (see their labels.json): the
# figures are reported apart, never tuned on. What is held to here is what must never happen
# whatever the article: a wrong speaker, or a title or possessive kept in a proposed name.

HELD_OUT = EVAL_DIR / "heldout" / "labels.json"


@cache
def held_out() -> tuple:
    return tuple(load_set(HELD_OUT))


@pytest.mark.parametrize("article", held_out(), ids=lambda article: article.path.rsplit("/")[-1])
def test_held_out_labels_match_their_text(article):
    assert article.byline == article.expected_byline
    for person in article.people:
        assert person.name in person.forms
        for form in person.forms:
            assert occurrences(article.body, form), form
    found = {article.body[start:end] for start, end in quoted_spans(article.body)}
    assert found == {quote.text for quote in article.quotes} | set(article.not_quotes)
    for quote in article.quotes:
        assert article.body.count(quote.text) == 1, quote.text


@pytest.mark.parametrize("people_on_file", PASSES.values(), ids=PASSES.keys())
def test_held_out_articles_get_no_wrong_speaker_and_no_title_kept(people_on_file, capsys):
    report = evaluate(held_out(), people_on_file=people_on_file)
    table = f"held out, {report.title}\n{format_report(report)}\n\n{format_details(report)}"
    with capsys.disabled():  # the held-out figures, reported apart (see the README)
        print(f"\nheld out, {report.title}\n{format_report(report)}")
    assert report.total().wrong == 0, table
    assert report.total().titled == 0, table
    assert report.total().people >= 30 and report.total().quotes >= 50
