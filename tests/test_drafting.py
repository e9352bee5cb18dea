"""Auto-drafted stories: built from tagged claims, in reading order, publishable as drafted."""

from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from stories.models import Article, Claim, Story, StoryStatus
from stories.services import drafting, publishing

from .factories import make_article, make_evidence

pytestmark = pytest.mark.django_db

FRIENDLY = "The exchange was a friendly first meeting"
TENSE = "The backstage exchange between Megan Thee Stallion and Justin Timberlake was tense"
NSYNC = "Justin Timberlake and his NSYNC bandmates presented the Best Pop award"
TIKTOK = "Megan Thee Stallion later posted a TikTok video"


def draft_from_seeds(**options):
    out = StringIO()
    ids = [str(pk) for pk in Article.objects.order_by("pk").values_list("pk", flat=True)]
    call_command("draft_story", "--articles", *ids, "--slug", "vmas-draft", stdout=out, **options)
    return Story.objects.get(slug="vmas-draft"), out.getvalue()


def test_the_draft_from_the_three_seed_articles_passes_the_publish_checks(demo_data, admin_user):
    story, output = draft_from_seeds()

    assert story.status == StoryStatus.DRAFT
    assert "not published" in output
    assert story.publication_problems() == []
    revision = publishing.publish_story(story, admin_user)  # unchanged, as drafted
    assert revision.number == 1


def test_the_draft_puts_agreement_first_then_disputes_then_single_origin_details(demo_data):
    story, _ = draft_from_seeds()
    texts = [statement.text for statement in story.statements.order_by("position")]

    nsync = next(i for i, text in enumerate(texts) if text.startswith(NSYNC))
    dispute = next(i for i, text in enumerate(texts) if text.startswith("The sources disagree."))
    tiktok = next(i for i, text in enumerate(texts) if text.startswith(TIKTOK))
    assert nsync < dispute < tiktok
    # The two contradicting claims are one dispute, told once with both sides.
    assert sum(FRIENDLY in text for text in texts) == 1
    assert TENSE in texts[dispute] and FRIENDLY in texts[dispute]
    assert "EW’s own reading of the backstage live-feed video" in texts[dispute]
    assert "anonymous" in texts[dispute] and "second-hand" in texts[dispute]
    assert "2 articles report it from 2 independent origins" in texts[nsync]
    assert "according to a single origin: Megan Thee Stallion’s TikTok video" in texts[tiktok]
    assert texts[tiktok].endswith("No other source confirms it.")


def test_each_statement_cites_its_claims_evidence_and_names_its_people(demo_data):
    story, _ = draft_from_seeds()
    friendly, tense = Claim.objects.get(text=FRIENDLY), Claim.objects.get(text__startswith=TENSE)

    for statement in story.statements.prefetch_related("evidence__claim", "people"):
        cited = list(statement.evidence.all())
        assert cited, statement.text
        # Agreement and single-origin details cite support only, never mere mentions.
        if not statement.text.startswith("The sources disagree."):
            assert {e.stance for e in cited} == {"supports"}, statement.text
        names = {person.name for person in statement.people.all()}
        claim_people = {p.name for e in cited for p in e.claim.people.all()}
        assert names == claim_people, statement.text
    dispute = story.statements.get(text__startswith="The sources disagree.")
    assert {e.claim_id for e in dispute.evidence.all()} == {friendly.pk, tense.pk}


def test_drafting_is_logged_for_the_editor_who_asked(demo_data, admin_user):
    story = drafting.draft_story(Article.objects.all(), slug="logged", user=admin_user)
    entry = LogEntry.objects.get(object_id=str(story.pk))
    assert entry.user == admin_user
    assert entry.change_message.startswith("Drafted from 3 articles")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--articles", "999", "--slug", "x"], "No article with id 999."),
        (["--topic", "nothing-here", "--slug", "x"], "No article is on the topic"),
        (["--articles", "{first}", "--slug", "!!!"], "The story needs a slug"),
        (
            [
                "--articles",
                "{first}",
                "--slug",
                "megan-thee-stallion-justin-timberlake-vmas-backstage",
            ],
            "exists already",
        ),
    ],
)
def test_bad_requests_get_a_clear_error_and_create_nothing(demo_data, arguments, message):
    first = str(Article.objects.order_by("pk").first().pk)
    before = Story.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("draft_story", *[a.format(first=first) for a in arguments])
    assert Story.objects.count() == before


def test_articles_without_claims_are_refused(db):
    article = make_article()
    with pytest.raises(drafting.DraftError, match="has evidence tagged for a claim yet"):
        drafting.draft_story([article], slug="empty")
    assert not Story.objects.exists()


def test_a_topic_drafts_from_its_articles(db):
    tagged = make_article(headline="Tagged")
    tagged.topics.add("VMAs")
    other = make_article(body="Something else entirely happened.", headline="Other")
    make_evidence(tagged, "appeared to get into a pointed exchange")
    make_evidence(other, "Something else entirely happened", claim="Something happened")

    call_command("draft_story", "--topic", "vmas", "--slug", "by-topic", stdout=StringIO())

    story = Story.objects.get(slug="by-topic")
    assert [s.text for s in story.statements.all()] == [
        "The exchange was tense, according to a single origin: EW’s own reporting. "
        "No other source confirms it."
    ]


def test_the_article_and_topic_actions_draft_for_whoever_may_add_a_story(
    demo_data, django_user_model
):
    from django.urls import reverse
    from taggit.models import Tag

    from .desk import client_for, desk_user

    reporter = client_for(desk_user(django_user_model, "reporter"))
    ids = [str(pk) for pk in Article.objects.values_list("pk", flat=True)]
    response = reporter.post(
        reverse("admin:stories_article_changelist"),
        {"action": "draft_story", "_selected_action": ids},
    )
    drafted = Story.objects.exclude(slug="megan-thee-stallion-justin-timberlake-vmas-backstage")
    story = drafted.get()
    assert response["Location"] == reverse("admin:stories_story_change", args=[story.pk])
    assert story.status == StoryStatus.DRAFT and story.statements.exists()

    topic = Tag.objects.get(slug="mtv-vmas-2023")
    response = reporter.post(
        reverse("admin:taggit_tag_changelist"),
        {"action": "draft_topic", "_selected_action": [str(topic.pk)]},
    )
    assert response.status_code == 302
    assert drafted.count() == 2

    nobody = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    page = client_for(nobody).get(reverse("admin:stories_article_changelist"))
    assert page.status_code == 403 or 'value="draft_story"' not in page.content.decode()
