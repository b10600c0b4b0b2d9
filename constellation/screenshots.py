"""`make screenshots`: the demo's main pages, as Amara sees them, at phone and desktop
widths, written to docs/screenshots/ for the README.

It seeds a throwaway SQLite demo in a temporary folder, serves it with `runserver` (no
worker is needed to look), logs in through the real log-in form in Debian's Chromium and
saves one PNG per page and width. `pages()` is what the tests check answer 200.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
LOGIN = ("amara@demo.constellation.test", "sovereignty-not-spectacle")
CHROMIUM = "/usr/bin/chromium"


def pages(movement):
    """(name, path) of the pages the README shows, for the demo ``movement``."""
    from django.urls import reverse

    from commons.models import Pool, Resource
    from rituals.models import Gathering, Sprint

    slug = {"movement_slug": movement.slug}
    bail = Pool.objects.get(movement=movement, name="Bail Fund")
    rotating = Pool.objects.get(movement=movement, kind=Pool.Kind.ROTATING)
    hall = Resource.objects.get(movement=movement, name="Community hall")
    held = Gathering.objects.filter(movement=movement, state="closed").order_by("-starts_at")[0]
    sprint = Sprint.objects.filter(movement=movement, state=Sprint.State.RUNNING).first()
    found = [
        ("home", reverse("movement:home", kwargs=slug)),
        ("circles", reverse("circles:directory", kwargs=slug)),
        ("bail-fund", bail.get_absolute_url()),
        ("rotating-pool", rotating.get_absolute_url()),
        ("hall", hall.get_absolute_url()),
        ("gathering", held.get_absolute_url()),
        ("lens-map", reverse("movement:lens_map", kwargs=slug)),
        ("overview", reverse("movement:overview", kwargs=slug)),
        ("graph", reverse("movement:graph", kwargs=slug)),
    ]
    if sprint is not None:
        found.append(("sprint", sprint.get_absolute_url()))
    return found


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urlopen(url, timeout=2):  # noqa: S310 — our own local server
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def main():
    folder = Path(tempfile.mkdtemp(prefix="constellation-screenshots-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "constellation.settings",
    }
    env.pop("REDIS_URL", None)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from movement.models import Movement

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    movement = Movement.objects.get(memberships__user__email=LOGIN[0])
    shown = pages(movement)

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/accounts/login/")
        _photograph(base, shown)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{len(shown) * len(WIDTHS)} screenshots in {OUT.relative_to(ROOT)}/")


def _photograph(base, shown):
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, base_url=base, locale="en-GB"
            )
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Email").fill(LOGIN[0])
            page.get_by_label("Password:", exact=True).fill(LOGIN[1])
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="What needs you").wait_for()
            for name, path in shown:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=OUT / f"{name}-{width_name}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
