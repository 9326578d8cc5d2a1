from __future__ import annotations

import numpy as np
import pytest

from embedkit.alignment import StaticMap, fit_static_map
from embedkit.cosine import normalize_rows


def _pairs(n: int = 300, d_s: int = 20, d_c: int = 48, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d_s))
    Q, _ = np.linalg.qr(rng.normal(size=(d_c, d_s)))
    Y = 3.0 * X @ Q.T + 0.05 * rng.normal(size=(n, d_c))
    return X.astype(np.float32), Y.astype(np.float32)


def test_procrustes_keeps_every_static_cosine() -> None:
    X, Y = _pairs()
    m = StaticMap("procrustes").fit(X, Y)
    mapped = m.transform(X)
    assert mapped.shape == (300, 48)
    before = normalize_rows(X) @ normalize_rows(X).T
    after = normalize_rows(mapped) @ normalize_rows(mapped).T
    np.testing.assert_allclose(after, before, atol=1e-4)
    # and it finds the hidden rotation: mapped vectors land near their contextual partners
    assert np.median((normalize_rows(mapped) * normalize_rows(Y)).sum(1)) > 0.99


def test_least_squares_fits_but_distorts_and_pad_is_the_baseline() -> None:
    X, Y = _pairs()
    rng = np.random.default_rng(1)
    Y_skew = Y @ np.diag(rng.uniform(0.2, 5.0, size=48)).astype(np.float32)
    lsq = StaticMap("lstsq", ridge=1e-3).fit(X, Y_skew)
    pro = StaticMap("procrustes").fit(X, Y_skew)
    err = lambda m: float(np.linalg.norm(m.transform(X) - Y_skew))  # noqa: E731
    assert err(lsq) < err(pro)
    before = normalize_rows(X) @ normalize_rows(X).T
    after = normalize_rows(lsq.transform(X)) @ normalize_rows(lsq.transform(X)).T
    assert np.abs(after - before).max() > 0.05
    pad = StaticMap("pad").fit(X, Y).transform(X)
    assert pad.shape == (300, 48) and not pad[:, 20:].any()
    with pytest.raises(ValueError, match="zero-pad"):
        StaticMap("pad").fit(Y, X)
    with pytest.raises(ValueError, match="procrustes, lstsq, pad"):
        StaticMap("cca")


def test_the_map_fit_never_sees_excluded_words(encoder, glove, monkeypatch) -> None:
    import embedkit.words_alone as cache

    seen: list[str] = []
    real = cache.encode_words_cached

    def spy(enc, words, **kw):
        seen.extend(words)
        return real(enc, words, **kw)

    monkeypatch.setattr(cache, "encode_words_cached", spy)
    exclude = ["king", "Queen", "bank", "money"]
    m = fit_static_map(encoder, glove, k=300, exclude=exclude, use_cache=False)
    assert len(seen) == 300 and m.n_fit_ == 300
    assert not {w.lower() for w in exclude} & set(seen)


def test_fitted_maps_are_cached_on_disk_by_their_settings(encoder, glove) -> None:
    a = fit_static_map(encoder, glove, k=200)
    b = fit_static_map(encoder, glove, k=200)
    c = fit_static_map(encoder, glove, k=200, method="lstsq")
    np.testing.assert_array_equal(a.W_, b.W_)
    assert a.scale_ == b.scale_
    assert not np.allclose(a.W_, c.W_)
