"""The read-only JSON API: only what readers may see, the story page's own
reconciliation, filters, pagination, ETags and the anonymous rate limit."""

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from stories.models import Claim, Person, Rating, Statement, Story, Verdict
from stories.services import publishing

from .factories import make_article, make_evidence, make_story

DEMO_SLUG = "megan-thee-stallion-justin-timberlake-vmas-backstage"


class ApiTestCase(TestCase):
    def get(self, name, *args, expect=200, **params):
        response = self.client.get(reverse(name, args=args), params)
        self.assertEqual(response.status_code, expect, response.content[:500])
        return response

    def ids(self, name, **params):
        return [item["id"] for item in self.get(name, **params).json()["results"]]


class WithDemo(ApiTestCase):
    fixtures = ["seed_articles", "demo_story"]

    def test_the_story_embeds_the_reconciliation_partners_already_read(self):
        story = self.get("api:story-detail", DEMO_SLUG).json()
        page_json = self.client.get(reverse("stories:reconciliation", args=[DEMO_SLUG])).json()
        self.assertEqual(story["reconciliation"], page_json)
        self.assertEqual(
            story["reconciliation_url"],
            f"http://testserver/stories/{DEMO_SLUG}/reconciliation.json",
        )
        self.assertEqual(len(story["statements"]), 12)
        first = story["statements"][0]
        self.assertEqual(first["position"], 1)
        self.assertEqual([c["number"] for c in first["citations"]], [1, 2, 3])
        passage = first["citations"][0]["evidence"]
        self.assertEqual(set(passage) >= {"quote", "start", "end", "source", "claim", "url"}, True)

    def test_a_claims_weighing_is_the_one_in_the_storys_reconciliation(self):
        reconciliation = self.client.get(reverse("stories:reconciliation", args=[DEMO_SLUG])).json()
        for entry in reconciliation["claims"]:
            claim = self.get("api:claim-detail", entry["id"]).json()
            self.assertEqual(claim["weighing"], entry)
            self.assertEqual(claim["status"], entry["status"])
            chains = [
                o["chains"]
                for side in ("supporting", "disputing")
                for o in claim["weighing"][side]["origins"]
            ]
            self.assertTrue(chains)

    def test_a_source_gives_its_passages_by_offset_not_its_body(self):
        from stories.models import Article

        for article in Article.objects.published():
            source = self.get("api:source-detail", article.pk).json()
            self.assertNotIn("body", source)
            self.assertEqual(source["length"], len(article.body))
            self.assertTrue(source["passages"])
            for passage in source["passages"]:
                self.assertEqual(article.body[passage["start"] : passage["end"]], passage["quote"])

    def test_lists_are_paginated(self):
        page = self.get("api:claim-list", page_size=5).json()
        self.assertEqual((page["count"], len(page["results"])), (12, 5))
        self.assertEqual(page["next"], "http://testserver/api/claims/?page=2&page_size=5")
        last = self.get("api:claim-list", page_size=5, page=3).json()
        self.assertEqual((len(last["results"]), last["next"]), (2, None))
        self.get("api:claim-list", page=99, expect=404)

    def test_filters(self):
        self.assertEqual(self.ids("api:story-list", person="justin-timberlake"), [1])
        self.assertEqual(self.ids("api:story-list", person="nobody"), [])
        self.assertEqual(self.ids("api:story-list", topic="mtv-vmas-2023"), [1])
        self.assertEqual(self.ids("api:story-list", published_after="2026-11-21"), [1])
        self.assertEqual(self.ids("api:story-list", published_before="2026-11-20"), [])
        disputed = self.ids("api:claim-list", status="disputed")
        self.assertEqual(len(disputed), 1)
        self.assertEqual(self.get("api:claim-detail", disputed[0]).json()["status"], "disputed")
        statuses = {c["status"] for c in self.get("api:claim-list", page_size=50).json()["results"]}
        for status in statuses:
            listed = self.get("api:claim-list", status=status, page_size=50).json()["results"]
            self.assertEqual({c["status"] for c in listed}, {status})
        joey = self.get("api:claim-list", person="joey-fatone").json()["results"]
        self.assertTrue(joey)
        self.assertTrue(all("joey-fatone" in claim["people"] for claim in joey))
        self.assertLess(len(joey), 12)
        Verdict.objects.create(claim_id=disputed[0], rating=Rating.MIXED, reason="Two readings.")
        self.assertEqual(self.ids("api:claim-list", verdict="mixed"), disputed)
        self.assertEqual(len(self.ids("api:source-list", outlet="ew")), 1)
        self.assertEqual(len(self.ids("api:person-list", story=DEMO_SLUG, page_size=50)), 10)
        response = self.get("api:story-list", published_after="not a date", expect=400)
        self.assertIn("published_after", response.json())
        self.get("api:claim-list", status="nonsense", expect=400)

    def test_every_response_has_an_etag_that_a_change_moves(self):
        url = reverse("api:story-detail", args=[DEMO_SLUG])
        first = self.client.get(url)
        etag = first["ETag"]
        self.assertTrue(etag.startswith('"'))
        self.assertEqual(self.client.get(url, headers={"if-none-match": etag}).status_code, 304)
        story = Story.objects.get(slug=DEMO_SLUG)
        Statement.objects.filter(story=story, position=1).update(text="Revised.")
        publishing.publish_story(story, None)
        changed = self.client.get(url, headers={"if-none-match": etag})
        self.assertEqual(changed.status_code, 200)
        self.assertNotEqual(changed["ETag"], etag)
        for name in ("api:story-list", "api:claim-list", "api:source-list", "api:person-list"):
            self.assertTrue(self.get(name).has_header("ETag"), name)

    def test_it_is_read_only(self):
        url = reverse("api:story-detail", args=[DEMO_SLUG])
        for method in ("post", "put", "patch", "delete"):
            response = getattr(self.client, method)(url, {}, content_type="application/json")
            self.assertEqual(response.status_code, 405, method)
        self.assertEqual(Story.objects.get(slug=DEMO_SLUG).headline[:4], "What")

    def test_the_query_count_of_a_list_does_not_grow_with_its_length(self):
        with self.assertNumQueries(4):
            self.get("api:story-list")
        with self.assertNumQueries(7):
            self.get("api:claim-list", page_size=50)
        with self.assertNumQueries(2):
            self.get("api:source-list")
        with self.assertNumQueries(2):
            self.get("api:person-list")

    def test_the_openapi_schema_describes_every_endpoint(self):
        schema = self.get("api:openapi").json()
        self.assertEqual(schema["openapi"][:2], "3.")
        self.assertEqual(
            sorted(schema["paths"]),
            [
                "/api/claims/",
                "/api/claims/{id}/",
                "/api/people/",
                "/api/people/{slug}/",
                "/api/sources/",
                "/api/sources/{id}/",
                "/api/stories/",
                "/api/stories/{slug}/",
            ],
        )
        parameters = {p["name"] for p in schema["paths"]["/api/claims/"]["get"]["parameters"]}
        self.assertGreaterEqual(parameters, {"person", "topic", "status", "verdict", "page"})


class NothingUnpublished(ApiTestCase):
    """Drafts, unpublished stories, claims only a draft cites, their sources and
    people are never served, on lists or by address."""

    @classmethod
    def setUpTestData(cls):
        public = make_article(body="The quokka festival opened.", headline="Quokkas")
        evidence = make_evidence(public, "quokka festival", claim="The festival opened")
        cls.story = make_story("Quokka festival", statements=[("Quokkas.", [evidence])])
        secret = make_article(body="The wombat summit is secret.", headline="Wombats", outlet="XY")
        cls.secret_claim = Claim.objects.create(text="The wombat summit happened")
        secret_evidence = make_evidence(secret, "wombat summit", claim=cls.secret_claim)
        cls.draft = make_story(
            "Wombat summit", published=False, statements=[("W.", [secret_evidence])]
        )
        cls.person = Person.objects.create(name="Wilhelmina Wombat")
        cls.secret_claim.people.add(cls.person)
        cls.secret = secret

    def test_nothing_unpublished_is_listed_or_served(self):
        self.assertEqual(self.ids("api:story-list"), [self.story.pk])
        self.assertNotIn(self.secret_claim.pk, self.ids("api:claim-list"))
        self.assertNotIn(self.secret.pk, self.ids("api:source-list"))
        self.assertEqual(self.ids("api:person-list"), [])
        self.get("api:story-detail", self.draft.slug, expect=404)
        self.get("api:claim-detail", self.secret_claim.pk, expect=404)
        self.get("api:source-detail", self.secret.pk, expect=404)
        self.get("api:person-detail", self.person.slug, expect=404)

    def test_staff_see_no_more_than_anyone(self):
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.create_superuser("chief", password="pw-chief-1")
        self.client.force_login(staff)
        self.get("api:story-detail", self.draft.slug, expect=404)
        self.assertEqual(self.ids("api:story-list"), [self.story.pk])

    def test_an_unpublished_story_and_what_it_made_public_go(self):
        publishing.unpublish_story(self.story)
        for name in ("api:story-list", "api:claim-list", "api:source-list"):
            self.assertEqual(self.ids(name), [], name)
        self.get("api:story-detail", self.story.slug, expect=404)

    def test_a_published_storys_draft_edits_are_not_served(self):
        story = self.story
        story.headline = "An edited draft headline"
        story.save()
        Statement.objects.filter(story=story).update(text="Edited draft text.")
        served = self.get("api:story-detail", story.slug).json()
        self.assertEqual(served["headline"], "Quokka festival")
        self.assertEqual([s["text"] for s in served["statements"]], ["Quokkas."])


class RateLimit(ApiTestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    @override_settings(NEWSROOM_API_ANON_RATE="3/minute")
    def test_anonymous_reads_are_rate_limited_per_address(self):
        for _ in range(3):
            self.get("api:story-list")
        refused = self.get("api:story-list", expect=429)
        self.assertTrue(refused.has_header("Retry-After"))
        self.assertIn("throttled", refused.json()["detail"].lower())
        # A forged forwarding header is no fresh address (no trusted proxy here)...
        forged = self.client.get(
            reverse("api:story-list"), headers={"x-forwarded-for": "203.0.113.9"}
        )
        self.assertEqual(forged.status_code, 429)
        # ...but another client is counted on its own.
        other = self.client.get(reverse("api:story-list"), REMOTE_ADDR="198.51.100.7")
        self.assertEqual(other.status_code, 200)


def test_the_schema_generates_without_a_warning_and_validates(tmp_path):
    """Every field has a type the schema states (drf-spectacular warns of guesses)."""
    from django.core.management import call_command

    out = tmp_path / "openapi.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.stat().st_size > 1000
