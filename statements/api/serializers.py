"""Serializers check the shape of the input (types, required fields) and render output. The rules
(spans, quotes, actors, who may review what) live in statements/services/, which the views call
with `validated_data`; its ValidationError comes back as a 400 with the same field messages.

Output serializers read only what the views' querysets fetched (select_related/prefetch_related):
a list costs a fixed number of queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from statements import permissions
from statements.filters import MAX_ID
from statements.models import (
    Actor,
    ActorKind,
    Article,
    Condition,
    Project,
    Review,
    Role,
    Stance,
    Statement,
    Status,
    User,
    Verdict,
)


def _datetime(value: datetime) -> str:
    """As DRF's DateTimeField renders a time (ISO 8601, UTC as Z)."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class UserMembershipSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)


class UserSerializer(serializers.ModelSerializer):
    """A person: no global role any more, but their `memberships` (project and role), only in the
    projects the caller belongs to (all of them for an administrator)."""

    display_name = serializers.CharField(read_only=True)
    memberships = UserMembershipSerializer(
        source="visible_memberships",  # the views' prefetch, limited to the caller's projects
        many=True,
        read_only=True,
    )

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "memberships"]
        read_only_fields = fields


# ---- Projects and members ---------------------------------------------------------------------


class ProjectListSerializer(serializers.Serializer):
    """A project without its guidelines (long Markdown: one project includes them)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=10_000, trim_whitespace=False)
    slug = serializers.CharField(read_only=True)
    description = serializers.CharField(max_length=100_000, required=False, allow_blank=True)
    archived = serializers.BooleanField(
        required=False, help_text="Nothing can be added to an archived project."
    )
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    role = serializers.SerializerMethodField(help_text="Your role in the project (administrators: lead).")

    def get_role(self, project: Project) -> str | None:
        request = self.context.get("request")
        return permissions.role_in(request.user if request else None, project)


class ProjectSerializer(ProjectListSerializer):
    """One project with its guidelines (Markdown). Created by administrators (the creator becomes
    its first lead; without guidelines it starts from the default codebook), edited by its leads
    (every change of the guidelines is kept as a revision)."""

    guidelines = serializers.CharField(max_length=200_000, required=False, allow_blank=True)


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    added_by = serializers.IntegerField(source="added_by_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class ReferenceField(serializers.Field):
    """An object named by its id or by a name (a user name, a project slug), as given: the view
    looks it up among what the caller may see."""

    default_error_messages = {"invalid": "Give an id or a name."}

    def to_internal_value(self, data: Any) -> int | str:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            if not 1 <= data <= MAX_ID:
                self.fail("invalid")
            return data
        if isinstance(data, str) and 0 < len(data.strip()) <= 150 and "\x00" not in data:
            text = data.strip()
            return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID else text
        self.fail("invalid")

    def to_representation(self, value: Any) -> Any:
        return value


class MembershipCreateSerializer(serializers.Serializer):
    user = ReferenceField(help_text="The user's id or user name.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.ANALYST)


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


# ---- Articles ---------------------------------------------------------------------------------


class ArticleListSerializer(serializers.ModelSerializer):
    """A list row: the metadata without the (possibly long) text."""

    # text, not `format: uri`: an article without an address has "" (as on create and detail)
    url = serializers.CharField(read_only=True, help_text="The article's address, or empty.")

    class Meta:
        model = Article
        fields = [
            "id",
            "project",
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
    # A declared field, not Field.source (the stubs' view): DRF's metaclass takes it off the class.
    source = _optional_text()  # type: ignore[assignment]
    url = _optional_text()
    published = serializers.DateField(required=False, allow_null=True)
    dateline = _optional_text()
    language = _optional_text()


class ArticleSerializer(ArticleInputSerializer):
    """One article with its text, in its project. On create, `project` (an id or a slug) may be
    left out when you add articles to exactly one open project; an article never moves to
    another project."""

    id = serializers.IntegerField(read_only=True)
    project = ReferenceField(
        source="project_id", required=False, help_text="The project's id (on create: or its slug)."
    )
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
        return actor.affiliation.name if actor.affiliation is not None else None


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

    def to_representation(self, statement: Statement) -> dict[str, Any]:
        """The same as the declared fields give (a test compares them), built directly: a page of
        100 statements renders in a fraction of the time DRF's field-by-field walk takes."""
        return {
            "id": statement.pk,
            "article": statement.article_id,
            "start": statement.start,
            "end": statement.end,
            "quote": statement.quote,
            "speaker": statement.speaker_id,
            "speaker_name": statement.speaker.name if statement.speaker is not None else None,
            "addressee": statement.addressee_id,
            "addressee_name": statement.addressee.name if statement.addressee is not None else None,
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
        return statement.speaker.name if statement.speaker is not None else None

    def get_addressee_name(self, statement: Statement) -> str | None:
        return statement.addressee.name if statement.addressee is not None else None

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
    # many=True passes max_length on to the ListSerializer (DRF 3.15+; the stubs lack it)
    conditions = ConditionInputSerializer(many=True, required=False, max_length=1000)  # type: ignore[call-arg]
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="The version you read."
    )


class VisibleArticleField(serializers.PrimaryKeyRelatedField):
    """An article of the caller's projects: another project's reads like one that does not exist."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        articles = Article.objects.filter(
            permissions.visible_projects_q(request.user if request else None, "project_id")
        )
        return articles.only("id", "text", "project_id")


class StatementCreateSerializer(StatementUpdateSerializer):
    article = VisibleArticleField(queryset=Article.objects.none())
    version = None  # type: ignore[assignment]  # DRF: None removes the inherited field


class ConditionSerializer(serializers.Serializer):
    """One condition of a statement. Adding, changing or removing one is an edit of the statement
    (a new version, back to pending review). Only the row concerned changes: the other conditions
    keep their ids, and parallel writes to one statement are applied one after the other."""

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
    version = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="The statement's version as you read it: a write to a statement changed since is "
        "refused with 400 (on DELETE, send it as ?version=).",
    )


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
