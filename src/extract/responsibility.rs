//! `leads` and `co_responsible`: who is responsible for a task.
//!
//! Three layouts are read, with trigger phrases from `ontology/lexicon/responsibility.tsv`:
//! - a bracket after the task: `(市发改委牵头,市工信局、市人社局等按职责分工)` — also with
//!   square brackets `[牵头单位:区卫健局;责任单位:…]`, `【】`, and `由…负责`;
//! - label lines after a numbered item: `牵头单位:区发改局` / `责任单位:…` / `配合单位:…`;
//! - prose: `由市人社局牵头,联合总工会、工商联等部门共同推进`, `市发展改革委负责…`.
//!
//! A clause without a trigger takes the role of the next clause that has one
//! (`市发展改革委牵头,市有关部门、单位,各县市区政府按职责分工负责` → the middle list is
//! co-responsible). With no lead named, every listed organisation is co-responsible, unless the
//! document declares that the first-listed unit leads (`排在首位的为牵头单位`). A leading
//! *person* (`牵头领导`) gives no fact.

use super::Context;
use crate::facts::{Fact, Relation};
use crate::lexicon::{Position, Role};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// Openers and closers of responsibility brackets.
const OPEN: &[char] = &['(', '[', '【', '〔', '（'];
const CLOSE: &[char] = &[')', ']', '】', '〕', '）'];

/// Top-level bracket groups of a text: (byte range including brackets, inner range).
pub fn bracket_groups(text: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (i, c) in text.char_indices() {
        if OPEN.contains(&c) {
            if depth == 0 {
                start = i;
            }
            depth += 1;
        } else if CLOSE.contains(&c) && depth > 0 {
            depth -= 1;
            if depth == 0 {
                let inner = start + text[start..].chars().next().map(char::len_utf8).unwrap_or(1)..i;
                out.push((start..i + c.len_utf8(), inner));
            }
        }
    }
    out
}

/// The last bracket group if it ends the text (ignoring trailing punctuation) and holds a
/// responsibility trigger.
pub fn trailing_bracket(text: &str) -> Option<Range<usize>> {
    let trimmed = text.trim_end_matches(['。', ';', ' ', '\n']);
    let (whole, inner) = bracket_groups(trimmed).into_iter().last()?;
    if whole.end != trimmed.len() {
        return None;
    }
    let lx = crate::lexicon::Lexicon::embedded();
    let inner_text = &trimmed[inner];
    lx.triggers
        .iter()
        .any(|t| inner_text.contains(t.phrase.as_str()))
        .then_some(whole)
}

/// True for a `牵头单位:…` style line (or a leading-person line).
pub fn is_label_line(line: &str) -> bool {
    let lx = crate::lexicon::Lexicon::embedded();
    let Some((key, _)) = line.split_once(':') else {
        return false;
    };
    let key = key.trim();
    lx.triggers
        .iter()
        .any(|t| t.position == Position::Label && t.phrase == key)
        || lx.leading_person.iter().any(|p| p == key)
}

/// One parsed clause: a role (None = not stated) and its organisation mentions.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub role: Option<Role>,
    pub orgs: Vec<String>,
    /// True when the role came from a `负责`-like phrase that only says "responsible".
    pub weak: bool,
}

/// Parses the inside of a responsibility bracket (or a label line) into clauses. Returns
/// `None` when it is not a responsibility statement (no trigger, or a listed item that is not
/// an organisation).
pub fn parse_clauses(cx: &Context, content: &str) -> Option<Vec<Clause>> {
    let lx = cx.gz.lexicon();
    let mut clauses: Vec<Clause> = Vec::new();
    let mut any_trigger = false;
    for raw in split_top(content, &[',', ';', '，', '；']) {
        let mut c = raw.trim().trim_end_matches(['。', '.']).trim();
        if c.is_empty() {
            continue;
        }
        if let Some(rest) = c.strip_prefix('由') {
            c = rest;
        }
        // Label form `牵头单位:X`.
        if let Some((key, list)) = c.split_once(':') {
            let key = key.trim();
            if lx.leading_person.iter().any(|p| p == key) {
                any_trigger = true;
                continue;
            }
            if let Some(t) = lx
                .triggers
                .iter()
                .find(|t| t.position == Position::Label && t.phrase == key)
            {
                any_trigger = true;
                let orgs = split_list(cx, list)?;
                clauses.push(Clause {
                    role: Some(t.role),
                    orgs,
                    weak: false,
                });
                continue;
            }
            return None;
        }
        // Before form `联合X`.
        if let Some(t) = lx
            .triggers
            .iter()
            .find(|t| t.position == Position::Before && c.starts_with(t.phrase.as_str()))
        {
            any_trigger = true;
            let mut list = &c[t.phrase.len()..];
            if let Some(t2) = lx
                .triggers
                .iter()
                .find(|t2| t2.position == Position::After && list.ends_with(t2.phrase.as_str()))
            {
                list = &list[..list.len() - t2.phrase.len()];
            }
            let orgs = split_list(cx, list)?;
            clauses.push(Clause {
                role: Some(t.role),
                orgs,
                weak: false,
            });
            continue;
        }
        // After form `X牵头`, `X按职责分工负责`; `X负责牵头`.
        if let Some(t) = lx
            .triggers
            .iter()
            .find(|t| t.position == Position::After && c.ends_with(t.phrase.as_str()))
        {
            any_trigger = true;
            let list = &c[..c.len() - t.phrase.len()];
            let orgs = split_list(cx, list)?;
            let weak = t.phrase == "负责";
            clauses.push(Clause {
                role: Some(t.role),
                orgs,
                weak,
            });
            continue;
        }
        // No trigger: a plain list.
        let orgs = split_list(cx, c)?;
        clauses.push(Clause {
            role: None,
            orgs,
            weak: false,
        });
    }
    if !any_trigger || clauses.is_empty() {
        return None;
    }
    Some(clauses)
}

/// Final roles: untriggered clauses take the next stated role (else the previous, else co);
/// the first-listed convention applies when no lead is named.
pub fn assign_roles(clauses: &[Clause], first_listed_leads: bool) -> Vec<(Role, String)> {
    let mut roles: Vec<Role> = Vec::new();
    for (i, c) in clauses.iter().enumerate() {
        let r = c
            .role
            .or_else(|| clauses[i + 1..].iter().find_map(|n| n.role))
            .or_else(|| clauses[..i].iter().rev().find_map(|n| n.role))
            .unwrap_or(Role::Co);
        roles.push(r);
    }
    let any_lead = roles.contains(&Role::Leads);
    let mut out: Vec<(Role, String)> = Vec::new();
    for (c, r) in clauses.iter().zip(roles) {
        for o in &c.orgs {
            if !out.iter().any(|(_, x)| x == o) {
                out.push((r, o.clone()));
            }
        }
    }
    if first_listed_leads && !any_lead {
        if let Some(first) = out.first_mut() {
            first.0 = Role::Leads;
        }
    }
    out
}

/// Splits a text at top level (outside brackets) on any of the separators.
pub fn split_top<'t>(text: &'t str, seps: &[char]) -> Vec<&'t str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if OPEN.contains(&c) || c == '《' || c == '“' {
            depth += 1;
        } else if (CLOSE.contains(&c) || c == '》' || c == '”') && depth > 0 {
            depth -= 1;
        } else if depth == 0 && seps.contains(&c) {
            out.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&text[start..]);
    out
}

const GENERIC_TAILS: &[&str] = &["单位", "部门", "机构"];
const TRAILING: &[&str] = &[
    "等有关单位",
    "等相关单位",
    "等有关部门",
    "等相关部门",
    "等单位",
    "等部门",
    "等",
    "分别",
    "共同",
];

/// Splits an organisation list (`市发改委、市工信局和市人社局等`) into mentions; `None` when
/// an element does not look like an organisation.
pub fn split_list(cx: &Context, list: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for piece in split_top(list, &['、', ',', '，', '/']) {
        let mut p = piece.trim().to_string();
        for t in TRAILING {
            if let Some(s) = p.strip_suffix(t) {
                p = s.to_string();
            }
        }
        let p = p.trim().trim_start_matches('由').to_string();
        if p.is_empty() {
            continue;
        }
        // `市有关部门、单位`: a bare generic noun belongs to the previous collective.
        if GENERIC_TAILS.contains(&p.as_str()) {
            if let Some(last) = out.last_mut() {
                last.push('、');
                last.push_str(&p);
                continue;
            }
            return None;
        }
        for part in split_conjunctions(cx, &p) {
            out.push(part);
        }
    }
    if out.is_empty() {
        return None;
    }
    for o in &out {
        let n = o.chars().count();
        if !(2..=40).contains(&n) || cx.org_ref(o).is_none() {
            return None;
        }
    }
    Some(out)
}

/// Splits `A和B` / `A及B` / `A与B` / `A以及B` only where both sides are whole organisations
/// (`市工业和信息化局` stays one).
fn split_conjunctions(cx: &Context, s: &str) -> Vec<String> {
    for conj in ["以及", "和", "及", "与"] {
        let mut from = 0;
        while let Some(p) = s[from..].find(conj) {
            let at = from + p;
            let (left, right) = (&s[..at], &s[at + conj.len()..]);
            let left_ok = cx.gz.lexicon().org_type_by_suffix(left).is_some()
                || GENERIC_TAILS.iter().any(|g| left.ends_with(g))
                || left.ends_with("街道");
            if left_ok && right.chars().count() >= 2 && cx.org_ref(right).is_some() {
                let mut v = vec![left.to_string()];
                v.extend(split_conjunctions(cx, right));
                return v;
            }
            from = at + conj.len();
        }
    }
    vec![s.to_string()]
}

static PROSE_LEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"由([^,;。:由]{2,40}?)(?:负责)?牵头").expect("valid regex"));
static PROSE_WITH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:联合|会同)([^,;。:]{2,60}?)(?:等部门|等单位|等)?(?:共同|,|;|。|$)").expect("valid regex")
});
static PROSE_RESP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[。;,:])((?:市|区|县|省)[\p{Han}]{1,12}?)负责").expect("valid regex"));

/// Emits responsibility facts for every task of the document.
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    let text = cx.norm.text.clone();
    let first_listed = cx
        .gz
        .lexicon()
        .first_listed_leads
        .iter()
        .any(|p| text.contains(p.as_str()));
    let mut covered: Vec<Range<usize>> = Vec::new();

    // 1. Brackets and label lines inside numbered units (innermost first).
    for unit in 0..cx.doc.units.len() {
        let own = cx.own_range(unit);
        let start_of_unit = cx.doc.units[unit].first_line.start;
        let own_text = &text[own.clone()];
        let mut found = false;
        for (whole, inner) in bracket_groups(own_text) {
            let content = &own_text[inner];
            if let Some(clauses) = parse_clauses(cx, content) {
                let ev = cx.bounded_evidence(start_of_unit..own.start + whole.end, own.start + whole.start);
                emit(cx, out, &clauses, first_listed, ev, start_of_unit);
                covered.push(own.start + whole.start..own.start + whole.end);
                found = true;
            }
        }
        // Label lines, grouped: every `key:` line of the unit is one clause.
        let mut clauses: Vec<Clause> = Vec::new();
        let mut last_end = start_of_unit;
        let mut offset = own.start;
        for line in own_text.split('\n') {
            let l = line.trim();
            if is_label_line(l) {
                if let Some(mut cl) = parse_clauses(cx, l) {
                    clauses.append(&mut cl);
                    last_end = offset + line.len();
                }
            }
            offset += line.len() + 1;
        }
        if !clauses.is_empty() {
            let ev = cx.bounded_evidence(start_of_unit..last_end, last_end);
            emit(cx, out, &clauses, first_listed, ev, start_of_unit);
            found = true;
        }
        if !found {
            prose(cx, out, own.clone(), first_listed);
        }
    }

    // 2. Prose outside numbered units (news, speeches).
    let mut outside: Vec<Range<usize>> = Vec::new();
    let mut pos = 0;
    let mut units: Vec<Range<usize>> = cx
        .doc
        .units
        .iter()
        .filter(|u| u.parent.is_none())
        .map(|u| u.range.clone())
        .collect();
    units.sort_by_key(|r| r.start);
    for r in units {
        if r.start > pos {
            outside.push(pos..r.start);
        }
        pos = pos.max(r.end);
    }
    if pos < text.len() {
        outside.push(pos..text.len());
    }
    for r in outside {
        prose(cx, out, r, first_listed);
    }
}

fn prose(cx: &mut Context, out: &mut Vec<Fact>, range: Range<usize>, first_listed: bool) {
    // A copy of this range only (the rules below need `cx` mutably): copying the whole text
    // per unit made documents with many units quadratic.
    let part = &cx.norm.text[range.clone()].to_string();
    for m in PROSE_LEAD.captures_iter(part) {
        let whole = m.get(0).expect("match");
        let list = m.get(1).expect("group").as_str();
        let Some(leads) = split_list(cx, list) else { continue };
        let mut clauses = vec![Clause {
            role: Some(Role::Leads),
            orgs: leads,
            weak: false,
        }];
        // Partners in the same sentence: `联合X`, `会同X`.
        let sent = cx.sentence_around(range.start + whole.start());
        let sent_text = &cx.norm.text[sent.clone()].to_string();
        for w in PROSE_WITH.captures_iter(sent_text) {
            if let Some(orgs) = split_list(cx, w.get(1).expect("group").as_str()) {
                clauses.push(Clause {
                    role: Some(Role::Co),
                    orgs,
                    weak: false,
                });
            }
        }
        emit(cx, out, &clauses, first_listed, sent.clone(), sent.start);
    }
    for m in PROSE_RESP.captures_iter(part) {
        let g = m.get(1).expect("group");
        let mention = g.as_str();
        // Only departments the alias table knows: prose is noisy.
        let stem = &mention[mention.chars().next().map(char::len_utf8).unwrap_or(0)..];
        if !cx.gz.lexicon().dept_aliases.contains_key(stem) {
            continue;
        }
        let pos = range.start + g.start();
        let sent = cx.sentence_around(pos);
        let clauses = vec![Clause {
            role: Some(Role::Co),
            orgs: vec![mention.to_string()],
            weak: true,
        }];
        emit(cx, out, &clauses, first_listed, sent.clone(), sent.start);
    }
}

fn emit(
    cx: &mut Context,
    out: &mut Vec<Fact>,
    clauses: &[Clause],
    first_listed: bool,
    ev: Range<usize>,
    anchor: usize,
) {
    let task = match cx.task_at(anchor) {
        Some(t) => t,
        None => cx.sentence_task(cx.sentence_around(anchor)),
    };
    let task_ref = cx.task_ref(task);
    let evidence = cx.evidence(ev);
    for (role, mention) in assign_roles(clauses, first_listed) {
        let Some(org) = cx.org_ref(&mention) else { continue };
        let rel = match role {
            Role::Leads => Relation::Leads {
                task: task_ref.clone(),
                org,
            },
            Role::Co => Relation::CoResponsible {
                task: task_ref.clone(),
                org,
            },
        };
        out.push(Fact {
            doc: String::new(),
            rel,
            evidence: evidence.clone(),
            task_index: Some(task),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::doc::SourceDoc;
    use crate::extract::extract;
    use crate::resolve::Gazetteer;

    fn facts(text: &str) -> Vec<(String, String, Option<String>)> {
        let src = SourceDoc::from_text("t", text);
        let ex = extract(&src, Gazetteer::embedded());
        ex.facts
            .iter()
            .filter_map(|f| match &f.rel {
                crate::facts::Relation::Leads { task, org } => {
                    Some(("leads".to_string(), org.text.clone(), task.label.clone()))
                }
                crate::facts::Relation::CoResponsible { task, org } => {
                    Some(("co".to_string(), org.text.clone(), task.label.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn has(v: &[(String, String, Option<String>)], rel: &str, org: &str, label: &str) -> bool {
        v.iter()
            .any(|(r, o, l)| r == rel && o == org && l.as_deref() == Some(label))
    }

    #[test]
    fn bracket_after_task() {
        let v = facts("无为市2024年度工作要点\n一、全面深化合作\n1.深化合作。(市发改委牵头,市工信局、市人社局等按职责分工)\n2.推进。(市委组织部牵头,市各有关单位按职责分工)");
        assert!(has(&v, "leads", "市发改委", "1"));
        assert!(has(&v, "co", "市工信局", "1"));
        assert!(has(&v, "co", "市人社局", "1"));
        assert!(has(&v, "co", "市各有关单位", "2"));
        assert_eq!(v.len(), 5, "{v:?}");
    }

    #[test]
    fn traditional_square_and_lines() {
        let v = facts("1.全面實施。(市政府辦公室、市行政審批制度改革工作領導小組辦公室牽頭,市級各有關部門及各縣市區政府按職責分工負責)");
        assert!(has(&v, "leads", "市政府办公室", "1"), "{v:?}");
        assert!(has(&v, "leads", "市行政审批制度改革工作领导小组办公室", "1"));
        assert!(has(&v, "co", "各县市区政府", "1"));
        let v = facts("1、切实提高。[牵头单位:区卫健局;责任单位:区疫情防控指挥部成员单位、各街办(新区)]");
        assert!(has(&v, "leads", "区卫健局", "1"), "{v:?}");
        assert!(has(&v, "co", "各街办(新区)", "1"));
        let v = facts("1.努力实现地区生产总值增长6.2%左右。\n牵头单位:区发改局\n责任单位:立山经济开发区,全区经济运行各专班\n2.规模上工业增加值增长5%左右。\n牵头单位:区工信局");
        assert!(has(&v, "leads", "区发改局", "1"), "{v:?}");
        assert!(has(&v, "co", "立山经济开发区", "1"));
        assert!(has(&v, "leads", "区工信局", "2"));
    }

    #[test]
    fn untriggered_clause_and_no_lead() {
        let v = facts("1.配合省做好评估工作。(市发展改革委牵头,市有关部门、单位,各县市区政府、功能区管委会按职责分工负责)\n2.抓好。(市发展改革委、市能源局按职责分工负责)");
        assert!(has(&v, "co", "市有关部门、单位", "1"), "{v:?}");
        assert!(has(&v, "co", "功能区管委会", "1"));
        assert!(has(&v, "co", "市发展改革委", "2"));
        assert!(!v.iter().any(|(r, _, l)| r == "leads" && l.as_deref() == Some("2")));
    }

    #[test]
    fn first_listed_convention_and_person() {
        let v = facts("排在首位的为牵头单位。\n1.推进。(市财政局、市税务局)\n2.落实。(市财政局、市税务局负责)");
        assert!(has(&v, "leads", "市财政局", "2"), "{v:?}");
        assert!(has(&v, "co", "市税务局", "2"));
        let v = facts("1.推进。\n牵头领导:张三\n牵头单位:市财政局");
        assert!(has(&v, "leads", "市财政局", "1"), "{v:?}");
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn not_a_responsibility_bracket() {
        let v = facts("1.加快泰安综合保税物流中心(B型)申报建设,辖区范围内6亩以下(不含6亩)的土地。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn prose_in_news() {
        let v = facts("完善构建和谐劳动关系领导体系,由市人社局牵头,联合总工会、总工会、工商联等部门共同推进。");
        assert!(
            v.iter().any(|(r, o, l)| r == "leads" && o == "市人社局" && l.is_none()),
            "{v:?}"
        );
        assert!(v.iter().any(|(r, o, _)| r == "co" && o == "工商联"));
        assert_eq!(v.iter().filter(|(_, o, _)| o == "总工会").count(), 1);
    }
}
