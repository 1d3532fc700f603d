use super::*;
use quickcheck::{Arbitrary, Gen, quickcheck};

fn dt(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8, off: i16) -> DateTime {
    DateTime::new(y, mo, d, h, mi, s, off).unwrap()
}

fn lenient(s: &str) -> (DateTime, Vec<DateDefect>) {
    parse_lenient(s.as_bytes()).unwrap_or_else(|| panic!("{s:?} not parsed"))
}

#[test]
fn rfc5322_appendix_a() {
    // A.1.1
    assert_eq!(
        parse(b"Fri, 21 Nov 1997 09:55:06 -0600").unwrap(),
        dt(1997, 11, 21, 9, 55, 6, -360)
    );
    // A.3 / A.4
    assert_eq!(
        parse(b"Tue, 1 Jul 2003 10:52:37 +0200").unwrap(),
        dt(2003, 7, 1, 10, 52, 37, 120)
    );
    assert_eq!(
        parse(b"Thu, 13 Feb 1969 23:32:54 -0330").unwrap(),
        dt(1969, 2, 13, 23, 32, 54, -210)
    );
    // A.5: white space and comments.
    assert_eq!(
        parse(b"Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)").unwrap(),
        dt(1969, 2, 13, 23, 32, 0, -210)
    );
    // A.6.2: obsolete year and zone.
    assert_eq!(
        parse(b"21 Nov 97 09:55:06 GMT").unwrap(),
        dt(1997, 11, 21, 9, 55, 6, 0)
    );
    // A.6.3: comments and CFWS everywhere.
    assert_eq!(
        parse(b"Fri, 21 Nov 1997 09(comment):   55  :  06 -0600").unwrap(),
        dt(1997, 11, 21, 9, 55, 6, -360)
    );
    assert_eq!(
        parse(b"(lead (nested) \\) comment) Fri , 21 (x) Nov (y) 1997 09:55:06 -0600 (CST)")
            .unwrap(),
        dt(1997, 11, 21, 9, 55, 6, -360)
    );
}

#[test]
fn obsolete_years_and_zones() {
    assert_eq!(parse(b"1 Jan 49 00:00 UT").unwrap().year(), 2049);
    assert_eq!(parse(b"1 Jan 50 00:00 UT").unwrap().year(), 1950);
    assert_eq!(parse(b"1 Jan 103 00:00 UT").unwrap().year(), 2003);
    for (z, off) in [
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
        ("A", 0),
        ("z", 0),
        ("-0000", 0),
        ("+9959", 5999),
    ] {
        let s = format!("Sat, 1 Jan 2000 12:00:00 {z}");
        assert_eq!(parse(s.as_bytes()).unwrap().offset_minutes(), off, "{s}");
    }
    assert!(parse(b"1 Jan 2000 12:00 J").is_err());
    assert!(parse(b"1 Jan 2000 12:00 +0060").is_err());
    assert!(parse(b"1 Jan 2000 12:00 + 0100").is_err());
    assert!(parse(b"1 jan 2000 12:00 gmt").is_ok());
}

#[test]
fn strict_rejections() {
    for s in [
        "",
        "Mon 02 Jan 2006 15:04:05 -0700",
        "Tue, 02 Jan 2006 15:04:05 -0700",
        "02 January 2006 15:04:05 -0700",
        "02 Jan 2006 15:04:05",
        "02 Jan 2006 5:04:05 +0000",
        "02 Jan 2006 15:04:60 +0000",
        "31 Feb 2006 15:04:05 +0000",
        "02 Jan 2006 24:00:00 +0000",
        "02 Jan 2006 15:04:05 +0000 junk",
        "02 Jan 2006 15:04:05 +0000 (open",
        "02 Jan 12006 15:04:05 +0000",
        "2006-01-02T15:04:05Z",
    ] {
        assert!(parse(s.as_bytes()).is_err(), "{s:?}");
    }
    assert_eq!(
        parse(b"Tue, 02 Jan 2006 15:04:05 -0700"),
        Err(DateError::DayOfWeekMismatch)
    );
    assert_eq!(
        parse(b"02 Jan 2006 15:04:60 +0000"),
        Err(DateError::LeapSecond)
    );
}

#[test]
fn lenient_cases() {
    let want = dt(2006, 1, 2, 15, 4, 5, -420);
    let (d, defects) = lenient("Mon 02 Jan 2006 15:04:05 -0700");
    assert_eq!((d, defects), (want, vec![DateDefect::MissingComma]));

    let (d, defects) = lenient("Mon Jan 02 15:04:05 2006");
    assert_eq!(d, dt(2006, 1, 2, 15, 4, 5, 0));
    assert!(defects.contains(&DateDefect::MonthBeforeDay));
    assert!(defects.contains(&DateDefect::MissingZone));

    let (d, defects) = lenient("Mon Jan  2 15:04:05 MST 2006");
    assert_eq!(d, want);
    assert!(defects.contains(&DateDefect::MonthBeforeDay));

    let (d, defects) = lenient("2006-01-02T15:04:05Z");
    assert_eq!(d, dt(2006, 1, 2, 15, 4, 5, 0));
    assert_eq!(defects, vec![DateDefect::Iso8601]);
    let (d, _) = lenient("2006-01-02T15:04:05.123-07:00");
    assert_eq!(d, want);
    let (d, _) = lenient("2006-01-02 15:04:05 -0700");
    assert_eq!(d, want);

    let (d, defects) = lenient("Monday, 02 JANUARY 2006 15:04:05 -0700");
    assert_eq!(d, want);
    assert!(defects.contains(&DateDefect::NonStandardMonthName));
    assert!(defects.contains(&DateDefect::NonStandardDayName));
    assert_eq!(lenient("2 sept 2006 1:00 +0000").0.month(), 9);

    let (d, defects) = lenient("Mon, 02 Jan 2006 15:04:05 +0100 (CET) (extra words)");
    assert_eq!((d, defects), (dt(2006, 1, 2, 15, 4, 5, 60), vec![]));
    let (d, defects) = lenient("Mon, 02 Jan 2006 15:04:05 +0100 CET");
    assert_eq!((d.offset_minutes(), defects), (60, vec![]));
    let (d, defects) = lenient("Mon, 02 Jan 2006 15:04:05 +01:00");
    assert_eq!(
        (d.offset_minutes(), defects),
        (60, vec![DateDefect::NonStandardZone])
    );
    let (d, defects) = lenient("Mon, 02 Jan 2006 15:04:05 UTC");
    assert_eq!(
        (d.offset_minutes(), defects),
        (0, vec![DateDefect::NonStandardZone])
    );
    let (d, _) = lenient("Mon, 02 Jan 2006 15:04:05 GMT+0100");
    assert_eq!(d.offset_minutes(), 60);
    let (d, _) = lenient("Mon, 02 Jan 2006 15:04:05 CEST");
    assert_eq!(d.offset_minutes(), 120);

    let (d, defects) = lenient("Mon, 2 Jan 2006 5:04:05 -0700");
    assert_eq!(d, dt(2006, 1, 2, 5, 4, 5, -420));
    assert_eq!(defects, vec![DateDefect::SingleDigitHour]);

    let (d, defects) = lenient("Mon, 2 Jan 06 15:04:05 -0700");
    assert_eq!((d, defects), (want, vec![]));
    let (d, defects) = lenient("Mon 2 Jan 06 15:04:05 -0700");
    assert_eq!(d, want);
    assert!(defects.contains(&DateDefect::ObsoleteYear));

    let (d, defects) = lenient("Mon, 02 Jan 2006 15:04:05");
    assert_eq!(
        (d, defects),
        (dt(2006, 1, 2, 15, 4, 5, 0), vec![DateDefect::MissingZone])
    );

    let (d, defects) = lenient("Sat, 31 Dec 2016 23:59:60 +0000");
    assert_eq!(
        (d, defects),
        (
            dt(2016, 12, 31, 23, 59, 59, 0),
            vec![DateDefect::LeapSecond]
        )
    );

    let (d, defects) = lenient("Tue, 02 Jan 2006 15:04:05 -0700");
    assert_eq!((d, defects), (want, vec![DateDefect::DayOfWeekMismatch]));

    let (d, defects) = lenient("02 Jan 2006");
    assert_eq!(d, dt(2006, 1, 2, 0, 0, 0, 0));
    assert!(defects.contains(&DateDefect::MissingTime));

    let (d, _) = lenient("Mon, 02 Jan 2006 03:04:05 PM -0700");
    assert_eq!(d, want);

    let (d, defects) = lenient("Mon, 02 Jan 2006 15:04:05 -0700 (unterminated");
    assert_eq!(d, want);
    assert_eq!(defects, vec![DateDefect::UnterminatedComment]);

    for bad in [
        "",
        "hello",
        "31 Feb 2006 10:00 +0000",
        "Jan 2006",
        "02 Jan 2006 25:00 +0000",
    ] {
        assert!(parse_lenient(bad.as_bytes()).is_none(), "{bad:?}");
    }
}

#[test]
fn formatting_and_weekday() {
    assert_eq!(
        dt(2006, 1, 2, 15, 4, 5, -420).to_rfc5322(),
        "Mon, 02 Jan 2006 15:04:05 -0700"
    );
    assert_eq!(
        dt(5, 3, 1, 0, 0, 0, 5999).to_rfc5322(),
        "Tue, 01 Mar 0005 00:00:00 +9959"
    );
    for (y, m, d, w) in [
        (1970, 1, 1, Weekday::Thu),
        (2000, 1, 1, Weekday::Sat),
        (2000, 2, 29, Weekday::Tue),
        (1997, 11, 21, Weekday::Fri),
        (1969, 7, 20, Weekday::Sun),
        (1900, 1, 1, Weekday::Mon),
        (1600, 1, 1, Weekday::Sat),
        (2024, 2, 29, Weekday::Thu),
        (9999, 12, 31, Weekday::Fri),
        (0, 1, 1, Weekday::Sat),
    ] {
        assert_eq!(dt(y, m, d, 0, 0, 0, 0).weekday(), w, "{y}-{m}-{d}");
    }
}

#[test]
fn validation() {
    assert!(DateTime::new(2001, 2, 29, 0, 0, 0, 0).is_err());
    assert!(DateTime::new(2000, 2, 29, 0, 0, 0, 0).is_ok());
    assert!(DateTime::new(1900, 2, 29, 0, 0, 0, 0).is_err());
    assert!(DateTime::new(10000, 1, 1, 0, 0, 0, 0).is_err());
    assert!(DateTime::new(-1, 1, 1, 0, 0, 0, 0).is_err());
    assert!(DateTime::new(2000, 13, 1, 0, 0, 0, 0).is_err());
    assert!(DateTime::new(2000, 1, 1, 0, 0, 0, 6000).is_err());
}

#[test]
fn unix_and_system_time() {
    assert_eq!(dt(1970, 1, 1, 0, 0, 0, 0).unix_timestamp(), 0);
    assert_eq!(
        parse(b"Fri, 21 Nov 1997 09:55:06 -0600")
            .unwrap()
            .unix_timestamp(),
        880_127_706
    );
    assert_eq!(dt(1969, 12, 31, 23, 59, 59, 0).unix_timestamp(), -1);
    assert_eq!(dt(1970, 1, 1, 1, 0, 0, 60).unix_timestamp(), 0);
    assert_eq!(
        DateTime::from_unix_timestamp(-1, 0),
        Some(dt(1969, 12, 31, 23, 59, 59, 0))
    );
    assert_eq!(
        DateTime::from_unix_timestamp(880_127_706, -360),
        Some(dt(1997, 11, 21, 9, 55, 6, -360))
    );
    assert_eq!(DateTime::from_unix_timestamp(i64::MAX, 0), None);
    assert_eq!(DateTime::from_unix_timestamp(i64::MIN, 0), None);
    assert_eq!(DateTime::from_unix_timestamp(0, 6000), None);

    let old = dt(1901, 3, 4, 5, 6, 7, 30);
    let st = old.to_system_time().unwrap();
    assert!(st < UNIX_EPOCH);
    assert_eq!(DateTime::from_system_time(st, 30), Some(old));
    let st = UNIX_EPOCH - Duration::from_millis(1500);
    assert_eq!(
        DateTime::from_system_time(st, 0),
        Some(dt(1969, 12, 31, 23, 59, 58, 0))
    );
    let st = UNIX_EPOCH + Duration::from_millis(1500);
    assert_eq!(
        DateTime::from_system_time(st, 0),
        Some(dt(1970, 1, 1, 0, 0, 1, 0))
    );
}

#[derive(Debug, Clone)]
struct AnyDate(DateTime);

impl Arbitrary for AnyDate {
    fn arbitrary(g: &mut Gen) -> Self {
        let year = (u32::arbitrary(g) % 10_000) as i32;
        let month = u8::arbitrary(g) % 12 + 1;
        let day = u8::arbitrary(g) % days_in_month(i64::from(year), month) + 1;
        let offset = (i16::arbitrary(g) % (MAX_OFFSET_MINUTES + 1))
            .clamp(-MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES);
        AnyDate(
            DateTime::new(
                year,
                month,
                day,
                u8::arbitrary(g) % 24,
                u8::arbitrary(g) % 60,
                u8::arbitrary(g) % 60,
                offset,
            )
            .unwrap(),
        )
    }
}

quickcheck! {
    fn format_parse_round_trip(d: AnyDate) -> bool {
        let s = d.0.to_rfc5322();
        parse(s.as_bytes()) == Ok(d.0) && parse_lenient(s.as_bytes()) == Some((d.0, vec![]))
    }

    fn unix_round_trip(d: AnyDate) -> bool {
        let ts = d.0.unix_timestamp();
        DateTime::from_unix_timestamp(ts, d.0.offset_minutes()) == Some(d.0)
    }

    fn timestamp_round_trip(ts: i64, off: i16) -> bool {
        // Years 1..9998, whatever the offset.
        let lo = days_from_civil(1, 1, 1) * SECONDS_PER_DAY;
        let hi = days_from_civil(9998, 12, 31) * SECONDS_PER_DAY;
        let ts = lo + ts.rem_euclid(hi - lo);
        let off = off % (MAX_OFFSET_MINUTES + 1);
        let d = DateTime::from_unix_timestamp(ts, off).unwrap();
        d.unix_timestamp() == ts && d.offset_minutes() == off
    }

    fn civil_days_round_trip(days: i64) -> bool {
        let days = days % 10_000_000;
        let (y, m, d) = civil_from_days(days);
        days_from_civil(y, m, d) == days
    }

    fn system_time_round_trip(d: AnyDate) -> bool {
        match d.0.to_system_time() {
            Some(st) => DateTime::from_system_time(st, d.0.offset_minutes()) == Some(d.0),
            None => true,
        }
    }

    fn never_panics(bytes: Vec<u8>) -> bool {
        let _ = parse(&bytes);
        let _ = parse_lenient(&bytes);
        true
    }

    fn never_panics_on_date_like(parts: Vec<u8>) -> bool {
        const PIECES: [&str; 16] = [
            "Mon", ",", " ", "02", "Jan", "2006", "15", ":", "-", "+", "0700", "(", ")", "T", "Z",
            "60",
        ];
        let s: String = parts.iter().map(|&p| PIECES[usize::from(p) % PIECES.len()]).collect();
        let _ = parse(s.as_bytes());
        if let Some((d, _)) = parse_lenient(s.as_bytes()) {
            return parse(d.to_rfc5322().as_bytes()) == Ok(d);
        }
        true
    }
}

#[test]
fn linear_time_on_hostile_input() {
    let mut big = "(".repeat(200_000);
    big.push_str(&")".repeat(200_000));
    big.push_str(&"1:2 ".repeat(100_000));
    let _ = parse(big.as_bytes());
    let _ = parse_lenient(big.as_bytes());
    let digits = "9".repeat(1_000_000);
    assert!(parse(digits.as_bytes()).is_err());
    assert!(parse_lenient(digits.as_bytes()).is_none());
}

#[test]
fn common_form_fast_path_agrees_with_tokenizer() {
    // A trailing comment sends the same date through the tokenizing path.
    for s in [
        "Fri, 21 Nov 1997 09:55:06 -0600",
        "21 Nov 1997 09:55:06 +0000",
        " Tue, 1 Jul 2003 10:52:37 +0200\r\n",
        "fri, 21 nov 1997 09:55:06 -0600",
        "Sat, 21 Nov 1997 09:55:06 -0600",
        "Fri, 31 Nov 1997 09:55:06 -0600",
        "Fri, 21 Nov 1997 24:55:06 -0600",
        "Fri, 21 Nov 1997 09:55:60 -0600",
        "Fri, 21 Nov 1997 09:55:06 +0975",
        "Fri, 21 Nov 1997 09:55:06 +9959",
        "Xyz, 21 Nov 1997 09:55:06 -0600",
        "Fri, 21 Nox 1997 09:55:06 -0600",
        "Fri, 2a Nov 1997 09:55:06 -0600",
        "Fri, 21 Nov 1997 09:55:06 GMT",
        "Mon, 21 Nov 1997 09:55:06 EST",
        "Fri, 21 Nov 1997 09:55:06 Z",
        "Fri, 21 Nov 1997 09:55:06 CET",
        "Fri, 21 Nov 1997 09:55:06 +01:00",
    ] {
        let slow = format!("{s} (c)");
        assert_eq!(parse(s.as_bytes()), parse(slow.as_bytes()), "{s:?}");
        assert_eq!(
            parse_lenient(s.as_bytes()),
            parse_tokenized(s.as_bytes())
                .ok()
                .map(|dt| (dt, Vec::new()))
                .or_else(|| parse_lenient(slow.as_bytes())),
            "{s:?}"
        );
    }
    assert_eq!(
        parse(b"Fri, 21 Nov 1997 09:55:06 -0600"),
        Ok(dt(1997, 11, 21, 9, 55, 6, -360))
    );
}
