//! Linked open data: every administrative division the seeds and dev corpus name is linked
//! to its statistical code, its Wikidata P442 form and its enclosing divisions; departments
//! hang from their government, which is located in its division.

use crate::common;

use common::corpus_store;

const PREFIXES: &str = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pkg: <https://w3id.org/policykg/ont#>
PREFIX schema: <http://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
";

/// Every division in the graph, with the documents naming it, checked against the NBS
/// codes by hand (county → prefecture → province codes share their leading digits).
#[test]
fn every_named_division_is_linked_with_its_code() {
    let store = corpus_store();
    let rows = store
        .select_pairs(&format!(
            "{PREFIXES} SELECT ?code ?name WHERE {{ ?p a pkg:AdministrativeArea ; skos:notation ?code ; skos:prefLabel ?name }} ORDER BY ?code"
        ))
        .unwrap();
    let got: Vec<String> = rows.iter().map(|(c, n)| format!("{c} {n}")).collect();
    let expected = [
        "150000 内蒙古自治区",
        "150700 呼伦贝尔市",
        "210000 辽宁省",
        "210300 鞍山市",
        "210304 立山区",
        "211100 盘锦市",
        "230000 黑龙江省",
        "310000 上海市",
        "320000 江苏省",
        "320100 南京市",
        "320400 常州市",
        "320481 溧阳市",
        "320500 苏州市",
        "321100 镇江市",
        "330000 浙江省",
        "330100 杭州市",
        "340000 安徽省",
        "340100 合肥市",
        "340200 芜湖市",
        "340281 无为市",
        "340500 马鞍山市",
        "340521 当涂县",
        "340522 含山县",
        "340523 和县",
        "340800 安庆市",
        "340802 迎江区",
        "340811 宜秀区",
        "341000 黄山市",
        "341100 滁州市",
        "341800 宣城市",
        "360000 江西省",
        "360400 九江市",
        "370000 山东省",
        "370100 济南市",
        "370200 青岛市",
        "370900 泰安市",
        "370982 新泰市",
        "371400 德州市",
        "371426 平原县",
        "371700 菏泽市",
        "410000 河南省",
        "410700 新乡市",
        "420000 湖北省",
        "420200 黄石市",
        "420204 下陆区",
        "440000 广东省",
        "441900 东莞市",
        "450000 广西壮族自治区",
        "450300 桂林市",
        "450329 资源县",
        "520000 贵州省",
        "520200 六盘水市",
        "530000 云南省",
        "530100 昆明市",
        "530111 官渡区",
    ];
    assert_eq!(got, expected);
    // Words that only look like places stay out: 山海城市 (no 海城市), 泰山区域 (no 泰山区).
    assert!(!got.iter().any(|g| g.contains("海城市") || g.contains("泰山区")));
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn divisions_carry_wikidata_p442_codes_and_their_parents() {
    let store = corpus_store();
    let chain = store
        .select_pairs(&format!(
            "{PREFIXES} SELECT ?p442 ?parent WHERE {{
               ?p skos:notation ?code ; pkg:p442 ?p442 .
               OPTIONAL {{ ?p schema:containedInPlace/skos:notation ?parent }}
               VALUES ?code {{ \"340281\" \"340200\" \"340000\" \"340500\" \"320481\" }}
             }} ORDER BY ?code"
        ))
        .unwrap();
    let expected = [
        ("32 04 81", "320400"),
        ("34", ""),
        ("34 02", "340000"),
        ("34 02 81", "340200"),
        ("34 05", "340000"),
    ];
    assert_eq!(chain, pairs(&expected));
}

/// 无为市发展和改革委员会 → 无为市人民政府 → located in 340281; 中共无为市委组织部 → 中共无为市委员会.
#[test]
fn departments_hang_from_their_government_located_in_its_division() {
    let store = corpus_store();
    let rows = store
        .select_pairs(&format!(
            "{PREFIXES} SELECT ?parent ?code WHERE {{
               ?o skos:prefLabel ?name ; org:subOrganizationOf ?g .
               ?g skos:prefLabel ?pl ; dcterms:spatial/skos:notation ?code .
               FILTER(STR(?name) IN (\"无为市发展和改革委员会\", \"中共无为市委组织部\", \"泰安市发展和改革委员会\"))
               BIND(STR(?pl) AS ?parent)
             }} ORDER BY ?parent"
        ))
        .unwrap();
    let expected = [
        ("中共无为市委员会", "340281"),
        ("无为市人民政府", "340281"),
        ("泰安市人民政府", "370900"),
    ];
    assert_eq!(rows, pairs(&expected));
    // Each description exists once, however many documents name the department.
    let labels = store
        .select_pairs(&format!(
            "{PREFIXES} SELECT ?l (COUNT(*) AS ?n) WHERE {{ ?o skos:prefLabel ?l FILTER(STR(?l) = \"无为市人民政府\") }} GROUP BY ?l"
        ))
        .unwrap();
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].1, "1");
}

/// A document links every division it names, and only those its context supports.
#[test]
fn documents_link_the_divisions_they_name() {
    let store = corpus_store();
    let rows = store
        .select_pairs(&format!(
            "{PREFIXES} SELECT ?doc (GROUP_CONCAT(?name; separator=\" \") AS ?names) WHERE {{
               {{ SELECT ?doc ?name WHERE {{ ?d pkg:docId ?doc ; schema:mentions/skos:prefLabel ?n . BIND(STR(?n) AS ?name) }} ORDER BY ?name }}
               FILTER(?doc = \"004_3ff853ae4ec18c33\")
             }} GROUP BY ?doc"
        ))
        .unwrap();
    assert_eq!(
        rows,
        pairs(&[("004_3ff853ae4ec18c33", "山东省 新泰市 泰安市 济南市 青岛市")])
    );
}
