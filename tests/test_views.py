import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.models import Person, Statement, Story
from stories.services import publishing

from .desk import client_for, desk_user
from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db

DEMO_SLUG = "megan-thee-stallion-justin-timberlake-vmas-backstage"


@pytest.fixture
def demo(db):
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    return Story.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def staff_client(django_user_model):
    """A desk user (a reporter): staff with a desk role, who may preview."""
    return client_for(desk_user(django_user_model, "reporter", "desk"))


def test_front_page_lists_published_stories_newest_first(client):
    article = make_article()
    evidence = make_evidence(article, "a pointed exchange")
    older = make_story("Older story", statements=[("One.", [evidence])])
    newer = make_story("Newer story", statements=[("Two.", [evidence])])
    Story.objects.filter(pk=older.pk).update(published_at=newer.published_at.replace(year=2020))
    make_story("Secret draft", published=False)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Newer story") < html.index("Older story")
    assert "Secret draft" not in html


def test_demo_story_every_statement_links_to_a_passage_on_its_source_page(client, demo):
    response = client.get(demo.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for statement in demo.statements.all():
        block = re.search(
            rf'<div class="statement-block" id="statement-{statement.pk}">(.*?)</div>', html, re.S
        )
        assert block, f"statement {statement.pk} is missing from the page"
        links = re.findall(r'<a class="cite" href="(/sources/\d+/)#(passage-\d+)"', block.group(1))
        assert links, f"statement {statement.pk} has no citation marker"
        for source_url, anchor in links:
            source = client.get(source_url)
            assert source.status_code == 200
            assert f'id="{anchor}"' in source.content.decode(), f"{anchor} not on {source_url}"


def test_demo_story_shows_the_dispute_and_who_takes_each_side(client, demo):
    html = client.get(demo.get_absolute_url()).content.decode()
    assert "Disputed" in html
    assert "Supported by" in html
    assert "Disputed by" in html or "Contradicted by" in html
    assert "Sources" in html
    for person in Person.objects.filter(name__in=["Megan Thee Stallion", "Justin Timberlake"]):
        assert f'href="{person.get_absolute_url()}"' in html


def test_demo_person_and_claim_pages(client, demo):
    megan = Person.objects.get(name="Megan Thee Stallion")
    response = client.get(megan.get_absolute_url())
    assert response.status_code == 200
    assert demo.headline in response.content.decode()
    claim = demo.statements.first().evidence.first().claim
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert claim.text in response.content.decode()


def test_source_page_highlights_each_public_passage(client):
    article = make_article()
    evidence = make_evidence(article, "a pointed exchange")
    make_story("Live", statements=[("Tense.", [evidence])])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert f'<mark class="passage stance-supports" id="passage-{evidence.pk}"' in (
        response.content.decode()
    )


def test_drafts_are_404_for_the_public_and_previewable_by_staff(client, staff_client):
    article = make_article()
    evidence = make_evidence(article, "a pointed exchange")
    draft = make_story("Draft story", published=False, statements=[("Tense.", [evidence])])
    person = Person.objects.create(name="Megan Thee Stallion")
    evidence.claim.people.add(person)
    for url in [
        draft.get_absolute_url(),
        article.get_absolute_url(),
        evidence.claim.get_absolute_url(),
        person.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 404, url
        assert staff_client.get(url).status_code == 200, url
    preview = staff_client.get(draft.get_absolute_url())
    assert "Draft preview" in preview.content.decode()
    assert "Draft story" not in client.get("/").content.decode()


def test_staff_without_a_desk_role_see_only_what_readers_see(client, django_user_model):
    """Preview needs a desk role (Reporters or Editors, or view and change on stories),
    not ``is_staff`` alone."""
    article = make_article()
    evidence = make_evidence(article, "a pointed exchange")
    draft = make_story("Draft story", published=False, statements=[("Tense.", [evidence])])
    person = Person.objects.create(name="Megan Thee Stallion")
    evidence.claim.people.add(person)
    live = make_story("Live story", statements=[("Published words.", [evidence])])
    Statement.objects.filter(story=live).update(text="Draft words.")
    evidence.claim.people.remove(person)
    no_role = client_for(
        django_user_model.objects.create_user("no-role", password="pw", is_staff=True)
    )
    for url in [draft.get_absolute_url(), person.get_absolute_url()]:
        assert no_role.get(url).status_code == 404, url
        assert no_role.get(url + "?preview").status_code == 404, url
    preview = no_role.get(live.get_absolute_url() + "?preview").content.decode()
    assert "Published words." in preview
    assert "Draft words." not in preview and "Draft preview" not in preview

    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_story"))
    assert client_for(viewer).get(draft.get_absolute_url()).status_code == 404
    viewer.user_permissions.add(Permission.objects.get(codename="change_story"))
    assert client_for(viewer).get(draft.get_absolute_url()).status_code == 200


def test_user_text_is_escaped(client):
    article = make_article(
        body="<script>alert('body')</script> said a <b>source</b>.",
        headline="<script>alert('headline')</script>",
        outlet="<i>EW</i>",
    )
    evidence = make_evidence(article, "<b>source</b>", claim="<img src=x onerror=alert(1)>")
    story = make_story(
        "<script>alert('story')</script>",
        slug="xss",
        statements=[("<script>alert('statement')</script>", [evidence])],
    )
    for url in [story.get_absolute_url(), article.get_absolute_url(), "/"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
    html = client.get(article.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;source&lt;/b&gt;</mark>" in html
    # The marker's preview and the matrix cell (``reconciled`` tags) escape as templates do.
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'id="cell-{evidence.pk}">“&lt;b&gt;source&lt;/b&gt;”</span>' in html
    assert "</strong>: “&lt;b&gt;source&lt;/b&gt;”</span>" in html
    assert 'data-label="&lt;i&gt;EW&lt;/i&gt;"' in html


def story_with_statements(count, slug):
    first = make_article(body=f"Alpha {slug} one.\n\nBeta two.", headline=f"A {slug}")
    second = make_article(body=f"Gamma {slug} three.", headline=f"B {slug}", outlet="Other")
    supports = make_evidence(first, "one", claim=f"Claim {slug}")
    disputes = make_evidence(second, "three", claim=supports.claim, stance="disputes")
    rival = make_evidence(first, "two", claim=f"Rival {slug}")
    rival.claim.contradicts.add(supports.claim)
    story = make_story(f"Story {slug}", slug=slug, published=False)
    megan = Person.objects.get_or_create(name="Megan Thee Stallion")[0]
    supports.claim.people.add(megan)
    for position in range(count):
        statement = Statement.objects.create(story=story, position=position, text=f"S{position}")
        statement.evidence.set([supports, disputes, rival][: 1 + position % 3])
        statement.people.add(megan)
    publishing.publish_story(story, None)
    return story


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_story_page_query_count_does_not_grow_with_statements(client):
    small = story_with_statements(3, "small")
    large = story_with_statements(100, "large")
    small_count = count_queries(client, small.get_absolute_url())
    large_count = count_queries(client, large.get_absolute_url())
    assert small_count == large_count
    assert large_count == STORY_PAGE_QUERIES
    html = client.get(large.get_absolute_url()).content.decode()
    assert html.count('class="statement-block"') == 100


def test_source_page_query_count_does_not_grow_with_passages(client):
    article = make_article(body=" ".join(f"word{i:03d}" for i in range(60)))
    claim = "Many words"
    first = make_evidence(article, "word001", claim=claim)
    small = count_queries_for_passages(client, article, [first])
    more = [make_evidence(article, f"word{i:03d}", claim=claim) for i in range(10, 40)]
    assert count_queries_for_passages(client, article, [first, *more]) == small


def count_queries_for_passages(client, article, passages):
    Story.objects.all().delete()
    make_story("Words", statements=[("Words.", passages)])
    return count_queries(client, reverse("stories:source", kwargs={"pk": article.pk}))


def test_a_person_address_with_a_nul_character_is_not_found():
    assert Client(raise_request_exception=True).get("/people/%00/").status_code == 404


# The figures docs/performance.md promises: pinned exactly, so a change that adds a
# query is seen, and with no statement repeated, so none is an N+1 in disguise. Each
# counts the public version (stories.caching), the first query of every reader page;
# the story page still takes 10 because the ledger reads both kinds of editors'
# decisions in one query.
STORY_PAGE_QUERIES = 10
SOURCE_PAGE_QUERIES = 5
FRONT_PAGE_QUERIES = 3


def sql_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert '"stories_publicversion"' in sql[0], "the page did not start from the public version"
    return sql


@pytest.mark.parametrize("statements", [10, 200])
def test_the_story_page_takes_the_promised_queries_none_twice(client, statements):
    story = story_with_statements(statements, f"pinned-{statements}")
    sql = sql_of(client, story.get_absolute_url())
    assert len(sql) == STORY_PAGE_QUERIES, "\n".join(sql)
    assert len(set(sql)) == len(sql), "a query ran twice on the story page"


def test_the_source_and_front_pages_take_the_promised_queries_none_twice(client):
    story = story_with_statements(3, "pinned-source")
    article = story.statements.first().evidence.first().article
    for url, expected in [
        (article.get_absolute_url(), SOURCE_PAGE_QUERIES),
        (reverse("stories:list"), FRONT_PAGE_QUERIES),
    ]:
        sql = sql_of(client, url)
        assert len(sql) == expected, (url, sql)
        assert len(set(sql)) == len(sql), url
