"""Fixtures shared with the app tests (AppTest on every page) and the browser tests (server, Chromium)."""

from __future__ import annotations

from tests.app.conftest import make_app  # noqa: F401 - a fixture
from tests.e2e.conftest import _artifacts, browser, server  # noqa: F401 - fixtures
