"""Safe by default (checked in a fresh process): DEBUG only when asked for, and no
published key ever signs a token — without SECRET_KEY the installation makes its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SETUP = "import django; django.setup(); from django.conf import settings as s; print('DEBUG', s.DEBUG, s.SECRET_KEY)"
PUBLISHED = "dev-only-insecure-key-change-me-0123456789abcdef"


@pytest.fixture
def run(tmp_path):
    def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
        base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
        base.update(DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY_FILE=str(tmp_path / "secret_key"))
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
        )

    return run


@pytest.mark.parametrize("args", [["-c", SETUP], ["manage.py", "check"]], ids=["django.setup", "manage.py check"])
@pytest.mark.parametrize("env", [{}, {"DEBUG": "false"}, {"SECRET_KEY": ""}], ids=["nothing", "debug-off", "empty"])
def test_without_secret_key_the_installation_makes_its_own(run, tmp_path, args, env):
    result = run(args, **env)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text().strip()
    assert len(key) >= 50
    assert key != PUBLISHED
    if args[0] == "-c":
        assert result.stdout.split() == ["DEBUG", "False", key]


def test_the_published_development_key_refuses_to_start(run):
    result = run(["-c", SETUP], SECRET_KEY=PUBLISHED)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize("args", [["-c", SETUP], ["manage.py", "check"]], ids=["django.setup", "manage.py check"])
def test_production_with_secret_key_starts(run, args):
    result = run(args, DEBUG="false", SECRET_KEY="a-real-secret-" + "x" * 40)
    assert result.returncode == 0, result.stderr
    if args[0] == "-c":
        assert "DEBUG False a-real-secret-" in result.stdout


def test_debug_only_when_asked_for(run):
    result = run(["-c", SETUP], DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout
