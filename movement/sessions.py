"""Sessions that bring their user along: the cheap path of every logged-in page.

Django's database sessions cost a logged-in request two queries before its view runs: the
session row, then the user. Here the session row carries its user (``Session.user``, set
from the session's own ``_auth_user_id`` whenever it is saved) and is read with it in one
joined query. ``get_user`` then accepts that user under exactly the checks of
``django.contrib.auth.get_user`` (Django 5.2): a listed backend, the backend's
``user_can_authenticate`` (an inactive account is logged out), and the session hash, with
the secret-key fallbacks. Anything else goes to Django's own lookup.
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject


class SessionStore(DatabaseSessionStore):
    """The database session store on ``movement.Session``, whose manager joins the user."""

    loaded_user = None

    @classmethod
    def get_model_class(cls):
        from movement.models import Session

        return Session

    def load(self):
        row = self._get_session_from_db()
        self.loaded_user = row.user if row else None
        return self.decode(row.session_data) if row else {}

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        row.user_id = self.model._meta.get_field("user").to_python(user_id) if user_id else None
        return row


def get_user(request):
    """``request.user``: the account the session row brought along when it checks out,
    else whatever ``django.contrib.auth.get_user`` finds."""
    session = request.session
    user_id = session.get(SESSION_KEY)  # loads the session (and its user) on first use
    user = getattr(session, "loaded_user", None)
    backend_path = session.get(BACKEND_SESSION_KEY)
    if (
        user is None
        or user_id is None
        or str(user.pk) != str(user_id)
        or backend_path not in settings.AUTHENTICATION_BACKENDS
    ):
        return auth.get_user(request)
    if not load_backend(backend_path).user_can_authenticate(user):
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    current_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = current_hash
        return user
    session.flush()
    return AnonymousUser()


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with ``request.user`` from ``get_user`` above (``auser`` stays Django's)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user
