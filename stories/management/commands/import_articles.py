"""Import articles (text, saved web pages, ninjs; folders and zips of them), or write them
as a fixture."""

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

from stories.management.terminal import ProgressBar, cut, cut_left, table
from stories.models import Article, Outlet
from stories.services import articles
from stories.text import batches

PROGRESS_EVERY = 100  # articles between two progress lines at -v 2


class Command(BaseCommand):
    help = (
        "Import articles: UTF-8 text files (headline on line 1, blank line, paragraphs "
        "separated by blank lines, optional final 'Written by NAME'), saved web pages "
        "(.html, .htm), IPTC ninjs files (.json), and folders (searched recursively) and "
        ".zip files of any of these. The format is decided by the content. Every file is "
        "checked before anything is written: one bad file and nothing is imported. A text "
        "imported before (same SHA-256 of the body) is left unchanged. A table at the end "
        "says what became of each file."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Files, folders or zips.")
        parser.add_argument(
            "--outlet",
            default="",
            help="The outlet that published the articles; without it, each web page's or "
            "ninjs item's own (site name, copyright holder) is used.",
        )
        parser.add_argument(
            "--fixture",
            metavar="OUT.json",
            help="Write the articles (and outlet) to this Django fixture instead of the "
            "database. An existing fixture keeps its records; the same text is replaced.",
        )

        parser.add_argument(
            "--revises",
            type=int,
            metavar="ID",
            help="The text is a new version of article ID (one file only): its passages are "
            "re-anchored to it. A text with the URL of an article on file is one already.",
        )
        parser.add_argument(
            "--as-new",
            action="store_true",
            help="Import a text resembling an article on file as a new article all the same.",
        )

    def handle(self, *args, files, outlet, fixture, revises, as_new, **options):
        outlet = outlet.strip()
        if revises is not None:
            revised_id, revises = revises, Article.objects.filter(pk=revises).first()
            if revises is None:
                raise CommandError(
                    f"--revises {revised_id}: no article has that id — nothing was imported."
                )
        if outlet and not slugify(outlet):
            raise CommandError(
                f"--outlet {outlet!r}: an outlet name needs a letter or digit — "
                "nothing was imported."
            )
        bar = ProgressBar(self.stdout)
        batch = batches.read_batch(files, progress=lambda done, total: bar("reading", done, total))
        if fixture and not batch.refused:
            bar.close()
            self.write_fixture(Path(fixture), batch.articles, outlet)
            return
        # Nothing is committed before the last article: -v 2 shows a long batch go on
        # in a log, where a terminal gets the bar.
        verbose = options["verbosity"] >= 2

        def progress(stage, done, total):
            bar(stage, done, total)
            if verbose and stage == "suggesting":
                self.progress(done, total)

        try:
            summary = articles.import_batch(
                batch, outlet, progress=progress, revises=revises, as_new=as_new
            )
        except ValidationError as exc:
            raise CommandError(f"{'; '.join(exc.messages)} — nothing was imported.") from exc
        finally:
            bar.close()
        self.write_summary(summary)
        refused = summary.refused
        if len(refused) == 1:
            raise CommandError(f"{refused[0].source}: {refused[0].reason} — nothing was imported.")
        if refused:
            raise CommandError(
                f"{len(refused)} files were refused (listed above), the first {refused[0].source}:"
                f" {refused[0].reason} — nothing was imported."
            )

    def write_summary(self, summary):
        """The table of what became of each file, and the count of each outcome."""
        rows = []
        for row in summary.rows:
            if row.article is None:
                described, outlet = row.reason, ""
            else:
                described = f"#{row.article.pk}: {row.article.headline}"
                outlet = cut(row.article.outlet.name, 24) if row.article.outlet else ""
            rows.append([row.outcome.label, cut_left(row.source, 50), outlet, described])
        if rows:
            for line in table(["Outcome", "File", "Outlet", "Article or reason"], rows):
                self.stdout.write(line)
        counts = ", ".join(f"{count} {outcome.label}" for outcome, count in summary.counts())
        if summary.skipped:
            counts += f"; {summary.skipped} file(s) in folders or zips skipped (not articles)"
        if summary.refused:
            self.stdout.write(self.style.ERROR(f"{counts}: nothing was imported."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{counts}."))

    def progress(self, done, total):
        if done % PROGRESS_EVERY == 0 or done == total:
            self.stdout.write(f"Importing: {done:,} of {total:,} (saved together at the end)")

    def write_fixture(self, path, parsed, outlet_name):
        """Serialise unsaved objects with natural keys: no database is touched, and
        the fixture loads into any database without primary-key clashes. The outlet
        is ``--outlet``, or else each article's own."""
        outlets = {}

        def outlet_of(article):
            name = outlet_name or article.outlet
            if not name:
                return None
            return outlets.setdefault(slugify(name), Outlet(name=name, slug=slugify(name)))

        built = {p.sha256: articles.build_article(p, outlet_of(p)) for p in parsed}
        objects = list(outlets.values()) + list(built.values())
        records = json.loads(
            serializers.serialize(
                "json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
            )
        )
        try:
            existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: is not a readable JSON fixture ({exc}).") from exc
        for record in records:
            # Derived from the text by the database that loads it (stories.search).
            record["fields"].pop("search_vector", None)
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
