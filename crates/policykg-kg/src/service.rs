//! SPARQL 1.1 Federated Query for the command line: a `SERVICE` handler that sends the
//! service's pattern as a `SELECT *` query to the remote endpoint and reads its JSON answer.
//! Both `http://` and `https://` endpoints (Wikidata's among them) go through [`crate::http`]
//! (ureq with rustls; the CA file of `POLICYKG_CA_CERT`, when set, replaces the built-in roots).
//! Off unless the user asks (`policykg query --allow-service`, `serve --allow-service`):
//! everything else in policykg is offline.

use crate::http::{Client, Url};
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxigraph::sparql::{DefaultServiceHandler, QueryEvaluationError, QuerySolution, QuerySolutionIter};
use oxiri::Iri;
use spargebra::algebra::GraphPattern;
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
        let url = Url::parse(endpoint).map_err(|e| service_error(e.to_string()))?;
        let resp = Client::new(self.timeout, None)
            .request(
                "POST",
                &url,
                &[
                    ("Content-Type", "application/sparql-query"),
                    ("Accept", "application/sparql-results+json"),
                ],
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
