from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from movement.tenancy import movement_view, require
from rituals import permissions, selectors, services
from rituals.calendar import gathering_calendar
from rituals.forms import RhythmForm, RsvpForm


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
