"""Settings for the web and worker processes a test starts (``DJANGO_SETTINGS_MODULE``).

The project's own settings, read from the environment as in production, plus one thing
production has no variable for: a broker key prefix (``TEST_BROKER_KEYPREFIX``), so the
queues of a test's gunicorn and Celery processes stay apart from anything else using the
same Redis database (other test runs, a developer's worker).
"""

import os

from constellation.settings import *  # noqa: F403
from constellation.settings import CELERY_BROKER_TRANSPORT_OPTIONS

if _prefix := os.environ.get("TEST_BROKER_KEYPREFIX", "").strip():
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": _prefix,
    }
