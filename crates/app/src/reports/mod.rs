//! Reports: the official II.06a form for an agency or a supervisor's subtree, with
//! the list of dossiers behind every figure.

mod cache;
mod dashboard;
mod ii06a;
mod service_index;
mod tracking_book;

pub use cache::{ComputedCache, DASHBOARD_TTL};
pub use service_index::{CostlyDossier, ServiceIndex, ServiceIndexQuery};

pub use dashboard::{
    Dashboard, DueDossier, MonthFigures, OfficerLoad, ProcedureTime, RankedUnit, UnitRanking,
};

pub use ii06a::{
    CountedDossier, Grouping, Ii06a, Ii06aQuery, Ii06aRow, ReportAgency, ReportScope, MAX_PAGE,
};

pub use tracking_book::{TrackingBookQuery, BOOK_ROWS};

use crate::App;

/// The reports module's use cases (`app.reports()`).
pub struct Reports<'a> {
    app: &'a App,
}

impl App {
    pub fn reports(&self) -> Reports<'_> {
        Reports { app: self }
    }
}

impl std::ops::Deref for Reports<'_> {
    type Target = App;

    fn deref(&self) -> &App {
        self.app
    }
}
