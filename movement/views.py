"""The movement's own pages: members, roles, invitations, the audit trail, notifications."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from movement import permissions, personal_data, selectors, services
from movement.forms import (
    BlindSpotForm,
    DeleteAccountForm,
    InvitationForm,
    LensAssessmentForm,
    MovementForm,
    MovementLanguageForm,
    NotificationSettingsForm,
    PersonalSettingsForm,
    RoleForm,
    SparkQuorumForm,
    TacticForm,
    member_label,
)
from movement.models import DataExport
from movement.tenancy import movement_view, require
from movement.vocabulary import notification_kind_label
from movement.widgets import suggestion_query

PAGE_SIZE = 25


def home(request):
    if not request.user.is_authenticated:
        return render(request, "movement/landing.html")
    memberships = selectors.memberships_of(request.user)
    return render(request, "movement/home.html", {"memberships": memberships})


@login_required
def movement_create(request):
    form = MovementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            movement = services.create_movement(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your movement is ready. Invite people and start circles."))
            return redirect(movement)
    return render(request, "movement/movement_form.html", {"form": form})


@login_required
def notifications(request):
    """The person's own messages, newest first; opening the page marks them read."""
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    unread = [n.pk for n in page if n.read_at is None]
    # Messages from several movements: in the zone the person's e-mails use too.
    with timezone.override(services.zone_of(request.user)):
        response = render(request, "movement/notifications.html", {"page": page, "unread": unread})
    services.mark_read(user=request.user, notification_ids=unread)
    return response


@movement_view
def audit_trail(request, membership):
    require(
        permissions.can_view_audit_trail(membership),
        _("Only organizers read the audit trail."),
    )
    page = selectors.audit_page(
        membership.movement, older=request.GET.get("older"), newer=request.GET.get("newer")
    )
    return render(
        request,
        "movement/audit_trail.html",
        {"movement": membership.movement, "membership": membership, "page": page},
    )


@movement_view
def member_list(request, membership):
    page = selectors.members_page(
        membership.movement, older=request.GET.get("older"), newer=request.GET.get("newer")
    )
    return render(
        request,
        "movement/member_list.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "page": page,
            "role_form": RoleForm(),
            "can_manage": permissions.can_manage_members(membership),
            "can_see_emails": permissions.can_see_member_emails(membership),
            "can_set_language": permissions.can_set_movement_settings(membership),
        },
    )


@movement_view
def member_suggest(request, membership):
    """Suggestions for a member-name field: ``<option>``s for its ``<datalist>``."""
    members = selectors.members_named_like(membership.movement, suggestion_query(request))
    return render(
        request, "includes/suggestions.html", {"suggestions": [member_label(m) for m in members]}
    )


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def member_role(request, membership, member_id):
    target = selectors.member_or_404(membership=membership, member_id=member_id)
    require(
        permissions.can_change_role(membership, target),
        _("Only organizers can change roles."),
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick one of the roles."))
    else:
        try:
            services.change_role(by=membership, membership=target, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s's role is updated.") % {"name": target.user})
    if target.pk == membership.pk:
        return redirect(membership.movement)
    return redirect("movement:members", movement_slug=membership.movement.slug)


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def member_remove(request, membership, member_id):
    target = selectors.member_or_404(membership=membership, member_id=member_id)
    require(
        permissions.can_remove_member(membership, target),
        _("Only organizers can remove members, and not themselves: use Leave instead."),
    )
    try:
        services.remove_member(by=membership, membership=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": target.user})
    return redirect("movement:members", movement_slug=membership.movement.slug)


@movement_view
def movement_leave(request, membership):
    if request.method == "POST":
        try:
            services.leave_movement(membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("You left %(movement)s.") % {"movement": membership.movement}
            )
            return redirect("home")
    return render(
        request, "movement/leave.html", {"movement": membership.movement, "membership": membership}
    )


@movement_view
def invitation_list(request, membership):
    require(permissions.can_invite(membership), _("Only organizers can invite people."))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.create_invitation(
                by=membership,
                role=form.cleaned_data["role"],
                expires_at=form.expires_at,
                single_use=form.cleaned_data["single_use"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            # The form checks the same limits per field first; this is the backstop.
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Invitation created: share its link."))
            return redirect(f"{request.path}?created={invitation.pk}#invitation-{invitation.pk}")
    page = Paginator(selectors.invitations_of(membership.movement), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "movement/invitation_list.html",
        {
            "movement": membership.movement,
            "membership": membership,
            "form": form,
            "page": page,
            "now": timezone.now(),
        },
    )


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def invitation_revoke(request, membership, invitation_id):
    require(permissions.can_invite(membership), _("Only organizers can revoke invitations."))
    invitation = selectors.invitation_or_404(membership=membership, invitation_id=invitation_id)
    services.revoke_invitation(by=membership, invitation=invitation)
    messages.success(request, _("The invitation link no longer works."))
    return redirect("movement:invitations", movement_slug=membership.movement.slug)


def invitation_accept(request, token):
    """The page an invitation link opens: who invites whom to which movement, as what and
    until when. Someone not logged in signs up or logs in from here and comes back to
    accept; the token is the secret, so an unknown one is a 404 for everyone."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return render(request, "movement/invitation_accept.html", {"invitation": None}, status=404)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
    elif selectors.membership_in(movement=invitation.movement, user=request.user):
        return redirect(invitation.movement)
    elif request.method == "POST":
        try:
            services.accept_invitation(user=request.user, token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Welcome to %(movement)s.") % {"movement": invitation.movement}
            )
            return redirect(invitation.movement)
    status = 200 if invitation.is_usable else 410
    return render(
        request, "movement/invitation_accept.html", {"invitation": invitation}, status=status
    )


@login_required
def notification_settings(request):
    """How each kind of notification reaches the person: at once, in the morning's digest,
    or here only."""
    form = NotificationSettingsForm(
        request.POST or None, deliveries=services.deliveries_of(request.user)
    )
    if request.method == "POST" and form.is_valid():
        services.set_notification_deliveries(user=request.user, deliveries=form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification_settings")
    return render(request, "movement/notification_settings.html", {"form": form})


# RFC 8058: a mail program posts here with no session and no CSRF token. The signed,
# expiring token in the URL is the only key, and all it can do is switch e-mails off.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def notification_unsubscribe(request, token):
    """A GET asks to confirm (link scanners fetch it); a POST switches the link's kinds to
    in-app only, answered in place: the RFC forbids a redirect."""
    try:
        user, kinds = services.read_unsubscribe_token(token)
    except services.BadUnsubscribeLink as error:
        return render(
            request, "movement/unsubscribe_invalid.html", {"reason": str(error)}, status=400
        )
    if request.method == "POST":
        services.unsubscribe(user=user, kinds=kinds)
        request.write_succeeded = True
    deliveries = services.deliveries_of(user)
    context = {
        "labels": [notification_kind_label(kind) for kind in kinds],
        "done": all(deliveries[kind] == services.Delivery.IN_APP_ONLY for kind in kinds),
    }
    with translation.override(services.language_of(user)):
        return render(request, "movement/unsubscribe.html", context)


@login_required
def personal_settings(request):
    """The person's name as others see it, and the zone their times are shown in."""
    user = request.user
    form = PersonalSettingsForm(
        request.POST or None,
        initial={
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "language": user.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("personal_settings")
    return render(request, "movement/personal_settings.html", {"form": form})


@login_required
def data_export(request):
    """Everything the app holds about you: ask for it, then download it while the link
    works."""
    if request.method == "POST":
        personal_data.request_export(user=request.user)
        messages.success(
            request, _("Your data is being gathered. We tell you here when it is ready.")
        )
        return redirect("data_export")
    exports = DataExport.objects.filter(user=request.user, expires_at__gt=timezone.now())
    return render(request, "movement/data_export.html", {"exports": exports[:5]})


@login_required
@require_safe
def data_export_file(request, token):
    """The ZIP, to its owner only, until the link expires."""
    export = get_object_or_404(
        DataExport,
        token=token,
        user=request.user,
        ready_at__isnull=False,
        expires_at__gt=timezone.now(),
    )
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"constellation-data-{export.ready_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )


@login_required
def delete_account(request):
    """Delete one's own account, after typing one's address; the last organizer of a
    movement is told to hand over first, and nothing is deleted."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            personal_data.delete_account(
                user=request.user, remove_texts=form.cleaned_data["remove_texts"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Take care."))
            return redirect("home")
    return render(request, "movement/delete_account.html", {"form": form})


# --- the tactics library ---------------------------------------------------------------


@movement_view
def tactics(request, membership):
    """The movement's tactics by aim: every member reads them; organizers edit them."""
    movement = membership.movement
    services.ensure_tactics(movement)
    can_edit = permissions.can_edit_tactics(membership)
    return render(
        request,
        "movement/tactics.html",
        {
            "movement": movement,
            "membership": membership,
            "tactics": selectors.tactics_of(movement),
            "archived": selectors.tactics_of(movement, archived=True) if can_edit else [],
            "can_edit": can_edit,
        },
    )


@movement_view
def tactic_edit(request, membership, tactic_id=None):
    tactic = (  # found first: another movement's tactic is missing, whoever asks
        selectors.tactic_or_404(membership=membership, tactic_id=tactic_id)
        if tactic_id is not None
        else None
    )
    require(
        permissions.can_edit_tactics(membership),
        _("Only organizers edit the tactics library."),
    )
    form = TacticForm(request.POST or None, instance=tactic)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_tactic(
                by=membership,
                tactic=tactic,
                **{name: form.cleaned_data[name] for name in services.TACTIC_FIELDS},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is in the library.") % {"name": saved.name})
            return redirect("movement:tactics", movement_slug=membership.movement.slug)
    return render(
        request,
        "movement/tactic_form.html",
        {"movement": membership.movement, "membership": membership, "form": form, "tactic": tactic},
    )


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def tactic_archive(request, membership, tactic_id):
    tactic = selectors.tactic_or_404(membership=membership, tactic_id=tactic_id)
    require(
        permissions.can_edit_tactics(membership),
        _("Only organizers edit the tactics library."),
    )
    archived = tactic.archived_at is None
    services.archive_tactic(by=membership, tactic=tactic, archived=archived)
    messages.success(
        request,
        (_("%(name)s is archived.") if archived else _("%(name)s is back in the library."))
        % {"name": tactic.name},
    )
    return redirect("movement:tactics", movement_slug=membership.movement.slug)


# --- the lens self-assessment ------------------------------------------------------------


@movement_view
def lens_assessment(request, membership):
    """The member's own self-assessment: only they ever see their answers."""
    mine = selectors.lens_assessment_of(membership)
    form = LensAssessmentForm(request.POST or None, initial=mine.answers if mine else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_lens_assessment(by=membership, answers=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Saved. Your answers lean %(lens)s; only you can see them.")
                % {"lens": saved.get_lens_display()},
            )
            return redirect("movement:lens_assessment", movement_slug=membership.movement.slug)
    response = render(
        request,
        "movement/lens_assessment.html",
        {"movement": membership.movement, "membership": membership, "form": form, "mine": mine},
    )
    response["Cache-Control"] = "no-store, private"
    return response


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def lens_assessment_forget(request, membership):
    services.forget_lens_assessment(by=membership)
    messages.success(request, _("Your answers are deleted."))
    return redirect("movement:lens_assessment", movement_slug=membership.movement.slug)


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def blind_spot_threshold(request, membership):
    require(
        permissions.can_set_movement_settings(membership),
        _("Only organizers set the blind-spot threshold."),
    )
    form = BlindSpotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a share from 0 to 50 percent."))
    else:
        services.set_blind_spot_threshold(by=membership, percent=form.cleaned_data["percent"])
        messages.success(request, _("The blind-spot threshold is saved."))
    return redirect("movement:lens_map", movement_slug=membership.movement.slug)


@movement_view
def movement_language(request, membership):
    """The language an organizer sets for members who have not chosen their own."""
    require(
        permissions.can_set_movement_settings(membership),
        _("Only organizers set the movement's language."),
    )
    movement = membership.movement
    form = MovementLanguageForm(request.POST or None, initial={"language": movement.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_movement_language(by=membership, language=form.cleaned_data["language"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The movement's language is saved."))
            return redirect("movement:language", movement_slug=movement.slug)
    return render(request, "movement/language.html", {"movement": movement, "form": form})


@movement_view  # membership first: outsiders get 404 whatever the method
@require_POST
def spark_quorum(request, membership):
    require(
        permissions.can_set_movement_settings(membership),
        _("Only organizers set how many people a spark needs."),
    )
    form = SparkQuorumForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from 1 to 50 people."))
    else:
        services.set_spark_quorum(by=membership, people=form.cleaned_data["people"])
        messages.success(request, _("Saved: how many people a spark needs."))
    return redirect("circles:sparks", movement_slug=membership.movement.slug)
