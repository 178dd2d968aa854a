"""Proposals (计划书): what was proposed to a client, how far it got, what it means for the stage.

The methodology: a B prospect gets a tailored proposal prepared and explained; only once it is
explained, with no major objection left open, is the prospect an A (close now). A proposal:

    prepared -> sent (optional) -> explanation booked -> explained -> accepted | declined
                                                   \\-> objection open -> handled -> ...

Accepted: a policy is made from it (services.proposals). Declined: the reason is kept, and the
client goes back to nurturing. A proposal sent or explained and then left unanswered (no
outcome, no reaction or objection of the client's recorded, no contact since) for
FOLLOW_UP_DAYS is followed up in the morning digest and /today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

FOLLOW_UP_DAYS = 5  # a proposal unanswered this long is followed up in the digest
DRAFT, PREPARED, SENT, BOOKED, EXPLAINED, ACCEPTED, DECLINED = (
    "draft", "prepared", "sent", "booked", "explained", "accepted", "declined")
OUTCOMES = (ACCEPTED, DECLINED)
FREQUENCIES = ("annual", "semiannual", "quarterly", "monthly", "single")
DECLINE_REASONS = ("price", "no_need", "spouse", "timing", "trust", "other_company", "health",
                   "other")
# what an agent may change on a proposal, and the kind of value each field holds
FIELDS = {
    "title": "text", "products": "products", "sum_insured": "amount", "premium": "amount",
    "frequency": "frequency", "currency": "currency", "prepared_on": "date", "sent_on": "date",
    "explain_on": "date", "explained_on": "date", "reaction": "text", "note": "text",
}


class ProposalError(ValueError):
    """A change that the proposal's state does not allow (e.g. accepting a declined one)."""


@dataclass(frozen=True)
class Proposal:
    """One proposal to one client."""

    id: int
    client_id: int
    title: str = ""
    products: tuple[str, ...] = ()  # product ids of the script library (critical_illness...)
    sum_insured: float | None = None
    premium: float | None = None  # per payment, at `frequency`
    frequency: str = "annual"
    currency: str | None = None
    prepared_on: date | None = None
    sent_on: date | None = None
    explain_on: date | None = None  # the meeting booked to explain it
    explained_on: date | None = None
    reaction: str | None = None  # what the client said
    objection: str | None = None  # an objection id of the script library
    objection_open: bool = False
    outcome: str | None = None  # accepted | declined
    outcome_on: date | None = None
    decline_reason: str | None = None
    policy_id: int | None = None
    note: str | None = None
    created_at: datetime | None = None

    @property
    def status(self) -> str:
        """How far the proposal got (see the module docstring)."""
        if self.outcome in OUTCOMES:
            return self.outcome
        if self.explained_on is not None:
            return EXPLAINED
        if self.explain_on is not None:
            return BOOKED
        if self.sent_on is not None:
            return SENT
        return PREPARED if self.prepared_on is not None else DRAFT

    @property
    def open(self) -> bool:
        """Still waiting for the client's answer."""
        return self.outcome is None

    @property
    def answered(self) -> bool:
        """The client has said something about it: an outcome, a reaction or an objection."""
        return not self.open or bool(self.reaction) or self.objection is not None

    @property
    def ready_to_close(self) -> bool:
        """Explained, and no major objection left open: the client is an A."""
        return self.open and self.explained_on is not None and not self.objection_open

    @property
    def annual_premium(self) -> float | None:
        """The premium over a year (a single premium counts once)."""
        if self.premium is None:
            return None
        per_year = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12, "single": 1}
        return self.premium * per_year.get(self.frequency, 1)

    def last_touch(self) -> date | None:
        """The latest day the proposal moved (sent, explained, prepared)."""
        days = [d for d in (self.prepared_on, self.sent_on, self.explained_on) if d]
        return max(days) if days else None

    def waiting_days(self, today: date) -> int | None:
        """Days since it was sent or explained, while unanswered (None if not out yet, or
        answered)."""
        out = [d for d in (self.sent_on, self.explained_on) if d]
        if self.answered or not out:
            return None
        return (today - max(out)).days


def stage_for(proposal: Proposal | None, stage: str | None) -> str | None:
    """The prospect stage a client's latest proposal calls for (None: no change).

    A proposal being prepared puts a D/C prospect in B; explained with no open objection, A.
    A declined proposal does not move the stage back by itself: the agent decides.
    """
    if proposal is None or not proposal.open:
        return None
    if proposal.ready_to_close:
        return "A" if stage != "A" else None
    if stage in (None, "D", "C"):
        return "B"
    return None


def check_outcome(proposal: Proposal, outcome: str) -> None:
    """Raise ProposalError when the outcome cannot be recorded now."""
    if outcome not in OUTCOMES:
        raise ProposalError(f"unknown outcome {outcome!r}")
    if not proposal.open:
        raise ProposalError("the proposal already has an outcome")
