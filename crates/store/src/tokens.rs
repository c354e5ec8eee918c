//! API bearer tokens, stored as SHA-256 hashes and revocable.

use crate::users::{held_principal_sql, HeldPrincipal};
use crate::{Conn, Engine, Result};
use sqlx::FromRow;

pub async fn insert(
    conn: &mut Conn,
    id: &str,
    user_id: &str,
    token_hash: &str,
    label: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(token_hash)
    .bind(label)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The person behind the token if it is live, holding its row and its user's until
/// the transaction ends: see [`crate::sessions::hold`].
pub async fn hold(
    conn: &mut Conn,
    engine: Engine,
    token_hash: &str,
) -> Result<Option<HeldPrincipal>> {
    sqlx::query_as(&held_principal_sql(
        engine,
        "api_tokens c",
        "c.token_hash = $1 AND c.revoked_at IS NULL",
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<TokenRow>> {
    sqlx::query_as(
        "SELECT id, user_id, label, created_at, revoked_at FROM api_tokens WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn for_user(conn: &mut Conn, user_id: &str) -> Result<Vec<TokenRow>> {
    sqlx::query_as(
        "SELECT id, user_id, label, created_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

pub async fn revoke(conn: &mut Conn, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes every live token of a user (a password reset or change); returns how many.
pub async fn revoke_for_user(conn: &mut Conn, user_id: &str, now: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected())
}
