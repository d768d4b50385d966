//! Events: when (with offset, IANA zone and an optional RFC 5545 recurrence),
//! where (ISO 3166 country), and in what state.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use super::Invalid;
use super::lyrics::named_enum;

named_enum!(
    /// Whether an event is going ahead.
    EventStatus {
        Scheduled => "scheduled",
        Cancelled => "cancelled",
        Postponed => "postponed",
        Rescheduled => "rescheduled",
    }
);

named_enum!(
    /// How people attend.
    AttendanceMode {
        InPerson => "in_person",
        Online => "online",
        Mixed => "mixed",
    }
);

/// An IANA time zone such as `Europe/Istanbul`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        value
            .parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| Invalid::new(format!("`{value}` is not an IANA time zone")))
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// `at` as local time in this zone, with the offset in force then.
    pub fn local(self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.0).fixed_offset()
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country(String);

impl Country {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let upper = value.to_ascii_uppercase();
        match rust_iso3166::from_alpha2(&upper) {
            Some(country) if value.len() == 2 => Ok(Self(country.alpha2.to_owned())),
            _ => Err(Invalid::new(format!("`{value}` is not an ISO 3166-1 alpha-2 country code"))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A syntactically valid RFC 5545 RRULE value (`FREQ=YEARLY;BYMONTH=10`),
/// daily at the finest: events do not recur by the hour.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    text: String,
    rule: RRule<Unvalidated>,
}

impl Recurrence {
    pub const MAX_LEN: usize = 512;

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let text = value.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        if text.is_empty() || text.len() > Self::MAX_LEN || super::text::line(text).is_err() {
            return Err(Invalid::new("not an RFC 5545 RRULE value"));
        }
        // Each part is NAME=VALUE, once: the parser below forgives empty
        // and repeated parts, which other calendars would not.
        let mut names: Vec<&str> = Vec::new();
        for part in text.split(';') {
            let name = match part.split_once('=') {
                Some((name, value))
                    if !value.is_empty()
                        && !name.is_empty()
                        && name.bytes().all(|b| b.is_ascii_uppercase()) =>
                {
                    name
                }
                _ => {
                    return Err(Invalid::new(format!(
                        "not an RFC 5545 RRULE value: `{part}` is not a NAME=VALUE part"
                    )));
                }
            };
            if names.contains(&name) {
                return Err(Invalid::new(format!("not an RFC 5545 RRULE value: {name} is given twice")));
            }
            names.push(name);
        }
        let rule = RRule::<Unvalidated>::from_str(text)
            .map_err(|e| Invalid::new(format!("not an RFC 5545 RRULE value: {e}")))?;
        if rule.get_interval() == 0 {
            return Err(Invalid::new("INTERVAL must be at least 1"));
        }
        if matches!(rule.get_freq(), Frequency::Hourly | Frequency::Minutely | Frequency::Secondly) {
            return Err(Invalid::new(
                "events recur daily at the finest (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)",
            ));
        }
        Ok(Self { text: text.to_owned(), rule })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A set of the twelve months, as a window of time touches them in UTC:
/// bit 0 is January. A window reads only the events that may be running in
/// one of its months, so a month in 2063 skips the yearly events of the
/// other eleven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Months(u16);

impl Months {
    pub const ALL: Self = Self(0xFFF);

    /// The months `[from, to)` touches; all of them without an end. An
    /// empty window still holds the occurrences running at `from`.
    pub fn of_window(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Self {
        to.map_or(Self::ALL, |to| {
            Self::touched(from.naive_utc(), to.max(from + Duration::nanoseconds(1)).naive_utc())
        })
    }

    pub fn bits(self) -> i32 {
        i32::from(self.0)
    }

    /// The months of `[start, end)`.
    fn touched(start: NaiveDateTime, end: NaiveDateTime) -> Self {
        if end - start >= Duration::days(366) {
            return Self::ALL;
        }
        let mut months = Self::default();
        let mut month = start.date().with_day(1);
        while let Some(first) = month.filter(|m| m.and_time(chrono::NaiveTime::MIN) < end) {
            months.0 |= 1 << first.month0();
            month = first.checked_add_months(chrono::Months::new(1));
        }
        months
    }
}

impl std::ops::BitOr for Months {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// One occurrence of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The period of a plain rule: whole days, or whole months.
#[derive(Debug, Clone, Copy)]
enum Step {
    Days(u32),
    Months(u32),
}

impl Step {
    /// The local start moved by `n` steps; a month without its day gives
    /// the month's last ([`Step::keeps_day`] tells).
    fn nth(self, start: NaiveDateTime, n: u32) -> Option<NaiveDateTime> {
        match self {
            Self::Days(days) => start.checked_add_days(chrono::Days::new(u64::from(n) * u64::from(days))),
            Self::Months(months) => start.checked_add_months(chrono::Months::new(n.checked_mul(months)?)),
        }
    }

    /// Whether `moved` is on the start's day (always, for days).
    fn keeps_day(self, start: NaiveDateTime, moved: NaiveDateTime) -> bool {
        matches!(self, Self::Days(_)) || moved.day() == start.day()
    }

    /// Whole steps from `start` to `end`, one more than fits at most.
    fn count(self, start: NaiveDateTime, end: NaiveDateTime) -> Option<u32> {
        match self {
            Self::Days(days) => u32::try_from((end - start).num_days()).ok()?.checked_div(days),
            Self::Months(months) => {
                let between = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
                u32::try_from(between.max(0)).ok()?.checked_div(months)
            }
        }
    }
}

/// When an event happens: a first occurrence, its zone, and how it repeats.
#[derive(Debug, Clone)]
pub struct EventTimes {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    time_zone: TimeZone,
    all_day: bool,
    /// The rule, with its rrule set built from the start: at once for new
    /// times, on first use for stored ones (a plain rule is stepped through
    /// without it, [`EventTimes::stepped`]).
    recurrence: Option<(Recurrence, OnceLock<Option<RRuleSet>>)>,
}

impl EventTimes {
    /// Most occurrences ever expanded for one event and one question.
    const MAX_EXPANSION: u16 = 5000;

    pub fn new(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        time_zone: TimeZone,
        all_day: bool,
        recurrence: Option<Recurrence>,
    ) -> Result<Self, Invalid> {
        Self::checked(starts_at, ends_at, time_zone, all_day, recurrence, true)
    }

    /// Times as stored, which [`EventTimes::new`] accepted when they were
    /// written: the rule is not built again until it is needed, nor
    /// expanded to see that it occurs (for a yearly series, a fifth of the
    /// time of a month's window).
    pub fn stored(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        time_zone: TimeZone,
        all_day: bool,
        recurrence: Option<Recurrence>,
    ) -> Result<Self, Invalid> {
        Self::checked(starts_at, ends_at, time_zone, all_day, recurrence, false)
    }

    fn checked(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        time_zone: TimeZone,
        all_day: bool,
        recurrence: Option<Recurrence>,
        occurs: bool,
    ) -> Result<Self, Invalid> {
        if ends_at <= starts_at {
            return Err(Invalid::new("ends_at must be after starts_at"));
        }
        let recurrence = match recurrence {
            None => None,
            Some(recurrence) if !occurs => Some((recurrence, OnceLock::new())),
            Some(recurrence) => {
                let dt_start = starts_at.with_timezone(&rrule::Tz::Tz(time_zone.tz()));
                let set = recurrence
                    .rule
                    .clone()
                    .build(dt_start)
                    .map_err(|e| Invalid::new(format!("the recurrence does not fit the start: {e}")))?;
                if set.clone().all(1).dates.is_empty() {
                    return Err(Invalid::new(format!(
                        "the recurrence `{recurrence}` never occurs from the start given"
                    )));
                }
                Some((recurrence, OnceLock::from(Some(set))))
            }
        };
        Ok(Self { starts_at, ends_at, time_zone, all_day, recurrence })
    }

    pub fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }

    pub fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }

    pub fn time_zone(&self) -> TimeZone {
        self.time_zone
    }

    pub fn all_day(&self) -> bool {
        self.all_day
    }

    pub fn recurrence(&self) -> Option<&Recurrence> {
        self.recurrence.as_ref().map(|(recurrence, _)| recurrence)
    }

    fn duration(&self) -> Duration {
        self.ends_at - self.starts_at
    }

    /// Whether the series runs longer than [`Self::SHORT_SPAN`] from its
    /// first start to its last end, or without end. Windows of time find
    /// short events by their start alone, long-running ones apart.
    pub fn long_running(&self) -> bool {
        self.series_ends_at().is_none_or(|end| end - self.starts_at > Self::SHORT_SPAN)
    }

    /// The longest a series may run and still count as short.
    pub const SHORT_SPAN: Duration = Duration::days(31);

    /// The rule's rrule set, built from the start; `None` without a rule,
    /// or for a stored rule that no longer fits its start.
    fn set(&self) -> Option<&RRuleSet> {
        let (recurrence, set) = self.recurrence.as_ref()?;
        set.get_or_init(|| {
            let dt_start = self.starts_at.with_timezone(&rrule::Tz::Tz(self.time_zone.tz()));
            recurrence.rule.clone().build(dt_start).ok()
        })
        .as_ref()
    }

    /// When the last occurrence ends, or `None` when the event recurs without end.
    pub fn series_ends_at(&self) -> Option<DateTime<Utc>> {
        let (Some((recurrence, _)), Some(set)) = (&self.recurrence, self.set()) else {
            return Some(self.ends_at);
        };
        if recurrence.rule.get_count().is_none() && recurrence.rule.get_until().is_none() {
            return None;
        }
        let all = set.clone().all(Self::MAX_EXPANSION);
        if all.limited {
            return None;
        }
        let last = all.dates.last().map(|d| d.with_timezone(&Utc)).unwrap_or(self.starts_at);
        Some(last + self.duration())
    }

    /// Occurrences that overlap `[from, to)`, in order, at most `limit`.
    pub fn occurrences(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u16,
    ) -> Vec<Occurrence> {
        let duration = self.duration();
        let overlaps =
            |o: &Occurrence| from.is_none_or(|f| o.ends_at > f) && to.is_none_or(|t| o.starts_at < t);
        if let Some(found) = self.stepped(from, to, limit.min(Self::MAX_EXPANSION)) {
            return found;
        }
        let Some(set) = self.set() else {
            let only = Occurrence { starts_at: self.starts_at, ends_at: self.ends_at };
            return if overlaps(&only) && limit > 0 { vec![only] } else { vec![] };
        };
        let zone = rrule::Tz::Tz(self.time_zone.tz());
        let mut query = set.clone();
        if let Some(from) = from {
            // An occurrence that started before `from` may still be running.
            let after = from - duration;
            query = self.rebased(after).unwrap_or(query).after(after.with_timezone(&zone));
        }
        if let Some(to) = to {
            query = query.before(to.with_timezone(&zone));
        }
        query
            .all(limit.min(Self::MAX_EXPANSION))
            .dates
            .into_iter()
            .map(|start| {
                let starts_at = start.with_timezone(&Utc);
                Occurrence { starts_at, ends_at: starts_at + duration }
            })
            .filter(overlaps)
            .collect()
    }

    /// The step of a plain rule, in days or in months: a rule of whole
    /// days, weeks, months or years with no `BY…` part (whose defaults come
    /// from the start, which a whole number of periods keeps) and no
    /// `COUNT` (which counts from the first). Its occurrences are the start
    /// moved by whole steps, where the local date exists (a month without
    /// the start's day has none).
    fn plain_step(&self) -> Option<Step> {
        let (recurrence, _) = self.recurrence.as_ref()?;
        let rule = &recurrence.rule;
        let plain = rule.get_by_set_pos().is_empty()
            && rule.get_by_month().is_empty()
            && rule.get_by_month_day().is_empty()
            && rule.get_by_year_day().is_empty()
            && rule.get_by_week_no().is_empty()
            && rule.get_by_weekday().is_empty()
            && rule.get_by_hour().is_empty()
            && rule.get_by_minute().is_empty()
            && rule.get_by_second().is_empty();
        if !plain || rule.get_count().is_some() {
            return None;
        }
        let interval = u32::from(rule.get_interval().max(1));
        Some(match rule.get_freq() {
            Frequency::Daily => Step::Days(interval),
            Frequency::Weekly => Step::Days(7 * interval),
            Frequency::Monthly => Step::Months(interval),
            Frequency::Yearly => Step::Months(12 * interval),
            _ => return None,
        })
    }

    /// The series as if it had begun at its last occurrence at or before
    /// `at`, when that gives the same occurrences from there on (a plain
    /// rule, [`Self::plain_step`]), so that a question about 2063 does not
    /// step through every year since 1990. `None` when it does not hold, or
    /// when `at` is before the start.
    fn rebased(&self, at: DateTime<Utc>) -> Option<RRuleSet> {
        use chrono::TimeZone as _;
        let (recurrence, _) = self.recurrence.as_ref()?;
        let step = self.plain_step()?;
        if at <= self.starts_at {
            return None;
        }
        let zone = self.time_zone.tz();
        let start = self.starts_at.with_timezone(&zone).naive_local();
        let mut steps = step.count(start, at.with_timezone(&zone).naive_local())?;
        // Step back to an occurrence: one at or before `at`, at a local
        // time that exists.
        for _ in 0..=24 {
            let occurrence = step
                .nth(start, steps)
                .filter(|m| step.keeps_day(start, *m))
                .and_then(|m| zone.from_local_datetime(&m).single())
                .filter(|o| o.with_timezone(&Utc) <= at);
            if let Some(occurrence) = occurrence {
                let dt_start = occurrence.with_timezone(&rrule::Tz::Tz(zone));
                return recurrence.rule.clone().build(dt_start).ok();
            }
            steps = steps.checked_sub(1)?;
        }
        None
    }

    /// The occurrences of a plain rule ([`Self::plain_step`]) that overlap
    /// `[from, to)`, at most `limit`, found by stepping from the start
    /// rather than by rrule, which builds every day of a year to find one.
    /// `None` when the rule is not plain, or when a step lands on a local
    /// time that daylight saving skips or repeats: rrule decides those.
    fn stepped(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u16,
    ) -> Option<Vec<Occurrence>> {
        use chrono::TimeZone as _;
        let step = self.plain_step()?;
        let (recurrence, _) = self.recurrence.as_ref()?;
        let until = recurrence.rule.get_until().map(|u| u.with_timezone(&Utc));
        let zone = self.time_zone.tz();
        let start = self.starts_at.with_timezone(&zone).naive_local();
        let duration = self.duration();
        // From one step before the last that starts, in local time, before
        // an occurrence that overlaps `from` could: no offset moves a start
        // by a whole day, so none before that overlaps.
        let mut steps = match from.map(|f| f - duration).filter(|f| *f > self.starts_at) {
            Some(earliest) => {
                step.count(start, earliest.with_timezone(&zone).naive_local())?.saturating_sub(1)
            }
            None => 0,
        };
        // Local times this far before `from` are before it in any zone.
        let passed = from.map(|f| f.with_timezone(&zone).naive_local() - Duration::days(2));
        let mut found = Vec::new();
        // A month without the start's day, or 29 February, is passed over:
        // three steps in four at most.
        for _ in 0..4 * u32::from(limit) + 8 {
            if found.len() >= usize::from(limit) {
                return Some(found);
            }
            let Some(local) = step.nth(start, steps) else { return Some(found) };
            steps = steps.checked_add(1)?;
            if !step.keeps_day(start, local) {
                continue;
            }
            let Some(starts_at) = zone.from_local_datetime(&local).single() else {
                // Ended before the window whatever its offset: no matter.
                if passed.is_some_and(|passed| local + duration <= passed) {
                    continue;
                }
                return None;
            };
            let starts_at = starts_at.with_timezone(&Utc);
            if until.is_some_and(|u| starts_at > u) || to.is_some_and(|t| starts_at >= t) {
                return Some(found);
            }
            let occurrence = Occurrence { starts_at, ends_at: starts_at + duration };
            if from.is_none_or(|f| occurrence.ends_at > f) {
                found.push(occurrence);
            }
        }
        None
    }

    /// The months (UTC) in which an occurrence may be running: exact for a
    /// single event, and for a yearly rule on the start's day; for a rule
    /// limited to some months (`BYMONTH`), those months; all of them
    /// otherwise. Local times are taken a day wide, which covers any
    /// zone's offset and a `BYHOUR`.
    pub fn months(&self) -> Months {
        let Some((recurrence, _)) = &self.recurrence else {
            return Months::touched(self.starts_at.naive_utc(), self.ends_at.naive_utc());
        };
        let rule = &recurrence.rule;
        let slack = Duration::days(1);
        let runs = |first: NaiveDateTime, last: NaiveDateTime| {
            Months::touched(first - slack, last + slack + self.duration())
        };
        let local = self.starts_at.with_timezone(&self.time_zone.tz()).date_naive();
        let by_month = rule.get_by_month();
        let dated = rule.get_freq() == Frequency::Yearly
            && by_month.is_empty()
            && rule.get_by_week_no().is_empty()
            && rule.get_by_year_day().is_empty()
            && rule.get_by_month_day().is_empty()
            && rule.get_by_weekday().is_empty();
        let day = |date: NaiveDate| date.and_time(chrono::NaiveTime::MIN);
        if dated {
            // The start's month and day each year: a leap year and a
            // common one give every month such a day can touch.
            return [2000, 2001]
                .into_iter()
                .filter_map(|year| NaiveDate::from_ymd_opt(year, local.month(), local.day()))
                .map(|date| runs(day(date), day(date) + Duration::days(1)))
                .fold(Months::default(), |all, months| all | months);
        }
        if by_month.is_empty() {
            return Months::ALL;
        }
        by_month
            .iter()
            .filter_map(|month| {
                let first = NaiveDate::from_ymd_opt(2000, u32::from(*month), 1)?;
                Some(runs(day(first), day(first.checked_add_months(chrono::Months::new(1))?)))
            })
            .fold(Months::default(), |all, months| all | months)
    }

    /// Whether any occurrence overlaps `[from, to)`.
    pub fn overlaps(&self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> bool {
        !self.occurrences(from, to, 1).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, TimeZone as _, Timelike};

    use super::*;

    fn athens_yearly() -> EventTimes {
        let zone = TimeZone::parse("Europe/Athens").unwrap_or_else(|e| panic!("{e}"));
        // 10:00 in Athens in January (UTC+2).
        let start = Utc.with_ymd_and_hms(2025, 1, 15, 8, 0, 0).single().unwrap_or_else(|| panic!());
        let recurrence = Recurrence::parse("FREQ=YEARLY").unwrap_or_else(|e| panic!("{e}"));
        EventTimes::new(start, start + Duration::hours(2), zone, false, Some(recurrence))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_late_window_sees_the_occurrences_a_full_expansion_sees() {
        // (zone, local start, hours long, rule): rules that are rebased
        // (whole periods, across daylight saving, the 31st, 29 February,
        // an UNTIL) and one that is not (a BY part).
        let cases = [
            ("Europe/Athens", (1990, 3, 25, 2, 30), 2, "FREQ=YEARLY"),
            ("Europe/Athens", (1991, 1, 31, 19, 0), 1, "FREQ=MONTHLY"),
            ("America/New_York", (1992, 2, 29, 9, 0), 3, "FREQ=YEARLY"),
            ("America/New_York", (1993, 11, 1, 1, 30), 1, "FREQ=WEEKLY;INTERVAL=2"),
            ("UTC", (1994, 6, 1, 23, 0), 5, "FREQ=DAILY;INTERVAL=3;UNTIL=20300101T000000Z"),
            ("Europe/Athens", (1995, 1, 1, 18, 0), 2, "FREQ=MONTHLY;BYDAY=1MO"),
            // A local time that daylight saving skips (London, 2024) or
            // repeats (New York, 2033) in a later year.
            ("Europe/London", (2023, 3, 31, 1, 30), 1, "FREQ=YEARLY"),
            ("America/New_York", (2022, 11, 6, 1, 30), 2, "FREQ=YEARLY"),
            ("Europe/Athens", (1996, 1, 31, 10, 0), 1, "FREQ=MONTHLY;INTERVAL=5;UNTIL=20400101T000000Z"),
        ];
        for (zone, (y, mo, d, h, mi), hours, rule) in cases {
            let tz = TimeZone::parse(zone).unwrap_or_else(|e| panic!("{e}"));
            let local = tz.tz().with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().unwrap_or_else(|| panic!());
            let start = local.with_timezone(&Utc);
            let recurrence = Recurrence::parse(rule).unwrap_or_else(|e| panic!("{e}"));
            let times = EventTimes::new(start, start + Duration::hours(hours), tz, false, Some(recurrence))
                .unwrap_or_else(|e| panic!("{e}"));
            let Some(set) = times.set() else { panic!("{rule} recurs") };
            for year in [1990, 1999, 2024, 2029, 2031, 2033, 2063] {
                for month in [1, 3, 10, 11] {
                    let from =
                        Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single().unwrap_or_else(|| panic!());
                    let to = from + Duration::days(45);
                    let found = times.occurrences(Some(from), Some(to), 40);
                    // The whole series from its first occurrence.
                    let expected: Vec<DateTime<Utc>> = set
                        .clone()
                        .before(to.with_timezone(&rrule::Tz::Tz(tz.tz())))
                        .all(EventTimes::MAX_EXPANSION * 4)
                        .dates
                        .into_iter()
                        .map(|o| o.with_timezone(&Utc))
                        .filter(|o| *o + Duration::hours(hours) > from)
                        .take(40)
                        .collect();
                    let found: Vec<DateTime<Utc>> = found.iter().map(|o| o.starts_at).collect();
                    assert_eq!(found, expected, "{rule} from {zone} {y}, window {year}-{month}");
                    if year == 2024 {
                        assert_eq!(times.rebased(from).is_some(), !rule.contains("BY"), "{rule}");
                    }
                    if year == 2063 && month == 1 {
                        let stepped = times.stepped(Some(from), Some(to), 40).is_some();
                        assert_eq!(
                            stepped,
                            !rule.contains("BY"),
                            "{rule} in {zone} from {y}: stepped, not expanded"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn months_hold_every_occurrence() {
        let rules = [
            "FREQ=YEARLY",
            "FREQ=YEARLY;INTERVAL=3",
            "FREQ=YEARLY;BYHOUR=0,23",
            "FREQ=YEARLY;BYMONTH=3,11",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "FREQ=YEARLY;BYYEARDAY=100",
            "FREQ=MONTHLY;BYMONTH=6;BYDAY=1FR",
            "FREQ=MONTHLY;INTERVAL=12",
            "FREQ=WEEKLY;COUNT=10",
        ];
        let zones = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Athens", "America/New_York"];
        let starts =
            [(2024, 1, 1, 0, 30), (2024, 12, 31, 23, 30), (2024, 2, 29, 12, 0), (2025, 3, 30, 2, 30)];
        for rule in rules {
            for zone in zones {
                let tz = TimeZone::parse(zone).unwrap_or_else(|e| panic!("{e}"));
                for (y, mo, d, h, mi) in starts {
                    let Some(local) = tz.tz().with_ymd_and_hms(y, mo, d, h, mi, 0).earliest() else {
                        continue;
                    };
                    let start = local.with_timezone(&Utc);
                    for length in [Duration::hours(1), Duration::hours(30), Duration::days(40)] {
                        let recurrence = Recurrence::parse(rule).unwrap_or_else(|e| panic!("{e}"));
                        let Ok(times) = EventTimes::new(start, start + length, tz, false, Some(recurrence))
                        else {
                            continue;
                        };
                        let months = times.months();
                        let until = start + Duration::days(366 * 30);
                        for o in times.occurrences(None, Some(until), 2000) {
                            let running = Months::touched(o.starts_at.naive_utc(), o.ends_at.naive_utc());
                            assert_eq!(
                                months | running,
                                months,
                                "{rule} in {zone} from {local}, {length}: {o:?} outside {months:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_yearly_event_mid_month_runs_in_that_month_alone() {
        let times = athens_yearly();
        assert_eq!(times.months(), Months(1));
        let window = |(y, m): (i32, u32), (ty, tm): (i32, u32)| {
            let at = |y, m| Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single().unwrap_or_else(|| panic!());
            Months::of_window(at(y, m), Some(at(ty, tm)))
        };
        assert_eq!(window((2063, 1), (2063, 2)), Months(1), "the end is not in the window");
        assert_eq!(window((2063, 11), (2064, 2)), Months(0b1100_0000_0001));
        assert_eq!(window((2063, 1), (2064, 2)), Months::ALL);
        assert_eq!(Months::of_window(Utc::now(), None), Months::ALL);
        let march = Utc.with_ymd_and_hms(2063, 3, 31, 23, 0, 0).single().unwrap_or_else(|| panic!());
        assert_eq!(Months::of_window(march, Some(march)), Months(0b100), "an instant is in its month");
    }

    #[test]
    fn yearly_occurrences_keep_their_local_time() {
        let times = athens_yearly();
        let occurrences = times.occurrences(None, None, 4);
        assert_eq!(occurrences.len(), 4);
        for (i, o) in occurrences.iter().enumerate() {
            let local = times.time_zone().local(o.starts_at);
            assert_eq!((local.year(), local.hour()), (2025 + i as i32, 10));
        }
        assert_eq!(times.series_ends_at(), None);
    }

    #[test]
    fn overlap_finds_a_later_occurrence_and_a_running_one() {
        let times = athens_yearly();
        let day = |y, m, d, h| Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single();
        assert!(times.overlaps(day(2030, 1, 1, 0), day(2030, 2, 1, 0)));
        assert!(!times.overlaps(day(2030, 2, 1, 0), day(2030, 12, 1, 0)));
        // 09:00 UTC is during the 08:00–10:00 UTC occurrence.
        assert!(times.overlaps(day(2027, 1, 15, 9), day(2027, 1, 15, 9).map(|d| d + Duration::minutes(1))));
    }

    #[test]
    fn stored_times_give_the_occurrences_checked_times_do() {
        let zone = TimeZone::parse("Europe/Athens").unwrap_or_else(|e| panic!("{e}"));
        let start = Utc.with_ymd_and_hms(1990, 1, 31, 8, 0, 0).single().unwrap_or_else(|| panic!());
        let window = |y| {
            (Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single(), Utc.with_ymd_and_hms(y, 4, 1, 0, 0, 0).single())
        };
        for rule in ["FREQ=YEARLY", "FREQ=MONTHLY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=DAILY;COUNT=40"] {
            let times = |stored: bool| {
                let rule = Recurrence::parse(rule).unwrap_or_else(|e| panic!("{e}"));
                let make = if stored { EventTimes::stored } else { EventTimes::new };
                make(start, start + Duration::hours(2), zone, false, Some(rule))
                    .unwrap_or_else(|e| panic!("{e}"))
            };
            for year in [1990, 2025, 2063] {
                let (from, to) = window(year);
                assert_eq!(
                    times(true).occurrences(from, to, 50),
                    times(false).occurrences(from, to, 50),
                    "{rule}"
                );
            }
        }
    }

    #[test]
    fn bounded_series_know_their_end() {
        let zone = TimeZone::parse("UTC").unwrap_or_else(|e| panic!("{e}"));
        let start = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).single().unwrap_or_else(|| panic!());
        let rule = Recurrence::parse("FREQ=WEEKLY;COUNT=3").unwrap_or_else(|e| panic!("{e}"));
        let times = EventTimes::new(start, start + Duration::hours(1), zone, false, Some(rule))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(times.series_ends_at(), Some(start + Duration::days(14) + Duration::hours(1)));
        assert!(!times.long_running(), "two weeks is short");
    }

    #[test]
    fn series_longer_than_a_month_or_endless_are_long_running() {
        let zone = || TimeZone::parse("UTC").unwrap_or_else(|e| panic!("{e}"));
        let start = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).single().unwrap_or_else(|| panic!());
        let times = |end: DateTime<Utc>, rule: Option<&str>| {
            let rule = rule.map(|r| Recurrence::parse(r).unwrap_or_else(|e| panic!("{e}")));
            EventTimes::new(start, end, zone(), false, rule).unwrap_or_else(|e| panic!("{e}"))
        };
        assert!(!times(start + Duration::days(31), None).long_running(), "31 days exactly is short");
        assert!(times(start + Duration::days(32), None).long_running());
        assert!(times(start + Duration::hours(1), Some("FREQ=WEEKLY;COUNT=6")).long_running());
        assert!(times(start + Duration::hours(1), Some("FREQ=YEARLY")).long_running());
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("TUR").is_err());
        assert_eq!(Country::parse("tr").map(|c| c.as_str().to_owned()), Ok("TR".into()));
        assert!(Recurrence::parse("FREQ=SOMETIMES").is_err());
        assert!(Recurrence::parse("FREQ=HOURLY").is_err());
        for malformed in [
            "FREQ=DAILY;;;",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;COUNT=2;COUNT=3",
            "FREQ=DAILY;x=1",
            "FREQ=DAILY\u{0}",
            "FREQ=WEEKLY;BYDAY=",
        ] {
            assert!(Recurrence::parse(malformed).is_err(), "{malformed}");
        }
        let zone = TimeZone::parse("UTC").unwrap_or_else(|e| panic!("{e}"));
        let now = Utc::now();
        assert!(EventTimes::new(now, now, zone, false, None).is_err());
    }

    #[test]
    fn a_rule_that_never_occurs_is_refused() {
        let zone = TimeZone::parse("UTC").unwrap_or_else(|e| panic!("{e}"));
        let start = Utc.with_ymd_and_hms(2027, 1, 1, 9, 0, 0).single().unwrap_or_else(|| panic!());
        for never in ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11"] {
            let rule = Recurrence::parse(never).unwrap_or_else(|e| panic!("{never}: {e}"));
            let started = std::time::Instant::now();
            let times = EventTimes::new(start, start + Duration::hours(1), zone, false, Some(rule));
            assert!(times.is_err(), "{never}");
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{never}: {:?}",
                started.elapsed()
            );
        }
        let leap = Recurrence::parse("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29").unwrap_or_else(|e| panic!("{e}"));
        assert!(EventTimes::new(start, start + Duration::hours(1), zone, false, Some(leap)).is_ok());
    }
}
