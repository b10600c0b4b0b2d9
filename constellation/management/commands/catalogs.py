"""The translation catalogs, made the one way: ``makemessages`` with this project's options
for every language but English, then ``compilemessages``.

``manage.py catalogs`` rewrites ``locale/<lang>/LC_MESSAGES/django.po`` (new strings come
in empty, for a translator; strings no longer used go) and compiles the ``.mo`` files
the site reads. ``manage.py catalogs --check`` writes nothing: it makes the catalogs in a
scratch folder and fails, naming the strings, when they differ from the committed ones.
"""

import os
import shutil
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

BASE_DIR = Path(settings.BASE_DIR)
LOCALE = BASE_DIR / "locale"
# Not scanned: the virtualenv, tests, benchmarks and generated files.
SKIPPED = [".venv", "var", "tests", "bench", "docs", "staticfiles", "node_modules"]


def translated_languages():
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalog_path(language, root=LOCALE):
    return Path(root) / language / "LC_MESSAGES" / "django.po"


def entries(path):
    """``{(context, msgid): message}`` of one ``.po`` file, the header left out."""
    with open(path, "rb") as po:
        catalog = read_po(po)
    return {(message.context, message.id): message for message in catalog if message.id}


def make(root):
    """Run ``makemessages`` over the project at ``root`` (the working directory while it
    runs: makemessages reads the tree it stands in and writes to its ``locale``)."""
    here = os.getcwd()
    os.chdir(root)
    try:
        with override_settings(LOCALE_PATHS=[Path(root) / "locale"]):
            call_command(
                "makemessages",
                locale=translated_languages(),
                add_location="file",
                no_obsolete=True,
                ignore_patterns=SKIPPED,
                verbosity=0,
            )
    finally:
        os.chdir(here)


def stale_strings():
    """What ``catalogs`` would change: ``{language: (added, removed)}`` of msgids."""
    changes = {}
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(BASE_DIR, copy, ignore=shutil.ignore_patterns(*SKIPPED, ".git"))
        make(copy)
        for language in translated_languages():
            now = entries(catalog_path(language))
            made = entries(catalog_path(language, copy / "locale"))
            added, removed = sorted(made.keys() - now.keys()), sorted(now.keys() - made.keys())
            if added or removed:
                changes[language] = (added, removed)
    return changes


class Command(BaseCommand):
    help = "Make the translation catalogs (or, with --check, fail when they are stale)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Change nothing; fail if stale.")

    def handle(self, *args, check=False, **options):
        if check:
            changes = stale_strings()
            for language, (added, removed) in changes.items():
                for _context, msgid in added:
                    self.stderr.write(f"{language}: new string {msgid!r}")
                for _context, msgid in removed:
                    self.stderr.write(f"{language}: unused string {msgid!r}")
            if changes:
                raise CommandError("The catalogs are stale: run `make messages`.")
            return
        make(BASE_DIR)
        call_command(
            "compilemessages",
            locale=translated_languages(),
            ignore_patterns=SKIPPED,
            verbosity=0,
        )
        self.stdout.write(f"Catalogs made for {', '.join(translated_languages())}.")
