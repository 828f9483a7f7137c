"""No serializer takes a sum or a day through DRF's own fields (issue 18): they accept
``"1_000"``, ``"+5"``, ``"1e2"``, any script's digits and ``2026-1-1``. Input goes
through ``core.fields``; the endpoints' answers are in
``cafe/tests/api/test_strict_input.py``."""

import importlib
import pkgutil

from rest_framework import serializers

from core.fields import StrictDateField, StrictDecimalField

APPS = ["accounts", "cafe", "core", "realtime"]
LOOSE = {serializers.DecimalField: StrictDecimalField, serializers.DateField: StrictDateField}


def project_serializers() -> list[type[serializers.BaseSerializer]]:
    """Every serializer class defined in the apps' code (tests and migrations aside),
    wherever it lives: the modules are imported first."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not {"tests", "migrations"} & set(module.name.split(".")):
                importlib.import_module(module.name)
    found, stack = [], [serializers.BaseSerializer]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            parts = subclass.__module__.split(".")
            if parts[0] in APPS and "tests" not in parts:
                found.append(subclass)
    return found


def loose_fields(serializer: serializers.BaseSerializer, path: str) -> list[str]:
    """Writable fields of DRF's own decimal and date classes, nested ones too."""
    if isinstance(serializer, serializers.ListSerializer):
        return loose_fields(serializer.child, f"{path}[]")
    found = []
    for name, field in serializer.fields.items():
        where = f"{path}.{name}"
        while isinstance(field, serializers.ListField | serializers.DictField):
            field, where = field.child, f"{where}[]"
        if isinstance(field, serializers.BaseSerializer):
            found += loose_fields(field, where)
        elif not field.read_only and any(
            isinstance(field, loose) and not isinstance(field, strict) for loose, strict in LOOSE.items()
        ):
            found.append(f"{where}: {type(field).__name__}")
    return found


def test_the_check_finds_the_project_serializers():
    names = {cls.__name__ for cls in project_serializers()}
    assert {"TenderInput", "MenuItemInput", "DailyReportFilter", "BranchSettingsInput", "BranchSerializer"} <= names


def test_the_check_catches_drfs_own_fields():
    class Loose(serializers.Serializer):
        amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        days = serializers.ListField(child=serializers.DateField())
        shown = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
        strict = StrictDecimalField(max_digits=12)

    class Outer(serializers.Serializer):
        inner = Loose(many=True)

    assert loose_fields(Outer(), "Outer") == ["Outer.inner[].amount: DecimalField", "Outer.inner[].days[]: DateField"]


def test_no_serializer_takes_a_sum_or_a_day_through_drfs_own_fields():
    found = []
    for cls in project_serializers():
        found += loose_fields(cls(), f"{cls.__module__}.{cls.__qualname__}")
    assert found == []
