//! Stage 4: document structure → facts.
//!
//! [`extract`] runs the whole front half of the pipeline on one decoded document (normalise,
//! parse structure, detect the jurisdiction) and then every relation rule, one module per
//! relation of the facts spec: [`responsibility`] (`leads` and `co_responsible`), [`targets`],
//! [`cooperation`] (`cooperates_with`), [`posts`] (`holds_post`) and [`issued_by`]. Rules never
//! fail: what they cannot read becomes a diagnostic. Facts come out sorted and deduplicated so
//! that output is deterministic.

pub mod cooperation;
pub mod issued_by;
pub mod posts;
pub mod responsibility;
pub mod targets;

use crate::doc::{slice_chars, SourceDoc, Span};
use crate::facts::{Evidence, Fact, OrgRef, TaskRef};
use crate::lexicon::{Lexicon, PerLexicon, Table};
use crate::normalize::{normalize, NormText};
use crate::resolve::{detect_jurisdiction_in, resolve_org, Gazetteer, Jurisdiction, PlaceMatch};
use crate::structure::{parse_with_source, ColumnKind, Document, FieldKind, HeaderFields, UnitKind, Vocabulary};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// A task of the document: a numbered item, or a section/unnumbered passage that carries a
/// responsibility directly.
#[derive(Clone, Debug)]
pub struct Task {
    /// Unit index in [`Document::units`], if numbered.
    pub unit: Option<usize>,
    pub label: Option<String>,
    pub text: String,
    /// Index into [`Extraction::sections`].
    pub section: Option<usize>,
    pub span: Span,
    /// Byte range in the normalised text.
    pub range: Range<usize>,
}

/// A section heading (`一、…`, `(一)…`, `第一部分…`).
#[derive(Clone, Debug)]
pub struct SectionInfo {
    pub label: String,
    pub heading: String,
    pub kind: UnitKind,
    pub parent: Option<usize>,
    pub span: Span,
}

/// Document-level metadata found by the rules.
#[derive(Clone, Debug, Default)]
pub struct DocMeta {
    pub title: Option<String>,
    pub number: Option<String>,
    pub date: Option<String>,
    /// Division code and full name of the jurisdiction.
    pub jurisdiction: Option<(String, String)>,
    pub encoding: String,
    /// Byte sequences that could not be decoded and became U+FFFD.
    pub replaced: usize,
    pub path: String,
    pub chars: usize,
    /// MD5 (hex) of the decoded source text.
    pub source_md5: String,
    /// What extracted it: `policykg {version} lexicon {fingerprint}`.
    pub extracted_by: String,
}

/// Everything extracted from one document.
#[derive(Clone, Debug)]
pub struct Extraction {
    pub doc: String,
    pub meta: DocMeta,
    pub sections: Vec<SectionInfo>,
    pub tasks: Vec<Task>,
    pub facts: Vec<Fact>,
    /// Every division the document refers to (jurisdiction, places, governments of its
    /// organisations) and their ancestors up to the province, sorted by code.
    pub places: Vec<Place>,
    /// Codes of the divisions the text names (full names, or short names of prefectures and
    /// provinces; same-named places resolved within the jurisdiction's province), sorted.
    pub mentions: Vec<String>,
    /// Canonical organisation name → the body it belongs to (canonical name, type), from
    /// `parent_bodies.tsv`: 无为市发展和改革委员会 → (无为市人民政府, Government).
    pub parents: BTreeMap<String, (String, String)>,
    pub diagnostics: Vec<String>,
}

/// An administrative division as the RDF stage describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// Statistical division code (`340281`).
    pub code: String,
    /// Official name (`无为市`).
    pub name: String,
    /// Name used in front of its organisations' names (`鞍山市立山区`).
    pub qualified: String,
    /// `province`, `prefecture` or `county`.
    pub level: String,
    /// `province`, `prefecture`, `district`, `county`, `county_city` or `zone`.
    pub kind: String,
    /// Code of the enclosing division.
    pub parent: Option<String>,
}

/// The body an organisation of this type and canonical name belongs to, from
/// `parent_bodies.tsv` (first matching row; none when the organisation is that body).
pub fn parent_body(gz: &Gazetteer, name: &str, ty: &str, division: &str) -> Option<(String, String)> {
    let jur = gz.qualified_name(*gz.by_code.get(division)?);
    let row = gz
        .lexicon()
        .table(crate::lexicon::Table::ParentBodies)
        .iter()
        .find(|r| r.len() >= 4 && r[0] == ty && name.starts_with(&r[1].replace("{jur}", &jur)))?;
    let parent = row[2].replace("{jur}", &jur);
    (parent != name).then(|| (parent, row[3].clone()))
}

/// The divisions with these codes and all their ancestors, sorted by code.
pub fn places_with_ancestors<'a>(gz: &Gazetteer, codes: impl IntoIterator<Item = &'a str>) -> Vec<Place> {
    let mut seen = std::collections::BTreeMap::new();
    for code in codes {
        let Some(&i) = gz.by_code.get(code) else { continue };
        for d in gz.chain(i) {
            let div = gz.division(d);
            seen.entry(div.code.clone()).or_insert_with(|| Place {
                code: div.code.clone(),
                name: div.name.clone(),
                qualified: gz.qualified_name(d),
                level: div.level.clone(),
                kind: div.kind.clone(),
                parent: div.parent.map(|p| gz.division(p).code.clone()),
            });
        }
    }
    seen.into_values().collect()
}

/// What the rules see of one document.
pub struct Context<'a> {
    pub src: &'a SourceDoc,
    pub norm: NormText,
    pub doc: Document,
    pub gz: &'a Gazetteer,
    pub jur: Jurisdiction,
    /// Every place mention in the normalised text (`gz.find`), in order.
    pub places_found: Vec<PlaceMatch>,
    /// Source char → byte table, for evidence slices.
    offsets: Vec<usize>,
    /// Unit index → section index, for units that are sections.
    unit_section: Vec<Option<usize>>,
    pub sections: Vec<SectionInfo>,
    pub tasks: Vec<Task>,
    pub diagnostics: Vec<String>,
    /// Unit index → its first child, for [`Context::own_range`].
    first_child: Vec<Option<usize>>,
    /// Task of each unit, and unnumbered tasks by range (lookups per fact stay O(1)).
    unit_task: rustc_hash::FxHashMap<usize, usize>,
    range_task: rustc_hash::FxHashMap<(usize, usize), usize>,
    /// [`Context::org_ref`] by mention: the rules ask about the same mentions many times (each
    /// list reading tests its members), and the answer depends only on the mention and the
    /// jurisdiction, fixed per document.
    org_cache: std::cell::RefCell<rustc_hash::FxHashMap<String, Option<OrgRef>>>,
    /// The responsibility grammar of the gazetteer's lexicon (labels, role nouns, column heads).
    pub(crate) grammar: std::sync::Arc<responsibility::Grammar>,
}

/// The words the layout parser needs ([`Vocabulary`]), from one lexicon: the responsibility
/// grammar's column heads and role nouns, the lexicon's organisation endings and collectives.
pub struct Layout<'a> {
    pub grammar: &'a responsibility::Grammar,
    pub lexicon: &'a Lexicon,
    pub header_fields: Arc<HeaderFields>,
}

impl<'a> Layout<'a> {
    pub fn new(grammar: &'a responsibility::Grammar, lexicon: &'a Lexicon) -> Layout<'a> {
        static FIELDS: PerLexicon<HeaderFields> = PerLexicon::new();
        let header_fields = FIELDS.get(lexicon, |lex| {
            let mut publishers = 0;
            HeaderFields::new(lex.table(Table::HeaderFields).iter().map(|r| {
                let has = |k: &str| r.get(1).is_some_and(|ks| ks.split(',').any(|x| x.trim() == k));
                let publisher = has("publisher").then(|| {
                    publishers += 1;
                    publishers - 1
                });
                let date_rank = ["signed", "published", "dated", "generated"]
                    .iter()
                    .position(|k| has(k))
                    .map(|p| p as u8);
                let kind = FieldKind {
                    needs_separator: has("needs_separator"),
                    number: has("number"),
                    date_rank: date_rank.filter(|_| !has("lapses")),
                    publisher,
                };
                (r[0].as_str(), kind)
            }))
        });
        Layout {
            grammar,
            lexicon,
            header_fields,
        }
    }
}

/// The structure of a text read with the embedded tables (for tests of the layout parser).
#[cfg(test)]
pub(crate) fn parse_embedded(norm: &NormText) -> Document {
    let lx = Lexicon::embedded();
    let grammar = responsibility::Grammar::of(&lx);
    crate::structure::parse(norm, &Layout::new(&grammar, &lx))
}

impl Vocabulary for Layout<'_> {
    fn column_kind(&self, cell: &str) -> Option<ColumnKind> {
        self.grammar.column(cell)
    }
    fn has_role_noun(&self, line: &str) -> bool {
        self.grammar.has_noun(line)
    }
    fn is_org_list_cell(&self, cell: &str) -> bool {
        responsibility::is_org_list_cell(self.grammar, self.lexicon, cell)
    }
    fn header_fields(&self) -> &HeaderFields {
        &self.header_fields
    }
    fn ends_like_org(&self, mention: &str) -> bool {
        self.lexicon.org_type_by_suffix(mention).is_some()
    }
}

impl<'a> Context<'a> {
    /// Builds the context: normalise, parse structure, detect jurisdiction.
    pub fn new(src: &'a SourceDoc, gz: &'a Gazetteer) -> Context<'a> {
        let norm = normalize(&src.text);
        let offsets = src.char_offsets();
        // What the normaliser deleted between two characters, when it was whitespace: table
        // cells joined by tabs or spaces stay apart.
        let gap = |a: u32, b: u32| -> Option<u8> {
            let s = slice_chars(&src.text, &offsets, Span { start: a, end: b });
            if s.is_empty() || s.len() > 64 || !s.chars().all(char::is_whitespace) {
                return None;
            }
            Some(if s.contains('\n') {
                3
            } else if s.contains('\t') || s.chars().count() >= 2 {
                2
            } else {
                1
            })
        };
        let grammar = responsibility::Grammar::of(gz.lexicon());
        let layout = Layout::new(&grammar, gz.lexicon());
        let doc = parse_with_source(&norm, &gap, &layout);
        let text = norm.text.as_str();
        let mut zones: Vec<&str> = Vec::new();
        if let Some((s, _)) = &doc.signature {
            zones.push(s);
        }
        if let Some((s, _)) = &doc.title_issuer {
            zones.push(s);
        }
        for f in &doc.meta {
            if f.key == "发布机构" || f.key == "发文机关" {
                zones.push(&f.value);
            }
        }
        if let Some((s, _)) = &doc.title {
            zones.push(s);
        }
        // The first line (often `XX市人民政府文件` or the title) counts too.
        if let Some(r) = doc.lines.iter().find(|r| !text[(*r).clone()].trim().is_empty()) {
            zones.push(&text[r.clone()]);
        }
        let places_found = gz.find(text);
        let jur = detect_jurisdiction_in(gz, &zones, text, &places_found);
        let mut first_child = vec![None; doc.units.len()];
        for (i, u) in doc.units.iter().enumerate() {
            if let Some(p) = u.parent {
                if first_child[p].is_none() {
                    first_child[p] = Some(i);
                }
            }
        }
        let mut cx = Context {
            src,
            norm,
            doc,
            gz,
            jur,
            places_found,
            offsets,
            unit_section: Vec::new(),
            sections: Vec::new(),
            tasks: Vec::new(),
            diagnostics: Vec::new(),
            first_child,
            unit_task: Default::default(),
            range_task: Default::default(),
            org_cache: Default::default(),
            grammar,
        };
        cx.build_sections_and_tasks();
        cx
    }

    fn build_sections_and_tasks(&mut self) {
        let text = &self.norm.text;
        let mut unit_section = vec![None; self.doc.units.len()];
        for (i, u) in self.doc.units.iter().enumerate() {
            if matches!(u.kind, UnitKind::Part | UnitKind::Section | UnitKind::Subsection) {
                let parent = u.parent.and_then(|p| unit_section[p]);
                self.sections.push(SectionInfo {
                    label: u.label.clone(),
                    heading: cap_text(text[u.first_line.clone()].trim()),
                    kind: u.kind,
                    parent,
                    span: self.norm.span(u.first_line.clone()),
                });
                unit_section[i] = Some(self.sections.len() - 1);
            }
        }
        self.unit_section = unit_section;
        for (i, u) in self.doc.units.iter().enumerate() {
            if matches!(u.kind, UnitKind::Item | UnitKind::SubItem | UnitKind::Circled) {
                let own = u.cell.clone().unwrap_or_else(|| self.own_range(i));
                let t = Task {
                    unit: Some(i),
                    label: Some(u.label.clone()),
                    text: task_text(&self.grammar, &text[own.clone()]),
                    section: self.section_of(i),
                    span: self.norm.span(u.range.clone()),
                    range: u.range.clone(),
                };
                self.unit_task.entry(i).or_insert(self.tasks.len());
                self.tasks.push(t);
            }
        }
    }

    /// The section a unit belongs to (its nearest section ancestor, or itself).
    pub fn section_of(&self, unit: usize) -> Option<usize> {
        let mut cur = Some(unit);
        while let Some(u) = cur {
            if let Some(s) = self.unit_section.get(u).copied().flatten() {
                return Some(s);
            }
            cur = self.doc.units[u].parent;
        }
        None
    }

    /// Byte range of a unit's own text: after its marker up to its first child.
    pub fn own_range(&self, unit: usize) -> Range<usize> {
        let u = &self.doc.units[unit];
        let end = self.first_child[unit]
            .map(|c| self.doc.units[c].first_line.start)
            .unwrap_or(u.range.end)
            .max(u.heading.start);
        u.heading.start..end
    }

    /// True when the source had spaces or tabs (not a line break) right before the character
    /// at this byte offset, which the normaliser dropped (`市发改委 市财政局`).
    pub fn space_before(&self, byte: usize) -> bool {
        if byte == 0 || byte >= self.norm.text.len() {
            return false;
        }
        let prev = self.norm.text[..byte]
            .chars()
            .next_back()
            .map(char::len_utf8)
            .unwrap_or(1);
        let (a, b) = (self.norm.source_index(byte - prev), self.norm.source_index(byte));
        if b <= a + 1 {
            return false;
        }
        let s = slice_chars(&self.src.text, &self.offsets, Span { start: a + 1, end: b });
        s.len() <= 64
            && s.chars()
                .all(|c| c == ' ' || c == '\t' || c == '\u{3000}' || c == '\u{a0}')
    }

    /// Evidence for a byte range of the normalised text.
    pub fn evidence(&self, bytes: Range<usize>) -> Evidence {
        let span = self.norm.span(bytes);
        Evidence {
            start: span.start,
            end: span.end,
            text: slice_chars(&self.src.text, &self.offsets, span).to_string(),
        }
    }

    /// The task for a byte position: the task of the innermost numbered unit, creating one for
    /// a section/subsection that carries a fact directly; `None` outside any unit.
    pub fn task_at(&mut self, pos: usize) -> Option<usize> {
        let unit = crate::structure::unit_at(&self.doc, pos)?;
        if let Some(&t) = self.unit_task.get(&unit) {
            return Some(t);
        }
        self.unit_task.insert(unit, self.tasks.len());
        let u = self.doc.units[unit].clone();
        let own = u.cell.clone().unwrap_or_else(|| self.own_range(unit));
        self.tasks.push(Task {
            unit: Some(unit),
            label: Some(u.label.clone()),
            text: task_text(&self.grammar, &self.norm.text[own]),
            section: self.section_of(unit),
            span: self.norm.span(u.range.clone()),
            range: u.range.clone(),
        });
        Some(self.tasks.len() - 1)
    }

    /// An unnumbered task for a sentence outside any unit.
    pub fn sentence_task(&mut self, range: Range<usize>) -> usize {
        if let Some(&t) = self.range_task.get(&(range.start, range.end)) {
            return t;
        }
        self.range_task.insert((range.start, range.end), self.tasks.len());
        self.tasks.push(Task {
            unit: None,
            label: None,
            text: cap_text(self.norm.text[range.clone()].trim()),
            section: None,
            span: self.norm.span(range.clone()),
            range,
        });
        self.tasks.len() - 1
    }

    /// The `TaskRef` of a task.
    pub fn task_ref(&self, t: usize) -> TaskRef {
        let task = &self.tasks[t];
        TaskRef {
            label: task.label.clone(),
            text: task.text.clone(),
            section: task.section.map(|s| self.sections[s].heading.clone()),
        }
    }

    /// Resolves an organisation mention into an `OrgRef` (None if it is not one).
    pub fn org_ref(&self, mention: &str) -> Option<OrgRef> {
        if let Some(known) = self.org_cache.borrow().get(mention) {
            return known.clone();
        }
        let found = resolve_org(self.gz, &self.jur, mention).map(|r| OrgRef {
            text: mention.to_string(),
            name: r.name,
            ty: r.ty.as_str().to_string(),
            code: None,
            division: r.division.map(|d| self.gz.division(d).code.clone()),
        });
        self.org_cache.borrow_mut().insert(mention.to_string(), found.clone());
        found
    }

    /// The `@self` actor: the document's own jurisdiction.
    pub fn self_ref(&self) -> OrgRef {
        let (name, ty, code) = match self.jur.own() {
            Some(d) => {
                let div = self.gz.division(d);
                (Some(self.gz.qualified_name(d)), place_type(div), Some(div.code.clone()))
            }
            None => (None, "City".to_string(), None),
        };
        OrgRef {
            text: "@self".into(),
            name,
            ty,
            code,
            division: None,
        }
    }

    /// An evidence range as given when it is at most [`MAX_SENTENCE_CHARS`] long (an item up
    /// to its responsibility bracket); else from the start of the sentence or clause around
    /// `anchor` (the bracket) to the range's end, or that sentence or clause alone.
    pub fn bounded_evidence(&self, range: Range<usize>, anchor: usize) -> Range<usize> {
        let text = self.norm.text.as_str();
        let short =
            |r: &Range<usize>| r.len() <= MAX_SENTENCE_CHARS || text[r.clone()].chars().count() <= MAX_SENTENCE_CHARS;
        if short(&range) {
            return range;
        }
        let around = self.sentence_around(char_floor(text, anchor));
        let to_end = around.start.max(range.start)..range.end.max(around.start);
        if short(&to_end) {
            to_end
        } else {
            around
        }
    }

    /// The sentence (byte range, ending after 。!?;) around a position, within its line.
    ///
    /// Evidence is "the sentence or clause that states the fact": a sentence longer than
    /// [`MAX_SENTENCE_CHARS`] (a page flattened into one line, a table without stops) gives
    /// way to the clause around the position (between `,` / `:`), and a clause that long to a
    /// window of half that on each side. Every scan is bounded, so asking for each of a
    /// document's facts stays linear in its length.
    pub fn sentence_around(&self, pos: usize) -> Range<usize> {
        const STOPS: [char; 4] = ['。', '!', '?', ';'];
        let text = self.norm.text.as_str();
        let line = crate::structure::line_at(&self.doc, pos);
        let (line_start, line_end) = (line.start.min(pos), line.end.max(pos));
        // A sentence of MAX_SENTENCE_CHARS characters is at most 4 bytes each.
        let reach = MAX_SENTENCE_CHARS * 4;
        let lo = char_floor(text, pos.saturating_sub(reach).max(line_start));
        let hi = char_floor(text, (pos + reach).min(line_end));
        let after_char = |p: usize| p + text[p..].chars().next().map(char::len_utf8).unwrap_or(1);
        let start = match text[lo..pos].rfind(STOPS) {
            Some(p) => Some(after_char(lo + p)),
            None => (lo == line_start).then_some(line_start),
        };
        let end = match text[pos..hi].find(STOPS) {
            Some(p) => Some(after_char(pos + p)),
            None => (hi == line_end).then_some(line_end),
        };
        let (lo, hi) = match (start, end) {
            (Some(s), Some(e)) if text[s..e].chars().count() <= MAX_SENTENCE_CHARS => return s..e,
            (s, e) => (s.unwrap_or(lo), e.unwrap_or(hi)),
        };
        // Too long: the clause around the position, else a window around it.
        let half = MAX_SENTENCE_CHARS / 2;
        let cstart = text[lo..pos]
            .rfind([',', ':'])
            .map(|p| after_char(lo + p))
            .unwrap_or(lo);
        let cend = text[pos..hi]
            .find([',', ':'])
            .map(|p| after_char(pos + p))
            .unwrap_or(hi);
        let wstart = text[cstart..pos]
            .char_indices()
            .rev()
            .nth(half - 1)
            .map(|(i, _)| cstart + i)
            .unwrap_or(cstart);
        let wend = text[pos..cend]
            .char_indices()
            .nth(half)
            .map(|(i, _)| pos + i)
            .unwrap_or(cend);
        wstart..wend
    }
}

/// Longest evidence sentence, in characters, before evidence narrows to the clause (the
/// longest in the annotated corpus is 400).
pub const MAX_SENTENCE_CHARS: usize = 600;

/// The largest char boundary at or before a byte offset.
pub(crate) fn char_floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Facts-spec type of a division: `Province`, `City`, `County`, `District`.
pub fn place_type(d: &crate::lexicon::Division) -> String {
    match (d.level.as_str(), d.kind.as_str()) {
        ("province", _) => "Province",
        ("prefecture", _) => "City",
        (_, "county_city") => "City",
        (_, "district") => "District",
        (_, "zone") => "Park",
        _ => "County",
    }
    .to_string()
}

/// A task's own text: the item text without its trailing responsibility bracket and label
/// lines (`牵头单位:…`).
pub fn task_text(g: &responsibility::Grammar, own: &str) -> String {
    let mut lines: Vec<&str> = own.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines.retain(|l| !responsibility::is_label_line(g, l));
    let mut t = lines.join("");
    if let Some(r) = responsibility::trailing_bracket(g, &t) {
        t.truncate(r.start);
    }
    if let Some(p) = responsibility::labels_start(g, &t) {
        t.truncate(p);
    }
    cap_text(t.trim())
}

/// Longest task text or section heading kept, in characters. Real items are a few hundred
/// characters; a document without line breaks (a page flattened into one 50 MB line) would
/// otherwise copy its whole text into every fact about it.
pub const MAX_TASK_TEXT_CHARS: usize = 500;

/// `text`, cut to [`MAX_TASK_TEXT_CHARS`] characters with `…` when longer.
pub fn cap_text(text: &str) -> String {
    match text.char_indices().nth(MAX_TASK_TEXT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The extraction key of this program and its tables: a stored document extracted with a
/// different one is extracted again even when its source is unchanged.
pub fn extracted_by(gz: &Gazetteer) -> String {
    format!(
        "policykg {} lexicon {}",
        env!("CARGO_PKG_VERSION"),
        gz.lexicon().fingerprint
    )
}

/// Sorts one document's facts by [`Fact::sort_key`]: by evidence start and relation, and by
/// JSON text only within runs that tie on those (serialising only the facts that need it).
fn sort_facts(facts: &mut [Fact]) {
    let key = |f: &Fact| (f.evidence.start, f.rel.name());
    debug_assert!(facts.windows(2).all(|w| w[0].doc == w[1].doc));
    facts.sort_by(|a, b| key(a).cmp(&key(b)));
    let mut i = 0;
    while i < facts.len() {
        let j = i + facts[i..].iter().take_while(|f| key(f) == key(&facts[i])).count();
        if j - i > 1 {
            let run = &mut facts[i..j];
            // A run usually shares its task (the departments of one item): its text, the same
            // in every line and most of each, cannot order them, so the keys leave it out.
            let shared = run.windows(2).all(|w| w[0].rel.task() == w[1].rel.task());
            let text = match shared {
                true => run[0].rel.task_text_mut().map(std::mem::take),
                false => None,
            };
            if let Some(text) = text {
                for f in run.iter_mut() {
                    f.rel.task_text_mut().map(String::clear);
                }
                run.sort_by_cached_key(Fact::to_json_bytes);
                for f in run.iter_mut() {
                    if let Some(t) = f.rel.task_text_mut() {
                        t.clone_from(&text);
                    }
                }
            } else {
                run.sort_by_cached_key(Fact::to_json_bytes);
            }
        }
        i = j;
    }
}

/// Runs every rule on one decoded document.
pub fn extract(src: &SourceDoc, gz: &Gazetteer) -> Extraction {
    let mut cx = Context::new(src, gz);
    let mut facts: Vec<Fact> = Vec::new();
    responsibility::extract(&mut cx, &mut facts);
    targets::extract(&mut cx, &mut facts);
    cooperation::extract(&mut cx, &mut facts);
    posts::extract(&mut cx, &mut facts);
    issued_by::extract(&mut cx, &mut facts);
    for f in &mut facts {
        f.doc = src.id.0.clone();
    }
    sort_facts(&mut facts);
    facts.dedup_by(|a, b| a.rel == b.rel && a.evidence == b.evidence);
    let jurisdiction = cx
        .jur
        .own()
        .map(|d| (cx.gz.division(d).code.clone(), cx.gz.qualified_name(d)));
    let meta = DocMeta {
        title: cx.doc.title.as_ref().map(|t| t.0.clone()),
        number: cx.doc.number.as_ref().map(|t| t.0.clone()),
        date: cx.doc.date.as_ref().map(|t| t.0.clone()),
        jurisdiction,
        encoding: src.encoding.to_string(),
        replaced: src.replaced,
        path: src.path.clone(),
        chars: cx.norm.source_len() as usize,
        source_md5: crate::doc::md5_hex(&src.text),
        extracted_by: extracted_by(cx.gz),
    };
    let found = std::mem::take(&mut cx.places_found);
    let prefectures: rustc_hash::FxHashSet<usize> = found
        .iter()
        .flat_map(|m| m.divisions.iter().copied())
        .filter(|&d| cx.gz.division(d).level == "prefecture")
        .collect();
    let mentions: Vec<String> = found
        .into_iter()
        .filter(|m| !m.divisions.is_empty())
        .filter_map(|m| {
            let d = crate::resolve::pick_division(cx.gz, &cx.jur, &m.divisions)?;
            let div = cx.gz.division(d);
            // A county named far from home (山海城市 is no 海城市 in an Anhui plan) needs its
            // own province, or its prefecture named too.
            let near = |anchor: Option<usize>| anchor.is_none_or(|a| cx.gz.chain(d).contains(&a));
            let province = cx.jur.own().and_then(|j| cx.gz.chain(j).last().copied());
            let county_ok = near(province) || div.parent.is_some_and(|p| prefectures.contains(&p));
            (div.level != "county" || m.full && county_ok).then(|| div.code.clone())
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut codes: Vec<&str> = meta.jurisdiction.iter().map(|(c, _)| c.as_str()).collect();
    codes.extend(mentions.iter().map(String::as_str));
    for f in &facts {
        for o in f.rel.orgs() {
            codes.extend(o.code.as_deref().into_iter().chain(o.division.as_deref()));
        }
    }
    let places = places_with_ancestors(cx.gz, codes);
    let mut parents = BTreeMap::new();
    for f in &facts {
        for o in f.rel.orgs() {
            if let (Some(name), Some(code)) = (&o.name, &o.division) {
                if let Some(p) = parent_body(cx.gz, name, &o.ty, code) {
                    parents.insert(name.clone(), p);
                }
            }
        }
    }
    Extraction {
        doc: src.id.0.clone(),
        meta,
        sections: cx.sections,
        tasks: cx.tasks,
        facts,
        places,
        mentions,
        parents,
        diagnostics: cx.diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_of_overlong_sentences_narrows_to_the_clause_and_stays_a_source_slice() {
        let gz = Gazetteer::embedded();
        let filler = "推进各项工作落实".repeat(150); // 1,200 characters without a stop
        let text = format!(
            "一、总体要求\n1.{filler},加快建设数字政府(市发改委牵头,市工信局配合)\n2.{filler}{filler}。市财政局负责资金保障。\n"
        );
        let src = SourceDoc::from_text("long", &text);
        let ex = extract(&src, gz);
        let chars: Vec<char> = text.chars().collect();
        let rels: Vec<&str> = ex.facts.iter().map(|f| f.rel.name()).collect();
        assert!(rels.contains(&"leads") && rels.contains(&"co_responsible"), "{rels:?}");
        for f in &ex.facts {
            let e = &f.evidence;
            assert!(
                e.end - e.start <= MAX_SENTENCE_CHARS as u32,
                "{}: {}",
                f.rel.name(),
                e.end - e.start
            );
            assert_eq!(
                e.text,
                chars[e.start as usize..e.end as usize].iter().collect::<String>()
            );
            if f.rel.name() == "leads" {
                assert!(e.text.ends_with("(市发改委牵头,市工信局配合)"), "{}", e.text);
                assert!(e.text.starts_with("加快建设数字政府"), "{}", e.text);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever the text, the sentence around a position contains it, lies on its line, and
        /// is at most MAX_SENTENCE_CHARS long.
        #[test]
        fn sentence_around_is_bounded_and_holds_its_position(
            s in "[推进工作,。;:\n1.(市局牵头)a ]{0,3000}",
            at in 0usize..4000,
        ) {
            let src = SourceDoc::from_text("p", &s);
            let cx = Context::new(&src, Gazetteer::embedded());
            let text = cx.norm.text.as_str();
            let pos = char_floor(text, at.min(text.len()));
            let r = cx.sentence_around(pos);
            proptest::prop_assert!(r.start <= pos && pos <= r.end && r.end <= text.len());
            proptest::prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            proptest::prop_assert!(!text[r.clone()].contains('\n'));
            proptest::prop_assert!(text[r].chars().count() <= MAX_SENTENCE_CHARS);
        }
    }

    #[test]
    fn facts_come_out_in_sort_key_order() {
        let gz = Gazetteer::embedded();
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        let (files, _) = crate::input::collect_files(&[root.join("seeds"), root.join("tests/data/dev")]);
        let mut tied = 0;
        for f in files {
            let facts = extract(&crate::input::read_document(&f).unwrap(), gz).facts;
            let mut by_key = facts.clone();
            by_key.sort_by_cached_key(|f| f.sort_key());
            assert!(facts == by_key, "{}", f.display());
            tied += facts
                .windows(2)
                .filter(|w| w[0].evidence.start == w[1].evidence.start)
                .count();
        }
        // The JSON tie-break is exercised (co-responsible departments share their sentence).
        assert!(tied > 50, "{tied}");
    }
}
