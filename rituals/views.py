from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_POST, require_safe

from circles import selectors as circle_selectors
from commons import models as commons_models
from commons import selectors as commons_selectors
from commons.models import DrawRequest
from movement import selectors as movement_selectors
from movement.models import Role
from movement.pagination import keyset_page
from movement.tenancy import movement_view, require
from rituals import permissions, selectors, uploads
from rituals.calendar import feed_calendar, gathering_calendar
from rituals.forms import (
    AgendaItemChoiceForm,
    AgendaItemForm,
    ArtifactFileForm,
    ArtifactForm,
    AssignFacilitatorForm,
    AvailabilityForm,
    CaseForm,
    CheckInForm,
    CloseCaseForm,
    CommitmentForm,
    DecisionForm,
    ExtendForm,
    FrictionFilterForm,
    GatheringForm,
    HeldForm,
    NotesForm,
    OfferTimesForm,
    ReflectionForm,
    ReportForm,
    RhythmForm,
    RitualForm,
    RsvpForm,
    ScheduleForm,
    SovereigntyForm,
    SprintBookingForm,
    SprintDrawForm,
    SprintLogEntryForm,
    SprintRoundForm,
    StatementForm,
    SwapForm,
)
from rituals.models import (
    Agreement,
    ArtifactFile,
    AvailabilityOption,
    ConflictCase,
    ConflictRitual,
    RoundCircle,
    SovereigntyRecord,
    Sprint,
    SprintRound,
)
from rituals.services import conflicts as conflict_services
from rituals.services import convergence as convergence_services
from rituals.services import facilitation
from rituals.services import sovereignty as sovereignty_services
from rituals.services import sprints as sprint_services

REPORTS_PER_PAGE = 20
DRIFTING_SHOWN = 20


@movement_view
def convergence(request, membership):
    movement = membership.movement
    past = Paginator(selectors.gatherings(movement, upcoming=False), 12).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "rituals/convergence.html",
        {
            "movement": movement,
            "membership": membership,
            "rhythm": selectors.rhythm_of(movement),
            "upcoming": selectors.gatherings(movement)[:6],
            "past": past,
            "can_set_rhythm": permissions.can_set_rhythm(membership),
            "drifting": (
                Paginator(selectors.drifting_circles(movement), DRIFTING_SHOWN).page(1)
                if permissions.can_see_drift(membership)
                else None
            ),
        },
    )


@movement_view
def rhythm_edit(request, membership):
    require(permissions.can_set_rhythm(membership), _("Only organizers set the rhythm."))
    movement = membership.movement
    initial = RhythmForm.initial_for(movement, selectors.rhythm_of(movement))
    form = RhythmForm(request.POST or None, initial=initial)
    # "Preview" shows the next dates of the unsaved rhythm and writes nothing: it answers
    # with the page (200), so the one-time form token stays unspent for the real save.
    previewing = "preview" in request.POST
    if request.method == "POST" and form.is_valid() and not previewing:
        try:
            convergence_services.set_rhythm(by=membership, **form.rhythm_values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The rhythm is set; the next gatherings are planned."))
            return redirect("rituals:convergence", movement_slug=movement.slug)
    template = "rituals/rhythm_form.html"
    if previewing and request.htmx:
        template += "#preview"
    return render(
        request,
        template,
        {"movement": movement, "membership": membership, "form": form, "previewing": previewing},
    )


def _back_to(request):
    """The page a form was sent from (an RSVP on the movement home), if it is this site's."""
    url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@movement_view
def gathering_detail(request, membership, gathering_id):
    gathering = selectors.gathering_or_404(membership=membership, gathering_id=gathering_id)
    form = RsvpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            convergence_services.answer_gathering(
                by=membership, gathering=gathering, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for answering."))
            return redirect(_back_to(request) or gathering)
    return render(
        request,
        "rituals/gathering.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "gathering": gathering,
            "form": form,
            "answer": selectors.answer_of(membership=membership, gathering=gathering),
            "attendance": selectors.attendance(gathering),
            "now": timezone.now(),
            "can_facilitate": permissions.can_facilitate(
                membership, gathering, selectors.facilitator_ids(gathering)
            ),
            "can_edit": permissions.can_edit_gathering(membership, gathering),
            **selectors.live_state(gathering, minutes_page=request.GET.get("minutes")),
            "reports": Paginator(selectors.reports_for(gathering), REPORTS_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "report_due_at": selectors.report_due_at(gathering),
            "my_convened": [
                circle
                for circle in selectors.circles_convened_by(membership)
                if permissions.can_submit_report(membership, circle, circle.my_seat, gathering)
            ],
        },
    )


@movement_view
def gathering_ics(request, membership, gathering_id):
    gathering = selectors.gathering_or_404(membership=membership, gathering_id=gathering_id)
    response = HttpResponse(gathering_calendar([gathering]), content_type="text/calendar")
    response["Content-Disposition"] = (
        f'attachment; filename="gathering-{gathering.starts_at:%Y-%m-%d}.ics"'
    )
    return response


@movement_view
def report_edit(request, membership, gathering_id, circle_slug):
    gathering = selectors.gathering_or_404(membership=membership, gathering_id=gathering_id)
    circle = circle_selectors.circle_for_member_or_404(
        membership=membership, circle_slug=circle_slug
    )
    seat = circle_selectors.seat_of(membership=membership, circle=circle)
    require(
        permissions.can_submit_report(membership, circle, seat, gathering),
        _("Only this circle's conveners report for it, until the gathering closes."),
    )
    report = selectors.report_of(gathering=gathering, circle=circle)
    commitments = selectors.commitments_to_review(circle=circle, gathering=gathering, report=report)
    initial = model_to_dict(report, fields=ReportForm.base_fields) if report else {}
    form = ReportForm(request.POST or None, initial=initial, commitments=commitments)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ReportForm.base_fields}
        try:
            convergence_services.submit_report(
                by=membership,
                gathering=gathering,
                circle=circle,
                outcomes=form.outcomes(),
                **fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The report is in. Thank you."))
            return redirect(gathering)
    return render(
        request,
        "rituals/report_form.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "gathering": gathering,
            "circle": circle,
            "form": form,
            "report": report,
        },
    )


@login_required
def calendar_settings(request):
    if request.method == "POST":
        convergence_services.renew_calendar_feed(user=request.user)
        messages.success(request, _("New link made. The old one no longer works."))
        return redirect("calendar")
    feed = convergence_services.calendar_feed_for(request.user)
    url = request.build_absolute_uri(reverse("calendar_feed", kwargs={"token": feed.token}))
    return render(request, "rituals/calendar.html", {"feed_url": url})


@never_cache
def calendar_feed(request, token):
    """The private feed: the token is the only key, so a calendar app can fetch it."""
    feed = selectors.calendar_feed_or_404(token)
    body = feed_calendar(feed.user)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def _live_context(membership, gathering, minutes_page=None):
    return {
        "movement": membership.movement,
        "membership": membership,
        "gathering": gathering,
        "now": timezone.now(),
        "attendance": selectors.attendance(gathering),
        **selectors.live_state(gathering, minutes_page=minutes_page),
    }


@movement_view  # membership first: outsiders learn nothing, not even a version
@condition(etag_func=selectors.gathering_version)
def gathering_live(request, membership, gathering_id):
    """The live panel alone, polled by every attendee's page. Nothing changed: 204 for the
    page's own poll (it names the version it shows, so htmx swaps nothing and screen
    readers stay quiet), 304 for a client that sent the ETag."""
    gathering = selectors.gathering_or_404(membership=membership, gathering_id=gathering_id)
    if request.GET.get("v") == str(gathering.version):
        return HttpResponse(status=204)
    return render(
        request,
        "rituals/gathering.html#live",
        _live_context(membership, gathering, minutes_page=request.GET.get("minutes")),
    )


def _facilitator_gathering(membership, gathering_id):
    gathering = selectors.gathering_or_404(membership=membership, gathering_id=gathering_id)
    require(
        permissions.can_facilitate(membership, gathering, selectors.facilitator_ids(gathering)),
        _("Only this gathering's facilitators (or an organizer) run it, while it is open."),
    )
    return gathering


@movement_view
def facilitate(request, membership, gathering_id):
    gathering = _facilitator_gathering(membership, gathering_id)
    context = _live_context(membership, gathering)
    circles = circle_selectors.active_circles(membership.movement)
    current = context["current"]
    now = context["now"]
    context.update(
        can_start=gathering.can_start_at(now),
        opens_later=gathering.state == gathering.State.SCHEDULED and now < gathering.opens_at,
        can_put_back=gathering.state == gathering.State.LIVE
        and facilitation.nothing_recorded(gathering),
        item_form=AgendaItemForm(),
        extend_form=ExtendForm(),
        notes_form=NotesForm(initial={"notes": current.notes}) if current else None,
        # Distinct ids: both forms have a field called "text".
        decision_form=DecisionForm(auto_id="decision_%s"),
        commitment_form=CommitmentForm(
            circles=circles,
            suggest_url=reverse(
                "circles:suggest", kwargs={"movement_slug": membership.movement.slug}
            ),
            auto_id="commitment_%s",
        ),
    )
    return render(request, "rituals/facilitate.html", context)


def _cleaned(request, form_class, **kwargs):
    """The posted form's data, or a ValidationError naming each field that is wrong."""
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[name].label}: {' '.join(errors)}"
                if name in form.fields
                else " ".join(errors)
                for name, errors in form.errors.items()
            ]
        )
    return form.cleaned_data


def _item(request, gathering):
    return _cleaned(request, AgendaItemChoiceForm, gathering=gathering)["item"]


# Facilitator actions: one named function each, ``action(request, membership, gathering)``.


def _start_gathering(request, membership, gathering):
    facilitation.start_gathering(by=membership, gathering=gathering)


def _build_agenda(request, membership, gathering):
    facilitation.build_agenda(by=membership, gathering=gathering)


def _add_item(request, membership, gathering):
    facilitation.add_agenda_item(
        by=membership, gathering=gathering, **_cleaned(request, AgendaItemForm)
    )


def _move_item_up(request, membership, gathering):
    facilitation.move_agenda_item(by=membership, item=_item(request, gathering), up=True)


def _move_item_down(request, membership, gathering):
    facilitation.move_agenda_item(by=membership, item=_item(request, gathering), up=False)


def _start_item(request, membership, gathering):
    facilitation.start_item(by=membership, item=_item(request, gathering))


def _extend_item(request, membership, gathering):
    facilitation.extend_item(
        by=membership, item=_item(request, gathering), **_cleaned(request, ExtendForm)
    )


def _end_item(request, membership, gathering):
    facilitation.end_item(by=membership, item=_item(request, gathering))


def _save_notes(request, membership, gathering):
    facilitation.save_notes(
        by=membership, item=_item(request, gathering), **_cleaned(request, NotesForm)
    )


def _record_decision(request, membership, gathering):
    facilitation.record_decision(
        by=membership, gathering=gathering, **_cleaned(request, DecisionForm)
    )


def _record_commitment(request, membership, gathering):
    circles = circle_selectors.active_circles(gathering.movement)
    facilitation.record_commitment(
        by=membership, gathering=gathering, **_cleaned(request, CommitmentForm, circles=circles)
    )


def _put_back_to_planned(request, membership, gathering):
    facilitation.put_back_to_planned(by=membership, gathering=gathering)
    messages.success(request, _("The gathering is planned again, as if it had not started."))


def _close_gathering(request, membership, gathering):
    """Closing publishes the minutes to everyone: the first post asks, the second closes.
    A plain form, so it works without JavaScript."""
    if gathering.state == gathering.State.LIVE and request.POST.get("confirm") != "yes":
        context = _live_context(membership, gathering)
        return render(request, "rituals/close_confirm.html", context)
    facilitation.close_gathering(by=membership, gathering=gathering)
    messages.success(request, _("The gathering is closed and its minutes are published."))
    return redirect(gathering)


FACILITATOR_ACTIONS = {
    "start": _start_gathering,
    "unstart": _put_back_to_planned,
    "build_agenda": _build_agenda,
    "add_item": _add_item,
    "up": _move_item_up,
    "down": _move_item_down,
    "start_item": _start_item,
    "extend_item": _extend_item,
    "end_item": _end_item,
    "notes": _save_notes,
    "decision": _record_decision,
    "commitment": _record_commitment,
    "close": _close_gathering,
}


@movement_view
@require_POST
def facilitate_action(request, membership, gathering_id, action):
    gathering = _facilitator_gathering(membership, gathering_id)
    if action not in FACILITATOR_ACTIONS:
        raise Http404("No such action.")
    try:
        response = FACILITATOR_ACTIONS[action](request, membership, gathering)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if response is not None:
            return response
    return redirect(
        "rituals:facilitate", movement_slug=membership.movement.slug, gathering_id=gathering.pk
    )


@movement_view
def gathering_edit(request, membership, gathering_id):
    gathering = selectors.gathering_or_404(membership=membership, gathering_id=gathering_id)
    require(
        permissions.can_edit_gathering(membership, gathering),
        _("Only organizers change a gathering, before it starts."),
    )
    members = movement_selectors.members_of(membership.movement)
    initial = {
        "starts_at": gathering.starts_at,
        "ends_at": gathering.ends_at,
        "place": gathering.place,
        "call_link": gathering.call_link,
        "facilitators": [m.pk for m in gathering.facilitators.all()],
    }
    with timezone.override(membership.movement.zone):
        form = GatheringForm(
            request.POST or None,
            initial=initial,
            members=members,
            current=list(gathering.facilitators.select_related("user")),
            suggest_url=reverse(
                "movement:member_suggest", kwargs={"movement_slug": membership.movement.slug}
            ),
        )
        if request.method == "POST" and form.is_valid():
            try:
                convergence_services.update_gathering(
                    by=membership, gathering=gathering, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The gathering is updated; reminders follow it."))
                return redirect(gathering)
        return render(
            request,
            "rituals/gathering_form.html",
            {
                "movement": membership.movement,
                "membership": membership,
                "gathering": gathering,
                "form": form,
            },
        )


# --- integration sprints ---------------------------------------------------------------------

MY_SPRINTS_SHOWN = 10


def _run_rounds_reason():
    return _("Only facilitators and organizers run sprint rounds.")


def _page_cursors(request):
    return {"older": request.GET.get("older"), "newer": request.GET.get("newer")}


@movement_view
def sprints(request, membership):
    movement = membership.movement
    rounds = SprintRound.objects.for_movement(movement).select_related("movement")
    return render(
        request,
        "rituals/sprints/list.html",
        {
            "movement": movement,
            "membership": membership,
            "page": keyset_page(rounds, ordering=("-created_at", "-id"), **_page_cursors(request)),
            "my_sprints": Sprint.objects.of_member(membership)
            .filter(movement=movement, state__in=(Sprint.State.RUNNING, Sprint.State.PRESENTING))
            .select_related("movement")
            .with_circles()
            .order_by("ends_at", "pk")[:MY_SPRINTS_SHOWN],
            "can_run": permissions.can_run_sprint_rounds(membership),
        },
    )


@movement_view
def round_open(request, membership):
    require(permissions.can_run_sprint_rounds(membership), _run_rounds_reason())
    movement = membership.movement
    with timezone.override(movement.zone):
        initial = {"deadline": timezone.localtime() + timedelta(days=7)}
        form = SprintRoundForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                sprint_round = sprint_services.open_round(by=membership, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("The round is open: conveners can opt their circles in.")
                )
                return redirect(sprint_round)
        return render(
            request,
            "rituals/sprints/round_form.html",
            {"movement": movement, "membership": membership, "form": form},
        )


def _round_or_404(membership, round_id):
    return get_object_or_404(
        SprintRound.objects.select_related("movement", "opened_by__user"),
        pk=round_id,
        movement=membership.movement,
    )


def _round_state(request, membership, sprint_round):
    """What the round page shows in the round's state: each list a page at a time."""
    State = SprintRound.State
    if sprint_round.state in (State.OPEN, State.CANCELLED):
        entries = RoundCircle.objects.filter(round=sprint_round).select_related("circle__movement")
        return {
            "entries": keyset_page(
                entries, ordering=("opted_in_at", "id"), **_page_cursors(request)
            ),
            "my_circles": sprint_services.convened_circles_in(sprint_round, membership)
            if sprint_round.state == State.OPEN
            else [],
        }
    if sprint_round.state == State.PROPOSED:
        size = sprint_services.GROUPS_PER_PAGE
        first = request.GET.get("groups", "1")
        first = int(first) if first.isascii() and first.isdigit() and len(first) < 9 else 1
        first = max(1, min(first, sprint_round.group_count))
        return {
            "groups": sprint_services.proposed_groups(sprint_round, first=first, size=size),
            "groups_before": max(first - size, 1) if first > 1 else None,
            "groups_after": first + size if first + size <= sprint_round.group_count else None,
            "swap_form": SwapForm(circles=None, suggest_url=_circle_suggest_url(membership)),
        }
    launched = Sprint.objects.filter(round=sprint_round).select_related("movement")
    return {
        "my_sprints": launched.of_member(membership).with_circles()[:MY_SPRINTS_SHOWN],
        "sprints": keyset_page(launched.with_circles(), ordering=("id",), **_page_cursors(request)),
    }


def _circle_suggest_url(membership):
    return reverse("circles:suggest", kwargs={"movement_slug": membership.movement.slug})


@movement_view
def sprint_round(request, membership, round_id):
    sprint_round = _round_or_404(membership, round_id)
    now = timezone.now()
    return render(
        request,
        "rituals/sprints/round.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "round": sprint_round,
            "now": now,
            "accepts_circles": sprint_round.accepts_circles_at(now),
            "can_run": permissions.can_run_sprint_rounds(membership),
            **_round_state(request, membership, sprint_round),
        },
    )


def _answer_for_circle(request, membership, round_id, circle_slug, *, service, done):
    sprint_round = _round_or_404(membership, round_id)
    circle = circle_selectors.circle_for_member_or_404(
        membership=membership, circle_slug=circle_slug
    )
    seat = circle_selectors.seat_of(membership=membership, circle=circle)
    require(
        permissions.can_answer_for_circle(membership, circle, seat),
        _("Only this circle's conveners answer for it."),
    )
    try:
        service(by=membership, round=sprint_round, circle=circle)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"circle": circle.name})
    return redirect(sprint_round)


@movement_view
@require_POST
def round_opt_in(request, membership, round_id, circle_slug):
    return _answer_for_circle(
        request,
        membership,
        round_id,
        circle_slug,
        service=sprint_services.opt_in,
        done=_("%(circle)s is in the round."),
    )


@movement_view
@require_POST
def round_opt_out(request, membership, round_id, circle_slug):
    return _answer_for_circle(
        request,
        membership,
        round_id,
        circle_slug,
        service=sprint_services.opt_out,
        done=_("%(circle)s is out of the round."),
    )


def _run_round(request, membership, round_id, *, service, done):
    sprint_round = _round_or_404(membership, round_id)
    require(permissions.can_run_sprint_rounds(membership), _run_rounds_reason())
    try:
        service(by=membership, round=sprint_round)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(sprint_round)


@movement_view
@require_POST
def round_propose(request, membership, round_id):
    return _run_round(
        request,
        membership,
        round_id,
        service=sprint_services.propose,
        done=_("The pairs are proposed. Swap circles if you need to, then launch."),
    )


@movement_view
@require_POST
def round_launch(request, membership, round_id):
    return _run_round(
        request,
        membership,
        round_id,
        service=sprint_services.launch,
        done=_("The sprints are running; every paired circle has been told."),
    )


@movement_view
@require_POST
def round_cancel(request, membership, round_id):
    return _run_round(
        request,
        membership,
        round_id,
        service=sprint_services.cancel_round,
        done=_("The round is cancelled."),
    )


@movement_view
def round_swap(request, membership, round_id):
    """GET with two circles shows what swapping them costs in collaboration strength; the
    confirming POST swaps them."""
    sprint_round = _round_or_404(membership, round_id)
    require(permissions.can_run_sprint_rounds(membership), _run_rounds_reason())
    data = request.POST if request.method == "POST" else (request.GET or None)
    circles = circle_selectors.active_circles(membership.movement).filter(
        sprint_round_entries__round=sprint_round
    )
    form = SwapForm(data, circles=circles, suggest_url=_circle_suggest_url(membership))
    cost = None
    if data is not None and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        try:
            if request.method == "POST":
                cost = sprint_services.swap(by=membership, round=sprint_round, a=a, b=b)
                messages.success(
                    request,
                    _("%(a)s and %(b)s swapped sprints (strength %(cost)+d).")
                    % {"a": a.name, "b": b.name, "cost": cost},
                )
                return redirect(sprint_round)
            cost = sprint_services.swap_cost(round=sprint_round, a=a, b=b)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "rituals/sprints/swap.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "round": sprint_round,
            "form": form,
            "cost": cost,
            "cost_magnitude": abs(cost) if cost is not None else None,
        },
    )


@movement_view
def sprint_detail(request, membership, sprint_id):
    sprint = get_object_or_404(
        Sprint.objects.select_related("movement", "round").with_circles(),
        pk=sprint_id,
        movement=membership.movement,
    )
    now = timezone.now()
    template = "rituals/sprints/sprint.html"
    if request.htmx:
        template += "#countdown"
    return render(
        request,
        template,
        {
            "movement": membership.movement,
            "membership": membership,
            "sprint": sprint,
            "circles": [seat.circle for seat in sprint.sprint_circles.all()],
            "now": now,
            "elapsed": sprint.seconds_elapsed(now),
            **_sprint_log_and_draws(request, membership, sprint),
            **_forge_context(request, membership, sprint),
        },
    )


# --- the open log, the sprint's draws, the frictions report ---------------------------------


def _sprint_or_404(membership, sprint_id):
    return get_object_or_404(
        Sprint.objects.select_related("movement").with_circles(),
        pk=sprint_id,
        movement=membership.movement,
    )


def _log_cursors(request):
    return {"older": request.GET.get("log_older"), "newer": request.GET.get("log_newer")}


def _sprint_log_and_draws(request, membership, sprint):
    """The sprint page's open log and draws. The same queries whoever reads (the pools for
    the log form included), so the page costs the same for the paired circles and the
    rest of the movement; none for the countdown's refresh."""
    if request.htmx:
        return {}
    my_circle_ids = selectors.my_circles_in_sprint(membership, sprint)
    circles = [seat.circle for seat in sprint.sprint_circles.all()]
    can_write = permissions.can_write_sprint_log(membership, sprint, my_circle_ids)
    pools = selectors.pools_for_log(membership.movement)
    return {
        "log": selectors.sprint_log(sprint, **_log_cursors(request)),
        "log_form": SprintLogEntryForm(
            pools=pools, circles=[c for c in circles if c.pk in my_circle_ids]
        )
        if can_write
        else None,
        "takes_part": permissions.takes_part_in_sprint(membership, my_circle_ids),
        "can_link_draws": permissions.can_link_sprint_draw(membership, sprint, my_circle_ids),
        "draws": selectors.sprint_draws(sprint),
        "bookings": selectors.sprint_bookings(sprint),
    }


def _takes_part_or_403(membership, sprint, reason):
    my_circle_ids = selectors.my_circles_in_sprint(membership, sprint)
    require(permissions.takes_part_in_sprint(membership, my_circle_ids), reason)
    return my_circle_ids


@movement_view
def sprint_log_write(request, membership, sprint_id):
    """The open log's form: on the sprint page, and on a page of its own when an entry comes
    back with errors."""
    sprint = _sprint_or_404(membership, sprint_id)
    my_circle_ids = _takes_part_or_403(
        membership, sprint, _("Only members of the sprint's circles write in its log.")
    )
    circles = [seat.circle for seat in sprint.sprint_circles.all()]
    form = SprintLogEntryForm(
        request.POST or None,
        pools=selectors.pools_for_log(membership.movement),
        circles=[circle for circle in circles if circle.pk in my_circle_ids],
    )
    if request.method == "POST" and form.is_valid():
        try:
            sprint_services.write_log_entry(by=membership, sprint=sprint, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your entry is in the open log."))
            return redirect(f"{sprint.get_absolute_url()}#log")
    return render(
        request,
        "rituals/sprints/log_form.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "sprint": sprint,
            "circles": circles,
            "form": form,
            "log_open": sprint.state in sprint_services.LOG_OPEN,
        },
    )


@movement_view
def sprint_draw_link(request, membership, sprint_id):
    """The commons draws that could serve the sprint; the confirming POST links one."""
    sprint = _sprint_or_404(membership, sprint_id)
    _takes_part_or_403(
        membership, sprint, _("Only members of the sprint's circles link its draws.")
    )
    form = SprintDrawForm(request.POST or None, draws=selectors.draws_to_link(sprint))
    if request.method == "POST" and form.is_valid():
        draw_request = get_object_or_404(
            DrawRequest.objects.select_related("pool"),
            pk=form.cleaned_data["draw"],
            pool__movement=membership.movement,
        )
        try:
            sprint_services.link_draw(by=membership, sprint=sprint, draw_request=draw_request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draw is linked to the sprint."))
            return redirect(f"{sprint.get_absolute_url()}#draws")
    return render(
        request,
        "rituals/sprints/draw_link.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "sprint": sprint,
            "circles": [seat.circle for seat in sprint.sprint_circles.all()],
            "form": form,
            "log_open": sprint.state in sprint_services.LOG_OPEN,
        },
    )


@movement_view
def sprint_book(request, membership, sprint_id):
    """Book a shared space or tool of the commons for the sprint's hours."""
    sprint = _sprint_or_404(membership, sprint_id)
    _takes_part_or_403(membership, sprint, _("Only members of the sprint's circles book for it."))
    zone = membership.movement.zone
    with timezone.override(zone):
        form = SprintBookingForm(
            request.POST or None,
            resources=commons_selectors.bookable_resources(membership.movement),
            initial={"starts_at": sprint.starts_at, "ends_at": sprint.ends_at},
        )
        if request.method == "POST" and form.is_valid():
            try:
                sprint_services.book_for_sprint(by=membership, sprint=sprint, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Booked for the sprint."))
                return redirect(f"{sprint.get_absolute_url()}#bookings")
        return render(
            request,
            "rituals/sprints/book.html",
            {
                "movement": membership.movement,
                "membership": membership,
                "sprint": sprint,
                "circles": [seat.circle for seat in sprint.sprint_circles.all()],
                "form": form,
                "running": sprint.state == Sprint.State.RUNNING,
            },
        )


def _entries_cursors(request):
    return {"older": request.GET.get("older"), "newer": request.GET.get("newer")}


@movement_view
def frictions(request, membership):
    """Frictions across every sprint of the movement: counts by category and month, the
    entries behind a count, the pools and tools most involved."""
    require(permissions.can_read_frictions(membership), _("Only members read the report."))
    movement = membership.movement
    form = FrictionFilterForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    context = {
        "movement": movement,
        "membership": membership,
        "form": form,
        "chosen_category": chosen.get("category") or "",
        "chosen_month": chosen.get("month"),
        "querystring": querystring_without_cursors(request),
        "entries": selectors.friction_entries(
            movement,
            category=chosen.get("category") or None,
            month=chosen.get("month"),
            **_entries_cursors(request),
        ),
    }
    if request.htmx:  # the filter swaps the entries alone: the counts stay as they are
        return render(request, "rituals/sprints/frictions.html#entries", context)
    context["report"] = selectors.frictions_report(movement)
    context["pools"] = selectors.pools_most_involved(movement)
    context["tools"] = selectors.tools_most_involved(movement)
    return render(request, "rituals/sprints/frictions.html", context)


def querystring_without_cursors(request):
    """The filters of the request, without the page cursors, for pagination links."""
    querystring = request.GET.copy()
    for name in ("older", "newer"):
        querystring.pop(name, None)
    return querystring.urlencode()


# --- the artifact, its files, the reflection and the closing --------------------------------


def _upload_form(data=None, files=None):
    return ArtifactFileForm(
        data,
        files,
        max_bytes=settings.ARTIFACT_MAX_BYTES,
        kinds=uploads.allowed_labels(),
        auto_id="artifact_%s",
    )


def _forge_context(request, membership, sprint):
    """The sprint page's artifact, files, reflection and closing: a fixed number of queries
    whoever reads, none for the countdown's refresh."""
    if request.htmx:
        return {}
    forge = sprint_services.SprintForge(membership, sprint)
    can_forge = forge.can_forge and forge.artifact is not None
    return {
        "forge": forge,
        "upload_form": _upload_form() if forge.can_add_files else None,
        "reflection_form": ReflectionForm(
            initial={"text": forge.artifact.reflection}, auto_id="reflection_%s"
        )
        if can_forge
        else None,
    }


def _forging_sprint_or_404(membership, sprint_id):
    return get_object_or_404(
        Sprint.objects.select_related("movement"), pk=sprint_id, movement=membership.movement
    )


def _require_forger(membership, sprint):
    forge = sprint_services.SprintForge(membership, sprint)
    require(forge.can_forge, sprint_services.forge_reason())
    return forge


def _at_artifact(sprint):
    return redirect(f"{sprint.get_absolute_url()}#artifact")


def _forge_page(request, membership, sprint, template, **context):
    return render(
        request,
        f"rituals/sprints/{template}",
        {"movement": membership.movement, "membership": membership, "sprint": sprint, **context},
    )


@movement_view
def artifact_edit(request, membership, sprint_id):
    """Publish the sprint's artifact, or edit it."""
    sprint = _forging_sprint_or_404(membership, sprint_id)
    artifact = _require_forger(membership, sprint).artifact
    initial = (
        model_to_dict(artifact, ["title", "description", "link", "tactics"]) if artifact else None
    )
    form = ArtifactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sprint_services.publish_artifact(by=membership, sprint=sprint, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The artifact is published.")
                if artifact is None
                else _("The artifact is updated."),
            )
            return _at_artifact(sprint)
    return _forge_page(
        request, membership, sprint, "artifact_form.html", form=form, artifact=artifact
    )


@movement_view
def artifact_upload(request, membership, sprint_id):
    """Attach a file to the artifact: on the sprint page, and on a page of its own when the
    file is refused."""
    sprint = _forging_sprint_or_404(membership, sprint_id)
    forge = _require_forger(membership, sprint)
    form = _upload_form(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stored = sprint_services.add_artifact_file(
                by=membership, sprint=sprint, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(name)s is attached to the artifact.") % {"name": stored.original_name}
            )
            return _at_artifact(sprint)
    return _forge_page(request, membership, sprint, "artifact_upload.html", form=form, forge=forge)


@movement_view
@require_safe
def artifact_file(request, membership, sprint_id, file_id):
    """A file of a sprint's artifact, to any member of its movement: always as an attachment,
    typed as its content was recognised, never sniffed. Another movement's file is missing."""
    stored = get_object_or_404(
        ArtifactFile.objects.select_related("artifact__sprint"),
        pk=file_id,
        artifact__sprint_id=sprint_id,
        movement=membership.movement,
    )
    require(
        permissions.can_read_artifact(membership, stored.artifact.sprint),
        _("Only members of this movement read its sprints' artifacts."),
    )
    try:
        handle = stored.file.storage.open(stored.file.name, "rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=stored.download_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@movement_view
@require_POST
def artifact_file_remove(request, membership, sprint_id, file_id):
    sprint = _forging_sprint_or_404(membership, sprint_id)
    stored = get_object_or_404(ArtifactFile, pk=file_id, artifact__sprint=sprint)
    _require_forger(membership, sprint)
    try:
        sprint_services.remove_artifact_file(by=membership, sprint=sprint, artifact_file=stored)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is no longer attached.") % {"name": stored.original_name}
        )
    return _at_artifact(sprint)


@movement_view
def reflection_edit(request, membership, sprint_id):
    """Write the reflection on the obstacles met, once the artifact is published."""
    sprint = _forging_sprint_or_404(membership, sprint_id)
    artifact = _require_forger(membership, sprint).artifact
    if artifact is None:
        messages.error(
            request, _("Publish the artifact first: the reflection looks back on what you made.")
        )
        return _at_artifact(sprint)
    form = ReflectionForm(
        request.POST or None, initial={"text": artifact.reflection}, auto_id="reflection_%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            sprint_services.write_reflection(by=membership, sprint=sprint, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The reflection is written."))
            return _at_artifact(sprint)
    return _forge_page(
        request, membership, sprint, "reflection_form.html", form=form, artifact=artifact
    )


@movement_view
@require_POST
def sprint_close(request, membership, sprint_id):
    sprint = _forging_sprint_or_404(membership, sprint_id)
    require(permissions.can_close_sprint(membership, sprint), sprint_services.close_reason())
    try:
        sprint_services.close_sprint(by=membership, sprint=sprint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The sprint is closed; both circles have been told."))
    return redirect(sprint)


# --- the conflict ritual -------------------------------------------------------------------


def _suggest_url(membership):
    return reverse("movement:member_suggest", kwargs={"movement_slug": membership.movement.slug})


@movement_view
@require_safe
def conflicts(request, membership):
    """The ritual in force, the movement's figures (never a person), and the member's cases."""
    movement = membership.movement
    return render(
        request,
        "rituals/conflicts/overview.html",
        {
            "movement": movement,
            "membership": membership,
            "ritual": conflict_services.ritual_in_force(movement),
            "figures": selectors.case_figures(movement),
            "page": selectors.cases_of(membership, **_page_cursors(request)),
            "can_run_drill": permissions.can_run_drill(membership),
            "sees_every_case": membership.role == Role.ORGANIZER,
        },
    )


@movement_view
@require_safe
def conflict_ritual(request, membership, version=None):
    """The ritual in force (or an earlier version), readable by every member."""
    movement = membership.movement
    current = conflict_services.ritual_in_force(movement)
    ritual = current if version is None else selectors.ritual_version_or_404(movement, version)
    return render(
        request,
        "rituals/conflicts/ritual.html",
        {
            "movement": movement,
            "membership": membership,
            "ritual": ritual,
            "current": current,
            "versions": selectors.ritual_versions(movement),
            "can_adopt": permissions.can_adopt_ritual(membership),
        },
    )


@movement_view
def conflict_ritual_edit(request, membership):
    require(permissions.can_adopt_ritual(membership), _("Only organizers adopt the ritual."))
    movement = membership.movement
    current = conflict_services.ritual_in_force(movement)
    form = RitualForm(
        request.POST or None,
        instance=ConflictRitual(
            text=current.text,
            cooling_off_hours=current.cooling_off_hours,
            follow_up_days=current.follow_up_days,
            retention_months=current.retention_months,
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            ritual = conflict_services.adopt_ritual(by=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(version)d of the ritual is in force; cases under way keep theirs.")
                % {"version": ritual.version},
            )
            return redirect("rituals:conflict_ritual", movement_slug=movement.slug)
    return render(
        request,
        "rituals/conflicts/ritual_form.html",
        {"movement": movement, "membership": membership, "form": form, "current": current},
    )


@movement_view
def case_new(request, membership, practice=False):
    """File a case (or, for facilitators and organizers, start a practice drill)."""
    if practice:
        require(
            permissions.can_run_drill(membership),
            _("Only facilitators and organizers run practice drills."),
        )
    movement = membership.movement
    form = CaseForm(
        request.POST or None,
        members=movement_selectors.members_of(movement),
        suggest_url=_suggest_url(membership),
        practice=practice,
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = conflict_services.file_case(
                by=membership,
                practice=practice,
                **form.service_arguments(),
            )
        except ValidationError as error:
            form.add_error(None, _fields_of(form, error))
        else:
            messages.success(
                request,
                _("The practice drill has begun: a short cooling-off period first.")
                if practice
                else _(
                    "The case is filed. Its cooling-off period has begun; everyone in it is told."
                ),
            )
            return redirect(case)
    return render(
        request,
        "rituals/conflicts/case_form.html",
        {
            "movement": movement,
            "membership": membership,
            "form": form,
            "practice": practice,
            "ritual": conflict_services.ritual_in_force(movement),
        },
    )


def _fields_of(form, error):
    """A service's field errors, put next to the form's own fields where they exist
    (``others`` is the form's ``party_1``)."""
    if not hasattr(error, "error_dict"):
        return error
    renamed = {"others": "party_1"}
    return ValidationError(
        {
            (name if name in form.fields else renamed.get(name)): messages_
            for name, messages_ in error.error_dict.items()
        }
    )


@movement_view
def conflict_case(request, membership, case_id):
    """Everything about a case its reader may act on, in its state. Every view is logged in
    the case's own access log."""
    case = selectors.case_or_404(membership, case_id)
    conflict_services.record_view(case=case, viewer=membership)
    my_party = next((p for p in case.party_list if p.member_id == membership.pk), None)
    availability = (
        selectors.availability_of(case) if case.state == ConflictCase.State.AWAITING_CIRCLE else []
    )
    agreements = selectors.agreements_of(case)
    State = ConflictCase.State
    now = timezone.now()
    facilitating = "facilitator" in case.roles
    context = {
        "movement": membership.movement,
        "membership": membership,
        "case": case,
        "now": now,
        "my_party": my_party,
        "facilitating": facilitating,
        "availability": availability,
        "agreements": agreements,
        "views": selectors.case_views(case) if my_party or "organizer" in case.roles else None,
        "cooling_total": int((case.cooling_off_ends_at - case.created_at).total_seconds()),
        "cooling_elapsed": max(
            0, int((min(now, case.cooling_off_ends_at) - case.created_at).total_seconds())
        ),
    }
    with timezone.override(membership.movement.zone):
        if my_party and case.is_open:
            context["statement_form"] = StatementForm(initial={"statement": my_party.statement})
        if "organizer" in case.roles and case.is_open:
            context["assign_form"] = AssignFacilitatorForm(
                members=selectors.facilitator_choices(membership.movement),
                suggest_url=_suggest_url(membership),
            )
        if facilitating and case.state == State.AWAITING_CIRCLE:
            context["offer_form"] = OfferTimesForm()
            if availability:
                context["schedule_form"] = ScheduleForm(availability=availability)
        if my_party and case.state == State.AWAITING_CIRCLE and availability:
            context["availability_form"] = AvailabilityForm(
                options=[row["option"] for row in availability],
                answers={row["option"].pk: row["answers"].get(my_party.pk) for row in availability},
            )
        if facilitating and case.state == State.SCHEDULED:
            context["held_form"] = HeldForm(parties=case.party_list)
        if my_party and case.state == State.FOLLOW_UP and agreements:
            context["check_in_form"] = CheckInForm(
                agreements=[row["agreement"] for row in agreements]
            )
        if facilitating and case.state == State.FOLLOW_UP:
            context["close_form"] = CloseCaseForm()
        response = render(request, "rituals/conflicts/case.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


def _case_step(request, membership, case_id, form_class, act, success, *, only=None, **form_kwargs):
    """A POST that takes one step in a case: the form's errors, or the service's refusal,
    go back to the case page as messages; success redirects to it. The case is found first
    (404 for whoever may not see it), then ``only`` — (allowed, reason) — is required."""
    case = selectors.case_or_404(membership, case_id)
    if only is not None:
        require(*only)
    with timezone.override(membership.movement.zone):
        form = form_class(request.POST, **{k: v(case) for k, v in form_kwargs.items()})
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(
                    request, f"{label}: {' '.join(errors)}" if label else " ".join(errors)
                )
            return redirect(case)
        try:
            act(case, form)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(case)
    messages.success(request, success)
    return redirect(case)


@movement_view
@require_POST
def case_statement(request, membership, case_id):
    return _case_step(
        request,
        membership,
        case_id,
        StatementForm,
        lambda case, form: conflict_services.write_statement(
            by=membership, case=case, text=form.cleaned_data["statement"]
        ),
        _("Your account is saved; the people of the case can read it."),
    )


@movement_view
@require_POST
def case_assign(request, membership, case_id):
    return _case_step(
        request,
        membership,
        case_id,
        AssignFacilitatorForm,
        lambda case, form: conflict_services.assign_facilitator(
            by=membership, case=case, member=form.cleaned_data["member"]
        ),
        _("The facilitator is assigned and told."),
        only=(
            permissions.can_assign_case_facilitator(membership),
            _("Only organizers assign a case's facilitator."),
        ),
        members=lambda case: selectors.facilitator_choices(membership.movement),
        suggest_url=lambda case: _suggest_url(membership),
    )


@movement_view
@require_POST
def case_offer_times(request, membership, case_id):
    return _case_step(
        request,
        membership,
        case_id,
        OfferTimesForm,
        lambda case, form: conflict_services.offer_times(
            by=membership, case=case, times=form.times()
        ),
        _("The times are offered; the parties are asked to mark theirs."),
    )


@movement_view
@require_POST
def case_availability(request, membership, case_id):
    return _case_step(
        request,
        membership,
        case_id,
        AvailabilityForm,
        lambda case, form: conflict_services.answer_availability(
            by=membership, case=case, can_attend=form.answers()
        ),
        _("Your availability is saved."),
        options=lambda case: list(AvailabilityOption.objects.filter(case=case)),
    )


@movement_view
@require_POST
def case_schedule(request, membership, case_id):
    def act(case, form):
        option = AvailabilityOption.objects.filter(
            case=case, pk=form.cleaned_data["option"]
        ).first()
        if option is None:
            raise ValidationError(_("Pick one of the times offered for this case."))
        conflict_services.schedule_circle(
            by=membership, case=case, option=option, place=form.cleaned_data["place"]
        )

    return _case_step(
        request,
        membership,
        case_id,
        ScheduleForm,
        act,
        _("The listening circle is scheduled and in the parties' calendars."),
        availability=selectors.availability_of,
    )


@movement_view
@require_POST
def case_reschedule(request, membership, case_id):
    case = selectors.case_or_404(membership, case_id)
    try:
        conflict_services.find_another_time(by=membership, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The circle is unscheduled: offer new times."))
    return redirect(case)


@movement_view
@require_POST
def case_held(request, membership, case_id):
    return _case_step(
        request,
        membership,
        case_id,
        HeldForm,
        lambda case, form: conflict_services.record_held(
            by=membership,
            case=case,
            heard=form.cleaned_data["heard"],
            agreements=form.agreement_lines(),
        ),
        _("The listening circle is recorded; the follow-up is on its way."),
        parties=lambda case: case.party_list,
    )


@movement_view
@require_POST
def case_check_in(request, membership, case_id):
    return _case_step(
        request,
        membership,
        case_id,
        CheckInForm,
        lambda case, form: conflict_services.check_in(by=membership, case=case, held=form.held()),
        _("Your check-in is saved."),
        agreements=lambda case: list(Agreement.objects.filter(case=case)),
    )


@movement_view
@require_POST
def case_close(request, membership, case_id):
    return _case_step(
        request,
        membership,
        case_id,
        CloseCaseForm,
        lambda case, form: conflict_services.close_case(
            by=membership, case=case, outcome=form.cleaned_data["outcome"]
        ),
        _("The case is closed."),
    )


@movement_view
@require_POST
def case_withdraw(request, membership, case_id):
    case = selectors.case_or_404(membership, case_id)
    try:
        conflict_services.withdraw_case(by=membership, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is withdrawn and its timers are stopped."))
    return redirect(case)


# --- sovereignty gained ----------------------------------------------------------------------


@movement_view
@require_safe
def sovereignty(request, membership):
    """What each cycle left behind, newest first, and the way to record more."""
    movement = membership.movement
    cycles = selectors.held_cycles_newest_first(movement)
    totals = selectors.sovereignty_by_cycle(movement)
    kinds = SovereigntyRecord.Kind.choices
    summary = [
        {
            "cycle": cycle,
            "cells": [totals.get((cycle.number, kind), (0, 0)) for kind, _label in kinds],
        }
        for cycle in cycles
    ]
    return render(
        request,
        "rituals/sovereignty.html",
        {
            "movement": movement,
            "membership": membership,
            "kinds": kinds,
            "summary": summary,
            "page": selectors.sovereignty_page(movement, **_page_cursors(request)),
            "can_record": bool(cycles),
        },
    )


def _recordable_circles(membership):
    circles = circle_selectors.active_circles(membership.movement)
    if membership.role == Role.ORGANIZER:
        return circles
    return circles.filter(
        circle_memberships__member=membership, circle_memberships__is_convener=True
    )


@movement_view
def sovereignty_new(request, membership):
    """Record a new capacity. ``?sprint=``, ``?pool=``, ``?resource=`` (and ``?circle=``)
    start from the evidence: a published artifact, a pool opened, a space or tool shared."""
    movement = membership.movement
    cycles = selectors.held_cycles_newest_first(movement)
    if not cycles:
        messages.info(request, _("Sovereignty is recorded once a cycle's gathering is held."))
        return redirect("rituals:sovereignty", movement_slug=movement.slug)
    circles = _recordable_circles(membership)
    require(circles.exists(), _("Only conveners and organizers record sovereignty gained."))
    source = request.POST if request.method == "POST" else request.GET
    sprint = _evidence(Sprint, movement, source.get("sprint"))
    pool = _evidence(commons_models.Pool, movement, source.get("pool"))
    resource = _evidence(commons_models.Resource, movement, source.get("resource"))
    initial = {"cycle": cycles[0].number}
    if sprint is not None and hasattr(sprint, "artifact"):
        initial.update(kind=SovereigntyRecord.Kind.INSTITUTION, what=sprint.artifact.title[:200])
    for evidence in (pool, resource):
        if evidence is not None:
            initial.update(kind=SovereigntyRecord.Kind.RESOURCES, what=evidence.name[:200])
    form = SovereigntyForm(
        request.POST or None,
        initial=initial,
        cycles=cycles,
        circles=circles,
        suggest_url=reverse("circles:suggest", kwargs={"movement_slug": movement.slug}),
    )
    if request.method == "POST" and form.is_valid():
        try:
            sovereignty_services.record(
                by=membership, sprint=sprint, pool=pool, resource=resource, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Recorded: sovereignty gained."))
            return redirect("rituals:sovereignty", movement_slug=movement.slug)
    return render(
        request,
        "rituals/sovereignty_form.html",
        {
            "movement": movement,
            "membership": membership,
            "form": form,
            "sprint": sprint,
            "pool": pool,
            "resource": resource,
        },
    )


def _evidence(model, movement, value):
    """The sprint, pool or resource named in the query string, if it is this movement's."""
    if not value or not str(value).isdigit() or len(str(value)) > 18:
        return None
    return model.objects.filter(pk=int(value), movement=movement).first()
