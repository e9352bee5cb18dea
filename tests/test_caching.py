"""Reader pages are cached and answered conditionally, and never served stale.

Every test here runs twice: with Django's local-memory cache and with the Redis on
127.0.0.1:6379 (skipped, with the reason, when none answers there; a failure when
NEWSROOM_REQUIRE_REDIS is set, as in CI). ``test_shared_cache.py`` runs two gunicorn
processes sharing one Redis, and a Redis that is down.
"""

import os
import socket
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.http import http_date

from stories.caching import public_content_changed
from stories.models import (
    Article,
    Correction,
    Origin,
    Person,
    PersonSuggestion,
    PublicVersion,
    Rating,
    Statement,
)
from stories.services import articles, decisions, publishing
from stories.text import importing

from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
REDIS = ("127.0.0.1", 6379)
DEMO = "/stories/megan-thee-stallion-justin-timberlake-vmas-backstage/"


def redis_or_skip():
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        reason = (
            f"no Redis on {REDIS[0]}:{REDIS[1]}: start one (apt-get install redis-server; "
            "redis-server --daemonize yes) to test the shared cache"
        )
        if os.environ.get("NEWSROOM_REQUIRE_REDIS"):
            pytest.fail(f"{reason} (NEWSROOM_REQUIRE_REDIS is set, so this is a failure)")
        pytest.skip(reason)


@pytest.fixture(params=["locmem", "redis"], autouse=True)
def cache_backend(request, settings):
    """The page cache, in local memory or in Redis, in a namespace of this test's own."""
    if request.param == "redis":
        redis_or_skip()
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://{REDIS[0]}:{REDIS[1]}/0",
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                "TIMEOUT": 300,
            }
        }
    return request.param


@pytest.fixture
def story(db):
    # The test database was made a moment ago, and versions made within one second run
    # ahead of the clock (each gets a second of its own), which holds Last-Modified
    # back until the clock catches up: start from a site last changed a minute ago.
    PublicVersion.objects.update(modified=int(time.time()) - 60)
    article = make_article()
    evidence = make_evidence(article, "a pointed exchange")
    return make_story("The exchange", statements=[("It was tense.", [evidence])])


@pytest.fixture
def editor(django_user_model):
    """An editor: preview needs a desk role, not staff status alone."""
    from django.contrib.auth.models import Group

    from stories.roles import EDITORS

    user = django_user_model.objects.create_user(
        "editor", first_name="Ed", last_name="Itor", is_staff=True
    )
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def reader_urls(story):
    evidence = story.published_revision.evidence.select_related("claim", "article").first()
    person = Person.objects.create(name="Justin Timberlake")
    evidence.claim.people.add(person)
    return [
        "/",
        story.get_absolute_url(),
        f"{story.get_absolute_url()}reconciliation.json",
        evidence.article.get_absolute_url(),
        evidence.claim.get_absolute_url(),
        person.get_absolute_url(),
    ]


def test_every_reader_page_is_cached_with_strong_validators_for_a_cdn(
    client, story, django_assert_num_queries
):
    for url in reader_urls(story):
        first = client.get(url)
        assert first.status_code == 200, url
        etag = first["ETag"]
        assert etag.startswith('"') and etag.endswith('"'), (url, etag)  # strong: no W/
        assert first["Last-Modified"]
        assert first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=30"
        with django_assert_num_queries(1):  # the public version, and nothing is rendered
            again = client.get(url)
        assert again.content == first.content, url
        assert again["ETag"] == etag
        # Served before the rest of the stack (PublicPageMiddleware), with what it added.
        for header in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary"):
            assert again[header] == first[header], (url, header)
        assert again["Cache-Control"] == first["Cache-Control"]


def test_conditional_requests_get_a_304_without_the_page(client, story, django_assert_num_queries):
    url = story.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(1):
        by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]
    by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert by_date.status_code == 304
    other = client.get(url, headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200


def test_a_reader_with_a_session_goes_the_whole_way(client, story, django_user_model):
    url = story.get_absolute_url()
    client.get(url)
    reader = client.__class__()
    reader.force_login(django_user_model.objects.create_user("reader"))  # not staff
    response = reader.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=30"
    assert "sessionid" in reader.cookies


def test_pages_differ_by_address_but_not_by_unused_query_strings(
    client, story, django_assert_num_queries
):
    url = story.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(1):
        junk = client.get(url, {"utm_source": "x", "n": uuid.uuid4().hex})
    assert junk["ETag"] == first["ETag"]
    source = client.get(story.published_revision.evidence.first().article.get_absolute_url())
    assert source["ETag"] != first["ETag"]
    assert client.get("/", {"page": "1"}).status_code == 200
    # The front page's own parameter is part of its address: page 2 is not page 1's copy.
    assert client.get("/", {"page": "2"}).status_code == 404


def test_a_missing_page_is_not_cached_and_has_no_validators(client, story):
    response = client.get("/stories/no-such-story/")
    assert response.status_code == 404
    assert not response.has_header("ETag")
    assert not response.has_header("Last-Modified")
    assert "public" not in response.get("Cache-Control", "")


def test_staff_previews_are_never_cached_nor_served_from_the_cache(client, story, editor):
    url = story.get_absolute_url()
    public = client.get(url)  # readers' page, now cached
    statement = story.statements.get()
    statement.text = "A draft sentence only the desk may read."
    statement.save()

    staff = client.__class__()
    staff.force_login(editor)
    preview = staff.get(url, {"preview": ""})
    assert "A draft sentence only the desk may read." in preview.content.decode()
    assert "Draft preview" in preview.content.decode()
    assert preview["Cache-Control"] == "private, no-store"
    assert not preview.has_header("ETag")
    not_even_published = staff.get(url)  # staff are never served the readers' copy either
    assert not not_even_published.has_header("ETag")
    assert not_even_published["Cache-Control"] == "private, no-store"

    again = client.get(url)
    assert again.content == public.content
    assert "A draft sentence" not in again.content.decode()


def test_a_republished_story_is_never_served_stale(client, story, editor):
    url = story.get_absolute_url()
    first = client.get(url)
    assert "It was tense." in first.content.decode()
    statement = story.statements.get()
    statement.text = "It was tense, said two reporters."
    statement.save()
    assert client.get(url).content == first.content  # readers still see revision 1

    publishing.publish_story(story, editor)

    response = client.get(url, headers={"if-none-match": first["ETag"]})
    assert response.status_code == 200
    assert "It was tense, said two reporters." in response.content.decode()
    assert response["ETag"] != first["ETag"]


def test_a_correction_and_a_verdict_are_never_served_stale(client, story, editor):
    url = story.get_absolute_url()
    claim_url = story.published_revision.evidence.first().claim.get_absolute_url()
    client.get(url), client.get(claim_url)

    Correction.objects.create(story=story, text="We misspelt a name.", created_by=editor)
    assert "We misspelt a name." in client.get(url).content.decode()

    claim = story.published_revision.evidence.first().claim
    decisions.set_verdict(claim, Rating.MISLEADING, "Rests on one video.", editor)
    for page in (url, claim_url):
        html = client.get(page).content.decode()
        assert "Rests on one video." in html, page
    editor.first_name = "Edwina"
    editor.save()
    assert "Edwina Itor" in client.get(claim_url).content.decode()


def test_an_unpublished_story_disappears_at_once(client, story):
    url = story.get_absolute_url()
    cached = client.get(url)
    assert "The exchange" in client.get("/").content.decode()

    publishing.unpublish_story(story)

    assert client.get(url).status_code == 404
    assert client.get(url, headers={"if-none-match": cached["ETag"]}).status_code == 404
    assert "The exchange" not in client.get("/").content.decode()


def test_an_edit_to_a_cited_article_its_origin_or_its_person_is_never_served_stale(client, story):
    evidence = story.published_revision.evidence.select_related("article").first()
    article = evidence.article
    urls = [story.get_absolute_url(), article.get_absolute_url(), evidence.claim.get_absolute_url()]
    for url in urls:
        assert "EW" in client.get(url).content.decode()

    outlet = article.outlet
    outlet.name = "Entertainment Weekly"
    outlet.save()
    for url in urls:
        assert "Entertainment Weekly" in client.get(url).content.decode(), url

    article.headline = "A pointed exchange, revisited"
    article.save()
    assert "A pointed exchange, revisited" in client.get(urls[1]).content.decode()

    origin = Origin.objects.get(evidence=evidence)
    origin.label = "EW’s reading of the live feed"
    origin.save()
    assert "EW’s reading of the live feed" in client.get(urls[0]).content.decode()

    person = Person.objects.create(name="Justin Timberlake")
    evidence.claim.people.add(person)
    assert "Justin Timberlake" in client.get(urls[2]).content.decode()
    person.name = "Justin R. Timberlake"
    person.save()
    assert "Justin R. Timberlake" in client.get(urls[2]).content.decode()


def test_a_scheduled_story_appears_when_its_time_comes(client, story):
    later = make_story("Embargoed story", published=False, statements=story_statements(story))
    later.published_at = timezone.now() + timedelta(seconds=1)
    later.save()
    publishing.publish_story(later, None)
    assert "Embargoed story" not in client.get("/").content.decode()
    assert client.get(later.get_absolute_url()).status_code == 404

    time.sleep(1.1)

    assert "Embargoed story" in client.get("/").content.decode()
    assert client.get(later.get_absolute_url()).status_code == 200


def story_statements(story):
    return [(s.text, list(s.evidence.all())) for s in story.statements.all()]


def test_writes_readers_cannot_see_keep_the_cache_warm(story, editor):
    before = PublicVersion.objects.current()
    statement = story.statements.get()
    statement.text = "Draft only."
    statement.save()  # the draft: readers see the revision
    PersonSuggestion.objects.create(article=Article.objects.get(), name="Someone")
    parsed = importing.parse_pasted("A new article", "Nothing cites it yet.")
    articles.add_articles([articles.build_article(parsed)], editor)
    Statement.objects.create(story=story, position=9, text="Another draft sentence.")
    assert PublicVersion.objects.current() == before


def test_a_rolled_back_write_leaves_no_version_behind_and_the_next_one_counts(client, story):
    client.get("/")  # a reader: the next write must move the version
    before, _ = PublicVersion.objects.current()
    with transaction.atomic():
        try:
            with transaction.atomic():
                Correction.objects.create(story=story, text="Never mind.")
                raise RuntimeError
        except RuntimeError:
            pass
        assert PublicVersion.objects.values_list("number", flat=True).get() == before
        Correction.objects.create(story=story, text="This one stays.")  # must bump again
        Correction.objects.create(story=story, text="So does this.")  # covered by that bump
    assert PublicVersion.objects.current()[0] == before + 1


def test_a_write_that_bypasses_signals_says_so(client, story):
    url = story.published_revision.evidence.first().article.get_absolute_url()
    client.get(url)
    Article.objects.update(headline="Renamed in bulk")
    assert "Renamed in bulk" not in client.get(url).content.decode()  # the cache at work
    public_content_changed()
    assert "Renamed in bulk" in client.get(url).content.decode()


def test_last_modified_moves_with_every_version_even_within_one_second(client, story):
    url = story.get_absolute_url()
    seen = []
    for number in range(3):
        Correction.objects.create(story=story, text=f"Correction {number}.")
        etag = client.get(url)["ETag"]  # "number.modified.page"
        seen.append(int(etag.strip('"').split(".")[1]))
    assert seen == sorted(set(seen)), "two versions shared a Last-Modified second"
    time.sleep(max(0, seen[-1] + 1 - time.time()))
    response = client.get(url)  # sent once the clock has caught up with the versions
    assert response["Last-Modified"] == http_date(seen[-1])


def test_the_demo_fixtures_loaded_on_a_live_site_are_never_served_stale(client, db):
    assert client.get(DEMO).status_code == 404
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    assert client.get(DEMO).status_code == 200
