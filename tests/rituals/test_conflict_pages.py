"""The conflict pages: every case URL × every kind of caller (only parties, assigned
facilitators and organizers ever see a case; everyone else gets 404), the access log, the
forms' bad input in words, and the texts sealed in the database."""

import io
import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from rituals.models import ConflictCase, ConflictRitual
from rituals.services import conflicts
from rituals.timers import fire_due_timers
from tests.factories import MembershipFactory

SECRET = "The Kitchen's van keys went missing after the March action"


@pytest.fixture
def ruth(tidewater):
    return MembershipFactory(movement=tidewater, user__display_name="Ruth")


@pytest.fixture
def case(mo, ruth, alice, fay):
    case = conflicts.file_case(
        by=mo, others=[ruth], about="behaviour", description=SECRET, confirmed=True
    )
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    return case


def url(name, case, **extra):
    return reverse(
        f"rituals:{name}", kwargs={"movement_slug": "tidewater", "case_id": case.pk, **extra}
    )


def test_a_case_of_another_movement_is_not_found(login, otto, case):
    assert login(otto).get(url("conflict_case", case)).status_code == 404


def test_a_case_never_shows_in_another_member_s_list(login, cora, case):
    page = login(cora).get(reverse("rituals:conflicts", kwargs={"movement_slug": "tidewater"}))
    assert page.status_code == 200
    assert url("conflict_case", case) not in page.content.decode()
    assert "No case concerns you." in page.content.decode()


def test_every_view_is_logged_and_the_parties_see_who_looked(login, client, case, alice, ruth):
    login(alice).get(url("conflict_case", case))
    client.logout()
    page = login(ruth).get(url("conflict_case", case)).content.decode()
    log = page[page.index("Who opened this case") :]
    assert "Alice" in log and "Ruth" in log
    assert case.views.count() == 2


def test_the_case_page_is_never_cached(login, mo, case):
    response = login(mo).get(url("conflict_case", case))
    assert "no-store" in response["Cache-Control"]


# --- the forms -------------------------------------------------------------------------------


def test_filing_from_the_page_names_the_other_party_by_name(login, mo, ruth):
    response = login(mo).post(
        reverse("rituals:case_new", kwargs={"movement_slug": "tidewater"}),
        {
            "party_1": "Ruth",
            "about": "strategy",
            "description": "We moved the action without asking the circles.",
            "confirmed": "on",
        },
    )
    case = ConflictCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert {p.member_id for p in case.parties.all()} == {mo.pk, ruth.pk}


def test_filing_without_confirming_says_why_next_to_the_checkbox(login, mo, ruth):
    response = login(mo).post(
        reverse("rituals:case_new", kwargs={"movement_slug": "tidewater"}),
        {"party_1": "Ruth", "about": "strategy", "description": "Something was decided."},
    )
    assert response.status_code == 200
    assert "not who someone is" in str(response.context["form"].errors["confirmed"])
    assert ConflictCase.objects.count() == 0


def test_filing_against_yourself_only_says_why(login, mo):
    response = login(mo).post(
        reverse("rituals:case_new", kwargs={"movement_slug": "tidewater"}),
        {"party_1": "Mo", "about": "strategy", "description": "x", "confirmed": "on"},
    )
    assert response.status_code == 200
    assert "not only yourself" in str(response.context["form"].errors["party_1"])


def test_scheduling_during_cooling_off_comes_back_in_words(login, fay, case):
    soon = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(fay).post(url("case_offer_times", case), {"time_1": soon}, follow=True)
    assert "cooling-off period runs until" in response.content.decode()
    assert not case.options.exists()


def test_a_member_only_drills_as_facilitator_or_organizer(login, mo):
    response = login(mo).get(reverse("rituals:drill_new", kwargs={"movement_slug": "tidewater"}))
    assert response.status_code == 403


def test_the_ritual_is_readable_by_every_member_and_adopted_by_organizers(login, client, mo, alice):
    ritual_url = reverse("rituals:conflict_ritual", kwargs={"movement_slug": "tidewater"})
    page = login(mo).get(ritual_url).content.decode()
    assert "cooling-off" in page.lower() and "listening circle" in page
    edit = reverse("rituals:conflict_ritual_edit", kwargs={"movement_slug": "tidewater"})
    assert login(mo).get(edit).status_code == 403
    client.logout()
    response = login(alice).post(
        edit,
        {
            "text": "## Ours\n\nWe cool off for two days.",
            "cooling_off_hours": 48,
            "follow_up_days": 10,
            "retention_months": 6,
        },
    )
    assert response.status_code == 302
    assert ConflictRitual.objects.filter(movement=alice.movement).count() == 2  # v1 kept
    old = login(alice).get(
        reverse(
            "rituals:conflict_ritual_version", kwargs={"movement_slug": "tidewater", "version": 1}
        )
    )
    assert "no longer in force" in old.content.decode()


def test_the_whole_circle_through_the_pages(login, client, mo, ruth, fay, case):
    fire_due_timers(now=timezone.now() + timedelta(hours=25), limit=5)
    when = timezone.localtime(timezone.now() + timedelta(days=3), mo.movement.zone)
    login(fay).post(url("case_offer_times", case), {"time_1": when.strftime("%Y-%m-%dT%H:%M")})
    option = case.options.get()
    client.logout()
    for party in (mo, ruth):
        login(party).post(url("case_availability", case), {f"option_{option.pk}": "yes"})
        client.logout()
    page = login(fay).get(url("conflict_case", case)).content.decode()
    assert page.count("can attend</td>") == 2
    login(fay).post(url("case_schedule", case), {"option": option.pk, "place": "Hall B"})
    case.refresh_from_db()
    assert case.state == ConflictCase.State.SCHEDULED
    # The day of the circle comes.
    ConflictCase.objects.filter(pk=case.pk).update(circle_at=timezone.now() - timedelta(hours=1))
    parties = [p.pk for p in case.parties.all()]
    login(fay).post(url("case_held", case), {"heard": parties, "agreements": "Keys go back\nTalk"})
    case.refresh_from_db()
    assert case.state == ConflictCase.State.HELD and case.agreements.count() == 2


# --- sealed in the database ------------------------------------------------------------------


def test_the_raw_table_holds_no_case_text(case, mo, ruth, alice, fay):
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM rituals_conflictcase")
        (stored,) = cursor.fetchone()
    assert "van keys" not in stored and stored.startswith("gAAAAA")  # a Fernet token
    case.refresh_from_db()
    assert case.description == SECRET


LONG_AGREEMENTS = [f"Agreement about the van keys, number {n}, " + "x" * 150 for n in range(20)]


@pytest.mark.django_db(transaction=True)  # committed rows, so pg_dump can read them
def test_a_pg_dump_of_the_whole_database_holds_no_case_text(postgres, login, case, fay, mo):
    conflicts.write_statement(by=mo, case=case, text="My account: the keys were in my bag")
    to_held(case, fay, agreements=LONG_AGREEMENTS)
    fire_due_timers(now=timezone.now() + timedelta(days=30), limit=5)
    # A check-in sent half-filled comes back as messages: they go to the cookie, or to the
    # session table when there are many. They must not carry an agreement's text.
    response = login(mo).post(url("case_check_in", case), {"agreement_1": "maybe"})
    assert response.status_code == 302
    settings = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "--host",
            settings["HOST"] or "127.0.0.1",
            "--port",
            str(settings["PORT"] or 5432),
            "--username",
            settings["USER"] or "postgres",
            settings["NAME"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PGPASSWORD": settings["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
    )
    assert dump.returncode == 0, dump.stderr
    assert "rituals_conflictcase" in dump.stdout
    assert dump.stdout.count("gAAAAA") >= 22  # description, account, twenty agreements
    for text in ("van keys", "keys were in my bag", SECRET):
        assert text not in dump.stdout
    for cookie in response.cookies.values():
        assert "van keys" not in cookie.value


def to_held(case, fay, agreements=("Keys go back",)):
    fire_due_timers(now=timezone.now() + timedelta(hours=25), limit=5)
    conflicts.offer_times(by=fay, case=case, times=[timezone.now() + timedelta(days=2)])
    conflicts.schedule_circle(by=fay, case=case, option=case.options.get())
    case.refresh_from_db()
    conflicts.record_held(
        by=fay,
        case=case,
        heard=[p.pk for p in case.parties.all()],
        agreements=list(agreements),
        now=case.circle_at + timedelta(hours=2),
    )
    return case


def test_keys_rotate_with_reseal_cases(case, settings, mo, fay):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    conflicts.write_statement(by=mo, case=case, text="My account")
    to_held(case, fay)

    old = settings.CASE_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.CASE_KEYS = [new, old]
    out = io.StringIO()
    call_command("reseal_cases", stdout=out)
    assert "Resealed 4 rows" in out.getvalue()  # the case, its two parties, the agreement
    settings.CASE_KEYS = [new]  # the old key gone: everything reads under the new one
    case.refresh_from_db()
    assert case.description == SECRET
    assert case.parties.get(member=mo).statement == "My account"
    assert case.agreements.get().text == "Keys go back"


def test_the_listening_circle_is_in_the_people_s_calendars_without_the_case(
    case, mo, ruth, fay, cora
):
    from rituals.calendar import feed_calendar

    fire_due_timers(now=timezone.now() + timedelta(hours=25), limit=5)
    conflicts.offer_times(by=fay, case=case, times=[timezone.now() + timedelta(days=2)])
    conflicts.schedule_circle(by=fay, case=case, option=case.options.get(), place="Hall B")
    for person in (mo, ruth, fay):
        feed = feed_calendar(person.user).decode()
        assert "listening circle" in feed and "Hall B" in feed
        assert "van keys" not in feed and "Ruth" not in feed
    assert "listening circle" not in feed_calendar(cora.user).decode()


@pytest.mark.parametrize("people", [1, 3])
def test_the_case_page_runs_the_same_queries_however_full(
    login, tidewater, mo, alice, fay, people, django_assert_num_queries
):
    others = [MembershipFactory(movement=tidewater) for _ in range(people)]
    case = conflicts.file_case(
        by=mo, others=others, about="strategy", description="x", confirmed=True
    )
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    fire_due_timers(now=timezone.now() + timedelta(hours=25), limit=5)
    soon = timezone.now() + timedelta(days=2)
    conflicts.offer_times(
        by=fay, case=case, times=[soon + timedelta(hours=n) for n in range(people)]
    )
    for party in case.parties.all():
        options = {option.pk: True for option in case.options.all()}
        conflicts.answer_availability(by=party.member, case=case, can_attend=options)
    client = login(mo)
    client.get(url("conflict_case", case))
    # The case, its parties and facilitators; the view logged; the poll's options and
    # answers; the agreements; the access log; and what every page reads (the session, the
    # membership, the header).
    with django_assert_num_queries(12):
        assert client.get(url("conflict_case", case)).status_code == 200


def test_no_case_model_is_in_the_admin():
    """The admin would show a case, opened, to any staff account: cases stay out of it."""
    from django.contrib import admin

    from rituals.models import conflicts as case_models

    registered = {model.__module__ for model in admin.site._registry}
    assert case_models.__name__ not in registered
