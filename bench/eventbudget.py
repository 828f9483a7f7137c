"""What one request writes to the event log, in process (issue 18): an owner renames
one modifier of a company-wide item with M modifiers served in B branches; a waiter
changes the note of a line of Q portions. Prints the events, their bytes and the
process's RSS before and after (peak from ``ru_maxrss``), on the database in
DATABASE_URL (migrated first). Limits are lifted to the script's sizes unless
``--limits`` is given, so the same script measures before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafe_evbound .venv/bin/python bench/eventbudget.py 400 600 500
"""

import os
import resource
import sys
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.db.models.functions import Length  # noqa: E402

from accounts.models import Branch, Company, Role, User  # noqa: E402
from accounts.tenancy import tenant_for  # noqa: E402
from cafe.floor.models import Table  # noqa: E402
from cafe.menu.models import Category, MenuItem, Modifier, ModifierGroup, Station  # noqa: E402
from cafe.menu.services import modifier_update  # noqa: E402
from cafe.orders.services import order_create, order_line_update  # noqa: E402
from core.errors import Conflict  # noqa: E402
from realtime.models import Event  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(label: str, company: Company, change) -> None:
    before_seq = Event.objects.filter(company=company).count()
    rss = rss_mb()
    try:
        change()
        answer = "written"
    except Conflict as refusal:
        answer = f"409 {refusal.detail}"
    events = Event.objects.filter(company=company)
    written = events.count() - before_seq
    size = events.aggregate(total=Sum(Length("message")))["total"] or 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label}: {answer[:160]}")
    print(f"  events {written}, {size / 1e6:.1f} MB; RSS {rss:.0f} -> {rss_mb():.0f} MB, peak {peak:.0f} MB")
    Event.objects.filter(company=company).delete()


def main(branches: int, modifiers: int, portions: int, keep_limits: bool) -> None:
    call_command("migrate", verbosity=0)
    if not keep_limits:
        for name, value in (
            ("COMPANY_MAX_BRANCHES", branches),
            ("MENU_ITEM_MAX_MODIFIERS", modifiers),
            ("ORDER_LINE_MAX_QUANTITY", portions),
            ("EVENTS_MAX_PER_REQUEST", 10**9),
            ("EVENTS_MAX_BYTES_PER_REQUEST", 10**12),
        ):
            setattr(settings, name, value)
        settings.ORDER_MAX_PORTIONS = max(settings.ORDER_MAX_PORTIONS, portions)
    company = Company.objects.create(name=f"eventbudget {uuid.uuid4()}")
    Branch.unscoped.bulk_create([Branch(company=company, name=f"Branch {n}") for n in range(branches)])
    branch = Branch.unscoped.filter(company=company).order_by("pk").first()
    owner = User.objects.create_user(f"{uuid.uuid4()}@bench.test", "x", company=company, role=Role.OWNER)
    waiter = User.objects.create_user(
        f"{uuid.uuid4()}@bench.test", "x", company=company, branch=branch, role=Role.WAITER
    )
    category = Category.unscoped.create(company=company, name="Mains")
    item = MenuItem.unscoped.create(company=company, category=category, title="Pizza", price=Decimal("500.00"))
    groups = ModifierGroup.unscoped.bulk_create(
        [
            ModifierGroup(company=company, menu_item=item, name=f"Group {g}", max_choices=50, position=g)
            for g in range(max(modifiers // 50, 1))
        ]
    )
    Modifier.unscoped.bulk_create(
        [
            Modifier(company=company, group=groups[n % len(groups)], name=f"Extra topping number {n:04}", price=n)
            for n in range(modifiers)
        ]
    )
    first = Modifier.unscoped.filter(group__menu_item=item).order_by("name").first()
    measure(
        f"rename 1 of {modifiers} modifiers of a company-wide item in {branches} branches",
        company,
        lambda: modifier_update(tenant=tenant_for(owner), modifier_id=first.pk, name="Renamed"),
    )
    station = Station.unscoped.create(company=company, branch=branch, name="Hot")
    soup = MenuItem.unscoped.create(
        company=company, category=category, branch=branch, station=station, title="Soup", price=Decimal("5.00")
    )
    table = Table.unscoped.create(company=company, branch=branch, number=1)
    waiter_tenant = tenant_for(waiter)
    # The line as one written before the caps: a note edit is what is measured.
    limits = settings.ORDER_LINE_MAX_QUANTITY, settings.ORDER_MAX_PORTIONS
    settings.ORDER_LINE_MAX_QUANTITY = settings.ORDER_MAX_PORTIONS = portions
    order = order_create(
        tenant=waiter_tenant, table=table.pk, guests=1, items=[{"menu_item": soup.pk, "quantity": portions}]
    )
    settings.ORDER_LINE_MAX_QUANTITY, settings.ORDER_MAX_PORTIONS = limits
    Event.objects.filter(company=company).delete()
    line = order.items.get()
    measure(
        f"note edit on a line of {portions} portions",
        company,
        lambda: order_line_update(tenant=waiter_tenant, order_id=order.pk, line_id=line.pk, note="no onions"),
    )


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    main(*(int(arg) for arg in args), keep_limits="--limits" in sys.argv)
