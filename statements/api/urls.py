"""/api/: one router for the resources, the export, the OpenAPI schema and its docs."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from statements.api import imports, jobs, suggestions, undo, views
from statements.api.auth import ThrottledTokenAuthentication

router = DefaultRouter(trailing_slash=True)
router.include_format_suffixes = False
router.register("projects", views.ProjectViewSet, basename="api-project")
router.register("articles", views.ArticleViewSet, basename="api-article")
router.register("actors", views.ActorViewSet, basename="api-actor")
router.register("statements", views.StatementViewSet, basename="api-statement")
router.register("conditions", views.ConditionViewSet, basename="api-condition")
router.register("reviews", views.ReviewViewSet, basename="api-review")
router.register("users", views.UserViewSet, basename="api-user")
router.register("jobs", jobs.JobViewSet, basename="api-job")

schema_view = SpectacularAPIView.as_view(
    authentication_classes=[ThrottledTokenAuthentication, SessionAuthentication],
    permission_classes=[IsAuthenticated],
)

urlpatterns = [
    path("export/statements", views.StatementExportView.as_view(), name="api-export-statements"),
    path("agreement/", views.AgreementView.as_view(), name="api-agreement"),
    # statement import (#12): before the router, whose statements/<pk>/ would take "import"
    path("statements/import/", imports.StatementImportView.as_view(), name="api-statement-import"),
    # suggestions (#11)
    path(
        "articles/<int:pk>/suggestions/", suggestions.ArticleSuggestionsView.as_view(), name="api-suggestions"
    ),
    path(
        "articles/<int:pk>/suggestions/accept/",
        suggestions.SuggestionAcceptView.as_view(),
        name="api-suggestion-accept",
    ),
    path(
        "articles/<int:pk>/suggestions/reject/",
        suggestions.SuggestionRejectView.as_view(),
        name="api-suggestion-reject",
    ),
    path(
        "articles/<int:pk>/suggestions/accept-above/",
        suggestions.SuggestionAcceptAboveView.as_view(),
        name="api-suggestion-accept-above",
    ),
    path(
        "projects/<int:pk>/preannotate/", suggestions.ProjectPreannotateView.as_view(), name="api-preannotate"
    ),
    # Undo (statements/services/undo.py)
    path("statements/<int:pk>/restore/", undo.StatementRestoreView.as_view(), name="api-statement-restore"),
    path("statements/<int:pk>/undo/", undo.StatementUndoView.as_view(), name="api-statement-undo"),
    path("schema/", schema_view, name="api-schema"),
    # The docs page is for people in a browser: without a session, the sign-in page. The split
    # view serves Swagger UI's start-up script as a file (?script=): the CSP allows no inline script.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
        ),
        name="api-docs",
    ),
    path("", include(router.urls)),
]
