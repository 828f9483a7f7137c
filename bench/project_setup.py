"""Creates the project's bench data; run with the project's Python from the repo root.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafe_bench \\
        .venv/bin/python bench/project_setup.py --reset --companies 6 --branches 100 --tables 3

--reset drops and recreates the database, then migrates.  Each company gets
``--branches`` branches with ``--tables`` tables each, one menu item for every
branch, and an owner (company-wide, so its token can pick any branch with
``branch_id``).  Prints JSON: a list of companies with their ids and logins.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-2026"


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reset", action="store_true")
    ap.add_argument("--companies", type=int, default=1)
    ap.add_argument("--branches", type=int, default=100)
    ap.add_argument("--tables", type=int, default=3)
    args = ap.parse_args()

    if args.reset:
        recreate_database(os.environ["DATABASE_URL"])
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import Branch, Company, Role, User
    from cafe.floor.models import Table
    from cafe.menu.models import Category, MenuItem, MenuItemBranch, Station

    if args.reset:
        call_command("migrate", interactive=False, verbosity=0)
    password_hash = make_password(PASSWORD)  # hashed once, shared by the bench owners
    out = []
    with transaction.atomic():
        for _ in range(args.companies):
            tag = uuid.uuid4().hex[:10]
            company = Company.objects.create(name=f"Bench {tag}")
            branches = Branch.objects.bulk_create(
                [Branch(company=company, name=f"Branch {i:03d}") for i in range(args.branches)]
            )
            owner = User.objects.create(
                email=f"owner-{tag}@bench.local", company=company, role=Role.OWNER, password=password_hash
            )
            category = Category.objects.create(company=company, name="Bench")
            item = MenuItem.objects.create(company=company, category=category, title="Flat white", price="3.40")
            # The item is made at each branch's bar, so every bench order also gets a kitchen task.
            bars = Station.objects.bulk_create([Station(company=company, branch=b, name="Bar") for b in branches])
            MenuItemBranch.objects.bulk_create(
                [MenuItemBranch(company=company, menu_item=item, branch=bar.branch, station=bar) for bar in bars]
            )
            tables = Table.objects.bulk_create(
                [Table(company=company, branch=b, number=n + 1) for b in branches for n in range(args.tables)]
            )
            by_branch: dict[str, list[str]] = {}
            for t in tables:
                by_branch.setdefault(str(t.branch_id), []).append(str(t.pk))
            out.append(
                {
                    "company": str(company.pk),
                    "branches": [str(b.pk) for b in branches],
                    "tables": by_branch,
                    "menu_item": str(item.pk),
                    "email": owner.email,
                    "password": PASSWORD,
                }
            )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
