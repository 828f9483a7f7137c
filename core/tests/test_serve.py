"""`manage.py serve` takes every server option from the settings, and the settings
take them from the environment."""

import os
import resource
import subprocess
import sys
from pathlib import Path

import uvicorn
from django.core.management import call_command

from core.server import GuardedHttpToolsProtocol

ROOT = Path(__file__).resolve().parents[2]
SERVER_VARIABLES = {"HOST", "PORT", "WEB_CONCURRENCY", "PROXY_HEADERS", "FORWARDED_ALLOW_IPS"}
SERVER_VARIABLES |= {"HTTP_HEADER_TIMEOUT", "HTTP_BODY_TIMEOUT", "MAX_CONNECTIONS"}
PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SERVER_HOST, s.SERVER_PORT, s.SERVER_WORKERS, s.SERVER_PROXY_HEADERS, s.SERVER_FORWARDED_ALLOW_IPS, "
    "s.HTTP_HEADER_TIMEOUT, s.HTTP_BODY_TIMEOUT, s.MAX_CONNECTIONS)"
)


def settings_in_a_fresh_process(limit_open_files: int | None = None, **env: str) -> str:
    def limit() -> None:
        if limit_open_files:
            resource.setrlimit(
                resource.RLIMIT_NOFILE, (limit_open_files, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
            )

    base = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True, text=True, timeout=60, preexec_fn=limit, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_server_settings_come_from_the_environment():
    env = {"HOST": "0.0.0.0", "PORT": "9001", "WEB_CONCURRENCY": "3", "PROXY_HEADERS": "true"}
    env |= {"FORWARDED_ALLOW_IPS": "10.0.0.1,10.0.0.2", "HTTP_HEADER_TIMEOUT": "7.5", "HTTP_BODY_TIMEOUT": "12"}
    env |= {"MAX_CONNECTIONS": "500"}
    assert settings_in_a_fresh_process(**env) == "0.0.0.0 9001 3 True ['10.0.0.1', '10.0.0.2'] 7.5 12.0 500"


def test_by_default_the_connection_cap_stays_below_the_open_file_limit():
    assert settings_in_a_fresh_process(limit_open_files=1024) == "127.0.0.1 8000 1 False ['127.0.0.1'] 10.0 20.0 824"


def test_serve_passes_the_settings_to_uvicorn(settings, monkeypatch):
    settings.SERVER_HOST, settings.SERVER_PORT, settings.SERVER_WORKERS = "0.0.0.0", 9001, 3
    settings.SERVER_PROXY_HEADERS, settings.SERVER_FORWARDED_ALLOW_IPS = True, ["10.0.0.1"]
    settings.HTTP_HEADER_TIMEOUT, settings.HTTP_BODY_TIMEOUT, settings.MAX_CONNECTIONS = 7.5, 12.0, 500
    runs = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: runs.append((app, options)))
    call_command("serve")
    ((app, options),) = runs
    assert app == "config.asgi:application"
    assert (options["host"], options["port"], options["workers"]) == ("0.0.0.0", 9001, 3)
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (True, ["10.0.0.1"])
    assert options["http"].func is GuardedHttpToolsProtocol
    assert options["lifespan"] == "on"  # each process's timer (core/ticks.py)
    assert options["http"].keywords == {"header_timeout": 7.5, "body_timeout": 12.0, "max_connections": 500}
    call_command("serve", "--port", "9002", "--workers", "1")
    assert (runs[1][1]["port"], runs[1][1]["workers"]) == (9002, 1)
