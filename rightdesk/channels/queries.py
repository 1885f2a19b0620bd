"""Mail that waits for a person: held, quarantined, and replies that could not be sent.

Nothing here is lost, but each of these stays where it is until somebody
decides: a stranger's mail about a ticket (join it or open a new ticket), a
message processing refused (retry after a fix) and a reply the customer never
got (send it again). The console's mail page lists them, oldest first within
each group, in a fixed number of queries however many there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from rightdesk.channels.choices import OutState, RawState
from rightdesk.channels.models import OutboundEmail, RawMessage

#: How many of each group one page shows; the counts say how many more wait.
PAGE = 50


@dataclass(frozen=True)
class MailToSort:
    held: list[RawMessage]
    held_count: int
    quarantined: list[RawMessage]
    quarantined_count: int
    failed: list[OutboundEmail]
    failed_count: int


def _raw_rows(state: str, limit: int) -> list[RawMessage]:
    # The stored original can be megabytes: the page needs only the envelope.
    return list(
        RawMessage.objects.filter(state=state)
        .defer("raw", "full_text", "quoted_text", "signature")
        .select_related("ticket")
        .order_by("id")[:limit]
    )


def mail_to_sort(limit: int = PAGE) -> MailToSort:
    """The oldest ``limit`` of each group, and how many each group holds."""
    failed = OutboundEmail.objects.filter(state=OutState.FAILED)
    return MailToSort(
        held=_raw_rows(RawState.HELD, limit),
        held_count=RawMessage.objects.filter(state=RawState.HELD).count(),
        quarantined=_raw_rows(RawState.QUARANTINED, limit),
        quarantined_count=RawMessage.objects.filter(state=RawState.QUARANTINED).count(),
        failed=list(
            failed.select_related("ticket", "ticket__owner", "ticket__owner__agent").order_by("id")[
                :limit
            ]
        ),
        failed_count=failed.count(),
    )
