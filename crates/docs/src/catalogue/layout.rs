//! The workbook's layout, shared by the writer and the reader: sheet names,
//! column headers, which columns hold codes and which hold words, and the
//! codes each column accepts.

use motcua_domain::calendar::TimeLimit;
use motcua_domain::procedure::{
    time_limit_label_vi, AgencyKind, DocumentKind, FeeRule, OnlineAvailability, PageTier,
    ReturnMethod, StepRole, StepShare,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub const SHEET_PROCEDURES: &str = "Thủ tục";
pub const SHEET_DOCUMENTS: &str = "Thành phần hồ sơ";
pub const SHEET_FEES: &str = "Lệ phí";
pub const SHEET_RESULTS: &str = "Kết quả";
pub const SHEET_STEPS: &str = "Quy trình";
pub const SHEET_LINKED: &str = "Liên thông";
pub const SHEET_GUIDE: &str = "Hướng dẫn";

// Column headers. Import finds columns by these texts.
pub(super) const H_CODE: &str = "Mã thủ tục";
pub(super) const H_POSITION: &str = "STT";

pub(super) const H_NAME: &str = "Tên thủ tục";
pub(super) const H_SECTOR: &str = "Lĩnh vực (mã)";
pub(super) const H_LEVEL: &str = "Cấp thực hiện (mã)";
pub(super) const H_STATUTORY: &str = "Thời hạn theo luật (mã)";
pub(super) const H_STATUTORY_VI: &str = "Thời hạn theo luật (diễn giải)";
pub(super) const H_COMMITTED: &str = "Thời hạn cam kết (mã)";
pub(super) const H_COMMITTED_VI: &str = "Thời hạn cam kết (diễn giải)";
pub(super) const H_VERIFICATION: &str = "Thời hạn khi xác minh (mã)";
pub(super) const H_VERIFICATION_VI: &str = "Thời hạn khi xác minh (diễn giải)";
pub(super) const H_LIMIT_NOTE: &str = "Ghi chú thời hạn";
pub(super) const H_ONLINE: &str = "Nộp trực tuyến (mã)";
pub(super) const H_ONLINE_VI: &str = "Nộp trực tuyến (diễn giải)";
pub(super) const H_RETURN: &str = "Cách trả kết quả (mã)";
pub(super) const H_RETURN_VI: &str = "Cách trả kết quả (diễn giải)";
pub(super) const H_LEGAL: &str = "Căn cứ pháp lý";
pub(super) const H_EFFECTIVE: &str = "Hiệu lực từ";
pub(super) const H_CIVIL: &str = "Ghi sổ hộ tịch (mã)";

/// Input columns added after workbooks were in use: a workbook without them still
/// imports (the cells read as empty).
pub(super) const OPTIONAL_INPUTS: &[&str] = &[H_CIVIL];

pub(super) const H_DOC_NAME: &str = "Tên giấy tờ";
pub(super) const H_DOC_KIND: &str = "Loại bản (mã)";
pub(super) const H_DOC_KIND_VI: &str = "Loại bản (diễn giải)";
pub(super) const H_DOC_COUNT: &str = "Số lượng";
pub(super) const H_FORM_NAME: &str = "Tên mẫu đơn";
pub(super) const H_FORM_URL: &str = "Đường dẫn mẫu đơn";
pub(super) const H_NOTE: &str = "Ghi chú";

pub(super) const H_FEE_NAME: &str = "Tên khoản phí";
pub(super) const H_RULE: &str = "Cách tính (mã)";
pub(super) const H_RULE_VI: &str = "Cách tính (diễn giải)";
pub(super) const H_AMOUNT: &str = "Số tiền";
pub(super) const H_TIERS: &str = "Mức theo trang";
pub(super) const H_CAP: &str = "Tối đa mỗi bản";
pub(super) const H_EXEMPTIONS: &str = "Đối tượng miễn (mã)";
pub(super) const H_EXEMPTIONS_VI: &str = "Đối tượng miễn (diễn giải)";

pub(super) const H_RESULT_NAME: &str = "Tên kết quả";
pub(super) const H_REGISTER: &str = "Vào sổ (có/không)";

pub(super) const H_STEP_NAME: &str = "Tên bước";
pub(super) const H_ROLE: &str = "Người thực hiện (mã)";
pub(super) const H_ROLE_VI: &str = "Người thực hiện (diễn giải)";
pub(super) const H_SHARE: &str = "Thời gian (mã)";
pub(super) const H_SHARE_VI: &str = "Thời gian (diễn giải)";

pub(super) const H_LINK_CODE: &str = "Mã thủ tục liên thông";
pub(super) const H_LINK_NAME: &str = "Tên thủ tục liên thông";
pub(super) const H_AGENCY: &str = "Cơ quan (mã)";
pub(super) const H_AGENCY_VI: &str = "Cơ quan (diễn giải)";

/// How a column is written and read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Read back on import.
    Input,
    /// Written for the reader, ignored on import.
    Words,
}

pub(super) struct Column {
    pub(super) header: &'static str,
    pub(super) width: f64,
    pub(super) role: Role,
    /// Cell format Text: what an officer types stays as typed (Excel would
    /// turn `2.000720` into the number 2.00072 and `01/07/2025` into a date).
    pub(super) text: bool,
    /// Codes offered in a drop-down list.
    pub(super) choices: Option<fn() -> Vec<String>>,
}

pub(super) const fn input(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width,
        role: Role::Input,
        text: false,
        choices: None,
    }
}

pub(super) const fn text_input(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width,
        role: Role::Input,
        text: true,
        choices: None,
    }
}

pub(super) const fn choice(
    header: &'static str,
    width: f64,
    choices: fn() -> Vec<String>,
) -> Column {
    Column {
        header,
        width,
        role: Role::Input,
        text: true,
        choices: Some(choices),
    }
}

pub(super) const fn words(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width,
        role: Role::Words,
        text: false,
        choices: None,
    }
}

pub(super) const PROCEDURE_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_NAME, 60.0),
    text_input(H_SECTOR, 16.0),
    text_input(H_LEVEL, 14.0),
    text_input(H_STATUTORY, 13.0),
    words(H_STATUTORY_VI, 20.0),
    text_input(H_COMMITTED, 13.0),
    words(H_COMMITTED_VI, 20.0),
    text_input(H_VERIFICATION, 13.0),
    words(H_VERIFICATION_VI, 20.0),
    input(H_LIMIT_NOTE, 50.0),
    choice(H_ONLINE, 13.0, online_codes),
    words(H_ONLINE_VI, 26.0),
    text_input(H_RETURN, 24.0),
    words(H_RETURN_VI, 50.0),
    input(H_LEGAL, 60.0),
    text_input(H_EFFECTIVE, 12.0),
    text_input(H_CIVIL, 18.0),
];

pub(super) const DOCUMENT_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_POSITION, 6.0),
    input(H_DOC_NAME, 60.0),
    choice(H_DOC_KIND, 16.0, document_kind_codes),
    words(H_DOC_KIND_VI, 30.0),
    input(H_DOC_COUNT, 9.0),
    input(H_FORM_NAME, 40.0),
    input(H_FORM_URL, 30.0),
    input(H_NOTE, 60.0),
];

pub(super) const FEE_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_POSITION, 6.0),
    input(H_FEE_NAME, 45.0),
    choice(H_RULE, 12.0, rule_codes),
    words(H_RULE_VI, 22.0),
    input(H_AMOUNT, 12.0),
    text_input(H_TIERS, 18.0),
    input(H_CAP, 14.0),
    text_input(H_EXEMPTIONS, 40.0),
    words(H_EXEMPTIONS_VI, 60.0),
    input(H_NOTE, 60.0),
];

pub(super) const RESULT_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_POSITION, 6.0),
    input(H_RESULT_NAME, 60.0),
    choice(H_REGISTER, 12.0, yes_no),
];

pub(super) const STEP_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_POSITION, 6.0),
    input(H_STEP_NAME, 50.0),
    choice(H_ROLE, 18.0, role_codes),
    words(H_ROLE_VI, 26.0),
    text_input(H_SHARE, 12.0),
    words(H_SHARE_VI, 24.0),
];

pub(super) const LINKED_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_POSITION, 6.0),
    text_input(H_LINK_CODE, 14.0),
    input(H_LINK_NAME, 45.0),
    choice(H_AGENCY, 18.0, agency_codes),
    words(H_AGENCY_VI, 24.0),
];

pub(super) const DOCUMENT_KINDS: [DocumentKind; 4] = [
    DocumentKind::Original,
    DocumentKind::CertifiedCopy,
    DocumentKind::Photocopy,
    DocumentKind::OriginalOrCertifiedCopy,
];
pub(super) const ONLINE: [OnlineAvailability; 3] = [
    OnlineAvailability::Full,
    OnlineAvailability::Partial,
    OnlineAvailability::None,
];
pub(super) const RETURN_METHODS: [ReturnMethod; 4] = [
    ReturnMethod::Counter,
    ReturnMethod::Post,
    ReturnMethod::Home,
    ReturnMethod::Online,
];
pub(super) const STEP_ROLES: [StepRole; 3] = [
    StepRole::CounterOfficer,
    StepRole::Specialist,
    StepRole::Leader,
];
pub(super) const AGENCY_KINDS: [AgencyKind; 6] = [
    AgencyKind::Police,
    AgencyKind::SocialInsurance,
    AgencyKind::Tax,
    AgencyKind::PeopleCommittee,
    AgencyKind::Health,
    AgencyKind::Other,
];
pub(super) const RULES: [(&str, &str); 5] = [
    ("free", "Miễn phí"),
    ("fixed", "Cố định mỗi hồ sơ"),
    ("per_page", "Theo số trang, mỗi bản"),
    ("per_case", "Theo mỗi trường hợp"),
    ("per_copy", "Theo mỗi bản"),
];
pub(super) const YES: &str = "có";
pub(super) const NO: &str = "không";

/// The serde name of an enum value: the code written in files.
pub(super) fn code_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An enum value from its code, as serde reads it.
pub(super) fn parse_code<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.trim().to_owned())).ok()
}

pub(super) fn codes<T: Serialize>(values: &[T]) -> Vec<String> {
    values.iter().map(code_of).collect()
}

pub(super) fn online_codes() -> Vec<String> {
    codes(&ONLINE)
}
pub(super) fn document_kind_codes() -> Vec<String> {
    codes(&DOCUMENT_KINDS)
}
pub(super) fn role_codes() -> Vec<String> {
    codes(&STEP_ROLES)
}
pub(super) fn agency_codes() -> Vec<String> {
    codes(&AGENCY_KINDS)
}
pub(super) fn rule_codes() -> Vec<String> {
    RULES.iter().map(|(code, _)| (*code).to_owned()).collect()
}
pub(super) fn yes_no() -> Vec<String> {
    vec![YES.to_owned(), NO.to_owned()]
}

pub(super) fn rule_code(rule: &FeeRule) -> &'static str {
    match rule {
        FeeRule::Free => "free",
        FeeRule::Fixed { .. } => "fixed",
        FeeRule::PerPage { .. } => "per_page",
        FeeRule::PerCase { .. } => "per_case",
        FeeRule::PerCopy { .. } => "per_copy",
    }
}

pub(super) fn rule_words(code: &str) -> &'static str {
    RULES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, words)| words)
}

pub(super) fn limit_words(limit: TimeLimit) -> String {
    capitalise(&time_limit_label_vi(limit))
}

pub(super) fn share_words(share: StepShare) -> String {
    match share {
        StepShare::Percent(p) => format!("{p}% thời hạn cam kết"),
        StepShare::WorkingHours(h) => format!("{h} giờ làm việc"),
    }
}

pub(super) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Page tiers as written in the sheet: `1:2000;3:1000`.
pub fn tiers_text(tiers: &[PageTier]) -> String {
    tiers
        .iter()
        .map(|t| format!("{}:{}", t.from_page, t.amount_per_page))
        .collect::<Vec<_>>()
        .join(";")
}

/// Integers beyond this lose digits as an Excel number (a double): the writer
/// writes them as text, the reader refuses numbers past it.
pub(super) const EXACT_IN_EXCEL: i64 = 1 << 53;
