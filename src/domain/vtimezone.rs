//! RFC 5545 time-zone definitions (`VTIMEZONE`) from the IANA database, so
//! that calendar clients place `DTSTART;TZID=…` times exactly as we do,
//! whatever their own zone data. Each is a handful of fixed lines.

use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone as _, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// One change of offset.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Transition {
    at: DateTime<Utc>,
    from: i32,
    to: i32,
    daylight: bool,
    name: Option<String>,
}

fn offset_at(zone: Tz, at: DateTime<Utc>) -> (i32, bool, Option<String>) {
    let offset = zone.offset_from_utc_datetime(&at.naive_utc());
    let daylight = !offset.dst_offset().is_zero();
    (offset.fix().local_minus_utc(), daylight, offset.abbreviation().map(str::to_owned))
}

/// The transitions of `zone` in `[from, to)`, found day by day and then to
/// the second.
fn transitions(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let mut found = Vec::new();
    let mut before = from;
    let mut state = offset_at(zone, before);
    while before < to {
        let after = before + Duration::days(1);
        let next = offset_at(zone, after);
        if next.0 != state.0 || next.1 != state.1 {
            // The change lies in (before, after]: halve the gap to the second.
            let (mut low, mut high) = (before, after);
            while high - low > Duration::seconds(1) {
                let middle = low + (high - low) / 2;
                if offset_at(zone, middle) == state { low = middle } else { high = middle }
            }
            let (to_offset, daylight, name) = offset_at(zone, high);
            found.push(Transition { at: high, from: state.0, to: to_offset, daylight, name });
            state = offset_at(zone, high);
        }
        before = after;
    }
    found
}

fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

fn observance(
    lines: &mut Vec<String>,
    daylight: bool,
    start_local: String,
    from: i32,
    to: i32,
    name: Option<&str>,
) {
    let kind = if daylight { "DAYLIGHT" } else { "STANDARD" };
    lines.push(format!("BEGIN:{kind}"));
    lines.push(format!("DTSTART:{start_local}"));
    lines.push(format!("TZOFFSETFROM:{}", offset(from)));
    lines.push(format!("TZOFFSETTO:{}", offset(to)));
    // Names that are only offsets ("+03") say nothing a client needs.
    if let Some(name) = name.filter(|n| n.chars().all(|c| c.is_ascii_alphabetic())) {
        lines.push(format!("TZNAME:{name}"));
    }
    lines.push(format!("END:{kind}"));
}

/// The `VTIMEZONE` of `zone` covering the years `first..=last`, as CRLF
/// lines. Definitions are worked out once per process and kept (a few
/// hundred bytes each, one per zone and range asked for).
pub fn vtimezone(zone: Tz, first: i32, last: i32) -> std::sync::Arc<str> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Made = HashMap<(Tz, i32, i32), Arc<str>>;
    static MADE: OnceLock<Mutex<Made>> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    if let Some(known) = made.lock().ok().and_then(|m| m.get(&(zone, first, last)).cloned()) {
        return known;
    }
    let definition: Arc<str> = build(zone, first, last).into();
    if let Ok(mut made) = made.lock()
        && made.len() < 4096
    {
        made.insert((zone, first, last), definition.clone());
    }
    definition
}

fn build(zone: Tz, first: i32, last: i32) -> String {
    let start = NaiveDate::from_ymd_opt(first, 1, 1).map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
    let end = NaiveDate::from_ymd_opt(last.saturating_add(1), 1, 1)
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
    let (Some(start), Some(end)) = (start, end.filter(|e| Some(*e) > start)) else {
        return String::new();
    };
    let mut lines = vec!["BEGIN:VTIMEZONE".to_owned(), format!("TZID:{}", zone.name())];
    // What is in force when the range opens, then every change within it.
    let (initial, daylight, name) = offset_at(zone, start);
    let local = |at: DateTime<Utc>, seconds: i32| {
        (at + Duration::seconds(i64::from(seconds))).format("%Y%m%dT%H%M%S").to_string()
    };
    observance(&mut lines, daylight, local(start, initial), initial, initial, name.as_deref());
    for t in transitions(zone, start, end) {
        observance(&mut lines, t.daylight, local(t.at, t.from), t.from, t.to, t.name.as_deref());
    }
    lines.push("END:VTIMEZONE".to_owned());
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

/// The UTC offset of `zone` at `at`, in seconds (for tests and checks).
pub fn utc_offset(zone: Tz, at: DateTime<Utc>) -> i32 {
    zone.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn athens_changes_twice_a_year_at_the_right_moment() {
        let text = vtimezone(chrono_tz::Europe::Athens, 2027, 2027).to_string();
        assert!(text.starts_with("BEGIN:VTIMEZONE\r\nTZID:Europe/Athens\r\n"), "{text}");
        // Last Sunday of March, 03:00 local (EET) → 04:00 EEST; last Sunday
        // of October, 04:00 local (EEST) → 03:00 EET.
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20270328T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nTZNAME:EEST\r\n"), "{text}");
        assert!(text.contains("BEGIN:STANDARD\r\nDTSTART:20271031T040000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nTZNAME:EET\r\n"), "{text}");
        assert_eq!(text.matches("BEGIN:DAYLIGHT").count(), 1);
    }

    #[test]
    fn a_zone_without_changes_has_one_observance() {
        let text = vtimezone(chrono_tz::Europe::Istanbul, 2026, 2030).to_string();
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 1, "{text}");
        assert!(text.contains("TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"));
        assert!(!text.contains("DAYLIGHT"));
        assert!(vtimezone(chrono_tz::Asia::Kolkata, 2026, 2026).contains("TZOFFSETTO:+0530"));
    }
}
