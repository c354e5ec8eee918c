//! The outbox: messages (e-mail, SMS) written in the same transaction as the change
//! they announce, delivered later by a worker with retries.
//!
//! A message is `pending` until it is `sent` (a transport accepted it), `logged` (no
//! transport is configured for its channel, so it was only written to the log) or
//! `failed` (retries exhausted, or it can never be delivered). Workers claim due
//! messages with a conditional update that moves `next_attempt_at` forward as a
//! lease, so two workers sharing a database never both take the same message; a
//! worker that dies mid-send leaves the message to be retried when its lease ends.

use crate::dossiers::procedure_name;
use crate::{Conn, Result};
use sqlx::FromRow;

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const LOGGED: &str = "logged";
pub const FAILED: &str = "failed";

/// At most this many characters of an error are kept in `last_error`.
const MAX_ERROR_CHARS: usize = 1000;

/// At most this many dossiers are reminded by one call of [`enqueue_reminders`].
pub const REMINDER_BATCH: i64 = 200;

#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    pub dossier_id: Option<&'a str>,
    /// `received`, `supplement_requested`, `extended`, `result_ready`, `not_collected`…
    pub kind: &'a str,
    /// `email` or `sms`.
    pub channel: &'a str,
    /// An e-mail address or a phone number.
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Queues a message (status `pending`, due at once). Call it inside the transaction
/// that makes the change the message announces (`&mut *tx`).
pub async fn enqueue(conn: &mut Conn, msg: &NewMessage<'_>, now_ms: i64) -> Result<String> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO outbox (id, dossier_id, kind, channel, recipient, subject, body, \
         status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)",
    )
    .bind(&id)
    .bind(msg.dossier_id)
    .bind(msg.kind)
    .bind(msg.channel)
    .bind(msg.recipient)
    .bind(msg.subject)
    .bind(msg.body)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutboxMessage {
    pub id: String,
    pub dossier_id: Option<String>,
    pub kind: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLUMNS: &str = "id, dossier_id, kind, channel, recipient, subject, body, status, \
                       attempts, next_attempt_at, last_error, created_at, sent_at";

/// Claims up to `limit` due messages (pending, `next_attempt_at <= now`), longest
/// waiting first, for this worker alone: each one's `next_attempt_at` moves to
/// `lease_until_ms`, in one statement. On SQLite the statement is atomic; on
/// PostgreSQL its candidates are locked as they are chosen (`FOR UPDATE`, which
/// checks the condition again on the row as it now is) and those another worker
/// holds are passed over, not waited for. Until the lease ends no other worker
/// takes the message; the worker then marks it sent or records the failure. Run it
/// in a short transaction of its own: the claims hold once it commits.
pub async fn claim_due(
    conn: &mut Conn,
    now_ms: i64,
    lease_until_ms: i64,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    let skip_locked = if crate::bulk::is_sqlite(conn) {
        ""
    } else {
        " FOR UPDATE SKIP LOCKED"
    };
    // In the order of the index on (status, next_attempt_at): a backlog of due
    // messages is neither sorted nor scanned to claim a few.
    let mut claimed: Vec<OutboxMessage> = sqlx::query_as(&format!(
        "UPDATE outbox SET next_attempt_at = $1 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 \
         ORDER BY next_attempt_at LIMIT $3{skip_locked}) RETURNING {COLUMNS}"
    ))
    .bind(lease_until_ms)
    .bind(now_ms)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    // RETURNING comes in no particular order; the oldest are sent first.
    claimed.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(claimed)
}

/// Marks claimed messages delivered at `now_ms`: `status` is [`SENT`] (a transport
/// accepted them) or [`LOGGED`] (only written to the log).
pub async fn mark_delivered(
    conn: &mut Conn,
    ids: &[&str],
    status: &str,
    now_ms: i64,
) -> Result<()> {
    debug_assert!(status == SENT || status == LOGGED);
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE outbox SET status = $1, sent_at = $2 WHERE id IN ({}) AND status = 'pending'",
        crate::bulk::numbered_list(3, ids.len())
    );
    let mut q = sqlx::query(&sql).bind(status).bind(now_ms);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(conn).await?;
    Ok(())
}

/// Records a failed attempt: one more attempt, the error, and the next try at
/// `retry_at_ms`; once the attempts reach `max_attempts` the message is
/// [`FAILED`] instead. Returns the message's new status (`None` if it was not
/// pending).
pub async fn record_failure(
    conn: &mut Conn,
    id: &str,
    error: &str,
    retry_at_ms: i64,
    max_attempts: i64,
) -> Result<Option<String>> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
         status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END \
         WHERE id = $4 AND status = 'pending'",
    )
    .bind(truncate(error))
    .bind(retry_at_ms)
    .bind(max_attempts)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    status_of(conn, id).await
}

/// Gives up on a message that can never be delivered (a malformed address, an
/// unknown channel): one more attempt, the error, status [`FAILED`].
pub async fn mark_failed(conn: &mut Conn, id: &str, error: &str) -> Result<()> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, status = 'failed' \
         WHERE id = $2 AND status = 'pending'",
    )
    .bind(truncate(error))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn status_of(conn: &mut Conn, id: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT status FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

fn truncate(error: &str) -> String {
    match error.char_indices().nth(MAX_ERROR_CHARS) {
        Some((i, _)) => format!("{}…", &error[..i]),
        None => error.to_owned(),
    }
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<OutboxMessage>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A dossier's messages, oldest first (for the dossier page).
pub async fn for_dossier(conn: &mut Conn, dossier_id: &str) -> Result<Vec<OutboxMessage>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE dossier_id = $1 ORDER BY created_at, id"
    ))
    .bind(dossier_id)
    .fetch_all(conn)
    .await
}

/// How many messages are in each status, e.g. `[("pending", 3), ("sent", 120)]`.
pub async fn count_by_status(conn: &mut Conn) -> Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
        .fetch_all(conn)
        .await
}

/// A dossier whose result waits for the citizen, with what a reminder names.
#[derive(Debug, Clone, FromRow)]
pub struct Uncollected {
    pub id: String,
    pub code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub agency_name: String,
}

/// Results ready since before `ready_before_ms` whose citizen was not reminded yet,
/// oldest first, at most `limit`.
pub async fn uncollected(
    conn: &mut Conn,
    ready_before_ms: i64,
    limit: i64,
) -> Result<Vec<Uncollected>> {
    sqlx::query_as(concat!(
        "SELECT d.id, d.code, ",
        procedure_name!(),
        ", d.applicant_name, d.applicant_phone, \
         d.applicant_email, a.name AS agency_name \
         FROM dossiers d JOIN agencies a ON a.id = d.agency_id \
         WHERE d.status = 'result_ready' AND d.reminded_at IS NULL \
         AND d.result_ready_at <= $1 \
         ORDER BY d.result_ready_at, d.id LIMIT $2"
    ))
    .bind(ready_before_ms)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Marks a dossier reminded, only where still unset: false when another worker
/// got there first (and queued the reminder itself).
pub async fn mark_reminded(conn: &mut Conn, dossier_id: &str, now_ms: i64) -> Result<bool> {
    let marked =
        sqlx::query("UPDATE dossiers SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL")
            .bind(now_ms)
            .bind(dossier_id)
            .execute(conn)
            .await?;
    Ok(marked.rows_affected() == 1)
}
