"""Many requests at the same moment, each in its own database connection (PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.core.exceptions import ValidationError
from django.db import connections


def at_once(count, attempt, *, done="done"):
    """Run ``attempt(index)`` in ``count`` threads released together; returns each one's
    answer: ``done`` when it returned, else the words of the ValidationError it raised."""
    together = threading.Barrier(count, timeout=20)

    def run(index):
        try:
            together.wait()
            try:
                attempt(index)
                return done
            except ValidationError as error:
                return " ".join(error.messages)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as workers:
        results = [workers.submit(run, index) for index in range(count)]
        return [result.result(timeout=60) for result in results]
