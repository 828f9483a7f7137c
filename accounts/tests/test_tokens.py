"""Tokens: never cached, rotated on refresh, revoked by logout, password change and
deactivation (REST 401, sockets 4003), and odd claims refused without a 500."""

import uuid
from collections import Counter

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from accounts.services import tokens_for
from accounts.tests.conftest import NEWER, in_parallel, login, post
from cafe.tests.factories import PASSWORD, BranchFactory, UserFactory, owner_of, staff_of

STRONG = "Tr0ub4dor&3-horse"


def me(access: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/users/me/").status_code


def refresh(token: str):
    return post("/api/users/token/refresh/", {"refresh": token})


@pytest.mark.django_db
def test_every_answer_with_tokens_is_no_store():
    user = UserFactory(email="waiter@example.com")
    answers = [
        post("/api/users/login/", {"email": "waiter@example.com", "password": PASSWORD}),
        refresh(tokens_for(user)["refresh"]),
        post(
            "/api/users/me/password/",
            {"old_password": PASSWORD, "new_password": NEWER},
            token=tokens_for(user)["access"],
        ),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.json()
        assert "no-store" in answer.headers["Cache-Control"]


# Refresh rotation


@pytest.mark.django_db
def test_refresh_rotates_and_spends_the_old_token():
    pair = login(UserFactory().email)
    rotated = refresh(pair["refresh"])
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert me(rotated.json()["access"]) == 200
    again = refresh(pair["refresh"])
    assert again.status_code == 401
    assert refresh(rotated.json()["refresh"]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_with_one_token_succeed_once():
    token = tokens_for(UserFactory())["refresh"]
    answers = in_parallel(10, lambda i: refresh(token).status_code)
    assert Counter(answers) == {200: 1, 401: 9}


# Logout


@pytest.mark.django_db
def test_logout_revokes_that_refresh_token_only():
    user = UserFactory()
    phone, tablet = login(user.email), login(user.email)
    assert post("/api/users/logout/", {"refresh": phone["refresh"]}).status_code == 204
    assert refresh(phone["refresh"]).status_code == 401
    assert post("/api/users/logout/", {"refresh": phone["refresh"]}).status_code == 401
    assert refresh(tablet["refresh"]).status_code == 200


@pytest.mark.django_db
def test_logout_all_revokes_every_token_of_the_user():
    user = UserFactory()
    colleague = UserFactory(branch=user.branch)
    phone, tablet, theirs = login(user.email), login(user.email), login(colleague.email)
    response = post("/api/users/logout/", {"refresh": phone["refresh"], "all": True})
    assert response.status_code == 204
    for pair in (phone, tablet):
        assert me(pair["access"]) == 401
        assert refresh(pair["refresh"]).status_code == 401
    assert me(theirs["access"]) == 200
    assert me(login(user.email)["access"]) == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field"), [({}, "refresh"), ({"refresh": "x", "all": "maybe"}, "all")])
def test_logout_bad_input_400(body, field):
    response = post("/api/users/logout/", body)
    assert response.status_code == 400
    assert field in response.json()


# Password change and deactivation


@pytest.mark.django_db
def test_own_password_change_revokes_old_tokens_and_answers_new_ones():
    user = UserFactory()
    old, other_device = login(user.email), login(user.email)
    response = post("/api/users/me/password/", {"old_password": PASSWORD, "new_password": NEWER}, token=old["access"])
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"access", "refresh"}
    for pair in (old, other_device):
        assert me(pair["access"]) == 401
        assert refresh(pair["refresh"]).status_code == 401
    assert me(response.json()["access"]) == 200
    assert refresh(response.json()["refresh"]).status_code == 200
    assert post("/api/users/login/", {"email": user.email, "password": PASSWORD}).status_code == 401
    login(user.email, NEWER)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"old_password": "wrong", "new_password": NEWER}, "old_password"),
        ({"old_password": PASSWORD, "new_password": "123"}, "new_password"),
        ({"old_password": PASSWORD}, "new_password"),
    ],
)
def test_own_password_change_validation(body, field):
    user = UserFactory()
    access = tokens_for(user)["access"]
    response = post("/api/users/me/password/", body, token=access)
    assert response.status_code == 400
    assert field in response.json()
    assert me(access) == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_own_password_change_needs_a_token_and_is_throttled(settings):
    settings.LOGIN_FAILURES_ALLOWED = 2
    user = UserFactory()
    access = tokens_for(user)["access"]
    assert post("/api/users/me/password/", {"old_password": "a", "new_password": NEWER}).status_code == 401
    for _ in range(2):
        answer = post("/api/users/me/password/", {"old_password": "a", "new_password": NEWER}, token=access)
        assert answer.status_code == 400
    answer = post("/api/users/me/password/", {"old_password": PASSWORD, "new_password": NEWER}, token=access)
    assert answer.status_code == 429
    assert "Retry-After" in answer.headers


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"password": NEWER}, {"is_active": False}])
def test_password_set_by_owner_or_deactivation_revokes_tokens(client_for, change):
    branch = BranchFactory()
    owner, waiter = owner_of(branch.company), staff_of(branch)
    pair = login(waiter.email)
    response = client_for(owner).patch(f"/api/users/employees/{waiter.pk}/", change, format="json")
    assert response.status_code == 200
    assert me(pair["access"]) == 401
    assert refresh(pair["refresh"]).status_code == 401
    # Reactivating does not bring old tokens back.
    User.objects.filter(pk=waiter.pk).update(is_active=True)
    assert me(pair["access"]) == 401
    assert refresh(pair["refresh"]).status_code == 401


@pytest.mark.django_db
def test_other_changes_keep_tokens(client_for):
    branch = BranchFactory()
    owner, waiter = owner_of(branch.company), staff_of(branch)
    pair = login(waiter.email)
    client_for(owner).patch(f"/api/users/employees/{waiter.pk}/", {"first_name": "Ivan"}, format="json")
    assert me(pair["access"]) == 200


# Odd claims: 401, never a 500


def minted(user: User, token_class=AccessToken, **claims) -> str:
    token = token_class()
    token["user_id"] = str(user.pk)
    for claim, value in claims.items():
        if value is None:
            del token[claim]
        else:
            token[claim] = value
    return str(token)


ODD_CLAIMS = [
    {"exp": 10**30},
    {"exp": -(10**30)},
    {"user_id": "not-a-uuid"},
    {"user_id": {"id": 1}},
    {"user_id": [1, 2]},
    {"user_id": 10**50},
    {"user_id": None},
    {"jti": None},
    {"token_version": "0"},
    {"token_version": 1},
]


@pytest.mark.django_db
@pytest.mark.parametrize("claims", ODD_CLAIMS, ids=[str(c) for c in ODD_CLAIMS])
def test_odd_claims_answer_401(claims):
    user = UserFactory()
    assert me(minted(user, **claims)) == 401
    assert refresh(minted(user, RefreshToken, **claims)).status_code == 401
    assert post("/api/users/logout/", {"refresh": minted(user, RefreshToken, **claims)}).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("claims", ODD_CLAIMS, ids=[str(c) for c in ODD_CLAIMS])
def test_odd_claims_close_the_socket_4003(claims):
    from realtime import access

    user = UserFactory()
    with pytest.raises(access.SocketRefused) as refused:
        access.socket_open(token=minted(user, **claims), requested_branch=None, stream="orders", since=None, limit=10)
    assert refused.value.code == 4003


@pytest.mark.django_db
def test_token_of_an_unknown_user_401():
    assert me(minted(UserFactory.build(id=uuid.uuid4()))) == 401


@pytest.mark.django_db
def test_password_set_in_the_admin_revokes_tokens(client):
    admin = UserFactory(is_staff=True, is_superuser=True, company=None, branch=None, role="")
    waiter = UserFactory()
    pair = login(waiter.email)
    client.force_login(admin)
    page = client.post(f"/admin/accounts/user/{waiter.pk}/password/", {"password1": NEWER, "password2": NEWER})
    assert page.status_code == 302, page.content[:500]
    assert me(pair["access"]) == 401
    assert refresh(pair["refresh"]).status_code == 401
