"""The small ITU-shaped store the client tests query (shared by conftest and the tests)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/iscg/"
ISCG = f"{BASE}ontology#"
G_QUESTIONS = f"{BASE}graph/questions"
G_THEMES = f"{BASE}graph/themes"
QUESTIONS = 12
THEMES = 3


def client_nquads() -> bytes:
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    lines = []
    for n in range(1, QUESTIONS + 1):
        q = f"<{BASE}id/question/itu-t/2017-2020/{n}-17>"
        lines += [
            f"{q} {rdf_type} <{ISCG}Question> <{G_QUESTIONS}> .",
            f'{q} {label} "ITU-T Q{n}/17 (2017-2020): Security, \\"part\\" {n}"@en <{G_QUESTIONS}> .',
            f"{q} <{ISCG}addressesTheme> <{BASE}id/theme/iscg-areas/{n % THEMES + 1}> <{G_QUESTIONS}> .",
        ]
    for t in range(1, THEMES + 1):
        theme = f"<{BASE}id/theme/iscg-areas/{t}>"
        lines += [f"{theme} {rdf_type} <{ISCG}Theme> <{G_THEMES}> .",
                  f'{theme} {label} "Theme {t}"@en <{G_THEMES}> .']
    return ("\n".join(lines) + "\n").encode()
