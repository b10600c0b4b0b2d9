"""When the next gatherings fall, for each kind of rhythm.

Everything is computed as wall-clock dates and times in the movement's time zone and
only then made aware, so a monthly 18:00 stays 18:00 through daylight-saving changes.
Moon phases and seasons come from ephem's ephemeris (offline, accurate to minutes).
"""

from datetime import UTC, datetime, timedelta

import ephem
from dateutil import rrule
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# How far ahead a rule must yield a date to be accepted at all.
HORIZON = timedelta(days=2 * 366)
MONTHLY_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
TOO_FREQUENT = {rrule.SECONDLY, rrule.MINUTELY, rrule.HOURLY}
MAX_INTERVAL = 60
# The longest each month can be (February in a leap year).
DAYS_IN_MONTH = {
    1: 31,
    2: 29,
    3: 31,
    4: 30,
    5: 31,
    6: 30,
    7: 31,
    8: 31,
    9: 30,
    10: 31,
    11: 30,
    12: 31,
}


def _aware(day, local_time, zone):
    return datetime.combine(day, local_time).replace(tzinfo=zone)


def _local_day(ephem_date, zone):
    """The date, in ``zone``, on which an ephem event happens."""
    moment = ephem.Date(ephem_date).datetime().replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def _ephem_events(after, next_event, zone):
    """Dates of successive ephem events (e.g. ephem.next_full_moon) after ``after``."""
    cursor = ephem.Date(after.astimezone(UTC).replace(tzinfo=None))
    while True:
        cursor = ephem.Date(next_event(cursor))
        yield _local_day(cursor, zone)
        cursor = ephem.Date(cursor + 1)  # a day later, so the same event is not found twice


def _seasons(after, zone):
    cursor = ephem.Date(after.astimezone(UTC).replace(tzinfo=None))
    while True:
        cursor = ephem.Date(min(ephem.next_solstice(cursor), ephem.next_equinox(cursor)))
        yield _local_day(cursor, zone)
        cursor = ephem.Date(cursor + 1)


def parse_rrule(text, *, start):
    """A dateutil rule from an RFC 5545 RRULE, anchored at the naive local ``start``.

    Refuses rules that are malformed, more frequent than daily, or yield nothing within
    two years (e.g. "every 31 February").
    """
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise ValidationError({"rrule": _("Write a rule, e.g. FREQ=WEEKLY;INTERVAL=6;BYDAY=SA.")})
    try:
        rule = rrule.rrulestr(text, dtstart=start, ignoretz=True)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise ValidationError(
            {"rrule": _("This is not a recurrence rule we can read: %(error)s") % {"error": error}}
        ) from None
    if not isinstance(rule, rrule.rrule):
        raise ValidationError({"rrule": _("Write one RRULE, not a set of rules.")})
    if rule._freq in TOO_FREQUENT:
        raise ValidationError({"rrule": _("Gatherings can be at most daily.")})
    # dateutil accepts INTERVAL=0 and then never leaves the first period; and it walks an
    # impossible date (30 February) day by day to the year 9999. Refuse both up front.
    if not 1 <= rule._interval <= MAX_INTERVAL:
        raise ValidationError(
            {"rrule": _("INTERVAL must be between 1 and %(max)d.") % {"max": MAX_INTERVAL}}
        )
    if _impossible_days(rule):
        raise ValidationError({"rrule": _("This rule yields no gathering in the next two years.")})
    first = rule.after(start, inc=True)
    if first is None or first > start + HORIZON:
        raise ValidationError({"rrule": _("This rule yields no gathering in the next two years.")})
    return rule


def _impossible_days(rule):
    """True when every month/day the rule allows does not exist (e.g. BYMONTH=2;BYMONTHDAY=30)."""
    days = [day for day in (rule._bymonthday or ()) if day > 0]
    if not days or rule._bynmonthday:
        return False
    months = rule._bymonth or range(1, 13)
    return all(day > DAYS_IN_MONTH[month] for month in months for day in days)


def occurrences(rhythm, *, after, count, zone):
    """The next ``count`` gathering starts (aware datetimes) strictly after ``after``."""
    local_after = after.astimezone(zone)
    results = []
    if rhythm.kind == "monthly":
        rule = rrule.rrule(
            rrule.MONTHLY,
            byweekday=MONTHLY_WEEKDAYS[rhythm.weekday](rhythm.week),
            byhour=rhythm.local_time.hour,
            byminute=rhythm.local_time.minute,
            bysecond=0,
            dtstart=local_after.replace(
                tzinfo=None, day=1, hour=0, minute=0, second=0, microsecond=0
            ),
        )
        days = (moment.date() for moment in rule)
    elif rhythm.kind == "lunar":
        finder = ephem.next_new_moon if rhythm.moon_phase == "new" else ephem.next_full_moon
        days = _ephem_events(after - timedelta(days=2), finder, zone)
    elif rhythm.kind == "seasonal":
        days = _seasons(after - timedelta(days=2), zone)
    else:
        start = local_after.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
        rule = parse_rrule(rhythm.rrule, start=start)
        days = (moment.date() for moment in rule.xafter(start, count=400, inc=True))
    for day in days:
        moment = _aware(day, rhythm.local_time, zone)
        if moment > after and (not results or moment > results[-1]):
            results.append(moment)
        if len(results) == count:
            break
    return results
