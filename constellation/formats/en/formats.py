"""English dates as people write them in most of the world the app serves: day before
month, a 24-hour clock, no "p.m." and no "midnight". Other languages keep Django's own."""

DATE_FORMAT = "j F Y"  # 5 December 2026
SHORT_DATE_FORMAT = "j M Y"  # 5 Dec 2026
DATETIME_FORMAT = "l j F Y, H:i"  # Saturday 5 December 2026, 18:00
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 5 Dec 2026, 18:00
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
