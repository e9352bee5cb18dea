"""Merging people: one person kept, every reference to the others moved to them."""

from django.db import transaction
from django.db.models import Exists, OuterRef

from ..locking.models import bump_version
from ..models import (
    ArticlePerson,
    Claim,
    ClaimPerson,
    Origin,
    Person,
    PersonMention,
    PersonSuggestion,
    StatementPerson,
    Story,
    StoryRevision,
)


@transaction.atomic
def merge_people(target, others):
    """Fold ``others`` into ``target``: every tag, mention, origin,
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
        bump_version(
            Claim.objects.filter(
                pk__in=ClaimPerson.objects.filter(tag=other).values("content_object")
            )
        )
        bump_version(
            Story.objects.filter(
                statements__in=StatementPerson.objects.filter(tag=other).values("content_object")
            )
        )
        for through in (ArticlePerson, ClaimPerson, StatementPerson):
            tagged = through.objects.filter(tag=target).values("content_object")
            through.objects.filter(tag=other).exclude(content_object__in=tagged).update(tag=target)
        same_place = PersonMention.objects.filter(
            person=target, article=OuterRef("article"), start=OuterRef("start")
        )
        PersonMention.objects.filter(person=other).filter(Exists(same_place)).delete()
        PersonMention.objects.filter(person=other).update(person=target)
        PersonSuggestion.objects.filter(person=other).update(person=target)
        Origin.objects.filter(person=other).update(person=target)
        StoryRevision.objects.replace_person(other, target)
        if other.description and not target.description:
            target.description = other.description
        other.delete()
    target.aliases = "\n".join(aliases)
    target.save(update_fields=["aliases", "description"])
    return target
