//! 审定记录 of a list version published outside a change set: the body that decided, its
//! meeting, the day and the document number, and whether it is the adoption (首次采用) of a
//! list already approved elsewhere (an import of a published list with its document).

use chrono::NaiveDate;

use crate::list::DocNo;
use crate::schedule::Ratification;

/// 清单审定记录 — the recorded decision behind a publication outside a change set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListApproval {
    /// The deciding body (e.g. 县委机构编制委员会).
    pub body: String,
    /// The meeting (e.g. 县委编委2026年第3次会议).
    pub meeting: String,
    /// The day it decided.
    pub decided_on: NaiveDate,
    /// The document number it was issued under.
    pub doc_no: DocNo,
    /// Whether this records the adoption of a list approved before (首次采用已审定清单).
    #[serde(default)]
    pub adoption: bool,
    /// 追认 — when the list takes effect before the day it is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratification: Option<Ratification>,
}

/// The parts of a [`ListApproval`] that are missing, named in the refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the approval record lacks: {}", .0.join(", "))]
pub struct MissingApproval(pub Vec<&'static str>);

impl MissingApproval {
    /// The message in Chinese, naming the rule.
    pub fn zh(&self) -> String {
        let zh: Vec<&str> = self
            .0
            .iter()
            .map(|f| match *f {
                "body" => "审定机关",
                "meeting" => "审定会议",
                _ => "文号",
            })
            .collect();
        format!(
            "清单未经调整方案公布的，须登记领导审定记录（审定机关、会议、日期、文号），缺少：{}",
            zh.join("、")
        )
    }
}

impl ListApproval {
    /// Builds the record from raw fields: body and meeting must not be blank.
    pub fn parse(
        body: &str,
        meeting: &str,
        decided_on: NaiveDate,
        doc_no: DocNo,
        adoption: bool,
        ratification: Option<Ratification>,
    ) -> Result<ListApproval, MissingApproval> {
        let mut missing = Vec::new();
        if body.trim().is_empty() {
            missing.push("body");
        }
        if meeting.trim().is_empty() {
            missing.push("meeting");
        }
        if !missing.is_empty() {
            return Err(MissingApproval(missing));
        }
        Ok(ListApproval {
            body: body.trim().to_owned(),
            meeting: meeting.trim().to_owned(),
            decided_on,
            doc_no,
            adoption,
            ratification,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approval_record_names_body_and_meeting() {
        let doc = DocNo::parse("某编〔2026〕3号").unwrap();
        let on = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let ok = ListApproval::parse(" 县委编委 ", "2026年第1次会议", on, doc.clone(), true, None);
        assert_eq!(ok.unwrap().body, "县委编委");
        let err = ListApproval::parse("", " ", on, doc, false, None).unwrap_err();
        assert_eq!(err, MissingApproval(vec!["body", "meeting"]));
        assert!(err.zh().contains("审定机关、审定会议"), "{}", err.zh());
    }
}
