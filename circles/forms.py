from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from circles.models import Circle, Lens, Spark
from movement.widgets import SuggestingInput


class CircleNameField(forms.CharField):
    """A circle chosen by its name, with suggestions as you type, instead of a select that
    holds every circle of the movement. ``circles`` is what may be chosen."""

    def __init__(self, *, circles=None, suggest_url="", **kwargs):
        kwargs.setdefault("max_length", Circle._meta.get_field("name").max_length)
        kwargs.setdefault("help_text", _("Type the circle's name: suggestions appear."))
        super().__init__(widget=SuggestingInput(suggest_url=suggest_url), **kwargs)
        self.circles = circles

    def prepare_value(self, value):
        return value.name if isinstance(value, Circle) else value

    def clean(self, value):
        name = super().clean(value)
        if not name:
            return None
        circle = self.circles.filter(name_key=Circle.key_for(name)).first()
        if circle is None:
            raise ValidationError(
                _("No circle here is called “%(name)s”: pick one of the suggestions."),
                code="unknown_circle",
                params={"name": name},
            )
        return circle


class CircleForm(forms.ModelForm):
    class Meta:
        model = Circle
        fields = ["name", "initiative", "theory_of_change", "lens"]
        widgets = {
            "initiative": forms.Textarea(attrs={"rows": 3}),
            "theory_of_change": forms.Textarea(attrs={"rows": 4}),
            "lens": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A required radio list offers no blank choice: Django's "---------" would start
        # checked, so the browser's `required` passes and only the server complains.
        self.fields["lens"].choices = Lens.choices

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not any(ch.isalnum() for ch in name):
            raise forms.ValidationError(_("Use at least one letter or digit."))
        return name

    def validate_unique(self):
        # Uniqueness (case-insensitive) is checked by the service, with a field message.
        pass


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), max_length=80, required=False)
    lens = forms.ChoiceField(
        label=_("Lens"), choices=[("", _("All lenses")), *Lens.choices], required=False
    )


class SparkForm(forms.ModelForm):
    class Meta:
        model = Spark
        fields = ["passion", "lens", "horizon"]
        widgets = {
            "passion": forms.Textarea(attrs={"rows": 3}),
            "horizon": forms.Textarea(attrs={"rows": 2}),
        }


class IgniteForm(forms.Form):
    name = forms.CharField(label=_("The circle's name"), max_length=80)
