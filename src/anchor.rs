//! The source anchor: the value Entra keeps as an object's `onPremisesImmutableId` (its
//! "immutableId") and hard-matches on, computed from the export as each engine would.
//!
//! * Binary anchors are base64 of the raw bytes in AD's byte order, exactly as `ldifde`'s `::`
//!   or csvde's `X'…'` holds them
//!   (<https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/plan-connect-design-concepts#sourceanchor>).
//! * **Entra Connect Sync** with `mS-DS-ConsistencyGuid` as source anchor (the default of
//!   new installations since 1.1.524): users (and inetOrgPerson, a subclass of user) are
//!   anchored on `mS-DS-ConsistencyGuid` when it has a value, else on `objectGUID` (which
//!   Connect then writes back into the empty attribute); groups, contacts and computers
//!   always on `objectGUID`. A linked mailbox (`msExchRecipientTypeDetails` = 2) contributes
//!   no anchor: it waits for the account-forest user.
//! * **Entra Cloud Sync**: "ms-DS-ConsistencyGuid if present, otherwise ObjectGUID", for
//!   every object type, chosen automatically and never written back
//!   (<https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/plan-cloud-sync-topologies>).
//!
//! Not modelled: a Connect installation whose wizard fell back to `objectGUID` for everything
//! because `mS-DS-ConsistencyGuid` was already in use (rule SL1101 reports that case), and
//! custom anchor attributes (employeeID …).
//!
//! A leaf: it reads the directory table and nothing above it.

use crate::directory::{Attr, Directory, ObjectKind};
use base64::Engine as _;

pub use crate::vocab::{Engine, ALL_ENGINES};

/// `msExchRecipientTypeDetails` of a linked mailbox.
const LINKED_MAILBOX: i64 = 2;

/// Which attribute an anchor was taken from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum AnchorAttr {
    #[serde(rename = "mS-DS-ConsistencyGuid")]
    ConsistencyGuid,
    #[serde(rename = "objectGUID")]
    ObjectGuid,
}

impl AnchorAttr {
    /// The attribute, as the directory names it.
    pub fn attr(self) -> Attr {
        match self {
            AnchorAttr::ConsistencyGuid => Attr::ConsistencyGuid,
            AnchorAttr::ObjectGuid => Attr::ObjectGuid,
        }
    }

    pub fn name(self) -> &'static str {
        self.attr().ldap_name()
    }
}

/// An object's source anchor under one engine.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Anchor {
    /// The raw bytes (16 for a GUID; a stamped `mS-DS-ConsistencyGuid` may have another length).
    pub bytes: Box<[u8]>,
    /// Where they came from.
    pub from: AnchorAttr,
}

impl Anchor {
    /// The immutableId Entra stores: standard base64 of the bytes (with padding).
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }

    /// Whether the bytes are a GUID's 16.
    pub fn is_guid(&self) -> bool {
        self.bytes.len() == 16
    }
}

/// Whether `engine` anchors an object of `kind` on `mS-DS-ConsistencyGuid` when it has a value.
pub fn uses_consistency_guid(engine: Engine, kind: ObjectKind) -> bool {
    match engine {
        Engine::Connect => matches!(kind, ObjectKind::User | ObjectKind::InetOrgPerson),
        Engine::CloudSync => true,
    }
}

/// The source anchor of object `row` under `engine`, or `None` when the object contributes
/// none: it has neither a usable `mS-DS-ConsistencyGuid` nor an `objectGUID` in the export,
/// or it is a linked mailbox under Connect.
pub fn source_anchor(dir: &Directory, row: usize, engine: Engine) -> Option<Anchor> {
    anchor_bytes(dir, row, engine).map(|(bytes, from)| Anchor {
        bytes: bytes.into(),
        from,
    })
}

/// [`source_anchor`]'s bytes and attribute, borrowed from the directory.
pub fn anchor_bytes(dir: &Directory, row: usize, engine: Engine) -> Option<(&[u8], AnchorAttr)> {
    let kind = *dir.kind.get(row)?;
    if engine == Engine::Connect && dir.int(Attr::RecipientTypeDetails, row) == Some(LINKED_MAILBOX)
    {
        return None;
    }
    if uses_consistency_guid(engine, kind) {
        if let Some(bytes) = dir.consistency_guid_bytes(row) {
            return Some((bytes, AnchorAttr::ConsistencyGuid));
        }
    }
    let guid = dir.object_guid.get(row)?.as_ref()?;
    Some((guid, AnchorAttr::ObjectGuid))
}

/// Whether the engines may give object `row` different anchors: only an object with an
/// `mS-DS-ConsistencyGuid` or a linked mailbox can have one (else both take `objectGUID`).
pub fn may_differ(dir: &Directory, row: usize) -> bool {
    dir.has_consistency_guid.get(row).copied().unwrap_or(false)
        || dir.int(Attr::RecipientTypeDetails, row) == Some(LINKED_MAILBOX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads an LDIF text through the real reader.
    fn read(ldif: &str) -> Directory {
        crate::ingest::read_ldif_text(ldif).directory
    }

    // objectGUID {d08f810b-a35c-49a8-b8c5-4d4b3e5cbb7a} as exported (little-endian Data1..3):
    // 0b818fd05ca3a849b8c54d4b3e5cbb7a; base64 of those bytes, worked out by hand below.
    const OBJECT_GUID_B64: &str = "C4GP0FyjqEm4xU1LPly7eg==";
    const CONSISTENCY_B64: &str = "AAECAwQFBgcICQoLDA0ODw==";

    fn sample() -> Directory {
        read(&format!(
            "dn: CN=User,DC=a,DC=test\nobjectClass: user\nobjectGUID:: {OBJECT_GUID_B64}\n\
             mS-DS-ConsistencyGuid:: {CONSISTENCY_B64}\n\n\
             dn: CN=Plain,DC=a,DC=test\nobjectClass: user\nobjectGUID:: {OBJECT_GUID_B64}\n\n\
             dn: CN=Group,DC=a,DC=test\nobjectClass: group\nobjectGUID:: {OBJECT_GUID_B64}\n\
             mS-DS-ConsistencyGuid:: {CONSISTENCY_B64}\n\n\
             dn: CN=Odd,DC=a,DC=test\nobjectClass: user\nobjectGUID:: {OBJECT_GUID_B64}\n\
             mS-DS-ConsistencyGuid:: AQID\n\n\
             dn: CN=Linked,DC=a,DC=test\nobjectClass: user\nobjectGUID:: {OBJECT_GUID_B64}\n\
             msExchRecipientTypeDetails: 2\n\n\
             dn: CN=NoGuid,DC=a,DC=test\nobjectClass: contact\n\n\
             dn: CN=Person,DC=a,DC=test\nobjectClass: inetOrgPerson\nobjectGUID:: {OBJECT_GUID_B64}\n\
             mS-DS-ConsistencyGuid:: {CONSISTENCY_B64}\n\n"
        ))
    }

    fn row(d: &Directory, cn: &str) -> usize {
        (0..d.len())
            .find(|&r| d.text(Attr::Cn, r) == Some(cn) || d.dn.get(r).unwrap().contains(cn))
            .unwrap()
    }

    #[test]
    fn base64_is_the_standard_alphabet_with_padding_of_the_exported_bytes() {
        let a = Anchor {
            bytes: Box::new([
                0x0b, 0x81, 0x8f, 0xd0, 0x5c, 0xa3, 0xa8, 0x49, 0xb8, 0xc5, 0x4d, 0x4b, 0x3e, 0x5c,
                0xbb, 0x7a,
            ]),
            from: AnchorAttr::ObjectGuid,
        };
        // 0b818f → C4GP, d05ca3 → 0Fyj, a849b8 → qEm4, c54d4b → xU1L, 3e5cbb → Ply7, 7a → eg==
        assert_eq!(a.base64(), OBJECT_GUID_B64);
        assert!(a.is_guid());
    }

    #[test]
    fn users_use_consistency_guid_under_both_engines() {
        let d = sample();
        let r = row(&d, "CN=User");
        for engine in ALL_ENGINES {
            let a = source_anchor(&d, r, *engine).unwrap();
            assert_eq!(a.from, AnchorAttr::ConsistencyGuid);
            assert_eq!(a.base64(), CONSISTENCY_B64);
            assert_eq!(&a.bytes[..], &(0u8..16).collect::<Vec<_>>()[..]);
        }
        let r = row(&d, "CN=Person");
        assert_eq!(
            source_anchor(&d, r, Engine::Connect).unwrap().from,
            AnchorAttr::ConsistencyGuid
        );
    }

    #[test]
    fn without_consistency_guid_the_anchor_is_object_guid() {
        let d = sample();
        let r = row(&d, "CN=Plain");
        for engine in ALL_ENGINES {
            let a = source_anchor(&d, r, *engine).unwrap();
            assert_eq!(a.from, AnchorAttr::ObjectGuid);
            assert_eq!(a.base64(), OBJECT_GUID_B64);
        }
    }

    #[test]
    fn groups_differ_connect_object_guid_cloud_sync_consistency_guid() {
        let d = sample();
        let r = row(&d, "CN=Group");
        let connect = source_anchor(&d, r, Engine::Connect).unwrap();
        let cloud = source_anchor(&d, r, Engine::CloudSync).unwrap();
        assert_eq!(connect.from, AnchorAttr::ObjectGuid);
        assert_eq!(connect.base64(), OBJECT_GUID_B64);
        assert_eq!(cloud.from, AnchorAttr::ConsistencyGuid);
        assert_eq!(cloud.base64(), CONSISTENCY_B64);
    }

    #[test]
    fn a_consistency_guid_of_another_length_is_still_the_anchor() {
        let d = sample();
        let r = row(&d, "CN=Odd");
        let a = source_anchor(&d, r, Engine::CloudSync).unwrap();
        assert_eq!(a.from, AnchorAttr::ConsistencyGuid);
        assert_eq!(&a.bytes[..], &[1, 2, 3]);
        assert_eq!(a.base64(), "AQID");
        assert!(!a.is_guid());
        assert!(d.has_consistency_guid[r]);
    }

    #[test]
    fn linked_mailboxes_and_objects_without_guids_have_none() {
        let d = sample();
        let linked = row(&d, "CN=Linked");
        assert_eq!(source_anchor(&d, linked, Engine::Connect), None);
        assert_eq!(
            source_anchor(&d, linked, Engine::CloudSync).unwrap().from,
            AnchorAttr::ObjectGuid
        );
        let none = row(&d, "CN=NoGuid");
        for engine in ALL_ENGINES {
            assert_eq!(source_anchor(&d, none, *engine), None);
        }
        assert_eq!(source_anchor(&d, d.len(), Engine::Connect), None);
    }

    #[test]
    fn odd_values_survive_appending_and_truncating_tables() {
        let d = sample();
        let mut both = sample();
        both.append(sample());
        let odd = row(&d, "CN=Odd");
        assert_eq!(
            both.consistency_guid_bytes(odd + d.len()),
            Some(&[1u8, 2, 3][..])
        );
        assert_eq!(both.consistency_guid_bytes(odd), Some(&[1u8, 2, 3][..]));
        both.truncate(d.len());
        assert_eq!(both.odd_consistency_guids.len(), 1);
        let mut one = Directory::default();
        one.load_object_with(&d, odd, &[], None);
        assert_eq!(one.consistency_guid_bytes(0), Some(&[1u8, 2, 3][..]));
    }
}
