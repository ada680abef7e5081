//! The columns of a published list and the header texts counties use for them.

use crate::units::normalise;

/// 列 — one column of the exchange layout. Import recognises each by several header aliases;
/// export writes [`Column::header`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// 序号 (1, 1-1, (一), 一、).
    Seq,
    /// 事项类型 / 权力类型 / 职权类型 / 权力类别.
    Category,
    /// 事项编码 / 项目编码: classified by length (12 基本编码, 31 实施编码, else local).
    Code,
    /// 基本编码.
    BaseCode,
    /// 实施编码.
    ImplCode,
    /// 地方编码.
    LocalCode,
    /// 事项名称 / 权力名称 / 职权名称 (主项).
    Name,
    /// 子项.
    SubItem,
    /// 设定依据 / 实施依据 / 权力依据 / 职权依据 / 法律依据.
    LegalBasis,
    /// 实施主体 / 责任主体.
    Holder,
    /// 业务指导部门 (a town's list: the department guiding a 基本履职 entry).
    Guide,
    /// 承办机构.
    Office,
    /// 配合部门 / 职责边界.
    Cooperation,
    /// 责任事项.
    Responsibilities,
    /// 责任事项依据.
    ResponsibilityBasis,
    /// 追责情形.
    AccountabilitySituations,
    /// 追责依据.
    AccountabilityBasis,
    /// 追责对象范围.
    AccountabilityParties,
    /// 权力来源.
    Source,
    /// 行使层级.
    Level,
    /// 履职类型 (基本履职 / 配合履职 / 上级部门收回).
    DutyKind,
    /// 牵头部门 (for 配合履职).
    Lead,
    /// 承接部门 / 收回部门 (for 上级部门收回).
    Receiver,
    /// 受理条件.
    Conditions,
    /// 申请材料.
    Materials,
    /// 法定办结时限.
    StatutoryLimit,
    /// 承诺办结时限.
    CommittedLimit,
    /// 收费标准.
    Fee,
    /// 办理形式.
    Channels,
    /// 办理地点.
    Place,
    /// 咨询电话.
    Phone,
    /// 到办事现场次数.
    Trips,
    /// 审批日 (定期审批: 每周二、周五 / 每月10日、25日).
    Sessions,
    /// 备注.
    Remarks,
    /// 适用范围 (差异声明 only): 标签：蓄滞洪区 or 乡镇：某某镇.
    VariantScope,
    /// 差异 (差异声明 only): 增加 or 不承担.
    VariantChange,
    /// 差异理由 (差异声明 only).
    VariantReason,
}

impl Column {
    /// The header text export writes.
    pub fn header(self) -> &'static str {
        match self {
            Column::Seq => "序号",
            Column::Category => "事项类型",
            Column::Code => "事项编码",
            Column::BaseCode => "基本编码",
            Column::ImplCode => "实施编码",
            Column::LocalCode => "地方编码",
            Column::Name => "事项名称",
            Column::SubItem => "子项",
            Column::LegalBasis => "设定依据",
            Column::Holder => "实施主体",
            Column::Guide => "业务指导部门",
            Column::Office => "承办机构",
            Column::Cooperation => "配合部门",
            Column::Responsibilities => "责任事项",
            Column::ResponsibilityBasis => "责任事项依据",
            Column::AccountabilitySituations => "追责情形",
            Column::AccountabilityBasis => "追责依据",
            Column::AccountabilityParties => "追责对象范围",
            Column::Source => "权力来源",
            Column::Level => "行使层级",
            Column::DutyKind => "履职类型",
            Column::Lead => "牵头部门",
            Column::Receiver => "承接部门",
            Column::Conditions => "受理条件",
            Column::Materials => "申请材料",
            Column::StatutoryLimit => "法定办结时限",
            Column::CommittedLimit => "承诺办结时限",
            Column::Fee => "收费标准",
            Column::Channels => "办理形式",
            Column::Place => "办理地点",
            Column::Phone => "咨询电话",
            Column::Trips => "到办事现场次数",
            Column::Sessions => "审批日",
            Column::Remarks => "备注",
            Column::VariantScope => "适用范围",
            Column::VariantChange => "差异",
            Column::VariantReason => "差异理由",
        }
    }

    /// Whether a printed list shows it (the columns of the published list's page: number,
    /// category, name, legal basis, holder, guiding department, responsibilities,
    /// accountability, duty kind; a variant sheet's scope, change and reason).
    pub(crate) fn printed(self) -> bool {
        matches!(
            self,
            Column::Seq
                | Column::VariantScope
                | Column::VariantChange
                | Column::VariantReason
                | Column::Category
                | Column::Name
                | Column::SubItem
                | Column::LegalBasis
                | Column::Holder
                | Column::Guide
                | Column::Responsibilities
                | Column::AccountabilitySituations
                | Column::DutyKind
        )
    }

    /// The column width (in Excel character units) export uses; chosen so that the usual set of
    /// columns fits A4 landscape at a readable scale.
    pub(crate) fn width(self) -> f64 {
        // The usual 16 columns sum to about 200 units; printed one page wide on A4 landscape
        // (about 135 units at 100 %) that is a 65-70 % scale, which stays readable.
        match self {
            Column::Seq => 5.0,
            Column::Level => 5.0,
            Column::Category | Column::Source | Column::DutyKind | Column::Trips => 7.0,
            Column::Sessions => 9.0,
            Column::Code | Column::BaseCode | Column::LocalCode => 10.0,
            Column::ImplCode => 16.0,
            Column::Name => 14.0,
            Column::SubItem => 12.0,
            // The printed columns (`printed`) sum to about 150 units with these two wide: one
            // page wide at about 90 %, and a list's long responsibilities in fewer lines.
            Column::Responsibilities => 40.0,
            Column::LegalBasis => 24.0,
            Column::AccountabilitySituations => 24.0,
            Column::ResponsibilityBasis => 18.0,
            Column::AccountabilityBasis | Column::Materials | Column::Conditions => 16.0,
            Column::Cooperation => 14.0,
            Column::Holder
            | Column::Guide
            | Column::Lead
            | Column::Receiver
            | Column::AccountabilityParties => 10.0,
            Column::Office
            | Column::StatutoryLimit
            | Column::CommittedLimit
            | Column::Fee
            | Column::Channels
            | Column::Place
            | Column::Phone
            | Column::Remarks => 8.0,
            Column::VariantScope => 12.0,
            Column::VariantChange => 6.0,
            Column::VariantReason => 14.0,
        }
    }
}

/// What a header cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderMatch {
    /// A column we read.
    Column(Column),
    /// A column counties publish that this system does not store (运行流程图, 廉政风险点 …).
    NotStored,
}

/// Normalises a header text: no whitespace, no required-field stars, half-width brackets.
fn normalise_header(text: &str) -> String {
    normalise(text).chars().filter(|c| !matches!(c, '*' | '※' | '★')).collect()
}

/// Drops parenthesised parts: 设定依据(法律法规名称及条款) → 设定依据.
fn strip_parens(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in text.chars() {
        match c {
            '(' | '【' | '[' | '〔' => depth += 1,
            ')' | '】' | ']' | '〕' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Recognises one header cell.
pub(crate) fn match_header(text: &str) -> Option<HeaderMatch> {
    let norm = normalise_header(text);
    if norm.is_empty() {
        return None;
    }
    // 事项名称(子项) and 子项名称 name the sub-item; 事项名称(主项) the main item.
    if norm.contains("子项") && !norm.contains("主项") {
        return Some(HeaderMatch::Column(Column::SubItem));
    }
    if norm.contains("主项") && !norm.contains("子项") {
        return Some(HeaderMatch::Column(Column::Name));
    }
    if let Some(m) = match_plain(&norm) {
        return Some(m);
    }
    match_plain(&strip_parens(&norm))
}

fn match_plain(norm: &str) -> Option<HeaderMatch> {
    let col = match norm {
        "序号" | "序" | "顺序号" => Column::Seq,
        "权力类型" | "职权类型" | "事项类型" | "权力类别" | "职权类别" | "事项类别" | "类型"
        | "类别" | "权责类型" | "权责事项类型" => Column::Category,
        "项目编码" | "事项编码" | "编码" | "权力编码" | "职权编码" | "事项编号" | "权力编号"
        | "职权编号" | "权力事项编码" | "权责事项编码" => Column::Code,
        "基本编码" | "事项基本编码" => Column::BaseCode,
        "实施编码" | "事项实施编码" => Column::ImplCode,
        "地方编码" | "本地编码" => Column::LocalCode,
        "权力名称" | "事项名称" | "职权名称" | "项目名称" | "权力事项名称" | "权责事项名称"
        | "权责事项" | "事项" | "职权事项名称" | "名称" => Column::Name,
        "设定依据"
        | "实施依据"
        | "权力依据"
        | "职权依据"
        | "法律依据"
        | "设定和实施依据"
        | "设定依据及实施依据"
        | "行使依据"
        | "法律法规依据"
        | "依据"
        | "法定依据" => Column::LegalBasis,
        "实施主体" | "责任主体" | "行使主体" | "实施部门" | "实施主体名称" | "实施机关" => {
            Column::Holder
        }
        "业务指导部门" | "指导部门" | "业务指导单位" | "业务主管部门" | "行业主管部门" => {
            Column::Guide
        }
        "承办机构" | "内设机构" | "承办科室" | "责任科室" | "承办股室" | "承办机构科室" => {
            Column::Office
        }
        "配合部门"
        | "职责边界"
        | "协同部门"
        | "配合单位"
        | "配合部门及职责"
        | "配合部门职责"
        | "配合部门及职责边界"
        | "部门职责边界" => Column::Cooperation,
        "责任事项" | "责任事项内容" | "职责事项" => Column::Responsibilities,
        "责任事项依据" | "责任依据" => Column::ResponsibilityBasis,
        "追责情形" | "问责情形" | "责任追究情形" | "追究责任情形" => {
            Column::AccountabilitySituations
        }
        "追责依据" | "问责依据" | "责任追究依据" | "追责情形依据" => {
            Column::AccountabilityBasis
        }
        "追责对象范围" | "追责对象" | "追责对象及范围" | "问责对象" => {
            Column::AccountabilityParties
        }
        "权力来源" | "职权来源" | "事项来源" => Column::Source,
        "行使层级" | "层级" | "实施层级" => Column::Level,
        "履职类型" | "职责类型" | "清单类型" | "履职方式" => Column::DutyKind,
        "牵头部门" | "牵头单位" | "主办部门" | "主责部门" => Column::Lead,
        "承接部门" | "收回部门" | "承接单位" | "收回单位" | "收回后承接部门" => {
            Column::Receiver
        }
        "受理条件" | "申请条件" => Column::Conditions,
        "申请材料" | "申请材料目录" | "申报材料" => Column::Materials,
        "法定办结时限" | "法定时限" | "法定期限" => Column::StatutoryLimit,
        "承诺办结时限" | "承诺时限" | "承诺期限" => Column::CommittedLimit,
        "收费标准" | "收费标准及依据" | "是否收费" | "收费依据及标准" => {
            Column::Fee
        }
        "办理形式" | "办理方式" => Column::Channels,
        "办理地点" | "受理地点" => Column::Place,
        "咨询电话" | "咨询方式" => Column::Phone,
        "到办事现场次数" | "跑动次数" | "到现场次数" | "到办事现场次数次" => {
            Column::Trips
        }
        "审批日" | "定期审批" | "集中审批日" | "审批时间" => Column::Sessions,
        "备注" | "说明" => Column::Remarks,
        "适用范围" | "适用乡镇" | "适用对象" => Column::VariantScope,
        "差异" | "差异类型" | "差异内容" | "变更类型" => Column::VariantChange,
        "差异理由" | "差异说明" | "差异原因" => Column::VariantReason,
        "运行流程图" | "流程图" | "廉政风险点" | "风险点" | "防控措施" | "监督方式"
        | "监督电话" | "监督投诉方式" | "办理时间" | "办件类型" | "版本号" | "生效日期" =>
        {
            return Some(HeaderMatch::NotStored);
        }
        _ => return None,
    };
    Some(HeaderMatch::Column(col))
}

/// Recognises a sub-header under a group header: the sub-header alone (追责情形), or the group
/// text joined to it (追责 + 依据 → 追责依据).
pub(crate) fn match_sub_header(group: &str, sub: &str) -> Option<HeaderMatch> {
    let group = normalise_header(group);
    let sub_norm = normalise_header(sub);
    // The joined text first: under 追责, 依据 means 追责依据, not 设定依据.
    if let Some(m) = match_header(&format!("{group}{sub_norm}")) {
        return Some(m);
    }
    // 追究责任 + 情形 → 追责情形; 责任追究 + 对象 → 追责对象.
    if (group.contains('追') || group.contains("问责"))
        && let Some(m) = match_header(&format!("追责{sub_norm}"))
    {
        return Some(m);
    }
    match_header(sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(text: &str) -> Option<Column> {
        match match_header(text) {
            Some(HeaderMatch::Column(c)) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn recognises_aliases() {
        assert_eq!(col("权力名称"), Some(Column::Name));
        assert_eq!(col("事项名称\n（主项）"), Some(Column::Name));
        assert_eq!(col("子项名称"), Some(Column::SubItem));
        assert_eq!(col("权力名称(子项)"), Some(Column::SubItem));
        assert_eq!(col("设定依据（法律法规名称及条款）"), Some(Column::LegalBasis));
        assert_eq!(col("*实施主体"), Some(Column::Holder));
        assert_eq!(col("职 权 类 型"), Some(Column::Category));
        assert_eq!(col("职责边界"), Some(Column::Cooperation));
        assert_eq!(col("收回部门"), Some(Column::Receiver));
        assert_eq!(col("业务指导部门"), Some(Column::Guide));
        assert_eq!(col("行业主管部门"), Some(Column::Guide));
        assert_eq!(col("天气"), None);
        assert_eq!(match_header("廉政风险点"), Some(HeaderMatch::NotStored));
    }

    #[test]
    fn joins_group_headers() {
        let m = |g, s| match_sub_header(g, s);
        assert_eq!(m("追责", "情形"), Some(HeaderMatch::Column(Column::AccountabilitySituations)));
        assert_eq!(m("追究责任", "依据"), Some(HeaderMatch::Column(Column::AccountabilityBasis)));
        assert_eq!(
            m("追责", "追责对象范围"),
            Some(HeaderMatch::Column(Column::AccountabilityParties))
        );
        assert_eq!(m("责任事项", "依据"), Some(HeaderMatch::Column(Column::ResponsibilityBasis)));
        assert_eq!(m("责任事项", "内容"), Some(HeaderMatch::Column(Column::Responsibilities)));
    }
}
