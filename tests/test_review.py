"""Review and publish: decisions by the scriptable and the interactive form, kept in the
decisions file and SQLite, attached to their claims as the corpus grows, and only confirmed
clusters with a verdict published. Real index (the seeds and examples/contradictions)."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck import Corpus
from factcheck.cli import app
from factcheck.filters import Filters
from factcheck.publish import claim_review, publish_lines
from factcheck.review import Decision, ReviewError, Reviews, dismissed_pairs
from factcheck.serve import make_server

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "contradictions"
# The desk is tested on the planted clusters, whatever check-worthiness lets into a report.
EVERY_STATEMENT = Filters(min_checkworthy=0.0)
runner = CliRunner()


@pytest.fixture(scope="module")
def reported_index(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Seeds plus the example contradictions, ingested and reported once."""
    path = tmp_path_factory.mktemp("review") / "index"
    with Corpus.open(path) as corpus:
        corpus.ingest([seeds_dir, EXAMPLES])
        corpus.report(filters=EVERY_STATEMENT)
    yield path


@pytest.fixture
def index(reported_index: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(reported_index, copy)
    return copy


def _clusters(index: Path) -> dict[str, dict]:
    """The report's clusters by the article id of their planted statement."""
    with Corpus.open(index, create=False) as corpus:
        lines = corpus.store.report_lines()
    found = {}
    for line in lines:
        for s in line["statements"]:
            if s["article"]["path"] and "contradictions" in s["article"]["path"]:
                found[s["article"]["id"]] = line
    return found


def _invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


@pytest.mark.slow
def test_scriptable_review_is_recorded_and_published(index: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "claims" / "decisions.jsonl"
    forces = _clusters(index)["forces"]
    conflict = forces["conflicts"][0]
    common = ["--index", str(index), "--decisions", str(decisions)]
    confirmed = _invoke(
        "review", forces["id"], "--confirm", "--conflict", f"{conflict['a']}:{conflict['b']}",
        "--note", "70 % in the US estimate", "--reviewer", "alice", *common,
    )  # fmt: skip
    assert confirmed.exit_code == 0, confirmed.output
    verdict = _invoke(
        "review", forces["id"], "--confirm", "--verdict", "false", "--reviewer", "alice", *common
    )
    assert verdict.exit_code == 0, verdict.output

    lines = [json.loads(x) for x in decisions.read_text(encoding="utf-8").splitlines()]
    assert [x["decision"] for x in lines] == ["confirmed", "confirmed"]
    assert lines[0]["conflict"] == [conflict["a"], conflict["b"]]
    assert lines[0]["note"] == "70 % in the US estimate"
    assert lines[1]["verdict"] == "false" and lines[1]["reviewer"] == "alice"
    assert lines[0]["claim"] == forces["claim"]["text"]

    claimreview = tmp_path / "claimreview.json"
    published = _invoke(
        "publish", *common, "--claimreview", str(claimreview), "--author", "Desk",
        "--url-base", "https://example.org/checks/",
    )  # fmt: skip
    assert published.exit_code == 0, published.output
    out = [json.loads(x) for x in published.stdout.splitlines()]
    assert [x["id"] for x in out] == [forces["id"]]  # the others were not reviewed
    assert out[0]["review"]["verdict"] == "false"
    assert out[0]["review"]["conflicts"][0]["note"] == "70 % in the US estimate"

    [review] = json.loads(claimreview.read_text(encoding="utf-8"))
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == forces["claim"]["text"]
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["author"] == {"@type": "Organization", "name": "Desk"}
    assert review["url"] == f"https://example.org/checks/{forces['id']}"
    texts = {a["text"] for a in review["itemReviewed"]["appearance"]}
    assert texts == {s["text"] for s in forces["statements"]}
    dated = [
        a["datePublished"] for a in review["itemReviewed"]["appearance"] if "datePublished" in a
    ]
    assert review["itemReviewed"]["datePublished"] == min(dated) == forces["first_seen"]
    assert review["datePublished"] == lines[1]["at"][:10]


@pytest.mark.slow
def test_interactive_review_through_its_input(index: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.jsonl"
    common = ["--index", str(index), "--decisions", str(decisions)]
    with Corpus.open(index, create=False) as corpus:
        order = [x["id"] for x in corpus.store.report_lines()]
    # First cluster: confirm its conflict with a note and call it misleading; second:
    # dismiss; then quit. A second session resumes at the third cluster.
    first = _invoke("review", *common, "--reviewer", "bob", input="c\nsee note\nm\nd\n\nq\n")
    assert first.exit_code == 0, first.output
    lines = [json.loads(x) for x in decisions.read_text(encoding="utf-8").splitlines()]
    assert [(x["cluster"], x["decision"], x["verdict"]) for x in lines] == [
        (order[0], "confirmed", None),
        (order[0], "confirmed", "misleading"),
        (order[1], "dismissed", None),
    ]
    assert lines[0]["note"] == "see note"
    second = _invoke("review", *common, input="q\n")
    assert f"1/{len(order) - 2} · cluster {order[2]}" in second.stdout


@pytest.mark.slow
def test_decisions_survive_growth_reingest_and_import(index: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.jsonl"
    macron = _clusters(index)["macron"]
    with Corpus.open(index, create=False) as corpus:
        reviews = Reviews(corpus.store, decisions)
        reviews.record(Decision(macron["id"], "confirmed", verdict="false", reviewer="carol"))
        # The corpus grows and the planted article is re-ingested with an extra sentence.
        grown = tmp_path / "grown"
        shutil.copytree(EXAMPLES, grown)
        macron_file = grown / "macron.txt"
        macron_file.write_text(
            macron_file.read_text(encoding="utf-8") + "Ils se sont quittés sans accord.\n",
            encoding="utf-8",
        )
        corpus.ingest([grown])
        corpus.report(filters=EVERY_STATEMENT)
        assert Reviews(corpus.store, decisions).state(macron["id"]).publishable
        # A new index, or one whose decisions were lost, is rebuilt from the file alone.
        corpus.store.db.execute("DELETE FROM decisions")
        corpus.store.db.commit()
        assert not reviews.state(macron["id"]).reviewed
        assert reviews.import_file(decisions) == 1
        assert reviews.state(macron["id"]).verdict.reviewer == "carol"
        assert [x["id"] for x in publish_lines(reviews)] == [macron["id"]]


@pytest.mark.slow
def test_a_merged_decisions_file_is_read_on_open(index: Path, tmp_path: Path) -> None:
    """A colleague's decisions, merged into the file by git, count without an import; the
    latest decision on a conflict wins and lines both branches kept count once."""
    decisions = tmp_path / "decisions.jsonl"
    forces = _clusters(index)["forces"]
    pair = (forces["conflicts"][0]["a"], forces["conflicts"][0]["b"])
    mine = Decision(forces["id"], "dismissed", conflict=pair, at="2026-01-01T10:00:00+00:00")
    theirs = Decision(forces["id"], "confirmed", conflict=pair, at="2026-01-02T10:00:00+00:00")
    decisions.write_text(
        "".join(json.dumps(d.to_dict()) + "\n" for d in (mine, theirs, mine)), encoding="utf-8"
    )
    with Corpus.open(index, create=False) as corpus:
        reviews = Reviews(corpus.store, decisions)
        state = reviews.state(forces["id"])
        assert len(reviews.decisions()) == 2
    assert state.conflicts[frozenset(pair)].decision == "confirmed"


@pytest.mark.slow
def test_dismissed_conflicts_are_not_reported_again(index: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.jsonl"
    dialogue = _clusters(index)["dialogue"]
    [conflict] = dialogue["conflicts"]
    result = _invoke(
        "review", dialogue["id"], "--dismiss", "--conflict", f"{conflict['b']}:{conflict['a']}",
        "--index", str(index), "--decisions", str(decisions),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = _invoke(
        "report", "--index", str(index), "--decisions", str(decisions), "--min-checkworthy", "0"
    )
    assert report.exit_code == 0
    ids = [json.loads(x)["id"] for x in report.stdout.splitlines()]
    assert dialogue["id"] not in ids and len(ids) == len(_clusters(index)) == 3


@pytest.mark.slow
def test_stats_by_language(index: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.jsonl"
    clusters = _clusters(index)
    with Corpus.open(index, create=False) as corpus:
        reviews = Reviews(corpus.store, decisions)
        for name, decision in (("forces", "confirmed"), ("macron", "dismissed"),
                               ("separatists", "dismissed")):  # fmt: skip
            c = clusters[name]["conflicts"][0]
            reviews.record(Decision(clusters[name]["id"], decision, conflict=(c["a"], c["b"])))
    result = _invoke("review", "--stats", "--json", "--index", str(index), "--decisions",
                     str(decisions))  # fmt: skip
    stats = json.loads(result.stdout)
    assert stats["fr"] == {"confirmed": 1, "dismissed": 1, "needs-work": 0, "agreement": 0.5}
    assert stats["en+fr"]["agreement"] == 0.0


@pytest.mark.slow
def test_bad_decisions_are_refused_clearly(index: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.jsonl"
    forces = _clusters(index)["forces"]
    common = ["--index", str(index), "--decisions", str(decisions)]
    unknown = _invoke("review", "c000000000000", "--confirm", *common)
    assert unknown.exit_code == 1 and "no cluster 'c000000000000'" in unknown.stderr
    pair = _invoke("review", forces["id"], "--confirm", "--conflict", "sx:sy", *common)
    assert pair.exit_code == 1 and "has no conflict sx:sy" in pair.stderr
    verdict = _invoke("review", forces["id"], "--verdict", "wrong", *common)
    assert verdict.exit_code == 1 and "verdict 'wrong'" in verdict.stderr
    both = _invoke("review", forces["id"], "--confirm", "--dismiss", *common)
    assert both.exit_code == 2  # a usage error: options that do not go together
    assert not decisions.exists()  # nothing was written

    decisions.write_text('{"cluster": "c1", "decision": "confirmed"}\nnot json\n')
    broken = _invoke("review", "--stats", *common)
    assert broken.exit_code == 1 and f"{decisions}:2: invalid JSON" in broken.stderr
    missing = _invoke("review", "--import", "--index", str(index), "--decisions",
                      str(tmp_path / "none.jsonl"))  # fmt: skip
    assert missing.exit_code == 1 and "no decisions file at" in missing.stderr
    with pytest.raises(ReviewError, match="a verdict is given to a whole cluster"):
        Decision("c1", "confirmed", conflict=("sa", "sb"), verdict="false")


@pytest.mark.slow
def test_the_latest_decision_is_the_last_in_the_file_whatever_its_clock(
    index: Path, tmp_path: Path
) -> None:
    """A reviewer's clock set to the year 9999 cannot make a decision final."""
    decisions = tmp_path / "decisions.jsonl"
    forces = _clusters(index)["forces"]
    pair = (forces["conflicts"][0]["a"], forces["conflicts"][0]["b"])
    future = Decision(forces["id"], "confirmed", conflict=pair, at="9999-12-31T23:59:59+00:00")
    decisions.write_text(json.dumps(future.to_dict()) + "\n", encoding="utf-8")
    with Corpus.open(index, create=False) as corpus:
        reviews = Reviews(corpus.store, decisions)
        reviews.record(Decision(forces["id"], "dismissed", conflict=pair))
        assert reviews.state(forces["id"]).conflicts[frozenset(pair)].decision == "dismissed"
        assert frozenset(pair) in dismissed_pairs(corpus.store)


@pytest.mark.slow
def test_a_decisions_line_that_is_no_decision_is_named_and_skipped(
    index: Path, tmp_path: Path
) -> None:
    """A note that is an object: stats, report and the page go on without that line and
    name it; publish refuses until it is fixed. A numeric note is read as text."""
    decisions = tmp_path / "decisions.jsonl"
    forces = _clusters(index)["forces"]
    conflict = [forces["conflicts"][0]["a"], forces["conflicts"][0]["b"]]
    lines = [
        {"cluster": forces["id"], "conflict": conflict, "decision": "confirmed", "note": "ok"},
        {"cluster": forces["id"], "decision": "dismissed", "note": {"why": "wrong match"}},
        {"cluster": forces["id"], "decision": "confirmed", "verdict": "false", "note": 12},
    ]
    decisions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    common = ["--index", str(index), "--decisions", str(decisions)]
    why = f"{decisions}:2: 'note' must be text, not an object"

    stats = _invoke("review", "--stats", "--json", *common)
    assert stats.exit_code == 1 and why in stats.stderr
    assert json.loads(stats.stdout)["fr"]["confirmed"] == 1
    report = _invoke("report", *common)
    assert report.exit_code == 1 and why in report.stderr
    assert forces["id"] in [json.loads(x)["id"] for x in report.stdout.splitlines()]
    claimreview = tmp_path / "claimreview.json"
    publish = ["publish", "--claimreview", str(claimreview), "--author", "Desk", *common]
    refused = _invoke(*publish)
    assert refused.exit_code == 1 and why in refused.stderr
    assert "nothing published" in refused.stderr
    assert refused.stdout == "" and not claimreview.exists()

    server = make_server(index, decisions, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(server.url, timeout=60) as page:
            assert f"{decisions}:2: " in page.read().decode()
        with urllib.request.urlopen(f"{server.url}cluster/{forces['id']}", timeout=60) as page:
            assert page.status == 200 and "— 12</p>" in page.read().decode()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    decisions.write_text("".join(json.dumps(x) + "\n" for x in lines[::2]), encoding="utf-8")
    published = _invoke(*publish)
    assert published.exit_code == 0, published.output
    assert json.loads(claimreview.read_text())[0]["reviewBody"] == "12"


def test_claim_review_of_an_unproven_claim_has_no_rating_value() -> None:
    line = {
        "id": "c0123456789ab",
        "claim": {"text": "Poutine a rassemblé 70 % des forces."},
        "first_seen": None,
        "statements": [
            {"text": "Poutine a rassemblé 70 % des forces.", "article": {"id": "a", "url": None}}
        ],
        "review": {"verdict": "unproven", "note": None, "at": "2026-11-23T10:00:00+00:00"},
    }
    review = claim_review(line, "Desk")
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unproven"}
    assert "url" not in review and "datePublished" not in review["itemReviewed"]


def _record_many(index: str, decisions: str, cluster: str, reviewer: str, n: int) -> None:
    with Corpus.open(index, create=False) as corpus:
        reviews = Reviews(corpus.store, decisions)
        for i in range(n):
            reviews.record(Decision(cluster, note=f"{reviewer} {i}", reviewer=reviewer))


@pytest.mark.slow
def test_two_reviewers_at_once_lose_nothing(index: Path, tmp_path: Path) -> None:
    """Two processes appending decisions at the same time: every line whole, none lost."""
    import multiprocessing

    decisions = tmp_path / "decisions.jsonl"
    cluster = _clusters(index)["forces"]["id"]
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(target=_record_many, args=(str(index), str(decisions), cluster, name, 25))
        for name in ("ann", "ben")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    lines = [json.loads(x) for x in decisions.read_text(encoding="utf-8").splitlines()]
    assert sorted(x["note"] for x in lines) == sorted(
        f"{name} {i}" for name in ("ann", "ben") for i in range(25)
    )
    with Corpus.open(index, create=False) as corpus:
        assert len(Reviews(corpus.store, decisions).decisions(cluster)) == 50
