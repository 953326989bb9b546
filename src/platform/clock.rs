//! UTC wall time for certificate validity (bounded waits: `wait`).
//!
//! The firmware can register its own UTC source (SNTP, RTC); on a host
//! build with `std` the system clock is the default.

use super::hook_cell::HookCell;
use crate::c_types::TLSUtcClock_t;

static UTC_CLOCK: HookCell<TLSUtcClock_t> = HookCell::new(None);

/// Register (or with `None` remove) the firmware's UTC clock.
pub fn set_utc_clock(hook: TLSUtcClock_t) {
    UTC_CLOCK.set(hook);
}

/// Current UTC seconds since the epoch, or `None` when no clock is known
/// (the registered clock says it does not know yet, or none is
/// registered and the build has no system clock).
pub fn utc_now() -> Option<i64> {
    if let Some(hook) = UTC_CLOCK.get() {
        let now = hook();
        return (now >= 0).then_some(now);
    }
    system_utc_now()
}

#[cfg(feature = "std")]
fn system_utc_now() -> Option<i64> {
    extern crate std;
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_secs()).ok()
}

#[cfg(not(feature = "std"))]
fn system_utc_now() -> Option<i64> {
    None
}

/// Broken-down UTC time, as `struct tm` fields (year since 1900, month 0-11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i32,
    pub month: i32,
    pub day: i32,
    pub hour: i32,
    pub minute: i32,
    pub second: i32,
    pub weekday: i32,
    pub yearday: i32,
}

/// Convert seconds since the Unix epoch to a UTC calendar date.
///
/// Works on whole 400-year Gregorian cycles (146 097 days), exact without
/// leap-second tables; `None` beyond 2.9 million years from 1970.
pub fn civil_from_unix(secs: i64) -> Option<CivilTime> {
    // One 64-bit division, the rest in 32 bits (a Cortex-M has no 64-bit
    // divide instruction): days within +-2^30 cover +-2.9 million years.
    let days = i32::try_from(secs.div_euclid(86_400)).ok().filter(|d| d.unsigned_abs() <= 1 << 30)?;
    let sod = secs.rem_euclid(86_400) as i32;
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..399
    let doy_mar = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..365, from March 1
    let mp = (5 * doy_mar + 2) / 153; // 0..11, March-based month
    let day = doy_mar - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // 1..12
    let year = yoe + era * 400 + i32::from(month <= 2);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let yearday = if month <= 2 { doy_mar - 306 } else { doy_mar + 59 + i32::from(leap) };
    Some(CivilTime {
        year: year - 1900,
        month: month - 1,
        day,
        hour: sod / 3600,
        minute: sod % 3600 / 60,
        second: sod % 60,
        weekday: (days + 4).rem_euclid(7), // 1970-01-01 was a Thursday
        yearday,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let t = civil_from_unix(0).unwrap();
        assert_eq!((t.year, t.month, t.day, t.weekday, t.yearday), (70, 0, 1, 4, 0));
        // 2000-02-29 12:34:56 UTC
        let t = civil_from_unix(951_827_696).unwrap();
        assert_eq!((t.year, t.month, t.day, t.hour, t.minute, t.second), (100, 1, 29, 12, 34, 56));
        assert_eq!(t.yearday, 59);
        // 2038-01-19 03:14:08 UTC, one second past the 32-bit limit
        let t = civil_from_unix(2_147_483_648).unwrap();
        assert_eq!((t.year, t.month, t.day, t.hour, t.minute, t.second), (138, 0, 19, 3, 14, 8));
        // 1969-12-31 23:59:59 UTC
        let t = civil_from_unix(-1).unwrap();
        assert_eq!((t.year, t.month, t.day, t.hour), (69, 11, 31, 23));
        // 2024-12-31, a leap year's last day
        let t = civil_from_unix(1_735_603_200).unwrap();
        assert_eq!((t.year, t.month, t.day, t.yearday), (124, 11, 31, 365));
        let t = civil_from_unix(253_402_300_799).unwrap(); // 9999-12-31T23:59:59
        assert_eq!((t.year, t.month, t.day, t.hour, t.minute, t.second), (8099, 11, 31, 23, 59, 59));
        assert!(civil_from_unix(86_400 << 30).is_some());
        assert!(civil_from_unix((86_400 << 30) + 86_400).is_none());
        assert!(civil_from_unix(i64::MIN).is_none());
    }
}
