//! Reports of list governance — the consistency report (一致性检查) and the devolution report
//! (赋权承接情况) — as JSON or an xlsx workbook, and the establishment (机构编制) after a change.

use chrono::NaiveDate;
use quanze_core::EstablishmentChange;
use serde::Serialize;
use utoipa::ToSchema;

use super::ExportFile;
use crate::Service;
use crate::auth::CurrentUser;
use crate::error::ServiceResult;
use crate::establishment::EstablishmentView;
use crate::reports::{ConsistencyReport, DevolutionReport, xlsx};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// 一致性检查报告.
    Consistency,
    /// 赋权承接情况报告.
    Devolution,
}

impl ReportKind {
    /// Parses `consistency` or `devolution`.
    pub fn parse(name: &str) -> Option<ReportKind> {
        match name {
            "consistency" => Some(ReportKind::Consistency),
            "devolution" => Some(ReportKind::Devolution),
            _ => None,
        }
    }

    /// The title in Chinese.
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Consistency => "一致性检查报告",
            ReportKind::Devolution => "赋权承接情况报告",
        }
    }
}

/// A report of list governance on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ReportView {
    /// 一致性检查报告: incomplete items, unready grants, unheld powers, powers held twice.
    Consistency(ConsistencyReport),
    /// 赋权承接情况报告: per town, and every grant in every town.
    Devolution(DevolutionReport),
}

/// The answer to a change of the establishment: the establishment after it and the ledger leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EstablishmentReceipt {
    /// The establishment after the change.
    pub establishment: EstablishmentView,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

impl Service {
    /// A report on `date` (default today).
    pub fn report(&self, kind: ReportKind, date: Option<NaiveDate>) -> ReportView {
        let date = date.unwrap_or_else(|| self.today());
        match kind {
            ReportKind::Consistency => ReportView::Consistency(self.consistency_report(date)),
            ReportKind::Devolution => ReportView::Devolution(self.devolution_report(date)),
        }
    }

    /// A report on `date` (default today) as an xlsx workbook.
    pub fn report_file(
        &self,
        kind: ReportKind,
        date: Option<NaiveDate>,
    ) -> ServiceResult<ExportFile> {
        let date = date.unwrap_or_else(|| self.today());
        let sheets = match kind {
            ReportKind::Consistency => self.consistency_report(date).sheets(),
            ReportKind::Devolution => self.devolution_report(date).sheets(),
        };
        Ok(ExportFile {
            name: format!("{}（{date}）.xlsx", kind.title()),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes: xlsx(&sheets)?,
        })
    }

    /// Changes the establishment.
    pub async fn change_establishment_view(
        &self,
        by: &CurrentUser,
        change: EstablishmentChange,
    ) -> ServiceResult<EstablishmentReceipt> {
        let (establishment, leaf_index) = self.change_establishment(by, change).await?;
        Ok(EstablishmentReceipt { establishment, leaf_index })
    }
}
