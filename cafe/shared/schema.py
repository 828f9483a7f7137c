"""Example ids every area's OpenAPI examples use, and the branch id path parameter."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

BRANCH = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
TABLE = "3a8e7c55-1f0d-4b1e-9c3a-5d2e1f0a9b8c"
CATEGORY = "9d4c3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
MENU_ITEM = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
ORDER = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"
WAITER = "7b6a5f4e-3d2c-4b1a-8f9e-0d1c2b3a4f5e"
STATION = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"
GROUP = "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b"
MODIFIER = "4d5e6f70-8192-4a3b-8c4d-5e6f70819203"
LINE = "0f1e2d3c-4b5a-4968-8776-655443322110"
TASK = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
COOK = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"


BRANCH_ID = OpenApiParameter("branch_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The branch's id.")
