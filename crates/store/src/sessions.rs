//! Browser sessions. Only the SHA-256 of a session token is stored, so a copy of the
//! database does not let anyone sign in as an officer.

use crate::users::{held_principal_sql, HeldPrincipal};
use crate::{Conn, Engine, Result};
use sqlx::FromRow;

pub async fn insert(
    conn: &mut Conn,
    token_hash: &str,
    user_id: &str,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
    ip: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .bind(ip)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub user_id: String,
    pub csrf_token: String,
}

/// A live session of an active user.
pub async fn find(conn: &mut Conn, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
    sqlx::query_as(
        "SELECT s.user_id, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// The person behind the session if it is live, holding its row and its user's
/// until the transaction ends. On PostgreSQL `FOR SHARE` makes a sign-out, a
/// password reset or a deactivation wait for the transaction that holds them, so a
/// write that saw the session live commits before the revocation does; SQLite's one
/// writer at a time orders them already. The caller compares the person found with
/// the one it authenticated earlier (perhaps from a cache).
pub async fn hold(
    conn: &mut Conn,
    engine: Engine,
    token_hash: &str,
    now: i64,
) -> Result<Option<HeldPrincipal>> {
    sqlx::query_as(&held_principal_sql(
        engine,
        "sessions c",
        "c.token_hash = $1 AND c.expires_at > $2",
    ))
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_for_user(conn: &mut Conn, user_id: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected())
}

pub async fn purge_expired(conn: &mut Conn, now: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Ends every session of a user but one (the one in use when they change their
/// password).
pub async fn delete_for_user_except(
    conn: &mut Conn,
    user_id: &str,
    keep: Option<&str>,
) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
