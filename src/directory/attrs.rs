//! The attributes the reader extracts from an export. Everything else is only counted.
//!
//! The list is sync-rules.md §1.1 (IdFix's attribute set, both modes) plus what the
//! Entra Connect scope and large-object rules need (§3.4, §3.5).

/// How the reader stores an attribute's values.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AttrShape {
    /// One text value (the first one if an export repeats it).
    Text,
    /// Every value, in order (proxyAddresses).
    TextList,
    /// Only the last value is kept: objectClass lists the chain, the last is the most specific.
    LastText,
    /// A signed integer in decimal.
    Integer,
    /// `TRUE` / `FALSE`.
    Boolean,
    /// A 16-byte GUID.
    Guid,
    /// Only the number of values (member, userSMIMECertificate).
    Count,
    /// The number of values, and what each says as an X.509 certificate (subject, validity:
    /// [`crate::cert`]), for hybrid join (userCertificate).
    Certificates,
    /// Only the size in bytes of the (first) value (thumbnailPhoto).
    Size,
    /// A security identifier, read back in its text form `S-1-5-21-…` (objectSid; stored as
    /// its interned domain part and RID, [`crate::directory::SidColumn`]).
    Sid,
    /// A DN-valued reference (manager, managedBy): kept only when it points outside the
    /// object's own domain ([`crate::directory::Directory::foreign_refs`]).
    Reference,
    /// Every value, kept only for the objects that have one, beside the table
    /// ([`crate::directory::Extra`]): attributes of a few objects (configuration partition,
    /// domain heads, the Seamless SSO account) that the readiness checks read.
    Sparse,
    /// Only the latest value over all objects, as a time ([`crate::directory::Extra`]):
    /// whenChanged and modifyTimeStamp give the export's own time.
    Latest,
    /// Only a few facts a readiness check needs, as bits ([`crate::directory::Marks`]), kept
    /// beside the table for the objects that have the attribute: servicePrincipalName (does
    /// it name the Seamless SSO service), nTSecurityDescriptor ([`crate::sd`]: inheritance,
    /// deny ACEs). The values themselves are not kept.
    Marks,
}

macro_rules! attributes {
    ($( $variant:ident = $ldap:literal, $shape:ident; )*) => {
        /// An attribute the reader extracts.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Attr { $( $variant, )* }

        impl Attr {
            /// Every extracted attribute, in declaration order.
            pub const ALL: &'static [Attr] = &[ $( Attr::$variant, )* ];

            /// The attribute's LDAP display name.
            pub fn ldap_name(self) -> &'static str {
                match self { $( Attr::$variant => $ldap, )* }
            }

            /// How its values are stored.
            pub fn shape(self) -> AttrShape {
                match self { $( Attr::$variant => AttrShape::$shape, )* }
            }

            /// Looks an attribute name up, ignoring case. The caller strips options (`;range=…`).
            pub fn from_name(name: &[u8]) -> Option<Attr> {
                // Names are short; compare case-insensitively without allocating.
                $( if name.eq_ignore_ascii_case($ldap.as_bytes()) { return Some(Attr::$variant); } )*
                None
            }
        }
    };
}

attributes! {
    Cn = "cn", Text;
    DisplayName = "displayName", Text;
    GivenName = "givenName", Text;
    Sn = "sn", Text;
    Mail = "mail", Text;
    MailNickname = "mailNickname", Text;
    SamAccountName = "sAMAccountName", Text;
    TargetAddress = "targetAddress", Text;
    UserPrincipalName = "userPrincipalName", Text;
    HomeMdb = "homeMDB", Count;
    ProxyAddresses = "proxyAddresses", TextList;
    ObjectClass = "objectClass", LastText;
    UserAccountControl = "userAccountControl", Integer;
    GroupType = "groupType", Integer;
    RecipientTypeDetails = "msExchRecipientTypeDetails", Integer;
    IsCriticalSystemObject = "isCriticalSystemObject", Boolean;
    HideFromAddressLists = "msExchHideFromAddressLists", Boolean;
    ObjectGuid = "objectGUID", Guid;
    ConsistencyGuid = "mS-DS-ConsistencyGuid", Guid;
    Member = "member", Count;
    UserCertificate = "userCertificate", Certificates;
    UserSmimeCertificate = "userSMIMECertificate", Count;
    ThumbnailPhoto = "thumbnailPhoto", Size;
    ObjectSid = "objectSid", Sid;
    Manager = "manager", Reference;
    ManagedBy = "managedBy", Reference;
    // Readiness (sign-in and device features): the export's time, the Seamless SSO account,
    // the configuration partition (crossRefs, the device registration service connection
    // point, optional features).
    WhenChanged = "whenChanged", Latest;
    ModifyTimeStamp = "modifyTimeStamp", Latest;
    PwdLastSet = "pwdLastSet", Integer;
    SupportedEncryptionTypes = "msDS-SupportedEncryptionTypes", Sparse;
    AllowedToDelegateTo = "msDS-AllowedToDelegateTo", Sparse;
    AllowedToActOnBehalfOf = "msDS-AllowedToActOnBehalfOfOtherIdentity", Sparse;
    Keywords = "keywords", Sparse;
    UpnSuffixes = "uPNSuffixes", Sparse;
    BehaviorVersion = "msDS-Behavior-Version", Sparse;
    EnabledFeature = "msDS-EnabledFeature", Sparse;
    NetbiosName = "nETBIOSName", Sparse;
    DnsRoot = "dnsRoot", Sparse;
    NcName = "nCName", Sparse;
    // Hybrid join per computer; password hash sync and writeback per user and domain head
    // (minPwdAge and maxPwdAge are on domain heads only, hence sparse).
    OperatingSystem = "operatingSystem", Text;
    OperatingSystemVersion = "operatingSystemVersion", Text;
    LastLogonTimestamp = "lastLogonTimestamp", Integer;
    AccountExpires = "accountExpires", Integer;
    AdminCount = "adminCount", Integer;
    MinPwdAge = "minPwdAge", Sparse;
    MaxPwdAge = "maxPwdAge", Sparse;
    // The Seamless SSO account's service principal names; the security descriptor of users
    // and of that account (inheritance, "cannot change password", deletion protection).
    ServicePrincipalName = "servicePrincipalName", Marks;
    NtSecurityDescriptor = "nTSecurityDescriptor", Marks;
}

impl Attr {
    /// Whether an export may hold several values (csvde joins them with `;`).
    pub fn is_multi_valued(self) -> bool {
        matches!(
            self.shape(),
            AttrShape::TextList
                | AttrShape::LastText
                | AttrShape::Count
                | AttrShape::Sparse
                | AttrShape::Certificates
                | AttrShape::Marks
        )
    }

    /// Attributes the export list (`help export`, `rules --attributes`) leaves out: read when
    /// an export carries them, asked for separately because they are large
    /// (nTSecurityDescriptor is 1–4 KB an object).
    pub const OPT_IN: &'static [Attr] = &[Attr::NtSecurityDescriptor];

    /// Attributes whose absence from a whole export means the export itself is incomplete
    /// (made with a `-l` list lacking them, or from a global catalog): the rules depend on them.
    pub const EXPECTED: &'static [Attr] = &[
        Attr::ObjectClass,
        Attr::Cn,
        Attr::DisplayName,
        Attr::Mail,
        Attr::MailNickname,
        Attr::ProxyAddresses,
        Attr::SamAccountName,
        Attr::UserPrincipalName,
        Attr::ObjectGuid,
        Attr::UserAccountControl,
    ];
}

/// Text attributes, in column order of [`crate::directory::Directory::text`].
pub const TEXT_ATTRS: [Attr; 11] = [
    Attr::Cn,
    Attr::DisplayName,
    Attr::GivenName,
    Attr::Sn,
    Attr::Mail,
    Attr::MailNickname,
    Attr::SamAccountName,
    Attr::TargetAddress,
    Attr::UserPrincipalName,
    Attr::OperatingSystem,
    Attr::OperatingSystemVersion,
];

/// Integer attributes, in column order.
pub const INT_ATTRS: [Attr; 7] = [
    Attr::UserAccountControl,
    Attr::GroupType,
    Attr::RecipientTypeDetails,
    Attr::PwdLastSet,
    Attr::LastLogonTimestamp,
    Attr::AccountExpires,
    Attr::AdminCount,
];

/// Boolean attributes, in column order.
pub const BOOL_ATTRS: [Attr; 2] = [Attr::IsCriticalSystemObject, Attr::HideFromAddressLists];

/// Counted attributes, in column order.
/// Only presence or the number of values matters for these (homeMDB: is there a mailbox;
/// keeping its ~170-byte DN would cost more than any other column).
pub const COUNT_ATTRS: [Attr; 4] = [
    Attr::HomeMdb,
    Attr::Member,
    Attr::UserCertificate,
    Attr::UserSmimeCertificate,
];

/// Position of an attribute inside its shape's column array.
pub fn column_index(attr: Attr) -> usize {
    usize::from(COLUMN_INDEX[attr as usize])
}

/// [`column_index`] of every attribute, worked out at compile time: every read of a text
/// column goes through it (rules, and each finding's value in every output), and searching
/// the lists was a visible part of reading findings' values back from the table.
const COLUMN_INDEX: [u8; Attr::ALL.len()] = {
    let mut table = [0u8; Attr::ALL.len()];
    // An attribute is in one list at most; one in none is at 0.
    let lists: [&[Attr]; 4] = [&TEXT_ATTRS, &INT_ATTRS, &BOOL_ATTRS, &COUNT_ATTRS];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            table[lists[l][i] as usize] = i as u8;
            i += 1;
        }
        l += 1;
    }
    table
};

/// The LDAP display name, as every output writes it.
impl std::fmt::Display for Attr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.ldap_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case_and_knows_every_attribute() {
        assert_eq!(
            Attr::from_name(b"USERPRINCIPALNAME"),
            Some(Attr::UserPrincipalName)
        );
        assert_eq!(
            Attr::from_name(b"proxyaddresses"),
            Some(Attr::ProxyAddresses)
        );
        assert_eq!(Attr::from_name(b"whenCreated"), None);
        for a in Attr::ALL {
            assert_eq!(Attr::from_name(a.ldap_name().as_bytes()), Some(*a));
        }
    }

    #[test]
    fn every_columnar_attribute_has_a_distinct_slot() {
        for list in [
            &TEXT_ATTRS[..],
            &INT_ATTRS[..],
            &BOOL_ATTRS[..],
            &COUNT_ATTRS[..],
        ] {
            for (i, a) in list.iter().enumerate() {
                assert_eq!(column_index(*a), i);
            }
        }
    }
}
