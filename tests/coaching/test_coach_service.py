"""The coaching services on a real store: the issue's cases, end to end below the handlers.

张三, 41, "老婆全职带两个孩子，房贷每月1.5万": family questions, income protection and debt
cover as musts, a proposal (not A) after the needs talk, A once the proposal is explained,
/next following along. A client with no facts: the one-tap type question.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachbot.domain.clock import ManualClock
from coachbot.domain.models import Agent
from coachbot.scripts import ScriptLibrary
from coachbot.services import coach, knowledge, records
from coachbot.services import proposals as props
from coachbot.services.book import Draft, save_client
from coachbot.store import Store

SINGLE_LIFE = {"ys_s_plans", "ys_s_save", "ys_s_job", "ys_s_home", "ys_s_company"}


@pytest.fixture
def agent(store: Store) -> Agent:
    store.agents.ensure_agent(1001, first_name="小王", username=None, locale="zh-Hans")
    return store.agents.update_agent(1001, region="CN", timezone="Asia/Shanghai")


def add(store: Store, agent: Agent, name: str, notes: str | None = None, **extra: str) -> int:
    client = save_client(store, agent.id, Draft(name=name, notes=notes), force=True).client
    assert client is not None
    if extra:
        records.update_client(store, agent.id, client.id, extra)
    return client.id


def today(clock: ManualClock) -> date:
    return coach.agent_day(Agent(1001, "", None, "zh-Hans", "CN", "Asia/Shanghai", "08:00", 2,
                                 None, None, clock.now(), clock.now()), clock.now())


def test_family_note_gives_family_questions_for_spin_and_prep(
        store: Store, agent: Agent, library: ScriptLibrary, clock: ManualClock) -> None:
    zhang = add(store, agent, "张三", "老婆全职带两个孩子 房贷每月1.5万")
    assert coach.type_question(store, agent, zhang, clock.now()) is None

    view = coach.spin_start(store, agent, zhang, library, clock.now())
    assert isinstance(view, coach.SpinView)
    assert view.profile == "young_family"
    ids = {q.question.id for q in view.questions}
    assert ids and not ids & SINGLE_LIFE
    assert "yf_s_mortgage" in ids  # a mortgage is known: ask about it
    assert "yf_s_income" not in ids  # the spouse stays home: don't ask what is known

    sheet = coach.prep(store, agent, zhang, library, clock.now())
    assert isinstance(sheet, coach.PrepView)
    assert sheet.sheet.profile == "young_family"
    assert "刚工作几年" not in sheet.sheet.opening
    assert all(q.profile == "young_family" for q in sheet.sheet.questions)


def test_owner_note_gives_owner_prep(store: Store, agent: Agent, library: ScriptLibrary,
                                     clock: ManualClock) -> None:
    liu = add(store, agent, "刘姐", "做服装生意 女儿上初中")
    sheet = coach.prep(store, agent, liu, library, clock.now())
    assert isinstance(sheet, coach.PrepView) and sheet.sheet.profile == "business_owner"
    assert "每个月工资能存下多少" not in " ".join(q.text for q in sheet.sheet.questions)


def test_no_facts_get_the_one_tap_type_question(store: Store, agent: Agent,
                                                library: ScriptLibrary,
                                                clock: ManualClock) -> None:
    wang = add(store, agent, "王五")
    question = coach.spin_start(store, agent, wang, library, clock.now())
    assert isinstance(question, coach.TypeQuestion)
    assert question.reason == "thin"
    assert question.choices == ("young_family", "young_single", "business_owner",
                                "pre_retiree", "high_net_worth", "group_corporate",
                                "car_dealer")
    assert isinstance(coach.prep(store, agent, wang, library, clock.now()), coach.TypeQuestion)
    assert store.coaching.latest_session(agent.id, "spin", client_id=wang) is None

    assert coach.set_client_type(store, agent, wang, "business_owner", clock.now())
    assert coach.type_question(store, agent, wang, clock.now()) is None
    view = coach.spin_start(store, agent, wang, library, clock.now())
    assert isinstance(view, coach.SpinView) and view.profile == "business_owner"
    lines = knowledge.card_facts(store, agent.id, wang)
    assert [(line.key, line.value, line.source, line.confirmed) for line in lines] == \
        [("profile", "business_owner", "agent", True)]


def test_spin_questions_keep_their_positions_and_answers_go_to_the_current_one(
        store: Store, agent: Agent, library: ScriptLibrary, clock: ManualClock) -> None:
    zhang = add(store, agent, "张三", "老婆全职带两个孩子 房贷每月1.5万")
    view = coach.spin_start(store, agent, zhang, library, clock.now())
    assert isinstance(view, coach.SpinView)
    before = [(q.position, q.question.id) for q in view.questions]
    assert view.current == 1

    view = coach.spin_answer(store, agent, view.record_id, "两个孩子，一个五岁一个两岁", library,
                             clock.now())
    assert view is not None and view.recorded == "text"
    assert [(q.position, q.question.id) for q in view.questions] == before
    assert view.questions[0].answered and view.current == 2

    view = coach.spin_select(store, agent, view.record_id, len(before), library, clock.now())
    assert view is not None and view.current == len(before)
    view = coach.spin_voice(store, agent, view.record_id, "voice-file-1", "", library,
                            clock.now())
    assert view is not None and view.recorded == "voice" and view.pending_voice == 1
    assert view.questions[-1].answered
    assert [(q.position, q.question.id) for q in view.questions] == before
    view = coach.spin_transcript(store, agent, view.record_id, "voice-file-1",
                                 "我老婆在家带孩子，没上班", library, clock.now())
    assert view is not None and view.pending_voice == 0

    again = coach.spin_view(store, agent, view.record_id, library, clock.now())
    assert again is not None and [(q.position, q.question.id) for q in again.questions] == before


def test_situation_answers_change_the_type_for_the_next_steps(
        store: Store, agent: Agent, library: ScriptLibrary, clock: ManualClock) -> None:
    """A talk started as 单身青年 (an old talk, or a thin guess) follows what the client says."""
    zhang = add(store, agent, "张三")
    client = store.clients.get_client(agent.id, zhang)
    assert client is not None
    facts = coach.client_facts(store, agent, client, today(clock))
    state, _ = coach.open_spin(store, agent, client, facts, clock.now())
    assert state.session.profile == "young_single"
    view = coach.spin_view(store, agent, state.record_id, library, clock.now())
    assert view is not None
    shown = [q.question.id for q in view.questions]

    view = coach.spin_answer(store, agent, state.record_id, "两个孩子…老婆没上班", library,
                             clock.now())
    assert view is not None and view.profile == "young_family"
    assert view.type_changed_from == "young_single"
    assert [q.question.id for q in view.questions] == shown  # the shown step keeps its buttons

    view = coach.spin_next(store, agent, state.record_id, library, clock.now())
    assert view is not None and view.session.step == "P"
    assert all(q.question.profile == "young_family" for q in view.questions)
    assert "yf_p_alone" in {q.question.id for q in view.questions}  # one income, said now


def test_needs_summary_then_proposal_then_a(store: Store, agent: Agent, library: ScriptLibrary,
                                           clock: ManualClock) -> None:
    zhang = add(store, agent, "张三", "老婆全职带两个孩子 房贷每月1.5万", stage="B")
    view = coach.spin_start(store, agent, zhang, library, clock.now())
    assert isinstance(view, coach.SpinView)
    record = view.record_id
    coach.spin_answer(store, agent, record, "两个孩子，老婆没上班，每个月房贷一万五", library,
                      clock.now())
    coach.spin_next(store, agent, record, library, clock.now())
    coach.spin_answer(store, agent, record, "最怕的就是万一我倒下了，房贷有人还吗？", library,
                      clock.now())
    coach.spin_next(store, agent, record, library, clock.now())
    coach.spin_next(store, agent, record, library, clock.now())
    view = coach.spin_select(store, agent, record, 1, library, clock.now())
    assert view is not None and view.session.step == "N"
    coach.spin_answer(store, agent, record, "对，万一我倒下了，房贷有人还，孩子照样上学", library,
                      clock.now())
    done = coach.spin_finish(store, agent, record, library, clock.now())
    assert done is not None

    by_need = {f.need: f for f in done.summary.needs}
    income = by_need["income_protect"]
    assert income.priority == "must" and "earns_alone" in income.reasons
    assert by_need["debt_cover"].priority == "must"
    assert "health_medical" not in {f.need for f in done.summary.needs if "payoff" in f.sources}
    assert any("房贷" in e for e in by_need["debt_cover"].evidence + income.evidence)
    step = done.summary.next_step
    assert step.key == "prepare_proposal" and step.data["stage"] == "B"  # not A
    assert done.suggested_stage is None  # already B: stay there
    assert done.contact is not None and done.contact.channel == "face"
    assert "房贷" in (done.contact.summary or "")

    action = coach.client_action(store, agent, zhang, clock.now())
    assert action is not None and action.key == "prepare_proposal"

    day = today(clock)
    made = props.create_proposal(store, agent.id, zhang, {
        "title": "家庭保障计划", "products": ("term_life", "critical_illness"),
        "sum_insured": 2_000_000, "premium": 12_000, "frequency": "annual"}, day)
    assert made is not None and made.proposal.status == "prepared"
    assert made.suggested_stage is None  # B is right for a proposal being prepared
    summary = coach.needs_summary(store, agent, zhang, library, clock.now())
    assert summary is not None and summary.next_step.key == "book_explanation"

    booked = props.book_explanation(store, agent.id, made.proposal.id, day + timedelta(days=2))
    assert booked is not None and booked.proposal.status == "booked"
    action = coach.client_action(store, agent, zhang, clock.now())
    assert action is not None and action.key == "explain_proposal"
    assert action.data["on"] == (day + timedelta(days=2)).isoformat()

    explained = props.mark_explained(store, agent.id, made.proposal.id, day, reaction="挺好的",
                                     library=library, locale="zh-Hans")
    assert explained is not None and explained.suggested_stage == "A"
    summary = coach.needs_summary(store, agent, zhang, library, clock.now())
    assert summary is not None
    assert summary.next_step.key == "move_to_stage" and summary.next_step.data["stage"] == "A"
    assert summary.next_step.data["action"] == "close"
    assert props.stage_suggestion(store, agent.id, zhang) == "A"
    first = coach.next_actions(store, agent, clock.now())[0]
    assert first.client.id == zhang and first.key == "close"


def test_an_objection_is_handled_before_closing(store: Store, agent: Agent,
                                                library: ScriptLibrary,
                                                clock: ManualClock) -> None:
    li = add(store, agent, "李四", "老公在银行上班，女儿三岁", stage="B")
    day = today(clock)
    made = props.create_proposal(store, agent.id, li, {"products": ("education",)}, day)
    assert made is not None
    result = props.mark_explained(store, agent.id, made.proposal.id, day,
                                  reaction="保费太贵了，负担不起", library=library,
                                  locale="zh-Hans")
    assert result is not None and result.proposal.objection_open
    assert result.proposal.objection == "too_expensive"
    assert result.suggested_stage is None
    action = coach.client_action(store, agent, li, clock.now())
    assert action is not None and action.key == "handle_objection"
    assert action.data["objection"] == "too_expensive"
    result = props.resolve_objection(store, agent.id, made.proposal.id)
    assert result is not None and result.suggested_stage == "A"
    action = coach.client_action(store, agent, li, clock.now())
    assert action is not None and action.key == "close"


def test_accepted_proposal_becomes_a_policy_declined_keeps_the_reason(
        store: Store, agent: Agent, library: ScriptLibrary, clock: ManualClock) -> None:
    chen = add(store, agent, "陈六", stage="A")
    day = today(clock)
    made = props.create_proposal(store, agent.id, chen, {
        "products": ("critical_illness",), "sum_insured": 500_000, "premium": 800,
        "frequency": "monthly"}, day)
    assert made is not None
    labels = {p.id: p.label for p in library.get("zh-Hans").products.values()}
    accepted = props.accept_proposal(store, agent.id, made.proposal.id, day,
                                     product_labels=labels)
    assert accepted is not None
    policy = accepted.policy
    assert (policy.product, policy.product_type, policy.annual_premium, policy.sum_insured,
            policy.payment_frequency, policy.status, policy.source, policy.currency) == \
        ("重疾险", "critical_illness", 9600, 500_000, "monthly", "pending", "new", "CNY")
    assert accepted.proposal.outcome == "accepted" and accepted.proposal.policy_id == policy.id
    assert [p.id for p in store.clients.policies_of(agent.id, chen)] == [policy.id]
    with pytest.raises(props.ProposalError):
        props.decline_proposal(store, agent.id, made.proposal.id, day, reason="price")

    again = props.create_proposal(store, agent.id, chen, {"products": ("annuity",)}, day)
    assert again is not None
    declined = props.decline_proposal(store, agent.id, again.proposal.id, day, reason="price")
    assert declined is not None and declined.proposal.status == "declined"
    assert declined.proposal.decline_reason == "price"
    action = coach.client_action(store, agent, chen, clock.now())
    assert action is not None and action.key != "close"


def test_next_follows_what_happened(store: Store, agent: Agent, library: ScriptLibrary,
                                   clock: ManualClock) -> None:
    """A client whose SPIN is done and whose proposal meeting is booked is not sent back to
    SPIN; a B prospect never mined is."""
    day = today(clock)
    zhang = add(store, agent, "张三", "老婆全职带两个孩子 房贷每月1.5万", stage="B")
    view = coach.spin_start(store, agent, zhang, library, clock.now())
    assert isinstance(view, coach.SpinView)
    coach.spin_answer(store, agent, view.record_id, "我想给家里留一份保障", library, clock.now())
    coach.spin_finish(store, agent, view.record_id, library, clock.now())
    made = props.create_proposal(store, agent.id, zhang, {"products": ("term_life",)}, day)
    assert made is not None
    props.book_explanation(store, agent.id, made.proposal.id, day)
    new_b = add(store, agent, "赵七", "在医院当护士，单身", stage="B")
    nurture = add(store, agent, "钱八", stage="D")

    found = {a.client.id: a for a in coach.next_actions(store, agent, clock.now())}
    assert found[zhang].key == "explain_proposal" and found[zhang].data["due"]
    assert found[new_b].key == "mine_needs"
    assert found[nurture].key == "nurture"
    order = [a.client.id for a in coach.next_actions(store, agent, clock.now())]
    assert order.index(zhang) < order.index(new_b) < order.index(nurture)
    card = coach.client_action(store, agent, zhang, clock.now())
    assert card is not None and card.key == found[zhang].key  # the card agrees with /next


def test_unanswered_proposals_for_the_digest(store: Store, agent: Agent,
                                             clock: ManualClock) -> None:
    day = today(clock)
    store.agents.ensure_agent(1002, first_name="other", username=None, locale="en")
    other = store.agents.update_agent(1002, region="SG", timezone="Asia/Singapore")
    quiet = add(store, agent, "孙九")
    called = add(store, agent, "周十")
    theirs = add(store, other, "Tan")
    for who, owner in ((quiet, agent), (called, agent), (theirs, other)):
        made = props.create_proposal(store, owner.id, who, {"title": "计划"},
                                     day - timedelta(days=9))
        assert made is not None
        props.mark_sent(store, owner.id, made.proposal.id, day - timedelta(days=props_days()))
    records.log_contact(store, agent.id, called, at=clock.now() - timedelta(days=1),
                        channel="phone")
    found = props.follow_ups(store, [agent, other], day)
    assert [(f.client_name, f.days) for f in found[agent.id]] == [("孙九", props_days())]
    assert [f.client_name for f in found[other.id]] == ["Tan"]
    assert found[agent.id][0].item_id is None
    assert props.follow_ups(store, [agent], day - timedelta(days=1))[agent.id] == []
    # opened from the digest, then done: gone from today's list (the to-do item's key)
    entry = found[agent.id][0]
    item = store.schedule.ensure_item(agent.id, kind="proposal", client_id=entry.client_id,
                                      ref=str(entry.proposal_id), occasion_date=day)
    assert props.follow_ups(store, [agent], day)[agent.id][0].item_id == item.id
    store.schedule.update_item(agent.id, item.id, status="done")
    assert props.follow_ups(store, [agent], day)[agent.id] == []
    # answered: no follow-up either
    props.decline_proposal(store, other.id, found[other.id][0].proposal_id, day, reason="price")
    assert props.follow_ups(store, [other], day)[other.id] == []


@pytest.mark.parametrize(("local_time", "still_waiting"), [
    ("23:30 on the cutoff day", True), ("00:30 the day after it", False)])
def test_a_call_just_after_local_midnight_counts_on_the_agents_own_day(
        store: Store, agent: Agent, clock: ManualClock, local_time: str,
        still_waiting: bool) -> None:
    """Contacts keep UTC moments: 00:30 in Shanghai is 16:30 UTC of the day before, which
    compared by its UTC date made a call made inside the waiting days look older than it was."""
    day = today(clock)
    cutoff = day - timedelta(days=props_days())
    made = props.create_proposal(store, agent.id, add(store, agent, "郑二"), {"title": "计划"},
                                 cutoff - timedelta(days=3))
    assert made is not None
    props.mark_sent(store, agent.id, made.proposal.id, cutoff)
    called_on, hour, minute = (cutoff, 23, 30) if still_waiting else \
        (cutoff + timedelta(days=1), 0, 30)
    called = datetime.combine(called_on, time(hour, minute), ZoneInfo("Asia/Shanghai"))
    records.log_contact(store, agent.id, made.proposal.client_id, at=called, channel="phone")
    waiting = props.follow_ups(store, [agent], day)[agent.id]
    assert [f.client_name for f in waiting] == (["郑二"] if still_waiting else [])


@pytest.mark.parametrize("answer", ["reaction", "objection"])
def test_a_proposal_the_client_reacted_to_is_no_follow_up(store: Store, agent: Agent,
                                                         clock: ManualClock, answer: str) -> None:
    day = today(clock)
    made = props.create_proposal(store, agent.id, add(store, agent, "吴一", stage="B"),
                                 {"products": ("critical_illness",)}, day - timedelta(days=9))
    assert made is not None
    pid = made.proposal.id
    props.mark_sent(store, agent.id, pid, day - timedelta(days=6))
    [waiting] = props.follow_ups(store, [agent], day)[agent.id]
    assert (waiting.days, waiting.stage, waiting.products) == (6, "B", ("critical_illness",))
    if answer == "reaction":  # what the client said, typed by the agent
        props.update_proposal(store, agent.id, pid, {"reaction": "看了，想再比较一下"})
    else:
        props.record_objection(store, agent.id, pid, "too_expensive")
    assert props.follow_ups(store, [agent], day)[agent.id] == []
    proposal = props.get_proposal(store, agent.id, pid)
    assert proposal is not None and proposal.answered and proposal.waiting_days(day) is None


def props_days() -> int:
    from coachbot.domain.coaching.proposals import FOLLOW_UP_DAYS

    return FOLLOW_UP_DAYS


def test_facts_on_the_card_with_their_source_and_the_agents_word(
        store: Store, agent: Agent, clock: ManualClock) -> None:
    zhang = add(store, agent, "张三", "老婆全职带两个孩子")
    visit = datetime(2026, 12, 3, 2, 0, tzinfo=clock.now().tzinfo)
    records.log_contact(store, agent.id, zhang, at=visit, channel="face",
                        summary="房贷每月1.5万，他爸去年中风住院")
    lines = {line.key: line for line in knowledge.card_facts(store, agent.id, zhang)}
    assert (lines["children"].value, lines["children"].source) == (2, "note")
    assert (lines["mortgage_monthly"].value, lines["mortgage_monthly"].source,
            lines["mortgage_monthly"].on) == (15000, "visit", date(2026, 12, 3))
    assert lines["health_event"].value == [["father", "stroke"]]

    assert knowledge.remove_fact(store, agent.id, lines["children"].fact_id or 0) == zhang
    knowledge.read_client(store, agent.id, zhang)  # re-reading the note doesn't bring it back
    keys = {line.key for line in knowledge.card_facts(store, agent.id, zhang)}
    assert "children" not in keys

    assert knowledge.correct_fact(store, agent.id, zhang, "children", 3, date(2026, 12, 4))
    records.update_client(store, agent.id, zhang, {"notes": "老婆全职带两个孩子，还有房贷"})
    lines = {line.key: line for line in knowledge.card_facts(store, agent.id, zhang)}
    assert (lines["children"].value, lines["children"].confirmed) == (3, True)
    assert knowledge.confirm_fact(store, agent.id, lines["spouse"].fact_id or 0) == zhang
    assert knowledge.confirm_fact(store, 9999, lines["spouse"].fact_id or 0) is None


def test_a_set_shown_from_several_sources_is_confirmed_and_toggled_whole(
        store: Store, agent: Agent, clock: ManualClock) -> None:
    day = today(clock)
    wang = add(store, agent, "王五", "他爸去年中风")
    records.log_contact(store, agent.id, wang, at=clock.now(), channel="face",
                        summary="他妈妈有糖尿病，公司给买了团险")
    records.log_contact(store, agent.id, wang, at=clock.now(), channel="phone",
                        summary="自己买过一份重疾险")
    lines = {line.key: line for line in knowledge.card_facts(store, agent.id, wang)}
    assert lines["health_event"].value == [["father", "stroke"], ["mother", "chronic"]]
    # confirming what the card shows keeps all of it, not only the newest source's part
    assert knowledge.confirm_fact(store, agent.id, lines["health_event"].fact_id or 0,
                                  day) == wang
    assert knowledge.knowledge_of(store, agent.id, wang).value("health_event") == {
        ("father", "stroke"), ("mother", "chronic")}
    # one tap takes a pair off or puts one on; none left: the key leaves the card
    assert knowledge.choose_fact(store, agent.id, wang, "health_event", "father-stroke", day)
    assert knowledge.choose_fact(store, agent.id, wang, "health_event", "self-cancer", day)
    assert knowledge.knowledge_of(store, agent.id, wang).value("health_event") == {
        ("mother", "chronic"), ("self", "cancer")}
    for pair in ("mother-chronic", "self-cancer"):
        knowledge.choose_fact(store, agent.id, wang, "health_event", pair, day)
    assert not knowledge.knowledge_of(store, agent.id, wang).known("health_event")
    # the cover: "none at all" is a value (the empty set), unlike no stage or no event
    assert knowledge.choose_fact(store, agent.id, wang, "existing_cover", "none", day)
    assert knowledge.knowledge_of(store, agent.id, wang).value("existing_cover") == frozenset()
    # choices that are none of the key's, or another agent's client: nothing changes
    assert not knowledge.choose_fact(store, agent.id, wang, "health_event", "cat-flu", day)
    assert not knowledge.choose_fact(store, agent.id, wang, "spouse", "maybe", day)
    assert not knowledge.choose_fact(store, 9999, wang, "spouse", "y", day)
    # removing a fact sets aside every source's word on its key; a stale id is refused
    cover = knowledge.card_facts(store, agent.id, wang)[0]
    assert knowledge.remove_fact(store, agent.id, cover.fact_id or 0) == wang
    assert knowledge.card_facts(store, agent.id, wang) == []
    assert knowledge.fact_line(store, agent.id, wang, cover.fact_id or 0) is None


def test_an_open_spin_talk_follows_the_type_the_corrected_facts_give(
        store: Store, agent: Agent, library: ScriptLibrary, clock: ManualClock) -> None:
    zhang = add(store, agent, "张三", "老婆全职带两个孩子 房贷每月1.5万")
    view = coach.spin_start(store, agent, zhang, library, clock.now())
    assert isinstance(view, coach.SpinView) and view.profile == "young_family"
    day = today(clock)
    knowledge.correct_fact(store, agent.id, zhang, "children", 0, day)
    knowledge.choose_fact(store, agent.id, zhang, "spouse", "n", day)
    coach.follow_facts(store, agent, zhang, clock.now())
    facts = coach.facts_view(store, agent, zhang, clock.now())
    assert facts is not None and (facts.profile, facts.sure) == ("young_single", True)
    view = coach.spin_start(store, agent, zhang, library, clock.now())
    assert isinstance(view, coach.SpinView) and view.profile == "young_single"
