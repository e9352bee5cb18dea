"""People suggestions: proposed by ``stories.text.names``, decided by an editor.

Nothing is tagged until an editor accepts a suggestion.
"""

from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

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


class KnownPeople:
    """The people on file as the name rules take them, loaded once for any number of
    articles (an import of thousands asks the database once, not once an article)."""

    def __init__(self):
        self.by_pk = {person.pk: person for person in Person.objects.order_by("pk")}
        self.known = [names.KnownPerson(pk, tuple(p.names())) for pk, p in self.by_pk.items()]
        self.known_names = [name for person in self.by_pk.values() for name in person.names()]

    def proposals(self, body, *, rejected=(), tagged=frozenset(), stored=None):
        """``{name: (person or None, [[start, end], ...])}``: the people ``body`` names,
        less those an editor settled. ``rejected`` are the article's rejected
        suggestions, ``tagged`` the ids of people tagged on it, ``stored`` their stored
        mention spans by person id (a tagged person with every mention stored is not
        proposed again)."""
        stored = stored or {}
        rejected_names = {s.name.casefold() for s in rejected}
        rejected_people = {s.person_id for s in rejected if s.person_id}
        proposals = {}
        for match in names.find_known_people(body, self.known):
            person = self.by_pk[match.key]
            spans = sorted({(m.start, m.end) for m in match.mentions})
            if (
                not spans
                or person.pk in rejected_people
                or person.name.casefold() in rejected_names
            ):
                continue
            if person.pk in tagged and set(spans) <= stored.get(person.pk, set()):
                continue
            proposals[person.name] = (person, [list(span) for span in spans])
        for candidate in names.propose_people(
            body, known_names=self.known_names, rejected=[s.name for s in rejected]
        ):
            if candidate.name.casefold() in rejected_names or candidate.name in proposals:
                continue
            spans = sorted({(m.start, m.end) for m in candidate.mentions})
            if spans:
                proposals[candidate.name] = (None, [list(span) for span in spans])
        return proposals


def _log_suggested(user, article, names_changed):
    return LogEntry(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(Article),
        object_id=str(article.pk),
        object_repr=str(article)[:200],
        action_flag=CHANGE,
        change_message=f"Suggested people to confirm: {', '.join(sorted(names_changed))}.",
    )


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
    existing = {s.name: s for s in PersonSuggestion.objects.filter(article=article)}
    rejected = [s for s in existing.values() if s.status == SuggestionStatus.REJECTED]
    tagged = set(
        ArticlePerson.objects.filter(content_object=article).values_list("tag_id", flat=True)
    )
    stored = {}
    for person_id, start, end in PersonMention.objects.filter(article=article).values_list(
        "person_id", "start", "end"
    ):
        stored.setdefault(person_id, set()).add((start, end))
    proposals = KnownPeople().proposals(
        article.body, rejected=rejected, tagged=tagged, stored=stored
    )

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
        _log_suggested(user, article, changed).save()
    return list(PersonSuggestion.objects.filter(article=article, status=SuggestionStatus.PENDING))


BULK_BATCH = 1000


@transaction.atomic
def suggest_people_for_new(articles, user=None, *, progress=None):
    """What ``suggest_people`` proposes for each of ``articles``, just created (so
    nothing is tagged, suggested or rejected on them yet), with the people loaded once
    and the rows and log entries written in bulk. ``progress(done, total)`` is called
    after each article."""
    people = KnownPeople()
    rows, entries = [], []
    for done, article in enumerate(articles, start=1):
        proposals = people.proposals(article.body)
        rows += [
            PersonSuggestion(article=article, name=name, person=person, mentions=mentions)
            for name, (person, mentions) in proposals.items()
        ]
        if user is not None and proposals:
            entries.append(_log_suggested(user, article, proposals))
        if progress is not None:
            progress(done, len(articles))
    PersonSuggestion.objects.bulk_create(rows, batch_size=BULK_BATCH)
    LogEntry.objects.bulk_create(entries, batch_size=BULK_BATCH)


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
    name exists already, who is then used. Mentions already stored are kept.
    """
    suggestion = _pending_suggestion(suggestion)
    article = suggestion.article
    result = Acceptance(suggestion=suggestion, person=suggestion.person)
    if result.person is None:
        name = suggestion.person_name(name)
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
