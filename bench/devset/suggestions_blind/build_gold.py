# ruff: noqa: E501  (hand-written quotations are data: they stay on one line each)
"""The hand-written gold of the BLIND suggestion devset: run it to (re)write gold.json.

    python3 bench/devset/suggestions_blind/build_gold.py

Ten articles written and annotated by someone who never saw the suggestion engine, its tests or
the articles of ../suggestions/, following /work/shared/CODEBOOK.md and the conventions of
../suggestions/README.md. Every statement, condition and distractor below is the exact text it
covers; this script only locates each string in its article (`str.find`, with `after=` where a
string occurs twice) to store code-point offsets, and checks that quote == text[start:end], that
nothing overlaps, that spans do not start or end with whitespace, that a direct quote sits between
quotation marks (or is a labelled transcript turn), and that condition evidence lies inside its
statement. It never runs the suggestion engine. Edit the lists here, not gold.json, then rerun it.

The registry is the one of ../suggestions/gold.json plus the actors appended in NEW_ACTORS.
Named sources written as {"new": …} below are deliberately NOT in it.
"""

import importlib.util
import json
import re
from pathlib import Path

DIR = Path(__file__).resolve().parent
BASE_GOLD = DIR.parent / "suggestions" / "gold.json"

# The helpers (A, S, C, D, AN) and the locating and checking of the gold (gold_of) are the other
# dev set's builder's: loaded from its file (both are called build_gold.py).
_spec = importlib.util.spec_from_file_location(
    "devset_build_gold", DIR.parent / "suggestions" / "build_gold.py"
)
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)
A, S, C, D, AN, gold_of = _base.A, _base.S, _base.C, _base.D, _base.AN, _base.gold_of


NEW_ACTORS = [
    A(
        84,
        "Богдан Левченко",
        "person",
        ["Bohdan Levchenko", "Levchenko", "Левченко", "the Drevnian foreign minister"],
        6,
        "male",
    ),
    A(85, "Luca Ferrante", "person", ["Ferrante", "the Aurelian trade minister"], 8, "male"),
    A(86, "Daphne Kyriakidou", "person", ["Kyriakidou", "the Meridian trade minister"], 7, "female"),
    A(
        87,
        "Osk River Commission",
        "organization",
        ["the Osk River Commission", "the river commission", "the commission"],
    ),
    A(88, "Greta Vossberg", "person", ["Vossberg", "the director of the Osk River Commission"], 87, "female"),
]


ART = {}

# Reuters-like, curly double marks: attribution after, inverted, split quote, role description,
# reported speech with a partial quote, "according to" an unnamed official, "saying", "called".
ART["01_ferry_crossing"] = [
    S(
        "This is a good day for the families on both shores, and we will honour every line of the protocol,",
        20,
        "support",
    ),
    S(
        "What we will not accept is armed guards on a civilian boat.",
        20,
        "caveat",
        addressee=2,
        note="refusal, no directive",
    ),
    S(
        "the guards were “a normal feature of any international crossing” and would remain on the ferries",
        21,
        "caveat",
        direct=False,
        addressee=1,
        note="refusal of the Valdorian position, no directive",
    ),
    S(
        "Nobody should expect Sarn to send its ships out unprotected,",
        21,
        "caveat",
        addressee=1,
        note="codebook tie-break 2: the speaker's own refusal",
    ),
    S(
        "but we are ready to talk about how many guards there are and where they stand.",
        21,
        "support",
        addressee=1,
        note="an offer with no condition; the 'but' contrasts with the previous segment",
    ),
    D("the Old Lady", "nickname"),
    S("Both governments have shown that patient diplomacy still works,", 26, "support"),
    S(
        "We urge them to settle the question of the guards before the first sailing on April 1.",
        26,
        "demand",
        conds=[
            C(
                "Settle the question of the guards before the first sailing on April 1",
                "settle the question of the guards before the first sailing on April 1",
            )
        ],
    ),
    S(
        "Lindgrad could accept unarmed Kestrian officers on board as long as they wore no uniform",
        AN,
        "caveat",
        direct=False,
        addressee=2,
        conds=[C("Kestrian officers on board wear no uniform", "as long as they wore no uniform")],
    ),
    S(
        "the protocol “will not survive the summer” if Valdoria kept treating Kestrian officers as a threat",
        33,
        "caveat",
        direct=False,
        addressee=1,
        conds=[
            C(
                "If Valdoria keeps treating Kestrian officers as a threat",
                "if Valdoria kept treating Kestrian officers as a threat",
            )
        ],
    ),
    S("called the Valdorian position “a gift to smugglers”", 33, "caveat", direct=False, addressee=1),
    S("Not yet,", 20, "caveat", addressee=2),
    S(
        "Show us that the guards answer to the ship's captain, and we will look again.",
        20,
        "demand",
        addressee=2,
        conds=[
            C(
                "Kestria shows that the guards answer to the ship's captain",
                "Show us that the guards answer to the ship's captain",
            )
        ],
    ),
    S(
        "it would resume ticket sales on Monday and would refund anyone who had booked before the collision",
        AN,
        "support",
        direct=False,
        note="the ferry operator (a company): anonymous",
    ),
    S("I will believe it when I am standing on the deck,", "Marit Ossian", "caveat", note="doubt"),
]

# AP-like, straight double marks with commas inside them: code name, term, insisted that + subjunctive,
# "it is essential that", provided, threat, anonymous officer resolved by "he", experts, spokeswoman.
ART["02_mine_clearance"] = [
    D("Quiet Field,", "code name"),
    S(
        "the work could stall over who pays for it",
        AN,
        "caveat",
        direct=False,
        note="a warning by unnamed officials",
    ),
    D("the devil's garden,", "term"),
    S("his government would provide 300 deminers and every map it holds", 42, "support", direct=False),
    S(
        "We have nothing to hide about where those mines were laid. Every map will be handed over,",
        42,
        "support",
    ),
    S(
        "Tarsenia has to do the same, and it has to do it before the first team goes in.",
        42,
        "demand",
        addressee=5,
        conds=[
            C(
                "Tarsenia hands over its maps before the first team goes in",
                "it has to do it before the first team goes in",
            )
        ],
    ),
    S(
        "the cost be shared by the League of Northern States, not by the two governments alone",
        25,
        "demand",
        direct=False,
        addressee=10,
        conds=[
            C(
                "The League of Northern States shares the cost",
                "the cost be shared by the League of Northern States",
            )
        ],
    ),
    S(
        "It is essential that the League carries part of this burden,",
        25,
        "demand",
        addressee=10,
        conds=[C("The League carries part of the burden", "the League carries part of this burden")],
    ),
    S("We cannot clear 40 kilometers of fields with a budget written for four.", 25, "caveat", addressee=10),
    S(
        'its engineers were ready to start "on the first dry day," provided Drevnian troops pulled back two kilometers from the line',
        27,
        "caveat",
        direct=False,
        addressee=6,
        conds=[
            C(
                "Drevnian troops pull back two kilometres from the line",
                "provided Drevnian troops pulled back two kilometers from the line",
            )
        ],
    ),
    S(
        "If a single Drevnian patrol crosses into the cleared zone, we will stop the work and pull our engineers out,",
        83,
        "caveat",
        addressee=6,
        conds=[
            C(
                "If a Drevnian patrol crosses into the cleared zone",
                "If a single Drevnian patrol crosses into the cleared zone",
            )
        ],
    ),
    S("the army had no intention of pulling back", AN, "caveat", direct=False, addressee=5),
    S(
        "We are not going anywhere,",
        AN,
        "caveat",
        addressee=5,
        note="'he said' resolves to the anonymous officer",
    ),
    S("the timetable was optimistic", AN, "caveat", direct=False),
    S(
        "Nobody clears a field like that in one season. It is too early to promise farmers anything,",
        "Lotte Vanderhaegen",
        "caveat",
    ),
    S(
        'Drevnia was "not asking anyone for charity" and would pay its share',
        42,
        "support",
        direct=False,
        note="negated request + commitment",
    ),
    S(
        'the secretary-general agreed that a joint fund "makes sense" and would put a proposal to the council in May',
        10,
        "support",
        direct=False,
        note="a League spokeswoman speaks for the League",
    ),
]

# British style, single marks; apostrophes (They're, skippers', Mr Ferreiro's) and a nested double
# scare quote; "A, X said" lede; "in principle" split quote; rhetorical question; slogan.
ART["03_fishing_licences"] = [
    S(
        "Ebrenia will restore the licences of 40 Valdorian trawlers by the end of the month",
        28,
        "support",
        direct=False,
        addressee=1,
        note="'its fisheries minister' = the Ebrenian fisheries minister",
    ),
    S(
        "the licences would be reissued 'in full and without new fees'",
        28,
        "support",
        direct=False,
        addressee=1,
    ),
    S("inspectors would be told to treat Valdorian and Ebrenian crews alike", 28, "support", direct=False),
    S("We made a promise in Lindgrad and we intend to keep it,", 28, "support", addressee=1),
    S(
        "I hope our Valdorian friends will now return the favour.",
        28,
        "support",
        addressee=1,
        note="'I hope X will' is not a directive",
    ),
    S("it 'warmly welcomes' the decision", 30, "support", direct=False, addressee=3),
    S("calling it 'a step in the right direction'", 30, "support", direct=False, addressee=3),
    S("the skippers' licences were 'only half the problem'", 30, "caveat", direct=False, addressee=3),
    S(
        "Ebrenia must also lift its cap on cod catches",
        30,
        "demand",
        direct=False,
        addressee=3,
        conds=[C("Ebrenia lifts its cap on cod catches", "lift its cap on cod catches")],
    ),
    S("In principle the cap can go,", 29, "caveat"),
    S(
        "but not while the stock is at its lowest for twenty years.",
        29,
        "caveat",
        conds=[
            C(
                "Not while the cod stock is at its lowest for twenty years",
                "not while the stock is at its lowest for twenty years",
            )
        ],
    ),
    S(
        'They\'re handing our fish to the Valdorians and calling it "friendship",',
        "Morwenna Trask",
        "caveat",
        addressee=3,
    ),
    D("friendship", "scare quote"),
    S(
        "Who in this town voted for that?",
        "Morwenna Trask",
        "caveat",
        addressee=3,
        note="rhetorical question: objection",
    ),
    D("Our Sea, Our Say", "title"),
    S("he would meet the boat owners 'next week, in Port Ilse or on the quay'", 28, "support", direct=False),
    S(
        "the decision was final",
        28,
        "caveat",
        direct=False,
        note="the speech verb (insisted) does not decide",
    ),
    S("it would send two observers to the first joint inspection", 11, "support", direct=False),
    S(
        "both governments should publish their catch figures every week",
        11,
        "demand",
        direct=False,
        conds=[
            C(
                "Both governments publish their catch figures every week",
                "publish their catch figures every week",
            )
        ],
    ),
]

# AFP-like, curly marks with punctuation outside: many reported clauses ("said that A and that B",
# "told reporters A", "according to", "A, X said", "saying", "demanded that", "arguing that").
ART["04_debt_talks"] = [
    S(
        "the offer would lapse unless Hollin agreed to an audit of its state railway",
        64,
        "caveat",
        direct=False,
        addressee=4,
        conds=[
            C(
                "Hollin agrees to an audit of its state railway",
                "unless Hollin agreed to an audit of its state railway",
            )
        ],
    ),
    S(
        "Hollin “must open the books” of the railway before a single crown was forgiven",
        65,
        "demand",
        direct=False,
        addressee=4,
        conds=[
            C(
                "Norvath opens the railway's books before any debt is forgiven",
                "must open the books” of the railway before a single crown was forgiven",
            )
        ],
    ),
    S(
        "The ball is in Hollin's court,",
        65,
        "caveat",
        addressee=4,
        note="implied expectation, no explicit directive",
    ),
    S("Norvath would accept an audit", 63, "support", direct=False, addressee=64),
    S("it would name an independent firm within a week", 63, "support", direct=False),
    D("Operation Clean Rails", "code name"),
    S(
        "the railway's accounts would not be handed to “foreign bankers”, only to the auditors themselves",
        63,
        "caveat",
        direct=False,
        addressee=64,
    ),
    S(
        "We will open the books. We will not open them to everyone,",
        63,
        "caveat",
        addressee=64,
        note="commitment + reservation: caveat by tie-break",
    ),
    S(
        "called the creditors' proposal “a serious offer that deserves a serious answer”",
        66,
        "support",
        direct=False,
        addressee=64,
    ),
    S(
        "We need to read the small print before anyone signs anything,",
        66,
        "caveat",
        note="'need to' with the speaker's own side as subject: not a demand",
    ),
    S(
        "the government will put the deal to parliament before the summer recess if the audit terms are settled by May",
        66,
        "caveat",
        direct=False,
        conds=[C("The audit terms are settled by May", "if the audit terms are settled by May")],
    ),
    S("The committee would not improve its offer", 64, "caveat", direct=False, addressee=4),
    S("it supported the talks", 14, "support", direct=False),
    S("the Fund stood ready to provide technical help with the audit", 62, "support", direct=False),
    S(
        "any deal that left the railway's losses off the budget “would only postpone the next crisis”",
        62,
        "caveat",
        direct=False,
    ),
    S(
        "the government reject the offer outright",
        "Ragnhild Sæther",
        "demand",
        direct=False,
        addressee=4,
        conds=[C("The government rejects the creditors' offer outright", "reject the offer outright")],
    ),
    S("the audit was “a foreign takeover by spreadsheet”", "Ragnhild Sæther", "caveat", direct=False),
    S(
        "the creditors were “not in a hurry” and would wait for the audit firm to be named before meeting again",
        AN,
        "caveat",
        direct=False,
        conds=[
            C(
                "The audit firm is named before the creditors meet again",
                "would wait for the audit firm to be named before meeting again",
            )
        ],
    ),
]

# Feature style, curly marks: named villagers and a priest (not in the registry), "says" in the
# present, pronoun speakers, "I want X to", "has to" without another party, nickname.
ART["05_river_village"] = [
    S(
        "Every year they tell us the dam will protect us, and every year we carry the furniture upstairs,",
        "Jelena Dvorak",
        "caveat",
        addressee=87,
    ),
    S(
        "I don't want promises any more. I want the commission to open the sluices before the rain, not after.",
        "Jelena Dvorak",
        "demand",
        addressee=87,
        conds=[
            C(
                "The commission opens the sluices before the rain",
                "open the sluices before the rain, not after",
            )
        ],
    ),
    D("the Grey Wall", "nickname"),
    S("the villagers have a point", 88, "support", direct=False),
    S(
        "We have been managing this river for the reservoir, not for the people who live beside it,",
        88,
        "caveat",
    ),
    S(
        "That has to change, and it will.",
        88,
        "support",
        note="'has to' with no other party as subject; 'and it will' commits the speaker's own commission",
    ),
    S(
        "she would ask the commission's board in June to approve a new operating rule that lowers the reservoir by two metres before the autumn storms",
        88,
        "support",
        direct=False,
    ),
    S(
        "his government “will not let the fields of the north dry out to fix a planning mistake in Korvo”",
        53,
        "caveat",
        direct=False,
        addressee=9,
    ),
    S(
        "If the reservoir is lowered without our consent, we will take the matter to the Council,",
        53,
        "caveat",
        addressee=9,
        conds=[
            C(
                "If the reservoir is lowered without Aurelian consent",
                "If the reservoir is lowered without our consent",
            )
        ],
    ),
    S(
        "she understood the farmers' fears but would not let Velichi flood again",
        54,
        "caveat",
        direct=False,
        addressee=8,
        note="sympathy + refusal: caveat by tie-break",
    ),
    S("A village under water is not a bargaining chip,", 54, "caveat", addressee=8),
    S(
        "Sant'Elia must understand that.",
        54,
        "demand",
        addressee=8,
        conds=[C("Aurelia accepts that a flooded village is not a bargaining chip", "must understand that")],
    ),
    S("I welcome every meeting, even the ones that end in shouting,", "Anzelm Kowalczyk-Nørgaard", "support"),
    S(
        "Both capitals should stop asking who is to blame and start asking who can help.",
        "Anzelm Kowalczyk-Nørgaard",
        "demand",
        conds=[
            C(
                "Both capitals stop assigning blame and look for help",
                "stop asking who is to blame and start asking who can help",
            )
        ],
    ),
    S(
        "Come and sleep here one night in March,",
        "Jelena Dvorak",
        "demand",
        note="imperative at the two ministers",
        conds=[
            C(
                "The ministers come and spend a night in Velichi in March",
                "Come and sleep here one night in March",
            )
        ],
    ),
    S("the new rule was “likely but not certain” to pass", 87, "caveat", direct=False),
]

# Press-conference transcript: labelled turns with no quotation marks (each turn one direct
# statement), a reported statement inside a reporter's question, "Let me", "I hope he will".
ART["06_summit_presser"] = [
    D("One Corridor, Nine Nations", "title"),
    S(
        "Let me start with the good news. All nine member states present have endorsed the declaration on the Lessa corridor, and I want to thank President Solberg for hosting us.",
        26,
        "support",
        note="transcript turn",
    ),
    S(
        "It means a great deal. But I won't pretend the door is closed. We expect Sarn to send its foreign minister to the next meeting, and we will keep a chair for him.",
        26,
        "demand",
        addressee=2,
        note="transcript turn; 'we expect X to' wins by tie-break",
        conds=[
            C(
                "Kestria sends its foreign minister to the next meeting",
                "send its foreign minister to the next meeting",
            )
        ],
    ),
    S(
        'the declaration was "written in Lindgrad"',
        32,
        "caveat",
        direct=False,
        addressee=10,
        note="reported inside a reporter's question",
    ),
    S(
        "I have read the statement. Every word was negotiated by the nine, and Kestria was invited to every session. If Sarn has specific objections, it should put them on the table.",
        74,
        "demand",
        addressee=2,
        note="transcript turn",
        conds=[C("Kestria puts its specific objections on the table", "it should put them on the table")],
    ),
    S(
        "Not yet. Monitors can only go in once both governments ask for them in writing and once the budget is approved.",
        26,
        "caveat",
        note="transcript turn",
        conds=[
            C(
                "Both governments ask for monitors in writing",
                "once both governments ask for them in writing",
            ),
            C("The budget is approved", "once the budget is approved"),
        ],
    ),
    S(
        "Nobody here is talking about sanctions. We are talking about trucks, bridges and customs posts.",
        74,
        "caveat",
        addressee=2,
        note="transcript turn; negation, no directive",
    ),
    S(
        "the summit achieved nothing on energy",
        AN,
        "caveat",
        direct=False,
        note="reported inside a reporter's question; added after first contact (gold correction: the parallel ministry claim above was already gold)",
    ),
    S(
        "We agreed a timetable for the interconnector, and we will publish it within a month.",
        26,
        "support",
        note="transcript turn",
    ),
    S(
        "He told me he was ready to discuss it. I hope he will do more than discuss it.",
        26,
        "support",
        addressee=42,
        note="transcript turn; 'I hope he will' is not a directive",
    ),
    S(
        "Yes. The guns must be pulled back twenty kilometres, as both sides promised in March, and it must happen before the monitors arrive.",
        74,
        "demand",
        addressee=6,
        note="transcript turn",
        conds=[
            C(
                "The artillery is pulled back twenty kilometres before the monitors arrive",
                "The guns must be pulled back twenty kilometres",
            )
        ],
    ),
    S("Tarsenia would keep its border posts open around the clock from May 1", 25, "support", direct=False),
    S(
        "We have been talking about open borders for years. Now we are opening them, and we will sign the customs protocol in April,",
        25,
        "support",
    ),
    S(
        'Sarn "will study the text calmly" and would answer "when we are ready, not when we are summoned"',
        33,
        "caveat",
        direct=False,
        addressee=10,
        note="social-media post",
    ),
]

# One quotation over three paragraphs (wire style: unclosed paragraphs reopened with a mark),
# conditional pledge, Greek-script speaker, ministry "takes note ... but expects", emoji with VS16.
ART["07_referendum_pledge"] = [
    S(
        "the Union for Renewal would hold a referendum on the border treaty with Aurelia within a year if it won next month's election",
        50,
        "caveat",
        direct=False,
        note="conditional commitment (codebook tie-break 3)",
        conds=[C("The Union for Renewal wins next month's election", "if it won next month's election")],
    ),
    S(
        "For eleven years this government has told you that the treaty was settled, that the maps were final and that nobody in Sant'Elia would ever ask for more. Every one of those promises has been broken.\n\n“They told the fishermen of Mirela Bay that their grounds were safe. Today those grounds are patrolled by Aurelian boats. They told the farmers of the Ostra valley that the new line would follow the river. It follows the road instead, and the road runs through their fields.\n\n“I am not asking you to hate our neighbours. I am asking you to decide, for the first time, what our border should be. The government must put this treaty to the people, and if it will not, we will,",
        50,
        "demand",
        addressee=7,
        note="one quotation across three paragraphs",
        conds=[
            C(
                "The government puts the treaty to a referendum",
                "The government must put this treaty to the people",
            )
        ],
    ),
    D("the Iron Judge", "nickname"),
    D("Good Neighbours at Sea", "title"),
    S("A referendum on a signed treaty is not democracy, it is vandalism,", 77, "caveat", addressee=50),
    S(
        "Our treaty with Aurelia is the reason Meridian boats can fish at all.",
        77,
        "support",
        note="praise of the treaty",
    ),
    S("Markou was “playing with fire”", 48, "caveat", direct=False, addressee=50),
    S(
        "the party would campaign against any referendum",
        48,
        "caveat",
        direct=False,
        addressee=50,
        note="commitment to oppose the proposal: objection",
    ),
    S(
        "it “takes note” of the opposition's plans but expects any Meridian government to honour the treaty “in full and without delay”",
        60,
        "demand",
        direct=False,
        addressee=7,
        conds=[
            C(
                "Any Meridian government honours the treaty in full and without delay",
                "honour the treaty “in full and without delay”",
            )
        ],
    ),
    S("Treaties are not menus,", 57, "caveat", addressee=7),
    S(
        "You cannot pick the dishes you like and send the rest back to the kitchen.",
        57,
        "caveat",
        addressee=7,
        note="objection; 'you cannot' is not an explicit directive",
    ),
    S(
        "a referendum could only be held once parliament had passed an enabling law, which would take “at least six months”",
        52,
        "caveat",
        direct=False,
        conds=[C("Parliament passes an enabling law", "once parliament had passed an enabling law")],
    ),
    S(
        "Thank you, Thyra. We will not stop until the people decide 🗳️",
        50,
        "support",
        note="'will not stop until' is a commitment, not a condition",
    ),
    S("the pledge was risky", AN, "caveat", direct=False),
    S(
        "It is a gamble, and I am not convinced it will pay off outside the coastal towns,",
        "Dimitra Alexiou",
        "caveat",
    ),
]

# Straight double marks, Reuters-like: capital metonyms as speakers (Hollin warned), a ministry
# "called X '...' and said Y should", unnamed spokeswoman, "called on", threat, code name, nickname.
ART["08_drone_lake"] = [
    S(
        "it would shoot down any aircraft that crossed the border without permission",
        4,
        "caveat",
        direct=False,
        addressee=2,
        note="threat with no directive",
        conds=[
            C(
                "An aircraft crosses the border without permission",
                "that crossed the border without permission",
            )
        ],
    ),
    S(
        "Our patience is not unlimited. The next drone that enters Norvathi airspace will be treated as hostile,",
        24,
        "caveat",
        addressee=2,
    ),
    S('called Hollin\'s threat "reckless and dangerous"', 32, "caveat", direct=False, addressee=4),
    S(
        'Norvath should "check its radar before it checks its guns"',
        32,
        "demand",
        direct=False,
        addressee=4,
        conds=[
            C(
                "Norvath checks its radar before it checks its guns",
                "check its radar before it checks its guns",
            )
        ],
    ),
    S(
        "Hollin is looking for an enemy, and it has decided that the enemy is us,",
        32,
        "caveat",
        addressee=4,
        note="the ministry's spokeswoman speaks for the ministry",
    ),
    S(
        'Kestria was "ready for a joint technical investigation" at any time',
        68,
        "support",
        direct=False,
        addressee=4,
    ),
    S(
        "called on both capitals to exercise restraint",
        10,
        "demand",
        direct=False,
        conds=[C("Both capitals exercise restraint", "exercise restraint")],
    ),
    S(
        "Drones over a lake full of summer tourists is exactly how accidents become wars,",
        74,
        "caveat",
        note="warning",
    ),
    S(
        "I ask Hollin and Sarn to open a military hotline this week.",
        74,
        "demand",
        conds=[
            C("Norvath and Kestria open a military hotline this week", "open a military hotline this week")
        ],
    ),
    S(
        'it was "deeply concerned" and would host talks if both sides asked',
        1,
        "caveat",
        direct=False,
        conds=[C("Both sides ask for talks", "if both sides asked")],
    ),
    S('the flights were "not an accident but a rehearsal"', AN, "caveat", direct=False, addressee=2),
    S(
        "I don't care whose drones they are. Just keep them away from the beach,",
        "Tuomas Rautio",
        "demand",
        conds=[C("Keep the drones away from the beach", "keep them away from the beach")],
    ),
    S(
        'they would stay "as long as Sarn keeps flying"',
        24,
        "caveat",
        direct=False,
        addressee=2,
        note="the first that-clause (units moved) is a bare fact",
        conds=[C("As long as Kestria keeps flying drones", "as long as Sarn keeps flying")],
    ),
    D("Still Water", "code name"),
    D("the General of the Lake", "nickname"),
]

# Curly double marks and curly apostrophes (’): unnamed aid groups "called for", imperatives,
# role description, capital as speaker (Korvo said), Cyrillic speakers (one new in the registry),
# social-media post with emoji, welcome + "urged" from one ministry, anonymous official.
ART["09_quake_crossing"] = [
    S(
        "called for a second border crossing to be opened between Drevnia and Dravina",
        AN,
        "demand",
        direct=False,
        note="unnamed aid groups",
        conds=[
            C(
                "A second border crossing is opened between Drevnia and Dravina",
                "a second border crossing to be opened between Drevnia and Dravina",
            )
        ],
    ),
    D("the Field", "term"),
    S(
        "People are sleeping in cars at minus fifteen. Every hour at that crossing costs lives,",
        "Amira Sokolović",
        "caveat",
        note="warning",
    ),
    S(
        "Open the old customs post at Ruvno. Open it tonight.",
        "Amira Sokolović",
        "demand",
        conds=[C("Open the Ruvno customs post tonight", "Open the old customs post at Ruvno")],
    ),
    S(
        "her government had “no objection at all” to reopening Ruvno and would send border police there as soon as Marov agreed",
        58,
        "caveat",
        direct=False,
        addressee=6,
        conds=[C("Drevnia agrees to reopen Ruvno", "as soon as Marov agreed")],
    ),
    S(
        "We are ready. We have been ready since Friday,",
        58,
        "support",
        note="'the interior minister' = the Dravinian interior minister",
    ),
    S(
        "The question is for Marov, not for us.",
        58,
        "caveat",
        addressee=6,
        note="implied expectation, no explicit directive",
    ),
    S("it would keep them there all winter", 9, "support", direct=False, note="capital metonym as speaker"),
    S(
        "Drevnia would open Ruvno “within 48 hours” but only for aid trucks, not for private cars",
        84,
        "caveat",
        direct=False,
        addressee=9,
        conds=[C("Only aid trucks, not private cars", "only for aid trucks, not for private cars")],
    ),
    S("We are not closing the door on anyone, and we never have,", 84, "caveat", addressee=9),
    S(
        "Dravina must register every vehicle before it reaches our side.",
        84,
        "demand",
        addressee=9,
        conds=[
            C(
                "Dravina registers every vehicle before it reaches the Drevnian side",
                "register every vehicle before it reaches our side",
            )
        ],
    ),
    S(
        "Thank you to every driver who has waited in the cold 🙏 Ruvno must open for families too, not only for trucks,",
        41,
        "demand",
        addressee=6,
        note="thanks + demand on the speaker's own government: demand",
        conds=[C("Ruvno opens for families too, not only for trucks", "Ruvno must open for families too")],
    ),
    S("it welcomed “every step that gets help to Belisk faster”", 60, "support", direct=False),
    S(
        "urged both governments to put politics aside “for at least one winter”",
        60,
        "demand",
        direct=False,
        conds=[
            C(
                "Both governments put politics aside for at least one winter",
                "put politics aside “for at least one winter”",
            )
        ],
    ),
    S("the dispute over cars was “a pretext”", AN, "caveat", direct=False, addressee=6),
    S("Korvo would not accept “a crossing for trucks only”", AN, "caveat", direct=False, addressee=6),
]

# Curly double marks, straight apostrophes (Sant'Elia, countries', months'): "unless" threat vs
# "has until" ultimatum, rhetorical question, negated requests, "in principle", "not convinced",
# "need to", a named association and a lawyer not in the registry, "I hope ... will".
ART["10_bottle_war"] = [
    S(
        "Aurelia will raise tariffs on Meridian olive oil to 25 percent from March 1 unless Thyra lifts its ban on Aurelian wine",
        85,
        "caveat",
        direct=False,
        addressee=7,
        note="conditional threat with no directive (tie-break 3)",
        conds=[C("Meridia lifts its ban on Aurelian wine", "unless Thyra lifts its ban on Aurelian wine")],
    ),
    D("the bottle war", "term"),
    S(
        "We have been patient for five months. Thyra has until the end of February to lift the ban,",
        85,
        "demand",
        addressee=7,
        note="ultimatum",
        conds=[
            C(
                "Meridia lifts the ban by the end of February",
                "Thyra has until the end of February to lift the ban",
            )
        ],
    ),
    S(
        "the ban was a health measure and “not a bargaining position”",
        86,
        "caveat",
        direct=False,
        addressee=8,
    ),
    S(
        "Are we supposed to let bottles we have not tested onto our shelves because Sant'Elia is in a hurry?",
        86,
        "caveat",
        addressee=8,
        note="rhetorical question: objection",
    ),
    S(
        "We are not asking Aurelia to change its wine. We are asking for the laboratory results, and we have been asking since October.",
        86,
        "demand",
        addressee=8,
        note="negated request + a request for something Aurelia must provide",
        conds=[C("Aurelia provides the laboratory results", "We are asking for the laboratory results")],
    ),
    S(
        "Nobody is asking Sant'Elia to apologise,",
        86,
        "caveat",
        addressee=8,
        note="negated request, no directive",
    ),
    S("But nobody in Thyra will be bullied by a deadline.", 86, "caveat", addressee=8),
    S(
        "The Council would send inspectors to both countries' laboratories within a fortnight if the two governments asked for it",
        11,
        "caveat",
        direct=False,
        conds=[C("Both governments ask for inspectors", "if the two governments asked for it")],
    ),
    S("Aurelia welcomed the offer in principle", 85, "caveat", direct=False, addressee=11),
    S(
        "he was “not convinced” that a new round of tests would change anything",
        85,
        "caveat",
        direct=False,
        addressee=11,
    ),
    D("Open Shores, Open Markets", "title"),
    S(
        "If these tariffs come in, half the presses in Lavra will close by summer,",
        "Stelios Karras",
        "caveat",
        note="warning",
        conds=[C("If the tariffs are imposed", "If these tariffs come in")],
    ),
    S(
        "Thyra and Sant'Elia need to sit down tomorrow and stop using farmers as hostages.",
        "Stelios Karras",
        "demand",
        conds=[
            C(
                "Meridia and Aurelia sit down tomorrow and stop using farmers as hostages",
                "sit down tomorrow and stop using farmers as hostages",
            )
        ],
    ),
    S(
        "it backed the government “without reservation”",
        "Vinaurea",
        "support",
        direct=False,
        addressee=8,
        kind="organization",
    ),
    S(
        "It is too early to say whether the tariff will actually be imposed",
        "Giorgio Pellan",
        "caveat",
        direct=False,
    ),
    S(
        "I hope that by then Thyra will have seen sense,",
        85,
        "support",
        addressee=7,
        note="'I hope X will' is not a directive",
    ),
]

OPEN_MARKS = "“‘\"'"
CLOSE_MARKS = "”’\"'"
TURN = re.compile(r"(?m)^[A-Z][A-Z'’-]+: ")


def check_direct(text, i, e, quote):
    """A direct statement sits between marks, or is a whole labelled transcript turn."""
    turn = any(m.end() == i for m in TURN.finditer(text)) and (e == len(text) or text[e] == "\n")
    marked = i > 0 and text[i - 1] in OPEN_MARKS and e < len(text) and text[e] in CLOSE_MARKS
    assert turn or marked, ("direct quote not between marks", quote[:60])


def main() -> None:
    base = json.loads(BASE_GOLD.read_text(encoding="utf-8"))
    actors = base["actors"]
    top = max(a["id"] for a in actors)
    assert all(a["id"] > top for a in NEW_ACTORS), "new actor ids must be above the existing maximum"
    names = {a["name"].casefold() for a in actors + NEW_ACTORS}
    out = {
        "_comment": "BLIND development set of the suggestion engine: ten hand-written wire-style articles (invented events, "
        "countries and people) annotated by hand following /work/shared/CODEBOOK.md and the conventions of "
        "bench/devset/suggestions/README.md, by an author who never saw the engine, its tests or the other dev set's articles. "
        'Offsets are code points, end exclusive; quote == text[start:end]. Speakers: an actor id, "anonymous", or '
        '{"new": name, "kind": ...} for a named source that is deliberately NOT in the registry. Distractors are quoted strings '
        "(inside the marks) that must not be suggested as statements of their own. The registry is the one of "
        "bench/devset/suggestions/gold.json plus actors 84-88.",
        "codebook": "/work/shared/CODEBOOK.md",
        "split": {"blind": [f"{k}.txt" for k in sorted(ART)]},
        "actors": actors + NEW_ACTORS,
        "articles": [],
    }

    def check(text, item, i, e):
        q = item["quote"]
        assert q == q.strip(), ("whitespace at an end", q[:60])
        if item["t"] == "d":
            return
        if item["direct"]:
            check_direct(text, i, e, q)
        sp = item["speaker"]
        if isinstance(sp, dict):
            assert sp["new"].casefold() not in names, ("new speaker is in the registry", sp)
        elif sp != AN:
            assert any(a["id"] == sp for a in out["actors"]), ("unknown actor", sp)

    nstat = ndis = 0
    for key in sorted(ART):
        text = (DIR / (key + ".txt")).read_text(encoding="utf-8")
        assert 1500 <= len(text) <= 3500, (key, len(text))
        st, ds = gold_of(text, ART[key], check)
        nstat += len(st)
        ndis += len(ds)
        out["articles"].append({"file": key + ".txt", "statements": st, "distractors": ds})
        print(key, len(st), len(ds), len(text))
    print("total", nstat, "statements,", ndis, "distractors")
    with open(DIR / "gold.json", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
