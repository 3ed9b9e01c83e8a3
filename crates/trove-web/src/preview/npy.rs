//! The `.npy` format (NumPy's array file, also each member of an `.npz`): header parsing and the first values.
//!
//! Layout: magic `\x93NUMPY`, major and minor version bytes, the header length (u16 little-endian for
//! version 1, u32 for versions 2 and 3), then a Python dict literal such as
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (100, 100), }`, padded, then the raw data.

/// What an `.npy` header says.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyHeader {
    /// The dtype descriptor, e.g. `<f8`, `|u1`, `<U5` (or the raw text of a structured dtype).
    pub descr: String,
    /// Data in Fortran (column-major) order.
    pub fortran_order: bool,
    /// The shape; empty for a scalar.
    pub shape: Vec<u64>,
    /// Offset of the data from the start of the file.
    pub data_offset: usize,
}

impl NpyHeader {
    /// Number of elements.
    pub fn len(&self) -> u64 {
        self.shape.iter().product()
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A readable dtype name: `float64`, `int32`, `bool`, `<U5`…
    pub fn dtype_name(&self) -> String {
        let d = self.descr.as_str();
        let (kind, size) = match d.get(1..2).zip(d.get(2..)) {
            Some((k, s)) => (k, s.parse::<u32>().ok()),
            None => return d.to_string(),
        };
        match (kind, size) {
            ("f", Some(n)) => format!("float{}", n * 8),
            ("i", Some(n)) => format!("int{}", n * 8),
            ("u", Some(n)) => format!("uint{}", n * 8),
            ("c", Some(n)) => format!("complex{}", n * 8),
            ("b", Some(1)) => "bool".into(),
            ("U", Some(n)) => format!("str{n}"),
            ("S", Some(n)) => format!("bytes{n}"),
            _ => d.to_string(),
        }
    }

    /// The shape as Python prints it: `(100, 100)`, `(3,)`, `()`.
    pub fn shape_text(&self) -> String {
        match self.shape.as_slice() {
            [] => "()".into(),
            [one] => format!("({one},)"),
            many => format!(
                "({})",
                many.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Parse the header at the start of `bytes`; `Err` says what is wrong.
pub fn parse_header(bytes: &[u8]) -> Result<NpyHeader, String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("not an .npy file (bad magic)".into());
    }
    let major = bytes[6];
    let (len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            let b = bytes.get(8..12).ok_or("truncated .npy header")?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let text = bytes
        .get(start..start + len)
        .ok_or("truncated .npy header")?;
    let text = std::str::from_utf8(text).map_err(|_| "the .npy header is not text")?;
    let descr = dict_value(text, "descr").ok_or("the .npy header has no 'descr'")?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"').to_string();
    let fortran_order = dict_value(text, "fortran_order").is_some_and(|v| v == "True");
    let shape_text = dict_value(text, "shape").ok_or("the .npy header has no 'shape'")?;
    let shape = shape_text
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_end_matches('L')
                .parse::<u64>()
                .map_err(|_| format!("bad shape {shape_text}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NpyHeader {
        descr,
        fortran_order,
        shape,
        data_offset: start + len,
    })
}

/// The value text of `'key': value` in a Python dict literal (value up to the matching `,` at depth 0).
fn dict_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let pat_single = format!("'{key}':");
    let pat_double = format!("\"{key}\":");
    let at = text
        .find(&pat_single)
        .map(|i| i + pat_single.len())
        .or_else(|| text.find(&pat_double).map(|i| i + pat_double.len()))?;
    let rest = text[at..].trim_start();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') if depth > 0 => depth -= 1,
            (None, ',' | '}') if depth == 0 => return Some(rest[..i].trim()),
            _ => {}
        }
    }
    Some(rest.trim())
}

/// Up to `max` values from `data` (the bytes after the header), as text, in storage order.
pub fn first_values(h: &NpyHeader, data: &[u8], max: usize) -> Vec<String> {
    let d = h.descr.as_bytes();
    if d.len() < 3 {
        return Vec::new();
    }
    let big = d[0] == b'>';
    let kind = d[1] as char;
    let Ok(size) = h.descr[2..].parse::<usize>() else {
        return Vec::new();
    };
    let item = match kind {
        'U' => size * 4,
        _ => size,
    };
    if item == 0 {
        return Vec::new();
    }
    let n = (h.len() as usize).min(max).min(data.len() / item);
    (0..n)
        .filter_map(|i| value_text(kind, size, big, &data[i * item..(i + 1) * item]))
        .collect()
}

fn value_text(kind: char, size: usize, big: bool, b: &[u8]) -> Option<String> {
    macro_rules! num {
        ($t:ty) => {{
            let arr: [u8; std::mem::size_of::<$t>()] = b.try_into().ok()?;
            if big {
                <$t>::from_be_bytes(arr)
            } else {
                <$t>::from_le_bytes(arr)
            }
        }};
    }
    Some(match (kind, size) {
        ('f', 8) => fmt_float(num!(f64)),
        ('f', 4) => fmt_float(num!(f32) as f64),
        ('i', 1) => (b[0] as i8).to_string(),
        ('i', 2) => num!(i16).to_string(),
        ('i', 4) => num!(i32).to_string(),
        ('i', 8) => num!(i64).to_string(),
        ('u', 1) => b[0].to_string(),
        ('u', 2) => num!(u16).to_string(),
        ('u', 4) => num!(u32).to_string(),
        ('u', 8) => num!(u64).to_string(),
        ('b', 1) => (if b[0] != 0 { "True" } else { "False" }).to_string(),
        ('c', 16) => {
            let re = fmt_float(f64::from_le_bytes(b[..8].try_into().ok()?));
            let im = fmt_float(f64::from_le_bytes(b[8..].try_into().ok()?));
            format!("{re}+{im}j")
        }
        ('U', _) => b
            .chunks_exact(4)
            .map(|c| {
                if big {
                    u32::from_be_bytes([c[0], c[1], c[2], c[3]])
                } else {
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]])
                }
            })
            .take_while(|&c| c != 0)
            .filter_map(char::from_u32)
            .collect::<String>(),
        ('S', _) => {
            String::from_utf8_lossy(b.split(|&c| c == 0).next().unwrap_or_default()).into_owned()
        }
        _ => return None,
    })
}

/// Floats the way NumPy prints them in short form: `1.`, `0.5`, `nan`.
fn fmt_float(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else if v.fract() == 0.0 && v.abs() < 1e16 {
        format!("{v:.0}.")
    } else {
        let s = format!("{v}");
        if s.len() > 12 { format!("{v:.6e}") } else { s }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut h = header.to_string();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(h.len() as u16).to_le_bytes());
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn parses_header_and_values() {
        let data: Vec<u8> = [1.0f64, 0.5, 0.0, -2.25]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let b = npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
            &data,
        );
        let h = parse_header(&b).unwrap();
        assert_eq!(h.shape, vec![2, 2]);
        assert_eq!(h.dtype_name(), "float64");
        assert_eq!(h.shape_text(), "(2, 2)");
        assert!(!h.fortran_order);
        assert_eq!(
            first_values(&h, &b[h.data_offset..], 10),
            vec!["1.", "0.5", "0.", "-2.25"]
        );
    }

    #[test]
    fn one_dim_ints_bools_strings_and_errors() {
        let b = npy(
            "{'descr': '<i4', 'fortran_order': True, 'shape': (3,), }",
            &[1, 0, 0, 0, 255, 255, 255, 255, 7, 0, 0, 0],
        );
        let h = parse_header(&b).unwrap();
        assert_eq!(
            (h.shape_text(), h.dtype_name(), h.fortran_order),
            ("(3,)".into(), "int32".into(), true)
        );
        assert_eq!(first_values(&h, &b[h.data_offset..], 2), vec!["1", "-1"]);
        let b = npy(
            "{'descr': '|b1', 'fortran_order': False, 'shape': (), }",
            &[1],
        );
        let h = parse_header(&b).unwrap();
        assert_eq!((h.shape_text(), h.len()), ("()".into(), 1));
        assert_eq!(first_values(&h, &b[h.data_offset..], 5), vec!["True"]);
        let mut u = Vec::new();
        for c in "hi\0".chars() {
            u.extend_from_slice(&(c as u32).to_le_bytes());
        }
        let b = npy(
            "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }",
            &u,
        );
        let h = parse_header(&b).unwrap();
        assert_eq!(first_values(&h, &b[h.data_offset..], 5), vec!["hi"]);
        assert!(parse_header(b"PK\x03\x04 not npy").is_err());
    }
}
