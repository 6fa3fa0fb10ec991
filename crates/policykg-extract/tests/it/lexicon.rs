//! `--lexicon DIR` tables reach every stage that reads words, the layout parser included: a
//! role morpheme added in `resp_grammar.tsv` makes a table column with that head a
//! responsibility column, and its cells leads; a header field added in `header_fields.tsv` dates
//! a document; the endings of `division_suffixes.tsv` make the short names of places.

use crate::common::temp_dir;
use policykg_extract::doc::SourceDoc;
use policykg_extract::extract::extract;
use policykg_extract::lexicon::Lexicon;
use policykg_extract::resolve::Gazetteer;
use std::sync::Arc;

const DOC: &str = "某市2024年重点工作任务分工方案\n\n序号|工作任务|主抓单位|完成时限\n1|推进老旧小区改造|市住房城乡建设局|2024年12月\n2|建设智慧停车系统|市城管局|2024年10月\n";

fn leads(gz: &Gazetteer) -> Vec<String> {
    let ex = extract(&SourceDoc::from_text("t", DOC), gz);
    ex.facts
        .iter()
        .filter(|f| f.rel.name() == "leads")
        .map(|f| f.to_json_line())
        .collect()
}

#[test]
fn a_role_word_added_by_lexicon_reaches_the_table_parser() {
    // With the built-in tables `主抓单位` names no role: the table is no task table.
    assert!(leads(Gazetteer::embedded()).is_empty());
    let dir = temp_dir("lexicon-resp-grammar");
    std::fs::create_dir_all(dir.join("lexicon")).unwrap();
    let grammar = std::fs::read_to_string(crate::common::project("ontology/lexicon/resp_grammar.tsv")).unwrap();
    std::fs::write(dir.join("lexicon/resp_grammar.tsv"), grammar + "主抓\tlead\n").unwrap();
    let gz = Gazetteer::new(Arc::new(Lexicon::from_dir(&dir).unwrap()));
    let got = leads(&gz);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].contains("市住房城乡建设局") && got[0].contains("\"label\":\"1\""),
        "{got:?}"
    );
    assert!(got[1].contains("市城管局"), "{got:?}");
}

/// A lexicon directory holding the embedded tables with one file's rows changed.
fn lexicon_with(name: &str, table: &str, edit: impl Fn(String) -> String) -> Gazetteer {
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join("lexicon")).unwrap();
    let path = format!("ontology/lexicon/{table}.tsv");
    let text = std::fs::read_to_string(crate::common::project(&path)).unwrap();
    std::fs::write(dir.join(format!("lexicon/{table}.tsv")), edit(text)).unwrap();
    Gazetteer::new(Arc::new(Lexicon::from_dir(&dir).unwrap()))
}

#[test]
fn a_header_field_added_by_lexicon_dates_the_document() {
    let doc = "印发时间:2024年3月1日\n\n关于做好春耕工作的通知\n\n各乡镇:\n请做好春耕工作。\n";
    let date = |gz: &Gazetteer| extract(&SourceDoc::from_text("t", doc), gz).meta.date;
    // `印发时间` is no field of the built-in header table: the line is no header.
    assert_eq!(date(Gazetteer::embedded()), None);
    let gz = lexicon_with("lexicon-header-fields", "header_fields", |t| t + "印发时间\tfield,signed\n");
    assert_eq!(date(&gz).as_deref(), Some("2024-03-01"));
}

#[test]
fn division_suffixes_make_the_short_names_of_places() {
    let doc = "和县人民政府工作要点\n\n一、深化区域合作\n我县与马鞍山深化产业合作。\n";
    let partners = |gz: &Gazetteer| -> Vec<String> {
        extract(&SourceDoc::from_text("t", doc), gz)
            .facts
            .iter()
            .filter(|f| f.rel.name() == "cooperates_with")
            .map(|f| f.to_json_line())
            .collect()
    };
    let got = partners(Gazetteer::embedded());
    assert!(got.len() == 1 && got[0].contains(r#""name":"马鞍山市","type":"City","code":"340500""#), "{got:?}");
    // Without `市` among the endings, 马鞍山 is no short name of 马鞍山市.
    let gz = lexicon_with("lexicon-division-suffixes", "division_suffixes", |t| t.replace("\n市\n", "\n"));
    let got = partners(&gz);
    assert!(got.iter().all(|f| !f.contains("340500")), "{got:?}");
}
