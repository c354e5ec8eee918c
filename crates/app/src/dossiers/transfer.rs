//! Historical import and export, one dossier per JSON line. The format is open and
//! complete: exporting, importing into an empty database and exporting again gives
//! the same lines. Importing the same file twice adds nothing.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use jiff::Timestamp;
use motcua_domain::calendar::TimeLimit;
use motcua_domain::dossier::{day_part, Channel, DossierCode, Status};
use motcua_domain::text;
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::dossiers::{self as store, DossierRow, EventRow};
use motcua_store::{users, Conn};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::chain::{event_hash, GENESIS};
use super::intake::{local_day, next_code};
use super::Details;
use crate::error::{Error, Result};
use crate::App;

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

fn ms(t: Option<Timestamp>) -> Option<i64> {
    t.map(motcua_store::to_millis)
}

/// A stable id for a line without one, so that importing it again finds it.
fn id_for_line(line: &str) -> String {
    let h = hex::encode(Sha256::digest(line.trim().as_bytes()));
    // Shaped as a UUID (version nibble 8: "custom") to sit beside UUIDv7 ids.
    format!(
        "{}-{}-8{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A checked line, ready to write.
struct Ready {
    row: DossierRow,
    events: Vec<ExportedEvent>,
    given_code: bool,
    received_day: Option<jiff::civil::Date>,
}

struct Context {
    agencies: HashMap<String, AgencyRow>,
    procedures: HashMap<String, Option<(i64, motcua_domain::procedure::Procedure)>>,
    users: HashMap<String, Option<String>>,
}

impl App {
    /// Imports dossiers from JSON lines; each bad line is reported and skipped.
    pub async fn import_dossiers(&self, input: impl BufRead) -> Result<ImportReport> {
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
            .map(|(_, r)| r.row.code.clone())
            .collect();
        let existing = store::existing_codes(&mut tx, &codes).await?;
        let mut seen_codes: Vec<String> = Vec::new();
        for (n, mut r) in ready {
            if (r.given_code && existing.contains(&r.row.code))
                || store::by_id(&mut tx, &r.row.id).await?.is_some()
            {
                report.skipped += 1;
                continue;
            }
            if r.given_code {
                if seen_codes.contains(&r.row.code) {
                    report.rejected.push(RejectedLine {
                        line: n,
                        reason: format!("mã hồ sơ {} lặp lại trong tệp", r.row.code),
                    });
                    continue;
                }
                seen_codes.push(r.row.code.clone());
                if let Ok(c) = DossierCode::parse(&r.row.code) {
                    if let Some(day) = c.day() {
                        store::raise_seq(
                            &mut tx,
                            &r.row.agency_id,
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
                    .find(|a| a.id == r.row.agency_id)
                    .cloned()
                    .ok_or_else(|| Error::Internal("agency".into()))?;
                let day = r.received_day.unwrap_or_else(|| local_day(self.now()));
                r.row.code = next_code(&mut tx, &agency, day).await?;
            }
            let events = std::mem::take(&mut r.events);
            store::insert(&mut tx, &r.row).await?;
            let mut prev = GENESIS.to_string();
            let mut seq = 0;
            for e in events {
                seq += 1;
                let mut ev = EventRow {
                    id: e.id.unwrap_or_else(motcua_store::new_id),
                    dossier_id: r.row.id.clone(),
                    seq,
                    at: motcua_store::to_millis(e.at),
                    actor_id: e.actor_id,
                    actor_name: e.actor,
                    agency_id: e.agency_id,
                    action: e.action,
                    from_status: e.from,
                    to_status: e.to,
                    reason: e.reason,
                    data: if e.data.is_null() {
                        "{}".into()
                    } else {
                        e.data.to_string()
                    },
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                ev.hash = event_hash(&ev);
                prev = ev.hash.clone();
                store::insert_event(&mut tx, &ev).await?;
            }
            store::set_head(&mut tx, &r.row.id, seq, &prev).await?;
            report.imported += 1;
        }
        tx.commit().await?;
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
        let now = self.now_ms();
        let mut events = std::mem::take(&mut d.events);
        if events.is_empty() {
            events.push(ExportedEvent {
                at: d
                    .returned_at
                    .or(d.received_at)
                    .or(d.submitted_at)
                    .unwrap_or_else(|| self.now()),
                actor: "import".into(),
                action: "import".into(),
                to: status.as_str().into(),
                ..Default::default()
            });
        }
        let id = d.id.clone().unwrap_or_else(|| id_for_line(line));
        let a = &d.details.applicant;
        let row = DossierRow {
            id,
            code: given_code.clone().unwrap_or_default(),
            agency_id: agency.id.clone(),
            procedure_code: procedure.code.clone(),
            procedure_version: d.procedure_version.unwrap_or(latest_version),
            procedure_name: d
                .procedure_name
                .clone()
                .unwrap_or_else(|| procedure.name.clone()),
            sector: d.sector.clone().unwrap_or_else(|| procedure.sector.clone()),
            channel: channel.as_str().into(),
            status: status.as_str().into(),
            is_open: i64::from(status.is_open()),
            applicant_name: name.clone(),
            applicant_folded: text::fold(&name),
            applicant_id: a.personal_id.clone(),
            applicant_phone: a.phone.clone(),
            applicant_email: a.email.clone(),
            return_method: d.return_method.clone().unwrap_or_else(|| "counter".into()),
            fee_amount: d.fee_amount.unwrap_or(0),
            fee_paid: i64::from(d.fee_paid.unwrap_or(true)),
            details: serde_json::to_string(&d.details).map_err(|e| e.to_string())?,
            submitted_at: ms(d.submitted_at),
            received_at: ms(d.received_at),
            due_at: ms(due_at),
            original_due_at: ms(d.original_due_at.or(due_at)),
            paused_at: ms(d.paused_at),
            supplements: d.supplements.unwrap_or(0),
            extensions: d.extensions.unwrap_or(0),
            assignee_id,
            approved_at: ms(d.approved_at),
            result_ready_at: ms(d.result_ready_at),
            returned_at: ms(d.returned_at),
            timeliness,
            priority: d.priority.unwrap_or(1),
            version: 1,
            last_seq: 0,
            last_hash: GENESIS.into(),
            reminded_at: ms(d.reminded_at),
            created_at: ms(d.created_at).unwrap_or(now),
            updated_at: ms(d.updated_at).unwrap_or(now),
        };
        Ok(Ready {
            received_day: d.received_at.map(local_day),
            row,
            events,
            given_code: given_code.is_some(),
        })
    }

    /// Writes every dossier (of one agency, or all) as JSON lines; returns how many.
    pub async fn export_dossiers(
        &self,
        agency_code: Option<&str>,
        out: &mut impl Write,
    ) -> Result<usize> {
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
            let Some(last) = rows.last() else { break };
            after = last.id.clone();
            for row in rows {
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
                let events = store::events(&mut conn, &row.id).await?;
                let line = exported(row, &agency_codes, assignee, events)?;
                serde_json::to_writer(&mut *out, &line)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                out.write_all(b"\n")
                    .map_err(|e| Error::Internal(e.to_string()))?;
                count += 1;
            }
        }
        Ok(count)
    }
}

fn exported(
    row: DossierRow,
    agency_codes: &HashMap<String, String>,
    assignee: Option<String>,
    events: Vec<EventRow>,
) -> Result<ExportedDossier> {
    let mut details: Details =
        serde_json::from_str(&row.details).map_err(|e| Error::Internal(e.to_string()))?;
    let mut unknown = std::mem::take(&mut details.extra);
    // An assignee unknown at import time stays as it came.
    let assignee = assignee.or_else(|| {
        unknown
            .remove("assignee")
            .and_then(|v| v.as_str().map(String::from))
    });
    let ts = |v: Option<i64>| v.map(motcua_store::from_millis);
    Ok(ExportedDossier {
        agency: agency_codes
            .get(&row.agency_id)
            .cloned()
            .unwrap_or_default(),
        id: Some(row.id),
        code: Some(row.code),
        procedure: row.procedure_code,
        procedure_version: Some(row.procedure_version),
        procedure_name: Some(row.procedure_name),
        sector: Some(row.sector),
        channel: row.channel,
        status: row.status,
        return_method: Some(row.return_method),
        fee_amount: Some(row.fee_amount),
        fee_paid: Some(row.fee_paid == 1),
        submitted_at: ts(row.submitted_at),
        received_at: ts(row.received_at),
        due_at: ts(row.due_at),
        original_due_at: ts(row.original_due_at),
        paused_at: ts(row.paused_at),
        supplements: Some(row.supplements),
        extensions: Some(row.extensions),
        assignee,
        approved_at: ts(row.approved_at),
        result_ready_at: ts(row.result_ready_at),
        returned_at: ts(row.returned_at),
        timeliness: row.timeliness,
        priority: Some(row.priority),
        reminded_at: ts(row.reminded_at),
        created_at: ts(Some(row.created_at)),
        updated_at: ts(Some(row.updated_at)),
        events: events
            .into_iter()
            .map(|e| ExportedEvent {
                id: Some(e.id),
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
        unknown: std::mem::take(&mut unknown),
    })
}
