//! `--lexicon DIR` tables reach every stage that reads words, the layout parser included: a
//! role morpheme added in `resp_grammar.tsv` makes a table column with that head a
//! responsibility column, and its cells leads.

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
