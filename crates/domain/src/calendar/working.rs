//! The built calendar: one entry per day, with prefix counts so that due dates
//! are found by index arithmetic and binary search instead of day-by-day loops.

use std::ops::RangeInclusive;

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::holidays::{statutory_holidays, HolidayRules};
use super::lunar::{civil_from_days, days_from_civil, days_from_ymd, SUPPORTED_YEARS};
use super::{CalendarDay, CalendarError, DayKind, DayOverride, VN_OFFSET_SECONDS};

const NS_PER_SECOND: i64 = 1_000_000_000;

/// One working session of a day, in local (UTC+7) civil time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub start: Time,
    pub end: Time,
}

impl Session {
    pub const fn new(start: Time, end: Time) -> Session {
        Session { start, end }
    }
}

/// The weekly pattern of working sessions of an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingSessions {
    /// Sessions per weekday, index 0 = Monday … 6 = Sunday. A weekday without
    /// sessions is a weekend day.
    pub weekdays: [Vec<Session>; 7],
    /// Same-day procedures received after this time are due the next working day.
    pub same_day_cutoff: Time,
}

fn office_day() -> Vec<Session> {
    vec![
        Session::new(Time::constant(7, 30, 0, 0), Time::constant(11, 30, 0, 0)),
        Session::new(Time::constant(13, 30, 0, 0), Time::constant(17, 0, 0, 0)),
    ]
}

impl Default for WorkingSessions {
    /// Monday to Friday 07:30–11:30 and 13:30–17:00, cut-off 15:00.
    fn default() -> Self {
        WorkingSessions {
            weekdays: [
                office_day(),
                office_day(),
                office_day(),
                office_day(),
                office_day(),
                Vec::new(),
                Vec::new(),
            ],
            same_day_cutoff: Time::constant(15, 0, 0, 0),
        }
    }
}

impl WorkingSessions {
    /// Adds a Saturday morning session 07:30–11:30, as some one-stop desks open.
    pub fn with_saturday_morning(mut self) -> Self {
        self.weekdays[5] = vec![Session::new(
            Time::constant(7, 30, 0, 0),
            Time::constant(11, 30, 0, 0),
        )];
        self
    }

    /// Whether every session ends after it starts and sessions of a day do not
    /// overlap. [`WorkingCalendar::build`] tolerates bad input (it drops empty
    /// sessions and merges overlaps); this lets a settings form refuse it.
    /// The common pattern of a one-stop desk: the same morning and afternoon on
    /// Monday to Friday, and optionally the same morning on Saturday.
    pub fn office(
        morning: Session,
        afternoon: Session,
        saturday_morning: bool,
        same_day_cutoff: Time,
    ) -> Self {
        let day = vec![morning, afternoon];
        WorkingSessions {
            weekdays: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                if saturday_morning {
                    vec![morning]
                } else {
                    Vec::new()
                },
                Vec::new(),
            ],
            same_day_cutoff,
        }
    }

    pub fn is_valid(&self) -> bool {
        self.weekdays.iter().all(|day| {
            day.iter().all(|s| s.start < s.end)
                && day.windows(2).all(|pair| pair[0].end <= pair[1].start)
        })
    }
}

fn nanos_of_day(t: Time) -> i64 {
    i64::from(t.hour()) * 3600 * NS_PER_SECOND
        + i64::from(t.minute()) * 60 * NS_PER_SECOND
        + i64::from(t.second()) * NS_PER_SECOND
        + i64::from(t.subsec_nanosecond())
}

/// Sessions as sorted, disjoint nanosecond intervals of the day.
fn normalise(sessions: &[Session]) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> = sessions
        .iter()
        .map(|s| (nanos_of_day(s.start), nanos_of_day(s.end)))
        .filter(|(start, end)| start < end)
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// A session template: the sessions of one kind of working day.
#[derive(Debug, Clone)]
pub(super) struct Template {
    spans: Vec<(i64, i64)>,
    close: i64,
    total: i64,
}

impl Template {
    fn new(spans: Vec<(i64, i64)>) -> Template {
        let close = spans.last().map_or(0, |s| s.1);
        let total = spans.iter().map(|(s, e)| e - s).sum();
        Template {
            spans,
            close,
            total,
        }
    }

    /// Working time of the day before `nod` (nanoseconds into the day).
    fn worked_before(&self, nod: i64) -> i64 {
        self.spans.iter().map(|&(s, e)| nod.clamp(s, e) - s).sum()
    }

    /// Earliest instant of the day by which `amount` (> 0, ≤ total) is worked.
    fn instant_after(&self, mut amount: i64) -> i64 {
        for &(s, e) in &self.spans {
            if amount <= e - s {
                return s + amount;
            }
            amount -= e - s;
        }
        self.close
    }
}

/// Template slots: 0–6 the weekdays (Monday first), 7 the default office day
/// for working days whose own weekday and Monday have no sessions.
const FALLBACK_TEMPLATE: u8 = 7;

/// An agency's working calendar over whole years.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    /// Day number (days since 1970-01-01) of the first day.
    first_day: i64,
    kinds: Vec<DayKind>,
    names: Vec<Option<Box<str>>>,
    templates: Vec<Template>,
    template_of_day: Vec<u8>,
    /// `working_before[i]`: working days among days `0..i`.
    working_before: Vec<u32>,
    /// Indices of the working days, in order.
    working_days: Vec<u32>,
    /// `work_before[i]`: working nanoseconds in days `0..i`.
    work_before: Vec<i64>,
    cutoff: i64,
}

impl WorkingCalendar {
    /// Builds the calendar of `years` with the default statutory rules. Years
    /// outside the lunar calendar's supported range (1900–2199) are left out,
    /// so computations there report [`CalendarError::OutsideCalendar`].
    pub fn build(
        years: RangeInclusive<i16>,
        sessions: WorkingSessions,
        layers: &[&[DayOverride]],
    ) -> WorkingCalendar {
        Self::build_with_rules(years, sessions, &HolidayRules::default(), layers)
    }

    /// As [`WorkingCalendar::build`] with explicit statutory rules.
    pub fn build_with_rules(
        years: RangeInclusive<i16>,
        sessions: WorkingSessions,
        rules: &HolidayRules,
        layers: &[&[DayOverride]],
    ) -> WorkingCalendar {
        let supported_first = *SUPPORTED_YEARS.start() as i16;
        let supported_last = *SUPPORTED_YEARS.end() as i16;
        let first_year = (*years.start()).max(supported_first);
        let last_year = (*years.end()).min(supported_last);

        let mut templates: Vec<Template> = sessions
            .weekdays
            .iter()
            .map(|day| Template::new(normalise(day)))
            .collect();
        templates.push(Template::new(normalise(&office_day())));
        let monday_or_fallback = if templates[0].spans.is_empty() {
            FALLBACK_TEMPLATE
        } else {
            0
        };

        let first_day = days_from_ymd(i64::from(first_year), 1, 1);
        let end_day = days_from_ymd(i64::from(last_year) + 1, 1, 1);
        let len = usize::try_from(end_day - first_day).unwrap_or(0);

        let mut kinds = Vec::with_capacity(len);
        let mut names: Vec<Option<Box<str>>> = vec![None; len];
        for i in 0..len {
            let weekday = weekday_index(first_day + i as i64);
            kinds.push(if templates[weekday].spans.is_empty() {
                DayKind::Weekend
            } else {
                DayKind::Working
            });
        }

        let index_of = |date: Date| -> Option<usize> {
            usize::try_from(days_from_civil(date) - first_day)
                .ok()
                .filter(|&i| i < len)
        };
        for year in first_year..=last_year {
            // Supported years always compute; a failure would only drop rules.
            for day in statutory_holidays(year, rules).unwrap_or_default() {
                if let Some(i) = index_of(day.date) {
                    kinds[i] = day.kind;
                    names[i] = Some(day.name.into_boxed_str());
                }
            }
        }
        for layer in layers {
            for o in layer.iter() {
                if let Some(i) = index_of(o.date) {
                    let unchanged = kinds[i] == o.kind;
                    kinds[i] = o.kind;
                    match &o.name {
                        Some(name) => names[i] = Some(name.clone().into_boxed_str()),
                        None if unchanged => {}
                        None => names[i] = None,
                    }
                }
            }
        }

        let mut template_of_day = Vec::with_capacity(len);
        let mut working_before = Vec::with_capacity(len + 1);
        let mut working_days = Vec::new();
        let mut work_before = Vec::with_capacity(len + 1);
        let (mut count, mut work) = (0u32, 0i64);
        for (i, &kind) in kinds.iter().enumerate() {
            let weekday = weekday_index(first_day + i as i64);
            let template = match kind {
                DayKind::MakeupWorking => monday_or_fallback,
                _ if !templates[weekday].spans.is_empty() => weekday as u8,
                _ => monday_or_fallback,
            };
            template_of_day.push(template);
            working_before.push(count);
            work_before.push(work);
            if kind.is_working() {
                working_days.push(i as u32);
                count += 1;
                work += templates[usize::from(template)].total;
            }
        }
        working_before.push(count);
        work_before.push(work);

        WorkingCalendar {
            first_day,
            kinds,
            names,
            templates,
            template_of_day,
            working_before,
            working_days,
            work_before,
            cutoff: nanos_of_day(sessions.same_day_cutoff),
        }
    }

    /// First and last day of the calendar, `None` when it is empty.
    pub fn span(&self) -> Option<(Date, Date)> {
        let last = self.first_day + self.kinds.len() as i64 - 1;
        if self.kinds.is_empty() {
            return None;
        }
        Some((civil_from_days(self.first_day)?, civil_from_days(last)?))
    }

    /// Kind and name of a day. Outside the built years only the weekly pattern
    /// is known, and that is what is returned.
    pub fn day(&self, date: Date) -> (DayKind, Option<&str>) {
        match self.index(days_from_civil(date)) {
            Some(i) => (self.kinds[i], self.names[i].as_deref()),
            None => {
                let weekday = weekday_index(days_from_civil(date));
                if self.templates[weekday].spans.is_empty() {
                    (DayKind::Weekend, None)
                } else {
                    (DayKind::Working, None)
                }
            }
        }
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        self.day(date).0.is_working()
    }

    /// Every day of the calendar that is not an ordinary working or weekend day.
    pub fn special_days(&self) -> Vec<CalendarDay> {
        self.kinds
            .iter()
            .enumerate()
            .filter(|(i, &kind)| {
                let ordinary_kind = if self.templates[weekday_index(self.first_day + *i as i64)]
                    .spans
                    .is_empty()
                {
                    DayKind::Weekend
                } else {
                    DayKind::Working
                };
                kind != ordinary_kind || self.names[*i].is_some()
            })
            .filter_map(|(i, &kind)| {
                Some(CalendarDay {
                    date: civil_from_days(self.first_day + i as i64)?,
                    kind,
                    name: self.names[i].as_deref().unwrap_or_default().to_string(),
                })
            })
            .collect()
    }

    /// Working time inside sessions between two instants; negative when `b` is
    /// before `a`. Instants outside the calendar count from its edges.
    pub fn working_time_between(&self, a: Timestamp, b: Timestamp) -> SignedDuration {
        SignedDuration::from_nanos(self.worked_until(b) - self.worked_until(a))
    }

    /// The earliest instant by which `duration` of working time has elapsed
    /// since `start` (a start outside sessions begins at the next session).
    pub fn add_working_time(
        &self,
        start: Timestamp,
        duration: SignedDuration,
    ) -> Result<Timestamp, CalendarError> {
        if duration.is_negative() {
            return Err(CalendarError::NegativeDuration);
        }
        let (day, _) = local_parts(start);
        self.index(day).ok_or(CalendarError::OutsideCalendar)?;
        if duration.is_zero() {
            return Ok(start);
        }
        let amount =
            i64::try_from(duration.as_nanos()).map_err(|_| CalendarError::OutsideCalendar)?;
        let target = self
            .worked_until(start)
            .checked_add(amount)
            .ok_or(CalendarError::OutsideCalendar)?;
        // The day during which the cumulative working time reaches the target.
        let i = self.work_before[1..].partition_point(|&w| w < target);
        if i >= self.kinds.len() {
            return Err(CalendarError::OutsideCalendar);
        }
        let template = &self.templates[usize::from(self.template_of_day[i])];
        let nod = template.instant_after(target - self.work_before[i]);
        self.instant(i, nod)
    }

    /// Cumulative working nanoseconds from the start of the calendar to `t`,
    /// clamped to the calendar.
    fn worked_until(&self, t: Timestamp) -> i64 {
        let (day, nod) = local_parts(t);
        if day < self.first_day {
            return 0;
        }
        match self.index(day) {
            Some(i) if self.kinds[i].is_working() => {
                self.work_before[i] + self.template(i).worked_before(nod)
            }
            Some(i) => self.work_before[i],
            None => self.work_before.last().copied().unwrap_or(0),
        }
    }

    pub(super) fn index(&self, day: i64) -> Option<usize> {
        usize::try_from(day.checked_sub(self.first_day)?)
            .ok()
            .filter(|&i| i < self.kinds.len())
    }

    pub(super) fn is_working_index(&self, i: usize) -> bool {
        self.kinds[i].is_working()
    }

    pub(super) fn template(&self, i: usize) -> &Template {
        &self.templates[usize::from(self.template_of_day[i])]
    }

    pub(super) fn cutoff(&self) -> i64 {
        self.cutoff
    }

    /// Index of the `n`-th working day (n ≥ 1) strictly after day `i`.
    pub(super) fn nth_working_after(&self, i: usize, n: u32) -> Result<usize, CalendarError> {
        let before = self.working_before[i + 1] as usize;
        let position = before + n as usize - 1;
        self.working_days
            .get(position)
            .map(|&d| d as usize)
            .ok_or(CalendarError::OutsideCalendar)
    }

    /// The end of the last session of working day `i`.
    pub(super) fn close_of(&self, i: usize) -> Result<Timestamp, CalendarError> {
        self.instant(i, self.template(i).close)
    }

    fn instant(&self, i: usize, nod: i64) -> Result<Timestamp, CalendarError> {
        let day = self.first_day + i as i64;
        let seconds = day * 86_400 + nod.div_euclid(NS_PER_SECOND) - i64::from(VN_OFFSET_SECONDS);
        let nanos = nod.rem_euclid(NS_PER_SECOND) as i32;
        Timestamp::new(seconds, nanos).map_err(|_| CalendarError::OutsideCalendar)
    }
}

impl Template {
    pub(super) fn close(&self) -> i64 {
        self.close
    }
}

/// Local (UTC+7) day number and nanoseconds into that day.
pub(super) fn local_parts(t: Timestamp) -> (i64, i64) {
    let mut seconds = t.as_second();
    let mut nanos = i64::from(t.subsec_nanosecond());
    // Before 1970 jiff truncates seconds toward zero and gives negative nanos.
    if nanos < 0 {
        seconds -= 1;
        nanos += NS_PER_SECOND;
    }
    let local = seconds + i64::from(VN_OFFSET_SECONDS);
    (
        local.div_euclid(86_400),
        local.rem_euclid(86_400) * NS_PER_SECOND + nanos,
    )
}

/// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
fn weekday_index(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weekday_index_matches_jiff() {
        for d in [
            date(1970, 1, 1),
            date(2026, 2, 13),
            date(1900, 1, 1),
            date(2199, 12, 31),
        ] {
            assert_eq!(
                weekday_index(days_from_civil(d)),
                usize::from(d.weekday().to_monday_zero_offset() as u8)
            );
        }
    }

    #[test]
    fn local_parts_before_1970() {
        let t: Timestamp = "1969-12-31T16:59:59.5Z".parse().expect("valid");
        // 23:59:59.5 on 31 December 1969 at UTC+7.
        assert_eq!(local_parts(t), (-1, 86_399 * NS_PER_SECOND + 500_000_000));
    }

    #[test]
    fn sessions_are_normalised() {
        let t = |h, m| Time::constant(h, m, 0, 0);
        let spans = normalise(&[
            Session::new(t(13, 30), t(17, 0)),
            Session::new(t(7, 30), t(11, 30)),
            Session::new(t(11, 0), t(12, 0)),
            Session::new(t(9, 0), t(8, 0)),
        ]);
        assert_eq!(
            spans,
            vec![
                (nanos_of_day(t(7, 30)), nanos_of_day(t(12, 0))),
                (nanos_of_day(t(13, 30)), nanos_of_day(t(17, 0))),
            ]
        );
        assert!(WorkingSessions::default().is_valid());
        let mut bad = WorkingSessions::default();
        bad.weekdays[0].push(Session::new(t(16, 0), t(18, 0)));
        assert!(!bad.is_valid());
    }

    #[test]
    fn empty_and_clamped_calendars_do_not_panic() {
        let empty = WorkingCalendar::build(
            RangeInclusive::new(2030, 2020),
            WorkingSessions::default(),
            &[],
        );
        assert_eq!(empty.span(), None);
        let t: Timestamp = "2026-01-05T03:00:00Z".parse().expect("valid");
        assert_eq!(
            empty.add_working_time(t, SignedDuration::from_hours(1)),
            Err(CalendarError::OutsideCalendar)
        );
        assert_eq!(empty.working_time_between(t, t), SignedDuration::ZERO);
        assert_eq!(empty.day(date(2026, 1, 5)), (DayKind::Working, None));

        let clamped = WorkingCalendar::build(i16::MIN..=i16::MAX, WorkingSessions::default(), &[]);
        assert_eq!(clamped.span(), Some((date(1900, 1, 1), date(2199, 12, 31))));
    }
}
