import re
from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from movement.fields import TimeZoneField
from movement.lenses import QUESTIONS
from movement.models import Movement, NotificationPreference, Role, Tactic
from movement.services import MAX_INVITATION_DAYS
from movement.vocabulary import NOTIFICATION_KINDS
from movement.widgets import SuggestingInput

# A suggestion reads "Amara Okafor · #12": the number tells two Amaras apart.
NUMBERED = re.compile(r"^(?P<name>.*?)\s*·\s*#(?P<pk>[0-9]{1,18})$")


def member_label(membership):
    return f"{membership.user.display_name} · #{membership.pk}"


class MemberNameField(forms.CharField):
    """A member chosen by name, with suggestions as you type, instead of a list that holds
    everyone. ``members`` is what may be chosen."""

    def __init__(self, *, members=None, suggest_url="", **kwargs):
        kwargs.setdefault("max_length", 120)
        kwargs.setdefault("help_text", _("Type a name: suggestions appear."))
        super().__init__(widget=SuggestingInput(suggest_url=suggest_url), **kwargs)
        self.members = members

    def clean(self, value):
        typed = super().clean(value)
        if not typed:
            return None
        numbered = NUMBERED.match(typed)
        if numbered:
            found = list(self.members.filter(pk=int(numbered["pk"])).select_related("user"))
        else:
            found = list(
                self.members.filter(user__display_name__iexact=typed).select_related("user")[:2]
            )
        if len(found) > 1:
            raise ValidationError(
                _("Several members are called “%(name)s”: pick one of the suggestions."),
                code="ambiguous",
                params={"name": typed},
            )
        if not found:
            raise ValidationError(
                _("No member here is called “%(name)s”: pick one of the suggestions."),
                code="unknown_member",
                params={"name": typed},
            )
        return found[0]


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
    time_zone = TimeZoneField(
        initial="UTC",
        required=False,
        help_text=_(
            "Gatherings are planned and times shown in it. Type a city, e.g. Lagos; left "
            "empty, it is UTC."
        ),
    )

    class Meta:
        model = Movement
        fields = ["name", "horizon", "time_zone"]
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
        help_text=_("The link stops working at the end of this day, in this movement's time."),
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
        """The last moment of the chosen day in the zone the page is shown in (the
        movement's, or the organizer's own): "until 7 December" shows as 7 December, 23:59."""
        return timezone.make_aware(datetime.combine(self.cleaned_data["expires_on"], time.max))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class NotificationSettingsForm(forms.Form):
    """One choice per declared kind of notification: how it reaches the person."""

    def __init__(self, *args, deliveries, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NOTIFICATION_KINDS.items():
            self.fields[kind] = forms.ChoiceField(
                label=capfirst(label),
                choices=NotificationPreference.Delivery.choices,
                initial=deliveries.get(kind, NotificationPreference.Delivery.AT_ONCE),
                widget=forms.RadioSelect,
            )


def language_choices(unchosen):
    return [("", unchosen), *settings.LANGUAGES]


class PersonalSettingsForm(forms.Form):
    display_name = forms.CharField(label=_("Your name, as others see it"), max_length=80)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=lambda: language_choices(_("As your browser asks (or your movement)")),
        help_text=_("Pages, e-mails and notifications are written in it."),
    )
    time_zone = TimeZoneField(
        required=False,
        help_text=_(
            "Times are shown in it everywhere. Leave it empty to see each movement's times in "
            "that movement's own zone."
        ),
    )


class MovementLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("The movement's language"),
        required=False,
        choices=lambda: language_choices(_("None: each member's browser decides")),
        help_text=_(
            "Members who have not chosen a language of their own read the movement's pages, "
            "e-mails and notifications in it."
        ),
    )


class TacticForm(forms.ModelForm):
    class Meta:
        model = Tactic
        fields = ["name", "lens", "aim", "description", "examples", "also_called"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "examples": forms.Textarea(attrs={"rows": 2}),
        }


class LensAssessmentForm(forms.Form):
    """The five questions of ``movement.lenses``, each a choice of sentences."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text, choices=list(question.answers), widget=forms.RadioSelect
            )


class BlindSpotForm(forms.Form):
    percent = forms.IntegerField(
        label=_("Name a lens a blind spot below (percent)"), min_value=0, max_value=50
    )


class SparkQuorumForm(forms.Form):
    people = forms.IntegerField(
        label=_("People a spark needs to become a circle"), min_value=1, max_value=50
    )


class DeleteAccountForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address, to confirm"),
        help_text=_("Type the address you log in with."),
    )
    remove_texts = forms.BooleanField(
        label=_("Also remove what I wrote in shared places"),
        required=False,
        help_text=_(
            "Circle reports you sent, sprint log lines, sparks, draw requests and comments, "
            "booking notes, archive entries, sovereignty records and your own account in a "
            "conflict case are replaced by a line saying you asked for their removal. Notes "
            "on ledger lines stay: the ledger is never changed."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        typed = self.cleaned_data["email"].strip().casefold()
        if typed != self.user.email.casefold():
            raise forms.ValidationError(_("That is not the address you log in with."))
        return typed
