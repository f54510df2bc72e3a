//! Directory times: LDAP generalized time (`whenChanged`), Windows FILETIME (`pwdLastSet`,
//! snapshot headers), `--as-of` dates, all as Unix seconds (UTC). A leaf module: the export's
//! own time is computed from these, never from the machine's clock.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// Seconds between 1601-01-01 (FILETIME's epoch) and 1970-01-01.
const FILETIME_EPOCH_OFFSET: i64 = 11_644_473_600;
/// FILETIME ticks (100 ns) per second.
const TICKS_PER_SECOND: i64 = 10_000_000;

/// A FILETIME (100-ns intervals since 1601, as AD stores `pwdLastSet`) as Unix seconds; `None`
/// for 0 ("must change password") and for the "never" value.
pub fn from_filetime(ticks: i64) -> Option<i64> {
    (ticks > 0 && ticks != i64::MAX).then(|| ticks / TICKS_PER_SECOND - FILETIME_EPOCH_OFFSET)
}

/// Unix seconds as a FILETIME.
pub fn to_filetime(seconds: i64) -> i64 {
    (seconds + FILETIME_EPOCH_OFFSET) * TICKS_PER_SECOND
}

fn civil(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    let dt = DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(s.min(59)).ok()?,
        0,
    )
    .ok()?;
    TimeZone::UTC.to_timestamp(dt).ok().map(|t| t.as_second())
}

/// LDAP generalized time as AD, ldifde and csvde write it (`20261202124406.0Z`,
/// `20261202124406Z`, with an optional `+hhmm`/`-hhmm` offset), as Unix seconds.
pub fn parse_generalized(text: &str) -> Option<i64> {
    // AD's own form, `20261202124406.0Z`, read without the general path's trimming and
    // scanning (which it would pass through to the same fields and no offset).
    if let Some(stamp) = text.as_bytes().strip_suffix(b".0Z") {
        if let Ok(digits) = <&[u8; 14]>::try_from(stamp) {
            if digits.iter().all(u8::is_ascii_digit) {
                let n = |at: usize, len: usize| decimal(&digits[at..at + len]);
                return civil(n(0, 4), n(4, 2), n(6, 2), n(8, 2), n(10, 2), n(12, 2));
            }
        }
    }
    let t = text.trim().as_bytes();
    let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits < 12 {
        return None;
    }
    // Every field lies within the leading digits, so none can fail to parse: folded from the
    // bytes, where a `str::parse` a field (and a `char` walk over the fraction) took about
    // 480 instructions a value, 3 % of reading the 100k field csvde file (callgrind).
    let n = |at: usize, len: usize| decimal(&t[at..at + len]);
    let seconds = if digits >= 14 { n(12, 2) } else { 0 };
    let base = civil(n(0, 4), n(4, 2), n(6, 2), n(8, 2), n(10, 2), seconds)?;
    // An offset after the (optional) fraction: local = UTC + offset.
    let fraction = t[digits..]
        .iter()
        .take_while(|b| matches!(b, b'.' | b',' | b'0'..=b'9'))
        .count();
    let rest = &t[digits + fraction..];
    let offset = match rest.first() {
        Some(sign @ (b'+' | b'-')) if rest.len() >= 5 => {
            let field = |at: usize| {
                std::str::from_utf8(&rest[at..at + 2])
                    .ok()?
                    .parse::<i64>()
                    .ok()
            };
            let sign = if *sign == b'-' { -1 } else { 1 };
            sign * (field(1)? * 3600 + field(3)? * 60)
        }
        _ => 0,
    };
    Some(base - offset)
}

/// The number ASCII digits `digits` spell (every byte a digit).
fn decimal(digits: &[u8]) -> i64 {
    digits
        .iter()
        .fold(0i64, |v, d| v * 10 + i64::from(d - b'0'))
}

/// A time as other tools print `whenChanged` (PowerShell's `12/2/2026 12:44:06 PM` in the
/// en-US culture, ISO 8601 `2026-12-02T12:44:06Z`), besides generalized time. Culture-bound
/// forms other than en-US are not guessed.
pub fn parse_any(text: &str) -> Option<i64> {
    if let Some(t) = parse_generalized(text) {
        return Some(t);
    }
    let t = text.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    if let Ok(dt) = t.parse::<DateTime>() {
        return TimeZone::UTC.to_timestamp(dt).ok().map(|t| t.as_second());
    }
    // en-US: M/D/YYYY h:mm:ss AM|PM
    let (date, rest) = t.split_once(' ')?;
    let mut d = date.split('/').map(|p| p.parse::<i64>().ok());
    let (mo, day, y) = (d.next()??, d.next()??, d.next()??);
    let (clock, meridiem) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
    let mut c = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (mut h, mi, s) = (c.next()??, c.next()??, c.next().flatten().unwrap_or(0));
    match meridiem.to_ascii_uppercase().as_str() {
        "PM" if h < 12 => h += 12,
        "AM" if h == 12 => h = 0,
        _ => {}
    }
    civil(y, mo, day, h, mi, s)
}

/// `--as-of`: a date `2026-12-02` (taken as the end of that day, UTC) or a timestamp
/// `2026-12-02T12:00:00Z`.
pub fn parse_as_of(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(date) = t.parse::<jiff::civil::Date>() {
        if t.len() == 10 {
            return civil(
                i64::from(date.year()),
                i64::from(date.month()),
                i64::from(date.day()),
                23,
                59,
                59,
            );
        }
    }
    parse_any(t)
}

/// Unix seconds as `2026-12-02 12:44 UTC`.
pub fn display(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => format!("{seconds} s since 1970"),
    }
}

/// Whole days from `earlier` to `later` (Unix seconds), rounded down.
pub fn days_between(earlier: i64, later: i64) -> i64 {
    (later - earlier).div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parser as it was before it read bytes: the oracle for the one above.
    fn parse_generalized_by_str(text: &str) -> Option<i64> {
        let t = text.trim();
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        if digits < 12 {
            return None;
        }
        let n = |at: usize, len: usize| t.get(at..at + len)?.parse::<i64>().ok();
        let seconds = if digits >= 14 { n(12, 2)? } else { 0 };
        let base = civil(n(0, 4)?, n(4, 2)?, n(6, 2)?, n(8, 2)?, n(10, 2)?, seconds)?;
        let rest =
            t[digits..].trim_start_matches(|c: char| c == '.' || c == ',' || c.is_ascii_digit());
        let offset = match rest.as_bytes().first() {
            Some(b'+') | Some(b'-') if rest.len() >= 5 => {
                let sign = if rest.starts_with('-') { -1 } else { 1 };
                let hh = rest.get(1..3)?.parse::<i64>().ok()?;
                let mm = rest.get(3..5)?.parse::<i64>().ok()?;
                sign * (hh * 3600 + mm * 60)
            }
            _ => 0,
        };
        Some(base - offset)
    }

    #[test]
    fn generalized_time_read_from_bytes_as_from_text() {
        let stamps = [
            "20261202124406",
            "202612021244",
            "2026120212440",
            "20240229235960",
            "20260229000000",
            "20261332000000",
            "99991231235959",
            "00000101000000",
            "16010101000000",
            "20261202246000",
            "20261202124406123",
        ];
        let tails = [
            "", ".0Z", "Z", ",5Z", ".123", "+0200", "-0130", ".0+0200", "+2", "+02", "+ab00",
            "+0é00", "-+100", "+-100", " ", "é", ".0Zjunk",
        ];
        for stamp in stamps {
            for tail in tails {
                for text in [format!("{stamp}{tail}"), format!("  {stamp}{tail} ")] {
                    assert_eq!(
                        parse_generalized(&text),
                        parse_generalized_by_str(&text),
                        "{text:?}"
                    );
                }
            }
        }
        for text in [
            "",
            "2026",
            "x20261202124406Z",
            "２０２６１２０２１２４４０６Z",
        ] {
            assert_eq!(parse_generalized(text), None, "{text:?}");
        }
    }

    #[test]
    fn forms_agree() {
        let t = parse_generalized("20261202124406.0Z").expect("generalized");
        assert_eq!(display(t), "2026-12-02 12:44 UTC");
        assert_eq!(parse_generalized("20261202124406Z"), Some(t));
        assert_eq!(parse_generalized("20261202144406.0+0200"), Some(t));
        assert_eq!(parse_any("12/2/2026 12:44:06 PM"), Some(t));
        assert_eq!(parse_any("2026-12-02T12:44:06Z"), Some(t));
        assert_eq!(from_filetime(to_filetime(t)), Some(t));
        assert_eq!(from_filetime(0), None);
        assert_eq!(from_filetime(i64::MAX), None);
        // 134406890460000000 is 2026-12-02 12:44:06 UTC.
        assert_eq!(to_filetime(t), 134_406_890_460_000_000);
        assert_eq!(parse_as_of("2026-12-02"), Some(t - t % 86_400 + 86_399));
        assert_eq!(parse_generalized("garbage"), None);
        assert_eq!(days_between(t - 86_400 * 30 - 1, t), 30);
    }
}
