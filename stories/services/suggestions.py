"""People suggestions: proposed by ``stories.text.names``, decided by an editor.

Nothing is tagged until an editor accepts a suggestion. What the desk already knows feeds the
rules: the people on file (by every name and alias), the names ruled out for the whole desk
(:class:`~stories.models.NotAPerson`) and the names rejected for one article. A rejection of
either kind can be undone.

A huge article names the same people thousands of times: a suggestion stores its first
:data:`STORED_MENTIONS` mentions and counts the rest, so what is written and shown stays
bounded whatever the article's length.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from .. import roles
from ..models import (
    Article,
    ArticlePerson,
    NotAPerson,
    NotAPersonKind,
    Person,
    PersonMention,
    PersonSuggestion,
    SuggestionStatus,
)
from ..text import names, parallel, quotes

# How many of a suggestion's mentions are stored (and become links when it is accepted).
STORED_MENTIONS = 200
# Rows a bulk insert of new suggestions writes at a time.
BATCH = 1000


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


@dataclass(frozen=True)
class Proposal:
    """A person the article names, as the desk would propose them."""

    name: str
    person: Person | None  # on file, or None for a new name
    spans: list  # [[start, end], ...]: every mention, in body order
    description: str = ""

    @property
    def kind(self):
        return "known" if self.person is not None else "new"

    @property
    def mentions(self):
        """The mentions a suggestion stores: the first STORED_MENTIONS."""
        return self.spans[:STORED_MENTIONS]

    @property
    def more_mentions(self):
        return max(0, len(self.spans) - STORED_MENTIONS)

    def as_json(self):
        return {
            "name": self.name,
            "kind": self.kind,
            "person": self.person.pk if self.person else None,
            "mentions": self.spans,
        }


@dataclass(frozen=True)
class QuoteProposal:
    """Quoted speech and who says it, with the person on file when it is one of them."""

    text: str
    start: int
    end: int
    speaker: str
    speaker_kind: str
    person: Person | None

    def as_json(self):
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "speaker_kind": self.speaker_kind,
            "person": self.person.pk if self.person else None,
        }


@dataclass
class ArticleProposals:
    article: Article
    people: list[Proposal] = field(default_factory=list)
    quotes: list[QuoteProposal] = field(default_factory=list)

    def as_json(self):
        """The shape ``manage.py suggest --json`` prints for each article."""
        return {
            "id": self.article.pk,
            "headline": self.article.headline,
            "people": [proposal.as_json() for proposal in self.people],
            "quotes": [quote.as_json() for quote in self.quotes],
        }


class Desk:
    """What the desk knows that the rules consult: the people on file (by every name and
    alias) and the names ruled out for the whole desk. Read once for any number of
    articles, since proposing writes no person and rules out no name."""

    def __init__(self, people=None, ruled_out=None):
        self.people = list(Person.objects.order_by("pk")) if people is None else list(people)
        self.ruled_out = NotAPerson.objects.names() if ruled_out is None else list(ruled_out)
        self.by_pk = {person.pk: person for person in self.people}
        self.names = names.DeskNames(
            tuple(names.KnownPerson(person.pk, tuple(person.names())) for person in self.people),
            tuple(self.ruled_out),
        )

    def people_named(self, body, *, rejected=()):
        """``(proposals, reading)``: the people ``body`` names as the desk would propose
        them, less the names and people of the article's ``rejected`` suggestions, and the
        ``names.read_people`` reading they come from (the quote rules take it as it is)."""
        proposed, reading = self.names.proposals(
            body,
            rejected_names=[suggestion.name for suggestion in rejected],
            rejected_keys={s.person_id for s in rejected if s.person_id is not None},
        )
        return [self.proposal(found) for found in proposed], reading

    def proposal(self, proposed):
        """The :class:`Proposal` of the rules' ``names.Proposed``, with its person on file."""
        person = self.by_pk[proposed.key] if proposed.key is not None else None
        spans = [list(span) for span in proposed.spans]
        return Proposal(proposed.name, person, spans, proposed.description)


def proposals(article, *, people=None, ruled_out=None):
    """What the rules propose for ``article`` given what the desk knows; writes nothing.

    People on file (``people``, all of them by default) are found by every name and alias;
    names ruled out for the desk (``ruled_out``) and names rejected for this article are left
    out. The quotes are the article's quoted speech with their speakers.
    """
    desk = Desk(people, ruled_out)
    rejected = PersonSuggestion.objects.filter(article=article, status=SuggestionStatus.REJECTED)
    found = ArticleProposals(article)
    found.people, reading = desk.people_named(article.body, rejected=list(rejected))
    for quote in quotes.find_quotes(article.body, people=reading):
        found.quotes.append(
            QuoteProposal(
                text=quote.text,
                start=quote.start,
                end=quote.end,
                speaker=quote.said_by,
                speaker_kind=str(quote.said_by_kind),
                person=desk.by_pk.get(quote.said_by_key),
            )
        )
    return found


@transaction.atomic
def suggest_people(article, user=None):
    """Propose the people ``article`` names as PENDING PersonSuggestion rows.

    People on file whose name or alias occurs are proposed with ``person`` set;
    names the desk does not know with ``person`` empty, and with the title or role
    the article gives them as a description. A name rejected for this article or
    ruled out for the desk is never proposed; a known person already tagged whose
    mentions are all stored is not proposed; a pending suggestion is updated,
    never duplicated, and pending ones that no longer apply are dropped.
    ``user``, when given, is recorded in the admin log. Returns the article's
    pending suggestions.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    existing = {s.name: s for s in PersonSuggestion.objects.filter(article=article)}
    tagged = set(
        ArticlePerson.objects.filter(content_object=article).values_list("tag_id", flat=True)
    )
    stored = {}
    for person_id, start, end in PersonMention.objects.filter(article=article).values_list(
        "person_id", "start", "end"
    ):
        stored.setdefault(person_id, set()).add((start, end))
    rejected = [s for s in existing.values() if s.status == SuggestionStatus.REJECTED]
    found, _ = Desk().people_named(article.body, rejected=rejected)
    wanted = _wanted(found, tagged, stored)

    changed = []
    for name, proposal in wanted.items():
        person = proposal.person
        suggestion = existing.get(name)
        if suggestion is None:
            suggestion = PersonSuggestion(article=article, name=name)
        elif (
            suggestion.status == SuggestionStatus.PENDING
            and suggestion.person_id == (person.pk if person else None)
            and suggestion.mentions == proposal.mentions
            and suggestion.more_mentions == proposal.more_mentions
            and suggestion.description == proposal.description
        ):
            continue  # already proposed as it stands
        # An accepted suggestion comes back when the article names the person in
        # places not stored yet (an alias added since, say).
        _as_proposed(suggestion, proposal).save()
        changed.append(name)
    stale = PersonSuggestion.objects.filter(article=article, status=SuggestionStatus.PENDING)
    stale.exclude(name__in=wanted).delete()
    if user is not None and changed:
        _logged(user, article, changed).save()
    return list(PersonSuggestion.objects.filter(article=article, status=SuggestionStatus.PENDING))


class NewArticleSuggestions:
    """The people suggestions of ``articles`` that this transaction creates: nothing is
    suggested, rejected, tagged or stored on them yet, so none of ``suggest_people``'s
    per-article reads is needed, and the desk is read once.

    The rules start on the bodies when the block is entered, in worker processes when there
    are many (``parallel.TextPass``, ``settings.TEXT_PROCESSES``), so the caller can save the
    articles meanwhile; :meth:`save` then inserts the rows and log entries in batches, in
    the order of ``articles``, which keeps an import of thousands linear and its queries
    few. Leaving the block stops the workers, whatever they were doing.
    """

    def __init__(self, articles, user=None):
        self.articles, self.user = list(articles), user
        self.desk = Desk()
        bodies = [article.body for article in self.articles]
        self._pass = parallel.TextPass(
            self.desk.names.propose, bodies, processes=settings.TEXT_PROCESSES
        )

    def __enter__(self):
        self._pass.__enter__()
        return self

    def __exit__(self, *exc_info):
        self._pass.__exit__(*exc_info)

    @transaction.atomic
    def save(self, *, progress=None):
        """Insert the suggestions; every article must be saved by now."""
        rows, entries, total = [], [], len(self.articles)
        answers = zip(self.articles, self._pass, strict=True)
        for done, (article, proposed) in enumerate(answers, start=1):
            wanted = _wanted(self.desk.proposal(found) for found in proposed)
            rows += [(article.pk, proposal) for proposal in wanted.values()]
            if self.user is not None and wanted:
                entries.append(_logged(self.user, article, wanted))
            if len(rows) >= BATCH:
                _insert_pending(rows)
                rows = []
            if progress is not None:
                progress(done, total)
        _insert_pending(rows)
        LogEntry.objects.bulk_create(entries, batch_size=BATCH)


def _insert_pending(rows):
    """Insert ``(article id, proposal)`` rows as PENDING suggestions in one statement.

    What ``bulk_create`` would write, without its model instances: an import of ten
    thousand articles writes about ninety thousand suggestions, and building and preparing
    an instance per row took 40 µs of each row's 45. The values are adapted as the fields
    would adapt them (``tests/test_bulk_import.py`` compares the rows with saved ones).
    """
    if not rows:
        return
    meta = PersonSuggestion._meta
    columns = ("article", "name", "person", "mentions", "more_mentions", "description")
    columns += ("status", "created_at")
    fields = [meta.get_field(column) for column in columns]
    connection = connections[router.db_for_write(PersonSuggestion)]
    ops, quote = connection.ops, connection.ops.quote_name
    encoder = meta.get_field("mentions").encoder
    now = ops.adapt_datetimefield_value(timezone.now())
    pending = SuggestionStatus.PENDING.value
    values = [
        (
            article_id,
            proposal.name,
            proposal.person.pk if proposal.person is not None else None,
            ops.adapt_json_value(proposal.mentions, encoder),
            proposal.more_mentions,
            proposal.description[:300],
            pending,
            now,
        )
        for article_id, proposal in rows
    ]
    # Names from the model's own meta, quoted by the backend; the values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _wanted(found, tagged=frozenset(), stored=None):
    """``{name: proposal}`` of the proposals ``found`` worth an editor's look: not a person
    already tagged (``tagged``, their ids) whose mentions are all stored (``stored``, spans
    by person id)."""
    wanted = {}
    for proposal in found:
        person = proposal.person
        if person is not None and person.pk in tagged:
            spans = {tuple(span) for span in proposal.mentions}
            if spans <= (stored or {}).get(person.pk, set()):
                continue
        wanted[proposal.name] = proposal
    return wanted


def _as_proposed(suggestion, proposal):
    suggestion.person, suggestion.mentions = proposal.person, proposal.mentions
    suggestion.more_mentions = proposal.more_mentions
    suggestion.description = proposal.description[:300]
    suggestion.status, suggestion.decided_by = SuggestionStatus.PENDING, None
    return suggestion


def _logged(user, article, suggested):
    """The admin log's entry for the people just suggested on ``article`` (unsaved), as
    ``LogEntry.objects.log_actions`` writes it."""
    return LogEntry(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(article, for_concrete_model=False),
        object_id=str(article.pk),
        object_repr=str(article)[:200],
        action_flag=CHANGE,
        change_message=f"Suggested people to confirm: {', '.join(sorted(suggested))}.",
    )


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
def accept_suggestion(suggestion, user, name="", description=None):
    """Tag the suggested person on the article and store where it names them.

    For a new name the person is created (as ``name`` if the editor corrected
    it, keeping the suggested spelling as an alias) with the suggestion's
    description (or ``description``, the editor's), unless a person of that
    name exists already, who is then used, with the suggested spelling added
    to their aliases (a public person's only by an editor: readers see the
    aliases) and the description if they have none. Mentions already stored
    are kept.
    """
    suggestion = _pending_suggestion(suggestion)
    article = suggestion.article
    description = " ".join((suggestion.description if description is None else description).split())
    result = Acceptance(suggestion=suggestion, person=suggestion.person)
    if result.person is None:
        name = suggestion.person_name(name)
        if not name:
            raise SuggestionError("A person needs a name.")
        result.person, result.person_created = _person_named(name, suggestion.name, description)
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
    if not result.person_created and description and not person.description:
        person.description = description[:300]
        person.save(update_fields=["description"])
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


def _person_named(name, suggested, description=""):
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
    person = Person(
        name=name, aliases=suggested if suggested != name else "", description=description[:300]
    )
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


@transaction.atomic
def undo_rejection(suggestion, user=None):
    """Forget that the suggestion was rejected for its article, and suggest again.

    The name comes back as a pending suggestion if the article still names it.
    Returns the article's pending suggestions.
    """
    suggestion = PersonSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.REJECTED:
        raise SuggestionError(f"“{suggestion.name}” was not rejected.")
    article = suggestion.article
    suggestion.delete()
    return suggest_people(article, user)


@transaction.atomic
def rule_out(suggestion, user, kind=NotAPersonKind.OTHER):
    """Remember for the whole desk that the suggested name is no person.

    The name is proposed in no article again, and its pending suggestions in every
    article are withdrawn. Only a new name can be ruled out: someone on file is a
    person the desk created, to be merged or deleted instead. Returns the
    :class:`NotAPerson` and how many pending suggestions were withdrawn.
    """
    suggestion = _pending_suggestion(suggestion)
    if suggestion.person_id is not None:
        raise SuggestionError(
            f"{suggestion.person} is on file as a person: reject the suggestion for this "
            "article, or merge or delete the person."
        )
    if kind not in NotAPersonKind.values:
        raise SuggestionError("Say what the name is: a place, a business, an organisation.")
    not_a_person = NotAPerson.objects.named(suggestion.name).first()
    if not_a_person is None:
        not_a_person = NotAPerson(name=suggestion.name, kind=kind, decided_by=user)
        not_a_person.full_clean()
        not_a_person.save()
    return not_a_person, withdraw(not_a_person.name)


def withdraw(name):
    """Drop the pending suggestions of a new name ruled out for the desk, in every article.

    Returns how many were dropped.
    """
    withdrawn, _ = PersonSuggestion.objects.filter(
        name__iexact=" ".join(name.split()), status=SuggestionStatus.PENDING, person=None
    ).delete()
    return withdrawn


@transaction.atomic
def forget_ruled_out(not_a_people, user=None):
    """Undo desk-wide rulings: delete them and suggest again in every article naming them.

    Returns the number of articles suggested again.
    """
    not_a_people = list(not_a_people)
    articles = Article.objects.none()
    for not_a_person in not_a_people:
        articles = articles | Article.objects.filter(body__icontains=not_a_person.name)
    NotAPerson.objects.filter(pk__in=[item.pk for item in not_a_people]).delete()
    articles = list(articles.distinct().order_by("pk"))
    for article in articles:
        suggest_people(article, user)
    return len(articles)
