"""Does fusion help? Benchmarks with bootstrap intervals and alpha chosen on data it is not reported on.

Modules: ``settings`` (what changes a result, the task names), ``resources`` (the Embedder every task uses),
``runners`` (``run(settings, tasks)``: similarity and analogies), ``polarity``, ``senses`` (the tasks with their own
runner), ``report`` / ``similarity_analogy_report`` / ``polarity_report`` / ``senses_report`` (typed reports that render their tables,
findings and curves), ``datasets`` and ``sense_data`` (the data), ``sense_grid`` (every layer / pooling /
post-processing option from one encoding pass), ``intervals`` (bootstraps that resample the independent unit),
``similarity``, ``selection`` (honest alpha choice), ``analogy``, ``classification`` (k-fold logistic regression +
McNemar), ``dme`` (Dynamic Meta-Embeddings), ``finetune``, ``cli`` (``evaluate``). Nothing heavy is imported here.
"""

from __future__ import annotations
