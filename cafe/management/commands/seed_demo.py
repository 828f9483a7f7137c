from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Branch, Company, Role, User
from cafe.models import Category, MenuItem, Table

PASSWORD = "cafe-demo-2026"
MENU = {
    "Напитки": [("Капучино", "250.00"), ("Американо", "180.00"), ("Чай", "150.00")],
    "Кухня": [("Сырники", "350.00"), ("Борщ", "420.00"), ("Паста карбонара", "560.00")],
}


class Command(BaseCommand):
    help = "Loads demo data (safe to run again): a company, two branches, staff, tables and a menu."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        company, _ = Company.objects.get_or_create(name="Demo Cafe")
        center, _ = Branch.unscoped.get_or_create(company=company, name="Center", defaults={"address": "1 Main St"})
        river, _ = Branch.unscoped.get_or_create(company=company, name="Riverside", defaults={"address": "2 River Rd"})
        staff = [
            ("owner@demo.cafe", Role.OWNER, None),
            ("admin@demo.cafe", Role.ADMIN, None),
            ("waiter@demo.cafe", Role.WAITER, center),
            ("waiter2@demo.cafe", Role.WAITER, river),
            ("cook@demo.cafe", Role.COOK, center),
        ]
        for email, role, branch in staff:
            user, created = User.objects.get_or_create(
                email=email, defaults={"company": company, "role": role, "branch": branch}
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
        for branch in (center, river):
            for number in range(1, 6):
                Table.unscoped.get_or_create(
                    branch=branch, number=number, defaults={"company": company, "seats": 2 + number % 3 * 2}
                )
        for position, (name, dishes) in enumerate(MENU.items()):
            category, _ = Category.unscoped.get_or_create(company=company, name=name, defaults={"position": position})
            for title, price in dishes:
                MenuItem.unscoped.get_or_create(
                    company=company, title=title, defaults={"category": category, "price": Decimal(price)}
                )
        self.stdout.write(f"Demo data ready. Logins (password {PASSWORD}):")
        for email, role, branch in staff:
            self.stdout.write(f"  {email:<20} {role:<7} {branch.name if branch else 'all branches'}")
