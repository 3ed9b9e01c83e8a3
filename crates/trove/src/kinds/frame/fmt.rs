//! pandas' text formats for frames: `to_csv` cells and the `repr(df)` table (right-aligned columns, left
//! aligned index labels, 60/10 row and 20 column truncation, 80-column wrapping).

use polars::prelude::{AnyValue, Column, DataType};

use crate::kinds::pyfmt::{float_repr, float32_repr};

/// A CSV cell as pandas writes it (`None` = empty: nulls).
pub fn csv_cell(v: &AnyValue) -> String {
    let raw = match v {
        AnyValue::Null => return String::new(),
        AnyValue::Boolean(b) => return if *b { "True".into() } else { "False".into() },
        AnyValue::Float64(x) if x.is_nan() => return String::new(),
        AnyValue::Float32(x) if x.is_nan() => return String::new(),
        AnyValue::Float64(x) => return float_repr(*x),
        AnyValue::Float32(x) => return float32_repr(*x),
        AnyValue::String(s) => (*s).to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        other if other.is_integer() => return other.to_string(),
        other => other.to_string(),
    };
    csv_quote(&raw)
}

/// Python `csv` QUOTE_MINIMAL: quote fields with `,`, `"`, CR or LF, doubling inner quotes.
pub fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// True for dtypes pandas treats as numeric (their header gets a leading space in the repr).
fn is_numeric(dt: &DataType) -> bool {
    dt.is_primitive_numeric() || matches!(dt, DataType::Boolean)
}

/// `_trim_zeros_float`: drop trailing zeros uniformly, keeping one digit after the point.
fn trim_zeros(mut vals: Vec<String>) -> Vec<String> {
    let is_num = |x: &str| {
        let t = x.trim_start().trim_start_matches(['+', '-']);
        match t.split_once('.') {
            Some((i, f)) => {
                !i.is_empty()
                    && i.bytes().all(|b| b.is_ascii_digit())
                    && f.bytes().all(|b| b.is_ascii_digit())
            }
            None => false,
        }
    };
    loop {
        let nums: Vec<&String> = vals.iter().filter(|x| is_num(x)).collect();
        if nums.is_empty() || !nums.iter().all(|x| x.ends_with('0')) {
            break;
        }
        vals = vals
            .into_iter()
            .map(|x| {
                if is_num(&x) {
                    x[..x.len() - 1].to_string()
                } else {
                    x
                }
            })
            .collect();
    }
    vals.into_iter()
        .map(|x| {
            if is_num(&x) && x.ends_with('.') {
                x + "0"
            } else {
                x
            }
        })
        .collect()
}

fn py_sci(x: f64, digits: usize) -> String {
    let s = format!("{:.*e}", digits, x);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

/// Format the shown values of one column like pandas' array formatters (with the leading sign space).
pub fn repr_column(values: &[AnyValue], dtype: &DataType) -> Vec<String> {
    let floaty = dtype.is_float()
        || (dtype.is_integer() && values.iter().any(|v| matches!(v, AnyValue::Null)));
    if floaty {
        let xs: Vec<Option<f64>> = values
            .iter()
            .map(|v| v.extract::<f64>().filter(|x| !x.is_nan()))
            .collect();
        let sign = |x: f64| if x.is_sign_negative() { "" } else { " " };
        let fixed: Vec<String> = trim_zeros(
            xs.iter()
                .map(|x| x.map_or("NaN".into(), |x| format!("{}{x:.6}", sign(x))))
                .collect(),
        );
        let abs: Vec<f64> = xs
            .iter()
            .flatten()
            .map(|x| x.abs())
            .filter(|x| x.is_finite())
            .collect();
        let small = abs.iter().any(|x| *x > 0.0 && *x < 1e-6);
        let large = abs.iter().any(|x| *x > 1e6);
        let too_long = fixed.iter().map(String::len).max().unwrap_or(0) > 12;
        let vals = if small || (too_long && large) {
            let sci = xs
                .iter()
                .map(|x| x.map_or("NaN".into(), |x| format!("{}{}", sign(x), py_sci(x, 6))));
            trim_zeros(sci.collect())
        } else {
            fixed
        };
        return vals
            .into_iter()
            .map(|s| match s.trim() {
                "inf" => " inf".into(),
                "-inf" => "-inf".into(),
                _ => s,
            })
            .collect();
    }
    values
        .iter()
        .map(|v| match v {
            AnyValue::Null => " None".to_string(),
            AnyValue::Boolean(b) => {
                if *b {
                    " True".into()
                } else {
                    " False".into()
                }
            }
            AnyValue::String(s) => format!(" {s}"),
            AnyValue::StringOwned(s) => format!(" {s}"),
            v if v.is_integer() => format!(
                "{}{}",
                if v.extract::<i128>().is_some_and(|i| i < 0) {
                    ""
                } else {
                    " "
                },
                v
            ),
            v => format!(" {v}"),
        })
        .collect()
}

/// Rows shown: all up to 60 (`display.max_rows`), else the first and last 5 (`display.min_rows` = 10).
fn rows_shown(n: usize) -> (Vec<usize>, Option<usize>) {
    if n > 60 {
        ((0..5).chain(n - 5..n).collect(), Some(5))
    } else {
        ((0..n).collect(), None)
    }
}

fn pad_left(s: &str, w: usize) -> String {
    format!("{s:>w$}")
}

fn width(col: &[String]) -> usize {
    col.iter().map(|s| s.chars().count()).max().unwrap_or(0)
}

/// Python's `round(x / 2)` (half to even) for a count.
fn round_half(n: usize) -> usize {
    let (q, r) = (n / 2, n % 2);
    if r == 1 && q % 2 == 1 { q + 1 } else { q }
}

/// The table's columns as text: index first (blank header, labels left-aligned), then the data columns
/// `cidx` (right-aligned, numeric headers with a leading space), with `...` separators where truncated.
fn strcols(
    index: Option<&Column>,
    cols: &[&Column],
    rows: &[usize],
    tr_row: Option<usize>,
    cidx: &[usize],
    tr_col: Option<usize>,
) -> Vec<Vec<String>> {
    let get = |c: &Column, i: usize| c.get(i).map(|v| v.into_static()).unwrap_or(AnyValue::Null);
    let mut idx: Vec<String> = vec![String::new()];
    for &r in rows {
        idx.push(match index {
            Some(c) => match get(c, r) {
                AnyValue::String(s) => s.to_string(),
                AnyValue::StringOwned(s) => s.to_string(),
                AnyValue::Null => "NaN".into(),
                AnyValue::Float64(x) => float_repr(x),
                v => v.to_string(),
            },
            None => r.to_string(),
        });
    }
    let iw = width(&idx);
    let mut out: Vec<Vec<String>> = vec![idx.iter().map(|s| format!("{s:<iw$}")).collect()];
    for &ci in cidx {
        let c = cols[ci];
        let vals: Vec<AnyValue> = rows.iter().map(|&r| get(c, r)).collect();
        let fmt = repr_column(&vals, c.dtype());
        let name = c.name().to_string();
        let header = if is_numeric(c.dtype()) {
            format!(" {name}")
        } else {
            name
        };
        let w = width(&fmt).max(header.chars().count());
        let mut col = vec![pad_left(&header, w)];
        col.extend(fmt.iter().map(|s| pad_left(s, w)));
        out.push(col);
    }
    // Horizontal truncation: a " ..." column after the first `tc` data columns.
    if let Some(tc) = tr_col {
        out.insert(tc + 1, vec![" ...".to_string(); rows.len() + 1]);
    }
    if let Some(tr) = tr_row {
        let at = tr + 1;
        for (k, col) in out.iter_mut().enumerate() {
            let is_dot_col = tr_col.is_some_and(|tc| tc + 1 == k);
            let w = col[at].chars().count();
            let dots = if w > 3 || is_dot_col { "..." } else { ".." };
            let cell = if k == 0 {
                format!("{dots:<w$}")
            } else {
                pad_left(dots, w)
            };
            col.insert(at, cell);
        }
    }
    out
}

/// pandas `adjoin(1, ...)`: pad every column to its width and join with one space.
fn adjoin(cols: &[Vec<String>]) -> Vec<String> {
    let widths: Vec<usize> = cols.iter().map(|c| width(c)).collect();
    let n = cols.iter().map(Vec::len).max().unwrap_or(0);
    (0..n)
        .map(|r| {
            let mut line = String::new();
            for (k, c) in cols.iter().enumerate() {
                let cell = c.get(r).map_or("", String::as_str);
                let w = widths[k];
                if k + 1 < cols.len() {
                    line.push_str(&format!("{cell:<w$} "));
                } else {
                    line.push_str(&format!("{cell:<w$}"));
                }
            }
            line
        })
        .collect()
}

/// `repr(df)` as pandas prints it from a script (`display.max_columns` = 0, an 80-column terminal):
/// rows truncated beyond 60 to the first and last 5, columns dropped from the middle until the table fits
/// 80 columns (`_fit_strcols_to_terminal_width`), `[N rows x M columns]` when truncated.
/// `index` gives the index labels (None: `0..n-1`), `cols` the data columns.
pub fn frame_repr(index: Option<&Column>, cols: &[&Column], height: usize) -> String {
    const WIDTH: usize = 80;
    let names: Vec<String> = cols.iter().map(|c| c.name().to_string()).collect();
    if height == 0 || cols.is_empty() {
        let idx = if height == 0 {
            "[]".to_string()
        } else {
            format!("{:?}", (0..height.min(10)).collect::<Vec<_>>())
        };
        return format!(
            "Empty DataFrame\nColumns: [{}]\nIndex: {idx}",
            names.join(", ")
        );
    }
    let (rows, tr_row) = rows_shown(height);
    let all: Vec<usize> = (0..cols.len()).collect();
    let mut sc = strcols(index, cols, &rows, tr_row, &all, None);
    let max_len = adjoin(&sc)
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut tr_col = None;
    if max_len + 1 > WIDTH {
        let mut adj_dif = (max_len + 1 - WIDTH) as i64;
        let mut lens: Vec<usize> = sc.iter().map(|c| width(c)).collect();
        while adj_dif > 0 && lens.len() > 1 {
            let mid = round_half(lens.len());
            adj_dif -= lens[mid] as i64 + 1;
            lens.remove(mid);
        }
        let fitted = (lens.len() - 1).max(2);
        if cols.len() > fitted {
            let col_num = fitted / 2;
            let cidx: Vec<usize> = (0..col_num)
                .chain(cols.len() - col_num..cols.len())
                .collect();
            tr_col = Some(col_num);
            sc = strcols(index, cols, &rows, tr_row, &cidx, tr_col);
        }
    }
    let mut out: String = adjoin(&sc).join("\n");
    if tr_row.is_some() || tr_col.is_some() {
        out.push_str(&format!("\n\n[{height} rows x {} columns]", cols.len()));
    }
    out
}
