"""Which circles a commitment names: the words of a circle's whole name, whatever their
case, in the commitment's text ("Art" does not name "start"). Pure: no database.

A commitment belongs to one circle and, written in facilitator mode as one sentence, names
the others it was made to ("Kitchen will cook for Legal Defense's training"). The circles
it names are worked out once, when it is written, and kept with it
(``Commitment.named_circles``): a circle renamed later was still the one the commitment
was made to, and the ligaments between circles count them in SQL instead of reading every
commitment's text again.
"""

import re
from collections import defaultdict


def words(text):
    return tuple(re.findall(r"\w+", text.casefold()))


class Names:
    """The names of a movement's circles, ready to be looked for in texts."""

    def __init__(self, names):
        """``names``: {circle id: name}."""
        self.by_first_word = defaultdict(list)
        for circle_id, name in names.items():
            name_words = words(name)
            if name_words:
                self.by_first_word[name_words[0]].append((name_words, circle_id))

    def named_in(self, text, *, besides=None):
        """The ids of the circles ``text`` names, ``besides`` (the author circle) left out."""
        text_words = words(text)
        named = set()
        for index, word in enumerate(text_words):
            for name_words, circle_id in self.by_first_word.get(word, ()):
                if (
                    circle_id != besides
                    and text_words[index : index + len(name_words)] == name_words
                ):
                    named.add(circle_id)
        return named
