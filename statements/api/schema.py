"""The OpenAPI schema's error answers, for every operation at once (settings'
DEFAULT_SCHEMA_CLASS), so that no view has to list them: what statements/api/base.py's error
mapping and DRF actually answer.

- 400 (`ValidationError`: a message list per field, or `detail`) where a body or parameters are read;
- 401 without credentials (`WWW-Authenticate: Token`), 403 beyond one's role (or a CSRF refusal);
- 404 for an id that does not exist or is another project's (and a forged list cursor);
- 409 when a concurrent write won (writes); 413 for a body over the limit (writes with a body);
- 429 after too many wrong API tokens from one address (statements/services/signin.py).

An operation's own declaration of a code (e.g. the import's 400 "errors per item") wins.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")


class ValidationErrorSerializer(serializers.Serializer):
    """A message list per field that was refused (`{"quote": ["…"]}`); `non_field_errors` for the
    whole request; or `detail` for a body that could not be read at all."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)


_DESCRIPTIONS = {
    "400": "Invalid input: a message list per field (nothing was stored).",
    "401": "No credentials or a wrong token: send `Authorization: Token <key>`.",
    "403": "Signed in, but not allowed (role in the project, or a CSRF refusal for a session).",
    "404": "No such object, or it belongs to a project you are not a member of.",
    "409": "A concurrent change won; reload and try again.",
    "413": "The request body is over the limit.",
    "429": "Too many wrong API tokens from your address; see Retry-After.",
}


class ApiAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        body = self.method in ("POST", "PUT", "PATCH")
        codes = ["401", "403", "429"]
        if body or self.method == "GET" or "{" in self.path:
            codes.append("400")
        if "{" in self.path or self.method == "GET":
            codes.append("404")
        if writes:
            codes.append("409")
        if body:
            codes.append("413")
        return sorted(codes)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code in responses:
                continue
            serializer = ValidationErrorSerializer if code == "400" else ErrorSerializer
            response = self._get_response_for_code(serializer, code, ["application/json"], direction)
            response["description"] = _DESCRIPTIONS[code]
            responses[code] = response
        return responses
