"""The browser tests' fixtures (``chromium``, ``cafe``), defined in ``browser.py``."""

from webapp.tests.browser import cafe, chromium

__all__ = ["cafe", "chromium"]
