"""Middleware of the roof."""

from django.utils import translation
from django.utils.cache import patch_cache_control


def private_pages(get_response):
    """A page shown to a logged-in person is never stored: not by a shared proxy, not by
    the browser's back button on a shared computer after logging out."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def person_language(get_response):
    """A logged-in person who chose a language reads every page in it; everyone else gets
    what ``LocaleMiddleware`` found (the language cookie, else the browser's), unless a
    movement's pages say otherwise (``movement.tenancy.movement_view``)."""

    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return get_response(request)

    return middleware
