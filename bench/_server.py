"""What the load benchmark runs against: a PostgreSQL database of its own, served by gunicorn.

The database is made on the server DATABASE_URL names, under a name of the benchmark's own, and
dropped when the benchmark ends, however it ends. It carries a comment saying who made it, so a
database left behind by a run that was killed is recognised and replaced, and no other database
ever is. gunicorn serves it on a free loopback port with DEBUG off, as in production.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MARK = "Made by bench/load.py, which drops it when it ends."
LOOPBACK = "127.0.0.1"
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
START_SECONDS = 60  # gunicorn is up well within this, or the benchmark gives up


def server_environment(database_url):
    """Return the settings the server (and the benchmark's own Django) run with: production's.

    A secret key of the run's own; plain HTTP (DJANGO_HTTPS=0), because the server is on
    loopback with no TLS proxy in front: no HTTPS redirect and no secure-cookie flags.
    """
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": LOOPBACK,
        "DJANGO_HTTPS": "0",
        "DATABASE_URL": database_url,
    }


def refuse_unless_loopback_postgresql(url):
    """Return None if `url` names a PostgreSQL server on loopback; otherwise a reason why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        return ("bench/load.py measures PostgreSQL, the production database: set DATABASE_URL "
                "to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/vastuu. It "
                "makes a database of its own there and drops it at the end.")
    if (parts.hostname or "") not in LOOPBACK_NAMES:
        return "bench/load.py runs only against a PostgreSQL server on this machine (loopback)."
    return None


def with_database(url, name):
    """Return `url` with its database name replaced by `name`."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _admin_connection(url):
    """Return an autocommit connection to the server of `url`, to create and drop databases."""
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(url)
    server = {"host": settings["HOST"] or None, "port": settings["PORT"] or None,
              "user": settings["USER"] or None, "password": settings["PASSWORD"] or None,
              **{key: value for key, value in (settings.get("OPTIONS") or {}).items()
                 if key.startswith("ssl")}}
    problem = None
    # Like Django's own test runner: the maintenance database, else the one the URL names.
    for dbname in ("postgres", settings["NAME"]):
        try:
            return psycopg.connect(dbname=dbname, autocommit=True, connect_timeout=10, **server)
        except psycopg.OperationalError as error:
            problem = error
    raise SystemExit(f"Cannot connect to the PostgreSQL server of DATABASE_URL: {problem}")


@contextmanager
def scratch_database(url, name):
    """Create the database `name` on the server of `url`; yield its URL; drop it at the end."""
    from psycopg import sql

    database = sql.Identifier(name)
    with closing(_admin_connection(url)) as admin:
        found = admin.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                              "WHERE datname = %s", [name]).fetchone()
        if found and found[0] != MARK:
            raise SystemExit(f"A database {name!r} exists that bench/load.py did not make: "
                             "name another with --database-name.")
        if found:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(database))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
        admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(database, sql.Literal(MARK)))
    try:
        yield with_database(url, name)
    finally:
        with closing(_admin_connection(url)) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))


def server_version(url):
    """Return the version of the PostgreSQL server of `url`, e.g. "15.18"."""
    with closing(_admin_connection(url)) as admin:
        return admin.execute("SHOW server_version").fetchone()[0].split()[0]


def free_port():
    """Return a loopback port that nothing listens on now."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(environment, *, workers, log):
    """Start gunicorn serving Vastuu with `environment`; yield its port; stop it at the end.

    Its output goes to the open file `log`.
    """
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{LOOPBACK}:{port}",
               "--workers", str(workers), "--timeout", "30", "--graceful-timeout", "5",
               "--error-logfile", "-", *_no_control_socket()]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **environment},  # noqa: S603
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(process, port)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _no_control_socket():
    """Return the option that keeps gunicorn from opening its control socket, if it has one.

    The socket's default path is one per user: a second gunicorn on the machine would take it.
    """
    from gunicorn.config import KNOWN_SETTINGS

    option = "--no-control-socket"
    return [option] if any(option in (setting.cli or []) for setting in KNOWN_SETTINGS) else []


def _wait_until_up(process, port):
    """Return when the login page answers; raise RuntimeError if gunicorn fails to start."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (exit status {process.returncode})")
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
        try:
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_SECONDS} s")
