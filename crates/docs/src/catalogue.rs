//! The procedure catalogue as files an agency can keep, hand over and edit:
//! JSON (the serde shape of [`Procedure`], as in `seeds/catalogue/`) and an
//! Excel workbook an officer can read and correct.
//!
//! Pure conversion: bytes in, bytes out. Reading either format collects
//! every problem of the file, each placed as precisely as the format allows
//! (sheet, row and column; or item and field), then normalises the text of
//! every procedure ([`Procedure::normalize`]) and checks it with
//! [`Procedure::validate`]. A file that cannot be read at all is a problem
//! too, never a panic.
//!
//! # The workbook
//!
//! One sheet per kind of row, Vietnamese headers in row 1 (bold, frozen,
//! with a filter), columns found by their header text so that an officer may
//! reorder them:
//!
//! | sheet | one row per | key |
//! |---|---|---|
//! | «Thủ tục» | procedure | Mã thủ tục |
//! | «Thành phần hồ sơ» | required document | Mã thủ tục + STT |
//! | «Lệ phí» | fee | Mã thủ tục + STT |
//! | «Kết quả» | result | Mã thủ tục + STT |
//! | «Quy trình» | process step | Mã thủ tục + STT |
//! | «Liên thông» | linked procedure | Mã thủ tục + STT |
//! | «Hướng dẫn» | (help; not read back) | |
//!
//! Machine values stay machine codes (`3wd`, `15cd`, `original`, `per_page`,
//! `counter, post`) in columns whose header ends in «(mã)»; beside them a
//! column ending in «(diễn giải)» says the same in Vietnamese words. Import
//! reads only the codes: the words are there for the reader and are
//! rewritten on the next export.

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use jiff::civil::Date;
use motcua_domain::calendar::TimeLimit;
use motcua_domain::procedure::{
    time_limit_label_vi, AgencyKind, DocumentKind, Exemption, Fee, FeeRule, LinkedProcedure,
    OnlineAvailability, PageTier, Procedure, ProcessStep, RequiredDocument, ResultKind,
    ReturnMethod, StepRole, StepShare,
};
use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// Why a catalogue could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// Everything wrong with the file, one problem a line, in Vietnamese.
    #[error("{}", ProblemList(.0))]
    Invalid(Vec<Problem>),
    /// The workbook could not be produced (a text longer than a cell holds,
    /// two procedures with one code…), in Vietnamese.
    #[error("{0}")]
    Write(String),
}

impl CatalogueError {
    /// The problems of an import, empty for an export error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            CatalogueError::Invalid(problems) => problems,
            CatalogueError::Write(_) => &[],
        }
    }
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// One thing wrong with an imported file. Its `Display` is the sentence to
/// show the officer, e.g. `Sheet «Lệ phí», dòng 7, cột «Số tiền»: «hai
/// nghìn» không phải là số.`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Code of the procedure the problem belongs to, for the problems
    /// [`Procedure::validate`] finds.
    pub procedure: Option<String>,
    pub location: Location,
    /// What is wrong, in Vietnamese.
    pub message: String,
}

/// Where in the file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole.
    File,
    /// A sheet of the workbook as a whole (missing, or a header missing).
    Sheet { sheet: String },
    /// A row of a sheet, numbered as Excel shows it (the header is row 1),
    /// and the header of the column when one column is at fault.
    Cell {
        sheet: String,
        row: u32,
        column: Option<String>,
    },
    /// An item of a JSON array, numbered from 1, and its JSON field path.
    Item { index: usize, field: Option<String> },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => f.write_str("Tệp"),
            Location::Sheet { sheet } => write!(f, "Sheet «{sheet}»"),
            Location::Cell { sheet, row, column } => {
                write!(f, "Sheet «{sheet}», dòng {row}")?;
                match column {
                    Some(column) => write!(f, ", cột «{column}»"),
                    None => Ok(()),
                }
            }
            Location::Item { index, field } => {
                write!(f, "Mục thứ {index}")?;
                match field {
                    Some(field) => write!(f, ", trường «{field}»"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.procedure, &self.location) {
            (None, Location::File) => f.write_str(&self.message),
            (None, location) => write!(f, "{location}: {}", self.message),
            (Some(code), Location::File) => write!(f, "Thủ tục {code}: {}", self.message),
            (Some(code), location) => {
                // "Sheet «…»" reads as the middle of a sentence here.
                let place = location.to_string();
                let place = match place.strip_prefix("Sheet") {
                    Some(rest) => format!("sheet{rest}"),
                    None => match place.strip_prefix("Mục") {
                        Some(rest) => format!("mục{rest}"),
                        None => place,
                    },
                };
                write!(f, "Thủ tục {code} ({place}): {}", self.message)
            }
        }
    }
}

impl Problem {
    fn file(message: impl Into<String>) -> Problem {
        Problem {
            procedure: None,
            location: Location::File,
            message: message.into(),
        }
    }

    fn sheet(sheet: &str, message: impl Into<String>) -> Problem {
        Problem {
            procedure: None,
            location: Location::Sheet {
                sheet: sheet.to_owned(),
            },
            message: message.into(),
        }
    }

    fn cell(sheet: &str, row: u32, column: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            procedure: None,
            location: Location::Cell {
                sheet: sheet.to_owned(),
                row,
                column: column.map(str::to_owned),
            },
            message: message.into(),
        }
    }
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/// The catalogue as a pretty-printed JSON array in the serde shape of
/// [`Procedure`] (the shape of `seeds/catalogue/*.json`), ending in a newline.
pub fn to_json(procs: &[Procedure]) -> Vec<u8> {
    // Serialising plain structs, strings and integers into memory has no
    // failure path: serde_json only fails on non-string map keys or on a
    // failing writer, and a Procedure has neither.
    let mut out = serde_json::to_vec_pretty(procs).expect("a procedure always serialises");
    out.push(b'\n');
    out
}

/// Reads a JSON catalogue (an array of procedures), normalised and
/// validated; every problem of every item is reported at once.
pub fn from_json(bytes: &[u8]) -> Result<Vec<Procedure>, CatalogueError> {
    // Notepad on Windows starts UTF-8 files with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let what = if e.is_eof() {
            "tệp bị cắt cụt".to_owned()
        } else if e.is_syntax() {
            format!("lỗi cú pháp ở dòng {}, cột {}", e.line(), e.column())
        } else {
            format!("ở dòng {}, cột {}", e.line(), e.column())
        };
        // serde_json's own words name the kind of mistake (in English);
        // the position is already said in Vietnamese.
        let detail = e.to_string();
        let detail = detail.split(" at line ").next().unwrap_or_default();
        CatalogueError::Invalid(vec![Problem::file(format!(
            "Tệp không phải là JSON hợp lệ: {what} ({detail})."
        ))])
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(CatalogueError::Invalid(vec![Problem::file(
            "Tệp JSON phải là một mảng các thủ tục ([ {…}, {…} ]).",
        )]));
    };
    let mut problems = Vec::new();
    let mut procs = Vec::with_capacity(items.len());
    let mut indexes = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let code = item
            .get("code")
            .and_then(|c| c.as_str())
            .map(|c| c.trim().to_owned());
        match serde_json::from_value::<Procedure>(item) {
            Ok(p) => {
                procs.push(p);
                indexes.push(i + 1);
            }
            Err(e) => problems.push(Problem {
                procedure: code,
                location: Location::Item {
                    index: i + 1,
                    field: None,
                },
                message: format!("Không đúng cấu trúc của một thủ tục: {e}."),
            }),
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (p, index) in procs.iter_mut().zip(&indexes) {
        p.normalize();
        if let Some(first) = seen.insert(p.code.clone(), *index) {
            problems.push(Problem {
                procedure: None,
                location: Location::Item {
                    index: *index,
                    field: Some("code".to_owned()),
                },
                message: format!(
                    "Mã thủ tục «{}» đã có ở mục thứ {first}; mỗi thủ tục chỉ ghi một lần.",
                    p.code
                ),
            });
        }
        for e in p.validate() {
            problems.push(Problem {
                procedure: Some(p.code.clone()),
                location: Location::Item {
                    index: *index,
                    field: Some(e.field),
                },
                message: e.message,
            });
        }
    }
    if problems.is_empty() {
        Ok(procs)
    } else {
        Err(CatalogueError::Invalid(problems))
    }
}

// ---------------------------------------------------------------------------
// The workbook layout
// ---------------------------------------------------------------------------

pub const SHEET_PROCEDURES: &str = "Thủ tục";
pub const SHEET_DOCUMENTS: &str = "Thành phần hồ sơ";
pub const SHEET_FEES: &str = "Lệ phí";
pub const SHEET_RESULTS: &str = "Kết quả";
pub const SHEET_STEPS: &str = "Quy trình";
pub const SHEET_LINKED: &str = "Liên thông";
pub const SHEET_GUIDE: &str = "Hướng dẫn";

// Column headers. Import finds columns by these texts.
const H_CODE: &str = "Mã thủ tục";
const H_POSITION: &str = "STT";

const H_NAME: &str = "Tên thủ tục";
const H_SECTOR: &str = "Lĩnh vực (mã)";
const H_LEVEL: &str = "Cấp thực hiện (mã)";
const H_STATUTORY: &str = "Thời hạn theo luật (mã)";
const H_STATUTORY_VI: &str = "Thời hạn theo luật (diễn giải)";
const H_COMMITTED: &str = "Thời hạn cam kết (mã)";
const H_COMMITTED_VI: &str = "Thời hạn cam kết (diễn giải)";
const H_VERIFICATION: &str = "Thời hạn khi xác minh (mã)";
const H_VERIFICATION_VI: &str = "Thời hạn khi xác minh (diễn giải)";
const H_LIMIT_NOTE: &str = "Ghi chú thời hạn";
const H_ONLINE: &str = "Nộp trực tuyến (mã)";
const H_ONLINE_VI: &str = "Nộp trực tuyến (diễn giải)";
const H_RETURN: &str = "Cách trả kết quả (mã)";
const H_RETURN_VI: &str = "Cách trả kết quả (diễn giải)";
const H_LEGAL: &str = "Căn cứ pháp lý";
const H_EFFECTIVE: &str = "Hiệu lực từ";

const H_DOC_NAME: &str = "Tên giấy tờ";
const H_DOC_KIND: &str = "Loại bản (mã)";
const H_DOC_KIND_VI: &str = "Loại bản (diễn giải)";
const H_DOC_COUNT: &str = "Số lượng";
const H_FORM_NAME: &str = "Tên mẫu đơn";
const H_FORM_URL: &str = "Đường dẫn mẫu đơn";
const H_NOTE: &str = "Ghi chú";

const H_FEE_NAME: &str = "Tên khoản phí";
const H_RULE: &str = "Cách tính (mã)";
const H_RULE_VI: &str = "Cách tính (diễn giải)";
const H_AMOUNT: &str = "Số tiền";
const H_TIERS: &str = "Mức theo trang";
const H_CAP: &str = "Tối đa mỗi bản";
const H_EXEMPTIONS: &str = "Đối tượng miễn (mã)";
const H_EXEMPTIONS_VI: &str = "Đối tượng miễn (diễn giải)";

const H_RESULT_NAME: &str = "Tên kết quả";
const H_REGISTER: &str = "Vào sổ (có/không)";

const H_STEP_NAME: &str = "Tên bước";
const H_ROLE: &str = "Người thực hiện (mã)";
const H_ROLE_VI: &str = "Người thực hiện (diễn giải)";
const H_SHARE: &str = "Thời gian (mã)";
const H_SHARE_VI: &str = "Thời gian (diễn giải)";

const H_LINK_CODE: &str = "Mã thủ tục liên thông";
const H_LINK_NAME: &str = "Tên thủ tục liên thông";
const H_AGENCY: &str = "Cơ quan (mã)";
const H_AGENCY_VI: &str = "Cơ quan (diễn giải)";

/// How a column is written and read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Read back on import.
    Input,
    /// Written for the reader, ignored on import.
    Words,
}

struct Column {
    header: &'static str,
    width: f64,
    role: Role,
    /// Cell format Text: what an officer types stays as typed (Excel would
    /// turn `2.000720` into the number 2.00072 and `01/07/2025` into a date).
    text: bool,
    /// Codes offered in a drop-down list.
    choices: Option<fn() -> Vec<String>>,
}

const fn input(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width,
        role: Role::Input,
        text: false,
        choices: None,
    }
}

const fn text_input(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width,
        role: Role::Input,
        text: true,
        choices: None,
    }
}

const fn choice(header: &'static str, width: f64, choices: fn() -> Vec<String>) -> Column {
    Column {
        header,
        width,
        role: Role::Input,
        text: true,
        choices: Some(choices),
    }
}

const fn words(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width,
        role: Role::Words,
        text: false,
        choices: None,
    }
}

const PROCEDURE_COLUMNS: &[Column] = &[
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
];

const DOCUMENT_COLUMNS: &[Column] = &[
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

const FEE_COLUMNS: &[Column] = &[
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

const RESULT_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_POSITION, 6.0),
    input(H_RESULT_NAME, 60.0),
    choice(H_REGISTER, 12.0, yes_no),
];

const STEP_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_POSITION, 6.0),
    input(H_STEP_NAME, 50.0),
    choice(H_ROLE, 18.0, role_codes),
    words(H_ROLE_VI, 26.0),
    text_input(H_SHARE, 12.0),
    words(H_SHARE_VI, 24.0),
];

const LINKED_COLUMNS: &[Column] = &[
    text_input(H_CODE, 12.0),
    input(H_POSITION, 6.0),
    text_input(H_LINK_CODE, 14.0),
    input(H_LINK_NAME, 45.0),
    choice(H_AGENCY, 18.0, agency_codes),
    words(H_AGENCY_VI, 24.0),
];

const DOCUMENT_KINDS: [DocumentKind; 4] = [
    DocumentKind::Original,
    DocumentKind::CertifiedCopy,
    DocumentKind::Photocopy,
    DocumentKind::OriginalOrCertifiedCopy,
];
const ONLINE: [OnlineAvailability; 3] = [
    OnlineAvailability::Full,
    OnlineAvailability::Partial,
    OnlineAvailability::None,
];
const RETURN_METHODS: [ReturnMethod; 4] = [
    ReturnMethod::Counter,
    ReturnMethod::Post,
    ReturnMethod::Home,
    ReturnMethod::Online,
];
const STEP_ROLES: [StepRole; 3] = [
    StepRole::CounterOfficer,
    StepRole::Specialist,
    StepRole::Leader,
];
const AGENCY_KINDS: [AgencyKind; 6] = [
    AgencyKind::Police,
    AgencyKind::SocialInsurance,
    AgencyKind::Tax,
    AgencyKind::PeopleCommittee,
    AgencyKind::Health,
    AgencyKind::Other,
];
const RULES: [(&str, &str); 5] = [
    ("free", "Miễn phí"),
    ("fixed", "Cố định mỗi hồ sơ"),
    ("per_page", "Theo số trang, mỗi bản"),
    ("per_case", "Theo mỗi trường hợp"),
    ("per_copy", "Theo mỗi bản"),
];
const YES: &str = "có";
const NO: &str = "không";

/// The serde name of an enum value: the code written in files.
fn code_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An enum value from its code, as serde reads it.
fn parse_code<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.trim().to_owned())).ok()
}

fn codes<T: Serialize>(values: &[T]) -> Vec<String> {
    values.iter().map(code_of).collect()
}

fn online_codes() -> Vec<String> {
    codes(&ONLINE)
}
fn document_kind_codes() -> Vec<String> {
    codes(&DOCUMENT_KINDS)
}
fn role_codes() -> Vec<String> {
    codes(&STEP_ROLES)
}
fn agency_codes() -> Vec<String> {
    codes(&AGENCY_KINDS)
}
fn rule_codes() -> Vec<String> {
    RULES.iter().map(|(code, _)| (*code).to_owned()).collect()
}
fn yes_no() -> Vec<String> {
    vec![YES.to_owned(), NO.to_owned()]
}

fn rule_code(rule: &FeeRule) -> &'static str {
    match rule {
        FeeRule::Free => "free",
        FeeRule::Fixed { .. } => "fixed",
        FeeRule::PerPage { .. } => "per_page",
        FeeRule::PerCase { .. } => "per_case",
        FeeRule::PerCopy { .. } => "per_copy",
    }
}

fn rule_words(code: &str) -> &'static str {
    RULES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, words)| words)
}

fn limit_words(limit: TimeLimit) -> String {
    capitalise(&time_limit_label_vi(limit))
}

fn share_words(share: StepShare) -> String {
    match share {
        StepShare::Percent(p) => format!("{p}% thời hạn cam kết"),
        StepShare::WorkingHours(h) => format!("{h} giờ làm việc"),
    }
}

fn capitalise(text: &str) -> String {
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

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Rows that get the drop-down lists: far more than any catalogue has, and
/// few enough to keep the file small.
const VALIDATED_ROWS: u32 = 5_000;

/// Integers beyond this lose digits as an Excel number (a double), so they
/// are written as text.
const EXACT_IN_EXCEL: i64 = 1 << 53;

struct Formats {
    header: Format,
    words_header: Format,
    text: Format,
    words: Format,
    number: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xDDEBF7));
        Formats {
            words_header: header
                .clone()
                .set_italic()
                .set_background_color(Color::RGB(0xEDEDED)),
            header,
            text: Format::new().set_num_format("@"),
            words: Format::new().set_font_color(Color::RGB(0x595959)),
            number: Format::new().set_num_format("#,##0"),
        }
    }
}

/// A cell value to write.
enum Cell {
    Text(String),
    Number(i64),
    Empty,
    /// What Excel stores when a person types `25%` or a date into a General
    /// cell; only the tests write these, to check that import copes.
    #[cfg(test)]
    Float(f64),
    #[cfg(test)]
    Date(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<Option<&String>> for Cell {
    fn from(s: Option<&String>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.clone()))
    }
}

fn number(n: i64) -> Cell {
    Cell::Number(n)
}

fn write_error(e: XlsxError) -> CatalogueError {
    CatalogueError::Write(format!("Không tạo được bảng tính: {e}."))
}

fn write_sheet(
    book: &mut Workbook,
    formats: &Formats,
    name: &str,
    columns: &[Column],
    rows: &[Vec<Cell>],
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    for (c, column) in columns.iter().enumerate() {
        let col = col_num(c);
        sheet.set_column_width(col, column.width)?;
        if column.text {
            sheet.set_column_format(col, &formats.text)?;
        }
        let header_format = match column.role {
            Role::Input => &formats.header,
            Role::Words => &formats.words_header,
        };
        sheet.write_string_with_format(0, col, column.header, header_format)?;
        if let Some(choices) = column.choices {
            let validation = DataValidation::new()
                .allow_list_strings(&choices())?
                .set_error_title("Giá trị không hợp lệ")?
                .set_error_message("Hãy chọn một mã trong danh sách.")?;
            sheet.add_data_validation(1, col, VALIDATED_ROWS, col, &validation)?;
        }
    }
    sheet.set_row_height(0, 32)?;
    sheet.set_freeze_panes(1, 1)?;
    let last_col = col_num(columns.len().saturating_sub(1));
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX - 1);
    sheet.autofilter(0, 0, last_row.max(1), last_col)?;
    for (r, cells) in rows.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, (cell, column)) in cells.iter().zip(columns).enumerate() {
            write_cell(sheet, formats, row, col_num(c), column, cell)?;
        }
    }
    Ok(())
}

fn col_num(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

fn write_cell(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    column: &Column,
    cell: &Cell,
) -> Result<(), XlsxError> {
    let format = match (column.role, column.text) {
        (Role::Words, _) => &formats.words,
        (Role::Input, true) => &formats.text,
        (Role::Input, false) => match cell {
            Cell::Number(_) => &formats.number,
            _ => &formats.text,
        },
    };
    match cell {
        Cell::Empty => {}
        Cell::Text(s) if s.is_empty() => {}
        Cell::Text(s) => {
            sheet.write_string_with_format(row, col, s, format)?;
        }
        Cell::Number(n) if (-EXACT_IN_EXCEL..=EXACT_IN_EXCEL).contains(n) => {
            // Exact: |n| ≤ 2^53 converts to f64 without rounding.
            sheet.write_number_with_format(row, col, *n as f64, format)?;
        }
        Cell::Number(n) => {
            sheet.write_string_with_format(row, col, n.to_string(), &formats.text)?;
        }
        #[cfg(test)]
        Cell::Float(f) => {
            sheet.write_number(row, col, *f)?;
        }
        #[cfg(test)]
        Cell::Date(serial) => {
            let date = Format::new().set_num_format("dd/mm/yyyy");
            sheet.write_number_with_format(row, col, *serial, &date)?;
        }
    }
    Ok(())
}

/// The catalogue as an Excel workbook (see the module documentation for the
/// layout). Fails when two procedures share a code (the child sheets key
/// their rows by code) or a text is longer than a cell holds (32 767
/// characters).
pub fn to_xlsx(procs: &[Procedure]) -> Result<Vec<u8>, CatalogueError> {
    let mut seen = HashMap::new();
    for (i, p) in procs.iter().enumerate() {
        if let Some(first) = seen.insert(p.code.trim(), i) {
            return Err(CatalogueError::Write(format!(
                "Không xuất được bảng tính: mã thủ tục «{}» có ở hai thủ tục (thứ {} và thứ {}).",
                p.code.trim(),
                first + 1,
                i + 1
            )));
        }
    }

    write_book(&sheet_rows(procs))
}

/// Every sheet's rows for the catalogue.
fn sheet_rows(procs: &[Procedure]) -> Vec<SheetData> {
    let mut procedures = Vec::new();
    let mut documents = Vec::new();
    let mut fees = Vec::new();
    let mut results = Vec::new();
    let mut steps = Vec::new();
    let mut linked = Vec::new();
    for p in procs {
        let code = || Cell::Text(p.code.clone());
        let returns = p
            .return_methods
            .iter()
            .map(code_of)
            .collect::<Vec<_>>()
            .join(", ");
        let returns_words = p
            .return_methods
            .iter()
            .map(|m| m.label_vi())
            .collect::<Vec<_>>()
            .join("; ");
        procedures.push(vec![
            code(),
            p.name.as_str().into(),
            p.sector.as_str().into(),
            p.level.as_str().into(),
            p.statutory_limit.to_string().into(),
            limit_words(p.statutory_limit).into(),
            p.committed_limit.to_string().into(),
            limit_words(p.committed_limit).into(),
            p.verification_limit
                .map_or(Cell::Empty, |l| l.to_string().into()),
            p.verification_limit
                .map_or(Cell::Empty, |l| limit_words(l).into()),
            p.time_limit_note.as_ref().into(),
            code_of(&p.online).into(),
            p.online.label_vi().into(),
            returns.into(),
            returns_words.into(),
            p.legal_basis.as_str().into(),
            crate::format::date_vn(p.effective_from).into(),
        ]);
        for (i, d) in p.documents.iter().enumerate() {
            documents.push(vec![
                code(),
                number(position(i)),
                d.name.as_str().into(),
                d.kind.as_str().into(),
                d.kind.label_vi().into(),
                number(i64::from(d.count)),
                d.form_name.as_ref().into(),
                d.form_url.as_ref().into(),
                d.note.as_ref().into(),
            ]);
        }
        for (i, f) in p.fees.iter().enumerate() {
            let kind = rule_code(&f.rule);
            let (amount, tiers, cap) = match &f.rule {
                FeeRule::Free => (Cell::Empty, Cell::Empty, Cell::Empty),
                FeeRule::Fixed { amount }
                | FeeRule::PerCase { amount }
                | FeeRule::PerCopy { amount } => (number(*amount), Cell::Empty, Cell::Empty),
                FeeRule::PerPage {
                    tiers,
                    cap_per_copy,
                } => (
                    Cell::Empty,
                    tiers_text(tiers).into(),
                    cap_per_copy.map_or(Cell::Empty, number),
                ),
            };
            fees.push(vec![
                code(),
                number(position(i)),
                f.name.as_str().into(),
                kind.into(),
                rule_words(kind).into(),
                amount,
                tiers,
                cap,
                f.exemptions
                    .iter()
                    .map(|e| e.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
                    .into(),
                f.exemptions
                    .iter()
                    .map(|e| e.label_vi())
                    .collect::<Vec<_>>()
                    .join("; ")
                    .into(),
                f.note.as_ref().into(),
            ]);
        }
        for (i, r) in p.results.iter().enumerate() {
            results.push(vec![
                code(),
                number(position(i)),
                r.name.as_str().into(),
                if r.register_entry { YES } else { NO }.into(),
            ]);
        }
        for (i, s) in p.steps.iter().enumerate() {
            steps.push(vec![
                code(),
                number(position(i)),
                s.name.as_str().into(),
                code_of(&s.role).into(),
                s.role.label_vi().into(),
                s.share.to_string().into(),
                share_words(s.share).into(),
            ]);
        }
        for (i, l) in p.linked.iter().enumerate() {
            linked.push(vec![
                code(),
                number(position(i)),
                l.code.as_str().into(),
                l.name.as_str().into(),
                code_of(&l.agency_kind).into(),
                l.agency_kind.label_vi().into(),
            ]);
        }
    }

    vec![
        SheetData {
            name: SHEET_PROCEDURES,
            columns: PROCEDURE_COLUMNS,
            rows: procedures,
        },
        SheetData {
            name: SHEET_DOCUMENTS,
            columns: DOCUMENT_COLUMNS,
            rows: documents,
        },
        SheetData {
            name: SHEET_FEES,
            columns: FEE_COLUMNS,
            rows: fees,
        },
        SheetData {
            name: SHEET_RESULTS,
            columns: RESULT_COLUMNS,
            rows: results,
        },
        SheetData {
            name: SHEET_STEPS,
            columns: STEP_COLUMNS,
            rows: steps,
        },
        SheetData {
            name: SHEET_LINKED,
            columns: LINKED_COLUMNS,
            rows: linked,
        },
    ]
}

/// The rows of one sheet, before they are written.
struct SheetData {
    name: &'static str,
    columns: &'static [Column],
    rows: Vec<Vec<Cell>>,
}

fn write_book(sheets: &[SheetData]) -> Result<Vec<u8>, CatalogueError> {
    let formats = Formats::new();
    let mut book = Workbook::new();
    for sheet in sheets {
        write_sheet(&mut book, &formats, sheet.name, sheet.columns, &sheet.rows)
            .map_err(write_error)?;
    }
    write_guide(&mut book, &formats).map_err(write_error)?;
    book.save_to_buffer().map_err(write_error)
}

fn position(i: usize) -> i64 {
    i64::try_from(i + 1).unwrap_or(i64::MAX)
}

/// The «Hướng dẫn» sheet: how to edit, and every code with its meaning.
fn write_guide(book: &mut Workbook, formats: &Formats) -> Result<(), XlsxError> {
    let mut lines: Vec<(String, String)> = vec![
        (
            "Cách dùng".into(),
            "Mỗi sheet là một loại dòng; dòng 1 là tiêu đề, không đổi tên cột. Các sheet con (Thành phần hồ sơ, Lệ phí, Kết quả, Quy trình, Liên thông) gắn với thủ tục qua cột «Mã thủ tục» và xếp theo cột «STT».".into(),
        ),
        (
            "Cột (mã) và (diễn giải)".into(),
            "Khi nhập lại, hệ thống chỉ đọc các cột «(mã)». Các cột «(diễn giải)» chỉ để đọc và được viết lại ở lần xuất sau.".into(),
        ),
        (
            "Thời hạn".into(),
            "immediate = trả ngay; same_day = trong ngày; 3wd = 3 ngày làm việc; 8wh = 8 giờ làm việc; 15cd = 15 ngày theo lịch (luật ghi «15 ngày», không ghi «ngày làm việc»; ngày cuối rơi vào ngày nghỉ thì hạn là ngày làm việc tiếp theo). Để trống «Thời hạn khi xác minh» nếu không có.".into(),
        ),
        (
            "Ngày".into(),
            "Ghi theo dạng ngày/tháng/năm, ví dụ 01/07/2025.".into(),
        ),
        (
            "Mức theo trang".into(),
            "Từng mức «trang bắt đầu:số tiền mỗi trang», cách nhau bằng dấu chấm phẩy, ví dụ 1:2000;3:1000 (trang 1–2: 2.000 đ/trang; từ trang 3: 1.000 đ/trang).".into(),
        ),
        (
            "Số tiền".into(),
            "Số nguyên, đơn vị đồng; để trống với cách tính free và per_page.".into(),
        ),
        (
            "Thời gian của bước".into(),
            "Phần trăm thời hạn cam kết (25%) hoặc số giờ làm việc (4wh); tổng các bước phải bằng 100% thời hạn cam kết.".into(),
        ),
        (
            "Danh sách mã".into(),
            "Cột «Cách trả kết quả (mã)» và «Đối tượng miễn (mã)» ghi nhiều mã, cách nhau bằng dấu phẩy.".into(),
        ),
    ];
    let mut table = |title: &str, entries: Vec<(String, String)>| {
        lines.push((String::new(), String::new()));
        lines.push((title.to_owned(), String::new()));
        lines.extend(entries);
    };
    table(
        "Nộp trực tuyến (mã)",
        ONLINE
            .iter()
            .map(|o| (code_of(o), o.label_vi().to_owned()))
            .collect(),
    );
    table(
        "Cách trả kết quả (mã)",
        RETURN_METHODS
            .iter()
            .map(|m| (code_of(m), m.label_vi().to_owned()))
            .collect(),
    );
    table(
        "Loại bản (mã)",
        DOCUMENT_KINDS
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label_vi().to_owned()))
            .collect(),
    );
    table(
        "Cách tính (mã)",
        RULES
            .iter()
            .map(|(c, w)| ((*c).to_owned(), (*w).to_owned()))
            .collect(),
    );
    table(
        "Đối tượng miễn (mã)",
        Exemption::ALL
            .iter()
            .map(|e| (e.as_str().to_owned(), e.label_vi().to_owned()))
            .collect(),
    );
    table(
        "Người thực hiện (mã)",
        STEP_ROLES
            .iter()
            .map(|r| (code_of(r), r.label_vi().to_owned()))
            .collect(),
    );
    table(
        "Cơ quan (mã)",
        AGENCY_KINDS
            .iter()
            .map(|a| (code_of(a), a.label_vi().to_owned()))
            .collect(),
    );

    let sheet = book.add_worksheet();
    sheet.set_name(SHEET_GUIDE)?;
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 110)?;
    let wrap = Format::new().set_text_wrap();
    sheet.write_string_with_format(0, 0, "Mục", &formats.header)?;
    sheet.write_string_with_format(0, 1, "Giải thích", &formats.header)?;
    for (i, (key, value)) in lines.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        if value.is_empty() && !key.is_empty() {
            sheet.write_string_with_format(row, 0, key, &formats.header)?;
        } else if !key.is_empty() {
            sheet.write_string(row, 0, key)?;
            sheet.write_string_with_format(row, 1, value, &wrap)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// Reads a workbook written by [`to_xlsx`] (possibly edited in Excel or
/// LibreOffice), normalised and validated; every problem of the file is
/// reported at once.
pub fn from_xlsx(bytes: &[u8]) -> Result<Vec<Procedure>, CatalogueError> {
    // calamine parses an untrusted zip of XML; a bug in it must cost this
    // import, not the server thread.
    std::panic::catch_unwind(|| read_workbook(bytes)).unwrap_or_else(|_| {
        Err(CatalogueError::Invalid(vec![Problem::file(
            "Tệp bảng tính bị hỏng, không đọc được.",
        )]))
    })
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Procedure>, CatalogueError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        CatalogueError::Invalid(vec![Problem::file(format!(
            "Tệp không phải là bảng tính Excel (.xlsx) đọc được ({e})."
        ))])
    })?;
    let names = book.sheet_names();
    let mut problems = Vec::new();
    let mut tables = HashMap::new();
    for (sheet, columns) in [
        (SHEET_PROCEDURES, PROCEDURE_COLUMNS),
        (SHEET_DOCUMENTS, DOCUMENT_COLUMNS),
        (SHEET_FEES, FEE_COLUMNS),
        (SHEET_RESULTS, RESULT_COLUMNS),
        (SHEET_STEPS, STEP_COLUMNS),
        (SHEET_LINKED, LINKED_COLUMNS),
    ] {
        // Renamed by hand, a sheet may differ in case or Unicode form.
        let Some(actual) = names.iter().find(|n| same_label(n, sheet)) else {
            problems.push(Problem::file(format!(
                "Thiếu sheet «{sheet}». Bảng tính cần đủ các sheet: {}.",
                [
                    SHEET_PROCEDURES,
                    SHEET_DOCUMENTS,
                    SHEET_FEES,
                    SHEET_RESULTS,
                    SHEET_STEPS,
                    SHEET_LINKED
                ]
                .map(|s| format!("«{s}»"))
                .join(", ")
            )));
            continue;
        };
        let range = match book.worksheet_range(actual) {
            Ok(range) => range,
            Err(e) => {
                problems.push(Problem::sheet(sheet, format!("không đọc được ({e}).")));
                continue;
            }
        };
        match Table::new(sheet, range, columns) {
            Ok(table) => {
                tables.insert(sheet, table);
            }
            Err(mut missing) => problems.append(&mut missing),
        }
    }
    if !problems.is_empty() {
        return Err(CatalogueError::Invalid(problems));
    }
    let table = |name: &str| tables.get(name).ok_or_else(|| unreachable_sheet(name));
    let mut procs = read_procedures(table(SHEET_PROCEDURES)?, &mut problems);
    read_children(
        table(SHEET_DOCUMENTS)?,
        &mut procs,
        &mut problems,
        read_document,
        |e| (&mut e.proc.documents, &mut e.origin.documents),
    );
    read_children(
        table(SHEET_FEES)?,
        &mut procs,
        &mut problems,
        read_fee,
        |e| (&mut e.proc.fees, &mut e.origin.fees),
    );
    read_children(
        table(SHEET_RESULTS)?,
        &mut procs,
        &mut problems,
        read_result,
        |e| (&mut e.proc.results, &mut e.origin.results),
    );
    read_children(
        table(SHEET_STEPS)?,
        &mut procs,
        &mut problems,
        read_step,
        |e| (&mut e.proc.steps, &mut e.origin.steps),
    );
    read_children(
        table(SHEET_LINKED)?,
        &mut procs,
        &mut problems,
        read_link,
        |e| (&mut e.proc.linked, &mut e.origin.linked),
    );

    for entry in &mut procs {
        if !entry.complete {
            continue;
        }
        entry.proc.normalize();
        for e in entry.proc.validate() {
            problems.push(Problem {
                procedure: Some(entry.proc.code.clone()),
                location: entry.origin.locate(&e.field),
                message: e.message,
            });
        }
    }
    if problems.is_empty() {
        Ok(procs.into_iter().map(|e| e.proc).collect())
    } else {
        Err(CatalogueError::Invalid(problems))
    }
}

fn unreachable_sheet(name: &str) -> CatalogueError {
    CatalogueError::Invalid(vec![Problem::sheet(name, "không đọc được.")])
}

/// Header and sheet names compared as a person would: NFC, case and outer
/// spaces ignored.
fn same_label(a: &str, b: &str) -> bool {
    let fold = |s: &str| s.trim().nfc().collect::<String>().to_lowercase();
    fold(a) == fold(b)
}

/// A sheet with its header row located.
struct Table {
    sheet: &'static str,
    range: Range<Data>,
    columns: HashMap<&'static str, u32>,
}

impl Table {
    fn new(
        sheet: &'static str,
        range: Range<Data>,
        columns: &[Column],
    ) -> Result<Table, Vec<Problem>> {
        let width = range.end().map_or(0, |(_, c)| c + 1);
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for column in columns.iter().filter(|c| c.role == Role::Input) {
            let at = (0..width).find(|&c| match range.get_value((0, c)) {
                Some(Data::String(s)) => same_label(s, column.header),
                _ => false,
            });
            match at {
                Some(c) => {
                    found.insert(column.header, c);
                }
                None => missing.push(column.header),
            }
        }
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|h| format!("«{h}»"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(vec![Problem::sheet(
                sheet,
                format!("dòng tiêu đề (dòng 1) thiếu cột {list}."),
            )]);
        }
        Ok(Table {
            sheet,
            range,
            columns: found,
        })
    }

    /// Data rows as 0-based indexes (row 1 of Excel, the header, is 0),
    /// skipping rows with nothing in any column that is read.
    fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        let last = self.range.end().map_or(0, |(r, _)| r);
        (1..=last).filter(|&r| {
            self.columns
                .values()
                .any(|&c| !is_blank(self.range.get_value((r, c))))
        })
    }

    fn row<'a>(&'a self, row: u32, problems: &'a mut Vec<Problem>) -> Row<'a> {
        Row {
            table: self,
            row,
            problems,
            ok: true,
        }
    }
}

fn is_blank(cell: Option<&Data>) -> bool {
    match cell {
        None | Some(Data::Empty) => true,
        Some(Data::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

/// One row being read; each getter records what is wrong with its cell.
struct Row<'a> {
    table: &'a Table,
    row: u32,
    problems: &'a mut Vec<Problem>,
    /// False once a cell of the row could not be read.
    ok: bool,
}

impl<'a> Row<'a> {
    /// The row number as Excel shows it.
    fn number(&self) -> u32 {
        self.row + 1
    }

    fn cell(&self, header: &'static str) -> Option<&'a Data> {
        // Borrowed from the table, not from the row, so that a getter can
        // hold a cell while it records a problem.
        let table: &'a Table = self.table;
        let col = *table.columns.get(header)?;
        table
            .range
            .get_value((self.row, col))
            .filter(|d| !is_blank(Some(d)))
    }

    fn fail(&mut self, header: &'static str, message: String) {
        self.ok = false;
        self.problems.push(Problem::cell(
            self.table.sheet,
            self.number(),
            Some(header),
            message,
        ));
    }

    /// Free text, exactly as in the cell (normalised later with the whole
    /// procedure). A number typed in a text column is taken as its digits.
    fn text(&mut self, header: &'static str) -> Option<String> {
        match self.cell(header)? {
            Data::String(s) => Some(s.clone()),
            Data::Int(n) => Some(n.to_string()),
            Data::Float(f) => Some(float_text(*f)),
            Data::Bool(b) => Some(if *b { YES } else { NO }.to_owned()),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
            other => {
                let shown = shown(other);
                self.fail(
                    header,
                    format!("ô chứa «{shown}», không phải là chữ; hãy ghi lại nội dung."),
                );
                None
            }
        }
    }

    /// Free text that may be empty.
    fn text_or_empty(&mut self, header: &'static str) -> String {
        self.text(header).unwrap_or_default()
    }

    /// A machine code. A number here means Excel converted what was typed
    /// (a procedure code `2.000720` becomes 2.00072), which cannot be undone
    /// safely.
    fn code(&mut self, header: &'static str) -> Option<String> {
        match self.cell(header)? {
            Data::String(s) => Some(s.trim().to_owned()),
            number @ (Data::Int(_) | Data::Float(_)) => {
                let shown = shown(number);
                self.fail(
                    header,
                    format!(
                        "«{shown}» đã bị Excel đổi thành số. Hãy định dạng ô là Văn bản (Text) rồi gõ lại mã, ví dụ 2.000720."
                    ),
                );
                None
            }
            other => {
                let shown = shown(other);
                self.fail(header, format!("«{shown}» không phải là một mã."));
                None
            }
        }
    }

    fn required_code(&mut self, header: &'static str) -> Option<String> {
        let code = self.code(header);
        if code.is_none() && self.cell(header).is_none() {
            self.fail(header, "ô này không được để trống.".to_owned());
        }
        code
    }

    /// A whole number. Text such as `2.000` or `2 000` (thousands grouped as
    /// on Vietnamese papers) is accepted.
    fn integer(&mut self, header: &'static str) -> Option<i64> {
        let cell = self.cell(header)?;
        let value = match cell {
            Data::Int(n) => Some(*n),
            Data::Float(f) => float_integer(*f),
            Data::String(s) => parse_integer(s),
            _ => None,
        };
        if value.is_none() {
            let shown = shown(cell);
            self.fail(header, format!("«{shown}» không phải là số nguyên."));
        }
        value
    }

    fn required_integer(&mut self, header: &'static str) -> Option<i64> {
        if self.cell(header).is_none() {
            self.fail(header, "cần ghi một số.".to_owned());
            return None;
        }
        self.integer(header)
    }

    fn bounded<T: TryFrom<i64>>(&mut self, header: &'static str, min: i64) -> Option<T> {
        let n = self.required_integer(header)?;
        match T::try_from(n) {
            Ok(v) if n >= min => Some(v),
            _ => {
                self.fail(header, format!("{n} nằm ngoài giới hạn cho phép."));
                None
            }
        }
    }

    fn time_limit(&mut self, header: &'static str) -> Option<TimeLimit> {
        let code = self.code(header)?;
        match code.parse::<TimeLimit>() {
            Ok(limit) => Some(limit),
            Err(e) => {
                self.fail(header, e.message_vi());
                None
            }
        }
    }

    fn required_time_limit(&mut self, header: &'static str) -> Option<TimeLimit> {
        if self.cell(header).is_none() {
            self.fail(
                header,
                "cần ghi thời hạn, ví dụ 3wd (3 ngày làm việc), 15cd (15 ngày theo lịch) hoặc same_day.".to_owned(),
            );
            return None;
        }
        self.time_limit(header)
    }

    fn enumerated<T: DeserializeOwned>(
        &mut self,
        header: &'static str,
        valid: &[String],
        what: &str,
    ) -> Option<T> {
        let code = self.required_code(header)?;
        let parsed = parse_code(&code);
        if parsed.is_none() {
            self.fail(
                header,
                format!(
                    "«{code}» không phải là mã {what}; các mã hợp lệ: {}.",
                    valid.join(", ")
                ),
            );
        }
        parsed
    }

    fn code_list<T: DeserializeOwned>(
        &mut self,
        header: &'static str,
        valid: &[String],
        what: &str,
    ) -> Option<Vec<T>> {
        let Some(text) = self.code(header) else {
            return if self.cell(header).is_none() {
                Some(Vec::new())
            } else {
                None
            };
        };
        let mut values = Vec::new();
        let mut bad = Vec::new();
        for part in text
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match parse_code(part) {
                Some(v) => values.push(v),
                None => bad.push(format!("«{part}»")),
            }
        }
        if bad.is_empty() {
            Some(values)
        } else {
            self.fail(
                header,
                format!(
                    "{} không phải là mã {what}; các mã hợp lệ: {}.",
                    bad.join(", "),
                    valid.join(", ")
                ),
            );
            None
        }
    }

    fn date(&mut self, header: &'static str) -> Option<Date> {
        let Some(cell) = self.cell(header) else {
            self.fail(
                header,
                "cần ghi ngày theo dạng ngày/tháng/năm, ví dụ 01/07/2025.".to_owned(),
            );
            return None;
        };
        let parsed = match cell {
            Data::String(s) => parse_date(s),
            Data::DateTimeIso(s) => s.get(..10).and_then(|d| d.parse::<Date>().ok()),
            // A date Excel recognised as it was typed: a serial day number.
            Data::DateTime(dt) if dt.is_datetime() => excel_serial_date(dt.as_f64()),
            _ => None,
        };
        if parsed.is_none() {
            let shown = shown(cell);
            self.fail(
                header,
                format!(
                    "«{shown}» không phải là ngày hợp lệ; ghi theo dạng ngày/tháng/năm, ví dụ 01/07/2025."
                ),
            );
        }
        parsed
    }

    fn yes_no(&mut self, header: &'static str) -> Option<bool> {
        let cell = self.cell(header);
        let value = match cell {
            Some(Data::Bool(b)) => Some(*b),
            Some(Data::String(s)) => {
                match s.trim().nfc().collect::<String>().to_lowercase().as_str() {
                    "có" | "co" | "x" | "true" | "yes" | "1" => Some(true),
                    "không" | "khong" | "false" | "no" | "0" => Some(false),
                    _ => None,
                }
            }
            Some(Data::Int(1)) => Some(true),
            Some(Data::Int(0)) => Some(false),
            Some(Data::Float(f)) if *f == 1.0 => Some(true),
            Some(Data::Float(f)) if *f == 0.0 => Some(false),
            _ => None,
        };
        if value.is_none() {
            let shown = cell.map(shown).unwrap_or_default();
            self.fail(header, format!("«{shown}» phải là «{YES}» hoặc «{NO}»."));
        }
        value
    }

    fn share(&mut self, header: &'static str) -> Option<StepShare> {
        let cell = self.cell(header);
        let parsed = match cell {
            Some(Data::String(s)) => s.parse::<StepShare>().map_err(|e| e.message_vi()),
            // Typed as 25% in a General cell, Excel stores the fraction 0.25.
            Some(Data::Float(f)) if *f > 0.0 && *f <= 1.0 => {
                let percent = (f * 100.0).round();
                if (f * 100.0 - percent).abs() < 1e-9 {
                    format!("{percent}%")
                        .parse::<StepShare>()
                        .map_err(|e| e.message_vi())
                } else {
                    Err(format!("«{}» không phải là phần trăm nguyên.", f * 100.0))
                }
            }
            Some(other) => Err(format!(
                "«{}» không đúng dạng: ghi phần trăm (25%) hoặc số giờ làm việc (4wh).",
                shown(other)
            )),
            None => Err("cần ghi thời gian của bước: 25% hoặc 4wh.".to_owned()),
        };
        match parsed {
            Ok(share) => Some(share),
            Err(message) => {
                self.fail(header, message);
                None
            }
        }
    }

    fn tiers(&mut self, header: &'static str) -> Option<Vec<PageTier>> {
        let text = self.text(header)?;
        let mut tiers = Vec::new();
        for part in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let tier = part.split_once(':').and_then(|(from, amount)| {
                let from_page = u32::try_from(parse_integer(from)?).ok()?;
                let amount_per_page = parse_integer(amount)?;
                Some(PageTier {
                    from_page,
                    amount_per_page,
                })
            });
            match tier {
                Some(tier) => tiers.push(tier),
                None => {
                    self.fail(
                        header,
                        format!(
                            "«{part}» không đúng dạng «trang bắt đầu:số tiền», ví dụ 1:2000;3:1000."
                        ),
                    );
                    return None;
                }
            }
        }
        Some(tiers)
    }

    /// A column that must stay empty for the row's kind.
    fn must_be_empty(&mut self, header: &'static str, why: &str) {
        if self.cell(header).is_some() {
            self.fail(header, format!("{why}; hãy để trống ô này."));
        }
    }
}

fn shown(cell: &Data) -> String {
    match cell {
        Data::Float(f) => float_text(*f),
        Data::Error(e) => format!("lỗi {e}"),
        other => other.to_string(),
    }
}

fn float_text(f: f64) -> String {
    match float_integer(f) {
        Some(n) => n.to_string(),
        None => f.to_string(),
    }
}

fn float_integer(f: f64) -> Option<i64> {
    // ±2^53: beyond, a double no longer holds every integer.
    let limit = EXACT_IN_EXCEL as f64;
    (f.fract() == 0.0 && f.abs() <= limit).then_some(f as i64)
}

/// `2000`, `-5`, `2.000`, `2 000`, `1.250.000`: groups of three after the
/// first, as printed amounts are written.
fn parse_integer(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let groups: Vec<&str> = digits
        .split(['.', ' ', '\u{a0}'])
        .filter(|g| !g.is_empty())
        .collect();
    let well_formed = match groups.split_first() {
        Some((first, rest)) => {
            (1..=if rest.is_empty() { 19 } else { 3 }).contains(&first.len())
                && rest.iter().all(|g| g.len() == 3)
        }
        None => false,
    };
    if !well_formed
        || groups
            .iter()
            .any(|g| !g.bytes().all(|b| b.is_ascii_digit()))
        || (groups.len() > 1 && digits.contains(' ') && digits.contains('.'))
    {
        return None;
    }
    let joined: String = groups.concat();
    let n: i64 = joined.parse().ok()?;
    Some(if negative { -n } else { n })
}

/// `01/07/2025`, `1/7/2025`, or `2025-07-01`.
fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        return Some(date);
    }
    let mut parts = text.split(['/', '-', '.']);
    let day: i8 = parts.next()?.trim().parse().ok()?;
    let month: i8 = parts.next()?.trim().parse().ok()?;
    let year_text = parts.next()?.trim();
    if parts.next().is_some() || year_text.len() != 4 {
        return None;
    }
    let year: i16 = year_text.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// A day number of Excel's 1900 date system (day 1 = 1 January 1900, with
/// the phantom 29 February 1900 that Excel keeps for Lotus compatibility).
fn excel_serial_date(serial: f64) -> Option<Date> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let epoch = jiff::civil::date(1899, 12, 30);
    epoch.checked_add(jiff::Span::new().days(days)).ok()
}

/// Where the rows of a procedure came from, to place the problems that
/// [`Procedure::validate`] finds by field path.
#[derive(Default)]
struct Origin {
    row: u32,
    documents: Vec<u32>,
    fees: Vec<u32>,
    results: Vec<u32>,
    steps: Vec<u32>,
    linked: Vec<u32>,
}

impl Origin {
    /// `fees[2].rule.amount` → sheet «Lệ phí», the row of the third fee,
    /// column «Số tiền».
    fn locate(&self, field: &str) -> Location {
        let (head, index, rest) = match field.split_once('[') {
            Some((head, tail)) => {
                let (index, rest) = tail.split_once(']').unwrap_or((tail, ""));
                (
                    head,
                    index.parse::<usize>().ok(),
                    rest.trim_start_matches('.'),
                )
            }
            None => (field, None, ""),
        };
        let (sheet, rows, column): (&str, &[u32], Option<&str>) = match head {
            "documents" => (
                SHEET_DOCUMENTS,
                &self.documents,
                match rest {
                    "name" => Some(H_DOC_NAME),
                    "kind" => Some(H_DOC_KIND),
                    "count" => Some(H_DOC_COUNT),
                    "form_name" => Some(H_FORM_NAME),
                    "form_url" => Some(H_FORM_URL),
                    "note" => Some(H_NOTE),
                    _ => None,
                },
            ),
            "fees" => (
                SHEET_FEES,
                &self.fees,
                match rest {
                    "name" => Some(H_FEE_NAME),
                    "rule.amount" => Some(H_AMOUNT),
                    "rule.tiers" => Some(H_TIERS),
                    "rule.cap_per_copy" => Some(H_CAP),
                    "exemptions" => Some(H_EXEMPTIONS),
                    "note" => Some(H_NOTE),
                    _ => None,
                },
            ),
            "results" => (
                SHEET_RESULTS,
                &self.results,
                (rest == "name").then_some(H_RESULT_NAME),
            ),
            "steps" => (
                SHEET_STEPS,
                &self.steps,
                match rest {
                    "name" => Some(H_STEP_NAME),
                    "share" => Some(H_SHARE),
                    _ => None,
                },
            ),
            "linked" => (
                SHEET_LINKED,
                &self.linked,
                match rest {
                    "code" => Some(H_LINK_CODE),
                    "name" => Some(H_LINK_NAME),
                    _ => None,
                },
            ),
            _ => {
                let column = match head {
                    "code" => Some(H_CODE),
                    "name" => Some(H_NAME),
                    "sector" => Some(H_SECTOR),
                    "level" => Some(H_LEVEL),
                    "statutory_limit" => Some(H_STATUTORY),
                    "committed_limit" => Some(H_COMMITTED),
                    "verification_limit" => Some(H_VERIFICATION),
                    "time_limit_note" => Some(H_LIMIT_NOTE),
                    "online" => Some(H_ONLINE),
                    "return_methods" => Some(H_RETURN),
                    "legal_basis" => Some(H_LEGAL),
                    "effective_from" => Some(H_EFFECTIVE),
                    _ => None,
                };
                return Location::Cell {
                    sheet: SHEET_PROCEDURES.to_owned(),
                    row: self.row + 1,
                    column: column.map(str::to_owned),
                };
            }
        };
        match index.and_then(|i| rows.get(i)) {
            Some(row) => Location::Cell {
                sheet: sheet.to_owned(),
                row: row + 1,
                column: column.map(str::to_owned),
            },
            None => Location::Sheet {
                sheet: sheet.to_owned(),
            },
        }
    }
}

struct Entry {
    proc: Procedure,
    origin: Origin,
    /// False when a cell of the procedure's own row could not be read: it is
    /// reported, and validating the placeholder would only add noise.
    complete: bool,
}

fn read_procedures(table: &Table, problems: &mut Vec<Problem>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut rows_by_code: HashMap<String, u32> = HashMap::new();
    let online = online_codes();
    let returns = codes(&RETURN_METHODS);
    for r in table.rows() {
        let mut row = table.row(r, problems);
        let code = row.required_code(H_CODE);
        let name = row.text_or_empty(H_NAME);
        let sector = row.code(H_SECTOR).unwrap_or_default();
        let level = row.code(H_LEVEL).unwrap_or_default();
        let statutory = row.required_time_limit(H_STATUTORY);
        let committed = row.required_time_limit(H_COMMITTED);
        let verification = row.time_limit(H_VERIFICATION);
        let note = row.text(H_LIMIT_NOTE);
        let online = row.enumerated::<OnlineAvailability>(H_ONLINE, &online, "nộp trực tuyến");
        let return_methods = row.code_list::<ReturnMethod>(H_RETURN, &returns, "cách trả kết quả");
        let legal_basis = row.text_or_empty(H_LEGAL);
        let effective = row.date(H_EFFECTIVE);
        let number = row.number();
        let complete = row.ok;
        let Some(code) = code else { continue };
        if let Some(first) = rows_by_code.insert(code.clone(), r) {
            problems.push(Problem::cell(
                SHEET_PROCEDURES,
                number,
                Some(H_CODE),
                format!(
                    "mã thủ tục «{code}» đã có ở dòng {}; mỗi thủ tục chỉ ghi một dòng.",
                    first + 1
                ),
            ));
            continue;
        }
        entries.push(Entry {
            proc: Procedure {
                code,
                name,
                sector,
                level,
                statutory_limit: statutory.unwrap_or(TimeLimit::Immediate),
                committed_limit: committed.unwrap_or(TimeLimit::Immediate),
                verification_limit: verification,
                time_limit_note: note,
                documents: Vec::new(),
                fees: Vec::new(),
                results: Vec::new(),
                steps: Vec::new(),
                online: online.unwrap_or(OnlineAvailability::None),
                return_methods: return_methods.unwrap_or_default(),
                linked: Vec::new(),
                legal_basis,
                effective_from: effective.unwrap_or_default(),
            },
            origin: Origin {
                row: r,
                ..Origin::default()
            },
            complete,
        });
    }
    entries
}

/// Reads a child sheet: each row names its procedure and position; rows are
/// attached in the order of their positions.
fn read_children<T>(
    table: &Table,
    entries: &mut [Entry],
    problems: &mut Vec<Problem>,
    read: fn(&mut Row<'_>) -> Option<T>,
    target: fn(&mut Entry) -> (&mut Vec<T>, &mut Vec<u32>),
) {
    let index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.proc.code.clone(), i))
        .collect();
    // Per procedure: (position, row, item).
    let mut collected: Vec<Vec<(u32, u32, T)>> = entries.iter().map(|_| Vec::new()).collect();
    for r in table.rows() {
        let mut row = table.row(r, problems);
        let code = row.required_code(H_CODE);
        let position = row.bounded::<u32>(H_POSITION, 1);
        let item = read(&mut row);
        let ok = row.ok;
        let number = row.number();
        let Some(code) = code else { continue };
        let Some(&owner) = index.get(&code) else {
            problems.push(Problem::cell(
                table.sheet,
                number,
                Some(H_CODE),
                format!("không có thủ tục mã «{code}» trong sheet «{SHEET_PROCEDURES}»."),
            ));
            continue;
        };
        match (position, item) {
            (Some(position), Some(item)) if ok => collected[owner].push((position, r, item)),
            _ => entries[owner].complete = false,
        }
    }
    for (entry, mut items) in entries.iter_mut().zip(collected) {
        items.sort_by_key(|(position, row, _)| (*position, *row));
        for pair in items.windows(2) {
            if pair[0].0 == pair[1].0 {
                problems.push(Problem::cell(
                    table.sheet,
                    pair[1].1 + 1,
                    Some(H_POSITION),
                    format!(
                        "STT {} của thủ tục {} trùng với dòng {}.",
                        pair[1].0,
                        entry.proc.code,
                        pair[0].1 + 1
                    ),
                ));
                entry.complete = false;
            }
        }
        let (list, rows) = target(entry);
        for (_, row, item) in items {
            list.push(item);
            rows.push(row);
        }
    }
}

fn read_document(row: &mut Row<'_>) -> Option<RequiredDocument> {
    let name = row.text_or_empty(H_DOC_NAME);
    let kind = row.enumerated::<DocumentKind>(H_DOC_KIND, &document_kind_codes(), "loại bản");
    let count = row.bounded::<u16>(H_DOC_COUNT, 0);
    let form_name = row.text(H_FORM_NAME);
    let form_url = row.text(H_FORM_URL);
    let note = row.text(H_NOTE);
    Some(RequiredDocument {
        name,
        kind: kind?,
        count: count?,
        form_name,
        form_url,
        note,
    })
}

fn read_fee(row: &mut Row<'_>) -> Option<Fee> {
    let name = row.text_or_empty(H_FEE_NAME);
    let kind = row.required_code(H_RULE).and_then(|code| {
        if RULES.iter().any(|(c, _)| *c == code) {
            Some(code)
        } else {
            row.fail(
                H_RULE,
                format!(
                    "«{code}» không phải là mã cách tính; các mã hợp lệ: {}.",
                    rule_codes().join(", ")
                ),
            );
            None
        }
    });
    let exemptions =
        row.code_list::<Exemption>(H_EXEMPTIONS, &codes(&Exemption::ALL), "đối tượng miễn");
    let note = row.text(H_NOTE);
    let rule = match kind.as_deref() {
        Some("free") => {
            row.must_be_empty(H_AMOUNT, "cách tính free không có số tiền");
            row.must_be_empty(H_TIERS, "cách tính free không có mức theo trang");
            row.must_be_empty(H_CAP, "cách tính free không có mức tối đa");
            Some(FeeRule::Free)
        }
        Some(kind @ ("fixed" | "per_case" | "per_copy")) => {
            let amount = row.required_integer(H_AMOUNT);
            row.must_be_empty(
                H_TIERS,
                &format!("cách tính {kind} không dùng mức theo trang"),
            );
            row.must_be_empty(H_CAP, &format!("cách tính {kind} không có mức tối đa"));
            amount.map(|amount| match kind {
                "fixed" => FeeRule::Fixed { amount },
                "per_case" => FeeRule::PerCase { amount },
                _ => FeeRule::PerCopy { amount },
            })
        }
        Some("per_page") => {
            row.must_be_empty(
                H_AMOUNT,
                "cách tính per_page ghi số tiền trong cột «Mức theo trang»",
            );
            let tiers = if row.cell(H_TIERS).is_none() {
                row.fail(
                    H_TIERS,
                    "cách tính per_page cần các mức, ví dụ 1:2000;3:1000.".to_owned(),
                );
                None
            } else {
                row.tiers(H_TIERS)
            };
            let cap = row.integer(H_CAP);
            tiers.map(|tiers| FeeRule::PerPage {
                tiers,
                cap_per_copy: cap,
            })
        }
        // An unknown code is already reported.
        _ => None,
    };
    Some(Fee {
        name,
        rule: rule?,
        exemptions: exemptions?,
        note,
    })
}

fn read_result(row: &mut Row<'_>) -> Option<ResultKind> {
    let name = row.text_or_empty(H_RESULT_NAME);
    let register_entry = row.yes_no(H_REGISTER);
    Some(ResultKind {
        name,
        register_entry: register_entry?,
    })
}

fn read_step(row: &mut Row<'_>) -> Option<ProcessStep> {
    let name = row.text_or_empty(H_STEP_NAME);
    let role = row.enumerated::<StepRole>(H_ROLE, &role_codes(), "người thực hiện");
    let share = row.share(H_SHARE);
    Some(ProcessStep {
        name,
        role: role?,
        share: share?,
    })
}

fn read_link(row: &mut Row<'_>) -> Option<LinkedProcedure> {
    let code = row.required_code(H_LINK_CODE);
    let name = row.text_or_empty(H_LINK_NAME);
    let agency = row.enumerated::<AgencyKind>(H_AGENCY, &agency_codes(), "cơ quan");
    Some(LinkedProcedure {
        code: code?,
        name,
        agency_kind: agency?,
    })
}

#[cfg(test)]
mod tests;
