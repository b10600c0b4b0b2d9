"""The demo movement's year, as a script: what ``history.py`` writes into Tidewater.

People are the demo log-ins by their e-mail's first part (``farah``), circles by name.
Times are days before the seed runs, so the story always ends this week. The rules the
services keep are checked when the script is written (see ``history.py``): balances never
go below zero, a draw above a pool's limit is decided by members of circles other than the
requester's, one circle once.

One thread runs through it: the housing campaign's blockades, the bail fund they emptied,
the pledge drive that refilled it, the Eastside pantry, and the eviction defense at
number 12 whose bail request waits for approval today.
"""

from dataclasses import dataclass, field
from datetime import time, timedelta

from rituals.models import Rhythm

LEGAL = "Legal Defense"
FOOD = "Community Food Distribution"
ART = "Street Art Interventions"
STORIES = "Digital Storytelling"
MEDICS = "Street Medics"
RADIO = "Tidewater Radio Podcast"

BAIL = "Bail Fund"
HOURS = "Time Bank"
TENTS = "Tents and Tarps"

# The movement was founded this long ago; its commons opened a little later.
FOUNDED_DAYS_AGO = 400
POOLS_DAYS_AGO = 372


@dataclass(frozen=True)
class PoolSpec:
    name: str
    kind: str
    purpose: str
    instant_limit: str
    approvals_required: int = 2
    currency: str = ""
    unit: str = ""


POOLS = [
    PoolSpec(
        BAIL,
        "money",
        "Bail and legal fees for anyone arrested in a Tidewater action.",
        "150",
        currency="EUR",
    ),
    PoolSpec(
        HOURS,
        "hours",
        "Hours members offer each other: childcare, rides, translation, cooking.",
        "4",
    ),
    PoolSpec(
        TENTS,
        "items",
        "Shelter for encampments, pantries in the rain and medic stations.",
        "2",
        unit="tents",
    ),
]


def ago(days):
    """``days`` before the seed runs."""
    return ("now", -days)


def before(gathering, days):
    """``days`` before the n-th past gathering starts (1, 2 or 3, oldest first)."""
    return (gathering, -days)


def after(gathering, days):
    """``days`` after the n-th past gathering starts."""
    return (gathering, days)


@dataclass(frozen=True)
class Gift:
    """A contribution; ``reversed`` = (days later, by, reason) when it was a mistake.
    ``optional`` gifts are left out when their moment has not come yet."""

    when: tuple
    pool: str
    by: str
    amount: str
    circle: str | None = None
    anonymous: bool = False
    note: str = ""
    reversed: tuple | None = None
    optional: bool = False


@dataclass(frozen=True)
class Ask:
    """A draw request. Up to the pool's limit it is granted when asked; above it,
    ``decisions`` = [(days later, who, for which circle, "approve" | "decline", comment)]
    settle it, unless the requester withdraws it ``withdrawn`` days later."""

    when: tuple
    pool: str
    by: str
    amount: str
    purpose: str
    circle: str | None = None
    decisions: tuple = ()
    withdrawn: float | None = None


# Monthly pledges to the bail fund: (who, euros, for which circle, anonymous, months).
PLEDGES = [
    ("farah", "40", LEGAL, False, 12),
    ("bastien", "25", None, False, 12),
    ("emeka", "20", FOOD, False, 12),
    ("gus", "10", None, True, 12),
    ("lucia", "15", STORIES, False, 9),
]
# The n-th round falls this many days ago (n = 0 is the latest), give or take a day.
PLEDGE_DAY = 4.5
PLEDGE_MONTH_DAYS = 30.4
PLEDGE_NOTE = "Monthly pledge"
# Pledgers who skipped a month (n as above): no gift on the ledger, "skipped" on their pledge.
PLEDGE_SKIPS = {"bastien": (1,)}
# A pledge made today, that falls due today: the demo organizer is asked whether she gave.
PLEDGE_TODAY = ("amara", "30")
# The pledge drive the second gathering decided: six new pledges, the first a few days
# after it, the next a month later (once that month has come).
NEW_PLEDGES = [
    ("kalani", "10", None, False),
    ("hana", "15", FOOD, False),
    ("ines", "10", ART, False),
    ("chen", "12", RADIO, False),
    ("jamal", "20", None, True),
    ("dolores", "15", MEDICS, False),
]
NEW_PLEDGES_AFTER = 2.5  # days after the second gathering, the first of them

GIFTS = [
    # --- the bail fund ---
    Gift(ago(360), BAIL, "amara", "250", note="Seed money from the founding assembly"),
    Gift(ago(322.3), BAIL, "chen", "320", RADIO, note="From the benefit gig"),
    Gift(ago(301.6), BAIL, "jamal", "500", anonymous=True, note="Solidarity from the union local"),
    Gift(ago(211.4), BAIL, "hana", "86.50", FOOD, note="Proceeds of the bake sale"),
    Gift(
        ago(156.2),
        BAIL,
        "bastien",
        "25",
        note=PLEDGE_NOTE,
        reversed=(0.8, "amara", "Entered twice by mistake."),
    ),
    Gift(ago(129.5), BAIL, "kalani", "143", note="Raffle at the block party"),
    Gift(after(1, 0.08), BAIL, "amara", "112", note="Pass-the-hat at the gathering"),
    Gift(
        before(2, 5.6),
        BAIL,
        "farah",
        "410",
        LEGAL,
        note="Emergency appeal after the second blockade",
    ),
    Gift(after(2, 0.08), BAIL, "amara", "96.40", note="Pass-the-hat at the gathering"),
    Gift(before(3, 6.2), BAIL, "lucia", "48", STORIES, note="Screening of the eviction explainer"),
    Gift(after(3, 0.08), BAIL, "amara", "131", note="Pass-the-hat at the gathering"),
    Gift(ago(61.7), BAIL, "chen", "75", RADIO, note="Donation after the radio hour"),
    # --- the time bank: hours offered ---
    Gift(ago(358.4), HOURS, "hana", "6", FOOD, note="Childcare on assembly Saturdays"),
    Gift(ago(351.2), HOURS, "kalani", "10", note="Rides and carrying, any weekday evening"),
    Gift(ago(339.6), HOURS, "ines", "3.5", ART, note="Translation, French and Spanish"),
    Gift(ago(301.3), HOURS, "dolores", "4", MEDICS, note="First-aid cover at events"),
    Gift(ago(268.7), HOURS, "gus", "5", note="Fixing bikes and carts"),
    Gift(ago(241.5), HOURS, "lucia", "2.5", STORIES, note="Video editing"),
    Gift(ago(199.2), HOURS, "hana", "4", FOOD),
    Gift(ago(171.6), HOURS, "kalani", "6", note="Rides and carrying"),
    Gift(ago(118.3), HOURS, "bastien", "3", LEGAL, note="Paperwork help for tenants"),
    Gift(ago(94.6), HOURS, "amara", "4", FOOD, note="Cooking for the solidarity kitchen"),
    Gift(after(2, 3.2), HOURS, "gus", "6", note="Driving the van for the move-in"),
    Gift(after(2, 3.6), HOURS, "ines", "3", note="Translation at hearings"),
    Gift(ago(39.5), HOURS, "hana", "5", FOOD, note="Childcare on assembly Saturdays"),
    Gift(ago(13.7), HOURS, "jamal", "2", LEGAL),
    Gift(ago(5.6), HOURS, "kalani", "4", anonymous=True),
    # --- tents and tarps ---
    Gift(ago(354.5), TENTS, "dolores", "12", MEDICS, note="From the spring fundraiser"),
    Gift(ago(239.6), TENTS, "gus", "3", note="Found at the scrap yard, patched"),
    Gift(ago(160.3), TENTS, "kalani", "4", note="Returned after the encampment"),
    Gift(ago(99.7), TENTS, "bastien", "2", LEGAL, note="Bought second-hand"),
    Gift(before(3, 3.4), TENTS, "hana", "2", FOOD, note="Returned, dry and folded"),
]

ASKS = [
    # --- the bail fund: €150 at once, two other circles above that ---
    Ask(
        ago(330.4),
        BAIL,
        "jamal",
        "95",
        "Court filing fees for the tenants of the blockaded building on Alder Street.",
        LEGAL,
    ),
    Ask(
        ago(271.5),
        BAIL,
        "farah",
        "600",
        "Bail for two neighbours held after the Alder Street blockade.",
        LEGAL,
        decisions=(
            (0.3, "dolores", MEDICS, "approve", "Yes — this is exactly what the fund is for."),
            (0.9, "emeka", FOOD, "approve", "Of course."),
        ),
    ),
    Ask(
        ago(229.6),
        BAIL,
        "dolores",
        "140",
        "Bail for a street medic held overnight after the march.",
        MEDICS,
    ),
    Ask(
        ago(193.4),
        BAIL,
        "emeka",
        "450",
        "Emergency rent for a pantry family facing eviction this week.",
        FOOD,
        decisions=(
            (0.6, "bastien", LEGAL, "approve", "Approved, and Legal Defense will call them."),
            (1.7, "ines", ART, "approve", ""),
        ),
    ),
    Ask(
        ago(150.3),
        BAIL,
        "chen",
        "380",
        "A field recorder and two microphones for interviews at the pickets.",
        RADIO,
        decisions=(
            (0.4, "lucia", ART, "approve", "Good stories need good sound."),
            (
                0.9,
                "farah",
                LEGAL,
                "decline",
                "The fund is for bail and legal fees; a benefit gig could pay for this.",
            ),
            (1.6, "dolores", MEDICS, "decline", "Another pool is a better fit for this."),
        ),
    ),
    Ask(
        ago(109.6),
        BAIL,
        "ines",
        "120",
        "Fine for a paste-up crew cited for flyposting on Harbor Street.",
        ART,
    ),
    Ask(
        before(2, 9.5),
        BAIL,
        "jamal",
        "700",
        "Bail for three people arrested at the second blockade.",
        LEGAL,
        decisions=(
            (0.3, "gus", ART, "approve", "Go. Nobody stays inside for want of bail."),
            (0.8, "hana", FOOD, "approve", "Approved, good luck at the hearing."),
        ),
    ),
    Ask(
        ago(46.5),
        BAIL,
        "bastien",
        "300",
        "Travel for two delegates to the regional convergence on court support.",
        decisions=((0.5, "emeka", FOOD, "approve", ""),),
        withdrawn=2.3,
    ),
    Ask(ago(19.6), BAIL, "farah", "140", "Court filing fees for the tenants of number 12.", LEGAL),
    Ask(
        ago(7.5), BAIL, "jamal", "60", "Copies of the court file for the number 12 hearing.", LEGAL
    ),
    # --- the time bank: 4 hours at once ---
    Ask(ago(329.5), HOURS, "farah", "2", "Translation at the court hearing.", LEGAL),
    Ask(ago(280.4), HOURS, "emeka", "3", "Childcare during the Saturday assembly.", FOOD),
    Ask(
        ago(216.5),
        HOURS,
        "dolores",
        "6",
        "Two trainers for a first-aid afternoon with four circles.",
        MEDICS,
        decisions=(
            (0.4, "lucia", STORIES, "approve", ""),
            (1.1, "emeka", FOOD, "approve", "Of course."),
        ),
    ),
    Ask(ago(150.6), HOURS, "lucia", "3", "Subtitling the Alder Street video.", STORIES),
    Ask(ago(90.4), HOURS, "amara", "4", "Cooking for the solidarity kitchen at the picket.", FOOD),
    Ask(
        after(2, 4.5),
        HOURS,
        "emeka",
        "8",
        "Drivers for the move-in at the housing co-op: fourteen households.",
        FOOD,
        decisions=(
            (0.4, "chen", RADIO, "approve", "We'll record it too."),
            (1.1, "farah", LEGAL, "approve", ""),
        ),
    ),
    Ask(ago(21.5), HOURS, "dolores", "3", "A first-aid refresher for the new medics.", MEDICS),
    # --- tents: 2 at once ---
    Ask(ago(300.4), TENTS, "emeka", "2", "For the pantry in the rain this weekend.", FOOD),
    Ask(
        ago(176.5),
        TENTS,
        "jamal",
        "6",
        "For the encampment at the town hall.",
        LEGAL,
        decisions=(
            (0.3, "emeka", FOOD, "approve", ""),
            (0.9, "lucia", STORIES, "approve", "Bring them back dry!"),
        ),
    ),
    Ask(ago(119.7), TENTS, "dolores", "2", "For the medic station at the march.", MEDICS),
    Ask(
        before(2, 9.6),
        TENTS,
        "dolores",
        "2",
        "For the medic station at the second blockade.",
        MEDICS,
    ),
    Ask(ago(31.4), TENTS, "emeka", "2", "For the pantry in the rain this weekend.", FOOD),
]

# Today, through the services: the draw that waits for approval from circles other than
# the requester's (one has approved), the first thing Farah, Bastien, Jamal, Gus, Lucía,
# Chen and Dolores see on the movement's home.
WAITING_DRAW = {
    "by": "emeka",
    "pool": BAIL,
    "amount": "500",
    "purpose": "Bail for a pantry volunteer held after the eviction defense at number 12.",
    "circle": FOOD,
}
WAITING_DRAW_FIRST_APPROVAL = ("ines", "Yes — this is exactly what the fund is for.")


# How Tidewater converges: the first Saturday of each month, 18:00 to 20:00 in its zone.
RHYTHM = {
    "kind": Rhythm.Kind.MONTHLY,
    "week": 1,
    "weekday": 5,
    "local_time": time(18),
    "duration": timedelta(hours=2),
    "time_zone": "America/New_York",
    "place": "Harbor Street community hall",
    "report_days_before": 3,
}

# --- convergence: the first three gatherings ------------------------------------------------


@dataclass(frozen=True)
class Report:
    did: str
    intention: str
    lessons: str = ""
    needs: str = ""
    tactics: str = ""
    # The facilitator's notes on the report-back, in the minutes.
    notes: str = ""
    # What the circle committed to at the gathering, and how its next report says it went
    # ("open" while no report has looked back at it yet).
    commitment: str = ""
    outcome: str = "open"
    days_before: float = 2.5


@dataclass(frozen=True)
class GatheringStory:
    facilitators: tuple
    opening: str
    reports: dict
    commons: str
    closing: str
    # (the agenda item it came from: a circle's name, "opening", "commons" or "closing"; text)
    decisions: tuple
    rsvps: dict = field(default_factory=dict)


GATHERINGS = [
    GatheringStory(
        facilitators=("chen",),
        opening="Words in the round: tired, proud, stretched, hopeful — and 'wet': the pantry "
        "tent leaked all of the last Saturday.",
        reports={
            ART: Report(
                did="Painted the first mural on the Harbor Street underpass with the tenants of "
                "number 12: 'Our homes are not your assets'. Forty paste-ups on the blocks the "
                "eviction map marks red.",
                lessons="Paste after the street sweepers pass: the paste-ups lasted a week, not "
                "a night.",
                needs="Two ladders and someone with a van on a Sunday morning.",
                intention="A second wall, designed with the kids from the pantry queue.",
                tactics="mural, paste-ups",
                notes="The tenants of number 12 want their names on the wall. Agreed: names "
                "only with each person's yes.",
                commitment="Paint the second wall with the tenants of number 12",
                outcome="done",
                days_before=3.2,
            ),
            LEGAL: Report(
                did="Two know-your-rights trainings (40 people), court support at six eviction "
                "hearings, and the last Alder Street case closed without a conviction.",
                lessons="Hearings move without notice: a phone tree beats a group chat for "
                "court support.",
                needs="Someone from every circle at the hearing on the 14th.",
                intention="A know-your-rights session in Spanish and one in Tagalog.",
                tactics="court support, know your rights, phone tree",
                notes="Six hearings, four postponed. Street Art offered to bring a banner to the "
                "14th; the pantry will bring food for the waiting room.",
                commitment="Hold know-your-rights sessions in Spanish and in Tagalog",
                outcome="partly",
                days_before=2.1,
            ),
            FOOD: Report(
                did="Four Saturday pantries, about 120 households each time. The question of "
                "the month in the queue: 'Are you behind on rent?'",
                lessons="Food at the door brings people who have never come to a meeting. One "
                "household in five is behind on rent.",
                needs="Tents for rainy Saturdays; hours of childcare so parents can stay for "
                "the assembly.",
                intention="Open a second pantry in Eastside.",
                tactics="free pantry, tenant survey",
                notes="The rent answers go to Legal Defense's eviction map, with no names.",
                commitment="Open a second pantry in Eastside",
                outcome="not_done",
                days_before=1.4,
            ),
            STORIES: Report(
                did="Five short videos of tenants telling their own eviction stories; the one "
                "from number 12 was shared 3,000 times.",
                lessons="Subtitles doubled the views. Who holds the phone matters more than the "
                "camera.",
                needs="Consent forms in Spanish and Tagalog, and a second editor.",
                intention="Train three tenants to film their own building.",
                tactics="video, social media",
                notes="Ines will translate the consent forms into French; Farah checks them.",
                commitment="Train three tenants to film their own building",
                outcome="done",
                days_before=3.8,
            ),
            MEDICS: Report(
                did="Medic stations at the march and at the rent assembly; first-aid "
                "training for eight people from four circles.",
                lessons="Buddy pairs kept every medic within sight of another: nobody ended up "
                "alone.",
                needs="Replacement gauze and saline; a tent for the station.",
                intention="Every circle has one trained first-aider.",
                tactics="first aid, de-escalation",
                notes="Two circles still have nobody trained: Digital Storytelling and the "
                "podcast.",
                commitment="Train one first-aider in every circle",
                outcome="partly",
                days_before=2.7,
            ),
            RADIO: Report(
                did="Two episodes: the Alder Street tenants, months after the blockade, and "
                "what the Quebec casseroles teach about a sound anyone can join.",
                lessons="Recording at the pantry got us voices we never reach on the phone.",
                needs="A quiet room to record in.",
                intention="An episode every fortnight, each with a report from one circle.",
                tactics="podcast, interviews",
                notes="Chen asks every circle for ten minutes of tape per cycle.",
                commitment="Publish an episode every fortnight",
                days_before=1.1,
            ),
        },
        commons="Bail fund: the Alder Street cases are paid and closed, and monthly pledges "
        "cover about a third of a bad month. The time bank has more hours offered than "
        "asked for: ask for them.",
        closing="Each circle named its commitment; the facilitator read them back.",
        decisions=(
            (MEDICS, "Every circle names one first-aider before the next gathering."),
            (
                "commons",
                "The bail fund keeps its €150 instant limit; we look at it again next cycle.",
            ),
            (LEGAL, "We hold know-your-rights sessions in three languages."),
        ),
        rsvps={
            "amara": "yes",
            "bastien": "yes",
            "chen": "yes",
            "dolores": "yes",
            "emeka": "yes",
            "farah": "yes",
            "gus": "maybe",
            "hana": "yes",
            "ines": "yes",
            "jamal": "no",
            "lucia": "yes",
        },
    ),
    GatheringStory(
        facilitators=("dolores",),
        opening="A minute of quiet for the three people arrested at the second blockade, all "
        "out on bail since Tuesday.",
        reports={
            ART: Report(
                did="The second wall is done with the tenants of number 12: ten metres of 'Rent "
                "is theft of time'. Stencils at six bus stops.",
                lessons="The landlord painted over the stencils in two days and left the mural "
                "alone: neighbours guard what they helped make.",
                needs="Nothing from the commons this cycle.",
                intention="A mural tour for the neighbourhood, and a new stencil image every "
                "cycle.",
                tactics="mural, stencil",
                notes="Pattern decay: the stencil worked twice, then the landlord was ready.",
                commitment="Lead a mural tour before the next gathering",
                outcome="done",
                days_before=2.2,
            ),
            LEGAL: Report(
                did="Know-your-rights session in Spanish (25 people); court support at nine "
                "hearings; bail for three people after the second blockade.",
                lessons="Three arrests in one night emptied most of the bail fund. We need more "
                "monthly pledges, not bigger one-off drives.",
                needs="Translators for the Tagalog session; new monthly pledges to the bail fund.",
                intention="The Tagalog session, and ten new monthly pledges.",
                tactics="court support, bail fund, know your rights",
                notes="The emergency appeal brought €410 in four days. Jamal thanked every "
                "circle by name.",
                commitment="Find ten new monthly pledges for the bail fund",
                outcome="partly",
                days_before=1.3,
            ),
            FOOD: Report(
                did="Four pantries. The Eastside pantry did not open: the church hall fell "
                "through. Started a phone tree with 60 pantry households.",
                lessons="A space is a relationship, not a booking: we asked too late.",
                needs="Eight hours of driving from the time bank for the move-in at the housing "
                "co-op.",
                intention="Find the Eastside space through the tenants' association, not the "
                "parish.",
                tactics="free pantry, phone tree",
                notes="Kalani knows the tenants' association's treasurer and will introduce Emeka.",
                commitment="Ask the tenants' association for an Eastside space",
                outcome="done",
                days_before=2.9,
            ),
            STORIES: Report(
                did="Three tenants trained; they filmed number 12's repair day themselves. "
                "'The stairs' reached the city council.",
                lessons="When tenants hold the camera the story is theirs, and the press asks "
                "them, not us.",
                needs="A storage drive for raw footage.",
                intention="A 72-hour sprint with Legal Defense: a short film on how an "
                "eviction works.",
                tactics="video, media training",
                notes="Legal Defense said yes to the sprint on the spot.",
                commitment="Make the eviction explainer with Legal Defense",
                outcome="done",
                days_before=3.4,
            ),
            MEDICS: Report(
                did="Four circles now have a trained first-aider; medic station at the second "
                "blockade.",
                lessons="After the arrests, care for the medics mattered too: we held a debrief "
                "the next day.",
                needs="Two tents for the station at the next action.",
                intention="Train the last two circles; a de-escalation workshop open to all.",
                tactics="first aid, de-escalation, debrief",
                notes="The debrief format goes into the archive.",
                commitment="Train first-aiders in the last two circles",
                outcome="partly",
                days_before=1.8,
            ),
        },
        commons="Bail fund: after €700 of bail it held less than one bad night's worth. Legal "
        "Defense proposes a pledge drive rather than raising the instant limit.",
        closing="Commitments read back; Digital Storytelling and Legal Defense will pick the "
        "sprint's 72 hours by e-mail.",
        decisions=(
            (
                "commons",
                "A pledge drive: every circle asks its members for one new monthly "
                "pledge to the bail fund.",
            ),
            (
                STORIES,
                "Digital Storytelling and Legal Defense pair for a 72-hour sprint on an "
                "eviction explainer.",
            ),
            ("commons", "The bail fund's instant limit stays at €150."),
        ),
        rsvps={
            "amara": "yes",
            "bastien": "maybe",
            "chen": "yes",
            "dolores": "yes",
            "emeka": "yes",
            "farah": "yes",
            "gus": "yes",
            "hana": "no",
            "ines": "yes",
            "jamal": "yes",
            "kalani": "yes",
            "lucia": "maybe",
        },
    ),
    GatheringStory(
        facilitators=("chen", "dolores"),
        opening="Round of wins: the Eastside pantry opened, two evictions postponed, and the "
        "explainer was shown at both pantries.",
        reports={
            ART: Report(
                did="A mural tour for 35 people that ended at the pantry. A new paste-up "
                "series: portraits of tenants who stayed.",
                lessons="The tour brought people who would never come to a meeting; ending it "
                "at the pantry turned some into volunteers.",
                needs="Paper and paste, and a dry place to keep the portraits.",
                intention="Paste-ups in Eastside, around the new pantry.",
                tactics="mural tour, paste-ups",
                commitment="Paste up the tenant portraits in Eastside",
                days_before=2.6,
            ),
            LEGAL: Report(
                did="Six new monthly pledges; the Tagalog session with 18 people; court "
                "support at seven hearings, two evictions postponed.",
                lessons="A postponement is a win: it buys a family a month to organize.",
                needs="A draw for bail if the eviction defense at number 12 ends in arrests.",
                intention="A rapid-response list for eviction mornings.",
                tactics="court support, rapid response, fundraising",
                notes="Six pledges of the ten hoped for; the drive goes on.",
                commitment="Start the rapid-response list for eviction mornings",
                days_before=1.6,
            ),
            FOOD: Report(
                did="The Eastside pantry opened in the tenants' association's basement: 70 "
                "households on its first day. Fourteen households moved in at the housing co-op.",
                lessons="Asking the tenants' association instead of the parish got us the space "
                "in a week.",
                needs="Tents for rainy Saturdays, and the bail fund behind our volunteers at "
                "number 12.",
                intention="Both pantries every Saturday through the winter.",
                tactics="free pantry, move-in",
                commitment="Run both pantries every Saturday through the winter",
                days_before=3.1,
            ),
            STORIES: Report(
                did="The eviction explainer, made in 72 hours with Legal Defense: four minutes, "
                "three languages, shown at both pantries.",
                lessons="Pairing with a circle that thinks differently was slower and better: "
                "the lawyers cut our jargon, we cut theirs.",
                intention="A series: one tenant's story each cycle.",
                tactics="video, sprint",
                notes="The sprint's log is in the archive; both circles want another one.",
                commitment="Publish the first story of the series",
                days_before=2.3,
            ),
            MEDICS: Report(
                did="De-escalation workshop for 20 people; first-aiders now in five circles; "
                "medic station at the march.",
                lessons="De-escalation is a skill for everyone, not only for medics.",
                needs="Replacement kits, and hours for a refresher training.",
                intention="A street medic at every eviction defense.",
                tactics="first aid, de-escalation",
                commitment="A medic at every eviction defense",
                days_before=1.2,
            ),
        },
        commons="Bail fund back on its feet thanks to the new pledges. The time bank covered "
        "the move-in; the pantry's tents are back, dry.",
        closing="Commitments read back. The podcast has not reported for two gatherings: an "
        "invitation, not a verdict.",
        decisions=(
            (
                LEGAL,
                "Eviction defense at number 12: Legal Defense coordinates, Street Medics on "
                "site, the pantry feeds the morning shift.",
            ),
            (
                "closing",
                "The organizers check in with Tidewater Radio Podcast, two cycles "
                "without a report.",
            ),
            ("opening", "The spring assembly is held in three languages."),
        ),
        rsvps={
            "amara": "yes",
            "bastien": "yes",
            "chen": "yes",
            "dolores": "yes",
            "emeka": "yes",
            "farah": "yes",
            "gus": "yes",
            "hana": "maybe",
            "ines": "yes",
            "jamal": "yes",
            "kalani": "maybe",
            "lucia": "yes",
        },
    ),
]

OPENING_TITLE = "Opening round"
COMMONS_TITLE = "The commons: balances and the draws of the cycle"
CLOSING_TITLE = "Commitments for the next cycle"

# --- integration sprints ------------------------------------------------------------------------
# One sprint finished between the second and the third gathering: Legal Defense and Street Art
# Interventions had never worked together and share no member. It made the know-your-rights
# stencils. Today a second round pairs the pantry with Digital Storytelling, through the
# services, and runs for the next 72 hours.


@dataclass(frozen=True)
class PastSprint:
    """A round opened by ``facilitator`` at ``opened``, the circles opting in a few hours
    later (each through its convener), proposed and launched at ``launched`` for ``hours``;
    the artifact published ``published_after`` hours in, the reflection written and the
    sprint closed some days after its deadline."""

    facilitator: str
    circles: tuple
    opened: tuple
    opt_in_days: float
    launched: tuple
    hours: int
    artifact_by: str
    published_after: float
    title: str
    description: str
    link: str
    reflection_by: str
    reflected_after: float  # days after the deadline
    reflection: str
    closed_after: float  # days after the deadline


PAST_SPRINT = PastSprint(
    facilitator="dolores",
    circles=(LEGAL, ART),
    opened=after(2, 2),
    opt_in_days=5,
    launched=after(2, 8),
    hours=72,
    artifact_by="ines",
    published_after=58,
    title="Know your rights, on the walls",
    description=(
        "Six stencils and a paste-up series that put the four things to say to the police, and "
        "the bail fund's number, on the blocks where the blockades happen. Legal Defense wrote "
        "and checked every word; Street Art cut the stencils and chose the walls. Forty copies "
        "went up in the first week, and the paste-up sheet is free for any circle to print."
    ),
    link="https://tidewater.example.org/stencils/know-your-rights",
    reflection_by="farah",
    reflected_after=1.35,
    reflection=(
        "Tempo was the first friction: the lawyers wanted every sentence reviewed, the painters "
        "wanted to be on the walls that night. We settled on one round of review, done in the "
        "studio, not by e-mail. Jargon was the second: 'detention' and 'arrest' mean different "
        "things in court and nobody on the street knew it. Next time: start with a shared "
        "glossary, and ask the Time Bank for printing hours before the sprint starts, not "
        "during it."
    ),
    closed_after=2.1,
)

# Today's round, through the services: (facilitator, circles, each opted in by its convener).
RUNNING_SPRINT = {"facilitator": "chen", "circles": (FOOD, STORIES)}


# --- the conflict ritual -----------------------------------------------------------------------

# Adopted by the organizers a month after founding: the essay's ritual in Tidewater's words.
RITUAL_ADOPTED_DAYS_AGO = 370
RITUAL = {
    "by": "amara",
    "text": """## Tidewater's conflict ritual

When conflict is ritualized, it sharpens collective intelligence instead of corroding
trust. Dissent is legitimate here, and it has a place to land.

1. **Twenty-four hours of cooling off.** Whoever files a case, nobody answers it, posts
   about it or takes sides for a day. The app tells everyone involved and counts down.
2. **A facilitated listening circle.** A facilitator who is not a party is assigned by
   the organizers. Each party marks when they can attend. In the circle, each person speaks
   once, uninterrupted, and the facilitator reflects back what they heard.
3. **Repair, not punishment.** We ask what would repair the harm and let us keep working
   side by side, and we write down what we agree — small, concrete, checkable.
4. **Strategy and behaviour, never identity.** We argue about what we do and decide, and
   about what was done or said. Never about who someone is.
5. **Two weeks later, a check-in.** Each party says whether each agreement held. Then the
   facilitator closes the case: resolved, or not yet — and an unresolved case can be
   filed again.

Cases are seen only by their parties, their facilitator and the organizers; they are
encrypted, and deleted a year after they close. We practise this ritual twice a year.""",
    "cooling_off_hours": 24,
    "follow_up_days": 14,
    "retention_months": 12,
}

# Practice drills (fictional cases, timers of minutes), so every role sees the ritual work.
DRILL_DONE = {
    "days_ago": 60,
    "filer": "dolores",
    "others": ("emeka",),
    "facilitator": "chen",
    "about": "strategy",
    "description": (
        "PRACTICE. At the spring action the Street Art circle painted the banner slogan the "
        "Legal Defense circle had asked to keep off the walls until after the hearing. Legal "
        "says it put the tenants' case at risk; Art says the slogan had been agreed at the "
        "gathering."
    ),
    "accounts": {
        "dolores": "PRACTICE. We asked at the gathering to wait until after the hearing; the "
        "minutes say so. The banner went up two days before it.",
        "emeka": "PRACTICE. The slogan was voted at the gathering; the wait was mentioned "
        "afterwards, in a chat most of us never saw.",
    },
    "agreements": (
        "Slogans that name a court case go past Legal Defense first.",
        "Both circles bring the next banner draft to the gathering together.",
    ),
}
DRILL_COOLING = {
    "minutes_ago": 1,
    "filer": "chen",
    "others": ("farah", "gus"),
    "facilitator": "dolores",
    "about": "behaviour",
    "description": (
        "PRACTICE. The Time Bank's hours for the pantry night were promised twice: two "
        "volunteers turned up for one shift and one shift had nobody. Farah and Gus each say "
        "the other changed the rota without telling the circle."
    ),
}


# --- lenses --------------------------------------------------------------------------------

# Tidewater's organizers name a lens a blind spot below a quarter of the mix (20 % is the
# default): stricter, because the essay warns that every movement overrates its own lens.
BLIND_SPOT_BELOW = 25

# Who leans where, from their own self-assessment (private to each; the lens map counts them).
# Tidewater leans on mobilization and consciousness; structural leverage is its blind spot.
LENS_ANSWERS = {
    "amara": ("voluntarist", "voluntarist", "subjectivist", "voluntarist", "voluntarist"),
    "bastien": ("subjectivist", "subjectivist", "subjectivist", "voluntarist", "subjectivist"),
    "chen": ("subjectivist", "voluntarist", "subjectivist", "subjectivist", "subjectivist"),
    "dolores": ("voluntarist", "voluntarist", "voluntarist", "voluntarist", "structuralist"),
    "emeka": ("voluntarist", "subjectivist", "voluntarist", "voluntarist", "voluntarist"),
    "farah": ("subjectivist", "subjectivist", "voluntarist", "subjectivist", "subjectivist"),
    "hana": ("subjectivist", "subjectivist", "subjectivist", "subjectivist", "voluntarist"),
    "kalani": ("structuralist", "structuralist", "voluntarist", "structuralist", "voluntarist"),
}

# Sparks: a passion that would fill the blind spot (two people in, one more needed), and
# one with enough people for its author to turn it into a circle.
SPARKS = [
    {
        "author": "kalani",
        "passion": "A rent escrow fund for the Harbor Towers tenants: rent paid into our own "
        "account, not the landlord's, the day the repairs stop.",
        "lens": "structuralist",
        "horizon": "Housing as a right needs leverage: rent the landlord cannot collect is "
        "a pressure point no march has.",
        "in": ("farah", "dolores"),
    },
    {
        "author": "hana",
        "passion": "A strike choir: songs from the 1912 mill strikes, sung at every action "
        "and taught at the pantry on Sundays.",
        "lens": "subjectivist",
        "horizon": "People stay for what moves them; songs carry the story further than flyers.",
        "in": ("gus", "ines", "lucia"),
    },
]


# --- sovereignty gained ----------------------------------------------------------------------

# (cycle, circle, kind, what, people, pool): recorded by each circle's convener two days after
# its gathering. Counts only: leaders and learners are never named.
SOVEREIGNTY = [
    (1, LEGAL, "leaders", "legal observers trained for the eviction watch", 6, None),
    (1, FOOD, "institution", "the Harbor free pantry, open four days a week", None, None),
    (1, None, "resources", "the Bail Fund, held in common", None, BAIL),
    (2, MEDICS, "skills", "a street first-aid skill share", 24, None),
    (2, ART, "resources", "the print shop's screen press, shared by every circle", None, None),
    (2, STORIES, "leaders", "tenants trained to record their own stories", 5, None),
    (3, FOOD, "institution", "a food buying cooperative of 40 households", None, None),
    (3, LEGAL, "leaders", "court-support coordinators", 4, None),
    (3, MEDICS, "skills", "de-escalation training for marshals", 31, None),
]
SOVEREIGNTY_POOL_CIRCLE = LEGAL  # the circle that keeps the bail fund's books


# --- a rotating mutual-aid pool ----------------------------------------------------------------

ROTATING = {
    "name": "Mutual Aid Circle",
    "currency": "EUR",
    "purpose": "Six of us put in €50 every two weeks; each round the whole pot goes to one "
    "of us, for the rent, the car, the dentist. Nobody asks twice.",
    "share": "50",
    "round_days": 14,
    "order": "need",
    "opened_by": "amara",
    "people": ("amara", "emeka", "hana", "jamal", "kalani", "lucia"),
    "asks": [("jamal", "My hours were cut this month; the rent is due on the 1st.")],
    "approve": ("emeka", "hana", "kalani"),
    "started_days_ago": 33,  # two rounds closed, the third open
    # Round 2 was short: lucia's share did not come in. In round 3, these have paid so far.
    "missed": {2: ("lucia",)},
    "paid_in_open_round": ("emeka", "hana", "kalani"),
}


# --- shared spaces and tools -----------------------------------------------------------------

RESOURCES = [
    ("Community hall", "Seats 80, with a kitchen and a ramp.", "Harbor Street 12", 4),
    ("Printing press", "A screen press and a riso for posters and zines.", "The print shop", 3),
]
# (resource, days from today, starting hour, hours, who, circle or None, what for): a
# circle's booking is made by its convener
BOOKINGS = [
    ("Community hall", 1, 18, 2, "ines", LEGAL, "Know-your-rights training"),
    ("Printing press", 2, 10, 3, "hana", ART, "Posters for the rent strike"),
    ("Community hall", 4, 14, 3, "farah", FOOD, "Pantry sorting"),
    ("Printing press", 3, 16, 2, "gus", None, "Flyers for the block party"),
]
