"""Unit tests for the pure readers of articles as they really come: ``stories.text.formats``
(what a file is, and how a page, a ninjs item or a text is read) and ``stories.text.batches``
(folders, zips and uploads, their limits). No database."""

import io
import json
import os
import stat
import zipfile
from datetime import date

import pytest

from stories.text import batches, formats, importing
from stories.text.formats import Format
from stories.text.importing import ArticleFileError
from stories.text.paragraphs import paragraph_spans

from .ingest_samples import (
    BARE_HEADLINE,
    BARE_PARAGRAPHS,
    BODY,
    BOILERPLATE,
    BYLINE,
    CANONICAL,
    HEADLINE,
    NINJS_HEADLINE,
    NINJS_PARAGRAPHS,
    OUTLET,
    PARAGRAPHS,
    PUBLISHED,
    bare_page,
    corrupt_packed_data,
    news_page,
    ninjs,
    patched_zip,
    zip_of,
)

TEXT = b"A plain headline\n\nA first paragraph.\n\nA second paragraph.\n"
NAV_ONLY_PAGE = (
    b"<html><head><title>Herald</title></head><body><nav><ul><li><a href='/'>Home</a>"
    b"</li><li><a href='/s'>Sport</a></li></ul></nav><footer>All rights reserved"
    b"</footer></body></html>"
)


def paragraphs_of(article):
    """The stored body's paragraphs, by the one paragraph rule the desk uses."""
    return [article.body[start:end] for start, end in paragraph_spans(article.body)]


def parse(data, name):
    return formats.parse_file(data, name)


def upload_batch(data, name="batch.zip", **kwargs):
    return batches.read_uploads([(io.BytesIO(data), name, len(data))], **kwargs)


def messages(batch):
    return [str(error) for error in batch.refused]


# --------------------------------------------------------------------------------------------
# What a file is: by content as well as by name


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (TEXT, "story.txt", Format.TEXT),
        (TEXT, "story", Format.TEXT),
        (b"Ratings: 3 < 4 and 5 > 2\n\nThe x<y rule, and <3 from fans.\n", "a.txt", Format.TEXT),
        (b"{Untitled}\n\nA text that starts with a brace.\n", "a.txt", Format.TEXT),
        (news_page(), "page.html", Format.HTML),
        (news_page(), "page.htm", Format.HTML),
        (news_page(), "page.txt", Format.HTML),  # markup in a .txt
        (b"Headline\n\n<p>A paragraph in markup.</p>\n", "notes.txt", Format.HTML),
        (b"Headline\n\nA line<br>broken.\n", "notes", Format.HTML),
        (ninjs(), "item.json", Format.NINJS),
        (b"\xef\xbb\xbf  " + ninjs(), "item.txt", Format.NINJS),  # a JSON object, whatever the name
        (b"not json at all", "item.json", Format.NINJS),  # named so: refused as JSON, below
        (zip_of({"a.txt": TEXT}), "batch.zip", Format.ZIP),
        (zip_of({"a.txt": TEXT}), "notes.txt", Format.ZIP),  # a zip whatever its name
    ],
)
def test_the_format_is_decided_by_content_as_well_as_by_name(data, name, expected):
    assert formats.detect_format(data, name) is expected


def test_markup_in_a_txt_file_is_read_as_a_page_and_never_stored_as_text():
    article = parse(news_page(), "saved-as-text.txt")

    assert article.headline == HEADLINE
    assert article.body == BODY
    assert "<" not in article.body and ">" not in article.body
    assert article.source_name == "saved-as-text.txt"


def test_a_text_fragment_with_tags_in_a_txt_loses_its_tags():
    data = (
        b"<h1>Council votes on the harbour wall</h1>\n"
        b"<p>The council voted on Monday to rebuild the harbour wall before next winter, after "
        b"a storm left the quay under water for a whole night.</p>\n"
        b"<p>Work is due to start in May and to last until the end of October this year.</p>\n"
    )

    article = parse(data, "notes.txt")

    assert article.headline == "Council votes on the harbour wall"
    assert "<" not in article.body
    assert article.body.startswith("The council voted on Monday")
    assert "\n\nWork is due to start in May" in article.body


# --------------------------------------------------------------------------------------------
# Saved web pages


def test_a_news_page_gives_its_headline_byline_date_canonical_url_and_outlet():
    article = parse(news_page(), "storm.html")

    assert article.headline == HEADLINE
    assert article.byline == BYLINE
    assert article.published_on == PUBLISHED  # datePublished, not dateModified
    assert article.url == CANONICAL  # the canonical link, not og:url with its utm_source
    assert article.outlet == OUTLET
    assert article.source_name == "storm.html"


def test_a_news_page_body_is_its_paragraphs_and_nothing_else():
    article = parse(news_page(), "storm.html")

    assert paragraphs_of(article) == PARAGRAPHS
    assert article.body == BODY
    assert article.sha256 == importing.body_sha256(BODY)
    leaked = {what: text for what, text in BOILERPLATE.items() if text in article.body}
    assert leaked == {}


def test_a_page_with_only_og_tags_takes_its_url_date_and_outlet_from_them():
    article = parse(news_page(json_ld=False, canonical=False), "storm.html")

    assert article.url == f"{CANONICAL}?utm_source=share"
    assert article.published_on == PUBLISHED
    assert article.outlet == OUTLET
    assert article.byline == BYLINE
    assert article.body == BODY


def test_a_page_with_no_metadata_at_all_gives_its_heading_and_byline_and_nothing_invented():
    article = parse(bare_page(), "library.html")

    assert article.headline == BARE_HEADLINE
    assert article.byline == "John Smith"
    assert paragraphs_of(article) == BARE_PARAGRAPHS
    assert (article.url, article.published_on, article.outlet) == ("", None, "")
    for boilerplate in ("Home", "Contact us", "Copyright Town News", "By John Smith"):
        assert boilerplate not in article.body


def test_the_same_text_as_a_page_and_as_a_text_file_is_the_same_article():
    as_text = parse(f"{HEADLINE}\n\n{BODY}\n".encode(), "storm.txt")
    as_page = parse(news_page(), "storm.html")

    assert (as_page.body, as_page.sha256) == (as_text.body, as_text.sha256)


def test_a_page_in_the_encoding_it_declares_is_read_in_it():
    page = news_page(headline="Caf\u00e9 floods on the quay", charset="windows-1252")
    assert "\u00e9\u201c".encode("cp1252") == b"\xe9\x93"
    assert b"\xe9" in page and b"\x93" in page

    article = parse(page, "cafe.html")

    assert article.headline == "Caf\u00e9 floods on the quay"
    assert article.body == BODY


def test_a_page_declared_latin_1_is_read_as_windows_1252_as_browsers_do():
    page = news_page(charset="windows-1252").replace(b"windows-1252", b"iso-8859-1")

    article = parse(page, "storm.html")

    assert "\u201cWe have never seen the quay" in article.body  # 0x93, not a C1 control


def test_a_page_not_in_the_encoding_it_declares_is_refused_with_the_byte():
    page = news_page().replace(b"Heavy rain", b"Heavy r\xe9in")

    with pytest.raises(ArticleFileError) as error:
        parse(page, "storm.html")

    assert str(error.value).startswith("storm.html: is not valid utf-8 (byte 0xE9 at offset ")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b"<html><body><p>A paragraph, no heading.</p></body></html>",
            "has no headline (no <title",
        ),
        (NAV_ONLY_PAGE, "no article text found"),
        (
            b"<html><head><title>Herald</title></head><body><div class='cookie-banner'>We use "
            b"cookies. <button>Accept all</button></div></body></html>",
            "no article text found",
        ),
        (b"<html><head><title>Empty</title></head><body></body></html>", "no article text"),
        (b"<html>\x00\x01</html>", "binary data"),
        (b'<meta charset="klingon"><p>Text</p>', "unknown character set 'klingon'"),
    ],
)
def test_a_page_that_is_not_an_article_is_refused_naming_the_file(data, problem):
    with pytest.raises(ArticleFileError) as error:
        parse(data, "pages/odd.html")

    assert str(error.value).startswith("pages/odd.html: ")
    assert problem in str(error.value)


# --------------------------------------------------------------------------------------------
# ninjs


def test_a_ninjs_item_with_body_text_gives_its_fields():
    article = parse(ninjs(), "wire/ferry.json")

    assert article.headline == NINJS_HEADLINE
    assert article.byline == "Sam Okafor"
    # Written at 23:40 on the 5th in its own time zone: the 5th, not the 6th in UTC.
    assert article.published_on == date(2024, 3, 5)
    assert article.url == "https://wire.example/items/2024/ferry-suspended"
    assert article.outlet == "Wire Agency"
    assert paragraphs_of(article) == NINJS_PARAGRAPHS
    assert article.source_name == "ferry.json"


def test_a_ninjs_item_with_body_html_gets_every_paragraph_and_heading_and_no_markup():
    html = (
        "<p>All ferries between the harbour and the islands were <b>cancelled</b> on "
        "Tuesday.</p><h2>What next</h2><p>Crossings resume&nbsp;when the sea is safe &amp; "
        "calm.</p><ul><li>Check the website.</li><li>Call the office.</li></ul>"
        "<p>A line<br>broken.</p><script>track()</script><!-- an editor's note -->"
    )

    article = parse(ninjs(body_text=None, body_html=html), "ferry.json")

    assert paragraphs_of(article) == [
        "All ferries between the harbour and the islands were cancelled on Tuesday.",
        "What next",
        "Crossings resume when the sea is safe & calm.",
        "Check the website.",
        "Call the office.",
        "A line",
        "broken.",
    ]


def test_a_ninjs_body_html_the_same_as_its_body_text_hashes_the_same():
    html = "".join(f"<p>{p}</p>" for p in NINJS_PARAGRAPHS)

    from_html = parse(ninjs(body_text=None, body_html=html), "a.json")
    from_text = parse(ninjs(), "b.json")

    assert from_html.sha256 == from_text.sha256


def test_a_ninjs_2_item_with_headlines_bodies_and_by_is_read_too():
    item = {
        "uri": "urn:newsml:wire.example:20240305:ferry",  # an identifier, not a web address
        "versioncreated": "2024-03-05T16:02:28+02:00",
        "copyrightholder": "Wire Agency",
        "headlines": [{"role": "sub", "value": "Sub"}, {"role": "main", "value": NINJS_HEADLINE}],
        "bodies": [{"role": "html", "contenttype": "text/html", "value": "<p>One.</p><p>Two.</p>"}],
        "by": "Sam Okafor",
    }

    article = parse(json.dumps(item).encode(), "ferry.json")

    assert article.headline == NINJS_HEADLINE
    assert article.body == "One.\n\nTwo."
    assert article.byline == "Sam Okafor"
    assert article.url == ""
    assert article.published_on == date(2024, 3, 5)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"headline": "Half', "is not valid JSON (Unterminated string"),
        (b"[" + ninjs() + b"]", "holds a list of 1 items; a ninjs file holds one news item"),
        (b'"just a string"', "is JSON but not a ninjs news item"),
        (ninjs(body_text=None), "has no body (ninjs fields body_text or body_html)"),
        (ninjs(headline=None), "has no headline"),
        (ninjs(headline=["a", "list"]), "ninjs field headline is list, not text"),
        (ninjs(versioncreated="yesterday"), "versioncreated 'yesterday' is not an ISO 8601 date"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_a_bad_ninjs_file_is_refused_naming_the_file_and_the_field(data, problem):
    with pytest.raises(ArticleFileError) as error:
        parse(data, "wire/item.json")

    assert str(error.value).startswith("wire/item.json: ")
    assert problem in str(error.value)


# --------------------------------------------------------------------------------------------
# Folders


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_folder_is_read_recursively_and_only_its_article_files(tmp_path):
    write(tmp_path / "in/a-note.txt", TEXT)
    write(tmp_path / "in/pages/storm.html", news_page())
    write(tmp_path / "in/pages/storm_files/ad-frame.html", b"<p>An advert in a frame</p>")
    write(tmp_path / "in/pages/storm_files/style.css", b"body {}")
    write(tmp_path / "in/wire/deep/er/ferry.json", ninjs())
    write(tmp_path / "in/wire/photo.jpg", b"\xff\xd8\xff")
    write(tmp_path / "in/.DS_Store", b"\x00\x00")
    write(tmp_path / "in/.git/HEAD.txt", b"ref: refs/heads/main")

    batch = batches.read_batch([tmp_path / "in"])

    assert batch.refused == []
    assert [article.source for article in batch.articles] == [
        str(tmp_path / "in/a-note.txt"),
        str(tmp_path / "in/pages/storm.html"),
        str(tmp_path / "in/wire/deep/er/ferry.json"),
    ]
    assert [a.headline for a in batch.articles] == ["A plain headline", HEADLINE, NINJS_HEADLINE]
    assert batch.skipped == [
        str(tmp_path / "in/pages/storm_files"),  # the page's saved assets, not articles
        str(tmp_path / "in/wire/photo.jpg"),
    ]


def test_a_folder_with_no_articles_is_refused(tmp_path):
    write(tmp_path / "photos/a.jpg", b"\xff\xd8\xff")

    batch = batches.read_batch([tmp_path / "photos"])

    assert messages(batch) == [
        f"{tmp_path / 'photos'}: is a folder with no article files in it"
        " (.txt, .html, .htm, .json or .zip)"
    ]


def test_every_bad_file_of_a_batch_is_listed_not_only_the_first(tmp_path):
    good = write(tmp_path / "good.txt", TEXT)
    empty = write(tmp_path / "empty.txt", b"")
    latin = write(tmp_path / "latin.txt", "Caf\u00e9\n\nBody.".encode("latin-1"))

    batch = batches.read_batch([empty, good, latin, tmp_path / "missing.txt"])

    assert [error.source for error in batch.refused] == [
        str(empty),
        str(latin),
        str(tmp_path / "missing.txt"),
    ]
    assert [article.source_name for article in batch.articles] == ["good.txt"]


def test_progress_is_reported_after_each_file(tmp_path):
    paths = [write(tmp_path / f"{n}.txt", TEXT.replace(b"first", str(n).encode())) for n in "123"]
    calls = []

    batches.read_batch(paths, progress=lambda done, total: calls.append((done, total)))

    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_batch_over_the_file_count_limit_is_refused_before_reading(tmp_path):
    paths = [write(tmp_path / f"{n}.txt", TEXT) for n in range(4)]
    calls = []

    batch = batches.read_batch(
        paths, limits=batches.Limits(batch_files=3), progress=lambda *a: calls.append(a)
    )

    assert messages(batch) == ["The batch: has 4 files; the limit is 3 — import it in parts"]
    assert batch.articles == [] and calls == []


def test_a_batch_over_the_size_limit_is_refused_before_reading(tmp_path):
    paths = [write(tmp_path / f"{n}.txt", TEXT + b"x" * 600_000) for n in range(2)]

    batch = batches.read_batch(paths, limits=batches.Limits(batch_bytes=1024 * 1024))

    assert messages(batch) == [
        "The batch: is 1.1 MB; a batch may be at most 1 MB — import it in parts"
    ]
    assert batch.articles == []


# --------------------------------------------------------------------------------------------
# Zips


def test_a_zip_of_mixed_formats_and_folders_is_read_member_by_member(tmp_path):
    path = write(
        tmp_path / "batch.zip",
        zip_of(
            {
                "storm.html": news_page(),
                "wire/ferry.json": ninjs(),
                "notes/a-note.txt": TEXT,
                "__MACOSX/wire/._ferry.json": b"\x00\x05\x16\x07",
                "wire/.DS_Store": b"\x00",
                "wire/logo.png": b"\x89PNG",
            }
        ),
    )

    batch = batches.read_batch([path])

    assert batch.refused == []
    assert [(a.source, a.source_name, a.headline) for a in batch.articles] == [
        (f'{path}: member "storm.html"', "storm.html", HEADLINE),
        (f'{path}: member "wire/ferry.json"', "ferry.json", NINJS_HEADLINE),
        (f'{path}: member "notes/a-note.txt"', "a-note.txt", "A plain headline"),
    ]
    assert batch.articles[0].body == BODY
    assert batch.skipped == [f'{path}: member "wire/logo.png"']


def test_a_zip_upload_is_read_as_a_zip_file_is():
    data = zip_of({"storm.html": news_page(), "ferry.json": ninjs()})

    batch = upload_batch(data, "batch.zip")

    assert [a.source for a in batch.articles] == [
        'batch.zip: member "storm.html"',
        'batch.zip: member "ferry.json"',
    ]


def test_a_bad_member_is_refused_naming_the_zip_and_the_member():
    data = zip_of(
        {
            "storm.html": news_page(),
            "b/page.html": NAV_ONLY_PAGE,
            "ferry.json": ninjs(),
        }
    )

    batch = upload_batch(data, "batch.zip")

    assert messages(batch) == [
        'batch.zip: member "b/page.html": no article text found in this web page;'
        " is it a saved news article?"
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../outside.txt", "has a path that climbs out of the zip (..); refused as unsafe"),
        ("a/../../outside.txt", "has a path that climbs out of the zip (..); refused as unsafe"),
        ("a\\..\\..\\outside.txt", "has a path that climbs out of the zip (..); refused as unsafe"),
        ("/etc/cron.d/job.txt", "has an absolute path; refused as unsafe"),
        ("C:/Windows/job.txt", "has an absolute path; refused as unsafe"),
        (
            "inner.zip",
            "is a zip inside a zip, which is not read; unpack it and import the inner zip",
        ),
    ],
)
def test_an_unsafe_member_refuses_the_zip(name, problem):
    data = zip_of({"fine.txt": TEXT, name: zip_of({"x.txt": TEXT}) if ".zip" in name else TEXT})

    batch = upload_batch(data, "batch.zip")

    assert messages(batch) == [f'batch.zip: member "{name}": {problem}']


def test_a_symbolic_link_in_a_zip_is_refused():
    link = zipfile.ZipInfo("passwords.txt")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = zip_of({"fine.txt": TEXT, link: b"/etc/passwd"})

    batch = upload_batch(data)

    assert messages(batch) == [
        'batch.zip: member "passwords.txt": is a symbolic link; refused as unsafe'
    ]


def test_an_encrypted_member_is_refused():
    data = patched_zip(zip_of({"secret.txt": TEXT}), flags=0x1)

    batch = upload_batch(data)

    assert messages(batch) == [
        'batch.zip: member "secret.txt": is encrypted; unzip it with its password and import'
        " the files"
    ]


def test_a_zip_bomb_is_refused_by_its_ratio_without_being_unpacked():
    bomb = zip_of({"harmless.txt": b"Headline\n\n" + b" " * (9 * 1024 * 1024)})
    # Its packed bytes are broken: had the reader unpacked it, it would say so instead.
    bomb = corrupt_packed_data(bomb)

    batch = upload_batch(bomb, "bomb.zip")

    [message] = messages(batch)
    assert message.startswith('bomb.zip: member "harmless.txt": would unpack ')
    assert message.endswith(
        "times its packed size, more than any text does (the limit is 100); refused as a"
        " possible zip bomb, not unpacked"
    )


def test_a_zip_bomb_is_refused_by_its_size_without_being_unpacked():
    bomb = corrupt_packed_data(zip_of({"big.txt": b"\0" * (20 * 1024 * 1024)}))

    batch = upload_batch(bomb, "bomb.zip")

    assert messages(batch) == [
        'bomb.zip: member "big.txt": would unpack to 20 MB; an article file should be far'
        " smaller than 10 MB — refused, not unpacked"
    ]


def test_a_zip_that_would_unpack_past_the_batch_limit_is_refused_whole():
    data = zip_of({f"{n}.txt": TEXT + os.urandom(300_000).hex().encode() for n in range(2)})

    batch = upload_batch(data, limits=batches.Limits(batch_bytes=1024 * 1024))

    assert messages(batch) == [
        "batch.zip: would unpack to 1.1 MB; a batch may be at most 1 MB — refused, not unpacked"
    ]
    assert batch.articles == []


def test_a_zip_with_too_many_members_is_refused_whole():
    data = zip_of({f"{n}.txt": TEXT for n in range(5)})

    batch = upload_batch(data, limits=batches.Limits(batch_files=3))

    assert messages(batch) == [
        "batch.zip: has 5 files; a batch may have at most 3 — import it in parts"
    ]


def test_a_zip_whose_directory_lists_far_more_than_a_batch_is_refused_before_it_is_parsed():
    data = zip_of({f"{n:04}-{'x' * 200}.txt": TEXT for n in range(40)})

    batch = upload_batch(data, limits=batches.Limits(batch_files=5))

    assert messages(batch) == [
        "batch.zip: lists more than 5 files, a batch's limit; refused, not unpacked"
    ]


def test_a_member_whose_header_lies_about_its_size_is_caught_when_read():
    honest = zip_of({"lie.txt": b"Headline\n\n" + b"word " * 2000})
    lying = patched_zip(honest, file_size=100)  # claims 100 bytes, unpacks to 10 kB

    batch = upload_batch(lying, "lie.zip")

    [message] = messages(batch)
    assert message.startswith('lie.zip: member "lie.txt": cannot be unpacked (Bad CRC-32')
    assert batch.articles == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"PK\x03\x04 but nothing after", "is not a readable zip file"),
        (zip_of({}), "is a zip with no article files in it (.txt, .html, .htm, .json or .zip)"),
        (zip_of({"photo.jpg": b"\xff\xd8"}), "is a zip with no article files in it"),
    ],
)
def test_a_zip_that_holds_no_articles_is_refused(data, problem):
    batch = upload_batch(data, "batch.zip")

    [message] = messages(batch)
    assert message.startswith(f"batch.zip: {problem}")


def test_a_file_named_zip_in_a_folder_that_is_not_one_is_refused(tmp_path):
    write(tmp_path / "in/fake.zip", TEXT)

    batch = batches.read_batch([tmp_path / "in"])

    [message] = messages(batch)
    assert message.startswith(f"{tmp_path / 'in/fake.zip'}: is not a readable zip file")


def test_zips_in_folders_and_folders_in_zips_mix(tmp_path):
    write(tmp_path / "in/wire.zip", zip_of({"day1/ferry.json": ninjs()}))
    write(tmp_path / "in/storm.html", news_page())

    batch = batches.read_batch([tmp_path / "in", tmp_path / "in/wire.zip"])

    assert [a.source for a in batch.articles] == [
        str(tmp_path / "in/storm.html"),
        f'{tmp_path / "in/wire.zip"}: member "day1/ferry.json"',
        f'{tmp_path / "in/wire.zip"}: member "day1/ferry.json"',
    ]
