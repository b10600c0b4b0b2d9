from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from movement.models import Movement, Role
from movement.services import MAX_INVITATION_DAYS


class SignupForm(forms.Form):
    """Extra fields for allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("How other members see you. It need not be your legal name."),
    )

    field_order = ["display_name"]

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class MovementForm(forms.ModelForm):
    class Meta:
        model = Movement
        fields = ["name", "horizon"]
        widgets = {"horizon": forms.Textarea(attrs={"rows": 4})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not any(ch.isalnum() for ch in name):
            raise forms.ValidationError(_("Use at least one letter or digit."))
        return name


def _default_expiry():
    return timezone.localdate() + timedelta(days=7)


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    expires_on = forms.DateField(
        label=_("Valid until"),
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The link stops working at the end of this day (UTC)."),
    )
    single_use = forms.BooleanField(
        label=_("Single use"),
        required=False,
        initial=True,
        help_text=_("One person can join with it. Untick to share it with a group."),
    )
    note = forms.CharField(
        label=_("Note for organizers"),
        max_length=120,
        required=False,
        help_text=_("Who is this for? Only organizers see it."),
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("Pick today or a later day."))
        if day > today + timedelta(days=MAX_INVITATION_DAYS):
            raise forms.ValidationError(
                _("An invitation can last %(days)d days at most.") % {"days": MAX_INVITATION_DAYS}
            )
        return day

    @property
    def expires_at(self):
        next_day = self.cleaned_data["expires_on"] + timedelta(days=1)
        return timezone.make_aware(datetime.combine(next_day, time.min))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
