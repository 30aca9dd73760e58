//! Valid Lattice resource names built from arbitrary parts.

use trellis_lattice_names::{MIN_LENGTH, NameKind, is_lowercase_alphanumeric};

/// The longest Lattice service name.
pub const SERVICE_NAME_MAX_LENGTH: usize = NameKind::Service.max_length();
/// The longest Lattice service network, listener or rule name.
pub const SERVICE_NETWORK_NAME_MAX_LENGTH: usize = NameKind::ServiceNetwork.max_length();

/// Hex digits of the hash that marks a cut or padded name.
const HASH_LENGTH: usize = 8;
/// The smallest `max_length` honored: a hash and a few characters of the name.
const SHORTEST_MAX_LENGTH: usize = HASH_LENGTH + 4;

/// A valid Lattice name made of `parts` joined with `-`, for names of at most
/// `max_length` characters ([`SERVICE_NAME_MAX_LENGTH`] for services;
/// values below 12 count as 12).
///
/// The parts are lowercased; every run of characters other than `a-z` and
/// `0-9` becomes one `-`; hyphens at either end are dropped. A result longer
/// than `max_length` is cut and ends in `-` and 8 hex digits hashed (FNV-1a)
/// from the parts as given, so two long names that share a prefix still
/// differ; a result shorter than 3 characters gets the same suffix.
///
/// Guarantees: 3 to `max_length` characters of `a-z`, `0-9` and `-`, no
/// hyphen first, last or after another; the same parts always give the same
/// name. Not guaranteed: parts that differ only in characters that become
/// `-` (`a_b`, `a.b`) give the same name; and a service name must not start
/// with `svc-` (the host rejects it), which a first part `svc` produces.
pub fn lattice_name(parts: &[&str], max_length: usize) -> String {
    let max_length = max_length.max(SHORTEST_MAX_LENGTH);
    let name = sanitized(parts);
    if (MIN_LENGTH..=max_length).contains(&name.len()) {
        return name;
    }
    let hash = format!("{:08x}", fnv1a(parts));
    let prefix = name[..name.len().min(max_length - HASH_LENGTH - 1)].trim_end_matches('-');
    if prefix.is_empty() {
        hash
    } else {
        format!("{prefix}-{hash}")
    }
}

/// `parts` joined with `-`, lowercased, each run of other characters than
/// `a-z0-9` one `-`, without hyphens at the ends. ASCII only.
fn sanitized(parts: &[&str]) -> String {
    let mut name = String::new();
    for c in parts.join("-").chars().map(|c| c.to_ascii_lowercase()) {
        if is_lowercase_alphanumeric(c) {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    name.truncate(name.trim_end_matches('-').len());
    name
}

/// 32-bit FNV-1a over the parts, each followed by a zero byte so that
/// `["ab", "c"]` and `["a", "bc"]` differ.
fn fnv1a(parts: &[&str]) -> u32 {
    const OFFSET_BASIS: u32 = 0x811c_9dc5;
    const PRIME: u32 = 0x0100_0193;
    parts
        .iter()
        .flat_map(|part| part.bytes().chain([0]))
        .fold(OFFSET_BASIS, |hash, byte| {
            (hash ^ u32::from(byte)).wrapping_mul(PRIME)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lattice's rules, as the host checks them, for a name of at most
    /// `max_length` characters: those of the longest kind, which reserves
    /// no prefix, and the shorter length.
    fn is_valid(name: &str, max_length: usize) -> bool {
        name.len() <= max_length
            && trellis_lattice_names::name_violation(NameKind::TargetGroup, name).is_none()
    }

    #[test]
    fn names_that_fit_are_the_parts_joined() {
        assert_eq!(
            lattice_name(&["payments", "rates", "prod"], 40),
            "payments-rates-prod"
        );
    }

    #[test]
    fn other_characters_become_single_hyphens_and_ends_are_trimmed() {
        assert_eq!(
            lattice_name(&["-Team_A-", "my..Route", "ns-"], 40),
            "team-a-my-route-ns"
        );
        assert_eq!(lattice_name(&["Café", "Ünïcode"], 40), "caf-n-code");
    }

    #[test]
    fn long_names_are_cut_with_a_hash_of_the_parts() {
        let long = "a-very-long-route-name-that-goes-on-and-on";
        let a = lattice_name(&["team", long, "ns-one"], 40);
        let b = lattice_name(&["team", long, "ns-two"], 40);
        assert_eq!(a.len(), 40);
        assert!(a.starts_with("team-a-very-long-route-name-tha-"), "{a}");
        assert_ne!(a, b);
        assert_eq!(a, lattice_name(&["team", long, "ns-one"], 40));
        assert!(is_valid(&a, 40) && is_valid(&b, 40));
    }

    #[test]
    fn a_cut_that_ends_on_a_hyphen_drops_it() {
        // The cut keeps 31 characters, the last of them the hyphen between the parts.
        let name = lattice_name(&["abcdefghij-abcdefghij-abcdefgh", &"x".repeat(20)], 40);
        assert_eq!(name.len(), 39);
        assert!(
            name.starts_with("abcdefghij-abcdefghij-abcdefgh-"),
            "{name}"
        );
        assert!(is_valid(&name, 40), "{name}");
    }

    #[test]
    fn names_too_short_get_the_hash() {
        let name = lattice_name(&["a"], 40);
        assert_eq!(name.len(), 1 + 1 + HASH_LENGTH);
        assert!(name.starts_with("a-") && is_valid(&name, 40), "{name}");
        let empty = lattice_name(&["__"], 40);
        assert_eq!(empty.len(), HASH_LENGTH);
        assert!(is_valid(&empty, 40), "{empty}");
    }

    #[test]
    fn the_hash_tells_apart_parts_that_join_alike() {
        let long = "x".repeat(50);
        let a = lattice_name(&["ab", "c", &long], 40);
        let b = lattice_name(&["a", "bc", &long], 40);
        assert_ne!(a, b);
    }

    #[test]
    fn tiny_maximums_count_as_twelve() {
        let name = lattice_name(&["payments", "rates"], 5);
        assert_eq!(name.len(), SHORTEST_MAX_LENGTH);
        assert!(is_valid(&name, SHORTEST_MAX_LENGTH), "{name}");
    }

    #[test]
    fn every_result_is_valid() {
        let inputs: [&[&str]; 6] = [
            &["", "", ""],
            &["---", "Z"],
            &["0", "1"],
            &[
                "payments",
                "a-very-long-route-name-that-goes-on",
                "production-east",
            ],
            &["x"; 30],
            &["--a--", "--b--"],
        ];
        for parts in inputs {
            for max_length in [12, 40, 63] {
                let name = lattice_name(parts, max_length);
                assert!(
                    is_valid(&name, max_length),
                    "{parts:?} {max_length}: {name}"
                );
            }
        }
    }
}
