//! What the dossier's unit tests share: a working calendar with the national
//! holidays, and instants written as local Vietnamese time.

use jiff::civil::date;
use jiff::Timestamp;

use crate::calendar::{
    known_national_overrides, vietnam_time_zone, WorkingCalendar, WorkingSessions,
};

pub(crate) fn cal() -> WorkingCalendar {
    WorkingCalendar::build(
        2025..=2027,
        WorkingSessions::default(),
        &[&known_national_overrides()],
    )
}

/// `h:min` on `y-m-d` in Vietnam.
pub(crate) fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
    date(y, m, d)
        .at(h, min, 0, 0)
        .to_zoned(vietnam_time_zone())
        .expect("valid")
        .timestamp()
}
