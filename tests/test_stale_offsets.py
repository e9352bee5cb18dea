"""Nothing the desk shows after a new version indexes the text before it (#9).

Two kinds of stored offsets outlive the text they were computed in: the candidates of a
passage still waiting for an editor, and the mentions of a pending person suggestion. After
version 3 of an article, a waiting passage's candidates are the current text's (its state too,
re-anchored from the text it cites), a confirm posted from a page showing version 2's is
refused with nothing changed, and a suggestion's snippets mark the words suggested or none.
Through the services and the admin test client, on the real database.
"""

import html
import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from stories.models import AnchorState, Evidence, PersonSuggestion, SuggestionStatus
from stories.services import suggestions, versions

from .desk import client_for, desk_user, messages_of
from .factories import make_article, make_evidence
from .test_reanchor_desk import CITED, V1, read_url, review_url, stored

# Version 2 rewords the cited sentence: close to it, not certain, so it waits for review.
REWORDED = "Maria Lopez told us the bridge would shut in May for repairs."
V2 = V1.replace(CITED, REWORDED)
# Version 3 adds a paragraph before it: every offset of version 2 now selects other words.
ADDED = "Correction: an earlier version of this article gave the wrong date for the vote.\n\n"
V3 = ADDED + V2


def waiting_on_version_2():
    """A passage cited in version 1 that version 2 left needing review."""
    article = make_article(body=V1)
    evidence = make_evidence(article, CITED, claim="The bridge closes in May")
    versions.add_version(article, V2)
    evidence.refresh_from_db()
    assert evidence.anchor_state == AnchorState.NEEDS_REVIEW
    assert [c["text"] for c in evidence.anchor_candidates] == [REWORDED]
    return article, evidence


def candidate_forms(page):
    """The hidden fields of each "Confirm this passage" form on a review page."""
    forms = re.findall(r'<form method="post">(.*?)</form>', page, re.S)
    return [
        dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
        for form in forms
        if "Confirm this passage" in form
    ]


@pytest.fixture
def editor(django_user_model):
    return desk_user(django_user_model, "editor")


@pytest.mark.django_db
def test_a_waiting_passage_is_re_anchored_again_on_version_3_with_fresh_candidates():
    article, evidence = waiting_on_version_2()
    in_v2 = evidence.anchor_candidates[0]

    v3 = versions.add_version(article, V3)

    evidence.refresh_from_db()
    assert evidence.anchor_state == AnchorState.NEEDS_REVIEW
    # Still citing the text it quotes, with the quote where it was there.
    assert evidence.article_version.number == 1
    assert evidence.text[evidence.start : evidence.end] == evidence.quote == CITED
    # Its candidates are version 3's, and say so.
    assert evidence.reanchored_in == v3
    [candidate] = evidence.anchor_candidates
    assert candidate["start"] == in_v2["start"] + len(ADDED)
    assert V3[candidate["start"] : candidate["end"]] == candidate["text"] == REWORDED
    # What version 2's offsets select in version 3 is other text: the bug this prevents.
    assert V3[in_v2["start"] : in_v2["end"]] != REWORDED


@pytest.mark.django_db
def test_a_waiting_passage_settles_when_a_later_version_restores_its_text():
    article, evidence = waiting_on_version_2()

    v3 = versions.add_version(article, ADDED + V1)  # the rewording undone

    evidence.refresh_from_db()
    assert evidence.anchor_state in {AnchorState.EXACT, AnchorState.MOVED}
    assert evidence.article_version is None and evidence.reanchored_in == v3
    assert evidence.anchor_candidates == []
    article.refresh_from_db()
    assert article.body[evidence.start : evidence.end] == CITED
    assert evidence.start == V1.index(CITED) + len(ADDED)
    assert not Evidence.objects.awaiting_editor().exists()


@pytest.mark.django_db
def test_a_passage_orphaned_for_good_stays_orphaned_on_a_later_version():
    article = make_article(body=V1)
    evidence = make_evidence(article, CITED, claim="The bridge closes in May")
    versions.add_version(article, V1.replace(CITED + " ", ""))
    evidence.refresh_from_db()
    assert evidence.anchor_state == AnchorState.ORPHANED

    versions.add_version(article, ADDED + V1.replace(CITED + " ", ""))

    evidence.refresh_from_db()
    assert evidence.anchor_state == AnchorState.ORPHANED and evidence.anchor_candidates == []
    assert evidence.article_version.number == 1 and evidence.matches_article()


@pytest.mark.django_db
def test_a_candidate_confirmed_from_a_page_showing_version_2_is_refused_after_version_3(editor):
    article, evidence = waiting_on_version_2()
    client = client_for(editor)
    [fields] = candidate_forms(client.get(review_url(evidence)).content.decode())
    assert fields["body_sha256"] == article.versions.get(number=2).body_sha256
    versions.add_version(article, V3)  # while the page stands open
    before = stored(evidence)

    response = client.post(review_url(evidence), fields, follow=True)

    assert response.redirect_chain == [(review_url(evidence), 302)]
    assert any(
        "Nothing was changed" in message and "newer version" in message
        for message in messages_of(response)
    )
    assert stored(evidence) == before
    # The page it returns to offers version 3's candidate, and that one binds.
    [fresh] = candidate_forms(response.content.decode())
    article.refresh_from_db()
    assert fresh["body_sha256"] == article.body_sha256
    confirmed = client.post(review_url(evidence), fresh, follow=True)
    assert "The passage now points at the current version." in messages_of(confirmed)
    evidence.refresh_from_db()
    assert evidence.article_version is None and evidence.anchor_state == AnchorState.CITED
    assert article.body[evidence.start : evidence.end] == evidence.quote == REWORDED


@pytest.mark.django_db
def test_candidates_of_a_replaced_text_are_listed_without_a_confirm(editor):
    """Rows waiting from before this rule have candidates of an older text: shown as such."""
    article, evidence = waiting_on_version_2()
    versions.add_version(article, V3)
    v2 = article.versions.get(number=2)
    Evidence.objects.filter(pk=evidence.pk).update(
        reanchored_in=v2, anchor_candidates=[{**evidence.anchor_candidates[0], "start": 61}]
    )

    page = client_for(editor).get(review_url(evidence)).content.decode()

    assert candidate_forms(page) == []
    assert "These were found in version 2, which version 3 has replaced" in page
    assert html.escape(REWORDED) in page


@pytest.mark.django_db
def test_the_migration_names_the_version_that_computed_existing_candidates():
    """Until now a waiting passage was re-anchored once, by the version after its own."""
    article, evidence = waiting_on_version_2()
    Evidence.objects.filter(pk=evidence.pk).update(reanchored_in=None)
    migration = importlib.import_module("stories.migrations.0014_reanchored_in")

    # The step reads only the editor's connection (SQLite allows no schema editor inside
    # the test's transaction); the models and the database are the real ones.
    migration.name_the_text_of_the_candidates(django_apps, SimpleNamespace(connection=connection))

    evidence.refresh_from_db()
    assert evidence.reanchored_in == article.versions.get(number=2)


# --------------------------------------------------------------------------------------------
# Suggestion snippets


def snippet_marks(page, name):
    """The words each snippet of ``name``'s suggestion marks, and the list as HTML."""
    listed = re.search(
        rf'<ul class="desk-snippets" aria-label="Mentions of {re.escape(name)}">(.*?)</ul>',
        page,
        re.S,
    )
    assert listed is not None, f"no suggestion for {name} in the reading view"
    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", listed[1])], listed[1]


def pending(article, name):
    return PersonSuggestion.objects.get(article=article, name=name, status=SuggestionStatus.PENDING)


@pytest.mark.django_db
def test_a_suggestions_snippets_follow_a_new_version_that_moved_its_words(editor):
    body = V1 + "\n\nLater that evening Maria Lopez left without comment."
    article = make_article(body=body)
    suggestions.suggest_people(article)
    mentions = pending(article, "Maria Lopez").mentions
    assert [body[s:e] for s, e in mentions] == ["Maria Lopez", "Maria Lopez"]

    versions.add_version(article, ADDED + body)

    page = client_for(editor).get(read_url(article)).content.decode()
    marks, _listed = snippet_marks(page, "Maria Lopez")
    assert marks == ["Maria Lopez", "Maria Lopez"]  # not "Correction: an"
    article.refresh_from_db()
    moved = pending(article, "Maria Lopez").mentions
    assert [article.body[s:e] for s, e in moved] == ["Maria Lopez", "Maria Lopez"]
    assert moved == [[s + len(ADDED), e + len(ADDED)] for s, e in mentions]


@pytest.mark.django_db
def test_a_mention_whose_words_a_new_version_changed_is_dropped_never_moved(editor):
    body = V1 + "\n\nLater that evening Maria Lopez left without comment."
    article = make_article(body=body)
    suggestions.suggest_people(article)
    # The first mention's sentence is rewritten, the name respelt; the second stays.
    new = ADDED + body.replace("Maria Lopez said", "Councillor María López said", 1)
    versions.add_version(article, new)

    page = client_for(editor).get(read_url(article)).content.decode()
    marks, _listed = snippet_marks(page, "Maria Lopez")
    assert marks == ["Maria Lopez"]
    [(start, end)] = pending(article, "Maria Lopez").mentions
    assert new[start:end] == "Maria Lopez" and start > new.index("Later")


@pytest.mark.django_db
def test_a_suggestion_whose_every_mention_changed_shows_none_and_says_so(editor):
    article = make_article(body=V1)
    suggestions.suggest_people(article)
    assert pending(article, "Maria Lopez").mentions
    versions.add_version(article, ADDED + V1.replace("Maria Lopez", "Mary Lopes"))

    page = client_for(editor).get(read_url(article)).content.decode()
    marks, listed = snippet_marks(page, "Maria Lopez")
    assert marks == []
    assert "No mention is known in the current text" in listed
    assert pending(article, "Maria Lopez").mentions == []
