//! Python's text formats that the stored bytes must match: `repr(float)`, `urllib.parse.quote(s, safe="")`
//! and `json.dumps(obj, sort_keys=True, indent=4)` (ensure_ascii).
#![cfg_attr(
    not(all(feature = "frame", feature = "array", feature = "json")),
    allow(dead_code)
)]

use serde_json::Value;

/// A fixed stack buffer for `{:e}` output (the longest f64 rendering is 24 bytes: `-2.2250738585072014e-308`).
struct SciBuf {
    buf: [u8; 48],
    len: usize,
}

impl std::fmt::Write for SciBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Append Python's `repr()` layout of a finite value given Rust's shortest `{:e}` rendering of it (which
/// keeps f32 precision for f32): shortest round-trip digits, scientific notation when the decimal exponent
/// is below -4 or above 15 (`1e+16`, `1e-05`), else fixed with at least one decimal (`2.0`).
fn layout_sci(out: &mut Vec<u8>, sci: &[u8]) {
    let (neg, body) = match sci.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, sci),
    };
    let epos = body.iter().position(|b| *b == b'e').unwrap_or(body.len());
    let (mant, exp) = (&body[..epos], body.get(epos + 1..).unwrap_or(&[]));
    let (eneg, edigits) = match exp.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, exp),
    };
    let mut e: i32 = 0;
    for d in edigits {
        e = e * 10 + i32::from(d - b'0');
    }
    if eneg {
        e = -e;
    }
    let mut digits = [0u8; 40];
    let mut n = 0;
    for &d in mant {
        if d != b'.' && n < digits.len() {
            digits[n] = d;
            n += 1;
        }
    }
    let digits = &digits[..n];
    if neg {
        out.push(b'-');
    }
    if digits == b"0" {
        out.extend_from_slice(b"0.0");
        return;
    }
    let decpt = e + 1;
    if decpt <= -4 || decpt > 16 {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        let e = decpt - 1;
        out.push(b'e');
        out.push(if e < 0 { b'-' } else { b'+' });
        let a = e.unsigned_abs();
        if a >= 100 {
            out.push(b'0' + (a / 100) as u8);
        }
        out.push(b'0' + (a / 10 % 10) as u8);
        out.push(b'0' + (a % 10) as u8);
    } else if decpt <= 0 {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (-decpt) as usize, b'0');
        out.extend_from_slice(digits);
    } else if decpt as usize >= digits.len() {
        out.extend_from_slice(digits);
        out.resize(out.len() + (decpt as usize - digits.len()), b'0');
        out.extend_from_slice(b".0");
    } else {
        out.extend_from_slice(&digits[..decpt as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[decpt as usize..]);
    }
}

/// Append `inf`/`-inf`/`nan` for a non-finite value; `false` when `x` is finite (nothing appended).
fn write_non_finite(out: &mut Vec<u8>, nan: bool, inf: bool, positive: bool) -> bool {
    if nan {
        out.extend_from_slice(b"nan");
    } else if inf {
        out.extend_from_slice(if positive { b"inf" } else { b"-inf" });
    } else {
        return false;
    }
    true
}

/// Render `sci` (Rust's shortest `{:e}` of a finite float) into a stack buffer and lay it out as Python does.
fn write_sci(out: &mut Vec<u8>, sci: std::fmt::Arguments) {
    let mut b = SciBuf {
        buf: [0; 48],
        len: 0,
    };
    // Cannot fail: the buffer holds any f64 rendering.
    let _ = std::fmt::write(&mut b, sci);
    layout_sci(out, &b.buf[..b.len]);
}

/// Append Python's `repr(x)` to `out` without allocating: `2.0`, `0.5`, `1e+16`, `inf`, `nan`.
pub fn write_float_repr(out: &mut Vec<u8>, x: f64) {
    if !write_non_finite(out, x.is_nan(), x.is_infinite(), x > 0.0) {
        write_sci(out, format_args!("{x:e}"));
    }
}

/// Append numpy's `str(np.float32(x))` to `out`: like [`write_float_repr`] with float32's shortest digits.
pub fn write_float32_repr(out: &mut Vec<u8>, x: f32) {
    if !write_non_finite(out, x.is_nan(), x.is_infinite(), x > 0.0) {
        write_sci(out, format_args!("{x:e}"));
    }
}

/// Python `repr(float)`: `2.0`, `0.5`, `1e+16`, `inf`, `nan`.
pub fn float_repr(x: f64) -> String {
    let mut out = Vec::with_capacity(24);
    write_float_repr(&mut out, x);
    String::from_utf8(out).unwrap_or_default()
}

/// numpy `str(np.float32(x))`: like [`float_repr`] with float32's shortest digits.
pub fn float32_repr(x: f32) -> String {
    let mut out = Vec::with_capacity(16);
    write_float32_repr(&mut out, x);
    String::from_utf8(out).unwrap_or_default()
}

/// `urllib.parse.quote(s, safe="")`: keeps `A-Za-z0-9_.-~`, percent-encodes every other UTF-8 byte.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `json.dumps(value, sort_keys=True, indent=4)` byte for byte (ensure_ascii, `,`/`: ` separators, no
/// trailing newline).
pub fn json_dumps(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, 0, &mut out);
    out
}

fn write_json(value: &Value, level: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() {
                out.push_str(&n.to_string());
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                out.push_str(&match float_repr(f).as_str() {
                    "nan" => "NaN".to_string(),
                    "inf" => "Infinity".to_string(),
                    "-inf" => "-Infinity".to_string(),
                    s => s.to_string(),
                });
            }
        }
        Value::String(s) => write_json_str(s, out),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(level + 1, out);
                write_json(item, level + 1, out);
            }
            newline(level, out);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(level + 1, out);
                write_json_str(k, out);
                out.push_str(": ");
                write_json(v, level + 1, out);
            }
            newline(level, out);
            out.push('}');
        }
    }
}

fn newline(level: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..level * 4 {
        out.push(' ');
    }
}

fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python() {
        let cases = [
            (2.0, "2.0"),
            (0.5, "0.5"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (-1.5e-7, "-1.5e-07"),
            (123456.789, "123456.789"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x}");
        }
        assert_eq!(float32_repr(0.1f32), "0.1");
        assert_eq!(float_repr(f64::NAN), "nan");
    }

    /// Values checked against CPython 3 `repr(float)` / numpy `str(np.float32(...))`.
    #[test]
    fn float_layouts_match_python_repr() {
        let cases = [
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (2.0 / 3.0, "0.6666666666666666"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (1234567890123456.7, "1234567890123456.8"),
            (9999999999999998.0, "9999999999999998.0"),
            (5e-324, "5e-324"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (1e100, "1e+100"),
            (-1e-100, "-1e-100"),
            (-0.0, "-0.0"),
            (100.0, "100.0"),
            (123.45, "123.45"),
            (0.001, "0.001"),
            (-2.5, "-2.5"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x:e}");
            let mut out = b"x,".to_vec();
            write_float_repr(&mut out, x);
            assert_eq!(out, [b"x,".as_slice(), want.as_bytes()].concat());
        }
        let cases32 = [
            (0.1f32, "0.1"),
            (1.0f32 / 3.0, "0.33333334"),
            (16777216.0f32, "16777216.0"),
            (1e-5f32, "1e-05"),
            (3.4028235e38f32, "3.4028235e+38"),
            (1e-45f32, "1e-45"),
            (-0.0f32, "-0.0"),
            (2.5f32, "2.5"),
        ];
        for (x, want) in cases32 {
            assert_eq!(float32_repr(x), want, "{x:e}");
        }
    }

    #[test]
    fn quote_like_python() {
        assert_eq!(quote("Numpy Eye"), "Numpy%20Eye");
        assert_eq!(quote("a/b?c~d.e"), "a%2Fb%3Fc~d.e");
        assert_eq!(quote("é"), "%C3%A9");
    }

    #[test]
    fn json_like_python() {
        let v: Value =
            serde_json::from_str(r#"{"b": [1, 2.5, {}], "a": "é\u0001\ud83d\ude00", "c": []}"#)
                .unwrap();
        assert_eq!(
            json_dumps(&v),
            "{\n    \"a\": \"\\u00e9\\u0001\\ud83d\\ude00\",\n    \"b\": [\n        1,\n        2.5,\n        {}\n    ],\n    \"c\": []\n}"
        );
    }
}
