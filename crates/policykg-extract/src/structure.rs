//! Stage 3: normalised text → document structure ([`Document`]).
//!
//! Recognises the parts of a Chinese government document: the header metadata block
//! (`索引号 | … | 发布机构 | …`, `文号:`), the document number (`泰动能办〔2022〕3号`), the title
//! (`关于印发《…》的通知` or the plan's own title line), the signature (issuing office lines
//! followed by a date line), and the numbered hierarchy: parts (`第一部分`), sections (`一、`),
//! subsections (`(一)`), items (`1.` `1、`), sub-items (`(1)`) and circled items (`①`). Each
//! [`Unit`] knows its label, heading, byte range in the normalised text and parent. Positions
//! are byte ranges of [`crate::normalize::NormText::text`]; they become source spans only
//! through the offset map.

use crate::normalize::{is_han, NormText};
use crate::numbers::{is_date_line, iso_date};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// Kinds of numbered units, from the outermost to the innermost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitKind {
    /// `第一部分`, `第一章`
    Part,
    /// `一、`
    Section,
    /// `(一)`
    Subsection,
    /// `1.` `1、`
    Item,
    /// `(1)`
    SubItem,
    /// `①`
    Circled,
}

/// One numbered unit of the document.
#[derive(Clone, Debug)]
pub struct Unit {
    pub kind: UnitKind,
    /// The number as written without punctuation: `一`, `三`, `17`, `1` (for `①`).
    pub label: String,
    /// Byte range of the whole first line, marker included.
    pub first_line: Range<usize>,
    /// Byte range of the first line's text after the marker.
    pub heading: Range<usize>,
    /// Byte range of the whole unit: marker to the end of its last line (children included).
    pub range: Range<usize>,
    /// Index of the enclosing unit in [`Document::units`].
    pub parent: Option<usize>,
    /// For a row of a flattened table: the byte range of its task cell (the task's own text).
    pub cell: Option<Range<usize>>,
}

/// Kind of a flattened table's column, from its head (`序号`, `任务`, `牵头单位`, `完成时限`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// The row number.
    Seq,
    /// The task (事项, 工作任务, 具体措施).
    Task,
    /// A responsibility column (牵头单位, 配合单位, 责任领导).
    Role,
    /// A deadline (完成时限, 时间节点).
    Time,
    /// Anything else that heads a column (分类, 备注).
    Other,
}

/// A table flattened into text: a header row naming the columns, then rows, either one cell
/// per line or cells joined on one line by `|`, tabs or spaces.
#[derive(Clone, Debug)]
pub struct Table {
    /// Column heads as written (normalised) with their kind.
    pub columns: Vec<(String, ColumnKind)>,
    /// Byte range of the header.
    pub header: Range<usize>,
    pub rows: Vec<TableRow>,
}

/// One row of a [`Table`].
#[derive(Clone, Debug)]
pub struct TableRow {
    /// Byte range of the row, first to last cell.
    pub range: Range<usize>,
    /// The row's number (its `序号` cell), when the table has one.
    pub label: Option<String>,
    /// Byte range of each column's cell (same length as [`Table::columns`]).
    pub cells: Vec<Option<Range<usize>>>,
    /// The unit made for the row (numbered rows, or rows starting with an item marker).
    pub unit: Option<usize>,
    /// When cells cannot be placed by position (one cell per line, or cells split at spaces:
    /// empty cells vanish, long cells wrap), the row's cells in order from column `first`, to
    /// be placed by what they hold; empty when [`TableRow::cells`] are exact (`|` rows).
    pub raw: Vec<Range<usize>>,
    pub first: usize,
    /// True for the last row of a table that ends the document (it may be cut short).
    pub at_end: bool,
}

/// A header field (`发布机构`, `文号`, …) with its value.
#[derive(Clone, Debug)]
pub struct MetaField {
    pub key: String,
    pub value: String,
    /// Byte range of the line holding it.
    pub line: Range<usize>,
    /// What the field's value is (`header_fields.tsv`).
    pub kind: FieldKind,
}

/// What a header field's value is, from its kinds in `header_fields.tsv`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FieldKind {
    /// A short name common inside values (`日期`, `来源`): a field only with a separator after it.
    pub needs_separator: bool,
    /// The value holds the document number (`文号`).
    pub number: bool,
    /// The value is a date that may be the document's: lower is preferred (`成文日期` 0, `发布日期`
    /// 1, `日期` 2, `生成日期` 3).
    pub date_rank: Option<u8>,
    /// The value names the issuing body: lower is preferred (file order).
    pub publisher: Option<u8>,
}

/// The structure of one document.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// Line ranges of the normalised text.
    pub lines: Vec<Range<usize>>,
    /// Header metadata fields, in order.
    pub meta: Vec<MetaField>,
    /// Document number as written (normalised), with its line.
    pub number: Option<(String, Range<usize>)>,
    /// Title text and the line range it came from.
    pub title: Option<(String, Range<usize>)>,
    /// The issuer named before `关于` in a notice title (`东莞市人民政府关于…`).
    pub title_issuer: Option<(String, Range<usize>)>,
    /// Signature: the office (lines joined) and the range from its first line to the date.
    pub signature: Option<(String, Range<usize>)>,
    /// Signing date in ISO form with its line.
    pub date: Option<(String, Range<usize>)>,
    /// Numbered units in document order.
    pub units: Vec<Unit>,
    /// Indexes of lines that belong to the header/signature block (not to any unit).
    pub front_matter_end: usize,
    /// Flattened tables (header + rows).
    pub tables: Vec<Table>,
}

/// A document number: issuer code, year in brackets, serial number: `泰动能办〔2022〕3号`.
/// Pages space it out (`许政 [2020] 20 号`, `〔 2024 〕`); [`number_text`] takes the spaces out.
pub static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\p{Han}]{1,10})\s*[〔\[【(（﹝［]\s*((?:19|20)\d{2})\s*[〕\]】)）﹞］]\s*第?\s*(\d{1,4})\s*号")
        .expect("valid regex")
});

/// [`DOC_NUMBER`] matching only at the start of a text (a line that opens with a number).
static DOC_NUMBER_AT_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^(?:{})", DOC_NUMBER.as_str())).expect("valid regex"));

/// A document number as written, without the spaces a page put inside it.
pub fn number_text(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}
static NOTICE_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(.{0,40}?)关于(印发|转发|下发|下达|公布|颁布)?(.+?)的((?:实施|指导|若干|补充)?(?:通知|意见|决定|批复|报告|函))",
    )
    .expect("valid regex")
});
static PLAN_TITLE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(方案|要点|计划|意见|办法|规划|细则|措施|分解|清单|报告|纲要|公报|总结|协议|协议书|合同|备忘录)(\((?:19|20)\d{2}[—\-–~至](?:19|20)\d{2}年\))?$",
    )
    .expect("valid regex")
});

/// A line that cannot be (part of) a title: a page's breadcrumb (`当前位置:首页>政务公开>…`),
/// a date, a document number.
fn not_title_line(t: &str) -> bool {
    t.contains(['>', '›', '»'])
        || t.starts_with("当前位置")
        || t.starts_with("您的位置")
        || t.starts_with("您现在的位置")
        || is_date_line(t)
        || t.contains('号') && DOC_NUMBER_AT_START.is_match(t)
}

/// A title without the bracketed tags a page puts before it (`【重点工作】…`) and without an
/// attachment label (`附件`, `附件1:`).
fn strip_title_tags(t: &str) -> &str {
    let mut t = t.trim();
    while let Some(rest) = t.strip_prefix('【') {
        match rest.find('】') {
            Some(p) => t = rest[p + '】'.len_utf8()..].trim_start(),
            None => break,
        }
    }
    if let Some(rest) = t.strip_prefix("附件") {
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, ':' | ' ' | '、' | '.'));
        if !rest.is_empty() {
            t = rest;
        }
    }
    t
}

/// A line that holds only a number and a cell bar (`1 |`).
static BAR_ROW: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{1,3})\s*\|\s*$").expect("valid regex"));

/// Recognises a unit marker at the start of a line: kind, label, marker length in bytes.
pub fn parse_marker(line: &str) -> Option<(UnitKind, String, usize)> {
    static SECTION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^([一二三四五六七八九十]{1,3})、").expect("valid regex"));
    static PART: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^第([一二三四五六七八九十]{1,3})(部分|章|篇)").expect("valid regex"));
    static SUBSECTION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[(（]([一二三四五六七八九十]{1,3})[)）]、?").expect("valid regex"));
    static ITEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{1,3})(?:[.．、]|\s*、)").expect("valid regex"));
    static SUBITEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[(（](\d{1,3})[)）]").expect("valid regex"));
    // Every marker opens with one of these characters: most lines are settled by the first.
    let first = line.chars().next()?;
    let opens_marker = matches!(first, '第' | '(' | '（' | '0'..='9' | '①'..='⑳')
        || "一二三四五六七八九十".contains(first);
    if !opens_marker {
        return None;
    }
    if let Some(c) = PART.captures(line) {
        return Some((UnitKind::Part, c[1].to_string(), c[0].len()));
    }
    if let Some(c) = SECTION.captures(line) {
        return Some((UnitKind::Section, c[1].to_string(), c[0].len()));
    }
    if let Some(c) = SUBSECTION.captures(line) {
        return Some((UnitKind::Subsection, c[1].to_string(), c[0].len()));
    }
    if let Some(c) = ITEM.captures(line) {
        // `3.2米` is a number, not an item.
        let rest = &line[c[0].len()..];
        if rest.starts_with(|ch: char| ch.is_ascii_digit()) || rest.is_empty() {
            return None;
        }
        let mut len = c[0].len();
        len += rest.len() - rest.trim_start().len();
        return Some((UnitKind::Item, c[1].to_string(), len));
    }
    if let Some(c) = SUBITEM.captures(line) {
        return Some((UnitKind::SubItem, c[1].to_string(), c[0].len()));
    }
    if ('①'..='⑳').contains(&first) {
        let n = first as u32 - '①' as u32 + 1;
        return Some((UnitKind::Circled, n.to_string(), first.len_utf8()));
    }
    None
}

/// Sub-items run together on their item's line (`1.深化改革。(1)落实……。(市局牵头)(2)完善……`):
/// the byte offset and number of each, when the line holds `(1)` and `(2)` in order, each after
/// a sentence end or a closing bracket (`(1)` may also open the text). Empty otherwise.
fn inline_sub_items(text: &str, r: Range<usize>) -> Vec<(usize, String)> {
    static INLINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[(（](\d{1,2})[)）]").expect("valid regex"));
    let line = &text[r.clone()];
    let mut out: Vec<(usize, String)> = Vec::new();
    for c in INLINE.captures_iter(line) {
        let m = c.get(0).expect("whole match");
        let n: usize = c[1].parse().unwrap_or(0);
        if n != out.len() + 1 {
            continue;
        }
        let before = line[..m.start()].chars().next_back();
        let after = line[m.end()..].chars().next();
        let opens = m.start() == 0 && n == 1;
        let boundary = opens || before.is_some_and(|b| "。;；:：)）".contains(b));
        if !boundary || !after.is_some_and(|a| !a.is_ascii_digit() && !a.is_whitespace()) {
            continue;
        }
        out.push((r.start + m.start(), n.to_string()));
    }
    if out.len() < 2 {
        out.clear();
    }
    out
}

/// The byte offset of the value cell of a form row (`重点工作: | 135.统筹… |`): a key of two
/// to eight Han characters ending with a colon, then a bar.
fn form_value(t: &str) -> Option<usize> {
    let bar = t.find('|')?;
    let key = t[..bar].trim_end();
    let key = key.strip_suffix([':', '：'])?;
    let n = key.chars().count();
    if !(2..=8).contains(&n) || !key.chars().all(is_han) {
        return None;
    }
    let rest = &t[bar + 1..];
    Some(bar + 1 + rest.len() - rest.trim_start().len())
}

/// The number of a section or item label (`三` → 3, `12` → 12).
fn label_number(label: &str) -> Option<u32> {
    if let Ok(n) = label.parse::<u32>() {
        return Some(n);
    }
    let d = |c: char| "一二三四五六七八九".find(c).map(|i| i as u32 / 3 + 1);
    let c: Vec<char> = label.chars().collect();
    match c.as_slice() {
        ['十'] => Some(10),
        [a] => d(*a),
        ['十', b] => Some(10 + d(*b)?),
        [a, '十'] => Some(d(*a)? * 10),
        [a, '十', b] => Some(d(*a)? * 10 + d(*b)?),
        _ => None,
    }
}

/// Lines of a document flattened into long lines (a page saved as one line): a section, subsection
/// or item marker that starts mid-line after a sentence end, a comma, a colon or a closing
/// bracket (`…快速复苏,一、持续…(责任单位:…)二、办好…`) starts a line of its own, when the
/// markers of each kind run in sequence (each starts at 1 or goes on from the last number of
/// its kind) and the line holds at least two of them. Only lines longer than a paragraph are
/// read, and only at a boundary character followed by a marker's first character.
fn split_inline_headings(text: &str, lines: Vec<Range<usize>>) -> Vec<Range<usize>> {
    const LONG: usize = 600;
    if lines.iter().all(|r| r.len() < LONG) {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    for r in lines {
        if r.len() < LONG {
            out.push(r);
            continue;
        }
        let line = &text[r.clone()];
        // Last accepted number of each kind (Section, Subsection, Item).
        let slot = |k: UnitKind| match k {
            UnitKind::Section => Some(0),
            UnitKind::Subsection => Some(1),
            UnitKind::Item => Some(2),
            _ => None,
        };
        let mut last: [Option<u32>; 3] = [None; 3];
        if let Some((k, label, _)) = parse_marker(line.trim_start()) {
            if let (Some(s), Some(n)) = (slot(k), label_number(&label)) {
                last[s] = Some(n);
            }
        }
        let mut cuts: Vec<usize> = Vec::new();
        let mut prev: Option<char> = None;
        for (off, c) in line.char_indices() {
            let boundary = prev.is_some_and(|p| matches!(p, '。' | ';' | '；' | ',' | '，' | ':' | '：' | ')' | '）'));
            prev = Some(c);
            let opens = matches!(c, '0'..='9' | '(' | '（' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十');
            if !boundary || !opens {
                continue;
            }
            let rest = &line[off..];
            let Some((k, label, mlen)) = parse_marker(rest) else { continue };
            let (Some(s), Some(n)) = (slot(k), label_number(&label)) else { continue };
            // `一、二、三产业`: a numeral list, not a heading.
            if rest[mlen..].starts_with(|ch: char| "一二三四五六七八九十".contains(ch) || ch.is_ascii_digit()) {
                continue;
            }
            // A kind starts at 1 or goes on from its last number (items may run on across
            // sections).
            if n != 1 && last[s] != Some(n - 1) {
                continue;
            }
            last[s] = Some(n);
            cuts.push(r.start + off);
        }
        if cuts.len() < 2 {
            out.push(r);
            continue;
        }
        let mut start = r.start;
        for c in cuts {
            out.push(start..c);
            start = c;
        }
        out.push(start..r.end);
    }
    out
}

/// What the source held between two characters that are neighbours in the normalised text
/// (given their source character indexes): `None` when nothing was deleted or something other
/// than whitespace; else the strength of the whitespace as a cell separator: 1 = one space,
/// 2 = a tab or several spaces, 3 = a line break.
pub type GapFn<'a> = &'a dyn Fn(u32, u32) -> Option<u8>;

/// What the layout parser asks of the words of responsibility: which heads name columns, which
/// lines hold a role noun, which cells list organisations, which lines end like an office.
/// The rules implement it from their lexicon (`extract::Layout`), so this stage depends on no
/// rule and `--lexicon` tables reach it.
pub trait Vocabulary {
    /// The kind of column a table head names (`牵头单位` → Role, `序号` → Seq), if it names one.
    fn column_kind(&self, cell: &str) -> Option<ColumnKind>;
    /// True when a line holds a unit or person noun of the label grammar (a possible header).
    fn has_role_noun(&self, line: &str) -> bool;
    /// True when a table cell reads as a list of organisations.
    fn is_org_list_cell(&self, cell: &str) -> bool;
    /// True when a mention ends like an organisation (`长顺县统计局`).
    fn ends_like_org(&self, mention: &str) -> bool;
    /// The field names of header metadata (`索引号`, `发布机构`).
    fn header_fields(&self) -> &HeaderFields;
}

/// Builds the document structure of a normalised text (without its source: cells separated
/// only by spaces are not told apart).
pub fn parse(norm: &NormText, words: &dyn Vocabulary) -> Document {
    parse_with_source(norm, &|_, _| None, words)
}

/// Builds the document structure of a normalised text; `gap` tells what whitespace the source
/// held where the normaliser deleted characters (cell boundaries of flattened tables).
pub fn parse_with_source(norm: &NormText, gap: GapFn, words: &dyn Vocabulary) -> Document {
    let text = norm.text.as_str();
    let lines: Vec<Range<usize>> = split_inline_headings(text, norm.lines());
    let mut doc = Document {
        lines: lines.clone(),
        ..Default::default()
    };
    let line_text = |r: &Range<usize>| text[r.clone()].trim();

    // Header metadata: `key|value|key|value|` rows and `key:value` rows among the first lines.
    parse_meta(text, &lines, words.header_fields(), &mut doc);

    // Signature: a date line preceded by up to three short office lines.
    let mut signature_lines: Vec<usize> = Vec::new();
    for (i, r) in lines.iter().enumerate() {
        let t = line_text(r);
        if !is_date_line(t) {
            continue;
        }
        let mut office: Vec<usize> = Vec::new();
        let mut k = i;
        // A date in parentheses follows titles too (a speech, a report): only an office
        // named as one (`长顺县统计局`) signs above it.
        let bracketed = t.starts_with(['(', '（']);
        while k > 0 && office.len() < 3 {
            let prev = line_text(&lines[k - 1]);
            if prev.is_empty() {
                k -= 1;
                continue;
            }
            let named = !bracketed || words.ends_like_org(prev);
            if looks_like_office_line(prev) && named {
                office.push(k - 1);
                k -= 1;
            } else {
                break;
            }
        }
        office.reverse();
        if doc.date.is_none() {
            doc.date = iso_date(t).map(|d| (d, r.clone()));
        }
        if !office.is_empty() && doc.signature.is_none() {
            let name: String = office.iter().map(|&o| line_text(&lines[o])).collect();
            let start = lines[office[0]].start;
            doc.signature = Some((name, start..r.end));
        }
        signature_lines.extend(office);
        signature_lines.push(i);
    }
    if doc.date.is_none() {
        // The signing date (成文日期) before the publishing one (发布日期) before a generation
        // stamp; never the date a document lapses or takes effect (`header_fields.tsv`).
        doc.date = doc
            .meta
            .iter()
            .filter_map(|f| Some((f.kind.date_rank?, iso_date(&f.value)?, f.line.clone())))
            .min_by_key(|(r, _, _)| *r)
            .map(|(_, d, l)| (d, l));
    }

    // Document number: a line of its own, a header field, or after the title in one line;
    // never one cited inside parentheses or 《》.
    for f in &doc.meta {
        if f.kind.number {
            if let Some(m) = DOC_NUMBER.find(&f.value) {
                doc.number = Some((number_text(m.as_str()), f.line.clone()));
                break;
            }
        }
    }
    if doc.number.is_none() {
        'lines: for r in lines.iter().take(40) {
            let t = &text[r.clone()];
            if !t.contains('号') {
                continue;
            }
            for m in DOC_NUMBER.find_iter(t) {
                let before = &t[..m.start()];
                let open = before.matches(['(', '《', '（']).count() > before.matches([')', '》', '）']).count();
                let cited = before.ends_with("根据") || before.ends_with("按照") || before.ends_with("依据");
                if !open && !cited && (m.start() == 0 || before.ends_with([' ', '|', ':'])) {
                    doc.number = Some((number_text(m.as_str()), r.clone()));
                    break 'lines;
                }
                // `…的通知 常政发〔2023〕1号` after the title on one line.
                if let Some(p) = m.as_str().rfind("通知").filter(|_| !open) {
                    doc.number = Some((number_text(&m.as_str()[p + "通知".len()..]), r.clone()));
                    break 'lines;
                }
            }
        }
    }

    // Flattened tables: their rows become units (numbered rows) and their lines hold no
    // other markers.
    doc.tables = find_tables(norm, &lines, gap, words);
    let has_tables = !doc.tables.is_empty();
    let mut row_start: rustc_hash::FxHashMap<usize, (usize, usize)> = Default::default();
    let mut table_lines: Vec<(usize, usize)> = Vec::new();
    for (ti, t) in doc.tables.iter().enumerate() {
        let first = lines.partition_point(|r| r.end < t.header.start);
        let last = t.rows.last().map(|r| r.range.end).unwrap_or(t.header.end);
        let last = lines.partition_point(|r| r.end < last);
        table_lines.push((first, last));
        for (ri, row) in t.rows.iter().enumerate() {
            row_start.insert(lines.partition_point(|r| r.end < row.range.start), (ti, ri));
        }
    }

    // Units.
    let mut open: Vec<usize> = Vec::new();
    // The last row number standing alone in its cell (`1 |`), for the sequence rule below.
    let mut last_bar_row: Option<u32> = None;
    let mut first_unit_line = lines.len();
    for (i, r) in lines.iter().enumerate() {
        let raw = &text[r.clone()];
        let lead = raw.len() - raw.trim_start().len();
        let t = raw.trim_start();
        if signature_lines.contains(&i) {
            open.clear();
            continue;
        }
        let in_table = has_tables && table_lines.iter().any(|&(a, b)| a <= i && i <= b);
        if let Some(&(ti, ri)) = row_start.get(&i).filter(|_| has_tables) {
            let row = &doc.tables[ti].rows[ri];
            let cols = &doc.tables[ti].columns;
            let task_col = cols.iter().position(|c| c.1 == ColumnKind::Task);
            let mut cell = task_col.and_then(|c| row.cells[c].clone());
            // Several task columns (`项目名称`, `建设内容`): the task is all of them.
            let last_task = cols.iter().rposition(|c| c.1 == ColumnKind::Task);
            if let (Some(c), Some(Some(l))) = (cell.as_mut(), last_task.map(|k| row.cells[k].as_ref())) {
                c.end = c.end.max(l.end);
            }
            let marker = if row.label.is_none() { parse_marker(t) } else { None };
            if let (Some(c), Some(m)) = (cell.as_mut(), marker.as_ref()) {
                // The task cell opens with the row's item marker: the task is after it.
                if c.start == r.start + lead {
                    c.start = (c.start + m.2).min(c.end);
                }
            }
            let label = row.label.clone().or_else(|| marker.as_ref().map(|m| m.1.clone()));
            if let Some(label) = label {
                let kind = marker.as_ref().map(|m| m.0).unwrap_or(UnitKind::Item);
                while let Some(&top) = open.last() {
                    if doc.units[top].kind >= kind {
                        open.pop();
                    } else {
                        break;
                    }
                }
                let parent = open.last().copied();
                let start = r.start + lead;
                let row_end = row.range.end.max(r.end);
                let heading_start = cell
                    .as_ref()
                    .map(|c| c.start)
                    .unwrap_or(start + marker.map(|m| m.2).unwrap_or(0));
                doc.units.push(Unit {
                    kind,
                    label,
                    first_line: start..r.end,
                    heading: heading_start.min(row_end)..r.end.max(heading_start.min(row_end)),
                    range: start..row_end,
                    parent,
                    cell,
                });
                open.push(doc.units.len() - 1);
                doc.tables[ti].rows[ri].unit = Some(doc.units.len() - 1);
                first_unit_line = first_unit_line.min(i);
                continue;
            }
        }
        if in_table {
            // A cell line: it belongs to the open row (never a marker of its own).
            if !t.is_empty() {
                for &u in &open {
                    doc.units[u].range.end = doc.units[u].range.end.max(r.end);
                }
            }
            if table_lines.iter().any(|&(_, b)| b == i) {
                // The table ends: its rows close.
                while let Some(&top) = open.last() {
                    if doc.units[top].cell.is_some()
                        || doc.tables.iter().any(|t| t.rows.iter().any(|x| x.unit == Some(top)))
                    {
                        open.pop();
                    } else {
                        break;
                    }
                }
            }
            continue;
        }
        // A row number alone in its cell (`1 |`) of a table flattened one cell a line with no
        // header row: an item whose row is the lines under it, when the numbers run from 1 in
        // sequence (a column of figures, `60 |`, does not).
        let bar_row = BAR_ROW
            .captures(t)
            .and_then(|c| c[1].parse::<u32>().ok())
            .filter(|&n| n == 1 || last_bar_row == Some(n - 1));
        if let Some(n) = bar_row {
            last_bar_row = Some(n);
        }
        // `重点工作: | 135.统筹…`: a form row, its key cell naming the field and its value cell
        // opening with a numbered item; the item starts at the value.
        let (lead, t) = match form_value(t) {
            Some(k) if parse_marker(&t[k..]).is_some() => (lead + k, &t[k..]),
            _ => (lead, t),
        };
        let marker = parse_marker(t).or_else(|| bar_row.map(|n| (UnitKind::Item, n.to_string(), t.len())));
        if let Some((kind, label, mlen)) = marker {
            while let Some(&top) = open.last() {
                if doc.units[top].kind >= kind {
                    open.pop();
                } else {
                    break;
                }
            }
            let parent = open.last().copied();
            let start = r.start + lead;
            doc.units.push(Unit {
                kind,
                label,
                first_line: start..r.end,
                heading: (start + mlen).min(r.end)..r.end,
                range: start..r.end,
                parent,
                cell: None,
            });
            open.push(doc.units.len() - 1);
            first_unit_line = first_unit_line.min(i);
            if kind < UnitKind::SubItem {
                let me = doc.units.len() - 1;
                for (at, label) in inline_sub_items(text, (start + mlen).min(r.end)..r.end) {
                    let end = r.end;
                    let last = doc.units.len() - 1;
                    if last != me {
                        let prev = &mut doc.units[last];
                        prev.first_line.end = at;
                        prev.heading.end = at;
                        prev.range.end = at;
                    }
                    let m = text[at..]
                        .find([')', '）'])
                        .map(|p| at + p + text[at + p..].chars().next().map_or(1, char::len_utf8))
                        .unwrap_or(at);
                    doc.units.push(Unit {
                        kind: UnitKind::SubItem,
                        label,
                        first_line: at..end,
                        heading: m..end,
                        range: at..end,
                        parent: Some(me),
                        cell: None,
                    });
                }
            }
        } else if !t.is_empty() {
            for &u in &open {
                doc.units[u].range.end = r.end;
            }
        }
    }
    doc.front_matter_end = first_unit_line;

    find_title(text, &lines, &mut doc);
    doc
}

/// Cells of a byte range of the normalised text: split at `|` and wherever the normaliser
/// deleted source whitespace of at least `min_gap` strength (see [`GapFn`]). Cells are
/// trimmed; empty `|` cells are kept as empty ranges.
pub fn split_cells(norm: &NormText, r: Range<usize>, gap: GapFn, min_gap: u8, pipes: bool) -> Vec<Range<usize>> {
    let text = norm.text.as_str();
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut start = r.start;
    let mut prev: Option<usize> = None;
    let push = |a: usize, b: usize, out: &mut Vec<Range<usize>>| {
        let cell = &text[a..b];
        let lead = cell.len() - cell.trim_start().len();
        let trail = cell.len() - cell.trim_end().len();
        out.push(a + lead..(b - trail).max(a + lead));
    };
    for (off, c) in text[r.clone()].char_indices() {
        let b = r.start + off;
        if pipes && c == '|' {
            push(start, b, &mut out);
            start = b + 1;
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let (sa, sb) = (norm.source_index(p), norm.source_index(b));
            if min_gap > 0 && sb > sa + 1 && gap(sa + 1, sb).is_some_and(|g| g >= min_gap) && b > start {
                push(start, b, &mut out);
                start = b;
            }
        }
        if c != ' ' {
            prev = Some(b);
        }
    }
    push(start, r.end, &mut out);
    if pipes {
        // `|a|b|` → the empty cells before the first and after the last bar are no cells.
        while out.first().is_some_and(|c| c.is_empty()) {
            out.remove(0);
        }
        while out.last().is_some_and(|c| c.is_empty()) {
            out.pop();
        }
    } else {
        out.retain(|c| !c.is_empty());
    }
    out
}

/// A line of a table flattened one cell per line, without the bars a page may leave at its
/// edges (`责任单位 |`, `| 1`): a bar only at an edge closes the one cell the line holds.
fn cell_line(s: &str) -> &str {
    s.trim().trim_matches('|').trim()
}

/// The same for a cell's byte range.
fn trim_cell(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let a = s.len() - s.trim_start_matches(|c: char| c == '|' || c.is_whitespace()).len();
    let b = s.len() - s.trim_end_matches(|c: char| c == '|' || c.is_whitespace()).len();
    if a + b >= s.len() {
        return r.start..r.start;
    }
    r.start + a..r.end - b
}

/// The row number of a `序号` cell (`3`, `3.`, `(3)`), as a label.
fn row_number(cell: &str) -> Option<String> {
    let t = cell.trim().trim_end_matches(['.', '、', '．']);
    let t = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')).unwrap_or(t);
    if (1..=3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(t.trim_start_matches('0').to_string()).filter(|x| !x.is_empty());
    }
    None
}

/// The number of a `序号` cell in a row of cells on one line: digits, or a Chinese numeral
/// (`三`), as a label.
fn row_label(cell: &str) -> Option<String> {
    row_number(cell).or_else(|| {
        let t = cell.trim().trim_end_matches(['.', '、', '．']);
        let t = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')).unwrap_or(t);
        let n = t.chars().count();
        ((1..=3).contains(&n) && t.chars().all(|c| "一二三四五六七八九十".contains(c))).then(|| t.to_string())
    })
}

/// Column kinds of a header: valid when at least three columns, one of them a
/// responsibility column and one the number or the task.
fn valid_header(kinds: &[ColumnKind]) -> bool {
    kinds.len() >= 3
        && kinds.contains(&ColumnKind::Role)
        && (kinds.contains(&ColumnKind::Seq) || kinds.contains(&ColumnKind::Task))
}

/// Finds flattened tables: a header row (cells on one line, or one cell per line) whose
/// heads are column names with at least one responsibility column, and the rows after it.
fn find_tables(norm: &NormText, lines: &[Range<usize>], gap: GapFn, words: &dyn Vocabulary) -> Vec<Table> {
    let column_kind = |cell: &str| words.column_kind(cell);
    let text = norm.text.as_str();
    let t = |i: usize| cell_line(&text[lines[i].clone()]);
    let mut tables = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = t(i);
        let n = line.chars().count();
        if n < 2 || n > 120 || !words.has_role_noun(line) {
            i += 1;
            continue;
        }
        // (a) The header on one line: cells split by `|`, or by whitespace the normaliser
        // dropped (the line is shorter than its source).
        let pipes = line.contains('|');
        let span = norm.span(lines[i].clone());
        let shrunk = (span.end - span.start) as usize > text[lines[i].clone()].chars().count() + 1;
        if !pipes && !shrunk && n > 12 {
            i += 1;
            continue;
        }
        let (cells, min_gap) = if !pipes && !shrunk {
            (Vec::new(), 0)
        } else if pipes {
            (split_cells(norm, lines[i].clone(), gap, 0, true), 0)
        } else {
            let strong = split_cells(norm, lines[i].clone(), gap, 2, false);
            if strong.len() >= 3 {
                (strong, 2)
            } else {
                (split_cells(norm, lines[i].clone(), gap, 1, false), 1)
            }
        };
        if cells.len() >= 3 && (pipes || shrunk) {
            let kinds: Option<Vec<ColumnKind>> = cells.iter().map(|c| column_kind(&text[c.clone()])).collect();
            if let Some(kinds) = kinds.filter(|k| valid_header(k)) {
                let columns: Vec<(String, ColumnKind)> = cells
                    .iter()
                    .zip(&kinds)
                    .map(|(c, k)| (text[c.clone()].to_string(), *k))
                    .collect();
                let (table, next) = inline_rows(norm, lines, i, columns.clone(), gap, min_gap, pipes);
                if !table.rows.is_empty() {
                    tables.push(table);
                    i = next;
                    continue;
                }
                // The header on one line, the rows one cell per line (`序号|任务|责任单位|` then
                // `1 |`, `新建公园。 |`, `县住建局 |`).
                if kinds.contains(&ColumnKind::Seq) || kinds[0] == ColumnKind::Task {
                    let (table, next) = cell_rows(norm, lines, i, i, columns, gap, words);
                    if !table.rows.is_empty() {
                        tables.push(table);
                        i = next;
                        continue;
                    }
                }
            }
        }
        // (b) One head per line: the run of column-name lines around this one.
        if column_kind(line) == Some(ColumnKind::Role) {
            let is_head = |k: usize| !t(k).is_empty() && column_kind(t(k)).is_some();
            let is_task_head = |k: usize| {
                // Han characters, possibly after a year (`2022年预期目标`).
                let h = t(k);
                let han = h.chars().filter(|&c| is_han(c)).count();
                let short = (2..=8).contains(&han)
                    && h.chars().count() <= 12
                    && h.chars().skip_while(|c| c.is_ascii_digit()).all(is_han);
                let prev = (0..k).rev().find(|&j| !t(j).is_empty());
                short && prev.is_some_and(|j| column_kind(t(j)) == Some(ColumnKind::Seq))
            };
            // Up to eight heads before this one, blank lines between them not counted.
            let mut first = i;
            let mut k = i;
            let mut before = 0;
            while k > 0 && before < 8 {
                k -= 1;
                if t(k).is_empty() {
                    continue;
                }
                before += 1;
                if is_head(k) {
                    first = k;
                } else if first == i && is_task_head(k) {
                    // `序号 / 民生实事 / 责任单位`: an unnamed head between the number and the
                    // responsibility column names the task column.
                    first = k;
                } else {
                    break;
                }
            }
            let mut last = i;
            let mut k = i + 1;
            while k < lines.len() && k < last + 4 {
                if t(k).is_empty() {
                    k += 1;
                    continue;
                }
                if is_head(k) {
                    last = k;
                    k += 1;
                } else {
                    break;
                }
            }
            let mut heads: Vec<usize> = (first..=last).filter(|&k| !t(k).is_empty()).collect();
            // A task-like line after the last responsibility head (`一、发展目标`) is the first
            // row's group cell, not a head.
            while heads.len() > 1
                && heads
                    .iter()
                    .rposition(|&k| column_kind(t(k)) == Some(ColumnKind::Role))
                    .is_some_and(|r| r + 1 < heads.len())
                && matches!(
                    column_kind(t(*heads.last().expect("non-empty"))),
                    Some(ColumnKind::Task)
                )
            {
                heads.pop();
            }
            let last = *heads.last().expect("non-empty");
            let columns: Vec<(String, ColumnKind)> = heads
                .iter()
                .map(|&k| (t(k).to_string(), column_kind(t(k)).unwrap_or(ColumnKind::Task)))
                .collect();
            let kinds: Vec<ColumnKind> = columns.iter().map(|c| c.1).collect();
            if valid_header(&kinds) && (kinds.contains(&ColumnKind::Seq) || kinds[0] == ColumnKind::Task) {
                let (table, next) = cell_rows(norm, lines, first, last, columns, gap, words);
                if !table.rows.is_empty() {
                    tables.push(table);
                    i = next;
                    continue;
                }
            }
            i = last + 1;
            continue;
        }
        i += 1;
    }
    tables
}

/// Rows of a table whose header is the line `h`: every following line that splits into at
/// least two cells the way the header did (blank lines and repeated headers skipped).
fn inline_rows(
    norm: &NormText,
    lines: &[Range<usize>],
    h: usize,
    columns: Vec<(String, ColumnKind)>,
    gap: GapFn,
    min_gap: u8,
    pipes: bool,
) -> (Table, usize) {
    let text = norm.text.as_str();
    let seq = columns.iter().position(|c| c.1 == ColumnKind::Seq);
    let mut rows = Vec::new();
    let mut k = h + 1;
    while k < lines.len() {
        let line = text[lines[k].clone()].trim();
        if line.is_empty() {
            k += 1;
            continue;
        }
        if pipes != line.contains('|') {
            break;
        }
        let cells = split_cells(norm, lines[k].clone(), gap, min_gap, pipes);
        if cells.len() < 2 {
            break;
        }
        let same_as_header =
            cells.len() == columns.len() && cells.iter().zip(&columns).all(|(c, h)| text[c.clone()] == *h.0);
        if !same_as_header {
            let mut row: Vec<Option<Range<usize>>> = vec![None; columns.len()];
            // A row one cell short of the header and without a number: the number column is
            // empty (the cells are the other columns).
            let skip_seq =
                seq == Some(0) && cells.len() + 1 == columns.len() && row_label(&text[cells[0].clone()]).is_none();
            let offset = usize::from(skip_seq);
            for (n, c) in cells.iter().enumerate() {
                if n + offset < row.len() && !c.is_empty() {
                    row[n + offset] = Some(c.clone());
                }
            }
            let label = seq
                .and_then(|s| row[s].as_ref())
                .and_then(|c| row_label(&text[c.clone()]));
            rows.push(TableRow {
                range: lines[k].clone(),
                label,
                cells: row,
                unit: None,
                raw: if pipes { Vec::new() } else { cells.clone() },
                first: 0,
                at_end: false,
            });
        }
        k += 1;
    }
    if let Some(last) = rows.last_mut() {
        last.at_end = (k..lines.len()).all(|j| text[lines[j].clone()].trim().is_empty());
    }
    let table = Table {
        columns,
        header: lines[h].clone(),
        rows,
    };
    (table, k)
}

/// Rows of a table with one cell per line (header lines `first..=last`): each row starts at a
/// line holding only its number (the next number after the previous row's), and its cells are
/// the lines after it, in the order of the header's columns after the number column. Lines
/// glued by the normaliser are split again where the source had a line break.
fn cell_rows(
    norm: &NormText,
    lines: &[Range<usize>],
    first: usize,
    last: usize,
    columns: Vec<(String, ColumnKind)>,
    gap: GapFn,
    words: &dyn Vocabulary,
) -> (Table, usize) {
    let text = norm.text.as_str();
    let t = |i: usize| cell_line(&text[lines[i].clone()]);
    // Rows start at a number line (a `序号` column), else at an item marker opening the task
    // cell (the first column).
    let seq = columns.iter().position(|c| c.1 == ColumnKind::Seq);
    let marked = seq.is_none();
    let first_cell = seq.map(|s| s + 1).unwrap_or(0);
    let after = columns.len() - first_cell;
    let number = |line: &str| -> Option<u32> {
        if marked {
            let (kind, label, _) = parse_marker(line)?;
            (kind >= UnitKind::Item).then_some(())?;
            label.parse().ok()
        } else {
            row_number(line).and_then(|x| x.parse().ok())
        }
    };
    let mut rows: Vec<TableRow> = Vec::new();
    let k = last + 1;
    let expected: Option<u32> = None;
    // The next row start at or after `from`, within `reach` non-blank lines.
    let find_start = |from: usize, reach: usize, expected: Option<u32>| -> Option<usize> {
        let mut seen = 0;
        let mut j = from;
        while j < lines.len() && seen <= reach {
            let line = t(j);
            if !line.is_empty() {
                if let Some(n) = number(line) {
                    // The next number, or numbering restarting at 1 (a new group of rows) once
                    // the previous row has its cells.
                    if expected.is_none_or(|e| e == n || (n == 1 && seen >= after)) {
                        return Some(j);
                    }
                }
                seen += 1;
            }
            j += 1;
        }
        None
    };
    let mut end_line = last;
    let mut cur = find_start(k, 2, expected);
    if cur.is_none() && seq.is_some() {
        return unnumbered_cell_rows(norm, lines, first, last, columns, gap, words);
    }
    while let Some(s) = cur {
        let n: u32 = number(t(s)).expect("checked");
        let next = find_start(s + 1, after + 3, Some(n + 1));
        let stop = next.unwrap_or_else(|| {
            // The last row: its cells are the next `after` non-blank lines.
            let mut got = 0;
            let mut j = s + 1;
            while j < lines.len() && got < after {
                if !t(j).is_empty() {
                    got += 1;
                }
                j += 1;
            }
            j
        });
        let mut cells: Vec<Range<usize>> = Vec::new();
        let from = if marked { s } else { s + 1 };
        for j in from..stop {
            if !t(j).is_empty() {
                cells.extend(
                    split_cells(norm, lines[j].clone(), gap, 3, false)
                        .into_iter()
                        .map(|c| trim_cell(text, c))
                        .filter(|c| !c.is_empty()),
                );
            }
        }
        let mut row: Vec<Option<Range<usize>>> = vec![None; columns.len()];
        let at_end = next.is_none() && (stop..lines.len()).all(|j| t(j).is_empty());
        for (m, c) in cells.iter().take(after).enumerate() {
            row[first_cell + m] = Some(c.clone());
        }
        let end = cells.iter().take(after).last().map(|c| c.end).unwrap_or(lines[s].end);
        rows.push(TableRow {
            range: lines[s].start..end,
            label: (!marked).then(|| n.to_string()),
            cells: row,
            unit: None,
            raw: cells,
            first: first_cell,
            at_end,
        });
        end_line = lines.partition_point(|r| r.end < end);
        cur = next;
    }
    let table = Table {
        columns,
        header: lines[first].start..lines[last].end,
        rows,
    };
    (table, end_line + 1)
}

/// Rows of a table with one cell per line whose number column the page left empty (`序号` in
/// the header, no number line after it): each run of as many lines as the other columns is a
/// row, while every responsibility cell reads as a list of organisations; the rows have no
/// label.
fn unnumbered_cell_rows(
    norm: &NormText,
    lines: &[Range<usize>],
    first: usize,
    last: usize,
    columns: Vec<(String, ColumnKind)>,
    gap: GapFn,
    words: &dyn Vocabulary,
) -> (Table, usize) {
    let text = norm.text.as_str();
    let seq = columns.iter().position(|c| c.1 == ColumnKind::Seq).unwrap_or(0);
    let first_cell = seq + 1;
    let after = columns.len() - first_cell;
    // The cells after the header, lines glued by the normaliser split again.
    let mut cells: Vec<Range<usize>> = Vec::new();
    for line in &lines[last + 1..] {
        if !cell_line(&text[line.clone()]).is_empty() {
            cells.extend(
                split_cells(norm, line.clone(), gap, 3, false)
                    .into_iter()
                    .map(|c| trim_cell(text, c))
                    .filter(|c| !c.is_empty()),
            );
        }
    }
    let mut rows: Vec<TableRow> = Vec::new();
    let mut end = lines[last].end;
    if after >= 2 {
        'rows: for run in cells.chunks_exact(after) {
            for (m, cell) in run.iter().enumerate() {
                let role = columns[first_cell + m].1 == ColumnKind::Role;
                if role != words.is_org_list_cell(&text[cell.clone()]) {
                    break 'rows;
                }
            }
            let mut row: Vec<Option<Range<usize>>> = vec![None; columns.len()];
            for (m, cell) in run.iter().enumerate() {
                row[first_cell + m] = Some(cell.clone());
            }
            end = run[after - 1].end;
            rows.push(TableRow {
                range: run[0].start..end,
                label: None,
                cells: row,
                unit: None,
                raw: Vec::new(),
                first: first_cell,
                at_end: false,
            });
        }
    }
    let end_line = lines.partition_point(|r| r.end < end);
    let table = Table {
        columns,
        header: lines[first].start..lines[last].end,
        rows,
    };
    (table, end_line + 1)
}

fn looks_like_office_line(s: &str) -> bool {
    let n = s.chars().count();
    (2..=40).contains(&n)
        && !s.contains(['。', ',', ':', ';', '|', '!', '?'])
        && !crate::normalize::starts_with_marker(s)
        && s.chars().any(is_han)
        && !PLAN_TITLE_END.is_match(s)
}

/// Field names of the metadata block web portals put above a document (`索引号`, `发布机构`,
/// `成文日期`, `文号`, …) and of news pages (`来源`, `发布时间`): one automaton, longest name first.
pub struct HeaderFields {
    ac: aho_corasick::AhoCorasick,
    /// Per pattern, what its value is.
    kinds: Vec<FieldKind>,
}

impl HeaderFields {
    /// The field names, each with what its value is.
    pub fn new<'w>(fields: impl IntoIterator<Item = (&'w str, FieldKind)>) -> HeaderFields {
        let (names, kinds): (Vec<&str>, Vec<FieldKind>) = fields.into_iter().unzip();
        HeaderFields {
            ac: aho_corasick::AhoCorasickBuilder::new()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(names)
                .expect("field names are plain strings"),
            kinds,
        }
    }
}

/// Header metadata in any of the layouts pages use: `key|value|key|value|` rows, `key:value`
/// several to a line, `key value` run together once spaces are gone
/// (`发布机构金乡县发展和改革局组配分类发展计划`), bullets (`- 发布机构: X`), and a field name alone on
/// its line with the value on the next. A line counts only when it opens with a field name
/// (after a bullet, or the date stamp of a news page), so a body sentence that mentions one
/// (`资金来源`) is not read.
fn parse_meta(text: &str, lines: &[Range<usize>], fields: &HeaderFields, doc: &mut Document) {
    let is_bullet = |c: char| matches!(c, '|' | '-' | '*' | '·' | '•' | '【' | '[' | ' ' | '\t');
    let body_of = |r: &Range<usize>| text[r.clone()].trim().trim_start_matches(is_bullet);
    for (i, r) in lines.iter().enumerate().take(30) {
        let body = body_of(r);
        let mut keys: Vec<(usize, usize, FieldKind)> = Vec::new();
        let separated = body.contains([':', '|']);
        for m in fields.ac.find_iter(body) {
            let next = body[m.end()..].chars().next();
            let first = keys.is_empty();
            if first {
                // Only a date stamp may come before the first field name.
                let lead = &body[..m.start()];
                if !lead
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | ':' | '.' | ' '))
                {
                    break;
                }
            }
            // A name inside a value is no boundary: a field name has a separator after it,
            // unless the whole line has none.
            let kind = fields.kinds[m.pattern().as_usize()];
            let short = kind.needs_separator;
            let boundary = matches!(next, None | Some(':' | '|' | ' ' | '】')) || !separated && !short && !first;
            if first && !(boundary || !separated) {
                break;
            }
            if first || boundary {
                keys.push((m.start(), m.end(), kind));
            }
        }
        for (n, &(ks, ke, kind)) in keys.iter().enumerate() {
            let vend = keys.get(n + 1).map(|k| k.0).unwrap_or(body.len());
            let clean = |v: &str| {
                v.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '|' | '】' | '[' | ']'))
                    .to_string()
            };
            let mut value = clean(&body[ke..vend]);
            let mut line = r.clone();
            // `发布机构` alone on its line, the value on the next.
            if value.is_empty() && keys.len() == 1 && body.len() == ke {
                if let Some((j, next)) = lines
                    .iter()
                    .enumerate()
                    .skip(i + 1)
                    .find(|(_, l)| !text[(*l).clone()].trim().is_empty())
                {
                    let nb = body_of(next);
                    if j <= i + 2 && fields.ac.find(nb).is_none_or(|m| m.start() > 0) && nb.chars().count() <= 60 {
                        value = clean(nb);
                        line = r.start..next.end;
                    }
                }
            }
            doc.meta.push(MetaField {
                key: body[ks..ke].to_string(),
                value,
                line,
                kind,
            });
        }
    }
}

fn find_title(text: &str, lines: &[Range<usize>], doc: &mut Document) {
    let front: Vec<&Range<usize>> = lines.iter().take(doc.front_matter_end.max(1)).collect();
    // 1. A notice: `[issuer]关于印发《X》的通知` → title X, issuer.
    let mut from_meta: Vec<(String, Range<usize>)> = doc
        .meta
        .iter()
        .filter(|f| f.key == "名称" || f.key == "标题")
        .map(|f| (f.value.clone(), f.line.clone()))
        .collect();
    let mut candidates: Vec<(String, Range<usize>)> = front
        .iter()
        .map(|r| (text[(*r).clone()].trim().to_string(), (*r).clone()))
        .collect();
    candidates.append(&mut from_meta);
    for (t, r) in &candidates {
        let t = t.trim_matches(|c: char| c == '|' || c.is_whitespace());
        // `名称:|市人民政府办公室关于印发…` → the value after the field name.
        let t = t.rsplit([':', '|']).find(|p| !p.trim().is_empty()).unwrap_or(t).trim();
        let t = strip_title_tags(t);
        if t.contains('。') || t.chars().nth(100).is_some() || not_title_line(t) {
            continue;
        }
        // (`关于` gates the regex: its lazy captures are costly on every front line.)
        if let Some(c) = t.contains("关于").then(|| NOTICE_TITLE.captures(t)).flatten() {
            let issuer = c[1].trim().trim_start_matches(['|', ' ']);
            if doc.title_issuer.is_none()
                && !issuer.is_empty()
                && issuer.chars().count() <= 30
                && !issuer.contains(['《', ','])
            {
                doc.title_issuer = Some((issuer.to_string(), r.clone()));
            }
            if doc.title.is_none() {
                let inner = c[3].trim();
                // A notice that hands down a plan (`关于2020年重点工作及责任分解的通知`) is
                // titled by the plan, as a forwarding one is.
                let hands_down = &c[4] == "通知" && PLAN_TITLE_END.is_match(inner);
                let title = if c.get(2).is_some() || hands_down {
                    strip_book_quotes(inner)
                } else {
                    // Not a forwarding notice: the notice itself is the document.
                    t[..c.get(0).map(|m| m.end()).unwrap_or(t.len())]
                        .trim_start_matches(issuer)
                        .to_string()
                };
                let title = if c.get(2).is_some() || hands_down {
                    title
                } else {
                    format!("{issuer}{title}")
                };
                doc.title = Some((title, r.clone()));
            }
        }
    }
    // 2. A standalone plan title line (after the signature date, or the first lines) wins over
    //    a forwarding notice's inner title when they say the same, and is used when no notice.
    let after_sig = doc
        .signature
        .as_ref()
        .map(|s| s.1.end)
        .or_else(|| doc.date.as_ref().map(|d| d.1.end))
        .unwrap_or(0);
    let limit = lines.get(doc.front_matter_end).map(|r| r.start).unwrap_or(text.len());
    let mut k = 0;
    while k < lines.len() {
        let r = &lines[k];
        if r.start < after_sig && doc.title.is_some() {
            k += 1;
            continue;
        }
        if r.start >= limit {
            break;
        }
        let t = strip_title_tags(text[r.clone()].trim());
        if t.starts_with('(') && t.ends_with(')') || not_title_line(t) {
            k += 1;
            continue;
        }
        // Titles broken over two lines, blank lines between: `…综合试验区建设` + `2022年工作要点`.
        let next = lines[k + 1..]
            .iter()
            .take(3)
            .find(|n| !text[(*n).clone()].trim().is_empty())
            .filter(|n| n.start < limit && !not_title_line(text[(*n).clone()].trim()));
        let is_title = |cand: &str| {
            let n = cand.chars().take(81).count();
            (6..=80).contains(&n)
                && !cand.contains(['。', ':', '|', ','])
                && !cand.starts_with("关于")
                && PLAN_TITLE_END.is_match(cand)
                && !crate::normalize::starts_with_marker(cand)
        };
        if is_title(t) {
            doc.title = Some((strip_book_quotes(t), r.clone()));
            return;
        }
        // The joined pair is built only when the line alone is no title.
        if let Some(n) = next {
            let joined = format!("{t}{}", text[n.clone()].trim());
            if is_title(&joined) {
                doc.title = Some((strip_book_quotes(&joined), r.start..n.end));
                return;
            }
        }
        k += 1;
    }
}

fn strip_book_quotes(s: &str) -> String {
    let s = s.trim();
    if s.starts_with('《') && s.ends_with('》') && s.matches('《').count() == 1 {
        s[3..s.len() - 3].to_string()
    } else {
        s.to_string()
    }
}

/// The innermost unit containing a byte position, if any.
///
/// Units are in document order (each starts on its own line) and nest like a stack: a unit's
/// range covers its children's, and a unit closed before another starts ends before it. So the
/// units containing `pos` are the last unit starting at or before `pos` and its ancestors:
/// a binary search and a walk up the parents, not a scan of every unit (a document with
/// hundreds of thousands of items asks this for every fact).
pub fn unit_at(doc: &Document, pos: usize) -> Option<usize> {
    let contains = |u: &Unit| u.range.start <= pos && pos < u.range.end.max(u.range.start + 1);
    let last = doc.units.partition_point(|u| u.range.start <= pos).checked_sub(1)?;
    let mut cur = Some(last);
    while let Some(i) = cur {
        if contains(&doc.units[i]) {
            return Some(i);
        }
        cur = doc.units[i].parent;
    }
    None
}

/// Byte range of the line holding a byte position (without its `\n`): a binary search over
/// [`Document::lines`], so asking for every fact costs nothing even on a one-line document.
pub fn line_at(doc: &Document, pos: usize) -> Range<usize> {
    let i = doc.lines.partition_point(|r| r.start <= pos).saturating_sub(1);
    doc.lines.get(i).cloned().unwrap_or(0..0)
}

/// [`unit_at`] by scanning every unit: the innermost (deepest kind, last in order).
#[cfg(test)]
fn unit_at_scan(doc: &Document, pos: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, u) in doc.units.iter().enumerate() {
        if u.range.start <= pos && pos < u.range.end.max(u.range.start + 1) {
            best = match best {
                Some(b) if doc.units[b].kind > u.kind => Some(b),
                _ => Some(i),
            };
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout parser with the embedded tables' vocabulary.
    fn parse(norm: &NormText) -> Document {
        crate::extract::parse_embedded(norm)
    }
    use crate::normalize::normalize;

    #[test]
    fn unit_at_agrees_with_a_scan_of_every_unit() {
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/dev"),
        ];
        let mut checked = 0;
        for dir in dirs {
            for e in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
                let norm = normalize(&text);
                let doc = parse(&norm);
                assert!(doc.units.windows(2).all(|w| w[0].range.start < w[1].range.start));
                for pos in 0..=norm.text.len() {
                    assert_eq!(unit_at(&doc, pos), unit_at_scan(&doc, pos), "at {pos}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn markers() {
        assert_eq!(
            parse_marker("一、全面深化").map(|m| (m.0, m.1)),
            Some((UnitKind::Section, "一".into()))
        );
        assert_eq!(
            parse_marker("(三)加强").map(|m| (m.0, m.1)),
            Some((UnitKind::Subsection, "三".into()))
        );
        assert_eq!(
            parse_marker("17.加快").map(|m| (m.0, m.1)),
            Some((UnitKind::Item, "17".into()))
        );
        assert_eq!(
            parse_marker("1、切实").map(|m| (m.0, m.1)),
            Some((UnitKind::Item, "1".into()))
        );
        assert_eq!(
            parse_marker("(2)推进").map(|m| (m.0, m.1)),
            Some((UnitKind::SubItem, "2".into()))
        );
        assert_eq!(
            parse_marker("③完善").map(|m| (m.0, m.1)),
            Some((UnitKind::Circled, "3".into()))
        );
        assert_eq!(
            parse_marker("第二部分 重点任务").map(|m| (m.0, m.1)),
            Some((UnitKind::Part, "二".into()))
        );
        assert!(parse_marker("3.2米及以下").is_none());
        assert!(parse_marker("2022年是关键之年").is_none());
    }

    #[test]
    fn flattened_tables_become_numbered_rows() {
        // One cell per line, a group cell (`分类`) before the first row of its group.
        let n = normalize("分类\n序号\n事项\n牵头单位\n发展目标\n1\n增长6%。\n区发改局\n民生\n2\n增长5%。\n区财政局\n");
        let d = parse(&n);
        assert_eq!(d.tables.len(), 1);
        let rows: Vec<(&str, &str)> = d
            .units
            .iter()
            .map(|u| (u.label.as_str(), &n.text[u.cell.clone().unwrap()]))
            .collect();
        assert_eq!(rows, vec![("1", "增长6%。"), ("2", "增长5%。")]);
        // Cells joined by `|`; the table ends at the first line that is no row.
        let n = normalize(
            "序号|任务|牵头单位|配合单位\n1|建设园区|市工信局|市财政局\n2|招商|市商务局|\n二、保障措施\n3.加强领导。",
        );
        let d = parse(&n);
        let t = &d.tables[0];
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].cells[3], None);
        let labels: Vec<(UnitKind, &str)> = d.units.iter().map(|u| (u.kind, u.label.as_str())).collect();
        assert_eq!(
            labels,
            vec![
                (UnitKind::Item, "1"),
                (UnitKind::Item, "2"),
                (UnitKind::Section, "二"),
                (UnitKind::Item, "3")
            ]
        );
        // A header needs a responsibility column.
        assert!(parse(&normalize("序号|任务|完成时限\n1|建设|2024年")).tables.is_empty());
    }

    #[test]
    fn inline_headings_of_a_one_line_document() {
        let body = "为进一步促进活动复苏,一、承办好赛事积极争取更多赛事落户,承办好系列活动,(责任单位:市旅文局、市财政局)二、办好特色赛事办好排球节,(责任单位:市旅文局)三、推动一、二、三产业融合发展。";
        let src = format!("{}{body}", "前言".repeat(120));
        let n = normalize(&src);
        let d = parse(&n);
        let secs: Vec<(&str, &str)> = d
            .units
            .iter()
            .map(|u| (u.label.as_str(), &n.text[u.range.clone()]))
            .filter(|(_, t)| t.len() < 400)
            .collect();
        assert_eq!(secs.len(), 3, "{secs:?}");
        assert!(secs[0].1.starts_with("一、承办好") && secs[0].1.ends_with("市财政局)"));
        assert!(secs[1].1.starts_with("二、办好"));
        assert_eq!(secs[2].1, "三、推动一、二、三产业融合发展。");
        // A short line is never split.
        let d = parse(&normalize("复苏,一、承办(市局)二、办好"));
        assert!(d.units.is_empty());
    }

    #[test]
    fn form_rows_open_items_at_their_value() {
        let n = normalize("重点工作: | 12.统筹城市更新。 |\n牵头单位: | 市城管局 |\n进展: | 3.5万平方米 |");
        let d = parse(&n);
        let u: Vec<(&str, &str)> = d.units.iter().map(|u| (u.label.as_str(), &n.text[u.heading.clone()])).collect();
        assert_eq!(u, vec![("12", "统筹城市更新。|")]);
    }

    #[test]
    fn notice_with_signature_and_units() {
        let src = "泰动能办〔2022〕3号\n各县、市、区:\n现印发给你们。\n泰安市新旧动能转换综合试验区建设领导小组办公室\n2022年3月21日\n泰安市新旧动能转换综合试验区建设\n2022年工作要点\n一、全面完成评估\n1.配合省做好评估工作。(市发展改革委牵头)\n2.主动开展市级自评。\n二、坚定不移\n3.坚决淘汰落后动能。";
        let n = normalize(src);
        let d = parse(&n);
        assert_eq!(d.number.as_ref().map(|x| x.0.as_str()), Some("泰动能办〔2022〕3号"));
        assert_eq!(
            d.signature.as_ref().map(|x| x.0.as_str()),
            Some("泰安市新旧动能转换综合试验区建设领导小组办公室")
        );
        assert_eq!(d.date.as_ref().map(|x| x.0.as_str()), Some("2022-03-21"));
        assert_eq!(
            d.title.as_ref().map(|x| x.0.as_str()),
            Some("泰安市新旧动能转换综合试验区建设2022年工作要点")
        );
        let items: Vec<(&str, Option<&str>)> = d
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Item)
            .map(|u| (u.label.as_str(), u.parent.map(|p| d.units[p].label.as_str())))
            .collect();
        assert_eq!(items, vec![("1", Some("一")), ("2", Some("一")), ("3", Some("二"))]);
    }
}
