//! Identifiers.

/// A new random 32-hex-digit id, the shape ClearML uses for tasks and projects.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// True when `s` looks like a task or project id: 32 lowercase hex digits.
pub fn is_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_and_distinct() {
        let (a, b) = (new_id(), new_id());
        assert!(is_id(&a) && is_id(&b));
        assert_ne!(a, b);
        assert!(!is_id("xyz"));
    }
}
