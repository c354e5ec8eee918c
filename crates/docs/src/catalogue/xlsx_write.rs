//! Writing the catalogue as an Excel workbook an officer can read and
//! correct: one sheet per kind of row, drop-down lists, a guide sheet.

use std::collections::HashMap;

use motcua_domain::procedure::{Exemption, FeeRule, Procedure};
use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::layout::*;
use super::CatalogueError;

/// Rows that get the drop-down lists: far more than any catalogue has, and
/// few enough to keep the file small.
const VALIDATED_ROWS: u32 = 5_000;

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
pub(super) enum Cell {
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

pub(super) fn number(n: i64) -> Cell {
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
pub(super) fn sheet_rows(procs: &[Procedure]) -> Vec<SheetData> {
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
            p.civil_register.map_or(Cell::Empty, |c| c.code().into()),
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
pub(super) struct SheetData {
    pub(super) name: &'static str,
    pub(super) columns: &'static [Column],
    pub(super) rows: Vec<Vec<Cell>>,
}

pub(super) fn write_book(sheets: &[SheetData]) -> Result<Vec<u8>, CatalogueError> {
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
