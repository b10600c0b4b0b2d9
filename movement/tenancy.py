"""The one place that turns ``/m/<movement_slug>/…`` into a movement and a membership.

Anonymous callers are sent to log in. A logged-in non-member gets 404, exactly
like a movement that does not exist, so a URL never reveals that a movement is there.
A member's view runs in their own time zone, or else the movement's, and in their own
language, or else the movement's, or else their browser's.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation
from django.views.defaults import permission_denied

from movement.models import Membership


def get_membership(user, movement_slug):
    """The caller's membership (with its movement) or 404: one query."""
    try:
        return Membership.objects.select_related("movement", "user").get(
            user=user, movement__slug=movement_slug
        )
    except Membership.DoesNotExist:
        raise Http404("No such movement.") from None


def movement_view(view):
    """Decorate a view ``view(request, membership, …)`` served under ``/m/<movement_slug>/``."""

    @wraps(view)
    def wrapper(request, movement_slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = get_membership(request.user, movement_slug)
        # Every date and time on the movement's pages is in the person's own zone if they
        # chose one, else the movement's. (A streamed response, read after this returns,
        # names its zone itself.)
        # Their words are in the language they chose, else the movement's if it set one,
        # else their browser's (already active; as with LocaleMiddleware, it lasts the
        # request).
        language = request.user.language or membership.movement.language
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        with timezone.override(request.user.zone or membership.movement.zone):
            try:
                return view(request, membership, *args, **kwargs)
            except PermissionDenied as refusal:
                # Rendered here, so the refusal's page too is in their zone.
                return permission_denied(request, refusal)

    return wrapper


def require(allowed, reason):
    """403 with a plain reason when a member lacks the role for this action."""
    if not allowed:
        raise PermissionDenied(reason)
