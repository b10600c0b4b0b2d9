"""Every write to the movement's ground floor goes through a function here."""

import logging
import time
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from kombu.exceptions import OperationalError as KombuOperationalError

from movement import permissions, zones
from movement.lenses import QUESTIONS, lens_of
from movement.models import (
    AuditEvent,
    Invitation,
    Lens,
    LensAssessment,
    Membership,
    Movement,
    Notification,
    NotificationPreference,
    Role,
    Tactic,
    User,
)
from movement.tactics import LIBRARY
from movement.vocabulary import (
    AUDIT_VERBS,
    NOTIFICATION_KINDS,
    audit_verbs,
    notification_kind_label,
    notification_kinds,
)


@audit_verbs
class Verb(models.TextChoices):
    """What this app writes on the audit trail."""

    MOVEMENT_CREATED = "movement.created", gettext_lazy("created the movement")
    MEMBER_JOINED = "member.joined", gettext_lazy("joined")
    MEMBER_LEFT = "member.left", gettext_lazy("left")
    MEMBER_REMOVED = "member.removed", gettext_lazy("removed a member")
    ROLE_CHANGED = "member.role_changed", gettext_lazy("changed a role")
    INVITATION_CREATED = "invitation.created", gettext_lazy("created an invitation")
    INVITATION_REVOKED = "invitation.revoked", gettext_lazy("revoked an invitation")
    TACTIC_SAVED = "tactic.saved", gettext_lazy("edited the tactics library")
    TACTIC_ARCHIVED = "tactic.archived", gettext_lazy("archived a tactic")
    TACTIC_RESTORED = "tactic.restored", gettext_lazy("restored a tactic")
    LANGUAGE_SET = "movement.language", gettext_lazy("set the movement's language")


@notification_kinds
class NotificationKind(models.TextChoices):
    """What this app tells people about."""

    MEMBER_JOINED = "movement.member_joined", gettext_lazy("someone accepted my invitation")
    ROLE_CHANGED = "movement.role_changed", gettext_lazy("my role changed")
    REMOVED = "movement.removed", gettext_lazy("I was removed from a movement")
    DATA_EXPORT_READY = "movement.data_export_ready", gettext_lazy("my data is ready to download")


logger = logging.getLogger(__name__)

MAX_INVITATION_DAYS = 90
SLUG_MAX_LENGTH = Movement._meta.get_field("slug").max_length


# --- audit and notifications ------------------------------------------------------


def record_event(*, movement, actor, verb, target="", **data):
    """Append one audit event; call it inside the service's transaction. ``verb`` is one
    an app declared with ``@audit_verbs``."""
    if verb not in AUDIT_VERBS:
        raise ValueError(f"{verb!r} is not a declared audit verb.")
    return AuditEvent.objects.create(
        movement=movement, actor=actor, verb=verb, target=str(target)[:200], data=data
    )


def language_of(user, movement=None):
    """The language a person reads: their own choice, else the movement's default (for a
    message about one movement), else the site's."""
    return user.language or (movement.language if movement else "") or settings.LANGUAGE_CODE


def _written(text, params):
    # Rendered while the reader's language is active: lazy texts and lazy params
    # (a role's label, say) are translated for the person who will read them.
    return str(text) % params if params else str(text)


def _check_kind(kind):
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"{kind!r} is not a declared notification kind.")


def notify(*, recipient, kind, subject, body, params=None, movement=None, url=""):
    """Queue a message for one person: a row now, the e-mail once the transaction commits.

    ``subject`` and ``body`` are lazy translations with ``%(name)s`` placeholders filled
    from ``params``; they are written in the recipient's language, not the actor's.
    If the broker is down the publish fails quietly (``robust=True``); the row stays
    unsent and the next ``drain_outbox`` sweep delivers it.
    """
    _check_kind(kind)
    with translation.override(language_of(recipient, movement)):
        notification = Notification.objects.create(
            movement=movement,
            recipient=recipient,
            kind=kind,
            subject=_written(subject, params)[:200],
            body=_written(body, params),
            url=url,
        )
    transaction.on_commit(lambda: _enqueue_delivery(notification.pk), robust=True)
    return notification


def notify_many(*, recipients, kind, subject, body, params=None, movement=None, url=""):
    """The same message for many people: one INSERT, and one drain of the outbox after the
    commit instead of one publish per person. Each reads it in their own language (written
    once per language)."""
    _check_kind(kind)
    written = {}

    def write(user):
        language = language_of(user, movement)
        if language not in written:
            with translation.override(language):
                written[language] = (_written(subject, params)[:200], _written(body, params))
        return written[language]

    _insert_and_drain(((user, *write(user)) for user in recipients), kind, movement, url)


def notify_each(*, deliveries, kind, subject, body, movement=None, url=""):
    """One message per ``(recipient, params)`` pair (a reminder naming each person's own
    circle, say): still one INSERT and one drain of the outbox, each in its reader's
    language."""
    _check_kind(kind)

    def write(user, params):
        with translation.override(language_of(user, movement)):
            return _written(subject, params)[:200], _written(body, params)

    _insert_and_drain(
        ((user, *write(user, params)) for user, params in deliveries), kind, movement, url
    )


def _insert_and_drain(messages, kind, movement, url):
    Notification.objects.bulk_create(
        Notification(
            movement=movement, recipient=user, kind=kind, subject=subject, body=body, url=url
        )
        for user, subject, body in messages
    )
    transaction.on_commit(_enqueue_drain, robust=True)


def _enqueue_drain():
    from movement.tasks import drain_outbox

    _publish(drain_outbox.delay)


# After a failed publish the broker is left alone for a while: the outbox keeps every
# message for beat's drain, and no request waits another second on a broker that is away.
BROKER_QUIET_SECONDS = 30
_broker_quiet_until = 0.0


def publish_after_commit(send, *args):
    """``send(*args)`` (a task's ``delay``) once the transaction commits; with the broker
    away it is skipped, and whatever the task would do must be caught up by a beat sweep."""
    transaction.on_commit(lambda: _publish(send, *args), robust=True)


def _publish(send, *args):
    global _broker_quiet_until
    if time.monotonic() < _broker_quiet_until:
        return
    try:
        send(*args)
    except KombuOperationalError as error:
        _broker_quiet_until = time.monotonic() + BROKER_QUIET_SECONDS
        logger.warning(
            "Broker unreachable (%s); the outbox keeps messages for the drain",
            error,
            exc_info=True,
        )


def mark_read(*, user, notification_ids):
    """Mark the person's own notifications read (others' ids are ignored)."""
    return Notification.objects.filter(
        recipient=user, pk__in=notification_ids, read_at__isnull=True
    ).update(read_at=timezone.now())


def _enqueue_delivery(notification_id):
    from movement.tasks import deliver_notification

    _publish(deliver_notification.delay, notification_id)


def _retry_delay(attempts):
    return timedelta(minutes=min(2**attempts, 60))


# --- how each person wants each kind delivered ----------------------------------------
#
# Every notification shows in the app the moment it is written. The e-mail follows the
# reader's preference for its kind (``NotificationPreference``; none means at once):
#
# - at once: ``deliver_notification`` e-mails it, and sets ``sent_at``;
# - daily digest: it keeps ``sent_at`` empty (an e-mail is still owed) and its next
#   attempt moves past the reader's next digest, which rituals books on the durable
#   timers. The digest e-mails it and sets ``sent_at``; a drain that meets it again (the
#   digest failed, or its timer was lost) books the digest again and waits once more, so
#   it is never e-mailed alone and never retried more than once a day;
# - in-app only: no e-mail is owed, so ``sent_at`` is set at once, without sending.
#
# So ``sent_at`` is when the outbox was done with a row, which is what the drain and
# the partial index of unsent rows need; ``attempts`` counts e-mails tried, and stays 0
# on a row read in the app only.

Delivery = NotificationPreference.Delivery

# A digest takes what waited for it when it runs; the outbox looks again this long after.
DIGEST_GRACE = timedelta(hours=1)
_digest_booker = None


def books_digests(book):
    """Decorator for ``book(user) -> datetime``: books the person's next daily digest if
    none is booked and says when it goes out. Rituals registers it: the durable timers live
    there, and this floor never imports the floors above it."""
    global _digest_booker
    _digest_booker = book
    return book


def delivery_of(user, kind):
    """How ``user`` wants notifications of ``kind`` delivered."""
    chosen = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )
    return chosen or Delivery.AT_ONCE


def deliveries_of(user):
    """``{kind: delivery}`` for every declared kind."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, Delivery.AT_ONCE) for kind in NOTIFICATION_KINDS}


def _check_language(language, field="language"):
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({field: _("Choose one of the languages offered.")})
    return language


def update_person(*, user, display_name, time_zone="", language=""):
    """A person changes the name others see, the zone their times are shown in and the
    language they read."""
    display_name = display_name.strip()
    if not display_name:
        raise ValidationError({"display_name": _("Say what others should call you.")})
    user.display_name = display_name
    user.time_zone = time_zone
    user.language = _check_language(language)
    user.save(update_fields=["display_name", "time_zone", "language"])
    return user


def set_notification_deliveries(*, user, deliveries):
    """Save how ``user`` wants each kind delivered (``{kind: delivery}``); returns the kinds
    that changed. What already waits follows the new choice: switched to in-app only, it
    will not be e-mailed; switched to at once, what waited for the digest goes now."""
    for kind, delivery in deliveries.items():
        _check_kind(kind)
        if delivery not in Delivery.values:
            raise ValidationError(_("Pick one of the ways to be told."))
    now = timezone.now()
    changed = []
    with transaction.atomic():
        current = dict(
            NotificationPreference.objects.filter(user=user).values_list("kind", "delivery")
        )
        for kind, delivery in deliveries.items():
            if current.get(kind, Delivery.AT_ONCE) == delivery:
                continue
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"delivery": delivery, "updated_at": now}
            )
            waiting = Notification.objects.filter(recipient=user, kind=kind, sent_at__isnull=True)
            if delivery == Delivery.IN_APP_ONLY:
                waiting.update(sent_at=now)
            elif delivery == Delivery.AT_ONCE:
                # Only rows held for a digest: a failed send keeps its own back-off.
                waiting.filter(attempts=0, next_attempt_at__gt=now).update(next_attempt_at=now)
            changed.append(kind)
        if changed:
            transaction.on_commit(_enqueue_drain, robust=True)
    return changed


def zone_of(user):
    """The zone a person's e-mails and digest follow: their own if the account has one,
    else their first movement's, else UTC."""
    if user.zone:
        return user.zone
    first = (
        Membership.objects.filter(user=user)
        .order_by("joined_at", "pk")
        .values_list("movement__time_zone", flat=True)
        .first()
    )
    if first:
        try:
            return ZoneInfo(first)
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("Unknown time zone %r for user %s", first, user.pk)
    return ZoneInfo("UTC")


# --- e-mails ----------------------------------------------------------------------------

UNSUBSCRIBE_SALT = "movement.notifications.unsubscribe"
UNSUBSCRIBE_LINK_DAYS = 60


def _unsubscribe_signer():
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(*, user, kinds):
    """A signed token that lets whoever holds it switch ``kinds`` to in-app only for
    ``user``, without logging in, for UNSUBSCRIBE_LINK_DAYS days."""
    return _unsubscribe_signer().sign_object({"user": user.pk, "kinds": sorted(kinds)})


class BadUnsubscribeLink(Exception):
    """An unsubscribe link that cannot be honoured; its text says why, for the reader."""


def read_unsubscribe_token(token):
    """The person and the kinds an unsubscribe link names. Raises ``BadUnsubscribeLink``
    when it is expired, damaged, or names what no longer exists."""
    try:
        data = _unsubscribe_signer().unsign_object(
            token, max_age=timedelta(days=UNSUBSCRIBE_LINK_DAYS)
        )
    except signing.SignatureExpired:
        raise BadUnsubscribeLink(
            _(
                "This link is more than %(days)d days old and no longer works. "
                "Log in to change your notification settings."
            )
            % {"days": UNSUBSCRIBE_LINK_DAYS}
        ) from None
    except (signing.BadSignature, ValueError, UnicodeError):
        data = None
    user_id = data.get("user") if isinstance(data, dict) else None
    kinds = data.get("kinds") if isinstance(data, dict) else None
    if (
        not isinstance(user_id, int)
        or not isinstance(kinds, list)
        or not kinds
        or not all(isinstance(kind, str) for kind in kinds)
    ):
        raise BadUnsubscribeLink(
            _(
                "This link was damaged or changed on the way. Copy the whole link from the "
                "e-mail, or log in to change your notification settings."
            )
        )
    if not all(kind in NOTIFICATION_KINDS for kind in kinds):
        raise BadUnsubscribeLink(
            _(
                "This link is about a kind of message Constellation no longer sends. "
                "Log in to see the kinds it sends now."
            )
        )
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise BadUnsubscribeLink(_("The account this link was for no longer exists."))
    return user, kinds


def unsubscribe(*, user, kinds):
    """One click in an e-mail: these kinds are no longer e-mailed, only shown here."""
    return set_notification_deliveries(
        user=user, deliveries=dict.fromkeys(kinds, Delivery.IN_APP_ONLY)
    )


def _site_link(path):
    return f"{settings.SITE_URL}{path}"


def _site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _one_line(text):
    return " ".join(str(text).split())


def _email(*, recipient, subject, template, context, kinds, movement=None):
    """One e-mail in its reader's language and time zone: a plain-text and an HTML part
    from the template pair ``email/<template>.txt|.html``, a link to the notification
    settings, and the headers mail programs use to thread it, to hold back their
    auto-replies, and to offer a one-click unsubscribe (RFC 8058) from ``kinds``."""
    unsubscribe_url = ""
    if kinds:
        token = unsubscribe_token(user=recipient, kinds=kinds)
        unsubscribe_url = _site_link(reverse("notification_unsubscribe", kwargs={"token": token}))
    context = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "settings_url": _site_link(reverse("notification_settings")),
        "unsubscribe_url": unsubscribe_url,
    }
    with (
        translation.override(language_of(recipient, movement)),
        timezone.override(zone_of(recipient)),
    ):
        context["kind_labels"] = [str(notification_kind_label(kind)) for kind in kinds]
        subject = _one_line(subject)
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    headers = {
        "Message-ID": make_msgid(domain=_site_domain()),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        to=[recipient.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_email(notification):
    """The e-mail that tells one notification on its own."""
    kinds = [notification.kind] if notification.kind in NOTIFICATION_KINDS else []
    return _email(
        recipient=notification.recipient,
        subject=notification.subject,
        template="notification",
        context={
            "notification": notification,
            "link": _site_link(notification.url) if notification.url else "",
        },
        kinds=kinds,
        movement=notification.movement,
    )


def digest_email(recipient, notifications):
    """The e-mail that tells the day's notifications at once, oldest first."""
    with translation.override(language_of(recipient)):
        subject = ngettext(
            "Your daily digest: %(count)d new notification",
            "Your daily digest: %(count)d new notifications",
            len(notifications),
        ) % {"count": len(notifications)}
    items = [
        {
            "notification": notification,
            "link": _site_link(notification.url) if notification.url else "",
        }
        for notification in notifications
    ]
    kinds = sorted({n.kind for n in notifications if n.kind in NOTIFICATION_KINDS})
    return _email(
        recipient=recipient,
        subject=subject,
        template="digest",
        context={"items": items, "notifications_url": _site_link(reverse("notifications"))},
        kinds=kinds,
    )


# --- the outbox ------------------------------------------------------------------------


def deliver_notification(notification_id):
    """E-mail one notification the way its reader asked (see above), unless that has been
    done already; True when an e-mail went out. Safe to run twice at once."""
    with transaction.atomic():
        notification = (
            # Lock the notification only: with a join, FOR UPDATE would also lock the
            # recipient's user row, and SKIP LOCKED would skip mail for busy people.
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "movement")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        delivery = delivery_of(notification.recipient, notification.kind)
        if delivery == Delivery.IN_APP_ONLY:
            notification.sent_at = timezone.now()
            notification.save(update_fields=["sent_at"])
            return False
        if delivery == Delivery.DAILY_DIGEST:
            notification.next_attempt_at = _wait_for_digest(notification.recipient)
            notification.save(update_fields=["next_attempt_at"])
            return False
        try:
            notification_email(notification).send()
        except Exception as error:  # an SMTP failure must not lose the message
            logger.warning("Notification %s not sent: %s", notification_id, error)
            notification.attempts += 1
            notification.last_error = str(error)[:2000]
            notification.next_attempt_at = timezone.now() + _retry_delay(notification.attempts)
            notification.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return False
        notification.sent_at = timezone.now()
        notification.attempts += 1
        notification.save(update_fields=["sent_at", "attempts"])
        return True


def _wait_for_digest(user):
    """When the outbox should look at a row held for ``user``'s digest again: after the
    digest, which is booked now if it is not yet."""
    if _digest_booker is None:  # no floor above books digests (a trimmed-down setup)
        logger.warning("No daily digest is booked for user %s: nothing registered to", user.pk)
        return timezone.now() + timedelta(days=1)
    return _digest_booker(user) + DIGEST_GRACE


def drain_outbox(*, budget=None):
    """Deliver every notification that is due, until none is or ``budget`` seconds
    (OUTBOX_DRAIN_BUDGET) are spent; returns how many e-mails went out. Each one is claimed
    on its own, so several workers drain side by side. A row held for a digest is not due
    until after the digest, and a row read in the app only is done at its first turn."""
    budget = settings.OUTBOX_DRAIN_BUDGET if budget is None else budget
    deadline = time.monotonic() + budget
    sent, after = 0, 0
    while True:
        # Onward by id: a row another worker holds (skipped) is not asked for again.
        batch = list(
            Notification.objects.filter(
                sent_at__isnull=True, next_attempt_at__lte=timezone.now(), pk__gt=after
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:500]
        )
        for pk in batch:
            after = pk
            sent += deliver_notification(pk)
            if time.monotonic() >= deadline:
                return sent
        if len(batch) < 500:
            return sent


def waiting_for_digest(user):
    """The person's notifications that their next digest holds: not e-mailed yet, of a
    kind they chose to read in the digest."""
    kinds = NotificationPreference.objects.filter(user=user, delivery=Delivery.DAILY_DIGEST).values(
        "kind"
    )
    return Notification.objects.filter(recipient=user, sent_at__isnull=True, kind__in=kinds)


def send_digest(*, recipient, written_until):
    """E-mail ``recipient`` one digest of what waited for it, written up to
    ``written_until`` (the digest's own time, so a digest that runs twice, or late, holds
    nothing twice); returns how many notifications it held, and sends nothing when none is
    new. The rows are locked, and marked sent in the same transaction as the e-mail goes."""
    with transaction.atomic():
        notifications = list(
            waiting_for_digest(recipient)
            .filter(created_at__lte=written_until)
            .select_for_update(of=("self",))
            .select_related("movement")
            .order_by("created_at", "pk")
        )
        if not notifications:
            return 0
        digest_email(recipient, notifications).send()
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            sent_at=timezone.now(), attempts=models.F("attempts") + 1
        )
    return len(notifications)


# --- movements ----------------------------------------------------------------------


def _unique_slug(name):
    base = slugify(name)[: SLUG_MAX_LENGTH - 5].strip("-") or "movement"
    slug, n = base, 1
    while Movement.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_movement(*, by, name, horizon, time_zone="UTC"):
    """Start a movement; its creator becomes its first organizer. Its gatherings and every
    time on its pages are in ``time_zone``."""
    try:
        time_zone = zones.check(time_zone or "UTC")
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                movement = Movement.objects.create(
                    name=name.strip(),
                    slug=_unique_slug(name),
                    horizon=horizon.strip(),
                    time_zone=time_zone,
                )
                Membership.objects.create(movement=movement, user=by, role=Role.ORGANIZER)
                record_event(
                    movement=movement,
                    actor=by,
                    verb=Verb.MOVEMENT_CREATED,
                    target=movement.name,
                )
                return movement
        except IntegrityError:
            continue  # two movements took the same slug at once: pick another
    raise ValidationError(_("Could not pick a short name for this movement; try another name."))


# --- invitations --------------------------------------------------------------------


def create_invitation(*, by, role, expires_at, single_use, note=""):
    """An invitation link into ``by``'s movement."""
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": _("Pick a moment in the future.")})
    # The form offers whole days: the last one ends a little after MAX_INVITATION_DAYS.
    if expires_at > now + timedelta(days=MAX_INVITATION_DAYS + 1):
        raise ValidationError(
            {
                "expires_at": _("An invitation can last %(days)d days at most.")
                % {"days": MAX_INVITATION_DAYS}
            }
        )
    if role not in Role.values:
        raise ValidationError({"role": _("Pick one of the roles.")})
    with transaction.atomic():
        invitation = Invitation.objects.create(
            movement=by.movement,
            role=role,
            expires_at=expires_at,
            single_use=single_use,
            note=note.strip(),
            created_by=by.user,
        )
        record_event(
            movement=by.movement,
            actor=by.user,
            verb=Verb.INVITATION_CREATED,
            target=invitation.get_role_display(),
            invitation=invitation.pk,
        )
    return invitation


def revoke_invitation(*, by, invitation):
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            record_event(
                movement=invitation.movement,
                actor=by.user,
                verb=Verb.INVITATION_REVOKED,
                invitation=invitation.pk,
            )
    return invitation


def accept_invitation(*, user, token):
    """Join the invitation's movement; returns the membership.

    Someone who is already a member keeps their role and does not use up the link.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("movement")
            .filter(token=token)
            .first()
        )
        if invitation is None or not invitation.is_usable:
            raise ValidationError(_("This invitation has expired, been used or been revoked."))
        existing = Membership.objects.filter(movement=invitation.movement, user=user).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    movement=invitation.movement, user=user, role=invitation.role
                )
        except IntegrityError:  # the same person accepted another link at the same moment
            return Membership.objects.get(movement=invitation.movement, user=user)
        invitation.use_count += 1
        invitation.save(update_fields=["use_count"])
        record_event(
            movement=invitation.movement,
            actor=user,
            verb=Verb.MEMBER_JOINED,
            target=user,
            role=invitation.role,
            invitation=invitation.pk,
        )
        if invitation.created_by_id and invitation.created_by_id != user.pk:
            notify(
                recipient=invitation.created_by,
                kind=NotificationKind.MEMBER_JOINED,
                movement=invitation.movement,
                subject=gettext_lazy("%(name)s joined %(movement)s"),
                body=gettext_lazy("%(name)s accepted your invitation and joined as %(role)s."),
                params={
                    "name": user,
                    "movement": invitation.movement,
                    "role": Role(invitation.role).label,
                },
                url=invitation.movement.get_absolute_url(),
            )
    return membership


# --- membership and roles -------------------------------------------------------------


def _lock_movement(movement):
    # Serializes every change that could leave a movement without an organizer. NO KEY:
    # rows that merely point at the movement (ledger entries, audit events) can still be
    # written meanwhile.
    return Movement.objects.select_for_update(no_key=True).get(pk=movement.pk)


def _other_organizers(membership):
    return (
        Membership.objects.filter(movement_id=membership.movement_id, role=Role.ORGANIZER)
        .exclude(pk=membership.pk)
        .exists()
    )


def change_role(*, by, membership, role):
    """Give a member another role; the last organizer cannot step down."""
    if role not in Role.values:
        raise ValidationError({"role": _("Pick one of the roles.")})
    with transaction.atomic():
        _lock_movement(membership.movement)
        membership = Membership.objects.select_related("user", "movement").get(pk=membership.pk)
        if membership.role == role:
            return membership
        if membership.role == Role.ORGANIZER and not _other_organizers(membership):
            raise ValidationError(
                _("A movement always keeps at least one organizer: name another one first.")
            )
        previous, membership.role = membership.role, role
        membership.save(update_fields=["role"])
        record_event(
            movement=membership.movement,
            actor=by.user,
            verb=Verb.ROLE_CHANGED,
            target=membership.user,
            previous=previous,
            role=role,
        )
        notify(
            recipient=membership.user,
            kind=NotificationKind.ROLE_CHANGED,
            movement=membership.movement,
            subject=gettext_lazy("Your role in %(movement)s"),
            body=gettext_lazy("Your role in %(movement)s is now: %(role)s."),
            params={"role": Role(membership.role).label, "movement": membership.movement},
            url=membership.movement.get_absolute_url(),
        )
    return membership


def _end_membership(membership):
    if membership.role == Role.ORGANIZER and not _other_organizers(membership):
        raise ValidationError(
            _("A movement always keeps at least one organizer: name another one first.")
        )
    membership.delete()


def remove_member(*, by, membership):
    """An organizer removes someone from the movement (and from its circles)."""
    with transaction.atomic():
        movement = _lock_movement(membership.movement)
        membership = Membership.objects.select_related("user").get(pk=membership.pk)
        _end_membership(membership)
        record_event(
            movement=movement,
            actor=by.user,
            verb=Verb.MEMBER_REMOVED,
            target=membership.user,
        )
        notify(
            recipient=membership.user,
            kind=NotificationKind.REMOVED,
            movement=None,
            subject=gettext_lazy("You are no longer in %(movement)s"),
            body=gettext_lazy("An organizer removed you from %(movement)s."),
            params={"movement": movement},
        )


def leave_movement(*, membership):
    """A member leaves; the last organizer must hand over first."""
    with transaction.atomic():
        movement = _lock_movement(membership.movement)
        membership = Membership.objects.select_related("user").get(pk=membership.pk)
        _end_membership(membership)
        record_event(
            movement=movement,
            actor=membership.user,
            verb=Verb.MEMBER_LEFT,
            target=membership.user,
        )


# --- the tactics library ---------------------------------------------------------------


def ensure_tactics(movement):
    """The movement's own copy of the shipped library (``movement.tactics``), made the
    first time it is needed: one query when it exists. A library tactic the movement
    archived stays archived; one the app ships later is copied in. Names are written in
    the language active when the copy is made: from then on they are the movement's."""
    have = set(
        Tactic.objects.filter(movement=movement)
        .exclude(library_key="")
        .values_list("library_key", flat=True)
    )
    missing = [entry for entry in LIBRARY if entry.key not in have]
    if not missing:
        return
    taken = set(Tactic.objects.filter(movement=movement).values_list("name_key", flat=True))
    rows = []
    for entry in missing:
        name = str(entry.name)
        if Tactic.key_for(name) in taken:
            continue  # the movement already has a tactic of that name: theirs wins
        rows.append(
            Tactic(
                movement=movement,
                library_key=entry.key,
                name=name,
                name_key=Tactic.key_for(name),
                lens=entry.lens,
                aim=entry.aim,
                description=str(entry.description),
                examples=str(entry.examples),
                also_called=str(entry.also_called),
            )
        )
    Tactic.objects.bulk_create(rows, ignore_conflicts=True)


TACTIC_FIELDS = ("name", "lens", "aim", "description", "examples", "also_called")


def save_tactic(*, by, tactic=None, **values):
    """An organizer edits a tactic of the library, or adds one (``tactic=None``)."""
    if not permissions.can_edit_tactics(by):
        raise PermissionDenied(_("Only organizers edit the tactics library."))
    values = {
        name: values[name].strip() if isinstance(values[name], str) else values[name]
        for name in TACTIC_FIELDS
    }
    key = Tactic.key_for(values["name"])
    clash = Tactic.objects.filter(movement=by.movement_id, name_key=key)
    if tactic is not None:
        clash = clash.exclude(pk=tactic.pk)
    if clash.exists():
        raise ValidationError({"name": _("The library already has a tactic of that name.")})
    with transaction.atomic():
        if tactic is None:
            tactic = Tactic(movement_id=by.movement_id)
        for name, value in values.items():
            setattr(tactic, name, value)
        tactic.name_key = key
        tactic.save()
        record_event(
            movement=by.movement, actor=by.user, verb=Verb.TACTIC_SAVED, target=tactic.name
        )
    return tactic


def archive_tactic(*, by, tactic, archived=True):
    """Archive a tactic (it leaves the lists; what was tagged with it keeps the tag), or
    restore it."""
    if not permissions.can_edit_tactics(by):
        raise PermissionDenied(_("Only organizers edit the tactics library."))
    with transaction.atomic():
        tactic.archived_at = timezone.now() if archived else None
        tactic.save(update_fields=["archived_at"])
        record_event(
            movement=by.movement,
            actor=by.user,
            verb=Verb.TACTIC_ARCHIVED if archived else Verb.TACTIC_RESTORED,
            target=tactic.name,
        )
    return tactic


# --- the lens self-assessment ----------------------------------------------------------


def save_lens_assessment(*, by, answers):
    """The member's own answers (``{question key: lens}``), every question answered."""
    errors = {}
    for question in QUESTIONS:
        if answers.get(question.key) not in Lens.values:
            errors[question.key] = _("Choose the sentence closest to what you believe.")
    if errors:
        raise ValidationError(errors)
    answers = {question.key: answers[question.key] for question in QUESTIONS}
    assessment, _created = LensAssessment.objects.update_or_create(
        membership=by,
        defaults={"answers": answers, "lens": lens_of(answers), "updated_at": timezone.now()},
    )
    return assessment


def forget_lens_assessment(*, by):
    LensAssessment.objects.filter(membership=by).delete()


def set_blind_spot_threshold(*, by, percent):
    if not permissions.can_set_movement_settings(by):
        raise PermissionDenied(_("Only organizers set the blind-spot threshold."))
    if not 0 <= percent <= 50:
        raise ValidationError({"percent": _("Choose a share from 0 to 50 percent.")})
    Movement.objects.filter(pk=by.movement_id).update(blind_spot_below=percent)


def set_movement_language(*, by, language):
    """An organizer sets the language members read unless they chose their own ("" for
    none: each member's browser decides)."""
    if not permissions.can_set_movement_settings(by):
        raise PermissionDenied(_("Only organizers set the movement's language."))
    language = _check_language(language)
    with transaction.atomic():  # the change and its audit line, together
        Movement.objects.filter(pk=by.movement_id).update(language=language)
        record_event(movement=by.movement, actor=by.user, verb=Verb.LANGUAGE_SET, language=language)


def set_spark_quorum(*, by, people):
    if not permissions.can_set_movement_settings(by):
        raise PermissionDenied(_("Only organizers set how many people a spark needs."))
    if not 1 <= people <= 50:
        raise ValidationError({"people": _("Choose from 1 to 50 people.")})
    Movement.objects.filter(pk=by.movement_id).update(spark_quorum=people)
