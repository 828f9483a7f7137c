"""The browser tests' fixtures (``chromium_browser``, ``chromium``, ``cafe``), defined in ``browser.py``."""

from webapp.tests.browser import cafe, chromium, chromium_browser

__all__ = ["cafe", "chromium", "chromium_browser"]
