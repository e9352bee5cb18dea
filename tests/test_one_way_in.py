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
