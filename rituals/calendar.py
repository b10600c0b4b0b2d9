"""iCalendar files for gatherings, sprint deadlines and listening circles (RFC 5545, via the
icalendar library)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from commons.models import Booking
from rituals import selectors
from rituals.models import ConflictCase, Sprint, SprintCircle


def gathering_calendar(gatherings, sprints=(), circles=(), bookings=()):
    calendar = Calendar()
    calendar.add("prodid", "-//Constellation//convergence//EN")
    calendar.add("version", "2.0")
    for gathering in gatherings:
        event = Event()
        event.add("uid", f"gathering-{gathering.pk}@constellation")
        event.add("dtstamp", gathering.starts_at)
        event.add("dtstart", gathering.starts_at)
        event.add("dtend", gathering.ends_at)
        event.add(
            "summary",
            _("%(movement)s: convergence, cycle %(n)s")
            % {"movement": gathering.movement.name, "n": gathering.cycle.number},
        )
        if gathering.place:
            event.add("location", gathering.place)
        event.add("url", f"{settings.SITE_URL}{gathering.get_absolute_url()}")
        if gathering.call_link:
            event.add("description", gathering.call_link)
        calendar.add_component(event)
    for sprint in sprints:
        calendar.add_component(_sprint_event(sprint))
    for case in circles:
        calendar.add_component(_listening_circle_event(case))
    for booking in bookings:
        calendar.add_component(_booking_event(booking))
    return calendar.to_ical()


def _booking_event(booking):
    """A slot booked of a shared space or tool, in UTC like every time in the feed."""
    event = Event()
    event.add("uid", f"booking-{booking.pk}@constellation")
    event.add("dtstamp", booking.created_at)
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add(
        "summary",
        _("%(movement)s: %(resource)s booked")
        % {"movement": booking.resource.movement.name, "resource": booking.resource.name},
    )
    if booking.resource.place:
        event.add("location", booking.resource.place)
    if booking.note:
        event.add("description", booking.note)
    event.add("url", f"{settings.SITE_URL}{booking.resource.get_absolute_url()}")
    return event


def feed_bookings(user, *, now=None):
    """The person's live bookings, from the feed's window on. One query."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            booked_by__user=user, cancelled_at__isnull=True, ends_at__gte=now - selectors.FEED_PAST
        )
        .select_related("resource__movement")
        .order_by("starts_at", "pk")
    )


LISTENING_CIRCLE_LENGTH = timedelta(hours=2)


def _listening_circle_event(case):
    """A conflict case's listening circle: when and where, and a link that only the case's
    people can open. No case text, no names: a calendar is shared, synced and leaked."""
    event = Event()
    event.add("uid", f"listening-circle-{case.pk}@constellation")
    event.add("dtstamp", case.scheduled_at or case.circle_at)
    event.add("dtstart", case.circle_at)
    event.add("dtend", case.circle_at + LISTENING_CIRCLE_LENGTH)
    summary = (
        _("%(movement)s: listening circle (practice drill)")
        if case.is_practice
        else _("%(movement)s: listening circle")
    )
    event.add("summary", summary % {"movement": case.movement.name})
    if case.circle_place:
        event.add("location", case.circle_place)
    event.add("url", f"{settings.SITE_URL}{case.get_absolute_url()}")
    return event


def feed_circles(user, *, now=None):
    """The scheduled listening circles of the cases the person is a party to or facilitates,
    from the feed's window on. One query."""
    now = now or timezone.now()
    mine = Q(parties__member__user=user) | Q(facilitators__member__user=user)
    return (
        ConflictCase.objects.filter(mine, circle_at__gte=now - selectors.FEED_PAST)
        .exclude(state=ConflictCase.State.CLOSED, outcome=ConflictCase.Outcome.WITHDRAWN)
        .select_related("movement")
        .defer("description")  # never opened for a calendar
        .distinct()
        .order_by("circle_at", "pk")
    )


def _sprint_event(sprint):
    """A sprint as an event that ends at its deadline. It spans the whole sprint but marks
    the time free (``TRANSP``), so three days of forging do not block anyone's calendar.
    Only the circles' names: nothing of the log or the artifact leaves the app."""
    names = " × ".join(seat.circle.name for seat in sprint.sprint_circles.all())
    event = Event()
    event.add("uid", f"sprint-{sprint.pk}@constellation")
    event.add("dtstamp", sprint.starts_at)
    event.add("dtstart", sprint.starts_at)
    event.add("dtend", sprint.ends_at)
    event.add("transp", "TRANSPARENT")
    event.add("summary", _("Sprint deadline: %(circles)s") % {"circles": names})
    event.add("url", f"{settings.SITE_URL}{sprint.get_absolute_url()}")
    return event


def feed_sprints(user, *, now=None):
    """The sprints of the circles the person sits in, in every movement they belong to, while
    they run, and those whose deadline passed within the feed's window (as for gatherings),
    so a deadline stays in the calendar once it is met. Two queries, whatever their number."""
    now = now or timezone.now()
    mine = SprintCircle.objects.filter(circle__circle_memberships__member__user=user).values(
        "sprint"
    )
    return (
        Sprint.objects.filter(pk__in=mine, ends_at__gte=now - selectors.FEED_PAST)
        .select_related("movement")
        .prefetch_related(
            Prefetch(
                "sprint_circles",
                queryset=SprintCircle.objects.select_related("circle").order_by("circle__name"),
            )
        )
        .order_by("ends_at", "pk")
    )


def feed_calendar(user, *, now=None):
    """A person's private feed: their movements' gatherings, their circles' sprints, and the
    listening circles they are to attend."""
    return gathering_calendar(
        selectors.feed_gatherings(user, now=now),
        feed_sprints(user, now=now),
        feed_circles(user, now=now),
        feed_bookings(user, now=now),
    )
