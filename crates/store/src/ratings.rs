//! The citizens' ratings of their dossiers: one row per dossier.

use sqlx::FromRow;

use motcua_domain::rating::{Attitude, GivenRating, Rating, Verdict};

use crate::{from_millis, Conn, Result};

/// Scores as the decree counts them (2, 1, 0).
pub struct NewRating<'a> {
    pub dossier_id: &'a str,
    pub agency_id: &'a str,
    pub rated_at: i64,
    pub verdict: i64,
    pub attitude: i64,
    pub return_visits: i64,
    pub comment: Option<&'a str>,
}

/// Records the rating unless the dossier already has one; says whether it did.
/// `ON CONFLICT DO NOTHING` makes two simultaneous first ratings one winner and
/// one "already rated", on both engines, without an error to recover from.
pub async fn insert(conn: &mut Conn, r: &NewRating<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO ratings (dossier_id, agency_id, rated_at, verdict, attitude, return_visits, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dossier_id) DO NOTHING",
    )
    .bind(r.dossier_id)
    .bind(r.agency_id)
    .bind(r.rated_at)
    .bind(r.verdict)
    .bind(r.attitude)
    .bind(r.return_visits)
    .bind(r.comment)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
struct RatingRow {
    rated_at: i64,
    verdict: i64,
    attitude: i64,
    return_visits: i64,
    comment: Option<String>,
}

pub async fn of_dossier(conn: &mut Conn, dossier_id: &str) -> Result<Option<GivenRating>> {
    let row: Option<RatingRow> = sqlx::query_as(
        "SELECT rated_at, verdict, attitude, return_visits, comment FROM ratings \
         WHERE dossier_id = $1",
    )
    .bind(dossier_id)
    .fetch_optional(conn)
    .await?;
    // The table's CHECK constraints keep the scores in range; a row that
    // somehow is not reads as no rating rather than as a wrong one.
    Ok(row.and_then(|r| {
        Some(GivenRating {
            rating: Rating {
                verdict: Verdict::from_score(i16::try_from(r.verdict).ok()?)?,
                attitude: Attitude::from_score(i16::try_from(r.attitude).ok()?)?,
                return_visits: u8::try_from(r.return_visits).ok()?,
                comment: r.comment,
            },
            rated_at: from_millis(r.rated_at),
        })
    }))
}
