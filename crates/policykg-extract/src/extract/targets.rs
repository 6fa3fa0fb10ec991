//! `targets`: a task targets a quantitative indicator (`新建5G基站3100个`).
//!
//! Numbers are found with their unit (`units.tsv`, magnitude words 万/亿 kept with the unit),
//! comparators before or after (`comparators.tsv`: 不少于 → `>=`, 以内 → `<=`, 左右 → `~`),
//! ranges (`3—5条` → `range` with `value_max`) and the measured thing (the clause before the
//! number). Numbers that are names are skipped: codes (`5G`, `G60`, `1+9+N`, `5A级`,
//! `not_indicators.tsv`), ordinals (`第三届`), dates, numbers inside 《titles》 and “quotes”,
//! and thresholds that qualify a noun (`500万元以上重点技改项目`, `3.2米及以下`). The deadline is
//! the year the clause or its paragraph names (`到2025年`, `十四五期间` → 2025), else the plan's
//! own year from its title.
//!
//! What a figure is: an aim (a plan section, 目标, 力争, 将) or a result (a review section, 已,
//! 同比, a past year, a span of months from January `1-6月`). A frame word reported as fulfilled
//! (`主要目标任务圆满完成,诸如:…`) frames nothing. A sentence ending in `…以下是2023年工作回顾:`
//! or `…围绕以下目标开展工作:` sets what its list is. A text of many reports and an aim or two
//! named in passing is a bulletin. A short line without a clause stop in a text of no stated kind
//! is a headline or a link: its figures are aims only where it says so. A count closing a list
//! after a verb of work (`改造漳江路、华山路等34条道路`) is the size of the work.
//! A report (a title whose head word reviews, `…进展情况的通报`) keeps reporting under headings
//! that only name their content (`主要经济指标`, `取得新成效`). A sentence dated up to now
//! (`截至9月`) or citing a measurement (`据统计`) reports; a paragraph of no stated kind told in
//! the perfective with no aim word reports; an aim reported done (`目标全部实现`) or named as a
//! purpose (`以…为目标,`) frames nothing after it; the condition of a grant (`…以下,给予奖励`)
//! is no aim; a numbered heading glued inside a flattened line holds from its label.

use super::Context;
use crate::facts::{Fact, Indicator, Relation};
use crate::lexicon::{find_word, PerLexicon};
use crate::numbers::parse_value;
use crate::structure::UnitKind;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use std::ops::Range;
use std::sync::{Arc, LazyLock};

pub(crate) struct Rules {
    number: Regex,
    /// `not_indicators.tsv` as one anchored alternation (a row that is no valid pattern is
    /// left out, as before).
    not_indicator: Option<Regex>,
    before: Vec<(String, String)>,
    after: Vec<(String, String)>,
    /// The second end of a range that repeats the unit (`-8%` after `5%`).
    range_tail: Regex,
    /// Sentence cues (`target_cues.tsv`) and their kinds, leftmost-longest.
    cues: AhoCorasick,
    cue_kinds: Vec<Cue>,
    /// Heading and genre cues (`target_contexts.tsv`).
    contexts: AhoCorasick,
    context_kinds: Vec<Setting>,
    /// The word lists of `target_words.tsv`, by kind.
    words: Words,
}

/// `target_words.tsv` by kind (see the table's header for what each kind does).
#[derive(Default)]
struct Words {
    target_verb: Vec<String>,
    build_verb: Vec<String>,
    size_unit: Vec<String>,
    task_column: Vec<String>,
    progress_column: Vec<String>,
    content_verb: Vec<String>,
    doc_part: Vec<String>,
    scope_verb: Vec<String>,
    list_work_verb: Vec<String>,
}

impl Words {
    fn of(lx: &crate::lexicon::Lexicon) -> Words {
        let kind = |k: &str| -> Vec<String> {
            lx.words_of_kind(crate::lexicon::Table::TargetWords, k)
                .cloned()
                .collect()
        };
        Words {
            target_verb: kind("target_verb"),
            build_verb: kind("build_verb"),
            size_unit: kind("size_unit"),
            task_column: kind("task_column"),
            progress_column: kind("progress_column"),
            content_verb: kind("content_verb"),
            doc_part: kind("doc_part"),
            scope_verb: kind("scope_verb"),
            list_work_verb: kind("list_work_verb"),
        }
    }
}

/// True when `s` contains one of `words`.
fn holds(words: &[String], s: &str) -> bool {
    words.iter().any(|w| s.contains(w.as_str()))
}

/// True when `s` ends with one of `words`.
fn ends_with_any(words: &[String], s: &str) -> bool {
    words.iter().any(|w| s.ends_with(w.as_str()))
}

/// What a cue word says about the figures of its clause or sentence (`target_cues.tsv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cue {
    Frame,
    Commit,
    Modal,
    Result,
    Past,
    WeakResult,
    Param,
    Grant,
    Spend,
    Counter,
    /// A frame word closing a purpose (`以…为目标,`): it frames its own clause only.
    Purpose,
    /// A word that holds a cue by accident (`项目前期`): matched only to hide it.
    None,
}

/// What the section or the document around a figure is: a review of results, a plan, a
/// document of results throughout (a statistical bulletin), or nothing said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Setting {
    #[default]
    Neutral,
    Plan,
    Retro,
    Report,
    /// A news page: figures are aims only where the sentence says so (将, 拟, 目标, 力争).
    News,
}

/// A year as a text names it (`到2025年底`), and the year of a lead-in's aim (`到2025年`,
/// `至2027年底`).
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:到|至|截至)?((?:19|20)\d{2})年(?:底|末)?").expect("valid regex"));
static LEAD_IN_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:到|至)((?:19|20)\d{2})年").expect("valid regex"));

/// The rules of a lexicon's tables (units, comparators, cues, contexts), built once per
/// lexicon: `--lexicon` tables change them.
fn rules_of(lx: &crate::lexicon::Lexicon) -> Arc<Rules> {
    static RULES: PerLexicon<Rules> = PerLexicon::new();
    RULES.get(lx, rules)
}

/// The rules of the embedded tables.
#[cfg(test)]
fn embedded_rules() -> &'static Rules {
    static R: LazyLock<Arc<Rules>> = LazyLock::new(|| rules_of(&crate::lexicon::Lexicon::embedded()));
    &R
}

fn rules(lx: &crate::lexicon::Lexicon) -> Rules {
    let mut units = lx.list(crate::lexicon::Table::Units).to_vec();
    units.sort_by_key(|u| std::cmp::Reverse(u.chars().count()));
    let unit_alt = units.iter().map(|u| regex::escape(u)).collect::<Vec<_>>().join("|");
    let number = Regex::new(&format!(
        r"(?P<num>\d+万\d{{4}}|\d+(?:\.\d+)?|百分之[\d.]+|百分之[一二三四五六七八九十百]+|[两二三四五六七八九十百千零〇]+|一[百千][两二三四五六七八九十百千零〇]*)(?:(?P<sep>[—\-–~至到])(?P<num2>\d+(?:\.\d+)?|[两二三四五六七八九十]+))?(?P<mag>万亿|千万|百万|万|亿)?(?P<unit>{unit_alt}| %)?"
    ))
    .expect("unit table makes a valid regex");
    let valid: Vec<String> = (lx.list(crate::lexicon::Table::NotIndicators).iter())
        .filter(|p| Regex::new(&format!("^(?:{p})")).is_ok())
        .map(|p| format!("(?:{p})"))
        .collect();
    let not_indicator = (!valid.is_empty())
        .then(|| Regex::new(&format!("^(?:{})", valid.join("|"))).expect("each row is valid"));
    let mut before = Vec::new();
    let mut after = Vec::new();
    for row in lx.table(crate::lexicon::Table::Comparators) {
        if row.len() >= 3 {
            let pair = (row[0].clone(), row[1].clone());
            if row[2] == "after" {
                after.push(pair)
            } else {
                before.push(pair)
            }
        }
    }
    before.sort_by_key(|p| std::cmp::Reverse(p.0.chars().count()));
    after.sort_by_key(|p| std::cmp::Reverse(p.0.chars().count()));
    let kinds = |table: crate::lexicon::Table| -> (Vec<String>, Vec<String>) {
        lx.table(table)
            .iter()
            .filter(|r| r.len() >= 2)
            .map(|r| (r[0].clone(), r[1].clone()))
            .unzip()
    };
    let automaton = |words: &[String]| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            // Anchored searches ask whether a line opens with a cue.
            .start_kind(aho_corasick::StartKind::Both)
            .build(words)
            .expect("cue words are plain strings")
    };
    let (cue_words, cue_names) = kinds(crate::lexicon::Table::TargetCues);
    let cue_kinds = cue_names
        .iter()
        .map(|k| match k.as_str() {
            "frame" => Cue::Frame,
            "commit" => Cue::Commit,
            "result" => Cue::Result,
            "past" => Cue::Past,
            "weak_result" => Cue::WeakResult,
            "param" => Cue::Param,
            "grant" => Cue::Grant,
            "spend" => Cue::Spend,
            "counter" => Cue::Counter,
            "none" => Cue::None,
            _ => Cue::Modal,
        })
        .collect();
    let (context_words, context_names) = kinds(crate::lexicon::Table::TargetContexts);
    let context_kinds = context_names
        .iter()
        .map(|k| match k.as_str() {
            "retro" => Setting::Retro,
            "report" => Setting::Report,
            _ => Setting::Plan,
        })
        .collect();
    let range_tail = Regex::new(&format!(
        r"^[—\-–~至到](?P<num>\d+(?:\.\d+)?)(?P<mag>万亿|千万|百万|万|亿)?(?P<unit>{unit_alt})?"
    ))
    .expect("unit table makes a valid regex");
    Rules {
        number,
        not_indicator,
        before,
        after,
        range_tail,
        cues: automaton(&cue_words),
        cue_kinds,
        contexts: automaton(&context_words),
        context_kinds,
        words: Words::of(lx),
    }
}

/// What a heading or a title says about the figures under it: a review word wins over a plan
/// word in the same heading (`各项目标任务完成情况`), a report genre over both.
pub(crate) fn setting_of(r: &Rules, text: &str) -> Setting {
    let mut best = Setting::Neutral;
    for m in r.contexts.find_iter(text) {
        let k = r.context_kinds[m.pattern().as_usize()];
        let rank = |s: Setting| match s {
            Setting::Neutral | Setting::News => 0,
            Setting::Plan => 1,
            Setting::Retro => 2,
            Setting::Report => 3,
        };
        if rank(k) > rank(best) {
            best = k;
        }
    }
    best
}

/// The document-wide facts a figure is judged against.
#[derive(Clone)]
pub struct Frame<'a> {
    /// The rules of the document's lexicon.
    pub(crate) rules: &'a Rules,
    /// The plan's own year (from its title): the deadline when the text names none.
    pub plan_year: Option<&'a str>,
    /// The year the document speaks from (its plan year, else its date): a figure dated
    /// before it is a result.
    pub ref_year: Option<u32>,
    /// The section's or document's setting.
    pub setting: Setting,
}

#[cfg(test)]
impl Default for Frame<'_> {
    /// No year, no setting, the embedded tables (tests).
    fn default() -> Self {
        Frame {
            rules: embedded_rules(),
            plan_year: None,
            ref_year: None,
            setting: Setting::default(),
        }
    }
}

const CLAUSE_END: &[char] = &[',', ';', '。', ':', '、', '(', ')', '!', '?', '\n'];

/// Where the clause that `before` ends in starts: after its last [`CLAUSE_END`], else 0.
fn clause_start(before: &str) -> usize {
    before
        .rfind(CLAUSE_END)
        .map(|p| p + before[p..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0)
}

/// Emits `targets` facts for every task, and for paragraphs outside numbered units.
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    let text = cx.norm.text.clone();
    let rules = rules_of(cx.gz.lexicon());
    let r: &Rules = &rules;
    let plan_year = cx
        .doc
        .title
        .as_ref()
        .and_then(|(t, _)| YEAR.captures(t).map(|c| c[1].to_string()));
    // The year the document speaks from: the first its title names (`(2022—2024年)` → 2022),
    // else the year of its date.
    let ref_year = cx
        .doc
        .title
        .as_ref()
        .and_then(|(t, _)| first_year(t))
        .or_else(|| cx.doc.date.as_ref().and_then(|d| d.0.get(..4)?.parse().ok()))
        .or_else(|| year_to_come(r, &text));
    let genre = genre_of(cx, r, &text);
    // Unnumbered headings with a setting (`2024年工作计划`), by position; a news page has a
    // headline, not headings.
    let marks = if genre == Setting::News {
        Vec::new()
    } else {
        heading_marks(cx, r, &text, genre, ref_year)
    };
    // A text of no stated kind that closes its work as done (`…,为做好2025年工作奠定了坚实基础。`)
    // reviews it up to that sentence.
    let closing = (genre == Setting::Neutral).then(|| review_closing(&text)).flatten();
    let genre_at = |pos: usize| match closing {
        Some(end) if pos < end => Setting::Retro,
        _ => genre,
    };
    let mark_before = |pos: usize| marks[..marks.partition_point(|m| m.0 < pos)].last().cloned();
    // Scopes: each unit's own text, and each line outside units; the nearer of the unit's
    // section heading and an unnumbered heading sets the setting (and, naming a year, the
    // deadline of figures that name none).
    let scopes: Vec<(Range<usize>, Setting, Option<String>)> = (0..cx.doc.units.len())
        .map(|u| {
            let start = cx.doc.units[u].range.start;
            let mark = match (unit_setting(cx, r, &text, u, genre, ref_year), mark_before(start)) {
                (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
                (a, b) => a.or(b),
            };
            let (setting, year) = mark.map(|m| (m.1, m.2)).unwrap_or((genre_at(start), None));
            (cx.own_range(u), setting, year)
        })
        .collect();
    // An unnumbered heading inside a unit's own text (`第一章 规划背景` then `第一节 发展成效`)
    // holds from its line on, until the next.
    let scopes: Vec<(Range<usize>, Setting, Option<String>)> = scopes
        .into_iter()
        .flat_map(|(r, setting, year)| {
            let mut out = Vec::new();
            let (mut at, mut cur) = (r.start, (setting, year));
            for m in marks.iter().filter(|m| r.start < m.0 && m.0 < r.end) {
                out.push((at..m.0, cur.0, cur.1.clone()));
                at = m.0;
                cur = (m.1, m.2.clone());
            }
            out.push((at..r.end, cur.0, cur.1));
            out
        })
        .collect();
    let mut scopes = scopes;
    let front_end = cx
        .doc
        .lines
        .get(cx.doc.front_matter_end)
        .map(|r| r.start)
        .unwrap_or(text.len());
    let mut covered: Vec<Range<usize>> = cx.doc.units.iter().map(|u| u.range.clone()).collect();
    covered.push(0..front_end.min(first_body_line(cx)));
    // The headline (a first line without a stop) restates what the body says.
    if let Some(first) = cx.doc.lines.iter().find(|r| !text[(*r).clone()].trim().is_empty()) {
        let t = text[first.clone()].trim();
        if !t.contains('。') && t.chars().count() <= 60 {
            covered.push(first.clone());
            // A page that repeats its headline (a title above a heading) restates it again.
            for r in &cx.doc.lines {
                if r.start > first.start && text[r.clone()].trim() == t {
                    covered.push(r.clone());
                }
            }
        }
    }
    // Tables of indicators (`指标 | 2020年基期值 | 2025年目标值`), flattened one row or one cell
    // a line: the target column of each row is an aim.
    for row in indicator_table_rows(&text, &cx.doc.lines, plan_year.as_deref()) {
        covered.push(row.row.clone());
        let task = match cx.task_at(row.row.start) {
            Some(t) => t,
            None => cx.sentence_task(row.row.clone()),
        };
        let evidence = cx.evidence(row.row.clone());
        out.push(Fact {
            doc: String::new(),
            rel: Relation::Targets {
                task: cx.task_ref(task),
                indicator: row.indicator,
            },
            evidence,
            task_index: Some(task),
        });
    }
    let covered = merge_ranges(covered);
    for r in cx.doc.lines.clone() {
        // The merged range starting last at or before the line is the only one that can hold it.
        let i = covered.partition_point(|c| c.start <= r.start);
        if r.is_empty() || i > 0 && r.end <= covered[i - 1].end {
            continue;
        }
        let (mut setting, year) = mark_before(r.start)
            .map(|m| (m.1, m.2))
            .unwrap_or((genre_at(r.start), None));
        // A short line without a clause stop in a text of no stated kind is a headline or a
        // link (`基辛格逝世享年100岁`): its figures are aims only where it says so, as in news.
        let line = text[r.clone()].trim();
        if setting == Setting::Neutral && line.chars().count() <= 40 && !line.contains([',', ';', '。', '!', '?']) {
            setting = Setting::News;
        }
        // A paragraph that opens on a year before the one the text speaks from (`2024年,全区…`
        // in a text that plans 2025) and plans nothing reports that year.
        if matches!(setting, Setting::Neutral | Setting::News) && opens_on_past_year(&rules, line, ref_year) {
            setting = Setting::Retro;
        }
        // A heading glued inside a flattened line holds from its position on.
        let (mut at, mut cur) = (r.start, (setting, year));
        let inside = marks.partition_point(|m| m.0 <= r.start);
        for m in marks[inside..].iter().take_while(|m| m.0 < r.end) {
            scopes.push((at..m.0, cur.0, cur.1.clone()));
            at = m.0;
            cur = (m.1, m.2.clone());
        }
        scopes.push((at..r.end, cur.0, cur.1));
    }
    let scopes = split_tracking_rows(r, &text, scopes);
    for (scope, mut setting, heading_year) in scopes {
        let scope_text = &text[scope.clone()];
        // A paragraph of no stated kind told in the perfective (`整顿了学校周边环境`) that names no
        // aim, commitment or plan word and no deadline reports what was done.
        if setting == Setting::Neutral && has_perfective(scope_text) && !LEAD_IN_YEAR.is_match(scope_text) {
            let aims = r.cues.find_iter(scope_text).any(|m| {
                matches!(
                    r.cue_kinds[m.pattern().as_usize()],
                    Cue::Frame | Cue::Commit | Cue::Modal
                )
            });
            if !aims {
                setting = Setting::Retro;
            }
        }
        let frame = Frame {
            rules: r,
            plan_year: heading_year.as_deref().or(plan_year.as_deref()),
            ref_year,
            setting,
        };
        for found in find_indicators(scope_text, &frame) {
            let abs = scope.start + found.range.start..scope.start + found.range.end;
            // Outside numbered units the task is the paragraph, or the sentence of a paragraph
            // too long to quote (a page flattened into one line).
            let task = match cx.task_at(abs.start) {
                Some(t) => t,
                None if text[scope.clone()].chars().count() > crate::extract::MAX_TASK_TEXT_CHARS => {
                    let sent = cx.sentence_around(abs.start);
                    cx.sentence_task(sent)
                }
                None => cx.sentence_task(scope.clone()),
            };
            let sent = cx.sentence_around(abs.start);
            let evidence = cx.evidence(sent);
            out.push(Fact {
                doc: String::new(),
                rel: Relation::Targets {
                    task: cx.task_ref(task),
                    indicator: found.indicator,
                },
                evidence,
                task_index: Some(task),
            });
        }
    }
}

/// One row of a table of indicators: the row's span (name cell to target cell) and its aim.
struct IndicatorRow {
    row: Range<usize>,
    indicator: Indicator,
}

/// Whether a header cell of an indicator table names a column (a year, 指标, 目标, 属性, 单位,
/// 序号, 年均): the header runs while its cells do.
fn is_indicator_header_cell(c: &str) -> bool {
    c.chars().count() <= 40
        && (first_year(c).is_some()
            || ["指标", "目标", "属性", "单位", "序号", "年均", "基期", "现状"]
                .iter()
                .any(|w| c.contains(w)))
}

/// Rows of tables of indicators: a header whose first cell names the indicators (`指标`) and
/// one of whose cells names the target (`2025年目标值`, `目标`), then rows of as many cells, each
/// a name with its unit in brackets (`粮食综合生产能力(亿吨)`) or a unit column, and the target
/// value (`>6.5`, `64`, `约75`). Cells are split at `|` whether a line holds one cell or a row.
/// A row whose target cell is no number ends the table.
fn indicator_table_rows(text: &str, lines: &[Range<usize>], plan_year: Option<&str>) -> Vec<IndicatorRow> {
    static VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?P<cmp>>=|<=|≥|≤|>|<|约|不低于|不少于|不超过)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<after>以上|以下|左右)?$",
        )
        .expect("valid regex")
    });
    // Cells in reading order with their byte ranges.
    let mut cells: Vec<Range<usize>> = Vec::new();
    for r in lines {
        let line = &text[r.clone()];
        if !line.contains('|') {
            cells.push(r.end..r.end); // a line without a bar breaks a table
            continue;
        }
        let mut at = r.start;
        for part in line.split('|') {
            let lead = part.len() - part.trim_start().len();
            let cell = at + lead..at + lead + part.trim().len();
            if !part.trim().is_empty() {
                cells.push(cell);
            }
            at += part.len() + 1;
        }
    }
    let cell = |r: &Range<usize>| text[r.clone()].trim();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        if cells[i].is_empty() || !is_indicator_header_cell(cell(&cells[i])) {
            i += 1;
            continue;
        }
        let mut k = 1;
        while i + k < cells.len() && !cells[i + k].is_empty() && is_indicator_header_cell(cell(&cells[i + k])) {
            k += 1;
        }
        let head: Vec<&str> = (0..k).map(|j| cell(&cells[i + j])).collect();
        // The column of names (`指标`, `主要指标`) and, after it, the column of targets.
        let name_col = head
            .iter()
            .position(|c| c.contains("指标") && !c.contains("目标") && c.chars().count() <= 8);
        let target_col = head.iter().rposition(|c| c.contains("目标"));
        let (Some(name_col), Some(target_col)) = (name_col, target_col) else {
            i += k;
            continue;
        };
        if target_col <= name_col {
            i += k;
            continue;
        }
        let unit_col = head.iter().position(|c| *c == "单位");
        let deadline = YEAR
            .captures(head[target_col])
            .map(|c| c[1].to_string())
            .or_else(|| plan_year.map(str::to_string));
        let mut at = i + k;
        while at + k <= cells.len() {
            let row = &cells[at..at + k];
            if row.iter().any(|c| c.is_empty()) {
                break;
            }
            let name = cell(&row[name_col]);
            let Some(v) = VALUE.captures(cell(&row[target_col])) else {
                break;
            };
            // The unit: a unit column, else the name's last bracket (`(亿吨)`, `(%)`).
            let unit = unit_col.map(|u| cell(&row[u]).to_string()).or_else(|| {
                let open = name.rfind('(')?;
                let inner = name[open + 1..].strip_suffix(')')?;
                (inner.chars().count() <= 6).then(|| inner.to_string())
            });
            let measure = name.rfind('(').map_or(name, |p| &name[..p]).replace(' ', "");
            let comparator = match (v.name("cmp").map(|c| c.as_str()), v.name("after").map(|c| c.as_str())) {
                (Some(">=" | "≥" | ">" | "不低于" | "不少于"), _) | (_, Some("以上")) => ">=",
                (Some("<=" | "≤" | "<" | "不超过"), _) | (_, Some("以下")) => "<=",
                (Some("约"), _) | (_, Some("左右")) => "~",
                _ => "=",
            };
            if let (Some(value), false) = (parse_value(&v["num"]), measure.is_empty()) {
                let span = row[name_col].start..row[target_col].end;
                out.push(IndicatorRow {
                    row: span.clone(),
                    indicator: Indicator {
                        text: text[span].to_string(),
                        measure,
                        value,
                        unit,
                        comparator: comparator.to_string(),
                        value_max: None,
                        deadline: deadline.clone(),
                    },
                });
            }
            at += k;
        }
        i = at.max(i + k);
    }
    out
}

/// Whether a line is the header row of a tracking table (`序号 | 项目名称 | 项目内容 | 当前进展情况 |
/// 进度评价`): a cell naming the work and, after it, a cell naming its progress.
fn is_tracking_header(r: &Rules, line: &str) -> bool {
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    let task = cells
        .iter()
        .position(|c| c.chars().count() <= 8 && holds(&r.words.task_column, c));
    let progress = cells
        .iter()
        .rposition(|c| c.chars().count() <= 8 && holds(&r.words.progress_column, c));
    matches!((task, progress), (Some(t), Some(p)) if t < p)
}

/// Rows of a tracking table under its header: each row states the work (an aim), then how far it
/// has got (a result). A row's cells are read in order: the cells up to the first that holds a
/// figure state aims; that cell ends the work, and a cell that reports (已) ends it too. Later
/// cells report progress: a figure there is an aim only where the cell frames it (`2023年目标建成
/// …100个`). Flattened pages lose merged cells, so the work is found by content, not by column.
fn split_tracking_rows(
    rules: &Rules,
    text: &str,
    scopes: Vec<(Range<usize>, Setting, Option<String>)>,
) -> Vec<(Range<usize>, Setting, Option<String>)> {
    // Where each tracking table starts: after its header line, until a line without a cell bar.
    let mut tables: Vec<Range<usize>> = Vec::new();
    let mut pos = 0;
    let mut open: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let end = pos + line.len();
        match open {
            Some(start) if !line.contains('|') => {
                tables.push(start..pos);
                open = None;
            }
            None if is_tracking_header(rules, line) => open = Some(end),
            _ => {}
        }
        pos = end;
    }
    if let Some(start) = open {
        tables.push(start..text.len());
    }
    if tables.is_empty() {
        return scopes;
    }
    let probe = Frame {
        rules,
        plan_year: None,
        ref_year: None,
        setting: Setting::Plan,
    };
    let mut out = Vec::with_capacity(scopes.len());
    for (scope, setting, year) in scopes {
        if !tables.iter().any(|t| t.start <= scope.start && scope.end <= t.end) {
            out.push((scope, setting, year));
            continue;
        }
        let mut at = scope.start;
        for line in text[scope.clone()].split_inclusive('\n') {
            let mut seen_work = false;
            let mut c = at;
            for cell in line.split_inclusive('|') {
                let r = c..c + cell.len();
                c = r.end;
                let reported = (rules.cues.find_iter(&text[r.clone()]))
                    .any(|m| rules.cue_kinds[m.pattern().as_usize()] == Cue::Result);
                if reported {
                    seen_work = true;
                }
                let s = if seen_work { Setting::Retro } else { Setting::Plan };
                if !seen_work && !find_indicators(&text[r.clone()], &probe).is_empty() {
                    seen_work = true;
                }
                out.push((r, s, year.clone()));
            }
            at += line.len();
        }
    }
    out
}

/// The first year (19xx or 20xx, not part of a longer number) a text names.
fn first_year(t: &str) -> Option<u32> {
    let b = t.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let four = &b[i..i + 4];
        let digits = four.iter().all(u8::is_ascii_digit);
        let alone = (i == 0 || !b[i - 1].is_ascii_digit()) && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        (digits && alone && (four.starts_with(b"19") || four.starts_with(b"20")))
            .then(|| t[i..i + 4].parse().ok())
            .flatten()
    })
}

/// The year a text of no dated title announces as the one to come: the first year it names
/// with a plan after it in its clause (`2025年,我们将…`, `2025年工作安排`, `展望2025年`) or as
/// what its work prepares (`为做好2025年工作奠定了基础`). A text that speaks of the year to come
/// speaks from it: the figures it dates by an earlier year are results. Deadlines (`到2025年`)
/// announce nothing.
fn year_to_come(r: &Rules, text: &str) -> Option<u32> {
    let b = text.as_bytes();
    let mut best: Option<u32> = None;
    let mut i = 0;
    while let Some(off) = text[i..].find('年') {
        let at = i + off;
        i = at + '年'.len_utf8();
        if at < 4 || !b[at - 4..at].iter().all(u8::is_ascii_digit) || at > 4 && b[at - 5].is_ascii_digit() {
            continue;
        }
        let Ok(year) = text[at - 4..at].parse::<u32>() else {
            continue;
        };
        if !(1900..2100).contains(&year) {
            continue;
        }
        let before = &text[..at - 4];
        if before.ends_with(['到', '至', '比', '较', '—', '-', '–', '~', '(', '《', '与']) {
            continue;
        }
        let clause = &text[i..];
        let clause = &clause[..clause.find(CLAUSE_END).unwrap_or(clause.len())];
        // The rest of the sentence after the year, for `为做好2025年工作奠定了基础`.
        let sentence = &text[i..];
        let sentence = &sentence[..sentence.find(SENTENCE_END).unwrap_or(sentence.len())];
        let lead = &before[clause_start(before)..];
        let prepares = (lead.starts_with('为') || lead.contains("为做好") || lead.contains("为实现"))
            && ["奠定", "打下", "打好"].iter().any(|w| sentence.contains(w));
        // The clause after the year, and what follows its comma (`2025年,我们将…`).
        let next = {
            let rest = text[i..].strip_prefix(',').unwrap_or("");
            &rest[..rest.find(CLAUSE_END).unwrap_or(rest.len())]
        };
        let plans = |c: &str| {
            setting_of(r, c) == Setting::Plan && !c.contains(['了', '已'])
                || r.cues.find_iter(c).any(|m| {
                    matches!(
                        r.cue_kinds[m.pattern().as_usize()],
                        Cue::Modal | Cue::Commit | Cue::Frame
                    )
                })
        };
        let opens_on = before.is_empty() || before.ends_with(['\n', '。', ';', ',']) || before.ends_with("展望");
        if prepares || opens_on && (plans(clause) || plans(next)) || before.ends_with("展望") {
            best = Some(best.map_or(year, |b| b.min(year)));
        }
    }
    best
}

/// The end of the last sentence that says the work before it prepared what comes
/// (`为做好2025年工作奠定了基础`, `为明年发展打下了坚实基础`): perfective, with its purpose `为…`.
fn review_closing(text: &str) -> Option<usize> {
    let mut last = None;
    for w in ["奠定了", "打下了"] {
        let mut i = 0;
        while let Some(off) = text[i..].find(w) {
            let at = i + off;
            i = at + w.len();
            let start = text[..at]
                .rfind(SENTENCE_END)
                .map_or(0, |p| p + text[p..].chars().next().map_or(1, char::len_utf8));
            let end = text[i..].find(SENTENCE_END).map_or(text.len(), |p| i + p);
            if text[start..at].contains('为') && last.is_none_or(|l| end > l) {
                last = Some(end);
            }
        }
    }
    last
}

/// Whether a paragraph opens on a year before `ref_year` (`2024年,…`, `2024年是…`) and names
/// no aim, commitment or plan word.
fn opens_on_past_year(r: &Rules, line: &str, ref_year: Option<u32>) -> bool {
    let Some(ref_year) = ref_year else { return false };
    let year = line.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
    let opens = year.is_some_and(|_| line[4..].starts_with('年') && !line[4..].starts_with("年度目标"));
    opens
        && year.and_then(|y| y.parse::<u32>().ok()).is_some_and(|y| y < ref_year)
        && !r.cues.find_iter(line).any(|m| {
            matches!(
                r.cue_kinds[m.pattern().as_usize()],
                Cue::Modal | Cue::Commit | Cue::Frame
            )
        })
        && !LEAD_IN_YEAR.is_match(line)
}

/// The document's genre: a report of results (`统计公报`, `工作总结`, in the title or the
/// first line) or a plan (its title says so); otherwise sections decide.
fn genre_of(cx: &Context, r: &Rules, text: &str) -> Setting {
    let title = cx.doc.title.as_ref().map(|t| setting_of(r, &t.0)).unwrap_or_default();
    let first = cx
        .doc
        .lines
        .iter()
        .map(|r| text[r.clone()].trim())
        .find(|l| !l.is_empty())
        .map(|l| setting_of(r, l))
        .unwrap_or_default();
    // A title whose head word reports (`关于…重点工作1-9月进展情况的通报`): the last context word
    // it names is a review word, with at most a genre noun after it (`的通报`, `的报告`).
    let first_line = cx
        .doc
        .lines
        .iter()
        .map(|r| text[r.clone()].trim())
        .find(|l| !l.is_empty());
    let reports_title = cx
        .doc
        .title
        .as_ref()
        .map(|t| t.0.as_str())
        .into_iter()
        .chain(first_line)
        .any(|t| {
            t.chars().count() <= 80
                && r.contexts.find_iter(t).last().is_some_and(|m| {
                    r.context_kinds[m.pattern().as_usize()] == Setting::Retro
                        && t[m.end()..].trim().chars().count() <= 4
                })
        });
    match (title, first) {
        (Setting::Report, _) | (_, Setting::Report) => Setting::Report,
        _ if reports_title => Setting::Report,
        (Setting::Plan, _) => Setting::Plan,
        _ if is_news_page(cx, text) => Setting::News,
        _ if only_reports(r, text) => Setting::Report,
        _ => Setting::Neutral,
    }
}

/// A text that keeps reporting (比上年, 同比, 已, 截至, 过去一年) and never states an aim
/// (目标, 力争, 确保, 到2025年): a statistical bulletin or a report of results, whatever its title.
fn only_reports(r: &Rules, text: &str) -> bool {
    let (mut reports, mut aims) = (0, 0);
    for m in r.cues.find_iter(text) {
        match r.cue_kinds[m.pattern().as_usize()] {
            Cue::Frame | Cue::Commit => aims += 1,
            Cue::Result | Cue::Past | Cue::WeakResult => reports += 1,
            _ => {}
        }
        // Three aims answer already.
        if aims > 2 {
            return false;
        }
    }
    if reports < 3 {
        return false;
    }
    aims += YEAR.find_iter(text).filter(|m| m.as_str().starts_with('到')).count();
    // No aim at all, or a long run of reports (a bulletin's 同比, 比上年) against an aim or two
    // named in passing (`围绕到2018年全面建成小康社会目标`).
    reports >= 3 && aims == 0 || reports >= 12 && aims <= 2
}

/// A news page: its opening lines carry a byline, a source or a page counter (`记者`,
/// `来源:`, `发布时间:`, `浏览次数`) and no numbered structure follows.
fn is_news_page(cx: &Context, text: &str) -> bool {
    const MARKERS: &[&str] = &[
        "记者",
        "通讯员",
        "日讯",
        "讯(",
        "来源",
        "稿源",
        "编辑",
        "发布时间",
        "发布日期",
        "发表于",
        "浏览",
        "阅读",
        "点击",
    ];
    // A page counter counts (`阅读:1207`, `浏览次数 88`): a line that only names reading
    // (`(阅读全部图文内容,您需要先登录!)` under a report) is no counter.
    const COUNTERS: &[&str] = &["浏览", "阅读", "点击"];
    let opening = cx
        .doc
        .lines
        .iter()
        .map(|r| text[r.clone()].trim())
        .filter(|l| !l.is_empty())
        .take(8);
    let bylined = opening.into_iter().any(|l| {
        l.chars().count() <= 80
            && MARKERS.iter().any(|m| {
                l.contains(m) && (!COUNTERS.contains(m) || l.contains(|c: char| c.is_ascii_digit() || c == ':'))
            })
    });
    bylined && cx.doc.units.len() < 3
}

/// The setting the nearest section heading says for a unit's own text (the unit's own heading
/// when it is a section, then its enclosing sections'), with the heading's position.
fn unit_setting(
    cx: &Context,
    r: &Rules,
    text: &str,
    unit: usize,
    genre: Setting,
    ref_year: Option<u32>,
) -> Option<Mark> {
    let mut cur = Some(unit);
    while let Some(u) = cur {
        let unit = &cx.doc.units[u];
        if matches!(unit.kind, UnitKind::Part | UnitKind::Section | UnitKind::Subsection) {
            let head = heading_text(&text[unit.heading.clone()]);
            let year = || YEAR.captures(head).map(|c| c[1].to_string());
            match setting_of(r, head) {
                Setting::Neutral | Setting::News => {}
                Setting::Plan if genre == Setting::Report && !turns_to_plan(r, head, ref_year) => {}
                Setting::Report => return Some((unit.range.start, Setting::Retro, year())),
                s => return Some((unit.range.start, s, year())),
            }
        }
        cur = unit.parent;
    }
    None
}

/// A heading that sets what the figures after it are: its position, the setting, and the year
/// it names (`2024年工作思路`: the figures under it are due that year).
type Mark = (usize, Setting, Option<String>);

/// The heading part of a section's first line: up to its first stop (`(一)粮食生产稳定。全年…`
/// → `粮食生产稳定`), or nothing when the line is prose without one.
fn heading_text(line: &str) -> &str {
    let head = line.split(['。', ';', ':', '!', '?']).next().unwrap_or("").trim();
    if head.chars().count() <= 40 {
        head
    } else {
        ""
    }
}

/// Unnumbered headings that set what the figures after them are: short lines without
/// sentence punctuation (`2024年工作总结`, `二〇二五年工作打算`), with their position. A bare
/// field name of a table (`完成情况`, `目标任务`, four characters or fewer) is no heading.
fn heading_marks(cx: &Context, rules: &Rules, text: &str, genre: Setting, ref_year: Option<u32>) -> Vec<Mark> {
    let lines = &cx.doc.lines;
    let mut marks: Vec<Mark> = lines
        .iter()
        .enumerate()
        .filter_map(|(at, r)| {
            let line = text[r.clone()].trim();
            // A lead-in that announces a list of aims by their year (`到2025年,全市…主要指标如下:`)
            // is a plan heading for what follows, with that year as the deadline.
            if line.ends_with(':') && line.contains("如下") {
                if let Some(c) = LEAD_IN_YEAR.captures(line) {
                    return Some((r.start, Setting::Plan, Some(c[1].to_string())));
                }
            }
            // A sentence that announces the list under it in its last clause (`…,以下是2023年工作
            // 回顾:`, `我们将紧紧围绕以下目标开展工作:`) sets what that list is.
            if let Some(lead) = line.strip_suffix(':').filter(|l| l.contains("以下")) {
                let last = lead.rsplit([',', ';', '。']).next().unwrap_or(lead);
                let year = || YEAR.captures(last).map(|c| c[1].to_string());
                match setting_of(rules, last) {
                    Setting::Neutral | Setting::News => {}
                    Setting::Report => return Some((r.start, Setting::Retro, year())),
                    s => return Some((r.start, s, year())),
                }
            }
            // A lead-in whose last clause names the aims it lists (`主要预期目标包括:`,
            // `今年的主要目标是:`) sets the list under it as aims, unless it reports them
            // (`主要目标完成情况:`).
            if let Some(lead) = line.strip_suffix(':') {
                let last = lead.rsplit([',', ';', '。']).next().unwrap_or(lead);
                let frames = rules
                    .cues
                    .find_iter(last)
                    .any(|m| rules.cue_kinds[m.pattern().as_usize()] == Cue::Frame);
                if frames && setting_of(rules, last) == Setting::Plan && !has_perfective(last) {
                    return Some((r.start, Setting::Plan, YEAR.captures(last).map(|c| c[1].to_string())));
                }
            }
            // A paragraph that opens on a past period and states no figure (`一年来,…交出了一份
            // 答卷。`) leads into a review: the figures after it are results until a heading or a
            // sentence frames an aim.
            let opens_past = (rules
                .cues
                .find(aho_corasick::Input::new(line).anchored(aho_corasick::Anchored::Yes)))
            .is_some_and(|m| rules.cue_kinds[m.pattern().as_usize()] == Cue::Past);
            if opens_past && !line.contains(|c: char| c.is_ascii_digit()) {
                return Some((r.start, Setting::Retro, None));
            }
            let t = line.trim_end_matches(':');
            let n = t.chars().count();
            // A heading of four characters or fewer (`主要成绩`, `工作回顾`) is a heading only above
            // prose, not among the short cells of a flattened table (`完成情况` then `责任单位`).
            let above_prose = || {
                lines[at + 1..]
                    .iter()
                    .map(|r| text[r.clone()].trim())
                    .find(|l| !l.is_empty())
                    .is_some_and(|l| l.chars().count() > 12 && l.contains(['。', ',', ';']))
            };
            if n > 30 || n < 2 || n < 5 && !above_prose() || t.contains(['。', ',', ';', ':', '!', '?']) {
                return None;
            }
            let year = || YEAR.captures(t).map(|c| c[1].to_string());
            match setting_of(rules, t) {
                // A heading naming a year and no kind (`二、2024年经济社会发展总体要求`) is marked
                // by its year, for the rule below.
                Setting::Neutral | Setting::News if names_section_year(t) => {
                    year().map(|y| (r.start, Setting::Neutral, Some(y)))
                }
                Setting::Neutral | Setting::News => None,
                Setting::Plan if genre == Setting::Report && !turns_to_plan(rules, t, ref_year) => None,
                Setting::Report => Some((r.start, Setting::Retro, year())),
                s => Some((r.start, s, year())),
            }
        })
        .collect();
    // A page flattened into one line keeps its numbered section headings glued to their prose
    // (`…提出意见。一、2023年工作回顾2023年是…`): a Chinese numeral label after a sentence stop,
    // then a few words ending in a context word, is a heading at the label.
    for r in lines.iter().filter(|r| r.len() > 600) {
        let line = &text[r.clone()];
        for (i, _) in line.match_indices('、') {
            let label = line[..i]
                .char_indices()
                .rev()
                .take_while(|(_, c)| "一二三四五六七八九十".contains(*c))
                .last()
                .map(|(j, _)| j);
            let Some(ls) = label else { continue };
            if !line[..ls]
                .chars()
                .last()
                .is_none_or(|c| matches!(c, '。' | '!' | '?' | ';'))
            {
                continue;
            }
            let rest = &line[i + '、'.len_utf8()..];
            let head = &rest[..rest.char_indices().nth(16).map_or(rest.len(), |(j, _)| j)];
            let Some(m) = rules.contexts.find_iter(head).next() else {
                continue;
            };
            let head = &head[..m.end()];
            if head.contains(['。', ',', ';', ':', '!', '?']) {
                continue;
            }
            let year = YEAR.captures(head).map(|c| c[1].to_string());
            match setting_of(rules, head) {
                Setting::Neutral | Setting::News => {}
                Setting::Plan if genre == Setting::Report && !turns_to_plan(rules, head, ref_year) => {}
                Setting::Report => marks.push((r.start + ls, Setting::Retro, year)),
                s => marks.push((r.start + ls, s, year)),
            }
        }
    }
    marks.sort_by_key(|m| m.0);
    // A heading that names a later year than the review before it (`一、2023年工作回顾` then
    // `二、2024年发展总体要求`) turns to the plan of that year; one that names no later year
    // leaves the setting as it was.
    let mut last_retro: Option<u32> = None;
    let report = genre == Setting::Report;
    marks.retain_mut(|m| {
        let year: Option<u32> = m.2.as_deref().and_then(|y| y.parse().ok());
        match m.1 {
            Setting::Retro => {
                last_retro = year.or(last_retro);
                true
            }
            Setting::Neutral => {
                let later = !report && matches!((year, last_retro), (Some(y), Some(r)) if y > r);
                if later {
                    m.1 = Setting::Plan;
                    last_retro = None;
                }
                later
            }
            _ => {
                last_retro = None;
                true
            }
        }
    });
    marks
}

/// Whether a plan heading in a report of results (`工作总结`, `…进展情况的通报`) turns to the
/// period to come: it names a later year than the report's, the next step (`下一步`, `明年`,
/// `打算`, `思路`, `安排`) or an aim not reported done. A heading that only names the kind of
/// its content (`主要经济指标方面`, `现代产业体系构建取得新成效`) keeps reporting.
fn turns_to_plan(r: &Rules, head: &str, ref_year: Option<u32>) -> bool {
    let later = first_year(head).zip(ref_year).is_some_and(|(y, r)| y > r);
    let next = ["下一步", "思路", "安排", "打算", "计划"]
        .iter()
        .any(|w| head.contains(w));
    let aims = r.cues.find_iter(head).any(|m| {
        matches!(
            r.cue_kinds[m.pattern().as_usize()],
            Cue::Frame | Cue::Commit | Cue::Modal
        )
    });
    later || (next || aims) && !has_perfective(head) && !head.contains('已')
}

/// Whether a heading is a numbered section naming the year of its subject
/// (`二、2024年经济社会发展总体要求`, `### 二、2024年…`), not a date line (`(2020年7月10日)`).
fn names_section_year(t: &str) -> bool {
    let t = t.trim_start_matches(['#', ' ']);
    let Some((label, rest)) = t.split_once('、') else {
        return false;
    };
    let numbered = !label.is_empty()
        && label.chars().count() <= 3
        && label
            .chars()
            .all(|c| "一二三四五六七八九十".contains(c) || c.is_ascii_digit());
    let year_then_words = rest.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
        && rest[4..].starts_with('年')
        && rest[4 + '年'.len_utf8()..].starts_with(|c: char| crate::normalize::is_han(c) && c != '月');
    numbered && year_then_words
}

/// Non-empty ranges merged where they overlap, sorted by start.
fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Start of the body: the first line after the signature or title (front matter has no targets).
fn first_body_line(cx: &Context) -> usize {
    let sig = cx.doc.signature.as_ref().map(|s| s.1.end).unwrap_or(0);
    let title = cx.doc.title.as_ref().map(|t| t.1.end).unwrap_or(0);
    let number = cx.doc.number.as_ref().map(|n| n.1.end).unwrap_or(0);
    sig.max(title).max(number)
}

/// An indicator found in a text, with its byte range there.
pub struct Found {
    pub range: Range<usize>,
    pub indicator: Indicator,
}

/// Finds indicators in one scope of text.
pub fn find_indicators(text: &str, frame: &Frame) -> Vec<Found> {
    let r = frame.rules;
    let plan_year = frame.plan_year;
    let mut cues = SentenceCues::default();
    let mut skip_until = 0;
    let mut out: Vec<Found> = Vec::new();
    let mut index: Option<ScopeIndex> = None;
    for caps in r.number.captures_iter(text) {
        let m = caps.get(0).expect("match");
        let num = &caps["num"];
        // `7.2 %`: a space before the percent sign.
        let unit = caps.name("unit").map(|u| u.as_str().trim_start());
        let mag = caps.name("mag").map(|u| u.as_str()).unwrap_or("");
        let percent_word = num.starts_with("百分之");
        let chinese = !percent_word && !num.starts_with(|c: char| c.is_ascii_digit());
        if m.start() < skip_until {
            continue;
        }
        // A range that repeats the unit: `5%-8%`, `10亿元至15亿元`.
        let mut m_end = m.end();
        let mut tail_max = None;
        if caps.name("num2").is_none() && (unit.is_some() || percent_word) {
            if let Some(c) = r.range_tail.captures(&text[m_end..]) {
                let unit_again = format!(
                    "{}{}",
                    c.name("mag").map_or("", |x| x.as_str()),
                    c.name("unit").map_or("", |x| x.as_str())
                );
                let unit_here = format!("{mag}{}", unit.unwrap_or(if percent_word { "%" } else { "" }));
                if unit_again == unit_here {
                    tail_max = parse_value(&c["num"]);
                    m_end += c[0].len();
                    skip_until = m_end;
                }
            }
        }
        let before = &text[..m.start()];
        let after = &text[m_end..];
        let prev = before.chars().last();
        // Codes and names: 5G, G60, S330, 1+9+N, 5A级, 第三届, 2.0版, dates.
        if prev.is_some_and(|c| c.is_ascii_alphanumeric() || c == '+' || c == '第' || c == '.' || c == '/')
            || after.starts_with(|c: char| {
                c.is_ascii_alphabetic()
                    || c == '+'
                    || c == '年'
                    || c == '月'
                    || c == '日'
                    || c == '号'
                    || c == '届'
                    || c == '版'
                    || c == '期'
                    || c == '强'
            })
        {
            continue;
        }
        let wstart = before.char_indices().rev().nth(2).map(|(i, _)| i).unwrap_or(0);
        let wend = text[wstart..].char_indices().nth(12).map_or(text.len(), |(i, _)| wstart + i);
        let window = &text[wstart..wend];
        if r.not_indicator.as_ref().is_some_and(|re| re.is_match(&text[m.start()..]))
            || window.contains("十四五")
            || window.contains("十五五")
        {
            continue;
        }
        let index = index.get_or_insert_with(|| ScopeIndex::new(text));
        if index.inside_quotes_or_title(text, m.start(), m.end())
            || before.ends_with("不含")
            || before.ends_with('含')
            || before.ends_with('等') && !works_on_list(r, before)
            || before.ends_with('的') && !counts_the_qualified(r, before, after)
        {
            continue;
        }
        // The number of items under a heading (`县示范区管委会牵头工作(8项)`): the size of the list
        // that follows, not an aim.
        if before.ends_with('(')
            && after.starts_with(')')
            && after[1..].split('\n').next().is_some_and(|l| l.trim().is_empty())
        {
            continue;
        }
        // Comparators.
        let before_cmp = r.before.iter().find(|(w, _)| before.ends_with(w.as_str()));
        let after_cmp = r.after.iter().find(|(w, _)| after.starts_with(w.as_str()));
        let unit_full = match (unit, mag) {
            _ if percent_word => Some("%".to_string()),
            (Some(u), m) => Some(format!("{m}{u}")),
            (None, "") => None,
            (None, m) => Some(m.to_string()),
        };
        if unit_full.is_none() && before_cmp.is_none() {
            continue;
        }
        if unit_full.is_none() && !after_cmp.is_some_and(|(w, _)| w == "以内" || w == "以下" || w == "以上") {
            continue;
        }
        // Chinese numerals are counts only after a target verb, with a comparator, or as the
        // count that closes a clause holding a target verb (`新增两项`, `不少于十五个`,
        // `新认定高新技术企业十五家。`); `三个坚决`-style names have none of these.
        let target_verb = ends_with_any(&r.words.target_verb, before);
        let closes_verb_clause = || {
            let head = &before[clause_start(before)..];
            unit_full.is_some()
                && after.chars().next().is_none_or(|c| CLAUSE_END.contains(&c))
                && holds(&r.words.target_verb, head)
        };
        if chinese
            && (num == "一" || (before_cmp.is_none() && after_cmp.is_none() && !target_verb && !closes_verb_clause()))
        {
            continue;
        }
        let u = unit_full.clone().unwrap_or_default();
        if u == "个" && (after.starts_with("方面") || after.starts_with("百分点")) {
            continue;
        }
        // `项` that opens the word 项目 is no unit: a heading number (`2.1项目引资目标`), not a
        // count (`完成10项目标任务` keeps it).
        if unit == Some("项") && mag.is_empty() && after.starts_with('目') && !after.starts_with("目标") {
            continue;
        }
        // The parts of a text (`明确133项具体任务`, `涉及34个牵头单位`, `分为10章共33条`): what the
        // document holds, not what the work is to achieve.
        if counts_document_parts(r, before, after) {
            continue;
        }
        // A class, not an amount: `10万吨级货轮`, `千亿级产业集群`, `前10名`.
        if !u.is_empty() && after.starts_with('级') || prev == Some('前') {
            continue;
        }
        // Thresholds that qualify a noun: 500万元以上重点项目, 3.2米及以下水泥粉磨, 2500吨/日,
        // 6亩以下(不含6亩)的 (sizes followed by the noun they qualify, below).
        if after.starts_with('/') {
            continue;
        }
        if let Some((w, _)) = after_cmp {
            let rest = &after[w.len()..];
            let next = rest.chars().next();
            if ends_with_any(&r.words.size_unit, &u) && !next.is_none_or(|c| matches!(c, ',' | ';' | '。' | '\n')) {
                continue;
            }
            if next == Some('的') && !names_aim(&rest['的'.len_utf8()..]) {
                continue;
            }
        }
        // Attributes (`50%的政策`, `30人(含)以下`) and past facts (`看了7个园区`) are not targets.
        let tail = &after[after_cmp.map(|(w, _)| w.len()).unwrap_or(0)..];
        // A size naming the kind of thing a later count in its clause counts (`其中超10亿元项目8个
        // 以上`, `5000万元以上项目20个`): the count is the aim, the size qualifies its noun.
        if ends_with_any(&r.words.size_unit, &u) && tail.starts_with(crate::normalize::is_han) {
            let clause_rest = tail.split(CLAUSE_END).next().unwrap_or("");
            if clause_rest.contains(|c: char| c.is_ascii_digit()) {
                continue;
            }
        }
        // …except the size of the one thing a verb builds (`共建超1500亩的产业园`).
        let built = {
            let b = before_cmp
                .map(|(w, _)| before.strip_suffix(w.as_str()).unwrap_or(before))
                .unwrap_or(before);
            after_cmp.is_none() && ends_with_any(&r.words.build_verb, b)
        };
        let aim_noun = tail.strip_prefix('的').is_some_and(names_aim);
        // A share of the things that reach a state (`50%的城市社区建成综合体`, `20%的村集体年收入
        // 超30万元`): the share is the aim; a figure in the state it names is its condition.
        let share = u == "%"
            && tail.strip_prefix('的').is_some_and(|rest| {
                let state = &rest[..rest.find(CLAUSE_END).unwrap_or(rest.len())];
                holds(&r.words.target_verb, state) || state.contains('超')
            });
        if tail.starts_with('的') && !built && !aim_noun && !share || tail.starts_with("(含") {
            continue;
        }
        let clause_head = &before[clause_start(before)..];
        if clause_head.contains("%的") && !clause_head.contains("基础上") {
            continue;
        }
        // The object of a verb of focus (`聚焦全省16个先进制造业集群和50条重点产业链`) is the work's
        // scope, not an aim (`依托现有园区新建标准厂房10万平方米` still builds).
        let scope_object = (r.words.scope_verb.iter())
            .find_map(|v| clause_head.strip_prefix(v.as_str()))
            .is_some_and(|o| {
                let o = ["全省", "全市", "全区", "全县", "全国", "我省", "我市"]
                    .iter()
                    .find_map(|p| o.strip_prefix(p))
                    .unwrap_or(o);
                // The figure itself, or a later one of a list of counts (`16个集群和50条产业链`).
                o.is_empty() || o.starts_with(|c: char| c.is_ascii_digit())
            });
        if scope_object {
            continue;
        }
        // A result (已, 同比, 过去一年, a past year), a policy parameter (给予最高…) or a figure
        // in a review section is not an aim.
        let end_cmp = m_end + after_cmp.map(|(w, _)| w.len()).unwrap_or(0);
        if !is_aim(
            text,
            (m.start(), end_cmp),
            unit_full.as_deref(),
            frame,
            index,
            &mut cues,
        ) {
            continue;
        }
        let Some(value) = parse_value(num) else { continue };
        let value_max = caps.name("num2").and_then(|n| parse_value(n.as_str())).or(tail_max);
        let comparator = if value_max.is_some() {
            "range".to_string()
        } else if let Some((_, c)) = after_cmp {
            c.clone()
        } else if let Some((_, c)) = before_cmp {
            c.clone()
        } else {
            "=".to_string()
        };
        // Extent: from the clause start (measure) to the end of the after-comparator.
        let mut clause_start = clause_start(before);
        // A list of counts joined by a conjunction (`748个示范村和20万户示范户`): the count after
        // 和/及/与 opens its own item, and the count before it stays a figure of its own.
        if text[clause_start..].starts_with(|c: char| c.is_ascii_digit()) {
            if let Some(conj) = ["以及", "和", "及", "与"].iter().find(|c| before.ends_with(**c)) {
                let item_start = before.len() - conj.len();
                if item_start > clause_start && before[clause_start..item_start].chars().any(|c| !c.is_ascii_digit()) {
                    clause_start = before.len();
                }
            }
        }
        let end = m_end + after_cmp.map(|(w, _)| w.len()).unwrap_or(0);
        let mut measure = text[clause_start..m.start()].to_string();
        if let Some((w, _)) = before_cmp {
            measure = measure.trim_end_matches(w.as_str()).to_string();
        }
        for filler in ["全年", "力争", "确保", "努力", "争取", "全市", "年内", "今年"] {
            if let Some(s) = measure.strip_prefix(filler) {
                measure = s.to_string();
            }
        }
        if measure.chars().count() < 2 || measure.ends_with('等') {
            // Number first (`3条…生产线`): the measure follows.
            let tail_end = after.find(CLAUSE_END).unwrap_or(after.len());
            measure = after[..tail_end].to_string();
        }
        // A bare magnitude with nothing measured (`突破一千亿` in a slogan): no figure of anything.
        let bare_magnitude = caps.name("unit").is_none() && !mag.is_empty() && !percent_word;
        if bare_magnitude && measure.trim().is_empty() {
            continue;
        }
        let deadline = index.deadline_for(text, clause_start, plan_year);
        let ind_text = text[clause_start..end].to_string();
        out.push(Found {
            range: clause_start..end,
            indicator: Indicator {
                text: ind_text,
                measure: measure.trim().to_string(),
                value,
                unit: unit_full,
                comparator,
                value_max,
                deadline,
            },
        });
    }
    // A count that opens a clause holding another indicator is part of that one's measure
    // (`6个“雁阵形”产业集群规模突破2000亿元`).
    let mut keep = vec![true; out.len()];
    for i in 0..out.len() {
        let starts_clause = out[i].indicator.text.starts_with(|c: char| c.is_ascii_digit());
        let same_clause_later = out.iter().skip(i + 1).any(|o| o.range.start == out[i].range.start);
        if starts_clause && same_clause_later {
            keep[i] = false;
        }
    }
    let mut k = 0;
    out.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    out
}

/// Whether a count after `的` counts the things a threshold before it qualifies
/// (`年营业收入超1000亿元的2个,超500亿元的5个`): the qualifier ends in a figure with its unit and
/// the count closes the clause.
fn counts_the_qualified(r: &Rules, before: &str, after: &str) -> bool {
    let q = before.strip_suffix('的').unwrap_or(before);
    let q = q.strip_suffix("以上").or_else(|| q.strip_suffix("以下")).unwrap_or(q);
    let lo = floor_char(q, q.len().saturating_sub(24));
    let threshold = r
        .number
        .captures_iter(&q[lo..])
        .last()
        .is_some_and(|c| c.get(0).is_some_and(|m| lo + m.end() == q.len()) && c.name("unit").is_some());
    threshold && after.chars().next().is_none_or(|c| CLAUSE_END.contains(&c))
}

/// Whether a count names how many parts a text holds: a verb of content just before it and a noun
/// of a text's parts after it (`明确133项具体任务`, `同时规划了109项重大工程项目`), or an article
/// count of a text divided into chapters (`分为10章共33条`).
fn counts_document_parts(r: &Rules, before: &str, after: &str) -> bool {
    let lo = floor_char(before, before.len().saturating_sub(120));
    let head = &before[lo..];
    let head = &head[head
        .rfind([',', ';', '。', ':', '\n'])
        .map(|p| p + head[p..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0)..];
    let verb = holds(&r.words.content_verb, head);
    // The noun after the unit, past a short modifier (具体, 重大, 牵头).
    let noun_end = after.find(CLAUSE_END).unwrap_or(after.len());
    let noun: String = after[..noun_end].chars().take(8).collect();
    let part_noun =
        (r.words.doc_part.iter()).any(|n| find_word(&noun, n).is_some_and(|p| noun[..p].chars().count() <= 3));
    let chapters = head.contains("分为") && head.contains('章');
    (verb && part_noun) || chapters
}

/// Whether the noun a figure qualifies with 的 is the aim itself (`50000家以上的总体目标`): the
/// figure is then the aim, not a threshold of the noun.
fn names_aim(after_de: &str) -> bool {
    let rest = ["总体", "主要", "发展", "工作", "预期", "年度"]
        .iter()
        .find_map(|p| after_de.strip_prefix(p))
        .unwrap_or(after_de);
    rest.starts_with("目标")
}

/// Whether the clause that ends in `等` before a count opens with a verb of work, so that the
/// count is the size of the work (`打通九龙山路、翠华山路等17条断头路`), not a summary of what
/// the text names (`依托上海安徽商会等5个商会`, `从…等4个方面提出`).
fn works_on_list(r: &Rules, before: &str) -> bool {
    let start = before
        .rfind([',', ';', '。', ':', '\n'])
        .map(|p| p + before[p..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    let clause = &before[start..];
    let head: String = clause.chars().take(12).collect();
    holds(&r.words.list_work_verb, &head) && !clause.starts_with('从') && !clause.starts_with("依托")
}

/// Sentence-ending characters: the span whose cue words frame a figure (a list of aims joined
/// by `;` after `主要目标是:` shares its frame).
const SENTENCE_END: &[char] = &['。', '!', '?', '\n'];
/// Clause ends for tense and parameter cues; `、` does not end one (`提出了11个方面、37项任务`).
const TENSE_END: &[char] = &[',', ';', '。', ':', '!', '?', '\n'];

/// The cue words of the sentence last asked about (figures of one sentence share them).
#[derive(Default)]
struct SentenceCues {
    range: Range<usize>,
    /// (start, end, kind) of each cue, by position.
    found: Vec<(usize, usize, Cue)>,
}

/// The largest char boundary at or before a byte offset.
fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Bounds of the span around `start..end` up to the nearest of `stops` on each side, at most
/// about 300 characters each way.
fn span_around(text: &str, start: usize, end: usize, stops: &[char]) -> Range<usize> {
    let lo = floor_char(text, start.saturating_sub(900));
    let hi = floor_char(text, end.saturating_add(900));
    let s = text[lo..start]
        .rfind(stops)
        .map(|p| lo + p + text[lo + p..].chars().next().map(char::len_utf8).unwrap_or(1))
        .unwrap_or(lo);
    let e = text[end..hi].find(stops).map(|p| end + p).unwrap_or(hi);
    s..e
}

/// `了` as an aspect marker (not 为了, 除了, 了解, 不了, 了结).
fn has_perfective(s: &str) -> bool {
    s.match_indices('了').any(|(i, _)| {
        let prev = s[..i].chars().last();
        let next = s[i + '了'.len_utf8()..].chars().next();
        !matches!(prev, Some('为' | '除' | '不' | '了')) && !matches!(next, Some('解' | '结' | '如'))
    })
}

/// Whether the figure at `start..end` states an aim of the text rather than a result (已完成,
/// 同比增长, a figure of a past year or of a review section), a policy parameter (给予最高50万元,
/// 奖补) or a page counter (浏览:4550次).
fn is_aim(
    text: &str,
    (start, end): (usize, usize),
    unit: Option<&str>,
    frame: &Frame,
    index: &ScopeIndex,
    cues: &mut SentenceCues,
) -> bool {
    let r = frame.rules;
    let sent = span_around(text, start, end, SENTENCE_END);
    if cues.range != sent {
        cues.found = r
            .cues
            .find_iter(&text[sent.clone()])
            .map(|m| {
                (
                    sent.start + m.start(),
                    sent.start + m.end(),
                    r.cue_kinds[m.pattern().as_usize()],
                )
            })
            .collect();
        // An aim reported as fulfilled (`主要目标任务圆满完成`): a frame word followed in its clause
        // by a result or past word frames nothing.
        let fulfilled: Vec<usize> = (0..cues.found.len())
            .filter(|&i| {
                let (s, e, k) = cues.found[i];
                k == Cue::Frame && {
                    let clause = span_around(text, s, e, TENSE_END);
                    let committed_before = cues.found[..i].iter().any(|c| c.2 == Cue::Commit);
                    cues.found[i + 1..]
                        .iter()
                        .any(|c| matches!(c.2, Cue::Result | Cue::Past) && c.1 <= clause.end)
                        || !committed_before && reported_done(&text[e..clause.end])
                }
            })
            .collect();
        for i in fulfilled.into_iter().rev() {
            cues.found.remove(i);
        }
        // `以推动…建设为目标,先后召开会议9次`: the aim is the purpose named in its clause, not the
        // figures of the clauses after it.
        for c in cues
            .found
            .iter_mut()
            .filter(|c| c.2 == Cue::Frame && text[..c.0].ends_with('为'))
        {
            let clause = span_around(text, c.0, c.1, TENSE_END);
            if text[clause.start..].starts_with('以') {
                c.2 = Cue::Purpose;
            }
        }
        // A span of months from January (`1-6月`, `1—10月`) is a period reported to date, and so
        // is a sentence dated up to now (`截至9月,…`) or citing a measurement (`据统计,…`).
        if MONTHS_TO_DATE.is_match(&text[sent.clone()]) || reports_to_date(&text[sent.clone()], frame.ref_year) {
            cues.found.push((sent.start, sent.start, Cue::Past));
        }
        cues.range = sent.clone();
    }
    let clause = span_around(text, start, end, TENSE_END);
    let in_clause = |k: Cue| {
        cues.found
            .iter()
            .any(|c| c.2 == k && c.0 >= clause.start && c.1 <= clause.end)
    };
    let in_sentence = |k: Cue| cues.found.iter().any(|c| c.2 == k);
    // Aims are announced before the figure, or in its clause: `目标是:…增长7%`, not
    // `增长6.2%,高于预期目标`.
    let announced = |k: Cue| {
        cues.found
            .iter()
            .any(|c| c.2 == k && (c.1 <= start || c.0 >= clause.start && c.1 <= clause.end))
    };
    // A page counter right before the number: `浏览:4550次`, `阅读数 1207`.
    let lead_end = text[..start].trim_end_matches([':', ' ']).len();
    if cues.found.iter().any(|c| c.2 == Cue::Counter && c.1 == lead_end) {
        return false;
    }
    // The year the sentence dates the figure by: the nearest before it (not a baseline `比2020年`
    // or the end of a range `2021—2022年`).
    let dated = index.years[..index.years.partition_point(|y| y.1 <= start)]
        .iter()
        .rev()
        .take_while(|y| y.0 >= sent.start)
        .find(|y| !is_baseline_year(text, y.0));
    let year: Option<u32> = dated.and_then(|y| y.2.parse().ok());
    let toward = dated.is_some_and(|y| text[y.0..].starts_with('到') || text[y.0..].starts_with('至'));
    let future = toward || matches!((year, frame.ref_year), (Some(y), Some(r)) if y > r);
    let past = !toward
        && !dated.is_some_and(|y| text[y.0..].starts_with("截至"))
        && matches!((year, frame.ref_year), (Some(y), Some(r)) if y < r);
    let strong = future || in_clause(Cue::Commit) || in_clause(Cue::Frame) || in_clause(Cue::Purpose);
    if std::env::var("TARG_DEBUG").is_ok() {
        eprintln!(
            "AIM? {:?} clause={:?} cues={:?} year={year:?} future={future} past={past} setting={:?}",
            &text[start..end],
            &text[clause.clone()],
            cues.found,
            frame.setting
        );
    }
    // Policy parameters: a grant (给予, 最高, 一次性, 每家), money a policy grants unless the
    // clause plans a total of it (安排奖补资金5000万元), a condition (`对…10人以上…的,`).
    if in_clause(Cue::Param) && !strong {
        return false;
    }
    let spent = cues
        .found
        .iter()
        .any(|c| c.2 == Cue::Spend && c.0 >= clause.start && c.1 <= start);
    let money = unit.is_some_and(|u| u.ends_with('元') || u == "%" || u == "个百分点");
    if money && in_clause(Cue::Grant) && !strong && !spent {
        return false;
    }
    // A condition of a grant (`上年度产值5000万元以下,给予一次性奖励10万元`): the clause after the
    // figure opens on granting.
    let next = &text[clause.end..];
    let next = next.strip_prefix(',').unwrap_or("");
    let next = &next[..next.find(TENSE_END).unwrap_or(next.len())];
    if !strong
        && ["给予", "按", "奖励", "补助", "补贴"]
            .iter()
            .any(|w| next.starts_with(w))
        && r.cues
            .find_iter(next)
            .any(|m| matches!(r.cue_kinds[m.pattern().as_usize()], Cue::Param | Cue::Grant))
    {
        return false;
    }
    let tense = &text[clause.clone()];
    if (tense.starts_with('对') || tense.starts_with('凡')) && text[end..clause.end].contains('的') {
        return false;
    }
    if (in_clause(Cue::Result) || has_perfective(tense)) && !strong {
        return false;
    }
    let framed = future || announced(Cue::Frame) || in_clause(Cue::Purpose);
    if (in_sentence(Cue::Past) || names_past_period(&text[sent.clone()], frame.ref_year)) && !framed {
        return false;
    }
    if past && !strong {
        return false;
    }
    let committed = framed || announced(Cue::Commit) || announced(Cue::Modal);
    match frame.setting {
        Setting::Retro | Setting::Report => framed,
        Setting::Plan => true,
        Setting::News => committed,
        Setting::Neutral => !in_sentence(Cue::WeakResult) || committed,
    }
}

/// Whether what follows a frame word reports it done (`目标全部实现`, `目标任务均已完成`): an
/// adverb of completion, then a verb of fulfilment.
fn reported_done(after: &str) -> bool {
    let rest = after.strip_prefix("任务").unwrap_or(after);
    [
        "全部", "全面", "均已", "已经", "已", "圆满", "顺利", "如期", "提前", "超额", "基本",
    ]
    .iter()
    .find_map(|a| rest.strip_prefix(a))
    .is_some_and(|r| ["实现", "完成", "达成", "达到"].iter().any(|v| r.starts_with(v)))
}

/// Whether a sentence opens on a date up to now (`截至9月,`, `截至目前,`, `截至2023年底,` in a
/// text of 2023 or later) or cites a measurement (`据统计,`, `据国家统计局发布的数据,`): what it
/// states is reported.
fn reports_to_date(sentence: &str, ref_year: Option<u32>) -> bool {
    let t = sentence.trim_start();
    let clause = &t[..t.find(TENSE_END).unwrap_or(t.len())];
    if let Some(rest) = clause.strip_prefix("截至").or_else(|| clause.strip_prefix("截止")) {
        return match first_year(rest) {
            None => true,
            Some(y) => ref_year.is_some_and(|r| y <= r),
        };
    }
    let cites = t.starts_with('据') || t.starts_with("根据");
    cites
        && ["统计", "数据", "调查", "核算", "监测"]
            .iter()
            .any(|w| clause.contains(w))
}

/// A span of months from January: a statistic to date (`2021年1-6月`, `1—10月份`).
static MONTHS_TO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d.])1\s*[-—–~至到]\s*(?:[2-9]|1[0-2])\s*月").expect("valid regex"));

/// A five-year plan period that ended before the document's year (`“十三五”期间` in 2022).
fn names_past_period(sentence: &str, ref_year: Option<u32>) -> bool {
    const PERIODS: &[(&str, u32)] = &[("十一五", 2010), ("十二五", 2015), ("十三五", 2020), ("十四五", 2025)];
    ref_year.is_some_and(|r| PERIODS.iter().any(|(p, end)| *end < r && sentence.contains(p)))
}

/// A year that is a baseline or the start of a span, not the time of a figure: `比2020年`,
/// `较2020年`, `2021—2022年`, `《…(2021年)》`.
fn is_baseline_year(text: &str, at: usize) -> bool {
    let prev = text[..at].chars().last();
    matches!(prev, Some('比' | '较' | '—' | '-' | '–' | '~' | '(' | '《' | '与'))
}

/// What [`find_indicators`] asks about a scope again and again, computed in one pass so that
/// a scope of any length (a 50 MB one-line page) costs linear time: line starts, the years
/// named (`到2025年`), and running counts of the brackets that make a number a name.
struct ScopeIndex {
    /// Byte offset after each `\n`.
    line_starts: Vec<usize>,
    /// Each year match: (start, end, year).
    years: Vec<(usize, usize, String)>,
    /// Byte offsets of `”`.
    close_quotes: Vec<usize>,
    /// Bracket counts of `text[..counted]`, advanced as positions increase.
    counted: usize,
    counts: [usize; 6],
    last_open_quote: Option<usize>,
}

const BRACKETS: [char; 6] = ['《', '》', '〔', '〕', '“', '”'];

impl ScopeIndex {
    fn new(text: &str) -> ScopeIndex {
        ScopeIndex {
            line_starts: text.match_indices('\n').map(|(i, _)| i + 1).collect(),
            years: YEAR
                .captures_iter(text)
                .map(|c| {
                    let m = c.get(0).expect("match");
                    (m.start(), m.end(), c[1].to_string())
                })
                .collect(),
            close_quotes: text.match_indices('”').map(|(i, _)| i).collect(),
            counted: 0,
            counts: [0; 6],
            last_open_quote: None,
        }
    }

    /// Start of the line holding `pos`.
    fn line_start(&self, pos: usize) -> usize {
        let i = self.line_starts.partition_point(|&s| s <= pos);
        if i == 0 {
            0
        } else {
            self.line_starts[i - 1]
        }
    }

    /// True inside a 《title》, a 〔number〕, or a short “name” (`“三个坚决”`, `“双50强”`); long
    /// quoted passages (`“项目100%开工、资金100%支付”要求`) are read. Positions asked must not
    /// decrease.
    fn inside_quotes_or_title(&mut self, text: &str, start: usize, end: usize) -> bool {
        debug_assert!(start >= self.counted);
        for (i, c) in text[self.counted..start].char_indices() {
            if let Some(k) = BRACKETS.iter().position(|&b| b == c) {
                self.counts[k] += 1;
                if c == '“' {
                    self.last_open_quote = Some(self.counted + i);
                }
            }
        }
        self.counted = start;
        let open = |o: usize| self.counts[o] > self.counts[o + 1];
        if open(0) || open(2) {
            return true;
        }
        if open(4) {
            let from = self.last_open_quote.map(|p| p + '“'.len_utf8()).unwrap_or(0);
            let next_close = self.close_quotes[self.close_quotes.partition_point(|&q| q < end)..].first();
            let inner_after = next_close.map(|&q| text[end..q].chars().count()).unwrap_or(0);
            return text[from..start].chars().count() + inner_after <= 8;
        }
        false
    }

    /// The year a target at this position is due: the nearest year named before it in its
    /// paragraph (`到2025年,…`), `十四五` periods, else the plan's year.
    fn deadline_for(&self, text: &str, pos: usize, plan_year: Option<&str>) -> Option<String> {
        let para_start = self.line_start(pos);
        let before = self.years.partition_point(|y| y.1 <= pos);
        if let Some(y) = self.years[..before]
            .iter()
            .rev()
            .take_while(|y| y.0 >= para_start)
            .find(|y| !is_baseline_year(text, y.0) && !text[y.1..].starts_with("以来"))
        {
            return Some(y.2.clone());
        }
        let sentence_end = text[pos..].find(['。', '\n']).map(|p| pos + p).unwrap_or(text.len());
        let around = &text[para_start..sentence_end];
        if around.contains("十四五") {
            return Some("2025".into());
        }
        if around.contains("十五五") {
            return Some("2030".into());
        }
        if let Some(c) = YEAR
            .captures_iter(&text[pos..sentence_end])
            .find(|c| !is_baseline_year(text, pos + c.get(0).map_or(0, |m| m.start())))
        {
            return Some(c[1].to_string());
        }
        plan_year.map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(year: &str) -> Frame<'_> {
        Frame {
            plan_year: Some(year),
            ..Default::default()
        }
    }

    fn find(s: &str) -> Vec<(f64, Option<String>, String, Option<f64>)> {
        find_indicators(s, &plan("2022"))
            .into_iter()
            .map(|f| {
                (
                    f.indicator.value,
                    f.indicator.unit,
                    f.indicator.comparator,
                    f.indicator.value_max,
                )
            })
            .collect()
    }

    #[test]
    fn counts_units_comparators() {
        assert_eq!(
            find("全力推进5G基站建设,新建5G基站3100个,累计达到10000个以上"),
            vec![
                (3100.0, Some("个".into()), "=".into(), None),
                (10000.0, Some("个".into()), ">=".into(), None)
            ]
        );
        assert_eq!(
            find("地区生产总值增长6.2%左右"),
            vec![(6.2, Some("%".into()), "~".into(), None)]
        );
        assert_eq!(
            find("谋划推进3—5条标志性产业链"),
            vec![(3.0, Some("条".into()), "range".into(), Some(5.0))]
        );
        assert_eq!(
            find("完成投资159亿元。"),
            vec![(159.0, Some("亿元".into()), "=".into(), None)]
        );
        assert_eq!(
            find("累计建成5G基站1万个"),
            vec![(1.0, Some("万个".into()), "=".into(), None)]
        );
        assert_eq!(
            find("居民消费价格指数控制在103.5以内;"),
            vec![(103.5, None, "<=".into(), None)]
        );
        assert_eq!(
            find("固定专家人数不少于10人"),
            vec![(10.0, Some("人".into()), ">=".into(), None)]
        );
        assert_eq!(
            find("争取省级奖不少于两项"),
            vec![(2.0, Some("项".into()), ">=".into(), None)]
        );
        assert_eq!(
            find("环评报告书14个工作日内完成"),
            vec![(14.0, Some("个工作日".into()), "<=".into(), None)]
        );
        assert_eq!(
            find("新增两项国家级试点"),
            vec![(2.0, Some("项".into()), "=".into(), None)]
        );
        assert_eq!(
            find("打造十五个示范园区"),
            vec![(15.0, Some("个".into()), "=".into(), None)]
        );
        assert_eq!(
            find("覆盖率提高到百分之十"),
            vec![(10.0, Some("%".into()), "=".into(), None)]
        );
        assert_eq!(
            find("营业收入达到3.2万亿元"),
            vec![(3.2, Some("万亿元".into()), "=".into(), None)]
        );
        assert_eq!(
            find("产值增长1.79倍"),
            vec![(1.79, Some("倍".into()), "=".into(), None)]
        );
    }

    #[test]
    fn names_are_not_indicators() {
        assert!(find("积极参与长三角G60科创走廊建设,构建“1+9+N”体系,创建5A级景区,第三届峰会,2.0版").is_empty());
        assert!(find("落实《泰安市行动计划(2021—2022年)》").is_empty());
        assert!(find("实施“三个坚决”,2022年10月底前完成").is_empty());
        assert!(find("全省会议提出了7个方面").is_empty());
    }

    #[test]
    fn thresholds_qualifying_a_noun_are_skipped() {
        assert_eq!(
            find("实施500万元以上重点技改项目500个"),
            vec![(500.0, Some("个".into()), "=".into(), None)]
        );
        assert_eq!(
            find("抓好3条2500吨/日及以下水泥熟料生产线"),
            vec![(3.0, Some("条".into()), "=".into(), None)]
        );
        assert!(find("辖区范围内6亩以下(不含6亩)的土地").is_empty());
        assert_eq!(
            find("新增7家以上省、市级基地"),
            vec![(7.0, Some("家".into()), ">=".into(), None)]
        );
    }

    /// (value, unit) of every target the whole pipeline finds in a document.
    fn doc_targets(text: &str) -> Vec<(f64, String)> {
        let src = crate::doc::SourceDoc::from_text("t", text);
        let ex = crate::extract::extract(&src, crate::resolve::Gazetteer::embedded());
        ex.facts
            .into_iter()
            .filter_map(|f| match f.rel {
                Relation::Targets { indicator, .. } => Some((indicator.value, indicator.unit.unwrap_or_default())),
                _ => None,
            })
            .collect()
    }

    fn has(found: &[(f64, String)], v: f64, unit: &str) -> bool {
        found.iter().any(|(x, u)| *x == v && u == unit)
    }

    #[test]
    fn a_review_section_reports_results_and_a_plan_section_sets_targets() {
        let f = doc_targets(
            "某市政府工作报告\n一、2023年工作回顾\n全市地区生产总值增长5.5%,新增市场主体1.2万户,新建道路15公里。\n\
             二、2024年工作安排\n2024年经济社会发展的主要预期目标是:地区生产总值增长6%左右,城镇新增就业3万人以上。\n",
        );
        assert!(has(&f, 6.0, "%") && has(&f, 3.0, "万人"), "{f:?}");
        assert!(
            !has(&f, 5.5, "%") && !has(&f, 1.2, "万户") && !has(&f, 15.0, "公里"),
            "{f:?}"
        );
    }

    #[test]
    fn unnumbered_summary_and_plan_headings() {
        let f = doc_targets(
            "某县交通运输局2023年工作总结和2024年工作计划\n2023年工作总结\n全年完成交通投资12亿元,新建农村公路15公里。\n\
             2024年工作计划\n力争完成交通投资15亿元,新建农村公路20公里。\n",
        );
        assert!(has(&f, 15.0, "亿元") && has(&f, 20.0, "公里"), "{f:?}");
        assert!(!has(&f, 12.0, "亿元") && !has(&f, 15.0, "公里"), "{f:?}");
    }

    #[test]
    fn a_statistical_bulletin_has_no_targets() {
        let f = doc_targets(
            "某县2022年国民经济和社会发展统计公报\n某县统计局\n(2023年3月20日)\n一、综合\n\
             全年地区生产总值356亿元,增长4.1%。年末常住人口52.3万人。\n二、农业\n粮食总产量21.5万吨。\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn results_of_the_past_are_not_targets() {
        let f = doc_targets(
            "某区经济运行情况\n1-9月,全区实现地区生产总值1200亿元,同比增长5.2%。截至目前,已建成5G基站3000个。\n\
             过去一年,全区引进项目45个,总投资120亿元。\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_year_before_the_plan_dates_a_result() {
        let f = doc_targets(
            "某市2024年工作要点\n一、主要目标\n2023年,全市规上工业增加值增长7%。2024年,全市规上工业增加值比上年增长8%,\
             到2026年累计新增高新技术企业300家。\n",
        );
        assert!(has(&f, 8.0, "%") && has(&f, 300.0, "家"), "{f:?}");
        assert!(!has(&f, 7.0, "%"), "{f:?}");
    }

    #[test]
    fn policy_parameters_are_not_targets() {
        let f = doc_targets(
            "某市支持民营经济发展若干政策\n1.对年营业收入首次突破2000万元的企业,给予一次性奖励20万元。\n\
             2.对年营业收入2000万元以上的企业,按贷款额的50%给予贴息,贴息期限3年,最高补助50万元。\n\
             3.对新认定的国家级专精特新企业奖励100万元,每家企业最高不超过200万元。\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn commitments_are_targets_in_news_and_plans() {
        let f = doc_targets(
            "两地签署合作协议\n根据协议,双方将合作共建超1000亩的产业园,一期启动区面积不少于200亩。\n\
             力争全年外贸进出口同比增长5%。\n",
        );
        assert!(
            has(&f, 1000.0, "亩") && has(&f, 200.0, "亩") && has(&f, 5.0, "%"),
            "{f:?}"
        );
    }

    #[test]
    fn page_counters_and_class_names_are_not_targets() {
        let f = doc_targets("某港口新闻\n来源:某市港务局 日期:2020-05-01 浏览:4550次\n港口可停靠10万吨级货轮。\n");
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn an_aim_is_announced_before_its_figure() {
        let f = doc_targets(
            "某区2023年工作总结\n一、主要指标完成情况\n全年地区生产总值增长6.2%,高于预期目标0.7个百分点。\n\
             二、2024年工作打算\n主要预期目标是:地区生产总值增长6.5%左右。\n",
        );
        assert_eq!(f, vec![(6.5, "%".to_string())]);
    }

    #[test]
    fn news_figures_are_aims_only_when_the_sentence_says_so() {
        let f = doc_targets(
            "某县召开项目推进会\n来源:某县融媒体中心 发布时间:2024-03-02\n会上签约项目12个,总投资56亿元。\n\
             全县今年计划实施重点项目150个,力争完成投资300亿元以上。\n",
        );
        assert!(has(&f, 150.0, "个") && has(&f, 300.0, "亿元"), "{f:?}");
        assert!(!has(&f, 12.0, "个") && !has(&f, 56.0, "亿元"), "{f:?}");
    }

    #[test]
    fn planned_totals_of_money_are_targets_grants_per_case_are_not() {
        let f = doc_targets(
            "某市2024年稳就业工作方案\n1.全年安排就业补助资金5000万元。\n\
             2.对吸纳10人以上就业的企业,给予一次性补贴;其中奖补资金50%在验收后兑现。\n",
        );
        assert_eq!(f, vec![(5000.0, "万元".to_string())]);
    }

    #[test]
    fn comparators_ranges_and_new_units() {
        assert_eq!(
            find("新增省级以上专精特新企业3家及以上"),
            vec![(3.0, Some("家".into()), ">=".into(), None)]
        );
        assert_eq!(
            find("研发经费投入年均增长5%-8%"),
            vec![(5.0, Some("%".into()), "range".into(), Some(8.0))]
        );
        assert_eq!(
            find("人均预期寿命达到79岁"),
            vec![(79.0, Some("岁".into()), "=".into(), None)]
        );
        assert!(find("为60岁以上老年人提供服务").is_empty());
        assert_eq!(
            find("培训高素质农民500名,新增养老床位300张"),
            vec![
                (500.0, Some("名".into()), "=".into(), None),
                (300.0, Some("张".into()), "=".into(), None)
            ]
        );
        assert!(find("进入全省前10名").is_empty());
    }

    #[test]
    fn a_baseline_year_is_no_deadline() {
        let f = find_indicators("万元地区生产总值能耗比2020年下降13.5%", &plan("2025"));
        assert_eq!(f[0].indicator.deadline.as_deref(), Some("2025"));
    }

    #[test]
    fn a_text_that_only_reports_has_no_targets() {
        let f = doc_targets(
            "当前位置:首页>数据发布\n一、综合\n全年地区生产总值356亿元,比上年增长4.1%。\n年末常住人口52.3万人。\n\
             二、农业\n粮食总产量21.5万吨,比上年增长1.2%。\n三、工业\n规模以上工业增加值同比增长6.3%。\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn an_unnumbered_heading_holds_until_the_next() {
        let f = doc_targets(
            "某镇2023年工作总结及2024年工作计划\n2023年工作总结\n全年完成固定资产投资8亿元。\n\
             2024年工作计划\n一是抓项目。新开工项目12个。\n二是抓招商。\n引进企业20家。\n三是抓民生。\n\
             新建公厕5座。\n四是抓环境。\n完成造林1000亩。\n",
        );
        assert!(
            has(&f, 12.0, "个") && has(&f, 20.0, "家") && has(&f, 5.0, "座") && has(&f, 1000.0, "亩"),
            "{f:?}"
        );
        assert!(!has(&f, 8.0, "亿元"), "{f:?}");
    }

    #[test]
    fn a_table_field_name_is_no_heading() {
        let f = doc_targets(
            "某区2023年重点工作责任分解\n序号\n工作任务\n完成情况\n责任单位\n1.地区生产总值增长6%。\n区发改局\n",
        );
        assert!(has(&f, 6.0, "%"), "{f:?}");
    }

    #[test]
    fn an_aim_reported_as_fulfilled_frames_nothing() {
        let f = doc_targets(
            "某县情况介绍\n2023年主要目标任务圆满完成,诸如:地区生产总值增长5.2%;新增就业1244人。\n\
             今年主要预期目标:地区生产总值增长5%左右;粮食产量1.3万斤以上。\n",
        );
        assert_eq!(f, vec![(5.0, "%".to_string()), (1.3, "万斤".to_string())]);
    }

    #[test]
    fn a_span_of_months_from_january_is_reported_to_date() {
        let f = doc_targets("某市城建简讯\n2021年1-6月全市新开工燃气管网16.8公里。\n全年新建燃气管网30公里。\n");
        assert_eq!(f, vec![(30.0, "公里".to_string())]);
    }

    #[test]
    fn a_lead_in_sentence_names_the_list_under_it() {
        let f = doc_targets(
            "某县工作报告\n一年来全县团结奋进,以下是2023年工作回顾:\n基础设施投资100亿元,新增公路100公里。\n\
             展望新年,我们将围绕以下目标开展工作:\n基础设施投资15亿元,新增公路20公里。\n",
        );
        assert_eq!(f, vec![(15.0, "亿元".to_string()), (20.0, "公里".to_string())]);
    }

    #[test]
    fn a_bulletin_naming_an_aim_in_passing_still_reports() {
        let text = "全县围绕到2018年全面建成小康社会目标,统筹做好各项工作。\n\
             全年地区生产总值24亿元,比上年增长13.1%。粮食产量4万吨,同比增长1%。油料产量1139吨,同比下降0.35%。\n\
             林业增加值1亿元,比上年同期增长1.6%。肉类产量9091吨,同比增长8.3%。猪肉产量7905吨,同比增长6.8%。\n\
             夏粮产量7327吨,同比增长2.1%。秋粮产量39368吨,同比增长0.78%。稻谷产量26765吨,同比增长0.43%。\n\
             小麦产量2351吨,同比增长1.29%。玉米产量10015吨,同比增长0.22%。蔬菜产量3万吨,同比增长1.5%。\n";
        assert_eq!(doc_targets(text), vec![]);
    }

    #[test]
    fn a_figure_qualifying_the_word_aim_is_the_aim_and_a_focus_is_no_aim() {
        assert_eq!(
            find("到2025年,累计培育单项冠军300家,创新型中小企业50000家以上的总体目标"),
            vec![
                (300.0, Some("家".into()), "=".into(), None),
                (50000.0, Some("家".into()), ">=".into(), None)
            ]
        );
        assert!(find("培育500万元以上的项目").is_empty());
        assert!(find("聚焦全省16个先进制造业集群和50条重点产业链,推进升级").is_empty());
    }

    #[test]
    fn a_tracking_table_states_aims_then_progress() {
        let f = doc_targets(
            "序号 | 项目名称 | 项目内容 | 当前进展情况 | 进度评价 |\n\
             1 | 道路工程 | 建设农村公路50公里。 | 完工建设50.52公里。 | 已完成 |\n\
             新增绿化面积387亩。 | 已完成新增造林387亩。 | 已完成 |\n\
             推动垃圾分类, | 已建成利用站4个,2023年目标建成垃圾分类亭100个 | 正常推进 |\n",
        );
        assert_eq!(
            f,
            vec![
                (50.0, "公里".to_string()),
                (387.0, "亩".to_string()),
                (100.0, "个".to_string())
            ]
        );
    }

    #[test]
    fn counts_joined_by_a_conjunction_are_each_a_figure() {
        assert_eq!(
            find("到2025年,全市创建3个示范县、45个示范乡镇、748个示范村和20万户示范户"),
            vec![
                (3.0, Some("个".into()), "=".into(), None),
                (45.0, Some("个".into()), "=".into(), None),
                (748.0, Some("个".into()), "=".into(), None),
                (20.0, Some("万户".into()), "=".into(), None),
            ]
        );
        // A count opening a clause whose figure measures it is still part of that measure.
        assert_eq!(find("6个产业集群规模突破2000亿元").len(), 1);
    }

    #[test]
    fn a_heading_number_before_the_word_xiangmu_is_no_count() {
        assert!(find("2.1项目引资目标").is_empty());
        assert_eq!(
            find("完成10项目标任务"),
            vec![(10.0, Some("项".into()), "=".into(), None)]
        );
    }

    #[test]
    fn a_list_closed_by_a_count_is_the_size_of_the_work() {
        let f = doc_targets(
            "某市城建计划\n我市将改造漳江路、华山路等34条城市道路,打通九龙山路等17条断头路。\n\
             招商局依托上海商会等5个异地商会开展招商。\n",
        );
        assert_eq!(f, vec![(34.0, "条".to_string()), (17.0, "条".to_string())]);
    }

    #[test]
    fn a_short_line_of_a_text_of_no_kind_is_a_headline() {
        let f = doc_targets("某报道\n全市召开大会部署全年工作,全年新建公园5个。\n名人逝世享年100岁\n");
        assert_eq!(f, vec![(5.0, "个".to_string())]);
    }

    #[test]
    fn a_gap_above_an_aim_is_a_result() {
        let f = doc_targets("某市情况\n居民消费价格上涨5.9%,高出预期目标1.9个百分点。\n");
        assert!(!f.iter().any(|x| x.0 == 1.9), "{f:?}");
    }

    #[test]
    fn headlines_and_past_periods() {
        let f = doc_targets(
            "我市今年计划新开工重大项目200个\n发布时间:2024-06-03\n今年我市计划新开工重大项目200个,总投资500亿元。\n\
             去年,全市新开工项目180个。\n",
        );
        assert_eq!(f, vec![(200.0, "个".to_string()), (500.0, "亿元".to_string())]);
        let f = doc_targets(
            "某市“十四五”工业发展规划(2021—2025年)\n“十三五”期间,全市规上工业增加值年均增长7.5%。\n\
             到2025年,规上工业增加值年均增长8%以上。\n",
        );
        assert_eq!(f, vec![(8.0, "%".to_string())]);
    }

    #[test]
    fn words_that_hold_cues_and_counts_of_grants() {
        let f = doc_targets("某区工作安排\n依托现有园区新建标准厂房10万平方米。全年资助困难学生5000人次。\n");
        assert!(has(&f, 10.0, "万平方米") && has(&f, 5000.0, "人次"), "{f:?}");
    }
    #[test]
    fn a_lead_in_names_the_deadline_of_the_list_under_it() {
        let src = crate::doc::SourceDoc::from_text(
            "t",
            "某市国民经济和社会发展第十四个五年规划和2035年远景目标纲要任务分工方案\n二、主要指标\n\
             到2025年,全市经济社会发展主要指标如下:\n1.城镇新增就业人数累计达到10万人。(牵头单位:市人社局)\n",
        );
        let ex = crate::extract::extract(&src, crate::resolve::Gazetteer::embedded());
        let deadlines: Vec<_> = ex
            .facts
            .into_iter()
            .filter_map(|f| match f.rel {
                Relation::Targets { indicator, .. } => Some(indicator.deadline),
                _ => None,
            })
            .collect();
        assert_eq!(deadlines, vec![Some("2025".to_string())]);
    }

    #[test]
    fn deadlines() {
        let f = find_indicators("到2025年,高新企业总量达到40家以上", &Frame::default());
        assert_eq!(f[0].indicator.deadline.as_deref(), Some("2025"));
        let f = find_indicators("“十四五”期间,转化重大成果项目10项", &Frame::default());
        assert_eq!(f[0].indicator.deadline.as_deref(), Some("2025"));
        let f = find_indicators("新建5G基站3100个", &plan("2022"));
        assert_eq!(f[0].indicator.deadline.as_deref(), Some("2022"));
    }

    #[test]
    fn counts_of_things_a_threshold_qualifies_are_aims() {
        let f = find("到2025年,年产值超50亿元的企业3个,超10亿元的8个;新建超100亩的园区。");
        assert!(f.iter().any(|x| x.0 == 8.0 && x.1.as_deref() == Some("个")), "{f:?}");
        assert!(!f.iter().any(|x| x.0 == 10.0), "{f:?}");
    }

    #[test]
    fn ten_thousands_written_before_the_rest() {
        let f = find("到2025年,实现营业收入2万5000亿元以上。");
        assert_eq!(f, vec![(25000.0, Some("亿元".into()), ">=".into(), None)]);
    }

    #[test]
    fn counts_of_a_texts_parts_are_no_aims() {
        assert!(find("方案明确12项具体任务,涉及9个牵头单位。").is_empty());
        assert!(find("规划分为8章共40条,提出3项约束性指标。").is_empty());
        assert!(find("县发改局牵头工作(6项)\n").is_empty());
        assert_eq!(find("完成12项重点任务。").len(), 1);
    }

    #[test]
    fn a_heading_inside_a_unit_holds_from_its_line() {
        let t = "第一章 发展目标\n到2025年,新建厂房10万平方米。\n第一节 发展成效\n2020年,全市建成园区12个,企业达到300家。\n";
        let found = doc_targets(t);
        assert!(has(&found, 10.0, "万平方米"), "{found:?}");
        assert!(!has(&found, 300.0, "家"), "{found:?}");
    }

    #[test]
    fn a_row_number_alone_in_its_cell_opens_a_task() {
        let t = "1 |\n改善人居环境。新建公厕12座,改造道路5公里。 |\n2 |\n提升养老服务。新建养老中心3家。 |\n";
        let src = crate::doc::SourceDoc::from_text("t", t);
        let ex = crate::extract::extract(&src, crate::resolve::Gazetteer::embedded());
        let labels: Vec<String> = ex
            .facts
            .iter()
            .filter_map(|f| match &f.rel {
                Relation::Targets { task, .. } => task.label.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(labels, vec!["1", "1", "2"]);
    }

    #[test]
    fn a_table_of_indicators_aims_at_its_target_column() {
        let cells = "指标 |\n2020年基期值 |\n2025年目标值 |\n属性 |\n粮食产量(亿吨) |\n6.5 |\n>6.5 |\n约束性 |\n森林覆盖率(%) |\n23 |\n24.1 |\n预期性 |\n";
        let found = doc_targets(cells);
        assert!(
            has(&found, 6.5, "亿吨") && has(&found, 24.1, "%") && found.len() == 2,
            "{found:?}"
        );
        let rows = "序号 | 主要指标 | 单位 | 2022年 | 2025年目标\n1 | 高新技术企业 | 家 | 120 | 200以上\n2 | 研发投入强度 | % | 2.1 | 2.5\n";
        let found = doc_targets(rows);
        assert!(
            has(&found, 200.0, "家") && has(&found, 2.5, "%") && found.len() == 2,
            "{found:?}"
        );
    }

    #[test]
    fn a_paragraph_opening_on_a_past_year_leads_into_a_review() {
        let t = "新区召开2024年工作会议。\n一年来,新区交出了一份发展答卷。\n经济增添新动能——地区生产总值实现432.6亿元,新增市场主体1453户。\n2024年,新区锚定新目标——地区生产总值增长7.2 %,固定资产投资增长5%。\n";
        let found = doc_targets(t);
        assert!(!has(&found, 432.6, "亿元") && !has(&found, 1453.0, "户"), "{found:?}");
        assert!(has(&found, 7.2, "%") && has(&found, 5.0, "%"), "{found:?}");
    }

    #[test]
    fn a_text_that_prepares_the_year_to_come_reports_the_year_before() {
        let t = "2024年,区交通局全年新建农村公路12公里,改造危桥3座。为做好2025年工作奠定了基础。\n";
        assert!(doc_targets(t).is_empty(), "{:?}", doc_targets(t));
        let t = "2024年,全县新建农村公路12公里,改造危桥3座。\n2025年,我们将新建农村公路15公里。\n";
        let found = doc_targets(t);
        assert!(!has(&found, 12.0, "公里") && !has(&found, 3.0, "座"), "{found:?}");
        assert!(has(&found, 15.0, "公里"), "{found:?}");
    }

    #[test]
    fn a_share_of_things_reaching_a_state_is_the_aim() {
        let f = find("到2027年,确保50%的城市社区建成完备的服务综合体");
        assert!(f.iter().any(|x| x.0 == 50.0 && x.1.as_deref() == Some("%")), "{f:?}");
        let f = find("力争实现20%的村集体年收入超30万元");
        assert!(f.iter().any(|x| x.0 == 20.0) && !f.iter().any(|x| x.0 == 30.0), "{f:?}");
        // A share that qualifies a grant is no aim.
        assert!(find("给予不超过投资额30%的补助").is_empty());
    }

    #[test]
    fn a_text_closing_its_work_as_preparation_reviews_it() {
        let t = "各位代表:\n一、项目建设\n全年新建农村公路12公里,改造危桥3座。\n二、民生保障\n新增就业岗位1200个。\n一年的工作,为做好2025年工作奠定了坚实基础。\n";
        assert!(doc_targets(t).is_empty(), "{:?}", doc_targets(t));
    }

    #[test]
    fn short_review_headings_above_prose() {
        let t = "工作回忆\n全年新建农村公路12公里,改造危桥3座,完成投资1.2亿元。\n今年工作打算\n新建农村公路15公里,改造危桥5座。\n";
        let found = doc_targets(t);
        assert!(!has(&found, 12.0, "公里") && !has(&found, 1.2, "亿元"), "{found:?}");
        assert!(has(&found, 15.0, "公里") && has(&found, 5.0, "座"), "{found:?}");
        let t = "主要成绩\n1.新建农村公路12公里,改造危桥3座。\n2.新增就业岗位1200个,培训农民2000人次。\n";
        assert!(doc_targets(t).is_empty(), "{:?}", doc_targets(t));
    }

    #[test]
    fn a_later_year_or_a_list_of_aims_turns_a_review_to_a_plan() {
        let t = "一、2023年工作回顾\n地区生产总值增长5.2%,新增就业1244万人。\n二、2024年发展总体要求\n主要预期目标包括:\n生产总值增长5.5%左右\n城镇新增就业1200万人以上\n";
        let found = doc_targets(t);
        assert!(!has(&found, 5.2, "%") && !has(&found, 1244.0, "万人"), "{found:?}");
        assert!(has(&found, 5.5, "%") && has(&found, 1200.0, "万人"), "{found:?}");
        // A date line is no heading of a later year.
        let t = "某县2019年统计公报\n(2020年7月10日)\n全县地区生产总值79亿元,比上年增长11.3%。\n";
        assert!(doc_targets(t).is_empty(), "{:?}", doc_targets(t));
    }

    #[test]
    fn a_counter_word_without_a_count_is_no_news_marker() {
        // A paywall line under a report is no page counter: the review heading still holds.
        let f = doc_targets(
            "各位代表:\n某年工作回顾\n全县预计实现地区生产总值391亿元,增长8.6%。\n(阅读全部图文内容,您需要先登录!)\n",
        );
        assert!(!has(&f, 391.0, "亿元") && !has(&f, 8.6, "%"), "{f:?}");
    }

    #[test]
    fn a_report_keeps_reporting_under_content_headings() {
        // A title whose head word reviews is a report; `指标` or `新成效` in its headings names
        // what is reported, a later year or `下一步` turns to the plan.
        let f = doc_targets(
            "关于某区2023年重点工作1-9月进展情况的通报\n一、主要经济指标方面\n全区生产总值644亿元,工业投资73亿元。\n\
             二、下一步工作计划\n力争全年完成工业投资100亿元。\n",
        );
        assert!(!has(&f, 644.0, "亿元") && !has(&f, 73.0, "亿元"), "{f:?}");
        assert!(has(&f, 100.0, "亿元"), "{f:?}");
        let f = doc_targets(
            "某镇2025年度工作总结\n(一)现代产业体系构建取得新成效\n全年落实新造油茶林500亩,开展培训1场。\n",
        );
        assert!(!has(&f, 500.0, "亩"), "{f:?}");
    }

    #[test]
    fn a_sentence_dated_to_now_or_citing_a_measurement_reports() {
        let f = doc_targets("某区经济运行情况\n产业平稳。截至9月,全区市场主体存量为36581户。\n");
        assert!(!has(&f, 36581.0, "户"), "{f:?}");
        let f = doc_targets(
            "粮食生产\n据国家统计局发布的调查数据,全国粮食总产量58957万吨。今年播种面积比往年增加694千公顷。\n",
        );
        assert!(!has(&f, 58957.0, "万吨") && !has(&f, 694.0, "千公顷"), "{f:?}");
    }

    #[test]
    fn an_aim_reported_done_or_a_purpose_frames_nothing_after_it() {
        let f = doc_targets("某省交通\n至此今年计划新增的8县通高速目标全部实现,县区通高速率达93%。\n");
        assert!(!has(&f, 93.0, "%"), "{f:?}");
        let f = doc_targets(
            "一、2025年度目标任务完成情况\n以推动纪检监察建设为目标,先后召开各类会议9次、参观教育基地2次。\n",
        );
        assert!(!has(&f, 9.0, "次") && !has(&f, 2.0, "次"), "{f:?}");
        // An aim a commitment still frames (`确保目标全面实现`).
        let f = doc_targets("某市2024年工作计划\n确保目标全面实现,新建道路20公里。\n");
        assert!(has(&f, 20.0, "公里"), "{f:?}");
    }

    #[test]
    fn a_heading_glued_inside_a_flattened_line_holds_from_its_label() {
        let pad = "现在,我代表市人民政府向大会报告工作,请予审议,并请各位政协委员和其他列席人员提出意见。".repeat(6);
        let text = format!(
            "某市政府工作报告\n{pad}一、2023年工作回顾2023年是困难较多的一年。地区生产总值达5600亿元,增长14%以上;完成固定资产投资3500亿元。\n"
        );
        let f = doc_targets(&text);
        assert!(!has(&f, 5600.0, "亿元") && !has(&f, 3500.0, "亿元"), "{f:?}");
    }
    #[test]
    fn a_perfective_paragraph_without_aims_reports() {
        let f = doc_targets(
            "某镇工作\n教育事业。整顿了学校周边环境。适龄儿童入学率达100%,有44名学生被重点中学录取。\n\
             卫生事业。力争参合率达98%。\n",
        );
        assert!(!has(&f, 100.0, "%") && !has(&f, 44.0, "名"), "{f:?}");
        assert!(has(&f, 98.0, "%"), "{f:?}");
    }

    #[test]
    fn the_condition_of_a_grant_is_no_aim() {
        let f = doc_targets("某区扶持政策\n上年度产值5000万元以下,给予一次性奖励10万元。\n");
        assert!(!has(&f, 5000.0, "万元") && !has(&f, 10.0, "万元"), "{f:?}");
    }
}

#[cfg(test)]
mod dump {
    /// `TARG_DUMP=file cargo test --release --lib extract::targets::dump -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn dump_structure() {
        let Ok(path) = std::env::var("TARG_DUMP") else { return };
        let text = std::fs::read_to_string(path).unwrap();
        let norm = crate::normalize::normalize(&text);
        let doc = crate::extract::parse_embedded(&norm);
        for (i, r) in doc.lines.iter().enumerate().take(60) {
            println!("{i:3} {:?}", &norm.text[r.clone()]);
        }
        println!(
            "meta {:?}",
            doc.meta.iter().map(|m| (&m.key, &m.value)).collect::<Vec<_>>()
        );
        println!("number {:?}", doc.number.as_ref().map(|x| &x.0));
        println!("title {:?}", doc.title.as_ref().map(|x| &x.0));
        println!("title_issuer {:?}", doc.title_issuer.as_ref().map(|x| &x.0));
        println!("signature {:?}", doc.signature.as_ref().map(|x| &x.0));
        println!("date {:?}", doc.date.as_ref().map(|x| &x.0));
        for u in &doc.units {
            println!(
                "unit {:?} {} {:?}",
                u.kind,
                u.label,
                &norm.text[u.heading.clone()].chars().take(30).collect::<String>()
            );
        }
    }
}
