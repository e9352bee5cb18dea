"""List every evidence passage with its anchor state, as re-anchoring left it."""

import json

from django.core.management.base import BaseCommand, CommandError

from stories.management.terminal import cut, table
from stories.models import Article, Evidence
from stories.services.versions import anchor_rows


class Command(BaseCommand):
    help = (
        "List every evidence passage with its anchor state (exact, moved, fuzzy, needs_review, "
        "orphaned), the version of its article it points at and, for those waiting for an "
        "editor, the candidates with their scores."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print a JSON list instead.")
        parser.add_argument("--article", type=int, metavar="ID", help="Only this article's.")

    def handle(self, *args, json: bool, article, **options):
        evidence = Evidence.objects.all()
        if article is not None:
            if not Article.objects.filter(pk=article).exists():
                raise CommandError(f"--article {article}: no article has that id.")
            evidence = evidence.filter(article_id=article)
        rows = anchor_rows(evidence)
        if json:
            self.stdout.write(_dumps(rows))
            return
        lines = []
        for row in rows:
            score = "" if row["score"] is None else f"{row['score']:.1f}"
            lines.append(
                [
                    str(row["evidence"]),
                    f"#{row['article']} v{row['version']}",
                    row["state"],
                    score,
                    cut(row["quote"], 50),
                ]
            )
            for candidate in row["candidates"] if row["state"] != "exact" else ():
                lines.append(
                    ["", "", "candidate", f"{candidate['score']:.1f}", cut(candidate["text"], 50)]
                )
        for line in table(["Evidence", "Version", "State", "Score", "Quote"], lines):
            self.stdout.write(line)
        waiting = sum(row["state"] in ("fuzzy", "needs_review", "orphaned") for row in rows)
        self.stdout.write(f"{len(rows)} passage(s), {waiting} waiting for an editor.")


def _dumps(rows):
    return json.dumps(rows, indent=2, ensure_ascii=False)
