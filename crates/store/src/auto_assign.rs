//! Automatic assignment rules: one per agency and sector (`auto_assignments`).

use sqlx::FromRow;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct RuleRow {
    pub agency_id: String,
    pub sector_code: String,
    pub rule: String,
    pub assignee_id: Option<String>,
    pub updated_at: i64,
}

/// Every rule of an agency, by sector.
pub async fn rules_of(conn: &mut Conn, agency_id: &str) -> Result<Vec<RuleRow>> {
    sqlx::query_as(
        "SELECT agency_id, sector_code, rule, assignee_id, updated_at FROM auto_assignments \
         WHERE agency_id = $1 ORDER BY sector_code",
    )
    .bind(agency_id)
    .fetch_all(conn)
    .await
}

/// Sets (or replaces) the rule of an agency for a sector.
pub async fn set(conn: &mut Conn, row: &RuleRow) -> Result<()> {
    sqlx::query("DELETE FROM auto_assignments WHERE agency_id = $1 AND sector_code = $2")
        .bind(&row.agency_id)
        .bind(&row.sector_code)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO auto_assignments (agency_id, sector_code, rule, assignee_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&row.agency_id)
    .bind(&row.sector_code)
    .bind(&row.rule)
    .bind(&row.assignee_id)
    .bind(row.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the rule: the sector is assigned by hand again.
pub async fn clear(conn: &mut Conn, agency_id: &str, sector: &str) -> Result<()> {
    sqlx::query("DELETE FROM auto_assignments WHERE agency_id = $1 AND sector_code = $2")
        .bind(agency_id)
        .bind(sector)
        .execute(conn)
        .await?;
    Ok(())
}

/// An active specialist of an agency and one sector they hold.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct SectorSpecialist {
    pub sector_code: String,
    pub user_id: String,
    pub username: String,
    pub full_name: String,
}

/// The active specialists of an agency, a row per sector they hold, by sector then
/// full name: who a rule can pick, as intake reads it (`dossiers::specialist_load`).
pub async fn specialists(conn: &mut Conn, agency_id: &str) -> Result<Vec<SectorSpecialist>> {
    sqlx::query_as(
        "SELECT s.sector_code, u.id AS user_id, u.username, u.full_name FROM users u \
         JOIN user_roles r ON r.user_id = u.id AND r.role = 'specialist' \
         JOIN user_sectors s ON s.user_id = u.id \
         WHERE u.agency_id = $1 AND u.active = 1 \
         ORDER BY s.sector_code, u.full_name, u.username",
    )
    .bind(agency_id)
    .fetch_all(conn)
    .await
}
