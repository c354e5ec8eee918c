//! The outbox: messages (e-mail, SMS) written in the same transaction as the change
//! they announce, delivered later by a worker with retries.
//!
//! A message is `pending` until it is `sent` (a transport accepted it), `logged` (no
//! transport is configured for its channel, so it was only written to the log) or
//! `failed` (retries exhausted, or it can never be delivered). Workers claim due
//! messages with a conditional update that moves `next_attempt_at` forward as a
//! lease, so two workers sharing a database never both take the same message; a
//! worker that dies mid-send leaves the message to be retried when its lease ends.

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
/// `lease_until_ms`, by an update that only succeeds while the row still holds the
/// value read, so a message another worker claimed meanwhile is skipped. Until the
/// lease ends no other worker takes the message; the worker then marks it sent or
/// records the failure. Run it outside a transaction, so that each claim commits at
/// once.
pub async fn claim_due(
    conn: &mut Conn,
    now_ms: i64,
    lease_until_ms: i64,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    let candidates: Vec<OutboxMessage> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    ))
    .bind(now_ms)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for mut msg in candidates {
        let done = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 \
             WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
        )
        .bind(lease_until_ms)
        .bind(&msg.id)
        .bind(msg.next_attempt_at)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            msg.next_attempt_at = lease_until_ms;
            claimed.push(msg);
        }
    }
    Ok(claimed)
}

/// Marks a claimed message delivered: `status` is [`SENT`] (a transport accepted
/// it) or [`LOGGED`] (only written to the log).
pub async fn mark_delivered(conn: &mut Conn, id: &str, status: &str, now_ms: i64) -> Result<()> {
    debug_assert!(status == SENT || status == LOGGED);
    sqlx::query("UPDATE outbox SET status = $1, sent_at = $2 WHERE id = $3 AND status = 'pending'")
        .bind(status)
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await?;
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

#[derive(Debug, FromRow)]
struct Uncollected {
    id: String,
    code: String,
    procedure_name: String,
    applicant_name: String,
    applicant_phone: Option<String>,
    applicant_email: Option<String>,
    agency_name: String,
}

/// Reminds citizens whose result has waited at least `older_than_ms` (status
/// `result_ready`, not reminded yet): one `not_collected` message per channel the
/// dossier has (e-mail, SMS), and `reminded_at` set so that it happens once. At most
/// [`REMINDER_BATCH`] dossiers per call; run it inside one write transaction
/// (`db.begin_write()`). Returns the number of messages queued.
pub async fn enqueue_reminders(conn: &mut Conn, now_ms: i64, older_than_ms: i64) -> Result<usize> {
    let due: Vec<Uncollected> = sqlx::query_as(
        "SELECT d.id, d.code, d.procedure_name, d.applicant_name, d.applicant_phone, \
         d.applicant_email, a.name AS agency_name \
         FROM dossiers d JOIN agencies a ON a.id = d.agency_id \
         WHERE d.status = 'result_ready' AND d.reminded_at IS NULL \
         AND d.result_ready_at <= $1 \
         ORDER BY d.result_ready_at, d.id LIMIT $2",
    )
    .bind(now_ms - older_than_ms)
    .bind(REMINDER_BATCH)
    .fetch_all(&mut *conn)
    .await?;
    let mut queued = 0;
    for d in due {
        // Set first, and only where still unset: a second worker that read the same
        // dossier finds it already reminded and queues nothing.
        let marked = sqlx::query(
            "UPDATE dossiers SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(now_ms)
        .bind(&d.id)
        .execute(&mut *conn)
        .await?;
        if marked.rows_affected() != 1 {
            continue;
        }
        let subject = format!("Kết quả hồ sơ {} đang chờ nhận", d.code);
        if let Some(email) = present(&d.applicant_email) {
            let body = format!(
                "Kính gửi Ông/Bà {name},\n\n\
                 Kết quả giải quyết hồ sơ {code} (thủ tục: {procedure}) đã có và đang chờ \
                 Ông/Bà đến nhận.\n\n\
                 Kính mời Ông/Bà đến Bộ phận Một cửa của {agency} trong giờ hành chính để \
                 nhận kết quả; khi đến, xin mang theo giấy tiếp nhận hồ sơ và hẹn trả kết \
                 quả cùng giấy tờ tùy thân.\n\n\
                 Trân trọng.\n{agency}\n",
                name = d.applicant_name,
                code = d.code,
                procedure = d.procedure_name,
                agency = d.agency_name,
            );
            enqueue_one(conn, &d.id, "email", email, &subject, &body, now_ms).await?;
            queued += 1;
        }
        if let Some(phone) = present(&d.applicant_phone) {
            let body = format!(
                "{agency}: kết quả hồ sơ {code} ({procedure}) đã có, mời Ông/Bà đến \
                 Bộ phận Một cửa để nhận; xin mang theo giấy hẹn trả kết quả.",
                agency = d.agency_name,
                code = d.code,
                procedure = d.procedure_name,
            );
            enqueue_one(conn, &d.id, "sms", phone, &subject, &body, now_ms).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

async fn enqueue_one(
    conn: &mut Conn,
    dossier_id: &str,
    channel: &str,
    recipient: &str,
    subject: &str,
    body: &str,
    now_ms: i64,
) -> Result<String> {
    enqueue(
        conn,
        &NewMessage {
            dossier_id: Some(dossier_id),
            kind: "not_collected",
            channel,
            recipient,
            subject,
            body,
        },
        now_ms,
    )
    .await
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
