"""Two clients creating or renaming to the same unique value at once: one wins,
the other gets 400 naming the field (never a 500 from the database's constraint)."""

import threading

import pytest
from django.db import connection

from cafe.floor.models import Table
from cafe.menu.models import Category
from cafe.tests.factories import BranchFactory, CategoryFactory, TableFactory, owner_of

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(client, requests) -> list:
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def run(index, method, path, body):
        try:
            barrier.wait(timeout=5)
            answers[index] = getattr(client, method)(path, body, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def one_wins(answers, ok: int, field: str) -> None:
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [ok, 400], [answer.content for answer in answers]
    loser = next(answer for answer in answers if answer.status_code == 400)
    assert list(loser.json()) == [field]


@pytest.fixture
def owner(services):
    return owner_of(BranchFactory().company)


def test_two_tables_with_one_number(client_for, owner):
    branch = str(owner.company.branches.get().pk)
    body = {"number": 7, "branch": branch}
    one_wins(at_once(client_for(owner), [("post", "/api/cafe/tables/", body)] * 2), 201, "number")
    assert Table.unscoped.filter(number=7).count() == 1


@pytest.mark.parametrize("method", ["put", "patch"])
def test_two_tables_renumbered_to_one_number(client_for, owner, method):
    branch = owner.company.branches.get()
    tables = [TableFactory(branch=branch, number=n) for n in (1, 2)]
    body = {"number": 9, "seats": 4}
    requests = [(method, f"/api/cafe/tables/{table.pk}/", body) for table in tables]
    one_wins(at_once(client_for(owner), requests), 200, "number")


def test_two_categories_with_one_name(client_for, owner):
    requests = [("post", "/api/cafe/categories/", {"name": "Супы"})] * 2
    one_wins(at_once(client_for(owner), requests), 201, "name")
    assert Category.unscoped.filter(name="Супы").count() == 1


@pytest.mark.parametrize("method", ["put", "patch"])
def test_two_categories_renamed_to_one_name(client_for, owner, method):
    categories = [CategoryFactory(company=owner.company) for _ in range(2)]
    requests = [(method, f"/api/cafe/categories/{category.pk}/", {"name": "Супы"}) for category in categories]
    one_wins(at_once(client_for(owner), requests), 200, "name")
