"""The candidate index's review journal (`columnar.append_overlay` / `read_overlay`): one line per
decision, appended and synced; a line cut short by a crash is skipped, never glued to the next."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from iscg_graph.errors import StoreError
from iscg_graph.overlap import columnar


def _entry(n: int) -> dict[str, str]:
    return {"left": f"https://example.org/a{n}", "right": f"https://example.org/b{n}", "link": f"m{n}",
            "status": "Accepted", "kind": "question", "graph": "https://example.org/g",
            "confidence": "Confirmed"}


def test_each_decision_is_one_appended_line(tmp_path: Path) -> None:
    assert columnar.read_overlay(tmp_path) == []
    for n in range(3):
        columnar.append_overlay(tmp_path, _entry(n))
        size = (tmp_path / columnar.OVERLAY_FILE).stat().st_size
        assert columnar.read_overlay(tmp_path) == [_entry(k) for k in range(n + 1)]
    lines = (tmp_path / columnar.OVERLAY_FILE).read_bytes().splitlines()
    assert [json.loads(line) for line in lines] == [_entry(k) for k in range(3)]
    assert size == sum(len(line) + 1 for line in lines)  # appended, not rewritten


def test_the_list_of_earlier_code_is_read_first(tmp_path: Path) -> None:
    (tmp_path / columnar.LEGACY_OVERLAY_FILE).write_text(json.dumps([_entry(0), _entry(1)]))
    columnar.append_overlay(tmp_path, _entry(2))
    assert columnar.read_overlay(tmp_path) == [_entry(0), _entry(1), _entry(2)]


@pytest.mark.parametrize("tail", [b'{"left": "https://exa', b"\0" * 40, b"{"])
def test_an_append_cut_short_is_skipped_and_ended(tmp_path: Path, tail: bytes) -> None:
    columnar.append_overlay(tmp_path, _entry(0))
    with open(tmp_path / columnar.OVERLAY_FILE, "ab") as fh:
        fh.write(tail)  # a crash during the second append: no newline
    assert columnar.read_overlay(tmp_path) == [_entry(0)]
    columnar.append_overlay(tmp_path, _entry(2))
    assert columnar.read_overlay(tmp_path) == [_entry(0), _entry(2)]


def test_a_damaged_line_that_is_no_cut_append_is_an_error(tmp_path: Path) -> None:
    columnar.append_overlay(tmp_path, _entry(0))
    with open(tmp_path / columnar.OVERLAY_FILE, "ab") as fh:
        fh.write(b"not json\n")
    with pytest.raises(StoreError, match="line 2"):
        columnar.read_overlay(tmp_path)


_CHILD = """
import sys
from pathlib import Path
from iscg_graph.overlap import columnar
folder = Path(sys.argv[1])
for n in range(100000):
    columnar.append_overlay(folder, {"left": f"a{n}", "right": f"b{n}", "pad": "x" * (n % 300)})
    print(n, flush=True)  # answered: the line is on disk
"""


def test_killed_while_appending_every_answered_decision_is_read(tmp_path: Path) -> None:
    """SIGKILL at an arbitrary moment (mid-append included): every append that returned is read
    back, in order, and the journal takes new lines after it."""
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path)], stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).resolve().parents[2])
    assert child.stdout is not None
    answered = -1
    for line in child.stdout:
        answered = int(line)
        if answered >= 40:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    rest = child.stdout.read()
    answered = max([answered, *(int(x) for x in rest.split())])
    read = columnar.read_overlay(tmp_path)
    assert [e["left"] for e in read[: answered + 1]] == [f"a{n}" for n in range(answered + 1)]
    assert len(read) in (answered + 1, answered + 2)  # the one in flight may have been written whole
    columnar.append_overlay(tmp_path, {"left": "after", "right": "crash"})
    assert columnar.read_overlay(tmp_path)[-1] == {"left": "after", "right": "crash"}
