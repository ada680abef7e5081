//! Reading one row's cells into the fields of an item: the unit, category, duty kind and
//! codes, cooperation, responsibilities, accountability, service fields and a template's
//! declared difference; each unreadable cell becomes a located problem.

use super::*;
use quanze_core::item::SessionDays;

impl Importer<'_> {
    /// The row's 差异 (适用范围, 差异, 差异理由), if it has one. A bad one is an error and
    /// drops the row.
    pub(super) fn variant(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
    ) -> Result<Option<Variant>, ()> {
        let scope = cells.get(Column::VariantScope).trim();
        let change = cells.get(Column::VariantChange).trim();
        if scope.is_empty() && change.is_empty() {
            return Ok(None);
        }
        let Some(change) = VariantChange::parse(change) else {
            self.problems.push(loc.problem(
                Some(Column::VariantChange),
                Severity::Error,
                "invalid_variant",
                format!("差异应为“增加”或“不承担”，此处为“{}”", shorten(change)),
                format!("the difference must be 增加 (add) or 不承担 (remove), not {change:?}"),
            ));
            return Err(());
        };
        let scope = match VariantScope::parse(scope, self.units) {
            Ok(scope) => scope,
            Err(zh) => {
                self.problems.push(loc.problem(
                    Some(Column::VariantScope),
                    Severity::Error,
                    "invalid_variant",
                    zh,
                    format!("scope {scope:?} is not 标签：<tag> or 乡镇：<known town>"),
                ));
                return Err(());
            }
        };
        let reason = cells.get(Column::VariantReason).trim().to_owned();
        Ok(Some(Variant { scope, change, reason }))
    }

    pub(super) fn invalid(&mut self, loc: &Loc<'_>, col: Column, e: &ValidationError) {
        self.problems.push(loc.problem(
            Some(col),
            Severity::Error,
            "invalid_value",
            e.zh(),
            e.to_string(),
        ));
    }

    pub(super) fn default_level(&self, holder: Option<UnitId>) -> ExerciseLevel {
        self.options.default_level.unwrap_or(match holder.and_then(|h| self.units.kind(h)) {
            Some(UnitKind::Township | UnitKind::Subdistrict) => ExerciseLevel::Township,
            _ => ExerciseLevel::County,
        })
    }

    pub(super) fn category(
        &mut self,
        loc: &Loc<'_>,
        text: &str,
        fallback: Option<PowerCategory>,
    ) -> Option<(PowerCategory, Option<String>)> {
        if text.is_empty() {
            if let Some(c) = fallback {
                return Some((c, None));
            }
            self.problems.push(loc.problem(
                Some(Column::Category),
                Severity::Error,
                "missing_category",
                "事项类型为空".to_owned(),
                "category is empty".to_owned(),
            ));
            return None;
        }
        match PowerCategory::parse(text) {
            Ok(c) => Some((c, (text != c.zh()).then(|| text.to_owned()))),
            Err(e) => {
                self.problems.push(loc.problem(
                    Some(Column::Category),
                    Severity::Error,
                    "unknown_category",
                    e.zh(),
                    e.to_string(),
                ));
                None
            }
        }
    }

    pub(super) fn unit(&mut self, loc: &Loc<'_>, col: Column, name: &str) -> Option<UnitId> {
        let found = self.units.find(name);
        if found.is_none() {
            self.problems.push(loc.problem(
                Some(col),
                Severity::Error,
                "unknown_unit",
                format!("单位“{name}”不在单位目录中，请核对名称或先添加该单位"),
                format!("unit {name} is not in the unit directory"),
            ));
        }
        found
    }

    pub(super) fn holder(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Option<UnitId> {
        match cells.get(Column::Holder) {
            "" => {
                if self.options.default_holder.is_none() {
                    self.problems.push(loc.problem(
                        Some(Column::Holder),
                        Severity::Error,
                        "missing_holder",
                        "实施主体为空".to_owned(),
                        "holder is empty".to_owned(),
                    ));
                }
                self.options.default_holder
            }
            name => self.unit(loc, Column::Holder, name),
        }
    }

    /// 业务指导部门, when the row names one (a town's list); an unknown name is an error at
    /// its cell.
    pub(super) fn guide(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Option<UnitId> {
        match cells.get(Column::Guide) {
            "" => None,
            name => self.unit(loc, Column::Guide, name),
        }
    }

    pub(super) fn duty(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
        sheet_duty: Option<&str>,
    ) -> Option<DutyKind> {
        let text = match cells.get(Column::DutyKind) {
            "" => sheet_duty.unwrap_or("基本履职"),
            t => t,
        };
        let (col, zh) = if text.contains("配合") {
            (Column::Lead, "牵头部门")
        } else if text.contains("收回") || text.contains("交还") {
            (Column::Receiver, "承接部门")
        } else if text.contains("基本") {
            return Some(DutyKind::Own);
        } else {
            self.problems.push(loc.problem(
                Some(Column::DutyKind),
                Severity::Error,
                "unknown_duty_kind",
                format!("履职类型“{text}”无法识别（应为基本履职、配合履职或上级部门收回）"),
                format!("unknown duty kind {text}"),
            ));
            return None;
        };
        let other = match cells.get(col) {
            "" => {
                self.problems.push(loc.problem(
                    Some(col),
                    Severity::Error,
                    "missing_counterpart",
                    format!("{text}事项须填写{zh}"),
                    format!("a {text} item needs the {zh} column"),
                ));
                return None;
            }
            name => self.unit(loc, col, name)?,
        };
        Some(if col == Column::Lead {
            DutyKind::Cooperate { lead: other }
        } else {
            DutyKind::Reclaimed { receiver: other }
        })
    }

    pub(super) fn codes(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
        holder: Option<UnitId>,
    ) -> (Option<BaseCode>, Option<ImplCode>, Option<String>) {
        let mut base: Option<BaseCode> = None;
        let mut imp: Option<ImplCode> = None;
        let mut local: Option<String> = None;
        for col in [Column::Code, Column::BaseCode, Column::ImplCode, Column::LocalCode] {
            let raw = cells.get(col);
            if raw.is_empty() {
                continue;
            }
            if cells.numeric(col) && col != Column::LocalCode {
                self.problems.push(loc.problem(
                    Some(col),
                    Severity::Warning,
                    "code_stored_as_number",
                    format!("编码“{raw}”以数字格式保存，前导零可能已丢失，请将该列设为文本格式"),
                    format!("code {raw} is stored as a number and may have lost leading zeros"),
                ));
            }
            let len = raw.chars().count();
            let upper = raw.to_ascii_uppercase();
            let parsed = match col {
                Column::LocalCode => Ok(None),
                Column::BaseCode => BaseCode::parse(&upper).map(|c| Some((Some(c), None))),
                Column::ImplCode => ImplCode::parse(&upper).map(|c| Some((None, Some(c)))),
                _ if len == 12 => BaseCode::parse(&upper).map(|c| Some((Some(c), None))),
                _ if len == 31 => ImplCode::parse(&upper).map(|c| Some((None, Some(c)))),
                _ => Ok(None),
            };
            match parsed {
                Ok(Some((b, i))) => {
                    if let Some(b) = b {
                        base = Some(b);
                    }
                    if let Some(i) = i {
                        imp = Some(i);
                    }
                }
                Ok(None) => local = Some(raw.to_owned()),
                Err(e) => {
                    // A local code (湖北 16 digits, 贵州 10 characters, 1-1) in a national-code
                    // cell is an error at that cell: it is never read as national, and it has
                    // a column of its own.
                    let hint = if matches!(col, Column::BaseCode | Column::ImplCode) {
                        "（国家编码为12位基本编码或31位实施编码，由数字和大写字母组成；地方编码请填写在“地方编码”列）"
                    } else {
                        ""
                    };
                    self.problems.push(loc.problem(
                        Some(col),
                        Severity::Error,
                        "invalid_code",
                        format!("{}{hint}", e.zh()),
                        e.to_string(),
                    ));
                }
            }
        }
        if let (Some(i), Some(credit)) = (&imp, holder.and_then(|h| self.units.credit_code(h)))
            && i.credit_code() != *credit
        {
            let col = if cells.get(Column::ImplCode).is_empty() {
                Column::Code
            } else {
                Column::ImplCode
            };
            self.problems.push(loc.problem(
                Some(col),
                Severity::Warning,
                "impl_code_holder",
                format!("实施编码“{i}”所含统一社会信用代码与实施主体的代码“{credit}”不一致"),
                format!("implementation code {i} does not embed the holder's credit code {credit}"),
            ));
        }
        (base, imp, local)
    }

    pub(super) fn cooperation(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Vec<Cooperation> {
        let mut out: Vec<Cooperation> = Vec::new();
        for line in cells.get(Column::Cooperation).lines().map(str::trim).filter(|l| !l.is_empty())
        {
            let line = split_numbering(line).map_or(line, |(_, rest)| rest);
            if let Some(colon) = line.find(['：', ':']) {
                let after = line[colon..].chars().next().map_or(0, char::len_utf8);
                let duty = line[colon + after..].trim();
                for unit_name in line[..colon].split(['、', '，', ',', '/']) {
                    let unit_name = unit_name.trim();
                    if unit_name.is_empty() {
                        continue;
                    }
                    if let Some(unit) = self.unit(loc, Column::Cooperation, unit_name) {
                        out.push(Cooperation { unit, duty: duty.to_owned() });
                    }
                }
            } else if let Some(unit) = self.units.find(line) {
                out.push(Cooperation { unit, duty: String::new() });
            } else if let Some(last) = out.last_mut() {
                // A line without a unit name continues the previous unit's duty.
                if !last.duty.is_empty() {
                    last.duty.push('\n');
                }
                last.duty.push_str(line);
            } else {
                self.unit(loc, Column::Cooperation, line);
            }
        }
        out
    }

    pub(super) fn responsibilities(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
    ) -> Vec<Responsibility> {
        let mut out = text::parse_responsibilities(cells.get(Column::Responsibilities));
        let basis = cells.get(Column::ResponsibilityBasis);
        if basis.is_empty() {
            return out;
        }
        if out.is_empty() {
            self.problems.push(loc.problem(
                Some(Column::ResponsibilityBasis),
                Severity::Warning,
                "basis_without_entry",
                "填写了责任事项依据但没有责任事项，依据未导入".to_owned(),
                "responsibility basis without responsibilities was dropped".to_owned(),
            ));
            return out;
        }
        match text::sections(basis) {
            Sections::Blob(blob) => {
                let refs = text::parse_refs(&blob);
                for r in &mut out {
                    r.basis = refs.clone();
                }
            }
            Sections::Numbered(parts) => {
                for (number, label, body) in parts {
                    let idx = number
                        .map(|n| n as usize - 1)
                        .filter(|i| *i < out.len())
                        .or_else(|| out.iter().position(|r| r.stage == label));
                    match idx {
                        Some(i) => out[i].basis.extend(text::parse_refs(&body)),
                        None => self.unmatched_section(loc, Column::ResponsibilityBasis, label),
                    }
                }
            }
        }
        out
    }

    pub(super) fn unmatched_section(&mut self, loc: &Loc<'_>, col: Column, label: &str) {
        self.problems.push(loc.problem(
            Some(col),
            Severity::Warning,
            "unmatched_section",
            format!("“{label}”一段找不到对应的条目，未导入"),
            format!("section {label} matches no entry and was dropped"),
        ));
    }

    pub(super) fn accountability(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
    ) -> Vec<Accountability> {
        let situations = text::parse_situations(cells.get(Column::AccountabilitySituations));
        let basis = cells.get(Column::AccountabilityBasis);
        let parties = cells.get(Column::AccountabilityParties);
        let mut out: Vec<Accountability> = situations
            .into_iter()
            .map(|situation| Accountability { situation, basis: Vec::new(), parties: Vec::new() })
            .collect();
        if out.is_empty() && !(basis.is_empty() && parties.is_empty()) {
            self.problems.push(loc.problem(
                Some(Column::AccountabilitySituations),
                Severity::Warning,
                "missing_situation",
                "填写了追责依据或追责对象，但追责情形为空".to_owned(),
                "accountability basis or parties without a situation".to_owned(),
            ));
            out.push(Accountability {
                situation: String::new(),
                basis: Vec::new(),
                parties: Vec::new(),
            });
        }
        for (col, text) in
            [(Column::AccountabilityBasis, basis), (Column::AccountabilityParties, parties)]
        {
            if text.is_empty() {
                continue;
            }
            let parse = |t: &str, a: &mut Accountability| {
                if col == Column::AccountabilityBasis {
                    a.basis.extend(text::parse_refs(t));
                } else {
                    a.parties.extend(text::parse_parties(t));
                }
            };
            match text::sections(text) {
                Sections::Blob(blob) => out.iter_mut().for_each(|a| parse(&blob, a)),
                Sections::Numbered(parts) => {
                    for (number, label, body) in parts {
                        match number.map(|n| n as usize - 1).filter(|i| *i < out.len()) {
                            Some(i) => parse(&body, &mut out[i]),
                            None => self.unmatched_section(loc, col, label),
                        }
                    }
                }
            }
        }
        out
    }

    pub(super) fn service(&mut self, cells: &RowCells<'_>, loc: &Loc<'_>) -> Option<ServiceInfo> {
        if SERVICE_COLUMNS.iter().all(|c| cells.get(*c).is_empty()) {
            return None;
        }
        let mut limit = |col: Column| match cells.get(col) {
            "" => None,
            raw => match TimeLimit::parse(raw) {
                Ok(l) => Some(l),
                Err(e) => {
                    self.invalid(loc, col, &e);
                    None
                }
            },
        };
        let statutory_limit = limit(Column::StatutoryLimit);
        let committed_limit = limit(Column::CommittedLimit);
        let fee = match cells.get(Column::Fee) {
            "" | "不收费" | "免费" | "无" | "否" | "免收" => None,
            other => Some(other.to_owned()),
        };
        let trips = match cells.get(Column::Trips) {
            "" => None,
            "零跑动" | "零次" => Some(0),
            "最多跑一次" | "一次" => Some(1),
            raw => {
                let digits: String = raw.chars().take_while(char::is_ascii_digit).collect();
                match digits.parse::<u8>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        self.problems.push(loc.problem(
                            Some(Column::Trips),
                            Severity::Error,
                            "invalid_value",
                            format!("到办事现场次数“{raw}”不是0至255之间的次数"),
                            format!("trips {raw} is not a count"),
                        ));
                        None
                    }
                }
            }
        };
        let sessions = match cells.get(Column::Sessions) {
            "" | "无" | "随到随办" => None,
            raw => match SessionDays::parse(raw) {
                Ok(s) => Some(s),
                Err(e) => {
                    self.invalid(loc, Column::Sessions, &e);
                    None
                }
            },
        };
        Some(ServiceInfo {
            conditions: cells.opt(Column::Conditions),
            materials: text::parse_materials(cells.get(Column::Materials)),
            statutory_limit,
            committed_limit,
            fee,
            channels: text::parse_parties(cells.get(Column::Channels)),
            place: cells.opt(Column::Place),
            phone: cells.opt(Column::Phone),
            trips,
            sessions,
        })
    }

    /// Records an item with the findings of [`ItemContent::issues`] at their columns.
    pub(crate) fn push_item(
        &mut self,
        loc: &Loc<'_>,
        headers: &BTreeMap<Column, String>,
        item: ExchangeItem,
    ) {
        self.content_problems(loc, headers, &item.content);
        self.items.push(ImportedItem { sheet: loc.sheet.to_owned(), row: loc.row, item });
    }

    /// The findings of [`ItemContent::issues`], each at its column. An empty name is reported
    /// once, by the row's own check.
    pub(super) fn content_problems(
        &mut self,
        loc: &Loc<'_>,
        headers: &BTreeMap<Column, String>,
        content: &ItemContent,
    ) {
        for issue in content.issues() {
            if issue.code == "empty_name"
                && self.problems.iter().rev().any(|p| {
                    p.row == Some(loc.row) && p.sheet == loc.sheet && p.code == "missing_name"
                })
            {
                continue;
            }
            let col = match issue.field.as_str() {
                "name" => Some(Column::Name),
                "impl_code" if headers.contains_key(&Column::ImplCode) => Some(Column::ImplCode),
                "impl_code" => Some(Column::Code),
                "legal_basis" => Some(Column::LegalBasis),
                "responsibilities" => Some(Column::Responsibilities),
                "accountability" => Some(Column::AccountabilitySituations),
                _ => None,
            };
            self.problems.push(loc.problem(
                col,
                issue.severity,
                &issue.code,
                issue.message_zh,
                issue.message_en,
            ));
        }
    }

    /// Adds duplicate findings across the whole file (one file is one list) and sorts problems.
    pub(crate) fn finish(mut self) -> Imported {
        if self.sheets_with_header == 0 {
            for p in self.problems.iter_mut().filter(|p| p.code == "no_header") {
                p.severity = Severity::Error;
            }
        }
        let mut by_name: HashMap<(&str, &str), usize> = HashMap::new();
        let mut by_impl: HashMap<&ImplCode, usize> = HashMap::new();
        let mut by_base: HashMap<(UnitId, &BaseCode), usize> = HashMap::new();
        let mut by_local: HashMap<(&str, UnitId, &str), usize> = HashMap::new();
        let mut found: Vec<(usize, usize, Column, Severity, &'static str)> = Vec::new();
        // Rows of a 差异声明 repeat template items on purpose (a town does not hold one, or
        // holds it with another duty kind); they are checked against the template by the
        // caller, not as duplicates here.
        for (i, it) in self.items.iter().enumerate().filter(|(_, it)| it.item.variant.is_none()) {
            let c = &it.item.content;
            let key = (c.name.trim(), c.sub_item.as_deref().unwrap_or("").trim());
            if let Some(&j) = by_name.get(&key) {
                let same_holder = self.items[j].item.content.holder == c.holder;
                let severity = if same_holder { Severity::Error } else { Severity::Warning };
                found.push((i, j, Column::Name, severity, "duplicate_item"));
            } else {
                by_name.insert(key, i);
            }
            if let Some(code) = &c.impl_code
                && let Some(j) = by_impl.insert(code, i)
            {
                found.push((i, j, Column::ImplCode, Severity::Error, "duplicate_code"));
            }
            if let Some(code) = &c.base_code
                && let Some(j) = by_base.insert((c.holder, code), i)
            {
                found.push((i, j, Column::BaseCode, Severity::Error, "duplicate_code"));
            }
            if let Some(code) = &c.local_code
                && let Some(j) = by_local.insert((it.sheet.as_str(), c.holder, code.as_str()), i)
            {
                found.push((i, j, Column::LocalCode, Severity::Warning, "duplicate_code"));
            }
        }
        let empty = BTreeMap::new();
        let mut dupes = Vec::new();
        for (i, j, col, severity, code) in found {
            let (it, first) = (&self.items[i], &self.items[j]);
            let headers = self.sheet_headers.get(&it.sheet).unwrap_or(&empty);
            let col =
                if headers.contains_key(&col) || col == Column::Name { col } else { Column::Code };
            let loc = Loc { sheet: &it.sheet, row: it.row, headers };
            let what = it.item.content.display_name();
            let (zh, en) = if code == "duplicate_item" && severity == Severity::Warning {
                (
                    format!(
                        "“{what}”与工作表“{}”第{}行同名，但实施主体不同，请核对",
                        first.sheet, first.row
                    ),
                    format!(
                        "{what} has the same name as row {} of {} with another holder",
                        first.row, first.sheet
                    ),
                )
            } else {
                (
                    format!("“{what}”与工作表“{}”第{}行重复", first.sheet, first.row),
                    format!("{what} duplicates row {} of {}", first.row, first.sheet),
                )
            };
            dupes.push(loc.problem(Some(col), severity, code, zh, en));
        }
        self.problems.extend(dupes);
        let order = &self.sheet_order;
        self.problems.sort_by_key(|p| {
            (order.get(&p.sheet).copied().unwrap_or(usize::MAX), p.row.unwrap_or(0))
        });
        Imported { items: self.items, problems: self.problems }
    }
}
