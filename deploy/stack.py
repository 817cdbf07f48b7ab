"""The production stack on one machine: nginx in front of gunicorn processes, plus the job worker.

    python deploy/stack.py nginx-site --listen 80 --upstream 127.0.0.1:8001 \\
        --static-root /srv/annotator/staticfiles          # print the nginx site (conf.d file)
    python deploy/stack.py serve [--port 8080] [--apps 2]  # run it all here until Ctrl-C

`serve` (what `make serve` runs) writes a self-contained nginx.conf into a run folder (`run/serve/`,
git-ignored), starts nginx on 127.0.0.1:PORT, `--apps` gunicorn processes on free ports behind it
(deploy/gunicorn.conf.py; each one stands for an app server) and `manage.py db_worker`, and stops
them all when one dies or on Ctrl-C. The tests and bench/bench_load.py use the same functions.
Standard library only, so that it runs before Django is configured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "nginx.conf.template"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render_site(*, listen: str, upstreams: Sequence[str], static_root: str, server_name: str = "_") -> str:
    """The http-level nginx configuration (upstream + server) from deploy/nginx.conf.template."""
    servers = "\n".join(f"    server {u} max_fails=3 fail_timeout=5s;" for u in upstreams)
    text = TEMPLATE.read_text()
    for key, value in {
        "@UPSTREAMS@": servers,
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@STATIC_ROOT@": static_root.rstrip("/"),
    }.items():
        text = text.replace(key, value)
    return text


def local_nginx_conf(run_dir: Path, site: str, *, worker_connections: int = 1024) -> str:
    """A whole nginx.conf that keeps everything (pid, logs, temporary files) inside `run_dir`."""
    temp = {name: run_dir / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    user = f"user {os.environ.get('USER') or 'root'};\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {run_dir / "nginx.pid"};
error_log {run_dir / "nginx-error.log"} warn;
events {{ worker_connections {worker_connections}; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{site}
}}
"""


def wait_for_http(url: str, *, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Until `url` answers anything (even an error status), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError as exc:
            last = exc
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s: {last}")


@dataclass
class Stack:
    """Processes started by `start_stack`; `url` is nginx's address, `app_urls` gunicorn's."""

    run_dir: Path
    url: str
    app_urls: list[str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def dead(self) -> list[subprocess.Popen]:
        return [p for p in self.processes if p.poll() is not None]


def start_gunicorn(port: int, env: dict[str, str], *, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115  (the child keeps it)
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "annotator.wsgi:application"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def start_stack(
    *,
    env: dict[str, str] | None = None,
    apps: int = 2,
    port: int | None = None,
    app_ports: Sequence[int] | None = None,
    worker: bool = False,
    run_dir: Path | None = None,
    static_root: str | None = None,
    ready_path: str = "/accounts/login/",
    log: bool = True,
) -> Stack:
    """Start `apps` gunicorn processes, nginx in front of them and optionally the job worker.
    Everything listens on 127.0.0.1 only, on free ports unless told. Call `.stop()` after."""
    if NGINX is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
    run_dir = run_dir or Path(tempfile.mkdtemp(prefix="annotator-stack-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **(env or {})}
    ports = list(app_ports or [free_port() for _ in range(apps)])
    port = port or free_port()
    stack = Stack(run_dir, f"http://127.0.0.1:{port}", [f"http://127.0.0.1:{p}" for p in ports])
    try:
        for i, app_port in enumerate(ports):
            log_file = run_dir / f"gunicorn-{i + 1}.log" if log else None
            stack.processes.append(start_gunicorn(app_port, env, log=log_file))
        site = render_site(
            listen=f"127.0.0.1:{port}",
            upstreams=[f"127.0.0.1:{p}" for p in ports],
            static_root=static_root or str(ROOT / "staticfiles"),
        )
        conf = run_dir / "nginx.conf"
        conf.write_text(local_nginx_conf(run_dir, site))
        stack.processes.append(
            subprocess.Popen(
                [
                    NGINX,
                    "-e",
                    str(run_dir / "nginx-error.log"),
                    "-p",
                    str(run_dir),
                    "-c",
                    str(conf),
                    "-g",
                    "daemon off;",
                ],
                stdout=subprocess.DEVNULL,
                stderr=open(run_dir / "nginx-stderr.log", "ab"),  # noqa: SIM115
            )
        )
        if worker:
            out = open(run_dir / "worker.log", "ab") if log else subprocess.DEVNULL  # noqa: SIM115
            stack.processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--interval", "1"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        for app_url, process in zip(stack.app_urls, stack.processes, strict=False):
            wait_for_http(app_url + ready_path, process=process)
        wait_for_http(stack.url + ready_path, process=stack.processes[len(ports)])
    except BaseException:
        stack.stop()
        raise
    return stack


@contextlib.contextmanager
def running_stack(**kwargs: object) -> Iterator[Stack]:
    stack = start_stack(**kwargs)  # type: ignore[arg-type]
    try:
        yield stack
    finally:
        stack.stop()


SERVE_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/annotator_serve"


def redis_up(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def production_env(run_dir: Path, database_url: str) -> dict[str, str]:
    """The environment of a production-like run here: DEBUG off, a secret key kept in `run/`,
    cookies not marked secure (plain HTTP on 127.0.0.1), Redis when one answers on 6379."""
    secret = ROOT / "run" / "secret-key"
    if not secret.exists():
        secret.parent.mkdir(parents=True, exist_ok=True)
        import secrets

        secret.write_text(secrets.token_urlsafe(50))
        secret.chmod(0o600)
    env = {
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secret.read_text().strip(),
        "SECURE_COOKIES": os.environ.get("SECURE_COOKIES", "false"),
        "GUNICORN_WORKERS": os.environ.get("GUNICORN_WORKERS", "1"),
        "JOBS_PROGRESS_DIR": str(run_dir / "jobs-progress"),
        "DEMO_PASSWORD_FILE": os.environ.get("DEMO_PASSWORD_FILE", str(ROOT / "run" / "serve-demo-password")),
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    elif redis_up():
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    return env


def ensure_postgres_database(database_url: str) -> None:
    """CREATE DATABASE when it is missing (psycopg from the venv)."""
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    with psycopg.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    ) as conn:
        conn.autocommit = True
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True)


def _serve(args: argparse.Namespace) -> int:
    run_dir = ROOT / "run" / "serve"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    database_url = os.environ.get("SERVE_DATABASE_URL") or SERVE_DATABASE_URL
    env = production_env(run_dir, database_url)
    if database_url.startswith("postgres"):
        ensure_postgres_database(database_url)
    box = run_dir / "accounts.txt"
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "load_seeds")
    manage(env, "demo_users", "--force", "--box-file", str(box))
    stack = start_stack(
        env=env,
        apps=args.apps,
        port=args.port,
        worker=True,
        run_dir=run_dir,
        static_root=str(ROOT / "staticfiles"),
    )
    print(
        f"\nnginx on {stack.url}/ in front of {len(stack.app_urls)} gunicorn processes "
        f"({', '.join(stack.app_urls)}), the job worker, {database_url.split('@')[-1]}"
        f"{', Redis' if 'REDIS_URL' in env else ''}. Logs in {run_dir.relative_to(ROOT)}/; "
        "Ctrl-C stops it all."
    )
    print(f"Open {stack.url}/ and sign in with one of these accounts:")
    print(box.read_text(), end="", flush=True)
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            dead = stack.dead()
            if dead:
                print(f"{dead[0].args!r} exited with {dead[0].returncode}; stopping.", file=sys.stderr)
                return 1
            time.sleep(0.5)
    finally:
        stack.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    site = sub.add_parser("nginx-site", help="print the nginx site configuration")
    site.add_argument("--listen", default="80")
    site.add_argument("--upstream", action="append", default=[], help="host:port of a gunicorn (repeat)")
    site.add_argument("--static-root", default=str(ROOT / "staticfiles"))
    site.add_argument("--server-name", default="_")
    serve = sub.add_parser("serve", help="run nginx + gunicorn processes + the job worker here")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--apps", type=int, default=2)
    args = parser.parse_args(argv)
    if args.command == "nginx-site":
        upstreams = args.upstream or ["127.0.0.1:8001"]
        print(
            render_site(
                listen=args.listen,
                upstreams=upstreams,
                static_root=args.static_root,
                server_name=args.server_name,
            ),
            end="",
        )
        return 0
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
