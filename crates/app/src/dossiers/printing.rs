//! The printed forms of a dossier (TT 03/2025/TT-VPCP): the receipt (01), the
//! supplement request (02), the refusal (03), the apology with a new date (04), the
//! notice of stopping (05) and the process control sheet (06).

use jiff::{SignedDuration, Timestamp};
use motcua_docs::forms::{self, ControlStep, FormAgency};
use motcua_domain::calendar::TimeLimit;
use motcua_domain::dossier::{plan_steps, timeliness, Dossier as Record, Status};
use motcua_domain::procedure::time_limit_label_vi;
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::dossiers::{self as store, EventRow};
use motcua_store::Conn;

use super::Applicant;
use super::Dossiers;
use crate::error::{Error, Result};
use crate::principal::Actor;

/// Which form to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Receipt,
    Supplement,
    Refusal,
    Apology,
    Stop,
    ControlSheet,
}

impl Form {
    pub fn parse(number: &str) -> Option<Form> {
        Some(match number {
            "01" | "receipt" => Form::Receipt,
            "02" => Form::Supplement,
            "03" => Form::Refusal,
            "04" => Form::Apology,
            "05" => Form::Stop,
            "06" => Form::ControlSheet,
            _ => return None,
        })
    }
}

/// Boxes a render for [`crate::App::render_off_thread`].
fn job(
    f: impl FnOnce(&motcua_docs::PdfEngine) -> std::result::Result<Vec<u8>, motcua_docs::DocsError>
        + Send
        + 'static,
) -> crate::RenderJob {
    Box::new(f)
}

fn applicant(a: &Applicant) -> forms::Applicant {
    forms::Applicant {
        full_name: a.full_name.clone(),
        personal_id: a.personal_id.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
        address: a.address.clone(),
    }
}

fn ts(ms: i64) -> Timestamp {
    motcua_store::from_millis(ms)
}

/// The last event of one kind.
fn last_event<'a>(events: &'a [EventRow], action: &str) -> Option<&'a EventRow> {
    events.iter().rev().find(|e| e.action == action)
}

fn not_issued(what: &str) -> Error {
    Error::NotFound(format!("Hồ sơ này chưa có {what}."))
}

fn duration_vi(d: SignedDuration) -> String {
    let mins = d.as_secs().max(0) / 60;
    let (h, m) = (mins / 60, mins % 60);
    match (h, m) {
        (0, m) => format!("{m} phút"),
        (h, 0) => format!("{h} giờ"),
        (h, m) => format!("{h} giờ {m} phút"),
    }
}

impl Dossiers<'_> {
    /// Prints one of the dossier's forms as PDF.
    pub async fn form_pdf(&self, actor: &Actor, code: &str, form: Form) -> Result<Vec<u8>> {
        let mut conn = self.db.read().await?;
        let dossier = self.readable(&mut conn, actor, code).await?;
        let job = self.form_job(&mut conn, &dossier, form).await?;
        // The connection goes back to the pool before the render waits for its turn:
        // a queue of renders must not hold the pool.
        drop(conn);
        self.render_off_thread(job).await
    }

    /// Everything a form prints, read and moved into a render job.
    async fn form_job(
        &self,
        conn: &mut Conn,
        dossier: &Record,
        form: Form,
    ) -> Result<crate::RenderJob> {
        let agency = agencies::by_id(conn, &dossier.agency_id)
            .await?
            .ok_or_else(|| Error::Internal("agency".into()))?;
        let parent = match &agency.parent_id {
            Some(p) => agencies::by_id(conn, p).await?.map(|a| a.name),
            None => None,
        };
        let header = FormAgency {
            name: agency.name.clone(),
            parent_name: parent,
            place: place_of(&agency),
        };
        let d = &dossier.details;
        let events = store::events(conn, &dossier.id).await?;
        let received = dossier.received_at;
        let now = self.now();
        let request = dossier.procedure.name.clone();
        let job = match form {
            Form::Receipt => {
                let limit: TimeLimit = d
                    .time_limit
                    .as_deref()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(TimeLimit::SameDay);
                if limit == TimeLimit::Immediate {
                    return Err(Error::NotFound(
                        "Thủ tục giải quyết ngay: không in giấy hẹn trả kết quả.".into(),
                    ));
                }
                let (Some(received_at), Some(due)) =
                    (received, dossier.original_due_at.or(dossier.due_at))
                else {
                    return Err(not_issued("giấy tiếp nhận (hồ sơ chưa được tiếp nhận)"));
                };
                let officer = events
                    .iter()
                    .find(|e| e.action == "receive" || e.action == "accept")
                    .map(|e| e.actor_name.clone())
                    .unwrap_or_default();
                let fee = (dossier.fee_amount > 0).then(|| {
                    let mut s = motcua_domain::text::money(dossier.fee_amount);
                    if dossier.fee_paid {
                        s.push_str(" (đã nộp");
                        if let Some(no) = &d.fee_receipt_no {
                            s.push_str(&format!(", biên lai số {no}"));
                        }
                        s.push(')');
                    } else {
                        s.push_str(" (chưa nộp)");
                    }
                    s
                });
                let method = match dossier.return_method.as_str() {
                    "post" => format!(
                        "Qua dịch vụ bưu chính: {}",
                        d.post_address.clone().unwrap_or_default()
                    ),
                    "home" => "Tại nhà".into(),
                    "online" => "Trực tuyến (tải về trên trang tra cứu)".into(),
                    _ => "Trực tiếp tại Bộ phận một cửa".into(),
                };
                {
                    let form = forms::ReceiptForm {
                        agency: header,
                        code: dossier.code.clone(),
                        tracking_url: self.tracking_url(&dossier.code),
                        applicant: applicant(&d.applicant),
                        request,
                        documents: d
                            .documents
                            .iter()
                            .map(|x| forms::ReceivedDocument {
                                name: x.name.clone(),
                                originals: x.originals,
                                certified_copies: x.certified_copies,
                                photocopies: x.photocopies,
                            })
                            .collect(),
                        sets: d.sets,
                        time_limit: time_limit_label_vi(limit),
                        received_at,
                        due_at: due,
                        return_method: method,
                        fee,
                        officer_name: officer,
                    };
                    job(move |engine| forms::receipt_pdf(engine, &form))
                }
            }
            Form::Supplement => {
                let e = last_event(&events, "request_supplement")
                    .ok_or_else(|| not_issued("phiếu yêu cầu bổ sung"))?;
                {
                    let form = forms::SupplementForm {
                        agency: header,
                        code: dossier.code.clone(),
                        applicant: applicant(&d.applicant),
                        request,
                        received_at: received.unwrap_or(now),
                        missing: d.missing.clone(),
                        reason: e.reason.clone().unwrap_or_default(),
                        officer_name: e.actor_name.clone(),
                        issued_at: ts(e.at),
                    };
                    job(move |engine| forms::supplement_pdf(engine, &form))
                }
            }
            Form::Refusal => {
                let e = last_event(&events, "reject")
                    .or_else(|| last_event(&events, "not_accept"))
                    .ok_or_else(|| not_issued("phiếu từ chối"))?;
                {
                    let form = forms::RefusalForm {
                        agency: header,
                        code: dossier.code.clone(),
                        applicant: applicant(&d.applicant),
                        request,
                        received_at: received,
                        reason: e.reason.clone().unwrap_or_default(),
                        officer_name: e.actor_name.clone(),
                        issued_at: ts(e.at),
                    };
                    job(move |engine| forms::refusal_pdf(engine, &form))
                }
            }
            Form::Apology => {
                let e = last_event(&events, "extend")
                    .ok_or_else(|| not_issued("văn bản xin lỗi và hẹn lại"))?;
                let data: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
                let when = |k: &str| {
                    data.get(k)
                        .and_then(|v| v.as_str())
                        .and_then(|s| s.parse::<Timestamp>().ok())
                };
                {
                    let form = forms::ApologyForm {
                        agency: header,
                        code: dossier.code.clone(),
                        applicant: applicant(&d.applicant),
                        request,
                        received_at: received.unwrap_or(now),
                        old_due_at: when("old_due_at").unwrap_or(now),
                        new_due_at: when("due_at").unwrap_or(now),
                        reason: e.reason.clone().unwrap_or_default(),
                        signer_name: e.actor_name.clone(),
                        issued_at: ts(e.at),
                    };
                    job(move |engine| forms::apology_pdf(engine, &form))
                }
            }
            Form::Stop => {
                let e = last_event(&events, "pause")
                    .ok_or_else(|| not_issued("thông báo dừng giải quyết"))?;
                {
                    let form = forms::StopForm {
                        agency: header,
                        code: dossier.code.clone(),
                        applicant: applicant(&d.applicant),
                        request,
                        received_at: received.unwrap_or(now),
                        reason: e.reason.clone().unwrap_or_default(),
                        signer_name: e.actor_name.clone(),
                        issued_at: ts(e.at),
                    };
                    job(move |engine| forms::stop_pdf(engine, &form))
                }
            }
            Form::ControlSheet => {
                let steps = self
                    .control_steps(conn, dossier, &agency.code, &events)
                    .await?;
                let (Some(received_at), Some(due)) = (received, dossier.due_at) else {
                    return Err(not_issued("phiếu kiểm soát (hồ sơ chưa được tiếp nhận)"));
                };
                {
                    let form = forms::ControlSheetForm {
                        agency: header,
                        code: dossier.code.clone(),
                        applicant: applicant(&d.applicant),
                        request,
                        received_at,
                        due_at: due,
                        steps,
                        printed_at: now,
                    };
                    job(move |engine| forms::control_sheet_pdf(engine, &form))
                }
            }
        };
        Ok(job)
    }

    /// The internal steps with their due instants and what happened: each hand-over
    /// event (assign, submit for approval, approve, mark ready, return) closes the
    /// current step.
    pub(crate) async fn control_steps(
        &self,
        conn: &mut Conn,
        dossier: &Record,
        agency_code: &str,
        events: &[EventRow],
    ) -> Result<Vec<ControlStep>> {
        let (Some(received), Some(due)) = (dossier.received_at, dossier.due_at) else {
            return Ok(Vec::new());
        };
        let procedure = self
            .procedure_version_in(conn, &dossier.procedure.code, dossier.procedure.version)
            .await?;
        let cal = self.working_calendar_in(conn, Some(agency_code)).await?;
        let plan = plan_steps(&cal, received, due, &procedure.steps)
            .map_err(|e| Error::internal("the steps of form 06", e))?;
        // Work restarts from the last (re)start of the clock.
        let handovers: Vec<&EventRow> = events
            .iter()
            .filter(|e| {
                matches!(
                    e.action.as_str(),
                    "assign" | "submit_for_approval" | "approve" | "mark_ready" | "return"
                )
            })
            .collect();
        let status = dossier.status;
        let now = self.now();
        let mut started = Some(received);
        let mut out = Vec::new();
        for (i, step) in plan.iter().enumerate() {
            let finished = handovers.get(i).map(|e| ts(e.at));
            let handler = handovers.get(i).map(|e| e.actor_name.clone());
            let used = match (started, finished) {
                (Some(s), Some(f)) => Some(duration_vi(cal.working_time_between(s, f))),
                (Some(s), None)
                    if started.is_some()
                        && status.is_open()
                        && (i == 0 || handovers.get(i - 1).is_some()) =>
                {
                    Some(duration_vi(cal.working_time_between(s, now)))
                }
                _ => None,
            };
            let state = match finished {
                Some(f) => timeliness(f, step.due_at).label_vi().to_string(),
                None if status.is_open() && (i == 0 || handovers.get(i - 1).is_some()) => {
                    if now > step.due_at {
                        "Quá hạn".into()
                    } else {
                        "Đang xử lý".into()
                    }
                }
                None if matches!(
                    status,
                    Status::Rejected | Status::Withdrawn | Status::NotAccepted
                ) =>
                {
                    "Đã kết thúc".into()
                }
                None => "Chưa đến".into(),
            };
            out.push(ControlStep {
                name: step.name.clone(),
                role: step.role.label_vi().to_string(),
                handler,
                allowed: duration_vi(step.allowed),
                due_at: step.due_at,
                started_at: started,
                finished_at: finished,
                used,
                status: state,
            });
            started = finished;
        }
        Ok(out)
    }

    /// The control sheet's rows for the dossier page.
    pub async fn steps(&self, actor: &Actor, code: &str) -> Result<Vec<ControlStep>> {
        let mut conn = self.db.read().await?;
        let (dossier, agency, events) = self.readable_in(&mut conn, actor, code).await?;
        self.control_steps(&mut conn, &dossier, &agency.code, &events)
            .await
    }
}

/// The place name in a document's date line: the agency's name without its
/// "UBND xã/phường" prefix.
pub(crate) fn place_of(agency: &AgencyRow) -> String {
    let name = agency.name.as_str();
    for prefix in ["UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "] {
        if let Some(rest) = name.strip_prefix(prefix) {
            for kind in [
                "xã ",
                "phường ",
                "thị trấn ",
                "đặc khu ",
                "tỉnh ",
                "thành phố ",
                "huyện ",
                "quận ",
                "thị xã ",
            ] {
                if let Some(place) = rest.strip_prefix(kind) {
                    return place.to_string();
                }
            }
            return rest.to_string();
        }
    }
    name.to_string()
}
