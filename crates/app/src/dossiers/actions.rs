//! The workflow's actions on a dossier: checked against the table, applied to the
//! clock, recorded as a chained event, announced through the outbox — in one
//! transaction, once per idempotency key.

use base64::Engine as _;
use jiff::Timestamp;
use motcua_domain::access::Action;
use motcua_domain::calendar::{TimeLimit, WorkingCalendar};
use motcua_domain::dossier::{self, decide, Refusal, Situation, Verb};
use motcua_domain::text;
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::dossiers::{self as store, DossierRow, IdempotentAnswer};
use motcua_store::{users, Conn};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::chain::{self, NewEvent};
use super::notices::{Facts, Notice};
use super::{changed, details_of, status_of, Dossier, Handover};
use crate::error::{Error, Result};
use crate::principal::Actor;
use crate::App;

/// A result to attach: a file, or a paper result described in words.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultFile {
    pub name: String,
    #[serde(default)]
    pub content_type: Option<String>,
    /// The file's bytes, base64; absent for a paper result.
    #[serde(default)]
    pub data_base64: Option<String>,
}

/// What an action may carry; each action reads the fields it needs.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionInput {
    /// The dossier's `version` as the person saw it: if it changed since, the action
    /// is refused with the new state instead of acting on something unseen.
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
    /// assign: a specialist's username; absent: by sector and current load.
    #[serde(default)]
    pub assignee: Option<String>,
    /// request_supplement: every missing item.
    #[serde(default)]
    pub missing: Option<Vec<String>>,
    /// extend: the new appointment date (dd/mm/yyyy or yyyy-mm-dd).
    #[serde(default)]
    pub new_due_date: Option<String>,
    /// attach_result
    #[serde(default)]
    pub result: Option<ResultFile>,
    /// return at the counter: who collected it.
    #[serde(default)]
    pub collector_name: Option<String>,
    #[serde(default)]
    pub collector_id: Option<String>,
    /// return by post
    #[serde(default)]
    pub tracking_number: Option<String>,
}

pub(crate) fn fingerprint<T: Serialize>(request: &T) -> String {
    let json = serde_json::to_string(request).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// The first answer to a repeated request, if there was one.
pub(crate) async fn replay(
    conn: &mut Conn,
    user_id: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Option<Dossier>> {
    let key = check_key(key)?;
    match store::idempotent_answer(conn, user_id, key).await? {
        None => Ok(None),
        Some(a) if a.fingerprint != fingerprint => Err(Error::Conflict(
            "Khóa Idempotency-Key này đã dùng cho một yêu cầu khác; mỗi yêu cầu mới cần một khóa mới.".into(),
        )),
        Some(a) => serde_json::from_str(&a.body)
            .map(Some)
            .map_err(|e| Error::Internal(format!("stored answer: {e}"))),
    }
}

fn check_key(key: &str) -> Result<&str> {
    let key = key.trim();
    if key.is_empty() || key.len() > 200 {
        return Err(Error::field(
            "Idempotency-Key",
            "Khóa Idempotency-Key dài từ 1 đến 200 ký tự.",
        ));
    }
    Ok(key)
}

pub(crate) async fn remember(
    conn: &mut Conn,
    user_id: &str,
    key: &str,
    fingerprint: &str,
    answer: &Dossier,
    now_ms: i64,
) -> Result<()> {
    let body = serde_json::to_string(answer).map_err(|e| Error::Internal(e.to_string()))?;
    let answer = IdempotentAnswer {
        fingerprint: fingerprint.to_owned(),
        status: 200,
        body,
    };
    store::save_idempotent_answer(conn, user_id, check_key(key)?, &answer, now_ms).await?;
    Ok(())
}

/// Writes the chain head of a dossier just inserted.
pub(crate) async fn save_head(conn: &mut Conn, d: &DossierRow) -> Result<()> {
    store::set_head(conn, &d.id, d.last_seq, &d.last_hash).await?;
    Ok(())
}

fn refusal(r: Refusal, row: &DossierRow) -> Error {
    match r {
        Refusal::WrongState { .. } => {
            Error::Conflict(format!("{} (Hồ sơ {}.)", r.message_vi(), row.code))
        }
        Refusal::Role { .. } | Refusal::NotAssignee => Error::Forbidden(r.message_vi()),
        Refusal::ReasonMissing { .. } => Error::field("reason", r.message_vi()),
        Refusal::NoResult => Error::field("result", r.message_vi()),
        Refusal::SupplementUsed | Refusal::ExtensionUsed => Error::Conflict(r.message_vi()),
        Refusal::Invalid { field, message } => Error::field(field, message),
        Refusal::Calendar(detail) => Error::Internal(format!("calendar: {detail}")),
    }
}

fn clean_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(text::clean).filter(|s| !s.is_empty())
}

fn cal_err(e: motcua_domain::calendar::CalendarError) -> Error {
    Error::Internal(format!("calendar: {e:?}"))
}

/// The dossier's time limit, as recorded at receipt.
fn limit_of(details: &super::Details) -> TimeLimit {
    details
        .time_limit
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or(TimeLimit::SameDay)
}

impl App {
    /// Takes `verb` on the dossier `code`.
    pub async fn act(
        &self,
        actor: &Actor,
        code: &str,
        verb: Verb,
        input: &ActionInput,
        idempotency_key: Option<&str>,
    ) -> Result<Dossier> {
        let fingerprint = fingerprint(&(code.trim(), verb.as_str(), input));
        let code = code.trim().to_ascii_uppercase();
        let mut tx = self.db.begin_write().await?;
        if let Some(key) = idempotency_key {
            if let Some(d) = replay(&mut tx, &actor.user_id, key, &fingerprint).await? {
                return Ok(d);
            }
        }
        let mut row = store::by_code(&mut tx, &code)
            .await?
            .ok_or_else(|| not_found(&code))?;
        let agency = agencies::by_id(&mut tx, &row.agency_id)
            .await?
            .ok_or_else(|| not_found(&code))?;
        actor.require(Action::ReadDossier, &agency.path)?;
        actor.require(Action::HandleDossier, &agency.path)?;
        if input.version.is_some_and(|v| v != row.version) {
            return Err(changed(&row));
        }
        let status = status_of(&row)?;
        let reason = clean_opt(&input.reason);
        let results_attached = if verb == Verb::MarkReady {
            store::files(&mut tx, &row.id)
                .await?
                .iter()
                .filter(|f| f.kind == "result")
                .count() as u32
        } else {
            0
        };
        let facts = Situation {
            is_assignee: row.assignee_id.as_deref() == Some(actor.user_id.as_str()),
            has_assignee: row.assignee_id.is_some(),
            supplements_used: row.supplements as u32,
            extensions_used: row.extensions as u32,
            results_attached,
            reason_given: reason.is_some(),
        };
        let t = decide(status, verb, &actor.roles, &facts).map_err(|r| refusal(r, &row))?;
        let now = self.now();
        let now_ms = motcua_store::to_millis(now);
        let cal = self
            .working_calendar_in(&mut tx, Some(&agency.code))
            .await?;
        let mut details = details_of(&row)?;
        let mut data = serde_json::Map::new();
        let mut notice: Option<Notice> = None;
        let mut result_file = None;
        match verb {
            Verb::Accept => {
                let due = cal.due_at(now, limit_of(&details)).map_err(cal_err)?;
                row.received_at = Some(now_ms);
                row.due_at = Some(motcua_store::to_millis(due));
                row.original_due_at = row.due_at;
                data.insert("due_at".into(), due.to_string().into());
                notice = Some(Notice::Received);
            }
            Verb::Assign => {
                let (id, username) = self
                    .pick_assignee(&mut tx, &row, &agency, input.assignee.as_deref())
                    .await?;
                row.assignee_id = Some(id);
                data.insert("assignee".into(), username.into());
            }
            Verb::RequestSupplement => {
                let missing: Vec<String> = input
                    .missing
                    .iter()
                    .flatten()
                    .map(|s| text::clean(s))
                    .filter(|s| !s.is_empty())
                    .collect();
                if missing.is_empty() {
                    return Err(Error::field("missing", "Liệt kê đầy đủ mọi giấy tờ, nội dung còn thiếu (chỉ được yêu cầu bổ sung một lần)."));
                }
                row.supplements += 1;
                row.paused_at = Some(now_ms);
                data.insert("missing".into(), serde_json::json!(missing));
                details.missing = missing;
                notice = Some(Notice::SupplementRequested);
            }
            Verb::SupplementReceived => {
                // The time limit counts again from the day the dossier is complete.
                let due = cal.due_at(now, limit_of(&details)).map_err(cal_err)?;
                row.paused_at = None;
                row.due_at = Some(motcua_store::to_millis(due));
                data.insert("due_at".into(), due.to_string().into());
            }
            Verb::Pause => {
                row.paused_at = Some(now_ms);
            }
            Verb::Resume => {
                let due = motcua_store::from_millis(row.due_at.unwrap_or(now_ms));
                let paused_at = motcua_store::from_millis(row.paused_at.unwrap_or(now_ms));
                let new_due = dossier::resume_due_at(&cal, due, paused_at, now).map_err(cal_err)?;
                row.paused_at = None;
                row.due_at = Some(motcua_store::to_millis(new_due));
                data.insert("due_at".into(), new_due.to_string().into());
            }
            Verb::Extend => {
                let due = motcua_store::from_millis(row.due_at.unwrap_or(now_ms));
                if !dossier::extension_allowed(&cal, now, due) {
                    return Err(Error::field("new_due_date", format!(
                        "Chỉ được xin lỗi và hẹn lại chậm nhất một ngày làm việc trước ngày hẹn trả ({}).",
                        motcua_docs::format::date_vn(super::intake::local_day(due))
                    )));
                }
                let new_due = new_due_instant(&cal, input.new_due_date.as_deref(), due)?;
                row.extensions += 1;
                row.due_at = Some(motcua_store::to_millis(new_due));
                data.insert("old_due_at".into(), due.to_string().into());
                data.insert("due_at".into(), new_due.to_string().into());
                notice = Some(Notice::Extended);
            }
            Verb::Approve => row.approved_at = Some(now_ms),
            Verb::AttachResult => {
                let r = input.result.as_ref().ok_or_else(|| {
                    Error::field("result", "Chọn tệp kết quả hoặc ghi tên kết quả bản giấy.")
                })?;
                let name = text::clean(&r.name);
                if name.is_empty() {
                    return Err(Error::field(
                        "result.name",
                        "Cần ghi tên kết quả, ví dụ «Giấy khai sinh bản chính».",
                    ));
                }
                let bytes = match r
                    .data_base64
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    None => Vec::new(),
                    Some(b) => base64::engine::general_purpose::STANDARD
                        .decode(b)
                        .map_err(|_| {
                            Error::field(
                                "result.data_base64",
                                "Tệp kết quả không đọc được (cần mã hóa base64).",
                            )
                        })?,
                };
                data.insert("result".into(), name.clone().into());
                result_file = Some((
                    name,
                    clean_opt(&r.content_type).unwrap_or_else(|| {
                        if bytes.is_empty() {
                            "text/plain".into()
                        } else {
                            "application/octet-stream".into()
                        }
                    }),
                    bytes,
                ));
            }
            Verb::MarkReady => {
                row.result_ready_at = Some(now_ms);
                notice = Some(Notice::ResultReady);
            }
            Verb::Return => {
                let method = row.return_method.clone();
                let handover = Handover {
                    method: method.clone(),
                    collector_name: clean_opt(&input.collector_name),
                    collector_id: clean_opt(&input.collector_id),
                    tracking_number: clean_opt(&input.tracking_number),
                };
                match method.as_str() {
                    "counter" | "home" if handover.collector_name.is_none() => {
                        return Err(Error::field(
                            "collector_name",
                            "Ghi họ tên người nhận kết quả.",
                        ));
                    }
                    "post" if handover.tracking_number.is_none() => {
                        return Err(Error::field(
                            "tracking_number",
                            "Ghi số hiệu bưu gửi của kết quả.",
                        ));
                    }
                    _ => {}
                }
                let due = motcua_store::from_millis(row.due_at.unwrap_or(now_ms));
                let t = dossier::timeliness(now, due);
                row.returned_at = Some(now_ms);
                row.timeliness = Some(t.as_str().into());
                data.insert("timeliness".into(), t.as_str().into());
                data.insert(
                    "handover".into(),
                    serde_json::to_value(&handover).unwrap_or_default(),
                );
                details.handover = Some(handover);
            }
            Verb::NotAccept
            | Verb::Start
            | Verb::Reject
            | Verb::SubmitForApproval
            | Verb::SendBack
            | Verb::Withdraw => {}
        }
        row.status = t.to.as_str().into();
        row.is_open = i64::from(t.to.is_open());
        row.details =
            serde_json::to_string(&details).map_err(|e| Error::Internal(e.to_string()))?;
        row.version += 1;
        row.updated_at = now_ms;
        // The row first: its conditional update takes the row lock, so a second
        // officer acting at once waits here and is then told it changed.
        let expected_head = (row.last_seq, row.last_hash.clone());
        let mut staged = row.clone();
        let event = NewEvent {
            at: now_ms,
            actor_id: Some(&actor.user_id),
            actor_name: &actor.full_name,
            agency_id: Some(&actor.agency.id),
            action: verb.as_str(),
            from_status: Some(t.from.as_str()),
            to_status: t.to.as_str(),
            reason: reason.as_deref(),
            data: serde_json::Value::Object(data),
        };
        let event_row = chain::prepare(&mut staged, event);
        if !store::update(&mut tx, &staged).await? {
            drop(tx);
            let mut conn = self.db.read().await?;
            let now_row = store::by_code(&mut conn, &code)
                .await?
                .ok_or_else(|| not_found(&code))?;
            return Err(changed(&now_row));
        }
        debug_assert_eq!(event_row.seq, expected_head.0 + 1);
        store::insert_event(&mut tx, &event_row).await?;
        let row = staged;
        if let Some(file) = result_file {
            if file.2.is_empty() {
                store::insert_file(
                    &mut tx,
                    &motcua_store::dossiers::FileRow {
                        id: motcua_store::new_id(),
                        dossier_id: row.id.clone(),
                        kind: "result".into(),
                        name: file.0,
                        content_type: file.1,
                        size: 0,
                        sha256: String::new(),
                        created_at: now_ms,
                    },
                )
                .await?;
            } else {
                self.store_files(&mut tx, &row.id, "result", &[file], now_ms)
                    .await?;
            }
        }
        if let Some(notice) = notice {
            self.announce(&mut tx, &row, &agency, notice).await?;
        }
        let dossier = self.to_dossier(&mut tx, &row, Some(actor)).await?;
        if let Some(key) = idempotency_key {
            remember(&mut tx, &actor.user_id, key, &fingerprint, &dossier, now_ms).await?;
        }
        tx.commit().await?;
        Ok(dossier)
    }

    /// The named specialist, or the one of the dossier's sector with the fewest
    /// open dossiers.
    async fn pick_assignee(
        &self,
        conn: &mut Conn,
        row: &DossierRow,
        agency: &AgencyRow,
        username: Option<&str>,
    ) -> Result<(String, String)> {
        match username.map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => {
                let user = users::by_username(conn, &name.to_lowercase())
                    .await?
                    .filter(|u| u.agency_id == agency.id && u.active == 1)
                    .ok_or_else(|| {
                        Error::field(
                            "assignee",
                            format!("Không có cán bộ «{name}» đang làm việc tại cơ quan này."),
                        )
                    })?;
                let roles = users::roles(conn, &user.id).await?;
                if !roles.iter().any(|r| r == "specialist") {
                    return Err(Error::field(
                        "assignee",
                        format!("«{}» không phải chuyên viên xử lý hồ sơ.", user.full_name),
                    ));
                }
                Ok((user.id, user.username))
            }
            None => {
                let load = store::specialist_load(conn, &agency.id, &row.sector).await?;
                let (id, _) = load.into_iter().next().ok_or_else(|| {
                    Error::field("assignee", "Chưa có chuyên viên nào phụ trách lĩnh vực của hồ sơ này; chọn người xử lý.")
                })?;
                let user = users::by_id(conn, &id)
                    .await?
                    .ok_or_else(|| Error::Internal("specialist vanished".into()))?;
                Ok((user.id, user.username))
            }
        }
    }
}

pub(crate) fn not_found(code: &str) -> Error {
    Error::NotFound(format!("Không tìm thấy hồ sơ mã «{code}»."))
}

/// The new appointment of an extension: the close of the given working day, which
/// must come after the current due date.
fn new_due_instant(
    cal: &WorkingCalendar,
    input: Option<&str>,
    due: Timestamp,
) -> Result<Timestamp> {
    let field = "new_due_date";
    let s = input
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::field(field, "Chọn ngày hẹn trả mới."))?;
    let day = super::intake::parse_date(s)
        .ok_or_else(|| Error::field(field, "Ngày hẹn mới ghi theo dạng ngày/tháng/năm."))?;
    if !cal.is_working_day(day) {
        return Err(Error::field(field, "Ngày hẹn mới phải là ngày làm việc."));
    }
    let start = day
        .at(7, 0, 0, 0)
        .to_zoned(motcua_domain::calendar::vietnam_time_zone())
        .map_err(|e| Error::Internal(e.to_string()))?
        .timestamp();
    let new_due = cal
        .due_at(start, TimeLimit::SameDay)
        .map_err(|_| Error::field(field, "Ngày hẹn mới nằm ngoài lịch làm việc."))?;
    if new_due <= due {
        return Err(Error::field(
            field,
            "Ngày hẹn mới phải sau ngày hẹn trả hiện tại.",
        ));
    }
    Ok(new_due)
}

impl App {
    /// Announces a change of `row` to its applicant through the outbox.
    async fn announce(
        &self,
        conn: &mut Conn,
        row: &DossierRow,
        agency: &AgencyRow,
        notice: Notice,
    ) -> Result<()> {
        announce(self, conn, row, agency, notice).await
    }
}

/// The facts of `row` for a notice, and the notice written to the outbox.
pub(crate) async fn announce(
    app: &App,
    conn: &mut Conn,
    row: &DossierRow,
    agency: &AgencyRow,
    notice: Notice,
) -> Result<()> {
    let due = row
        .due_at
        .map(|ms| {
            motcua_docs::format::time_date_vn(motcua_docs::format::vietnam_datetime(
                motcua_store::from_millis(ms),
            ))
        })
        .unwrap_or_default();
    let missing = details_of(row).map(|d| d.missing).unwrap_or_default();
    let facts = Facts {
        dossier_id: &row.id,
        code: &row.code,
        agency: &agency.name,
        procedure: &row.procedure_name,
        applicant: &row.applicant_name,
        due: &due,
        missing: &missing,
        email: row.applicant_email.as_deref(),
        phone: row.applicant_phone.as_deref(),
    };
    app.notify(conn, notice, &facts, app.now_ms()).await?;
    Ok(())
}
