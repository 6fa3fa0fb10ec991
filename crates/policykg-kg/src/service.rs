//! SPARQL 1.1 Federated Query for the command line: a `SERVICE` handler that sends the
//! service's pattern as a `SELECT *` query to the remote endpoint and reads its JSON answer.
//! Both `http://` and `https://` endpoints (Wikidata's among them) go through [`crate::http`]
//! (ureq with rustls; the CA file of `POLICYKG_CA_CERT`, when set, replaces the built-in roots).
//! Off unless the user asks (`policykg query --allow-service`, `serve --allow-service`):
//! everything else in policykg is offline. [`uses_service`] tells, on the parsed algebra,
//! whether a query or update would call out.

use crate::http::{Client, Url};
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxigraph::sparql::{DefaultServiceHandler, QueryEvaluationError, QuerySolution, QuerySolutionIter};
use oxiri::Iri;
use spargebra::algebra::{AggregateExpression, Expression, GraphPattern, OrderExpression};
use spargebra::{GraphUpdateOperation, Query, SparqlParser};
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

/// Whether SPARQL text, a query or an update, has a `SERVICE` pattern anywhere in its algebra
/// (subqueries, `EXISTS` in filters, binds, orderings and aggregates included). The text is
/// parsed as the evaluator parses it: the well-known [`crate::query::PREFIXES`] and
/// `base_iri`, so a `SERVICE` keyword inside a string, an IRI or a comment does not count
/// and an endpoint named through a prefix does. Text that parses as neither a
/// query nor an update uses no `SERVICE`: the evaluator refuses it anyway.
///
/// The parser recurses per nesting level: callers that take text from the network check its
/// nesting first (`server::check_nesting`).
pub fn uses_service(sparql: &str, base_iri: Option<&str>) -> bool {
    let mut parser = SparqlParser::new();
    if let Some(base) = base_iri {
        match parser.with_base_iri(base) {
            Ok(p) => parser = p,
            Err(_) => return false,
        }
    }
    for (prefix, ns) in crate::query::PREFIXES {
        // The built-in prefixes are valid IRIs (tested in query.rs).
        parser = match parser.with_prefix(*prefix, *ns) {
            Ok(p) => p,
            Err(_) => return false,
        };
    }
    if let Ok(query) = parser.clone().parse_query(sparql) {
        let (Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. }) = &query;
        return pattern_uses_service(pattern);
    }
    parser.parse_update(sparql).is_ok_and(|update| {
        update.operations.iter().any(|op| match op {
            GraphUpdateOperation::DeleteInsert { pattern, .. } => pattern_uses_service(pattern),
            _ => false,
        })
    })
}

fn pattern_uses_service(p: &GraphPattern) -> bool {
    match p {
        GraphPattern::Service { .. } => true,
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => false,
        GraphPattern::Join { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right }
        | GraphPattern::Lateral { left, right } => pattern_uses_service(left) || pattern_uses_service(right),
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            pattern_uses_service(left)
                || pattern_uses_service(right)
                || expression.as_ref().is_some_and(expression_uses_service)
        }
        GraphPattern::Filter { expr, inner } => expression_uses_service(expr) || pattern_uses_service(inner),
        GraphPattern::Extend { inner, expression, .. } => {
            expression_uses_service(expression) || pattern_uses_service(inner)
        }
        GraphPattern::OrderBy { inner, expression } => {
            pattern_uses_service(inner)
                || expression.iter().any(|o| match o {
                    OrderExpression::Asc(e) | OrderExpression::Desc(e) => expression_uses_service(e),
                })
        }
        GraphPattern::Group { inner, aggregates, .. } => {
            pattern_uses_service(inner)
                || aggregates.iter().any(|(_, a)| match a {
                    AggregateExpression::FunctionCall { expr, .. } => expression_uses_service(expr),
                    AggregateExpression::CountSolutions { .. } => false,
                })
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => pattern_uses_service(inner),
    }
}

fn expression_uses_service(e: &Expression) -> bool {
    match e {
        Expression::Exists(p) => pattern_uses_service(p),
        Expression::Or(a, b)
        | Expression::And(a, b)
        | Expression::Equal(a, b)
        | Expression::SameTerm(a, b)
        | Expression::Greater(a, b)
        | Expression::GreaterOrEqual(a, b)
        | Expression::Less(a, b)
        | Expression::LessOrEqual(a, b)
        | Expression::Add(a, b)
        | Expression::Subtract(a, b)
        | Expression::Multiply(a, b)
        | Expression::Divide(a, b) => expression_uses_service(a) || expression_uses_service(b),
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => expression_uses_service(a),
        Expression::If(a, b, c) => [a, b, c].into_iter().any(|x| expression_uses_service(x)),
        Expression::In(a, list) => expression_uses_service(a) || list.iter().any(expression_uses_service),
        Expression::FunctionCall(_, list) | Expression::Coalesce(list) => list.iter().any(expression_uses_service),
        Expression::NamedNode(_) | Expression::Literal(_) | Expression::Variable(_) | Expression::Bound(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::uses_service;

    #[test]
    fn service_is_found_in_the_algebra_only() {
        let yes = |q: &str| assert!(uses_service(q, None), "{q}");
        let no = |q: &str| assert!(!uses_service(q, None), "{q}");
        yes("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }");
        yes("select * { service silent <http://x/> {} }");
        yes("SELECT * {SERVICE<http://x/>{}}");
        yes("SELECT * { SERVICE ?endpoint {} }");
        // Behind a prefix (a built-in one, and one of the query's own).
        yes("SELECT * { SERVICE schema:sparql { ?s ?p ?o } }");
        yes("PREFIX e: <http://example.org/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }");
        // Nested: subquery, EXISTS in a filter, a bind, an ordering, an aggregate, OPTIONAL,
        // MINUS, GRAPH, LATERAL.
        yes("SELECT * { { SELECT ?s { SERVICE <http://x/> { ?s ?p ?o } } LIMIT 1 } }");
        yes("SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }");
        yes("SELECT * { ?s ?p ?o BIND(EXISTS { SERVICE <http://x/> {} } AS ?b) }");
        yes("SELECT * { ?s ?p ?o } ORDER BY (NOT EXISTS { SERVICE <http://x/> {} })");
        yes("SELECT (SUM(IF(EXISTS { SERVICE <http://x/> {} }, 1, 0)) AS ?n) { ?s ?p ?o }");
        yes("SELECT * { ?s ?p ?o OPTIONAL { SERVICE <http://x/> { ?s ?q ?r } } }");
        yes("SELECT * { ?s ?p ?o MINUS { SERVICE <http://x/> { ?s ?q ?r } } }");
        yes("SELECT * { GRAPH ?g { SERVICE <http://x/> { ?s ?q ?r } } }");
        yes("SELECT * { ?s ?p ?o LATERAL { SERVICE <http://x/> { ?s ?q ?r } } }");
        yes("ASK { SERVICE <http://x/> {} }");
        yes("DESCRIBE ?s { SERVICE <http://x/> { ?s ?p ?o } }");
        yes("INSERT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }");
        // Not a SERVICE: names, strings, IRIs, comments, language tags, blank nodes.
        no("SELECT ?service WHERE { ?service ?p \"SERVICE\" }");
        no("SELECT * { ?s <http://x/SERVICE> ?o } # SERVICE <x> { }");
        no("PREFIX service: <http://x/> SELECT * { ?s service:a ?o ; service:service ?x }");
        no("SELECT * { ?s ?p '''a \n SERVICE <http://x/> { } ''' FILTER(?p < 3) }");
        no("SELECT * { ?s ?p \"x\"@service }");
        no("SELECT * { _:service ?p ?o }");
        // The parser, as the evaluator's, reads `\\u` escapes only in strings and IRIs: this
        // text does not parse (and is refused with a syntax error), nothing is called.
        no("SELECT * { \\u0053ERVICE <http://x/> {} }");
        yes("SELECT * { SERVICE <http://x/\\u0073parql> {} }");
        no("INSERT DATA { <http://x/s> <http://x/p> \"SERVICE <http://x/> {}\" }");
        // Text that does not parse calls nothing (the evaluator refuses it).
        no("SELECT * { SERVICE <http://x/> { ?s ?p");
        // Relative endpoints resolve against the base, as the server's do.
        assert!(uses_service(
            "SELECT * { SERVICE <sparql> {} }",
            Some("http://127.0.0.1:7878/query")
        ));
    }
}
