"""A sprint's artifact, its files and the reflection: published by the paired circles, files
judged by their content and served only to the movement's members, as attachments."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rituals.models import ArtifactFile, SprintArtifact
from rituals.services import sprints
from tests.submitting import token_on

LIMIT = 4096

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
TEXT = "Stencil checklist:\n- cut\n- spray\n- résumé of the night\n".encode()
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64)


def odt():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored, first
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def docm():
    """A Word document carrying a macro project, named as a plain one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", EXECUTABLE)
    return buffer.getvalue()


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", EXECUTABLE)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def url(name, sprint, **kwargs):
    return reverse(
        f"rituals:{name}",
        kwargs={"movement_slug": sprint.movement.slug, "sprint_id": sprint.pk, **kwargs},
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def stored_files(root):
    return [path for path in Path(root).rglob("*") if path.is_file()]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARTIFACT_MAX_BYTES = LIMIT
    return settings.MEDIA_ROOT


@pytest.fixture
def artifact(sprint, mo):
    return sprints.publish_artifact(
        by=mo,
        sprint=sprint,
        title="Know your rights, on the walls",
        description="Six stencils.",
        link="https://example.org/stencils",
    )


def attach(client, sprint, name, content):
    page = client.get(url("artifact_upload", sprint))
    return client.post(
        url("artifact_upload", sprint),
        {"file": upload(name, content), "submission": token_on(page.content.decode())},
    )


# --- the artifact ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_of_a_paired_circle_publishes_the_artifact(login, sprint, mo):
    client = login(mo)
    page = client.get(url("artifact_edit", sprint))
    response = client.post(
        url("artifact_edit", sprint),
        {
            "title": "Know your rights, on the walls",
            "description": "Six stencils and a paste-up series.",
            "link": "https://example.org/stencils",
            "submission": token_on(page.content.decode()),
        },
    )
    assert response["Location"] == f"{sprint.get_absolute_url()}#artifact"
    artifact = SprintArtifact.objects.get(sprint=sprint)
    assert (artifact.title, artifact.published_by) == ("Know your rights, on the walls", mo)
    body = client.get(sprint.get_absolute_url()).content.decode()
    assert "Know your rights, on the walls" in body


@pytest.mark.django_db
def test_publishing_again_edits_the_one_artifact(sprint, mo, cora, artifact):
    sprints.publish_artifact(by=cora, sprint=sprint, title="Walls that talk", description="Six.")
    artifact.refresh_from_db()
    assert SprintArtifact.objects.count() == 1
    assert (artifact.title, artifact.link) == ("Walls that talk", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://example.org/file", "data:text/html,<b>x</b>"]
)
def test_a_link_is_http_or_https(sprint, mo, link):
    with pytest.raises(ValidationError) as refused:
        sprints.publish_artifact(by=mo, sprint=sprint, title="T", description="D", link=link)
    assert "http:// or https://" in str(refused.value.message_dict["link"])


@pytest.mark.django_db
def test_the_form_says_which_links_it_takes(login, sprint, mo):
    response = login(mo).post(
        url("artifact_edit", sprint),
        {"title": "T", "description": "D", "link": "ftp://example.org/file"},
    )
    assert response.status_code == 200
    assert "A link is a web address starting with http:// or https://." in (
        response.content.decode()
    )
    assert not SprintArtifact.objects.exists()


@pytest.mark.django_db
def test_only_members_of_the_paired_circles_publish(login, sprint, alice):
    response = login(alice).post(url("artifact_edit", sprint), {"title": "T", "description": "D"})
    assert response.status_code == 403
    assert "Only members of this sprint&#x27;s circles" in response.content.decode()
    with pytest.raises(PermissionDenied):
        sprints.publish_artifact(by=alice, sprint=sprint, title="T", description="D")
    assert not SprintArtifact.objects.exists()


# --- files: judged by content -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("zine.pdf", PDF, "application/pdf"),
        ("mural.png", PNG, "image/png"),
        ("wall.jpg", JPEG, "image/jpeg"),
        ("checklist.txt", TEXT, "text/plain; charset=utf-8"),
        ("README.md", TEXT, "text/markdown; charset=utf-8"),
        ("minutes.odt", odt(), "application/vnd.oasis.opendocument.text"),
        (
            "letter.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_kinds_are_kept_with_the_type_their_content_shows(
    sprint, mo, artifact, name, content, content_type
):
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload(name, content))
    assert (stored.content_type, stored.original_name, stored.size) == (
        content_type,
        name,
        len(content),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("minutes.pdf", EXECUTABLE),  # an executable named as a PDF
        ("letter.docx", plain_zip()),  # a ZIP that is no document
        ("letter.docx", docm()),  # a document that carries code
        ("photo.png", b"GIF89a" + bytes(20)),  # not on the list, whatever its name
        ("notes.txt", "caf\xe9".encode("latin-1")),  # text, but not UTF-8
    ],
)
def test_a_forbidden_kind_is_refused_whatever_its_name(
    login, sprint, mo, artifact, media, name, content
):
    response = attach(login(mo), sprint, name, content)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{name} is not a kind of file the artifact takes, whatever its name says" in body
    assert "PDF, PNG, JPEG, plain text or Markdown (UTF-8), ODT, DOCX" in body
    assert not ArtifactFile.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_file_too_large_is_refused_in_words_and_never_kept(login, sprint, mo, artifact, media):
    response = attach(login(mo), sprint, "zine.pdf", PDF + bytes(LIMIT))
    assert response.status_code == 200
    assert "zine.pdf is too large: a file may be 4.0\xa0KB at most." in response.content.decode()
    assert not ArtifactFile.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_file_of_exactly_the_limit_is_taken(sprint, mo, artifact):
    content = PDF + bytes(LIMIT - len(PDF))
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", content))
    assert stored.size == LIMIT


@pytest.mark.django_db
def test_an_empty_file_is_refused(sprint, mo, artifact):
    with pytest.raises(ValidationError, match="is empty"):
        sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", b""))


@pytest.mark.django_db
def test_files_wait_for_the_artifact(sprint, mo):
    with pytest.raises(ValidationError, match="Publish the artifact first"):
        sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))


@pytest.mark.django_db
def test_an_artifact_holds_a_dozen_files_at_most(sprint, mo, artifact):
    for n in range(sprints.MAX_ARTIFACT_FILES):
        sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload(f"{n}.pdf", PDF))
    with pytest.raises(ValidationError, match="12 files at most"):
        sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("13.pdf", PDF))


# --- files: kept out of reach ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_is_kept_under_the_media_root_with_a_random_name(login, sprint, mo, artifact):
    attach(login(mo), sprint, "zine.pdf", PDF)
    stored = ArtifactFile.objects.get()
    path = Path(stored.file.path).resolve()
    assert path.is_relative_to(Path(django_settings.MEDIA_ROOT).resolve())
    assert "zine" not in stored.file.name
    public = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS)]
    assert not any(path.is_relative_to(folder.resolve()) for folder in public)


@pytest.mark.django_db
def test_no_public_path_serves_a_file(client, login, sprint, mo, artifact):
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))
    client = login(mo)
    for prefix in ("/media/", "/static/", "/"):
        assert client.get(f"{prefix}{stored.file.name}").status_code == 404


@pytest.mark.django_db
def test_any_member_of_the_movement_downloads_it_as_an_attachment(login, sprint, mo, alice):
    sprints.publish_artifact(by=mo, sprint=sprint, title="T", description="D")
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))
    response = login(alice).get(url("artifact_file", sprint, file_id=stored.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="zine.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_a_download_ends_in_the_extension_of_what_it_is(login, sprint, mo, artifact):
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("run-me.exe", PDF))
    response = login(mo).get(url("artifact_file", sprint, file_id=stored.pk))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="run-me.exe.pdf"'


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["nina", "otto"])
def test_outsiders_get_404_for_a_file(request, client, login, sprint, mo, artifact, caller):
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))
    response = login(request.getfixturevalue(caller)).get(
        url("artifact_file", sprint, file_id=stored.pk)
    )
    assert response.status_code == 404
    assert PDF not in response.content


@pytest.mark.django_db
def test_a_file_of_another_movement_is_missing(login, sprint, mo, artifact, otto, elsewhere):
    """otto asks for tidewater's file through his own movement's URL."""
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))
    path = reverse(
        "rituals:artifact_file",
        kwargs={"movement_slug": "elsewhere", "sprint_id": sprint.pk, "file_id": stored.pk},
    )
    assert login(otto).get(path).status_code == 404


@pytest.mark.django_db
def test_a_file_asked_for_under_another_sprint_is_missing(login, sprint, mo, artifact, fay):
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))
    other = reverse(
        "rituals:artifact_file",
        kwargs={"movement_slug": "tidewater", "sprint_id": sprint.pk + 1, "file_id": stored.pk},
    )
    assert login(fay).get(other).status_code == 404


@pytest.mark.django_db
def test_anonymous_callers_are_sent_to_log_in(client, sprint, mo, artifact):
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))
    response = client.get(url("artifact_file", sprint, file_id=stored.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_removing_a_file_deletes_it_once_committed(
    login, sprint, mo, artifact, media, django_capture_on_commit_callbacks
):
    stored = sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(mo).post(url("artifact_file_remove", sprint, file_id=stored.pk))
    assert messages_of(response) == ["zine.pdf is no longer attached."]
    assert not ArtifactFile.objects.exists()
    assert stored_files(media) == []


# --- the reflection ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reflection_waits_for_the_artifact(login, sprint, cora):
    response = login(cora).post(url("reflection_edit", sprint), {"text": "Tempo."})
    assert messages_of(response) == [
        "Publish the artifact first: the reflection looks back on what you made."
    ]
    with pytest.raises(ValidationError, match="Publish the artifact first"):
        sprints.write_reflection(by=cora, sprint=sprint, text="Tempo.")


@pytest.mark.django_db
def test_a_member_of_a_paired_circle_writes_the_reflection(login, sprint, cora, artifact):
    client = login(cora)
    page = client.get(url("reflection_edit", sprint))
    response = client.post(
        url("reflection_edit", sprint),
        {"text": "Jargon got in the way.", "submission": token_on(page.content.decode())},
    )
    assert response.status_code == 302
    artifact.refresh_from_db()
    assert (artifact.reflection, artifact.reflected_by) == ("Jargon got in the way.", cora)
    assert "Jargon got in the way." in client.get(sprint.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_an_empty_reflection_is_refused(sprint, cora, artifact):
    with pytest.raises(ValidationError):
        sprints.write_reflection(by=cora, sprint=sprint, text="   ")


# --- the sprint page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_paired_circles_see_the_forms_the_rest_reads(login, sprint, mo, alice, artifact):
    sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("zine.pdf", PDF))
    mine = login(mo).get(sprint.get_absolute_url()).content.decode()
    assert 'enctype="multipart/form-data"' in mine
    assert url("reflection_edit", sprint) in mine
    theirs = login(alice).get(sprint.get_absolute_url()).content.decode()
    assert "zine.pdf" in theirs
    assert 'enctype="multipart/form-data"' not in theirs
    assert url("reflection_edit", sprint) not in theirs


@pytest.mark.django_db
def test_the_sprint_page_costs_the_same_with_one_file_or_twelve(
    login, sprint, mo, artifact, django_assert_num_queries
):
    sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload("0.pdf", PDF))
    client = login(mo)
    with CaptureQueriesContext(connection) as one:
        client.get(sprint.get_absolute_url())
    for n in range(1, sprints.MAX_ARTIFACT_FILES):
        sprints.add_artifact_file(by=mo, sprint=sprint, upload=upload(f"{n}.pdf", PDF))
    with django_assert_num_queries(len(one)):
        body = client.get(sprint.get_absolute_url()).content.decode()
    assert "11.pdf" in body
