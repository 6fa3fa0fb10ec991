//! One evaluation as plain data: what to evaluate, with which limits, written how. The same
//! [`run`] evaluates a job in the serving process (in-memory stores, `--in-process`), in an
//! evaluation process of the pool ([`super::pool`]) and for `policykg query --timeout/--max-memory`;
//! only the transport differs.

use super::{answer_reply, error_reply, Format, Reply, Requested};
use crate::query::{self, EvalOptions, OutputFormat};
use oxigraph::model::{NamedNode, Term};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::time::Duration;

/// The SPARQL of a job.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum JobQuery {
    /// A query text (protocol `query=`, `policykg query --query`).
    Text(String),
    /// A named query: its name and file text (header included, re-read with
    /// [`query::parse_header`]) and its bound parameters as N-Triples terms. Its `@values`
    /// pre-queries run where the job runs.
    Named {
        /// Name (file stem).
        name: String,
        /// The whole file text.
        text: String,
        /// Variable name and N-Triples term.
        bindings: Vec<(String, String)>,
    },
}

/// How the answer is written.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum JobOutput {
    /// The endpoint's negotiated formats (solutions, graphs) and what the client asked for
    /// (for the 406 message).
    Negotiated {
        /// Format of `SELECT`/`ASK` answers, if the client accepts one.
        solutions: Option<Format>,
        /// Format of `CONSTRUCT`/`DESCRIBE` answers, if the client accepts one.
        graphs: Option<Format>,
        /// `Accept: …` or `format=…`.
        asked: String,
    },
    /// `policykg query --format NAME`: exactly what [`query::write_answer`] writes.
    Cli(String),
}

/// A whole evaluation request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    /// What to evaluate.
    pub query: JobQuery,
    /// Protocol `default-graph-uri`s.
    pub default_graphs: Vec<String>,
    /// Protocol `named-graph-uri`s.
    pub named_graphs: Vec<String>,
    /// Base IRI of relative IRIs.
    pub base_iri: Option<String>,
    /// Cooperative time limit (Oxigraph's cancellation token), in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Time of each `SERVICE` call; `None`: federation off.
    pub service_timeout_ms: Option<u64>,
    /// Most solutions or triples.
    pub max_results: Option<usize>,
    /// How to write the answer.
    pub output: JobOutput,
}

/// The outcome of a job: an HTTP status, a content type and the body (for errors, a plain
/// text message).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobReply {
    /// HTTP status (200 for an answer).
    pub status: u16,
    /// `Content-Type` of the body.
    pub content_type: Option<String>,
    /// The answer, or the error message.
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl JobReply {
    /// A plain-text error.
    pub fn error(status: u16, message: impl Into<String>) -> JobReply {
        Reply::text(status, message).into()
    }

    /// The body as text (error messages).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).trim_end().to_owned()
    }
}

impl From<Reply> for JobReply {
    fn from(r: Reply) -> Self {
        JobReply {
            status: r.status,
            content_type: r.content_type,
            body: r.body,
        }
    }
}

impl From<JobReply> for Reply {
    fn from(r: JobReply) -> Self {
        Reply {
            status: r.status,
            content_type: r.content_type,
            headers: Vec::new(),
            body: r.body,
        }
    }
}

impl Job {
    /// The evaluation options of this job.
    fn options(&self) -> Result<EvalOptions, JobReply> {
        let iris = |list: &[String]| -> Result<Vec<NamedNode>, JobReply> {
            list.iter()
                .map(|g| {
                    NamedNode::new(g.as_str()).map_err(|e| JobReply::error(400, format!("bad graph IRI {g:?}: {e}")))
                })
                .collect()
        };
        Ok(EvalOptions {
            timeout: self.timeout_ms.map(Duration::from_millis),
            max_results: self.max_results,
            default_graphs: iris(&self.default_graphs)?,
            named_graphs: iris(&self.named_graphs)?,
            service_timeout: self.service_timeout_ms.map(Duration::from_millis),
            base_iri: self.base_iri.clone(),
        })
    }
}

/// Evaluates a job on a store and writes its answer: never panics on a bad job, every failure
/// is a [`JobReply`] with a status and a message.
pub fn run(store: &Store, job: &Job) -> JobReply {
    let options = match job.options() {
        Ok(o) => o,
        Err(reply) => return reply,
    };
    let answer = match &job.query {
        JobQuery::Text(text) => {
            if let Err(m) = super::guard::check_nesting(text) {
                return JobReply::error(400, m);
            }
            query::evaluate(store, text, &[], &options)
        }
        JobQuery::Named { name, text, bindings } => {
            let nq = query::parse_header(name, text);
            let mut terms = Vec::new();
            for (var, term) in bindings {
                match Term::from_str(term) {
                    Ok(t) => terms.push((var.clone(), t)),
                    Err(e) => return JobReply::error(400, format!("bad binding of {var}: {e}")),
                }
            }
            query::fill_values(store, &nq, &terms).and_then(|text| query::evaluate(store, &text, &terms, &options))
        }
    };
    match &job.output {
        JobOutput::Negotiated {
            solutions,
            graphs,
            asked,
        } => {
            let requested = Requested {
                for_solutions: *solutions,
                for_graphs: *graphs,
                asked: asked.clone(),
            };
            answer_reply(answer, &requested).unwrap_or_else(|r| r).into()
        }
        JobOutput::Cli(name) => {
            let answer = match answer {
                Ok(a) => a,
                Err(e) => return error_reply(e).into(),
            };
            let format = match OutputFormat::from_str(name) {
                Ok(f) => f,
                Err(e) => return JobReply::error(400, format!("--format: {e}")),
            };
            let mut body = Vec::new();
            match query::write_answer(&answer, format, &mut body) {
                Ok(_) => JobReply {
                    status: 200,
                    content_type: None,
                    body,
                },
                Err(e) => error_reply(e).into(),
            }
        }
    }
}

/// Negotiated output of a request.
pub(super) fn negotiated(requested: &Requested) -> JobOutput {
    JobOutput::Negotiated {
        solutions: requested.for_solutions,
        graphs: requested.for_graphs,
        asked: requested.asked.clone(),
    }
}

/// The CLI format of an answer: `format` checked here so a bad name fails before a process
/// starts.
pub fn cli_output(format: OutputFormat) -> JobOutput {
    JobOutput::Cli(format.name().to_owned())
}
