"""What the rituals hold about a person, for their download (``movement/personal_data.py``):
their answers to gatherings, the reports they sent, what they wrote in sprint logs, what
they recorded as sovereignty gained, and the conflict cases they are a party to — the case
and their own account decrypted for them; nobody else's account."""

from movement.personal_data import (
    forgets_personal_data,
    holds_personal_data,
    removes_written_texts,
)
from rituals.models import (
    CalendarFeed,
    CaseParty,
    CircleReport,
    Rsvp,
    SovereigntyRecord,
    SprintLogEntry,
)


def _cases(user):
    for party in (
        CaseParty.objects.filter(member__user=user)
        .select_related("case__movement")
        .order_by("case__created_at")
    ):
        case = party.case
        yield {
            "movement": case.movement.name,
            "about": case.about,
            "practice": case.is_practice,
            "state": case.state,
            "outcome": case.outcome,
            "filed_by_you": party.is_filer,
            "what_was_done_or_decided": case.description,
            "your_account": party.statement,
            "created_at": case.created_at,
            "closed_at": case.closed_at,
        }


@holds_personal_data
def rituals_data(user):
    return {
        "gathering_answers": Rsvp.objects.filter(member__user=user).values(
            "gathering__movement__name", "gathering__starts_at", "answer", "updated_at"
        ),
        "circle_reports_sent": CircleReport.objects.filter(submitted_by__user=user).values(
            "circle__name",
            "cycle__number",
            "did",
            "lessons",
            "needs",
            "intention",
            "tactics",
            "submitted_at",
        ),
        "sprint_log_entries": SprintLogEntry.objects.filter(author__user=user).values(
            "movement__name", "kind", "category", "text", "created_at"
        ),
        "sovereignty_recorded": SovereigntyRecord.objects.filter(recorded_by__user=user).values(
            "movement__name",
            "cycle__number",
            "circle__name",
            "kind",
            "what",
            "people",
            "recorded_at",
        ),
        "conflict_cases": list(_cases(user)),
    }


@forgets_personal_data
def forget_calendar_link(user):
    CalendarFeed.objects.filter(user=user).delete()


@removes_written_texts
def remove_rituals_texts(user, removed):
    """Reports sent, sprint log lines, sovereignty records, and their own account in a
    conflict case (sealed again as it is written)."""
    CircleReport.objects.filter(submitted_by__user=user).update(
        did=removed, lessons="", needs="", intention=removed, tactics=""
    )
    SprintLogEntry.objects.filter(author__user=user).update(text=removed)
    SovereigntyRecord.objects.filter(recorded_by__user=user).update(what=removed)
    CaseParty.objects.filter(member__user=user).exclude(statement="").update(statement=removed)
