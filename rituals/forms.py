import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from circles.forms import CircleNameField
from commons.amounts import format_amount
from movement.fields import IdChoiceField, IdMultipleChoiceField, TimeZoneField, is_id
from movement.forms import MemberNameField
from rituals import recurrence
from rituals.models import (
    Commitment,
    ConflictCase,
    ConflictRitual,
    Rhythm,
    Rsvp,
    SovereigntyRecord,
    SprintLogEntry,
)

Kind = Rhythm.Kind
REPEAT_CHOICES = [
    (recurrence.EVERY_FEW_WEEKS, _("every few weeks, on one day of the week")),
    (recurrence.EVERY_FEW_MONTHS, _("one day of the month, every few months")),
]


def _every_weeks_choices():
    # Callable choices: read when the form is shown, in the reader's language.
    return [
        (weeks, ngettext("every week", "every %(count)d weeks", weeks) % {"count": weeks})
        for weeks in range(1, recurrence.MAX_EVERY_WEEKS + 1)
    ]


EVERY_MONTHS_CHOICES = [
    (1, _("every month")),
    (2, _("every 2 months")),
    (3, _("every 3 months: each season")),
    (4, _("every 4 months")),
    (6, _("every 6 months")),
    (12, _("once a year")),
]


def _day_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "—"), *Rhythm.Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


def _week_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "—"), *Rhythm.Week.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


class RhythmForm(forms.Form):
    """How often the movement converges, with only the chosen kind's fields read.

    Every kind's fields are on the page (scripts hide the others, see static/js/rhythm.js);
    whatever was typed in another kind's fields is ignored, never refused. A custom rhythm
    is made from plain choices, or from a recurrence rule written out ("advanced").
    ``upcoming`` holds the next three gatherings of a valid form, for the preview.
    """

    kind = forms.ChoiceField(
        label=_("Rhythm"),
        choices=[
            (Kind.MONTHLY, _("monthly: one day of each month")),
            (Kind.SEASONAL, _("seasonal: the solstices and equinoxes")),
            (Kind.LUNAR, _("lunar: each new or full moon")),
            (Kind.CUSTOM, _("custom: every few weeks, a day every few months, or a rule")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick a rhythm.")},
    )
    # For a monthly rhythm
    week = _week_field(_("Week of the month"))
    weekday = _day_field(_("Day"))
    # For a lunar rhythm
    moon_phase = forms.ChoiceField(
        label=_("Moon phase"),
        choices=Rhythm.MoonPhase.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("We gather on the day of the new or full moon."),
    )
    # For a custom rhythm
    repeat = forms.ChoiceField(
        label=_("Repeats"), choices=REPEAT_CHOICES, required=False, widget=forms.RadioSelect
    )
    every_weeks = forms.TypedChoiceField(
        label=_("How often, in weeks"),
        choices=_every_weeks_choices,
        coerce=int,
        initial=2,
        required=False,
    )
    on_weekday = _day_field(_("On"))
    nth_week = _week_field(_("Which week of the month"))
    nth_weekday = _day_field(_("Which day"))
    every_months = forms.TypedChoiceField(
        label=_("How often, in months"),
        choices=EVERY_MONTHS_CHOICES,
        coerce=int,
        initial=3,
        required=False,
    )
    first_month = forms.TypedChoiceField(
        label=_("Starting in"),
        choices=list(MONTHS.items()),
        coerce=int,
        initial=1,
        required=False,
        help_text=_("Every 3 months from March: March, June, September and December."),
    )
    rrule = forms.CharField(
        label=_("Recurrence rule"),
        max_length=recurrence.MAX_RULE_LENGTH,
        required=False,
        help_text=_(
            "An RFC 5545 RRULE, e.g. FREQ=WEEKLY;INTERVAL=6;BYDAY=SA. "
            "When written, it is used instead of the choices above."
        ),
    )
    # For every rhythm
    local_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Lasts (minutes)"), min_value=15, max_value=720, initial=120
    )
    time_zone = TimeZoneField()
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

    MONTHLY_FIELDS = ("week", "weekday")
    LUNAR_FIELDS = ("moon_phase",)
    WEEKS_FIELDS = ("every_weeks", "on_weekday")
    MONTHS_FIELDS = ("nth_week", "nth_weekday", "every_months", "first_month")
    CUSTOM_FIELDS = ("repeat", *WEEKS_FIELDS, *MONTHS_FIELDS, "rrule")
    KIND_FIELDS = (*MONTHLY_FIELDS, *LUNAR_FIELDS, *CUSTOM_FIELDS)
    REQUIRED = {
        "week": _("Pick which week of the month."),
        "weekday": _("Pick the day of the week."),
        "moon_phase": _("Pick the new moon or the full moon."),
        "repeat": _("Pick how the rhythm repeats, or write a rule below."),
        "every_weeks": _("Pick how many weeks apart."),
        "on_weekday": _("Pick the day of the week."),
        "nth_week": _("Pick which week of the month."),
        "nth_weekday": _("Pick the day of the week."),
        "every_months": _("Pick how many months apart."),
        "first_month": _("Pick the month to start from."),
    }

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.upcoming = []  # the next gatherings of a valid form, in ``upcoming_zone``
        self.upcoming_zone = ""

    @classmethod
    def initial_for(cls, movement, rhythm):
        """The form's starting values: the movement's zone and its rhythm, if it has one,
        a custom rule shown as plain choices when it is one of them."""
        initial = {"time_zone": movement.time_zone}
        if rhythm is None:
            return initial
        initial.update(
            kind=rhythm.kind,
            week=rhythm.week,
            weekday=rhythm.weekday,
            moon_phase=rhythm.moon_phase,
            local_time=rhythm.local_time,
            duration_minutes=int(rhythm.duration.total_seconds() // 60),
            place=rhythm.place,
            call_link=rhythm.call_link,
            report_days_before=rhythm.report_days_before,
        )
        if rhythm.kind == Kind.CUSTOM:
            initial.update(recurrence.plain_choices(rhythm.rrule) or {"rrule": rhythm.rrule})
        return initial

    def _fields_read(self, kind):
        """The kind-specific fields a rhythm of ``kind`` reads, as the person filled them."""
        if kind == Kind.MONTHLY:
            return self.MONTHLY_FIELDS
        if kind == Kind.LUNAR:
            return self.LUNAR_FIELDS
        if kind != Kind.CUSTOM:
            return ()
        if self["rrule"].data and self["rrule"].data.strip():
            return ("rrule",)
        repeat = self.cleaned_data.get("repeat")
        if repeat == recurrence.EVERY_FEW_WEEKS:
            return ("repeat", *self.WEEKS_FIELDS)
        if repeat == recurrence.EVERY_FEW_MONTHS:
            return ("repeat", *self.MONTHS_FIELDS)
        return ("repeat",)

    def clean(self):
        cleaned = super().clean()
        read = self._fields_read(cleaned.get("kind"))
        for name in self.KIND_FIELDS:
            if name not in read:
                # Another kind's field: whatever it holds (hidden or left over) is ignored.
                self.errors.pop(name, None)
                cleaned.pop(name, None)
            elif (
                name in self.REQUIRED
                and cleaned.get(name) in (None, "")
                and name not in self.errors
            ):
                self.add_error(name, self.REQUIRED[name])
        if self.errors:
            return cleaned
        cleaned["rrule"] = self._rule(cleaned)
        zone = ZoneInfo(cleaned["time_zone"])
        try:
            if cleaned["kind"] == Kind.CUSTOM:
                local_now = self.now.astimezone(zone).replace(tzinfo=None)
                recurrence.parse_rrule(cleaned["rrule"], start=local_now)
            self.upcoming = recurrence.next_gatherings(
                self.unsaved_rhythm(), zone=zone, now=self.now
            )
        except ValidationError as error:
            self.add_error(None, error)
        else:
            self.upcoming_zone = cleaned["time_zone"]
        return cleaned

    def _rule(self, cleaned):
        """The RRULE a custom rhythm stores: as written, or made from the plain choices."""
        if cleaned["kind"] != Kind.CUSTOM:
            return ""
        if "rrule" in cleaned:
            return cleaned["rrule"].strip()
        if cleaned["repeat"] == recurrence.EVERY_FEW_WEEKS:
            return recurrence.every_few_weeks_rule(
                weeks=cleaned["every_weeks"], weekday=cleaned["on_weekday"]
            )
        return recurrence.every_few_months_rule(
            week=cleaned["nth_week"],
            weekday=cleaned["nth_weekday"],
            months=cleaned["every_months"],
            first_month=cleaned["first_month"],
        )

    def rhythm_values(self):
        """The cleaned rhythm, as ``set_rhythm`` takes it."""
        data = self.cleaned_data
        return {
            "time_zone": data["time_zone"],
            "kind": data["kind"],
            "week": data.get("week"),
            "weekday": data.get("weekday"),
            "moon_phase": data.get("moon_phase", ""),
            "rrule": data["rrule"],
            "local_time": data["local_time"],
            "duration": timedelta(minutes=data["duration_minutes"]),
            "place": data["place"],
            "call_link": data["call_link"],
            "report_days_before": data["report_days_before"],
        }

    def unsaved_rhythm(self):
        values = self.rhythm_values()
        values.pop("time_zone")
        return Rhythm(**values)


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
        help_text=_(
            "Separate with commas, e.g. mural, know-your-rights training. Names from the "
            "movement's tactics library are recognised, and count towards pattern decay."
        ),
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


# --- integration sprints ---------------------------------------------------------------------


class SprintRoundForm(forms.Form):
    """Times are read in the movement's time zone (the view activates it)."""

    deadline = forms.DateTimeField(
        label=_("Circles opt in until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sprint_hours = forms.IntegerField(
        label=_("Each sprint lasts (hours)"),
        min_value=1,
        max_value=24 * 14,
        initial=72,
        help_text=_(
            "72 hours is three days: long enough to make something, short enough to stay a burst."
        ),
    )


class SwapForm(forms.Form):
    """Two circles of a proposed round, by name: each moves into the other's sprint."""

    a = CircleNameField(label=_("Swap this circle"))
    b = CircleNameField(label=_("with this circle"))

    def __init__(self, *args, circles, suggest_url="", **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            self.fields[name].circles = circles
            self.fields[name].widget.suggest_url = suggest_url


# --- the artifact, its files and the reflection ----------------------------------------------


WEB_LINK_ONLY = _("A link is a web address starting with http:// or https://.")


class WebLinkField(forms.URLField):
    """An address others will follow from the page: http and https only, never
    ``javascript:``, ``data:`` or ``ftp:``."""

    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_LINK_ONLY)]
    default_error_messages = {"invalid": WEB_LINK_ONLY}


class ArtifactForm(forms.Form):
    """The artifact in words; the service checks the rules again (the link's scheme too)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What you made"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What it is, who it is for, and what neither circle could have made alone."),
    )
    link = WebLinkField(
        label=_("Link (optional)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Where the artifact lives, if it lives online: an http or https address."),
    )
    tactics = forms.CharField(
        label=_("Tactics used (optional)"),
        max_length=300,
        required=False,
        help_text=_(
            "Separate with commas, e.g. mural, podcast. Names from the movement's tactics "
            "library are recognised."
        ),
    )


class ArtifactFileForm(forms.Form):
    """One file at a time. Its size and kind are judged by the service, from its content."""

    file = forms.FileField(label=_("Add a file"))

    def __init__(self, *args, max_bytes, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Up to %(size)s: %(kinds)s.") % {
            "size": filesizeformat(max_bytes),
            "kinds": kinds,
        }


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=_("The obstacles you met"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What got in the way, between the circles or with the commons, and what would "
            "make the next sprint easier. Strategy and behaviour, never identity."
        ),
    )


# --- the open log, the sprint's draws, the frictions report -----------------------------------


def _unknown_category():
    # Callable: written when the error is shown, in the reader's language.
    return _("Unknown category: pick one of %(categories)s.") % {
        "categories": ", ".join(str(label) for label in SprintLogEntry.Category.labels)
    }


class SprintLogEntryForm(forms.Form):
    """One entry of a sprint's open log. ``pools`` are the movement's pools (read once by the
    view); ``circles``, the sprint's circles the author sits in, shown only when there are
    several to choose from."""

    kind = forms.ChoiceField(
        label=_("It was"),
        choices=SprintLogEntry.Kind.choices,
        widget=forms.RadioSelect,
        initial=SprintLogEntry.Kind.FRICTION,
        error_messages={"required": _("Say whether it was a friction or a breakthrough.")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Choose a category")), *SprintLogEntry.Category.choices],
        error_messages={"required": _("Choose a category.")},
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write what happened: an empty entry tells nobody anything.")
        },
    )
    pool = forms.TypedChoiceField(
        label=_("Pool involved (if any)"), required=False, coerce=int, empty_value=None
    )
    tool = forms.CharField(
        label=_("Tool involved (if any)"),
        max_length=80,
        required=False,
        help_text=_("A chat app, a shared folder, a form: whatever helped or got in the way."),
    )

    def __init__(self, *args, pools, circles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].error_messages["invalid_choice"] = lazy_unknown_category
        self._pools = {pool.pk: pool for pool in pools}
        self.fields["pool"].choices = [("", _("none")), *((p.pk, p.name) for p in pools)]
        self._circles = {circle.pk: circle for circle in circles}
        if len(circles) > 1:
            self.fields["circle"] = forms.TypedChoiceField(
                label=_("Written for"),
                choices=[(circle.pk, circle.name) for circle in circles],
                coerce=int,
            )

    def clean_pool(self):
        pool_id = self.cleaned_data["pool"]
        return None if pool_id is None else self._pools[pool_id]

    def clean_circle(self):
        return self._circles[self.cleaned_data["circle"]]


lazy_unknown_category = lazy(_unknown_category, str)()


class SprintDrawForm(forms.Form):
    """A draw of the commons that served the sprint, picked among ``draws`` (the view looks
    the id up in the movement: an id of another movement is a 404, not a choice)."""

    draw = forms.CharField(
        label=_("The draw that served the sprint"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick the draw that served the sprint.")},
    )

    def __init__(self, *args, draws=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["draw"].widget.choices = [(draw.pk, draw_label(draw)) for draw in draws]

    def clean_draw(self):
        value = self.cleaned_data["draw"]
        if not is_id(value):
            raise ValidationError(_("Pick the draw that served the sprint."))
        return int(value)


def draw_label(draw):
    return _("#%(id)s: %(amount)s from %(pool)s, %(state)s — %(purpose)s") % {
        "id": draw.pk,
        "amount": format_amount(draw.amount, draw.pool),
        "pool": draw.pool.name,
        "state": draw.get_state_display(),
        "purpose": Truncator(draw.purpose).chars(80),
    }


class FrictionFilterForm(forms.Form):
    """The frictions behind one count: a category, a month (``YYYY-MM``), or both."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("every category")), *SprintLogEntry.Category.choices],
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].error_messages["invalid_choice"] = lazy_unknown_category

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise ValidationError(_("Give the month as year and month, like 2026-11."))
        return date(int(match.group(1)), int(match.group(2)), 1)


# --- the conflict ritual -------------------------------------------------------------------

LOCAL_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CASE_TEXT_MAX = 5000


class RitualForm(forms.ModelForm):
    class Meta:
        model = ConflictRitual
        fields = ["text", "cooling_off_hours", "follow_up_days", "retention_months"]
        widgets = {"text": forms.Textarea(attrs={"rows": 18})}
        help_texts = {
            "text": _("Markdown: headings (##), lists, **bold**. Every member can read it."),
        }


class CaseForm(forms.Form):
    """Open a case, or a practice drill (``practice``: the parties play a fictional case)."""

    party_1 = MemberNameField(label=_("Who is it with?"))
    party_2 = MemberNameField(label=_("Another person (if any)"), required=False)
    party_3 = MemberNameField(label=_("Another person (if any)"), required=False)
    about = forms.ChoiceField(
        label=_("This is about"), choices=ConflictCase.About.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What was done or decided"),
        max_length=CASE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Describe actions and decisions: what happened, when, what it did. Only the "
            "parties, the facilitators and the organizers will read it."
        ),
    )
    confirmed = forms.BooleanField(
        label=_("This describes what was done or decided, not who someone is."),
        required=False,
    )

    def __init__(self, *args, members, suggest_url, practice=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("party_1", "party_2", "party_3"):
            self.fields[name].members = members
            self.fields[name].widget.suggest_url = suggest_url
        if practice:
            self.fields["party_1"].label = _("Who plays the other party?")
            self.fields["description"].help_text = _(
                "A fictional case to practise on. Write it as a real one would be written."
            )
            self.fields["cooling_off_minutes"] = forms.IntegerField(
                label=_("Cooling-off period of the drill (minutes)"),
                initial=ConflictCase.DRILL_COOLING_OFF_MINUTES,
                required=False,
                min_value=1,
                max_value=ConflictCase.DRILL_MOST_MINUTES,
            )
            self.fields["follow_up_minutes"] = forms.IntegerField(
                label=_("Follow-up after the circle (minutes)"),
                initial=ConflictCase.DRILL_FOLLOW_UP_MINUTES,
                required=False,
                min_value=1,
                max_value=ConflictCase.DRILL_MOST_MINUTES,
            )

    def service_arguments(self):
        data = self.cleaned_data
        others = [data[name] for name in ("party_1", "party_2", "party_3") if data.get(name)]
        arguments = {
            "others": list({member.pk: member for member in others}.values()),
            "about": data["about"],
            "description": data["description"],
            "confirmed": data["confirmed"],
        }
        for name in ("cooling_off_minutes", "follow_up_minutes"):
            if name in self.fields:
                arguments[name] = data[name]
        return arguments


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=_("Your account of what happened"),
        max_length=CASE_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What happened as you saw it: actions and decisions, not who anyone is. The "
            "people of the case read it."
        ),
    )


class AssignFacilitatorForm(forms.Form):
    member = MemberNameField(label=_("Facilitator"))

    def __init__(self, *args, members, suggest_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].members = members
        self.fields["member"].widget.suggest_url = suggest_url
        self.fields["member"].help_text = _(
            "A facilitator or an organizer of the movement who is not a party."
        )


OFFERED_TIMES = 4


class OfferTimesForm(forms.Form):
    """Up to four times for the listening circle, in the movement's time zone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, OFFERED_TIMES + 1):
            self.fields[f"time_{number}"] = forms.DateTimeField(
                label=_("Time %(number)d") % {"number": number},
                required=number == 1,
                widget=LOCAL_MOMENT,
            )

    def times(self):
        return [
            value
            for number in range(1, OFFERED_TIMES + 1)
            if (value := self.cleaned_data.get(f"time_{number}"))
        ]


ATTEND_CHOICES = [("yes", _("I can attend")), ("no", _("I cannot"))]


class AvailabilityForm(forms.Form):
    """A party marks each offered time."""

    def __init__(self, *args, options, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        for option in options:
            local = timezone.localtime(option.starts_at)
            self.fields[f"option_{option.pk}"] = forms.ChoiceField(
                label=formats_date(local),
                choices=ATTEND_CHOICES,
                widget=forms.RadioSelect,
                initial={True: "yes", False: "no"}.get(answers.get(option.pk)),
            )
        self.options = options

    def answers(self):
        return {
            option.pk: self.cleaned_data[f"option_{option.pk}"] == "yes" for option in self.options
        }


def formats_date(moment):
    return date_format(moment, "DATETIME_FORMAT")


class ScheduleForm(forms.Form):
    option = forms.TypedChoiceField(label=_("The time"), coerce=int, widget=forms.RadioSelect)
    place = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("A room or a call link; it goes in the parties' calendars, with no case text."),
    )

    def __init__(self, *args, availability, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [
            (
                row["option"].pk,
                _("%(when)s: %(can)d can attend, %(cannot)d cannot")
                % {
                    "when": formats_date(timezone.localtime(row["option"].starts_at)),
                    "can": row["can"],
                    "cannot": row["cannot"],
                },
            )
            for row in availability
        ]


class HeldForm(forms.Form):
    heard = forms.TypedMultipleChoiceField(
        label=_("Each party was heard"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    agreements = forms.CharField(
        label=_("What the parties agreed"),
        required=False,
        max_length=CASE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One agreement per line. They are checked at the follow-up."),
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heard"].choices = [(party.pk, party.name) for party in parties]

    def agreement_lines(self):
        return self.cleaned_data["agreements"].splitlines()


HELD_CHOICES = [("yes", _("It held")), ("no", _("It did not hold"))]


class CheckInForm(forms.Form):
    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        for number, agreement in enumerate(agreements, start=1):
            self.fields[f"agreement_{agreement.pk}"] = forms.ChoiceField(
                # Not the agreement's text: a label can travel in an error message, and
                # messages are kept in a cookie or the session, outside the sealed texts.
                label=_("Agreement %(number)d") % {"number": number},
                choices=HELD_CHOICES,
                widget=forms.RadioSelect,
            )
        self.agreements = agreements

    def held(self):
        return {
            agreement.pk: self.cleaned_data[f"agreement_{agreement.pk}"] == "yes"
            for agreement in self.agreements
        }


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it end?"),
        choices=[
            (ConflictCase.Outcome.RESOLVED, _("Resolved")),
            (ConflictCase.Outcome.UNRESOLVED, _("Unresolved")),
        ],
        widget=forms.RadioSelect,
    )


# --- sovereignty gained --------------------------------------------------------------------


class SovereigntyForm(forms.Form):
    cycle = forms.TypedChoiceField(label=_("Cycle"), coerce=int)
    circle = CircleNameField(label=_("Circle"))
    kind = forms.ChoiceField(
        label=_("What was gained"),
        choices=SovereigntyRecord.Kind.choices,
        widget=forms.RadioSelect,
    )
    what = forms.CharField(
        label=_("In a few words"),
        max_length=200,
        help_text=_("e.g. “a food cooperative”, “a first-aid skill share”, “the bail fund”."),
    )
    people = forms.IntegerField(
        label=_("How many people (for leaders trained and skills distributed)"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("A count, never names."),
    )

    def __init__(self, *args, cycles, circles, suggest_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.cycles = {cycle.number: cycle for cycle in cycles}
        self.fields["cycle"].choices = [
            (cycle.number, _("Cycle %(number)d") % {"number": cycle.number}) for cycle in cycles
        ]
        self.fields["circle"].circles = circles
        self.fields["circle"].widget.suggest_url = suggest_url

    def clean_cycle(self):
        return self.cycles[self.cleaned_data["cycle"]]


SPRINT_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SprintBookingForm(forms.Form):
    """A shared space or tool for the sprint's hours (the movement's wall clock)."""

    resource = IdChoiceField(label=_("Space or tool"), queryset=None, empty_label=None)
    starts_at = forms.DateTimeField(label=_("From"), widget=SPRINT_MOMENT)
    ends_at = forms.DateTimeField(label=_("Until"), widget=SPRINT_MOMENT)
    note = forms.CharField(label=_("What for"), max_length=200, required=False)

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
