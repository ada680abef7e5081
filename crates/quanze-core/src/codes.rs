//! National codes: statistical region codes (GB/T 2260 + 乡级/村级), unified social credit codes
//! (GB 32100-2015), organisation codes (GB 11714-1997), citizen identity numbers
//! (GB 11643-1999), and the power-item codes of GB/T 39554.1 (基本编码, 实施编码).
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

/// 不设区的地级市 — the prefecture-level cities with no counties (东莞 441900, 中山 442000,
/// 嘉峪关 620200, 儋州 460400): their towns carry statistical codes directly under the city's
/// 6-digit code, with a county segment of `00`.
pub const CITIES_WITHOUT_COUNTIES: [&str; 4] = ["441900", "442000", "620200", "460400"];

/// 乡级代码段类别 — what the 3-digit township segment of a statistical region code denotes
/// (统计用区划代码编制规则; domain.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TownshipSegment {
    /// 001–099: 街道.
    Subdistrict,
    /// 100–199: 镇.
    Town,
    /// 200–399: 乡 (民族乡 and 苏木 included).
    Township,
    /// 400–599: 乡级单位 such as 开发区, 农场, 林场.
    TownshipLevelUnit,
    /// 600–999: not assigned by the rules.
    Unassigned,
}

impl TownshipSegment {
    /// The class of a township segment value (1..=999).
    pub fn of(segment: u16) -> TownshipSegment {
        match segment {
            1..=99 => TownshipSegment::Subdistrict,
            100..=199 => TownshipSegment::Town,
            200..=399 => TownshipSegment::Township,
            400..=599 => TownshipSegment::TownshipLevelUnit,
            _ => TownshipSegment::Unassigned,
        }
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            TownshipSegment::Subdistrict => "街道",
            TownshipSegment::Town => "镇",
            TownshipSegment::Township => "乡",
            TownshipSegment::TownshipLevelUnit => "乡级单位（开发区等）",
            TownshipSegment::Unassigned => "未分配的乡级代码",
        }
    }

    /// The code range, as the rules write it.
    pub fn range(self) -> &'static str {
        match self {
            TownshipSegment::Subdistrict => "001–099",
            TownshipSegment::Town => "100–199",
            TownshipSegment::Township => "200–399",
            TownshipSegment::TownshipLevelUnit => "400–599",
            TownshipSegment::Unassigned => "600–999",
        }
    }
}

impl RegionCode {
    /// Parses a region code. A 6-digit GB/T 2260 code and a 9-digit township code are padded
    /// with zeros to 12 digits. The towns of a city without counties
    /// ([`CITIES_WITHOUT_COUNTIES`]) have a zero county segment under a non-zero township one.
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
        // A city without counties: its towns sit directly under the city code.
        let county_skipped = CITIES_WITHOUT_COUNTIES.contains(&&padded[..6]);
        let mut seen_zero = false;
        for (i, seg) in segments.into_iter().enumerate() {
            let zero = seg.bytes().all(|b| b == b'0') && !(i == 2 && county_skipped);
            if seen_zero && !zero {
                return Err(ValidationError::Invalid {
                    field: "region_code",
                    reason: "a lower segment is set under a zero segment (only the towns of a \
                             prefecture-level city without counties skip the county segment)",
                    reason_zh: "下级代码段不能出现在为零的上级代码段之后（仅不设区的地级市所辖乡镇可无县级代码段）",
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

    /// The 3-digit township segment (1..=999), or `None` above township level.
    pub fn township_segment(&self) -> Option<u16> {
        let n: u16 = self.0[6..9].parse().expect("digits checked on parse");
        (n != 0).then_some(n)
    }

    /// What the township segment denotes (街道, 镇, 乡, 乡级单位), or `None` above township level.
    pub fn township_class(&self) -> Option<TownshipSegment> {
        self.township_segment().map(TownshipSegment::of)
    }

    /// Whether this is a town (or village) of a prefecture-level city without counties.
    pub fn is_under_city_without_counties(&self) -> bool {
        &self.0[4..6] == "00" && self.township_segment().is_some()
    }

    /// The county (6-digit prefix padded) this code lies in, if it is at county level or below.
    /// For a town of a city without counties it is the city, which stands at county level for
    /// its towns.
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

    /// The 组织机构代码 embedded at positions 9–17, or `None` when it fails the GB 11714 check
    /// (a finding about the credit code, not a reason to refuse it).
    pub fn org_code(&self) -> Option<OrgCode> {
        OrgCode::parse(&self.0[8..17]).ok()
    }
}

const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// 组织机构代码 — a 9-character organisation code (GB 11714-1997): an 8-character body from
/// `[0-9A-Z]` and a check character.
///
/// Invariant: the check character is the GB 11714 one: C9 = 11 − (Σ wᵢ·cᵢ mod 11) with
/// weights `3 7 9 10 5 8 4 2`, digits worth 0–9 and letters A–Z worth 10–35; 10 is written
/// `X` and 11 is written `0`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct OrgCode(String);
string_code!(OrgCode);

impl OrgCode {
    /// Parses an organisation code, written `D2143569X` or with its customary hyphen
    /// `D2143569-X`; lower-case letters are upper-cased.
    pub fn parse(raw: &str) -> Result<OrgCode, ValidationError> {
        let trimmed = raw.trim().to_ascii_uppercase();
        let code = match trimmed.char_indices().nth(8) {
            Some((i, '-' | '－')) => {
                format!("{}{}", &trimmed[..i], trimmed[i..].chars().skip(1).collect::<String>())
            }
            _ => trimmed,
        };
        check_len("org_code", &code, 9)?;
        check_charset("org_code", &code, is_upper_alnum)?;
        let expected = OrgCode::expected_check(&code[..8]).expect("charset checked above");
        if !code.ends_with(expected) {
            return Err(ValidationError::Invalid {
                field: "org_code",
                reason: "the check character does not match GB 11714",
                reason_zh: "校验码不符（GB 11714）",
                value: code,
            });
        }
        Ok(OrgCode(code))
    }

    /// The GB 11714 check character of an 8-character body, or `None` when the body is not 8
    /// characters of `[0-9A-Z]`.
    pub fn expected_check(body: &str) -> Option<char> {
        if body.len() != 8 {
            return None;
        }
        let mut sum = 0u32;
        for (ch, w) in body.chars().zip(ORG_WEIGHTS) {
            if !is_upper_alnum(ch) {
                return None;
            }
            sum += ch.to_digit(36)? * w;
        }
        Some(match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            n => char::from_digit(n, 10)?,
        })
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECKS: &[u8; 11] = b"10X98765432";

/// 公民身份号码 — an 18-character citizen identity number (GB 11643-1999): address code (6),
/// date of birth (8), sequence (3, odd for men) and a check character.
///
/// Invariant: 17 digits, a real date of birth, and the GB 11643 check character
/// (`"10X98765432"[Σ wᵢ·aᵢ mod 11]`, weights `7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2`).
///
/// An identity number is personal data: `Debug` and `Display` show it masked, the number is
/// not serialisable, and [`IdNumber::as_str`] is for encrypting or keyed hashing only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses an identity number; a lower-case `x` is upper-cased. The 15-digit first-generation
    /// numbers are no longer valid (their cards expired in 2013) and are refused.
    pub fn parse(raw: &str) -> Result<IdNumber, ValidationError> {
        let code = raw.trim().to_ascii_uppercase();
        // The value is kept out of the error: it is personal data.
        let masked = mask(&code);
        check_len("id_number", &code, 18).map_err(|e| match e {
            ValidationError::Length { field, expected, got, .. } => {
                ValidationError::Length { field, expected, got, value: masked.clone() }
            }
            other => other,
        })?;
        if let Some(pos) = code.chars().take(17).position(|c| !c.is_ascii_digit()) {
            let ch = code.chars().nth(pos).unwrap_or('?');
            return Err(ValidationError::Charset {
                field: "id_number",
                ch,
                pos: pos + 1,
                value: masked,
            });
        }
        let invalid = |reason, reason_zh| ValidationError::Invalid {
            field: "id_number",
            reason,
            reason_zh,
            value: masked.clone(),
        };
        if chrono::NaiveDate::parse_from_str(&code[6..14], "%Y%m%d").is_err() {
            return Err(invalid("the date of birth is not a date", "出生日期不是有效日期"));
        }
        if !code.ends_with(char::from(IdNumber::expected_check(&code[..17]).expect("digits"))) {
            return Err(invalid(
                "the check character does not match GB 11643",
                "校验码不符（GB 11643）",
            ));
        }
        Ok(IdNumber(code))
    }

    /// The GB 11643 check character of a 17-digit body, or `None` when it is not 17 digits.
    pub fn expected_check(body: &str) -> Option<u8> {
        if body.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (ch, w) in body.chars().zip(ID_WEIGHTS) {
            sum += ch.to_digit(10)? * w;
        }
        Some(ID_CHECKS[(sum % 11) as usize])
    }

    /// The whole number, for encryption (SM4) or a keyed hash; never for display or logs.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as shown to users: the address code and the last four characters, the rest
    /// masked (`110105********002X`).
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// The date of birth.
    pub fn birth_date(&self) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked on parse")
    }

    /// Whether the sequence code is odd (a man, GB 11643 §5.2.3).
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// The address code (GB/T 2260) at positions 1–6.
    pub fn address_code(&self) -> &str {
        &self.0[..6]
    }
}

fn mask(code: &str) -> String {
    let n = code.chars().count();
    if n <= 10 {
        return "*".repeat(n);
    }
    code.chars().enumerate().map(|(i, c)| if i < 6 || i >= n - 4 { c } else { '*' }).collect()
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl std::str::FromStr for IdNumber {
    type Err = ValidationError;
    fn from_str(raw: &str) -> Result<IdNumber, ValidationError> {
        IdNumber::parse(raw)
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
