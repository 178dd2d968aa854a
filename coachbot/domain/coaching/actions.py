"""The ONE thing a client needs from the agent now, and the order /next lists clients in.

The same rules serve the client's card and /next, so they never disagree. First match wins:

  proposal with an objection open                  -> handle_objection
  proposal explained, no objection                 -> close            (A: closing plan)
  explanation booked for today or missed           -> explain_proposal (due)
  proposal sent/explained, unanswered N days       -> chase_proposal
  a follow-up the agent set is due                 -> follow_up
  explanation booked for a later day               -> explain_proposal (booked)
  proposal prepared, no explanation booked         -> book_explanation
  needs clear after SPIN, no proposal yet          -> prepare_proposal
  a SPIN talk left open                            -> continue_spin
  B prospect, needs not mined                      -> mine_needs
  C prospect                                       -> invite_event
  D prospect                                       -> nurture
  proposal accepted                                -> after_sale       (deliver, referral)
  proposal declined                                -> revisit
  policy review due                                -> review_policies
  past the contact frequency                       -> stay_in_touch
  A/B name not yet a prospect                      -> first_meeting
  a name not graded yet                            -> grade_name       (card only)
  C/D name, not a prospect or client               -> long_line        (card only)
  otherwise                                        -> none

Urgency (0 = today, 1 = moves a sale on, 2 = keeps the relationship) orders /next; then stage
(A first), tier (high net worth first), days overdue, name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coachbot.domain.coaching.proposals import FOLLOW_UP_DAYS, Proposal

ACTIONS = (
    "handle_objection", "close", "explain_proposal", "chase_proposal", "follow_up",
    "book_explanation", "prepare_proposal", "continue_spin", "mine_needs", "invite_event",
    "nurture", "after_sale", "revisit", "review_policies", "stay_in_touch", "first_meeting",
    "grade_name", "long_line", "none",
)
TODAY_, SALE, RELATIONSHIP, NOTHING = 0, 1, 2, 3
_STAGE_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}
_TIER_ORDER = {"hnw": 0, "vip": 1, "regular": 2}
AFTER_SALE_DAYS = 30  # an accepted proposal is after-sale work for this long


@dataclass(frozen=True)
class Situation:
    """What the rules look at for one client (gathered by services.coach)."""

    client_id: int
    name: str
    stage: str | None = None
    tier: str | None = None
    grade: str | None = None
    is_group: bool = False
    proposal: Proposal | None = None
    spin_open: bool = False
    needs_clear: bool = False  # a finished SPIN talk found explicit needs not yet covered
    follow_up_on: date | None = None  # the open next step's date
    follow_up: str | None = None  # its text
    review_due: date | None = None
    contact_due: date | None = None
    last_contact: date | None = None


@dataclass(frozen=True)
class Action:
    """The one action for a client: a key plus data for the words, and how urgent it is."""

    key: str
    urgency: int
    data: dict[str, Any] = field(default_factory=dict)
    overdue_days: int = 0


@dataclass(frozen=True)
class Ranked:
    """A client in /next's list with their action."""

    situation: Situation
    action: Action


def decide(s: Situation, today: date) -> Action:
    """The client's one action now (see the module docstring for the rules)."""
    p = s.proposal
    if p is not None and p.open:
        ref = {"proposal": p.id, "title": p.title, "products": list(p.products)}
        if p.objection_open:
            return Action("handle_objection", TODAY_, {**ref, "objection": p.objection})
        if p.ready_to_close:
            return Action("close", TODAY_, {**ref, "stage": "A", "since": _iso(p.explained_on)},
                          _days(p.explained_on, today))
        if p.explain_on is not None and p.explained_on is None and p.explain_on <= today:
            return Action("explain_proposal", TODAY_, {**ref, "on": _iso(p.explain_on),
                                                       "due": True},
                          _days(p.explain_on, today))
        waiting = p.waiting_days(today)
        if waiting is not None and waiting >= FOLLOW_UP_DAYS and _quiet_since(s, p):
            return Action("chase_proposal", TODAY_, {**ref, "days": waiting}, waiting)
    follow = _follow_up(s, today)
    if follow is not None:
        return follow
    if p is not None and p.open:
        ref = {"proposal": p.id, "title": p.title, "products": list(p.products)}
        if p.explain_on is not None and p.explained_on is None:
            return Action("explain_proposal", SALE, {**ref, "on": _iso(p.explain_on),
                                                     "due": False})
        if p.explained_on is None:
            return Action("book_explanation", SALE, {**ref, "sent": _iso(p.sent_on)})
        return Action("chase_proposal", SALE, {**ref, "days": p.waiting_days(today) or 0})
    if s.needs_clear and (p is None or not p.open) and s.stage != "A" and (
            p is None or p.outcome != "accepted"):
        return Action("prepare_proposal", SALE, {"stage": "B"})
    if s.spin_open:
        return Action("continue_spin", SALE)
    if s.stage == "B":
        return Action("mine_needs", SALE, {"step": "S"})
    if s.stage == "A":
        return Action("prepare_proposal", SALE, {"stage": "A"})  # no proposal on record yet
    if s.stage == "C":
        return Action("invite_event", RELATIONSHIP)
    if s.stage == "D":
        return Action("nurture", RELATIONSHIP)
    if p is not None and p.outcome == "accepted" and p.outcome_on is not None and \
            (today - p.outcome_on).days <= AFTER_SALE_DAYS:
        return Action("after_sale", RELATIONSHIP, {"proposal": p.id})
    if p is not None and p.outcome == "declined":
        return Action("revisit", RELATIONSHIP, {"proposal": p.id, "reason": p.decline_reason})
    if s.review_due is not None and s.review_due <= today:
        return Action("review_policies", RELATIONSHIP, {}, _days(s.review_due, today))
    if s.contact_due is not None and s.contact_due < today:
        return Action("stay_in_touch", RELATIONSHIP, {"last": _iso(s.last_contact)},
                      _days(s.contact_due, today))
    if s.stage is None and s.grade in ("A", "B") and not s.is_group:
        return Action("first_meeting", RELATIONSHIP, {"grade": s.grade})
    if s.stage is None and s.grade is None and not s.is_group:
        # the name list's first step; not /next work (a fresh import would fill the list)
        return Action("grade_name", NOTHING)
    if s.stage is None and s.grade in ("C", "D") and s.tier is None and not s.is_group:
        # "kept on a long line": no date to chase, but not "nothing to do" either
        return Action("long_line", NOTHING, {"grade": s.grade})
    return Action("none", NOTHING)


def rank(situations: list[Situation], today: date, *, limit: int) -> list[Ranked]:
    """The clients with something to do, most pressing first, at most `limit`."""
    ranked = [Ranked(s, decide(s, today)) for s in situations]
    ranked = [r for r in ranked if r.action.urgency < NOTHING]
    ranked.sort(key=lambda r: (
        r.action.urgency, _STAGE_ORDER.get(r.situation.stage or "", 4),
        _TIER_ORDER.get(r.situation.tier or "", 3), -r.action.overdue_days,
        ACTIONS.index(r.action.key), r.situation.name))
    return ranked[:limit]


def _follow_up(s: Situation, today: date) -> Action | None:
    if s.follow_up_on is None or s.follow_up_on > today:
        return None
    return Action("follow_up", TODAY_, {"step": s.follow_up, "on": _iso(s.follow_up_on)},
                  _days(s.follow_up_on, today))


def _quiet_since(s: Situation, p: Proposal) -> bool:
    out = max(d for d in (p.sent_on, p.explained_on) if d)
    return s.last_contact is None or s.last_contact <= out


def _days(day: date | None, today: date) -> int:
    return max(0, (today - day).days) if day else 0


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
