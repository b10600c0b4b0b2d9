import pytest
from django.urls import reverse

from commons import services
from commons.markdown import render_markdown


def test_markdown_renders_and_is_sanitized():
    html = render_markdown(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://ok.org)"
    )
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html
    assert 'href="javascript:' not in html
    assert 'href="https://ok.org"' in html


@pytest.mark.django_db
def test_a_member_adds_an_entry_with_tags(login, cora, medics):
    response = login(cora).post(
        reverse("commons:archive_create", kwargs={"movement_slug": "tidewater"}),
        {
            "title": "Heat stroke at actions",
            "body": "Shade, water, *salt*.",
            "tags": "First Aid, heat , first aid",
            "lens": "voluntarist",
            "circle": medics.pk,
        },
    )
    entry = cora.movement.archive_entries.get()
    assert response.status_code == 302
    assert sorted(entry.tags.values_list("name", flat=True)) == ["first aid", "heat"]
    assert entry.circle == medics


@pytest.mark.django_db
def test_search_and_filter(login, mo):
    services.add_archive_entry(by=mo, title="Court support", body="Docket numbers", tags=["legal"])
    services.add_archive_entry(
        by=mo, title="Paste-ups", body="Wheat paste", tags=["art"], lens="subjectivist"
    )
    url = reverse("commons:archive", kwargs={"movement_slug": "tidewater"})
    client = login(mo)
    assert [e.title for e in client.get(url, {"q": "docket"}).context["page"]] == ["Court support"]
    assert [e.title for e in client.get(url, {"tag": "art"}).context["page"]] == ["Paste-ups"]
    assert [e.title for e in client.get(url, {"lens": "subjectivist"}).context["page"]] == [
        "Paste-ups"
    ]


@pytest.mark.django_db
def test_who_keeps_the_archive_alive(login, mo, cora, medics):
    services.add_archive_entry(by=cora, title="One", body="x", circle=medics)
    services.add_archive_entry(by=cora, title="Two", body="x", circle=medics)
    services.add_archive_entry(by=mo, title="Three", body="x")
    keepers = (
        login(mo)
        .get(reverse("commons:archive", kwargs={"movement_slug": "tidewater"}))
        .context["keepers"]
    )
    assert keepers["people"][0] == {"author__display_name": "Cora", "entries": 2}
    assert keepers["circles"] == [{"circle__name": "Street Medics", "entries": 2}]


@pytest.mark.django_db
def test_only_author_or_organizer_edits(login, mo, cora, alice):
    entry = services.add_archive_entry(by=cora, title="Mine", body="x")
    url = reverse(
        "commons:archive_edit", kwargs={"movement_slug": "tidewater", "entry_id": entry.pk}
    )
    assert login(mo).get(url).status_code == 403
    assert login(alice).get(url).status_code == 200
