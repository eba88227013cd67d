"""Synthetic ITU-shaped data: the real graph's classes, properties and named graphs, at any size.

    python bench/generate.py --triples 10k  --out var/bench/data-10k.nq
    python bench/generate.py --triples 1m   --out var/bench/data-1m.nq
    python bench/generate.py --triples 10m  --out var/bench/data-10m.nq   (streams; ~1.5 GB)

Mirrors docs/architecture.md: Sectors and study periods, study groups, Questions (title, notation,
sector, period, group, themes, predecessor), the report Annex's five theme lists (`ANNEX`: each a
``iscg:ThemeScheme`` with its section as notation; entries shared out in the real lists'
proportions, about 9 % recorded as the exact match of an entry of another list and 16 % covered
by a coordination body, as in data/themes/), Resolutions (adopting conference,
concerned Sectors, themes, mandated Questions) and reviewed Mappings between Questions of different
Sectors, each in its named graph. The number of Questions scales with the target; about 2 % of
Questions reuse another Sector's title (the duplicate pairs the overlap queries look for).
Deterministic for a given size and seed.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

BASE = "https://w3id.org/iscg/"
ISCG = f"{BASE}ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SECTORS = ["itu-r", "itu-t", "itu-d"]
PERIODS = {
    "itu-r": ["2015-2019", "2019-2023", "2023-2027"],
    "itu-t": ["2013-2016", "2017-2020", "2022-2024"],
    "itu-d": ["2014-2017", "2018-2021", "2022-2025"],
}
# the Annex lists of the 2019 ISCG progress report (data/themes/schemes.csv): slug, section, name, and
# how many entries the real list has (data/themes/themes.csv), the proportions the generator keeps
ANNEX = [
    ("isctf-topics", "1.2", "ISC-TF thematic topics", 12),
    ("cross-sectoral-groups", "1.3", "Cross-sectoral groups and task forces", 11),
    ("resolution-areas", "1.4", "Areas from the mapping of PP/RA/WRC/WTSA/WTDC Resolutions", 44),
    ("iscg-areas", "1.5", "ISCG revised list of areas of mutual interest", 26),
    ("council-groups", "1.6", "Issues covered by Council working groups and expert groups", 8),
]
SCHEMES = [slug for slug, _section, _name, _size in ANNEX]
EXACT_MATCH_SHARE = 9 / 101  # themes recorded as the exact match of an entry of another list
COVERED_SHARE = 16 / 101  # themes covered by a coordination body (iscg:coveredByBody)
THEMES_PER_BODY = 8
WORDS = (
    "security cybersecurity emergency telecommunications spectrum satellite broadband accessibility "
    "climate change e-waste smart cities iot artificial intelligence quantum child online protection "
    "digital inclusion numbering routing quality of service conformance interoperability standards gap "
    "rural connectivity disaster management radio monitoring electromagnetic fields human exposure "
    "cloud computing big data blockchain digital financial services international mobile roaming "
    "tariffs economic policy gender equality capacity building e-health intelligent transport"
).split()

# the first Question always exists: the light benchmark query looks it up
FIRST_QUESTION = f"{BASE}id/question/itu-t/2017-2020/1-1"

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


def lit(text: str, lang: str | None = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class Writer:
    def __init__(self, out: TextIO):
        self.out = out
        self.count = 0

    def quad(self, s: str, p: str, o: str, graph: str) -> None:
        obj = o if o.startswith('"') else f"<{o}>"
        self.out.write(f"<{s}> <{p}> {obj} <{BASE}graph/{graph}> .\n")
        self.count += 1


def title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()


def generate(target: int, out: TextIO, seed: int = 2019) -> int:
    rng = random.Random(seed)
    w = Writer(out)
    questions = max(60, target // 17)
    themes_n = max(111, questions // 10)
    resolutions = max(90, questions // 8)
    mappings = questions // 5
    # organisations and periods
    for code in [*SECTORS, "gs"]:
        s = f"{BASE}id/sector/{code}"
        w.quad(s, RDF_TYPE, ISCG + ("GeneralSecretariat" if code == "gs" else "Sector"), "organisations")
        w.quad(s, RDFS_LABEL, lit(code.upper()), "organisations")
        w.quad(s, SKOS + "notation", lit(code.upper(), None), "organisations")
        for period in PERIODS.get(code, []):
            p = f"{BASE}id/study-period/{code}/{period}"
            w.quad(p, RDF_TYPE, ISCG + "StudyPeriod", "organisations")
            w.quad(p, ISCG + "sector", s, "organisations")
            w.quad(p, SKOS + "notation", lit(period, None), "organisations")
            w.quad(p, ISCG + "startYear", typed(period[:4], "gYear"), "organisations")
    themes = _annex(w, rng, themes_n, seed)
    # study groups and Questions (round-robin over sectors and periods)
    groups_per = max(4, questions // 60)
    per_group = max(1, questions // (len(SECTORS) * 3 * groups_per))
    made: list[tuple[str, str, str]] = []  # (iri, sector, title)
    previous: dict[tuple[str, int, int], str] = {}
    next_k: dict[tuple[str, str, int], int] = {}
    n = 0
    order = ["itu-t", "itu-r", "itu-d"]
    while n < questions:
        for period_index in range(3):
            for sector in order:
                period = PERIODS[sector][period_index if sector != "itu-t" else (period_index + 1) % 3]
                for g in range(1, groups_per + 1):
                    sg = f"{BASE}id/study-group/{sector}/{period}/sg{g}"
                    if (sector, period_index, g) not in previous:
                        w.quad(sg, RDF_TYPE, ISCG + "StudyGroup", "study-groups")
                        w.quad(sg, RDFS_LABEL, lit(f"{sector.upper()} SG{g} ({period})"), "study-groups")
                        w.quad(sg, DCT + "title", lit(title(rng)), "study-groups")
                        w.quad(sg, SKOS + "notation", lit(f"SG{g}", None), "study-groups")
                        w.quad(sg, ISCG + "sector", f"{BASE}id/sector/{sector}", "study-groups")
                        w.quad(
                            sg,
                            ISCG + "studyPeriod",
                            f"{BASE}id/study-period/{sector}/{period}",
                            "study-groups",
                        )
                        previous[(sector, period_index, g)] = sg
                    for _ in range(per_group):
                        if n >= questions:
                            break
                        k = next_k.get((sector, period, g), 1)
                        next_k[(sector, period, g)] = k + 1
                        q = f"{BASE}id/question/{sector}/{period}/{k}-{g}"
                        if made and rng.random() < 0.02:  # a duplicate of another Sector's Question
                            others = [m for m in made[-200:] if m[1] != sector]
                            text = rng.choice(others)[2] if others else title(rng)
                        else:
                            text = title(rng)
                        made.append((q, sector, text))
                        _question(w, rng, q, sector, period, sg, k, g, text, themes)
                        if period_index > 0:
                            prev_period = PERIODS[sector][
                                (period_index - 1 + (1 if sector == "itu-t" else 0)) % 3
                            ]
                            w.quad(
                                q,
                                ISCG + "continues",
                                f"{BASE}id/question/{sector}/{prev_period}/{k}-{g}",
                                "questions",
                            )
                        n += 1
        order = order[1:] + order[:1]  # later rounds add Questions to the same groups
    # Resolutions
    for r in range(1, resolutions + 1):
        conf = ["pp", "ra", "wtsa", "wtdc", "wrc"][r % 5]
        res = f"{BASE}id/resolution/{conf}/{r}"
        w.quad(res, RDF_TYPE, ISCG + "Resolution", "resolutions")
        text = title(rng)
        w.quad(res, RDFS_LABEL, lit(f"{conf.upper()} Resolution {r}: {text}"), "resolutions")
        w.quad(res, DCT + "title", lit(text), "resolutions")
        w.quad(res, SKOS + "notation", lit(f"{conf.upper()} Res. {r}", None), "resolutions")
        w.quad(res, ISCG + "adoptedBy", f"{BASE}id/conference/{conf}", "resolutions")
        for sector in rng.sample(SECTORS, 2):
            w.quad(res, ISCG + "concernsSector", f"{BASE}id/sector/{sector}", "resolutions")
        for t in rng.sample(themes, 2):
            w.quad(res, ISCG + "addressesTheme", t, "resolutions")
        for _ in range(rng.randint(1, 2)):
            w.quad(res, ISCG + "mandates", rng.choice(made)[0], "resolutions")
    # Mappings between Questions of different Sectors
    for m in range(1, mappings + 1):
        a = rng.choice(made)
        b = rng.choice(made)
        if a[1] == b[1]:
            continue
        mp = f"{BASE}id/mapping/M{m:07d}"
        w.quad(mp, RDF_TYPE, ISCG + "Mapping", "mappings")
        w.quad(mp, ISCG + "subject", a[0], "mappings")
        w.quad(mp, ISCG + "object", b[0], "mappings")
        w.quad(
            mp,
            ISCG + "relationKind",
            ISCG + rng.choice(["TopicalOverlap", "Collaboration", "Duplicate"]),
            "mappings",
        )
        w.quad(
            mp,
            ISCG + "predicate",
            SKOS + rng.choice(["relatedMatch", "closeMatch", "exactMatch"]),
            "mappings",
        )
        w.quad(mp, ISCG + "status", ISCG + rng.choice(["Asserted", "Proposed", "Accepted"]), "mappings")
        w.quad(mp, ISCG + "confidence", ISCG + "Confirmed", "mappings")
        w.quad(
            mp,
            DCT + "date",
            typed(f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "date"),
            "mappings",
        )
    return w.count


def _annex(w: Writer, rng: random.Random, count: int, seed: int) -> list[str]:
    """The Annex lists and ``count`` themes shared out among them in the real lists' proportions;
    the exact matches and coordination bodies come from their own random stream (``seed``), so the
    rest of the graph is drawn as before."""
    source = f"{BASE}id/document/generated-annex"
    sizes = {slug: 0 for slug in SCHEMES}
    weight = {slug: size for slug, _section, _name, size in ANNEX}
    for slug, section, name, _size in ANNEX:
        scheme = f"{BASE}id/scheme/{slug}"
        w.quad(scheme, RDF_TYPE, ISCG + "ThemeScheme", "themes")
        w.quad(scheme, RDFS_LABEL, lit(name), "themes")
        w.quad(scheme, SKOS + "prefLabel", lit(name), "themes")
        w.quad(scheme, SKOS + "notation", f'"{section}"^^<{ISCG}annexSection>', "themes")
        w.quad(scheme, DCT + "source", source, "themes")
        w.quad(scheme, ISCG + "confidence", ISCG + "Confirmed", "themes")
    extra = random.Random(f"annex-{seed}")
    bodies = [f"{BASE}id/body/generated-{b}" for b in range(1, max(1, count // THEMES_PER_BODY) + 1)]
    for body in bodies:
        w.quad(body, RDF_TYPE, ISCG + "CoordinationBody", "coordination")
        w.quad(body, RDFS_LABEL, lit(f"Coordination body {body.rsplit('-', 1)[1]}"), "coordination")
        w.quad(body, DCT + "source", source, "coordination")
        w.quad(body, ISCG + "confidence", ISCG + "Confirmed", "coordination")
    themes: list[str] = []
    by_scheme: dict[str, list[str]] = {slug: [] for slug in SCHEMES}
    for _i in range(count):
        slug = min(SCHEMES, key=lambda x: (sizes[x] / weight[x], SCHEMES.index(x)))  # the list most behind
        sizes[slug] += 1
        t = f"{BASE}id/theme/{slug}/{sizes[slug]}"
        label = title(rng)
        w.quad(t, RDF_TYPE, ISCG + "Theme", "themes")
        w.quad(t, SKOS + "prefLabel", lit(label), "themes")
        w.quad(t, RDFS_LABEL, lit(label), "themes")
        w.quad(t, SKOS + "notation", lit(str(sizes[slug]), None), "themes")
        w.quad(t, SKOS + "inScheme", f"{BASE}id/scheme/{slug}", "themes")
        w.quad(t, DCT + "source", source, "themes")
        w.quad(t, ISCG + "confidence", ISCG + "Confirmed", "themes")
        same_list = by_scheme[slug]
        if len(same_list) >= 4 and rng.random() < 0.3:  # a narrower theme of the same list
            w.quad(t, SKOS + "broader", same_list[rng.randrange(0, len(same_list))], "themes")
        others = [x for x in themes[-200:] if x.split("/")[-2] != slug]
        if others and extra.random() < EXACT_MATCH_SHARE:
            w.quad(t, SKOS + "exactMatch", extra.choice(others), "themes")
        if extra.random() < COVERED_SHARE:
            w.quad(t, ISCG + "coveredByBody", extra.choice(bodies), "themes")
        themes.append(t)
        same_list.append(t)
    return themes


def _question(
    w: Writer,
    rng: random.Random,
    q: str,
    sector: str,
    period: str,
    sg: str,
    k: int,
    g: int,
    text: str,
    themes: list[str],
) -> None:
    notation = f"Q{k}/{g}"
    w.quad(q, RDF_TYPE, ISCG + "Question", "questions")
    w.quad(q, RDFS_LABEL, lit(f"{sector.upper()} {notation} ({period}): {text}"), "questions")
    w.quad(q, DCT + "title", lit(text), "questions")
    w.quad(q, SKOS + "notation", lit(notation, None), "questions")
    w.quad(q, ISCG + "questionNumber", lit(str(k), None), "questions")
    w.quad(q, ISCG + "sector", f"{BASE}id/sector/{sector}", "questions")
    w.quad(q, ISCG + "studyPeriod", f"{BASE}id/study-period/{sector}/{period}", "questions")
    w.quad(q, ISCG + "studyGroup", sg, "questions")
    w.quad(q, DCT + "source", f"https://www.itu.int/{sector}/{period}/q{k}-{g}", "questions")
    w.quad(q, ISCG + "confidence", ISCG + "Confirmed", "questions")
    for t in rng.sample(themes, rng.randint(1, 3)):
        w.quad(q, ISCG + "addressesTheme", t, "questions")


def iter_sizes(value: str) -> Iterator[int]:
    yield SIZES[value.lower()] if value.lower() in SIZES else int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", default="10k", help="10k, 100k, 1m, 10m or a number")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args(argv)
    target = next(iter_sizes(args.triples))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", buffering=1 << 20) as out:
        count = generate(target, out, args.seed)
    print(f"{count} quads -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
