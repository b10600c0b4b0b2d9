"""The daily digest: one e-mail each morning, in the person's own zone, with every
notification they chose to read that way.

A person with something waiting for their digest has one digest timer, booked by the
outbox (``movement.services.books_digests``) the first time a notification is held for it,
at the next 08:00 where they live. The timer's handler sends the digest inside the sweep's
transaction, so the e-mail's rows are marked sent and the timer fired together: it goes
out once, even with two sweepers. It takes only what was written up to its own time, so a
second timer for the same person (two first notifications booked at once) finds nothing
left to send; and it books the next morning only when something new already waits.
"""

from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone

from movement import services
from movement.models import User
from rituals.models import Timer
from rituals.timers import handler, schedule_timer

DIGEST = "notifications.digest"
DIGEST_TIME = time(8)
# However late a digest went out, the next one waits at least this long.
DIGEST_MIN_GAP = timedelta(hours=12)


def next_morning(zone, after):
    """The first DIGEST_TIME in ``zone`` strictly after ``after``."""
    local = after.astimezone(zone)
    morning = datetime.combine(local.date(), DIGEST_TIME, tzinfo=zone)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), DIGEST_TIME, tzinfo=zone)
    return morning


def _digest_timers(user):
    return Timer.objects.filter(
        kind=DIGEST, target_type=ContentType.objects.get_for_model(User), target_id=user.pk
    )


@services.books_digests
def book_digest(user, *, after=None):
    """The person's next digest: the one already booked, or a new timer at the next
    morning in their zone, at least DIGEST_MIN_GAP after the last digest. ``after`` is the
    digest timer firing now, when its handler books the next one. Returns when it goes
    out."""
    timers = _digest_timers(user)
    pending = timers.filter(fired_at__isnull=True, cancelled_at__isnull=True)
    if after is not None:
        pending = pending.exclude(pk=after.pk)
    booked = pending.order_by("due_at").values_list("due_at", flat=True).first()
    if booked is not None:
        return booked
    now = timezone.now()
    last = now if after is not None else timers.aggregate(last=Max("fired_at"))["last"]
    not_before = max(now, last + DIGEST_MIN_GAP) if last else now
    due_at = next_morning(services.zone_of(user), not_before)
    schedule_timer(kind=DIGEST, due_at=due_at, target=user)
    return due_at


@handler(DIGEST)
def send_daily_digest(timer):
    """Send the person's digest of what was written up to the timer's time; book the next
    morning's if more already waits."""
    user = User.objects.filter(pk=timer.target_id).first()
    if user is None:
        return
    services.send_digest(recipient=user, written_until=timer.due_at)
    if services.waiting_for_digest(user).exists():
        book_digest(user, after=timer)
