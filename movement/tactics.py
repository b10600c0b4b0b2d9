"""The tactics library the app ships: what movements have done, by lens and by aim.

Each movement gets its own copy (``movement.services.ensure_tactics``) the first time it
needs one, which its organizers then edit, add to or archive: the library is a starting
point, not a canon. A tactic is recognised in what circles write ("Tactics used: mural,
phone tree") by its name or one of the names it is also called by (``also_called``).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from movement.models import Lens, TacticAim


@dataclass(frozen=True)
class LibraryTactic:
    key: str  # stable: a movement's copy remembers which library tactic it came from
    name: object
    lens: str
    aim: str
    description: object
    examples: object
    also_called: object = ""


V, S, C = Lens.VOLUNTARIST, Lens.STRUCTURALIST, Lens.SUBJECTIVIST
A = TacticAim

LIBRARY = [
    LibraryTactic(
        "pot-banging",
        _("Nightly pot-banging"),
        V,
        A.MOBILIZE,
        _("At a fixed hour every night, people bang pots from windows and balconies."),
        _("Cacerolazos in Chile (2019), Argentina (2001), Quebec (2012)."),
        _("cacerolazo, pots and pans, noise demo"),
    ),
    LibraryTactic(
        "march",
        _("Mass march"),
        V,
        A.MOBILIZE,
        _("Many people in the street at once, with a route, a date and a demand."),
        _("The March on Washington (1963); the Women's Marches (2017)."),
        _("march, rally, demonstration, demo"),
    ),
    LibraryTactic(
        "phone-tree",
        _("Phone tree"),
        V,
        A.MOBILIZE,
        _("Each person calls a few others: a whole network reached in an hour."),
        _("Tenant unions' eviction alerts; strike committees."),
        _("phone tree, rapid response, text loop"),
    ),
    LibraryTactic(
        "strike",
        _("Strike"),
        S,
        A.PRESSURE,
        _("Workers withhold their labour until a demand is met."),
        _("The Bread and Roses strike (1912); the Chicago teachers' strike (2012)."),
        _("strike, walkout, work stoppage"),
    ),
    LibraryTactic(
        "rent-strike",
        _("Rent strike"),
        S,
        A.PRESSURE,
        _("Tenants of one landlord withhold rent together, into an escrow fund."),
        _("The Glasgow rent strikes (1915); Parkmerced, San Francisco (2020)."),
        _("rent strike, escrow"),
    ),
    LibraryTactic(
        "boycott",
        _("Boycott"),
        S,
        A.PRESSURE,
        _("Refusing to buy from, work with or fund a target until it changes."),
        _("The Montgomery bus boycott (1955); the grape boycott (1965–70)."),
        _("boycott, divestment"),
    ),
    LibraryTactic(
        "debt-resistance",
        _("Debt resistance"),
        S,
        A.REFUSE,
        _("Debtors organize to refuse or renegotiate illegitimate debts together."),
        _("The Debt Collective's student debt strike (2015)."),
        _("debt strike, debt resistance"),
    ),
    LibraryTactic(
        "occupation",
        _("Occupation"),
        S,
        A.PRESSURE,
        _("Taking and holding a space that power depends on."),
        _("The Flint sit-down strike (1936–37); the Plaza de Mayo."),
        _("sit-in, occupation, encampment"),
    ),
    LibraryTactic(
        "bail-fund",
        _("Bail fund"),
        S,
        A.PROTECT,
        _("A shared fund that pays bail so nobody waits in jail for lack of money."),
        _("The Brooklyn Community Bail Fund; the Minnesota Freedom Fund (2020)."),
        _("bail fund, bail"),
    ),
    LibraryTactic(
        "legal-observers",
        _("Legal observers"),
        S,
        A.PROTECT,
        _("Trained observers document arrests and police conduct at actions."),
        _("The National Lawyers Guild's green hats."),
        _("legal observers, court support, know your rights, jail support"),
    ),
    LibraryTactic(
        "street-medics",
        _("Street medics"),
        V,
        A.PROTECT,
        _("Volunteers trained in first aid care for people at actions."),
        _("The Black Panther Party's medical cadres; Standing Rock medics."),
        _("first aid, street medics, de-escalation"),
    ),
    LibraryTactic(
        "free-pantry",
        _("Free pantry"),
        S,
        A.PROVIDE,
        _("Food shared freely, stocked by neighbours, open to anyone."),
        _("The Black Panthers' Free Breakfast for Children (1969); community fridges."),
        _("free pantry, community fridge, food distribution, free breakfast"),
    ),
    LibraryTactic(
        "mutual-aid-fund",
        _("Rotating mutual-aid fund"),
        S,
        A.PROVIDE,
        _("Members pay in each round and one of them receives the pot, in turn."),
        _("Tandas, susus and chit funds."),
        _("tanda, susu, rotating fund, mutual aid"),
    ),
    LibraryTactic(
        "street-art",
        _("Street art"),
        C,
        A.PERSUADE,
        _("Murals, stencils and paste-ups that put the fight on the walls it is about."),
        _("Chile's 2019 murals; the Wall of Respect, Chicago (1967)."),
        _("mural, stencil, paste-ups, graffiti, banner"),
    ),
    LibraryTactic(
        "storytelling-podcast",
        _("Storytelling podcast"),
        C,
        A.PERSUADE,
        _("People tell their own stories in their own voices, episode after episode."),
        _("Radio Bemba; community radio in the Zapatista territories."),
        _("podcast, interviews, radio"),
    ),
    LibraryTactic(
        "video",
        _("Video and social media"),
        C,
        A.PERSUADE,
        _("Short videos that show what is happening and why it matters."),
        _("Copwatch footage; the #NiUnaMenos campaigns."),
        _("video, social media"),
    ),
    LibraryTactic(
        "teach-in",
        _("Teach-in"),
        C,
        A.PERSUADE,
        _("An open session where people learn together about the issue and the plan."),
        _("The Vietnam teach-ins (1965); Occupy's open universities."),
        _("teach-in, workshop, study group, tenant survey"),
    ),
]


def _words(text):
    return tuple(re.findall(r"\w+", text.casefold()))


def tactics_named(text, tactics):
    """The tactics (of ``tactics``) that ``text`` names: "mural, know your rights training"
    names Street art (also called mural) and Legal observers (also called know your
    rights). A name counts as whole words, in any case."""
    text_words = _words(text)
    named = []
    for tactic in tactics:
        for name in tactic.words:
            name_words = _words(name)
            size = len(name_words)
            if size and any(
                text_words[index : index + size] == name_words
                for index in range(len(text_words) - size + 1)
            ):
                named.append(tactic)
                break
    return named
