from django.contrib import admin
from django.urls import include, path

from statements.views import account

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("statements.api.urls")),
    path("account/api-token/", account.api_token, name="api_token"),
    path("", include("statements.urls")),
]

# Styled error pages, JSON under /api/ (statements/views/errors.py)
handler400 = "statements.views.errors.bad_request"
handler403 = "statements.views.errors.permission_denied"
handler404 = "statements.views.errors.page_not_found"
handler500 = "statements.views.errors.server_error"
