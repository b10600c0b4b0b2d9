from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_POST

from circles import selectors as circle_selectors
from circles.models import Circle
from movement.models import Membership
from movement.tenancy import movement_view, require
from rituals import permissions, selectors, services
from rituals.calendar import gathering_calendar
from rituals.forms import (
    AgendaItemForm,
    CommitmentForm,
    DecisionForm,
    ExtendForm,
    GatheringForm,
    NotesForm,
    ReportForm,
    RhythmForm,
    RsvpForm,
)
from rituals.models import AgendaItem, CalendarFeed


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
                selectors.drifting_circles(movement)
                if permissions.can_see_drift(membership)
                else None
            ),
        },
    )


@movement_view
def rhythm_edit(request, membership):
    require(permissions.can_set_rhythm(membership), _("Only organizers set the rhythm."))
    movement = membership.movement
    rhythm = selectors.rhythm_of(movement)
    initial = {"time_zone": movement.time_zone}
    if rhythm:
        initial.update(
            kind=rhythm.kind,
            week=rhythm.week,
            weekday=rhythm.weekday,
            moon_phase=rhythm.moon_phase,
            rrule=rhythm.rrule,
            local_time=rhythm.local_time,
            duration_minutes=int(rhythm.duration.total_seconds() // 60),
            place=rhythm.place,
            call_link=rhythm.call_link,
            report_days_before=rhythm.report_days_before,
        )
    form = RhythmForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["duration"] = timedelta(minutes=data.pop("duration_minutes"))
        try:
            services.set_rhythm(by=membership, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The rhythm is set; the next gatherings are planned."))
            return redirect("rituals:convergence", movement_slug=movement.slug)
    return render(
        request,
        "rituals/rhythm_form.html",
        {"movement": movement, "membership": membership, "form": form},
    )


@movement_view
def gathering_detail(request, membership, gathering_id):
    gathering = selectors.gathering_or_404(membership=membership, gathering_id=gathering_id)
    form = RsvpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_gathering(
                by=membership, gathering=gathering, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for answering."))
            return redirect(gathering)
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
            **selectors.live_state(gathering),
            "reports": selectors.reports_for(gathering),
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
            services.submit_report(
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
        services.renew_calendar_feed(user=request.user)
        messages.success(request, _("New link made. The old one no longer works."))
        return redirect("calendar")
    feed = services.calendar_feed_for(request.user)
    url = request.build_absolute_uri(reverse("calendar_feed", kwargs={"token": feed.token}))
    return render(request, "rituals/calendar.html", {"feed_url": url})


@never_cache
def calendar_feed(request, token):
    """The private feed: the token is the only key, so a calendar app can fetch it."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    body = gathering_calendar(selectors.feed_gatherings(feed.user))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def _live_context(membership, gathering):
    return {
        "movement": membership.movement,
        "membership": membership,
        "gathering": gathering,
        "now": timezone.now(),
        "attendance": selectors.attendance(gathering),
        **selectors.live_state(gathering),
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
    return render(request, "rituals/gathering.html#live", _live_context(membership, gathering))


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
    circles = Circle.objects.for_movement(membership.movement).active()
    current = context["current"]
    context.update(
        item_form=AgendaItemForm(),
        extend_form=ExtendForm(),
        notes_form=NotesForm(initial={"notes": current.notes}) if current else None,
        # Distinct ids: both forms have a field called "text".
        decision_form=DecisionForm(auto_id="decision_%s"),
        commitment_form=CommitmentForm(circles=circles, auto_id="commitment_%s"),
    )
    return render(request, "rituals/facilitate.html", context)


def _item(gathering, request):
    item_id = request.POST.get("item", "")
    if not item_id.isdigit():
        raise ValidationError(_("Pick an agenda item."))
    return get_object_or_404(AgendaItem, pk=int(item_id), gathering=gathering)


FACILITATOR_ACTIONS = {
    "start": lambda by, g, r, f: services.start_gathering(by=by, gathering=g),
    "build_agenda": lambda by, g, r, f: services.build_agenda(by=by, gathering=g),
    "add_item": lambda by, g, r, f: services.add_agenda_item(
        by=by, gathering=g, **f(AgendaItemForm)
    ),
    "up": lambda by, g, r, f: services.move_agenda_item(by=by, item=_item(g, r), up=True),
    "down": lambda by, g, r, f: services.move_agenda_item(by=by, item=_item(g, r), up=False),
    "start_item": lambda by, g, r, f: services.start_item(by=by, item=_item(g, r)),
    "extend_item": lambda by, g, r, f: services.extend_item(
        by=by, item=_item(g, r), **f(ExtendForm)
    ),
    "end_item": lambda by, g, r, f: services.end_item(by=by, item=_item(g, r)),
    "notes": lambda by, g, r, f: services.save_notes(by=by, item=_item(g, r), **f(NotesForm)),
    "decision": lambda by, g, r, f: services.record_decision(by=by, gathering=g, **f(DecisionForm)),
    "commitment": lambda by, g, r, f: services.record_commitment(
        by=by, gathering=g, **f(CommitmentForm, circles=Circle.objects.for_movement(g.movement))
    ),
    "close": lambda by, g, r, f: services.close_gathering(by=by, gathering=g),
}


@movement_view
@require_POST
def facilitate_action(request, membership, gathering_id, action):
    gathering = _facilitator_gathering(membership, gathering_id)
    if action not in FACILITATOR_ACTIONS:
        raise Http404("No such action.")

    def cleaned(form_class, **kwargs):
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

    try:
        FACILITATOR_ACTIONS[action](membership, gathering, request, cleaned)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if action == "close":
            messages.success(request, _("The gathering is closed and its minutes are published."))
            return redirect(gathering)
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
    members = Membership.objects.filter(movement=membership.movement).select_related("user")
    initial = {
        "starts_at": gathering.starts_at,
        "ends_at": gathering.ends_at,
        "place": gathering.place,
        "call_link": gathering.call_link,
        "facilitators": gathering.facilitators.all(),
    }
    with timezone.override(membership.movement.zone):
        form = GatheringForm(request.POST or None, initial=initial, members=members)
        if request.method == "POST" and form.is_valid():
            try:
                services.update_gathering(by=membership, gathering=gathering, **form.cleaned_data)
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
