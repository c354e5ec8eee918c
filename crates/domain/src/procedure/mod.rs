//! Administrative procedures (thủ tục hành chính): the catalogue a commune
//! publishes and works to.
//!
//! A [`Procedure`] is one version of a procedure, in the exact shape that the
//! catalogue export/import (JSON, XLSX) and the seed files use, so its field
//! names are part of the data format: rename nothing without a migration of
//! every exported file. It is a plain record on purpose: an imported catalogue
//! is read whole, then [`Procedure::validate`] reports every problem of every
//! field at once, in Vietnamese, instead of failing on the first one.

mod fee;
pub mod plain;
#[cfg(test)]
mod seed_tests;

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::agency::LevelCode;
use crate::calendar::TimeLimit;
use crate::limits;
use crate::text;
use crate::user::{Role, SectorCode};
use crate::validation::FieldError;

pub use fee::{
    event_day_field, event_day_label, proposed_exemption, Exemption, Fee, FeeInput, FeeRule,
    PageTier,
};

/// Length limits, generous for the longest names in the national database
/// (some certification procedures run to 250 characters) but short enough to
/// catch a pasted document.
const MAX_NAME: usize = 500;
const MAX_NOTE: usize = 2_000;
const MAX_LEGAL_BASIS: usize = 4_000;

/// A procedure as published by an agency, in one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// National procedure code, e.g. `1.001193`.
    pub code: String,
    pub name: String,
    /// Sector code, e.g. `ho-tich`.
    pub sector: String,
    /// Level of the agency that performs it: `commune`, `district`, `province`…
    pub level: String,
    /// The limit set by law.
    pub statutory_limit: TimeLimit,
    /// The limit the agency promises; never longer than the statutory one.
    pub committed_limit: TimeLimit,
    /// The whole limit (not the extra) when the law allows more time:
    /// verification, or for certification a large or complex request.
    #[serde(default)]
    pub verification_limit: Option<TimeLimit>,
    /// How the limits apply, in words for the citizen (the 15:00 cut-off, the
    /// cases that take longer).
    #[serde(default)]
    pub time_limit_note: Option<String>,
    pub documents: Vec<RequiredDocument>,
    /// At least one entry: a free procedure says so with [`FeeRule::Free`], so
    /// that a missing fee is never mistaken for "no fee".
    pub fees: Vec<Fee>,
    pub results: Vec<ResultKind>,
    /// The internal process (ISO 9001 style). May be empty for a procedure
    /// imported from the national database, which does not publish one.
    #[serde(default)]
    pub steps: Vec<ProcessStep>,
    pub online: OnlineAvailability,
    pub return_methods: Vec<ReturnMethod>,
    #[serde(default)]
    pub linked: Vec<LinkedProcedure>,
    pub legal_basis: String,
    /// The day this version takes effect.
    pub effective_from: Date,
    /// A civil-status procedure: what its approval writes in the registers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub civil_register: Option<CivilRegistration>,
}

/// What the approval of a civil-status dossier writes: a new entry of a register
/// (birth, death…, possibly a re-registration), or a dated note of change,
/// correction or supplement on an existing entry. Data of the catalogue, so that
/// a procedure added later maps to its register without a change of code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CivilRegistration {
    /// The register: birth, death, marriage, recognition, marital_status,
    /// guardianship (for a note, the kind of the entries it changes, if one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::civil::Kind>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub re_registration: bool,
    /// `entry` (default), `note`, `extract` or `termination`.
    #[serde(default)]
    pub writes: CivilWrite,
    /// A second register the same approval writes an entry in, from the same
    /// declared facts: birth combined with recognition of a parent (1.000689,
    /// Decree 123/2015/NĐ-CP art. 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also: Option<crate::civil::Kind>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CivilWrite {
    #[default]
    Entry,
    Note,
    /// A certified copy of an existing entry's extract (cấp bản sao trích lục):
    /// nothing is written in the register; the extract is the result.
    Extract,
    /// The end of a registered relation (chấm dứt giám hộ): a termination note
    /// on the named entry of `kind`, dated the day of approval.
    Termination,
}

impl CivilWrite {
    pub fn as_str(self) -> &'static str {
        match self {
            CivilWrite::Entry => "entry",
            CivilWrite::Note => "note",
            CivilWrite::Extract => "extract",
            CivilWrite::Termination => "termination",
        }
    }
}

impl CivilRegistration {
    /// One cell's worth, for the catalogue workbook: `birth`,
    /// `birth/re_registration`, `note`, `note/birth`, `extract`,
    /// `birth+recognition`.
    pub fn code(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match self.writes {
            CivilWrite::Entry => {}
            CivilWrite::Note => parts.push("note".into()),
            CivilWrite::Extract => parts.push("extract".into()),
            CivilWrite::Termination => parts.push("termination".into()),
        }
        match (self.kind, self.also) {
            (Some(k), Some(also)) => parts.push(format!("{}+{}", k.as_str(), also.as_str())),
            (Some(k), None) => parts.push(k.as_str().into()),
            _ => {}
        }
        if self.re_registration {
            parts.push("re_registration".into());
        }
        parts.join("/")
    }

    /// The inverse of [`CivilRegistration::code`]; none for anything else. An
    /// entry needs its register's kind.
    pub fn parse(code: &str) -> Option<CivilRegistration> {
        let mut r = CivilRegistration {
            kind: None,
            re_registration: false,
            writes: CivilWrite::Entry,
            also: None,
        };
        for part in code.split('/').map(str::trim) {
            match part {
                "note" => r.writes = CivilWrite::Note,
                "extract" => r.writes = CivilWrite::Extract,
                "termination" => r.writes = CivilWrite::Termination,
                "re_registration" => r.re_registration = true,
                other => match other.split_once('+') {
                    Some((kind, also)) => {
                        r.kind = Some(crate::civil::Kind::parse(kind.trim())?);
                        r.also = Some(crate::civil::Kind::parse(also.trim())?);
                    }
                    None => r.kind = Some(crate::civil::Kind::parse(other)?),
                },
            }
        }
        (r.writes != CivilWrite::Entry || r.kind.is_some()).then_some(r)
    }
}

/// A document of the dossier (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredDocument {
    pub name: String,
    pub kind: DocumentKind,
    pub count: u16,
    #[serde(default)]
    pub form_name: Option<String>,
    #[serde(default)]
    pub form_url: Option<String>,
    /// When it is needed, what may replace it.
    #[serde(default)]
    pub note: Option<String>,
}

impl RequiredDocument {
    /// Needed only in a case its note states ("Chỉ nộp khi …"): not part of every
    /// dossier, so never presumed missing.
    pub fn is_conditional(&self) -> bool {
        self.note
            .as_deref()
            .is_some_and(|n| n.trim_start().starts_with("Chỉ nộp khi"))
    }

    /// An authorisation: needed when someone files for the applicant.
    pub fn is_for_representative(&self) -> bool {
        self.is_conditional() && self.note.as_deref().is_some_and(|n| n.contains("ủy quyền"))
    }

    /// Expected in this dossier: always, or, for an authorisation, when a
    /// representative is named.
    pub fn expected(&self, representative: bool) -> bool {
        !self.is_conditional() || (representative && self.is_for_representative())
    }
}

#[cfg(test)]
mod required_document_tests {
    use super::*;

    fn doc(note: Option<&str>) -> RequiredDocument {
        RequiredDocument {
            name: "x".into(),
            kind: DocumentKind::Original,
            count: 1,
            form_name: None,
            form_url: None,
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn conditional_documents_are_expected_only_in_their_case() {
        let always = doc(Some(
            "Không có Giấy chứng sinh thì nộp văn bản của người làm chứng",
        ));
        let proxy = doc(Some("Chỉ nộp khi ủy quyền cho người khác nộp hồ sơ"));
        let other = doc(Some(
            "Chỉ nộp khi thông tin này chưa có trong cơ sở dữ liệu",
        ));
        assert!(always.expected(false) && always.expected(true));
        assert!(!proxy.expected(false) && proxy.expected(true));
        assert!(!other.expected(false) && !other.expected(true));
        assert!(doc(None).expected(false));
    }
}

/// In what form a document is submitted; the receipt counts each form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Original,
    CertifiedCopy,
    Photocopy,
    OriginalOrCertifiedCopy,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Original => "original",
            DocumentKind::CertifiedCopy => "certified_copy",
            DocumentKind::Photocopy => "photocopy",
            DocumentKind::OriginalOrCertifiedCopy => "original_or_certified_copy",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            DocumentKind::Original => "Bản chính",
            DocumentKind::CertifiedCopy => "Bản sao có chứng thực",
            DocumentKind::Photocopy => "Bản chụp",
            DocumentKind::OriginalOrCertifiedCopy => "Bản chính hoặc bản sao có chứng thực",
        }
    }
}

/// A result the procedure produces; one dossier may produce several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultKind {
    pub name: String,
    /// Whether issuing it writes an entry in a register (civil status,
    /// certification book), which then needs a book and an entry number.
    pub register_entry: bool,
}

/// A step of the internal process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessStep {
    pub name: String,
    pub role: StepRole,
    pub share: StepShare,
}

/// Who performs a step. Only the roles that handle dossiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepRole {
    CounterOfficer,
    Specialist,
    Leader,
}

impl StepRole {
    pub fn role(self) -> Role {
        match self {
            StepRole::CounterOfficer => Role::CounterOfficer,
            StepRole::Specialist => Role::Specialist,
            StepRole::Leader => Role::Leader,
        }
    }

    pub fn label_vi(self) -> &'static str {
        self.role().label_vi()
    }
}

/// A step's share of the committed limit: a percentage ("25%") or working
/// hours ("4wh"), as ISO process sheets write them. Hours count a working day
/// as 8 hours, the normal working day of the Labour Code 2019 art. 105.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum StepShare {
    Percent(u8),
    WorkingHours(u16),
}

/// Why a step share is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "malformed step share {0:?}: expected a percentage such as 25% or working hours such as 4wh"
)]
pub struct StepShareError(pub String);

impl StepShareError {
    pub fn message_vi(&self) -> String {
        format!(
            "Tỷ lệ thời gian «{}» không hợp lệ. Ghi theo phần trăm từ 1% đến 100% (ví dụ 25%) hoặc số giờ làm việc (ví dụ 4wh).",
            self.0
        )
    }
}

impl fmt::Display for StepShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepShare::Percent(p) => write!(f, "{p}%"),
            StepShare::WorkingHours(h) => write!(f, "{h}wh"),
        }
    }
}

impl FromStr for StepShare {
    type Err = StepShareError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let bad = || StepShareError(s.to_string());
        let (digits, percent) = if let Some(d) = text.strip_suffix('%') {
            (d.trim_end(), true)
        } else if let Some(d) = text.strip_suffix("wh") {
            (d, false)
        } else {
            return Err(bad());
        };
        // Plain ASCII digits only: `parse` would accept a sign.
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: u16 = digits.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        if percent {
            match u8::try_from(n) {
                Ok(p) if p <= 100 => Ok(StepShare::Percent(p)),
                _ => Err(bad()),
            }
        } else {
            Ok(StepShare::WorkingHours(n))
        }
    }
}

impl TryFrom<String> for StepShare {
    type Error = StepShareError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<StepShare> for String {
    fn from(value: StepShare) -> Self {
        value.to_string()
    }
}

/// Whether the procedure can be filed online (dịch vụ công trực tuyến).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineAvailability {
    /// Filed, processed and returned online (toàn trình).
    Full,
    /// Filed online, but the applicant must come in for part of it (một phần).
    Partial,
    None,
}

impl OnlineAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineAvailability::Full => "full",
            OnlineAvailability::Partial => "partial",
            OnlineAvailability::None => "none",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            OnlineAvailability::Full => "Trực tuyến toàn trình",
            OnlineAvailability::Partial => "Trực tuyến một phần",
            OnlineAvailability::None => "Không cung cấp trực tuyến",
        }
    }
}

/// How a result can come back to the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethod {
    Counter,
    Post,
    Home,
    Online,
}

impl ReturnMethod {
    pub const ALL: [ReturnMethod; 4] = [
        ReturnMethod::Counter,
        ReturnMethod::Post,
        ReturnMethod::Home,
        ReturnMethod::Online,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReturnMethod::Counter => "counter",
            ReturnMethod::Post => "post",
            ReturnMethod::Home => "home",
            ReturnMethod::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<ReturnMethod> {
        Self::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ReturnMethod::Counter => "Trực tiếp tại Bộ phận một cửa",
            ReturnMethod::Post => "Qua dịch vụ bưu chính",
            ReturnMethod::Home => "Tại nhà",
            ReturnMethod::Online => "Trực tuyến",
        }
    }
}

/// Another agency's procedure that this one can trigger (liên thông).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkedProcedure {
    pub code: String,
    pub name: String,
    pub agency_kind: AgencyKind,
}

/// The kind of agency that performs a linked procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    Police,
    SocialInsurance,
    Tax,
    /// A people's committee, including the commune itself for a procedure of
    /// another sector (death registration → funeral support).
    PeopleCommittee,
    Health,
    Other,
}

impl AgencyKind {
    pub fn label_vi(self) -> &'static str {
        match self {
            AgencyKind::Police => "Công an",
            AgencyKind::SocialInsurance => "Bảo hiểm xã hội",
            AgencyKind::Tax => "Cơ quan thuế",
            AgencyKind::PeopleCommittee => "Ủy ban nhân dân",
            AgencyKind::Health => "Cơ quan y tế",
            AgencyKind::Other => "Cơ quan khác",
        }
    }
}

/// A national procedure code, e.g. `1.001193`: digits and dots, 3–20
/// characters. Checked loosely on purpose: provinces also publish their own
/// codes, and the national format has changed before.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureCode(String);

impl ProcedureCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::parse_field(input, "code")
    }

    fn parse_field(input: &str, field: &str) -> Result<Self, FieldError> {
        let code = input.trim();
        let ok = (3..=20).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && code.contains('.')
            && !code.starts_with('.')
            && !code.ends_with('.')
            && !code.contains("..");
        if !ok {
            return Err(FieldError::new(
                field,
                format!(
                    "Mã thủ tục «{code}» không hợp lệ: chỉ gồm chữ số và dấu chấm, dài 3–20 ký tự, ví dụ 1.001193."
                ),
            ));
        }
        Ok(Self(code.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProcedureCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ProcedureCode> for String {
    fn from(c: ProcedureCode) -> Self {
        c.0
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A limit in working hours, to compare limits of different units: a same-day
/// limit is at most one working day. Calendar days hold a number of working days
/// that depends on the weekday of receipt, so they have a shortest and a longest
/// reading (in an ordinary week: 15 days always hold 11 working days, 30 days 21
/// or 22); the other kinds have one.
fn hours_bounds(limit: TimeLimit) -> (u64, u64) {
    let one = |h: u64| (h, h);
    match limit {
        TimeLimit::Immediate => one(0),
        TimeLimit::SameDay => one(HOURS_PER_DAY),
        TimeLimit::WorkingHours(h) => one(u64::from(h)),
        TimeLimit::WorkingDays(d) => one(u64::from(d) * HOURS_PER_DAY),
        TimeLimit::CalendarDays(d) => {
            let (fewest, most) = working_days_in(d);
            (
                u64::from(fewest) * HOURS_PER_DAY,
                u64::from(most) * HOURS_PER_DAY,
            )
        }
    }
}

/// Whether `a` surely ends no later than `b`. Two calendar-day limits compare by
/// their days; otherwise `a` at its longest must fit in `b` at its shortest, so
/// that a unit may commit "11 ngày làm việc" against a statutory "15 ngày" but
/// not "15 ngày làm việc", which would run past it.
fn never_longer(a: TimeLimit, b: TimeLimit) -> bool {
    match (a, b) {
        (TimeLimit::CalendarDays(x), TimeLimit::CalendarDays(y)) => x <= y,
        _ => hours_bounds(a).1 <= hours_bounds(b).0,
    }
}

/// The fewest and the most working days that `days` calendar days hold in a
/// week of five working days without holidays, over every weekday of receipt,
/// counting the working day that a period ending on a weekend is carried to
/// (Bộ luật Dân sự 2015 art. 148).
fn working_days_in(days: u16) -> (u16, u16) {
    let is_weekend = |weekday: u32| weekday % 7 >= 5;
    let counts = (0..7u32).map(|first| {
        let worked = (0..u32::from(days))
            .filter(|k| !is_weekend(first + k))
            .count();
        let carried = usize::from(days > 0 && is_weekend(first + u32::from(days) - 1));
        u16::try_from(worked + carried).unwrap_or(u16::MAX)
    });
    counts.fold((u16::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)))
}

const HOURS_PER_DAY: u64 = 8;

/// Vietnamese wording of a limit, for messages.
pub fn time_limit_label_vi(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::Immediate => "trả ngay".to_string(),
        TimeLimit::SameDay => "trong ngày".to_string(),
        TimeLimit::WorkingDays(d) => format!("{d} ngày làm việc"),
        TimeLimit::WorkingHours(h) => format!("{h} giờ làm việc"),
        TimeLimit::CalendarDays(d) => format!("{d} ngày"),
    }
}

impl Procedure {
    /// Every problem of the procedure, each naming its field, in Vietnamese.
    /// Empty when the procedure may be published.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut push =
            |field: String, message: String| errors.push(FieldError::new(field, message));

        if let Err(e) = ProcedureCode::parse(&self.code) {
            push(e.field, e.message);
        }
        check_text(&mut push, "name", "Tên thủ tục", &self.name, MAX_NAME);
        if SectorCode::parse(&self.sector).is_err() {
            push(
                "sector".into(),
                format!("Mã lĩnh vực «{}» không hợp lệ.", self.sector.trim()),
            );
        }
        if LevelCode::parse(&self.level).is_err() {
            push(
                "level".into(),
                format!(
                    "Cấp thực hiện «{}» không hợp lệ (ví dụ commune, district, province).",
                    self.level.trim()
                ),
            );
        }

        self.validate_limits(&mut push);
        self.validate_counts(&mut push);
        // An approval writes an entry into the register of its kind: without
        // one it would have nowhere to write.
        if let Some(reg) = self.civil_register {
            if reg.writes == CivilWrite::Entry && reg.kind.is_none() {
                push(
                    "civil_register".into(),
                    "Thủ tục đăng ký hộ tịch phải ghi rõ loại sổ (khai sinh, khai tử, kết hôn…)."
                        .into(),
                );
            }
            if reg.writes == CivilWrite::Termination
                && reg
                    .kind
                    .and_then(crate::civil::Kind::ending_field)
                    .is_none()
            {
                push(
                    "civil_register".into(),
                    "Thủ tục chấm dứt phải ghi loại sổ có ghi việc chấm dứt (giám hộ).".into(),
                );
            }
            if reg.also.is_some() && (reg.writes != CivilWrite::Entry || reg.also == reg.kind) {
                push(
                    "civil_register".into(),
                    "Sổ ghi kèm phải là một sổ khác, khi thủ tục ghi một mục đăng ký mới.".into(),
                );
            }
        }

        if self.documents.is_empty() {
            push(
                "documents".into(),
                "Cần ít nhất một thành phần hồ sơ.".into(),
            );
        }
        for (i, doc) in self.documents.iter().enumerate() {
            let at = |f: &str| format!("documents[{i}].{f}");
            check_text(&mut push, &at("name"), "Tên giấy tờ", &doc.name, MAX_NAME);
            if doc.count == 0 {
                push(at("count"), "Số lượng giấy tờ phải lớn hơn 0.".into());
            }
            if let Some(form) = &doc.form_name {
                check_text(&mut push, &at("form_name"), "Tên mẫu đơn", form, MAX_NAME);
            }
            if let Some(url) = &doc.form_url {
                let url = url.trim();
                if !(url.starts_with("https://") || url.starts_with("http://"))
                    || url.chars().any(char::is_whitespace)
                {
                    push(
                        at("form_url"),
                        "Đường dẫn mẫu đơn phải bắt đầu bằng https:// hoặc http:// và không có dấu cách.".into(),
                    );
                }
            }
            check_optional_note(&mut push, &at("note"), doc.note.as_deref());
        }

        if self.fees.is_empty() {
            push(
                "fees".into(),
                "Cần ghi ít nhất một khoản phí, lệ phí; thủ tục không thu phí thì ghi «miễn phí» (free).".into(),
            );
        }
        for (i, fee) in self.fees.iter().enumerate() {
            validate_fee(&mut push, i, fee);
        }

        if self.results.is_empty() {
            push(
                "results".into(),
                "Cần ít nhất một kết quả giải quyết.".into(),
            );
        }
        for (i, result) in self.results.iter().enumerate() {
            check_text(
                &mut push,
                &format!("results[{i}].name"),
                "Tên kết quả",
                &result.name,
                MAX_NAME,
            );
        }

        self.validate_steps(&mut push);

        if self.return_methods.is_empty() {
            push(
                "return_methods".into(),
                "Chọn ít nhất một cách trả kết quả.".into(),
            );
        }
        if has_duplicates(&self.return_methods) {
            push(
                "return_methods".into(),
                "Một cách trả kết quả được ghi hai lần.".into(),
            );
        }

        for (i, link) in self.linked.iter().enumerate() {
            let field = format!("linked[{i}].code");
            match ProcedureCode::parse_field(&link.code, &field) {
                Err(e) => push(e.field, e.message),
                Ok(code) if code.as_str() == self.code.trim() => push(
                    field,
                    "Thủ tục liên thông không thể là chính thủ tục này.".into(),
                ),
                Ok(_) => {}
            }
            check_text(
                &mut push,
                &format!("linked[{i}].name"),
                "Tên thủ tục liên thông",
                &link.name,
                MAX_NAME,
            );
        }
        let mut codes: Vec<&str> = self.linked.iter().map(|l| l.code.trim()).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            push(
                "linked".into(),
                "Một thủ tục liên thông được ghi hai lần.".into(),
            );
        }

        check_text(
            &mut push,
            "legal_basis",
            "Căn cứ pháp lý",
            &self.legal_basis,
            MAX_LEGAL_BASIS,
        );
        errors
    }

    /// Every list is bounded, so that a hostile or mistaken edit cannot make
    /// each intake form, poster and receipt of the procedure heavy.
    fn validate_counts(&self, push: &mut impl FnMut(String, String)) {
        for (field, label, count, max) in [
            (
                "documents",
                "thành phần hồ sơ",
                self.documents.len(),
                limits::PROCEDURE_DOCUMENTS,
            ),
            (
                "fees",
                "khoản phí, lệ phí",
                self.fees.len(),
                limits::PROCEDURE_FEES,
            ),
            (
                "results",
                "kết quả",
                self.results.len(),
                limits::PROCEDURE_RESULTS,
            ),
            (
                "steps",
                "bước xử lý",
                self.steps.len(),
                limits::PROCEDURE_STEPS,
            ),
            (
                "linked",
                "thủ tục liên thông",
                self.linked.len(),
                limits::LINKED_PROCEDURES,
            ),
        ] {
            if count > max {
                push(
                    field.into(),
                    format!("Một thủ tục có tối đa {max} {label}; đang có {count}."),
                );
            }
        }
    }

    fn validate_limits(&self, push: &mut impl FnMut(String, String)) {
        for (field, limit) in [
            ("statutory_limit", Some(self.statutory_limit)),
            ("committed_limit", Some(self.committed_limit)),
            ("verification_limit", self.verification_limit),
        ] {
            if let Some(Err(e)) = limit.map(TimeLimit::validate) {
                push(field.into(), e.message_vi());
            }
        }
        if !never_longer(self.committed_limit, self.statutory_limit) {
            push(
                "committed_limit".into(),
                format!(
                    "Thời hạn cam kết ({}) không được dài hơn thời hạn theo quy định ({}).",
                    time_limit_label_vi(self.committed_limit),
                    time_limit_label_vi(self.statutory_limit)
                ),
            );
        }
        if let Some(longer) = self.verification_limit {
            if never_longer(longer, self.statutory_limit) {
                push(
                    "verification_limit".into(),
                    format!(
                        "Thời hạn khi cần xác minh ({}) phải dài hơn thời hạn theo quy định ({}).",
                        time_limit_label_vi(longer),
                        time_limit_label_vi(self.statutory_limit)
                    ),
                );
            }
        }
        check_optional_note(push, "time_limit_note", self.time_limit_note.as_deref());
    }

    fn validate_steps(&self, push: &mut impl FnMut(String, String)) {
        for (i, step) in self.steps.iter().enumerate() {
            check_text(
                push,
                &format!("steps[{i}].name"),
                "Tên bước",
                &step.name,
                MAX_NAME,
            );
        }
        if self.steps.is_empty() {
            return;
        }
        // Hours are measured against the committed limit, which is what the
        // officers work to; for calendar days, its shortest reading.
        let budget = hours_bounds(self.committed_limit).0;
        let mut percent: u64 = 0;
        let mut hours: u64 = 0;
        for step in &self.steps {
            match step.share {
                StepShare::Percent(p) => percent += u64::from(p),
                StepShare::WorkingHours(h) => hours += u64::from(h),
            }
        }
        if budget == 0 && hours > 0 {
            push(
                "steps".into(),
                "Thủ tục trả ngay không thể chia thời gian theo giờ làm việc; hãy ghi theo phần trăm.".into(),
            );
            return;
        }
        // Sum of the shares as a fraction of the budget, compared in integers:
        // percent/100 + hours/budget = 1  ⇔  percent·budget + hours·100 = 100·budget.
        let (total, whole) = if budget == 0 {
            (percent, 100)
        } else {
            (percent * budget + hours * 100, 100 * budget)
        };
        if total != whole {
            let share = if budget == 0 {
                percent as f64
            } else {
                total as f64 / budget as f64
            };
            push(
                "steps".into(),
                format!(
                    "Tổng thời gian các bước phải bằng 100% thời hạn cam kết ({}); hiện là {}%.",
                    time_limit_label_vi(self.committed_limit),
                    format_percent(share)
                ),
            );
        }
    }

    /// Text as stored: NFC, trimmed, inner white space collapsed; codes trimmed.
    /// Import calls this before validating, so that text pasted from Word or
    /// typed in combining Unicode is stored in one form.
    pub fn normalize(&mut self) {
        fn opt(s: &mut Option<String>) {
            if let Some(v) = s {
                let cleaned = text::clean(v);
                *s = (!cleaned.is_empty()).then_some(cleaned);
            }
        }
        self.code = self.code.trim().to_string();
        self.name = text::clean(&self.name);
        self.sector = self.sector.trim().to_ascii_lowercase();
        self.level = self.level.trim().to_ascii_lowercase();
        opt(&mut self.time_limit_note);
        for doc in &mut self.documents {
            doc.name = text::clean(&doc.name);
            opt(&mut doc.form_name);
            if let Some(url) = &mut doc.form_url {
                *url = url.trim().to_string();
            }
            if doc.form_url.as_deref() == Some("") {
                doc.form_url = None;
            }
            opt(&mut doc.note);
        }
        for fee in &mut self.fees {
            fee.name = text::clean(&fee.name);
            opt(&mut fee.note);
        }
        for result in &mut self.results {
            result.name = text::clean(&result.name);
        }
        for step in &mut self.steps {
            step.name = text::clean(&step.name);
        }
        for link in &mut self.linked {
            link.code = link.code.trim().to_string();
            link.name = text::clean(&link.name);
        }
        self.legal_basis = text::clean(&self.legal_basis);
    }

    /// The search key of the procedure's name (see [`text::fold`]).
    pub fn search_key(&self) -> String {
        text::fold(&format!("{} {}", self.code, self.name))
    }
}

fn validate_fee(push: &mut impl FnMut(String, String), i: usize, fee: &Fee) {
    let at = |f: &str| format!("fees[{i}].{f}");
    check_text(push, &at("name"), "Tên khoản phí", &fee.name, MAX_NAME);
    let negative = || "Số tiền không được âm.".to_string();
    let too_large = || {
        format!(
            "Số tiền không được vượt quá {}.",
            crate::text::money(limits::FEE_AMOUNT)
        )
    };
    match &fee.rule {
        FeeRule::Free => {}
        FeeRule::Fixed { amount } | FeeRule::PerCase { amount } | FeeRule::PerCopy { amount } => {
            if *amount < 0 {
                push(at("rule.amount"), negative());
            } else if *amount > limits::FEE_AMOUNT {
                push(at("rule.amount"), too_large());
            }
        }
        FeeRule::PerPage {
            tiers,
            cap_per_copy,
        } => {
            match tiers.first() {
                None => push(
                    at("rule.tiers"),
                    "Phí theo trang cần ít nhất một mức.".into(),
                ),
                Some(first) if first.from_page != 1 => push(
                    at("rule.tiers"),
                    "Mức phí đầu tiên phải áp dụng từ trang 1.".into(),
                ),
                Some(_) => {}
            }
            if tiers.windows(2).any(|w| w[1].from_page <= w[0].from_page) {
                push(
                    at("rule.tiers"),
                    "Các mức phí theo trang phải xếp theo số trang tăng dần, không trùng nhau."
                        .into(),
                );
            }
            if tiers.len() > limits::FEE_TIERS {
                push(
                    at("rule.tiers"),
                    format!(
                        "Phí theo trang có tối đa {} mức; đang có {}.",
                        limits::FEE_TIERS,
                        tiers.len()
                    ),
                );
            }
            if tiers.iter().any(|t| t.amount_per_page < 0) {
                push(at("rule.tiers"), negative());
            }
            if tiers.iter().any(|t| t.amount_per_page > limits::FEE_AMOUNT) {
                push(at("rule.tiers"), too_large());
            }
            if let Some(cap) = cap_per_copy {
                if *cap > limits::FEE_AMOUNT {
                    push(at("rule.cap_per_copy"), too_large());
                }
                if *cap <= 0 {
                    push(
                        at("rule.cap_per_copy"),
                        "Mức thu tối đa mỗi bản phải lớn hơn 0.".into(),
                    );
                }
            }
        }
    }
    if has_duplicates(&fee.exemptions) {
        push(
            at("exemptions"),
            "Một đối tượng miễn được ghi hai lần.".into(),
        );
    }
    check_optional_note(push, &at("note"), fee.note.as_deref());
}

fn check_text(
    push: &mut impl FnMut(String, String),
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) {
    let cleaned = text::clean(value);
    if cleaned.is_empty() {
        push(field.into(), format!("{label} không được để trống."));
    } else if text::char_len(&cleaned) > max {
        push(field.into(), format!("{label} dài quá {max} ký tự."));
    }
}

fn check_optional_note(push: &mut impl FnMut(String, String), field: &str, note: Option<&str>) {
    if let Some(note) = note {
        if text::char_len(note.trim()) > MAX_NOTE {
            push(field.into(), format!("Ghi chú dài quá {MAX_NOTE} ký tự."));
        }
    }
}

fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, a)| items[..i].contains(a))
}

/// A percentage with at most one decimal, Vietnamese style ("87,5").
fn format_percent(value: f64) -> String {
    let tenths = (value * 10.0).round() as i64;
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{},{}", tenths / 10, (tenths % 10).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, role: StepRole, share: &str) -> ProcessStep {
        ProcessStep {
            name: name.into(),
            role,
            share: share.parse().expect("valid share"),
        }
    }

    /// A minimal valid procedure: marital-status confirmation, 3 → 1 day.
    fn sample() -> Procedure {
        Procedure {
            code: "1.004873".into(),
            name: "Cấp Giấy xác nhận tình trạng hôn nhân".into(),
            sector: "ho-tich".into(),
            level: "commune".into(),
            statutory_limit: TimeLimit::WorkingDays(3),
            committed_limit: TimeLimit::WorkingDays(1),
            verification_limit: Some(TimeLimit::WorkingDays(6)),
            time_limit_note: None,
            documents: vec![RequiredDocument {
                name: "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân".into(),
                kind: DocumentKind::Original,
                count: 1,
                form_name: Some("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân".into()),
                form_url: None,
                note: None,
            }],
            fees: vec![Fee {
                name: "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân".into(),
                rule: FeeRule::Fixed { amount: 10_000 },
                exemptions: vec![Exemption::PoorHousehold],
                note: None,
            }],
            results: vec![ResultKind {
                name: "Giấy xác nhận tình trạng hôn nhân".into(),
                register_entry: true,
            }],
            steps: vec![
                step("Tiếp nhận hồ sơ", StepRole::CounterOfficer, "1wh"),
                step("Xử lý hồ sơ", StepRole::Specialist, "5wh"),
                step("Ký duyệt", StepRole::Leader, "12%"),
                step("Trả kết quả", StepRole::CounterOfficer, "13%"),
            ],
            online: OnlineAvailability::Full,
            return_methods: vec![ReturnMethod::Counter, ReturnMethod::Online],
            linked: vec![],
            legal_basis: "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP".into(),
            effective_from: jiff::civil::date(2025, 7, 1),
            civil_register: None,
        }
    }

    fn fields(p: &Procedure) -> Vec<String> {
        p.validate().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_valid_procedure_has_no_errors() {
        assert_eq!(sample().validate(), vec![]);
    }

    #[test]
    fn a_civil_registration_names_its_register() {
        let mut p = sample();
        p.civil_register = Some(CivilRegistration {
            kind: None,
            re_registration: false,
            writes: CivilWrite::Entry,
            also: None,
        });
        let errors = p.validate();
        assert_eq!(fields(&p), ["civil_register"]);
        assert!(
            errors[0].message.contains("loại sổ"),
            "{}",
            errors[0].message
        );
        // A note may leave the kind open; an entry with its kind is valid.
        p.civil_register = Some(CivilRegistration {
            kind: None,
            re_registration: false,
            writes: CivilWrite::Note,
            also: None,
        });
        assert_eq!(p.validate(), vec![]);
        p.civil_register = Some(CivilRegistration {
            kind: Some(crate::civil::Kind::Birth),
            re_registration: true,
            writes: CivilWrite::Entry,
            also: None,
        });
        assert_eq!(p.validate(), vec![]);
        // A second register must be another one.
        p.civil_register = Some(CivilRegistration {
            kind: Some(crate::civil::Kind::Birth),
            re_registration: false,
            writes: CivilWrite::Entry,
            also: Some(crate::civil::Kind::Birth),
        });
        assert_eq!(fields(&p), ["civil_register"]);
        p.civil_register = p.civil_register.map(|r| CivilRegistration {
            also: Some(crate::civil::Kind::Recognition),
            ..r
        });
        assert_eq!(p.validate(), vec![]);
        // An extract copies an entry of any register.
        p.civil_register = Some(CivilRegistration {
            kind: None,
            re_registration: false,
            writes: CivilWrite::Extract,
            also: None,
        });
        assert_eq!(p.validate(), vec![]);
    }

    #[test]
    fn a_civil_registration_reads_back_from_its_code() {
        for code in [
            "birth",
            "death/re_registration",
            "note",
            "note/birth",
            "extract",
            "birth+recognition",
            "termination/guardianship",
        ] {
            let r = CivilRegistration::parse(code).expect(code);
            assert_eq!(r.code(), code);
        }
        assert_eq!(
            CivilRegistration::parse("extract").map(|r| r.writes),
            Some(CivilWrite::Extract)
        );
        assert_eq!(
            CivilRegistration::parse("birth+recognition").and_then(|r| r.also),
            Some(crate::civil::Kind::Recognition)
        );
        assert_eq!(CivilRegistration::parse("birth+cat"), None);
        assert_eq!(CivilRegistration::parse("re_registration"), None);
        assert_eq!(CivilRegistration::parse("copy"), None);
    }

    #[test]
    fn every_list_and_amount_is_bounded() {
        let mut p = sample();
        p.documents = vec![p.documents[0].clone(); limits::PROCEDURE_DOCUMENTS + 1];
        p.fees = vec![p.fees[0].clone(); limits::PROCEDURE_FEES + 1];
        p.results = vec![p.results[0].clone(); limits::PROCEDURE_RESULTS + 1];
        p.linked = (0..=limits::LINKED_PROCEDURES)
            .map(|i| LinkedProcedure {
                code: format!("9.{i:06}"),
                name: "Thủ tục liên thông".into(),
                agency_kind: AgencyKind::Police,
            })
            .collect();
        p.fees[0].rule = FeeRule::Fixed {
            amount: limits::FEE_AMOUNT + 1,
        };
        p.fees[1].rule = FeeRule::PerPage {
            tiers: (1..=limits::FEE_TIERS as u32 + 1)
                .map(|from_page| PageTier {
                    from_page,
                    amount_per_page: 1_000,
                })
                .collect(),
            cap_per_copy: Some(i64::MAX),
        };
        let found = fields(&p);
        for field in [
            "documents",
            "fees",
            "results",
            "linked",
            "fees[0].rule.amount",
            "fees[1].rule.tiers",
            "fees[1].rule.cap_per_copy",
        ] {
            assert!(found.iter().any(|f| f == field), "{field}: {found:?}");
        }

        let mut steps = sample();
        steps.steps = vec![steps.steps[2].clone(); limits::PROCEDURE_STEPS + 1];
        assert!(fields(&steps).iter().any(|f| f == "steps"));
        assert_eq!(sample().validate(), vec![]);
    }

    #[test]
    fn procedure_codes() {
        for good in ["1.001193", "2.000635", " 1.004873 ", "000.00.1"] {
            assert!(ProcedureCode::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "1.",
            ".1",
            "1..2",
            "12",
            "1,001193",
            "TTHC-01",
            "1.0011931234567890123",
        ] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn committed_limit_may_not_exceed_the_statutory_one() {
        let mut p = sample();
        p.committed_limit = TimeLimit::WorkingDays(4);
        assert_eq!(fields(&p), vec!["committed_limit", "steps"]);
        let message = &p.validate()[0].message;
        assert!(message.contains("4 ngày làm việc"), "{message}");

        // Units are compared through working hours: same day ≤ 1 day ≤ 8 hours…
        for (statutory, committed, ok) in [
            (TimeLimit::SameDay, TimeLimit::SameDay, true),
            (TimeLimit::SameDay, TimeLimit::WorkingHours(4), true),
            (TimeLimit::SameDay, TimeLimit::Immediate, true),
            (TimeLimit::SameDay, TimeLimit::WorkingDays(1), true),
            (TimeLimit::SameDay, TimeLimit::WorkingDays(2), false),
            (TimeLimit::WorkingHours(8), TimeLimit::WorkingDays(1), true),
            (TimeLimit::WorkingHours(4), TimeLimit::SameDay, false),
            (TimeLimit::Immediate, TimeLimit::SameDay, false),
            // 15 days hold 11 working days in an ordinary week, 30 days 21 or 22.
            (
                TimeLimit::CalendarDays(15),
                TimeLimit::CalendarDays(15),
                true,
            ),
            (
                TimeLimit::CalendarDays(15),
                TimeLimit::CalendarDays(10),
                true,
            ),
            (
                TimeLimit::CalendarDays(15),
                TimeLimit::CalendarDays(16),
                false,
            ),
            (
                TimeLimit::CalendarDays(15),
                TimeLimit::WorkingDays(11),
                true,
            ),
            (
                TimeLimit::CalendarDays(15),
                TimeLimit::WorkingDays(12),
                false,
            ),
            (
                TimeLimit::CalendarDays(15),
                TimeLimit::WorkingDays(15),
                false,
            ),
            (
                TimeLimit::CalendarDays(30),
                TimeLimit::WorkingDays(21),
                true,
            ),
            (
                TimeLimit::CalendarDays(30),
                TimeLimit::WorkingDays(22),
                false,
            ),
            (
                TimeLimit::WorkingDays(15),
                TimeLimit::CalendarDays(15),
                true,
            ),
            (TimeLimit::SameDay, TimeLimit::CalendarDays(1), true),
            // 2 days from a Monday end on Wednesday: past a same-day limit.
            (TimeLimit::SameDay, TimeLimit::CalendarDays(2), false),
        ] {
            let mut p = sample();
            p.statutory_limit = statutory;
            p.committed_limit = committed;
            p.verification_limit = None;
            p.steps.clear();
            assert_eq!(
                p.validate().is_empty(),
                ok,
                "{statutory} / {committed}: {:?}",
                p.validate()
            );
        }
    }

    #[test]
    fn working_days_held_by_calendar_days() {
        // (days, fewest, most) in a week of five working days.
        for (days, fewest, most) in [
            (1, 1, 1),
            (2, 1, 2),
            (7, 5, 6),
            (14, 10, 11),
            (15, 11, 11),
            (30, 21, 22),
            (365, 261, 261),
        ] {
            assert_eq!(working_days_in(days), (fewest, most), "{days} days");
        }
    }

    #[test]
    fn verification_limit_in_calendar_days() {
        let mut p = sample();
        p.statutory_limit = TimeLimit::CalendarDays(15);
        p.committed_limit = TimeLimit::CalendarDays(15);
        p.steps.clear();
        p.verification_limit = Some(TimeLimit::CalendarDays(25));
        assert!(p.validate().is_empty(), "{:?}", p.validate());
        p.verification_limit = Some(TimeLimit::CalendarDays(15));
        assert_eq!(fields(&p), vec!["verification_limit"]);
        p.verification_limit = Some(TimeLimit::WorkingDays(11));
        assert_eq!(fields(&p), vec!["verification_limit"]);
        p.verification_limit = Some(TimeLimit::WorkingDays(12));
        assert!(p.validate().is_empty(), "{:?}", p.validate());
    }

    #[test]
    fn verification_limit_must_be_longer() {
        let mut p = sample();
        p.verification_limit = Some(TimeLimit::WorkingDays(3));
        assert_eq!(fields(&p), vec!["verification_limit"]);
        p.verification_limit = Some(TimeLimit::WorkingDays(0));
        assert_eq!(fields(&p), vec!["verification_limit", "verification_limit"]);
    }

    #[test]
    fn step_shares_must_add_up_to_the_whole_limit() {
        // 1 + 5 hours of an 8-hour day = 75 %, plus 12 % + 13 %.
        assert!(sample().validate().is_empty());

        let mut p = sample();
        p.steps[3].share = StepShare::Percent(10);
        let errors = p.validate();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "steps");
        assert!(errors[0].message.contains("97%"), "{}", errors[0].message);

        // All in percentages.
        p.steps = vec![
            step("Tiếp nhận", StepRole::CounterOfficer, "10%"),
            step("Xử lý", StepRole::Specialist, "70%"),
            step("Ký", StepRole::Leader, "20%"),
        ];
        assert!(p.validate().is_empty());

        // All in hours of a 3-day committed limit (24 hours).
        p.committed_limit = TimeLimit::WorkingDays(3);
        p.steps = vec![
            step("Tiếp nhận", StepRole::CounterOfficer, "2wh"),
            step("Xử lý", StepRole::Specialist, "18wh"),
            step("Ký", StepRole::Leader, "4wh"),
        ];
        assert!(p.validate().is_empty(), "{:?}", p.validate());
        p.steps[1].share = StepShare::WorkingHours(19);
        assert!(p.validate()[0].message.contains("104,2%"));

        // Hours make no sense for an immediate procedure.
        p.statutory_limit = TimeLimit::Immediate;
        p.committed_limit = TimeLimit::Immediate;
        p.verification_limit = None;
        assert_eq!(fields(&p), vec!["steps"]);
        p.steps = vec![step("Chứng thực", StepRole::Specialist, "100%")];
        assert!(p.validate().is_empty());

        // No steps at all: not yet described, allowed.
        p.steps.clear();
        assert!(p.validate().is_empty());
    }

    #[test]
    fn step_share_syntax() {
        assert_eq!("25%".parse(), Ok(StepShare::Percent(25)));
        assert_eq!(" 100 % ".parse(), Ok(StepShare::Percent(100)));
        assert_eq!("4wh".parse(), Ok(StepShare::WorkingHours(4)));
        for bad in [
            "", "0%", "101%", "0wh", "+4wh", "4h", "4 wh", "1.5wh", "%", "99999wh",
        ] {
            assert!(bad.parse::<StepShare>().is_err(), "{bad}");
        }
        assert_eq!(StepShare::Percent(25).to_string(), "25%");
        let e = "x".parse::<StepShare>().unwrap_err();
        assert!(e.message_vi().contains("«x»"));
    }

    #[test]
    fn every_field_error_is_reported_at_once() {
        let mut p = sample();
        p.code = "abc".into();
        p.name = "  ".into();
        p.sector = "Hộ tịch".into();
        p.level = "".into();
        p.documents[0].count = 0;
        p.documents[0].form_url = Some("ftp://x".into());
        p.fees[0].rule = FeeRule::PerPage {
            tiers: vec![
                PageTier {
                    from_page: 2,
                    amount_per_page: 1_000,
                },
                PageTier {
                    from_page: 2,
                    amount_per_page: -1,
                },
            ],
            cap_per_copy: Some(0),
        };
        p.fees[0].exemptions = vec![Exemption::Disability, Exemption::Disability];
        p.results.clear();
        p.return_methods = vec![ReturnMethod::Post, ReturnMethod::Post];
        let link = |code: &str| LinkedProcedure {
            code: code.into(),
            name: "Đăng ký thường trú".into(),
            agency_kind: AgencyKind::Police,
        };
        p.linked = vec![link("1.004222"), link("1.004222"), link("1..2")];
        p.legal_basis = String::new();
        assert_eq!(
            fields(&p),
            vec![
                "code",
                "name",
                "sector",
                "level",
                "documents[0].count",
                "documents[0].form_url",
                "fees[0].rule.tiers",
                "fees[0].rule.tiers",
                "fees[0].rule.tiers",
                "fees[0].rule.cap_per_copy",
                "fees[0].exemptions",
                "results",
                "return_methods",
                "linked[2].code",
                "linked",
                "legal_basis",
            ]
        );
        for e in p.validate() {
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn a_procedure_cannot_link_to_itself() {
        let mut p = sample();
        p.linked = vec![LinkedProcedure {
            code: " 1.004873".into(),
            name: "Cấp Giấy xác nhận tình trạng hôn nhân".into(),
            agency_kind: AgencyKind::PeopleCommittee,
        }];
        assert_eq!(fields(&p), vec!["linked[0].code"]);
    }

    #[test]
    fn free_must_be_said() {
        let mut p = sample();
        p.fees.clear();
        assert_eq!(fields(&p), vec!["fees"]);
        p.fees.push(Fee {
            name: "Không thu phí".into(),
            rule: FeeRule::Free,
            exemptions: vec![],
            note: None,
        });
        assert!(p.validate().is_empty());
    }

    #[test]
    fn normalize_stores_one_form_of_text() {
        let mut p = sample();
        p.name = "  Ca\u{0302}\u{0301}p  Giấy\u{a0}xác nhận ".into();
        p.sector = " HO-TICH ".into();
        p.documents[0].note = Some("   ".into());
        p.normalize();
        assert_eq!(p.name, "Cấp Giấy xác nhận");
        assert_eq!(p.sector, "ho-tich");
        assert_eq!(p.documents[0].note, None);
        assert_eq!(p.search_key(), "1.004873 cap giay xac nhan");
    }

    #[test]
    fn serde_round_trip_with_stable_names() {
        let p = sample();
        let json = serde_json::to_value(&p).expect("serialisable");
        assert_eq!(json["statutory_limit"], "3wd");
        assert_eq!(json["committed_limit"], "1wd");
        assert_eq!(json["verification_limit"], "6wd");
        assert_eq!(json["effective_from"], "2025-07-01");
        assert_eq!(json["online"], "full");
        assert_eq!(json["return_methods"][1], "online");
        assert_eq!(json["documents"][0]["kind"], "original");
        assert_eq!(json["steps"][0]["role"], "counter_officer");
        assert_eq!(json["steps"][0]["share"], "1wh");
        assert_eq!(json["steps"][2]["share"], "12%");
        assert_eq!(json["fees"][0]["rule"]["kind"], "fixed");
        let back: Procedure = serde_json::from_value(json.clone()).expect("round trip");
        assert_eq!(back, p);

        let mut typo = json;
        typo["comitted_limit"] = serde_json::json!("1wd");
        assert!(serde_json::from_value::<Procedure>(typo).is_err());
    }

    #[test]
    fn labels_are_vietnamese() {
        assert_eq!(
            DocumentKind::CertifiedCopy.label_vi(),
            "Bản sao có chứng thực"
        );
        assert_eq!(StepRole::Leader.label_vi(), "Lãnh đạo");
        assert_eq!(
            OnlineAvailability::Partial.label_vi(),
            "Trực tuyến một phần"
        );
        assert_eq!(ReturnMethod::Post.label_vi(), "Qua dịch vụ bưu chính");
        assert_eq!(AgencyKind::Police.label_vi(), "Công an");
        assert_eq!(time_limit_label_vi(TimeLimit::SameDay), "trong ngày");
        assert_eq!(time_limit_label_vi(TimeLimit::CalendarDays(15)), "15 ngày");
        assert_eq!(
            time_limit_label_vi(TimeLimit::WorkingDays(15)),
            "15 ngày làm việc"
        );
    }
}
