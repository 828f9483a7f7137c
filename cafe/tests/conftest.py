import pytest

from cafe.tests.factories import BranchFactory, staff_of


@pytest.fixture
def branch():
    return BranchFactory()


@pytest.fixture
def waiter(branch):
    """A waiter of ``branch``."""
    return staff_of(branch)
