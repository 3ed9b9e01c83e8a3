//! Measurements every subcommand reports: the process's peak RSS and a JSON line on stdout.

use serde_json::{Map, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// Peak resident set size of this process in KiB (`VmHWM` of `/proc/self/status`), 0 when unknown.
pub fn peak_rss_kib() -> u64 {
    status_field("/proc/self/status", "VmHWM:")
}

/// A `kB` field of a `/proc/<pid>/status` file, 0 when unknown.
pub fn status_field(path: &str, key: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Seconds since the epoch, as a float (to line up several processes' timelines).
pub fn epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Print one JSON object (the given fields plus `rss_kib`) as a line on stdout.
pub fn emit(fields: Value) {
    let mut m = match fields {
        Value::Object(m) => m,
        other => {
            let mut m = Map::new();
            m.insert("value".into(), other);
            m
        }
    };
    m.insert("rss_kib".into(), peak_rss_kib().into());
    m.insert("impl".into(), "trove".into());
    println!("{}", Value::Object(m));
}
