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
use crate::error::ServiceResult;

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

    /// Receives a comment from the public.
    pub async fn receive_comment(
        &self,
        id: ChangeSetId,
        body: CommentRequest,
    ) -> ServiceResult<Receipt> {
        let leaf_index = self.comment_on_change_set(id, body.item, &body.text).await?;
        Ok(Receipt { leaf_index })
    }
}
