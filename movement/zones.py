"""The time zones a person picks from: current IANA names only, the common ones first.

The zone database keeps hundreds of old names for backward compatibility (Africa/Asmera,
Asia/Calcutta, US/Eastern…); offering them makes the list twice as long and lets two
movements in one city store two names. The current names are the ones ``zone.tab`` lists,
one or more per country, read from the ``tzdata`` package or from the system's zone
directory, whichever Python's ``zoneinfo`` also reads; plus UTC.

A typed name is read kindly ("europe/paris", "New York" and "Paris" all find their zone);
an old name is refused with the current one to use instead.
"""

import difflib
import functools
import zoneinfo
from datetime import UTC as UTC_ZONE
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

UTC = "UTC"

# The zones most movements pick, roughly west to east; shown first.
COMMON = (
    UTC,
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/Mexico_City",
    "America/Bogota",
    "America/New_York",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Africa/Lagos",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Johannesburg",
    "Africa/Cairo",
    "Europe/Istanbul",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Jakarta",
    "Asia/Manila",
    "Asia/Tokyo",
    "Australia/Sydney",
)

# The first part of a zone's name, in words.
REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}

UNKNOWN = _("Pick a time zone such as Europe/Paris.")
OLD_NAME = _("%(zone)s is an old name for a time zone; pick %(current)s instead.")


def _zone_tab_files():
    """Where ``zone.tab`` may be: beside the zones ``zoneinfo`` reads, in its order."""
    for directory in zoneinfo.TZPATH:
        yield Path(directory) / "zone.tab"
    try:
        yield resources.files("tzdata").joinpath("zoneinfo", "zone.tab")
    except ModuleNotFoundError:
        return


def _zone_tab_names():
    for path in _zone_tab_files():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        return {
            line.split("\t")[2]
            for line in text.splitlines()
            if line and not line.startswith("#") and line.count("\t") >= 2
        }
    return set()


@functools.cache
def canonical():
    """Every current zone name this machine can load, as a frozenset."""
    loadable = zoneinfo.available_timezones()
    names = _zone_tab_names() & loadable
    if not names:  # no zone.tab anywhere: fall back to the region/city names
        names = {name for name in loadable if name.split("/")[0] in REGIONS}
    return frozenset(names | ({UTC} & loadable))


def region_of(zone):
    return zone.split("/")[0]


@functools.cache
def grouped():
    """``[(label, [zone, …]), …]``: the common zones, then the rest by region.

    Suits a ``<select>`` with ``<optgroup>``s (Django's grouped choices) as well as an
    ordered ``<datalist>``.
    """
    names = canonical()
    common = [zone for zone in COMMON if zone in names]
    rest = sorted(names - set(common))
    groups = [(_("Common"), common)]
    for region, label in REGIONS.items():
        zones = [zone for zone in rest if region_of(zone) == region]
        if zones:
            groups.append((label, zones))
    return tuple(groups)


@functools.cache
def ordered():
    """Every current zone, the common ones first, then region by region."""
    return tuple(zone for _label, zones in grouped() for zone in zones)


def _key(text):
    return text.strip().replace(" ", "_").casefold()


@functools.cache
def _by_key():
    return {_key(zone): zone for zone in canonical()}


@functools.cache
def _by_city():
    """Cities that name exactly one zone: "paris" → Europe/Paris."""
    cities = {}
    for zone in canonical():
        city = _key(zone.rsplit("/", 1)[-1])
        cities.setdefault(city, []).append(zone)
    return {city: zones[0] for city, zones in cities.items() if len(zones) == 1}


def find(text):
    """The current zone ``text`` names, or None: exact, any case, spaces for
    underscores, or a city that names one zone."""
    if text in canonical():
        return text
    key = _key(text)
    return _by_key().get(key) or _by_city().get(key)


def _zone_bytes(zone):
    """The zone's compiled file, from where ``zoneinfo`` would read it."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory, *zone.split("/"))
        if path.is_file():
            return path.read_bytes()
    try:
        return resources.files("tzdata").joinpath("zoneinfo", *zone.split("/")).read_bytes()
    except (ModuleNotFoundError, OSError):
        return None


@functools.cache
def _current_by_bytes():
    """Each zone file's bytes → the current zones that have them (in ``ordered()`` order)."""
    index = {}
    for zone in ordered():
        data = _zone_bytes(zone)
        if data is not None:
            index.setdefault(data, []).append(zone)
    return index


def current_name_for(old):
    """The current zone an old name stands for (``Asia/Calcutta`` → ``Asia/Kolkata``),
    or None. Old names are links: the same file under another name; among the current
    zones with that file, the one spelled most like the old name, else the most common."""
    loadable = {_key(zone): zone for zone in zoneinfo.available_timezones()}
    old = loadable.get(_key(old))
    if old is None:
        return None
    data = _zone_bytes(old)
    same_file = _current_by_bytes().get(data, []) if data else []
    # Some systems keep a respelled city as its own file (Africa/Asmara beside the link
    # Africa/Asmera → Nairobi): a near-identical spelling with today's clock wins.
    now = datetime.now(UTC_ZONE)
    same_clock = [
        zone
        for zone in canonical()
        if region_of(zone) == region_of(old)
        and now.astimezone(ZoneInfo(zone)).utcoffset() == now.astimezone(ZoneInfo(old)).utcoffset()
    ]
    close = difflib.get_close_matches(old, same_file, n=1, cutoff=0.8) or (
        difflib.get_close_matches(old, same_clock, n=1, cutoff=0.9)
    )
    if close:
        return close[0]
    return same_file[0] if same_file else None


def check(text):
    """The current zone ``text`` names; a ValidationError in plain words otherwise."""
    zone = find(text)
    if zone:
        return zone
    current = current_name_for(text)
    if current:
        raise ValidationError(
            OLD_NAME, code="old_zone", params={"zone": text.strip(), "current": current}
        )
    raise ValidationError(UNKNOWN, code="unknown_zone")
