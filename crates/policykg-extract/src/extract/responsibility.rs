//! `leads` and `co_responsible`: who is responsible for a task.
//!
//! Responsibility is read as a small grammar, with its words in
//! `ontology/lexicon/responsibility.tsv` (trigger phrases: `X牵头`, `X按职责分工负责`, `联合X`)
//! and `ontology/lexicon/resp_grammar.tsv` (role labels and table column heads):
//! - **labels**: a role label is any run of role morphemes ending with a unit noun
//!   (`牵头单位`, `牵头责任单位`, `协同责任单位`, `主办单位`, `配合部门`, `责任处室`) or a
//!   person noun (`牵头负责领导`, `责任领导`: people, no facts). A label followed by `:` (or
//!   by an organisation list) starts a clause wherever it stands: on its own line, inline in
//!   running text, or inside a bracket; its list runs to the next label or the end of the
//!   clause;
//! - **brackets** after (or inside) a task, any of `()` `（）` `[]` `【】` `〔〕`, also one left
//!   open at the end of a cut document: `(市发改委牵头,市工信局、市人社局等按职责分工负责)`;
//! - **tables** flattened into text ([`crate::structure::Table`]): the header names the
//!   columns, each responsibility column is read as a label;
//! - **prose**: `由市人社局牵头,联合总工会、工商联等部门共同推进`, `县国土资源局牵头,县发改局、
//!   县住建局等部门密切配合`, `由X承办,Y协办`, `A、B等部门要分工协作`; a bare unit heads a prose
//!   list when the text nearby names it after a level prefix (`消防救援大队要牵头统筹` after
//!   `县消防救援大队汇报了…`); `甲市与乙市…协作` joins two parties and names no unit.
//!
//! Within one statement a clause without a trigger takes the role of the next clause that has
//! one. With no lead named, every listed organisation is co-responsible (`X负责` names no
//! lead), unless the document declares that the first-listed unit leads (`排在首位的为牵头
//! 单位`, `列第一位者为牵头单位`): then the first of each list leads. `承办` names the lead only
//! when opposed to `协办`/`配合`. A leading *person* gives no fact.

use super::Context;
use crate::facts::{Fact, Relation};
use crate::lexicon::{find_word, has_word, Lexicon, PerLexicon, Position, Role, WordIndex};
use crate::structure::ColumnKind;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use std::ops::Range;
use std::sync::{Arc, LazyLock};

/// Openers and closers of responsibility brackets.
const OPEN: &[char] = &['(', '[', '【', '〔', '（', '［'];
const CLOSE: &[char] = &[')', ']', '】', '〕', '）', '］'];

// ---------------------------------------------------------------------------------------------
// The label grammar.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Morph {
    Lead,
    Weak,
    Co,
    Fill,
}

/// What a role label names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelRole {
    /// `牵头单位`, `主办单位`, `牵头责任单位`
    Lead,
    /// `承办单位`: the lead only when another clause co-operates.
    Weak,
    /// `责任单位`, `配合单位`, `协同责任单位`, `成员单位`
    Co,
    /// `牵头领导`, `责任领导`: people.
    Person,
}

/// The role-label and column-head vocabulary of `resp_grammar.tsv`, compiled.
pub struct Grammar {
    morphs: Vec<(String, Morph)>,
    nouns: Vec<(String, bool)>,
    /// `morphs` and `nouns` by first / last character.
    morph_ix: WordIndex,
    noun_ix: WordIndex,
    seq: Vec<String>,
    task: Vec<String>,
    time: Vec<String>,
    other: Vec<String>,
    /// Responsibility trigger phrases by position (longest first).
    after: Vec<(String, Role)>,
    /// The `after` phrases a short verb of manner may follow (`牵头实施`): those of 牵头 and
    /// 分工, and bare 负责 / 配合.
    after_manner: Vec<(String, Role)>,
    /// `after` and `after_manner` indexed by last character (clause ends are tested often).
    after_ix: WordIndex,
    after_manner_ix: WordIndex,
    before: Vec<(String, Role)>,
    person_labels: Vec<String>,
    first_listed: Vec<String>,
    /// Words of a web page's footer (`版权所有`, `ICP`).
    footer: Vec<String>,
    /// Generic nouns that end a collective (`有关单位`, `相关部门`), longest first.
    generic_tails: Vec<String>,
    /// Words after a mention that are no part of it (`按职责分工负责`, `分别`), longest first.
    trailing: Vec<String>,
    /// Marks after a mention that make it the lead (`(牵头)`, `【牵头】`).
    lead_marks: Vec<String>,
    /// Endings of organisation names (`org_types.tsv`).
    org_suffixes: Vec<String>,
    /// Words opening a report of progress (`完成`, `已`), never an organisation.
    status: Vec<String>,
    /// Words that end a list of people (`负责同志`, `负责人`): a trigger after them (`参加`)
    /// states attendance, not responsibility.
    attendees: Vec<String>,
    /// Words stating a decision (`明确由`): a report before one assigns nothing, what follows does.
    decisions: Vec<String>,
    /// Conjunctions that may join two whole organisations (`以及`, `和`), longest first.
    conjunctions: Vec<String>,
    /// One automaton over the nouns (leftmost-longest), and one over every trigger phrase and
    /// noun (prefilters: most lines hold none).
    nouns_ac: AhoCorasick,
    any_ac: AhoCorasick,
    /// Every phrase of `responsibility.tsv`, whatever its position.
    triggers_ac: AhoCorasick,
    /// The declared conventions, `牵头` and `主责` (where a declaration may be).
    convention_ac: AhoCorasick,
}

impl Grammar {
    fn new(lx: &Lexicon) -> Grammar {
        let mut g = Grammar {
            morphs: Vec::new(),
            nouns: Vec::new(),
            morph_ix: WordIndex::default(),
            noun_ix: WordIndex::default(),
            seq: Vec::new(),
            task: Vec::new(),
            time: Vec::new(),
            other: Vec::new(),
            after: Vec::new(),
            after_manner: Vec::new(),
            after_ix: WordIndex::default(),
            after_manner_ix: WordIndex::default(),
            before: Vec::new(),
            person_labels: lx.leading_person.clone(),
            first_listed: lx.first_listed_leads.clone(),
            footer: Vec::new(),
            generic_tails: Vec::new(),
            trailing: Vec::new(),
            lead_marks: Vec::new(),
            org_suffixes: lx.org_suffixes.iter().map(|(x, _)| x.clone()).collect(),
            status: Vec::new(),
            attendees: Vec::new(),
            decisions: Vec::new(),
            conjunctions: Vec::new(),
            nouns_ac: AhoCorasick::new(["单位"]).expect("valid"),
            any_ac: AhoCorasick::new(["单位"]).expect("valid"),
            triggers_ac: AhoCorasick::new(["单位"]).expect("valid"),
            convention_ac: AhoCorasick::new(["单位"]).expect("valid"),
        };
        for row in lx.table(crate::lexicon::Table::RespGrammar) {
            let (Some(w), Some(k)) = (row.first(), row.get(1)) else {
                continue;
            };
            for k in k.split(',') {
                let w = w.clone();
                match k.trim() {
                    "lead" => g.morphs.push((w, Morph::Lead)),
                    "weak" => g.morphs.push((w, Morph::Weak)),
                    "co" => g.morphs.push((w, Morph::Co)),
                    "fill" => g.morphs.push((w, Morph::Fill)),
                    "unit" => g.nouns.push((w, false)),
                    "person" => g.nouns.push((w, true)),
                    "seq" => g.seq.push(w),
                    "task" => g.task.push(w),
                    "time" => g.time.push(w),
                    "other" => g.other.push(w),
                    "footer" => g.footer.push(w),
                    "generic_tail" => g.generic_tails.push(w),
                    "trailing" => g.trailing.push(w),
                    "lead_mark" => g.lead_marks.push(w),
                    "status" => g.status.push(w),
                    "attendee" => g.attendees.push(w),
                    "decision" => g.decisions.push(w),
                    "conjunction" => g.conjunctions.push(w),
                    _ => {}
                }
            }
        }
        let by_len = |a: &String, b: &String| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b));
        g.generic_tails.sort_by(by_len);
        g.trailing.sort_by(by_len);
        g.lead_marks.sort_by(by_len);
        // Stable: conjunctions of one length keep their file order.
        g.conjunctions.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        g.morphs.sort_by(|a, b| by_len(&a.0, &b.0));
        g.nouns.sort_by(|a, b| by_len(&a.0, &b.0));
        g.morph_ix = WordIndex::new(g.morphs.iter().map(|(m, _)| m));
        g.noun_ix = WordIndex::new(g.nouns.iter().map(|(n, _)| n));
        for t in &lx.triggers {
            match t.position {
                Position::After => g.after.push((t.phrase.clone(), t.role)),
                Position::Before => g.before.push((t.phrase.clone(), t.role)),
                Position::Label => {}
            }
        }
        g.after_manner = (g.after.iter())
            .filter(|(p, _)| p.contains("牵头") || p.contains("分工") || p == "负责" || p == "配合")
            .cloned()
            .collect();
        g.after_ix = WordIndex::new(g.after.iter().map(|(p, _)| p));
        g.after_manner_ix = WordIndex::new(g.after_manner.iter().map(|(p, _)| p));
        let build = |pats: Vec<&str>| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(pats)
                .expect("valid patterns")
        };
        g.nouns_ac = build(g.nouns.iter().map(|(n, _)| n.as_str()).collect());
        let mut all: Vec<&str> = g.nouns.iter().map(|(n, _)| n.as_str()).collect();
        all.extend(g.after.iter().map(|(p, _)| p.as_str()));
        all.extend(g.before.iter().map(|(p, _)| p.as_str()));
        g.any_ac = build(all);
        g.triggers_ac = build(lx.triggers.iter().map(|t| t.phrase.as_str()).collect());
        let mut conv: Vec<&str> = g.first_listed.iter().map(String::as_str).collect();
        conv.extend(["牵头", "主责"]);
        g.convention_ac = build(conv);
        g
    }

    /// The grammar of a lexicon (built once per lexicon).
    pub fn of(lx: &Lexicon) -> Arc<Grammar> {
        static GRAMMARS: PerLexicon<Grammar> = PerLexicon::new();
        GRAMMARS.get(lx, Grammar::new)
    }

    /// The morphemes `s` is made of, if it is made only of morphemes.
    fn decompose(&self, s: &str, out: &mut Vec<Morph>) -> bool {
        if s.is_empty() {
            return true;
        }
        for i in self.morph_ix.prefix_ids(s) {
            let (m, k) = &self.morphs[i];
            if let Some(rest) = s.strip_prefix(m.as_str()) {
                out.push(*k);
                if self.decompose(rest, out) {
                    return true;
                }
                out.pop();
            }
        }
        false
    }

    /// The role a label names (`牵头责任单位` → Lead), if `s` is exactly a label.
    pub fn label(&self, s: &str) -> Option<LabelRole> {
        if s.chars().count() > 10 {
            return None;
        }
        if self.person_labels.iter().any(|p| p == s) {
            return Some(LabelRole::Person);
        }
        for i in self.noun_ix.suffix_ids(s) {
            let (noun, person) = &self.nouns[i];
            let Some(prefix) = s.strip_suffix(noun.as_str()) else {
                continue;
            };
            if prefix.is_empty() {
                continue;
            }
            let mut ms = Vec::new();
            if !self.decompose(prefix, &mut ms) {
                continue;
            }
            if *person {
                return Some(LabelRole::Person);
            }
            if ms.contains(&Morph::Lead) {
                return Some(LabelRole::Lead);
            }
            if ms.contains(&Morph::Weak) {
                return Some(LabelRole::Weak);
            }
            if ms.contains(&Morph::Co) {
                return Some(LabelRole::Co);
            }
        }
        None
    }

    /// Kind of a table column from its head (`序号`, `重点任务`, `牵头单位`, `完成时限`).
    pub fn column(&self, cell: &str) -> Option<ColumnKind> {
        let mut c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
        // `责任单位(排第一位的为牵头单位)`: the head is before the note.
        if let Some(p) = c.find(['(', '（']) {
            if p > 0 && c.ends_with([')', '）']) {
                c.truncate(p);
            }
        }
        // `2024年建设内容`: a year before the head belongs to it.
        let digits = c.len() - c.trim_start_matches(|ch: char| ch.is_ascii_digit()).len();
        if (2..=4).contains(&digits) && c[digits..].starts_with('年') {
            c.drain(..digits + '年'.len_utf8());
        }
        let n = c.chars().count();
        if n == 0
            || n > 10
            || c.chars()
                .any(|ch| !crate::normalize::is_han(ch) && ch != '/' && ch != '、')
        {
            return None;
        }
        if self.label(&c).is_some() {
            return Some(ColumnKind::Role);
        }
        if self.seq.iter().any(|w| *w == c) {
            return Some(ColumnKind::Seq);
        }
        let ends = |ws: &[String]| n <= 8 && ws.iter().any(|w| c.ends_with(w.as_str()));
        if ends(&self.time) {
            return Some(ColumnKind::Time);
        }
        if ends(&self.task) {
            return Some(ColumnKind::Task);
        }
        if ends(&self.other) {
            return Some(ColumnKind::Other);
        }
        None
    }

    pub(crate) fn has_noun(&self, s: &str) -> bool {
        self.nouns_ac.is_match(s)
    }

    /// True when a text holds a trigger phrase or a label noun.
    fn has_any(&self, s: &str) -> bool {
        self.any_ac.is_match(s)
    }
}

/// True when a table cell reads as a list of organisations (`市生态环境局`, `各县(市)区政府、
/// 开发区管委会`): every member ends like an organisation or is a collective, and the cell is
/// no sentence.
pub fn is_org_list_cell(g: &Grammar, lx: &Lexicon, cell: &str) -> bool {
    let cell = cell.trim().trim_end_matches(['。', ';', '；']);
    if cell.is_empty() || cell.chars().count() > 80 || cell.contains(['。', ':', '：']) {
        return false;
    }
    split_top(cell, &['、', ',', '，', '/'])
        .into_iter()
        .map(|m| strip_etc(g, m.trim()))
        .all(|m| m.chars().count() >= 2 && (lx.org_type_by_suffix(m).is_some() || lx.is_collective(m)))
}

/// A document's declaration that the first-listed unit leads: `排在首位的为牵头单位`,
/// `列第一位者为牵头单位`, `第一个单位为牵头单位`, `排名第一的部门为牵头部门`, `(下同)`.
static FIRST_LISTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?:排|列|位列|排名|排序|列在|排在|名列)(?:在|于)?)?(?:首位|第一位|第一个|第一|首个|最前面?)(?:(?:的|者)(?:单位|部门|责任单位)?(?:为|是|系|作为|负责)?|(?:单位|部门|责任单位)?(?:为|是|系|作为|负责))(?:工作|任务)?(?:牵头|主责|主办)(?:责任)?(?:单位|部门)?",
    )
    .expect("valid regex")
});

/// The same declaration the other way round: `牵头单位列首位`, `牵头部门排在第一位`.
static FIRST_LISTED_REV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:牵头|主责|主办)(?:责任)?(?:单位|部门)(?:均)?(?:列|排|位列|排名|放|写)(?:在|于)?(?:首位|第一位|第一个|第一|最前面?)")
        .expect("valid regex")
});

/// True when the text declares that the first-listed unit of each list leads.
pub fn declares_first_listed(g: &Grammar, text: &str) -> bool {
    for m in g.convention_ac.find_iter(text) {
        if m.pattern().as_usize() < g.first_listed.len() {
            return true;
        }
        let at = m.start();
        // Only near a word of rank (`首位`, `第一`).
        let lo = floor(text, at.saturating_sub(36));
        let hi2 = floor(text, (at + 40).min(text.len()));
        let near = &text[lo..hi2];
        if !(near.contains('首') || near.contains("第一") || near.contains("最前")) {
            continue;
        }
        let hi = floor(text, (at + 12).min(text.len()));
        if FIRST_LISTED.is_match(&text[lo..hi]) || FIRST_LISTED_REV.is_match(&text[at..hi2]) {
            return true;
        }
    }
    false
}

fn floor(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// ---------------------------------------------------------------------------------------------
// Brackets and labels.

/// Top-level bracket groups of a text: (byte range including brackets, inner range). A group
/// still open at the end of the text (a cut document) runs to the end.
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
    if depth > 0 {
        let inner = start + text[start..].chars().next().map(char::len_utf8).unwrap_or(1);
        out.push((start..text.len(), inner..text.len()));
    }
    out
}

/// The last bracket group if it ends the text (ignoring trailing punctuation) and holds a
/// responsibility trigger or label.
pub fn trailing_bracket(g: &Grammar, text: &str) -> Option<Range<usize>> {
    let trimmed = text.trim_end_matches(['。', ';', ' ', '\n']);
    let (whole, inner) = bracket_groups(trimmed).into_iter().last()?;
    if whole.end != trimmed.len() {
        return None;
    }
    let inner_text = &trimmed[inner];
    (g.triggers_ac.is_match(inner_text) || !find_labels(g, inner_text).is_empty()).then_some(whole)
}

/// Where a task's own text gives way to its responsibility labels (`…全覆盖。牵头单位:…`).
pub fn labels_start(g: &Grammar, text: &str) -> Option<usize> {
    let labels = find_labels(g, text);
    labels
        .iter()
        .find(|l| l.colon && l.start > 0 && !l.boxed)
        .map(|l| l.start)
        .or_else(|| {
            let l = labels.iter().find(|l| l.boxed)?;
            Some(l.start - text[..l.start].chars().next_back().map(char::len_utf8).unwrap_or(0))
        })
}

/// True for a `牵头单位:…` style line (or a leading-person line).
pub fn is_label_line(g: &Grammar, line: &str) -> bool {
    let line = line.trim();
    // A label is at most ten characters and ends with its noun: none in the first ten, no label.
    let head = line.char_indices().nth(10).map_or(line, |(i, _)| &line[..i]);
    if !g.has_noun(head) {
        return false;
    }
    find_labels(g, line)
        .first()
        .is_some_and(|l| l.start == 0 && (l.colon || l.end == line.len()))
}

/// A role label found in a text.
#[derive(Clone, Debug)]
struct LabelHit {
    /// Byte range of the label.
    start: usize,
    end: usize,
    role: LabelRole,
    /// Where its list starts (after `:` / spaces / `为`).
    value: usize,
    /// True when a `:` follows (else the list must follow directly).
    colon: bool,
    /// True for a label alone in a bracket (`【牵头单位】市发改委`): its list follows the bracket.
    boxed: bool,
}

/// Characters after which a label may start.
fn label_boundary(c: char) -> bool {
    matches!(
        c,
        '\n' | '('
            | '['
            | '【'
            | '〔'
            | '（'
            | ','
            | ';'
            | '。'
            | ':'
            | '、'
            | ' '
            | '|'
            | ')'
            | ']'
            | '】'
            | '〕'
            | '）'
            | '\t'
            | '，'
            | '；'
            | '：'
    )
}

/// Role labels in a text, in order.
fn find_labels(g: &Grammar, text: &str) -> Vec<LabelHit> {
    let mut out: Vec<LabelHit> = Vec::new();
    if !g.has_noun(text) && !text.contains([':', '：']) {
        return out;
    }
    for m in g.nouns_ac.find_iter(text) {
        let i = m.start();
        if out.last().is_some_and(|l| i < l.end) {
            continue;
        }
        let end = m.end();
        // `牵头部门(单位):`, `责任单位(责任人):`: a note on the noun before the colon.
        let mut after_note = end;
        if let Some((w, inner)) = bracket_groups(&text[end..]).first() {
            if w.start == 0 && g.has_noun(&text[end..][inner.clone()]) && inner.len() <= 12 {
                after_note = end + w.end;
            }
        }
        let after = &text[after_note..];
        let colon = after.trim_start_matches(' ').starts_with([':', '：']);
        let end_value = if colon { after_note } else { end };
        // The longest label ending here that starts at a boundary (or anywhere when a `:`
        // follows: `…市发改委责任单位:` glued by the normaliser).
        let mut best: Option<(usize, LabelRole)> = None;
        let mut starts: Vec<usize> = text[..i].char_indices().rev().take(8).map(|(p, _)| p).collect();
        starts.reverse();
        for p in starts {
            if out.last().is_some_and(|l| p < l.end) {
                continue;
            }
            let at_boundary = p == 0 || text[..p].chars().last().is_some_and(label_boundary);
            // `(牵头单位市发改委配合单位市财政局)`: a label right after a list's last mention
            // (the spaces between them dropped by the normaliser).
            let after_org = || {
                let next = text[end..].chars().next();
                next.is_some_and(|c| crate::normalize::is_han(c) && !"等和及与".contains(c))
                    && g.org_suffixes.iter().any(|x| text[..p].ends_with(x.as_str()))
            };
            if let Some(role) = g.label(&text[p..end]) {
                if at_boundary || colon || after_org() {
                    best = Some((p, role));
                    break;
                }
            }
        }
        let Some((start, role)) = best else {
            continue;
        };
        let mut value = end_value;
        let opened = text[..start].chars().next_back().is_some_and(|c| OPEN.contains(&c));
        let closer = text[end..].chars().next().filter(|c| CLOSE.contains(c));
        let boxed = opened && closer.is_some();
        if let Some(c) = closer.filter(|_| boxed) {
            value += c.len_utf8();
        }
        let v = &text[value..];
        let skip = v.len() - v.trim_start_matches([' ', ':', '：']).len();
        value += skip;
        // `牵头单位: | 市城管局 |`: a form row, the value in the cell after the label's.
        if colon && text[value..].starts_with('|') {
            let v = &text[value + 1..];
            value += 1 + v.len() - v.trim_start_matches(' ').len();
        }
        if !colon && !boxed {
            for w in ["为", "是"] {
                if text[value..].starts_with(w) {
                    value += w.len();
                }
            }
        }
        out.push(LabelHit {
            start,
            end,
            role,
            value,
            colon: colon || boxed,
            boxed,
        });
    }
    // Bare role words before a colon: `牵头:市发改委;配合:市财政局`.
    let mut bare: Vec<LabelHit> = Vec::new();
    for (c, ch) in text.match_indices([':', '：']) {
        if out.iter().any(|l| l.end <= c && text[l.end..c].trim().is_empty()) {
            continue;
        }
        let starts: Vec<usize> = text[..c].char_indices().rev().take(6).map(|(p, _)| p).collect();
        for &p in starts.iter().rev() {
            let at_boundary = p == 0 || text[..p].chars().last().is_some_and(label_boundary);
            // `牵头:省工信厅 参与:省科技厅` with the space dropped by the normaliser: a bare
            // label right after a mention's organisation ending.
            let after_org = || g.org_suffixes.iter().any(|x| text[..p].ends_with(x.as_str()));
            if !(at_boundary || after_org()) {
                continue;
            }
            let mut ms = Vec::new();
            if !g.decompose(&text[p..c], &mut ms) {
                continue;
            }
            let role = if ms.contains(&Morph::Lead) {
                LabelRole::Lead
            } else if ms.contains(&Morph::Weak) {
                LabelRole::Weak
            } else if ms.contains(&Morph::Co) {
                LabelRole::Co
            } else {
                continue;
            };
            let v = &text[c + ch.len()..];
            let value = c + ch.len() + (v.len() - v.trim_start_matches(' ').len());
            bare.push(LabelHit {
                start: p,
                end: c,
                role,
                value,
                colon: true,
                boxed: false,
            });
            break;
        }
    }
    if !bare.is_empty() {
        out.extend(bare);
        out.sort_by_key(|l| l.start);
    }
    out
}

/// Drops labels without a colon that are not followed by a list (`…成员单位按职责分工负责`:
/// a noun, not a label).
fn listed_labels(cx: &Context, text: &str, labels: Vec<LabelHit>) -> Vec<LabelHit> {
    let mut keep: Vec<LabelHit> = Vec::with_capacity(labels.len());
    for (n, l) in labels.iter().enumerate() {
        if l.colon || l.role == LabelRole::Person {
            keep.push(l.clone());
            continue;
        }
        let limit = labels.get(n + 1).map(|x| x.start).unwrap_or(text.len());
        let v = &text[l.value.min(limit)..limit];
        let stop = v.find(['。', ';', '\n', '；']).unwrap_or(v.len());
        let v = v[..stop]
            .trim()
            .trim_end_matches(CLOSE)
            .trim_end_matches([',', '，', ' ']);
        if parse_list(cx, v, false).is_some_and(|o| o.consumed >= v.len()) {
            keep.push(l.clone());
        }
    }
    keep
}

/// One parsed clause: a role (None = not stated) and its organisation mentions.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub role: Option<ClauseRole>,
    pub orgs: Vec<String>,
}

/// The role a clause states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClauseRole {
    Lead,
    /// `承办`: the lead when another clause of the statement co-operates.
    Weak,
    Co,
}

impl From<Role> for ClauseRole {
    fn from(r: Role) -> ClauseRole {
        match r {
            Role::Leads => ClauseRole::Lead,
            Role::Co => ClauseRole::Co,
        }
    }
}

/// A run of label clauses: each label's list runs to the next label, or (outside brackets)
/// to the end of its sentence or line; an empty list at a line end is on the next line.
/// Returns the clauses and the byte end of the last list read.
fn label_clauses(cx: &Context, g: &Grammar, text: &str, labels: &[LabelHit], in_bracket: bool) -> (Vec<Clause>, usize) {
    let mut clauses = Vec::new();
    let mut last_end = 0;
    for (n, l) in labels.iter().enumerate() {
        let limit = labels.get(n + 1).map(|x| x.start).unwrap_or(text.len());
        let mut vstart = l.value.min(limit);
        let mut vend = limit;
        let mut tail: Option<Range<usize>> = None;
        if in_bracket {
            // `(责任单位:市发改委;完成时限:2024年底)`: the list ends at `;` (or the sentence's end);
            // what follows up to the next label may hold trigger clauses.
            if let Some(p) = text[vstart..vend].find([';', '；', '。']) {
                tail = Some(vstart + p..vend);
                vend = vstart + p;
            }
        } else {
            let stop = text[vstart..vend]
                .find(['。', ';', '\n'])
                .map(|p| vstart + p)
                .unwrap_or(vend);
            if text[vstart..stop].trim().is_empty() && l.colon && text[stop..].starts_with('\n') {
                // `牵头单位:` with its list on the next line.
                let next = text[stop..vend]
                    .char_indices()
                    .find(|(_, c)| !c.is_whitespace())
                    .map(|(p, _)| stop + p)
                    .unwrap_or(vend);
                vstart = next;
                vend = text[next..vend]
                    .find(['。', ';', '\n'])
                    .map(|p| next + p)
                    .unwrap_or(vend);
            } else {
                vend = stop;
            }
        }
        // A list the page's line wrap broke (`园区党工` / `委、各街道党工委`, or a line ending
        // with `、`) runs on over the next line.
        let mut wrapped = false;
        while !in_bracket && l.role != LabelRole::Person && text[vend..limit].starts_with('\n') {
            let from = vend + 1;
            let end = text[from..limit].find(['。', ';', '\n']).map_or(limit, |p| from + p);
            let cur = text[vstart..vend].trim_end();
            let next = text[from..end].trim();
            let tail = cur.rsplit(['、', ',', '，']).next().unwrap_or("").trim();
            let head = next.split(['、', ',', '，']).next().unwrap_or("").trim();
            let broken = !head.is_empty()
                && if tail.is_empty() {
                    cur.ends_with(['、', ',', '，']) && is_org(cx, head)
                } else {
                    head.chars().count() <= 4 && !is_org(cx, tail) && is_org(cx, &format!("{tail}{head}"))
                };
            if !broken {
                break;
            }
            vend = end;
            wrapped = true;
        }
        if l.role == LabelRole::Person {
            last_end = last_end.max(vend);
            continue;
        }
        let joined: String;
        let value = if wrapped {
            joined = text[vstart..vend].replace('\n', "");
            joined.as_str()
        } else {
            &text[vstart..vend]
        };
        // `责任单位:市公安局 项目责任人:王某`: fields joined by spaces on one line; the list
        // ends before a spaced field of its own (`项目责任人:`, `实际完成情况:`).
        let value = &value[..spaced_field(g, value)];
        let value = value
            .trim()
            .trim_end_matches(OPEN)
            .trim_end_matches([';', ',', '。', '，', '；', ' ', '|']);
        // `责任单位:市人社局、市农业农村局分别牵头`: a lead stated in the value outranks the label.
        if l.colon {
            if let Some(mut more) =
                trigger_clauses(cx, g, value).filter(|c| c.iter().any(|x| x.role == Some(ClauseRole::Lead)))
            {
                last_end = last_end.max(vend);
                clauses.append(&mut more);
                continue;
            }
        }
        let Some(orgs) = parse_list(cx, value, false) else {
            // `责任单位:市消防救援支队牵头,市住建局配合`: the label's value states the roles.
            if l.colon {
                if let Some(mut more) = trigger_clauses(cx, g, value) {
                    last_end = last_end.max(vend);
                    clauses.append(&mut more);
                }
            }
            continue;
        };
        if !l.colon && orgs.consumed < value.len() {
            // Without `:` the label must be followed by the list and nothing else.
            continue;
        }
        last_end = last_end.max(if wrapped { vend } else { vstart + orgs.consumed });
        let role = match l.role {
            LabelRole::Lead => ClauseRole::Lead,
            LabelRole::Weak => ClauseRole::Weak,
            _ => ClauseRole::Co,
        };
        let rest = value[orgs.consumed..].trim_start_matches([',', '，', ' ']);
        clauses.extend(orgs.into_clauses(Some(role)));
        // `(责任单位:市发改委,市财政局配合)`: trigger clauses after the list.
        if in_bracket {
            for r in [rest, tail.as_ref().map(|t| &text[t.clone()]).unwrap_or("")] {
                let r = r.trim_start_matches([';', '；', ',', ' ']);
                if r.is_empty() {
                    continue;
                }
                if let Some(mut more) = trigger_clauses(cx, g, r) {
                    clauses.append(&mut more);
                }
            }
        }
    }
    (clauses, last_end)
}

/// The byte length of a label's value before a field of another kind on the same line: a
/// short run of Han characters ending with a colon, after whitespace or (the normaliser drops
/// spaces between Han characters) right after an organisation's ending (`市公安局 项目责任人:王某`,
/// `市公安局项目责任人:王某` -> `市公安局`). Gated on a colon in the value: no cost on lists.
fn spaced_field(g: &Grammar, value: &str) -> usize {
    let Some(c) = value.find([':', '：']) else {
        return value.len();
    };
    let head = &value[..c];
    // The field name: the Han run just before the colon.
    let name_start = head
        .char_indices()
        .rev()
        .take_while(|(_, ch)| crate::normalize::is_han(*ch))
        .last()
        .map_or(c, |(p, _)| p);
    let before = &head[..name_start];
    if before.ends_with([' ', '\t', '\u{3000}']) {
        let n = head[name_start..].chars().count();
        if (2..=8).contains(&n) {
            return before.trim_end_matches([' ', '\t', '\u{3000}']).len();
        }
    }
    // Glued: split the Han run after an organisation's ending, leaving a short field name.
    let run = &head[name_start..];
    // The shortest field name wins: the longest organisation before it.
    for (p, _) in run.char_indices().skip(2).collect::<Vec<_>>().into_iter().rev() {
        let n = run[p..].chars().count();
        if !(2..=8).contains(&n) {
            continue;
        }
        if g.org_suffixes.iter().any(|x| run[..p].ends_with(x.as_str())) {
            return name_start + p;
        }
    }
    value.len()
}

/// Parses the inside of a responsibility bracket into clauses. Returns `None` when it is not a
/// responsibility statement (no trigger or label with a list of organisations).
pub fn parse_clauses(cx: &Context, content: &str) -> Option<Vec<Clause>> {
    let g = Grammar::of(cx.gz.lexicon());
    if !g.has_any(content) && !content.contains([':', '：']) {
        return None;
    }
    let content = strip_conventions(content);
    let mut content: &str = &content;
    // `。以下各项工作均需各区、市政府负责落实,不再一一列出`: a note on the tasks that follow.
    if let Some(p) = ["。以下", ";以下", "；以下"]
        .iter()
        .filter_map(|w| content.find(w))
        .min()
    {
        content = &content[..p];
    }
    let labels = listed_labels(cx, content, find_labels(&g, content));
    let mut clauses: Vec<Clause> = Vec::new();
    let head_end = labels.first().map(|l| l.start).unwrap_or(content.len());
    let mut any = false;
    if head_end > 0 {
        if let Some(mut c) = trigger_clauses(cx, &g, &content[..head_end]) {
            any = true;
            clauses.append(&mut c);
        }
    }
    if !labels.is_empty() {
        let (mut c, _) = label_clauses(cx, &g, content, &labels, true);
        any |= !c.is_empty();
        clauses.append(&mut c);
    }
    (any && clauses.iter().any(|c| !c.orgs.is_empty())).then_some(clauses)
}

/// A bracket's list without a declaration stated in it (`(市商务局、市财政局,列第一位者为牵头
/// 单位,下同)`) and without the separators left around it.
fn bare_list(content: &str) -> std::borrow::Cow<'_, str> {
    match strip_conventions(content) {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.trim()),
        std::borrow::Cow::Owned(s) => {
            std::borrow::Cow::Owned(s.trim_matches([',', '，', ';', '；', ' ', '。']).to_string())
        }
    }
}

/// Drops declarations of the first-listed convention and `下同` from a bracket's text.
fn strip_conventions(content: &str) -> std::borrow::Cow<'_, str> {
    let rank = content.contains('首') || content.contains("第一") || content.contains("最前");
    if !rank && !content.contains("下同") {
        return std::borrow::Cow::Borrowed(content);
    }
    let mut s = FIRST_LISTED.replace_all(content, "").into_owned();
    s = FIRST_LISTED_REV.replace_all(&s, "").into_owned();
    for w in ["以下同", "下同"] {
        s = s.replace(w, "");
    }
    std::borrow::Cow::Owned(s)
}

/// Clauses of a text with trigger phrases (`X牵头,Y配合`, `由X负责`, `X、Y按职责分工负责`),
/// split on `,` and `;`. A clause without a trigger that lists organisations takes the role of
/// the next one; one that does not (a deadline, a note) is skipped. `None` when no clause has
/// a trigger and a list.
fn trigger_clauses(cx: &Context, g: &Grammar, content: &str) -> Option<Vec<Clause>> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut any_trigger = false;
    for raw in split_top(content, &[',', ';', '，', '；']) {
        let mut c = raw.trim().trim_end_matches(['。', '.']).trim();
        if c.is_empty() {
            continue;
        }
        for p in ["并由", "均由", "由"] {
            if let Some(rest) = c.strip_prefix(p) {
                c = rest;
                break;
            }
        }
        // Before form `联合X`, `会同X`.
        if let Some((phrase, role)) = g.before.iter().find(|(p, _)| c.starts_with(p.as_str())) {
            let mut list = &c[phrase.len()..];
            if let Some((p2, _)) = g.after_ix.suffix_ids(list).next().map(|i| &g.after[i]) {
                list = &list[..list.len() - p2.len()];
            }
            if let Some(orgs) = parse_list(cx, strip_adverbs(list), false).filter(|o| o.whole) {
                any_trigger = true;
                clauses.extend(orgs.into_clauses(Some((*role).into())));
            }
            continue;
        }
        // After form `X牵头`, `X按职责分工负责`, `X负责牵头`, `X为牵头单位`.
        if let Some((role, list)) = after_trigger(g, c) {
            if let Some(orgs) = parse_list(cx, strip_adverbs(list), false).filter(|o| o.whole) {
                any_trigger = true;
                clauses.extend(orgs.into_clauses(Some(role)));
            }
            continue;
        }
        // No trigger: a plain list, or a note.
        if let Some(orgs) = parse_list(cx, c, false).filter(|o| o.whole) {
            clauses.extend(orgs.into_clauses(None));
        }
    }
    (any_trigger && !clauses.is_empty()).then_some(clauses)
}

/// The role and the list of a clause ending with a trigger phrase (`X牵头`) or with `为` + a
/// label (`X为牵头单位`).
fn after_trigger<'c>(g: &Grammar, c: &'c str) -> Option<(ClauseRole, &'c str)> {
    // A label is at most ten characters ([`Grammar::label`]), so only the clause's end can
    // hold `为` + label: the last `为` is looked for there, without building a searcher.
    for w in ["为", "是", "作为"] {
        if let Some(p) = last_in_tail(c, w, 10) {
            if let Some(role) = g.label(&c[p + w.len()..]) {
                let role = match role {
                    LabelRole::Lead => ClauseRole::Lead,
                    LabelRole::Weak => ClauseRole::Weak,
                    LabelRole::Co => ClauseRole::Co,
                    LabelRole::Person => return None,
                };
                return Some((role, &c[..p]));
            }
        }
    }
    if let Some((phrase, role)) = g.after_ix.suffix_ids(c).next().map(|i| &g.after[i]) {
        let list = &c[..c.len() - phrase.len()];
        // `…街道负责同志参加`: people attend a meeting; no unit is made responsible.
        if g.attendees.iter().any(|w| list.ends_with(w.as_str())) {
            return None;
        }
        let role = if phrase == "承办" {
            ClauseRole::Weak
        } else {
            (*role).into()
        };
        return Some((role, list));
    }
    // The trigger followed by a short verb of manner (`牵头实施`, `按职责分工落实`,
    // `牵头卖力`): at most four Han characters that name no unit or person. A longer tail
    // holds a shorter one, so the first tail that fails ends the search; the trigger ending
    // nearest the clause's end wins, then the longest.
    const UNIT_WORDS: [&str; 4] = ["单位", "部门", "领导", "同志"];
    const UNIT_CHARS: [char; 10] = ['人', '处', '科', '室', '局', '委', '办', '厅', '府', '组'];
    let mut best: Option<(usize, &String, &Role)> = None;
    let mut tail_start = c.len();
    for _ in 0..4 {
        let Some(ch) = c[..tail_start].chars().next_back() else {
            break;
        };
        tail_start -= ch.len_utf8();
        let tail = &c[tail_start..];
        if !crate::normalize::is_han(ch) || UNIT_CHARS.contains(&ch) || UNIT_WORDS.iter().any(|w| tail.starts_with(w)) {
            break;
        }
        let head = &c[..tail_start];
        for (p, r) in g.after_manner_ix.suffix_ids(head).map(|i| &g.after_manner[i]) {
            if head.len() > p.len() && best.is_none_or(|(_, b, _)| p.len() >= b.len()) {
                best = Some((head.len() - p.len(), p, r));
            }
        }
        if best.is_some() {
            break;
        }
    }
    let (at, phrase, role) = best?;
    if phrase == "承办" {
        return None;
    }
    Some(((*role).into(), &c[..at]))
}

/// Byte offset of the last `w` in `c` that is followed by at most `max_after` characters.
fn last_in_tail(c: &str, w: &str, max_after: usize) -> Option<usize> {
    let mut i = c.len();
    for _ in 0..=max_after {
        let start = i.checked_sub(w.len())?;
        if c.is_char_boundary(start) && c[start..].starts_with(w) {
            return Some(start);
        }
        i -= c[..i].chars().next_back()?.len_utf8();
    }
    None
}

/// Words between a list and its trigger that say how (`密切配合`, `积极参与`, `等部门共同负责`,
/// `要分工协作`, `通力协作`).
fn strip_adverbs(list: &str) -> &str {
    const ADVERBS: &[&str] = &[
        "密切", "积极", "共同", "分别", "主动", "全力", "具体", "要", "负责", "协同", "加强", "通力", "紧密", "分工",
    ];
    let mut l = list.trim();
    loop {
        let before = l.len();
        for a in ADVERBS {
            if let Some(s) = l.strip_suffix(a) {
                l = s.trim_end();
            }
        }
        if l.len() == before {
            return l;
        }
    }
}

/// Final roles: untriggered clauses take the next stated role (else the previous, else co);
/// `承办` leads only when another clause co-operates; an organisation named twice keeps its
/// lead role; the first-listed convention applies when no lead is named.
pub fn assign_roles(clauses: &[Clause], first_listed_leads: bool) -> Vec<(Role, String)> {
    let has_co = clauses.iter().any(|c| c.role == Some(ClauseRole::Co));
    let mut roles: Vec<Role> = Vec::new();
    for (i, c) in clauses.iter().enumerate() {
        let r = c
            .role
            .or_else(|| clauses[i + 1..].iter().find_map(|n| n.role))
            .or_else(|| clauses[..i].iter().rev().find_map(|n| n.role))
            .unwrap_or(ClauseRole::Co);
        roles.push(match r {
            ClauseRole::Lead => Role::Leads,
            ClauseRole::Weak if has_co => Role::Leads,
            _ => Role::Co,
        });
    }
    let any_lead = roles.contains(&Role::Leads);
    let mut out: Vec<(Role, String)> = Vec::new();
    for (c, r) in clauses.iter().zip(roles) {
        for o in &c.orgs {
            match out.iter_mut().find(|(_, x)| x == o) {
                Some(prev) => {
                    if r == Role::Leads {
                        prev.0 = Role::Leads;
                    }
                }
                None => out.push((r, o.clone())),
            }
        }
    }
    if first_listed_leads && !any_lead {
        if let Some(first) = out.first_mut() {
            first.0 = Role::Leads;
        }
    }
    // A lead named again in a co-operating list (a table's 责任单位 column) is the lead only.
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

/// An organisation list read from the start of a text.
#[derive(Debug)]
pub struct OrgList {
    pub orgs: Vec<String>,
    /// Mentions marked as the lead inside the list (`市发改委(牵头)、市财政局`).
    pub marked: Vec<String>,
    /// Bytes of the text the list covers (up to the first `,`-separated part that is not
    /// organisations: a deadline, a note).
    pub consumed: usize,
    /// True when the whole text is the list.
    pub whole: bool,
}

impl OrgList {
    /// The clauses of a list stated with a role: the list, and its marked leads.
    fn into_clauses(self, role: Option<ClauseRole>) -> Vec<Clause> {
        let mut v = vec![Clause { role, orgs: self.orgs }];
        if !self.marked.is_empty() {
            v.push(Clause {
                role: Some(ClauseRole::Lead),
                orgs: self.marked,
            });
        }
        v
    }
}

/// Reads an organisation list (`市发改委、市工信局和市人社局等,各县区政府`) from the start of a
/// text: `,`-separated parts of `、`/`/`-separated mentions, each an organisation; the list
/// stops before the first part that is not (`6月底完成`). `strict` asks the first mention to
/// be plainly an organisation (a level or place prefix, or a known department), as prose
/// needs. `None` when the first part is not a list.
pub fn parse_list(cx: &Context, text: &str, strict: bool) -> Option<OrgList> {
    let mut orgs: Vec<String> = Vec::new();
    let mut marked: Vec<String> = Vec::new();
    let mut consumed = 0;
    let mut offset = 0;
    let segments = split_top(text, &[',', '，']);
    let nseg = segments.len();
    let mut whole = true;
    for (si, seg) in segments.into_iter().enumerate() {
        let seg_start = offset;
        offset += seg.len() + if si + 1 < nseg { ','.len_utf8() } else { 0 };
        if seg.trim().is_empty() {
            continue;
        }
        match split_segment(cx, seg) {
            Some((mut v, mut m)) => {
                orgs.append(&mut v);
                marked.append(&mut m);
                consumed = seg_start + seg.len();
            }
            None => {
                whole = false;
                break;
            }
        }
    }
    if orgs.is_empty() {
        return None;
    }
    if strict && !strong_org(cx, &orgs[0]) {
        return None;
    }
    // A bracket segment's first character may be a separator: `consumed` is within `text`.
    let consumed = consumed.min(text.len());
    Some(OrgList {
        orgs,
        marked,
        consumed,
        whole,
    })
}

/// The mentions of one `,`-free segment, or `None` when one is not an organisation.
fn split_segment(cx: &Context, seg: &str) -> Option<(Vec<String>, Vec<String>)> {
    let mut out: Vec<String> = Vec::new();
    let mut marked: Vec<String> = Vec::new();
    let g = &*cx.grammar;
    for piece in split_top(seg, &['、', '/']) {
        let mut p = piece.trim();
        // `市发改委(牵头)`: the mention is the lead.
        let mut lead = false;
        for m in &g.lead_marks {
            if let Some(s) = p.strip_suffix(m.as_str()) {
                p = s.trim_end();
                lead = true;
            }
        }
        for t in &g.trailing {
            if let Some(s) = p.strip_suffix(t.as_str()) {
                p = s.trim_end();
            }
        }
        let p = strip_etc(g, p);
        let p = strip_note(cx, p);
        let p = p
            .trim_start_matches("并由")
            .trim_start_matches("均由")
            .trim_start_matches('由')
            .trim();
        if p.is_empty() {
            continue;
        }
        // `市有关部门、单位`: a bare generic noun belongs to the previous collective.
        if g.generic_tails.iter().any(|t| t == p) {
            let last = out.last_mut()?;
            last.push('、');
            last.push_str(p);
            continue;
        }
        // `各县、市、区政府`: level words after a collective `各…` belong to it.
        if let Some(last) = out.last_mut() {
            if last.starts_with('各') && is_level_tail(p) {
                last.push('、');
                last.push_str(p);
                continue;
            }
        }
        for sub in split_at_gaps(cx, p) {
            for part in split_conjunctions(cx, sub) {
                // `能源局等省有关部门和各市政府`: `等` ends the member before `和`, too.
                let part = match strip_etc(&cx.grammar, &part) {
                    q if q.len() < part.len() && !q.is_empty() => q.to_string(),
                    _ => part,
                };
                if lead {
                    marked.push(part.clone());
                }
                out.push(part);
            }
        }
    }
    // Every member that reads as an organisation is one (resolved or not); a member that
    // does not (a person, a note) gives nothing but does not end the list. A segment with no
    // organisation at all is not part of the list.
    // A one-character member (`市`) is a name cut off (a cut document), not a member.
    let keep: Vec<bool> = out.iter().map(|o| is_org(cx, o)).collect();
    if !keep.iter().any(|k| *k) || out.iter().any(|o| o.chars().count() < 2) {
        return None;
    }
    let marked: Vec<String> = marked.into_iter().filter(|m| is_org(cx, m)).collect();
    let out: Vec<String> = out.into_iter().zip(keep).filter_map(|(o, k)| k.then_some(o)).collect();
    Some((out, marked))
}

/// Marks after a mention naming it the lead of its list.

/// `市发改委 市财政局` (a list the normaliser glued by dropping the spaces between its
/// mentions): the parts between source spaces when every part is an organisation; else the
/// mention whole.
fn split_at_gaps<'p>(cx: &Context, p: &'p str) -> Vec<&'p str> {
    let Some(base) = abs_pos(cx, p) else { return vec![p] };
    let mut parts = Vec::new();
    let mut start = 0;
    let mut prev: Option<(usize, char)> = None;
    for (i, c) in p.char_indices() {
        if let Some((_, pc)) = prev {
            if crate::normalize::is_han(pc) && crate::normalize::is_han(c) && cx.space_before(base + i) {
                parts.push(&p[start..i]);
                start = i;
            }
        }
        prev = Some((i, c));
    }
    if parts.is_empty() {
        return vec![p];
    }
    parts.push(&p[start..]);
    if parts.iter().all(|x| is_org(cx, x)) {
        parts
    } else {
        vec![p]
    }
}

/// Byte offset in the normalised text of a slice of it (`None` for other strings).
fn abs_pos(cx: &Context, s: &str) -> Option<usize> {
    let base = cx.norm.text.as_ptr() as usize;
    let p = s.as_ptr() as usize;
    (p >= base && p + s.len() <= base + cx.norm.text.len()).then(|| p - base)
}

/// `市`, `区政府`, `县(市)`: what follows `各县、` in a collective.
fn is_level_tail(p: &str) -> bool {
    let bare = p
        .trim_end_matches("人民政府")
        .trim_end_matches("政府")
        .trim_end_matches("党委")
        .trim_end_matches("单位")
        .trim_end_matches("部门");
    let n = bare.chars().count();
    (1..=3).contains(&n) && bare.chars().all(|c| "市区县乡镇旗".contains(c))
}

/// `县商务局(县投资促进中心)`, `市发改委(张三)`: a note after a mention (another name, a
/// person) is not part of it. Collectives keep theirs (`各县(市、区)政府(管委会)`).
fn strip_note<'p>(cx: &Context, p: &'p str) -> &'p str {
    if !p.ends_with([')', '）']) {
        return p;
    }
    let Some((w, _)) = bracket_groups(p).into_iter().last() else {
        return p;
    };
    let head = p[..w.start].trim_end();
    if w.end == p.len() && w.start > 0 && !cx.gz.lexicon().is_collective(head) && is_org(cx, head) {
        head
    } else {
        p
    }
}

/// `…等`, `…等单位`, `…等县直有关部门`: the list ends at `等` when what follows is generic.
fn strip_etc<'p>(g: &Grammar, p: &'p str) -> &'p str {
    let p = p.trim();
    if let Some(s) = p.strip_suffix('等') {
        return s.trim_end();
    }
    if let Some(at) = p.rfind('等') {
        let tail = &p[at + '等'.len_utf8()..];
        let generic = tail.chars().count() <= 8
            && (g.generic_tails.iter().any(|t| tail.ends_with(t.as_str())) || tail.ends_with("单位和部门"));
        if generic && at > 0 {
            return p[..at].trim_end();
        }
    }
    p
}

/// True when a mention reads as an organisation (a department, body, park, collective …).
fn is_org(cx: &Context, o: &str) -> bool {
    let n = o.chars().count();
    (2..=40).contains(&n)
        && !cx.grammar.status.iter().any(|w| o.starts_with(w.as_str()))
        && !o.contains(['。', ':', ';', '“', '”', '《', '》'])
        && !o.chars().any(|c| c.is_ascii_digit())
        && org_of(cx, o).is_some()
}

/// The organisation a list member names: a department, body or collective, or a place of the
/// document's jurisdiction named in full (`南浔区、市旅游局配合`), which stands for its
/// government.
fn org_of(cx: &Context, o: &str) -> Option<crate::facts::OrgRef> {
    cx.org_ref(o).or_else(|| place_government(cx, o))
}

/// `南浔区` in a 湖州 document: the government of a division inside the jurisdiction, when the
/// mention is exactly the division's full name.
fn place_government(cx: &Context, o: &str) -> Option<crate::facts::OrgRef> {
    let gz = cx.gz;
    let p = gz
        .find(o)
        .into_iter()
        .find(|p| p.start == 0 && p.end == o.len() && p.full && p.region.is_none() && !p.divisions.is_empty())?;
    let d = crate::resolve::pick_division(gz, &cx.jur, &p.divisions)?;
    if let Some(own) = cx.jur.own() {
        if d == own || !gz.chain(d).contains(&own) {
            return None;
        }
    }
    Some(crate::facts::OrgRef {
        text: o.to_string(),
        name: Some(format!("{}人民政府", gz.qualified_name(d))),
        ty: "Government".to_string(),
        code: None,
        division: Some(gz.division(d).code.clone()),
    })
}

/// True when a mention is plainly an organisation: a level prefix (`县国土资源局`), a place
/// (`福建出入境检验检疫局`), a known department, or a collective ending with a unit noun.
fn strong_org(cx: &Context, o: &str) -> bool {
    let lx = cx.gz.lexicon();
    let n = o.chars().count();
    if n > 20 {
        return false;
    }
    let mut chars = o.chars();
    let first = chars.next().unwrap_or(' ');
    let rest = chars.as_str();
    if lx.is_collective(o) {
        return lx.org_type_by_suffix(o).is_some() || cx.grammar.generic_tails.iter().any(|t| o.ends_with(t.as_str()));
    }
    if lx.dept_aliases.contains_key(rest) || lx.dept_aliases.contains_key(o) {
        return true;
    }
    if "市区县省州镇乡".contains(first) && rest.chars().count() >= 2 && !rest.starts_with('级') {
        return lx.org_type_by_suffix(o).is_some();
    }
    // A place-led mention is one unit unless it joins two parties (`苏州市与铜仁市深化东西部
    // 协作`: a cooperation, no list of units).
    cx.gz.find(o).first().is_some_and(|p| p.start == 0) && lx.org_type_by_suffix(o).is_some() && !o.contains('与')
}

/// A prose list whose head is plainly an organisation ([`strong_org`]), or a bare unit the
/// text around it (a few hundred characters either way) names after a level prefix
/// (`消防救援大队要牵头统筹` after `县消防救援大队汇报了…`): that unit, elliptical. `at` is the
/// list's offset in the document's text; the window keeps the search linear in the document.
fn prose_list(cx: &Context, list: &str, at: usize) -> Option<OrgList> {
    if let Some(l) = parse_list(cx, list, true) {
        return Some(l);
    }
    const WINDOW: usize = 1500;
    let l = parse_list(cx, list, false).filter(|l| l.whole)?;
    let o = l.orgs[0].as_str();
    let t = &cx.norm.text;
    if at > t.len() || cx.gz.lexicon().org_type_by_suffix(o).is_none() {
        return None;
    }
    let mut lo = at.saturating_sub(WINDOW);
    while !t.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = (at + WINDOW).min(t.len());
    while !t.is_char_boundary(hi) {
        hi += 1;
    }
    let w = &t[lo..hi];
    w.match_indices(o)
        .any(|(i, _)| {
            w[..i]
                .chars()
                .next_back()
                .is_some_and(|c| "市区县省州镇乡旗".contains(c))
        })
        .then_some(l)
}

/// Splits `A和B` / `A及B` / `A与B` / `A以及B` only where both sides are whole organisations
/// (`市工业和信息化局` stays one).
fn split_conjunctions(cx: &Context, s: &str) -> Vec<String> {
    for conj in cx.grammar.conjunctions.iter().map(String::as_str) {
        let mut from = 0;
        while let Some(p) = find_word(&s[from..], conj) {
            let at = from + p;
            let (left, right) = (&s[..at], &s[at + conj.len()..]);
            let left_ok = cx.gz.lexicon().org_type_by_suffix(left).is_some()
                || cx.grammar.generic_tails.iter().any(|t| left.ends_with(t.as_str()))
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

// ---------------------------------------------------------------------------------------------
// Statements and their tasks.

/// One responsibility statement: its clauses, the evidence range and the position of the task.
struct Statement {
    clauses: Vec<Clause>,
    ev: Range<usize>,
    anchor: usize,
    /// A task of its own (a line after a line that closed its unit's task), with the number
    /// its garbled marker lost when the siblings' numbers tell it.
    line: Option<(Range<usize>, Option<String>)>,
}

/// Emits responsibility facts for every task of the document.
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    let g = Grammar::of(cx.gz.lexicon());
    let text = cx.norm.text.clone();
    let first_listed = declares_first_listed(&g, &text);
    let mut emitted: rustc_hash::FxHashSet<(usize, String)> = Default::default();

    // 1. Statements of each numbered unit: brackets, labels, table cells.
    let n = cx.doc.units.len();
    let mut per_unit: Vec<Vec<Statement>> = Vec::with_capacity(n);
    for unit in 0..n {
        per_unit.push(unit_statements(cx, &g, unit, first_listed));
    }
    // A statement closing the last of several sub-items, whose siblings and parent state
    // none, is the parent's (`49.… (1)… (2)… (3)…(牵头部门:区经信局)`).
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, u) in cx.doc.units.iter().enumerate() {
        if let Some(p) = u.parent {
            children[p].push(i);
        }
    }
    let mut owner: Vec<usize> = (0..n).collect();
    for p in 0..n {
        let kids = &children[p];
        if kids.len() < 2 || !per_unit[p].is_empty() || cx.doc.units[p].kind != crate::structure::UnitKind::Item {
            continue;
        }
        let last = *kids.last().expect("two");
        let others_silent = kids[..kids.len() - 1]
            .iter()
            .all(|&k| per_unit[k].is_empty() && children[k].is_empty());
        let closes = per_unit[last].len() == 1 && {
            let own = cx.own_range(last);
            let tail = text[per_unit[last][0].ev.end..own.end].trim();
            tail.is_empty()
        };
        if others_silent && closes && children[last].is_empty() {
            owner[last] = p;
        }
    }
    for unit in 0..n {
        let stmts = std::mem::take(&mut per_unit[unit]);
        if stmts.is_empty() {
            let own = cx.own_range(unit);
            prose(cx, &g, out, own, first_listed, &mut emitted);
            continue;
        }
        let anchor = cx.doc.units[owner[unit]].first_line.start;
        for s in stmts {
            let a = if owner[unit] == unit { s.anchor } else { anchor };
            match s.line {
                Some((line, label)) => {
                    let t = cx.sentence_task(line);
                    if label.is_some() {
                        cx.tasks[t].label = label;
                    }
                    emit_task(cx, out, &s.clauses, first_listed, s.ev, t, &mut emitted);
                }
                None => emit(cx, out, &s.clauses, first_listed, s.ev, a, &mut emitted),
            }
        }
    }

    // 1b. Rows of a table without numbers (the page left the number column empty): each row
    // is an unnumbered task, its text the task cell.
    let rows: Vec<(Vec<Clause>, Range<usize>, Range<usize>)> = cx
        .doc
        .tables
        .iter()
        .flat_map(|t| t.rows.iter().map(move |r| (t, r)))
        .filter(|(_, r)| r.unit.is_none() && r.label.is_none())
        .filter_map(|(t, r)| {
            let task_col = t.columns.iter().position(|c| c.1 == ColumnKind::Task)?;
            let cell = r.cells.get(task_col)?.clone()?;
            let (clauses, last) = row_clauses(cx, &g, t, r);
            (!clauses.is_empty()).then(|| (clauses, cell, r.range.start..last))
        })
        .collect();
    for (clauses, cell, ev) in rows {
        let task = cx.sentence_task(cell);
        let ev = cx.bounded_evidence(ev.clone(), ev.start);
        emit_task(cx, out, &clauses, first_listed, ev, task, &mut emitted);
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
        prose(cx, &g, out, r, first_listed, &mut emitted);
    }
}

/// The statements of one unit's own text: bracket groups, label clauses outside brackets
/// (grouped: all of a unit's labels are one statement), and the responsibility cells of a
/// table row.
fn unit_statements(cx: &Context, g: &Grammar, unit: usize, declared: bool) -> Vec<Statement> {
    let text = cx.norm.text.as_str();
    let own = cx.own_range(unit);
    let start_of_unit = cx.doc.units[unit].first_line.start;
    let own_text = &text[own.clone()];
    let mut out = Vec::new();
    let groups = bracket_groups(own_text);
    let trailing = trailing_list_bracket(cx, own_text, &groups, declared);
    let mut closed_line: Option<usize> = None;
    let mut lost_markers: Vec<(usize, bool)> = Vec::new();
    for (k, (whole, inner)) in groups.iter().enumerate() {
        let content = &own_text[inner.clone()];
        let clauses = parse_clauses(cx, content).or_else(|| {
            (trailing == Some(k)).then(|| {
                let orgs = parse_list(cx, bare_list(content).as_ref(), false)
                    .expect("checked")
                    .orgs;
                vec![Clause { role: None, orgs }]
            })
        });
        if let Some(clauses) = clauses {
            // A bracket that closes a line after an earlier line closed by a bracket is the
            // responsibility of that line's own task, whose number the page lost
            // (`(一)…。(牵头单位:A)` / `?。ǘ┩…。(牵头单位:B)`).
            let line_start = own_text[..whole.start].rfind('\n').map_or(0, |i| i + 1);
            let closes_line = |end: usize| own_text[end..].split('\n').next().is_some_and(|r| r.trim().is_empty());
            let line = (closed_line.is_some_and(|e| e <= line_start) && closes_line(whole.end) && line_start > 0)
                .then(|| (own.start + line_start..own.start + whole.end, None));
            if line.is_some() {
                let lost = own_text[line_start..]
                    .chars()
                    .next()
                    .is_some_and(|c| !crate::normalize::is_han(c) && !c.is_alphanumeric() && !OPEN.contains(&c));
                lost_markers.push((out.len(), lost));
            }
            if closes_line(whole.end) {
                closed_line = Some(whole.end);
            }
            let ev = match &line {
                Some((l, _)) => cx.bounded_evidence(l.clone(), own.start + whole.start),
                None => cx.bounded_evidence(start_of_unit..own.start + whole.end, own.start + whole.start),
            };
            out.push(Statement {
                clauses,
                ev,
                anchor: start_of_unit,
                line,
            });
        }
    }
    infer_lost_numbers(cx, unit, &lost_markers, &mut out);
    // Labels outside brackets (not a web page's credits).
    let labels: Vec<LabelHit> = find_labels(g, own_text)
        .into_iter()
        .filter(|l| l.boxed || !groups.iter().any(|(w, _)| w.start <= l.start && l.start < w.end))
        .filter(|l| !near_footer(cx, g, own.start + l.start))
        .collect();
    let labels = listed_labels(cx, own_text, labels);
    if !labels.is_empty() {
        let (clauses, last) = label_clauses(cx, g, own_text, &labels, false);
        if !clauses.is_empty() {
            let end = own.start + last;
            let line_end = crate::structure::line_at(&cx.doc, end.saturating_sub(1)).end.max(end);
            let ev = cx.bounded_evidence(start_of_unit..line_end, own.start + labels[0].start);
            out.push(Statement {
                clauses,
                ev,
                anchor: start_of_unit,
                line: None,
            });
        }
    }
    // Table cells.
    if let Some((t, row)) = cx
        .doc
        .tables
        .iter()
        .find_map(|t| t.rows.iter().find(|r| r.unit == Some(unit)).map(|r| (t, r)))
    {
        let (clauses, last) = row_clauses(cx, g, t, row);
        if !clauses.is_empty() {
            let ev = cx.bounded_evidence(row.range.start..last, row.range.start);
            out.push(Statement {
                clauses,
                ev,
                anchor: start_of_unit,
                line: None,
            });
        }
    }
    out
}

/// The clauses of a table row's responsibility cells, and where the last one ends.
fn row_clauses(
    cx: &Context,
    g: &Grammar,
    t: &crate::structure::Table,
    row: &crate::structure::TableRow,
) -> (Vec<Clause>, usize) {
    let text = cx.norm.text.as_str();
    let mut clauses = Vec::new();
    let mut last = row.range.start;
    let cells = placed_cells(cx, t, row);
    // A lead named again in a co-operating column stays the lead.
    for (c, cell) in t.columns.iter().zip(&cells) {
        let Some(cell) = cell else { continue };
        if c.1 != ColumnKind::Role {
            continue;
        }
        let role = match g.column_label(&c.0) {
            Some(LabelRole::Lead) => ClauseRole::Lead,
            Some(LabelRole::Weak) => ClauseRole::Weak,
            Some(LabelRole::Co) => ClauseRole::Co,
            _ => continue,
        };
        let value = text[cell.clone()].trim().trim_end_matches(['。', ';']);
        // A cell over several lines (one organisation per line) is one list.
        let joined: String;
        let value = if value.contains('\n') {
            joined = value
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("、");
            joined.as_str()
        } else {
            value
        };
        if let Some(orgs) = parse_list(cx, value, false) {
            last = last.max(cell.end);
            clauses.extend(orgs.into_clauses(Some(role)));
        }
    }
    if clauses.is_empty()
        && cells
            .iter()
            .zip(&t.columns)
            .all(|(c, h)| c.is_none() || h.1 != ColumnKind::Role)
    {
        if let Some(mut lead) = merged_lead(cx, g, t, row, &cells) {
            clauses.append(&mut lead);
        }
    }
    (clauses, last)
}

/// How many rows up a merged lead cell is looked for.
const MERGED_REACH: usize = 24;

/// The lead of a row that names no unit in any responsibility column of a table with a lead
/// column (`牵头单位`): the page merged the cell, printing it once in the first row of the run
/// (`1 | 新建ICU床位 | 县卫健局` then `2 | 新改扩建村卫生室 |`), so the row takes the lead of the
/// nearest row above that has one, provided no row between names other units.
fn merged_lead(
    cx: &Context,
    g: &Grammar,
    t: &crate::structure::Table,
    row: &crate::structure::TableRow,
    cells: &[Option<Range<usize>>],
) -> Option<Vec<Clause>> {
    let text = cx.norm.text.as_str();
    let lead_col = t
        .columns
        .iter()
        .position(|c| c.1 == ColumnKind::Role && g.column_label(&c.0) == Some(LabelRole::Lead))?;
    let task_col = t.columns.iter().position(|c| c.1 == ColumnKind::Task)?;
    cells.get(task_col)?.as_ref()?;
    // A last row cut before its last column: its own cells cannot be told (see `placed_cells`).
    if row.at_end && cells.last().is_some_and(Option::is_none) {
        return None;
    }
    let i = t.rows.iter().position(|r| std::ptr::eq(r, row))?;
    for prev in t.rows[..i].iter().rev().take(MERGED_REACH) {
        let pc = placed_cells(cx, t, prev);
        if let Some(cell) = &pc[lead_col] {
            let value = text[cell.clone()].trim().trim_end_matches(['。', ';']);
            let orgs = parse_list(cx, value, false).filter(|o| o.whole)?;
            return Some(orgs.into_clauses(Some(ClauseRole::Lead)));
        }
        if pc
            .iter()
            .zip(&t.columns)
            .any(|(c, h)| c.is_some() && h.1 == ColumnKind::Role)
        {
            return None;
        }
    }
    None
}

/// Numbers of task lines whose marker the page garbled (`?。ǘ┩…`): when every such line of a
/// unit lost its marker, they are the unit's next siblings, numbered on from the unit's label,
/// provided the following sibling's number leaves exactly that room (`(一)`, two lines, `(四)`).
fn infer_lost_numbers(cx: &Context, unit: usize, lines: &[(usize, bool)], out: &mut [Statement]) {
    if lines.is_empty() || !lines.iter().all(|l| l.1) {
        return;
    }
    let u = &cx.doc.units[unit];
    let chinese = !u.label.chars().all(|c| c.is_ascii_digit());
    let value = |l: &str| -> Option<u64> {
        if l.chars().all(|c| c.is_ascii_digit()) {
            l.parse().ok()
        } else {
            crate::numbers::parse_cn_int(l)
        }
    };
    let Some(v) = value(&u.label) else { return };
    let next = cx.doc.units[unit + 1..]
        .iter()
        .find(|s| s.parent == u.parent && s.kind == u.kind);
    if let Some(n) = next {
        if value(&n.label) != Some(v + lines.len() as u64 + 1) {
            return;
        }
    }
    for (k, (i, _)) in lines.iter().enumerate() {
        let n = v + k as u64 + 1;
        let label = if chinese { cn_numeral(n) } else { Some(n.to_string()) };
        if let Some((_, l)) = out[*i].line.as_mut() {
            *l = label;
        }
    }
}

/// A number below 100 in Chinese numerals (`十二`, `二十`).
fn cn_numeral(n: u64) -> Option<String> {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => Some(D[n as usize].to_string()),
        10..=19 => Some(format!("十{}", D[(n - 10) as usize])),
        20..=99 => Some(format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize])),
        _ => None,
    }
}

/// True when a position is within two lines of a web page footer's words (`版权所有`).
fn near_footer(cx: &Context, g: &Grammar, pos: usize) -> bool {
    let lines = &cx.doc.lines;
    let i = lines.partition_point(|r| r.start <= pos).saturating_sub(1);
    let text = cx.norm.text.as_str();
    (i.saturating_sub(2)..(i + 3).min(lines.len()))
        .any(|k| g.footer.iter().any(|w| text[lines[k].clone()].contains(w.as_str())))
}

/// A bracket closing a task that only lists organisations (`…建设。(市财政局、市税务局)`): a
/// responsibility list when the document declares that the first-listed unit leads, or when
/// it follows the task's last sentence and every mention is plainly an organisation.
fn trailing_list_bracket(
    cx: &Context,
    own_text: &str,
    groups: &[(Range<usize>, Range<usize>)],
    declared: bool,
) -> Option<usize> {
    let k = groups.len().checked_sub(1)?;
    let (whole, inner) = &groups[k];
    let trimmed = own_text.trim_end_matches(['。', ';', ' ', '\n']);
    if whole.end < trimmed.len() {
        return None;
    }
    let content = bare_list(&own_text[inner.clone()]);
    let list = parse_list(cx, content.as_ref(), false).filter(|l| l.whole)?;
    let after_stop = own_text[..whole.start].trim_end().ends_with(['。', ';', '!']);
    let lx = cx.gz.lexicon();
    let plain = list.orgs.iter().all(|o| strong_org(cx, o) || lx.is_collective(o));
    (declared || (after_stop && plain)).then_some(k)
}

/// The cells of a table row by column. Rows whose cells cannot be placed by position are
/// placed by content, column by column: a responsibility column takes the next cell when it is
/// a list of organisations (else it is empty); any other column takes the next cell when it is
/// not (a task column every such cell up to the next list: a task wrapped over lines);
/// what is left (the next group's cell) belongs to no column.
fn placed_cells(
    cx: &Context,
    t: &crate::structure::Table,
    row: &crate::structure::TableRow,
) -> Vec<Option<Range<usize>>> {
    let mut out = placed_cells_all(cx, t, row);
    // The last row of a document cut before its last column: which cells are missing cannot
    // be told, so its responsibility cells are not read.
    if row.at_end && out.last().is_some_and(Option::is_none) {
        for (c, cell) in t.columns.iter().zip(out.iter_mut()) {
            if c.1 == ColumnKind::Role {
                *cell = None;
            }
        }
    }
    out
}

fn placed_cells_all(
    cx: &Context,
    t: &crate::structure::Table,
    row: &crate::structure::TableRow,
) -> Vec<Option<Range<usize>>> {
    if row.raw.is_empty() {
        return row.cells.clone();
    }
    let text = cx.norm.text.as_str();
    let g = Grammar::of(cx.gz.lexicon());
    // A report of progress (`完成雅阳镇莲头村卫生室、…建设`) is no list, whatever it names.
    let is_list = |r: &Range<usize>| {
        let v = text[r.clone()].trim().trim_end_matches(['。', ';']);
        !g.status.iter().any(|w| v.starts_with(w.as_str()))
            && parse_list(cx, v, false).is_some_and(|o| o.consumed >= v.len())
    };
    // A list of organisations named in full (`县住建局`, `各乡镇人民政府`), not a phrase that
    // only ends like one.
    let is_strong_list = |r: &Range<usize>| {
        let v = text[r.clone()].trim().trim_end_matches(['。', ';']);
        parse_list(cx, v, false).is_some_and(|o| o.whole && o.orgs.iter().all(|m| strong_org(cx, m)))
    };
    let mut out: Vec<Option<Range<usize>>> = vec![None; t.columns.len()];
    let mut k = 0;
    for (ci, (head, kind)) in t.columns.iter().enumerate().skip(row.first) {
        let Some(cell) = row.raw.get(k) else { break };
        let orgs = *kind == ColumnKind::Role && g.column_label(head).is_some_and(|r| r != LabelRole::Person);
        if orgs {
            if is_list(cell) {
                let mut r = cell.clone();
                k += 1;
                // The last responsibility column runs on over further lists (one
                // organisation per line) up to a cell that is none, leaving one list to each
                // later column that names units too (`评分部门`).
                let last_role = !t.columns[ci + 1..].iter().any(|c| c.1 == ColumnKind::Role);
                let later_units = t.columns[ci + 1..].iter().filter(|c| names_units(&g, &c.0)).count();
                let lists_from = |k: usize| row.raw[k..].iter().take_while(|c| is_list(c)).count();
                while last_role && row.raw.get(k).is_some_and(|c| is_list(c)) && lists_from(k) > later_units {
                    r.end = row.raw[k].end;
                    k += 1;
                }
                out[ci] = Some(r);
            }
        } else if *kind == ColumnKind::Other && names_units(&g, head) {
            // A column naming units that is no responsibility (`评分部门`) holds a list.
            if is_list(cell) {
                out[ci] = Some(cell.clone());
                k += 1;
            }
        } else if !is_list(cell)
            || (*kind == ColumnKind::Task && !is_strong_list(cell) && row.raw.get(k + 1).is_some_and(|c| is_list(c)))
        {
            // A task cell that only ends like a body (`完善城市工作机制`), a list after it: the
            // task.
            let mut r = cell.clone();
            k += 1;
            if *kind == ColumnKind::Task {
                // The task runs on until the next list when a responsibility column follows.
                let more = t.columns[ci + 1..].iter().any(|c| c.1 == ColumnKind::Role);
                while more && row.raw.get(k).is_some_and(|c| !is_list(c)) && k + 1 < row.raw.len() {
                    r.end = row.raw[k].end;
                    k += 1;
                }
            }
            out[ci] = Some(r);
        }
    }
    // Cells left over: one was misread (a place `相关镇(街道)` reads like a collective). When
    // the last column is the table's only responsibility column, its list ends the row.
    let units_cols: Vec<usize> = (row.first..t.columns.len())
        .filter(|&ci| {
            let (head, kind) = &t.columns[ci];
            *kind == ColumnKind::Role && g.column_label(head).is_some_and(|r| r != LabelRole::Person)
        })
        .collect();
    if k < row.raw.len() && units_cols == [t.columns.len() - 1] {
        let run = row.raw.iter().rev().take_while(|c| is_list(c)).count();
        if run > 0 && run < row.raw.len() {
            let from = row.raw.len() - run;
            out[t.columns.len() - 1] = Some(row.raw[from].start..row.raw[row.raw.len() - 1].end);
        }
    }
    out
}

/// A column head naming units that is no responsibility label (`评分部门`, `考核单位`); a bare
/// `单位` is a unit of measure.
fn names_units(g: &Grammar, head: &str) -> bool {
    head.chars().count() > 2 && g.has_noun(head)
}

impl Grammar {
    /// The role of a column head (`牵头单位`, `责任单位(排第一位的为牵头单位)`).
    fn column_label(&self, head: &str) -> Option<LabelRole> {
        let c: String = head.chars().filter(|c| !c.is_whitespace()).collect();
        let c = match c.find(['(', '（']) {
            Some(p) if p > 0 => c[..p].to_string(),
            _ => c,
        };
        self.label(&c)
    }
}

/// Prose: `由X牵头`, `X牵头,Y、Z配合`, `由X承办,Y协办`, `X负责,Y配合`, `联合X`; one statement
/// per sentence. A list must start its clause (or follow `由`) and its first mention must be
/// plainly an organisation.
fn prose(
    cx: &mut Context,
    g: &Grammar,
    out: &mut Vec<Fact>,
    range: Range<usize>,
    first_listed: bool,
    emitted: &mut rustc_hash::FxHashSet<(usize, String)>,
) {
    let part = cx.norm.text[range.clone()].to_string();
    if !g.has_any(&part) {
        return;
    }
    let mut sent_start = 0;
    for (i, c) in part.char_indices().chain(std::iter::once((part.len(), '。'))) {
        if !matches!(c, '。' | '!' | '?' | '\n') {
            continue;
        }
        let sentence = &part[sent_start..i];
        let base = range.start + sent_start;
        sent_start = i + if i < part.len() { c.len_utf8() } else { 0 };
        if sentence.trim().is_empty() || !g.has_any(sentence) {
            continue;
        }
        let Some(clauses) = prose_clauses(cx, g, sentence, base) else {
            continue;
        };
        let anchor = base + clauses.1;
        let sent = cx.sentence_around(anchor);
        emit(cx, out, &clauses.0, first_listed, sent.clone(), anchor, emitted);
    }
}

/// The clauses of one prose sentence and the byte offset of the first, if it states a
/// responsibility.
fn prose_clauses(cx: &Context, g: &Grammar, sentence: &str, base: usize) -> Option<(Vec<Clause>, usize)> {
    // The offset of a slice of `sentence` in the document's text.
    let abs = |x: &str| base + (x.as_ptr() as usize).saturating_sub(sentence.as_ptr() as usize);
    // A report of what was done (`市发改委牵头完成了…,市财政局积极配合`) assigns nothing,
    // unless the sentence goes on to state a decision (`问题已经引起重视,明确由区委办牵头`):
    // then only what follows the decision counts.
    let decided = (g.decisions.iter()).filter_map(|w| find_word(sentence, w)).min();
    let reported = &sentence[decided.unwrap_or(0)..];
    // `以下各项工作均需各区、市政府负责落实`: a note on the tasks that follow.
    if sentence.trim_start().starts_with("以下") {
        return None;
    }
    // `了` marks a report, except in `了解` (to learn about).
    let perfective = reported.match_indices('了').any(|(i, _)| !reported[i..].starts_with("了解"));
    if perfective || has_word(reported, "已经") {
        return None;
    }
    let mut clauses: Vec<Clause> = Vec::new();
    let mut first: Option<usize> = None;
    let mut any_lead_or_end = false;
    for raw in split_top(sentence, &[',', ';', '，', '；']) {
        let at = raw.as_ptr() as usize - sentence.as_ptr() as usize;
        let lead_ws = raw.len() - raw.trim_start().len();
        let mut c = raw.trim();
        let mut c_at = at + lead_ws;
        // `会议要求:X牵头` → the clause after the colon; `主办:X` (a site's credits, a
        // label) states nothing about a task.
        if let Some(p) = c.rfind([':', '：']) {
            let head = c[..p].trim_end();
            if g.after_ix.ends(head)
                || find_labels(g, head).last().is_some_and(|l| l.end == head.len())
            {
                continue;
            }
            let colon = c[p..].chars().next().map(char::len_utf8).unwrap_or(1);
            c_at += p + colon;
            c = &c[p + colon..];
        }
        // The agent after `由` (`明确由市发改委牵头`), else the clause start.
        let mut by = false;
        if let Some(p) = c.rfind('由') {
            let before = &c[..p];
            let by_agent = !c[p..].starts_with("由于")
                && (p <= 12
                    || ["并", "均", "另", "明确", "要", "将"]
                        .iter()
                        .any(|w| before.ends_with(w)));
            if by_agent {
                c_at += p + '由'.len_utf8();
                c = &c[p + '由'.len_utf8()..];
                by = true;
            }
        }
        for w in ["并", "同时", "均", "请"] {
            if let Some(rest) = c.strip_prefix(w) {
                c = rest;
                c_at += w.len();
            }
        }
        // Before form: `联合X(等部门)(共同推进)`.
        if let Some((phrase, role)) = g.before.iter().find(|(p, _)| c.starts_with(p.as_str())) {
            let mut list = &c[phrase.len()..];
            for tail in ["共同推进", "共同负责", "共同", "一起"] {
                if let Some(p) = find_word(list, tail) {
                    list = &list[..p];
                }
            }
            if let Some(orgs) = parse_list(cx, strip_etc(g, list), false).filter(|o| o.whole) {
                clauses.extend(orgs.into_clauses(Some((*role).into())));
                first.get_or_insert(c_at);
            }
            continue;
        }
        // After form at the clause end: `X牵头`, `X等部门密切配合`, `由X负责`.
        if let Some((role, list)) = after_trigger(g, c) {
            let list = strip_etc(g, strip_adverbs(list));
            if let Some(orgs) = prose_list(cx, list, abs(list)).filter(|o| o.whole) {
                clauses.extend(orgs.into_clauses(Some(role)));
                first.get_or_insert(c_at);
                any_lead_or_end = true;
                continue;
            }
        }
        // `X牵头` + what it leads (`县国土资源局牵头抓总`), `由X负责` + its object.
        for (phrase, role) in [("牵头", ClauseRole::Lead), ("负责", ClauseRole::Co)] {
            let Some(p) = find_word(c, phrase) else { continue };
            if phrase == "负责" && (!by || c[p..].starts_with("负责人") || c[p..].starts_with("负责同志")) {
                continue;
            }
            // A report of what was done (`市发改委牵头开展了…`, `已牵头`) assigns nothing.
            if c[p..].contains('了') || c[..p].contains("已") || c[..p].contains('曾') {
                continue;
            }
            let list = strip_etc(g, strip_adverbs(&c[..p]));
            if let Some(orgs) = prose_list(cx, list, abs(list)).filter(|o| o.whole) {
                clauses.extend(orgs.into_clauses(Some(role)));
                first.get_or_insert(c_at);
                any_lead_or_end = true;
                break;
            }
        }
        // Organisations plainly named responsible for something, in any clause:
        // `市财政局负责资金保障`, `各乡镇人民政府负责组织实施,县教体局负责指导`.
        if !by
            && !clauses
                .iter()
                .any(|cl| cl.orgs.iter().any(|o| c.starts_with(o.as_str())))
        {
            if let Some(p) = c.find("负责") {
                let m = &c[..p];
                let last = strip_etc(g, m);
                let ends_as_org = m.chars().count() <= 60
                    && (cx.gz.lexicon().org_type_by_suffix(last).is_some()
                        || g.generic_tails.iter().any(|t| last.ends_with(t.as_str())));
                let plain = ends_as_org
                    && !c[p..].starts_with("负责人")
                    && !c[p..].starts_with("负责同志")
                    && !m.contains('已');
                if let Some(orgs) = parse_list(cx, m, true).filter(|o| o.whole && plain) {
                    clauses.extend(orgs.into_clauses(Some(ClauseRole::Co)));
                    first.get_or_insert(c_at);
                    any_lead_or_end = true;
                }
            }
        }
    }
    if !any_lead_or_end || clauses.is_empty() {
        return None;
    }
    Some((clauses, first.unwrap_or(0)))
}

fn emit(
    cx: &mut Context,
    out: &mut Vec<Fact>,
    clauses: &[Clause],
    first_listed: bool,
    ev: Range<usize>,
    anchor: usize,
    emitted: &mut rustc_hash::FxHashSet<(usize, String)>,
) {
    let task = match cx.task_at(anchor) {
        Some(t) => t,
        None => cx.sentence_task(cx.sentence_around(anchor)),
    };
    emit_task(cx, out, clauses, first_listed, ev, task, emitted);
}

/// Emits the facts of one statement for a given task.
fn emit_task(
    cx: &mut Context,
    out: &mut Vec<Fact>,
    clauses: &[Clause],
    first_listed: bool,
    ev: Range<usize>,
    task: usize,
    emitted: &mut rustc_hash::FxHashSet<(usize, String)>,
) {
    let task_ref = cx.task_ref(task);
    let evidence = cx.evidence(ev);
    for (role, mention) in assign_roles(clauses, first_listed) {
        if !emitted.insert((task, mention.clone())) {
            continue;
        }
        let Some(org) = org_of(cx, &mention) else { continue };
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
    fn label_fields_joined_by_spaces_on_one_line() {
        let v = facts(
            "1.新增安装一批设备。 牵头领导:王某 责任单位:市公安局 项目责任人:李某 配合单位:市城管局、市财政局 实际完成情况:已完成。\n",
        );
        assert!(has(&v, "co", "市公安局", "1"), "{v:?}");
        assert!(has(&v, "co", "市财政局", "1"), "{v:?}");
        assert!(!v.iter().any(|(r, _, _)| r == "leads"), "{v:?}");
    }

    #[test]
    fn form_rows_key_and_value_cells() {
        let v = facts("重点工作: | 12.统筹城市更新。 |\n牵头单位: | 市城管局 |\n配合单位: | 市财政局、市住建局 |\n");
        assert!(has(&v, "leads", "市城管局", "12"), "{v:?}");
        assert!(has(&v, "co", "市住建局", "12"), "{v:?}");
    }

    #[test]
    fn first_listed_declaration_with_a_qualifier() {
        let v = facts("1.支持企业发展。\n责任单位:市经信局、市财政局(列第一位者为工作牵头单位或汇总单位,下同)\n2.扩大投资。\n责任单位:市发改委、市财政局\n");
        assert!(has(&v, "leads", "市经信局", "1"), "{v:?}");
        assert!(has(&v, "co", "市财政局", "1"), "{v:?}");
        assert!(has(&v, "leads", "市发改委", "2"), "{v:?}");
    }

    #[test]
    fn merged_lead_cell_spans_the_rows_below() {
        // One cell per line; the page printed the lead once for a run of rows and the status
        // column holds reports of progress (`已完成`, `完成…卫生室`), no list.
        let t = "序号\n项目内容\n牵头单位\n落实情况\n1\n新建公园2个。\n县住建局\n基本完成。\n2\n改造老旧小区5个。\n已完成。\n3\n新建村卫生室2个。\n完成东山村卫生室、西山村卫生室建设。\n4\n新建学校1所。\n县教育局\n已开工。\n";
        let v = facts(t);
        assert!(has(&v, "leads", "县住建局", "1"), "{v:?}");
        assert!(has(&v, "leads", "县住建局", "2"), "{v:?}");
        assert!(has(&v, "leads", "县住建局", "3"), "{v:?}");
        assert!(has(&v, "leads", "县教育局", "4"), "{v:?}");
        assert_eq!(v.len(), 4, "{v:?}");
        // A row naming only co-operating units takes no lead from above, nor do rows after it.
        let t = "序号 | 工作任务 | 牵头单位 | 配合单位\n1 | 新建公园。 | 县住建局 | 县财政局\n2 | 改造道路。 | | 县交通局\n3 | 植树造林。 | | \n";
        let v = facts(t);
        assert!(has(&v, "leads", "县住建局", "1"), "{v:?}");
        assert!(has(&v, "co", "县交通局", "2"), "{v:?}");
        assert!(
            !v.iter().any(|(r, _, l)| r == "leads" && l.as_deref() != Some("1")),
            "{v:?}"
        );
    }

    #[test]
    fn participating_units_after_a_lead_in_a_label_value() {
        // `X牵头,Y、Z等有关部门参加,各镇街落实`: 参加 co-operates (落实, too common a verb, is no
        // trigger: 各镇街 is a collective anyway).
        let v = facts("1.保持政策稳定。(责任单位:县扶贫办牵头,县民政局、县教育局等有关部门参加,各镇街落实)");
        assert!(has(&v, "leads", "县扶贫办", "1"), "{v:?}");
        assert!(has(&v, "co", "县民政局", "1"), "{v:?}");
        assert!(has(&v, "co", "县教育局", "1"), "{v:?}");
        assert!(!v.iter().any(|(r, o, _)| r == "leads" && o != "县扶贫办"), "{v:?}");
    }

    #[test]
    fn people_attending_a_meeting_are_no_participating_units() {
        // `…街道负责同志参加`: the list names who attends, not who is responsible.
        let v = facts("区疫情防控指挥部有关负责人,区委办、卫健委、住建局、建设路街道负责同志参加。");
        assert!(v.is_empty(), "{v:?}");
        let v = facts("区发改局、区财政局负责人参与。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn lead_stated_in_a_label_value_and_sentence_end_in_a_bracket() {
        // A `牵头` in the value of a co-operating label outranks the label; `分别` is how.
        let v = facts("1.城乡居民收入稳步增长。\n责任单位:市民政局、市林业局分别牵头\n2.稳定物价。\n责任单位:市发改委");
        assert!(has(&v, "leads", "市民政局", "1"), "{v:?}");
        assert!(has(&v, "leads", "市林业局", "1"));
        assert!(has(&v, "co", "市发改委", "2"));
        // Within a bracket a label's list ends at the end of its sentence.
        let v = facts("(一)加强体系建设。〔责任单位:市商务局、市数据中心按职责分工负责。具体任务不再分工。〕");
        assert!(has(&v, "co", "市商务局", "一"), "{v:?}");
        assert!(has(&v, "co", "市数据中心", "一"));
        assert_eq!(v.len(), 2, "{v:?}");
    }

    #[test]
    fn a_place_of_the_jurisdiction_in_a_list_is_its_government() {
        let v = facts("湖州市人民政府办公室关于印发工作要点的通知\n1.筹办活动。(市文广新局牵头,南浔区、市旅游局配合)\n2.办好展会。(市商务局牵头,上海市、市贸促会配合)");
        assert!(has(&v, "leads", "市文广新局", "1"), "{v:?}");
        assert!(has(&v, "co", "南浔区", "1"), "{v:?}");
        assert!(has(&v, "co", "市旅游局", "1"));
        assert!(has(&v, "co", "市贸促会", "2"), "{v:?}");
        // A place outside the jurisdiction is no unit of its government.
        assert!(!v.iter().any(|f| f.1 == "上海市"), "{v:?}");
    }

    #[test]
    fn table_rows_without_numbers() {
        // The header has a number column, the rows lost their numbers: each run of cells is an
        // unnumbered row, while its responsibility cells read as organisations.
        let v = facts("附件\n\n序号\n\n目标与任务\n\n牵头责任单位\n\n责任单位\n\n加快推进规划编制,让城市更美。\n\n市自然资源和规划局\n\n各县区政府、开发区管委会\n\n打好污染防治攻坚战。\n\n市生态环境局\n\n市水务局、市农业农村局\n\n推动产业环保");
        let by = |rel: &str, org: &str| v.iter().any(|f| f.0 == rel && f.1 == org && f.2.is_none());
        assert!(by("leads", "市自然资源和规划局"), "{v:?}");
        assert!(by("leads", "市生态环境局"), "{v:?}");
        assert!(by("co", "市水务局") && by("co", "市农业农村局"), "{v:?}");
        // A run whose cells do not fit is no row.
        let v = facts("序号\n\n目标与任务\n\n牵头责任单位\n\n责任单位\n\n加快推进规划编制。\n\n做好宣传工作。\n\n市自然资源和规划局");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn sub_items_run_together_on_their_item_line() {
        let v = facts("一、减少审批\n1.深化改革。(1)落实合一改革。(市市场监管局牵头负责)(2)完善电子化登记。(市数据局牵头,市税务局配合)(3)推进名称改革");
        assert!(has(&v, "leads", "市市场监管局", "1"), "{v:?}");
        assert!(has(&v, "leads", "市数据局", "2"));
        assert!(has(&v, "co", "市税务局", "2"));
        assert!(!has(&v, "leads", "市数据局", "1"), "{v:?}");
        // A cited number is no sub-item.
        let v = facts("1.落实文件(2)号要求,推进改革(1)项。(市发改委牵头)");
        assert!(has(&v, "leads", "市发改委", "1"), "{v:?}");
    }

    #[test]
    fn table_cell_over_lines_and_unnamed_task_head() {
        let v = facts("附件\n\n序号\n\n惠民事项\n\n责任单位\n\n完成时限\n\n1\n\n新建公园。\n\n县水务局\n\n县住建局\n\n12月底前\n\n2\n\n新建天桥。\n\n县住建局\n\n9月投入使用\n");
        assert!(has(&v, "co", "县水务局", "1"), "{v:?}");
        assert!(has(&v, "co", "县住建局", "1"));
        assert!(has(&v, "co", "县住建局", "2"));
        assert_eq!(v.len(), 3, "{v:?}");
    }

    #[test]
    fn table_one_cell_per_line_closed_by_bars() {
        // Each line one cell closed by `|`; the 责任领导 column holds people.
        let v = facts("序号 |\n工作任务 |\n责任领导 |\n责任单位 |\n完成时限 |\n1 |\n新建公园。 |\n张三 |\n城建部、招商部 |\n全年 |\n2 |\n盘活土地。 |\n李四 |\n改革办 |\n全年 |");
        assert!(has(&v, "co", "城建部", "1"), "{v:?}");
        assert!(has(&v, "co", "招商部", "1"));
        assert!(has(&v, "co", "改革办", "2"));
        assert_eq!(v.len(), 3, "{v:?}");
        // The header on one line, the rows one cell per line.
        let v = facts("序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 |\n1 |\n新建公园。 |\n县住建局 |\n县财政局、县水务局 |\n全年 |\n2 |\n盘活土地。 |\n县自然资源局 |\n县财政局 |\n全年 |");
        assert!(has(&v, "leads", "县住建局", "1"), "{v:?}");
        assert!(has(&v, "co", "县水务局", "1"), "{v:?}");
        assert!(has(&v, "leads", "县自然资源局", "2"), "{v:?}");
        assert!(has(&v, "co", "县财政局", "2"), "{v:?}");
        assert_eq!(v.len(), 5, "{v:?}");
    }

    #[test]
    fn table_heads_between_blank_lines_with_unit_and_scoring_columns() {
        // Seven heads one per line with blank lines between; `单位` (of measure) and `评分部门`
        // are other columns; the responsibility cell spans two lines, the scoring cell follows.
        let v = facts("清单\n\n考核项目\n\n序号\n\n考核指标\n\n考核内容\n\n单位\n\n年度目标\n\n责任部门\n\n评分部门\n\n农业\n\n1\n\n确保供给\n\n增加值增幅\n\n%\n\n≥2%\n\n县渔业局\n\n县农业农村局\n\n市农业农村局\n\n2\n\n劳动生产率\n\n万元/人\n\n全市统筹\n\n县农业农村局\n\n市农业农村局\n");
        assert!(has(&v, "co", "县渔业局", "1"), "{v:?}");
        assert!(has(&v, "co", "县农业农村局", "1"), "{v:?}");
        assert!(has(&v, "co", "县农业农村局", "2"), "{v:?}");
        assert!(!v.iter().any(|f| f.1 == "市农业农村局"), "{v:?}");
    }

    #[test]
    fn overall_lead_and_manner_before_cooperation() {
        let v = facts("一、调整能源结构(省发改委总牵头)\n1.控制煤炭消费。(省经信委牵头)");
        assert!(has(&v, "leads", "省发改委", "一"), "{v:?}");
        let v = facts("由相关县领导牵头,县自然资源局负责,住建局、发改局等其他相关单位加强配合协调,成立工作专班。");
        let by = |rel: &str, org: &str| v.iter().any(|f| f.0 == rel && f.1 == org);
        assert!(by("co", "发改局") && by("co", "住建局"), "{v:?}");
        assert!(!v.iter().any(|f| f.0 == "leads"), "{v:?}");
    }

    #[test]
    fn small_form_item_marks() {
        let v = facts("一、确保目标\n1﹒全市生产总值增长7%。\n牵头责任单位:市统计局。\n协同责任单位:市商务局、市财政局等。\n2﹒投资增长。\n牵头责任单位:市财政局。");
        assert!(has(&v, "leads", "市统计局", "1"), "{v:?}");
        assert!(has(&v, "co", "市商务局", "1"));
        assert!(has(&v, "leads", "市财政局", "2"));
        assert!(!v.iter().any(|(_, _, l)| l.as_deref() == Some("一")), "{v:?}");
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
    fn trigger_with_a_verb_of_manner() {
        // `X牵头` / `X按职责分工` followed by a short verb: 实施, 落实, any two-character verb.
        let v = facts("1.推介项目。(省发展改革委牵头推进)\n2.推行市场化运作。(省发展改革委、水利厅按职责分工落实)");
        assert!(has(&v, "leads", "省发展改革委", "1"), "{v:?}");
        assert!(has(&v, "co", "水利厅", "2"), "{v:?}");
        assert!(has(&v, "co", "省发展改革委", "2"), "{v:?}");
        // A unit or a person after the trigger is no verb.
        let v = facts("1.推介项目。(市发改委牵头处室)");
        assert!(!has(&v, "leads", "市发改委", "1"), "{v:?}");
    }

    #[test]
    fn a_line_closed_by_its_own_bracket_is_its_own_task() {
        // The second line lost its marker (`?。ǘ┩`): its own task, numbered from the siblings.
        let v = facts("一、总体\n(一)建设基地。(牵头单位:市经贸委;配合单位:市规划局)\n?。ǘ┩推进石化基地。(牵头单位:市发改委;配合单位:市建委)\n(三)建设园区。(牵头单位:市交委)");
        assert!(has(&v, "leads", "市经贸委", "一"), "{v:?}");
        assert!(!has(&v, "leads", "市发改委", "一"), "{v:?}");
        assert!(has(&v, "leads", "市发改委", "二"), "{v:?}");
        assert!(has(&v, "co", "市建委", "二"), "{v:?}");
        assert!(has(&v, "leads", "市交委", "三"), "{v:?}");
    }

    #[test]
    fn etc_before_a_conjunction() {
        let v = facts("2.推行。(省发展改革委、能源局等省有关部门和各地级以上市人民政府按职责分工负责)");
        assert!(has(&v, "co", "能源局", "2"), "{v:?}");
        assert!(has(&v, "co", "省发展改革委", "2"), "{v:?}");
    }

    #[test]
    fn table_task_head_after_a_year() {
        // `序号 / 2022年预期目标 / 责任单位`, one cell per line.
        let v = facts("附件1\n\n序号\n\n2022年预期目标\n\n责任单位\n\n1\n\n地区生产总值增长5.5%左右\n\n区发展改革委\n\n2\n\n工业增加值增长7%左右\n\n区经济信息委");
        assert!(has(&v, "co", "区发展改革委", "1"), "{v:?}");
        assert!(has(&v, "co", "区经济信息委", "2"), "{v:?}");
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

    #[test]
    fn composite_labels_any_separator_and_people() {
        // Composite role labels, one per line; a leading person gives nothing.
        let v = facts("1.加快建设。\n牵头负责领导:王五。\n牵头责任单位:县教育局。\n协同责任单位:县财政局、县人社局等,各乡镇政府。");
        assert!(has(&v, "leads", "县教育局", "1"), "{v:?}");
        assert!(has(&v, "co", "县财政局", "1"));
        assert!(has(&v, "co", "县人社局", "1"));
        assert!(!v.iter().any(|(_, o, _)| o.contains("王五")));
        // Inline labels in running text, separated by a space or nothing.
        let v = facts("3.做好保障。主办单位 市文旅局;协办单位:市公安局、市城管局。");
        assert!(has(&v, "leads", "市文旅局", "3"), "{v:?}");
        assert!(has(&v, "co", "市公安局", "3"));
        // Labels in 【】 and 〔〕 brackets, with full-width separators.
        let v = facts(
            "5.推进改革。【牵头部门：区财政局；配合部门：区审计局】\n6.优化服务。〔责任单位:区政务服务中心、区司法局〕",
        );
        assert!(has(&v, "leads", "区财政局", "5"), "{v:?}");
        assert!(has(&v, "co", "区审计局", "5"));
        assert!(has(&v, "co", "区政务服务中心", "6"));
        assert!(!v.iter().any(|(r, _, l)| r == "leads" && l.as_deref() == Some("6")));
    }

    #[test]
    fn unclosed_bracket_and_notes_in_lists() {
        // A bracket cut at the end of the document; a deadline inside the list.
        let v = facts(
            "1.推进。(牵头单位:市交通局;责任单位:市公安局、市应急局,2023年底前完成)\n2.建设铁路。〔责任单位:某某铁路局",
        );
        assert!(has(&v, "leads", "市交通局", "1"), "{v:?}");
        assert!(has(&v, "co", "市应急局", "1"));
        assert!(has(&v, "co", "某某铁路局", "2"));
        assert_eq!(v.len(), 4, "{v:?}");
    }

    #[test]
    fn prose_manner_words_and_elliptical_heads() {
        // `要分工协作`, `通力协作`: named units share a task with no lead.
        let v = facts("会议要求,县环保局、县水务局等部门要分工协作,全力做好项目包装工作。");
        assert!(v.iter().any(|(r, o, _)| r == "co" && o == "县环保局"), "{v:?}");
        assert!(v.iter().any(|(r, o, _)| r == "co" && o == "县水务局"), "{v:?}");
        // Two places cooperating name no responsible unit.
        let v = facts("今年以来,甲州市与乙州市深化东西部协作,互派干部。");
        assert!(v.is_empty(), "{v:?}");
        // A bare unit the document names elsewhere with its level prefix.
        let v = facts("会上,县消防救援大队汇报了情况。会议要求,消防救援大队要牵头统筹,动态排查风险隐患。");
        assert!(v.iter().any(|(r, o, _)| r == "leads" && o == "消防救援大队"), "{v:?}");
        let v = facts("会议要求,消防救援大队要牵头统筹,动态排查风险隐患。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn prose_lead_with_partners_and_undertaking() {
        let v = facts("会议指出,县林业局牵头,县财政局、县水务局等部门密切配合,全力推进造林绿化工作。");
        assert!(v.iter().any(|(r, o, _)| r == "leads" && o == "县林业局"), "{v:?}");
        assert!(v.iter().any(|(r, o, _)| r == "co" && o == "县水务局"));
        // 承办 opposed to 协办 names the lead; 负责 with 配合 names none.
        let v = facts(
            "一、治理污染\n由省环保厅承办,省农业厅、水利厅协办。\n(一)由省农业厅负责,省财政厅配合,加快建设基地。",
        );
        assert!(has(&v, "leads", "省环保厅", "一"), "{v:?}");
        assert!(has(&v, "co", "水利厅", "一"));
        assert!(!v.iter().any(|(r, o, _)| r == "leads" && o == "省农业厅"));
        // Essays: 负责人 is a person.
        let v = facts("县交通局、县住建局等县级有关部门负责人介绍了情况。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn declared_conventions() {
        let v = facts("说明:各项任务中列第一位者为牵头单位。\n1.推进。(市财政局、市税务局、市人行)");
        assert!(has(&v, "leads", "市财政局", "1"), "{v:?}");
        assert!(has(&v, "co", "市人行", "1"));
        let v = facts("1.推进。(责任单位:市商务局、市发改委,排名第一的为牵头单位,下同)\n2.落实。(市发改委、市商务局)");
        assert!(has(&v, "leads", "市商务局", "1"), "{v:?}");
        let v2 = facts("各项任务的牵头单位均列在首位。\n1.推进。(市财政局、市税务局)");
        assert!(has(&v2, "leads", "市财政局", "1"), "{v2:?}");
        // `第一牵头单位` is a label, not a declaration.
        let v3 = facts("1.推进。第一牵头单位:市财政局;配合单位:市税务局、市商务局\n2.落实。(市税务局、市商务局)");
        assert!(!has(&v3, "leads", "市税务局", "2"), "{v3:?}");
        assert!(has(&v, "leads", "市商务局", "1"), "{v:?}");
        assert!(has(&v, "leads", "市发改委", "2"), "{v:?}");
        assert!(has(&v, "co", "市商务局", "2"));
    }

    #[test]
    fn flattened_tables() {
        // One cell per line, header first; a group cell between rows.
        let v = facts("序号\n任务\n责任单位\n牵头单位\n1\n增长6%。\n区农业局、区发改局\n区发改局\n二类\n2\n增长5%。\n区财政局\n区财政局\n");
        assert!(has(&v, "leads", "区发改局", "1"), "{v:?}");
        assert!(has(&v, "co", "区农业局", "1"));
        assert!(has(&v, "leads", "区财政局", "2"));
        assert_eq!(v.len(), 3, "{v:?}");
        // Cells joined by `|`; a person in the leader column gives nothing.
        let v = facts("序号|重点任务|责任领导|牵头单位|配合单位|完成时限\n1|建设园区|李四|市工信局|市财政局、市自然资源局|2024年底\n2|招商引资|李四|市商务局||长期\n");
        assert!(has(&v, "leads", "市工信局", "1"), "{v:?}");
        assert!(has(&v, "co", "市自然资源局", "1"));
        assert!(has(&v, "leads", "市商务局", "2"));
        assert_eq!(v.len(), 4, "{v:?}");
        // One cell per line with a wrapped task, a leader's name and empty cells (which
        // vanish): cells are placed by what they hold; a last row cut before its last column
        // gives nothing.
        let v = facts("序号\n重点任务\n牵头领导\n牵头单位\n配合单位\n完成时限\n1\n实施示范工程,\n打造示范村5个。\n王某\n县农业局\n县财政局\n年底\n2\n推进整治。\n县住建局\n年底\n3\n推进招商。\n县商务局");
        assert!(has(&v, "leads", "县农业局", "1"), "{v:?}");
        assert!(has(&v, "co", "县财政局", "1"));
        assert!(has(&v, "leads", "县住建局", "2"), "{v:?}");
        assert!(!v.iter().any(|(_, _, l)| l.as_deref() == Some("3")), "{v:?}");
        // Cells joined by tabs.
        let v = facts("序号\t工作任务\t牵头部门\t配合部门\n1\t完善机制\t县发改局\t县财政局\n");
        assert!(has(&v, "leads", "县发改局", "1"), "{v:?}");
        assert!(has(&v, "co", "县财政局", "1"));
    }

    #[test]
    fn list_marks_notes_and_glued_lists() {
        // `(牵头)` after a mention; a note after a mention; a list whose spaces were dropped.
        let v = facts("1.推进。责任单位:县水利局(牵头)、县财政局\n2.落实。牵头单位:县商务局(县招商中心);配合单位:县发改局 县统计局");
        assert!(has(&v, "leads", "县水利局", "1"), "{v:?}");
        assert!(has(&v, "co", "县财政局", "1"));
        assert!(has(&v, "leads", "县商务局", "2"), "{v:?}");
        assert!(has(&v, "co", "县发改局", "2"), "{v:?}");
        assert!(has(&v, "co", "县统计局", "2"), "{v:?}");
        // Bare role words before a colon, boxed labels, labels without separators in a bracket.
        let v = facts("3.推进。(牵头:县教育局;参与:县人社局)\n4.落实。【牵头部门】县卫健局【配合部门】县医保局\n5.建设。(牵头单位 县住建局 配合单位 县城管局)");
        assert!(has(&v, "leads", "县教育局", "3"), "{v:?}");
        assert!(has(&v, "co", "县人社局", "3"));
        assert!(has(&v, "leads", "县卫健局", "4"), "{v:?}");
        assert!(has(&v, "co", "县医保局", "4"));
        assert!(has(&v, "leads", "县住建局", "5"), "{v:?}");
        assert!(has(&v, "co", "县城管局", "5"));
        // A list ends at `;`; what follows is read as trigger clauses or dropped.
        let v = facts("6.推进。(牵头单位:县交通局;县公安局配合;完成时限:2025年)");
        assert!(has(&v, "leads", "县交通局", "6"), "{v:?}");
        assert!(has(&v, "co", "县公安局", "6"));
        assert_eq!(v.len(), 2, "{v:?}");
    }

    #[test]
    fn heads_after_a_year_and_heads_of_place_and_money() {
        // `2024年建设内容`, `建设地点`, `投资金额(万元)` head columns too; one cell per line.
        let v = facts("序号\n项目名称\n建设地点\n2024年建设内容\n投资金额(万元)\n责任单位\n1\n城东公园\n城东街道\n建设绿地。\n300\n县住建局\n2\n农村公路\n北山镇\n改造公路。\n500\n县交通局\n");
        assert!(has(&v, "co", "县住建局", "1"), "{v:?}");
        assert!(has(&v, "co", "县交通局", "2"), "{v:?}");
    }

    #[test]
    fn task_cell_ending_like_a_body() {
        // `完善城市工作机制` ends like a group (`工作机制`) but is the task: a list follows it.
        let v = facts("序号\n工作任务\n负责部门\n时间进度\n1\n完善城市工作机制\n市住建局,各县(区)政府\n年底前\n2\n加快设施建设\n市城管局\n常态工作\n");
        assert!(has(&v, "co", "市住建局", "1"), "{v:?}");
        assert!(has(&v, "co", "市城管局", "2"), "{v:?}");
        assert!(!v.iter().any(|(_, o, _)| o.contains("机制")), "{v:?}");
    }

    #[test]
    fn list_broken_by_a_line_wrap() {
        // A name split by the page's line wrap, and a line ending with `、`.
        let v = facts("1.加强党建。\n牵头单位:区委组织部\n协办单位:区委编办、园区党工\n委、各街道党工委\n2.做实街道。\n牵头单位:区民政局\n协办单位:区财政局、\n区人社局\n");
        assert!(has(&v, "leads", "区委组织部", "1"), "{v:?}");
        assert!(has(&v, "co", "园区党工委", "1"), "{v:?}");
        assert!(has(&v, "co", "区人社局", "2"), "{v:?}");
        assert!(!v.iter().any(|(_, o, _)| o == "园区党工"), "{v:?}");
    }

    #[test]
    fn note_on_the_following_tasks() {
        // A bracket's closing note about the tasks that follow adds nothing to this one.
        let v = facts(
            "一、建立制度\n1.推进工作。(市民政局牵头,各区、市政府负责落实。以下各项工作均需各区、市政府负责落实,不再一一列出。)\n2.健全制度。",
        );
        assert!(has(&v, "leads", "市民政局", "1"), "{v:?}");
        assert!(!v.iter().any(|(_, o, _)| o == "市政府"), "{v:?}");
    }

    #[test]
    fn report_before_the_assignment() {
        // A decision stated after a report (`明确由…牵头`) assigns; a report does not.
        let v = facts("会议指出,问题已经引起高度重视,明确由区委办牵头,出台实施方案。");
        assert!(
            v.iter().any(|(r, o, l)| r == "leads" && o == "区委办" && l.is_none()),
            "{v:?}"
        );
        let v = facts("会议指出,去年由区住建局牵头完成了改造任务。");
        assert!(v.is_empty(), "{v:?}");
        let v = facts("一年来,县发改委牵头编制了规划,县财政局积极配合。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn nouns_that_are_no_labels() {
        // `成员单位` ends a mention; `各牵头单位` is a subject, not a label.
        let v =
            facts("1.推进。[牵头单位:区卫健局;责任单位:区防控指挥部成员单位、各街道]\n各牵头单位要统筹落实任务事项。");
        assert!(has(&v, "co", "区防控指挥部成员单位", "1"), "{v:?}");
        assert_eq!(v.len(), 3, "{v:?}");
        // Reports of what was done assign nothing.
        let v = facts("去年,市发改委牵头完成了投资计划,市财政局积极配合。");
        assert!(v.is_empty(), "{v:?}");
        // A site's credits are no responsibility.
        let v = facts("1.通知公告。\n主办单位:某市人民政府办公室\n承办:某市大数据中心\n版权所有 网站标识码123");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn page_markers_inside_an_item() {
        let v = facts("1.加快推进产业园区基础设施建设,完善配套,\n\n— 3 —\n\n提升承载能力。(市发改委牵头,市财政局、\n- 4 -\n市住建局配合)");
        assert!(has(&v, "leads", "市发改委", "1"), "{v:?}");
        assert!(has(&v, "co", "市住建局", "1"), "{v:?}");
    }

    #[test]
    fn last_sub_item_statement_belongs_to_the_article() {
        let v =
            facts("49. 支持企业。\n(1)工业奖励。给予奖励。\n(2)服务业奖励。给予奖励。(牵头部门:区经信局、区发改局)");
        assert!(has(&v, "leads", "区经信局", "49"), "{v:?}");
        assert!(has(&v, "leads", "区发改局", "49"), "{v:?}");
    }

    #[test]
    fn every_member_that_reads_as_an_organisation() {
        // Bank branches, credit unions, village committees: unknown to the gazetteer, named
        // by their ending; one such member does not drop the list.
        let v = facts("1.优化融资服务。(牵头单位:县金融办;责任单位:人民银行某县支行、县财政局、某县农商行、县农村信用联社)\n2.加强河道保洁。(牵头单位:镇水利站,配合单位:镇派出所、东湖村村委会)");
        for o in ["人民银行某县支行", "县财政局", "某县农商行", "县农村信用联社"] {
            assert!(has(&v, "co", o, "1"), "{o} {v:?}");
        }
        assert!(has(&v, "co", "东湖村村委会", "2"), "{v:?}");
        assert!(has(&v, "co", "镇派出所", "2"), "{v:?}");
        // A member that is no organisation gives nothing, the others stay.
        let v = facts("3.推进改造。(牵头单位:县住建局;配合单位:县财政局、张三)");
        assert!(has(&v, "co", "县财政局", "3"), "{v:?}");
        assert!(!v.iter().any(|(_, o, _)| o == "张三"), "{v:?}");
        // A name cut off at the end of a cut document is no member.
        let v = facts("2.深化改革。依托事项清单全面梳理。(市政府办公室、市");
        assert!(!v.iter().any(|(_, o, _)| o == "市政府办公室"), "{v:?}");
    }

    #[test]
    fn label_values_with_their_own_roles_and_declarations_in_the_first_bracket() {
        let v = facts("7.强化消防安全治理。(责任单位:市消防救援支队牵头,市住建局、市教育局配合)");
        assert!(has(&v, "leads", "市消防救援支队", "7"), "{v:?}");
        assert!(has(&v, "co", "市教育局", "7"), "{v:?}");
        let v = facts(
            "1.支持企业参展。(市商务局、市财政局,列第一位者为牵头单位,下同)\n2.扩大跨境电商规模。(市商务局、某某海关)",
        );
        assert!(has(&v, "leads", "市商务局", "1"), "{v:?}");
        assert!(has(&v, "co", "市财政局", "1"), "{v:?}");
        assert!(has(&v, "co", "某某海关", "2"), "{v:?}");
    }

    #[test]
    fn responsible_in_every_clause() {
        let v = facts("3.推进课后服务全覆盖。各乡镇人民政府负责组织实施,县教体局负责指导。");
        assert!(has(&v, "co", "县教体局", "3"), "{v:?}");
        let v = facts("8.整治道路交通。(市公安局交警支队、市交通运输局负责,各县区政府落实属地责任)");
        assert!(has(&v, "co", "市公安局交警支队", "8"), "{v:?}");
        let v = facts("县发改委已负责完成规划编制,县财政局负责人介绍了情况。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn bare_labels_after_a_glued_list() {
        let v = facts("2.推进平台建设。【牵头:省工业和信息化厅 参与:省科技厅、吉林大学】");
        assert!(has(&v, "leads", "省工业和信息化厅", "2"), "{v:?}");
        assert!(has(&v, "co", "吉林大学", "2"), "{v:?}");
        assert!(!v.iter().any(|(r, o, _)| r == "leads" && o == "吉林大学"), "{v:?}");
    }
}
