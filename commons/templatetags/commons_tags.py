from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from commons.amounts import format_amount
from commons.markdown import render_markdown
from commons.permissions import can_see_contributor

register = template.Library()


@register.filter
def markdown(text):
    # Safe: render_markdown escapes raw HTML and sanitizes the result with nh3.
    return mark_safe(render_markdown(text))  # noqa: S308


@register.simple_tag
def amount(value, pool):
    return format_amount(value, pool)


@register.simple_tag
def contributor(entry, membership):
    if can_see_contributor(membership, entry):
        name = entry.recorded_by.display_name
        return _("%(name)s (anonymous to others)") % {"name": name} if entry.anonymous else name
    return _("anonymous")
