"""Your data is yours: everything the app holds about a person, in one ZIP of JSON and CSV.

Each app says what it holds about a person through one function it registers here with
``@holds_personal_data``: given the user, it returns ``{name: rows}``, each row a dict of
plain values (the app decrypts what it sealed, for its owner). This floor never imports
the floors above; it only calls what they registered, so nothing an app adds is forgotten
by the export as long as the app registers it. A background task builds the ZIP; the
link to it works for EXPORT_KEPT_FOR, then the file is deleted.
"""

import csv
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from movement.models import DataExport

EXPORT_KEPT_FOR = timedelta(days=2)
# Asking again within this long gives the export already on its way.
ASK_AGAIN_AFTER = timedelta(minutes=10)

_providers = []
_forgetters = []
_removers = []


def forgets_personal_data(function):
    """Register ``function(user)``: what an app deletes of a person whose account is
    deleted (their calendar link, say); returns it unchanged."""
    if function not in _forgetters:
        _forgetters.append(function)
    return function


def removes_written_texts(function):
    """Register ``function(user, removed)``: replace with ``removed`` the texts a person
    wrote in shared places (reports, logs, requests, notes), for someone deleting their
    account who asks for that too; returns it unchanged."""
    if function not in _removers:
        _removers.append(function)
    return function


def holds_personal_data(function):
    """Register ``function(user) -> {name: [row, …]}``; returns it unchanged."""
    if function not in _providers:
        _providers.append(function)
    return function


def personal_data_of(user):
    """``{name: rows}`` from every app, names in the order the apps registered them."""
    found = {}
    for provider in _providers:
        for name, rows in provider(user).items():
            if name in found:
                raise ValueError(f"Two apps export {name!r}.")
            found[name] = [dict(row) for row in rows]
    return found


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _csv(rows):
    columns = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in _plain(row).items()})
    return out.getvalue()


def _cell(value):
    """A spreadsheet never runs what a person typed: formulas are quoted."""
    text = (
        json.dumps(value) if isinstance(value, list | dict) else "" if value is None else str(value)
    )
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def build_zip(user):
    """The ZIP's bytes: README.txt, then ``<name>.json`` and ``<name>.csv`` for each."""
    data = personal_data_of(user)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            "Everything Constellation holds about you, as of "
            f"{timezone.now().isoformat(timespec='seconds')}.\n"
            "Each part comes as JSON and as CSV (the same rows).\n"
            + "".join(f"- {name}: {len(rows)}\n" for name, rows in data.items()),
        )
        for name, rows in data.items():
            archive.writestr(f"{name}.json", json.dumps(_plain(rows), indent=2, ensure_ascii=False))
            archive.writestr(f"{name}.csv", _csv(rows))
    return out.getvalue()


def request_export(*, user, now=None):
    """Ask for the person's data: the export on its way (asked a moment ago), or a new
    one, built after the commit by the worker (beat catches up if the broker was away)."""
    from movement.services import publish_after_commit
    from movement.tasks import build_data_export

    now = now or timezone.now()
    recent = DataExport.objects.filter(
        user=user, ready_at__isnull=True, requested_at__gte=now - ASK_AGAIN_AFTER
    ).first()
    if recent is not None:
        return recent
    export = DataExport.objects.create(
        user=user, requested_at=now, expires_at=now + EXPORT_KEPT_FOR
    )
    publish_after_commit(build_data_export.delay, export.pk)
    return export


def build_export(export_id):
    """The worker's part: write the ZIP and tell the person it is ready. Once, however
    often it runs."""
    from movement.services import NotificationKind, notify

    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=export_id, ready_at__isnull=True)
            .first()
        )
        if export is None:
            return False
        export.file.save(f"{export.token}.zip", ContentFile(build_zip(export.user)), save=False)
        export.ready_at = timezone.now()
        export.expires_at = export.ready_at + EXPORT_KEPT_FOR
        export.save(update_fields=["file", "ready_at", "expires_at"])
        notify(
            recipient=export.user,
            kind=NotificationKind.DATA_EXPORT_READY,
            subject=gettext_lazy("Your data is ready to download"),
            body=gettext_lazy(
                "Everything Constellation holds about you is in one file. The link works "
                "for two days; after that the file is deleted."
            ),
            url=reverse("data_export"),
        )
    return True


def build_waiting_exports(*, limit=20):
    """Beat's catch-up: exports asked for while the broker was away."""
    waiting = DataExport.objects.filter(ready_at__isnull=True).order_by("requested_at")
    return sum(build_export(pk) for pk in waiting.values_list("pk", flat=True)[:limit])


def purge_expired_exports(*, now=None):
    """Delete the files and rows of exports whose link has expired."""
    now = now or timezone.now()
    expired = list(DataExport.objects.filter(expires_at__lt=now))
    for export in expired:
        if export.file:
            export.file.delete(save=False)
        export.delete()
    return len(expired)


# --- what this floor holds ---------------------------------------------------------------------


@holds_personal_data
def movement_data(user):
    from movement.models import (
        AuditEvent,
        LensAssessment,
        Membership,
        Notification,
        NotificationPreference,
    )

    return {
        "profile": [
            {
                "email": user.email,
                "display_name": user.display_name,
                "language": user.language,
                "time_zone": user.time_zone,
                "joined": user.date_joined,
                "last_login": user.last_login,
            }
        ],
        "memberships": Membership.objects.filter(user=user)
        .order_by("joined_at")
        .values("movement__name", "role", "joined_at"),
        "self_assessments": LensAssessment.objects.filter(membership__user=user).values(
            "membership__movement__name", "answers", "lens", "updated_at"
        ),
        "notifications": Notification.objects.filter(recipient=user)
        .order_by("created_at")
        .values("movement__name", "kind", "subject", "body", "url", "created_at", "read_at"),
        "notification_preferences": NotificationPreference.objects.filter(user=user).values(
            "kind", "delivery"
        ),
        "what_you_did": AuditEvent.objects.filter(actor=user)
        .order_by("created_at")
        .values("movement__name", "verb", "target", "created_at"),
    }


# --- deleting an account ------------------------------------------------------------------------

FORMER_MEMBER = gettext_lazy("former member")
REMOVED = gettext_lazy("(Removed at the writer's request.)")


def delete_account(*, user, remove_texts=False):
    """The person leaves every movement (the last organizer of one must hand over first:
    nothing is deleted then) and the account is emptied of everything that names them:
    e-mail addresses, name, password, sessions, notifications and their preferences,
    exports, second factors, and their name in the audit trail's text. What they gave
    stays, shown as a former member's; what they wrote in shared places stays too, unless
    they ask (``remove_texts``): then each app replaces it with a line saying so."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from movement.models import (
        AuditEvent,
        Membership,
        Notification,
        NotificationPreference,
        Session,
    )
    from movement.services import leave_movement

    with transaction.atomic():
        names = {name for name in (user.display_name, user.email, str(user)) if name}
        if remove_texts:  # before leaving: what they wrote is found through memberships
            for remove in _removers:
                remove(user, str(REMOVED))
        for membership in Membership.objects.filter(user=user).select_related("movement"):
            leave_movement(membership=membership)
        for forget in _forgetters:
            forget(user)
        AuditEvent.objects.filter(target__in=names).update(target=str(FORMER_MEMBER))
        Notification.objects.filter(recipient=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        for export in DataExport.objects.filter(user=user):
            if export.file:
                export.file.delete(save=False)
            export.delete()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        Session.objects.filter(user=user).delete()
        user.email = f"former-member-{user.pk}@invalid"
        user.display_name = str(FORMER_MEMBER)
        user.language = user.time_zone = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    return user
