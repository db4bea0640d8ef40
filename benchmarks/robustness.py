"""No crash on real text: cleaning, sentence splitting and claim features over every text
field of the shared data, then ``factcheck find --file`` over real tweets.

Each text goes through ``clean.clean_text``, ``sentences.split_sentences`` (on the cleaned
blocks) and ``features.extract`` (on each sentence). An exception is recorded with its file,
line, field and stage, and the run goes on: the point is to count them, not to stop at the
first. The tweets of CheckThat! 2020 are then searched, as a watch-list, against an index of
the seed articles (``--rules-only``), which must print one JSON line per tweet.

Run from the repository root: ``python benchmarks/robustness.py`` (``--limit N`` texts per
file, ``--data``, ``--seeds``, ``--out``). Exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from factcheck.clean import clean_text
from factcheck.features import extract
from factcheck.sentences import split_sentences

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "robustness.json"
# Each file and its text fields, with the language of each field (None: the record's own).
SOURCES: dict[str, dict[str, str | None]] = {
    "snli_en/snli_train.jsonl.gz": {"premise": "en", "hypothesis": "en"},
    "snli_en/snli_test.jsonl.gz": {"premise": "en", "hypothesis": "en"},
    "checkthat2020_en/verified_claims.jsonl": {"vclaim": "en", "title": "en"},
    "checkthat2020_en/tweets_train.jsonl": {"tweet": "en"},
    "checkthat2020_en/tweets_dev.jsonl": {"tweet": "en"},
    "checkthat2024_checkworthy_en/train.jsonl": {"text": "en"},
    "checkthat2024_checkworthy_en/dev.jsonl": {"text": "en"},
    "checkthat2024_checkworthy_en/dev_test.jsonl": {"text": "en"},
    "rss_2022_russia_ukraine.jsonl": {"title": None, "description": None},
    "xnli_fr_dev.jsonl": {"premise": "fr", "hypothesis": "fr", "premise_en": "en",
                          "hypothesis_en": "en"},
    "rte3_fr_dev.jsonl": {"premise": "fr", "hypothesis": "fr"},
    "stsb_fr_en_dev.jsonl": {"sentence1_fr": "fr", "sentence2_fr": "fr", "sentence1_en": "en",
                             "sentence2_en": "en"},
    "pawsx_fr_en_dev.jsonl": {"sentence1": "fr", "sentence2": "fr", "sentence1_en": "en",
                              "sentence2_en": "en"},
    "daccord_fr_dev.jsonl": {"premise": "fr", "hypothesis": "fr"},
}  # fmt: skip
TWEETS = ["checkthat2020_en/tweets_train.jsonl", "checkthat2020_en/tweets_dev.jsonl"]
MAX_ERRORS_KEPT = 200  # per file in the JSON; the counts are always complete


@dataclass
class FileResult:
    """Counts for one file; ``errors`` holds the first ``MAX_ERRORS_KEPT`` exceptions."""

    file: str
    texts: int = 0
    sentences: int = 0
    exceptions: int = 0
    seconds: float = 0.0
    errors: list[dict] | None = None

    def fail(self, line: int, field: str, stage: str, exc: BaseException) -> None:
        self.exceptions += 1
        self.errors = self.errors or []
        if len(self.errors) < MAX_ERRORS_KEPT:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            self.errors.append(
                {
                    "line": line, "field": field, "stage": stage,
                    "exception": f"{type(exc).__name__}: {exc}",
                    "at": f"{Path(frame.filename).name}:{frame.lineno}",
                }
            )  # fmt: skip


def records(path: Path) -> Iterator[tuple[int, dict | Exception]]:
    """Each line's number and JSON object, or the exception that reading it raised."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError(f"a JSON {type(record).__name__}, not an object")
                yield lineno, record
            except ValueError as exc:
                yield lineno, exc


def run_file(data: Path, name: str, fields: dict[str, str | None], limit: int | None) -> FileResult:
    """Clean, split and extract features from every text field of ``name``."""
    result = FileResult(name)
    started = time.perf_counter()
    for lineno, record in records(data / name):
        if limit is not None and result.texts >= limit:
            break
        if isinstance(record, Exception):
            result.fail(lineno, "", "read", record)
            continue
        ref_date = _date(record.get("date_published"))
        for field, lang in fields.items():
            text = record.get(field)
            if not isinstance(text, str) or not text.strip():
                continue
            result.texts += 1
            text_lang = lang or record.get("language")
            result.sentences += _process(result, lineno, field, text, text_lang, ref_date)
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _process(
    result: FileResult, line: int, field: str, text: str, lang: str | None, ref: date | None
) -> int:
    """One text through the three stages; returns its sentence count (0 after a failure)."""
    stage = "clean"
    try:
        cleaned = clean_text(text)
        stage = "split"
        spans = split_sentences(text, cleaned.blocks, lang)
        stage = "features"
        for start, end in spans:
            extract(text[start:end], lang, cleaned.date or ref)
    except Exception as exc:  # noqa: BLE001 - the benchmark counts every kind of failure
        result.fail(line, field, stage, exc)
        return 0
    return len(spans)


def _date(value: object) -> date | None:
    """The day of an RSS ``date_published`` ("2022-01-01 13:01:11+00:00"), if any."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def find_tweets(data: Path, seeds: Path, limit: int | None) -> dict:
    """``factcheck find --file`` over the tweets against a seed index: one line per tweet?"""
    tweets = []
    for name in TWEETS:
        found = [r["tweet"] for _, r in records(data / name) if isinstance(r, dict)]
        tweets += found[:limit] if limit is not None else found
    with tempfile.TemporaryDirectory() as tmp:
        index, watch = Path(tmp) / "index", Path(tmp) / "tweets.jsonl"
        watch.write_text("".join(json.dumps({"claim": t}) + "\n" for t in tweets), "utf-8")
        cli = [sys.executable, "-m", "factcheck.cli"]
        built = subprocess.run(
            [*cli, "ingest", str(seeds), "--index", str(index)], capture_output=True, text=True
        )
        started = time.perf_counter()
        run = subprocess.run(
            [*cli, "find", "--file", str(watch), "--index", str(index), "--rules-only", "-k", "3"],
            capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
    lines = run.stdout.splitlines()
    claims = []
    for line in lines:
        try:
            claims.append(json.loads(line)["claim"])
        except (ValueError, KeyError, TypeError):
            claims.append(None)
    expected = [t.strip() for t in tweets]
    return {
        "tweets": len(tweets),
        "lines": len(lines),
        "one_line_per_tweet": claims == expected,
        "ingest_exit": built.returncode,
        "find_exit": run.returncode,
        "seconds": round(seconds, 2),
        "stderr_tail": (built.stderr + run.stderr)[-2000:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="about N texts per file [all]")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")

    results = []
    print(f"{'file':<46} {'texts':>8} {'sentences':>10} {'exceptions':>10} {'s':>7}")
    for name, fields in SOURCES.items():
        if not (args.data / name).exists():
            print(f"{name:<46} missing")
            continue
        r = run_file(args.data, name, fields, args.limit)
        results.append(r)
        print(f"{name:<46} {r.texts:>8,} {r.sentences:>10,} {r.exceptions:>10,} {r.seconds:>7.1f}")
        for error in (r.errors or [])[:5]:
            print(f"    line {error['line']} {error['field']} ({error['stage']}): "
                  f"{error['exception'][:120]}")  # fmt: skip
    find = find_tweets(args.data, args.seeds, args.limit)
    print(
        f"find --file over {find['tweets']} tweets: {find['lines']} lines, exit "
        f"{find['find_exit']}, one line per tweet: {find['one_line_per_tweet']} "
        f"({find['seconds']} s)"
    )
    exceptions = sum(r.exceptions for r in results)
    ok = exceptions == 0 and find["one_line_per_tweet"] and find["ingest_exit"] == 0
    ok = ok and find["find_exit"] == 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "benchmark": "robustness",
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "limit": args.limit,
        "texts": sum(r.texts for r in results),
        "sentences": sum(r.sentences for r in results),
        "exceptions": exceptions,
        "ok": ok,
        "files": [r.__dict__ for r in results],
        "find_tweets": find,
    }
    args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"{summary['texts']:,} texts, {exceptions} exceptions → {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
