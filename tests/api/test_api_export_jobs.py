"""The export endpoint (#13, items 7 and 8): `POST /api/export/statements` exports to a file in a
job (202), `?trailer=true` ends the stream with the trailer."""

import pytest
from rest_framework.test import APIClient

from statements.data import export_trailer
from statements.data.export_trailer import TrailerMismatch
from statements.models import Statement
from tests.data.test_export_trailer import corpus as corpus  # the fixture

pytestmark = pytest.mark.django_db


def test_the_export_endpoint_starts_a_job_on_post_and_adds_the_trailer_on_request(corpus, viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    response = client.post("/api/export/statements?format=jsonl&stance=demand")
    assert response.status_code == 202, response.content
    job = client.get(response.json()["url"]).json()
    assert job["status"] == "done" and job["output"]
    download = client.get(job["output"])
    data = b"".join(download.streaming_content) if download.streaming else download.content
    assert export_trailer.check(data, "jsonl") == Statement.objects.filter(stance="demand").count()

    streamed = client.get("/api/export/statements?format=csv&trailer=true")
    assert export_trailer.check(b"".join(streamed.streaming_content), "csv") == corpus
    plain = client.get("/api/export/statements?format=csv")
    with pytest.raises(TrailerMismatch):
        export_trailer.check(b"".join(plain.streaming_content), "csv")
    assert client.get("/api/export/statements?format=csv&trailer=maybe").status_code == 400
    assert client.post("/api/export/statements?format=nope").status_code == 400
