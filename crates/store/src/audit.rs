//! The append-only log of administrative actions (both engines refuse UPDATE and
//! DELETE on it with a trigger).

use crate::{Conn, Result};
use sqlx::FromRow;

pub struct Entry<'a> {
    pub id: &'a str,
    pub at: i64,
    pub actor_user_id: Option<&'a str>,
    pub actor_username: &'a str,
    pub agency_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
}

pub async fn append(conn: &mut Conn, e: &Entry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_user_id, actor_username, agency_id, ip, action, \
         target, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.id)
    .bind(e.at)
    .bind(e.actor_user_id)
    .bind(e.actor_username)
    .bind(e.agency_id)
    .bind(e.ip)
    .bind(e.action)
    .bind(e.target)
    .bind(e.details)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct EntryRow {
    pub id: String,
    pub at: i64,
    pub actor_username: String,
    pub agency_code: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub target: String,
    pub details: String,
}

/// Newest first, for agencies in the subtree at `path`; `before` is the keyset cursor
/// (the id of the last row of the previous page).
pub async fn in_subtree(
    conn: &mut Conn,
    path: &str,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<EntryRow>> {
    let (from, to) = crate::agencies::subtree_range(path);
    sqlx::query_as(
        "SELECT l.id, l.at, l.actor_username, a.code AS agency_code, l.ip, l.action, l.target, \
         l.details FROM audit_log l JOIN agencies a ON a.id = l.agency_id \
         WHERE a.path >= $1 AND a.path < $2 AND ($3 IS NULL OR l.id < $3) \
         ORDER BY l.id DESC LIMIT $4",
    )
    .bind(from)
    .bind(to)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
}
