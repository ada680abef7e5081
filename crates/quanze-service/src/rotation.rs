//! 密钥轮换 — rotating the personal-data key: every stored seal opened under the key ring and
//! sealed again under its current key, and every keyed hash of an applicant's number taken
//! again, in one transaction (`quanze key rotate-personal`, which first writes the ring with a
//! new key at its head).
//!
//! What the ring's previous keys are still needed for afterwards: recovery codes given before
//! the rotation (kept only as keyed hashes: they match under the key of their day until used or
//! replaced) and account names sealed inside the personal data of `user.created` events written
//! before the store sealed that data whole (their commitment is to the sealed text).

use quanze_core::case::Applicant;
use quanze_store::{ResealCounts, SealedRows};

use crate::Service;
use crate::cases::PersonalKey;
use crate::cases::personal::require;
use crate::error::{ServiceError, ServiceResult};

impl Service {
    /// Reseals every stored seal under the current key of the service's key ring, in one
    /// transaction recorded as `personal_key.rotated`. Servers still running take the new ring
    /// from the key file first ([`Service::reload_personal_key`]); a write one makes meanwhile
    /// makes the rotation roll back, not get lost.
    pub async fn reseal_personal_data(&self) -> ServiceResult<ResealCounts> {
        let key = require(self.config.cases.personal_key.as_ref())?;
        let before = self.store.sealed_rows().await?;
        let after = resealed(key, &before)?;
        let ev = self.event(
            None,
            None,
            "personal_key.rotated",
            "personal-key".to_owned(),
            serde_json::json!({
                "accounts": after.accounts.len(),
                "applicants": after.applicants.len(),
                "previous_keys": key.previous_keys(),
            }),
        );
        let (_, counts) = self.store.reseal(&before, &after, ev).await?;
        self.case_cache.clear();
        Ok(counts)
    }
}

impl Service {
    /// Takes `newer`, the key file read again after a rotation wrote it: from now on this
    /// server (its store included) seals under the new current key and opens under every key of
    /// the new ring. Refused, changing nothing, when this server has no key or `newer` is not
    /// the ring in use with new keys at its head ([`PersonalKey::reload`]). Whether the ring
    /// changed.
    pub fn reload_personal_key(&self, newer: &PersonalKey) -> Result<bool, String> {
        let key = self
            .config
            .cases
            .personal_key
            .as_ref()
            .ok_or("this server was started without a personal-data key")?;
        let changed = key.reload(newer)?;
        if changed {
            // Cached cases hold what was sealed before; the store has the resealed rows.
            self.case_cache.clear();
        }
        Ok(changed)
    }

    /// Checks, writing nothing, that every account's and applicant's seal opens under the
    /// service's key ring (the catalogue's readiness documents were opened when it loaded):
    /// what `quanze key rotate-personal` asks before it adds a key to the file.
    pub async fn check_personal_seals(&self) -> ServiceResult<()> {
        let key = require(self.config.cases.personal_key.as_ref())?;
        resealed(key, &self.store.sealed_rows().await?).map(|_| ())
    }
}

/// `rows` sealed again under `key`'s current key.
fn resealed(key: &PersonalKey, rows: &SealedRows) -> ServiceResult<SealedRows> {
    let broken = |what: String| {
        ServiceError::Internal(format!("{what}: the seal does not open under the key ring"))
    };
    let mut after = rows.clone();
    for account in &mut after.accounts {
        let name = key
            .open_text(&account.display_name)
            .ok_or_else(|| broken(format!("account {}: name", account.id)))?;
        // A name stored before there was a key is sealed now.
        account.display_name = key.seal_text(&name);
        if let Some(sealed) = &account.totp_sealed {
            let secret = hex::decode(sealed)
                .ok()
                .and_then(|bytes| key.open(&bytes))
                .ok_or_else(|| broken(format!("account {}: TOTP secret", account.id)))?;
            account.totp_sealed = Some(hex::encode(key.seal(&secret)));
        }
    }
    for applicant in &mut after.applicants {
        let plain = key
            .open(&applicant.sealed)
            .ok_or_else(|| broken(format!("case {}: applicant", applicant.case_id)))?;
        let party = serde_json::from_slice(&plain)
            .ok()
            .and_then(|json| Applicant::from_sealed_json(&json).ok())
            .ok_or_else(|| {
                ServiceError::Internal(format!(
                    "case {}: the applicant does not read",
                    applicant.case_id
                ))
            })?;
        applicant.sealed = key.seal(&plain);
        applicant.applicant_key = key.index(party.number());
    }
    Ok(after)
}
