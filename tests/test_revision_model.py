"""A story's draft state and its revisions, as the models answer them (no admin,
no views): what readers see, whether the draft has moved on, and revisions made
from, read back into and restored into a story."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stories.models import Person, Statement, Story, StoryRevision, StoryStatus
from stories.services import publishing

from .desk import draft_story
from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence():
    return make_evidence(make_article(), "a pointed exchange")


def in_published(story):
    return Story.objects.published().filter(pk=story.pk).exists()


@pytest.mark.parametrize(
    ("state", "public"),
    [
        ("published", True),
        ("scheduled", False),
        ("unpublished", False),
        ("no revision", False),
        ("draft", False),
        ("in review", False),
    ],
)
def test_is_published_agrees_with_the_published_queryset(evidence, state, public):
    if state in {"no revision", "draft", "in review"}:
        story = draft_story(evidence)
        status = {
            "no revision": StoryStatus.PUBLISHED,
            "draft": StoryStatus.DRAFT,
            "in review": StoryStatus.IN_REVIEW,
        }[state]
        Story.objects.filter(pk=story.pk).update(status=status, published_at=timezone.now())
    else:
        story = make_story("Live", statements=[("Tense.", [evidence])])
        changes = {
            "published": {},
            "scheduled": {"published_at": timezone.now() + timedelta(hours=1)},
            "unpublished": {"status": StoryStatus.UNPUBLISHED},
        }[state]
        Story.objects.filter(pk=story.pk).update(**changes)
    story.refresh_from_db()

    assert story.is_published is public
    assert in_published(story) is public


def test_publication_problems_name_each_statement_on_one_shortened_line(evidence):
    assert make_story("Empty", published=False).publication_problems() == [
        "“Empty” has no statements."
    ]
    long_text = "They met\n\nbackstage,   " + "and then they talked " * 5
    story = draft_story(evidence, texts=["Fine.", long_text])
    story.statements.get(position=2).evidence.clear()

    assert story.publication_problems() == [
        "Statement 2 (“They met backstage, and then they talked and then they talk…”)"
        " cites no evidence."
    ]
    assert draft_story(evidence, slug="ready").publication_problems() == []


# --------------------------------------------------------------------------------------------
# Revisions made from a story, read back, compared and restored


def story_citing(passages, people=(), headline="Backstage", texts=("One.", "Two.")):
    """A draft whose every statement cites ``passages`` and names ``people``."""
    story = Story.objects.create(headline=headline, slug=headline.lower(), standfirst="Summary.")
    for position, text in enumerate(texts, start=1):
        statement = Statement.objects.create(story=story, position=position, text=text)
        statement.evidence.set(passages)
        statement.people.set(people)
    return story


@pytest.fixture
def two_passages(evidence):
    return [evidence, make_evidence(evidence.article, "The exchange was brief", claim="Brief")]


@pytest.fixture
def megan():
    return Person.objects.create(name="Megan Thee Stallion")


def test_create_from_records_the_draft_as_the_next_revision(two_passages, megan, admin_user):
    story = story_citing(two_passages, [megan])
    when = timezone.now() - timedelta(days=1)

    first = StoryRevision.create_from(story, admin_user, created_at=when)
    Statement.objects.filter(story=story, position=2).update(text="Two, edited.")
    second = StoryRevision.create_from(story, None)

    assert (first.number, second.number) == (1, 2)
    assert (first.headline, first.standfirst) == ("Backstage", "Summary.")
    assert (first.created_by, first.created_at) == (admin_user, when)
    assert second.created_by is None and second.created_at > when
    ids = sorted(passage.pk for passage in two_passages)
    statements = list(story.statements.order_by("position"))
    assert first.content == {
        "statements": [
            {
                "id": s.pk,
                "position": s.position,
                "text": text,
                "evidence": ids,
                "people": [megan.pk],
            }
            for s, text in zip(statements, ["One.", "Two."], strict=True)
        ]
    }
    assert [s.text for s in second.statements()] == ["One.", "Two, edited."]
    assert set(first.evidence.all()) == set(two_passages)
    assert list(first.people.all()) == [megan]
    # The content is what the draft would store now, through the one schema.
    assert second.content == story.revision_content()


def test_statements_load_in_a_fixed_number_of_queries(django_assert_num_queries):
    revisions = []
    for size in [1, 12]:
        article = make_article(body=f"Story {size}: " + " ".join(f"w{i}." for i in range(size)))
        story = Story.objects.create(headline=f"S{size}", slug=f"s{size}")
        for i in range(size):
            statement = Statement.objects.create(story=story, position=i, text=f"S{i}.")
            statement.evidence.add(make_evidence(article, f"w{i}.", claim=f"C{size}-{i}"))
            statement.people.add(Person.objects.create(name=f"P{size}-{i}"))
        revisions.append(StoryRevision.create_from(story, None))

    for revision, size in zip(revisions, [1, 12], strict=True):
        revision = StoryRevision.objects.get(pk=revision.pk)
        with django_assert_num_queries(2):
            statements = revision.statements()
            labels = [str(e) for s in statements for e in s.evidence]  # article and outlet loaded
            names = [p.name for s in statements for p in s.people]
        assert len(statements) == len(labels) == len(names) == size
    with django_assert_num_queries(2):
        both = StoryRevision.statements_of(revisions)
    assert [len(statements) for statements in both] == [1, 12]
    story = revisions[1].story
    with django_assert_num_queries(3):
        assert len([str(e) for s in story.cited_statements() for e in s.evidence]) == 12
    for revision in revisions:  # what the change form asks of every story, however long
        with django_assert_num_queries(3):
            assert revision.story.revision_content() == revision.content


def test_statements_keep_the_ids_of_what_was_deleted_since(two_passages, megan):
    story = story_citing(two_passages, [megan], texts=["One."])
    revision = StoryRevision.create_from(story, None)
    gone, kept = sorted(two_passages, key=lambda passage: passage.pk)
    gone_pk, megan_pk = gone.pk, megan.pk
    gone.delete()
    megan.delete()

    [statement] = StoryRevision.objects.get(pk=revision.pk).statements()

    assert statement.text == "One."
    assert statement.evidence_ids == (gone_pk, kept.pk)
    assert statement.evidence == (kept,)
    assert (statement.people_ids, statement.people) == ((megan_pk,), ())


def test_revisions_page_names_a_deleted_passage_by_its_id(two_passages, admin_client):
    story = story_citing(two_passages, texts=["One."])
    StoryRevision.create_from(story, None)
    gone = min(two_passages, key=lambda passage: passage.pk)
    gone_pk = gone.pk
    gone.delete()

    response = admin_client.get(reverse("admin:stories_story_revisions", args=[story.pk]))

    [change] = response.context["draft_changes"]
    assert f"<del>passage #{gone_pk} (deleted)</del>" in str(change.html)


def test_has_unpublished_changes_follows_the_draft_not_statement_ids(evidence, megan):
    story = story_citing([evidence], [megan], texts=["One."])
    assert story.has_unpublished_changes()  # never published

    publishing.publish_story(story, None)
    story.refresh_from_db()
    assert not story.has_unpublished_changes()
    assert story.published_revision.matches_draft(story)

    statement = story.statements.get()
    statement.people.clear()
    assert story.has_unpublished_changes()
    statement.people.add(megan)
    assert not story.has_unpublished_changes()

    # The same text and citations under a new id is no change.
    statement.delete()
    Statement.objects.create(story=story, position=1, text="One.").evidence.add(evidence)
    story.statements.get().people.add(megan)
    assert not story.has_unpublished_changes()

    story.standfirst = "Another summary."
    assert story.has_unpublished_changes()
    story.refresh_from_db()

    # Unpublished, the draft is still compared with the revision readers saw.
    publishing.unpublish_story(story)
    story.refresh_from_db()
    assert not story.is_published
    assert not story.has_unpublished_changes()


def test_restore_into_puts_the_revision_back_in_the_draft(two_passages, megan):
    story = story_citing(two_passages[:1], [megan], texts=["One.", "Two."])
    revision = StoryRevision.create_from(story, None)
    one, two = story.statements.order_by("position")
    story.headline, story.standfirst = "Changed", "Changed too."
    story.save()
    one.text = "One, edited."
    one.save()
    one.evidence.set(two_passages[1:])
    one.people.clear()
    two_pk = two.pk
    two.delete()
    added = Statement.objects.create(story=story, position=3, text="Added since.")
    version = Story.objects.get(pk=story.pk).version

    story = Story.objects.get(pk=story.pk)
    revision.restore_into(story)

    story.refresh_from_db()
    assert (story.headline, story.standfirst) == ("Backstage", "Summary.")
    assert story.version > version  # a form opened before the restore is refused
    assert revision.matches_draft(story)
    restored = story.cited_statements()
    assert [(s.position, s.text) for s in restored] == [(1, "One."), (2, "Two.")]
    # The first kept its id; the deleted one came back as new; the added one is gone.
    assert restored[0].pk == one.pk
    assert restored[1].pk not in {one.pk, two_pk}
    assert not Statement.objects.filter(pk=added.pk).exists()
    assert [s.evidence for s in restored] == [(two_passages[0],)] * 2
    assert [s.people for s in restored] == [(megan,)] * 2


def test_restore_into_leaves_out_what_was_deleted_and_refuses_another_story(two_passages):
    story = story_citing(two_passages, texts=["One."])
    revision = StoryRevision.create_from(story, None)
    two_passages[0].delete()

    revision.restore_into(Story.objects.get(pk=story.pk))

    assert [s.evidence for s in story.cited_statements()] == [(two_passages[1],)]
    other = story_citing(two_passages[1:], headline="Other")
    with pytest.raises(ValueError, match="not a revision of “Other”"):
        revision.restore_into(other)
    assert [s.text for s in other.cited_statements()] == ["One.", "Two."]
    assert Story.objects.get(pk=other.pk).headline == "Other"
