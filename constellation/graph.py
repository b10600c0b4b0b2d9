"""The constellation graph: the movement's circles as nodes, their ligaments as edges.

What it shows
=============

- **A node per active circle**, its area proportional to its members (the radius grows
  with the square root of the count, the largest circle drawn at ``RADIUS_MOST``, less
  when many circles share the picture; a circle of few or no members never shrinks below
  ``RADIUS_LEAST``, so it stays a target).
- **An edge per ligament** (``rituals.selectors.ligaments_between``): its width grows with
  the collaboration strength, its line style is its strongest kind (what the kind adds to
  the strength: sprints × 3, shared members × 2, commitments × 2, commons draws × 1; a
  tie goes to the kind listed first in ``KINDS``). The edge's ``<title>`` lists every kind.
- **Drifting circles**: a circle with no ligament at all. ``ligaments_between`` counts all
  time, and rituals offers no window by cycle, so "no ligament in the last N cycles"
  cannot be asked of it without reaching into rituals' tables. ``drifting_circles`` (no
  report for the last gatherings) answers another question and is shown to organizers
  only (``can_see_drift``), while this page is every member's: reusing it here would show
  members a flag the movement keeps for organizers. So the mark means "tied to no other
  circle by anything, ever" and the page says so.
- **At most ``SHOWN`` circles in the picture**: the ones with the strongest ligaments
  (then the most members). A picture of a thousand circles is a blur; the table beside it
  lists every circle, and the page says how many the picture leaves out. Between them, at
  most ``LINES_DRAWN`` lines, the strongest: two hundred well-tied circles can have four
  thousand ligaments between them, a megabyte of lines that cover each other. The layout
  still pulls along every one of them; the page says how many lines it leaves out.

Where the layout is computed, and when
======================================

The positions come from ``networkx.spring_layout`` (Fruchterman–Reingold, the seed fixed,
``ITERATIONS`` rounds) on the circles shown, an edge pulling harder the stronger the
ligament, then a few rounds that push overlapping circles apart (radii are known, spring
layout ignores them). That takes about a tenth of a second for 200 circles (``make
bench``), too much for every view: the result is kept in the default cache (a database
table every process shares), under the movement (``constellation-graph:<movement id>``)
together with the **fingerprint** of what it was computed from: the circles shown, each
one's radius (its member count bucketed to half a pixel of radius: a new member moves
nothing until the circle is drawn larger), and every ligament's strength between them. A
view computes the fingerprint from the data it reads anyway (one query for the circles,
four for the ligaments) and reuses the stored layout when the fingerprint matches: one
cache read. When it differs (a ligament formed or grew, a circle came, went or grew) the
layout is computed again and stored, starting from the stored positions of the circles
still shown, so the picture shifts instead of being redrawn from scratch. The cache key
holds one layout per movement, so an old layout never lingers beside the new one.
``LAYOUT_VERSION`` is part of the fingerprint: changing how the layout is computed
invalidates every stored one.

How it is drawn
===============

``drawing`` turns the stored positions into SVG coordinates for a zoom level (``ZOOMS``):
a zoomed drawing is larger while the circles, lines and labels keep their size, so zooming
spreads the circles apart and leaves room for more names. Labels are placed greedily, the
largest circles first, and a label that would cover another label or circle is left out
(its circle keeps its ``<title>``, and the table names it). The template draws with CSS
classes only (no inline styles: the page keeps its strict CSP).
"""

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import networkx as nx
from django.core.cache import cache
from django.db.models import Count
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from circles.selectors import active_circles
from rituals.pairing import (
    COMMITMENT_WEIGHT,
    COMMONS_WEIGHT,
    SHARED_MEMBER_WEIGHT,
    SPRINT_WEIGHT,
)
from rituals.selectors import ligaments_between

SHOWN = 200  # circles drawn at most; every circle is in the table
LINES_DRAWN = 600  # the strongest ligaments between the circles shown that are drawn
TIES_SHOWN = 5  # ligaments listed in a circle's row of the table, the strongest
WIDTH, HEIGHT, PAD = 720, 540, 36  # the drawing at zoom 1, in pixels
RADIUS_LEAST, RADIUS_MOST = 5.0, 24.0
EDGE_THINNEST, EDGE_THICKEST = 1.0, 7.0
ZOOMS = (1, 2, 4)
SEED = 12
ITERATIONS = 50
OVERLAP_ROUNDS = 40
GAP = 3.0  # pixels kept free between two circles
LABEL_SIZE, LABEL_CHARS = 12.0, 24  # font size (CSS .graph-label) and longest label
LAYOUT_VERSION = 1
CACHE_SECONDS = 60 * 60 * 24 * 30  # a graph nobody opened for a month is laid out again


@dataclass(frozen=True)
class Kind:
    key: str  # the CSS class: graph-edge-<key>
    attribute: str  # the Ligament count
    weight: int  # what one of them adds to the strength
    name: str
    style: str  # the line style, in words, for the legend


# In this order a tie between kinds goes to the first.
KINDS = (
    Kind("sprint", "sprints", SPRINT_WEIGHT, _("sprints together"), _("solid line")),
    Kind("shared", "shared_members", SHARED_MEMBER_WEIGHT, _("shared members"), _("dashed line")),
    Kind("commitment", "commitments", COMMITMENT_WEIGHT, _("commitments"), _("dotted line")),
    Kind("commons", "commons", COMMONS_WEIGHT, _("commons draws"), _("dash-dot line")),
)


def _kind_counts(ligament):
    """[(kind, count)] of the kinds present, strongest first."""
    present = [(kind, getattr(ligament, kind.attribute)) for kind in KINDS]
    present = [(kind, count) for kind, count in present if count]
    return sorted(present, key=lambda pair: -pair[0].weight * pair[1])  # stable: KINDS order


def _kind_words(kind, count):
    if kind.key == "sprint":
        return ngettext("%(count)d sprint together", "%(count)d sprints together", count) % {
            "count": count
        }
    if kind.key == "shared":
        return ngettext("%(count)d shared member", "%(count)d shared members", count) % {
            "count": count
        }
    if kind.key == "commitment":
        return ngettext(
            "%(count)d commitment to each other", "%(count)d commitments to each other", count
        ) % {"count": count}
    return ngettext(
        "%(count)d commons draw approved by the other",
        "%(count)d commons draws approved by the other",
        count,
    ) % {"count": count}


@lru_cache(maxsize=4096)
def _counted_kind(key, count, language):
    """``_kind_words``, remembered: a page names thousands of kinds, most of them with small
    counts, and each translation lookup costs tens of microseconds."""
    kind = next(kind for kind in KINDS if kind.key == key)
    return _kind_words(kind, count)


def _kinds_in_words(ligament):
    language = get_language()
    return ", ".join(
        _counted_kind(kind.key, count, language) for kind, count in _kind_counts(ligament)
    )


@dataclass(eq=False)
class Node:
    """A circle in the constellation."""

    id: int
    name: str
    slug: str
    members: int
    radius: float = 0.0
    strength: int = 0  # the sum of its ligaments' strengths
    ties: list = field(default_factory=list)
    shown: bool = False

    @property
    def drifting(self):
        return not self.ties

    @property
    def ligament_count(self):
        return len(self.ties)

    @cached_property
    def ties_by_strength(self):
        return sorted(self.ties, key=lambda tie: (-tie.strength, tie.other.name, tie.other.id))

    @property
    def ties_shown(self):
        """The strongest ties, for the table's row: a circle tied to forty others would
        make the table a wall of text (its page, ``?circle=``, lists them all)."""
        return self.ties_by_strength[:TIES_SHOWN]

    @property
    def ties_more(self):
        return max(len(self.ties) - TIES_SHOWN, 0)

    @property
    def title(self):
        """What pointing at the circle says: "Kitchen: 4 members, 2 ligaments, strength 7
        in all" (the table's numbers), and "; drifting" for a circle tied to none."""
        members = ngettext("%(count)d member", "%(count)d members", self.members) % {
            "count": self.members
        }
        ligaments = ngettext(
            "%(count)d ligament of strength %(strength)d",
            "%(count)d ligaments, strength %(strength)d in all",
            self.ligament_count,
        ) % {"count": self.ligament_count, "strength": self.strength}
        title = gettext("%(name)s: %(members)s, %(ligaments)s") % {
            "name": self.name,
            "members": members,
            "ligaments": ligaments,
        }
        return title + gettext("; drifting") if self.drifting else title


@dataclass(eq=False)
class Tie:
    """One end's view of a ligament: the circle on the other end."""

    other: Node
    ligament: object

    @property
    def strength(self):
        return self.ligament.strength

    @property
    def text(self):
        """In the table: Kitchen: strength 7 (1 sprint together, 2 shared members)."""
        return gettext("%(other)s: strength %(strength)d (%(kinds)s)") % {
            "other": self.other.name,
            "strength": self.strength,
            "kinds": _kinds_in_words(self.ligament),
        }

    @property
    def text_without_name(self):
        """After a link to the other circle: strength 7 (1 sprint together, …)."""
        return gettext("strength %(strength)d (%(kinds)s)") % {
            "strength": self.strength,
            "kinds": _kinds_in_words(self.ligament),
        }


@dataclass(eq=False)
class Edge:
    a: Node
    b: Node
    ligament: object

    @property
    def strength(self):
        return self.ligament.strength

    @cached_property
    def kind(self):
        """The strongest kind: it gives the line its style."""
        return _kind_counts(self.ligament)[0][0]

    @property
    def title(self):
        """Pointing at the line: Kitchen and Legal: strength 7 (1 sprint together, …)."""
        return gettext("%(a)s and %(b)s: strength %(strength)d (%(kinds)s)") % {
            "a": self.a.name,
            "b": self.b.name,
            "strength": self.strength,
            "kinds": _kinds_in_words(self.ligament),
        }


@dataclass
class Constellation:
    circles: list  # every active circle, by name
    shown: list  # the circles in the picture
    edges: list  # the ligaments between circles shown, weakest first (drawn below)
    ligament_count: int
    positions: dict  # circle id: (x, y) in [0, 1], for the circles shown
    fingerprint: str

    @property
    def hidden_count(self):
        return len(self.circles) - len(self.shown)

    @property
    def drifting_count(self):
        return sum(1 for node in self.circles if node.drifting)


# --- reading the movement ------------------------------------------------------------------


def constellation(movement):
    """The movement's circles and ligaments, and the layout of the ones shown (stored, or
    computed and stored when the graph changed). Six queries whatever the size: the
    circles with their member counts, four for the ligaments, one cache read (and the
    cache write when the layout is computed again)."""
    circles = (
        active_circles(movement)
        .annotate(member_count=Count("circle_memberships"))
        .order_by("name", "pk")
        .values_list("pk", "name", "slug", "member_count")
    )
    shape = arrange(circles, ligaments_between(movement))
    shape.positions = stored_layout(movement, shape)
    return shape


def arrange(circles, ligaments):
    """The graph without its layout: ``circles`` as (id, name, slug, members) in the order
    of the table, ``ligaments`` as ``ligaments_between`` gives them. Chooses the circles
    shown, sizes them, keeps the ligaments between them, and takes the fingerprint."""
    nodes = {
        pk: Node(id=pk, name=name, slug=slug, members=members)
        for pk, name, slug, members in circles
    }
    for pair, ligament in ligaments.items():
        a, b = (nodes.get(pk) for pk in sorted(pair))
        if a is None or b is None:
            continue
        a.ties.append(Tie(b, ligament))
        b.ties.append(Tie(a, ligament))
        a.strength += ligament.strength
        b.strength += ligament.strength

    ranked = sorted(nodes.values(), key=lambda node: (-node.strength, -node.members, node.id))
    shown = sorted(ranked[:SHOWN], key=lambda node: node.id)
    for node in shown:
        node.shown = True
    most = max((node.members for node in shown), default=0)
    largest = largest_radius(len(shown))
    for node in shown:
        node.radius = radius(node.members, most, largest)

    edges = []
    for pair, ligament in ligaments.items():
        a, b = (nodes.get(pk) for pk in sorted(pair))
        if a is not None and b is not None and a.shown and b.shown and ligament.strength > 0:
            edges.append(Edge(a, b, ligament))
    edges.sort(key=lambda edge: (edge.strength, edge.a.id, edge.b.id))

    return Constellation(
        circles=list(nodes.values()),
        shown=shown,
        edges=edges,
        ligament_count=len(ligaments),
        positions={},
        fingerprint=fingerprint_of(shown, edges),
    )


def largest_radius(count):
    """The radius of the circle with the most members: ``RADIUS_MOST``, or less when many
    circles share the picture (each has about ``1 / count`` of its area)."""
    room = math.sqrt((WIDTH - 2 * PAD) * (HEIGHT - 2 * PAD) / max(count, 1))
    return max(2 * RADIUS_LEAST, min(RADIUS_MOST, round(0.4 * room)))


def radius(members, most, largest=RADIUS_MOST):
    """Area proportional to members, relative to the circle shown with the most (drawn at
    ``largest``), rounded to half pixels."""
    if most <= 0:
        return RADIUS_LEAST
    exact = largest * math.sqrt(members / most)
    return max(RADIUS_LEAST, round(exact * 2) / 2)


def fingerprint_of(shown, edges):
    """What the layout depends on, hashed: circles shown with their radii, and every
    ligament's strength between them."""
    data = {
        "version": LAYOUT_VERSION,
        "circles": [[node.id, node.radius] for node in shown],
        "ligaments": sorted([edge.a.id, edge.b.id, edge.strength] for edge in edges),
    }
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()[:32]


def cache_key(movement):
    return f"constellation-graph:{movement.pk}"


def stored_layout(movement, shape):
    """The stored positions when they were computed from this same graph; else computed
    now (from the stored positions of the circles still shown) and stored."""
    stored = cache.get(cache_key(movement))
    if stored and stored.get("fingerprint") == shape.fingerprint:
        return stored["positions"]
    positions = layout_of(shape, previous=(stored or {}).get("positions"))
    cache.set(
        cache_key(movement),
        {"fingerprint": shape.fingerprint, "positions": positions},
        CACHE_SECONDS,
    )
    return positions


def layout_of(shape, *, previous=None):
    return layout(
        [(node.id, node.radius) for node in shape.shown],
        [(edge.a.id, edge.b.id, edge.strength) for edge in shape.edges],
        previous=previous,
    )


# --- the layout ----------------------------------------------------------------------------


def layout(circles, ligaments, *, previous=None):
    """Positions in [0, 1]² for ``circles`` ([(id, radius in pixels at zoom 1)]) tied by
    ``ligaments`` ([(a, b, strength)]): a spring layout with a fixed seed, then the circles
    pushed apart where they overlap. ``previous`` ({id: (x, y)}) starts the circles it
    knows where they were. Networkx lays out up to 500 circles with NumPy alone (more
    need SciPy): ``SHOWN`` stays well below."""
    import numpy as np  # networkx's layouts need it; loaded only when a layout is computed

    if not circles:
        return {}
    ids = [pk for pk, _radius in circles]
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    for a, b, strength in ligaments:
        # A stronger ligament pulls harder, but gently: a pair with many sprints should sit
        # close, not on top of each other.
        graph.add_edge(a, b, weight=1.0 + math.log(max(strength, 1)))
    previous = previous or {}
    start = {pk: previous[pk] for pk in ids if pk in previous}
    if len(ids) == 1:
        raw = {ids[0]: (0.0, 0.0)}
    else:
        raw = nx.spring_layout(
            graph,
            pos=start or None,
            seed=SEED,
            iterations=ITERATIONS,
            weight="weight",
            method="force",
        )
    points = _gathered(np.array([raw[pk] for pk in ids], dtype=float), graph, ids)
    radii = np.array([r for _pk, r in circles], dtype=float)
    inner = np.array([WIDTH - 2 * PAD, HEIGHT - 2 * PAD], dtype=float)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    pixels = (points - low) / span * inner  # the box at zoom 1, padding left out
    if len(ids) == 1:
        pixels = inner / 2
    pixels = _apart(pixels.reshape(-1, 2), radii, inner, np.random.default_rng(SEED))
    return {
        pk: (round(float(x / inner[0]), 4), round(float(y / inner[1]), 4))
        for pk, (x, y) in zip(ids, pixels, strict=True)
    }


def _gathered(points, graph, ids):
    """Spring layout pushes what nothing holds (a drifting circle, a pair tied only to each
    other) far out, which would squeeze the rest into the middle of the picture. Each part
    apart from the largest is moved, whole, to just outside the largest part's rim, in the
    direction it drifted to."""
    import numpy as np

    parts = sorted(nx.connected_components(graph), key=lambda part: (-len(part), min(part)))
    if len(parts) < 2:
        return points
    index = {pk: position for position, pk in enumerate(ids)}
    main = [index[pk] for pk in parts[0]]
    center = points[main].mean(axis=0)
    reach = np.linalg.norm(points[main] - center, axis=1).max() if len(main) > 1 else 0.0
    rim = max(reach * 1.12, 0.2)
    points = points.copy()
    for part in parts[1:]:
        rows = [index[pk] for pk in part]
        middle = points[rows].mean(axis=0)
        away = middle - center
        distance = float(np.linalg.norm(away))
        if distance > rim:
            points[rows] -= away * (1 - rim / distance)
    return points


def _apart(pixels, radii, inner, rng):
    """Push overlapping circles apart, half the overlap each, for a few rounds."""
    import numpy as np

    if len(pixels) < 2:
        return pixels
    x, y = pixels[:, 0].copy(), pixels[:, 1].copy()
    need = radii[:, None] + radii[None, :] + GAP
    for _round in range(OVERLAP_ROUNDS):
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        distance = np.hypot(dx, dy)
        np.fill_diagonal(distance, np.inf)
        # Two circles on the same spot part in a seeded random direction.
        same = distance < 1e-6
        if same.any():
            dx = np.where(same, rng.normal(size=dx.shape), dx)
            dy = np.where(same, rng.normal(size=dy.shape), dy)
            distance = np.where(same, np.hypot(dx, dy), distance)
        overlap = np.maximum(need - distance, 0)  # 0 on the diagonal: need - inf
        if overlap.max() < 0.5:
            break
        push = overlap / (2 * distance)
        x = np.clip(x + (dx * push).sum(axis=1), 0, inner[0])
        y = np.clip(y + (dy * push).sum(axis=1), 0, inner[1])
    return np.column_stack((x, y))


# --- the drawing ---------------------------------------------------------------------------


def zoom_level(value):
    """The zoom asked for in the query string, or 1."""
    try:
        zoom = int(value)
    except (TypeError, ValueError):
        return ZOOMS[0]
    return zoom if zoom in ZOOMS else ZOOMS[0]


@dataclass
class DrawnNode:
    node: Node
    x: float
    y: float
    label: str = ""
    label_x: float = 0.0
    label_y: float = 0.0


@dataclass
class DrawnEdge:
    edge: Edge
    x1: float
    y1: float
    x2: float
    y2: float
    width: float

    @property
    def dashes(self):
        return dashes(self.edge.kind.key, self.width)


def dashes(kind, width):
    """The line's dash pattern (an SVG attribute, CSP-safe), spaced by its width so that a
    thick dotted line still shows gaps: dots and dash ends are round (CSS), 5 pixels apart."""
    gap = round(width + 5, 1)
    dash = round(3 * width + 6, 1)
    return {
        "sprint": "",
        "shared": f"{dash} {gap}",
        "commitment": f"0 {gap}",
        "commons": f"{dash} {gap} 0 {gap}",
    }[kind]


def legend():
    """A sample line of each kind, for the key beside the picture."""
    return [{"kind": kind, "width": 3, "dashes": dashes(kind.key, 3)} for kind in KINDS]


def drawing(shape, *, zoom=1):
    """SVG coordinates of the circles shown and their ligaments at ``zoom``."""
    width, height = WIDTH * zoom, HEIGHT * zoom
    inner_x, inner_y = width - 2 * PAD, height - 2 * PAD
    drawn = {}
    for node in shape.shown:
        x, y = shape.positions.get(node.id, (0.5, 0.5))
        drawn[node.id] = DrawnNode(node, round(PAD + x * inner_x, 1), round(PAD + y * inner_y, 1))
    drawn_edges = shape.edges[-LINES_DRAWN:]  # weakest first: the strongest are last
    strongest = max((edge.strength for edge in drawn_edges), default=1)
    edges = []
    for edge in drawn_edges:
        a, b = drawn[edge.a.id], drawn[edge.b.id]
        share = edge.strength / strongest
        line = round(EDGE_THINNEST + (EDGE_THICKEST - EDGE_THINNEST) * share, 1)
        edges.append(DrawnEdge(edge, a.x, a.y, b.x, b.y, line))
    nodes = list(drawn.values())
    _place_labels(nodes, width, height)
    return {
        "width": width,
        "height": height,
        "zoom": zoom,
        "nodes": nodes,
        "edges": edges,
        "labelled": sum(1 for node in nodes if node.label),
        "lines_left_out": len(shape.edges) - len(edges),
        "zoom_in": next((z for z in ZOOMS if z > zoom), None),
        "zoom_out": next((z for z in reversed(ZOOMS) if z < zoom), None),
    }


def _short(name):
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def _overlaps(box, others):
    left, top, right, bottom = box
    return any(
        left < o_right and o_left < right and top < o_bottom and o_top < bottom
        for o_left, o_top, o_right, o_bottom in others
    )


def _place_labels(nodes, width, height):
    """Names under (or else over) the circles, the largest circles first; a name that would
    cover another name or another circle is left out."""
    cell = 64.0
    grid = {}

    def cells(box):
        left, top, right, bottom = box
        for column in range(int(left // cell), int(right // cell) + 1):
            for row in range(int(top // cell), int(bottom // cell) + 1):
                yield column, row

    def near(box):
        seen = []
        for key in cells(box):
            seen.extend(grid.get(key, ()))
        return seen

    def add(box, owner):
        for key in cells(box):
            grid.setdefault(key, []).append((box, owner))

    for drawn in nodes:
        r = drawn.node.radius
        add((drawn.x - r, drawn.y - r, drawn.x + r, drawn.y + r), drawn)
    for drawn in sorted(nodes, key=lambda d: (-d.node.radius, -d.node.strength, d.node.id)):
        text = _short(drawn.node.name)
        half = len(text) * LABEL_SIZE * 0.3 + 2
        r = drawn.node.radius
        # Centred on the circle, or moved along to stay inside the picture.
        middle = min(max(drawn.x, half + 1), width - half - 1)
        for baseline in (drawn.y + r + LABEL_SIZE, drawn.y - r - 4):
            box = (middle - half, baseline - LABEL_SIZE, middle + half, baseline + 3)
            if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height:
                continue
            others = [other for other, owner in near(box) if owner is not drawn]
            if not _overlaps(box, others):
                drawn.label, drawn.label_x = text, round(middle, 1)
                drawn.label_y = round(baseline, 1)
                add(box, None)
                break
