"""What the commands working on articles share: picking them by id, or all of them."""

from django.core.management.base import CommandError

from stories.models import Article


def chosen_articles(ids):
    """The articles with these ids (all of them when there are none), in id order.

    An id with no article is an error naming it, before anything is done.
    """
    queryset = Article.objects.order_by("pk")
    if not ids:
        return queryset
    queryset = queryset.filter(pk__in=ids)
    missing = sorted(set(ids) - set(queryset.values_list("pk", flat=True)))
    if missing:
        raise CommandError(f"No article with id {', '.join(map(str, missing))}.")
    return queryset
