//! A register's books (quyển): listed, closed at the end of the year (khóa sổ),
//! or followed by the next volume when full, in which the numbers go on.

use jiff::civil::Date;
use jiff::Timestamp;
use motcua_domain::access::Action;
use motcua_domain::calendar::vietnam_time_zone;
use motcua_domain::civil;
use motcua_store::agencies::AgencyRow;
use motcua_store::registers::{self as store, BookRow};
use motcua_store::{new_id, Conn};
use serde::Serialize;

use super::{kind_param, Registers};
use crate::error::{Error, Result};
use crate::Principal;

/// A book of a register.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Book {
    pub id: String,
    /// birth | death | marriage | recognition | marital_status | guardianship
    pub kind: String,
    pub kind_label: String,
    pub year: i64,
    /// Quyển số, e.g. "01/2026".
    pub label: String,
    /// The highest number written in it.
    pub last_number: i64,
    pub closed: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub closed_on: Option<Date>,
}

fn book_of(b: &BookRow) -> Book {
    let kind = civil::Kind::parse(&b.kind);
    Book {
        id: b.id.clone(),
        kind: b.kind.clone(),
        kind_label: kind
            .map(|k| k.book_title_vi().to_owned())
            .unwrap_or_default(),
        year: b.year,
        label: b.label.clone(),
        last_number: b.last_number,
        closed: b.is_closed(),
        closed_on: b
            .closed_at
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
            .map(|t| t.to_zoned(vietnam_time_zone()).date()),
    }
}

/// The year's current book of a kind ([`civil::current_book_label`]): its label
/// (the first volume's when the year has none yet) and its row when it exists.
pub(super) async fn current_book(
    conn: &mut Conn,
    agency_id: &str,
    kind: civil::Kind,
    year: i64,
) -> Result<(String, Option<BookRow>)> {
    let mut books = store::books_of(conn, agency_id, Some(kind.as_str())).await?;
    books.retain(|b| b.year == year);
    let label = civil::current_book_label(
        books.iter().map(|b| (b.label.as_str(), b.is_closed())),
        year,
    );
    let row = books.into_iter().find(|b| b.label == label);
    Ok((label, row))
}

impl Registers<'_> {
    /// An agency's books (the person's own agency when `agency_code` is
    /// `None`), the latest year first.
    pub async fn books(&self, by: &Principal, agency_code: Option<&str>) -> Result<Vec<Book>> {
        let mut conn = self.db.read().await?;
        let agency = self.agency_or_own(&mut conn, by, agency_code).await?;
        by.require(Action::ReadRegister, &agency.path)?;
        let rows = store::books_of(&mut conn, &agency.id, None).await?;
        Ok(rows.iter().map(book_of).collect())
    }

    /// Closes a book (khóa sổ, at the end of its year): it takes no new entry
    /// afterwards, nor does its year's register of that kind.
    pub async fn close_book(
        &self,
        by: &Principal,
        agency_code: &str,
        kind: &str,
        year: i64,
        label: &str,
    ) -> Result<Book> {
        let kind = kind_param(kind)?;
        let mut tx = self.begin_write_by(by).await?;
        let agency = self.agency(&mut tx, agency_code).await?;
        by.require(Action::ManageRegister, &agency.path)?;
        let label = civil::book_label_in(label, year);
        let book = store::find_book(&mut tx, &agency.id, kind.as_str(), year, &label)
            .await?
            .ok_or_else(|| Error::NotFound("Không tìm thấy quyển sổ này.".into()))?;
        if !store::close_book(&mut tx, &book.id, self.now_ms()).await? {
            return Err(Error::Conflict("Quyển sổ này đã khoá.".into()));
        }
        let closed = store::book(&mut tx, &book.id)
            .await?
            .ok_or_else(|| Error::Internal("the book just closed is gone".into()))?;
        tx.commit().await?;
        Ok(book_of(&closed))
    }

    /// A full book is followed by the next volume of its year: the current
    /// book is closed and the next one opened, its numbers going on from the
    /// last one written (Circular 04/2020/TT-BTP, art. 28: never again from 01
    /// within the year). Answers the new book.
    pub async fn open_next_book(
        &self,
        by: &Principal,
        agency_code: &str,
        kind: &str,
        year: i64,
    ) -> Result<Book> {
        let kind = kind_param(kind)?;
        let mut tx = self.begin_write_by(by).await?;
        let agency = self.agency(&mut tx, agency_code).await?;
        by.require(Action::ManageRegister, &agency.path)?;
        let (_, current) = current_book(&mut tx, &agency.id, kind, year).await?;
        let current = current.ok_or_else(|| {
            Error::Conflict(format!(
                "{} năm {year} chưa có quyển nào: quyển 01 được mở khi ghi mục đầu tiên.",
                kind.book_title_vi()
            ))
        })?;
        if current.is_closed() {
            return Err(Error::Conflict(format!(
                "Quyển {} năm {year} đã khoá sổ: sổ của năm này không mở thêm quyển.",
                current.label
            )));
        }
        let volume = civil::volume_of(&current.label).unwrap_or(1);
        let now = self.now_ms();
        store::close_book(&mut tx, &current.id, now).await?;
        let next = store::book_for_number(
            &mut tx,
            &new_id(),
            &agency.id,
            kind.as_str(),
            year,
            &civil::volume_label(volume + 1, year),
            current.last_number,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(book_of(&next))
    }

    pub(super) async fn agency_or_own(
        &self,
        conn: &mut Conn,
        by: &Principal,
        agency_code: Option<&str>,
    ) -> Result<AgencyRow> {
        match (agency_code.map(str::trim).filter(|s| !s.is_empty()), by) {
            (Some(code), _) => self.agency(conn, code).await,
            (None, Principal::User(a)) => motcua_store::agencies::by_id(conn, &a.agency.id)
                .await?
                .ok_or_else(|| Error::field("agency", "Không tìm thấy cơ quan này.")),
            (None, Principal::System) => Err(Error::field("agency", "Hãy chọn cơ quan.")),
        }
    }
}
