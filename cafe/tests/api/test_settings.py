"""Production settings refuse to start without their secrets (checked in a fresh process)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SETUP = "import django; django.setup(); from django.conf import settings; print('DEBUG', settings.DEBUG)"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("args", [["-c", SETUP], ["manage.py", "check"]], ids=["django.setup", "manage.py check"])
def test_production_without_secret_key_refuses_to_start(args):
    result = run(args, DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_with_empty_secret_key_refuses_to_start():
    result = run(["-c", SETUP], DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_with_the_dev_key_refuses_to_start():
    result = run(["-c", SETUP], DEBUG="false", SECRET_KEY="dev-only-insecure-key-change-me-0123456789abcdef")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize("args", [["-c", SETUP], ["manage.py", "check"]], ids=["django.setup", "manage.py check"])
def test_production_with_secret_key_starts(args):
    result = run(args, DEBUG="false", SECRET_KEY="a-real-secret-" + "x" * 40)
    assert result.returncode == 0, result.stderr
    if args[0] == "-c":
        assert "DEBUG False" in result.stdout


def test_local_defaults_start_without_any_secret():
    result = run(["-c", SETUP])
    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout
