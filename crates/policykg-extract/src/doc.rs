//! Shared value types that travel between stages: document ids and source spans.
//!
//! A [`Span`] is always counted in Unicode characters of the *decoded source text* (after the
//! BOM, before any normalisation), which is what the facts format and the RDF provenance
//! promise to users. Only [`crate::normalize`] converts normalised positions into spans.

use std::fmt;

/// Document id: the input file's name without its extension (`003_333bffa1260437b2`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub String);

impl DocId {
    /// The id of a file: its name without the last extension.
    pub fn from_path(path: &std::path::Path) -> DocId {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        DocId(stem)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A half-open range `[start, end)` of Unicode characters in the decoded source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Number of characters covered.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// True when the span covers nothing.
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

/// A decoded input document: its id, where it came from and its text.
#[derive(Clone, Debug)]
pub struct SourceDoc {
    pub id: DocId,
    /// Path as given by the user (for messages and provenance).
    pub path: String,
    /// Decoded text, BOM removed. Spans index its characters.
    pub text: String,
    /// Name of the encoding the bytes were decoded from (`UTF-8`, `GBK`, `Big5`, `UTF-16LE`…).
    pub encoding: &'static str,
    /// Number of byte sequences that could not be decoded and became U+FFFD.
    pub replaced: usize,
}

impl SourceDoc {
    /// A document made from text already in memory (tests, stdin).
    pub fn from_text(id: &str, text: &str) -> SourceDoc {
        SourceDoc {
            id: DocId(id.to_string()),
            path: id.to_string(),
            text: text.to_string(),
            encoding: "UTF-8",
            replaced: 0,
        }
    }

    /// Character → byte offset table of the source text (length = chars + 1).
    pub fn char_offsets(&self) -> Vec<usize> {
        // Every byte that is no UTF-8 continuation byte (`10xxxxxx`) starts a character.
        let bytes = self.text.as_bytes();
        let mut v: Vec<usize> = Vec::with_capacity(bytes.len() / 2 + 1);
        v.extend((0..bytes.len()).filter(|&i| (bytes[i] as i8) >= -0x40));
        v.push(self.text.len());
        v
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lower-case hex MD5 of a string (document digests, lexicon fingerprints, Digest auth).
pub fn md5_hex(s: &str) -> String {
    use md5::Digest;
    hex(&md5::Md5::digest(s.as_bytes()))
}

/// Slices source text by a character span, given its char→byte table.
pub fn slice_chars<'a>(text: &'a str, offsets: &[usize], span: Span) -> &'a str {
    let n = offsets.len().saturating_sub(1);
    let s = (span.start as usize).min(n);
    let e = (span.end as usize).clamp(s, n);
    &text[offsets[s]..offsets[e]]
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// The byte scan gives what `char_indices` gives, for any script mix.
        #[test]
        fn char_offsets_are_the_char_starts(text in "[a-z 1\n市發改委牵頭😀é]{0,40}") {
            let doc = SourceDoc::from_text("t", &text);
            let mut want: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            want.push(text.len());
            proptest::prop_assert_eq!(doc.char_offsets(), want);
        }
    }
}
