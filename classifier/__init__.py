"""Report classifier: kind, key area, violation, priority, real name, language and entities of a
message to the discipline inspection office. Standalone: it imports nothing else of the project.

    from classifier import load
    classifier = load("data/model")          # trains the model first if it is missing
    classifier.classify(subject, text)       # -> {"kind", "area", "violation", "priority",
                                             #     "real_name", "language", "entities"}
"""

from .model import Classifier, ModelError, load, model_exists

__all__ = ["Classifier", "ModelError", "load", "model_exists"]
