//! Mẫu số 07 of TT 03/2025/TT-VPCP, the dossier tracking book (Sổ theo dõi hồ
//! sơ): every dossier an agency received in a period, in the order received, as
//! a PDF or a workbook laid out by `motcua_docs::reports::Layout`.

use motcua_docs::format::{date_vn, vietnam_datetime};
use motcua_docs::reports::{BookRow, Layout, TrackingBook};
use motcua_domain::dossier::{Channel, Status};
use motcua_store::agencies;
use motcua_store::reports as store;
use serde::Deserialize;

use super::{Ii06aQuery, Reports};
use crate::error::{Error, Result};
use crate::Actor;

/// At most this many dossiers in one book: a commune receives about 1,000 a
/// month; a longer book is asked for period by period (the PDF stays quick).
pub const BOOK_ROWS: i64 = 5_000;

/// The book's query, as the page's form and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TrackingBookQuery {
    /// Agency identifier code; the person's own when absent.
    pub agency: Option<String>,
    /// First day of the period, YYYY-MM-DD (or dd/mm/yyyy).
    #[cfg_attr(feature = "openapi", param(required = true))]
    pub from: Option<String>,
    /// Last day of the period, inclusive.
    #[cfg_attr(feature = "openapi", param(required = true))]
    pub to: Option<String>,
}

/// An instant as the book writes it: "08:15 05/01/2026".
fn when(ms: Option<i64>) -> String {
    ms.map(|ms| {
        let t = vietnam_datetime(motcua_store::from_millis(ms));
        format!("{:02}:{:02} {}", t.hour(), t.minute(), date_vn(t.date()))
    })
    .unwrap_or_default()
}

fn book_row(d: store::BookDossier) -> BookRow {
    let details = d.details;
    let address = details
        .as_ref()
        .and_then(|x| x.applicant.address.clone())
        .filter(|a| !a.trim().is_empty());
    let applicant = match address {
        Some(a) => format!("{}, {a}", d.applicant_name),
        None => d.applicant_name.clone(),
    };
    let status = Status::parse(&d.status);
    let result = match (status, d.timeliness.as_deref()) {
        (Some(Status::Returned), Some("early")) => "Đã trả kết quả, trước hạn".to_owned(),
        (Some(Status::Returned), Some("late")) => "Đã trả kết quả, quá hạn".to_owned(),
        (Some(Status::Returned), _) => "Đã trả kết quả, đúng hạn".to_owned(),
        (Some(s), _) => s.label_vi().to_owned(),
        (None, _) => d.status.clone(),
    };
    let mut note = Vec::new();
    if let Some(c) = Channel::parse(&d.channel).filter(|c| *c != Channel::Counter) {
        note.push(c.label_vi().to_owned());
    }
    if let Some(h) = details.as_ref().and_then(|x| x.handover.as_ref()) {
        if let Some(n) = h.collector_name.as_deref() {
            note.push(format!("Người nhận: {n}"));
        }
        if let Some(n) = h.tracking_number.as_deref() {
            note.push(format!("Số vận đơn: {n}"));
        }
    }
    BookRow {
        code: d.code,
        procedure: d.procedure_name,
        applicant,
        received: when(d.received_at),
        due: when(d.due_at),
        passed_to: d.assignee_name.unwrap_or_default(),
        returned: when(d.returned_at),
        result,
        note: note.join("; "),
    }
}

/// The book, ready to render: the agency, its parent, place, period and rows.
struct Book {
    agency_code: String,
    unit: String,
    parent: Option<String>,
    place: String,
    period: String,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    rows: Vec<BookRow>,
}

impl Reports<'_> {
    async fn tracking_book(&self, actor: &Actor, q: &TrackingBookQuery) -> Result<Book> {
        let r = self
            .resolve(
                actor,
                &Ii06aQuery {
                    agency: q.agency.clone(),
                    from: q.from.clone(),
                    to: q.to.clone(),
                    ..Ii06aQuery::default()
                },
            )
            .await?;
        let mut conn = self.db.read().await?;
        let parent = match &r.agency.parent_id {
            Some(id) => agencies::by_id(&mut conn, id).await?.map(|a| a.name),
            None => None,
        };
        drop(conn);
        let mut conn = self.db.read_replica().await?;
        let rows = store::tracking_book(
            &mut conn,
            &r.agency.id,
            motcua_store::to_millis(r.period.start()),
            motcua_store::to_millis(r.period.end()),
            BOOK_ROWS + 1,
        )
        .await?;
        if rows.len() as i64 > BOOK_ROWS {
            return Err(Error::field(
                "from",
                format!(
                    "Kỳ này có hơn {} hồ sơ: chọn kỳ ngắn hơn (ví dụ từng tháng).",
                    motcua_domain::text::grouped(BOOK_ROWS)
                ),
            ));
        }
        Ok(Book {
            place: crate::dossiers::place_of(&r.agency),
            agency_code: r.agency.code.clone(),
            unit: r.agency.name.clone(),
            parent,
            period: r.period.label_vi(),
            from: r.period.from,
            to: r.period.to,
            rows: rows.into_iter().map(book_row).collect(),
        })
    }

    /// The tracking book as a PDF (A4 landscape): its file name and bytes.
    pub async fn tracking_book_pdf(
        &self,
        actor: &Actor,
        q: &TrackingBookQuery,
    ) -> Result<(String, Vec<u8>)> {
        let book = self.tracking_book(actor, q).await?;
        let layout = layout()?;
        let today = self.today();
        let name = format!(
            "So-theo-doi-ho-so_{}_{}_{}.pdf",
            book.agency_code, book.from, book.to
        );
        let bytes = self
            .render_off_thread(Box::new(move |engine| {
                motcua_docs::reports::tracking_book_pdf(
                    engine,
                    &TrackingBook {
                        layout: &layout,
                        parent: book.parent.as_deref(),
                        unit: &book.unit,
                        place: &book.place,
                        today,
                        period: &book.period,
                        rows: &book.rows,
                    },
                )
            }))
            .await?;
        Ok((name, bytes))
    }

    /// The tracking book as a workbook: its file name and bytes.
    pub async fn tracking_book_xlsx(
        &self,
        actor: &Actor,
        q: &TrackingBookQuery,
    ) -> Result<(String, Vec<u8>)> {
        let book = self.tracking_book(actor, q).await?;
        let layout = layout()?;
        let bytes = motcua_docs::reports::tracking_book_xlsx(&TrackingBook {
            layout: &layout,
            parent: book.parent.as_deref(),
            unit: &book.unit,
            place: &book.place,
            today: self.today(),
            period: &book.period,
            rows: &book.rows,
        })
        .map_err(|e| Error::internal("writing the tracking book workbook", e))?;
        let name = format!(
            "So-theo-doi-ho-so_{}_{}_{}.xlsx",
            book.agency_code, book.from, book.to
        );
        Ok((name, bytes))
    }
}

fn layout() -> Result<Layout> {
    Layout::standard().map_err(|e| Error::internal("the tracking book's layout", e))
}
