"""Each app owns its words.

An app declares the verbs it writes on the audit trail and the kinds of notification it
sends as ``TextChoices`` beside its services, and registers them here with
``@audit_verbs`` and ``@notification_kinds``. The ground floor can then show any of them
in plain, translated words without importing the apps above it, and a new verb needs no
migration here: the column stores the value, the label lives with the app that speaks it.
"""

from django.core.exceptions import ImproperlyConfigured

AUDIT_VERBS = {}
NOTIFICATION_KINDS = {}


def _register(registry, choices, what):
    for value, label in zip(choices.values, choices.labels, strict=True):
        known = registry.get(value)
        if known is not None and str(known) != str(label):
            raise ImproperlyConfigured(f"The {what} {value!r} is declared twice.")
        registry[value] = label
    return choices


def audit_verbs(choices):
    """Class decorator: these verbs may be recorded on the audit trail."""
    return _register(AUDIT_VERBS, choices, "audit verb")


def notification_kinds(choices):
    """Class decorator: these kinds of notification may be sent."""
    return _register(NOTIFICATION_KINDS, choices, "notification kind")


def verb_label(value):
    return AUDIT_VERBS.get(value, value)


def notification_kind_label(value):
    return NOTIFICATION_KINDS.get(value, value)
