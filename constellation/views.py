"""Pages of the roof: they read several apps, so no app can hold them."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from circles import selectors as circle_selectors
from commons import selectors as commons_selectors
from constellation.health import health_report
from movement import permissions
from movement.needs import needs_of
from movement.tenancy import movement_view


@movement_view
def movement_home(request, membership):
    movement = membership.movement
    circles = circle_selectors.circle_directory(movement=movement)
    return render(
        request,
        "constellation/movement_home.html",
        {
            "movement": movement,
            "membership": membership,
            "needs": needs_of(membership),
            "circles": circles[:12],
            "circle_total": circles.count(),
            "my_circle_ids": circle_selectors.circle_ids_of(membership),
            "can_invite": permissions.can_invite(membership),
            "pools": commons_selectors.pools_of(movement),
        },
    )


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
