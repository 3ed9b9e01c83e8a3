//! Time helpers: epoch seconds for artifact records, ISO-8601 strings for task dates.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Seconds since the Unix epoch, the unit of an artifact's `timestamp`.
pub fn now_secs() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Milliseconds since the Unix epoch, the unit of event timestamps.
pub fn now_millis() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Current time as an ISO-8601 (RFC 3339) string with microseconds, the form task dates take on the wire.
pub fn now_iso() -> String {
    iso_from_micros(now_micros())
}

/// Microseconds since the Unix epoch; stored for task dates so ordering is exact.
pub fn now_micros() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000) as i64
}

/// ISO-8601 string for a time given in microseconds since the epoch.
pub fn iso_from_micros(micros: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(micros as i128 * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Parse an ISO-8601 string back to microseconds since the epoch.
pub fn micros_from_iso(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trips() {
        let m = now_micros();
        assert_eq!(micros_from_iso(&iso_from_micros(m)), Some(m));
        assert!(now_iso().contains('T'));
    }
}
