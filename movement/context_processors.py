"""What every page's header reads: the unread count, the current page, and on the roof's
own pages (notifications, calendar) the movement to offer a way back to.

Each value is worked out the first time a template reads it, so a response that never
renders the header (an htmx partial, a CSV, a redirect) runs no query for it.
"""

from functools import cached_property

from movement.models import Membership, Notification

# Links in the header, by key: the view each one opens, and the views of its section.
# A link is the current page on its own view; on the other views of its section it is
# marked as part of where the person is (aria-current="true").
LINKS = {
    "movement": ("movement:home", ()),
    "circles": ("circles:directory", ("circles:",)),
    "commons": ("commons:pools", ("commons:",)),
    "convergence": ("rituals:convergence", ("rituals:",)),
    "conflicts": ("rituals:conflicts", ("rituals:conflict_", "rituals:case_", "rituals:drill_")),
    "members": ("movement:members", ("movement:invitations", "movement:audit")),
    "notifications": ("notifications", ("notification_settings",)),
    "calendar": ("calendar", ()),
    "settings": ("personal_settings", ("notification_settings",)),
    "account": ("account_email", ("account_change_password", "account_set_password")),
    "two_factor": ("mfa_index", ("mfa_",)),
    "log_in": ("account_login", ()),
    "sign_up": ("account_signup", ()),
}

# Pages outside any movement that still offer the person's movement when they have one.
ROOF_PAGES = {"notifications", "notification_settings", "personal_settings", "calendar"}


def _in_section(view_name, section):
    return any(view_name.startswith(prefix) for prefix in section)


class Header:
    def __init__(self, request):
        self.request = request

    @cached_property
    def _view_name(self):
        match = getattr(self.request, "resolver_match", None)
        return match.view_name if match else ""

    @cached_property
    def current(self):
        """``{"members": "page"}``: the value of each link's ``aria-current``, if any."""
        marks = {}
        for key, (own, section) in LINKS.items():
            if self._view_name == own:
                marks[key] = "page"
            elif _in_section(self._view_name, section):
                marks[key] = "true"
        if "conflicts" in marks:  # its own link, though its views live in rituals
            marks.pop("convergence", None)
        return marks

    @cached_property
    def unread_count(self):
        """One COUNT over the person's unread rows (the recipient index narrows it). Zero
        on the notifications page itself: the person is reading them, and it marks them read."""
        user = self.request.user
        if not user.is_authenticated or self._view_name == "notifications":
            return 0
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    @cached_property
    def sole_movement(self):
        """On the roof's own pages, the person's movement when they belong to exactly one;
        elsewhere None, without a query."""
        user = self.request.user
        if self._view_name not in ROOF_PAGES or not user.is_authenticated:
            return None
        memberships = list(Membership.objects.filter(user=user).select_related("movement")[:2])
        return memberships[0].movement if len(memberships) == 1 else None


def header(request):
    return {"header": Header(request)}
