//! Stage 2: decoded source text → normalised text with an offset map ([`NormText`]).
//!
//! Normalisation makes documents from different sites look alike so that rules stay simple:
//! Traditional → Simplified script (OpenCC tables via `zhconv`), inline pinyin glosses removed
//! (`創(chuàng)新` → `创新`), Markdown emphasis removed (`**聂立新**`), full-width ASCII folded to
//! half-width (`（市发改委牵头，…）` → `(市发改委牵头,…)`), spaces between CJK characters dropped
//! (`索 引 号` → `索引号`), inline headings of one-line documents put on their own line, and
//! words split by page breaks joined (`工\n\n作上` → `工作上`). Every character of the result
//! remembers the source character it came from, so any range of normalised text maps back to
//! a [`Span`] of the source; conversion is one character for one character or a deletion,
//! never a reordering.

use crate::doc::Span;
use std::ops::Range;

/// Normalised text plus, for each of its characters, the source character it came from.
#[derive(Clone, Debug)]
pub struct NormText {
    /// The normalised text; lines are separated by `\n`.
    pub text: String,
    /// Byte offset in `text` of each character, plus `text.len()` at the end.
    starts: Vec<u32>,
    /// Source character index of each character of `text` (strictly increasing).
    src: Vec<u32>,
    /// Number of characters in the source text.
    src_len: u32,
}

impl NormText {
    /// Source span of a byte range of the normalised text. The range is clamped to the text;
    /// an empty range maps to an empty span at the source position of its start.
    pub fn span(&self, bytes: Range<usize>) -> Span {
        let n = self.src.len();
        let a = self.char_at(bytes.start).min(n);
        let b = self.char_at(bytes.end).min(n).max(a);
        if a == b {
            let p = if a < n { self.src[a] } else { self.src_len };
            return Span { start: p, end: p };
        }
        Span {
            start: self.src[a],
            end: self.src[b - 1] + 1,
        }
    }

    /// Index of the character starting at (or containing) this byte offset.
    fn char_at(&self, byte: usize) -> usize {
        match self.starts.binary_search(&(byte as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Source character index of the character at (or containing) a byte offset; the source
    /// length at the end of the text. Two neighbouring characters whose indexes differ by more
    /// than one had source characters deleted between them (spaces, line breaks, glosses).
    pub fn source_index(&self, byte: usize) -> u32 {
        self.src.get(self.char_at(byte)).copied().unwrap_or(self.src_len)
    }

    /// Number of source characters.
    pub fn source_len(&self) -> u32 {
        self.src_len
    }

    /// Byte ranges of the lines of the normalised text (without the `\n`).
    pub fn lines(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, b) in self.text.bytes().enumerate() {
            if b == b'\n' {
                out.push(start..i);
                start = i + 1;
            }
        }
        out.push(start..self.text.len());
        out
    }
}

/// True for Han ideographs (basic, extension A, compatibility, and the supplementary planes).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF | 0x3007)
}

/// True for Han ideographs and CJK punctuation (where spaces carry no meaning).
pub fn is_cjk(c: char) -> bool {
    is_han(c)
        || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2018..=0x201F | 0x2014 | 0x2026 | 0x00B7 | 0x2460..=0x24FF)
        || c == '\u{FFFD}'
}

const PINYIN_LETTERS: &str = "abcdefghijklmnopqrstuvwxyzāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ";

/// Folds full-width ASCII, small form variants of punctuation and ideographic space to their
/// half-width forms; other characters are returned unchanged.
pub fn fold_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        // Small form variants of punctuation (`1﹒` `﹙市发改委牵头﹚`).
        0xFE50 => ',',
        0xFE51 => '、',
        0xFE52 => '.',
        0xFE54 => ';',
        0xFE55 => ':',
        0xFE56 => '?',
        0xFE57 => '!',
        0xFE59 => '(',
        0xFE5A => ')',
        0xFE5D => '〔',
        0xFE5E => '〕',
        0x3000 | 0x00A0 | 0x2002..=0x200A | 0x202F | 0x205F => ' ',
        0x0009 => ' ',
        _ => c,
    }
}

/// True when a line (or the rest of one) starts with a section or item marker:
/// `一、` `(一)` `1.` `1、` `(1)` `①` `第一部分` `——`.
pub fn starts_with_marker(s: &str) -> bool {
    let mut head = ['\0'; 8];
    let mut n = 0;
    for c in s.chars().take(8) {
        head[n] = c;
        n += 1;
    }
    marker_head(&head[..n])
}

/// [`starts_with_marker`] on the first (up to eight) characters of a line.
fn marker_head(rest: &[char]) -> bool {
    const CN: &str = "一二三四五六七八九十";
    let Some(&c0) = rest.first() else { return false };
    if ('①'..='⑳').contains(&c0) {
        return true;
    }
    if c0 == '(' || c0 == '（' {
        let inner = rest[1..].iter().take_while(|c| **c != ')' && **c != '）');
        let mut count = 0;
        for &c in inner {
            if !(c.is_ascii_digit() || CN.contains(c)) {
                return false;
            }
            count += 1;
        }
        return (1..=3).contains(&count);
    }
    if c0.is_ascii_digit() {
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        let after = rest.get(digits);
        let after2 = rest.get(digits + 1);
        return digits <= 3 && matches!(after, Some('.' | '、' | '．')) && !after2.is_some_and(|c| c.is_ascii_digit());
    }
    if CN.contains(c0) {
        let k = rest.iter().take_while(|c| CN.contains(**c)).count();
        return rest.get(k) == Some(&'、');
    }
    if c0 == '第' {
        return rest.contains(&'章') || rest.windows(2).any(|w| w == ['部', '分']);
    }
    false
}

/// Normalises a decoded source text. Never fails; any input gives a valid offset map.
///
/// Works on one vector of (character, source index) pairs, rewritten in place by each pass
/// (every pass deletes characters or replaces one with one, so the write position never passes
/// the read position); the text is materialised once at the end.
pub fn normalize(source: &str) -> NormText {
    // Pass 0: HTML pages keep only their text (tags, scripts, styles and comments dropped,
    // entities decoded, block tags as line breaks); each kept character keeps its position.
    let (mut v, src_len): (Vec<(char, u32)>, u32) = if looks_like_html(source) {
        let all: Vec<char> = source.chars().collect();
        (html_text(&all), all.len() as u32)
    } else {
        let v: Vec<(char, u32)> = source.chars().zip(0u32..).collect();
        let n = v.len() as u32;
        (v, n)
    };
    clean_chars(&mut v);
    drop_page_markers(&mut v);
    fold_spaces(&mut v);
    join_broken_lines(&mut v);
    to_simplified_in_place(&mut v);

    let mut text = String::with_capacity(v.len() * 3);
    let mut starts = Vec::with_capacity(v.len() + 1);
    let mut src = Vec::with_capacity(v.len());
    for &(c, s) in &v {
        starts.push(text.len() as u32);
        src.push(s);
        text.push(c);
    }
    starts.push(text.len() as u32);
    NormText {
        text,
        starts,
        src,
        src_len,
    }
}

/// Pass 1: character-level clean-up: zero-width characters, `\r`, Markdown `**`, pinyin
/// glosses after a Han character, full-width folding.
fn clean_chars(v: &mut Vec<(char, u32)>) {
    let (mut r, mut w) = (0, 0);
    while r < v.len() {
        let (c, at) = v[r];
        let next = v.get(r + 1).map(|x| x.0);
        match c {
            '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' => {
                r += 1;
                continue;
            }
            '\r' => {
                if next != Some('\n') {
                    v[w] = ('\n', at);
                    w += 1;
                }
                r += 1;
                continue;
            }
            '*' if next == Some('*') => {
                r += 2;
                continue;
            }
            '(' | '（' if w > 0 && is_han(v[w - 1].0) => {
                if let Some(len) = pinyin_gloss_len(&v[r..]) {
                    r += len;
                    continue;
                }
            }
            _ => {}
        }
        v[w] = (fold_width(c), at);
        w += 1;
        r += 1;
    }
    v.truncate(w);
}

/// Page numbers printed between the lines of a page-broken document (`— 3 —`, `- 12 -`,
/// `第 3 页`, `第3页 共10页`, `共10页 第3页`).
static PAGE_MARKER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"^(?:[-—–―~]{1,3} *\d{1,4} *[-—–―~]{1,3}|第 *\d{1,4} *页(?: *[,、/]? *共 *\d{1,4} *页)?|共 *\d{1,4} *页 *[,、/]? *第 *\d{1,4} *页)$",
    )
    .expect("valid regex")
});

/// Pass 1b: a line holding only a page marker becomes a blank line (its characters are
/// deleted, its line break kept), so that the lines around it read as one passage and a
/// sentence broken by the page is joined by [`join_broken_lines`].
fn drop_page_markers(v: &mut Vec<(char, u32)>) {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 0..=v.len() {
        if i < v.len() && v[i].0 != '\n' {
            continue;
        }
        let line = &v[start..i];
        let first = line.iter().position(|x| x.0 != ' ');
        if let Some(f) = first {
            let c = line[f].0;
            if line.len() - f <= 24 && matches!(c, '-' | '—' | '–' | '―' | '~' | '第' | '共') {
                let s: String = line.iter().map(|x| x.0).collect();
                if PAGE_MARKER.is_match(s.trim()) {
                    spans.push((start, i));
                }
            }
        }
        start = i + 1;
    }
    delete_spans(v, &spans);
}

/// Deletes the index ranges `spans` (in order, not overlapping) from `v`, in place.
fn delete_spans(v: &mut Vec<(char, u32)>, spans: &[(usize, usize)]) {
    if spans.is_empty() {
        return;
    }
    let (mut r, mut w) = (0, 0);
    for &(a, b) in spans {
        while r < a {
            v[w] = v[r];
            w += 1;
            r += 1;
        }
        r = b;
    }
    while r < v.len() {
        v[w] = v[r];
        w += 1;
        r += 1;
    }
    v.truncate(w);
}

/// Pass 2: spaces. Dropped next to CJK, at line ends and in runs; a space run between a
/// sentence end (or a closing bracket, as after `(市发改委牵头)`) and a heading marker becomes a
/// line break (one-line documents), and so does one between a figure and an item marker.
fn fold_spaces(v: &mut Vec<(char, u32)>) {
    let (mut r, mut w) = (0, 0);
    while r < v.len() {
        let (c, s) = v[r];
        if c != ' ' {
            v[w] = (c, s);
            w += 1;
            r += 1;
            continue;
        }
        let run_start = v[r].1;
        while r < v.len() && v[r].0 == ' ' {
            r += 1;
        }
        let prev = if w > 0 { Some(v[w - 1].0) } else { None };
        let next = v.get(r).map(|x| x.0);
        // After a figure (`… 0 0 24 4.新投放`, a row of figures flattened before the next
        // item) only a numbered item (`4.` `4、`) starts a line.
        let after_figure = prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        if after_figure || prev.is_some_and(|p| "。!?;！？；)）]】".contains(p)) {
            let mut head = ['\0'; 8];
            let n = v[r..]
                .iter()
                .take(8)
                .zip(head.iter_mut())
                .map(|(x, h)| *h = x.0)
                .count();
            if marker_head(&head[..n]) {
                v[w] = ('\n', run_start);
                w += 1;
                continue;
            }
        }
        let drop = match (prev, next) {
            (None, _) | (_, None) | (Some('\n'), _) | (_, Some('\n')) => true,
            (Some(p), Some(n)) => is_cjk(p) || is_cjk(n) || p == '|' || n == '|',
        };
        if !drop {
            v[w] = (' ', run_start);
            w += 1;
        }
    }
    v.truncate(w);
}

/// True when the text is an HTML page saved from a site.
pub fn looks_like_html(s: &str) -> bool {
    let end = s.char_indices().nth(2048).map(|(i, _)| i).unwrap_or(s.len());
    let head = &s.as_bytes()[..end];
    let t = s[..end].trim_start().as_bytes();
    let starts = |w: &[u8]| t.len() >= w.len() && t[..w.len()].eq_ignore_ascii_case(w);
    let body = memchr::memchr_iter(b'<', head).any(|i| head[i..].get(..5).is_some_and(|w| w.eq_ignore_ascii_case(b"<body")));
    starts(b"<!doctype html") || starts(b"<html") || (body && s[..end].contains("</"))
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "title",
    "hr",
    "dd",
    "dt",
    "pre",
    "blockquote",
];

/// Text of an HTML page as (char, source index) pairs.
fn html_text(chars: &[char]) -> Vec<(char, u32)> {
    let mut out: Vec<(char, u32)> = Vec::with_capacity(chars.len() / 2);
    let lower = |a: usize, b: usize| -> String {
        chars[a..b.min(chars.len())]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '<' {
            if lower(i, i + 4) == "<!--" {
                let mut j = i + 4;
                while j + 2 < chars.len() && !(chars[j] == '-' && chars[j + 1] == '-' && chars[j + 2] == '>') {
                    j += 1;
                }
                i = (j + 3).min(chars.len());
                continue;
            }
            let Some(end) = chars[i..].iter().position(|&x| x == '>').map(|p| i + p) else {
                out.push((c, i as u32));
                i += 1;
                continue;
            };
            let tag = lower(i + 1, end);
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if !tag.starts_with('/') && (name == "script" || name == "style") {
                let close = format!("</{name}");
                let mut j = end + 1;
                while j < chars.len() && lower(j, j + close.len()) != close {
                    j += 1;
                }
                let after = chars[j..]
                    .iter()
                    .position(|&x| x == '>')
                    .map(|p| j + p + 1)
                    .unwrap_or(chars.len());
                i = after;
                continue;
            }
            if BLOCK_TAGS.contains(&name.as_str()) {
                out.push(('\n', i as u32));
            }
            i = end + 1;
            continue;
        }
        if c == '&' {
            let semi = chars[i..chars.len().min(i + 10)]
                .iter()
                .position(|&x| x == ';')
                .map(|p| i + p);
            if let Some(semi) = semi {
                let ent: String = chars[i + 1..semi].iter().collect();
                let decoded = match ent.as_str() {
                    "nbsp" | "ensp" | "emsp" => Some(' '),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "ldquo" => Some('“'),
                    "rdquo" => Some('”'),
                    "middot" => Some('·'),
                    "mdash" => Some('—'),
                    e if e.starts_with("#x") || e.starts_with("#X") => {
                        u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
                    }
                    e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                if let Some(d) = decoded {
                    out.push((d, i as u32));
                    i = semi + 1;
                    continue;
                }
            }
        }
        // Source line breaks inside HTML are layout, not text structure.
        out.push((if c == '\n' || c == '\r' { ' ' } else { c }, i as u32));
        i += 1;
    }
    out
}

/// Length in chars of a pinyin gloss like `(chuàng)` at the start of `s`, if it is one.
fn pinyin_gloss_len(s: &[(char, u32)]) -> Option<usize> {
    let mut k = 1;
    while k < s.len() && k <= 8 && PINYIN_LETTERS.contains(s[k].0) {
        k += 1;
    }
    if k >= 2 && k < s.len() && (s[k].0 == ')' || s[k].0 == '）') {
        Some(k + 1)
    } else {
        None
    }
}

/// Pass 3: joins lines split by page breaks inside a sentence, and lines broken inside an
/// open 《 》 or ( ): the line breaks (and blank lines) between them are deleted.
fn join_broken_lines(v: &mut Vec<(char, u32)>) {
    // Lines as index ranges of `v` (without their '\n'); the text of each as a &str of `s`.
    let s: String = v.iter().map(|x| x.0).collect();
    let mut byte = Vec::with_capacity(v.len() + 1);
    let mut b = 0u32;
    for &(c, _) in v.iter() {
        byte.push(b);
        b += c.len_utf8() as u32;
    }
    byte.push(b);
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, &(c, _)) in v.iter().enumerate() {
        if c == '\n' {
            lines.push((start, i));
            start = i + 1;
        }
    }
    lines.push((start, v.len()));
    let text = |l: (usize, usize)| &s[byte[l.0] as usize..byte[l.1] as usize];

    // Index ranges of `v` to delete, in order.
    let mut delete: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let mut cur: std::borrow::Cow<str> = text(lines[k]).into();
        let mut cur_end = lines[k].1;
        k += 1;
        loop {
            // Next non-blank line.
            let mut m = k;
            while m < lines.len() && text(lines[m]).trim().is_empty() {
                m += 1;
            }
            if m >= lines.len() {
                break;
            }
            let next = text(lines[m]);
            if !should_join(&cur, next, m > k) {
                break;
            }
            delete.push((cur_end, lines[m].0));
            cur.to_mut().push_str(next);
            cur_end = lines[m].1;
            k = m + 1;
        }
    }
    delete_spans(v, &delete);
}

fn should_join(prev: &str, next: &str, blank_between: bool) -> bool {
    let prev = prev.trim_end();
    let Some(last) = prev.chars().last() else { return false };
    let Some(first) = next.chars().next() else { return false };
    if starts_with_marker(next) || next.starts_with("——") {
        return false;
    }
    // A short line inside an open 《 》 or ( ): one count of the four brackets, and only for
    // short lines (this runs for every line of a document).
    if next.chars().nth(79).is_none() && prev.chars().nth(119).is_none() {
        let [mut title, mut untitle, mut paren, mut unparen] = [0usize; 4];
        for ch in prev.chars() {
            match ch {
                '《' => title += 1,
                '》' => untitle += 1,
                '(' => paren += 1,
                ')' => unparen += 1,
                _ => {}
            }
        }
        if title > untitle || paren > unparen {
            return true;
        }
    }
    if !blank_between {
        return false;
    }
    // A header field (`主题分类:农业、林业、水利`): a short key and a value without clause marks
    // is no sentence cut by a page (a list still open at `、` is).
    let field = prev.split_once(':').is_some_and(|(k, v)| {
        (2..=6).contains(&k.chars().count())
            && k.chars().all(is_han)
            && !v.contains([',', ';', '。'])
            && !v.ends_with('、')
    });
    if field {
        return false;
    }
    let prose = prev.chars().nth(11).is_some() && prev.contains([',', '、', '，', ';']);
    let mid_sentence = is_han(last) || last.is_ascii_alphanumeric() || matches!(last, '、' | ',');
    let continues = is_han(first) || matches!(first, ',' | '、' | '。' | ';' | ':' | ')' | '”');
    prose && mid_sentence && continues && !crate::numbers::is_date_line(next)
}

/// Characters whose presence can make the Traditional → Simplified table change a text: for
/// each entry that changes something, the characters that differ (all of the source word's
/// when the lengths differ). A text holding none of them converts to itself, so most
/// (Simplified) documents skip the conversion automaton.
static MAY_CONVERT: std::sync::LazyLock<rustc_hash::FxHashSet<char>> = std::sync::LazyLock::new(|| {
    // Every entry of the tables (a superset of the converter's mapping, where later entries
    // shadow earlier ones): no map is built.
    let entries = zhconv::get_builtin_tables(zhconv::Variant::ZhHans)
        .iter()
        .flat_map(|&t| zhconv::tables::expand_table(t));
    let mut set = rustc_hash::FxHashSet::default();
    for (from, to) in entries {
        if from.chars().count() == to.chars().count() {
            set.extend(from.chars().zip(to.chars()).filter(|(a, b)| a != b).map(|(a, _)| a));
        } else {
            set.extend(from.chars());
        }
    }
    set
});

/// Bit set over the Basic Multilingual Plane of [`MAY_CONVERT`] (the common lookup).
static MAY_CONVERT_BMP: std::sync::LazyLock<Vec<u64>> = std::sync::LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    for &c in MAY_CONVERT.iter() {
        let u = c as usize;
        if u < 0x10000 {
            bits[u / 64] |= 1 << (u % 64);
        }
    }
    bits
});

/// True when the Traditional → Simplified table could change a text holding this character.
pub fn may_convert(c: char) -> bool {
    may_convert_in(&MAY_CONVERT_BMP, c)
}

/// [`may_convert`] with the bit set at hand (a loop over a text dereferences it once).
fn may_convert_in(bmp: &[u64], c: char) -> bool {
    let u = c as usize;
    if u < 0x80 {
        false
    } else if u < 0x10000 {
        bmp[u / 64] >> (u % 64) & 1 == 1
    } else {
        MAY_CONVERT.contains(&c)
    }
}

/// Pass 4: Traditional → Simplified, one character for one character; skipped when no
/// character could change.
///
/// Converts line by line, only the lines holding such a character: no table entry spans a
/// line break, so this equals converting the whole text (a Simplified document with one
/// `覆` converts one line, not all of them).
fn to_simplified_in_place(v: &mut [(char, u32)]) {
    let bmp: &[u64] = &MAY_CONVERT_BMP;
    for line in v.split_mut(|x| x.0 == '\n') {
        if !line.iter().any(|&(c, _)| may_convert_in(bmp, c)) {
            continue;
        }
        let text: String = line.iter().map(|x| x.0).collect();
        for (slot, c) in line.iter_mut().zip(to_simplified_same_length(&text).chars()) {
            slot.0 = c;
        }
    }
}

/// Converts Traditional to Simplified keeping one output character per input character
/// (whole text when lengths agree, else line by line, else character by character).
pub fn to_simplified_same_length(text: &str) -> String {
    let whole = zhconv::zhconv(text, zhconv::Variant::ZhHans);
    if whole.chars().count() == text.chars().count() {
        return whole;
    }
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let conv = zhconv::zhconv(line, zhconv::Variant::ZhHans);
        if conv.chars().count() == line.chars().count() {
            out.push_str(&conv);
        } else {
            let mut buf = [0u8; 4];
            for c in line.chars() {
                let one = zhconv::zhconv(c.encode_utf8(&mut buf), zhconv::Variant::ZhHans);
                let mut it = one.chars();
                match (it.next(), it.next()) {
                    (Some(d), None) => out.push(d),
                    _ => out.push(c),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> String {
        normalize(s).text
    }

    #[test]
    fn traditional_and_pinyin() {
        assert_eq!(norm("創(chuàng)新推動高質(zhì)量發(fā)展"), "创新推动高质量发展");
        assert_eq!(norm("常政發(fā)〔2023〕1號"), "常政发〔2023〕1号");
        // Parentheses that are not glosses stay.
        assert_eq!(norm("泰安综合保税物流中心(B型)"), "泰安综合保税物流中心(B型)");
        assert_eq!(norm("市发改委(牵头)"), "市发改委(牵头)");
    }

    #[test]
    fn markdown_width_spaces() {
        assert_eq!(norm("市人社局局长**聂立新**："), "市人社局局长聂立新:");
        assert_eq!(norm("（市发改委牵头，市工信局配合）"), "(市发改委牵头,市工信局配合)");
        assert_eq!(norm("索 引 号 | 113709 |"), "索引号|113709|");
        assert_eq!(norm("不少于 1 项"), "不少于1项");
        assert_eq!(norm("RCEP 鲁贸通 and more words"), "RCEP鲁贸通and more words");
    }

    #[test]
    fn a_header_field_is_not_joined_to_the_title_under_it() {
        let n = norm("主题分类:农业、林业、水利\n\n关于开展2024年农机安全生产大检查的通知\n");
        assert!(n.starts_with("主题分类:农业、林业、水利\n"), "{n:?}");
    }

    #[test]
    fn page_break_joined_inside_sentence_only() {
        let s = "“三个努力方向”,一是引进人才工\n\n作上,要有新突破。\n\n全媒体记者 刘惠子\n\n打造创新高地";
        assert_eq!(
            norm(s),
            "“三个努力方向”,一是引进人才工作上,要有新突破。\n\n全媒体记者刘惠子\n\n打造创新高地"
        );
        let t = "一、全面深化与沪苏浙区域合作\n1.落实方案。";
        assert_eq!(norm(t), t);
        assert_eq!(
            norm("关于印发《东莞市与呼伦贝尔市加强\n友好合作工作方案》的通知"),
            "关于印发《东莞市与呼伦贝尔市加强友好合作工作方案》的通知"
        );
    }

    #[test]
    fn page_markers_dropped_and_the_broken_sentence_joined() {
        // A page number between the lines of one sentence (or one list) is dropped and the
        // sentence joined; a line ending with `、` continues on the next page.
        assert_eq!(
            norm("加快推进产业园区基础设施建设,完善\n\n— 3 —\n\n配套设施。"),
            "加快推进产业园区基础设施建设,完善配套设施。"
        );
        assert_eq!(
            norm("责任单位:市财政局、市自然资源和规划局、\n- 12 -\n市住建局"),
            "责任单位:市财政局、市自然资源和规划局、市住建局"
        );
        assert_eq!(norm("完成。\n第 3 页 共 10 页\n2.落实。"), "完成。\n\n2.落实。");
        // Numbers that are no page markers stay.
        assert_eq!(norm("—3—5月\n第3页的表格"), "—3—5月\n第3页的表格");
    }

    #[test]
    fn inline_headings_split() {
        assert_eq!(
            norm("新气象。 一、紧扣第一要务,协力推进"),
            "新气象。\n一、紧扣第一要务,协力推进"
        );
        // An item after a row of figures; a figure after a figure stays on its line.
        assert_eq!(norm("合计 12 0 24 4.新投放单车"), "合计12 0 24\n4.新投放单车");
        assert_eq!(norm("目标 2 5 1.5 10"), "目标2 5 1.5 10");
    }

    #[test]
    fn spans_point_into_source() {
        let src = "**聂立新**：創(chuàng)新";
        let n = normalize(src);
        let i = n.text.find("创新").unwrap();
        let sp = n.span(i..n.text.len());
        let chars: Vec<char> = src.chars().collect();
        let got: String = chars[sp.start as usize..sp.end as usize].iter().collect();
        assert_eq!(got, "創(chuàng)新");
    }

    #[test]
    fn html_text_with_offsets_into_the_page() {
        let page = "<!DOCTYPE html><html><head><title>通知</title><script>var a='市发改委牵头';</script>\n<style>p{}</style></head><body><p>1.推进合作。(市发改委牵头,\n市工信局&nbsp;配合)</p><!-- 注释 --><div>2.落实&lt;方案&gt;。</div></body></html>";
        let n = normalize(page);
        assert_eq!(
            n.text.trim(),
            "通知\n\n1.推进合作。(市发改委牵头,市工信局配合)\n\n2.落实<方案>。"
        );
        let i = n.text.find("市工信局").unwrap();
        let sp = n.span(i..i + "市工信局".len());
        let chars: Vec<char> = page.chars().collect();
        assert_eq!(
            chars[sp.start as usize..sp.end as usize].iter().collect::<String>(),
            "市工信局"
        );
        assert!(!n.text.contains("var a"));
    }

    #[test]
    fn conversion_by_changeable_lines_equals_whole_text_conversion() {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        let mut skipped_lines = 0;
        for dir in ["seeds", "tests/data/dev"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let Ok(text) = std::fs::read_to_string(e.unwrap().path()) else {
                    continue;
                };
                let mut v: Vec<(char, u32)> = text.chars().zip(0u32..).collect();
                to_simplified_in_place(&mut v);
                let ours: String = v.iter().map(|x| x.0).collect();
                assert_eq!(ours, to_simplified_same_length(&text));
                for line in text.lines().filter(|l| !l.chars().any(may_convert)) {
                    assert_eq!(zhconv::zhconv(line, zhconv::Variant::ZhHans), line);
                    skipped_lines += 1;
                }
            }
        }
        assert!(skipped_lines > 300, "{skipped_lines}");
        assert!(may_convert('創') && may_convert('覆') && !may_convert('创') && !may_convert('a'));
    }

    proptest! {
        #[test]
        fn any_input_gives_valid_map(s in "\\PC{0,200}") {
            let n = normalize(&s);
            let src_chars = s.chars().count() as u32;
            prop_assert_eq!(n.starts.len(), n.src.len() + 1);
            for w in n.src.windows(2) { prop_assert!(w[0] < w[1]); }
            for &x in &n.src { prop_assert!(x < src_chars); }
            let len = n.text.len();
            for a in 0..=len.min(40) {
                let sp = n.span(a..len);
                prop_assert!(sp.start <= sp.end && sp.end <= src_chars);
            }
        }

        #[test]
        fn mixed_cjk_noise(s in "[市发改委牵頭創新（）() \\n*a-zà0-9,、。]{0,120}") {
            let n = normalize(&s);
            prop_assert_eq!(n.text.chars().count(), n.src.len());
        }
    }
}
