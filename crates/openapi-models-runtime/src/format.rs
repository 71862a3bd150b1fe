//! The `date-time` and `duration` string formats, decided as jsonschema 0.60.2 decides them
//! with format validation on, so that a value the models accept is one the published JSON
//! Schema accepts, and the other way round (`tests/tests/formats.rs` proves it over generated
//! strings).
//!
//! - A leap second (`:60`) is taken on any date, but only at 23:59 UTC once the offset is applied.
//! - Fractional seconds take any number of digits, and years 0000 to 9999.
//! - A duration is RFC 3339 appendix A: no sign, no decimals, upper-case only.
//!
//! One difference is deliberate: jsonschema reads its fixed-width numbers a machine word at a
//! time, which also lets the bytes `*+,-./` through as "digits" (`2023-0*-01T00:00:00Z` passes
//! as October 1st). That is a bug, not RFC 3339, so these checks take ASCII digits only.

/// True when `text` is an RFC 3339 `date-time`.
pub fn is_date_time(text: &str) -> bool {
    // The date is exactly `YYYY-MM-DD`, so the `T` (or `t`) is the eleventh byte; a string
    // whose first `T` stands anywhere else has no valid date before it.
    let bytes = text.as_bytes();
    match (bytes.get(..10), bytes.get(10), bytes.get(11..)) {
        (Some(date), Some(b'T' | b't'), Some(time)) => is_date(date) && is_time(time),
        _ => false,
    }
}

/// True when `text` is an RFC 3339 appendix A `duration`.
pub fn is_duration(text: &str) -> bool {
    let Some(body) = text.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match body.split_once('T') {
        Some((date, time)) => (date.as_bytes(), Some(time.as_bytes())),
        None => (body.as_bytes(), None),
    };
    // Weeks stand alone: `P3W`, never with other units or a time.
    if let (Some(weeks), None) = (date.strip_suffix(b"W"), time) {
        return !weeks.is_empty() && weeks.iter().all(u8::is_ascii_digit);
    }
    let Some(date_parts) = components(date, b"YMD") else {
        return false;
    };
    match time {
        // A `T` needs at least one time component after it.
        Some(time) => components(time, b"HMS").is_some_and(|parts| parts > 0),
        None => date_parts > 0,
    }
}

/// `YYYY-MM-DD`, with the day in range for its month and year.
fn is_date(date: &[u8]) -> bool {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *date else {
        return false;
    };
    let (Some(year), Some(month), Some(day)) = (
        fixed_number(&[y0, y1, y2, y3]),
        fixed_number(&[m0, m1]),
        fixed_number(&[d0, d1]),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let last_day = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=last_day).contains(&day)
}

/// `HH:MM:SS[.fraction](Z|z|+HH:MM|-HH:MM)`.
fn is_time(time: &[u8]) -> bool {
    let [h0, h1, b':', m0, m1, b':', s0, s1, ref rest @ ..] = *time else {
        return false;
    };
    let (Some(hour), Some(minute), Some(second)) = (
        fixed_number(&[h0, h1]),
        fixed_number(&[m0, m1]),
        fixed_number(&[s0, s1]),
    ) else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    // Any number of fraction digits, but at least one after a dot.
    let rest = match rest.split_first() {
        Some((b'.', fraction)) => {
            let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            match fraction.get(digits..) {
                Some(rest) if digits > 0 => rest,
                _ => return false,
            }
        }
        _ => rest,
    };
    // The offset in minutes east of UTC.
    let offset = match *rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh0, oh1, b':', om0, om1] => {
            match (fixed_number(&[oh0, oh1]), fixed_number(&[om0, om1])) {
                (Some(oh), Some(om)) if oh <= 23 && om <= 59 => {
                    let minutes = i64::from(oh * 60 + om);
                    if sign == b'+' { minutes } else { -minutes }
                }
                _ => return false,
            }
        }
        _ => return false,
    };
    // A leap second is only ever inserted as the last second of a UTC day.
    let utc_minute = (i64::from(hour * 60 + minute) - offset).rem_euclid(24 * 60);
    second != 60 || utc_minute == 24 * 60 - 1
}

/// A fixed-width number: ASCII digits only.
fn fixed_number(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0, |value, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

/// Counts the `<digits><unit>` components of one side of a duration, or `None` if they are not
/// well formed. The units must come in the order of `units` without a gap (RFC 3339 allows `Y`,
/// `YM` and `YMD` but not `YD`), so each unit is the one right after the previous one.
fn components(mut text: &[u8], units: &[u8]) -> Option<usize> {
    let mut previous: Option<usize> = None;
    let mut count = 0;
    while !text.is_empty() {
        let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
        let (unit, rest) = text.get(digits..)?.split_first()?;
        let index = units.iter().position(|u| u == unit)?;
        if digits == 0 || previous.is_some_and(|p| index != p + 1) {
            return None;
        }
        previous = Some(index);
        count += 1;
        text = rest;
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_from_graph_are_accepted() {
        for text in [
            "2023-09-14T10:00:00.0000000Z",
            "2021-09-30T17:00:00.0000000+00:00",
            "2020-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
        ] {
            assert!(is_date_time(text), "{text}");
        }
    }

    #[test]
    fn date_times_beyond_jiff_are_accepted() {
        assert!(is_date_time("9999-12-31T23:59:59Z"));
        assert!(is_date_time("2023-09-14T10:00:00.0123456789Z"));
        assert!(is_date_time(
            "2023-09-14T10:00:00.000000000000000000000000001Z"
        ));
        assert!(is_date_time("2023-09-14t10:00:00z"));
    }

    #[test]
    fn calendar() {
        assert!(is_date_time("2024-02-29T00:00:00Z"));
        assert!(is_date_time("2000-02-29T00:00:00Z"));
        assert!(!is_date_time("2023-02-29T00:00:00Z"));
        assert!(!is_date_time("1900-02-29T00:00:00Z"));
        assert!(!is_date_time("2023-04-31T00:00:00Z"));
        assert!(!is_date_time("2023-13-01T00:00:00Z"));
        assert!(!is_date_time("2023-00-01T00:00:00Z"));
        assert!(!is_date_time("2023-01-00T00:00:00Z"));
        assert!(!is_date_time("2023-1-01T00:00:00Z"));
        assert!(!is_date_time("20230-01-01T00:00:00Z"));
    }

    #[test]
    fn clock_and_offsets() {
        assert!(is_date_time("2023-01-01T23:59:59+23:59"));
        assert!(is_date_time("2023-01-01T00:00:00-00:00"));
        assert!(!is_date_time("2023-01-01T24:00:00Z"));
        assert!(!is_date_time("2023-01-01T00:60:00Z"));
        assert!(!is_date_time("2023-01-01T00:00:61Z"));
        assert!(!is_date_time("2023-01-01T00:00:00+25:00"));
        assert!(!is_date_time("2023-01-01T00:00:00+24:00"));
        assert!(!is_date_time("2023-01-01T00:00:00+00:60"));
        assert!(!is_date_time("2023-01-01T00:00:00+0000"));
        assert!(!is_date_time("2023-01-01T00:00:00"));
        assert!(!is_date_time("2023-01-01T00:00:00.Z"));
        assert!(!is_date_time("2023-01-01T00:00:00ZZ"));
        assert!(!is_date_time("2023-01-01 00:00:00Z"));
        assert!(!is_date_time(""));
    }

    #[test]
    fn leap_seconds_only_at_the_end_of_a_utc_day() {
        assert!(is_date_time("1998-12-31T23:59:60Z"));
        assert!(is_date_time("1998-12-31T23:59:60.5z"));
        // Any date will do: there is no table of real leap seconds.
        assert!(is_date_time("2023-06-15T23:59:60Z"));
        assert!(is_date_time("1998-12-31T15:59:60-08:00"));
        assert!(is_date_time("1999-01-01T00:29:60+00:30"));
        assert!(!is_date_time("1998-12-31T23:58:60Z"));
        assert!(!is_date_time("1998-12-31T23:59:60+01:00"));
    }

    #[test]
    fn numbers_are_ascii_digits_only() {
        // jsonschema 0.60.2 takes these (month `0*` as October); RFC 3339 does not.
        assert!(!is_date_time("2023-0*-01T00:00:00Z"));
        assert!(!is_date_time("2023-01-2+T00:00:00Z"));
        assert!(!is_date_time("----------T00:00:00Z"));
        assert_eq!(fixed_number(b"2023"), Some(2023));
        assert_eq!(fixed_number(b"0*"), None);
        assert_eq!(fixed_number(b"0a"), None);
    }

    #[test]
    fn durations_from_graph_are_accepted() {
        for text in [
            "PT1H",
            "PT5M",
            "P1DT30M",
            "P1D",
            "P3W",
            "P1Y2M3DT4H5M6S",
            "PT0S",
        ] {
            assert!(is_duration(text), "{text}");
        }
        assert!(is_duration("P99999999999999999999999999999999999999Y"));
    }

    #[test]
    fn durations_outside_rfc_3339_are_rejected() {
        for text in [
            "", "P", "PT", "-PT1H", "+PT1H", "PT1.5H", "PT1,5H", "pt1h", "P1dT1h", "PT1H ",
            " PT1H", "P1DT", "PTH", "PT1", "P1", "P1W1D", "P1D1W", "P1WT1H", "P1Y1D", "PT1H1S",
            "P1D1M", "PT1S1M", "P1D1D", "PT1HT1M", "P1H", "PT1D", "P1YT",
        ] {
            assert!(!is_duration(text), "{text}");
        }
    }

    #[test]
    fn nothing_panics() {
        for text in [
            "T",
            "t",
            "TTTT",
            "P",
            "PT",
            "2023-01-01T",
            "2023-01-01T00:00:60+",
            "é",
            "Pé",
        ] {
            let _ = (is_date_time(text), is_duration(text));
        }
    }
}
