//! The one-stop forms of Thông tư 03/2025/TT-VPCP (Phụ lục I), printed as
//! PDF:
//!
//! | form | paper | function |
//! |---|---|---|
//! | 01 | Giấy tiếp nhận hồ sơ và hẹn trả kết quả | [`receipt_pdf`] |
//! | 02 | Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ | [`supplement_pdf`] |
//! | 03 | Phiếu từ chối tiếp nhận, giải quyết hồ sơ | [`refusal_pdf`] |
//! | 04 | Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết | [`apology_pdf`] |
//! | 05 | Thông báo dừng giải quyết hồ sơ | [`stop_pdf`] |
//! | 06 | Phiếu kiểm soát quá trình giải quyết hồ sơ | [`control_sheet_pdf`] |
//!
//! Every form opens with the official header (the agency on the left, the
//! national motto and the place and date on the right) and carries the
//! dossier code under its title.
//!
//! Instants are stored in UTC and printed as the wall-clock time in Vietnam
//! ([`crate::format::vietnam_datetime`]), times as `09 giờ 15 phút, ngày
//! 22/11/2026`. Texts are trimmed and put in NFC here; everything reaches
//! the templates through `sys.inputs` and is printed literally, so a name
//! or a reason can hold any character.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use unicode_normalization::UnicodeNormalization;

use crate::format::{date_vn, place_date, time_date_vn, vietnam_datetime};
use crate::{qr_svg, DocsError, Document, PdfEngine};

/// Virtual path of the helpers shared by the forms, importable by their
/// templates as `#import "/motcua/forms.typ": *` (it imports
/// [`crate::LIB_PATH`] in turn).
pub const FORMS_LIB_PATH: &str = "/motcua/forms.typ";
/// Source of [`FORMS_LIB_PATH`].
pub const FORMS_LIB_TYP: &str = include_str!("../templates/forms/common.typ");
/// Template of form 01, the receipt; reads the QR code at `/qr.svg`.
pub const RECEIPT_TYP: &str = include_str!("../templates/forms/receipt.typ");
/// Template of form 02, the request to complete a dossier.
pub const SUPPLEMENT_TYP: &str = include_str!("../templates/forms/supplement.typ");
/// Template of form 03, the refusal.
pub const REFUSAL_TYP: &str = include_str!("../templates/forms/refusal.typ");
/// Template of form 04, the apology with a new appointment.
pub const APOLOGY_TYP: &str = include_str!("../templates/forms/apology.typ");
/// Template of form 05, the notice that handling stops.
pub const STOP_TYP: &str = include_str!("../templates/forms/stop.typ");
/// Template of form 06, the control sheet.
pub const CONTROL_SHEET_TYP: &str = include_str!("../templates/forms/control-sheet.typ");

/// Fixed virtual path of the QR code (see [`Document::files`]).
const QR_PATH: &str = "/qr.svg";

/// The agency that issues a form, as its header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAgency {
    /// The issuing agency, e.g. "UBND phường Phố Hiến". Printed in
    /// capitals in the header; a `\n` chooses where a long name breaks
    /// there (elsewhere it is a space).
    pub name: String,
    /// The superior agency, e.g. "UBND tỉnh Hưng Yên", printed above.
    pub parent_name: Option<String>,
    /// Place name of the date line: "Phố Hiến" gives "Phố Hiến, ngày 22
    /// tháng 11 năm 2026".
    pub place: String,
}

/// The person (or organisation) the dossier belongs to. A missing value
/// prints as a dotted line to be filled in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub full_name: String,
    /// Số định danh cá nhân (12 digits).
    pub personal_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// One line of the documents received, with the number of each kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedDocument {
    pub name: String,
    /// Bản chính.
    pub originals: u16,
    /// Bản sao có chứng thực.
    pub certified_copies: u16,
    /// Bản photo (bản chụp).
    pub photocopies: u16,
}

/// Form 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptForm {
    pub agency: FormAgency,
    /// The dossier code, e.g. "000.00.06.H56-261122-0007".
    pub code: String,
    /// The dossier's tracking address; the QR code holds exactly this text.
    pub tracking_url: String,
    pub applicant: Applicant,
    /// The procedure applied for, e.g. "Đăng ký khai sinh".
    pub request: String,
    pub documents: Vec<ReceivedDocument>,
    /// Number of sets (bộ) of the dossier.
    pub sets: u16,
    /// The statutory time limit in words, e.g. "03 ngày làm việc".
    pub time_limit: String,
    pub received_at: Timestamp,
    /// The appointment to return the result.
    pub due_at: Timestamp,
    /// How the result will be returned, e.g. "Nhận trực tiếp tại Bộ phận
    /// Một cửa".
    pub return_method: String,
    /// Fees, if any, e.g. "8.000 đ (đã nộp, biên lai số 0012)".
    pub fee: Option<String>,
    /// The officer who received the dossier.
    pub officer_name: String,
}

/// Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementForm {
    pub agency: FormAgency,
    pub code: String,
    pub applicant: Applicant,
    pub request: String,
    pub received_at: Timestamp,
    /// Everything that is missing or to be corrected, one item each (a
    /// dossier is sent back only once, so the list must be complete).
    pub missing: Vec<String>,
    pub reason: String,
    /// The officer who guides the applicant.
    pub officer_name: String,
    pub issued_at: Timestamp,
}

/// Form 03: Phiếu từ chối tiếp nhận, giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalForm {
    pub agency: FormAgency,
    pub code: String,
    pub applicant: Applicant,
    pub request: String,
    /// When the dossier was received or submitted; none when it was refused
    /// at the counter before being received.
    pub received_at: Option<Timestamp>,
    pub reason: String,
    pub officer_name: String,
    pub issued_at: Timestamp,
}

/// Form 04: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết, with
/// the new appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApologyForm {
    pub agency: FormAgency,
    pub code: String,
    pub applicant: Applicant,
    pub request: String,
    pub received_at: Timestamp,
    /// The appointment on the receipt.
    pub old_due_at: Timestamp,
    /// The new appointment.
    pub new_due_at: Timestamp,
    pub reason: String,
    /// The head of the agency who signs.
    pub signer_name: String,
    pub issued_at: Timestamp,
}

/// Form 05: Thông báo về việc dừng giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopForm {
    pub agency: FormAgency,
    pub code: String,
    pub applicant: Applicant,
    pub request: String,
    pub received_at: Timestamp,
    pub reason: String,
    pub signer_name: String,
    pub issued_at: Timestamp,
}

/// One step of the internal process on the control sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlStep {
    /// What is done, e.g. "Thẩm định hồ sơ".
    pub name: String,
    /// Who does it, e.g. "Công chức Tư pháp – Hộ tịch".
    pub role: String,
    /// The officer the dossier was handed to, when known.
    pub handler: Option<String>,
    /// The share of the time limit, e.g. "4 giờ làm việc".
    pub allowed: String,
    pub due_at: Timestamp,
    /// When the dossier was handed over for this step.
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// Time used, e.g. "2 giờ 30 phút".
    pub used: Option<String>,
    /// "Trước hạn", "Đúng hạn", "Quá hạn", "Đang xử lý" or "Chưa đến".
    pub status: String,
}

/// Form 06: Phiếu kiểm soát quá trình giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlSheetForm {
    pub agency: FormAgency,
    pub code: String,
    pub applicant: Applicant,
    pub request: String,
    pub received_at: Timestamp,
    pub due_at: Timestamp,
    pub steps: Vec<ControlStep>,
    pub printed_at: Timestamp,
}

/// Renders form 01, the receipt and appointment slip, with a QR code of
/// `form.tracking_url`: one A4 page for an ordinary dossier, flowing onto
/// more when the list of documents is long.
pub fn receipt_pdf(engine: &PdfEngine, form: &ReceiptForm) -> Result<Vec<u8>, DocsError> {
    render(
        engine,
        RECEIPT_TYP,
        receipt_inputs(form),
        Some(&form.tracking_url),
    )
}

/// Renders form 02, the request to complete a dossier.
pub fn supplement_pdf(engine: &PdfEngine, form: &SupplementForm) -> Result<Vec<u8>, DocsError> {
    render(engine, SUPPLEMENT_TYP, supplement_inputs(form), None)
}

/// Renders form 03, the refusal to receive or handle a dossier.
pub fn refusal_pdf(engine: &PdfEngine, form: &RefusalForm) -> Result<Vec<u8>, DocsError> {
    render(engine, REFUSAL_TYP, refusal_inputs(form), None)
}

/// Renders form 04, the apology with a new appointment.
pub fn apology_pdf(engine: &PdfEngine, form: &ApologyForm) -> Result<Vec<u8>, DocsError> {
    render(engine, APOLOGY_TYP, apology_inputs(form), None)
}

/// Renders form 05, the notice that handling of the dossier stops.
pub fn stop_pdf(engine: &PdfEngine, form: &StopForm) -> Result<Vec<u8>, DocsError> {
    render(engine, STOP_TYP, stop_inputs(form), None)
}

/// Renders form 06, the control sheet of the dossier's internal steps.
pub fn control_sheet_pdf(
    engine: &PdfEngine,
    form: &ControlSheetForm,
) -> Result<Vec<u8>, DocsError> {
    render(engine, CONTROL_SHEET_TYP, control_sheet_inputs(form), None)
}

fn render(
    engine: &PdfEngine,
    template: &str,
    inputs: Value,
    qr_text: Option<&str>,
) -> Result<Vec<u8>, DocsError> {
    let mut doc = Document::new(template)
        .with_file(FORMS_LIB_PATH, FORMS_LIB_TYP)
        .with_inputs(inputs);
    if let Some(text) = qr_text {
        doc = doc.with_file(QR_PATH, qr_svg(text)?);
    }
    engine.render(&doc)
}

fn receipt_inputs(f: &ReceiptForm) -> Value {
    let mut inputs = common_inputs(&f.agency, &f.code, &f.applicant, &f.request, f.received_at);
    let documents: Vec<Value> = f
        .documents
        .iter()
        .map(|d| {
            json!({
                "name": text(&d.name),
                "originals": count(d.originals),
                "certified": count(d.certified_copies),
                "photocopies": count(d.photocopies),
            })
        })
        .collect();
    extend(
        &mut inputs,
        json!({
            "documents": documents,
            "sets": format!("{:02} bộ", f.sets),
            "time_limit": text(&f.time_limit),
            "received_at": time_date(f.received_at),
            "due_at": time_date(f.due_at),
            "return_method": text(&f.return_method),
            "fee": optional(f.fee.as_deref()),
            "officer": one_line(&f.officer_name),
            "tracking_url": f.tracking_url,
            "lookup_url": lookup_url(&f.tracking_url, &f.code),
        }),
    );
    inputs
}

fn supplement_inputs(f: &SupplementForm) -> Value {
    let mut inputs = common_inputs(&f.agency, &f.code, &f.applicant, &f.request, f.received_at);
    extend(
        &mut inputs,
        json!({
            "place_date": place_date_of(&f.agency, f.issued_at),
            "missing": f.missing.iter().map(|m| text(m)).filter(|m| !m.is_empty()).collect::<Vec<_>>(),
            "reason": sentence(&f.reason),
            "officer": one_line(&f.officer_name),
        }),
    );
    inputs
}

fn refusal_inputs(f: &RefusalForm) -> Value {
    let received = f.received_at.unwrap_or(f.issued_at);
    let mut inputs = common_inputs(&f.agency, &f.code, &f.applicant, &f.request, received);
    extend(
        &mut inputs,
        json!({
            "place_date": place_date_of(&f.agency, f.issued_at),
            "received_at": f.received_at.map(time_date),
            "reason": sentence(&f.reason),
            "officer": one_line(&f.officer_name),
        }),
    );
    inputs
}

fn apology_inputs(f: &ApologyForm) -> Value {
    let mut inputs = common_inputs(&f.agency, &f.code, &f.applicant, &f.request, f.received_at);
    extend(
        &mut inputs,
        json!({
            "place_date": place_date_of(&f.agency, f.issued_at),
            "old_due_at": time_date(f.old_due_at),
            "new_due_at": time_date(f.new_due_at),
            "reason": sentence(&f.reason),
            "signer": one_line(&f.signer_name),
        }),
    );
    inputs
}

fn stop_inputs(f: &StopForm) -> Value {
    let mut inputs = common_inputs(&f.agency, &f.code, &f.applicant, &f.request, f.received_at);
    extend(
        &mut inputs,
        json!({
            "place_date": place_date_of(&f.agency, f.issued_at),
            "reason": sentence(&f.reason),
            "signer": one_line(&f.signer_name),
        }),
    );
    inputs
}

fn control_sheet_inputs(f: &ControlSheetForm) -> Value {
    let mut inputs = common_inputs(&f.agency, &f.code, &f.applicant, &f.request, f.received_at);
    let steps: Vec<Value> = f
        .steps
        .iter()
        .map(|s| {
            json!({
                "name": text(&s.name),
                "handler": optional(s.handler.as_deref()),
                "role": one_line(&s.role),
                "allowed": one_line(&s.allowed),
                "due": short_time(s.due_at),
                "started": s.started_at.map(short_time).unwrap_or_default(),
                "finished": s.finished_at.map(short_time).unwrap_or_default(),
                "used": optional(s.used.as_deref()).unwrap_or_default(),
                "status": one_line(&s.status),
            })
        })
        .collect();
    extend(
        &mut inputs,
        json!({
            "place_date": place_date_of(&f.agency, f.printed_at),
            "due_at": time_date(f.due_at),
            "steps": steps,
            "printed_at": time_date(f.printed_at),
        }),
    );
    inputs
}

/// What every form shows: header, code, applicant, request and when the
/// dossier was received. The place and date default to the day of receipt.
fn common_inputs(
    agency: &FormAgency,
    code: &str,
    applicant: &Applicant,
    request: &str,
    received_at: Timestamp,
) -> Value {
    let inline = one_line(&agency.name);
    json!({
        "agency": {
            "name": text(&agency.name),
            "parent": optional(agency.parent_name.as_deref()),
            "inline": inline,
        },
        "desk": format!("Bộ phận Một cửa {inline}"),
        "place_date": place_date_of(agency, received_at),
        "code": one_line(code),
        "applicant": {
            "name": one_line(&applicant.full_name),
            "personal_id": optional(applicant.personal_id.as_deref()),
            "phone": optional(applicant.phone.as_deref()),
            "email": optional(applicant.email.as_deref()),
            "address": optional(applicant.address.as_deref()),
        },
        "request": text(request),
        "received_at": time_date(received_at),
        "received_date": date_vn(vietnam_datetime(received_at).date()),
    })
}

/// Adds (or replaces) the keys of `more` in the object `inputs`.
fn extend(inputs: &mut Value, more: Value) {
    if let (Value::Object(target), Value::Object(source)) = (inputs, more) {
        target.extend(source);
    }
}

fn place_date_of(agency: &FormAgency, at: Timestamp) -> String {
    place_date(&one_line(&agency.place), vietnam_datetime(at).date())
}

/// `09 giờ 15 phút, ngày 22/11/2026` in Vietnam time.
fn time_date(at: Timestamp) -> String {
    time_date_vn(vietnam_datetime(at))
}

/// `09:15` above `22/11/2026`, for the narrow columns of the control sheet.
fn short_time(at: Timestamp) -> String {
    let at = vietnam_datetime(at);
    format!(
        "{:02}:{:02}\n{}",
        at.hour(),
        at.minute(),
        date_vn(at.date())
    )
}

/// A count in the table of documents; none is a dash.
fn count(n: u16) -> String {
    if n == 0 {
        "–".to_owned()
    } else {
        n.to_string()
    }
}

/// Trimmed and in NFC; line breaks inside are kept.
fn text(s: &str) -> String {
    s.trim().nfc().collect()
}

/// On one line: runs of white space (line breaks too) become one space.
fn one_line(s: &str) -> String {
    text(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value that may be absent; blank counts as absent.
fn optional(s: Option<&str>) -> Option<String> {
    s.map(one_line).filter(|s| !s.is_empty())
}

/// A reason as a sentence that ends with a full stop.
fn sentence(s: &str) -> String {
    let mut s = text(s);
    if !s.is_empty() && !s.ends_with(['.', '!', '?', '…']) {
        s.push('.');
    }
    s
}

/// Where a citizen types the dossier code: the tracking address without
/// the code when it ends with it (`https://x.vn/tra-cuu/CODE` →
/// `https://x.vn/tra-cuu`), else the address as given.
fn lookup_url(tracking_url: &str, code: &str) -> String {
    let url = tracking_url.trim();
    let code = code.trim();
    if code.is_empty() {
        return url.to_owned();
    }
    url.strip_suffix(code)
        .and_then(|base| base.strip_suffix('/'))
        .filter(|base| base.contains("://") && !base.ends_with('/'))
        .unwrap_or(url)
        .to_owned()
}

#[cfg(test)]
mod tests;
