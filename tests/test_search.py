"""/search/?q=: published stories, public claims, people and sources, ranked and
grouped, on SQLite's fallback and on PostgreSQL's full-text search alike; the
tests marked ``postgres_only`` are PostgreSQL's own semantics (unaccent,
stemming, ranking by weight) and run in CI's PostgreSQL pass."""

import re

import pytest
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from stories.models import Claim, Person, Story
from stories.services import publishing

from .factories import make_article, make_evidence, make_story

DEMO_SLUG = "megan-thee-stallion-justin-timberlake-vmas-backstage"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's full-text semantics (unaccent, stemming, weights); SQLite's fallback "
    "is tested by the rest of this file (set DATABASE_URL=postgres://… to run it)",
)


def search(client, q, **params):
    response = client.get(reverse("stories:search"), {"q": q, **params})
    assert response.status_code == 200
    return response


def found(response, kind):
    """The links listed under ``kind``'s heading, in order."""
    html = response.content.decode()
    match = re.search(
        rf'<section class="search-group" aria-labelledby="results-{kind}">(.*?)</section>',
        html,
        re.S,
    )
    if not match:
        return []
    return re.findall(r'<li>\s*<a href="([^"]+)"', match.group(1))


@pytest.mark.django_db
def test_the_demo_story_is_found_by_a_name_and_by_a_phrase(client, demo_data):
    story_url = reverse("stories:detail", kwargs={"slug": DEMO_SLUG})
    for q in ["Timberlake", '"pointed exchange"', "timberlake backstage"]:
        assert found(search(client, q), "stories") == [story_url], q
    response = search(client, "Timberlake")
    assert "<mark>Timberlake</mark>" in response.content.decode()
    assert reverse("stories:person", kwargs={"slug": "justin-timberlake"}) in found(
        response, "people"
    )
    assert found(response, "claims") and found(response, "sources")


@pytest.mark.django_db
def test_a_phrase_must_occur_in_order(client, demo_data):
    assert found(search(client, '"exchange pointed"'), "stories") == []
    assert found(search(client, "exchange pointed"), "stories")  # as words, it matches


@pytest.mark.django_db
def test_results_are_grouped_by_kind_with_counts(client, demo_data):
    html = search(client, "Timberlake").content.decode()
    headings = re.findall(r'<h2 id="results-([a-z]+)">', html)
    assert headings == ["stories", "claims", "people", "sources"]
    assert re.search(r"Claims <span class=\"meta\">\(8\)</span>", html)
    assert "All 8 claims" in html  # five shown, the rest one click away


@pytest.mark.django_db
def test_an_empty_or_absurd_query_gets_a_calm_page(client, demo_data):
    cases = {
        "": "Type words in the search box",
        "!!!?": "has no words to look for",
        "the of and": "has no words to look for",
        "zzyzx qqwerty": "Nothing published matches",
        "x" * 10_000: "only its first words were used",
        "'; DROP TABLE stories_story; --": "",
        "\x00\x01 timberlake": "",
        "a:* & | ! <-> (": "",  # tsquery operators, which websearch_to_tsquery never reads
    }
    for q, says in cases.items():
        response = search(client, q)
        assert says in response.content.decode(), q[:40]
    assert Story.objects.published().count() == 1  # and nothing was dropped


@pytest.mark.django_db
def test_markup_in_a_query_is_shown_escaped(client, demo_data):
    html = search(client, '<script>alert("x")</script> <b>Timberlake</b>').content.decode()
    assert "<script>alert" not in html and "<b>Timberlake" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_an_unpaginated_kind_or_page_number_is_calm(client, demo_data):
    assert found(search(client, "Timberlake", kind="nonsense"), "stories")
    response = search(client, "Timberlake", kind="claims", page="999")
    assert len(found(response, "claims")) == 8  # the last page
    assert found(response, "stories") == []


class DraftsNeverAppear(TestCase):
    """Drafts, their headlines and words, claims only a draft cites, and the
    sources only such claims quote are not found, even by staff."""

    @classmethod
    def setUpTestData(cls):
        public = make_article(body="The quokka festival opened with a parade.", headline="Quokkas")
        cls.public_claim = Claim.objects.create(text="The quokka festival opened with a parade")
        evidence = make_evidence(public, "quokka festival opened", claim=cls.public_claim)
        cls.story = make_story("Quokka festival", statements=[("A quokka parade.", [evidence])])
        secret = make_article(body="The wombat summit is secret.", headline="Wombats", outlet="XY")
        cls.secret_claim = Claim.objects.create(text="The wombat summit happened")
        secret_evidence = make_evidence(secret, "wombat summit", claim=cls.secret_claim)
        make_story(
            "Wombat summit", published=False, statements=[("A wombat summit.", [secret_evidence])]
        )
        cls.secret_person = Person.objects.create(name="Wilhelmina Wombat")
        cls.secret_claim.people.add(cls.secret_person)
        cls.staff = cls._staff()

    @staticmethod
    def _staff():
        from django.contrib.auth import get_user_model

        return get_user_model().objects.create_superuser("chief", password="pw-chief-1")

    def test_a_draft_and_what_only_it_cites_are_not_found_by_anyone(self):
        for login in (False, True):
            if login:
                self.client.force_login(self.staff)
            for q in ["wombat", "Wilhelmina", "summit"]:
                response = search(self.client, q)
                for kind in ("stories", "claims", "people", "sources"):
                    self.assertEqual(found(response, kind), [], f"{q} {kind} staff={login}")
                self.assertContains(response, "Nothing published matches")
        self.assertEqual(
            found(search(self.client, "quokka"), "claims"), [self.public_claim.get_absolute_url()]
        )

    def test_a_draft_edit_is_found_only_once_published(self):
        story = self.story
        story.headline = "Quokka festival and the marsupial marathon"
        story.save()
        statement = story.statements.get()
        statement.text = "A quokka parade, then a marathon."
        statement.save()
        self.assertEqual(found(search(self.client, "marathon"), "stories"), [])
        self.assertEqual(
            found(search(self.client, "quokka"), "stories"), [story.get_absolute_url()]
        )
        publishing.publish_story(story, None)
        for q in ["marsupial", "marathon"]:
            self.assertEqual(found(search(self.client, q), "stories"), [story.get_absolute_url()])

    def test_an_unpublished_story_is_no_longer_found(self):
        publishing.unpublish_story(self.story)
        self.assertEqual(found(search(self.client, "quokka"), "stories"), [])
        self.assertEqual(found(search(self.client, "quokka"), "claims"), [])


class Pagination(TestCase):
    @classmethod
    def setUpTestData(cls):
        article = make_article(body="Aardvarks dig burrows at night.", headline="Aardvarks")
        evidence = [
            make_evidence(article, "Aardvarks dig burrows", claim=f"Aardvark claim number {i:02}")
            for i in range(23)
        ]
        make_story("Aardvark night", statements=[("Aardvarks dig.", evidence)])

    def test_one_kind_is_paginated_and_the_links_keep_the_query(self):
        first = search(self.client, "aardvark", kind="claims")
        self.assertEqual(len(found(first, "claims")), 20)
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, 'href="?q=aardvark&amp;kind=claims&amp;page=2"')
        second = search(self.client, "aardvark", kind="claims", page=2)
        self.assertEqual(len(found(second, "claims")), 3)
        self.assertEqual(set(found(first, "claims")) & set(found(second, "claims")), set())

    def test_all_kinds_show_their_best_few_and_count_the_rest(self):
        response = search(self.client, "aardvark")
        self.assertEqual(len(found(response, "claims")), 5)
        self.assertContains(response, "All 23 claims")

    def test_the_query_count_does_not_grow_with_the_results(self):
        self.client.get(reverse("stories:search"), {"q": "aardvark"})  # warm the caches
        # One query a kind, a count for the kind with more than it shows.
        with self.assertNumQueries(5):
            search(self.client, "aardvark")
        with self.assertNumQueries(2):
            search(self.client, "aardvark", kind="claims")


class Ranking(TestCase):
    """The better match comes first: a word in the headline (A) over one in the body (C)."""

    @classmethod
    def setUpTestData(cls):
        in_body = make_article(
            body="Nothing here but a capybara, once.", headline="Rodents", outlet="One"
        )
        in_headline = make_article(
            body="A story about large rodents.", headline="The capybara question", outlet="Two"
        )
        cited = [
            make_evidence(in_body, "Nothing here", claim="Rodents are here"),
            make_evidence(in_headline, "large rodents", claim="Rodents are large"),
        ]
        make_story("Rodent roundup", statements=[("Rodents.", cited)])
        cls.in_body, cls.in_headline = in_body, in_headline

    def test_a_headline_match_ranks_above_a_body_match(self):
        self.assertEqual(
            found(search(self.client, "capybara"), "sources"),
            [self.in_headline.get_absolute_url(), self.in_body.get_absolute_url()],
        )

    def test_an_excluded_word_drops_a_result(self):
        self.assertEqual(
            found(search(self.client, "capybara -question"), "sources"),
            [self.in_body.get_absolute_url()],
        )


@postgres_only
class PostgresSemantics(TestCase):
    @classmethod
    def setUpTestData(cls):
        article = make_article(
            body="Zoë Kravitz and Beyoncé watched the exchanges from the wings.",
            headline="Backstage guests",
        )
        claim = Claim.objects.create(text="Zoë Kravitz watched from the wings")
        evidence = make_evidence(article, "Zoë Kravitz and Beyoncé watched", claim=claim)
        cls.person = Person.objects.create(name="Zoë Kravitz", aliases="Zoë")
        claim.people.add(cls.person)
        cls.story = make_story("Guests in the wings", statements=[("Zoë watched.", [evidence])])
        cls.article = article

    def test_an_unaccented_name_finds_the_accented_one(self):
        for q in ["Zoe", "zoe kravitz", "Beyonce", "ZOË"]:
            response = search(self.client, q)
            self.assertIn(self.article.get_absolute_url(), found(response, "sources"), q)
        response = search(self.client, "Zoe")
        self.assertEqual(found(response, "people"), [self.person.get_absolute_url()])
        self.assertEqual(found(response, "stories"), [self.story.get_absolute_url()])
        self.assertContains(response, "<mark>Zoë</mark>")

    def test_words_are_stemmed(self):
        response = search(self.client, "exchange watching")
        self.assertEqual(found(response, "sources"), [self.article.get_absolute_url()])

    def test_or_is_an_alternative(self):
        self.assertTrue(found(search(self.client, "kravitz or nonexistentword"), "sources"))
        self.assertFalse(found(search(self.client, "kravitz nonexistentword"), "sources"))

    def test_the_vectors_are_stored_and_indexed(self):
        from stories.models import Article

        self.assertFalse(Article.objects.filter(search_vector__isnull=True).exists())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes "
                "WHERE indexdef LIKE '%%USING gin (search_vector)%%'"
            )
            names = {row[0] for row in cursor.fetchall()}
        self.assertEqual(names, {"story_search", "claim_search", "person_search", "article_search"})

    def test_an_outlet_renamed_is_found_by_its_new_name(self):
        outlet = self.article.outlet
        outlet.name = "Entertainment Weekly"
        outlet.save()
        self.assertEqual(
            found(search(self.client, "entertainment weekly"), "sources"),
            [self.article.get_absolute_url()],
        )

    def test_rows_without_a_vector_get_one_after_migrate(self):
        from django.core.management import call_command

        from stories import search as searching_module
        from stories.models import Article

        Article.objects.update(search_vector=None)
        self.assertEqual(found(search(self.client, "Kravitz"), "sources"), [])
        call_command("migrate", verbosity=0)  # post_migrate fills what is missing
        self.assertEqual(searching_module.index_missing(), 0)
        self.assertEqual(
            found(search(self.client, "Kravitz"), "sources"), [self.article.get_absolute_url()]
        )

    def test_a_huge_body_is_indexed_by_its_beginning(self):
        import secrets

        from stories.models import Article

        noise = " ".join(secrets.token_hex(6) for _ in range(200_000))  # 2.6 MB, all unique
        article = make_article(body="Quagga herds. " + noise, headline="Huge", outlet="Big")
        self.assertTrue(Article.objects.filter(pk=article.pk, search_vector__isnull=False).exists())
