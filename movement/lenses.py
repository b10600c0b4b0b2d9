"""The lens self-assessment: five questions, each answered by choosing the sentence closest
to what you believe. Each answer leans towards one of the three lenses; the lens most
answers lean towards is yours (a tie goes to the lens of the earliest question among the
tied ones). The answers stay with their author (``movement.models.LensAssessment``).
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from movement.models import Lens

V, S, C = Lens.VOLUNTARIST, Lens.STRUCTURALIST, Lens.SUBJECTIVIST


@dataclass(frozen=True)
class Question:
    key: str
    text: object
    answers: tuple  # ((lens, sentence), …)


QUESTIONS = (
    Question(
        "change",
        _("Real change mostly comes when…"),
        (
            (V, _("enough people act together, visibly, at the same time.")),
            (S, _("a crisis opens a crack and we are ready to use it.")),
            (C, _("people come to see their situation differently.")),
        ),
    ),
    Question(
        "power",
        _("Our power lies mostly in…"),
        (
            (V, _("our numbers.")),
            (S, _("what the system cannot do without us.")),
            (C, _("the stories people live by.")),
        ),
    ),
    Question(
        "time",
        _("A good use of the next three months would be…"),
        (
            (V, _("a campaign that brings many new people out.")),
            (S, _("building what we will need when the next crisis comes.")),
            (C, _("conversations, art and media that shift how neighbours think.")),
        ),
    ),
    Question(
        "setback",
        _("When an action fails, it is usually because…"),
        (
            (V, _("not enough people came.")),
            (S, _("we picked a moment when we had no leverage.")),
            (C, _("people did not yet believe it was possible.")),
        ),
    ),
    Question(
        "victory",
        _("A victory looks most like…"),
        (
            (V, _("a square full of people that cannot be ignored.")),
            (S, _("a concession won because we held a pressure point.")),
            (C, _("a new common sense that nobody argues with any more.")),
        ),
    ),
)


def lens_of(answers):
    """The lens most answers lean towards; a tie goes to the earliest question's lens among
    the tied ones."""
    ordered = [answers[question.key] for question in QUESTIONS if question.key in answers]
    counts = Counter(ordered)
    most = max(counts.values())
    return next(lens for lens in ordered if counts[lens] == most)
