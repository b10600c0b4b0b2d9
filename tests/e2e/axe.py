"""axe-core inside the browser tests: the accessibility rules a page must pass.

The script is handed to the page through the DevTools protocol (``page.evaluate``), not
a ``<script>`` tag, so the page's Content-Security-Policy stays exactly as served.
"""

import json
from pathlib import Path

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
# WCAG 2.0, 2.1 and 2.2, A and AA, plus axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def serious_violations(page):
    """The serious and critical axe violations on the page as it is now, as readable lines
    (rule, impact, help and the first offending elements)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE + "\n;undefined")
    # resultTypes: every node of a violation, but no more than one of a pass: half the time.
    results = page.evaluate(
        "async (tags) => await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + json.dumps([node["target"] for node in violation["nodes"][:3]])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]
