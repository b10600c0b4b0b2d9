"""The registry of timer handlers: ``@handler("kind")`` on a function ``fn(timer)``.

Handlers must be idempotent: a timer whose handler succeeded but whose
transaction did not commit runs again on the next sweep.
"""

HANDLERS = {}


def handler(kind):
    def register(fn):
        if kind in HANDLERS and HANDLERS[kind] is not fn:
            raise ValueError(f"A handler for timer kind {kind!r} is already registered.")
        HANDLERS[kind] = fn
        return fn

    return register


class UnknownTimerKind(LookupError):
    pass


def handler_for(kind):
    try:
        return HANDLERS[kind]
    except KeyError:
        raise UnknownTimerKind(f"No handler is registered for timer kind {kind!r}.") from None
