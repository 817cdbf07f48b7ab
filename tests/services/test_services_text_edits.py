"""Editing an article's text after annotation (issue 14), through the service on the real database.

Each case asserts the new offsets exactly, the state each statement ends in, that the database
invariant holds (every stored quote is its text at its span: the article's, or for an orphan the
kept old text's) and the history entry with old and new span, method and score."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from statements import services
from statements.models import (
    AnchorState,
    Article,
    ArticleTextRevision,
    Condition,
    EventAction,
    Review,
    Statement,
    StatementEvent,
    Status,
)
from statements.services import text_edits
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

P1 = 'Peskov said on Monday: "We agree with the proposals to cease hostilities."'
P2 = "Lavrov added that talks would resume in Geneva next week, according to the ministry."
P3 = "The ministry said the ceasefire must hold before any talks. Kyiv did not comment."
TEXT = f"{P1}\n\n{P2}\n\n{P3}"


def _article(user, text=TEXT):
    return ArticleFactory(text=text, user=user)


def _tag(article, user, quote, *, occurrence=0, conditions=()):
    start = -1
    for _ in range(occurrence + 1):
        start = article.text.index(quote, start + 1)
    return services.statement_create(
        article=article,
        user=user,
        start=start,
        end=start + len(quote),
        quote=quote,
        stance="support",
        conditions=conditions,
    )


def _nth(text, quote, n=0):
    start = -1
    for _ in range(n + 1):
        start = text.index(quote, start + 1)
    return start


def _assert_invariant(article):
    article.refresh_from_db()
    for s in Statement.objects.filter(article=article).select_related("orphan_of"):
        text = s.orphan_of.text if s.orphan_of is not None else article.text
        assert text[s.start : s.end] == s.quote, s
        assert (s.anchor_state == AnchorState.ORPHAN) == (s.orphan_of is not None)
    for c in Condition.objects.filter(statement__article=article, evidence_start__isnull=False):
        text = c.evidence_orphan_of.text if c.evidence_orphan_of_id else article.text
        assert text[c.evidence_start : c.evidence_end] == c.evidence_quote


def _apply(article, user, text, mode="edit"):
    result = text_edits.text_edit_apply(article=article, user=user, text=text, mode=mode)
    _assert_invariant(article)
    return result


def _by_statement(result):
    return {o.statement_id: o for o in result.statements}


def test_it_reanchors_a_typo_inside_a_quote_marks_it_text_changed_and_sends_it_back_to_pending(
    analyst, other_analyst
):
    old = TEXT.replace("talks would resume", "talks would resme")
    article = _article(analyst, old)
    s = _tag(article, analyst, "talks would resme in Geneva")
    services.statement_review(statement=s, reviewer=other_analyst, verdict="accept")
    new = TEXT
    result = _apply(article, analyst, new)
    s.refresh_from_db()
    start = new.index("talks would resume in Geneva")
    assert (s.start, s.end, s.quote) == (
        start,
        start + len("talks would resume in Geneva"),
        "talks would resume in Geneva",
    )
    assert s.anchor_state == AnchorState.TEXT_CHANGED and s.status == Status.PENDING
    assert Review.objects.filter(statement=s).count() == 1  # the review stays
    o = _by_statement(result)[s.pk]
    assert (o.outcome, o.method, o.old_start, o.old_end) == (
        "reanchored",
        "diff",
        old.index("talks"),
        old.index("talks") + 27,
    )
    event = StatementEvent.objects.get(statement=s, action=EventAction.REANCHORED)
    assert (event.before["start"], event.before["quote"]) == (
        old.index("talks"),
        "talks would resme in Geneva",
    )
    assert (event.after["start"], event.after["end"]) == (s.start, s.end)
    assert event.after["method"] == "diff" and 0.9 < event.after["score"] < 1.0
    # the annotator confirms
    text_edits.statement_confirm_text(statement=s, user=analyst)
    s.refresh_from_db()
    assert s.anchor_state == AnchorState.ANCHORED and s.status == Status.PENDING


def test_it_moves_every_statement_when_a_paragraph_is_inserted_before_them(analyst):
    article = _article(analyst)
    a = _tag(article, analyst, "We agree with the proposals to cease hostilities")
    b = _tag(article, analyst, "talks would resume in Geneva next week")
    inserted = "BREAKING: a new paragraph the scraper had dropped.\n\n"
    result = _apply(article, analyst, inserted + TEXT)
    for s in (a, b):
        old_start, old_end = s.start, s.end
        s.refresh_from_db()
        assert (s.start, s.end) == (old_start + len(inserted), old_end + len(inserted))
        assert s.anchor_state == AnchorState.ANCHORED and s.version == 2
        assert _by_statement(result)[s.pk].outcome == "moved"
        event = StatementEvent.objects.get(statement=s, action=EventAction.REANCHORED)
        assert (event.before["start"], event.after["start"], event.after["method"], event.after["score"]) == (
            old_start, s.start, "diff", 1.0
        )  # fmt: skip
    revision = ArticleTextRevision.objects.get(article=article)
    assert (
        revision.text == TEXT and revision.change == "edit" and revision.summary["statements"]["moved"] == 2
    )


def test_it_orphans_a_statement_whose_sentence_was_deleted_keeps_it_and_reattaches_it(analyst):
    article = _article(analyst)
    kept = _tag(article, analyst, "talks would resume in Geneva")
    gone = _tag(article, analyst, "the ceasefire must hold before any talks")
    old_span = (gone.start, gone.end)
    new = TEXT.replace("The ministry said the ceasefire must hold before any talks. ", "")
    result = _apply(article, analyst, new)
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert _by_statement(result)[gone.pk].outcome == "orphaned"
    assert gone.anchor_state == AnchorState.ORPHAN
    assert (gone.start, gone.end, gone.quote) == (*old_span, "the ceasefire must hold before any talks")
    assert gone.orphan_of.text == TEXT  # its span is the kept old text's
    assert (kept.start, kept.anchor_state) == (
        new.index("talks would resume in Geneva"),
        AnchorState.ANCHORED,
    )
    # re-attach by selecting a new span of the current text
    start = new.index("Kyiv did not comment")
    services_result = text_edits.statement_reattach(
        statement=gone, user=analyst, start=start, end=start + 20, quote="Kyiv did not comment"
    )
    gone.refresh_from_db()
    assert services_result.pk == gone.pk
    assert (gone.start, gone.end, gone.quote, gone.orphan_of) == (
        start,
        start + 20,
        "Kyiv did not comment",
        None,
    )
    assert gone.anchor_state == AnchorState.ANCHORED and gone.status == Status.PENDING
    _assert_invariant(article)
    events = list(StatementEvent.objects.filter(statement=gone, action=EventAction.REANCHORED))
    assert [e.after["outcome"] for e in events] == ["orphaned", "reattached"]


def test_it_follows_a_moved_paragraph(analyst):
    article = _article(analyst)
    s = _tag(article, analyst, "the ceasefire must hold before any talks")
    t = _tag(article, analyst, "talks would resume in Geneva next week")
    new = f"{P3}\n\n{P1}\n\n{P2}"
    _apply(article, analyst, new)
    for statement, quote in (
        (s, "the ceasefire must hold before any talks"),
        (t, "talks would resume in Geneva next week"),
    ):
        statement.refresh_from_db()
        assert (statement.start, statement.end, statement.quote) == (
            new.index(quote),
            new.index(quote) + len(quote),
            quote,
        )
        assert statement.anchor_state == AnchorState.ANCHORED


@pytest.mark.parametrize("mode", ["edit", "replace"])
def test_it_chooses_the_right_copy_of_a_repeated_phrase_by_its_context(analyst, mode):
    text = (
        "In Moscow, Peskov said talks will continue at the embassy level.\n\n"
        "In Kyiv, Zelensky said talks will continue only after a ceasefire."
    )
    article = _article(analyst, text)
    second = _tag(article, analyst, "talks will continue", occurrence=1)
    first = _tag(article, analyst, "talks will continue", occurrence=0)
    new = (
        "Sources: agencies.\n\nIn Kyiv, Zelensky said talks will continue only after a ceasefire.\n\n"
        "In Moscow, Peskov said talks will continue at the embassy level."
    )
    _apply(article, analyst, new, mode=mode)
    second.refresh_from_db()
    first.refresh_from_db()
    kyiv = new.index("talks will continue")  # Kyiv's copy comes first now
    moscow = _nth(new, "talks will continue", 1)
    assert (second.start, second.end) == (kyiv, kyiv + 19)
    assert (first.start, first.end) == (moscow, moscow + 19)


def test_it_counts_astral_characters_added_before_spans_as_one_code_point_each(analyst):
    article = _article(analyst)
    s = _tag(article, analyst, "We agree with the proposals")
    t = _tag(article, analyst, "Kyiv did not comment")
    prefix = "🇺🇦 𝐔𝐩𝐝𝐚𝐭𝐞 🙂: "
    new = prefix + TEXT.replace("Kyiv did", "𝕂 Kyiv did")
    _apply(article, analyst, new)
    s.refresh_from_db()
    t.refresh_from_db()
    assert (s.start, s.end) == (
        len(prefix) + TEXT.index("We agree"),
        len(prefix) + TEXT.index("We agree") + 27,
    )
    assert t.start == new.index("Kyiv did not comment") == len(prefix) + TEXT.index("Kyiv") + 2
    assert new[t.start : t.end] == t.quote == "Kyiv did not comment"


def test_it_normalizes_a_crlf_text_and_places_the_spans_on_the_stored_text(analyst):
    article = _article(analyst)
    s = _tag(article, analyst, "talks would resume in Geneva next week")
    crlf = ("Update.\n\n" + TEXT).replace("\n", "\r\n")
    result = _apply(article, analyst, crlf, mode="replace")
    article.refresh_from_db()
    assert "\r" not in article.text and article.text == "Update.\n\n" + TEXT
    s.refresh_from_db()
    start = article.text.index("talks would resume")
    assert (s.start, s.end) == (start, start + 38)
    assert _by_statement(result)[s.pk].method == "exact-near"


def test_it_moves_and_orphans_condition_evidence(analyst):
    article = _article(analyst)
    ev1 = TEXT.index("before any talks")
    ev2 = TEXT.index("according to the ministry")
    s = _tag(
        article,
        analyst,
        "talks would resume in Geneva next week",
        conditions=[
            {"description": "only with a truce", "evidence_start": ev1, "evidence_end": ev1 + 16,
             "evidence_quote": "before any talks"},
            {"description": "sourced", "evidence_start": ev2, "evidence_end": ev2 + 25,
             "evidence_quote": "according to the ministry"},
        ],
    )  # fmt: skip
    new = "Intro.\n\n" + TEXT.replace("The ministry said the ceasefire must hold before any talks. ", "")
    result = _apply(article, analyst, new)
    orphaned, moved = Condition.objects.filter(statement=s).order_by("position")
    assert (orphaned.evidence_start, orphaned.evidence_quote) == (ev1, "before any talks")
    assert orphaned.evidence_orphan_of.text == TEXT
    assert (moved.evidence_start, moved.evidence_end) == (new.index("according"), new.index("according") + 25)
    assert {o.condition_id: o.outcome for o in result.conditions} == {
        moved.pk: "moved",
        orphaned.pk: "orphaned",
    }
    event = StatementEvent.objects.get(statement=s, action=EventAction.REANCHORED)
    assert {e["outcome"] for e in event.after["evidence"]} == {"moved", "orphaned"}
    # re-attach the orphaned evidence
    start = new.index("Kyiv did not comment")
    text_edits.condition_reattach(condition=orphaned, user=analyst, start=start, end=start + 4, quote="Kyiv")
    orphaned.refresh_from_db()
    assert (orphaned.evidence_start, orphaned.evidence_quote, orphaned.evidence_orphan_of) == (
        start,
        "Kyiv",
        None,
    )
    _assert_invariant(article)


def test_it_places_overlapping_and_nested_statements_independently(analyst):
    article = _article(analyst)
    outer = _tag(article, analyst, "Lavrov added that talks would resume in Geneva")
    inner = _tag(article, analyst, "talks would resume")
    overlap = _tag(article, analyst, "resume in Geneva next week, according")
    new = TEXT.replace("Lavrov added that", "Lavrov added on Tuesday that")
    result = _apply(article, analyst, new)
    for s in (outer, inner, overlap):
        s.refresh_from_db()
    o = _by_statement(result)
    assert (outer.start, outer.quote) == (
        new.index("Lavrov"),
        "Lavrov added on Tuesday that talks would resume in Geneva",
    )
    assert outer.end == new.index("Lavrov") + len(outer.quote) and o[outer.pk].outcome == "reanchored"
    assert (inner.start, inner.end) == (new.index("talks would resume"), new.index("talks would resume") + 18)
    assert (overlap.start, overlap.end) == (new.index("resume in Geneva"), new.index("resume in Geneva") + 37)
    assert (o[inner.pk].outcome, o[overlap.pk].outcome) == ("moved", "moved")


def _gold(article, lead, quote):
    s = _tag(article, lead, quote)
    Statement.objects.filter(pk=s.pk).update(is_gold=True, status=Status.ACCEPTED)
    s.refresh_from_db()
    return s


def test_a_gold_statement_reanchored_by_approximation_is_not_gold_until_a_lead_confirms(analyst, lead):
    article = _article(analyst, TEXT.replace("talks would resume", "talks would resme"))
    gold = _gold(article, lead, "talks would resme in Geneva")
    exact = _gold(article, lead, "We agree with the proposals")
    _apply(article, analyst, TEXT)
    gold.refresh_from_db()
    exact.refresh_from_db()
    assert (gold.is_gold, gold.gold_unconfirmed, gold.status) == (False, True, Status.PENDING)
    assert (exact.is_gold, exact.gold_unconfirmed) == (True, False)  # carried intact: still gold
    assert set(Statement.objects.filter(is_gold=True)) == {exact}  # what agreement and exports count
    assert gold not in Statement.objects.awaiting_review()  # it waits for its lead, not a verdict
    with pytest.raises(PermissionDenied):
        text_edits.statement_confirm_gold(statement=gold, user=analyst)
    with pytest.raises(ValidationError):
        text_edits.statement_confirm_text(statement=gold, user=lead)
    text_edits.statement_confirm_gold(statement=gold, user=lead)
    gold.refresh_from_db()
    assert (gold.is_gold, gold.gold_unconfirmed, gold.status, gold.anchor_state) == (
        True, False, Status.ACCEPTED, AnchorState.ANCHORED
    )  # fmt: skip


def test_a_second_change_leaves_an_orphan_on_its_own_old_text(analyst):
    article = _article(analyst)
    gone = _tag(article, analyst, "the ceasefire must hold before any talks")
    first = TEXT.replace("The ministry said the ceasefire must hold before any talks. ", "")
    _apply(article, analyst, first)
    result = _apply(article, analyst, "Intro.\n\n" + first)
    gone.refresh_from_db()
    assert _by_statement(result)[gone.pk].outcome == "still_orphaned"
    assert gone.orphan_of.text == TEXT and ArticleTextRevision.objects.filter(article=article).count() == 2


def test_only_the_creator_a_lead_or_an_admin_may_change_the_text(analyst, other_analyst, lead, viewer):
    article = _article(analyst)
    _tag(article, analyst, "talks would resume")
    for user in (other_analyst, viewer, UserFactory(role=None)):
        with pytest.raises(PermissionDenied):
            text_edits.text_edit_apply(article=article, user=user, text="Intro. " + TEXT)
        with pytest.raises(PermissionDenied):
            text_edits.text_edit_preview(article=article, user=user, text="Intro. " + TEXT)
    article.refresh_from_db()
    assert article.text == TEXT
    text_edits.text_edit_apply(article=article, user=lead, text="Intro. " + TEXT)
    admin = UserFactory(role=None, is_superuser=True)
    text_edits.text_edit_apply(article=article, user=admin, text="Intro 2. " + TEXT)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The text is empty."),
        ("   \n ", "The text is empty."),
        ("a\x00b", "NUL"),
        (42, "must be a string"),
    ],
)
def test_it_refuses_bad_text_with_a_message_and_changes_nothing(analyst, text, message):
    article = _article(analyst)
    s = _tag(article, analyst, "talks would resume")
    with pytest.raises(ValidationError) as exc:
        text_edits.text_edit_apply(article=article, user=analyst, text=text)
    assert message in " ".join(exc.value.message_dict["text"])
    article.refresh_from_db()
    s.refresh_from_db()
    assert article.text == TEXT and s.version == 1 and not ArticleTextRevision.objects.exists()


def test_it_refuses_the_text_of_another_article_of_the_project_and_a_stale_base(analyst):
    other = ArticleFactory(text="Another article entirely.", user=analyst)
    article = _article(analyst)
    with pytest.raises(ValidationError, match="already exists"):
        text_edits.text_edit_apply(article=article, user=analyst, text=other.text)
    with pytest.raises(ValidationError, match="since you opened it"):
        text_edits.text_edit_apply(article=article, user=analyst, text="x " + TEXT, base_sha256="0" * 64)
    article.refresh_from_db()
    assert article.text == TEXT


def test_the_preview_writes_nothing_and_says_what_the_apply_does(analyst, django_assert_num_queries):
    article = _article(analyst)
    s = _tag(article, analyst, "the ceasefire must hold before any talks")
    t = _tag(article, analyst, "talks would resume")
    new = "Intro.\n\n" + TEXT.replace("The ministry said the ceasefire must hold before any talks. ", "")
    article = Article.objects.get(pk=article.pk)
    with django_assert_num_queries(3):  # duplicate check, statements, conditions
        preview = text_edits.text_edit_preview(article=article, user=analyst, text=new)
    assert {o.statement_id: o.outcome for o in preview.statements} == {s.pk: "orphaned", t.pk: "moved"}
    assert preview.counts["orphaned"] == 1 and not ArticleTextRevision.objects.exists()
    applied = text_edits.text_edit_apply(article=article, user=analyst, text=new)
    assert [o.as_dict() for o in applied.statements] == [o.as_dict() for o in preview.statements]


def test_the_database_refuses_a_text_change_that_bypasses_the_service(analyst):
    article = _article(analyst)
    s = _tag(article, analyst, "talks would resume")
    # even with the old text kept, statements that do not match the new text block the change
    ArticleTextRevision.objects.create(article=article, text=TEXT, text_sha256=article.text_sha256)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(text="Intro. " + TEXT)
    # and an orphan's quote must be its revision's text at its span
    revision = ArticleTextRevision.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE statements_statement SET orphan_of_id = %s, anchor_state = 'orphan', start = start + 1, "
            '"end" = "end" + 1 WHERE id = %s',
            [revision.pk, s.pk],
        )
    s.refresh_from_db()
    assert s.orphan_of is None and TEXT[s.start : s.end] == s.quote


def test_an_orphan_is_reattached_through_the_annotate_panels_update_too(analyst):
    article = _article(analyst)
    gone = _tag(article, analyst, "the ceasefire must hold before any talks")
    new = TEXT.replace("The ministry said the ceasefire must hold before any talks. ", "")
    _apply(article, analyst, new)
    gone.refresh_from_db()
    start = new.index("Kyiv")
    services.statement_update(statement=gone, user=analyst, start=start, end=start + 4, quote="Kyiv")
    gone.refresh_from_db()
    assert (gone.start, gone.quote, gone.anchor_state, gone.orphan_of) == (
        start,
        "Kyiv",
        AnchorState.ANCHORED,
        None,
    )


def test_orphans_and_unconfirmed_gold_leave_the_highlights_and_the_agreement_inputs(analyst, lead):
    from statements.selectors import alignment, workspace

    article = _article(analyst, TEXT.replace("talks would resume", "talks would resme"))
    kept = _tag(article, analyst, "We agree with the proposals")
    gone = _tag(article, analyst, "the ceasefire must hold before any talks")
    gold = _gold(article, lead, "talks would resme in Geneva")
    _apply(article, analyst, TEXT.replace("The ministry said the ceasefire must hold before any talks. ", ""))
    gold.refresh_from_db()
    assert gold.gold_unconfirmed
    assert {s.pk for s in alignment.analyst_statements([article])} == {kept.pk}
    assert {r.pk for r in workspace.article_page_rows(article, lead)} == {kept.pk, gold.pk}
    assert gone.pk not in {r.pk for r in workspace.article_page_rows(article, analyst)}
