from decimal import Decimal

import factory

from accounts.models import Branch, Company, Role, User
from cafe.models import Category, MenuItem, Table

PASSWORD = "correct-horse-battery-42"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Branch {n}")


class UserFactory(factory.django.DjangoModelFactory):
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


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    branch = factory.SubFactory(BranchFactory)
    company = factory.LazyAttribute(lambda table: table.branch.company)
    number = factory.Sequence(lambda n: n + 1)
    seats = 4


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class MenuItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenuItem

    category = factory.SubFactory(CategoryFactory)
    company = factory.LazyAttribute(lambda item: item.category.company)
    title = factory.Sequence(lambda n: f"Dish {n}")
    price = Decimal("350.00")
