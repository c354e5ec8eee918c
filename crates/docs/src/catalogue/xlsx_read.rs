//! Reading a workbook written by [`super::to_xlsx`], possibly edited by hand:
//! columns found by header, every problem placed by sheet, row and column.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use jiff::civil::Date;
use motcua_domain::calendar::TimeLimit;
use motcua_domain::procedure::{
    AgencyKind, CivilRegistration, DocumentKind, Exemption, Fee, FeeRule, LinkedProcedure,
    OnlineAvailability, PageTier, Procedure, ProcessStep, RequiredDocument, ResultKind,
    ReturnMethod, StepRole, StepShare,
};
use serde::de::DeserializeOwned;
use unicode_normalization::UnicodeNormalization;

use super::layout::*;
use super::{CatalogueError, Location, Problem};

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
                None if OPTIONAL_INPUTS.contains(&column.header) => {}
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
pub(super) fn parse_integer(text: &str) -> Option<i64> {
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
pub(super) fn parse_date(text: &str) -> Option<Date> {
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
pub(super) fn excel_serial_date(serial: f64) -> Option<Date> {
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
                    "civil_register" => Some(H_CIVIL),
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
        let civil_register = row
            .text(H_CIVIL)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .and_then(|t| {
                let parsed = CivilRegistration::parse(&t);
                if parsed.is_none() {
                    row.fail(
                        H_CIVIL,
                        format!("«{t}» không phải là mã ghi sổ hộ tịch (ví dụ birth, birth/re_registration, note)."),
                    );
                }
                parsed
            });
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
                civil_register,
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
