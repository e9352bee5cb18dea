"""The ``import_articles`` management command: idempotent, all-or-nothing, fixture mode."""

import codecs
import hashlib
import json
import os
import resource
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from stories.models import Article, Outlet

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "seeds"
SEEDS = sorted(SEED_DIR.glob("*.txt"))
COMMITTED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seed_articles.json"

# The seeds as an editor would describe them, worked out by hand from the files.
EXPECTED = [
    {
        "headline": "Megan Thee Stallion and Justin Timberlake appear to have tense exchange "
        "backstage at MTV VMAs",
        "byline": "",
        "sha": "5cb7a61c6e3e2abd9984fbafc400e13e16076da725853870ca9bc176112ea5a3",
        "first_words": "Justin Timberlake and Megan Thee Stallion appeared to get into",
        "last_words": "Watch Megan and Timberlake in the video above.",
    },
    {
        "headline": "Megan Thee Stallion and Justin Timberlake: An Unlikely Encounter at the VMAs",
        "byline": "",
        "sha": "1cf1127adfee67b79674dc0649a2cdbfc6edc87a3d32576ab6c435138175053d",
        "first_words": "The 2023 MTV Video Music Awards (VMAs) held on Tuesday night",
        "last_words": "innovation to the world of music.",
    },
    {
        "headline": "Megan Thee Stallion and Justin Timberlake\u2019s Backstage Encounter: "
        "A Viral Moment of Connection",
        "byline": "Byron Nelson",
        "sha": "c34059ca09895c822943c29744aa8eed9bcafa03fb24b1ac53946ec3eb5d7ea5",
        "first_words": "The MTV Video Music Awards (VMAs) have always been a treasure trove",
        "last_words": "true connections are the most priceless trophies of all.",
    },
]

GOOD_TEXT = (
    "Fans debate the VMAs moment\n"
    "\n"
    "A short article written for the tests.\n"
    "\n"
    "It has two paragraphs.\n"
)


def run_import(*files, **options):
    out = StringIO()
    call_command("import_articles", *[str(f) for f in files], stdout=out, **options)
    return out.getvalue()


def summary_rows(output, outcome):
    """The lines of the summary table that say ``outcome`` (imported, unchanged, refused)."""
    return [line for line in output.splitlines() if line.startswith(f"{outcome} ")]


def expected_body(path, byline=""):
    """The body as the file holds it: everything after the headline, minus the byline."""
    text = path.read_text(encoding="utf-8")
    body = text.split("\n", 1)[1].strip()
    if byline:
        body = body.removesuffix(f"Written by {byline}").strip()
    return body


def import_seeds():
    run_import(SEEDS[0], outlet="EW")
    run_import(SEEDS[1], SEEDS[2])


def test_there_are_three_seed_files():
    assert [path.name[:3] for path in SEEDS] == ["000", "001", "002"]


# --------------------------------------------------------------------------------------------
# Importing and re-importing


@pytest.mark.django_db
def test_imports_the_three_seeds_with_outlet_on_the_first():
    first = run_import(SEEDS[0], outlet="EW")
    rest = run_import(SEEDS[1], SEEDS[2])

    assert "1 imported, 0 unchanged, 0 refused." in first
    assert "2 imported, 0 unchanged, 0 refused." in rest
    assert Article.objects.count() == 3
    assert list(Outlet.objects.values_list("name", "slug")) == [("EW", "ew")]

    for path, expected in zip(SEEDS, EXPECTED, strict=True):
        article = Article.objects.get(source_name=path.name)
        assert article.headline == expected["headline"]
        assert article.byline == expected["byline"]
        assert article.body == expected_body(path, expected["byline"])
        assert article.body.startswith(expected["first_words"])
        assert article.body.endswith(expected["last_words"])
        assert "Written by" not in article.body
        assert article.body_sha256 == expected["sha"]
        assert article.body_sha256 == hashlib.sha256(article.body.encode("utf-8")).hexdigest()

    assert Article.objects.get(source_name=SEEDS[0].name).outlet.name == "EW"
    assert Article.objects.get(source_name=SEEDS[1].name).outlet is None
    assert Article.objects.get(source_name=SEEDS[2].name).outlet is None


@pytest.mark.django_db
def test_reimporting_the_same_files_creates_nothing():
    import_seeds()
    ids = set(Article.objects.values_list("pk", flat=True))

    output = run_import(*SEEDS, outlet="EW")

    assert set(Article.objects.values_list("pk", flat=True)) == ids
    assert Outlet.objects.count() == 1
    assert len(summary_rows(output, "unchanged")) == 3
    assert "0 imported, 3 unchanged, 0 refused." in output
    for article in Article.objects.all():
        assert f"#{article.pk}: {article.headline}" in output


@pytest.mark.django_db
def test_the_same_file_twice_in_one_batch_is_imported_once():
    output = run_import(SEEDS[0], SEEDS[0])

    assert Article.objects.count() == 1
    assert "1 imported, 1 unchanged, 0 refused." in output


@pytest.mark.django_db
def test_crlf_and_bom_copy_of_a_seed_is_the_same_article(tmp_path):
    import_seeds()
    original = Article.objects.get(source_name=SEEDS[2].name)
    text = SEEDS[2].read_text(encoding="utf-8")
    windows_copy = tmp_path / "windows-copy.txt"
    windows_copy.write_bytes(codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"))
    assert windows_copy.read_bytes() != SEEDS[2].read_bytes()

    output = run_import(windows_copy)

    assert Article.objects.count() == 3
    [unchanged] = summary_rows(output, "unchanged")
    assert f"#{original.pk}: " in unchanged


@pytest.mark.django_db
def test_crlf_and_bom_copy_imports_with_the_seed_body_and_sha(tmp_path):
    text = SEEDS[0].read_text(encoding="utf-8")
    windows_copy = tmp_path / "windows-copy.txt"
    windows_copy.write_bytes(codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"))

    run_import(windows_copy)

    article = Article.objects.get()
    assert article.headline == EXPECTED[0]["headline"]
    assert "\r" not in article.body
    assert "\ufeff" not in article.headline + article.body
    assert article.body == expected_body(SEEDS[0])
    assert article.body_sha256 == EXPECTED[0]["sha"]


@pytest.mark.django_db
def test_outlet_is_matched_by_name_or_slug_not_duplicated():
    run_import(SEEDS[0], outlet="EW")
    run_import(SEEDS[1], outlet="ew")
    run_import(SEEDS[2], outlet="E.W.")  # same slug: the fixture's natural key

    assert list(Outlet.objects.values_list("name", "slug")) == [("EW", "ew")]
    assert Article.objects.filter(outlet__slug="ew").count() == 3


@pytest.mark.django_db
def test_outlet_name_without_letters_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="outlet"):
        run_import(*SEEDS, outlet="???")

    assert Article.objects.count() == 0
    assert Outlet.objects.count() == 0


# --------------------------------------------------------------------------------------------
# All or nothing


def _empty(path):
    path.write_bytes(b"")


def _latin1(path):
    text = "Caf\u00e9 society\n\nThe caf\u00e9 was full, the cr\u00e8me br\u00fbl\u00e9e gone.\n"
    path.write_bytes(text.encode("latin-1"))


def _binary(path):
    path.write_bytes(b"Headline\n\nBody text\x00\x00\x00\x01\x02 then more binary \xff\xfe")


def _headline_only(path):
    path.write_text("A headline and nothing else\n\n\n", encoding="utf-8")


def _missing(path):
    pass  # never written


BAD_FILES = {
    "empty": (_empty, "empty"),
    "latin-1": (_latin1, "not valid UTF-8"),
    "binary": (_binary, "NUL byte"),
    "headline-only": (_headline_only, "no body"),
    "nonexistent": (_missing, "no such file"),
}


def five_files_with_a_bad_third(tmp_path, kind):
    write_bad, _ = BAD_FILES[kind]
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    bad = tmp_path / f"bad-{kind}.txt"
    write_bad(bad)
    return [SEEDS[0], SEEDS[1], bad, SEEDS[2], good], bad


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_one_bad_file_imports_nothing(tmp_path, kind):
    files, bad = five_files_with_a_bad_third(tmp_path, kind)

    with pytest.raises(CommandError) as excinfo:
        run_import(*files, outlet="EW")

    message = str(excinfo.value)
    assert str(bad) in message
    assert BAD_FILES[kind][1] in message
    assert "nothing was imported" in message
    assert "\n" not in message
    for other in files:
        if other != bad:
            assert other.name not in message
    assert Article.objects.count() == 0
    assert Outlet.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_file_after_an_earlier_import_leaves_the_database_as_it_was(tmp_path):
    run_import(SEEDS[0], outlet="EW")
    files, bad = five_files_with_a_bad_third(tmp_path, "latin-1")

    with pytest.raises(CommandError, match="bad-latin-1.txt"):
        run_import(*files, outlet="Vulture")

    assert list(Article.objects.values_list("source_name", flat=True)) == [SEEDS[0].name]
    assert list(Outlet.objects.values_list("name", flat=True)) == ["EW"]


def test_cli_reports_a_bad_file_in_one_line_without_traceback(tmp_path):
    files, bad = five_files_with_a_bad_third(tmp_path, "binary")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    migrated = manage("migrate", "--noinput", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr

    result = manage("import_articles", "--outlet", "EW", *[str(f) for f in files])

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(bad) in lines[0]
    assert "nothing was imported" in lines[0]

    # The database the command used is still empty.
    counted = manage(
        "shell",
        "-c",
        "from stories.models import Article, Outlet; "
        "print(Article.objects.count(), Outlet.objects.count())",
    )
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.strip().splitlines()[-1].split() == ["0", "0"]


# --------------------------------------------------------------------------------------------
# Writing a fixture


def read_fixture(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_fixture_mode_writes_a_fixture_and_not_the_database(tmp_path):
    out = tmp_path / "articles.json"

    output = run_import(SEEDS[0], outlet="EW", fixture=out)

    assert Article.objects.count() == 0
    assert Outlet.objects.count() == 0
    assert str(out) in output
    records = read_fixture(out)
    assert [record["model"] for record in records] == ["stories.outlet", "stories.article"]
    outlet, article = records
    assert outlet["fields"]["name"] == "EW"
    assert article["fields"]["outlet"] == [outlet["fields"]["slug"]]
    assert article["fields"]["headline"] == EXPECTED[0]["headline"]
    assert article["fields"]["body_sha256"] == EXPECTED[0]["sha"]
    assert article["fields"]["body"] == expected_body(SEEDS[0])
    assert "pk" not in article and "pk" not in outlet  # natural keys, no clashing ids


@pytest.mark.django_db
def test_fixture_mode_merges_into_an_existing_fixture(tmp_path):
    out = tmp_path / "articles.json"
    run_import(SEEDS[0], outlet="EW", fixture=out)

    run_import(SEEDS[1], SEEDS[2], fixture=out)
    run_import(SEEDS[2], fixture=out)  # the same text again replaces, never duplicates

    records = read_fixture(out)
    assert [record["model"] for record in records] == ["stories.outlet"] + ["stories.article"] * 3
    articles = {r["fields"]["body_sha256"]: r["fields"] for r in records[1:]}
    assert set(articles) == {expected["sha"] for expected in EXPECTED}
    assert articles[EXPECTED[0]["sha"]]["outlet"] == ["ew"]
    assert articles[EXPECTED[1]["sha"]]["outlet"] is None
    assert articles[EXPECTED[2]["sha"]]["byline"] == "Byron Nelson"
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_written_fixture_loads_with_loaddata(tmp_path):
    out = tmp_path / "articles.json"
    run_import(SEEDS[0], outlet="EW", fixture=out)
    run_import(SEEDS[1], SEEDS[2], fixture=out)

    call_command("loaddata", str(out), verbosity=0)

    assert Article.objects.count() == 3
    assert Outlet.objects.get().name == "EW"
    first = Article.objects.get(body_sha256=EXPECTED[0]["sha"])
    assert first.outlet.name == "EW"
    assert first.headline == EXPECTED[0]["headline"]
    assert Article.objects.get(body_sha256=EXPECTED[2]["sha"]).byline == "Byron Nelson"
    # The loaded articles are then recognised by a real import.
    assert "0 imported, 3 unchanged, 0 refused." in run_import(*SEEDS)


@pytest.mark.django_db
def test_fixture_mode_with_a_bad_file_leaves_the_fixture_alone(tmp_path):
    out = tmp_path / "articles.json"
    run_import(SEEDS[0], outlet="EW", fixture=out)
    before = out.read_bytes()
    files, bad = five_files_with_a_bad_third(tmp_path, "empty")

    with pytest.raises(CommandError, match=bad.name):
        run_import(*files, fixture=out)

    assert out.read_bytes() == before


def _import_with_a_file_size_limit(tmp_path, out):
    """Run the command in a child process whose files may not grow past the fixture's
    current size plus a little (RLIMIT_FSIZE): its write of the bigger, merged fixture
    fails part-way with EFBIG, as it would on a full disk. (Python ignores SIGXFSZ, so
    the kernel's kill at the limit becomes that error.)"""
    limit = out.stat().st_size + 100
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "import_articles", str(SEEDS[1]), str(SEEDS[2])]
        + ["--fixture", str(out)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard)),
    )


@pytest.mark.django_db
def test_a_fixture_write_that_fails_part_way_leaves_the_existing_fixture_whole(tmp_path):
    out = tmp_path / "articles.json"
    run_import(SEEDS[0], outlet="EW", fixture=out)
    before = out.read_bytes()

    result = _import_with_a_file_size_limit(tmp_path, out)

    assert result.returncode == 1, result.stdout
    assert out.read_bytes() == before
    assert len(read_fixture(out)) == 2  # still valid JSON: the outlet and the first article
    assert "Traceback" not in result.stderr
    assert f"{out}: cannot be written (File too large)" in result.stderr
    assert "the fixture was left as it was" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["articles.json"]


@pytest.mark.django_db
def test_a_fixture_is_replaced_by_a_new_file_never_rewritten_in_place(tmp_path):
    """A kill or a crash at any moment leaves the old fixture or the new one: the old
    file is never opened for writing, the new one takes its name (a new inode) with its
    permissions."""
    out = tmp_path / "articles.json"
    run_import(SEEDS[0], outlet="EW", fixture=out)
    out.chmod(0o640)
    old_inode = out.stat().st_ino

    run_import(SEEDS[1], fixture=out)

    assert out.stat().st_ino != old_inode
    assert out.stat().st_mode & 0o777 == 0o640
    assert len(read_fixture(out)) == 3
    assert sorted(path.name for path in tmp_path.iterdir()) == ["articles.json"]


@pytest.mark.django_db
def test_committed_fixture_loads_twice_without_duplicates():
    call_command("loaddata", str(COMMITTED_FIXTURE), verbosity=0)
    call_command("loaddata", str(COMMITTED_FIXTURE), verbosity=0)

    assert Article.objects.count() == 3
    assert Outlet.objects.count() == 1
    assert set(Article.objects.values_list("body_sha256", flat=True)) == {
        expected["sha"] for expected in EXPECTED
    }
    assert Article.objects.get(body_sha256=EXPECTED[0]["sha"]).outlet.slug == "ew"


@pytest.mark.django_db
def test_committed_fixture_matches_the_seed_files(tmp_path):
    """The committed fixture is what the command writes for the seed files."""
    out = tmp_path / "regenerated.json"
    run_import(SEEDS[0], outlet="EW", fixture=out)
    run_import(SEEDS[1], SEEDS[2], fixture=out)

    def comparable(records):
        return [
            {key: value for key, value in r["fields"].items() if key != "imported_at"}
            for r in records
        ]

    committed = sorted(comparable(read_fixture(COMMITTED_FIXTURE)), key=json.dumps)
    assert committed == sorted(comparable(read_fixture(out)), key=json.dumps)
