from django.contrib.auth import views as auth_views
from django.urls import path

from statements import views, views_adjudication, views_review

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/new/", views.article_create, name="article_create"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/statements/", views.statement_create, name="statement_create"),
    path("statements/<int:pk>/edit/", views.statement_update, name="statement_update"),
    path("statements/<int:pk>/delete/", views.statement_delete, name="statement_delete"),
    path("actors/", views.actor_list, name="actor_list"),
    path("actors/new/", views.actor_create, name="actor_create"),
    path("actors/<int:pk>/edit/", views.actor_update, name="actor_update"),
    path("conditions/", views.condition_list, name="condition_list"),
    # agreement, compare and adjudicate, the leads' dashboard (statements/views_adjudication.py)
    path("agreement/", views_adjudication.agreement_page, name="agreement"),
    path("articles/<int:pk>/compare/", views_adjudication.article_compare, name="article_compare"),
    path("articles/<int:pk>/adjudicate/", views_adjudication.article_adjudicate, name="article_adjudicate"),
    path(
        "articles/<int:pk>/accept-agreed/",
        views_adjudication.article_accept_agreed,
        name="article_accept_agreed",
    ),
    path("dashboard/", views_adjudication.dashboard, name="dashboard"),
    # review queue, feedback, activity and history, assignments (statements/views_review.py)
    path("review/", views_review.review_queue, name="review_queue"),
    path("statements/<int:pk>/review/", views_review.statement_review, name="statement_review"),
    path("feedback/", views_review.feedback, name="feedback"),
    path("statements/<int:pk>/", views_review.statement_activity, name="statement_activity"),
    path("statements/<int:pk>/comments/", views_review.comment_create, name="comment_create"),
    path("articles/<int:pk>/history/", views_review.article_history, name="article_history"),
    path("articles/<int:pk>/assignments/", views_review.article_assignments, name="article_assignments"),
    path("articles/<int:pk>/assignments/finish/", views_review.assignment_finish, name="assignment_finish"),
]
