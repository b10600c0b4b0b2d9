"""Facilitator mode: agenda from reports, timeboxes, decisions, commitments, minutes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rituals.models import Commitment
from rituals.services import convergence, facilitation


@pytest.fixture
def gatherings(gatherings):
    """The planned gatherings, the first moved to begin in half an hour: these tests run it
    live, and a gathering starts only on its own clock (see test_gathering_clock.py)."""
    now = timezone.now()
    for months, gathering in enumerate(gatherings):
        gathering.starts_at = now + timedelta(minutes=30) + timedelta(days=30 * months)
        gathering.ends_at = gathering.starts_at + timedelta(hours=2)
        gathering.save(update_fields=["starts_at", "ends_at"])
    return gatherings


@pytest.fixture
def reported(gatherings, cora, medics):
    convergence.submit_report(
        by=cora,
        gathering=gatherings[0],
        circle=medics,
        did="Staffed actions.",
        intention="Train medics.",
    )
    return gatherings[0]


def act(client, gathering, action, **data):
    url = reverse(
        "rituals:facilitate_action",
        kwargs={"movement_slug": "tidewater", "gathering_id": gathering.pk, "action": action},
    )
    return client.post(url, data)


def live_url(gathering):
    return reverse(
        "rituals:live", kwargs={"movement_slug": "tidewater", "gathering_id": gathering.pk}
    )


@pytest.mark.django_db
def test_the_agenda_has_an_item_per_reporting_circle(fay, reported):
    agenda = facilitation.build_agenda(by=fay, gathering=reported)
    assert [item.title for item in agenda] == ["Street Medics reports back"]
    facilitation.build_agenda(by=fay, gathering=reported)  # idempotent
    assert reported.agenda.count() == 1


@pytest.mark.django_db
def test_a_full_meeting_run_by_a_facilitator(
    login, fay, mo, medics, reported, mailoutbox, django_capture_on_commit_callbacks
):
    client = login(fay)
    act(client, reported, "build_agenda")
    act(client, reported, "add_item", title="Next sprint pairings", minutes="15")
    act(client, reported, "start")
    report_item, own_item = list(reported.agenda.all())
    act(client, reported, "down", item=report_item.pk)
    assert [i.title for i in reported.agenda.all()] == [own_item.title, report_item.title]
    act(client, reported, "start_item", item=report_item.pk)
    act(client, reported, "extend_item", item=report_item.pk, minutes="5")
    act(client, reported, "notes", item=report_item.pk, notes="Two new medics trained.")
    act(client, reported, "decision", text="Medics get €200 from the bail fund for gauze.")
    act(client, reported, "commitment", circle=medics.name, text="Run a first-aid training.")
    report_item.refresh_from_db()
    assert report_item.timebox == timedelta(minutes=15)
    assert report_item.notes == "Two new medics trained."
    with django_capture_on_commit_callbacks(execute=True):
        asked = act(client, reported, "close")
        assert "publishes its minutes to the whole movement" in asked.content.decode()
        response = act(client, reported, "close", confirm="yes")
    reported.refresh_from_db()
    assert response.status_code == 302
    assert reported.state == "closed"
    minutes = login(mo).get(reported.get_absolute_url()).content.decode()
    for text in ("Minutes", "Two new medics trained.", "€200 from the bail fund", "first-aid"):
        assert text in minutes
    assert any("Minutes of cycle 1" in mail.subject for mail in mailoutbox)


@pytest.mark.django_db
def test_commitments_flow_into_the_next_cycles_report_form(login, fay, cora, medics, gatherings):
    facilitation.start_gathering(by=fay, gathering=gatherings[0])
    facilitation.record_commitment(by=fay, gathering=gatherings[0], circle=medics, text="Buy gauze")
    facilitation.close_gathering(by=fay, gathering=gatherings[0])
    url = reverse(
        "rituals:report",
        kwargs={
            "movement_slug": "tidewater",
            "gathering_id": gatherings[1].pk,
            "circle_slug": medics.slug,
        },
    )
    assert "Buy gauze" in login(cora).get(url).content.decode()
    assert Commitment.objects.get().outcome == "open"


@pytest.mark.django_db
def test_the_live_panel_answers_not_modified_until_something_changes(login, fay, mo, reported):
    facilitation.start_gathering(by=fay, gathering=reported)
    client = login(mo)
    first = client.get(live_url(reported))
    assert first.status_code == 200
    etag = first["ETag"]
    assert client.get(live_url(reported), HTTP_IF_NONE_MATCH=etag).status_code == 304
    facilitation.record_decision(by=fay, gathering=reported, text="We meet again at the solstice.")
    changed = client.get(live_url(reported), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "We meet again at the solstice." in changed.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("mo", 403), ("cora", 403), ("fay", 200), ("alice", 200)]
)
@pytest.mark.django_db
def test_who_may_facilitate(request, login, reported, who, status):
    member = request.getfixturevalue(who)
    url = reverse(
        "rituals:facilitate", kwargs={"movement_slug": "tidewater", "gathering_id": reported.pk}
    )
    assert login(member).get(url).status_code == status


@pytest.mark.django_db
def test_named_facilitators_replace_the_role_default(login, fay, mo, reported):
    reported.facilitators.add(mo)
    url = reverse(
        "rituals:facilitate", kwargs={"movement_slug": "tidewater", "gathering_id": reported.pk}
    )
    assert login(mo).get(url).status_code == 200
    assert login(fay).get(url).status_code == 403


@pytest.mark.parametrize("minutes", ["0", "-5", "1000", "ten"])
@pytest.mark.django_db
def test_a_timebox_of_zero_or_days_is_refused_with_a_message(login, fay, reported, minutes):
    response = act(login(fay), reported, "add_item", title="Lunch", minutes=minutes)
    assert response.status_code == 302
    follow = login(fay).get(response["Location"]).content.decode()
    assert "Timebox" in follow
    assert not reported.agenda.exists()


@pytest.mark.django_db
def test_outsiders_cannot_poll_a_gathering(login, otto, reported):
    assert login(otto).get(live_url(reported)).status_code == 404


@pytest.mark.django_db
def test_the_polled_minutes_show_attendance_totals(login, fay, mo, reported):
    convergence.answer_gathering(by=mo, gathering=reported, answer="yes")
    facilitation.start_gathering(by=fay, gathering=reported)
    facilitation.close_gathering(by=fay, gathering=reported)
    html = login(mo).get(live_url(reported)).content.decode()
    assert "Attendance answers: 1 yes · 0 maybe." in html


@pytest.mark.django_db
def test_a_page_opened_before_the_start_keeps_polling_slowly(login, mo, reported):
    html = login(mo).get(reported.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 10s"' in html


@pytest.mark.django_db
def test_decision_and_commitment_fields_have_their_own_labels(login, fay, reported):
    html = (
        login(fay)
        .get(
            reverse(
                "rituals:facilitate",
                kwargs={"movement_slug": "tidewater", "gathering_id": reported.pk},
            )
        )
        .content.decode()
    )
    assert 'for="decision_text"' in html
    assert 'for="commitment_text"' in html


@pytest.mark.django_db
def test_the_pages_own_poll_gets_no_content_until_something_changes(login, fay, mo, reported):
    facilitation.start_gathering(by=fay, gathering=reported)
    reported.refresh_from_db()
    client = login(mo)
    shown = f"{live_url(reported)}?v={reported.version}"
    assert client.get(shown).status_code == 204
    facilitation.record_decision(by=fay, gathering=reported, text="Solstice it is.")
    response = client.get(shown)
    assert response.status_code == 200
    assert "Solstice it is." in response.content.decode()


@pytest.mark.django_db
def test_closing_tells_every_member_once(
    fay, mo, alice, cora, reported, mailoutbox, django_capture_on_commit_callbacks
):
    facilitation.start_gathering(by=fay, gathering=reported)
    with django_capture_on_commit_callbacks(execute=True):
        facilitation.close_gathering(by=fay, gathering=reported)
    minutes_mail = [m for m in mailoutbox if "Minutes of cycle 1" in m.subject]
    assert sorted(m.to[0] for m in minutes_mail) == sorted(
        p.user.email for p in (fay, mo, alice, cora)
    )


@pytest.mark.parametrize("item", ["abc", "", "-1"])
@pytest.mark.django_db
def test_a_bad_item_value_gets_a_message_not_a_500(login, fay, gatherings, item):
    facilitation.start_gathering(by=fay, gathering=gatherings[0])
    url = reverse(
        "rituals:facilitate_action",
        kwargs={
            "movement_slug": "tidewater",
            "gathering_id": gatherings[0].pk,
            "action": "start_item",
        },
    )
    response = login(fay).post(url, {"item": item}, follow=True)
    assert response.status_code == 200
    assert "Pick an agenda item." in response.content.decode()


@pytest.mark.django_db
def test_a_gathering_that_never_started_cannot_be_closed(login, fay, gatherings):
    url = reverse(
        "rituals:facilitate_action",
        kwargs={"movement_slug": "tidewater", "gathering_id": gatherings[0].pk, "action": "close"},
    )
    response = login(fay).post(url, follow=True)
    gatherings[0].refresh_from_db()
    assert gatherings[0].state == "scheduled"
    assert "Only a gathering that has started can be closed." in response.content.decode()
