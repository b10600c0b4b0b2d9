"""Load the demo movement. Safe to run again: it only adds what is missing.

The run that creates the movement also gives it a past (``constellation/seeding/history.py``
writes the script in ``demo_story.py``): founded thirteen months ago, a year of ledger in
its three pools, its first three gatherings held and closed, with minutes, and a finished
integration sprint with its artifact and reflection. Today, through the services, Emeka asks
the bail fund for more than it grants at once, Inès approves, and the draw waits for one
more circle: Farah (among others) finds it under "What needs you"; and a new sprint round
pairs the pantry with Digital Storytelling for the next 72 hours.

``--size large`` then adds two years of a big movement to it (see
``constellation/seeding/large.py``), once: a second run says the data is there.
"""

from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from circles import services as circle_services
from circles.models import Circle, Spark
from commons import deadlines
from commons import services as commons_services
from commons.models import LedgerEntry, Pledge, PledgeGift, Pool, Resource
from commons.services import pledges as pledge_services
from commons.services import rotation as rotation_services
from constellation.seeding import demo_story as story
from constellation.seeding import history
from constellation.seeding.large import MEMBER_LOGIN, ORGANIZER_LOGIN, seed_large
from movement import services
from movement.lenses import QUESTIONS
from movement.models import (
    AuditEvent,
    LensAssessment,
    Membership,
    Movement,
    Notification,
    Role,
    User,
)
from rituals.models import (
    ConflictCase,
    ConflictRitual,
    Cycle,
    Gathering,
    Rhythm,
    SovereigntyRecord,
    SprintRound,
    Timer,
)
from rituals.services import conflicts, convergence
from rituals.services import sovereignty as sovereignty_services
from rituals.services import sprints as sprint_services

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
        now = history.now_for_seed()
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
        founding = movement is None
        if founding:
            movement = services.create_movement(
                by=users["amara"], name=MOVEMENT_NAME, horizon=HORIZON
            )
        for email, _name, role in PEOPLE:
            Membership.objects.get_or_create(
                movement=movement, user=users[email.split("@")[0]], defaults={"role": role}
            )
        by_user = {
            membership.user_id: membership
            for membership in Membership.objects.filter(movement=movement).select_related(
                "user", "movement"
            )
        }
        members = {key: by_user[user.pk] for key, user in users.items()}  # in PEOPLE's order

        circles = {}
        for name, lens, initiative, theory, convener, others in CIRCLES:
            circle = Circle.objects.filter(movement=movement, name=name).first()
            if circle is None:
                circle = circle_services.create_circle(
                    by=members[convener],
                    name=name,
                    initiative=initiative,
                    theory_of_change=theory,
                    lens=lens,
                )
            for key in others:
                circle_services.join_circle(membership=members[key], circle=circle)
            circles[name] = circle

        # The past is written once, by the run that creates what it fills: a movement, pools
        # or a rhythm that already exist may hold what people did since, and the ledger
        # only grows forward.
        past = []
        if founding:
            history.backdate_founding(
                movement=movement,
                members=members,
                circles=circles,
                conveners={name: convener for name, *_rest, convener, _others in CIRCLES},
                now=now,
            )
        if not Pool.objects.filter(movement=movement).exists():
            self._seed_commons(members, circles, now)
            past.append("a year of its commons")
        if not Rhythm.objects.filter(movement=movement).exists():
            held = not Cycle.objects.filter(movement=movement).exists()
            if held:
                history.write_past_gatherings(
                    movement=movement, members=members, circles=circles, now=now
                )
                past.append(f"its first {len(story.GATHERINGS)} gatherings")
            convergence.set_rhythm(by=members["amara"], **story.RHYTHM)
            if held:
                history.backdate_rhythm(movement=movement, now=now)
        movement.refresh_from_db(fields=["time_zone"])  # the rhythm set the movement's zone
        if not SprintRound.objects.filter(movement=movement).exists():
            self._seed_sprints(members, circles, now)
            past.append("a finished sprint")
        if not LensAssessment.objects.filter(membership__movement=movement).exists():
            for key, choices in story.LENS_ANSWERS.items():
                answers = dict(zip([q.key for q in QUESTIONS], choices, strict=True))
                services.save_lens_assessment(by=members[key], answers=answers)
            services.set_blind_spot_threshold(by=members["amara"], percent=story.BLIND_SPOT_BELOW)
        if not Resource.objects.filter(movement=movement).exists():
            self._seed_resources(movement, members, circles)
        if not Pledge.objects.filter(pool__movement=movement).exists():
            self._seed_pledges(movement, members, circles)
        if not Pool.objects.filter(movement=movement, kind=Pool.Kind.ROTATING).exists():
            self._seed_rotation(members)
            past.append("a rotating pool in its third round")
        if not SovereigntyRecord.objects.filter(movement=movement).exists():
            self._seed_sovereignty(movement, members, circles)
        if not Spark.objects.filter(movement=movement).exists():
            for entry in story.SPARKS:
                spark = circle_services.post_spark(
                    by=members[entry["author"]],
                    passion=entry["passion"],
                    lens=entry["lens"],
                    horizon=entry["horizon"],
                )
                for key in entry["in"]:
                    circle_services.join_spark(by=members[key], spark=spark)
        if not ConflictRitual.objects.filter(movement=movement).exists():
            self._seed_conflict_ritual(members, now)
            past.append("its conflict ritual with a drill held and one cooling off")

        self.stdout.write(self.style.SUCCESS(f"Demo movement ready: /m/{movement.slug}/"))
        if past:
            self.stdout.write(f"  with its past: {' and '.join(past)}")
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for email, name, role in PEOPLE:
            self.stdout.write(f"  {email:36} {name:16} {role}")
        return movement

    def _seed_sprints(self, members, circles, now):
        """The finished sprint (written as history: it happened weeks ago), then today's
        round through the services, as a facilitator and two conveners would run it: one
        sprint, running for the next 72 hours."""
        conveners = {name: convener for name, *_rest, convener, _others in CIRCLES}
        history.write_past_sprint(
            movement=members["amara"].movement,
            members=members,
            circles=circles,
            conveners=conveners,
            now=now,
        )
        running = story.RUNNING_SPRINT
        facilitator = members[running["facilitator"]]
        sprint_round = sprint_services.open_round(
            by=facilitator, deadline=timezone.now() + timedelta(days=2)
        )
        for name in running["circles"]:
            sprint_services.opt_in(
                by=members[conveners[name]], round=sprint_round, circle=circles[name]
            )
        sprint_services.propose(by=facilitator, round=sprint_round)
        sprint_services.launch(by=facilitator, round=sprint_round)

    def _seed_conflict_ritual(self, members, now):
        """The ritual the organizers adopted a year ago, a practice drill carried through
        every step two months ago (through the services, at the times it happened), and a
        drill filed minutes ago, cooling off. Drills only: the demo holds no real case."""
        ritual = story.RITUAL
        adopted = conflicts.adopt_ritual(
            by=members[ritual["by"]],
            text=ritual["text"],
            cooling_off_hours=ritual["cooling_off_hours"],
            follow_up_days=ritual["follow_up_days"],
            retention_months=ritual["retention_months"],
        )
        adopted_at = now - timedelta(days=story.RITUAL_ADOPTED_DAYS_AGO)
        ConflictRitual.objects.filter(pk=adopted.pk).update(adopted_at=adopted_at)
        AuditEvent.objects.filter(
            movement=adopted.movement, verb=conflicts.Verb.RITUAL_ADOPTED
        ).update(created_at=adopted_at)

        told_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
        drill = story.DRILL_DONE
        start = now - timedelta(days=drill["days_ago"])
        case = conflicts.file_case(
            by=members[drill["filer"]],
            others=[members[key] for key in drill["others"]],
            about=drill["about"],
            description=drill["description"],
            confirmed=True,
            practice=True,
            now=start,
        )
        for key, account in drill["accounts"].items():
            conflicts.write_statement(by=members[key], case=case, text=account)
        facilitator = members[drill["facilitator"]]
        conflicts.assign_facilitator(by=members[ritual["by"]], case=case, member=facilitator)
        self._fire(case, conflicts.COOLING_OFF_ENDS, conflicts.cooling_off_ends)
        circle_at = start + timedelta(hours=1)
        conflicts.offer_times(
            by=facilitator,
            case=case,
            times=[circle_at, circle_at + timedelta(hours=2)],
            now=start + timedelta(minutes=5),
        )
        option = case.options.order_by("starts_at").first()
        parties = list(case.parties.select_related("member"))
        for party in parties:
            conflicts.answer_availability(
                by=party.member, case=case, can_attend={option.pk: True}, now=start
            )
        conflicts.schedule_circle(
            by=facilitator,
            case=case,
            option=option,
            place="Union hall, back room",
            now=start + timedelta(minutes=20),
        )
        conflicts.record_held(
            by=facilitator,
            case=case,
            heard=[party.pk for party in parties],
            agreements=drill["agreements"],
            now=circle_at + timedelta(minutes=90),
        )
        self._fire(case, conflicts.FOLLOW_UP_DUE, conflicts.follow_up_due)
        agreements = {agreement.pk: True for agreement in case.agreements.all()}
        for party in parties:
            conflicts.check_in(
                by=party.member, case=case, held=agreements, now=circle_at + timedelta(hours=2)
            )
        conflicts.close_case(
            by=facilitator,
            case=case,
            outcome=ConflictCase.Outcome.RESOLVED,
            now=circle_at + timedelta(hours=3),
        )
        # What the drill told people then was read then.
        Notification.objects.filter(pk__gt=told_before or 0).update(created_at=start, read_at=start)

        drill = story.DRILL_COOLING
        cooling = conflicts.file_case(
            by=members[drill["filer"]],
            others=[members[key] for key in drill["others"]],
            about=drill["about"],
            description=drill["description"],
            confirmed=True,
            practice=True,
            cooling_off_minutes=ConflictCase.DRILL_MOST_MINUTES,
            now=now - timedelta(minutes=drill["minutes_ago"]),
        )
        conflicts.assign_facilitator(
            by=members[ritual["by"]], case=cooling, member=members[drill["facilitator"]]
        )

    def _seed_resources(self, movement, members, circles):
        """A hall and a printing press, with bookings this week (through the services)."""
        added = {
            name: commons_services.add_resource(
                by=members["amara"],
                name=name,
                description=description,
                place=place,
                max_hours=hours,
            )
            for name, description, place, hours in story.RESOURCES
        }
        conveners = {name: convener for name, *_rest, convener, _others in CIRCLES}
        today = timezone.localtime(timezone.now(), movement.zone)
        for name, days, hour, hours, who, circle, note in story.BOOKINGS:
            who = conveners[circle] if circle else who  # a circle's booking by its convener
            starts = (today + timedelta(days=days)).replace(
                hour=hour, minute=0, second=0, microsecond=0
            )
            commons_services.book(
                by=members[who],
                resource=added[name],
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                circle=circles[circle] if circle else None,
                note=note,
            )

    def _seed_pledges(self, movement, members, circles):
        """The monthly pledges behind the bail fund's "Monthly pledge" gifts: each day one
        fell due, given (the gift on the ledger), skipped, or not answered; the next day
        booked on a timer. And one made today by the demo organizer, asking her now."""
        pool = Pool.objects.get(movement=movement, name=story.BAIL)
        zone = movement.zone
        today = pledge_services.local_today(movement)
        terms = {
            who: (amount, circle, anonymous)
            for who, amount, circle, anonymous, *_ in (
                *story.PLEDGES,
                *story.NEW_PLEDGES,
            )
        }
        given = {}
        for entry in LedgerEntry.objects.filter(pool=pool, note=story.PLEDGE_NOTE).order_by(
            "created_at", "pk"
        ):
            given.setdefault(entry.recorded_by_id, []).append(entry)
        for who, (amount, circle, anonymous) in terms.items():
            entries = given.get(members[who].user_id)
            if not entries:
                continue
            first = timezone.localtime(entries[0].created_at, zone).date()
            pledge = Pledge.objects.create(
                pool=pool,
                pledged_by=members[who].user,
                circle=circles[circle] if circle else None,
                anonymous=anonymous,
                amount=Decimal(amount),
                rhythm=Pledge.Rhythm.MONTHLY,
                starts_on=first,
                created_at=entries[0].created_at - timedelta(hours=2),
            )
            by_month = {}
            for entry in entries:
                local = timezone.localtime(entry.created_at, zone).date()
                by_month.setdefault((local.year, local.month), entry)
            day = first
            while day is not None and day <= today:
                entry = by_month.get((day.year, day.month))
                if entry is not None:
                    state = PledgeGift.State.GIVEN
                elif who in story.PLEDGE_SKIPS:
                    state = PledgeGift.State.SKIPPED
                else:
                    state = PledgeGift.State.UNANSWERED
                PledgeGift.objects.create(
                    pledge=pledge,
                    pool=pool,
                    due_on=day,
                    amount=pledge.amount,
                    state=state,
                    entry=entry,
                    answered_at=entry.created_at if entry else None,
                )
                day = pledge_services.next_due(pledge, after=day, movement=movement)
            pledge.next_due_on = day
            pledge.save(update_fields=["next_due_on"])
            deadlines.schedule(
                deadlines.PLEDGE_DUE,
                due_at=pledge_services.reminder_time(day, movement),
                target=pledge,
                movement=movement,
                payload={"due_on": day.isoformat()},
            )
        who, amount = story.PLEDGE_TODAY
        pledge = pledge_services.make_pledge(
            by=members[who], pool=pool, amount=amount, rhythm="monthly", starts_on=today
        )
        timer = Timer.objects.get(target_id=pledge.pk, kind=deadlines.PLEDGE_DUE)
        if timer.due_at <= timezone.now():  # after nine: the sweep would ask her at once
            self._fire_now(
                timer, lambda t: pledge_services.pledge_falls_due(pledge_id=pledge.pk, due_on=today)
            )

    def _seed_rotation(self, members):
        """The mutual-aid circle, through the services at the times it happened: six join,
        jamal's ask to go first is approved, two rounds closed (the second short), the third
        open with half its shares in."""
        terms = story.ROTATING
        opened = rotation_services.open_rotation(
            by=members[terms["opened_by"]],
            **{key: terms[key] for key in ("name", "currency", "purpose", "share")},
            round_days=terms["round_days"],
            order=terms["order"],
        )
        for key in terms["people"]:
            rotation_services.join(by=members[key], rotation=opened)
        for key, reason in terms["asks"]:
            rotation_services.ask_earlier(by=members[key], rotation=opened, reason=reason)
            seat = opened.seats.get(member=members[key].user)
            for voter in terms["approve"]:
                rotation_services.vote_earlier(by=members[voter], seat=seat, approve=True)
        started = timezone.now() - timedelta(days=terms["started_days_ago"])
        order = [seat.pk for seat in rotation_services.proposed_order(opened)]
        told_before = self._last_notification()
        rotation_services.start(
            by=members[terms["opened_by"]], rotation=opened, order=order, now=started
        )
        # What a closed round told people then was read then; only the open round's news
        # is new.
        Notification.objects.filter(pk__gt=told_before).update(created_at=started, read_at=started)
        for round_ in opened.rounds.order_by("number"):
            if round_.closes_at > timezone.now():
                paying = terms["paid_in_open_round"]
            else:
                paying = [
                    k for k in terms["people"] if k not in terms["missed"].get(round_.number, ())
                ]
            for key in paying:
                rotation_services.pay_share(
                    by=members[key], rotation=opened, now=round_.opens_at + timedelta(days=1)
                )
            if round_.closes_at > timezone.now():
                break
            timer = Timer.objects.get(
                target_id=round_.pk, kind=deadlines.ROUND_CLOSES, fired_at__isnull=True
            )
            told_before = self._last_notification()
            rotation_services.close_round(round_id=round_.pk, now=round_.closes_at)
            Timer.objects.filter(pk=timer.pk).update(fired_at=round_.closes_at, attempts=1)
            told = Notification.objects.filter(pk__gt=told_before)
            told.update(created_at=round_.closes_at)
            following = opened.rounds.filter(number=round_.number + 1).first()
            if following is not None and following.closes_at > timezone.now():
                told = told.exclude(kind=rotation_services.NotificationKind.ROUND_OPEN)
            told.update(read_at=round_.closes_at)

    @staticmethod
    def _last_notification():
        return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    @staticmethod
    def _fire_now(timer, handler):
        handler(timer)
        Timer.objects.filter(pk=timer.pk).update(fired_at=timezone.now(), attempts=1)

    def _seed_sovereignty(self, movement, members, circles):
        """What the first cycles left behind, recorded by each circle's convener two days
        after the gathering (through the service, then dated then)."""
        conveners = {name: convener for name, *_rest, convener, _others in CIRCLES}
        held = {
            gathering.cycle.number: gathering
            for gathering in Gathering.objects.filter(
                movement=movement, state=Gathering.State.CLOSED
            ).select_related("cycle")
        }
        for number, circle_name, kind, what, people, pool_name in story.SOVEREIGNTY:
            gathering = held.get(number)
            if gathering is None:
                continue
            circle_name = circle_name or story.SOVEREIGNTY_POOL_CIRCLE
            entry = sovereignty_services.record(
                by=members[conveners[circle_name]],
                cycle=gathering.cycle,
                circle=circles[circle_name],
                kind=kind,
                what=what,
                people=people,
                pool=Pool.objects.filter(movement=movement, name=pool_name).first()
                if pool_name
                else None,
            )
            at = gathering.ends_at + timedelta(days=2)
            SovereigntyRecord.objects.filter(pk=entry.pk).update(recorded_at=at)

    @staticmethod
    def _fire(case, kind, handler):
        """Fire a drill's timer that fell due in the past, as the sweep did then."""
        timer = Timer.objects.get(target_id=case.pk, kind=kind, fired_at__isnull=True)
        handler(timer)
        Timer.objects.filter(pk=timer.pk).update(fired_at=timer.due_at, attempts=1)
        case.refresh_from_db()

    def _seed_commons(self, members, circles, now):
        """The pools and their year (written as history), then today's waiting draw and
        the archive through the services, as a person would."""
        pools = history.write_commons_past(
            movement=members["amara"].movement, members=members, circles=circles, now=now
        )
        waiting = story.WAITING_DRAW
        draw = commons_services.request_draw(
            by=members[waiting["by"]],
            pool=pools[waiting["pool"]],
            amount=Decimal(waiting["amount"]),
            purpose=waiting["purpose"],
            circle=circles[waiting["circle"]],
        )
        approver, comment = story.WAITING_DRAW_FIRST_APPROVAL
        commons_services.decide_draw(
            by=members[approver], draw_request=draw, decision="approve", comment=comment
        )
        for key, title, body, tags, lens, circle_name in ARCHIVE:
            commons_services.add_archive_entry(
                by=members[key],
                title=title,
                body=body,
                tags=tags,
                lens=lens,
                circle=circles[circle_name] if circle_name else None,
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
