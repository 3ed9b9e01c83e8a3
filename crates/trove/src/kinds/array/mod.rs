//! Array (`numpy`) artifacts: compressed `.npz` with the array under the artifact's name (like
//! `np.savez_compressed(f, **{name: arr})`), or `.csv.gz` like `np.savetxt` for 1-D/2-D arrays.

mod npz;
mod repr;
mod txt;

use std::io::Write;
use std::path::Path;

use ndarray::{ArrayBase, ArrayD, Data, Dimension};
use ndarray_npy::{ReadNpyExt, WriteNpyExt};

use super::staging::stage_limited;
use super::{
    ArtifactObject, FromArtifact, IntoArtifact, KindError, Sealed, SerializeOptions, Serialized,
};
use repr::{ReprElement, numpy_repr};

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

/// `<name>.npz` (member `<name>.npy`, deflated, `application/numpy`) or `<name>.csv.gz` (`text/csv`).
pub(super) fn serialize(
    name: &str,
    a: &NpzArray,
    opts: &SerializeOptions,
    dir: &Path,
) -> Result<Serialized, KindError> {
    let ext = opts.extension(name, "numpy", &[".npz", ".csv.gz"], ".npz")?;
    if ext == ".csv.gz" && a.shape().len() > 2 {
        return Err(KindError::InvalidFormat {
            name: name.to_string(),
            kind: "numpy".into(),
            given: format!(
                ".csv.gz for a {}-dimensional array (csv.gz holds at most 2 dimensions)",
                a.shape().len()
            ),
            valid: ".npz".into(),
        });
    }
    let st = if ext == ".npz" {
        stage_limited(dir, name, &ext, opts.memory_limit, |w| {
            npz::write(name, a, w)
        })?
    } else {
        let level = opts.gzip_level.min(9);
        stage_limited(dir, name, &ext, opts.memory_limit, |w| {
            txt::write(name, a, level, w)
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
            txt::read(local)
        } else {
            npz::read(name, local)
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

impl<A: NpzElement, S: Data<Elem = A>, D: Dimension> Sealed for ArrayBase<S, D> {}
impl<A: NpzElement, S: Data<Elem = A>, D: Dimension> IntoArtifact for ArrayBase<S, D> {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        // An owned array moves; a view is copied.
        Ok(ArtifactObject::Array(A::wrap(self.into_owned().into_dyn())))
    }
}
