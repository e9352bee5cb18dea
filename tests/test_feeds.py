"""Atom feeds of published stories (the site's, a person's, a topic's) and the
RSS variant: parsed as XML and checked against what Atom (RFC 4287) requires."""

from datetime import timedelta
from xml.etree import ElementTree

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from stories.models import Claim, Correction, Person, Statement
from stories.services import publishing

from .factories import make_article, make_evidence, make_story

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed
    assert feed.tag == f"{ATOM}feed"
    return feed


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def assert_valid_atom(feed):
    """What RFC 4287 requires of a feed and each entry."""
    for element in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{element}") is not None, element
    assert parse_datetime(feed.findtext(f"{ATOM}updated"))
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links.get("self", "").startswith("http://testserver/")
    assert links.get("alternate", "").startswith("http://testserver/")
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in entries(feed):
        for element in ("id", "title", "updated", "published", "summary"):
            assert entry.findtext(f"{ATOM}{element}"), element
        assert parse_datetime(entry.findtext(f"{ATOM}updated"))
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http://")
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None


class StoriesFeed(TestCase):
    @classmethod
    def setUpTestData(cls):
        article = make_article()
        cls.claim = Claim.objects.create(text="The exchange was tense")
        evidence = make_evidence(article, "pointed exchange", claim=cls.claim)
        cls.person = Person.objects.create(name="Megan Thee Stallion")
        cls.claim.people.add(cls.person)
        cls.story = make_story(
            "The exchange", statements=[("A pointed <exchange> & more.", [evidence])]
        )
        cls.story.standfirst = "What happened backstage."
        cls.story.topics.add("VMAs")
        make_story("A draft", published=False, statements=[("Draft.", [evidence])])
        cls.story.save()
        publishing.publish_story(cls.story, None)  # the standfirst, in revision 2
        cls.story.refresh_from_db()

    def test_the_site_feed_is_valid_atom_with_summary_date_and_author(self):
        feed = atom(self.client.get(reverse("stories:feed")))
        assert_valid_atom(feed)
        (entry,) = entries(feed)
        self.assertEqual(entry.findtext(f"{ATOM}title"), "The exchange")
        self.assertEqual(entry.findtext(f"{ATOM}summary"), "What happened backstage.")
        self.assertEqual(entry.findtext(f"{ATOM}author/{ATOM}name"), "Newsroom")
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        self.assertEqual(link, "http://testserver" + self.story.get_absolute_url())
        updated = parse_datetime(entry.findtext(f"{ATOM}updated"))
        self.assertEqual(updated, self.story.published_revision.created_at)

    def test_a_correction_or_a_new_revision_updates_the_entry(self):
        later = timezone.now() + timedelta(days=2)
        Correction.objects.create(story=self.story, text="Fixed a name.", created_at=later)
        (entry,) = entries(atom(self.client.get(reverse("stories:feed"))))
        self.assertEqual(parse_datetime(entry.findtext(f"{ATOM}updated")), later)
        published = entry.findtext(f"{ATOM}published")

        Statement.objects.filter(story=self.story).update(text="A new text.")
        revision = publishing.publish_story(self.story, None)
        Correction.objects.all().delete()
        feed = atom(self.client.get(reverse("stories:feed")))
        (entry,) = entries(feed)
        self.assertEqual(parse_datetime(entry.findtext(f"{ATOM}updated")), revision.created_at)
        self.assertEqual(entry.findtext(f"{ATOM}published"), published)
        self.assertEqual(feed.findtext(f"{ATOM}updated"), entry.findtext(f"{ATOM}updated"))

    def test_drafts_and_unpublished_stories_are_not_in_any_feed(self):
        publishing.unpublish_story(self.story)
        self.assertEqual(entries(atom(self.client.get(reverse("stories:feed")))), [])
        person_feed = reverse("stories:person_feed", kwargs={"slug": self.person.slug})
        self.assertEqual(self.client.get(person_feed).status_code, 404)  # no longer public
        topic_feed = reverse("stories:topic_feed", kwargs={"slug": "vmas"})
        self.assertEqual(self.client.get(topic_feed).status_code, 404)

    def test_a_persons_feed_lists_the_stories_citing_claims_about_them(self):
        url = reverse("stories:person_feed", kwargs={"slug": self.person.slug})
        feed = atom(self.client.get(url))
        assert_valid_atom(feed)
        self.assertEqual([e.findtext(f"{ATOM}title") for e in entries(feed)], ["The exchange"])
        self.assertIn("Megan Thee Stallion", feed.findtext(f"{ATOM}title"))
        nobody = Person.objects.create(name="Nobody Public")
        url = reverse("stories:person_feed", kwargs={"slug": nobody.slug})
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_topics_feed_lists_its_published_stories(self):
        feed = atom(self.client.get(reverse("stories:topic_feed", kwargs={"slug": "vmas"})))
        assert_valid_atom(feed)
        self.assertEqual([e.findtext(f"{ATOM}title") for e in entries(feed)], ["The exchange"])
        draft = make_story("Secret topic", published=False)
        draft.topics.add("Secret plans")
        url = reverse("stories:topic_feed", kwargs={"slug": "secret-plans"})
        self.assertEqual(self.client.get(url).status_code, 404)
        url = reverse("stories:topic_feed", kwargs={"slug": "no-such-topic"})
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_rss_variant_is_rss_2(self):
        response = self.client.get(reverse("stories:rss"))
        self.assertEqual(response.status_code, 200)
        rss = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed
        self.assertEqual((rss.tag, rss.get("version")), ("rss", "2.0"))
        self.assertEqual([item.findtext("title") for item in rss.iter("item")], ["The exchange"])

    def test_pages_point_feed_readers_at_the_feeds(self):
        front = self.client.get(reverse("stories:list"))
        self.assertContains(
            front,
            '<link rel="alternate" type="application/atom+xml" href="/feed/" '
            'title="Newsroom: reconciled stories (Atom)">',
            html=True,
        )
        person = self.client.get(self.person.get_absolute_url())
        feed = reverse("stories:person_feed", kwargs={"slug": self.person.slug})
        self.assertContains(
            person,
            f'<link rel="alternate" type="application/atom+xml" href="{feed}" '
            'title="Newsroom: stories about Megan Thee Stallion (Atom)">',
            html=True,
        )
