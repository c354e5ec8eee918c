//! Administration of the procedure catalogue: Excel/JSON export and import, a
//! procedure's versions and its full editor, and which procedures an agency performs.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use motcua_app::catalogue::CatalogueFormat;
use motcua_app::{Error, Principal};
use motcua_domain::access::Action;
use serde::Deserialize;

use super::datetime_vn;
use super::procedure_form;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::session::SignedIn;
use crate::AppState;

const HERE: &str = "/quan-tri/thu-tuc";

fn err(s: &SignedIn) -> impl Fn(Error) -> PageError + '_ {
    move |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(s, HERE)),
    }
}

/// Errors a person fixes in the file or the form; anything else is an error page.
fn messages(e: Error) -> Result<Vec<String>, Error> {
    match e {
        Error::Invalid(errors) => Ok(errors.0.into_iter().map(|f| f.message).collect()),
        Error::Conflict(m) => Ok(vec![m]),
        other => Err(other),
    }
}

struct Row {
    code: String,
    name: String,
    sector_name: String,
    version: i64,
    enabled: bool,
    /// The agencies below the administrator's that perform it.
    performers: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin_procedures.html")]
struct ListPage {
    chrome: Chrome,
    agency_name: String,
    enabled_count: usize,
    rows: Vec<Row>,
    total: usize,
    can_edit: bool,
    can_enable: bool,
    /// Whether the administrator has agencies below theirs (a province).
    over_others: bool,
    notice: Option<String>,
    errors: Vec<String>,
    q: String,
    sector: String,
    sectors: Vec<(String, String)>,
    sector_errors: bool,
}

#[derive(Deserialize, Default)]
pub struct Notice {
    ok: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default, rename = "linh-vuc")]
    sector: String,
    /// The errors shown are the sector form's.
    #[serde(skip)]
    sector_errors: bool,
}

async fn list_page(
    state: &AppState,
    s: &SignedIn,
    filter: &Notice,
    notice: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let total = state
        .app
        .search_procedures("", None, None, 100_000)
        .await
        .map_err(err(s))?
        .len();
    let all = state
        .app
        .search_procedures(&filter.q, Some(&filter.sector), None, 100_000)
        .await
        .map_err(err(s))?;
    let enabled = state
        .app
        .enabled_procedures(&s.actor, &s.actor.agency.code)
        .await
        .map_err(err(s))?;
    let sectors = state.app.sectors().await.map_err(err(s))?;
    let mut performers = state.app.performers_below(&s.actor).await.map_err(err(s))?;
    let over_others = state
        .app
        .list_agencies(&s.actor)
        .await
        .map_err(err(s))?
        .iter()
        .any(|a| a.depth > 0);
    let rows: Vec<Row> = all
        .into_iter()
        .map(|e| Row {
            enabled: enabled.contains(&e.procedure.code),
            version: e.version,
            sector_name: sectors
                .iter()
                .find(|x| x.0 == e.procedure.sector)
                .map_or_else(|| e.procedure.sector.clone(), |x| x.1.clone()),
            performers: performers.remove(&e.procedure.code).unwrap_or_default(),
            code: e.procedure.code,
            name: e.procedure.name,
        })
        .collect();
    Ok(render(
        status,
        &ListPage {
            chrome: Chrome::for_user(s, HERE),
            agency_name: s.actor.agency.name.clone(),
            enabled_count: enabled.len(),
            rows,
            total,
            can_edit: s.actor.is_top_admin(),
            can_enable: s.actor.may(Action::ManageAgency, &s.actor.agency.path),
            over_others,
            notice,
            errors,
            q: filter.q.clone(),
            sector: filter.sector.clone(),
            sectors,
            sector_errors: filter.sector_errors,
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = n.ok.as_ref().map(|m| match m.as_str() {
        "nhap" => "Đã nhập danh mục.".to_owned(),
        "linh-vuc" => "Đã lưu lĩnh vực.".to_owned(),
        _ => "Đã lưu.".to_owned(),
    });
    list_page(&state, &s, &n, notice, Vec::new(), StatusCode::OK).await
}

pub async fn download(
    State(state): State<AppState>,
    s: SignedIn,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let format = CatalogueFormat::of_file(&file).map_err(err(&s))?;
    let bytes = state
        .app
        .export_catalogue_as(format)
        .await
        .map_err(err(&s))?;
    let (mime, ext) = match format {
        CatalogueFormat::Json => ("application/json", "json"),
        CatalogueFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"danh-muc-thu-tuc.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn upload(
    State(state): State<AppState>,
    s: SignedIn,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let (mut csrf, mut file) = (String::new(), None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let msg = format!("Không đọc được tệp tải lên ({e}). Tệp tối đa 2 MB.");
                return list_page(
                    &state,
                    &s,
                    &Notice::default(),
                    None,
                    vec![msg],
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("tep") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.unwrap_or_default();
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    s.check_csrf(&csrf)?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return list_page(
            &state,
            &s,
            &Notice::default(),
            None,
            vec!["Vui lòng chọn tệp danh mục.".into()],
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let result = match CatalogueFormat::of_file(&name) {
        Ok(format) => {
            state
                .app
                .import_catalogue_file(&Principal::from(&s.actor), format, &bytes)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => {
            let notice = format!(
                "Đã nhập danh mục: thêm mới {}, cập nhật {}, không đổi {}.",
                r.created, r.updated, r.unchanged
            );
            list_page(
                &state,
                &s,
                &Notice::default(),
                Some(notice),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            let errors = messages(e).map_err(err(&s))?;
            list_page(
                &state,
                &s,
                &Notice::default(),
                None,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct SectorForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// Adds a sector, or renames one.
pub async fn save_sector(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<SectorForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    match state
        .app
        .save_sector(&Principal::from(&s.actor), &f.code, &f.name)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{HERE}?ok=linh-vuc#linh-vuc")).into_response()),
        Err(e) => {
            let errors = messages(e).map_err(err(&s))?;
            let filter = Notice {
                sector_errors: true,
                ..Notice::default()
            };
            list_page(&state, &s, &filter, None, errors, StatusCode::BAD_REQUEST).await
        }
    }
}

#[derive(Deserialize)]
pub struct EnableForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    bat: String,
}

pub async fn enable(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(f): Form<EnableForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    state
        .app
        .set_procedure_enabled(
            &Principal::from(&s.actor),
            &s.actor.agency.code,
            &code,
            f.bat == "1",
        )
        .await
        .map_err(err(&s))?;
    Ok(Redirect::to(&format!("{HERE}?ok=luu")).into_response())
}

#[derive(Template)]
#[template(path = "admin_procedure.html")]
struct EditPage {
    chrome: Chrome,
    code: String,
    name: String,
    body: String,
    versions: Vec<(i64, String, String, String)>,
    can_edit: bool,
    notice: Option<String>,
    errors: Vec<String>,
    form: procedure_form::View,
    sectors: Vec<(String, String)>,
    /// The JSON view is open: its content was just refused.
    advanced_open: bool,
    document_kinds: [(&'static str, &'static str); 4],
    fee_kinds: [(&'static str, &'static str); 4],
    roles: [(&'static str, &'static str); 3],
    units: [(&'static str, &'static str); 5],
    online: [(&'static str, &'static str); 3],
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    body: Option<String>,
    form: Option<procedure_form::View>,
    notice: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let entry = state.app.procedure_latest(code).await.map_err(err(s))?;
    let sectors = state.app.sectors().await.map_err(err(s))?;
    let advanced_open = body.is_some();
    let form = form.unwrap_or_else(|| procedure_form::view_of(&entry.procedure));
    let versions = state
        .app
        .procedure_versions(code)
        .await
        .map_err(err(s))?
        .into_iter()
        .map(|v| {
            (
                v.version,
                v.effective_from
                    .parse::<jiff::civil::Date>()
                    .map(|d| d.strftime("%d/%m/%Y").to_string())
                    .unwrap_or(v.effective_from),
                datetime_vn(v.created_at),
                v.created_by_name,
            )
        })
        .collect();
    let body = match body {
        Some(b) => b,
        None => serde_json::to_string_pretty(&entry.procedure)
            .map_err(|e| err(s)(Error::internal("the procedure as JSON", e)))?,
    };
    Ok(render(
        status,
        &EditPage {
            chrome: Chrome::for_user(s, HERE),
            code: entry.procedure.code,
            name: entry.procedure.name,
            body,
            versions,
            can_edit: s.actor.is_top_admin(),
            notice,
            errors,
            form,
            sectors,
            advanced_open,
            document_kinds: procedure_form::DOCUMENT_KINDS,
            fee_kinds: procedure_form::FEE_KINDS,
            roles: procedure_form::ROLES,
            units: procedure_form::LIMIT_UNITS,
            online: procedure_form::ONLINE,
        },
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = n.ok.map(|_| "Đã lưu phiên bản mới.".to_owned());
    edit_page(
        &state,
        &s,
        &code,
        None,
        None,
        notice,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// Saves a new version: from the form (field by field), or from the JSON of the
/// advanced view (`noi_dung`).
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| values.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    s.check_csrf(get("_csrf").map_or("", String::as_str))?;
    if let Some(json) = get("noi_dung") {
        return save_json(&state, &s, &code, json.clone()).await;
    }
    let base = state
        .app
        .procedure_latest(&code)
        .await
        .map_err(err(&s))?
        .procedure;
    let (view, parsed) = procedure_form::parse(&values, &base);
    let result = match parsed {
        Ok(p) => state
            .app
            .save_procedure(&Principal::from(&s.actor), p)
            .await
            .map(|_| ()),
        Err(()) => {
            let n = view.error_count();
            return edit_page(
                &state,
                &s,
                &code,
                None,
                Some(view),
                None,
                vec![format!(
                    "Có {n} mục cần sửa, đánh dấu bên dưới; chưa có gì được lưu."
                )],
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{HERE}/{code}?ok=luu")).into_response()),
        Err(e) => {
            let errors = messages(e).map_err(err(&s))?;
            edit_page(
                &state,
                &s,
                &code,
                None,
                Some(view),
                None,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

async fn save_json(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    noi_dung: String,
) -> Result<Response, PageError> {
    let parsed: Result<motcua_domain::procedure::Procedure, _> = serde_json::from_str(&noi_dung);
    let result = match parsed {
        Err(e) => Err(Error::field(
            "noi_dung",
            format!(
                "Nội dung không đúng cấu trúc thủ tục (dòng {}, cột {}): {e}",
                e.line(),
                e.column()
            ),
        )),
        Ok(p) if p.code != code => Err(Error::field(
            "code",
            format!(
                "Không được đổi mã thủ tục (đang sửa {code}, nội dung ghi {}).",
                p.code
            ),
        )),
        Ok(p) => {
            state
                .app
                .save_procedure(&Principal::from(&s.actor), p)
                .await
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{HERE}/{code}?ok=luu")).into_response()),
        Err(e) => {
            let errors = messages(e).map_err(err(s))?;
            edit_page(
                state,
                s,
                code,
                Some(noi_dung),
                None,
                None,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}
