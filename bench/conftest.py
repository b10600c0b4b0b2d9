"""`make bench`: figures, not pass/fail. Each benchmark builds its own data in a fresh test
database (PostgreSQL when DATABASE_URL is set) and prints what it measured."""

import os
import time

import pytest

from constellation.celery import app as celery_app


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def best_of(function, runs=3):
    """(the fastest of ``runs`` timings in seconds, the last result): a figure that the
    machine's other work disturbs least."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def report(title, rows):
    """Print a small table: ``rows`` is a list of (label, value) pairs. With BENCH_REPORT
    set (bench/load.py does), the table is also added to that file."""
    width = max(len(label) for label, _value in rows)
    lines = [f"\n{title}", *(f"  {label:<{width}}  {value}" for label, value in rows)]
    print("\n".join(lines))
    if path := os.environ.get("BENCH_REPORT"):
        with open(path, "a") as file:
            file.write("\n".join(lines) + "\n")
