//! The use cases on change sets: listing and reading, drafting, every workflow operation and
//! the public's comments.

use super::*;

impl Service {
    /// Every change set, newest first.
    pub async fn change_sets(&self) -> ServiceResult<Vec<ChangeSetView>> {
        let catalog = self.catalog();
        Ok(self.store.change_sets().await?.into_iter().map(|s| view(&catalog, s)).collect())
    }

    /// One change set.
    pub async fn change_set(&self, id: ChangeSetId) -> ServiceResult<ChangeSetView> {
        Ok(view(&self.catalog(), self.store.change_set(id).await?))
    }

    /// The change sets `reader` may read: every one, whole, for staff; for the public only
    /// those put to 公示 or published, without the units' opinions, the comments' texts or the
    /// legality review (internal until published: 政府信息公开条例 第十六条).
    pub async fn change_sets_for(
        &self,
        reader: Option<&CurrentUser>,
    ) -> ServiceResult<Vec<ChangeSetView>> {
        let all = self.change_sets().await?;
        Ok(match reader {
            Some(_) => all,
            None => all.into_iter().filter_map(public_view).collect(),
        })
    }

    /// One change set as `reader` may read it (`NotFound` for the public while internal).
    pub async fn change_set_for(
        &self,
        reader: Option<&CurrentUser>,
        id: ChangeSetId,
    ) -> ServiceResult<ChangeSetView> {
        let set = self.change_set(id).await?;
        match reader {
            Some(_) => Ok(set),
            None => {
                public_view(set).ok_or_else(|| ServiceError::NotFound(format!("调整方案 {id}")))
            }
        }
    }

    /// Drafts a change set. Refused: a change without reason or basis, an item changed
    /// twice, a list that does not exist, an amendment or removal of an item not in the list,
    /// an addition of an item already there, an amendment that changes nothing, a content whose
    /// cited laws' rank cannot create its power (设定权). Periods are put in the unit their law
    /// counts them in (行政许可法第八十二条, 行政处罚法第八十五条, 行政强制法第六十九条).
    pub async fn create_change_set(
        &self,
        by: &CurrentUser,
        mut new: NewChangeSet,
    ) -> ServiceResult<(ChangeSetView, u64)> {
        by.require_act(Act::DraftChangeSet, None)?;
        let title = crate::error::checked_text("title", &new.title, 200, false)?;
        if title.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "title" }.into());
        }
        quanze_core::text::check_plausible_date("effective_on", new.effective_on, self.today())?;
        let positions: Vec<usize> =
            (0..new.changes.len()).filter(|i| new.changes[*i].content.is_some()).collect();
        let mut contents: Vec<&mut ItemContent> =
            new.changes.iter_mut().filter_map(|c| c.content.as_mut()).collect();
        self.make_lawful(&mut contents, new.effective_on, |i| {
            format!("第{}项调整", positions.get(i).map_or(i, |p| *p) + 1)
        })
        .await?;
        let catalog = self.catalog();
        let changes = self.proposed(&catalog, new.changes, &BTreeSet::new())?;
        for unit in &new.countersigners {
            if catalog.unit(*unit).is_none() {
                return Err(ServiceError::NotFound(format!("会签单位 {unit}")));
            }
        }
        // 法不溯及既往: a past effective date only as a recorded 追认.
        let ratification = Ratification::parse(new.ratification.as_deref());
        check_effective_date(new.effective_on, self.today(), ratification.as_ref())
            .map_err(schedule_error)?;
        let handler = self.handler_of(by, &catalog, &changes);
        let set = ChangeSet::draft(
            self.ids.change_set(),
            title,
            new.effective_on,
            changes,
            handler,
            self.config.governance.max_rounds,
            new.countersigners.into_iter().collect(),
            self.actor(by),
        )?;
        let mut set = set;
        set.ratification = ratification;
        check_against_lists(&catalog, &set)?;
        // The event commits to the changes by digest; the changes are stored beside it.
        let ev = self.event(
            Some(by),
            None,
            "change_set.drafted",
            format!("change_set:{}", set.id),
            serde_json::json!({
                "title": set.title,
                "effective_on": set.effective_on,
                "ratification": set.ratification,
                "changes": changes_commitment(&set.changes),
            }),
        );
        let receipt = self.store.put_change_set(&set, ChangeSetWrite::Create, ev).await?;
        let stored = StoredChangeSet { set, rev: 1 };
        Ok((view(&catalog, stored), receipt.leaf_index()))
    }

    /// Applies one operation to a change set, as `by` (none: a member of the public, who may
    /// only comment during 公示).
    pub async fn act_on_change_set(
        &self,
        by: Option<&CurrentUser>,
        id: ChangeSetId,
        action: ChangeSetCommand,
    ) -> ServiceResult<ActionOutcome> {
        let StoredChangeSet { mut set, rev } = self.store.change_set(id).await?;
        let catalog = self.catalog();
        let today = self.today();
        let kind = action.name();
        let Some(user) = by else {
            return Err(ServiceError::Unauthenticated);
        };
        let who = self.actor(user);
        let cal = &self.calendar();
        let days = self.config.governance.round_working_days;
        let mut payload = serde_json::json!({});
        // Only a revision rewrites the changes; every other step writes the workflow state.
        let mut write = ChangeSetWrite::State { prev_rev: rev };
        match action {
            ChangeSetCommand::Revise { mut changes } => {
                user.require_act(Act::DraftChangeSet, None)?;
                // A revision is drafting again: the same law applies as to a new change set
                // (设定权, periods in their law's unit).
                let positions: Vec<usize> =
                    (0..changes.len()).filter(|i| changes[*i].content.is_some()).collect();
                let mut contents: Vec<&mut ItemContent> =
                    changes.iter_mut().filter_map(|c| c.content.as_mut()).collect();
                self.make_lawful(&mut contents, set.effective_on, |i| {
                    format!("第{}项调整", positions.get(i).map_or(i, |p| *p) + 1)
                })
                .await?;
                // Additions the draft already holds keep their ids (opinions of earlier
                // rounds name them).
                let added: BTreeSet<ItemId> = set
                    .changes
                    .iter()
                    .filter(|c| matches!(c.change, Change::Add { .. }))
                    .map(ProposedChange::item)
                    .collect();
                let changes = self.proposed(&catalog, changes, &added)?;
                set.revise(changes)?;
                check_against_lists(&catalog, &set)?;
                payload = serde_json::json!({ "changes": changes_commitment(&set.changes) });
                write = ChangeSetWrite::StateAndChanges { prev_rev: rev };
            }
            ChangeSetCommand::SendRound { units, working_days } => {
                user.require_act(Act::DraftChangeSet, None)?;
                let units: BTreeSet<UnitId> = match units {
                    Some(units) => units.into_iter().collect(),
                    None => affected_units(&catalog, &set),
                };
                if let Some(u) = units.iter().find(|u| catalog.unit(**u).is_none()) {
                    return Err(ServiceError::NotFound(format!("单位 {u}")));
                }
                let n =
                    set.send_round(units.clone(), today, working_days.unwrap_or(days), cal, who)?;
                payload = serde_json::json!({ "round": n, "units": units });
            }
            ChangeSetCommand::Reply { unit, opinions } => {
                user.require_act(Act::ReplyOpinion, Some(unit))
                    .or_else(|_| user.require_act(Act::DraftChangeSet, None))?;
                let opinions: Vec<NewOpinion> = opinions
                    .into_iter()
                    .map(|o| {
                        let proposed = o.proposed.unwrap_or_default();
                        Ok(NewOpinion {
                            id: self.ids.opinion(),
                            item: o.item,
                            stance: match o.stance {
                                StanceKind::Agree => Stance::Agree,
                                StanceKind::Amend => Stance::Amend {
                                    proposed: crate::error::checked_text(
                                        "proposed", &proposed, 2000, true,
                                    )?,
                                },
                                StanceKind::Object => Stance::Object,
                            },
                            reason: crate::error::checked_text("reason", &o.reason, 2000, true)?,
                        })
                    })
                    .collect::<ServiceResult<_>>()?;
                payload = serde_json::json!({ "unit": unit, "opinions": opinions });
                set.reply(unit, opinions, who)?;
            }
            ChangeSetCommand::Resolve { opinion, kind, reason } => {
                user.require_act(Act::DraftChangeSet, None)?;
                set.resolve(opinion, kind, &reason, who)?;
                payload = serde_json::json!({ "opinion": opinion, "kind": kind, "reason": reason });
            }
            ChangeSetCommand::CloseRound => {
                user.require_act(Act::DraftChangeSet, None)?;
                set.close_round(who)?;
            }
            ChangeSetCommand::Urge => {
                user.require_act(Act::DraftChangeSet, None)?;
                let units = set.urge(who)?;
                payload = serde_json::json!({ "units": units });
            }
            ChangeSetCommand::OpenComment { until } => {
                user.require_act(Act::DraftChangeSet, None)?;
                let min = self.config.governance.min_comment_working_days;
                quanze_core::text::check_plausible_date("until", until, today)?;
                check_comment_period(today, until, min, cal).map_err(schedule_error)?;
                set.open_comment(today, until, who)?;
                payload = serde_json::json!({ "until": until });
            }
            ChangeSetCommand::Answer { comment, kind, text } => {
                user.require_act(Act::DraftChangeSet, None)?;
                let text = crate::error::checked_text("answer", &text, 2000, true)?;
                set.answer(comment, kind, &text, who)?;
                payload = serde_json::json!({ "comment": comment, "kind": kind, "text": text });
            }
            ChangeSetCommand::SubmitForReview => {
                user.require_act(Act::DraftChangeSet, None)?;
                let laws = LawRegistry::new(self.store.laws().await?);
                let known: HashSet<UnitId> = catalog.units.iter().map(|u| u.id).collect();
                let ctx = ReviewContext {
                    laws: &laws,
                    known_units: &known,
                    effective_on: set.effective_on,
                    // 行政处罚法 24 and 行政强制法 17 are checked against the recorded grants.
                    grants: &catalog.grants,
                };
                let duties = current_duties(&catalog, &set);
                let removed = removed_contents(&catalog, &set);
                set.submit_for_review(&ctx, &duties, &removed, today, who)?;
                let open = set.review.as_ref().map_or(0, |r| r.open_findings());
                payload = serde_json::json!({ "open_findings": open });
            }
            ChangeSetCommand::Verdict { item, pass, reason } => {
                user.require_act(Act::Verdict, None)?;
                let verdict = if pass { Verdict::Pass } else { Verdict::Reject { reason } };
                payload = serde_json::json!({ "item": item, "verdict": verdict });
                set.verdict(item, verdict, who)?;
            }
            ChangeSetCommand::Verdicts { verdicts } => {
                user.require_act(Act::Verdict, None)?;
                let verdicts: Vec<(ItemId, Verdict)> = verdicts
                    .into_iter()
                    .map(|v| {
                        let verdict = if v.pass {
                            Verdict::Pass
                        } else {
                            Verdict::Reject { reason: v.reason }
                        };
                        (v.item, verdict)
                    })
                    .collect();
                if verdicts.is_empty() {
                    return Err(ServiceError::rejected(
                        ErrorCode::EmptyVerdicts,
                        "审查结论表为空",
                        "the table of verdicts is empty",
                    ));
                }
                // Every item and verdict goes into the ledger, as the single verdict does.
                let table: Vec<_> = verdicts
                    .iter()
                    .map(|(item, verdict)| serde_json::json!({ "item": item, "verdict": verdict }))
                    .collect();
                payload = serde_json::json!({ "verdicts": table });
                set.verdicts(verdicts, who)?;
            }
            ChangeSetCommand::SubmitForApproval => {
                user.require_act(Act::DraftChangeSet, None)?;
                set.submit_for_approval(who)?;
            }
            ChangeSetCommand::Countersign { unit } => {
                user.require_act(Act::Countersign, Some(unit))
                    .or_else(|_| user.require_act(Act::DraftChangeSet, None))?;
                set.countersign(unit, who)?;
                payload = serde_json::json!({ "unit": unit });
            }
            ChangeSetCommand::Approve { meeting, decided_on, doc_no } => {
                user.require_act(Act::Approve, None)?;
                if !may_approve_own(set.created_by, user.id) {
                    return Err(ServiceError::rejected(
                        ErrorCode::DrafterCannotApprove,
                        "职责分离（等保2.0 三员分立，domain.md §10）：起草调整方案的人不能审定该方案",
                        "the drafter of a change set cannot approve it",
                    ));
                }
                let meeting = meeting.trim().to_owned();
                if meeting.is_empty() {
                    return Err(quanze_core::ValidationError::Empty { field: "meeting" }.into());
                }
                let approval = Approval { meeting, decided_on, doc_no: DocNo::parse(&doc_no)? };
                payload = serde_json::to_value(&approval).unwrap_or_default();
                set.approve(approval, who)?;
            }
            ChangeSetCommand::Publish => {
                user.require_act(Act::PublishChangeSet, None)?;
                return self.publish_change_set(user, &catalog, set, rev).await;
            }
            ChangeSetCommand::Return { to, reason } => {
                user.require_act(Act::ReturnChangeSet, None)?;
                let to = parse_stage(&to)?;
                set.return_to(to, &reason, today, days, cal, who)?;
                payload = serde_json::json!({ "to": set.flow.stage, "reason": reason });
            }
            ChangeSetCommand::Withdraw { reason } => {
                user.require_act(Act::DraftChangeSet, None)?;
                set.withdraw(&reason, who)?;
                payload = serde_json::json!({ "reason": reason });
            }
            ChangeSetCommand::Transfer { to, reason } => {
                user.require_act(Act::DraftChangeSet, None)?;
                if catalog.unit(to).is_none() {
                    return Err(ServiceError::NotFound(format!("单位 {to}")));
                }
                set.transfer(to, &reason, who)?;
                payload = serde_json::json!({ "to": to, "reason": reason });
            }
        }
        if let serde_json::Value::Object(map) = &mut payload {
            map.insert("stage".into(), serde_json::to_value(set.flow.stage).unwrap_or_default());
        }
        let ev = self.event(
            Some(user),
            None,
            &format!("change_set.{kind}"),
            format!("change_set:{id}"),
            payload,
        );
        let receipt = self.store.put_change_set(&set, write, ev).await?;
        Ok(ActionOutcome {
            change_set: ChangeSetState::of(set, rev + 1),
            leaf_index: receipt.leaf_index(),
        })
    }

    /// A comment from the public during 公示 (no account needed; `name` is not stored). The
    /// text is personal data the public typed (it may name a person, a phone): the ledger's
    /// leaf carries only its salted commitment, the text itself the erasable personal part. A
    /// comment does not depend on the others, so one that meets a concurrent write is applied
    /// again to the change set as it now is, rather than refused.
    pub async fn comment_on_change_set(
        &self,
        id: ChangeSetId,
        item: Option<ItemId>,
        text: &str,
    ) -> ServiceResult<u64> {
        let comment = self.ids.opinion();
        let mut attempts = 0;
        loop {
            let StoredChangeSet { mut set, rev } = self.store.change_set(id).await?;
            set.comment(comment, item, text, self.today())?;
            let mut ev = self.event(
                None,
                None,
                "change_set.commented",
                format!("change_set:{id}"),
                serde_json::json!({ "comment": comment, "item": item }),
            );
            ev.personal = Some(serde_json::json!({ "text": text.trim() }));
            let write = ChangeSetWrite::State { prev_rev: rev };
            match self.store.put_change_set(&set, write, ev).await {
                Err(quanze_store::StoreError::Conflict(_)) if attempts < 16 => attempts += 1,
                done => return Ok(done?.leaf_index()),
            }
        }
    }

    /// 公布: builds the next version of every affected list from its current one and
    /// publishes them all with the change set in one transaction.
    async fn publish_change_set(
        &self,
        by: &CurrentUser,
        catalog: &Catalog,
        mut set: ChangeSet,
        rev: u64,
    ) -> ServiceResult<ActionOutcome> {
        let approval = set.flow.approval.clone().ok_or_else(|| {
            ServiceError::rejected(
                ErrorCode::WrongStage,
                "调整方案尚未审定，不能公布",
                "not approved",
            )
        })?;
        // The changes are not stored again (publication writes the workflow state only) nor
        // answered, so their contents move into the new item versions.
        let changes = std::mem::take(&mut set.changes);
        let count = changes.len();
        let drafts = next_versions(self, catalog, changes)?;
        let versions = drafts.iter().map(|d| d.version.id).collect();
        set.publish(versions, self.actor(by))?;
        let ev = self.event(
            Some(by),
            None,
            "change_set.published",
            format!("change_set:{}", set.id),
            serde_json::json!({
                "versions": set.published,
                "effective_on": set.effective_on,
                "doc_no": approval.doc_no.as_str(),
                "items": drafts.iter().map(|d| d.new_items.len()).sum::<usize>(),
            }),
        );
        let mut writer = self.catalog_writer().await?;
        let receipt = writer
            .write(self.store.publish_change_set(
                &set,
                rev,
                &drafts,
                set.effective_on,
                &approval.doc_no,
                ev,
            ))
            .await?;
        let (versions, new_items): (Vec<_>, Vec<_>) =
            drafts.into_iter().map(|d| (d.version, d.new_items)).unzip();
        let new_items = new_items.into_iter().flatten().collect();
        writer.apply(|c| c.with_published(versions, new_items, set.effective_on, &approval.doc_no));
        Ok(ActionOutcome {
            change_set: ChangeSetState { changes: count, ..ChangeSetState::of(set, rev + 1) },
            leaf_index: receipt.leaf_index(),
        })
    }

    fn actor(&self, by: &CurrentUser) -> Actor {
        Actor { by: by.id, at: self.clock.now() }
    }

    /// The unit handling a new change set: the staffing office the drafter works in, else
    /// the holder of the first changed item.
    fn handler_of(
        &self,
        by: &CurrentUser,
        catalog: &Catalog,
        changes: &[ProposedChange],
    ) -> UnitId {
        by.roles
            .iter()
            .find_map(|g| g.unit)
            .or_else(|| changes.iter().find_map(|c| current_holder(catalog, c)))
            .unwrap_or_else(|| UnitId::from_uuid(uuid::Uuid::nil()))
    }

    /// Turns client changes into proposed changes: ids for added items, the current version
    /// as the base when none is given.
    fn proposed(
        &self,
        catalog: &Catalog,
        inputs: Vec<ChangeInput>,
        keep: &BTreeSet<ItemId>,
    ) -> ServiceResult<Vec<ProposedChange>> {
        let mut latest = EntryIndex::new(|catalog: &Catalog, list| catalog.latest_version(list));
        inputs
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let index = i + 1;
                let missing = |what: &str| {
                    ServiceError::rejected(
                        ErrorCode::InvalidChange,
                        format!("第{index}项调整：缺少{what}"),
                        format!("change {index}: {what} is missing"),
                    )
                };
                if catalog.list(c.list).is_none() {
                    return Err(ServiceError::from(quanze_core::ChangeSetError::from(
                        quanze_core::RevisionError::UnknownList { index, list: c.list },
                    )));
                }
                let mut current =
                    |item: ItemId| latest.entry(catalog, c.list, item).map(|e| e.item_version);
                let change = match c.action {
                    ChangeAction::Add => Change::Add {
                        item: c
                            .item
                            .filter(|i| keep.contains(i))
                            .unwrap_or_else(|| self.ids.item()),
                        duty: c.duty.unwrap_or(DutyKind::Own),
                        content: c.content.ok_or_else(|| missing("事项内容"))?,
                    },
                    ChangeAction::Amend => {
                        let item = c.item.ok_or_else(|| missing("事项"))?;
                        Change::Amend {
                            item,
                            base: c.base.or_else(|| current(item)).unwrap_or(0),
                            content: c.content.ok_or_else(|| missing("事项内容"))?,
                        }
                    }
                    ChangeAction::Remove => {
                        let item = c.item.ok_or_else(|| missing("事项"))?;
                        Change::Remove { item, base: c.base.or_else(|| current(item)).unwrap_or(0) }
                    }
                };
                Ok(ProposedChange {
                    list: c.list,
                    change,
                    reason: crate::error::checked_text("reason", &c.reason, 2000, true)?,
                    basis: crate::error::checked_text("basis", &c.basis, 2000, true)?,
                })
            })
            .collect()
    }
}

/// What the public reads of a change set: one put to 公示 or past it, without the internal
/// parts; `None` for one still internal (drafting, opinion rounds, review, withdrawn before
/// 公示).
fn public_view(mut view: ChangeSetView) -> Option<ChangeSetView> {
    let set = &mut view.set;
    if set.comments.is_none() && set.flow.stage != Stage::Published {
        return None;
    }
    set.rounds.clear();
    set.review = None;
    if let Some(period) = set.comments.as_mut() {
        period.comments.clear();
    }
    Some(view)
}
