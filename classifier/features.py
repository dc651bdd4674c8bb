"""The text classifiers' model: a sparse linear layer over hashed n-grams and concept features.

Like spaCy's TextCatBOW, but it reads each token's NORM (so case, width, traditional characters
and the digits of a sum do not split a feature), skips whitespace tokens, adds the concept
features of `concepts.py`, the law's terms of `law.py` and the first letters of long Latin words
(a cheap stem that also survives typos such as "goverment"), and damps repeated features with a
logarithm and scales each document to unit length, so a long rambling e-mail does not outvote a
short clear one.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import List, Optional, cast

import numpy
import spacy
from spacy.attrs import IDX, NORM
from spacy.ml.models.textcat import resize_and_set_ref, resize_linear_weighted
from spacy.tokens import Doc
from thinc.api import Model, SparseLinear_v2, chain, resizable, softmax_activation, with_cpu
from thinc.types import Floats2d

from .concepts import find_concepts
from .scoring import facts
from .tokenizer import NORMS_KEY, doc_norm_text, doc_text

# The same value spaCy's BOW model puts in the bias of a class not yet trained.
_NEG_VALUE = -5000

_key_cache: dict[str, int] = {}


# a worker reads millions of words; the cache of their stems' keys must not grow with them
_KEY_CACHE_LIMIT = 200_000


def _stable_key(text: str) -> int:
    """A 64-bit key for a feature name, the same in every process (unlike hash())."""
    key = _key_cache.get(text)
    if key is None:
        key = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
        if len(_key_cache) >= _KEY_CACHE_LIMIT:
            _key_cache.clear()
        _key_cache[text] = key
    return key


def _base_features(doc: Doc, prefix_len: int) -> tuple:
    """What every setting reads: the NORM ids without whitespace, word stems, concept counts.
    Kept with the doc, so that the three text classifiers compute them once between them."""
    key = ("classifier.base", prefix_len)
    base = doc.user_data.get(key)
    if base is None:
        norms = doc.user_data.get(NORMS_KEY)
        if norms is None:
            norms = [token.norm_ for token in doc]
        keep = numpy.asarray([not norm.isspace() for norm in norms], dtype=bool)
        unigrams = numpy.ascontiguousarray(doc.to_array(NORM)[keep])
        stems = []
        if prefix_len:
            for norm in norms:
                if len(norm) > prefix_len and norm.isascii() and norm.isalpha():
                    stems.append(_stable_key("~" + norm[:prefix_len]))
        found = find_concepts(doc_norm_text(doc))
        found.update({"law:" + group: count for group, count in facts(doc).law.items()})
        base = (unigrams, numpy.asarray(stems, dtype="uint64"), found)
        doc.user_data[key] = base
    return base


_SUBJECT_SALT = numpy.uint64(0x9E3779B97F4A7C15)


def _subject_features(doc: Doc) -> tuple:
    """The subject line's tokens again, as features of their own ("举报镇长受贿" in the subject
    says more than the same words deep in a forwarded mail), and its concepts."""
    key = "classifier.subject"
    found = doc.user_data.get(key)
    if found is None:
        text = doc_text(doc)
        cut = text.find("\n")
        cut = len(text) if cut < 0 else cut
        offsets = doc.to_array([IDX, NORM]) if len(doc) else numpy.zeros((0, 2), dtype="uint64")
        norms = doc.user_data.get(NORMS_KEY) or [token.norm_ for token in doc]
        keep = numpy.asarray([not norm.isspace() for norm in norms], dtype=bool) & (offsets[:, 0] < cut)
        keys = numpy.ascontiguousarray(offsets[keep, 1]).astype("uint64") ^ _SUBJECT_SALT
        concepts = find_concepts(doc_norm_text(doc)[:cut])
        found = (keys, {"subject:" + name: count for name, count in concepts.items()})
        doc.user_data[key] = found
    return found


def doc_features(doc: Doc, ops, settings: dict):
    """The keys and values of one document's features (settings: see build_feature_bow)."""
    unigrams, stems, found = _base_features(doc, settings["prefix_len"])
    found = dict(found) if settings["concepts"] else {}
    parts = [unigrams, stems]
    for n in range(2, settings["ngram_size"] + 1):
        if unigrams.shape[0] >= n:
            parts.append(ops.ngrams(n, unigrams))
    if settings.get("subject"):
        subject_keys, subject_concepts = _subject_features(doc)
        parts.append(subject_keys)
        if settings["concepts"]:
            found.update(subject_concepts)
    keys = numpy.concatenate(parts).astype("uint64", copy=False)
    keys, counts = numpy.unique(keys, return_counts=True)
    vals = counts.astype("f")
    if found:
        names = sorted(found)
        keys = numpy.concatenate([keys, numpy.asarray([_stable_key("@" + n) for n in names], dtype="uint64")])
        vals = numpy.concatenate([vals, numpy.asarray([found[n] for n in names], dtype="f")])
    if settings["log_counts"]:
        vals = 1.0 + numpy.log(vals)
    split = len(vals) - len(found)
    if found and settings.get("separate_norm"):
        # n-grams and concepts each scaled to unit length before the concepts are weighted: how
        # much the concepts count then no longer shrinks as the text grows longer
        for part in (slice(0, split), slice(split, None)):
            norm2 = float(numpy.sqrt((vals[part] * vals[part]).sum()))
            if norm2 > 0:
                vals[part] /= norm2
    if found:
        # concepts are few against hundreds of n-grams; weight them up so that they count
        vals[split:] *= settings["concept_weight"]
    norm2 = float(numpy.sqrt((vals * vals).sum()))
    if norm2 > 0:
        vals = vals / norm2
    return keys, vals


_SETTINGS = ("ngram_size", "concepts", "prefix_len", "log_counts", "concept_weight", "subject", "separate_norm")


def extract_features(**settings) -> Model:
    return Model("extract_features", _extract_forward, attrs={"settings": settings})


def _extract_forward(model: Model, docs: List[Doc], is_train: bool):
    batch_keys = []
    batch_vals = []
    settings = model.attrs["settings"]
    # The three text classifiers read the same features of the same doc, and training reads
    # them once per epoch: compute them once per doc and keep them with the doc.
    cache_key = ("classifier.features",) + tuple(settings.get(name) for name in _SETTINGS)
    for doc in docs:
        cached = doc.user_data.get(cache_key)
        if cached is None:
            cached = doc_features(doc, model.ops, settings)
            doc.user_data[cache_key] = cached
        keys, vals = cached
        batch_keys.append(keys)
        batch_vals.append(vals)
    lengths = model.ops.asarray([arr.shape[0] for arr in batch_keys], dtype="int32")
    keys = numpy.concatenate(batch_keys) if batch_keys else numpy.zeros((0,), dtype="uint64")
    vals = model.ops.asarray(numpy.concatenate(batch_vals) if batch_vals else numpy.zeros((0,)), dtype="f")

    def backprop(dY):
        return []

    return (keys, vals, lengths), backprop


@spacy.registry.architectures("classifier.FeatureBOW.v1")
def build_feature_bow(
    exclusive_classes: bool,
    ngram_size: int = 3,
    concepts: bool = True,
    prefix_len: int = 5,
    log_counts: bool = True,
    concept_weight: float = 1.0,
    subject: bool = False,
    separate_norm: bool = False,
    length: int = 262144,
    nO: Optional[int] = None,
) -> Model[List[Doc], Floats2d]:
    """Bag of n-grams and concepts, one sparse linear layer, softmax (or logistic) on top."""
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": 0, "W": 0}
    with Model.define_operators({">>": chain}):
        output_layer = None
        if exclusive_classes:
            fill_defaults["b"] = _NEG_VALUE
            output_layer = softmax_activation()
        else:
            from thinc.api import Logistic

            fill_defaults["b"] = _NEG_VALUE
            output_layer = Logistic()
        resizable_layer = resizable(
            sparse_linear,
            resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults),
        )
        model = extract_features(
            ngram_size=ngram_size,
            concepts=concepts,
            prefix_len=prefix_len,
            log_counts=log_counts,
            concept_weight=concept_weight,
            subject=subject,
            separate_norm=separate_norm,
        ) >> resizable_layer
        model = with_cpu(model, model.ops)
        model = model >> with_cpu(output_layer, output_layer.ops)
    if nO is not None:
        model.set_dim("nO", cast(int, nO))
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_layer)
    return model
