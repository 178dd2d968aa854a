"""What kind of question an agent asked: SPIN step, a pitch, a closed question, or other.

Rule-based and offline: weighted cue patterns per language, a question gate, and a fixed
order to break ties. Chinese is matched without word boundaries; Traditional characters and
common Cantonese forms are folded into Simplified first. A language-model classifier can
replace this one through the QuestionClassifier protocol.

Issue 15 added rules for question shapes the first rules missed on independently written
questions: illness in the family asked about the past is a Problem question (asking what it
cost is not Situation); a condition followed by what it leads to is Implication; the client's
ideal and their need said back for confirmation are Need-payoff; what our plan does or costs
is a pitch even as a tag question; a polite "能跟我说说吗" round a what/which question stays
Situation. A character n-gram naive Bayes model trained on the labelled training split was
tried next to the rules and left out: it lowered accuracy on the held-out and fresh items
(en held-out 0.95 -> 0.86, fresh 0.81 -> 0.71 at the best weight).

Issue 15's rules still overfit: on a second independently written set they scored 0.76
(zh-Hans), 0.86 (zh-Hant), 0.63 (en). The default classifier is now BlendedClassifier: a
logistic regression over n-grams (question_model.py, trained on every development set by
tools/train_question_model.py) with the rules' choice added as a fixed bonus; 0.90 / 0.93 /
0.80 on that set. RuleClassifier stays as the rules alone.

English on unseen wording (target 0.85 per language). frozen2 was retired to development data
and two batches of extra English training data were written (tests/coaching/data/
train_extra_en.yaml, 414 lines, and train_extra2_en.yaml, 208 lines: Singapore / Malaysia /
Hong Kong / plain English, chat messages without question marks, tag-question pitches). The
English rules got the shapes they missed on frozen2 and the first batch (inverted yes/no
questions without "?", statements said as questions, in-place wh-questions, more problem and
family-illness wording, "if <bad turn>, then how", "if <solution>, how would that feel",
statement and tag-question pitches); the second batch was written after them and scored once
before training, so it is the one set neither the rules nor the settings were fitted to. The
model is trained on every labelled set; the rules' weight is 0.5 for English (was 1) and 2 for
Chinese (unchanged). Held-out estimate (tools/train_question_model.py --loso: each set held
out whole, both Chinese scripts at once, the model trained on the others, rounded as shipped):

    en             dev   frozen frozen2 extra extra2  pooled
    before (w 1)   0.92  0.96   0.80    0.84  0.80    0.85
    after (w 0.5)  0.95  0.98   0.92    0.92  0.93    0.93
    model alone (w 0) pooled 0.80 -> 0.885; rules alone on extra2 0.68 -> 0.81

"before" is the method as it was (old rules, trained on dev / frozen / frozen2 only); before,
frozen2 / extra / extra2 were unseen by the rules, after only extra2 is, so frozen2 and extra
flatter "after", and dev and frozen flatter both (the rules were written against them). Every
extra line was written by the engineer who trained the model, so extra2 (0.93) is optimistic
for someone else's wording too (the model alone scores 0.90 on it). Chinese, same estimate,
unchanged by this round: zh-Hans 0.97 / 0.96 / 0.91, zh-Hant 0.955 / 0.97 / 0.94 on dev /
frozen / frozen2 (frozen2 is the fold the rules never saw).

The Chinese model then met wording unlike the sets' (WeChat-style mainland, Singapore and
Malaysia, Cantonese, Taiwan) at about 0.80. It now also trains on 550 utterances written for
it in those styles (tests/coaching/data/train_extra_zh-*.yaml) and on frozen2, and the rules
read a few general forms they missed: 啥/咋 as 什么/怎么, a final 没/不 as a yes/no question,
either/or with 还是 or Cantonese 定 as a question, accidents next to illness in the family, and
what a bad event already met cost. Holding out one whole set at a time, on the sets the rules
were not written against (frozen2 and the extra set, 750 items) the blend went from 0.83 to
0.90; the rules alone from 0.70 to 0.75.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import NamedTuple, Protocol

from coachbot.domain.coaching.fold import CJK, fold_chinese
from coachbot.domain.coaching.question_model import model_scores, ngram_features


class QuestionType(StrEnum):
    """The kinds of agent utterance the coach tells apart."""

    S = "S"
    P = "P"
    I = "I"  # noqa: E741 - the SPIN letter
    N = "N"
    PITCH = "pitch"
    CLOSED = "closed"
    OTHER = "other"


class QuestionClassifier(Protocol):
    """Anything that labels an agent's utterance."""

    def classify(self, text: str, locale: str) -> QuestionType: ...


# Ties go to the type that matters more for coaching.
PRIORITY = (QuestionType.N, QuestionType.I, QuestionType.P, QuestionType.PITCH,
            QuestionType.CLOSED, QuestionType.S, QuestionType.OTHER)
ASKING = frozenset({QuestionType.S, QuestionType.P, QuestionType.I, QuestionType.N,
                    QuestionType.CLOSED})

Rule = tuple[QuestionType, float, re.Pattern[str], str]
T = QuestionType
ANY, ASK, TELL = "any", "ask", "tell"  # a rule counts always, only in questions, only in statements

_ZH_IF = r"(?:如果|要是|假如|假设|若是|万一|有了|这样一来|这样的话)"
# Either/or: 还是, and Cantonese "A定B" (定 not in 一定, 决定, 定期, 定存...)
_ZH_OR = (r".(?<![我们那就])还是(?!先|要|觉得|得|会)"
          r"|(?<![一决肯确固稳约指规预必锁搞说认特否既安鉴设制])定(?![期存金时了下好位制价投额])")
_ZH_BAD = (r"断了|停了|断|停工|出了?事|出了?意外|生病|大病|走了|离开|倒下|没准备好|凑不齐|不灵|失业"
           r"|裁员|倒闭|破产|亏|没了|不在了|住院|一直在涨|越来越")
_ZH_RULES: list[tuple[QuestionType, float, str, str]] = [
    # N: the value of a solution, or the client's need said back to them
    (T.N, 2, r"帮助|帮到|帮得上|有用|有没有用|好处|(?<!不)安心|(?<!不)放心|踏实|轻松|省心|意义"
             r"|意味着|值不值|值得|(?:有多|多么|很|更)重要|更好做|不受影响|(?<!会)不会影响"
             r"|不用担心|不怕", ASK),
    (T.N, 6, r"所以(?:说)?,?(?:您|你)?(?:最)?(?:需要|想要|希望|想找|看重|在意|想解决)"
             r"|也就是说您", ASK),
    (T.N, 3, r"是不是就|是不是可以|就不用|不用再|就可以不|就能", ASK),
    (T.N, 1, r"(?:如果|要是|假如)(?:能|可以|有|每)|有了这样|这样一来|这样的话"
             r"|有一笔|有一份|有这样|有个办法|有一种", ASK),
    (T.N, 2, r"(?:如果|要是|假如).{0,40}(?:合适|适合|可以接受|可行|行不行|(?<!会)怎么样|如何"
             r"|愿意)", ASK),
    (T.N, 2, r"(?:如果|要是|假如|能)(?:有|把)?(?:一个|一份|个|这样的)?(?:方案|计划|办法|安排|保障)"
             r"|(?:一次|全部|都)补齐|补上缺口", ASK),
    # I: what a problem leads to, costs, who pays, how long it holds
    (T.I, 2, r"万一|会不会影响|(?<!不受)(?<!不会)(?<!不)影响|后果|牵连|拖累|连累|代价|损失|谁来"
             r"|由谁|撑多久|能撑"
             r"|怎么办|会怎么|会怎样|会变成|变成什么|会.{0,6}多少|少多少|差多少|花多少|多少成本"
             r"|会发生什么|带来哪些|落到谁|耽误|耽搁|压垮|拖垮|追到|找到您?个人|找上|还不上|承担"
             r"|会有多大"
             r"|会多大|追得上|跟得上|补得上|够不够补|赶不上|跑不赢|通胀", ASK),
    (T.I, 1, _ZH_IF, ASK),
    (T.I, 1, r"会不会|" + _ZH_BAD, ASK),
    (T.I, 1, _ZH_IF + r".{0,30}(?:" + _ZH_BAD + r")", ASK),
    # P: difficulties, worries, dissatisfaction, how well what they have works
    (T.P, 2, r"担心|顾虑|困扰|头疼|头痛|难不难|难在|难处|困难|挑战|满意|够|心里有底|有底吗|压力"
             r"|操心"
             r"|麻烦|抱怨|意见|不放心|最怕|烦|遇到过|碰到过|试过|不过来|不到的时候|用起来|好不好用"
             r"|方便不方便|顺不顺|不顺|吃力|紧张|手头紧|闹心|糟心|不爽|心累|吃不消|不方便|不好用"
             r"|超出|比预想"
             r"|比预计|比预期|多了不少|不理想|失望|慢|拖|贵了|涨了", ASK),
    # pitch: our products, prices, returns, promotions
    (T.PITCH, 2, r"(?<!在)我们(?:这|的|公司|新|刚)|本公司|这款|本产品|推荐|性价比|cp值|收益|回报|"
                 r"保证|只要"
                 r"|只需|免费|优惠|送一|数一数二|业内|业界|一举两得|兼顾|覆盖|涵盖|即赔|就赔|保到"
                 r"|保障到|豁免|最新推出|刚推出|新推出", ANY),
    (T.PITCH, 2, r"这(?:个|份|款)?(?:产品|计划|方案|保单)|缴费|保障终身|终身保障|附加|加送|赠送"
                 r"|额外"
                 r"|保额|周年庆|限时|活动期间|热卖|重疾险|医疗险|意外险|年金|寿险|保险|赔付|报销"
                 r"|领钱|派发|领到"
                 r"|保障更|多次赔|才几|只是几", TELL),
    # closed: yes/no checks, including a statement said as a question
    (T.CLOSED, 2, r"(?:吗|吧|(?<![什怎这那])么|没有|对吧|对吗|没错吧|是吧|可以吗|方便吗|好吗|行吗"
                  r"|了没|(?<!还)没|(?<![还也都])不)\?*$",
     ASK),
    (T.CLOSED, 1, r"是不是|有没有|(.)不\1", ASK),
    (T.CLOSED, 1, r"^(?!.*(?:什么|哪|几|多少|谁|怎么|如何|还是|是不是|有没有"
                  r"|会不会)).*[^吗吧么呢]\?$", ASK),
    # S: open questions about the situation, and either/or questions
    (T.S, 1.5, r"什么|哪|几(?![千百万十])|多少|多大|多久|怎么(?!办)|如何|谁|怎样|" + _ZH_OR, ASK),
    # other: greetings and pleasantries
    (T.OTHER, 3, r"^(?:您好|你好|早上好|谢谢|多谢|不好意思|恭喜|稍等|明白|好的|嗯)|最近好吗", ANY),
    # --- added for issue 15: question shapes the first rules missed -------------------------
    # P: what an illness in the family cost or did, asked about the past (not "what if")
    (T.P, 5, r"^(?!.*(?:如果|万一|要是|假如|假设|一旦)).*(?:爸|妈|父|母|岳父|岳母|公公|婆婆|老人|"
             r"家里人"
             r"|家人|亲人|家里有没有人|家里有人|家族|身边|朋友|亲戚|兄弟|姐妹|哥|姐|弟|妹|老公|"
             r"老婆|爱人"
             r"|先生|太太).{0,20}(?:病|癌|肿瘤|中风|住院|手术|治|洗肾|透析|心脏|遗传|危疾|重疾|病史"
             r"|走了|去世|车祸|意外|受伤|工伤|骨折|卧床)", ASK),
    # P: how well things hold up now, and trouble met before
    (T.P, 3, r"^(?!.*(?:如果|万一|要是|假如|假设|一旦)).*(?:扛得住|撑得住|维持|够用|够不够|缩水|"
             r"挖走|被挖"
             r"|离职率|流失|不愉快|怨言|头痕|放不下|遇过|混在一起|分得清|保障不足|不足|跑不赢|"
             r"吃亏)", ASK),
    # I: a condition, then what follows from it
    (T.I, 3, r"(?:如果|要是|万一|假如|假设|一旦|不提前|没有提前|没提前).{0,40}(?:从哪|哪里来|哪来|"
             r"谁来|谁帮"
             r"|谁养|怎么办|怎么周转|会怎样|会怎么样|变成怎样|变成什么|还能|还可以|还剩|得折腾|"
             r"多掏|掏多少"
             r"|要掏|赔不够|多大的?负担|多大的?冲击|还有多少|撑多久|能撑|应付得过来|过得来|继续吗"
             r"|被迫|只能|卖掉|贱卖)", ASK),
    (T.I, 3, r"(?:以后|之后|的话|完以后|光了).{0,30}(?:还能|还可以|会不会|能不能|"
             r"还有没有).{0,20}(?:吗|\?)$"
             r"|从哪里出|从哪里来|从哪儿来|这笔钱从哪|剩下的.{0,10}(?:多少|谁)|购买力|"
             r"还剩多少", ASK),
    # N: the client's ideal, and their need said back for them to confirm
    (T.N, 4, r"理想", ASK),
    (T.N, 6, r"(?:所以|听下来|听起来|这样听起来|听落|也就是说|总结一下|换句话说|看来).{0,40}"
             r"(?:最|需要|想要|希望|在意|看重|重视|优先|关心|想).{0,50}(?:对吗|对吧|是吧|是这样吧"
             r"|是不是|理解得对|理解得对不对|理解得啱|啱不啱|没错吧|对不对|是这样吗)", ASK),
    (T.N, 3, r"(?:会不会|是不是|能不能)(?:就|能|可以)?(?:更)?(?:容易|轻松|小很多|少很多|专心|安心|"
             r"放心"
             r"|好一些|好一点)|有没有价值|有价值|(?:容易|轻松|好)一些|(?:压力|负担).{0,6}小", ASK),
    # pitch: what our plan does, costs or pays, said (or asked as a tag question)
    (T.PITCH, 3, r"现金价值|已交保费|返还|扣税|免税|赔钱|到账|绿通|专家号|包埋|保终身|交十年|"
                 r"宣告利率"
                 r"|利变|咖啡钱|一杯咖啡|成百万|百万保障|抵不抵|不错吧|划算吧|很好吧|(?:保障|"
                 r"保).{0,6}(?:种|项)"
                 r"|我们有|我们的.{0,10}(?:服务|计划|方案|产品)", ANY),
    # S: a polite frame round a what/which question, and requests to tell
    (T.S, 3, r"(?:什么|哪|几(?![千百万十])|多少|怎么(?!办)|谁).{0,30}(?:说说|说一下|讲讲|聊聊|"
             r"介绍一下)"
             r"|^(?:说说|讲讲|聊聊|介绍一下|跟我说说|可以说说)", ANY),
    (T.S, 1, r"(?:什么|哪|几(?![千百万十])|多少|怎么(?!办)|谁).*\?.+", ASK),
    # other: winding up the meeting
    (T.OTHER, 5, r"^(?:今天就?先|那就先|就先|先这样|改天|那今天)|随时(?:找|联系|微信|问|"
                 r"打给)我", ANY),
    # --- added with the extra training data (held-out sets frozen2 and train_extra) ----------
    # P: a bad event already met, and what it cost or how they got through it
    (T.P, 3, r"^(?!.*(?:如果|万一|要是|假如|假设|一旦)).*(?:那次|那回|那阵|那几年|那段|上次|上回"
             r"|之前|以前|去年|当时|当年).{0,30}(?:花了|掏了|赔了|付了|补了|垫了|搭进去|熬过来"
             r"|撑过来|扛过来|挺过来)", ASK),
]

_EN_BAD = (r"stopp?ed|lost|left|passed away|died|illness|\bill\b|sick|accident|lawsuit|rising"
           r"|alone|couldn't|can't work|long-term care|trouble|fail|went under|collaps|wasn't"
           r"|weren't|not there|short|laid off|ran out|no longer|injur|not around|retrench|disabled"
           r"|critically|\bstops?\b|stuck|\bdies\b|runs? (?:out|dry)|crash|closes? down"
           r"|\blos(?:e|es|ing) (?:your|his|her|the|their)\b")
_EN_RULES: list[tuple[QuestionType, float, str, str]] = [
    (T.N, 2, r"\bhelp\b|useful|worth|important|mean to you|peace of mind|easier|more settled"
             r"|feel (?:more|better|easier|safer|right)|change things|make (?:a )?difference"
             r"|\bbenefit (?:you|your)|would .{0,20}\bbenefit\b|sound right|make sense"
             r"|(?:that|this|it) work for you|sleep better|rest easier|relax|more comfortable"
             r"|happier|calmer"
             r"|more secure|matter to you|open to|without worrying|worry-free|take a look"
             r"|fill (?:the|that|those) gaps?|interested in", ASK),
    (T.N, 4, r"^so (?:what )?you(?:'re| are)? (?:need|want|looking|value)"
             r"|^so what (?:you|matters)", ASK),
    (T.N, 1, r"\bif (?:you|we|there|your \w+) (?:had|could|were|was|set aside|put aside|got"
             r"|received|knew)\b|\bif (?:the|a|your) .{0,40}(?:were|was) (?:set aside|covered"
             r"|paid|taken care)", ASK),
    (T.I, 2, r"what would happen|what happens|\bwhat if\b|affect|impact|cost you|who would"
             r"|how long could|how long would|at risk|mean for|lead to|would you have to|cope"
             r"|get paid|dragged|consequence|delay|derail|set back|come after|go after|liable"
             r"|fall on|end up|put on (?:them|you|him|her)|keep up with|inflation|pressure would"
             r"|how bad", ASK),
    (T.I, 2, r"\bif\b.{0,60}(?:" + _EN_BAD + r")|^without\b", ASK),
    (T.P, 2, r"worr|concern|unhappy|not happy|happy with|satisf|confident|\bhard|difficult"
             r"|headache|frustrat|struggl|problem|\benough\b|complain|challeng|bother"
             r"|keeps you up|stress|weighs|tight|tough|stretched|squeezed|how easy|how smooth"
             r"|a pain|hassle|annoy|grumbl|irritat|upset|crept|more than (?:you )?expected"
             r"|inconvenien|\bslow|disappoint|let down|gone up|how (?:have|do|did) .{0,25}\bf(?:ou"
             r"|i)nd",
     ASK),
    (T.PITCH, 2, r"\bour (?:plan|product|company|scheme|policy|policies|group|critical|team)"
                 r"|\bwe (?:have|offer|provide|are)\b|this (?:plan|policy|annuity|product)"
                 r"|\brecommend|guarantee|costs? (?:just|only)|\bjust \$|\bonly \$"
                 r"|(?<!when )(?<!be )(?<!re )\bfree\b(?! (?:now|later|today|tonight|tomorrow"
                 r"|after|on))"
                 r"|sign up|\brated\b|popular|great product|isn't that great|waiver"
                 r"|\bcovers\b|protection and savings|bonus|promotion|discount|special offer"
                 r"|limited time", ANY),
    (T.PITCH, 2, r"\bour\b|rider|payment term|lifetime cover|sum assured|new policies"
                 r"|\b(?:this|the|that) (?:\w+ )?(?:plan|cover|annuity|policy)\b|reimburse"
                 r"|pays (?:out|monthly)|protected", TELL),
    (T.CLOSED, 2, r"^(?:do|does|did|are|is|am|was|were|have|has|had|can|could|will|shall|should"
                  r"|may|would)\b.*\?$|,? (?:right|yes|correct|ok|okay)\??$|is that (?:ok|okay"
                  r"|alright|fine)\?$"
                  r"|, (?:is|are|do|does|did|was|were|have|has|will|would|can)n't"
                  r" (?:he|she|it|you|they|we|i)\?$", ASK),
    (T.S, 1.5, r"^(?:what|which|where|when|who|whose|how|tell me|roughly)\b"
               r"|\b(?:how many|how much|how old|how long)\b", ASK),
    (T.S, 2.5, r"^(?:is|are|do|does|did|was|were|have|has|would)\b.*\bor\b(?! not)", ASK),
    (T.OTHER, 3, r"^(?:hi|hello|thanks|thank you|sorry|congratulations|great to|nice to)\b"
                 r"|how are you|how have you been|how's it going", ANY),
    # --- added for issue 15 --------------------------------------------------------------
    # P: illness in the family, asked about the past (not "what if")
    (T.P, 5, r"^(?!(?:and )?(?:if|what if|suppose|say|assuming)\b)(?!.*\bif\b).*\b(?:dad|mum|mom"
             r"|father|mother|parents|family|anyone close|close to you|brother|sister|relatives?"
             r"|in-laws|friends?)\b.{0,40}\b(?:cancer|stroke|ill|illness|sick|hospital\w*|bypass"
             r"|heart|surgery|diagnosed|diabetes|treatment|passed away)\b", ASK),
    (T.P, 3, r"^(?!(?:and )?(?:if|what if|suppose|say)\b).*\b(?:ever had|trouble|rejected|"
             r"dragged out"
             r"|losing out|tied (?:up|to)|comfortable with|keep(?:s)? you up|stressful|headache"
             r"|bother(?:s)? you|feel tight|any concerns|last you)\b", ASK),
    (T.P, 3, r"^(?:do you think|is|are|will|would)\b.{0,60}\benough\b", ASK),
    # I: a condition, then what follows from it
    (T.I, 3, r"^(?:and )?(?:if|what if|suppose|assuming|say|without)\b.{0,120}\b(?:where|who|who's"
             r"|what|how much|how many|how long|how would|could you still|can you still|would you"
             r"still|what happens|could|would|(?:can|will) (?:the|your|you|they|he|she|we)\b.{0,40}"
             r"\bstill)\b", ASK),
    (T.I, 3, r"\bwhat would it (?:cost|mean for)|\bfork out\b|\bout of pocket\b|\bwhere would"
             r" (?:you|your|the)|\bwhat would .{0,30}\bbe worth\b|\bcould you still\b", ASK),
    # N: the ideal, feelings about a solution, the need said back
    (T.N, 4, r"\bideal\b|\bhow would you feel\b|\bwhat difference would\b|\bfair to say\b"
             r"|\bmean to your\b", ASK),
    (T.N, 5, r"^(?:so|sounds like|it sounds like|so it sounds like)\b.{0,120}(?:right|correct|fair"
             r"|yes|isn't it)\W*$", ASK),
    # pitch: what the plan does or costs
    (T.PITCH, 3, r"\b(?:only|just) (?:about )?(?:\$|rm|s\$)?\s?\d|\bdollars? a day\b|"
                 r"\bcents a day\b"
                 r"|\bpays? again\b|\bcovered for life\b|\bclaims? (?:usually )?settle\b|"
                 r"\bmulti-pay\b"
                 r"|\bnominated beneficiary\b|\bprobate\b|\bpayout goes\b|\bpay for just\b", ANY),
    # closed: the Singlish check (a yes/no marker like 吗: a problem cue still wins on a tie)
    (T.CLOSED, 2, r"\bor not\W*(?:ah|leh|lah)?\W*$|^can or not\b", ANY),
    # S: requests to tell
    (T.S, 3, r"^(?:walk me through|talk me through|tell me about|tell me more)\b", ANY),
    # --- added for English on unseen wording (shapes, not sentences) ----------------------
    # closed: subject-auxiliary inversion without a question mark, and a statement said as a
    # question (no wh-word, no either/or), as the Chinese rules already do for "...?"
    (T.CLOSED, 2, r"^(?:do|does|did|are|is|was|were|have|has|can|could|will|shall|should)"
                  r"(?:n't)? (?:you|your|we|i|he|she|it|they|the|this|that|there|my|our|his"
                  r"|her|both|all|any)\b(?!.*\bor\b)(?!.*\?$)", ASK),
    (T.CLOSED, 1, r"^(?!(?:do|does|did|are|is|am|was|were|have|has|had|can|could|will|shall"
                  r"|should|may|would)\b)(?!.*\b(?:what|what's|whats|which|where|when|who|who's"
                  r"|whose|why|how|or)\b).*\?$", ASK),
    # S: requests to share, and wh-questions after a lead-in or in place ("staying in which area")
    (T.S, 3, r"^(?:(?:can|could) (?:you )?share|share with me|may i know|can i know|mind sharing"
             r"|just to understand|just curious)\b", ANY),
    (T.S, 1.5, r"(?:^(?:so|and|just curious,?|at|by|may i know)|,) (?:what|what's|whats|which|where"
               r"|when|who|who's|whose|how)\b|^whats\b|\b(?:is|are|with|in|at|from) (?:how|which"
               r"|what|where|who)\b", ASK),
    # P: more words for a difficulty or a doubt, asked yes/no or open
    (T.P, 2, r"\bsufficient|\bon track\b|\btoo (?:much|little|low|high|expensive|dependent|slow"
             r"|long)\b|confus|\bunsure\b|\bscares?\b|turned down|\bawake\b|\bstrain|\bbugs? "
             r"you\b|eating into|\bissues?\b|pain points?|\bworst\b|underinsured|keeping you up"
             r"|(?<!more )comfortable|\bjump(?:ed|s)?\b|shot up"
             r"|as (?:fast|much|well|good) as (?:you )?(?:hoped|expected|wanted)", ASK),
    # P: illness in the family, asked about the past, more relatives and more illnesses
    (T.P, 5, r"^(?!(?:and )?(?:if|what if|suppose|say|assuming|imagine)\b)(?!.*\bif\b).*"
             r"(?:\b(?:grand\w*|uncle|aunt\w*|siblings?|wife|husband|spouse|anyone in your family"
             r"|your family|the family)\b.{0,40}\b(?:cancer|stroke|illness|sick|hospital\w*"
             r"|warded|heart|surgery|diagnosed|diabetes|dementia|chronic|health scares?"
             r"|pass(?:ed)? away)\b|\bhistory of\b.{0,30}\b(?:cancer|illness|heart|stroke"
             r"|diabetes)\b.{0,30}\bfamily\b)", ASK),
    # I: a bad turn, then what it leads to, asked in place ("then how", "comes from where")
    (T.I, 3, r"^(?:and )?(?:if|suppose|assuming|say|let's say|imagine|then)\b.{0,120}(?:\b(?:then"
             r" (?:how|what)|from where|where will|how to)\b)", ASK),
    # N: a good turn (a solution, something settled), then how it would feel or help
    (T.N, 3, r"\bhow would (?:that|it|you) (?:feel|help|change)\b|\bwould (?:that|it) (?:be|help"
             r"|interest|suit|work|matter|make)\b.{0,30}\b(?:useful|helpful|good|worth|valuable"
             r"|important|relief|easier|difference|you)\b|\bworry less\b|\bsee value\b"
             r"|\bhow valuable\b|\bwhat would you do (?:with|differently|instead)|\bfocus on"
             r" instead\b|\btake (?:some )?(?:pressure|load|stress) off\b", ASK),
    (T.N, 2, r"^(?:and )?(?:if|once|when|say)\b (?:we|you|there's a|there is a|the \w+ (?:gets?|"
             r"was|were|is)) ?.{0,60}\b(?:covered|paid off|cleared|settled|sorted|protected"
             r"|taken care|set aside|planned|in place|fix(?:ed)?|handled|lock(?:ed)? in|could)\b",
     ASK),
    (T.N, 5, r"^(?:so )?(?:the )?(?:main|key|most important|biggest) thing (?:for you )?is\b"
             r"|^so (?:basically )?you(?:'re| are) looking for\b|correct me if i'm wrong\W*$"
             r"|^so what matters\b", ASK),
    # pitch: what the plan pays, covers or costs, said as a statement
    (T.PITCH, 2, r"\b(?:premiums?|payouts?|pays|coverage|covered|cash value|returns|claims"
                 r"|tax (?:deduction|relief)|insurers?|guaranteed|diagnosis|capital|fund)\b|%"
                 r"|\bwe(?:'re| settle| manage| pay)\b", TELL),
    (T.PITCH, 3, r"\b(?:convenient|good|worth it|not bad|better|cheap|affordable|great|attractive"
                 r"|value)\W*,? (?:right|isn't it|don't you think|yes)\W*$", ANY),
    # other: the small talk and promises that open like a question ("have a good weekend")
    (T.OTHER, 3, r"^(?:have a (?:good|nice|great|safe|lovely)|enjoy|safe trip|take care|cheers"
                 r"|noted|no problem|no worries|will (?:send|call|update|text|check|drop|email"
                 r"|get back|revert)|let me know)\b", ANY),
]

_ZH_QUESTION = re.compile(
    r"\?|[吗呢么吧]$|(?<!还)没$|(?<![还也都])不$|什么|哪|几(?![千百万十])|多少|多大|多久|谁"
    r"|怎么|如何|是不是|有没有|(.)不\1|对吧|对吗"
    r"|没错吧|^(?:说说|讲讲|聊聊|跟我说说)|" + _ZH_OR)
_EN_QUESTION = re.compile(
    r"\?$|^(?:what|which|where|when|who|whose|why|how|do|does|did|are|is|can|could|would|will"
    r"|shall|should|have|has)\b|^(?:walk me through|talk me through|tell me about|tell me more)"
    r"|\?\s"
    # wh-words after a lead-in or in place, clause-initial auxiliaries, Singlish tags
    r"|(?:^|, )(?:so |and |then |just curious,? |roughly |at |by |may i know |can i know )?(?:what"
    r"|what's|whats|which|where|when|who|who's|whose|how)\b"
    r"|\b(?:is|are|with|in|at|from) (?:how|which|what|where|who)\b|\b(?:then|from) (?:how|what"
    r"|where)\W*$|, (?:can|could|would|will|do|does|did|is|are|was|were|have|has) (?:you|your"
    r"|the|we|i|he|she|it|they|there|that|this|my|our)\b|\bor not\W*(?:ah|leh|lah)?\W*$"
    r"|^can or not\b|^(?:any|anything|anyone|ever)\b|,? (?:right|correct|is it|isn't it)\W*$"
    r"|^(?:honestly|frankly|so|and|but|then|by the way|btw|actually),? (?:what|which|where|when"
    r"|who|how|do|does|did|is|are|was|were|have|has|can|could|would|will)\b"
    r"|^(?:(?:can|could) (?:you )?share|share with me|may i know|mind sharing)\b")

# Mainland colloquial question words, read as the standard ones the rules use.
_ZH_COLLOQUIAL = {"咋办": "怎么办", "咋整": "怎么办", "咋样": "怎么样", "咋": "怎么", "啥": "什么"}
_ZH_COLLOQUIAL_RE = re.compile("|".join(sorted(_ZH_COLLOQUIAL, key=len, reverse=True)))


def _compile(rules: list[tuple[QuestionType, float, str, str]]) -> list[Rule]:
    return [(kind, weight, re.compile(pattern), scope) for kind, weight, pattern, scope in rules]


_RULES = {"zh": _compile(_ZH_RULES), "en": _compile(_EN_RULES)}


class RuleClassifier:
    """The offline, rule-based question classifier."""

    def classify(self, text: str, locale: str) -> QuestionType:
        """The type of one utterance; Chinese rules for zh-* or any text with CJK characters."""
        return rule_analysis(text, locale).kind


class RuleAnalysis(NamedTuple):
    """What the rules saw in one utterance: the text they read, which rules fired, their call."""

    norm: str
    chinese: bool
    asking: bool
    fired: tuple[int, ...]
    scores: dict[QuestionType, float]
    kind: QuestionType


def rule_analysis(text: str, locale: str) -> RuleAnalysis:
    """Run the rules on one utterance and keep everything they found (the model reads it)."""
    chinese = not locale.lower().startswith("en") or bool(CJK.search(text))
    norm = _prepare(text, chinese)
    scores = dict.fromkeys(QuestionType, 0.0)
    if not norm:
        return RuleAnalysis(norm, chinese, False, (), scores, QuestionType.OTHER)
    asking = bool((_ZH_QUESTION if chinese else _EN_QUESTION).search(norm))
    fired = []
    for index, (kind, weight, pattern, scope) in enumerate(_RULES["zh" if chinese else "en"]):
        if scope in (ANY, ASK if asking else TELL) and pattern.search(norm):
            scores[kind] += weight
            fired.append(index)
    if not asking:
        for kind in ASKING:
            scores[kind] = 0.0
    best = max(scores.values())
    if best <= 0:
        kind = QuestionType.S if asking else QuestionType.OTHER
    else:
        kind = next(k for k in PRIORITY if scores[k] == best)
    return RuleAnalysis(norm, chinese, asking, tuple(fired), scores, kind)


def _prepare(text: str, chinese: bool) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[!！。.…~～]+$", "", text).strip()
    if not chinese:
        return re.sub(r"\s+", " ", text.replace("’", "'").replace("—", "-"))
    text = re.sub(r"\s+", "", fold_chinese(text))
    return _ZH_COLLOQUIAL_RE.sub(lambda m: _ZH_COLLOQUIAL[m.group()], text)


class BlendedClassifier:
    """The trained n-gram model with the rules' choice added as a fixed bonus (the default).

    Rules alone overfit the wording they were written against (0.63-0.86 on a second
    independent set); the model (tools/train_question_model.py) generalises better, and the
    rules' choice still settles what the model is unsure about.
    """

    def classify(self, text: str, locale: str) -> QuestionType:
        seen = rule_analysis(text, locale)
        if not seen.norm:
            return QuestionType.OTHER
        logits, mix = model_scores("zh" if seen.chinese else "en",
                                   ngram_features(seen.norm, seen.chinese))
        logits[str(seen.kind)] += mix
        best = max(logits.values())
        return next(kind for kind in PRIORITY if logits[str(kind)] == best)


_DEFAULT = BlendedClassifier()


def classify_question(text: str, locale: str) -> QuestionType:
    """The type of an agent's question with the default classifier (model plus rules)."""
    return _DEFAULT.classify(text, locale)
