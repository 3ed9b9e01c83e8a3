//! numpy's `repr(array)`: uniform element formatting, 75-column wrapping, summarisation with `...`
//! beyond 1000 elements (3 edge items), `shape=` when summarised and `dtype=` when not implied.

use ndarray::{ArrayViewD, Axis, IxDyn};

/// One element as numpy formats it.
#[derive(Clone, Copy)]
pub enum Cell {
    /// A float (f32 values are widened but keep their shortest f32 digits).
    F(f64, bool),
    /// An integer.
    I(i128),
    /// A boolean.
    B(bool),
}

/// Element types numpy's repr knows how to print.
pub trait ReprElement {
    /// The value as a [`Cell`].
    fn cell(&self) -> Cell;
    /// True when numpy omits the dtype from the repr (float64, int64, bool).
    const IMPLIED: bool;
    /// numpy's dtype name.
    const NAME: &'static str;
}

macro_rules! repr_int {
    ($($t:ty, $implied:expr, $name:literal;)*) => {$(
        impl ReprElement for $t {
            fn cell(&self) -> Cell { Cell::I(*self as i128) }
            const IMPLIED: bool = $implied;
            const NAME: &'static str = $name;
        }
    )*};
}
repr_int! { i64, true, "int64"; i32, false, "int32"; i16, false, "int16"; i8, false, "int8";
u64, false, "uint64"; u32, false, "uint32"; u16, false, "uint16"; u8, false, "uint8"; }

impl ReprElement for f64 {
    fn cell(&self) -> Cell {
        Cell::F(*self, false)
    }
    const IMPLIED: bool = true;
    const NAME: &'static str = "float64";
}
impl ReprElement for f32 {
    fn cell(&self) -> Cell {
        Cell::F(f64::from(*self), true)
    }
    const IMPLIED: bool = false;
    const NAME: &'static str = "float32";
}
impl ReprElement for bool {
    fn cell(&self) -> Cell {
        Cell::B(*self)
    }
    const IMPLIED: bool = true;
    const NAME: &'static str = "bool";
}

const EDGE: usize = 3;
const THRESHOLD: usize = 1000;
const WIDTH: usize = 75;

/// Shortest digits of a float, rounded to at most 8 fractional digits (numpy's `maxprec` mode).
fn positional(x: f64, f32_digits: bool) -> (String, String) {
    let s = if f32_digits {
        format!("{}", x as f32)
    } else {
        format!("{x}")
    };
    let s = s.trim_start_matches('-').to_string();
    let (int, frac) = s
        .split_once('.')
        .map_or((s.clone(), String::new()), |(a, b)| {
            (a.to_string(), b.to_string())
        });
    if frac.len() > 8 {
        let r = format!("{:.8}", x.abs());
        let (i, f) = r.split_once('.').unwrap_or((&r, ""));
        return (i.to_string(), f.trim_end_matches('0').to_string());
    }
    (int, frac)
}

fn scientific(x: f64, f32_digits: bool) -> (String, String, i32) {
    let s = if f32_digits {
        format!("{:e}", (x as f32).abs())
    } else {
        format!("{:e}", x.abs())
    };
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let mut exp: i32 = e.parse().unwrap_or(0);
    let (mut i, mut f) = m
        .split_once('.')
        .map_or((m.to_string(), String::new()), |(a, b)| {
            (a.to_string(), b.to_string())
        });
    if f.len() > 8 {
        let r = format!("{:.8e}", x.abs());
        let (m2, e2) = r.split_once('e').unwrap_or((&r, "0"));
        exp = e2.parse().unwrap_or(exp);
        let (i2, f2) = m2.split_once('.').unwrap_or((m2, ""));
        i = i2.to_string();
        f = f2.trim_end_matches('0').to_string();
    }
    (i, f, exp)
}

/// Format the shown cells uniformly, like numpy's FloatingFormat / IntegerFormat / BoolFormat.
fn formatter(cells: &[Cell]) -> Box<dyn Fn(Cell) -> String> {
    let floats: Vec<f64> = cells
        .iter()
        .filter_map(|c| {
            if let Cell::F(x, _) = c {
                Some(*x)
            } else {
                None
            }
        })
        .collect();
    if !floats.is_empty() {
        let f32d = matches!(cells.first(), Some(Cell::F(_, true)));
        let finite: Vec<f64> = floats
            .iter()
            .copied()
            .filter(|x| x.is_finite() && *x != 0.0)
            .map(f64::abs)
            .collect();
        let (mx, mn) = finite
            .iter()
            .fold((0.0f64, f64::INFINITY), |(a, b), x| (a.max(*x), b.min(*x)));
        let sci = !finite.is_empty() && (mx >= 1e8 || mn < 1e-4 || mx / mn > 1e3);
        let mut pad_l = 0;
        let mut pad_r = 0;
        let mut exp_w = 2;
        for x in floats.iter().filter(|x| x.is_finite()) {
            if sci {
                let (i, f, e) = scientific(*x, f32d);
                pad_l = pad_l.max(i.len() + usize::from(x.is_sign_negative()));
                pad_r = pad_r.max(f.len());
                exp_w = exp_w.max(e.unsigned_abs().to_string().len());
            } else {
                let (i, f) = positional(*x, f32d);
                pad_l = pad_l.max(i.len() + usize::from(x.is_sign_negative()));
                pad_r = pad_r.max(f.len());
            }
        }
        return Box::new(move |c| {
            let Cell::F(x, _) = c else {
                return String::new();
            };
            if !x.is_finite() {
                let s = if x.is_nan() {
                    "nan"
                } else if x > 0.0 {
                    "inf"
                } else {
                    "-inf"
                };
                let w = pad_l + 1 + pad_r + if sci { 2 + exp_w } else { 0 };
                return format!("{s:>w$}");
            }
            let sign = if x.is_sign_negative() { "-" } else { "" };
            if sci {
                let (i, f, e) = scientific(x, f32d);
                let mant = format!("{sign}{i}");
                let es = format!(
                    "{}{:0w$}",
                    if e < 0 { '-' } else { '+' },
                    e.unsigned_abs(),
                    w = exp_w
                );
                format!("{mant:>pad_l$}.{f:0<pad_r$}e{es}")
            } else {
                let (i, f) = positional(x, f32d);
                let int = format!("{sign}{i}");
                format!("{int:>pad_l$}.{f:<pad_r$}")
            }
        });
    }
    if cells.iter().any(|c| matches!(c, Cell::B(_))) {
        return Box::new(move |c| match c {
            Cell::B(true) => " True".into(),
            _ => "False".into(),
        });
    }
    let w = cells
        .iter()
        .map(|c| {
            if let Cell::I(i) = c {
                i.to_string().len()
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0);
    Box::new(move |c| {
        if let Cell::I(i) = c {
            format!("{i:>w$}")
        } else {
            String::new()
        }
    })
}

fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, indent: &str) {
    if line.len() + word.len() > width && line.len() > indent.len() {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = indent.to_string();
    }
    line.push_str(word);
}

fn shown(len: usize, summarise: bool) -> Vec<Option<usize>> {
    if summarise && len > 2 * EDGE {
        (0..EDGE)
            .map(Some)
            .chain([None])
            .chain((len - EDGE..len).map(Some))
            .collect()
    } else {
        (0..len).map(Some).collect()
    }
}

fn recurse(
    a: &ArrayViewD<Cell>,
    fmt: &dyn Fn(Cell) -> String,
    indent: &str,
    width: usize,
    summarise: bool,
) -> String {
    if a.ndim() == 0 {
        return fmt(a[IxDyn(&[])]);
    }
    let next_indent = format!("{indent} ");
    let next_width = width - 1;
    let items = shown(a.len_of(Axis(0)), summarise);
    let mut s = String::new();
    if a.ndim() == 1 {
        let elem_width = width - 1;
        let mut line = indent.to_string();
        for (k, it) in items.iter().enumerate() {
            let word = match it {
                Some(i) => fmt(a[IxDyn(&[*i])]),
                None => "...".to_string(),
            };
            extend_line(&mut s, &mut line, &word, elem_width, indent);
            if k + 1 < items.len() {
                line.push_str(", ");
            }
        }
        s.push_str(&line);
    } else {
        let sep = format!(",{}", "\n".repeat(a.ndim() - 1));
        for (k, it) in items.iter().enumerate() {
            s.push_str(indent);
            match it {
                Some(i) => s.push_str(&recurse(
                    &a.index_axis(Axis(0), *i),
                    fmt,
                    &next_indent,
                    next_width,
                    summarise,
                )),
                None => s.push_str("..."),
            }
            if k + 1 < items.len() {
                s.push_str(&sep);
            }
        }
    }
    format!("[{}]", &s[indent.len().min(s.len())..])
}

fn collect_shown(a: &ArrayViewD<Cell>, summarise: bool, out: &mut Vec<Cell>) {
    if a.ndim() == 0 {
        out.push(a[IxDyn(&[])]);
        return;
    }
    for i in shown(a.len_of(Axis(0)), summarise).into_iter().flatten() {
        collect_shown(&a.index_axis(Axis(0), i), summarise, out);
    }
}

/// `repr(arr)` as numpy 2 prints it.
pub fn numpy_repr<T: ReprElement>(a: &ArrayViewD<T>) -> String {
    let cells = a.map(ReprElement::cell);
    let summarise = a.len() > THRESHOLD;
    let mut shown_cells = Vec::new();
    collect_shown(&cells.view(), summarise, &mut shown_cells);
    let fmt = formatter(&shown_cells);
    let body = if a.is_empty() {
        "[]".to_string()
    } else {
        recurse(&cells.view(), &*fmt, "       ", WIDTH, summarise)
    };
    let mut extras = Vec::new();
    if (a.is_empty() && a.ndim() != 1) || summarise {
        let dims: Vec<String> = a.shape().iter().map(ToString::to_string).collect();
        let shape = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        extras.push(format!("shape={shape}"));
    }
    if !T::IMPLIED || a.is_empty() {
        extras.push(format!("dtype={}", T::NAME));
    }
    if extras.is_empty() {
        return format!("array({body})");
    }
    let head = format!("array({body},");
    let extra = format!("{})", extras.join(", "));
    let last = head.len() - head.rfind('\n').map_or(0, |i| i + 1);
    let spacer = if last + extra.len() + 1 > WIDTH {
        "\n      ".to_string()
    } else {
        " ".to_string()
    };
    format!("{head}{spacer}{extra}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, Array2, ArrayD};

    fn r<T: ReprElement + Clone>(a: ArrayD<T>) -> String {
        numpy_repr(&a.view())
    }

    #[test]
    fn small_arrays() {
        assert_eq!(
            r(Array::from(vec![0.5, 1.0]).into_dyn()),
            "array([0.5, 1. ])"
        );
        assert_eq!(r(Array::from(vec![1i64, 10]).into_dyn()), "array([ 1, 10])");
        assert_eq!(
            r(Array::from(vec![true, false]).into_dyn()),
            "array([ True, False])"
        );
        assert_eq!(
            r(Array::from(vec![1i32, 2]).into_dyn()),
            "array([1, 2], dtype=int32)"
        );
        assert_eq!(
            r(Array2::<f64>::eye(2).into_dyn()),
            "array([[1., 0.],\n       [0., 1.]])"
        );
    }

    #[test]
    fn eye_100_like_numpy() {
        let want = "array([[1., 0., 0., ..., 0., 0., 0.],\n       [0., 1., 0., ..., 0., 0., 0.],\n       [0., 0., 1., ..., 0., 0., 0.],\n       ...,\n       [0., 0., 0., ..., 1., 0., 0.],\n       [0., 0., 0., ..., 0., 1., 0.],\n       [0., 0., 0., ..., 0., 0., 1.]], shape=(100, 100))";
        assert_eq!(r(Array2::<f64>::eye(100).into_dyn()), want);
    }

    #[test]
    fn long_rows_wrap() {
        let a: ArrayD<i64> = Array::from_iter(0..30i64).into_dyn();
        assert_eq!(
            r(a),
            "array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])"
        );
    }
}
