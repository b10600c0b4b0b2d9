import os

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM
# calls from such a thread unless told this is intended (see TOOLCHAIN.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
