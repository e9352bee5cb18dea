"""One way in for an article: the command, the admin upload and the admin paste form share
the importer's rules (``stories.text.importing``) and its write (``services.articles``)."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from stories.models import Article
from stories.text import importing

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:stories_article_import")


def import_file(path):
    call_command("import_articles", str(path), stdout=StringIO())
    return Article.objects.get(source_name=path.name)


def upload(admin_client, *files):
    return admin_client.post(IMPORT_URL, {"files": list(files), "outlet": ""})


def text_file(name, data):
    return SimpleUploadedFile(name, data, content_type="text/plain")


# --------------------------------------------------------------------------------------------
# The per-file limit


def oversize(path):
    """A file one byte over the limit, made of text so that only its size is wrong."""
    data = b"Headline\n\n" + b"x" * (importing.MAX_FILE_BYTES - 9)
    path.write_bytes(data)
    return data


def test_the_upload_and_the_command_refuse_an_oversize_file_with_one_message(
    admin_client, tmp_path
):
    path = tmp_path / "huge.txt"
    data = oversize(path)
    assert len(data) == importing.MAX_FILE_BYTES + 1

    with pytest.raises(CommandError) as command:
        import_file(path)
    response = upload(
        admin_client, text_file("ok.txt", b"Fine\n\nBody."), text_file(path.name, data)
    )

    problem = (
        "is 10.0 MB; an article file should be far smaller than 10 MB — is this the right file?"
    )
    assert f"{path}: {problem}" in str(command.value)
    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        f"{path.name}: {problem} Nothing was imported."
    ]
    assert Article.objects.count() == 0


# --------------------------------------------------------------------------------------------
# Pasting is importing


ADD_URL = reverse("admin:stories_article_add")


def paste(admin_client, headline, body, byline=""):
    """Post the admin's add form as an editor pasting an article would."""
    data = {
        "headline": headline,
        "outlet": "",
        "byline": byline,
        "url": "",
        "published_on": "",
        "body": body,
        "topics": "",
        "_save": "Save",
    }
    return admin_client.post(ADD_URL, data)


def form_errors(response):
    return response.context["adminform"].form.errors


PASTED_VARIANTS = {
    # The browser sends a textarea's line breaks as CRLF.
    "windows-line-endings": lambda text: text.replace("\n", "\r\n"),
    "old-mac-line-endings": lambda text: text.replace("\n", "\r"),
    "stray-bom": lambda text: "\ufeff" + text,
    "blank-lines-around": lambda text: "\n\n  \n" + text + "\n \n\n",
}

# Not NFC (a decomposed é), indented, with trailing spaces and a byline line: kept or dropped
# exactly as the importer keeps or drops them.
FILE_BODY = "  The cafe\u0301 opened at noon.   \n\nIt was full by one.\n\nWritten by Ann Lee"


@pytest.mark.parametrize("variant", list(PASTED_VARIANTS))
def test_pasted_text_gets_the_body_and_sha256_of_the_same_text_imported_from_a_file(
    admin_client, tmp_path, variant
):
    path = tmp_path / "cafe.txt"
    path.write_text(f"Cafe opens\n\n{FILE_BODY}\n", encoding="utf-8")
    imported = import_file(path)
    imported_body, imported_sha = imported.body, imported.body_sha256
    imported.delete()

    response = paste(admin_client, "Cafe opens", PASTED_VARIANTS[variant](FILE_BODY))

    assert response.status_code == 302, form_errors(response)
    pasted = Article.objects.get()
    assert (pasted.body, pasted.body_sha256) == (imported_body, imported_sha)
    assert pasted.body == "  The cafe\u0301 opened at noon.   \n\nIt was full by one."
    assert (pasted.headline, pasted.byline, pasted.source_name) == ("Cafe opens", "Ann Lee", "")


def test_a_byline_typed_in_its_field_wins_over_the_written_by_line(admin_client):
    response = paste(admin_client, "Cafe opens", FILE_BODY, byline="Ann B. Lee")

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert article.byline == "Ann B. Lee"
    assert not article.body.endswith("Ann Lee")


def test_a_stray_bom_on_the_pasted_headline_is_dropped_as_at_the_start_of_a_file(admin_client):
    response = paste(admin_client, "\ufeffCafe opens", "It was full by one.")

    assert response.status_code == 302, form_errors(response)
    assert Article.objects.get().headline == "Cafe opens"


def test_a_text_imported_from_a_file_cannot_be_pasted_again(admin_client, tmp_path):
    path = tmp_path / "cafe.txt"
    path.write_text(f"Cafe opens\n\n{FILE_BODY}\n", encoding="utf-8")
    imported = import_file(path)

    response = paste(admin_client, "Another headline", FILE_BODY.replace("\n", "\r\n"))

    assert response.status_code == 200
    assert form_errors(response)["body"] == [
        f"This text was already imported as “Cafe opens” (article #{imported.pk})."
    ]
    assert Article.objects.count() == 1


REFUSED = {
    # name: (headline, body, field, message)
    "headline-only": (
        "Just a headline",
        "Written by Jane Doe",
        "body",
        "Body: has a headline but no body after it",
    ),
    "binary-body": (
        "Photo",
        "PNG\r\n\x1a\nrest",
        "body",
        "Body: contains binary data (control byte 0x1A at offset 5); expected a UTF-8 text file",
    ),
    "binary-headline": (
        "Head\x07line",
        "A body.",
        "headline",
        "Headline: contains binary data (control byte 0x07 at offset 4);"
        " expected a UTF-8 text file",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_paste_the_importer_would_refuse_gets_its_message_on_the_field(admin_client, case):
    headline, body, field, message = REFUSED[case]

    response = paste(admin_client, headline, body)

    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    assert Article.objects.count() == 0


def test_the_file_with_a_refused_paste_in_it_is_refused_by_the_importer_too(tmp_path):
    for case, (headline, body, _, message) in REFUSED.items():
        path = tmp_path / f"{case}.txt"
        path.write_text(f"{headline}\n\n{body}\n", encoding="utf-8", newline="")
        with pytest.raises(CommandError) as refused:
            import_file(path)
        problem = message.split(": ", 1)[1]
        assert f"{path}: " in str(refused.value)
        assert problem.split(" (")[0] in str(refused.value)
    assert Article.objects.count() == 0


def test_a_blank_paste_is_still_just_required(admin_client):
    response = paste(admin_client, "A headline", " \r\n \r\n")

    assert form_errors(response) == {"body": ["This field is required."]}
    assert Article.objects.count() == 0
