//! Importing a legacy register workbook as uploaded (the `/ho-tich/nhap` page):
//! the file read by `motcua-legacy`, its rows and notes imported, the rejected
//! rows returned as a workbook to fix and import again.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use motcua_domain::civil::{columns, Kind};
use motcua_domain::text;
use motcua_legacy::{import_rows, read_workbook, Mapping};

use super::{kind_param, rejected_workbook, ImportReport, Registers};
use crate::error::{Error, Result};
use crate::Principal;

/// The most bytes an uploaded register workbook may have: a ward's whole
/// register since 2014 (about 10,000 rows) takes 1–2 MB as .xlsx, 3–5 MB as .xls.
pub const MAX_WORKBOOK_BYTES: usize = 20 * 1024 * 1024;

/// The most corrections to the column mapping one import takes.
pub const MAX_COLUMN_CORRECTIONS: usize = 100;

/// What an import is doing, for a page that shows it while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStage {
    Reading,
    /// Its rows read: the count is of rows.
    Checking,
    /// Its rows checked: the count is of entries to write.
    Writing,
    Done,
}

/// Where an import stands, shared with whoever shows it (set by the import,
/// read at any time from another task).
#[derive(Debug, Default)]
pub struct ImportProgress {
    stage: AtomicU8,
    count: AtomicU64,
}

impl ImportProgress {
    pub(crate) fn set(&self, stage: ImportStage, count: u64) {
        self.count.store(count, Ordering::Relaxed);
        self.stage.store(stage as u8, Ordering::Release);
    }

    pub fn stage(&self) -> ImportStage {
        match self.stage.load(Ordering::Acquire) {
            0 => ImportStage::Reading,
            1 => ImportStage::Checking,
            2 => ImportStage::Writing,
            _ => ImportStage::Done,
        }
    }

    /// "Đang kiểm tra 100.000 dòng…"
    pub fn describe_vi(&self) -> String {
        let n = text::grouped(i64::try_from(self.count.load(Ordering::Relaxed)).unwrap_or(0));
        match self.stage() {
            ImportStage::Reading => "Đang đọc bảng tính…".into(),
            ImportStage::Checking => format!("Đã đọc {n} dòng; đang kiểm tra từng dòng…"),
            ImportStage::Writing => format!("Đang ghi {n} mục vào sổ…"),
            ImportStage::Done => "Đã xong.".into(),
        }
    }

    /// How far along, out of 100, for a progress bar: the stages' usual share
    /// of an import's time (reading a third, checking a sixth, writing the rest).
    pub fn percent(&self) -> u8 {
        match self.stage() {
            ImportStage::Reading => 5,
            ImportStage::Checking => 35,
            ImportStage::Writing => 55,
            ImportStage::Done => 100,
        }
    }
}

/// How a workbook is read and imported.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check and count everything, write nothing.
    pub dry_run: bool,
    /// Told where the import stands as it goes.
    pub progress: Option<Arc<ImportProgress>>,
    /// Corrections to the automatic column mapping, one per line:
    /// "Tiêu đề cột = mục", the field by its code (`father_name`) or its name in
    /// the register ("Họ, chữ đệm, tên người cha"); nothing after "=" leaves the column out.
    pub columns: Vec<String>,
}

/// Reads the corrections of [`ImportOptions::columns`] for a register of `kind`;
/// a line that names no column or no field of that register is refused, saying
/// which line.
pub fn column_mapping(kind: Kind, lines: &[String]) -> Result<Mapping> {
    let lines: Vec<&str> = lines
        .iter()
        .flat_map(|l| l.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > MAX_COLUMN_CORRECTIONS {
        return Err(Error::field(
            "columns",
            format!("Ghép tối đa {MAX_COLUMN_CORRECTIONS} cột."),
        ));
    }
    let known = columns::entry_columns(kind);
    let mut mapping = Mapping::new();
    for (i, line) in lines.iter().enumerate() {
        let at = i + 1;
        let Some((title, field)) = line.split_once('=') else {
            return Err(Error::field(
                "columns",
                format!("Dòng ghép cột {at} «{line}»: ghi «Tiêu đề cột = mục», ví dụ «Tên bố = Họ, chữ đệm, tên người cha»."),
            ));
        };
        let (title, field) = (text::clean(title), text::clean(field));
        if title.is_empty() || text::char_len(&title) > motcua_domain::limits::SHORT_CHARS {
            return Err(Error::field(
                "columns",
                format!("Dòng ghép cột {at}: thiếu tiêu đề cột, hoặc tiêu đề quá dài."),
            ));
        }
        let code = if field.is_empty() {
            ""
        } else {
            let folded = text::fold(&field);
            known
                .iter()
                .find(|(code, title)| *code == field || text::fold(title) == folded)
                .map(|(code, _)| *code)
                .ok_or_else(|| {
                    Error::field(
                        "columns",
                        format!(
                            "Dòng ghép cột {at}: sổ {} không có mục «{field}».",
                            kind.label_vi().to_lowercase()
                        ),
                    )
                })?
        };
        mapping = mapping.with(&title, code);
    }
    Ok(mapping)
}

/// What an uploaded workbook gave.
#[derive(Debug, Clone)]
pub struct FileImport {
    pub report: ImportReport,
    /// Sheets named for another kind of register, left out.
    pub skipped_sheets: Vec<String>,
    /// "sheet: G: Số thứ tự" for each column that maps to no field.
    pub unmapped: Vec<String>,
    /// Sheets where no header row was found (nothing read from them).
    pub without_header: Vec<String>,
    /// The rejected rows as .xlsx, when some were.
    pub rejected_xlsx: Option<Vec<u8>>,
}

impl Registers<'_> {
    /// Reads `bytes` (.xlsx or .xls) as a register of `kind` and imports it; a
    /// file that is no workbook, is empty or too big is refused with a message.
    pub async fn import_file(
        &self,
        by: &Principal,
        agency_code: &str,
        kind: &str,
        file_name: &str,
        bytes: Vec<u8>,
        options: &ImportOptions,
    ) -> Result<FileImport> {
        let kind = kind_param(kind)?;
        let mapping = column_mapping(kind, &options.columns)?;
        let dry_run = options.dry_run;
        let progress = options.progress.as_deref();
        if let Some(p) = progress {
            p.set(ImportStage::Reading, 0);
        }
        if bytes.is_empty() {
            return Err(Error::field(
                "file",
                "Tệp trống: hãy chọn bảng tính sổ hộ tịch.",
            ));
        }
        if bytes.len() > MAX_WORKBOOK_BYTES {
            return Err(Error::field(
                "file",
                format!(
                    "Tệp quá lớn ({} MB); tối đa {} MB.",
                    bytes.len() / (1024 * 1024),
                    MAX_WORKBOOK_BYTES / (1024 * 1024)
                ),
            ));
        }
        // Parsing a workbook is CPU work of up to a second or two: off the
        // request threads.
        let name = file_name.to_owned();
        let mut workbook = tokio::task::spawn_blocking(move || {
            read_workbook(&bytes, &name, kind.as_str(), &mapping)
        })
        .await
        .map_err(|e| Error::internal("reading a workbook", e))?
        .map_err(|e| Error::field("file", e.to_string()))?;
        let without_header: Vec<String> = workbook
            .sheets
            .iter()
            .filter(|s| s.header_row.is_none())
            .map(|s| s.name.clone())
            .collect();
        if workbook.sheets.iter().all(|s| s.rows.is_empty()) && workbook.notes.is_empty() {
            return Err(Error::field(
                "file",
                "Bảng tính không có dòng nào để nhập: không tìm thấy dòng tiêu đề (Họ và tên, Số, Ngày đăng ký…) hoặc dưới tiêu đề không có dòng nào.",
            ));
        }
        let unmapped = workbook
            .sheets
            .iter()
            .flat_map(|s| s.unmapped.iter().map(move |u| format!("{}: {u}", s.name)))
            .collect();
        let rows = import_rows(&mut workbook);
        let report = self
            .import_reporting(
                by,
                agency_code,
                kind.as_str(),
                &rows,
                &workbook.notes,
                dry_run,
                progress,
            )
            .await?;
        if let Some(p) = progress {
            p.set(ImportStage::Done, report.imported);
        }
        let rejected_xlsx = if report.rejected_rows > 0 {
            Some(rejected_workbook(&rows, &report)?)
        } else {
            None
        };
        Ok(FileImport {
            report,
            skipped_sheets: workbook.skipped,
            unmapped,
            without_header,
            rejected_xlsx,
        })
    }
}
