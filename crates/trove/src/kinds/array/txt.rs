//! Arrays as `np.savetxt` text in a `.csv.gz` (1-D and 2-D), and back like `np.genfromtxt`.

use std::io::{Read, Write};
use std::path::Path;

use flate2::{Compression, GzBuilder};
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};

use super::NpzArray;
use crate::kinds::KindError;
use crate::kinds::pyfmt::quote;
use crate::kinds::staging::wio;

/// `%.18e` like Python: `1.000000000000000000e+00`.
fn sci18(x: f64) -> String {
    if !x.is_finite() {
        return crate::kinds::pyfmt::float_repr(x);
    }
    let s = format!("{x:.18e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

fn write_savetxt<W: Write>(a: &ArrayViewD<f64>, w: W) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(w);
    match a.ndim() {
        0 => writeln!(w, "{}", sci18(*a.first().unwrap_or(&0.0)))?,
        1 => {
            for x in a.iter() {
                writeln!(w, "{}", sci18(*x))?;
            }
        }
        _ => {
            for row in a.axis_iter(Axis(0)) {
                let line: Vec<String> = row.iter().map(|x| sci18(*x)).collect();
                writeln!(w, "{}", line.join(","))?;
            }
        }
    }
    w.flush()
}

/// Write `a` (as float64) gzip-compressed at `level`, header FNAME `<quote(name)>.csv`, mtime 0.
pub(super) fn write<W: Write>(name: &str, a: &NpzArray, level: u32, w: W) -> Result<(), KindError> {
    let mut gz = GzBuilder::new()
        .filename(format!("{}.csv", quote(name)))
        .mtime(0)
        .operating_system(255)
        .write(w, Compression::new(level));
    write_savetxt(&a.to_f64().view(), &mut gz).map_err(wio(name))?;
    gz.finish().map_err(wio(name))?;
    Ok(())
}

pub(super) fn read(local: &Path) -> Result<NpzArray, KindError> {
    let f = std::fs::File::open(local).map_err(|e| KindError::io(local, e))?;
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(f)
        .read_to_string(&mut text)
        .map_err(|e| KindError::bad("csv.gz", local, e))?;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row = line
            .split(',')
            .map(|c| match c.trim() {
                "nan" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                v => v.parse::<f64>(),
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| KindError::bad("csv", local, e))?;
        rows.push(row);
    }
    let cols = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|r| r.len() != cols) {
        return Err(KindError::bad("csv", local, "rows have different lengths"));
    }
    let n = rows.len();
    let flat: Vec<f64> = rows.into_iter().flatten().collect();
    // np.genfromtxt gives a 1-D array for a single column.
    let shape = if cols == 1 {
        IxDyn(&[n])
    } else {
        IxDyn(&[n, cols])
    };
    ArrayD::from_shape_vec(shape, flat)
        .map(NpzArray::F64)
        .map_err(|e| KindError::bad("csv", local, e))
}
