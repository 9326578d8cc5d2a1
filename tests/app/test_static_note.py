"""The static map is P e (the fused map at alpha 0); the static tables use the raw e. Under least squares they differ,
and Explore says so; under Procrustes (a rotation: every cosine of e kept) it says nothing."""

from __future__ import annotations

import pytest

from tests.app.conftest import MakeApp, no_exception, texts

pytestmark = pytest.mark.slow

NOTE = "The static map shows P e"


@pytest.mark.parametrize(("align", "shown"), [("lstsq", True), ("procrustes", False)])
def test_explore_says_when_the_static_map_is_not_the_raw_static_space(
    make_app: MakeApp, align: str, shown: bool
) -> None:
    at = make_app("explore", align=align)
    no_exception(at)
    assert any(NOTE in c for c in texts(at, "caption")) is shown
