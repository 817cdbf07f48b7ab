"""factory_boy factories. Articles and statements are created through the services, so every
factory-made row has passed the same validation as real input."""

import factory

from statements import services
from statements.data.seeding import sample_project
from statements.models import Actor, Article, Membership, Project, Role, Statement, User


def default_project() -> Project:
    """The project tests work in unless they make their own: the sample project the seed corpus
    loads into, so that `seeded` and the user fixtures meet (one per test database)."""
    return sample_project({})


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")


LOREM = (
    "MOSCOW: President Vladimir Putin said on Thursday that Russia supported a US proposal for a "
    'ceasefire in principle. "We agree with the proposals to cease hostilities," Putin told reporters. '
    'Trump called the statement "very promising" and said he hoped Moscow would "do the right thing".'
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):  # noqa: N805
        """`role=` makes the user a member of `project=` (default: the default project) with that
        role; `role=None` leaves them in no project."""
        if not create:
            return
        role = Role.ANALYST if extracted is None and "none" not in kwargs else extracted
        if role is None:
            return
        project = kwargs.get("project") or default_project()
        Membership.objects.update_or_create(project=project, user=obj, defaults={"role": role})


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = "person"


class ArticleFactory(factory.Factory):
    """Builds through services.article_create (normalization, hashing, limits)."""

    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    text = factory.Sequence(lambda n: f"{LOREM} (copy {n})")
    source = "Reuters"
    url = ""
    published = "2025-03-14"
    dateline = "MOSCOW"
    language = "en"
    user = None
    project = factory.LazyFunction(default_project)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.article_create(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        kwargs.pop("user", None)
        return model_class(**kwargs)


class StatementFactory(factory.Factory):
    """A statement over `quote` (its first occurrence) in `article`, via services.statement_create."""

    class Meta:
        model = Statement

    article = factory.SubFactory(ArticleFactory)
    user = factory.SubFactory(UserFactory)
    quote = "We agree with the proposals to cease hostilities"
    stance = "support"
    speaker = None
    addressee = None
    note = ""
    conditions = ()

    @classmethod
    def _create(cls, model_class, *args, quote, article, **kwargs):
        start = kwargs.pop("start", None)
        if start is None:
            start = article.text.index(quote)
        return services.statement_create(
            article=article, start=start, end=start + len(quote), quote=quote, **kwargs
        )
