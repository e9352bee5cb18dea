"""Draft a reconciled story from the claims tagged in some articles."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from taggit.models import Tag

from stories.models import Article
from stories.services import drafting


class Command(BaseCommand):
    help = (
        "Create a draft story from the claims tagged in the given articles (or every article "
        "of a topic): what the independent sources agree on, each disputed claim with both "
        "sides, then single-origin details. Nothing is published."
    )

    def add_arguments(self, parser):
        chosen = parser.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--articles", nargs="+", type=int, metavar="ID", help="Article ids.")
        chosen.add_argument("--topic", help="A topic's name or slug: every article tagged with it.")
        parser.add_argument("--slug", required=True, help="The new story's slug.")
        parser.add_argument("--headline", default="", help="Default: the first article's.")

    def handle(self, *args, articles, topic, slug, headline, **options):
        if topic:
            found = Tag.objects.filter(Q(slug=topic) | Q(name__iexact=topic)).first()
            queryset = Article.objects.about(found) if found else Article.objects.none()
            if not queryset.exists():
                raise CommandError(f"No article is on the topic “{topic}”.")
        else:
            queryset = Article.objects.filter(pk__in=articles)
            missing = sorted(set(articles) - set(queryset.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No article with id {', '.join(map(str, missing))}.")
        try:
            story = drafting.draft_story(queryset.distinct(), slug=slug, headline=headline)
        except drafting.DraftError as exc:
            raise CommandError(str(exc)) from None
        count = story.statements.count()
        self.stdout.write(
            f"Drafted “{story.headline}” ({story.slug}): {count} statements, not published. "
            f"Edit it at /admin/stories/story/{story.pk}/change/"
        )
