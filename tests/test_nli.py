"""The optional NLI model, on a tiny BERT classifier the test builds (nothing can be downloaded)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from factcheck import ModelError
from factcheck.nli import NLIModel, label_order

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

WORDS = ["le", "la", "il", "a", "dit", "ne", "pas", "est", "the", "he", "said", "not", "is", "home"]
PAIRS = [
    ("Il a dit : je suis à la maison.", "Il n'a pas dit un mot."),
    ("He said he is home.", "He is home."),
    ("Le bus est là.", "The bus is not here."),
]
# Shuffled against the usual order, so that only reading id2label gives the right names.
ID2LABEL = {0: "CONTRADICTION", 1: "Entailment", 2: "neutral"}


def build_model(path: Path, id2label: dict[int, str], favoured: int) -> Path:
    """A 2-layer BERT whose classifier ignores its input and always favours output ``favoured``.

    Zero weights and a bias of 3 on one output make every pair score exactly
    softmax([3, 0, 0]), so the test can check the label mapping and the probabilities.
    """
    vocab = path / "vocab.txt"
    path.mkdir(parents=True, exist_ok=True)
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(vocab), model_max_length=64)
    config = transformers.BertConfig(
        vocab_size=len(WORDS) + 5,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        id2label=id2label,
        label2id={name: i for i, name in id2label.items()},
    )
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[favoured] = 3.0
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Favours output 1, which ID2LABEL names entailment."""
    return build_model(tmp_path_factory.mktemp("nli"), ID2LABEL, favoured=1)


def check_predictions(model: NLIModel, expected: str) -> None:
    results = model.predict(PAIRS)
    high = math.exp(3) / (math.exp(3) + 2)
    assert len(results) == len(PAIRS)
    for result in results:
        assert result["label"] == expected
        assert set(result["scores"]) == {"entailment", "neutral", "contradiction"}
        assert sum(result["scores"].values()) == pytest.approx(1.0)
        assert result["scores"][expected] == pytest.approx(high, abs=1e-5)


def test_cross_encoder_reads_labels_from_the_config(tiny_nli: Path) -> None:
    pytest.importorskip("sentence_transformers")
    model = NLIModel(str(tiny_nli), batch_size=2)  # two batches for three pairs
    assert model._cross_encoder is not None
    check_predictions(model, "entailment")
    assert model.predict([]) == []


def test_plain_transformers_without_sentence_transformers(
    tiny_nli: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import now fails
    model = NLIModel(str(tiny_nli), batch_size=2)
    assert model._cross_encoder is None
    check_predictions(model, "entailment")


def test_another_order_gives_another_label(tmp_path: Path) -> None:
    path = build_model(tmp_path / "m", {0: "entailment", 1: "neutral", 2: "contradiction"}, 2)
    check_predictions(NLIModel(str(path)), "contradiction")


def test_unnamed_labels_are_refused(tmp_path: Path) -> None:
    path = build_model(tmp_path / "m", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, 0)
    with pytest.raises(ModelError, match="config.id2label names its three labels"):
        NLIModel(str(path))


def test_label_order_accepts_the_usual_spellings() -> None:
    assert label_order({"0": "ENTAILMENT", "1": "Neutral", "2": "contradict"}) == [
        "entailment",
        "neutral",
        "contradiction",
    ]
    assert label_order({0: "contradiction", 1: "entails", 2: "neutral"})[1] == "entailment"
    with pytest.raises(ModelError):
        label_order({0: "entailment", 1: "not_entailment"})


def test_missing_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot load NLI model"):
        NLIModel(str(tmp_path / "no-such-model"))


def test_importing_nli_does_not_import_torch() -> None:
    code = "import sys, factcheck.nli; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
