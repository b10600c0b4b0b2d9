"""Every write a person submits happens once.

Each POST form carries ``{% submission_token %}``: a fresh random token. The middleware
below runs a POST that carries one inside a transaction that first stores the token
(``Submission``, unique). The write the view makes commits together with it, or not at
all. The same form posted again — a double tap, a browser retry, a replay — meets the
unique constraint (after the first post committed, if both arrive at once) and is sent,
with a friendly word, to the page the first post led to; nothing is written twice.

A post that fails (the form comes back with errors, or the view reports an error) rolls
the token back with everything else, so correcting the form and sending it again works.
So a view that writes must answer success the way every view here does: a redirect (or
``HX-Redirect``), or, for an htmx partial answered in place, ``request.write_succeeded =
True`` before it returns.
"""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from movement.models import Submission

FIELD = "submission"
KEEP_FOR = timedelta(days=30)


def new_token():
    return uuid.uuid4()


def posted_token(request):
    """The form's token, None when the post carries none; a damaged token is a 400."""
    value = request.POST.get(FIELD, "")
    if not value:
        return None
    if len(value) != 36 or not value.isascii():
        raise BadRequest("This form was damaged on the way; reload the page and send it again.")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BadRequest(
            "This form was damaged on the way; reload the page and send it again."
        ) from None


def _succeeded(request, response):
    """A post succeeded when it redirects (Post/Redirect/Get), sends htmx elsewhere, or the
    view said so (``request.write_succeeded = True``, for a partial answered in place), and
    the view added no error message in this request (messages left from an earlier request
    do not count)."""
    if not (
        300 <= response.status_code < 400
        or response.has_header("HX-Redirect")
        or getattr(request, "write_succeeded", False)
    ):
        return False
    added_now = getattr(messages.get_messages(request), "_queued_messages", [])
    return not any(message.level == messages.ERROR for message in added_now)


def _repeat(request, token):
    earlier = Submission.objects.filter(token=token, user=request.user).first()
    if earlier is None:  # someone else's token: nothing of theirs to point at
        raise BadRequest("This form was already used; reload the page and send it again.")
    messages.info(request, _("That was already sent, and it counted once."))
    return HttpResponseRedirect(earlier.leads_to or request.path)


def once_per_form(get_response):
    """Middleware: a POST with a form token writes once (see the module's docstring)."""

    def middleware(request):
        if request.method != "POST" or not request.user.is_authenticated:
            return get_response(request)
        token = posted_token(request)
        if token is None:
            return get_response(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(token=token, user=request.user)
            except IntegrityError:
                return _repeat(request, token)
            response = get_response(request)
            if _succeeded(request, response):
                leads_to = response.get("Location") or response.get("HX-Redirect") or ""
                submission.leads_to = leads_to[:2000]
                submission.save(update_fields=["leads_to"])
            else:
                transaction.set_rollback(True)
        return response

    return middleware


def forget_old_submissions(now=None):
    """Tokens only guard against repeats within a form's life; a month is plenty."""
    now = now or timezone.now()
    deleted, _rows = Submission.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted
