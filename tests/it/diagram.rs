//! Views built from the store: the DOT of each diagram is parsed back with graphviz-rust and
//! its nodes and edges are checked against SPARQL answers on the same store (every leads fact
//! of seed 003 is a solid edge, counts match), diagrams are byte-identical across renders and
//! rebuilt stores, a missing Graphviz `dot` gives an error that says what to do, and the
//! `policykg graph` reports rank and connect the seed departments as expected.

use crate::common;

use common::{project, temp_dir};
use graphviz_rust::dot_structures::{EdgeTy, Graph, Id, Stmt, Vertex};
use policykg::dot::{diagram, render, to_dot, DiagramKind, Format, Selection};
use policykg::graph::{report, Kg, Report, ViewError};
use policykg::store::KgStore;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

const DOC003: &str = "003_333bffa1260437b2";
const DOC004: &str = "004_3ff853ae4ec18c33";
const PKG: &str = "PREFIX pkg: <https://w3id.org/policykg/ont#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX dcterms: <http://purl.org/dc/terms/>";

fn build(store: &KgStore) {
    common::build_seeds(store);
}

/// The seed store, built once for all tests.
fn seeds() -> &'static KgStore {
    static STORE: OnceLock<KgStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let s = KgStore::in_memory().unwrap();
        build(&s);
        s
    })
}

fn sel(doc: Option<&str>, org: Option<&str>, place: Option<&str>) -> Selection {
    Selection {
        doc: doc.map(str::to_string),
        org: org.map(str::to_string),
        place: place.map(str::to_string),
    }
}

fn dot_of(store: &KgStore, kind: DiagramKind, s: &Selection) -> String {
    to_dot(&diagram(store, kind, s).unwrap())
}

/// A DOT graph read back: nodes with merged attributes, edges, and the cluster of each node.
#[derive(Default)]
struct Parsed {
    nodes: BTreeMap<String, BTreeMap<String, String>>,
    edges: Vec<(String, String, BTreeMap<String, String>)>,
    cluster_of: BTreeMap<String, String>,
    graph_attrs: BTreeMap<String, String>,
    node_defaults: BTreeMap<String, String>,
    edge_defaults: BTreeMap<String, String>,
}

fn text(id: &Id) -> String {
    match id {
        Id::Escaped(s) => s.trim_matches('"').replace("\\\"", "\"").replace("\\\\", "\\"),
        Id::Plain(s) | Id::Html(s) | Id::Anonymous(s) => s.clone(),
    }
}

fn attrs(list: &[graphviz_rust::dot_structures::Attribute]) -> BTreeMap<String, String> {
    list.iter().map(|a| (text(&a.0), text(&a.1))).collect()
}

fn walk(stmts: &[Stmt], cluster: Option<&str>, out: &mut Parsed) {
    for s in stmts {
        match s {
            Stmt::Node(n) => {
                let id = text(&n.id.0);
                out.nodes.entry(id.clone()).or_default().extend(attrs(&n.attributes));
                if let Some(c) = cluster {
                    out.cluster_of.entry(id).or_insert_with(|| c.to_string());
                }
            }
            Stmt::Edge(e) => {
                let ends: Vec<String> = match &e.ty {
                    EdgeTy::Pair(a, b) => vec![vertex(a), vertex(b)],
                    EdgeTy::Chain(v) => v.iter().map(vertex).collect(),
                };
                for w in ends.windows(2) {
                    out.edges.push((w[0].clone(), w[1].clone(), attrs(&e.attributes)));
                    for n in w {
                        out.nodes.entry(n.clone()).or_default();
                    }
                }
            }
            Stmt::Subgraph(sg) => {
                let name = text(&sg.id);
                let inner = if name.starts_with("cluster") {
                    Some(name.as_str())
                } else {
                    cluster
                };
                walk(&sg.stmts, inner, out);
            }
            Stmt::GAttribute(graphviz_rust::dot_structures::GraphAttributes::Graph(a)) if cluster.is_none() => {
                out.graph_attrs.extend(attrs(a))
            }
            Stmt::GAttribute(graphviz_rust::dot_structures::GraphAttributes::Node(a)) if cluster.is_none() => {
                out.node_defaults.extend(attrs(a))
            }
            Stmt::GAttribute(graphviz_rust::dot_structures::GraphAttributes::Edge(a)) if cluster.is_none() => {
                out.edge_defaults.extend(attrs(a))
            }
            _ => {}
        }
    }
}

fn vertex(v: &Vertex) -> String {
    match v {
        Vertex::N(n) => text(&n.0),
        Vertex::S(s) => text(&s.id),
    }
}

fn parse(dot: &str) -> Parsed {
    let g = graphviz_rust::parse(dot).unwrap_or_else(|e| panic!("DOT does not parse: {e}\n{dot}"));
    let mut out = Parsed::default();
    match &g {
        Graph::DiGraph { stmts, .. } | Graph::Graph { stmts, .. } => walk(stmts, None, &mut out),
    }
    out
}

/// Organisation copies in the doc diagram are `IRI#sN`; everything else is the IRI itself.
fn iri(node_id: &str) -> &str {
    node_id.split('#').next().unwrap_or(node_id)
}

fn pairs(store: &KgStore, q: &str) -> BTreeSet<(String, String)> {
    store.select_pairs(&format!("{PKG} {q}")).unwrap().into_iter().collect()
}

fn role_edges(p: &Parsed, style: &str) -> BTreeSet<(String, String)> {
    p.edges
        .iter()
        .filter(|(a, b, at)| {
            !a.starts_with("legend")
                && b.contains("/task/")
                && !a.contains("/task/")
                && at.get("style").map(String::as_str) == Some(style)
        })
        .map(|(a, b, _)| (iri(a).to_string(), b.clone()))
        .collect()
}

#[test]
fn doc_diagram_of_003_matches_the_store() {
    let store = seeds();
    let dot = dot_of(store, DiagramKind::Doc, &sel(Some("003"), None, None));
    let p = parse(&dot);

    // Every task of the document is a node, and nothing else is a task.
    let tasks: BTreeSet<String> = pairs(
        store,
        &format!("SELECT ?t ?x WHERE {{ ?t a pkg:Task ; pkg:inDocument/pkg:docId \"{DOC003}\" }}"),
    )
    .into_iter()
    .map(|x| x.0)
    .collect();
    assert_eq!(tasks.len(), 46);
    let task_nodes: BTreeSet<String> = p
        .nodes
        .keys()
        .filter(|n| n.contains("/task/") && !n.contains('#'))
        .cloned()
        .collect();
    assert_eq!(task_nodes, tasks);

    // Every leads fact is a solid edge organisation → task, every co_responsible fact a dashed
    // one, and there are no others.
    let leads = pairs(
        store,
        &format!("SELECT ?o ?t WHERE {{ ?o pkg:leads ?t . ?t pkg:inDocument/pkg:docId \"{DOC003}\" }}"),
    );
    let shares = pairs(
        store,
        &format!("SELECT ?o ?t WHERE {{ ?o pkg:coResponsibleFor ?t . ?t pkg:inDocument/pkg:docId \"{DOC003}\" }}"),
    );
    assert!(leads.len() >= 30, "{}", leads.len());
    assert_eq!(role_edges(&p, "solid"), leads);
    assert_eq!(role_edges(&p, "dashed"), shares);

    // Each task sits in the cluster of its section, which also holds the section's node, and
    // the organisation copies are in the clusters of their tasks.
    let parts = pairs(store, &format!("SELECT ?t ?s WHERE {{ ?t a pkg:Task ; dcterms:isPartOf ?s ; pkg:inDocument/pkg:docId \"{DOC003}\" . ?s a pkg:Section }}"));
    assert_eq!(parts.len(), 46);
    for (t, s) in &parts {
        let c = p.cluster_of.get(t).unwrap_or_else(|| panic!("{t} not in a cluster"));
        assert_eq!(p.cluster_of.get(s), Some(c), "{t} and its section {s}");
    }
    for (a, b, _) in &p.edges {
        if a.contains("#s") {
            assert_eq!(p.cluster_of.get(a), p.cluster_of.get(b), "{a} → {b}");
        }
    }
    let clusters: BTreeSet<&String> = p.cluster_of.values().filter(|c| c.starts_with("cluster_s")).collect();
    assert_eq!(clusters.len(), 4);

    // Indicators are notes joined to their tasks; the issuer is drawn and linked.
    let targets = pairs(
        store,
        &format!("SELECT ?t ?i WHERE {{ ?t pkg:targets ?i ; pkg:inDocument/pkg:docId \"{DOC003}\" }}"),
    );
    assert!(!targets.is_empty());
    for (t, i) in &targets {
        assert_eq!(p.nodes[i].get("shape").map(String::as_str), Some("note"), "{i}");
        assert!(p.edges.iter().any(|(a, b, _)| a == t && b == i), "{t} → {i}");
    }
    let issuer = pairs(
        store,
        &format!("SELECT ?i ?d WHERE {{ ?d pkg:docId \"{DOC003}\" ; pkg:issuedBy ?i }}"),
    );
    assert_eq!(issuer.len(), 1);
    for (i, d) in &issuer {
        assert!(p.edges.iter().any(|(a, b, _)| a == i && b == d), "issuer edge");
    }

    // Long task texts are shortened on the node, with the full text as tooltip.
    let t10 = format!("https://w3id.org/policykg/id/doc/{DOC003}/task/10");
    let n10 = &p.nodes[&t10];
    assert!(
        n10["label"].contains('…') && n10["label"].chars().count() < 90,
        "{}",
        n10["label"]
    );
    assert!(
        n10["tooltip"].contains("合作及进展情况以信息形式及时报市长三办"),
        "{}",
        n10["tooltip"]
    );

    // Fonts, legend, layout.
    for defaults in [&p.graph_attrs, &p.node_defaults, &p.edge_defaults] {
        assert_eq!(defaults.get("fontname").map(String::as_str), Some("Noto Sans CJK SC"));
    }
    assert_eq!(p.graph_attrs.get("rankdir").map(String::as_str), Some("LR"));
    assert!(p.cluster_of.values().any(|c| c == "cluster_legend"));
    assert!(p.nodes.contains_key("legend_Department") && p.nodes.contains_key("legend_Park"));
    // Colours and shapes by type: parks are hexagons, collectives dashed.
    let park = p
        .nodes
        .iter()
        .find(|(k, _)| k.contains("/org/无为经济开发区#"))
        .map(|x| x.1)
        .expect("park node");
    assert_eq!(park.get("shape").map(String::as_str), Some("hexagon"));
    let collective = p
        .nodes
        .iter()
        .find(|(k, _)| k.contains("市各有关单位#"))
        .map(|x| x.1)
        .expect("collective node");
    assert!(collective["style"].contains("dashed"));
}

#[test]
fn doc_diagram_of_004_counts_match() {
    let store = seeds();
    let p = parse(&dot_of(store, DiagramKind::Doc, &sel(Some(DOC004), None, None)));
    let n = |q: &str| {
        store.select_pairs(&format!("{PKG} {q}")).unwrap()[0]
            .0
            .parse::<usize>()
            .unwrap()
    };
    let tasks = n(&format!(
        "SELECT (COUNT(?t) AS ?n) WHERE {{ ?t a pkg:Task ; pkg:inDocument/pkg:docId \"{DOC004}\" }}"
    ));
    let leads = n(&format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ ?o pkg:leads ?t . ?t pkg:inDocument/pkg:docId \"{DOC004}\" }}"
    ));
    let shares = n(&format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ ?o pkg:coResponsibleFor ?t . ?t pkg:inDocument/pkg:docId \"{DOC004}\" }}"
    ));
    let inds = n(&format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ ?t pkg:targets ?i ; pkg:inDocument/pkg:docId \"{DOC004}\" }}"
    ));
    assert_eq!(tasks, 31);
    assert_eq!(
        p.nodes
            .keys()
            .filter(|k| k.contains("/task/") && !k.contains('#'))
            .count(),
        tasks
    );
    assert_eq!(role_edges(&p, "solid").len(), leads);
    assert_eq!(role_edges(&p, "dashed").len(), shares);
    assert_eq!(
        p.nodes
            .values()
            .filter(|a| a.get("shape").map(String::as_str) == Some("note"))
            .count()
            - 1,
        inds,
        "indicator notes (+1 in the legend)"
    );
    assert_eq!(
        p.cluster_of
            .values()
            .filter(|c| c.starts_with("cluster_s"))
            .collect::<BTreeSet<_>>()
            .len(),
        10
    );
}

#[test]
fn org_diagram_is_the_responsibility_chain() {
    let store = seeds();
    let p = parse(&dot_of(store, DiagramKind::Org, &sel(None, Some("市发改委"), None)));
    let root = "https://w3id.org/policykg/id/org/无为市发展和改革委员会";
    assert_eq!(p.nodes[root].get("penwidth").map(String::as_str), Some("3"));
    let out: Vec<&(String, String, BTreeMap<String, String>)> = p.edges.iter().filter(|(a, _, _)| a == root).collect();
    let solid = out
        .iter()
        .filter(|e| e.2.get("style").map(String::as_str) == Some("solid"))
        .count();
    let dashed = out
        .iter()
        .filter(|e| e.2.get("style").map(String::as_str) == Some("dashed"))
        .count();
    // 市发改委 of the 无为市 plan leads items 1, 3 and 7 and shares eight others.
    assert_eq!((solid, dashed), (3, 8));
    let expected = pairs(
        store,
        &format!("SELECT ?t ?x WHERE {{ <{root}> pkg:leads|pkg:coResponsibleFor ?t }}"),
    );
    let got: BTreeSet<String> = out.iter().map(|e| e.1.clone()).collect();
    assert_eq!(got, expected.into_iter().map(|x| x.0).collect());
    // Partner notes name the other organisations on a task (item 4: 无为经济开发区 leads).
    let note = &p.nodes[&format!("https://w3id.org/policykg/id/doc/{DOC003}/task/4#partners")];
    assert!(
        note["tooltip"].contains("无为经济开发区") && note["tooltip"].contains("无为市工业和信息化局"),
        "{note:?}"
    );
    // A name two organisations share draws both.
    let both = parse(&dot_of(store, DiagramKind::Org, &sel(None, Some("市商务局"), None)));
    assert!(both.nodes.contains_key("https://w3id.org/policykg/id/org/无为市商务局"));
    assert!(both.nodes.contains_key("https://w3id.org/policykg/id/org/泰安市商务局"));
}

#[test]
fn collab_edges_weigh_shared_tasks() {
    let store = seeds();
    let p = parse(&dot_of(store, DiagramKind::Collab, &sel(None, None, None)));
    let a = "https://w3id.org/policykg/id/org/泰安市发展和改革委员会";
    let b = "https://w3id.org/policykg/id/org/泰安市工业和信息化局";
    let shared = store
        .select_pairs(&format!("{PKG} SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ <{a}> pkg:leads|pkg:coResponsibleFor ?t . <{b}> pkg:leads|pkg:coResponsibleFor ?t }}"))
        .unwrap()[0]
        .0
        .clone();
    let e = p
        .edges
        .iter()
        .find(|(x, y, _)| (x == a && y == b) || (x == b && y == a))
        .expect("edge between the two");
    assert_eq!(e.2["weight"], shared);
    assert_eq!(e.2["label"], shared);
    // Undirected, one edge per pair, no collectives.
    let mut seen = BTreeSet::new();
    for (x, y, _) in &p.edges {
        assert!(x < y, "{x} {y}");
        assert!(seen.insert((x.clone(), y.clone())));
    }
    assert!(!p.nodes.keys().any(|k| k.contains("各有关单位")));
    assert!(p.nodes.contains_key("legend"), "HTML legend node");
    // --org keeps one organisation and its partners.
    let ego = parse(&dot_of(
        store,
        DiagramKind::Collab,
        &sel(None, Some("泰安市统计局"), None),
    ));
    assert!(ego.nodes.len() < p.nodes.len() && ego.nodes.contains_key("https://w3id.org/policykg/id/org/泰安市统计局"));
}

#[test]
fn coop_map_has_every_cooperation_pair() {
    let store = seeds();
    let p = parse(&dot_of(store, DiagramKind::Coop, &sel(None, None, None)));
    let stored: BTreeSet<(String, String)> = pairs(store, "SELECT ?a ?b WHERE { ?a pkg:cooperatesWith ?b }")
        .into_iter()
        .map(|(a, b)| if a < b { (a, b) } else { (b, a) })
        .collect();
    let drawn: BTreeSet<(String, String)> = p.edges.iter().map(|(a, b, _)| (a.clone(), b.clone())).collect();
    assert_eq!(drawn, stored);
    let he = "https://w3id.org/policykg/id/place/340523";
    assert_eq!(p.nodes[he]["shape"], "ellipse");
    assert!(p.nodes[he]["tooltip"].contains("340523"));
    // --place keeps the connected part around 和县 (through 长三角 to 无为市), not 泰安市.
    let part = parse(&dot_of(store, DiagramKind::Coop, &sel(None, None, Some("和县"))));
    assert!(part.nodes.contains_key("https://w3id.org/policykg/id/place/340281"));
    assert!(!part.nodes.contains_key("https://w3id.org/policykg/id/place/370900"));
}

#[test]
fn same_store_gives_byte_identical_dot() {
    let store = seeds();
    let again = KgStore::in_memory().unwrap();
    build(&again);
    for (kind, s) in [
        (DiagramKind::Doc, sel(Some(DOC003), None, None)),
        (DiagramKind::Doc, sel(Some(DOC004), None, None)),
        (DiagramKind::Org, sel(None, Some("市发展改革委"), None)),
        (DiagramKind::Collab, sel(None, None, None)),
        (DiagramKind::Coop, sel(None, None, None)),
    ] {
        let first = dot_of(store, kind, &s);
        assert_eq!(first, dot_of(store, kind, &s), "{kind:?} twice");
        assert_eq!(first, dot_of(&again, kind, &s), "{kind:?} on a rebuilt store");
    }
}

#[test]
fn missing_dot_is_reported_with_a_way_out() {
    let dot = dot_of(seeds(), DiagramKind::Doc, &sel(Some(DOC003), None, None));
    let err = render(&dot, Format::Png, std::ffi::OsStr::new("/nonexistent/policykg/dot")).unwrap_err();
    assert!(matches!(err, ViewError::DotMissing { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("--format dot") && msg.contains("graphviz") && msg.contains("/nonexistent/policykg/dot"),
        "{msg}"
    );
    // DOT itself never needs Graphviz.
    assert_eq!(
        render(&dot, Format::Dot, std::ffi::OsStr::new("/nonexistent/policykg/dot")).unwrap(),
        dot.as_bytes()
    );
}

/// True when Graphviz `dot` can be run here.
fn have_dot() -> bool {
    std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn graphviz_renders_svg_and_png_with_chinese_text() {
    if !have_dot() {
        eprintln!("skipped: Graphviz `dot` is not installed");
        return;
    }
    let dot = dot_of(seeds(), DiagramKind::Doc, &sel(Some(DOC003), None, None));
    let svg = String::from_utf8(render(&dot, Format::Svg, std::ffi::OsStr::new("dot")).unwrap()).unwrap();
    assert!(svg.contains("<svg") && svg.contains("Noto Sans CJK SC") && svg.contains("无为市发展和改革委员会"));
    // The node shows a shortened text; its tooltip (xlink:title) carries the end of task 10.
    assert!(svg.contains("xlink:title=\"10. 推动市级层面") && svg.contains("合作及进展情况以信息形式及时报市长三办"));
    let png = render(&dot, Format::Png, std::ffi::OsStr::new("dot")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn names_and_documents_are_resolved_or_explained() {
    let store = seeds();
    let err = diagram(store, DiagramKind::Org, &sel(None, Some("不存在的单位"), None)).unwrap_err();
    assert!(matches!(err, ViewError::NotFound { .. }), "{err}");
    // "0" is a prefix of every seed id: ambiguous, and the error lists them.
    let err = diagram(store, DiagramKind::Doc, &sel(Some("0"), None, None)).unwrap_err();
    assert!(err.to_string().contains(DOC003), "{err}");
    let err = diagram(store, DiagramKind::Doc, &sel(None, None, None)).unwrap_err();
    assert!(err.to_string().contains("--doc"), "{err}");
    // A unique prefix is enough.
    assert_eq!(
        dot_of(store, DiagramKind::Doc, &sel(Some("004"), None, None)),
        dot_of(store, DiagramKind::Doc, &sel(Some(DOC004), None, None))
    );
}

fn table(which: Report, names: &[&str]) -> policykg::graph::Table {
    let kg = Kg::load(seeds(), None).unwrap();
    report(
        &kg,
        which,
        &names.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        None,
    )
    .unwrap()
}

#[test]
fn workload_ranks_the_development_and_reform_commissions_near_the_top() {
    let t = table(Report::Workload, &[]);
    let top: Vec<&str> = t.rows.iter().take(5).map(|r| r[1].as_str()).collect();
    assert_eq!(top[0], "泰安市发展和改革委员会", "{}", t.render());
    assert!(top.contains(&"无为市发展和改革委员会"), "{}", t.render());
    // 泰安市发展和改革委员会 (市发展改革委): 4 led, 15 shared in seed 004.
    assert_eq!(&t.rows[0][3..6], &["4".to_string(), "15".to_string(), "19".to_string()]);
    // Aligned by display width: every data line as wide as the rule under the header.
    let out = t.render();
    let lines: Vec<&str> = out.lines().collect();
    let rule = lines.iter().position(|l| l.starts_with("---")).unwrap();
    let width = |s: &str| {
        s.chars()
            .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
            .sum::<usize>()
    };
    let col = |s: &str| width(&s[..s.find("Department").unwrap_or(0)]);
    assert!(
        lines[rule + 1..rule + 4]
            .iter()
            .map(|l| col(l))
            .collect::<BTreeSet<_>>()
            .len()
            == 1,
        "{out}"
    );
}

#[test]
fn path_between_departments_sharing_a_task_has_length_two() {
    let t = table(Report::Path, &["无为市商务局", "无为市工业和信息化局"]);
    assert_eq!(t.notes[0], "length 2", "{}", t.render());
    assert_eq!(t.rows[1][2], "Task");
    // Any name works (市发展改革委 is how seed 004 writes 泰安市发展和改革委员会).
    let kg = Kg::load(seeds(), None).unwrap();
    assert_eq!(
        policykg::graph::path_length(&kg, "市发展改革委", "泰安市工业和信息化局").unwrap(),
        Some(2)
    );
    // 市商务局 reaches 芜湖市 through the store's relations.
    let t = table(Report::Path, &["市商务局", "芜湖市"]);
    assert!(t.rows.last().is_some_and(|r| r[1] == "芜湖市"), "{}", t.render());
    assert!(t.notes.iter().any(|n| n.contains("names 2 entities")), "{:?}", t.notes);
}

#[test]
fn brokers_components_unled_and_isolated() {
    let store = seeds();
    let brokers = table(Report::Brokers, &[]);
    let top3: Vec<&str> = brokers.rows.iter().take(3).map(|r| r[1].as_str()).collect();
    assert!(top3.contains(&"泰安市发展和改革委员会"), "{}", brokers.render());

    let comps = table(Report::Components, &[]);
    let sizes: Vec<usize> = comps.rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "largest first");
    let workload_all = Kg::load(store, None)
        .map(|kg| policykg::graph::workload(&kg, None))
        .unwrap();
    assert_eq!(sizes.iter().sum::<usize>(), workload_all.rows.len());
    // The 无为市 and 泰安市 departments form two separate groups.
    assert!(comps.rows[0][3].contains("发展和改革委员会") && comps.rows[1][3].contains("发展和改革委员会"));

    let unled = table(Report::Unled, &[]);
    let n: usize = store
        .select_pairs(&format!(
            "{PKG} SELECT (COUNT(?t) AS ?n) WHERE {{ ?t a pkg:Task FILTER NOT EXISTS {{ ?o pkg:leads ?t }} }}"
        ))
        .unwrap()[0]
        .0
        .parse()
        .unwrap();
    assert_eq!(unled.rows.len(), n);
    assert!(unled.rows.iter().any(|r| r[0] == DOC003 && r[1] == "10"));

    let isolated = table(Report::Isolated, &[]);
    for r in &isolated.rows {
        assert_ne!(r[0], "泰安市发展和改革委员会");
    }
    assert!(
        isolated.rows.iter().any(|r| r[0] == "中共无为市委宣传部"),
        "{}",
        isolated.render()
    );
}

#[test]
fn view_queries_are_valid_named_queries() {
    let lib = policykg::query::load_library(&project("queries")).unwrap();
    let views: Vec<_> = lib.iter().filter(|q| q.name.starts_with("view-")).collect();
    assert_eq!(views.len(), 7);
    for q in views {
        assert!(!q.description.is_empty(), "{}", q.name);
        policykg::query::validate(q).unwrap_or_else(|e| panic!("{}: {e}", q.name));
    }
}

/// Builds the seeds into an on-disk store for the command-line tests.
fn disk_store(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name).join("kg");
    let s = KgStore::open(&dir).unwrap();
    build(&s);
    s.flush().unwrap();
    dir
}

fn policykg(args: &[&str], store: &Path, env: &[(&str, &std::ffi::OsStr)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_policykg"));
    cmd.args(args).arg("--store").arg(store);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn cli_diagram_and_graph() {
    let store = disk_store("diagram-cli");
    let empty = temp_dir("diagram-cli-empty-path");
    // Without Graphviz (nothing on PATH, POLICYKG_DOT pointing nowhere): DOT still works…
    let env: [(&str, &std::ffi::OsStr); 2] = [
        ("PATH", empty.as_os_str()),
        ("POLICYKG_DOT", std::ffi::OsStr::new("/nonexistent/dot")),
    ];
    let out = policykg(&["diagram", "doc", "--doc", "003", "--format", "dot"], &store, &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        dot_of(seeds(), DiagramKind::Doc, &sel(Some(DOC003), None, None))
    );
    // …and PNG fails with exit code 2 and a message saying what to do.
    let out = policykg(&["diagram", "doc", "--doc", "003", "--format", "png"], &store, &env);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--format dot") && err.contains("graphviz"), "{err}");
    // The format follows the output file's extension.
    if have_dot() {
        let svg = store.parent().unwrap().join("004.svg");
        let out = policykg(
            &["diagram", "doc", "--doc", DOC004, "-o", svg.to_str().unwrap()],
            &store,
            &[],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    }
    let out = policykg(&["graph", "workload"], &store, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .nth(4)
            .is_some_and(|l| l.contains("泰安市发展和改革委员会")),
        "{text}"
    );
    let out = policykg(&["graph", "path", "无为市商务局", "无为市工业和信息化局"], &store, &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("length 2"));
    let out = policykg(&["graph", "path", "无为市商务局"], &store, &[]);
    assert_eq!(out.status.code(), Some(2));
}
