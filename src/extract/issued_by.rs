//! `issued_by`: the office that issues the document, its number, date and title.
//!
//! The issuing office is the signature (office lines above the date line), else the issuer
//! named before `关于` in a notice title (`东莞市人民政府关于…的实施意见`), else the office a
//! document number's type code implies (`菏政办字〔2023〕1号` → the jurisdiction's 人民政府办公室,
//! from `doc_number_issuers.tsv`). News and essays with none of these give no fact.

use super::Context;
use crate::facts::{Fact, OrgRef, Relation};

/// Emits at most one `issued_by` fact for the document.
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    let (text, range) = if let Some((s, r)) = cx.doc.signature.clone() {
        (s, r)
    } else if let Some((s, r)) = cx
        .doc
        .title_issuer
        .clone()
        .filter(|(s, _)| cx.gz.lexicon().org_type_by_suffix(s).is_some())
    {
        (s, r)
    } else if let Some((num, r)) = cx.doc.number.clone() {
        match issuer_from_number(cx, &num) {
            Some(name) => (name, r),
            None => return,
        }
    } else {
        return;
    };
    let org = match cx.org_ref(&text) {
        Some(o) => o,
        None => {
            let ty = cx
                .gz
                .lexicon()
                .org_type_by_suffix(&text)
                .map(|t| t.as_str())
                .unwrap_or("Department");
            OrgRef {
                text: text.clone(),
                name: None,
                ty: ty.to_string(),
                code: None,
                division: None,
            }
        }
    };
    // A signature's own text ends at the office; the evidence is the signature block.
    let ev = cx.evidence(range);
    out.push(Fact {
        doc: String::new(),
        rel: Relation::IssuedBy {
            org,
            number: cx.doc.number.as_ref().map(|n| n.0.clone()),
            date: cx.doc.date.as_ref().map(|d| d.0.clone()),
            title: cx.doc.title.as_ref().map(|t| t.0.clone()),
        },
        evidence: ev,
        task_index: None,
    });
}

fn issuer_from_number(cx: &Context, number: &str) -> Option<String> {
    let prefix = number.split(['〔', '[', '【', '(', '（']).next()?;
    let table = cx.gz.lexicon().table("doc_number_issuers");
    let best = table
        .iter()
        .filter(|row| prefix.ends_with(row[0].as_str()) && prefix.len() > row[0].len())
        .max_by_key(|row| row[0].len())?;
    let d = cx.jur.own()?;
    // The government of a department-level jurisdiction is the prefecture or county itself.
    Some(best[1].replace("{jur}", &cx.gz.qualified_name(d)))
}
