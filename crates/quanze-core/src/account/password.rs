//! 口令策略 — the password rule of 等保 2.0 level 3 (GB/T 22239-2019 §8.1.4.1 a: 口令具有复杂度
//! 要求): a length, a number of character classes, not the user name, not a word attackers try
//! first. One [`PasswordPolicy`] states the rule and checks it, so every place that sets a
//! password refuses the same passwords and says the same thing.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The shipped list of weak passwords and words (`weak_passwords.txt`).
static WEAK: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("weak_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// 口令策略 — how long a password must be and of how many character classes (lower case,
/// upper case, digits, symbols); at most `max_length` characters so that hashing stays bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// The fewest characters (default 10).
    pub min_length: usize,
    /// The fewest classes of the four (default 3).
    pub min_classes: usize,
    /// The most characters (128).
    pub max_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> PasswordPolicy {
        PasswordPolicy { min_length: 10, min_classes: 3, max_length: 128 }
    }
}

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too short or too long.
    #[error("the password must be {min} to {max} characters long")]
    Length {
        /// The fewest characters.
        min: usize,
        /// The most.
        max: usize,
    },
    /// Too few character classes.
    #[error("the password must mix at least {0} of: lower case, upper case, digits, symbols")]
    Classes(usize),
    /// It contains the user name.
    #[error("the password must not contain the user name")]
    HasUsername,
    /// It is, or is built on, a word from the list of weak passwords.
    #[error("the password is a common or easily guessed word")]
    Weak,
}

impl PasswordError {
    /// The message for users.
    pub fn zh(&self) -> String {
        match self {
            PasswordError::Length { min, max } => format!("口令长度应为{min}至{max}位"),
            PasswordError::Classes(n) => {
                format!("口令应包含大写字母、小写字母、数字、符号中的至少{n}类")
            }
            PasswordError::HasUsername => "口令不得包含用户名".to_owned(),
            PasswordError::Weak => "口令过于常见或容易猜到，请换一个".to_owned(),
        }
    }
}

impl PasswordPolicy {
    /// The rule in words, for forms and documents.
    pub fn rule_zh(&self) -> String {
        format!(
            "口令{}至{}位，包含大写字母、小写字母、数字、符号中的至少{}类，不得包含用户名，不得使用常见弱口令",
            self.min_length, self.max_length, self.min_classes
        )
    }

    /// The rule in English.
    pub fn rule_en(&self) -> String {
        format!(
            "{} to {} characters mixing at least {} of lower case, upper case, digits and symbols; not containing the user name; not a common password",
            self.min_length, self.max_length, self.min_classes
        )
    }

    /// Checks a new password for the account `username`.
    pub fn check(&self, password: &str, username: &str) -> Result<(), PasswordError> {
        let length = password.chars().count();
        if length < self.min_length || length > self.max_length {
            return Err(PasswordError::Length { min: self.min_length, max: self.max_length });
        }
        let classes = [
            password.chars().any(|c| c.is_lowercase()),
            password.chars().any(|c| c.is_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_alphanumeric()),
        ];
        if classes.iter().filter(|b| **b).count() < self.min_classes {
            return Err(PasswordError::Classes(self.min_classes));
        }
        let lower = password.to_lowercase();
        let name = username.trim().to_lowercase();
        if name.chars().count() >= 3 && (lower.contains(&name) || plain(&lower).contains(&name)) {
            return Err(PasswordError::HasUsername);
        }
        if is_weak(&lower) {
            return Err(PasswordError::Weak);
        }
        Ok(())
    }
}

/// Common swaps of a letter for a digit or symbol undone: `p@ssw0rd` → `password`.
fn plain(lower: &str) -> String {
    lower
        .chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '1' | '!' | '|' => 'l',
            '3' => 'e',
            '$' | '5' => 's',
            '7' => 't',
            other => other,
        })
        .collect()
}

/// Whether a lower-cased password is a listed word, with swaps undone, or one with only digits
/// and symbols around it (`Password2026!`, `2026@qingyuan`).
fn is_weak(lower: &str) -> bool {
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    let words = [lower.to_owned(), core.to_owned(), plain(lower), plain(core)];
    words.iter().any(|w| {
        let w = w.as_str();
        WEAK.contains(w)
            || WEAK.contains(w.trim_matches(|c: char| !c.is_alphabetic()))
            || (!w.is_empty() && w.chars().all(|c| c == w.chars().next().unwrap_or(c)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rule_refuses_what_it_says() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("Quanze#2026x", "editor"), Ok(()));
        assert_eq!(p.check("Kx7#mq2Lp9", "editor"), Ok(()), "exactly ten");
        assert_eq!(
            p.check("Kx7#mq2Lp", "editor"),
            Err(PasswordError::Length { min: 10, max: 128 })
        );
        assert_eq!(
            p.check(&"Kx7#".repeat(33), "editor"),
            Err(PasswordError::Length { min: 10, max: 128 })
        );
        assert_eq!(p.check("kx7mq2lp9zz", "editor"), Err(PasswordError::Classes(3)));
        assert_eq!(p.check("Editor#2026x", "editor"), Err(PasswordError::HasUsername));
        assert_eq!(p.check("3dit0r#2026X", "editor"), Err(PasswordError::HasUsername), "swapped");
        for weak in [
            "P@ssw0rd2026!",
            "Password123!",
            "2026@Qingyuan",
            "Woaini1314!!",
            "Qwerty#12345",
            "Aaaaaaaa1!",
        ] {
            assert_eq!(p.check(weak, "editor"), Err(PasswordError::Weak), "{weak}");
        }
        assert!(p.check("Quanze#2026", "editor").is_ok(), "the demo's password (11 characters)");
    }

    #[test]
    fn a_configured_rule_is_stated_as_it_checks() {
        let p = PasswordPolicy { min_length: 14, min_classes: 4, max_length: 64 };
        assert!(p.rule_zh().contains("14至64位") && p.rule_zh().contains("至少4类"));
        assert!(p.rule_en().starts_with("14 to 64 characters"));
        assert_eq!(p.check("Kx7#mq2Lp9", "a"), Err(PasswordError::Length { min: 14, max: 64 }));
        assert_eq!(p.check("Kx7mq2Lp9Zt4Wv", "a"), Err(PasswordError::Classes(4)));
        assert_eq!(p.check("Kx7#mq2Lp9Zt4W", "a"), Ok(()), "a short name is not looked for");
    }
}
