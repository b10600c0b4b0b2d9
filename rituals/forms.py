from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from circles.forms import CircleNameField
from movement.fields import IdChoiceField, IdMultipleChoiceField
from movement.forms import MemberNameField
from movement.widgets import ListedInput
from rituals.models import Commitment, Rhythm, Rsvp

TIME_ZONES = sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")
TIME_ZONE_SET = frozenset(TIME_ZONES)


class RhythmForm(forms.Form):
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        widget=ListedInput(options=TIME_ZONES),
        help_text=_("Type a city to find its zone, e.g. Europe/Paris."),
    )
    kind = forms.ChoiceField(
        label=_("Rhythm"), choices=Rhythm.Kind.choices, widget=forms.RadioSelect
    )
    week = forms.TypedChoiceField(
        label=_("Week of the month"),
        choices=[("", "—"), *Rhythm.Week.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a monthly rhythm."),
    )
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", "—"), *Rhythm.Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a monthly rhythm."),
    )
    moon_phase = forms.ChoiceField(
        label=_("Moon phase"),
        choices=[("", "—"), *Rhythm.MoonPhase.choices],
        required=False,
        help_text=_("For a lunar rhythm: we gather on the day of the new or full moon."),
    )
    rrule = forms.CharField(
        label=_("Recurrence rule"),
        max_length=500,
        required=False,
        help_text=_(
            "For a custom rhythm, an RFC 5545 RRULE, e.g. FREQ=WEEKLY;INTERVAL=6;BYDAY=SA."
        ),
    )
    local_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Lasts (minutes)"), min_value=15, max_value=720, initial=120
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    call_link = forms.URLField(
        label=_("Call link"), max_length=200, required=False, assume_scheme="https"
    )
    report_days_before = forms.IntegerField(
        label=_("Circle reports are due this many days before"),
        min_value=0,
        max_value=30,
        initial=3,
    )

    def clean_time_zone(self):
        zone = self.cleaned_data["time_zone"].strip()
        if zone not in TIME_ZONE_SET:
            raise forms.ValidationError(_("Pick a time zone such as Europe/Paris."))
        return zone


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will you come?"), choices=Rsvp.Answer.choices, widget=forms.RadioSelect
    )


class ReportForm(forms.Form):
    did = forms.CharField(
        label=_("What we did"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lessons = forms.CharField(
        label=_("Lessons learned"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs = forms.CharField(
        label=_("What we need, from the commons or other circles"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    intention = forms.CharField(
        label=_("Our intention for the next phase"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tactics = forms.CharField(
        label=_("Tactics used"),
        max_length=500,
        required=False,
        help_text=_("Separate with commas, e.g. mural, know-your-rights training."),
    )

    def __init__(self, *args, commitments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.commitments = list(commitments)
        reviewed = [(v, label) for v, label in Commitment.Outcome.choices if v != "open"]
        for commitment in self.commitments:
            self.fields[f"commitment_{commitment.pk}"] = forms.ChoiceField(
                label=commitment.text,
                choices=reviewed,
                widget=forms.RadioSelect,
                initial=None if commitment.outcome == "open" else commitment.outcome,
                help_text=_("Committed at cycle %(n)s's gathering.")
                % {"n": commitment.gathering.cycle.number},
            )

        # Last cycle's commitments first: the page introduces them with a heading.
        self.order_fields([f"commitment_{c.pk}" for c in self.commitments])

    def outcomes(self):
        return {c.pk: self.cleaned_data[f"commitment_{c.pk}"] for c in self.commitments}


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=200)
    minutes = forms.IntegerField(
        label=_("Timebox (minutes)"), min_value=1, max_value=180, initial=10
    )


class AgendaItemChoiceForm(forms.Form):
    """Which agenda item a facilitator acts on: an item of this gathering, or nothing."""

    item = IdChoiceField(
        label=_("Agenda item"),
        queryset=None,
        error_messages={
            "required": _("Pick an agenda item."),
            "invalid_choice": _("Pick an agenda item."),
        },
    )

    def __init__(self, *args, gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = gathering.agenda.all()


class ExtendForm(forms.Form):
    minutes = forms.IntegerField(label=_("Add minutes"), min_value=1, max_value=60, initial=5)


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=1000)


class CommitmentForm(forms.Form):
    circle = CircleNameField(label=_("Circle"))
    text = forms.CharField(label=_("Commitment"), max_length=500)

    def __init__(self, *args, circles, suggest_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].circles = circles
        self.fields["circle"].widget.suggest_url = suggest_url


class GatheringForm(forms.Form):
    """Times are read and shown in the movement's time zone (the view activates it)."""

    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    call_link = forms.URLField(
        label=_("Call link"), max_length=200, required=False, assume_scheme="https"
    )
    facilitators = IdMultipleChoiceField(
        label=_("Facilitators"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Untick to remove. Nobody named: any member with the facilitator role may run it."
        ),
    )
    add_facilitator = MemberNameField(label=_("Add a facilitator"), required=False)

    def __init__(self, *args, members, current=(), suggest_url="", **kwargs):
        super().__init__(*args, **kwargs)
        # Validated against every member; shown as boxes only for the ones named now, so
        # the page never holds a box per member.
        facilitators = self.fields["facilitators"]
        facilitators.queryset = members
        facilitators.widget.choices = [(m.pk, m.user.display_name) for m in current]
        self.fields["add_facilitator"].members = members
        self.fields["add_facilitator"].widget.suggest_url = suggest_url

    def clean(self):
        cleaned = super().clean()
        added = cleaned.pop("add_facilitator", None)
        if added is not None:
            cleaned["facilitators"] = [*cleaned.get("facilitators", []), added]
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A gathering ends after it starts."))
        return cleaned
