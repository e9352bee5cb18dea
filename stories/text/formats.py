"""What one article file is, decided by its content as well as its name, and how each kind
is read: plain text, a saved web page, an IPTC ninjs news item.

Pure, like the rest of ``stories.text``: bytes in, a ``ParsedArticle`` or an
``ArticleFileError`` naming the file out. Where the files come from (folders, zips, uploads)
is ``batches``'s business; the rules every format ends in (headline, body layout, byline,
SHA-256) are ``importing``'s, so a page and the same text saved as a file are one article.

The content decides, and the name only where the content cannot:

* a zip is a zip whatever it is called (its magic bytes);
* a ``.json`` file, or one whose content is a JSON object, is a ninjs item;
* a ``.html`` / ``.htm`` / ``.xhtml`` file, or any file with markup in it, is a web page:
  markup in a ``.txt`` file goes to the page reader and is never stored as text;
* anything else is a plain text file.

Web pages go through trafilatura, which is made for news pages (its own evaluation reports
F1 0.91 on 750 documents): it finds the article among the navigation, ads, related links,
comments and cookie banners, and reads what the page says about itself (JSON-LD, ``og:`` and
``article:`` tags, bylines). What it extracts is held to the Article's own limits here, so
nothing can fail later in the database write: a URL that is not an absolute http(s) URL, or
metadata too long for its column, is left out rather than refused (it is the page's
metadata, not the editor's input), and a byline too long keeps the authors that fit.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import date, datetime
from enum import StrEnum

import lxml.html
import trafilatura
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from lxml import etree
from trafilatura.metadata import extract_url

from .importing import (
    ArticleFileError,
    ParsedArticle,
    check_text_bytes,
    decode_article,
    file_name,
    make_article,
    parse_article,
)

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_OUTLET_LENGTH",
    "MAX_URL_LENGTH",
    "Format",
    "block_paragraphs",
    "detect_format",
    "is_zip",
    "parse_file",
    "parse_html",
    "parse_ninjs",
    "suffix",
]

# The Article and Outlet columns these fill; longer values are the page's junk, left out.
MAX_URL_LENGTH = 500
MAX_OUTLET_LENGTH = 200
MAX_BYLINE_FIELD_LENGTH = 200

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSON_SUFFIXES = (".json",)
# What a folder or a zip is searched for; other files (images, scripts, .DS_Store) are skipped.
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive

# Markup, in bytes so it is found before any decoding: a doctype, a comment, or an opening or
# closing tag of an element that ordinary prose never spells. Attributes are bounded, so a
# stray "<p" with no ">" costs at most that much scanning: the search stays linear.
_TAGS = (
    rb"html|head|body|title|meta|link|script|style|p|div|span|br|hr|a|b|i|u|em|strong|"
    rb"article|section|header|footer|nav|main|aside|h[1-6]|ul|ol|li|table|tr|td|th|img|"
    rb"blockquote|figure|figcaption|time|iframe|form|input|button"
)
_MARKUP = re.compile(
    rb"<!doctype\s+html|<!--|<(?:" + _TAGS + rb")(?:\s[^<>]{0,2000})?/?>|</(?:" + _TAGS + rb")\s*>",
    re.IGNORECASE,
)
_LEADING_SPACE = re.compile(rb"(?:\xef\xbb\xbf)?\s*")
# The HTML standard's prescan looks for a declared encoding in the first 1024 bytes; a few
# more are allowed for pages with long comments before <head>.
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta\s[^<>]{0,500}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})""", re.IGNORECASE
)

_is_url = URLValidator(schemes=["http", "https"])


class Format(StrEnum):
    """The kinds of file an article can come in; the value is how a summary names it."""

    TEXT = "text"
    HTML = "web page"
    NINJS = "ninjs"
    ZIP = "zip"


def is_zip(head: bytes) -> bool:
    """Whether bytes (the first four are enough) start a zip archive."""
    return head.startswith(_ZIP_MAGIC)


def detect_format(data: bytes, name: str) -> Format:
    """The format of a file's bytes, by content first (see the module's docstring)."""
    if is_zip(data):
        return Format.ZIP
    extension = suffix(name)
    start = _LEADING_SPACE.match(data).end()
    if extension in JSON_SUFFIXES or (
        data[start : start + 1] == b"{" and _is_json_object(data[start:])
    ):
        return Format.NINJS
    if extension in HTML_SUFFIXES or _MARKUP.search(data):
        return Format.HTML
    return Format.TEXT


def parse_file(data: bytes, source: str, name: str | None = None) -> ParsedArticle:
    """Read one article file of any format. ``source`` names it in errors; ``name`` (a zip
    member's path, say; ``source`` by default) is what its format and ``source_name`` are
    taken from."""
    name = source if name is None else name
    if not data:
        raise ArticleFileError(source, "file is empty")
    kind = detect_format(data, name)
    if kind is Format.ZIP:
        raise ArticleFileError(
            source, "is a zip file inside a zip; unpack it and import the folder or the inner zip"
        )
    if kind is Format.NINJS:
        return parse_ninjs(data, source, name)
    if kind is Format.HTML:
        return parse_html(data, source, name)
    return parse_article(decode_article(data, source), source, name=name)


# --------------------------------------------------------------------------------------------
# Web pages


def parse_html(data: bytes, source: str, name: str | None = None) -> ParsedArticle:
    """A saved news page: its article body, headline, byline, date, canonical URL and site.

    The headline (and a byline line) the page repeats at the top of its article is not part
    of the body. The canonical link (``<link rel=canonical>``) is the page's URL, before
    ``og:url``, which often carries tracking parameters.
    """
    name = source if name is None else name
    tree = trafilatura.load_html(decode_html(data, source))
    if tree is None:
        raise ArticleFileError(source, "is not a readable web page")
    canonical = extract_url(tree)  # before extraction, which prunes the tree it is given
    document = trafilatura.bare_extraction(
        tree,
        # Less text rather than a wrong line: a page that is only navigation or a cookie
        # wall then yields nothing and is refused, instead of importing "Accept all cookies".
        favor_precision=True,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        # The date the article was first published, and only from the page's own markup,
        # never guessed from dates in its text.
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    paragraphs = block_paragraphs(document.body) if document is not None else []
    if not paragraphs:
        raise ArticleFileError(
            source, "no article text found in this web page; is it a saved news article?"
        )
    headline = document.title or ""
    if not headline.strip():
        raise ArticleFileError(source, "has no headline (no <title>, og:title or <h1>)")
    byline = _byline(document.author or "")
    return make_article(
        headline,
        _after_heading(paragraphs, headline, byline),
        source=source,
        source_name=file_name(name),
        byline=byline,
        url=_url(canonical) or _url(document.url),
        published_on=_iso_date(document.date),
        outlet=_outlet(document.sitename),
    )


def decode_html(data: bytes, source: str) -> str:
    """A page's text in the encoding it declares (UTF-8 when it declares none).

    Labels that mean windows-1252 on the web (``iso-8859-1``, ``ascii``) are read as it, as
    browsers do; a UTF-16 label found by a byte-wise prescan cannot be right, and is ignored.
    """
    check_text_bytes(data, source)
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8"
    else:
        declared = _META_CHARSET.search(data, 0, _PRESCAN_BYTES)
        label = declared[1].decode("ascii") if declared else "utf-8"
        try:
            encoding = codecs.lookup(label).name
        except LookupError:
            raise ArticleFileError(
                source, f"declares the unknown character set {label!r}; save it as UTF-8"
            ) from None
        if encoding in ("ascii", "iso8859-1"):
            encoding = "cp1252"
        elif encoding.startswith("utf-16") or encoding.startswith("utf-32"):
            encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ArticleFileError(
            source,
            f"is not valid {encoding} (byte 0x{data[exc.start]:02X} at offset {exc.start}); "
            "save the page again, or as UTF-8",
        ) from None


def _after_heading(paragraphs: list[str], headline: str, byline: str) -> list[str]:
    """The body without the headline and byline lines the page shows above the article."""
    repeated = {_folded(headline)}
    if byline:
        repeated |= {_folded(byline), _folded(f"by {byline}")}
    start = 0
    while start < min(len(paragraphs) - 1, 3) and _folded(paragraphs[start]) in repeated:
        start += 1
    return paragraphs[start:]


def _byline(authors: str) -> str:
    """trafilatura's authors ("A; B; C"), as many whole names as fit the byline column."""
    byline = " ".join(authors.split())
    while len(byline) > MAX_BYLINE_FIELD_LENGTH and "; " in byline:
        byline = byline.rsplit("; ", 1)[0]
    return byline if len(byline) <= MAX_BYLINE_FIELD_LENGTH else ""


def _outlet(name: str | None) -> str:
    name = " ".join((name or "").split())
    return name if slugify(name) and len(name) <= MAX_OUTLET_LENGTH else ""


# --------------------------------------------------------------------------------------------
# ninjs


def parse_ninjs(data: bytes, source: str, name: str | None = None) -> ParsedArticle:
    """An IPTC ninjs news item (1.x, or 2.x's ``headlines`` / ``bodies`` / ``by``).

    ``body_text`` keeps its own layout, as a text file's body does; ``body_html`` (or
    ``body_xhtml``) is the article's markup only, so it is turned into paragraphs without
    any boilerplate removal. The date is ``versioncreated`` (``firstcreated`` without it),
    on the calendar of the time zone it was given in; ``uri`` is the URL when it is a web
    address (it is often a URN); the outlet is the ``copyrightholder``.
    """
    name = source if name is None else name
    try:
        item = json.loads(decode_article(data, source))
    except json.JSONDecodeError as exc:
        raise ArticleFileError(
            source, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ArticleFileError(source, "is JSON nested too deeply to be a news item") from None
    if isinstance(item, list):
        raise ArticleFileError(
            source, f"holds a list of {len(item)} items; a ninjs file holds one news item"
        )
    if not isinstance(item, dict):
        raise ArticleFileError(source, "is JSON but not a ninjs news item (a JSON object)")

    headline = _field(item, "headline", source) or _main_headline(item, source)
    if not headline.strip():
        raise ArticleFileError(source, "has no headline (ninjs field headline)")
    paragraphs = _ninjs_body(item, source)
    when = _field(item, "versioncreated", source) or _field(item, "firstcreated", source)
    published_on = _iso_date(when)
    if when and published_on is None:
        field = "versioncreated" if item.get("versioncreated") else "firstcreated"
        raise ArticleFileError(source, f"{field} {when!r} is not an ISO 8601 date and time")
    return make_article(
        headline,
        paragraphs,
        source=source,
        source_name=file_name(name),
        byline=_byline(_field(item, "byline", source) or _field(item, "by", source)),
        url=_url(_field(item, "uri", source)),
        published_on=published_on,
        outlet=_outlet(_field(item, "copyrightholder", source)),
    )


def _ninjs_body(item: dict, source: str) -> list[str]:
    text = _field(item, "body_text", source)
    markup = _field(item, "body_html", source) or _field(item, "body_xhtml", source)
    if not (text.strip() or markup.strip()):
        bodies = item.get("bodies")
        for body in bodies if isinstance(bodies, list) else []:
            if not isinstance(body, dict) or not isinstance(body.get("value"), str):
                continue
            kind = str(body.get("contenttype", "")).lower()
            if kind.startswith("text/plain") and not text.strip():
                text = body["value"]
            elif "html" in kind and not markup.strip():
                markup = body["value"]
    if text.strip():
        return [text]
    if markup.strip():
        paragraphs = block_paragraphs(_fragment(markup, source))
        if paragraphs:
            return paragraphs
    raise ArticleFileError(source, "has no body (ninjs fields body_text or body_html)")


def _main_headline(item: dict, source: str) -> str:
    headlines = item.get("headlines")
    if not isinstance(headlines, list):
        return ""
    values = [h for h in headlines if isinstance(h, dict) and isinstance(h.get("value"), str)]
    main = [h for h in values if h.get("role") == "main"] or values
    return main[0]["value"] if main else ""


def _field(item: dict, key: str, source: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ArticleFileError(source, f"ninjs field {key} is {type(value).__name__}, not text")
    return value


def _fragment(markup: str, source: str) -> etree._Element:
    try:
        return lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError) as exc:
        raise ArticleFileError(source, f"body_html cannot be read as HTML ({exc})") from None


# --------------------------------------------------------------------------------------------
# Shared


# Elements whose text is a paragraph of its own: HTML's blocks and trafilatura's output tags
# (head, item, quote, row). Cells are kept apart by a space; everything else is inline.
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "caption", "dd", "details", "div"),
        *("dl", "dt", "figcaption", "figure", "footer", "form", "header", "li", "main", "nav"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "section", "summary", "ul"),
        *("table", "tbody", "tfoot", "thead", "tr"),
        *("head", "item", "list", "quote", "row"),  # trafilatura's
    }
)
_BREAKS = frozenset({"br", "lb", "hr"})
_CELLS = frozenset({"td", "th", "cell"})
_UNREAD = ("script", "style", "template", "noscript")


def block_paragraphs(root: etree._Element) -> list[str]:
    """The text of an HTML (or trafilatura) tree, one paragraph per block, in order.

    A line break starts a paragraph too, as the line a text file would give it. Whitespace
    runs become one space, as a browser shows them. Comments, scripts and styles are
    stripped from ``root`` in place first. One pass over the tree: linear in it.
    """
    etree.strip_elements(
        root, etree.Comment, etree.ProcessingInstruction, *_UNREAD, with_tail=False
    )
    paragraphs: list[str] = []
    parts: list[str] = []

    def end_paragraph() -> None:
        text = " ".join("".join(parts).split())
        if text:
            paragraphs.append(text)
        parts.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCKS or tag in _BREAKS:
                end_paragraph()
            elif tag in _CELLS:
                parts.append(" ")
            if element.text:
                parts.append(element.text)
        else:
            if tag in _BLOCKS:
                end_paragraph()
            if element.tail and element is not root:
                parts.append(element.tail)
    end_paragraph()
    return paragraphs


def _url(value: str | None) -> str:
    """``value`` if it is an absolute http(s) URL that fits the Article's column, else ""."""
    value = (value or "").strip()
    if not value or len(value) > MAX_URL_LENGTH:
        return ""
    try:
        _is_url(value)
    except ValidationError:
        return ""
    return value


def _iso_date(value: str | None) -> date | None:
    """The calendar date of an ISO 8601 date or date and time, as written; None if it is not
    one. A time zone is not converted: the date is the one the outlet gave."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def suffix(name: str) -> str:
    """A file or zip member name's extension, lower-cased, with its dot ("" if none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return base[base.rfind(".") :] if "." in base else ""


def _is_json_object(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), dict)
    except (ValueError, RecursionError):
        return False
