"""Who does what in the cafe, as sets of ``accounts`` roles for the views' ``read_roles``
/ ``write_roles`` (``accounts.permissions``). Accounts keeps only what it needs itself
(``ALL_ROLES``, ``MANAGING_ROLES``, ``COMPANY_WIDE_ROLES``)."""

from accounts.models import Role
from accounts.tenancy import ALL_ROLES, MANAGING_ROLES

# Who takes, changes and ends orders: everyone but the kitchen.
ORDER_TAKING_ROLES = ALL_ROLES - {Role.COOK}
# Who works the kitchen screens (claims a portion, makes it ready): cooks, and managers and above.
KITCHEN_ROLES = MANAGING_ROLES | {Role.COOK}
# Who works the till (opens and closes cash shifts, moves cash): cashiers, and managers and above.
TILL_ROLES = MANAGING_ROLES | {Role.CASHIER}
# Who finds, adds and changes guests in the guest book: whoever takes orders and bookings.
GUEST_ROLES = ORDER_TAKING_ROLES
# Who sees guests' phones in full (everyone else sees them masked): managers and above.
PHONE_ROLES = MANAGING_ROLES
