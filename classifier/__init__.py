"""Report classifier: kind, key area, violation, priority, real name, language and entities of a
message to the discipline inspection office. Standalone: it imports nothing else of the project.

    from classifier import load
    classifier = load("data/model")          # trains the model first if it is missing
    classifier.classify(subject, text)       # -> {"kind", "area", "violation", "priority",
                                             #     "real_name", "language", "entities",
                                             #     "confidence", "spam_threshold"}

spaCy is imported only when the model is: `classifier.language` and `classifier.labels` serve
quick commands that never classify.
"""

from importlib import import_module

__all__ = ["Classifier", "ModelError", "load", "model_exists"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(import_module("classifier.model"), name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
