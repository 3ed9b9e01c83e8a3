//! pandas' text formats for frames: `to_csv` cells and the `repr(df)` table (right-aligned columns, left
//! aligned index labels, 60/10 row and 20 column truncation, 80-column wrapping).

use polars::prelude::{AnyValue, Column, DataType};

use super::pyfmt::{float_repr, float32_repr};

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
        let fixed: Vec<String> = xs
            .iter()
            .map(|x| {
                x.map_or("NaN".into(), |x| {
                    format!("{}{x:.6}", if x.is_sign_negative() { "" } else { " " })
                })
            })
            .collect();
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
            xs.iter()
                .map(|x| {
                    x.map_or("NaN".into(), |x| {
                        format!("{}{}", if x < 0.0 { "" } else { " " }, py_sci(x, 6))
                    })
                })
                .collect()
        } else {
            fixed
        };
        return trim_zeros(vals)
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

fn rows_shown(n: usize) -> (Vec<usize>, Option<usize>) {
    if n > 60 {
        ((0..5).chain(n - 5..n).collect(), Some(5))
    } else {
        ((0..n).collect(), None)
    }
}

fn cols_shown(n: usize) -> (Vec<usize>, Option<usize>) {
    if n > 20 {
        ((0..10).chain(n - 10..n).collect(), Some(10))
    } else {
        ((0..n).collect(), None)
    }
}

fn pad_left(s: &str, w: usize) -> String {
    format!("{s:>w$}")
}

/// `repr(df)` as pandas prints it; `index` gives the index labels (None: `0..n-1`), `cols` the data columns.
pub fn frame_repr(index: Option<&Column>, cols: &[&Column], height: usize) -> String {
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
    let (cidx, tr_col) = cols_shown(cols.len());
    let get = |c: &Column, i: usize| c.get(i).map(|v| v.into_static()).unwrap_or(AnyValue::Null);
    // Index column: blank header, labels left-aligned.
    let mut idx: Vec<String> = vec![String::new()];
    for &r in &rows {
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
    let mut strcols: Vec<Vec<String>> = Vec::new();
    for &ci in &cidx {
        let c = cols[ci];
        let vals: Vec<AnyValue> = rows.iter().map(|&r| get(c, r)).collect();
        let fmt = repr_column(&vals, c.dtype());
        let header = if is_numeric(c.dtype()) {
            format!(" {}", names[ci])
        } else {
            names[ci].clone()
        };
        let w = fmt
            .iter()
            .map(|s| s.chars().count())
            .chain([header.chars().count()])
            .max()
            .unwrap_or(0);
        let mut col = vec![pad_left(&header, w)];
        col.extend(fmt.iter().map(|s| pad_left(s, w)));
        strcols.push(col);
    }
    if let Some(tc) = tr_col {
        strcols.insert(tc, vec![" ...".to_string(); rows.len() + 1]);
    }
    let iw = idx.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let mut idx: Vec<String> = idx.iter().map(|s| format!("{s:<iw$}")).collect();
    if let Some(tr) = tr_row {
        let at = tr + 1;
        let w = idx[at].chars().count();
        idx.insert(at, format!("{:<w$}", if w > 3 { "..." } else { ".." }));
        for (k, col) in strcols.iter_mut().enumerate() {
            let is_dot_col = tr_col.is_some_and(|tc| tc == k);
            let w = if is_dot_col {
                1
            } else {
                col[at].chars().count()
            };
            let dots = if w > 3 || is_dot_col { "..." } else { ".." };
            col.insert(at, pad_left(dots, w));
        }
    }
    let mut out = join_multiline(&idx, &strcols, 80);
    if tr_row.is_some() || tr_col.is_some() {
        out.push_str(&format!("\n\n[{height} rows x {} columns]", cols.len()));
    }
    out
}

/// pandas `adjoin(1, ...)`: pad every column to its width and join with one space.
fn adjoin(cols: &[&Vec<String>]) -> String {
    let widths: Vec<usize> = cols
        .iter()
        .map(|c| c.iter().map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let n = cols.iter().map(|c| c.len()).max().unwrap_or(0);
    let mut lines = Vec::with_capacity(n);
    for r in 0..n {
        let mut line = String::new();
        for (k, c) in cols.iter().enumerate() {
            let cell = c.get(r).map_or("", String::as_str);
            if k + 1 < cols.len() {
                line.push_str(&format!("{cell:<w$} ", w = widths[k]));
            } else {
                line.push_str(cell);
            }
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// pandas `_join_multiline`: split the columns into blocks that fit `width`, ending wrapped blocks in `\`.
fn join_multiline(idx: &Vec<String>, cols: &[Vec<String>], width: usize) -> String {
    let iw = idx.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let lwidth = width.saturating_sub(iw + 1);
    let widths: Vec<usize> = cols
        .iter()
        .map(|c| c.iter().map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut bins = Vec::new();
    let mut cur = 0;
    let last = widths.len().saturating_sub(1);
    for (i, w) in widths.iter().enumerate() {
        cur += w + 1;
        let wrap = if i == last {
            cur + 1 > lwidth && i > 0
        } else {
            cur + 2 > lwidth && i > 0
        };
        if wrap {
            bins.push(i);
            cur = w + 1;
        }
    }
    bins.push(widths.len());
    let nbins = bins.len();
    let nrows = idx.len();
    let mut blocks = Vec::new();
    let mut start = 0;
    for (b, &end) in bins.iter().enumerate() {
        let mut row: Vec<&Vec<String>> = vec![idx];
        row.extend(cols[start..end].iter());
        let tail: Vec<String>;
        if nbins > 1 {
            tail = if b < nbins - 1 {
                std::iter::once(" \\".to_string())
                    .chain(std::iter::repeat_n("  ".to_string(), nrows - 1))
                    .collect()
            } else {
                vec![" ".to_string(); nrows]
            };
            row.push(&tail);
            blocks.push(adjoin(&row));
        } else {
            blocks.push(adjoin(&row));
        }
        start = end;
    }
    blocks.join("\n\n")
}
