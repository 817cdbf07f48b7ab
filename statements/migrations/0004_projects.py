"""Projects: separate studies with their own members, roles, guidelines and corpus.

Today's data moves into one project, "Default": every article, and every user with their global
role as their membership. Then the global role goes: roles are per project from here on
(instance administrators are the superusers).
"""

import importlib
from pathlib import Path

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

DEFAULT_GUIDELINES = Path(__file__).resolve().parent.parent / "data" / "guidelines.md"


def into_default_project(apps, schema_editor):
    User = apps.get_model("statements", "User")
    Article = apps.get_model("statements", "Article")
    Project = apps.get_model("statements", "Project")
    Membership = apps.get_model("statements", "Membership")
    db = schema_editor.connection.alias
    if not Article.objects.using(db).exists() and not User.objects.using(db).exists():
        return  # a new database: projects are made by their administrators (or load_seeds)
    project = Project.objects.using(db).create(
        name="Default",
        slug="default",
        description="Everything that was annotated before the instance had projects.",
        guidelines=DEFAULT_GUIDELINES.read_text(encoding="utf-8") if DEFAULT_GUIDELINES.exists() else "",
    )
    Article.objects.using(db).filter(project__isnull=True).update(project=project)
    Membership.objects.using(db).bulk_create(
        [
            Membership(project=project, user_id=pk, role=role)
            for pk, role in User.objects.using(db).values_list("pk", "role").order_by("pk")
        ]
    )


def _triggers():
    return importlib.import_module("statements.migrations.0002_cross_table_triggers")


def drop_sqlite_triggers(apps, schema_editor):
    """SQLite rebuilds a table to change a column; triggers that name statements_article would
    break the rename. Take the triggers of migration 0002 off first (PostgreSQL keeps them)."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in _triggers().SQLITE_BACKWARD:
            schema_editor.execute(sql)


def create_sqlite_triggers(apps, schema_editor):
    """Put the triggers of migration 0002 back on SQLite once the tables are rebuilt."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in _triggers().SQLITE_FORWARD:
            schema_editor.execute(sql)


def back_to_global_roles(apps, schema_editor):
    """The strongest role a user has in any project becomes their global role again."""
    User = apps.get_model("statements", "User")
    Membership = apps.get_model("statements", "Membership")
    db = schema_editor.connection.alias
    rank = {"viewer": 0, "analyst": 1, "lead": 2}
    best: dict[int, str] = {}
    for user_id, role in Membership.objects.using(db).values_list("user_id", "role"):
        if rank[role] > rank.get(best.get(user_id, "viewer"), 0) or user_id not in best:
            best[user_id] = role
    for user_id, role in best.items():
        User.objects.using(db).filter(pk=user_id).update(role=role)


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0003_statement_text_search_indexes'),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.CreateModel(
            name='GuidelinesRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body', models.TextField(blank=True)),
                ('edited_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['project_id', '-edited_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('analyst', 'Analyst'), ('lead', 'Lead'), ('viewer', 'Viewer')], default='analyst', max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['project_id', 'user_id'],
            },
        ),
        migrations.CreateModel(
            name='Project',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('slug', models.SlugField(max_length=80, unique=True)),
                ('description', models.TextField(blank=True)),
                ('guidelines', models.TextField(blank=True, help_text="Markdown: the project's codebook.")),
                ('archived', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['name', 'id'],
            },
        ),
        migrations.AlterModelOptions(
            name='user',
            options={'verbose_name': 'user', 'verbose_name_plural': 'users'},
        ),
        migrations.RemoveConstraint(
            model_name='article',
            name='article_text_unique',
        ),
        migrations.RemoveConstraint(
            model_name='user',
            name='user_role_valid',
        ),
        migrations.AddField(
            model_name='guidelinesrevision',
            name='edited_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='guideline_revisions', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='membership',
            name='added_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='memberships_added', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='membership',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='project',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='projects_created', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='membership',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='statements.project'),
        ),
        migrations.AddField(
            model_name='guidelinesrevision',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='guideline_revisions', to='statements.project'),
        ),
        migrations.AddField(
            model_name='article',
            name='project',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='articles', to='statements.project'),
        ),
        migrations.AddConstraint(
            model_name='article',
            constraint=models.UniqueConstraint(fields=('project', 'text_sha256'), name='article_text_unique_in_project', violation_error_message='An article with exactly this text already exists in this project.'),
        ),
        migrations.RunPython(into_default_project, back_to_global_roles),
        migrations.AlterField(
            model_name='article',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='articles', to='statements.project'),
        ),
        migrations.RemoveField(
            model_name='user',
            name='role',
        ),
        migrations.AddConstraint(
            model_name='project',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='project_name_ci_unique', violation_error_message='A project with this name already exists.'),
        ),
        migrations.AddConstraint(
            model_name='project',
            constraint=models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='project_name_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='project',
            constraint=models.CheckConstraint(condition=models.Q(('slug', ''), _negated=True), name='project_slug_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(fields=('project', 'user'), name='membership_unique'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['analyst', 'lead', 'viewer'])), name='membership_role_valid'),
        ),
            migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
]
