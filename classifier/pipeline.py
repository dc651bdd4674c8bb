"""The spaCy pipeline: our tokenizer, three text classifiers, the entity rules."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import spacy
from spacy.language import Language

from . import entities as _entities  # noqa: F401  (registers the entity_rules component)
from . import features as _features  # noqa: F401  (registers classifier.FeatureBOW.v1)
from . import tokenizer as _tokenizer  # noqa: F401  (registers classifier.HanLatinTokenizer.v1)
from .labels import TASKS, cat_name, component_name


@dataclass(frozen=True)
class ModelParams:
    """What one text classifier looks at; chosen on the dev split (see data/README.md)."""

    # 1: single tokens (a Han character, a Latin word); 2: also pairs of neighbouring tokens
    ngram_size: int = 1
    concepts: bool = True
    # Latin words longer than this also give their first prefix_len letters as a feature
    prefix_len: int = 5
    log_counts: bool = True
    concept_weight: float = 3.0
    # the subject line's tokens and concepts again, as features of their own
    subject: bool = False
    # n-grams and concepts scaled to unit length apart before the concepts are weighted
    separate_norm: bool = False
    # rows of the hashed weight table
    length: int = 131072


def build_nlp(params: dict[str, ModelParams]) -> Language:
    """A blank, untrained pipeline; params gives each task's model settings."""
    nlp = spacy.blank("xx", config={"nlp": {"tokenizer": {"@tokenizers": "classifier.HanLatinTokenizer.v1"}}})
    for task, labels in TASKS.items():
        model = {"@architectures": "classifier.FeatureBOW.v1", "exclusive_classes": True, **asdict(params[task])}
        textcat = nlp.add_pipe("textcat", name=component_name(task), config={"model": model})
        for label in labels:
            textcat.add_label(cat_name(task, label))
    nlp.add_pipe("entity_rules")
    return nlp
