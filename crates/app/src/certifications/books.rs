//! Closing a certification book (khóa sổ): a closed book takes no new number;
//! the next certification of its kind opens the next volume of the year.

use motcua_domain::calendar::vietnam_time_zone;
use motcua_domain::certification as domain;
use motcua_domain::user::Role;
use motcua_domain::validation::Errors;
use motcua_domain::{access::Action, limits};
use motcua_store::certifications as store;
use serde::{Deserialize, Serialize};

use super::{parse_kind, Certifications};
use crate::error::{Error, Result};
use crate::principal::Actor;

/// A book just closed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosedBook {
    /// Quyển số, e.g. "01/2026-SCT/BS".
    pub book: String,
    pub book_name: String,
    /// The last number written in it.
    pub last_number: i64,
    /// The volume the next certification opens, e.g. "02/2026-SCT/BS".
    pub next_book: String,
}

impl Certifications<'_> {
    /// Closes the open book of `kind`'s symbol for this year at the leader's
    /// agency.
    pub async fn close_book(&self, actor: &Actor, kind: &str) -> Result<ClosedBook> {
        let mut errors = Errors::new();
        errors.check_text("kind", "Loại chứng thực", kind, limits::SHORT_CHARS, false);
        errors.into_result()?;
        let mut errors = Errors::new();
        let kind = parse_kind(kind.trim(), &mut errors);
        errors.into_result()?;
        let kind = kind.ok_or_else(|| Error::Internal("kind checked above".into()))?;
        actor.require(Action::Certify, &actor.agency.path)?;
        if !actor.has(Role::Leader) {
            return Err(Error::Forbidden(
                "Chỉ lãnh đạo cơ quan được khóa sổ chứng thực.".into(),
            ));
        }
        let year = self.now().to_zoned(vietnam_time_zone()).year();
        let code = kind.book_code();
        let mut tx = self.begin_write_as(actor).await?;
        let closed = store::close_book(&mut tx, &actor.agency.id, code, year)
            .await?
            .ok_or_else(|| {
                Error::Conflict(format!(
                    "Không có quyển «{}» năm {year} nào đang mở để khóa.",
                    kind.book().name
                ))
            })?;
        tx.commit().await?;
        Ok(ClosedBook {
            book: domain::book_label(closed.volume, year, code),
            book_name: kind.book().name.to_owned(),
            last_number: closed.last_number,
            next_book: domain::book_label(closed.volume + 1, year, code),
        })
    }
}
