"""The constellation graph: circles as nodes, ligaments as edges, drawn on the server from a
layout that is stored and computed again only when the graph changes, with the same data
as a table beside it, and zoom by link."""

import math
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle, CircleMembership
from commons.services import decide_draw
from constellation import graph
from movement.models import Membership, User
from rituals.models import Sprint, SprintCircle, SprintRound
from rituals.pairing import Ligament
from rituals.services.facilitation import record_commitment
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    DrawRequestFactory,
    GatheringFactory,
    MembershipFactory,
    PoolFactory,
)

URL = reverse("movement:graph", kwargs={"movement_slug": "tidewater"})


def seat(circle, member=None):
    member = member or MembershipFactory(movement=circle.movement)
    CircleMembershipFactory(circle=circle, member=member)
    return member


def circle(movement, name, members=0):
    made = CircleFactory(movement=movement, name=name, slug=name.lower().replace(" ", "-"))
    for _ in range(members):
        seat(made)
    return made


def sprint_of(*circles):
    movement = circles[0].movement
    now = timezone.now()
    sprint_round = SprintRound.objects.create(
        movement=movement, deadline=now, state=SprintRound.State.LAUNCHED
    )
    sprint = Sprint.objects.create(
        round=sprint_round, movement=movement, starts_at=now, ends_at=now + timedelta(hours=72)
    )
    for each in circles:
        SprintCircle.objects.create(sprint=sprint, round=sprint_round, circle=each)


def shared_member(a, b):
    seat(b, seat(a))


def commitment(by, naming):
    record_commitment(
        by=None,
        gathering=GatheringFactory(movement=by.movement),
        circle=by,
        text=f"Help {naming.name}",
    )


def commons_draw(for_circle, approved_by):
    fund = PoolFactory(
        movement=for_circle.movement, instant_limit=Decimal("10"), approvals_required=1
    )
    draw = DrawRequestFactory(
        by=seat(for_circle), pool=fund, amount=Decimal("100"), circle=for_circle
    )
    decide_draw(
        by=seat(approved_by), draw_request=draw, decision="approve", comment="", circle=approved_by
    )


def svg_of(response):
    html = response.content.decode()
    return html[html.index('<svg class="graph-svg') : html.index("</svg>", html.index("graph-svg"))]


def nodes_in(response):
    """{circle id: (href, title)} of the circles drawn."""
    return {
        int(pk): (href, title)
        for href, pk, title in re.findall(
            r'<a class="graph-node[^"]*" href="([^"]+)" data-circle="(\d+)"[^>]*>'
            r"<title>([^<]*)</title>",
            svg_of(response),
        )
    }


def edges_in(response):
    """{frozenset of circle ids: (kind, dashes, width, title)} of the lines drawn."""
    found = {}
    for kind, width, rest, a, b, title in re.findall(
        r'<line class="graph-edge graph-edge-(\w+)"[^>]* stroke-width="([\d.]+)"([^>]*)'
        r' data-a="(\d+)" data-b="(\d+)"><title>([^<]*)</title>',
        svg_of(response),
    ):
        dashes = re.search(r'stroke-dasharray="([^"]*)"', rest)
        found[frozenset((int(a), int(b)))] = (
            kind,
            dashes.group(1) if dashes else "",
            float(width),
            title,
        )
    return found


@pytest.fixture
def kitchen(tidewater):
    return circle(tidewater, "Kitchen", members=2)


@pytest.fixture
def legal(tidewater):
    return circle(tidewater, "Legal", members=1)


@pytest.fixture
def radio(tidewater):
    return circle(tidewater, "Radio")


@pytest.fixture
def layouts(monkeypatch):
    """Counts the layouts computed (the real function still runs)."""
    calls = []
    real = graph.layout

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(graph, "layout", counted)
    return calls


# --- who may look ----------------------------------------------------------------------------


def test_a_member_sees_the_constellation(login, mo, medics, kitchen):
    shared_member(medics, kitchen)
    response = login(mo).get(URL)
    assert response.status_code == 200
    svg = svg_of(response)
    assert 'role="graphics-document"' in svg
    assert 'aria-labelledby="graph-title"' in svg and 'aria-describedby="graph-desc"' in svg
    assert '<title id="graph-title">The constellation of Tidewater</title>' in svg
    assert '<desc id="graph-desc">' in svg


@pytest.mark.parametrize("outsider", ["nina", "otto"])
def test_outsiders_are_told_nothing_is_there(login, request, outsider, medics):
    response = login(request.getfixturevalue(outsider)).get(URL)
    assert response.status_code == 404


def test_anonymous_callers_are_sent_to_log_in(client, tidewater):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=" in response.url


def test_a_movement_without_circles_says_so(login, mo):
    html = login(mo).get(URL).content.decode()
    assert "No circles yet" in html
    assert '<svg class="graph-svg' not in html


def test_the_movement_home_links_to_the_graph(login, mo):
    assert URL in login(mo).get(reverse("movement:home", args=["tidewater"])).content.decode()


# --- what the picture shows ------------------------------------------------------------------


def test_each_circle_links_to_its_page(login, mo, medics, kitchen, radio):
    shared_member(medics, kitchen)
    nodes = nodes_in(login(mo).get(URL))
    assert {pk: href for pk, (href, _title) in nodes.items()} == {
        each.pk: each.get_absolute_url() for each in (medics, kitchen, radio)
    }


def test_a_circle_s_area_follows_its_members(login, mo, tidewater):
    big, small = circle(tidewater, "Big", members=16), circle(tidewater, "Small", members=4)
    svg = svg_of(login(mo).get(URL))
    radii = {
        int(pk): float(r)
        for pk, r in re.findall(r'data-circle="(\d+)"[^>]*>.*?<circle [^>]* r="([\d.]+)"', svg)
    }
    assert radii[big.pk] == graph.RADIUS_MOST
    assert radii[small.pk] / radii[big.pk] == pytest.approx(math.sqrt(4 / 16), abs=0.03)


def test_each_kind_of_ligament_has_its_line_style(login, mo, tidewater):
    a, b, c, d, e = (
        circle(tidewater, name) for name in ("Ash", "Birch", "Cedar", "Dogwood", "Elm")
    )
    sprint_of(a, b)
    shared_member(b, c)
    commitment(c, naming=d)
    commons_draw(d, approved_by=e)
    edges = edges_in(login(mo).get(URL))
    kinds = {pair: (kind, dashes) for pair, (kind, dashes, _w, _t) in edges.items()}
    pair = lambda x, y: frozenset((x.pk, y.pk))  # noqa: E731
    assert kinds[pair(a, b)][0] == "sprint" and kinds[pair(a, b)][1] == ""  # solid
    assert kinds[pair(b, c)][0] == "shared" and len(kinds[pair(b, c)][1].split()) == 2  # dashed
    assert kinds[pair(c, d)][0] == "commitment" and kinds[pair(c, d)][1].startswith("0 ")  # dots
    assert kinds[pair(d, e)][0] == "commons" and len(kinds[pair(d, e)][1].split()) == 4  # dash-dot


def test_an_edge_of_several_kinds_takes_the_strongest_and_names_them_all(
    login, mo, medics, kitchen
):
    sprint_of(medics, kitchen)  # 3
    shared_member(medics, kitchen)
    shared_member(medics, kitchen)  # 2 × 2 = 4: the strongest
    commitment(kitchen, naming=medics)  # 2
    kind, _dashes, _width, title = edges_in(login(mo).get(URL))[frozenset((medics.pk, kitchen.pk))]
    assert kind == "shared"
    assert "strength 9" in title
    assert "2 shared members" in title and "1 sprint together" in title
    assert "1 commitment to each other" in title


def test_the_strongest_ligament_is_the_widest_line(login, mo, medics, kitchen, legal):
    sprint_of(medics, kitchen)
    sprint_of(medics, kitchen)
    commitment(legal, naming=medics)
    edges = edges_in(login(mo).get(URL))
    strong = edges[frozenset((medics.pk, kitchen.pk))][2]
    weak = edges[frozenset((medics.pk, legal.pk))][2]
    assert strong == graph.EDGE_THICKEST
    assert weak < strong


def test_a_circle_tied_to_no_other_is_marked_drifting(login, mo, medics, kitchen, radio):
    shared_member(medics, kitchen)
    response = login(mo).get(URL)
    html = response.content.decode()
    drifting = re.findall(
        r'<a class="graph-node graph-node-drifting"[^>]*data-circle="(\d+)"', html
    )
    assert drifting == [str(radio.pk)]
    assert nodes_in(response)[radio.pk][1].endswith("; drifting")
    assert re.search(rf'<tr data-circle="{radio.pk}">.*?<td>yes</td>', html, re.S)
    assert re.search(rf'<tr data-circle="{medics.pk}">.*?<td>no</td>', html, re.S)


def test_the_table_has_the_same_numbers_as_the_picture(login, mo, medics, kitchen, legal, radio):
    sprint_of(medics, kitchen)
    shared_member(medics, legal)
    commitment(kitchen, naming=legal)
    response = login(mo).get(URL)
    html = response.content.decode()
    pictured = {}
    for pk, (_href, title) in nodes_in(response).items():
        numbers = re.match(
            r"[^:]+: (\d+) members?, (\d+) ligaments?(?:, strength| of strength) (\d+)", title
        )
        pictured[pk] = tuple(int(n) for n in numbers.groups())
    tabled = {
        int(pk): (int(members), ties.count("<li>"), int(strength))
        for pk, members, ties, strength in re.findall(
            r'<tr data-circle="(\d+)">.*?<td data-members="\d+">(\d+)</td>\s*'
            r'<td data-ligaments="\d+">(.*?)</td>\s*<td data-strength="\d+">(\d+)</td>',
            html,
            re.S,
        )
    }
    assert pictured == tabled
    assert tabled[medics.pk] == (1, 2, 3 + 2)  # the shared member; a sprint and the member


def test_a_big_movement_shows_its_strongest_circles_and_tables_the_rest(
    login, mo, tidewater, monkeypatch
):
    monkeypatch.setattr(graph, "SHOWN", 3)
    circles = [circle(tidewater, f"Circle {n}") for n in range(5)]
    shared_member(circles[0], circles[1])
    shared_member(circles[1], circles[2])
    response = login(mo).get(URL)
    assert set(nodes_in(response)) == {circles[0].pk, circles[1].pk, circles[2].pk}
    html = response.content.decode()
    assert "the 2 others are in the table only" in html
    assert all(f'<tr data-circle="{each.pk}">' in html for each in circles)


# --- the stored layout ----------------------------------------------------------------------


def test_a_second_look_reuses_the_stored_layout(login, mo, medics, kitchen, layouts):
    shared_member(medics, kitchen)
    client = login(mo)
    first = client.get(URL)
    second = client.get(URL)
    assert len(layouts) == 1
    assert svg_of(first) == svg_of(second)


def test_the_layout_is_kept_in_the_shared_cache_under_the_movement(
    login, mo, tidewater, medics, kitchen
):
    shared_member(medics, kitchen)
    login(mo).get(URL)
    stored = cache.get(graph.cache_key(tidewater))
    assert set(stored["positions"]) == {medics.pk, kitchen.pk}
    assert stored["fingerprint"] == graph.constellation(tidewater).fingerprint


def test_a_new_ligament_lays_the_graph_out_again(login, mo, medics, kitchen, legal, layouts):
    shared_member(medics, kitchen)
    client = login(mo)
    client.get(URL)
    sprint_of(kitchen, legal)
    after = client.get(URL)
    assert len(layouts) == 2
    assert frozenset((kitchen.pk, legal.pk)) in edges_in(after)


def test_a_stronger_ligament_lays_the_graph_out_again(login, mo, medics, kitchen, layouts):
    shared_member(medics, kitchen)
    client = login(mo)
    client.get(URL)
    commitment(medics, naming=kitchen)
    client.get(URL)
    assert len(layouts) == 2


def test_a_new_circle_lays_the_graph_out_again(login, mo, tidewater, medics, layouts):
    client = login(mo)
    client.get(URL)
    circle(tidewater, "Newcomers")
    client.get(URL)
    assert len(layouts) == 2


def test_a_new_member_moves_nothing_until_the_circle_is_drawn_larger():
    def fingerprint(members):
        circles = [(1, "Big", "big", 100), (2, "Small", "small", members)]
        return graph.arrange(circles, {frozenset((1, 2)): Ligament(shared_members=1)}).fingerprint

    assert fingerprint(1) == fingerprint(2)  # both drawn at the smallest size
    assert fingerprint(2) != fingerprint(50)


def test_the_layout_is_the_same_for_the_same_graph():
    circles = [(pk, 8.0) for pk in range(1, 30)]
    ligaments = [(pk, pk + 1, pk % 5 + 1) for pk in range(1, 29)]
    assert graph.layout(circles, ligaments) == graph.layout(circles, ligaments)


def test_circles_do_not_overlap_and_names_do_not_cover_each_other():
    circles = [(pk, graph.radius(pk % 9, 8)) for pk in range(1, 121)]
    ligaments = [(pk, pk % 120 + 1, 2) for pk in range(1, 121)]
    positions = graph.layout(circles, ligaments)
    inner = (graph.WIDTH - 2 * graph.PAD, graph.HEIGHT - 2 * graph.PAD)
    points = {pk: (x * inner[0], y * inner[1]) for pk, (x, y) in positions.items()}
    radii = dict(circles)
    overlapping = [
        (a, b)
        for a in points
        for b in points
        if a < b and math.dist(points[a], points[b]) < radii[a] + radii[b] - 1
    ]
    assert overlapping == []

    nodes = [
        graph.Node(id=pk, name=f"Circle number {pk}", slug=f"c{pk}", members=1) for pk in points
    ]
    for node in nodes:
        node.radius = radii[node.id]
    shape = graph.Constellation(nodes, nodes, [], 0, positions, "")
    drawn = graph.drawing(shape, zoom=1)["nodes"]
    boxes = [
        (
            d.label_x - len(d.label) * 3.6 - 2,
            d.label_y - 12,
            d.label_x + len(d.label) * 3.6 + 2,
            d.label_y + 3,
        )
        for d in drawn
        if d.label
    ]
    assert boxes
    assert not any(graph._overlaps(box, boxes[index + 1 :]) for index, box in enumerate(boxes))
    more = graph.drawing(shape, zoom=4)["labelled"]
    assert more > len(boxes)  # zooming in leaves room for more names


# --- zoom by link ----------------------------------------------------------------------------


def test_zoom_in_and_out_are_plain_links(login, mo, medics, kitchen):
    shared_member(medics, kitchen)
    client = login(mo)
    overview = client.get(URL).content.decode()
    assert 'href="?zoom=2#graph">Zoom in</a>' in overview
    assert "Zoom out" not in overview
    assert 'width="720"' in overview and "graph-fit" in overview

    closer = client.get(URL, {"zoom": 2}).content.decode()
    assert 'viewBox="0 0 1440 1080" width="1440" height="1080"' in closer
    assert "graph-fit" not in closer  # drawn at its size, scrolled in its frame
    assert 'href="?zoom=1#graph">Zoom out</a>' in closer
    assert 'href="?zoom=4#graph">Zoom in</a>' in closer

    closest = client.get(URL, {"zoom": 4}).content.decode()
    assert "Zoom in</a>" not in closest


@pytest.mark.parametrize("zoom", ["3", "-1", "many", "100000"])
def test_a_zoom_it_does_not_know_shows_the_overview(login, mo, medics, zoom):
    page = login(mo).get(URL, {"zoom": zoom})
    assert page.status_code == 200
    assert 'width="720"' in page.content.decode()


def test_the_page_needs_no_script_and_no_inline_style(login, mo, medics, kitchen):
    shared_member(medics, kitchen)
    html = login(mo).get(URL, {"zoom": 2}).content.decode()
    assert "style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert " on" not in re.sub(r"\s+", " ", svg_of(login(mo).get(URL)))  # no onclick & co


def test_the_table_pages_keep_the_zoom(login, mo, tidewater, monkeypatch):
    monkeypatch.setattr("constellation.views.GRAPH_TABLE_PAGE", 2)
    for n in range(5):
        circle(tidewater, f"Circle {n}")
    html = login(mo).get(URL, {"zoom": 2, "page": 2}).content.decode()
    assert "?zoom=2&amp;page=3" in html
    assert 'href="?zoom=4&amp;page=2#graph">Zoom in</a>' in html


# --- queries ---------------------------------------------------------------------------------


def tied_movement(movement, size):
    """``size`` circles in a ring, each sharing a member with the next, with a sprint and a
    commitment every few circles: rows bulk-created."""
    Circle.objects.bulk_create(
        Circle(
            movement=movement,
            name=f"Ring {n}",
            name_key=f"ring {n}",
            slug=f"ring-{n}",
            initiative="-",
            theory_of_change="-",
            lens="voluntarist",
        )
        for n in range(size)
    )
    circles = list(
        Circle.objects.filter(movement=movement, name__startswith="Ring ").order_by("pk")
    )
    users = User.objects.bulk_create(
        User(email=f"ring{n}@example.org", display_name=f"Ring {n}") for n in range(size)
    )
    members = Membership.objects.bulk_create(
        Membership(movement=movement, user=user) for user in users
    )
    seats = []
    for n, member in enumerate(members):
        seats.append(CircleMembership(circle=circles[n], member=member))
        seats.append(CircleMembership(circle=circles[(n + 1) % size], member=member))
    CircleMembership.objects.bulk_create(seats)
    for n in range(0, size, 5):
        sprint_of(circles[n], circles[(n + 2) % size])
        commitment(circles[n], naming=circles[(n + 3) % size])
    return circles


# The session with its user, the membership, the header's unread count, the circles with
# their member counts, the four ligament queries and one cache read.
QUERIES_STORED = 9
# And when the layout is computed again, the cache's write (count, read, write, and the
# savepoint around them).
QUERIES_LAID_OUT = QUERIES_STORED + 5


@pytest.mark.parametrize("size", [10, 120])
def test_the_page_runs_a_fixed_number_of_queries(
    login, mo, tidewater, size, django_assert_num_queries
):
    tied_movement(tidewater, size)
    client = login(mo)
    with django_assert_num_queries(QUERIES_LAID_OUT):
        client.get(URL)
    with django_assert_num_queries(QUERIES_STORED):
        response = client.get(URL)
    assert len(nodes_in(response)) == size


# --- a circle's every ligament ----------------------------------------------------------------


def test_a_row_lists_the_strongest_ties_and_links_to_the_rest(login, mo, tidewater, medics):
    others = [circle(tidewater, f"Circle {n}") for n in range(graph.TIES_SHOWN + 2)]
    for other in others:
        shared_member(medics, other)
    sprint_of(medics, others[-1])  # the strongest, though listed last by name
    client = login(mo)
    html = client.get(URL).content.decode()
    row = re.search(rf'<tr data-circle="{medics.pk}">(.*?)</tr>', html, re.S).group(1)
    assert row.count("<li>") == graph.TIES_SHOWN + 1  # five ties and the link to the rest
    assert row.index(f"Circle {len(others) - 1}: strength 5") < row.index("Circle 0: strength 2")
    assert "and 2 more ligaments of Street Medics" in row
    assert f'href="?circle={medics.slug}#ties"' in row

    every = client.get(URL, {"circle": medics.slug}).content.decode()
    listed = re.search(r'<ol class="graph-ties">(.*?)</ol>', every, re.S).group(1)
    assert listed.count("<li>") == len(others)
    assert "Street Medics: 7 ligaments, strongest first" in every


@pytest.mark.parametrize("which", ["nobody", "archived", "elsewhere"])
def test_the_ligaments_of_a_circle_not_in_the_constellation_are_not_found(
    login, mo, tidewater, elsewhere, medics, which
):
    slug = {
        "nobody": "no-such-circle",
        "archived": CircleFactory(
            movement=tidewater, name="Gone", slug="gone", archived_at=timezone.now()
        ).slug,
        "elsewhere": CircleFactory(movement=elsewhere, name="Far", slug="far").slug,
    }[which]
    assert login(mo).get(URL, {"circle": slug}).status_code == 404


def test_only_the_strongest_lines_are_drawn_and_the_page_says_so(
    login, mo, tidewater, medics, monkeypatch
):
    monkeypatch.setattr(graph, "LINES_DRAWN", 2)
    weak, strong, strongest = (circle(tidewater, name) for name in ("Weak", "Strong", "Top"))
    shared_member(medics, weak)
    sprint_of(medics, strong)
    sprint_of(medics, strongest)
    shared_member(medics, strongest)
    html = login(mo).get(URL).content.decode()
    drawn = {
        frozenset(map(int, pair))
        for pair in re.findall(
            r'<line class="graph-edge[^"]*"[^>]*data-a="(\d+)" data-b="(\d+)"', html
        )
    }
    assert drawn == {frozenset((medics.pk, strong.pk)), frozenset((medics.pk, strongest.pk))}
    assert "Lines drawn: the 2 strongest of the 3 ligaments between these circles" in html
