"""How allauth fits this project."""

from allauth.account.adapter import DefaultAccountAdapter

from movement.models import Membership


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys the per-account failed-login limit on the current site's domain;
        # without django.contrib.sites that is the request's Host header, which a caller
        # chooses freely: nine wrong passwords under nine Host headers were never counted
        # together. The account alone is the key.
        login = credentials.get("email", credentials.get("username", "")).strip().lower()
        return f"account:{login}"

    def get_login_redirect_url(self, request):
        """Someone in exactly one movement lands on its home, where what needs them is;
        anyone else on the list of their movements. (A ``?next=`` link still wins.)"""
        homes = list(Membership.objects.filter(user=request.user).select_related("movement")[:2])
        if len(homes) == 1:
            return homes[0].movement.get_absolute_url()
        return super().get_login_redirect_url(request)
