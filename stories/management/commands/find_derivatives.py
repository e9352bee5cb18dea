"""Propose articles that copy or rewrite another, and print every relation with its evidence."""

import json

from django.core.management.base import BaseCommand

from stories.services import proposals


class Command(BaseCommand):
    help = (
        "Find articles that copy another's unquoted text, or that credit another article's "
        "outlet, store them as proposals for an editor to confirm or reject in the admin "
        "(Derivations), and print every relation with its shared passages. Pairs an editor "
        "rejected are never proposed again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON for scripts."
        )

    def handle(self, *args, as_json=False, **options):
        proposals.propose_derivations()
        proposals.propose_same_origins()  # likely-same origins, for the same editors' queue
        relations = proposals.relations_for()
        if as_json:
            self.stdout.write(json.dumps([relation_data(r) for r in relations], indent=2))
            return
        if not relations:
            self.stdout.write("No article copies another, as far as their texts and origins show.")
        for relation in relations:
            self.stdout.write(
                f"#{relation.derived_id} “{relation.derived}” derives from "
                f"#{relation.source_id} “{relation.source}” — "
                f"{relation.get_kind_display().lower()}, score {relation.score:.2f}, "
                f"{relation.get_status_display().lower()}"
            )
            for shared in relation.shared:
                if "text" in shared:
                    self.stdout.write(
                        f"    [{shared['source_start']}–{shared['source_end']} / "
                        f"{shared['derived_start']}–{shared['derived_end']}] “{shared['text']}”"
                    )
                else:
                    self.stdout.write(f"    both rest on {shared['label']} ({shared['kind']})")


def relation_data(relation):
    return {
        "source": relation.source_id,
        "derived": relation.derived_id,
        "kind": relation.kind,
        "score": relation.score,
        "status": relation.status,
        "direction": relation.direction,
        "shared": relation.shared,
    }
