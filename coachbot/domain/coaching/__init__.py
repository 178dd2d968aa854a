"""The coaching core: what the coach knows about a client (extract, knowledge, facts), client
types (profiles), SPIN sessions, needs and the next step, proposals, the one action per client
(actions), prep, playbooks, objections, practice and the question classifier.

Pure logic over the script library (coachbot.scripts): no Telegram, no SQL, the clock passed
in, and every piece of state a dataclass that round-trips through to_dict/from_dict.
"""

from coachbot.domain.coaching.classifier import (
    QuestionClassifier,
    QuestionType,
    RuleClassifier,
    classify_question,
)
from coachbot.domain.coaching.facts import ClientFacts, fits
from coachbot.domain.coaching.needs import NeedFinding, NeedsSummary, NextStep
from coachbot.domain.coaching.objections import match_objection
from coachbot.domain.coaching.playbooks import PlaybookProgress
from coachbot.domain.coaching.practice import (
    PracticeScore,
    PracticeSession,
    ProspectModel,
    ScriptedProspect,
    Tip,
    ask,
    score,
    start_practice,
)
from coachbot.domain.coaching.prep import PrepSheet, prepare
from coachbot.domain.coaching.profiles import infer_profile
from coachbot.domain.coaching.referrals import referral_lines
from coachbot.domain.coaching.spin import (
    SpinError,
    SpinSession,
    advance,
    go_back,
    pause,
    record_answer,
    resume,
    skip_step,
    start_session,
    suggest_questions,
    summarize,
)

__all__ = [
    "ClientFacts", "NeedFinding", "NeedsSummary", "NextStep", "PlaybookProgress",
    "PracticeScore", "PracticeSession", "PrepSheet", "ProspectModel", "QuestionClassifier",
    "QuestionType", "RuleClassifier", "ScriptedProspect", "SpinError", "SpinSession", "Tip",
    "advance", "ask", "classify_question", "fits", "go_back", "infer_profile",
    "match_objection", "pause", "prepare", "record_answer", "referral_lines", "resume", "score",
    "skip_step", "start_practice", "start_session", "suggest_questions", "summarize",
]
