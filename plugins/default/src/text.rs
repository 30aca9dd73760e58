//! String helpers shared by naming and tagging.

/// Upstream's `Truncate(s, n)`: the first `n` bytes (backed off to a char
/// boundary), then leading and trailing `-` stripped.
pub(crate) fn truncate(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].trim_matches('-')
}

/// 64-bit FNV-1a: a small, stable hash (the same on every platform and
/// release), used where upstream used randomness or the clock.
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Ten lowercase letters derived from `hash`: the shape of upstream's random
/// target group suffix.
pub(crate) fn letters(mut hash: u64) -> String {
    (0..10)
        .map(|_| {
            let letter = b'a' + (hash % 26) as u8;
            hash /= 26;
            char::from(letter)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cuts_bytes_then_trims_hyphens() {
        assert_eq!(
            truncate("my-very-long-route-name", 20),
            "my-very-long-route-n"
        );
        assert_eq!(
            truncate("abcdefghijklmnopqrs-tuv", 20),
            "abcdefghijklmnopqrs"
        );
        assert_eq!(truncate("-edge-", 20), "edge");
        assert_eq!(truncate("short", 20), "short");
    }

    #[test]
    fn letters_are_ten_lowercase_and_stable() {
        let suffix = letters(fnv1a(&["default", "parking"]));
        assert_eq!(suffix.len(), 10);
        assert!(suffix.chars().all(|c| c.is_ascii_lowercase()));
        assert_eq!(suffix, letters(fnv1a(&["default", "parking"])));
        assert_ne!(suffix, letters(fnv1a(&["default", "parkin", "g"])));
    }
}
