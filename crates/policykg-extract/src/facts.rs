//! The facts interchange format (JSON Lines), as specified in `spec/facts-jsonl.md` of the
//! project material: one [`Fact`] per line with `doc`, `rel`, the relation's fields and
//! `evidence` (character offsets into the decoded source and the exact source slice).
//!
//! These are the only pipeline types that derive serde; the JSONL they print is the project's
//! stable contract for `eval`, golden tests and outside tools.

use serde::{Deserialize, Serialize};

/// One extracted fact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub doc: String,
    #[serde(flatten)]
    pub rel: Relation,
    pub evidence: Evidence,
    /// Index of the task in the document's task list (for RDF; not part of the JSONL).
    #[serde(skip)]
    pub task_index: Option<usize>,
}

/// The relation and its arguments; `rel` is the tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rel", rename_all = "snake_case")]
pub enum Relation {
    Leads {
        task: TaskRef,
        org: OrgRef,
    },
    CoResponsible {
        task: TaskRef,
        org: OrgRef,
    },
    Targets {
        task: TaskRef,
        indicator: Indicator,
    },
    CooperatesWith {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        task: Option<TaskRef>,
        a: OrgRef,
        b: OrgRef,
        verb: String,
    },
    HoldsPost {
        person: Person,
        post: Post,
        org: Option<OrgRef>,
    },
    IssuedBy {
        org: OrgRef,
        number: Option<String>,
        date: Option<String>,
        title: Option<String>,
    },
}

impl Relation {
    /// The organisations and places the relation names.
    pub fn orgs(&self) -> Vec<&OrgRef> {
        match self {
            Relation::Leads { org, .. } | Relation::CoResponsible { org, .. } | Relation::IssuedBy { org, .. } => {
                vec![org]
            }
            Relation::CooperatesWith { a, b, .. } => vec![a, b],
            Relation::HoldsPost { org, .. } => org.iter().collect(),
            Relation::Targets { .. } => Vec::new(),
        }
    }

    /// The `rel` name.
    /// The task the fact belongs to, when the relation has one.
    pub fn task(&self) -> Option<&TaskRef> {
        match self {
            Relation::Leads { task, .. } | Relation::CoResponsible { task, .. } | Relation::Targets { task, .. } => {
                Some(task)
            }
            Relation::CooperatesWith { task, .. } => task.as_ref(),
            Relation::HoldsPost { .. } | Relation::IssuedBy { .. } => None,
        }
    }

    /// The text of the fact's task, when the relation has one.
    pub fn task_text_mut(&mut self) -> Option<&mut String> {
        match self {
            Relation::Leads { task, .. } | Relation::CoResponsible { task, .. } | Relation::Targets { task, .. } => {
                Some(&mut task.text)
            }
            Relation::CooperatesWith { task, .. } => task.as_mut().map(|t| &mut t.text),
            Relation::HoldsPost { .. } | Relation::IssuedBy { .. } => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Relation::Leads { .. } => "leads",
            Relation::CoResponsible { .. } => "co_responsible",
            Relation::Targets { .. } => "targets",
            Relation::CooperatesWith { .. } => "cooperates_with",
            Relation::HoldsPost { .. } => "holds_post",
            Relation::IssuedBy { .. } => "issued_by",
        }
    }
}

/// All relation names, in the spec's order.
pub const RELATIONS: &[&str] = &[
    "leads",
    "co_responsible",
    "targets",
    "cooperates_with",
    "holds_post",
    "issued_by",
];

/// The task a fact is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    /// The item's own number without punctuation, or null for an unnumbered task.
    pub label: Option<String>,
    /// The task's own text (normalised).
    pub text: String,
    /// The heading of the section it belongs to.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub section: Option<String>,
}

/// An organisation or place mention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRef {
    /// The mention as written (normalised script), or `@self` for an implicit actor.
    pub text: String,
    /// Canonical full name, when resolved.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    /// Administrative division code for places, when linked.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    /// Division code of the government an organisation belongs to (`市发改委` in a 无为市
    /// document → `340281`), when its canonical name was resolved within a division.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub division: Option<String>,
}

/// A quantitative indicator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub text: String,
    pub measure: String,
    pub value: f64,
    pub unit: Option<String>,
    pub comparator: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value_max: Option<f64>,
    pub deadline: Option<String>,
}

/// A named person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub text: String,
}

/// A post title.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub text: String,
}

/// Where a fact is stated: character offsets into the decoded source and the slice itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub start: u32,
    pub end: u32,
    pub text: String,
}

impl Fact {
    /// One JSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        String::from_utf8(self.to_json_bytes()).expect("the writer copies UTF-8 and writes ASCII")
    }

    /// The JSON line as bytes: the order of JSON texts, without checking them as UTF-8 (fact
    /// sorting compares many).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + 2 * self.evidence.text.len());
        self.write_json(&mut out);
        out
    }

    /// Appends the facts as JSON lines (each ending with `\n`) to a buffer.
    pub fn write_jsonl(facts: &[Fact], out: &mut Vec<u8>) {
        for f in facts {
            f.write_json(out);
            out.push(b'\n');
        }
    }

    /// Appends the fact as one JSON object, byte for byte what `serde_json` writes for the
    /// derived `Serialize` (field order, `null`s, skipped fields, escapes; tested against it),
    /// without serde's `flatten` machinery: the facts are most of what `extract` writes.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = json::Object::open(out);
        o.str("doc", &self.doc);
        o.str("rel", self.rel.name());
        match &self.rel {
            Relation::Leads { task, org } | Relation::CoResponsible { task, org } => {
                task.write(o.key("task"));
                org.write(o.key("org"));
            }
            Relation::Targets { task, indicator } => {
                task.write(o.key("task"));
                indicator.write(o.key("indicator"));
            }
            Relation::CooperatesWith { task, a, b, verb } => {
                if let Some(t) = task {
                    t.write(o.key("task"));
                }
                a.write(o.key("a"));
                b.write(o.key("b"));
                o.str("verb", verb);
            }
            Relation::HoldsPost { person, post, org } => {
                json::Object::open(o.key("person")).str("text", &person.text).close();
                json::Object::open(o.key("post")).str("text", &post.text).close();
                match org {
                    Some(org) => org.write(o.key("org")),
                    None => {
                        o.null("org");
                    }
                }
            }
            Relation::IssuedBy {
                org,
                number,
                date,
                title,
            } => {
                org.write(o.key("org"));
                o.opt_str("number", number.as_deref());
                o.opt_str("date", date.as_deref());
                o.opt_str("title", title.as_deref());
            }
        }
        let e = &self.evidence;
        json::Object::open(o.key("evidence"))
            .uint("start", e.start)
            .uint("end", e.end)
            .str("text", &e.text)
            .close();
        o.close();
    }

    /// Sort key: document, evidence start, relation, then the JSON text for a total order.
    pub fn sort_key(&self) -> (String, u32, &'static str, String) {
        (
            self.doc.clone(),
            self.evidence.start,
            self.rel.name(),
            self.to_json_line(),
        )
    }
}

impl TaskRef {
    fn write(&self, out: &mut Vec<u8>) {
        let mut o = json::Object::open(out);
        o.opt_str("label", self.label.as_deref()).str("text", &self.text);
        if let Some(s) = &self.section {
            o.str("section", s);
        }
        o.close();
    }
}

impl OrgRef {
    fn write(&self, out: &mut Vec<u8>) {
        let mut o = json::Object::open(out);
        o.str("text", &self.text);
        if let Some(n) = &self.name {
            o.str("name", n);
        }
        o.str("type", &self.ty);
        if let Some(c) = &self.code {
            o.str("code", c);
        }
        if let Some(d) = &self.division {
            o.str("division", d);
        }
        o.close();
    }
}

impl Indicator {
    fn write(&self, out: &mut Vec<u8>) {
        let mut o = json::Object::open(out);
        o.str("text", &self.text)
            .str("measure", &self.measure)
            .float("value", self.value)
            .opt_str("unit", self.unit.as_deref())
            .str("comparator", &self.comparator);
        if let Some(m) = self.value_max {
            o.float("value_max", m);
        }
        o.opt_str("deadline", self.deadline.as_deref());
        o.close();
    }
}

/// The few pieces of compact JSON the facts need, written into a byte buffer.
mod json {
    /// An object being written: `{` on open, `,` between members, `}` on close.
    pub(super) struct Object<'o> {
        out: &'o mut Vec<u8>,
        first: bool,
    }

    impl<'o> Object<'o> {
        pub(super) fn open(out: &'o mut Vec<u8>) -> Object<'o> {
            out.push(b'{');
            Object { out, first: true }
        }

        /// Writes `"name":` and hands back the buffer for the value.
        pub(super) fn key(&mut self, name: &str) -> &mut Vec<u8> {
            if !self.first {
                self.out.push(b',');
            }
            self.first = false;
            string(self.out, name);
            self.out.push(b':');
            self.out
        }

        pub(super) fn str(&mut self, name: &str, value: &str) -> &mut Self {
            string(self.key(name), value);
            self
        }

        pub(super) fn opt_str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
            match value {
                Some(v) => self.str(name, v),
                None => self.null(name),
            }
        }

        pub(super) fn null(&mut self, name: &str) -> &mut Self {
            self.key(name).extend_from_slice(b"null");
            self
        }

        pub(super) fn uint(&mut self, name: &str, value: u32) -> &mut Self {
            let mut buf = itoa::Buffer::new();
            self.key(name).extend_from_slice(buf.format(value).as_bytes());
            self
        }

        /// A number as `serde_json` prints it (shortest round trip; `null` when not finite).
        pub(super) fn float(&mut self, name: &str, value: f64) -> &mut Self {
            serde_json::to_writer(self.key(name), &value).expect("a float always serialises");
            self
        }

        pub(super) fn close(&mut self) {
            self.out.push(b'}');
        }
    }

    /// A JSON string: `"`, `\\` and control characters escaped as `serde_json` does
    /// (`\n`-style where JSON has one, else `\u00XX`); everything else copied.
    pub(super) fn string(out: &mut Vec<u8>, s: &str) {
        out.push(b'"');
        let bytes = s.as_bytes();
        let (mut start, mut i) = (0, 0);
        while i < bytes.len() {
            // Eight bytes at a time while none needs an escape (most of a fact is Chinese text).
            if let Some(chunk) = bytes.get(i..i + 8) {
                if !any_escape(u64::from_le_bytes(chunk.try_into().expect("eight bytes"))) {
                    i += 8;
                    continue;
                }
            }
            let b = bytes[i];
            i += 1;
            if b >= 0x20 && b != b'"' && b != b'\\' {
                continue;
            }
            out.extend_from_slice(&bytes[start..i - 1]);
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0C => out.extend_from_slice(b"\\f"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(b >> 4) as usize]);
                    out.push(HEX[(b & 0xF) as usize]);
                }
            }
            start = i;
        }
        out.extend_from_slice(&bytes[start..]);
        out.push(b'"');
    }

    /// True when one of eight bytes is a control character, `"` or `\\` (the bit tricks of
    /// "Bit Twiddling Hacks": exact for whether any byte matches, not for which).
    fn any_escape(x: u64) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let below = |x: u64, n: u8| x.wrapping_sub(ONES * n as u64) & !x & HIGH;
        let zero = |x: u64| below(x, 1);
        (below(x, 0x20) | zero(x ^ (ONES * b'"' as u64)) | zero(x ^ (ONES * b'\\' as u64))) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_follows_spec() {
        let f = Fact {
            doc: "d".into(),
            rel: Relation::Leads {
                task: TaskRef {
                    label: Some("7".into()),
                    text: "贯彻落实".into(),
                    section: Some("一、全面深化".into()),
                },
                org: OrgRef {
                    text: "市发改委".into(),
                    name: Some("无为市发展和改革委员会".into()),
                    ty: "Department".into(),
                    code: None,
                    division: None,
                },
            },
            evidence: Evidence {
                start: 1,
                end: 3,
                text: "ab".into(),
            },
            task_index: Some(0),
        };
        let line = f.to_json_line();
        assert!(
            line.starts_with(r#"{"doc":"d","rel":"leads","task":{"label":"7""#),
            "{line}"
        );
        assert!(line.contains(r#""org":{"text":"市发改委","name":"无为市发展和改革委员会","type":"Department"}"#));
        assert!(line.ends_with(r#""evidence":{"start":1,"end":3,"text":"ab"}}"#));
        let back: Fact = serde_json::from_str(&line).unwrap();
        assert_eq!(back.rel, f.rel);
    }

    fn org(text: &str, name: Option<&str>) -> OrgRef {
        OrgRef {
            text: text.into(),
            name: name.map(Into::into),
            ty: "Government".into(),
            code: name.map(|_| "320000".into()),
            division: name.map(|_| "320100".into()),
        }
    }

    /// Every relation, every optional field present and absent, strings that need escapes and
    /// numbers serde prints in its own way: the hand-written writer gives serde's bytes.
    #[test]
    fn writer_equals_serde_for_every_shape() {
        let task = |section: Option<&str>| TaskRef {
            label: section.map(|_| "3".into()),
            text: "任务\"引号\"\\反斜杠\n换行\t\u{1}\u{7f}".into(),
            section: section.map(Into::into),
        };
        let indicator = |value: f64, max: Option<f64>| Indicator {
            text: "新建5G基站3100个".into(),
            measure: "5G基站".into(),
            value,
            unit: max.map(|_| "个".into()),
            comparator: "eq".into(),
            value_max: max,
            deadline: max.map(|_| "2025".into()),
        };
        let rels = vec![
            Relation::Leads {
                task: task(Some("一、")),
                org: org("市发改委", Some("南京市发展和改革委员会")),
            },
            Relation::CoResponsible {
                task: task(None),
                org: org("各区", None),
            },
            Relation::Targets {
                task: task(None),
                indicator: indicator(3100.0, None),
            },
            Relation::Targets {
                task: task(Some("二")),
                indicator: indicator(0.1, Some(1e21)),
            },
            Relation::Targets {
                task: task(None),
                indicator: indicator(-0.0, Some(f64::NAN)),
            },
            Relation::Targets {
                task: task(None),
                indicator: indicator(1e-7, Some(12345678.9)),
            },
            Relation::CooperatesWith {
                task: None,
                a: org("@self", None),
                b: org("溧阳", Some("溧阳市")),
                verb: "合作".into(),
            },
            Relation::CooperatesWith {
                task: Some(task(None)),
                a: org("a", None),
                b: org("b", None),
                verb: "对口".into(),
            },
            Relation::HoldsPost {
                person: Person {
                    text: "聂立新".into()
                },
                post: Post { text: "局长".into() },
                org: None,
            },
            Relation::HoldsPost {
                person: Person { text: "x".into() },
                post: Post { text: "y".into() },
                org: Some(org("市人社局", Some("n"))),
            },
            Relation::IssuedBy {
                org: org("市政府办公室", None),
                number: None,
                date: None,
                title: None,
            },
            Relation::IssuedBy {
                org: org("o", Some("p")),
                number: Some("〔2024〕2号".into()),
                date: Some("2024-01-02".into()),
                title: Some("《通知》".into()),
            },
        ];
        for rel in rels {
            let f = Fact {
                doc: "d\u{1f}\"".into(),
                rel,
                evidence: Evidence {
                    start: 0,
                    end: u32::MAX,
                    text: "证据\r\u{8}\u{c}".into(),
                },
                task_index: None,
            };
            assert_eq!(f.to_json_line(), serde_json::to_string(&f).unwrap());
        }
    }

    /// Escapes at every position of strings longer and shorter than the eight-byte steps.
    #[test]
    fn strings_escape_as_serde_does_at_every_position() {
        let specials = [
            '"', '\\', '\n', '\r', '\t', '\u{8}', '\u{c}', '\u{0}', '\u{1f}', '\u{7f}', 'é', '中',
        ];
        for len in 0..20 {
            for at in 0..=len {
                for &c in &specials {
                    let mut t: String = "牵头单位ab".chars().cycle().take(len).collect();
                    let byte = t.char_indices().nth(at).map_or(t.len(), |(i, _)| i);
                    t.insert(byte, c);
                    let mut out = Vec::new();
                    json::string(&mut out, &t);
                    assert_eq!(
                        String::from_utf8(out).unwrap(),
                        serde_json::to_string(&t).unwrap(),
                        "{t:?}"
                    );
                }
            }
        }
    }
}
