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

/// Days by which [`civil_from_unix`] shifts its input: the most it
/// accepts either side of 1970-01-01 (2^30 days, 2.9 million years).
const DAY_RANGE: u64 = 1 << 30;

/// Days in a 400-year Gregorian cycle (an "era").
const ERA_DAYS: u32 = 146_097;

/// Whole eras added so that every accepted day counts from a non-negative
/// number: 7345 eras reach back further than 2^30 days before 0000-03-01.
const ERA_SHIFT: u32 = 7345;

/// From a day shifted by [`DAY_RANGE`] to days since 0000-03-01 plus
/// [`ERA_SHIFT`] eras (1970-01-01 is day 719 468 from 0000-03-01). A
/// compile error if the shift did not reach far enough back.
const DAY_TO_ERA_DAY: u32 = 719_468 + ERA_SHIFT * ERA_DAYS - DAY_RANGE as u32;

/// Convert seconds since the Unix epoch to a UTC calendar date.
///
/// Works on whole 400-year Gregorian cycles (146 097 days), exact without
/// leap-second tables; `None` beyond 2^30 days (2.9 million years) from
/// 1970-01-01.
pub fn civil_from_unix(secs: i64) -> Option<CivilTime> {
    // One 64-bit division, the rest in unsigned 32 bits (a Cortex-M has no
    // 64-bit divide instruction, and unsigned division by a constant is
    // the shortest): shifted by DAY_RANGE, every accepted day is >= 0.
    let shifted = (secs as u64).wrapping_add(DAY_RANGE * 86_400);
    if shifted >= (2 * DAY_RANGE + 1) * 86_400 {
        return None;
    }
    let day = (shifted / 86_400) as u32; // 0..=2^31
    let sod = (shifted % 86_400) as u32;
    // Days since 0000-03-01 (leap days fall at the end of a March-based
    // year), ERA_SHIFT eras on.
    let z = day + DAY_TO_ERA_DAY;
    let era = z / ERA_DAYS;
    let doe = z % ERA_DAYS; // day of era, 0..146096
                            // Centuries of 36 524 days, the era's last one day longer; then
                            // 4-year blocks of 1461 days, their last year one day longer.
    let century_quarters = 4 * doe + 3;
    let century = century_quarters / ERA_DAYS; // 0..3
                                               // 4 * (day of century) + 3: the remainder with its low two bits set.
    let year_quarters = (century_quarters % ERA_DAYS) | 3;
    let yoc = year_quarters / 1461; // year of century, 0..99
    let doy = year_quarters % 1461 / 4; // day of the March-based year, 0..365
                                        // Month and day in one multiplication (Neri and Schneider's
                                        // constants): the high half is the month from March = 3, the low half
                                        // over 2141 the day of month, exact for days 0..365 of a year.
    let month_day = 2141 * doy + 197_913;
    let mp = (month_day >> 16) - 3; // 0..11, March-based month
    let january_or_february = mp >= 10;
    // The civil year (for March..December) is a leap year: divisible by 4,
    // and not a century unless one divisible by 400 (era start).
    let leap = yoc % 4 == 0 && (yoc != 0 || century == 0);
    let year = (era * 400 + century * 100 + yoc + u32::from(january_or_february)) as i32 - (ERA_SHIFT * 400) as i32;
    let minutes = sod / 60;
    Some(CivilTime {
        year: year - 1900,
        month: (if january_or_february { mp - 10 } else { mp + 2 }) as i32,
        day: ((month_day & 0xFFFF) / 2141 + 1) as i32,
        hour: (minutes / 60) as i32,
        minute: (minutes % 60) as i32,
        second: (sod % 60) as i32,
        // z = days since 1970 + 1 (mod 7, an era is whole weeks), and
        // 1970-01-01 was a Thursday (4).
        weekday: ((z + 3) % 7) as i32,
        yearday: (if january_or_february { doy - 306 } else { doy + 59 + u32::from(leap) }) as i32,
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

    /// The fields `time` (an independent implementation) gives for `secs`.
    fn reference(secs: i64) -> (i32, i32, i32, i32, i32, i32, i32, i32) {
        let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
        (
            t.year() - 1900,
            i32::from(u8::from(t.month())) - 1,
            i32::from(t.day()),
            i32::from(t.hour()),
            i32::from(t.minute()),
            i32::from(t.second()),
            i32::from(t.weekday().number_days_from_sunday()),
            i32::from(t.ordinal()) - 1,
        )
    }

    fn fields(c: CivilTime) -> (i32, i32, i32, i32, i32, i32, i32, i32) {
        (c.year, c.month, c.day, c.hour, c.minute, c.second, c.weekday, c.yearday)
    }

    #[test]
    fn matches_an_independent_calendar_over_years_minus_9999_to_9999() {
        let first = -377_705_116_800; // -9999-01-01T00:00:00Z
        let last = 253_402_300_799; // 9999-12-31T23:59:59Z
        assert_eq!(reference(first).0 + 1900, -9999);
        assert_eq!(reference(last).0 + 1900, 9999);
        // Every day (at a second that moves through the day), and around
        // every fifth midnight its last and first second.
        let mut secs = first;
        let mut k = 0i64;
        while secs <= last {
            let s = secs + (k * 7919) % 86_400;
            assert_eq!(fields(civil_from_unix(s).unwrap()), reference(s), "at {s}");
            if k % 5 == 0 {
                for s in [secs, secs + 86_399] {
                    assert_eq!(fields(civil_from_unix(s).unwrap()), reference(s), "at {s}");
                }
            }
            secs += 86_400;
            k += 1;
        }
    }

    /// The Gregorian rules applied day by day from a known date: a
    /// reference for the range `time` does not cover.
    fn step_days(mut y: i64, mut m: i64, mut d: i64, days: i64) -> (i64, i64, i64) {
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let len =
            |y: i64, m: i64| [31, 28 + i64::from(leap(y)), 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m - 1) as usize];
        for _ in 0..days.abs() {
            if days > 0 {
                d += 1;
                if d > len(y, m) {
                    d = 1;
                    m += 1;
                    if m > 12 {
                        m = 1;
                        y += 1;
                    }
                }
            } else {
                d -= 1;
                if d == 0 {
                    m -= 1;
                    if m == 0 {
                        m = 12;
                        y -= 1;
                    }
                    d = len(y, m);
                }
            }
        }
        (y, m, d)
    }

    #[test]
    fn exact_at_both_ends_of_the_range() {
        // 2^30 days either side of 1970-01-01: whole 400-year cycles of
        // 146 097 days (which keep the date) and then single days.
        let cycles = 7349i64; // 7349 * 146 097 = 1 073 666 853 days < 2^30
        let rest = (1i64 << 30) - cycles * 146_097; // 74 971 days
        for sign in [1i64, -1] {
            let (y, m, d) = step_days(1970 + sign * cycles * 400, 1, 1, sign * rest);
            let days = sign << 30;
            let c = civil_from_unix(days * 86_400 + 3661).unwrap();
            assert_eq!(
                (i64::from(c.year) + 1900, i64::from(c.month) + 1, i64::from(c.day), c.hour, c.minute, c.second),
                (y, m, d, 1, 1, 1),
                "{sign} end"
            );
            assert_eq!(i64::from(c.weekday), (days + 4).rem_euclid(7));
            // The days next to the end, one by one.
            for back in 1..500i64 {
                let (y, m, d) = step_days(y, m, d, -sign * back);
                let c = civil_from_unix((days - sign * back) * 86_400).unwrap();
                assert_eq!((i64::from(c.year) + 1900, i64::from(c.month) + 1, i64::from(c.day)), (y, m, d));
            }
        }
        assert!(civil_from_unix(-(86_400 << 30)).is_some());
        assert!(civil_from_unix(-(86_400 << 30) - 1).is_none());
        assert!(civil_from_unix((86_400 << 30) + 86_399).is_some());
        assert!(civil_from_unix(i64::MAX).is_none());
    }
}
