"""When the next gatherings fall, for each kind of rhythm.

Everything is computed as wall-clock dates and times in the movement's time zone and
only then made aware, so a monthly 18:00 stays 18:00 through daylight-saving changes.
Moon phases and seasons come from ephem's ephemeris (offline, accurate to minutes).
"""

import re
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
MAX_EVERY_WEEKS = 12
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


# The parts of an RRULE a rhythm may use. The time of day comes from the rhythm's own
# "starts at", and BYYEARDAY/BYWEEKNO/BYEASTER can ask for days that never come, which
# dateutil would then look for, day by day, up to the year 9999.
RULE_PARTS = ("FREQ", "INTERVAL", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
FREQUENCIES = {
    "DAILY": rrule.DAILY,
    "WEEKLY": rrule.WEEKLY,
    "MONTHLY": rrule.MONTHLY,
    "YEARLY": rrule.YEARLY,
}
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_RULE_LENGTH = 500
# How far from either end of its period a numbered day (BYDAY=2SA) may be.
MAX_ORDINAL = {"MONTHLY": 5, "YEARLY": 53}
MAX_SETPOS = {"WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}
EXAMPLE = "FREQ=WEEKLY;INTERVAL=6;BYDAY=SA"
INTEGER = re.compile(r"[+-]?[0-9]{1,4}")
WEEKDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
UNTIL = re.compile(r"[0-9]{8}(T[0-9]{6}Z?)?")


def _refuse(message, **params):
    raise ValidationError({"rrule": message % params if params else message})


def _integers(name, value, *, low, high, zero=False):
    """The comma-separated whole numbers of a BY… part, each within ±``low``…``high``."""
    numbers = []
    for item in value.split(","):
        if not INTEGER.fullmatch(item) or not (zero or int(item)):
            _refuse(_("%(name)s takes whole numbers separated by commas."), name=name)
        number = int(item)
        if not low <= abs(number) <= high:
            _refuse(
                _("%(name)s takes numbers from %(low)d to %(high)d (or the same below zero)."),
                name=name,
                low=low,
                high=high,
            )
        numbers.append(number)
    return numbers


def _rule_parts(text):
    """``{NAME: value}`` of an RRULE, each part checked, in plain words when wrong."""
    if "\n" in text or "\r" in text:
        _refuse(_("Write one rule on one line, e.g. %(example)s."), example=EXAMPLE)
    parts = {}
    for part in filter(None, (piece.strip() for piece in text.upper().split(";"))):
        name, equals, value = (piece.strip() for piece in part.partition("="))
        if not equals or not name or not value:
            _refuse(
                _("Each part of a rule is a name, “=” and a value, e.g. %(example)s."),
                example=EXAMPLE,
            )
        if name in parts:
            _refuse(_("%(name)s is given twice."), name=name)
        if name == "COUNT":
            _refuse(_("A rhythm goes on until you change it: use UNTIL to end it on a day."))
        if name in TIME_PARTS or name == "DTSTART":
            _refuse(_("Leave the time out of the rule: the gathering starts at “Starts at”."))
        if name not in RULE_PARTS:
            _refuse(
                _("A rule can use FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and UNTIL."),
            )
        parts[name] = value
    return parts


def _check_parts(parts):
    """Checks values dateutil would read wrongly, or look for day by day for ever."""
    freq = parts.get("FREQ")
    if freq is None:
        _refuse(_("Start with how often: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."))
    if freq in ("SECONDLY", "MINUTELY", "HOURLY"):
        _refuse(_("Gatherings can be at most daily."))
    if freq not in FREQUENCIES:
        _refuse(_("FREQ is DAILY, WEEKLY, MONTHLY or YEARLY."))
    if "INTERVAL" in parts and (
        not parts["INTERVAL"].isascii()
        or not parts["INTERVAL"].isdigit()
        or not 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL
    ):
        _refuse(_("INTERVAL must be between 1 and %(max)d."), max=MAX_INTERVAL)
    if "UNTIL" in parts and not UNTIL.fullmatch(parts["UNTIL"]):
        _refuse(_("Write UNTIL as a date, year month day, e.g. UNTIL=20271231."))
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    for day in days:
        match = WEEKDAY.fullmatch(day)
        if not match:
            _refuse(_("Write days as MO, TU, WE, TH, FR, SA or SU; 1SA is the first Saturday."))
        if match.group(1):
            limit = MAX_ORDINAL.get(freq)
            if limit is None:
                _refuse(_("A numbered day, like 1SA, needs FREQ=MONTHLY or YEARLY."))
            if not 1 <= abs(int(match.group(1))) <= limit:
                _refuse(
                    _("With FREQ=%(freq)s, numbered days run from 1 to %(limit)d (-1: the last)."),
                    freq=freq,
                    limit=limit,
                )
    if "BYMONTHDAY" in parts:
        _integers("BYMONTHDAY", parts["BYMONTHDAY"], low=1, high=31)
    if "BYMONTH" in parts:
        for month in _integers("BYMONTH", parts["BYMONTH"], low=1, high=12):
            if month < 0:
                _refuse(_("BYMONTH takes months from 1 to 12."))
    if "BYSETPOS" in parts:
        picks_from = {"BYDAY", "BYMONTHDAY", "BYMONTH"} & parts.keys()
        if freq not in MAX_SETPOS or not picks_from:
            _refuse(
                _("BYSETPOS picks among the days BYDAY or BYMONTHDAY give, weekly or less often.")
            )
        _integers("BYSETPOS", parts["BYSETPOS"], low=1, high=_days_in_set(freq, parts, days))


def _days_in_set(freq, parts, days):
    """The most days one period of the rule can hold, for BYSETPOS: a position beyond it
    never comes, and dateutil would look for it up to the year 9999."""
    most = MAX_SETPOS[freq]
    if "BYMONTHDAY" in parts:
        most = min(most, len(parts["BYMONTHDAY"].split(",")) * (12 if freq == "YEARLY" else 1))
    if days and freq == "WEEKLY":
        most = min(most, len(days))
    elif days and freq == "MONTHLY":
        most = min(most, 5 * len(days))  # a weekday comes at most five times a month
    return most
    if "WKST" in parts and parts["WKST"] not in DAY_CODES:
        _refuse(_("WKST is a day: MO, TU, WE, TH, FR, SA or SU."))


def parse_rrule(text, *, start, strict=True):
    """A dateutil rule from an RFC 5545 RRULE, anchored at the naive local ``start``.

    Refuses, in plain words next to the rule, rules that are malformed, more frequent than
    daily, use parts a rhythm has no use for, or yield nothing within two years (e.g.
    "every 31 February"). ``strict=False`` reads a rule stored before the parts were
    limited (COUNT, BYHOUR…) the way it was accepted then, so its movement keeps meeting.
    """
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:].strip()
    if not text:
        raise ValidationError(
            {"rrule": _("Write a rule, e.g. %(example)s.") % {"example": EXAMPLE}}
        )
    if len(text) > MAX_RULE_LENGTH:
        _refuse(_("A rule has at most %(max)d characters."), max=MAX_RULE_LENGTH)
    if strict:
        parts = _rule_parts(text)
        _check_parts(parts)
        text = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        rule = rrule.rrulestr(text, dtstart=start, ignoretz=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        # Whatever the checks above let through: dateutil's own words are not for people.
        _refuse(
            _("This is not a recurrence rule we can read. Write it like %(example)s."),
            example=EXAMPLE,
        )
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
    """True when every month/day the rule allows does not exist (e.g. BYMONTH=2;BYMONTHDAY=30,
    or BYMONTHDAY=-31 in April: the 31st day from the end)."""
    days = [*(rule._bymonthday or ()), *(-day for day in rule._bynmonthday or ())]
    if not days:
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
        rule = parse_rrule(rhythm.rrule, start=start, strict=False)
        days = (moment.date() for moment in rule.xafter(start, count=400, inc=True))
    for day in days:
        moment = _aware(day, rhythm.local_time, zone)
        if moment > after and (not results or moment > results[-1]):
            results.append(moment)
        if len(results) == count:
            break
    return results


def next_gatherings(rhythm, *, zone, now, count=3):
    """The next ``count`` gathering starts of an unsaved ``rhythm`` after ``now``, for a
    preview; refuses (on the rule) a rhythm that has none in the next two years."""
    dates = occurrences(rhythm, after=now, count=count, zone=zone)
    if not dates or dates[0] > now + HORIZON:
        raise ValidationError({"rrule": _("This rule yields no gathering in the next two years.")})
    return dates


# --- custom rhythms from plain choices --------------------------------------------------
#
# "Every second Saturday" and "the first Sunday of each season" are RRULEs a person should
# not have to write. The form offers them as choices; these turn the choices into the
# rule ``Rhythm.rrule`` stores, and read a stored rule back into the choices when it is
# one of them (anything else is shown as the rule it is).

EVERY_FEW_WEEKS = "weeks"
EVERY_FEW_MONTHS = "months"
# Months between gatherings that divide the year, so the months repeat every year.
MONTH_STEPS = (1, 2, 3, 4, 6, 12)


def every_few_weeks_rule(*, weeks, weekday):
    """Every ``weeks`` weeks on ``weekday`` (0 = Monday): FREQ=WEEKLY;INTERVAL=2;BYDAY=SA."""
    interval = f";INTERVAL={weeks}" if weeks > 1 else ""
    return f"FREQ=WEEKLY{interval};BYDAY={DAY_CODES[weekday]}"


def months_from(first_month, step):
    """The months, from January, of a gathering every ``step`` months that include
    ``first_month`` (1–12): ``months_from(3, 3)`` is [3, 6, 9, 12]."""
    return sorted((first_month - 1 + step * turn) % 12 + 1 for turn in range(12 // step))


def every_few_months_rule(*, week, weekday, months, first_month):
    """The ``week``-th (-1: last) ``weekday`` of every ``months`` months, in the months that
    include ``first_month``: FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=1SU. Named months rather
    than INTERVAL: an interval counts from the day the rule is read, which moves."""
    by_month = ""
    if months > 1:
        by_month = ";BYMONTH=" + ",".join(str(m) for m in months_from(first_month, months))
    return f"FREQ=MONTHLY{by_month};BYDAY={week}{DAY_CODES[weekday]}"


def plain_choices(text):
    """The plain choices that make the rule ``text``, or None when it is not one of them.

    ``{"repeat": "weeks", "every_weeks": 2, "on_weekday": 5}`` or ``{"repeat": "months",
    "nth_week": 1, "nth_weekday": 6, "every_months": 3, "first_month": 3}``.
    """
    try:
        parts = _rule_parts(text.strip())
    except ValidationError:
        return None
    freq, days = parts.get("FREQ"), parts.get("BYDAY", "")
    match = WEEKDAY.fullmatch(days)
    if not match:
        return None
    ordinal, weekday = match.group(1), DAY_CODES.index(match.group(2))
    if freq == "WEEKLY" and not ordinal and parts.keys() <= {"FREQ", "INTERVAL", "BYDAY"}:
        weeks = parts.get("INTERVAL", "1")
        if weeks.isascii() and weeks.isdigit() and 1 <= int(weeks) <= MAX_EVERY_WEEKS:
            return {"repeat": EVERY_FEW_WEEKS, "every_weeks": int(weeks), "on_weekday": weekday}
        return None
    if freq != "MONTHLY" or not ordinal or not parts.keys() <= {"FREQ", "BYMONTH", "BYDAY"}:
        return None
    if int(ordinal) not in (1, 2, 3, 4, -1):
        return None
    months = [1]
    if "BYMONTH" in parts:
        try:
            months = sorted(int(month) for month in parts["BYMONTH"].split(","))
        except ValueError:
            return None
    step = 12 // len(months)
    if step not in MONTH_STEPS or months != months_from(months[0], step):
        return None
    return {
        "repeat": EVERY_FEW_MONTHS,
        "nth_week": int(ordinal),
        "nth_weekday": weekday,
        "every_months": step,
        "first_month": months[0],
    }
