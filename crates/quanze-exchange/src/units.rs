//! 单位目录 — the units an import may name, looked up by the names counties write.

use std::collections::HashMap;

use quanze_core::{CreditCode, Unit, UnitId, UnitKind};

/// 单位目录 — the known units, found by exact name or by a normalised name that ignores
/// spaces, line breaks and full-width/half-width differences (县 市场监管局 vs 县市场监管局,
/// （ vs ( ). A normalised name shared by two units matches neither, so a lookup never guesses.
#[derive(Debug, Clone, Default)]
pub struct UnitDirectory {
    by_name: HashMap<String, UnitId>,
    by_normalised: HashMap<String, Option<UnitId>>,
    info: HashMap<UnitId, UnitInfo>,
}

#[derive(Debug, Clone)]
struct UnitInfo {
    name: String,
    kind: UnitKind,
    credit_code: Option<CreditCode>,
}

impl UnitDirectory {
    /// Builds the directory from the units of a county.
    pub fn new<U: std::borrow::Borrow<Unit>>(units: &[U]) -> UnitDirectory {
        let mut dir = UnitDirectory::default();
        for unit in units.iter().map(U::borrow) {
            dir.by_name.insert(unit.name.trim().to_owned(), unit.id);
            dir.by_normalised
                .entry(normalise(&unit.name))
                .and_modify(|slot| {
                    if *slot != Some(unit.id) {
                        *slot = None;
                    }
                })
                .or_insert(Some(unit.id));
            dir.info.insert(
                unit.id,
                UnitInfo {
                    name: unit.name.trim().to_owned(),
                    kind: unit.kind,
                    credit_code: unit.credit_code.clone(),
                },
            );
        }
        dir
    }

    /// The unit with this name, exactly or after normalisation.
    pub fn find(&self, name: &str) -> Option<UnitId> {
        let name = name.trim();
        if let Some(id) = self.by_name.get(name) {
            return Some(*id);
        }
        self.by_normalised.get(&normalise(name)).copied().flatten()
    }

    /// The name of a unit.
    pub fn name(&self, id: UnitId) -> Option<&str> {
        self.info.get(&id).map(|i| i.name.as_str())
    }

    /// The kind of a unit.
    pub fn kind(&self, id: UnitId) -> Option<UnitKind> {
        self.info.get(&id).map(|i| i.kind)
    }

    /// The credit code of a unit, when known.
    pub fn credit_code(&self, id: UnitId) -> Option<&CreditCode> {
        self.info.get(&id).and_then(|i| i.credit_code.as_ref())
    }
}

/// Folds full-width ASCII to half-width, drops all whitespace (including the ideographic
/// space U+3000) and lower-cases Latin letters.
pub(crate) fn normalise(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                c => c,
            };
            if c.is_whitespace() { None } else { Some(c.to_ascii_lowercase()) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use quanze_core::RegionCode;

    use super::*;

    fn unit(name: &str) -> Unit {
        Unit {
            id: UnitId::from_uuid(uuid::Uuid::now_v7()),
            name: name.to_owned(),
            kind: UnitKind::Department,
            region: RegionCode::parse("320281").expect("valid region"),
            credit_code: None,
            parent: None,
            tags: BTreeSet::new(),
        }
    }

    #[test]
    fn finds_by_exact_and_normalised_name() {
        let a = unit("某某县市场监督管理局");
        let b = unit("某某县卫生健康局（中医药局）");
        let dir = UnitDirectory::new(&[a.clone(), b.clone()]);
        assert_eq!(dir.find("某某县市场监督管理局"), Some(a.id));
        assert_eq!(dir.find(" 某某县 市场监督管理局\n"), Some(a.id));
        assert_eq!(dir.find("某某县卫生健康局(中医药局)"), Some(b.id));
        assert_eq!(dir.find("某某县公安局"), None);
        assert_eq!(dir.name(a.id), Some("某某县市场监督管理局"));
    }

    #[test]
    fn ambiguous_normalised_names_match_nothing() {
        let a = unit("某某县 A局");
        let b = unit("某某县Ａ局");
        let dir = UnitDirectory::new(&[a.clone(), b.clone()]);
        assert_eq!(dir.find("某某县 A局"), Some(a.id));
        assert_eq!(dir.find("某某县Ａ局"), Some(b.id));
        assert_eq!(dir.find("某某县A局"), None);
    }
}
