"""Print the people and quotes the desk would propose for articles, for scripts and checks."""

import json

from django.core.management.base import BaseCommand

from stories.management.articles import chosen_articles
from stories.models import NotAPerson, Person
from stories.services import suggestions


class Command(BaseCommand):
    help = (
        "Print the people and the quoted speech the desk proposes for each article (all by "
        "default), as the rules see them with the people on file and the names ruled out. "
        "Nothing is written. With --json, one JSON object: "
        '{"articles": [{"id", "headline", "people": [{"name", "kind", "person", "mentions"}], '
        '"quotes": [{"text", "start", "end", "speaker", "speaker_kind", "person"}]}]}.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "articles", nargs="*", type=int, metavar="ARTICLE_ID", help="Article ids."
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(self, *args, articles, as_json=False, **options):
        queryset = chosen_articles(articles)
        people = list(Person.objects.order_by("pk"))
        ruled_out = NotAPerson.objects.names()
        found = [
            suggestions.proposals(article, people=people, ruled_out=ruled_out)
            for article in queryset.iterator()
        ]
        if as_json:
            data = {"articles": [item.as_json() for item in found]}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for item in found:
            self.stdout.write(f"#{item.article.pk} {item.article.headline}")
            for person in item.people:
                on_file = f"on file #{person.person.pk}" if person.person else "new"
                described = f", {person.description}" if person.description else ""
                self.stdout.write(
                    f"  person  {person.name} ({on_file}{described}): "
                    f"{len(person.spans)} mention(s)"
                )
            for quote in item.quotes:
                said = quote.speaker or "speaker not found"
                text = " ".join(quote.text.split())
                text = text if len(text) <= 60 else text[:59] + "…"
                self.stdout.write(f"  quote   “{text}” — {said} ({quote.speaker_kind})")
