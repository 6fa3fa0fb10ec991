//! Cheap refusals before any evaluation: a lexical check of the SPARQL text (nesting depth),
//! then a static check of the parsed algebra for shapes that cannot finish on a store of any
//! size, and the classification of trivially bounded queries (no store access at all), which
//! get their own evaluation lane.
//!
//! These checks only refuse early what the hard limits (time and memory of the evaluation
//! processes, see [`super::pool`]) would stop anyway, with a clearer `400`; the hard limits
//! hold for every query, including shapes nothing here foresees.

use crate::query::PREFIXES;
use spargebra::algebra::{Expression, Function, GraphPattern, PropertyPathExpression};
use spargebra::term::{NamedNodePattern, TermPattern};
use spargebra::{Query, SparqlParser};
use std::collections::BTreeSet;

/// Deepest nesting of `{`, `(` and `[` (and longest run of unary operators) a request may
/// have. The SPARQL parser and evaluator recurse once (or more) per level: a few thousand
/// levels overflow a thread's stack, which aborts the whole process.
pub const MAX_NESTING: usize = 128;

/// Rows of a `VALUES` block from which it counts as an unrestricted operand of a product.
const LARGE_VALUES: usize = 1000;

/// Longest text of a query that may go to the light lane.
const LIGHT_MAX_BYTES: usize = 4096;
/// Most rows (product over its `VALUES` blocks) a light query may make.
const LIGHT_MAX_ROWS: usize = 1000;

/// Refuses SPARQL text nested deeper than [`MAX_NESTING`] (brackets, or runs of the unary
/// operators `!`, `^`, `-`, `+`), outside comments, strings and IRIs. Runs before any parser
/// sees the text.
pub fn check_nesting(sparql: &str) -> Result<(), String> {
    let chars: Vec<char> = sparql.chars().collect();
    let mut depth = 0usize;
    let mut run = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '#' => {
                while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                    i += 1;
                }
                continue;
            }
            '"' | '\'' => {
                i = skip_string(&chars, i);
                run = 0;
                continue;
            }
            '<' => {
                if let Some(end) = iri_end(&chars, i) {
                    i = end + 1;
                    run = 0;
                    continue;
                }
                run = 0;
            }
            '{' | '(' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(format!(
                        "the query is nested more than {MAX_NESTING} levels deep (braces, \
                         parentheses or brackets); flatten it"
                    ));
                }
                run = 0;
            }
            '}' | ')' | ']' => {
                depth = depth.saturating_sub(1);
                run = 0;
            }
            '!' | '^' | '-' | '+' => {
                run += 1;
                if run > MAX_NESTING {
                    return Err(format!(
                        "the query chains more than {MAX_NESTING} unary operators (!, ^, -, +); \
                         simplify it"
                    ));
                }
            }
            c if c.is_whitespace() => {}
            _ => run = 0,
        }
        i += 1;
    }
    Ok(())
}

/// What the static check says about a query that parses.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Trivially bounded (reads nothing from the store, few rows): the light lane.
    Light,
    /// Anything else: the general lane, under the hard limits.
    General,
}

/// Parses `sparql` as the evaluator will (the well-known prefixes, `base_iri`) and applies
/// the static check. `Err` is the `400` message: a syntax error, or a shape that cannot
/// finish.
pub fn check_query(sparql: &str, base_iri: Option<&str>) -> Result<Verdict, String> {
    check_nesting(sparql)?;
    let mut parser = SparqlParser::new();
    if let Some(base) = base_iri {
        parser = parser
            .with_base_iri(base)
            .map_err(|e| format!("bad base IRI <{base}>: {e}"))?;
    }
    for (prefix, ns) in PREFIXES {
        parser = parser
            .with_prefix(*prefix, *ns)
            .map_err(|e| format!("bad built-in prefix {prefix}: {e}"))?;
    }
    let query = parser
        .parse_query(sparql)
        .map_err(|e| format!("SPARQL syntax error: {e}"))?;
    let pattern = match &query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    };
    let mut facts = Facts::default();
    facts.walk(pattern, false);
    if let Some(reason) = facts.refusal {
        return Err(reason);
    }
    let describe = matches!(query, Query::Describe { .. });
    if !describe
        && facts.patterns == 0
        && !facts.service
        && !facts.growing
        && facts.values_rows <= LIGHT_MAX_ROWS
        && sparql.len() <= LIGHT_MAX_BYTES
    {
        return Ok(Verdict::Light);
    }
    Ok(Verdict::General)
}

/// What a walk over the algebra found.
#[derive(Default)]
struct Facts {
    /// Triple and path patterns.
    patterns: usize,
    /// Product of the row counts of all `VALUES` blocks (saturating).
    values_rows: usize,
    /// A `SERVICE` pattern.
    service: bool,
    /// Grouping, or a function whose result can be longer than its arguments together
    /// (`CONCAT(?x, ?x)` doubles a string per `BIND`): not light, whatever else it reads.
    growing: bool,
    /// Why the query is refused, if it is.
    refusal: Option<String>,
}

/// One operand of a join: its variables and whether it is unrestricted (matches every
/// quad of the store, or is a large `VALUES` table).
struct Operand {
    variables: BTreeSet<String>,
    unrestricted: bool,
    what: String,
}

impl Facts {
    /// Walks a pattern; `materialised` says whether an enclosing operator must hold or
    /// consume every solution before answering (ORDER BY, GROUP BY with keys, DISTINCT or
    /// REDUCED without a LIMIT).
    fn walk(&mut self, p: &GraphPattern, materialised: bool) {
        if self.refusal.is_some() {
            return;
        }
        match p {
            GraphPattern::Bgp { patterns } => {
                self.patterns += patterns.len();
                self.product(p, materialised);
            }
            GraphPattern::Path { subject, path, object } => {
                self.patterns += 1;
                if is_unbound(subject) && is_unbound(object) && closure_over_any_predicate(path) {
                    self.refusal = Some(format!(
                        "the property path {path} repeats (* or +) a step that matches almost \
                         every predicate, between two unbound ends: that is the transitive \
                         closure of the whole graph. Bind one end (a constant or a variable \
                         bound by another pattern), or name the predicates"
                    ));
                }
            }
            GraphPattern::Join { left, right } => {
                self.product(p, materialised);
                self.walk(left, materialised);
                self.walk(right, materialised);
            }
            GraphPattern::LeftJoin {
                left,
                right,
                expression,
            } => {
                self.walk(left, materialised);
                self.walk(right, materialised);
                if let Some(e) = expression {
                    self.expression(e);
                }
            }
            GraphPattern::Filter { expr, inner } => {
                self.expression(expr);
                self.walk(inner, materialised);
            }
            GraphPattern::Union { left, right } | GraphPattern::Minus { left, right } => {
                self.walk(left, materialised);
                self.walk(right, materialised);
            }
            GraphPattern::Graph { inner, .. } | GraphPattern::Project { inner, .. } => self.walk(inner, materialised),
            GraphPattern::Extend { inner, expression, .. } => {
                self.expression(expression);
                self.walk(inner, materialised);
            }
            GraphPattern::Values { bindings, .. } => {
                self.values_rows = self.values_rows.max(1).saturating_mul(bindings.len().max(1));
            }
            GraphPattern::OrderBy { inner, .. } => self.walk(inner, true),
            GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } => self.walk(inner, true),
            GraphPattern::Slice { inner, length, .. } => match inner.as_ref() {
                // DISTINCT/REDUCED stream: under a LIMIT they stop early.
                GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } if length.is_some() => {
                    self.walk(inner, materialised)
                }
                _ => self.walk(inner, materialised),
            },
            GraphPattern::Group { inner, variables, .. } => {
                self.growing = true;
                // Aggregates without keys stream (COUNT(*) of a product takes time, not
                // memory: the time limit stops it); grouping keys hold every group.
                self.walk(inner, materialised || !variables.is_empty())
            }
            GraphPattern::Service { inner, .. } => {
                self.service = true;
                self.walk(inner, materialised);
            }
            #[allow(unreachable_patterns)]
            other => {
                // Lateral joins and future variants: their operands still count.
                let _ = other;
                self.patterns += 1;
            }
        }
    }

    fn expression(&mut self, e: &Expression) {
        match e {
            Expression::Exists(p) => self.walk(p, false),
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
            | Expression::Divide(a, b) => {
                self.expression(a);
                self.expression(b);
            }
            Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => self.expression(a),
            Expression::If(a, b, c) => {
                self.expression(a);
                self.expression(b);
                self.expression(c);
            }
            Expression::In(a, list) => {
                self.expression(a);
                list.iter().for_each(|x| self.expression(x));
            }
            Expression::FunctionCall(f, list) => {
                if matches!(
                    f,
                    Function::Concat | Function::Replace | Function::EncodeForUri | Function::Custom(_)
                ) {
                    self.growing = true;
                }
                list.iter().for_each(|x| self.expression(x))
            }
            Expression::Coalesce(list) => list.iter().for_each(|x| self.expression(x)),
            _ => {}
        }
    }

    /// Refuses a join (a BGP or nested joins) of two or more operands that share no variable
    /// and each match every quad, when an enclosing operator must materialise the product.
    fn product(&mut self, p: &GraphPattern, materialised: bool) {
        if !materialised || self.refusal.is_some() {
            return;
        }
        let mut operands = Vec::new();
        join_operands(p, &mut operands);
        // Connected components over shared variables.
        let mut components: Vec<Operand> = Vec::new();
        for op in operands {
            let mut merged = op;
            let mut i = 0;
            while i < components.len() {
                if components[i].variables.intersection(&merged.variables).next().is_some() {
                    let c = components.swap_remove(i);
                    merged.variables.extend(c.variables);
                    merged.unrestricted |= c.unrestricted;
                    if merged.what.is_empty() {
                        merged.what = c.what;
                    }
                } else {
                    i += 1;
                }
            }
            components.push(merged);
        }
        let wild: Vec<&Operand> = components.iter().filter(|c| c.unrestricted).collect();
        if wild.len() >= 2 {
            let list: Vec<&str> = wild.iter().map(|c| c.what.as_str()).collect();
            self.refusal = Some(format!(
                "the query joins {} parts that share no variable and each match the whole store \
                 ({}): their cartesian product (store size to the power {}) would have to be \
                 evaluated whole for ORDER BY, GROUP BY or DISTINCT. Connect the parts with a \
                 shared variable or constants, or drop ORDER BY/GROUP BY/DISTINCT and add a LIMIT",
                wild.len(),
                list.join(", "),
                wild.len()
            ));
        }
    }
}

/// The operands of a join tree: triple patterns of BGPs, and whole sub-patterns otherwise.
fn join_operands(p: &GraphPattern, out: &mut Vec<Operand>) {
    match p {
        GraphPattern::Bgp { patterns } => {
            for t in patterns {
                let mut variables = BTreeSet::new();
                let mut bound = 0;
                for term in [&t.subject, &t.object] {
                    match term {
                        TermPattern::Variable(v) => {
                            variables.insert(v.as_str().to_owned());
                        }
                        TermPattern::BlankNode(_) => {}
                        _ => bound += 1,
                    }
                }
                match &t.predicate {
                    NamedNodePattern::Variable(v) => {
                        variables.insert(v.as_str().to_owned());
                    }
                    NamedNodePattern::NamedNode(_) => bound += 1,
                }
                out.push(Operand {
                    variables,
                    unrestricted: bound == 0,
                    what: t.to_string(),
                });
            }
        }
        GraphPattern::Join { left, right } => {
            join_operands(left, out);
            join_operands(right, out);
        }
        GraphPattern::Values { variables, bindings } => out.push(Operand {
            variables: variables.iter().map(|v| v.as_str().to_owned()).collect(),
            unrestricted: bindings.len() >= LARGE_VALUES,
            what: format!("VALUES of {} rows", bindings.len()),
        }),
        other => {
            let mut variables = BTreeSet::new();
            other.on_in_scope_variable(|v| {
                variables.insert(v.as_str().to_owned());
            });
            let mut inner = Vec::new();
            let unrestricted = match other {
                GraphPattern::Graph { inner: i, .. }
                | GraphPattern::Filter { inner: i, .. }
                | GraphPattern::Extend { inner: i, .. }
                | GraphPattern::Project { inner: i, .. } => {
                    join_operands(i, &mut inner);
                    inner.len() == 1 && inner[0].unrestricted
                }
                _ => false,
            };
            out.push(Operand {
                variables,
                unrestricted,
                what: inner.first().map(|o| o.what.clone()).unwrap_or_default(),
            });
        }
    }
}

fn is_unbound(t: &TermPattern) -> bool {
    matches!(t, TermPattern::Variable(_) | TermPattern::BlankNode(_))
}

/// Whether a path repeats (`*`, `+`) a step that includes a negated property set (which
/// matches nearly every predicate).
fn closure_over_any_predicate(path: &PropertyPathExpression) -> bool {
    fn any_predicate(p: &PropertyPathExpression) -> bool {
        match p {
            PropertyPathExpression::NegatedPropertySet(_) => true,
            PropertyPathExpression::NamedNode(_) => false,
            PropertyPathExpression::Reverse(a)
            | PropertyPathExpression::ZeroOrMore(a)
            | PropertyPathExpression::OneOrMore(a)
            | PropertyPathExpression::ZeroOrOne(a) => any_predicate(a),
            PropertyPathExpression::Sequence(a, b) | PropertyPathExpression::Alternative(a, b) => {
                any_predicate(a) || any_predicate(b)
            }
        }
    }
    match path {
        PropertyPathExpression::ZeroOrMore(a) | PropertyPathExpression::OneOrMore(a) => any_predicate(a),
        PropertyPathExpression::NamedNode(_) | PropertyPathExpression::NegatedPropertySet(_) => false,
        PropertyPathExpression::Reverse(a) | PropertyPathExpression::ZeroOrOne(a) => closure_over_any_predicate(a),
        PropertyPathExpression::Sequence(a, b) | PropertyPathExpression::Alternative(a, b) => {
            closure_over_any_predicate(a) || closure_over_any_predicate(b)
        }
    }
}

/// Index just after the string literal starting at `start` (quote character at `start`).
fn skip_string(chars: &[char], start: usize) -> usize {
    let q = chars[start];
    let long = chars.get(start + 1) == Some(&q) && chars.get(start + 2) == Some(&q);
    let mut i = start + if long { 3 } else { 1 };
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            c if c == q => {
                if !long {
                    return i + 1;
                }
                if chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q) {
                    return i + 3;
                }
                i += 1;
            }
            '\n' | '\r' if !long => return i,
            _ => i += 1,
        }
    }
    i
}

/// If an IRI reference starts at `start` (`<` … `>` without spaces), the index of its `>`.
fn iri_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '>' => return Some(i),
            c if c.is_whitespace() || matches!(c, '<' | '"' | '{' | '}' | '|' | '^' | '`') => return None,
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(q: &str) -> bool {
        check_query(q, None).is_err()
    }

    #[test]
    fn nesting_is_bounded_before_parsing() {
        let deep = format!("SELECT * WHERE {}{}", "{".repeat(5000), "}".repeat(5000));
        assert!(check_nesting(&deep).unwrap_err().contains("nested"));
        let nots = format!("ASK {{ FILTER({}true) }}", "!".repeat(20_000));
        assert!(check_nesting(&nots).unwrap_err().contains("unary"));
        assert!(check_nesting("SELECT * { ?s ?p \"{{{{{{{{\" } # ((((((").is_ok());
        let ok = format!("SELECT * WHERE {}{}", "{".repeat(100), "}".repeat(100));
        assert!(check_query(&ok, None).is_ok());
        // Negative numbers and arithmetic are not unary chains.
        assert!(check_query("SELECT (1 - -2 + +3 AS ?x) {}", None).is_ok());
    }

    #[test]
    fn cartesian_products_that_must_be_materialised_are_refused() {
        let issue = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a";
        let why = check_query(issue, None).unwrap_err();
        assert!(why.contains("cartesian product"), "{why}");
        assert!(refused("SELECT DISTINCT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f }"));
        assert!(refused(
            "SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } GROUP BY ?a"
        ));
        assert!(refused(
            "SELECT * WHERE { { ?a ?b ?c } { SELECT * { ?d ?e ?f } } } ORDER BY ?a"
        ));
        assert!(refused("SELECT * WHERE { GRAPH ?g { ?a ?b ?c } ?d ?e ?f } ORDER BY ?a"));
        let values: String = (0..1500).map(|i| format!("{i} ")).collect();
        assert!(refused(&format!(
            "SELECT * WHERE {{ ?a ?b ?c VALUES ?x {{ {values} }} }} ORDER BY ?x"
        )));
        // Not refused: connected, LIMITed DISTINCT, streamed, keyless aggregates (the time
        // limit stops those), selective operands.
        assert!(!refused("SELECT * WHERE { ?a ?b ?c . ?c ?e ?f } ORDER BY ?a"));
        assert!(!refused("SELECT DISTINCT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 10"));
        assert!(!refused("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"));
        assert!(!refused(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
        ));
        assert!(!refused(
            "SELECT * WHERE { ?d a pkg:Document . ?o a org:Organization } ORDER BY ?d"
        ));
    }

    #[test]
    fn closures_over_every_predicate_are_refused() {
        let why = check_query("SELECT * WHERE { ?a (<p>|!<p>)* ?b }", Some("http://x/")).unwrap_err();
        assert!(why.contains("transitive closure"), "{why}");
        assert!(refused("SELECT * WHERE { ?a !<http://x/p>+ ?b }"));
        assert!(refused("SELECT * WHERE { ?a <http://x/q>/(!<http://x/p>)* ?b }"));
        assert!(!refused(
            "SELECT * WHERE { <http://x/s> (<http://x/p>|!<http://x/p>)* ?b }"
        ));
        assert!(!refused("SELECT * WHERE { ?a <http://x/p>* ?b }"));
    }

    #[test]
    fn trivially_bounded_queries_are_light() {
        assert_eq!(check_query("ASK {}", None), Ok(Verdict::Light));
        assert_eq!(check_query("SELECT (1 + 1 AS ?x) {}", None), Ok(Verdict::Light));
        assert_eq!(
            check_query("SELECT * { VALUES ?x { 1 2 3 } }", None),
            Ok(Verdict::Light)
        );
        assert_eq!(check_query("ASK { ?s ?p ?o }", None), Ok(Verdict::General));
        // Strings that double per BIND read nothing, yet are not light.
        assert_eq!(
            check_query(
                "SELECT * { BIND(\"ab\" AS ?a) BIND(CONCAT(?a, ?a) AS ?b) BIND(CONCAT(?b, ?b) AS ?c) }",
                None
            ),
            Ok(Verdict::General)
        );
        assert_eq!(check_query("SELECT (COUNT(*) AS ?n) {}", None), Ok(Verdict::General));
        assert_eq!(check_query("DESCRIBE <http://x/>", None), Ok(Verdict::General));
        let values: String = (0..50).map(|i| format!("{i} ")).collect();
        assert_eq!(
            check_query(
                &format!("SELECT * {{ VALUES ?x {{ {values} }} VALUES ?y {{ {values} }} }}"),
                None
            ),
            Ok(Verdict::General),
            "2,500 rows"
        );
        assert!(check_query("SELECT ?x WHERE { ?x", None)
            .unwrap_err()
            .starts_with("SPARQL syntax error"));
    }
}
