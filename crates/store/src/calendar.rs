//! Special days of the working calendar and agencies' working sessions.

use crate::{Conn, Result};
use sqlx::FromRow;

/// The scope of the national layer.
pub const NATIONAL: &str = "";

#[derive(Debug, Clone, FromRow)]
pub struct DayRow {
    pub scope: String,
    pub day: String,
    pub kind: String,
    pub name: Option<String>,
}

/// The special days of the given scopes (national first), ordered by day.
pub async fn days_of(conn: &mut Conn, scopes: &[&str]) -> Result<Vec<DayRow>> {
    let mut out = Vec::new();
    for scope in scopes {
        let rows: Vec<DayRow> = sqlx::query_as(
            "SELECT scope, day, kind, name FROM calendar_days WHERE scope = $1 ORDER BY day",
        )
        .bind(*scope)
        .fetch_all(&mut *conn)
        .await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn upsert(
    conn: &mut Conn,
    scope: &str,
    day: &str,
    kind: &str,
    name: Option<&str>,
    now: i64,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO calendar_days (scope, day, kind, name, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (scope, day) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(scope)
    .bind(day)
    .bind(kind)
    .bind(name)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, scope: &str, day: &str) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM calendar_days WHERE scope = $1 AND day = $2")
            .bind(scope)
            .bind(day)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

pub async fn count_national(conn: &mut Conn) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM calendar_days WHERE scope = ''")
        .fetch_one(conn)
        .await
}

/// The sessions JSON set on an agency, if any.
pub async fn sessions_of(conn: &mut Conn, agency_id: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT sessions FROM agency_sessions WHERE agency_id = $1")
        .bind(agency_id)
        .fetch_optional(conn)
        .await
}

pub async fn set_sessions(
    conn: &mut Conn,
    agency_id: &str,
    sessions: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO agency_sessions (agency_id, sessions, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (agency_id) DO UPDATE SET sessions = excluded.sessions, updated_at = excluded.updated_at",
    )
    .bind(agency_id)
    .bind(sessions)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
