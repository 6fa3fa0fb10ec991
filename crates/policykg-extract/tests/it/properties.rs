//! Property tests of the whole extraction on generated documents made of real fragments
//! (markers, brackets, triggers, numbers, Traditional script, pinyin glosses, Markdown, page
//! breaks, stray bytes): no panic, every evidence span inside the source and equal to the
//! source slice, the same output twice, and JSON lines equal to what serde writes.

use policykg_extract::doc::{slice_chars, SourceDoc, Span};
use policykg_extract::extract::extract;
use policykg_extract::resolve::Gazetteer;
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "一、",
    "(一)",
    "1.",
    "2、",
    "(3)",
    "①",
    "第一部分",
    "\n",
    "\n\n",
    " ",
    "。",
    ",",
    "、",
    ";",
    ":",
    "(市发改委牵头,市工信局、市人社局等按职责分工)",
    "[牵头单位:区卫健局;责任单位:各街办(新区)]",
    "牵头单位:区发改局",
    "责任单位:立山经济开发区",
    "(市人力資源社會保障局負責)",
    "牽頭",
    "由市人社局牵头,联合总工会",
    "新建5G基站3100个",
    "累计达到10000个以上",
    "增长6.2%左右",
    "3—5条",
    "不少于两项",
    "百分之十",
    "1万个",
    "2022年10月底前",
    "深化与溧阳市经济开发区合作",
    "融入南京、合肥",
    "与芜湖等沿江城市对接合作",
    "市委组织部副部长、市人社局局长**聂立新**:",
    "李明市长主持",
    "泰动能办〔2022〕3号",
    "2022年3月21日",
    "泰安市新旧动能转换综合试验区建设领导小组办公室",
    "關于印發《工作要點》的通知",
    "創(chuàng)新",
    "發(fā)展",
    "索 引 号 | 1137 |",
    "**",
    "（",
    "）",
    "《",
    "》",
    "“",
    "”",
    "\u{FFFD}",
    "\r\n",
    "\t",
    "ａｂｃ",
    "工\n\n作上",
    "\"",
    "\\",
    "\u{1}",
    "\u{8}\u{c}\u{1f}\u{7f}",
];

fn doc() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn extraction_spans_are_exact_and_deterministic(text in doc()) {
        let src = SourceDoc::from_text("p", &text);
        let a = extract(&src, Gazetteer::embedded());
        let offsets = src.char_offsets();
        let n = text.chars().count() as u32;
        for f in &a.facts {
            let e = &f.evidence;
            prop_assert!(e.start <= e.end && e.end <= n);
            prop_assert_eq!(slice_chars(&text, &offsets, Span { start: e.start, end: e.end }), e.text.as_str());
            // The hand-written JSON writer is byte for byte serde's.
            prop_assert_eq!(f.to_json_line(), serde_json::to_string(f).unwrap());
        }
        let b = extract(&src, Gazetteer::embedded());
        prop_assert_eq!(a.facts, b.facts);
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,300}") {
        let src = SourceDoc::from_text("q", &text);
        let ex = extract(&src, Gazetteer::embedded());
        let n = text.chars().count() as u32;
        prop_assert!(ex.facts.iter().all(|f| f.evidence.end <= n));
    }
}
