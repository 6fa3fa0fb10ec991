//! Plain-text tables for people, and the display-width helpers under them: the one renderer
//! behind `policykg query --format table`, the `graph` reports and the command line's own
//! listings (`extract --format table`, `build`'s summary, `bench`). Widths are terminal
//! columns ([`unicode_width`]: CJK and full-width characters count two), so Chinese names line
//! up; columns holding only numbers are right-aligned; every line of a table is equally wide.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width in terminal columns (CJK and full-width characters count two).
pub fn width(s: &str) -> usize {
    s.width()
}

/// Keeps the beginning of `s` within `cols` display columns, ending with `…` when cut.
pub fn shorten(s: &str, cols: usize) -> String {
    if s.width() <= cols {
        return s.to_owned();
    }
    let budget = cols.saturating_sub("…".width());
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Keeps the end of `s` within `cols` display columns, starting with `…` when cut (for IRIs,
/// whose end says most).
pub fn shorten_tail(s: &str, cols: usize) -> String {
    if s.width() <= cols {
        return s.to_owned();
    }
    let budget = cols.saturating_sub("…".width());
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// Breaks `s` into lines of at most `cols` columns, at most `max_lines` of them (the last one
/// ends with `…` when text was left out). Breaks anywhere (Chinese has no spaces), but avoids
/// starting a line with closing punctuation.
pub fn wrap(s: &str, cols: usize, max_lines: usize) -> Vec<String> {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut w = 0;
    let no_start = |c: char| "，。、；：！？）》」』”’,.;:!?)]%".contains(c);
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > cols && !cur.is_empty() && !no_start(c) {
            lines.push(std::mem::take(&mut cur));
            w = 0;
        }
        cur.push(c);
        w += cw;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines && max_lines > 0 {
        let rest: String = lines[max_lines - 1..].concat();
        lines.truncate(max_lines - 1);
        lines.push(shorten(&rest, cols));
    }
    lines
}

/// A table: an optional title, a header row, rows of cells and lines printed under it
/// (totals, notes). Cells are shown on one line each: line breaks, tabs and other control
/// characters are written as escapes (`\n`), so one row is always one line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Lines printed under the table.
    pub notes: Vec<String>,
    /// Right-aligned columns; when empty, the columns whose cells all read as numbers.
    pub right: Vec<bool>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new(title: impl Into<String>, header: &[&str]) -> Table {
        Table {
            title: title.into(),
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
            right: Vec::new(),
        }
    }

    /// Aligned text: `a | b` cells padded by display width, a `--+--` rule under the header,
    /// numeric columns right-aligned, then the notes.
    pub fn render(&self) -> String {
        let ncol = self.header.len().max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let pad_row = |r: &[String]| -> Vec<String> {
            let mut cells: Vec<String> = r.iter().map(|c| one_line(c)).collect();
            cells.resize(ncol, String::new());
            cells
        };
        let header = pad_row(&self.header);
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| pad_row(r)).collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
        let mut numeric = vec![!rows.is_empty(); ncol];
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(c.width());
                numeric[i] &= c.is_empty() || is_number(c);
            }
        }
        if !self.right.is_empty() {
            numeric = self.right.clone();
            numeric.resize(ncol, false);
        }
        let line = |cells: &[String], right: &[bool]| -> String {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    s.push_str(" | ");
                }
                let pad = " ".repeat(widths[i].saturating_sub(c.width()));
                if right[i] {
                    s.push_str(&pad);
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    s.push_str(&pad);
                }
            }
            s
        };
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&self.title);
            out.push_str("\n\n");
        }
        out.push_str(&line(&header, &vec![false; ncol]));
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        out.push_str(&rule.join("-+-"));
        out.push('\n');
        for r in &rows {
            out.push_str(&line(r, &numeric));
            out.push('\n');
        }
        for n in &self.notes {
            out.push_str(n);
            out.push('\n');
        }
        out
    }
}

/// The text of a cell on one line: control characters as escapes (`\n`, `\t`, `\u{7}`).
pub fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    let mut s = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if c.is_control() => s.push_str(&format!("\\u{{{:04x}}}", u32::from(c))),
            c => s.push(c),
        }
    }
    s
}

/// A cell that reads as a number (`12`, `-3.5`, `0.25`), for right alignment.
fn is_number(s: &str) -> bool {
    !s.is_empty() && s.parse::<f64>().is_ok() && !s.eq_ignore_ascii_case("nan") && !s.contains("inf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_and_wrap_count_display_columns() {
        assert_eq!(width("市发改委ab"), 10);
        assert_eq!(shorten("无为市发展和改革委员会", 9), "无为市发…");
        assert_eq!(shorten("abc", 9), "abc");
        assert_eq!(shorten_tail("http://example.org/a/b/c", 8), "…g/a/b/c");
        assert_eq!(wrap("一二三四五六七八九十", 8, 2), vec!["一二三四", "五六七…"]);
        // Closing punctuation stays on the line it closes.
        assert_eq!(wrap("一二三四，五六", 8, 3), vec!["一二三四，", "五六"]);
    }

    #[test]
    fn columns_align_by_display_width_and_numbers_go_right() {
        let mut t = Table::new("", &["name", "n"]);
        t.rows.push(vec!["市发改委".into(), "3".into()]);
        t.rows.push(vec!["abc".into(), "12".into()]);
        t.notes.push("2 rows".into());
        assert_eq!(
            t.render(),
            "name     | n \n---------+---\n市发改委 |  3\nabc      | 12\n2 rows\n"
        );
        let out = t.render();
        let widths: Vec<usize> = out.lines().take(4).map(width).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{out}");
    }

    #[test]
    fn short_rows_and_line_breaks_keep_the_grid() {
        let mut t = Table::new("title", &["a", "b", "c"]);
        t.rows.push(vec!["x\ny".into()]);
        let out = t.render();
        assert!(out.starts_with("title\n\n"), "{out}");
        assert!(out.contains("x\\ny |   |  "), "{out}");
    }
}
