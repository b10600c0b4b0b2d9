"""Posting a form the way a browser does: with the one-time token the page carried."""

import re
import uuid

from django.contrib.messages import get_messages

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
