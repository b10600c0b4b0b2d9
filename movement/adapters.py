"""How allauth fits this project."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys the per-account failed-login limit on the current site's domain;
        # without django.contrib.sites that is the request's Host header, which a caller
        # chooses freely: nine wrong passwords under nine Host headers were never counted
        # together. The account alone is the key.
        login = credentials.get("email", credentials.get("username", "")).strip().lower()
        return f"account:{login}"
