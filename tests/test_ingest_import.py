"""Importing articles as they really come, through the command and the admin's import page:
pages, ninjs files, folders and zips fill the articles' fields; the summary says what became
of each file; one bad member of a zip and nothing is imported."""

import html
import logging
import re
from datetime import date
from io import StringIO

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from stories.management.terminal import ProgressBar
from stories.models import Article, Outlet

from .factories import make_evidence, make_story
from .ingest_samples import (
    BODY,
    BYLINE,
    CANONICAL,
    HEADLINE,
    NINJS_HEADLINE,
    NINJS_PARAGRAPHS,
    OUTLET,
    PUBLISHED,
    corrupt_packed_data,
    news_page,
    ninjs,
    zip_of,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:stories_article_import")

STORM = {
    "headline": HEADLINE,
    "byline": BYLINE,
    "published_on": PUBLISHED,
    "url": CANONICAL,
    "outlet__name": OUTLET,
    "body": BODY,
}
FERRY = {
    "headline": NINJS_HEADLINE,
    "byline": "Sam Okafor",
    "published_on": date(2024, 3, 5),
    "url": "https://wire.example/items/2024/ferry-suspended",
    "outlet__name": "Wire Agency",
    "body": "\n\n".join(NINJS_PARAGRAPHS),
}
FIELDS = list(STORM)


class Terminal(StringIO):
    """Captured output that says it is a terminal, as a shell's stdout does."""

    def isatty(self):
        return True


def run(*paths, stdout=None, **options):
    out = stdout or StringIO()
    call_command("import_articles", *[str(path) for path in paths], stdout=out, **options)
    return out.getvalue()


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def stored(**lookup):
    return Article.objects.filter(**lookup).values(*FIELDS).get()


def summary_rows(output, outcome):
    return [line for line in output.splitlines() if line.startswith(f"{outcome} ")]


def cells(line):
    """A table line's cells: the columns are two spaces apart, and cells hold no such run."""
    return [cell.strip() for cell in re.split(r" {2,}", line)]


# --------------------------------------------------------------------------------------------
# The command: the metadata fills the articles' fields


def as_files(tmp_path):
    return [write(tmp_path / "storm.html", news_page()), write(tmp_path / "ferry.json", ninjs())]


def as_zip(tmp_path):
    return [
        write(tmp_path / "batch.zip", zip_of({"storm.html": news_page(), "w/ferry.json": ninjs()}))
    ]


def as_folder(tmp_path):
    write(tmp_path / "in/pages/storm.html", news_page())
    write(tmp_path / "in/wire/ferry.json", ninjs())
    return [tmp_path / "in"]


@pytest.mark.parametrize("given", [as_files, as_zip, as_folder])
def test_a_page_and_a_ninjs_file_import_with_their_headline_byline_date_url_and_outlet(
    tmp_path, given
):
    output = run(*given(tmp_path))

    assert stored(source_name="storm.html") == STORM
    assert stored(source_name="ferry.json") == FERRY
    assert sorted(Outlet.objects.values_list("name", flat=True)) == [OUTLET, "Wire Agency"]
    assert "2 imported, 0 unchanged, 0 refused." in output


def test_the_summary_table_names_each_file_with_its_outcome_and_article(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "note.txt", b"A note\n\nIts only paragraph.\n")
    run("note.txt")
    note = Article.objects.get()
    write(tmp_path / "batch.zip", zip_of({"storm.html": news_page(), "w/ferry.json": ninjs()}))

    output = run("batch.zip", "note.txt")

    storm = Article.objects.get(source_name="storm.html")
    ferry = Article.objects.get(source_name="ferry.json")
    storm_source, source, width = (
        'batch.zip: member "storm.html"',
        'batch.zip: member "w/ferry.json"',
        len(OUTLET),
    )
    assert output.splitlines() == [
        f"Outcome    {'File':<{len(source)}}  {'Outlet':<{width}}  Article or reason",
        f"---------  {'-' * len(source)}  {'-' * width}  "
        + "-" * len(f"#{ferry.pk}: {NINJS_HEADLINE}"),
        f"imported   {storm_source:<{len(source)}}  {OUTLET}  #{storm.pk}: {HEADLINE}",
        f"imported   {source}  {'Wire Agency':<{width}}  #{ferry.pk}: {NINJS_HEADLINE}",
        f"unchanged  {'note.txt':<{len(source)}}  {'':<{width}}  #{note.pk}: A note",
        "2 imported, 1 unchanged, 0 refused.",
    ]


def test_reimporting_a_zip_leaves_every_article_unchanged(tmp_path):
    run(*as_zip(tmp_path))

    output = run(*as_zip(tmp_path))

    assert len(summary_rows(output, "unchanged")) == 2
    assert "0 imported, 2 unchanged, 0 refused." in output
    assert (Article.objects.count(), Outlet.objects.count()) == (2, 2)


def test_an_outlet_is_created_only_for_an_article_that_is(tmp_path):
    write(tmp_path / "storm.txt", f"{HEADLINE}\n\n{BODY}\n".encode())
    run(tmp_path / "storm.txt")

    output = run(write(tmp_path / "storm.html", news_page()))

    assert "0 imported, 1 unchanged, 0 refused." in output
    assert not Outlet.objects.exists()  # the page's site, for a text already stored


def test_the_outlet_option_wins_over_the_pages_own_and_pages_share_an_outlet(tmp_path):
    Outlet.objects.create(name="the coastal herald", slug="the-coastal-herald")
    other = news_page(headline="Second storm story", paragraphs=["A different text, told again."])
    write(tmp_path / "a.html", news_page())
    write(tmp_path / "b.html", other)

    run(tmp_path / "a.html", tmp_path / "b.html")
    run(write(tmp_path / "c.json", ninjs()), outlet="Herald Weekly")

    assert list(Outlet.objects.values_list("name", flat=True).order_by("name")) == [
        "Herald Weekly",
        "the coastal herald",  # the pages' "The Coastal Herald", matched, not duplicated
    ]
    assert Article.objects.get(source_name="c.json").outlet.name == "Herald Weekly"


# --------------------------------------------------------------------------------------------
# The command: all or nothing


def test_one_bad_member_of_a_zip_imports_nothing_and_the_error_names_zip_and_member(tmp_path):
    path = write(
        tmp_path / "batch.zip",
        zip_of({"storm.html": news_page(), "b/ferry.json": ninjs(versioncreated="soon")}),
    )
    out = StringIO()

    with pytest.raises(CommandError) as error:
        run(path, write(tmp_path / "good.txt", b"Fine\n\nA body.\n"), stdout=out)

    problem = "versioncreated 'soon' is not an ISO 8601 date and time"
    assert str(error.value) == f'{path}: member "b/ferry.json": {problem} — nothing was imported.'
    [refused] = summary_rows(out.getvalue(), "refused")
    outcome, source, reason = cells(refused)
    assert (outcome, reason) == ("refused", problem)
    assert source.endswith('/batch.zip: member "b/ferry.json"')  # a long path loses its start
    assert (
        out.getvalue().splitlines()[-1]
        == "0 imported, 0 unchanged, 1 refused: nothing was imported."
    )
    assert not Article.objects.exists()
    assert not Outlet.objects.exists()


def test_a_page_with_no_article_is_refused_in_one_message_without_the_extractors_warnings(
    tmp_path, caplog
):
    page = write(tmp_path / "nav.html", b"<title>Herald</title><nav><a href='/'>Home</a></nav>")

    with caplog.at_level(logging.DEBUG), pytest.raises(CommandError, match="nav.html"):
        run(page)

    assert [record.getMessage() for record in caplog.records] == []


def test_every_refused_file_is_listed_and_counted(tmp_path):
    bomb = write(tmp_path / "bomb.zip", corrupt_packed_data(zip_of({"x.txt": b"\0" * 2**21})))
    empty = write(tmp_path / "empty.txt", b"")
    out = StringIO()

    with pytest.raises(CommandError) as error:
        run(empty, bomb, *as_files(tmp_path), stdout=out)

    refused = summary_rows(out.getvalue(), "refused")
    assert [cells(row)[1].rsplit("/", 1)[-1] for row in refused] == [
        'bomb.zip: member "x.txt"',
        "empty.txt",
    ]
    assert cells(refused[0])[2].endswith("refused as a possible zip bomb, not unpacked")
    assert cells(refused[1])[2] == "file is empty"
    assert str(error.value).startswith(f"2 files were refused (listed above), the first {bomb}:")
    assert str(error.value).endswith("— nothing was imported.")
    assert not Article.objects.exists()


# --------------------------------------------------------------------------------------------
# The command: progress on a terminal, a fixture


def test_a_long_batch_shows_a_progress_bar_on_a_terminal_and_clears_it(tmp_path):
    for n in range(25):
        write(tmp_path / f"in/{n:02}.txt", f"Headline {n}\n\nBody number {n}.\n".encode())
    terminal = Terminal()

    output = run(tmp_path / "in", stdout=terminal)

    assert "\rReading     [" in output and "] 25/25" in output
    assert "\rChecking    [" + "#" * 30 + "] 25/25" in output
    assert "\rSaving      [" + "#" * 30 + "] 25/25" in output
    assert "\rSuggesting  [" in output
    table = output[output.rindex("\r") + 1 :]
    assert table.startswith("Outcome ")  # the bar was cleared before the table
    assert "25 imported, 0 unchanged, 0 refused." in table


def test_no_progress_bar_when_the_output_is_not_a_terminal(tmp_path):
    for n in range(25):
        write(tmp_path / f"in/{n:02}.txt", f"Headline {n}\n\nBody number {n}.\n".encode())

    output = run(tmp_path / "in")

    assert "\r" not in output and "Reading" not in output


def test_the_bar_redraws_only_when_its_percentage_changes():
    terminal = Terminal()
    bar = ProgressBar(_Wrapped(terminal), min_total=1)

    for done in range(1, 1001):
        bar("reading", done, 1000)
    bar.close()

    last = "Reading     [" + "#" * 30 + "] 1000/1000"
    assert terminal.getvalue().count("\r") == 101 + 2  # one a percent (0 to 100), the clearing
    assert terminal.getvalue().endswith(f"\r{last}\r{' ' * len(last)}\r")


class _Wrapped:
    """The part of Django's OutputWrapper the bar uses."""

    def __init__(self, stream):
        self.stream = stream

    def isatty(self):
        return self.stream.isatty()

    def write(self, text, ending="\n"):
        self.stream.write(text + ending)

    def flush(self):
        pass


def test_fixture_mode_writes_the_pages_outlet_url_and_date(tmp_path):
    out = tmp_path / "fixture.json"

    run(write(tmp_path / "storm.html", news_page()), fixture=out)
    call_command("loaddata", str(out), verbosity=0)

    assert stored(source_name="storm.html") == STORM


# --------------------------------------------------------------------------------------------
# Readers see what the metadata filled in


def test_the_story_page_lists_the_source_with_its_metadata_and_links_the_passage(tmp_path, client):
    run(write(tmp_path / "storm.html", news_page()))
    article = Article.objects.get()
    evidence = make_evidence(article, "two fishing boats had broken free of their moorings")
    story = make_story("The harbour floods", statements=[("Boats broke loose.", [evidence])])

    page = client.get(story.get_absolute_url()).content.decode()

    sources = page[page.index('id="sources-heading"') :]
    assert f"— {OUTLET}, by {BYLINE}" in sources
    assert '<time datetime="2024-03-05">5 March 2024</time>' in sources
    [link] = re.findall(r'class="publisher-link" href="([^"]+)"', page)
    assert html.unescape(link).startswith(f"{CANONICAL}#:~:text=")
    assert "two%20fishing%20boats%20had%20broken%20free%20of%20their%20moorings" in link


# --------------------------------------------------------------------------------------------
# The admin's import page


def upload(name, data):
    return SimpleUploadedFile(name, data)


def test_the_import_page_accepts_every_format(admin_client):
    response = admin_client.get(IMPORT_URL)

    [accept] = re.findall(r'accept="([^"]+)"', response.content.decode())
    assert {".txt", ".html", ".htm", ".json", ".zip"} <= set(accept.split(","))


def test_a_zip_upload_imports_and_shows_the_summary(admin_client, admin_user):
    data = zip_of({"storm.html": news_page(), "w/ferry.json": ninjs()})

    response = admin_client.post(IMPORT_URL, {"files": [upload("batch.zip", data)], "outlet": ""})

    assert response.status_code == 200
    assert stored(source_name="storm.html") == STORM
    assert stored(source_name="ferry.json") == FERRY
    storm = Article.objects.get(source_name="storm.html")
    page = response.content.decode()
    summary = page[page.index('id="import-summary"') :]
    reading = reverse("admin:stories_article_read", args=[storm.pk])
    assert f'<a href="{reading}">#{storm.pk}: {HEADLINE}</a>' in summary
    assert "batch.zip: member &quot;storm.html&quot;" in summary
    assert f"<td>{OUTLET}</td>" in summary and f"<td>{BYLINE}</td>" in summary
    assert '<time datetime="2024-03-05">5 March 2024</time>' in summary
    assert f'href="{CANONICAL}"' in summary
    assert "2 imported, 0 unchanged, 0 refused." in summary
    assert LogEntry.objects.filter(action_flag=ADDITION, user=admin_user).count() == 2


def test_a_zip_upload_with_a_bad_member_imports_nothing_and_names_zip_and_member(admin_client):
    data = zip_of({"storm.html": news_page(), "w/ferry.json": ninjs(body_text=None)})

    response = admin_client.post(
        IMPORT_URL, {"files": [upload("batch.zip", data), upload("a.txt", b"A\n\nB.")]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        'batch.zip: member "w/ferry.json": has no body (ninjs fields body_text or body_html)'
        " Nothing was imported."
    ]
    assert response.context["summary"] is None
    assert not Article.objects.exists() and not Outlet.objects.exists()


def test_several_refused_uploads_are_each_named(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"files": [upload("a.txt", b"\0"), upload("b.json", b"{")]}
    )

    assert response.context["form"].errors["files"] == [
        "a.txt: contains binary data (NUL byte at offset 0); expected a UTF-8 text file",
        "b.json: is not valid JSON (Expecting property name enclosed in double quotes at line 1,"
        " column 2)",
        "Nothing was imported: 2 files were refused.",
    ]
    assert not Article.objects.exists()


def test_the_summary_escapes_what_the_files_say(admin_client):
    item = ninjs(headline="<script>alert(1)</script> Ferry", copyrightholder="<b>Wire</b>")

    response = admin_client.post(IMPORT_URL, {"files": [upload("<i>x</i>.json", item)]})

    page = response.content.decode()
    summary = page[page.index('id="import-summary"') :]
    assert "<script>alert(1)" not in summary and "<b>Wire" not in summary and "<i>x" not in summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ferry" in summary
    assert "&lt;b&gt;Wire&lt;/b&gt;" in summary
