import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Branch, Company, Role, User
from accounts.tenancy import tenant_for
from cafe.bill.selectors import cash_flow
from cafe.bill.services import order_discount_set, order_pay
from cafe.bill.till import order_refund, shift_cash_move, shift_close, shift_open
from cafe.bookings.models import Booking, BookingSource, BookingStatus, BookingTable
from cafe.floor.models import OpeningException, OpeningHours, Table, TableShape, TableStatus, Zone
from cafe.guests.models import Guest
from cafe.menu.events import menu_item_updated
from cafe.menu.models import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.menu.selectors import menu_item_views
from cafe.orders.kitchen import task_act
from cafe.orders.models import Order, OrderStatus
from cafe.orders.services import order_create
from cafe.purchasing.models import StockDocument, Supplier
from cafe.purchasing.services import document_create, document_post
from cafe.store.models import Ingredient, MovementKind, StockLevel
from cafe.store.posting import Move, stock_post
from cafe.store.services import ingredient_threshold_set, recipe_create
from realtime.emit import emit

PASSWORD = "cafe-demo-2026"
DEMO_PIN = "1234"
MENU = {
    "Напитки": [("Капучино", "250.00"), ("Американо", "180.00"), ("Чай", "150.00")],
    "Кухня": [("Сырники", "350.00"), ("Борщ", "420.00"), ("Паста карбонара", "560.00")],
}
# Each category's station in every branch (tea is poured by the waiter).
STATIONS = {"Напитки": "Бар", "Кухня": "Горячий цех"}
SERVED_BY_WAITER = {"Чай"}
# The Center's halls: (name, position, width, height) and their tables:
# (number, seats, x, y, width, height, shape, rotation).
HALLS = [
    (
        ("Зал", 0, 1200, 800),
        [
            (1, 4, 100, 100, 160, 100, TableShape.RECT, 0),
            (2, 2, 400, 100, 100, 100, TableShape.ROUND, 0),
            (3, 6, 700, 80, 240, 100, TableShape.RECT, 0),
            (4, 4, 150, 450, 160, 100, TableShape.RECT, 90),
            (5, 2, 500, 500, 120, 120, TableShape.ROUND, 0),
        ],
    ),
    (
        ("Веранда", 1, 800, 500),
        [
            (6, 2, 80, 80, 100, 100, TableShape.ROUND, 0),
            (7, 6, 400, 200, 240, 100, TableShape.RECT, 45),
            (8, 4, 600, 60, 120, 80, TableShape.RECT, 0),
        ],
    ),
]
# The Center's week: 09:00 to 23:00, to 01:00 on Friday and Saturday nights.
HOURS = [(day, "09:00", "01:00" if day in (4, 5) else "23:00") for day in range(7)]
# Returning guests: (name, phone, note, tags).
GUESTS = [
    ("Мария Петрова", "+79161234567", "любит столик возле окна", ["постоянный гость"]),
    ("Алексей Смирнов", "+79031112233", "", ["опаздывает"]),
]
# (item, group, required, max choices, [(modifier, price)])
MODIFIERS = [
    ("Капучино", "Молоко", True, 1, [("Обычное", "0.00"), ("Овсяное", "40.00"), ("Соевое", "40.00")]),
    ("Капучино", "Сироп", False, 3, [("Ваниль", "30.00"), ("Карамель", "30.00"), ("Лесной орех", "30.00")]),
    ("Паста карбонара", "Подача", False, 1, [("Без бекона", "0.00"), ("Двойной пармезан", "60.00")]),
]

# The storeroom (docs/inventory.md): ingredients (name, base unit, kind), recipes of
# the menu (tea stays on the counted stop-list), the opening stock of both branches
# and the Center's low-stock thresholds. Сырники run out during the demo day: the
# Center has cottage cheese for five portions, and five are sold.
INGREDIENTS = [
    ("Кофе в зёрнах", "kg", {}),
    ("Молоко", "l", {}),
    ("Овсяное молоко", "l", {}),
    ("Соевое молоко", "l", {}),
    ("Творог", "kg", {}),
    ("Мука", "kg", {}),
    ("Яйцо", "pcs", {}),
    ("Сметана", "kg", {}),
    ("Говядина", "kg", {}),
    ("Свёкла", "kg", {}),
    ("Капуста", "kg", {}),
    ("Спагетти", "kg", {}),
    ("Бекон", "kg", {}),
    ("Пармезан", "kg", {}),
    ("Бульон", "l", {"kind": "semi_finished", "made_to_order": True}),
]
# (what it makes, output, [(ingredient, quantity, unit, loss percent)]).
RECIPES = [
    ("Бульон", "1", [("Говядина", "300", "g", "0")]),
    ("Капучино", "1", [("Кофе в зёрнах", "18", "g", "0"), ("Молоко", "150", "ml", "0")]),
    ("Американо", "1", [("Кофе в зёрнах", "18", "g", "0")]),
    ("Сырники", "1", [("Творог", "150", "g", "0"), ("Мука", "30", "g", "0"), ("Яйцо", "1", "pcs", "0")]),
    (
        "Борщ",
        "1",
        [
            ("Бульон", "300", "ml", "0"),
            ("Свёкла", "80", "g", "20"),
            ("Капуста", "60", "g", "10"),
            ("Сметана", "20", "g", "0"),
        ],
    ),
    (
        "Паста карбонара",
        "1",
        [
            ("Спагетти", "100", "g", "0"),
            ("Бекон", "60", "g", "0"),
            ("Яйцо", "1", "pcs", "0"),
            ("Пармезан", "20", "g", "0"),
        ],
    ),
]
# (dish, modifier, action, ingredient, replacement, quantity, unit).
EFFECTS = [
    ("Капучино", "Овсяное", "replace", "Молоко", "Овсяное молоко", None, ""),
    ("Капучино", "Соевое", "replace", "Молоко", "Соевое молоко", None, ""),
    ("Паста карбонара", "Без бекона", "remove", "Бекон", None, None, ""),
    ("Паста карбонара", "Двойной пармезан", "add", "Пармезан", None, "20", "g"),
]
# The opening stock of each branch (base units) at a cost per base unit, and the Center's thresholds.
OPENING_STOCK = {
    "Кофе в зёрнах": ("5", "1800.00"),
    "Молоко": ("20", "90.00"),
    "Овсяное молоко": ("5", "250.00"),
    "Соевое молоко": ("5", "220.00"),
    "Творог": ("0.75", "420.00"),
    "Мука": ("10", "60.00"),
    "Яйцо": ("120", "12.00"),
    "Сметана": ("3", "300.00"),
    "Говядина": ("8", "750.00"),
    "Свёкла": ("10", "45.00"),
    "Капуста": ("10", "35.00"),
    "Спагетти": ("5", "180.00"),
    "Бекон": ("3", "900.00"),
    "Пармезан": ("2", "2400.00"),
}
THRESHOLDS = {"Творог": "0.3", "Молоко": "3", "Кофе в зёрнах": "0.5"}


class Command(BaseCommand):
    help = "Loads demo data (safe to run again): a company, two branches, staff, tables and a menu."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        company, _ = Company.objects.get_or_create(name="Demo Cafe")
        center, _ = Branch.unscoped.get_or_create(
            company=company,
            name="Center",
            defaults={"address": "1 Main St", "timezone": "Europe/Moscow", "service_charge_percent": Decimal(5)},
        )
        river, _ = Branch.unscoped.get_or_create(
            company=company, name="Riverside", defaults={"address": "2 River Rd", "timezone": "Asia/Yekaterinburg"}
        )
        staff = [
            ("owner@demo.cafe", Role.OWNER, None, "Olga"),
            ("admin@demo.cafe", Role.ADMIN, None, "Pavel"),
            ("manager@demo.cafe", Role.MANAGER, center, "Maria"),
            ("cashier@demo.cafe", Role.CASHIER, center, "Kira"),
            ("waiter@demo.cafe", Role.WAITER, center, "Anna"),
            ("waiter2@demo.cafe", Role.WAITER, river, "Boris"),
            ("cook@demo.cafe", Role.COOK, center, "Ivan"),
        ]
        for email, role, branch, name in staff:
            user, created = User.objects.get_or_create(
                email=email, defaults={"company": company, "role": role, "branch": branch, "first_name": name}
            )
            if created:
                user.set_password(PASSWORD)
                if branch is not None:
                    user.pin = make_password(DEMO_PIN)  # PIN switching on a registered tablet (docs/devices.md)
                user.save()
        for branch in (center, river):
            for number in range(1, 6):
                Table.unscoped.get_or_create(
                    branch=branch, number=number, defaults={"company": company, "seats": 2 + number % 3 * 2}
                )
        stations = {
            (branch.pk, name): Station.unscoped.get_or_create(
                company=company, branch=branch, name=name, defaults={"position": position}
            )[0]
            for branch in (center, river)
            for position, name in enumerate(STATIONS.values())
        }
        items = {}
        for position, (name, dishes) in enumerate(MENU.items()):
            category, _ = Category.unscoped.get_or_create(company=company, name=name, defaults={"position": position})
            for title, price in dishes:
                items[title], _ = MenuItem.unscoped.get_or_create(
                    company=company, title=title, defaults={"category": category, "price": Decimal(price)}
                )
                for branch in (center, river):
                    station = None if title in SERVED_BY_WAITER else stations[branch.pk, STATIONS[name]]
                    MenuItemBranch.unscoped.get_or_create(
                        company=company, menu_item=items[title], branch=branch, defaults={"station": station}
                    )
        for title, group_name, required, max_choices, choices in MODIFIERS:
            group, _ = ModifierGroup.unscoped.get_or_create(
                company=company,
                menu_item=items[title],
                name=group_name,
                defaults={"required": required, "max_choices": max_choices},
            )
            for position, (modifier, price) in enumerate(choices):
                Modifier.unscoped.get_or_create(
                    company=company,
                    group=group,
                    name=modifier,
                    defaults={"price": Decimal(price), "position": position},
                )
        self._the_floor(center, river)
        if not Ingredient.unscoped.filter(company=company).exists():
            self._storeroom(center, river, items)
        if not Order.unscoped.filter(company=company).exists():
            self._day_at_the_till(center, items)
            self._kitchen_in_progress(center, items)
        if not Booking.unscoped.filter(company=company).exists():
            self._tonights_book(center)
        if not StockDocument.unscoped.filter(company=company).exists():
            self._storeroom_documents(center)
        self.stdout.write(f"Demo data ready. Logins (password {PASSWORD}; PIN {DEMO_PIN} for branch staff):")
        for email, role, branch, _name in staff:
            self.stdout.write(f"  {email:<20} {role:<7} {branch.name if branch else 'all branches'}")

    def _storeroom_documents(self, center: Branch) -> None:
        """The Center's storeroom (docs/inventory.md, "Demo data"): this morning's
        delivery from the dairy, a write-off of spoiled milk, and tonight's count that
        found less parmesan than the ledger holds (none of it touches the cottage
        cheese, so the сырники still run out)."""
        owner = tenant_for(User.objects.get(email="owner@demo.cafe"))
        company = owner.company
        supplier, _ = Supplier.unscoped.get_or_create(
            company=company, name="Молочная ферма", defaults={"phone": "+74951234567"}
        )
        stock = {
            name: Ingredient.unscoped.get_or_create(company=company, name=name, defaults={"unit": unit})[0]
            for name, unit in (("Молоко", "l"), ("Сметана", "kg"), ("Пармезан", "kg"))
        }
        today = timezone.localdate(timezone=ZoneInfo(center.timezone))

        def post(kind: str, lines: list[tuple[str, str, str | None]], **fields) -> None:
            document = document_create(
                tenant=owner,
                kind=kind,
                branch=center.pk,
                date=today,
                lines=[
                    {
                        "ingredient": stock[name].pk,
                        "unit": stock[name].unit,
                        "quantity": Decimal(quantity),
                        **({"price": Decimal(price)} if price is not None else {}),
                    }
                    for name, quantity, price in lines
                ],
                **fields,
            )
            document_post(tenant=owner, kind=kind, document_id=document.pk)

        post(
            "purchase",
            [("Молоко", "10", "90.00"), ("Сметана", "2", "300.00"), ("Пармезан", "1", "1800.00")],
            supplier=supplier.pk,
            invoice="МФ-0412",
        )
        post("write_off", [("Молоко", "0.5", None)], reason="spoiled", note="скисло в холодильнике")
        levels = {level.ingredient_id: level.on_hand for level in owner.scope(StockLevel).filter(branch=center)}
        # Counted: the ledger's figures, but 50 g of parmesan short.
        post(
            "count",
            [
                ("Пармезан", str(levels[stock["Пармезан"].pk] - Decimal("0.05")), None),
                ("Сметана", str(levels[stock["Сметана"].pk]), None),
            ],
        )

    def _the_floor(self, center: Branch, river: Branch) -> None:
        """The Center's two halls with their tables drawn, Riverside's one hall, and the
        Center's opening hours with New Year's Day off."""
        company = center.company
        for (name, position, width, height), tables in HALLS:
            zone, _ = Zone.unscoped.get_or_create(
                company=company,
                branch=center,
                name=name,
                defaults={"position": position, "width": width, "height": height},
            )
            for number, seats, x, y, table_width, table_height, shape, rotation in tables:
                plan = {"x": x, "y": y, "width": table_width, "height": table_height, "shape": shape}
                table, _ = Table.unscoped.get_or_create(
                    branch=center, number=number, defaults={"company": company, "seats": seats}
                )
                if table.zone_id is None:
                    for field, value in {**plan, "zone": zone, "rotation": rotation}.items():
                        setattr(table, field, value)
                    table.save()
        hall, _ = Zone.unscoped.get_or_create(company=company, branch=river, name="Зал")
        for table in Table.unscoped.filter(branch=river, zone=None).order_by("number"):
            table.zone, table.x, table.y = hall, 100 + (table.number - 1) * 160, 100
            table.save()
        for weekday, opens, closes in HOURS:
            OpeningHours.unscoped.get_or_create(
                company=company,
                branch=center,
                weekday=weekday,
                opens=datetime.time.fromisoformat(opens),
                defaults={"closes": datetime.time.fromisoformat(closes)},
            )
        new_year = datetime.date(timezone.localdate().year + 1, 1, 1)
        OpeningException.unscoped.get_or_create(
            company=company, branch=center, date=new_year, defaults={"note": "Новый год"}
        )

    def _tonights_book(self, center: Branch) -> None:
        """Returning guests (their closed orders and past bookings linked to them) and
        tonight's book: Maria's booking about to start (its table already shows
        reserved: inside the lead time) and Alexey's, late and not yet arrived (inside
        the grace period). Written through the models, as the bookings service would:
        each booking's tables hold it from its start to its end plus the buffer."""
        company = center.company
        host = User.objects.get(email="manager@demo.cafe")
        maria, alexey = (
            Guest.unscoped.get_or_create(
                company=company, phone=phone, defaults={"name": name, "note": note, "tags": tags}
            )[0]
            for name, phone, note, tags in GUESTS
        )
        closed = Order.unscoped.filter(branch=center, status=OrderStatus.CLOSED, table__isnull=False)
        regular = closed.filter(table__number=4).first()
        closed.filter(table__number__in=(3, 4)).update(guest=maria)
        tables = {table.number: table for table in Table.unscoped.filter(branch=center)}
        now = timezone.now().replace(second=0, microsecond=0)
        hour = datetime.timedelta(hours=1)

        def book(guest, numbers, starts_at, status, **fields) -> Booking:
            booking = Booking.unscoped.create(
                company=company,
                branch=center,
                guest=guest,
                guest_name=guest.name,
                guest_phone=guest.phone,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=center.booking_duration),
                status=status,
                created_by=host,
                **fields,
            )
            holding = status in (BookingStatus.BOOKED, BookingStatus.CONFIRMED, BookingStatus.ARRIVED)
            for number in numbers:
                BookingTable.objects.create(
                    booking=booking,
                    table=tables[number],
                    starts_at=booking.starts_at,
                    blocks_until=booking.ends_at + datetime.timedelta(minutes=center.booking_buffer),
                    holding=holding,
                )
            return booking

        # Their history: Maria came this morning (the order at table 4), Alexey did not
        # come a week ago.
        book(
            maria,
            [4],
            now - 3 * hour,
            BookingStatus.ARRIVED,
            guests=3,
            order=regular,
            arrived_at=now - 3 * hour,
            source=BookingSource.PHONE,
        )
        book(alexey, [8], now - 7 * 24 * hour, BookingStatus.NO_SHOW, guests=4, source=BookingSource.ONLINE)
        # Tonight.
        soon = book(
            maria,
            [6],
            now + datetime.timedelta(minutes=30),
            BookingStatus.CONFIRMED,
            guests=2,
            note="годовщина, столик возле окна",
        )
        late = book(
            alexey, [7, 8], now - datetime.timedelta(minutes=10), BookingStatus.BOOKED, guests=8, note="день рождения"
        )
        for booking, numbers in ((soon, [6]), (late, [7, 8])):
            Table.unscoped.filter(branch=center, number__in=numbers, status=TableStatus.FREE).update(
                status=TableStatus.RESERVED, reserved_for=booking.pk
            )

    def _storeroom(self, center: Branch, river: Branch, items: dict[str, MenuItem]) -> None:
        """Ingredients, the menu's recipes (with what the milk and pasta modifiers do),
        each branch's opening stock (posted as it was received; deliveries, write-offs
        and counts are the purchasing module's) and the Center's thresholds."""
        company = center.company
        owner = tenant_for(User.objects.get(email="owner@demo.cafe"))
        stock = {
            name: Ingredient.objects.create(company=company, name=name, unit=unit, **fields)
            for name, unit, fields in INGREDIENTS
        }
        effects: dict[str, list[dict]] = {title: [] for title in items}
        for title, modifier, action, ingredient, replacement, quantity, unit in EFFECTS:
            effects[title].append(
                {
                    "modifier": Modifier.unscoped.get(group__menu_item=items[title], name=modifier).pk,
                    "action": action,
                    "ingredient": stock[ingredient].pk,
                    "replacement": stock[replacement].pk if replacement else None,
                    "quantity": Decimal(quantity) if quantity else None,
                    "unit": unit,
                }
            )
        for made, output, lines in RECIPES:
            recipe_create(
                tenant=owner,
                menu_item=items[made].pk if made in items else None,
                semi_finished=stock[made].pk if made not in items else None,
                output=Decimal(output),
                lines=[
                    {"ingredient": stock[name].pk, "quantity": Decimal(q), "unit": unit, "loss_percent": Decimal(loss)}
                    for name, q, unit, loss in lines
                ],
                modifier_effects=effects.get(made, []),
            )
        for branch in (center, river):
            posted = stock_post(
                tenant=owner,
                branch_id=branch.pk,
                moves=[
                    Move(
                        stock[name].pk,
                        MovementKind.PURCHASE,
                        Decimal(q),
                        unit_cost=Decimal(cost),
                        note="Остаток на начало",
                    )
                    for name, (q, cost) in OPENING_STOCK.items()
                ],
            )
            emit(
                company_id=company.pk,
                events=menu_item_updated(menu_item_views(tenant=owner, item_ids=posted.items, branch_id=branch.pk)),
            )
        for name, threshold in THRESHOLDS.items():
            ingredient_threshold_set(
                tenant=owner, ingredient_id=stock[name].pk, branch=center.pk, low_threshold=Decimal(threshold)
            )

    def _day_at_the_till(self, branch: Branch, items: dict[str, MenuItem]) -> None:
        """A day at the Center, so the X/Z and daily reports show something: a shift
        opened, paid orders (cash with a tip and change, card, card and cash, a
        discount, the 5% service charge, a takeaway), a refund, cash taken to the
        bank, the shift closed ten short, and the next shift opened."""
        waiter, cashier, manager, cook = (
            tenant_for(User.objects.get(email=f"{name}@demo.cafe")) for name in ("waiter", "cashier", "manager", "cook")
        )
        shift = shift_open(tenant=cashier, opening_float=Decimal("5000.00"))
        tables = list(Table.unscoped.filter(branch=branch).order_by("number"))

        def served(order: Order) -> Order:
            tasks = [task.pk for task in order.kitchen_tasks.all()]
            for tenant, action in ((cook, "claim"), (cook, "ready"), (waiter, "served")):
                if tasks:
                    task_act(tenant=tenant, task_ids=tasks, action=action)
            return order

        def order(table: Table | None, lines: list[tuple[str, int]], **fields) -> Order:
            return served(
                order_create(
                    tenant=waiter,
                    table=table.pk if table else None,
                    items=[{"menu_item": items[title].pk, "quantity": quantity} for title, quantity in lines],
                    **fields,
                )
            )

        def pay(order: Order, *tenders: tuple[str, str], tip: str = "0.00") -> None:
            order_pay(
                tenant=cashier,
                order_id=order.pk,
                tenders=[{"method": method, "amount": Decimal(amount)} for method, amount in tenders],
                tip=Decimal(tip),
            )

        # 1200.00 + 5% = 1260.00, in cash with a 100.00 tip: 140.00 change.
        pay(order(tables[2], [("Борщ", 2), ("Американо", 2)], guests=2), ("cash", "1500.00"), tip="100.00")
        # 1260.00 − 10% = 1134.00 + 5% = 1190.70, by card with a 50.00 tip; later one portion comes back.
        # A returning guest (the guest book): her phone links this order and tonight's (below).
        regular = order(
            tables[3],
            [("Паста карбонара", 1), ("Сырники", 2)],
            guests=3,
            customer_name="Мария",
            customer_phone="+79161234567",
        )
        order_discount_set(
            tenant=waiter, order_id=regular.pk, kind="percent", value=Decimal(10), reason="постоянный гость"
        )
        pay(regular, ("card", "1240.70"), tip="50.00")
        # 650.00 + 5% = 682.50: 400.00 by card, the rest in cash (17.50 change).
        pay(order(tables[4], [("Чай", 2), ("Сырники", 1)], guests=1), ("card", "400.00"), ("cash", "300.00"))
        # Three coffees to go, paid at the counter.
        takeaway = order(None, [("Американо", 3)], service="takeaway", customer_name="Иван")
        pay(takeaway, ("cash", "540.00"))
        cheesecakes = regular.items.get(menu_item=items["Сырники"])
        order_refund(
            tenant=manager,
            order_id=regular.pk,
            method="card",
            reason="остыли",
            lines=[{"line": cheesecakes.pk, "quantity": 1}],
        )
        shift_cash_move(tenant=cashier, shift_id=shift.pk, kind="out", amount=Decimal("1000.00"), reason="инкассация")
        expected = cash_flow(tenant=cashier, shift=shift).expected
        shift_close(tenant=cashier, shift_id=shift.pk, counted_cash=expected - Decimal("10.00"))
        shift_open(tenant=cashier, opening_float=Decimal("5000.00"))

    def _kitchen_in_progress(self, branch: Branch, items: dict[str, MenuItem]) -> None:
        """Two open orders at the Center (one portion cooking, one ready, a course held) and a takeaway order."""
        waiter = tenant_for(User.objects.get(email="waiter@demo.cafe"))
        cook = tenant_for(User.objects.get(email="cook@demo.cafe"))
        milk = Modifier.unscoped.get(group__menu_item=items["Капучино"], name="Овсяное")
        tables = Table.unscoped.filter(branch=branch).order_by("number")
        first = order_create(
            tenant=waiter,
            table=tables[0].pk,
            guests=2,
            customer_phone="+79161234567",  # Мария, back again
            items=[
                {"menu_item": items["Борщ"].pk, "quantity": 2, "note": "без сметаны"},
                {"menu_item": items["Капучино"].pk, "quantity": 1, "modifiers": [milk.pk]},
                {"menu_item": items["Сырники"].pk, "quantity": 2, "course": 2},
            ],
        )
        order_create(
            tenant=waiter,
            table=tables[1].pk,
            guests=1,
            items=[{"menu_item": items["Паста карбонара"].pk, "quantity": 1}],
        )
        # A coffee to go: no table, today's first pickup number.
        order_create(
            tenant=waiter,
            service="takeaway",
            customer_name="Анна",
            customer_phone="+79035551234",
            items=[{"menu_item": items["Капучино"].pk, "quantity": 2, "modifiers": [milk.pk]}],
        )
        soup = list(first.kitchen_tasks.filter(line__menu_item=items["Борщ"]).order_by("portion"))
        task_act(tenant=cook, task_ids=[task.pk for task in soup], action="claim")
        task_act(tenant=cook, task_ids=[soup[0].pk], action="ready")
