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
        serde_json::to_string(self).expect("facts always serialise")
    }

    /// Appends the facts as JSON lines (each ending with `\n`) to a buffer.
    pub fn write_jsonl(facts: &[Fact], out: &mut Vec<u8>) {
        for f in facts {
            serde_json::to_writer(&mut *out, f).expect("facts always serialise");
            out.push(b'\n');
        }
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
}
