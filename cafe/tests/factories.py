import json
from decimal import Decimal

import factory

from accounts.models import Branch, Company, Role, User
from cafe.bill.models import Payment, Shift
from cafe.floor.models import Table, Zone
from cafe.menu.models import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.orders.models import Order, OrderStatus
from cafe.orders.services import order_create
from realtime.models import Event

PASSWORD = "correct-horse-battery-42"


class _Factory(factory.django.DjangoModelFactory):
    """Factories set up every tenant's rows: they write through ``unscoped``
    (``objects`` of a tenant-owned model refuses to read, see accounts.scoping)."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        if hasattr(model_class, "unscoped"):
            return model_class.unscoped
        return super()._get_manager(model_class)


class CompanyFactory(_Factory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")


class BranchFactory(_Factory):
    class Meta:
        model = Branch

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Branch {n}")


class UserFactory(_Factory):
    """A waiter by default; pass role=Role.OWNER/ADMIN with branch=None for company-wide staff."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    branch = factory.SubFactory(BranchFactory)
    company = factory.LazyAttribute(lambda user: user.branch.company if user.branch else CompanyFactory())
    role = Role.WAITER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(user, create, extracted, **kwargs):
        if create:
            user.save()


class TableFactory(_Factory):
    class Meta:
        model = Table

    branch = factory.SubFactory(BranchFactory)
    company = factory.LazyAttribute(lambda table: table.branch.company)
    number = factory.Sequence(lambda n: n + 1)
    seats = 4


class ZoneFactory(_Factory):
    class Meta:
        model = Zone

    branch = factory.SubFactory(BranchFactory)
    company = factory.LazyAttribute(lambda zone: zone.branch.company)
    name = factory.Sequence(lambda n: f"Hall {n + 1}")


class CategoryFactory(_Factory):
    class Meta:
        model = Category

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class MenuItemFactory(_Factory):
    class Meta:
        model = MenuItem

    category = factory.SubFactory(CategoryFactory)
    company = factory.LazyAttribute(lambda item: item.category.company)
    title = factory.Sequence(lambda n: f"Dish {n}")
    price = Decimal("350.00")


class StationFactory(_Factory):
    class Meta:
        model = Station

    branch = factory.SubFactory(BranchFactory)
    company = factory.LazyAttribute(lambda station: station.branch.company)
    name = factory.Sequence(lambda n: f"Station {n}")


class ModifierGroupFactory(_Factory):
    class Meta:
        model = ModifierGroup

    menu_item = factory.SubFactory(MenuItemFactory)
    company = factory.LazyAttribute(lambda group: group.menu_item.company)
    name = factory.Sequence(lambda n: f"Group {n}")


class ModifierFactory(_Factory):
    class Meta:
        model = Modifier

    group = factory.SubFactory(ModifierGroupFactory)
    company = factory.LazyAttribute(lambda modifier: modifier.group.company)
    name = factory.Sequence(lambda n: f"Modifier {n}")
    price = Decimal("0.00")


def station_dish(station: Station, **fields) -> MenuItem:
    """A branch item of the station's branch, prepared at the station."""
    return MenuItemFactory(category__company=station.company, branch=station.branch, station=station, **fields)


def map_to_station(item: MenuItem, station: Station, **fields) -> MenuItemBranch:
    """A company-wide item prepared at ``station`` in the station's branch."""
    return MenuItemBranch.objects.create(
        company=item.company, menu_item=item, branch=station.branch, station=station, **fields
    )


def owner_of(company: Company, **fields) -> User:
    """A company-wide owner (no profile branch) of the given company."""
    return UserFactory(role=Role.OWNER, branch=None, company=company, **fields)


def staff_of(branch: Branch, role: str = Role.WAITER, **fields) -> User:
    """A branch-bound staff member of the given branch."""
    return UserFactory(role=role, branch=branch, **fields)


def order_for(user: User, table: Table, items=(), guests: int = 2):
    """An open order created through the service, as the API would."""
    from accounts.tenancy import tenant_for

    lines = [{"menu_item": item.pk, "quantity": quantity} for item, quantity in items]
    return order_create(tenant=tenant_for(user), table=table.pk, guests=guests, items=lines)


def logged_messages(company: Company | None = None) -> list[dict]:
    """The event log's messages in seq order, decoded: the company's, or every company's."""
    events = Event.objects.filter(company=company) if company is not None else Event.objects.all()
    return [json.loads(message) for message in events.order_by("seq").values_list("message", flat=True)]


# Till (tests only): paid orders and shifts without the payments endpoint.


def open_shift(branch: Branch, user: User | None = None, opening_float: str = "0.00"):
    """An open cash shift of ``branch``, written directly."""

    return Shift.unscoped.create(
        company=branch.company, branch=branch, opened_by=user, opening_float=Decimal(opening_float)
    )


def paid(order, method: str = "cash", *, amount=None, tip="0.00", change="0.00", shift=None, user=None):
    """Records a payment on ``order`` as the payments service would, for tests only:
    a ``Payment`` row (``tendered`` = amount + tip + change) in ``shift`` (by default
    the branch's open shift), the order's paid/tips/change, and, once paid in full,
    the order closed. ``amount`` defaults to what is due. Returns the order, fresh."""
    from django.utils import timezone

    order = Order.unscoped.get(pk=order.pk)
    amount = order.total - order.paid if amount is None else Decimal(amount)
    tip, change = Decimal(tip), Decimal(change)
    if shift is None:
        shift = Shift.unscoped.filter(branch=order.branch_id, closed_at__isnull=True).first()
    Payment.unscoped.create(
        company_id=order.company_id,
        order=order,
        branch_id=order.branch_id,
        shift=shift,
        method=method,
        amount=amount,
        tip=tip,
        change=change,
        tendered=amount + tip + change,
        user=user or order.waiter,
    )
    order.paid += amount
    order.tips += tip
    order.change += change
    fields = ["paid", "tips", "change"]
    if order.paid == order.total:
        order.status, order.paid_at, order.closed_at = OrderStatus.CLOSED, timezone.now(), timezone.now()
        fields += ["status", "paid_at", "closed_at"]
    order.save(update_fields=fields)
    return Order.unscoped.get(pk=order.pk)
