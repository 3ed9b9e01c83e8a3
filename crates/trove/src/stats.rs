//! ClearML's statistics line for registered frames: unique rows on the uniqueness columns, and the
//! intersections between registered frames.

use crate::tracked::Uniqueness;
use polars::prelude::*;
use std::collections::HashSet;
use xxhash_rust::xxh3::Xxh3;

/// Row hashes of `df` over the uniqueness columns (columns missing from the frame are ignored).
pub fn row_hashes(df: &DataFrame, uniqueness: &Uniqueness) -> HashSet<u64> {
    let cols: Vec<&Column> = match uniqueness {
        Uniqueness::AllColumns => df.columns().iter().collect(),
        Uniqueness::Columns(names) => df
            .columns()
            .iter()
            .filter(|c| names.iter().any(|n| n == c.name().as_str()))
            .collect(),
    };
    (0..df.height())
        .map(|i| {
            let mut h = Xxh3::new();
            for c in &cols {
                let text = c.get(i).map(|v| format!("{v}")).unwrap_or_default();
                h.update(&(text.len() as u32).to_le_bytes());
                h.update(text.as_bytes());
            }
            h.digest()
        })
        .collect()
}

/// `[name]: shape=(r, c), n unique rows, p% uniqueness` plus one intersection line per other frame.
pub fn statistics(name: &str, all: &[(String, DataFrame, Uniqueness)]) -> String {
    let Some((_, df, uniq)) = all.iter().find(|(n, _, _)| n == name) else {
        return String::new();
    };
    let mine = row_hashes(df, uniq);
    let pct = if df.height() == 0 {
        0.0
    } else {
        100.0 * mine.len() as f64 / df.height() as f64
    };
    let mut out = format!(
        "[{name}]: shape=({}, {}), {} unique rows, {:.1}% uniqueness\n",
        df.height(),
        df.width(),
        mine.len(),
        pct
    );
    for (other, odf, _) in all.iter().filter(|(n, _, _)| n != name) {
        let theirs = row_hashes(odf, uniq);
        let common = mine.intersection(&theirs).count();
        let p = if mine.is_empty() {
            0.0
        } else {
            100.0 * common as f64 / mine.len() as f64
        };
        out.push_str(&format!(
            "\tIntersection with [{other}] {common} rows: {p:.1}%\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_frame_statistics_match_clearml() {
        let train = df!("num_legs" => [2i64, 4, 8, 0], "num_wings" => [2i64, 0, 0, 0], "num_specimen_seen" => [10i64, 2, 1, 8]).unwrap();
        let test = df!("num_legs" => [2i64, 4, 4], "num_wings" => [2i64, 0, 0], "num_specimen_seen" => [10i64, 2, 2]).unwrap();
        let all = vec![
            ("train".to_string(), train, Uniqueness::AllColumns),
            ("test".to_string(), test, Uniqueness::AllColumns),
        ];
        assert_eq!(
            statistics("train", &all),
            "[train]: shape=(4, 3), 4 unique rows, 100.0% uniqueness\n\tIntersection with [test] 2 rows: 50.0%\n"
        );
        assert!(
            statistics("test", &all)
                .starts_with("[test]: shape=(3, 3), 2 unique rows, 66.7% uniqueness\n")
        );
    }
}
