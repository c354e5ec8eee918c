//! Historical import and export, one dossier per JSON line. The format is open and
//! complete: exporting, importing into an empty database and exporting again gives
//! the same lines. Importing the same file twice adds nothing.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use jiff::Timestamp;
use motcua_domain::calendar::TimeLimit;
use motcua_domain::dossier::{
    self, day_part, Change, Channel, Dossier as Record, DossierCode, Event, ProcedureRef, Status,
    Timeliness,
};
use motcua_domain::procedure::ReturnMethod;
use motcua_domain::text;
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::dossiers::{self as store, to_stored_precision, EventRow, StoredDossier};
use motcua_store::{users, Conn};
use serde::{Deserialize, Serialize};

use super::write::{local_day, next_code};
use super::Details;
use super::Dossiers;
use crate::error::{Error, Result};

/// One line of the file. Fields motcua has no place for are kept (`extra`) and
/// written back on export.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ExportedDossier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub agency: String,
    pub procedure: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    pub channel: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_paid: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<Timestamp>,
    #[serde(default)]
    pub received_at: Option<Timestamp>,
    #[serde(default)]
    pub due_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_due_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplements: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<i64>,
    /// Results attached (files, or paper results described in words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<i64>,
    /// Of those, the files signed digitally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_ready_at: Option<Timestamp>,
    #[serde(default)]
    pub returned_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeliness: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminded_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<ExportedEvent>,
    /// Applicant, documents, handover… (see `Details`).
    #[serde(flatten)]
    pub details: Details,
    /// Anything else on the line.
    #[serde(flatten)]
    pub unknown: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ExportedEvent {
    /// Read from older files and not kept: an event is named by its dossier and
    /// its place in the dossier's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub at: Timestamp,
    #[serde(default)]
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_id: Option<String>,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedLine {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub imported: usize,
    /// Already present (same code, or the same line imported before).
    pub skipped: usize,
    pub rejected: Vec<RejectedLine>,
}

const BATCH: usize = 500;

/// A stable id for a line without one, so that importing it again finds it.
fn id_for_line(line: &str) -> String {
    crate::named_id("import line", line.trim())
}

/// A checked line, ready to write: the dossier as the line states it and the
/// history it brings.
struct Ready {
    snapshot: Record,
    history: Vec<Event>,
    /// When an `import` event, if one is needed, says it happened.
    stated_at: Timestamp,
    reminded_at: Option<Timestamp>,
    given_code: bool,
    received_day: Option<jiff::civil::Date>,
}

/// An event of the file as the domain reads it; what motcua cannot read as one of
/// its own changes is kept as it came.
fn imported_event(e: ExportedEvent) -> std::result::Result<Event, String> {
    let status =
        |s: &str| Status::parse(s.trim()).ok_or_else(|| format!("trạng thái «{s}» không hợp lệ"));
    let data = if e.data.is_null() {
        "{}".to_string()
    } else {
        e.data.to_string()
    };
    Ok(Event {
        at: to_stored_precision(e.at),
        actor: dossier::Actor {
            id: e.actor_id,
            name: e.actor,
            agency_id: e.agency_id,
        },
        from: e.from.as_deref().map(status).transpose()?,
        to: status(&e.to)?,
        reason: e.reason,
        change: Change::from_stored(&e.action, &data),
    })
}

struct Context {
    agencies: HashMap<String, AgencyRow>,
    procedures: HashMap<String, Option<(i64, motcua_domain::procedure::Procedure)>>,
    users: HashMap<String, Option<String>>,
}

impl Dossiers<'_> {
    /// Imports dossiers from JSON lines; each bad line is reported and skipped.
    pub async fn import(&self, input: impl BufRead) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let mut ctx = Context {
            agencies: HashMap::new(),
            procedures: HashMap::new(),
            users: HashMap::new(),
        };
        let mut batch: Vec<(usize, String)> = Vec::new();
        for (i, line) in input.lines().enumerate() {
            let line = line.map_err(|e| {
                Error::field("file", format!("Không đọc được tệp ở dòng {}: {e}", i + 1))
            })?;
            if line.trim().is_empty() {
                continue;
            }
            batch.push((i + 1, line));
            if batch.len() >= BATCH {
                self.import_batch(&mut ctx, std::mem::take(&mut batch), &mut report)
                    .await?;
            }
        }
        self.import_batch(&mut ctx, batch, &mut report).await?;
        Ok(report)
    }

    async fn import_batch(
        &self,
        ctx: &mut Context,
        batch: Vec<(usize, String)>,
        report: &mut ImportReport,
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut ready = Vec::new();
        {
            let mut conn = self.db.read().await?;
            for (n, line) in &batch {
                match self.check_line(&mut conn, ctx, line).await {
                    Ok(r) => ready.push((*n, r)),
                    Err(reason) => report.rejected.push(RejectedLine { line: *n, reason }),
                }
            }
        }
        let mut tx = self.db.begin_write().await?;
        let codes: Vec<String> = ready
            .iter()
            .filter(|(_, r)| r.given_code)
            .map(|(_, r)| r.snapshot.code.clone())
            .collect();
        let existing = store::existing_codes(&mut tx, &codes).await?;
        let mut seen_codes: Vec<String> = Vec::new();
        for (n, mut r) in ready {
            let id = r.snapshot.id.clone();
            if (r.given_code && existing.contains(&r.snapshot.code))
                || store::by_id(&mut tx, &id).await?.is_some()
            {
                report.skipped += 1;
                continue;
            }
            if r.given_code {
                if seen_codes.contains(&r.snapshot.code) {
                    report.rejected.push(RejectedLine {
                        line: n,
                        reason: format!("mã hồ sơ {} lặp lại trong tệp", r.snapshot.code),
                    });
                    continue;
                }
                seen_codes.push(r.snapshot.code.clone());
                if let Ok(c) = DossierCode::parse(&r.snapshot.code) {
                    if let Some(day) = c.day() {
                        store::raise_seq(
                            &mut tx,
                            &r.snapshot.agency_id,
                            &day_part(day),
                            i64::from(c.seq()),
                        )
                        .await?;
                    }
                }
            } else {
                let agency = ctx
                    .agencies
                    .values()
                    .find(|a| a.id == r.snapshot.agency_id)
                    .cloned()
                    .ok_or_else(|| Error::Internal("agency".into()))?;
                let day = r.received_day.unwrap_or_else(|| local_day(self.now()));
                r.snapshot.code = next_code(&mut tx, &agency.id, &agency.code, day).await?;
            }
            let events = dossier::import(&id, r.history, r.snapshot, r.stated_at);
            self.write_events(&mut tx, None, &id, &events, &[]).await?;
            if let Some(at) = r.reminded_at {
                motcua_store::outbox::mark_reminded(&mut tx, &id, motcua_store::to_millis(at))
                    .await?;
            }
            report.imported += 1;
        }
        tx.commit().await?;
        for a in ctx.agencies.values() {
            self.dossiers_changed(&a.id);
        }
        Ok(())
    }

    async fn check_line(
        &self,
        conn: &mut Conn,
        ctx: &mut Context,
        line: &str,
    ) -> std::result::Result<Ready, String> {
        let mut d: ExportedDossier = serde_json::from_str(line)
            .map_err(|e| format!("không phải một hồ sơ JSON hợp lệ: {e}"))?;
        let agency_code = d.agency.trim().to_ascii_uppercase();
        if !ctx.agencies.contains_key(&agency_code) {
            let a = agencies::by_code(conn, &agency_code)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(a) = a {
                ctx.agencies.insert(agency_code.clone(), a);
            }
        }
        let agency = ctx
            .agencies
            .get(&agency_code)
            .cloned()
            .ok_or_else(|| format!("không có cơ quan mã «{}»", d.agency))?;
        let proc_code = d.procedure.trim().to_string();
        if !ctx.procedures.contains_key(&proc_code) {
            let p = self
                .procedure_latest(&proc_code)
                .await
                .ok()
                .map(|e| (e.version, e.procedure));
            ctx.procedures.insert(proc_code.clone(), p);
        }
        let (latest_version, procedure) = ctx
            .procedures
            .get(&proc_code)
            .cloned()
            .flatten()
            .ok_or_else(|| format!("không có thủ tục mã «{proc_code}» trong danh mục"))?;
        let channel = Channel::parse(d.channel.trim()).ok_or_else(|| {
            format!(
                "kênh nộp «{}» không hợp lệ (counter, online, post, home, assisted)",
                d.channel
            )
        })?;
        let status = Status::parse(d.status.trim())
            .ok_or_else(|| format!("trạng thái «{}» không hợp lệ", d.status))?;
        let name = text::clean(&d.details.applicant.full_name);
        if name.is_empty() {
            return Err("thiếu họ tên người nộp (applicant.full_name)".into());
        }
        d.details.applicant.full_name = name.clone();
        if let Some(id) = &d.details.applicant.personal_id {
            let id = id.trim();
            if !(id.len() == 9 || id.len() == 12) || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("số giấy tờ «{id}» phải gồm 12 chữ số (hoặc 9 chữ số của chứng minh nhân dân cũ)"));
            }
        }
        let needs_receipt = !matches!(status, Status::Submitted | Status::NotAccepted);
        if needs_receipt && d.received_at.is_none() {
            return Err("thiếu thời điểm tiếp nhận (received_at)".into());
        }
        if status == Status::Returned && d.returned_at.is_none() {
            return Err("hồ sơ đã trả kết quả cần thời điểm trả (returned_at)".into());
        }
        if let (Some(r), Some(b)) = (d.received_at, d.returned_at) {
            if b < r {
                return Err("thời điểm trả kết quả trước thời điểm tiếp nhận".into());
            }
        }
        let limit: TimeLimit = d
            .details
            .time_limit
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(procedure.committed_limit);
        let due_at = match (d.due_at, d.received_at) {
            (Some(due), _) => Some(due),
            (None, Some(received)) => {
                let cal = self
                    .working_calendar(Some(&agency.code))
                    .await
                    .map_err(|e| e.message_vi())?;
                Some(cal.due_at(received, limit).map_err(|_| "không tính được hạn giải quyết: thời điểm tiếp nhận nằm ngoài lịch làm việc".to_string())?)
            }
            _ => None,
        };
        let timeliness = match (&d.timeliness, d.returned_at, due_at) {
            (Some(t), _, _) => Some(t.clone()),
            (None, Some(back), Some(due)) => Some(
                motcua_domain::dossier::timeliness(back, due)
                    .as_str()
                    .to_string(),
            ),
            _ => None,
        };
        let assignee_id = match d.assignee.as_deref() {
            None => None,
            Some(u) => {
                if !ctx.users.contains_key(u) {
                    let found = users::by_username(conn, u)
                        .await
                        .map_err(|e| e.to_string())?
                        .filter(|x| x.agency_id == agency.id)
                        .map(|x| x.id);
                    ctx.users.insert(u.to_owned(), found);
                }
                match ctx.users.get(u).cloned().flatten() {
                    Some(id) => Some(id),
                    None => {
                        d.details
                            .extra
                            .insert("assignee".into(), serde_json::Value::String(u.to_owned()));
                        None
                    }
                }
            }
        };
        let given_code = match d.code.as_deref() {
            Some(c) => Some(
                DossierCode::parse(c)
                    .map_err(|e| e.message_vi())?
                    .to_string(),
            ),
            None => None,
        };
        // Fields with no place of their own stay with the dossier.
        for (k, v) in std::mem::take(&mut d.unknown) {
            d.details.extra.insert(k, v);
        }
        if d.details.time_limit.is_none() {
            d.details.time_limit = Some(limit.to_string());
        }
        let now = self.now();
        let history = std::mem::take(&mut d.events)
            .into_iter()
            .enumerate()
            .map(|(i, e)| imported_event(e).map_err(|m| format!("sự kiện thứ {}: {m}", i + 1)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let return_method = match d.return_method.as_deref() {
            None => ReturnMethod::Counter,
            Some(m) => ReturnMethod::parse(m)
                .ok_or_else(|| format!("cách trả kết quả «{m}» không hợp lệ"))?,
        };
        let timeliness = match timeliness {
            None => None,
            Some(t) => Some(
                Timeliness::parse(t.trim())
                    .ok_or_else(|| format!("mức độ đúng hạn «{t}» không hợp lệ"))?,
            ),
        };
        let count = |what: &str, v: Option<i64>| {
            u32::try_from(v.unwrap_or(0)).map_err(|_| format!("{what} phải là số không âm"))
        };
        // Every instant to the millisecond, as stored.
        let ms = |t: Option<Timestamp>| t.map(to_stored_precision);
        let snapshot = Record {
            id: d.id.clone().unwrap_or_else(|| id_for_line(line)),
            code: given_code.clone().unwrap_or_default(),
            agency_id: agency.id.clone(),
            procedure: ProcedureRef {
                code: procedure.code.clone(),
                version: d.procedure_version.unwrap_or(latest_version),
                name: d
                    .procedure_name
                    .clone()
                    .unwrap_or_else(|| procedure.name.clone()),
                sector: d.sector.clone().unwrap_or_else(|| procedure.sector.clone()),
            },
            channel,
            status,
            return_method,
            fee_amount: d.fee_amount.unwrap_or(0),
            fee_paid: d.fee_paid.unwrap_or(true),
            priority: d.priority.unwrap_or(1),
            submitted_at: ms(d.submitted_at),
            received_at: ms(d.received_at),
            due_at: ms(due_at),
            original_due_at: ms(d.original_due_at.or(due_at)),
            paused_at: ms(d.paused_at),
            supplements: count("số lần yêu cầu bổ sung (supplements)", d.supplements)?,
            extensions: count("số lần gia hạn (extensions)", d.extensions)?,
            results: count("số kết quả đã đính kèm (results)", d.results)?,
            signed_results: count("số kết quả đã ký số (signed_results)", d.signed_results)?,
            assignee_id,
            approved_at: ms(d.approved_at),
            result_ready_at: ms(d.result_ready_at),
            returned_at: ms(d.returned_at),
            timeliness,
            version: 0,
            created_at: to_stored_precision(d.created_at.unwrap_or(now)),
            updated_at: to_stored_precision(d.updated_at.unwrap_or(now)),
            details: d.details,
        };
        Ok(Ready {
            stated_at: to_stored_precision(
                d.returned_at
                    .or(d.received_at)
                    .or(d.submitted_at)
                    .unwrap_or(now),
            ),
            reminded_at: ms(d.reminded_at),
            received_day: d.received_at.map(local_day),
            snapshot,
            history,
            given_code: given_code.is_some(),
        })
    }

    /// Writes every dossier (of one agency, or all) as JSON lines; returns how many.
    pub async fn export(&self, agency_code: Option<&str>, out: &mut impl Write) -> Result<usize> {
        let mut conn = self.db.read().await?;
        let agency_id = match agency_code {
            None => None,
            Some(code) => Some(
                agencies::by_code(&mut conn, &code.trim().to_ascii_uppercase())
                    .await?
                    .ok_or_else(|| crate::agencies::not_found(code))?
                    .id,
            ),
        };
        let mut agency_codes: HashMap<String, String> = HashMap::new();
        let mut usernames: HashMap<String, Option<String>> = HashMap::new();
        let mut after = String::new();
        let mut count = 0;
        loop {
            let rows =
                store::page_for_export(&mut conn, agency_id.as_deref(), &after, 1_000).await?;
            let Some((last, _)) = rows.last() else { break };
            after = last.dossier.id.clone();
            for (stored, events) in rows {
                let row = &stored.dossier;
                if !agency_codes.contains_key(&row.agency_id) {
                    let code = agencies::by_id(&mut conn, &row.agency_id)
                        .await?
                        .map(|a| a.code)
                        .unwrap_or_default();
                    agency_codes.insert(row.agency_id.clone(), code);
                }
                let assignee = match &row.assignee_id {
                    None => None,
                    Some(id) => {
                        if !usernames.contains_key(id) {
                            let u = users::by_id(&mut conn, id).await?.map(|u| u.username);
                            usernames.insert(id.clone(), u);
                        }
                        usernames.get(id).cloned().flatten()
                    }
                };
                let line = exported(stored, &agency_codes, assignee, events);
                serde_json::to_writer(&mut *out, &line)
                    .map_err(|e| Error::internal("writing a dossier line", e))?;
                out.write_all(b"\n")
                    .map_err(|e| Error::internal("writing a dossier line", e))?;
                count += 1;
            }
        }
        Ok(count)
    }
}

fn exported(
    stored: StoredDossier,
    agency_codes: &HashMap<String, String>,
    assignee: Option<String>,
    events: Vec<EventRow>,
) -> ExportedDossier {
    let d = stored.dossier;
    let mut details = d.details;
    let mut unknown = std::mem::take(&mut details.extra);
    // An assignee unknown at import time stays as it came.
    let assignee = assignee.or_else(|| {
        unknown
            .remove("assignee")
            .and_then(|v| v.as_str().map(String::from))
    });
    ExportedDossier {
        agency: agency_codes.get(&d.agency_id).cloned().unwrap_or_default(),
        id: Some(d.id),
        code: Some(d.code),
        procedure: d.procedure.code,
        procedure_version: Some(d.procedure.version),
        procedure_name: Some(d.procedure.name),
        sector: Some(d.procedure.sector),
        channel: d.channel.as_str().into(),
        status: d.status.as_str().into(),
        return_method: Some(d.return_method.as_str().into()),
        fee_amount: Some(d.fee_amount),
        fee_paid: Some(d.fee_paid),
        submitted_at: d.submitted_at,
        received_at: d.received_at,
        due_at: d.due_at,
        original_due_at: d.original_due_at,
        paused_at: d.paused_at,
        supplements: Some(i64::from(d.supplements)),
        extensions: Some(i64::from(d.extensions)),
        results: Some(i64::from(d.results)),
        signed_results: Some(i64::from(d.signed_results)),
        assignee,
        approved_at: d.approved_at,
        result_ready_at: d.result_ready_at,
        returned_at: d.returned_at,
        timeliness: d.timeliness.map(|t| t.as_str().into()),
        priority: Some(d.priority),
        reminded_at: stored.reminded_at,
        created_at: Some(d.created_at),
        updated_at: Some(d.updated_at),
        events: events
            .into_iter()
            .map(|e| ExportedEvent {
                id: None,
                at: motcua_store::from_millis(e.at),
                actor: e.actor_name,
                actor_id: e.actor_id,
                agency_id: e.agency_id,
                action: e.action,
                from: e.from_status,
                to: e.to_status,
                reason: e.reason,
                data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
        details,
        unknown,
    }
}
