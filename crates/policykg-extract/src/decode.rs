//! Stage 1: bytes → decoded text.
//!
//! Detects the encoding without being told: a BOM (UTF-8, UTF-16LE/BE) wins; otherwise strict
//! UTF-8; otherwise `chardetng` guesses among legacy encodings (GB18030/GBK, Big5, …) and
//! `encoding_rs` decodes. Input that is not text (NUL bytes in a non-UTF-16 file, binary
//! magic numbers, too many control characters) is refused with a [`DecodeError`] that names
//! the reason, so callers can report one line and go on.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Why bytes were not accepted as a text document.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("empty file")]
    Empty,
    #[error("not a text file ({0})")]
    Binary(&'static str),
    #[error("not a text file: {0} of the first bytes are control characters")]
    ControlChars(usize),
}

/// Decoded text and what it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, BOM removed.
    pub text: String,
    /// Encoding name as `encoding_rs` spells it (`UTF-8`, `GBK`, `Big5`, `UTF-16LE`, …).
    pub encoding: &'static str,
    /// Count of U+FFFD replacement characters introduced by decoding.
    pub replaced: usize,
}

const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG", "PNG image"),
    (b"\x7fELF", "ELF executable"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"%PDF", "PDF document"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0", "OLE2 (old Office) document"),
    (b"SQLite format 3", "SQLite database"),
];

/// Decodes a file's bytes into text, detecting the encoding.
///
/// ```
/// let (gbk, _, _) = encoding_rs::GBK.encode("市发改委牵头,市工信局配合");
/// let d = policykg_extract::decode::decode(&gbk).unwrap();
/// assert_eq!(d.text, "市发改委牵头,市工信局配合");
/// ```
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let text = text.into_owned();
        return finish(text, enc, had_errors);
    }
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Err(DecodeError::Binary(what));
        }
    }
    // UTF-16 without BOM is not guessed; NUL bytes mean binary.
    if memchr_nul(bytes) {
        return Err(DecodeError::Binary("contains NUL bytes"));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return finish(s.to_string(), UTF_8, false);
    }
    // UTF-8 with a few broken sequences (a file cut off in the middle of a character, a stray
    // byte): decoding it as a legacy encoding would turn the whole text into mojibake, so keep
    // UTF-8 and replace the broken sequences with U+FFFD.
    if mostly_utf8(bytes) {
        return finish(String::from_utf8_lossy(bytes).into_owned(), UTF_8, true);
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, had_errors) = enc.decode(bytes);
    finish(text.into_owned(), enc, had_errors)
}

/// Invalid sequences are at most 1 in 200 bytes (and at most 1000), while valid multi-byte
/// characters are there: text written as UTF-8 with some damage, not a legacy encoding (in
/// GBK or Big5 text nearly every character is an invalid UTF-8 sequence).
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut invalid = 0usize;
    let mut multibyte = 0usize;
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    invalid > 0 && invalid <= 1000 && invalid * 200 <= bytes.len() && multibyte >= 4 * invalid
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

fn finish(text: String, enc: &'static Encoding, had_errors: bool) -> Result<Decoded, DecodeError> {
    if text.is_empty() {
        return Err(DecodeError::Empty);
    }
    // Control characters other than tab/newline/CR/form feed in the first 4 KiB chars mean
    // this is not prose.
    let sample = text.chars().take(4096);
    let mut n = 0usize;
    let mut ctrl = 0usize;
    for c in sample {
        n += 1;
        if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r' | '\x0c') {
            ctrl += 1;
        }
    }
    if (enc == UTF_16LE || enc == UTF_16BE) && text.contains('\0') {
        return Err(DecodeError::Binary("UTF-16 BOM followed by NUL characters"));
    }
    if ctrl > 0 && ctrl * 20 > n {
        return Err(DecodeError::ControlChars(ctrl));
    }
    let replaced = if had_errors {
        text.chars().filter(|&c| c == '\u{FFFD}').count()
    } else {
        0
    };
    Ok(Decoded {
        text,
        encoding: enc.name(),
        replaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "市发改委牵头，市工信局、市人社局等按职责分工负责。新建5G基站3100个。";

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode(SAMPLE.as_bytes()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-8"));
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(SAMPLE.as_bytes());
        assert_eq!(decode(&b).unwrap().text, SAMPLE);
    }

    #[test]
    fn utf16_with_bom() {
        for (enc, bom) in [(UTF_16LE, [0xFF, 0xFE]), (UTF_16BE, [0xFE, 0xFF])] {
            let mut b = bom.to_vec();
            for u in SAMPLE.encode_utf16() {
                let pair = if enc == UTF_16LE {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                };
                b.extend_from_slice(&pair);
            }
            let d = decode(&b).unwrap();
            assert_eq!(d.text, SAMPLE);
            assert_eq!(d.encoding, enc.name());
        }
    }

    #[test]
    fn gb18030_and_big5_detected() {
        let (gbk, _, _) = encoding_rs::GB18030.encode(SAMPLE);
        let d = decode(&gbk).unwrap();
        assert_eq!(d.text, SAMPLE);
        assert!(d.encoding == "GBK" || d.encoding == "gb18030", "{}", d.encoding);
        let trad = "市發改委牽頭，市工信局、市人社局等按職責分工負責。新建基站三千個，推進數字經濟發展。";
        let (big5, _, unmappable) = encoding_rs::BIG5.encode(trad);
        assert!(!unmappable);
        let d = decode(&big5).unwrap();
        assert_eq!(d.text, trad);
        assert_eq!(d.encoding, "Big5");
    }

    #[test]
    fn damaged_utf8_stays_utf8() {
        let text = SAMPLE.repeat(4);
        // Cut off in the middle of the last character.
        let cut = &text.as_bytes()[..text.len() - 1];
        let d = decode(cut).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.starts_with(&text[..text.len() - 3]));
        assert_eq!(d.replaced, 1);
        // A stray byte in the middle.
        let mut b = text.as_bytes().to_vec();
        b.insert(9, 0xFF);
        let d = decode(&b).unwrap();
        assert_eq!((d.encoding, d.replaced), ("UTF-8", 1));
        assert_eq!(d.text.replace('\u{FFFD}', ""), text);
        // GBK is still recognised as GBK.
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        assert_ne!(decode(&gbk).unwrap().encoding, "UTF-8");
    }

    #[test]
    fn binary_refused() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b"\x89PNG\r\n\x1a\n\0\0"), Err(DecodeError::Binary("PNG image")));
        assert!(matches!(decode(b"abc\0def"), Err(DecodeError::Binary(_))));
        assert!(matches!(
            decode(&[1, 2, 3, 4, 5, 6, 7, 8, 65]),
            Err(DecodeError::ControlChars(_))
        ));
    }
}
