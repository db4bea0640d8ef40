"""Every ``$ factcheck …`` example of README.md and docs/*.md runs as written.

The ```console blocks are read in order — README.md first, then docs/*.md by name — and each
``$ factcheck …`` line runs, as a new process, in one temporary folder laid out like a clone
(``examples/`` of this repository, ``../shared`` beside it), so that later examples see what
earlier ones did, as a reader following the README would. An example must exit with status
0, or the status its comment gives (``# exit status 1``), and print every line shown under
it. Shown lines are compared loosely, so that the docs stay true while the numbers move:
table borders and runs of spaces are ignored, any decimal number matches any other (scores,
timings), ``…`` stands for any text, and a shown line may be part of a longer one (a long
JSON line may be shown wrapped, at spaces, over several). Other ``$``
lines (``pip install …``) are not run; an example with ``--ray`` runs only where the ``[ray]``
extra is installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\s*$")
STATUS = re.compile(r"#\s*exit status (\d+)")
BOX_DRAWING = re.compile(r"[\u2500-\u257f]+")
DECIMAL = re.compile(r"\d+\\\.\d+")  # a decimal number, once re.escape'd
COMMAND_TIMEOUT_S = 600


@dataclass
class Example:
    """One ``$ factcheck …`` line of a document, and the output shown under it."""

    where: str  # README.md:42
    command: str
    shown: list[str]

    @property
    def args(self) -> list[str]:
        return shlex.split(self.command, comments=True)[1:]

    @property
    def status(self) -> int:
        found = STATUS.search(self.command)
        return int(found.group(1)) if found else 0


def _examples(path: Path) -> list[Example]:
    """The ``$ factcheck`` lines of the console blocks of ``path``, in order."""
    examples: list[Example] = []
    current: Example | None = None
    language = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if fence:
            language = fence.group(1) if language is None else None
            current = None
        elif language == "console" and line.startswith("$ "):
            current = None
            if line[2:].startswith("factcheck "):
                current = Example(f"{path.relative_to(ROOT)}:{number}", line[2:], [])
                examples.append(current)
        elif current is not None:
            current.shown.append(line)
    return examples


def _normal(line: str) -> str:
    """A line without table borders, its spaces collapsed."""
    return " ".join(BOX_DRAWING.sub(" ", line).split())


def _pattern(shown: str) -> re.Pattern | None:
    """What a shown line must match somewhere in the output, or None when it shows nothing
    to check (a table border, an elision ``…``)."""
    text = _normal(shown)
    if not text.strip("… "):
        return None
    parts = [DECIMAL.sub(r"\\d+\\.\\d+", re.escape(part.strip())) for part in text.split("…")]
    return re.compile(".*".join(parts))


def _missing(shown: list[str], output: str) -> list[str]:
    """The shown lines that ``output`` does not hold (its lines joined by spaces, so that a
    shown line may be a piece of a long one)."""
    text = _normal(output)
    return [line for line in shown if (p := _pattern(line)) is not None and not p.search(text)]


def _factcheck() -> list[str]:
    """The ``factcheck`` command of this Python environment."""
    script = Path(sys.executable).with_name("factcheck")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from factcheck.cli import app; app()"]


def test_the_documents_have_examples_and_all_are_checked() -> None:
    """Each document's factcheck commands are in console blocks (so this test runs them),
    and the README has the walk-through's examples."""
    readme = _examples(ROOT / "README.md")
    assert len(readme) >= 5
    assert {"ingest", "find", "report", "review", "publish"} <= {e.args[0] for e in readme}
    for path in DOCUMENTS:
        language = None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            fence = FENCE.match(line)
            if fence:
                language = fence.group(1) if language is None else None
            elif language in ("bash", "sh", "shell") and line.lstrip().startswith("factcheck "):
                pytest.fail(f"{path.name}:{number}: put factcheck examples in ```console blocks")


def test_shown_lines_are_compared_loosely_but_not_blindly() -> None:
    output = (
        "│ 0.906 │ contradicts   │ —   │ 004_028413897af3ab6e    │ Le Président Russe │\n"
        "82 statements, 5 clusters, 4 contested (4 conflicts) in 7.2 s\n"
    )
    assert not _missing(["│ 0.911 │ contradicts │ — │ 004_028413897af3ab6e │"], output)
    assert not _missing(["… 4 contested (4 conflicts) in 0.3 s", "┏━━━┓", "…"], output)
    assert _missing(["│ 0.906 │ agrees │"], output) == ["│ 0.906 │ agrees │"]
    assert _missing(["3 contested (4 conflicts)"], output)
    wrapped = ['{"claim": "70 % des forces", "matches": [{"text": "Selon les', " estimations…}]}"]
    assert not _missing(wrapped, '{"claim": "70 % des forces", "matches": [{"text": "Selon les '
                        'estimations", "score": 0.87}]}')  # fmt: skip


@pytest.mark.slow
def test_every_example_runs_as_written(tmp_path: Path) -> None:
    if not any((SHARED / "seeds").glob("*.txt")):
        pytest.skip(f"no seed articles in {SHARED / 'seeds'}")
    (tmp_path / "shared").symlink_to(SHARED, target_is_directory=True)
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "HF_HUB_OFFLINE": "1"}
    has_ray = importlib.util.find_spec("ray") is not None
    failures = []
    for document in DOCUMENTS:
        for example in _examples(document):
            if "--ray" in example.args and not has_ray:
                continue
            done = subprocess.run(
                [*_factcheck(), *example.args], cwd=clone, env=env, capture_output=True,
                text=True, timeout=COMMAND_TIMEOUT_S, check=False,
            )  # fmt: skip
            output = done.stdout + done.stderr
            missing = _missing(example.shown, output)
            if done.returncode != example.status or missing:
                failures.append(
                    f"{example.where}: $ {example.command}\n"
                    f"  exit status {done.returncode} (expected {example.status}); "
                    f"lines not shown: {missing}\n  output:\n{output}"
                )
    assert not failures, "\n".join(failures)
