"""The ontology and the shapes are well formed and agree with each other and with the contract."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from iscg_graph.rdf.validation import DEFAULT_ONTOLOGY, DEFAULT_SHAPES_DIR, load_ontology, load_shapes

ISCG = "https://w3id.org/iscg/ontology#"
ISCGSH = "https://w3id.org/iscg/shapes#"
VANN = "http://purl.org/vocab/vann/"

# From docs/architecture.md (the contract).
CONTRACT_CLASSES = """
    UnionPart Sector GeneralSecretariat Bureau AdvisoryGroup StudyPeriod StudyGroup WorkingParty
    TaskGroup JointTaskGroup Question Conference ConferenceEdition Resolution ResolutionVersion
    CoordinationBody CoordinationGroup TaskForce CouncilWorkingGroup ExpertGroup
    InterSectorRapporteurGroup Council Meeting Document Outcome ThemeScheme Theme Link Mapping
""".split()
CONTRACT_PROPERTIES = """
    sector studyPeriod studyGroup parentGroup continues questionNumber questionOrdinal officialNumber
    relatedResolution editionOf place country startDate endDate adoptedBy resolutionNumber
    concernsSector hasVersion latestVersion mandates versionOf adoptedAt revisionLabel revises
    establishedBy reportsTo hasMember meetingOf heldDuring presentedAt outcomeOf pilotTheme
    coveredByBody subject object relationKind predicate status confidence addressesTheme startYear
    endYear
""".split()
CONTRACT_VALUES = {
    "ConfidenceLevels": ["Confirmed", "Unconfirmed"],
    "MappingStatuses": ["Asserted", "Proposed", "Accepted", "Rejected"],
    "RelationKinds": [
        "Recalls",
        "BackgroundText",
        "TopicalOverlap",
        "Collaboration",
        "LeadGroup",
        "ParallelText",
        "Duplicate",
        "Overlap",
        "Complementary",
        "AlreadyCoordinated",
        "BasisForStudy",
        "Cites",
    ],
}
MAIN_CLASSES = [
    "Sector",
    "GeneralSecretariat",
    "Bureau",
    "AdvisoryGroup",
    "StudyPeriod",
    "StudyGroup",
    "Question",
    "Conference",
    "ConferenceEdition",
    "Resolution",
    "ResolutionVersion",
    "CoordinationBody",
    "Meeting",
    "Document",
    "Theme",
    "ThemeScheme",
    "Link",
    "Mapping",
]


def iscg_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(ISCG)}


def english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == "en"]


def test_ontology_parses_and_has_metadata():
    ont = load_ontology()
    assert DEFAULT_ONTOLOGY.name == "iscg.ttl"
    header = URIRef("https://w3id.org/iscg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ont
    for predicate in (OWL.versionIRI, DCTERMS.license, DCTERMS.modified, DCTERMS.title, DCTERMS.description):
        assert ont.value(header, predicate) is not None, predicate
    assert str(ont.value(header, URIRef(VANN + "preferredNamespacePrefix"))) == "iscg"
    assert str(ont.value(header, URIRef(VANN + "preferredNamespaceUri"))) == ISCG


def test_every_term_has_one_english_label_and_comment():
    ont = load_ontology()
    terms = iscg_terms(ont)
    assert len(terms) >= len(CONTRACT_CLASSES) + len(CONTRACT_PROPERTIES)
    for term in terms:
        assert len(english(ont, term, RDFS.label)) == 1, term
        assert len(english(ont, term, RDFS.comment)) == 1, term


def test_contract_terms_exist_with_their_kind():
    ont = load_ontology()
    for name in CONTRACT_CLASSES:
        assert (URIRef(ISCG + name), RDF.type, OWL.Class) in ont, name
    for name in CONTRACT_PROPERTIES:
        kinds = set(ont.objects(URIRef(ISCG + name), RDF.type))
        assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, name
    for scheme, values in CONTRACT_VALUES.items():
        assert (URIRef(ISCG + scheme), RDF.type, SKOS.ConceptScheme) in ont
        for value in values:
            iri = URIRef(ISCG + value)
            assert (iri, RDF.type, OWL.NamedIndividual) in ont and (iri, RDF.type, SKOS.Concept) in ont, value
            assert (iri, SKOS.inScheme, URIRef(ISCG + scheme)) in ont, value


def test_main_classes_have_french_and_spanish_labels_and_an_example():
    ont = load_ontology()
    for name in MAIN_CLASSES:
        langs = {o.language for o in ont.objects(URIRef(ISCG + name), RDFS.label) if isinstance(o, Literal)}
        assert {"en", "fr", "es"} <= langs, name
    examples = [c for c in MAIN_CLASSES if ont.value(URIRef(ISCG + c), SKOS.example) is not None]
    assert len(examples) >= 12


def test_ontology_holds_no_instances_of_its_own_classes():
    ont = load_ontology()
    classes = {s for s in ont.subjects(RDF.type, OWL.Class)}
    assert not [s for s, _, o in ont.triples((None, RDF.type, None)) if o in classes]


def test_every_iscg_term_used_in_shapes_exists_in_the_ontology():
    ont_terms = iscg_terms(load_ontology())
    used = {
        t for triple in load_shapes() for t in triple if isinstance(t, URIRef) and str(t).startswith(ISCG)
    }
    assert used, "the shapes use no ontology term?"
    assert not used - ont_terms, sorted(used - ont_terms)


def test_property_shapes_are_named_and_documented():
    shapes = load_shapes()
    property_shapes = set(shapes.objects(None, SH.property))
    assert len(property_shapes) > 50
    for shape in property_shapes:
        assert isinstance(shape, URIRef) and str(shape).startswith(ISCGSH), (
            f"anonymous property shape {shape}"
        )
        for predicate in (SH.name, SH.description, SH.message):
            assert shapes.value(shape, predicate) is not None, (shape, predicate)
    for constraint in shapes.objects(None, SH.sparql):
        assert isinstance(constraint, URIRef) and shapes.value(constraint, SH.message) is not None, constraint


def test_severity_is_split_by_file():
    for name, severity in (("core.shapes.ttl", None), ("recommended.shapes.ttl", SH.Warning)):
        graph = Graph().parse(DEFAULT_SHAPES_DIR / name)
        shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
        assert shapes, name
        for shape in shapes:
            assert graph.value(shape, SH.severity) == severity, (name, shape)


def test_every_data_class_is_targeted_by_a_core_shape():
    ont, core = load_ontology(), Graph().parse(DEFAULT_SHAPES_DIR / "core.shapes.ttl")
    targeted = set(core.objects(None, SH.targetClass))
    for name in CONTRACT_CLASSES:
        cls = URIRef(ISCG + name)
        ancestors = set(ont.transitive_objects(cls, RDFS.subClassOf))
        assert ancestors & targeted, f"no core shape targets {name} or a superclass"


def test_sh_in_lists_name_ontology_values():
    shapes, ont = load_shapes(), load_ontology()
    for node in shapes.objects(None, SH["in"]):
        assert isinstance(node, BNode)
        for item in Collection(shapes, node):
            if isinstance(item, URIRef) and str(item).startswith(ISCG):
                assert (item, RDF.type, SKOS.Concept) in ont, item
