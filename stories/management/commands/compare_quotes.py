"""List quotations found in two or more articles, and flag those given to different speakers."""

import json

from django.core.management.base import BaseCommand

from stories.models import Article
from stories.selectors import quote_appearances
from stories.text import quotecompare


class Command(BaseCommand):
    help = (
        "Who said it? List every quotation (or a fragment of it) found in two or more articles, "
        "with each article's speaker as the quote suggestions find it, and flag those whose "
        "speakers differ. An unresolved speaker (“she said”, “the source”) is not a conflict."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON for scripts."
        )

    def handle(self, *args, as_json=False, **options):
        articles = Article.objects.order_by("pk").only("pk", "headline", "body")
        groups = quotecompare.compare_quotes(quote_appearances(articles))
        if as_json:
            data = {"quotes": [group_data(group) for group in groups]}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        if not groups:
            self.stdout.write("No quotation appears in more than one article.")
        for group in groups:
            flag = "CONFLICT — " if group.conflict else ""
            self.stdout.write(f"{flag}“{group.text}”")
            for appearance in group.appearances:
                speaker = appearance.speaker or "no speaker found"
                self.stdout.write(
                    f"    #{appearance.article} [{appearance.start}–{appearance.end}]: {speaker}"
                )


def group_data(group):
    return {
        "text": group.text,
        "appearances": [
            {"article": a.article, "start": a.start, "end": a.end, "speaker": a.speaker}
            for a in group.appearances
        ],
        "conflict": group.conflict,
    }
