from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circles.forms import CircleNameField
from circles.models import Lens
from commons.amounts import check_amount, is_zero, pool_places
from commons.models import Approval, DrawRequest, Pledge, Pool, Rotation
from movement.fields import IdChoiceField


def amount_field():
    return forms.CharField(
        label=_("Amount"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _clean_amount(value, places, field="amount"):
    try:
        return check_amount(value, places=places, field=field)
    except ValidationError as error:
        raise forms.ValidationError(error.message_dict[field]) from None


class PoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in Pool.Kind.choices if c[0] != Pool.Kind.ROTATING],
        widget=forms.RadioSelect,
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("For money: a three-letter code such as EUR, USD or MXN."),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=30,
        required=False,
        help_text=_("For items: what one unit is, such as meals or tents."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In plain words: what is this pool for?"),
    )
    instant_limit = forms.CharField(
        label=_("Granted at once up to"),
        max_length=40,
        initial="0",
        help_text=_("Draws up to this amount need no approval. 0 means every draw needs approval."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    approvals_required = forms.IntegerField(
        label=_("Circles that must approve larger draws"),
        min_value=1,
        max_value=20,
        initial=2,
        help_text=_("Members of this many circles, none of them the requester's own."),
    )

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("instant_limit")
        if typed is None:
            return cleaned
        try:
            if is_zero(typed):
                cleaned["instant_limit"] = Decimal(0)
            else:
                places = pool_places(cleaned.get("kind"), cleaned.get("currency", ""))
                cleaned["instant_limit"] = _clean_amount(typed, places, field="instant_limit")
        except forms.ValidationError as error:
            self.add_error("instant_limit", error)
        return cleaned


class PoolPolicyForm(forms.Form):
    purpose = PoolForm.base_fields["purpose"]
    instant_limit = PoolForm.base_fields["instant_limit"]
    approvals_required = PoolForm.base_fields["approvals_required"]

    def __init__(self, *args, pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool = pool

    def clean_instant_limit(self):
        typed = self.cleaned_data["instant_limit"]
        if is_zero(typed):
            return Decimal(0)
        return _clean_amount(typed, self.pool.decimal_places, field="instant_limit")


class PoolAmountForm(forms.Form):
    """A form with an amount counted in one pool's precision and a circle to pick."""

    def __init__(self, *args, pool, circles, suggest_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.pool = pool
        circle = self.fields["circle"]
        if isinstance(circle, CircleNameField):
            circle.circles, circle.widget.suggest_url = circles, suggest_url
        else:
            circle.queryset = circles
        self.fields["amount"].help_text = pool.unit_label

    def clean_amount(self):
        return _clean_amount(self.cleaned_data["amount"], self.pool.decimal_places)


class ContributionForm(PoolAmountForm):
    amount = amount_field()
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    circle = IdChoiceField(
        label=_("On behalf of"),
        queryset=None,
        required=False,
        empty_label=_("Just me"),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous to other members"),
        required=False,
        help_text=_("Others see “anonymous”; the ledger still records who, as it must."),
    )


class DrawRequestForm(PoolAmountForm):
    amount = amount_field()
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    circle = CircleNameField(
        label=_("Circle it serves"),
        required=False,
        help_text=_("Type the circle's name (suggestions appear), or leave it empty."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Approval.Decision.choices, widget=forms.RadioSelect
    )
    circle = IdChoiceField(label=_("Deciding for"), queryset=None, empty_label=None)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you decline."),
    )

    def __init__(self, *args, circles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles


class ReversalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Everyone will see why this entry was reversed."),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)

    def _in_range(self, field):
        day = self.cleaned_data.get(field)
        if day and not self.EARLIEST <= day <= self.LATEST:
            raise forms.ValidationError(_("Pick a day between 1900 and 2999."))
        return day

    def clean_start(self):
        return self._in_range("start")

    def clean_end(self):
        return self._in_range("end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("Pick a day on or after the start."))
        return cleaned

    def period(self):
        """[start, end) as aware datetimes; the last 90 days by default."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = (data.get("end") or today) + timedelta(days=1)
        start = data.get("start") or (end - timedelta(days=91))
        return _start_of(start), _start_of(end)


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class DrawFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *DrawRequest.State.choices], required=False
    )


class ArchiveEntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(
        label=_("Body"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown: **bold**, _italic_, lists, links. No HTML."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=300,
        required=False,
        help_text=_("Separate with commas, e.g. court support, bail, training."),
    )
    lens = forms.ChoiceField(
        label=_("Lens"), choices=[("", _("No particular lens")), *Lens.choices], required=False
    )
    circle = IdChoiceField(
        label=_("Contributing circle"), queryset=None, required=False, empty_label=_("None")
    )

    def __init__(self, *args, circles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles

    def clean_tags(self):
        tags = [tag.strip().lower() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        if any(len(tag) > 40 for tag in tags):
            raise forms.ValidationError(_("Keep each tag under 40 characters."))
        if len(tags) > 12:
            raise forms.ValidationError(_("Use at most 12 tags."))
        return tags


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    tag = forms.CharField(label=_("Tag"), max_length=40, required=False)
    lens = forms.ChoiceField(
        label=_("Lens"), choices=[("", _("All lenses")), *Lens.choices], required=False
    )


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(
        label=_("What it is"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    place = forms.CharField(label=_("Where it is"), max_length=200, required=False)
    max_hours = forms.IntegerField(
        label=_("Longest booking (hours)"), min_value=1, max_value=24 * 14, initial=4
    )


BOOKING_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BookingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("From"), widget=BOOKING_MOMENT)
    ends_at = forms.DateTimeField(label=_("Until"), widget=BOOKING_MOMENT)
    circle = IdChoiceField(
        label=_("For a circle (optional)"), queryset=None, required=False, empty_label=_("Myself")
    )
    note = forms.CharField(label=_("What for"), max_length=200, required=False)

    def __init__(self, *args, circles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles


DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PledgeChangeForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount each time"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    ends_on = forms.DateField(
        label=_("Last time (optional)"),
        required=False,
        widget=DAY,
        help_text=_("Leave it empty to give until you end the pledge."),
    )

    def __init__(self, *args, pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool = pool
        if pool.kind == Pool.Kind.MONEY:
            self.fields["currency"].initial = pool.currency
            self.fields["currency"].help_text = _("The pool counts this currency.")
        else:
            del self.fields["currency"]
            self.fields["amount"].help_text = pool.unit_label

    def clean_amount(self):
        return _clean_amount(self.cleaned_data["amount"], self.pool.decimal_places)

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()


class PledgeForm(PledgeChangeForm):
    rhythm = forms.ChoiceField(
        label=_("How often"), choices=Pledge.Rhythm.choices, widget=forms.RadioSelect
    )
    starts_on = forms.DateField(label=_("First time"), widget=DAY)
    circle = IdChoiceField(
        label=_("On behalf of"), queryset=None, required=False, empty_label=_("Just me")
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous to other members"),
        required=False,
        help_text=_("Others see “anonymous” on the ledger; the ledger still records who."),
    )
    field_order = ["amount", "currency", "rhythm", "starts_on", "ends_on", "circle", "anonymous"]

    def __init__(self, *args, circles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles


class RotationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("Three letters, like EUR or USD.")
    )
    purpose = forms.CharField(
        label=_("What it is for"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    share = forms.CharField(
        label=_("Each one's share per round"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    round_days = forms.IntegerField(
        label=_("Days per round"), min_value=1, max_value=92, initial=30
    )
    order = forms.ChoiceField(
        label=_("Who is paid first"),
        choices=Rotation.Order.choices,
        initial=Rotation.Order.LOT,
        widget=forms.RadioSelect,
        help_text=_("By need: participants may ask to go earlier, and the others decide."),
    )

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if "share" in cleaned:
            places = pool_places("rotating", cleaned.get("currency", ""))
            try:
                cleaned["share"] = _clean_amount(cleaned["share"], places, field="share")
            except forms.ValidationError as error:
                self.add_error("share", error)
        return cleaned


class EarlierForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you need it earlier"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The other participants read it and decide."),
    )


class StartForm(forms.Form):
    """A place in the payout order for each participant (1 is paid first)."""

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        for place, seat in enumerate(seats, start=1):
            self.fields[f"place_{seat.pk}"] = forms.IntegerField(
                label=seat.member.display_name,
                min_value=1,
                max_value=len(seats),
                required=False,
                initial=place,
            )

    def clean(self):
        cleaned = super().clean()
        taken = {}
        for seat in self.seats:
            place = cleaned.get(f"place_{seat.pk}")
            if place is None:
                continue
            if place in taken:
                self.add_error(
                    f"place_{seat.pk}",
                    _("%(other)s has this place already.") % {"other": taken[place]},
                )
            taken[place] = seat.member.display_name
        return cleaned

    def order(self):
        """Seat ids in order; a participant without a place is left out (and refused)."""
        placed = [
            (self.cleaned_data[f"place_{seat.pk}"], seat.pk)
            for seat in self.seats
            if self.cleaned_data.get(f"place_{seat.pk}") is not None
        ]
        return [pk for _place, pk in sorted(placed)]


class BookingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you decline."),
    )
