//! `cooperates_with`: two named places or organisations cooperate.
//!
//! Cooperation words come from `coop_verbs.tsv` (合作, 对接, 融入, 联动, 共建, 签约, 结对, 对口,
//! 协同, 接轨 …; the longest written form is kept as the verb). Two shapes are read in each
//! clause: `[actor]与X[、Y][等…]…合作` (深化与溧阳市经济开发区合作; 市人民医院与上海新华医院合作)
//! and `融入X、Y` (融入南京、合肥 → two facts). A partner must be a named division or region
//! (gazetteer) or an organisation with a telling suffix (医院, 大学, 开发区 …); generic partners
//! (`generic_partners.tsv`: 央企, 先发地区, 沿江城市) are dropped, and `X等沿江城市` keeps X.
//! An implicit actor is `@self`: the task's lead, else the document's jurisdiction. One fact per
//! pair per task; outside numbered tasks, one per pair per document.

use super::Context;
use crate::facts::{Fact, OrgRef, Relation};
use crate::lexicon::OrgType;
use std::collections::HashSet;
use std::ops::Range;

const CLAUSE_END: &[char] = &[',', ';', '。', ':', '!', '?', '\n'];
/// Verbs whose object directly follows (`融入南京`); the others need `与X`.
const DIRECT: &[&str] = &["融入", "对接", "接轨", "联动", "参与", "对接联动", "结对", "对口"];

/// Emits `cooperates_with` facts.
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    let text = cx.norm.text.clone();
    let verbs = cx.gz.coop_verbs.clone();
    let generic = cx.gz.lexicon().list("generic_partners");
    let mut seen: HashSet<(Option<usize>, String, String)> = HashSet::new();
    let body_start = cx.doc.signature.as_ref().map(|s| s.1.end).unwrap_or(0);

    // Clauses of the whole text (headings included: `一、全面深化与沪苏浙区域合作`).
    let mut start = body_start;
    let mut clauses: Vec<Range<usize>> = Vec::new();
    for (i, c) in text[body_start..].char_indices() {
        if CLAUSE_END.contains(&c) {
            clauses.push(start..body_start + i);
            start = body_start + i + c.len_utf8();
        }
    }
    clauses.push(start..text.len());

    // One automaton over the verbs, leftmost-longest (`对接合作` before `对接`), built once.
    let verb_ac = &cx.gz.coop_verbs_ac;
    // Title depth (《 》) before each clause, counted once over the text.
    let mut depth: i64 = 0;
    let mut counted = 0usize;
    for cl in clauses {
        for c in text[counted..cl.start].chars() {
            match c {
                '《' => depth += 1,
                '》' => depth -= 1,
                _ => {}
            }
        }
        counted = cl.start;
        let ct = &text[cl.clone()];
        if depth > 0 {
            continue;
        }
        for vm in verb_ac.find_iter(ct) {
            let vrel = vm.start();
            let verb = verbs[vm.pattern().as_usize()].clone();
            let pos = vm.end();
            let before = &ct[..vrel];
            if before.ends_with("不") || inside_quote(before) || inside_title(before) {
                continue;
            }
            let mut pairs: Vec<(Option<String>, String)> = Vec::new();
            if let Some(yu) = before.rfind('与') {
                // `A与B、C与D合作`: each segment with its own 与 is a pair; segments without one
                // continue the previous partner list.
                if before.matches('与').count() > 1 && before.contains('、') {
                    for seg in before.split('、') {
                        if let Some(y) = seg.find('与') {
                            let actor = explicit_actor(cx, &seg[..y]);
                            for p in partner_list(&seg[y + 3..]) {
                                pairs.push((actor.clone(), p));
                            }
                        }
                    }
                } else {
                    let partner_text = &before[yu + 3..];
                    let actor = before[..yu].trim();
                    for p in partner_list(partner_text) {
                        pairs.push((explicit_actor(cx, actor), p));
                    }
                }
            } else if DIRECT.iter().any(|d| verb.starts_with(d)) {
                let after = &ct[pos..];
                let mut list = direct_objects(cx, after);
                if verb == "参与" {
                    list.retain(|(_, rest)| rest.starts_with("一体化"));
                }
                // `无为市深度融入长三角`, `支持含山县全面融入合肥都市圈`: a place right before the verb acts.
                let actor = place_before(cx, before);
                for (p, _) in list {
                    pairs.push((actor.clone(), p));
                }
            }
            for (actor, partner) in pairs {
                let Some(b) = partner_ref(cx, &partner, generic) else {
                    continue;
                };
                let abs = cl.start + vrel;
                // Only numbered items count as tasks here; elsewhere one fact per pair per document.
                let task = item_task(cx, abs);
                let a = match actor.and_then(|a| partner_ref(cx, &a, &[])) {
                    Some(a) => a,
                    None => self_actor(cx, task, out),
                };
                let key = (
                    task,
                    a.name.clone().unwrap_or(a.text.clone()),
                    b.name.clone().unwrap_or(b.text.clone()),
                );
                if a.text == b.text || !seen.insert(key) {
                    continue;
                }
                let sent = cx.sentence_around(abs);
                let evidence = cx.evidence(sent);
                let task_ref = task.map(|t| cx.task_ref(t));
                out.push(Fact {
                    doc: String::new(),
                    rel: Relation::CooperatesWith {
                        task: task_ref,
                        a,
                        b,
                        verb: verb.clone(),
                    },
                    evidence,
                    task_index: task,
                });
            }
        }
    }
}

fn item_task(cx: &mut Context, pos: usize) -> Option<usize> {
    use crate::structure::UnitKind;
    let unit = crate::structure::unit_at(&cx.doc, pos)?;
    if matches!(
        cx.doc.units[unit].kind,
        UnitKind::Item | UnitKind::SubItem | UnitKind::Circled
    ) {
        cx.task_at(pos)
    } else {
        None
    }
}

const ADVERBS: &[&str] = &[
    "深度",
    "主动",
    "积极",
    "全面",
    "加快",
    "更好",
    "加速",
    "进一步",
    "全方位",
    "深入",
];

/// A named place immediately before a verb (adverbs skipped): the explicit actor.
fn place_before(cx: &Context, before: &str) -> Option<String> {
    let mut b = before;
    while let Some(a) = ADVERBS.iter().find(|a| b.ends_with(*a)) {
        b = &b[..b.len() - a.len()];
    }
    cx.gz
        .find(b)
        .into_iter()
        .rev()
        .find(|m| m.end == b.len() && m.full && !m.divisions.is_empty())
        .map(|m| b[m.start..m.end].to_string())
}

fn inside_title(before: &str) -> bool {
    before.matches('《').count() > before.matches('》').count()
}

fn strip_parens(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn inside_quote(before: &str) -> bool {
    before.matches('“').count() > before.matches('”').count()
        && before.rfind('“').is_some_and(|p| before.len() - p < 12)
}

/// Partners named between `与` and the verb: `芜湖等沿江城市对接` → [芜湖].
fn partner_list(s: &str) -> Vec<String> {
    let mut s = s.trim();
    // Cut at the first word that starts the predicate: `呼伦贝尔市加强友好` → 呼伦贝尔市.
    for cut in [
        "加强", "开展", "深化", "建立", "推进", "进行", "全面", "深度", "友好", "紧密", "务实", "的", "交流",
    ] {
        if let Some(p) = s.find(cut).filter(|p| *p > 0) {
            s = &s[..p];
        }
    }
    let s = cut_etc(s);
    s.split(['、', '和', '及'])
        .map(|p| p.trim_matches(['“', '”', ' ']).to_string())
        .filter(|p| p.chars().count() >= 2)
        .collect()
}

/// Cuts a list at `等` that ends it (`芜湖等沿江城市` → 芜湖), not at the 等 of words such as
/// 高等, 中等, 平等.
fn cut_etc(s: &str) -> &str {
    let mut from = 0;
    while let Some(p) = s[from..].find('等') {
        let at = from + p;
        let prev = s[..at].chars().last();
        if !prev.is_some_and(|c| "高中初平同对均超".contains(c)) {
            return &s[..at];
        }
        from = at + '等'.len_utf8();
    }
    s
}

/// The named things right after a direct verb: `南京、合肥` in `融入南京、合肥`.
fn direct_objects(cx: &Context, after: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = after.trim_start_matches(['“', ' ']);
    while let Some(m) = cx.gz.find(rest).into_iter().find(|m| m.start == 0) {
        let name = rest[..m.end].to_string();
        rest = rest[m.end..].trim_start_matches('”');
        out.push((name, rest.to_string()));
        if let Some(r) = rest.strip_prefix('、').or_else(|| rest.strip_prefix('和')) {
            rest = r.trim_start_matches('“');
        } else {
            break;
        }
    }
    out
}

fn explicit_actor(cx: &Context, actor: &str) -> Option<String> {
    // The last named entity right before `与`.
    let tail: String = actor
        .chars()
        .rev()
        .take(20)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let tail = tail.rsplit(['、', ',']).next().unwrap_or("").to_string();
    let tail = tail.split('等').next().unwrap_or("").to_string();
    for start in tail.char_indices().map(|(i, _)| i) {
        let cand = &tail[start..];
        if cand.chars().count() < 2 {
            break;
        }
        let anchored = cand.starts_with(['市', '区', '县', '省']) || cx.gz.find(cand).into_iter().any(|m| m.start == 0);
        if !anchored {
            continue;
        }
        if cx
            .gz
            .find(cand)
            .into_iter()
            .any(|m| m.start == 0 && m.end == cand.len())
        {
            return Some(cand.to_string());
        }
        if let Some(o) = cx.org_ref(cand) {
            if matches!(o.ty.as_str(), "Park" | "Institution" | "Enterprise" | "Government") {
                return Some(cand.to_string());
            }
        }
    }
    None
}

/// A partner mention as an `OrgRef`, or None when it is generic or not a named party.
fn partner_ref(cx: &Context, mention: &str, generic: &[String]) -> Option<OrgRef> {
    let mut m = mention.trim_matches(['“', '”', ' ']);
    for tail in cx.gz.lexicon().list("partner_tails") {
        if let Some(s) = m.strip_suffix(tail.as_str()).filter(|s| s.chars().count() >= 2) {
            m = s;
        }
    }
    if m.chars().count() < 2 || generic.iter().any(|g| m.contains(g.as_str())) {
        return None;
    }
    // `长三角区域文化旅游`, `长三角G60科创走廊各城区间`: a named place followed by a generic word.
    if let Some(pm) = cx.gz.find(m).into_iter().find(|p| p.start == 0 && p.end < m.len()) {
        let rest = &m[pm.end..];
        if ["各", "相关", "区域", "地区", "城市", "间"]
            .iter()
            .any(|g| rest.starts_with(g))
        {
            return partner_ref(cx, &m[..pm.end], generic);
        }
    }
    if let Some(pm) = cx.gz.find(m).into_iter().find(|p| p.start == 0 && p.end == m.len()) {
        if let Some(ty) = pm.region {
            return Some(OrgRef {
                text: m.to_string(),
                name: None,
                ty: ty.to_string(),
                code: None,
                division: None,
            });
        }
        let d = crate::resolve::pick_division(cx.gz, &cx.jur, &pm.divisions)?;
        let div = cx.gz.division(d);
        return Some(OrgRef {
            text: m.to_string(),
            name: Some(div.name.clone()),
            ty: super::place_type(div),
            code: Some(div.code.clone()),
            division: None,
        });
    }
    // Type from the name without its parenthetical (`山东自贸试验区(济南片区)`).
    let bare: String = crate::extract::responsibility::split_top(m, &[]).concat();
    let bare = strip_parens(&bare);
    let r = crate::resolve::resolve_org(cx.gz, &cx.jur, &bare)?;
    let external = !m.starts_with(['市', '区', '县']);
    match r.ty {
        OrgType::Park | OrgType::Institution | OrgType::Enterprise => Some(OrgRef {
            text: m.to_string(),
            name: r.name,
            ty: r.ty.as_str().into(),
            code: None,
            division: r.division.map(|d| cx.gz.division(d).code.clone()),
        }),
        OrgType::Department if external && m.chars().count() >= 6 => Some(OrgRef {
            text: m.to_string(),
            name: None,
            ty: "Institution".into(),
            code: None,
            division: None,
        }),
        _ => None,
    }
}

/// `@self`: the task's lead when it has one, else the document's jurisdiction.
fn self_actor(cx: &Context, task: Option<usize>, facts: &[Fact]) -> OrgRef {
    if let Some(t) = task {
        for f in facts {
            if let (Some(ti), Relation::Leads { org, .. }) = (f.task_index, &f.rel) {
                if ti == t {
                    return OrgRef {
                        text: "@self".into(),
                        name: org.name.clone().or(Some(org.text.clone())),
                        ty: org.ty.clone(),
                        code: None,
                        division: org.division.clone(),
                    };
                }
            }
        }
    }
    cx.self_ref()
}

#[cfg(test)]
mod tests {
    use crate::doc::SourceDoc;
    use crate::extract::extract;
    use crate::facts::Relation;
    use crate::resolve::Gazetteer;

    fn coop(text: &str) -> Vec<(String, String, String)> {
        let ex = extract(&SourceDoc::from_text("t", text), Gazetteer::embedded());
        ex.facts
            .iter()
            .filter_map(|f| match &f.rel {
                Relation::CooperatesWith { a, b, verb, .. } => Some((a.text.clone(), b.text.clone(), verb.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn partners_and_verbs() {
        let v = coop("1.深化与溧阳市经济开发区合作,力争与平湖经济开发区签约。(无为经济开发区牵头)");
        assert!(
            v.contains(&("@self".into(), "溧阳市经济开发区".into(), "合作".into())),
            "{v:?}"
        );
        assert!(v.contains(&("@self".into(), "平湖经济开发区".into(), "签约".into())));
        let v = coop("主动融入南京、合肥,加强与芜湖等沿江城市对接合作。");
        let bs: Vec<&str> = v.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(bs, vec!["南京", "合肥", "芜湖"], "{v:?}");
        let v = coop("推动市人民医院与上海新华医院合作。");
        assert!(
            v.contains(&("市人民医院".into(), "上海新华医院".into(), "合作".into())),
            "{v:?}"
        );
    }

    #[test]
    fn not_cooperation() {
        assert!(coop("推进长三角一体化发展,加强与央企合作。").is_empty());
        assert!(coop("积极参与长三角G60科创走廊芜湖产业创新中心建设。").is_empty());
    }
}
