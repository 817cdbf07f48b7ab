from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from statements.views import (
    account,
    activity,
    actors,
    agreement,
    annotate,
    articles,
    assignments,
    conditions,
    jobs,
    projects,
    review,
    statement_upload,
    suggestions,
    text_edits,
)

urlpatterns = [
    path("", projects.project_home, name="home"),
    path("accounts/login/", account.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("articles/", articles.article_list, name="article_list"),
    path("articles/new/", articles.article_create, name="article_create"),
    path("articles/<int:pk>/", annotate.article_detail, name="article_detail"),
    path("articles/<int:pk>/statements/", annotate.statement_create, name="statement_create"),
    path("statements/<int:pk>/edit/", annotate.statement_update, name="statement_update"),
    path("statements/<int:pk>/delete/", annotate.statement_delete, name="statement_delete"),
    # Undo (statements/services/undo.py): a deleted statement back, or the last edit taken back
    path("statements/<int:pk>/restore/", annotate.statement_restore, name="statement_restore"),
    path("statements/<int:pk>/undo/", annotate.statement_undo, name="statement_undo"),
    path("actors/", actors.actor_list, name="actor_list"),
    path("actors/new/", actors.actor_create, name="actor_create"),
    path("actors/<int:pk>/edit/", actors.actor_update, name="actor_update"),
    path("conditions/", conditions.condition_list, name="condition_list"),
    path("agreement/", agreement.agreement_page, name="agreement"),
    path("articles/<int:pk>/compare/", agreement.article_compare, name="article_compare"),
    path("articles/<int:pk>/adjudicate/", agreement.article_adjudicate, name="article_adjudicate"),
    path("articles/<int:pk>/accept-agreed/", agreement.article_accept_agreed, name="article_accept_agreed"),
    path("articles/<int:pk>/dismiss-unit/", agreement.article_dismiss_unit, name="article_dismiss_unit"),
    path("dashboard/", agreement.dashboard, name="dashboard"),
    path("review/", review.review_queue, name="review_queue"),
    path("statements/<int:pk>/review/", review.statement_review, name="statement_review"),
    path("feedback/", review.feedback, name="feedback"),
    path("statements/<int:pk>/", activity.statement_activity, name="statement_activity"),
    path("statements/<int:pk>/comments/", activity.comment_create, name="comment_create"),
    path("articles/<int:pk>/history/", activity.article_history, name="article_history"),
    # Editing an article's text after annotation (issue 14)
    path("articles/<int:pk>/text/", text_edits.article_text_edit, name="article_text_edit"),
    path("articles/<int:pk>/anchor-issues/", text_edits.article_anchor_issues, name="article_anchor_issues"),
    path("review/anchor-issues/", text_edits.queue_anchor_issues, name="queue_anchor_issues"),
    path("statements/<int:pk>/reattach/", text_edits.statement_reattach, name="statement_reattach"),
    path(
        "statements/<int:pk>/confirm-text/", text_edits.statement_confirm_text, name="statement_confirm_text"
    ),
    path(
        "statements/<int:pk>/confirm-gold/", text_edits.statement_confirm_gold, name="statement_confirm_gold"
    ),
    path("articles/<int:pk>/assignments/", assignments.article_assignments, name="article_assignments"),
    path("articles/<int:pk>/assignments/finish/", assignments.assignment_finish, name="assignment_finish"),
    # Projects (issue #9): the home above lists them
    path("projects/<slug:slug>/", projects.project_detail, name="project_detail"),
    path("projects/<slug:slug>/members/", projects.project_members, name="project_members"),
    path("projects/<slug:slug>/guidelines/", projects.project_guidelines, name="project_guidelines"),
    path(
        "projects/<slug:slug>/guidelines/edit/",
        projects.project_guidelines_edit,
        name="project_guidelines_edit",
    ),
    path("projects/<slug:slug>/upload/", projects.project_upload, name="project_upload"),
    path(
        "projects/<slug:slug>/upload/statements/",
        statement_upload.statement_upload,
        name="project_statement_upload",
    ),
    path("projects/<slug:slug>/preannotate/", suggestions.project_preannotate, name="project_preannotate"),
    # Background jobs (statements/services/jobs.py): progress, result, output
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/output/", jobs.job_download, name="job_download"),
    path("jobs/<int:pk>/delete/", jobs.job_remove, name="job_remove"),
    # The one-time link of an invited account (members page): public, the token is the key.
    path(
        "accounts/set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/set_password.html",
            post_reset_login=True,
            success_url=reverse_lazy("home"),
        ),
        name="password_set",
    ),
]
