//! Filing a dossier online (`/nop-truc-tuyen`), for anyone: choose the agency and a
//! procedure it offers online, fill in the applicant and attach the papers; the
//! dossier then waits for the counter to accept it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use motcua_app::Error;
use motcua_domain::procedure::{OnlineAvailability, Procedure};
use serde::Deserialize;

use super::dossiers::{procedure_groups, ProcedureGroup, ProcedureOptions};
use super::form_data::{idempotency_key, FormData, Values};
use super::intake_form::{doc_rows, intake_input, proc_info, DocRow, ProcInfo, SEXES};
use super::FormErrors;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::session::{ClientIp, MaybeSignedIn};
use crate::AppState;

/// Double-submit CSRF token of the public form (there is no session).
const CSRF_COOKIE: &str = "motcua_csrf_nop";
const PATH: &str = "/nop-truc-tuyen";

#[derive(Template)]
#[template(path = "online.html")]
struct OnlinePage {
    chrome: Chrome,
    csrf: String,
    idem: String,
    agencies: Vec<(String, String)>,
    agency: String,
    groups: Vec<ProcedureGroup>,
    selected: String,
    sexes: [(&'static str, &'static str); 2],
    proc_info: Option<ProcInfo>,
    docs: Vec<DocRow>,
    form: Values,
    errors: FormErrors,
    online: bool,
}

#[derive(Template)]
#[template(path = "online_done.html")]
struct DonePage {
    chrome: Chrome,
    code: String,
    /// The code's agency part, with its dash: where a phone may break the line.
    code_agency: String,
    /// `yyMMdd-NNNN`: what the citizen copies.
    short: String,
    /// Where the code was also sent.
    phone: String,
    email: String,
    procedure_name: String,
    agency_name: String,
    tracking_url: String,
}

#[derive(Deserialize)]
pub struct OnlineQuery {
    #[serde(default, rename = "co-quan")]
    agency: String,
    #[serde(default, rename = "thu-tuc")]
    procedure: String,
    #[serde(default)]
    tim: String,
}

fn csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((CSRF_COOKIE, value))
        .path(PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

/// A procedure the agency offers online, when the code names one.
async fn online_procedure(state: &AppState, agency: &str, code: &str) -> Option<Procedure> {
    let code = code.trim();
    if agency.is_empty() || code.is_empty() {
        return None;
    }
    state
        .app
        .search_procedures("", None, Some(agency), 2000)
        .await
        .ok()?
        .into_iter()
        .map(|e| e.procedure)
        .find(|p| p.code == code && p.online != OnlineAvailability::None)
}

async fn page(
    state: &AppState,
    signed_in: &MaybeSignedIn,
    jar: CookieJar,
    mut form: Values,
    mut errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let chrome = Chrome::for_maybe(signed_in, PATH);
    let fail = |error| PageError {
        error,
        chrome: Box::new(Chrome::for_maybe(signed_in, PATH)),
    };
    let mut agency = form.get("agency").trim().to_ascii_uppercase();
    let chosen = form.get("procedure").trim().to_owned();
    // Arriving from a procedure's page: the agencies that offer that one online,
    // and the only one chosen at once.
    let mut agencies = Vec::new();
    if agency.is_empty() && !chosen.is_empty() {
        agencies = state
            .app
            .public_agencies(Some(&chosen))
            .await
            .map_err(fail)?;
        if let [(only, _)] = agencies.as_slice() {
            agency = only.clone();
            form.set("agency", only.clone());
        }
    }
    if agencies.len() <= 1 {
        agencies = state.app.public_agencies(None).await.map_err(fail)?;
    }
    let known = agencies.iter().any(|a| a.0 == agency);
    let selected = form.get("procedure").trim().to_owned();
    let groups = if known {
        procedure_groups(state, &agency, form.get("tim"), &selected, true)
            .await
            .map_err(fail)?
    } else {
        Vec::new()
    };
    let procedure = if known {
        online_procedure(state, &agency, &selected).await
    } else {
        None
    };
    if procedure.is_some() {
        if form.get("return_method").is_empty() {
            form.set("return_method", "online");
        }
    } else if !selected.is_empty() && known && errors.is_empty() {
        errors = FormErrors::from_fields(vec![motcua_domain::validation::FieldError::new(
            "procedure",
            "Thủ tục này chưa cung cấp dịch vụ công trực tuyến tại cơ quan đã chọn; mời chọn thủ tục khác hoặc nộp trực tiếp tại Bộ phận một cửa.",
        )]);
    }
    let csrf = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(motcua_app::secrets::random_token);
    let jar = jar.add(csrf_cookie(csrf.clone(), state.config.secure_cookies));
    let idem = form.opt("_idem").unwrap_or_else(idempotency_key);
    let body = render(
        status,
        &OnlinePage {
            chrome,
            csrf,
            idem,
            agencies,
            agency,
            groups,
            selected,
            sexes: SEXES,
            proc_info: procedure.as_ref().map(|p| proc_info(p, true)),
            docs: doc_rows(&form, procedure.as_ref()),
            form,
            errors,
            online: true,
        },
    );
    Ok((jar, body).into_response())
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    jar: CookieJar,
    Query(q): Query<OnlineQuery>,
) -> Result<Response, PageError> {
    let mut form = Values::default();
    form.set("agency", q.agency);
    form.set("procedure", q.procedure);
    form.set("tim", q.tim);
    page(
        &state,
        &signed_in,
        jar,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// htmx: the agency's online procedures matching the search box.
pub async fn procedure_options(
    State(state): State<AppState>,
    Query(q): Query<OnlineQuery>,
) -> Result<Response, PageError> {
    let agency = q.agency.trim().to_ascii_uppercase();
    let groups = if agency.is_empty() {
        Vec::new()
    } else {
        match procedure_groups(&state, &agency, &q.tim, &q.procedure, true).await {
            Ok(g) => g,
            Err(Error::NotFound(_)) => Vec::new(),
            Err(e) => return Err(PageError::from(e)),
        }
    };
    Ok(render(
        StatusCode::OK,
        &ProcedureOptions {
            groups,
            selected: q.procedure,
        },
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    ClientIp(who): ClientIp,
    jar: CookieJar,
    data: FormData,
) -> Result<Response, PageError> {
    let form = data.values.clone();
    let cookie = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if cookie.is_empty() || !motcua_app::secrets::same_secret(&cookie, form.get("_csrf")) {
        return page(
            &state,
            &signed_in,
            jar,
            form,
            FormErrors::with_general(
                "Biểu mẫu đã hết hạn. Vui lòng kiểm tra lại thông tin và gửi lại (chọn lại tệp đính kèm nếu có).",
            ),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let agency = form.get("agency").trim().to_ascii_uppercase();
    let procedure = online_procedure(&state, &agency, form.get("procedure")).await;
    let input = match intake_input(&data, procedure.as_ref(), true) {
        Ok(i) => i,
        Err(fields) => {
            return page(
                &state,
                &signed_in,
                jar,
                form,
                FormErrors::from_fields(fields),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let key = form.opt("_idem");
    match state
        .app
        .dossiers()
        .submit_online(&input, key.as_deref(), &who)
        .await
    {
        Ok(d) => {
            let short = motcua_domain::dossier::DossierCode::parse(&d.code)
                .map(|c| c.short().to_owned())
                .unwrap_or_default();
            let body = render(
                StatusCode::OK,
                &DonePage {
                    chrome: Chrome::for_maybe(&signed_in, PATH),
                    tracking_url: format!("/tra-cuu?ma={}", d.code),
                    code_agency: d.code.strip_suffix(&short).unwrap_or_default().to_owned(),
                    short,
                    phone: form.get("applicant.phone").trim().to_owned(),
                    email: form.get("applicant.email").trim().to_owned(),
                    code: d.code,
                    procedure_name: d.procedure_name,
                    agency_name: d.agency_name,
                },
            );
            Ok(body)
        }
        // Too many submissions: the form comes back as filled in, saying when to
        // send it again.
        Err(e @ Error::Throttled { .. }) => {
            let mut response = page(
                &state,
                &signed_in,
                jar,
                form,
                FormErrors::with_general(e.message_vi()),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            crate::error::set_retry_after(&mut response, &e);
            Ok(response)
        }
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(|error| PageError {
                error,
                chrome: Box::new(Chrome::for_maybe(&signed_in, PATH)),
            })?;
            page(
                &state,
                &signed_in,
                jar,
                form,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}
