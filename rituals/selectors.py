import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import Lower, TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import Circle, CircleMembership, Spark
from commons.models import Approval, DrawRequest, Pool
from movement.models import Membership, Role
from movement.pagination import keyset_page
from rituals import charts, permissions
from rituals.models import (
    Agreement,
    AvailabilityOption,
    CalendarFeed,
    CaseView,
    CircleReport,
    Commitment,
    ConflictCase,
    ConflictRitual,
    Cycle,
    Gathering,
    Rhythm,
    Rsvp,
    SovereigntyRecord,
    SprintBooking,
    SprintCircle,
    SprintDraw,
    SprintLogEntry,
    SweepHeartbeat,
)
from rituals.pairing import Ligament


def last_sweep_age_seconds():
    """Seconds since the timer sweep last ran, or None if it never has."""
    heartbeat = SweepHeartbeat.objects.filter(pk=1).first()
    if heartbeat is None:
        return None
    return round((timezone.now() - heartbeat.swept_at).total_seconds(), 1)


def rhythm_of(movement):
    return Rhythm.objects.filter(movement=movement).first()


def gatherings(movement, *, upcoming=True, now=None):
    now = now or timezone.now()
    rows = Gathering.objects.filter(movement=movement).select_related("cycle", "movement")
    # A live gathering that runs over its end time is still "now", not past.
    current = Q(ends_at__gt=now) | Q(state=Gathering.State.LIVE)
    if upcoming:
        return rows.filter(current).order_by("starts_at")
    return rows.exclude(current).order_by("-starts_at")


def gathering_or_404(*, membership, gathering_id):
    return get_object_or_404(
        Gathering.objects.select_related("cycle", "movement"),
        pk=gathering_id,
        movement=membership.movement,
    )


def attendance(gathering):
    """Totals only: how many said yes and maybe. Never who, never who said no."""
    return Rsvp.objects.filter(gathering=gathering).aggregate(
        yes=Count("id", filter=Q(answer=Rsvp.Answer.YES)),
        maybe=Count("id", filter=Q(answer=Rsvp.Answer.MAYBE)),
    )


def answer_of(*, membership, gathering):
    """The caller's own answer, as words (or None)."""
    answer = (
        Rsvp.objects.filter(gathering=gathering, member=membership)
        .values_list("answer", flat=True)
        .first()
    )
    return Rsvp.Answer(answer).label if answer else None


def report_of(*, gathering, circle):
    return CircleReport.objects.filter(cycle=gathering.cycle_id, circle=circle).first()


def reports_for(gathering):
    return CircleReport.objects.filter(cycle=gathering.cycle_id).select_related(
        "circle", "submitted_by__user"
    )


def report_due_at(gathering):
    rhythm = Rhythm.objects.filter(movement=gathering.movement_id).first()
    days = rhythm.report_days_before if rhythm else 0
    # In local wall-clock time: "3 days before 18:00" is 18:00, across a DST change too.
    return gathering.starts_at.astimezone(gathering.movement.zone) - timedelta(days=days)


def circles_convened_by(membership):
    """The active circles this member convenes, each with ``my_seat`` set."""
    seats = CircleMembership.objects.filter(
        member=membership, is_convener=True, circle__archived_at__isnull=True
    ).select_related("circle")
    circles = []
    for seat in seats:
        seat.circle.my_seat = seat
        circles.append(seat.circle)
    return circles


FEED_PAST = timedelta(days=60)


def feed_gatherings(user, *, now=None):
    """Every gathering of every movement the person belongs to, from two months back."""
    now = now or timezone.now()
    return (
        Gathering.objects.filter(movement__memberships__user=user, ends_at__gte=now - FEED_PAST)
        .select_related("movement", "cycle")
        .order_by("starts_at")
    )


def drifting_circles(movement, *, cycles=2, now=None):
    """Active circles that sent no report for the last ``cycles`` gatherings held: drifting
    into separate orbits. Shown to organizers only, as an invitation, not a verdict."""
    now = now or timezone.now()
    recent = list(
        Gathering.objects.filter(movement=movement, starts_at__lt=now, state=Gathering.State.CLOSED)
        .order_by("-starts_at")
        .values_list("cycle_id", "starts_at")[:cycles]
    )
    if len(recent) < cycles:
        return Circle.objects.none()
    earliest = recent[-1][1]
    reported = CircleReport.objects.filter(cycle_id__in=[cycle for cycle, _ in recent])
    return (
        Circle.objects.for_movement(movement)
        .active()
        .filter(created_at__lt=earliest)
        .exclude(pk__in=reported.values("circle_id"))
        .select_related("movement")
        .order_by("name")
    )


def facilitator_ids(gathering):
    return set(gathering.facilitators.values_list("pk", flat=True))


MINUTES_PAGE = 25


def live_state(gathering, *, minutes_page=None):
    """Everything the live panel and the minutes show, in a fixed number of queries. Once
    the gathering is closed, its minutes come a part at a time (``minutes_page``): the
    agenda items and commitments of a gathering where hundreds of circles reported would
    otherwise make one page of hundreds of entries."""
    agenda = gathering.agenda.select_related("circle")
    commitments = gathering.commitments.select_related("circle")
    if gathering.state == Gathering.State.CLOSED:
        agenda = Paginator(agenda, MINUTES_PAGE).get_page(minutes_page)
        commitments = Paginator(commitments, MINUTES_PAGE).get_page(agenda.number)
        parts = max(agenda.paginator.num_pages, commitments.paginator.num_pages)
        minutes = {"number": agenda.number, "parts": parts}
    else:
        agenda, commitments, minutes = list(agenda), list(commitments), None
    return {
        "agenda": agenda,
        "current": next((i for i in agenda if i.pk == gathering.current_item_id), None),
        "decisions": list(gathering.decisions.all()),
        "commitments": commitments,
        "minutes": minutes,
    }


def gathering_version(request, membership, gathering_id):
    """The ETag of the live panel: changes whenever facilitator mode changes anything."""
    version = (
        Gathering.objects.filter(pk=gathering_id, movement=membership.movement_id)
        .values_list("version", "state")
        .first()
    )
    return f"{gathering_id}-{version[0]}-{version[1]}" if version else None


def commitments_to_review(*, circle, gathering, report=None):
    """The circle's earlier commitments its report for ``gathering`` should mark."""
    earlier = Commitment.objects.filter(
        circle=circle, gathering__starts_at__lt=gathering.starts_at
    ).select_related("gathering__cycle")
    pending = Q(outcome=Commitment.Outcome.OPEN)
    if report is not None:
        pending |= Q(reviewed_in=report)
    return earlier.filter(pending).order_by("created_at", "pk")


def calendar_feed_or_404(token):
    return get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)


# --- integration sprints: the ligaments between circles ----------------------------------


def ligaments_between(movement, circle_ids=None):
    """The collaboration between every two active circles of ``movement`` (only those among
    ``circle_ids`` when given), as ``{frozenset({a, b}): Ligament}`` for the pairs that have
    any. Four queries whatever the number of circles, each counted in SQL:

    - **sprints**: sprints both circles were in (any state: a sprint exists once launched);
    - **shared members**: members who sit in both circles;
    - **commitments**: commitments one circle made at a gathering whose text names the other
      circle (``rituals.naming``: worked out when the commitment was written). A commitment
      belongs to one circle and records no second one, so the words are what "names both"
      can mean: counting every two circles that merely committed at the same gathering
      would tie every circle that reports to every other, and say nothing;
    - **commons**: draws requested for one circle, approved or granted, that a member
      approved deciding for the other (each draw once per pair of circles).
    """
    circles = Circle.objects.for_movement(movement).active()
    if circle_ids is not None:
        circles = circles.filter(pk__in=list(circle_ids))
    chosen = circles.values("pk")
    counts = defaultdict(lambda: defaultdict(int))
    for kind, rows in (
        ("sprints", _past_sprints(chosen)),
        ("shared_members", _shared_members(chosen)),
        ("commons", _commons_draws(chosen)),
    ):
        for a, b, count in rows:
            counts[frozenset((a, b))][kind] += count
    last_commitment_at = {}
    for a, b, count, last in _commitments_naming(chosen):
        pair = frozenset((a, b))
        counts[pair]["commitments"] += count
        last_commitment_at[pair] = max(last, last_commitment_at.get(pair, last))
    zone = movement.zone
    last_commitment_on = {
        pair: at.astimezone(zone).date() for pair, at in last_commitment_at.items()
    }
    return {
        pair: Ligament(**kinds, last_commitment_on=last_commitment_on.get(pair))
        for pair, kinds in counts.items()
    }


def _past_sprints(circles):
    """(a, b, sprints both were in), a < b."""
    return (
        SprintCircle.objects.filter(circle__in=circles, sprint__sprint_circles__circle__in=circles)
        .annotate(other=F("sprint__sprint_circles__circle"))
        .filter(circle__lt=F("other"))
        .values_list("circle", "other")
        .annotate(count=Count("sprint", distinct=True))
        .order_by()
    )


def _shared_members(circles):
    """(a, b, members in both), a < b."""
    return (
        CircleMembership.objects.filter(
            circle__in=circles, member__circle_memberships__circle__in=circles
        )
        .annotate(other=F("member__circle_memberships__circle"))
        .filter(circle__lt=F("other"))
        .values_list("circle", "other")
        .annotate(count=Count("member", distinct=True))
        .order_by()
    )


def _commons_draws(circles):
    """(requesting circle, approving circle, draws), each draw once per pair."""
    return (
        Approval.objects.filter(
            decision=Approval.Decision.APPROVE,
            circle__in=circles,
            draw_request__circle__in=circles,
            draw_request__state__in=(DrawRequest.State.APPROVED, DrawRequest.State.GRANTED),
        )
        .exclude(circle=F("draw_request__circle"))
        .values_list("draw_request__circle", "circle")
        .annotate(count=Count("draw_request", distinct=True))
        .order_by()
    )


def _commitments_naming(circles):
    """(author circle, circle named, commitments, the last one's gathering start): both
    directions of a pair come apart, and ``ligaments_between`` adds them up."""
    return (
        Commitment.named_circles.through.objects.filter(
            commitment__circle__in=circles, circle__in=circles
        )
        .values_list("commitment__circle", "circle")
        .annotate(count=Count("commitment"), last=Max("commitment__gathering__starts_at"))
        .order_by()
    )


# --- integration sprints: the open log, the draws, the frictions report --------------------


def my_circles_in_sprint(membership, sprint):
    """The ids of the sprint's circles this member sits in: one query."""
    return list(
        SprintCircle.objects.filter(sprint=sprint, circle__circle_memberships__member=membership)
        .order_by("circle__name", "circle_id")
        .values_list("circle_id", flat=True)
    )


def _log_entries():
    return SprintLogEntry.objects.select_related("author__user", "circle", "pool")


def sprint_log(sprint, *, older=None, newer=None):
    """A page of the sprint's open log, newest first (keyset: the same cost on every page)."""
    return keyset_page(
        _log_entries().filter(sprint=sprint),
        ordering=("-created_at", "-id"),
        older=older,
        newer=newer,
    )


def pools_for_log(movement):
    """The movement's pools, by name, for the log form's pool choice."""
    return list(Pool.objects.for_movement(movement).order_by("name", "pk"))


def sprint_draws(sprint):
    """What the sprint drew from the commons and what it still waits for, in one query:
    ``{"drew": […], "waiting": […], "no_longer": […], "drew_in_all": [(pool, amount)]}``,
    each list of draw requests in the order they were linked."""
    links = (
        SprintDraw.objects.filter(sprint=sprint)
        .select_related("draw_request__pool", "draw_request__circle", "draw_request__requested_by")
        .order_by("created_at", "id")
    )
    drew, waiting, no_longer = [], [], []
    totals = {}
    for link in links:
        draw = link.draw_request
        if draw.state == DrawRequest.State.GRANTED:
            drew.append(draw)
            pool, amount = totals.get(draw.pool_id, (draw.pool, 0))
            totals[draw.pool_id] = (pool, amount + draw.amount)
        elif draw.is_open:
            waiting.append(draw)
        else:
            no_longer.append(draw)
    return {
        "drew": drew,
        "waiting": waiting,
        "no_longer": no_longer,
        "drew_in_all": sorted(totals.values(), key=lambda row: row[0].name),
    }


DRAW_CANDIDATES_SHOWN = 20


def draws_to_link(sprint, *, limit=DRAW_CANDIDATES_SHOWN):
    """The movement's most recent draws that could serve this sprint and serve none yet:
    asked for one of its circles or by a member of one, granted or still waiting."""
    circles = SprintCircle.objects.filter(sprint=sprint).values("circle")
    askers = CircleMembership.objects.filter(
        circle__in=circles, member__movement=sprint.movement_id
    ).values("member__user")
    return list(
        DrawRequest.objects.filter(
            pool__movement=sprint.movement_id,
            state__in=(*DrawRequest.OPEN_STATES, DrawRequest.State.GRANTED),
        )
        .filter(Q(circle__in=circles) | Q(requested_by__in=askers))
        .exclude(Exists(SprintDraw.objects.filter(draw_request=OuterRef("pk"))))
        .select_related("pool", "circle", "requested_by")
        .order_by("-created_at", "-id")[:limit]
    )


REPORT_MONTHS = 24
TOP_INVOLVED = 5


def month_start(day, zone):
    """The first moment of ``day``'s month in ``zone``."""
    return datetime(day.year, day.month, 1, tzinfo=zone)


def next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_range(day, zone):
    """The month holding ``day`` as [start, end) in ``zone``: what ``TruncMonth`` in that
    zone calls one month."""
    return month_start(day, zone), month_start(next_month(day), zone)


def _frictions(movement):
    return SprintLogEntry.objects.for_movement(movement).frictions()


def friction_counts(movement, *, now=None, months=REPORT_MONTHS):
    """Frictions by category and month (in the movement's zone) over the last ``months``
    months, the current one included: the months from the first with a friction, oldest
    first, and ``{(month, category): count}``; counted in SQL, one query."""
    zone = movement.zone
    today = timezone.localtime(now or timezone.now(), zone).date()
    first = date(today.year, today.month, 1)
    for _month in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    rows = (
        _frictions(movement)
        .filter(created_at__gte=month_start(first, zone))
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values_list("month", "category")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts = {}
    for month, category, count in rows:
        day = month.date() if isinstance(month, datetime) else month
        counts[(day, category)] = counts.get((day, category), 0) + count
    if not counts:
        return [], {}
    month = min(day for day, _category in counts)
    shown = []
    while month <= today:
        shown.append(month)
        month = next_month(month)
    return shown, counts


def frictions_report(movement, *, now=None):
    """The frictions report's counts: a table (a row per month with the categories counted
    in it and its total, and the totals per category) and the same numbers as stacked
    bars, with the bars' legend."""
    months, counts = friction_counts(movement, now=now)
    categories = list(SprintLogEntry.Category)

    def counted(months):
        return [
            (category, total)
            for category in categories
            if (total := sum(counts.get((month, category), 0) for month in months))
        ]

    rows = [{"month": month, "counted": counted([month])} for month in months]
    for row in rows:
        row["total"] = sum(count for _category, count in row["counted"])
    return {
        "rows": rows,
        "counted": counted(months),
        "total": sum(row["total"] for row in rows),
        "legend": [
            {"category": category, "fill": charts.fill(position)}
            for position, category in enumerate(categories)
        ],
        "chart": charts.stacked_bars(months, categories, counts) if months else None,
    }


def pools_most_involved(movement, *, limit=TOP_INVOLVED):
    """The pools named in the most frictions: ``[{"pool", "pool__name", "count"}]``."""
    return list(
        _frictions(movement)
        .filter(pool__isnull=False)
        .values("pool", "pool__name")
        .annotate(count=Count("id"))
        .order_by("-count", "pool__name", "pool")[:limit]
    )


def tools_most_involved(movement, *, limit=TOP_INVOLVED):
    """The tools named in the most frictions, whatever their case: ``[{"tool", "count"}]``."""
    return list(
        _frictions(movement)
        .exclude(tool="")
        .annotate(key=Lower("tool"))
        .values("key")
        .annotate(count=Count("id"), tool=Min("tool"))
        .order_by("-count", "key")[:limit]
    )


def friction_entries(movement, *, category=None, month=None, older=None, newer=None):
    """The frictions behind one count of the report (a category, a month in the movement's
    zone, or both), newest first, a keyset page at a time."""
    entries = _log_entries().filter(movement=movement, kind=SprintLogEntry.Kind.FRICTION)
    if category:
        entries = entries.filter(category=category)
    if month:
        start, end = month_range(month, movement.zone)
        entries = entries.filter(created_at__gte=start, created_at__lt=end)
    return keyset_page(entries, ordering=("-created_at", "-id"), older=older, newer=newer)


# --- the conflict ritual -------------------------------------------------------------------

CASE_VIEWS_SHOWN = 50


def ritual_versions(movement):
    return list(
        ConflictRitual.objects.filter(movement=movement)
        .select_related("adopted_by__user")
        .order_by("-version")
    )


def ritual_version_or_404(movement, version):
    return get_object_or_404(
        ConflictRitual.objects.select_related("adopted_by__user", "movement"),
        movement=movement,
        version=version,
    )


def case_or_404(membership, case_id):
    """The case with its parties and facilitators, and what the member is to it; 404 for
    anyone who may not see it (a case of another movement looks the same). Three queries."""
    # Only among the cases the member may see: a hidden case and a missing one cost the
    # same single query, and answer the same 404.
    case = get_object_or_404(
        ConflictCase.objects.visible_to(membership).select_related(
            "movement", "ritual", "filed_by__user"
        ),
        pk=case_id,
    )
    parties = list(case.parties.select_related("member__user").order_by("-is_filer", "pk"))
    facilitators = list(case.facilitators.select_related("member__user").order_by("pk"))
    roles = permissions.case_roles(
        membership,
        case,
        {party.member_id for party in parties},
        {seat.member_id for seat in facilitators},
    )
    if not permissions.can_see_case(roles):
        raise Http404("No such case.")
    case.party_list, case.facilitator_list, case.roles = parties, facilitators, roles
    return case


def cases_of(membership, *, older=None, newer=None):
    """The cases a member may see, newest first, a keyset page at a time."""
    return keyset_page(
        ConflictCase.objects.visible_to(membership)
        .select_related("movement", "ritual")
        .defer("description"),  # a list opens no sealed text
        ordering=("-created_at", "-id"),
        older=older,
        newer=newer,
    )


def availability_of(case):
    """The offered times, each with its answers (``answers``: {party id: can attend};
    ``cells``: the same in the order of ``case.party_list`` when the case has it) and how
    many parties can and cannot attend."""
    options = list(AvailabilityOption.objects.filter(case=case).prefetch_related("answers"))
    rows = []
    for option in options:
        answers = {answer.party_id: answer.can_attend for answer in option.answers.all()}
        rows.append(
            {
                "option": option,
                "answers": answers,
                "cells": [answers.get(party.pk) for party in getattr(case, "party_list", [])],
                "can": sum(1 for yes in answers.values() if yes),
                "cannot": sum(1 for yes in answers.values() if not yes),
            }
        )
    return rows


def agreements_of(case):
    """The agreements, each with the parties' checks (``checks``: {party id: held};
    ``answered``: [(party, held)] in the order of ``case.party_list``)."""
    agreements = list(Agreement.objects.filter(case=case).prefetch_related("checks"))
    parties = getattr(case, "party_list", [])
    rows = []
    for agreement in agreements:
        checks = {check.party_id: check.held for check in agreement.checks.all()}
        rows.append(
            {
                "agreement": agreement,
                "checks": checks,
                "answered": [(party, checks[party.pk]) for party in parties if party.pk in checks],
            }
        )
    return rows


def case_views(case, *, limit=CASE_VIEWS_SHOWN):
    """Who opened the case: each person once, with how many times, first and last, the most
    recent first (a party's own reloads push nobody out of sight). One query."""
    rows = list(
        CaseView.objects.filter(case=case)
        .values("viewer", "viewer__user__display_name")
        .annotate(count=Count("id"), first=Min("viewed_at"), last=Max("viewed_at"))
        .order_by("-last")[:limit]
    )
    for row in rows:
        row["name"] = row["viewer__user__display_name"] or _("a former member")
    return rows


def case_figures(movement, *, now=None):
    """What the whole movement sees of its cases: counts and a median, never a person.
    Practice drills are counted apart. Two queries."""
    now = now or timezone.now()
    year_start = timezone.localtime(now, movement.zone).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    State = ConflictCase.State
    real = ConflictCase.objects.filter(movement=movement, is_practice=False)
    figures = real.aggregate(
        opened=Count("id"),
        cooling_off=Count("id", filter=Q(state=State.COOLING_OFF)),
        under_way=Count("id", filter=Q(state__in=ConflictCase.OPEN_STATES)),
        resolved=Count("id", filter=Q(outcome=ConflictCase.Outcome.RESOLVED)),
        unresolved=Count("id", filter=Q(outcome=ConflictCase.Outcome.UNRESOLVED)),
    )
    figures["drills_this_year"] = ConflictCase.objects.filter(
        movement=movement, is_practice=True, created_at__gte=year_start
    ).count()
    waits = sorted(
        (held - created).total_seconds()
        for created, held in real.filter(held_at__isnull=False).values_list("created_at", "held_at")
    )
    figures["median_days_to_circle"] = round(statistics.median(waits) / 86400, 1) if waits else None
    return figures


# --- sovereignty gained --------------------------------------------------------------------

CYCLES_TO_RECORD = 12


def held_cycles_newest_first(movement, *, limit=CYCLES_TO_RECORD):
    """The cycles whose gathering was held, newest first: what can be recorded for."""
    return list(
        Cycle.objects.filter(movement=movement, gathering__state=Gathering.State.CLOSED)
        .order_by("-number")
        .distinct()[:limit]
    )


def sovereignty_page(movement, *, older=None, newer=None):
    return keyset_page(
        SovereigntyRecord.objects.filter(movement=movement).select_related(
            "cycle", "circle__movement", "recorded_by__user", "sprint", "pool", "resource"
        ),
        ordering=("-recorded_at", "-id"),
        older=older,
        newer=newer,
    )


def sovereignty_by_cycle(movement):
    """``{(cycle number, kind): (records, people)}``, counted in SQL, with each spark that
    became a circle counted as a new initiative of the cycle it happened in (the first
    whose gathering ends after it). Three queries."""
    rows = (
        SovereigntyRecord.objects.filter(movement=movement)
        .values_list("cycle__number", "kind")
        .annotate(records=Count("id"), people=Sum("people"))
        .order_by()
    )
    totals = {(number, kind): (records, people or 0) for number, kind, records, people in rows}
    for number, count in sparks_by_cycle(movement).items():
        records, people = totals.get((number, SovereigntyRecord.Kind.INITIATIVE), (0, 0))
        totals[(number, SovereigntyRecord.Kind.INITIATIVE)] = (records + count, people)
    return totals


def sparks_by_cycle(movement):
    """``{cycle number: sparks that became circles in it}``: two queries."""
    ends = list(
        Gathering.objects.filter(movement=movement)
        .order_by("cycle__number")
        .values_list("cycle__number", "ends_at")
    )
    counts = {}
    ignited = Spark.objects.filter(movement=movement, ignited_at__isnull=False)
    for at in ignited.values_list("ignited_at", flat=True):
        number = next((number for number, end in ends if end >= at), None)
        if number is not None:
            counts[number] = counts.get(number, 0) + 1
    return counts


def facilitator_choices(movement):
    """Who may facilitate a case: the movement's facilitators and organizers."""
    return (
        Membership.objects.filter(movement=movement, role__in=(Role.FACILITATOR, Role.ORGANIZER))
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


def sprint_bookings(sprint):
    """The spaces and tools booked for the sprint and not cancelled, in time order."""
    return list(
        SprintBooking.objects.filter(sprint=sprint, booking__cancelled_at__isnull=True)
        .select_related("booking__resource", "booking__circle")
        .order_by("booking__starts_at", "pk")
    )
