//! The use cases of motcua: one method per thing a person does, each in one
//! transaction, each checking who may do it where (see `motcua_domain::access`).
//! The web layer and the command line call these and nothing below them.

pub mod agencies;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod catalogue;
pub mod demo;
pub mod error;
pub mod principal;
pub mod secrets;
pub mod users;

pub use error::{Error, Result};
pub use principal::{Actor, Principal};

use motcua_store::Db;

#[derive(Clone)]
pub struct App {
    pub db: Db,
    calendars: std::sync::Arc<calendar::CalendarCache>,
    auth: std::sync::Arc<auth::AuthCache>,
    catalogue: std::sync::Arc<catalogue::CatalogueCache>,
    /// Parsing the embedded fonts takes a moment; done once, on first use.
    pdf: std::sync::Arc<std::sync::OnceLock<motcua_docs::PdfEngine>>,
}

impl App {
    pub fn new(db: Db) -> Self {
        App {
            db,
            calendars: Default::default(),
            auth: Default::default(),
            catalogue: Default::default(),
            pdf: Default::default(),
        }
    }

    /// Reference data every install needs, loaded into empty tables: the national
    /// calendar's known official days and the seed procedure catalogue.
    pub async fn seed_reference_data(&self) -> Result<()> {
        self.seed_national_calendar_if_empty().await?;
        self.seed_catalogue_if_empty().await?;
        Ok(())
    }

    pub async fn sectors(&self) -> Result<Vec<(String, String)>> {
        let mut conn = self.db.read().await?;
        Ok(motcua_store::sectors::all(&mut conn)
            .await?
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect())
    }
}

impl App {
    pub(crate) fn pdf_engine(&self) -> &motcua_docs::PdfEngine {
        self.pdf.get_or_init(motcua_docs::PdfEngine::new)
    }
}

pub(crate) fn now_ms() -> i64 {
    motcua_store::to_millis(jiff::Timestamp::now())
}
