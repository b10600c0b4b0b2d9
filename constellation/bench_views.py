"""The two floors `make bench` measures every page against (issue 10).

Both go through the whole middleware stack like any page; the template is compiled once
at import, as the cached loader does for files. Mounted only when
``settings.BENCH_FLOOR_VIEWS`` is true (the bench's own server), never by default.
"""

from django.http import HttpResponse
from django.template import engines
from django.views.decorators.http import require_GET

TRIVIAL = engines["django"].from_string(
    "<!doctype html><title>floor</title><p>{{ greeting }}{% if name %}, {{ name }}{% endif %}</p>"
)


@require_GET
def floor_anonymous(request):
    """A bare view rendering a trivial template: it never touches the session or the user."""
    return HttpResponse(TRIVIAL.render({"greeting": "Hello"}, request))


@require_GET
def floor_logged_in(request):
    """The same view reading ``request.user``: the session and the user lookup, nothing more."""
    return HttpResponse(TRIVIAL.render({"greeting": "Hello", "name": str(request.user)}, request))
