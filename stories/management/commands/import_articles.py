"""Import plain-text articles, or write them as a fixture."""

import contextlib
import json
import os
import secrets
import shutil
from pathlib import Path

from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from stories.models import Outlet
from stories.services import articles
from stories.text import importing


class Command(BaseCommand):
    help = (
        "Import plain-text articles (UTF-8; headline on line 1, blank line, paragraphs "
        "separated by blank lines, optional final 'Written by NAME'). Every file is checked "
        "before anything is written: one bad file and nothing is imported. A text imported "
        "before (same SHA-256 of the body) is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--outlet", default="", help="The outlet that published the articles.")
        parser.add_argument(
            "--fixture",
            metavar="OUT.json",
            help="Write the articles (and outlet) to this Django fixture instead of the "
            "database. An existing fixture keeps its records; the same text is replaced.",
        )

    def handle(self, *args, files, outlet, fixture, **options):
        outlet = outlet.strip()
        if outlet and not slugify(outlet):
            raise CommandError(
                f"--outlet {outlet!r}: an outlet name needs a letter or digit — "
                "nothing was imported."
            )
        try:
            parsed = importing.read_articles(files)
        except importing.ArticleFileError as exc:
            raise CommandError(f"{exc} — nothing was imported.") from exc
        if fixture:
            self.write_fixture(Path(fixture), parsed, outlet)
            return
        try:
            result = articles.import_articles(parsed, outlet)
        except ValidationError as exc:
            raise CommandError(f"{'; '.join(exc.messages)} — nothing was imported.") from exc
        for article in result.created:
            self.stdout.write(f"Imported #{article.pk}: {article.headline}")
        for article in result.existing:
            self.stdout.write(f"Already imported as #{article.pk}: {article.headline}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.created)} imported, {len(result.existing)} already there."
            )
        )

    def write_fixture(self, path, parsed, outlet_name):
        """Serialise unsaved objects with natural keys: no database is touched, and
        the fixture loads into any database without primary-key clashes."""
        outlet = Outlet(name=outlet_name, slug=slugify(outlet_name)) if outlet_name else None
        built = {p.sha256: articles.build_article(p, outlet) for p in parsed}
        objects = ([outlet] if outlet else []) + list(built.values())
        records = json.loads(
            serializers.serialize(
                "json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
            )
        )
        try:
            existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: is not a readable JSON fixture ({exc}).") from exc
        new_keys = {_record_key(record) for record in records}
        merged = [r for r in existing if _record_key(r) not in new_keys] + records
        merged.sort(key=lambda record: record["model"] != "stories.outlet")
        try:
            _replace_atomically(path, json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise CommandError(
                f"{path}: cannot be written ({exc.strerror}); the fixture was left as it was."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {len(built)} article(s) to {path} ({len(merged)} records).")
        )


def _replace_atomically(path, text):
    """Write ``text`` to ``path`` so that it holds the old fixture or the new one, never
    part of either: the text goes to a temporary file beside it (same file system, so the
    rename is atomic), is fsynced, takes over the old file's permissions, and replaces it
    with ``os.replace``; the directory is fsynced so the rename survives a crash too. A
    write that fails (a full disk) removes the temporary file; a kill may leave one behind,
    named ``.<name>.<random>.tmp``, and the fixture whole."""
    path = Path(os.path.realpath(path))  # through a symlink, replace the file it names
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as handle:  # "x": the umask's mode
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _record_key(record):
    fields = record.get("fields", {})
    return record["model"], fields.get("body_sha256") or fields.get("slug") or record.get("pk")
