from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from circles import selectors as circle_selectors
from commons import charts, permissions, selectors, services
from commons.amounts import format_amount
from commons.forms import (
    ArchiveEntryForm,
    ArchiveFilterForm,
    BookingDecisionForm,
    BookingForm,
    ContributionForm,
    DecisionForm,
    DrawFilterForm,
    DrawRequestForm,
    EarlierForm,
    PeriodForm,
    PledgeChangeForm,
    PledgeForm,
    PoolForm,
    PoolPolicyForm,
    ResourceForm,
    ReversalForm,
    RotationForm,
    StartForm,
)
from commons.models import LedgerEntry, Pool
from commons.services import pledges, rotation
from movement.pagination import querystring_without_page
from movement.permissions import can_see_identity
from movement.streaming import csv_writer
from movement.tenancy import movement_view, require

PAGE_SIZE = 25


ONLY_PARTICIPANTS = _lazy("Only the pool's participants see who gave and who received.")


def _names_of_rotating_pool(membership, pool):
    if pool.kind == Pool.Kind.ROTATING:
        rotation = selectors.rotation_or_404(membership=membership, pool_id=pool.pk)
        require(
            permissions.can_see_rotation_names(selectors.seat_of(rotation, membership)),
            ONLY_PARTICIPANTS,
        )


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _context(membership, **extra):
    return {"movement": membership.movement, "membership": membership, **extra}


@movement_view
def pool_list(request, membership):
    return render(
        request,
        "commons/pool_list.html",
        _context(
            membership,
            pools=selectors.pools_of(membership.movement),
            can_create=permissions.can_create_pool(membership),
        ),
    )


@movement_view
def pool_create(request, membership):
    require(permissions.can_create_pool(membership), _("Only organizers can open pools."))
    form = PoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pool = services.create_pool(by=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pool is open."))
            return redirect(pool)
    return render(request, "commons/pool_form.html", _context(membership, form=form))


@movement_view
def pool_edit(request, membership, pool_id):
    pool = selectors.pool_or_404(membership=membership, pool_id=pool_id)
    require(pool.kind != Pool.Kind.ROTATING, services.ROTATING_ONLY)
    require(
        permissions.can_change_pool_policy(membership, pool),
        _("Only organizers change a pool's policy."),
    )
    initial = {
        "purpose": pool.purpose,
        "instant_limit": pool.instant_limit.normalize(),
        "approvals_required": pool.approvals_required,
    }
    form = PoolPolicyForm(request.POST or None, initial=initial, pool=pool)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_pool_policy(by=membership, pool=pool, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pool's policy is changed; the change is on record."))
            return redirect(pool)
    return render(request, "commons/pool_form.html", _context(membership, form=form, pool=pool))


@movement_view
def pool_detail(request, membership, pool_id):
    pool = selectors.pool_or_404(membership=membership, pool_id=pool_id)
    if pool.kind == Pool.Kind.ROTATING:
        return _rotation_page(
            request, membership, selectors.rotation_or_404(membership=membership, pool_id=pool.pk)
        )
    page = selectors.ledger_page(
        pool, older=request.GET.get("older"), newer=request.GET.get("newer")
    )
    series = selectors.chart_series(pool)
    pledged = selectors.pledge_figures(pool, today=pledges.local_today(membership.movement))
    pledged.update(
        monthly_text=format_amount(pledged["monthly"], pool),
        given_text=format_amount(pledged["given_amount"], pool),
        due_text=format_amount(pledged["due_amount"], pool),
    )
    return render(
        request,
        "commons/pool_detail.html",
        _context(
            membership,
            pool=pool,
            page=page,
            pledged=pledged,
            series=series,
            chart=charts.line_chart(series),
            reversible={e.pk for e in page if permissions.can_reverse_entry(membership, e)},
            can_edit=permissions.can_change_pool_policy(membership, pool),
        ),
    )


@movement_view
def contribute(request, membership, pool_id):
    pool = selectors.pool_or_404(membership=membership, pool_id=pool_id)
    require(pool.kind != Pool.Kind.ROTATING, services.ROTATING_ONLY)
    require(permissions.can_contribute(membership, pool), _("You cannot contribute here."))
    form = ContributionForm(
        request.POST or None, pool=pool, circles=circle_selectors.circles_of(membership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.contribute(by=membership, pool=pool, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Says back what was stored, in the pool's own terms (123, however it was typed).
            messages.success(
                request,
                _("Thank you: your contribution of %(amount)s is on the ledger.")
                % {"amount": format_amount(entry.amount, pool)},
            )
            return redirect(pool)
    return render(request, "commons/contribute.html", _context(membership, pool=pool, form=form))


@movement_view
def draw_create(request, membership, pool_id):
    pool = selectors.pool_or_404(membership=membership, pool_id=pool_id)
    require(pool.kind != Pool.Kind.ROTATING, services.ROTATING_ONLY)
    require(permissions.can_request_draw(membership, pool), _("You cannot draw from here."))
    form = DrawRequestForm(
        request.POST or None,
        pool=pool,
        circles=circle_selectors.active_circles(membership.movement),
        suggest_url=reverse("circles:suggest", kwargs={"movement_slug": membership.movement.slug}),
    )
    if request.method == "POST" and form.is_valid():
        try:
            draw = services.request_draw(by=membership, pool=pool, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            amount = format_amount(draw.amount, pool)
            if draw.entry_id:
                messages.success(
                    request, _("Granted: %(amount)s is on the ledger.") % {"amount": amount}
                )
            else:
                messages.success(
                    request,
                    _("Your request for %(amount)s is in the queue for approvals.")
                    % {"amount": amount},
                )
            return redirect(draw)
    return render(request, "commons/draw_form.html", _context(membership, pool=pool, form=form))


@movement_view
def draw_list(request, membership):
    filters = DrawFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    page = _page(request, selectors.draw_queue(membership.movement, state=state))
    page.object_list = selectors.with_tallies(page.object_list)
    return render(
        request,
        "commons/draw_list.html",
        _context(membership, filters=filters, page=page, state=state),
    )


def _draw_page(request, membership, draw, form=None, status=200):
    """The draw page, with the decision form when the caller may decide."""
    decisions = list(selectors.decisions_on(draw))
    eligible = selectors.eligible_circle_ids(membership=membership, draw_request=draw)
    decided = any(d.member_id == membership.user_id for d in decisions)
    can_decide = permissions.can_decide_draw(membership, draw, eligible, decided)
    if form is None and can_decide:
        form = DecisionForm(circles=circle_selectors.circles_by_ids(eligible))
    return render(
        request,
        "commons/draw_detail.html",
        _context(
            membership,
            draw=draw,
            pool=draw.pool,
            decisions=decisions,
            form=form if can_decide else None,
            can_withdraw=permissions.can_withdraw_draw(membership, draw),
        ),
        status=status,
    )


@movement_view
def draw_detail(request, membership, draw_id):
    draw = selectors.draw_or_404(membership=membership, draw_id=draw_id)
    return _draw_page(request, membership, draw)


@movement_view
@require_POST
def draw_decide(request, membership, draw_id):
    draw = selectors.draw_or_404(membership=membership, draw_id=draw_id)
    eligible = selectors.eligible_circle_ids(membership=membership, draw_request=draw)
    decided = selectors.has_decided(membership=membership, draw_request=draw)
    require(
        permissions.can_decide_draw(membership, draw, eligible, decided),
        _("Only members of other circles decide, once, while the request waits."),
    )
    form = DecisionForm(request.POST, circles=circle_selectors.circles_by_ids(eligible))
    if form.is_valid():
        try:
            services.decide_draw(by=membership, draw_request=draw, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect(draw)
    return _draw_page(request, membership, draw, form=form, status=400)


@movement_view
@require_POST
def draw_withdraw(request, membership, draw_id):
    draw = selectors.draw_or_404(membership=membership, draw_id=draw_id)
    require(
        permissions.can_withdraw_draw(membership, draw),
        _("Only the requester can withdraw an open request."),
    )
    services.withdraw_draw(by=membership, draw_request=draw)
    messages.success(request, _("You withdrew the request."))
    return redirect(draw)


@movement_view
def entry_reverse(request, membership, pool_id, entry_id):
    pool = selectors.pool_or_404(membership=membership, pool_id=pool_id)
    require(pool.kind != Pool.Kind.ROTATING, services.ROTATING_ONLY)
    entry = selectors.entry_or_404(pool=pool, entry_id=entry_id)
    require(
        permissions.can_reverse_entry(membership, entry),
        _("Only organizers reverse entries, and each entry only once."),
    )
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_entry(by=membership, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The entry is reversed; both stay on the ledger."))
            return redirect(pool)
    return render(
        request, "commons/reverse.html", _context(membership, pool=pool, entry=entry, form=form)
    )


@movement_view
def fairness(request, membership, pool_id):
    pool = selectors.pool_or_404(membership=membership, pool_id=pool_id)
    _names_of_rotating_pool(membership, pool)
    period = PeriodForm(request.GET or None)
    start, end = period.period()
    return render(
        request,
        "commons/fairness.html",
        _context(
            membership,
            pool=pool,
            period=period,
            start=start,
            end=end,
            # One aggregation (at most a row per circle), kept and paged in memory.
            rows=_page(request, selectors.fairness_rows(pool, start=start, end=end)),
            querystring=querystring_without_page(request),
        ),
    )


@movement_view
def ledger_csv(request, membership, pool_id):
    pool = selectors.pool_or_404(membership=membership, pool_id=pool_id)
    _names_of_rotating_pool(membership, pool)
    writer = csv_writer()
    rows = selectors.ledger_rows_for_export(pool)
    zone = pool.movement.zone  # ISO 8601 with the movement's offset, like every page

    # Written now, in the reader's language: the lines are read after the view returns.
    header = [
        _("entry"),
        _("recorded at"),
        _("kind"),
        _("amount"),
        _("balance after"),
        _("who"),
        _("circle"),
        _("reverses"),
        _("note"),
    ]
    kinds = {value: str(label) for value, label in LedgerEntry.Kind.choices}
    anonymous_name = _("anonymous")

    def lines():
        yield writer.writerow(header)
        for pk, at, kind, amount, balance, user_id, name, anonymous, circle, reverses, note in rows:
            shown = (
                name
                if can_see_identity(membership, person_id=user_id, anonymous=anonymous)
                else anonymous_name
            )
            yield writer.writerow(
                [
                    pk,
                    at.astimezone(zone).isoformat(),
                    kinds.get(kind, kind),
                    amount,
                    balance,
                    shown,
                    circle or "",
                    reverses or "",
                    note,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"{slugify(pool.movement.slug)}-{slugify(pool.name)}-ledger.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the knowledge archive ----------------------------------------------------------------


@movement_view
def archive_list(request, membership):
    filters = ArchiveFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    entries = selectors.archive(
        membership.movement,
        query=criteria.get("q", "").strip(),
        tag=criteria.get("tag", "").strip().lower(),
        lens=criteria.get("lens", ""),
    )
    return render(
        request,
        "commons/archive_list.html",
        _context(
            membership,
            filters=filters,
            page=_page(request, entries),
            querystring=querystring_without_page(request),
            keepers=selectors.archive_keepers(membership.movement),
        ),
    )


@movement_view
def archive_create(request, membership):
    require(permissions.can_add_archive_entry(membership), _("You cannot add to the archive."))
    form = ArchiveEntryForm(request.POST or None, circles=circle_selectors.circles_of(membership))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.add_archive_entry(by=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Added to the archive."))
            return redirect(entry)
    return render(request, "commons/archive_form.html", _context(membership, form=form))


@movement_view
def archive_detail(request, membership, entry_id):
    entry = selectors.archive_entry_or_404(membership=membership, entry_id=entry_id)
    return render(
        request,
        "commons/archive_detail.html",
        _context(
            membership,
            entry=entry,
            can_edit=permissions.can_edit_archive_entry(membership, entry),
        ),
    )


@movement_view
def archive_edit(request, membership, entry_id):
    entry = selectors.archive_entry_or_404(membership=membership, entry_id=entry_id)
    require(
        permissions.can_edit_archive_entry(membership, entry),
        _("Only its author or an organizer can edit this entry."),
    )
    initial = {
        "title": entry.title,
        "body": entry.body,
        "lens": entry.lens,
        "circle": entry.circle,
        "tags": ", ".join(tag.name for tag in entry.tags.all()),
    }
    circles = circle_selectors.circles_of(membership, include=entry.circle_id)
    form = ArchiveEntryForm(request.POST or None, initial=initial, circles=circles)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_archive_entry(by=membership, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Entry updated."))
            return redirect(entry)
    return render(
        request, "commons/archive_form.html", _context(membership, form=form, entry=entry)
    )


# --- shared spaces and tools ---------------------------------------------------------------


@movement_view
def resources(request, membership):
    """The commons' spaces and tools; organizers add them here."""
    movement = membership.movement
    can_manage = permissions.can_manage_resources(membership)
    form = ResourceForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        require(can_manage, _("Only organizers add spaces and tools to the commons."))
        if form.is_valid():
            try:
                resource = services.add_resource(by=membership, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(name)s is in the commons.") % {"name": resource})
                return redirect(resource)
    return render(
        request,
        "commons/resources.html",
        {
            "movement": movement,
            "membership": membership,
            "resources": selectors.resources_of(movement),
            "form": form,
        },
    )


@movement_view
def resource_detail(request, membership, resource_id):
    """A resource's bookings to come, and a slot to book."""
    resource = selectors.resource_or_404(membership=membership, resource_id=resource_id)
    movement = membership.movement
    with timezone.override(movement.zone):
        form = BookingForm(request.POST or None, circles=circle_selectors.circles_of(membership))
        if request.method == "POST" and form.is_valid():
            try:
                booking = services.book(by=membership, resource=resource, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Booked for longer than members book alone: it holds the time and "
                        "waits for a member of another circle to approve it."
                    )
                    if booking.waits_for_approval
                    else _("Booked. It is in your calendar feed."),
                )
                day = timezone.localtime(booking.starts_at).date().isoformat()
                return redirect(f"{resource.get_absolute_url()}?week={day}#booked-heading")
        return render(
            request,
            "commons/resource.html",
            {
                "movement": movement,
                "membership": membership,
                "resource": resource,
                "calendar": selectors.resource_calendar(
                    resource, **_calendar_period(request), zone=movement.zone
                ),
                "form": form,
                "can_manage": permissions.can_manage_resources(membership),
            },
        )


def _calendar_period(request):
    """``?month=2026-12`` or ``?week=2026-12-07`` (any day of it); else this week. A value
    that is not a date between 2000 and 2100 shows this week."""
    for period, value in (
        ("month", request.GET.get("month", "")[:7] + "-01"),
        ("week", request.GET.get("week", "")[:10]),
    ):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            continue
        if 2000 <= day.year <= 2100:
            return {"period": period, "day": day}
    return {"period": "week", "day": None}


@movement_view
def booking_decide(request, membership, resource_id, booking_id):
    """A long booking, and the decision a member of another circle gives on it."""
    resource = selectors.resource_or_404(membership=membership, resource_id=resource_id)
    booking = selectors.booking_or_404(
        membership=membership, resource=resource, booking_id=booking_id
    )
    can_decide = permissions.can_decide_booking(
        membership, booking, circle_selectors.circle_ids_of(membership)
    )
    form = BookingDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(can_decide, services.BOOKING_DECIDERS)
        if form.is_valid():
            try:
                services.decide_booking(
                    by=membership,
                    booking=booking,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your decision is recorded; the booker is told."))
                return redirect(resource)
        status = 400
    return render(
        request,
        "commons/booking_decide.html",
        _context(
            membership,
            resource=resource,
            booking=booking,
            form=form if can_decide else None,
        ),
        status=status,
    )


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def booking_cancel(request, membership, resource_id, booking_id):
    resource = selectors.resource_or_404(membership=membership, resource_id=resource_id)
    booking = selectors.booking_or_404(
        membership=membership, resource=resource, booking_id=booking_id
    )
    require(
        booking.booked_by_id == membership.pk or permissions.can_manage_resources(membership),
        _("Only who booked it, or an organizer, cancels a booking."),
    )
    services.cancel_booking(by=membership, booking=booking)
    messages.success(request, _("The booking is cancelled: the slot is free."))
    return redirect(resource)


# --- pledges ---------------------------------------------------------------------------------


@movement_view
def pledge_create(request, membership, pool_id):
    pool = selectors.pool_or_404(membership=membership, pool_id=pool_id)
    require(pool.kind != Pool.Kind.ROTATING, services.ROTATING_ONLY)
    today = pledges.local_today(membership.movement)
    form = PledgeForm(
        request.POST or None,
        pool=pool,
        circles=circle_selectors.circles_of(membership),
        initial={"starts_on": today, "rhythm": "monthly"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pledges.make_pledge(by=membership, pool=pool, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Thank you. On each day it falls due we ask you here whether you gave."),
            )
            return redirect("commons:pledges", movement_slug=membership.movement.slug)
    return render(request, "commons/pledge_form.html", _context(membership, pool=pool, form=form))


@movement_view
def pledge_list(request, membership):
    """The caller's own pledges, and the times they still wait for an answer."""
    return render(
        request,
        "commons/pledges.html",
        _context(membership, pledges=selectors.pledges_of(membership)),
    )


@movement_view
def pledge_detail(request, membership, pledge_id):
    """Change the amount or the last time of one's own pledge."""
    pledge = selectors.pledge_or_404(membership=membership, pledge_id=pledge_id)
    initial = {"amount": pledge.amount.normalize(), "ends_on": pledge.ends_on}
    form = PledgeChangeForm(request.POST or None, pool=pledge.pool, initial=initial)
    if request.method == "POST":
        require(pledge.ended_at is None, _("This pledge has ended; make a new one."))
        if form.is_valid():
            try:
                pledges.change_pledge(by=membership, pledge=pledge, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your pledge is changed."))
                return redirect("commons:pledges", movement_slug=membership.movement.slug)
    return render(request, "commons/pledge.html", _context(membership, pledge=pledge, form=form))


@movement_view
@require_POST
def pledge_state(request, membership, pledge_id):
    """Pause, resume or end one's own pledge."""
    pledge = selectors.pledge_or_404(membership=membership, pledge_id=pledge_id)
    action = request.POST.get("action")
    require(action in {"pause", "resume", "end"}, _("Pause, resume or end."))
    require(pledge.ended_at is None, _("This pledge has ended; make a new one."))
    if action == "end":
        pledges.end_pledge(by=membership, pledge=pledge)
        messages.success(request, _("Your pledge has ended. Thank you for what you gave."))
    else:
        pledges.pause_pledge(by=membership, pledge=pledge, paused=action == "pause")
        messages.success(
            request,
            _("Paused: nothing is asked of you until you resume.")
            if action == "pause"
            else _("Resumed: we ask you again when it next falls due."),
        )
    return redirect("commons:pledges", movement_slug=membership.movement.slug)


@movement_view
@require_POST
def gift_answer(request, membership, gift_id):
    """ "I gave" (on the ledger) or "skip this time", for one day a pledge fell due."""
    gift = selectors.gift_or_404(membership=membership, gift_id=gift_id)
    answer = request.POST.get("answer")
    require(answer in {"gave", "skip"}, _("Say whether you gave or skip this time."))
    try:
        gift = pledges.answer_gift(by=membership, gift=gift, gave=answer == "gave")
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        if gift.entry_id:
            messages.success(
                request,
                _("Thank you: %(amount)s is on the ledger of %(pool)s.")
                % {"amount": format_amount(gift.amount, gift.pool), "pool": gift.pool.name},
            )
        else:
            messages.success(request, _("Skipped this time. Nobody else sees it."))
    return redirect("commons:pledges", movement_slug=membership.movement.slug)


# --- rotating pools -----------------------------------------------------------------------------


@movement_view
def rotation_create(request, membership):
    require(permissions.can_create_pool(membership), _("Only organizers can open pools."))
    form = RotationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = rotation.open_rotation(by=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The rotating pool is open: members join it on their own consent.")
            )
            return redirect(opened.pool)
    return render(request, "commons/rotation_form.html", _context(membership, form=form))


def _rotation_page(request, membership, opened, *, earlier_form=None, status=200):
    seat = selectors.seat_of(opened, membership)
    return render(
        request,
        "commons/rotation.html",
        _context(
            membership,
            pool=opened.pool,
            rotation=opened,
            seat=seat,
            sees_names=permissions.can_see_rotation_names(seat),
            can_start=permissions.can_start_rotation(membership, opened, seat),
            earlier_form=earlier_form or EarlierForm(),
            **selectors.rotation_page(opened, seat=seat),
        ),
        status=status,
    )


def _back(opened):
    return redirect(opened.pool)


@movement_view
@require_POST
def rotation_take_part(request, membership, pool_id):
    """Join (on one's own consent) or leave, while the pool forms."""
    opened = selectors.rotation_or_404(membership=membership, pool_id=pool_id)
    action = request.POST.get("action")
    require(action in {"join", "leave"}, _("Join or leave."))
    try:
        if action == "join":
            rotation.join(by=membership, rotation=opened)
        else:
            rotation.leave(by=membership, rotation=opened)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _rotation_page(request, membership, opened, status=400)
    messages.success(
        request,
        _("You are taking part.") if action == "join" else _("You no longer take part."),
    )
    return _back(opened)


@movement_view
@require_POST
def rotation_earlier(request, membership, pool_id):
    """A participant asks to be paid earlier, saying why."""
    opened = selectors.rotation_or_404(membership=membership, pool_id=pool_id)
    form = EarlierForm(request.POST)
    if form.is_valid():
        try:
            rotation.ask_earlier(by=membership, rotation=opened, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your ask is with the others."))
            return _back(opened)
    return _rotation_page(request, membership, opened, earlier_form=form, status=400)


@movement_view
@require_POST
def rotation_vote(request, membership, pool_id, seat_id):
    """Another participant's yes or no to an ask to go earlier."""
    opened = selectors.rotation_or_404(membership=membership, pool_id=pool_id)
    require(
        permissions.can_see_rotation_names(selectors.seat_of(opened, membership)),
        ONLY_PARTICIPANTS,
    )
    asking = selectors.seat_or_404(rotation=opened, seat_id=seat_id)
    answer = request.POST.get("approve")
    require(answer in {"yes", "no"}, _("Say yes or no."))
    try:
        rotation.vote_earlier(by=membership, seat=asking, approve=answer == "yes")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _rotation_page(request, membership, opened, status=400)
    messages.success(request, _("Your word is counted."))
    return _back(opened)


@movement_view
def rotation_start(request, membership, pool_id):
    """The order, proposed (approved asks first, then the lot) and agreed, and the rounds
    begin."""
    opened = selectors.rotation_or_404(membership=membership, pool_id=pool_id)
    seat = selectors.seat_of(opened, membership)
    require(permissions.can_start_rotation(membership, opened, seat), rotation.START_REFUSED)
    require(
        opened.state == opened.State.FORMING,
        _("Its rounds have begun: nobody joins or leaves until it ends."),
    )
    seats = rotation.proposed_order(opened)
    for each in seats:
        each.member  # noqa: B018 — loaded once for the labels
    form = StartForm(request.POST or None, seats=seats)
    if request.method == "POST" and form.is_valid():
        try:
            rotation.start(by=membership, rotation=opened, order=form.order())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The rounds have begun."))
            return _back(opened)
    return render(
        request,
        "commons/rotation_start.html",
        _context(membership, pool=opened.pool, rotation=opened, form=form, seats=seats),
    )


@movement_view
@require_POST
def rotation_share(request, membership, pool_id):
    """A participant says they put in their share of the open round."""
    opened = selectors.rotation_or_404(membership=membership, pool_id=pool_id)
    try:
        entry = rotation.pay_share(by=membership, rotation=opened)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _rotation_page(request, membership, opened, status=400)
    messages.success(
        request,
        _("Thank you: your share of %(amount)s is on the ledger.")
        % {"amount": format_amount(entry.amount, opened.pool)},
    )
    return _back(opened)
