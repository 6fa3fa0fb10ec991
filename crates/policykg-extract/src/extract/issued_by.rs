//! `issued_by`: the office that issues the document, its number, date and title.
//!
//! The issuing office is, in this order: the signature (office lines above the date line; a
//! document issued jointly signs one office to a line and gives one fact per office); the
//! issuer named before `关于` in a notice title (`东莞市人民政府关于…的实施意见`; two offices run
//! together, `自治区党委办公厅自治区人民政府办公厅关于…`, are split); the office a document
//! number's type code implies (`菏政办字〔2023〕1号` → the jurisdiction's 人民政府办公室, from
//! `doc_number_issuers.tsv`); the portal's header field (`发布机构`, `发文机关`); the `来源` of an
//! official document page (not of news); the parties of an agreement (`甲方:…`, `乙方:…`). A
//! portal's site title stuck to the office (`XX市人民政府门户网站XX市发展和改革委员会`) is cut
//! off. News and essays with none of these give no fact.

use super::Context;
use crate::facts::{Fact, OrgRef, Relation};
use crate::lexicon::{Lexicon, PerLexicon, Table};
use std::ops::Range;
use std::sync::Arc;

/// The word lists of `issuer_words.tsv`, by kind (one value per lexicon).
#[derive(Default)]
struct Words {
    site_title: Vec<String>,
    genre: Vec<String>,
    news_verb: Vec<String>,
    media: Vec<String>,
    agreement: Vec<String>,
    party_label: Vec<String>,
    party_stop: Vec<String>,
    org_opening: Vec<String>,
}

impl Words {
    fn of(lex: &Lexicon) -> Arc<Words> {
        static WORDS: PerLexicon<Words> = PerLexicon::new();
        WORDS.get(lex, |lex| {
            let kind = |k: &str| lex.words_of_kind(Table::IssuerWords, k).cloned().collect();
            Words {
                site_title: kind("site_title"),
                genre: kind("genre"),
                news_verb: kind("news_verb"),
                media: kind("media"),
                agreement: kind("agreement"),
                party_label: kind("party_label"),
                party_stop: kind("party_stop"),
                org_opening: kind("org_opening"),
            }
        })
    }
}

/// Emits the `issued_by` facts of the document (one per issuing office).
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    let issuers = issuers(cx);
    let number = cx.doc.number.as_ref().map(|n| n.0.clone());
    let date = cx.doc.date.as_ref().map(|d| d.0.clone());
    let title = cx.doc.title.as_ref().map(|t| t.0.clone());
    for (text, range) in issuers {
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
                number: number.clone(),
                date: date.clone(),
                title: title.clone(),
            },
            evidence: ev,
            task_index: None,
        });
    }
}

/// The issuing offices with the range each is stated in.
fn issuers(cx: &Context) -> Vec<(String, Range<usize>)> {
    let w = &*Words::of(cx.gz.lexicon());
    let is_org = |s: &str| cx.gz.lexicon().org_type_by_suffix(s).is_some();
    // A newspaper or a broadcaster signing a report is its source, not an issuer.
    let signature = cx.doc.signature.clone().filter(|(s, _)| !is_media(w, s));
    if let Some((joined, range)) = signature.clone() {
        let lines = signature_offices(cx, &range);
        if lines.len() > 1 && lines.iter().all(|l| is_org(l) && starts_like_org(cx, l)) {
            return lines.into_iter().map(|l| (l, range.clone())).collect();
        }
        let name = strip_site_title(w, &joined);
        if is_org(name) {
            // Two offices on one line, once the spaces between them are gone.
            return split_joint(cx, name).into_iter().map(|o| (o, range.clone())).collect();
        }
    }
    if let Some((s, r)) = cx.doc.title_issuer.clone() {
        let s = strip_site_title(w, strip_tags(&s));
        if is_org(s) {
            return split_joint(cx, s).into_iter().map(|o| (o, r.clone())).collect();
        }
    }
    if let Some(found) = banner(cx) {
        return vec![found];
    }
    if let Some((num, r)) = cx.doc.number.clone() {
        if let Some(name) = issuer_from_number(cx, &num) {
            return vec![(name, r)];
        }
    }
    // The fields naming the issuer (`header_fields.tsv`, `publisher`), the first listed first.
    let mut publishers: Vec<_> = cx.doc.meta.iter().filter(|f| f.kind.publisher.is_some()).collect();
    publishers.sort_by_key(|f| f.kind.publisher);
    publishers.dedup_by_key(|f| f.kind.publisher);
    for f in publishers {
        // Joint publishers: `XX市发展和改革委员会、XX市财政局`.
        let found: Vec<(String, Range<usize>)> = strip_site_title(w, &f.value)
            .split(['、', ',', ';'])
            .map(str::trim)
            .filter(|v| is_org(v))
            .flat_map(|v| split_joint(cx, v))
            .map(|v| (v, f.line.clone()))
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    // The `来源` of an official document's page (a plan, a notice) is its office; on a news
    // page it is the newspaper or the contributing office, not an issuer.
    if cx.doc.title.as_ref().is_some_and(|t| is_document_title(w, &t.0)) {
        if let Some(f) = cx.doc.meta.iter().find(|f| f.key.ends_with("来源")) {
            let v = strip_site_title(w, &f.value);
            if is_org(v) && starts_like_org(cx, v) && !is_media(w, v) {
                return vec![(v.to_string(), f.line.clone())];
            }
        }
    }
    let parties = agreement_parties(cx, w);
    if parties.is_empty() {
        if let Some(found) = colophon(cx) {
            return vec![found];
        }
        // A signature that does not read as an office's name, when nothing better names one.
        if let Some((joined, range)) = signature {
            return vec![(strip_site_title(w, &joined).to_string(), range)];
        }
    }
    parties
}

/// The printing note at the foot of an official document (`某市人民政府办公室 2024年3月5日印发`):
/// the office that issued it when nothing above names one.
fn colophon(cx: &Context) -> Option<(String, Range<usize>)> {
    let text = cx.norm.text.as_str();
    cx.doc.lines.iter().rev().take(30).find_map(|l| {
        let t = text[l.clone()].trim();
        let body = t.strip_suffix("印发")?.trim_end();
        let date_at = body
            .char_indices()
            .find(|(i, c)| c.is_ascii_digit() && body[*i..].contains('年'))?
            .0;
        crate::numbers::iso_date(&body[date_at..])?;
        let name = body[..date_at].trim();
        (cx.gz.lexicon().org_type_by_suffix(name).is_some() && starts_like_org(cx, name))
            .then(|| (name.to_string(), l.clone()))
    })
}

/// The red-headed banner of an official document (`XX市人民政府文件`, `中共XX县委办公室文件`)
/// among its first lines: the office before `文件`.
fn banner(cx: &Context) -> Option<(String, Range<usize>)> {
    let text = cx.norm.text.as_str();
    cx.doc
        .lines
        .iter()
        .filter(|l| !text[(*l).clone()].trim().is_empty())
        .take(5)
        .find_map(|l| {
            let t = text[l.clone()].trim();
            let name = t.strip_suffix("文件")?.trim();
            (cx.gz.lexicon().org_type_by_suffix(name).is_some() && starts_like_org(cx, name))
                .then(|| (name.to_string(), l.clone()))
        })
}

/// The office lines of a signature block (without the date line).
fn signature_offices(cx: &Context, range: &Range<usize>) -> Vec<String> {
    let text = cx.norm.text.as_str();
    cx.doc
        .lines
        .iter()
        .filter(|l| l.start >= range.start && l.end <= range.end)
        .map(|l| text[l.clone()].trim())
        .filter(|t| !t.is_empty() && !crate::numbers::is_date_line(t))
        .map(str::to_string)
        .collect()
}

/// True when a name opens as an organisation's full name does: a level (`中共`, `省`, `市`,
/// `自治区`, `国家`) or a place (`广西壮族自治区…`).
fn starts_like_org(cx: &Context, s: &str) -> bool {
    Words::of(cx.gz.lexicon())
        .org_opening
        .iter()
        .any(|l| s.starts_with(l.as_str()))
        || cx
            .gz
            .find(s)
            .first()
            .is_some_and(|p| p.start == 0 && (p.full || p.region.is_none()))
}

/// Two or more offices written together (`自治区党委办公厅自治区人民政府办公厅`): each ends with an
/// organisation suffix and the next opens like an organisation's name. One office whose name
/// holds another's (`XX市人民政府国有资产监督管理委员会`) is kept whole, as its tail does not open
/// with a level or a place.
fn split_joint(cx: &Context, s: &str) -> Vec<String> {
    let is_org = |t: &str| cx.gz.lexicon().org_type_by_suffix(t).is_some();
    let mut out = Vec::new();
    let mut rest = s;
    'outer: loop {
        for (i, _) in rest.char_indices().skip(4) {
            let (head, tail) = rest.split_at(i);
            if tail.chars().count() >= 4 && is_org(head) && is_org(tail) && starts_like_org(cx, tail) {
                out.push(head.to_string());
                rest = tail;
                continue 'outer;
            }
        }
        out.push(rest.to_string());
        return out;
    }
}

/// A name without the bracketed tags a page puts before a title (`【重点工作】滁州市人民政府`).
fn strip_tags(s: &str) -> &str {
    let mut s = s.trim();
    while let Some(rest) = s.strip_prefix(['【', '[']) {
        match rest.find(['】', ']']) {
            Some(p) => s = rest[p + rest[p..].chars().next().map(char::len_utf8).unwrap_or(1)..].trim_start(),
            None => break,
        }
    }
    s
}

/// A name without a portal's site title stuck before it
/// (`XX市人民政府门户网站XX市发展和改革委员会` → `XX市发展和改革委员会`).
fn strip_site_title<'s>(w: &Words, s: &'s str) -> &'s str {
    let s = s.trim();
    w.site_title
        .iter()
        .filter_map(|w| s.rfind(w).map(|p| p + w.len()))
        .max()
        .map(|p| s[p..].trim_start_matches([':', '|', ' ', '-']))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(s)
}

/// A title that names a document of the office (a plan, measures, a notice), not a news
/// headline (`…签署全面战略合作框架协议`, `…召开…会议`).
fn is_document_title(w: &Words, t: &str) -> bool {
    let t = t.trim_end_matches(|c: char| c == ')' || c.is_ascii_digit() || matches!(c, '(' | '—' | '-' | '年'));
    w.genre.iter().any(|g| t.ends_with(g.as_str())) && !w.news_verb.iter().any(|v| t.contains(v.as_str()))
}

/// A newspaper, broadcaster or news site (`成都日报`, `新甘肃`, `XX新闻网`): a source, not an issuer.
fn is_media(w: &Words, s: &str) -> bool {
    w.media.iter().any(|m| s.contains(m.as_str()))
}

/// The parties of an agreement (`甲方:镇江市人民政府(以下简称甲方)`, `乙方:…`), in a document
/// whose opening lines name it an agreement (协议, 合同, 备忘录).
fn agreement_parties(cx: &Context, w: &Words) -> Vec<(String, Range<usize>)> {
    let text = cx.norm.text.as_str();
    let head: Vec<&Range<usize>> = cx.doc.lines.iter().filter(|l| !l.is_empty()).take(40).collect();
    let agreement = head
        .iter()
        .take(12)
        .any(|l| w.agreement.iter().any(|a| text[(*l).clone()].contains(a.as_str())));
    if !agreement {
        return Vec::new();
    }
    let mut out: Vec<(String, Range<usize>)> = Vec::new();
    for l in head {
        let t = text[l.clone()].trim();
        let Some(rest) =
            (w.party_label.iter()).find_map(|p| t.strip_prefix(p.as_str()).and_then(|r| r.strip_prefix([':', '：'])))
        else {
            continue;
        };
        let mut name = rest;
        for stop in &w.party_stop {
            if let Some(p) = name.find(stop.as_str()) {
                name = &name[..p];
            }
        }
        let name = name.trim();
        if cx.gz.lexicon().org_type_by_suffix(name).is_some() && !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), l.clone()));
        }
    }
    out
}

fn issuer_from_number(cx: &Context, number: &str) -> Option<String> {
    let prefix = number.split(['〔', '[', '【', '(', '（', '﹝', '［']).next()?;
    let table = cx.gz.lexicon().table(crate::lexicon::Table::DocNumberIssuers);
    let best = table
        .iter()
        .filter(|row| prefix.ends_with(row[0].as_str()) && prefix.len() > row[0].len())
        .max_by_key(|row| row[0].len())?;
    let d = cx.jur.own()?;
    // The government of a department-level jurisdiction is the prefecture or county itself.
    Some(best[1].replace("{jur}", &cx.gz.qualified_name(d)))
}

#[cfg(test)]
mod tests {
    use crate::doc::SourceDoc;
    use crate::facts::Relation;
    use crate::resolve::Gazetteer;

    /// (org text, number, date, title) of each `issued_by` fact of a document.
    #[allow(clippy::type_complexity)]
    fn issued(text: &str) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
        let src = SourceDoc::from_text("t", text);
        crate::extract::extract(&src, Gazetteer::embedded())
            .facts
            .into_iter()
            .filter_map(|f| match f.rel {
                Relation::IssuedBy {
                    org,
                    number,
                    date,
                    title,
                } => Some((org.text, number, date, title)),
                _ => None,
            })
            .collect()
    }

    /// The issuing offices, sorted (facts of one signature share their evidence).
    fn orgs(text: &str) -> Vec<String> {
        let mut o: Vec<String> = issued(text).into_iter().map(|f| f.0).collect();
        o.sort();
        o
    }

    #[test]
    fn signature_block_with_number_date_and_title() {
        let f = issued(
            "某市人民政府办公室文件\n某政办发〔 2024 〕 7 号\n某市人民政府办公室关于印发某市2024年重点工作任务分解方案的通知\n\
             各县区人民政府:\n现印发给你们,请认真贯彻落实。\n某市人民政府办公室\n2024年3月1日\n某市2024年重点工作任务分解方案\n一、总体要求\n",
        );
        assert_eq!(
            f,
            vec![(
                "某市人民政府办公室".to_string(),
                Some("某政办发〔2024〕7号".to_string()),
                Some("2024-03-01".to_string()),
                Some("某市2024年重点工作任务分解方案".to_string())
            )]
        );
    }

    #[test]
    fn joint_issuers_give_one_fact_each() {
        let signed = "关于印发江西省数字经济发展方案的通知\n各市:\n现印发给你们。\n中共江西省委办公厅\n江西省人民政府办公厅\n2023年5月8日\n";
        assert_eq!(orgs(signed), vec!["中共江西省委办公厅", "江西省人民政府办公厅"]);
        let one_line = "关于印发江西省数字经济发展方案的通知\n各市:\n现印发给你们。\n中共江西省委办公厅   江西省人民政府办公厅\n2023年5月8日\n";
        assert_eq!(orgs(one_line), vec!["中共江西省委办公厅", "江西省人民政府办公厅"]);
        let titled = "省委办公厅省人民政府办公厅关于加快发展数字经济的意见\n各市:\n为加快发展,提出如下意见。\n";
        assert_eq!(orgs(titled), vec!["省人民政府办公厅", "省委办公厅"]);
        // One office whose name holds another's is one office.
        let one = "某市人民政府国有资产监督管理委员会关于加强监管的通知\n各企业:\n现通知如下。\n";
        assert_eq!(orgs(one), vec!["某市人民政府国有资产监督管理委员会"]);
    }

    #[test]
    fn header_fields_in_any_layout() {
        let run_together = "索 引 号 11370/2021-01 公开方式 主动公开\n发布机构 某县发展和改革局 组配分类 发展计划\n\
                            成文日期 2021-02-22 废止日期\n某县2021年国民经济和社会发展计划\n一、主要目标\n";
        let f = issued(run_together);
        assert_eq!(f[0].0, "某县发展和改革局");
        assert_eq!(f[0].2.as_deref(), Some("2021-02-22"));
        let piped = "索引号: | 0001/2023-1 | 信息分类: | |\n发布机构: | 某市统计局 | 生成日期: | 2023-01-05 09:00 |\n\
                     文号: | 某统字〔2023〕2号 | |\n某市统计工作要点\n一、重点工作\n";
        let f = issued(piped);
        assert_eq!(f[0].0, "某市统计局");
        assert_eq!(f[0].1.as_deref(), Some("某统字〔2023〕2号"));
        let bullets =
            "- 发布机构:某某市人民政府门户网站某某市发展和改革委员会\n- 发布日期:2022-06-30\n某某市物流发展实施方案\n";
        assert_eq!(orgs(bullets), vec!["某某市发展和改革委员会"]);
    }

    #[test]
    fn joint_publishers_and_the_printing_note() {
        let header = "发布机构:江西省发展和改革委员会、江西省财政局\n发布日期:2023-02-01\n江西省物流降本增效实施方案\n";
        assert_eq!(orgs(header), vec!["江西省发展和改革委员会", "江西省财政局"]);
        let foot = "关于做好防汛工作的通知\n各县区:\n现就有关事项通知如下。\n一、压实责任\n抄送:市委办公室。\n九江市人民政府办公室   2023年5月6日印发\n";
        assert_eq!(orgs(foot), vec!["九江市人民政府办公室"]);
    }

    #[test]
    fn agreements_are_issued_by_their_parties() {
        let f = orgs("合作框架协议书\n甲方:某市人民政府(以下简称甲方)\n乙方:某某科技有限公司(以下简称乙方)\n双方经友好协商,达成如下协议。\n");
        assert_eq!(f, vec!["某市人民政府", "某某科技有限公司"]);
    }

    #[test]
    fn news_pages_and_essays_are_issued_by_nobody() {
        assert!(orgs("两市签署战略合作框架协议\n来源:某某日报 发布时间:2023-05-01\n近日,两市签署协议。\n").is_empty());
        assert!(
            orgs("某县召开经济工作会议\n来源:某县人民政府办公室 发布时间:2023-05-01\n会议要求,抓好落实。\n").is_empty()
        );
        assert!(orgs("浅谈基层治理\n基层治理是国家治理的基石。\n").is_empty());
        assert!(
            orgs("全县春耕生产有序推进\n全县春耕生产有序推进,农资供应充足。\n某县融媒体中心\n2023年4月2日\n")
                .is_empty()
        );
    }
}
