//! The JSON Schema formats the runtime checks: `date-time` and `duration`.
//! (A first version; it is replaced by one proven against the `jsonschema` crate.)

/// RFC 3339 `date-time`.
pub fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let num = |from: usize, to: usize| -> Option<u32> {
        let s = b.get(from..to)?;
        s.iter()
            .all(u8::is_ascii_digit)
            .then(|| s.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (Some(year), Some(month), Some(day)) = (num(0, 4), num(5, 7), num(8, 10)) else {
        return false;
    };
    let (Some(hour), Some(minute), Some(second)) = (num(11, 13), num(14, 16), num(17, 19)) else {
        return false;
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't'))
    {
        return false;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = b.get(19..).unwrap_or_default();
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

/// RFC 3339 appendix A `duration`.
pub fn is_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    // (number, unit) pairs; the order of units is fixed.
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let units = |part: &str, allowed: &[u8]| -> Option<Vec<u8>> {
        let mut found = Vec::new();
        let mut digits = 0;
        for c in part.bytes() {
            if c.is_ascii_digit() {
                digits += 1;
            } else if digits > 0 && allowed.contains(&c) {
                found.push(c);
                digits = 0;
            } else {
                return None;
            }
        }
        (digits == 0).then_some(found)
    };
    let (Some(date_units), time_units) = (units(date, b"YMWD"), time.map(|t| units(t, b"HMS")))
    else {
        return false;
    };
    if date_units == b"W" {
        return time.is_none();
    }
    let date_ok = matches!(
        date_units.as_slice(),
        b"" | b"D" | b"MD" | b"M" | b"YMD" | b"YM" | b"Y"
    );
    let time_ok = match &time_units {
        None => true,
        Some(Some(t)) => matches!(t.as_slice(), b"H" | b"HM" | b"HMS" | b"M" | b"MS" | b"S"),
        Some(None) => false,
    };
    date_ok && time_ok && !(date_units.is_empty() && time.is_none())
}
