"""Mo switches to French, then to Spanish, in his settings, and walks the movement's home,
a pool's ledger, a gathering and a conflict case he is a party to: not one sentence of
the app's English is left on those pages.

"English left" is measured two ways on each page's visible text: no English string of
the catalogs (three words or more, translated differently) appears in it, and none of
the small words every English sentence needs ("the", "your", "with"…) does. The people,
the pool and the texts the members typed are named without English words, so whatever
English shows came from the app.
"""

import re
from decimal import Decimal

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from commons import services as commons_services
from constellation.management.commands.catalogs import catalog_path
from rituals.services import facilitation
from rituals.services.conflicts import file_case
from tests.e2e.people import log_in
from tests.factories import MembershipFactory, first_gathering

ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|you|with|what|this|that|for|are|is|of|to|has|have|will|been|who|when|"
    r"here|needs|nobody|there)\b",
    re.IGNORECASE,
)
AMOUNT = {"fr": "1 215,50 €", "es": "1.215,50 €"}


def spaced(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def english_strings(language):
    """The catalog's English sentences that read differently in ``language``: any of them
    on a page in that language is a string the page did not translate."""
    with open(catalog_path(language), "rb") as po:
        catalog = read_po(po)
    found = set()
    for message in catalog:
        if not message.id or message.pluralizable:
            continue
        if "%" in message.id or "{" in message.id or "<" in message.id:
            continue  # placeholders and markup: not text as a page shows it
        if len(message.id.split()) >= 3 and message.string != message.id:
            found.add(message.id)
    return found


@pytest.fixture
def places(tidewater, alice, mo):
    """A pool with a ledger, a gathering with an agenda, a case Mo filed about Rut."""
    tidewater.horizon = "Viviendas, comida, soins."
    tidewater.save()
    rut = MembershipFactory(movement=tidewater, user__display_name="Rut")
    pool = commons_services.create_pool(
        by=alice,
        name="Caja",
        kind="money",
        purpose="Fianzas, cautions.",
        instant_limit=Decimal("50"),
        currency="EUR",
    )
    commons_services.contribute(by=mo, pool=pool, amount=Decimal("15"))
    commons_services.contribute(by=alice, pool=pool, amount=Decimal("1215.50"))
    gathering = first_gathering(by=alice, time_zone="Europe/Paris", place="")
    facilitation.add_agenda_item(by=alice, gathering=gathering, title="Bienvenue", minutes=10)
    case = file_case(
        by=mo, others=[rut], about="behaviour", description="Les clés, las llaves.", confirmed=True
    )
    return [
        tidewater.get_absolute_url(),
        pool.get_absolute_url(),
        gathering.get_absolute_url(),
        case.get_absolute_url(),
    ]


def choose_language(page: Page, language):
    page.goto("/settings/")
    page.locator("#id_language").select_option(language)
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def english_on(page: Page, sentences):
    text = page.locator("main").inner_text() + "\n" + page.locator("header").inner_text()
    text += "\n" + page.locator("footer").inner_text()
    return sorted({sentence for sentence in sentences if sentence in text}) + sorted(
        {word.lower() for word in ENGLISH_WORDS.findall(text)}
    )


def test_french_and_spanish_leave_no_english(new_context, places, mo):
    page = log_in(new_context, mo)
    for language in ("fr", "es"):
        choose_language(page, language)
        sentences = english_strings(language)
        for url in places:
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", language)
            assert english_on(page, sentences) == [], f"{language} {url}"
        page.goto(places[1])  # the ledger: money as the language writes it
        assert AMOUNT[language] in spaced(page.locator("main").inner_text())
