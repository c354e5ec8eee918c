//! Reading legacy civil-status workbooks (issue 11): the Excel files officers
//! typed registers into, one sheet a year, often in TCVN3 or VNI fonts.
//!
//! [`read_workbook`] turns an .xlsx or .xls into clean, typed rows: text decoded
//! to Unicode NFC cell by cell ([`motcua_domain::text::encoding`]), dates read
//! from Excel serials or typed forms ([`date`]), identity numbers kept as text
//! and flagged when a numeric cell lost their leading zeros, columns mapped
//! from their Vietnamese titles to the shared field names ([`header`]). Every
//! row below the header is returned, blank ones flagged, so that an importer can
//! account for every row. Nothing here writes anywhere.
//!
//! Fonts: for .xlsx each cell's style is read in the same pass as its value
//! (calamine's cells reader), and its font name used as the encoding hint; for
//! .xls the text cells' fonts are read from the BIFF8 records ([`xls_fonts`]).
//! Cells in a Unicode font, and rich-text cells whose runs carry their own fonts,
//! have their encoding detected from the text alone.

pub mod date;
pub mod header;
mod import;
#[cfg(feature = "sample")]
pub mod sample;
mod xls_fonts;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Range, Reader, Xls, Xlsx};
use motcua_domain::civil::columns::{self, NOTES_SHEET, NOTE_COLUMNS};
use motcua_domain::civil::{Kind, NoteLine};
use motcua_domain::personal_id::PersonalId;
use motcua_domain::text::clean;
use motcua_domain::text::encoding::{decode, encoding_of_font, Legacy};

pub use header::{field_type, FieldType, Mapping};
pub use import::import_rows;

use date::DateOrYear;
use header::Family;

/// Rows searched for the header.
pub const HEADER_SEARCH_ROWS: u32 = 15;

/// A workbook read.
#[derive(Debug, Clone, PartialEq)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
    /// The lines of an export's notes sheet ([`motcua_domain::civil::columns::NOTES_SHEET`]).
    pub notes: Vec<NoteLine>,
    /// Sheets left out because their name says they hold another kind of
    /// register ("Khai tử 2015" when births are read), as in an export.
    pub skipped: Vec<String>,
}

/// One worksheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// The year the sheet name gives ("2014", "Năm 2015"), a hint for the book year.
    pub book_year: Option<i16>,
    /// The header row as Excel shows it (1-based); `None` when no row of the
    /// first [`HEADER_SEARCH_ROWS`] looks like one (then `rows` is empty).
    pub header_row: Option<u32>,
    pub columns: Vec<MappedColumn>,
    /// Every row from the one below the header to the last used row.
    pub rows: Vec<Row>,
    /// Titles of the columns that map to no field, as written (decoded), with
    /// their column letter: "G: Số thứ tự".
    pub unmapped: Vec<String>,
}

/// A column mapped to a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedColumn {
    /// 0-based column index.
    pub index: u32,
    /// Column letter as Excel shows it ("A", "AB").
    pub letter: String,
    /// The title as written (decoded to Unicode); a two-row title is joined by " / ".
    pub header: String,
    /// Field name (FIELDS.md).
    pub field: String,
}

/// A data row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Row number as Excel shows it (1-based).
    pub excel_row: u32,
    /// No mapped or unmapped cell holds anything but white space.
    pub blank: bool,
    /// Field name → value, for the non-empty cells of mapped columns.
    pub values: BTreeMap<String, Value>,
}

/// A cell's value, typed by its field ([`field_type`]): the registers' own cell,
/// so that an import takes the rows as read. `Invalid` carries the reason, in
/// Vietnamese, that the cell could not be read as its field requires.
pub use motcua_domain::civil::Cell as Value;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("Tệp «{0}» không phải bảng tính Excel (.xlsx hoặc .xls).")]
    NotAWorkbook(String),
    #[error("Không đọc được tệp «{file}»: {detail}")]
    Unreadable { file: String, detail: String },
    #[error("Loại sổ «{0}» không được hỗ trợ.")]
    UnknownKind(String),
}

/// Reads every sheet of a workbook for a register `kind` ("birth", "death",
/// "marriage", or another kind, mapped with the names that fit). A `kind` that
/// names no register ("other": a list of people) reads every sheet, whatever
/// its name.
///
/// `file_name` only names the file in errors; the format is recognised from the
/// bytes (.xlsx is a zip, .xls an OLE compound file).
pub fn read_workbook(
    bytes: &[u8],
    file_name: &str,
    kind: &str,
    overrides: &Mapping,
) -> Result<Workbook, ReadError> {
    let family = Family::of_kind(kind).ok_or_else(|| ReadError::UnknownKind(kind.to_string()))?;
    let this_year = jiff::Zoned::now()
        .with_time_zone(
            jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap_or(jiff::tz::TimeZone::UTC),
        )
        .year();
    let unreadable = |detail: String| ReadError::Unreadable {
        file: file_name.to_string(),
        detail,
    };
    let mut out = Workbook {
        sheets: Vec::new(),
        notes: Vec::new(),
        skipped: Vec::new(),
    };
    let wanted = Kind::parse(kind);
    let mut take = |ctx: &SheetInput| {
        if ctx.name == NOTES_SHEET {
            out.notes.extend(read_notes(ctx));
        } else if wanted.is_some()
            && Kind::of_sheet_name(ctx.name).is_some_and(|k| Some(k) != wanted)
        {
            out.skipped.push(ctx.name.to_string());
        } else {
            out.sheets.push(read_sheet(ctx, family, wanted, overrides));
        }
    };
    if bytes.starts_with(b"PK\x03\x04") {
        let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
        let is_1904 = book.has_1904_epoch();
        let names = book.sheet_names();
        // A sheet lists its merged regions after its cells, so calamine reads the
        // whole sheet again to find them: done on another core, by a reader of its
        // own, while this one reads the cells.
        let (merges, sheets) = std::thread::scope(|s| {
            let merges = s.spawn(|| merged_regions(bytes, &names));
            let sheets: Vec<_> = names
                .iter()
                .map(|name| match xlsx_cells(&mut book, name) {
                    Ok(read) => Ok(read),
                    // A sheet whose styles cannot be read is still read, by detection.
                    Err(_) => book
                        .worksheet_range(name)
                        .map(|range| (range, Vec::new()))
                        .map_err(|e| unreadable(e.to_string())),
                })
                .collect();
            (merges.join(), sheets)
        });
        let merges = merges.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        for ((name, read), merges) in names.iter().zip(sheets).zip(merges) {
            let (range, hints) = read?;
            take(&SheetInput::new(
                name, &range, &hints, &merges, is_1904, this_year,
            ));
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let mut book = Xls::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
        let is_1904 = book.has_1904_epoch();
        let fonts = xls_fonts::text_cell_fonts(bytes);
        for name in book.sheet_names() {
            let range = book
                .worksheet_range(&name)
                .map_err(|e| unreadable(e.to_string()))?;
            let merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
            let hints = fonts
                .get(&name)
                .map(|cells| hint_grid(&range, cells))
                .unwrap_or_default();
            take(&SheetInput::new(
                &name, &range, &hints, &merges, is_1904, this_year,
            ));
        }
    } else {
        return Err(ReadError::NotAWorkbook(file_name.to_string()));
    }
    Ok(out)
}

/// An export's notes sheet: the first row names the columns ([`NOTE_COLUMNS`]),
/// every non-empty row below is a line, its cells as text.
fn read_notes(input: &SheetInput) -> Vec<NoteLine> {
    let (Some(start), Some(end)) = (input.range.start(), input.range.end()) else {
        return Vec::new();
    };
    let mut at: BTreeMap<&str, u32> = BTreeMap::new();
    for col in start.1..=end.1 {
        let title = header::normalise(&input.title(start.0, col));
        if let Some((key, _)) = NOTE_COLUMNS
            .iter()
            .find(|(_, t)| header::normalise(t) == title)
        {
            at.entry(key).or_insert(col);
        }
    }
    let text = |row: u32, key: &str| -> String {
        let Some(&col) = at.get(key) else {
            return String::new();
        };
        match input.cell(row, col) {
            Data::String(s) => input.text(s, row, col),
            Data::Empty => String::new(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::DateTime(dt) => date::from_serial(dt.as_f64(), input.is_1904)
                .map(date::dmy)
                .unwrap_or_else(|_| dt.to_string()),
            other => other.to_string(),
        }
    };
    let mut lines = Vec::new();
    for row in start.0 + 1..=end.0 {
        if (start.1..=end.1).all(|col| is_empty(input.cell(row, col))) {
            continue;
        }
        let field = Some(text(row, "field"))
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| text(row, "field_label"));
        lines.push(NoteLine {
            sheet: input.name.to_string(),
            excel_row: row + 1,
            kind: text(row, "kind"),
            book_year: text(row, "book_year"),
            book: text(row, "book"),
            number: text(row, "number"),
            seq: text(row, "seq"),
            note_kind: text(row, "note_kind"),
            on: text(row, "on"),
            field,
            after: text(row, "after"),
            reason: text(row, "reason"),
            basis: text(row, "basis"),
        });
    }
    lines
}

/// A sheet's used cells, in one pass over its XML: the values and, from each
/// cell's font, its encoding hint (calamine's `worksheet_range` and
/// `worksheet_style` would each inflate and parse the sheet).
fn xlsx_cells(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
) -> Result<(Range<Data>, Vec<Option<Legacy>>), calamine::XlsxError> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // A chart sheet holds no cells.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok((Range::default(), Vec::new())),
        Err(e) => return Err(e),
    };
    // The palette is small: each style's font is looked at once, not each cell's.
    let palette: Vec<Option<Legacy>> = reader
        .styles()
        .iter()
        .map(|s| {
            s.font
                .as_ref()
                .and_then(|f| f.name.as_deref())
                .and_then(encoding_of_font)
        })
        .collect();
    let mut cells = Vec::new();
    let mut hinted: Vec<((u32, u32), Legacy)> = Vec::new();
    while let Some((cell, style)) = reader.next_cell_with_style_id()? {
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let pos = cell.get_position();
        if let Some(Some(hint)) = palette.get(style) {
            hinted.push((pos, *hint));
        }
        cells.push(calamine::Cell::new(pos, Data::from(value.clone())));
    }
    drop(reader);
    let range = Range::from_sparse(cells);
    let hints = hint_grid(&range, &hinted);
    Ok((range, hints))
}

/// The cells' hints laid out row-major over `range` (what [`SheetInput`] reads);
/// empty when no cell has one.
fn hint_grid(range: &Range<Data>, hinted: &[((u32, u32), Legacy)]) -> Vec<Option<Legacy>> {
    let (Some(start), false) = (range.start(), hinted.is_empty()) else {
        return Vec::new();
    };
    let width = range.width();
    let mut hints = vec![None; range.height() * width];
    for &((row, col), hint) in hinted {
        let (Some(r), Some(c)) = (row.checked_sub(start.0), col.checked_sub(start.1)) else {
            continue;
        };
        if c as usize >= width {
            continue;
        }
        if let Some(slot) = hints.get_mut(r as usize * width + c as usize) {
            *slot = Some(hint);
        }
    }
    hints
}

/// Each sheet's merged regions (none for a sheet that cannot be read), from a
/// reader of the workbook's own.
fn merged_regions(bytes: &[u8], names: &[String]) -> Vec<Vec<Dimensions>> {
    match Xlsx::new(Cursor::new(bytes)) {
        Ok(mut book) => names
            .iter()
            .map(|n| book.merge_cells_by_sheet_name(n).unwrap_or_default())
            .collect(),
        Err(_) => vec![Vec::new(); names.len()],
    }
}

struct SheetInput<'a> {
    name: &'a str,
    range: &'a Range<Data>,
    /// Each cell's encoding hint, row-major over `range`; empty when no cell is
    /// in a legacy font.
    hints: &'a [Option<Legacy>],
    merges: &'a [Dimensions],
    is_1904: bool,
    this_year: i16,
    /// Each distinct non-ASCII text decoded once per hint: a register repeats
    /// its places, parents' names, sexes and ethnicities thousands of times,
    /// and an .xlsx stores each distinct string once.
    decoded: RefCell<[HashMap<Box<str>, String>; 4]>,
}

impl<'a> SheetInput<'a> {
    fn new(
        name: &'a str,
        range: &'a Range<Data>,
        hints: &'a [Option<Legacy>],
        merges: &'a [Dimensions],
        is_1904: bool,
        this_year: i16,
    ) -> Self {
        SheetInput {
            name,
            range,
            hints,
            merges,
            is_1904,
            this_year,
            decoded: RefCell::default(),
        }
    }

    /// The same sheet with a decoding cache of its own, for another thread.
    fn view(&self) -> SheetInput<'a> {
        SheetInput::new(
            self.name,
            self.range,
            self.hints,
            self.merges,
            self.is_1904,
            self.this_year,
        )
    }

    fn cell(&self, row: u32, col: u32) -> &'a Data {
        static EMPTY: Data = Data::Empty;
        self.range.get_value((row, col)).unwrap_or(&EMPTY)
    }

    fn hint(&self, row: u32, col: u32) -> Option<Legacy> {
        let start = self.range.start()?;
        let (r, c) = (row.checked_sub(start.0)?, col.checked_sub(start.1)?);
        if c as usize >= self.range.width() {
            return None;
        }
        let at = r as usize * self.range.width() + c as usize;
        self.hints.get(at).copied().flatten()
    }

    /// A cell's text decoded to Unicode ([`decode`]) and cleaned ([`clean`]).
    fn text(&self, s: &str, row: u32, col: u32) -> String {
        if s.is_ascii() {
            return clean(s);
        }
        let hint = self.hint(row, col);
        let slot = match hint {
            None => 0,
            Some(Legacy::Tcvn3) => 1,
            Some(Legacy::Tcvn3Capitals) => 2,
            Some(Legacy::Vni) => 3,
        };
        let decoded = &mut self.decoded.borrow_mut()[slot];
        if let Some(text) = decoded.get(s) {
            return text.clone();
        }
        let text = clean(&decode(s, hint));
        decoded.insert(s.into(), text.clone());
        text
    }

    /// The cell's text for a title: decoded, cleaned; a cell covered by a
    /// merged region reads as the region's top-left cell.
    fn title(&self, row: u32, col: u32) -> String {
        let (r, c) = self
            .merges
            .iter()
            .find(|m| m.start.0 <= row && row <= m.end.0 && m.start.1 <= col && col <= m.end.1)
            .map(|m| m.start)
            .unwrap_or((row, col));
        match self.cell(r, c) {
            Data::String(s) => self.text(s, r, c),
            Data::Empty => String::new(),
            other => other.to_string(),
        }
    }

    /// Whether (row, col) lies in a merged region that spans rows row-1 and row.
    fn merged_down(&self, row: u32, col: u32) -> bool {
        row > 0
            && self
                .merges
                .iter()
                .any(|m| m.start.0 < row && row <= m.end.0 && m.start.1 <= col && col <= m.end.1)
    }
}

/// A candidate header: per column, the title as written and the field.
struct Candidate {
    titles: Vec<(u32, String, Option<String>)>,
    score: usize,
}

fn candidate(
    input: &SheetInput,
    row: u32,
    first_col: u32,
    last_col: u32,
    family: Family,
    kind: Option<Kind>,
    overrides: &Mapping,
) -> Candidate {
    let mut titles = Vec::new();
    let mut fields = std::collections::BTreeSet::new();
    for col in first_col..=last_col {
        let own = input.title(row, col);
        // A two-row title: "Mẹ" merged over "Họ tên | Năm sinh | Dân tộc", or
        // "Số" merged down over both rows.
        let above = if row > 0 {
            input.title(row - 1, col)
        } else {
            String::new()
        };
        let title = if input.merged_down(row, col) || own.is_empty() {
            if input.merged_down(row, col) {
                above.clone()
            } else {
                String::new()
            }
        } else if !above.is_empty() && !input.merged_down(row, col) {
            let joined = format!("{above} / {own}");
            let key = header::normalise(&joined);
            if overrides.lookup(&key).is_some()
                || header::field_for_normalised(&key, family).is_some()
                    && header::field_for(&own, family) != header::field_for_normalised(&key, family)
                    && is_group_title(&above)
            {
                joined
            } else {
                own
            }
        } else {
            own
        };
        if title.is_empty() {
            continue;
        }
        let key = header::normalise(&title);
        let field = match overrides.lookup(&key) {
            Some("") => Some(String::new()),
            Some(f) => Some(f.to_string()),
            // An export's own titles first: each names its field exactly.
            None => kind
                .and_then(|k| columns::entry_field_of_title(&key, k, header::normalise))
                .or_else(|| header::field_for_normalised(&key, family))
                .map(str::to_string),
        };
        if let Some(f) = field.as_ref().filter(|f| !f.is_empty()) {
            fields.insert(f.clone());
        }
        titles.push((col, title, field));
    }
    Candidate {
        titles,
        score: fields.len(),
    }
}

/// A title over a group of columns: it names whose values they hold.
fn is_group_title(title: &str) -> bool {
    let key = header::normalise(title);
    key.split(' ')
        .any(|w| matches!(w, "me" | "cha" | "bo" | "chong" | "vo"))
        || key.contains("nguoi di khai")
        || key.contains("nguoi khai")
}

fn read_sheet(
    input: &SheetInput,
    family: Family,
    kind: Option<Kind>,
    overrides: &Mapping,
) -> Sheet {
    let mut sheet = Sheet {
        name: input.name.to_string(),
        book_year: header::year_of_sheet(input.name),
        header_row: None,
        columns: Vec::new(),
        rows: Vec::new(),
        unmapped: Vec::new(),
    };
    let (Some(start), Some(end)) = (input.range.start(), input.range.end()) else {
        return sheet;
    };
    let (first_col, last_col) = (start.1, end.1);
    let mut best: Option<(u32, Candidate)> = None;
    for row in start.0..=end.0.min(start.0 + HEADER_SEARCH_ROWS - 1) {
        let c = candidate(input, row, first_col, last_col, family, kind, overrides);
        if c.score >= 2 && best.as_ref().is_none_or(|(_, b)| c.score > b.score) {
            best = Some((row, c));
        }
    }
    let Some((header_row, cand)) = best else {
        return sheet;
    };
    sheet.header_row = Some(header_row + 1);
    let mut seen = std::collections::BTreeSet::new();
    for (col, title, field) in cand.titles {
        match field {
            Some(f) if f.is_empty() => {}
            // A second column for a field already mapped is reported, not merged.
            Some(f) if seen.insert(f.clone()) => sheet.columns.push(MappedColumn {
                index: col,
                letter: column_letter(col),
                header: title,
                field: f,
            }),
            _ => sheet
                .unmapped
                .push(format!("{}: {}", column_letter(col), title)),
        }
    }
    sheet.rows = convert_rows(
        input,
        &sheet.columns,
        (first_col, last_col),
        header_row + 1,
        end.0,
    );
    sheet
}

/// Below this many rows a sheet is converted on one thread.
const ROWS_PER_THREAD: usize = 4_000;

/// The rows `first..=last`, each cell converted by its column's field; a large
/// sheet in as many parts as there are cores, each with its own decoding cache.
fn convert_rows(
    input: &SheetInput,
    columns: &[MappedColumn],
    cols: (u32, u32),
    first: u32,
    last: u32,
) -> Vec<Row> {
    let count = (last + 1).saturating_sub(first) as usize;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(count / ROWS_PER_THREAD)
        .max(1);
    if threads == 1 {
        return convert_part(input, columns, cols, first, last);
    }
    let step = count.div_ceil(threads) as u32;
    let parts: Vec<(u32, u32)> = (0..threads as u32)
        .map(|i| (first + i * step, (first + (i + 1) * step - 1).min(last)))
        .filter(|(a, b)| a <= b)
        .collect();
    std::thread::scope(|s| {
        let others: Vec<_> = parts[1..]
            .iter()
            .map(|&(a, b)| {
                let view = input.view();
                s.spawn(move || convert_part(&view, columns, cols, a, b))
            })
            .collect();
        let mut rows = convert_part(input, columns, cols, parts[0].0, parts[0].1);
        for part in others {
            rows.extend(
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        rows
    })
}

fn convert_part(
    input: &SheetInput,
    columns: &[MappedColumn],
    (first_col, last_col): (u32, u32),
    first: u32,
    last: u32,
) -> Vec<Row> {
    let mut rows = Vec::with_capacity((last + 1).saturating_sub(first) as usize);
    for row in first..=last {
        let blank = (first_col..=last_col).all(|col| is_empty(input.cell(row, col)));
        let mut values = BTreeMap::new();
        if !blank {
            for column in columns {
                let data = input.cell(row, column.index);
                if let Some(v) = convert(input, data, row, column.index, &column.field) {
                    values.insert(column.field.clone(), v);
                }
            }
        }
        rows.push(Row {
            excel_row: row + 1,
            blank,
            values,
        });
    }
    rows
}

fn is_empty(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// "A", …, "Z", "AA", … for a 0-based index.
pub fn column_letter(mut index: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().map(|&b| b as char).collect()
}

fn convert(input: &SheetInput, data: &Data, row: u32, col: u32, field: &str) -> Option<Value> {
    if is_empty(data) {
        return None;
    }
    let text = |s: &str| input.text(s, row, col);
    let raw = || match data {
        Data::String(s) => text(s),
        other => other.to_string(),
    };
    let invalid = |reason: String| Value::Invalid { raw: raw(), reason };
    if let Data::Error(e) = data {
        return Some(invalid(format!("Ô có lỗi công thức ({e}).")));
    }
    let value = match field_type(field) {
        FieldType::Text => match data {
            Data::String(s) => Value::Text(text(s)),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                Value::Text(format!("{}", *f as i64))
            }
            Data::DateTime(dt) => match date::from_serial(dt.as_f64(), input.is_1904) {
                Ok(d) => Value::Text(date::dmy(d)),
                Err(reason) => invalid(reason),
            },
            other => Value::Text(other.to_string()),
        },
        FieldType::Number => match data {
            Data::Int(i) => Value::Integer(*i),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Value::Integer(*f as i64),
            Data::String(s) => {
                let t = text(s);
                match t.parse::<i64>() {
                    Ok(n) if t.chars().all(|c| c.is_ascii_digit()) => Value::Integer(n),
                    // "12a", "15/KS": kept as written for the importer to judge.
                    _ => Value::Text(t),
                }
            }
            other => Value::Text(other.to_string()),
        },
        FieldType::Date => match read_date(input, data, &text) {
            Ok(DateOrYear::Date(d)) => Value::Date(d),
            Ok(DateOrYear::Year(y)) => Value::Year(y),
            Err(reason) => invalid(reason),
        },
        FieldType::Year => match read_date(input, data, &text) {
            Ok(DateOrYear::Year(y)) => Value::Year(y),
            // A full date where a year is asked: its year.
            Ok(DateOrYear::Date(d)) => Value::Year(d.year()),
            Err(reason) => invalid(reason),
        },
        FieldType::PersonalId => personal_id(data, &text),
    };
    Some(value)
}

fn read_date(
    input: &SheetInput,
    data: &Data,
    text: &dyn Fn(&str) -> String,
) -> Result<DateOrYear, String> {
    let year_range = f64::from(date::MIN_YEAR)..=f64::from(date::MAX_YEAR);
    match data {
        Data::DateTime(dt) => date::from_serial(dt.as_f64(), input.is_1904).map(DateOrYear::Date),
        // A number that is not formatted as a date: a year when it looks like
        // one (1800–2100), a serial otherwise.
        Data::Int(_) | Data::Float(_) => {
            let f = match data {
                Data::Int(i) => *i as f64,
                Data::Float(f) => *f,
                _ => 0.0,
            };
            if f.fract() == 0.0 && year_range.contains(&f) {
                Ok(DateOrYear::Year(f as i16))
            } else {
                date::from_serial(f, input.is_1904).map(DateOrYear::Date)
            }
        }
        Data::String(s) => date::parse_text(&text(s), input.this_year),
        Data::DateTimeIso(s) => date::parse_text(s.get(..10).unwrap_or(s), input.this_year),
        other => Err(format!("Ô «{other}» không phải ngày.")),
    }
}

fn personal_id(data: &Data, text: &dyn Fn(&str) -> String) -> Value {
    let lost_zeros = |digits: String| Value::Invalid {
        reason: format!(
            "Số định danh nằm trong ô kiểu số nên đã mất chữ số 0 ở đầu (còn {} chữ số); \
             hãy định dạng cột là Văn bản và nhập lại đủ chữ số.",
            digits.len()
        ),
        raw: digits,
    };
    match data {
        Data::Int(_) | Data::Float(_) => {
            let f = match data {
                Data::Int(i) => *i as f64,
                Data::Float(f) => *f,
                _ => 0.0,
            };
            if f.fract() != 0.0 || !(0.0..1e15).contains(&f) {
                return Value::Invalid {
                    raw: data.to_string(),
                    reason: "Số định danh nằm trong ô kiểu số và đã bị làm tròn hoặc viết dạng số thực; \
                             hãy định dạng cột là Văn bản và nhập lại."
                        .to_string(),
                };
            }
            let digits = format!("{}", f as i64);
            match digits.len() {
                // Old identity-card numbers (CMND) may start with any digit.
                9 => Value::Text(digits),
                12 => match PersonalId::parse(&digits) {
                    Ok(id) => Value::Text(id.as_str().to_string()),
                    Err(e) => Value::Invalid {
                        raw: digits,
                        reason: e.message_vi(),
                    },
                },
                _ => lost_zeros(digits),
            }
        }
        Data::String(s) => {
            let t = text(s);
            // Spaces and dots typed to group the digits carry nothing.
            let digits: String = t
                .chars()
                .filter(|c| !matches!(c, ' ' | '.' | '\u{a0}'))
                .collect();
            if digits.len() == 9 && digits.chars().all(|c| c.is_ascii_digit()) {
                return Value::Text(digits);
            }
            match PersonalId::parse(&digits) {
                Ok(id) => Value::Text(id.as_str().to_string()),
                Err(e) => Value::Invalid {
                    raw: t,
                    reason: e.message_vi(),
                },
            }
        }
        other => Value::Invalid {
            raw: other.to_string(),
            reason: "Ô không chứa số định danh.".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
