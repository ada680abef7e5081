//! 门户 — what the public pages show: the choices of their filters, a page of the items in
//! force by unit, category and duty kind, and 办事指南, one item as it is in force on a day
//! (conditions, materials, time limits, fees, place, legal basis, responsibilities and
//! accountability) with who may exercise it, in which town and how (the authority index).
//! The web crate only renders these.

use chrono::NaiveDate;
use quanze_core::authority::{Exercise, Source};
use quanze_core::{ItemId, ListScope, PowerCategory, Unit, UnitId};

use crate::catalog::Catalog;
use crate::lists::ItemQuery;
use crate::{ErrorCode, Service, ServiceError, ServiceResult};

/// One choice of a filter: the value a form sends and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterChoice {
    /// What the form sends.
    pub value: String,
    /// What the reader sees.
    pub label: String,
}

/// The choices of the portal's filters.
#[derive(Debug, Clone)]
pub struct PortalFilters {
    /// County departments and other units that are not township-level (value: unit id).
    pub departments: Vec<FilterChoice>,
    /// Towns and subdistricts (value: unit id).
    pub towns: Vec<FilterChoice>,
    /// Towns and subdistricts (value: region code, what search filters by).
    pub town_regions: Vec<FilterChoice>,
    /// Categories (value: the serde name, `licensing`, `public_service`).
    pub categories: Vec<FilterChoice>,
    /// Duty kinds of a township list (value: `own`, `cooperate`, `reclaimed`).
    pub duties: Vec<FilterChoice>,
}

/// A category's value in a query string: its serde name.
pub fn category_value(c: PowerCategory) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The duty kinds a reader can pick.
const DUTIES: [(&str, &str); 3] =
    [("own", "基本履职"), ("cooperate", "配合履职"), ("reclaimed", "上级部门收回")];

/// What the browsing page asks for, as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct BrowseRequest {
    /// A unit's id.
    pub unit: Option<String>,
    /// A category's serde name.
    pub category: Option<String>,
    /// `own`, `cooperate` or `reclaimed`.
    pub duty: Option<String>,
    /// The day (default today).
    pub date: Option<NaiveDate>,
    /// Items to skip.
    pub offset: usize,
    /// Items to give (1–500).
    pub limit: usize,
}

/// One item of a browsing page.
#[derive(Debug, Clone)]
pub struct BrowseRow {
    /// The item.
    pub item: ItemId,
    /// 事项名称.
    pub name: String,
    /// 事项类型.
    pub category: &'static str,
    /// 实施主体 as the unit browsed holds it.
    pub holder: String,
    /// 履职类型.
    pub duty: &'static str,
    /// 承诺时限 (else the statutory one), or empty.
    pub committed: String,
}

/// A page of the items in force.
#[derive(Debug, Clone)]
pub struct BrowsePage {
    /// The unit browsed, when one was.
    pub unit: Option<(UnitId, String)>,
    /// Whether that unit is a town (its rows have duty kinds and read as the town holds them).
    pub township: bool,
    /// The day.
    pub on: NaiveDate,
    /// Items matching in all.
    pub total: usize,
    /// The page.
    pub rows: Vec<BrowseRow>,
}

/// One legal provision as a reader sees it: the title and article, and the quoted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasisLine {
    /// 《title》（edition）第N条第M款.
    pub cite: String,
    /// The quoted provision, when the list quotes it.
    pub quote: Option<String>,
}

impl BasisLine {
    fn of(r: &quanze_core::LegalRef) -> BasisLine {
        let cite = quanze_core::LegalRef { quote: None, ..r.clone() }.to_string();
        BasisLine { cite, quote: r.quote.clone() }
    }

    fn all(refs: &[quanze_core::LegalRef]) -> Vec<BasisLine> {
        refs.iter().map(BasisLine::of).collect()
    }
}

/// 责任事项 of one stage.
#[derive(Debug, Clone)]
pub struct StageDuty {
    /// 受理, 审查, 决定 …
    pub stage: String,
    /// What must be done.
    pub content: String,
    /// Its legal basis.
    pub basis: Vec<BasisLine>,
}

/// 追责情形.
#[derive(Debug, Clone)]
pub struct AccountabilityLine {
    /// The situation.
    pub situation: String,
    /// 追责依据.
    pub basis: Vec<BasisLine>,
    /// 追责对象, joined with 、.
    pub parties: String,
}

/// 申请材料, one row.
#[derive(Debug, Clone)]
pub struct MaterialLine {
    /// Name.
    pub name: String,
    /// 纸质/电子 …, or empty.
    pub form: String,
    /// Copies, or empty.
    pub copies: String,
    /// 必要 or 非必要.
    pub required: bool,
    /// Obtained by data sharing (免提交).
    pub shared: bool,
}

/// The service part of a guide, for items citizens and firms apply for.
#[derive(Debug, Clone)]
pub struct ServiceGuide {
    /// 受理条件.
    pub conditions: Option<String>,
    /// 申请材料.
    pub materials: Vec<MaterialLine>,
    /// 法定办结时限, or 法律未规定.
    pub statutory_limit: String,
    /// 承诺办结时限, or the statutory one when none is committed.
    pub committed_limit: String,
    /// 收费标准及依据, or 不收费.
    pub fee: String,
    /// 办理形式, joined with 、.
    pub channels: String,
    /// 办理地点.
    pub place: Option<String>,
    /// 咨询电话.
    pub phone: Option<String>,
    /// 到办事现场次数.
    pub trips: Option<String>,
    /// 定期审批: the days it is decided on.
    pub sessions: Option<String>,
}

/// Who may exercise the item on the day: one unit.
#[derive(Debug, Clone)]
pub struct HolderLine {
    /// The unit's id.
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Whether it is a town or subdistrict.
    pub township: bool,
    /// 以自己名义行使, 以委托机关名义行使 …
    pub exercise: &'static str,
    /// The department it acts for or with (委托, 审核, 窗口受理, 配合), when there is one.
    pub department: Option<String>,
    /// 本级清单 or 赋权下放.
    pub source: &'static str,
    /// Towns where a department no longer exercises it (the power passed to them).
    pub except_in: String,
}

/// A published list the item is on.
#[derive(Debug, Clone)]
pub struct ListLine {
    /// The list's (or the town's list's) title.
    pub title: String,
    /// 第N版 · 文号.
    pub version: String,
    /// Its printable page.
    pub print: String,
}

/// 办事指南 — one item as published on a day.
#[derive(Debug, Clone)]
pub struct GuideView {
    /// The item.
    pub item: ItemId,
    /// 事项名称 (主项（子项）).
    pub name: String,
    /// 事项类型.
    pub category: &'static str,
    /// Codes with their labels (基本编码, 实施编码, 地方编码).
    pub codes: Vec<(&'static str, String)>,
    /// 实施主体, as the unit read for holds it.
    pub holder: String,
    /// 业务指导部门, for a town's 基本履职 entry.
    pub guide_unit: Option<String>,
    /// 承办机构.
    pub handling_office: Option<String>,
    /// 权力来源.
    pub source: &'static str,
    /// 行使层级.
    pub level: &'static str,
    /// 设定依据.
    pub basis: Vec<BasisLine>,
    /// 配合部门 and their duty.
    pub cooperation: Vec<(String, String)>,
    /// 责任事项.
    pub responsibilities: Vec<StageDuty>,
    /// 追责情形.
    pub accountability: Vec<AccountabilityLine>,
    /// The service guide, for items with service fields.
    pub service: Option<ServiceGuide>,
    /// 备注.
    pub remarks: Option<String>,
    /// Who may exercise it on the day (departments first, then towns).
    pub holders: Vec<HolderLine>,
    /// The published lists it is on.
    pub lists: Vec<ListLine>,
    /// The day.
    pub on: NaiveDate,
    /// The town the guide is read for, when one was asked for and holds it.
    pub town: Option<String>,
}

impl Service {
    /// The choices of the portal's filters, units in name order.
    pub fn portal_filters(&self) -> PortalFilters {
        let catalog = self.catalog();
        let choice = |value: String, label: &str| FilterChoice { value, label: label.to_owned() };
        let (towns, departments): (Vec<_>, Vec<_>) =
            catalog.units.iter().partition(|u| u.kind.is_township_level());
        PortalFilters {
            departments: departments.iter().map(|u| choice(u.id.to_string(), &u.name)).collect(),
            towns: towns.iter().map(|u| choice(u.id.to_string(), &u.name)).collect(),
            town_regions: towns.iter().map(|u| choice(u.region.to_string(), &u.name)).collect(),
            categories: PowerCategory::ALL
                .iter()
                .map(|c| choice(category_value(*c), c.zh()))
                .collect(),
            duties: DUTIES.iter().map(|(v, l)| choice((*v).to_owned(), l)).collect(),
        }
    }

    /// 事项浏览 — a page of the items in force on a day, of one unit (as it holds them) or of
    /// the whole county, by category and duty kind. A unit or category that does not exist is
    /// refused with a Chinese message naming the field.
    pub fn browse_items(&self, request: &BrowseRequest) -> ServiceResult<BrowsePage> {
        let catalog = self.catalog();
        let on = request.date.unwrap_or_else(|| self.today());
        let refuse = |zh: &str, en: &str| ServiceError::rejected(ErrorCode::InvalidQuery, zh, en);
        let unit = match request.unit.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(
                raw.parse::<UnitId>()
                    .ok()
                    .and_then(|id| catalog.unit(id))
                    .ok_or_else(|| refuse("单位：没有这个单位", "unit: no such unit"))?,
            ),
        };
        let category = match request.category.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(
                PowerCategory::ALL.into_iter().find(|c| category_value(*c) == raw).ok_or_else(
                    || refuse("事项类型：没有这个事项类型", "category: no such category"),
                )?,
            ),
        };
        let duty = match request.duty.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(d) if DUTIES.iter().any(|(code, _)| *code == d) => Some(d.to_owned()),
            Some(_) => {
                return Err(refuse(
                    "履职类型：应为基本履职、配合履职或上级部门收回",
                    "duty: must be own, cooperate or reclaimed",
                ));
            }
        };
        let page = self.items(&ItemQuery {
            unit: unit.map(|u| u.id),
            category,
            duty,
            text: None,
            date: Some(on),
            offset: request.offset,
            limit: request.limit,
        })?;
        let name = |u: UnitId| unit_name(&catalog, u);
        let rows = page
            .items
            .iter()
            .map(|v| BrowseRow {
                item: v.item,
                name: v.content.display_name(),
                category: v.content.category.zh(),
                holder: name(v.content.holder()),
                duty: v.duty.zh(),
                committed: v
                    .content
                    .service
                    .as_ref()
                    .and_then(|s| s.committed_limit.or(s.statutory_limit))
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
            })
            .collect();
        Ok(BrowsePage {
            unit: unit.map(|u| (u.id, u.name.clone())),
            township: unit.is_some_and(|u| u.kind.is_township_level()),
            on,
            total: page.total,
            rows,
        })
    }

    /// 办事指南 — the item as published on `date` (default today), read for `town` when that
    /// town holds it (its 实施主体 is then the town), otherwise for the department that holds
    /// it, or the first town. Not found when no published list has it on that day: the
    /// portal shows only what is in force.
    pub fn item_guide(
        &self,
        item: ItemId,
        town: Option<UnitId>,
        date: Option<NaiveDate>,
    ) -> ServiceResult<GuideView> {
        let catalog = self.catalog();
        let on = date.unwrap_or_else(|| self.today());
        let missing =
            || ServiceError::NotFound(format!("事项 {item}（{on}不在任何已公布的清单中）"));
        // Every unit holding it by a published list, departments first.
        let mut by_list: Vec<(&Unit, quanze_core::ListId, quanze_core::ListEntry)> = catalog
            .units
            .iter()
            .filter_map(|u| {
                let (list, entry) = catalog.holdings.holds_in(u.id, item, on)?;
                Some((&**u, list, *entry))
            })
            .collect();
        by_list.sort_by_key(|(u, _, _)| u.kind.is_township_level());
        let chosen = town
            .and_then(|t| by_list.iter().find(|(u, _, _)| u.id == t))
            .or_else(|| by_list.first())
            .ok_or_else(missing)?;
        let (unit, list, entry) = *chosen;
        let content = catalog.content_ref(&entry, Some(unit)).ok_or_else(missing)?;
        let name = |u: UnitId| unit_name(&catalog, u);
        let mut codes = Vec::new();
        if let Some(c) = &content.base_code {
            codes.push(("基本编码", c.to_string()));
        }
        if let Some(c) = &content.impl_code {
            codes.push(("实施编码", c.to_string()));
        }
        if let Some(c) = &content.local_code {
            codes.push(("地方编码", c.clone()));
        }
        let service = content.service.as_ref().map(|s| {
            let statutory = s.statutory_limit.map(|l| l.to_string());
            ServiceGuide {
                conditions: s.conditions.clone(),
                materials: s
                    .materials
                    .iter()
                    .map(|m| MaterialLine {
                        name: m.name.clone(),
                        form: m.form.clone().unwrap_or_default(),
                        copies: m.copies.map(|n| format!("{n}份")).unwrap_or_default(),
                        required: m.required,
                        shared: m.shared,
                    })
                    .collect(),
                committed_limit: s
                    .committed_limit
                    .map(|l| l.to_string())
                    .or_else(|| statutory.clone())
                    .unwrap_or_else(|| "—".to_owned()),
                statutory_limit: statutory.unwrap_or_else(|| "法律未规定".to_owned()),
                fee: s.fee.clone().unwrap_or_else(|| "不收费".to_owned()),
                channels: s.channels.join("、"),
                place: s.place.clone(),
                phone: s.phone.clone(),
                trips: s.trips.map(|n| format!("{n}次")),
                sessions: s.sessions.clone().map(String::from),
            }
        });
        let town_chosen = unit.kind.is_township_level() && town == Some(unit.id);
        Ok(GuideView {
            item,
            name: content.display_name(),
            category: content.category.zh(),
            codes,
            holder: name(content.holder()),
            guide_unit: content.guide().map(name),
            handling_office: content.handling_office.clone(),
            source: content.source.zh(),
            level: content.level.zh(),
            basis: BasisLine::all(&content.legal_basis),
            cooperation: content
                .cooperation
                .iter()
                .map(|c| (name(c.unit), c.duty.clone()))
                .collect(),
            responsibilities: content
                .responsibilities
                .iter()
                .map(|r| StageDuty {
                    stage: r.stage.clone(),
                    content: r.content.clone(),
                    basis: BasisLine::all(&r.basis),
                })
                .collect(),
            accountability: content
                .accountability
                .iter()
                .map(|a| AccountabilityLine {
                    situation: a.situation.clone(),
                    basis: BasisLine::all(&a.basis),
                    parties: a.parties.join("、"),
                })
                .collect(),
            service,
            remarks: content.remarks.clone(),
            holders: holders(&catalog, item, on),
            lists: lists(&catalog, &by_list, on, (list, unit)),
            on,
            town: town_chosen.then(|| unit.name.clone()),
        })
    }
}

fn unit_name(catalog: &Catalog, u: UnitId) -> String {
    catalog.unit(u).map_or_else(|| u.to_string(), |u| u.name.clone())
}

/// 法无授权不可为: every unit the authority index says may exercise the item on the day, and
/// how — by its lists and by active grants alike. Departments first, then towns, by name.
fn holders(catalog: &Catalog, item: ItemId, on: NaiveDate) -> Vec<HolderLine> {
    let mut out: Vec<HolderLine> = catalog
        .units
        .iter()
        .filter_map(|u| {
            let a = catalog.authority.holds(u.id, item, on)?;
            let department = match a.exercise {
                Exercise::OwnName => None,
                Exercise::InNameOf { department }
                | Exercise::ReviewOnly { department }
                | Exercise::AcceptOnly { department } => Some(department),
                Exercise::Cooperate { lead } => Some(lead),
            };
            Some(HolderLine {
                unit: u.id,
                name: u.name.clone(),
                township: u.kind.is_township_level(),
                exercise: a.exercise.zh(),
                department: department.map(|d| unit_name(catalog, d)),
                source: match a.source {
                    Source::List { .. } => "本级权责清单",
                    Source::Grant { .. } => "赋权下放",
                },
                except_in: a
                    .except_in
                    .iter()
                    .map(|t| unit_name(catalog, *t))
                    .collect::<Vec<_>>()
                    .join("、"),
            })
        })
        .collect();
    out.sort_by(|a, b| a.township.cmp(&b.township).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The published lists the item is on: each list once (a township template once, read for
/// the town the guide is read for, else the first town holding it).
fn lists(
    catalog: &Catalog,
    by_list: &[(&Unit, quanze_core::ListId, quanze_core::ListEntry)],
    on: NaiveDate,
    chosen: (quanze_core::ListId, &Unit),
) -> Vec<ListLine> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let firsts = std::iter::once(chosen).chain(by_list.iter().map(|(u, l, _)| (*l, *u)));
    for (list_id, unit) in firsts {
        if !seen.insert(list_id) {
            continue;
        }
        let (Some(list), Some(version)) = (catalog.list(list_id), catalog.version_on(list_id, on))
        else {
            continue;
        };
        let (title, print) = match list.scope {
            ListScope::TownshipTemplate { .. } => (
                format!("{}（{}）", list.name, unit.name),
                format!("/lists/{}/print?town={}", list.id, unit.id),
            ),
            ListScope::Unit { .. } => (list.name.clone(), format!("/lists/{}/print", list.id)),
        };
        let doc = version.doc_no.as_ref().map_or_else(String::new, |d| format!(" · {d}"));
        out.push(ListLine { title, version: format!("第{}版{doc}", version.number), print });
    }
    out
}

/// A published list in the portal's index of lists.
#[derive(Debug, Clone)]
pub struct PublicList {
    /// The list.
    pub id: quanze_core::ListId,
    /// Its title.
    pub name: String,
    /// 部门权责清单 or 乡镇通用目录.
    pub kind: &'static str,
    /// The version in force today (第N版 · 自D起 · 文号), or empty.
    pub in_force: String,
    /// Versions published (in force, superseded or to come).
    pub published: usize,
}

/// One published version in a list's history.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// 第N版.
    pub number: u32,
    /// 已公布 or 已废止.
    pub status: &'static str,
    /// In force today.
    pub in_force: bool,
    /// 起施行日期.
    pub from: String,
    /// 废止日期, or empty.
    pub until: String,
    /// 文号, or empty.
    pub doc: String,
    /// Items.
    pub items: usize,
    /// The version's printable page (the list on its first day in force).
    pub print: String,
    /// The number of the version before it, to compare with.
    pub previous: Option<u32>,
}

/// 版本历史 — a list's published versions, newest first. Drafts are not public.
#[derive(Debug, Clone)]
pub struct ListHistory {
    /// The list.
    pub id: quanze_core::ListId,
    /// Its title.
    pub name: String,
    /// 部门权责清单 or 乡镇通用目录.
    pub kind: &'static str,
    /// Newest first.
    pub versions: Vec<HistoryLine>,
}

/// One line of a field's value, marked when the other side does not have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffText {
    /// The text.
    pub text: String,
    /// Only on this side.
    pub changed: bool,
}

/// One changed field of an item, as text a reader follows.
#[derive(Debug, Clone)]
pub struct FieldDiff {
    /// The field's Chinese label.
    pub label: String,
    /// The lines before.
    pub before: Vec<DiffText>,
    /// The lines after.
    pub after: Vec<DiffText>,
}

/// An item changed between two versions.
#[derive(Debug, Clone)]
pub struct ItemDiff {
    /// The item.
    pub item: ItemId,
    /// Its name (after).
    pub name: String,
    /// The fields that changed.
    pub fields: Vec<FieldDiff>,
}

/// 版本比较 — what changed between two published versions of a list, readably.
#[derive(Debug, Clone)]
pub struct ReadableDiff {
    /// The list.
    pub list: quanze_core::ListId,
    /// Its title.
    pub name: String,
    /// 第N版 (自D起) before.
    pub from: String,
    /// 第N版 (自D起) after.
    pub to: String,
    /// Items added (id, name).
    pub added: Vec<(ItemId, String)>,
    /// Items removed (id, name).
    pub removed: Vec<(ItemId, String)>,
    /// Items changed.
    pub changed: Vec<ItemDiff>,
    /// Items the same on both sides.
    pub unchanged: usize,
}

fn list_kind(list: &quanze_core::PowerList) -> &'static str {
    match list.scope {
        ListScope::TownshipTemplate { .. } => "乡镇通用目录",
        ListScope::Unit { .. } => "部门权责清单",
    }
}

fn public_versions(
    catalog: &Catalog,
    list: quanze_core::ListId,
) -> impl Iterator<Item = &quanze_core::ListVersion> {
    catalog.versions(list).iter().filter(|v| v.status != quanze_core::VersionStatus::Draft)
}

fn version_label(v: &quanze_core::ListVersion) -> String {
    match v.effective_from {
        Some(d) => format!("第{}版（自{d}起施行）", v.number),
        None => format!("第{}版", v.number),
    }
}

impl Service {
    /// Every list with a published version, in name order.
    pub fn public_lists(&self) -> Vec<PublicList> {
        let catalog = self.catalog();
        let today = self.today();
        catalog
            .lists
            .iter()
            .filter_map(|l| {
                let published = public_versions(&catalog, l.id).count();
                (published > 0).then(|| PublicList {
                    id: l.id,
                    name: l.name.clone(),
                    kind: list_kind(l),
                    in_force: catalog
                        .version_on(l.id, today)
                        .map(version_label)
                        .unwrap_or_default(),
                    published,
                })
            })
            .collect()
    }

    /// 版本历史 — a list's published versions, newest first.
    pub fn list_history(&self, id: quanze_core::ListId) -> ServiceResult<ListHistory> {
        let catalog = self.catalog();
        let today = self.today();
        let published: Vec<&quanze_core::ListVersion> = public_versions(&catalog, id).collect();
        // A list with only drafts is not public: not even its name.
        let list = catalog
            .list(id)
            .filter(|_| !published.is_empty())
            .ok_or_else(|| ServiceError::NotFound(format!("已公布的清单 {id}")))?;
        let mut versions: Vec<HistoryLine> = published
            .iter()
            .enumerate()
            .map(|(i, v)| HistoryLine {
                number: v.number,
                status: v.status.zh(),
                in_force: v.in_force_on(today),
                from: v.effective_from.map(|d| d.to_string()).unwrap_or_default(),
                until: v.effective_until.map(|d| d.to_string()).unwrap_or_default(),
                doc: v.doc_no.as_ref().map(ToString::to_string).unwrap_or_default(),
                items: v.entries.len(),
                print: match v.effective_from {
                    Some(d) => format!("/lists/{id}/print?date={d}"),
                    None => format!("/lists/{id}/print"),
                },
                previous: i.checked_sub(1).map(|p| published[p].number),
            })
            .collect();
        versions.reverse();
        Ok(ListHistory { id, name: list.name.clone(), kind: list_kind(list), versions })
    }

    /// 版本比较 — what changed from published version `from` to `to` of a list, each changed
    /// field as lines of text with the lines only one side has marked. A draft, or a number
    /// the list has not published, is not found: only what was published is public.
    pub fn readable_diff(
        &self,
        id: quanze_core::ListId,
        from: u32,
        to: u32,
    ) -> ServiceResult<ReadableDiff> {
        let catalog = self.catalog();
        let list = catalog.list(id).ok_or_else(|| ServiceError::NotFound(format!("清单 {id}")))?;
        let find = |n: u32| {
            public_versions(&catalog, id)
                .find(|v| v.number == n)
                .ok_or_else(|| ServiceError::NotFound(format!("该清单已公布的第{n}版")))
        };
        let (a, b) = (find(from)?, find(to)?);
        let d = self.diff_versions(a.id, b.id)?;
        let name = |u: UnitId| unit_name(&catalog, u);
        Ok(ReadableDiff {
            list: id,
            name: list.name.clone(),
            from: version_label(a),
            to: version_label(b),
            added: d.added.into_iter().map(|r| (r.item, r.name)).collect(),
            removed: d.removed.into_iter().map(|r| (r.item, r.name)).collect(),
            changed: d
                .changed
                .into_iter()
                .map(|c| ItemDiff {
                    item: c.item,
                    name: c.name,
                    fields: c
                        .fields
                        .iter()
                        .map(|f| {
                            let before = readable(&f.field, &f.before, &name);
                            let after = readable(&f.field, &f.after, &name);
                            FieldDiff {
                                label: f.label.clone(),
                                before: mark(&before, &after),
                                after: mark(&after, &before),
                            }
                        })
                        .collect(),
                })
                .collect(),
            unchanged: d.unchanged,
        })
    }
}

/// The lines of `this`, each marked when `other` does not have it.
fn mark(this: &[String], other: &[String]) -> Vec<DiffText> {
    this.iter()
        .map(|text| DiffText { text: text.clone(), changed: !other.contains(text) })
        .collect()
}

/// A field's value as lines a reader follows (the typed field read back from its JSON), or
/// the JSON itself for a field without a reading of its own.
fn readable(
    field: &str,
    value: &serde_json::Value,
    unit: &dyn Fn(UnitId) -> String,
) -> Vec<String> {
    use quanze_core::item::{Accountability, Cooperation, Responsibility, ServiceInfo};
    use quanze_core::{ExerciseLevel, LegalRef, PowerSource, list::DutyKind};
    fn read<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Option<T> {
        serde_json::from_value(v.clone()).ok()
    }
    let lines: Option<Vec<String>> = match (field, value) {
        (_, serde_json::Value::Null) => Some(vec!["（无）".to_owned()]),
        (_, serde_json::Value::String(s))
            if field != "category" && field != "source" && field != "level" =>
        {
            Some(vec![s.clone()])
        }
        ("legal_basis", v) => {
            read::<Vec<LegalRef>>(v).map(|r| r.iter().map(ToString::to_string).collect())
        }
        ("responsibilities", v) => read::<Vec<Responsibility>>(v)
            .map(|r| r.iter().map(|r| format!("{}：{}", r.stage, r.content)).collect()),
        ("accountability", v) => read::<Vec<Accountability>>(v).map(|a| {
            a.iter().map(|a| format!("{}（{}）", a.situation, a.parties.join("、"))).collect()
        }),
        ("cooperation", v) => read::<Vec<Cooperation>>(v)
            .map(|c| c.iter().map(|c| format!("{}：{}", unit(c.unit), c.duty)).collect()),
        ("holder", v) => read::<UnitId>(v).map(|u| vec![unit(u)]),
        ("category", v) => read::<PowerCategory>(v).map(|c| vec![c.zh().to_owned()]),
        ("source", v) => read::<PowerSource>(v).map(|s| vec![s.zh().to_owned()]),
        ("level", v) => read::<ExerciseLevel>(v).map(|l| vec![l.zh().to_owned()]),
        ("duty", v) => read::<DutyKind>(v).map(|d| vec![d.zh().to_owned()]),
        ("service", v) => read::<ServiceInfo>(v).map(|s| {
            let mut out = Vec::new();
            out.extend(s.conditions.map(|c| format!("受理条件：{c}")));
            if !s.materials.is_empty() {
                let names: Vec<&str> = s.materials.iter().map(|m| m.name.as_str()).collect();
                out.push(format!("申请材料：{}", names.join("、")));
            }
            out.extend(s.statutory_limit.map(|l| format!("法定办结时限：{l}")));
            out.extend(s.committed_limit.map(|l| format!("承诺办结时限：{l}")));
            out.push(format!("收费：{}", s.fee.unwrap_or_else(|| "不收费".to_owned())));
            if !s.channels.is_empty() {
                out.push(format!("办理形式：{}", s.channels.join("、")));
            }
            out.extend(s.place.map(|p| format!("办理地点：{p}")));
            out.extend(s.phone.map(|p| format!("咨询电话：{p}")));
            out.extend(s.sessions.map(|d| format!("定期审批：{}", String::from(d))));
            out
        }),
        _ => None,
    };
    lines.unwrap_or_else(|| vec![value.to_string()])
}

/// A proposed change as the public reads it during 公示.
#[derive(Debug, Clone)]
pub struct ConsultChange {
    /// The list it changes.
    pub list_name: String,
    /// The item.
    pub item: ItemId,
    /// The item's name.
    pub name: String,
    /// 新增, 调整, 取消.
    pub action: &'static str,
    /// The fields an amendment changes, joined with 、.
    pub fields: String,
    /// 调整理由.
    pub reason: String,
}

/// 公示 — a change set open for the public's comments today.
#[derive(Debug, Clone)]
pub struct Consultation {
    /// The change set.
    pub id: quanze_core::ChangeSetId,
    /// Its title.
    pub title: String,
    /// The day the changes are to take effect.
    pub effective_on: NaiveDate,
    /// First day of the period.
    pub opens_on: NaiveDate,
    /// Last day comments are received.
    pub until: NaiveDate,
    /// The proposed changes.
    pub changes: Vec<ConsultChange>,
    /// Comments received so far (their texts are not shown: they may name people).
    pub received: usize,
}

/// A version published: one line of the announcements.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The list.
    pub list: quanze_core::ListId,
    /// Its title.
    pub list_name: String,
    /// 第N版.
    pub number: u32,
    /// In force from.
    pub from: String,
    /// 文号.
    pub doc: String,
    /// The version before it, to compare with.
    pub previous: Option<u32>,
}

/// 公告 — the comment periods open today and the latest publications.
#[derive(Debug, Clone)]
pub struct Announcements {
    /// Today.
    pub today: NaiveDate,
    /// Change sets in 公示 whose period includes today.
    pub open: Vec<Consultation>,
    /// The latest publications, newest first (at most 30).
    pub published: Vec<Publication>,
}

impl Service {
    /// 公告 — what the public is told: the change sets in 公示 open today, with their
    /// proposed changes (not the units' internal opinions, nor the comments' texts), and the
    /// latest published versions.
    pub async fn announcements(&self) -> ServiceResult<Announcements> {
        let today = self.today();
        let sets = self.change_sets().await?;
        let open = sets
            .into_iter()
            .filter_map(|v| {
                let period = v.set.comments.as_ref()?;
                let open = v.set.flow.stage == quanze_core::workflow::Stage::PublicComment
                    && period.opens_on <= today
                    && today <= period.until;
                open.then(|| Consultation {
                    id: v.set.id,
                    title: v.set.title.clone(),
                    effective_on: v.set.effective_on,
                    opens_on: period.opens_on,
                    until: period.until,
                    received: period.comments.len(),
                    changes: v
                        .changes
                        .iter()
                        .map(|c| ConsultChange {
                            list_name: c.list_name.clone(),
                            item: c.item,
                            name: c.name.clone(),
                            action: c.action_zh,
                            fields: c
                                .fields
                                .iter()
                                .map(|f| f.label.as_str())
                                .collect::<Vec<_>>()
                                .join("、"),
                            reason: c.reason.clone(),
                        })
                        .collect(),
                })
            })
            .collect();
        let catalog = self.catalog();
        let mut published: Vec<Publication> = catalog
            .lists
            .iter()
            .flat_map(|l| {
                let versions: Vec<&quanze_core::ListVersion> =
                    public_versions(&catalog, l.id).collect();
                versions
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Publication {
                        list: l.id,
                        list_name: l.name.clone(),
                        number: v.number,
                        from: v.effective_from.map(|d| d.to_string()).unwrap_or_default(),
                        doc: v.doc_no.as_ref().map(ToString::to_string).unwrap_or_default(),
                        previous: i.checked_sub(1).map(|p| versions[p].number),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        published.sort_by(|a, b| b.from.cmp(&a.from).then_with(|| a.list_name.cmp(&b.list_name)));
        published.truncate(30);
        Ok(Announcements { today, open, published })
    }
}

/// 职权查询 — who may exercise an item on a day, and how; with one unit's answer when asked.
#[derive(Debug, Clone)]
pub struct AuthorityLookup {
    /// The item.
    pub item: ItemId,
    /// Its name (its newest published version's).
    pub name: String,
    /// The day asked about.
    pub on: NaiveDate,
    /// The unit asked about (id, name), when one was.
    pub unit: Option<(UnitId, String)>,
    /// That unit's answer: how it may exercise the item, or `None` (法无授权不可为).
    pub answer: Option<HolderLine>,
    /// Every unit that may exercise it that day.
    pub holders: Vec<HolderLine>,
}

impl Service {
    /// 职权查询 — "who may do this in town Y on date D, and in whose name", from published
    /// lists and active grants (the authority index), for any day.
    pub fn authority_lookup(
        &self,
        item: ItemId,
        unit: Option<UnitId>,
        date: Option<NaiveDate>,
    ) -> ServiceResult<AuthorityLookup> {
        let catalog = self.catalog();
        let on = date.unwrap_or_else(|| self.today());
        // The public sees an item as published: an item only drafts name is not found.
        let name = catalog
            .public_item_version(item)
            .and_then(|v| catalog.item(item, v))
            .map(|i| i.content.display_name())
            .ok_or_else(|| ServiceError::NotFound(format!("事项 {item}")))?;
        let unit = match unit {
            None => None,
            Some(u) => Some(
                catalog
                    .unit(u)
                    .map(|x| (x.id, x.name.clone()))
                    .ok_or_else(|| ServiceError::NotFound(format!("单位 {u}")))?,
            ),
        };
        let holders = holders(&catalog, item, on);
        let answer =
            unit.as_ref().and_then(|(u, _)| holders.iter().find(|h| h.unit == *u).cloned());
        Ok(AuthorityLookup { item, name, on, unit, answer, holders })
    }
}
