//! Views, part 2: Graphviz diagrams of the store, built as graphviz-rust DOT syntax trees from
//! the petgraph projection of [`crate::graph`] and printed with graphviz-rust's printer.
//!
//! Four diagrams ([`DiagramKind`]): `doc`, the org-task diagram of one document (issuer →
//! document → sections as clusters → tasks, organisations linked to tasks: solid = leads,
//! dashed = co-responsible, indicators as notes beside their tasks); `org`, one department's
//! responsibility chain across documents; `collab`, the collaboration network (edge weight =
//! tasks shared); `coop`, the cooperation map of places, regions and parks. Every diagram has
//! a legend, colours and shapes by entity type, the CJK font "Noto Sans CJK SC" on graph,
//! nodes and edges, and long texts shortened on the node with the full text as tooltip.
//!
//! Node ids are the resources' IRIs, so a diagram can be checked against the store; the only
//! other ids are `IRI#sN` (an organisation's copy in section cluster N of a doc diagram),
//! `IRI#partners` (a task's partner note in an org diagram) and `legend…`. Output is
//! deterministic: nodes, edges and clusters are emitted in sorted order, and the same store
//! gives byte-identical DOT.
//!
//! Layout choices for the `doc` and `org` diagrams (rendered and checked on the 46-task seed
//! 003 and the 31-task seed 004): `rankdir=LR`; one cluster per section holding the
//! organisations of that section, so each role edge is short and runs forward
//! (organisation → task, the store's direction); tasks keep document order (a flat chain in
//! a `rank=same` group, and `remincross=false`, whose final pass would reorder them); one
//! colour per organisation for its node border and lines; `splines=true` with `ranksep` wide
//! enough to tell the fanned-out lines apart. The network diagrams use `neato` with overlap
//! removal and an HTML-table legend (neato has no clusters). SVG and PNG are rendered by spawning Graphviz's `dot` (or the
//! program named by `POLICYKG_DOT`); when it cannot be run the error says so and suggests
//! `--format dot` or installing graphviz.

use crate::graph::{is_network_org, resolve_doc, Collab, EntityKind, Kg, KgNode, Rel, Role, ViewError};
use crate::store::KgStore;
use crate::table::{shorten, wrap};
use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

/// The font used on graph, nodes and edges (fonts-noto-cjk).
pub const FONT: &str = "Noto Sans CJK SC";
/// Environment variable naming the Graphviz program to run instead of `dot` from `PATH`.
pub const DOT_ENV: &str = "POLICYKG_DOT";

/// Which diagram to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagramKind {
    /// Org-task diagram of one document (--doc ID).
    Doc,
    /// One organisation's responsibility chain across all documents (--org NAME).
    Org,
    /// Collaboration network of organisations; edge weight = tasks shared (--doc/--org narrow it).
    Collab,
    /// Cooperation map of places, regions and parks (--place NAME or --doc ID narrow it).
    Coop,
}

/// Output format of a diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphviz DOT source (always available).
    Dot,
    /// SVG rendered by Graphviz `dot` (tooltips carry the full texts).
    Svg,
    /// PNG rendered by Graphviz `dot`.
    Png,
}

impl Format {
    /// The `-T` argument of `dot`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Dot => "dot",
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// Format from an output file's extension (`.svg`, `.png`, `.dot`/`.gv`).
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "dot" | "gv" => Some(Format::Dot),
            _ => None,
        }
    }
}

/// What a diagram focuses on (`--doc`, `--org`, `--place`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub doc: Option<String>,
    pub org: Option<String>,
    pub place: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// DOT building blocks.

/// Escapes text for a quoted DOT string (backslash, quote; line breaks become spaces).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A quoted DOT id.
fn q(s: &str) -> Id {
    Id::Escaped(format!("\"{}\"", escape(s)))
}

/// A quoted multi-line label (lines joined by DOT's `\n`).
fn lines_id(lines: &[String]) -> Id {
    Id::Escaped(format!(
        "\"{}\"",
        lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("\\n")
    ))
}

/// A quoted multi-line label with every line left-justified (DOT's `\l`).
fn lines_left_id(lines: &[String]) -> Id {
    Id::Escaped(format!(
        "\"{}\\l\"",
        lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("\\l")
    ))
}

fn a(key: &str, value: &str) -> Attribute {
    Attribute(Id::Plain(key.to_string()), q(value))
}

/// Sets an attribute, replacing an earlier value of the same key.
fn set(attrs: &mut Vec<Attribute>, key: &str, value: &str) {
    let k = Id::Plain(key.to_string());
    match attrs.iter_mut().find(|x| x.0 == k) {
        Some(x) => x.1 = q(value),
        None => attrs.push(a(key, value)),
    }
}

fn a_id(key: &str, value: Id) -> Attribute {
    Attribute(Id::Plain(key.to_string()), value)
}

fn node(name: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::Node(Node::new(NodeId(q(name), None), attrs))
}

fn edge(from: &str, to: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::Edge(Edge {
        ty: EdgeTy::Pair(Vertex::N(NodeId(q(from), None)), Vertex::N(NodeId(q(to), None))),
        attributes: attrs,
    })
}

fn subgraph(name: &str, stmts: Vec<Stmt>) -> Stmt {
    Stmt::Subgraph(Subgraph {
        id: Id::Plain(name.to_string()),
        stmts,
    })
}

fn defaults(graph: Vec<Attribute>, node_extra: Vec<Attribute>, edge_extra: Vec<Attribute>) -> Vec<Stmt> {
    let mut g = vec![a("fontname", FONT)];
    g.extend(graph);
    let mut n = vec![a("fontname", FONT), a("fontsize", "11")];
    n.extend(node_extra);
    let mut e = vec![a("fontname", FONT), a("fontsize", "9")];
    e.extend(edge_extra);
    vec![
        Stmt::GAttribute(GraphAttributes::Graph(g)),
        Stmt::GAttribute(GraphAttributes::Node(n)),
        Stmt::GAttribute(GraphAttributes::Edge(e)),
    ]
}

/// Prints a DOT syntax tree (two-space indent, one statement per line).
pub fn to_dot(graph: &Graph) -> String {
    let mut ctx = PrinterContext::default();
    let mut s = graph.print(&mut ctx);
    s.push('\n');
    s
}

/// Shape, fill and border colour of an entity kind.
pub fn entity_style(kind: EntityKind) -> (&'static str, &'static str, &'static str, &'static str) {
    // (shape, style, fillcolor, color)
    match kind {
        EntityKind::Department => ("box", "rounded,filled", "#dbeafe", "#1d4ed8"),
        EntityKind::Government => ("box", "rounded,filled,bold", "#dcfce7", "#15803d"),
        EntityKind::PartyOrgan => ("box", "rounded,filled", "#fee2e2", "#b91c1c"),
        EntityKind::Park => ("hexagon", "filled", "#ffedd5", "#c2410c"),
        EntityKind::Enterprise => ("component", "filled", "#fef9c3", "#a16207"),
        EntityKind::Institution => ("box", "rounded,filled", "#ede9fe", "#6d28d9"),
        EntityKind::Group => ("box", "rounded,filled,bold", "#fce7f3", "#be185d"),
        EntityKind::Collective => ("box", "rounded,filled,dashed", "#f3f4f6", "#4b5563"),
        EntityKind::Organization => ("box", "rounded,filled", "#e5e7eb", "#374151"),
        EntityKind::Place => ("ellipse", "filled", "#d1fae5", "#047857"),
        EntityKind::Region => ("ellipse", "filled,dashed", "#fef3c7", "#b45309"),
    }
}

/// Edge colours for organisations in the doc and org diagrams, so lines can be followed.
const PALETTE: [&str; 12] = [
    "#1d4ed8", "#b91c1c", "#15803d", "#7e22ce", "#c2410c", "#0e7490", "#a16207", "#be185d", "#4d7c0f", "#1e3a8a",
    "#9f1239", "#374151",
];

fn entity_attrs(n: &KgNode, label_cols: usize) -> Vec<Attribute> {
    let kind = n.entity_kind().unwrap_or(EntityKind::Organization);
    let (shape, style, fill, color) = entity_style(kind);
    let mut tip = format!("{} ({})", n.label, kind.zh());
    if !n.alt_labels.is_empty() {
        tip.push_str(&format!(" · 又称 {}", n.alt_labels.join("、")));
    }
    if let Some(code) = n.detail.as_deref().filter(|_| kind == EntityKind::Place) {
        tip.push_str(&format!(" · {code}"));
    }
    vec![
        a_id("label", lines_id(&wrap(&n.label, label_cols, 2))),
        a("shape", shape),
        a("style", style),
        a("fillcolor", fill),
        a("color", color),
        a("tooltip", &tip),
    ]
}

fn task_label(kg: &Kg, t: NodeIndex, cols: usize, lines: usize) -> Vec<String> {
    let n = kg.node(t);
    let prefix = n.item.clone().map(|i| format!("{i}. ")).unwrap_or_default();
    wrap(&format!("{prefix}{}", n.label), cols, lines)
}

fn short_doc(doc: &str) -> &str {
    doc.split('_').next().unwrap_or(doc)
}

/// A task node: number and text shortened to two lines (left-justified), full text as
/// tooltip, a red border when no organisation leads it.
fn task_attrs(kg: &Kg, t: NodeIndex) -> Vec<Attribute> {
    let n = kg.node(t);
    let tip = format!(
        "{}{}",
        n.item.as_deref().map(|i| format!("{i}. ")).unwrap_or_default(),
        n.label
    );
    let unled = kg.sources(t, &Rel::Leads).is_empty();
    let mut attrs = vec![
        a_id("label", lines_left_id(&task_label(kg, t, 36, 2))),
        a("width", "3.3"),
        a("tooltip", &tip),
    ];
    if unled {
        // Tasks without a lead stand out.
        attrs.push(a("color", "#dc2626"));
        attrs.push(a("penwidth", "1.5"));
    }
    attrs
}

fn indicator_attrs(n: &KgNode) -> Vec<Attribute> {
    let mut lines = wrap(&n.label, 32, 2);
    if let Some(d) = &n.detail {
        lines.push(d.clone());
    }
    vec![
        a_id("label", lines_id(&lines)),
        a(
            "tooltip",
            &format!("{} ({})", n.label, n.detail.as_deref().unwrap_or("")),
        ),
    ]
}

/// Legend cluster: one sample node per kind shown, sample edges for the relations shown.
fn legend(
    kinds: &BTreeSet<EntityKind>,
    extra_nodes: &[(&str, &str, Vec<Attribute>)],
    edges: &[(&str, Vec<Attribute>)],
) -> Stmt {
    let mut stmts = vec![
        Stmt::Attribute(a("label", "图例 Legend")),
        Stmt::Attribute(a("style", "rounded,filled")),
        Stmt::Attribute(a("fillcolor", "#fafafa")),
        Stmt::Attribute(a("color", "#9ca3af")),
        Stmt::Attribute(a("fontsize", "12")),
    ];
    for k in kinds {
        let (shape, style, fill, color) = entity_style(*k);
        stmts.push(node(
            &format!("legend_{}", k.name()),
            vec![
                a("label", &format!("{} {}", k.zh(), k.name())),
                a("shape", shape),
                a("style", style),
                a("fillcolor", fill),
                a("color", color),
                a("fontsize", "10"),
            ],
        ));
    }
    for (name, label, attrs) in extra_nodes {
        let mut v = vec![a("label", label), a("fontsize", "10")];
        v.extend(attrs.iter().cloned());
        stmts.push(node(&format!("legend_{name}"), v));
    }
    for (i, (label, attrs)) in edges.iter().enumerate() {
        let from = format!("legend_e{i}a");
        let to = format!("legend_e{i}b");
        stmts.push(node(
            &from,
            vec![a("label", ""), a("shape", "point"), a("width", "0.05")],
        ));
        stmts.push(node(&to, vec![a("label", ""), a("shape", "point"), a("width", "0.05")]));
        let mut v = vec![a("label", label), a("fontsize", "10")];
        v.extend(attrs.iter().cloned());
        stmts.push(edge(&from, &to, v));
    }
    subgraph("cluster_legend", stmts)
}

/// Escapes text for an HTML-like label.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Legend as one node with an HTML-like table (for layouts without clusters, such as neato):
/// a swatch per entity kind shown, then one row per edge style `(sample, colour, text)`.
fn html_legend(kinds: &BTreeSet<EntityKind>, edges: &[(&str, &str, &str)]) -> Stmt {
    let mut rows = String::from(r##"<TR><TD COLSPAN="2" ALIGN="LEFT"><B>图例 Legend</B></TD></TR>"##);
    for k in kinds {
        let (shape, style, fill, color) = entity_style(*k);
        let hint = match (shape, style.contains("dashed")) {
            ("hexagon", _) => " (六边形 hexagon)",
            ("ellipse", true) => " (虚线椭圆 dashed ellipse)",
            ("ellipse", false) => " (椭圆 ellipse)",
            ("component", _) => " (组件 component)",
            (_, true) => " (虚线框 dashed box)",
            _ => "",
        };
        rows.push_str(&format!(
            r##"<TR><TD BGCOLOR="{fill}" COLOR="{color}" BORDER="1" WIDTH="30" HEIGHT="14"> </TD><TD ALIGN="LEFT">{} {}{hint}</TD></TR>"##,
            k.zh(),
            k.name()
        ));
    }
    for (sample, color, text) in edges {
        rows.push_str(&format!(
            r##"<TR><TD><FONT COLOR="{color}">{}</FONT></TD><TD ALIGN="LEFT">{}</TD></TR>"##,
            html_escape(sample),
            html_escape(text)
        ));
    }
    let label = format!(
        r##"<<TABLE BORDER="1" COLOR="#9ca3af" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2" BGCOLOR="#fafafa">{rows}</TABLE>>"##
    );
    node(
        "legend",
        vec![
            a_id("label", Id::Html(label)),
            a("shape", "plaintext"),
            a("fontsize", "10"),
            a("tooltip", "图例 Legend"),
        ],
    )
}

fn role_edge_attrs(role: Role, color: &str) -> Vec<Attribute> {
    match role {
        Role::Leads => vec![
            a("style", "solid"),
            a("penwidth", "1.6"),
            a("color", color),
            a("arrowsize", "0.7"),
        ],
        Role::CoResponsible => vec![
            a("style", "dashed"),
            a("penwidth", "0.9"),
            a("color", color),
            a("arrowsize", "0.5"),
        ],
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Leads => "leads",
        Role::CoResponsible => "co_responsible",
    }
}

/// Graph title: each `\n`-separated part wrapped at 90 columns, at the top left.
fn title_attrs(title: &str) -> Vec<Attribute> {
    let lines: Vec<String> = title.split('\n').flat_map(|part| wrap(part, 90, 2)).collect();
    vec![
        a_id("label", lines_left_id(&lines)),
        a("labelloc", "t"),
        a("labeljust", "l"),
        a("fontsize", "18"),
    ]
}

// ---------------------------------------------------------------------------------------------
// Diagrams.

/// The org-task diagram of one document (see the module documentation).
pub fn doc_diagram(kg: &Kg, doc_id: &str) -> Result<Graph, ViewError> {
    let d = kg.document(doc_id).ok_or_else(|| ViewError::NoDocument {
        given: doc_id.to_string(),
        available: kg
            .nodes_of(crate::graph::NodeKind::Document)
            .iter()
            .filter_map(|&d| kg.node(d).doc.clone())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let dn = kg.node(d);
    let tasks = kg.tasks_in(doc_id);

    // Layout (rankdir=LR), column by column: issuer and legend | document | organisations |
    // tasks | indicator notes. Each section is a cluster holding its number, its tasks (in
    // document order) and the organisations working on them, so every role edge stays inside
    // its section and runs forward (organisation → task, as in the store): an organisation
    // active in several sections appears once per section (node id `IRI#sN`, one colour
    // everywhere).
    let mut stmts = defaults(
        {
            let mut g = vec![
                a("rankdir", "LR"),
                a("newrank", "true"),
                // The final crossing-minimisation pass over the whole graph would reorder
                // the task columns; without it each section keeps its document order.
                a("remincross", "false"),
                a("splines", "true"),
                a("nodesep", "0.08"),
                a("ranksep", "0.9"),
                a("outputorder", "edgesfirst"),
                a("pad", "0.3"),
                a("bgcolor", "white"),
                a("tooltip", &format!("{doc_id}: {}", dn.label)),
            ];
            let led = tasks
                .iter()
                .filter(|&&t| !kg.sources(t, &Rel::Leads).is_empty())
                .count();
            g.extend(title_attrs(&format!(
                "{}\n{doc_id} · 任务分工图 org-task diagram · {} 项任务 tasks · {led} 项有牵头单位 led",
                dn.label,
                tasks.len()
            )));
            g
        },
        vec![
            a("shape", "box"),
            a("style", "filled"),
            a("fillcolor", "white"),
            a("color", "#9ca3af"),
            a("margin", "0.1,0.04"),
        ],
        vec![a("color", "#6b7280")],
    );

    let mut kinds: BTreeSet<EntityKind> = BTreeSet::new();
    let doc_iri = dn.iri.clone();
    stmts.push(node(
        &doc_iri,
        vec![
            a_id("label", lines_id(&wrap(&dn.label, 24, 6))),
            a("shape", "folder"),
            a("fillcolor", "#f1f5f9"),
            a("color", "#334155"),
            a("fontsize", "12"),
            a("tooltip", &format!("{doc_id}: {}", dn.label)),
        ],
    ));
    for i in kg.targets(d, &Rel::IssuedBy) {
        let n = kg.node(i);
        kinds.extend(n.entity_kind());
        let mut attrs = entity_attrs(n, 20);
        attrs.push(a("penwidth", "2"));
        stmts.push(node(&n.iri, attrs));
        stmts.push(edge(
            &n.iri,
            &doc_iri,
            vec![
                a("label", "发布 issues"),
                a("penwidth", "1.4"),
                a("tooltip", "dcterms:creator / pkg:issuedBy"),
            ],
        ));
    }

    // One colour per organisation, assigned in order of first appearance.
    let mut orgs: Vec<NodeIndex> = Vec::new();
    for &t in &tasks {
        for (o, _) in kg.roles_on(t) {
            if !orgs.contains(&o) {
                orgs.push(o);
            }
        }
    }
    let colour: BTreeMap<NodeIndex, &str> = orgs
        .iter()
        .enumerate()
        .map(|(i, &o)| (o, PALETTE[i % PALETTE.len()]))
        .collect();

    // Sections, in document order; tasks without a section form a cluster of their own.
    let mut by_section: BTreeMap<(i64, String), (Option<NodeIndex>, Vec<NodeIndex>)> = BTreeMap::new();
    for &t in &tasks {
        let s = kg.section_of(t);
        let key = match s {
            Some(s) => (kg.node(s).position.unwrap_or(i64::MAX), kg.node(s).iri.clone()),
            None => (i64::MIN, String::new()),
        };
        by_section.entry(key).or_insert((s, Vec::new())).1.push(t);
    }
    let mut has_indicator = false;
    let mut roles_seen = BTreeSet::new();
    for (n_cluster, (_, (section, members))) in by_section.iter().enumerate() {
        let cluster = n_cluster + 1;
        let mut body = vec![
            Stmt::Attribute(a("style", "rounded,filled")),
            Stmt::Attribute(a("fillcolor", if n_cluster % 2 == 0 { "#f8fafc" } else { "#f4f4f5" })),
            Stmt::Attribute(a("color", "#cbd5e1")),
        ];
        let parent = match section {
            Some(s) => {
                let sn = kg.node(*s);
                body.push(Stmt::Attribute(a_id("label", lines_id(&wrap(&sn.label, 60, 1)))));
                body.push(Stmt::Attribute(a("fontsize", "14")));
                body.push(Stmt::Attribute(a("labeljust", "l")));
                body.push(Stmt::Attribute(a("tooltip", &sn.label)));
                body.push(node(
                    &sn.iri,
                    vec![
                        a("label", sn.item.as_deref().unwrap_or("§")),
                        a("shape", "circle"),
                        a("fixedsize", "true"),
                        a("width", "0.42"),
                        a("fillcolor", "#334155"),
                        a("fontcolor", "white"),
                        a("color", "#334155"),
                        a("fontsize", "12"),
                        a("tooltip", &sn.label),
                    ],
                ));
                stmts.push(edge(
                    &doc_iri,
                    &sn.iri,
                    vec![a("arrowhead", "none"), a("color", "#475569"), a("penwidth", "1.2")],
                ));
                sn.iri.clone()
            }
            None => {
                body.push(Stmt::Attribute(a("label", "(无章节 no section)")));
                doc_iri.clone()
            }
        };
        // Tasks and their notes; the task column is kept in document order by a chain of
        // invisible flat edges (in rankdir=LR Graphviz puts the head of a flat edge above
        // its tail, so the chain runs bottom-up).
        let mut column = vec![Stmt::Attribute(a("rank", "same"))];
        let mut org_tasks: BTreeMap<NodeIndex, Vec<NodeIndex>> = BTreeMap::new();
        for (k, &t) in members.iter().enumerate() {
            let tn = kg.node(t);
            body.push(node(&tn.iri, task_attrs(kg, t)));
            if section.is_none() {
                body.push(edge(
                    &parent,
                    &tn.iri,
                    vec![a("arrowhead", "none"), a("color", "#94a3b8"), a("penwidth", "0.6")],
                ));
            }
            column.push(node(&tn.iri, vec![]));
            if k > 0 {
                column.push(edge(&tn.iri, &kg.node(members[k - 1]).iri, vec![a("style", "invis")]));
            }
            for i in kg.targets(t, &Rel::Targets) {
                has_indicator = true;
                let inode = kg.node(i);
                let mut attrs = indicator_attrs(inode);
                attrs.extend([
                    a("shape", "note"),
                    a("fillcolor", "#fffbeb"),
                    a("color", "#d97706"),
                    a("fontsize", "9"),
                ]);
                body.push(node(&inode.iri, attrs));
                body.push(edge(
                    &tn.iri,
                    &inode.iri,
                    vec![
                        a("style", "dotted"),
                        a("arrowhead", "none"),
                        a("color", "#d97706"),
                        a("penwidth", "1.2"),
                    ],
                ));
            }
            for (o, _) in kg.roles_on(t) {
                org_tasks.entry(o).or_default().push(t);
            }
        }
        if members.len() > 1 {
            body.push(subgraph("", column));
        }
        // The organisations of this section, left of the tasks: in the column of the section
        // number, which (flat invisible edges) stays on top.
        let mut org_column = vec![Stmt::Attribute(a("rank", "same"))];
        if section.is_some() {
            org_column.push(node(&parent, vec![]));
        }
        for (&o, ts) in &org_tasks {
            let n = kg.node(o);
            kinds.extend(n.entity_kind());
            let id = format!("{}#s{cluster}", n.iri);
            let mut attrs = entity_attrs(n, 22);
            if let Some(c) = colour.get(&o) {
                set(&mut attrs, "color", c);
                set(&mut attrs, "penwidth", "1.5");
            }
            let in_doc = |v: Vec<NodeIndex>| v.iter().filter(|t| tasks.contains(t)).count();
            let (led, shared) = (
                in_doc(kg.targets(o, &Rel::Leads)),
                in_doc(kg.targets(o, &Rel::CoResponsible)),
            );
            set(
                &mut attrs,
                "tooltip",
                &format!(
                    "{}: 本文件牵头 {led} 项、配合 {shared} 项 (leads {led}, shares {shared})",
                    n.label
                ),
            );
            body.push(node(&id, attrs));
            org_column.push(node(&id, vec![]));
            if section.is_some() {
                org_column.push(edge(&id, &parent, vec![a("style", "invis")]));
            }
            for &t in ts {
                let role = if kg.sources(t, &Rel::Leads).contains(&o) {
                    Role::Leads
                } else {
                    Role::CoResponsible
                };
                roles_seen.insert(role);
                let mut attrs = role_edge_attrs(role, colour.get(&o).copied().unwrap_or("#6b7280"));
                attrs.push(a(
                    "tooltip",
                    &format!(
                        "{} {} {}",
                        n.label,
                        role_name(role),
                        kg.node(t).item.as_deref().unwrap_or("")
                    ),
                ));
                body.push(edge(&id, &kg.node(t).iri, attrs));
            }
        }
        body.push(subgraph("", org_column));
        stmts.push(subgraph(&format!("cluster_s{cluster}"), body));
    }

    let mut extra: Vec<(&str, &str, Vec<Attribute>)> = vec![(
        "task",
        "任务 Task",
        vec![a("shape", "box"), a("style", "filled"), a("fillcolor", "white")],
    )];
    if tasks.iter().any(|&t| kg.sources(t, &Rel::Leads).is_empty()) {
        extra.push((
            "unled",
            "无牵头单位 no lead",
            vec![
                a("shape", "box"),
                a("style", "filled"),
                a("fillcolor", "white"),
                a("color", "#dc2626"),
                a("penwidth", "1.5"),
            ],
        ));
    }
    if has_indicator {
        extra.push((
            "indicator",
            "指标 Indicator",
            vec![
                a("shape", "note"),
                a("style", "filled"),
                a("fillcolor", "#fffbeb"),
                a("color", "#d97706"),
            ],
        ));
    }
    let mut legend_edges = Vec::new();
    if roles_seen.contains(&Role::Leads) {
        legend_edges.push(("牵头 leads", role_edge_attrs(Role::Leads, "#374151")));
    }
    if roles_seen.contains(&Role::CoResponsible) {
        legend_edges.push(("配合 co-responsible", role_edge_attrs(Role::CoResponsible, "#374151")));
    }
    stmts.push(legend(&kinds, &extra, &legend_edges));
    Ok(Graph::DiGraph {
        id: q(doc_id),
        strict: false,
        stmts,
    })
}

/// One organisation's responsibility chain: its tasks across documents (one cluster per
/// document, tasks in document order), each with a note naming the other organisations on it.
/// A name shared by several organisations (市商务局) draws all of them.
pub fn org_diagram(kg: &Kg, name: &str) -> Result<Graph, ViewError> {
    let roots = kg.find_entities(name, "organisation", |ix, n| {
        n.entity_kind().is_some_and(EntityKind::is_org) && !kg.tasks_of(ix).is_empty()
    })?;
    let root_set: BTreeSet<NodeIndex> = roots.iter().copied().collect();
    let mut roles: Vec<(NodeIndex, Role, NodeIndex)> = Vec::new();
    for &r in &roots {
        for (t, role) in kg.tasks_of(r) {
            roles.push((t, role, r));
        }
    }
    let mut tasks: Vec<NodeIndex> = roles.iter().map(|x| x.0).collect();
    tasks.sort_by_key(|&t| kg.task_key(t));
    tasks.dedup();
    let names: Vec<&str> = roots.iter().map(|&r| kg.node(r).label.as_str()).collect();
    let led = roles.iter().filter(|x| x.1 == Role::Leads).count();
    let mut by_doc: BTreeMap<String, Vec<NodeIndex>> = BTreeMap::new();
    for &t in &tasks {
        by_doc
            .entry(kg.node(t).doc.clone().unwrap_or_default())
            .or_default()
            .push(t);
    }

    // Layout (rankdir=LR): the organisation | its tasks, a cluster per document | partner
    // notes. Tasks keep document order (flat chain, no final remincross pass).
    let mut stmts = defaults(
        {
            let mut g = vec![
                a("rankdir", "LR"),
                a("newrank", "true"),
                a("remincross", "false"),
                a("splines", "true"),
                a("nodesep", "0.08"),
                a("ranksep", "0.9"),
                a("outputorder", "edgesfirst"),
                a("pad", "0.3"),
                a("bgcolor", "white"),
            ];
            g.extend(title_attrs(&format!(
                "{} — 责任链 responsibility chain\n牵头 leads {led} · 配合 co-responsible {} · {} 份文件 documents",
                names.join("、"),
                roles.len() - led,
                by_doc.len()
            )));
            g
        },
        vec![
            a("shape", "box"),
            a("style", "filled"),
            a("fillcolor", "white"),
            a("color", "#9ca3af"),
            a("margin", "0.1,0.04"),
        ],
        vec![a("color", "#6b7280")],
    );
    let mut kinds = BTreeSet::new();
    for &r in &roots {
        let n = kg.node(r);
        kinds.extend(n.entity_kind());
        let mut attrs = entity_attrs(n, 22);
        attrs.extend([a("penwidth", "3"), a("fontsize", "14")]);
        stmts.push(node(&n.iri, attrs));
    }
    let mut has_partners = false;
    for (i, (doc, ts)) in by_doc.iter().enumerate() {
        let title = kg
            .document(doc)
            .map(|d| kg.node(d).label.clone())
            .unwrap_or_else(|| doc.clone());
        let mut body = vec![
            Stmt::Attribute(a_id(
                "label",
                lines_id(&wrap(&format!("{title} ({})", short_doc(doc)), 70, 2)),
            )),
            Stmt::Attribute(a("labeljust", "l")),
            Stmt::Attribute(a("fontsize", "13")),
            Stmt::Attribute(a("style", "rounded,filled")),
            Stmt::Attribute(a("fillcolor", if i % 2 == 0 { "#f8fafc" } else { "#f4f4f5" })),
            Stmt::Attribute(a("color", "#cbd5e1")),
            Stmt::Attribute(a("tooltip", &format!("{doc}: {title}"))),
        ];
        let mut column = vec![Stmt::Attribute(a("rank", "same"))];
        for (k, &t) in ts.iter().enumerate() {
            let tn = kg.node(t);
            let mut attrs = task_attrs(kg, t);
            if let Some(s) = kg.section_of(t) {
                set(
                    &mut attrs,
                    "tooltip",
                    &format!(
                        "{} · {}{}",
                        shorten(&kg.node(s).label, 40),
                        tn.item.as_deref().map(|i| format!("{i}. ")).unwrap_or_default(),
                        tn.label
                    ),
                );
            }
            body.push(node(&tn.iri, attrs));
            column.push(node(&tn.iri, vec![]));
            if k > 0 {
                column.push(edge(&tn.iri, &kg.node(ts[k - 1]).iri, vec![a("style", "invis")]));
            }
            // The other organisations on the task, as a note.
            let others: Vec<(NodeIndex, Role)> = kg
                .roles_on(t)
                .into_iter()
                .filter(|(o, _)| !root_set.contains(o))
                .collect();
            if !others.is_empty() {
                has_partners = true;
                let list = |role: Role| {
                    others
                        .iter()
                        .filter(|x| x.1 == role)
                        .map(|x| kg.node(x.0).label.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                };
                let (leads, shares) = (list(Role::Leads), list(Role::CoResponsible));
                let mut lines = Vec::new();
                if !leads.is_empty() {
                    lines.extend(wrap(&format!("牵头: {leads}"), 44, 2));
                }
                if !shares.is_empty() {
                    lines.extend(wrap(&format!("配合: {shares}"), 44, 3));
                }
                let full = [
                    (!leads.is_empty()).then(|| format!("牵头 leads: {leads}")),
                    (!shares.is_empty()).then(|| format!("配合 co-responsible: {shares}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; ");
                let id = format!("{}#partners", tn.iri);
                body.push(node(
                    &id,
                    vec![
                        a_id("label", lines_left_id(&lines)),
                        a("shape", "note"),
                        a("fillcolor", "#f1f5f9"),
                        a("color", "#94a3b8"),
                        a("fontsize", "9"),
                        a("tooltip", &full),
                    ],
                ));
                body.push(edge(
                    &tn.iri,
                    &id,
                    vec![a("style", "dotted"), a("arrowhead", "none"), a("color", "#94a3b8")],
                ));
            }
        }
        if ts.len() > 1 {
            body.push(subgraph("", column));
        }
        stmts.push(subgraph(&format!("cluster_d{}", i + 1), body));
    }
    let mut roles_seen = BTreeSet::new();
    for &(t, role, r) in &roles {
        roles_seen.insert(role);
        let mut attrs = role_edge_attrs(role, "#1d4ed8");
        attrs.push(a(
            "tooltip",
            &format!(
                "{} {} {}",
                kg.node(r).label,
                role_name(role),
                kg.node(t).item.as_deref().unwrap_or("")
            ),
        ));
        stmts.push(edge(&kg.node(r).iri, &kg.node(t).iri, attrs));
    }
    let mut legend_edges = Vec::new();
    if roles_seen.contains(&Role::Leads) {
        legend_edges.push(("牵头 leads", role_edge_attrs(Role::Leads, "#374151")));
    }
    if roles_seen.contains(&Role::CoResponsible) {
        legend_edges.push(("配合 co-responsible", role_edge_attrs(Role::CoResponsible, "#374151")));
    }
    let mut extra: Vec<(&str, &str, Vec<Attribute>)> = vec![(
        "task",
        "任务 Task",
        vec![a("shape", "box"), a("style", "filled"), a("fillcolor", "white")],
    )];
    if tasks.iter().any(|&t| kg.sources(t, &Rel::Leads).is_empty()) {
        extra.push((
            "unled",
            "无牵头单位 no lead",
            vec![
                a("shape", "box"),
                a("style", "filled"),
                a("fillcolor", "white"),
                a("color", "#dc2626"),
                a("penwidth", "1.5"),
            ],
        ));
    }
    if has_partners {
        extra.push((
            "partners",
            "同一任务的其他单位 partners",
            vec![
                a("shape", "note"),
                a("style", "filled"),
                a("fillcolor", "#f1f5f9"),
                a("color", "#94a3b8"),
            ],
        ));
    }
    stmts.push(legend(&kinds, &extra, &legend_edges));
    Ok(Graph::DiGraph {
        id: q(&names.join("、")),
        strict: false,
        stmts,
    })
}

/// The collaboration network: organisations linked by shared tasks (edge label and width =
/// number of shared tasks). `doc` keeps one document's tasks; `org` keeps that organisation
/// and its partners.
pub fn collab_diagram(kg: &Kg, doc: Option<&str>, org: Option<&str>) -> Result<Graph, ViewError> {
    let tasks: Option<BTreeSet<NodeIndex>> = doc.map(|d| kg.tasks_in(d).into_iter().collect());
    let collab = Collab::build(kg, tasks.as_ref());
    let focus: Option<BTreeSet<NodeIndex>> = match org {
        Some(name) => {
            let roots = kg.find_entities(name, "organisation", |ix, n| {
                is_network_org(n) && collab.index.contains_key(&ix)
            })?;
            let mut keep: BTreeSet<NodeIndex> = roots.iter().copied().collect();
            for r in &roots {
                if let Some(&c) = collab.index.get(r) {
                    keep.extend(collab.graph.neighbors(c).map(|p| collab.graph[p]));
                }
            }
            Some(keep)
        }
        None => None,
    };
    let keep = |o: NodeIndex| focus.as_ref().is_none_or(|f| f.contains(&o));
    let scope = match (doc, org) {
        (Some(d), _) => format!(" — {d}"),
        (None, Some(o)) => format!(" — {o}"),
        _ => String::new(),
    };
    let members: Vec<NodeIndex> = collab.index.keys().copied().filter(|&o| keep(o)).collect();
    let mut stmts = defaults(
        {
            let mut g = vec![
                a("layout", "neato"),
                a("overlap", "prism"),
                a("overlap_scaling", "3"),
                a("sep", "+10"),
                a("splines", "true"),
                a("outputorder", "edgesfirst"),
                a("pad", "0.3"),
                a("bgcolor", "white"),
                a("start", "7"),
            ];
            g.extend(title_attrs(&format!(
                "协作网络 Collaboration network{scope}: {} 个单位",
                members.len()
            )));
            g
        },
        vec![a("margin", "0.06,0.03")],
        vec![a("color", "#94a3b880")],
    );
    let mut kinds = BTreeSet::new();
    for &o in &members {
        let n = kg.node(o);
        kinds.extend(n.entity_kind());
        let degree = collab
            .index
            .get(&o)
            .map(|&c| collab.graph.neighbors(c).count())
            .unwrap_or(0);
        let mut attrs = entity_attrs(n, 20);
        set(
            &mut attrs,
            "tooltip",
            &format!("{}: {} 个合作单位 partners", n.label, degree),
        );
        stmts.push(node(&n.iri, attrs));
    }
    let mut links: Vec<(String, String, u32)> = collab
        .graph
        .edge_references()
        .map(|e| (collab.graph[e.source()], collab.graph[e.target()], *e.weight()))
        .filter(|(x, y, _)| keep(*x) && keep(*y))
        .map(|(x, y, w)| {
            let (p, q) = (kg.node(x).iri.clone(), kg.node(y).iri.clone());
            if p < q {
                (p, q, w)
            } else {
                (q, p, w)
            }
        })
        .collect();
    links.sort();
    for (x, y, w) in &links {
        let width = format!("{:.1}", 0.6 + (*w as f64).ln_1p() * 1.4);
        let mut attrs = vec![
            a("penwidth", &width),
            a("weight", &w.to_string()),
            a("tooltip", &format!("{w} 项共同任务 shared tasks")),
        ];
        if *w > 1 {
            attrs.push(a("label", &w.to_string()));
            attrs.push(a("color", "#334155aa"));
        }
        stmts.push(edge(x, y, attrs));
    }
    stmts.push(html_legend(
        &kinds,
        &[
            ("━━ 3", "#334155", "共同任务数 shared tasks (label, line width)"),
            ("──", "#94a3b8", "1 项共同任务 one shared task"),
        ],
    ));
    Ok(Graph::Graph {
        id: q("collaboration"),
        strict: false,
        stmts,
    })
}

/// The cooperation map: places, regions, parks and organisations linked by cooperation.
/// `place` keeps the connected part around that place (a `kg` loaded for one document keeps
/// that document's statements).
pub fn coop_diagram(kg: &Kg, place: Option<&str>) -> Result<Graph, ViewError> {
    let mut adj: BTreeMap<NodeIndex, BTreeSet<NodeIndex>> = BTreeMap::new();
    let mut pairs: Vec<(NodeIndex, NodeIndex)> = Vec::new();
    for e in kg.graph.edge_references() {
        if *e.weight() == Rel::CooperatesWith {
            adj.entry(e.source()).or_default().insert(e.target());
            adj.entry(e.target()).or_default().insert(e.source());
            pairs.push((e.source(), e.target()));
        }
    }
    let keep: BTreeSet<NodeIndex> = match place {
        Some(name) => {
            let roots = kg.find_entities(name, "place", |ix, _| adj.contains_key(&ix))?;
            let mut seen: BTreeSet<NodeIndex> = roots.iter().copied().collect();
            let mut stack: Vec<NodeIndex> = roots;
            while let Some(v) = stack.pop() {
                for &w in adj.get(&v).into_iter().flatten() {
                    if seen.insert(w) {
                        stack.push(w);
                    }
                }
            }
            seen
        }
        None => adj.keys().copied().collect(),
    };
    let scope = place.map(|p| format!(" — {p}")).unwrap_or_default();
    let mut stmts = defaults(
        {
            let mut g = vec![
                a("layout", "neato"),
                a("overlap", "prism"),
                a("sep", "+8"),
                a("splines", "true"),
                a("outputorder", "edgesfirst"),
                a("pad", "0.3"),
                a("bgcolor", "white"),
                a("start", "7"),
            ];
            g.extend(title_attrs(&format!(
                "合作地图 Cooperation map{scope}: {} 个地区/单位",
                keep.len()
            )));
            g
        },
        vec![a("margin", "0.06,0.03")],
        vec![a("color", "#0f766e"), a("penwidth", "1.3")],
    );
    let mut kinds = BTreeSet::new();
    let mut nodes: Vec<&KgNode> = keep.iter().map(|&n| kg.node(n)).collect();
    nodes.sort_by(|x, y| x.iri.cmp(&y.iri));
    for n in nodes {
        kinds.extend(n.entity_kind());
        stmts.push(node(&n.iri, entity_attrs(n, 20)));
    }
    let mut lines: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(x, y)| keep.contains(x) && keep.contains(y))
        .map(|(x, y)| {
            let (p, q) = (kg.node(x).iri.clone(), kg.node(y).iri.clone());
            if p < q {
                (p, q)
            } else {
                (q, p)
            }
        })
        .collect();
    lines.sort();
    lines.dedup();
    for (x, y) in &lines {
        stmts.push(edge(
            x,
            y,
            vec![a(
                "tooltip",
                &format!(
                    "{} 合作 {}",
                    kg.get(x).map(|i| kg.node(i).label.as_str()).unwrap_or(""),
                    kg.get(y).map(|i| kg.node(i).label.as_str()).unwrap_or("")
                ),
            )],
        ));
    }
    stmts.push(html_legend(&kinds, &[("──", "#0f766e", "合作 cooperates with")]));
    Ok(Graph::Graph {
        id: q("cooperation"),
        strict: false,
        stmts,
    })
}

/// Builds a diagram from the store: resolves `--doc` (exact id or unique prefix), loads the
/// projection (one document's facts for `doc`, everything otherwise) and draws it.
pub fn diagram(store: &KgStore, kind: DiagramKind, sel: &Selection) -> Result<Graph, ViewError> {
    let doc = sel.doc.as_deref().map(|d| resolve_doc(store, d)).transpose()?;
    match kind {
        DiagramKind::Doc => {
            let doc = match doc {
                Some(d) => d,
                None => {
                    let ids = store.document_ids()?;
                    match ids.as_slice() {
                        [one] => one.clone(),
                        _ => {
                            return Err(ViewError::Usage(format!(
                                "`diagram doc` needs --doc ID; documents: {}",
                                ids.join(", ")
                            )))
                        }
                    }
                }
            };
            doc_diagram(&Kg::load(store, Some(&doc))?, &doc)
        }
        DiagramKind::Org => {
            let Some(org) = sel.org.as_deref() else {
                return Err(ViewError::Usage(
                    "`diagram org` needs --org NAME (any name the organisation appears under, e.g. 市发改委)".into(),
                ));
            };
            org_diagram(&Kg::load(store, doc.as_deref())?, org)
        }
        DiagramKind::Collab => collab_diagram(&Kg::load(store, doc.as_deref())?, doc.as_deref(), sel.org.as_deref()),
        DiagramKind::Coop => coop_diagram(&Kg::load(store, doc.as_deref())?, sel.place.as_deref()),
    }
}

/// The Graphviz program to run: `$POLICYKG_DOT` if set, else `dot` from `PATH`.
pub fn dot_program() -> OsString {
    std::env::var_os(DOT_ENV)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| OsString::from("dot"))
}

/// Renders DOT source to SVG or PNG by running `program -T{format}`; DOT is returned as is.
pub fn render(dot: &str, format: Format, program: &std::ffi::OsStr) -> Result<Vec<u8>, ViewError> {
    use std::process::{Command, Stdio};
    if format == Format::Dot {
        return Ok(dot.as_bytes().to_vec());
    }
    let prog = program.to_string_lossy().to_string();
    let missing = |reason: String| ViewError::DotMissing {
        format: format.name().to_uppercase(),
        program: prog.clone(),
        reason,
    };
    let mut child = Command::new(program)
        .arg(format!("-T{}", format.name()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            missing(if e.kind() == std::io::ErrorKind::NotFound {
                "not found".to_string()
            } else {
                e.to_string()
            })
        })?;
    let mut stdin = child.stdin.take().ok_or_else(|| missing("no stdin".into()))?;
    let input = dot.as_bytes().to_vec();
    // Write on a thread so a large output cannot deadlock against a full stdin pipe.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| missing(e.to_string()))?;
    let _ = writer.join();
    if !out.status.success() || out.stdout.is_empty() {
        return Err(ViewError::DotFailed {
            program: prog,
            format: format.name().into(),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}
