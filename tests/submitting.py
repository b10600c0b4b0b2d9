"""Posting a form the way a browser does: with the one-time token the page carried."""

import re
import threading
import uuid

from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client

ALREADY_SENT = "That was already sent, and it counted once."


def token_on(html):
    """The one-time token in a rendered form (the first one on the page)."""
    match = re.search(r'name="submission" value="([0-9a-f-]{36})"', html)
    assert match, "the form carries a one-time token"
    return match.group(1)


def post_twice(client, url, data):
    """The same form posted twice, as a double tap does: both responses."""
    data = {**data, "submission": str(uuid.uuid4())}
    return client.post(url, data), client.post(url, data)


def said(response, text):
    return any(str(message) == text for message in get_messages(response.wsgi_request))


def post_at_once(user, url, data, times=2):
    """The same form (one token) posted ``times`` times at the same moment, each from its
    own connection, as a phone's retries do: the responses, in no particular order."""
    data = {**data, "submission": str(uuid.uuid4())}
    start_together = threading.Barrier(times, timeout=10)
    responses = []

    def post():
        client = Client()
        client.force_login(user)
        try:
            start_together.wait()
            responses.append(client.post(url, data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses
