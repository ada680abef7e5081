//! The legal records each mode of devolution needs (issue 14 §2; domain §5):
//!
//! - 直接下放/赋予 of a penalty power: the province's decision (行政处罚法 第24条), issued by a
//!   provincial body, published, with the date of its next periodic evaluation;
//! - 委托: a 委托书 naming the matters, the scope and the term, published (行政处罚法 第20条,
//!   行政许可法 第24条); the town acts in the department's name, cannot re-entrust, and the grant
//!   ends with the term;
//! - 直接下放 of a licence or a coercive measure: the legal basis that lets the town act in its
//!   own name (行政许可法 第23条 or 第25条 相对集中行政许可; 行政强制法 第17条第二款);
//! - penalty powers exercised by the town: at least two officers holding enforcement
//!   certificates (执法证, 行政处罚法 第42条).
//!
//! **Recognising a provincial body.** An issuer is recorded with its name and the GB/T 2260 code
//! of the region it governs; it is provincial when that code is a province-level code (two
//! digits and four zeros: 330000 浙江省, 110000 北京市). The name is not parsed: 省人民政府,
//! 省人大常委会 and 省委编办-style bodies all govern the province-level region.

use chrono::NaiveDate;

use crate::codes::RegionCode;
use crate::item::LegalRef;
use crate::list::DocNo;
use crate::region::RegionLevel;

/// 制发机关 — the body that issued a decision: its name and the region it governs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issuer {
    /// Name, e.g. 浙江省人民政府.
    pub name: String,
    /// The region the body governs (province level for a provincial body).
    pub region: RegionCode,
}

impl Issuer {
    /// Whether the body is provincial (省、自治区、直辖市): it governs a province-level region.
    pub fn is_provincial(&self) -> bool {
        self.region.level() == RegionLevel::Province
    }
}

/// 省级赋权决定 — the province's decision to hand county penalty powers to towns
/// (行政处罚法 第24条: "…并定期组织评估。决定应当公布。").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProvincialDecision {
    /// Who issued it (must be provincial).
    pub issuer: Issuer,
    /// 文号.
    pub doc_no: DocNo,
    /// 公布日期 — the decision must be published before the grant takes effect.
    pub published_on: NaiveDate,
    /// 下次定期评估日期 — the date of the next periodic evaluation.
    pub next_evaluation: NaiveDate,
}

/// 委托书 — the written entrustment of a power to a town (行政处罚法 第20条, 行政许可法 第24条).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entrustment {
    /// 文号.
    pub doc_no: DocNo,
    /// 委托事项 — the matters entrusted.
    pub matters: String,
    /// 委托权限 — the scope (what the town may decide, where).
    pub scope: String,
    /// 委托期限 — first day of the term.
    pub term_from: NaiveDate,
    /// 委托期限 — the term ends before this day.
    pub term_until: NaiveDate,
    /// 公布日期 — the entrustment must be published (许可法 第24条第一款).
    pub published_on: NaiveDate,
}

/// 以自己名义行使的法定依据 — which rule lets a town exercise a licence or a coercive measure
/// in its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnNameBasisKind {
    /// 法律、法规授权 (行政许可法 第23条; 行政强制法 第17条第一款) — a law or regulation gives
    /// the town the power itself.
    ByLaw,
    /// 相对集中行政许可权 (行政许可法 第25条) — the province's decision approved by the State
    /// Council concentrates the licence in the town.
    ConcentratedLicensing,
    /// 相对集中行政处罚权 (行政强制法 第17条第二款) — the town exercises concentrated penalty
    /// powers and with them the related coercive measures.
    ConcentratedEnforcement,
}

impl OwnNameBasisKind {
    /// The Chinese label with its article.
    pub fn zh(self) -> &'static str {
        match self {
            OwnNameBasisKind::ByLaw => {
                "法律、法规授权（行政许可法第二十三条、行政强制法第十七条第一款）"
            }
            OwnNameBasisKind::ConcentratedLicensing => "相对集中行政许可权（行政许可法第二十五条）",
            OwnNameBasisKind::ConcentratedEnforcement => {
                "相对集中行政处罚权（行政强制法第十七条第二款）"
            }
        }
    }
}

/// 自身名义依据 — the legal basis that lets the town act in its own name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OwnNameBasis {
    /// Which rule.
    pub kind: OwnNameBasisKind,
    /// The law or decision, with its article.
    pub basis: LegalRef,
    /// The decision's number, when there is one (a 相对集中 decision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<DocNo>,
}

/// 执法证号 — an enforcement certificate's number: 4–32 letters, digits or hyphens, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificateNo(String);

impl CertificateNo {
    /// Parses a certificate number (spaces around it are dropped).
    pub fn parse(raw: &str) -> Result<CertificateNo, crate::ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(crate::ValidationError::Empty { field: "certificate" });
        }
        let n = s.chars().count();
        if !(4..=32).contains(&n) || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(crate::ValidationError::Invalid {
                field: "certificate",
                reason: "not an enforcement certificate number (4-32 letters, digits or hyphens)",
                reason_zh: "不是有效的执法证号（4至32位字母、数字或连字符）",
                value: s.to_owned(),
            });
        }
        Ok(CertificateNo(s.to_owned()))
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CertificateNo {
    type Error = crate::ValidationError;
    fn try_from(s: String) -> Result<CertificateNo, crate::ValidationError> {
        CertificateNo::parse(&s)
    }
}

impl From<CertificateNo> for String {
    fn from(c: CertificateNo) -> String {
        c.0
    }
}

/// 持证执法人员 — an officer of the town holding an enforcement certificate. Name and number are
/// personal data: never put them in a ledger leaf in clear.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnforcementOfficer {
    /// Name.
    pub name: String,
    /// 执法证号.
    pub certificate: CertificateNo,
}

/// The minimum number of certified officers for a penalty power (行政处罚法 第42条: 执法人员不得
/// 少于两人).
pub const MIN_CERTIFIED_OFFICERS: usize = 2;

/// The number of distinct certified officers (by certificate number, with a name).
pub fn certified_officers(officers: &[EnforcementOfficer]) -> usize {
    let mut seen = std::collections::BTreeSet::new();
    officers
        .iter()
        .filter(|o| !o.name.trim().is_empty())
        .filter(|o| seen.insert(o.certificate.as_str().to_owned()))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provincial_issuers_govern_a_province_level_region() {
        let issuer = |code: &str| Issuer {
            name: "某机关".into(),
            region: RegionCode::parse(code).unwrap(),
        };
        for (code, provincial) in [
            ("330000", true),
            ("110000", true),
            ("650000", true),
            ("330600", false),
            ("330603", false),
            ("441900", false),
        ] {
            assert_eq!(issuer(code).is_provincial(), provincial, "{code}");
        }
    }

    #[test]
    fn certificate_numbers_parse_and_officers_count_once() {
        assert!(CertificateNo::parse(" 33010012345 ").is_ok());
        assert!(CertificateNo::parse("ZJ-0601-0042").is_ok());
        for bad in ["", "12", "证号12345", "33 0100 12345", &"1".repeat(33)] {
            assert!(CertificateNo::parse(bad).is_err(), "{bad}");
        }
        let officer = |name: &str, no: &str| EnforcementOfficer {
            name: name.into(),
            certificate: CertificateNo::parse(no).unwrap(),
        };
        assert_eq!(certified_officers(&[officer("甲", "A0001"), officer("乙", "A0001")]), 1);
        assert_eq!(certified_officers(&[officer("甲", "A0001"), officer(" ", "A0002")]), 1);
        assert_eq!(certified_officers(&[officer("甲", "A0001"), officer("乙", "A0002")]), 2);
    }
}
