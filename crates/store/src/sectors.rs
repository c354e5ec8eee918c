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
