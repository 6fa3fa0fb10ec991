//! `holds_post`: a named person holds a post in an organisation.
//!
//! Reads the chains news and notices use before a name: `市委组织部副部长、市人社局局长聂立新:`
//! gives (聂立新, 副部长, 市委组织部) and (聂立新, 局长, 市人社局); `市经信局党组书记、局长杨旭东`
//! carries the organisation over to the second post; `市委副书记、市长袁宝成担任召集人` reads a
//! bare 市长 as a post of the city (`市`). Post titles come from `posts.tsv`. The name is the two
//! or three characters after the last post, ended by punctuation or a verb (担任, 表示 …).

use super::Context;
use crate::facts::{Fact, OrgRef, Person, Post, Relation};
use regex::Regex;
use std::sync::LazyLock;

static CHAIN: LazyLock<Regex> = LazyLock::new(|| {
    let lx = crate::lexicon::Lexicon::embedded();
    let mut posts = lx.list("posts").to_vec();
    posts.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    let alt = posts.iter().map(|p| regex::escape(p)).collect::<Vec<_>>().join("|");
    Regex::new(&format!(
        r"(?P<chain>(?:\p{{Han}}{{0,24}}?(?:{alt})、)*\p{{Han}}{{0,24}}?(?:{alt}))(?P<name>\p{{Han}}{{2,3}}?)(?P<after>[:,(、]|担任|表示|指出|介绍|强调|说|主持|出席|同志|$)"
    ))
    .expect("post table makes a valid regex")
});

static POST_SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    let lx = crate::lexicon::Lexicon::embedded();
    let mut posts = lx.list("posts").to_vec();
    posts.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    let alt = posts.iter().map(|p| regex::escape(p)).collect::<Vec<_>>().join("|");
    Regex::new(&format!(r"^(?P<org>\p{{Han}}*?)(?P<post>{alt})$")).expect("valid regex")
});

const BARE_LEVEL_POSTS: &[&str] = &[
    "市长",
    "副市长",
    "常务副市长",
    "区长",
    "副区长",
    "县长",
    "副县长",
    "镇长",
];
const LEADING_WORDS: &[&str] = &["由", "和", "及", "以及", "与", "同", "是", "为", "请"];
const NOT_NAMES: &[&str] = &[
    "担任", "负责", "主要", "分管", "领导", "同志", "指出", "表示", "强调", "参加", "出席", "成员",
];

/// Name before a bare level post: `李明市长`, `王芳副区长`.
static NAME_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[,、:;。(\s由与和及请])(?P<name>\p{Han}{2,3}?)(?P<post>常务副市长|副市长|市长|副区长|区长|副县长|县长|副镇长|镇长)(?:$|[,、:;。)\s]|表示|指出|强调|介绍|说|一行|主持|出席|参加|调研|带队)").expect("valid regex")
});

static MECHANISM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"成立([\p{Han}]{2,40}?(?:工作机制|领导小组|工作专班|专班|指挥部|委员会|工作组))").expect("valid regex")
});

/// Emits `holds_post` facts from every line.
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    let text = cx.norm.text.clone();
    let surnames = &cx.gz.surnames;
    for line in cx.doc.lines.clone() {
        let lt = &text[line.clone()];
        // Most lines name no post at all: skip them before the (costly) chain regex.
        if !cx.gz.posts_ac.is_match(lt) {
            continue;
        }
        // Names listed before `担任召集人` share that post in the mechanism the line sets up.
        let mechanism = MECHANISM.captures(lt).map(|c| c[1].to_string());
        let mut pending: Vec<String> = Vec::new();
        for caps in NAME_FIRST.captures_iter(lt) {
            let name = &caps["name"];
            if !name.chars().next().is_some_and(|c| surnames.contains(&c)) || !plausible_name(name) {
                continue;
            }
            let post = caps["post"].to_string();
            let level = post
                .chars()
                .find(|c| matches!(c, '市' | '区' | '县' | '镇'))
                .map(|c| c.to_string())
                .unwrap_or_default();
            let m = caps.get(0).expect("match");
            let evidence = cx.evidence(cx.sentence_around(line.start + m.start()));
            let org = cx.org_ref(&format!("{level}政府")).map(|mut o| {
                o.text = level.clone();
                o
            });
            out.push(Fact {
                doc: String::new(),
                rel: Relation::HoldsPost {
                    person: Person { text: name.to_string() },
                    post: Post { text: post },
                    org,
                },
                evidence,
                task_index: None,
            });
        }
        for caps in CHAIN.captures_iter(lt) {
            let name = &caps["name"];
            if !name.chars().next().is_some_and(|c| surnames.contains(&c)) {
                pending.clear();
                continue;
            }
            if NOT_NAMES.iter().any(|n| name.starts_with(n) || name.ends_with(n))
                || crate::normalize::is_han(name.chars().next().unwrap_or(' '))
                    && cx.gz.lexicon().org_type_by_suffix(name).is_some()
                    && name.chars().count() > 2
            {
                continue;
            }
            if !plausible_name(name) {
                continue;
            }
            let chain = &caps["chain"];
            let m = caps.get(0).expect("match");
            let sent = cx.sentence_around(line.start + m.start());
            let evidence = cx.evidence(sent);
            let after = &caps["after"];
            if after == "、" {
                pending.push(name.to_string());
            } else if after == "担任" {
                let rest = &lt[m.end()..];
                let held = cx
                    .gz
                    .lexicon()
                    .list("posts")
                    .iter()
                    .filter(|p| rest.starts_with(p.as_str()))
                    .max_by_key(|p| p.len());
                if let (Some(post), Some(mech)) = (held, &mechanism) {
                    pending.push(name.to_string());
                    for person in pending.drain(..) {
                        out.push(Fact {
                            doc: String::new(),
                            rel: Relation::HoldsPost {
                                person: Person { text: person },
                                post: Post { text: post.clone() },
                                org: Some(OrgRef {
                                    text: mech.clone(),
                                    name: None,
                                    ty: "Group".into(),
                                    code: None,
                                    division: None,
                                }),
                            },
                            evidence: evidence.clone(),
                            task_index: None,
                        });
                    }
                }
                pending.clear();
            } else {
                pending.clear();
            }
            let mut last_org: Option<String> = None;
            for item in chain.split('、') {
                let Some(pc) = POST_SPLIT.captures(item) else { continue };
                let mut org = pc["org"].to_string();
                for w in LEADING_WORDS {
                    if let Some(s) = org.strip_prefix(w) {
                        org = s.to_string();
                    }
                }
                let post = pc["post"].to_string();
                let org_text = if !org.is_empty() {
                    Some(org)
                } else if BARE_LEVEL_POSTS.contains(&post.as_str()) {
                    post.chars()
                        .find(|c| matches!(c, '市' | '区' | '县' | '镇'))
                        .map(|c| c.to_string())
                } else {
                    last_org.clone()
                };
                let Some(org_text) = org_text else { continue };
                last_org = Some(org_text.clone());
                let org = cx.org_ref(&org_text).unwrap_or_else(|| OrgRef {
                    text: org_text.clone(),
                    name: None,
                    ty: if org_text.len() <= 3 {
                        "Government".into()
                    } else {
                        "Department".into()
                    },
                    code: None,
                    division: None,
                });
                out.push(Fact {
                    doc: String::new(),
                    rel: Relation::HoldsPost {
                        person: Person { text: name.to_string() },
                        post: Post { text: post },
                        org: Some(org),
                    },
                    evidence: evidence.clone(),
                    task_index: None,
                });
            }
        }
    }
}

/// A Chinese personal name: 2–3 characters, no organisation or function words.
fn plausible_name(name: &str) -> bool {
    const BAD: &str = "的了在和与及等各市区县局委办部是为将对从中上下要";
    let n = name.chars().count();
    (2..=3).contains(&n) && !name.chars().any(|c| BAD.contains(c))
}

#[cfg(test)]
mod tests {
    use crate::doc::SourceDoc;
    use crate::extract::extract;
    use crate::facts::Relation;
    use crate::resolve::Gazetteer;

    fn posts(text: &str) -> Vec<(String, String, String)> {
        let ex = extract(&SourceDoc::from_text("t", text), Gazetteer::embedded());
        ex.facts
            .iter()
            .filter_map(|f| match &f.rel {
                Relation::HoldsPost { person, post, org } => Some((
                    person.text.clone(),
                    post.text.clone(),
                    org.as_ref().map(|o| o.text.clone()).unwrap_or_default(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn chains_of_posts() {
        let v = posts("市委组织部副部长、市人社局局长**聂立新**:通过几天的考察学习");
        assert!(
            v.contains(&("聂立新".into(), "副部长".into(), "市委组织部".into())),
            "{v:?}"
        );
        assert!(v.contains(&("聂立新".into(), "局长".into(), "市人社局".into())));
        let v = posts("市经信局党组书记、局长杨旭东:沪苏浙地区");
        assert!(
            v.contains(&("杨旭东".into(), "局长".into(), "市经信局".into())),
            "{v:?}"
        );
        let v = posts("由市委副书记、市长袁宝成担任召集人,市政府副市长张科担任副召集人");
        assert!(v.contains(&("袁宝成".into(), "市长".into(), "市".into())), "{v:?}");
        assert!(v.contains(&("张科".into(), "副市长".into(), "市政府".into())), "{v:?}");
    }

    #[test]
    fn name_before_post() {
        let v = posts("会议由李明市长主持。王芳副区长出席,");
        assert!(v.contains(&("李明".into(), "市长".into(), "市".into())), "{v:?}");
        assert!(v.contains(&("王芳".into(), "副区长".into(), "区".into())), "{v:?}");
    }

    #[test]
    fn bylines_are_not_posts() {
        assert!(posts("全媒体记者 刘惠子").is_empty());
    }
}
