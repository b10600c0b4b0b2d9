from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from circles import permissions, selectors, services
from circles.forms import CircleForm, DirectoryFilterForm, IgniteForm, SparkForm
from movement.forms import SparkQuorumForm
from movement.models import Role
from movement.pagination import querystring_without_page
from movement.tenancy import movement_view, require
from movement.widgets import suggestion_query

PAGE_SIZE = 20


@vary_on_headers("HX-Request")
@movement_view
def directory(request, membership):
    filters = DirectoryFilterForm(request.GET or None)
    lens = query = ""
    if filters.is_valid():
        lens, query = filters.cleaned_data["lens"], filters.cleaned_data["q"].strip()
    circles = selectors.circles_with_conveners(
        selectors.circle_directory(movement=membership.movement, lens=lens, query=query)
    )
    page = Paginator(circles, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_member_counts(page.object_list)
    template = "circles/directory.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(
        request,
        template,
        {
            "movement": membership.movement,
            "membership": membership,
            "filters": filters,
            "page": page,
            "querystring": querystring_without_page(request),
            "my_circle_ids": selectors.circle_ids_of(membership),
        },
    )


@movement_view
def suggest(request, membership):
    """Suggestions for a circle-name field: ``<option>``s for its ``<datalist>``."""
    query = suggestion_query(request)
    names = selectors.circle_names_like(membership.movement, query)
    return render(request, "includes/suggestions.html", {"suggestions": names})


@movement_view
def circle_create(request, membership):
    require(permissions.can_create_circle(membership), _("You cannot start a circle here."))
    form = CircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.create_circle(by=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Circle %(name)s is started.") % {"name": circle.name})
            return redirect(circle)
    return render(
        request,
        "circles/circle_form.html",
        {"movement": membership.movement, "membership": membership, "form": form},
    )


@movement_view
def circle_detail(request, membership, circle_slug):
    circle = selectors.circle_for_member_or_404(membership=membership, circle_slug=circle_slug)
    seat = selectors.seat_of(membership=membership, circle=circle)
    return render(
        request,
        "circles/circle_detail.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "circle": circle,
            "seat": seat,
            "seats": Paginator(selectors.seats_in(circle), PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "can_edit": permissions.can_edit_circle(membership, circle, seat),
            "can_archive": permissions.can_archive_circle(membership, circle),
            "can_join": permissions.can_join_circle(membership, circle, seat),
            "can_leave": permissions.can_leave_circle(membership, circle, seat),
            "can_add_convener": permissions.can_add_convener(membership, circle, seat),
        },
    )


@movement_view
def circle_edit(request, membership, circle_slug):
    circle = selectors.circle_for_member_or_404(membership=membership, circle_slug=circle_slug)
    seat = selectors.seat_of(membership=membership, circle=circle)
    require(
        permissions.can_edit_circle(membership, circle, seat),
        _("Only this circle's conveners can edit it."),
    )
    # The form edits a copy, so a refused name never shows up as the circle's own.
    form = CircleForm(request.POST or None, instance=copy(circle))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_circle(by=membership, circle=circle, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Circle updated."))
            return redirect(circle)
    return render(
        request,
        "circles/circle_form.html",
        {"movement": membership.movement, "membership": membership, "form": form, "circle": circle},
    )


def _post_action(request, membership, circle_slug, predicate, reason, action, done):
    circle = selectors.circle_for_member_or_404(membership=membership, circle_slug=circle_slug)
    seat = selectors.seat_of(membership=membership, circle=circle)
    require(predicate(membership, circle, seat), reason)
    try:
        action(circle, seat)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(circle)


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def circle_join(request, membership, circle_slug):
    return _post_action(
        request,
        membership,
        circle_slug,
        permissions.can_join_circle,
        _("You cannot join this circle."),
        lambda circle, seat: services.join_circle(membership=membership, circle=circle),
        _("You joined the circle."),
    )


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def circle_leave(request, membership, circle_slug):
    return _post_action(
        request,
        membership,
        circle_slug,
        permissions.can_leave_circle,
        _("You are not in this circle."),
        lambda circle, seat: services.leave_circle(membership=membership, circle=circle),
        _("You left the circle."),
    )


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def circle_archive(request, membership, circle_slug):
    return _post_action(
        request,
        membership,
        circle_slug,
        lambda m, circle, seat: permissions.can_archive_circle(m, circle),
        _("Only organizers can archive a circle."),
        lambda circle, seat: services.archive_circle(by=membership, circle=circle),
        _("The circle is archived."),
    )


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def convener_add(request, membership, circle_slug, seat_id):
    def action(circle, seat):
        target = selectors.seat_or_404(circle=circle, seat_id=seat_id)
        services.add_convener(by=membership, circle=circle, seat=target)

    return _post_action(
        request,
        membership,
        circle_slug,
        permissions.can_add_convener,
        _("Only this circle's conveners (or an organizer) can name conveners."),
        action,
        _("They are now a convener of this circle."),
    )


# --- sparks ---------------------------------------------------------------------------


@movement_view
def sparks(request, membership):
    """Open sparks, "I'm in" on each, and a spark of one's own to post."""
    movement = membership.movement
    form = SparkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_spark(by=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your spark is posted: others can say they are in."))
            return redirect("circles:sparks", movement_slug=movement.slug)
    page = selectors.sparks_page(
        membership, older=request.GET.get("older"), newer=request.GET.get("newer")
    )
    return render(
        request,
        "circles/sparks.html",
        {
            "movement": movement,
            "membership": membership,
            "form": form,
            "page": page,
            "quorum_form": SparkQuorumForm(initial={"people": movement.spark_quorum})
            if membership.role == Role.ORGANIZER
            else None,
        },
    )


def _spark_step(request, membership, spark_id, act, success):
    spark = selectors.spark_or_404(membership=membership, spark_id=spark_id)
    try:
        act(spark)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("circles:sparks", movement_slug=membership.movement.slug)


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def spark_join(request, membership, spark_id):
    return _spark_step(
        request,
        membership,
        spark_id,
        lambda spark: services.join_spark(by=membership, spark=spark),
        _("You are in."),
    )


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def spark_leave(request, membership, spark_id):
    return _spark_step(
        request,
        membership,
        spark_id,
        lambda spark: services.leave_spark(by=membership, spark=spark),
        _("You are out of this spark."),
    )


@movement_view
def spark_ignite(request, membership, spark_id):
    """The author names the circle the spark becomes."""
    spark = selectors.spark_or_404(membership=membership, spark_id=spark_id)
    require(
        spark.author_id == membership.pk,
        _("Only the person who posted the spark turns it into a circle."),
    )
    form = IgniteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.ignite_spark(by=membership, spark=spark, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is a circle. Write its theory of change now.") % {"name": circle.name},
            )
            return redirect(
                "circles:edit", movement_slug=membership.movement.slug, circle_slug=circle.slug
            )
    return render(
        request,
        "circles/spark_ignite.html",
        {"movement": membership.movement, "membership": membership, "form": form, "spark": spark},
    )
