"""Sealed text: what a conflict case says, encrypted before it reaches the database.

A stolen database, a backup or a ``pg_dump`` holds only Fernet tokens (AES-128-CBC with an
HMAC, from ``cryptography``, a library kept by the Python Cryptographic Authority); the keys
live outside the database, in ``settings.CASE_KEYS`` (the ``CASE_KEYS`` environment variable
or the file named by ``CASE_KEYS_FILE``). ``MultiFernet`` encrypts with the first key and
decrypts with any, so keys rotate without downtime: put a new key first, run
``manage.py reseal_cases`` (every sealed text read and written again under the new key),
then drop the old key.

``SealedTextField`` is a text field whose value is sealed on the way in and opened on the
way out. It cannot be searched or filtered on: that is the point.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class CaseKeyMissing(ImproperlyConfigured):
    pass


@lru_cache(maxsize=4)
def _fernet(keys):
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "CASE_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated."
        ) from error


def fernet():
    keys = tuple(settings.CASE_KEYS)
    if not keys:
        raise CaseKeyMissing("No CASE_KEYS: conflict cases cannot be read or written.")
    return _fernet(keys)


def seal(text):
    return fernet().encrypt(text.encode()).decode("ascii")


def open_sealed(token):
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A conflict case's text cannot be opened with CASE_KEYS: the key that sealed it "
            "is missing (keep every old key in CASE_KEYS until `reseal_cases` has run)."
        ) from error


def reseal(token):
    """The same text under the first key (``MultiFernet.rotate``)."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


class SealedTextField(models.TextField):
    """Text stored sealed (see the module). The empty text is stored empty, so a purged text
    is plainly gone."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return open_sealed(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return seal(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("exact", "isnull"):
            return None  # nothing to search in a sealed text
        return super().get_lookup(lookup_name)
