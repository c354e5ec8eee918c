//! Which dossier results were signed, by whom and when; the signing rate.

use sqlx::FromRow;

use crate::{Conn, Result};

pub struct NewSignature<'a> {
    pub file_id: &'a str,
    pub dossier_id: &'a str,
    pub agency_id: &'a str,
    pub signed_by: &'a str,
    pub signed_at: i64,
}

pub async fn insert(conn: &mut Conn, s: &NewSignature<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO result_signatures (file_id, dossier_id, agency_id, signed_by, signed_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(s.file_id)
    .bind(s.dossier_id)
    .bind(s.agency_id)
    .bind(s.signed_by)
    .bind(s.signed_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A signed result file of a dossier.
#[derive(Debug, Clone, FromRow)]
pub struct Signature {
    pub file_id: String,
    pub signer_name: String,
    pub signed_at: i64,
}

pub async fn of_dossier(conn: &mut Conn, dossier_id: &str) -> Result<Vec<Signature>> {
    sqlx::query_as(
        "SELECT s.file_id, u.full_name AS signer_name, s.signed_at FROM result_signatures s \
         JOIN users u ON u.id = s.signed_by WHERE s.dossier_id = $1",
    )
    .bind(dossier_id)
    .fetch_all(conn)
    .await
}

/// The leader who last approved a dossier (its `approve` event's actor).
pub async fn approver(conn: &mut Conn, dossier_id: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT actor_id FROM dossier_events WHERE dossier_id = $1 AND action = 'approve' \
         ORDER BY seq DESC LIMIT 1",
    )
    .bind(dossier_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(id,)| id))
}

/// The results of the dossiers of the given agencies returned in [start, end):
/// how many (files and paper results described), and how many were signed
/// digitally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct SigningRate {
    pub results_total: i64,
    pub signed_results: i64,
}

pub async fn signing_rate(
    conn: &mut Conn,
    agency_ids: &[String],
    start: i64,
    end: i64,
) -> Result<SigningRate> {
    let marks = if agency_ids.is_empty() {
        "NULL".to_owned()
    } else {
        (3..3 + agency_ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The counts kept on each dossier row, read from `dossiers_closed` alone.
    // COALESCE: SUM over no row is NULL on both engines; CAST: PostgreSQL sums
    // BIGINT as NUMERIC.
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(results), 0) AS BIGINT) AS results_total, \
                CAST(COALESCE(SUM(signed_results), 0) AS BIGINT) AS signed_results \
         FROM dossiers \
         WHERE agency_id IN ({marks}) AND closed_at >= $1 AND closed_at < $2 \
         AND status = 'returned'"
    );
    let mut q = sqlx::query_as::<_, SigningRate>(&sql).bind(start).bind(end);
    for id in agency_ids {
        q = q.bind(id);
    }
    q.fetch_one(conn).await
}
