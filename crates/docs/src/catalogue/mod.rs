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

mod json;
mod layout;
mod xlsx_read;
mod xlsx_write;

use std::fmt;

pub use json::{from_json, to_json};
pub use layout::{
    tiers_text, SHEET_DOCUMENTS, SHEET_FEES, SHEET_GUIDE, SHEET_LINKED, SHEET_PROCEDURES,
    SHEET_RESULTS, SHEET_STEPS,
};
pub use xlsx_read::from_xlsx;
pub use xlsx_write::to_xlsx;

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

#[cfg(test)]
mod tests;
