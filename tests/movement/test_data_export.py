"""Your data is yours (issue 16): a person asks for everything the app holds about them; a
background task (the real task code) builds a ZIP of JSON and CSV — their contributions,
the anonymous ones too, their pledges, bookings, answers, and the conflict cases they are a
party to with their own account decrypted — and a link that only they can use, for two
days; then the file is deleted."""

import io
import json
import os
import zipfile
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from commons import services as commons_services
from movement import personal_data
from movement.models import DataExport, Notification
from rituals.services import conflicts

EXPORT = reverse("data_export")


def _read(download):
    """The file's bytes. Read to the end, the test client closes the response (and the
    file) itself; ``download.close()`` here would also end the test's database connection
    (it sends request_finished)."""
    return b"".join(download.streaming_content)


def _zip_of(client, response):
    export = DataExport.objects.get()
    link = reverse("data_export_file", kwargs={"token": export.token})
    assert link in client.get(EXPORT).content.decode()
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    return export, zipfile.ZipFile(io.BytesIO(_read(download)))


def test_a_person_downloads_everything_held_about_them(
    login, mo, alice, fund, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    commons_services.contribute(by=mo, pool=fund, amount=Decimal("12"), anonymous=True)
    commons_services.contribute(by=alice, pool=fund, amount=Decimal("99"), note="Alice's own")
    case = conflicts.file_case(
        by=mo, others=[alice], about="strategy", description="The banner vote.", confirmed=True
    )
    client = login(mo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT)
    assert response.status_code == 302
    export, archive = _zip_of(client, response)
    names = set(archive.namelist())
    assert {"README.txt", "profile.json", "ledger_entries.csv", "conflict_cases.json"} <= names
    profile = json.loads(archive.read("profile.json"))
    assert profile[0]["email"] == mo.user.email
    entries = json.loads(archive.read("ledger_entries.json"))
    assert [(e["amount"], e["anonymous"]) for e in entries] == [("12.0000", True)]
    assert "Alice's own" not in archive.read("ledger_entries.csv").decode()
    cases = json.loads(archive.read("conflict_cases.json"))
    assert cases[0]["what_was_done_or_decided"] == "The banner vote." and cases[0]["filed_by_you"]
    assert case.pk  # sealed in the database, opened for the person it belongs to
    assert Notification.objects.filter(
        recipient=mo.user, kind="movement.data_export_ready"
    ).exists()
    assert export.expires_at - export.ready_at == timedelta(days=2)


def test_the_link_is_the_owner_s_alone_and_expires(
    login, client, mo, alice, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        login(mo).post(EXPORT)
    export = DataExport.objects.get()
    link = reverse("data_export_file", kwargs={"token": export.token})
    client.logout()
    assert login(alice).get(link).status_code == 404
    client.logout()
    download = login(mo).get(link)
    assert download.status_code == 200 and _read(download)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(1))
    assert login(mo).get(link).status_code == 404
    path = export.file.path
    assert personal_data.purge_expired_exports() == 1
    assert not DataExport.objects.exists()
    assert not os.path.exists(path)


def test_asking_again_while_it_is_gathered_gives_the_same_export(mo):
    first = personal_data.request_export(user=mo.user)
    assert personal_data.request_export(user=mo.user) == first
    assert DataExport.objects.count() == 1


def test_an_export_asked_while_the_broker_was_away_is_built_by_beat(mo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    personal_data.request_export(user=mo.user)  # its publish never ran: no commit here
    assert personal_data.build_waiting_exports() == 1
    assert DataExport.objects.get().ready_at is not None
    assert personal_data.build_waiting_exports() == 0


def test_csv_cells_never_run_as_formulas():
    assert personal_data._cell("=SUM(A1)") == "'=SUM(A1)"
    assert personal_data._cell("Bail") == "Bail"


def test_every_app_says_what_it_holds():
    names = [provider.__module__ for provider in personal_data._providers]
    assert names == [
        "movement.personal_data",
        "circles.personal_data",
        "commons.personal_data",
        "rituals.personal_data",
    ]
