//! Change sets (调整方案) as the API answers them: drafting one, and a public comment during
//! 公示. Reading and acting on them answer with [`ChangeSetView`] and
//! [`ActionOutcome`](crate::changesets::ActionOutcome) directly.

use quanze_core::{ChangeSetId, ItemId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Receipt;
use crate::Service;
use crate::auth::CurrentUser;
use crate::changesets::{ChangeSetView, NewChangeSet};
use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// The answer to drafting a change set: the change set and the ledger leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeSetReceipt {
    /// The change set drafted.
    pub change_set: ChangeSetView,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

/// A comment from the public during 公示.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "text": "建议保留该事项的现场核查环节" }))]
pub struct CommentRequest {
    /// The item commented on; none for the whole draft.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub item: Option<ItemId>,
    /// The comment.
    pub text: String,
}

impl Service {
    /// Drafts a change set.
    pub async fn draft_change_set(
        &self,
        by: &CurrentUser,
        new: NewChangeSet,
    ) -> ServiceResult<ChangeSetReceipt> {
        let (change_set, leaf_index) = self.create_change_set(by, new).await?;
        Ok(ChangeSetReceipt { change_set, leaf_index })
    }

    /// Receives a comment from the public, at most [`COMMENTS_PER_SOURCE`] from one address
    /// in ten minutes.
    pub async fn receive_comment(
        &self,
        id: ChangeSetId,
        body: CommentRequest,
        source: Option<std::net::IpAddr>,
    ) -> ServiceResult<Receipt> {
        // A text the comment period would refuse uses none of the address's quota.
        quanze_core::text::check_text(
            body.text.trim(),
            quanze_core::opinion::MAX_COMMENT_CHARS,
            true,
        )
        .map_err(|e| {
            ServiceError::from(quanze_core::ChangeSetError::from(
                quanze_core::opinion::OpinionError::from(e),
            ))
        })?;
        if let Some(source) = source {
            self.count_comment(source)?;
        }
        let leaf_index = self.comment_on_change_set(id, body.item, &body.text).await?;
        Ok(Receipt { leaf_index })
    }
}

/// The most comments one address may send in ten minutes.
pub const COMMENTS_PER_SOURCE: u32 = 10;

impl Service {
    /// Counts a comment from `source`, refused past [`COMMENTS_PER_SOURCE`] in its window.
    fn count_comment(&self, source: std::net::IpAddr) -> ServiceResult<()> {
        let now = self.now();
        let window = chrono::Duration::minutes(10);
        let mut sources =
            self.comment_sources.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if sources.len() > 100_000 {
            sources.retain(|_, (start, _)| *start + window > now);
        }
        // An IPv6 subscriber's /64 is one address, as for the sign-in throttle.
        let source = quanze_core::account::throttle::source_key(source);
        let (start, count) = sources.entry(source).or_insert((now, 0));
        if *start + window <= now {
            (*start, *count) = (now, 0);
        }
        if *count >= COMMENTS_PER_SOURCE {
            return Err(ServiceError::rejected(
                ErrorCode::RateLimited,
                format!("同一网络地址十分钟内最多提交{COMMENTS_PER_SOURCE}条意见，请稍后再试"),
                format!("at most {COMMENTS_PER_SOURCE} comments from one address in ten minutes"),
            ));
        }
        *count += 1;
        Ok(())
    }
}
