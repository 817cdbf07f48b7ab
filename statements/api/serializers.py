"""Serializers check the shape of the input (types, required fields) and render output. The rules
(spans, quotes, actors, who may review what) live in statements/services.py, which the views call
with `validated_data`; its ValidationError comes back as a 400 with the same field messages.

Output serializers read only what the views' querysets fetched (select_related/prefetch_related):
a list costs a fixed number of queries."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from statements.models import (
    Actor,
    ActorKind,
    Article,
    Condition,
    Review,
    Role,
    Stance,
    Statement,
    Status,
    User,
    Verdict,
)


def _datetime(value) -> str:
    """As DRF's DateTimeField renders a time (ISO 8601, UTC as Z)."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class UserSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role"]
        read_only_fields = fields


# ---- Articles ---------------------------------------------------------------------------------


class ArticleListSerializer(serializers.ModelSerializer):
    """A list row: the metadata without the (possibly long) text."""

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "source",
            "url",
            "published",
            "dateline",
            "language",
            "text_sha256",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _optional_text(max_length: int = 10_000) -> serializers.CharField:
    # Lengths and blanks are the service's to judge (with its own messages); this only bounds
    # what is worth reading.
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, trim_whitespace=False
    )


class ArticleInputSerializer(serializers.Serializer):
    """An article on the way in (one, or an item of a bulk import: other keys are ignored). The
    text may use any line ends: it is normalized (\\n, Unicode NFC), and offsets count code points
    of the normalized text."""

    title = serializers.CharField(max_length=10_000, trim_whitespace=False)
    text = serializers.CharField(max_length=2_000_000, trim_whitespace=False)
    source = _optional_text()
    url = _optional_text()
    published = serializers.DateField(required=False, allow_null=True)
    dateline = _optional_text()
    language = _optional_text()


class ArticleSerializer(ArticleInputSerializer):
    """One article with its text."""

    id = serializers.IntegerField(read_only=True)
    text_sha256 = serializers.CharField(read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ImportResultItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in the request (0-based).")
    id = serializers.IntegerField()
    created = serializers.BooleanField(help_text="False: an article with this text already existed.")


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    articles = ImportResultItemSerializer(many=True)


# ---- Actors -----------------------------------------------------------------------------------


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=10_000, trim_whitespace=False)
    kind = serializers.ChoiceField(choices=ActorKind.choices, required=False)
    affiliation = serializers.IntegerField(source="affiliation_id", required=False, allow_null=True)
    affiliation_name = serializers.SerializerMethodField()
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=10_000, allow_blank=True),
        source="alias_names",  # Actor.alias_names reads the prefetch of Actor.objects.with_aliases()
        required=False,
        max_length=500,
    )
    description = serializers.CharField(max_length=100_000, required=False, allow_blank=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_affiliation_name(self, actor: Actor) -> str | None:
        return actor.affiliation.name if actor.affiliation_id else None


# ---- Statements and conditions ----------------------------------------------------------------


class ConditionInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=10_000, allow_blank=True)
    evidence_start = serializers.IntegerField(required=False, allow_null=True)
    evidence_end = serializers.IntegerField(required=False, allow_null=True)
    evidence_quote = serializers.CharField(
        max_length=1_000_000, required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )


class NestedConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Condition
        fields = ["id", "description", "evidence_start", "evidence_end", "evidence_quote", "position"]
        read_only_fields = fields


class StatementSerializer(serializers.Serializer):
    """A statement with its conditions. `start`/`end` count Unicode code points of the article's
    stored text, end exclusive: `quote == article.text[start:end]`."""

    id = serializers.IntegerField()
    article = serializers.IntegerField(source="article_id")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
    speaker = serializers.IntegerField(source="speaker_id", allow_null=True)
    speaker_name = serializers.SerializerMethodField()
    addressee = serializers.IntegerField(source="addressee_id", allow_null=True)
    addressee_name = serializers.SerializerMethodField()
    stance = serializers.ChoiceField(choices=Stance.choices)
    note = serializers.CharField()
    conditions = NestedConditionSerializer(many=True)
    annotator = serializers.IntegerField(source="annotator_id")
    annotator_username = serializers.CharField(source="annotator.username")
    status = serializers.ChoiceField(choices=Status.choices)
    gold = serializers.BooleanField(source="is_gold", help_text="Adjudicated by a lead.")
    adjudicated_from = serializers.SerializerMethodField(help_text="For a gold statement: its sources.")
    version = serializers.IntegerField(help_text="Send it back on update to refuse a concurrent edit.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, statement: Statement) -> dict:
        """The same as the declared fields give (a test compares them), built directly: a page of
        100 statements renders in a fraction of the time DRF's field-by-field walk takes."""
        return {
            "id": statement.pk,
            "article": statement.article_id,
            "start": statement.start,
            "end": statement.end,
            "quote": statement.quote,
            "speaker": statement.speaker_id,
            "speaker_name": statement.speaker.name if statement.speaker_id else None,
            "addressee": statement.addressee_id,
            "addressee_name": statement.addressee.name if statement.addressee_id else None,
            "stance": statement.stance,
            "note": statement.note,
            "conditions": [
                {
                    "id": c.pk,
                    "description": c.description,
                    "evidence_start": c.evidence_start,
                    "evidence_end": c.evidence_end,
                    "evidence_quote": c.evidence_quote,
                    "position": c.position,
                }
                for c in statement.conditions.all()
            ],
            "annotator": statement.annotator_id,
            "annotator_username": statement.annotator.username,
            "status": statement.status,
            "gold": statement.is_gold,
            "adjudicated_from": self.get_adjudicated_from(statement),
            "version": statement.version,
            "created_at": _datetime(statement.created_at),
            "updated_at": _datetime(statement.updated_at),
        }

    def get_speaker_name(self, statement: Statement) -> str | None:
        return statement.speaker.name if statement.speaker_id else None

    def get_addressee_name(self, statement: Statement) -> str | None:
        return statement.addressee.name if statement.addressee_id else None

    def get_adjudicated_from(self, statement: Statement) -> list[int]:
        return [source.pk for source in statement.adjudicated_from.all()]


class StatementUpdateSerializer(serializers.Serializer):
    """An edit. PATCH changes only the fields sent; PUT sends start, end, quote and stance, and
    the optional fields it leaves out are cleared. New offsets need the quote, so that they can
    be checked; `conditions`, when sent, replaces the whole list."""

    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField(max_length=1_000_000, allow_blank=True, trim_whitespace=False)
    stance = serializers.ChoiceField(choices=Stance.choices)
    speaker = serializers.IntegerField(required=False, allow_null=True, help_text="An actor id.")
    addressee = serializers.IntegerField(required=False, allow_null=True, help_text="An actor id.")
    note = serializers.CharField(max_length=100_000, required=False, allow_blank=True)
    conditions = ConditionInputSerializer(many=True, required=False, max_length=1000)
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="The version you read."
    )


class StatementCreateSerializer(StatementUpdateSerializer):
    article = serializers.PrimaryKeyRelatedField(queryset=Article.objects.only("id", "text"))
    version = None


class ConditionSerializer(serializers.Serializer):
    """One condition of a statement. Adding, changing or removing one is an edit of the statement
    (a new version, back to pending review); the statement's conditions are saved as a list, so
    their ids change when the list changes."""

    id = serializers.IntegerField(read_only=True)
    statement = serializers.IntegerField(source="statement_id", min_value=1, max_value=2**63 - 1)
    description = serializers.CharField(max_length=10_000, allow_blank=True)
    evidence_start = serializers.IntegerField(required=False, allow_null=True)
    evidence_end = serializers.IntegerField(required=False, allow_null=True)
    evidence_quote = serializers.CharField(
        max_length=1_000_000, required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )
    position = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


# ---- Reviews ----------------------------------------------------------------------------------


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    statement = serializers.IntegerField(source="statement_id", min_value=1, max_value=2**63 - 1)
    reviewer = serializers.IntegerField(source="reviewer_id", read_only=True)
    reviewer_username = serializers.CharField(source="reviewer.username", read_only=True)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    comment = serializers.CharField(max_length=100_000, required=False, allow_blank=True)
    statement_version = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Review
