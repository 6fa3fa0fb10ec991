//! Evaluation processes: every query of `policykg serve` on an on-disk store (and of
//! `policykg query --timeout/--max-memory`) is evaluated in a worker process — the same binary
//! re-executed as `policykg eval-worker`, holding its own read-only handle on the store — so
//! that a query past its limits can be stopped for real:
//!
//! * **Memory**: each worker runs under an address-space limit (`RLIMIT_AS`, set by the worker
//!   on itself before it opens the store). An evaluation that needs more gets a failed
//!   allocation, which aborts the worker; the pool sees it die, answers `507` and starts a
//!   replacement. The kernel returns all its memory.
//! * **Time**: the worker cancels its own evaluation at the timeout (Oxigraph's cancellation
//!   token); when the engine does not notice (a product of data it already read), the pool
//!   kills the worker `SIGKILL` at timeout + [`KILL_GRACE`], answers `503` and replaces it.
//!   A CPU-time limit (`RLIMIT_CPU`, reset before each job) stops a worker whose pool is gone.
//! * **Warm**: workers stay up between queries (a request costs one round trip over pipes);
//!   a worker whose resident memory stays above [`RECYCLE_RSS`] after a job is replaced.
//!
//! Messages: the pool writes one JSON line per request ([`ToWorker`]) to the worker's
//! standard input; the worker answers with one JSON line ([`Head`]) followed by `len` bytes
//! of body on its standard output. Its standard error goes to the server log (and tells the
//! pool why a worker died).

use super::job::{self, Job, JobReply};
use super::{Permits, Reply};
use crate::store::KgStore;
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Default memory limit of one evaluation process (`--max-memory`), in MiB.
pub const DEFAULT_MAX_MEMORY_MIB: u64 = 4096;
/// Memory limit of the light lane's process (queries that read nothing from the store), in
/// MiB; lower when `--max-memory` is.
pub const LIGHT_MAX_MEMORY_MIB: u64 = 512;
/// Time past the timeout the worker has to answer (with its own cancellation) before it is
/// killed.
pub const KILL_GRACE: Duration = Duration::from_millis(500);
/// Resident memory above which a worker is replaced after a job (returns what the allocator
/// keeps).
pub const RECYCLE_RSS: u64 = 256 << 20;
/// Longest wait for a new worker to open the store.
const READY_WAIT: Duration = Duration::from_secs(60);
/// Lines of a worker's standard error kept to explain its death.
const STDERR_TAIL: usize = 20;

/// A request to a worker.
#[derive(Serialize, Deserialize)]
enum ToWorker {
    /// Evaluate a job.
    Run(Job),
    /// Open the store again (it changed).
    Reopen,
}

/// The head of a worker's message; `len` bytes of body follow.
#[derive(Serialize, Deserialize, Debug)]
struct Head {
    /// HTTP status of the answer; 0 for "ready" (after start or reopen).
    status: u16,
    content_type: Option<String>,
    len: usize,
    /// Resident memory of the worker after the job, in bytes.
    rss: u64,
    /// The worker exits after this message (a panic left it in doubt).
    retire: bool,
}

/// One lane of workers.
#[derive(Clone, Debug)]
pub struct LaneConfig {
    /// Name in messages and logs.
    pub name: &'static str,
    /// Workers (evaluations at once).
    pub workers: usize,
    /// Address-space limit of each, in bytes.
    pub max_memory: Option<u64>,
    /// Scheduling niceness of the workers (0: as the server): CPU-bound evaluations yield to
    /// the serving process and to lanes of lower niceness.
    pub nice: i32,
}

/// How a pool runs.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// The `policykg` binary (workers run `EXE eval-worker`).
    pub exe: PathBuf,
    /// Store directory (opened read-only by the workers).
    pub store: PathBuf,
    /// Hard deadline of an evaluation (the worker is killed at timeout + [`KILL_GRACE`]);
    /// also the longest wait for a free worker.
    pub timeout: Option<Duration>,
    /// Lanes; requests name one by index.
    pub lanes: Vec<LaneConfig>,
    /// Requests that may wait for a worker, per lane.
    pub queue: usize,
    /// The store is written by this process: workers re-open it when it changed.
    pub follow_writes: bool,
    /// Start a replacement when a worker is killed or dies (a server); a one-shot pool
    /// (`policykg query`) does not.
    pub respawn: bool,
    /// Forward workers' standard error to ours.
    pub log: bool,
}

/// Counters since the pool started.
#[derive(Default, Debug)]
pub struct PoolStats {
    /// Jobs answered by a worker.
    pub jobs: AtomicUsize,
    /// Workers killed at the deadline.
    pub killed_for_time: AtomicUsize,
    /// Workers that died over their memory limit.
    pub died_for_memory: AtomicUsize,
    /// Workers that died otherwise.
    pub died_otherwise: AtomicUsize,
    /// Workers started (initial ones included).
    pub started: AtomicUsize,
    /// Workers replaced because they kept too much memory.
    pub recycled: AtomicUsize,
    /// Store re-opens after writes.
    pub reopens: AtomicUsize,
}

struct Lane {
    config: LaneConfig,
    permits: Arc<Permits>,
    idle: Mutex<Vec<Worker>>,
}

/// A pool of warm evaluation processes.
pub struct Pool {
    config: PoolConfig,
    lanes: Vec<Lane>,
    /// Bumped after every write of the store ([`Pool::writing`]).
    generation: AtomicU64,
    /// Held while the store is written, and while a worker opens it.
    store_lock: Mutex<()>,
    /// Counters.
    pub stats: PoolStats,
}

/// A running worker.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    frames: Receiver<(Head, Vec<u8>)>,
    stderr: Option<JoinHandle<Vec<String>>>,
    /// Store generation it has open.
    generation: u64,
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Holds the store for a write; bumps the generation when dropped.
pub struct StoreWrite<'a> {
    pool: &'a Pool,
    _lock: MutexGuard<'a, ()>,
}

impl Drop for StoreWrite<'_> {
    fn drop(&mut self) {
        self.pool.generation.fetch_add(1, Ordering::SeqCst);
    }
}

impl Pool {
    /// Starts every worker of every lane and waits until each has opened the store.
    pub fn start(config: PoolConfig) -> Result<Arc<Pool>, String> {
        let lanes = config
            .lanes
            .iter()
            .map(|l| Lane {
                config: l.clone(),
                permits: Permits::new(l.workers, config.queue),
                idle: Mutex::new(Vec::new()),
            })
            .collect();
        let pool = Arc::new(Pool {
            config,
            lanes,
            generation: AtomicU64::new(0),
            store_lock: Mutex::new(()),
            stats: PoolStats::default(),
        });
        for (i, lane) in pool.lanes.iter().enumerate() {
            for _ in 0..lane.config.workers {
                let w = pool.spawn(i)?;
                lock(&lane.idle).push(w);
            }
        }
        Ok(pool)
    }

    /// The lanes' configurations.
    pub fn lanes(&self) -> Vec<LaneConfig> {
        self.lanes.iter().map(|l| l.config.clone()).collect()
    }

    /// Process ids of the idle workers (tests and measurements).
    pub fn idle_pids(&self) -> Vec<u32> {
        self.lanes
            .iter()
            .flat_map(|l| lock(&l.idle).iter().map(|w| w.child.id()).collect::<Vec<_>>())
            .collect()
    }

    /// Takes the store for a write: workers do not open it meanwhile, and re-open it before
    /// their next job.
    pub fn writing(&self) -> StoreWrite<'_> {
        StoreWrite {
            pool: self,
            _lock: lock(&self.store_lock),
        }
    }

    fn spawn(&self, lane: usize) -> Result<Worker, String> {
        let config = &self.lanes[lane].config;
        let mut cmd = Command::new(&self.config.exe);
        cmd.arg("eval-worker").arg("--store").arg(&self.config.store);
        if let Some(m) = config.max_memory {
            cmd.arg("--max-memory-bytes").arg(m.to_string());
        }
        if config.nice != 0 {
            cmd.arg("--nice").arg(config.nice.to_string());
        }
        // Fewer malloc arenas: less address space reserved per thread, so the address-space
        // limit measures what evaluation really uses.
        cmd.env("MALLOC_ARENA_MAX", "2")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let _opening = self.config.follow_writes.then(|| lock(&self.store_lock));
        let generation = self.generation.load(Ordering::SeqCst);
        let mut child = cmd.spawn().map_err(|e| {
            format!(
                "cannot start an evaluation process ({}): {e}",
                self.config.exe.display()
            )
        })?;
        self.stats.started.fetch_add(1, Ordering::Relaxed);
        let pid = child.id();
        let stdout = child.stdout.take().ok_or("no worker stdout")?;
        let stderr = child.stderr.take().ok_or("no worker stderr")?;
        let (tx, frames) = mpsc::channel();
        std::thread::Builder::new()
            .name("policykg-worker-out".into())
            .spawn(move || {
                let mut r = BufReader::new(stdout);
                loop {
                    let mut line = String::new();
                    if !matches!(r.read_line(&mut line), Ok(n) if n > 0) {
                        break;
                    }
                    let Ok(head) = serde_json::from_str::<Head>(&line) else {
                        break;
                    };
                    let mut body = vec![0u8; head.len];
                    if r.read_exact(&mut body).is_err() || tx.send((head, body)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        let log = self.config.log;
        let name = config.name;
        let stderr = std::thread::Builder::new()
            .name("policykg-worker-err".into())
            .spawn(move || {
                let mut tail = std::collections::VecDeque::new();
                let mut r = BufReader::new(stderr);
                let mut line = Vec::new();
                while matches!(r.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                    let text = String::from_utf8_lossy(&line).trim_end().to_owned();
                    line.clear();
                    if log {
                        eprintln!("policykg serve: {name} worker {pid}: {text}");
                    }
                    tail.push_back(text);
                    if tail.len() > STDERR_TAIL {
                        tail.pop_front();
                    }
                }
                tail.into_iter().collect()
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        let mut worker = Worker {
            stdin: child.stdin.take(),
            child,
            frames,
            stderr: Some(stderr),
            generation,
        };
        match worker.frames.recv_timeout(READY_WAIT) {
            Ok((head, _)) if head.status == 0 => Ok(worker),
            Ok((_, body)) => Err(format!(
                "the evaluation process could not start: {}",
                String::from_utf8_lossy(&body).trim_end()
            )),
            Err(_) => {
                let _ = worker.child.kill();
                let (_, tail) = worker.reap();
                Err(format!(
                    "the evaluation process could not open the store: {}",
                    tail.last().map_or("no message", String::as_str)
                ))
            }
        }
    }

    /// Evaluates a job in a worker of lane `lane`: waits for a free worker (at most the
    /// timeout, with at most `queue` others), and kills and replaces a worker that does not
    /// answer by the deadline or dies.
    pub(super) fn run(self: &Arc<Self>, lane: usize, job: &Job) -> Reply {
        let l = &self.lanes[lane];
        let wait = self.config.timeout.unwrap_or(Duration::from_secs(24 * 3600));
        let Some(permit) = l.permits.acquire(wait) else {
            return Reply::text(
                503,
                format!(
                    "server busy: all {} {} evaluation processes are taken and {} requests are \
                     waiting; retry shortly",
                    l.config.workers, l.config.name, self.config.queue
                ),
            )
            .header("Retry-After", "1");
        };
        let line = match serde_json::to_string(&ToWorker::Run(job.clone())) {
            Ok(mut s) => {
                s.push('\n');
                s
            }
            Err(e) => return Reply::text(500, format!("cannot encode the job: {e}")),
        };
        let mut last_error = String::new();
        // A second attempt only when a worker turns out dead before it got the job.
        for _ in 0..2 {
            let taken = lock(&l.idle).pop();
            let mut worker = match taken {
                Some(w) => w,
                None => match self.spawn(lane) {
                    Ok(w) => w,
                    Err(e) => return Reply::text(500, e),
                },
            };
            if let Err(e) = self.catch_up(&mut worker) {
                last_error = e;
                continue;
            }
            let sent = worker
                .stdin
                .as_mut()
                .map(|s| s.write_all(line.as_bytes()).and_then(|()| s.flush()));
            if !matches!(sent, Some(Ok(()))) {
                last_error = "an evaluation process was gone".into();
                continue;
            }
            let got = match self.config.timeout {
                Some(t) => worker.frames.recv_timeout(t + KILL_GRACE),
                None => worker.frames.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            return match got {
                Ok((head, body)) => {
                    self.stats.jobs.fetch_add(1, Ordering::Relaxed);
                    let reply: Reply = JobReply {
                        status: head.status,
                        content_type: head.content_type,
                        body,
                    }
                    .into();
                    if head.retire || head.rss > RECYCLE_RSS.max(l.config.max_memory.unwrap_or(0) / 8) {
                        self.stats.recycled.fetch_add(1, Ordering::Relaxed);
                        self.replace(lane, worker, permit);
                    } else {
                        lock(&l.idle).push(worker);
                        drop(permit);
                    }
                    reply
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = worker.child.kill();
                    self.stats.killed_for_time.fetch_add(1, Ordering::Relaxed);
                    self.replace(lane, worker, permit);
                    let t = self.config.timeout.unwrap_or_default().as_secs_f64();
                    Reply::text(
                        503,
                        format!(
                            "query timeout: the query ran longer than {t} s and was stopped (its \
                             evaluation process was killed); narrow it (LIMIT, more specific \
                             patterns) or ask the operator for a longer --timeout"
                        ),
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let (status, tail) = worker.reap();
                    let reply = self.death(lane, status, &tail);
                    self.replace(lane, worker, permit);
                    reply
                }
            };
        }
        Reply::text(
            500,
            format!("the evaluation processes failed: {last_error} (see the server log)"),
        )
    }

    /// Re-opens the store in a worker that has an older generation open.
    fn catch_up(&self, w: &mut Worker) -> Result<(), String> {
        if !self.config.follow_writes || w.generation == self.generation.load(Ordering::SeqCst) {
            return Ok(());
        }
        let _lock = lock(&self.store_lock);
        let generation = self.generation.load(Ordering::SeqCst);
        let stdin = w.stdin.as_mut().ok_or("no stdin")?;
        stdin
            .write_all(b"\"Reopen\"\n")
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("an evaluation process was gone: {e}"))?;
        match w.frames.recv_timeout(READY_WAIT) {
            Ok((head, _)) if head.status == 0 => {
                w.generation = generation;
                self.stats.reopens.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Ok((_, body)) => Err(String::from_utf8_lossy(&body).trim_end().to_owned()),
            Err(_) => Err("an evaluation process did not re-open the store".into()),
        }
    }

    /// Kills (if alive) and reaps a worker in the background, then starts its replacement;
    /// the lane's permit is held until then, so a lane never has more processes than workers.
    fn replace(self: &Arc<Self>, lane: usize, worker: Worker, permit: super::Permit) {
        let pool = Arc::clone(self);
        let respawn = self.config.respawn;
        let spawned = std::thread::Builder::new()
            .name("policykg-respawn".into())
            .spawn(move || {
                drop(worker);
                if respawn {
                    match pool.spawn(lane) {
                        Ok(w) => lock(&pool.lanes[lane].idle).push(w),
                        Err(e) => eprintln!("policykg serve: {e}"),
                    }
                }
                drop(permit);
            });
        if let Err(e) = spawned {
            eprintln!("policykg serve: cannot start a thread: {e}");
        }
    }

    /// The answer for a worker that died during a job.
    fn death(&self, lane: usize, status: Option<ExitStatus>, tail: &[String]) -> Reply {
        let text = tail.join("\n");
        let signal = status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s));
        let memory = text.contains("memory allocation of")
            || text.contains("bad_alloc")
            || text.contains("Cannot allocate memory")
            || text.contains("out of memory")
            // Not killed by us: the kernel's out-of-memory killer.
            || signal == Some(libc::SIGKILL);
        let config = &self.lanes[lane].config;
        if memory {
            self.stats.died_for_memory.fetch_add(1, Ordering::Relaxed);
            let limit = config.max_memory.map_or("the memory of the machine".to_owned(), |m| {
                format!("{} MiB (--max-memory)", m >> 20)
            });
            return Reply::text(
                507,
                format!(
                    "query memory limit: the evaluation needed more than {limit} and was \
                     stopped; narrow the query (LIMIT, fewer variables, no ORDER BY or DISTINCT \
                     over large intermediate results)"
                ),
            );
        }
        self.stats.died_otherwise.fetch_add(1, Ordering::Relaxed);
        if signal == Some(libc::SIGXCPU) {
            return Reply::text(
                503,
                "query timeout: the evaluation used up its CPU time and was stopped; narrow the query",
            );
        }
        if text.contains("overflowed its stack") {
            return Reply::text(
                400,
                "the query is nested too deeply for the evaluator (its evaluation process \
                 overflowed its stack); flatten it",
            );
        }
        Reply::text(
            500,
            format!(
                "the evaluation process ended unexpectedly ({}); see the server log",
                status.map_or("unknown status".to_owned(), |s| s.to_string())
            ),
        )
    }
}

impl Worker {
    /// Waits for the (dead or killed) worker and returns its status and the last lines of
    /// its standard error.
    fn reap(&mut self) -> (Option<ExitStatus>, Vec<String>) {
        drop(self.stdin.take());
        let status = self.child.wait().ok();
        let tail = self.stderr.take().and_then(|h| h.join().ok()).unwrap_or_default();
        (status, tail)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for lane in &self.lanes {
            lock(&lane.idle).clear();
        }
    }
}

// ---------------------------------------------------------------------------------------
// The worker side
// ---------------------------------------------------------------------------------------

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

fn set_limit(resource: Resource, soft: u64) -> io::Result<()> {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit write/read the struct given, nothing else.
    unsafe {
        if libc::getrlimit(resource, &mut current) != 0 {
            return Err(io::Error::last_os_error());
        }
        let hard = current.rlim_max;
        let soft = if hard == libc::RLIM_INFINITY {
            soft
        } else {
            soft.min(hard)
        };
        let limit = libc::rlimit {
            rlim_cur: soft,
            rlim_max: hard,
        };
        if libc::setrlimit(resource, &limit) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// CPU seconds this process has used.
fn cpu_seconds() -> u64 {
    // SAFETY: getrusage fills the struct given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return 0;
        }
        (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1).max(0) as u64
    }
}

/// Resident memory of this process, in bytes.
pub fn own_rss() -> u64 {
    let pages: u64 = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
    pages * page
}

/// Gives memory the allocator keeps back to the system.
fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap memory.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn write_message(out: &mut impl Write, head: &Head, body: &[u8]) -> io::Result<()> {
    let mut line = serde_json::to_vec(head).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)?;
    out.write_all(body)?;
    out.flush()
}

fn ready() -> Head {
    Head {
        status: 0,
        content_type: None,
        len: 0,
        rss: own_rss(),
        retire: false,
    }
}

fn open_with_retries(store: &Path) -> Result<KgStore, String> {
    let mut last = String::new();
    for attempt in 0..3 {
        match KgStore::open_read_only(store) {
            Ok(s) => return Ok(s),
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(20 << attempt));
    }
    Err(last)
}

/// `policykg eval-worker`: limits its own memory, opens the store read-only, then evaluates
/// the jobs it reads on standard input until that closes. Returns the exit code.
pub fn worker_main(store: &Path, max_memory: Option<u64>, nice: i32) -> i32 {
    if nice != 0 {
        // Before any thread starts: threads inherit it.
        // SAFETY: nice only changes this process's scheduling priority.
        unsafe {
            libc::nice(nice);
        }
    }
    if let Some(bytes) = max_memory {
        if let Err(e) = set_limit(libc::RLIMIT_AS, bytes) {
            eprintln!("cannot limit memory: {e}");
            return 2;
        }
    }
    let mut kg = match open_with_retries(store) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if write_message(&mut out, &ready(), &[]).is_err() {
        return 0;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) => {}
        }
        let message: ToWorker = match serde_json::from_str(&line) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("bad request from the server: {e}");
                return 2;
            }
        };
        let written = match message {
            ToWorker::Reopen => match open_with_retries(store) {
                Ok(s) => {
                    kg = s;
                    write_message(&mut out, &ready(), &[])
                }
                Err(e) => {
                    let body = e.into_bytes();
                    let head = Head {
                        status: 500,
                        content_type: None,
                        len: body.len(),
                        rss: own_rss(),
                        retire: true,
                    };
                    write_message(&mut out, &head, &body)
                }
            },
            ToWorker::Run(job) => {
                // A CPU-time fence in case the pool is gone and cannot kill this process.
                let cpu = job
                    .timeout_ms
                    .map_or(libc::RLIM_INFINITY, |ms| cpu_seconds() + ms.div_ceil(1000) + 10);
                let _ = set_limit(libc::RLIMIT_CPU, cpu);
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job::run(kg.inner(), &job)));
                let (reply, retire) = match outcome {
                    Ok(r) => (r, false),
                    Err(panic) => {
                        let what = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                            .unwrap_or_default();
                        (JobReply::error(500, format!("the evaluation failed: {what}")), true)
                    }
                };
                trim();
                let head = Head {
                    status: reply.status,
                    content_type: reply.content_type.clone(),
                    len: reply.body.len(),
                    rss: own_rss(),
                    retire,
                };
                let w = write_message(&mut out, &head, &reply.body);
                if retire {
                    return 1;
                }
                w
            }
        };
        if written.is_err() {
            return 0;
        }
    }
}
