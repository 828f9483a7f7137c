import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from cafe.tests.factories import MenuItemFactory, TableFactory, order_for, staff_of

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("accounts", "cafe")
PROJECT_MODELS = [model for app in PROJECT_APPS for model in apps.get_app_config(app).get_models()]


def test_every_project_model_is_registered():
    missing = [model.__name__ for model in PROJECT_MODELS if not admin.site.is_registered(model)]
    assert missing == []


@pytest.fixture
def superuser_client(client):
    superuser = User.objects.create_superuser("root@example.com", "Tr0ub4dor&3-horse")
    client.force_login(superuser)
    # Some rows so changelists render real objects, not only an empty table.
    item = MenuItemFactory()
    table = TableFactory(company=item.company, branch__company=item.company)
    order_for(staff_of(table.branch), table, [(item, 2)])
    return client


def test_admin_index(superuser_client):
    assert superuser_client.get("/admin/").status_code == 200


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_change_page(superuser_client, model):
    info = (model._meta.app_label, model._meta.model_name)
    changelist = superuser_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert changelist.status_code == 200
    if model._default_manager.exists():
        obj = model._default_manager.first()
        change = superuser_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        assert change.status_code == 200


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_add_page_is_200(superuser_client, model):
    info = (model._meta.app_label, model._meta.model_name)
    assert superuser_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200


def test_admin_creates_a_user(superuser_client):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "new@example.com", "password1": "Tr0ub4dor&3-horse", "password2": "Tr0ub4dor&3-horse",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(email="new@example.com").check_password("Tr0ub4dor&3-horse")


def test_admin_requires_login(client):
    response = client.get("/admin/cafe/order/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
