//! Certification (chứng thực) at the counter: the fee of a request, recording it
//! in the agency's book (or, received late or large, as an ordinary dossier through
//! the dossier module's intake), the book and its counts, the printed statement,
//! and the public verification of issued documents.

mod books;
mod electronic;
mod read;
mod record;

pub use books::ClosedBook;
pub(crate) use electronic::CopyTurns;
pub use electronic::{ElectronicCopy, ElectronicInput, OPTIMISTIC_ATTEMPTS};
pub use read::{CertificationQuery, CountQuery, CountRow, Verification};
pub use record::CertificationInput;

use jiff::Timestamp;
use motcua_domain::certification::{self as domain, FeeQuote, Kind};
use motcua_domain::limits;
use motcua_domain::validation::Errors;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::App;

/// The certification module's use cases (`app.certifications()`).
pub struct Certifications<'a> {
    app: &'a App,
}

impl App {
    pub fn certifications(&self) -> Certifications<'_> {
        Certifications { app: self }
    }
}

impl std::ops::Deref for Certifications<'_> {
    type Target = App;

    fn deref(&self) -> &App {
        self.app
    }
}

/// One line of a fee's breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeLine {
    pub label: String,
    pub quantity: i64,
    /// đồng
    pub unit_amount: i64,
    /// đồng
    pub amount: i64,
}

/// The fee of a request: total in đồng, breakdown, total in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    #[cfg_attr(feature = "openapi", schema(example = 5000))]
    pub total: i64,
    pub lines: Vec<FeeLine>,
    #[cfg_attr(feature = "openapi", schema(example = "Năm nghìn đồng"))]
    pub in_words: String,
}

impl From<FeeQuote> for Fee {
    fn from(q: FeeQuote) -> Self {
        Fee {
            total: q.total,
            lines: q
                .lines
                .into_iter()
                .map(|l| FeeLine {
                    label: l.label,
                    quantity: l.quantity,
                    unit_amount: l.unit_amount,
                    amount: l.amount,
                })
                .collect(),
            in_words: q.in_words,
        }
    }
}

/// A recorded certification as the counter, the book and the API see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certification {
    pub id: String,
    /// copy, signature, contract, contract_amendment, contract_correction, electronic_copy
    pub kind: String,
    pub kind_label: String,
    /// same_day: certified now; late or large: became the dossier `dossier_code`.
    pub disposition: String,
    pub message: String,
    /// Số chứng thực (same-day cases).
    pub number: Option<i64>,
    /// Quyển số, e.g. "01/2026-SCT/BS".
    pub book: Option<String>,
    pub book_name: String,
    pub fee: Fee,
    pub requester_name: String,
    pub requester_id: String,
    pub document_name: String,
    pub pages: i64,
    pub copies: i64,
    pub signature_mode: Option<String>,
    pub signer_name: Option<String>,
    pub signer_title: Option<String>,
    pub recorded_by: String,
    pub agency_code: String,
    pub agency_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// The statement printed on the copy, paragraph by paragraph.
    pub statement: Vec<String>,
    /// The public verification page of the issued certification.
    pub verification_url: Option<String>,
    pub dossier_code: Option<String>,
    /// The appointment of a case that became a dossier.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
}

/// Pages and copies as typed, checked: every error at once, in Vietnamese.
pub(crate) fn check_counts(
    kind: Option<Kind>,
    pages: Option<i64>,
    copies: Option<i64>,
    errors: &mut Errors,
) -> (u32, u32) {
    let mut count =
        |field: &str, label: &str, value: Option<i64>, max: u32, required: bool| match value {
            None if required => {
                errors.push(field, format!("Cần nhập số {label}."));
                1
            }
            None => 1,
            Some(n) if n < 1 || n > i64::from(max) => {
                errors.push(
                    field,
                    format!(
                        "Số {label} từ 1 đến {}.",
                        motcua_domain::text::grouped(max.into())
                    ),
                );
                1
            }
            Some(n) => u32::try_from(n).unwrap_or(1),
        };
    let pages_required = kind.is_some_and(Kind::counts_pages);
    let pages = count("pages", "trang", pages, limits::PAGES, pages_required);
    let copies = count("copies", "bản", copies, limits::COPIES, false);
    (pages, copies)
}

pub(crate) fn parse_kind(kind: &str, errors: &mut Errors) -> Option<Kind> {
    let parsed = Kind::parse(kind);
    if parsed.is_none() {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        if kind.trim().is_empty() {
            errors.push("kind", "Chọn loại việc chứng thực.");
        } else {
            errors.push(
                "kind",
                format!(
                    "Không có loại chứng thực «{}»; chọn một trong: {}.",
                    kind.chars().take(limits::SHORT_CHARS).collect::<String>(),
                    known.join(", ")
                ),
            );
        }
    }
    parsed
}

impl Certifications<'_> {
    /// The fee of certifying `pages` pages (of the original) in `copies` copies,
    /// from the procedure's fee rules in the catalogue.
    pub async fn fee(&self, kind: &str, pages: Option<i64>, copies: Option<i64>) -> Result<Fee> {
        let mut errors = Errors::new();
        errors.check_text("kind", "Loại chứng thực", kind, limits::SHORT_CHARS, false);
        let parsed = if errors.is_empty() {
            parse_kind(kind, &mut errors)
        } else {
            None
        };
        let (pages, copies) = check_counts(parsed, pages, copies, &mut errors);
        errors.into_result()?;
        let kind = parsed.ok_or_else(|| Error::Internal("kind checked above".into()))?;
        Ok(self.quote(kind, pages, copies).await?.into())
    }

    pub(crate) async fn quote(&self, kind: Kind, pages: u32, copies: u32) -> Result<FeeQuote> {
        let entry = self.procedure(kind.procedure_code()).await.map_err(|_| {
            Error::Internal(format!(
                "procedure {} of {} is not in the catalogue",
                kind.procedure_code(),
                kind.as_str()
            ))
        })?;
        Ok(domain::quote(kind, &entry.procedure.fees, pages, copies))
    }
}
