//! The column titles of a register export (`motcua registry export`), shared by
//! the writer (app/docs) and the reader (motcua-legacy) so that an export imports
//! back column for column.

use super::{Field, Kind, BOOK, BOOK_YEAR, NUMBER, REGISTERED_ON, RE_REGISTRATION};

/// The sheet holding every note of change, correction and supplement (and so the
/// entries' history), one line per field a note changed.
pub const NOTES_SHEET: &str = "Ghi chú thay đổi";

/// The columns every entry sheet starts with: (field name, title).
pub const ENTRY_HEAD: [(&str, &str); 5] = [
    (BOOK, "Quyển số"),
    (BOOK_YEAR, "Năm của sổ"),
    (NUMBER, "Số"),
    (REGISTERED_ON, "Ngày đăng ký"),
    (RE_REGISTRATION, "Đăng ký lại"),
];

/// An entry sheet's columns for `kind`: the head, then every field the kind
/// takes under its register label, required ones first.
pub fn entry_columns(kind: Kind) -> Vec<(&'static str, &'static str)> {
    ENTRY_HEAD
        .into_iter()
        .chain(
            kind.required()
                .iter()
                .chain(kind.optional())
                .map(|f| (f.as_str(), f.label_vi())),
        )
        .collect()
}

/// The title an entry sheet gives a field's column (`book` → "Quyển số",
/// `full_name` → "Họ, chữ đệm, tên"): what [`entry_field_of_title`] reads back.
pub fn title_of(name: &str) -> Option<&'static str> {
    ENTRY_HEAD
        .iter()
        .find(|(f, _)| *f == name)
        .map(|(_, t)| *t)
        .or_else(|| Field::parse(name).map(Field::label_vi))
}

/// The field a title of an export's entry sheet names, for `kind`: one of the
/// head columns, or a field's own label when the kind takes that field.
pub fn entry_field_of_title(
    title_key: &str,
    kind: Kind,
    key: impl Fn(&str) -> String,
) -> Option<&'static str> {
    ENTRY_HEAD
        .iter()
        .find(|(_, t)| key(t) == title_key)
        .map(|(f, _)| *f)
        .or_else(|| {
            Field::ALL
                .iter()
                .find(|f| kind.allows(**f) && key(f.label_vi()) == title_key)
                .map(|f| f.as_str())
        })
}

/// The notes sheet's columns: (key, title). `before` is for people reading the
/// history; the import recomputes it.
pub const NOTE_COLUMNS: [(&str, &str); 13] = [
    ("kind", "Loại sổ"),
    ("book_year", "Năm của sổ"),
    ("book", "Quyển số"),
    ("number", "Số"),
    ("seq", "Ghi chú thứ"),
    ("note_kind", "Loại ghi chú"),
    ("on", "Ngày ghi chú"),
    ("field_label", "Mục"),
    ("field", "Mã mục"),
    ("before", "Giá trị trước"),
    ("after", "Giá trị sau"),
    ("reason", "Lý do"),
    ("basis", "Căn cứ"),
];
