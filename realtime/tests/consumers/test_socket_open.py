"""What a joining socket costs the database: in a reconnect storm thousands of
sockets join at once, so authorising one and reading where it starts in the log
take one query, and a second only when it has events to catch up on."""

import pytest

from accounts.tenancy import tenant_for
from cafe.floor.services import table_create
from cafe.tests.factories import BranchFactory, staff_of
from realtime import access
from realtime.models import Event
from realtime.tests.consumers.conftest import access_token, company_wide

pytestmark = pytest.mark.django_db


def open_socket(token, since=None, branch=None):
    return access.socket_open(token=token, requested_branch=branch, stream="tables", since=since, limit=100)


@pytest.fixture
def branch():
    branch = BranchFactory()
    for number in (1, 2):
        table_create(tenant=tenant_for(company_wide(branch.company)), number=number, seats=4, branch=branch.pk)
    return branch


def test_an_owner_on_a_chosen_branch_catching_up_costs_two_queries(branch, django_assert_num_queries):
    token = access_token(company_wide(branch.company))
    with django_assert_num_queries(2):
        access, (latest, covered, page) = open_socket(token, since=1, branch=str(branch.pk))
    assert (access.company_id, access.branch_id) == (str(branch.company_id), str(branch.pk))
    assert (latest, covered, [seq for seq, _ in page]) == (2, True, [2])


@pytest.mark.parametrize("since", [None, 2])
def test_a_join_with_nothing_to_catch_up_costs_one_query(branch, since, django_assert_num_queries):
    token = access_token(staff_of(branch))
    with django_assert_num_queries(1):
        access, start = open_socket(token, since=since)
    assert (access.branch_id, start) == (str(branch.pk), (2, True, []))


def test_a_since_the_log_no_longer_reaches_asks_for_a_resync(branch, django_assert_num_queries):
    Event.objects.filter(company=branch.company, seq=1).delete()
    token = access_token(staff_of(branch))
    with django_assert_num_queries(1):
        _, start = open_socket(token, since=0)
    assert start == (2, False, [])


def test_a_branch_of_another_company_is_refused_in_the_same_query(branch, django_assert_num_queries):
    token = access_token(company_wide(BranchFactory().company))
    with django_assert_num_queries(1), pytest.raises(access.SocketRefused) as refused:
        open_socket(token, since=0, branch=str(branch.pk))
    assert refused.value.code == 4005
