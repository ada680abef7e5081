//! National codes: statistical region codes (GB/T 2260 + 乡级/村级), unified social credit codes
//! (GB 32100-2015), and the power-item codes of GB/T 39554.1 (基本编码, 实施编码).
//!
//! Each is a newtype that can only be built by parsing, so a value in hand is well-formed.

use std::fmt;

use crate::error::ValidationError;
use crate::region::RegionLevel;

fn check_charset(
    field: &'static str,
    value: &str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), ValidationError> {
    for (pos, ch) in value.chars().enumerate() {
        if !allowed(ch) {
            return Err(ValidationError::Charset {
                field,
                ch,
                pos: pos + 1,
                value: value.to_owned(),
            });
        }
    }
    Ok(())
}

fn check_len(field: &'static str, value: &str, expected: usize) -> Result<(), ValidationError> {
    let got = value.chars().count();
    if got == expected {
        Ok(())
    } else if got == 0 {
        Err(ValidationError::Empty { field })
    } else {
        Err(ValidationError::Length { field, expected, got, value: value.to_owned() })
    }
}

macro_rules! string_code {
    ($name:ident) => {
        impl $name {
            /// The code as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(raw: String) -> Result<$name, ValidationError> {
                $name::parse(&raw)
            }
        }
        impl std::str::FromStr for $name {
            type Err = ValidationError;
            fn from_str(raw: &str) -> Result<$name, ValidationError> {
                $name::parse(raw)
            }
        }
    };
}

/// 统计用区划代码 — a 12-digit statistical region code: province (2), prefecture (2), county (2),
/// township (3), village (3). Trailing zero segments mark a higher level.
///
/// Invariant: 12 ASCII digits; the province segment is not `00`; no non-zero segment follows a
/// zero segment.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);
string_code!(RegionCode);

impl RegionCode {
    /// Parses a region code. A 6-digit GB/T 2260 code and a 9-digit township code are padded
    /// with zeros to 12 digits.
    pub fn parse(raw: &str) -> Result<RegionCode, ValidationError> {
        let raw = raw.trim();
        check_charset("region_code", raw, |c| c.is_ascii_digit())?;
        let padded = match raw.len() {
            6 => format!("{raw}000000"),
            9 => format!("{raw}000"),
            _ => raw.to_owned(),
        };
        check_len("region_code", &padded, 12)?;
        let segments = [&padded[0..2], &padded[2..4], &padded[4..6], &padded[6..9], &padded[9..12]];
        if segments[0] == "00" {
            return Err(ValidationError::Invalid {
                field: "region_code",
                reason: "the province segment must not be 00",
                reason_zh: "省级代码不能为00",
                value: raw.to_owned(),
            });
        }
        let mut seen_zero = false;
        for seg in segments {
            let zero = seg.bytes().all(|b| b == b'0');
            if seen_zero && !zero {
                return Err(ValidationError::Invalid {
                    field: "region_code",
                    reason: "a lower segment is set under a zero segment",
                    reason_zh: "下级代码段不能出现在为零的上级代码段之后",
                    value: raw.to_owned(),
                });
            }
            seen_zero |= zero;
        }
        Ok(RegionCode(padded))
    }

    /// The level this code denotes.
    pub fn level(&self) -> RegionLevel {
        let s = &self.0;
        if s[9..12] != *"000" {
            RegionLevel::Village
        } else if s[6..9] != *"000" {
            RegionLevel::Township
        } else if s[4..6] != *"00" {
            RegionLevel::County
        } else if s[2..4] != *"00" {
            RegionLevel::City
        } else {
            RegionLevel::Province
        }
    }

    /// The enclosing region's code, or `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let s = &self.0;
        let keep = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
            RegionLevel::Township => 6,
            RegionLevel::Village => 9,
        };
        Some(RegionCode(format!("{}{}", &s[..keep], "0".repeat(12 - keep))))
    }

    /// The county (6-digit prefix padded) this code lies in, if it is at county level or below.
    pub fn county(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province | RegionLevel::City => None,
            _ => Some(RegionCode(format!("{}000000", &self.0[..6]))),
        }
    }

    /// Whether `self` lies inside `other` (or is `other`).
    pub fn is_within(&self, other: &RegionCode) -> bool {
        let keep = match other.level() {
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
            RegionLevel::County => 6,
            RegionLevel::Township => 9,
            RegionLevel::Village => 12,
        };
        self.0[..keep] == other.0[..keep]
    }
}

/// The alphabet of unified social credit codes: the value of a character is its index.
const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// 统一社会信用代码 — an 18-character unified social credit code (GB 32100-2015).
///
/// Invariant: 18 characters from the code alphabet. The check digit may still be wrong: some
/// early pilot codes fail the check but are legal, so [`CreditCode::check_digit_ok`] reports it
/// as a warning instead of a rejection.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);
string_code!(CreditCode);

impl CreditCode {
    /// Parses a credit code; lower-case letters are accepted and upper-cased.
    pub fn parse(raw: &str) -> Result<CreditCode, ValidationError> {
        let code = raw.trim().to_ascii_uppercase();
        check_len("credit_code", &code, 18)?;
        check_charset("credit_code", &code, |c| CREDIT_ALPHABET.contains(c))?;
        Ok(CreditCode(code))
    }

    /// The check character computed from the first 17 characters.
    pub fn expected_check(body: &str) -> Option<char> {
        let mut sum = 0u32;
        for (ch, w) in body.chars().zip(CREDIT_WEIGHTS) {
            sum += CREDIT_ALPHABET.find(ch)? as u32 * w;
        }
        let check = (31 - sum % 31) % 31;
        CREDIT_ALPHABET.chars().nth(check as usize)
    }

    /// Builds a code from a 17-character body by appending its check character.
    pub fn with_check(body: &str) -> Result<CreditCode, ValidationError> {
        check_len("credit_code", body, 17)?;
        check_charset("credit_code", body, |c| CREDIT_ALPHABET.contains(c))?;
        let check = CreditCode::expected_check(body).expect("charset checked above");
        Ok(CreditCode(format!("{body}{check}")))
    }

    /// Whether the 18th character matches the GB 32100 check.
    pub fn check_digit_ok(&self) -> bool {
        CreditCode::expected_check(&self.0[..17]) == self.0.chars().nth(17)
    }

    /// The GB/T 2260 region code embedded at positions 3–8.
    pub fn region_prefix(&self) -> &str {
        &self.0[2..8]
    }
}

fn is_upper_alnum(c: char) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase()
}

/// 基本编码 — the 12-character national base code of a power item: owner segment (6), main item
/// (3), sub-item (3; `000` when there is none).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct BaseCode(String);
string_code!(BaseCode);

impl BaseCode {
    /// Parses a base code: 12 characters from `[0-9A-Z]`.
    pub fn parse(raw: &str) -> Result<BaseCode, ValidationError> {
        let code = raw.trim().to_owned();
        check_len("base_code", &code, 12)?;
        check_charset("base_code", &code, is_upper_alnum)?;
        Ok(BaseCode(code))
    }

    /// Whether this code names a sub-item (its last segment is not `000`).
    pub fn is_sub_item(&self) -> bool {
        &self.0[9..] != "000"
    }
}

/// 实施编码 — the 31-character implementation code: the holder's credit code (18), the exercise
/// level digit (1) and the base code (12).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct ImplCode(String);
string_code!(ImplCode);

impl ImplCode {
    /// Parses an implementation code, checking its embedded credit code and base code.
    pub fn parse(raw: &str) -> Result<ImplCode, ValidationError> {
        let code = raw.trim().to_owned();
        check_len("impl_code", &code, 31)?;
        check_charset("impl_code", &code, is_upper_alnum)?;
        CreditCode::parse(&code[..18])?;
        if !code.as_bytes()[18].is_ascii_digit() {
            return Err(ValidationError::Invalid {
                field: "impl_code",
                reason: "the 19th character (exercise level) must be a digit",
                reason_zh: "第19位（行使层级）应为数字",
                value: code,
            });
        }
        BaseCode::parse(&code[19..])?;
        Ok(ImplCode(code))
    }

    /// Assembles an implementation code from its parts.
    pub fn compose(holder: &CreditCode, level_digit: u8, base: &BaseCode) -> ImplCode {
        ImplCode(format!("{}{}{}", holder, level_digit % 10, base))
    }

    /// The holder's credit code.
    pub fn credit_code(&self) -> CreditCode {
        CreditCode(self.0[..18].to_owned())
    }

    /// The exercise-level digit.
    pub fn level_digit(&self) -> u8 {
        self.0.as_bytes()[18] - b'0'
    }

    /// The embedded base code.
    pub fn base_code(&self) -> BaseCode {
        BaseCode(self.0[19..].to_owned())
    }
}

#[cfg(test)]
mod tests;
