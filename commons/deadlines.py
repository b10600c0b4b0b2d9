"""The commons' deadlines: a pledge falling due, a rotating round closing, a booking
about to start.

They are kept on the durable timers of ``rituals`` (the sweep fires each once, even with
two sweepers, and a sweeper killed half-way leaves it for the next). Rituals sits a floor
above and this floor never imports it, so rituals plugs its timers in at start-up
(``keeps_deadlines``), as it books the daily digests for ``movement``. The commons says
what is due when; rituals says when the movement converges.
"""

PLEDGE_DUE = "commons.pledge_due"
ROUND_CLOSES = "commons.round_closes"
BOOKING_SOON = "commons.booking_soon"
KINDS = (PLEDGE_DUE, ROUND_CLOSES, BOOKING_SOON)

_keeper = None


class NoKeeper(RuntimeError):
    pass


def keeps_deadlines(keeper):
    """Register the object that keeps the commons' deadlines. It has
    ``schedule(kind, *, due_at, target, movement, payload)``, ``cancel(kind, *, target)``,
    ``next_convergence(movement, *, after)`` (a date, or None without a rhythm) and
    ``convergences_per_year(movement)`` (None without a rhythm)."""
    global _keeper
    _keeper = keeper
    return keeper


def _the_keeper():
    if _keeper is None:
        raise NoKeeper("No app keeps the commons' deadlines: is rituals installed?")
    return _keeper


def schedule(kind, *, due_at, target, movement, payload=None):
    return _the_keeper().schedule(
        kind, due_at=due_at, target=target, movement=movement, payload=payload or {}
    )


def cancel(kind, *, target):
    return _the_keeper().cancel(kind, target=target)


def next_convergence(movement, *, after):
    return _the_keeper().next_convergence(movement, after=after)


def convergences_per_year(movement):
    return _the_keeper().convergences_per_year(movement)
