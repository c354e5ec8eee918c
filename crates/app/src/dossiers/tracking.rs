//! Public tracking by dossier code: the state and appointment for anyone holding
//! the code; names and details only with the last four digits of the applicant's
//! phone or ID number. A wrong code and wrong digits answer alike, and failures
//! from one address are limited, so codes cannot be enumerated.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use motcua_domain::dossier::DossierCode;
use motcua_store::agencies;
use motcua_store::dossiers as store;
use serde::Serialize;

use super::Dossiers;
use super::{event_from_row, Event};
use crate::error::{Error, Result};

/// Failed look-ups allowed per address in a window.
const MAX_FAILURES: u32 = 10;
const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct TrackingLimiter {
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl TrackingLimiter {
    fn check(&self, who: &str) -> Result<()> {
        let Ok(map) = self.failures.lock() else {
            return Ok(());
        };
        if let Some((since, n)) = map.get(who) {
            let age = since.elapsed();
            if age < WINDOW && *n >= MAX_FAILURES {
                let wait = (WINDOW - age).as_secs() as i64 + 1;
                return Err(Error::Throttled {
                    retry_after_secs: wait,
                    message: format!(
                        "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau {} phút.",
                        (wait + 59) / 60
                    ),
                });
            }
        }
        Ok(())
    }

    fn fail(&self, who: &str) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() > 100_000 {
            map.retain(|_, (since, _)| since.elapsed() < WINDOW);
        }
        let e = map.entry(who.to_owned()).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= WINDOW {
            *e = (Instant::now(), 0);
        }
        e.1 += 1;
    }
}

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
        self.tracking.check(who)?;
        let digits = last_digits.map(str::trim).filter(|s| !s.is_empty());
        let found = match DossierCode::parse(code) {
            Ok(c) => {
                let mut conn = self.db.read().await?;
                store::load(&mut conn, c.as_str()).await?.map(|s| s.dossier)
            }
            Err(_) => None,
        };
        let Some(d) = found else {
            self.tracking.fail(who);
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
                    self.tracking.fail(who);
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
