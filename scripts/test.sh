#!/usr/bin/env bash
# Install everything the tests need (pip requirements; Debian's chromium for the browser tests and wordnet-base,
# WordNet 3.0, the corpus of the corpus-mode tests) and run them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! command -v chromium >/dev/null 2>&1 || [ ! -f /usr/share/wordnet/data.noun ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium wordnet-base >/dev/null
fi
"$PY" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# Issue 11: the library and the app stay lint-, format- and type-clean.
LINTED=(embedkit embedkit_app app.py pages)
"$PY" -m ruff check "${LINTED[@]}"
"$PY" -m ruff format --check "${LINTED[@]}"
"$PY" -m mypy embedkit embedkit_app app.py pages/*.py
# Issue 20: no import cycle, no module importing another's private name.
"$PY" scripts/check_imports.py
"$PY" -m pytest "$@"
# Issue 10: every known evaluation leak, put into a copy of the code, must make a test fail (~1-3 min).
[ -n "${SKIP_MUTATION_CHECK:-}" ] || "$PY" scripts/mutation_check.py
