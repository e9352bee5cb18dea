"""Reading plain-text article files for import, kept free of Django and the database.

This module is deliberately pure (standard library only, no models, no ORM) for two reasons:

* The import management command must be all-or-nothing. It first reads and validates *every*
  file with :func:`read_articles`, and only when the whole batch is known to be good does it
  open a transaction and write anything. A half-imported batch would leave editors guessing
  which stories made it in, so nothing that can fail on a file's contents may run after the
  first database write.
* Parsing is where the fiddly edge cases live (encodings, line endings, bylines, binary files
  picked by mistake). Keeping it database-free lets those cases be unit-tested quickly, without
  a test database or Django settings.

Every problem with a file is reported as an :class:`ArticleFileError` whose message is a single
line naming the file, because it is shown to editors, not developers: it must say what is
wrong and, where possible, how to fix it, never a traceback.

Every way an article comes in ends in the same rules here: :func:`parse_article` for a text
file, :func:`parse_pasted` for the admin's paste form, :func:`make_article` for what
``formats`` extracts from a saved web page or a ninjs file (``batches`` finds the files in
folders and zips, for the command and the admin upload). The same text therefore gets the
same body and :func:`body_sha256` whichever way it came, and a re-import is recognised.

The expected text format: UTF-8 text; the first line is the headline; then a blank line; then
paragraphs separated by blank lines; optionally a final line ``Written by NAME``.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

__all__ = [
    "MAX_BYLINE_LENGTH",
    "MAX_FILE_BYTES",
    "MAX_HEADLINE_LENGTH",
    "ArticleFileError",
    "ParsedArticle",
    "body_sha256",
    "check_text_bytes",
    "decode_article",
    "file_name",
    "make_article",
    "one_line",
    "parse_article",
    "parse_pasted",
    "read_article",
    "read_articles",
    "read_capped",
    "refuse_oversize",
    "read_path_bytes",
    "read_upload",
]

# Matches the headline column's limit; anything longer is almost certainly a paragraph that
# ended up on line 1 (e.g. the headline line was forgotten), so it is rejected, not truncated.
MAX_HEADLINE_LENGTH = 300

# A "Written by ..." line longer than this is more likely a sentence of the story that happens
# to start with those words than a byline, so it is left in the body.
MAX_BYLINE_LENGTH = 100

# Articles are a few kilobytes; a file this big is the wrong file (a video, a database dump),
# and refusing it up front avoids reading gigabytes into memory just to reject them.
MAX_FILE_BYTES = 10 * 1024 * 1024

# C0 control bytes that never occur in real text (tab, LF, CR and form feed do). In UTF-8 these
# byte values only ever encode themselves, so scanning the raw bytes is safe and gives offsets
# an editor can look up in a hex viewer.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_BYLINE = re.compile(r"written\s+by\s*:?\s+(?P<name>\S.*)", re.IGNORECASE)


class ArticleFileError(ValueError):
    """A file that cannot be imported, explained in one line an editor can act on.

    It subclasses ValueError because the problem is the file's content or path, not a bug; the
    management command catches exactly this type and prints it, letting anything else surface
    as a real crash.
    """

    def __init__(self, source: str, problem: str, *, field: str = "") -> None:
        self.source = source
        self.problem = problem
        # Which part of a pasted article is wrong ("headline", "body", "byline"), so a form can
        # show the message on that field; empty for a file, which is wrong as a whole.
        self.field = field
        # Newlines in a (pathological) file name would split the message across lines and make
        # it look like several errors, so they are escaped for display only.
        super().__init__(f"{one_line(source)}: {one_line(problem)}")

    def __reduce__(self):
        # Default exception pickling would call __init__ with the single formatted message.
        return (type(self), (self.source, self.problem), {"field": self.field})


@dataclass(frozen=True)
class ParsedArticle:
    """One article file, validated and ready to be saved.

    Frozen so that a validated batch cannot be altered between validation and the database
    write. ``sha256`` is taken over the normalised body, so the same article saved with other
    line endings or with a BOM hashes the same.

    ``url``, ``published_on`` and ``outlet`` are what a web page or a ninjs file says about
    itself (a text file says none of it). ``source`` is how messages and the import summary
    name where the article came from (a path, or a zip and its member); it is a label, not
    part of the article, so two equal articles from different places still compare equal.
    """

    source_name: str
    headline: str
    body: str
    byline: str
    sha256: str
    url: str = ""
    published_on: date | None = None
    outlet: str = ""
    source: str = field(default="", compare=False)


def body_sha256(body: str) -> str:
    """The fingerprint a re-import is recognised by: SHA-256 of the UTF-8 body.

    The one definition: the importer hashes a parsed body with it and ``Article`` stores it, so
    the two can never disagree about whether a text was imported before.
    """
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def decode_article(data: bytes, source: str) -> str:
    """Turn raw file bytes into text, refusing anything that is not a UTF-8 text file.

    Checks run on the bytes before decoding so that a binary file (an image or a Word document
    picked by mistake) is reported as such, rather than as a confusing encoding error.
    Newlines are normalised so that the same article saved on Windows, old macOS or Linux
    yields the same body and therefore the same hash.
    """
    if not data:
        raise ArticleFileError(source, "file is empty")
    text = _decode(data, source)
    if not text.replace("\ufeff", "").strip():
        raise ArticleFileError(source, "file is empty")
    return _normalise_newlines(text)


def _decode(data: bytes, source: str) -> str:
    """The checks every piece of article text passes, file or pasted: UTF-8, not binary."""
    check_text_bytes(data, source)
    skipped = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skipped:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skipped + exc.start
        raise ArticleFileError(
            source,
            f"is not valid UTF-8 (byte 0x{data[offset]:02X} at offset {offset}); "
            "save it as UTF-8 (it may be Latin-1 or Windows-1252)",
        ) from None
    return text


def check_text_bytes(data: bytes, source: str) -> None:
    """Refuse bytes that are no text file in any encoding we read: UTF-16, or binary data.

    Shared by every text format (plain text, web pages, JSON), whatever their encoding, so an
    image or a Word document picked by mistake is reported as such, never as a confusing
    encoding or markup error.
    """
    if data.startswith(_UTF16_BOMS):
        raise ArticleFileError(source, "is saved as UTF-16, not UTF-8; save it again as UTF-8 text")
    binary = _BINARY_BYTES.search(data)
    if binary is not None:
        offset = binary.start()
        byte = data[offset]
        what = "NUL byte" if byte == 0 else f"control byte 0x{byte:02X}"
        raise ArticleFileError(
            source,
            f"contains binary data ({what} at offset {offset}); expected a UTF-8 text file",
        )


def file_name(source: str) -> str:
    """What a story keeps of where it came from: the file's own name, without its folders.

    The one rule for ``source_name``, whichever way the file came in. The folders say more
    about the importing editor's machine (and home directory) than about the article.
    """
    return os.path.basename(source)


def parse_article(text: str, source: str, *, name: str | None = None) -> ParsedArticle:
    """Split decoded text into headline, body and byline.

    ``source`` labels the article in error messages, as given; ``source_name`` is the
    :func:`file_name` of ``name`` (a zip member's path, say) or else of ``source``, so a label
    that is not a path is kept as it is.
    """
    return _parse(text, source=source, source_name=file_name(source if name is None else name))


def read_article(path: str | os.PathLike[str]) -> ParsedArticle:
    """Read and parse one file, turning every way it can fail into an ArticleFileError.

    Errors name the path exactly as the caller gave it (that is what the editor typed), while
    ``source_name`` is just the file's name, which is what is worth keeping with the story.
    """
    source = os.fsdecode(os.fspath(path))
    data = read_path_bytes(path, source)
    text = decode_article(data, source)
    return _parse(text, source=source, source_name=file_name(source))


def read_articles(paths: Iterable[str | os.PathLike[str]]) -> list[ParsedArticle]:
    """Read a whole batch, so the caller can validate everything before writing anything.

    Stops at, and raises, the first bad file: the batch is rejected as a whole anyway, and
    the editor fixes files one at a time.
    """
    return [read_article(path) for path in paths]


def read_upload(handle: BinaryIO, name: str, size: int | None = None) -> ParsedArticle:
    """Read and parse one uploaded file (any binary file object) as :func:`read_article` would.

    ``size``, when the caller knows it (a Django upload's ``.size``), refuses an oversize file
    before any of it is read; either way no more than the limit is ever read. Errors name the
    file by ``name``.
    """
    data = read_capped(handle, name, size)
    return _parse(decode_article(data, name), source=name, source_name=file_name(name))


def parse_pasted(headline: str, body: str, byline: str = "") -> ParsedArticle:
    """An article pasted into a form, held to the rules a file is held to.

    Each part is checked as a file's bytes are (within the size limit, valid UTF-8, no
    binary data), and the body is read as the text after a file's headline: newlines
    normalised, a leading BOM and the blank lines at either end dropped, a last
    ``Written by NAME`` line taken as the byline (a ``byline`` given wins over it). So the
    same text pasted or imported from a file gets the same body and SHA-256, and a re-import
    is recognised whichever way it came in. Errors name the part in the message and in
    ``field``, for a form to show on that field. Requiring a headline is the form's job, as
    it is to say which fields are required. ``source_name`` is empty: no file was involved.
    """
    headline = _pasted_part("headline", headline).strip()
    if len(headline) > MAX_HEADLINE_LENGTH:
        raise ArticleFileError(
            "Headline",
            f"is {len(headline)} characters long; the limit is {MAX_HEADLINE_LENGTH}",
            field="headline",
        )
    byline = _pasted_part("byline", byline).strip()
    body = _pasted_part("body", body)
    return _article(
        headline, _lines(body), byline=byline, source="Body", source_name="", field="body"
    )


def _pasted_part(field: str, text: str) -> str:
    label = field.capitalize()
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate fails as invalid UTF-8
    try:
        refuse_oversize(len(data), label)
        return _decode(data, label)
    except ArticleFileError as exc:
        raise ArticleFileError(exc.source, exc.problem, field=field) from None


def _parse(text: str, *, source: str, source_name: str) -> ParsedArticle:
    lines = _lines(text)

    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index == len(lines):
        raise ArticleFileError(source, "file is empty")

    headline = lines[index].strip()
    if len(headline) > MAX_HEADLINE_LENGTH:
        raise ArticleFileError(
            source,
            f"headline is {len(headline)} characters long; the limit is {MAX_HEADLINE_LENGTH}"
            f" — is line {index + 1} really a headline?",
        )
    return _article(headline, lines[index + 1 :], source=source, source_name=source_name)


def make_article(
    headline: str,
    paragraphs: list[str],
    *,
    source: str,
    source_name: str,
    byline: str = "",
    url: str = "",
    published_on: date | None = None,
    outlet: str = "",
) -> ParsedArticle:
    """An article from parts another format extracted (a web page, a ninjs item).

    The parts meet the rules a text file meets: the headline's limit, the body's blank-line
    layout (each paragraph its own, blank lines between them), a last ``Written by NAME``
    paragraph taken as the byline when none was given, and a body required. So a page and
    the same text saved as a file get the same body and SHA-256.
    """
    headline = " ".join(headline.split())
    if not headline:
        raise ArticleFileError(source, "has no headline")
    if len(headline) > MAX_HEADLINE_LENGTH:
        raise ArticleFileError(
            source,
            f"headline is {len(headline)} characters long; the limit is {MAX_HEADLINE_LENGTH}",
        )
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend((*_lines(paragraph), ""))
    return _article(
        headline,
        lines,
        source=source,
        source_name=source_name,
        byline=byline,
        url=url,
        published_on=published_on,
        outlet=outlet,
    )


def _article(
    headline: str,
    lines: list[str],
    *,
    source: str,
    source_name: str,
    byline: str = "",
    field: str = "",
    url: str = "",
    published_on: date | None = None,
    outlet: str = "",
) -> ParsedArticle:
    """The body rules every way in shares: ``lines`` are what follows the headline."""
    body_lines = _strip_blank_lines(lines)
    written_by = ""
    if body_lines:
        match = _BYLINE.fullmatch(body_lines[-1].strip())
        if match is not None and len(match["name"]) <= MAX_BYLINE_LENGTH:
            written_by = match["name"].strip()
            body_lines = _strip_blank_lines(body_lines[:-1])
    if not body_lines:
        raise ArticleFileError(source, "has a headline but no body after it", field=field)

    body = "\n".join(body_lines)
    return ParsedArticle(
        source_name=source_name,
        headline=headline,
        body=body,
        byline=byline or written_by,
        sha256=body_sha256(body),
        url=url,
        published_on=published_on,
        outlet=outlet,
        source="" if field else source,  # a pasted article (a field named) came from no file
    )


def _lines(text: str) -> list[str]:
    # Normalising again is cheap and idempotent, and makes parse_article safe to call on text
    # that did not go through decode_article.
    return _normalise_newlines(text.removeprefix("\ufeff")).split("\n")


def read_path_bytes(path: str | os.PathLike[str], source: str) -> bytes:
    """A file's bytes, within the per-file limit, every way it can fail an ArticleFileError."""
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        raise ArticleFileError(source, _os_problem(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ArticleFileError(source, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        # Opening a FIFO or a device could block forever or never reach the end.
        raise ArticleFileError(source, "is not a regular file")
    refuse_oversize(info.st_size, source)
    try:
        with open(path, "rb") as handle:
            return _read_capped(handle, source)
    except ArticleFileError:
        raise  # already explained (it is a ValueError too)
    except (OSError, ValueError) as exc:
        raise ArticleFileError(source, _os_problem(exc)) from None


def read_capped(handle: BinaryIO, source: str, size: int | None = None) -> bytes:
    """Read a file object, but never more than the per-file limit, whatever size it claimed.

    ``size``, when the caller knows it (from ``stat``, an upload, a zip header), refuses an
    oversize file before any of it is read.
    """
    if size is not None:
        refuse_oversize(size, source)
    return _read_capped(handle, source)


def refuse_oversize(size: int, source: str) -> None:
    """The per-file limit, checked on the size a file says it has before any of it is read."""
    if size > MAX_FILE_BYTES:
        raise ArticleFileError(source, _too_big(size))


def _read_capped(handle: BinaryIO, source: str) -> bytes:
    """Read a file, but never more than the per-file limit, whatever size it claimed."""
    try:
        data = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise ArticleFileError(source, _os_problem(exc)) from None
    if len(data) > MAX_FILE_BYTES:
        # The file grew after its size was taken, or the size was not known; still refuse
        # rather than read all of it.
        raise ArticleFileError(source, _too_big(len(data)))
    return data


def _os_problem(exc: OSError | ValueError) -> str:
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, OSError):
        return f"cannot be read ({exc.strerror or exc or type(exc).__name__})"
    # ValueError, e.g. a NUL character in the path itself.
    return f"is not a usable file name ({exc})"


def _too_big(size: int) -> str:
    return (
        f"is {size / (1024 * 1024):.1f} MB; an article file should be far smaller than"
        f" {MAX_FILE_BYTES // (1024 * 1024)} MB — is this the right file?"
    )


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strip_blank_lines(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


# Everything str.splitlines() treats as a line break, so a message can never span two lines.
_LINE_BREAKS = {
    ord(char): char.encode("unicode_escape").decode("ascii")
    for char in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
}


def one_line(value: str) -> str:
    """``value`` with its line breaks escaped, so a message can never look like two."""
    return str(value).translate(_LINE_BREAKS)
