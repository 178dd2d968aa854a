"""Progress through a playbook: the current step, ticked checklist items, moving on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from coachbot.scripts.model import Playbook, PlaybookStep

# Big-client credit score weights (research step): each factor scored 0-100, higher is better.
CREDIT_WEIGHTS = {"potential": 0.50, "negative_records": 0.25, "reputation": 0.15,
                  "operations": 0.10}


class PlaybookError(ValueError):
    """An item or step that isn't in the playbook."""


@dataclass(frozen=True)
class PlaybookProgress:
    """Where an agent is in one playbook (step_index == len(steps) means finished)."""

    playbook_id: str
    step_index: int = 0
    done_items: frozenset[str] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {"playbook_id": self.playbook_id, "step_index": self.step_index,
                "done_items": sorted(self.done_items)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlaybookProgress:
        """Back from to_dict."""
        return cls(data["playbook_id"], int(data.get("step_index", 0)),
                   frozenset(data.get("done_items", ())))


def start(playbook: Playbook) -> PlaybookProgress:
    """Progress at the first step with nothing ticked."""
    return PlaybookProgress(playbook.id)


def current_step(progress: PlaybookProgress, playbook: Playbook) -> PlaybookStep | None:
    """The step in hand, or None once the playbook is finished."""
    _check(progress, playbook)
    if progress.step_index >= len(playbook.steps):
        return None
    return playbook.steps[progress.step_index]


def tick(
    progress: PlaybookProgress, playbook: Playbook, item_id: str, done: bool = True
) -> PlaybookProgress:
    """Mark a checklist item (of any step) done, or not done with done=False."""
    _check(progress, playbook)
    if not any(item_id in step.checklist for step in playbook.steps):
        raise PlaybookError(f"no item '{item_id}' in playbook '{playbook.id}'")
    items = progress.done_items | {item_id} if done else progress.done_items - {item_id}
    return replace(progress, done_items=frozenset(items))


def advance(progress: PlaybookProgress, playbook: Playbook) -> PlaybookProgress:
    """Move to the next step (ticked or not: the agent decides)."""
    _check(progress, playbook)
    return replace(progress, step_index=min(progress.step_index + 1, len(playbook.steps)))


def back(progress: PlaybookProgress, playbook: Playbook) -> PlaybookProgress:
    """Return to the previous step."""
    _check(progress, playbook)
    return replace(progress, step_index=max(progress.step_index - 1, 0))


def is_finished(progress: PlaybookProgress, playbook: Playbook) -> bool:
    """Whether every step has been passed."""
    return progress.step_index >= len(playbook.steps)


def progress_ratio(progress: PlaybookProgress, playbook: Playbook) -> float:
    """Share of all checklist items ticked, 0.0-1.0."""
    _check(progress, playbook)
    items = {item for step in playbook.steps for item in step.checklist}
    # ticks kept from an older wording of the playbook (an item renamed since) don't count
    return len(progress.done_items & items) / len(items) if items else 1.0


def step_done(progress: PlaybookProgress, step: PlaybookStep) -> bool:
    """Whether every item of a step is ticked."""
    return set(step.checklist) <= progress.done_items


def credit_score(
    potential: float, negative_records: float, reputation: float, operations: float
) -> float:
    """Big-client credit score: 50% potential, 25% records, 15% reputation, 10% operations."""
    scores = {"potential": potential, "negative_records": negative_records,
              "reputation": reputation, "operations": operations}
    for name, value in scores.items():
        if not 0 <= value <= 100:
            raise ValueError(f"{name} must be 0-100")
    return round(sum(CREDIT_WEIGHTS[name] * value for name, value in scores.items()), 1)


def _check(progress: PlaybookProgress, playbook: Playbook) -> None:
    if progress.playbook_id != playbook.id:
        raise PlaybookError(f"progress is for '{progress.playbook_id}', not '{playbook.id}'")
