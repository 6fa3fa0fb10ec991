//! The named-query library (`queries/*.rq`) on the seed store: every query's answer is checked
//! against expected rows, including the ways a department may be named.

use crate::common;

use common::project;
use oxigraph::model::Term;
use policykg::query::{bind_params, evaluate, find, load_library, Answer, EvalOptions, NamedQuery, QueryError};
use policykg::store::KgStore;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The queries of this suite; `view-*` queries belong to the diagram commands (tests/diagram.rs).
const TESTED: &[&str] = &[
    "documents",
    "indicators-due",
    "partner-pairs",
    "people",
    "place-partners",
    "responsibility",
    "task-chain",
    "tasks-without-lead",
    "workload",
    // Federated; its shape and a stand-in SERVICE run are tested in tests/federation.rs.
    "wikidata-places",
];

const WUWEI: &str = "003_333bffa1260437b2";
const TAIAN: &str = "004_3ff853ae4ec18c33";
const WUWEI_ISSUER: &str = "无为市推动长三角地区更高质量一体化发展、“一带一路”建设暨中部地区崛起领导小组办公室";
const TAIAN_ISSUER: &str = "泰安市新旧动能转换综合试验区建设领导小组办公室";

fn seed_store() -> &'static KgStore {
    static STORE: OnceLock<KgStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let store = KgStore::in_memory().unwrap();
        common::build_seeds(&store);
        store
    })
}

fn library() -> &'static [NamedQuery] {
    static LIB: OnceLock<Vec<NamedQuery>> = OnceLock::new();
    LIB.get_or_init(|| load_library(&project("queries")).unwrap())
}

type Row = BTreeMap<String, String>;

fn text(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// Runs a named query; rows as variable → lexical value (unbound variables left out).
fn try_rows(name: &str, params: &[(&str, &str)]) -> Result<Vec<Row>, QueryError> {
    let q = find(library(), name)?;
    let given: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let bindings = bind_params(q, &given)?;
    let sparql = policykg::query::fill_values(seed_store().inner(), q, &bindings)?;
    match evaluate(seed_store().inner(), &sparql, &bindings, &EvalOptions::default())? {
        Answer::Solutions { rows, .. } => Ok(rows
            .iter()
            .map(|s| s.iter().map(|(v, t)| (v.as_str().to_owned(), text(t))).collect())
            .collect()),
        other => panic!("{name}: expected solutions, got {other:?}"),
    }
}

fn rows(name: &str, params: &[(&str, &str)]) -> Vec<Row> {
    try_rows(name, params).unwrap_or_else(|e| panic!("{name} {params:?}: {e}"))
}

fn get<'a>(row: &'a Row, var: &str) -> &'a str {
    row.get(var).map(String::as_str).unwrap_or("")
}

/// A `GROUP_CONCAT` cell as a set (the order of concatenation is not specified).
fn set(row: &Row, var: &str, sep: &str) -> BTreeSet<String> {
    get(row, var)
        .split(sep)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn strs(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// (item, role) of responsibility rows.
fn item_roles(rows: &[Row]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| (get(r, "item").to_owned(), get(r, "role").to_owned()))
        .collect()
}

#[test]
fn every_query_is_tested_and_documented() {
    let names: BTreeSet<&str> = library().iter().map(|q| q.name.as_str()).collect();
    for t in TESTED {
        assert!(names.contains(t), "queries/{t}.rq is missing");
    }
    for q in library().iter().filter(|q| !q.name.starts_with("view-")) {
        assert!(
            TESTED.contains(&q.name.as_str()),
            "queries/{}.rq has no test here",
            q.name
        );
        assert!(q.description.len() > 40, "{} needs a description", q.name);
        assert!(q.text.contains("PREFIX pkg:"), "{} should declare its prefixes", q.name);
        policykg::query::validate(q).unwrap_or_else(|e| panic!("{}: {e}", q.name));
    }
}

#[test]
fn responsibility_chain_of_a_department() {
    let r = rows("responsibility", &[("dept", "市发改委")]);
    assert_eq!(
        item_roles(&r),
        [
            ("1", "leads"),
            ("3", "leads"),
            ("4", "co_responsible"),
            ("5", "co_responsible"),
            ("6", "co_responsible"),
            ("7", "leads"),
            ("9", "co_responsible"),
            ("10", "co_responsible"),
            ("17", "co_responsible"),
            ("19", "co_responsible"),
            ("29", "co_responsible"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    for row in &r {
        assert_eq!(get(row, "dept"), "市发改委");
        assert_eq!(get(row, "doc"), WUWEI);
        assert_eq!(get(row, "org"), "无为市发展和改革委员会");
        assert_eq!(get(row, "issuer"), WUWEI_ISSUER);
    }
    let by_item = |item: &str| r.iter().find(|row| get(row, "item") == item).unwrap();
    assert_eq!(get(by_item("1"), "section"), "一、全面深化与沪苏浙区域合作");
    assert!(get(by_item("1"), "task").starts_with("落实《芜湖市融入虹桥国际开放枢纽工作方案》"));
    assert_eq!(
        set(by_item("4"), "partners", "、"),
        strs(&["无为经济开发区", "无为市工业和信息化局"])
    );
    assert_eq!(get(by_item("17"), "section"), "三、加快建设现代化产业体系");
    assert_eq!(set(by_item("17"), "partners", "、"), strs(&["无为市工业和信息化局"]));
    assert_eq!(get(by_item("29"), "targets"), "开发区新批工业用地100%");
    assert_eq!(get(by_item("10"), "targets"), "不少于1项");
    assert_eq!(set(by_item("10"), "partners", "、").len(), 20);
    assert_eq!(get(by_item("1"), "partners"), "");
}

#[test]
fn a_department_is_found_under_any_of_its_names() {
    let base = item_roles(&rows("responsibility", &[("dept", "市发改委")]));
    // Canonical name, and a place-qualified short name resolved through the alias table.
    for name in ["无为市发展和改革委员会", "无为市发改委", " 无为市发展改革委 "] {
        let r = rows("responsibility", &[("dept", name)]);
        assert_eq!(item_roles(&r), base, "{name}");
        assert!(
            r.iter().all(|row| get(row, "dept") == "无为市发展和改革委员会"),
            "{name}"
        );
    }
    // As written in the 泰安 document.
    let taian = rows("responsibility", &[("dept", "市发展改革委")]);
    assert_eq!(taian.len(), 19);
    assert!(taian
        .iter()
        .all(|r| get(r, "doc") == TAIAN && get(r, "org") == "泰安市发展和改革委员会"));
    assert_eq!(taian.iter().filter(|r| get(r, "role") == "leads").count(), 4);
    assert!(taian.iter().all(|r| get(r, "issuer") == TAIAN_ISSUER));
    assert_eq!(rows("responsibility", &[("dept", "泰安市发改委")]).len(), 19);
    // A bare department name finds it in every jurisdiction.
    let all = rows("responsibility", &[("dept", "发改委")]);
    assert_eq!(all.len(), 30);
    assert_eq!(
        all.iter().map(|r| get(r, "org")).collect::<BTreeSet<_>>(),
        ["无为市发展和改革委员会", "泰安市发展和改革委员会"]
            .into_iter()
            .collect()
    );
    assert!(all.iter().all(|r| get(r, "dept") == "发展和改革委员会"));
    let stats = rows("responsibility", &[("dept", "统计局")]);
    assert_eq!(
        stats
            .iter()
            .map(|r| (get(r, "org"), get(r, "item")))
            .collect::<Vec<_>>(),
        [("无为市统计局", "9"), ("泰安市统计局", "30")]
    );
    // A suffix that is not a whole department name after a place matches nothing.
    assert!(rows("responsibility", &[("dept", "局")]).is_empty());
    assert!(rows("responsibility", &[("dept", "改革委员会")]).is_empty());
    // Parameters are bound, never pasted.
    assert!(rows("responsibility", &[("dept", "\" } ; DROP ALL #")]).is_empty());
    assert!(matches!(
        try_rows("responsibility", &[]),
        Err(QueryError::MissingParam { .. })
    ));
    assert!(matches!(
        try_rows("responsibility", &[("dept", "  ")]),
        Err(QueryError::InvalidParam { .. })
    ));
}

#[test]
fn full_chain_of_one_task() {
    let r = rows("task-chain", &[("doc", TAIAN), ("item", "16")]);
    assert_eq!(r.len(), 1);
    let row = &r[0];
    assert_eq!(get(row, "issuer"), TAIAN_ISSUER);
    assert_eq!(get(row, "number"), "泰动能办〔2022〕3号");
    assert_eq!(get(row, "issued"), "2022-03-21");
    assert_eq!(get(row, "title"), "泰安市新旧动能转换综合试验区建设2022年工作要点");
    assert_eq!(get(row, "section"), "五、聚力推进数字赋能");
    assert!(get(row, "task").starts_with("推进数字基础设施建设。"));
    assert_eq!(get(row, "leads"), "泰安市工业和信息化局");
    assert_eq!(get(row, "partners"), "");
    assert_eq!(
        set(row, "indicators", "；"),
        strs(&["新建5G基站3100个 (=, 2022)", "累计达到10000个以上 (>=, 2022)"])
    );

    let r = rows("task-chain", &[("doc", WUWEI), ("item", "4")]);
    assert_eq!(r.len(), 1);
    assert_eq!(get(&r[0], "leads"), "无为经济开发区");
    assert_eq!(
        set(&r[0], "partners", "、"),
        strs(&["无为市发展和改革委员会", "无为市工业和信息化局"])
    );
    assert_eq!(get(&r[0], "issuer"), WUWEI_ISSUER);
    assert_eq!(get(&r[0], "number"), "", "the 无为 plan has no document number");
    assert!(rows("task-chain", &[("doc", WUWEI), ("item", "999")]).is_empty());
}

#[test]
fn workload_ranking() {
    let r = rows("workload", &[]);
    let top: Vec<[&str; 6]> = r
        .iter()
        .take(4)
        .map(|row| ["org", "type", "leads", "shares", "total", "docs"].map(|v| get(row, v)))
        .collect();
    assert_eq!(
        top,
        [
            ["泰安市发展和改革委员会", "Department", "4", "15", "19", "1"],
            ["泰安市工业和信息化局", "Department", "2", "11", "13", "1"],
            ["无为市工业和信息化局", "Department", "5", "6", "11", "1"],
            ["无为市发展和改革委员会", "Department", "3", "8", "11", "1"],
        ]
    );
    assert!(r.iter().all(|row| get(row, "type") != "Collective"));
    let totals: Vec<u32> = r.iter().map(|row| get(row, "total").parse().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "busiest first");
    // Every organisation that leads a task is listed with that count.
    let park = r.iter().find(|row| get(row, "org") == "无为经济开发区").unwrap();
    assert_eq!(
        (get(park, "type"), get(park, "leads"), get(park, "shares")),
        ("Park", "1", "3")
    );
}

#[test]
fn partner_pairs_most_shared_first() {
    let r = rows("partner-pairs", &[]);
    let pair = |row: &Row| ["a", "b", "shared", "a_leads", "b_leads"].map(|v| get(row, v).to_owned());
    assert_eq!(
        pair(&r[0]),
        ["泰安市发展和改革委员会", "泰安市工业和信息化局", "8", "0", "0"].map(str::to_owned)
    );
    assert_eq!(
        pair(&r[1]),
        ["无为市发展和改革委员会", "无为市工业和信息化局", "6", "0", "1"].map(str::to_owned)
    );
    assert_eq!(
        pair(&r[2]),
        ["无为市发展和改革委员会", "无为经济开发区", "4", "0", "1"].map(str::to_owned)
    );
    assert!(r.iter().all(|row| get(row, "a") < get(row, "b")), "each pair once");
    let mut seen = BTreeSet::new();
    assert!(r.iter().all(|row| seen.insert((get(row, "a"), get(row, "b")))));
    assert!(r
        .iter()
        .all(|row| !get(row, "a").contains("各") && !get(row, "b").contains("各")));
    assert_eq!(r.len(), 363);
}

#[test]
fn cooperation_partners_of_a_place() {
    let r = rows("place-partners", &[("place", "无为市")]);
    let cells = |row: &Row| ["party", "partner", "kind", "verbs", "items", "mentions"].map(|v| get(row, v).to_owned());
    let all: Vec<_> = r.iter().map(cells).collect();
    assert_eq!(all.len(), 12);
    for expected in [
        ["无为市", "沪苏浙", "Region", "合作", "10", "2"],
        ["无为市", "长三角", "Region", "融入", "3", "1"],
        ["无为市发展和改革委员会", "虹桥国际开放枢纽", "Region", "联动", "1", "1"],
        ["无为经济开发区", "平湖经济开发区", "Park", "签约", "4", "1"],
        ["无为经济开发区", "溧阳市经济开发区", "Park", "合作", "4", "1"],
        [
            "无为市教育局",
            "镇江高等职业技术学校",
            "Institution",
            "交流合作",
            "41",
            "1",
        ],
    ] {
        assert!(all.contains(&expected.map(str::to_owned)), "{expected:?} in {all:?}");
    }
    assert!(r
        .iter()
        .all(|row| get(row, "docs") == WUWEI && get(row, "place") == "无为市"));

    // By division code; partners that are places themselves.
    let hexian = rows("place-partners", &[("place", "340523")]);
    let partners: BTreeSet<&str> = hexian.iter().map(|row| get(row, "partner")).collect();
    assert_eq!(
        partners,
        [
            "中国资源循环集团",
            "南京市",
            "合肥市",
            "沿沪宁产业创新带",
            "科大硅谷",
            "芜湖市",
            "虹桥国际开放枢纽",
            "长三角"
        ]
        .into_iter()
        .collect()
    );
    let nanjing = hexian.iter().find(|row| get(row, "partner") == "南京市").unwrap();
    assert_eq!(
        (
            get(nanjing, "party"),
            get(nanjing, "kind"),
            get(nanjing, "verbs"),
            get(nanjing, "items")
        ),
        ("和县", "AdministrativeArea", "融入", "")
    );
    // The place itself is not listed as its own organisations' partner.
    let taian = rows("place-partners", &[("place", "泰安市")]);
    assert_eq!(taian.len(), 6);
    assert!(taian.iter().all(|row| get(row, "partner") != "泰安市"));
    assert!(rows("place-partners", &[("place", "北京市")]).is_empty());
}

#[test]
fn indicators_due_by_a_year() {
    let r = rows("indicators-due", &[("year", "2024")]);
    assert_eq!(r.len(), 41);
    assert!(r.iter().all(|row| get(row, "year") == "2024"));
    let deadlines: Vec<&str> = r.iter().map(|row| get(row, "deadline")).collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]), "earliest first");
    assert_eq!(deadlines.iter().filter(|d| **d == "2022").count(), 33);
    let clinic = r
        .iter()
        .find(|row| get(row, "indicator") == "坐诊人次不少于200次")
        .unwrap();
    assert_eq!(
        ["doc", "item", "measure", "comparator", "value", "unit", "leads"].map(|v| get(clinic, v)),
        [WUWEI, "39", "坐诊人次", ">=", "200", "次", "无为市卫生健康委员会"]
    );
    let range = r.iter().find(|row| get(row, "indicator") == "谋划推进3—5条").unwrap();
    assert_eq!(
        ["comparator", "value", "max", "unit"].map(|v| get(range, v)),
        ["range", "3", "5", "条"]
    );
    let base = r
        .iter()
        .find(|row| get(row, "indicator") == "新建5G基站3100个")
        .unwrap();
    assert_eq!((get(base, "item"), get(base, "leads")), ("16", "泰安市工业和信息化局"));
    assert_eq!(rows("indicators-due", &[("year", "2022年")]).len(), 33);
    assert!(rows("indicators-due", &[("year", "2021")]).is_empty());
    assert_eq!(rows("indicators-due", &[("year", "2030")]).len(), 44);
    assert!(matches!(
        try_rows("indicators-due", &[("year", "22")]),
        Err(QueryError::InvalidParam { .. })
    ));
}

#[test]
fn tasks_without_a_lead() {
    let all = rows("tasks-without-lead", &[]);
    assert_eq!(all.len(), 33);
    let r = rows("tasks-without-lead", &[("doc", WUWEI)]);
    assert_eq!(
        r.iter().map(|row| get(row, "item")).collect::<Vec<_>>(),
        ["9", "10", "15", "17", "18", "19", "29", "33", "34", "38"]
    );
    let item33 = r.iter().find(|row| get(row, "item") == "33").unwrap();
    assert_eq!(
        set(item33, "shared_by", "、"),
        strs(&["无为生态环境分局", "无为市公安局"])
    );
    assert_eq!(get(item33, "section"), "四、协同推进高水平对外开放");
    assert!(get(item33, "task").starts_with("持续开展危险废物专项整治"));
    // Tasks it lists have no lead in the responsibility chains either.
    let led: BTreeSet<String> = rows("responsibility", &[("dept", "发改委")])
        .iter()
        .filter(|row| get(row, "role") == "leads" && get(row, "doc") == WUWEI)
        .map(|row| get(row, "item").to_owned())
        .collect();
    assert!(r.iter().all(|row| !led.contains(get(row, "item"))));
    // Documents without numbered items contribute their unnumbered tasks.
    assert_eq!(
        all.iter()
            .filter(|row| get(row, "doc") == "001_f8e16d3c8f418328")
            .count(),
        2
    );
}

#[test]
fn people_and_posts_of_an_organisation() {
    for name in ["市人社局", "安庆市人力资源和社会保障局", "人社局"] {
        let r = rows("people", &[("org", name)]);
        assert_eq!(r.len(), 1, "{name}");
        assert_eq!(
            ["organisation", "person", "post", "doc"].map(|v| get(&r[0], v)),
            ["安庆市人力资源和社会保障局", "聂立新", "局长", "001_f8e16d3c8f418328"]
        );
        assert!(get(&r[0], "evidence").contains("市人社局局长"));
    }
    let board = rows("people", &[("org", "管委会")]);
    assert_eq!(
        board
            .iter()
            .map(|r| (get(r, "person"), get(r, "post")))
            .collect::<Vec<_>>(),
        [("何渊", "副主任"), ("王珏", "副主任"), ("黄震", "副主任")]
    );
    let dept = rows("people", &[("org", "中共安庆市委组织部")]);
    assert_eq!(
        dept.iter()
            .map(|r| (get(r, "person"), get(r, "post")))
            .collect::<Vec<_>>(),
        [("聂立新", "副部长")]
    );
    assert!(rows("people", &[("org", "市发改委")]).is_empty());
}

#[test]
fn documents_by_issuer_and_date() {
    let r = rows("documents", &[]);
    assert_eq!(
        r.iter().map(|row| get(row, "doc")).collect::<Vec<_>>(),
        [
            WUWEI,
            TAIAN,
            "000_b7ec731a890b3eaa",
            "001_f8e16d3c8f418328",
            "002_a44f2cab6cbf9e3e"
        ]
    );
    assert_eq!(
        ["issued_by", "year", "issued", "number", "place", "tasks"].map(|v| get(&r[1], v)),
        [
            TAIAN_ISSUER,
            "2022",
            "2022-03-21",
            "泰动能办〔2022〕3号",
            "泰安市",
            "31"
        ]
    );
    assert_eq!(
        ["issued_by", "year", "issued", "place", "tasks"].map(|v| get(&r[0], v)),
        [WUWEI_ISSUER, "2024", "2024-06-13", "无为市", "46"]
    );
    assert!(get(&r[0], "title").starts_with("无为市推进重大区域发展战略"));
    assert_eq!(
        ["issued_by", "issued", "place", "tasks"].map(|v| get(&r[3], v)),
        ["", "", "安庆市", "3"]
    );
    let only = |params: &[(&str, &str)]| -> Vec<String> {
        rows("documents", params)
            .iter()
            .map(|row| get(row, "doc").to_owned())
            .collect()
    };
    assert_eq!(only(&[("year", "2022")]), [TAIAN]);
    assert_eq!(only(&[("year", "2024年")]), [WUWEI]);
    assert!(only(&[("year", "2023")]).is_empty());
    assert_eq!(only(&[("issuer", TAIAN_ISSUER)]), [TAIAN]);
    assert_eq!(only(&[("issuer", TAIAN_ISSUER), ("year", "2022")]), [TAIAN]);
    assert!(only(&[("issuer", TAIAN_ISSUER), ("year", "2024")]).is_empty());
    assert!(only(&[("issuer", "市发改委")]).is_empty());
}

#[test]
fn tables_shorten_long_cells() {
    let q = find(library(), "responsibility").unwrap();
    let b = bind_params(q, &[("dept".into(), "市发改委".into())]).unwrap();
    let text = policykg::query::fill_values(seed_store().inner(), q, &b).unwrap();
    let table =
        policykg::query::run_to_string(seed_store().inner(), &text, &b, policykg::query::OutputFormat::Table).unwrap();
    use unicode_width::UnicodeWidthStr;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.last(), Some(&"11 rows"));
    let width = lines[0].width();
    assert!(lines[..lines.len() - 1].iter().all(|l| l.width() == width), "{table}");
    assert!(width < 330, "width {width}:\n{table}");
    assert!(table.contains("落实《芜湖市融入虹桥国际开放枢纽工…"), "{table}");
    for cell in lines[2].split(" | ") {
        assert!(
            cell.trim_end().width() <= policykg::query::TABLE_CELL_MAX_WIDTH,
            "{cell}"
        );
    }
}
