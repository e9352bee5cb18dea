"""People suggestions: proposed by ``stories.text.names``, decided by an editor.

Nothing is tagged until an editor accepts a suggestion.
"""

from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .. import roles
from ..models import (
    Article,
    ArticlePerson,
    Person,
    PersonMention,
    PersonSuggestion,
    SuggestionStatus,
)
from ..text import names


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
    known = [names.KnownPerson(pk, tuple(p.names())) for pk, p in people.items()]
    for match in names.find_known_people(body, known):
        person = people[match.key]
        spans = sorted({(m.start, m.end) for m in match.mentions})
        if not spans or person.pk in rejected_people or person.name.casefold() in rejected_names:
            continue
        if person.pk in tagged and set(spans) <= stored.get(person.pk, set()):
            continue
        proposals[person.name] = (person, [list(span) for span in spans])
    known_names = [name for person in people.values() for name in person.names()]
    for candidate in names.propose_people(
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


@transaction.atomic
def accept_suggestion(suggestion, user, name=""):
    """Tag the suggested person on the article and store where it names them.

    For a new name the person is created (as ``name`` if the editor corrected
    it, keeping the suggested spelling as an alias), unless a person of that
    name exists already, who is then used, with the suggested spelling added
    to their aliases (a public person's only by an editor: readers see the
    aliases). Mentions already stored are kept.
    """
    suggestion = _pending_suggestion(suggestion)
    article = suggestion.article
    result = Acceptance(suggestion=suggestion, person=suggestion.person)
    if result.person is None:
        name = suggestion.person_name(name)
        if not name:
            raise SuggestionError("A person needs a name.")
        result.person, result.person_created = _person_named(name, suggestion.name)
        known = {n.casefold() for n in result.person.names()}
        if (
            not result.person_created
            and suggestion.name.casefold() not in known
            and _may_add_alias(result.person, user)
        ):
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


def _may_add_alias(person, user):
    """A public person's aliases are on their page: adding one is an editor's call
    (``roles.may_edit_public``); a script (no user) and anyone else on a person
    readers cannot see yet may."""
    if user is None or roles.may_edit_public(user):
        return True
    return not Person.objects.published().filter(pk=person.pk).exists()


def _person_named(name, suggested):
    """The person called ``name`` (in any case), created if nobody is: (person, created).

    Two editors accepting the same new name from two articles at once both find
    nobody. The database's unique name decides: one insert wins, and the other,
    rolled back to its savepoint, gets the person the first one created (the
    uniqueness check is left to the database for that reason: a check in Python
    would only move the race to just before the insert).
    """
    person = Person.objects.filter(name__iexact=name).first()
    if person is not None:
        return person, False
    person = Person(name=name, aliases=suggested if suggested != name else "")
    try:
        # The slug is made from the name on save; the name's uniqueness is the insert's.
        person.full_clean(exclude=["slug"], validate_unique=False)
    except ValidationError as exc:
        raise SuggestionError(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        person = Person.objects.filter(name__iexact=name).first()
        if person is None:
            raise
        return person, False
    return person, True


@transaction.atomic
def reject_suggestion(suggestion, user):
    """Mark the suggestion rejected; its name is never proposed again for the article."""
    suggestion = _pending_suggestion(suggestion)
    suggestion.status, suggestion.decided_by = SuggestionStatus.REJECTED, user
    suggestion.save(update_fields=["status", "decided_by"])
    return suggestion
