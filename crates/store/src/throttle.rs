//! Throttling counters: how many hits a bucket (an account, an address, an
//! applicant…) has had in its current window.
//!
//! Fixed windows, opened by a bucket's first hit: one row per bucket, one upsert
//! per hit, so that concurrent hits are counted exactly (PostgreSQL locks the row
//! for the upsert and re-evaluates it on the committed version; SQLite has one
//! writer). A sliding window would need a row per hit (a log) or a second counter
//! and an estimate; the fixed window's price is that a patient caller can place
//! `limit` hits at the end of one window and `limit` more at the start of the
//! next, which over any longer span still averages `limit` per window.

use crate::{Conn, Result};

/// The state of a bucket after a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Whether this hit was within the limit (and is now counted).
    pub allowed: bool,
    /// Hits counted in the window, this one included when allowed.
    pub hits: i64,
    /// When the window ends (milliseconds since the epoch).
    pub expires_at: i64,
}

/// Counts a hit on `bucket` if its window has fewer than `limit` hits; a window
/// that ended at or before `now` is replaced by a new one of `window_ms`. A refused
/// hit leaves the count at `limit + 1` at most, so it neither grows without bound
/// nor moves the window's end.
pub async fn hit(
    conn: &mut Conn,
    bucket: &str,
    limit: i64,
    window_ms: i64,
    now: i64,
) -> Result<Hit> {
    let (hits, expires_at): (i64, i64) = sqlx::query_as(
        "INSERT INTO throttle (bucket, window_start, expires_at, hits) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
         hits = CASE WHEN throttle.expires_at <= $2 THEN 1 \
                     WHEN throttle.hits > $4 THEN throttle.hits \
                     ELSE throttle.hits + 1 END, \
         window_start = CASE WHEN throttle.expires_at <= $2 THEN $2 ELSE throttle.window_start END, \
         expires_at = CASE WHEN throttle.expires_at <= $2 THEN $3 ELSE throttle.expires_at END \
         RETURNING hits, expires_at",
    )
    .bind(bucket)
    .bind(now)
    .bind(now.saturating_add(window_ms))
    .bind(limit)
    .fetch_one(conn)
    .await?;
    Ok(Hit {
        allowed: hits <= limit,
        hits,
        expires_at,
    })
}

/// Gives one hit back (an attempt that turned out legitimate, e.g. a successful
/// sign-in).
pub async fn refund(conn: &mut Conn, bucket: &str) -> Result<()> {
    sqlx::query("UPDATE throttle SET hits = hits - 1 WHERE bucket = $1 AND hits > 0")
        .bind(bucket)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets a bucket.
pub async fn clear(conn: &mut Conn, bucket: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM throttle WHERE bucket = $1")
        .bind(bucket)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Forgets every bucket whose name starts with `prefix` (matched literally).
pub async fn clear_prefix(conn: &mut Conn, prefix: &str) -> Result<u64> {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Ok(
        sqlx::query("DELETE FROM throttle WHERE bucket LIKE $1 ESCAPE '!'")
            .bind(pattern)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Deletes the rows whose window ended at or before `now`: an indexed range,
/// cheap to run every minute or so. On PostgreSQL it skips rows that a hit is
/// updating right now: waiting for them while holding others could deadlock with
/// that hit, and a row being hit is about to open a new window anyway.
pub async fn prune(conn: &mut Conn, now: i64) -> Result<u64> {
    let sql = if conn.backend_name() == "PostgreSQL" {
        "DELETE FROM throttle WHERE bucket IN (SELECT bucket FROM throttle \
         WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED)"
    } else {
        "DELETE FROM throttle WHERE expires_at <= $1"
    };
    Ok(sqlx::query(sql)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected())
}
