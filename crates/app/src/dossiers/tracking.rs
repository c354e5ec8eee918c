//! Public tracking by dossier code: the state and appointment for anyone holding
//! the code; names and details only with the last four digits of the applicant's
//! phone or ID number. A wrong code and wrong digits answer alike, and every
//! look-up from one address counts against a small limit kept in the database
//! (answered ones too: codes are sequential, so counting only failures would let
//! a stranger read every existing dossier's state), so codes cannot be enumerated.

use motcua_domain::dossier::DossierCode;
use motcua_store::agencies;
use motcua_store::dossiers as store;
use serde::Serialize;

use super::Dossiers;
use super::{event_from_row, Event};
use crate::error::{Error, Result};
use crate::throttle::bucket;

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
}

fn no_match() -> Error {
    Error::NotFound("Không tìm thấy hồ sơ khớp với mã và các chữ số đã nhập. Kiểm tra lại mã trên giấy tiếp nhận.".into())
}

impl Dossiers<'_> {
    /// Looks a dossier up by code for the public; `who` is the caller's address.
    pub async fn track(
        &self,
        code: &str,
        last_digits: Option<&str>,
        who: &str,
    ) -> Result<TrackedDossier> {
        // The slot is taken before the look-up, so that concurrent look-ups
        // cannot all pass a check made before any of them is counted.
        self.hit(
            &bucket("track:ip", &[who]),
            self.limits.tracking_per_address,
            |wait| format!("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau {wait}."),
        )
        .await?;
        let digits = last_digits.map(str::trim).filter(|s| !s.is_empty());
        let found = match DossierCode::parse(code) {
            Ok(c) => {
                let mut conn = self.db.read().await?;
                store::load(&mut conn, c.as_str()).await?.map(|s| s.dossier)
            }
            Err(_) => None,
        };
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
                    return Err(no_match());
                }
                true
            }
        };
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
            Some(TrackedDetails {
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
