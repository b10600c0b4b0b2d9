"""Every commons page renders for a member of the demo movement, with real demo data."""

from io import StringIO

import pytest
from django.core.management import call_command

from commons.models import ArchiveEntry, DrawRequest, LedgerEntry, Pool
from movement.models import Membership, Movement


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    return Movement.objects.get()


def urls(movement):
    base = f"/m/{movement.slug}/commons"
    pool = Pool.objects.get(name="Bail Fund")
    entry = LedgerEntry.objects.filter(pool=pool).first()
    draw = DrawRequest.objects.filter(state="pending").first()
    archived = ArchiveEntry.objects.first()
    return [
        f"{base}/",
        f"{base}/pools/new/",
        f"{base}/pools/{pool.pk}/",
        f"{base}/pools/{pool.pk}/contribute/",
        f"{base}/pools/{pool.pk}/draw/",
        f"{base}/pools/{pool.pk}/fairness/",
        f"{base}/pools/{pool.pk}/entries/{entry.pk}/reverse/",
        f"{base}/draws/",
        f"{base}/draws/{draw.pk}/",
        f"{base}/archive/",
        f"{base}/archive/new/",
        f"{base}/archive/{archived.pk}/",
        f"{base}/archive/{archived.pk}/edit/",
        f"{base}/pools/{pool.pk}/pledge/",
        f"{base}/pledges/",
        f"/m/{movement.slug}/",
    ]


@pytest.mark.django_db
def test_every_commons_page_renders_for_an_organizer(client, demo):
    amara = Membership.objects.get(movement=demo, user__email__startswith="amara")
    client.force_login(amara.user)
    for url in urls(demo):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_the_ledger_downloads_as_csv(client, demo):
    amara = Membership.objects.get(movement=demo, user__email__startswith="amara")
    client.force_login(amara.user)
    pool = Pool.objects.get(name="Bail Fund")
    response = client.get(f"/m/{demo.slug}/commons/pools/{pool.pk}/ledger.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("entry,recorded at,kind,amount")
    assert len(lines) == 1 + LedgerEntry.objects.filter(pool=pool).count()
    assert any(",anonymous," in line for line in lines)
