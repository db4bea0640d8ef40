"""The review desk under load (issue #16): how long the home page takes while 20 clients
search at once, against the same page on the same server with no search running (the
baseline, measured in the same run).

The index is the seeds plus examples/contradictions, reported. 20 threads send searches
one after another (each a different claim; after a 503, they wait the second its Retry-After
asks) while the home page is fetched ``--pages`` times, ``--pause`` seconds apart. Searches
beyond the server's ``SEARCHES`` in flight are answered 503 at once; the table counts both.

    python benchmarks/serve.py            # ~2 min on 2 CPUs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from factcheck import Corpus
from factcheck.serve import SEARCHES, make_server

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("FACTCHECK_SEEDS", ROOT.parent / "shared" / "seeds"))
EXAMPLES = ROOT / "examples" / "contradictions"
RESULTS = ROOT / "benchmarks" / "results" / "serve.json"


def get(url: str) -> tuple[int, float]:
    """Status and seconds of one GET."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - start


def pages(url: str, n: int, pause: float) -> list[float]:
    """``n`` home pages, ``pause`` seconds apart, as a reviewer clicking through."""
    times = []
    for _ in range(n):
        status, seconds = get(url)
        assert status == 200, status
        times.append(seconds)
        time.sleep(pause)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20, help="searching at once")
    parser.add_argument("--pages", type=int, default=50, help="home page fetches per phase")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        with Corpus.open(index) as corpus:
            corpus.ingest([SEEDS, EXAMPLES])
            corpus.report()
        server = make_server(index, Path(tmp) / "decisions.jsonl", port=0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            idle = pages(server.url, args.pages, args.pause)
            stop = threading.Event()
            answers: Counter[int] = Counter()
            searched: list[float] = []

            def search(i: int) -> None:
                n = 0
                while not stop.is_set():
                    claim = quote(f"Poutine a rassemblé {i * 1000 + n} soldats")
                    status, seconds = get(f"{server.url}search?q={claim}")
                    answers[status] += 1
                    if status == 200:
                        searched.append(seconds)
                    else:
                        stop.wait(1)  # as its Retry-After says
                    n += 1

            clients = [threading.Thread(target=search, args=(i,)) for i in range(args.clients)]
            for c in clients:
                c.start()
            time.sleep(1)  # every client has a search in flight
            loaded = pages(server.url, args.pages, args.pause)
            stop.set()
            for c in clients:
                c.join()
        finally:
            server.shutdown()
            server.server_close()
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.system()}",
        "clients": args.clients,
        "searches_in_flight": SEARCHES,
        "home_idle": summary(idle),
        "home_while_searching": summary(loaded),
        "search_answers": dict(sorted(answers.items())),
        "search_200": summary(searched) if searched else None,
    }
    print(f"{'home page':<32}{'median ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, key in (
        ("no search (baseline)", "home_idle"),
        (f"{args.clients} clients searching", "home_while_searching"),
    ):
        s = result[key]
        print(f"{name:<32}{s['median_ms']:>10}{s['p95_ms']:>10}{s['max_ms']:>10}")
    print(f"search answers: {result['search_answers']} (503: more than {SEARCHES} in flight)")
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
