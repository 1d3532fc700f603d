//! Dates (RFC 5322 date-time with obsolete syntax and a lenient fallback).
//!
//! [`parse`] accepts RFC 5322 §3.3 `date-time` including the obsolete syntax of §4.3 (two- and
//! three-digit years, named and military zones, comments and folding white space anywhere).
//! [`parse_lenient`] first tries [`parse`] and otherwise recovers the malformed dates real mail
//! carries (asctime order, ISO 8601, full month names, `+01:00`, missing zone, ...), reporting
//! each irregularity as a [`DateDefect`]. Both run in linear time and never panic.
//!
//! [`DateTime`] is always valid (year 0–9999, a real calendar day, offset within ±99:59); it
//! formats with [`DateTime::to_rfc5322`] and converts to and from Unix timestamps and
//! [`SystemTime`]. The calendar arithmetic is the proleptic Gregorian calendar.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest absolute zone offset in minutes (`±9959` in RFC 5322 syntax).
pub const MAX_OFFSET_MINUTES: i16 = 99 * 60 + 59;

/// Largest year a [`DateTime`] holds (RFC 5322 writes at least four digits; we allow exactly
/// four).
pub const MAX_YEAR: i32 = 9999;

const SECONDS_PER_DAY: i64 = 86_400;

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The RFC 5322 abbreviation, such as `"Mon"`.
    pub fn name(self) -> &'static str {
        DAY_NAMES[self as usize]
    }

    /// The weekday of a count of days since 1970-01-01 (a Thursday).
    fn from_days(days: i64) -> Weekday {
        // 1970-01-01 is index 3 (Thu) with Monday = 0.
        Weekday::ALL[(days + 3).rem_euclid(7) as usize]
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAY_FULL: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTH_FULL: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Why [`parse`] or [`DateTime::new`] rejected a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The input does not follow the RFC 5322 `date-time` syntax; names what was expected.
    #[error("malformed date: expected {0}")]
    Expected(&'static str),
    /// A comment was opened and never closed.
    #[error("malformed date: unterminated comment")]
    UnterminatedComment,
    /// Something other than comments or white space follows the zone.
    #[error("malformed date: trailing data after the zone")]
    TrailingData,
    /// A field is outside its range (names the field).
    #[error("date field out of range: {0}")]
    OutOfRange(&'static str),
    /// The seconds are 60 (a leap second), which [`DateTime`] cannot hold;
    /// [`parse_lenient`] turns it into 59.
    #[error("leap second (:60) not representable")]
    LeapSecond,
    /// The day of the week given does not match the date.
    #[error("day of week does not match the date")]
    DayOfWeekMismatch,
}

/// An irregularity [`parse_lenient`] recovered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateDefect {
    /// A day of the week not followed by a comma.
    MissingComma,
    /// A day name other than the three-letter abbreviation (`Monday`).
    NonStandardDayName,
    /// The day of the week does not match the date; the date was kept.
    DayOfWeekMismatch,
    /// A month name other than the three-letter abbreviation (`January`, `Sept`).
    NonStandardMonthName,
    /// The month came before the day (asctime order, `Mon Jan 02 15:04:05 2006`).
    MonthBeforeDay,
    /// An ISO 8601 date (`2006-01-02T15:04:05Z`).
    Iso8601,
    /// A two- or three-digit year, expanded as RFC 5322 §4.3 says.
    ObsoleteYear,
    /// An hour written with a single digit.
    SingleDigitHour,
    /// Some other irregular time: single-digit minutes or seconds, fractional seconds, AM/PM.
    NonStandardTime,
    /// Seconds of 60 (a leap second), turned into 59.
    LeapSecond,
    /// No time of day; midnight assumed.
    MissingTime,
    /// A zone outside RFC 5322 (`+01:00`, `UTC`, `CET`, a sign and hours only).
    NonStandardZone,
    /// No zone; `+0000` assumed.
    MissingZone,
    /// Text that is not part of a date was ignored.
    ExtraText,
    /// A comment was never closed; the rest of the input was ignored.
    UnterminatedComment,
}

/// A validated calendar date, time of day and zone offset.
///
/// Invariants: year 0–9999, month 1–12, day valid for the month (proleptic Gregorian), hour
/// 0–23, minute 0–59, second 0–59, offset within ±[`MAX_OFFSET_MINUTES`]. The fields are the
/// local time at that offset, as written in a `Date:` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    offset_minutes: i16,
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
/// Callers keep `year` within a few million so nothing overflows.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let m = i64::from(month);
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: `(year, month, day)`.
/// Callers keep `days` within a few billion so nothing overflows.
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl DateTime {
    /// Builds a date-time, checking every field (see the type's invariants).
    // Inlined: called out of line, its result came back through memory written field by field
    // and read whole, a store-forwarding stall on every parsed date.
    #[inline(always)]
    pub fn new(
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Result<DateTime, DateError> {
        if !(0..=MAX_YEAR).contains(&year) {
            return Err(DateError::OutOfRange("year"));
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::OutOfRange("month"));
        }
        if day == 0 || day > days_in_month(i64::from(year), month) {
            return Err(DateError::OutOfRange("day"));
        }
        if hour > 23 {
            return Err(DateError::OutOfRange("hour"));
        }
        if minute > 59 {
            return Err(DateError::OutOfRange("minute"));
        }
        if second == 60 {
            return Err(DateError::LeapSecond);
        }
        if second > 59 {
            return Err(DateError::OutOfRange("second"));
        }
        if !(-MAX_OFFSET_MINUTES..=MAX_OFFSET_MINUTES).contains(&offset_minutes) {
            return Err(DateError::OutOfRange("zone offset"));
        }
        Ok(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            offset_minutes,
        })
    }

    /// The year (0–9999).
    pub fn year(&self) -> i32 {
        self.year
    }
    /// The month (1–12).
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month (1–31).
    pub fn day(&self) -> u8 {
        self.day
    }
    /// The hour (0–23).
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// The minute (0–59).
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// The second (0–59).
    pub fn second(&self) -> u8 {
        self.second
    }
    /// The zone offset east of UTC in minutes (`-0600` is -360). `-0000` reads as 0.
    pub fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// The day of the week, computed from the date.
    pub fn weekday(&self) -> Weekday {
        Weekday::from_days(days_from_civil(i64::from(self.year), self.month, self.day))
    }

    /// Formats as RFC 5322 `date-time`, such as `Mon, 02 Jan 2006 15:04:05 -0700`.
    pub fn to_rfc5322(&self) -> String {
        self.to_string()
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub fn unix_timestamp(&self) -> i64 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        days * SECONDS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// The date-time of a Unix timestamp, expressed at `offset_minutes` east of UTC. `None`
    /// when the offset is out of range or the local date falls outside years 0–9999.
    pub fn from_unix_timestamp(timestamp: i64, offset_minutes: i16) -> Option<DateTime> {
        if !(-MAX_OFFSET_MINUTES..=MAX_OFFSET_MINUTES).contains(&offset_minutes) {
            return None;
        }
        let local = timestamp.checked_add(i64::from(offset_minutes) * 60)?;
        let days = local.div_euclid(SECONDS_PER_DAY);
        let secs = local.rem_euclid(SECONDS_PER_DAY);
        if days < days_from_civil(0, 1, 1) || days > days_from_civil(i64::from(MAX_YEAR), 12, 31) {
            return None;
        }
        let (year, month, day) = civil_from_days(days);
        DateTime::new(
            i32::try_from(year).ok()?,
            month,
            day,
            (secs / 3600) as u8,
            (secs / 60 % 60) as u8,
            (secs % 60) as u8,
            offset_minutes,
        )
        .ok()
    }

    /// This instant as a [`SystemTime`]; `None` if the platform cannot represent it.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let ts = self.unix_timestamp();
        let d = Duration::from_secs(ts.unsigned_abs());
        if ts >= 0 {
            UNIX_EPOCH.checked_add(d)
        } else {
            UNIX_EPOCH.checked_sub(d)
        }
    }

    /// The date-time of a [`SystemTime`] (sub-second part truncated toward the past),
    /// expressed at `offset_minutes` east of UTC. `None` as for
    /// [`from_unix_timestamp`](DateTime::from_unix_timestamp).
    pub fn from_system_time(time: SystemTime, offset_minutes: i16) -> Option<DateTime> {
        let ts = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).ok()?,
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).ok()?;
                let extra = i64::from(d.subsec_nanos() > 0);
                (-secs).checked_sub(extra)?
            }
        };
        DateTime::from_unix_timestamp(ts, offset_minutes)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let off = self.offset_minutes.unsigned_abs();
        write!(
            f,
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}",
            self.weekday(),
            self.day,
            MONTH_NAMES[usize::from(self.month.clamp(1, 12) - 1)],
            self.year,
            self.hour,
            self.minute,
            self.second,
            sign,
            off / 60,
            off % 60
        )
    }
}

impl std::str::FromStr for DateTime {
    type Err = DateError;
    fn from_str(s: &str) -> Result<DateTime, DateError> {
        parse(s.as_bytes())
    }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer shared by both parsers.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// A run of ASCII digits: its value (saturating) and digit count (saturating).
    Num { value: u32, digits: u32 },
    /// A run of ASCII letters, as a range of the input.
    Word { start: usize, end: usize },
    /// Any other single byte that is not white space or part of a comment.
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    tok: Tok,
    /// White space or a comment came right before this token.
    spaced: bool,
}

/// Splits into tokens, skipping white space and (nested) comments. Returns the tokens and
/// whether a comment was left unterminated (the rest of the input is then the comment).
fn tokenize(input: &[u8]) -> (Vec<Token>, bool) {
    let mut tokens = Vec::with_capacity(16);
    let mut i = 0;
    let mut spaced = false;
    while i < input.len() {
        let b = input[i];
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                spaced = true;
                i += 1;
            }
            b'(' => {
                spaced = true;
                let mut depth = 1usize;
                i += 1;
                while depth > 0 {
                    let Some(&c) = input.get(i) else {
                        return (tokens, true);
                    };
                    match c {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => depth -= 1,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'0'..=b'9' => {
                let mut value: u32 = 0;
                let mut digits: u32 = 0;
                while let Some(&c @ b'0'..=b'9') = input.get(i) {
                    value = value.saturating_mul(10).saturating_add(u32::from(c - b'0'));
                    digits = digits.saturating_add(1);
                    i += 1;
                }
                tokens.push(Token {
                    tok: Tok::Num { value, digits },
                    spaced,
                });
                spaced = false;
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                let start = i;
                while input.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                tokens.push(Token {
                    tok: Tok::Word { start, end: i },
                    spaced,
                });
                spaced = false;
            }
            _ => {
                tokens.push(Token {
                    tok: Tok::Punct(b),
                    spaced,
                });
                spaced = false;
                i += 1;
            }
        }
    }
    (tokens, false)
}

/// A three-letter name as a number, any case: `| 0x20` lower-cases a letter and turns no other
/// byte into one, so two words get the same key exactly when they match ignoring ASCII case.
const fn key3(a: u8, b: u8, c: u8) -> u32 {
    u32::from_le_bytes([a | 0x20, b | 0x20, c | 0x20, 0])
}

/// The [`key3`] of each three-letter name.
const fn keys3<const N: usize>(names: [&str; N]) -> [u32; N] {
    let mut keys = [0; N];
    let mut i = 0;
    while i < N {
        let [a, b, c] = *names[i].as_bytes() else {
            panic!("not a three-letter name");
        };
        keys[i] = key3(a, b, c);
        i += 1;
    }
    keys
}

const DAY_KEYS: [u32; 7] = keys3(DAY_NAMES);
const MONTH_KEYS: [u32; 12] = keys3(MONTH_NAMES);

/// Index of the three-letter `word` (case-insensitive) among the names `keys` stands for
/// ([`DAY_KEYS`], [`MONTH_KEYS`]): one compare per name instead of a byte loop.
fn lookup3(word: &[u8], keys: &[u32]) -> Option<usize> {
    let &[a, b, c] = word else { return None };
    let key = key3(a, b, c);
    keys.iter().position(|&k| k == key)
}

/// Index of `word` (case-insensitive) in `names`.
fn lookup(word: &[u8], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .position(|n| n.as_bytes().eq_ignore_ascii_case(word))
}

/// RFC 5322 named zones (§3.3 and §4.3 obs-zone), case-insensitive. Military letters give 0.
fn obs_zone(word: &[u8]) -> Option<i16> {
    const NAMED: [(&str, i16); 10] = [
        ("UT", 0),
        ("GMT", 0),
        ("EST", -300),
        ("EDT", -240),
        ("CST", -360),
        ("CDT", -300),
        ("MST", -420),
        ("MDT", -360),
        ("PST", -480),
        ("PDT", -420),
    ];
    if let Some(&(_, off)) = NAMED
        .iter()
        .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(word))
    {
        return Some(off);
    }
    // Military zones: any letter but J. RFC 5322 §4.3 says to treat them as -0000.
    match word {
        [c] if c.is_ascii_alphabetic() && !c.eq_ignore_ascii_case(&b'j') => Some(0),
        _ => None,
    }
}

/// Zone names seen in real mail that RFC 5322 does not define.
fn extra_zone(word: &[u8]) -> Option<i16> {
    const EXTRA: [(&str, i16); 20] = [
        ("UTC", 0),
        ("Z", 0),
        ("WET", 0),
        ("WEST", 60),
        ("BST", 60),
        ("CET", 60),
        ("MET", 60),
        ("CEST", 120),
        ("MEST", 120),
        ("EET", 120),
        ("EEST", 180),
        ("MSK", 180),
        ("HKT", 480),
        ("JST", 540),
        ("KST", 540),
        ("AEST", 600),
        ("AEDT", 660),
        ("NZST", 720),
        ("NZDT", 780),
        ("HST", -600),
    ];
    EXTRA
        .iter()
        .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(word))
        .map(|&(_, off)| off)
}

/// Expands an RFC 5322 year by its digit count (§4.3): 2 digits → 1950–2049, 3 digits → +1900.
fn expand_year(value: u32, digits: u32) -> Option<i32> {
    let v = i32::try_from(value).ok()?;
    match digits {
        2 if v < 50 => Some(2000 + v),
        2 => Some(1900 + v),
        3 => Some(1900 + v),
        4 => Some(v),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Strict parser.

struct Cursor<'a> {
    input: &'a [u8],
    tokens: &'a [Token],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
    fn num(
        &mut self,
        min_digits: u32,
        max_digits: u32,
        what: &'static str,
    ) -> Result<u32, DateError> {
        match self.next().map(|t| t.tok) {
            Some(Tok::Num { value, digits }) if (min_digits..=max_digits).contains(&digits) => {
                Ok(value)
            }
            _ => Err(DateError::Expected(what)),
        }
    }
    fn word(&mut self, what: &'static str) -> Result<&'a [u8], DateError> {
        match self.next().map(|t| t.tok) {
            Some(Tok::Word { start, end }) => Ok(&self.input[start..end]),
            _ => Err(DateError::Expected(what)),
        }
    }
    fn punct(&mut self, p: u8, what: &'static str) -> Result<(), DateError> {
        match self.next().map(|t| t.tok) {
            Some(Tok::Punct(c)) if c == p => Ok(()),
            _ => Err(DateError::Expected(what)),
        }
    }
    fn at_punct(&self, p: u8) -> bool {
        matches!(self.peek().map(|t| t.tok), Some(Tok::Punct(c)) if c == p)
    }
}

/// The common `Www, D[D] Mon YYYY HH:MM:SS ±ZZZZ` form (optional day of week, single spaces,
/// no comments; an RFC 5322 zone name such as `GMT` also serves), read in place without
/// tokenizing. Returns the date and the day of week as written, if it is (see
/// [`weekday_matches`]); `None` for any other form or an invalid date, which is then read the
/// general way, so both agree.
fn parse_common(input: &[u8]) -> Option<(DateTime, Option<Weekday>)> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = input.iter().position(|b| !is_space(b))?;
    let end = input.iter().rposition(|b| !is_space(b))? + 1;
    let s = &input[start..end];
    let (weekday, s) = match s {
        [a, b, c, b',', b' ', rest @ ..] => {
            (Some(Weekday::ALL[lookup3(&[*a, *b, *c], &DAY_KEYS)?]), rest)
        }
        _ => (None, s),
    };
    let digit = |b: u8| b.is_ascii_digit().then(|| u32::from(b - b'0'));
    let (day, s) = match s {
        [d, b' ', rest @ ..] => (digit(*d)?, rest),
        [d1, d2, b' ', rest @ ..] => (digit(*d1)? * 10 + digit(*d2)?, rest),
        _ => return None,
    };
    let [
        m1,
        m2,
        m3,
        b' ',
        y1,
        y2,
        y3,
        y4,
        b' ',
        h1,
        h2,
        b':',
        n1,
        n2,
        b':',
        s1,
        s2,
        b' ',
        ref zone @ ..,
    ] = *s
    else {
        return None;
    };
    let month = lookup3(&[m1, m2, m3], &MONTH_KEYS)? + 1;
    let two = |a: u8, b: u8| Some(digit(a)? * 10 + digit(b)?);
    let year = two(y1, y2)? * 100 + two(y3, y4)?;
    let offset = match *zone {
        [sign @ (b'+' | b'-'), z1, z2, z3, z4] => {
            let (zh, zm) = (two(z1, z2)?, two(z3, z4)?);
            if zm > 59 {
                return None;
            }
            // zh ≤ 99 and zm ≤ 59, so this fits.
            let offset = (zh * 60 + zm) as i16;
            if sign == b'-' { -offset } else { offset }
        }
        _ if zone.iter().all(u8::is_ascii_alphabetic) => obs_zone(zone)?,
        _ => return None,
    };
    let dt = DateTime::new(
        year as i32,
        month as u8,
        day as u8,
        two(h1, h2)? as u8,
        two(n1, n2)? as u8,
        two(s1, s2)? as u8,
        offset,
    )
    .ok()?;
    Some((dt, weekday))
}

/// Whether the day of week `written` (if any) is that of `dt`. Apart from [`parse_common`]:
/// a caller that drops the defects need not compute it.
fn weekday_matches(dt: &DateTime, written: Option<Weekday>) -> bool {
    written.is_none_or(|w| w == dt.weekday())
}

/// Parses an RFC 5322 `date-time`, obsolete syntax included.
///
/// Accepts an optional day of week (which must match the date), one- or two-digit day,
/// three-letter month (any case), 2-, 3- or 4-digit year (expanded per §4.3), `hh:mm[:ss]`,
/// and a zone: `+hhmm`/`-hhmm` (`-0000` reads as offset 0), `UT`, `GMT`, the US zones, or a
/// military letter (read as -0000, as §4.3 says). Comments and white space may appear between
/// any tokens. Years are taken as written even before 1900.
pub fn parse(input: &[u8]) -> Result<DateTime, DateError> {
    match parse_common(input) {
        Some((dt, written)) if weekday_matches(&dt, written) => Ok(dt),
        _ => parse_tokenized(input),
    }
}

/// [`parse`] the general way, through the tokenizer.
fn parse_tokenized(input: &[u8]) -> Result<DateTime, DateError> {
    let (tokens, unterminated) = tokenize(input);
    if unterminated {
        return Err(DateError::UnterminatedComment);
    }
    let mut c = Cursor {
        input,
        tokens: &tokens,
        pos: 0,
    };
    let mut weekday = None;
    if let Some(Token {
        tok: Tok::Word { .. },
        ..
    }) = c.peek()
    {
        let w = c.word("day of week")?;
        let idx = lookup3(w, &DAY_KEYS).ok_or(DateError::Expected("day of week"))?;
        weekday = Some(Weekday::ALL[idx]);
        c.punct(b',', "comma after day of week")?;
    }
    let day = c.num(1, 2, "day")?;
    let month_word = c.word("month")?;
    let month = lookup3(month_word, &MONTH_KEYS).ok_or(DateError::Expected("month"))? + 1;
    let (year_value, year_digits) = match c.next().map(|t| t.tok) {
        Some(Tok::Num { value, digits }) if digits >= 2 => (value, digits),
        _ => return Err(DateError::Expected("year")),
    };
    let year = expand_year(year_value, year_digits).ok_or(DateError::OutOfRange("year"))?;
    let hour = c.num(2, 2, "two-digit hour")?;
    c.punct(b':', "colon after hour")?;
    let minute = c.num(2, 2, "two-digit minute")?;
    let mut second = 0;
    if c.at_punct(b':') {
        c.next();
        second = c.num(2, 2, "two-digit second")?;
    }
    let offset = match c.next() {
        Some(Token {
            tok: Tok::Punct(sign @ (b'+' | b'-')),
            ..
        }) => match c.next() {
            Some(Token {
                tok: Tok::Num { value, digits: 4 },
                spaced: false,
            }) => {
                let (h, m) = (value / 100, value % 100);
                if m > 59 {
                    return Err(DateError::OutOfRange("zone offset"));
                }
                // h ≤ 99 and m ≤ 59, so this fits.
                let off = (h * 60 + m) as i16;
                if sign == b'-' { -off } else { off }
            }
            _ => return Err(DateError::Expected("zone")),
        },
        Some(Token {
            tok: Tok::Word { start, end },
            ..
        }) => obs_zone(&input[start..end]).ok_or(DateError::Expected("zone"))?,
        _ => return Err(DateError::Expected("zone")),
    };
    if c.peek().is_some() {
        return Err(DateError::TrailingData);
    }
    let dt = DateTime::new(
        year,
        month as u8,
        u8::try_from(day).map_err(|_| DateError::OutOfRange("day"))?,
        hour as u8,
        minute as u8,
        second as u8,
        offset,
    )?;
    if weekday.is_some_and(|w| w != dt.weekday()) {
        return Err(DateError::DayOfWeekMismatch);
    }
    Ok(dt)
}

// ---------------------------------------------------------------------------------------------
// Lenient parser.

#[derive(Clone, Copy, PartialEq, Eq)]
enum ZoneKind {
    None,
    Named,
    Numeric,
}

/// [`parse_lenient`]'s date without its defects: the common form read in place, without
/// building the defect list.
pub(crate) fn parse_lenient_date(input: &[u8]) -> Option<DateTime> {
    match parse_common(input) {
        Some((dt, _)) => Some(dt),
        None => parse_lenient(input).map(|(dt, _)| dt),
    }
}

/// Parses a date the way real mail needs: [`parse`] first, then a heuristic fallback that
/// recovers missing commas, asctime order (`Mon Jan 02 15:04:05 2006`), ISO 8601
/// (`2006-01-02T15:04:05Z`), full or any-case month and day names, `+01:00`, `UTC` and common
/// zone names, single-digit hours, two-digit years, a missing zone (`+0000` assumed), a missing
/// time (midnight assumed), leap seconds (→ 59), and ignores stray text. Returns `None` when no
/// day, month and year can be found or they make no valid date. The defects list what was
/// irregular; it is empty when [`parse`] accepted the input.
pub fn parse_lenient(input: &[u8]) -> Option<(DateTime, Vec<DateDefect>)> {
    if let Some((dt, written)) = parse_common(input) {
        let defects = if weekday_matches(&dt, written) {
            Vec::new()
        } else {
            vec![DateDefect::DayOfWeekMismatch]
        };
        return Some((dt, defects));
    }
    if let Ok(dt) = parse_tokenized(input) {
        return Some((dt, Vec::new()));
    }
    let (tokens, unterminated) = tokenize(input);
    let mut defects = Vec::new();
    let add = |defects: &mut Vec<DateDefect>, d: DateDefect| {
        if !defects.contains(&d) {
            defects.push(d);
        }
    };
    if unterminated {
        add(&mut defects, DateDefect::UnterminatedComment);
    }

    let mut weekday: Option<Weekday> = None;
    let mut month: Option<(u8, usize)> = None;
    let mut iso: Option<(u32, u32, u32)> = None;
    let mut time: Option<(u32, u32, u32)> = None;
    let mut zone: Option<i16> = None;
    let mut zone_kind = ZoneKind::None;
    // Loose numbers: (value, digits, token index).
    let mut loose: Vec<(u32, u32, usize)> = Vec::new();

    let tok_at = |i: usize| tokens.get(i).map(|t| t.tok);
    let num_at = |i: usize| match tok_at(i) {
        Some(Tok::Num { value, digits }) => Some((value, digits)),
        _ => None,
    };
    let punct_at = |i: usize, p: u8| tok_at(i) == Some(Tok::Punct(p));

    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        match t.tok {
            Tok::Num { value, digits } => {
                // ISO 8601 date: yyyy-mm-dd.
                if iso.is_none()
                    && month.is_none()
                    && digits == 4
                    && punct_at(i + 1, b'-')
                    && punct_at(i + 3, b'-')
                    && let (Some((m, 1..=2)), Some((d, 1..=2))) = (num_at(i + 2), num_at(i + 4))
                {
                    iso = Some((value, m, d));
                    add(&mut defects, DateDefect::Iso8601);
                    i += 5;
                    continue;
                }
                // Time: h:mm[:ss][.fff].
                if time.is_none()
                    && punct_at(i + 1, b':')
                    && let Some((minute, mdigits)) = num_at(i + 2)
                {
                    if digits > 2 || mdigits > 2 {
                        return None;
                    }
                    if digits == 1 {
                        add(&mut defects, DateDefect::SingleDigitHour);
                    }
                    let mut second = 0;
                    let mut irregular = mdigits == 1;
                    i += 3;
                    if punct_at(i, b':')
                        && let Some((s, sdigits)) = num_at(i + 1)
                    {
                        if sdigits > 2 {
                            return None;
                        }
                        irregular |= sdigits == 1;
                        second = s;
                        i += 2;
                        if (punct_at(i, b'.') || punct_at(i, b','))
                            && num_at(i + 1).is_some()
                            && !tokens.get(i).is_some_and(|t| t.spaced)
                        {
                            irregular = true;
                            i += 2;
                        }
                    }
                    if irregular {
                        add(&mut defects, DateDefect::NonStandardTime);
                    }
                    time = Some((value, minute, second));
                    continue;
                }
                loose.push((value, digits, i));
                i += 1;
            }
            Tok::Punct(sign @ (b'+' | b'-'))
                if time.is_some() && zone_kind != ZoneKind::Numeric =>
            {
                let Some((value, digits)) = num_at(i + 1) else {
                    add(&mut defects, DateDefect::ExtraText);
                    i += 1;
                    continue;
                };
                let (minutes, used, standard) = match digits {
                    4 => (
                        (value / 100 <= 99 && value % 100 <= 59)
                            .then(|| value / 100 * 60 + value % 100),
                        2,
                        true,
                    ),
                    1 | 2 => {
                        if punct_at(i + 2, b':')
                            && let Some((m, 2)) = num_at(i + 3)
                        {
                            ((m <= 59).then_some(value * 60 + m), 4, false)
                        } else {
                            (Some(value * 60), 2, false)
                        }
                    }
                    _ => (None, 2, false),
                };
                match minutes {
                    Some(mins) => {
                        // mins ≤ 99 * 60 + 59.
                        let off = mins as i16;
                        zone = Some(if sign == b'-' { -off } else { off });
                        zone_kind = ZoneKind::Numeric;
                        if !standard {
                            add(&mut defects, DateDefect::NonStandardZone);
                        }
                    }
                    None => add(&mut defects, DateDefect::ExtraText),
                }
                i += used;
            }
            Tok::Punct(b',') => {
                i += 1;
            }
            Tok::Punct(_) => {
                add(&mut defects, DateDefect::ExtraText);
                i += 1;
            }
            Tok::Word { start, end } => {
                let w = &input[start..end];
                i += 1;
                if let Some(d) = lookup3(w, &DAY_KEYS) {
                    weekday.get_or_insert(Weekday::ALL[d]);
                    if !punct_at(i, b',') {
                        add(&mut defects, DateDefect::MissingComma);
                    }
                } else if let Some(d) = lookup(w, &DAY_FULL) {
                    weekday.get_or_insert(Weekday::ALL[d]);
                    add(&mut defects, DateDefect::NonStandardDayName);
                } else if month.is_none()
                    && iso.is_none()
                    && let Some(m) = lookup3(w, &MONTH_KEYS)
                        .or_else(|| lookup(w, &MONTH_FULL))
                        .or_else(|| w.eq_ignore_ascii_case(b"sept").then_some(8))
                {
                    if w.len() != 3 {
                        add(&mut defects, DateDefect::NonStandardMonthName);
                    }
                    month = Some((m as u8 + 1, i - 1));
                } else if time.is_some()
                    && (w.eq_ignore_ascii_case(b"am") || w.eq_ignore_ascii_case(b"pm"))
                {
                    if let Some((h, _, _)) = time.as_mut() {
                        let pm = w.eq_ignore_ascii_case(b"pm");
                        if *h == 12 {
                            *h = if pm { 12 } else { 0 };
                        } else if pm && *h < 12 {
                            *h += 12;
                        }
                    }
                    add(&mut defects, DateDefect::NonStandardTime);
                } else if time.is_some()
                    && zone_kind == ZoneKind::None
                    && let Some(off) = obs_zone(w).or_else(|| extra_zone(w))
                {
                    if obs_zone(w).is_none() {
                        add(&mut defects, DateDefect::NonStandardZone);
                    }
                    zone = Some(off);
                    zone_kind = ZoneKind::Named;
                } else if iso.is_some() && time.is_none() && w.eq_ignore_ascii_case(b"t") {
                    // The ISO 8601 date/time separator.
                } else if zone_kind != ZoneKind::None
                    && (obs_zone(w).is_some() || extra_zone(w).is_some())
                {
                    // A zone name next to a numeric zone, as in `+0100 CET`.
                } else {
                    add(&mut defects, DateDefect::ExtraText);
                }
            }
        }
    }

    let (year, month, day) = if let Some((y, m, d)) = iso {
        if !loose.is_empty() {
            add(&mut defects, DateDefect::ExtraText);
        }
        (i32::try_from(y).ok()?, m, d)
    } else {
        let (month, month_idx) = month?;
        // The year is the first number of three or more digits, or a number after the day.
        let year_pos = loose
            .iter()
            .position(|&(v, d, _)| d >= 3 || v > 31)
            .or((loose.len() >= 2).then_some(1))?;
        let day_pos = loose
            .iter()
            .enumerate()
            .position(|(k, &(_, d, _))| k != year_pos && d <= 2)?;
        if loose.len() > 2 {
            add(&mut defects, DateDefect::ExtraText);
        }
        let (yv, yd, _) = loose[year_pos];
        let (dv, _, didx) = loose[day_pos];
        if month_idx < didx {
            add(&mut defects, DateDefect::MonthBeforeDay);
        }
        if yd < 4 {
            add(&mut defects, DateDefect::ObsoleteYear);
        }
        (expand_year(yv, yd)?, u32::from(month), dv)
    };

    let (hour, minute, mut second) = match time {
        Some(t) => t,
        None => {
            add(&mut defects, DateDefect::MissingTime);
            (0, 0, 0)
        }
    };
    if second == 60 {
        second = 59;
        add(&mut defects, DateDefect::LeapSecond);
    }
    let offset = match zone {
        Some(z) => z,
        None => {
            add(&mut defects, DateDefect::MissingZone);
            0
        }
    };
    let dt = DateTime::new(
        year,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        offset,
    )
    .ok()?;
    if weekday.is_some_and(|w| w != dt.weekday()) {
        add(&mut defects, DateDefect::DayOfWeekMismatch);
    }
    Some((dt, defects))
}

#[cfg(test)]
mod tests;
