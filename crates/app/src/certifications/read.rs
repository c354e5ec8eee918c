//! Reading the book: entries by agency, period and kind; counts per day or month
//! by kind with fees collected (an agency, or a supervisor's subtree); the
//! printed statement and the book as a workbook; public verification and
//! revocation of issued documents.

use jiff::civil::Date;
use jiff::Timestamp;
use motcua_domain::access::Action;
use motcua_domain::certification::Kind;
use motcua_domain::report::Period;
use motcua_domain::validation::Errors;
use motcua_domain::{limits, text};
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::certifications as store;
use serde::{Deserialize, Serialize};

use super::{parse_kind, Certification, Certifications};
use crate::error::{Error, Result};
use crate::principal::Actor;

/// Which entries: an agency (the person's own by default), a period of days
/// (today by default), a kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CertificationQuery {
    /// Agency identifier code; the person's own when absent.
    pub agency: Option<String>,
    /// First day, YYYY-MM-DD or dd/mm/yyyy; today when absent.
    pub from: Option<String>,
    /// Last day, inclusive; `from` when absent.
    pub to: Option<String>,
    /// copy, signature, contract, …; every kind when absent.
    pub kind: Option<String>,
}

/// Counts: `by=day` (default) or `month`; `scope=subtree` adds every unit below.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CountQuery {
    pub agency: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// day (default) or month
    pub by: Option<String>,
    /// self (default) or subtree
    pub scope: Option<String>,
}

/// One row of the counts: a day ("2026-03-10") or month ("2026-03") and a kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountRow {
    pub period: String,
    pub kind: String,
    pub kind_label: String,
    pub requests: i64,
    pub copies: i64,
    /// Fees collected, đồng.
    pub fees: i64,
}

/// What the public verification page shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub token: String,
    pub kind: String,
    pub title: String,
    pub agency_name: String,
    pub agency_code: String,
    pub number: Option<i64>,
    pub book: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub issued_at: Timestamp,
    pub issued_by: String,
    pub sha256: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub revoked_at: Option<Timestamp>,
    pub revocation_reason: Option<String>,
    /// A civil-status extract: what a reader compares with the paper, no more.
    pub subject_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub subject_born: Option<Date>,
    pub copies: Option<i64>,
}

/// Entries of one listing at most; a day at the busiest ward is some 100.
pub const MAX_LIST: i64 = 5_000;

fn day_param(field: &str, value: Option<&str>, errors: &mut Errors) -> Option<Date> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if !errors.check_text(field, "Ngày", value, limits::SHORT_CHARS, false) {
        return None;
    }
    let parsed = crate::dossiers::parse_date(value);
    if parsed.is_none() {
        errors.push(
            field,
            format!("«{value}» không phải là một ngày có thật (YYYY-MM-DD hoặc dd/mm/yyyy)."),
        );
    }
    parsed
}

impl Certifications<'_> {
    /// The agency asked for (the actor's own by default), readable by the actor,
    /// and the period.
    async fn scope(
        &self,
        actor: &Actor,
        agency: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        errors: &mut Errors,
    ) -> Result<(AgencyRow, Period)> {
        errors.check_opt_text("agency", "Mã cơ quan", agency, limits::SHORT_CHARS, false);
        let from_day = day_param("from", from, errors);
        let to_day = day_param("to", to, errors);
        let from_day = from_day.unwrap_or_else(|| self.today());
        let to_day = to_day.unwrap_or(from_day);
        let period = match Period::new(from_day, to_day) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.0.push(e);
                None
            }
        };
        std::mem::take(errors).into_result()?;
        let period = period.ok_or_else(|| Error::Internal("period checked above".into()))?;
        let mut conn = self.db.read().await?;
        let agency = match agency.map(str::trim).filter(|s| !s.is_empty()) {
            None => agencies::by_id(&mut conn, &actor.agency.id).await?,
            Some(code) => agencies::by_code(&mut conn, &code.to_ascii_uppercase()).await?,
        }
        .ok_or_else(|| Error::field("agency", "Không tìm thấy cơ quan này."))?;
        actor.require(Action::ReadCertifications, &agency.path)?;
        Ok((agency, period))
    }

    /// The book's entries for an agency, period and kind, in the order written.
    pub async fn list(&self, actor: &Actor, q: &CertificationQuery) -> Result<Vec<Certification>> {
        let mut errors = Errors::new();
        errors.check_opt_text(
            "kind",
            "Loại chứng thực",
            q.kind.as_deref(),
            limits::SHORT_CHARS,
            false,
        );
        let kind = match q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(k) if errors.is_empty() => parse_kind(k, &mut errors),
            _ => None,
        };
        let (agency, period) = self
            .scope(
                actor,
                q.agency.as_deref(),
                q.from.as_deref(),
                q.to.as_deref(),
                &mut errors,
            )
            .await?;
        let mut conn = self.db.read().await?;
        let rows = store::list(
            &mut conn,
            &[agency.id],
            motcua_store::to_millis(period.start()),
            motcua_store::to_millis(period.end()),
            kind,
            MAX_LIST,
        )
        .await?;
        Ok(rows.into_iter().map(|e| self.answer(e)).collect())
    }

    /// One entry, for its printed statement.
    pub async fn get(&self, actor: &Actor, id: &str) -> Result<Certification> {
        let not_found = || Error::NotFound("Không tìm thấy việc chứng thực này.".into());
        if id.len() > limits::SHORT_CHARS {
            return Err(not_found());
        }
        let mut conn = self.db.read().await?;
        let entry = store::entry(&mut conn, id).await?.ok_or_else(not_found)?;
        let agency = agencies::by_id(&mut conn, &entry.agency_id)
            .await?
            .ok_or_else(not_found)?;
        if !actor.may(Action::ReadCertifications, &agency.path) {
            return Err(not_found());
        }
        Ok(self.answer(entry))
    }

    /// Requests, copies and fees per day or month and kind, for an agency or (with
    /// `scope=subtree`) every unit below it the person may read.
    pub async fn counts(&self, actor: &Actor, q: &CountQuery) -> Result<Vec<CountRow>> {
        let mut errors = Errors::new();
        let by_month = match q.by.as_deref().map(str::trim) {
            None | Some("") | Some("day") => false,
            Some("month") => true,
            Some(_) => {
                errors.push("by", "Chia theo day (ngày) hoặc month (tháng).");
                false
            }
        };
        let subtree = match q.scope.as_deref().map(str::trim) {
            None | Some("") | Some("self") => false,
            Some("subtree") => true,
            Some(_) => {
                errors.push(
                    "scope",
                    "Phạm vi là self (cơ quan) hoặc subtree (cả các đơn vị trực thuộc).",
                );
                false
            }
        };
        let (agency, period) = self
            .scope(
                actor,
                q.agency.as_deref(),
                q.from.as_deref(),
                q.to.as_deref(),
                &mut errors,
            )
            .await?;
        let mut conn = self.db.read().await?;
        let ids: Vec<String> = if subtree {
            agencies::subtree(&mut conn, &agency.path)
                .await?
                .into_iter()
                .filter(|a| actor.may(Action::ReadCertifications, &a.path))
                .map(|a| a.id)
                .collect()
        } else {
            vec![agency.id]
        };
        let days = store::counts(
            &mut conn,
            &ids,
            motcua_store::to_millis(period.start()),
            motcua_store::to_millis(period.end()),
        )
        .await?;
        let mut rows: Vec<CountRow> = Vec::new();
        for d in days {
            let date = Date::new(1970, 1, 1)
                .ok()
                .and_then(|epoch| epoch.checked_add(jiff::Span::new().days(d.day)).ok())
                .unwrap_or_default();
            let period = if by_month {
                date.strftime("%Y-%m").to_string()
            } else {
                date.to_string()
            };
            let kind = Kind::parse(&d.kind);
            match rows
                .iter_mut()
                .find(|r| r.period == period && r.kind == d.kind)
            {
                Some(r) => {
                    r.requests += d.requests;
                    r.copies += d.copies;
                    r.fees += d.fees;
                }
                None => rows.push(CountRow {
                    period,
                    kind_label: kind.map_or_else(|| d.kind.clone(), |k| k.label_vi().to_owned()),
                    kind: d.kind,
                    requests: d.requests,
                    copies: d.copies,
                    fees: d.fees,
                }),
            }
        }
        Ok(rows)
    }

    /// What anyone may learn of an issued document from its token; `None` for a
    /// token that names nothing.
    pub async fn verify(&self, token: &str) -> Result<Option<Verification>> {
        let token = token.trim();
        if token.is_empty()
            || token.len() > 100
            || !token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Ok(None);
        }
        let mut conn = self.db.read().await?;
        Ok(store::issued(&mut conn, token)
            .await?
            .map(|d| Verification {
                token: d.token,
                kind: d.kind,
                title: d.title,
                agency_name: d.agency_name,
                agency_code: d.agency_code,
                number: d.number,
                book: d.book,
                issued_at: d.issued_at,
                issued_by: d.issued_by_name,
                sha256: d.sha256,
                revoked_at: d.revoked_at,
                revocation_reason: d.revocation_reason,
                subject_name: d.subject_name,
                subject_born: d.subject_born.and_then(|b| b.parse().ok()),
                copies: d.copies,
            }))
    }

    /// Revokes an issued document (a leader of its agency); the verification page
    /// then says so with the reason.
    pub async fn revoke(&self, actor: &Actor, token: &str, reason: &str) -> Result<Verification> {
        let not_found = || Error::NotFound("Không tìm thấy giấy tờ đã cấp có mã này.".into());
        let mut errors = Errors::new();
        errors.check_text(
            "reason",
            "Lý do thu hồi",
            reason,
            limits::FREE_TEXT_CHARS,
            true,
        );
        let reason = text::clean(reason);
        if reason.is_empty() {
            errors.push("reason", "Cần ghi lý do thu hồi.");
        }
        errors.into_result()?;
        let token = token.trim();
        let mut tx = self.begin_write_as(actor).await?;
        let doc = if token.len() > 100 {
            None
        } else {
            store::issued(&mut tx, token).await?
        }
        .ok_or_else(not_found)?;
        if !actor.may(Action::RevokeIssued, &doc.agency_path) {
            return Err(if actor.may(Action::ReadCertifications, &doc.agency_path) {
                Error::Forbidden("Chỉ lãnh đạo cơ quan cấp được thu hồi giấy tờ đã cấp.".into())
            } else {
                not_found()
            });
        }
        if !store::revoke(&mut tx, token, &actor.user_id, &reason, self.now_ms()).await? {
            return Err(Error::Conflict(
                "Giấy tờ này đã bị thu hồi trước đó.".into(),
            ));
        }
        tx.commit().await?;
        self.verify(token).await?.ok_or_else(not_found)
    }
}

impl Certifications<'_> {
    /// The statement of a same-day certification as a PDF, to print onto the copy.
    pub async fn statement_pdf(&self, actor: &Actor, id: &str) -> Result<(String, Vec<u8>)> {
        let c = self.get(actor, id).await?;
        let number = c.number.ok_or_else(|| {
            Error::NotFound(
                "Yêu cầu này đã thành hồ sơ và chưa được chứng thực: chưa có lời chứng để in."
                    .into(),
            )
        })?;
        let fee = format!("Lệ phí: {} ({})", text::money(c.fee.total), c.fee.in_words);
        let name = format!("loi-chung-{}-{number}.pdf", c.kind);
        let job = Box::new(move |engine: &motcua_docs::PdfEngine| {
            motcua_docs::certification::statement_pdf(
                engine,
                &motcua_docs::certification::Statement {
                    agency: &c.agency_name,
                    lines: &c.statement,
                    signer_title: c.signer_title.as_deref().unwrap_or(""),
                    signer_name: c.signer_name.as_deref().unwrap_or(""),
                    fee: &fee,
                    verification_url: c.verification_url.as_deref(),
                },
            )
        });
        Ok((name, self.render_off_thread(job).await?))
    }

    /// The book of one kind's entries (all kinds when none) for an agency and
    /// period, as an .xlsx workbook.
    pub async fn book_workbook(
        &self,
        actor: &Actor,
        q: &CertificationQuery,
    ) -> Result<(String, Vec<u8>)> {
        let entries = self.list(actor, q).await?;
        let mut errors = Errors::new();
        let (agency, period) = self
            .scope(
                actor,
                q.agency.as_deref(),
                q.from.as_deref(),
                q.to.as_deref(),
                &mut errors,
            )
            .await?;
        let kind = q.kind.as_deref().and_then(Kind::parse);
        let title = kind.map_or("Sổ chứng thực", |k| k.book().name);
        let rows = entries
            .into_iter()
            .map(|c| motcua_docs::certification::BookRow {
                number: c.number,
                book: c.book.unwrap_or_default(),
                date: c
                    .created_at
                    .to_zoned(motcua_domain::calendar::vietnam_time_zone())
                    .date()
                    .strftime("%d/%m/%Y")
                    .to_string(),
                kind: c.kind_label,
                requester: c.requester_name,
                requester_id: c.requester_id,
                document: c.document_name,
                pages: c.pages,
                copies: c.copies,
                signer: c.signer_name.unwrap_or_default(),
                fee: c.fee.total,
                dossier: c.dossier_code.unwrap_or_default(),
            })
            .collect();
        let bytes = motcua_docs::certification::book_xlsx(&motcua_docs::certification::BookSheet {
            title,
            agency: &agency.name,
            period: &period.label_vi(),
            rows,
        })
        .map_err(|e| Error::internal("writing the certification book", e))?;
        let name = format!(
            "so-chung-thuc_{}_{}_{}{}.xlsx",
            agency.code,
            period.from,
            period.to,
            kind.map_or(String::new(), |k| format!("_{}", k.as_str()))
        );
        Ok((name, bytes))
    }
}
