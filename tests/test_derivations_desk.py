"""Derived articles and "who said it?" on the desk: the commands, the admin and the reader."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from stories.models import (
    Article,
    Derivation,
    DerivationKind,
    DerivationStatus,
    EvidenceRelay,
    Origin,
    OriginKind,
)

from .desk import client_for, desk_user
from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "derivation"


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def find(*args):
    return json.loads(run("find_derivatives", "--json", *args))


def import_invented():
    files = sorted(str(path) for path in DATA.glob("*.txt"))
    run("import_articles", *files, "--outlet", "Wire")
    return {Path(a.source_name).stem: a for a in Article.objects.all()}


def test_the_copying_rewrite_is_found_with_its_copied_sentences_and_nothing_else():
    articles = import_invented()

    relations = find()

    pairs = {(r["source"], r["derived"], r["kind"]) for r in relations}
    assert pairs == {
        (articles["tarrow_original"].pk, articles["tarrow_wire"].pk, "text"),
        (articles["library_brief"].pk, articles["library_feature"].pk, "text"),
    }
    wire = next(r for r in relations if r["derived"] == articles["tarrow_wire"].pk)
    assert wire["status"] == "proposed" and 0 < wire["score"] <= 1
    source, derived = articles["tarrow_original"].body, articles["tarrow_wire"].body
    assert len(wire["shared"]) >= 2
    for passage in wire["shared"]:
        copied = source[passage["source_start"] : passage["source_end"]]
        assert copied == passage["text"]
        assert " ".join(copied.split()) == " ".join(
            derived[passage["derived_start"] : passage["derived_end"]].split()
        )
        assert len(copied.split()) >= 10


def test_no_pair_is_proposed_among_the_seeds(demo_data):
    assert find() == []
    assert not Derivation.objects.exists()
    assert "No article copies another" in run("find_derivatives")


def test_a_rejected_pair_is_never_proposed_again(django_user_model):
    articles = import_invented()
    find()
    wire = Derivation.objects.get(derived=articles["tarrow_wire"])
    editor = client_for(desk_user(django_user_model, "editor"))
    editor.post(
        reverse("admin:stories_derivation_changelist"),
        {"action": "reject", "_selected_action": [wire.pk]},
    )

    again = find()

    assert Derivation.objects.filter(derived=articles["tarrow_wire"]).count() == 1
    entry = next(r for r in again if r["derived"] == articles["tarrow_wire"].pk)
    assert entry["status"] == "rejected"


def test_an_article_crediting_another_outlets_report_is_proposed_with_that_origin():
    ew = make_article(headline="The original", outlet="EW")
    copy = make_article(
        body="Fans online argued about what was said backstage at length.\n\nMore.",
        headline="The rewrite",
        outlet="",
    )
    report = Origin.objects.create(kind=OriginKind.OUTLET, label="EW’s report", outlet=ew.outlet)
    evidence = make_evidence(copy, "Fans online argued")
    EvidenceRelay.objects.create(evidence=evidence, origin=report, position=1)

    relations = find()

    assert relations == [
        {
            "source": ew.pk,
            "derived": copy.pk,
            "kind": "origin",
            "score": 1.0,
            "status": "proposed",
            "direction": "origin",
            "shared": [{"origin": report.pk, "label": "EW’s report", "kind": "outlet"}],
        }
    ]


def test_the_admin_shows_the_pair_side_by_side_with_the_shared_passages(django_user_model):
    articles = import_invented()
    find()
    wire = Derivation.objects.get(derived=articles["tarrow_wire"], kind=DerivationKind.TEXT)
    reporter = client_for(desk_user(django_user_model, "reporter"))

    page = reporter.get(reverse("admin:stories_derivation_change", args=[wire.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="derivation-shared"') >= 2 * len(wire.shared)
    assert escape(wire.shared[0]["text"][:40]) in html
    assert wire.status == DerivationStatus.PROPOSED  # reporters read, editors decide


COACH = (
    "Coach Anna Kowalski spoke after the final whistle. “We played with our hearts and we "
    "will be back next season,” Kowalski said.\n\nThe club lost 2-1."
)
CHAIRMAN = (
    "The chairman, Piotr Nowak, was upbeat. “We played with our hearts and we will be back "
    "next season,” Nowak said.\n\nFans sang anyway."
)
PRONOUN = (
    "Kowalski left the pitch slowly. “We played with our hearts and we will be back next "
    "season,” she said."
)


def test_compare_quotes_flags_the_same_words_given_to_two_speakers():
    coach = make_article(body=COACH, headline="Coach", outlet="Sport Daily")
    chairman = make_article(body=CHAIRMAN, headline="Chairman", outlet="Rewrite Weekly")
    make_article(body=PRONOUN, headline="Pronoun", outlet="Third")

    data = json.loads(run("compare_quotes", "--json"))

    assert list(data) == ["quotes"]
    (group,) = data["quotes"]
    assert group["text"].startswith("We played with our hearts")
    assert group["conflict"] is True
    speakers = {a["article"]: a["speaker"] for a in group["appearances"]}
    assert speakers[coach.pk] == "Kowalski"
    assert speakers[chairman.pk] == "Nowak"
    for appearance in group["appearances"]:
        body = Article.objects.get(pk=appearance["article"]).body
        assert body[appearance["start"] : appearance["end"]].startswith("We played")


def test_an_unresolved_speaker_is_not_a_conflict():
    make_article(body=COACH, headline="Coach", outlet="Sport Daily")
    make_article(body=PRONOUN, headline="Pronoun", outlet="Third")
    (group,) = json.loads(run("compare_quotes", "--json"))["quotes"]
    assert group["conflict"] is False


def test_the_reader_sees_who_said_it_where_such_a_quote_is_cited(client):
    coach = make_article(body=COACH, headline="Coach", outlet="Sport Daily")
    chairman = make_article(body=CHAIRMAN, headline="Chairman", outlet="Rewrite Weekly")
    quote = "We played with our hearts and we will be back next season"
    cited = make_evidence(coach, quote, claim="The team promised to come back")
    make_evidence(chairman, quote, claim="The team promised to come back")
    story = make_story("The final", statements=[("They promised to return.", [cited])])

    html = client.get(story.get_absolute_url()).content.decode()

    assert "Who said it?" in html
    assert "Nowak" in html and "Rewrite Weekly" in html


def test_the_desk_shows_the_conflict_beside_the_article(admin_client):
    coach = make_article(body=COACH, headline="Coach", outlet="Sport Daily")
    chairman = make_article(body=CHAIRMAN, headline="Chairman", outlet="Rewrite Weekly")
    coach.topics.add("Cup final")
    chairman.topics.add("Cup final")

    page = admin_client.get(reverse("admin:stories_article_read", args=[coach.pk]))

    html = page.content.decode()
    assert "Who said it?" in html
    assert f"article #{chairman.pk}" in html


def test_finding_derived_articles_runs_as_a_job_from_the_article_list(django_user_model):
    from stories.models import Job, JobStatus

    articles = import_invented()
    editor = client_for(desk_user(django_user_model, "editor"))

    response = editor.post(
        reverse("admin:stories_article_changelist"),
        {"action": "find_derivatives", "_selected_action": [a.pk for a in articles.values()]},
    )

    job = Job.objects.get(kind="find_derivatives")
    assert response.status_code == 302 and response["Location"].endswith(f"{job.pk}/change/")
    assert job.status == JobStatus.SUCCEEDED  # in-process in tests, queued in production
    assert job.summary.startswith("2 derived-article proposal(s)")
    assert Derivation.objects.filter(derived=articles["tarrow_wire"]).exists()
