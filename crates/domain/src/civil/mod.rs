//! Civil-status registers (sổ hộ tịch): entries of births, deaths, marriages,
//! parent–child recognitions, marital-status confirmations and guardianships, in
//! books per agency, kind and year; and the dated notes of change, correction and
//! supplement that amend an entry without ever overwriting it.

pub mod columns;
mod field;
mod kind;

pub use field::{Field, FieldType};
pub use kind::Kind;

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::calendar::typed_date::{parse_typed_date, TypedDateError};
use crate::personal_id::Sex;
use crate::text;
use crate::validation::{Errors, FieldError};

/// A typed value of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Date(Date),
    Year(i16),
}

impl Value {
    /// As a person reads it: dates dd/mm/yyyy.
    pub fn display(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.strftime("%d/%m/%Y").to_string(),
            Value::Year(y) => y.to_string(),
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    fn to_json(&self) -> Json {
        match self {
            Value::Text(s) => Json::String(s.clone()),
            Value::Date(d) => Json::String(d.to_string()),
            Value::Year(y) => Json::from(*y),
        }
    }

    fn from_json(field: Field, v: &Json) -> Option<Value> {
        match field.field_type() {
            FieldType::Date => v.as_str()?.parse().ok().map(Value::Date),
            FieldType::Year => v
                .as_i64()
                .and_then(|y| i16::try_from(y).ok())
                .map(Value::Year),
            _ => v.as_str().map(|s| Value::Text(s.to_owned())),
        }
    }
}

/// An entry's values, field by field; an absent field is not there.
pub type Values = BTreeMap<Field, Value>;

/// Values as the JSON the store keeps: `{"full_name": "…", "date_of_birth":
/// "2014-03-05", "mother_birth_year": 1990}`, keys in a fixed order so that equal
/// values give equal text.
pub fn values_to_json(values: &Values) -> String {
    let map: serde_json::Map<String, Json> = values
        .iter()
        .map(|(f, v)| (f.as_str().to_owned(), v.to_json()))
        .collect();
    Json::Object(map).to_string()
}

/// The inverse of [`values_to_json`]; unknown or ill-typed keys are dropped.
pub fn values_from_json(s: &str) -> Values {
    let Ok(Json::Object(map)) = serde_json::from_str::<Json>(s) else {
        return Values::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let f = Field::parse(k)?;
            Some((f, Value::from_json(f, v)?))
        })
        .collect()
}

/// One cell of input, as the legacy reader (or a form) hands it over: already
/// decoded, or marked invalid with the reason the reader found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    Text(String),
    Date(Date),
    Year(i16),
    Integer(i64),
    Invalid { raw: String, reason: String },
}

/// One row of a legacy workbook, keyed by the field names of FIELDS.md (plus the
/// common `book`, `number`, `registered_on`, `book_year`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRow {
    pub sheet: String,
    /// The row number as Excel shows it (1-based).
    pub excel_row: u32,
    pub blank: bool,
    pub values: BTreeMap<String, Cell>,
}

/// One line of an export's notes sheet: one field changed by one dated note on
/// the entry at (kind, book year, book, number). A note changing several fields
/// spans several lines with the same `seq`. Cells are kept as written; the import
/// checks them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteLine {
    pub sheet: String,
    pub excel_row: u32,
    /// A kind's code or Vietnamese name.
    pub kind: String,
    pub book_year: String,
    pub book: String,
    pub number: String,
    /// The note's place among the entry's notes, from 1.
    pub seq: String,
    /// change | correction | supplement, or their Vietnamese names.
    pub note_kind: String,
    /// dd/mm/yyyy.
    pub on: String,
    /// A field's name (`Field::as_str`) or its label.
    pub field: String,
    /// The value the note sets; empty when it clears the field.
    pub after: String,
    pub reason: String,
    pub basis: String,
}

/// The re-registration column: "Có", "x", "1" mark a re-registration; empty,
/// "Không", "0" do not; anything else is `None`.
pub fn parse_re_registration(s: &str) -> Option<bool> {
    match text::fold(s.trim()).as_str() {
        "" | "khong" | "0" | "false" => Some(false),
        "co" | "x" | "1" | "true" | "dang ky lai" => Some(true),
        _ => None,
    }
}

/// The column of the re-registration flag in imports and exports.
pub const RE_REGISTRATION: &str = "re_registration";

/// An entry as read from input, before it has its book and number in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: Kind,
    pub re_registration: bool,
    /// The book's label when given (historical entries); `None`: the current book.
    pub book: Option<String>,
    /// The book's year when given; otherwise the year of `registered_on`.
    pub book_year: Option<i16>,
    /// The entry's number when given (historical entries); `None`: the next one.
    pub number: Option<i64>,
    pub registered_on: Date,
    pub values: Values,
}

impl Draft {
    pub fn year(&self) -> i16 {
        self.book_year.unwrap_or(self.registered_on.year())
    }

    /// The book's label as the registers keep it ([`book_label_in`]); the
    /// year's first book when none is given.
    pub fn book_label(&self) -> String {
        match &self.book {
            Some(written) => book_label_in(written, i64::from(self.year())),
            None => default_book_label(self.year()),
        }
    }
}

/// The label of an agency's book of a kind for a year when none is given: "01/2024"
/// (quyển số 01 of that year), as the forms write it.
pub fn default_book_label(year: i16) -> String {
    volume_label(1, i64::from(year))
}

/// The label of volume `volume` of a year's book: "02/2026".
pub fn volume_label(volume: i64, year: i64) -> String {
    format!("{volume:02}/{year}")
}

/// A book's label as the registers keep it, from the way a person or an old
/// register wrote it for the book of year `year`: "1", "01", "Quyển 01",
/// "quyển số 1/2026" are all volume 1 of 2026, kept as "01/2026", the label the
/// registers give their own books. An old Excel register's "Quyển số" column
/// holds "01", and its entries belong to the same physical book as the ones
/// numbered after them. Any other label ("01/2013" in a book of 2014,
/// "03-KS") is kept as written.
pub fn book_label_in(written: &str, year: i64) -> String {
    let trimmed = written.trim();
    let folded = text::fold(trimmed);
    let bare = ["quyen so", "quyen", "q."]
        .iter()
        .find_map(|p| folded.strip_prefix(p))
        .unwrap_or(&folded)
        .trim();
    let (volume, of_year) = match bare.split_once('/') {
        Some((v, y)) => (v.trim(), Some(y.trim())),
        None => (bare, None),
    };
    let volume = (!volume.is_empty() && volume.len() <= 4)
        .then(|| volume.parse::<i64>().ok())
        .flatten()
        .filter(|v| *v > 0);
    match (volume, of_year) {
        (Some(v), None) => volume_label(v, year),
        (Some(v), Some(y)) if y.parse::<i64>().ok() == Some(year) => volume_label(v, year),
        _ => trimmed.to_owned(),
    }
}

/// Whether a label a person typed names the book kept as `label` for `year`.
pub fn names_book(typed: &str, label: &str, year: i64) -> bool {
    typed.trim() == label || book_label_in(typed, year) == label
}

/// The volume a label numbers ("02/2026" → 2), if it starts with one.
pub fn volume_of(label: &str) -> Option<i64> {
    let digits: String = label
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|v| *v > 0)
}

/// The book a new entry of a year goes to, from that year's books of its kind
/// (label, closed): the one of the highest volume, the year's first when there
/// is none. When that book is closed the year's register is closed and the
/// entry is refused; a full book is not closed alone but followed by the next
/// volume ([`volume_label`]), in which the numbers go on (Circular 04/2020/TT-BTP,
/// art. 28: numbers run from 01 to the end of the year, never restarting at 01
/// in a new volume).
pub fn current_book_label<'a>(
    books: impl IntoIterator<Item = (&'a str, bool)>,
    year: i64,
) -> String {
    books
        .into_iter()
        .filter_map(|(label, closed)| volume_of(label).map(|v| (v, !closed, label)))
        .max()
        .map_or_else(|| volume_label(1, year), |(_, _, label)| label.to_owned())
}

/// The years an entry's dates may fall in: registers started in the 19th century
/// (re-registrations of old births), and nothing is registered in the future.
pub const FIRST_YEAR: i16 = 1850;
pub const LAST_YEAR: i16 = 2200;

/// Reads a date typed as text: `dd/mm/yyyy` (also `-` or `.`), or `YYYY-MM-DD`.
/// A date that does not exist is `None`, never a neighbouring day.
pub fn parse_date_text(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let d: i8 = parts[0].parse().ok()?;
    let m: i8 = parts[1].parse().ok()?;
    if parts[2].len() != 4 {
        return None;
    }
    let y: i16 = parts[2].parse().ok()?;
    Date::new(y, m, d).ok()
}

fn cell_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Text(s) => Some(s.clone()),
        Cell::Integer(i) => Some(i.to_string()),
        Cell::Year(y) => Some(y.to_string()),
        Cell::Date(d) => Some(d.strftime("%d/%m/%Y").to_string()),
        Cell::Invalid { .. } => None,
    }
}

/// Whether a cell holds nothing (an empty or white-space text).
fn is_empty(cell: &Cell) -> bool {
    matches!(cell, Cell::Text(s) if s.trim().is_empty())
}

fn year_in_range(field: &str, label: &str, y: i64) -> Result<i16, FieldError> {
    i16::try_from(y)
        .ok()
        .filter(|y| (FIRST_YEAR..=LAST_YEAR).contains(y))
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!("{label}: năm {y} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}."),
            )
        })
}

fn read_date(name: &str, label: &str, cell: &Cell) -> Result<Date, FieldError> {
    let date = match cell {
        Cell::Date(d) => *d,
        Cell::Text(s) => parse_date_text(s).ok_or_else(|| {
            // A day the month does not have says so (31/02: February has 28).
            let why = match parse_typed_date(s) {
                Err(e @ (TypedDateError::Day { .. } | TypedDateError::Month { .. })) => {
                    e.message_vi()
                }
                _ => format!(
                    "«{}» không phải là một ngày có thật (dd/mm/yyyy).",
                    s.trim()
                ),
            };
            FieldError::new(name, format!("{label}: {why}"))
        })?,
        other => {
            return Err(FieldError::new(
                name,
                format!(
                    "{label}: «{}» không phải là một ngày (dd/mm/yyyy).",
                    cell_text(other).unwrap_or_default()
                ),
            ))
        }
    };
    year_in_range(name, label, i64::from(date.year()))?;
    Ok(date)
}

/// Reads one cell for `field`, checking its type, its length and its content.
pub fn read_cell(field: Field, cell: &Cell) -> Result<Value, FieldError> {
    let name = field.as_str();
    let label = field.label_vi();
    if let Cell::Invalid { raw, reason } = cell {
        return Err(FieldError::new(
            name,
            format!("{label}: «{raw}» — {reason}"),
        ));
    }
    match field.field_type() {
        FieldType::Date => read_date(name, label, cell).map(Value::Date),
        FieldType::Year => {
            let y = match cell {
                Cell::Year(y) => i64::from(*y),
                Cell::Integer(i) => *i,
                Cell::Date(d) => i64::from(d.year()),
                Cell::Text(s) => s.trim().parse::<i64>().map_err(|_| {
                    FieldError::new(
                        name,
                        format!("{label}: «{}» không phải là một năm.", s.trim()),
                    )
                })?,
                Cell::Invalid { .. } => unreachable!("handled above"),
            };
            year_in_range(name, label, y).map(Value::Year)
        }
        FieldType::Sex => {
            let s = cell_text(cell).unwrap_or_default();
            Sex::parse(&s)
                .map(|s| Value::Text(s.label_vi().to_owned()))
                .ok_or_else(|| {
                    FieldError::new(
                        name,
                        format!("{label}: «{}» không phải là Nam hoặc Nữ.", s.trim()),
                    )
                })
        }
        FieldType::PersonalId => {
            let s = match cell {
                // A number held in a numeric cell has lost any leading zero: the
                // person must check it, the register must not guess.
                Cell::Integer(i) => {
                    return Err(FieldError::new(
                        name,
                        format!(
                            "{label}: «{i}» được lưu dạng số nên có thể đã mất số 0 ở đầu; hãy nhập lại dưới dạng chữ."
                        ),
                    ))
                }
                other => cell_text(other).unwrap_or_default(),
            };
            let s = s.trim();
            if !(s.len() == 9 || s.len() == 12) || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(FieldError::new(
                    name,
                    format!("{label}: «{s}» phải gồm 12 chữ số (hoặc 9 chữ số với chứng minh nhân dân cũ)."),
                ));
            }
            Ok(Value::Text(s.to_owned()))
        }
        FieldType::Name | FieldType::Text(_) => {
            let raw = cell_text(cell).unwrap_or_default();
            if let Some(c) = text::forbidden_control(&raw, field == Field::Note) {
                return Err(FieldError::new(
                    name,
                    crate::validation::control_message(label, c),
                ));
            }
            let s = text::clean(&raw);
            let max = field.field_type().max_chars();
            if text::char_len(&s) > max {
                return Err(FieldError::new(
                    name,
                    format!("{label} dài quá {max} ký tự."),
                ));
            }
            Ok(Value::Text(s))
        }
    }
}

/// The columns every kind has besides its fields.
pub const BOOK: &str = "book";
pub const NUMBER: &str = "number";
pub const REGISTERED_ON: &str = "registered_on";
pub const BOOK_YEAR: &str = "book_year";

/// The entries one registration writes from `cells`: the entry of `kind`, and
/// with `also` one in that second register too (a birth combined with
/// recognition of a parent, Decree 123/2015/NĐ-CP art. 15), each register taking
/// the fields it has; a field neither has is refused, and a field both take that
/// is wrong is said once.
pub fn read_drafts(
    kind: Kind,
    also: Option<Kind>,
    re_registration: bool,
    cells: &BTreeMap<String, Cell>,
) -> Result<Vec<Draft>, Errors> {
    let Some(also) = also else {
        return read_draft(kind, re_registration, cells).map(|d| vec![d]);
    };
    let mut errors = Errors::new();
    let takes = |k: Kind, name: &str| Field::parse(name).is_none_or(|f| k.allows(f));
    for name in cells.keys() {
        if !takes(kind, name) && !takes(also, name) {
            errors.push(
                name,
                format!(
                    "Cột «{name}» không thuộc {} hay {}.",
                    kind.book_title_vi().to_lowercase(),
                    also.book_title_vi().to_lowercase()
                ),
            );
        }
    }
    let mut out = Vec::new();
    for k in [kind, also] {
        let own: BTreeMap<String, Cell> = cells
            .iter()
            .filter(|(name, _)| takes(k, name))
            .map(|(name, cell)| (name.clone(), cell.clone()))
            .collect();
        match read_draft(k, re_registration, &own) {
            Ok(d) => out.push(d),
            Err(e) => {
                for f in e.0 {
                    if !errors.0.contains(&f) {
                        errors.0.push(f);
                    }
                }
            }
        }
    }
    errors.into_result().map(|()| out)
}

/// Reads an entry of `kind` from cells keyed by field name, collecting every error
/// (each names its column) so that a row or a form is fixed in one go.
pub fn read_draft(
    kind: Kind,
    re_registration: bool,
    cells: &BTreeMap<String, Cell>,
) -> Result<Draft, Errors> {
    let mut errors = Errors::new();
    let mut values = Values::new();
    let mut book = None;
    let mut book_year = None;
    let mut number = None;
    let mut registered_on = None;
    for (name, cell) in cells {
        if is_empty(cell) {
            continue;
        }
        match name.as_str() {
            BOOK => match cell {
                Cell::Invalid { raw, reason } => errors.0.push(FieldError::new(
                    BOOK,
                    format!("Quyển số: «{raw}» — {reason}"),
                )),
                other => {
                    let s = text::clean(&cell_text(other).unwrap_or_default());
                    if text::char_len(&s) > crate::limits::SHORT_CHARS
                        || text::forbidden_control(&s, false).is_some()
                    {
                        errors
                            .0
                            .push(FieldError::new(BOOK, "Quyển số không hợp lệ."));
                    } else {
                        book = Some(s);
                    }
                }
            },
            BOOK_YEAR => {
                book_year = errors.take(match cell {
                    Cell::Year(y) => year_in_range(BOOK_YEAR, "Năm của sổ", i64::from(*y)),
                    Cell::Integer(i) => year_in_range(BOOK_YEAR, "Năm của sổ", *i),
                    Cell::Text(s) => s
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| {
                            FieldError::new(
                                BOOK_YEAR,
                                format!("Năm của sổ: «{}» không phải là một năm.", s.trim()),
                            )
                        })
                        .and_then(|y| year_in_range(BOOK_YEAR, "Năm của sổ", y)),
                    other => Err(FieldError::new(
                        BOOK_YEAR,
                        format!(
                            "Năm của sổ: «{}» không phải là một năm.",
                            cell_text(other).unwrap_or_else(|| raw_of(other))
                        ),
                    )),
                })
            }
            NUMBER => {
                number = errors.take(match cell {
                    Cell::Integer(i) if *i > 0 => Ok(*i),
                    Cell::Year(y) if *y > 0 => Ok(i64::from(*y)),
                    Cell::Text(s) => {
                        s.trim()
                            .parse::<i64>()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| {
                                FieldError::new(
                                    NUMBER,
                                    format!(
                                        "Số: «{}» không phải là một số thứ tự dương.",
                                        s.trim()
                                    ),
                                )
                            })
                    }
                    other => Err(FieldError::new(
                        NUMBER,
                        format!(
                            "Số: «{}» không phải là một số thứ tự dương.",
                            cell_text(other).unwrap_or_else(|| raw_of(other))
                        ),
                    )),
                })
            }
            REGISTERED_ON => {
                registered_on = errors.take(read_date(REGISTERED_ON, "Ngày đăng ký", cell));
            }
            other => match Field::parse(other) {
                Some(f) if kind.allows(f) => {
                    if let Some(v) = errors.take(read_cell(f, cell)) {
                        if !matches!(&v, Value::Text(s) if s.is_empty()) {
                            values.insert(f, v);
                        }
                    }
                }
                _ => errors.0.push(FieldError::new(
                    other,
                    format!(
                        "Cột «{other}» không thuộc {}.",
                        kind.book_title_vi().to_lowercase()
                    ),
                )),
            },
        }
    }
    if registered_on.is_none() && !errors.0.iter().any(|e| e.field == REGISTERED_ON) {
        errors
            .0
            .push(FieldError::new(REGISTERED_ON, "Thiếu ngày đăng ký."));
    }
    for f in kind.required() {
        if !values.contains_key(f) && !errors.0.iter().any(|e| e.field == f.as_str()) {
            errors.0.push(FieldError::new(
                f.as_str(),
                format!("Thiếu «{}».", f.label_vi()),
            ));
        }
    }
    if let (Some(on), Some(Value::Date(born))) = (registered_on, values.get(&kind.birth_field())) {
        if *born > on {
            errors.0.push(FieldError::new(
                kind.birth_field().as_str(),
                "Ngày sinh sau ngày đăng ký.",
            ));
        }
    }
    match registered_on {
        Some(registered_on) if errors.0.is_empty() => Ok(Draft {
            kind,
            re_registration,
            book,
            book_year,
            number,
            registered_on,
            values,
        }),
        _ => Err(errors),
    }
}

fn raw_of(cell: &Cell) -> String {
    match cell {
        Cell::Invalid { raw, .. } => raw.clone(),
        other => cell_text(other).unwrap_or_default(),
    }
}

/// What the store indexes of an entry's current values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searchable {
    /// The name shown in lists (for a marriage, "husband – wife").
    pub display_name: String,
    pub name_fold: String,
    /// The last word of the folded name (the given name, tên), so that "Đức"
    /// finds "Nguyễn Văn Đức".
    pub given_fold: String,
    pub name_key: String,
    pub other_fold: Option<String>,
    pub date_of_birth: Option<Date>,
    pub birth_year: Option<i16>,
    pub personal_id: Option<String>,
    pub mother_fold: Option<String>,
    pub father_fold: Option<String>,
}

pub fn searchable(kind: Kind, values: &Values) -> Searchable {
    let text_of = |f: Field| values.get(&f).and_then(Value::as_text).map(str::to_owned);
    let name = text_of(kind.name_field()).unwrap_or_default();
    let other = kind.other_name_field().and_then(text_of);
    let name_fold = text::fold(&name);
    let given_fold = name_fold.rsplit(' ').next().unwrap_or_default().to_owned();
    let date_of_birth = values.get(&kind.birth_field()).and_then(Value::as_date);
    Searchable {
        display_name: match (&other, kind) {
            (Some(o), Kind::Marriage) => format!("{name} – {o}"),
            _ => name.clone(),
        },
        name_key: text::collation_key(&name),
        name_fold,
        given_fold,
        other_fold: other.as_deref().map(text::fold),
        date_of_birth,
        birth_year: date_of_birth.map(|d| d.year()),
        personal_id: text_of(kind.personal_id_field()),
        mother_fold: text_of(Field::MotherName).map(|s| text::fold(&s)),
        father_fold: text_of(Field::FatherName).map(|s| text::fold(&s)),
    }
}

impl Searchable {
    /// The prefixes a name search finds the entry under ([`text::search_prefixes`]
    /// of the whole name, the given name and the other person's name), once each,
    /// and the empty prefix under which every entry is listed.
    pub fn name_keys(&self) -> Vec<String> {
        name_keys(
            &self.name_fold,
            &self.given_fold,
            self.other_fold.as_deref(),
        )
    }
}

/// [`Searchable::name_keys`] from the folded names as the store holds them.
pub fn name_keys(name_fold: &str, given_fold: &str, other_fold: Option<&str>) -> Vec<String> {
    name_key_slices(name_fold, given_fold, other_fold)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// [`name_keys`] as slices of the names (the empty prefix first), without a copy
/// of each.
pub fn name_key_slices<'a>(
    name_fold: &'a str,
    given_fold: &'a str,
    other_fold: Option<&'a str>,
) -> Vec<&'a str> {
    let mut keys = vec![""];
    for term in [Some(name_fold), Some(given_fold), other_fold]
        .into_iter()
        .flatten()
    {
        text::search_prefix_slices(term, &mut keys);
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// What a note does to an entry: thay đổi, cải chính, bổ sung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Thay đổi hộ tịch: a lawful change (of name, of ethnicity…).
    Change,
    /// Cải chính hộ tịch: a wrong value put right.
    Correction,
    /// Bổ sung thông tin hộ tịch: a value that was missing, filled in.
    Supplement,
    /// Chấm dứt (giám hộ): the day the registered relation ended, in the
    /// register's ending field (`Kind::ending_field`), once.
    Termination,
}

impl NoteKind {
    pub const ALL: [NoteKind; 4] = [
        NoteKind::Change,
        NoteKind::Correction,
        NoteKind::Supplement,
        NoteKind::Termination,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Change => "change",
            NoteKind::Correction => "correction",
            NoteKind::Supplement => "supplement",
            NoteKind::Termination => "termination",
        }
    }

    pub fn parse(s: &str) -> Option<NoteKind> {
        NoteKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// By code or by Vietnamese name ("Cải chính", "cai chinh").
    pub fn parse_label(s: &str) -> Option<NoteKind> {
        NoteKind::parse(s).or_else(|| {
            let f = text::fold(s.trim());
            NoteKind::ALL
                .into_iter()
                .find(|k| text::fold(k.label_vi()) == f)
        })
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            NoteKind::Change => "Thay đổi",
            NoteKind::Correction => "Cải chính",
            NoteKind::Supplement => "Bổ sung",
            NoteKind::Termination => "Chấm dứt",
        }
    }
}

/// A dated note on an entry: the fields it sets (`None` clears one), why, and on
/// the strength of which document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub on: Date,
    pub changes: BTreeMap<Field, Option<Value>>,
    pub reason: String,
    pub basis: Option<String>,
}

pub fn changes_to_json(changes: &BTreeMap<Field, Option<Value>>) -> String {
    let map: serde_json::Map<String, Json> = changes
        .iter()
        .map(|(f, v)| {
            (
                f.as_str().to_owned(),
                v.as_ref().map_or(Json::Null, Value::to_json),
            )
        })
        .collect();
    Json::Object(map).to_string()
}

pub fn changes_from_json(s: &str) -> BTreeMap<Field, Option<Value>> {
    let Ok(Json::Object(map)) = serde_json::from_str::<Json>(s) else {
        return BTreeMap::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let f = Field::parse(k)?;
            if v.is_null() {
                Some((f, None))
            } else {
                Some((f, Some(Value::from_json(f, v)?)))
            }
        })
        .collect()
}

/// Reads a note on an entry of `kind` whose current values are `current`,
/// registered on `registered_on`. A supplement only fills fields that are empty; a
/// change or a correction only alters fields that hold a value, and never empties a
/// required one; every note changes something.
#[allow(clippy::too_many_arguments)] // the entry's three facts, then the note's five
pub fn read_note(
    kind: Kind,
    current: &Values,
    registered_on: Date,
    note_kind: NoteKind,
    on: Date,
    cells: &BTreeMap<String, Cell>,
    reason: &str,
    basis: Option<&str>,
) -> Result<Note, Errors> {
    let mut errors = Errors::new();
    if on < registered_on {
        errors.0.push(FieldError::new(
            "on",
            "Ngày ghi chú không thể trước ngày đăng ký.",
        ));
    }
    let reason = text::clean(reason);
    if reason.is_empty() {
        errors.0.push(FieldError::new(
            "reason",
            "Hãy ghi lý do thay đổi, cải chính hoặc bổ sung.",
        ));
    } else if text::char_len(&reason) > crate::limits::FREE_TEXT_CHARS
        || text::forbidden_control(&reason, true).is_some()
    {
        errors.0.push(FieldError::new(
            "reason",
            "Lý do không hợp lệ hoặc quá dài.",
        ));
    }
    let basis = basis.map(text::clean).filter(|s| !s.is_empty());
    if basis.as_ref().is_some_and(|b| {
        text::char_len(b) > crate::limits::DOCUMENT_NAME_CHARS
            || text::forbidden_control(b, false).is_some()
    }) {
        errors.0.push(FieldError::new(
            "basis",
            "Văn bản làm căn cứ không hợp lệ hoặc quá dài.",
        ));
    }
    let mut changes = BTreeMap::new();
    for (name, cell) in cells {
        let Some(f) = Field::parse(name).filter(|f| kind.allows(*f)) else {
            errors.0.push(FieldError::new(
                name.as_str(),
                format!(
                    "Mục «{name}» không thuộc {}.",
                    kind.book_title_vi().to_lowercase()
                ),
            ));
            continue;
        };
        let value = if is_empty(cell) {
            None
        } else {
            match read_cell(f, cell) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.0.push(e);
                    continue;
                }
            }
        };
        let before = current.get(&f);
        let ends = kind.ending_field() == Some(f);
        let problem = match (note_kind, before, &value) {
            (NoteKind::Termination, _, _) if !ends => Some(match kind.ending_field() {
                Some(e) => format!("Chấm dứt chỉ ghi «{}».", e.label_vi()),
                None => format!(
                    "{} không ghi việc chấm dứt.",
                    kind.book_title_vi()
                ),
            }),
            (NoteKind::Termination, Some(_), _) => Some(format!(
                "Đã ghi chấm dứt ({}): không chấm dứt lần nữa; sai ngày thì cải chính.",
                f.label_vi()
            )),
            (NoteKind::Termination, None, None) => {
                Some(format!("Chấm dứt cần «{}».", f.label_vi()))
            }
            (_, b, v) if b == v.as_ref() => Some(format!("«{}» không thay đổi.", f.label_vi())),
            (NoteKind::Supplement, Some(_), _) => Some(format!(
                "«{}» đã có giá trị: bổ sung chỉ điền mục còn trống; hãy dùng thay đổi hoặc cải chính.",
                f.label_vi()
            )),
            (NoteKind::Supplement, None, None) => Some(format!("Bổ sung «{}» cần một giá trị.", f.label_vi())),
            (NoteKind::Change | NoteKind::Correction, None, _) => Some(format!(
                "«{}» đang trống: hãy dùng bổ sung thông tin.",
                f.label_vi()
            )),
            (_, _, None) if kind.required().contains(&f) => {
                Some(format!("«{}» là mục bắt buộc, không thể xoá.", f.label_vi()))
            }
            _ => None,
        };
        match problem {
            Some(p) => errors.0.push(FieldError::new(f.as_str(), p)),
            None => {
                changes.insert(f, value);
            }
        }
    }
    if changes.is_empty() && errors.0.is_empty() {
        errors.0.push(FieldError::new(
            "changes",
            "Ghi chú phải thay đổi ít nhất một mục.",
        ));
    }
    if errors.0.is_empty() {
        Ok(Note {
            kind: note_kind,
            on,
            changes,
            reason,
            basis,
        })
    } else {
        Err(errors)
    }
}

/// The entry as it stands: its original values with its notes applied in order.
pub fn current(original: &Values, notes: &[Note]) -> Values {
    let mut values = original.clone();
    for note in notes {
        apply(&mut values, note);
    }
    values
}

fn apply(values: &mut Values, note: &Note) {
    for (f, v) in &note.changes {
        match v {
            Some(v) => values.insert(*f, v.clone()),
            None => values.remove(f),
        };
    }
}

/// One change in an entry's history: which note, which field, from what to what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub note: usize,
    pub kind: NoteKind,
    pub on: Date,
    pub field: Field,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: String,
    pub basis: Option<String>,
}

/// Every change the notes made, in order, with the value each replaced.
pub fn history(original: &Values, notes: &[Note]) -> Vec<HistoryLine> {
    let mut values = original.clone();
    let mut out = Vec::new();
    for (i, note) in notes.iter().enumerate() {
        for (f, after) in &note.changes {
            out.push(HistoryLine {
                note: i,
                kind: note.kind,
                on: note.on,
                field: *f,
                before: values.get(f).cloned(),
                after: after.clone(),
                reason: note.reason.clone(),
                basis: note.basis.clone(),
            });
        }
        apply(&mut values, note);
    }
    out
}

#[cfg(test)]
mod tests;
