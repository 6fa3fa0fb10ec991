//! Command-line interface: clap types and one function per subcommand. Library calls only;
//! errors are `anyhow` with context naming files and stores.

use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};
use policykg::extract::Extraction;
use policykg::facts::{Fact, Relation};
use policykg::lexicon::Lexicon;
use policykg::resolve::Gazetteer;
use policykg::store::KgStore;
use policykg::table::{shorten, Table};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Build a knowledge graph of who must do what from Chinese government documents.
#[derive(Parser, Debug)]
#[command(name = "policykg", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Directory with lexicon tables overriding the built-in ones (same layout as ontology/).
    #[arg(long, global = true, value_name = "DIR")]
    pub lexicon: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Extract facts from documents and print them: a table, JSON Lines per the facts spec, or
    /// the N-Quads `build` would store.
    Extract {
        /// Files or directories (walked recursively: .txt, .html, .htm and extension-less files).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExtractFormat::Table)]
        format: ExtractFormat,
    },
    /// Extract facts and load them into an on-disk store, one named graph per document.
    Build {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Store directory.
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
        /// Remove documents from the store whose files are no longer among the inputs (files
        /// that exist but could not be read keep their stored graph).
        #[arg(long)]
        prune: bool,
        /// Extract every document again, even those stored from the same text, path, program
        /// version and lexicon (which are skipped otherwise).
        #[arg(long)]
        force: bool,
        /// Memory for the bulk loader's batches, in MB (batch size = MB × 1000 / cores quads);
        /// more means fewer, larger batches.
        #[arg(long, value_name = "MB", default_value_t = policykg::store::BULK_MEMORY_MB)]
        bulk_memory: usize,
    },
    /// Verify a store: Oxigraph's own consistency check, every task and fact tied to a
    /// document that is present, every fact with its evidence span. Exit 0 when consistent.
    Check {
        /// Store directory.
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
    },
    /// Run SPARQL on the store: a .rq file, a named query from queries/, or --query TEXT.
    Query {
        /// A .rq file or the name of a query in the library (see `policykg queries`).
        query: Option<String>,
        /// SPARQL text given inline.
        #[arg(long = "query", value_name = "TEXT", conflicts_with = "query")]
        text: Option<String>,
        /// Parameter of a named query, bound safely (`--param dept=市发改委`).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Store directory.
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
        /// Let `SERVICE` patterns call remote SPARQL endpoints (federated query, e.g.
        /// `wikidata-places`); off by default, so nothing leaves the machine.
        #[arg(long)]
        allow_service: bool,
        /// Seconds each SERVICE call may take.
        #[arg(long, default_value_t = 60, value_name = "S")]
        service_timeout: u64,
        /// Output format: table, csv, tsv, json, xml (SELECT/ASK); turtle, ntriples (CONSTRUCT).
        #[arg(long, default_value = "table")]
        format: String,
        /// Stop the query after this many seconds (exit 2). With this or --max-memory the query
        /// runs in a separate process that is killed at its limits; without, no limit.
        #[arg(long, value_name = "SECS")]
        timeout: Option<u64>,
        /// Stop the query when it needs more than this much memory, in MiB (exit 2).
        #[arg(long, value_name = "MIB")]
        max_memory: Option<u64>,
    },
    /// (internal) An evaluation process of `serve` and `query --timeout/--max-memory`: reads
    /// jobs on standard input, answers on standard output.
    #[command(name = "eval-worker", hide = true)]
    EvalWorker {
        /// Store directory (opened read-only).
        #[arg(long)]
        store: PathBuf,
        /// Address-space limit, in bytes.
        #[arg(long)]
        max_memory_bytes: Option<u64>,
        /// Scheduling niceness.
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        nice: i32,
    },
    /// List the named queries with what they answer and their parameters.
    Queries,
    /// Build the seed documents into the store and show a summary and one answer.
    Demo {
        /// Store directory.
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
        /// Directory of seed documents [default: seeds/ when the working directory has one,
        /// else the five seeds built into the binary].
        #[arg(long)]
        seeds: Option<PathBuf>,
    },
    /// Measure the whole pipeline on a synthetic corpus made from the seeds and dev documents:
    /// extract and build throughput, bulk-load comparison, query latency, peak memory.
    Bench {
        /// Number of documents to generate.
        #[arg(long, default_value_t = 2000)]
        docs: usize,
        /// Working directory for the corpus and stores (deleted and re-created).
        #[arg(long, default_value = "bench-out")]
        dir: PathBuf,
        /// Template documents (files or directories); default: seeds/ and tests/data/dev/ in a
        /// checkout, else the built-in seeds.
        #[arg(long = "template")]
        templates: Vec<PathBuf>,
        /// Runs per named query for the latency percentiles.
        #[arg(long, default_value_t = 30)]
        query_runs: usize,
        /// Memory for the build's bulk loader, in MB (as `build --bulk-memory`).
        #[arg(long, value_name = "MB", default_value_t = policykg::store::BULK_MEMORY_MB)]
        bulk_memory: usize,
    },
    /// Score extracted facts against gold JSONL files (precision, recall, F1 per relation).
    Eval {
        /// Directory of gold files `<doc>.jsonl`.
        #[arg(long, required = true)]
        gold: PathBuf,
        /// Documents to extract (files or directories), or a facts .jsonl file to score as is.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print the scores as JSON.
        #[arg(long)]
        json: bool,
        /// List misses and false hits (as the reference scorer prints them).
        #[arg(long)]
        show: bool,
        /// List misses and false hits grouped by relation, one short line each, with a miss
        /// and a false hit of the same task/person/partner paired as one wrong find.
        #[arg(long)]
        classes: bool,
    },
    /// Serve the store as a SPARQL 1.1 Protocol endpoint: /query (GET/POST), /update, /queries
    /// (the named queries). Read-only and loopback-only by default, with a per-query time limit,
    /// a result-size limit and bounded concurrency; SERVICE is refused unless --allow-service.
    Serve {
        /// Store directory (opened read-only unless --allow-update).
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
        /// Address to listen on; port 0 picks a free port (printed on stderr).
        #[arg(long, default_value = policykg::server::DEFAULT_BIND, value_name = "HOST:PORT")]
        bind: String,
        /// Longest evaluation of one query or update, in seconds; slower ones are cancelled (503).
        #[arg(long, default_value_t = 30, value_name = "SECS")]
        timeout: u64,
        /// Most solutions or triples in one answer; larger answers are refused (413).
        #[arg(long, default_value_t = 10_000, value_name = "N")]
        max_results: usize,
        /// Largest request body or query string, in bytes; larger requests are refused (413).
        #[arg(long, default_value_t = 1_048_576, value_name = "BYTES")]
        max_body: usize,
        /// Queries evaluated at the same time: evaluation processes (plus one for queries that
        /// read nothing from the store, such as ASK {}).
        #[arg(long, default_value_t = 2, value_name = "N")]
        threads: usize,
        /// Memory one evaluation process may use, in MiB (0: no limit); a query needing more is
        /// stopped with 507. All evaluations together use at most threads × this + 512 MiB.
        #[arg(long, default_value_t = policykg::server::pool::DEFAULT_MAX_MEMORY_MIB, value_name = "MIB")]
        max_memory: u64,
        /// Evaluate queries on threads of the serving process instead of worker processes: no
        /// memory limit, and a runaway query cannot be stopped (for measurements only).
        #[arg(long)]
        in_process: bool,
        /// Requests that may wait for an evaluation slot (at most --timeout); beyond that clients get 503 at once.
        #[arg(long, default_value_t = 16, value_name = "N")]
        queue: usize,
        /// Connections open at the same time (slow clients included); beyond that clients get 503 at once.
        #[arg(long, default_value_t = 128, value_name = "N")]
        max_connections: usize,
        /// Accept SPARQL Update at /update (opens the store read-write); needs --token.
        #[arg(long, requires = "token")]
        allow_update: bool,
        /// Secret that update requests must send as `Authorization: Bearer T`.
        #[arg(long, value_name = "T", requires = "allow_update")]
        token: Option<String>,
        /// Do not refuse queries that use SERVICE (this build cannot call remote endpoints, so they then fail with 501).
        #[arg(long)]
        allow_service: bool,
        /// Access-Control-Allow-Origin sent to browser clients.
        #[arg(long, default_value = "*", value_name = "ORIGIN")]
        cors_origin: String,
        /// Directory of named queries served at /queries (default: queries/).
        #[arg(long, value_name = "DIR")]
        queries: Option<PathBuf>,
    },
    /// Draw a diagram of the store with Graphviz: `doc` (org-task diagram of one document),
    /// `org` (one department's responsibility chain), `collab` (collaboration network, edge
    /// weight = tasks shared) or `coop` (cooperation map of places, regions and parks).
    /// SVG and PNG need Graphviz `dot` (or the program in $POLICYKG_DOT); DOT always works.
    Diagram {
        /// Which diagram.
        #[arg(value_enum)]
        kind: policykg::dot::DiagramKind,
        /// Document id, or a unique prefix of it (`003`): required for `doc`, narrows `collab` and `coop`.
        #[arg(long, value_name = "ID", group = "focus")]
        doc: Option<String>,
        /// Organisation, by any name it appears under (市发改委): required for `org`, narrows `collab`.
        #[arg(long, value_name = "NAME", group = "focus")]
        org: Option<String>,
        /// Place, region or park whose connected part of the `coop` map to draw (和县).
        #[arg(long, value_name = "NAME", group = "focus")]
        place: Option<String>,
        /// Output format; default: from the -o file's extension, else dot.
        #[arg(long, value_enum)]
        format: Option<policykg::dot::Format>,
        /// Output file (default: standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Store directory.
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
    },
    /// Write the store (or one document with the entities it names) as standard RDF:
    /// Turtle, N-Triples, RDF/XML (graphs merged) or N-Quads, TriG, JSON-LD (graphs kept);
    /// `--describe` writes the dataset's VoID/DCAT description instead.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormatArg::Turtle)]
        format: ExportFormatArg,
        /// Only this document (id or unique prefix), with the descriptions of the
        /// organisations and places it names.
        #[arg(long, value_name = "ID")]
        doc: Option<String>,
        /// Write the VoID/DCAT description (counts, licence, source documents) instead of the data.
        #[arg(long)]
        describe: bool,
        /// Licence IRI stated in the description. Default: CC0 (official documents of state
        /// organs are not protected by copyright in China, Copyright Law art. 5).
        #[arg(
            long,
            value_name = "IRI",
            default_value = "http://creativecommons.org/publicdomain/zero/1.0/"
        )]
        license: String,
        /// Output file (default: standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Store directory.
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
    },
    /// Send every graph of the store to another triple store with the SPARQL 1.1 Graph Store
    /// Protocol (PUT replaces each document's graph there), then verify the server's counts.
    Push {
        /// The server's SPARQL query endpoint (e.g. http://127.0.0.1:8890/sparql), used to
        /// verify the push and to find graphs to prune.
        #[arg(long, value_name = "URL")]
        endpoint: String,
        /// The server's Graph Store Protocol URL (Virtuoso: …/sparql-graph-crud-auth, Fuseki:
        /// …/ds/data, Oxigraph: …/store). Default: the endpoint URL.
        #[arg(long, value_name = "URL")]
        graph_store: Option<String>,
        /// Credentials as USER:PASSWORD (Basic or Digest, whichever the server asks for); a
        /// USER alone takes the password from $POLICYKG_PASSWORD.
        #[arg(long, value_name = "USER[:PASSWORD]")]
        user: Option<String>,
        /// Delete the server's policykg graphs that are not in the local store.
        #[arg(long)]
        prune: bool,
        /// Seconds to wait for each request.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// For https: trust the CA certificates of this PEM file instead of the built-in
        /// Mozilla roots (a private CA, a self-signed test server). $POLICYKG_CA_CERT does the
        /// same for every command.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
        /// Store directory.
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
    },
    /// Network reports of the store as tables: workload, brokers, components, `path A B`,
    /// unled, isolated (collaboration network: organisations sharing tasks).
    Graph {
        /// Which report.
        #[arg(value_enum)]
        report: policykg::graph::Report,
        /// The two entities of `path` (any name they appear under, e.g. 市商务局 芜湖市).
        #[arg(value_name = "NAME")]
        names: Vec<String>,
        /// Only this document's facts (id or unique prefix).
        #[arg(long, value_name = "ID")]
        doc: Option<String>,
        /// Rows to show (default: 20 for workload and brokers, all for the others).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Store directory.
        #[arg(long, default_value = "policykg.db")]
        store: PathBuf,
    },
}

/// Serialisations of `export`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportFormatArg {
    Turtle,
    Ntriples,
    Rdfxml,
    Nquads,
    Trig,
    Jsonld,
}

impl From<ExportFormatArg> for policykg::export::ExportFormat {
    fn from(f: ExportFormatArg) -> Self {
        use policykg::export::ExportFormat as E;
        match f {
            ExportFormatArg::Turtle => E::Turtle,
            ExportFormatArg::Ntriples => E::NTriples,
            ExportFormatArg::Rdfxml => E::RdfXml,
            ExportFormatArg::Nquads => E::NQuads,
            ExportFormatArg::Trig => E::TriG,
            ExportFormatArg::Jsonld => E::JsonLd,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExtractFormat {
    Table,
    Jsonl,
    /// The RDF `build` would store, as N-Quads (one named graph per document).
    Nquads,
}

/// Runs the command line; returns the exit code.
pub fn run() -> Result<i32> {
    let cli = Cli::parse();
    let lex = match &cli.lexicon {
        Some(dir) => {
            Arc::new(Lexicon::from_dir(dir).with_context(|| format!("loading lexicon from {}", dir.display()))?)
        }
        None => Lexicon::embedded(),
    };
    let gz_owned;
    let gz: &Gazetteer = if cli.lexicon.is_some() {
        gz_owned = Gazetteer::new(lex);
        &gz_owned
    } else {
        Gazetteer::embedded()
    };
    match cli.command {
        Command::Extract { paths, format } => cmd_extract(&paths, format, gz),
        Command::Build {
            paths,
            store,
            prune,
            force,
            bulk_memory,
        } => cmd_build(&paths, &store, prune, force, bulk_memory, gz),
        Command::Check { store } => cmd_check(&store),
        Command::Push {
            endpoint,
            graph_store,
            user,
            prune,
            timeout,
            ca_cert,
            store,
        } => cmd_push(
            &store,
            &endpoint,
            graph_store.as_deref(),
            user.as_deref(),
            prune,
            timeout,
            ca_cert.as_deref(),
        ),
        Command::Export {
            format,
            doc,
            describe,
            license,
            output,
            store,
        } => cmd_export(
            &store,
            format.into(),
            doc.as_deref(),
            describe,
            &license,
            output.as_deref(),
        ),
        Command::Query {
            query,
            text,
            params,
            store,
            format,
            allow_service,
            service_timeout,
            timeout,
            max_memory,
        } => cmd_query(
            query,
            text,
            &params,
            &store,
            &format,
            allow_service.then(|| std::time::Duration::from_secs(service_timeout)),
            Limits {
                timeout: timeout.map(std::time::Duration::from_secs),
                max_memory: max_memory.map(|m| m << 20),
            },
        ),
        Command::EvalWorker {
            store,
            max_memory_bytes,
            nice,
        } => Ok(policykg::server::pool::worker_main(&store, max_memory_bytes, nice)),
        Command::Queries => cmd_queries(),
        Command::Demo { store, seeds } => cmd_demo(&store, seeds, gz),
        Command::Eval {
            gold,
            paths,
            json,
            show,
            classes,
        } => cmd_eval(&gold, &paths, json, show, classes, gz),
        Command::Bench {
            docs,
            dir,
            templates,
            query_runs,
            bulk_memory,
        } => cmd_bench(docs, &dir, templates, query_runs, bulk_memory, gz),
        Command::Serve {
            store,
            bind,
            timeout,
            max_results,
            max_body,
            threads,
            max_memory,
            in_process,
            queue,
            max_connections,
            allow_update,
            token,
            allow_service,
            cors_origin,
            queries,
        } => {
            let config = policykg::server::ServerConfig {
                store,
                bind,
                timeout: std::time::Duration::from_secs(timeout),
                max_results,
                max_body,
                threads,
                queue,
                max_connections,
                allow_update,
                token,
                allow_service,
                cors_origin,
                queries,
                max_memory: (max_memory > 0).then(|| max_memory << 20),
                isolate: !in_process,
                ..Default::default()
            };
            policykg::server::serve(config)?;
            Ok(0)
        }
        Command::Diagram {
            kind,
            doc,
            org,
            place,
            format,
            output,
            store,
        } => cmd_diagram(
            kind,
            &policykg::dot::Selection { doc, org, place },
            format,
            output.as_deref(),
            &store,
        ),
        Command::Graph {
            report,
            names,
            doc,
            limit,
            store,
        } => cmd_graph(report, &names, doc.as_deref(), limit, &store),
    }
}

/// `policykg graph REPORT [NAMES] [--doc ID] [--limit N]`: the report as a table.
fn cmd_graph(
    which: policykg::graph::Report,
    names: &[String],
    doc: Option<&str>,
    limit: Option<usize>,
    store_dir: &Path,
) -> Result<i32> {
    use policykg::graph::{report, resolve_doc, Kg};
    let store = KgStore::open_read_only(store_dir)?;
    let doc = doc.map(|d| resolve_doc(&store, d)).transpose()?;
    let kg = Kg::load(&store, doc.as_deref())?;
    let table = report(&kg, which, names, limit)?;
    let mut out = std::io::stdout().lock();
    out.write_all(table.render().as_bytes())?;
    out.flush()?;
    Ok(0)
}

/// `policykg diagram KIND [--doc ID | --org NAME | --place NAME] [--format F] [-o FILE]`: the
/// diagram rendered (format from `--format`, else from the output file's extension, else DOT)
/// into FILE or onto stdout.
fn cmd_diagram(
    kind: policykg::dot::DiagramKind,
    sel: &policykg::dot::Selection,
    format: Option<policykg::dot::Format>,
    output: Option<&Path>,
    store_dir: &Path,
) -> Result<i32> {
    use policykg::dot::{diagram, dot_program, render, to_dot, Format};
    let format = format
        .or_else(|| output.and_then(Format::from_path))
        .unwrap_or(Format::Dot);
    let store = KgStore::open_read_only(store_dir)?;
    let graph = diagram(&store, kind, sel)?;
    let bytes = render(&to_dot(&graph), format, &dot_program())?;
    match output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "policykg: wrote {} ({} bytes, {})",
                path.display(),
                bytes.len(),
                format.name()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(0)
}

/// Extracts every input, reporting skipped files on stderr; returns extractions and the
/// number of skipped inputs.
/// Extracts every input, reporting skipped files on stderr; returns the number of skipped
/// inputs. On a terminal a progress bar shows documents, MB/s and the time left; in pipes and
/// CI it stays silent.
fn extract_all(paths: &[PathBuf], gz: &Gazetteer, mut each: impl FnMut(Extraction) -> Result<()>) -> Result<usize> {
    extract_all_map(paths, gz, |_| (), |ex, ()| each(ex))
}

/// [`extract_all_map`] with nothing skipped.
fn extract_all_map<T: Send>(
    paths: &[PathBuf],
    gz: &Gazetteer,
    map: impl Fn(&Extraction) -> T + Sync,
    each: impl FnMut(Extraction, T) -> Result<()>,
) -> Result<usize> {
    Ok(extract_all_unless(paths, gz, |_| false, map, each)?.0)
}

/// [`extract_all`] with a further stage (`map`, e.g. RDF conversion) run on the worker threads,
/// and documents `skip` accepts left out (not extracted, not given to `each`). Returns the
/// number of inputs skipped for errors and the number `skip` accepted.
fn extract_all_unless<T: Send>(
    paths: &[PathBuf],
    gz: &Gazetteer,
    skip: impl Fn(&policykg::doc::SourceDoc) -> bool + Sync,
    map: impl Fn(&Extraction) -> T + Sync,
    mut each: impl FnMut(Extraction, T) -> Result<()>,
) -> Result<(usize, usize)> {
    let (files, errors) = policykg::input::collect_files(paths);
    let mut skipped = errors.len();
    for e in errors {
        eprintln!("policykg: {e}");
    }
    let sizes: Vec<u64> = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .collect();
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(sizes.iter().sum()),
        indicatif::ProgressDrawTarget::stderr_with_hz(4),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:30} {msg} docs, {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut done = 0usize;
    let mut unchanged = 0usize;
    let mut result = Ok(());
    // Outcomes come back in input order: the n-th one is files[n].
    policykg::pipeline::run_map_unless(&files, gz, skip, map, |_, outcome| {
        let size = sizes.get(done).copied().unwrap_or(0);
        done += 1;
        bar.set_message(format!("{done}/{}", files.len()));
        bar.inc(size);
        match outcome {
            Ok(None) => {
                unchanged += 1;
                true
            }
            Ok(Some((ex, mapped))) => {
                if ex.meta.replaced > 0 {
                    bar.suspend(|| {
                        eprintln!(
                            "policykg: {}: warning: {} undecodable byte sequence(s) replaced by U+FFFD (read as {})",
                            ex.meta.path, ex.meta.replaced, ex.meta.encoding
                        )
                    });
                }
                result = each(ex, mapped);
                result.is_ok()
            }
            Err(e) => {
                bar.suspend(|| eprintln!("policykg: {e}"));
                skipped += 1;
                true
            }
        }
    });
    bar.finish_and_clear();
    result?;
    Ok((skipped, unchanged))
}

fn cmd_extract(paths: &[PathBuf], format: ExtractFormat, gz: &Gazetteer) -> Result<i32> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all: Vec<Fact> = Vec::new();
    // JSON lines and N-Quads are serialised on the worker threads; this thread only writes.
    let serialise = |ex: &Extraction| -> Vec<u8> {
        let mut buf = Vec::new();
        match format {
            ExtractFormat::Jsonl => Fact::write_jsonl(&ex.facts, &mut buf),
            ExtractFormat::Nquads => {
                // Each document's quads as `build` would store them; descriptions in the shared
                // entity graph repeat across documents (N-Quads is a set: loading drops repeats).
                let mut w =
                    oxigraph::io::RdfSerializer::from_format(oxigraph::io::RdfFormat::NQuads).for_writer(&mut buf);
                for q in policykg::rdf::to_quads(ex) {
                    w.serialize_quad(&q).expect("writing to memory does not fail");
                }
                w.finish().expect("writing to memory does not fail");
            }
            ExtractFormat::Table => {}
        }
        buf
    };
    let skipped = extract_all_map(paths, gz, serialise, |ex, bytes| {
        out.write_all(&bytes)?;
        if format == ExtractFormat::Table {
            all.extend(ex.facts);
        }
        Ok(())
    })?;
    if format == ExtractFormat::Table {
        write!(out, "{}", facts_table(&all))?;
    }
    out.flush()?;
    Ok(if skipped > 0 { 1 } else { 0 })
}

/// A readable table of facts: document, relation, task, subject, object, evidence span.
pub fn facts_table(facts: &[Fact]) -> String {
    let mut table = Table::new("", &["doc", "rel", "task", "subject", "object", "evidence"]);
    for f in facts {
        let task = |t: &policykg::facts::TaskRef| t.label.clone().unwrap_or_else(|| shorten(&t.text, 20));
        let org = |o: &policykg::facts::OrgRef| match &o.name {
            Some(n) if n != &o.text => format!("{} ({n})", o.text),
            _ => o.text.clone(),
        };
        let (t, s, o) = match &f.rel {
            Relation::Leads { task: tk, org: og } | Relation::CoResponsible { task: tk, org: og } => {
                (task(tk), org(og), String::new())
            }
            Relation::Targets { task: tk, indicator } => {
                let unit = indicator.unit.clone().unwrap_or_default();
                let max = indicator.value_max.map(|m| format!("–{m}")).unwrap_or_default();
                let dl = indicator
                    .deadline
                    .as_ref()
                    .map(|d| format!(" by {d}"))
                    .unwrap_or_default();
                (
                    task(tk),
                    indicator.measure.clone(),
                    format!("{} {}{max}{unit}{dl}", indicator.comparator, indicator.value),
                )
            }
            Relation::CooperatesWith { task: tk, a, b, verb } => (
                tk.as_ref().map(task).unwrap_or_default(),
                org(a),
                format!("{verb} {}", org(b)),
            ),
            Relation::HoldsPost { person, post, org: og } => (
                String::new(),
                person.text.clone(),
                format!("{} @ {}", post.text, og.as_ref().map(org).unwrap_or_default()),
            ),
            Relation::IssuedBy {
                org: og, number, date, ..
            } => (
                String::new(),
                org(og),
                format!(
                    "{} {}",
                    number.clone().unwrap_or_default(),
                    date.clone().unwrap_or_default()
                ),
            ),
        };
        table.rows.push(vec![
            f.doc.clone(),
            f.rel.name().to_string(),
            t,
            s,
            o,
            format!("{}..{}", f.evidence.start, f.evidence.end),
        ]);
    }
    table.notes.push(format!("{} facts", facts.len()));
    table.render()
}

fn cmd_build(
    paths: &[PathBuf],
    store_dir: &Path,
    prune: bool,
    force: bool,
    bulk_memory: usize,
    gz: &Gazetteer,
) -> Result<i32> {
    let mut store = KgStore::open(store_dir)?;
    store.set_bulk_memory_mb(bulk_memory);
    let (n_docs, skipped) = build_into(&store, paths, gz, force)?;
    if prune {
        let (files, _) = policykg::input::collect_files(paths);
        let keep: std::collections::HashSet<String> = files
            .iter()
            .map(|f| {
                policykg::rdf::graph_iri(policykg::doc::DocId::from_path(f).as_str())
                    .as_str()
                    .to_string()
            })
            .collect();
        let removed = store.prune(&keep)?;
        eprintln!("policykg: pruned {removed} documents no longer in the input");
    }
    store.flush()?;
    eprintln!("policykg: built {n_docs} documents into {}", store_dir.display());
    print_summary(&store)?;
    Ok(if skipped > 0 { 1 } else { 0 })
}

/// Extracts (parallel, in input order) on this thread while the store writes on another:
/// documents flow through a bounded channel into [`KgStore::write_stream`], so memory stays
/// bounded by the channel and the bulk loader's batch, not by the corpus. Unless `force`,
/// documents stored from the same text and path by the same program version and lexicon are
/// not extracted again (re-running a build over an unchanged archive only reads it).
fn build_into(store: &KgStore, paths: &[PathBuf], gz: &Gazetteer, force: bool) -> Result<(usize, usize)> {
    let mut n_docs = 0;
    // Document ids are file names without extension: a later file with the same id replaces
    // the earlier one's graph; say so.
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let stored = if force {
        Default::default()
    } else {
        store.extraction_keys()?
    };
    let by = policykg::extract::extracted_by(gz);
    let unchanged = |src: &policykg::doc::SourceDoc| {
        stored.get(src.id.as_str()).is_some_and(|k| {
            k.extracted_by == by && k.source == src.path && k.source_md5 == policykg::doc::md5_hex(&src.text)
        })
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<(oxigraph::model::NamedNode, Vec<oxigraph::model::Quad>)>(
        policykg::pipeline::WINDOW,
    );
    let (outcome, written) = std::thread::scope(|s| {
        let writer = s.spawn(move || store.write_stream(rx));
        let outcome = extract_all_unless(paths, gz, unchanged, policykg::rdf::to_quads, |ex, quads| {
            if let Some(earlier) = seen.insert(ex.doc.clone(), ex.meta.path.clone()) {
                eprintln!(
                    "policykg: {}: warning: same document id {} as {earlier}; its graph replaces that file's",
                    ex.meta.path, ex.doc
                );
            }
            n_docs += 1;
            let doc = (policykg::rdf::graph_iri(&ex.doc), quads);
            // A closed channel means the writer stopped on an error, reported below.
            tx.send(doc).map_err(|_| anyhow::anyhow!("the store writer stopped"))
        });
        drop(tx);
        let written = writer.join().map_err(|_| anyhow::anyhow!("the store writer panicked"));
        (outcome, written)
    });
    // The store's own error is the informative one.
    written??;
    let (skipped, unchanged) = outcome?;
    if unchanged > 0 {
        eprintln!(
            "policykg: {unchanged} documents unchanged since they were stored (not extracted again; --force does)"
        );
    }
    Ok((n_docs, skipped))
}

fn print_summary(store: &KgStore) -> Result<()> {
    let s = store.summary()?;
    let mut table = Table::new("", &["what", "count"]);
    for k in ["documents", "sections", "tasks", "organisations"] {
        table
            .rows
            .push(vec![k.to_string(), s.get(k).copied().unwrap_or(0).to_string()]);
    }
    for rel in policykg::facts::RELATIONS {
        table.rows.push(vec![
            format!("facts: {rel}"),
            s.get(&format!("facts:{rel}")).copied().unwrap_or(0).to_string(),
        ]);
    }
    table
        .rows
        .push(vec!["quads".into(), s.get("quads").copied().unwrap_or(0).to_string()]);
    print!("{}", table.render());
    Ok(())
}

/// Limits of `policykg query`.
struct Limits {
    timeout: Option<std::time::Duration>,
    max_memory: Option<u64>,
}

fn cmd_query(
    query: Option<String>,
    text: Option<String>,
    params: &[String],
    store_dir: &Path,
    format: &str,
    service_timeout: Option<std::time::Duration>,
    limits: Limits,
) -> Result<i32> {
    if limits.timeout.is_some() || limits.max_memory.is_some() {
        return cmd_query_isolated(query, text, params, store_dir, format, service_timeout, limits);
    }
    use policykg::query::{fill_values, run_with, EvalOptions, OutputFormat};
    let format: OutputFormat = format.parse().map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let given = parse_params(params)?;
    let store = KgStore::open_read_only(store_dir)?;
    let (sparql, bindings) = match given_query(query, text)? {
        GivenQuery::Text(t) => (t, Vec::new()),
        GivenQuery::Named { nq, .. } => {
            let b = bind_given(&nq, &given)?;
            (fill_values(store.inner(), &nq, &b)?, b)
        }
    };
    if service_timeout.is_none() && policykg::service::uses_service(&sparql, None) {
        bail!("the query calls a remote endpoint (SERVICE); add --allow-service to let it go out");
    }
    let options = EvalOptions {
        service_timeout,
        ..EvalOptions::default()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    run_with(store.inner(), &sparql, &bindings, &options, format, &mut out)?;
    out.flush()?;
    Ok(0)
}

/// `--param NAME=VALUE` pairs.
fn parse_params(params: &[String]) -> Result<Vec<(String, String)>> {
    params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .with_context(|| format!("--param {p}: expected NAME=VALUE"))
        })
        .collect()
}

/// The query `policykg query` was given: `--query TEXT`, or a named query (a `.rq` file or a
/// library name) with its header.
enum GivenQuery {
    Text(String),
    Named {
        name: String,
        text: String,
        nq: policykg::query::NamedQuery,
    },
}

fn given_query(query: Option<String>, text: Option<String>) -> Result<GivenQuery> {
    match (query, text) {
        (_, Some(t)) => Ok(GivenQuery::Text(t)),
        (Some(q), None) => {
            let path = Path::new(&q);
            if path.extension().is_some_and(|e| e == "rq") || path.is_file() {
                let t = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                let nq = policykg::query::parse_header(&q, &t);
                Ok(GivenQuery::Named { name: q, text: t, nq })
            } else {
                let lib = policykg::query::library(Path::new("queries"))?;
                let Some(nq) = lib.iter().find(|n| n.name == q) else {
                    bail!(
                        "no query named {q}; available: {}",
                        lib.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
                    );
                };
                Ok(GivenQuery::Named {
                    name: q,
                    text: nq.text.clone(),
                    nq: nq.clone(),
                })
            }
        }
        (None, None) => bail!("give a query: a .rq file, a query name (see `policykg queries`) or --query TEXT"),
    }
}

/// The `--param` values bound to a named query's declared parameters.
fn bind_given(
    nq: &policykg::query::NamedQuery,
    given: &[(String, String)],
) -> Result<Vec<(String, oxigraph::model::Term)>> {
    if given.is_empty() && nq.params.is_empty() {
        return Ok(Vec::new());
    }
    Ok(policykg::query::bind_params(nq, given)?)
}

/// `policykg query` with limits: the query runs in an evaluation process (the same one
/// `serve` uses) under `--max-memory`, killed at `--timeout`.
fn cmd_query_isolated(
    query: Option<String>,
    text: Option<String>,
    params: &[String],
    store_dir: &Path,
    format: &str,
    service_timeout: Option<std::time::Duration>,
    limits: Limits,
) -> Result<i32> {
    use policykg::query::OutputFormat;
    use policykg::server::{Job, JobQuery};
    let format: OutputFormat = format.parse().map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let given = parse_params(params)?;
    if !store_dir.join("CURRENT").exists() {
        bail!(
            "store {} does not exist (run `policykg build` first)",
            store_dir.display()
        );
    }
    let (job_query, sparql) = match given_query(query, text)? {
        GivenQuery::Text(t) => (JobQuery::Text(t.clone()), t),
        GivenQuery::Named { name, text, nq } => {
            let bound = bind_given(&nq, &given)?;
            let job = JobQuery::Named {
                name,
                text: text.clone(),
                bindings: bound.into_iter().map(|(n, t)| (n, t.to_string())).collect(),
            };
            (job, text)
        }
    };
    if service_timeout.is_none() && policykg::service::uses_service(&sparql, None) {
        bail!("the query calls a remote endpoint (SERVICE); add --allow-service to let it go out");
    }
    let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let job = Job {
        query: job_query,
        default_graphs: Vec::new(),
        named_graphs: Vec::new(),
        base_iri: None,
        timeout_ms: limits.timeout.map(ms),
        service_timeout_ms: service_timeout.map(ms),
        max_results: None,
        output: policykg::server::cli_output(format),
    };
    let reply = policykg::server::run_isolated(store_dir, &job, limits.timeout, limits.max_memory)
        .map_err(|e| anyhow::anyhow!(e))?;
    if reply.status != 200 {
        bail!("{}", reply.text());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(&reply.body)?;
    out.flush()?;
    Ok(0)
}

fn cmd_queries() -> Result<i32> {
    let lib = policykg::query::library(Path::new("queries"))?;
    for q in lib {
        println!("{}", q.name);
        for line in q.description.lines() {
            println!("    {line}");
        }
        for p in &q.params {
            println!("    --param {}=…  {}", p.name, p.description);
        }
    }
    Ok(0)
}

fn cmd_demo(store_dir: &Path, seeds: Option<PathBuf>, gz: &Gazetteer) -> Result<i32> {
    let seeds = match seeds {
        Some(dir) => dir,
        None => policykg::seeds::default_dir().context("writing the built-in seed documents")?,
    };
    if !seeds.is_dir() {
        bail!("seed directory {} not found (give --seeds DIR)", seeds.display());
    }
    let store = KgStore::open(store_dir)?;
    let (n, skipped) = build_into(&store, std::slice::from_ref(&seeds), gz, true)?;
    store.flush()?;
    println!(
        "Built {n} seed documents from {} into {}\n",
        seeds.display(),
        store_dir.display()
    );
    print_summary(&store)?;
    let dept = "市发改委";
    println!("\nResponsibility chain of {dept} (queries/responsibility.rq --param dept={dept}):\n");
    let lib = policykg::query::library(Path::new("queries"))?;
    if let Some(q) = lib.iter().find(|q| q.name == "responsibility") {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        policykg::query::run_named(
            store.inner(),
            q,
            &[("dept".to_string(), dept.to_string())],
            policykg::query::OutputFormat::Table,
            &mut out,
        )?;
    }
    println!("\nTry: policykg query responsibility --param dept=市发展改革委   |   policykg queries");
    Ok(if skipped > 0 { 1 } else { 0 })
}

fn cmd_eval(gold_dir: &Path, paths: &[PathBuf], json: bool, show: bool, classes: bool, gz: &Gazetteer) -> Result<i32> {
    use policykg::eval::{load_gold_dir, parse_jsonl, score};
    let gold = load_gold_dir(gold_dir)?;
    let mut preds: Vec<serde_json::Value> = Vec::new();
    let mut sources: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut doc_paths: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.extension().is_some_and(|e| e == "jsonl") && p.is_file() {
            let t = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            preds.extend(parse_jsonl(&t, &p.display().to_string())?);
        } else {
            doc_paths.push(p.clone());
        }
    }
    let mut skipped = 0;
    if !doc_paths.is_empty() {
        let (files, _) = policykg::input::collect_files(&doc_paths);
        let files: Vec<PathBuf> = files
            .into_iter()
            .filter(|f| f.extension().is_none_or(|e| e != "jsonl"))
            .collect();
        skipped = extract_all(&files, gz, |ex| {
            for f in &ex.facts {
                preds.push(serde_json::to_value(f)?);
            }
            Ok(())
        })?;
        for f in &files {
            if let Ok(src) = policykg::input::read_document(f) {
                sources.insert(src.id.0.clone(), src.text);
            }
        }
    }
    let report = score(&gold, &preds, &|doc: &str| sources.get(doc).cloned());
    if json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.to_table());
    }
    if show {
        print!("{}", report.show_lines());
    }
    if classes {
        print!("{}", report.classes());
    }
    Ok(if skipped > 0 { 1 } else { 0 })
}

fn cmd_bench(
    docs: usize,
    dir: &Path,
    templates: Vec<PathBuf>,
    query_runs: usize,
    bulk_memory: usize,
    gz: &Gazetteer,
) -> Result<i32> {
    let templates = if templates.is_empty() {
        // In a checkout: the seeds and the dev documents; elsewhere the built-in seeds.
        let mut dirs = vec![policykg::seeds::default_dir().context("writing the built-in seed documents")?];
        let dev = PathBuf::from("tests/data/dev");
        if dev.is_dir() {
            dirs.push(dev);
        }
        dirs
    } else {
        templates
    };
    let opts = policykg::bench::BenchOptions {
        docs,
        templates,
        work_dir: dir.to_path_buf(),
        queries_dir: PathBuf::from("queries"),
        query_runs,
        bulk_memory_mb: bulk_memory,
    };
    let report = policykg::bench::run(&opts, gz)?;
    let mut table = Table::new("", &["measure", "result"]);
    table.rows.extend(report.into_iter().map(|m| vec![m.what, m.value]));
    print!("{}", table.render());
    Ok(0)
}

fn cmd_export(
    store_dir: &Path,
    format: policykg::export::ExportFormat,
    doc: Option<&str>,
    describe: bool,
    license: &str,
    output: Option<&Path>,
) -> Result<i32> {
    use policykg::export;
    let store = KgStore::open_read_only(store_dir)?;
    oxigraph::model::NamedNode::new(license).with_context(|| format!("--license {license} is not an IRI"))?;
    let doc = doc.map(|d| policykg::graph::resolve_doc(&store, d)).transpose()?;
    let mut sink: Box<dyn Write> = match output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let n = if describe {
        let quads = export::describe(&store, license)?;
        export::write_quads(quads.into_iter().map(Ok), format, &mut sink)?
    } else {
        export::export(&store, format, doc.as_deref(), &mut sink)?
    };
    sink.flush().context("cannot write the export")?;
    let what = if format.keeps_graphs() { "quads" } else { "triples" };
    eprintln!(
        "exported {n} {what}{}",
        output.map(|p| format!(" to {}", p.display())).unwrap_or_default()
    );
    Ok(0)
}

fn cmd_push(
    store_dir: &Path,
    endpoint: &str,
    graph_store: Option<&str>,
    user: Option<&str>,
    prune: bool,
    timeout: u64,
    ca_cert: Option<&Path>,
) -> Result<i32> {
    use policykg::http::{Client, Url};
    use policykg::push::{push, PushTarget};
    let store = KgStore::open_read_only(store_dir)?;
    let credentials = match user {
        Some(u) => Some(match u.split_once(':') {
            Some((name, pass)) => (name.to_string(), pass.to_string()),
            None => (
                u.to_string(),
                std::env::var("POLICYKG_PASSWORD").context("--user without a password needs $POLICYKG_PASSWORD")?,
            ),
        }),
        None => None,
    };
    let target = PushTarget {
        graph_store: Url::parse(graph_store.unwrap_or(endpoint))?,
        endpoint: Some(Url::parse(endpoint)?),
        client: Client::new(std::time::Duration::from_secs(timeout), credentials).with_ca_cert(ca_cert),
    };
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} graphs ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = push(&store, &target, prune, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    for g in &report.pruned {
        eprintln!("pruned {g}");
    }
    eprintln!(
        "pushed {} graphs, {} statements; server holds {} statements in them",
        report.graphs,
        report.statements,
        report
            .remote_statements
            .map(|n| n.to_string())
            .unwrap_or_else(|| "?".into())
    );
    if report.mismatched.is_empty() {
        Ok(0)
    } else {
        for (g, local, remote) in &report.mismatched {
            eprintln!("count differs for {g}: {local} here, {remote} on the server");
        }
        Ok(1)
    }
}

fn cmd_check(store_dir: &Path) -> Result<i32> {
    let store = KgStore::open_read_only(store_dir)?;
    let problems = store.check()?;
    if problems.is_empty() {
        println!(
            "{}: consistent ({} documents, {} quads)",
            store_dir.display(),
            store.document_ids()?.len(),
            store.inner().len()?
        );
        Ok(0)
    } else {
        for p in &problems {
            println!("{}: {p}", store_dir.display());
        }
        Ok(2)
    }
}
