"""Unit tests for stories.text.importing: pure parsing, no Django and no database needed."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import io
from pathlib import Path

import pytest

from stories.text import importing
from stories.text.importing import (
    MAX_HEADLINE_LENGTH,
    ArticleFileError,
    ParsedArticle,
    decode_article,
    parse_article,
    read_article,
    read_articles,
)
from stories.text.paragraphs import paragraph_spans

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"

# file name -> (headline, byline, start of the first paragraph, end of the last paragraph)
SEED_EXPECTATIONS = {
    "000_5fbdc9d36ea42218.txt": (
        "Megan Thee Stallion and Justin Timberlake appear to have tense exchange backstage at "
        "MTV VMAs",
        "",
        "Justin Timberlake and Megan Thee Stallion appeared to get into a pointed exchange",
        "Watch Megan and Timberlake in the video above.",
    ),
    "001_4af5f67e3a3e7ebc.txt": (
        "Megan Thee Stallion and Justin Timberlake: An Unlikely Encounter at the VMAs",
        "",
        "The 2023 MTV Video Music Awards (VMAs) held on Tuesday night",
        "bring joy, excitement, and innovation to the world of music.",
    ),
    "002_cc828ae233cc8540.txt": (
        "Megan Thee Stallion and Justin Timberlake\u2019s Backstage Encounter: "
        "A Viral Moment of Connection",
        "Byron Nelson",
        "The MTV Video Music Awards (VMAs) have always been a treasure trove",
        "true connections are the most priceless trophies of all.",
    ),
}

GOOD_TEXT = "A headline\n\nFirst paragraph.\n\nSecond paragraph.\n"


def paragraphs_of(body: str) -> list[str]:
    """The body's paragraphs as the desk renders them."""
    return [body[start:end] for start, end in paragraph_spans(body)]


def write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def error_from(path: Path) -> ArticleFileError:
    with pytest.raises(ArticleFileError) as info:
        read_article(path)
    return info.value


def assert_one_line(error: ArticleFileError) -> None:
    message = str(error)
    assert message == f"{error.source}: {error.problem}"
    assert "\n" not in message
    assert len(message.splitlines()) == 1


# --- the real seed files ---------------------------------------------------------------------


def test_all_seed_files_are_covered():
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(SEED_EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(SEED_EXPECTATIONS))
def test_seed_file_parses(name):
    headline, byline, first, last = SEED_EXPECTATIONS[name]
    article = read_article(SEEDS / name)

    assert isinstance(article, ParsedArticle)
    assert article.source_name == name
    assert article.headline == headline
    assert article.byline == byline
    assert article.body.startswith(first)
    assert article.body.endswith(last)
    assert headline not in article.body
    assert "Written by" not in article.body
    assert article.body == article.body.strip()
    assert "\r" not in article.body
    assert article.sha256 == hashlib.sha256(article.body.encode("utf-8")).hexdigest()
    paragraphs = paragraphs_of(article.body)
    assert paragraphs[0].startswith(first)
    assert all(p and p == p.strip() for p in paragraphs)


@pytest.mark.parametrize("name", ["000_5fbdc9d36ea42218.txt", "001_4af5f67e3a3e7ebc.txt"])
def test_seed_body_is_exactly_the_text_after_the_headline(name):
    raw = (SEEDS / name).read_text(encoding="utf-8")
    assert read_article(SEEDS / name).body == raw.split("\n", 2)[2].strip("\n")


def test_seed_double_blank_line_is_preserved_in_body_but_not_in_paragraphs():
    article = read_article(SEEDS / "001_4af5f67e3a3e7ebc.txt")
    assert "\n\n\n" in article.body
    assert "" not in paragraphs_of(article.body)
    # Headings are single-line paragraphs of their own.
    assert "The Blink-and-You-Missed-It Moment" in paragraphs_of(article.body)


def test_seed_with_byline_drops_only_the_byline_line():
    raw = (SEEDS / "002_cc828ae233cc8540.txt").read_text(encoding="utf-8")
    expected = raw.split("\n", 2)[2].rstrip("\n").removesuffix("Written by Byron Nelson")
    assert read_article(SEEDS / "002_cc828ae233cc8540.txt").body == expected.rstrip("\n")


@pytest.mark.parametrize("name", sorted(SEED_EXPECTATIONS))
@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b.replace(b"\n", b"\r"), id="cr"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="bom"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"), id="bom-crlf"),
    ],
)
def test_line_ending_and_bom_variants_give_identical_result(tmp_path, name, variant):
    original = read_article(SEEDS / name)
    copy = write(tmp_path, name, variant((SEEDS / name).read_bytes()))
    article = read_article(copy)
    assert article.headline == original.headline
    assert article.byline == original.byline
    assert article.body == original.body
    assert article.sha256 == original.sha256
    assert article == original  # same source_name (basename) too


# --- decoding problems -----------------------------------------------------------------------


def test_latin1_file_names_the_file_and_the_byte(tmp_path):
    text = "Caf\xe9 opens\n\nThe caf\xe9 opened today.\n"
    path = write(tmp_path, "latin1.txt", text.encode("latin-1"))
    error = error_from(path)
    assert error.source == str(path)
    assert "latin1.txt" in str(error)
    assert "not valid UTF-8" in error.problem
    assert f"byte 0xE9 at offset {text.index(chr(0xE9))}" in error.problem
    assert "Latin-1" in error.problem
    assert_one_line(error)


def test_windows_1252_quote_offset_accounts_for_bom():
    data = b"\xef\xbb\xbfHeadline\n\nIt\x92s here.\n"
    with pytest.raises(ArticleFileError, match=r"byte 0x92 at offset 15\)"):
        decode_article(data, "quote.txt")


def test_nul_byte_is_reported_as_binary(tmp_path):
    path = write(tmp_path, "image.txt", b"Headline\n\nBody\x00\x01\x02")
    error = error_from(path)
    assert error.problem == (
        "contains binary data (NUL byte at offset 14); expected a UTF-8 text file"
    )
    assert_one_line(error)


def test_binary_is_detected_before_decoding():
    # Invalid UTF-8 *and* NUL: the binary explanation is the useful one.
    with pytest.raises(ArticleFileError, match="binary data .NUL byte at offset 2"):
        decode_article(b"\xe9\xff\x00\x00", "x")


def test_other_control_characters_are_reported_as_binary():
    png_signature = b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ArticleFileError, match="control byte 0x1A at offset 6"):
        decode_article(png_signature + b"rest", "photo.png")


def test_tab_and_form_feed_are_allowed():
    assert decode_article(b"Head\tline\n\nBody\f\n", "x") == "Head\tline\n\nBody\f\n"


def test_utf16_file_gets_a_specific_hint():
    with pytest.raises(ArticleFileError, match="UTF-16"):
        decode_article(GOOD_TEXT.encode("utf-16"), "x")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="zero-bytes"),
        pytest.param(b"  \n\n\t\r\n  \n", id="whitespace-only"),
        pytest.param(b"\xef\xbb\xbf", id="bom-only"),
        pytest.param(b"\xef\xbb\xbf\n\n", id="bom-and-newlines"),
    ],
)
def test_empty_file(tmp_path, content):
    error = error_from(write(tmp_path, "empty.txt", content))
    assert error.problem == "file is empty"
    assert_one_line(error)


def test_decode_normalises_newlines_and_strips_one_bom():
    assert decode_article(b"\xef\xbb\xbfa\r\nb\rc\n", "x") == "a\nb\nc\n"


# --- structure problems ----------------------------------------------------------------------


def test_headline_only(tmp_path):
    error = error_from(write(tmp_path, "short.txt", "Just a headline\n\n\n"))
    assert error.problem == "has a headline but no body after it"
    assert_one_line(error)


def test_byline_only_after_headline(tmp_path):
    error = error_from(write(tmp_path, "byline.txt", "A headline\n\nWritten by Jane Doe\n"))
    assert error.problem == "has a headline but no body after it"


def test_too_long_headline_names_the_limit():
    text = "x" * (MAX_HEADLINE_LENGTH + 1) + "\n\nBody.\n"
    with pytest.raises(ArticleFileError) as info:
        parse_article(text, "long.txt")
    assert info.value.problem.startswith("headline is 301 characters long; the limit is 300")
    assert "line 1" in info.value.problem
    assert_one_line(info.value)


def test_headline_at_the_limit_is_fine():
    article = parse_article("x" * MAX_HEADLINE_LENGTH + "\n\nBody.", "ok")
    assert len(article.headline) == MAX_HEADLINE_LENGTH


# --- parsing details -------------------------------------------------------------------------


def test_parse_basic_article():
    article = parse_article(GOOD_TEXT, "label")
    assert article.source_name == "label"
    assert article.headline == "A headline"
    assert article.body == "First paragraph.\n\nSecond paragraph."
    assert article.byline == ""
    assert paragraphs_of(article.body) == ["First paragraph.", "Second paragraph."]


def test_leading_blank_lines_are_skipped_and_headline_is_stripped():
    article = parse_article("\n  \n   The headline  \n\nBody.\n", "x")
    assert article.headline == "The headline"
    assert article.body == "Body."


def test_body_keeps_internal_spacing_and_trailing_whitespace():
    text = "H\n\n  indented line  \nsecond\tline \n\n\n\nlast   \n\n"
    article = parse_article(text, "x")
    assert article.body == "  indented line  \nsecond\tline \n\n\n\nlast   "
    assert paragraphs_of(article.body) == ["indented line  \nsecond\tline", "last"]


def test_parse_article_normalises_newlines_itself():
    assert parse_article("H\r\n\r\nA\rB\r\n", "x").body == "A\nB"


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("Written by Byron Nelson", "Byron Nelson"),
        ("WRITTEN BY jane doe", "jane doe"),
        ("  written by   Ann Lee  ", "Ann Lee"),
        ("Written by: Ann Lee", "Ann Lee"),
    ],
)
def test_byline_variants(line, byline):
    article = parse_article(f"H\n\nBody text.\n\n{line}\n\n", "x")
    assert article.byline == byline
    assert article.body == "Body text."


@pytest.mark.parametrize(
    "line",
    [
        "Written by",
        "Written by " + "x" * 101,
        "It was written by hand.",
    ],
)
def test_lines_that_are_not_bylines_stay_in_body(line):
    article = parse_article(f"H\n\nBody text.\n\n{line}\n", "x")
    assert article.byline == ""
    assert article.body.endswith(line.strip())


def test_byline_must_be_the_last_non_blank_line():
    article = parse_article("H\n\nWritten by Someone\n\nMore body.\n", "x")
    assert article.byline == ""
    assert article.body == "Written by Someone\n\nMore body."


def test_parsed_article_is_frozen():
    article = parse_article(GOOD_TEXT, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.body = "changed"  # type: ignore[misc]


# --- file system problems --------------------------------------------------------------------


def test_missing_path(tmp_path):
    path = tmp_path / "nope.txt"
    error = error_from(path)
    assert error.source == str(path)
    assert error.problem == "no such file"
    assert_one_line(error)


def test_path_below_a_file_is_missing(tmp_path):
    parent = write(tmp_path, "file.txt", GOOD_TEXT)
    assert error_from(parent / "child.txt").problem == "no such file"


def test_directory(tmp_path):
    error = error_from(tmp_path)
    assert error.source == str(tmp_path)
    assert error.problem == "is a directory, not a file"
    assert_one_line(error)


def test_unreadable_file_reports_the_os_reason(tmp_path, monkeypatch):
    path = write(tmp_path, "locked.txt", GOOD_TEXT)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    # Simulated because chmod does not stop root, which the tests may run as.
    monkeypatch.setattr(importing, "open", refuse, raising=False)
    error = error_from(path)
    assert error.problem == "cannot be read (Permission denied)"
    assert_one_line(error)


def test_nul_in_path_is_an_article_error():
    with pytest.raises(ArticleFileError, match="not a usable file name"):
        read_article("bad\x00name.txt")


def test_source_is_path_as_given_and_source_name_is_basename(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "story.txt", GOOD_TEXT)
    monkeypatch.chdir(tmp_path)
    assert read_article("sub/story.txt").source_name == "story.txt"
    assert read_article(Path("sub") / "story.txt").source_name == "story.txt"
    with pytest.raises(ArticleFileError) as info:
        read_article(Path("sub") / "missing.txt")
    assert info.value.source == str(Path("sub") / "missing.txt")


def test_every_way_in_keeps_the_same_file_name(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "story.txt", GOOD_TEXT)
    monkeypatch.chdir(tmp_path)
    names = {
        read_article("sub/story.txt").source_name,
        parse_article(GOOD_TEXT, "sub/story.txt").source_name,
        importing.file_name("sub/story.txt"),
    }
    assert names == {"story.txt"}


# --- uploads ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEED_EXPECTATIONS))
def test_an_uploaded_file_parses_as_the_same_file_on_disk(name):
    data = (SEEDS / name).read_bytes()
    assert importing.read_upload(io.BytesIO(data), name, len(data)) == read_article(SEEDS / name)


def test_an_upload_too_big_by_its_size_is_refused_before_it_is_read():
    handle = io.BytesIO(GOOD_TEXT.encode())
    with pytest.raises(ArticleFileError) as info:
        importing.read_upload(handle, "video.txt", importing.MAX_FILE_BYTES + 1)
    assert info.value.source == "video.txt"
    assert info.value.problem.startswith("is 10.0 MB; an article file should be far smaller")
    assert handle.tell() == 0  # not a byte read


def test_an_upload_of_unknown_size_is_read_no_further_than_the_limit():
    handle = io.BytesIO(b"x" * (importing.MAX_FILE_BYTES + 100))
    with pytest.raises(ArticleFileError, match="is 10.0 MB"):
        importing.read_upload(handle, "video.txt")
    assert handle.tell() == importing.MAX_FILE_BYTES + 1


def test_an_upload_at_the_limit_is_read():
    data = GOOD_TEXT.encode().ljust(importing.MAX_FILE_BYTES, b" ")
    article = importing.read_upload(io.BytesIO(data), "big.txt", len(data))
    assert article.body == "First paragraph.\n\nSecond paragraph."  # the padding is blank


# --- pasted text -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEED_EXPECTATIONS))
def test_a_seed_pasted_into_the_form_parses_as_the_seed_file(name):
    headline, rest = (SEEDS / name).read_text(encoding="utf-8").split("\n", 1)
    pasted = importing.parse_pasted(headline, rest.replace("\n", "\r\n"))
    assert pasted == dataclasses.replace(read_article(SEEDS / name), source_name="")


def test_hypothesis_pasted_and_filed_text_agree():
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    @hypothesis.settings(max_examples=300, deadline=None, database=None)
    @hypothesis.given(
        headline=st.text(alphabet="Hé \t", min_size=1, max_size=8),
        body=st.text(alphabet="be\u0301 \t\n\r\x01\ufeff", max_size=30),
    )
    def agree(headline: str, body: str) -> None:
        hypothesis.assume(headline.strip() and not body.startswith("\ufeff"))
        try:
            filed = parse_article(decode_article(f"{headline}\n\n{body}".encode(), "f"), "f")
        except ArticleFileError:
            with pytest.raises(ArticleFileError):
                importing.parse_pasted(headline, body)
        else:
            assert importing.parse_pasted(headline, body) == dataclasses.replace(
                filed, source_name=""
            )

    agree()


def test_pasted_body_keeps_what_a_file_keeps_and_drops_what_it_drops():
    article = importing.parse_pasted(
        " Cafe opens ", "\ufeff\r\n  cafe\u0301 at noon   \r\n\r\nWritten by Ann Lee\r\n"
    )
    assert article.headline == "Cafe opens"
    assert article.body == "  cafe\u0301 at noon   "  # not NFC-normalised: stored as given
    assert article.byline == "Ann Lee"
    assert article.sha256 == importing.body_sha256(article.body)
    assert article.source_name == ""


def test_a_byline_given_wins_over_the_written_by_line():
    article = importing.parse_pasted("H", "Body.\n\nWritten by Ann Lee", byline=" Ann B. Lee ")
    assert (article.body, article.byline) == ("Body.", "Ann B. Lee")


@pytest.mark.parametrize(
    ("parts", "field", "message"),
    [
        (("H", "Written by Ann Lee"), "body", "Body: has a headline but no body after it"),
        (("H", "Body\x02"), "body", "Body: contains binary data (control byte 0x02 at offset 4)"),
        (("H\x02", "Body"), "headline", "Headline: contains binary data (control byte 0x02"),
        (("H", "Body", "Ann\x1b"), "byline", "Byline: contains binary data (control byte 0x1B"),
        (("H", "Body \ud800"), "body", "Body: is not valid UTF-8 (byte 0xED at offset 5)"),
        (("x" * 301, "Body"), "headline", "Headline: is 301 characters long; the limit is 300"),
    ],
)
def test_a_pasted_part_the_importer_refuses_is_named(parts, field, message):
    with pytest.raises(ArticleFileError) as info:
        importing.parse_pasted(*parts)
    assert info.value.field == field
    assert str(info.value).startswith(message)
    assert_one_line(info.value)


def test_a_pasted_body_over_the_file_limit_is_refused():
    with pytest.raises(ArticleFileError, match=r"^Body: is 10\.0 MB") as info:
        importing.parse_pasted("H", "x" * (importing.MAX_FILE_BYTES + 1))
    assert info.value.field == "body"


# --- batches ---------------------------------------------------------------------------------


def test_read_articles_returns_all_in_order(tmp_path):
    paths = [write(tmp_path, f"{i}.txt", f"Headline {i}\n\nBody {i}.\n") for i in range(3)]
    articles = read_articles(paths)
    assert [a.headline for a in articles] == ["Headline 0", "Headline 1", "Headline 2"]


def test_read_articles_stops_at_the_first_bad_file(tmp_path, monkeypatch):
    paths = [write(tmp_path, f"{i}.txt", f"Headline {i}\n\nBody {i}.\n") for i in range(5)]
    write(tmp_path, "2.txt", "Only a headline\n")
    write(tmp_path, "4.txt", b"\x00")  # also bad, but must not be the one reported

    seen: list[Path] = []
    real_read_article = importing.read_article

    def spy(path):
        seen.append(path)
        return real_read_article(path)

    monkeypatch.setattr(importing, "read_article", spy)
    with pytest.raises(ArticleFileError) as info:
        read_articles(paths)
    assert info.value.source == str(paths[2])
    assert "2.txt" in str(info.value)
    assert "no body" in info.value.problem
    assert seen == paths[:3]


def test_read_articles_accepts_a_generator(tmp_path):
    path = write(tmp_path, "a.txt", GOOD_TEXT)
    assert len(read_articles(p for p in [path, path])) == 2


# --- the error type --------------------------------------------------------------------------


def test_error_is_a_value_error_with_one_line_message():
    error = ArticleFileError("a.txt", "file is empty")
    assert isinstance(error, ValueError)
    assert (error.source, error.problem) == ("a.txt", "file is empty")
    assert str(error) == "a.txt: file is empty"


def test_error_message_stays_one_line_even_for_odd_file_names():
    error = ArticleFileError("weird\nname\r.txt", "line one\u2028line two")
    assert error.source == "weird\nname\r.txt"
    assert len(str(error).splitlines()) == 1


def test_error_survives_copying():
    # deepcopy goes through the same __reduce__ as pickling (e.g. across processes).
    copied = copy.deepcopy(ArticleFileError("a.txt", "file is empty"))
    assert (copied.source, copied.problem) == ("a.txt", "file is empty")
    assert str(copied) == "a.txt: file is empty"
    pasted = copy.deepcopy(ArticleFileError("Body", "file is empty", field="body"))
    assert (pasted.source, pasted.field, str(pasted)) == ("Body", "body", "Body: file is empty")
