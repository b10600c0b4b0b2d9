"""Conveners report for their circle before each gathering, and mark last cycle's
commitments."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rituals.models import CircleReport, Commitment, Gathering
from rituals.services import convergence

REPORT = {
    "did": "Staffed three actions.",
    "lessons": "Bring more water.",
    "needs": "Gauze from the tool pool.",
    "intention": "Train two new medics.",
    "tactics": "first aid, training",
}


def report_url(gathering, circle):
    return reverse(
        "rituals:report",
        kwargs={
            "movement_slug": "tidewater",
            "gathering_id": gathering.pk,
            "circle_slug": circle.slug,
        },
    )


@pytest.mark.django_db
def test_a_convener_reports_for_the_circle(login, cora, medics, gatherings):
    response = login(cora).post(report_url(gatherings[0], medics), REPORT)
    assert response.status_code == 302
    report = CircleReport.objects.get()
    assert (report.circle, report.cycle, report.intention) == (
        medics,
        gatherings[0].cycle,
        "Train two new medics.",
    )
    page = login(cora).get(gatherings[0].get_absolute_url()).content.decode()
    assert "Staffed three actions." in page


@pytest.mark.django_db
def test_reporting_again_edits_the_same_report(login, cora, medics, gatherings):
    client = login(cora)
    client.post(report_url(gatherings[0], medics), REPORT)
    client.post(report_url(gatherings[0], medics), {**REPORT, "did": "Staffed four actions."})
    assert CircleReport.objects.get().did == "Staffed four actions."


@pytest.mark.parametrize("who", ["mo", "alice"])
@pytest.mark.django_db
def test_only_conveners_report(request, login, medics, cora, gatherings, who):
    member = request.getfixturevalue(who)
    response = login(member).post(report_url(gatherings[0], medics), REPORT)
    assert response.status_code == 403
    assert not CircleReport.objects.exists()


@pytest.mark.django_db
def test_a_report_for_a_circle_you_do_not_convene_is_refused_by_the_service(mo, medics, gatherings):
    with pytest.raises(ValidationError):
        convergence.submit_report(by=mo, gathering=gatherings[0], circle=medics, **REPORT)


@pytest.mark.django_db
def test_missing_what_we_did_is_refused_next_to_the_field(login, cora, medics, gatherings):
    response = login(cora).post(report_url(gatherings[0], medics), {**REPORT, "did": "  "})
    assert response.status_code == 200
    assert "did" in response.context["form"].errors
    assert not CircleReport.objects.exists()


@pytest.mark.django_db
def test_last_cycles_commitments_appear_and_get_marked(login, cora, medics, gatherings):
    kept = Commitment.objects.create(
        gathering=gatherings[0], circle=medics, text="Train two medics"
    )
    dropped = Commitment.objects.create(gathering=gatherings[0], circle=medics, text="Buy a van")
    url = report_url(gatherings[1], medics)
    page = login(cora).get(url).content.decode()
    assert "Train two medics" in page and "Buy a van" in page
    login(cora).post(
        url, {**REPORT, f"commitment_{kept.pk}": "done", f"commitment_{dropped.pk}": "not_done"}
    )
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert (kept.outcome, dropped.outcome) == ("done", "not_done")
    # Still on the form to change while this cycle's report is open, with its outcome.
    again = login(cora).get(url)
    assert again.context["form"].fields[f"commitment_{kept.pk}"].initial == "done"


@pytest.mark.django_db
def test_a_closed_gathering_takes_no_more_reports(login, cora, medics, gatherings):
    Gathering.objects.filter(pk=gatherings[0].pk).update(state="closed")
    response = login(cora).post(report_url(gatherings[0], medics), REPORT)
    assert response.status_code == 403
