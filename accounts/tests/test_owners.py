"""A company never loses its last active owner: not by the owner themself, not by
another owner, not through the admin, not by two owners demoting each other at once."""

import pytest
from django.contrib.messages import get_messages

from accounts.models import Role, User
from accounts.tests.conftest import in_parallel
from cafe.tests.factories import BranchFactory, UserFactory, owner_of

LAST_OWNER = {"detail": "A company needs an active owner: make someone else an owner first."}


def employee(client, method: str, user: User, body: dict | None = None):
    path = f"/api/users/employees/{user.pk}/"
    return getattr(client, method)(path, body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def active_owners(company) -> set[str]:
    return set(User.objects.filter(company=company, role=Role.OWNER, is_active=True).values_list("email", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "body"),
    [("patch", {"is_active": False}), ("patch", {"role": "admin"}), ("patch", {"role": "waiter"}), ("delete", None)],
    ids=["deactivate", "demote-to-admin", "demote-to-waiter", "delete"],
)
def test_the_only_owner_cannot_remove_themself(client_for, method, body):
    branch = BranchFactory()
    owner = owner_of(branch.company, email="boss@example.com")
    if body and body.get("role") == "waiter":
        body = {**body, "branch": str(branch.pk)}
    response = employee(client_for(owner), method, owner, body)
    assert (response.status_code, response.json()) == (409, LAST_OWNER)
    assert active_owners(branch.company) == {"boss@example.com"}
    assert client_for(owner).get("/api/users/me/").status_code == 200


@pytest.mark.django_db
def test_an_owner_can_step_down_while_another_remains(client_for):
    company = BranchFactory().company
    first = owner_of(company, email="first@example.com")
    second = owner_of(company, email="second@example.com")
    assert employee(client_for(first), "patch", first, {"role": "admin"}).status_code == 200
    # Now second is the last one, whoever asks.
    response = employee(client_for(second), "delete", second)
    assert (response.status_code, response.json()) == (409, LAST_OWNER)
    assert active_owners(company) == {"second@example.com"}


@pytest.mark.django_db
def test_an_inactive_owner_does_not_count(client_for):
    company = BranchFactory().company
    owner = owner_of(company, email="boss@example.com")
    owner_of(company, email="gone@example.com", is_active=False)
    response = employee(client_for(owner), "patch", owner, {"is_active": False})
    assert (response.status_code, response.json()) == (409, LAST_OWNER)


@pytest.mark.django_db
def test_the_admin_keeps_the_last_owner(client):
    company = BranchFactory().company
    owner = owner_of(company, email="boss@example.com", first_name="", last_name="")
    superuser = UserFactory(is_staff=True, is_superuser=True, company=None, branch=None, role="")
    client.force_login(superuser)
    form = {
        "email": owner.email,
        "first_name": "",
        "last_name": "",
        "company": str(company.pk),
        "branch": "",
        "role": "admin",
        "is_active": "on",
    }
    page = client.post(f"/admin/accounts/user/{owner.pk}/change/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 302
    assert [str(m) for m in get_messages(page.wsgi_request)] == [LAST_OWNER["detail"]]
    page = client.post(f"/admin/accounts/user/{owner.pk}/delete/", {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 302
    page = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [str(owner.pk)], "post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 302
    assert active_owners(company) == {"boss@example.com"}
    # With a second owner, the admin may demote or delete the first.
    owner_of(company, email="second@example.com")
    page = client.post(f"/admin/accounts/user/{owner.pk}/change/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 302
    assert active_owners(company) == {"second@example.com"}


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one(services, client_for):
    """On PostgreSQL: each request locks the company's owners before the user it
    changes, so the second sees the first's result (they used to both win)."""
    company = BranchFactory().company
    for round_ in range(10):
        User.objects.filter(company=company).delete()
        owners = [owner_of(company, email=f"o{round_}-{i}@example.com") for i in range(2)]
        clients = [client_for(owner) for owner in owners]
        answers = in_parallel(
            2, lambda i, clients=clients, owners=owners: employee(clients[i], "patch", owners[1 - i], {"role": "admin"})
        )
        # The loser is refused either by the last-owner rule (409: it read the winner's
        # result under the owners' lock) or, when its request began after the winner
        # committed, because it is no longer an owner at all (403).
        codes = sorted(answer.status_code for answer in answers)
        assert codes in ([200, 403], [200, 409]), round_
        assert len(active_owners(company)) == 1
