"""Writes that span several models: importing a batch of articles, publishing.

Each runs in one transaction, so a failure part-way leaves the database as it
was: an import of five files with a bad third one imports nothing, and a story
is never half-published.
"""

from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from .models import (
    Article,
    ArticlePerson,
    Claim,
    ClaimPerson,
    Evidence,
    Outlet,
    Person,
    PersonMention,
    PersonSuggestion,
    Statement,
    StatementPerson,
    Story,
    StoryRevision,
    StoryStatus,
    SuggestionStatus,
)
from .text import suggesting


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)


def outlet_named(name):
    """The outlet called ``name`` (case-insensitively), created if new."""
    name, slug = name.strip(), slugify(name)
    # The slug is the outlet's natural key (fixtures use it), so "E.W." is the outlet "EW".
    same = Q(name__iexact=name) | Q(slug=slug) if slug else Q(name__iexact=name)
    outlet = Outlet.objects.filter(same).first()
    if outlet is None:
        # Outlet.save() fills in the slug, but full_clean() runs before save().
        outlet = Outlet(name=name, slug=slug)
        outlet.full_clean()
        outlet.save()
    return outlet


def build_article(parsed, outlet=None):
    """An unsaved Article for a ``ParsedArticle``; used for fixtures too."""
    return Article(
        headline=parsed.headline,
        outlet=outlet,
        byline=parsed.byline,
        body=parsed.body,
        body_sha256=parsed.sha256,
        source_name=parsed.source_name.rsplit("/", 1)[-1],
    )


@transaction.atomic
def import_articles(parsed_articles, outlet_name="", user=None):
    """Create the articles not already stored (same body, same SHA-256), and
    propose the people each new one names (``suggest_people``; ``user`` is logged).

    The articles must already be parsed, i.e. every file has been read and
    validated before this opens a transaction.
    """
    result = ImportResult()
    outlet = outlet_named(outlet_name) if outlet_name.strip() else None
    seen = {}
    for parsed in parsed_articles:
        article = (
            seen.get(parsed.sha256) or Article.objects.filter(body_sha256=parsed.sha256).first()
        )
        if article is not None:
            result.existing.append(article)
            continue
        article = build_article(parsed, outlet)
        article.full_clean()
        article.save()
        seen[parsed.sha256] = article
        result.created.append(article)
    for article in result.created:
        suggest_people(article, user)  # proposals for the editor to confirm; nothing is tagged
    return result


class PublishError(Exception):
    """Why a story cannot be published: one editor-facing line per problem."""

    def __init__(self, story, problems):
        self.story = story
        self.problems = problems
        super().__init__("; ".join(problems))


def publication_problems(story):
    """Everything that keeps ``story`` from being published, statement by statement."""
    statements = list(Statement.objects.filter(story=story).prefetch_related("evidence__article"))
    if not statements:
        return [f"“{story}” has no statements."]
    problems = []
    for statement in statements:
        label = f"Statement {statement.position} (“{_shorten(statement.text)}”)"
        citations = list(statement.evidence.all())
        if not citations:
            problems.append(f"{label} cites no evidence.")
        for evidence in citations:
            if not evidence.matches_article():
                problems.append(
                    f"{label} cites a passage that no longer matches its article "
                    f"“{evidence.article}”: “{_shorten(evidence.quote)}”."
                )
    return problems


class WorkflowError(Exception):
    """A status change the story's current state does not allow."""


def snapshot(story):
    """The story's statements as a revision stores them (JSON-ready)."""
    statements = Statement.objects.filter(story=story).prefetch_related("evidence", "people")
    return {
        "statements": [
            {
                "id": statement.pk,
                "position": statement.position,
                "text": statement.text,
                "evidence": sorted(evidence.pk for evidence in statement.evidence.all()),
                "people": sorted(person.pk for person in statement.people.all()),
            }
            for statement in statements.order_by("position", "pk")
        ]
    }


def _comparable(content):
    """A revision's content without statement ids: restoring a revision or
    re-creating a statement with the same text and citations is no change."""
    return [
        {key: value for key, value in item.items() if key != "id"}
        for item in content.get("statements", [])
    ]


def has_unpublished_changes(story):
    """Whether the draft differs from what readers currently see."""
    revision = story.published_revision
    if revision is None:
        return True
    return (revision.headline, revision.standfirst, _comparable(revision.content)) != (
        story.headline,
        story.standfirst,
        _comparable(snapshot(story)),
    )


@transaction.atomic
def submit_for_review(story, user):
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status not in (StoryStatus.DRAFT, StoryStatus.UNPUBLISHED):
        raise WorkflowError(f"“{story}” is {story.get_status_display().lower()}, not a draft.")
    problems = publication_problems(story)
    if problems:
        raise PublishError(story, problems)
    story.status = StoryStatus.IN_REVIEW
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def publish_story(story, user):
    """Publish the story as its next revision, or raise PublishError naming
    each offending statement. Readers see the new revision from now on.

    A published story whose draft has not changed since its revision is
    refused (WorkflowError); an unpublished one is published again as the
    revision readers saw before, without a duplicate revision.
    """
    story = Story.objects.select_for_update().get(pk=story.pk)
    problems = publication_problems(story)
    if problems:
        raise PublishError(story, problems)
    current = story.published_revision
    unchanged = current is not None and not has_unpublished_changes(story)
    if unchanged and story.status == StoryStatus.PUBLISHED:
        raise WorkflowError(
            f"“{story}” has no changes since revision {current.number}: nothing to publish."
        )
    now = timezone.now()
    if unchanged:
        revision = current
    else:
        latest = story.latest_revision()
        revision = StoryRevision.objects.create(
            story=story,
            number=latest.number + 1 if latest else 1,
            headline=story.headline,
            standfirst=story.standfirst,
            content=snapshot(story),
            created_at=now,
            created_by=user,
        )
        revision.evidence.set({pk for item in revision.statements for pk in item["evidence"]})
        revision.people.set({pk for item in revision.statements for pk in item["people"]})
    story.published_revision = revision
    story.status = StoryStatus.PUBLISHED
    # A date the editor set (a back-dated or scheduled story) is kept.
    if story.published_at is None:
        story.published_at = now
    story.published_by = user
    story.save(
        update_fields=["status", "published_at", "published_by", "published_revision", "updated_at"]
    )
    return revision


@transaction.atomic
def unpublish_story(story):
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status != StoryStatus.PUBLISHED:
        raise WorkflowError(f"“{story}” is not published.")
    story.status = StoryStatus.UNPUBLISHED
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def restore_revision(revision):
    """Replace the story's draft with the revision's text and citations.

    Statements the revision recorded that still exist keep their ids (links to
    ``#statement-<id>`` keep working); the others are created again, and
    statements added since are removed. Evidence or people deleted since the
    revision are left out rather than failing the restore; the publish check
    then flags any statement left citing nothing. Readers see no change until
    the draft is published.
    """
    story = Story.objects.select_for_update().get(pk=revision.story_id)
    story.headline, story.standfirst = revision.headline, revision.standfirst
    story.save(update_fields=["headline", "standfirst", "updated_at"])
    kept = {item["id"] for item in revision.statements}
    current = {statement.pk: statement for statement in story.statements.all()}
    story.statements.exclude(pk__in=kept).delete()
    existing_evidence = set(
        Evidence.objects.filter(
            pk__in=[pk for item in revision.statements for pk in item["evidence"]]
        ).values_list("pk", flat=True)
    )
    people = Person.objects.in_bulk([pk for item in revision.statements for pk in item["people"]])
    for item in revision.statements:
        statement = current.get(item["id"])
        if statement is None:
            statement = Statement.objects.create(
                story=story, position=item["position"], text=item["text"]
            )
        else:
            statement.position, statement.text = item["position"], item["text"]
            statement.save(update_fields=["position", "text"])
        statement.evidence.set([pk for pk in item["evidence"] if pk in existing_evidence])
        statement.people.set([people[pk] for pk in item["people"] if pk in people])
    return story


@transaction.atomic
def merge_people(target, others):
    """Fold ``others`` into ``target``: every tag, mention, attribution,
    suggestion and published revision moves, their names become aliases, and
    nothing is lost. Where both were on the same object, the target's row is
    kept and the other's dropped, so no duplicate is ever created."""
    target = Person.objects.select_for_update().get(pk=target.pk)
    others = list(
        Person.objects.select_for_update()
        .filter(pk__in=[other.pk for other in others])
        .exclude(pk=target.pk)
        .order_by("name", "pk")
    )
    aliases = target.alias_list
    known = {name.casefold() for name in target.names()}
    for other in others:
        for name in other.names():
            if name.casefold() not in known:
                known.add(name.casefold())
                aliases.append(name)
        # Claims and stories (whose statements are edited under them) carry a lock
        # version; a retag through a queryset must bump it, or a form opened
        # before the merge could write the merged person back.
        Claim.objects.filter(
            pk__in=ClaimPerson.objects.filter(tag=other).values("content_object")
        ).update(version=F("version") + 1)
        Story.objects.filter(
            statements__in=StatementPerson.objects.filter(tag=other).values("content_object")
        ).update(version=F("version") + 1)
        for through in (ArticlePerson, ClaimPerson, StatementPerson):
            tagged = through.objects.filter(tag=target).values("content_object")
            through.objects.filter(tag=other).exclude(content_object__in=tagged).update(tag=target)
        same_place = PersonMention.objects.filter(
            person=target, article=OuterRef("article"), start=OuterRef("start")
        )
        PersonMention.objects.filter(person=other).filter(Exists(same_place)).delete()
        PersonMention.objects.filter(person=other).update(person=target)
        Evidence.objects.filter(attributed_person=other).update(
            attributed_person=target, version=F("version") + 1
        )
        PersonSuggestion.objects.filter(person=other).update(person=target)
        _move_revision_people(other, target)
        if other.description and not target.description:
            target.description = other.description
        other.delete()
    target.aliases = "\n".join(aliases)
    target.save(update_fields=["aliases", "description"])
    return target


def _move_revision_people(other, target):
    """Name ``target`` wherever a published revision named ``other``.

    Revisions are immutable as to what they say; which row stands for a person
    is bookkeeping, and without it the merged person would vanish from the
    pages readers see.
    """
    through = StoryRevision.people.through
    for revision in StoryRevision.objects.filter(people=other):
        content = {
            **revision.content,
            "statements": [
                {
                    **item,
                    "people": sorted(
                        {target.pk if pk == other.pk else pk for pk in item["people"]}
                    ),
                }
                for item in revision.statements
            ],
        }
        StoryRevision.objects.filter(pk=revision.pk).update(content=content)
    already = through.objects.filter(person=target).values("storyrevision")
    through.objects.filter(person=other).exclude(storyrevision__in=already).update(person=target)


def _shorten(text, limit=60):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# People suggestions: proposed by ``suggesting``, decided by an editor. Nothing is tagged
# until an editor accepts a suggestion.


class SuggestionError(Exception):
    """A decision the suggestion does not allow; ``str()`` is shown to the editor."""


@dataclass
class Acceptance:
    suggestion: PersonSuggestion
    person: Person
    person_created: bool = False
    alias_added: bool = False
    newly_tagged: bool = False
    mentions_added: int = 0


@transaction.atomic
def suggest_people(article, user=None):
    """Propose the people ``article`` names as PENDING PersonSuggestion rows.

    People on file whose name or alias occurs are proposed with ``person`` set;
    names the desk does not know with ``person`` empty. A name rejected for
    this article is never proposed again; a known person already tagged whose
    mentions are all stored is not proposed; a pending suggestion is updated,
    never duplicated, and pending ones that no longer apply are dropped.
    ``user``, when given, is recorded in the admin log. Returns the article's
    pending suggestions.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    body = article.body
    people = {person.pk: person for person in Person.objects.order_by("pk")}
    existing = {s.name: s for s in PersonSuggestion.objects.filter(article=article)}
    rejected = [s for s in existing.values() if s.status == SuggestionStatus.REJECTED]
    rejected_names = {s.name.casefold() for s in rejected}
    rejected_people = {s.person_id for s in rejected if s.person_id}
    tagged = set(
        ArticlePerson.objects.filter(content_object=article).values_list("tag_id", flat=True)
    )
    stored = {}
    for person_id, start, end in PersonMention.objects.filter(article=article).values_list(
        "person_id", "start", "end"
    ):
        stored.setdefault(person_id, set()).add((start, end))

    proposals = {}  # name -> (person or None, [[start, end], ...])
    known = [suggesting.KnownPerson(pk, tuple(p.names())) for pk, p in people.items()]
    for match in suggesting.find_known_people(body, known):
        person = people[match.key]
        spans = sorted({(m.start, m.end) for m in match.mentions})
        if not spans or person.pk in rejected_people or person.name.casefold() in rejected_names:
            continue
        if person.pk in tagged and set(spans) <= stored.get(person.pk, set()):
            continue
        proposals[person.name] = (person, [list(span) for span in spans])
    known_names = [name for person in people.values() for name in person.names()]
    for candidate in suggesting.propose_people(
        body, known_names=known_names, rejected=[s.name for s in rejected]
    ):
        if candidate.name.casefold() in rejected_names or candidate.name in proposals:
            continue
        spans = sorted({(m.start, m.end) for m in candidate.mentions})
        if spans:
            proposals[candidate.name] = (None, [list(span) for span in spans])

    changed = []
    for name, (person, mentions) in proposals.items():
        suggestion = existing.get(name)
        if suggestion is None:
            suggestion = PersonSuggestion(article=article, name=name)
        elif (
            suggestion.status == SuggestionStatus.PENDING
            and suggestion.person_id == (person.pk if person else None)
            and suggestion.mentions == mentions
        ):
            continue  # already proposed as it stands
        # An accepted suggestion comes back when the article names the person in
        # places not stored yet (an alias added since, say).
        suggestion.person, suggestion.mentions = person, mentions
        suggestion.status, suggestion.decided_by = SuggestionStatus.PENDING, None
        suggestion.save()
        changed.append(name)
    stale = PersonSuggestion.objects.filter(article=article, status=SuggestionStatus.PENDING)
    stale.exclude(name__in=proposals).delete()
    if user is not None and changed:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[article],
            action_flag=CHANGE,
            change_message=f"Suggested people to confirm: {', '.join(sorted(changed))}.",
            single_object=True,
        )
    return list(PersonSuggestion.objects.filter(article=article, status=SuggestionStatus.PENDING))


def _pending_suggestion(suggestion):
    suggestion = (
        PersonSuggestion.objects.select_for_update(of=("self",))
        .select_related("article", "person")
        .get(pk=suggestion.pk)
    )
    if suggestion.status != SuggestionStatus.PENDING:
        raise SuggestionError(
            f"“{suggestion.name}” was already {suggestion.get_status_display().lower()}."
        )
    return suggestion


def suggestion_needs_new_person(suggestion, name=""):
    """Whether accepting ``suggestion`` (as ``name``) would add a person to the desk."""
    if suggestion.person_id:
        return False
    name = " ".join((name or suggestion.name).split())
    return not Person.objects.filter(name__iexact=name).exists()


@transaction.atomic
def accept_suggestion(suggestion, user, name=""):
    """Tag the suggested person on the article and store where it names them.

    For a new name the person is created (as ``name`` if the editor corrected
    it, keeping the suggested spelling as an alias), unless a person of that
    name exists already, who is then used. Mentions already stored are kept.
    """
    suggestion = _pending_suggestion(suggestion)
    article = suggestion.article
    result = Acceptance(suggestion=suggestion, person=suggestion.person)
    if result.person is None:
        name = " ".join((name or suggestion.name).split())
        if not name:
            raise SuggestionError("A person needs a name.")
        result.person = Person.objects.filter(name__iexact=name).first()
        if result.person is None:
            person = Person(name=name, aliases=suggestion.name if suggestion.name != name else "")
            try:
                person.full_clean(exclude=["slug"])  # the slug is made from the name on save
            except ValidationError as exc:
                raise SuggestionError(" ".join(exc.messages)) from exc
            person.save()
            result.person, result.person_created = person, True
        elif suggestion.name.casefold() not in {n.casefold() for n in result.person.names()}:
            result.person.aliases = "\n".join([*result.person.alias_list, suggestion.name])
            result.person.save(update_fields=["aliases"])
            result.alias_added = True
    person = result.person
    result.newly_tagged = not ArticlePerson.objects.filter(
        content_object=article, tag=person
    ).exists()
    if result.newly_tagged:
        article.people.add(person)
    body = article.body
    for start, end in suggestion.mentions:
        if 0 <= start < end <= len(body):
            _, created = PersonMention.objects.get_or_create(
                article=article,
                person=person,
                start=start,
                defaults={"end": end, "text": body[start:end][:200]},
            )
            result.mentions_added += created
    suggestion.person = person
    suggestion.status, suggestion.decided_by = SuggestionStatus.ACCEPTED, user
    suggestion.save(update_fields=["person", "status", "decided_by"])
    return result


@transaction.atomic
def reject_suggestion(suggestion, user):
    """Mark the suggestion rejected; its name is never proposed again for the article."""
    suggestion = _pending_suggestion(suggestion)
    suggestion.status, suggestion.decided_by = SuggestionStatus.REJECTED, user
    suggestion.save(update_fields=["status", "decided_by"])
    return suggestion
