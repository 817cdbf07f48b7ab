"""gunicorn settings for the annotator (`gunicorn -c deploy/gunicorn.conf.py annotator.wsgi`).

Run behind the nginx of deploy/nginx.conf.template, which buffers whole requests (headers and
bodies) before it passes them on, so a slow or stalled client ties up an nginx connection (cheap)
and never a gunicorn thread. Every value can be set from the environment; the defaults suit a
two-core machine.

- One `gthread` worker with three threads per gunicorn instance, and one instance per core
  (systemd's annotator-web@PORT, `make serve`'s two), nginx choosing the instance with the fewest
  requests in progress (`least_conn`). Several workers behind one instance's socket balance
  badly: nginx keeps its connections to the instance open, each connection belongs to one
  worker, and a worker takes every request on its connections however many it already has, so
  one worker queues while another idles (bench/bench_load.py, 50 clients on 2 cores, two
  instances: 2 workers × 3 threads each 211-224 requests/s, reads p95 474-545 ms; 1 worker × 3
  threads 242 requests/s, p95 248 ms; 1 × 4 231, 260 ms; 1 × 6 222, 279 ms). Threads let a
  worker answer while one of them streams an export or waits for the database; three, not
  more: the requests are mostly CPU in Python and more threads only queue on the GIL.
  `timeout` is the worker's heartbeat (a worker that stops answering its master for that long
  is restarted), not a limit on a request's length, so a long streamed export is not cut off.
  Long work (big imports, exports to file, suggestion runs) goes to the background job worker
  (`manage.py db_worker`), not to a request.
- `preload_app` imports Django once in the master; `post_fork` then calls `gc.freeze()` in each
  worker, so the objects inherited from the master stay out of the cyclic garbage collector and
  their memory pages stay shared between the workers (copy-on-write is not broken by GC).
- `forwarded_allow_ips`: only the proxy on this machine may set X-Forwarded-* headers.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", "1"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "3"))
# The heartbeat (see above); nginx gives up on an upstream that sends nothing for 300 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (a slow leak cannot grow forever); jitter spreads the restarts.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
preload_app = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request line and headers: the same limits nginx enforces in front (large_client_header_buffers).
limit_request_line = 8190
limit_request_field_size = 16384
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "annotator"


def post_fork(server, worker):  # noqa: ARG001  (gunicorn's hook signature)
    """In each new worker: freeze what was inherited from the master (see the module docstring)."""
    gc.freeze()
