//! Python's text formats that the stored bytes must match: `repr(float)`, `urllib.parse.quote(s, safe="")`
//! and `json.dumps(obj, sort_keys=True, indent=4)` (ensure_ascii).

use serde_json::Value;

/// `repr()` of a float as Python (and numpy's `str`) prints it: shortest round-trip digits, scientific
/// notation when the decimal exponent is below -4 or above 15 (`1e+16`, `1e-05`), else fixed with at least
/// one decimal (`2.0`). `sci` is Rust's shortest `{:e}` rendering of the value, which keeps f32 precision.
fn repr_from_sci(sci: &str) -> String {
    let (neg, body) = match sci.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, sci),
    };
    let (mant, exp) = body.split_once('e').unwrap_or((body, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let decpt = exp + 1;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if digits == "0" {
        out.push_str("0.0");
        return out;
    }
    if decpt <= -4 || decpt > 16 {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        out.push_str(&format!("e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs()));
    } else if decpt <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-decpt) as usize));
        out.push_str(&digits);
    } else if decpt as usize >= digits.len() {
        out.push_str(&digits);
        out.push_str(&"0".repeat(decpt as usize - digits.len()));
        out.push_str(".0");
    } else {
        out.push_str(&digits[..decpt as usize]);
        out.push('.');
        out.push_str(&digits[decpt as usize..]);
    }
    out
}

/// Python `repr(float)`: `2.0`, `0.5`, `1e+16`, `inf`, `nan`.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    repr_from_sci(&format!("{x:e}"))
}

/// numpy `str(np.float32(x))`: like [`float_repr`] with float32's shortest digits.
pub fn float32_repr(x: f32) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    repr_from_sci(&format!("{x:e}"))
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
