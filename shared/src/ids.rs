//! Identifier rules. Ids reach us in URL paths and LinkedIn payloads and end up inside table
//! keys, so they are checked once, here, against a conservative alphabet.

use crate::error::Error;

const MAX_ID_LEN: usize = 128;

/// Accepts 1–128 characters of `A-Z a-z 0-9 - _ .` (no separators, no traversal, no spaces).
pub fn check(kind: &str, value: &str) -> Result<(), Error> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if value.is_empty() || value.len() > MAX_ID_LEN {
        return Err(Error::Invalid(format!(
            "{kind} must be 1 to {MAX_ID_LEN} characters long"
        )));
    }
    if !value.chars().all(ok_char) || value.chars().all(|c| c == '.') {
        return Err(Error::Invalid(format!(
            "{kind} may only contain letters, digits, '-', '_' and '.'"
        )));
    }
    Ok(())
}

/// The number N of a LinkedIn URN `urn:li:<kind>:N`, or a bare N, in its one canonical
/// spelling (LinkedIn's ids are 64-bit integers): `000501` is not another name for `501`.
pub fn urn_number(kind: &str, value: &str) -> Result<String, Error> {
    let prefix = format!("urn:li:{kind}:");
    let n = value.strip_prefix(&prefix).unwrap_or(value);
    let canonical =
        n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<i64>().is_ok_and(|v| v.to_string() == n);
    if !canonical {
        return Err(Error::Invalid(format!(
            "expected {prefix}N or a number N, got {:?}",
            truncate(value, 60)
        )));
    }
    Ok(n.to_owned())
}

/// A member URN as LinkedIn writes it: `urn:li:person:<id>`.
pub fn check_member_urn(value: &str) -> Result<(), Error> {
    let rest = value.strip_prefix("urn:li:person:").ok_or_else(|| {
        Error::Invalid(format!(
            "member must look like urn:li:person:ID, got {:?}",
            truncate(value, 60)
        ))
    })?;
    check("member id", rest)
}

/// 122 random bits from the operating system's generator (a type-4 UUID's), as 32 hex digits:
/// for every token, nonce or revision that must not be guessed or repeated. (The standard
/// library's `RandomState` is seeded for hash tables, not for secrets.)
pub fn random_hex() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether two tokens are equal, in time that does not depend on where they differ (for
/// credentials and CSRF tokens a caller supplies).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Cuts a string for an error message without splitting a character.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// Ids LinkedIn mints (notification and request ids): printable ASCII without spaces or `#`,
/// 1–256 characters. Looser than [`check`] because their format is LinkedIn's, not ours.
pub fn check_external(kind: &str, value: &str) -> Result<(), Error> {
    let ok = !value.is_empty()
        && value.len() <= 256
        && value.bytes().all(|b| b.is_ascii_graphic() && b != b'#');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{kind} must be 1 to 256 printable characters without spaces or '#'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_separators_and_traversal() {
        for bad in ["", "a#b", "../x", "..", "a/b", "a b", "é", &"x".repeat(129)] {
            assert!(check("job id", bad).is_err(), "{bad:?} should be rejected");
        }
        for good in ["job-1", "A_b.c", "123"] {
            assert!(check("job id", good).is_ok());
        }
    }

    #[test]
    fn urn_numbers() {
        assert_eq!(urn_number("contract", "urn:li:contract:42").unwrap(), "42");
        assert_eq!(urn_number("contract", "42").unwrap(), "42");
        assert!(urn_number("contract", "urn:li:seat:42").is_err());
        assert!(urn_number("contract", "4x2").is_err());
        for not_canonical in ["000501", "0501", "+501", "-1", "", "99999999999999999999"] {
            assert!(
                urn_number("contract", not_canonical).is_err(),
                "{not_canonical:?}"
            );
        }
        assert_eq!(urn_number("seat", "0").unwrap(), "0");
    }

    #[test]
    fn random_hex_is_fresh_hex() {
        let (a, b) = (random_hex(), random_hex());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    /// Tokens, nonces and revisions come from [`random_hex`]: nothing in the code that ships
    /// (or the local stack's login) draws them from a hash table's seed.
    #[test]
    fn no_token_comes_from_a_hash_seed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut offenders = Vec::new();
        let mut dirs = vec![
            root.join("shared/src"),
            root.join("functions"),
            root.join("infra/local-stack/src"),
        ];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && std::fs::read_to_string(&path)
                        .unwrap()
                        .contains(concat!("Random", "State::new"))
                {
                    offenders.push(path.display().to_string());
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "hash seeds used as randomness in {offenders:?}"
        );
    }

    #[test]
    fn member_urns() {
        assert!(check_member_urn("urn:li:person:abc-123").is_ok());
        assert!(check_member_urn("urn:li:seat:1").is_err());
        assert!(check_member_urn("urn:li:person:a#b").is_err());
    }
}
