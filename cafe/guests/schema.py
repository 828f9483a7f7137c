"""The guest book's OpenAPI description (the view set is ``cafe.bookings.guest_api``)."""

from drf_spectacular.utils import OpenApiExample

from cafe.guests.serializers import (
    GuestExportSerializer,
    GuestFilter,
    GuestHistoryEntry,
    GuestInput,
    GuestSerializer,
)
from cafe.shared.schema import BRANCH, ORDER
from core.schema import document, operation

GUEST = "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b"
GUEST_EXAMPLE = {
    "id": GUEST,
    "name": "Anna Petrova",
    "phone": "+79161234567",
    "note": "Window table, no nuts",
    "tags": ["regular", "vegan"],
    "visits": 12,
    "last_visit": "2026-11-28T20:41:07+03:00",
    "total_spent": "18450.00",
    "no_shows": 1,
    "erased_at": None,
    "created_at": "2026-03-02T12:00:00+03:00",
    "updated_at": "2026-11-28T20:41:07+03:00",
}
MASKED_EXAMPLE = {**GUEST_EXAMPLE, "phone": "+7 *** ***-**-67"}
GUEST_ANSWER = [
    OpenApiExample("A guest (owner, admin, manager)", GUEST_EXAMPLE, response_only=True),
    OpenApiExample("A guest (other roles)", MASKED_EXAMPLE, response_only=True),
]
PHONES = (
    "Phones are shown in full (E.164) to owners, admins and managers and masked (`+7 *** ***-**-67`) to "
    "every other role. Figures (`visits`, `last_visit`, `total_spent`, `no_shows`) come from the orders and "
    "bookings the caller may see: a branch-bound role's branch, a company-wide role's company."
)
WRITERS = "Owners, admins, managers, waiters and cashiers (not cooks)."

GUESTS = document(
    list=operation(
        tag="guests",
        summary="Find guests",
        response=GuestSerializer,
        parameters=[GuestFilter],
        paged=True,
        description=(
            "The company's guests (erased ones left out), by name; `?q=` is part of the name in any case "
            "(owners, admins and managers: or at least 3 digits of the phone), `?phone=` the whole phone in any "
            f"spelling (an invalid one answers 400 naming `phone`). {PHONES} Not for cooks."
        ),
    ),
    retrieve=operation(
        tag="guests",
        summary="Get a guest",
        response=GuestSerializer,
        detail=True,
        examples=GUEST_ANSWER,
        description=f"{PHONES} Not for cooks.",
    ),
    create=operation(
        tag="guests",
        summary="Add a guest",
        request=GuestInput,
        response=GuestSerializer,
        status=201,
        idempotent=True,
        errors_=(409,),
        examples=[
            OpenApiExample(
                "New guest",
                {"name": "Anna Petrova", "phone": "8 916 123-45-67", "tags": ["regular"]},
                request_only=True,
            ),
            *GUEST_ANSWER,
        ],
        description=(
            "A name or a phone (or both); the phone is stored in E.164 and is unique in the company (400 "
            "naming `phone` when taken). At most `GUEST_TAGS_MAX` (20) tags of 1–32 characters, a note of "
            f"500. 409 once the company keeps `GUESTS_MAX_PER_COMPANY` guests. {WRITERS}"
        ),
    ),
    partial_update=operation(
        tag="guests",
        summary="Change a guest",
        request=GuestInput,
        response=GuestSerializer,
        detail=True,
        idempotent=True,
        examples=GUEST_ANSWER,
        description=f"Send only the fields to change. An erased guest answers 409. {WRITERS}",
    ),
    history=operation(
        tag="guests",
        summary="A guest's orders and bookings",
        response=GuestHistoryEntry(many=True),
        detail=True,
        paged=True,
        examples=[
            OpenApiExample(
                "History",
                {
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "kind": "order",
                            "id": ORDER,
                            "branch": BRANCH,
                            "at": "2026-11-28T19:02:11+03:00",
                            "status": "closed",
                            "guests": 2,
                            "total": "1850.00",
                        }
                    ],
                },
                response_only=True,
            )
        ],
        description=(
            "Orders (`at`: opened) and bookings (`at`: their start) of the guest that the caller may see, "
            "newest first. Not for cooks."
        ),
    ),
    export=operation(
        tag="guests",
        summary="Export a guest's data",
        response=GuestExportSerializer,
        detail=True,
        description=(
            "Everything the company holds about the guest, on their request: the profile (phone in full), "
            "every branch's orders (summary) and bookings, the newest 5000 of each (`truncated` says when there "
            "were more). Owners and admins only (it spans every branch)."
        ),
    ),
    erase=operation(
        tag="guests",
        summary="Erase a guest's data",
        response=GuestSerializer,
        detail=True,
        idempotent=True,
        description=(
            "On the guest's request: their name, phone, note and tags are removed (`erased_at` set), and the "
            "name and phone copied onto their orders and bookings of every branch (and the bookings' notes) "
            "are cleared. The orders stay, anonymous, with their money: reports do not change. Erasing again "
            "answers the same and changes nothing. No events are sent. Owners, admins and managers."
        ),
    ),
)
