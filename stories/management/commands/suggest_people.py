"""Propose the people each article names, for editors to accept or reject."""

from django.core.management.base import BaseCommand

from stories.management.articles import chosen_articles
from stories.services import suggestions


class Command(BaseCommand):
    help = (
        "Propose the people articles name (known people by name or alias, and new names) "
        "as pending suggestions in each article's reading view. Rejected names stay rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "articles", nargs="*", type=int, metavar="ID", help="Article ids (default: all)."
        )

    def handle(self, *args, articles, **options):
        queryset = chosen_articles(articles)
        for article in queryset:
            pending = suggestions.suggest_people(article)
            self.stdout.write(f"#{article.pk} {article.headline}: {len(pending)} to confirm")
