"""Where article files come from: paths (files, and folders searched recursively), uploads,
and zips of any of these, mixed, read into one batch that is imported whole or not at all.

Pure like the rest of ``stories.text``: it reads files and zips, never the database. Every
file of a batch is read and parsed (by ``formats``) before anything is written, and every
refusal is kept, not only the first, so the summary can list them all; one refusal and the
caller imports nothing.

A zip is read where it lies, member by member, never unpacked to disk, and is refused whole
before any member is decompressed when its own records show it cannot be a batch of
articles: too many members, members or a total too big, a compression ratio no text has (a
zip bomb), a member path that is absolute or climbs out with ``..``, a symbolic link, an
encrypted member, a zip inside it. Its headers can lie, so members are also read with a
cap. Messages name the zip and the member: ``batch.zip: member "b/page.html": ...``.

In folders and zips only article files (``formats.ARTICLE_SUFFIXES``, and zips in folders)
are read; hidden files, macOS's ``__MACOSX`` and the ``NAME_files`` folder a browser saves
next to ``NAME.html`` are passed over, and other files are counted as skipped. A file named
on its own is always read, its format decided by its content.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO

from .formats import ARTICLE_SUFFIXES, HTML_SUFFIXES, is_zip, parse_file
from .formats import suffix as _suffix
from .importing import (
    MAX_FILE_BYTES,
    ArticleFileError,
    ParsedArticle,
    read_capped,
    read_path_bytes,
    refuse_oversize,
)

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_FILES",
    "MAX_ZIP_RATIO",
    "Batch",
    "Limits",
    "read_batch",
    "read_uploads",
]

# A batch is at most a bulk load of an archive (the benchmark imports 10,000 articles at
# once): room for that, but not for a runaway folder or a zip bomb. Both are checked on the
# sizes files and zip headers declare, before anything is read, and again on the bytes
# actually read.
MAX_BATCH_FILES = 20_000
MAX_BATCH_BYTES = 500 * 1024 * 1024

# Text and markup compress about 3 to 10 times, rarely 30; a member that unpacks more than
# this many times its packed size is a zip bomb. Members smaller than the floor are let
# through whatever their ratio: unpacking them costs nothing.
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 64 * 1024

# zipfile parses a zip's whole central directory when it opens it, however many entries it
# claims; an entry takes 46 bytes plus its name, so this bounds that work before it starts.
_DIRECTORY_BYTES_PER_FILE = 1024
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_OF_DIRECTORY_SIZE = 22
_MAX_ZIP_COMMENT = 65535

_DRIVE = re.compile(r"[A-Za-z]:")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Limits:
    """The batch limits; the defaults are the module's constants. Tests pass smaller ones."""

    batch_files: int = MAX_BATCH_FILES
    batch_bytes: int = MAX_BATCH_BYTES
    zip_ratio: int = MAX_ZIP_RATIO


DEFAULT_LIMITS = Limits()


@dataclass
class Batch:
    """Everything a batch held: the articles read, the files refused (each with its reason),
    and the files in folders and zips that are not articles and were passed over."""

    articles: list[ParsedArticle] = field(default_factory=list)
    refused: list[ArticleFileError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    source: str  # how messages name it
    name: str  # its path or member name, for its format and source_name
    size: int  # as declared, before reading
    read: Callable[[], bytes]


def read_batch(
    paths: Iterable[str | os.PathLike[str]],
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> Batch:
    """Read files, folders and zips given by path. ``progress(done, total)`` is called after
    each file is read."""
    with ExitStack() as opened:
        collector = _Collector(limits, opened)
        for path in paths:
            collector.add_path(path)
        return collector.read(progress)


def read_uploads(
    uploads: Iterable[tuple[BinaryIO, str, int | None]],
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> Batch:
    """Read uploaded files, each ``(file object, name, size or None)``; a zip is read as one
    given by path is. The file objects must be seekable (Django's uploads are)."""
    with ExitStack() as opened:
        collector = _Collector(limits, opened)
        for handle, name, size in uploads:
            collector.add_upload(handle, name, size)
        return collector.read(progress)


def oversized(uploads, limits: Limits = DEFAULT_LIMITS) -> str:
    """Why a batch of uploads is refused on the sizes it declares, before any of it is read
    or stored ("" if it is not): too many files, too many bytes, or a file (not a zip, whose
    members are checked as it is read) over the per-file limit."""
    uploads = list(uploads)
    if len(uploads) > limits.batch_files:
        return f"{len(uploads):,} files is more than the {limits.batch_files:,} a batch may hold."
    total = sum(upload.size or 0 for upload in uploads)
    if total > limits.batch_bytes:
        return f"The files come to {_mb(total)}; a batch may hold {_mb(limits.batch_bytes)}."
    for upload in uploads:
        head = upload.read(len(b"PK\x03\x04"))
        upload.seek(0)
        if not is_zip(head):
            try:
                refuse_oversize(upload.size or 0, upload.name)
            except ArticleFileError as exc:
                return str(exc)
    return ""


class _Collector:
    """Finds a batch's files first (cheap: names, sizes, zip directories), so that limits
    are checked and a progress total is known before the first file is read."""

    def __init__(self, limits: Limits, opened: ExitStack) -> None:
        self.limits = limits
        self.opened = opened
        self.entries: list[_Entry] = []
        self.refused: list[ArticleFileError] = []
        self.skipped: list[str] = []

    # -- finding the files --------------------------------------------------------------------

    def add_path(self, path: str | os.PathLike[str]) -> None:
        source = os.fsdecode(os.fspath(path))
        if os.path.isdir(path):
            self._add_folder(source)
        elif _starts_a_zip(source):
            self._add_zip_file(source)
        else:
            self._add_file(source)

    def add_upload(self, handle: BinaryIO, name: str, size: int | None) -> None:
        head = handle.read(len(b"PK\x03\x04"))
        handle.seek(0)
        if is_zip(head):
            self._add_zip(handle, name, _size_of(handle) if size is None else size)
        else:
            read = partial(read_capped, handle, name, size)
            self.entries.append(_Entry(name, name, size or 0, read))

    def _add_file(self, path: str) -> None:
        try:
            size = os.stat(path).st_size
        except (OSError, ValueError):
            size = 0  # reading it says what is wrong
        self.entries.append(_Entry(path, path, size, partial(read_path_bytes, path, path)))

    def _add_folder(self, folder: str) -> None:
        found = False

        def unreadable(error: OSError) -> None:
            problem = f"cannot be read ({error.strerror or error})"
            self.refused.append(ArticleFileError(os.fsdecode(error.filename or folder), problem))

        for directory, subfolders, files in os.walk(folder, onerror=unreadable):
            assets = {f"{_stem(name)}_files" for name in files if _suffix(name) in HTML_SUFFIXES}
            for subfolder in list(subfolders):
                if subfolder in assets:
                    self.skipped.append(os.path.join(directory, subfolder))
            subfolders[:] = sorted(
                name for name in subfolders if not _hidden(name) and name not in assets
            )
            for name in sorted(files):
                path = os.path.join(directory, name)
                if _hidden(name):
                    continue
                if _suffix(name) == ".zip":
                    self._add_zip_file(path)
                elif _suffix(name) in ARTICLE_SUFFIXES:
                    self._add_file(path)
                else:
                    self.skipped.append(path)
                    continue
                found = True
        if not found:
            self._refuse(folder, f"is a folder with no article files in it ({_KINDS})")

    def _add_zip_file(self, path: str) -> None:
        try:
            handle = self.opened.enter_context(open(path, "rb"))  # noqa: SIM115 (closed by the stack)
        except OSError as exc:
            self._refuse(path, f"cannot be read ({exc.strerror or exc})")
            return
        self._add_zip(handle, path, os.fstat(handle.fileno()).st_size)

    def _add_zip(self, handle: BinaryIO, source: str, size: int) -> None:
        limits = self.limits
        if size > limits.batch_bytes:
            self._refuse(source, _batch_too_big(size, limits))
            return
        directory = _directory_size(handle)
        if directory is not None and directory > limits.batch_files * _DIRECTORY_BYTES_PER_FILE:
            self._refuse(
                source,
                f"lists more than {limits.batch_files} files, a batch's limit;"
                " refused, not unpacked",
            )
            return
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            self._refuse(source, f"is not a readable zip file ({exc})")
            return
        self.opened.callback(archive.close)
        members = archive.infolist()
        if len(members) > limits.batch_files:
            self._refuse(
                source,
                f"has {len(members)} files; a batch may have at most {limits.batch_files}"
                " — import it in parts",
            )
            return
        unpacked = sum(member.file_size for member in members)
        if unpacked > limits.batch_bytes:
            self._refuse(
                source,
                f"would unpack to {_mb(unpacked)}; a batch may be at most"
                f" {_mb(limits.batch_bytes)} — refused, not unpacked",
            )
            return

        names = {member.filename for member in members}
        refused_before, found = len(self.refused), False
        for member in members:
            label = f'{source}: member "{member.filename}"'
            problem = _unsafe(member)
            if problem:
                self._refuse(label, problem)
            elif member.is_dir() or _passed_over(member.filename, names):
                continue
            elif _suffix(member.filename) == ".zip":
                self._refuse(
                    label,
                    "is a zip inside a zip, which is not read; unpack it and import the inner zip",
                )
            elif _suffix(member.filename) not in ARTICLE_SUFFIXES:
                self.skipped.append(label)
            else:
                found = True
                problem = self._oversize(member)
                if problem:
                    self._refuse(label, problem)
                else:
                    read = partial(_read_member, archive, member, label)
                    self.entries.append(_Entry(label, member.filename, member.file_size, read))
        if not found and len(self.refused) == refused_before:
            self._refuse(source, f"is a zip with no article files in it ({_KINDS})")

    def _oversize(self, member: zipfile.ZipInfo) -> str:
        if member.file_size > MAX_FILE_BYTES:
            return (
                f"would unpack to {_mb(member.file_size)}; an article file should be far"
                f" smaller than {_mb(MAX_FILE_BYTES)} — refused, not unpacked"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_FLOOR and ratio > self.limits.zip_ratio:
            return (
                f"would unpack {ratio:.0f} times its packed size, more than any text does"
                f" (the limit is {self.limits.zip_ratio}); refused as a possible zip bomb,"
                " not unpacked"
            )
        return ""

    def _refuse(self, source: str, problem: str) -> None:
        self.refused.append(ArticleFileError(source, problem))

    # -- reading them -------------------------------------------------------------------------

    def read(self, progress: Progress | None) -> Batch:
        batch = Batch(refused=self.refused, skipped=self.skipped)
        limits, entries = self.limits, self.entries
        if len(entries) > limits.batch_files:
            self._refuse(
                "The batch",
                f"has {len(entries)} files; the limit is {limits.batch_files} — import it in parts",
            )
            return batch
        declared = sum(entry.size for entry in entries)
        if declared > limits.batch_bytes:
            self._refuse("The batch", _batch_too_big(declared, limits))
            return batch
        read = 0
        for done, entry in enumerate(entries, start=1):
            try:
                data = entry.read()
                read += len(data)
                if read > limits.batch_bytes:
                    # The files grew, or a header lied, since their sizes were taken.
                    self._refuse("The batch", _batch_too_big(read, limits))
                    return batch
                batch.articles.append(parse_file(data, entry.source, entry.name))
            except ArticleFileError as exc:
                batch.refused.append(exc)
            if progress is not None:
                progress(done, len(entries))
        return batch


_KINDS = ".txt, .html, .htm, .json or .zip"


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, label: str) -> bytes:
    """A member's bytes, never more than the per-file limit, whatever its header said."""
    try:
        with archive.open(member) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ArticleFileError(label, f"cannot be unpacked ({exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ArticleFileError(
            label, f"unpacks to more than {_mb(MAX_FILE_BYTES)}, more than its header said"
        )
    return data


def _unsafe(member: zipfile.ZipInfo) -> str:
    """Why a member must not be read at all, or ""; any of these refuses the zip."""
    name = member.filename.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        return "has an absolute path; refused as unsafe"
    if ".." in name.split("/"):
        return "has a path that climbs out of the zip (..); refused as unsafe"
    if stat.S_ISLNK(member.external_attr >> 16):
        return "is a symbolic link; refused as unsafe"
    if member.flag_bits & 0x1:
        return "is encrypted; unzip it with its password and import the files"
    return ""


def _passed_over(name: str, names: set[str]) -> bool:
    """Hidden files, macOS's resource forks, and the assets a browser saves with a page."""
    parts = name.replace("\\", "/").strip("/").split("/")
    if any(_hidden(part) for part in parts):
        return True
    for depth, part in enumerate(parts[:-1]):
        if part.endswith("_files"):
            folder = "/".join(parts[:depth] + [part.removesuffix("_files")])
            if any(f"{folder}{suffix}" in names for suffix in HTML_SUFFIXES):
                return True
    return False


def _directory_size(handle: BinaryIO) -> int | None:
    """The size of a zip's central directory, from its end record; None if there is none
    (zipfile then says what is wrong)."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    length = min(end, _END_OF_DIRECTORY_SIZE + _MAX_ZIP_COMMENT)
    handle.seek(end - length)
    tail = handle.read(length)
    handle.seek(0)
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < _END_OF_DIRECTORY_SIZE:
        return None
    return struct.unpack("<I", tail[at + 12 : at + 16])[0]


def _starts_a_zip(path: str) -> bool:
    try:
        # Only a regular file is opened: opening a FIFO could block forever.
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return is_zip(handle.read(4))
    except (OSError, ValueError):
        return False  # reading it as a file says what is wrong


def _size_of(handle: BinaryIO) -> int:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def _hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


def _stem(name: str) -> str:
    return name[: len(name) - len(_suffix(name))]


def _mb(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes.is_integer() else f"{megabytes:.1f} MB"


def _batch_too_big(size: int, limits: Limits) -> str:
    return f"is {_mb(size)}; a batch may be at most {_mb(limits.batch_bytes)} — import it in parts"
