"""Client mistakes and races answer 400 naming the field, never a 500; safe settings."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from accounts.models import Branch, Company, User
from accounts.services import tokens_for
from accounts.tests.conftest import in_parallel, post
from cafe.tests.factories import PASSWORD, BranchFactory, UserFactory, owner_of

STRONG = "Tr0ub4dor&3-horse"
ROOT = Path(__file__).resolve().parents[2]


def long_email(length: int) -> str:
    domain = "@" + ".".join(["a" * 60] * 4) + ".com"  # a valid 250-character domain
    return "x" * (length - len(domain)) + domain


@pytest.mark.django_db
@pytest.mark.parametrize("length", [255, 300, 320])
def test_overlong_emails_answer_400_naming_the_field(length):
    email = long_email(length)
    assert len(email) == length
    owner = owner_of(BranchFactory().company)
    access = tokens_for(owner)["access"]
    answers = [
        post("/api/users/register/", {"email": email, "password": STRONG}),
        post("/api/users/login/", {"email": email, "password": STRONG}),
        post("/api/users/employees/", {"email": email, "password": STRONG, "role": "admin"}, token=access),
    ]
    for answer in answers:
        assert answer.status_code == 400
        assert "email" in answer.json()
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_email_registered_concurrently_once():
    answers = in_parallel(
        8,
        lambda i: post(
            "/api/users/register/",
            {"email": "same@example.com", "password": STRONG, "company_name": f"Cafe {i}"},
            address=f"198.51.100.{i}",
        ),
    )
    # One account; every answer alike (a taken address is not told apart).
    assert Counter(answer.status_code for answer in answers) == {202: 8}
    assert len({str(answer.json()) for answer in answers}) == 1
    assert (User.objects.count(), Company.objects.count(), Branch.unscoped.count()) == (1, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_one_employee_email_created_concurrently_once():
    branch = BranchFactory()
    access = tokens_for(owner_of(branch.company))["access"]
    body = {"email": "cook@example.com", "password": STRONG, "role": "cook", "branch": str(branch.pk)}
    answers = in_parallel(8, lambda i: post("/api/users/employees/", body, token=access))
    assert Counter(answer.status_code for answer in answers) == {201: 1, 400: 7}
    assert all("email" in answer.json() for answer in answers if answer.status_code == 400)


@pytest.mark.django_db(transaction=True)
def test_one_branch_name_created_concurrently_once():
    company = BranchFactory().company
    access = tokens_for(owner_of(company))["access"]
    answers = in_parallel(8, lambda i: post("/api/users/branches/", {"name": "North"}, token=access))
    assert Counter(answer.status_code for answer in answers) == {201: 1, 400: 7}
    assert all("name" in answer.json() for answer in answers if answer.status_code == 400)
    assert Branch.unscoped.filter(company=company, name="North").count() == 1


# Settings


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "HTTPS", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_with_nothing_configured_debug_is_off_and_the_key_is_the_installation_own(tmp_path):
    key_file = tmp_path / "key"
    code = "from config import settings as s; print(s.DEBUG, s.SECRET_KEY)"
    first = run(code, SECRET_KEY_FILE=str(key_file))
    assert first.returncode == 0, first.stderr
    debug, key = first.stdout.split()
    assert debug == "False"
    assert key == key_file.read_text().strip()
    assert len(key) >= 50
    assert key not in (ROOT / "config" / "settings.py").read_text()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert run(code, SECRET_KEY_FILE=str(key_file)).stdout.split()[1] == key
    assert run(code, SECRET_KEY_FILE=str(key_file), SECRET_KEY="k" * 60).stdout.split()[1] == "k" * 60


def test_concurrent_first_starts_agree_on_one_key(tmp_path):
    key_file = tmp_path / "key"
    code = "from config import settings as s; print(s.SECRET_KEY)"
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**clean, "SECRET_KEY_FILE": str(key_file)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    keys = {start.communicate(timeout=60)[0].strip() for start in starts}
    assert keys == {key_file.read_text().strip()}
    assert [path.name for path in tmp_path.iterdir()] == ["key"], "no temporary file is left behind"


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "HTTPS")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_production_settings_pass_check_deploy(tmp_path):
    result = check_deploy(HTTPS="true", SECRET_KEY_FILE=str(tmp_path / "key"), ALLOWED_HOSTS="cafe.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    plain = check_deploy(SECRET_KEY_FILE=str(tmp_path / "key"))
    assert plain.returncode != 0
    assert "SECURE_HSTS_SECONDS" in plain.stdout + plain.stderr


@pytest.mark.django_db
def test_deactivated_user_cannot_log_in_and_answers_like_a_wrong_password():
    UserFactory(email="gone@example.com", is_active=False)
    answer = post("/api/users/login/", {"email": "gone@example.com", "password": PASSWORD})
    assert answer.status_code == 401
