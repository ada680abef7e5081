//! Events: one per write, the trace that the ledger hangs off (全程留痕).

use chrono::{DateTime, SecondsFormat, Utc};

use crate::canonical::{Member, NonFiniteNumber, write_members};
use crate::ids::{UnitId, UserId};

/// 事件 — one write: who did what to which subject, when. Its canonical bytes
/// ([`Event::leaf_bytes`]) are a ledger leaf, so anyone holding the event can recompute the
/// leaf hash. Personal data never appears here in clear: when a write concerns a person, the
/// data stays in an erasable table and the event carries only its salted SM3 commitment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// Gap-free sequence number from 1, assigned by the store in the write's transaction; the
    /// ledger leaf index is `seq - 1`.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (absent for system actions such as the demo loader).
    pub actor: Option<UserId>,
    /// The unit the actor acted for, when relevant.
    pub unit: Option<UnitId>,
    /// What happened, e.g. `list.version.published`.
    pub kind: String,
    /// The subject, e.g. `list_version:<uuid>`.
    pub subject: String,
    /// Details, free of personal data.
    pub payload: serde_json::Value,
    /// Hex SM3 of `salt || canonical(personal data)`, when the write concerned a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
}

impl Event {
    /// The ledger leaf: the event's RFC 8785 (JCS) canonical JSON.
    pub fn leaf_bytes(&self) -> Vec<u8> {
        let at = self.at.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let actor = self.actor.map(|id| id.to_string());
        let unit = self.unit.map(|id| id.to_string());
        LeafParts {
            seq: self.seq,
            at: &at,
            actor: actor.as_deref(),
            unit: unit.as_deref(),
            kind: &self.kind,
            subject: &self.subject,
            payload: Member::Value(&self.payload),
            commitment: self.commitment.as_deref(),
        }
        .bytes()
        .expect("an event's payload comes from JSON text and holds only finite numbers")
    }

    /// The leaf index of this event in the ledger.
    pub fn leaf_index(&self) -> u64 {
        self.seq.saturating_sub(1)
    }
}

/// An event's leaf from its parts as text: what [`Event::leaf_bytes`] gives, for a writer that
/// has the payload in canonical bytes already ([`Member::Raw`]) and so need not hold the
/// event's JSON value when it learns the event's number.
pub struct LeafParts<'a> {
    /// The event's number.
    pub seq: u64,
    /// Its time in RFC 3339 with the fewest fraction digits (`SecondsFormat::AutoSi`), UTC `Z`.
    pub at: &'a str,
    /// The actor's id.
    pub actor: Option<&'a str>,
    /// The unit's id.
    pub unit: Option<&'a str>,
    /// The kind.
    pub kind: &'a str,
    /// The subject.
    pub subject: &'a str,
    /// The payload.
    pub payload: Member<'a>,
    /// The commitment to personal data.
    pub commitment: Option<&'a str>,
}

impl LeafParts<'_> {
    /// The ledger leaf: the event's RFC 8785 (JCS) canonical JSON.
    pub fn bytes(self) -> Result<Vec<u8>, NonFiniteNumber> {
        let mut seq = Vec::with_capacity(20);
        crate::canonical::write_u64(&mut seq, self.seq);
        fn opt(s: Option<&str>) -> Member<'_> {
            s.map_or(Member::Raw(b"null"), Member::Str)
        }
        // Members in canonical order; `commitment` is left out when absent, as serde does.
        let mut members = Vec::with_capacity(8);
        members.extend([("actor", opt(self.actor)), ("at", Member::Str(self.at))]);
        if let Some(c) = self.commitment {
            members.push(("commitment", Member::Str(c)));
        }
        members.extend([
            ("kind", Member::Str(self.kind)),
            ("payload", self.payload),
            ("seq", Member::Raw(&seq)),
            ("subject", Member::Str(self.subject)),
            ("unit", opt(self.unit)),
        ]);
        let mut out = Vec::with_capacity(256);
        write_members(&mut out, members)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_bytes_are_canonical_json() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.000000006Z").unwrap().to_utc();
        let event = Event {
            seq: 7,
            at,
            actor: None,
            unit: None,
            kind: "unit.created".into(),
            subject: "unit:x".into(),
            payload: serde_json::json!({ "z": 1, "a": "县", "m": [true, null] }),
            commitment: None,
        };
        let text = String::from_utf8(event.leaf_bytes()).unwrap();
        assert_eq!(
            text,
            r#"{"actor":null,"at":"2026-01-02T03:04:05.000000006Z","kind":"unit.created","payload":{"a":"县","m":[true,null],"z":1},"seq":7,"subject":"unit:x","unit":null}"#
        );
        assert_eq!(event.leaf_index(), 6);
    }

    proptest::proptest! {
        /// The hand-written canonical form equals serde_jcs's over the whole event.
        #[test]
        fn leaf_bytes_match_serde_jcs(
            seq in 1u64..u64::MAX,
            nanos in 0i64..4_102_444_800_000_000_000,
            actor in proptest::option::of(proptest::prelude::any::<u128>()),
            kind in "\\PC{0,12}",
            payload in "[a-z\"\u{1}\u{1f600}]{0,5}",
            commitment in proptest::option::of("[0-9a-f]{64}"),
        ) {
            let event = Event {
                seq,
                at: DateTime::from_timestamp_nanos(nanos),
                actor: actor.map(|a| UserId::from_uuid(uuid::Uuid::from_u128(a))),
                unit: actor.map(|a| UnitId::from_uuid(uuid::Uuid::from_u128(!a))),
                subject: format!("unit:{kind}"),
                kind,
                payload: serde_json::json!({ "b": payload, "a": [seq, -1.5, null], "\u{1f600}": {} }),
                commitment,
            };
            proptest::prop_assert_eq!(event.leaf_bytes(), serde_jcs::to_vec(&event).unwrap());
        }
    }
}
