"""The guest book's services: a guest found or added on the fly from a phone, and two
orders racing for one new phone on PostgreSQL."""

import pytest

from accounts.tenancy import tenant_for
from cafe.guests.models import Guest
from cafe.guests.phones import InvalidPhone
from cafe.guests.services import guest_for_contact
from cafe.orders.models import Order, Service
from cafe.orders.services import order_create
from cafe.tests.factories import BranchFactory, staff_of

ANNA = "+79161234567"


@pytest.mark.django_db
def test_a_phone_finds_the_companys_guest_or_adds_one(waiter):
    tenant = tenant_for(waiter)
    Guest.objects.create(company=BranchFactory().company, name="Elsewhere", phone=ANNA)
    assert guest_for_contact(tenant=tenant, name="Anna") is None  # no phone, no guest
    added = guest_for_contact(tenant=tenant, name=" Anna ", phone="8 916 123-45-67")
    assert added is not None
    assert (added.company_id, added.name, added.phone) == (waiter.company_id, "Anna", ANNA)
    found = guest_for_contact(tenant=tenant, name="Anne", phone="+7 916 123 45 67")
    assert found is not None
    assert (found.pk, found.name) == (added.pk, "Anna")  # a known guest keeps their name
    with pytest.raises(InvalidPhone):
        guest_for_contact(tenant=tenant, phone="call me")
    assert Guest.unscoped.filter(company=waiter.company).count() == 1


@pytest.mark.django_db
def test_a_full_book_links_no_new_guest(waiter, settings):
    settings.GUESTS_MAX_PER_COMPANY = 1
    tenant = tenant_for(waiter)
    known = Guest.objects.create(company=waiter.company, name="Boris", phone="+79167654321")
    assert guest_for_contact(tenant=tenant, phone=ANNA) is None
    assert guest_for_contact(tenant=tenant, phone="+79167654321") == known  # known guests are still found


@pytest.mark.django_db(transaction=True)
def test_orders_racing_for_one_new_phone_share_one_guest(services, english_threads, run_in_threads):
    branch = BranchFactory()
    cashiers = [staff_of(branch) for _ in range(6)]

    def take(i: int) -> Order:
        return order_create(
            tenant=tenant_for(cashiers[i]), service=Service.TAKEAWAY, customer_name=f"Anna {i}", customer_phone=ANNA
        )

    results = run_in_threads(6, take)
    assert all(isinstance(order, Order) for order in results), results
    guest = Guest.unscoped.get(company=branch.company)
    assert guest.phone == ANNA
    assert set(Order.unscoped.filter(branch=branch).values_list("guest", flat=True)) == {guest.pk}
