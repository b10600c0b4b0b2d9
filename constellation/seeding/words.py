"""Words the large demo is written in: names, places, circles, tactics, reasons."""


def _list(text, separator=None):
    return [word.strip() for word in text.split(separator) if word.strip()]


FIRST_NAMES = _list(
    """
Aaliyah Abebe Ada Adaeze Adrián Afua Aiko Aisha Akosua Alejandro Ali Alma Amadou Amani Ana
Anahí Andrés Anouk Arjun Asha Astrid Aylin Ayumi Babajide Beatriz Bilal Björn Bongani Camila
Carmen Chidi Chiara Chloé Dalia Dario Dawit Deniz Diego Dmitri Ebru Efua Elif Elena Emeka
Esi Esperanza Fatima Felipe Femi Fernanda Finn Freya Gabriel Giulia Hamid Hana Hao Hiroshi
Ibrahim Idris Ilse Imani Inti Isabel Ivan Jabari Jae Javier Jiho Joaquín Jonas Kai Kalinda
Kamala Kaveh Keanu Kemal Kenji Khadija Kiri Kofi Lars Layla Leila Lena Lin Lorenzo Luana
Lucía Luis Maëlle Malik Manon Marek Mariam Mateo Maya Mehmet Mei Mira Moana Nadia Naledi
Nia Nikolai Noor Obinna Oksana Olu Omar Oona Pablo Paloma Parisa Pedro Priya Quentin Rafael
Rania Ravi Rhea Rosa Rumi Sade Salma Samir Sanaa Santiago Sara Seun Siddharth Sina Siobhan
Sofía Soraya Sunita Tariq Teresa Thandiwe Tomás Tuan Ugo Valentina Vikram Wanjiru Xiomara
Yara Yasmin Yusuf Zainab Zeynep Zhou Zola
"""
)

LAST_NAMES = _list(
    """
Abara Achebe Adeyemi Aguilar Ahmadi Akhtar Alvarez Amoah Andersen Appiah Arslan Asante Bakker
Balogun Banerjee Barros Bello Benali Bergström Bianchi Boateng Bouchard Castillo Chaudhry Chen
Costa Cruz Dahl Das Demir Diallo Dubois Duarte Eriksen Espinoza Farouk Ferreira Fischer Fofana
Garcia Gómez Gupta Haddad Hakimi Hansen Herrera Hoang Horvat Hussain Ibarra Iyer Jansen Jiménez
Kahale Kamau Kaplan Kariuki Kato Keita Khan Kim Kowalski Kruger Lambert Larsen Le Lindqvist
Lopez Mahlangu Mansour Martins Mbeki Medina Mendes Moreau Morales Mwangi Nakamura Navarro
Ndlovu Nguyen Njoroge Novak Nowak Nwosu Obi Odhiambo Okafor Okonkwo Oliveira Ortiz Osei Owusu
Ozturk Park Patel Pereira Petrov Quispe Rahman Ramos Reyes Rossi Roy Saito Salazar Santos Sato
Schmidt Sharma Silva Singh Sokolov Suarez Takahashi Tan Torres Tran Turner Uchenna Vargas
Varga Vasquez Wang Wu Yamamoto Yilmaz Young Zhang Zulu
"""
)

PLACES = _list(
    """
Harbor|Eastside|Riverside|Old Mill|North End|Cedar Heights|Southgate|Bayview|Ironworks|
Lakeshore|Market Square|Greenpoint|Hillcrest|Westfield|Canal District|Union Park|Foundry Row|
Tidewater Flats|Maple Court|Pier Nine|Station Road|Willow Bend|Copper Hill|Saltmarsh|Longshore|
Highline|Elm Street|Kingsway|Fairmount|Brookside|Orchard Lane|Granite Quarter|Lighthouse Point|
Mill Creek|Dockside|Three Bridges|Ashgrove|Stonebridge|Summit Avenue|Juniper Row|Ferry Landing|
Railyard|Chapel Hill|Sugar Wharf
""".replace("\n", ""),
    "|",
)

# (focus, lens, initiative, theory of change)
FOCUSES = [
    (
        "Tenants' Union",
        "structuralist",
        "Building-by-building organizing: repair demands, rent strike readiness, eviction watch.",
        "Landlords answer to leverage, and leverage is tenants who can all stop paying at once.",
    ),
    (
        "Food Share",
        "voluntarist",
        "A weekly free market of rescued food, cooked and shared where people already wait.",
        "Feeding each other every week builds the trust and the lists that mass action needs.",
    ),
    (
        "Seed Library",
        "subjectivist",
        "Seeds, cuttings and growing lessons passed hand to hand, season after season.",
        "People who grow their own food start to imagine owning more than a plot.",
    ),
    (
        "Street Medics",
        "voluntarist",
        "First aid at actions and trainings so every circle has someone who can help.",
        "Safety makes presence possible: more people come, and stay, when care is organized.",
    ),
    (
        "Court Watch",
        "structuralist",
        "Volunteers in every eviction and arrest hearing, taking notes the press never does.",
        "Courts bend when they are watched; records of every hearing become campaign evidence.",
    ),
    (
        "Mural Crew",
        "subjectivist",
        "Walls painted with the neighbours who live beside them, about the fight they are in.",
        "When the block sees its own struggle on its walls, people see themselves in it.",
    ),
    (
        "Bike Brigade",
        "voluntarist",
        "Deliveries of groceries, medicine and leaflets by bike, within the hour.",
        "A network that moves things fast can move people fast when a crisis comes.",
    ),
    (
        "Childcare Collective",
        "voluntarist",
        "Childcare at every meeting and action, so parents can take part.",
        "Movements without childcare lose their parents; care work is organizing work.",
    ),
    (
        "Study Circle",
        "subjectivist",
        "A reading group on the history of movements that won, and why.",
        "Shared analysis lets dispersed circles act as one without being told to.",
    ),
    (
        "Debt Strike Committee",
        "structuralist",
        "Collective refusal of unjust medical and student debt, with legal back-up.",
        "A debt refused by thousands at once stops being a private shame and becomes a demand.",
    ),
    (
        "Radio Hour",
        "subjectivist",
        "A weekly community radio hour of interviews and reports from circles.",
        "A shared sound links dispersed circles into one felt story.",
    ),
    (
        "Repair Café",
        "voluntarist",
        "Fixing bikes, phones and furniture together, monthly, for free.",
        "Skills held in common are resources no landlord or boss can take away.",
    ),
    (
        "Language Exchange",
        "subjectivist",
        "Translation for meetings and conversation tables between neighbours' languages.",
        "A movement that speaks every language on the block is a movement of the block.",
    ),
    (
        "Workers' Centre",
        "structuralist",
        "Wage theft clinics and a hotline for people working without papers or contracts.",
        "Every recovered wage is proof that solidarity pays, and a lesson in collective power.",
    ),
    (
        "Community Garden",
        "voluntarist",
        "Vacant lots turned into gardens run by the people who live beside them.",
        "Land held in common teaches self-rule by practice, one season at a time.",
    ),
    (
        "Zine Press",
        "subjectivist",
        "Cheap, fast printed stories from circles, handed out at every pantry and stop.",
        "Stories told by the people living them carry further than any press release.",
    ),
    (
        "Rapid Response",
        "voluntarist",
        "A phone tree that brings fifty people to an eviction or a raid within the hour.",
        "Presence in numbers, fast, turns a private crisis into a public defeat for power.",
    ),
    (
        "Housing Co-op",
        "structuralist",
        "Buying buildings into common ownership with pooled savings and patient loans.",
        "Every building taken off the market is a permanent base for the next fight.",
    ),
    (
        "Skill Share",
        "subjectivist",
        "Members teach members: facilitation, first aid, bookkeeping, public speaking.",
        "Leaders multiply when skills are spread, and a movement of leaders cannot be beheaded.",
    ),
    (
        "Neighbourhood Assembly",
        "structuralist",
        "A monthly open assembly that decides what the neighbourhood demands next.",
        "Decisions made in the open by the people affected carry a legitimacy officials lack.",
    ),
    (
        "Solidarity Kitchen",
        "voluntarist",
        "Hot meals at pickets, occupations and long court days.",
        "People hold the line longer when someone has their back and a bowl of soup.",
    ),
    (
        "Photo Archive",
        "subjectivist",
        "Portraits and records of every action, kept by and for the people in them.",
        "A movement that remembers its wins believes it can win again.",
    ),
    (
        "Transit Riders' Union",
        "structuralist",
        "Riders organizing for free fares and safe stops, route by route.",
        "A bus line is a daily assembly of the people a fare hike hurts most.",
    ),
    (
        "Youth Circle",
        "voluntarist",
        "After-school organizing where teenagers plan their own campaigns.",
        "Young people trained today are the organizers the next crisis will need.",
    ),
    (
        "Elders' Council",
        "subjectivist",
        "Elders who fought earlier campaigns, sharing what worked and what broke them.",
        "Memory turns each new fight into the next chapter rather than a first attempt.",
    ),
    (
        "Tool Library",
        "voluntarist",
        "Ladders, drills and generators lent out to anyone in the movement.",
        "Shared tools make every circle able to build what it needs without asking permission.",
    ),
    (
        "Clinic Escort",
        "voluntarist",
        "Volunteers walking patients past harassment to the free clinic.",
        "Care made visible is an argument no campaign leaflet can make.",
    ),
    (
        "Budget Watch",
        "structuralist",
        "Reading the city budget line by line and turning it into demands.",
        "Crises open budgets; a circle that knows the numbers is ready when they do.",
    ),
    (
        "Sound System",
        "subjectivist",
        "Music and speakers for every march, block party and picket.",
        "Joy is a tactic: people come back to actions that felt like a celebration.",
    ),
    (
        "Mutual Aid Network",
        "voluntarist",
        "Matching neighbours' needs and offers: rides, meals, rent, errands.",
        "Aid between equals builds the relationships charity never does.",
    ),
]

TACTICS = _list(
    """
rent strike|eviction defense|court support|phone tree|bail fund|free pantry|seed swap|
mural|stencil|banner drop|teach-in|study circle|pop-up clinic|know your rights|phone banking|
door knocking|one-on-ones|power mapping|assembly|picket|march|occupation|sit-in|boycott|
debt strike|tenant survey|repair day|tool library|community garden|radio show|zine|podcast|
childcare|translation|rapid response|copwatch|jail support|fundraiser|benefit gig|
skill share|facilitation|conflict mediation|listening circle|retrospective|cooling-off|
pattern decay|media training|press release|social media|leafleting|house meeting|
potluck|block party|budget hearing|petition|public comment|direct action|
solidarity economy|housing co-op|land trust|food co-op|buyers' club|workers' centre|
wage theft|hotline|safety plan|de-escalation|first aid|legal observers|bike delivery
""".replace("\n", ""),
    "|",
)

LESSONS = [
    "Start smaller than you think and grow from the people who came back.",
    "The second meeting matters more than the first: call everyone before it.",
    "Pair every new person with someone who has done it before.",
    "Write the roles down before the action, not during it.",
    "The press came for the spectacle and stayed for the stories; bring the people, not us.",
    "We lost a week to a decision nobody owned. Name one person per task.",
    "Rotating the facilitator kept the same three voices from filling the room.",
    "Food at the door doubled how many stayed for the whole assembly.",
    "Our map of who owes rent changed the campaign's targets.",
    "The tactic worked twice; the third time the landlord was ready. Change it every cycle.",
    "Childcare brought in parents we had never seen before.",
    "Translation slowed the meeting and made it twice as strong.",
]

NEEDS = [
    "Hours from the time bank for childcare during the next assembly.",
    "A loan of the sound system and two generators.",
    "Someone from the legal circle at the hearing on the 14th.",
    "Paper and ink from the print shop pool.",
    "A draw from the bail fund if the blockade goes ahead.",
    "Three drivers with vans for the move-in.",
    "A facilitator who speaks Spanish and Tagalog.",
    "Nothing from the commons this cycle; we can offer tents to others.",
]

INTENTIONS = [
    "Door-knock every building on our block before the next gathering.",
    "Train two new conveners so the circle never depends on one person.",
    "Run the pantry twice a week through the winter.",
    "Hold a know-your-rights session in each of the three languages of the block.",
    "Pair with another circle for a 72-hour sprint on the housing map.",
    "Put the court watch notes into the archive, one hearing per entry.",
    "Paint the second wall with the tenants of number 12.",
    "Launch the phone tree and test it with a drill.",
]

DRAW_PURPOSES = {
    "money": [
        "Bail for a neighbour held after the eviction defense.",
        "Court filing fees for the tenants of the blockaded building.",
        "Emergency rent for a family facing eviction this week.",
        "Printing for the budget hearing campaign.",
        "Travel for two delegates to the regional convergence.",
        "Medical costs after the march.",
        "Deposit for the community hall for the assembly.",
        "Legal fees for the debt strike test case.",
    ],
    "hours": [
        "Childcare during the Saturday assembly.",
        "Drivers for the move-in at the housing co-op.",
        "Translation at the court hearing.",
        "Cooking for the solidarity kitchen at the picket.",
        "Rides to the clinic for three elders.",
    ],
    "items": [
        "For the pantry in the rain this weekend.",
        "For the encampment at the town hall.",
        "For the repair day at the community centre.",
        "For the medic station at the march.",
        "For the print run before the hearing.",
    ],
}

CONTRIBUTION_NOTES = [
    "Monthly pledge",
    "From the benefit gig",
    "Pass-the-hat at the assembly",
    "Proceeds of the bake sale",
    "Solidarity from the union local",
    "Raffle at the block party",
    "Donation after the radio hour",
]

REVERSAL_REASONS = [
    "Entered twice by mistake.",
    "Wrong pool: this belonged to another fund.",
    "The transfer bounced.",
    "Amount typed in the wrong unit.",
    "Recorded for the wrong date; re-entered.",
]

DECLINE_COMMENTS = [
    "Another pool is a better fit for this.",
    "Please ask for less and come back with a plan.",
    "The fund is for emergencies; this can wait for the next cycle.",
    "We need the receipts from the last draw first.",
]

APPROVE_COMMENTS = [
    "",
    "",
    "Yes — this is exactly what the fund is for.",
    "Approved, good luck at the hearing.",
    "Of course.",
]

DECISIONS = [
    "The next cycle focuses on the winter eviction wave.",
    "The commons opens a second pantry pool for the east side.",
    "Every circle names a second convener before the next gathering.",
    "We hold the spring assembly in three languages.",
    "The bail fund's instant limit is reviewed at the next gathering.",
    "Two circles pair for a 72-hour sprint on the housing map.",
    "The archive gets one entry per action, written within a week.",
    "We adopt the conflict ritual's new version.",
]

COMMITMENTS = [
    "Door-knock two more buildings",
    "Run the pantry every Saturday",
    "Train two new medics",
    "Publish the court watch notes",
    "Hold a house meeting in each building",
    "Print and hand out the next zine",
    "Test the phone tree with a drill",
    "Bring three new people to the assembly",
]

ARCHIVE_TITLES = [
    "How we ran a {tactic} in {place}",
    "{tactic}: a checklist",
    "What went wrong with our {tactic}",
    "A {tactic} that lasted a week, not a night",
    "Lessons from the {place} {tactic}",
    "Starting a {tactic} with five people",
    "{tactic} in three languages",
    "Why we stopped doing {tactic} (and what replaced it)",
]

SMALL_MOVEMENTS = [
    "Bread and Roses Collective",
    "Riverbend Commons",
    "Northern Lights Mutual Aid",
    "Salt of the Earth Assembly",
    "Hollow Oak Network",
    "Kettle Valley Solidarity",
    "Red Clay Tenants",
    "Open Hands Pantry Network",
    "Copperline Workers' Circle",
    "Fireweed Alliance",
    "Blue Heron Watershed Keepers",
    "Lantern Street Commons",
    "Many Rivers Assembly",
    "Wildflower Care Network",
    "Granary Collective",
    "Stone Soup Coalition",
    "Tidepool Neighbours",
    "桜 Cherry Blossom Commons",
    "Aurora Cooperative",
    "Crossroads Constellation",
]
