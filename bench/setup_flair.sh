#!/usr/bin/env bash
# Set up Flair for bench/embed_throughput.py in its own virtual environment (never in the main one).
#
# Flair 0.15 pins transformers<5, so it cannot share embedkit's environment (transformers 5.x). The venv
# sees the main site-packages (--system-site-packages) to reuse the CPU torch wheel; pip installs Flair and
# the older transformers/tokenizers *inside the venv only*, shadowing the main ones there. Nothing outside the
# venv is touched (pip never uninstalls packages outside the active environment).
#
# Usage: bash bench/setup_flair.sh [VENV_DIR]      (default /tmp/flairvenv)
#        then: python bench/embed_throughput.py --flair-python /tmp/flairvenv/bin/python
set -euo pipefail
VENV="${1:-/tmp/flairvenv}"
PY="${PYTHON:-python3}"
"$PY" -m venv --system-site-packages "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
# torch: keep the main environment's wheel (constraint to the installed version so pip never fetches another)
TORCH_VERSION="$("$VENV/bin/python" -c 'import torch; print(torch.__version__)')"
"$VENV/bin/python" -m pip install -q "flair==0.15.1" "torch==${TORCH_VERSION}"
"$VENV/bin/python" -c 'import flair, transformers, torch; print("flair", flair.__version__, "transformers", transformers.__version__, "torch", torch.__version__)'
