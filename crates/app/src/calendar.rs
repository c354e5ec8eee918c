//! The working calendar of an agency, assembled from data: the national layer, the
//! layers of its ancestors, its own special days, and the nearest working sessions.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jiff::civil::Date;
use jiff::Timestamp;
use motcua_domain::access::Action;
use motcua_domain::calendar::lunar::{self, LunarDate};
use motcua_domain::calendar::{DayKind, DayOverride, TimeLimit, WorkingCalendar, WorkingSessions};
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::calendar::{self as store, NATIONAL};
use motcua_store::Conn;
use serde::Serialize;

use crate::agencies::not_found;
use crate::error::{Error, Result};
use crate::principal::Principal;
use crate::App;

/// Years every calendar covers: old enough for historical imports, far enough for
/// long time limits.
const YEARS: std::ops::RangeInclusive<i16> = 2000..=2060;
/// The longest range one listing may ask for.
const MAX_DAYS: i64 = 800;

/// Built calendars by agency id ("" for the national one). Building one takes a few
/// milliseconds; a due date then takes nanoseconds. Edits clear the cache.
#[derive(Default)]
pub struct CalendarCache {
    built: RwLock<HashMap<String, Arc<WorkingCalendar>>>,
}

impl CalendarCache {
    fn get(&self, key: &str) -> Option<Arc<WorkingCalendar>> {
        self.built.read().ok()?.get(key).cloned()
    }

    fn put(&self, key: &str, cal: Arc<WorkingCalendar>) {
        if let Ok(mut m) = self.built.write() {
            m.insert(key.to_owned(), cal);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.built.write() {
            m.clear();
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LunarInfo {
    pub lunar_day: u8,
    pub lunar_month: u8,
    pub lunar_year: i32,
    pub leap_month: bool,
    /// Can-chi name of the lunar year, e.g. "Bính Ngọ".
    pub year_name: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayInfo {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// working | weekend | holiday | day_off | makeup_working
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A special day as stored, with the layer it belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct SpecialDay {
    pub date: String,
    pub kind: String,
    pub name: Option<String>,
    /// `None` for the national layer.
    pub agency_code: Option<String>,
}

pub fn lunar_of(date: Date) -> Result<LunarInfo> {
    let l: LunarDate = lunar::checked_solar_to_lunar(date).ok_or_else(|| {
        Error::field(
            "date",
            "Ngày nằm ngoài phạm vi lịch âm được hỗ trợ (1900–2199).",
        )
    })?;
    Ok(LunarInfo {
        lunar_day: l.day,
        lunar_month: l.month,
        lunar_year: l.year,
        leap_month: l.leap_month,
        year_name: lunar::year_name(l.year),
    })
}

fn overrides(rows: &[store::DayRow], scope: &str) -> Vec<DayOverride> {
    rows.iter()
        .filter(|r| r.scope == scope)
        .filter_map(|r| {
            Some(DayOverride {
                date: r.day.parse().ok()?,
                kind: r.kind.parse().ok()?,
                name: r.name.clone(),
            })
        })
        .collect()
}

/// The ids on an agency's path, from the root down.
fn lineage(a: &AgencyRow) -> Vec<String> {
    a.path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn build(conn: &mut Conn, agency: Option<&AgencyRow>) -> Result<WorkingCalendar> {
    let ids = agency.map(lineage).unwrap_or_default();
    let mut scopes: Vec<&str> = vec![NATIONAL];
    scopes.extend(ids.iter().map(String::as_str));
    let rows = store::days_of(conn, &scopes).await?;
    let layers: Vec<Vec<DayOverride>> = scopes.iter().map(|s| overrides(&rows, s)).collect();
    let layer_refs: Vec<&[DayOverride]> = layers.iter().map(Vec::as_slice).collect();
    let sessions = nearest_sessions(conn, &ids).await?;
    Ok(WorkingCalendar::build(YEARS, sessions, &layer_refs))
}

/// The sessions of the nearest agency on the lineage (itself, then its ancestors)
/// that set them; the default office hours otherwise.
async fn nearest_sessions(conn: &mut Conn, lineage: &[String]) -> Result<WorkingSessions> {
    for id in lineage.iter().rev() {
        if let Some(json) = store::sessions_of(conn, id).await? {
            if let Ok(s) = serde_json::from_str::<WorkingSessions>(&json) {
                return Ok(s);
            }
        }
    }
    Ok(WorkingSessions::default())
}

/// The cache key of a calendar by agency code (codes never change), so that a
/// cached calendar is found without reading the agency.
fn code_key(agency_code: Option<&str>) -> String {
    match agency_code {
        Some(code) => format!("code:{}", code.trim().to_ascii_uppercase()),
        None => String::new(),
    }
}

impl App {
    /// The calendar of an agency (by code), or the national one.
    pub async fn working_calendar(
        &self,
        agency_code: Option<&str>,
    ) -> Result<Arc<WorkingCalendar>> {
        if let Some(cal) = self.calendars.get(&code_key(agency_code)) {
            return Ok(cal);
        }
        let mut conn = self.db.read().await?;
        self.working_calendar_in(&mut conn, agency_code).await
    }

    /// `working_calendar` on a connection the caller already holds: code that holds
    /// one must not wait for a second from the pool, or enough concurrent requests
    /// each holding one exhaust the pool and wait on each other until it times out.
    pub(crate) async fn working_calendar_in(
        &self,
        conn: &mut Conn,
        agency_code: Option<&str>,
    ) -> Result<Arc<WorkingCalendar>> {
        let by_code = code_key(agency_code);
        if let Some(cal) = self.calendars.get(&by_code) {
            return Ok(cal);
        }
        let agency = match agency_code {
            Some(code) => Some(
                agencies::by_code(conn, &code.trim().to_ascii_uppercase())
                    .await?
                    .ok_or_else(|| not_found(code))?,
            ),
            None => None,
        };
        let key = agency.as_ref().map_or("", |a| a.id.as_str()).to_owned();
        if let Some(cal) = self.calendars.get(&key) {
            return Ok(cal);
        }
        let cal = Arc::new(build(conn, agency.as_ref()).await?);
        self.calendars.put(&key, cal.clone());
        self.calendars.put(&by_code, cal.clone());
        Ok(cal)
    }

    pub async fn calendar_days(
        &self,
        agency_code: Option<&str>,
        from: Date,
        to: Date,
    ) -> Result<Vec<DayInfo>> {
        let span = from.until(to).map(|s| s.get_days() as i64).unwrap_or(-1);
        if span < 0 {
            return Err(Error::field(
                "to",
                "Ngày kết thúc phải không trước ngày bắt đầu.",
            ));
        }
        if span >= MAX_DAYS {
            return Err(Error::field(
                "to",
                format!("Chỉ xem được tối đa {MAX_DAYS} ngày một lần."),
            ));
        }
        let cal = self.working_calendar(agency_code).await?;
        let outside = || {
            Error::field(
                "from",
                "Khoảng ngày nằm ngoài các năm đã có lịch làm việc (2000–2060).",
            )
        };
        let (first, last) = cal.span().ok_or_else(outside)?;
        if from < first || to > last {
            return Err(outside());
        }
        let mut out = Vec::with_capacity(span as usize + 1);
        let mut d = from;
        while d <= to {
            let (kind, name) = cal.day(d);
            out.push(DayInfo {
                date: d,
                kind: kind.as_str().to_owned(),
                name: name.map(str::to_owned),
            });
            d = d.tomorrow().map_err(|_| outside())?;
        }
        Ok(out)
    }

    pub async fn due_at(
        &self,
        agency_code: Option<&str>,
        received_at: Timestamp,
        limit: &str,
    ) -> Result<Timestamp> {
        let limit: TimeLimit =
            limit
                .parse()
                .map_err(|e: motcua_domain::calendar::TimeLimitError| {
                    Error::field("limit", e.message_vi())
                })?;
        let cal = self.working_calendar(agency_code).await?;
        cal.due_at(received_at, limit)
            .map_err(|e| Error::field("received_at", e.message_vi()))
    }

    /// Special days of one layer: the national one (`None`) or an agency's own.
    pub async fn special_days(&self, agency_code: Option<&str>) -> Result<Vec<SpecialDay>> {
        let mut conn = self.db.read().await?;
        let (scope, code) = match agency_code {
            Some(c) => {
                let a = agencies::by_code(&mut conn, &c.trim().to_ascii_uppercase())
                    .await?
                    .ok_or_else(|| not_found(c))?;
                (a.id, Some(a.code))
            }
            None => (NATIONAL.to_owned(), None),
        };
        Ok(store::days_of(&mut conn, &[&scope])
            .await?
            .into_iter()
            .map(|r| SpecialDay {
                date: r.day,
                kind: r.kind,
                name: r.name,
                agency_code: code.clone(),
            })
            .collect())
    }

    /// Sets or (with `kind` = None) removes one special day. The national layer
    /// belongs to administrators at the top of the tree; an agency's layer to the
    /// administrators over it.
    pub async fn set_special_day(
        &self,
        by: &Principal,
        agency_code: Option<&str>,
        date: &str,
        kind: Option<&str>,
        name: Option<&str>,
    ) -> Result<()> {
        // dd/mm/yyyy like every other form (YYYY-MM-DD too, as the API sends it).
        let date: Date = motcua_domain::calendar::typed_date::parse_typed_date(date)
            .map_err(|e| Error::field("date", e.message_vi()))?;
        if !(YEARS.contains(&date.year())) {
            return Err(Error::field(
                "date",
                "Chỉ đặt được ngày trong các năm 2000–2060.",
            ));
        }
        let kind: Option<DayKind> = kind
            .map(|k| {
                k.trim().parse().map_err(|_| {
                    Error::field("kind", format!("Loại ngày «{}» không hợp lệ.", k.trim()))
                })
            })
            .transpose()?;
        let name = name
            .map(motcua_domain::text::clean)
            .filter(|n| !n.is_empty());
        if name.as_ref().is_some_and(|n| n.chars().count() > 120) {
            return Err(Error::field("name", "Tên ngày dài quá 120 ký tự."));
        }
        let mut tx = self.begin_write_by(by).await?;
        let (scope, agency_id, target) = match agency_code {
            Some(code) => {
                let a = crate::agencies::load_for(&mut tx, by, code, Action::ManageAgency).await?;
                (a.id.clone(), Some(a.id), a.code)
            }
            None => {
                by.require_top()?;
                (NATIONAL.to_owned(), None, "national".to_owned())
            }
        };
        let day = date.to_string();
        match kind {
            Some(k) => {
                store::upsert(
                    &mut tx,
                    &scope,
                    &day,
                    k.as_str(),
                    name.as_deref(),
                    self.now_ms(),
                    by.audit_name(),
                )
                .await?
            }
            None => {
                store::delete(&mut tx, &scope, &day).await?;
            }
        }
        self.record_audit(
            &mut tx,
            by,
            agency_id.as_deref().or(by.agency_id()),
            "calendar.set_day",
            &target,
            serde_json::json!({"date": day, "kind": kind.map(|k| k.as_str()), "name": name}),
        )
        .await?;
        tx.commit().await?;
        self.calendars.clear();
        Ok(())
    }

    /// The working sessions in force for an agency (its own or inherited).
    pub async fn working_sessions(&self, agency_code: &str) -> Result<WorkingSessions> {
        let mut conn = self.db.read().await?;
        let a = agencies::by_code(&mut conn, &agency_code.trim().to_ascii_uppercase())
            .await?
            .ok_or_else(|| not_found(agency_code))?;
        nearest_sessions(&mut conn, &lineage(&a)).await
    }

    pub async fn set_working_sessions(
        &self,
        by: &Principal,
        agency_code: &str,
        sessions: &WorkingSessions,
    ) -> Result<()> {
        if !sessions.is_valid() {
            return Err(Error::field(
                "sessions",
                "Các buổi làm việc phải có giờ bắt đầu trước giờ kết thúc và không chồng lên nhau.",
            ));
        }
        let json = serde_json::to_string(sessions)
            .map_err(|e| Error::internal("working sessions as JSON", e))?;
        let mut tx = self.begin_write_by(by).await?;
        let a = crate::agencies::load_for(&mut tx, by, agency_code, Action::ManageAgency).await?;
        store::set_sessions(&mut tx, &a.id, &json, self.now_ms()).await?;
        self.record_audit(
            &mut tx,
            by,
            Some(&a.id),
            "calendar.set_sessions",
            &a.code,
            serde_json::json!({"sessions": sessions}),
        )
        .await?;
        tx.commit().await?;
        self.calendars.clear();
        Ok(())
    }

    /// Seeds the national layer from the known official decisions when it is empty.
    pub async fn seed_national_calendar_if_empty(&self) -> Result<usize> {
        let mut tx = self.db.begin_write().await?;
        if store::count_national(&mut tx).await? > 0 {
            return Ok(0);
        }
        let known = motcua_domain::calendar::known_national_overrides();
        for d in &known {
            store::upsert(
                &mut tx,
                NATIONAL,
                &d.date.to_string(),
                d.kind.as_str(),
                d.name.as_deref(),
                self.now_ms(),
                "seed",
            )
            .await?;
        }
        tx.commit().await?;
        self.calendars.clear();
        Ok(known.len())
    }
}
