"""The API token settings page: a signed-in user creates, sees, replaces and revokes their token
(`Authorization: Token …` for scripts and notebooks). One token per user (DRF's authtoken)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from statements.forms import SignInForm
from statements.services import token_issue, token_revoke
from statements.views.http import HtmxHttpRequest


class SignInView(LoginView):
    """Django's sign-in page with the throttled form: a locked account or address gets the
    form back with the reason and status 429 (statements/services/signin.py)."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


@never_cache  # Cache-Control: no-store: the page shows the token
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("create", "regenerate"):
            token_issue(user=request.user, regenerate=action == "regenerate")
            if action == "regenerate":
                messages.success(request, "A new token is ready; the old one no longer works.")
            else:
                messages.success(request, "Token created.")
        elif action == "revoke":
            token_revoke(user=request.user)
            messages.success(request, "Token revoked: requests with it are now refused.")
        else:
            messages.error(request, "Choose create, regenerate or revoke.")
        return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    return render(
        request,
        "statements/api_token.html",
        {"token": token, "example_url": request.build_absolute_uri("/api/statements/")},
    )
