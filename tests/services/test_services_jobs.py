"""Background jobs: queued, run by the worker (the immediate backend here, the real database queue
with `db_worker` in one test), progress visible while they run, failures explained, output kept;
the pages and the API show a user their own jobs only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from statements.models import Job, JobStatus
from statements.services import jobs as job_service
from statements.services.jobs import JobOutput, Progress, job_execute, job_start, job_state, run_job
from statements.tasks import HANDLERS
from tests.factories import UserFactory

SEEN_MID_RUN: list[dict[str, object]] = []


def count_handler(job: Job, progress: Progress) -> dict[str, object]:
    """A real handler: counts to params["n"], reporting progress, and reads its own live state."""
    n = int(job.params.get("n", 3))
    for i in range(n):
        progress(i + 1, total=n, message=f"counted {i + 1}")
    progress.flush()
    SEEN_MID_RUN.append(job_state(Job.objects.get(pk=job.pk)))
    return {"counted": n}


def refusing_handler(job: Job, progress: Progress) -> dict[str, object]:
    progress(1, total=10)
    raise ValidationError({"line 3": ["The span 5–2 ends before it starts."]})


def crashing_handler(job: Job, progress: Progress) -> dict[str, object]:
    raise RuntimeError("secret internals")


def items_handler(job: Job, progress: Progress) -> dict[str, object]:
    return {"items": 7, "keys": 2}


def file_handler(job: Job, progress: Progress) -> JobOutput:
    return JobOutput(
        name="out.jsonl", content_type="application/jsonl", data=b'{"a": 1}\n', summary={"rows": 1}
    )


@pytest.fixture(autouse=True)
def _handlers(monkeypatch):
    for kind, fn in {
        "test_count": count_handler,
        "test_refuse": refusing_handler,
        "test_crash": crashing_handler,
        "test_file": file_handler,
        "test_items": items_handler,
    }.items():
        monkeypatch.setitem(HANDLERS, kind, f"{__name__}.{fn.__name__}")
    SEEN_MID_RUN.clear()


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


def test_it_runs_a_job_and_keeps_its_result_and_progress(owner):
    job = job_start(kind="test_count", user=owner, params={"n": 5})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result == {"counted": 5}
    assert (job.done, job.total, job.message) == (5, 5, "counted 5")
    assert job.started_at and job.finished_at and job.task_id
    assert job_state(job)["percent"] == 100


def test_it_shows_live_progress_from_the_cache_while_the_job_runs(owner):
    job_start(kind="test_count", user=owner, params={"n": 4})
    (state,) = SEEN_MID_RUN
    assert state["done"] == 4 and state["total"] == 4 and state["message"] == "counted 4"


def test_it_records_the_users_mistakes_as_errors(owner):
    job = job_start(kind="test_refuse", user=owner)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.errors == ["line 3: The span 5–2 ends before it starts."]
    assert job.result is None


def test_it_hides_internal_errors_behind_a_plain_message(owner, caplog):
    job = job_start(kind="test_crash", user=owner)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.errors == ["The job stopped because of an internal error."]
    assert "secret internals" not in str(job.errors)
    assert "secret internals" in caplog.text  # but the log has the traceback


def test_it_refuses_an_unknown_kind_and_an_oversized_payload(owner, monkeypatch):
    with pytest.raises(ValidationError):
        job_start(kind="no_such_kind", user=owner)
    monkeypatch.setattr(job_service, "MAX_PAYLOAD_BYTES", 10)
    with pytest.raises(ValidationError):
        job_start(kind="test_count", user=owner, payload=b"x" * 11)
    assert Job.objects.count() == 0


def test_it_runs_a_job_once_even_if_the_task_is_delivered_twice(owner):
    job = job_start(kind="test_count", user=owner, params={"n": 2})
    job_execute(job.pk)  # a second delivery: the job is no longer queued
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and len(SEEN_MID_RUN) == 1


def test_it_drops_the_payload_once_the_job_has_run(owner):
    job = job_start(kind="test_count", user=owner, payload=b"uploaded bytes", payload_name="a.jsonl")
    job.refresh_from_db()
    assert job.payload is None and job.payload_name == "a.jsonl"


@pytest.mark.django_db(transaction=True)
def test_it_runs_through_the_real_database_queue_and_worker():
    owner = UserFactory(username="worker-owner")
    job = Job.objects.create(kind="test_count", user=owner, params={"n": 3})
    run_job.using(backend="database").enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # nothing runs until a worker takes it
    call_command("db_worker", "--batch", "--backend", "database", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"counted": 3}


# ---- pages and API ---------------------------------------------------------------------------


def test_it_shows_a_job_page_that_polls_until_the_job_ends(client, owner):
    queued = Job.objects.create(kind="test_count", user=owner)
    client.force_login(owner)
    page = client.get(reverse("job_detail", args=[queued.pk]))
    assert page.status_code == 200
    assert b'hx-trigger="every 1s"' in page.content and b"Waiting for the background worker" in page.content
    fragment = client.get(
        reverse("job_detail", args=[queued.pk]),
        headers={"HX-Request": "true", "HX-Target": f"job-{queued.pk}"},
    )
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    done = job_start(kind="test_file", user=owner)
    page = client.get(reverse("job_detail", args=[done.pk]))
    assert b"every 1s" not in page.content and b"Download out.jsonl" in page.content
    download = client.get(reverse("job_download", args=[done.pk]))
    assert download.content == b'{"a": 1}\n' and "attachment" in download["Content-Disposition"]
    listing = client.get(reverse("job_list"))
    assert listing.status_code == 200 and f"#{done.pk}".encode() in listing.content


def test_it_escapes_error_messages_on_the_job_page(client, owner):
    job = Job.objects.create(
        kind="test_count", user=owner, status=JobStatus.FAILED, errors=["<script>x</script>"]
    )
    client.force_login(owner)
    page = client.get(reverse("job_detail", args=[job.pk]))
    assert b"<script>x</script>" not in page.content and b"&lt;script&gt;" in page.content


def test_it_keeps_other_peoples_jobs_private(client, owner):
    job = job_start(kind="test_file", user=owner)
    stranger = UserFactory(username="stranger")
    client.force_login(stranger)
    for name in ("job_detail", "job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("job_remove", args=[job.pk])).status_code == 404
    assert b"#%d" % job.pk not in client.get(reverse("job_list")).content
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.get(f"/api/jobs/{job.pk}/").status_code == 404
    assert api.get(f"/api/jobs/{job.pk}/output/").status_code == 404
    assert api.get("/api/jobs/").json()["count"] == 0


def test_it_deletes_a_finished_job_but_not_a_running_one(client, owner):
    client.force_login(owner)
    running = Job.objects.create(kind="test_count", user=owner, status=JobStatus.RUNNING)
    response = client.post(reverse("job_remove", args=[running.pk]))
    assert response.status_code == 302 and Job.objects.filter(pk=running.pk).exists()
    done = job_start(kind="test_count", user=owner)
    assert client.post(reverse("job_remove", args=[done.pk])).status_code == 302
    assert not Job.objects.filter(pk=done.pk).exists()


def test_it_answers_the_api_with_progress_and_the_output_url(owner):
    job = job_start(kind="test_file", user=owner)
    api = APIClient()
    assert api.get(f"/api/jobs/{job.pk}/").status_code == 401
    api.force_authenticate(owner)
    body = api.get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "done" and body["result"] == {"rows": 1} and body["percent"] == 100
    assert body["output"].endswith(f"/api/jobs/{job.pk}/output/") and body["output_name"] == "out.jsonl"
    assert api.get(body["output"]).content == b'{"a": 1}\n'
    plain = job_start(kind="test_count", user=owner)
    assert api.get(f"/api/jobs/{plain.pk}/").json()["output"] is None
    assert api.get(f"/api/jobs/{plain.pk}/output/").status_code == 404


def test_it_lists_jobs_in_a_fixed_number_of_queries(client, owner, django_assert_num_queries):
    for _ in range(3):
        job_start(kind="test_count", user=owner)
    client.force_login(owner)
    client.get(reverse("job_list"))  # warm the session
    with django_assert_num_queries(3):  # session, user with memberships (top bar), jobs with their projects
        assert client.get(reverse("job_list")).status_code == 200


def test_it_shows_a_result_whose_keys_are_dict_method_names(client, owner):
    job = job_start(kind="test_items", user=owner)
    client.force_login(owner)
    page = client.get(reverse("job_detail", args=[job.pk]))
    assert page.status_code == 200
    assert b"<dt>Items</dt><dd>7</dd>" in page.content and b"<dt>Keys</dt><dd>2</dd>" in page.content
