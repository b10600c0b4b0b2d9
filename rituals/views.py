from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_POST

from circles import selectors as circle_selectors
from movement import selectors as movement_selectors
from movement.tenancy import movement_view, require
from rituals import permissions, selectors
from rituals.calendar import gathering_calendar
from rituals.forms import (
    AgendaItemChoiceForm,
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
from rituals.services import convergence as convergence_services
from rituals.services import facilitation

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
    body = gathering_calendar(selectors.feed_gatherings(feed.user))
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
