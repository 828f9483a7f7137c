import os
import subprocess
import sys

import pytest
from django.test import override_settings

from accounts.models import Branch, Company, Role, User
from cafe.tests.factories import PASSWORD, BranchFactory, UserFactory, owner_of, staff_of

pytestmark = pytest.mark.django_db

USER_FIELDS = {"id", "email", "first_name", "last_name", "role", "company_id", "branch_id"}
STRONG = "Tr0ub4dor&3-horse"


def user_json(user: User) -> dict:
    return {
        "id": str(user.pk),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role or None,
        "company_id": str(user.company_id) if user.company_id else None,
        "branch_id": str(user.branch_id) if user.branch_id else None,
    }


# Register


REGISTERED = {
    "detail": "Registration received: if the address was free, the account is ready and you can log in with it. "
    "A message has been sent to the address either way."
}


def register(api_client, body: dict):
    return api_client.post("/api/users/register/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def login_as(api_client, email: str, password: str = STRONG) -> dict:
    response = api_client.post("/api/users/login/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_register_with_company_makes_owner_company_and_branch(api_client, mailoutbox):
    response = register(
        api_client, {"email": "Anna@Example.com", "password": STRONG, "first_name": "Anna", "company_name": "Blue Cup"}
    )
    assert (response.status_code, response.json()) == (202, REGISTERED)
    user = User.objects.get(email="anna@example.com")
    assert (user.first_name, user.role, user.branch_id) == ("Anna", "owner", None)
    company = Company.objects.get(pk=user.company_id)
    assert company.name == "Blue Cup"
    assert list(Branch.unscoped.filter(company=company).values_list("name", flat=True)) == ["Main"]
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [(["anna@example.com"], "Your cafe account")]
    # The account is ready: log in with it.
    body = login_as(api_client, "anna@example.com")
    assert body["user"] == user_json(user)
    me = api_client.get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200
    assert me.json() == body["user"]


def test_register_without_company_gets_no_company_and_cafe_403(api_client):
    response = register(api_client, {"email": "solo@example.com", "password": STRONG})
    assert (response.status_code, response.json()) == (202, REGISTERED)
    body = login_as(api_client, "solo@example.com")
    assert body["user"]["company_id"] is None
    assert body["user"]["role"] is None
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    for path in ("/api/cafe/tables/", "/api/cafe/orders/", "/api/users/branches/"):
        denied = api_client.get(path)
        assert denied.status_code == 403, path
        assert "detail" in denied.json()


def test_register_answers_a_taken_email_exactly_as_a_free_one(api_client, mailoutbox):
    """User enumeration: the answer must not tell whether an address has an account.
    The owner of a taken address gets a notice instead; their account is untouched."""
    taken = UserFactory(email="taken@example.com", first_name="Old")
    for_taken = register(api_client, {"email": "TAKEN@example.com", "password": STRONG, "first_name": "Eve"})
    for_free = register(api_client, {"email": "free@example.com", "password": STRONG, "first_name": "Eve"})
    assert (for_taken.status_code, for_taken.json()) == (for_free.status_code, for_free.json()) == (202, REGISTERED)
    # Alike but for the request id each answer carries (core/requestlog.py).
    assert {k: v for k, v in for_taken.headers.items() if k != "X-Request-ID"} == {
        k: v for k, v in for_free.headers.items() if k != "X-Request-ID"
    }
    taken.refresh_from_db()
    assert (taken.first_name, taken.check_password(PASSWORD)) == ("Old", True)
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["taken@example.com"], "Someone tried to register with your address"),
        (["free@example.com"], "Your cafe account"),
    ]
    # The stranger's password does not open the taken account.
    refused = api_client.post("/api/users/login/", {"email": "taken@example.com", "password": STRONG}, format="json")
    assert refused.status_code == 401


def test_register_refuses_a_weak_password_alike_for_taken_and_free_emails(api_client):
    UserFactory(email="taken@example.com")
    answers = [
        register(api_client, {"email": email, "password": "password123"})
        for email in ("taken@example.com", "free@example.com")
    ]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()
    assert list(answers[0].json()) == ["password"]


@pytest.mark.parametrize(
    "password",
    ["short1", "password123", "12345678901", "solo.person@example"],
    ids=["too-short", "common", "numeric", "similar-to-email"],
)
def test_register_password_passes_django_validators(api_client, password):
    response = api_client.post(
        "/api/users/register/", {"email": "solo.person@example.com", "password": password}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": STRONG}, "email"),
        ({"email": "x@example.com"}, "password"),
        ({"email": "not-an-email", "password": STRONG}, "email"),
        ({"email": "x@example.com", "password": STRONG, "company_name": ""}, "company_name"),
        ({"email": ["x@example.com"], "password": STRONG}, "email"),
    ],
)
def test_register_bad_input_names_the_field(api_client, body, field):
    response = api_client.post("/api/users/register/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert (User.objects.count(), Company.objects.count()) == (0, 0)


# Login


def test_login_answers_access_refresh_user(api_client):
    waiter = UserFactory(email="waiter@example.com")
    response = api_client.post(
        "/api/users/login/", {"email": "waiter@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access", "refresh", "user"]
    assert body["user"] == user_json(waiter)
    assert body["user"]["role"] == "waiter"
    assert body["user"]["branch_id"] == str(waiter.branch_id)


def test_login_email_is_case_insensitive(api_client):
    UserFactory(email="waiter@example.com")
    response = api_client.post(
        "/api/users/login/", {"email": "Waiter@Example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(("email", "password"), [("waiter@example.com", "wrong"), ("nobody@example.com", PASSWORD)])
def test_login_wrong_credentials_401_with_message(api_client, email, password):
    UserFactory(email="waiter@example.com")
    response = api_client.post("/api/users/login/", {"email": email, "password": password}, format="json")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_login_inactive_user_401(api_client):
    UserFactory(email="gone@example.com", is_active=False)
    response = api_client.post("/api/users/login/", {"email": "gone@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 401


def test_login_missing_fields_400(api_client):
    response = api_client.post("/api/users/login/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


@override_settings(LOGIN_FAILURES_ALLOWED=5)
def test_login_throttled_after_repeated_failures(api_client):
    UserFactory(email="waiter@example.com")
    for _ in range(5):
        response = api_client.post(
            "/api/users/login/", {"email": "waiter@example.com", "password": "nope"}, format="json"
        )
        assert response.status_code == 401
    response = api_client.post("/api/users/login/", {"email": "waiter@example.com", "password": "nope"}, format="json")
    assert response.status_code == 429
    assert response.json()["detail"]
    # Even the right password waits out the window.
    response = api_client.post(
        "/api/users/login/", {"email": "waiter@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "Retry-After" in response.headers


@override_settings(LOGIN_FAILURES_ALLOWED=3)
def test_login_success_resets_failure_count(api_client):
    UserFactory(email="waiter@example.com")
    for _ in range(2):
        api_client.post("/api/users/login/", {"email": "waiter@example.com", "password": "nope"}, format="json")
    assert (
        api_client.post(
            "/api/users/login/", {"email": "waiter@example.com", "password": PASSWORD}, format="json"
        ).status_code
        == 200
    )
    for _ in range(2):
        response = api_client.post(
            "/api/users/login/", {"email": "waiter@example.com", "password": "nope"}, format="json"
        )
        assert response.status_code == 401


# Tokens and me


def test_refresh_gives_a_new_access_token(api_client):
    UserFactory(email="waiter@example.com")
    login = api_client.post("/api/users/login/", {"email": "waiter@example.com", "password": PASSWORD}, format="json")
    response = api_client.post("/api/users/token/refresh/", {"refresh": login.json()["refresh"]}, format="json")
    assert response.status_code == 200
    assert "access" in response.json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api_client.get("/api/users/me/").status_code == 200


def test_refresh_with_garbage_401(api_client):
    response = api_client.post("/api/users/token/refresh/", {"refresh": "garbage"}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_refresh_missing_field_400(api_client):
    response = api_client.post("/api/users/token/refresh/", {}, format="json")
    assert response.status_code == 400
    assert "refresh" in response.json()


def test_me_shape(client_for):
    waiter = UserFactory(first_name="Ivan", last_name="Petrov")
    response = client_for(waiter).get("/api/users/me/")
    assert response.status_code == 200
    assert response.json() == user_json(waiter)
    assert set(response.json()) == USER_FIELDS


def test_me_requires_auth(api_client):
    assert api_client.get("/api/users/me/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert api_client.get("/api/users/me/").status_code == 401


# Branches


def test_branches_list_is_company_scoped(client_for):
    owner = owner_of(BranchFactory(name="Centre").company)
    BranchFactory(company=owner.company, name="Harbour", address="Pier 1")
    BranchFactory(name="Elsewhere")
    response = client_for(owner).get("/api/users/branches/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {b["name"] for b in body["results"]} == {"Centre", "Harbour"}
    harbour = next(b for b in body["results"] if b["name"] == "Harbour")
    assert set(harbour) == {
        "id",
        "name",
        "address",
        "company",
        "timezone",
        "service_charge_percent",
        "staff_discount_limit_percent",
        "booking_duration",
        "booking_buffer",
        "booking_step",
        "booking_lead",
        "booking_grace",
    }
    assert (harbour["timezone"], harbour["service_charge_percent"], harbour["staff_discount_limit_percent"]) == (
        "UTC",
        "0.00",
        "10.00",
    )
    assert harbour["address"] == "Pier 1"
    assert harbour["company"] == str(owner.company_id)


def test_branch_staff_see_only_their_branch(client_for):
    branch = BranchFactory()
    BranchFactory(company=branch.company)
    waiter = staff_of(branch)
    response = client_for(waiter).get("/api/users/branches/")
    assert [b["id"] for b in response.json()["results"]] == [str(branch.pk)]


def test_branch_detail_of_other_company_or_branch_404(client_for):
    branch = BranchFactory()
    sibling = BranchFactory(company=branch.company)
    stranger = BranchFactory()
    owner, waiter = owner_of(branch.company), staff_of(branch)
    assert client_for(owner).get(f"/api/users/branches/{sibling.pk}/").status_code == 200
    assert client_for(owner).get(f"/api/users/branches/{stranger.pk}/").status_code == 404
    assert client_for(waiter).get(f"/api/users/branches/{sibling.pk}/").status_code == 404
    missing = client_for(owner).get("/api/users/branches/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404
    assert list(missing.json()) == ["detail"]


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owner_and_admin_create_branches(client_for, role):
    company = BranchFactory().company
    user = UserFactory(role=role, branch=None, company=company)
    response = client_for(user).post("/api/users/branches/", {"name": "North", "address": "1 Main St"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "North"
    assert body["address"] == "1 Main St"
    assert body["company"] == str(company.pk)
    assert Branch.unscoped.filter(company=company, name="North").exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.WAITER, Role.CASHIER, Role.COOK])
def test_branch_staff_cannot_create_branches(client_for, role):
    user = staff_of(BranchFactory(), role=role)
    response = client_for(user).post("/api/users/branches/", {"name": "North"}, format="json")
    assert response.status_code == 403
    assert Branch.unscoped.count() == 1


def test_branch_create_validation(client_for):
    owner = owner_of(BranchFactory(name="Centre").company)
    assert client_for(owner).post("/api/users/branches/", {"name": "Centre"}, format="json").json().keys() == {"name"}
    missing = client_for(owner).post("/api/users/branches/", {}, format="json")
    assert missing.status_code == 400
    assert "name" in missing.json()
    assert Branch.unscoped.count() == 1


# Employees


def test_owner_creates_branch_bound_employee(client_for):
    branch = BranchFactory()
    owner = owner_of(branch.company)
    response = client_for(owner).post(
        "/api/users/employees/",
        {
            "email": "Cook@Example.com",
            "password": STRONG,
            "role": "cook",
            "branch": str(branch.pk),
            "first_name": "Olga",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    cook = User.objects.get(email="cook@example.com")
    assert response.json() == {**user_json(cook), "is_active": True}
    assert (cook.role, cook.branch, cook.company, cook.first_name) == ("cook", branch, branch.company, "Olga")
    assert cook.check_password(STRONG)


def test_admin_may_be_created_without_branch(client_for):
    owner = owner_of(BranchFactory().company)
    response = client_for(owner).post(
        "/api/users/employees/", {"email": "adm@example.com", "password": STRONG, "role": "admin"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["branch_id"] is None
    assert response.json()["role"] == "admin"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"branch": None}, "branch"),
        ({"branch": "other-company"}, "branch"),
        ({"branch": "not-a-uuid"}, "branch"),
        ({"role": "chef"}, "role"),
        ({"password": "123"}, "password"),
        ({"email": "taken@example.com"}, "email"),
        ({"email": "nope"}, "email"),
    ],
)
def test_employee_create_validation(client_for, change, field):
    branch = BranchFactory()
    owner = owner_of(branch.company, email="taken@example.com")
    body = {"email": "new@example.com", "password": STRONG, "role": "waiter", "branch": str(branch.pk), **change}
    if body["branch"] == "other-company":
        body["branch"] = str(BranchFactory().pk)
    response = client_for(owner).post("/api/users/employees/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == 1


def test_admin_cannot_create_owner(client_for):
    branch = BranchFactory()
    admin = UserFactory(role=Role.ADMIN, branch=None, company=branch.company)
    response = client_for(admin).post(
        "/api/users/employees/", {"email": "o2@example.com", "password": STRONG, "role": "owner"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGER, Role.WAITER])
def test_branch_staff_cannot_manage_employees(client_for, role):
    user = staff_of(BranchFactory(), role=role)
    client = client_for(user)
    assert client.get("/api/users/employees/").status_code == 403
    assert client.get(f"/api/users/employees/{user.pk}/").status_code == 403
    response = client.post(
        "/api/users/employees/",
        {"email": "n@example.com", "password": STRONG, "role": "waiter", "branch": str(user.branch_id)},
        format="json",
    )
    assert response.status_code == 403


def test_employees_list_and_detail_are_company_scoped(client_for):
    branch = BranchFactory()
    owner = owner_of(branch.company)
    mine = staff_of(branch)
    theirs = UserFactory()
    client = client_for(owner)
    listed = client.get("/api/users/employees/").json()
    assert listed["count"] == 2
    assert {e["id"] for e in listed["results"]} == {str(owner.pk), str(mine.pk)}
    assert set(listed["results"][0]) == USER_FIELDS | {"is_active"}
    assert client.get(f"/api/users/employees/{mine.pk}/").json() == {**user_json(mine), "is_active": True}
    for method, body in (("get", None), ("patch", {"first_name": "X"}), ("delete", None)):
        response = getattr(client, method)(f"/api/users/employees/{theirs.pk}/", body, format="json")
        assert response.status_code == 404, method
    theirs.refresh_from_db()
    assert theirs.first_name == ""
    assert theirs.is_active


def test_employee_patch_moves_and_renames(client_for):
    branch = BranchFactory()
    other = BranchFactory(company=branch.company)
    owner = owner_of(branch.company)
    waiter = staff_of(branch)
    response = client_for(owner).patch(
        f"/api/users/employees/{waiter.pk}/",
        {"branch": str(other.pk), "role": "cashier", "last_name": "K"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["branch_id"] == str(other.pk)
    assert response.json()["role"] == "cashier"
    waiter.refresh_from_db()
    assert (waiter.branch, waiter.role, waiter.last_name) == (other, "cashier", "K")


def test_employee_patch_password_is_validated(client_for):
    branch = BranchFactory()
    owner = owner_of(branch.company)
    waiter = staff_of(branch)
    response = client_for(owner).patch(f"/api/users/employees/{waiter.pk}/", {"password": "abc"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()
    waiter.refresh_from_db()
    assert waiter.check_password(PASSWORD)


def test_employee_delete_deactivates(client_for):
    branch = BranchFactory()
    owner = owner_of(branch.company)
    waiter = staff_of(branch)
    response = client_for(owner).delete(f"/api/users/employees/{waiter.pk}/")
    assert response.status_code == 204
    waiter.refresh_from_db()
    assert waiter.is_active is False
    login = client_for(owner).post("/api/users/login/", {"email": waiter.email, "password": PASSWORD}, format="json")
    assert login.status_code == 401


def test_admin_cannot_promote_to_owner_or_edit_owner(client_for):
    branch = BranchFactory()
    owner = owner_of(branch.company)
    admin = UserFactory(role=Role.ADMIN, branch=None, company=branch.company)
    waiter = staff_of(branch)
    client = client_for(admin)
    assert client.patch(f"/api/users/employees/{waiter.pk}/", {"role": "owner"}, format="json").status_code == 403
    assert client.patch(f"/api/users/employees/{owner.pk}/", {"first_name": "X"}, format="json").status_code == 403
    assert client.delete(f"/api/users/employees/{owner.pk}/").status_code == 403
    waiter.refresh_from_db()
    owner.refresh_from_db()
    assert (waiter.role, owner.first_name, owner.is_active) == ("waiter", "", True)


def test_token_of_deactivated_user_is_refused(client_for):
    waiter = UserFactory()
    client = client_for(waiter)
    assert client.get("/api/cafe/tables/").status_code == 200
    waiter.is_active = False
    waiter.save()
    assert client.get("/api/cafe/tables/").status_code == 401
    assert client.get("/api/users/me/").status_code == 401


def test_passwords_are_hashed_at_the_configured_iterations_and_upgraded_at_login(api_client, settings):
    """PASSWORD_ITERATIONS sets the work of new hashes (``pbkdf2_sha256``, Django's own
    format); a login with a hash made at another count checks it and hashes it again."""
    settings.PASSWORD_HASHERS = ["accounts.passwords.PBKDF2PasswordHasher"]
    settings.PASSWORD_ITERATIONS = 1000
    user = UserFactory(email="hash@example.com")
    assert user.password.startswith("pbkdf2_sha256$1000$")
    settings.PASSWORD_ITERATIONS = 2000
    response = api_client.post("/api/users/login/", {"email": "hash@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$2000$")


def test_password_iterations_below_a_thousand_are_refused():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PASSWORD_ITERATIONS": "999"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "PASSWORD_ITERATIONS must be at least 1000." in result.stderr
