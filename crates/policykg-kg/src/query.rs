//! SPARQL over the policykg store: run a query against an Oxigraph [`Store`] and write the
//! answer for people ([`OutputFormat::Table`]) or machines (SPARQL 1.1 CSV/TSV/JSON/XML results,
//! Turtle/N-Triples graphs), plus the library of named queries kept as `queries/*.rq`.
//!
//! Every query is evaluated with the **default graph set to the union of all named graphs**
//! (the store keeps each document in its own named graph), unless the query itself chooses
//! its dataset with `FROM`/`FROM NAMED`. The well-known prefixes of [`PREFIXES`] (`rdf`, `rdfs`,
//! `xsd`, `skos`, `org`, `prov`, `dcterms`, `schema`, `foaf`, `nif` and
//! `pkg:` = `https://w3id.org/policykg/ont#`) are predeclared, so ad-hoc queries may use them
//! without `PREFIX` lines; the same prefixes are used to shorten IRIs in tables and Turtle
//! output. (The files in `queries/` still declare their prefixes, so they run unchanged in any
//! SPARQL client.)
//!
//! # Named-query header convention
//!
//! A named query is a file `queries/NAME.rq`; its name is the file stem. The leading comment
//! block (the `#` lines before the first line of SPARQL; blank lines are skipped) is its header:
//!
//! ```text
//! # Tasks led by a given organisation, newest documents first.
//! # @param org literal 牵头单位名称，如“市发改委”
//! # @param year year 发文年份 (optional)
//! SELECT ?org ?year ?task WHERE { … }
//! ```
//!
//! * Ordinary comment lines form the description (joined with single spaces).
//! * `# @param NAME KIND description` declares a parameter. KIND is one of
//!   [`ParamKind`]'s names: `literal` (plain string literal), `zh` (`@zh` language-tagged
//!   literal), `iri` (an absolute IRI, `<…>` or a well-known prefixed name such as
//!   `pkg:Task`), `int` (`xsd:integer`), `year` (a four-digit year, `2024` or `2024年`, bound
//!   as an `xsd:integer`), `org` (an organisation name, normalised with the department alias
//!   table before it is bound as a `@zh` literal, so queries find it with index lookups on
//!   `skos:prefLabel`/`skos:altLabel`/`pkg:nameStem`; see [`org_match_key`]). When the word after
//!   NAME is not a known kind, the kind is `literal` and that word starts the description.
//! * A parameter whose description contains `(optional)` (or `(可选)`/`（可选）`) may be
//!   left out; its variable then simply stays unbound and matches anything.
//!
//! Parameter values are **never pasted into the SPARQL text**: [`bind_params`] turns each
//! value into an RDF [`Term`] of the declared kind, and [`run`] hands it to Oxigraph's variable
//! substitution, which pre-binds `?NAME` before evaluation. A value such as
//! `" } ; DROP ALL #` is therefore only ever a string literal. Oxigraph substitutes variables
//! of the query's *result*: a `SELECT` query must list each parameter variable in its
//! projection (or use `SELECT *`); `ASK`, `CONSTRUCT` and `DESCRIBE` may use it anywhere in the
//! pattern. [`validate`] checks this for a library query without any data.
//!
//! A substituted variable is bound *before* evaluation, throughout the query. Use it in a
//! required triple pattern: a variable that appears only inside `OPTIONAL { … }` does not
//! filter anything (a conflicting optional part is simply dropped and the row keeps the
//! given value).
//!
//! Two more rules, both from Oxigraph's optimiser, which plans the query *before* the values
//! are substituted:
//!
//! * Never test a parameter with `BOUND(?p)`: a variable that no pattern binds is known to be
//!   unbound, so `BOUND(?p)` is folded to `false` and `!BOUND(?p) || …` to `true`, whatever
//!   value is given later. For an optional parameter used in a `FILTER`, write
//!   `FILTER(COALESCE(IF(STRLEN(?p) >= 0, <test>, true), true))` (the `IF` condition is an
//!   error, hence `true`, when `?p` is not given) — see `queries/documents.rq`.
//! * A parameter may also be *computed*: `BIND(YEAR(?date) AS ?year)` with `?year` given keeps
//!   only the solutions whose computed value equals it (the projection drops conflicting
//!   rows), and shows the computed value when it is not given.
//!
//! Parameters of kind `org` are meant for the matching rule the library queries share: an
//! organisation matches when one of its names (`skos:prefLabel`/`skos:altLabel`) equals the
//! value, or its canonical name is a place name followed by exactly the value
//! (`STRENDS` plus a check that the rest ends in 省/市/区/县/州/盟/旗/委), so that the
//! canonical stem `发展和改革委员会` finds every 发展和改革委员会 and `局` finds nothing.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc;
use std::time::Duration;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Term, Triple, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{
    CancellationToken, PreparedSparqlQuery, QueryEvaluationError, QueryResults, QuerySolution, SparqlEvaluator,
    SparqlSyntaxError,
};
use oxigraph::store::Store;

use crate::table::{one_line, shorten, shorten_tail, Table};

/// Namespace of the policykg ontology (`pkg:`).
pub const PKG_NS: &str = "https://w3id.org/policykg/ont#";

/// Well-known prefixes: predeclared in every query and used to shorten IRIs in output.
pub const PREFIXES: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("schema", "http://schema.org/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("nif", "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"),
    ("pkg", PKG_NS),
];

/// Widest cell of [`OutputFormat::Table`] output, in display columns (a CJK character counts
/// two). Longer cells are shortened with `…`: text keeps its beginning, IRIs keep their end
/// (where the distinguishing part is). The other formats always carry the full values.
pub const TABLE_CELL_MAX_WIDTH: usize = 36;

/// Errors from parsing, binding, evaluating or writing a query.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The SPARQL text does not parse; the message is the parser's (with line and column).
    #[error("SPARQL syntax error: {0}")]
    Parse(#[from] SparqlSyntaxError),
    /// Evaluation failed (including a parameter variable missing from a `SELECT` projection).
    #[error("SPARQL evaluation error: {0}")]
    Eval(#[from] QueryEvaluationError),
    /// No named query with that name exists in the library.
    #[error("unknown query `{name}`; available: {}", .available.join(", "))]
    UnknownQuery {
        /// The name asked for.
        name: String,
        /// Names of the queries in the library.
        available: Vec<String>,
    },
    /// A required parameter was not given.
    #[error("query `{query}` needs parameter `{param}`")]
    MissingParam {
        /// Query name.
        query: String,
        /// Parameter name.
        param: String,
    },
    /// A parameter was given that the query does not declare.
    #[error("query `{query}` has no parameter `{param}` (declared: {})", .declared.join(", "))]
    UnknownParam {
        /// Query name.
        query: String,
        /// Parameter name that was given.
        param: String,
        /// Parameters the query declares.
        declared: Vec<String>,
    },
    /// A parameter value cannot be turned into a term of its kind (bad IRI, number, year…),
    /// or a binding names an invalid SPARQL variable.
    #[error("invalid value {value:?} for parameter `{param}`: {reason}")]
    InvalidParam {
        /// Parameter (variable) name.
        param: String,
        /// The value given.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Reading a query file or directory failed.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Writing the answer to the output failed (e.g. a closed pipe).
    #[error("cannot write query results: {0}")]
    Output(#[source] io::Error),
    /// The requested output format does not fit the query form (e.g. CSV for `CONSTRUCT`).
    #[error("{0}")]
    Format(String),
    /// Evaluation was cancelled because it ran longer than [`EvalOptions::timeout`].
    #[error("the query ran longer than {} s and was cancelled; narrow it (LIMIT, more specific patterns) or ask for a longer timeout", .0.as_secs_f64())]
    Timeout(Duration),
    /// The answer has more solutions (or triples) than [`EvalOptions::max_results`].
    #[error("the answer has more than {0} results, the limit; add LIMIT/OFFSET to page through it, or ask for a higher limit")]
    TooManyResults(usize),
}

/// How answers are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned text table for terminals (for graphs: Turtle).
    Table,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// Turtle, for `CONSTRUCT`/`DESCRIBE`.
    Turtle,
    /// N-Triples, for `CONSTRUCT`/`DESCRIBE`.
    NTriples,
}

impl OutputFormat {
    /// Every format, in the order of its names in [`OutputFormat::NAMES`].
    pub const ALL: [Self; 7] = [
        Self::Table,
        Self::Csv,
        Self::Tsv,
        Self::Json,
        Self::Xml,
        Self::Turtle,
        Self::NTriples,
    ];
    /// The names accepted by [`FromStr`] and produced by [`Display`](fmt::Display).
    pub const NAMES: [&'static str; 7] = ["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"];

    /// The canonical name of the format.
    pub fn name(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Csv => "csv",
            Self::Tsv => "tsv",
            Self::Json => "json",
            Self::Xml => "xml",
            Self::Turtle => "turtle",
            Self::NTriples => "ntriples",
        }
    }

    fn results_format(self) -> Option<QueryResultsFormat> {
        match self {
            Self::Csv => Some(QueryResultsFormat::Csv),
            Self::Tsv => Some(QueryResultsFormat::Tsv),
            Self::Json => Some(QueryResultsFormat::Json),
            Self::Xml => Some(QueryResultsFormat::Xml),
            Self::Table | Self::Turtle | Self::NTriples => None,
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OutputFormat {
    type Err = String;

    /// Parses a format name (case-insensitive); `ttl`, `nt` and `n-triples` are accepted too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "ttl" => return Ok(Self::Turtle),
            "nt" | "n-triples" => return Ok(Self::NTriples),
            _ => {}
        }
        Self::ALL.into_iter().find(|f| f.name() == lower).ok_or_else(|| {
            format!(
                "unknown output format `{s}`; expected one of: {}",
                Self::NAMES.join(", ")
            )
        })
    }
}

/// A query from the library (`queries/NAME.rq`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedQuery {
    /// The file stem.
    pub name: String,
    /// The leading comment lines, joined with spaces (`@param` lines excluded).
    pub description: String,
    /// Declared parameters, in header order.
    pub params: Vec<Param>,
    /// `# @values VAR SELECT …` lines: (variable, local query filling `VALUES ?VAR { }`).
    pub values: Vec<(String, String)>,
    /// The whole file text (SPARQL; the header is ordinary SPARQL comments).
    pub text: String,
}

impl NamedQuery {
    /// The declared parameter called `name`, if any.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// A declared parameter of a named query, bound to the variable `?name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// Parameter and variable name (without `?`).
    pub name: String,
    /// Free text after the kind.
    pub description: String,
    /// How the given string becomes an RDF term.
    pub kind: ParamKind,
}

impl Param {
    /// Whether the parameter may be left out: its description says `(optional)` or `(可选)`.
    pub fn is_optional(&self) -> bool {
        ["(optional)", "(可选)", "（可选）"]
            .iter()
            .any(|m| self.description.contains(m))
    }
}

/// How a parameter value (a string from the command line) becomes an RDF term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// Plain string literal (`"市发改委"`), the value taken verbatim.
    Literal,
    /// Language-tagged literal `"…"@zh`, the value taken verbatim.
    Zh,
    /// Absolute IRI, written bare, in `<…>`, or as a prefixed name with a [`PREFIXES`] prefix.
    Iri,
    /// `xsd:integer`.
    Int,
    /// A four-digit year (`2024` or `2024年`) as an `xsd:integer`, so it compares with
    /// `YEAR(?date)` and with `xsd:gYear` lexical forms read as numbers.
    Year,
    /// An organisation name, bound as a `@zh` literal after [`org_match_key`] normalised it
    /// with the department alias table (`无为市发改委` → `无为市发展和改革委员会`,
    /// `发改委` → `发展和改革委员会`; names the table does not know stay as given).
    Org,
}

impl ParamKind {
    /// The kind's name in `@param` lines.
    pub fn name(self) -> &'static str {
        match self {
            Self::Literal => "literal",
            Self::Zh => "zh",
            Self::Iri => "iri",
            Self::Int => "int",
            Self::Year => "year",
            Self::Org => "org",
        }
    }

    /// Turns `value` into a term of this kind; the error is a human-readable reason.
    pub fn to_term(self, value: &str) -> Result<Term, String> {
        match self {
            Self::Literal => Ok(Literal::new_simple_literal(value).into()),
            Self::Org => {
                let key = org_match_key(value);
                if key.is_empty() {
                    Err("an organisation name cannot be empty".to_owned())
                } else {
                    Ok(Literal::new_language_tagged_literal_unchecked(key, "zh").into())
                }
            }
            Self::Zh => Ok(Literal::new_language_tagged_literal_unchecked(value, "zh").into()),
            Self::Iri => parse_iri(value).map(Term::from),
            Self::Int => value
                .trim()
                .parse::<i64>()
                .map(|n| Literal::from(n).into())
                .map_err(|e| format!("not an integer ({e})")),
            Self::Year => {
                let digits = value.trim();
                let digits = digits.strip_suffix('年').unwrap_or(digits).trim();
                match digits.parse::<i64>() {
                    Ok(y) if digits.len() == 4 && (1000..=9999).contains(&y) => Ok(Literal::from(y).into()),
                    _ => Err("not a four-digit year such as 2024".to_owned()),
                }
            }
        }
    }
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ParamKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "literal" => Ok(Self::Literal),
            "zh" => Ok(Self::Zh),
            "iri" => Ok(Self::Iri),
            "int" => Ok(Self::Int),
            "year" => Ok(Self::Year),
            "org" => Ok(Self::Org),
            _ => Err(format!(
                "unknown parameter kind `{s}`; expected literal, zh, iri, int, year or org"
            )),
        }
    }
}

/// The value an `org` parameter is bound to: an organisation name normalised the way the
/// extractor names organisations, so that any way of writing a department finds it.
///
/// * A name that carries its own place (`无为市发改委`, `泰安市发展改革委`, `迎江区科技局`)
///   becomes the canonical name the store uses (`无为市发展和改革委员会`, …), resolved with the
///   same gazetteer and alias table (`ontology/lexicon/dept_aliases.tsv`) as extraction.
/// * A bare department name from the alias table (`发改委`, `发展改革委`) becomes its canonical
///   stem (`发展和改革委员会`), which the named queries match with `pkg:nameStem` (the canonical
///   name without its place), i.e. that department in every jurisdiction.
/// * Anything else — including names with only a level prefix (`市发改委`), whose place
///   depends on the document that wrote them — is kept as given (trimmed); the queries
///   compare it with every name an organisation appears under (`skos:prefLabel`/`altLabel`).
pub fn org_match_key(value: &str) -> String {
    use policykg_extract::resolve::{resolve_org, Gazetteer, Jurisdiction};
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    let gz = Gazetteer::embedded();
    let nowhere = Jurisdiction { division: None };
    if let Some(name) = resolve_org(gz, &nowhere, value).and_then(|r| r.name) {
        return name;
    }
    match gz.lexicon().dept_aliases.get(value) {
        Some((canonical, _)) => canonical.replace("{jur}", ""),
        None => value.to_owned(),
    }
}

/// Parses an IRI parameter: bare absolute IRI, `<IRI>`, or `prefix:local` with a known prefix.
fn parse_iri(value: &str) -> Result<NamedNode, String> {
    let value = value.trim();
    let value = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value);
    let expanded = value.split_once(':').and_then(|(prefix, local)| {
        if local.starts_with("//") {
            return None;
        }
        PREFIXES
            .iter()
            .find(|(p, _)| *p == prefix)
            .map(|(_, ns)| format!("{ns}{local}"))
    });
    let iri = expanded.as_deref().unwrap_or(value);
    NamedNode::new(iri).map_err(|e| format!("not an absolute IRI ({e})"))
}

include!(concat!(env!("OUT_DIR"), "/queries.rs"));

/// The query library built into the binary (the checkout's `queries/*.rq`), sorted by name.
pub fn embedded_library() -> Vec<NamedQuery> {
    let mut queries: Vec<NamedQuery> = EMBEDDED_QUERIES
        .iter()
        .map(|(name, text)| parse_header(name, text))
        .collect();
    queries.sort_by(|a, b| a.name.cmp(&b.name));
    queries
}

/// The named queries: those of `dir` when it is a directory (a project's own `queries/`),
/// else the library built into the binary.
pub fn library(dir: &Path) -> Result<Vec<NamedQuery>, QueryError> {
    if dir.is_dir() {
        load_library(dir)
    } else {
        Ok(embedded_library())
    }
}

/// Loads every `*.rq` file of `dir` with [`parse_header`], sorted by name.
pub fn load_library(dir: &Path) -> Result<Vec<NamedQuery>, QueryError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| QueryError::Io { path, source }
    };
    let mut queries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let path = entry.map_err(io_err(dir))?.path();
        if !path.is_file() || path.extension().is_none_or(|e| e != "rq") {
            continue;
        }
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        queries.push(parse_header(name, &text));
    }
    queries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(queries)
}

/// Finds the query called `name` in `library`, or [`QueryError::UnknownQuery`].
pub fn find<'a>(library: &'a [NamedQuery], name: &str) -> Result<&'a NamedQuery, QueryError> {
    library
        .iter()
        .find(|q| q.name == name)
        .ok_or_else(|| QueryError::UnknownQuery {
            name: name.to_owned(),
            available: library.iter().map(|q| q.name.clone()).collect(),
        })
}

/// Reads the header of a query file (see the module documentation): description and
/// `@param` lines from the leading `#` comment block. Never fails; `text` is kept whole.
pub fn parse_header(name: &str, text: &str) -> NamedQuery {
    let mut description: Vec<&str> = Vec::new();
    let mut params = Vec::new();
    let mut values = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let comment = comment.trim();
        match comment.strip_prefix("@param") {
            Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => {
                if let Some(param) = parse_param_line(rest) {
                    params.push(param);
                }
            }
            _ if comment.starts_with("@values ") => {
                let rest = comment["@values ".len()..].trim();
                if let Some((var, select)) = rest.split_once(char::is_whitespace) {
                    values.push((var.trim_start_matches(['?', '$']).to_owned(), select.trim().to_owned()));
                }
            }
            _ if !comment.is_empty() => description.push(comment),
            _ => {}
        }
    }
    NamedQuery {
        name: name.to_owned(),
        description: description.join(" "),
        params,
        values,
        text: text.to_owned(),
    }
}

/// The query text with each `# @values VAR SELECT …` header applied: the local SELECT runs on
/// the store (union default graph, with those of `bindings` whose variables it uses) and the
/// terms of its first column fill the query's empty `VALUES ?VAR { }` block. Two uses: local
/// data reaching inside a `SERVICE` pattern (Oxigraph sends the remote endpoint only the
/// inner pattern), and resolving a parameter to the few entities it names *before* the main
/// query is planned, so the planner sees constants (a department's chain of tasks then takes
/// milliseconds instead of a pass over the store). The terms are written in SPARQL syntax by
/// Oxigraph (escaped literals, IRIs) from query answers, never pasted from user input.
pub fn fill_values(store: &Store, q: &NamedQuery, bindings: &[(String, Term)]) -> Result<String, QueryError> {
    let mut text = q.text.clone();
    for (var, select) in &q.values {
        let used: Vec<(String, Term)> = bindings
            .iter()
            .filter(|(name, _)| {
                let v = format!("?{}", name.trim_start_matches(['?', '$']));
                select.match_indices(&v).any(|(i, _)| {
                    select[i + v.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                })
            })
            .cloned()
            .collect();
        let answer = evaluate(store, select, &used, &EvalOptions::default())?;
        let Answer::Solutions { rows, .. } = answer else {
            return Err(QueryError::Format(format!(
                "@values {var}: the local query must be a SELECT"
            )));
        };
        let mut terms: Vec<String> = rows
            .iter()
            .filter_map(|r| r.values().first().cloned().flatten())
            .map(|t| t.to_string())
            .collect();
        terms.sort();
        terms.dedup();
        let block = regex::Regex::new(&format!(r"VALUES\s+\?{}\s*\{{\s*\}}", regex::escape(var)))
            .map_err(|e| QueryError::Format(e.to_string()))?;
        if !block.is_match(&text) {
            return Err(QueryError::Format(format!(
                "@values {var}: the query has no empty `VALUES ?{var} {{ }}` block to fill"
            )));
        }
        let filled = format!("VALUES ?{var} {{ {} }}", terms.join(" "));
        text = block.replace(&text, regex::NoExpand(&filled)).into_owned();
    }
    Ok(text)
}

/// Parses `NAME KIND description` (what follows `@param`).
fn parse_param_line(rest: &str) -> Option<Param> {
    let rest = rest.trim_start();
    let (name, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let name = name.trim_start_matches(['?', '$']);
    if name.is_empty() {
        return None;
    }
    let rest = rest.trim_start();
    let (kind_word, after_kind) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let (kind, description) = match kind_word.parse::<ParamKind>() {
        Ok(kind) => (kind, after_kind.trim()),
        Err(_) => (ParamKind::Literal, rest.trim()),
    };
    Some(Param {
        name: name.to_owned(),
        description: description.to_owned(),
        kind,
    })
}

/// Checks `given` (name, value) pairs against the parameters `q` declares and converts each
/// value to a term of its kind. Every given name must be declared ([`QueryError::UnknownParam`])
/// and every declared, non-optional parameter given ([`QueryError::MissingParam`]); a later
/// pair overrides an earlier one with the same name. Names may carry a leading `?`.
pub fn bind_params(q: &NamedQuery, given: &[(String, String)]) -> Result<Vec<(String, Term)>, QueryError> {
    let mut bound: Vec<(String, Term)> = Vec::new();
    for (name, value) in given {
        let name = name.trim_start_matches(['?', '$']);
        let param = q.param(name).ok_or_else(|| QueryError::UnknownParam {
            query: q.name.clone(),
            param: name.to_owned(),
            declared: q.params.iter().map(|p| p.name.clone()).collect(),
        })?;
        let term = param.kind.to_term(value).map_err(|reason| QueryError::InvalidParam {
            param: name.to_owned(),
            value: value.clone(),
            reason,
        })?;
        bound.retain(|(n, _)| n != name);
        bound.push((name.to_owned(), term));
    }
    if let Some(missing) = q
        .params
        .iter()
        .find(|p| !p.is_optional() && !bound.iter().any(|(n, _)| *n == p.name))
    {
        return Err(QueryError::MissingParam {
            query: q.name.clone(),
            param: missing.name.clone(),
        });
    }
    Ok(bound)
}

/// How a query is evaluated: dataset override, time limit, size limit. The default (no
/// limits, union default graph) is what the command line uses.
#[derive(Clone, Debug, Default)]
pub struct EvalOptions {
    /// Cancel evaluation after this long ([`QueryError::Timeout`]).
    pub timeout: Option<Duration>,
    /// Refuse answers with more solutions or triples than this
    /// ([`QueryError::TooManyResults`]); results are counted while they are collected, so a
    /// huge answer is never held in memory.
    pub max_results: Option<usize>,
    /// SPARQL Protocol `default-graph-uri`/`named-graph-uri`: when either list is non-empty it
    /// replaces the dataset (also a query's own `FROM`): the default graph is the merge of
    /// `default_graphs` (empty if none given) and the named graphs are `named_graphs`.
    pub default_graphs: Vec<NamedNode>,
    /// See [`EvalOptions::default_graphs`].
    pub named_graphs: Vec<NamedNode>,
    /// Evaluate `SERVICE` patterns by calling the remote endpoint with this timeout per call
    /// ([`crate::service::HttpServiceHandler`]); `None` leaves federation off.
    pub service_timeout: Option<Duration>,
    /// Base IRI that relative IRIs of the query are resolved against when the query has no
    /// `BASE` of its own (the SPARQL endpoint's URL, as the protocol says); without one a
    /// relative IRI is a syntax error.
    pub base_iri: Option<String>,
}

/// A fully evaluated answer, ready to be written in any fitting [`OutputFormat`].
#[derive(Debug)]
pub enum Answer {
    /// `SELECT`: the projected variables and the solutions.
    Solutions {
        /// Projected variables, in order.
        variables: Vec<Variable>,
        /// The solutions.
        rows: Vec<QuerySolution>,
    },
    /// `ASK`.
    Boolean(bool),
    /// `CONSTRUCT`/`DESCRIBE`.
    Graph(Vec<Triple>),
}

impl Answer {
    /// Number of solutions, of triples, or for `ASK` 1 (true) or 0 (false).
    pub fn len(&self) -> usize {
        match self {
            Self::Solutions { rows, .. } => rows.len(),
            Self::Boolean(value) => usize::from(*value),
            Self::Graph(triples) => triples.len(),
        }
    }

    /// True for an empty answer (no solutions, no triples, or `ASK` false).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True for `CONSTRUCT`/`DESCRIBE` answers, which are written as RDF (turtle, ntriples).
    pub fn is_graph(&self) -> bool {
        matches!(self, Self::Graph(_))
    }
}

/// Cancels a [`CancellationToken`] when its time is up, unless dropped first (one short-lived
/// thread per evaluation that has a time limit).
pub struct Watchdog {
    _stop: mpsc::Sender<()>,
}

impl Watchdog {
    pub fn start(timeout: Duration, token: CancellationToken) -> Self {
        let (stop, wait) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(timeout) {
                token.cancel();
            }
        });
        Self { _stop: stop }
    }
}

/// Parses `sparql` with the well-known prefixes predeclared, sets the union default graph
/// (unless the query has `FROM`/`FROM NAMED`, or `options` gives a protocol dataset) and
/// substitutes the bindings.
fn prepare(
    evaluator: SparqlEvaluator,
    sparql: &str,
    bindings: &[(String, Term)],
    options: &EvalOptions,
) -> Result<PreparedSparqlQuery, QueryError> {
    let evaluator = match options.service_timeout {
        Some(timeout) => evaluator.with_default_service_handler(crate::service::HttpServiceHandler { timeout }),
        None => evaluator,
    };
    let evaluator = match &options.base_iri {
        Some(base) => evaluator
            .with_base_iri(base.as_str())
            .map_err(|e| QueryError::Format(format!("bad base IRI <{base}>: {e}")))?,
        None => evaluator,
    };
    let mut prepared = with_prefixes(evaluator)?.parse_query(sparql)?;
    if !options.default_graphs.is_empty() || !options.named_graphs.is_empty() {
        let dataset = prepared.dataset_mut();
        dataset.set_default_graph(
            options
                .default_graphs
                .iter()
                .cloned()
                .map(GraphName::NamedNode)
                .collect(),
        );
        dataset.set_available_named_graphs(
            options
                .named_graphs
                .iter()
                .cloned()
                .map(NamedOrBlankNode::NamedNode)
                .collect(),
        );
    } else if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    for (name, term) in bindings {
        let variable = Variable::new(name.trim_start_matches(['?', '$'])).map_err(|e| QueryError::InvalidParam {
            param: name.clone(),
            value: term.to_string(),
            reason: format!("not a valid SPARQL variable name ({e})"),
        })?;
        prepared = prepared.substitute_variable(variable, term.clone());
    }
    Ok(prepared)
}

/// `evaluator` with the well-known [`PREFIXES`] predeclared (queries and updates).
pub fn with_prefixes(evaluator: SparqlEvaluator) -> Result<SparqlEvaluator, QueryError> {
    let mut evaluator = evaluator;
    for (prefix, ns) in PREFIXES {
        evaluator = evaluator
            .with_prefix(*prefix, *ns)
            .map_err(|e| QueryError::Format(format!("bad built-in prefix {prefix}: {e}")))?;
    }
    Ok(evaluator)
}

/// Collects at most `max` items (all when `None`), failing with
/// [`QueryError::TooManyResults`] as soon as one more arrives.
fn collect_limited<T>(
    items: impl Iterator<Item = Result<T, QueryEvaluationError>>,
    max: Option<usize>,
) -> Result<Vec<T>, QueryError> {
    let mut out = Vec::new();
    for item in items {
        if let Some(max) = max.filter(|&m| out.len() >= m) {
            return Err(QueryError::TooManyResults(max));
        }
        out.push(item?);
    }
    Ok(out)
}

/// Evaluates `sparql` on `store` with `bindings` substituted for their variables (see the
/// module documentation) and collects the whole answer, within the limits of `options`.
///
/// With a timeout, a watchdog thread cancels the evaluation through Oxigraph's
/// [`CancellationToken`] (checked while the store is read), and the error is
/// [`QueryError::Timeout`]: a caller never sees a partial answer.
pub fn evaluate(
    store: &Store,
    sparql: &str,
    bindings: &[(String, Term)],
    options: &EvalOptions,
) -> Result<Answer, QueryError> {
    let token = CancellationToken::new();
    let evaluator = SparqlEvaluator::new().with_cancellation_token(token.clone());
    let prepared = prepare(evaluator, sparql, bindings, options)?;
    let _watchdog = options.timeout.map(|timeout| Watchdog::start(timeout, token.clone()));
    let answer = (|| {
        Ok(match prepared.on_store(store).execute()? {
            QueryResults::Solutions(solutions) => {
                let variables = solutions.variables().to_vec();
                let rows = collect_limited(solutions, options.max_results)?;
                Answer::Solutions { variables, rows }
            }
            QueryResults::Boolean(value) => Answer::Boolean(value),
            QueryResults::Graph(triples) => Answer::Graph(collect_limited(triples, options.max_results)?),
        })
    })();
    match answer {
        Err(QueryError::Eval(QueryEvaluationError::Cancelled)) if token.is_cancelled() => {
            Err(QueryError::Timeout(options.timeout.unwrap_or_default()))
        }
        other => other,
    }
}

/// Writes an evaluated answer in `format` and returns its [`Answer::len`].
///
/// `SELECT` answers go to any of table/csv/tsv/json/xml; `ASK` likewise (a table is just
/// `true`/`false`); `CONSTRUCT`/`DESCRIBE` answers go to turtle or ntriples, with `table`
/// meaning Turtle. Other combinations are a [`QueryError::Format`], raised before anything is
/// written.
pub fn write_answer(answer: &Answer, format: OutputFormat, out: &mut dyn Write) -> Result<usize, QueryError> {
    let mut out = BufWriter::new(out);
    match answer {
        Answer::Solutions { variables, rows } => {
            write_solutions(variables, rows, format, &mut out)?;
        }
        Answer::Boolean(value) => write_boolean(*value, format, &mut out)?,
        Answer::Graph(triples) => {
            let rdf_format = match format {
                OutputFormat::Table | OutputFormat::Turtle => RdfFormat::Turtle,
                OutputFormat::NTriples => RdfFormat::NTriples,
                other => {
                    return Err(QueryError::Format(format!(
                        "CONSTRUCT/DESCRIBE queries return RDF triples, which cannot be written \
                         as {other}; use turtle or ntriples (csv, tsv, json and xml are for \
                         SELECT and ASK answers)"
                    )))
                }
            };
            write_graph(triples, rdf_format, &mut out).map_err(QueryError::Output)?;
        }
    }
    out.flush().map_err(QueryError::Output)?;
    Ok(answer.len())
}

/// Runs `sparql` on `store` with `bindings` substituted for their variables (see the module
/// documentation) and writes the answer to `out` in `format` (see [`write_answer`]): no
/// limits, default graph = union of the named graphs. Returns the number of solutions, of
/// triples, or for `ASK` 1 (true) or 0 (false).
pub fn run(
    store: &Store,
    sparql: &str,
    bindings: &[(String, Term)],
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<usize, QueryError> {
    run_with(store, sparql, bindings, &EvalOptions::default(), format, out)
}

/// [`run`] with explicit [`EvalOptions`] (e.g. federation on).
pub fn run_with(
    store: &Store,
    sparql: &str,
    bindings: &[(String, Term)],
    options: &EvalOptions,
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<usize, QueryError> {
    let answer = evaluate(store, sparql, bindings, options)?;
    write_answer(&answer, format, out)
}

/// [`run`] into a string.
pub fn run_to_string(
    store: &Store,
    sparql: &str,
    bindings: &[(String, Term)],
    format: OutputFormat,
) -> Result<String, QueryError> {
    let mut buf = Vec::new();
    run(store, sparql, bindings, format, &mut buf)?;
    String::from_utf8(buf).map_err(|e| QueryError::Format(format!("output is not UTF-8: {e}")))
}

/// Binds `given` with [`bind_params`] and [`run`]s the named query `q`.
pub fn run_named(
    store: &Store,
    q: &NamedQuery,
    given: &[(String, String)],
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<usize, QueryError> {
    let bindings = bind_params(q, given)?;
    run(store, &fill_values(store, q, &bindings)?, &bindings, format, out)
}

/// Checks a named query without data: it parses, and every declared parameter can be
/// substituted (for `SELECT`, the variable is projected). Runs on an empty in-memory store.
pub fn validate(q: &NamedQuery) -> Result<(), QueryError> {
    let bindings = q
        .params
        .iter()
        .map(|p| {
            let sample = match p.kind {
                ParamKind::Iri => "https://w3id.org/policykg/ont#Sample",
                ParamKind::Int | ParamKind::Year => "2024",
                ParamKind::Literal | ParamKind::Zh | ParamKind::Org => "示例",
            };
            let term = p.kind.to_term(sample).map_err(|reason| QueryError::InvalidParam {
                param: p.name.clone(),
                value: sample.to_owned(),
                reason,
            })?;
            Ok((p.name.clone(), term))
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    let store = Store::new().map_err(|e| QueryError::Eval(QueryEvaluationError::Dataset(Box::new(e))))?;
    // Substitution errors surface when execution starts; the (empty) answer is dropped.
    prepare(SparqlEvaluator::new(), &q.text, &bindings, &EvalOptions::default())?
        .on_store(&store)
        .execute()?;
    Ok(())
}

fn write_solutions(
    variables: &[Variable],
    rows: &[QuerySolution],
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    if let Some(results_format) = format.results_format() {
        let mut serializer = QueryResultsSerializer::from_format(results_format)
            .serialize_solutions_to_writer(&mut *out, variables.to_vec())
            .map_err(QueryError::Output)?;
        for row in rows {
            serializer.serialize(row).map_err(QueryError::Output)?;
        }
        serializer.finish().map_err(QueryError::Output)?;
        end_document(format, out)
    } else if format == OutputFormat::Table {
        write_table(variables, rows, out).map_err(QueryError::Output)
    } else {
        Err(QueryError::Format(format!(
            "SELECT queries return a table of solutions, which cannot be written as {format}; \
             use table, csv, tsv, json or xml (turtle and ntriples are for CONSTRUCT/DESCRIBE)"
        )))
    }
}

fn write_boolean(value: bool, format: OutputFormat, out: &mut dyn Write) -> Result<(), QueryError> {
    if let Some(results_format) = format.results_format() {
        QueryResultsSerializer::from_format(results_format)
            .serialize_boolean_to_writer(&mut *out, value)
            .map_err(QueryError::Output)?;
        if matches!(format, OutputFormat::Csv | OutputFormat::Tsv) {
            writeln!(out).map_err(QueryError::Output)?;
        }
        end_document(format, out)
    } else if format == OutputFormat::Table {
        writeln!(out, "{value}").map_err(QueryError::Output)
    } else {
        Err(QueryError::Format(format!(
            "ASK queries return true or false, which cannot be written as {format}; \
             use table, csv, tsv, json or xml"
        )))
    }
}

/// JSON and XML serializers end without a newline; add one for terminals and pipes.
fn end_document(format: OutputFormat, out: &mut dyn Write) -> Result<(), QueryError> {
    if matches!(format, OutputFormat::Json | OutputFormat::Xml) {
        writeln!(out).map_err(QueryError::Output)?;
    }
    Ok(())
}

fn write_graph(triples: &[Triple], format: RdfFormat, out: &mut dyn Write) -> io::Result<()> {
    write_graph_with_prefixes(triples, format, &[], out)
}

/// Writes `triples` in any RDF `format` (Turtle, N-Triples, RDF/XML, JSON-LD…). Turtle
/// declares the prefixes of [`PREFIXES`] and `extra` that the triples use.
pub fn write_graph_with_prefixes(
    triples: &[Triple],
    format: RdfFormat,
    extra: &[(&str, &str)],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut serializer = RdfSerializer::from_format(format);
    if format == RdfFormat::Turtle {
        // Declare only the prefixes the answer uses.
        for (prefix, ns) in PREFIXES.iter().chain(extra) {
            let used = triples.iter().any(|t| {
                matches!(&t.subject, NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with(ns))
                    || t.predicate.as_str().starts_with(ns)
                    || matches!(&t.object, Term::NamedNode(n) if n.as_str().starts_with(ns))
                    || matches!(&t.object, Term::Literal(l) if l.datatype().as_str().starts_with(ns))
            });
            if used {
                serializer = serializer
                    .with_prefix(*prefix, *ns)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            }
        }
    }
    let mut writer = serializer.for_writer(out);
    for triple in triples {
        writer.serialize_triple(triple)?;
    }
    writer.finish()?;
    Ok(())
}

/// A term as people read it: literal values bare, IRIs shortened with [`PREFIXES`] or in
/// `<…>`, blank nodes as `_:id`.
pub fn display_term(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => display_iri(n.as_str()),
        Term::BlankNode(b) => b.to_string(),
        #[allow(unreachable_patterns)] // RDF 1.2 triple terms, if the feature is enabled
        _ => term.to_string(),
    }
}

/// An IRI as a prefixed name when a well-known prefix fits, else `<iri>`.
pub fn display_iri(iri: &str) -> String {
    for (prefix, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns) {
            let plain = local
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
                && !local.ends_with('.')
                && !local.starts_with(['-', '.']);
            if plain {
                return format!("{prefix}:{local}");
            }
        }
    }
    format!("<{iri}>")
}

fn is_numeric(term: &Term) -> bool {
    match term {
        Term::Literal(l) => {
            let dt = l.datatype();
            dt == xsd::INTEGER
                || dt == xsd::DECIMAL
                || dt == xsd::DOUBLE
                || dt == xsd::FLOAT
                || dt == xsd::INT
                || dt == xsd::LONG
                || dt == xsd::NON_NEGATIVE_INTEGER
                || dt == xsd::POSITIVE_INTEGER
        }
        _ => false,
    }
}

/// Writes an aligned [`Table`]: header, rule, one line per solution (unbound cells empty),
/// then `N rows`; numeric literals right-aligned. Cells wider than [`TABLE_CELL_MAX_WIDTH`]
/// are shortened with `…` (use csv, tsv or json for the full values).
fn write_table(variables: &[Variable], rows: &[QuerySolution], out: &mut dyn Write) -> io::Result<()> {
    let names: Vec<&str> = variables.iter().map(Variable::as_str).collect();
    let mut table = Table::new("", &names);
    table.right = vec![true; variables.len()];
    for row in rows {
        let cells = variables.iter().enumerate().map(|(i, v)| match row.get(v) {
            Some(term) => {
                table.right[i] &= is_numeric(term);
                let text = one_line(&display_term(term));
                match term {
                    Term::NamedNode(_) => shorten_tail(&text, TABLE_CELL_MAX_WIDTH),
                    _ => shorten(&text, TABLE_CELL_MAX_WIDTH),
                }
            }
            None => String::new(),
        });
        let cells = cells.collect();
        table.rows.push(cells);
    }
    if rows.is_empty() {
        table.right = vec![false; variables.len()];
    }
    table.notes.push(match rows.len() {
        1 => "1 row".to_owned(),
        n => format!("{n} rows"),
    });
    out.write_all(table.render().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;
    use oxigraph::io::RdfParser;
    use oxigraph::model::{GraphName, NamedNode, Quad};
    use oxigraph::sparql::results::{QueryResultsParser, SliceQueryResultsParserOutput};

    const EX: &str = "https://w3id.org/policykg/id/";

    fn iri(local: &str) -> NamedNode {
        NamedNode::new(format!("{EX}{local}")).unwrap()
    }

    fn pkg(local: &str) -> NamedNode {
        NamedNode::new(format!("{PKG_NS}{local}")).unwrap()
    }

    /// Two tasks in document graph doc1, one in doc2, nothing in the default graph.
    fn sample_store() -> Store {
        let store = Store::new().unwrap();
        let g1 = GraphName::NamedNode(iri("doc1"));
        let g2 = GraphName::NamedNode(iri("doc2"));
        let quads = [
            Quad::new(
                iri("t1"),
                pkg("leadOrgName"),
                Literal::new_simple_literal("市发改委"),
                g1.clone(),
            ),
            Quad::new(
                iri("t1"),
                pkg("title"),
                Literal::new_simple_literal("推进重点项目建设"),
                g1.clone(),
            ),
            Quad::new(iri("t1"), pkg("year"), Literal::from(2024), g1.clone()),
            Quad::new(
                iri("t2"),
                pkg("leadOrgName"),
                Literal::new_simple_literal("市住房城乡建设局"),
                g1.clone(),
            ),
            Quad::new(
                iri("t2"),
                pkg("title"),
                Literal::new_simple_literal("老旧小区改造"),
                g1.clone(),
            ),
            Quad::new(iri("t2"), pkg("year"), Literal::from(2023), g1),
            Quad::new(
                iri("t3"),
                pkg("leadOrgName"),
                Literal::new_simple_literal("市教育局"),
                g2.clone(),
            ),
            Quad::new(
                iri("t3"),
                pkg("title"),
                Literal::new_language_tagged_literal("新建学校", "zh").unwrap(),
                g2,
            ),
        ];
        for q in &quads {
            store.insert(q).unwrap();
        }
        store
    }

    const TASKS: &str =
        "SELECT ?task ?org ?title WHERE { ?task pkg:leadOrgName ?org ; pkg:title ?title } ORDER BY ?task";

    fn parsed_solutions(format: QueryResultsFormat, bytes: &[u8]) -> Vec<QuerySolution> {
        match QueryResultsParser::from_format(format).for_slice(bytes).unwrap() {
            SliceQueryResultsParserOutput::Solutions(s) => s.collect::<Result<_, _>>().unwrap(),
            SliceQueryResultsParserOutput::Boolean(_) => panic!("expected solutions"),
        }
    }

    #[test]
    fn table_aligns_cjk_by_display_width() {
        let store = sample_store();
        let text = run_to_string(&store, TASKS, &[], OutputFormat::Table).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2 + 3 + 1, "{text}");
        assert_eq!(lines.last(), Some(&"3 rows"));
        let table = &lines[..lines.len() - 1];
        let width = table[0].width();
        for l in table {
            assert_eq!(l.width(), width, "misaligned line {l:?} in\n{text}");
        }
        assert!(lines[0].starts_with("task "), "{text}");
        assert!(lines[1].chars().all(|c| c == '-' || c == '+'), "{text}");
        assert!(text.contains("<https://w3id.org/policykg/id/t1>"), "{text}");
        assert!(text.contains("市住房城乡建设局"));
        // Column separators line up: the `|` of every row sits at the same display column.
        let bar_col = |l: &str| l.split(" | ").next().map(UnicodeWidthStr::width);
        assert!(table[2..].iter().all(|l| bar_col(l) == bar_col(table[0])));
    }

    #[test]
    fn table_shows_prefixed_names_numbers_and_one_row() {
        let store = sample_store();
        let q = "SELECT ?p ?y WHERE { ?t ?p ?y FILTER(isNumeric(?y)) } ORDER BY ?y";
        let text = run_to_string(&store, q, &[], OutputFormat::Table).unwrap();
        assert!(text.contains("pkg:year"), "{text}");
        assert!(text.ends_with("2 rows\n"));
        let q1 = "SELECT ?n WHERE { BIND(7 AS ?n) }";
        let text = run_to_string(&store, q1, &[], OutputFormat::Table).unwrap();
        assert_eq!(text, "n\n-\n7\n1 row\n");
    }

    #[test]
    fn table_keeps_cells_on_one_line() {
        let store = Store::new().unwrap();
        let q = r#"SELECT ?a ?b WHERE { BIND("第一行\n第二行" AS ?a) }"#;
        let text = run_to_string(&store, q, &[], OutputFormat::Table).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(text.contains("第一行\\n第二行"));
    }

    #[test]
    fn csv_and_tsv_hold_the_values() {
        let store = sample_store();
        let csv = run_to_string(&store, TASKS, &[], OutputFormat::Csv).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("task,org,title"));
        assert_eq!(
            lines.next(),
            Some("https://w3id.org/policykg/id/t1,市发改委,推进重点项目建设")
        );
        assert_eq!(csv.lines().count(), 4);

        let tsv = run_to_string(&store, TASKS, &[], OutputFormat::Tsv).unwrap();
        assert!(tsv.starts_with("?task\t?org\t?title\n"), "{tsv}");
        let rows = parsed_solutions(QueryResultsFormat::Tsv, tsv.as_bytes());
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0].get("org"),
            Some(&Literal::new_simple_literal("市发改委").into())
        );
        assert_eq!(
            rows[2].get("title"),
            Some(&Literal::new_language_tagged_literal("新建学校", "zh").unwrap().into())
        );
    }

    #[test]
    fn json_and_xml_round_trip() {
        let store = sample_store();
        let json = run_to_string(&store, TASKS, &[], OutputFormat::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["head"]["vars"], serde_json::json!(["task", "org", "title"]));
        let bindings = v["results"]["bindings"].as_array().unwrap();
        assert_eq!(bindings.len(), 3);
        assert_eq!(bindings[0]["org"]["value"], "市发改委");
        assert_eq!(bindings[0]["task"]["type"], "uri");
        assert_eq!(bindings[2]["title"]["xml:lang"], "zh");

        let xml = run_to_string(&store, TASKS, &[], OutputFormat::Xml).unwrap();
        assert!(xml.starts_with("<?xml"));
        let rows = parsed_solutions(QueryResultsFormat::Xml, xml.as_bytes());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].get("task"), Some(&iri("t2").into()));
        assert_eq!(
            rows[1].get("org"),
            Some(&Literal::new_simple_literal("市住房城乡建设局").into())
        );
    }

    #[test]
    fn ask_in_every_result_format() {
        let store = sample_store();
        let ask = "ASK { ?t pkg:leadOrgName \"市发改委\" }";
        assert_eq!(run_to_string(&store, ask, &[], OutputFormat::Table).unwrap(), "true\n");
        let json = run_to_string(&store, ask, &[], OutputFormat::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["boolean"], true);
        let mut out = Vec::new();
        let n = run(&store, "ASK { ?t pkg:nope ?o }", &[], OutputFormat::Xml, &mut out).unwrap();
        assert_eq!(n, 0);
        assert!(String::from_utf8(out).unwrap().contains("<boolean>false</boolean>"));
        assert!(matches!(
            run_to_string(&store, ask, &[], OutputFormat::Turtle),
            Err(QueryError::Format(_))
        ));
    }

    #[test]
    fn default_graph_is_union_of_named_graphs() {
        let store = sample_store();
        let mut out = Vec::new();
        let n = run(
            &store,
            "SELECT * WHERE { ?s pkg:title ?t }",
            &[],
            OutputFormat::Csv,
            &mut out,
        )
        .unwrap();
        assert_eq!(n, 3, "tasks from both document graphs");
        // GRAPH still sees the individual documents.
        let q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s pkg:title ?t } } GROUP BY ?g ORDER BY ?g";
        let text = run_to_string(&store, q, &[], OutputFormat::Csv).unwrap();
        assert!(text.contains("https://w3id.org/policykg/id/doc1,2"), "{text}");
        assert!(text.contains("https://w3id.org/policykg/id/doc2,1"), "{text}");
        // An explicit FROM keeps its own dataset.
        let from = format!("SELECT ?s FROM <{EX}doc2> WHERE {{ ?s pkg:title ?t }}");
        let mut out = Vec::new();
        assert_eq!(run(&store, &from, &[], OutputFormat::Csv, &mut out).unwrap(), 1);
    }

    #[test]
    fn parse_errors_keep_the_parser_message() {
        let store = Store::new().unwrap();
        let bad = "SELECT ?x WHERE { ?x ?p }";
        let parser_message = SparqlEvaluator::new().parse_query(bad).err().unwrap().to_string();
        let err = run_to_string(&store, bad, &[], OutputFormat::Table).unwrap_err();
        assert!(matches!(err, QueryError::Parse(_)), "{err:?}");
        assert!(!parser_message.is_empty());
        assert!(err.to_string().contains(&parser_message), "{err} vs {parser_message}");
    }

    #[test]
    fn construct_to_turtle_and_ntriples() {
        let store = sample_store();
        let q = "CONSTRUCT { ?t rdfs:label ?title } WHERE { ?t pkg:title ?title ; pkg:year ?y }";
        let mut out = Vec::new();
        let n = run(&store, q, &[], OutputFormat::Table, &mut out).unwrap();
        assert_eq!(n, 2);
        let ttl = String::from_utf8(out).unwrap();
        assert!(ttl.contains("@prefix rdfs:"), "{ttl}");
        assert!(!ttl.contains("@prefix pkg:"), "unused prefix declared:\n{ttl}");
        assert!(ttl.contains("rdfs:label"), "{ttl}");
        let parsed: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(ttl.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(parsed
            .iter()
            .any(|q| q.object == Literal::new_simple_literal("推进重点项目建设").into()));

        let nt = run_to_string(&store, q, &[], OutputFormat::NTriples).unwrap();
        assert_eq!(nt.lines().count(), 2);
        assert!(nt.contains("<http://www.w3.org/2000/01/rdf-schema#label> \"老旧小区改造\""));

        let err = run_to_string(&store, q, &[], OutputFormat::Csv).unwrap_err();
        assert!(matches!(&err, QueryError::Format(m) if m.contains("turtle")), "{err}");
        let err = run_to_string(&store, TASKS, &[], OutputFormat::Turtle).unwrap_err();
        assert!(matches!(err, QueryError::Format(_)));
    }

    const BY_ORG: &str = "# Tasks led by one organisation.\n\
        # Matches the lead organisation's name exactly.\n\
        # @param org literal 牵头单位名称\n\
        # @param year year 年份 (optional)\n\
        \n\
        SELECT ?org ?year ?task WHERE { ?task pkg:leadOrgName ?org ; pkg:year ?year }\n\
        # not part of the header\n";

    #[test]
    fn header_is_parsed() {
        let q = parse_header("by-org", BY_ORG);
        assert_eq!(q.name, "by-org");
        assert_eq!(
            q.description,
            "Tasks led by one organisation. Matches the lead organisation's name exactly."
        );
        assert_eq!(q.params.len(), 2);
        assert_eq!(q.params[0].name, "org");
        assert_eq!(q.params[0].kind, ParamKind::Literal);
        assert_eq!(q.params[0].description, "牵头单位名称");
        assert!(!q.params[0].is_optional());
        assert_eq!(q.params[1].kind, ParamKind::Year);
        assert!(q.params[1].is_optional());
        assert_eq!(q.text, BY_ORG);

        let q = parse_header("x", "# @param ?who 负责人\n# @param doc iri 文件\nASK {}");
        assert_eq!(q.params[0].name, "who");
        assert_eq!(q.params[0].kind, ParamKind::Literal);
        assert_eq!(q.params[0].description, "负责人");
        assert_eq!(q.params[1].kind, ParamKind::Iri);
        assert_eq!(q.description, "");
    }

    #[test]
    fn params_are_checked_and_typed() {
        let q = parse_header("by-org", BY_ORG);
        let given = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
        };
        let b = bind_params(&q, &given(&[("org", "市发改委")])).unwrap();
        assert_eq!(
            b,
            vec![("org".to_owned(), Literal::new_simple_literal("市发改委").into())]
        );
        let b = bind_params(&q, &given(&[("org", "x"), ("year", "2024年")])).unwrap();
        assert_eq!(b[1].1, Literal::from(2024).into());
        assert!(matches!(
            bind_params(&q, &given(&[("year", "2024")])),
            Err(QueryError::MissingParam { param, .. }) if param == "org"
        ));
        assert!(matches!(
            bind_params(&q, &given(&[("org", "x"), ("orgs", "y")])),
            Err(QueryError::UnknownParam { param, declared, .. }) if param == "orgs" && declared == ["org", "year"]
        ));
        assert!(matches!(
            bind_params(&q, &given(&[("org", "x"), ("year", "24")])),
            Err(QueryError::InvalidParam { .. })
        ));
        assert_eq!(ParamKind::Iri.to_term("pkg:Task").unwrap(), pkg("Task").into());
        assert_eq!(
            ParamKind::Iri.to_term("<https://example.org/a>").unwrap(),
            NamedNode::new("https://example.org/a").unwrap().into()
        );
        assert!(ParamKind::Iri.to_term("not an iri").is_err());
        assert_eq!(
            ParamKind::Zh.to_term("市发改委").unwrap(),
            Literal::new_language_tagged_literal("市发改委", "zh").unwrap().into()
        );
        assert_eq!(ParamKind::Int.to_term(" 42 ").unwrap(), Literal::from(42).into());
        assert!(ParamKind::Int.to_term("四十二").is_err());
    }

    #[test]
    fn named_query_runs_with_bound_params() {
        let store = sample_store();
        let q = parse_header("by-org", BY_ORG);
        let given = vec![("org".to_owned(), "市发改委".to_owned())];
        let mut out = Vec::new();
        assert_eq!(run_named(&store, &q, &given, OutputFormat::Csv, &mut out).unwrap(), 1);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("市发改委,2024,https://w3id.org/policykg/id/t1"), "{text}");
        // An optional parameter narrows the answer when given.
        let given = vec![
            ("org".to_owned(), "市发改委".to_owned()),
            ("year".to_owned(), "2023".to_owned()),
        ];
        let mut out = Vec::new();
        assert_eq!(run_named(&store, &q, &given, OutputFormat::Csv, &mut out).unwrap(), 0);
        let given = vec![
            ("org".to_owned(), "市发改委".to_owned()),
            ("year".to_owned(), "2024".to_owned()),
        ];
        let mut out = Vec::new();
        assert_eq!(run_named(&store, &q, &given, OutputFormat::Csv, &mut out).unwrap(), 1);
        validate(&q).unwrap();
    }

    #[test]
    fn injection_is_bound_as_a_literal() {
        let store = sample_store();
        let evil = r#"" } ; DROP ALL #"#;
        let q = parse_header("by-org", BY_ORG);
        let given = vec![("org".to_owned(), evil.to_owned())];
        let mut out = Vec::new();
        assert_eq!(run_named(&store, &q, &given, OutputFormat::Json, &mut out).unwrap(), 0);
        assert_eq!(store.len().unwrap(), 8, "store untouched");

        // A literal with exactly those characters is matched, and nothing else.
        let g = GraphName::NamedNode(iri("doc3"));
        store
            .insert(&Quad::new(
                iri("t9"),
                pkg("leadOrgName"),
                Literal::new_simple_literal(evil),
                g.clone(),
            ))
            .unwrap();
        store
            .insert(&Quad::new(iri("t9"), pkg("year"), Literal::from(2025), g))
            .unwrap();
        let text = run_to_string(&store, &q.text, &bind_params(&q, &given).unwrap(), OutputFormat::Tsv).unwrap();
        let rows = parsed_solutions(QueryResultsFormat::Tsv, text.as_bytes());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get("task"), Some(&iri("t9").into()));
        assert_eq!(rows[0].get("org"), Some(&Literal::new_simple_literal(evil).into()));
    }

    #[test]
    fn unprojected_param_is_reported() {
        let q = parse_header(
            "bad",
            "# @param org literal 单位\nSELECT ?task WHERE { ?task pkg:leadOrgName ?org }",
        );
        assert!(matches!(validate(&q), Err(QueryError::Eval(_))));
        let q = parse_header("bad", "# @param org literal 单位\nSELECT ?task WHERE {");
        assert!(matches!(validate(&q), Err(QueryError::Parse(_))));
    }

    #[test]
    fn the_embedded_library_is_the_checkouts_queries() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("queries");
        let on_disk = load_library(&dir).expect("queries/ loads");
        let embedded = embedded_library();
        assert!(embedded.len() >= 10);
        let key = |q: &NamedQuery| (q.name.clone(), q.text.clone());
        assert_eq!(
            on_disk.iter().map(key).collect::<Vec<_>>(),
            embedded.iter().map(key).collect::<Vec<_>>()
        );
        let other = std::env::temp_dir().join(format!("policykg-no-queries-{}", std::process::id()));
        assert_eq!(library(&other).expect("falls back").len(), embedded.len());
    }

    #[test]
    fn library_loads_sorted_and_finds_by_name() {
        let dir = std::env::temp_dir().join(format!("policykg-query-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("b-second.rq"), "# Second\nASK {}").unwrap();
        std::fs::write(dir.join("a-first.rq"), BY_ORG).unwrap();
        std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
        let lib = load_library(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let names: Vec<&str> = lib.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["a-first", "b-second"]);
        assert_eq!(find(&lib, "b-second").unwrap().description, "Second");
        assert!(matches!(
            find(&lib, "c"),
            Err(QueryError::UnknownQuery { available, .. }) if available == ["a-first", "b-second"]
        ));
        assert!(matches!(
            load_library(Path::new("/nonexistent/policykg/queries")),
            Err(QueryError::Io { .. })
        ));
    }

    #[test]
    fn project_library_queries_validate() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("queries");
        if !dir.is_dir() {
            return;
        }
        for q in load_library(&dir).unwrap() {
            assert!(!q.description.is_empty(), "{} has no description", q.name);
            if let Err(e) = validate(&q) {
                panic!("queries/{}.rq: {e}", q.name);
            }
        }
    }

    #[test]
    fn output_format_names_round_trip() {
        for f in OutputFormat::ALL {
            assert_eq!(f.to_string().parse::<OutputFormat>(), Ok(f));
        }
        assert_eq!("TTL".parse::<OutputFormat>(), Ok(OutputFormat::Turtle));
        assert!("yaml".parse::<OutputFormat>().unwrap_err().contains("table, csv"));
    }
}
