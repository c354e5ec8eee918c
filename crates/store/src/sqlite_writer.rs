//! SQLite's one write connection, run synchronously on the caller's thread.
//!
//! sqlx runs each SQLite connection on a worker thread of its own and hands every
//! statement to it and every answer back: two thread wake-ups a statement. An
//! intake makes about ten statements, so on this 2-core machine the cores were
//! idle a third of the time while 50 clients waited, and another tenth went to the
//! kernel's wake-up path (`perf`, 03/12/2026): the write lock was held through
//! hand-offs, not work. Here the writer is a plain SQLite handle (rusqlite) that
//! executes each statement where it is asked, in microseconds, and answers in
//! sqlx's `Any` rows, so the store's queries run on it unchanged
//! ([`crate::Conn`]). No crate offers an sqlx executor over a synchronous handle;
//! this is that bridge, and group commit.
//!
//! **Group commit.** Each transaction (a *unit*: an intake, an action) runs alone
//! on the writer, as before, but when others are already waiting for the writer
//! its end is a `RELEASE` of the savepoint it ran in rather than a `COMMIT`: the
//! next unit continues the same SQLite transaction, and the last one, or the one
//! that finds the batch full or old ([`BatchLimits`]), commits it for all. No unit
//! is answered before the commit that holds its work has returned, so an
//! acknowledged write survives a crash of the process exactly as before (SIGKILL
//! step of `bench dossiers`); a unit that fails is rolled back to its savepoint
//! and takes no other unit with it. What is shared is the commit's own work: the
//! log's header and frames (a page that ten intakes change is written once, not ten
//! times), the lock's release and retake, and the checkpoints counted per commit.

use std::borrow::Cow;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::types::{Null, ValueRef};
use rusqlite::{ffi, Connection, OpenFlags};
use sqlx::any::Any;
use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::{Either, Execute};
use sqlx_core::any::{
    AnyArguments, AnyColumn, AnyQueryResult, AnyRow, AnyTypeInfo, AnyTypeInfoKind, AnyValue,
    AnyValueKind,
};
use sqlx_core::ext::ustr::UStr;
use sync_wrapper::SyncWrapper;
use tokio::sync::{oneshot, Mutex, OwnedMutexGuard};

use crate::{Result, SqliteSynchronous, StoreError};

/// What one statement answered, in the order sqlx's drivers stream it: its rows,
/// then its count.
pub(crate) type Answer = Vec<Either<AnyQueryResult, AnyRow>>;

/// How long a transaction waits for another process's write lock, as the sqlx
/// connections' `busy_timeout` does.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// Statements kept prepared: the store's few hundred distinct ones.
const STATEMENT_CACHE: usize = 512;

/// When a batch is committed although others wait to join it: once it holds
/// `units` units, or once its first has waited `age` (the latency a unit may add
/// to those before it), whichever comes first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchLimits {
    pub units: u32,
    pub age: Duration,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            units: 32,
            age: Duration::from_millis(5),
        }
    }
}

/// The writer, and who is waiting for it: what group commit decides on.
pub(crate) struct SharedWriter {
    lock: Arc<Mutex<SqliteWriter>>,
    /// Transactions waiting for the lock: while there are some, a unit that ends
    /// leaves the commit to them.
    waiting: AtomicUsize,
    /// Units have ended in a transaction not yet committed.
    pending: AtomicBool,
    units: AtomicU64,
    commits: AtomicU64,
    limits: BatchLimits,
}

impl SharedWriter {
    pub(crate) fn new(writer: SqliteWriter, limits: BatchLimits) -> Arc<SharedWriter> {
        Arc::new(SharedWriter {
            lock: Arc::new(Mutex::new(writer)),
            waiting: AtomicUsize::new(0),
            pending: AtomicBool::new(false),
            units: AtomicU64::new(0),
            commits: AtomicU64::new(0),
            limits,
        })
    }

    /// Units committed so far, and the SQLite commits that held them.
    pub(crate) fn committed(&self) -> (u64, u64) {
        (
            self.units.load(Ordering::Relaxed),
            self.commits.load(Ordering::Relaxed),
        )
    }

    /// The lock, counted among the waiting while waiting for it. As long as sqlx's
    /// pools wait for a connection: a transaction that waits for another of the
    /// same task fails rather than hangs.
    async fn acquire(self: &Arc<Self>) -> Result<Held> {
        let waiting = Waiting::new(self);
        let guard = tokio::time::timeout(BUSY_WAIT, self.lock.clone().lock_owned())
            .await
            .map_err(|_| StoreError::PoolTimedOut)?;
        waiting.acquired();
        Ok(Held {
            guard,
            shared: self.clone(),
            alone: false,
        })
    }

    /// Commits what is pending, then closes the handle.
    pub(crate) async fn close(self: &Arc<Self>) {
        let mut held = Held {
            guard: self.lock.clone().lock_owned().await,
            shared: self.clone(),
            alone: true,
        };
        held.commit_batch();
        held.guard.close();
    }
}

/// One transaction counted among those waiting for the writer. One that gives up
/// (its request cancelled, or out of time) may have been the one a batch was left
/// to: it then makes sure someone takes the lock and commits it.
struct Waiting {
    shared: Arc<SharedWriter>,
    acquired: bool,
}

impl Waiting {
    fn new(shared: &Arc<SharedWriter>) -> Waiting {
        shared.waiting.fetch_add(1, Ordering::SeqCst);
        Waiting {
            shared: shared.clone(),
            acquired: false,
        }
    }

    fn acquired(mut self) {
        self.acquired = true;
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let before = self.shared.waiting.fetch_sub(1, Ordering::SeqCst);
        if self.acquired || before != 1 || !self.shared.pending.load(Ordering::SeqCst) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let shared = self.shared.clone();
        runtime.spawn(async move {
            // Taking the lock and letting it go commits the batch when no one
            // else is waiting for it (`Held`'s drop).
            if let Err(e) = shared.acquire().await {
                tracing::error!(error = %e, "committing an SQLite batch left behind");
            }
        });
    }
}

/// Units whose work is in the writer's open transaction, waiting for its commit.
struct Batch {
    opened: Instant,
    units: u32,
    acks: Vec<oneshot::Sender<std::result::Result<(), String>>>,
}

impl Batch {
    fn due(&self, limits: BatchLimits) -> bool {
        self.units >= limits.units || self.opened.elapsed() >= limits.age
    }
}

/// The writer's lock, held. Letting it go commits the pending batch unless
/// another transaction is waiting to add to it.
struct Held {
    guard: OwnedMutexGuard<SqliteWriter>,
    shared: Arc<SharedWriter>,
    /// A transaction that writes much commits on its own (see `Db::begin_bulk_write`).
    alone: bool,
}

impl Held {
    fn commit_batch(&mut self) {
        let Some(batch) = self.guard.batch.take() else {
            return;
        };
        self.shared.pending.store(false, Ordering::SeqCst);
        let committed = self.guard.commit();
        if committed.is_ok() {
            self.shared
                .units
                .fetch_add(u64::from(batch.units), Ordering::Relaxed);
            self.shared.commits.fetch_add(1, Ordering::Relaxed);
        }
        let answer = committed.map_err(|e| format!("the SQLite commit failed: {e}"));
        if let Err(e) = &answer {
            tracing::error!(error = %e, units = batch.units, "group commit");
        }
        for ack in batch.acks {
            // A unit whose request was cancelled meanwhile no longer listens.
            let _ = ack.send(answer.clone());
        }
    }

    /// The transaction is gone (SQLite rolled it back on an I/O error or the like):
    /// the units that ended in it are told so.
    fn fail_batch(&mut self) {
        let Some(batch) = self.guard.batch.take() else {
            return;
        };
        self.shared.pending.store(false, Ordering::SeqCst);
        tracing::error!(
            units = batch.units,
            "an SQLite transaction was rolled back under its batch"
        );
        for ack in batch.acks {
            let _ = ack.send(Err("the SQLite transaction was rolled back".into()));
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let due = self.guard.batch.as_ref().is_some_and(|b| {
            self.alone
                || b.due(self.shared.limits)
                || self.shared.waiting.load(Ordering::SeqCst) == 0
        });
        if due {
            self.commit_batch();
        }
    }
}

/// The connection (none once closed), only ever used through `&mut` (a
/// transaction holds it alone), hence `Sync` by `SyncWrapper` although rusqlite's
/// handle is not; and the batch of units that its open transaction holds.
pub(crate) struct SqliteWriter {
    conn: SyncWrapper<Option<Connection>>,
    batch: Option<Batch>,
}

impl SqliteWriter {
    pub(crate) fn open(
        path: &Path,
        synchronous: SqliteSynchronous,
        pragmas: &str,
    ) -> Result<SqliteWriter> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(error)?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {}; {} {}",
            BUSY_WAIT.as_millis(),
            synchronous.pragma(),
            pragmas
        ))
        .map_err(error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(SqliteWriter {
            conn: SyncWrapper::new(Some(conn)),
            batch: None,
        })
    }

    fn conn(&mut self) -> Result<&mut Connection> {
        self.conn.get_mut().as_mut().ok_or(StoreError::PoolClosed)
    }

    /// Whether no transaction is open (SQLite ends one by itself after some errors).
    fn autocommit(&mut self) -> bool {
        self.conn().map_or(true, |c| c.is_autocommit())
    }

    /// Closes the handle (another process may then change the journal mode).
    fn close(&mut self) {
        self.conn.get_mut().take();
    }

    /// `BEGIN IMMEDIATE`, waiting without blocking the thread while another
    /// process writes (the handle's own busy wait would sleep on this thread).
    async fn begin(&mut self) -> Result<()> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let conn = self.conn()?;
            conn.busy_timeout(Duration::ZERO).map_err(error)?;
            let begun = conn.execute_batch("BEGIN IMMEDIATE");
            conn.busy_timeout(BUSY_WAIT).map_err(error)?;
            match begun {
                Ok(()) => return Ok(()),
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < BUSY_WAIT =>
                {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(e) => return Err(error(e)),
            }
        }
    }

    fn commit(&mut self) -> Result<()> {
        let conn = self.conn()?;
        let committed = conn.execute_batch("COMMIT").map_err(error);
        if committed.is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        committed
    }

    fn rollback(&mut self) -> Result<()> {
        let conn = self.conn()?;
        if conn.is_autocommit() {
            return Ok(());
        }
        conn.execute_batch("ROLLBACK").map_err(error)
    }

    /// Runs `sql` with `arguments`: its rows (at most `limit`), then its count.
    fn run(
        &mut self,
        sql: &str,
        arguments: Option<AnyArguments<'_>>,
        persistent: bool,
        limit: Option<usize>,
    ) -> Result<Answer> {
        let started = Instant::now();
        let answer = self.run_inner(sql, arguments, persistent, limit);
        let elapsed = started.elapsed();
        if elapsed > Duration::from_millis(500) {
            tracing::warn!(
                elapsed_ms = elapsed.as_millis() as u64,
                statement = %sql.chars().take(120).collect::<String>(),
                "slow statement on the SQLite writer"
            );
        }
        answer
    }

    fn run_inner(
        &mut self,
        sql: &str,
        arguments: Option<AnyArguments<'_>>,
        persistent: bool,
        limit: Option<usize>,
    ) -> Result<Answer> {
        let values = arguments.map(|a| a.values.0).unwrap_or_default();
        let conn = self.conn()?;
        let prepared = if persistent {
            conn.prepare_cached(sql).map(Statement::Cached)
        } else {
            conn.prepare(sql).map(Statement::Once)
        };
        let mut stmt = match prepared {
            Ok(s) => s,
            // Several statements in one string (pragmas, scripts): run as a batch,
            // which takes no arguments.
            Err(rusqlite::Error::MultipleStatement) if values.is_empty() => {
                conn.execute_batch(sql).map_err(error)?;
                return Ok(vec![Either::Left(AnyQueryResult {
                    rows_affected: conn.changes(),
                    last_insert_id: None,
                })]);
            }
            Err(e) => return Err(error(e)),
        };
        let stmt = stmt.get();
        bind(stmt, &values)?;
        let readonly = stmt.readonly();
        let width = stmt.column_count();
        let mut answer = Vec::new();
        if width > 0 {
            let names: Vec<UStr> = (0..width)
                .map(|i| UStr::new(stmt.column_name(i).unwrap_or_default()))
                .collect();
            let index: Arc<sqlx_core::HashMap<UStr, usize>> = Arc::new(
                names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.clone(), i))
                    .collect(),
            );
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next().map_err(error)? {
                let mut out = AnyRow {
                    column_names: index.clone(),
                    columns: Vec::with_capacity(width),
                    values: Vec::with_capacity(width),
                };
                for (i, name) in names.iter().enumerate() {
                    let kind = value(row.get_ref(i).map_err(error)?)?;
                    out.columns.push(AnyColumn {
                        ordinal: i,
                        name: name.clone(),
                        type_info: AnyTypeInfo {
                            kind: kind_of(&kind),
                        },
                    });
                    out.values.push(AnyValue { kind });
                }
                answer.push(Either::Right(out));
                if limit.is_some_and(|l| answer.len() >= l) {
                    break;
                }
            }
        } else {
            stmt.raw_execute().map_err(error)?;
        }
        answer.push(Either::Left(AnyQueryResult {
            rows_affected: if readonly { 0 } else { conn.changes() },
            last_insert_id: None,
        }));
        Ok(answer)
    }
}

/// A write transaction on the writer (a unit), which it holds alone until it ends.
/// Dropped before its commit, it is rolled back there and then, before the next
/// one may begin (sqlx's transactions do the same).
pub(crate) struct WriterTx {
    held: Held,
    /// How the unit began; none once it has ended.
    unit: Option<Unit>,
    /// SQLite rolled the transaction back after an error: nothing more runs in it.
    broken: bool,
}

#[derive(Clone, Copy)]
enum Unit {
    /// It began the SQLite transaction: no other unit's work is in it.
    First,
    /// It joined a batch, in a savepoint of its own.
    Joined,
}

impl WriterTx {
    /// Begins a unit; `alone` for one that writes much: it commits on its own and
    /// needs no savepoint (which would copy every page it changes).
    pub(crate) async fn begin(shared: &Arc<SharedWriter>, alone: bool) -> Result<WriterTx> {
        let mut held = shared.acquire().await?;
        held.alone = alone;
        let limits = shared.limits;
        if held
            .guard
            .batch
            .as_ref()
            .is_some_and(|b| alone || b.due(limits))
        {
            held.commit_batch();
        }
        let unit = if held.guard.batch.is_some() {
            held.guard
                .conn()?
                .execute_batch("SAVEPOINT unit")
                .map_err(error)?;
            Unit::Joined
        } else {
            held.guard.begin().await?;
            Unit::First
        };
        Ok(WriterTx {
            held,
            unit: Some(unit),
            broken: false,
        })
    }

    /// Runs `query` (at most `limit` rows). A statement here runs on this thread
    /// and never waits, so a long transaction (an import's hundreds of statements)
    /// would keep the thread from every other task: each statement spends a unit
    /// of the task's cooperative budget, and the task gives the thread up when it
    /// is spent.
    pub(crate) async fn answer<'q, E: Execute<'q, Any>>(
        &mut self,
        mut query: E,
        limit: Option<usize>,
    ) -> Result<Answer> {
        tokio::task::coop::consume_budget().await;
        if self.broken {
            return Err(rolled_back());
        }
        let arguments = query.take_arguments().map_err(StoreError::Encode)?;
        let answer = self
            .held
            .guard
            .run(query.sql(), arguments, query.persistent(), limit);
        if answer.is_err() && self.held.guard.autocommit() {
            self.broken = true;
            self.held.fail_batch();
        }
        answer
    }

    /// Ends the unit, keeping its work: returns once a commit holds it.
    pub(crate) async fn commit(mut self) -> Result<()> {
        if self.broken {
            return Err(rolled_back());
        }
        if let Some(Unit::Joined) = self.unit {
            self.held
                .guard
                .conn()?
                .execute_batch("RELEASE unit")
                .map_err(error)?;
        }
        self.unit = None;
        let (ack, committed) = oneshot::channel();
        let batch = self.held.guard.batch.get_or_insert_with(|| Batch {
            opened: Instant::now(),
            units: 0,
            acks: Vec::new(),
        });
        batch.units += 1;
        batch.acks.push(ack);
        // Before the lock is let go (which reads `waiting`): see `Waiting`'s drop.
        self.held.shared.pending.store(true, Ordering::SeqCst);
        // Commits now, or leaves the batch to the next unit.
        drop(self);
        match committed.await {
            Ok(answer) => answer.map_err(StoreError::Protocol),
            Err(_) => Err(StoreError::Protocol(
                "the SQLite writer closed before the commit".into(),
            )),
        }
    }

    pub(crate) fn rollback(mut self) -> Result<()> {
        self.undo()
    }

    /// Undoes the unit's work, and only its own.
    fn undo(&mut self) -> Result<()> {
        match self.unit.take() {
            None => Ok(()),
            Some(Unit::First) => self.held.guard.rollback(),
            Some(Unit::Joined) if self.held.guard.autocommit() => {
                self.held.fail_batch();
                Ok(())
            }
            Some(Unit::Joined) => self
                .held
                .guard
                .conn()?
                .execute_batch("ROLLBACK TO unit; RELEASE unit")
                .map_err(error),
        }
    }
}

impl Drop for WriterTx {
    fn drop(&mut self) {
        if let Err(e) = self.undo() {
            tracing::error!(error = %e, "rolling back an abandoned SQLite write transaction");
            // Whatever the batch held can no longer be told apart from it.
            if !self.held.guard.autocommit() {
                let _ = self.held.guard.rollback();
            }
            self.held.fail_batch();
        }
    }
}

fn rolled_back() -> StoreError {
    StoreError::Protocol("the SQLite transaction was rolled back after an error".into())
}

/// A statement prepared for this call or kept in the connection's cache.
enum Statement<'c> {
    Cached(rusqlite::CachedStatement<'c>),
    Once(rusqlite::Statement<'c>),
}

impl<'c> Statement<'c> {
    fn get(&mut self) -> &mut rusqlite::Statement<'c> {
        match self {
            Statement::Cached(s) => s,
            Statement::Once(s) => s,
        }
    }
}

/// Binds each parameter as sqlx's SQLite driver does: `$n` (or `?n`) takes the
/// n-th value, a bare `?` the next one.
fn bind(stmt: &mut rusqlite::Statement<'_>, values: &[AnyValueKind<'_>]) -> Result<()> {
    let mut next = 0;
    for i in 1..=stmt.parameter_count() {
        let n = match stmt.parameter_name(i) {
            Some(name) => name
                .strip_prefix('$')
                .or_else(|| name.strip_prefix('?'))
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| StoreError::Protocol(format!("unsupported parameter {name}")))?,
            None => {
                next += 1;
                next
            }
        };
        // An argument not given is NULL, as with sqlx.
        let Some(v) = n.checked_sub(1).and_then(|at| values.get(at)) else {
            stmt.raw_bind_parameter(i, Null).map_err(error)?;
            continue;
        };
        let bound = match v {
            AnyValueKind::Null(_) => stmt.raw_bind_parameter(i, Null),
            AnyValueKind::Bool(b) => stmt.raw_bind_parameter(i, i64::from(*b)),
            AnyValueKind::SmallInt(x) => stmt.raw_bind_parameter(i, i64::from(*x)),
            AnyValueKind::Integer(x) => stmt.raw_bind_parameter(i, i64::from(*x)),
            AnyValueKind::BigInt(x) => stmt.raw_bind_parameter(i, *x),
            AnyValueKind::Real(x) => stmt.raw_bind_parameter(i, f64::from(*x)),
            AnyValueKind::Double(x) => stmt.raw_bind_parameter(i, *x),
            AnyValueKind::Text(t) => stmt.raw_bind_parameter(i, t.as_ref()),
            AnyValueKind::Blob(b) => stmt.raw_bind_parameter(i, b.as_ref()),
            other => {
                return Err(StoreError::Protocol(format!(
                    "a value SQLite cannot bind: {other:?}"
                )))
            }
        };
        bound.map_err(error)?;
    }
    Ok(())
}

/// A column's value as sqlx's SQLite driver maps it into `Any`: by the value's
/// own type, integers as `BigInt`, floats as `Double`.
fn value(v: ValueRef<'_>) -> Result<AnyValueKind<'static>> {
    Ok(match v {
        ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
        ValueRef::Integer(i) => AnyValueKind::BigInt(i),
        ValueRef::Real(f) => AnyValueKind::Double(f),
        ValueRef::Text(t) => {
            AnyValueKind::Text(Cow::Owned(String::from_utf8(t.to_vec()).map_err(|e| {
                StoreError::Decode(format!("text that is not UTF-8: {e}").into())
            })?))
        }
        ValueRef::Blob(b) => AnyValueKind::Blob(Cow::Owned(b.to_vec())),
    })
}

fn kind_of(v: &AnyValueKind<'_>) -> AnyTypeInfoKind {
    match v {
        AnyValueKind::BigInt(_) => AnyTypeInfoKind::BigInt,
        AnyValueKind::Double(_) => AnyTypeInfoKind::Double,
        AnyValueKind::Text(_) => AnyTypeInfoKind::Text,
        AnyValueKind::Blob(_) => AnyTypeInfoKind::Blob,
        _ => AnyTypeInfoKind::Null,
    }
}

/// An SQLite error as sqlx reports it: a database error with SQLite's extended
/// code, so that callers tell a unique violation from the rest as before.
fn error(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            StoreError::Database(Box::new(WriterError {
                code: code.extended_code,
                message: message.unwrap_or_else(|| code.to_string()),
            }))
        }
        other => StoreError::Protocol(format!("SQLite writer: {other}")),
    }
}

#[derive(Debug)]
struct WriterError {
    code: i32,
    message: String,
}

impl std::fmt::Display for WriterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(code: {}) {}", self.code, self.message)
    }
}

impl std::error::Error for WriterError {}

impl DatabaseError for WriterError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::TempSqlite;
    use sqlx::Row;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    async fn table(temp: &TempSqlite) {
        let mut tx = temp.db.begin_write().await.expect("begin");
        sqlx::query("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, data BLOB, x DOUBLE)")
            .execute(&mut *tx)
            .await
            .expect("create");
        tx.commit().await.expect("commit");
    }

    /// Numbered parameters bind by their number wherever they stand, bare ones in
    /// turn; values come back with the types sqlx's driver gives them.
    #[tokio::test]
    async fn parameters_and_values_are_those_of_sqlx() {
        let temp = TempSqlite::new("writer-values").await;
        table(&temp).await;
        let mut tx = temp.db.begin_write().await.expect("begin");
        let done = sqlx::query("INSERT INTO t (name, id, data, x) VALUES ($2, $1, $3, $4)")
            .bind(7_i64)
            .bind("Nguyễn Văn Đức")
            .bind(vec![0_u8, 1, 2])
            .bind(1.5_f64)
            .execute(&mut *tx)
            .await
            .expect("insert");
        assert_eq!(done.rows_affected(), 1);
        sqlx::query("INSERT INTO t (id, name) VALUES (?, ?), (?, ?)")
            .bind(8_i64)
            .bind(None::<String>)
            .bind(9_i64)
            .bind("b")
            .execute(&mut *tx)
            .await
            .expect("insert");
        let rows = sqlx::query("SELECT id, name, data, x FROM t ORDER BY id")
            .fetch_all(&mut *tx)
            .await
            .expect("select");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].get::<i64, _>("id"), 7);
        assert_eq!(rows[0].get::<String, _>("name"), "Nguyễn Văn Đức");
        assert_eq!(rows[0].get::<Vec<u8>, _>("data"), vec![0, 1, 2]);
        assert_eq!(rows[0].get::<f64, _>(3), 1.5);
        assert_eq!(rows[1].get::<Option<String>, _>("name"), None);
        let one: Option<(i64,)> = sqlx::query_as("SELECT id FROM t WHERE id > $1 ORDER BY id")
            .bind(7_i64)
            .fetch_optional(&mut *tx)
            .await
            .expect("one");
        assert_eq!(one, Some((8,)));
        let changed = sqlx::query("UPDATE t SET x = 2 WHERE id >= $1")
            .bind(8_i64)
            .execute(&mut *tx)
            .await
            .expect("update");
        assert_eq!(changed.rows_affected(), 2);
        tx.commit().await.expect("commit");
        // What the writer committed, a pooled reader sees.
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(temp.db.pool())
            .await
            .expect("count");
        assert_eq!(n, 3);
        temp.remove().await;
    }

    /// A broken constraint is a database error that says which, as before; the
    /// transaction stays usable, and a transaction dropped without its commit
    /// leaves nothing behind and does not keep the next one waiting.
    #[tokio::test]
    async fn errors_and_abandoned_transactions() {
        let temp = TempSqlite::new("writer-errors").await;
        table(&temp).await;
        let mut tx = temp.db.begin_write().await.expect("begin");
        sqlx::query("INSERT INTO t (id) VALUES (1)")
            .execute(&mut *tx)
            .await
            .expect("insert");
        let again = sqlx::query("INSERT INTO t (id) VALUES (1)")
            .execute(&mut *tx)
            .await
            .expect_err("a second row with the same key");
        assert!(crate::is_unique_violation(&again), "{again}");
        let bad = sqlx::query("SELECT * FROM nowhere")
            .execute(&mut *tx)
            .await
            .expect_err("no such table");
        assert!(bad.to_string().contains("no such table"), "{bad}");
        sqlx::query("INSERT INTO t (id) VALUES (2)")
            .execute(&mut *tx)
            .await
            .expect("the transaction goes on");
        drop(tx);
        let mut tx = tokio::time::timeout(std::time::Duration::from_secs(2), temp.db.begin_write())
            .await
            .expect("the writer is free again")
            .expect("begin");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&mut *tx)
            .await
            .expect("count");
        assert_eq!(n, 0, "the dropped transaction was rolled back");
        tx.rollback().await.expect("rollback");
        temp.remove().await;
    }

    fn shared(temp: &TempSqlite) -> Arc<super::SharedWriter> {
        match &temp.db.writer {
            Some(crate::Writer::Sync(w)) => w.clone(),
            _ => panic!("an SQLite file has the synchronous writer"),
        }
    }

    /// A database whose batches are as large as a test makes them, however slowly
    /// it runs.
    async fn patient(name: &str) -> TempSqlite {
        TempSqlite::with_batches(
            name,
            super::BatchLimits {
                units: 1_000,
                age: std::time::Duration::from_secs(3_600),
            },
        )
        .await
    }

    /// Until `n` transactions wait for the writer.
    async fn until_waiting(shared: &super::SharedWriter, n: usize) {
        while shared.waiting.load(Ordering::SeqCst) < n {
            tokio::task::yield_now().await;
        }
    }

    /// A write transaction that has inserted row `id`.
    async fn with_row(db: &crate::Db, id: i64) -> crate::Tx {
        let mut tx = db.begin_write().await.expect("begin");
        sqlx::query("INSERT INTO t (id) VALUES ($1)")
            .bind(id)
            .execute(&mut *tx)
            .await
            .expect("insert");
        tx
    }

    async fn count(temp: &TempSqlite, id: i64) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM t WHERE id = $1")
            .bind(id)
            .fetch_one(temp.db.pool())
            .await
            .expect("count")
    }

    /// Units that wait for the writer while another runs share its commit, and
    /// none is answered before a commit holds it: another connection sees each
    /// row as soon as its unit's commit has returned.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_units_share_a_commit_and_are_answered_after_it() {
        let temp = Arc::new(patient("writer-group").await);
        table(&temp).await;
        let shared = shared(&temp);
        let before = shared.committed();
        let first = with_row(&temp.db, 0).await;
        let units = 40_i64;
        let mut tasks = Vec::new();
        for id in 1..=units {
            let temp = temp.clone();
            tasks.push(tokio::spawn(async move {
                let tx = with_row(&temp.db, id).await;
                tx.commit().await.expect("commit");
                count(&temp, id).await
            }));
        }
        until_waiting(&shared, usize::try_from(units).expect("units")).await;
        first.commit().await.expect("commit");
        assert_eq!(count(&temp, 0).await, 1, "committed when answered");
        for t in tasks {
            assert_eq!(t.await.expect("task"), 1, "committed when answered");
        }
        let (u, c) = shared.committed();
        let (u, c) = (u - before.0, c - before.1);
        assert_eq!((u, c), (41, 1), "one commit for all");
        Arc::try_unwrap(temp).ok().expect("alone").remove().await;
    }

    /// A unit that fails in a batch undoes its own work only: the units before and
    /// after it in the same commit keep theirs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_unit_rolled_back_in_a_batch_takes_no_other_with_it() {
        let temp = Arc::new(patient("writer-group-undo").await);
        table(&temp).await;
        let shared = shared(&temp);
        let before = shared.committed();
        let first = with_row(&temp.db, 1).await;
        let failing = {
            let temp = temp.clone();
            tokio::spawn(async move {
                let mut tx = with_row(&temp.db, 2).await;
                let clash = sqlx::query("INSERT INTO t (id) VALUES (1)")
                    .execute(&mut *tx)
                    .await
                    .expect_err("the first unit's row is there");
                assert!(crate::is_unique_violation(&clash), "{clash}");
                // Dropped, as a use case that returns its error drops it.
            })
        };
        until_waiting(&shared, 1).await;
        let last = {
            let temp = temp.clone();
            tokio::spawn(async move {
                let tx = with_row(&temp.db, 3).await;
                tx.commit().await.expect("commit");
            })
        };
        until_waiting(&shared, 2).await;
        first.commit().await.expect("commit");
        failing.await.expect("task");
        last.await.expect("task");
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM t ORDER BY id")
            .fetch_all(temp.db.pool())
            .await
            .expect("ids");
        assert_eq!(ids, vec![1, 3]);
        let (u, c) = shared.committed();
        assert_eq!((u - before.0, c - before.1), (2, 1), "one commit for both");
        Arc::try_unwrap(temp).ok().expect("alone").remove().await;
    }

    /// A unit leaves its commit to one that waits for the writer; when that one
    /// gives up waiting (its request cancelled), the batch is still committed.
    #[tokio::test]
    async fn a_waiter_that_gives_up_does_not_strand_the_batch() {
        let temp = TempSqlite::new("writer-group-cancel").await;
        table(&temp).await;
        let shared = shared(&temp);
        let tx = with_row(&temp.db, 1).await;
        // Someone waiting, as far as the unit can tell when it ends.
        let waiter = super::Waiting::new(&shared);
        let commit = tokio::spawn(async move { tx.commit().await });
        while !shared.pending.load(Ordering::SeqCst) {
            tokio::task::yield_now().await;
        }
        assert_eq!(count(&temp, 1).await, 0, "left to the waiter");
        drop(waiter);
        tokio::time::timeout(std::time::Duration::from_secs(10), commit)
            .await
            .expect("the batch is committed without the waiter")
            .expect("task")
            .expect("commit");
        assert_eq!(count(&temp, 1).await, 1);
        temp.remove().await;
    }

    /// While another process holds the write lock, a transaction waits for it
    /// (without sleeping on the thread) and begins once it is released.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_lock_held_elsewhere_is_waited_for() {
        let temp = TempSqlite::new("writer-busy").await;
        table(&temp).await;
        let path = temp.db.sqlite_file().expect("a file").to_owned();
        let other = rusqlite::Connection::open(&path).expect("open");
        other.execute_batch("BEGIN IMMEDIATE").expect("lock");
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            released.recv().ok();
            other
                .execute_batch("INSERT INTO t (id) VALUES (5); COMMIT")
                .expect("commit");
        });
        let db = temp.db.clone();
        let waiting = tokio::spawn(async move {
            let mut tx = db.begin_write().await.expect("begin");
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
                .fetch_one(&mut *tx)
                .await
                .expect("count");
            tx.commit().await.expect("commit");
            n
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "it waits for the other process");
        // The runtime's threads are not blocked meanwhile.
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(temp.db.pool())
            .await
            .expect("read");
        assert_eq!(n, 0);
        release.send(()).expect("release");
        assert_eq!(waiting.await.expect("task"), 1, "it began after the commit");
        holder.join().expect("holder");
        temp.remove().await;
    }
}
