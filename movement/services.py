"""Every write to the movement's ground floor goes through a function here."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as KombuOperationalError

from movement.models import AuditEvent, Invitation, Membership, Movement, Notification, Role
from movement.vocabulary import (
    AUDIT_VERBS,
    NOTIFICATION_KINDS,
    audit_verbs,
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


@notification_kinds
class NotificationKind(models.TextChoices):
    """What this app tells people about."""

    MEMBER_JOINED = "movement.member_joined", gettext_lazy("someone accepted my invitation")
    ROLE_CHANGED = "movement.role_changed", gettext_lazy("my role changed")
    REMOVED = "movement.removed", gettext_lazy("I was removed from a movement")


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


def language_of(user):
    return user.language or settings.LANGUAGE_CODE


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
    with translation.override(language_of(recipient)):
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
        language = language_of(user)
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
        with translation.override(language_of(user)):
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


def deliver_notification(notification_id):
    """E-mail one notification unless it has gone already. Safe to run twice at once."""
    with transaction.atomic():
        notification = (
            # Lock the notification only: with a join, FOR UPDATE would also lock the
            # recipient's user row, and SKIP LOCKED would skip mail for busy people.
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""
        try:
            send_mail(
                subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.subject}",
                message=f"{notification.body}{link}",
                from_email=None,
                recipient_list=[notification.recipient.email],
            )
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


def drain_outbox(*, budget=None):
    """Deliver every notification that is due, until none is or ``budget`` seconds
    (OUTBOX_DRAIN_BUDGET) are spent; returns how many went out. Each one is claimed on its
    own, so several workers drain side by side."""
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


# --- movements ----------------------------------------------------------------------


def _unique_slug(name):
    base = slugify(name)[: SLUG_MAX_LENGTH - 5].strip("-") or "movement"
    slug, n = base, 1
    while Movement.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_movement(*, by, name, horizon):
    """Start a movement; its creator becomes its first organizer."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                movement = Movement.objects.create(
                    name=name.strip(), slug=_unique_slug(name), horizon=horizon.strip()
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
