"""iCalendar files for gatherings (RFC 5545, via the icalendar library)."""

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event


def gathering_calendar(gatherings):
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
    return calendar.to_ical()
