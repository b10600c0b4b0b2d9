from django import forms
from django.utils.translation import gettext_lazy as _

from circles.models import Circle, Lens


class CircleForm(forms.ModelForm):
    class Meta:
        model = Circle
        fields = ["name", "initiative", "theory_of_change", "lens"]
        widgets = {
            "initiative": forms.Textarea(attrs={"rows": 3}),
            "theory_of_change": forms.Textarea(attrs={"rows": 4}),
            "lens": forms.RadioSelect,
        }

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
