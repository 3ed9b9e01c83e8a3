//! Array (`numpy`) artifacts: compressed `.npz` with the array under the artifact's name (like
//! `np.savez_compressed(f, **{name: arr})`), or `.csv.gz` like `np.savetxt` for 1-D/2-D arrays.

use std::io::{Read, Write};
use std::path::Path;

use flate2::{Compression, GzBuilder};
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use ndarray_npy::{ReadNpyExt, WriteNpyExt};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::array_repr::{ReprElement, numpy_repr};
use super::pyfmt::quote;
use super::staging::{stage_limited, wio};
use super::{FromArtifact, KindError, SerializeOptions, Serialized, choose_ext};

/// An n-dimensional array of one of the element types numpy and ndarray-npy share.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum NpzArray {
    F64(ArrayD<f64>),
    F32(ArrayD<f32>),
    I64(ArrayD<i64>),
    I32(ArrayD<i32>),
    I16(ArrayD<i16>),
    I8(ArrayD<i8>),
    U64(ArrayD<u64>),
    U32(ArrayD<u32>),
    U16(ArrayD<u16>),
    U8(ArrayD<u8>),
    Bool(ArrayD<bool>),
}

/// Element types that can be stored in an [`NpzArray`] (sealed).
pub trait NpzElement:
    ndarray_npy::WritableElement + ndarray_npy::ReadableElement + ReprElement + Clone + private::Sealed
{
    /// numpy's dtype name (`float64`, `int32`, `bool`...).
    const DTYPE: &'static str;
    /// Wrap an array of this element type.
    fn wrap(a: ArrayD<Self>) -> NpzArray;
    /// Take the array back out, if it has this element type.
    fn unwrap(a: NpzArray) -> Option<ArrayD<Self>>;
}

mod private {
    pub trait Sealed {}
}

macro_rules! elements {
    ($($t:ty => $v:ident, $name:literal;)*) => {$(
        impl private::Sealed for $t {}
        impl NpzElement for $t {
            const DTYPE: &'static str = $name;
            fn wrap(a: ArrayD<Self>) -> NpzArray { NpzArray::$v(a) }
            fn unwrap(a: NpzArray) -> Option<ArrayD<Self>> {
                match a { NpzArray::$v(x) => Some(x), _ => None }
            }
        }
    )*
        /// Apply `$f` to the typed array inside.
        macro_rules! with_array {
            ($a:expr, $x:ident => $body:expr) => {
                match $a { $(NpzArray::$v($x) => $body,)* }
            };
        }
        impl NpzArray {
            /// numpy's dtype name of the elements.
            pub fn dtype(&self) -> &'static str {
                match self { $(NpzArray::$v(_) => $name,)* }
            }
            /// Read an `.npy` payload of any supported dtype.
            #[allow(unused_assignments)]
            pub fn read_npy(bytes: &[u8]) -> Result<NpzArray, String> {
                let mut last = String::new();
                $(
                    match ArrayD::<$t>::read_npy(bytes) {
                        Ok(a) => return Ok(NpzArray::$v(a)),
                        Err(ndarray_npy::ReadNpyError::WrongDescriptor(d)) => last = format!("{d:?}"),
                        Err(e) => return Err(e.to_string()),
                    }
                )*
                Err(format!("unsupported dtype {last}"))
            }
        }
    };
}

elements! {
    f64 => F64, "float64";
    f32 => F32, "float32";
    i64 => I64, "int64";
    i32 => I32, "int32";
    i16 => I16, "int16";
    i8 => I8, "int8";
    u64 => U64, "uint64";
    u32 => U32, "uint32";
    u16 => U16, "uint16";
    u8 => U8, "uint8";
    bool => Bool, "bool";
}

impl NpzArray {
    /// The array's shape.
    pub fn shape(&self) -> Vec<usize> {
        with_array!(self, a => a.shape().to_vec())
    }

    /// numpy-like `repr()` (summarised beyond 1000 elements).
    pub fn repr(&self) -> String {
        with_array!(self, a => numpy_repr(&a.view()))
    }

    fn write_npy_to<W: Write>(&self, w: W) -> Result<(), ndarray_npy::WriteNpyError> {
        with_array!(self, a => a.write_npy(w))
    }

    fn nbytes(&self) -> u64 {
        fn nb<T>(a: &ArrayD<T>) -> u64 {
            (a.len() * std::mem::size_of::<T>()) as u64
        }
        with_array!(self, a => nb(a))
    }

    fn to_f64(&self) -> ArrayD<f64> {
        match self {
            NpzArray::F64(a) => a.clone(),
            NpzArray::F32(a) => a.mapv(f64::from),
            NpzArray::I64(a) => a.mapv(|x| x as f64),
            NpzArray::I32(a) => a.mapv(f64::from),
            NpzArray::I16(a) => a.mapv(f64::from),
            NpzArray::I8(a) => a.mapv(f64::from),
            NpzArray::U64(a) => a.mapv(|x| x as f64),
            NpzArray::U32(a) => a.mapv(f64::from),
            NpzArray::U16(a) => a.mapv(f64::from),
            NpzArray::U8(a) => a.mapv(f64::from),
            NpzArray::Bool(a) => a.mapv(|x| if x { 1.0 } else { 0.0 }),
        }
    }
}

/// `%.18e` like Python: `1.000000000000000000e+00`.
fn sci18(x: f64) -> String {
    if !x.is_finite() {
        return super::pyfmt::float_repr(x);
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

/// `<name>.npz` (member `<name>.npy`, deflated, `application/numpy`) or `<name>.csv.gz` (`text/csv`).
pub fn serialize(
    name: &str,
    a: &NpzArray,
    opts: &SerializeOptions,
    dir: &Path,
) -> Result<Serialized, KindError> {
    let mut ext = choose_ext(
        opts.format.as_deref(),
        &[".npz", ".csv.gz"],
        ".npz",
        "numpy",
    );
    if ext == ".csv.gz" && a.shape().len() > 2 {
        tracing::warn!(
            "numpy artifact '{name}' has {} dimensions; .csv.gz holds at most 2, using .npz",
            a.shape().len()
        );
        ext = ".npz".into();
    }
    let st = if ext == ".npz" {
        stage_limited(dir, name, &ext, opts.memory_limit, |w| {
            let mut zw = ZipWriter::new_stream(w);
            let o = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(6))
                .large_file(a.nbytes() >= u64::from(u32::MAX) - 1024);
            zw.start_file(format!("{name}.npy"), o)
                .map_err(|e| KindError::ser(name, e))?;
            a.write_npy_to(&mut zw)
                .map_err(|e| KindError::ser(name, e))?;
            zw.finish().map_err(|e| KindError::ser(name, e))?;
            Ok(())
        })?
    } else {
        let level = opts.gzip_level.min(9);
        stage_limited(dir, name, &ext, opts.memory_limit, |w| {
            let mut gz = GzBuilder::new()
                .filename(format!("{}.csv", quote(name)))
                .mtime(0)
                .operating_system(255)
                .write(w, Compression::new(level));
            write_savetxt(&a.to_f64().view(), &mut gz).map_err(wio(name))?;
            gz.finish().map_err(wio(name))?;
            Ok(())
        })?
    };
    let ct = if ext == ".npz" {
        "application/numpy"
    } else {
        "text/csv"
    };
    Ok(Serialized::staged(
        "numpy",
        format!("{name}{ext}"),
        st,
        Some(ct),
        a.repr(),
    ))
}

fn read_csv_array(local: &Path) -> Result<NpzArray, KindError> {
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

fn read_npz(name: &str, local: &Path) -> Result<NpzArray, KindError> {
    let f = std::fs::File::open(local).map_err(|e| KindError::io(local, e))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| KindError::bad("npz", local, e))?;
    let wanted = format!("{name}.npy");
    let idx = z.index_for_name(&wanted).or_else(|| {
        (0..z.len()).find(|i| {
            z.name_for_index(*i)
                .and_then(Result::ok)
                .is_some_and(|n| n.ends_with(".npy"))
        })
    });
    let idx = idx.ok_or_else(|| {
        KindError::bad(
            "npz",
            local,
            format!("no member '{wanted}' and no .npy member"),
        )
    })?;
    let mut entry = z
        .by_index(idx)
        .map_err(|e| KindError::bad("npz", local, e))?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| KindError::bad("npz", local, e))?;
    NpzArray::read_npy(&bytes).map_err(|e| {
        if e.starts_with("unsupported dtype") {
            KindError::UnsupportedDtype(e)
        } else {
            KindError::bad("npy", local, e)
        }
    })
}

impl FromArtifact for NpzArray {
    /// A `numpy` artifact of any supported dtype (`.csv.gz` ones come back as float64 like `np.genfromtxt`).
    fn from_artifact(
        kind: &str,
        ct: Option<&str>,
        name: &str,
        local: &Path,
    ) -> Result<Self, KindError> {
        if kind != "numpy" && kind != "custom" {
            return Err(KindError::WrongKind {
                name: name.into(),
                kind: kind.into(),
                target: "NpzArray",
            });
        }
        if ct == Some("text/csv") || local.to_string_lossy().ends_with(".csv.gz") {
            read_csv_array(local)
        } else {
            read_npz(name, local)
        }
    }
}

impl<T: NpzElement> FromArtifact for ArrayD<T> {
    /// A `numpy` artifact whose dtype is `T` (otherwise [`KindError::UnsupportedDtype`]).
    fn from_artifact(
        kind: &str,
        ct: Option<&str>,
        name: &str,
        local: &Path,
    ) -> Result<Self, KindError> {
        let a = NpzArray::from_artifact(kind, ct, name, local)?;
        let dtype = a.dtype();
        T::unwrap(a).ok_or_else(|| {
            KindError::UnsupportedDtype(format!(
                "artifact '{name}' holds {dtype}, not {} as asked",
                T::DTYPE
            ))
        })
    }
}
