//! Reports: the official II.06a form for an agency or a supervisor's subtree, with
//! the list of dossiers behind every figure.

mod cache;
mod dashboard;
mod ii06a;
mod service_index;
mod tracking_book;

pub use cache::{ComputedCache, DASHBOARD_TTL};
pub use service_index::{lists_dossiers, CostlyDossier, ServiceIndex, ServiceIndexQuery};

pub use dashboard::{
    Dashboard, DueDossier, MonthFigures, OfficerLoad, ProcedureTime, RankedUnit, UnitRanking,
};

pub use ii06a::{
    CountedDossier, Grouping, Ii06a, Ii06aQuery, Ii06aRow, ReportAgency, ReportScope, MAX_PAGE,
};

pub use tracking_book::{TrackingBookQuery, BOOK_ROWS};

use crate::error::Result;
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

/// From this many units (a district's or a province's), a report is counted in two
/// halves at once.
const SPLIT_FROM_UNITS: usize = 8;

/// `count` of the units, in two halves at once from `SPLIT_FROM_UNITS` units on:
/// a province's year is 1.5 million dossiers on one core per query, and each half
/// runs on its own connection (SQLite reads on the connection's own thread,
/// PostgreSQL in its own backend). The caller adds the parts up.
async fn on_halves<'a, T, F, Fut>(units: &'a [String], count: F) -> Result<Vec<T>>
where
    F: Fn(&'a [String]) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    if units.len() >= SPLIT_FROM_UNITS {
        let (first, second) = units.split_at(units.len() / 2);
        let (a, b) = tokio::try_join!(count(first), count(second))?;
        Ok(vec![a, b])
    } else {
        Ok(vec![count(units).await?])
    }
}
