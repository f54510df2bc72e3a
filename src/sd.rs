//! The few facts password writeback and Seamless SSO read from an object's
//! `nTSecurityDescriptor`: whether its DACL is protected (inheritance disabled), whether it
//! denies Everyone or SELF the Change Password extended right ("User cannot change
//! password"), and whether it denies Everyone Delete and Delete Subtree ("Protect object from
//! accidental deletion").
//!
//! The value is a self-relative `SECURITY_DESCRIPTOR` (MS-DTYP 2.4.6): revision, control
//! flags, offsets of owner, group, SACL and DACL; an ACL (2.4.5) is a header and its ACEs
//! (2.4.4), each with a type, flags, size, access mask, for object ACEs (2.4.4.3/4) the
//! object-type GUIDs, then the trustee SID. ldifde writes it base64, AD Explorer snapshots
//! carry it raw. The reader is bounded: every offset and size is checked against the value,
//! nothing is allocated, and any bytes give an answer or an error, never a panic. Only the
//! facts are kept (one byte an object), never the descriptor: it is 1–4 KB an object.
//!
//! `windows-sddl` (crates.io) parses whole descriptors into owned ACE lists; at 0.1 with one
//! maintainer and allocations per object, it was not worth a dependency for three facts.

/// SE_DACL_PRESENT: the descriptor has a DACL.
const SE_DACL_PRESENT: u16 = 0x0004;
/// SE_DACL_PROTECTED: the DACL does not inherit from the parent.
const SE_DACL_PROTECTED: u16 = 0x1000;
/// SE_SELF_RELATIVE: offsets, not pointers (every stored descriptor).
const SE_SELF_RELATIVE: u16 = 0x8000;

const ACCESS_DENIED_ACE_TYPE: u8 = 0x01;
const ACCESS_DENIED_OBJECT_ACE_TYPE: u8 = 0x06;
/// INHERIT_ONLY_ACE: the ACE is only for children, not the object itself.
const INHERIT_ONLY_ACE: u8 = 0x08;
const ACE_OBJECT_TYPE_PRESENT: u32 = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT: u32 = 0x2;

/// ADS_RIGHT_DS_CONTROL_ACCESS: extended rights (Change Password is one).
pub const RIGHT_CONTROL_ACCESS: u32 = 0x100;
/// ADS_RIGHT_DS_DELETE_TREE.
pub const RIGHT_DELETE_TREE: u32 = 0x40;
/// DELETE (standard right).
pub const RIGHT_DELETE: u32 = 0x1_0000;
/// GENERIC_ALL: every right.
const GENERIC_ALL: u32 = 0x1000_0000;

/// The User-Change-Password extended right, ab721a53-1e2f-11d0-9819-00aa0040529b, in its
/// wire byte order (Data1–Data3 little-endian).
pub const CHANGE_PASSWORD: [u8; 16] = [
    0x53, 0x1a, 0x72, 0xab, 0x2f, 0x1e, 0xd0, 0x11, 0x98, 0x19, 0x00, 0xaa, 0x00, 0x40, 0x52, 0x9b,
];
/// Everyone, S-1-1-0.
pub const EVERYONE: &[u8] = &[1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
/// SELF (principal self), S-1-5-10.
pub const SELF: &[u8] = &[1, 1, 0, 0, 0, 0, 0, 5, 10, 0, 0, 0];

/// What a security descriptor says for the checks.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SdFacts {
    /// SE_DACL_PROTECTED: inheritance disabled.
    pub dacl_protected: bool,
    /// A deny ACE for Everyone or SELF on Change Password (or on every extended right).
    pub deny_change_password: bool,
    /// Deny ACEs for Everyone on both Delete and Delete Subtree.
    pub deny_delete: bool,
}

/// Why a value is not a security descriptor.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SdError {
    TooShort,
    Revision(u8),
    NotSelfRelative,
    DaclOutside,
    AclHeader,
    AceOutside,
    AceTooShort,
}

impl std::fmt::Display for SdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SdError::TooShort => f.write_str("shorter than a security descriptor header"),
            SdError::Revision(r) => write!(f, "revision {r}, not 1"),
            SdError::NotSelfRelative => f.write_str("not self-relative"),
            SdError::DaclOutside => f.write_str("DACL offset outside the value"),
            SdError::AclHeader => f.write_str("DACL header inconsistent"),
            SdError::AceOutside => f.write_str("an ACE runs past its ACL"),
            SdError::AceTooShort => f.write_str("an ACE is shorter than its type needs"),
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// The SID at the start of `b`, if whole (revision 1, count, 6-byte authority, sub-authorities).
fn sid(b: &[u8]) -> Option<&[u8]> {
    let count = *b.get(1)? as usize;
    if *b.first()? != 1 {
        return None;
    }
    b.get(..8 + 4 * count)
}

/// Reads the facts of a self-relative security descriptor.
pub fn read(b: &[u8]) -> Result<SdFacts, SdError> {
    if b.len() < 20 {
        return Err(SdError::TooShort);
    }
    if b[0] != 1 {
        return Err(SdError::Revision(b[0]));
    }
    let control = u16_at(b, 2).ok_or(SdError::TooShort)?;
    if control & SE_SELF_RELATIVE == 0 {
        return Err(SdError::NotSelfRelative);
    }
    let mut facts = SdFacts {
        dacl_protected: control & SE_DACL_PROTECTED != 0,
        ..SdFacts::default()
    };
    let dacl_offset = u32_at(b, 16).ok_or(SdError::TooShort)? as usize;
    if control & SE_DACL_PRESENT == 0 || dacl_offset == 0 {
        return Ok(facts); // no DACL, or a NULL DACL: nothing denied
    }
    let acl = b.get(dacl_offset..).ok_or(SdError::DaclOutside)?;
    if acl.len() < 8 {
        return Err(SdError::DaclOutside);
    }
    let size = u16_at(acl, 2).ok_or(SdError::AclHeader)? as usize;
    let count = u16_at(acl, 4).ok_or(SdError::AclHeader)?;
    if size < 8 || size > acl.len() {
        return Err(SdError::AclHeader);
    }
    let acl = &acl[..size];
    let (mut denied_delete, mut pos) = (0u32, 8usize);
    for _ in 0..count {
        let header = acl.get(pos..pos + 4).ok_or(SdError::AceOutside)?;
        let (kind, flags) = (header[0], header[1]);
        let ace_size = u16_at(header, 2).ok_or(SdError::AceOutside)? as usize;
        if ace_size < 8 {
            return Err(SdError::AceTooShort);
        }
        let ace = acl.get(pos..pos + ace_size).ok_or(SdError::AceOutside)?;
        pos += ace_size;
        if flags & INHERIT_ONLY_ACE != 0
            || !matches!(kind, ACCESS_DENIED_ACE_TYPE | ACCESS_DENIED_OBJECT_ACE_TYPE)
        {
            continue;
        }
        let mask = u32_at(ace, 4).ok_or(SdError::AceTooShort)?;
        let (object_type, trustee) = if kind == ACCESS_DENIED_OBJECT_ACE_TYPE {
            let object_flags = u32_at(ace, 8).ok_or(SdError::AceTooShort)?;
            let mut at = 12;
            let mut object_type = None;
            if object_flags & ACE_OBJECT_TYPE_PRESENT != 0 {
                object_type = Some(ace.get(at..at + 16).ok_or(SdError::AceTooShort)?);
                at += 16;
            }
            if object_flags & ACE_INHERITED_OBJECT_TYPE_PRESENT != 0 {
                at += 16;
            }
            (object_type, ace.get(at..).ok_or(SdError::AceTooShort)?)
        } else {
            (None, &ace[8..])
        };
        let Some(trustee) = sid(trustee) else {
            return Err(SdError::AceTooShort);
        };
        let everyone = trustee == EVERYONE;
        let anyone = everyone || trustee == SELF;
        let all = mask & GENERIC_ALL != 0;
        let extended = all || mask & RIGHT_CONTROL_ACCESS != 0;
        if anyone && extended && object_type.is_none_or(|g| g == CHANGE_PASSWORD) {
            facts.deny_change_password = true;
        }
        // Delete rights are denied only by an ACE on the object itself (no object type).
        if everyone && object_type.is_none() {
            denied_delete |= if all {
                RIGHT_DELETE | RIGHT_DELETE_TREE
            } else {
                mask & (RIGHT_DELETE | RIGHT_DELETE_TREE)
            };
        }
    }
    facts.deny_delete = denied_delete == RIGHT_DELETE | RIGHT_DELETE_TREE;
    Ok(facts)
}

/// Writes self-relative descriptors: for the generator's planted cases and for tests.
pub mod build {
    use super::*;

    /// An ACE: `deny`, its flags, mask, object type GUID (wire order) and trustee SID.
    pub struct Ace<'a> {
        pub deny: bool,
        pub flags: u8,
        pub mask: u32,
        pub object_type: Option<[u8; 16]>,
        pub trustee: &'a [u8],
    }

    /// A self-relative descriptor with an owner and group (Domain Admins of a made-up
    /// domain), the DACL `aces`, and SE_DACL_PROTECTED if `protected`, laid out as AD
    /// stores it: header, DACL, owner, group.
    pub fn descriptor(protected: bool, aces: &[Ace]) -> Vec<u8> {
        let admins: Vec<u8> = {
            let mut s = vec![1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
            for sub in [1_111_111_111u32, 2_222_222_222, 333_333_333, 512] {
                s.extend(sub.to_le_bytes());
            }
            s
        };
        let mut acl_body = Vec::new();
        for ace in aces {
            let mut body = Vec::new();
            body.extend(ace.mask.to_le_bytes());
            let kind = match (ace.deny, ace.object_type) {
                (false, None) => 0x00,
                (true, None) => ACCESS_DENIED_ACE_TYPE,
                (false, Some(_)) => 0x05,
                (true, Some(_)) => ACCESS_DENIED_OBJECT_ACE_TYPE,
            };
            if let Some(g) = ace.object_type {
                body.extend(ACE_OBJECT_TYPE_PRESENT.to_le_bytes());
                body.extend(g);
            }
            body.extend_from_slice(ace.trustee);
            let size = (4 + body.len()) as u16;
            acl_body.extend([kind, ace.flags]);
            acl_body.extend(size.to_le_bytes());
            acl_body.extend(body);
        }
        let mut acl = vec![4u8, 0];
        acl.extend(((8 + acl_body.len()) as u16).to_le_bytes());
        acl.extend((aces.len() as u16).to_le_bytes());
        acl.extend([0, 0]);
        acl.extend(acl_body);
        let mut control = SE_SELF_RELATIVE | SE_DACL_PRESENT;
        if protected {
            control |= SE_DACL_PROTECTED;
        }
        let dacl_at = 20u32;
        let owner_at = dacl_at + acl.len() as u32;
        let group_at = owner_at + admins.len() as u32;
        let mut sd = vec![1u8, 0];
        sd.extend(control.to_le_bytes());
        sd.extend(owner_at.to_le_bytes());
        sd.extend(group_at.to_le_bytes());
        sd.extend(0u32.to_le_bytes()); // no SACL
        sd.extend(dacl_at.to_le_bytes());
        sd.extend(acl);
        sd.extend(&admins);
        sd.extend(&admins);
        sd
    }

    /// The allow ACEs an ordinary user object carries (Authenticated Users read, SELF
    /// change password, an inherited Domain Admins full control), for realistic DACLs.
    pub fn ordinary_aces() -> Vec<Ace<'static>> {
        const AUTHENTICATED_USERS: &[u8] = &[1, 1, 0, 0, 0, 0, 0, 5, 11, 0, 0, 0];
        vec![
            Ace {
                deny: false,
                flags: 0,
                mask: 0x2_0094,
                object_type: None,
                trustee: AUTHENTICATED_USERS,
            },
            Ace {
                deny: false,
                flags: 0,
                mask: RIGHT_CONTROL_ACCESS,
                object_type: Some(CHANGE_PASSWORD),
                trustee: SELF,
            },
            Ace {
                deny: false,
                flags: 0x12, // inherited, container-inherit
                mask: 0xF_01FF,
                object_type: None,
                trustee: EVERYONE,
            },
        ]
    }

    /// The deny ACEs "User cannot change password" adds (Everyone and SELF).
    pub fn cannot_change_password() -> Vec<Ace<'static>> {
        [EVERYONE, SELF]
            .into_iter()
            .map(|trustee| Ace {
                deny: true,
                flags: 0,
                mask: RIGHT_CONTROL_ACCESS,
                object_type: Some(CHANGE_PASSWORD),
                trustee,
            })
            .collect()
    }

    /// The deny ACE "Protect object from accidental deletion" adds.
    pub fn protected_from_deletion() -> Ace<'static> {
        Ace {
            deny: true,
            flags: 0,
            mask: RIGHT_DELETE | RIGHT_DELETE_TREE,
            object_type: None,
            trustee: EVERYONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;
    use proptest::prelude::*;

    /// A descriptor written byte by byte from MS-DTYP (not by `build`): control 0x9404
    /// (self-relative, DACL protected, DACL present); a DACL of revision 4 with a deny
    /// object ACE for Everyone on User-Change-Password and a deny ACE for Everyone on
    /// Delete + Delete Subtree; then the owner SID (S-1-5-32-544).
    fn by_hand() -> Vec<u8> {
        let mut b: Vec<u8> = vec![
            0x01, 0x00, 0x04, 0x94, // revision 1, sbz1, control 0x9404
            0x58, 0x00, 0x00, 0x00, // owner at 88
            0x00, 0x00, 0x00, 0x00, // no group
            0x00, 0x00, 0x00, 0x00, // no SACL
            0x14, 0x00, 0x00, 0x00, // DACL at 20
            // ACL header: revision 4, sbz1, size 68, 2 ACEs, sbz2
            0x04, 0x00, 0x44, 0x00, 0x02, 0x00, 0x00, 0x00,
            // ACE 1: ACCESS_DENIED_OBJECT, flags 0, size 40 (4 + 4 + 4 + 16 + 12)
            0x06, 0x00, 0x28, 0x00, //
            0x00, 0x01, 0x00, 0x00, // mask: ADS_RIGHT_DS_CONTROL_ACCESS
            0x01, 0x00, 0x00, 0x00, // ACE_OBJECT_TYPE_PRESENT
            // ab721a53-1e2f-11d0-9819-00aa0040529b, Data1-3 little-endian
            0x53, 0x1a, 0x72, 0xab, 0x2f, 0x1e, 0xd0, 0x11, //
            0x98, 0x19, 0x00, 0xaa, 0x00, 0x40, 0x52, 0x9b, //
            0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // S-1-1-0
            // ACE 2: ACCESS_DENIED, flags 0, size 20, mask DELETE | DELETE_TREE, Everyone
            0x01, 0x00, 0x14, 0x00, 0x40, 0x00, 0x01, 0x00, //
            0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(b.len(), 88);
        // The owner, S-1-5-32-544 (Administrators).
        b.extend([1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0]);
        b
    }

    #[test]
    fn a_descriptor_written_from_the_specification() {
        let facts = read(&by_hand()).unwrap();
        assert_eq!(
            facts,
            SdFacts {
                dacl_protected: true,
                deny_change_password: true,
                deny_delete: true,
            }
        );
    }

    #[test]
    fn each_fact_on_its_own_and_what_does_not_count() {
        let plain = descriptor(false, &ordinary_aces());
        assert_eq!(read(&plain), Ok(SdFacts::default()));
        assert!(
            read(&descriptor(true, &ordinary_aces()))
                .unwrap()
                .dacl_protected
        );
        let mut aces = ordinary_aces();
        aces.extend(cannot_change_password());
        assert!(
            read(&descriptor(false, &aces))
                .unwrap()
                .deny_change_password
        );
        aces = ordinary_aces();
        aces.push(protected_from_deletion());
        assert!(read(&descriptor(false, &aces)).unwrap().deny_delete);
        // Deny Delete alone is not the protection; an inherit-only deny does not apply to
        // the object; a deny for another trustee, or on another right, does not count.
        let only_delete = Ace {
            mask: RIGHT_DELETE,
            ..protected_from_deletion()
        };
        assert!(
            !read(&descriptor(false, &[only_delete]))
                .unwrap()
                .deny_delete
        );
        let inherit_only = Ace {
            flags: INHERIT_ONLY_ACE,
            ..protected_from_deletion()
        };
        assert!(
            !read(&descriptor(false, &[inherit_only]))
                .unwrap()
                .deny_delete
        );
        let other_trustee = Ace {
            trustee: &[1, 1, 0, 0, 0, 0, 0, 5, 11, 0, 0, 0],
            ..cannot_change_password().remove(0)
        };
        assert!(
            !read(&descriptor(false, &[other_trustee]))
                .unwrap()
                .deny_change_password
        );
        let other_right = Ace {
            object_type: Some([7; 16]),
            ..cannot_change_password().remove(0)
        };
        assert!(
            !read(&descriptor(false, &[other_right]))
                .unwrap()
                .deny_change_password
        );
    }

    #[test]
    fn broken_descriptors_are_errors() {
        let good = by_hand();
        assert_eq!(read(&good[..10]), Err(SdError::TooShort));
        let mut bad = good.clone();
        bad[0] = 2;
        assert_eq!(read(&bad), Err(SdError::Revision(2)));
        bad = good.clone();
        bad[16] = 0xF0;
        assert_eq!(read(&bad), Err(SdError::DaclOutside));
        bad = good.clone();
        bad[22] = 0xFF; // ACL size past the value
        assert_eq!(read(&bad), Err(SdError::AclHeader));
        bad = good.clone();
        bad[24] = 9; // nine ACEs in room for two
        assert!(read(&bad).is_err());
        bad = good;
        bad[30] = 4; // an ACE of 4 bytes
        assert_eq!(read(&bad), Err(SdError::AceTooShort));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read(&bytes);
        }

        #[test]
        fn damaged_descriptors_never_panic(at in 0usize..88, value in any::<u8>(), cut in 0usize..110) {
            let mut b = by_hand();
            b[at] = value;
            b.truncate(cut);
            let _ = read(&b);
        }
    }
}
