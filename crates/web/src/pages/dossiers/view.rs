//! The dossier page: its particulars, steps, history, files, messages, the
//! papers to print and the actions the person may take.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::dossiers::Dossier;
use motcua_app::users::Assignable;
use motcua_domain::calendar::TimeLimit;
use motcua_domain::dossier::{Channel, Status, Timeliness, Verb};
use motcua_domain::text::money;
use serde::Deserialize;

use super::page_err;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::form_data::{idempotency_key, Values};
use crate::pages::intake_form::return_method_label;
use crate::pages::{datetime_vn, FormErrors};
use crate::session::SignedIn;
use crate::AppState;

fn date_vn(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

fn when(t: Option<jiff::Timestamp>) -> String {
    t.map(datetime_vn).unwrap_or_default()
}

pub struct PersonView {
    pub full_name: String,
    pub personal_id: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<&'static str>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

fn person(a: &motcua_app::dossiers::Applicant) -> PersonView {
    PersonView {
        full_name: a.full_name.clone(),
        personal_id: a.personal_id.clone(),
        date_of_birth: a.date_of_birth.map(date_vn),
        sex: a.sex.map(|s| s.label_vi()),
        phone: a.phone.clone(),
        email: a.email.clone(),
        address: a.address.clone(),
    }
}

pub struct DocView {
    pub name: String,
    pub originals: u16,
    pub certified_copies: u16,
    pub photocopies: u16,
}

pub struct StepView {
    pub name: String,
    pub role: String,
    pub handler: String,
    pub allowed: String,
    pub due: String,
    pub finished: String,
    pub used: String,
    pub status: String,
    pub late: bool,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
    pub detail: String,
}

pub struct FileView {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub size: String,
    pub stored: bool,
    /// "Đã ký số: Đỗ Minh Tuấn, 16/11/2026 09:30" for a signed result.
    pub signed: Option<String>,
}

pub struct MessageView {
    pub at: String,
    pub channel: &'static str,
    pub recipient: String,
    pub subject: String,
    pub status: &'static str,
}

/// One action the person may take, with what its form needs.
pub struct ActionForm {
    pub verb: &'static str,
    pub label: &'static str,
    pub needs_reason: bool,
    /// Who reads the reason (the citizen, or only the specialist).
    pub reason_hint: &'static str,
    /// Rare or irreversible: below the expected actions, behind a confirmation.
    pub confirm: bool,
    pub danger: bool,
    pub multipart: bool,
    pub values: Values,
    pub errors: FormErrors,
    pub idem: String,
}

impl ActionForm {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    /// Messages of fields the form has no place for.
    pub fn other_errors(&self) -> Vec<&str> {
        const SHOWN: [&str; 11] = [
            "reason",
            "confirm",
            "opinion",
            "draft_result",
            "assignee",
            "missing",
            "new_due_date",
            "result.name",
            "collector_name",
            "collector_id",
            "tracking_number",
        ];
        self.errors
            .all()
            .iter()
            // The civil-status part shows its own (`_civil_facts.html`).
            .filter(|f| !SHOWN.contains(&f.field.as_str()) && !f.field.starts_with("civil"))
            .map(|f| f.message.as_str())
            .collect()
    }
}

pub struct DossierView {
    pub code: String,
    pub status: String,
    pub status_label: String,
    pub procedure: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub channel: &'static str,
    pub submitted: String,
    pub received: String,
    pub due: String,
    pub original_due: Option<String>,
    pub overdue: bool,
    pub paused: String,
    pub supplements: i64,
    pub extensions: i64,
    pub assignee: String,
    pub result_ready: String,
    pub returned: String,
    pub timeliness: Option<&'static str>,
    pub applicant: PersonView,
    pub on_behalf: Option<PersonView>,
    pub documents: Vec<DocView>,
    pub sets: u16,
    pub fee: String,
    pub fee_receipt_no: Option<String>,
    pub fee_exemption: Option<&'static str>,
    pub return_method: &'static str,
    pub post_address: Option<String>,
    pub handover: Option<String>,
    pub missing: Vec<String>,
    pub note: Option<String>,
    pub version: i64,
    pub return_kind: String,
}

fn status_label(s: &str) -> String {
    Status::parse(s).map_or_else(|| s.to_owned(), |x| x.label_vi().to_owned())
}

/// `now` is the app's clock, so that the overdue mark agrees with the worklists.
fn view(d: &Dossier, specialists: &[Assignable], now: jiff::Timestamp) -> DossierView {
    let x = &d.details;
    let status = Status::parse(&d.status);
    let fee = if d.fee_amount == 0 {
        "Không thu (0 đ)".to_owned()
    } else if d.fee_paid {
        format!("{} — đã nộp", money(d.fee_amount))
    } else {
        format!("{} — chưa nộp", money(d.fee_amount))
    };
    let handover = x.handover.as_ref().map(|h| {
        let mut parts = Vec::new();
        if let Some(n) = &h.collector_name {
            parts.push(format!("Người nhận: {n}"));
        }
        if let Some(i) = &h.collector_id {
            parts.push(format!("giấy tờ tùy thân số {i}"));
        }
        if let Some(t) = &h.tracking_number {
            parts.push(format!("Số hiệu bưu gửi: {t}"));
        }
        if parts.is_empty() {
            return_method_label(h.method.as_str()).to_owned()
        } else {
            parts.join(", ")
        }
    });
    let assignee = d
        .assignee
        .as_ref()
        .map(|u| {
            specialists
                .iter()
                .find(|s| &s.username == u)
                .map_or_else(|| u.clone(), |s| format!("{} ({u})", s.full_name))
        })
        .unwrap_or_default();
    DossierView {
        code: d.code.clone(),
        status: d.status.clone(),
        status_label: d.status_label.clone(),
        procedure: d.procedure.clone(),
        procedure_name: d.procedure_name.clone(),
        agency_name: d.agency_name.clone(),
        channel: Channel::parse(&d.channel).map_or("", Channel::label_vi),
        submitted: when(d.submitted_at),
        received: when(d.received_at),
        due: when(d.due_at),
        original_due: d
            .original_due_at
            .filter(|o| Some(*o) != d.due_at)
            .map(datetime_vn),
        overdue: status.is_some_and(Status::clock_runs) && d.due_at.is_some_and(|t| t < now),
        paused: when(d.paused_at),
        supplements: d.supplements,
        extensions: d.extensions,
        assignee,
        result_ready: when(d.result_ready_at),
        returned: when(d.returned_at),
        timeliness: d
            .timeliness
            .as_deref()
            .and_then(Timeliness::parse)
            .map(Timeliness::label_vi),
        applicant: person(&x.applicant),
        on_behalf: x.on_behalf_of.as_ref().map(person),
        documents: x
            .documents
            .iter()
            .map(|r| DocView {
                name: r.name.clone(),
                originals: r.originals,
                certified_copies: r.certified_copies,
                photocopies: r.photocopies,
            })
            .collect(),
        sets: x.sets,
        fee,
        fee_receipt_no: x.fee_receipt_no.clone(),
        fee_exemption: x
            .fee_exemption
            .as_deref()
            .and_then(motcua_domain::procedure::Exemption::parse)
            .map(|e| e.label_vi()),
        return_method: return_method_label(&d.return_method),
        post_address: x.post_address.clone(),
        handover,
        missing: x.missing.clone(),
        note: x.note.clone(),
        version: d.version,
        return_kind: d.return_method.clone(),
    }
}

fn event_detail(e: &motcua_app::dossiers::Event) -> String {
    let get = |k: &str| e.data.get(k).and_then(|v| v.as_str());
    let at = |k: &str| {
        get(k)
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map(datetime_vn)
    };
    let mut parts = Vec::new();
    if let Some(u) = e.assignee_name.as_deref().or(get("assignee")) {
        parts.push(format!("Người xử lý: {u}"));
    }
    if let Some(o) = get("opinion") {
        parts.push(format!("Ý kiến thẩm định: {o}"));
    }
    if let Some(r) = get("draft_result") {
        parts.push(format!("Dự thảo kết quả: {r}"));
    }
    if let Some(missing) = e.data.get("missing").and_then(|v| v.as_array()) {
        let items: Vec<&str> = missing.iter().filter_map(|m| m.as_str()).collect();
        parts.push(format!("Cần bổ sung: {}", items.join("; ")));
    }
    if let Some(old) = at("old_due_at") {
        parts.push(format!("Hạn cũ: {old}"));
    }
    if let Some(due) = at("due_at") {
        parts.push(format!("Hẹn trả: {due}"));
    }
    if let Some(r) = get("result") {
        parts.push(format!("Kết quả: {r}"));
    }
    if let Some(h) = e.data.get("handover") {
        if let Some(n) = h.get("collector_name").and_then(|v| v.as_str()) {
            parts.push(format!("Người nhận: {n}"));
        }
        if let Some(t) = h.get("tracking_number").and_then(|v| v.as_str()) {
            parts.push(format!("Số hiệu bưu gửi: {t}"));
        }
    }
    if let Some(t) = get("timeliness").and_then(Timeliness::parse) {
        parts.push(t.label_vi().to_owned());
    }
    if let Some(c) = get("channel").and_then(Channel::parse) {
        parts.push(format!("Kênh: {}", c.label_vi()));
    }
    parts.join(" · ")
}

fn size_label(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        let tenths = (bytes * 10 + 1024 * 1024 / 2) / (1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

fn message_channel(c: &str) -> &'static str {
    match c {
        "email" => "Thư điện tử",
        "sms" => "Tin nhắn SMS",
        _ => "Khác",
    }
}

fn message_status(s: &str) -> &'static str {
    match s {
        "pending" => "Chờ gửi",
        "sent" => "Đã gửi",
        "logged" => "Đã ghi nhận (chưa cấu hình máy chủ gửi)",
        "failed" => "Gửi không thành công",
        _ => "Không rõ",
    }
}

/// The action that failed, shown again with what was typed and why (or, when
/// the dossier changed under the person, what it is now).
#[derive(Clone)]
pub struct Failure {
    pub(super) verb: String,
    pub(super) values: Values,
    pub(super) errors: FormErrors,
    pub(super) conflict: Option<String>,
}

/// The specialist's latest review, as the leader reads it before approving.
pub struct ReviewView {
    pub by: String,
    pub at: String,
    pub opinion: String,
    pub draft_result: Option<String>,
    /// (file id, name)
    pub files: Vec<(String, String)>,
}

fn latest_review(
    events: &[motcua_app::dossiers::Event],
    files: &[motcua_app::dossiers::DossierFile],
) -> Option<ReviewView> {
    let e = events.iter().rev().find(|e| e.action == "record_review")?;
    let get = |k: &str| e.data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let ids: Vec<&str> = e
        .data
        .get("file_ids")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    Some(ReviewView {
        by: person_with_title(&e.actor, e.actor_title.as_deref()),
        at: datetime_vn(e.at),
        opinion: get("opinion").unwrap_or_default(),
        draft_result: get("draft_result"),
        files: files
            .iter()
            .filter(|f| ids.contains(&f.id.as_str()))
            .map(|f| (f.id.clone(), f.name.clone()))
            .collect(),
    })
}

fn person_with_title(name: &str, title: Option<&str>) -> String {
    match title {
        Some(t) => format!("{name} — {t}"),
        None => name.to_owned(),
    }
}

/// Who the dossier waits for, when it is not this person.
fn waiting_for(status: Option<Status>, assignee: &str) -> String {
    let who = if assignee.is_empty() {
        "chuyên viên được phân công".to_owned()
    } else {
        format!("chuyên viên {assignee}")
    };
    match status {
        Some(Status::Submitted) => "Hồ sơ chờ bộ phận một cửa tiếp nhận.".into(),
        Some(Status::Received) => {
            "Hồ sơ chờ phân công chuyên viên xử lý (bộ phận một cửa hoặc lãnh đạo).".into()
        }
        Some(Status::Assigned | Status::InReview) => {
            format!("Hồ sơ đang chờ {who} thẩm định và trình lãnh đạo.")
        }
        Some(Status::SupplementRequested) => {
            "Hồ sơ chờ người nộp bổ sung giấy tờ (thời hạn tạm dừng).".into()
        }
        Some(Status::Paused) => format!("Hồ sơ đang tạm dừng; {who} hoặc lãnh đạo cho tiếp tục."),
        Some(Status::AwaitingApproval) => "Hồ sơ chờ lãnh đạo phê duyệt.".into(),
        Some(Status::Approved) => {
            "Hồ sơ đã phê duyệt, chờ đính kèm kết quả và chuyển sang bộ phận một cửa.".into()
        }
        Some(Status::ResultReady) => "Kết quả chờ bộ phận một cửa trả cho người nộp.".into(),
        _ => "Hồ sơ đã kết thúc; không còn việc cần làm.".into(),
    }
}

fn reason_hint(verb: Verb) -> &'static str {
    match verb {
        Verb::SendBack => "bắt buộc; gửi cho chuyên viên xử lý, người nộp hồ sơ không nhìn thấy",
        Verb::Withdraw => "bắt buộc; ghi theo đề nghị rút hồ sơ của người nộp",
        _ => "bắt buộc; ghi vào văn bản gửi người nộp",
    }
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    chrome: Chrome,
    d: DossierView,
    notice: Option<String>,
    /// The next step, said after an intake or an action.
    next_hint: Option<String>,
    waiting: String,
    review: Option<ReviewView>,
    /// The actions the dossier waits for from this person, then the ordinary
    /// ones, then the rare ones behind a confirmation.
    primary: Vec<ActionForm>,
    rare: Vec<ActionForm>,
    rare_open: bool,
    just_received: bool,
    receipt_printable: bool,
    conflict: Option<String>,
    steps: Vec<StepView>,
    events: Vec<EventView>,
    files: Vec<FileView>,
    messages: Vec<MessageView>,
    prints: Vec<(&'static str, &'static str)>,
    actions: Vec<ActionForm>,
    /// (username, full name, works in the dossier's sector)
    specialists: Vec<(String, String, bool)>,
    /// A civil-status dossier: its register side (`_dossier_civil.html`).
    civil: Option<motcua_app::registers::DossierRegister>,
    /// Its facts' form, for the specialist's `record_civil`.
    civil_form: Option<crate::pages::intake_form::CivilForm>,
}

#[derive(Deserialize)]
pub struct Notice {
    #[serde(default)]
    ok: Option<String>,
    /// A failed action's token (`Flash`).
    #[serde(default)]
    loi: Option<String>,
}

fn notice_text(ok: Option<&str>, d: &DossierView) -> Option<String> {
    let ok = ok?;
    if ok == "tiep-nhan" {
        return Some(format!(
            "Đã tiếp nhận hồ sơ mã {}. Hẹn trả kết quả: {}.",
            d.code, d.due
        ));
    }
    Verb::parse(ok).map(|v| {
        let done = format!("Đã thực hiện: «{}».", v.label_vi());
        match v {
            Verb::Assign if !d.assignee.is_empty() => {
                format!("{done} Hồ sơ đã giao cho {}.", d.assignee)
            }
            _ => done,
        }
    })
}

/// What happens now, after an intake: who assigns, or what to press.
fn intake_hint(can_assign: bool) -> String {
    if can_assign {
        "Việc tiếp theo: phân công chuyên viên xử lý ở thẻ «Phân công xử lý» ngay dưới đây; chọn «Tự động» để giao cho chuyên viên phụ trách lĩnh vực đang có ít hồ sơ nhất.".into()
    } else {
        "Việc tiếp theo: lãnh đạo hoặc bộ phận một cửa phân công chuyên viên xử lý hồ sơ.".into()
    }
}

pub(super) async fn dossier_page(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    ok: Option<&str>,
    failure_token: Option<&str>,
) -> Result<Response, PageError> {
    let err = page_err(s);
    // A failed action comes back through the redirect; an unknown token (expired,
    // or kept by another process) still says that nothing was done.
    let (failure, conflict, status) = match failure_token {
        None => (None, None, StatusCode::OK),
        Some(token) => match state.flash.get::<Failure>(&s.actor.user_id, token) {
            Some(mut f) => {
                let conflict = f.conflict.take();
                let failure = conflict.is_none().then_some(f);
                (failure, conflict, StatusCode::OK)
            }
            None => (
                None,
                Some(
                    "Thao tác vừa rồi chưa được thực hiện; vui lòng xem lại hồ sơ và làm lại."
                        .to_owned(),
                ),
                StatusCode::OK,
            ),
        },
    };
    let app = &state.app;
    let detail = app.dossiers().detail(&s.actor, code).await.map_err(&err)?;
    let (d, events, files, steps) = (detail.dossier, detail.events, detail.files, detail.steps);
    // The page shows the rest when its register side cannot be read.
    let civil = app
        .registers()
        .of_dossier(&s.actor, code)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, code = %d.code, "the register side of a dossier");
            None
        });
    let messages = app.dossier_messages(&d.id).await.map_err(&err)?;
    let specialists = if s.actor.may(
        motcua_domain::access::Action::HandleDossier,
        &s.actor.agency.path,
    ) {
        match app.assignable_specialists(&s.actor).await {
            Ok(list) => list,
            Err(e) => {
                tracing::warn!(error = %e, "specialists for the assignment picker");
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    let v = view(&d, &specialists, app.now());
    let limit: TimeLimit = d
        .details
        .time_limit
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or(TimeLimit::SameDay);
    let receipt_printable = d.received_at.is_some() && limit != TimeLimit::Immediate;
    let happened = |a: &str| events.iter().any(|e| e.action == a);
    let mut prints = Vec::new();
    if receipt_printable {
        prints.push(("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"));
    }
    if happened("request_supplement") {
        prints.push(("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"));
    }
    if happened("reject") || happened("not_accept") {
        prints.push(("03", "Phiếu từ chối tiếp nhận, giải quyết hồ sơ"));
    }
    if happened("extend") {
        prints.push(("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"));
    }
    if happened("pause") {
        prints.push(("05", "Phiếu dừng giải quyết hồ sơ"));
    }
    if d.received_at.is_some() && d.due_at.is_some() {
        prints.push(("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"));
    }
    let mut failure = failure;
    let rare_open = failure
        .as_ref()
        .and_then(|f| Verb::parse(&f.verb))
        .is_some_and(Verb::needs_confirmation);
    let mut primary = Vec::new();
    let mut actions = Vec::new();
    let mut rare = Vec::new();
    // The expected actions in the order the domain expects them, then the rest.
    let order = d.next_actions.iter().filter_map(|a| Verb::parse(a)).chain(
        Verb::ALL
            .into_iter()
            .filter(|v| !d.next_actions.iter().any(|a| a == v.as_str())),
    );
    for verb in order.filter(|verb| d.allowed_actions.iter().any(|a| a == verb.as_str())) {
        let (values, errors) = match failure.take_if(|f| f.verb == verb.as_str()) {
            Some(f) => (f.values, f.errors),
            // The facts as recorded so far, to complete or correct.
            None if verb == Verb::RecordCivil => (
                d.details
                    .civil
                    .as_ref()
                    .map(crate::pages::intake_form::civil_values)
                    .unwrap_or_default(),
                FormErrors::default(),
            ),
            None => (Values::default(), FormErrors::default()),
        };
        let form = ActionForm {
            verb: verb.as_str(),
            label: verb.label_vi(),
            needs_reason: verb.needs_reason(),
            reason_hint: reason_hint(verb),
            confirm: verb.needs_confirmation(),
            danger: matches!(verb, Verb::Reject | Verb::NotAccept | Verb::Withdraw),
            multipart: matches!(verb, Verb::AttachResult | Verb::RecordReview),
            values,
            errors,
            idem: idempotency_key(),
        };
        if d.next_actions.iter().any(|a| a == verb.as_str()) {
            primary.push(form);
        } else if form.confirm {
            rare.push(form);
        } else {
            actions.push(form);
        }
    }
    // Once the review is recorded (since the dossier last came into review), the
    // submission leads; the review stays offered, to be corrected.
    let reviewed = events
        .iter()
        .rev()
        .take_while(|e| e.to_status == "in_review" && e.from_status.as_deref() == Some("in_review"))
        .any(|e| e.action == "record_review");
    if reviewed {
        primary.sort_by_key(|a| a.verb != Verb::SubmitForApproval.as_str());
    }
    // A civil-status dossier that cannot be submitted yet: recording its facts leads.
    if civil.as_ref().is_some_and(|c| c.missing.is_some()) {
        if let Some(i) = actions
            .iter()
            .position(|a| a.verb == Verb::RecordCivil.as_str())
        {
            primary.insert(0, actions.remove(i));
        }
    }
    let can_assign = d.allowed_actions.iter().any(|a| a == "assign");
    let next_hint = match ok {
        Some("tiep-nhan") if d.status == "received" => Some(intake_hint(can_assign)),
        // Assigned in the intake itself, by the agency's rule for the sector.
        Some("tiep-nhan") if d.status == "assigned" && !v.assignee.is_empty() => Some(format!(
            "Hồ sơ đã được phân công tự động cho chuyên viên {} theo quy tắc phân công của cơ quan; bộ phận một cửa không cần phân công. Việc tiếp theo: chuyên viên xử lý hồ sơ.",
            v.assignee
        )),
        _ => None,
    };
    let review = latest_review(&events, &files);
    // An action that is no longer possible still says why it failed.
    let conflict = conflict.or_else(|| {
        failure.map(|f| {
            let mut text: Vec<&str> = f.errors.all().iter().map(|e| e.message.as_str()).collect();
            if let Some(g) = f.errors.general() {
                text.push(g);
            }
            text.join(" ")
        })
    });
    let page = DossierPage {
        civil_form: civil
            .as_ref()
            .and_then(|c| crate::pages::intake_form::civil_form(c.registration)),
        civil,
        chrome: Chrome::for_user(s, ""),
        notice: notice_text(ok, &v),
        next_hint,
        waiting: waiting_for(Status::parse(&d.status), &v.assignee),
        review,
        primary,
        rare,
        rare_open,
        just_received: ok == Some("tiep-nhan"),
        receipt_printable,
        conflict,
        steps: steps
            .into_iter()
            .map(|x| StepView {
                late: x.status == "Quá hạn",
                name: x.name,
                role: x.role,
                handler: x.handler.unwrap_or_default(),
                allowed: x.allowed,
                due: datetime_vn(x.due_at),
                finished: when(x.finished_at),
                used: x.used.unwrap_or_default(),
                status: x.status,
            })
            .collect(),
        events: events
            .iter()
            .map(|e| EventView {
                at: datetime_vn(e.at),
                actor: person_with_title(&e.actor, e.actor_title.as_deref()),
                action: e.action_label.clone(),
                from: e
                    .from_status
                    .as_deref()
                    .map(status_label)
                    .unwrap_or_default(),
                to: status_label(&e.to_status),
                reason: e.reason.clone(),
                detail: event_detail(e),
            })
            .collect(),
        files: files
            .into_iter()
            .map(|f| FileView {
                kind: match f.kind.as_str() {
                    "result" => "Kết quả",
                    "working" => "Tài liệu thẩm định",
                    _ => "Thành phần hồ sơ",
                },
                stored: !f.sha256.is_empty(),
                size: if f.sha256.is_empty() {
                    "bản giấy".into()
                } else {
                    size_label(f.size)
                },
                signed: f
                    .signed_by
                    .as_ref()
                    .zip(f.signed_at)
                    .map(|(who, at)| format!("Đã ký số: {who}, {}", datetime_vn(at))),
                id: f.id,
                name: f.name,
            })
            .collect(),
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                at: datetime_vn(motcua_store::from_millis(m.created_at)),
                channel: message_channel(&m.channel),
                recipient: m.recipient,
                subject: m.subject,
                status: message_status(&m.status),
            })
            .collect(),
        prints,
        actions,
        specialists: specialists
            .into_iter()
            .map(|x| {
                let fits = x.sectors.contains(&d.sector);
                (x.username, x.full_name, fits)
            })
            .collect(),
        d: v,
    };
    Ok(render(status, &page))
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    dossier_page(&state, &s, &code, n.ok.as_deref(), n.loi.as_deref()).await
}
