//! The same document in another encoding or script gives the same facts: a GB18030 copy of
//! seed 004 gives identical output; a Traditional-script copy gives the same relations,
//! tasks and organisations (its evidence is its own Traditional text).



use crate::common::{project, temp_dir};
use policykg_extract::extract::extract;
use policykg_extract::facts::Relation;
use policykg_extract::input::read_document;
use policykg_extract::resolve::Gazetteer;

fn key(rel: &Relation) -> String {
    match rel {
        Relation::Leads { task, org } | Relation::CoResponsible { task, org } => {
            format!("{} {:?} {} {:?} {}", rel.name(), task.label, org.text, org.name, org.ty)
        }
        Relation::Targets { task, indicator } => format!(
            "targets {:?} {} {:?} {}",
            task.label, indicator.value, indicator.unit, indicator.comparator
        ),
        other => format!("{} {}", other.name(), serde_json::to_string(other).unwrap()),
    }
}

#[test]
fn gb18030_copy_gives_identical_facts() {
    let orig = read_document(&project("seeds/004_3ff853ae4ec18c33.txt")).unwrap();
    let dir = temp_dir("gb18030");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&orig.text);
    assert!(!unmappable);
    let p = dir.join("004_3ff853ae4ec18c33.txt");
    std::fs::write(&p, &bytes).unwrap();
    let copy = read_document(&p).unwrap();
    assert_ne!(copy.encoding, "UTF-8");
    let a = extract(&orig, Gazetteer::embedded());
    let b = extract(&copy, Gazetteer::embedded());
    assert!(!a.facts.is_empty());
    assert_eq!(a.facts, b.facts);
}

#[test]
fn traditional_copy_gives_same_facts() {
    let orig = read_document(&project("seeds/004_3ff853ae4ec18c33.txt")).unwrap();
    let trad = zhconv::zhconv(&orig.text, zhconv::Variant::ZhHant);
    assert_ne!(trad, orig.text);
    let dir = temp_dir("trad");
    let p = dir.join("004_3ff853ae4ec18c33.txt");
    // Big5 cannot encode every character of the plan; keep UTF-8 for the script test.
    std::fs::write(&p, trad.as_bytes()).unwrap();
    let copy = read_document(&p).unwrap();
    let a = extract(&orig, Gazetteer::embedded());
    let b = extract(&copy, Gazetteer::embedded());
    let ka: Vec<String> = a
        .facts
        .iter()
        .filter(|f| matches!(f.rel, Relation::Leads { .. } | Relation::CoResponsible { .. }))
        .map(|f| key(&f.rel))
        .collect();
    let kb: Vec<String> = b
        .facts
        .iter()
        .filter(|f| matches!(f.rel, Relation::Leads { .. } | Relation::CoResponsible { .. }))
        .map(|f| key(&f.rel))
        .collect();
    assert!(ka.len() > 90, "{}", ka.len());
    assert_eq!(ka, kb);
    // Spans still point into the Traditional source.
    for f in &b.facts {
        let chars: Vec<char> = copy.text.chars().collect();
        let s: String = chars[f.evidence.start as usize..f.evidence.end as usize]
            .iter()
            .collect();
        assert_eq!(s, f.evidence.text);
    }
}
