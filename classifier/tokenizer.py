"""A tokenizer for Chinese and English in one pipeline, with no segmentation model to download.

Han characters become one token each (character n-grams then do the work of words), Latin words,
numbers with their units ("50万元", "3,000", "¥2000") and e-mail addresses stay whole. Token texts
are what the reporter wrote; each token's NORM is the normalised form the models read.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator

import numpy
import spacy
from spacy.attrs import NORM
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .normalize import normalize

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Alternatives are tried in order, so the longer kinds (addresses, sums) come before the parts
# they are made of. The pattern runs on normalised text: lower-case ASCII, half-width.
# Every repeat is bounded: the alternatives are tried at every position, and an unbounded one
# (an e-mail's local part over a run of 50,000 dots) is tried again from each of them.
_TOKEN = re.compile(
    r"(?P<email>[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8})"
    r"|(?P<url>(?:https?://|www\.)[^\s" + _HAN + r"]+)"
    r"|(?P<money>(?:[¥$]|rmb|usd)?\d+(?:[,.]\d+)*(?:[万亿千百]+)?(?:元|块钱|块|美元|%)"
    r"|[¥$]\d+(?:[,.]\d+)*|\d+(?:[,.]\d+)*[万亿]+)"
    r"|(?P<num>\d+(?:[,.:/-]\d+)*)"
    r"|(?P<word>[a-z0-9]*[a-z][a-z0-9]*(?:['’][a-z]+)?)"
    r"|(?P<han>[" + _HAN + r"]+)"
    r"|(?P<other>\S)"
)

TEXT_KEY = "classifier.text"
NORM_TEXT_KEY = "classifier.norm_text"
NORMS_KEY = "classifier.norms"

# NORM of tokens whose exact digits say nothing about the kind of message
_NUM_NORM = "#num"
_MONEY_NORM = "#money"


def doc_text(doc: Doc) -> str:
    """The doc's text; cheaper than doc.text, which joins every token again."""
    text = doc.user_data.get(TEXT_KEY)
    return doc.text if text is None else text


def doc_norm_text(doc: Doc) -> str:
    """The doc's normalised text (see normalize.py)."""
    norm_text = doc.user_data.get(NORM_TEXT_KEY)
    return normalize(doc.text) if norm_text is None else norm_text


class HanLatinTokenizer:
    """Callable tokenizer: text -> Doc, with NORM set to the normalised token text."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        norm_text = normalize(text)
        words: list[str] = []
        spaces: list[bool] = []
        norms: list[str] = []
        pos = 0
        for match in _TOKEN.finditer(norm_text):
            start = match.start()
            if start > pos:
                self._add_gap(text[pos:start], words, spaces, norms)
            kind = match.lastgroup
            if kind == "han":
                # a run of Han characters, one token each
                run = match.group()
                words.extend(text[start : match.end()])
                norms.extend(run)
                spaces.extend([False] * len(run))
                pos = match.end()
                continue
            words.append(text[start : match.end()])
            spaces.append(False)
            if kind == "num":
                norms.append(_NUM_NORM)
            elif kind == "money":
                norms.append(_MONEY_NORM)
            else:
                norms.append(match.group())
            pos = match.end()
        if pos < len(text):
            self._add_gap(text[pos:], words, spaces, norms)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        if words:
            # set every NORM in one call: creating a Token object per token costs more than
            # everything else the tokenizer does
            ids = numpy.fromiter(map(self.vocab.strings.add, norms), dtype="uint64", count=len(norms))
            doc.from_array([NORM], ids.reshape(-1, 1))
        # kept for the features and rules, which would otherwise rebuild them from the tokens
        doc.user_data[TEXT_KEY] = text
        doc.user_data[NORM_TEXT_KEY] = norm_text
        doc.user_data[NORMS_KEY] = norms
        return doc

    @staticmethod
    def _add_gap(gap: str, words: list[str], spaces: list[bool], norms: list[str]) -> None:
        # spaCy's convention: one plain space after a token is the token's trailing space;
        # any other whitespace becomes a whitespace token of its own.
        if words and gap.startswith(" ") and not spaces[-1]:
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)
            norms.append(" " if gap.isspace() else gap)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # The tokenizer has no state: these exist because spaCy saves and loads every tokenizer.
    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return b""

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> "HanLatinTokenizer":
        return self

    def to_disk(self, path, *, exclude: Iterable[str] = tuple()) -> None:
        return None

    def from_disk(self, path, *, exclude: Iterable[str] = tuple()) -> "HanLatinTokenizer":
        return self


@spacy.registry.tokenizers("classifier.HanLatinTokenizer.v1")
def create_tokenizer() -> Callable[["spacy.Language"], HanLatinTokenizer]:
    def make(nlp: "spacy.Language") -> HanLatinTokenizer:
        # Nothing in this pipeline reads lexeme attributes (shape, like_num, stop words...):
        # the models read the NORM the tokenizer sets on each token. Computing them for every
        # new word was a third of the tokenizer's time.
        nlp.vocab.lex_attr_getters = {}
        return HanLatinTokenizer(nlp.vocab)

    return make
