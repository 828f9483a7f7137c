"""Availability (cafe/bookings/availability.py) on a busy branch: 100 tables in five
halls of 20 (2, 4 and 6 seats), 200 bookings on the day, open 10:00–24:00, a start
every 15 minutes; asks for parties of 2, 4, 8 and 14 (14 needs three tables joined)
N times each on the database in DATABASE_URL (migrated first) and prints the wall
time per answer (median and the slowest) and the size of the answer. Prints figures;
asserts nothing (docs/benchmarks.md, "Availability").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafe_availbench .venv/bin/python bench/availbench.py 20
"""

import datetime
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Branch, Company  # noqa: E402
from cafe.bookings.availability import availability  # noqa: E402
from cafe.bookings.models import Booking, BookingTable  # noqa: E402
from cafe.floor.models import OpeningHours, Table, Zone  # noqa: E402

DAY = datetime.date(2099, 6, 12)
HALLS, PER_HALL, BOOKINGS = 5, 20, 200
PARTIES = (2, 4, 8, 14)
EARLIER = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)


def build() -> Branch:
    company = Company.objects.create(name=f"availbench {uuid.uuid4()}")
    branch = Branch.objects.create(
        company=company,
        name="Bench",
        timezone="Europe/Moscow",
        booking_duration=120,
        booking_buffer=15,
        booking_step=15,
    )
    for weekday in range(7):
        OpeningHours.unscoped.create(
            company=company, branch=branch, weekday=weekday, opens=datetime.time(10), closes=datetime.time(0)
        )
    tables = []
    for hall_index in range(HALLS):
        hall = Zone.unscoped.create(company=company, branch=branch, name=f"Hall {hall_index + 1}", position=hall_index)
        for place in range(PER_HALL):
            tables.append(
                Table.unscoped.create(
                    company=company,
                    branch=branch,
                    zone=hall,
                    number=hall_index * PER_HALL + place + 1,
                    seats=(2, 4, 6)[place % 3],
                )
            )
    rng = random.Random(19)
    opens = datetime.datetime.combine(DAY, datetime.time(10), tzinfo=datetime.timezone(datetime.timedelta(hours=3)))
    made = 0
    while made < BOOKINGS:
        table = rng.choice(tables)
        start = opens + datetime.timedelta(minutes=15 * rng.randrange(0, 48))
        end = start + datetime.timedelta(minutes=120)
        blocks = end + datetime.timedelta(minutes=15)
        clash = BookingTable.objects.filter(table=table, starts_at__lt=blocks, blocks_until__gt=start, holding=True)
        if clash.exists():
            continue
        booking = Booking.unscoped.create(
            company=company, branch=branch, guest_name="Bench", starts_at=start, ends_at=end, guests=2
        )
        BookingTable.objects.create(booking=booking, table=table, starts_at=start, blocks_until=blocks)
        made += 1
    return branch


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    branch = build()
    tables = HALLS * PER_HALL
    print(f"{connection.vendor}: {tables} tables in {HALLS} halls, {BOOKINGS} bookings, 10:00-24:00 every 15 min")
    print(f"{'guests':>6} {'median ms':>10} {'max ms':>8} {'slots':>6} {'options':>8}")
    for guests in PARTIES:
        availability(branch=branch, day=DAY, guests=guests, now=EARLIER)  # warm up
        times = []
        for _ in range(count):
            started = time.perf_counter()
            answer = availability(branch=branch, day=DAY, guests=guests, now=EARLIER)
            times.append((time.perf_counter() - started) * 1000)
        options = sum(len(slot.options) for slot in answer.slots)
        print(f"{guests:>6} {statistics.median(times):>10.1f} {max(times):>8.1f} {len(answer.slots):>6} {options:>8}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
