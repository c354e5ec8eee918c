//! Public tracking by dossier code: the state and appointment for anyone holding
//! the code; names and details only with the last four digits of the applicant's
//! phone or ID number. The code may be typed without its agency (`yyMMdd-NNNN`)
//! when only one agency (or the one named) has a dossier of that short code.
//! Right code with wrong digits says just that: the code alone already shows the
//! state, and a citizen who mistyped must know which half to fix. Every look-up
//! counts (see `App::hit_tracking`): each new code against the address, each
//! repeat against that code from that address, so codes cannot be enumerated
//! and a citizen is not locked out of their own dossier by a few mistakes.

use motcua_domain::dossier::DossierCode;
use motcua_domain::rating::{can_rate, GivenRating};
use motcua_store::dossiers as store;
use motcua_store::{agencies, ratings};
use serde::Serialize;

use super::Dossiers;
use super::{event_from_row, Event};
use crate::error::{Error, Result};

/// What the tracking page shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackedDossier {
    pub code: String,
    pub agency_name: String,
    pub procedure_name: String,
    pub status: String,
    pub status_label: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<jiff::Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<jiff::Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub returned_at: Option<jiff::Timestamp>,
    /// Present only after the last four digits were given.
    pub details: Option<TrackedDetails>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackedDetails {
    pub applicant_name: String,
    pub missing: Vec<String>,
    pub return_method: String,
    pub timeliness: Option<String>,
    pub events: Vec<Event>,
    /// The citizen's rating, once given.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub rating: Option<GivenRating>,
    /// The dossier has its answer and no rating yet.
    pub can_rate: bool,
}

fn no_match() -> Error {
    Error::NotFound("Không tìm thấy hồ sơ có mã này. Kiểm tra lại mã trên giấy tiếp nhận hoặc trong tin nhắn đã nhận.".into())
}

fn digits_do_not_match() -> Error {
    Error::NotFound(
        "Các chữ số vừa nhập không khớp với số điện thoại hoặc số định danh của người nộp hồ sơ này."
            .into(),
    )
}

impl Dossiers<'_> {
    /// Looks a dossier up by code (full, or short within `agency` or within the
    /// only agency that has it) for the public; `who` is the caller's address.
    pub async fn track(
        &self,
        code: &str,
        last_digits: Option<&str>,
        agency: Option<&str>,
        who: &str,
    ) -> Result<TrackedDossier> {
        let (d, verified) = self.locate(code, last_digits, agency, who).await?;
        self.tracked(d, verified).await
    }

    /// Finds the dossier a member of the public names, counting the look-up
    /// against the tracking limits; says whether the last digits were given and
    /// matched (wrong digits are an error of their own).
    pub(crate) async fn locate(
        &self,
        code: &str,
        last_digits: Option<&str>,
        agency: Option<&str>,
        who: &str,
    ) -> Result<(motcua_domain::dossier::Dossier, bool)> {
        let typed = code.trim().to_ascii_uppercase();
        let full = DossierCode::parse(&typed).ok();
        let short = full
            .is_none()
            .then(|| DossierCode::parse_short(&typed))
            .flatten();
        let agency = agency
            .map(|a| a.trim().to_ascii_uppercase())
            .filter(|a| !a.is_empty() && short.is_some());
        // The slot is taken before the look-up, so that concurrent look-ups
        // cannot all pass a check made before any of them is counted.
        let key = match (&short, &agency) {
            (Some(s), Some(a)) => format!("{a}-{s}"),
            _ => typed.clone(),
        };
        self.hit_tracking(&key, who, |wait| {
            format!("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau {wait}.")
        })
        .await?;
        let digits = last_digits.map(str::trim).filter(|s| !s.is_empty());
        let mut conn = self.db.read().await?;
        let code = match (full, short) {
            (Some(c), _) => Some(c.as_str().to_owned()),
            (None, Some(s)) => match &agency {
                Some(a) => Some(format!("{a}-{s}")),
                None => {
                    let mut codes = store::codes_with_suffix(&mut conn, &s, 2).await?;
                    if codes.len() > 1 {
                        return Err(Error::field(
                            "code",
                            format!("Mã ngắn «{s}» trùng với hồ sơ của nhiều cơ quan. Vui lòng nhập mã đầy đủ, có mã cơ quan ở đầu (in trên giấy tiếp nhận)."),
                        ));
                    }
                    codes.pop()
                }
            },
            (None, None) => None,
        };
        let found = match code {
            Some(c) => store::load(&mut conn, &c).await?.map(|s| s.dossier),
            None => None,
        };
        drop(conn);
        let Some(d) = found else {
            return Err(no_match());
        };
        let verified = match digits {
            None => false,
            Some(last) => {
                let ok = last.len() == 4
                    && last.bytes().all(|b| b.is_ascii_digit())
                    && [&d.details.applicant.phone, &d.details.applicant.personal_id]
                        .iter()
                        .any(|v| v.as_deref().is_some_and(|v| v.ends_with(last)));
                if !ok {
                    return Err(digits_do_not_match());
                }
                true
            }
        };
        Ok((d, verified))
    }

    async fn tracked(
        &self,
        d: motcua_domain::dossier::Dossier,
        verified: bool,
    ) -> Result<TrackedDossier> {
        let mut conn = self.db.read().await?;
        let agency = agencies::by_id(&mut conn, &d.agency_id)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        let details = if verified {
            let events = store::events(&mut conn, &d.id)
                .await?
                .into_iter()
                .map(event_from_row)
                // The public sees what happened and when, not who inside did it.
                .map(|mut e| {
                    e.actor = String::new();
                    e.data = serde_json::Value::Null;
                    e.hash = String::new();
                    e
                })
                .collect();
            let rating = ratings::of_dossier(&mut conn, &d.id).await?;
            Some(TrackedDetails {
                can_rate: rating.is_none() && can_rate(d.status),
                rating,
                applicant_name: d.details.applicant.full_name.clone(),
                missing: d.details.missing.clone(),
                return_method: d.return_method.as_str().into(),
                timeliness: d.timeliness.map(|t| t.as_str().into()),
                events,
            })
        } else {
            None
        };
        Ok(TrackedDossier {
            code: d.code.clone(),
            agency_name: agency,
            procedure_name: d.procedure.name.clone(),
            status_label: d.status.label_vi().into(),
            status: d.status.as_str().into(),
            received_at: d.received_at,
            due_at: d.due_at,
            returned_at: d.returned_at,
            details,
        })
    }
}
