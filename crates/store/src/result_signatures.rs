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
/// how many, and how many of them were signed.
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
    // From the returned dossiers (an index range by agency and closing instant) to
    // their results, never through every file of the province.
    let sql = format!(
        "SELECT COUNT(f.id) AS results_total, COUNT(s.file_id) AS signed_results \
         FROM dossiers d JOIN dossier_files f ON f.dossier_id = d.id AND f.kind = 'result' \
         LEFT JOIN result_signatures s ON s.file_id = f.id \
         WHERE d.agency_id IN ({marks}) AND d.closed_at >= $1 AND d.closed_at < $2 \
         AND d.status = 'returned'"
    );
    let mut q = sqlx::query_as::<_, SigningRate>(&sql).bind(start).bind(end);
    for id in agency_ids {
        q = q.bind(id);
    }
    q.fetch_one(conn).await
}
