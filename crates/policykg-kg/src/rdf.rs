//! Stage 5: facts → RDF quads, one named graph per document.
//!
//! What a document states lives in its graph `id:graph/{doc}`, so replacing or removing a
//! document is one graph operation. Descriptions of the entities it names (organisations with
//! their parent bodies, administrative divisions with their codes and enclosing divisions,
//! people, posts, regions) go to one shared graph `id:entities`: they depend only on the
//! entity's key, so every document writes the same triples and the union of all graphs holds
//! one copy. IRIs are minted from stable keys (document id and position, canonical names,
//! division codes), so building the same input twice yields the same quads. Every fact is also a reified `rdf:Statement` carrying its provenance: the
//! document (`prov:wasDerivedFrom`) and the evidence span (`nif:beginIndex`, `nif:endIndex`,
//! `nif:anchorOf`), counted in characters of the decoded source.

use crate::vocab::*;
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};
use policykg_extract::extract::Extraction;
use policykg_extract::facts::{OrgRef, Relation};

/// Percent-encodes what may not appear in an IRI path segment; CJK text stays readable.
pub fn iri_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' | '_' | '~' => out.push(c),
            c if (c as u32) >= 0xA0 && !c.is_whitespace() && !matches!(c as u32, 0xFFF0..=0xFFFF | 0xE000..=0xF8FF) => {
                out.push(c)
            }
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

fn nn(iri: String) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

/// IRI of a document.
pub fn doc_iri(doc: &str) -> NamedNode {
    nn(format!("{ID}doc/{}", iri_segment(doc)))
}

/// IRI of a document's named graph.
pub fn graph_iri(doc: &str) -> NamedNode {
    nn(format!("{DOC_GRAPH_PREFIX}{}", iri_segment(doc)))
}

/// IRI of the shared entity graph.
pub fn entities_graph() -> NamedNode {
    nn(ENTITIES_GRAPH.to_string())
}

/// A division code as Wikidata's P442 (China administrative division code) writes it: two-digit
/// groups separated by spaces, trailing all-zero groups dropped (`340500` → `34 05`,
/// `340281` → `34 02 81`, `340000` → `34`).
pub fn p442(code: &str) -> String {
    let groups: Vec<&str> = code
        .as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    let keep = groups
        .iter()
        .rposition(|g| g.bytes().any(|b| b != b'0'))
        .map_or(1, |i| i + 1);
    groups[..keep.min(groups.len())].join(" ")
}

/// IRI of a task.
pub fn task_iri(doc: &str, index: usize) -> NamedNode {
    nn(format!("{ID}doc/{}/task/{}", iri_segment(doc), index + 1))
}

/// IRI of an administrative division.
pub fn place_iri(code: &str) -> NamedNode {
    nn(format!("{ID}place/{code}"))
}

/// IRI of an organisation mention: by canonical name when known, else scoped to the
/// jurisdiction (or, failing that, to the document).
pub fn org_iri(doc: &str, jur: Option<&str>, org: &OrgRef) -> NamedNode {
    if let Some(code) = &org.code {
        return place_iri(code);
    }
    if matches!(org.ty.as_str(), "Region") {
        return nn(format!("{ID}region/{}", iri_segment(&org.text)));
    }
    match (&org.name, jur) {
        (Some(name), _) if org.ty != "Collective" => nn(format!("{ID}org/{}", iri_segment(name))),
        (_, Some(j)) if org.ty != "Collective" => nn(format!("{ID}org/{}/{}", iri_segment(j), iri_segment(&org.text))),
        _ => nn(format!("{ID}doc/{}/org/{}", iri_segment(doc), iri_segment(&org.text))),
    }
}

struct Sink<'a> {
    graph: GraphName,
    shared: GraphName,
    /// Writing entity descriptions (to `shared`) rather than document statements.
    in_shared: bool,
    quads: &'a mut Vec<Quad>,
}

impl Sink<'_> {
    fn add(&mut self, s: &NamedNode, p: &str, o: impl Into<Term>) {
        let g = if self.in_shared { &self.shared } else { &self.graph };
        self.quads
            .push(Quad::new(s.clone(), nn(p.to_string()), o.into(), g.clone()));
    }
    /// Runs `f` writing to the shared entity graph.
    fn shared<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let prev = std::mem::replace(&mut self.in_shared, true);
        let r = f(self);
        self.in_shared = prev;
        r
    }
    fn lit(&mut self, s: &NamedNode, p: &str, v: &str) {
        self.add(s, p, Literal::new_simple_literal(v));
    }
    fn zh(&mut self, s: &NamedNode, p: &str, v: &str) {
        self.add(s, p, Literal::new_language_tagged_literal_unchecked(v, "zh"));
    }
    fn typed(&mut self, s: &NamedNode, p: &str, v: &str, dt: &str) {
        self.add(s, p, Literal::new_typed_literal(v, nn(xsd(dt))));
    }
    fn a(&mut self, s: &NamedNode, class: &str) {
        self.add(s, RDF_TYPE, nn(class.to_string()));
    }
}

/// Converts one document's extraction into quads in its named graph.
pub fn to_quads(ex: &Extraction) -> Vec<Quad> {
    let mut quads = Vec::new();
    let graph = GraphName::NamedNode(graph_iri(&ex.doc));
    let mut s = Sink {
        graph,
        shared: GraphName::NamedNode(entities_graph()),
        in_shared: false,
        quads: &mut quads,
    };
    let doc = ex.doc.as_str();
    let d = doc_iri(doc);
    let jur_name = ex.meta.jurisdiction.as_ref().map(|j| j.1.as_str());

    s.a(&d, &pkg("Document"));
    s.a(&d, PROV_ENTITY);
    s.lit(&d, &pkg("docId"), doc);
    s.lit(&d, DCTERMS_SOURCE, &ex.meta.path);
    s.lit(&d, DCTERMS_FORMAT, &ex.meta.encoding);
    s.typed(&d, &pkg("charCount"), &ex.meta.chars.to_string(), "integer");
    s.lit(&d, &pkg("sourceMd5"), &ex.meta.source_md5);
    s.lit(&d, &pkg("extractedBy"), &ex.meta.extracted_by);
    if let Some(t) = &ex.meta.title {
        s.zh(&d, DCTERMS_TITLE, t);
    }
    if let Some(n) = &ex.meta.number {
        s.lit(&d, DCTERMS_IDENTIFIER, n);
    }
    if let Some(date) = &ex.meta.date {
        s.typed(&d, DCTERMS_ISSUED, date, "date");
    }
    if let Some((code, _)) = &ex.meta.jurisdiction {
        s.add(&d, DCTERMS_SPATIAL, place_iri(code));
    }
    for code in &ex.mentions {
        s.add(&d, SCHEMA_MENTIONS, place_iri(code));
    }
    s.shared(|s| {
        for p in &ex.places {
            let pi = place_iri(&p.code);
            s.a(&pi, SCHEMA_ADMINISTRATIVE_AREA);
            s.a(&pi, &pkg("AdministrativeArea"));
            s.lit(&pi, SKOS_NOTATION, &p.code);
            s.lit(&pi, &pkg("p442"), &p442(&p.code));
            s.zh(&pi, SKOS_PREF_LABEL, &p.name);
            if p.qualified != p.name {
                s.zh(&pi, SKOS_ALT_LABEL, &p.qualified);
            }
            s.lit(&pi, &pkg("level"), &p.level);
            if let Some(parent) = &p.parent {
                s.add(&pi, SCHEMA_CONTAINED_IN_PLACE, place_iri(parent));
            }
        }
    });

    let section_iri = |i: usize| nn(format!("{ID}doc/{}/section/{}", iri_segment(doc), i + 1));
    for (i, sec) in ex.sections.iter().enumerate() {
        let si = section_iri(i);
        s.a(&si, &pkg("Section"));
        s.zh(&si, RDFS_LABEL, &sec.heading);
        s.lit(&si, &pkg("label"), &sec.label);
        s.typed(&si, &pkg("position"), &(i + 1).to_string(), "integer");
        let parent = sec.parent.map(section_iri).unwrap_or_else(|| d.clone());
        s.add(&si, DCTERMS_IS_PART_OF, parent);
        s.add(&si, &pkg("inDocument"), d.clone());
        span_triples(&mut s, &si, sec.span.start, sec.span.end);
    }
    for (i, t) in ex.tasks.iter().enumerate() {
        let ti = task_iri(doc, i);
        s.a(&ti, &pkg("Task"));
        s.zh(&ti, RDFS_LABEL, &t.text);
        if let Some(l) = &t.label {
            s.lit(&ti, &pkg("label"), l);
        }
        s.typed(&ti, &pkg("position"), &(i + 1).to_string(), "integer");
        let parent = t.section.map(section_iri).unwrap_or_else(|| d.clone());
        s.add(&ti, DCTERMS_IS_PART_OF, parent);
        s.add(&ti, &pkg("inDocument"), d.clone());
        s.add(&ti, PROV_WAS_DERIVED_FROM, d.clone());
        span_triples(&mut s, &ti, t.span.start, t.span.end);
    }

    for (k, f) in ex.facts.iter().enumerate() {
        let fi = nn(format!("{ID}doc/{}/fact/{}", iri_segment(doc), k + 1));
        let task = f.task_index.map(|t| task_iri(doc, t));
        let (subj, pred, obj): (NamedNode, String, Term) = match &f.rel {
            Relation::Leads { org, .. } | Relation::CoResponsible { org, .. } => {
                let o = org_iri(doc, jur_name, org);
                org_triples(&mut s, &o, org, ex);
                let p = if matches!(f.rel, Relation::Leads { .. }) {
                    pkg("leads")
                } else {
                    pkg("coResponsibleFor")
                };
                let Some(t) = task.clone() else { continue };
                s.add(&o, &p, t.clone());
                (o, p, t.into())
            }
            Relation::Targets { indicator, .. } => {
                let ii = nn(format!("{ID}doc/{}/indicator/{}", iri_segment(doc), k + 1));
                s.a(&ii, &pkg("Indicator"));
                s.a(&ii, SCHEMA_QUANTITATIVE_VALUE);
                s.zh(&ii, RDFS_LABEL, &indicator.text);
                s.zh(&ii, &pkg("measure"), &indicator.measure);
                s.typed(&ii, SCHEMA_VALUE, &decimal(indicator.value), "decimal");
                if let Some(u) = &indicator.unit {
                    s.zh(&ii, SCHEMA_UNIT_TEXT, u);
                }
                s.lit(&ii, &pkg("comparator"), &indicator.comparator);
                if let Some(m) = indicator.value_max {
                    s.typed(&ii, SCHEMA_MAX_VALUE, &decimal(m), "decimal");
                }
                if let Some(dl) = &indicator.deadline {
                    let dt = if dl.len() == 4 { "gYear" } else { "date" };
                    s.typed(&ii, &pkg("deadline"), dl, dt);
                }
                let Some(t) = task.clone() else { continue };
                s.add(&t, &pkg("targets"), ii.clone());
                (t, pkg("targets"), ii.into())
            }
            Relation::CooperatesWith { a, b, verb, .. } => {
                let ai = entity(&mut s, doc, jur_name, a, ex);
                let bi = entity(&mut s, doc, jur_name, b, ex);
                s.add(&ai, &pkg("cooperatesWith"), bi.clone());
                s.add(&bi, &pkg("cooperatesWith"), ai.clone());
                s.zh(&fi, &pkg("verb"), verb);
                if let Some(t) = &task {
                    s.add(&fi, &pkg("task"), t.clone());
                }
                (ai, pkg("cooperatesWith"), bi.into())
            }
            Relation::HoldsPost { person, post, org } => {
                let scope = org
                    .as_ref()
                    .map(|o| org_iri(doc, jur_name, o).as_str().to_string())
                    .unwrap_or_else(|| doc.to_string());
                let pi = nn(format!(
                    "{ID}person/{}/{}",
                    iri_segment(jur_name.unwrap_or(doc)),
                    iri_segment(&person.text)
                ));
                let post_i = nn(format!(
                    "{}/post/{}",
                    scope.trim_end_matches('/'),
                    iri_segment(&post.text)
                ));
                let post_i = if post_i.as_str().starts_with(ID) {
                    post_i
                } else {
                    nn(format!("{ID}doc/{}/post/{}", iri_segment(doc), iri_segment(&post.text)))
                };
                s.shared(|s| {
                    s.a(&pi, FOAF_PERSON);
                    s.zh(&pi, FOAF_NAME, &person.text);
                    s.a(&post_i, ORG_POST);
                    s.zh(&post_i, RDFS_LABEL, &post.text);
                });
                if let Some(o) = org {
                    let oi = org_iri(doc, jur_name, o);
                    org_triples(&mut s, &oi, o, ex);
                    s.shared(|s| s.add(&post_i, ORG_POST_IN, oi));
                }
                s.add(&pi, ORG_HOLDS, post_i.clone());
                s.add(&post_i, ORG_HELD_BY, pi.clone());
                (pi, ORG_HOLDS.to_string(), post_i.into())
            }
            Relation::IssuedBy { org, .. } => {
                let oi = org_iri(doc, jur_name, org);
                org_triples(&mut s, &oi, org, ex);
                s.add(&d, &pkg("issuedBy"), oi.clone());
                s.add(&d, DCTERMS_CREATOR, oi.clone());
                (d.clone(), pkg("issuedBy"), oi.into())
            }
        };
        s.a(&fi, RDF_STATEMENT);
        s.a(&fi, &pkg("Fact"));
        s.lit(&fi, &pkg("relation"), f.rel.name());
        s.add(&fi, RDF_SUBJECT, subj);
        s.add(&fi, RDF_PREDICATE, nn(pred));
        s.add(&fi, RDF_OBJECT, obj);
        s.add(&fi, PROV_WAS_DERIVED_FROM, d.clone());
        span_triples(&mut s, &fi, f.evidence.start, f.evidence.end);
        s.zh(&fi, NIF_ANCHOR_OF, &f.evidence.text);
    }
    let mut seen = std::collections::HashSet::with_capacity(quads.len());
    quads.retain(|q| seen.insert(q.clone()));
    quads
}

fn decimal(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// Offsets as `xsd:integer`: Oxigraph stores derived integer types (NIF's
/// `xsd:nonNegativeInteger`) as `xsd:integer`, so writing that keeps built and exported quads equal.
fn span_triples(s: &mut Sink, node: &NamedNode, start: u32, end: u32) {
    s.typed(node, NIF_BEGIN, &start.to_string(), "integer");
    s.typed(node, NIF_END, &end.to_string(), "integer");
}

/// An organisation's description: in the shared graph, unless its IRI is scoped to this
/// document (collectives and unresolved mentions). Organisations resolved within a division
/// are tied to it: through their parent body (`org:subOrganizationOf`, `parent_bodies.tsv`)
/// or directly (`dcterms:spatial`).
fn org_triples(s: &mut Sink, o: &NamedNode, org: &OrgRef, ex: &Extraction) {
    if let Some(code) = &org.code {
        // A place acting as a party (`@self`, 溧阳市): its description comes from `ex.places`.
        if org.text != "@self" && org.name.as_deref() != Some(org.text.as_str()) {
            s.shared(|s| s.zh(&place_iri(code), SKOS_ALT_LABEL, &org.text));
        }
        return;
    }
    let doc_scoped = o.as_str().starts_with(&format!("{ID}doc/"));
    let prev = std::mem::replace(&mut s.in_shared, !doc_scoped);
    s.a(o, ORG_ORGANIZATION);
    s.a(o, &pkg(&org.ty));
    s.lit(o, &pkg("orgType"), &org.ty);
    s.zh(o, SKOS_PREF_LABEL, org.name.as_deref().unwrap_or(&org.text));
    if org.name.as_deref() != Some(org.text.as_str()) && org.text != "@self" {
        s.zh(o, SKOS_ALT_LABEL, &org.text);
    }
    if let (Some(name), Some(div)) = (&org.name, &org.division) {
        // The name without its place (发展和改革委员会): what a bare department name matches.
        if let Some(p) = ex.places.iter().find(|p| &p.code == div) {
            let stem = name.replacen(&p.qualified, "", 1);
            if stem != *name && !stem.is_empty() {
                s.zh(o, &pkg("nameStem"), &stem);
            }
        }
        match ex.parents.get(name) {
            Some((parent, ty)) => {
                let pi = nn(format!("{ID}org/{}", iri_segment(parent)));
                s.add(o, ORG_SUB_ORGANIZATION_OF, pi.clone());
                s.a(&pi, ORG_ORGANIZATION);
                s.a(&pi, &pkg(ty));
                s.lit(&pi, &pkg("orgType"), ty);
                s.zh(&pi, SKOS_PREF_LABEL, parent);
                s.add(&pi, DCTERMS_SPATIAL, place_iri(div));
            }
            None => s.add(o, DCTERMS_SPATIAL, place_iri(div)),
        }
    }
    s.in_shared = prev;
}

/// Node for a cooperation party: a division, a named region, or an organisation.
fn entity(s: &mut Sink, doc: &str, jur: Option<&str>, e: &OrgRef, ex: &Extraction) -> NamedNode {
    let o = org_iri(doc, jur, e);
    if e.ty == "Region" {
        s.shared(|s| {
            s.a(&o, &pkg("Region"));
            s.zh(&o, SKOS_PREF_LABEL, e.name.as_deref().unwrap_or(&e.text));
        });
    } else {
        org_triples(s, &o, e, ex);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p442_groups_digits_and_drops_trailing_zero_groups() {
        assert_eq!(p442("340500"), "34 05");
        assert_eq!(p442("340281"), "34 02 81");
        assert_eq!(p442("340000"), "34");
        assert_eq!(p442("110101"), "11 01 01");
        assert_eq!(p442("341000"), "34 10");
    }
}
