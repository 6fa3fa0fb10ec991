//! `policykg serve`: the store as a [SPARQL 1.1 Protocol] endpoint, safe by default.
//!
//! # Endpoints
//!
//! * `GET|POST /query` — SPARQL queries: `GET /query?query=…`, `POST` with
//!   `Content-Type: application/x-www-form-urlencoded` (`query=…`) or
//!   `application/sparql-query` (the query as the body). `default-graph-uri` and
//!   `named-graph-uri` choose the dataset; without them (and without `FROM`) the default graph is
//!   the union of the document graphs, as on the command line. Relative IRIs of a query without
//!   `BASE` resolve against the endpoint's URL (`http://` + `Host` + `/query`).
//! * `GET /query` without a query — the [SPARQL 1.1 Service Description] of the endpoint:
//!   languages, result formats, the union default graph, the named graphs and the limits.
//! * `POST /update` — SPARQL Update (`update=…` form or `application/sparql-update` body).
//!   Refused with 403 unless the server was started with `--allow-update --token T` and the
//!   request carries `Authorization: Bearer T`. `using-graph-uri`/`using-named-graph-uri` choose
//!   the dataset of its `WHERE`s (an update that also says `USING`/`WITH` is a 400); without
//!   either, the `WHERE` sees the union, as queries do. Relative IRIs resolve against
//!   `…/update`.
//! * `GET|HEAD /store?graph=IRI` and `/store?default` — the [Graph Store Protocol]'s reads: one
//!   named graph, or the default graph (the union, each triple once). `PUT`/`POST`/`DELETE`
//!   `/store?graph=IRI` replace, add to and drop a named graph, with the same guard as updates.
//! * `GET /queries` — the named-query library as JSON; `GET /queries/NAME?PARAM=VALUE…` runs one,
//!   with parameters bound exactly as `policykg query NAME --param …` binds them.
//! * `OPTIONS *` — CORS preflight. Every answer carries `Access-Control-Allow-Origin`.
//!
//! Answers are negotiated from `Accept` (or a `format`/`output` parameter, as some clients
//! send) as RFC 9110 says (quality values, most specific range, `q=0` excludes): SPARQL JSON
//! (the default, also for `*/*` and no `Accept`), XML, CSV, TSV, `text/plain` tables for
//! `SELECT`/`ASK`; Turtle (default), N-Triples, RDF/XML and JSON-LD for graphs
//! (`CONSTRUCT`/`DESCRIBE`, the service description, `/store`).
//!
//! # Limits
//!
//! * **Isolation**: on an on-disk store every query is evaluated in a warm worker process
//!   ([`pool`]) under an address-space limit (`max_memory`, past it: `507`) and killed at the
//!   timeout (plus [`pool::KILL_GRACE`]) when Oxigraph's cancellation token is not noticed (a
//!   product of data already read), so a runaway query is stopped for real and its memory
//!   returned; the worker is replaced. Before that, [`guard`] refuses shapes that cannot finish
//!   and nesting that would overflow a parser's stack (`400`), and sends queries that read
//!   nothing from the store (`ASK {}`) to a lane of their own. In-memory stores (and
//!   `isolate: false`) evaluate on threads of this process, where a query the engine does not
//!   cancel keeps its slot until it ends.
//! * **Time**: each query or update runs under a timeout; the answer is `503` with an
//!   explanation. The whole answer is evaluated and serialised *before* the status line is
//!   sent, so a client never gets a `200` with a truncated body. Updates (and Graph Store
//!   writes) run in this process, the store's one writer, under the cancellation token;
//!   workers re-open the store after each write.
//! * **Size**: answers with more than `max_results` solutions or triples are refused with `413`
//!   (counted while collecting, so they are never held whole); request bodies (and query
//!   strings) over `max_body` bytes are refused with `413` before they are read.
//! * **Concurrency**: each connection is read on its own thread, at most `max_connections` at
//!   a time (beyond that the connection gets `503 Service Unavailable` with `Retry-After` at
//!   once); evaluations are bounded separately by `threads` slots and a `queue` of waiting
//!   requests. Slow clients therefore never hold an evaluation slot: a slowloris client costs
//!   one connection thread for at most `io_timeout`.
//! * **SERVICE**: queries (and updates) whose parsed algebra holds a `SERVICE` pattern
//!   ([`crate::service::uses_service`], with the prefixes and base of the evaluation) are
//!   refused with `403` unless `allow_service` is set;
//!   then the remote endpoint is called ([`crate::service`]) within the query timeout, and a
//!   failing call answers `502`. By default nothing ever leaves the machine.
//! * **Sockets**: the whole request (head and body) must arrive within `io_timeout` (else
//!   `408`), writes time out too, one request per connection (`Connection: close`), bounded
//!   request heads.
//!
//! # The HTTP layer
//!
//! The wire format is the crates': `httparse` parses request heads and chunk sizes, `http`
//! gives the method, header map and reason phrases, `httpdate` the `Date` header and
//! `percent-encoding` decodes paths, query strings and forms. The connection handling around
//! them is this module's (`acceptor`, `read_request`, `write_reply`, about 300 lines), because
//! the limits above live there and no synchronous server crate has them: Oxigraph's own
//! server, `oxhttp` 0.3, sends `100 Continue` before the handler sees a request and reads
//! (drains) the body after it answered — a refused `Content-Length: 10^15` would be read until
//! the socket timeout and then answered `408` instead of `413` —, waits at its connection cap
//! instead of answering `503`, times out per read (a byte every few seconds keeps a
//! connection forever) and cannot be stopped; `tiny_http` 0.12 allocates the whole declared
//! `Content-Length` of a dropped request (a request declaring `Content-Length:
//! 1000000000000000` aborts the process) and has no socket timeouts; `hyper` needs an async
//! runtime. The client side (`push`, federated `SERVICE`) is `ureq`, see
//! [`crate::http`].
//!
//! [SPARQL 1.1 Protocol]: https://www.w3.org/TR/sparql11-protocol/
//! [SPARQL 1.1 Service Description]: https://www.w3.org/TR/sparql11-service-description/
//! [Graph Store Protocol]: https://www.w3.org/TR/sparql11-http-rdf-update/

mod guard;
mod job;
pub mod pool;

pub use guard::{check_nesting, check_query, Verdict, MAX_NESTING};
pub use job::{cli_output, Job, JobOutput, JobQuery, JobReply};

use crate::query::{self, Answer, NamedQuery, OutputFormat, QueryError};
use crate::service::uses_service;
use crate::store::{KgStore, StoreError};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, SparqlEvaluator, UpdateEvaluationError};
use pool::{LaneConfig, Pool, PoolConfig};
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

/// Address `policykg serve` listens on unless told otherwise: loopback only.
pub const DEFAULT_BIND: &str = "127.0.0.1:7878";

/// Longest request head (request line and headers) besides the query string, in bytes.
const MAX_HEAD_EXTRA: usize = 16 * 1024;
/// Most header lines in a request.
const MAX_HEADERS: usize = 100;
/// Stack of connection and in-process evaluation threads: the SPARQL parser recurses per
/// nesting level ([`MAX_NESTING`] at most; reserved address space, not resident memory).
const CONNECTION_STACK: usize = 16 << 20;

/// How the server runs. [`ServerConfig::default`] is the safe default of `policykg serve`.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Store directory.
    pub store: PathBuf,
    /// `host:port` to listen on; port 0 picks a free port ([`Server::local_addr`]).
    pub bind: String,
    /// Longest evaluation of one query or update.
    pub timeout: Duration,
    /// Most solutions (or triples) in one answer.
    pub max_results: usize,
    /// Largest request body, and longest query string, in bytes.
    pub max_body: usize,
    /// Evaluation slots: queries or updates evaluated at the same time.
    pub threads: usize,
    /// Requests that may wait for an evaluation slot (each at most `timeout`) before new ones
    /// get `503`.
    pub queue: usize,
    /// Connections open at the same time (each read on its own thread); more get `503` at once.
    pub max_connections: usize,
    /// Accept SPARQL Update at `/update` (needs [`ServerConfig::token`]); opens the store
    /// read-write. Otherwise the store is opened read-only.
    pub allow_update: bool,
    /// Bearer token `/update` requests must carry.
    pub token: Option<String>,
    /// Let queries use `SERVICE`: remote endpoints are called (off by default).
    pub allow_service: bool,
    /// Value of `Access-Control-Allow-Origin`.
    pub cors_origin: String,
    /// Directory of named queries; default `queries/` next to the working directory, else the
    /// source checkout's.
    pub queries: Option<PathBuf>,
    /// Time a client has to send its whole request, and socket write timeout (slow clients).
    pub io_timeout: Duration,
    /// Log one line per request on standard error.
    pub log: bool,
    /// Address-space limit of each evaluation process, in bytes (`None`: unlimited).
    pub max_memory: Option<u64>,
    /// Evaluate queries in worker processes (on-disk stores only): the default. `false`
    /// evaluates them on threads of the serving process, as in-memory stores always are.
    pub isolate: bool,
    /// Program the worker processes run (`EXE eval-worker`); default: this executable.
    pub worker_exe: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            store: PathBuf::from("policykg.db"),
            bind: DEFAULT_BIND.to_owned(),
            timeout: Duration::from_secs(30),
            max_results: 10_000,
            max_body: 1024 * 1024,
            threads: 2,
            queue: 16,
            max_connections: 128,
            allow_update: false,
            token: None,
            allow_service: false,
            cors_origin: "*".to_owned(),
            queries: None,
            io_timeout: Duration::from_secs(10),
            log: true,
            max_memory: Some(pool::DEFAULT_MAX_MEMORY_MIB << 20),
            isolate: true,
            worker_exe: None,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store cannot be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Inconsistent settings.
    #[error("{0}")]
    Config(String),
    /// The named-query library cannot be read.
    #[error(transparent)]
    Queries(#[from] QueryError),
}

/// What the request handlers share.
struct Context {
    config: ServerConfig,
    /// Address the server listens on (the endpoint's URL when a request has no usable `Host`).
    addr: SocketAddr,
    store: Arc<KgStore>,
    library: Vec<NamedQuery>,
    /// Evaluations running, including ones whose client already got a timeout answer.
    evaluations: Arc<Permits>,
    /// Connections being served (each on its own thread).
    connections: AtomicUsize,
    /// Evaluation processes (on-disk stores, unless `isolate` is off).
    pool: Option<Arc<Pool>>,
    /// Queries that went past their time or memory limit lately, refused at once when sent
    /// again ([`PENALTY`]).
    penalties: Mutex<std::collections::HashMap<u64, (Instant, u16, String)>>,
}

/// How long a query (same text and dataset) that went past its time or memory limit is
/// refused at once instead of being evaluated again: repeating a runaway query must not keep
/// evaluation processes busy.
const PENALTY: Duration = Duration::from_secs(60);
/// Most queries remembered in [`Context::penalties`].
const PENALTY_ENTRIES: usize = 4096;

/// Lane of the evaluation processes for queries that read the store.
const GENERAL_LANE: usize = 0;
/// Lane for queries that read nothing from the store (`ASK {}`): they never wait behind
/// slow queries.
const LIGHT_LANE: usize = 1;
/// Niceness of the query lane's workers: CPU-bound evaluations yield to the serving process
/// (which reads requests and answers refusals) and to the light lane.
const QUERY_NICENESS: i32 = 5;

/// Lanes of a server's pool: `threads` processes under `max_memory` for queries, and one
/// smaller one for queries the static check finds trivially bounded.
fn lanes(config: &ServerConfig) -> Vec<LaneConfig> {
    vec![
        LaneConfig {
            name: "query",
            workers: config.threads,
            max_memory: config.max_memory,
            nice: QUERY_NICENESS,
        },
        LaneConfig {
            name: "light",
            workers: 1,
            max_memory: Some(
                config
                    .max_memory
                    .unwrap_or(u64::MAX)
                    .min(pool::LIGHT_MAX_MEMORY_MIB << 20),
            ),
            nice: 0,
        },
    ]
}

/// The memory the server's evaluations may use at most, in bytes (the documented bound):
/// every evaluation process at its limit. `None` when unlimited.
pub fn memory_bound(config: &ServerConfig) -> Option<u64> {
    lanes(config)
        .iter()
        .map(|l| l.max_memory.map(|m| m * l.workers as u64))
        .sum()
}

/// A counting semaphore: at most `max` permits out at a time, at most `queue` callers waiting.
struct Permits {
    /// Permits out and callers waiting.
    state: Mutex<(usize, usize)>,
    freed: Condvar,
    max: usize,
    queue: usize,
}

/// One evaluation slot, given back when dropped.
struct Permit(Arc<Permits>);

impl Permits {
    fn new(max: usize, queue: usize) -> Arc<Permits> {
        Arc::new(Permits {
            state: Mutex::new((0, 0)),
            freed: Condvar::new(),
            max,
            queue,
        })
    }

    /// A permit, waiting at most `wait` for one; `None` when none came free in time or
    /// `queue` callers are waiting already.
    fn acquire(self: &Arc<Self>, wait: Duration) -> Option<Permit> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.0 >= self.max {
            if state.1 >= self.queue {
                return None;
            }
            state.1 += 1;
            let deadline = Instant::now() + wait;
            while state.0 >= self.max {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    state.1 -= 1;
                    return None;
                }
                state = self
                    .freed
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            state.1 -= 1;
        }
        state.0 += 1;
        Some(Permit(Arc::clone(self)))
    }

    /// Permits out.
    #[cfg(test)]
    fn used(&self) -> usize {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 -= 1;
        drop(state);
        self.0.freed.notify_one();
    }
}

/// Counts a connection thread while it lives.
struct ConnectionSlot(Arc<Context>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Extra time the engine gets to notice its cancellation before the server answers the
/// timeout itself.
const CANCEL_GRACE: Duration = Duration::from_millis(250);

/// Runs `job` (a query or update evaluation) on its own thread holding an evaluation slot and
/// waits at most the configured timeout (plus [`CANCEL_GRACE`]). The timeout answer never
/// waits for the engine: Oxigraph checks its cancellation token only while it reads the store,
/// so an evaluation busy joining data it has already read (a cartesian product, say) may run
/// on after its client got the 503. It keeps its slot until it ends, so at most `threads`
/// evaluations ever run at once.
fn run_bounded<T: Send + 'static>(
    ctx: &Context,
    what: &str,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Reply> {
    let permit = ctx.evaluations.acquire(ctx.config.timeout).ok_or_else(|| {
        Reply::text(
            503,
            format!(
                "server busy: all {} evaluation slots are taken and {} requests are waiting \
                 (evaluations past their time limit may still be finishing); retry shortly",
                ctx.evaluations.max, ctx.evaluations.queue
            ),
        )
        .header("Retry-After", "1")
    })?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("policykg-eval".to_owned())
        .stack_size(CONNECTION_STACK)
        .spawn(move || {
            let _permit = permit;
            let _ = tx.send(job());
        })
        .map_err(|e| Reply::text(500, format!("cannot start the evaluation: {e}")))?;
    match rx.recv_timeout(ctx.config.timeout + CANCEL_GRACE) {
        Ok(result) => Ok(result),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(timeout_reply(what, ctx.config.timeout)),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Reply::text(
            500,
            format!("the {what} evaluation failed unexpectedly (see the server log)"),
        )),
    }
}

fn timeout_reply(what: &str, timeout: Duration) -> Reply {
    Reply::text(
        503,
        format!(
            "{what} timeout: the {what} ran longer than {} s and was cancelled; narrow it (LIMIT, \
             more specific patterns) or ask the operator for a longer --timeout",
            timeout.as_secs_f64()
        ),
    )
}

/// A running server; dropping it (or [`Server::shutdown`]) stops it.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    ctx: Arc<Context>,
}

impl Server {
    /// Opens the store (read-only unless `allow_update`), loads the named queries and starts
    /// listening.
    pub fn start(config: ServerConfig) -> Result<Server, ServerError> {
        check_config(&config)?;
        let store = if config.allow_update {
            KgStore::open(&config.store)?
        } else {
            KgStore::open_read_only(&config.store)?
        };
        // `--queries DIR` as given (a missing one serves no named queries); by default the
        // working directory's `queries/`, else the library built into the binary.
        let library = match &config.queries {
            Some(dir) if dir.is_dir() => query::load_library(dir)?,
            Some(_) => Vec::new(),
            None => query::library(Path::new("queries"))?,
        };
        Self::start_with(config, Arc::new(store), library)
    }

    /// Starts on an already opened store with a given library (`config.store` and
    /// `config.queries` are not used). Tests use it with in-memory stores.
    pub fn start_with(
        config: ServerConfig,
        store: Arc<KgStore>,
        library: Vec<NamedQuery>,
    ) -> Result<Server, ServerError> {
        check_config(&config)?;
        let listener = TcpListener::bind(&config.bind).map_err(|source| ServerError::Bind {
            addr: config.bind.clone(),
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| ServerError::Bind {
            addr: config.bind.clone(),
            source,
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        let evaluations = Permits::new(config.threads, config.queue);
        let pool = match (config.isolate, store.path()) {
            (true, Some(dir)) => {
                let exe = match &config.worker_exe {
                    Some(exe) => exe.clone(),
                    None => std::env::current_exe()
                        .map_err(|e| ServerError::Config(format!("cannot find this program: {e}")))?,
                };
                Some(
                    Pool::start(PoolConfig {
                        exe,
                        store: dir.to_path_buf(),
                        timeout: Some(config.timeout),
                        lanes: lanes(&config),
                        queue: config.queue,
                        follow_writes: config.allow_update,
                        respawn: true,
                        log: config.log,
                    })
                    .map_err(ServerError::Config)?,
                )
            }
            _ => None,
        };
        let ctx = Arc::new(Context {
            config,
            addr,
            store,
            library,
            evaluations,
            connections: AtomicUsize::new(0),
            pool,
            penalties: Mutex::new(std::collections::HashMap::new()),
        });
        let (busy_tx, busy_rx) = mpsc::sync_channel::<TcpStream>(64);
        let mut threads = Vec::new();
        {
            let ctx = Arc::clone(&ctx);
            threads.push(std::thread::spawn(move || rejector(&ctx, &busy_rx)));
        }
        {
            let stop = Arc::clone(&stop);
            let ctx = Arc::clone(&ctx);
            threads.push(std::thread::spawn(move || acceptor(&listener, &stop, &ctx, &busy_tx)));
        }
        Ok(Server {
            addr,
            stop,
            threads,
            ctx,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The evaluation processes, when queries are evaluated in them.
    pub fn pool(&self) -> Option<&Arc<Pool>> {
        self.ctx.pool.as_ref()
    }

    /// Blocks until the server stops (it only stops when shut down from another thread or
    /// process signal).
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Stops accepting, lets running requests finish and joins the threads.
    pub fn shutdown(mut self) {
        self.stop_threads();
    }

    fn stop_threads(&mut self) {
        if self.threads.is_empty() {
            return;
        }
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor up; it sees the flag and returns, which closes the channels.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        // Connections being served finish (their reads and evaluations are bounded).
        let deadline = Instant::now() + self.ctx.config.io_timeout * 2 + self.ctx.config.timeout * 2;
        while self.ctx.connections.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_threads();
    }
}

/// `policykg query --timeout/--max-memory`: evaluates one job in an evaluation process of
/// this executable, under those limits (killed at the timeout, stopped past the memory).
pub fn run_isolated(
    store: &Path,
    job: &Job,
    timeout: Option<Duration>,
    max_memory: Option<u64>,
) -> Result<JobReply, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let pool = Pool::start(PoolConfig {
        exe,
        store: store.to_path_buf(),
        timeout,
        lanes: vec![LaneConfig {
            name: "query",
            workers: 1,
            max_memory,
            nice: 0,
        }],
        queue: 0,
        follow_writes: false,
        respawn: false,
        log: false,
    })?;
    Ok(pool.run(0, job).into())
}

/// `policykg serve`: starts the server, prints where it listens and serves until killed.
pub fn serve(config: ServerConfig) -> Result<(), ServerError> {
    let server = Server::start(config.clone())?;
    let addr = server.local_addr();
    eprintln!(
        "policykg serve: store {} ({}), listening on http://{addr}/query",
        config.store.display(),
        if config.allow_update {
            "read-write; /update needs the bearer token"
        } else {
            "read-only"
        }
    );
    eprintln!(
        "policykg serve: timeout {} s, at most {} results, {} evaluations + {} waiting, {} connections, SERVICE {}",
        config.timeout.as_secs_f64(),
        config.max_results,
        config.threads,
        config.queue,
        config.max_connections,
        if config.allow_service {
            "allowed (remote endpoints are called)"
        } else {
            "refused"
        }
    );
    match server.pool() {
        Some(pool) => {
            let lanes: Vec<String> = pool
                .lanes()
                .iter()
                .map(|l| {
                    format!(
                        "{} × {} ({})",
                        l.workers,
                        l.name,
                        l.max_memory
                            .map_or("no memory limit".into(), |m| format!("{} MiB each", m >> 20))
                    )
                })
                .collect();
            eprintln!(
                "policykg serve: evaluation processes: {}; evaluations use at most {} in all",
                lanes.join(" + "),
                memory_bound(&config).map_or("unbounded memory".into(), |b| format!("{} MiB", b >> 20))
            );
        }
        None => eprintln!("policykg serve: queries are evaluated in this process (no memory limit)"),
    }
    if !addr.ip().is_loopback() {
        eprintln!(
            "policykg serve: warning: {addr} is reachable from other machines; anyone who can \
             reach it can query the store"
        );
    }
    server.wait();
    Ok(())
}

fn check_config(config: &ServerConfig) -> Result<(), ServerError> {
    let fail = |m: &str| Err(ServerError::Config(m.to_owned()));
    match (&config.token, config.allow_update) {
        (None, true) => {
            return fail(
                "--allow-update needs --token T; update requests must then send \
                 `Authorization: Bearer T`",
            )
        }
        (Some(_), false) => return fail("--token is only used with --allow-update"),
        (Some(t), true) if t.len() < 8 || t.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            return fail("--token must be at least 8 characters without spaces (use a random one)")
        }
        _ => {}
    }
    if config.threads == 0 || config.max_results == 0 || config.max_body == 0 || config.max_connections == 0 {
        return fail("--threads, --max-results, --max-body and --max-connections must be at least 1");
    }
    if config.timeout.is_zero() {
        return fail("--timeout must be more than 0 seconds");
    }
    if config.cors_origin.is_empty() || config.cors_origin.chars().any(|c| c.is_control()) {
        return fail("--cors-origin must be an origin such as * or https://example.org");
    }
    Ok(())
}

fn acceptor(listener: &TcpListener, stop: &AtomicBool, ctx: &Arc<Context>, busy: &SyncSender<TcpStream>) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                if ctx.config.log {
                    eprintln!("policykg serve: accept failed: {e}");
                }
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        if ctx.connections.fetch_add(1, Ordering::SeqCst) >= ctx.config.max_connections {
            ctx.connections.fetch_sub(1, Ordering::SeqCst);
            // Saturated: answer 503 from another thread; if even that one is behind, drop.
            let _ = busy.try_send(stream);
            continue;
        }
        let slot = ConnectionSlot(Arc::clone(ctx));
        let spawned = std::thread::Builder::new()
            .name("policykg-conn".to_owned())
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                let ctx = Arc::clone(&slot.0);
                if catch_unwind(AssertUnwindSafe(|| serve_connection(&ctx, stream))).is_err() {
                    eprintln!("policykg serve: a request handler panicked; the connection was closed");
                }
                drop(slot);
            });
        if let Err(e) = spawned {
            // The closure (and with it the slot and the stream) was dropped.
            if ctx.config.log {
                eprintln!("policykg serve: cannot start a connection thread: {e}");
            }
        }
    }
}

fn rejector(ctx: &Context, rx: &Receiver<TcpStream>) {
    while let Ok(mut stream) = rx.recv() {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let reply = Reply::text(
            503,
            format!(
                "server busy: {} connections are open (the server's --max-connections); retry shortly",
                ctx.config.max_connections
            ),
        )
        .header("Retry-After", "1");
        let _ = write_reply(&mut stream, &reply, false, &ctx.config.cors_origin);
        if ctx.config.log {
            eprintln!("policykg serve: {} busy 503", peer(&stream));
        }
        linger_close(stream, Duration::from_millis(200));
    }
}

fn peer(stream: &TcpStream) -> String {
    stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "-".to_owned())
}

fn serve_connection(ctx: &Context, mut stream: TcpStream) {
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(ctx.config.io_timeout));
    let _ = stream.set_write_timeout(Some(ctx.config.io_timeout));
    let _ = stream.set_nodelay(true);
    // `read_whole`: the request was read to its end, so closing cannot reset the connection.
    let deadline = started + ctx.config.io_timeout;
    let (what, reply, head, read_whole) = match read_request(&stream, ctx.config.max_body, deadline) {
        Ok(req) => {
            let reply = route(ctx, &req);
            let what = printable(&format!("{} {}", req.method, req.target), 120);
            (what, reply, req.method == "HEAD", true)
        }
        Err(ReadError::Reply(reply)) => ("-".to_owned(), reply, false, false),
        Err(ReadError::Closed) => return,
    };
    let written = write_reply(&mut stream, &reply, head, &ctx.config.cors_origin);
    if ctx.config.log {
        eprintln!(
            "policykg serve: {} \"{what}\" {} {} B {:.1} ms{}",
            peer(&stream),
            reply.status,
            reply.body.len(),
            started.elapsed().as_secs_f64() * 1e3,
            if written.is_err() { " (client gone)" } else { "" }
        );
    }
    if read_whole {
        let _ = stream.shutdown(Shutdown::Write);
    } else {
        linger_close(stream, Duration::from_millis(200));
    }
}

/// `text` for a log line: control characters replaced, at most `max` bytes.
fn printable(text: &str, max: usize) -> String {
    let mut out: String = text.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
    if out.len() > max {
        let cut = (0..=max.saturating_sub(3))
            .rev()
            .find(|&i| out.is_char_boundary(i))
            .unwrap_or(0);
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Closes a connection politely: stop writing, then read (and drop) what the client may still
/// be sending for a short while, so that closing does not reset the connection before the
/// client has read the answer.
fn linger_close(stream: TcpStream, wait: Duration) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(wait));
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; 8192];
    let mut total = 0usize;
    let mut reader = &stream;
    while Instant::now() < deadline && total < 4 * 1024 * 1024 {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
}

// ---------------------------------------------------------------------------------------
// HTTP/1.1 requests and replies
// ---------------------------------------------------------------------------------------

/// A parsed request (one per connection).
struct Request {
    method: http::Method,
    /// The request target as sent (for logs).
    target: String,
    /// Percent-decoded path.
    path: String,
    /// Raw query string (after `?`).
    query: String,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Request {
    /// A header's value, when it is visible ASCII.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

enum ReadError {
    /// Answer this and close.
    Reply(Reply),
    /// The client went away (or sent nothing): close silently.
    Closed,
}

impl From<Reply> for ReadError {
    fn from(r: Reply) -> Self {
        ReadError::Reply(r)
    }
}

fn io_error(e: &io::Error) -> ReadError {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => ReadError::Reply(Reply::text(
            408,
            "request timeout: the request was not received in time",
        )),
        _ => ReadError::Closed,
    }
}

fn bad_request(message: impl std::fmt::Display) -> ReadError {
    Reply::text(400, format!("bad request: {message}")).into()
}

/// Appends one line (up to and with its `\n`) to `buf`, reading at most `budget` bytes in
/// all: `431` past it, [`ReadError::Closed`] when the client stops mid-line.
fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, budget: usize) -> Result<(), ReadError> {
    let room = budget.saturating_sub(buf.len()) as u64 + 1;
    let n = reader.take(room).read_until(b'\n', buf).map_err(|e| io_error(&e))?;
    if buf.len() > budget {
        return Err(Reply::text(
            431,
            "request head too large: shorten the query string (or POST the query) and the headers",
        )
        .into());
    }
    if n == 0 || buf.last() != Some(&b'\n') {
        return Err(ReadError::Closed);
    }
    Ok(())
}

/// Reads from a socket until a deadline: each read waits at most the time left, so a client
/// trickling bytes (slowloris) cannot keep a connection past the deadline.
struct DeadlineReader<'a> {
    stream: &'a TcpStream,
    until: Instant,
}

impl Read for DeadlineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(ErrorKind::TimedOut, "request deadline passed"));
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

/// Reads one request: the head line by line up to its empty line (within
/// `max_body` + [`MAX_HEAD_EXTRA`] bytes and the deadline), parsed by `httparse`; then the
/// body, refused with `413` before it is read when it is declared too large.
fn read_request(stream: &TcpStream, max_body: usize, deadline: Instant) -> Result<Request, ReadError> {
    let mut reader = BufReader::new(DeadlineReader {
        stream,
        until: deadline,
    });
    let budget = max_body + MAX_HEAD_EXTRA;
    let mut head = Vec::new();
    // Lines up to the empty one that ends the head (empty lines before the request line do
    // not count, RFC 9112 §2.2).
    let mut started = false;
    loop {
        let line_start = head.len();
        read_line(&mut reader, &mut head, budget)?;
        let blank = matches!(&head[line_start..], b"\n" | b"\r\n");
        if blank && started {
            break;
        }
        started |= !blank;
    }
    let mut header_slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut header_slots);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(bad_request("incomplete request head")),
        Err(httparse::Error::Version) => {
            return Err(Reply::text(505, "only HTTP/1.0 and HTTP/1.1 are supported").into())
        }
        Err(httparse::Error::TooManyHeaders) => return Err(Reply::text(431, "too many header lines").into()),
        Err(e) => return Err(bad_request(e)),
    }
    let (Some(method), Some(target)) = (parsed.method, parsed.path) else {
        return Err(bad_request("malformed request line"));
    };
    let method = http::Method::from_bytes(method.as_bytes()).map_err(|_| bad_request("malformed method"))?;
    let (raw_path, query) = target.split_once('?').unwrap_or((target, ""));
    if !(raw_path.starts_with('/') || (method == http::Method::OPTIONS && raw_path == "*")) {
        return Err(bad_request("the request target must be a path such as /query"));
    }
    let path = percent_decode(raw_path, false).map_err(bad_request)?;
    let mut headers = http::HeaderMap::with_capacity(parsed.headers.len());
    for h in parsed.headers.iter() {
        let name = http::HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| bad_request("malformed header name"))?;
        let value = http::HeaderValue::from_bytes(h.value).map_err(|_| bad_request("malformed header value"))?;
        headers.append(name, value);
    }
    let mut req = Request {
        method,
        target: target.to_owned(),
        path,
        query: query.to_owned(),
        headers,
        body: Vec::new(),
    };
    if req.query.len() > max_body {
        return Err(Reply::text(
            413,
            format!("request too large: the query string has more than {max_body} bytes"),
        )
        .into());
    }
    req.body = read_body(&req, &mut reader, stream, max_body)?;
    Ok(req)
}

fn too_large_body(max_body: usize) -> ReadError {
    Reply::text(
        413,
        format!("request too large: the body has more than {max_body} bytes (the server's --max-body)"),
    )
    .into()
}

/// The body of a request, by its `Content-Length` or chunked. A declared length over
/// `max_body` is refused before anything is read (and before `100 Continue` invites the body).
fn read_body(
    req: &Request,
    reader: &mut impl BufRead,
    stream: &TcpStream,
    max_body: usize,
) -> Result<Vec<u8>, ReadError> {
    use http::header::{CONTENT_LENGTH, EXPECT, TRANSFER_ENCODING};
    let expect_continue = match req.headers.get(EXPECT) {
        None => false,
        Some(v) if v.as_bytes().eq_ignore_ascii_case(b"100-continue") => true,
        Some(_) => return Err(Reply::text(417, "only `Expect: 100-continue` is supported").into()),
    };
    let lengths: Vec<&[u8]> = req
        .headers
        .get_all(CONTENT_LENGTH)
        .iter()
        .map(|v| v.as_bytes())
        .collect();
    let chunked = match req.headers.get(TRANSFER_ENCODING) {
        None => false,
        Some(te) if te.as_bytes().eq_ignore_ascii_case(b"chunked") => true,
        Some(te) => {
            let te = String::from_utf8_lossy(te.as_bytes());
            return Err(Reply::text(501, format!("Transfer-Encoding {te} is not supported")).into());
        }
    };
    let send_continue = || {
        if expect_continue {
            let mut w = stream;
            let _ = w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
            let _ = w.flush();
        }
    };
    if chunked {
        if !lengths.is_empty() {
            return Err(bad_request("both Content-Length and Transfer-Encoding"));
        }
        send_continue();
        return read_chunked(reader, max_body);
    }
    let Some(first) = lengths.first() else {
        return Ok(Vec::new());
    };
    if lengths.iter().any(|l| l != first) {
        return Err(bad_request("conflicting Content-Length headers"));
    }
    let len: u64 = std::str::from_utf8(first)
        .ok()
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| bad_request("Content-Length is not a number"))?;
    if len > max_body as u64 {
        return Err(too_large_body(max_body));
    }
    send_continue();
    let mut body = vec![0u8; usize::try_from(len).unwrap_or(max_body)];
    reader.read_exact(&mut body).map_err(|e| io_error(&e))?;
    Ok(body)
}

/// A chunked body (chunk sizes parsed by `httparse`), at most `max_body` bytes.
fn read_chunked(reader: &mut impl BufRead, max_body: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    let mut line = Vec::new();
    fn read_next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Result<(), ReadError> {
        line.clear();
        read_line(reader, line, MAX_HEAD_EXTRA)
    }
    loop {
        read_next_line(reader, &mut line)?;
        let size = match httparse::parse_chunk_size(&line) {
            Ok(httparse::Status::Complete((_, size))) => size,
            _ => return Err(bad_request("bad chunk size")),
        };
        if size == 0 {
            // Trailer fields, then an empty line.
            loop {
                read_next_line(reader, &mut line)?;
                if matches!(line.as_slice(), b"\n" | b"\r\n") {
                    return Ok(body);
                }
            }
        }
        if (body.len() as u64).saturating_add(size) > max_body as u64 {
            return Err(too_large_body(max_body));
        }
        let start = body.len();
        body.resize(start + size as usize, 0);
        reader.read_exact(&mut body[start..]).map_err(|e| io_error(&e))?;
        read_next_line(reader, &mut line)?;
        if !matches!(line.as_slice(), b"\n" | b"\r\n") {
            return Err(bad_request("chunk not followed by CRLF"));
        }
    }
}

/// An HTTP answer, built completely before anything is sent.
#[derive(Debug)]
struct Reply {
    status: u16,
    content_type: Option<String>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// A plain-text answer (errors, help): the message and a newline.
    fn text(status: u16, message: impl Into<String>) -> Reply {
        let mut body = message.into().into_bytes();
        body.push(b'\n');
        Reply {
            status,
            content_type: Some("text/plain; charset=utf-8".to_owned()),
            headers: Vec::new(),
            body,
        }
    }

    fn body(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            content_type: Some(content_type.to_owned()),
            headers: Vec::new(),
            body,
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// Writes a reply: status line (reason phrases from `http`), `Date` (`httpdate`), the
/// server's fixed headers, then the body (none for `HEAD` and `204`).
fn write_reply(stream: &mut TcpStream, reply: &Reply, head_only: bool, cors_origin: &str) -> io::Result<()> {
    let status = http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nDate: {}\r\nServer: policykg/{}\r\nConnection: close\r\n\
         Access-Control-Allow-Origin: {cors_origin}\r\nVary: Accept, Origin\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or(""),
        httpdate::fmt_http_date(SystemTime::now()),
        env!("CARGO_PKG_VERSION"),
    );
    if let Some(ct) = &reply.content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if status != http::StatusCode::NO_CONTENT {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = io::BufWriter::new(stream);
    out.write_all(head.as_bytes())?;
    if !head_only && status != http::StatusCode::NO_CONTENT {
        out.write_all(&reply.body)?;
    }
    out.flush()
}

/// Decodes `%XX` escapes (and `+` as a space in form data) into UTF-8 text; a `%` not
/// followed by two hex digits stays as it is (as in the WHATWG URL standard).
fn percent_decode(s: &str, plus_is_space: bool) -> Result<String, String> {
    let spaced;
    let s = if plus_is_space && s.contains('+') {
        spaced = s.replace('+', " ");
        spaced.as_str()
    } else {
        s
    };
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| "%-escapes that are not UTF-8".to_owned())
}

/// Parses `a=1&b=2` (URL query strings and form bodies).
fn parse_params(s: &str) -> Result<Vec<(String, String)>, Reply> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((
                percent_decode(k, true).map_err(|m| Reply::text(400, format!("bad parameter: {m}")))?,
                percent_decode(v, true).map_err(|m| Reply::text(400, format!("bad parameter: {m}")))?,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// SPARQL Protocol
// ---------------------------------------------------------------------------------------

/// Methods `/store` (Graph Store Protocol) answers.
const STORE_METHODS: &str = "GET, HEAD, PUT, POST, DELETE";

fn route(ctx: &Context, req: &Request) -> Reply {
    if req.method == "OPTIONS" {
        return Reply::empty(204)
            .header("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS")
            .header("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type")
            .header("Access-Control-Max-Age", "600")
            .header("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
    }
    let get = matches!(req.method.as_str(), "GET" | "HEAD");
    let not_allowed = |allow: &str| {
        Reply::text(405, format!("method {} not allowed here; use {allow}", req.method))
            .header("Allow", format!("{allow}, OPTIONS"))
    };
    let result = match req.path.as_str() {
        "/" if get => Ok(help(ctx)),
        "/" => Err(not_allowed("GET")),
        "/query" if get || req.method == "POST" => run_query(ctx, req),
        "/query" => Err(not_allowed("GET, POST")),
        "/update" if req.method == "POST" => run_update(ctx, req),
        "/update" => Err(not_allowed("POST")),
        "/store" if get => graph_get(ctx, req),
        "/store" if matches!(req.method.as_str(), "PUT" | "POST" | "DELETE") => graph_write(ctx, req),
        "/store" => Err(not_allowed(STORE_METHODS)),
        "/queries" if get => Ok(list_queries(ctx)),
        "/queries" => Err(not_allowed("GET")),
        p if p.starts_with("/queries/") && get => run_named(ctx, req, &p["/queries/".len()..]),
        p if p.starts_with("/queries/") => Err(not_allowed("GET")),
        _ => Err(Reply::text(
            404,
            "not found; the endpoints are /query, /update, /store, /queries and /queries/NAME",
        )),
    };
    result.unwrap_or_else(|reply| reply)
}

fn help(ctx: &Context) -> Reply {
    let names: Vec<&str> = ctx.library.iter().map(|q| q.name.as_str()).collect();
    Reply::text(
        200,
        format!(
            "policykg SPARQL endpoint ({})\n\n\
             GET  /query?query=…          SPARQL query (also POST: form or application/sparql-query)\n\
             GET  /query                  the SPARQL 1.1 service description (Turtle by default)\n\
             POST /update                 SPARQL Update ({})\n\
             GET  /store?graph=IRI        one graph (Graph Store Protocol; ?default = the union)\n\
             GET  /queries                the named queries (JSON)\n\
             GET  /queries/NAME?p=v       run a named query with parameters\n\n\
             Results: JSON (default), XML, CSV, TSV, text/plain; graphs: Turtle (default),\n\
             N-Triples, RDF/XML or JSON-LD.\n\
             Limits: {} s per query, {} results, {} bytes of request.\n\
             Named queries: {}",
            if ctx.config.allow_update {
                "read-write"
            } else {
                "read-only"
            },
            if ctx.config.allow_update {
                "needs Authorization: Bearer TOKEN"
            } else {
                "disabled"
            },
            ctx.config.timeout.as_secs_f64(),
            ctx.config.max_results,
            ctx.config.max_body,
            names.join(", ")
        ),
    )
}

fn list_queries(ctx: &Context) -> Reply {
    let queries: Vec<serde_json::Value> = ctx
        .library
        .iter()
        .map(|q| {
            serde_json::json!({
                "name": q.name,
                "description": q.description,
                "url": format!("/queries/{}", q.name),
                "params": q.params.iter().map(|p| serde_json::json!({
                    "name": p.name,
                    "kind": p.kind.name(),
                    "description": p.description,
                    "optional": p.is_optional(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let body = serde_json::to_vec_pretty(&serde_json::json!({ "queries": queries })).unwrap_or_default();
    Reply::body(200, "application/json", body)
}

/// The URL a client reached `path` at, which is the base IRI of its query or update: `http://`,
/// its `Host` header when that is a plain `host[:port]` (else the address the server listens
/// on), then `path`.
fn public_url(ctx: &Context, req: &Request, path: &str) -> String {
    match req.header("Host").map(str::trim).filter(|h| plain_authority(h)) {
        Some(host) => format!("http://{host}{path}"),
        None => format!("http://{}{path}", ctx.addr),
    }
}

/// Whether a `Host` header is a host name or address with an optional port, nothing more.
fn plain_authority(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':' | b'[' | b']'))
        && oxiri::Iri::parse(format!("http://{host}/")).is_ok()
}

/// The media type of a request's `Content-Type`, lower-cased, without parameters; refuses
/// charsets other than UTF-8.
fn media_type(req: &Request) -> Result<String, Reply> {
    let Some(ct) = req.header("Content-Type") else {
        return Ok(String::new());
    };
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    for p in parts {
        if let Some((k, v)) = p.split_once('=') {
            let v = v.trim().trim_matches('"');
            if k.trim().eq_ignore_ascii_case("charset")
                && !v.eq_ignore_ascii_case("utf-8")
                && !v.eq_ignore_ascii_case("utf8")
            {
                return Err(Reply::text(415, format!("unsupported charset {v}; send UTF-8")));
            }
        }
    }
    Ok(media)
}

/// The protocol parameters of a query or update request: URL parameters, plus a form body or
/// a direct body (`application/sparql-query`/`-update`) as the `field` parameter. Returns the
/// single `field` value and all parameters.
fn protocol_params(req: &Request, field: &str, direct_type: &str) -> Result<(String, Vec<(String, String)>), Reply> {
    let mut params = parse_params(&req.query)?;
    if req.method == "POST" {
        let media = media_type(req)?;
        if media == "application/x-www-form-urlencoded" {
            let body = std::str::from_utf8(&req.body).map_err(|_| Reply::text(400, "the form body is not UTF-8"))?;
            params.extend(parse_params(body)?);
        } else if media == direct_type {
            let text = String::from_utf8(req.body.clone())
                .map_err(|_| Reply::text(400, format!("the {field} is not UTF-8")))?;
            params.push((field.to_owned(), text));
        } else {
            let got = if media.is_empty() {
                "no Content-Type".to_owned()
            } else {
                format!("Content-Type {media}")
            };
            return Err(Reply::text(
                415,
                format!(
                    "unsupported {got}; POST application/x-www-form-urlencoded ({field}=…) or \
                     {direct_type}"
                ),
            ));
        }
    }
    let mut values = params.iter().filter(|(k, _)| k == field).map(|(_, v)| v);
    match (values.next(), values.next()) {
        (Some(text), None) => Ok((text.clone(), params.clone())),
        (None, _) => Err(Reply::text(
            400,
            format!("missing `{field}` parameter (the SPARQL text)"),
        )),
        (Some(_), Some(_)) => Err(Reply::text(400, format!("more than one `{field}` parameter"))),
    }
}

/// IRIs of the parameters named `name` (`default-graph-uri`, …).
fn graph_params(params: &[(String, String)], name: &str) -> Result<Vec<NamedNode>, Reply> {
    params
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| NamedNode::new(v.as_str()).map_err(|e| Reply::text(400, format!("bad {name} {v:?}: {e}"))))
        .collect()
}

fn service_refused() -> Reply {
    Reply::text(
        403,
        "SERVICE (federated query) is disabled on this endpoint: queries may only read the \
         local store. The operator may start the server with --allow-service to let queries \
         call remote endpoints.",
    )
}

fn run_query(ctx: &Context, req: &Request) -> Result<Reply, Reply> {
    if req.method != "POST" {
        // `GET /query` without a query: the service description (SPARQL 1.1 Service
        // Description §2). A dataset without a query is still a mistake.
        let params = parse_params(&req.query)?;
        if params.iter().all(|(k, _)| matches!(k.as_str(), "format" | "output")) {
            return service_description(ctx, req, &params);
        }
    }
    let (text, params) = protocol_params(req, "query", "application/sparql-query")?;
    // Fail fast when the client accepts nothing we can write.
    let requested = requested_format(req, &params)?;
    // Relative IRIs of a query without BASE resolve against the endpoint (Protocol §2.2).
    let base_iri = public_url(ctx, req, "/query");
    // SERVICE is found on the parsed query, so the nesting the parser recurses on is
    // checked first.
    check_nesting(&text).map_err(|m| Reply::text(400, m))?;
    if !ctx.config.allow_service && uses_service(&text, Some(&base_iri)) {
        return Err(service_refused());
    }
    // Checked before anything is evaluated: the dataset parameters, then the query itself
    // (syntax, nesting, shapes that cannot finish: 400).
    let default_graphs = graph_params(&params, "default-graph-uri")?;
    let named_graphs = graph_params(&params, "named-graph-uri")?;
    let verdict = check_query(&text, Some(&base_iri)).map_err(|m| Reply::text(400, m))?;
    let job = Job {
        query: JobQuery::Text(text),
        default_graphs: default_graphs.iter().map(|g| g.as_str().to_owned()).collect(),
        named_graphs: named_graphs.iter().map(|g| g.as_str().to_owned()).collect(),
        base_iri: Some(base_iri),
        ..job_limits(ctx, &requested)
    };
    Ok(evaluate_job(ctx, job, verdict))
}

/// A job with the server's limits and the negotiated output, evaluating nothing yet.
fn job_limits(ctx: &Context, requested: &Requested) -> Job {
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    Job {
        query: JobQuery::Text(String::new()),
        default_graphs: Vec::new(),
        named_graphs: Vec::new(),
        base_iri: None,
        timeout_ms: Some(ms(ctx.config.timeout)),
        service_timeout_ms: ctx.config.allow_service.then(|| ms(ctx.config.timeout)),
        max_results: Some(ctx.config.max_results),
        output: job::negotiated(requested),
    }
}

/// Evaluates a job: in an evaluation process of the pool (its lane from the static
/// check's verdict), or on a thread of this process when there is no pool. A job that went
/// past its time or memory limit within [`PENALTY`] is refused at once.
fn evaluate_job(ctx: &Context, job: Job, verdict: Verdict) -> Reply {
    if let Some(pool) = &ctx.pool {
        let lane = match verdict {
            Verdict::Light => LIGHT_LANE,
            Verdict::General => GENERAL_LANE,
        };
        let key = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            serde_json::to_string(&job.query).unwrap_or_default().hash(&mut h);
            job.default_graphs.hash(&mut h);
            job.named_graphs.hash(&mut h);
            job.base_iri.hash(&mut h);
            h.finish()
        };
        let now = Instant::now();
        {
            let penalties = ctx.penalties.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((when, status, message)) = penalties.get(&key).filter(|p| now.duration_since(p.0) < PENALTY) {
                let left = PENALTY.saturating_sub(now.duration_since(*when));
                return Reply::text(
                    *status,
                    format!(
                        "{message} (refused at once: the same query went past its limit {:.0} s \
                         ago; it is not evaluated again for {} s)",
                        now.duration_since(*when).as_secs_f64(),
                        PENALTY.as_secs()
                    ),
                )
                .header("Retry-After", (left.as_secs() + 1).to_string());
            }
        }
        let reply = pool.run(lane, &job);
        let over_limit = reply.status == 507 || (reply.status == 503 && reply.body.starts_with(b"query timeout"));
        if over_limit {
            let mut penalties = ctx.penalties.lock().unwrap_or_else(PoisonError::into_inner);
            if penalties.len() >= PENALTY_ENTRIES {
                penalties.retain(|_, p| now.duration_since(p.0) < PENALTY);
                if penalties.len() >= PENALTY_ENTRIES {
                    penalties.clear();
                }
            }
            let message = String::from_utf8_lossy(&reply.body).trim_end().to_owned();
            penalties.insert(key, (Instant::now(), reply.status, message));
        }
        return reply;
    }
    let store = Arc::clone(&ctx.store);
    match run_bounded(ctx, "query", move || job::run(store.inner(), &job)) {
        Ok(reply) => reply.into(),
        Err(reply) => reply,
    }
}

fn run_named(ctx: &Context, req: &Request, name: &str) -> Result<Reply, Reply> {
    let q = query::find(&ctx.library, name).map_err(error_reply)?;
    let params = parse_params(&req.query)?;
    let requested = requested_format(req, &params)?;
    let given: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "format" | "output"))
        .collect();
    let bindings = query::bind_params(q, &given).map_err(error_reply)?;
    if !ctx.config.allow_service && uses_service(&q.text, None) {
        return Err(service_refused());
    }
    let job = Job {
        query: JobQuery::Named {
            name: q.name.clone(),
            text: q.text.clone(),
            bindings: bindings.iter().map(|(n, t)| (n.clone(), t.to_string())).collect(),
        },
        ..job_limits(ctx, &requested)
    };
    Ok(evaluate_job(ctx, job, Verdict::General))
}

// ---------------------------------------------------------------------------------------
// Content negotiation
// ---------------------------------------------------------------------------------------

/// What an answer is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    Json,
    Xml,
    Csv,
    Tsv,
    Table,
    Turtle,
    NTriples,
    RdfXml,
    JsonLd,
}

/// Formats of `SELECT`/`ASK` answers, in the server's order of preference (the first is what
/// `Accept: */*` or no `Accept` gets).
const RESULT_FORMATS: [Format; 5] = [Format::Json, Format::Xml, Format::Csv, Format::Tsv, Format::Table];
/// Formats of graphs (`CONSTRUCT`/`DESCRIBE` answers, the service description, Graph Store
/// reads), in the server's order of preference.
const GRAPH_FORMATS: [Format; 4] = [Format::Turtle, Format::NTriples, Format::RdfXml, Format::JsonLd];

impl Format {
    /// Media types that select this format: the one it is answered as first, then aliases
    /// (which count only when an `Accept` range names them exactly).
    fn media_types(self) -> &'static [&'static str] {
        match self {
            Format::Json => &["application/sparql-results+json", "application/json"],
            Format::Xml => &["application/sparql-results+xml", "application/xml", "text/xml"],
            Format::Csv => &["text/csv"],
            Format::Tsv => &["text/tab-separated-values"],
            Format::Table => &["text/plain"],
            Format::Turtle => &["text/turtle", "application/x-turtle"],
            Format::NTriples => &["application/n-triples", "text/plain"],
            Format::RdfXml => &["application/rdf+xml", "application/xml", "text/xml"],
            Format::JsonLd => &["application/ld+json", "application/json"],
        }
    }

    /// The `Content-Type` of answers in this format.
    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/sparql-results+json",
            Format::Xml => "application/sparql-results+xml",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Tsv => "text/tab-separated-values; charset=utf-8",
            Format::Table => "text/plain; charset=utf-8",
            Format::Turtle => "text/turtle",
            Format::NTriples => "application/n-triples",
            Format::RdfXml => "application/rdf+xml",
            Format::JsonLd => "application/ld+json",
        }
    }

    /// A format named in a `format`/`output` parameter (`json`, `csv`, `turtle`, …), for
    /// solutions or for graphs (`json` and `xml` mean JSON-LD and RDF/XML for graphs).
    fn by_name(name: &str, graph: bool) -> Option<Format> {
        let f = match name.trim().to_ascii_lowercase().as_str() {
            "json" if graph => Format::JsonLd,
            "json" => Format::Json,
            "xml" if graph => Format::RdfXml,
            "xml" => Format::Xml,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "table" | "text" => Format::Table,
            // Turtle is N3 too (SPARQLWrapper's N3).
            "turtle" | "ttl" | "n3" => Format::Turtle,
            "ntriples" | "nt" | "n-triples" => Format::NTriples,
            "rdfxml" | "rdf" | "rdf/xml" | "rdf-xml" | "rdf+xml" => Format::RdfXml,
            "jsonld" | "json-ld" => Format::JsonLd,
            _ => return None,
        };
        offers(graph).contains(&f).then_some(f)
    }

    /// The CLI format writing these solutions (`None` for graph formats).
    fn results(self) -> Option<OutputFormat> {
        Some(match self {
            Format::Json => OutputFormat::Json,
            Format::Xml => OutputFormat::Xml,
            Format::Csv => OutputFormat::Csv,
            Format::Tsv => OutputFormat::Tsv,
            Format::Table => OutputFormat::Table,
            _ => return None,
        })
    }

    /// The RDF syntax of a graph format (`None` for result formats).
    fn rdf(self) -> Option<RdfFormat> {
        match self {
            Format::Turtle => Some(RdfFormat::Turtle),
            Format::NTriples => Some(RdfFormat::NTriples),
            Format::RdfXml => Some(RdfFormat::RdfXml),
            Format::JsonLd => RdfFormat::from_media_type("application/ld+json"),
            _ => None,
        }
    }
}

fn offers(graph: bool) -> &'static [Format] {
    if graph {
        &GRAPH_FORMATS
    } else {
        &RESULT_FORMATS
    }
}

/// The media ranges of an `Accept` header with their quality (`*` alone counts as `*/*`).
fn accept_ranges(accept: &str) -> Vec<(String, f32)> {
    accept
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let mut media = parts.next()?.trim().to_ascii_lowercase();
            if media == "*" {
                media = "*/*".to_owned();
            }
            if !media.contains('/') {
                return None;
            }
            let mut q = 1.0f32;
            for p in parts {
                if let Some((k, v)) = p.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = v.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0);
                    }
                }
            }
            Some((media, q))
        })
        .collect()
}

/// How specifically a media range matches a media type: 3 exactly, 2 as `type/*`, 1 as
/// `*/*`, 0 not at all.
fn specificity(range: &str, media: &str) -> u8 {
    if range == media {
        3
    } else if range == "*/*" {
        1
    } else if range
        .strip_suffix("/*")
        .is_some_and(|t| media.split('/').next() == Some(t))
    {
        2
    } else {
        0
    }
}

/// Picks one of `offers` (in the server's order of preference) for an `Accept` header, as
/// RFC 9110 §12.5.1 says: an offer's quality is the one of the most specific range matching
/// its media type (aliases such as `application/json` count when named exactly); the highest
/// quality wins, then an exact match over a wildcard, then the range the client listed
/// first, then the server's order. `q=0` excludes. No (or an empty) `Accept` means anything:
/// the first offer.
fn negotiate(accept: &str, offers: &[Format]) -> Option<Format> {
    let accept = accept.trim();
    if accept.is_empty() {
        return offers.first().copied();
    }
    let ranges = accept_ranges(accept);
    // (quality, specificity, position) of the best range for one media type.
    let matching = |media: &str, exact_only: bool| {
        ranges
            .iter()
            .enumerate()
            .map(|(pos, (range, q))| (*q, specificity(range, media), pos))
            .filter(|&(_, s, _)| s == 3 || (s > 0 && !exact_only))
            .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
    };
    let better =
        |a: (f32, u8, usize), b: (f32, u8, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)).is_gt();
    let mut best: Option<(Format, (f32, u8, usize))> = None;
    for &offer in offers {
        let (main, aliases) = offer.media_types().split_first()?;
        let mut score = matching(main, false);
        // A main type named exactly decides (even with q=0); otherwise an alias named
        // exactly may do better than a wildcard.
        if score.is_none_or(|s| s.1 < 3) {
            for alias in aliases {
                if let Some(s) = matching(alias, true) {
                    if score.is_none_or(|cur| better(s, cur)) {
                        score = Some(s);
                    }
                }
            }
        }
        let Some(score) = score.filter(|s| s.0 > 0.0) else {
            continue;
        };
        if best.is_none_or(|(_, b)| better(score, b)) {
            best = Some((offer, score));
        }
    }
    best.map(|(f, _)| f)
}

/// What the client accepts, read before evaluating.
struct Requested {
    for_solutions: Option<Format>,
    for_graphs: Option<Format>,
    asked: String,
}

/// The formats a request asks for: a `format`/`output` parameter (a name such as `json`,
/// `csv`, `turtle` or a media type) when it names one this server writes, else `Accept`.
/// (SPARQLWrapper sends both; a name it knows and this server does not is left to `Accept`.)
fn requested_format(req: &Request, params: &[(String, String)]) -> Result<Requested, Reply> {
    let explicit = params
        .iter()
        .find(|(k, _)| k == "format" || k == "output")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    if let Some(name) = &explicit {
        let pick = |graph: bool| Format::by_name(name, graph).or_else(|| negotiate(name, offers(graph)));
        let (for_solutions, for_graphs) = (pick(false), pick(true));
        if for_solutions.is_some() || for_graphs.is_some() {
            return Ok(Requested {
                for_solutions,
                for_graphs,
                asked: format!("format={name}"),
            });
        }
    }
    let accept = req.header("Accept").unwrap_or("").trim();
    let (for_solutions, for_graphs) = (negotiate(accept, &RESULT_FORMATS), negotiate(accept, &GRAPH_FORMATS));
    let asked = format!("Accept: {accept}");
    if for_solutions.is_none() && for_graphs.is_none() {
        return Err(not_acceptable(&asked));
    }
    Ok(Requested {
        for_solutions,
        for_graphs,
        asked,
    })
}

fn not_acceptable(asked: &str) -> Reply {
    Reply::text(
        406,
        format!(
            "cannot answer with {asked}; SELECT/ASK answers come as \
             application/sparql-results+json, application/sparql-results+xml, text/csv, \
             text/tab-separated-values or text/plain; graphs (CONSTRUCT/DESCRIBE, the service \
             description, /store) as text/turtle, application/n-triples, application/rdf+xml or \
             application/ld+json"
        ),
    )
}

/// `triples` written in a graph `format` (Turtle declares `prefixes` it uses).
fn graph_reply(triples: &[Triple], format: Format, prefixes: &[(&str, &str)]) -> Result<Reply, Reply> {
    let rdf = format
        .rdf()
        .ok_or_else(|| Reply::text(500, format!("{format:?} is not an RDF format")))?;
    let mut body = Vec::new();
    query::write_graph_with_prefixes(triples, rdf, prefixes, &mut body)
        .map_err(|e| Reply::text(500, format!("cannot write the graph: {e}")))?;
    Ok(Reply::body(200, format.content_type(), body))
}

fn answer_reply(answer: Result<Answer, QueryError>, requested: &Requested) -> Result<Reply, Reply> {
    let answer = answer.map_err(error_reply)?;
    if let Answer::Graph(triples) = &answer {
        let format = requested.for_graphs.ok_or_else(|| not_acceptable(&requested.asked))?;
        return graph_reply(triples, format, &[]);
    }
    let format = requested
        .for_solutions
        .and_then(Format::results)
        .ok_or_else(|| not_acceptable(&requested.asked))?;
    let mut body = Vec::new();
    query::write_answer(&answer, format, &mut body).map_err(error_reply)?;
    Ok(Reply::body(
        200,
        requested.for_solutions.map_or("text/plain", Format::content_type),
        body,
    ))
}

fn error_reply(e: QueryError) -> Reply {
    let status = match &e {
        QueryError::Parse(_)
        | QueryError::MissingParam { .. }
        | QueryError::UnknownParam { .. }
        | QueryError::InvalidParam { .. } => 400,
        QueryError::UnknownQuery { .. } => 404,
        QueryError::TooManyResults(_) => 413,
        QueryError::Timeout(_) => 503,
        QueryError::Eval(
            QueryEvaluationError::UnsupportedService(_)
            | QueryEvaluationError::Service(_)
            | QueryEvaluationError::UnboundService
            | QueryEvaluationError::InvalidServiceName(_),
        ) => return Reply::text(502, format!("a SERVICE call failed: {e}")),
        _ => 500,
    };
    let message = match &e {
        QueryError::TooManyResults(_) => format!("result too large: {e}"),
        QueryError::Timeout(_) => format!("query timeout: {e}"),
        _ => e.to_string(),
    };
    Reply::text(status, message)
}

// ---------------------------------------------------------------------------------------
// Service description (SPARQL 1.1 Service Description)
// ---------------------------------------------------------------------------------------

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const FORMATS: &str = "http://www.w3.org/ns/formats/";
/// Terms for what the SPARQL Service Description vocabulary has no words for (limits, the
/// Graph Store, the named queries); the service description defines them itself.
const EP: &str = "https://w3id.org/policykg/ont/endpoint#";
const RDF_NS: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";

/// Prefixes of the service description in Turtle.
const SD_PREFIXES: &[(&str, &str)] = &[
    ("sd", SD),
    ("formats", FORMATS),
    ("ep", EP),
    ("rdfs", RDFS),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// The endpoint's own terms: name, range and what they say.
const EP_TERMS: &[(&str, &str, &str)] = &[
    (
        "queryTimeout",
        "decimal",
        "Longest evaluation of one query or update, in seconds; longer ones are cancelled and answered 503.",
    ),
    (
        "maxResults",
        "integer",
        "Most solutions or triples in one answer (also one /store read); larger answers are refused with 413.",
    ),
    (
        "maxRequestBytes",
        "integer",
        "Largest request body or query string, in bytes; larger requests are refused with 413 before they are read.",
    ),
    (
        "requestTimeout",
        "decimal",
        "Seconds a client has to send its whole request (else 408).",
    ),
    (
        "evaluationSlots",
        "integer",
        "Queries or updates evaluated at the same time.",
    ),
    (
        "queueLength",
        "integer",
        "Requests that may wait for an evaluation slot; beyond that, 503 with Retry-After.",
    ),
    (
        "maxConnections",
        "integer",
        "Connections served at the same time; beyond that, 503 with Retry-After.",
    ),
    (
        "maxMemory",
        "integer",
        "Most memory (address space) one query evaluation may use, in bytes; past it the evaluation is stopped and answered 507.",
    ),
    (
        "isolatedEvaluation",
        "boolean",
        "True when each query is evaluated in a separate process, under the memory limit, killed at the time limit.",
    ),
    (
        "readOnly",
        "boolean",
        "True when SPARQL Update and Graph Store writes are refused (403).",
    ),
    (
        "federatedQuery",
        "boolean",
        "True when queries may call remote endpoints with SERVICE; otherwise such queries get 403.",
    ),
    (
        "graphStore",
        "anyURI",
        "Graph Store Protocol endpoint of the same store (GET /store?graph=IRI or ?default).",
    ),
    (
        "namedQueries",
        "anyURI",
        "The library of named, parameterised queries (JSON list).",
    ),
];

fn service_description(ctx: &Context, req: &Request, params: &[(String, String)]) -> Result<Reply, Reply> {
    let requested = requested_format(req, params)?;
    let format = requested.for_graphs.ok_or_else(|| not_acceptable(&requested.asked))?;
    let triples = description_triples(ctx, req).map_err(|e| Reply::text(500, format!("service description: {e}")))?;
    graph_reply(&triples, format, SD_PREFIXES)
}

fn description_triples(ctx: &Context, req: &Request) -> Result<Vec<Triple>, String> {
    use oxigraph::model::{BlankNode, Literal};
    let iri = |s: String| NamedNode::new(s).map_err(|e| e.to_string());
    let term = |ns: &str, local: &str| NamedNode::new_unchecked(format!("{ns}{local}"));
    let typed = |v: String, t: &str| Literal::new_typed_literal(v, term("http://www.w3.org/2001/XMLSchema#", t));
    let mut out: Vec<Triple> = Vec::new();
    let mut add = |s: &NamedOrBlankNode, p: NamedNode, o: Term| out.push(Triple::new(s.clone(), p, o));
    let a = term(RDF_NS, "type");
    let query_url = public_url(ctx, req, "/query");
    let service: NamedOrBlankNode = iri(format!("{query_url}#service"))?.into();
    let dataset: NamedOrBlankNode = iri(format!("{query_url}#dataset"))?.into();
    let default_graph: NamedOrBlankNode = iri(format!("{query_url}#default-graph"))?.into();
    add(&service, a.clone(), term(SD, "Service").into());
    add(&service, term(SD, "endpoint"), iri(query_url.clone())?.into());
    add(
        &service,
        term(SD, "supportedLanguage"),
        term(SD, "SPARQL11Query").into(),
    );
    for f in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
    ] {
        add(&service, term(SD, "resultFormat"), term(FORMATS, f).into());
    }
    add(&service, term(SD, "feature"), term(SD, "UnionDefaultGraph").into());
    if ctx.config.allow_service {
        add(&service, term(SD, "feature"), term(SD, "BasicFederatedQuery").into());
    }
    add(
        &service,
        term(SD, "defaultEntailmentRegime"),
        NamedNode::new_unchecked("http://www.w3.org/ns/entailment/Simple").into(),
    );
    add(&service, term(SD, "defaultDataset"), dataset.clone().into());
    add(
        &service,
        term(RDFS, "label"),
        Literal::new_simple_literal(format!("policykg {} SPARQL endpoint", env!("CARGO_PKG_VERSION"))).into(),
    );
    let c = &ctx.config;
    let mut limits: Vec<(&str, Literal)> = vec![
        ("queryTimeout", typed(c.timeout.as_secs_f64().to_string(), "decimal")),
        ("maxResults", typed(c.max_results.to_string(), "integer")),
        ("maxRequestBytes", typed(c.max_body.to_string(), "integer")),
        (
            "requestTimeout",
            typed(c.io_timeout.as_secs_f64().to_string(), "decimal"),
        ),
        ("evaluationSlots", typed(c.threads.to_string(), "integer")),
        ("queueLength", typed(c.queue.to_string(), "integer")),
        ("maxConnections", typed(c.max_connections.to_string(), "integer")),
        ("readOnly", Literal::from(!c.allow_update)),
        ("federatedQuery", Literal::from(c.allow_service)),
        ("isolatedEvaluation", Literal::from(ctx.pool.is_some())),
    ];
    if let (Some(m), Some(_)) = (c.max_memory, &ctx.pool) {
        limits.push(("maxMemory", typed(m.to_string(), "integer")));
    }
    for (name, value) in limits {
        add(&service, term(EP, name), value.into());
    }
    add(
        &service,
        term(EP, "graphStore"),
        iri(public_url(ctx, req, "/store"))?.into(),
    );
    add(
        &service,
        term(EP, "namedQueries"),
        iri(public_url(ctx, req, "/queries"))?.into(),
    );

    add(&dataset, a.clone(), term(SD, "Dataset").into());
    add(&dataset, term(SD, "defaultGraph"), default_graph.clone().into());
    add(&default_graph, a.clone(), term(SD, "Graph").into());
    add(
        &default_graph,
        term(RDFS, "comment"),
        Literal::new_simple_literal(
            "The union (RDF merge) of all graphs of the store, for queries and for the WHERE of \
             updates that name no dataset; /store?default reads it.",
        )
        .into(),
    );
    // The named graphs, unless there are more than an answer may hold.
    let mut graphs = Vec::new();
    for g in ctx.store.inner().named_graphs() {
        let g = g.map_err(|e| e.to_string())?;
        if graphs.len() >= c.max_results {
            graphs.clear();
            add(
                &dataset,
                term(RDFS, "comment"),
                Literal::new_simple_literal(format!(
                    "More than {} named graphs: not listed here; query SELECT DISTINCT ?g {{ GRAPH ?g {{}} }}",
                    c.max_results
                ))
                .into(),
            );
            break;
        }
        graphs.push(g);
    }
    for g in graphs {
        let node: NamedOrBlankNode = BlankNode::default().into();
        add(&dataset, term(SD, "namedGraph"), node.clone().into());
        add(&node, a.clone(), term(SD, "NamedGraph").into());
        add(&node, term(SD, "name"), Term::from(g));
    }
    if c.allow_update {
        let update: NamedOrBlankNode = iri(format!("{}#service", public_url(ctx, req, "/update")))?.into();
        add(&update, a.clone(), term(SD, "Service").into());
        add(
            &update,
            term(SD, "endpoint"),
            iri(public_url(ctx, req, "/update"))?.into(),
        );
        add(
            &update,
            term(SD, "supportedLanguage"),
            term(SD, "SPARQL11Update").into(),
        );
        add(&update, term(SD, "feature"), term(SD, "UnionDefaultGraph").into());
        add(&update, term(SD, "defaultDataset"), dataset.clone().into());
        add(
            &update,
            term(RDFS, "comment"),
            Literal::new_simple_literal("Needs the header Authorization: Bearer TOKEN with the server's token.").into(),
        );
    }
    for (name, range, comment) in EP_TERMS {
        let p: NamedOrBlankNode = term(EP, name).into();
        add(&p, a.clone(), term(RDF_NS, "Property").into());
        add(&p, term(RDFS, "domain"), term(SD, "Service").into());
        add(
            &p,
            term(RDFS, "range"),
            term("http://www.w3.org/2001/XMLSchema#", range).into(),
        );
        add(&p, term(RDFS, "comment"), Literal::new_simple_literal(*comment).into());
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Graph Store Protocol (/store)
// ---------------------------------------------------------------------------------------

/// The graph a Graph Store Protocol request names.
enum GraphTarget {
    /// `?default`: the default graph, which here is the union of all graphs.
    Default,
    /// `?graph=IRI`.
    Named(NamedNode),
}

fn graph_target(params: &[(String, String)]) -> Result<GraphTarget, Reply> {
    let graphs: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "graph")
        .map(|(_, v)| v.as_str())
        .collect();
    let default = params.iter().any(|(k, _)| k == "default");
    match (graphs.as_slice(), default) {
        ([], true) => Ok(GraphTarget::Default),
        ([g], false) => NamedNode::new(*g).map(GraphTarget::Named).map_err(|e| {
            Reply::text(
                400,
                format!("bad graph IRI {g:?}: {e}; give an absolute IRI, percent-encoded"),
            )
        }),
        ([], false) => Err(Reply::text(
            400,
            "name the graph: /store?graph=IRI (percent-encoded) or /store?default",
        )),
        _ => Err(Reply::text(400, "give exactly one of graph=IRI and default")),
    }
}

fn store_error(e: impl std::fmt::Display) -> Reply {
    Reply::text(500, format!("store error: {e}"))
}

fn graph_get(ctx: &Context, req: &Request) -> Result<Reply, Reply> {
    let params = parse_params(&req.query)?;
    let target = graph_target(&params)?;
    let requested = requested_format(req, &params)?;
    let format = requested.for_graphs.ok_or_else(|| not_acceptable(&requested.asked))?;
    let store = Arc::clone(&ctx.store);
    let (max, timeout) = (ctx.config.max_results, ctx.config.timeout);
    let triples = run_bounded(ctx, "graph read", move || read_graph(&store, &target, max, timeout))??;
    graph_reply(&triples, format, &[])
}

/// The triples of a graph, at most `max` of them (else 413), within `timeout`. The default
/// graph is the union of all graphs, each triple once.
fn read_graph(store: &KgStore, target: &GraphTarget, max: usize, timeout: Duration) -> Result<Vec<Triple>, Reply> {
    let started = Instant::now();
    let store = store.inner();
    let quads = match target {
        GraphTarget::Named(g) => {
            if !store.contains_named_graph(g).map_err(store_error)? {
                return Err(Reply::text(404, format!("no graph <{}> in this store", g.as_str())));
            }
            store.quads_for_pattern(None, None, None, Some(g.as_ref().into()))
        }
        GraphTarget::Default => store.iter(),
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, quad) in quads.enumerate() {
        if i % 4096 == 4095 && started.elapsed() > timeout {
            return Err(timeout_reply("graph read", timeout));
        }
        let triple = Triple::from(quad.map_err(store_error)?);
        if matches!(target, GraphTarget::Default) && !seen.insert(triple.clone()) {
            continue;
        }
        if out.len() >= max {
            return Err(Reply::text(
                413,
                format!(
                    "result too large: the graph has more than {max} triples, the limit; read it \
                     in pages with CONSTRUCT … LIMIT/OFFSET, or export it with `policykg export`"
                ),
            ));
        }
        out.push(triple);
    }
    Ok(out)
}

fn graph_write(ctx: &Context, req: &Request) -> Result<Reply, Reply> {
    authorize_update(ctx, req)?;
    let params = parse_params(&req.query)?;
    let graph = match graph_target(&params)? {
        GraphTarget::Named(g) => g,
        GraphTarget::Default => {
            return Err(Reply::text(
                405,
                "the default graph of this store is the union of its graphs and is read-only; \
                 write a named graph: /store?graph=IRI",
            )
            .header("Allow", "GET, HEAD, OPTIONS"))
        }
    };
    let quads = if req.method == "DELETE" {
        Vec::new()
    } else {
        parse_graph_body(req, &graph)?
    };
    let store = Arc::clone(&ctx.store);
    let method = req.method.as_str().to_owned();
    let pool = ctx.pool.clone();
    let result = run_bounded(ctx, "graph store", move || {
        let _writing = pool.as_ref().map(|p| p.writing());
        write_graph_store(&store, &method, &graph, &quads)
    })?;
    match result {
        Ok(Some(created)) => Ok(Reply::empty(if created { 201 } else { 204 })),
        Ok(None) => Err(Reply::text(404, "no such graph in this store")),
        Err(e) => Err(Reply::text(
            500,
            format!("graph store write failed, nothing was changed: {e}"),
        )),
    }
}

/// The body of a `PUT`/`POST` to `/store`: one graph in Turtle, N-Triples, RDF/XML or
/// JSON-LD, relative IRIs resolved against the graph's IRI, blank nodes fresh.
fn parse_graph_body(req: &Request, graph: &NamedNode) -> Result<Vec<Quad>, Reply> {
    let media = media_type(req)?;
    let format = RdfFormat::from_media_type(&media)
        .filter(|f| !matches!(f, RdfFormat::NQuads | RdfFormat::TriG))
        .ok_or_else(|| {
            Reply::text(
                415,
                format!(
                    "unsupported Content-Type {media:?} for a graph; send text/turtle, \
                     application/n-triples, application/rdf+xml or application/ld+json"
                ),
            )
        })?;
    let parser = RdfParser::from_format(format)
        .with_base_iri(graph.as_str())
        .map_err(|e| Reply::text(400, format!("bad graph IRI: {e}")))?
        .without_named_graphs()
        .rename_blank_nodes();
    parser
        .for_slice(&req.body)
        .map(|q| {
            q.map(|q| Quad::new(q.subject, q.predicate, q.object, graph.clone()))
                .map_err(|e| Reply::text(400, format!("the graph does not parse: {e}")))
        })
        .collect()
}

/// Applies a Graph Store write in one transaction. `Some(created)` says whether the graph is
/// new; `None`: `DELETE` of a graph that does not exist.
fn write_graph_store(
    store: &KgStore,
    method: &str,
    graph: &NamedNode,
    quads: &[Quad],
) -> Result<Option<bool>, oxigraph::store::StorageError> {
    let mut t = store.inner().start_transaction()?;
    let existed = t.contains_named_graph(graph)?;
    match method {
        "DELETE" if !existed => return Ok(None),
        "DELETE" => t.remove_named_graph(graph)?,
        _ => {
            if method == "PUT" && existed {
                t.clear_graph(graph)?;
            }
            t.insert_named_graph(graph);
            t.extend(quads);
        }
    }
    t.commit()?;
    Ok(Some(!existed && method != "DELETE"))
}

// ---------------------------------------------------------------------------------------
// SPARQL Update
// ---------------------------------------------------------------------------------------

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

/// Refuses writes (SPARQL Update, Graph Store writes) unless the server allows them and the
/// request carries the bearer token.
fn authorize_update(ctx: &Context, req: &Request) -> Result<(), Reply> {
    let Some(token) = ctx.config.token.as_deref().filter(|_| ctx.config.allow_update) else {
        return Err(Reply::text(
            403,
            "this endpoint is read-only: SPARQL Update and Graph Store writes are refused. Start \
             the server with --allow-update --token T and send `Authorization: Bearer T` to \
             enable them.",
        ));
    };
    let given = req.header("Authorization").and_then(|v| {
        let (scheme, credentials) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("Bearer").then(|| credentials.trim())
    });
    match given {
        None => Err(Reply::text(
            403,
            "writing needs `Authorization: Bearer TOKEN` with the server's token",
        )),
        Some(t) if !same_secret(t.as_bytes(), token.as_bytes()) => Err(Reply::text(403, "wrong bearer token")),
        Some(_) => Ok(()),
    }
}

fn run_update(ctx: &Context, req: &Request) -> Result<Reply, Reply> {
    authorize_update(ctx, req)?;
    let (text, params) = protocol_params(req, "update", "application/sparql-update")?;
    check_nesting(&text).map_err(|m| Reply::text(400, m))?;
    if !ctx.config.allow_service && uses_service(&text, Some(&public_url(ctx, req, "/update"))) {
        return Err(service_refused());
    }
    let using_default = graph_params(&params, "using-graph-uri")?;
    let using_named = graph_params(&params, "using-named-graph-uri")?;
    let cancel = CancellationToken::new();
    // Relative IRIs of an update without BASE resolve against the endpoint (Protocol §2.3).
    let evaluator = SparqlEvaluator::new()
        .with_cancellation_token(cancel.clone())
        .with_base_iri(public_url(ctx, req, "/update"))
        .map_err(|e| Reply::text(500, format!("bad base IRI: {e}")))?;
    let mut prepared = query::with_prefixes(evaluator)
        .map_err(error_reply)?
        .parse_update(&text)
        .map_err(|e| Reply::text(400, format!("SPARQL syntax error: {e}")))?;
    let protocol_dataset = !using_default.is_empty() || !using_named.is_empty();
    if protocol_dataset && prepared.using_datasets().any(|d| !d.is_default_dataset()) {
        // Protocol §2.3.3: a dataset in both places is an error.
        return Err(Reply::text(
            400,
            "the update names its dataset twice: in the request (using-graph-uri / \
             using-named-graph-uri) and in its text (USING, USING NAMED or WITH); give it in one \
             place only",
        ));
    }
    for dataset in prepared.using_datasets_mut() {
        if protocol_dataset {
            dataset.set_default_graph(using_default.iter().cloned().map(Into::into).collect());
            dataset.set_available_named_graphs(using_named.iter().cloned().map(Into::into).collect());
        } else if dataset.is_default_dataset() {
            // As for queries: the WHERE of an update that names no dataset sees the union.
            dataset.set_default_graph_as_union();
        }
    }
    let store = Arc::clone(&ctx.store);
    let timeout = ctx.config.timeout;
    let token = cancel.clone();
    let pool = ctx.pool.clone();
    let result = run_bounded(ctx, "update", move || {
        // Evaluation processes do not open the store during the write, and re-open it after.
        let _writing = pool.as_ref().map(|p| p.writing());
        let _watchdog = query::Watchdog::start(timeout, token);
        prepared.on_store(store.inner()).execute()
    })?;
    match result {
        Ok(()) => Ok(Reply::empty(204)),
        Err(_) if cancel.is_cancelled() => Err(Reply::text(
            503,
            format!(
                "update timeout: the update ran longer than {} s and was cancelled; nothing was \
                 changed",
                ctx.config.timeout.as_secs_f64()
            ),
        )),
        Err(
            e @ (UpdateEvaluationError::UnsupportedService(_)
            | UpdateEvaluationError::Service(_)
            | UpdateEvaluationError::UnboundService
            | UpdateEvaluationError::InvalidServiceName(_)
            | UpdateEvaluationError::UnsupportedContentType(_)),
        ) => Err(Reply::text(
            501,
            format!("{e}. Updates cannot fetch remote data (SERVICE and LOAD are not supported in updates)."),
        )),
        Err(e @ (UpdateEvaluationError::GraphAlreadyExists(_) | UpdateEvaluationError::GraphDoesNotExist(_))) => {
            Err(Reply::text(400, format!("update failed, nothing was changed: {e}")))
        }
        Err(e) => Err(Reply::text(500, format!("update failed, nothing was changed: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_pick_formats() {
        use Format::*;
        let results = |a: &str| negotiate(a, &RESULT_FORMATS);
        let graphs = |a: &str| negotiate(a, &GRAPH_FORMATS);
        // No Accept, an empty one and */* get the first offer.
        assert_eq!(results(""), Some(Json));
        assert_eq!(graphs(""), Some(Turtle));
        assert_eq!(results("*/*"), Some(Json));
        assert_eq!(graphs("*/*"), Some(Turtle));
        assert_eq!(graphs("*"), Some(Turtle));
        assert_eq!(results("text/csv"), Some(Csv));
        assert_eq!(graphs("text/csv"), None);
        assert_eq!(
            results("application/sparql-results+xml;q=0.5, text/tab-separated-values"),
            Some(Tsv)
        );
        assert_eq!(results("text/html,application/xhtml+xml,*/*;q=0.8"), Some(Json));
        // A browser that prefers XML gets XML.
        assert_eq!(
            results("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Some(Xml)
        );
        assert_eq!(
            graphs("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Some(RdfXml)
        );
        assert_eq!(graphs("application/n-triples"), Some(NTriples));
        // q=0 excludes a type even when a wildcard would admit it.
        assert_eq!(graphs("text/turtle;q=0, */*;q=0.1"), Some(NTriples));
        assert_eq!(results("application/sparql-results+json;q=0, */*"), Some(Xml));
        // Equal quality: exact before wildcard, then the client's order, then the server's.
        assert_eq!(results("*/*, text/csv"), Some(Csv));
        assert_eq!(
            results("application/sparql-results+xml, application/sparql-results+json"),
            Some(Xml)
        );
        assert_eq!(results("text/*"), Some(Csv));
        assert_eq!(graphs("text/*"), Some(Turtle));
        assert_eq!(results("application/*"), Some(Json));
        assert_eq!(graphs("application/*"), Some(NTriples));
        // Aliases count when named exactly.
        assert_eq!(results("application/json"), Some(Json));
        assert_eq!(graphs("application/json"), Some(JsonLd));
        assert_eq!(graphs("application/ld+json"), Some(JsonLd));
        assert_eq!(graphs("application/rdf+xml"), Some(RdfXml));
        assert_eq!(graphs("text/plain"), Some(NTriples));
        assert_eq!(results("text/plain"), Some(Table));
        assert_eq!(results("image/png"), None);
        assert_eq!(results("image/png;q=0.9, */*;q=0"), None);
        // Names of a `format` parameter.
        assert_eq!(Format::by_name("json", false), Some(Json));
        assert_eq!(Format::by_name("json", true), Some(JsonLd));
        assert_eq!(Format::by_name("TTL", true), Some(Turtle));
        assert_eq!(Format::by_name("csv", true), None);
        assert_eq!(Format::by_name("rdf+xml", true), Some(RdfXml));
        assert_eq!(Format::by_name("json-ld", true), Some(JsonLd));
    }

    #[test]
    fn hosts_make_base_iris_only_when_plain() {
        assert!(plain_authority("127.0.0.1:7878"));
        assert!(plain_authority("example.org"));
        assert!(plain_authority("[::1]:80"));
        assert!(!plain_authority(""));
        assert!(!plain_authority("evil/path"));
        assert!(!plain_authority("a b"));
        assert!(!plain_authority("user@host"));
        assert!(!plain_authority("x>y"));
    }

    #[test]
    fn percent_decoding_and_params() {
        assert_eq!(percent_decode("a%20b+c", true).unwrap(), "a b c");
        assert_eq!(percent_decode("a+b", false).unwrap(), "a+b");
        assert_eq!(percent_decode("%E5%B8%82", false).unwrap(), "市");
        assert!(percent_decode("%E5", false).is_err());
        // A stray `%` stays (WHATWG); escapes that are not UTF-8 are refused.
        assert_eq!(percent_decode("%zz", false).unwrap(), "%zz");
        let p = parse_params("query=SELECT+%3Fs&format=json&flag").unwrap();
        assert_eq!(
            p,
            vec![
                ("query".into(), "SELECT ?s".into()),
                ("format".into(), "json".into()),
                ("flag".into(), String::new())
            ]
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abcdefgh", b"abcdefgh"));
        assert!(!same_secret(b"abcdefgh", b"abcdefgx"));
        assert!(!same_secret(b"abcdefgh", b"abcdefg"));
        assert!(!same_secret(b"", b"a"));
    }

    #[test]
    fn timeouts_do_not_wait_for_the_engine_and_keep_the_slot() {
        let ctx = Context {
            config: ServerConfig {
                timeout: Duration::from_millis(100),
                threads: 1,
                log: false,
                ..ServerConfig::default()
            },
            addr: "127.0.0.1:7878".parse().unwrap(),
            store: Arc::new(KgStore::in_memory().unwrap()),
            library: Vec::new(),
            evaluations: Permits::new(1, 16),
            connections: AtomicUsize::new(0),
            pool: None,
            penalties: Mutex::new(std::collections::HashMap::new()),
        };
        let started = Instant::now();
        let stuck = run_bounded(&ctx, "query", || std::thread::sleep(Duration::from_millis(1500)));
        let reply = stuck.unwrap_err();
        assert_eq!(reply.status, 503);
        assert!(String::from_utf8_lossy(&reply.body).starts_with("query timeout"));
        assert!(
            started.elapsed() < Duration::from_millis(1000),
            "{:?}",
            started.elapsed()
        );
        // The abandoned evaluation still holds the only slot.
        let busy = run_bounded(&ctx, "query", || ()).unwrap_err();
        assert_eq!(busy.status, 503);
        assert!(String::from_utf8_lossy(&busy.body).contains("busy"));
        std::thread::sleep(Duration::from_millis(1600));
        assert_eq!(run_bounded(&ctx, "query", || 7).unwrap(), 7);
        // The slot comes back when the evaluation thread ends (just after it answered).
        let deadline = Instant::now() + Duration::from_secs(2);
        while ctx.evaluations.used() != 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(ctx.evaluations.used(), 0);
    }

    #[test]
    fn config_is_checked() {
        let mut c = ServerConfig {
            allow_update: true,
            ..ServerConfig::default()
        };
        assert!(matches!(check_config(&c), Err(ServerError::Config(_))));
        c.token = Some("short".into());
        assert!(check_config(&c).is_err());
        c.token = Some("long-enough-token".into());
        assert!(check_config(&c).is_ok());
        c.allow_update = false;
        assert!(check_config(&c).is_err(), "token without --allow-update");
        assert!(check_config(&ServerConfig::default()).is_ok());
    }
}
