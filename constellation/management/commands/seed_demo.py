"""Load the demo movement. Safe to run again: it only adds what is missing.

``--size large`` then adds two years of a big movement to it (see
``constellation/seeding/large.py``), once: a second run says the data is there.
"""

from datetime import time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from circles import services as circle_services
from circles.models import Circle
from commons import services as commons_services
from commons.models import Pool
from constellation.seeding.large import MEMBER_LOGIN, ORGANIZER_LOGIN, seed_large
from movement import services
from movement.models import Membership, Movement, Role, User
from rituals.models import Rhythm
from rituals.services import convergence

DEMO_PASSWORD = "sovereignty-not-spectacle"
MOVEMENT_NAME = "Tidewater Constellation"
HORIZON = (
    "A city where housing, food and safety are held in common by the people who live here. "
    "Each circle chooses its own initiative; together we build the capacity for self-rule, "
    "one cycle at a time."
)

# (e-mail, name, role in the movement)
PEOPLE = [
    ("amara@demo.constellation.test", "Amara Okafor", Role.ORGANIZER),
    ("bastien@demo.constellation.test", "Bastien Roy", Role.ORGANIZER),
    ("chen@demo.constellation.test", "Chen Wei", Role.FACILITATOR),
    ("dolores@demo.constellation.test", "Dolores Ibarra", Role.FACILITATOR),
    ("emeka@demo.constellation.test", "Emeka Nwosu", Role.MEMBER),
    ("farah@demo.constellation.test", "Farah Haddad", Role.MEMBER),
    ("gus@demo.constellation.test", "Gus Lindqvist", Role.MEMBER),
    ("hana@demo.constellation.test", "Hana Sato", Role.MEMBER),
    ("ines@demo.constellation.test", "Inès Moreau", Role.MEMBER),
    ("jamal@demo.constellation.test", "Jamal Carter", Role.MEMBER),
    ("kalani@demo.constellation.test", "Kalani Kahale", Role.MEMBER),
    ("lucia@demo.constellation.test", "Lucía Paredes", Role.MEMBER),
]

# (name, lens, initiative, theory of change, convener e-mail, other members)
CIRCLES = [
    (
        "Street Art Interventions",
        "subjectivist",
        "Murals, stencils and paste-ups that put the housing fight on the walls it is about.",
        "Narrative terrain shifts before policy does: when neighbours see the fight on their own "
        "block, they start to see themselves in it.",
        "ines",
        ["gus", "lucia"],
    ),
    (
        "Legal Defense",
        "structuralist",
        "Know-your-rights trainings, court support and the bail fund's paperwork.",
        "People take risks when they know someone has their back; a defense fund turns "
        "repression into solidarity instead of fear.",
        "farah",
        ["bastien", "jamal"],
    ),
    (
        "Community Food Distribution",
        "voluntarist",
        "Weekly free pantry and shared meals in three neighbourhoods.",
        "A meal every week builds the trust and the lists that a rent strike needs when the "
        "crisis comes.",
        "emeka",
        ["hana", "amara", "kalani"],
    ),
    (
        "Digital Storytelling",
        "subjectivist",
        "Short videos and threads that tell members' own stories of the campaign.",
        "Stories told by the people living them carry further than any press release, and "
        "each teller becomes an author of change.",
        "lucia",
        ["chen"],
    ),
    (
        "Street Medics",
        "voluntarist",
        "First aid at actions, and trainings so every circle has someone who can help.",
        "Safety makes presence possible: more people come, and stay, when care is organized.",
        "dolores",
        ["jamal", "gus"],
    ),
    (
        "Tidewater Radio Podcast",
        "subjectivist",
        "A fortnightly podcast: interviews, lessons from other movements, reports from circles.",
        "A shared sound links dispersed circles into one felt story, like the casseroles did.",
        "chen",
        ["hana"],
    ),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo movement with its circles and members."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=["demo", "large"],
            default="demo",
            help="'large' adds 1,000 circles, 20,000 members, 500,000 ledger entries and "
            "more to the demo movement, for benchmarks (once).",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the large data set's sizes by this (tests use 0.01).",
        )

    def handle(self, *args, size="demo", scale=1.0, **options):
        movement = self._seed_demo()
        if size == "large":
            self.stdout.write("")
            seed_large(
                movement=movement, scale=scale, write=self.stdout.write, password=DEMO_PASSWORD
            )
            self.stdout.write(f"Large demo log-ins (password for both: {DEMO_PASSWORD}):")
            for email, name, role in (ORGANIZER_LOGIN, MEMBER_LOGIN):
                self.stdout.write(f"  {email:36} {name:16} {role}")

    @transaction.atomic
    def _seed_demo(self):
        users = {}
        for email, name, _role in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, display_name=name
                )
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            users[email.split("@")[0]] = user

        # Found by name *and* its demo organizer: a real movement of the same name is left alone.
        movement = Movement.objects.filter(
            name=MOVEMENT_NAME, memberships__user=users["amara"]
        ).first()
        if movement is None:
            movement = services.create_movement(
                by=users["amara"], name=MOVEMENT_NAME, horizon=HORIZON
            )
        for email, _name, role in PEOPLE:
            Membership.objects.get_or_create(
                movement=movement, user=users[email.split("@")[0]], defaults={"role": role}
            )

        for name, lens, initiative, theory, convener, others in CIRCLES:
            circle = Circle.objects.filter(movement=movement, name=name).first()
            if circle is None:
                circle = circle_services.create_circle(
                    by=Membership.objects.get(movement=movement, user=users[convener]),
                    name=name,
                    initiative=initiative,
                    theory_of_change=theory,
                    lens=lens,
                )
            for key in others:
                circle_services.join_circle(
                    membership=Membership.objects.get(movement=movement, user=users[key]),
                    circle=circle,
                )

        if not Pool.objects.filter(movement=movement).exists():
            self._seed_commons(movement, users)
        if not Rhythm.objects.filter(movement=movement).exists():
            convergence.set_rhythm(
                by=Membership.objects.get(movement=movement, user=users["amara"]),
                kind=Rhythm.Kind.MONTHLY,
                week=1,
                weekday=5,
                local_time=time(18),
                duration=timedelta(hours=2),
                time_zone="America/New_York",
                place="Harbor Street community hall",
                report_days_before=3,
            )

        self.stdout.write(self.style.SUCCESS(f"Demo movement ready: /m/{movement.slug}/"))
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for email, name, role in PEOPLE:
            self.stdout.write(f"  {email:36} {name:16} {role}")
        return movement

    def _seed_commons(self, movement, users):
        def member(key):
            return Membership.objects.get(movement=movement, user=users[key])

        def circle(name):
            return Circle.objects.get(movement=movement, name=name)

        amara = member("amara")
        bail = commons_services.create_pool(
            by=amara,
            name="Bail Fund",
            kind="money",
            currency="EUR",
            purpose="Bail and legal fees for anyone arrested in a Tidewater action.",
            instant_limit=Decimal("150"),
            approvals_required=2,
        )
        hours = commons_services.create_pool(
            by=amara,
            name="Time Bank",
            kind="hours",
            purpose="Hours members offer each other: childcare, rides, translation, cooking.",
            instant_limit=Decimal("4"),
            approvals_required=2,
        )
        tents = commons_services.create_pool(
            by=amara,
            name="Tents and Tarps",
            kind="items",
            unit="tents",
            purpose="Shelter for encampments, pantries in the rain and medic stations.",
            instant_limit=Decimal("2"),
            approvals_required=2,
        )
        for key, amount, circle_name, anonymous in [
            ("farah", "400", "Legal Defense", False),
            ("emeka", "120", "Community Food Distribution", False),
            ("gus", "75", None, True),
            ("lucia", "60", "Digital Storytelling", False),
            ("bastien", "250", None, False),
        ]:
            commons_services.contribute(
                by=member(key),
                pool=bail,
                amount=Decimal(amount),
                anonymous=anonymous,
                circle=circle(circle_name) if circle_name else None,
                note="Monthly pledge" if not anonymous else "",
            )
        for key, amount in [("hana", "6"), ("kalani", "10"), ("ines", "3.5")]:
            commons_services.contribute(by=member(key), pool=hours, amount=Decimal(amount))
        commons_services.contribute(
            by=member("dolores"),
            pool=tents,
            amount=Decimal("12"),
            circle=circle("Street Medics"),
            note="From the spring fundraiser",
        )
        commons_services.request_draw(
            by=member("jamal"),
            pool=bail,
            amount=Decimal("120"),
            purpose="Court filing fees for two arrestees from the housing blockade.",
            circle=circle("Legal Defense"),
        )
        pending = commons_services.request_draw(
            by=member("emeka"),
            pool=bail,
            amount=Decimal("500"),
            purpose="Bail for a pantry volunteer held after the eviction defense.",
            circle=circle("Community Food Distribution"),
        )
        commons_services.decide_draw(
            by=member("ines"),
            draw_request=pending,
            decision="approve",
            comment="Yes — this is exactly what the fund is for.",
        )
        for key, title, body, tags, lens, circle_name in ARCHIVE:
            commons_services.add_archive_entry(
                by=member(key),
                title=title,
                body=body,
                tags=tags,
                lens=lens,
                circle=circle(circle_name) if circle_name else None,
            )


ARCHIVE = [
    (
        "farah",
        "Court support checklist",
        "Before the hearing:\n\n1. Confirm the docket number and courtroom.\n"
        "2. Bring the **bail fund** contact sheet.\n3. Pair every arrestee with a buddy.\n\n"
        "After: log the outcome in the archive so the next circle learns from it.",
        ["court support", "legal"],
        "structuralist",
        "Legal Defense",
    ),
    (
        "ines",
        "Paste-ups that last a week, not a night",
        "Wheat paste, thin paper, and *timing*: paste after the street sweepers pass.\n\n"
        "Pattern decay is real — change the image every cycle.",
        ["street art", "pattern decay"],
        "subjectivist",
        "Street Art Interventions",
    ),
    (
        "emeka",
        "Running a pantry that doubles as a listening post",
        "Every Saturday we ask one question while people wait. The answers fed the housing "
        "campaign's map of who is behind on rent.",
        ["food", "data"],
        "voluntarist",
        "Community Food Distribution",
    ),
]
