//! Sectors (lĩnh vực).

use crate::{Conn, Result};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct SectorRow {
    pub code: String,
    pub name: String,
}

pub async fn all(conn: &mut Conn) -> Result<Vec<SectorRow>> {
    sqlx::query_as("SELECT code, name FROM sectors ORDER BY position, code")
        .fetch_all(conn)
        .await
}

/// Adds a sector at the end of the list, or renames it when the code exists.
/// Returns whether it was new.
pub async fn upsert(conn: &mut Conn, code: &str, name: &str) -> Result<bool> {
    let existed: Option<String> = sqlx::query_scalar("SELECT code FROM sectors WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    if existed.is_some() {
        sqlx::query("UPDATE sectors SET name = $2 WHERE code = $1")
            .bind(code)
            .bind(name)
            .execute(conn)
            .await?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO sectors (code, name, position) \
         SELECT $1, $2, COALESCE(MAX(position), 0) + 10 FROM sectors",
    )
    .bind(code)
    .bind(name)
    .execute(conn)
    .await?;
    Ok(true)
}
