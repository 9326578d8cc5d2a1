"""The one progress callback type: ``progress(done, total)``, called as work advances (``done == total`` at the end).

Every long call of embedkit takes one (encoding, the static map's fit, alpha frames, word maps, training, the
evaluation's stages through :func:`embedkit.evaluation.settings.stage`); the CLI draws it with tqdm
(:func:`embedkit.cli_args.progress_bar`), the app with a Streamlit progress bar.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress"]

#: ``progress(done, total)``
Progress = Callable[[int, int], None]
