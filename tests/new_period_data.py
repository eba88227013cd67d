"""A new study period built from the real data: the shipped tables without a few of the latest
Questions (ITU-D 2022-2025 Q3/1, Q3/2, Q6/2, Q7/2; ITU-T 2025-2028 Q7/3, Q23/13), and those rows as
a Questions table to import, with their ``continues`` cells emptied, as a secretariat would receive
them after an assembly. Rows of other tables that cite the removed Questions are left out too."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NEW = {
    ("ITU-D", "2022-2025", "Q3/1"),  # continues ITU-D 2018-2021 Q5/2 (another study group)
    ("ITU-D", "2022-2025", "Q3/2"),
    ("ITU-D", "2022-2025", "Q6/2"),
    ("ITU-D", "2022-2025", "Q7/2"),
    ("ITU-T", "2025-2028", "Q7/3"),
    ("ITU-T", "2025-2028", "Q23/13"),
}
KEYS = {f"{s}:{p}:{n}" for s, p, n in NEW}
COLUMNS = ["sector", "study_period", "study_group", "notation", "official_number", "title", "continues",
           "related_resolutions", "source", "confidence", "notes"]


def _cites(row: dict[str, str]) -> bool:
    return any(v.strip() in KEYS or any(k in v.split(";") for k in KEYS) for v in row.values() if v)


def split_data(target: Path) -> tuple[Path, bytes]:
    """A data folder without the new Questions, and the Questions table (CSV bytes) that adds them."""
    data = target / "data"
    shutil.copytree(REPO / "data", data)
    new_rows: list[dict[str, str]] = []
    for path in sorted(data.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows = list(reader)
        kept = []
        for row in rows:
            key = (row.get("sector"), row.get("study_period"), row.get("notation"))
            if path.parent.name == "questions" and key in NEW:
                new_rows.append(row)
            elif not _cites({k: (v or "") for k, v in row.items()}):
                kept.append(row)
        if len(kept) != len(rows):
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, header, lineterminator="\n")
                writer.writeheader()
                writer.writerows(kept)
    assert len(new_rows) == len(NEW), new_rows
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in new_rows:
        writer.writerow({**row, "continues": "", "notes": ""})
    return data, out.getvalue().encode("utf-8")
