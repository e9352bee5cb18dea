"""Long stories stay editable: past a few dozen statements the story's form lists
them (a page at a time) and each statement is edited on a page of its own.

Inline, every statement posted its fields with every save: Django refused the post
past 1,000 fields (a story like the demo at about 106 statements), and a
5,000-statement story's form took 30 s to open. Here the pages' query counts and
form sizes are pinned, not their times (those are in bench/bench.py).
"""

import threading

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.admin import statements as long_stories
from stories.models import Statement, Story, StoryStatus

from .desk import change_url, client_for, desk_user, messages_of, story_form_data
from .factories import make_article, make_evidence
from .test_locking import _in_thread, conflict_text, edit, open_form, postgres_only

pytestmark = pytest.mark.django_db

NAMES = ("alice", "bob")


@pytest.fixture
def evidence():
    return make_evidence(make_article(), "a pointed exchange")


@pytest.fixture
def editor(django_user_model):
    return client_for(desk_user(django_user_model, "editor"))


@pytest.fixture
def reporter(django_user_model):
    return client_for(desk_user(django_user_model, "reporter"))


def long_story(evidence, count, slug=None, published=False):
    """A story of ``count`` statements, each citing ``evidence`` (built in bulk)."""
    story = Story.objects.create(headline=f"{count} statements", slug=slug or f"long-{count}")
    Statement.objects.bulk_create(
        Statement(story=story, position=n, text=f"Statement number {n}.")
        for n in range(1, count + 1)
    )
    through = Statement.evidence.through
    through.objects.bulk_create(
        through(statement_id=pk, evidence_id=evidence.pk)
        for pk in story.statements.values_list("pk", flat=True)
    )
    if published:
        from stories.services import publishing

        publishing.publish_story(story, None)
    return Story.objects.get(pk=story.pk)


def statement_url(statement, action="change"):
    return reverse(f"admin:stories_statement_{action}", args=[statement.pk])


def nth(story, place):
    return story.statements.order_by("position", "pk")[place - 1]


def reading_order(story):
    return list(story.statements.order_by("position", "pk").values_list("text", flat=True))


def rows(story):
    """Every statement as stored, with what it cites."""
    through = Statement.evidence.through
    return (
        list(story.statements.order_by("pk").values_list("pk", "position", "text")),
        sorted(through.objects.filter(statement__story=story).values_list("pk", flat=True)),
    )


def queries_for(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    return response, len(queries)


# --------------------------------------------------------------------------------------------
# The story's form


def test_a_1000_statement_story_opens_with_bounded_queries_and_fields(editor, evidence):
    story = long_story(evidence, 1000, published=True)

    response, queries = queries_for(editor, "get", change_url(story))

    assert response.status_code == 200
    assert queries <= 20
    posted = open_form(editor, change_url(story))
    assert len(posted) < 40  # the story's own fields and the corrections, no statement
    assert not any(name.startswith("statements-") for name in posted)
    html = response.content.decode()
    assert "Statements (1000)" in html
    first, last_shown = nth(story, 1), nth(story, long_stories.STATEMENTS_PER_PAGE)
    assert statement_url(first) in html and statement_url(last_shown) in html
    assert statement_url(nth(story, long_stories.STATEMENTS_PER_PAGE + 1)) not in html
    assert f"?{long_stories.PAGE_PARAMETER}=2#statements" in html
    assert f"{reverse('admin:stories_statement_add')}?story={story.pk}" in html


def test_the_forms_query_count_does_not_grow_with_the_story(editor, evidence):
    small = long_story(evidence, long_stories.INLINE_STATEMENTS_MAX + 10, published=True)
    large = long_story(evidence, 600, published=True)
    page = f"?{long_stories.PAGE_PARAMETER}=2"

    _, small_queries = queries_for(editor, "get", change_url(small) + page)
    response, large_queries = queries_for(editor, "get", change_url(large) + page)

    assert small_queries == large_queries
    html = response.content.decode()
    assert statement_url(nth(large, long_stories.STATEMENTS_PER_PAGE + 1)) in html
    assert f'<ol start="{long_stories.STATEMENTS_PER_PAGE + 1}">' in html


def test_a_short_story_keeps_its_statements_inline(editor, evidence):
    story = long_story(evidence, 3)
    posted = open_form(editor, change_url(story))
    assert posted["statements-TOTAL_FORMS"] == "4"  # three and a blank one
    assert "Statements (3)" not in editor.get(change_url(story)).content.decode()


def test_many_citations_make_a_story_long_before_many_statements(editor, evidence):
    story = long_story(evidence, 10)
    through = Statement.evidence.through
    extra = [
        make_evidence(make_article(body=f"Text {n}: a pointed exchange."), "a pointed exchange")
        for n in range(long_stories.INLINE_FIELDS_MAX // 10)
    ]
    through.objects.bulk_create(
        through(statement=statement, evidence=passage)
        for statement in story.statements.all()
        for passage in extra
    )
    assert "Statements (10)" in editor.get(change_url(story)).content.decode()


def test_saving_and_publishing_a_long_storys_own_fields(editor, evidence):
    story = long_story(evidence, 120)
    before = rows(story)

    response = editor.post(
        change_url(story), story_form_data(story, headline="Retitled", _publish="Publish")
    )

    assert response.status_code == 302, messages_of(response)
    story.refresh_from_db()
    assert (story.headline, story.status) == ("Retitled", StoryStatus.PUBLISHED)
    assert len(story.published_revision.statements()) == 120
    assert rows(story) == before


# --------------------------------------------------------------------------------------------
# A statement's own page


def test_saving_one_statement_changes_only_it_and_the_storys_version(editor, evidence):
    story = long_story(evidence, 1000)
    target = nth(story, 500)
    statements_before, citations_before = rows(story)
    url = statement_url(target)

    response = editor.post(url, edit(open_form(editor, url), text="Rewritten, on its own."))

    assert response.status_code == 302
    assert response["Location"] == (
        f"{change_url(story)}?{long_stories.PAGE_PARAMETER}=10#statement-{target.pk}"
    )
    statements_after, citations_after = rows(story)
    changed = [row for row in statements_after if row not in statements_before]
    assert changed == [(target.pk, target.position, "Rewritten, on its own.")]
    assert len(statements_after) == 1000 and citations_after == citations_before
    after = Story.objects.get(pk=story.pk)
    assert after.version == story.version + 1
    assert (after.headline, after.slug, after.status) == (story.headline, story.slug, story.status)
    logged = LogEntry.objects.filter(object_id=str(story.pk)).latest("pk")
    assert "Changed Text for statement" in logged.get_change_message()


def test_a_statements_page_and_its_save_cost_the_same_in_any_story(editor, evidence):
    counts = []
    for size in (long_stories.INLINE_STATEMENTS_MAX + 10, 600):
        story = long_story(evidence, size)
        url = statement_url(nth(story, 7))
        _, opened = queries_for(editor, "get", url)
        data = edit(open_form(editor, url), text=f"Edited in a story of {size}.")
        response, saved = queries_for(editor, "post", url, data)
        assert response.status_code == 302
        counts.append((opened, saved))
    assert counts[0] == counts[1]


def test_moving_a_statement_updates_the_others_in_one_statement(editor, evidence):
    story = long_story(evidence, 1000)
    moving = nth(story, 900)
    url = statement_url(moving)

    with CaptureQueriesContext(connection) as queries:
        response = editor.post(url, edit(open_form(editor, url), place="3"))

    assert response.status_code == 302
    order = reading_order(story)
    assert order[:4] == [
        "Statement number 1.",
        "Statement number 2.",
        "Statement number 900.",
        "Statement number 3.",
    ]
    assert order[900:] == [f"Statement number {n}." for n in range(901, 1001)]
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "stories_statement"')]
    assert len(updates) == 2  # the statement's own save, and one UPDATE that moves the rest
    assert f"{long_stories.PAGE_PARAMETER}=1#statement-{moving.pk}" in response["Location"]


@pytest.mark.parametrize(
    "positions",
    [[1, 2, 3, 4, 5], [10, 20, 30, 40, 50], [1, 1, 1, 1, 1], [0, 3, 3, 7, 7]],
    ids=["numbered", "gaps", "all tied", "gaps and ties"],
)
@pytest.mark.parametrize("move", [(5, 1), (1, 5), (2, 4), (4, 2), (3, 3), (1, 9)])
def test_move_to_puts_a_statement_at_its_place_however_positions_are_numbered(
    evidence, positions, move
):
    story = Story.objects.create(headline="Numbering", slug="numbering")
    for n, position in enumerate(positions, start=1):
        Statement.objects.create(story=story, position=position, text=f"S{n}")
    start, place = move
    order = reading_order(story)
    expected = [text for text in order if text != order[start - 1]]
    expected.insert(min(place, len(positions)) - 1, order[start - 1])

    moving = nth(story, start)
    moving.move_to(place)

    assert reading_order(story) == expected
    assert moving.place() == min(place, len(positions))


def test_a_place_past_the_end_is_refused_with_the_range(editor, evidence):
    story = long_story(evidence, 60)
    url = statement_url(nth(story, 1))
    response = editor.post(url, edit(open_form(editor, url), place="61"))
    assert response.status_code == 200
    assert "has 60 places for this statement: give one from 1 to 60." in response.content.decode()


def test_adding_a_statement_at_a_place(editor, evidence):
    story = long_story(evidence, 60)
    add = f"{reverse('admin:stories_statement_add')}?story={story.pk}"
    data = edit(open_form(editor, add), text="A new opening.", place="1", evidence=[evidence.pk])

    response = editor.post(add, data)

    assert response.status_code == 302
    assert reading_order(story)[:2] == ["A new opening.", "Statement number 1."]
    assert Story.objects.get(pk=story.pk).version == story.version + 1
    logged = LogEntry.objects.filter(object_id=str(story.pk)).latest("pk")
    assert logged.get_change_message().startswith("Added statement")
    at_the_end = edit(open_form(editor, add), text="A new ending.", evidence=[evidence.pk])
    another = editor.post(add, {**at_the_end, "_addanother": "Save and add another"})
    assert another["Location"] == add  # the next one, of the same story
    assert reading_order(story)[-1] == "A new ending."
    url = statement_url(nth(story, 5))
    edited = {**edit(open_form(editor, url), text="Edited."), "_addanother": "Save and add another"}
    assert editor.post(url, edited)["Location"] == add


def test_deleting_a_statement_moves_the_storys_version(editor, evidence):
    story = long_story(evidence, 60)
    target = nth(story, 2)

    response = editor.post(statement_url(target, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"] == change_url(story)
    assert story.statements.count() == 59
    assert Story.objects.get(pk=story.pk).version == story.version + 1
    logged = LogEntry.objects.filter(object_id=str(story.pk)).latest("pk")
    assert logged.get_change_message() == f"Deleted statement “{target}”."


# --------------------------------------------------------------------------------------------
# The story's lock covers statements on their own pages


def test_a_statement_save_refuses_a_story_form_opened_before(editor, reporter, evidence):
    story = long_story(evidence, 60)
    story_form = open_form(editor, change_url(story))
    url = statement_url(nth(story, 4))
    reporter.post(url, edit(open_form(reporter, url), text="The reporter's words."))

    response = editor.post(change_url(story), edit(story_form, headline="Editor's headline"))

    assert "reporter changed this story" in conflict_text(response)
    assert "Changed Text for statement" in conflict_text(response)
    assert Story.objects.get(pk=story.pk).headline == story.headline


def test_a_statement_page_opened_before_a_change_to_the_story_is_refused(
    editor, reporter, evidence
):
    story = long_story(evidence, 60)
    url = statement_url(nth(story, 4))
    mine = open_form(editor, url)
    reporter.post(url, edit(open_form(reporter, url), text="The reporter's words."))

    response = editor.post(url, edit(mine, text="The editor's words."))

    message = conflict_text(response)
    assert "reporter changed this story" in message
    assert "while you were editing one of its statements" in message
    assert "Text — theirs: “The reporter's words.”; yours: “The editor's words.”." in message
    assert nth(story, 4).text == "The reporter's words."


def test_a_statement_page_is_refused_after_another_statement_was_saved(editor, reporter, evidence):
    story = long_story(evidence, 60)
    mine_url, theirs_url = statement_url(nth(story, 1)), statement_url(nth(story, 2))
    mine = open_form(editor, mine_url)
    reporter.post(theirs_url, edit(open_form(reporter, theirs_url), place="1"))

    response = editor.post(mine_url, edit(mine, place="3"))

    assert "None of the values on this form differ" in conflict_text(response)
    assert reading_order(story)[:2] == ["Statement number 2.", "Statement number 1."]


def test_a_save_that_changes_nothing_moves_nothing(editor, evidence):
    story = long_story(evidence, 60)
    url = statement_url(nth(story, 4))
    assert editor.post(url, edit(open_form(editor, url))).status_code == 302
    assert Story.objects.get(pk=story.pk).version == story.version


# --------------------------------------------------------------------------------------------
# Who may


def test_reporters_edit_statements_as_they_edit_the_story(reporter, evidence):
    story = long_story(evidence, 60, published=True)
    url = statement_url(nth(story, 1))
    assert (
        reporter.post(url, edit(open_form(reporter, url), text="Draft words.")).status_code == 302
    )
    assert nth(story, 1).text == "Draft words."
    assert reporter.post(statement_url(nth(story, 2), "delete"), {"post": "yes"}).status_code == 302


def test_statement_rights_follow_the_storys(django_user_model, evidence):
    story = long_story(evidence, 60)
    user = django_user_model.objects.create_user("statements-only", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_statement", "change_statement", "delete_statement"]
        )
    )
    client = client_for(user)
    target = nth(story, 1)
    assert client.get(statement_url(target)).status_code == 403
    assert client.post(statement_url(target, "delete"), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:stories_statement_add")).status_code == 403
    assert story.statements.count() == 60


def test_statements_are_not_on_the_admin_index(editor):
    html = editor.get(reverse("admin:index")).content.decode()
    assert reverse("admin:stories_story_changelist") in html
    assert reverse("admin:stories_statement_changelist") not in html


def test_the_list_escapes_statement_text(editor, evidence):
    story = long_story(evidence, 60)
    Statement.objects.filter(pk=nth(story, 1).pk).update(text="<script>alert('x')</script>")
    html = editor.get(change_url(story)).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(" in html


# --------------------------------------------------------------------------------------------
# Real concurrency (PostgreSQL): two statements of one story saved at the same moment


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_statements_saved_at_the_same_moment_exactly_one_is_saved(django_user_model):
    story = long_story(make_evidence(make_article(), "a pointed exchange"), 60)
    clients = {name: client_for(desk_user(django_user_model, "editor", name)) for name in NAMES}
    urls = {name: statement_url(nth(story, n)) for n, name in enumerate(NAMES, start=1)}
    for round_ in range(3):
        forms = {name: open_form(clients[name], urls[name]) for name in NAMES}
        version = Story.objects.get(pk=story.pk).version
        start = threading.Barrier(2)

        def post(name, forms=forms, start=start, round_=round_):
            def run():
                start.wait(5)
                return clients[name].post(urls[name], edit(forms[name], text=f"{name} {round_}"))

            return run

        results = {}
        for thread in [_in_thread(post(name), results, name) for name in NAMES]:
            thread.join(20)
        assert sorted(results[name].status_code for name in NAMES) == [200, 302], results
        loser = next(name for name in NAMES if results[name].status_code == 200)
        winner = next(name for name in NAMES if name != loser)
        assert f"{winner} changed this story" in conflict_text(results[loser])
        assert Story.objects.get(pk=story.pk).version == version + 1
        texts = {
            name: Statement.objects.get(pk=nth(story, n).pk).text
            for n, name in enumerate(NAMES, start=1)
        }
        assert texts[winner] == f"{winner} {round_}" and texts[loser] != f"{loser} {round_}"
