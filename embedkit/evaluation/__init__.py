"""Does fusion help? Benchmarks with bootstrap intervals and alpha chosen on data it is not reported on.

Modules: ``datasets`` (SimLex-999, WordSim-353, Google analogies, polarity), ``spaces`` (per-word vectors in
every space), ``similarity`` (Spearman + bootstrap), ``selection`` (honest alpha choice), ``analogy``,
``classification`` (k-fold logistic regression + McNemar), ``dme`` (Dynamic Meta-Embeddings), ``finetune``,
``suite`` (the tasks end to end), ``report`` (tables, JSON, the honest sentence), ``cli``.
Nothing heavy is imported here.
"""

from __future__ import annotations
