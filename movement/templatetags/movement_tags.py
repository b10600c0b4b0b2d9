from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from movement.permissions import can_see_identity
from movement.submissions import FIELD, new_token

register = template.Library()


@register.simple_tag
def actor_name(event, membership):
    """Who did it, as the audit trail may show it to this reader."""
    anonymous = bool(event.data.get("anonymous"))
    if not can_see_identity(membership, person_id=event.actor_id, anonymous=anonymous):
        return _("anonymous")
    return event.actor.display_name if event.actor else _("the system")


@register.simple_tag
def submission_token():
    """A fresh one-time token for a POST form: the form's write happens once."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
