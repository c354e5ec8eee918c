//! The agency tree.

use crate::{flag, from_millis, Conn, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

#[derive(Debug, Clone)]
pub struct AgencyRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: String,
    pub level_name: String,
    pub level_rank: i64,
    pub parent_id: Option<String>,
    pub parent_code: Option<String>,
    pub path: String,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Read by hand: the 0/1 and millisecond columns become a bool and instants here.
impl FromRow<'_, AnyRow> for AgencyRow {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(AgencyRow {
            id: r.try_get("id")?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            level: r.try_get("level")?,
            level_name: r.try_get("level_name")?,
            level_rank: r.try_get("level_rank")?,
            parent_id: r.try_get("parent_id")?,
            parent_code: r.try_get("parent_code")?,
            path: r.try_get("path")?,
            active: flag(r.try_get("active")?),
            created_at: from_millis(r.try_get("created_at")?),
            updated_at: from_millis(r.try_get("updated_at")?),
        })
    }
}

const SELECT: &str = "SELECT a.id, a.code, a.name, a.level, l.name AS level_name, \
     l.rank AS level_rank, a.parent_id, p.code AS parent_code, a.path, a.active, \
     a.created_at, a.updated_at \
     FROM agencies a JOIN agency_levels l ON l.code = a.level \
     LEFT JOIN agencies p ON p.id = a.parent_id";

pub async fn by_code(conn: &mut Conn, code: &str) -> Result<Option<AgencyRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE a.code = $1"))
        .bind(code)
        .fetch_optional(conn)
        .await
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<AgencyRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The agency at `path` and every agency below it, in tree order. Every path in the
/// subtree starts with `path`, which ends in `/`, and `/` sorts just before `0`; so
/// the subtree is the half-open range [path, path with its final `/` replaced by
/// `0`), which both engines answer from the unique index on `path` (PostgreSQL
/// compares it with the "C" collation, byte by byte).
pub async fn subtree(conn: &mut Conn, path: &str) -> Result<Vec<AgencyRow>> {
    let (from, to) = subtree_range(path);
    sqlx::query_as(&format!(
        "{SELECT} WHERE a.path >= $1 AND a.path < $2 ORDER BY a.path"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

pub fn subtree_range(path: &str) -> (String, String) {
    let stem = path.strip_suffix('/').unwrap_or(path);
    (path.to_owned(), format!("{stem}0"))
}

pub struct NewAgency<'a> {
    pub id: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub level: &'a str,
    pub parent_id: Option<&'a str>,
    pub path: &'a str,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, a: &NewAgency<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO agencies (id, code, name, level, parent_id, path, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
    )
    .bind(a.id)
    .bind(a.code)
    .bind(a.name)
    .bind(a.level)
    .bind(a.parent_id)
    .bind(a.path)
    .bind(a.now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(conn: &mut Conn, id: &str, name: &str, active: bool, now: i64) -> Result<()> {
    sqlx::query("UPDATE agencies SET name = $1, active = $2, updated_at = $3 WHERE id = $4")
        .bind(name)
        .bind(i64::from(active))
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct LevelRow {
    pub code: String,
    pub name: String,
    pub rank: i64,
}

pub async fn levels(conn: &mut Conn) -> Result<Vec<LevelRow>> {
    sqlx::query_as("SELECT code, name, rank FROM agency_levels ORDER BY rank")
        .fetch_all(conn)
        .await
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM agencies")
        .fetch_one(conn)
        .await
}
