//! Views, part 1: the store projected into a petgraph graph, and the network reports of
//! `policykg graph`.
//!
//! [`Kg::load`] runs the `queries/view-*.rq` SPARQL queries (embedded at build time, with the
//! default graph as the union of the document graphs and an optional `?docId` bound by
//! variable substitution) and turns the answers into one directed [`petgraph`] graph whose
//! nodes are documents, sections, tasks, indicators, people and entities (organisations,
//! places, regions) and whose edges are the extracted relations ([`Rel`]). Everything is
//! inserted in IRI order, so the same store always gives the same node indices, and every
//! view derived from it (the diagrams of [`crate::dot`], the reports here) is deterministic.
//!
//! The reports work on projections of that graph: the **collaboration network** (organisations
//! linked by the tasks they share, weight = number of shared tasks; vague collectives such as
//! 各有关单位 left out), and the undirected **entity graph** (every relation, used by `path`).
//! Reports come back as [`Table`]s whose columns are aligned by display width (CJK counts two).

use crate::store::{KgStore, StoreError};
use oxigraph::model::{Literal, Term, Variable};
use oxigraph::sparql::{QueryResults, QuerySolution, SparqlEvaluator};
use petgraph::graph::{DiGraph, NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::table::shorten;
pub use crate::table::Table;

/// Errors of the views (reports and diagrams). The CLI adds nothing but the exit code.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("view query queries/{name}.rq failed: {message}")]
    Query { name: &'static str, message: String },
    #[error("no document {given} in the store; documents: {available}")]
    NoDocument { given: String, available: String },
    #[error("no {what} named {name} in the store{hint}")]
    NotFound {
        what: &'static str,
        name: String,
        hint: String,
    },
    #[error("{0}")]
    Usage(String),
    #[error(
        "Graphviz `dot` is needed for {format} output but could not be run ({program}: {reason}); \
         install graphviz (e.g. `apt-get install graphviz fonts-noto-cjk`) or use `--format dot` \
         to write the DOT source instead"
    )]
    DotMissing {
        format: String,
        program: String,
        reason: String,
    },
    #[error("`{program} -T{format}` failed ({status}): {stderr}")]
    DotFailed {
        program: String,
        format: String,
        status: String,
        stderr: String,
    },
}

/// Kind of an organisation, place or region (from its `rdf:type`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKind {
    Department,
    Government,
    PartyOrgan,
    Park,
    Enterprise,
    Institution,
    Group,
    Collective,
    /// An `org:Organization` without a more specific class.
    Organization,
    /// A `pkg:AdministrativeArea` (a GB/T 2260 division).
    Place,
    /// A `pkg:Region` (长三角, 合肥都市圈…).
    Region,
}

impl EntityKind {
    /// All kinds, in legend order.
    pub const ALL: [EntityKind; 11] = [
        EntityKind::Department,
        EntityKind::Government,
        EntityKind::PartyOrgan,
        EntityKind::Park,
        EntityKind::Enterprise,
        EntityKind::Institution,
        EntityKind::Group,
        EntityKind::Collective,
        EntityKind::Organization,
        EntityKind::Place,
        EntityKind::Region,
    ];

    /// English name (the `pkg:` class).
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Department => "Department",
            EntityKind::Government => "Government",
            EntityKind::PartyOrgan => "PartyOrgan",
            EntityKind::Park => "Park",
            EntityKind::Enterprise => "Enterprise",
            EntityKind::Institution => "Institution",
            EntityKind::Group => "Group",
            EntityKind::Collective => "Collective",
            EntityKind::Organization => "Organization",
            EntityKind::Place => "Place",
            EntityKind::Region => "Region",
        }
    }

    /// Chinese name for legends.
    pub fn zh(self) -> &'static str {
        match self {
            EntityKind::Department => "部门",
            EntityKind::Government => "政府",
            EntityKind::PartyOrgan => "党群机关",
            EntityKind::Park => "园区",
            EntityKind::Enterprise => "企业",
            EntityKind::Institution => "事业单位/机构",
            EntityKind::Group => "领导小组",
            EntityKind::Collective => "泛指单位",
            EntityKind::Organization => "组织",
            EntityKind::Place => "行政区",
            EntityKind::Region => "区域",
        }
    }

    /// True for organisations (not places or regions).
    pub fn is_org(self) -> bool {
        !matches!(self, EntityKind::Place | EntityKind::Region)
    }

    /// Kind from the local names of an entity's classes (most specific wins).
    fn from_classes(classes: &BTreeSet<String>) -> EntityKind {
        let has = |c: &str| classes.contains(c);
        if has("Region") {
            return EntityKind::Region;
        }
        if has("AdministrativeArea") {
            return EntityKind::Place;
        }
        for k in EntityKind::ALL {
            if k != EntityKind::Organization && has(k.name()) {
                return k;
            }
        }
        EntityKind::Organization
    }
}

/// What a node of the [`Kg`] graph is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Document,
    Section,
    Task,
    Indicator,
    Person,
    Entity(EntityKind),
}

impl NodeKind {
    /// Short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Document => "Document",
            NodeKind::Section => "Section",
            NodeKind::Task => "Task",
            NodeKind::Indicator => "Indicator",
            NodeKind::Person => "Person",
            NodeKind::Entity(k) => k.name(),
        }
    }
}

/// A node of the projection: one RDF resource.
#[derive(Clone, Debug, PartialEq)]
pub struct KgNode {
    /// The resource's IRI (also the node id in the DOT output).
    pub iri: String,
    pub kind: NodeKind,
    /// Preferred label: a title, heading, task text, indicator text, name.
    pub label: String,
    /// Other names (`skos:altLabel`), sorted.
    pub alt_labels: Vec<String>,
    /// Document id (documents, sections, tasks, indicators).
    pub doc: Option<String>,
    /// Item label (`pkg:label`: "17", "一") of sections and tasks.
    pub item: Option<String>,
    /// Position in the document (sections, tasks).
    pub position: Option<i64>,
    /// Division code of places; the value summary of indicators (`≥ 200 次 · 2024`).
    pub detail: Option<String>,
}

impl KgNode {
    fn new(iri: &str, kind: NodeKind, label: String) -> KgNode {
        KgNode {
            iri: iri.to_string(),
            kind,
            label,
            alt_labels: Vec::new(),
            doc: None,
            item: None,
            position: None,
            detail: None,
        }
    }

    /// The entity kind, for organisations, places and regions.
    pub fn entity_kind(&self) -> Option<EntityKind> {
        match self.kind {
            NodeKind::Entity(k) => Some(k),
            _ => None,
        }
    }

    /// All names the node is known by: label, alternative labels, and a place's division code.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let code = self
            .detail
            .as_deref()
            .filter(|_| self.kind == NodeKind::Entity(EntityKind::Place));
        std::iter::once(self.label.as_str())
            .chain(self.alt_labels.iter().map(String::as_str))
            .chain(code)
    }
}

/// An edge of the projection: one relation between two resources.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rel {
    /// document → issuing organisation
    IssuedBy,
    /// document → jurisdiction (a place)
    Jurisdiction,
    /// section or task → parent section or document
    PartOf,
    /// organisation → task
    Leads,
    /// organisation → task
    CoResponsible,
    /// task → indicator
    Targets,
    /// entity → entity; stored once per unordered pair (smaller IRI first)
    CooperatesWith,
    /// person → organisation, with the post's name
    HoldsPost(String),
}

impl Rel {
    /// The relation read from its source to its target.
    pub fn forward(&self) -> String {
        match self {
            Rel::IssuedBy => "issued by".into(),
            Rel::Jurisdiction => "jurisdiction".into(),
            Rel::PartOf => "part of".into(),
            Rel::Leads => "leads".into(),
            Rel::CoResponsible => "co-responsible for".into(),
            Rel::Targets => "targets".into(),
            Rel::CooperatesWith => "cooperates with".into(),
            Rel::HoldsPost(p) => format!("holds post {p} in"),
        }
    }

    /// The relation read from its target back to its source.
    pub fn backward(&self) -> String {
        match self {
            Rel::IssuedBy => "issued".into(),
            Rel::Jurisdiction => "jurisdiction of".into(),
            Rel::PartOf => "contains".into(),
            Rel::Leads => "led by".into(),
            Rel::CoResponsible => "shared by".into(),
            Rel::Targets => "target of".into(),
            Rel::CooperatesWith => "cooperates with".into(),
            Rel::HoldsPost(p) => format!("has {p}"),
        }
    }
}

/// Role of an organisation on a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Leads,
    CoResponsible,
}

const Q_DOCUMENTS: (&str, &str) = ("view-documents", include_str!("../../../queries/view-documents.rq"));
const Q_STRUCTURE: (&str, &str) = ("view-structure", include_str!("../../../queries/view-structure.rq"));
const Q_ROLES: (&str, &str) = ("view-roles", include_str!("../../../queries/view-roles.rq"));
const Q_INDICATORS: (&str, &str) = ("view-indicators", include_str!("../../../queries/view-indicators.rq"));
const Q_COOPERATION: (&str, &str) = ("view-cooperation", include_str!("../../../queries/view-cooperation.rq"));
const Q_POSTS: (&str, &str) = ("view-posts", include_str!("../../../queries/view-posts.rq"));
const Q_ENTITIES: (&str, &str) = ("view-entities", include_str!("../../../queries/view-entities.rq"));

/// The store projected into a petgraph graph (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct Kg {
    /// Nodes in IRI order; edges sorted by (source IRI, target IRI, relation).
    pub graph: DiGraph<KgNode, Rel>,
    index: BTreeMap<String, NodeIndex>,
}

/// One answer row of a view query.
struct Row(QuerySolution);

impl Row {
    /// Lexical value of a bound variable (IRI string, literal value).
    fn get(&self, var: &str) -> Option<String> {
        match self.0.get(var)? {
            Term::NamedNode(n) => Some(n.as_str().to_string()),
            Term::Literal(l) => Some(l.value().to_string()),
            Term::BlankNode(b) => Some(format!("_:{}", b.as_str())),
            #[allow(unreachable_patterns)]
            other => Some(other.to_string()),
        }
    }
}

fn select(store: &KgStore, (name, text): (&'static str, &str), doc: Option<&str>) -> Result<Vec<Row>, ViewError> {
    let err = |message: String| ViewError::Query { name, message };
    let mut query = SparqlEvaluator::new()
        .parse_query(text)
        .map_err(|e| err(e.to_string()))?;
    query.dataset_mut().set_default_graph_as_union();
    if let Some(d) = doc {
        query = query.substitute_variable(Variable::new_unchecked("docId"), Literal::new_simple_literal(d));
    }
    let results = query
        .on_store(store.inner())
        .execute()
        .map_err(|e| err(e.to_string()))?;
    let mut rows = Vec::new();
    if let QueryResults::Solutions(solutions) = results {
        for s in solutions {
            rows.push(Row(s.map_err(|e| err(e.to_string()))?));
        }
    }
    Ok(rows)
}

/// Last path segment of an IRI, percent-decoding left as is (a fallback label).
fn iri_tail(iri: &str) -> String {
    iri.rsplit(['/', '#']).next().unwrap_or(iri).to_string()
}

/// `≥ 200 次 · 2024` from an indicator's comparator, value, bound, unit and deadline.
fn indicator_detail(row: &Row) -> Option<String> {
    let value = row.get("value")?;
    let cmp = match row.get("comparator").as_deref() {
        Some(">=") => "≥ ",
        Some("<=") => "≤ ",
        Some(">") => "> ",
        Some("<") => "< ",
        Some("~") => "≈ ",
        _ => "",
    };
    let num = |v: &str| v.strip_suffix(".0").unwrap_or(v).to_string();
    let mut s = format!("{cmp}{}", num(&value));
    if let Some(max) = row.get("maxValue") {
        s.push('–');
        s.push_str(&num(&max));
    }
    if let Some(u) = row.get("unit") {
        s.push_str(&u);
    }
    if let Some(d) = row.get("deadline") {
        s.push_str(" · ");
        s.push_str(&d);
    }
    Some(s)
}

impl Kg {
    /// Loads the projection from the store; with `doc`, only that document's facts (and the
    /// entities they mention). `doc` must be an exact document id (see [`resolve_doc`]).
    pub fn load(store: &KgStore, doc: Option<&str>) -> Result<Kg, ViewError> {
        let mut nodes: BTreeMap<String, KgNode> = BTreeMap::new();
        let mut edges: BTreeSet<(String, String, Rel)> = BTreeSet::new();

        for r in select(store, Q_DOCUMENTS, doc)? {
            let (Some(iri), Some(id)) = (r.get("doc"), r.get("docId")) else {
                continue;
            };
            let title = r.get("title");
            let node = nodes
                .entry(iri.clone())
                .or_insert_with(|| KgNode::new(&iri, NodeKind::Document, id.clone()));
            node.doc = Some(id.clone());
            node.item = Some(id.clone());
            if let Some(t) = title {
                if node.label == id || t < node.label {
                    node.label = t;
                }
            }
            if let Some(i) = r.get("issuer") {
                edges.insert((iri.clone(), i, Rel::IssuedBy));
            }
            if let Some(p) = r.get("place") {
                edges.insert((iri.clone(), p, Rel::Jurisdiction));
            }
        }
        for r in select(store, Q_STRUCTURE, doc)? {
            let (Some(iri), Some(kind), Some(doc_id)) = (r.get("node"), r.get("kind"), r.get("docId")) else {
                continue;
            };
            let kind = if kind == "section" {
                NodeKind::Section
            } else {
                NodeKind::Task
            };
            let text = r.get("text").unwrap_or_default();
            let node = nodes
                .entry(iri.clone())
                .or_insert_with(|| KgNode::new(&iri, kind, text.clone()));
            if text < node.label {
                node.label = text;
            }
            node.doc = Some(doc_id);
            if let Some(item) = r.get("item") {
                if node.item.as_ref().is_none_or(|i| &item < i) {
                    node.item = Some(item);
                }
            }
            if let Some(p) = r.get("position").and_then(|p| p.parse::<i64>().ok()) {
                node.position = Some(node.position.map_or(p, |q| q.min(p)));
            }
            if let Some(parent) = r.get("parent") {
                edges.insert((iri.clone(), parent, Rel::PartOf));
            }
        }
        for r in select(store, Q_ROLES, doc)? {
            let (Some(org), Some(role), Some(task)) = (r.get("org"), r.get("role"), r.get("task")) else {
                continue;
            };
            let rel = if role == "leads" {
                Rel::Leads
            } else {
                Rel::CoResponsible
            };
            edges.insert((org, task, rel));
        }
        for r in select(store, Q_INDICATORS, doc)? {
            let (Some(task), Some(ind)) = (r.get("task"), r.get("indicator")) else {
                continue;
            };
            let text = r.get("text").unwrap_or_else(|| iri_tail(&ind));
            let detail = indicator_detail(&r);
            let node = nodes
                .entry(ind.clone())
                .or_insert_with(|| KgNode::new(&ind, NodeKind::Indicator, text.clone()));
            node.doc = r.get("docId");
            if node.detail.is_none() || detail.as_ref().is_some_and(|d| Some(d) < node.detail.as_ref()) {
                node.detail = detail;
            }
            edges.insert((task, ind, Rel::Targets));
        }
        for r in select(store, Q_COOPERATION, doc)? {
            let (Some(a), Some(b)) = (r.get("a"), r.get("b")) else {
                continue;
            };
            if a == b {
                continue;
            }
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            edges.insert((a, b, Rel::CooperatesWith));
        }
        for r in select(store, Q_POSTS, doc)? {
            let Some(person) = r.get("person") else { continue };
            let name = r.get("name").unwrap_or_else(|| iri_tail(&person));
            let node = nodes
                .entry(person.clone())
                .or_insert_with(|| KgNode::new(&person, NodeKind::Person, name.clone()));
            if name < node.label {
                node.label = name;
            }
            if let Some(org) = r.get("org") {
                edges.insert((person, org, Rel::HoldsPost(r.get("post").unwrap_or_default())));
            }
        }

        // Entities: only those some edge mentions.
        let mentioned: BTreeSet<&str> = edges
            .iter()
            .flat_map(|(s, t, _)| [s.as_str(), t.as_str()])
            .filter(|i| !nodes.contains_key(*i))
            .collect();
        #[derive(Default)]
        struct Info {
            classes: BTreeSet<String>,
            labels: BTreeSet<String>,
            alts: BTreeSet<String>,
            notation: BTreeSet<String>,
        }
        let mut infos: BTreeMap<String, Info> = BTreeMap::new();
        if !mentioned.is_empty() {
            for r in select(store, Q_ENTITIES, None)? {
                let Some(e) = r.get("entity") else { continue };
                if !mentioned.contains(e.as_str()) {
                    continue;
                }
                let info = infos.entry(e).or_default();
                if let Some(c) = r.get("class") {
                    info.classes.insert(iri_tail(&c));
                }
                info.labels.extend(r.get("label"));
                info.alts.extend(r.get("altLabel"));
                info.notation.extend(r.get("notation"));
            }
        }
        for iri in mentioned {
            let info = infos.remove(iri).unwrap_or_default();
            let kind = EntityKind::from_classes(&info.classes);
            let label = info.labels.iter().next().cloned().unwrap_or_else(|| iri_tail(iri));
            let mut node = KgNode::new(iri, NodeKind::Entity(kind), label);
            node.alt_labels = info.alts.into_iter().filter(|a| *a != node.label).collect();
            node.detail = info.notation.into_iter().next();
            nodes.insert(iri.to_string(), node);
        }

        let mut kg = Kg::default();
        for (iri, node) in nodes {
            let ix = kg.graph.add_node(node);
            kg.index.insert(iri, ix);
        }
        for (s, t, rel) in edges {
            if let (Some(&a), Some(&b)) = (kg.index.get(&s), kg.index.get(&t)) {
                kg.graph.add_edge(a, b, rel);
            }
        }
        Ok(kg)
    }

    /// The node with this IRI.
    pub fn get(&self, iri: &str) -> Option<NodeIndex> {
        self.index.get(iri).copied()
    }

    /// The node at an index.
    pub fn node(&self, ix: NodeIndex) -> &KgNode {
        &self.graph[ix]
    }

    /// Nodes of one kind, in IRI order.
    pub fn nodes_of(&self, kind: NodeKind) -> Vec<NodeIndex> {
        self.graph
            .node_indices()
            .filter(|&n| self.graph[n].kind == kind)
            .collect()
    }

    /// Entities (organisations, places, regions), in IRI order.
    pub fn entities(&self) -> Vec<NodeIndex> {
        self.graph
            .node_indices()
            .filter(|&n| matches!(self.graph[n].kind, NodeKind::Entity(_)))
            .collect()
    }

    /// Targets of `ix`'s outgoing edges with relation `rel`, in index order.
    pub fn targets(&self, ix: NodeIndex, rel: &Rel) -> Vec<NodeIndex> {
        let mut v: Vec<NodeIndex> = self
            .graph
            .edges_directed(ix, Direction::Outgoing)
            .filter(|e| e.weight() == rel)
            .map(|e| e.target())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Sources of `ix`'s incoming edges with relation `rel`, in index order.
    pub fn sources(&self, ix: NodeIndex, rel: &Rel) -> Vec<NodeIndex> {
        let mut v: Vec<NodeIndex> = self
            .graph
            .edges_directed(ix, Direction::Incoming)
            .filter(|e| e.weight() == rel)
            .map(|e| e.source())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Organisations with a role on a task: (organisation, role), leads first, then by IRI.
    pub fn roles_on(&self, task: NodeIndex) -> Vec<(NodeIndex, Role)> {
        let mut v: Vec<(NodeIndex, Role)> = self
            .sources(task, &Rel::Leads)
            .into_iter()
            .map(|o| (o, Role::Leads))
            .collect();
        v.extend(
            self.sources(task, &Rel::CoResponsible)
                .into_iter()
                .map(|o| (o, Role::CoResponsible)),
        );
        v.sort_by(|a, b| (a.1, &self.graph[a.0].iri).cmp(&(b.1, &self.graph[b.0].iri)));
        v
    }

    /// Tasks of an organisation: (task, role).
    pub fn tasks_of(&self, org: NodeIndex) -> Vec<(NodeIndex, Role)> {
        let mut v: Vec<(NodeIndex, Role)> = self
            .targets(org, &Rel::Leads)
            .into_iter()
            .map(|t| (t, Role::Leads))
            .collect();
        v.extend(
            self.targets(org, &Rel::CoResponsible)
                .into_iter()
                .map(|t| (t, Role::CoResponsible)),
        );
        v.sort_by(|a, b| self.task_key(a.0).cmp(&self.task_key(b.0)).then(a.1.cmp(&b.1)));
        v
    }

    /// Sort key of a task or section: (document id, position, IRI).
    pub fn task_key(&self, ix: NodeIndex) -> (String, i64, String) {
        let n = &self.graph[ix];
        (
            n.doc.clone().unwrap_or_default(),
            n.position.unwrap_or(i64::MAX),
            n.iri.clone(),
        )
    }

    /// The document node of a document id.
    pub fn document(&self, doc_id: &str) -> Option<NodeIndex> {
        self.nodes_of(NodeKind::Document)
            .into_iter()
            .find(|&d| self.graph[d].doc.as_deref() == Some(doc_id))
    }

    /// Tasks of a document, by position.
    pub fn tasks_in(&self, doc_id: &str) -> Vec<NodeIndex> {
        let mut v: Vec<NodeIndex> = self
            .nodes_of(NodeKind::Task)
            .into_iter()
            .filter(|&t| self.graph[t].doc.as_deref() == Some(doc_id))
            .collect();
        v.sort_by_key(|&t| self.task_key(t));
        v
    }

    /// The section a task (or section) is part of, if any.
    pub fn section_of(&self, ix: NodeIndex) -> Option<NodeIndex> {
        self.targets(ix, &Rel::PartOf)
            .into_iter()
            .find(|&p| self.graph[p].kind == NodeKind::Section)
    }

    /// Entities known by `name` (preferred or alternative label, or division code); when none
    /// matches exactly, the single entity whose label contains it. Errors list candidates.
    pub fn find_entities(
        &self,
        name: &str,
        what: &'static str,
        pred: impl Fn(NodeIndex, &KgNode) -> bool,
    ) -> Result<Vec<NodeIndex>, ViewError> {
        let name = name.trim();
        let pool: Vec<NodeIndex> = self.graph.node_indices().filter(|&n| pred(n, &self.graph[n])).collect();
        let exact: Vec<NodeIndex> = pool
            .iter()
            .copied()
            .filter(|&n| self.graph[n].names().any(|l| l == name))
            .collect();
        if !exact.is_empty() {
            return Ok(exact);
        }
        let partial: Vec<NodeIndex> = pool
            .iter()
            .copied()
            .filter(|&n| !name.is_empty() && self.graph[n].names().any(|l| l.contains(name)))
            .collect();
        if partial.len() == 1 {
            return Ok(partial);
        }
        let hint = if partial.is_empty() {
            String::new()
        } else {
            let mut names: Vec<&str> = partial.iter().map(|&n| self.graph[n].label.as_str()).collect();
            names.sort();
            names.dedup();
            let more = names.len().saturating_sub(12);
            names.truncate(12);
            format!(
                "; did you mean one of: {}{}",
                names.join(", "),
                if more > 0 { format!(" (+{more})") } else { String::new() }
            )
        };
        Err(ViewError::NotFound {
            what,
            name: name.to_string(),
            hint,
        })
    }
}

/// Resolves a document id given on the command line: an exact id, or a unique prefix (`003`).
pub fn resolve_doc(store: &KgStore, given: &str) -> Result<String, ViewError> {
    let ids = store.document_ids()?;
    if ids.iter().any(|i| i == given) {
        return Ok(given.to_string());
    }
    let matches: Vec<&String> = ids.iter().filter(|i| i.starts_with(given)).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        _ => {
            let list: Vec<&String> = if matches.is_empty() {
                ids.iter().collect()
            } else {
                matches
            };
            let mut available = list.iter().take(20).map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
            if list.len() > 20 {
                available.push_str(&format!(" … ({} in all)", list.len()));
            }
            if available.is_empty() {
                available = "(none: the store is empty)".into();
            }
            Err(ViewError::NoDocument {
                given: given.to_string(),
                available,
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Projections.

/// The collaboration network: organisations (collectives left out) linked by shared tasks.
#[derive(Clone, Debug)]
pub struct Collab {
    /// Node weights are indices into the [`Kg`]; edge weights count shared tasks.
    pub graph: UnGraph<NodeIndex, u32>,
    /// Kg index → collaboration index.
    pub index: BTreeMap<NodeIndex, NodeIndex>,
}

/// True for organisations that take part in the network reports (not vague collectives).
pub fn is_network_org(n: &KgNode) -> bool {
    n.entity_kind().is_some_and(|k| k != EntityKind::Collective)
}

impl Collab {
    /// Builds the network from the roles in `kg`; with `tasks`, only those tasks count.
    pub fn build(kg: &Kg, tasks: Option<&BTreeSet<NodeIndex>>) -> Collab {
        let mut members: BTreeSet<NodeIndex> = BTreeSet::new();
        let mut weights: BTreeMap<(NodeIndex, NodeIndex), u32> = BTreeMap::new();
        for t in kg.nodes_of(NodeKind::Task) {
            if tasks.is_some_and(|s| !s.contains(&t)) {
                continue;
            }
            let mut orgs: Vec<NodeIndex> = kg
                .roles_on(t)
                .into_iter()
                .map(|(o, _)| o)
                .filter(|&o| is_network_org(kg.node(o)))
                .collect();
            orgs.sort();
            orgs.dedup();
            members.extend(orgs.iter().copied());
            for (i, &a) in orgs.iter().enumerate() {
                for &b in &orgs[i + 1..] {
                    *weights.entry((a, b)).or_insert(0) += 1;
                }
            }
        }
        let mut graph = UnGraph::new_undirected();
        let mut index = BTreeMap::new();
        for m in members {
            index.insert(m, graph.add_node(m));
        }
        for ((a, b), w) in weights {
            if let (Some(&x), Some(&y)) = (index.get(&a), index.get(&b)) {
                graph.add_edge(x, y, w);
            }
        }
        Collab { graph, index }
    }

    /// Partners of a member, sorted by shared tasks (desc) then Kg index.
    pub fn partners(&self, c: NodeIndex) -> Vec<(NodeIndex, u32)> {
        let mut v: Vec<(NodeIndex, u32)> = self
            .graph
            .edges(c)
            .map(|e| (if e.source() == c { e.target() } else { e.source() }, *e.weight()))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(self.graph[a.0].cmp(&self.graph[b.0])));
        v
    }

    /// Connected components, largest first (members in Kg index order).
    pub fn components(&self) -> Vec<Vec<NodeIndex>> {
        let mut uf = petgraph::unionfind::UnionFind::<usize>::new(self.graph.node_count());
        for e in self.graph.edge_references() {
            uf.union(e.source().index(), e.target().index());
        }
        let mut groups: BTreeMap<usize, Vec<NodeIndex>> = BTreeMap::new();
        for n in self.graph.node_indices() {
            groups.entry(uf.find(n.index())).or_default().push(n);
        }
        let mut comps: Vec<Vec<NodeIndex>> = groups.into_values().collect();
        comps.sort_by(|a, b| b.len().cmp(&a.len()).then(a.first().cmp(&b.first())));
        comps
    }
}

/// Betweenness centrality of every node of an undirected graph (Brandes' algorithm,
/// unweighted), normalised to [0, 1] by the number of pairs of other nodes.
pub fn betweenness<N, E>(g: &UnGraph<N, E>) -> Vec<f64> {
    let n = g.node_count();
    let mut cb = vec![0.0f64; n];
    let adj: Vec<Vec<usize>> = g
        .node_indices()
        .map(|v| {
            let mut a: Vec<usize> = g.neighbors(v).map(|w| w.index()).collect();
            a.sort_unstable();
            a.dedup();
            a
        })
        .collect();
    for s in 0..n {
        let mut stack = Vec::with_capacity(n);
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut sigma = vec![0.0f64; n];
        let mut dist = vec![-1i64; n];
        sigma[s] = 1.0;
        dist[s] = 0;
        let mut queue = VecDeque::from([s]);
        while let Some(v) = queue.pop_front() {
            stack.push(v);
            for &w in &adj[v] {
                if dist[w] < 0 {
                    dist[w] = dist[v] + 1;
                    queue.push_back(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                    preds[w].push(v);
                }
            }
        }
        let mut delta = vec![0.0f64; n];
        while let Some(w) = stack.pop() {
            for &v in &preds[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                cb[w] += delta[w];
            }
        }
    }
    // Each pair was counted from both ends.
    let pairs = if n > 2 { ((n - 1) * (n - 2)) as f64 } else { 1.0 };
    cb.iter().map(|c| c / pairs).collect()
}

/// The undirected entity graph: every relation of the [`Kg`] as an edge (used by `path`).
fn entity_graph(kg: &Kg) -> UnGraph<NodeIndex, ()> {
    // Node indices are kept equal to the Kg's.
    let mut g = UnGraph::with_capacity(kg.graph.node_count(), kg.graph.edge_count());
    for n in kg.graph.node_indices() {
        g.add_node(n);
    }
    for e in kg.graph.edge_references() {
        g.add_edge(e.source(), e.target(), ());
    }
    g
}

/// Shortest path (fewest relations) from any of `from` to any of `to` in the entity graph.
pub fn shortest_path(kg: &Kg, from: &[NodeIndex], to: &[NodeIndex]) -> Option<Vec<NodeIndex>> {
    let g = entity_graph(kg);
    let goal: BTreeSet<NodeIndex> = to.iter().copied().collect();
    let mut prev: BTreeMap<NodeIndex, Option<NodeIndex>> = BTreeMap::new();
    let mut queue = VecDeque::new();
    let mut starts = from.to_vec();
    starts.sort();
    for s in starts {
        if prev.insert(s, None).is_none() {
            queue.push_back(s);
        }
    }
    while let Some(v) = queue.pop_front() {
        if goal.contains(&v) {
            let mut path = vec![v];
            let mut cur = v;
            while let Some(Some(p)) = prev.get(&cur) {
                path.push(*p);
                cur = *p;
            }
            path.reverse();
            return Some(path);
        }
        let mut next: Vec<NodeIndex> = g.neighbors(v).collect();
        next.sort();
        next.dedup();
        for w in next {
            if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(Some(v));
                queue.push_back(w);
            }
        }
    }
    None
}

/// The relation between two adjacent nodes, read from `a` to `b`.
pub fn relation_between(kg: &Kg, a: NodeIndex, b: NodeIndex) -> String {
    let mut fwd: Vec<String> = kg.graph.edges_connecting(a, b).map(|e| e.weight().forward()).collect();
    let mut back: Vec<String> = kg.graph.edges_connecting(b, a).map(|e| e.weight().backward()).collect();
    fwd.sort();
    back.sort();
    fwd.extend(back);
    fwd.dedup();
    fwd.join(" / ")
}

// ---------------------------------------------------------------------------------------------
// Reports.

/// The reports of `policykg graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Report {
    /// Departments ranked by tasks led and shared.
    Workload,
    /// Brokers of the collaboration network: betweenness centrality and PageRank.
    Brokers,
    /// Connected components of the collaboration network.
    Components,
    /// Shortest chain of relations between two entities: `path A B`.
    Path,
    /// Tasks without a lead organisation.
    Unled,
    /// Departments with tasks but no partner on any of them.
    Isolated,
}

fn kind_name(kg: &Kg, ix: NodeIndex) -> &'static str {
    kg.node(ix).kind.name()
}

struct Counts {
    leads: usize,
    shared: usize,
    docs: usize,
}

fn counts(kg: &Kg, org: NodeIndex, tasks: Option<&BTreeSet<NodeIndex>>) -> Counts {
    let mut docs = BTreeSet::new();
    let (mut leads, mut shared) = (0, 0);
    for (t, role) in kg.tasks_of(org) {
        if tasks.is_some_and(|s| !s.contains(&t)) {
            continue;
        }
        match role {
            Role::Leads => leads += 1,
            Role::CoResponsible => shared += 1,
        }
        docs.insert(kg.node(t).doc.clone());
    }
    Counts {
        leads,
        shared,
        docs: docs.len(),
    }
}

/// `workload`: organisations ranked by tasks (led + shared), then tasks led, then name.
pub fn workload(kg: &Kg, limit: Option<usize>) -> Table {
    let collab = Collab::build(kg, None);
    let mut rows: Vec<(usize, usize, String, Vec<String>)> = Vec::new();
    for (&o, &c) in &collab.index {
        let n = kg.node(o);
        let k = counts(kg, o, None);
        let partners = collab.graph.neighbors(c).collect::<BTreeSet<_>>().len();
        rows.push((
            k.leads + k.shared,
            k.leads,
            n.label.clone(),
            vec![
                n.label.clone(),
                kind_name(kg, o).to_string(),
                k.leads.to_string(),
                k.shared.to_string(),
                (k.leads + k.shared).to_string(),
                k.docs.to_string(),
                partners.to_string(),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut t = Table::new(
        "Workload: organisations by tasks led and shared",
        &[
            "rank",
            "organisation",
            "type",
            "leads",
            "shared",
            "tasks",
            "docs",
            "partners",
        ],
    );
    let total = rows.len();
    for (i, (_, _, _, r)) in rows.into_iter().take(limit.unwrap_or(usize::MAX)).enumerate() {
        let mut row = vec![(i + 1).to_string()];
        row.extend(r);
        t.rows.push(row);
    }
    t.notes.push(format!(
        "{} of {total} organisations (collectives such as 各有关单位 not counted)",
        t.rows.len()
    ));
    t
}

/// `brokers`: betweenness centrality (and PageRank) in the collaboration network.
pub fn brokers(kg: &Kg, limit: Option<usize>) -> Table {
    let collab = Collab::build(kg, None);
    let bc = betweenness(&collab.graph);
    let n = collab.graph.node_count();
    // petgraph's PageRank is quadratic in the number of nodes; skip it on very large networks.
    let pr: Option<Vec<f64>> = (n <= 3000).then(|| petgraph::algo::page_rank(&collab.graph, 0.85_f64, 50));
    let mut rows: Vec<(f64, f64, String, Vec<String>)> = Vec::new();
    for c in collab.graph.node_indices() {
        let o = collab.graph[c];
        let node = kg.node(o);
        let partners = collab.partners(c);
        let weighted: u32 = partners.iter().map(|p| p.1).sum();
        let p = pr.as_ref().and_then(|v| v.get(c.index()).copied()).unwrap_or(0.0);
        let b = bc.get(c.index()).copied().unwrap_or(0.0);
        rows.push((
            b,
            p,
            node.label.clone(),
            vec![
                node.label.clone(),
                format!("{b:.4}"),
                if pr.is_some() { format!("{p:.4}") } else { "-".into() },
                partners.len().to_string(),
                weighted.to_string(),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut t = Table::new(
        "Brokers of the collaboration network (betweenness centrality, PageRank)",
        &["rank", "organisation", "betweenness", "pagerank", "partners", "shared"],
    );
    for (i, (_, _, _, r)) in rows.into_iter().take(limit.unwrap_or(usize::MAX)).enumerate() {
        let mut row = vec![(i + 1).to_string()];
        row.extend(r);
        t.rows.push(row);
    }
    t.notes.push(format!(
        "{n} organisations, {} links; shared = tasks shared with partners (sum of link weights)",
        collab.graph.edge_count()
    ));
    t
}

/// `components`: connected components of the collaboration network, largest first.
pub fn components(kg: &Kg, limit: Option<usize>) -> Table {
    let collab = Collab::build(kg, None);
    let comps = collab.components();
    let mut t = Table::new(
        "Components of the collaboration network",
        &["component", "size", "links", "most connected members"],
    );
    for (i, comp) in comps.iter().enumerate().take(limit.unwrap_or(usize::MAX)) {
        let set: BTreeSet<NodeIndex> = comp.iter().copied().collect();
        let links = collab
            .graph
            .edge_references()
            .filter(|e| set.contains(&e.source()))
            .count();
        let mut members: Vec<(usize, &str)> = comp
            .iter()
            .map(|&c| {
                (
                    collab.graph.neighbors(c).count(),
                    kg.node(collab.graph[c]).label.as_str(),
                )
            })
            .collect();
        members.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let shown: Vec<&str> = members.iter().take(5).map(|m| m.1).collect();
        let more = members.len().saturating_sub(shown.len());
        let mut list = shown.join("、");
        if more > 0 {
            list.push_str(&format!(" … (+{more})"));
        }
        t.rows.push(vec![
            (i + 1).to_string(),
            comp.len().to_string(),
            links.to_string(),
            list,
        ]);
    }
    t.notes.push(format!(
        "{} components, {} organisations",
        comps.len(),
        collab.graph.node_count()
    ));
    t
}

/// `path A B`: the shortest chain of relations between two entities (any name they go by).
pub fn path(kg: &Kg, a: &str, b: &str) -> Result<Table, ViewError> {
    let named = |_: NodeIndex, n: &KgNode| matches!(n.kind, NodeKind::Entity(_) | NodeKind::Person);
    let from = kg.find_entities(a, "entity", named)?;
    let to = kg.find_entities(b, "entity", named)?;
    let mut t = Table::new(
        format!("Shortest path from {a} to {b}"),
        &["step", "node", "type", "relation to next"],
    );
    match shortest_path(kg, &from, &to) {
        Some(p) => {
            for (i, &n) in p.iter().enumerate() {
                let node = kg.node(n);
                let short_doc = node
                    .doc
                    .as_deref()
                    .map(|d| d.split('_').next().unwrap_or(d))
                    .unwrap_or("");
                let label = match node.kind {
                    NodeKind::Task => format!(
                        "{short_doc}#{} {}",
                        node.item.as_deref().unwrap_or(""),
                        shorten(&node.label, 36)
                    ),
                    NodeKind::Section => format!("{short_doc} {}", shorten(&node.label, 36)),
                    NodeKind::Document => format!("{} {}", node.doc.as_deref().unwrap_or(""), shorten(&node.label, 36)),
                    NodeKind::Indicator => shorten(&node.label, 36),
                    _ => node.label.clone(),
                };
                let rel = p
                    .get(i + 1)
                    .map(|&next| relation_between(kg, n, next))
                    .unwrap_or_default();
                t.rows
                    .push(vec![i.to_string(), label, node.kind.name().to_string(), rel]);
            }
            t.notes.push(format!("length {}", p.len() - 1));
        }
        None => t
            .notes
            .push(format!("no path: {a} and {b} are not connected in the store")),
    }
    let names = |v: &[NodeIndex]| {
        v.iter()
            .map(|&n| kg.node(n).label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if from.len() > 1 {
        t.notes
            .push(format!("{a} names {} entities: {}", from.len(), names(&from)));
    }
    if to.len() > 1 {
        t.notes.push(format!("{b} names {} entities: {}", to.len(), names(&to)));
    }
    Ok(t)
}

/// Length (number of relations) of the shortest path between two names, if connected.
pub fn path_length(kg: &Kg, a: &str, b: &str) -> Result<Option<usize>, ViewError> {
    let named = |_: NodeIndex, n: &KgNode| matches!(n.kind, NodeKind::Entity(_) | NodeKind::Person);
    let from = kg.find_entities(a, "entity", named)?;
    let to = kg.find_entities(b, "entity", named)?;
    Ok(shortest_path(kg, &from, &to).map(|p| p.len() - 1))
}

/// `unled`: tasks with no lead organisation, by document and position.
pub fn unled(kg: &Kg, limit: Option<usize>) -> Table {
    let mut t = Table::new(
        "Tasks without a lead organisation",
        &["doc", "item", "section", "task", "co-responsible"],
    );
    let mut tasks: Vec<NodeIndex> = kg
        .nodes_of(NodeKind::Task)
        .into_iter()
        .filter(|&x| kg.sources(x, &Rel::Leads).is_empty())
        .collect();
    tasks.sort_by_key(|&x| kg.task_key(x));
    let total = tasks.len();
    let all = kg.nodes_of(NodeKind::Task).len();
    for x in tasks.into_iter().take(limit.unwrap_or(usize::MAX)) {
        let n = kg.node(x);
        let section = kg
            .section_of(x)
            .map(|s| shorten(&kg.node(s).label, 24))
            .unwrap_or_default();
        let co = kg.sources(x, &Rel::CoResponsible).len();
        t.rows.push(vec![
            n.doc.clone().unwrap_or_default(),
            n.item.clone().unwrap_or_default(),
            section,
            shorten(&n.label, 40),
            co.to_string(),
        ]);
    }
    t.notes.push(format!("{total} of {all} tasks have no lead"));
    t
}

/// `isolated`: organisations with tasks but no partner organisation on any of them.
pub fn isolated(kg: &Kg, limit: Option<usize>) -> Table {
    let collab = Collab::build(kg, None);
    let mut t = Table::new(
        "Organisations with no partner (no task shared with another organisation)",
        &["organisation", "type", "leads", "shared", "docs"],
    );
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (&o, &c) in &collab.index {
        if collab.graph.neighbors(c).next().is_some() {
            continue;
        }
        let k = counts(kg, o, None);
        let n = kg.node(o);
        rows.push(vec![
            n.label.clone(),
            kind_name(kg, o).to_string(),
            k.leads.to_string(),
            k.shared.to_string(),
            k.docs.to_string(),
        ]);
    }
    rows.sort();
    let total = rows.len();
    t.rows = rows.into_iter().take(limit.unwrap_or(usize::MAX)).collect();
    t.notes.push(format!(
        "{total} of {} organisations have no partner",
        collab.graph.node_count()
    ));
    t
}

/// Computes one report (`names` are the two entities of `path`).
pub fn report(kg: &Kg, which: Report, names: &[String], limit: Option<usize>) -> Result<Table, ViewError> {
    if which != Report::Path && !names.is_empty() {
        return Err(ViewError::Usage(format!(
            "unexpected arguments {:?}: only `path A B` takes names",
            names
        )));
    }
    Ok(match which {
        Report::Workload => workload(kg, Some(limit.unwrap_or(20))),
        Report::Brokers => brokers(kg, Some(limit.unwrap_or(20))),
        Report::Components => components(kg, limit),
        Report::Unled => unled(kg, limit),
        Report::Isolated => isolated(kg, limit),
        Report::Path => match names {
            [a, b] => path(kg, a, b)?,
            _ => {
                return Err(ViewError::Usage(
                    "path needs two names: `policykg graph path 市商务局 芜湖市`".into(),
                ))
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn betweenness_of_a_path_graph() {
        let mut g: UnGraph<(), ()> = UnGraph::new_undirected();
        let a = g.add_node(());
        let b = g.add_node(());
        let c = g.add_node(());
        g.add_edge(a, b, ());
        g.add_edge(b, c, ());
        let bc = betweenness(&g);
        assert_eq!(bc, vec![0.0, 1.0, 0.0]);
    }
}
