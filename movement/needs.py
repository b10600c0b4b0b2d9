"""What needs me: the short list at the top of a movement's home.

Each app says what it asks of a member through one function it registers here with
``@needs_provider``: given the member's ``Membership`` and the time, it returns ``Need``s.
The home lists them all, soonest first, without knowing any app's models. A provider runs
a fixed number of queries however large the movement is, and shows at most a handful of
items, with one more that links to the rest.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from movement import permissions
from movement.models import Invitation

_providers = []


@dataclass(frozen=True)
class Need:
    """One thing a person is asked to do, and where it is done."""

    title: str
    url: str
    detail: str = ""
    # By when, if it has a deadline: the list is ordered by it, undated items last.
    due: datetime | None = None
    # A template that shows the item richer than a link (an RSVP answered in place, say),
    # given ``need``; the app that registers the item owns it.
    template: str = ""
    extra: dict = field(default_factory=dict)


def needs_provider(function):
    """Register ``function(membership, now)`` as a source of needs; returns it unchanged."""
    if function not in _providers:
        _providers.append(function)
    return function


def needs_of(membership, *, now=None):
    """Everything the registered apps ask of this member now, soonest deadline first."""
    now = now or timezone.now()
    found = [need for provider in _providers for need in provider(membership, now)]
    return sorted(found, key=lambda need: (need.due is None, need.due or now))


# --- what the movement itself asks of its organizers ---------------------------------------

EXPIRING_WITHIN = timedelta(days=3)


@needs_provider
def invitation_needs(membership, now):
    """Invitation links that stop working within three days."""
    if not permissions.can_invite(membership):
        return []
    expiring = list(
        Invitation.objects.filter(
            movement=membership.movement_id,
            revoked_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + EXPIRING_WITHIN,
        )
        .exclude(single_use=True, use_count__gte=1)
        .order_by("expires_at")
        .values_list("expires_at", flat=True)[:100]
    )
    if not expiring:
        return []
    return [
        Need(
            title=ngettext(
                "An invitation link expires soon",
                "%(count)d invitation links expire soon",
                len(expiring),
            )
            % {"count": len(expiring)},
            detail=_("Make a new one if people still need to join."),
            url=reverse("movement:invitations", kwargs={"movement_slug": membership.movement.slug}),
            due=expiring[0],
        )
    ]
