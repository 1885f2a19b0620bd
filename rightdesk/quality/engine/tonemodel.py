"""Tone learnt from examples: a small classifier over words, word pairs and triples.

The phrase lists catch the wordings they were written from; a slight put in new
words ("Most firms would have charged you twice for that") gets past them. So
each language also ships example sentences of every respect kind and of clean,
polite replies (``data/tone_examples_<language>.jsonl``); admins add their own
with ``tone_example`` rule entries. From these the check trains a multinomial
logistic regression (sparse features, plain Python, a fixed seed, six passes, about
fifteen seconds for forty-four thousand sentences) once per set of examples (kept on disk
across processes where the app sets a cache folder), with
the weight decay ``tone_model_l2`` (strong decay keeps common words such as "had" or
"before" from standing for a kind). A sentence whose most likely kind is not
"clean" with at least the ``tone_model_min`` probability (``tone_model_min_<kind>``
for one kind) becomes advice of that kind: a learnt guess asks the agent to look
again but never blocks a send.

Nothing leaves the machine: the examples, the training and the model are local.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import pickle
import random
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from rightdesk.quality.rules import CLEAN, Rules

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?|\d+")


def features(text: str) -> frozenset[str]:
    """Lower-cased words, adjacent pairs and triples; numbers and names made general.

    Pairs and triples include the sentence's start and end ("<s> read the",
    "the quote </s>"): a bare command or a clipped ending reads differently from the
    same words inside a longer sentence.

    A capitalised word inside the sentence is a name or a product ("<name>"), so a
    slight learnt about "your Civic" is the same slight about "your Passat".
    """
    tokens: list[str] = []
    for index, match in enumerate(_TOKEN.finditer(text)):
        word = match.group()
        if word[0].isdigit():
            word = "0"
        elif index and word[0].isupper() and not word.isupper():
            word = "<name>"
        else:
            word = word.lower().replace("\u2019", "'")
        tokens.append(word)
    if not tokens:
        return frozenset()
    framed = ["<s>", *tokens, "</s>"]
    pairs = {f"{a} {b}" for a, b in pairwise(framed)}
    triples = {f"{a} {b} {c}" for a, b, c in zip(framed, framed[1:], framed[2:], strict=False)}
    return frozenset(tokens) | pairs | triples


@dataclass(frozen=True)
class ToneModel:
    """Weights per feature and class; ``predict`` gives the likeliest non-clean kind."""

    classes: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]

    def probabilities(self, text: str) -> dict[str, float]:
        scores = list(self.bias)
        for feature in features(text):
            row = self.weights.get(feature)
            if row is not None:
                for index, weight in enumerate(row):
                    scores[index] += weight
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return {name: value / total for name, value in zip(self.classes, exps, strict=True)}

    def predict(self, text: str) -> tuple[str, float]:
        """The likeliest kind other than clean, and its probability."""
        return self.likeliest(self.probabilities(text))

    def likeliest(self, probabilities: dict[str, float]) -> tuple[str, float]:
        """Of ``probabilities`` (from ``probabilities``), the likeliest kind but clean."""
        kind = max((k for k in self.classes if k != CLEAN), key=lambda k: probabilities[k])
        return kind, probabilities[kind]


#: Weight decay unless the rules set ``tone_model_l2``.
DEFAULT_L2 = 1e-4


def train(
    examples: Sequence[tuple[str, str]],
    *,
    epochs: int = 6,
    rate: float = 0.2,
    l2: float = DEFAULT_L2,
    min_count: int = 2,
    seed: int = 7,
    balanced: bool = False,
) -> ToneModel:
    """Softmax regression by stochastic gradient descent.

    Classes keep the weight of their share of the examples unless ``balanced``: clean
    replies are most replies, and a model that forgets that flags ordinary sentences
    ("You won't be charged again") as hostile.

    Features seen in fewer than ``min_count`` sentences are dropped (one sentence's
    oddities teach nothing). The shuffle is seeded, so the same examples always
    give the same model.
    """
    classes = tuple(sorted({kind for kind, _text in examples}))
    if CLEAN not in classes or len(classes) < 2:
        return ToneModel(
            classes=classes or (CLEAN,), weights={}, bias=(0.0,) * max(1, len(classes))
        )
    rows = [(classes.index(kind), features(text)) for kind, text in examples]
    seen = Counter(feature for _label, feats in rows for feature in feats)
    vocabulary = {feature for feature, count in seen.items() if count >= min_count}
    data = [(label, [f for f in feats if f in vocabulary]) for label, feats in rows]
    per_class = Counter(label for label, _feats in data)
    balance = {
        label: len(data) / (len(classes) * n) if balanced else 1.0 for label, n in per_class.items()
    }
    width = len(classes)
    weights: dict[str, list[float]] = {feature: [0.0] * width for feature in vocabulary}
    # Each sentence holds its features' weight rows themselves: no lookups in the loop.
    rows_of = [(label, [weights[f] for f in feats]) for label, feats in data]
    bias = [0.0] * width
    span = range(width)
    shuffle = random.Random(seed)
    for epoch in range(epochs):
        shuffle.shuffle(rows_of)
        step = rate / (1 + epoch)
        for label, own in rows_of:
            scores = list(bias)
            for row in own:
                for index in span:
                    scores[index] += row[index]
            top = max(scores)
            exps = [math.exp(score - top) for score in scores]
            total = sum(exps)
            gradient = [value / total for value in exps]
            gradient[label] -= 1.0
            scale = step * balance[label]
            keep = 1.0 - scale * l2
            moves = [scale * g for g in gradient]
            for row in own:
                for index in span:
                    row[index] = row[index] * keep - moves[index]
            for index in span:
                bias[index] -= moves[index]
    return ToneModel(
        classes=classes,
        weights={feature: tuple(row) for feature, row in weights.items()},
        bias=tuple(bias),
    )


#: Guards the dictionaries below; held only for a moment.
logger = logging.getLogger(__name__)
_lock = threading.Lock()
#: Held while a model trains, so one process never trains the same model twice at once.
_train_lock = threading.Lock()
Key = tuple[tuple[tuple[str, str], ...], float]
#: Trained models by (examples, decay), oldest first; a few are kept.
_models: dict[Key, ToneModel] = {}
_KEEP = 4
#: Training under way in the background, by the same key.
_training: dict[Key, threading.Thread] = {}
#: The model trained last per language: what a check uses while a new one trains.
_latest: dict[str, ToneModel] = {}


#: Where trained models are kept between processes (``set_cache_dir``); None keeps none.
_cache_dir: Path | None = None
#: Signs each kept model, so a file someone else put in the folder is never unpickled.
_cache_key = b""
#: The source of this module: a change to the features or the training is a new model.
_SOURCE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def set_cache_dir(path: Path | None, key: bytes = b"") -> None:
    """Keep trained models in ``path``, signed with ``key``, so a restart or a second
    process (the worker, another web process) loads in a fraction of a second what
    took fifteen to train, and a model trained for new examples trains in a process
    of its own."""
    global _cache_dir, _cache_key
    _cache_dir, _cache_key = path, key


def _signature(payload: bytes) -> bytes:
    return hmac.new(_cache_key, payload, hashlib.sha256).digest()


def _cache_file(key: Key) -> Path | None:
    if _cache_dir is None:
        return None
    digest = hashlib.sha256(json.dumps([_SOURCE, key[0], key[1]]).encode()).hexdigest()
    return _cache_dir / f"tone-{digest[:40]}.pickle"


def _load(path: Path | None) -> ToneModel | None:
    """The model kept at ``path``, or None if there is none or it cannot be read."""
    if path is None or not path.exists():
        return None
    try:
        stored = path.read_bytes()
        signature, payload = stored[:32], stored[32:]
        if not hmac.compare_digest(signature, _signature(payload)):
            logger.warning(
                "Tone model cache %s not signed with this key; training again", path.name
            )
            return None
        model = pickle.loads(payload)
    except Exception:
        logger.warning("Tone model cache %s unreadable; training again", path.name)
        return None
    return model if isinstance(model, ToneModel) else None


def _store(path: Path | None, model: ToneModel) -> None:
    """Write ``model`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(handle, "wb") as out:
            out.write(_signature(payload) + payload)
        os.replace(temporary, path)
        # Each set of examples an admin tried is a model; the newest few are kept.
        kept = sorted(path.parent.glob("tone-*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        logger.warning("Tone model cache %s not written", path, exc_info=True)


_RUNNER = "import sys; from rightdesk.quality.engine.tonemodel import _main; _main(sys.argv[1:])"


def _train_elsewhere(key: Key, path: Path) -> ToneModel:
    """Train in a process of its own (``_main``), so the web process keeps answering at
    full speed, and load what it wrote."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".json", delete=False) as out:
        json.dump({"examples": key[0], "l2": key[1], "key": _cache_key.hex()}, out)
    try:
        root = str(Path(__file__).resolve().parents[3])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        subprocess.run(
            [sys.executable, "-c", _RUNNER, out.name, str(path)],
            check=True,
            capture_output=True,
            timeout=600,
            env=env,
        )
    finally:
        os.unlink(out.name)
    model = _load(path)
    if model is None:
        raise RuntimeError(f"tone model training wrote no model to {path.name}")
    return model


def _train_and_keep(key: Key, language: str, *, elsewhere: bool = False) -> ToneModel:
    try:
        with _train_lock:
            with _lock:
                model = _models.get(key)
            path = _cache_file(key)
            if model is None:
                model = _load(path)
            if model is None and elsewhere and path is not None:
                try:
                    model = _train_elsewhere(key, path)
                except Exception:
                    logger.warning(
                        "Training in a process of its own failed; training here", exc_info=True
                    )
            if model is None:
                model = train(key[0], l2=key[1])
                _store(path, model)
            with _lock:
                _models[key] = model
                while len(_models) > _KEEP:
                    del _models[next(iter(_models))]
                _latest[language] = model
        return model
    finally:
        # A training that failed is not left pending: the next check starts another.
        with _lock:
            _training.pop(key, None)


def _train_in_background(key: Key, language: str) -> None:
    try:
        _train_and_keep(key, language, elsewhere=True)
    except Exception:
        logger.exception("Training the tone model failed; checks keep the model trained last")


def model_of(rules: Rules) -> ToneModel:
    """The model for these rules' examples: trained once per process, set of examples and decay.

    Kept on the compiled rules, so a check after the first costs no training; rules
    recompiled for an unrelated admin change reuse the model trained on the same
    examples. When an admin adds an example, the new model trains in the background
    (about fifteen seconds; in a process of its own when models are kept on disk,
    ``set_cache_dir``) and checks meanwhile use the model trained last for the
    language, so the console never waits; only the very first check in a process,
    with no model at all and none kept on disk, waits for training (``rightdesk
    serve`` loads or trains one at start-up).
    """
    model = rules.extras.get("tone_model")
    if model is not None:
        return model
    key = (rules.tone_examples, rules.thresholds.get("tone_model_l2", DEFAULT_L2))
    with _lock:
        ready = _models.get(key)
        previous = _latest.get(rules.language)
        if ready is None and previous is not None:
            if key not in _training:
                thread = threading.Thread(
                    target=_train_in_background,
                    args=(key, rules.language),
                    name="tone-model",
                    daemon=True,
                )
                _training[key] = thread
                thread.start()
            return previous
    model = ready or _train_and_keep(key, rules.language)
    rules.extras["tone_model"] = model
    return model


def wait_for_training() -> None:
    """Wait until every model training in the background has finished or failed."""
    while True:
        with _lock:
            threads = [t for t in _training.values() if t.is_alive()]
        if not threads:
            return
        for thread in threads:
            thread.join()


def _main(argv: list[str]) -> None:
    """In the training process (``_RUNNER EXAMPLES.json MODEL.pickle``): train on the
    examples and decay in the JSON file and write the model."""
    source, target = argv
    job = json.loads(Path(source).read_text(encoding="utf-8"))
    set_cache_dir(Path(target).parent, bytes.fromhex(job["key"]))
    examples = tuple((str(kind), str(text)) for kind, text in job["examples"])
    _store(Path(target), train(examples, l2=float(job["l2"])))
