"""The article reading view: highlights, citing a selected or pasted passage, removing one,
and the quoted-speech panel, through the real admin as a logged-in editor."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.admin.reading import claim_text_for_quote, shorten
from stories.models import Article, Claim, Evidence, Origin, OriginKind, Person
from stories.text import anchoring, paragraphs

from .factories import make_article, make_evidence

pytestmark = pytest.mark.django_db

REPEATED = "The crowd cheered."
REPEATED_BODY = (
    "The crowd cheered. Megan arrived early for rehearsal with her dancers.\n\n"
    "Rehearsals ran long and the lighting crew reset the rig twice.\n\n"
    "Timberlake slipped out through the side door. The crowd cheered. "
    "Nobody noticed the security guards.\n\n"
    "The show ended after midnight \U0001f389 \u2014 \u201cwhat a night,\u201d she said."
)
SECOND = REPEATED_BODY.index(REPEATED, 1)

SEED_002_HEADLINE_START = "Megan Thee Stallion and Justin Timberlake\u2019s Backstage Encounter"
MEGAN_QUOTE = "No, no, this don\u2019t count. This don\u2019t count. We gotta meet proper."


# --------------------------------------------------------------------------------------------
# Helpers


class Segments(HTMLParser):
    """Every element carrying ``data-start``, with its text, plus the marks and popovers."""

    def __init__(self):
        super().__init__()
        self.segments = []  # [start, end, text]
        self.marks = []  # attrs of each <mark>
        self.popovers = {}  # id -> text
        self._stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "mark":
            self.marks.append(attrs)
        if "data-start" in attrs:
            self.segments.append([int(attrs["data-start"]), int(attrs["data-end"]), ""])
        self._stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _tag, attrs in reversed(self._stack):
            if "data-start" in attrs:
                self.segments[-1][2] += data
                break
        for _tag, attrs in self._stack:
            if "desk-pop" in attrs.get("class", "").split():
                self.popovers[attrs["id"]] = self.popovers.get(attrs["id"], "") + data


def parse(response):
    parser = Segments()
    parser.feed(response.content.decode())
    return parser


def html(response):
    return response.content.decode()


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def read_url(article):
    return reverse("admin:stories_article_read", args=[article.pk])


def cite_url(article):
    return reverse("admin:stories_article_cite", args=[article.pk])


def cite_data(quote, **fields):
    data = {
        "quote": quote,
        "start": "",
        "end": "",
        "context": "",
        "claim": "",
        "claim_text": "",
        "stance": "supports",
        "origin": "",
        "origin_kind": "reporting",
        "origin_label": "",
        "origin_person": "",
        "relayed_by": "",
    }
    data.update({key: str(value) for key, value in fields.items()})
    return data


def staff_with(client, *codenames, username="reporter"):
    user = User.objects.create_user(username, password="irrelevant-pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


def log_entries(model, action_flag):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), action_flag=action_flag
    )


# --------------------------------------------------------------------------------------------
# Reading


def test_reading_view_highlights_each_passage_with_an_id_and_a_popover(admin_client):
    article = make_article(body=REPEATED_BODY)
    first = make_evidence(article, "arrived early for rehearsal", claim="Megan came early")
    second = make_evidence(
        article, REPEATED, claim="The crowd was happy", stance="disputes", start=SECOND
    )

    response = admin_client.get(read_url(article))

    assert response.status_code == 200
    page = parse(response)
    by_id = {mark.get("id"): mark for mark in page.marks}
    for evidence, stance in [(first, "supports"), (second, "disputes")]:
        mark = by_id[f"passage-{evidence.pk}"]
        assert f"stance-{stance}" in mark["class"]
        assert mark["tabindex"] == "0"  # keyboard users reach it, and the popover shows on focus
        popover = page.popovers[mark["aria-describedby"]]
        assert evidence.claim.text in popover
        assert evidence.get_stance_display() in popover
    text = html(response)
    assert f'href="{reverse("admin:stories_evidence_change", args=[first.pk])}"' in text
    assert f'form="remove-{first.pk}"' in text
    assert 'class="desk-pop"' in text
    assert "stories/desk.js" in text and "stories/desk.css" in text


def test_reading_view_segments_carry_offsets_that_reconstruct_the_body(admin_client):
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    emoji = make_article(body=REPEATED_BODY, headline="With an emoji")
    make_evidence(emoji, "what a night,", claim="It was a good night")
    articles = list(Article.objects.filter(evidence__isnull=False).distinct())
    assert len(articles) == 4 and emoji in articles

    for article in articles:
        page = parse(admin_client.get(read_url(article)))
        body = article.body
        assert page.segments, article
        covered = []
        for start, end, text in page.segments:
            assert body[start : start + len(text)] == text, (article.pk, start, text)
            assert end == start + len(text)
            covered.extend(range(start, end))
        # Every paragraph character is in exactly one segment; separators are not rendered.
        in_paragraphs = [i for a, b in paragraphs.paragraph_spans(body) for i in range(a, b)]
        assert covered == in_paragraphs


def test_every_paragraph_character_is_rendered_once(admin_client):
    article = make_article(body=REPEATED_BODY)
    make_evidence(article, "Megan arrived early", claim="Megan came early")
    make_evidence(article, "arrived early for rehearsal", claim="She was early")

    page = parse(admin_client.get(read_url(article)))

    rendered = "".join(text for _, _, text in page.segments)
    assert rendered == "".join(p for p in REPEATED_BODY.split("\n\n"))


def test_article_change_page_and_changelist_link_to_the_reading_view(admin_client):
    article = make_article()

    change = admin_client.get(reverse("admin:stories_article_change", args=[article.pk]))
    changelist = admin_client.get(reverse("admin:stories_article_changelist"))

    assert f'href="{read_url(article)}">Reading view</a>' in html(change)
    assert f'href="{read_url(article)}"' in html(changelist)


def test_reading_view_needs_view_permission(client):
    article = make_article()
    staff_with(client)  # staff, no permissions

    assert client.get(read_url(article)).status_code == 403


def test_a_reader_without_add_evidence_sees_no_cite_form_and_cannot_post(client):
    article = make_article()
    staff_with(client, "view_article", "view_evidence")

    page = client.get(read_url(article))
    posted = client.post(cite_url(article), cite_data("a pointed exchange", claim_text="Tense"))

    assert page.status_code == 200
    assert 'id="cite-form"' not in html(page)
    assert posted.status_code == 403
    assert not Evidence.objects.exists() and not Claim.objects.exists()


def test_reading_view_query_count_does_not_grow_with_passages(admin_client):
    article = make_article(body=" ".join(f"word{i:03d}" for i in range(60)))
    make_evidence(article, "word001", claim="Claim 1")
    url = read_url(article)
    admin_client.get(url)  # warm caches (content types, session) before counting
    with CaptureQueriesContext(connection) as one:
        admin_client.get(url)
    for i in range(10, 40):
        make_evidence(article, f"word{i:03d}", claim=f"Claim {i}")

    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)

    assert len(response.context["passages"]) == 31
    assert len(many.captured_queries) == len(one.captured_queries)


# --------------------------------------------------------------------------------------------
# Citing


def test_cite_with_offsets_binds_the_chosen_occurrence_and_creates_the_claim(
    admin_client, admin_user
):
    article = make_article(body=REPEATED_BODY)

    response = admin_client.post(
        cite_url(article),
        cite_data(
            REPEATED,
            start=SECOND,
            end=SECOND + len(REPEATED),
            context="side door.",
            claim_text="The crowd cheered when Timberlake left",
            stance="mentions",
            origin_kind="anonymous",
            origin_label="a witness",
        ),
    )

    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{read_url(article)}#passage-{evidence.pk}"
    assert (evidence.start, evidence.end) == (SECOND, SECOND + len(REPEATED))
    assert evidence.quote == REPEATED and evidence.matches_article()
    assert evidence.prefix.endswith("side door. ") and evidence.suffix.startswith(" Nobody")
    assert evidence.claim.text == "The crowd cheered when Timberlake left"
    assert (evidence.stance, evidence.origin.kind, evidence.origin.label) == (
        "mentions",
        "anonymous",
        "a witness",
    )
    # An unnamed source is one per outlet that introduced it and per description.
    assert evidence.origin.outlet == article.outlet
    claim_log = log_entries(Claim, ADDITION).get()
    evidence_log = log_entries(Evidence, ADDITION).get()
    assert (claim_log.user, claim_log.object_id) == (admin_user, str(evidence.claim.pk))
    assert (evidence_log.user, evidence_log.object_id) == (admin_user, str(evidence.pk))
    assert any("a new claim" in message for message in messages_of(response))


def test_cite_for_an_existing_claim_creates_no_claim(admin_client):
    article = make_article(body=REPEATED_BODY)
    claim = Claim.objects.create(text="Megan was early")

    response = admin_client.post(
        cite_url(article), cite_data("arrived early for rehearsal", claim=claim.pk)
    )

    assert response.status_code == 302
    assert Claim.objects.count() == 1
    evidence = Evidence.objects.get()
    assert evidence.claim == claim
    assert REPEATED_BODY[evidence.start : evidence.end] == "arrived early for rehearsal"
    assert not log_entries(Claim, ADDITION).exists()
    assert log_entries(Evidence, ADDITION).count() == 1


def test_typing_an_existing_claims_text_reuses_that_claim(admin_client):
    article = make_article(body=REPEATED_BODY)
    claim = Claim.objects.create(text="Megan was early")

    admin_client.post(
        cite_url(article), cite_data("arrived early", claim_text="  megan was  EARLY ")
    )

    assert Claim.objects.get() == claim
    assert Evidence.objects.get().claim == claim


def test_ambiguous_quote_without_a_matching_offset_is_refused_with_the_message(admin_client):
    article = make_article(body=REPEATED_BODY)

    no_offset = admin_client.post(cite_url(article), cite_data(REPEATED, claim_text="Cheers"))
    wrong_offset = admin_client.post(
        cite_url(article), cite_data(REPEATED, start=SECOND + 1, claim_text="Cheers")
    )

    for response in (no_offset, wrong_offset):
        assert response.status_code == 200
        assert "occurs 2 times" in response.context["form"].errors["quote"][0]
        assert "occurs 2 times" in html(response)
    assert "no occurrence starts at offset" in wrong_offset.context["form"].errors["quote"][0]
    assert not Evidence.objects.exists()
    assert not Claim.objects.exists()


def test_bad_quote_shows_the_error_keeps_the_input_and_creates_no_orphan_claim(admin_client):
    article = make_article(body=REPEATED_BODY)

    response = admin_client.post(
        cite_url(article),
        cite_data(
            "The crowd booed.",
            claim_text="The crowd was hostile",
            origin_label="a stagehand",
            origin_kind="anonymous",
        ),
    )

    page = html(response)
    assert response.status_code == 200
    assert "does not occur in the article" in page
    assert "Nothing was saved" in page
    assert "The crowd booed.</textarea>" in page
    assert 'value="The crowd was hostile"' in page
    assert 'value="a stagehand"' in page
    assert not Claim.objects.exists()
    assert not Evidence.objects.exists()
    assert not LogEntry.objects.exists()


def test_cite_needs_a_claim_and_refuses_a_duplicate_passage(admin_client):
    article = make_article(body=REPEATED_BODY)
    existing = make_evidence(article, "arrived early", claim="Megan was early")

    no_claim = admin_client.post(cite_url(article), cite_data("arrived early"))
    both = admin_client.post(
        cite_url(article),
        cite_data("arrived early", claim=existing.claim.pk, claim_text="Another claim"),
    )
    duplicate = admin_client.post(
        cite_url(article), cite_data("arrived early", claim=existing.claim.pk)
    )

    assert "Choose the claim" in no_claim.context["form"].errors["claim"][0]
    assert "not both" in both.context["form"].errors["claim_text"][0]
    assert "already cited" in duplicate.context["form"].non_field_errors()[0]
    assert Evidence.objects.count() == 1
    assert Claim.objects.count() == 1


def test_no_js_fallback_form_has_a_visible_quote_box_and_accepts_a_pasted_quote(admin_client):
    article = make_article(body=REPEATED_BODY)

    page = html(admin_client.get(read_url(article)))
    form = re.search(r'<form id="cite-form".*?</form>', page, re.S).group(0)
    # Pasted with straight quotes and a line break where the article has curly quotes.
    response = admin_client.post(
        cite_url(article),
        cite_data('"what a\nnight," she said', claim_text="She enjoyed the night"),
    )

    assert f'data-context-chars="{anchoring.CONTEXT_CHARS}"' in form
    assert re.search(r'<textarea name="quote"[^>]*>', form)
    assert re.search(r'<input type="number" name="start"', form)
    assert 'type="submit"' in form and "csrfmiddlewaretoken" in form
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.quote == "\u201cwhat a night,\u201d she said"
    assert REPEATED_BODY[evidence.start : evidence.end] == evidence.quote


def test_creating_a_claim_needs_add_claim(client):
    article = make_article(body=REPEATED_BODY)
    claim = Claim.objects.create(text="Megan was early")
    staff_with(client, "view_article", "add_evidence", "view_claim")

    refused = client.post(cite_url(article), cite_data("arrived early", claim_text="New claim"))
    allowed = client.post(cite_url(article), cite_data("arrived early", claim=claim.pk))

    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert list(Claim.objects.all()) == [claim]
    assert Evidence.objects.get().claim == claim


# --------------------------------------------------------------------------------------------
# Removing


def test_remove_passage_confirms_then_deletes_and_logs(admin_client, admin_user):
    article = make_article(body=REPEATED_BODY)
    evidence = make_evidence(article, "arrived early", claim="Megan was early")
    url = reverse("admin:stories_article_remove_passage", args=[article.pk, evidence.pk])

    asked = admin_client.post(url)  # no confirmation yet (what a browser without JS sends)
    assert asked.status_code == 200
    assert "Yes, remove it" in html(asked)
    assert Evidence.objects.filter(pk=evidence.pk).exists()

    removed = admin_client.post(url, {"confirmed": "yes"})

    assert removed.status_code == 302
    assert removed["Location"].startswith(read_url(article))
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert Claim.objects.filter(pk=evidence.claim_id).exists()
    entry = log_entries(Evidence, DELETION).get()
    assert (entry.user, entry.object_id) == (admin_user, str(evidence.pk))


def test_remove_passage_needs_delete_evidence(client):
    article = make_article(body=REPEATED_BODY)
    evidence = make_evidence(article, "arrived early", claim="Megan was early")
    staff_with(client, "view_article", "view_evidence", "add_evidence", "change_evidence")

    page = client.get(read_url(article))
    response = client.post(
        reverse("admin:stories_article_remove_passage", args=[article.pk, evidence.pk]),
        {"confirmed": "yes"},
    )

    assert f'id="remove-{evidence.pk}"' not in html(page)
    assert response.status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_remove_passage_of_another_article_is_404(admin_client):
    article = make_article(body=REPEATED_BODY)
    other = make_article(body="Another text entirely.", headline="Other")
    evidence = make_evidence(article, "arrived early", claim="Megan was early")

    response = admin_client.post(
        reverse("admin:stories_article_remove_passage", args=[other.pk, evidence.pk]),
        {"confirmed": "yes"},
    )

    assert response.status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()


# --------------------------------------------------------------------------------------------
# Quoted speech


def seed_002():
    return Article.objects.get(headline__startswith=SEED_002_HEADLINE_START)


def test_quoted_speech_panel_lists_megans_quote_with_its_speaker(admin_client):
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    article = seed_002()

    response = admin_client.get(read_url(article))

    quotes = response.context["quotes"]
    megan = next(q for q in quotes if q["quote"].startswith("No, no, this don\u2019t count"))
    # The speaker as a reader of the whole article can tell: the person on file.
    assert megan["speaker"] == "Megan Thee Stallion"
    assert megan["person"] == Person.objects.get(name="Megan Thee Stallion")
    assert (
        megan["claim_text"] == "Megan Thee Stallion: \u201cNo, no, this don\u2019t count. "
        "This don\u2019t count.\u2026\u201d"
    )
    page = html(response)
    assert "Quoted speech" in page
    link = f"?quote_start={megan['start']}&amp;quote_end={megan['end']}#cite"
    assert link in page
    source = next(q for q in quotes if q["speaker"] == "The source")
    assert (source["origin_kind"], source["origin_label"]) == ("anonymous", "The source")


def test_the_quoted_speech_panel_follows_the_people_on_file_at_once(admin_client):
    # The article's quotes are remembered per body and people on file: a change to the
    # people is a new answer on the next open, never the remembered one.
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    article = seed_002()
    megan = Person.objects.get(name="Megan Thee Stallion")

    def megans_quote():
        quotes = admin_client.get(read_url(article)).context["quotes"]
        return next(q for q in quotes if q["quote"].startswith("No, no, this don\u2019t count"))

    assert megans_quote()["person"] == megan
    assert megans_quote()["person"] == megan  # the remembered answer, the same
    Person.objects.filter(pk=megan.pk).update(name="Megan Pete", aliases="")
    assert megans_quote()["person"] is None
    Person.objects.filter(pk=megan.pk).update(name="Megan Thee Stallion")
    assert megans_quote()["person"] == megan


def test_quote_claim_texts_keep_eight_words_and_drop_a_pause_before_the_end():
    assert claim_text_for_quote("a very cute moment,", "The source") == (
        "The source: \u201ca very cute moment\u201d"
    )
    assert claim_text_for_quote("one two three four five six seven eight, nine", "") == (
        "\u201cone two three four five six seven eight\u2026\u201d"
    )


def test_messages_show_a_quote_on_one_line_cut_to_sixty_characters():
    assert shorten("a short\nquote") == "a short quote"
    assert shorten("x" * 61) == "x" * 59 + "\u2026"
    assert shorten("x" * 60) == "x" * 60


def test_quote_prefill_link_fills_the_form_and_submitting_it_cites_the_quote(
    admin_client, admin_user
):
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    article = seed_002()
    start = article.body.index(MEGAN_QUOTE)
    end = start + len(MEGAN_QUOTE)
    megan = Person.objects.get(name="Megan Thee Stallion")

    response = admin_client.get(read_url(article), {"quote_start": start, "quote_end": end})

    form = response.context["form"]
    assert form.initial["quote"] == MEGAN_QUOTE
    page = html(response)
    assert f"{MEGAN_QUOTE}</textarea>" in page
    assert f'name="start" value="{start}"' in page
    assert (
        'value="Megan Thee Stallion: \u201cNo, no, this don\u2019t count. '
        'This don\u2019t count.\u2026\u201d"' in (page)
    )
    assert re.search(r'<option value="person" selected>', page)
    assert 'name="origin_label" value="Megan Thee Stallion"' in page
    assert re.search(rf'<option value="{megan.pk}" selected>', page)
    assert re.search(r'value="supports"[^>]*checked', page)
    assert 'data-open="true"' in page

    # Submit what the page prefilled, as a browser without JavaScript would.
    data = {
        name: ("" if value is None else value)
        for name, value in {**form.initial}.items()
        if name != "article"
    }
    posted = admin_client.post(
        cite_url(article),
        cite_data(
            data["quote"],
            start=data["start"],
            end=data["end"],
            context=data["context"],
            claim_text=data["claim_text"],
            origin_kind=data["origin_kind"],
            origin_label=data["origin_label"],
            origin_person=data["origin_person"],
        ),
    )
    assert posted.status_code == 302
    evidence = Evidence.objects.get(claim__text__startswith="Megan Thee Stallion: ")
    assert (evidence.start, evidence.end) == (start, end)
    assert (evidence.origin.kind, evidence.origin.person) == ("person", megan)
    assert evidence.origin.label == "Megan Thee Stallion"


def test_quote_prefill_ignores_offsets_outside_the_body(admin_client):
    article = make_article(body=REPEATED_BODY)

    response = admin_client.get(read_url(article), {"quote_start": 5, "quote_end": 10_000})

    assert response.status_code == 200
    assert not response.context["form"].initial.get("quote")
    assert 'data-open="true"' not in html(response)


def autocomplete(client, model_name, field_name, term="", url=None):
    """The texts the admin's autocomplete offers a picker of ``model_name.field_name``;
    ``url`` is the picker's own (its query string kept, as select2 keeps it)."""
    path, _, query = (url or reverse("admin:autocomplete")).partition("?")
    params = QueryDict(query, mutable=True)
    params.update(
        {"app_label": "stories", "model_name": model_name, "field_name": field_name, "term": term}
    )
    response = client.get(f"{path}?{params.urlencode()}")
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def on_file(n, tag):
    """``n`` more claims, posts and people: what the cite form's pickers search."""
    Claim.objects.bulk_create(Claim(text=f"Claim {tag} {k:03d}") for k in range(n))
    Origin.objects.bulk_create(
        Origin(kind=OriginKind.POST, label=f"Post {tag} {k:03d}") for k in range(n)
    )
    Person.objects.bulk_create(
        Person(name=f"Person {tag} {k:03d}", slug=f"p-{tag}-{k}") for k in range(n)
    )


def test_the_cite_forms_pickers_search_as_you_type_and_cost_the_same_at_any_size(
    admin_client,
):
    article = make_article(body=REPEATED_BODY)
    make_evidence(article, "arrived early", claim="Megan was early")
    on_file(2, "few")
    admin_client.get(read_url(article))
    with CaptureQueriesContext(connection) as few:
        small = html(admin_client.get(read_url(article)))

    on_file(300, "many")
    with CaptureQueriesContext(connection) as many:
        large = html(admin_client.get(read_url(article)))

    assert len(many.captured_queries) == len(few.captured_queries)
    for page in (small, large):
        for name in ("claim", "origin", "origin_person", "relayed_by"):
            picker = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
            assert "admin-autocomplete" in picker
            assert re.findall(r"<option[^>]*>", picker) == ['<option value="">']
    assert len(large) - len(small) < 100  # only the longer article counts differ
    # What the pickers leave out of the page, the admin's search finds.
    assert autocomplete(admin_client, "evidence", "claim", "many 029") == ["Claim many 029"]
    assert autocomplete(admin_client, "origin", "person", "many 007") == ["Person many 007"]
    assert autocomplete(admin_client, "evidence", "origin", "few") == [
        "Post few 000 (a social-media post or video)",
        "Post few 001 (a social-media post or video)",
    ]


def test_relayed_by_searches_posts_and_outlets_only(admin_client):
    article = make_article(body=REPEATED_BODY)
    page = html(admin_client.get(read_url(article)))
    picker = re.search(r'<select name="relayed_by".*?>', page).group(0)
    url = re.search(r'data-ajax--url="([^"]+)"', picker).group(1).replace("&amp;", "&")
    assert url == f"{reverse('admin:autocomplete')}?kind=post&kind=outlet"
    Origin.objects.create(kind=OriginKind.POST, label="Relay: ET’s post")
    Origin.objects.create(kind=OriginKind.OUTLET, label="Relay: TMZ’s report")
    Origin.objects.create(kind=OriginKind.ANONYMOUS, label="Relay: a friend")

    offered = autocomplete(admin_client, "evidencerelay", "origin", "Relay", url=url)

    assert offered == [  # by kind, then label
        "Relay: TMZ’s report (another outlet’s report)",
        "Relay: ET’s post (a social-media post or video)",
    ]
    # The evidence page's chain takes any origin, as before.
    assert len(autocomplete(admin_client, "evidencerelay", "origin", "Relay")) == 3


# --------------------------------------------------------------------------------------------
# In a real browser: the script maps selections to offsets and shows popovers on focus


def log_in(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("editor", "e@newsroom.invalid", "editor-pw-123")
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-pw-123")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))


@pytest.mark.browser
def test_browser_keyboard_selection_cites_the_second_occurrence(
    live_server, transactional_db, page, django_user_model
):
    from playwright.sync_api import expect

    article = make_article(body=REPEATED_BODY)
    log_in(page, live_server, django_user_model)
    page.goto(live_server.url + read_url(article))
    panel = page.locator("#cite")
    expect(panel).to_be_hidden()  # it appears when a passage is selected

    # Put the caret just before the second "The crowd cheered." and extend it by keyboard.
    page.evaluate(
        """second => {
            const seg = [...document.querySelectorAll('#desk-text [data-start]')]
                .find(s => +s.dataset.start <= second && second < +s.dataset.end);
            getSelection().collapse(seg.firstChild, second - +seg.dataset.start);
            document.getElementById('desk-text').focus();
        }""",
        SECOND,
    )
    for _ in REPEATED:
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")

    expect(panel).to_be_visible()
    expect(page.locator("textarea[name=quote]")).to_be_hidden()  # filled from the selection
    expect(page.locator(".desk-selected-quote")).to_have_text(REPEATED)
    assert page.input_value("input[name=start]") == str(SECOND)
    assert page.input_value("input[name=end]") == str(SECOND + len(REPEATED))
    # The words before it, as many characters as the server keeps (from the form's data).
    before = REPEATED_BODY[SECOND - anchoring.CONTEXT_CHARS : SECOND].strip()
    assert page.input_value("input[name=context]") == before
    # Enter lands on the claim picker (the autocomplete's own box, not the hidden select).
    expect(page.locator("select[name=claim] + .select2 .select2-selection")).to_be_focused()
    page.fill("input[name=claim_text]", "The crowd cheered twice")
    page.click("#cite-form input[type=submit]")

    page.wait_for_url(re.compile(r"/read/#passage-\d+$"))
    evidence = Evidence.objects.get()
    assert (evidence.start, evidence.end) == (SECOND, SECOND + len(REPEATED))
    expect(page.locator(f"mark#passage-{evidence.pk}")).to_be_visible()


@pytest.mark.browser
def test_browser_mouse_selection_after_an_emoji_uses_code_point_offsets(
    live_server, transactional_db, page, django_user_model
):
    from playwright.sync_api import expect

    article = make_article(body=REPEATED_BODY)
    evidence = make_evidence(article, "The show ended after midnight", claim="It ran late")
    log_in(page, live_server, django_user_model)
    page.goto(live_server.url + read_url(article))

    # Hovering or tabbing to a highlight shows its claim.
    mark = page.locator(f"mark#passage-{evidence.pk}")
    popover = mark.locator(".desk-pop")
    expect(popover).to_be_hidden()
    mark.focus()
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("It ran late")
    page.locator("h1").hover()
    page.locator("#desk-text").focus()
    expect(popover).to_be_hidden()
    mark.hover()
    expect(popover).to_be_visible()

    # Select "what a night" by dragging across the text after the emoji (a surrogate pair).
    quote = "what a night"
    start = REPEATED_BODY.index(quote)
    page.evaluate(
        """quote => {
            const seg = [...document.querySelectorAll('#desk-text [data-start]')]
                .find(s => s.firstChild.data.includes(quote));
            const at = seg.firstChild.data.indexOf(quote);
            const range = document.createRange();
            range.setStart(seg.firstChild, at);
            range.setEnd(seg.firstChild, at + quote.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        quote,
    )

    expect(page.locator("#cite")).to_be_visible()
    expect(page.locator(".desk-selected-quote")).to_have_text(quote)
    assert page.input_value("input[name=start]") == str(start)
    assert page.input_value("input[name=end]") == str(start + len(quote))


def select_text(page, start, end):
    """Select the body's characters ``start``–``end`` (within one run of text) in the page."""
    page.evaluate(
        """([start, end]) => {
            const seg = [...document.querySelectorAll('#desk-text [data-start]')]
                .find(s => +s.dataset.start <= start && end <= +s.dataset.end);
            const range = document.createRange();
            range.setStart(seg.firstChild, start - +seg.dataset.start);
            range.setEnd(seg.firstChild, end - +seg.dataset.start);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        [start, end],
    )


@pytest.mark.browser
def test_browser_a_reporter_picks_a_claim_a_person_and_a_relay_by_typing(
    live_server, transactional_db, page, django_user_model
):
    from playwright.sync_api import expect

    from .desk import desk_user, pick
    from .factories import make_story

    article = make_article(body=REPEATED_BODY)
    public = make_evidence(article, "arrived early", claim="The crowd cheered Megan")
    make_story("Live", statements=[("Early.", [public])])  # a reporter may not add to it
    make_evidence(article, "the lighting crew", claim="The crowd cheered twice")
    megan = Person.objects.create(name="Megan Thee Stallion", slug="megan")
    Person.objects.create(name="Megan Rapinoe", slug="rapinoe")
    post = Origin.objects.create(kind=OriginKind.POST, label="ET’s Instagram post")
    Origin.objects.create(kind=OriginKind.ANONYMOUS, label="an Instagram commenter")
    reporter = desk_user(django_user_model, "reporter")
    reporter.set_password("reporter-pw-123")
    reporter.save()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "reporter")
    page.fill("#id_password", "reporter-pw-123")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + read_url(article))

    select_text(page, SECOND, SECOND + len(REPEATED))
    expect(page.locator("#cite")).to_be_visible()
    offered = pick(page, "claim", "crowd cheer", "The crowd cheered twice")
    assert offered == ["The crowd cheered twice"]  # the published story's claim is not
    page.get_by_label("Or a new origin").select_option("person")
    assert pick(page, "origin_person", "Megan", "Megan Thee Stallion") == [
        "Megan Rapinoe",
        "Megan Thee Stallion",
    ]
    assert pick(page, "relayed_by", "Instagram", "ET’s Instagram post") == [
        "ET’s Instagram post (a social-media post or video)"
    ]
    page.click("#cite-form input[type=submit]")

    page.wait_for_url(re.compile(r"/read/#passage-\d+$"))
    evidence = Evidence.objects.get(start=SECOND)
    assert evidence.claim.text == "The crowd cheered twice"
    assert (evidence.origin.kind, evidence.origin.person) == ("person", megan)
    assert [relay.origin for relay in evidence.relays.all()] == [post]
    assert Claim.objects.count() == 2


@pytest.mark.browser
def test_browser_cite_as_a_claim_fills_the_speaker_into_the_person_picker(
    live_server, transactional_db, page, django_user_model
):
    from playwright.sync_api import expect

    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    article = seed_002()
    start = article.body.index(MEGAN_QUOTE)
    log_in(page, live_server, django_user_model)
    page.goto(live_server.url + read_url(article))

    link = page.locator(f".desk-quote-cite[data-quote-start='{start}']")
    link.click()

    expect(page.locator("#cite")).to_be_visible()
    person = page.locator("select[name=origin_person] + .select2 .select2-selection__rendered")
    expect(person).to_contain_text("Megan Thee Stallion")
    page.click("#cite-form input[type=submit]")
    page.wait_for_url(re.compile(r"/read/#passage-\d+$"))
    evidence = Evidence.objects.get(claim__text__startswith="Megan Thee Stallion: ")
    assert (evidence.article, evidence.start) == (article, start)
    assert evidence.origin.person == Person.objects.get(name="Megan Thee Stallion")
