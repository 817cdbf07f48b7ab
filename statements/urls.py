from django.contrib.auth import views as auth_views
from django.urls import path

from statements import views

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
]
