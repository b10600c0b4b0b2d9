"""Everyone reads the app in their language: the French and Spanish catalogs hold every
string the code marks, each one translated, compiled as written; a person's own choice
wins, then their movement's default, then their browser's; messages follow the reader."""

import csv
import gettext
import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commons import services as commons_services
from commons.amounts import format_amount
from commons.models import Pool
from constellation.management.commands.catalogs import catalog_path, translated_languages
from movement import services
from movement.models import Notification
from movement.services import NotificationKind

LANGUAGES = ["fr", "es"]
# Who counts as one in each language: French says "0 notification", Spanish "0 notificaciones".
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "es": "nplurals=2; plural=(n != 1);"}
DIGEST = "Your daily digest: %(count)d new notification"
DIGESTS = "Your daily digest: %(count)d new notifications"
MOTTO = "Count sovereignty, not spectacle."  # every page's footer


def catalog(language):
    with open(catalog_path(language), "rb") as po:
        return read_po(po)


def said_in(language, text):
    """``text`` as the catalog writes it in ``language`` (and proof that it is not English)."""
    with translation.override(language):
        translated = _(text)
    assert translated != text, f"{text!r} is not translated into {language}"
    return translated


def page(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_site_offers_english_french_and_spanish():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr", "es"]
    assert translated_languages() == LANGUAGES


def test_the_catalogs_hold_every_string_the_code_marks():
    """The CI check: a string marked in code or a template but missing from a catalog (or
    one the code no longer uses) fails here, as ``make messages`` would change the file."""
    call_command("catalogs", check=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_with_the_languages_plurals(language):
    messages = [message for message in catalog(language) if message.id]
    assert len(messages) > 2000
    untranslated = [
        message.id
        for message in messages
        if not (all(message.string) if message.pluralizable else message.string)
    ]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert (untranslated, fuzzy) == ([], [])
    assert catalog(language).plural_forms == PLURAL_FORMS[language]
    assert catalog(language).locale.language == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_the_written_one(language, tmp_path):
    """The site reads the ``.mo``; it must say what the ``.po`` says, and msgfmt's checks
    (placeholders kept, newlines matched) must pass."""
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(catalog_path(language))], check=True
    )
    committed = catalog_path(language).with_suffix(".mo")
    with open(compiled, "rb") as fresh, open(committed, "rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(fresh)._catalog


@pytest.mark.parametrize("language", LANGUAGES)
def test_plurals_count_as_the_language_does(language):
    with translation.override(language):
        one = translation.ngettext(DIGEST, DIGESTS, 1)
        many = translation.ngettext(DIGEST, DIGESTS, 2)
        none = translation.ngettext(DIGEST, DIGESTS, 0)
    assert one != many
    # French puts zero with one; Spanish with many.
    assert none == (one if language == "fr" else many)


@pytest.mark.parametrize(
    ("language", "money", "day"),
    [
        ("en", "€1,215.50", "5 December 2026"),
        ("fr", "1\u202f215,50\u00a0€", "5 décembre 2026"),
        ("es", "1.215,50\u00a0€", "5 de diciembre de 2026"),
    ],
)
def test_money_and_dates_follow_the_language(language, money, day):
    fund = Pool(kind=Pool.Kind.MONEY, currency="EUR")
    with translation.override(language):
        assert format_amount(Decimal("1215.5"), fund) == money
        assert date_format(date(2026, 12, 5)) == day


@pytest.mark.django_db
def test_a_visitor_reads_their_browsers_language(client):
    html = page(client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9"))
    assert '<html lang="es">' in html
    assert said_in("es", MOTTO) in html


@pytest.mark.django_db
def test_a_visitor_switches_language_before_logging_in(client):
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("account_login")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    html = page(client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="fr">' in html and said_in("fr", MOTTO) in html


@pytest.mark.django_db
def test_a_person_chooses_their_language_and_every_page_follows(login, mo, tidewater):
    client = login(mo)
    response = client.post(
        reverse("personal_settings"),
        {"display_name": "Mo", "time_zone": "", "language": "es"},
    )
    assert response.status_code == 302
    mo.user.refresh_from_db()
    assert mo.user.language == "es"
    # Their choice wins over the browser's.
    html = page(client.get(tidewater.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="es">' in html and said_in("es", "What needs you") in html
    html = page(client.get(reverse("notifications"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="es">' in html


@pytest.mark.django_db
def test_a_language_the_site_does_not_offer_is_refused_by_the_field(login, mo):
    response = login(mo).post(
        reverse("personal_settings"), {"display_name": "Mo", "time_zone": "", "language": "xx"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    mo.user.refresh_from_db()
    assert (mo.user.display_name, mo.user.language) == ("Mo", "")


@pytest.mark.django_db
def test_a_movements_language_is_for_those_who_chose_none(login, alice, mo, fay, tidewater):
    fay.user.language = "es"
    fay.user.save()
    response = login(alice).post(
        reverse("movement:language", kwargs={"movement_slug": tidewater.slug}), {"language": "fr"}
    )
    assert response.status_code == 302
    tidewater.refresh_from_db()
    assert tidewater.language == "fr"
    # Mo chose nothing: the movement's French, whatever the browser asks.
    html = page(login(mo).get(tidewater.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="fr">' in html and said_in("fr", "What needs you") in html
    # Fay chose Spanish: her own choice wins.
    html = page(login(fay).get(tidewater.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="es">' in html


@pytest.mark.django_db
def test_a_notification_is_written_in_the_movements_language_for_those_who_chose_none(
    mo, fay, tidewater
):
    tidewater.language = "fr"
    tidewater.save()
    fay.user.language = "es"
    fay.user.save()
    subject = gettext_lazy("What needs you")
    with translation.override("en"):
        services.notify_many(
            recipients=[mo.user, fay.user],
            kind=NotificationKind.ROLE_CHANGED,
            subject=subject,
            body=subject,
            movement=tidewater,
        )
    written = dict(Notification.objects.values_list("recipient__display_name", "subject"))
    assert written == {
        "Mo": said_in("fr", "What needs you"),
        "Fay": said_in("es", "What needs you"),
    }


@pytest.mark.django_db
def test_an_email_is_rendered_in_its_readers_language(
    mo, mailoutbox, django_capture_on_commit_callbacks
):
    mo.user.language = "fr"
    mo.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=mo.user,
            kind=NotificationKind.ROLE_CHANGED,
            subject=gettext_lazy("What needs you"),
            body=gettext_lazy("What needs you"),
        )
    (message,) = mailoutbox
    assert said_in("fr", "What needs you") in message.subject
    assert (
        said_in("fr", "You get this e-mail because of your notification settings.") in message.body
    )


@pytest.mark.django_db
def test_a_ledger_download_speaks_its_readers_language(login, alice, mo):
    pool = commons_services.create_pool(
        by=alice, name="Caja", kind="money", purpose="", instant_limit=Decimal("50"), currency="EUR"
    )
    commons_services.contribute(by=alice, pool=pool, amount=Decimal("15"), anonymous=True)
    mo.user.language = "fr"
    mo.user.save()
    response = login(mo).get(
        reverse(
            "commons:ledger_csv", kwargs={"movement_slug": pool.movement.slug, "pool_id": pool.pk}
        )
    )
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert header[:3] == [said_in("fr", "entry"), said_in("fr", "recorded at"), "type"]
    assert (row[2], row[5]) == ("contribution", said_in("fr", "anonymous"))  # the same word


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [("fr", "1 215,50", "1215.50"), ("es", "1.215,50", "1215.50"), ("en", "1,215.50", "1215.50")],
)
def test_amounts_are_typed_as_the_language_writes_them(login, alice, mo, language, typed, stored):
    pool = commons_services.create_pool(
        by=alice, name="Caja", kind="money", purpose="", instant_limit=Decimal("50"), currency="EUR"
    )
    mo.user.language = language
    mo.user.save()
    url = reverse(
        "commons:contribute", kwargs={"movement_slug": pool.movement.slug, "pool_id": pool.pk}
    )
    client = login(mo)
    response = client.post(url, {"amount": "douze"})
    assert response.status_code == 200
    example = {"fr": "12,50", "es": "12,50", "en": "12.50"}[language]
    with translation.override(language):
        refusal = _("Enter a number, like %(example)s.") % {"example": example}
    assert response.context["form"].errors["amount"] == [refusal]
    assert client.post(url, {"amount": typed}).status_code == 302
    pool.refresh_from_db()
    assert pool.balance == Decimal(stored)
