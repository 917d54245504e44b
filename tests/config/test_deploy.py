"""The production start: deploy/serve and gunicorn's settings from the environment."""

import os
import shutil
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def gunicorn_settings(**env):
    """Return gunicorn's settings as deploy/gunicorn.conf.py makes them from `env`."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("VASTUU_", "WEB_CONCURRENCY"))}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
        env={**environment, **env})
    lines = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in lines}


def test_gunicorn_binds_to_loopback_by_default():
    values = gunicorn_settings()
    assert values["bind"] == "['127.0.0.1:8000']"
    assert values["workers"] == "3" and values["timeout"] == "60"
    assert values["wsgi_app"] == "config.wsgi:application"


def test_gunicorn_takes_its_address_workers_and_timeout_from_the_environment():
    values = gunicorn_settings(VASTUU_BIND="0.0.0.0:9000", VASTUU_WORKERS="5",
                               VASTUU_TIMEOUT="120")
    assert values["bind"] == "['0.0.0.0:9000']"
    assert values["workers"] == "5" and values["timeout"] == "120"


def test_the_start_script_is_valid_bash_and_starts_what_production_needs():
    script = ROOT / "deploy" / "serve"
    assert os.access(script, os.X_OK)
    subprocess.run([shutil.which("bash"), "-n", str(script)],  # noqa: S603 (a fixed command)
                   check=True, timeout=30)
    text = script.read_text(encoding="utf-8")
    for step in ("manage.py migrate", "manage.py collectstatic", "gunicorn --config",
                 "DJANGO_SECRET_KEY_FILE", "db_worker"):
        assert step in text, step


def test_make_serve_installs_then_runs_the_start_script():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "serve: install\n" in makefile and "deploy/serve" in makefile
