//! Storage for motcua on SQLite (the embedded default) and PostgreSQL, through one
//! code path: sqlx's `Any` driver, `$n` placeholders (both engines accept them) and
//! the SQL both engines share. Where the engines must differ, the difference lives
//! in this file (connection set-up, how a write transaction begins) or in the
//! per-engine migration directories. Two things go around sqlx's own SQLite
//! connections, both on a file: the writer (`sqlite_writer`, behind the same
//! queries through [`Conn`]) and the audit's walk over every event
//! (`dossiers::AuditWalk`).

pub mod agencies;
pub mod audit;
pub mod auto_assign;
mod bulk;
pub mod calendar;
pub mod campaigns;
pub mod certifications;
mod conn;
pub mod dashboard;
pub mod dossiers;
pub mod outbox;
pub mod procedures;
pub mod ratings;
pub mod registers;
pub mod reports;
pub mod result_signatures;
pub mod sectors;
pub mod service_index;
pub mod sessions;
mod sqlite_writer;
pub mod throttle;
pub mod tokens;
pub mod users;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use conn::Conn;
pub use sqlx::Error as StoreError;

/// A write transaction: used as a connection (`&mut tx`), ended by `commit` (or by
/// being dropped, which rolls it back).
pub struct Tx {
    tx: Conn,
    checkpoints: Option<Arc<Checkpoints>>,
    event_terms: Arc<dossiers::EventTerms>,
    /// Event terms this transaction numbered: known to all once it commits.
    learned_terms: Vec<(String, i64)>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        if let Some(c) = &self.checkpoints {
            c.committed();
        }
        self.event_terms.remember(self.learned_terms);
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await
    }

    /// The connection, with the event terms known to all and those learned here.
    pub(crate) fn event_terms(
        &mut self,
    ) -> (&mut Conn, &dossiers::EventTerms, &mut Vec<(String, i64)>) {
        (&mut self.tx, &self.event_terms, &mut self.learned_terms)
    }
}

impl Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}
pub type Result<T> = std::result::Result<T, StoreError>;

/// `$from`, `$from+1`… `n` placeholders for an `IN` list; `NULL` for none (an
/// empty `IN ()` is not SQL, and `IN (NULL)` matches nothing).
pub(crate) fn marks(from: usize, n: usize) -> String {
    if n == 0 {
        return "NULL".into();
    }
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// The SQLite writer's page cache, KiB, as [`WRITER_PRAGMAS`] sets it (a bulk
/// import grows it for its transaction, then sets it back).
pub(crate) const WRITER_CACHE_KIB: usize = 65_536;
/// `temp_store = MEMORY` keeps the savepoints' page copies (group commit) and the
/// statements' in memory rather than spilling them to a temporary file.
const WRITER_PRAGMAS: &str =
    "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0; PRAGMA temp_store = MEMORY;";

/// SQLite's writer: the synchronous handle on a file, else sqlx's connection.
#[derive(Clone)]
enum Writer {
    Sync(Arc<sqlite_writer::SharedWriter>),
    Sqlx(AnyPool),
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// SQLite's one connection for write transactions: see `Db::connect`.
    writer: Option<Writer>,
    checkpoints: Option<Arc<Checkpoints>>,
    /// A PostgreSQL streaming replica for the heavy reads: see `Db::with_replica`.
    replica: Option<AnyPool>,
    /// The SQLite database's file (none in memory): see `Db::sqlite_file`.
    sqlite_file: Option<PathBuf>,
    event_terms: Arc<dossiers::EventTerms>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Opens the database named by `url`, creating an SQLite file (and its folder)
    /// when it does not exist yet.
    pub async fn connect(url: &str) -> Result<Db> {
        Self::connect_with(url, SqliteSynchronous::default()).await
    }

    /// [`Db::connect`], with SQLite's `synchronous` setting for every connection
    /// (ignored on PostgreSQL).
    pub async fn connect_with(url: &str, synchronous: SqliteSynchronous) -> Result<Db> {
        Self::open(url, synchronous, sqlite_writer::BatchLimits::default()).await
    }

    async fn open(
        url: &str,
        synchronous: SqliteSynchronous,
        batches: sqlite_writer::BatchLimits,
    ) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let engine = Engine::from_url(url).ok_or_else(|| {
            StoreError::Configuration(
                format!("unsupported database URL (use sqlite://… or postgres://…): {url}").into(),
            )
        })?;
        let mut url = url.to_owned();
        let sqlite_file = match engine {
            Engine::Sqlite => prepare_sqlite_path(&mut url)?,
            Engine::Postgres => None,
        };
        let options = AnyConnectOptions::from_str(&url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
        let pool = pool_options(engine, synchronous, "")
            // SQLite writes serialise anyway; a few connections serve concurrent reads.
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            .connect_with(options.clone())
            .await?;
        // SQLite has one writer at a time: writers of this process take turns on one
        // connection of their own, queueing in the pool rather than in SQLite's busy
        // handler (which sleeps 1, 2, 5 … 100 ms between retries and leaves the lock
        // unused meanwhile, each waiter holding a connection that readers lack). Its
        // larger page cache keeps the indexes' upper pages that every write walks.
        // The writer never checkpoints: see `Checkpoints`.
        // On a file the writer is a synchronous handle (`sqlite_writer`); where
        // there is no file of ours to open (`sqlite_file`: in memory, or a name
        // sqlx must percent-decode) it stays sqlx's.
        let writer = match (engine, &sqlite_file) {
            (Engine::Sqlite, Some(path)) => {
                let path = path.clone();
                let writer = tokio::task::spawn_blocking(move || {
                    sqlite_writer::SqliteWriter::open(&path, synchronous, WRITER_PRAGMAS)
                })
                .await
                .map_err(|e| StoreError::Protocol(format!("opening the SQLite writer: {e}")))??;
                Some(Writer::Sync(sqlite_writer::SharedWriter::new(
                    writer, batches,
                )))
            }
            (Engine::Sqlite, None) => Some(Writer::Sqlx(
                pool_options(engine, synchronous, WRITER_PRAGMAS)
                    .max_connections(1)
                    .connect_with(options)
                    .await?,
            )),
            (Engine::Postgres, _) => None,
        };
        let checkpoints = writer
            .as_ref()
            .map(|_| Arc::new(Checkpoints::new(pool.clone())));
        Ok(Db {
            pool,
            engine,
            writer,
            checkpoints,
            replica: None,
            sqlite_file,
            event_terms: Arc::default(),
        })
    }

    /// Adds a PostgreSQL streaming replica (hot standby) of this database. Reports,
    /// dashboards, their lists of dossiers and searches then read from it
    /// ([`Db::read_replica`]), so that a province's reports do not slow its counters;
    /// everything else, and every write, stays on the primary.
    pub async fn with_replica(mut self, url: &str) -> Result<Db> {
        if self.engine != Engine::Postgres || Engine::from_url(url) != Some(Engine::Postgres) {
            return Err(StoreError::Configuration(
                "a read replica needs PostgreSQL for both the database and the replica".into(),
            ));
        }
        let options = AnyConnectOptions::from_str(url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
        let pool = pool_options(Engine::Postgres, SqliteSynchronous::default(), "")
            .max_connections(16)
            .connect_with(options)
            .await?;
        self.replica = Some(pool);
        Ok(self)
    }

    /// A connection for the heavy reads (reports, dashboards, drill-down lists,
    /// searches): the replica's when there is one. It may lag the primary by
    /// [`Db::replica_lag`]; nothing that must see a write just made reads here.
    pub async fn read_replica(&self) -> Result<Conn> {
        Ok(Conn::pooled(
            self.replica
                .as_ref()
                .unwrap_or(&self.pool)
                .acquire()
                .await?,
        ))
    }

    /// How far the replica is behind the primary: zero when it has replayed all it
    /// received, else the time since the last transaction it replayed (or, when it
    /// has replayed none since it started, since it started: a copy taken after the
    /// last write has nothing to replay until the next one); none without a replica.
    pub async fn replica_lag(&self) -> Result<Option<Duration>> {
        let Some(replica) = &self.replica else {
            return Ok(None);
        };
        let millis: i64 = sqlx::query_scalar(
            "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NULL \
                           OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
                      ELSE COALESCE(CAST(EXTRACT(EPOCH FROM now() - COALESCE( \
                                pg_last_xact_replay_timestamp(), pg_postmaster_start_time())) \
                                         * 1000 AS BIGINT), 0) END",
        )
        .fetch_one(replica)
        .await?;
        Ok(Some(Duration::from_millis(millis.max(0).unsigned_abs())))
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The SQLite database's file, for a long read that goes around sqlx
    /// (`dossiers::AuditWalk`); none on PostgreSQL or in memory.
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        // A migration may number the event terms anew.
        self.event_terms.forget();
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes
    /// can fail with "database is locked" without waiting for the busy timeout.
    /// SQLite's transactions run on the one writer connection, in turn, and commit
    /// in groups (see `sqlite_writer`): [`Tx::commit`] returns once the work is
    /// committed, whoever commits it.
    pub async fn begin_write(&self) -> Result<Tx> {
        self.begin_write_with(false).await
    }

    /// [`Db::begin_write`] for a transaction that writes much (an import of
    /// thousands of rows): on SQLite it shares no commit, so that it needs no
    /// savepoint, which would copy each page it changes.
    pub async fn begin_bulk_write(&self) -> Result<Tx> {
        self.begin_write_with(true).await
    }

    async fn begin_write_with(&self, alone: bool) -> Result<Tx> {
        let tx = match &self.writer {
            Some(Writer::Sync(writer)) => {
                Conn::writer(sqlite_writer::WriterTx::begin(writer, alone).await?)
            }
            Some(Writer::Sqlx(writer)) => {
                Conn::transaction(writer.begin_with("BEGIN IMMEDIATE").await?)
            }
            None => Conn::transaction(self.pool.begin().await?),
        };
        Ok(Tx {
            tx,
            checkpoints: self.checkpoints.clone(),
            event_terms: self.event_terms.clone(),
            learned_terms: Vec::new(),
        })
    }

    /// A connection for reads outside any transaction.
    pub async fn read(&self) -> Result<Conn> {
        Ok(Conn::pooled(self.pool.acquire().await?))
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Write transactions committed on SQLite's writer, and the commits that held
    /// them (group commit); none without it.
    pub fn writer_commits(&self) -> Option<(u64, u64)> {
        match &self.writer {
            Some(Writer::Sync(w)) => Some(w.committed()),
            _ => None,
        }
    }

    /// Connections open and idle, for the metrics page.
    pub fn pool_state(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        match &self.writer {
            Some(Writer::Sqlx(w)) => w.close().await,
            Some(Writer::Sync(w)) => w.close().await,
            None => {}
        }
        if let Some(r) = &self.replica {
            r.close().await;
        }
        self.pool.close().await;
    }
}

/// SQLite's WAL checkpoints, taken off the writer. By default the commit that
/// finds the log past 1,000 pages copies it into the database file and syncs it
/// there and then: one write in a few hundred waited 20–30 ms for the disk while
/// holding the only write lock (the p99 of a certification). The writer
/// connection has `wal_autocheckpoint = 0`; every `EVERY` write transactions a PASSIVE
/// checkpoint runs on a reader connection in a task of its own, and after any
/// commit a second or more after the last one (a bulk import commits seldom and
/// writes much: its log is copied after each of its commits, not let grow). In
/// WAL mode a checkpoint runs beside the writer (which keeps appending to the
/// log) and beside readers; what it cannot copy yet (pages a reader still needs)
/// the next one copies.
///
/// A writer that never pauses (a bulk load, book after book) keeps every PASSIVE
/// checkpoint short of the log's end, so the log is never restarted and grows by
/// all that is written: 26 GB while 10 million register entries were generated
/// into a 19 GB file. Past `truncate_at` pages the checkpoint is a TRUNCATE one:
/// it waits for the writer's transaction to end, holds the next one back while it
/// copies the rest, and empties the file.
struct Checkpoints {
    pool: AnyPool,
    commits: AtomicU32,
    running: AtomicBool,
    /// Milliseconds from `since` to the last checkpoint's start.
    last: AtomicU64,
    since: std::time::Instant,
    truncate_at: i64,
}

impl Checkpoints {
    /// Write transactions between two checkpoints (fewer commits, under group commit): a
    /// few hundred pages of log at most.
    const EVERY: u32 = 64;
    /// …or this long, whichever comes first.
    const AFTER_MS: u64 = 1_000;
    /// 1 GiB of 4 KiB pages: only a bulk load writes that much between two
    /// checkpoints.
    const TRUNCATE_AT: i64 = 262_144;

    fn new(pool: AnyPool) -> Checkpoints {
        Checkpoints {
            pool,
            commits: AtomicU32::new(0),
            running: AtomicBool::new(false),
            last: AtomicU64::new(0),
            since: std::time::Instant::now(),
            truncate_at: Self::TRUNCATE_AT,
        }
    }

    fn committed(self: &Arc<Self>) {
        let now = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        let due = self.commits.fetch_add(1, Ordering::Relaxed) + 1 >= Self::EVERY
            || now.saturating_sub(self.last.load(Ordering::Relaxed)) >= Self::AFTER_MS;
        if !due || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.commits.store(0, Ordering::Relaxed);
        self.last.store(now, Ordering::Relaxed);
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = me.checkpoint().await {
                // The next one tries again; the log only grows meanwhile.
                tracing::warn!(error = %e, "SQLite checkpoint failed");
            }
            me.running.store(false, Ordering::Release);
        });
    }

    async fn checkpoint(&self) -> Result<()> {
        // (busy, pages in the log, pages copied)
        let (_, log, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&self.pool)
            .await?;
        if log >= self.truncate_at {
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.pool)
                .await?;
            tracing::info!(log_pages = log, done = busy == 0, "SQLite log truncated");
        }
        Ok(())
    }
}

/// When SQLite waits for the disk. Under WAL, `Normal` syncs the log at each
/// checkpoint but not at each commit: a power cut (not a crash of the process, which
/// loses nothing) may roll back the last transactions committed before it, and never
/// corrupts the file. `Full` syncs the log at every commit, so that an acknowledged
/// write survives a power cut too, at the cost of one disk flush per write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SqliteSynchronous {
    #[default]
    Normal,
    Full,
}

impl SqliteSynchronous {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "normal" => Some(SqliteSynchronous::Normal),
            "full" => Some(SqliteSynchronous::Full),
            _ => None,
        }
    }

    pub(crate) fn pragma(self) -> &'static str {
        match self {
            SqliteSynchronous::Normal => "PRAGMA synchronous = NORMAL;",
            SqliteSynchronous::Full => "PRAGMA synchronous = FULL;",
        }
    }
}

/// Pool settings both pools share; on SQLite each new connection runs the pragmas,
/// then `extra`.
fn pool_options(
    engine: Engine,
    synchronous: SqliteSynchronous,
    extra: &'static str,
) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    // WAL lets readers run beside the writer; the busy timeout makes
                    // a writer of another process wait instead of failing at once.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                         PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    conn.execute(synchronous.pragma()).await?;
                    if !extra.is_empty() {
                        conn.execute(extra).await?;
                    }
                }
                Ok(())
            })
        })
}

/// Creates the file's folder and asks for the file to be created; returns the
/// file's path (none for a database in memory).
fn prepare_sqlite_path(url: &mut String) -> Result<Option<PathBuf>> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default().to_owned();
    if path.is_empty() || path == ":memory:" || rest.contains("mode=memory") {
        return Ok(None);
    }
    let path = PathBuf::from(path);
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(StoreError::Io)?;
        }
    }
    if !url.contains("mode=") {
        url.push_str(if url.contains('?') {
            "&mode=rwc"
        } else {
            "?mode=rwc"
        });
    }
    // A percent-encoded name is sqlx's to decode; a read around sqlx then uses
    // sqlx too.
    Ok((!path.to_string_lossy().contains('%')).then_some(path))
}

/// Did this statement break a unique constraint (a username or code already taken)?
pub fn is_unique_violation(err: &StoreError) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// A new time-ordered id (UUIDv7): sortable by creation and safe to merge across
/// databases.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Instants are stored as milliseconds since the Unix epoch, the same on both
/// engines and cheap to index and compare.
pub fn to_millis(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn from_millis(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Turns a boolean column (0/1 BIGINT on both engines) into a bool.
pub fn flag(v: i64) -> bool {
    v != 0
}

/// An SQLite database in a file of its own for a store test (a pool's
/// connections to `sqlite::memory:` would each see another database).
#[cfg(test)]
pub(crate) struct TempSqlite {
    pub db: Db,
    path: PathBuf,
}

#[cfg(test)]
impl TempSqlite {
    pub(crate) async fn new(name: &str) -> TempSqlite {
        Self::with_batches(name, sqlite_writer::BatchLimits::default()).await
    }

    /// [`TempSqlite::new`] whose writer commits in batches of these limits.
    pub(crate) async fn with_batches(
        name: &str,
        batches: sqlite_writer::BatchLimits,
    ) -> TempSqlite {
        let path = std::env::temp_dir().join(format!("motcua-{name}-{}.sqlite3", new_id()));
        let db = Db::open(
            &format!("sqlite://{}", path.display()),
            SqliteSynchronous::default(),
            batches,
        )
        .await
        .expect("connect");
        TempSqlite { db, path }
    }

    /// Closes the database and deletes its files.
    pub(crate) async fn remove(self) {
        self.db.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log past the limit is emptied by the checkpoint that follows a commit,
    /// where a PASSIVE one alone leaves the file at its largest.
    #[tokio::test]
    async fn a_long_log_is_truncated() {
        let mut temp = TempSqlite::new("wal").await;
        let path = temp.path.clone();
        let db = &mut temp.db;
        let mut small = Checkpoints::new(db.pool.clone());
        small.truncate_at = 8;
        // The commit is then a second after the last checkpoint: one is due.
        small.since = std::time::Instant::now()
            .checked_sub(Duration::from_secs(2))
            .expect("an instant two seconds ago");
        db.checkpoints = Some(Arc::new(small));
        let mut tx = db.begin_write().await.expect("begin");
        sqlx::query("CREATE TABLE t (v TEXT)")
            .execute(&mut *tx)
            .await
            .expect("create");
        for _ in 0..100 {
            sqlx::query("INSERT INTO t VALUES ($1)")
                .bind("x".repeat(4000))
                .execute(&mut *tx)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
        let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
        let mut size = u64::MAX;
        for _ in 0..100 {
            size = std::fs::metadata(&wal).map_or(0, |m| m.len());
            if size == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        temp.remove().await;
        assert_eq!(size, 0, "the log was not truncated");
    }
}
