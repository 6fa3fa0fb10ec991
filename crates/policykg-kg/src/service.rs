//! SPARQL 1.1 Federated Query for the command line: a `SERVICE` handler that sends the
//! service's pattern as a `SELECT *` query to the remote endpoint and reads its JSON answer.
//! `http://` endpoints go through [`crate::http`]; `https://` ones (Wikidata's among them)
//! through the `curl` program, so the binary carries no TLS stack. Off unless the user asks
//! (`policykg query --allow-service`): everything else in policykg is offline.

use crate::http::{Client, Url};
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxigraph::sparql::{DefaultServiceHandler, QueryEvaluationError, QuerySolution, QuerySolutionIter};
use oxiri::Iri;
use spargebra::algebra::GraphPattern;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Sends SERVICE patterns over HTTP(S).
#[derive(Clone, Debug)]
pub struct HttpServiceHandler {
    pub timeout: Duration,
}

fn service_error(msg: String) -> QueryEvaluationError {
    QueryEvaluationError::Service(msg.into())
}

impl HttpServiceHandler {
    /// The remote answer to a query, as SPARQL JSON results.
    fn fetch(&self, endpoint: &str, query: &str) -> Result<Vec<u8>, QueryEvaluationError> {
        const ACCEPT: &str = "application/sparql-results+json";
        let agent = format!("policykg/{} (federated query)", env!("CARGO_PKG_VERSION"));
        if endpoint.starts_with("https://") {
            let mut child = Command::new("curl")
                .args([
                    "-sS",
                    "--fail-with-body",
                    "--max-time",
                    &self.timeout.as_secs().max(1).to_string(),
                ])
                .args(["-X", "POST", "-H", "Content-Type: application/sparql-query", "-H"])
                .arg(format!("Accept: {ACCEPT}"))
                .args(["-A", &agent, "--data-binary", "@-", endpoint])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| service_error(format!("{endpoint}: https services need the curl program ({e})")))?;
            if let Some(mut stdin) = child.stdin.take() {
                stdin
                    .write_all(query.as_bytes())
                    .map_err(|e| service_error(format!("{endpoint}: {e}")))?;
            }
            let out = child
                .wait_with_output()
                .map_err(|e| service_error(format!("{endpoint}: {e}")))?;
            if !out.status.success() {
                return Err(service_error(format!(
                    "{endpoint}: {}{}",
                    String::from_utf8_lossy(&out.stderr).trim(),
                    String::from_utf8_lossy(&out.stdout)
                        .chars()
                        .take(300)
                        .collect::<String>()
                )));
            }
            return Ok(out.stdout);
        }
        let url = Url::parse(endpoint).map_err(|e| service_error(e.to_string()))?;
        let resp = Client::new(self.timeout, None)
            .request(
                "POST",
                &url,
                &[("Content-Type", "application/sparql-query"), ("Accept", ACCEPT)],
                query.as_bytes(),
            )
            .map_err(|e| service_error(e.to_string()))?;
        if resp.status != 200 {
            return Err(service_error(format!(
                "{endpoint}: HTTP {} {}",
                resp.status,
                resp.text().chars().take(300).collect::<String>()
            )));
        }
        Ok(resp.body)
    }
}

/// The query sent for a SERVICE pattern.
pub fn service_query(pattern: &GraphPattern, base_iri: Option<&Iri<String>>) -> String {
    spargebra::Query::Select {
        dataset: None,
        pattern: pattern.clone(),
        base_iri: base_iri.cloned(),
    }
    .to_string()
}

impl DefaultServiceHandler for HttpServiceHandler {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, QueryEvaluationError> {
        let body = self.fetch(service_name.as_str(), &service_query(pattern, base_iri))?;
        let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
            .for_slice(&body)
            .map_err(|e| service_error(format!("{service_name}: {e}")))?;
        let SliceQueryResultsParserOutput::Solutions(solutions) = parsed else {
            return Err(service_error(format!("{service_name}: the answer has no solutions")));
        };
        let variables: std::sync::Arc<[oxigraph::sparql::Variable]> = solutions.variables().into();
        let rows: Vec<Result<QuerySolution, QueryEvaluationError>> = solutions
            .map(|s| s.map_err(|e| service_error(format!("{service_name}: {e}"))))
            .collect();
        Ok(QuerySolutionIter::new(variables, rows))
    }
}
