"""Word lists and precompiled patterns: speech verbs, source nouns, distractor cues, stance cues.

Everything the rules look for in the text lives here, so that a lead adapting the codebook has
one file to read. Patterns are compiled once at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def words(s: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(s.split())


_words = words


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True))


# --- speech verbs -----------------------------------------------------------------------------
SPEECH_VERBS = _words(
    "said says say told tells added adds stated states declared declares insisted insists warned warns "
    "argued argues stressed stresses noted notes remarked explained explains replied replies responded "
    "answered wrote writes posted tweeted announced announces urged urges pledged promised vowed "
    "acknowledged admitted conceded cautioned complained claimed claims suggested suggests concluded "
    "continued recalled emphasised emphasized underlined underscored reiterated maintained predicted "
    "confirmed countered retorted observed commented quipped agreed objected protested threatened assured "
    "exclaimed shouted boasted lamented mused asked asks wondered demanded demands charged alleged hinted "
    "signalled signaled indicated contended asserted"
)
# verbs whose complement is a content clause (reported speech)
CLAUSE_VERBS = _words(
    "said says told tells added adds stated declared insisted insists warned warns argued argues stressed "
    "stresses noted explained announced acknowledged admitted conceded cautioned complained claimed claims "
    "suggested maintained predicted confirmed countered reiterated emphasised emphasized underlined "
    "underscored signalled signaled indicated assured reminded wrote writes posted replied responded "
    "believes believed hopes hoped expects expected fears feared thinks agreed denied alleged charged "
    "pledged promised vowed threatened estimated contended asserted observed recalled argue say insist warn "
    "believe think suggest maintain contend"
)
TELL_VERBS = _words(
    "told tells tell telling assured assures assuring reminded reminding informed informing "
    "warned warning warns promised promising"
)
PARTICIPLES = _words(
    "saying adding warning insisting arguing noting stressing claiming explaining declaring telling "
    "suggesting acknowledging conceding cautioning complaining predicting signalling signaling asserting "
    "hinting indicating promising pledging vowing threatening stating"
)
URGE_RE = re.compile(
    r"\b(?:urged|urges|urging|called\s+(?:on|upon)|calls\s+(?:on|upon)|calling\s+(?:on|upon)|appealed\s+to|"
    r"appeals\s+to|appealing\s+to|pressed|presses|pressing|implored|exhorted)\s+(?!not\b)",
    re.I,
)
CALL_FOR_RE = re.compile(r"\b(?:called|calls|calling)\s+for\s+", re.I)
CALLED_VERBS = _words(
    "called calling described describing dismissed dismissing branded branding labelled labeled labelling "
    "labeling hailed hailing denounced denouncing condemned condemning praised praising termed "
    "characterised characterized welcomed welcoming"
)

SPEECH_VERB_RE = re.compile(r"\b(?:" + _alt(SPEECH_VERBS | {"went on"}) + r")\b", re.I)
CLAUSE_VERB_RE = re.compile(r"\b(?:" + _alt(CLAUSE_VERBS) + r")\b", re.I)

# adverbials between a speech verb and its clause ("said on Monday in a statement that …")
_DAY = r"(?i:mon|tues|wednes|thurs|fri|satur|sun)day"
ADVERBIAL_RE = re.compile(
    r"\s*,?\s*(?:"
    rf"(?:late|early|later|earlier)\s+on\s+{_DAY}|on\s+{_DAY}(?:\s+(?:morning|afternoon|evening|night))?|"
    r"on\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}|"
    r"(?:last|this|next)\s+(?:week|month|year|weekend|morning|afternoon|evening|night|spring|summer|autumn|winter)|"
    rf"earlier(?:\s+(?:this|on)\s+(?:week|month|year|day|{_DAY}))?|later(?:\s+in\s+the\s+day|\s+on)?|"
    r"\([^()\n]{1,40}\)|overnight|yesterday|today|tonight|again|also|privately|publicly|separately|repeatedly|firmly|"
    r"bluntly|flatly|simply|only|recently|previously|then|now|"
    r"in\s+(?:a|an|his|her|their|its)\s+(?:[\w-]+\s+){0,2}?(?:statement|address|interview|speech|message|post|"
    r"letter|briefing|communiqu[eé]|broadcast|video|note|op-ed|article|report|appearance|tweet)"
    r"(?:\s+(?:on|to|with|at)\s+[^,;:.\"“”]{1,40}?(?=\s+that\b|\s*[,:]|$))?|"
    r"at\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:conference|briefing|meeting|summit|rally|hearing|session|event|ceremony)"
    r"(?:\s+(?:in|at|on)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)?|"
    r"after\s+(?:the|a|an|his|her|their)\s+(?:[\w-]+\s+){0,3}?(?:talks|meeting|meetings|summit|vote|call|session|visit)"
    r"(?:\s+(?:in|with)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)?|"
    r"by\s+(?:phone|telephone|video\s+link)|on\s+(?:social\s+media|television|(?:state\s+)?(?:television|radio|TV))|"
    r"on\s+(?:X|Twitter|Telegram|Facebook|its\s+website|his\s+website|her\s+website)"
    r")",
)

# --- speakers ---------------------------------------------------------------------------------
PRONOUNS = {"he": "m", "she": "f", "they": "pl", "it": "it", "we": "we", "i": "i"}
ANON_NOUNS = _words(
    "official officials diplomat diplomats source sources aide aides adviser advisers advisor advisors "
    "negotiator negotiators officer officers spokesman spokeswoman spokesperson spokespeople person people "
    "insider insiders analyst analysts expert experts observer observers lawmaker lawmakers legislator "
    "legislators member members delegate delegates resident residents witness witnesses company companies "
    "firm firms trader traders worker workers volunteer volunteers woman women man men soldier soldiers "
    "farmer farmers fisherman fishermen executive executives banker bankers investor investors commander "
    "commanders engineer engineers economist economists critic critics activist activists campaigner "
    "campaigners protester protesters voter voters citizen citizens journalist journalists doctor doctors "
    "minister ministers envoy envoys mediator mediators staffer staffers participant participants group "
    "groups agencies charities organisations organizations ngos"
)
SPOKES = _words("spokesman spokeswoman spokesperson spokespeople")
QUANTIFIERS = _words(
    "a an one two three four five six several some many other few both dozens numerous another various"
)
DOC_NOUNS = _words(
    "statement communique communiqué declaration letter report post message document text "
    "note notice memo memorandum release"
)
TITLE_WORDS = _words(
    "minister president premier chancellor leader envoy ambassador negotiator spokesman spokeswoman "
    "spokesperson secretary secretary-general director head chief chairman chairwoman chair commissioner "
    "governor mayor admiral general commander coordinator adviser advisor executive captain judge king queen "
    "prince senator deputy mediator host ombudsman ombudswoman monarch emir sheikh officer scientist "
    "economist professor founder owner official diplomat representative delegate lawmaker mp"
)
HONORIFICS = _words(
    "mr mrs ms miss dr prof sir dame lord lady father reverend rev pastor imam rabbi bishop "
    "archbishop cardinal"
)
ORG_WORDS = _words(
    "ministry council commission union bank party agency committee organisation organization front alliance "
    "institute office assembly parliament court fund authority service association forum movement group "
    "league federation secretariat mission coalition army forces guard company corporation inc ltd "
    "government cabinet senate congress chamber board centre center foundation network initiative bureau "
    "department university society club navy police embassy consulate"
)
SUBJECT_STOP = _words(
    "the a an but and in on at after before during while as for with from by to of however meanwhile "
    "then when where so yet also speaking asked according despite following earlier later separately "
    "still even this that these those his her their its our"
)

# --- distractors ------------------------------------------------------------------------------
NAMING_BEFORE_RE = re.compile(
    r"(?:\bso[- ]called|\b(?:titled|entitled|headlined|headed|dubbed|nicknamed|code[- ]?named|named|"
    r"known\s+as|termed|billed\s+as|marked|reading|read|slogan|motto|hashtag|banner|label|labelled|"
    r"labeled)|\bthe\s+(?:word|words|term|phrase|expression|slogan|motto|name|label|title|hashtag|"
    r"heading|codename|code\s+name)|\b(?:under|with)\s+the\s+(?:title|slogan|banner|name|heading|motto)|"
    r"\b(?:operation|exercise|plan|programme|program|project|campaign)|"
    r"\brefer(?:s|red|ring)?\s+to\s+(?:[^\s“”\"]+\s+){0,6}as|\b(?:call|calls)\s+(?:[^\s“”\"]+\s+){0,5}|"
    r"\b(?:taken\s+to|took\s+to|started|begun|began|begin|took\s+to)\s+calling\s+(?:[^\s“”\"]+\s+){0,5}|"
    r"\b(?:dubbed|nicknamed|named|code[- ]?named|renamed)\s+(?:[^\s“”\"]+\s+){1,5}|"
    r"\bwhat\s+(?:[^\s“”\"]+\s+){0,5}(?:call|calls|called|dubbed|describe|describes|described)(?:\s+(?:it|them|this))?)"
    r"\s*(?:,\s*)?$",
    re.I,
)
SMALL_WORDS = _words("a an the of for and or to in on at by with from as is are our my your its")

# --- stance -----------------------------------------------------------------------------------
FIRST_PERSON = _words("i we us our ourselves myself")
NEG_SUBJECTS = _words("nobody no-one noone none nothing")
MODAL_DIRECTIVE_RE = re.compile(
    r"\b(must(?:\s+not|n['’]t)?|should(?:\s+not|n['’]t)?|ought\s+to|has\s+to|have\s+to|had\s+to|"
    r"will\s+have\s+to|would\s+have\s+to|needs\s+to|need\s+to|is\s+obliged\s+to|are\s+obliged\s+to|"
    r"is\s+required\s+to|are\s+required\s+to|has\s+until|have\s+until|had\s+until)\b",
    re.I,
)
DEMAND_RE = re.compile(
    r"\b(?:(?:we|i)\s+(?:\w+\s+)?(?:call|calls)\s+(?:on|upon|for)|(?:call|calls|called|calling)\s+(?:on|upon)\s+\w+|"
    r"(?:urge|urges|urged|urging)\s+(?!not\b)\w+|(?:we|i)\s+(?:\w+\s+)?(?:demand|insist)|"
    r"demand(?:s|ed)?\s+(?:that|the|an|a|immediate)|insist(?:s|ed)?\s+on|ultimatum|"
    r"(?:we|i)\s+(?:\w+\s+)?(?:want|expect|need|ask|require)\s+(?:\w+\s+){1,5}?to\b|"
    r"(?:we|i)\s+(?:\w+\s+)?(?:want|need)\s+(?:it|them|this|that|answers|guarantees|action)\b|"
    r"(?:want|wants|wanted)\s+(?:the\s+|an?\s+)?(?:\w+\s+){0,3}(?:signed|lifted|withdrawn|released|paid|"
    r"returned|reopened|stopped|removed|delivered|back)\b|"
    r"(?:want|wants|wanted)\s+(?:guarantees|answers|inspections|compensation|assurances|action)|"
    r"(?:asked|asks)\s+(?!not\b)\w+(?:\s+\w+){0,3}\s+to\s+\w+|(?:it\s+is|it['’]s)\s+time\s+for\s+\w+|"
    r"(?:expect|expects|expected)\s+(?!to\b)(?:\w+\s+){1,4}?to\b|"
    # a directive in the passive at another party ("Kestria is expected to pull back"); "we are …" is not
    r"(?:(?<!\bit\s)(?<!\bIt\s)\bis|(?<!\bwe\s)(?<!\bWe\s)\bare)\s+(?:expected|required|obliged|obligated)\s+to\b|"
    r"please\s+\w+|(?:called|calls|calling)\s+for\s+(?!talks\b|calm\b|restraint\b)\w+|"
    # "it is essential that the League carries …": a directive without a modal
    r"(?:it\s+is|it['’]s)\s+(?:essential|vital|crucial|imperative|necessary|urgent)\s+(?:that|for)\b|"
    # "we are asking for the laboratory results" (a negation in between is no request)
    r"(?:we|i)\s+(?:am\s+|are\s+)?(?:ask|asking)\s+(?:only\s+)?for\b)",
    re.I,
)
# adverbs that may come before an imperative ("Just keep them away")
IMPERATIVE_LEAD = _words("just simply please now so then")
IMPERATIVE_START = _words(
    "stop withdraw end release return respect come sit sign lift open reopen allow give pull halt cease "
    "show prove hand leave put pay stay keep tell let free drop abandon honour honor accept implement "
    "restore remove send"
)
CAVEAT_RE = re.compile(
    r"\b(?:only\s+if|provided|providing|as\s+long\s+as|so\s+long\s+as|on\s+(?:the\s+)?condition|unless|"
    r"until|once(?!\s+again)|if|but|however|although|though|except|in\s+principle|details?|concerns?|"
    r"concerned|worr(?:y|ied|ies|ying)|warn(?:s|ed|ing)?|risks?|refus\w*|reject\w*|premature|too\s+(?:early|soon)|"
    r"depend(?:s|ed|ing)?|doubts?|doubtful|questions?|unacceptable|caution\w*|careful|sceptic\w*|"
    r"skeptic\w*|danger\w*|threat\w*|fragile|obstacles?|problems?|difficult|remains\s+to\s+be\s+seen|"
    r"not\s+yet|conditions?|(?<!without\s)reservations?|provocat\w*|violat\w*|escalat\w*|fail\w*|illegal|nonsense|"
    r"regret\w*|frustrat\w*|disappoint\w*|limits?|leverage|pretext|propaganda|aggression|shell(?:ed|ing)|"
    r"fired\s+on|opened\s+fire|attack(?:ed|s)?|accus\w*|blame\w*|lawful|unlawful|shortages?|crisis|collapse\w*|"
    r"disaster\w*|catastroph\w*|damag\w*|backwards?|hostages?|ransom|kidnap\w*|death|deadly|toxic|wrong|"
    r"mistakes?|split|courts?|sue|lawsuit|beat|beaten|striking|strikes|wars?|fight\w*|destroy\w*|kill\w*|"
    r"victims?|suffer\w*|lost|loss(?:es)?|delay\w*|waited|stall\w*|deadlock\w*|impasse|outrage\w*|anger|angry|"
    r"shame\w*|disgrace\w*|betray\w*|lies|blackmail|punish\w*|hostile|enem(?:y|ies)|excuses?|theatre|theater|"
    r"gunboat|another\s+matter|dead|doomed|unworkable|unrealistic|impossible|absurd|ridiculous|"
    r"retaliat\w*|consequences|respond\s+in\s+kind|(?:would|will)\s+respond|(?:it\s+is|it['’]s|now\s+it\s+is)\s+\w+(?:['’]s)?\s+turn|"
    r"insult\w*|crime|harm|surrender|strangle|little\s+chance|little\s+to\s+do|no\s+interest\s+in|"
    r"regardless|against|unlikely|challeng\w*|harder|worse|br(?:oke|oken|eak|eaking)|up\s+to\s+(?:them|you|him|her)|"
    r"cannot|can['’]t|won['’]t|will\s+not|would\s+not|do\s+not|does\s+not|did\s+not|don['’]t|"
    r"doesn['’]t|didn['’]t|is\s+not|are\s+not|was\s+not|were\s+not|isn['’]t|aren['’]t|no|not|never|nothing|"
    r"nobody|none|neither|nor|believe\s+it\s+when|shoot\w*\s+down|(?:too|overly|wildly)\s+optimistic|"
    # a doubt about a plan: "the timetable was optimistic"
    r"(?:timetable|schedule|target|plan|deadline|forecast)s?\s+(?:was|is|were|are|looked|looks|seemed|seems)"
    r"\s+(?:\w+\s+)?(?:optimistic|ambitious))\b",
    re.I,
)
# negations that reassure rather than object ("we have not forgotten you")
SOFT_NEG_RE = re.compile(
    r"\b(?:will\s+|shall\s+|would\s+)?(?:not|never)\s+rest\s+until\b|"
    r"\b(?:(?:will|shall|would|have|has|had|do|did)\s+)?(?:not|never|n['’]t)\s+(?:\w+\s+)?(?:forget|forgotten|abandon|abandoned|hesitate|rest|stand\s+in\s+the\s+way|"
    r"give\s+up\s+on\s+you|leave\s+you)\b|\bno\s+(?:doubt|question)\b|\bno\s+interest\s+in\s+(?:a\s+)?(?:confrontation|"
    r"escalation|conflict|war)\b|\bnot\s+only\b|\bnot\s+to\s+take\b|\bdon['’]t\s+want\s+to\s+take\b|"
    # "we have nothing to hide", "we will not stop until …", "not asking anyone for charity"
    r"\bnothing\s+to\s+hide\b|\b(?:not|never|n['’]t)\s+stop\s+until\b|\bnot\s+asking\s+(?:anyone|anybody)\s+for\b",
    re.I,
)
SUPPORT_RE = re.compile(
    r"\b(?:welcom\w*|accept\w*|agree\w*|support\w*|endors\w*|back(?:s|ed|ing)?|praise\w*|commit(?:s|ted|ting|ment|ments)?|"
    r"honou?r\w*|ready|willing|prepared|hope\w*|hoping|glad|pleased|grateful|thank\w*|positive|constructive|"
    r"good|step\s+in\s+the\s+right\s+direction|progress|breakthrough|encourag\w*|promising|appreciat\w*|"
    r"cooperat\w*|partners?|applaud\w*|success\w*|confident|optimistic|satisfied|important\s+step|framework|"
    r"open\s+to|on\s+the\s+table|on\s+track|stand\s+by|kept\s+their\s+word|respect|orderly|transparent|"
    r"historic|will\s+sign|settle|(?:went|gone|going|goes)\s+well|stands?\s+with|standing\s+with|solidarity|"
    r"look(?:s|ed|ing)?\s+forward\s+to|intend(?:s|ed)?\s+to|still\s+works?|without\s+reservations?)\b",
    re.I,
)
# any of these makes a reported clause take a position (codebook 1: "the ministry said talks lasted
# four hours" takes none); a bare past-tense report of facts does not
POSITION_RE = re.compile(
    r"\b(?:will|would|could|can|cannot|can['’]t|won['’]t|must|should|may|might|shall|ought|needs?\s+to|"
    r"has\s+to|have\s+to|had\s+to|not|never|no|nothing|nobody|n['’]t|if|unless|provided|until|once|"
    r"as\s+long\s+as|depend\w*|wants?|wanted|ready|willing|prepared|hope\w*|open\s+to|"
    r"determined|committed|intends?|intended|plans?\s+to|planned\s+to|remained|remains)\b|"
    r"\bexpect(?:s|ed)?\s+(?:\w+\s+){0,4}to\b",
    re.I,
)
# hostile acts: a position (an accusation) only with an agent, never in the passive
# ("Tarsenian artillery had fired on the convoy" vs "its convoy had been fired on")
HOSTILE_RE = re.compile(
    r"\b(?:shell(?:ed|ing)|fired\s+on|opened\s+fire|attack(?:ed|s|ing)?|bomb(?:ed|ing)|"
    r"violat(?:ed|ing)|seiz(?:ed|ing))\b",
    re.I,
)
HOSTILE_VERB_RE = re.compile(
    r"\b(?:shelled|fired\s+on|opened\s+fire|attacked|bombed|violated|seized)\b", re.I
)
PASSIVE_BEFORE_RE = re.compile(r"\b(?:been|was|were|being|is|are|be)\s+(?:\w+\s+)?$", re.I)

# a commitment ("we will host", "the council would publish"): support when nothing else fired
COMMIT_RE = re.compile(
    r"\b(?:will|would|shall|could|can|['’]ll)\s+(?:\w+\s+)?(?!not\b|never\b|n['’]t\b)\w+", re.I
)
POSITIVE_IDIOM_RE = re.compile(
    r"\b(?:a\s+start|enough\s+to|is\s+holding|done\s+our\s+part|(?:our|their|its)\s+word|"
    r"first\s+step|way\s+forward|good\s+faith)\b",
    re.I,
)

CONDITION_RE = re.compile(
    r"\b(only\s+if|even\s+if|if|unless|provided(?:\s+that)?|providing(?:\s+that)?|as\s+long\s+as|"
    r"so\s+long\s+as|on\s+(?:the\s+)?condition(?:\s+that)?|once(?!\s+again)|until(?!\s+(?:now|then|recently))|"
    r"as\s+soon\s+as|before(?=\s+(?:the|a|an|any|it|they|we|he|she|its|their|our|parliament|[A-Z]\w+)\s+\w+)|"
    r"only\s+after|only\s+when)\b",
    re.I,
)
CLAUSE_END_RE = re.compile(r"[,;:.!?—–]|\s-\s|\s+(?:but|and\s+then|while|whereas)\s")
ADDRESS_NONE_RE = re.compile(
    r"\b(?:both\s+(?:sides|parties|governments|countries|capitals)|all\s+(?:sides|parties)|"
    r"each\s+other|the\s+two\s+(?:sides|governments|countries))\b",
    re.I,
)
