from django.contrib import admin
from django.urls import include, path

from statements.views import account

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("statements.api.urls")),
    path("account/api-token/", account.api_token, name="api_token"),
    path("", include("statements.urls")),
]
