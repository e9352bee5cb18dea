"""Helpers for driving the editor's desk as a reporter or an editor.

Reporters and editors are staff users put in the real groups the data
migration creates from stories/roles.py; no permission is assigned by hand.
"""

import re

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stories.models import Statement, Story
from stories.roles import EDITORS, REPORTERS

from .factories import make_article, make_evidence

GROUPS = {"reporter": REPORTERS, "editor": EDITORS}


def desk_user(django_user_model, role, username=None):
    """A staff user in the group of ``role`` ("reporter" or "editor")."""
    user = django_user_model.objects.create_user(
        username or role, password="irrelevant-pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=GROUPS[role]))
    return user


def client_for(user=None):
    """A client logged in as ``user``, or anonymous for None."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def cited_evidence(quote="a pointed exchange", body=None):
    """A passage a statement can cite, on an article of its own."""
    fields = {"body": body} if body else {}
    return make_evidence(make_article(**fields), quote)


def draft_story(evidence, headline="Backstage", slug=None, texts=("They talked backstage.",)):
    """An unpublished story whose statements all cite ``evidence``: publishable."""
    story = Story.objects.create(headline=headline, slug=slug or headline.lower().replace(" ", "-"))
    for position, text in enumerate(texts, start=1):
        Statement.objects.create(story=story, position=position, text=text).evidence.add(evidence)
    return story


def change_url(story):
    return reverse("admin:stories_story_change", args=[story.pk])


def changelist_url():
    return reverse("admin:stories_story_changelist")


def story_form_data(story, **extra):
    """What the change form posts back for ``story`` as stored, plus ``extra``."""
    statements = list(story.statements.order_by("position", "pk"))
    corrections = list(story.corrections.all())
    data = {
        "headline": story.headline,
        "slug": story.slug,
        "standfirst": story.standfirst,
        "topics": "",
        "published_at_0": "",
        "published_at_1": "",
        "statements-TOTAL_FORMS": str(len(statements)),
        "statements-INITIAL_FORMS": str(len(statements)),
        "statements-MIN_NUM_FORMS": "0",
        "statements-MAX_NUM_FORMS": "1000",
        "corrections-TOTAL_FORMS": str(len(corrections)),
        "corrections-INITIAL_FORMS": str(len(corrections)),
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
    }
    if story.published_at:
        local = timezone.localtime(story.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    for i, statement in enumerate(statements):
        data.update(
            {
                f"statements-{i}-id": str(statement.pk),
                f"statements-{i}-story": str(story.pk),
                f"statements-{i}-position": str(statement.position),
                f"statements-{i}-text": statement.text,
                f"statements-{i}-evidence": [str(e.pk) for e in statement.evidence.all()],
                f"statements-{i}-people": [str(p.pk) for p in statement.people.all()],
            }
        )
    for i, correction in enumerate(corrections):
        local = timezone.localtime(correction.created_at)
        data.update(
            {
                f"corrections-{i}-id": str(correction.pk),
                f"corrections-{i}-story": str(story.pk),
                f"corrections-{i}-created_at_0": local.strftime("%Y-%m-%d"),
                f"corrections-{i}-created_at_1": local.strftime("%H:%M:%S"),
                f"corrections-{i}-text": correction.text,
            }
        )
    data.update(extra)
    return data


def run_action(client, action, *stories):
    return client.post(
        changelist_url(), {"action": action, "_selected_action": [str(s.pk) for s in stories]}
    )


def job_url(job):
    return reverse("admin:stories_job_change", args=[job.pk])


def job_page(client, job):
    """The job's page as ``client`` sees it, as text."""
    response = client.get(job_url(job))
    assert response.status_code == 200
    return response.content.decode()


def database_rows():
    """How many rows each table but the jobs' own holds: "the database as it was"."""
    from django.apps import apps
    from django.contrib.admin.models import LogEntry

    from stories.models import Job, JobFile

    models = [m for m in apps.get_app_config("stories").get_models() if m not in (Job, JobFile)]
    return {m._meta.label: m._default_manager.count() for m in [*models, LogEntry]}


def pick(page, name, typed, choice):
    """Choose ``choice`` in the admin autocomplete ``name`` of the page's form as a person
    does: open it, type ``typed``, click the option once the search shows it. Returns
    every option the search offered."""
    from playwright.sync_api import expect

    page.locator(f"select[name={name}] + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").press_sequentially(typed)
    option = page.locator(".select2-results__option", has_text=choice)
    expect(option).to_be_visible()
    offered = page.locator(
        ".select2-results__option:not(.loading-results):not(.select2-results__message)"
    ).all_inner_texts()
    option.click()
    chosen = page.locator(f"select[name={name}] + .select2 .select2-selection__rendered")
    expect(chosen).to_have_text(re.compile(re.escape(choice)))
    return offered
