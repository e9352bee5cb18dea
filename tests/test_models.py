from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from stories.models import Article, Claim, Evidence, Person, Story, StoryStatus
from stories.text import importing

from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db


def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit:  # pragma: no cover - the failure path is the point of the test
        pytest.fail(f"Model changes without a migration:\n{out.getvalue()}")


def test_article_hashes_its_body_and_refuses_a_duplicate_text():
    article = make_article()
    assert len(article.body_sha256) == 64
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(headline="Same text again")


def test_a_saved_article_and_its_parsed_file_share_one_fingerprint():
    parsed = importing.parse_article("Caf\u00e9 news\r\n\r\nThe caf\u00e9 opened.\r\n", "x")
    article = Article(headline=parsed.headline, body=parsed.body)
    article.save()
    assert article.body_sha256 == parsed.sha256 == importing.body_sha256("The caf\u00e9 opened.")


@pytest.mark.parametrize(("length", "shown"), [(50, 50), (51, 49)])
def test_a_source_without_an_outlet_is_labelled_by_its_headline_cut_to_50(length, shown):
    headline = "x" * (length - 4) + " end"
    article = make_article(headline=f"Who: {headline}", outlet="")
    cut = headline if shown == length else headline[:shown] + "\u2026"
    assert article.label == f"\u201c{cut}\u201d"


def test_evidence_and_statements_are_shown_cut_to_60_and_70_characters():
    body = "a" * 60 + " " + "b" * 61 + " " + "c" * 70 + " " + "d" * 71
    article = make_article(body=body)
    fits, cut = make_evidence(article, "a" * 60), make_evidence(article, "b" * 61)
    story = make_story(published=False, statements=[("c" * 70, []), ("d" * 71, [])])
    assert str(fits) == f"EW: \u201c{'a' * 60}\u201d"
    assert str(cut) == f"EW: \u201c{'b' * 59}\u2026\u201d"
    assert [str(s) for s in story.statements.all()] == [f"1. {'c' * 70}", f"2. {'d' * 69}\u2026"]


def test_evidence_anchors_the_quote_with_context():
    article = make_article()
    evidence = make_evidence(article, "a pointed exchange")
    assert article.body[evidence.start : evidence.end] == "a pointed exchange"
    assert evidence.prefix.endswith("get into ")
    assert evidence.suffix.startswith(".")
    assert evidence.matches_article()
    assert evidence.get_absolute_url() == f"/sources/{article.pk}/#passage-{evidence.pk}"


def test_evidence_clean_refuses_a_quote_missing_from_the_body():
    article = make_article()
    claim = Claim.objects.create(text="It was friendly")
    evidence = Evidence(claim=claim, article=article, quote="a very cute moment", start=0, end=5)
    with pytest.raises(ValidationError) as excinfo:
        evidence.full_clean()
    assert "does not occur" in str(excinfo.value.message_dict["quote"])


def test_evidence_clean_never_binds_a_repeated_quote_silently():
    article = make_article()
    claim = Claim.objects.create(text="It was brief")
    evidence = Evidence(claim=claim, article=article, quote="exchange")
    with pytest.raises(ValidationError) as excinfo:
        evidence.full_clean()
    assert "3 times" in str(excinfo.value.message_dict["quote"])
    second = article.body.index("exchange", article.body.index("exchange") + 1)
    evidence = make_evidence(article, "exchange", claim=claim, start=second)
    assert (evidence.start, evidence.end) == (second, second + len("exchange"))


def test_database_refuses_a_passage_that_ends_before_it_starts():
    article = make_article()
    claim = Claim.objects.create(text="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(claim=claim, article=article, quote="q", start=9, end=3)


def test_database_refuses_a_published_story_without_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.create(headline="h", slug="h", status=StoryStatus.PUBLISHED)


def test_published_querysets_follow_the_story():
    article = make_article()
    other = make_article(body="Unrelated text about something else.", headline="Other")
    cited = make_evidence(article, "a pointed exchange")
    against = make_evidence(other, "something else", claim=cited.claim, stance="disputes")
    unused = make_evidence(article, "The exchange was brief", claim="It was brief")
    megan = Person.objects.create(name="Megan Thee Stallion")
    cited.claim.people.add(megan)
    draft = make_story("Draft", published=False, statements=[("Tense.", [cited])])

    assert not Story.objects.published().exists()
    assert not Claim.objects.published().exists()
    assert not Article.objects.published().exists()
    assert not Person.objects.published().exists()

    story = make_story("Live", statements=[("Tense.", [cited])])
    assert list(Story.objects.published()) == [story]
    assert list(Claim.objects.published()) == [cited.claim]
    assert set(Evidence.objects.published()) == {cited, against}
    assert unused not in Evidence.objects.published()
    assert set(Article.objects.published()) == {article, other}
    assert list(Person.objects.published()) == [megan]
    assert draft not in Story.objects.published()


def test_a_story_scheduled_for_later_is_not_published_yet():
    evidence = make_evidence(make_article(), "a pointed exchange")
    story = make_story("Later", statements=[("Tense.", [evidence])])
    Story.objects.filter(pk=story.pk).update(published_at=timezone.now() + timedelta(hours=1))
    assert not Story.objects.published().exists()
    story.refresh_from_db()
    assert not story.is_published


def test_every_public_model_has_a_string_and_an_address():
    article = make_article()
    evidence = make_evidence(article, "a pointed exchange")
    story = make_story("Live story", statements=[("Tense.", [evidence])])
    person = Person.objects.create(name="Joey Fatone", aliases="Fatone\n  \nJoey")
    assert person.alias_list == ["Fatone", "Joey"]
    assert person.get_absolute_url() == "/people/joey-fatone/"
    assert story.get_absolute_url() == "/stories/live-story/"
    assert str(evidence).startswith("EW: “a pointed exchange”")
    assert evidence.claim.get_absolute_url() == f"/claims/{evidence.claim.pk}/"
    assert str(story.statements.get()) == "1. Tense."
