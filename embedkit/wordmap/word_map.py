"""The word's own map: one word's occurrences in many contexts, projected on their own, clustered, named, scored.

A map of every word of a short text cannot show a sense split (with one river *bank* and two money *banks*, the
river bank's nearest *bank* is a money bank by necessity). Coenen et al. (2019) look at one word across many
contexts, projected on its own; that view shows the split even with a small encoder. :func:`build_word_map` puts
the user's occurrences of a word among up to ``sample`` occurrences from the reference corpus (WordNet's glosses
and examples, :mod:`embedkit.reference`) or from a corpus index, and :class:`WordMap` answers, for any space and
alpha, with a :class:`WordMapView`: coordinates (:mod:`embedkit.wordmap.layout`), clusters named by their
distinctive words (shared with corpus mode: :mod:`embedkit.corpus.clustering`, :mod:`embedkit.corpus.describe`),
each point's sense where its sentence is a sense-tagged example, and the numbers
(:mod:`embedkit.wordmap.numbers`).

Example:
    >>> wm = build_word_map("bank", Embedder(), text=["I sat on the river bank."])       # doctest: +SKIP
    >>> view = wm.view("fused", "weighted", alpha=0.3)                                 # doctest: +SKIP
    >>> view.coords.shape, view.clusters[0].name, view.separation.lines()[0]           # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.alpha_frames import alpha_grid
from embedkit.corpus.clustering import ClusterChain, Clustering, choose_clusters, seeded_sample
from embedkit.corpus.describe import describe_clusters, window_matrix
from embedkit.cosine import normalize_rows
from embedkit.embedded_text import EmbeddedText
from embedkit.errors import EmbedkitError
from embedkit.options import SPACES, FusionMode, check_space, coerce
from embedkit.progress import Progress
from embedkit.wordmap.layout import PcaLayout, UmapLayout, make_layout
from embedkit.wordmap.numbers import Separation, separation
from embedkit.wordmap.occurrences import Occurrences
from embedkit.wordmap.sources import index_occurrences, reference_occurrences, text_occurrences

if TYPE_CHECKING:
    import pandas as pd

    from embedkit.corpus.index import CorpusIndex
    from embedkit.embedder import Embedder
    from embedkit.reference import ReferenceCorpus
    from embedkit.wordnet import SenseNote

__all__ = ["DEFAULT_SAMPLE", "MAX_SAMPLE", "WordCluster", "WordMap", "WordMapView", "build_word_map", "check_sample"]

logger = logging.getLogger(__name__)

#: Reference (or corpus) occurrences a word map draws by default, and at most.
DEFAULT_SAMPLE = 200
MAX_SAMPLE = 2000


def one_blas_thread() -> Any:
    """A context in which BLAS runs on one thread: a word map's matrices are small (hundreds of rows), and on a busy
    machine a second BLAS thread makes them 10 to 100 times slower (measured: a 163 x 384 SVD, 25 ms on one thread,
    2.5 s on two threads with the CPUs loaded)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def check_sample(sample: int) -> int:
    """``sample`` if it is a whole number from 1 to :data:`MAX_SAMPLE`.

    Raises:
        EmbedkitError: naming the limits.
    """
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or not 1 <= int(sample) <= MAX_SAMPLE:
        raise EmbedkitError(f"the sample must be a whole number from 1 to {MAX_SAMPLE:,}, got {sample!r}")
    return int(sample)


@dataclass(frozen=True)
class WordCluster:
    """One cluster of a word map.

    Attributes:
        id: its id (stable across neighbouring alphas: use it for the colour).
        size: its occurrences.
        keywords: its distinctive neighbouring words (no stopwords), most distinctive first.
        contexts: its most typical occurrences, marked in their sentences (``the river [bank] flooded``).
        points: its most typical points (indices into the map's points), in the order of ``contexts``.
    """

    id: int
    size: int
    keywords: tuple[str, ...]
    contexts: tuple[str, ...]
    points: tuple[int, ...]

    @property
    def name(self) -> str:
        """``river, water, slope``: its first three keywords (``cluster N`` without any)."""
        return ", ".join(self.keywords[:3]) or f"cluster {self.id}"

    @property
    def label(self) -> str:
        """``cluster 1: river, water, slope`` (a legend entry)."""
        return f"cluster {self.id}: {self.name}" if self.keywords else self.name


@dataclass(frozen=True)
class WordMapView:
    """One space of a word map at one alpha: everything a page draws and prints.

    Attributes:
        word, space, mode, alpha, temperature: what this view shows (mode and alpha matter for ``fused`` only).
        method: ``pca`` or ``umap``.
        coords: ``(n, 2)`` float32, one row per point.
        labels: ``(n,)`` the cluster id of each point.
        clusters: the clusters, by id.
        colour: per point, its legend group: its sense key where the sentence is a sense-tagged example, else its
            cluster's label.
        separation: the numbers (see :class:`~embedkit.wordmap.numbers.Separation`).
        one_point: every point lies on one spot (the static space, or fused at alpha 0 in weighted fusion).
        notes: sentences a page should show beside the map.
        points: the map's points (source, sentence, context, sense, gloss) shared by every view.
    """

    word: str
    space: str
    mode: str
    alpha: float
    temperature: float
    method: str
    coords: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)
    clusters: tuple[WordCluster, ...] = field(repr=False)
    colour: tuple[str, ...] = field(repr=False)
    separation: Separation = field(repr=False)
    one_point: bool = False
    notes: tuple[str, ...] = ()
    points: Occurrences | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """``bank · fused (weighted, α = 0.50) · 163 occurrences · 2 clusters``: the alpha is in every frame's title."""
        fused = f" ({self.mode}, \u03b1 = {self.alpha:.2f})" if self.space == "fused" else ""
        space = {"bert": "BERT", "static": "static", "fused": "fused"}[self.space]
        return f"{self.word} · {space}{fused} · {len(self.coords):,} occurrences · {len(self.clusters)} cluster(s)"

    def frame(self) -> pd.DataFrame:
        """One row per point: ``point``, ``source``, ``x``, ``y``, ``cluster``, ``cluster_name``, ``sense``, ``gloss``,
        ``colour``, ``from_text``, ``sentence``, ``context``."""
        import pandas as pd

        occ = self.points
        assert occ is not None
        names = {c.id: c.name for c in self.clusters}
        return pd.DataFrame(
            {
                "point": np.arange(len(occ)),
                "source": list(occ.source),
                "x": self.coords[:, 0],
                "y": self.coords[:, 1],
                "cluster": self.labels,
                "cluster_name": [names.get(int(c), "") for c in self.labels],
                "sense": list(occ.senses),
                "gloss": [occ.glosses.get(s, "") if s else "" for s in occ.senses],
                "colour": list(self.colour),
                "from_text": occ.from_text,
                "sentence": list(occ.sentences),
                "context": [occ.context(i) for i in range(len(occ))],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``embedkit wordmap``: word, space, clusters, points, separation (and what was chosen)."""
        occ = self.points
        assert occ is not None
        return {
            "word": self.word,
            "space": self.space,
            "mode": self.mode if self.space == "fused" else None,
            "alpha": self.alpha if self.space == "fused" else None,
            "method": self.method,
            "one_point": self.one_point,
            "notes": list(self.notes),
            "clusters": [
                {"id": c.id, "size": c.size, "keywords": list(c.keywords), "contexts": list(c.contexts)}
                for c in self.clusters
            ],
            "points": [
                {
                    "source": occ.source[i],
                    "sentence": occ.sentences[i],
                    "start": int(occ.start[i]),
                    "end": int(occ.end[i]),
                    "cluster": int(self.labels[i]),
                    "sense": occ.senses[i],
                    "x": round(float(self.coords[i, 0]), 5),
                    "y": round(float(self.coords[i, 1]), 5),
                }
                for i in range(len(occ))
            ],
            "separation": self.separation.to_dict(),
        }


class WordMap:
    """A word's occurrences laid out, clustered and scored in every space, at any alpha.

    Build it with :func:`build_word_map`. Coordinates are cheap at any alpha (PCA: one basis, an exact linear
    morph); clusters in the fused space follow alpha along a grid of 0.05 steps (computed once per mode, see
    :meth:`prepare`); views are memoised.

    Args:
        occ: the occurrences (the user's first).
        method: ``pca`` or ``umap``.
        max_k: the most clusters.
        seed: the seed of clustering and UMAP.
        window: words either side that describe a cluster.
        available: per source, how many occurrences there were to draw from.
    """

    def __init__(
        self,
        occ: Occurrences,
        *,
        method: str = "pca",
        max_k: int = 8,
        seed: int = 0,
        window: int = 5,
        available: Mapping[str, int] | None = None,
    ) -> None:
        self.occurrences = occ
        self.word = occ.word
        self.max_k, self.seed = max_k, seed
        self.available = dict(available or {})
        with one_blas_thread():
            self.layout: PcaLayout | UmapLayout = make_layout(occ, method, seed=seed)
            self._fixed = {
                "bert": choose_clusters(occ.h, max_k=max_k, seed=seed),
                "static": choose_clusters(occ.e, max_k=max_k, seed=seed),
            }
        self.method = self.layout.method
        self._fell_back = method != self.method
        self._windows, self._vocab = window_matrix(
            occ.sentences, list(zip(occ.start.tolist(), occ.end.tolist())), window
        )
        self._own = tuple(i for i, w in enumerate(self._vocab) if w == self.word)
        self._alphas = alpha_grid()
        self._chains: dict[tuple[str, float], ClusterChain] = {}
        self._views: OrderedDict[tuple[str, str, float, float], WordMapView] = OrderedDict()
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"WordMap({self.word!r}, {self.n_text} from the text + {len(self) - self.n_text} others, {self.method})"

    def __len__(self) -> int:
        return len(self.occurrences)

    # -- what the map holds ------------------------------------------------------------------------------
    @property
    def n_text(self) -> int:
        """The user's occurrences (the first points)."""
        return self.occurrences.count("text")

    @property
    def from_text(self) -> np.ndarray:
        """True for the user's occurrences: draw them large, labelled with their sentence."""
        return self.occurrences.from_text

    @property
    def static_spots(self) -> int:
        """Distinct places of the occurrences in the static space (1: one word form, one static vector)."""
        if not len(self):
            return 0
        return len(np.unique(np.round(np.asarray(self.occurrences.e, np.float64), 6), axis=0))

    @property
    def static_one_point(self) -> bool:
        """Whether the static space puts every occurrence on one point (say so on screen)."""
        return self.static_spots == 1

    @property
    def exact_morph(self) -> bool:
        """Whether every fused frame is a linear map of the fused vectors (PCA; the morph over alpha is exact)."""
        return bool(self.layout.exact)

    def morph_note(self, mode: FusionMode | str = "weighted") -> str:
        """What play alpha shows in ``mode``, for people."""
        mode = coerce(FusionMode, mode)
        if not self.exact_morph:
            return "UMAP lays out each alpha again (steps of 0.05): points may move more than alpha explains"
        if mode is FusionMode.CONCAT:
            return (
                "one linear map of the concatenated vectors: alpha 0 is the static map, alpha 1 the map of the unit "
                "contextual vectors (the BERT map up to each point's length)"
            )
        if mode is FusionMode.ATTENTION:
            return "exact: each point slides from its static to its BERT position, at its own pace (its weights)"
        return "exact linear morph: alpha 1 is the BERT map, alpha 0 the static map, every point on a straight line"

    def sources(self) -> dict[str, int]:
        """Points per source (``text``, ``reference``, ``corpus``)."""
        out: dict[str, int] = {}
        for s in self.occurrences.source:
            out[s] = out.get(s, 0) + 1
        return out

    # -- per space and alpha ------------------------------------------------------------------------------
    def coords(
        self, space: str, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1
    ) -> np.ndarray:
        """``(n, 2)`` coordinates (cheap at any alpha with PCA).

        Raises:
            ValueError: an unknown space or mode, alpha outside [0, 1].
        """
        return self.layout.coords(space, mode, _alpha(alpha), temperature)

    def frames(
        self, mode: FusionMode | str = "weighted", temperature: float = 0.1, steps: int = 21
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(alphas, coords)``: the fused map at ``steps`` alphas from 0 to 1 (``coords`` is ``(F, n, 2)``)."""
        alphas = alpha_grid(steps)
        return alphas, np.stack([self.coords("fused", mode, float(a), temperature) for a in alphas])

    def prepare(self, mode: FusionMode | str = "weighted", temperature: float = 0.1) -> WordMap:
        """Cluster the fused space at every alpha step of ``mode`` now (later alpha moves only look up); returns self."""
        with one_blas_thread():
            self._chain(coerce(FusionMode, mode), temperature).fill()
        return self

    def _chain(self, mode: FusionMode, temperature: float) -> ClusterChain:
        key = (mode.value, float(temperature))
        with self._lock:
            if key not in self._chains:
                occ = self.occurrences
                self._chains[key] = ClusterChain(
                    lambda a: occ.vectors("fused", mode, a, temperature),
                    self._alphas,
                    max_k=self.max_k,
                    seed=self.seed,
                )
            return self._chains[key]

    def clustering(
        self, space: str, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1
    ) -> Clustering:
        """The clusters of one space (fused: at ``alpha``, following the neighbouring alphas)."""
        if check_space(space) != "fused":
            return self._fixed[space]
        return self._chain(coerce(FusionMode, mode), temperature).at(_alpha(alpha))

    def view(
        self, space: str, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1
    ) -> WordMapView:
        """Everything one space shows at one alpha (memoised).

        Raises:
            ValueError: an unknown space or mode, alpha outside [0, 1], a temperature that is not positive.
        """
        space = check_space(space)
        mode = coerce(FusionMode, mode)
        alpha = _alpha(alpha)
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        key = (space, mode.value, round(alpha, 6), float(temperature)) if space == "fused" else (space, "", 0.0, 0.0)
        with self._lock:
            hit = self._views.get(key)
            if hit is not None:
                self._views.move_to_end(key)
                return hit
        with one_blas_thread():
            view = self._view(space, mode, alpha, temperature)
        with self._lock:
            self._views[key] = view
            while len(self._views) > 96:
                self._views.popitem(last=False)
        return view

    def _view(self, space: str, mode: FusionMode, alpha: float, temperature: float) -> WordMapView:
        occ = self.occurrences
        X = occ.vectors(space, mode, alpha, temperature)
        clustering = self.clustering(space, mode, alpha, temperature)
        described = describe_clusters(
            normalize_rows(np.asarray(X, np.float32)),
            clustering.labels,
            clustering.ids,
            self._windows,
            self._vocab,
            exclude=self._own,
        )
        clusters = tuple(
            WordCluster(d.id, d.size, d.words, tuple(occ.context(i) for i in d.typical), d.typical) for d in described
        )
        by_id = {c.id: c for c in clusters}
        colour = tuple(
            s if s is not None else by_id[int(c)].label for s, c in zip(occ.senses, clustering.labels.tolist())
        )
        ref_tagged = np.flatnonzero(occ.tagged & ~occ.from_text)
        sep = separation(
            space,
            X,
            clustering.labels,
            {c.id: c.name for c in clusters},
            occ.senses,
            np.flatnonzero(occ.from_text),
            ref_tagged,
        )
        coords = self.coords(space, mode, alpha, temperature)
        one_point = bool(len(coords)) and float(np.ptp(coords, axis=0).max()) < 1e-6
        return WordMapView(
            self.word,
            space,
            mode.value,
            alpha,
            temperature,
            self.method,
            coords,
            clustering.labels,
            clusters,
            colour,
            sep,
            one_point,
            tuple(self._notes(space, mode, alpha, one_point)),
            occ,
        )

    def _notes(self, space: str, mode: FusionMode, alpha: float, one_point: bool) -> list[str]:
        n, word = len(self), self.word
        out = []
        if space == "static" and bool(np.all(self.occurrences.oov)):
            out.append(
                f"The static table has no vector for “{word}”: all {n:,} points lie on one spot (a zero vector)."
            )
        elif space == "static" and self.static_one_point:
            out.append(
                f"The static table gives every occurrence of “{word}” the same vector: all {n:,} points lie on one spot."
            )
        elif one_point:
            out.append(f"At this alpha every occurrence of “{word}” lies on one spot.")
        if space == "fused":
            out.append(self.morph_note(mode))
        if n < 3:
            out.append(f"This map rests on {n} occurrence(s) only.")
        if self._fell_back:
            out.append(f"UMAP needs 10 occurrences or more: laid out by {self.method.upper()}.")
        available = {k: v for k, v in self.available.items() if v > self.sources().get(k, 0)}
        for source, total in available.items():
            out.append(
                f"{self.sources().get(source, 0):,} of the {total:,} {source} sentences with “{word}” (a seeded sample)."
            )
        return out

    def views(
        self, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1
    ) -> dict[str, WordMapView]:
        """The three spaces side by side."""
        return {space: self.view(space, mode, alpha, temperature) for space in SPACES}


def _alpha(alpha: float) -> float:
    a = float(alpha)
    if not 0.0 <= a <= 1.0:  # also refuses nan
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    return a


def build_word_map(
    word: str,
    embedder: Embedder | None = None,
    *,
    text: EmbeddedText | Sequence[str] | None = None,
    known: Mapping[tuple[str, str], SenseNote] | None = None,
    index: CorpusIndex | None = None,
    sample: int = DEFAULT_SAMPLE,
    seed: int = 0,
    method: str = "pca",
    max_k: int = 8,
    mode: FusionMode | str = "weighted",
    temperature: float = 0.1,
    reference: ReferenceCorpus | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> WordMap:
    """The word's own map: the user's occurrences of ``word`` among up to ``sample`` others.

    Args:
        word: one word (case-insensitive).
        embedder: the model, options, static vectors and map (required unless ``index`` is given: then the index's
            own model encodes the text).
        text: the user's text, embedded (an :class:`~embedkit.embedded_text.EmbeddedText` from ``embedder``) or as
            sentences (embedded here).
        known: senses known for some of the text's sentences, keyed by ``(sentence, word)``.
        index: a corpus index: its occurrences instead of the reference corpus's.
        sample: the most reference (or corpus) occurrences, drawn with ``seed`` (the reference's sense-tagged
            examples first).
        seed: the seed of the sample, clustering and UMAP.
        method: ``pca`` (one basis, exact morph over alpha) or ``umap``.
        max_k: the most clusters.
        mode, temperature: the fused space clustered first (others are clustered on first use).
        reference: the reference corpus (default: the bundled one).
        progress: ``progress(done, total)``: ``total`` is the reference sentences to encode plus one step for the
            analysis; ``(total, total)`` when the map is ready.
        use_cache: read and write the disk cache of reference encodings.

    Raises:
        EmbedkitError: not one word, a bad sample size, no embedder.
        KeyError: the word occurs neither in the text nor in the reference corpus (or the index).
        ValueError: an unknown method or mode.
    """
    from embedkit.reference import check_word

    low = check_word(word)
    sample = check_sample(sample)
    if method not in ("pca", "umap"):
        raise ValueError(f"unknown projection {method!r}; choose one of: pca, umap")
    mode = coerce(FusionMode, mode)
    if embedder is None:
        if index is None:
            raise EmbedkitError("a word map needs an Embedder (or a corpus index, whose model is used)")
        embedder = index.encoder().embedder
    emb: EmbeddedText | None
    if isinstance(text, EmbeddedText):
        emb = text
    elif text is None or (isinstance(text, str) and not text.strip()):
        emb = None
    else:
        emb = embedder.embed(text if isinstance(text, str) else list(text))
    user = text_occurrences(emb, low, known) if emb is not None else None
    available: dict[str, int] = {}
    steps = {"total": 1}

    def encoding(done: int, total: int) -> None:  # the encoding's steps, then one more: the analysis
        steps["total"] = total + 1
        if progress is not None:
            progress(done, total + 1)

    if index is not None:
        try:
            rows = index.rows_of(low)
        except KeyError:
            rows = np.zeros(0, np.int64)
        available["corpus"] = len(rows)
        pick = rows[seeded_sample(len(rows), sample, seed)]
        others = index_occurrences(index, pick, word=low) if len(rows) else None
    else:
        from embedkit.reference import load_reference

        ref = reference if reference is not None else load_reference()
        available["reference"] = ref.count(low)
        others = (
            reference_occurrences(
                embedder, low, sample=sample, seed=seed, reference=ref, progress=encoding, use_cache=use_cache
            )
            if available["reference"]
            else None
        )
    parts = [p for p in (user, others) if p is not None and len(p)]
    if not parts:
        where = "the corpus index" if index is not None else "the reference corpus"
        raise KeyError(f"{word.strip()!r} occurs neither in the text nor in {where}")
    occ = parts[0] if len(parts) == 1 else parts[0] + parts[1]
    wm = WordMap(occ, method=method, max_k=max_k, seed=seed, available=available)
    wm.prepare(mode, temperature)
    if progress is not None:
        progress(steps["total"], steps["total"])
    return wm
