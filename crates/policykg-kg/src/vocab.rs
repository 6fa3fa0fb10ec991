//! IRIs of the vocabularies the graph uses, mirroring `ontology/policykg.ttl`.
//!
//! The project's own namespace `pkg:` (`https://w3id.org/policykg/ont#`) holds only the
//! extraction relations and a few classes; everything else reuses W3C ORG, PROV-O, DCTERMS,
//! SKOS, NIF, FOAF and schema.org terms. Instance IRIs live under `https://w3id.org/policykg/id/`.

/// Project ontology namespace.
pub const PKG: &str = "https://w3id.org/policykg/ont#";
/// Instance data namespace.
pub const ID: &str = "https://w3id.org/policykg/id/";
/// The named graph of shared entity descriptions (organisations, places, people, posts):
/// one copy however many documents name them.
pub const ENTITIES_GRAPH: &str = "https://w3id.org/policykg/id/entities";
/// Prefix of document graphs (`{DOC_GRAPH_PREFIX}{doc}`).
pub const DOC_GRAPH_PREFIX: &str = "https://w3id.org/policykg/id/graph/";

pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
pub const RDF_STATEMENT: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement";
pub const RDF_SUBJECT: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject";
pub const RDF_PREDICATE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate";
pub const RDF_OBJECT: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object";
pub const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

pub const DCTERMS_TITLE: &str = "http://purl.org/dc/terms/title";
pub const DCTERMS_IDENTIFIER: &str = "http://purl.org/dc/terms/identifier";
pub const DCTERMS_ISSUED: &str = "http://purl.org/dc/terms/issued";
pub const DCTERMS_CREATOR: &str = "http://purl.org/dc/terms/creator";
pub const DCTERMS_IS_PART_OF: &str = "http://purl.org/dc/terms/isPartOf";
pub const DCTERMS_SPATIAL: &str = "http://purl.org/dc/terms/spatial";
pub const DCTERMS_SOURCE: &str = "http://purl.org/dc/terms/source";
pub const DCTERMS_FORMAT: &str = "http://purl.org/dc/terms/format";

pub const SKOS_PREF_LABEL: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";
pub const SKOS_ALT_LABEL: &str = "http://www.w3.org/2004/02/skos/core#altLabel";
pub const SKOS_NOTATION: &str = "http://www.w3.org/2004/02/skos/core#notation";

pub const ORG_ORGANIZATION: &str = "http://www.w3.org/ns/org#Organization";
pub const ORG_POST: &str = "http://www.w3.org/ns/org#Post";
pub const ORG_HOLDS: &str = "http://www.w3.org/ns/org#holds";
pub const ORG_HELD_BY: &str = "http://www.w3.org/ns/org#heldBy";
pub const ORG_POST_IN: &str = "http://www.w3.org/ns/org#postIn";
pub const ORG_SUB_ORGANIZATION_OF: &str = "http://www.w3.org/ns/org#subOrganizationOf";

pub const PROV_ENTITY: &str = "http://www.w3.org/ns/prov#Entity";
pub const PROV_WAS_DERIVED_FROM: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";

pub const NIF_BEGIN: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex";
pub const NIF_END: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#endIndex";
pub const NIF_ANCHOR_OF: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf";

pub const FOAF_PERSON: &str = "http://xmlns.com/foaf/0.1/Person";
pub const FOAF_NAME: &str = "http://xmlns.com/foaf/0.1/name";

pub const SCHEMA_QUANTITATIVE_VALUE: &str = "http://schema.org/QuantitativeValue";
pub const SCHEMA_VALUE: &str = "http://schema.org/value";
pub const SCHEMA_MAX_VALUE: &str = "http://schema.org/maxValue";
pub const SCHEMA_UNIT_TEXT: &str = "http://schema.org/unitText";
pub const SCHEMA_ADMINISTRATIVE_AREA: &str = "http://schema.org/AdministrativeArea";
pub const SCHEMA_MENTIONS: &str = "http://schema.org/mentions";
pub const SCHEMA_CONTAINED_IN_PLACE: &str = "http://schema.org/containedInPlace";

/// A term of the project namespace (`pkg:leads` → full IRI).
pub fn pkg(local: &str) -> String {
    format!("{PKG}{local}")
}

/// An `xsd:` datatype IRI.
pub fn xsd(local: &str) -> String {
    format!("{XSD}{local}")
}

/// VoID namespace.
pub const VOID: &str = "http://rdfs.org/ns/void#";
/// DCAT namespace.
pub const DCAT: &str = "http://www.w3.org/ns/dcat#";
