# ruff: noqa: E501  (hand-written quotations are data: they stay on one line each)
"""The hand-written gold of the suggestion devset: run it to (re)write gold.json.

    python3 bench/devset/suggestions/build_gold.py

Every statement, condition and distractor below was written by hand, following
/work/shared/CODEBOOK.md, as the exact text it covers; this script only locates each string in its
article (`str.find`, with `after=` where a string occurs twice) to store code-point offsets, and
checks that nothing overlaps and that condition evidence lies inside its statement. It never runs
the suggestion engine. Edit the lists here, not gold.json, then rerun it.
"""

import json
from pathlib import Path

DIR = str(Path(__file__).resolve().parent) + "/"


# The shared registry of the devset world (one actor table, as in the app). Named sources
# written as {"new": …} below are deliberately left out of it.
def A(id, name, kind, aliases=(), aff=None, gender=None):
    return {
        "id": id,
        "name": name,
        "kind": kind,
        "aliases": list(aliases),
        "affiliation": aff,
        "gender": gender,
    }


ACTORS = [
    A(1, "Valdoria", "state", ["Lindgrad", "the Valdorian government"]),
    A(2, "Kestria", "state", ["Sarn", "the Kestrian government"]),
    A(3, "Ebrenia", "state", ["Port Ilse", "the Ebrenian government"]),
    A(4, "Norvath", "state", ["Hollin", "the Norvathi government"]),
    A(5, "Tarsenia", "state", ["Vell", "the Tarsenian government"]),
    A(6, "Drevnia", "state", ["Marov", "the Drevnian government"]),
    A(7, "Meridia", "state", ["Thyra", "the Meridian government", "the Meridian authorities"]),
    A(8, "Aurelia", "state", ["Sant'Elia", "the Aurelian government"]),
    A(9, "Dravina", "state", ["Korvo", "the Dravinian government"]),
    A(10, "League of Northern States", "organization", ["the League", "the League's council", "LNS"]),
    A(11, "Coastal Cooperation Council", "organization", ["the Council", "CCC"]),
    A(12, "Red Lantern Society", "organization", ["the society", "the Red Lantern"]),
    A(13, "Basin Authority", "organization", ["the Lenna Basin Authority", "the authority"]),
    A(14, "Northern Monetary Fund", "organization", ["the Fund", "NMF"]),
    A(20, "Anna Kovac", "person", ["Kovac", "the Valdorian foreign minister"], 1, "female"),
    A(21, "Pavel Drummond", "person", ["Drummond", "the Kestrian chief negotiator"], 2, "male"),
    A(22, "Lucía Ferrer", "person", ["Ferrer", "the Ebrenian foreign minister"], 3, "female"),
    A(23, "Ebrenian Foreign Ministry", "organization", ["the Ebrenian foreign ministry"], 3),
    A(24, "Erik Halvorsen", "person", ["Halvorsen", "the Norvathi defence minister"], 4, "male"),
    A(25, "Mira Solberg", "person", ["Solberg", "the Tarsenian president"], 5, "female"),
    A(26, "Oskar Lind", "person", ["Lind", "the League secretary-general"], 10, "male"),
    A(27, "Tarsenian Defence Ministry", "organization", ["the Tarsenian defence ministry"], 5),
    A(28, "Tomás Ferreiro", "person", ["Ferreiro", "the Ebrenian fisheries minister"], 3, "male"),
    A(29, "Inês Camacho", "person", ["Camacho", "the Ebrenian deputy fisheries minister"], 3, "female"),
    A(30, "Valdorian Fisheries Ministry", "organization", ["the Valdorian fisheries ministry"], 1),
    A(31, "Ebrenian Parliament", "organization", ["the Ebrenian parliament"], 3),
    A(32, "Kestrian Foreign Ministry", "organization", ["the Kestrian foreign ministry"], 2),
    A(
        33,
        "Dmitri Volkov",
        "person",
        ["Volkov", "Дмитрий Волков", "the Kestrian foreign minister"],
        2,
        "male",
    ),
    A(34, "Henrik Aas", "person", ["Aas", "the Valdorian prime minister"], 1, "male"),
    A(35, "Carmen Ruiz", "person", ["Ruiz", "the Ebrenian ambassador to the League"], 3, "female"),
    A(36, "Jonas Berg", "person", ["Berg", "the League sanctions envoy"], 10, "male"),
    A(37, "Kestgaz", "organization", ["the Kestrian gas company"], 2),
    A(38, "Yelena Markova", "person", ["Markova", "the Kestgaz chief executive"], 37, "female"),
    A(39, "Petra Lund", "person", ["Lund", "the Valdorian energy minister"], 1, "female"),
    A(40, "Valdorian Energy Ministry", "organization", ["the Valdorian energy ministry"], 1),
    A(
        41,
        "Олена Ковальчук",
        "person",
        ["Olena Kovalchuk", "Kovalchuk", "Ковальчук", "the Drevnian human rights commissioner"],
        6,
        "female",
    ),
    A(42, "Oleg Grinko", "person", ["Grinko", "Олег Гринько", "the Drevnian president"], 6, "male"),
    A(43, "Tarsenian Interior Ministry", "organization", ["the Tarsenian interior ministry"], 5),
    A(44, "Ilse Maren", "person", ["Maren", "the Tarsenian interior minister"], 5, "female"),
    A(45, "Arkady Belov", "person", ["Belov", "the Kestrian prime minister"], 2, "male"),
    A(
        46,
        "LNS Observer Mission",
        "organization",
        ["the observer mission", "the League observer mission"],
        10,
    ),
    A(47, "Sigrid Holm", "person", ["Holm", "the head of the observer mission"], 46, "female"),
    A(48, "Γιάννης Παπαδάκης", "person", ["Giannis Papadakis", "Papadakis", "Παπαδάκης"], 49, "male"),
    A(49, "Party of Meridian Unity", "organization", ["the governing party", "Meridian Unity"], 7),
    A(50, "Eleni Markou", "person", ["Markou", "the opposition leader"], 51, "female"),
    A(51, "Union for Renewal", "organization", ["the Union"], 7),
    A(52, "Meridian Electoral Commission", "organization", ["the electoral commission"], 7),
    A(53, "Paolo Dell'Orto", "person", ["Dell'Orto", "the Aurelian water minister"], 8, "male"),
    A(54, "Teodora Ruska", "person", ["Ruska", "the Dravinian environment minister"], 9, "female"),
    A(55, "Hana Whitlock", "person", ["Whitlock", "the director of the Basin Authority"], 13, "female"),
    A(56, "Viktor Halm", "person", ["Halm", "the Dravinian prime minister"], 9, "male"),
    A(57, "Chiara Benedetti", "person", ["Benedetti", "the Aurelian foreign minister"], 8, "female"),
    A(58, "Marta Kolar", "person", ["Kolar", "the Dravinian interior minister"], 9, "female"),
    A(59, "Felix Morrow", "person", ["Morrow", "the head of the Brena Shippers' Association"], None, "male"),
    A(60, "Aurelian Foreign Ministry", "organization", ["the Aurelian foreign ministry"], 8),
    A(61, "Drevnian Army", "organization", ["the Drevnian army"], 6),
    A(62, "Rosa Albrecht", "person", ["Albrecht", "the Fund mission chief"], 14, "female"),
    A(63, "Lars Okonkwo-Berg", "person", ["Okonkwo-Berg", "the Norvathi finance minister"], 4, "male"),
    A(64, "Creditors' Committee", "organization", ["the creditors' committee"], None),
    A(65, "Maurice Delorme", "person", ["Delorme", "the committee's chairman"], 64, "male"),
    A(66, "Åsa Nyström", "person", ["Nyström", "the Norvathi prime minister"], 4, "female"),
    A(67, "Kestrian Embassy in Hollin", "organization", ["the Kestrian embassy"], 2),
    A(68, "Igor Stepanov", "person", ["Stepanov", "the Kestrian ambassador"], 2, "male"),
    A(70, "Stoyan Haralampiev", "person", ["Haralampiev", "the Drevnian transport minister"], 6, "male"),
    A(71, "Tarsenian Infrastructure Agency", "organization", ["the Tarsenian infrastructure agency"], 5),
    A(72, "Vera Orlova", "person", ["Orlova", "the chair of the Kelm regional council"], 73, "female"),
    A(73, "Kelm Regional Council", "organization", ["the Kelm regional council"], 6),
    A(74, "Helga Strand", "person", ["Strand", "the League foreign policy chief"], 10, "female"),
    A(75, "Rafael Soto", "person", ["Soto"], 3, "male"),
    A(76, "Meridian Foreign Ministry", "organization", ["the Meridian foreign ministry"], 7),
    A(77, "Nikos Vlachos", "person", ["Vlachos", "the Meridian prime minister"], 7, "male"),
    A(78, "Kari Lunde", "person", ["Lunde", "the Norvathi environment minister"], 4, "female"),
    A(79, "Ebrenian Fisheries Ministry", "organization", ["the Ebrenian fisheries ministry"], 3),
    A(80, "Blue Coast", "organization", [], None),
    A(81, "Ridge Brigades", "group", ["the Brigades"], None),
    A(82, "Homeland Party", "organization", ["Homeland"], 5),
    A(83, "Jonas Eklund", "person", ["Eklund", "the Tarsenian defence minister"], 5, "male"),
]


def C(description, evidence=None):
    return {"description": description, "evidence": evidence}


def S(quote, speaker, stance, direct=True, addressee=None, conds=(), after=None, note=None, kind="person"):
    if isinstance(speaker, str) and speaker != "anonymous":
        speaker = {"new": speaker, "kind": kind}
    return {
        "t": "s",
        "quote": quote,
        "speaker": speaker,
        "stance": stance,
        "direct": direct,
        "addressee": addressee,
        "conds": list(conds),
        "after": after,
        "note": note,
    }


def D(quote, kind, after=None):
    return {"t": "d", "quote": quote, "kind": kind, "after": after}


AN = "anonymous"
ART = {}
ART["01_grain_corridor"] = [
    S("We accept the offer of talks in principle,", 20, "caveat", addressee=2),
    S(
        "But the inspections must be carried out by a neutral party, not by Kestrian officers.",
        20,
        "demand",
        addressee=2,
        conds=[
            C(
                "Inspections carried out by a neutral party, not by Kestrian officers",
                "be carried out by a neutral party, not by Kestrian officers",
            )
        ],
    ),
    S("A ceasefire at sea is a start,", 21, "support"),
    S("but only a start.", 21, "caveat"),
    S("the first ships could sail within a week", 21, "support", False),
    S(
        "Kestria would release the impounded vessels once the inspection regime was agreed",
        21,
        "caveat",
        False,
        conds=[C("Once the inspection regime is agreed", "once the inspection regime was agreed")],
    ),
    S("the blockade line did not change the status of the waters", 2, "caveat", False),
    D("Safe Passage for Every Harvest", "title"),
    D("the long pause", "term"),
    S("Every week of delay costs our farmers money we cannot get back,", "Ivo Marten", "caveat"),
    S(
        "The government should stop talking and get the ships moving.",
        "Ivo Marten",
        "demand",
        addressee=1,
        conds=[C("The government gets the ships moving", "stop talking and get the ships moving")],
    ),
    S("Kestria had “a long record of broken promises”", 20, "caveat", False, addressee=2),
    S(
        "Valdoria would sign nothing until the impounded vessels were back in port",
        20,
        "caveat",
        False,
        addressee=2,
        conds=[
            C("Until the impounded vessels are back in port", "until the impounded vessels were back in port")
        ],
    ),
    S("she hoped both sides would return to the table next week", 22, "support", False),
    S("We stand ready to host the next round, and the one after that,", 22, "support"),
]
ART["02_harrow_ridge"] = [
    S("The ceasefire is holding on our side of the line,", 24, "support"),
    S(
        "We have not fired a single shell since midnight, and we will not fire one unless we are attacked.",
        24,
        "caveat",
        conds=[C("Unless Norvath is attacked", "unless we are attacked")],
    ),
    S("Norvathi units had shelled two villages near the ridge overnight", 27, "caveat", False, addressee=4),
    S('the truce "exists only on paper"', 27, "caveat", False),
    S("Our orders are clear: we hold the ridge, we do not advance, and we answer every shot.", AN, "caveat"),
    D("Iron Meadow", "code-name"),
    D("the Spine", "term"),
    S(
        "called on the Council to send monitors to the ridge within 48 hours",
        5,
        "demand",
        False,
        addressee=11,
        conds=[C("Send monitors to the ridge within 48 hours", "send monitors to the ridge within 48 hours")],
    ),
    S(
        "If the Council cannot see what is happening, it cannot judge who is breaking the truce,",
        25,
        "caveat",
        addressee=11,
        conds=[
            C("If the Council cannot see what is happening", "If the Council cannot see what is happening")
        ],
    ),
    S('he was "deeply worried" by the reports', 26, "caveat", False),
    S(
        "urged both sides to respect the line agreed in Hollin",
        26,
        "demand",
        False,
        conds=[C("Both sides respect the line agreed in Hollin", "respect the line agreed in Hollin")],
    ),
    S(
        "We are ready to deploy observers as soon as both governments guarantee their safety,",
        26,
        "caveat",
        conds=[
            C(
                "Both governments guarantee the observers' safety",
                "as soon as both governments guarantee their safety",
            )
        ],
    ),
    S("Nobody should expect unarmed monitors to walk into a minefield.", 26, "caveat"),
    S('dismissed the Tarsenian accusations as "theatre"', 24, "caveat", False, addressee=5),
    S(
        "Hollin would accept monitors, provided they were deployed on both sides of the ridge at once",
        AN,
        "caveat",
        False,
        conds=[
            C(
                "Monitors deployed on both sides of the ridge at once",
                "provided they were deployed on both sides of the ridge at once",
            )
        ],
    ),
]
ART["03_skerry_banks"] = [
    S("Our patience is not unlimited,", 28, "caveat", addressee=1),
    S(
        "If the trawlers are not withdrawn by Monday, the signing will not go ahead.",
        28,
        "caveat",
        addressee=1,
        conds=[C("The trawlers are withdrawn by Monday", "If the trawlers are not withdrawn by Monday")],
    ),
    S(
        "the so-called ‘blue line’ drawn by Valdorian surveyors in 1998 had no standing in international law",
        28,
        "caveat",
        False,
    ),
    D("blue line", "scare"),
    S("Our vessels are fishing where they have always fished,", 30, "caveat", addressee=3),
    S("We don’t accept that these waters are Ebrenian.", 30, "caveat", addressee=3),
    S("the quota agreement remained ‘on track’", AN, "support", False),
    S(
        "a technical team would travel to Port Ilse next week to settle the remaining details",
        AN,
        "caveat",
        False,
    ),
    D("the Cauldron", "term"),
    S(
        "We’ve waited six years for this agreement, and we want it signed,",
        "Nuno Basto",
        "demand",
        conds=[C("The agreement is signed", "we want it signed")],
    ),
    S("The ministers’ quarrel is our problem now.", "Nuno Basto", "caveat"),
    S(
        "Ebrenia wanted the agreement signed this month and was ready to compromise on the quota for herring",
        29,
        "demand",
        False,
        addressee=1,
        conds=[C("The agreement is signed this month", "wanted the agreement signed this month")],
    ),
    S("We will honour every line of the draft we initialled in April,", 29, "support"),
    S(
        "as long as Lindgrad honours it too.",
        29,
        "caveat",
        addressee=1,
        conds=[C("As long as Valdoria honours the draft too", "as long as Lindgrad honours it too")],
    ),
    S(
        "the trawlers must leave the Skerry Banks before any signing ceremony",
        28,
        "demand",
        False,
        addressee=1,
        conds=[
            C(
                "The trawlers leave the Skerry Banks before any signing",
                "leave the Skerry Banks before any signing ceremony",
            )
        ],
    ),
]
ART["04_sanctions_vote"] = [
    S(
        "the measures would remain in place until Kestria withdrew its forces from the Ness islands",
        10,
        "caveat",
        False,
        addressee=2,
        conds=[
            C(
                "Until Kestria withdraws its forces from the Ness islands",
                "until Kestria withdrew its forces from the Ness islands",
            )
        ],
    ),
    S(
        "The council will review the sanctions as soon as the withdrawal is verified,",
        10,
        "caveat",
        addressee=2,
        conds=[C("The withdrawal is verified", "as soon as the withdrawal is verified")],
    ),
    S("This decision is a gift to those who want the conflict to go on,", 32, "caveat", addressee=10),
    S(
        "The League must stop punishing ordinary Kestrians for decisions they did not make.",
        32,
        "demand",
        addressee=10,
        conds=[
            C(
                "The League stops punishing ordinary Kestrians",
                "stop punishing ordinary Kestrians for decisions they did not make",
            )
        ],
    ),
    S("Kestria would “never bargain over its own territory”", 33, "caveat", False),
    S("he was satisfied", 34, "support", False),
    S("Six months is enough to show Sarn that the League means what it says,", 34, "support", addressee=2),
    S(
        "the sanctions had done “more harm to our ports than to Kestria’s army”",
        35,
        "caveat",
        False,
        addressee=10,
    ),
    S("We will respect the decision of the majority,", 35, "support"),
    S(
        "But we expect the council to compensate the ports that have lost their Kestrian trade, and we expect it to do so this year.",
        35,
        "demand",
        addressee=10,
        conds=[
            C(
                "The council compensates the ports that lost their Kestrian trade, this year",
                "compensate the ports that have lost their Kestrian trade",
            )
        ],
    ),
    D("Ness Two", "term"),
    S("exemptions for food and medicine would stay", 36, "support", False),
    S("the council would publish a list of the targeted companies by Friday", 36, "support", False),
]
ART["05_boreal_pipeline"] = [
    S(
        "Kestria will keep gas flowing through the Boreal pipeline to Valdoria through the winter",
        38,
        "support",
        False,
        addressee=1,
    ),
    S(
        "deliveries could stop if Lindgrad did not settle its debts by the end of February",
        38,
        "caveat",
        False,
        addressee=1,
        conds=[
            C(
                "Valdoria settles its debts by the end of February",
                "if Lindgrad did not settle its debts by the end of February",
            )
        ],
    ),
    S("We are not a charity,", 38, "caveat", addressee=1),
    S(
        'Valdoria owes us 1.2 billion crowns, and that debt has to be paid.\n\n"We have shown patience. We have delivered every cubic metre we promised, even in the coldest weeks of December. But patience has limits, and our shareholders expect to see the money.',
        38,
        "demand",
        addressee=1,
        conds=[C("Valdoria pays its 1.2 billion crown debt", "that debt has to be paid")],
    ),
    S(
        "Kestgaz had offered to spread the payments over three years, provided the first instalment arrived before March 1",
        38,
        "caveat",
        False,
        addressee=1,
        conds=[
            C(
                "The first instalment arrives before March 1",
                "provided the first instalment arrived before March 1",
            )
        ],
    ),
    S('called the offer "a starting point"', 39, "caveat", False, addressee=37),
    S("her government would study it carefully", 39, "caveat", False),
    S("We are looking for an agreement, not a confrontation,", 39, "support"),
    S(
        "Our engineers and theirs have kept this pipeline running through two wars. We can settle a bill.",
        39,
        "support",
    ),
    D("the Needle", "nickname", after='nicknamed "'),
    S(
        "the ministry was prepared to pay the first instalment but would not accept the interest rate Kestgaz had proposed",
        AN,
        "caveat",
        False,
        addressee=37,
    ),
    S("Sarn has used gas supplies as leverage before", AN, "caveat", False),
    S("Every winter the same threat comes back,", "Karl Brenner", "caveat"),
    S(
        "its technicians would inspect the Needle next week",
        37,
        "support",
        False,
        note="A commitment to carry out an action: support (codebook 5).",
    ),
]
ART["06_prisoner_swap"] = [
    S("more releases could follow", AN, "support", False),
    S("Today 72 of our people came home 🕊️ We will not rest until every one of them is back,", 41, "support"),
    S("To the families still waiting: we have not forgotten you 🙏", 41, "support"),
    S("Marov was ready for a second exchange “as early as next month”", 42, "support", False),
    S("Drevnia would not trade prisoners for territory", 42, "caveat", False),
    S(
        "all of them would receive medical care at a military hospital in Vell",
        43,
        "support",
        False,
        note="Commitment; the first clause (68 soldiers had returned) takes no position and is not coded.",
    ),
    S("This is a humanitarian act, not a political concession,", 44, "caveat"),
    S("Nobody in Vell should read it as a change in our position.", 44, "caveat"),
    S("Both governments kept their word today,", "Amadou Sy", "support"),
    S("We hope they will keep it again, and soon.", "Amadou Sy", "support"),
    S(
        "the next round depended on Marov releasing civilians detained near the crossing",
        AN,
        "caveat",
        False,
        addressee=6,
        conds=[
            C(
                "Drevnia releases the civilians detained near the crossing",
                "Marov releasing civilians detained near the crossing",
            )
        ],
    ),
    S("They know our list,", AN, "caveat", addressee=6),
    S(
        "If the civilians are not on the next bus, there will be no next bus.",
        AN,
        "caveat",
        addressee=6,
        conds=[C("The civilians are on the next bus", "If the civilians are not on the next bus")],
    ),
    D("Bring Them Home", "title"),
]
ART["07_vell_summit"] = [
    D("Principles for Safe Seas", "title"),
    S("the declaration was “the most important step in a decade”", 25, "support", False),
    S("her government would submit it to parliament within a month", 25, "support", False),
    S("Kestria would not accept arbitration over the islands", 45, "caveat", False),
    S("These ‘guarantees’ guarantee nothing,", 45, "caveat"),
    D("guarantees", "nested"),
    S("Our islands are not a subject for lawyers in a foreign court.", 45, "caveat"),
    S("he regretted the Kestrian position", 34, "caveat", False, addressee=2),
    S("Kestria signed a promise this morning and broke it by lunchtime,", 34, "caveat", addressee=2),
    S(
        "Sarn must tell us today whether its signature means anything.",
        34,
        "demand",
        addressee=2,
        conds=[
            C(
                "Kestria says today whether its signature means anything",
                "tell us today whether its signature means anything",
            )
        ],
    ),
    S("No declaration is perfect,", 25, "caveat"),
    S("This one gives us a framework, and a framework is more than we had on Friday.", 25, "support"),
    D("all disputed waters", "term"),
    S(
        "Ebrenia would back arbitration if all five states agreed to it",
        22,
        "caveat",
        False,
        conds=[C("All five states agree to arbitration", "if all five states agreed to it")],
    ),
    S("her country was prepared to host the tribunal in Port Ilse", 22, "support", False),
    D("the islands summit", "nickname"),
]
ART["08_meridia_election"] = [
    S(
        "Sunday’s parliamentary election in Meridia had been “competitive but marred by intimidation”",
        46,
        "caveat",
        False,
        addressee=7,
    ),
    S(
        "called on the authorities to investigate complaints from opposition candidates",
        46,
        "demand",
        False,
        addressee=7,
        conds=[
            C(
                "The authorities investigate complaints from opposition candidates",
                "investigate complaints from opposition candidates",
            )
        ],
    ),
    S("voting had been orderly in most polling stations", 46, "support", False),
    S(
        "Voters turned out in large numbers and the count was transparent where we could see it,",
        47,
        "support",
    ),
    S("But we could not see it everywhere, and that matters.", 47, "caveat"),
    S(
        "the electoral commission should publish results for each polling station before certifying the vote",
        47,
        "demand",
        False,
        addressee=52,
        conds=[
            C(
                "Publish results for each polling station before certifying the vote",
                "publish results for each polling station before certifying the vote",
            )
        ],
    ),
    S(
        "The people of Meridia have spoken, and no foreign mission will speak for them,",
        48,
        "caveat",
        addressee=46,
    ),
    S("she would challenge the results in three regions", 50, "caveat", False),
    S("We will go to the courts, not to the streets,", 50, "caveat"),
    S(
        "Our supporters must stay calm and let the lawyers do their work.",
        50,
        "demand",
        conds=[
            C("Supporters stay calm and let the lawyers work", "stay calm and let the lawyers do their work")
        ],
    ),
    D("A Clean Slate", "title"),
    S(
        "the mission’s report would make it harder for the government to declare a clean victory",
        "Stavros Kiriakou",
        "caveat",
        False,
    ),
    S("The word ‘intimidation’ will follow this parliament for four years,", "Stavros Kiriakou", "caveat"),
    D("intimidation", "nested", after="The word ‘"),
]
ART["09_lenna_dam"] = [
    S(
        "Aurelia will not fill the reservoir behind its new dam on the Lenna river until a water-sharing deal with Dravina is signed",
        53,
        "caveat",
        False,
        addressee=9,
        conds=[
            C(
                "A water-sharing deal with Dravina is signed",
                "until a water-sharing deal with Dravina is signed",
            )
        ],
    ),
    S("We don't want to take a single litre that belongs to our neighbours,", 53, "support", addressee=9),
    S(
        "But we won't wait forever. We've invested four years and two billion lire in this dam.",
        53,
        "caveat",
        addressee=9,
    ),
    S(
        'the dam "threatens the livelihood of every farmer in the lower valley"',
        54,
        "caveat",
        False,
        addressee=8,
    ),
    S("Korvo was open to a deal", 54, "support", False, addressee=8),
    S(
        "the two governments should agree a minimum flow before the rainy season ends",
        54,
        "demand",
        False,
        conds=[
            C(
                "Agree a minimum flow before the rainy season ends",
                "agree a minimum flow before the rainy season ends",
            )
        ],
    ),
    S(
        "Aurelia's engineers say the dam will regulate the river. Our farmers say it will strangle it,",
        54,
        "caveat",
        addressee=8,
    ),
    S(
        "Korvo wants guarantees on paper, signed by both prime ministers.",
        54,
        "demand",
        addressee=8,
        conds=[
            C(
                "Guarantees on paper signed by both prime ministers",
                "guarantees on paper, signed by both prime ministers",
            )
        ],
    ),
    D("Article Nine", "term"),
    S(
        "the authority was prepared to monitor the flow at the border, as long as both countries shared their data",
        55,
        "caveat",
        False,
        conds=[C("Both countries share their data", "as long as both countries shared their data")],
    ),
    S("We can measure every drop, but we cannot make two governments trust each other,", 55, "caveat"),
    S("That part is up to them.", 55, "caveat"),
    S(
        "the dam's turbines would start producing electricity in October regardless of the talks",
        AN,
        "caveat",
        False,
    ),
]
ART["10_orsa_plan"] = [
    S("This is not a peace plan,", 56, "caveat", addressee=8),
    S("It is an invitation to surrender, and we will not accept it.", 56, "caveat", addressee=8),
    S(
        "Aurelia had until Friday to pull its forces back behind the 2019 ceasefire line",
        56,
        "demand",
        False,
        addressee=8,
        conds=[
            C(
                "Aurelia pulls its forces back behind the 2019 ceasefire line by Friday",
                "pull its forces back behind the 2019 ceasefire line",
            )
        ],
    ),
    S(
        "If they withdraw, we will talk,",
        56,
        "caveat",
        addressee=8,
        conds=[C("Aurelia withdraws", "If they withdraw")],
    ),
    S(
        "If they do not, they will bear the responsibility for what follows.",
        56,
        "caveat",
        addressee=8,
        conds=[C("If Aurelia does not withdraw", "If they do not")],
    ),
    D("A Road to Lasting Peace", "title"),
    S("she regretted the Dravinian response", 57, "caveat", False, addressee=9),
    S("the offer remained on the table", 57, "support", False, addressee=9),
    S(
        "We welcome every chance to talk. But the shelling of our villages must stop first,",
        57,
        "demand",
        addressee=9,
        conds=[
            C("The shelling of Aurelian villages stops first", "the shelling of our villages must stop first")
        ],
    ),
    S("Nobody should expect us to give up the port of Brena,", 57, "caveat", addressee=9),
    S("It has been Aurelian for three hundred years.", 57, "caveat"),
    S(
        "urged both governments to keep the water agreement out of the dispute",
        55,
        "demand",
        False,
        conds=[
            C("Keep the water agreement out of the dispute", "keep the water agreement out of the dispute")
        ],
    ),
    S("they saw little chance of a breakthrough before the spring", AN, "caveat", False),
    S("described the atmosphere as “the worst since the war”", AN, "caveat", False),
    S("I hope they will sign something before the summer,", 26, "support"),
    S("I stand ready to travel to Korvo and Sant’Elia at any time.", 26, "support"),
]
ART["11_brena_blockade"] = [
    S("fuel shortages along the coast could begin within a week", AN, "caveat", False),
    S(
        "Our ships will stay where they are until the Santa Rosa and her crew are released,",
        "Renzo Galli",
        "caveat",
        addressee=9,
        conds=[
            C("The Santa Rosa and her crew are released", "until the Santa Rosa and her crew are released")
        ],
    ),
    S("Not one hour longer, and not one hour less.", "Renzo Galli", "caveat"),
    S(
        "the cargo would be examined “in full, by our experts, under our law”",
        58,
        "caveat",
        False,
        addressee=8,
    ),
    S("Aurelia was practising “gunboat diplomacy”", 58, "caveat", False, addressee=8),
    S("the dispute had little to do with the freighter", 59, "caveat", False),
    S("Both governments are using the Santa Rosa as a pretext,", 59, "caveat"),
    S("Ten thousand jobs in this port depend on ships moving, and right now nothing moves.", 59, "caveat"),
    S(
        "urged the League of Northern States to send a mediator “before the first petrol station runs dry”",
        59,
        "demand",
        False,
        addressee=10,
        conds=[
            C(
                "The League sends a mediator before fuel runs out",
                "send a mediator “before the first petrol station runs dry”",
            )
        ],
    ),
    S(
        "a mediator could be appointed as early as Friday if both sides asked for one",
        AN,
        "caveat",
        False,
        conds=[C("Both sides ask for a mediator", "if both sides asked for one")],
    ),
    S("Dravina had no interest in a confrontation at sea", 58, "support", False, addressee=8),
    S(
        "We are prepared to let the crew go home as soon as our investigators have finished their questions,",
        58,
        "caveat",
        addressee=8,
        conds=[
            C(
                "The investigators have finished questioning the crew",
                "as soon as our investigators have finished their questions",
            )
        ],
    ),
    S("The ship is another matter.", 58, "caveat", addressee=8),
    S("the blockade was lawful", 8, "caveat", False, addressee=9),
    S("Every measure we have taken respects the law of the sea,", 60, "caveat", addressee=9),
]
ART["12_tavro_corridor"] = [
    S("We had guarantees from both sides. Both sides broke them,", "Aiko Tanaka", "caveat"),
    S(
        "We will not send our people back in until the shooting stops.",
        "Aiko Tanaka",
        "caveat",
        conds=[C("The shooting stops", "until the shooting stops")],
    ),
    S("Tarsenian artillery had fired on the convoy", 61, "caveat", False, addressee=5),
    S("Drevnian units had opened fire first", 27, "caveat", False, addressee=6),
    S(
        'called the shelling "a crime against people who only wanted to live"',
        42,
        "caveat",
        False,
        addressee=5,
    ),
    S(
        "I have ordered our commanders to hold their fire along the corridor for as long as the convoys are moving,",
        42,
        "caveat",
        conds=[C("As long as the convoys are moving", "for as long as the convoys are moving")],
    ),
    S(
        'I expect Vell to give the same order, tonight, in writing.\n\n"If it does, the corridor can reopen on Monday. If it does not, the world will know who closed it.',
        42,
        "demand",
        addressee=5,
        conds=[
            C("Tarsenia gives the same order tonight, in writing", "give the same order, tonight, in writing")
        ],
    ),
    S(
        "her government remained committed to the corridor but would not allow it to be used to move weapons into Tavro",
        44,
        "caveat",
        False,
    ),
    S(
        "Vell wants inspections of every vehicle",
        44,
        "demand",
        False,
        conds=[C("Inspections of every vehicle", "inspections of every vehicle")],
    ),
    D("the last road", "term"),
    S("Still waiting at the checkpoint 🚗🚗🚗 please let us through,", AN, "demand"),
    S("it would try again on Monday", 12, "support", False),
]
ART["13_norvath_debt"] = [
    S("the government’s latest budget plan did not go far enough", 14, "caveat", False, addressee=4),
    S("The numbers do not add up,", 62, "caveat", addressee=4),
    S(
        "Without new revenue, the deficit will be above six per cent next year, and no restructuring can survive that.",
        62,
        "caveat",
        addressee=4,
    ),
    S(
        "the Fund would only release the next tranche of its loan once parliament had approved a credible budget",
        62,
        "caveat",
        False,
        addressee=4,
        conds=[C("Parliament approves a credible budget", "once parliament had approved a credible budget")],
    ),
    S(
        "the government should reconsider its decision to cut the fuel tax",
        62,
        "demand",
        False,
        addressee=4,
        conds=[C("Reconsider the fuel tax cut", "reconsider its decision to cut the fuel tax")],
    ),
    S(
        "We were elected to protect families from price shocks, and that is what we are doing,",
        63,
        "caveat",
        addressee=14,
    ),
    S("The Fund is entitled to its view. We are entitled to ours.", 63, "caveat", addressee=14),
    D("haircut", "scare"),
    S("Norvath would “not sign anything that condemns a generation to austerity”", 63, "caveat", False),
    S("I am confident we can close a deal before Christmas,", 65, "support"),
    S(
        "provided the government and the Fund find common ground on the budget.",
        65,
        "caveat",
        conds=[
            C(
                "The government and the Fund find common ground on the budget",
                "provided the government and the Fund find common ground on the budget",
            )
        ],
    ),
    S(
        "the creditors were prepared to extend the maturities of the bonds by seven years",
        65,
        "support",
        False,
    ),
    D("the Christmas miracle", "nickname"),
    S("they would vote against the budget", AN, "caveat", False),
]
ART["14_skarv_cable"] = [
    S(
        "Norvath has asked Kestria to explain why one of its research vessels was circling above a damaged undersea data cable for six hours last week",
        AN,
        "demand",
        False,
        addressee=2,
        conds=[
            C(
                "Kestria explains why its vessel circled above the cable",
                "explain why one of its research vessels was circling above a damaged undersea data cable",
            )
        ],
    ),
    S("We are not accusing anyone yet,", 66, "caveat"),
    S(
        "But we want answers, and we want them this week.",
        66,
        "demand",
        addressee=2,
        conds=[C("Answers this week", "we want them this week")],
    ),
    S(
        "divers would return to the site once the weather improved",
        66,
        "caveat",
        False,
        conds=[C("Once the weather improves", "once the weather improved")],
        note="A commitment with an explicit condition (once): caveat. The first clause (investigators had recovered a section) is factual.",
    ),
    S('describing the Norvathi questions as "an insult to science"', 67, "caveat", False, addressee=4),
    S("Our scientists go where the currents go,", 68, "caveat", addressee=4),
    S(
        "If Hollin has evidence, it should show it to us, and we will look at it in good faith.",
        68,
        "demand",
        addressee=4,
        conds=[C("If Norvath has evidence, it shows it to Kestria", "it should show it to us")],
    ),
    D("the soft underbelly", "term"),
    S("the navy would step up patrols around Skarv", 24, "support", False),
    S("Nobody should mistake our patience for weakness,", 24, "caveat"),
    S("islanders were frustrated", "Sigrun Dahl", "caveat", False),
    S(
        "We were cut off for two days 😡 and nobody in Hollin picked up the phone,",
        "Sigrun Dahl",
        "caveat",
        addressee=4,
    ),
    S(
        'Hollin must lay a second cable "before the next storm, not after it"',
        "Sigrun Dahl",
        "demand",
        False,
        addressee=4,
        conds=[
            C(
                "Lay a second cable before the next storm",
                'lay a second cable "before the next storm, not after it"',
            )
        ],
    ),
]

ART["15_rail_link"] = [
    S(
        "the planned rail link to the Tarsenian border could be shelved unless Vell agrees to share the cost of rebuilding the Kelm viaduct",
        70,
        "caveat",
        False,
        addressee=5,
        conds=[
            C(
                "Tarsenia agrees to share the cost of rebuilding the Kelm viaduct",
                "unless Vell agrees to share the cost of rebuilding the Kelm viaduct",
            )
        ],
    ),
    S("We have done our part,", 70, "support"),
    S("Now it is Vell’s turn.", 70, "caveat", addressee=5),
    S("Not this decade. Maybe not the next one either.", 70, "caveat"),
    S(
        "it was “studying the Drevnian proposal” and would respond “in due course”",
        71,
        "caveat",
        False,
        addressee=6,
    ),
    D("the Old Lady", "nickname"),
    S("The people of Kelm don’t care whose money it is,", 72, "caveat"),
    S(
        "They want the trains back — and they want them back before winter.",
        72,
        "demand",
        conds=[C("The trains are back before winter", "they want them back before winter")],
    ),
    S(
        "the council should look for private investors rather than wait for the two capitals",
        "Pyotr Salnikov",
        "demand",
        False,
        addressee=73,
        conds=[
            C(
                "Look for private investors",
                "look for private investors rather than wait for the two capitals",
            )
        ],
    ),
    S(
        "Private money was ‘welcome, as long as the state keeps control of the tracks’",
        70,
        "caveat",
        False,
        conds=[
            C("The state keeps control of the tracks", "as long as the state keeps control of the tracks")
        ],
    ),
    S("described the talks as ‘a game of chicken on a bridge’", AN, "caveat", False),
    D("Kelm 2030", "code-name"),
]
ART["16_arms_embargo"] = [
    S("There's no consensus, and without consensus there's no decision,", 74, "caveat"),
    S("I regret that. I think it's a mistake. But that's how this League works.", 74, "caveat"),
    S("she would put the proposal to ministers again in June", 74, "support", False),
    S(
        'Meridia, she argued, had "not done enough" to investigate reports of intimidation during last year\'s election',
        20,
        "caveat",
        False,
        addressee=7,
        note="Parenthetical attribution: the clause cannot be cut around it, so the span keeps it.",
    ),
    S(
        "Show us the investigation, show us the results, and we will look at this again,",
        20,
        "demand",
        addressee=7,
        conds=[
            C(
                "Meridia shows the investigation and its results",
                "Show us the investigation, show us the results",
            )
        ],
    ),
    S("Until then, nothing changes.", 20, "caveat", conds=[C("Until Meridia shows the investigation", None)]),
    S("On this? Perhaps. Being isolated is not the same as being wrong.", 20, "caveat"),
    S(
        'Ebrenia "shares the goal" of normal relations with Meridia but wanted "clear benchmarks" before any vote',
        75,
        "demand",
        False,
        addressee=7,
        conds=[C("Clear benchmarks before any vote", '"clear benchmarks" before any vote')],
    ),
    S("The League has allowed two members to hold the rest hostage,", 76, "caveat", addressee=10),
    S("We will draw our own conclusions.", 76, "caveat", addressee=10),
    S('calling the decision "an insult to the Meridian people"', 77, "caveat", False, addressee=10),
    S(
        'vowing to seek weapons "elsewhere, if we must"',
        77,
        "caveat",
        False,
        conds=[C("If Meridia must", "if we must")],
    ),
    D("Elections Under Pressure", "title"),
    S('the debate had become "toxic"', AN, "caveat", False),
    S("a third veto could split the bloc", AN, "caveat", False),
    S(
        "If this happens again in June,",
        AN,
        "caveat",
        conds=[C("A third veto in June", "If this happens again in June")],
    ),
    S("some members will start asking what the League is for.", AN, "caveat"),
]
ART["17_whale_quota"] = [
    S(
        "Ebrenia will resume commercial whaling next season despite a moratorium it signed 20 years ago",
        79,
        "support",
        False,
    ),
    S('the quota of 40 minke whales was "sustainable and scientifically sound"', 79, "support", False),
    S(
        "inspectors from the Coastal Cooperation Council would be allowed on every vessel",
        79,
        "support",
        False,
    ),
    S("the decision was about coastal jobs", 28, "support", False),
    S(
        "For twenty years we have been told to wait. Our fishermen have waited. Their villages have emptied,",
        28,
        "caveat",
    ),
    S("We will not apologise for feeding our families.", 28, "caveat"),
    S("This is a step backwards for the whole region,", 78, "caveat", addressee=3),
    S(
        "We urge Port Ilse to reconsider before the first ship leaves harbour.",
        78,
        "demand",
        addressee=3,
        conds=[
            C(
                "Ebrenia reconsiders before the first ship leaves harbour",
                "reconsider before the first ship leaves harbour",
            )
        ],
    ),
    S(
        'Norvath would raise the issue at the Council\'s next meeting in December and "would not rule out" further measures',
        78,
        "caveat",
        False,
        addressee=3,
    ),
    S('called the quota "a death sentence" for the local minke population', 80, "caveat", False),
    S("the group would go to court to stop the hunt", "Joana Pires", "caveat", False),
    S("We've beaten this ministry before,", "Joana Pires", "caveat"),
    S("We'll beat it again.", "Joana Pires", "caveat"),
    S(
        "the organisation would send inspectors if asked",
        26,
        "caveat",
        False,
        conds=[C("If asked", "if asked")],
    ),
    S('the moratorium remained "the position of the Council"', 26, "caveat", False),
    S("Nobody wins a whaling war,", 26, "caveat"),
    D("the return", "nickname"),
]
ART["18_hostage_talks"] = [
    S(
        "We will talk to anyone, anywhere, if it brings our people home,",
        25,
        "caveat",
        conds=[C("If it brings the hostages home", "if it brings our people home")],
    ),
    S("That is not weakness. That is responsibility.", 25, "caveat"),
    S("Every ransom paid is an advertisement for the next kidnapping,", "Elias Brandt", "caveat"),
    S(
        "The president must make clear today that not one crown will be paid.",
        "Elias Brandt",
        "demand",
        addressee=25,
        conds=[
            C(
                "The president makes clear today that no ransom will be paid",
                "make clear today that not one crown will be paid",
            )
        ],
    ),
    S(
        "“no payment has been requested and none has been offered”",
        25,
        "caveat",
        False,
        note="Solberg's office speaks for her; the whole clause is a quotation inside reported speech.",
    ),
    S("For the first time in three months we have hope,", "Rania Haddad", "support"),
    S("Please, please don’t let this chance slip away.", "Rania Haddad", "demand"),
    S(
        "the group was “ready to continue” the talks, provided Tarsenia stopped air strikes on the ridge villages during the negotiations",
        81,
        "caveat",
        False,
        addressee=5,
        conds=[
            C(
                "Tarsenia stops air strikes on the ridge villages during the negotiations",
                "provided Tarsenia stopped air strikes on the ridge villages during the negotiations",
            )
        ],
    ),
    S("the air force would keep striking “legitimate military targets”", 83, "caveat", False, addressee=81),
    S("Tarsenia would never accept a ceasefire imposed “at gunpoint”", 83, "caveat", False, addressee=81),
]


def locate(text, quote, after=None, lo=0):
    base = text.find(after) + len(after) if after else lo
    assert not after or text.find(after) >= 0, after
    i = text.find(quote, base)
    assert i >= 0, ("missing", quote)
    return i


def gold_of(text, items, check=None):
    """(statements, distractors) of one article: each item located in `text`, with the checks
    (unambiguous, evidence inside its statement, no overlaps); `check(text, item, start, end)`
    may add its own."""
    st, ds = [], []
    for item in items:
        i = locate(text, item["quote"], item.get("after"))
        assert text.count(item["quote"]) == 1 or item.get("after"), ("ambiguous", item["quote"])
        e = i + len(item["quote"])
        if check is not None:
            check(text, item, i, e)
        if item["t"] == "d":
            ds.append({"start": i, "end": e, "quote": item["quote"], "kind": item["kind"]})
            continue
        conds = []
        for c in item["conds"]:
            d = {"description": c["description"], "start": None, "end": None}
            if c["evidence"]:
                j = text.find(c["evidence"], i)
                assert i <= j and j + len(c["evidence"]) <= e, ("evidence outside", c["evidence"])
                d["start"], d["end"] = j, j + len(c["evidence"])
                d["evidence"] = c["evidence"]
            conds.append(d)
        s = {
            "start": i,
            "end": e,
            "quote": item["quote"],
            "direct": item["direct"],
            "speaker": item["speaker"],
            "addressee": item["addressee"],
            "stance": item["stance"],
            "conditions": conds,
        }
        if item.get("note"):
            s["note"] = item["note"]
        st.append(s)
    st.sort(key=lambda s: s["start"])
    for a, b in zip(st, st[1:], strict=False):
        assert a["end"] <= b["start"], ("overlap", a["quote"], b["quote"])
    return st, sorted(ds, key=lambda d: d["start"])


def main() -> None:
    out = {
        "_comment": "Development set of the suggestion engine: hand-written articles (invented events, countries and people) "
        "annotated by hand following /work/shared/CODEBOOK.md. Offsets are code points, end exclusive; "
        'quote == text[start:end]. Speakers: an actor id, "anonymous", or {"new": name, "kind": ...} for a named '
        "source that is deliberately NOT in the registry. Distractors are quoted strings (inside the marks) that must not "
        "be suggested as statements of their own. Articles 01-10 are the tuning split, 11-14 the held-out split; 15-18 were written and annotated after the engine's rules were frozen and first scored without any change (the 'fresh' split).",
        "codebook": "/work/shared/CODEBOOK.md",
        "split": {
            "tune": [f"{k}.txt" for k in sorted(ART)[:10]],
            "heldout": [f"{k}.txt" for k in sorted(ART)[10:14]],
            "fresh": [f"{k}.txt" for k in sorted(ART)[14:]],
        },
        "actors": ACTORS,
        "articles": [],
    }
    nstat = 0
    for key in sorted(ART):
        text = Path(DIR + key + ".txt").read_text(encoding="utf-8")
        st, ds = gold_of(text, ART[key])
        nstat += len(st)
        out["articles"].append({"file": key + ".txt", "statements": st, "distractors": ds})
        print(key, len(st), len(ds), len(text))
    print("total", nstat)
    with open(DIR + "gold.json", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
