import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from movement.vocabulary import verb_label


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. Logs in with an e-mail address; shows others only a display name."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("name"), max_length=80)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_(
            "Pages and messages are written in it; empty means the movement's default, "
            "else the browser's."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Times are shown in it; empty means each movement's own."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        indexes = [models.Index(fields=["display_name", "id"], name="user_display_name")]

    def __str__(self):
        return self.display_name or self.email

    def get_full_name(self):
        return self.display_name

    @property
    def zone(self):
        """The person's own zone, or None: then each movement's zone applies."""
        try:
            return ZoneInfo(self.time_zone) if self.time_zone else None
        except (ValueError, KeyError):  # a zone tzdata no longer knows
            return None

    def get_short_name(self):
        return self.display_name


class Movement(models.Model):
    """The tenant: everything else belongs to exactly one movement."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    horizon = models.TextField(
        _("shared strategic horizon"),
        max_length=2000,
        help_text=_("The horizon every circle's initiative aligns with, in a few sentences."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("Gatherings are scheduled and shown in this time zone, e.g. Europe/Paris."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_(
            "Pages and messages are in it for members who have not chosen a language of "
            "their own; empty leaves each to their browser."
        ),
    )
    # A lens whose share of the lens mix is below this percentage is named a blind spot.
    blind_spot_below = models.PositiveSmallIntegerField(
        _("blind spot below (percent)"),
        default=20,
        validators=[MaxValueValidator(50)],
        help_text=_("A lens with less than this share of the movement's lens mix is named."),
    )
    # How many people must say "I'm in" before a spark can become a circle.
    spark_quorum = models.PositiveSmallIntegerField(
        _("people a spark needs"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("movement:home", kwargs={"movement_slug": self.slug})

    @property
    def zone(self):
        return ZoneInfo(self.time_zone)


class Lens(models.TextChoices):
    """How a circle (a tactic, a member) believes change comes: the essay's three lenses."""

    VOLUNTARIST = "voluntarist", _("voluntarist — mass mobilization")
    STRUCTURALIST = "structuralist", _("structuralist — crisis and leverage")
    SUBJECTIVIST = "subjectivist", _("subjectivist — shifting consciousness")


class Role(models.TextChoices):
    ORGANIZER = "organizer", _("organizer")
    FACILITATOR = "facilitator", _("facilitator")
    MEMBER = "member", _("member")


class Membership(models.Model):
    """A person's place in a movement. A movement always keeps one organizer."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["movement", "user"], name="one_membership_per_movement")
        ]
        indexes = [models.Index(fields=["movement", "role"], name="membership_movement_role")]

    def __str__(self):
        return f"{self.user} in {self.movement} ({self.role})"


def new_invitation_token():
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """A link that lets people join a movement with a chosen role until it expires."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    note = models.CharField(
        _("note"), max_length=120, blank=True, help_text=_("Only organizers see this.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    single_use = models.BooleanField(_("single use"), default=True)
    use_count = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["movement", "-created_at"], name="invitation_movement")]

    def __str__(self):
        return f"Invitation to {self.movement} as {self.role}"

    def get_absolute_url(self):
        return reverse("invitation_accept", kwargs={"token": self.token})

    @property
    def is_usable(self):
        return (
            self.revoked_at is None
            and self.expires_at > timezone.now()
            and not (self.single_use and self.use_count >= 1)
        )


class AuditEvent(models.Model):
    """Who did what, when, in a movement. Written by services in the same transaction."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Declared by the app that records it (see movement/vocabulary.py), not here.
    verb = models.CharField(max_length=40)
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["movement", "-created_at", "-id"], name="audit_movement_time_id")
        ]

    def __str__(self):
        return f"{self.actor} {self.verb} {self.target}"

    @property
    def verb_label(self):
        """The verb in plain, translated words."""
        return verb_label(self.verb)


class Notification(models.Model):
    """The outbox: a message for one person, kept until it has been e-mailed.

    Rows are written in the same transaction as the change they announce, so a
    broker that is down delays the e-mail but never loses it.
    """

    movement = models.ForeignKey(
        Movement, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Declared by the app that sends it (see movement/vocabulary.py).
    kind = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_unsent",
                condition=Q(sent_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]

    def __str__(self):
        return self.subject


class Submission(models.Model):
    """One posted form. Every form carries a fresh token; the posted token is stored in the
    same transaction as the write it caused, under a unique constraint, so a double tap, a
    retry or a replayed post of the same form finds the first one instead of writing again.
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Where the first post led: the second is sent there too.
    leads_to = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"form {self.token} by {self.user_id}"


class SessionManager(BaseSessionManager):
    def get_queryset(self):
        return super().get_queryset().select_related("user")


class Session(AbstractBaseSession):
    """A browser's log-in, kept server-side with the account it belongs to.

    Every logged-in page reads its session and its user in one query (``movement/sessions.py``),
    and an account's sessions can be found, and ended, by the account: deleting a user
    deletes their sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = SessionManager()

    @classmethod
    def get_session_store_class(cls):
        from movement.sessions import SessionStore

        return SessionStore


class NotificationPreference(models.Model):
    """How a person wants one kind of notification delivered.

    Every notification shows in the app at once; this says what the e-mail does. No row
    means the kind's default: e-mailed at once.
    """

    class Delivery(models.TextChoices):
        AT_ONCE = "at_once", _("At once: an e-mail now, and here")
        DAILY_DIGEST = "daily_digest", _("Daily digest: here now, one e-mail each morning")
        IN_APP_ONLY = "in_app_only", _("Here only: no e-mail")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    # Declared by the app that sends it (see movement/vocabulary.py).
    kind = models.CharField(max_length=40)
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.AT_ONCE
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self):
        return f"{self.user} · {self.kind}: {self.delivery}"


class TacticAim(models.TextChoices):
    """What a tactic is for: pattern decay suggests tactics of the same aim."""

    MOBILIZE = "mobilize", _("bring many people out")
    PRESSURE = "pressure", _("put pressure on a target")
    REFUSE = "refuse", _("refuse to comply")
    PROTECT = "protect", _("protect our people")
    PROVIDE = "provide", _("provide for each other")
    PERSUADE = "persuade", _("change minds")


class Tactic(models.Model):
    """A tactic in a movement's library: copied from the one the app ships
    (``movement.tactics``), then edited, added to or archived by its organizers."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="tactics")
    # The shipped tactic it was copied from; blank for one the movement added.
    library_key = models.CharField(max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=80)
    name_key = models.CharField(max_length=80, editable=False)
    lens = models.CharField(_("lens"), max_length=20, choices=Lens.choices)
    aim = models.CharField(_("aim"), max_length=12, choices=TacticAim.choices)
    description = models.TextField(_("what it is"), max_length=1000)
    examples = models.TextField(_("historical examples"), max_length=1000, blank=True)
    also_called = models.CharField(
        _("also called"),
        max_length=300,
        blank=True,
        help_text=_(
            "Other words circles use for it, separated by commas: reports that name one of "
            "them are counted as using this tactic."
        ),
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["movement", "name_key"], name="tactic_name_unique_per_movement"
            ),
            models.UniqueConstraint(
                fields=["movement", "library_key"],
                condition=~Q(library_key=""),
                name="tactic_copied_once_per_movement",
            ),
        ]
        indexes = [models.Index(fields=["movement", "aim", "name"], name="tactic_by_aim")]

    def __str__(self):
        return self.name

    @staticmethod
    def key_for(name):
        return name.strip().casefold()

    @property
    def words(self):
        """Its name and the names it is also called by, case-folded."""
        names = [self.name, *self.also_called.split(",")]
        return {self.key_for(name) for name in names if name.strip()}


class LensAssessment(models.Model):
    """A member's answers to the lens self-assessment (``movement.lenses``). Nobody reads
    them but their author: the movement sees only how many lean towards each lens."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="lens_assessment"
    )
    answers = models.JSONField(default=dict)  # {question key: lens}
    lens = models.CharField(max_length=20, choices=Lens.choices)  # where most answers lean
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["lens"], name="lens_assessment_lens")]

    def __str__(self):
        return f"Lens self-assessment {self.pk}"  # never whose, never what


class DataExport(models.Model):
    """Everything the app holds about a person, as a ZIP of JSON and CSV, built by a
    background task and offered by a link that expires (``movement/personal_data.py``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    file = models.FileField(upload_to="exports/", blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-requested_at"], name="export_user_time"),
            models.Index(fields=["expires_at"], name="export_expiry"),
        ]

    def __str__(self):
        return f"data export of {self.user_id} at {self.requested_at:%Y-%m-%d %H:%M}"
