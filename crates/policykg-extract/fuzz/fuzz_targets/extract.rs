//! Bytes → decode → normalise → structure → extract: never panics; every fact's evidence is
//! inside the decoded source and equals the source slice; sections and tasks stay inside the
//! source; extracting twice gives the same facts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policykg_extract::doc::{slice_chars, DocId, SourceDoc, Span};
use policykg_extract::extract::extract;
use policykg_extract::resolve::Gazetteer;

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = policykg_extract::decode::decode(data) else {
        return;
    };
    let src = SourceDoc {
        id: DocId("fuzz".to_owned()),
        path: "fuzz".to_owned(),
        text: decoded.text,
        encoding: decoded.encoding,
        replaced: decoded.replaced,
    };
    let gz = Gazetteer::embedded();
    let ex = extract(&src, gz);
    let offsets = src.char_offsets();
    let n = (offsets.len() - 1) as u32;
    for f in &ex.facts {
        let e = &f.evidence;
        assert!(e.start <= e.end && e.end <= n, "evidence {}..{} outside 0..{n}", e.start, e.end);
        let slice = slice_chars(&src.text, &offsets, Span { start: e.start, end: e.end });
        assert_eq!(slice, e.text, "evidence text differs from the source slice");
    }
    for s in &ex.sections {
        assert!(s.span.start <= s.span.end && s.span.end <= n, "section span outside the source");
    }
    for t in &ex.tasks {
        assert!(t.span.start <= t.span.end && t.span.end <= n, "task span outside the source");
    }
    let again = extract(&src, gz);
    assert_eq!(ex.facts, again.facts, "extraction is not deterministic");
});
