"""Issue 18, point 4: the car-dealer SOP's preparation steps say what the training material says.

Each step is rendered the way the agent reads it (coaching/playbook_step through the Renderer)
and the test reads the message: target classes, ranking, the three policies, who to meet, the
team matched to the counterpart's rank.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coachbot.domain.coaching import playbooks as pb
from coachbot.render.templates import Renderer, bundled_templates_dir
from coachbot.scripts import SCRIPTS_ROOT
from coachbot.scripts.loader import load_library

LIBRARY = load_library()

# what each step must say, per locale (the methodology's content, in our words)
EXPECTED = {
    "zh-Hans": {
        "classify": ["业务质量好、规模大：重点目标", "业务质量好、规模小：次重点目标",
                     "新建的主流品牌店", "质量差，但核保条件可调、业务可挑选：一般目标",
                     "其余的店暂不拓展", "送修资源", "人脉"],
        "draft": ["费用政策", "核保政策", "送修政策"],
        "appoint": ["决策人", "保险、销售、售后"],
        "team": ["职级对等", "主谈"],
    },
    "zh-Hant": {
        "classify": ["業務品質好、規模大：重點目標", "業務品質好、規模小：次重點目標",
                     "新開設的主流品牌店", "品質差，但核保條件可調、業務可挑選：一般目標",
                     "其餘的店暫不拓展", "送修資源", "人脈"],
        "draft": ["費用政策", "核保政策", "送修政策"],
        "appoint": ["決策人", "保險、銷售、售後"],
        "team": ["職級對等", "主談"],
    },
    "en": {
        "classify": ["Good quality, large: key target", "Good quality, small: secondary target",
                     "Newly opened mainstream-brand dealer: also a key target",
                     "Poor quality, but terms can change or business can be selected",
                     "not approached for now", "repair-referral resources", "connections"],
        "draft": ["Fee policy", "Underwriting policy", "Repair-referral policy"],
        "appoint": ["heads of insurance, sales and after-sales"],
        "team": ["match the rank", "lead negotiator"],
    },
}
# the paraphrases the issue found wrong
WRONG = {"zh-Hans": ["新兴主流品牌", "质量一般"], "zh-Hant": ["新興主流品牌", "品質一般"],
         "en": ["New mainstream brand", "Weaker but improvable"]}


def _step_text(renderer: Renderer, locale: str, step_id: str) -> str:
    playbook = LIBRARY.get(locale).playbooks["car_dealer"]
    index = [s.id for s in playbook.steps].index(step_id)
    progress = pb.PlaybookProgress("car_dealer", index)
    return renderer.render(locale, "coaching/playbook_step", client=None, playbook=playbook,
                           step=pb.current_step(progress, playbook), progress=progress,
                           index=index + 1, ratio=pb.progress_ratio(progress, playbook))


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_each_preparation_step_reads_as_the_sop(renderer: Renderer, locale: str) -> None:
    for step_id, phrases in EXPECTED[locale].items():
        text = _step_text(renderer, locale, step_id)
        for phrase in phrases:
            assert phrase in text, (step_id, phrase, text)
        for wrong in WRONG[locale]:
            assert wrong not in text


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_the_preparation_keeps_eight_steps_in_the_sop_order(locale: str) -> None:
    playbook = LIBRARY.get(locale).playbooks["car_dealer"]
    steps = [s.id for s in playbook.steps if s.phase == "prepare"]
    assert steps == ["survey", "first_visit", "classify", "draft", "study", "appoint", "team",
                     "materials"]


def test_a_tick_from_the_old_wording_does_not_count_towards_progress() -> None:
    playbook = LIBRARY.get("zh-Hans").playbooks["car_dealer"]
    progress = pb.PlaybookProgress("car_dealer", 2, frozenset({"new_brand", "general"}))
    assert pb.progress_ratio(progress, playbook) == 0.0


def test_end_of_day_jargon_stays_inside_the_car_dealer_sop() -> None:
    """班后作业 is the dealer channel's word; elsewhere the bot says 收工小结."""
    roots = [bundled_templates_dir() / loc for loc in ("zh-Hans", "zh-Hant")]
    roots += [SCRIPTS_ROOT / loc for loc in ("zh-Hans", "zh-Hant")]
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix not in {".j2", ".yaml"}:
                continue
            text = path.read_text(encoding="utf-8")
            if path.name == "playbooks.yaml":
                text = text[:text.index("  car_dealer:")]  # the SOP is the file's last playbook
            if "班后作业" in text or "班後作業" in text:
                found.append(Path(path).relative_to(root.parent))
    assert found == []
