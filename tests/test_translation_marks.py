"""Every sentence a template shows is marked for translation (issue 16): a template's text
outside ``{% translate %}`` / ``{% blocktranslate %}``, and a user-facing attribute
(aria-label, title, alt, placeholder) with words in it, fail here, naming the file and
the words. The product's name is the one word left as it is."""

import re
from pathlib import Path

from django.conf import settings

KEPT_AS_IS = {"Constellation", "· Constellation"}
ATTRIBUTES = re.compile(r'\b(aria-label|title|alt|placeholder)="([^"]*)"')
WORDS = re.compile(r"[^\W\d_]{2,}")


def _without_marked_text(text):
    for pattern in (
        r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}",
        r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}",
        r"{#.*?#}",
        r"{%.*?%}",
        r"{{.*?}}",
        r"<!--.*?-->",
        r"<(script|style)[^>]*>.*?</\1>",
    ):
        text = re.sub(pattern, " ", text, flags=re.S)
    return text


def unmarked(text):
    """The words a template shows that no translation tag covers."""
    text = _without_marked_text(text)
    found = [value for _name, value in ATTRIBUTES.findall(text) if WORDS.search(value)]
    for line in re.sub(r"<[^>]+>", " ", text, flags=re.S).splitlines():
        line = " ".join(line.split())
        if WORDS.search(line) and line not in KEPT_AS_IS:
            found.append(line)
    return found


def test_the_scan_finds_what_it_must():
    assert unmarked("<p>Hello there</p>") == ["Hello there"]
    assert unmarked('<a aria-label="Close it" href="/">x</a>') == ["Close it"]
    marked = (
        '<p>{% translate "Hello" %} {{ name }}</p>'
        "<b>{% blocktranslate %}Hi {{ x }}{% endblocktranslate %}</b>"
    )
    assert unmarked(marked) == []


def test_every_template_sentence_is_marked_for_translation():
    root = Path(settings.BASE_DIR) / "templates"
    missing = {
        str(path.relative_to(root)): words
        for path in sorted(root.rglob("*"))
        if path.suffix in {".html", ".txt"} and (words := unmarked(path.read_text()))
    }
    assert missing == {}


def test_the_server_error_page_speaks_the_reader_s_language():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("fr"):
        page = render_to_string("500.html")
    assert '<html lang="fr">' in page and "Constellation" in page
