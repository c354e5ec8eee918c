//! The upload page of a legacy register workbook (`/ho-tich/nhap`). With htmx the
//! upload starts the import in the background and the page follows it
//! (`/ho-tich/nhap/{job}`: where it stands, then its report); a plain form post
//! waits for the import and gets the report as the next page.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use motcua_app::registers::{FileImport, ImportOptions, MAX_WORKBOOK_BYTES};
use motcua_app::Principal;
use motcua_domain::civil::Kind;

use super::registers::may_import;
use crate::error::PageError;
use crate::import_jobs::{Outcome, Seen};
use crate::layout::{render, Chrome};
use crate::session::SignedIn;
use crate::AppState;

/// A running import as the page shows it.
struct JobView {
    id: String,
    /// "Đang ghi 9.373 mục vào sổ…"
    says: String,
    percent: u8,
}

#[derive(Template)]
#[template(path = "registers_import.html")]
struct ImportView {
    chrome: Chrome,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    dry_run: bool,
    /// Corrections to the column mapping as typed, one per line.
    columns: String,
    file_name: String,
    error: Option<String>,
    job: Option<JobView>,
    result: Option<FileImport>,
    /// The rejected rows workbook as a `data:` address: downloaded with no
    /// second request and nothing kept on the server.
    rejected_link: Option<String>,
    max_mb: usize,
}

impl ImportView {
    fn new(chrome: Chrome) -> Self {
        ImportView {
            chrome,
            kinds: Kind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label_vi()))
                .collect(),
            kind: Kind::Birth.as_str().into(),
            dry_run: true,
            columns: String::new(),
            file_name: String::new(),
            error: None,
            job: None,
            result: None,
            rejected_link: None,
            max_mb: MAX_WORKBOOK_BYTES / (1024 * 1024),
        }
    }

    /// Shows how an import ended; whether it ran (a report) or was refused.
    fn ended(&mut self, outcome: Outcome) -> bool {
        match outcome {
            Ok(result) => {
                self.rejected_link = result.rejected_xlsx.as_ref().map(|bytes| {
                    use base64::Engine;
                    format!(
                        "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(bytes)
                    )
                });
                self.result = Some(result);
                true
            }
            Err(message) => {
                self.error = Some(message);
                false
            }
        }
    }
}

/// The person's message for an import that could not run; a fault of the system
/// is logged and said in general words.
fn message_of(e: motcua_app::Error) -> String {
    if e.is_internal() {
        tracing::error!(error = %e, "register import failed");
        "Không nhập được tệp này do lỗi hệ thống; hãy thử lại hoặc báo quản trị.".into()
    } else {
        e.message_vi()
    }
}

pub async fn import_form(s: SignedIn) -> Result<Response, PageError> {
    may_import(&s)?;
    let view = ImportView::new(Chrome::for_user(&s, "/ho-tich"));
    Ok(render(StatusCode::OK, &view))
}

/// The upload. With htmx (`HX-Request`) the import starts in the background and
/// the answer is the page following it; otherwise the request waits for the
/// import (a ward's 10,000-row workbook takes under a second) and the browser's
/// own progress shows meanwhile.
pub async fn import_upload(
    State(state): State<AppState>,
    s: SignedIn,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    may_import(&s)?;
    let mut view = ImportView::new(Chrome::for_user(&s, "/ho-tich"));
    let mut csrf = String::new();
    let mut file: Option<Vec<u8>> = None;
    let mut read_error = None;
    view.dry_run = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                read_error = Some(format!(
                    "Không nhận được tệp tải lên: tệp tối đa {} MB, hãy thử lại.",
                    view.max_mb
                ));
                break;
            }
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("kind") => view.kind = field.text().await.unwrap_or_default(),
            Some("dry_run") => view.dry_run = true,
            Some("columns") => view.columns = field.text().await.unwrap_or_default(),
            Some("tep") => {
                view.file_name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(b) => file = Some(b.to_vec()),
                    Err(_) => {
                        read_error = Some(format!(
                            "Tệp quá lớn hoặc tải lên bị gián đoạn; tệp tối đa {} MB.",
                            view.max_mb
                        ));
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    if read_error.is_none() {
        s.check_csrf(&csrf)?;
    }
    let htmx = headers.contains_key("hx-request");
    let bytes = match (read_error, file) {
        (Some(e), _) => Err(e),
        (None, None) => Err("Hãy chọn tệp bảng tính (.xlsx hoặc .xls).".to_owned()),
        (None, Some(bytes)) => Ok(bytes),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(message) => {
            view.ended(Err(message));
            return Ok(render(refused_status(htmx), &view));
        }
    };
    let by = Principal::User(s.actor.clone());
    let agency = s.actor.agency.code.clone();
    if !htmx {
        let outcome = state
            .app
            .registers()
            .import_file(
                &by,
                &agency,
                &view.kind,
                &view.file_name,
                bytes,
                &ImportOptions {
                    dry_run: view.dry_run,
                    columns: vec![view.columns.clone()],
                    progress: None,
                },
            )
            .await
            .map_err(message_of);
        let status = if view.ended(outcome) {
            StatusCode::OK
        } else {
            refused_status(false)
        };
        return Ok(render(status, &view));
    }
    let (id, progress) =
        state
            .imports
            .start(&s.actor.user_id, &view.file_name, &view.kind, view.dry_run);
    let options = ImportOptions {
        dry_run: view.dry_run,
        columns: vec![view.columns.clone()],
        progress: Some(progress.clone()),
    };
    let (app, jobs, job) = (state.app.clone(), state.imports.clone(), id.clone());
    let (kind, file_name) = (view.kind.clone(), view.file_name.clone());
    tokio::spawn(async move {
        let outcome = app
            .registers()
            .import_file(&by, &agency, &kind, &file_name, bytes, &options)
            .await
            .map_err(message_of);
        jobs.finish(&job, outcome);
    });
    view.job = Some(JobView {
        id,
        says: progress.describe_vi(),
        percent: progress.percent(),
    });
    Ok(render(StatusCode::OK, &view))
}

/// Where the import `job` stands, or its report once it is done (shown once).
pub async fn import_job(
    State(state): State<AppState>,
    s: SignedIn,
    headers: HeaderMap,
    Path(job): Path<String>,
) -> Result<Response, PageError> {
    may_import(&s)?;
    let mut view = ImportView::new(Chrome::for_user(&s, "/ho-tich"));
    match state.imports.see(&s.actor.user_id, &job) {
        None => {
            view.error = Some(
                "Không còn lượt nhập này: kết quả đã được xem, hoặc máy chủ đã khởi động lại. Hãy xem sổ, hoặc nhập lại tệp (mục đã có không bị ghi thêm)."
                    .into(),
            );
            // Said with 200 to htmx, so that the page stops asking.
            let status = if headers.contains_key("hx-request") {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            Ok(render(status, &view))
        }
        Some(Seen::Running { progress }) => {
            view.job = Some(JobView {
                id: job,
                says: progress.describe_vi(),
                percent: progress.percent(),
            });
            Ok(render(StatusCode::OK, &view))
        }
        Some(Seen::Finished {
            outcome,
            file_name,
            kind,
            dry_run,
        }) => {
            view.file_name = file_name;
            view.kind = kind;
            view.dry_run = dry_run;
            view.ended(*outcome);
            // htmx swaps only successful answers in: a refusal is said with 200.
            Ok(render(StatusCode::OK, &view))
        }
    }
}

/// htmx swaps only successful answers in; a plain form post gets the proper status.
fn refused_status(htmx: bool) -> StatusCode {
    if htmx {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
