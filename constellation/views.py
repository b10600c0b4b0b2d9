"""Pages of the roof: they read several apps, so no app can hold them."""

from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from circles import selectors as circle_selectors
from commons import selectors as commons_selectors
from constellation import graph, lenses, overview, patterns, retrospective
from constellation.health import health_report
from movement import permissions
from movement import selectors as movement_selectors
from movement import services as movement_services
from movement.forms import BlindSpotForm
from movement.needs import needs_of
from movement.streaming import csv_writer
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
            "glance": overview.at_a_glance(movement, membership),
        },
    )


GRAPH_TABLE_PAGE = 50


@movement_view
def constellation_graph(request, membership):
    """The circles and their ligaments as a picture, with the same data as a table. The
    layout is stored and reused while the graph stays the same (``constellation.graph``);
    ``?zoom=`` draws it larger, without any script."""
    movement = membership.movement
    zoom = graph.zoom_level(request.GET.get("zoom"))
    shape = graph.constellation(movement)
    page = Paginator(shape.circles, GRAPH_TABLE_PAGE).get_page(request.GET.get("page"))
    focus = None
    if "circle" in request.GET:  # every ligament of one circle, listed above the table
        wanted = request.GET["circle"]
        focus = next((node for node in shape.circles if node.slug == wanted), None)
        if focus is None:
            raise Http404(_("No active circle of this movement has that address."))
    return render(
        request,
        "constellation/graph.html",
        {
            "movement": movement,
            "membership": membership,
            "shape": shape,
            "drawing": graph.drawing(shape, zoom=zoom),
            "legend": graph.legend(),
            "page": page,
            "focus": focus,
            "querystring": f"zoom={zoom}" if zoom != 1 else "",
        },
    )


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@movement_view
@require_GET
def pattern_decay(request, membership):
    """The tactics circles name cycle after cycle, and what else the library offers."""
    movement = membership.movement
    found = patterns.patterns(movement)
    return render(
        request,
        "constellation/patterns.html",
        {
            "movement": movement,
            "membership": membership,
            "patterns": found,
            "decay_after": patterns.DECAY_AFTER,
        },
    )


@movement_view
@require_GET
def lens_map(request, membership):
    """The lens mix three ways, the blind spots and what could fill them."""
    movement = membership.movement
    movement_services.ensure_tactics(movement)
    found = lenses.with_sparks(lenses.lens_map(movement), movement, membership)
    return render(
        request,
        "constellation/lens_map.html",
        {
            "movement": movement,
            "membership": membership,
            "lenses": found,
            "can_set_threshold": permissions.can_set_movement_settings(membership),
            "threshold_form": BlindSpotForm(initial={"percent": movement.blind_spot_below}),
            "mine": movement_selectors.lens_assessment_of(membership),
        },
    )


@movement_view
@require_GET
def cycle_retrospective(request, membership, number):
    """One cycle held, looked back on: sovereignty first, attendance last and small."""
    movement = membership.movement
    found = retrospective.retrospective(movement, number)
    return render(
        request,
        "constellation/retrospective.html",
        {"movement": movement, "membership": membership, "retro": found},
    )


def _cell(value):
    """A cell a spreadsheet will not run: text that starts like a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@movement_view
@require_GET
def cycle_retrospective_csv(request, membership, number):
    movement = membership.movement
    found = retrospective.retrospective(movement, number)
    writer = csv_writer()
    rows = list(retrospective.csv_rows(found))  # now, in the reader's language
    lines = (writer.writerow([_cell(value) for value in row]) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"{slugify(movement.slug)}-cycle-{number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@movement_view
@require_GET
def movement_overview(request, membership):
    """Everything at a glance, with a thumbnail of the constellation (its stored layout)."""
    movement = membership.movement
    shape = graph.constellation(movement)
    return render(
        request,
        "constellation/overview.html",
        {
            "movement": movement,
            "membership": membership,
            "glance": overview.at_a_glance(movement, membership),
            "drawing": graph.drawing(shape, zoom=1),
            "pools": commons_selectors.pools_of(movement),
        },
    )
