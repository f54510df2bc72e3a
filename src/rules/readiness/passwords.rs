//! Password hash sync and password writeback, per user and per domain (SL1301–SL1304,
//! SL1351–SL1354): temporary passwords, passwords already expired on premises, expired
//! accounts that stay enabled, inetOrgPerson users, the domain's minimum password age,
//! protected accounts, and — when the export carries security descriptors — users whose
//! inheritance is disabled or who may not change their password.
//!
//! Only users in the sync scope are judged (the others never reach Entra ID). Password and
//! account ages are measured from the export's own time; the domain's policy comes from its
//! head object (objectClass domainDNS: `maxPwdAge`, `minPwdAge`), which a default export of
//! the domain holds. Fine-grained password policies (PSOs) are not read: they are readable by
//! privileged accounts only and may override the domain's ages for some users.

use super::{Feature, Inputs, Out, Readiness, NO_EXPORT_TIME, NO_SECURITY_DESCRIPTORS};
use crate::directory::{Attr, Marks, ObjectKind};
use crate::findings::{Finding, Severity};
use crate::rules::registry::Family;
use crate::rules::Rule;
use crate::vocab::Source;

const ACCOUNTDISABLE: i64 = 0x2;
const DONT_EXPIRE_PASSWORD: i64 = 0x1_0000;
/// FILETIME ticks (100 ns) in a second: AD's intervals (maxPwdAge) and times (pwdLastSet).
const TICKS_PER_SECOND: i64 = 10_000_000;

pub static PHS: Source = Source {
    title: "Implement password hash synchronization with Microsoft Entra Connect Sync",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-password-hash-synchronization",
};

pub static PHS_TROUBLESHOOT: Source = Source {
    title: "Troubleshoot password hash synchronization with Microsoft Entra Connect Sync",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-password-hash-synchronization",
};

pub static WRITEBACK: Source = Source {
    title: "How does self-service password reset writeback work in Microsoft Entra ID?",
    url: "https://learn.microsoft.com/entra/identity/authentication/concept-sspr-writeback",
};

pub static WRITEBACK_TUTORIAL: Source = Source {
    title: "Tutorial: Enable Microsoft Entra self-service password reset writeback to an on-premises environment",
    url: "https://learn.microsoft.com/entra/identity/authentication/tutorial-enable-sspr-writeback",
};

pub static WRITEBACK_TROUBLESHOOT: Source = Source {
    title: "Troubleshoot self-service password reset writeback in Microsoft Entra ID",
    url: "https://learn.microsoft.com/entra/identity/authentication/troubleshoot-sspr-writeback",
};

#[allow(clippy::too_many_arguments)]
const fn password_rule(
    code: &'static str,
    slug: &'static str,
    severity: Severity,
    attributes: &'static [Attr],
    entra: &'static str,
    sources: &'static [&'static Source],
    source_note: &'static str,
    texts: [&'static str; 3],
) -> Rule {
    super::rule(
        code,
        slug,
        severity,
        attributes,
        entra,
        sources,
        source_note,
        texts,
        &[],
    )
}

pub static TEMPORARY_PASSWORD: Rule = password_rule(
    "SL1301",
    "phs-temporary-password-not-synced",
    Severity::Warning,
    &[Attr::PwdLastSet],
    "password hash sync skips the password (FilteredByTarget): the user can't sign in to the cloud with it",
    &[&PHS_TROUBLESHOOT, &PHS],
    "Connect 2.0.3.0 and later sync it with a forced change when ForcePasswordChangeOnLogOn is on; Microsoft advises that only with SSPR and password writeback.",
    [
        "An enabled user whose pwdLastSet is 0: \"User must change password at next logon\".",
        "Password hash sync does not synchronize temporary passwords unless ForcePasswordChangeOnLogOn is enabled (Connect 2.0.3.0 or later); users flagged before that feature was turned on get a sign-in error until the box is cleared and set again.",
        "Have the user change the password on premises before the first sync, or enable ForcePasswordChangeOnLogOn together with SSPR and password writeback.",
    ],
);

pub static PASSWORD_EXPIRED: Rule = password_rule(
    "SL1302",
    "phs-password-expired-on-premises",
    Severity::Warning,
    &[Attr::PwdLastSet, Attr::MaxPwdAge, Attr::UserAccountControl],
    "the expired password keeps working in the cloud: synchronized passwords never expire there by default",
    &[&PHS],
    "The domain's maxPwdAge is used; a fine-grained password policy (PSO) may give the user another maximum and is not read. Measured from the export's own time.",
    [
        "An enabled user whose password may expire and was set longer ago than the domain's maximum password age (maxPwdAge on the domain head) at the export's time.",
        "After password hash sync the cloud password is set to never expire, so a password expired on premises still signs in to Microsoft 365.",
        "Enable CloudPasswordPolicyForPasswordSyncedUsersEnabled before the first password hash sync, or have these users change their passwords.",
    ],
);

pub static ACCOUNT_EXPIRED: Rule = password_rule(
    "SL1303",
    "account-expired-but-enabled",
    Severity::Warning,
    &[Attr::AccountExpires, Attr::UserAccountControl],
    "the Entra user stays enabled: accountExpires is not synchronized",
    &[&PHS],
    "Measured from the export's own time.",
    [
        "An enabled user whose accountExpires is in the past at the export's time.",
        "Entra Connect does not synchronize accountExpires: the expired account keeps signing in to the cloud.",
        "Disable expired accounts in AD (userAccountControl), which Connect does synchronize.",
    ],
);

pub static INET_ORG_PERSON: Rule = password_rule(
    "SL1304",
    "phs-inetorgperson-no-password",
    Severity::Error,
    &[Attr::ObjectClass],
    "the account syncs, its password does not: cloud sign-in fails with password hash sync",
    &[
        &PHS,
        &crate::rules::sources::CLOUD_SYNC_PREREQUISITES,
        &crate::rules::readiness::devices::SYNCED_ATTRIBUTES,
    ],
    "Both engines: Connect Sync's password hash sync article (\"isn't supported for the iNetOrgPerson object type\") and Cloud Sync's known limitations (\"Using password hash sync with InetOrgPerson isn't supported\"). It replaces SL1117, retired, which reported it under Cloud Sync only.",
    [
        "A user of class inetOrgPerson in the sync scope (under either engine).",
        "Password hash synchronization is not supported for inetOrgPerson objects, by Entra Connect Sync or by Entra Cloud Sync.",
        "Use pass-through authentication or federation for these users, or recreate them as user objects.",
    ],
);

pub static MIN_PASSWORD_AGE: Rule = password_rule(
    "SL1351",
    "writeback-minimum-password-age",
    Severity::Warning,
    &[Attr::MinPwdAge],
    "a reset or change inside the window is refused (event 6329)",
    &[&WRITEBACK_TUTORIAL, &WRITEBACK_TROUBLESHOOT],
    "The domain rule is Microsoft's; a fine-grained password policy's msDS-MinimumPasswordAge works the same for its users (AD behaviour, not stated in the Entra documentation) and is not read.",
    [
        "A domain whose minimum password age (minPwdAge on the domain head) is not 0.",
        "Password writeback applies the on-premises policy: a user who changed the password inside the minimum age can't reset it again from the cloud.",
        "Set the minimum password age to 0 (Default Domain Policy) if users should reset more than once a day.",
    ],
);

pub static PROTECTED_ACCOUNT: Rule = password_rule(
    "SL1352",
    "writeback-protected-account",
    Severity::Info,
    &[Attr::AdminCount],
    "self-service password reset can't write the password back for this user (events 31003/31008/31011)",
    &[&WRITEBACK, &WRITEBACK_TROUBLESHOOT],
    "That writeback can't reset members of protected groups (Domain Admins, Enterprise Admins …) is Microsoft's; reading adminCount = 1 as the mark of a protected account is ours (AdminSDHolder sets it, and leaves it after the user leaves the group). Advice.",
    [
        "A user with adminCount = 1: a member, now or before, of a protected group such as Domain Admins.",
        "Password writeback can't set the passwords of protected accounts; SSPR fails on premises for them.",
        "Tell these users that SSPR won't work for their AD account; reset them on premises. Clear adminCount (and restore inheritance) on users no longer in a protected group.",
    ],
);

pub static UAC_ARTICLE: Source = Source {
    title: "Use the UserAccountControl flags to manipulate user account properties",
    url: "https://learn.microsoft.com/troubleshoot/windows-server/active-directory/useraccountcontrol-manipulate-account-properties",
};

pub static INHERITANCE_DISABLED: Rule = password_rule(
    "SL1353",
    "writeback-inheritance-disabled",
    Severity::Warning,
    &[Attr::NtSecurityDescriptor],
    "password writeback fails for the user: the rights delegated to Connect's account never reach it",
    &[&WRITEBACK_TUTORIAL, &WRITEBACK_TROUBLESHOOT],
    "Microsoft: writeback fails when inheritance is disabled on the user. Read from the SE_DACL_PROTECTED flag of nTSecurityDescriptor; needs the attribute in the export. Users with adminCount = 1 are left to writeback-protected-account (AdminSDHolder disables their inheritance on purpose).",
    [
        "An enabled user in the sync scope whose permissions do not inherit from the OU (the DACL is protected), and who is not a protected account (adminCount = 1).",
        "Password writeback resets passwords with the Reset password and Write pwdLastSet rights delegated to the Connect account on the OU; with inheritance disabled those rights never reach the user, and the reset fails on premises.",
        "Enable inheritance on the user (Active Directory Users and Computers, Security, Advanced, Enable inheritance), or grant the Connect account the rights on the user itself.",
    ],
);

pub static CANNOT_CHANGE_PASSWORD: Rule = password_rule(
    "SL1354",
    "writeback-user-cannot-change-password",
    Severity::Warning,
    &[Attr::NtSecurityDescriptor],
    "a self-service change from the cloud is refused on premises (event 6329)",
    &[&WRITEBACK_TROUBLESHOOT, &UAC_ARTICLE],
    "\"User cannot change password\" is a deny ACE for Everyone or SELF on the Change Password right, not the userAccountControl bit PASSWD_CANT_CHANGE (0x40), which AD does not keep; read from nTSecurityDescriptor, which the export must carry.",
    [
        "An enabled user in the sync scope whose security descriptor denies Everyone or SELF the Change Password right (\"User cannot change password\").",
        "Password writeback applies the on-premises restrictions: Microsoft's troubleshooting lists PASSWD_CANT_CHANGE among the reasons a password change from the cloud is refused.",
        "Clear \"User cannot change password\" on users who should use self-service password change, or tell them it won't work.",
    ],
);

pub static FAMILY: Family = Family {
    name: "password hash sync and writeback",
    rules: &[
        &TEMPORARY_PASSWORD,
        &PASSWORD_EXPIRED,
        &ACCOUNT_EXPIRED,
        &INET_ORG_PERSON,
        &MIN_PASSWORD_AGE,
        &PROTECTED_ACCOUNT,
        &INHERITANCE_DISABLED,
        &CANNOT_CHANGE_PASSWORD,
    ],
    values: &[],
    check_value: None,
    check: None,
};

/// Password writeback's rules (SL1351–SL1399); the others serve password hash sync.
static WRITEBACK_RULES: &[&Rule] = &[
    &MIN_PASSWORD_AGE,
    &PROTECTED_ACCOUNT,
    &INHERITANCE_DISABLED,
    &CANNOT_CHANGE_PASSWORD,
];

/// The rules that read security descriptors.
static DESCRIPTOR_RULES: &[&Rule] = &[&INHERITANCE_DISABLED, &CANNOT_CHANGE_PASSWORD];

pub static READINESS: Readiness = Readiness {
    family: &FAMILY,
    feature: |rule| {
        if WRITEBACK_RULES.contains(&rule) {
            Feature::PasswordWriteback
        } else {
            Feature::PasswordHashSync
        }
    },
    run,
};

/// A FILETIME (100 ns since 1601) as Unix seconds; None for 0 and "never".
fn filetime_seconds(ticks: i64) -> Option<i64> {
    (ticks > 0 && ticks != i64::MAX).then(|| ticks / TICKS_PER_SECOND - 11_644_473_600)
}

fn date(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| format!("{seconds} s since 1970"))
}

/// A domain-head integer (maxPwdAge, minPwdAge) of object `row`: kept as the sparse text
/// the export holds, since only domain heads have them.
fn policy(inputs: &Inputs, attr: Attr, row: usize) -> Option<i64> {
    inputs.dir.extra.value(attr, row)?.trim().parse().ok()
}

/// Whether object `row` is a domain head (objectClass domainDNS).
fn is_domain_head(inputs: &Inputs, row: usize) -> bool {
    inputs
        .dir
        .object_class
        .get(row)
        .is_some_and(|c| c.eq_ignore_ascii_case("domainDNS"))
}

/// A domain's maximum password age in seconds; None when passwords never expire (0, or the
/// most negative value).
fn max_age_seconds(max_pwd_age: i64) -> Option<i64> {
    (max_pwd_age < 0 && max_pwd_age != i64::MIN).then(|| -max_pwd_age / TICKS_PER_SECOND)
}

fn run(inputs: &Inputs, out: &mut Out) {
    let dir = inputs.dir;
    let at = inputs.time.map(|t| t.seconds);
    let heads: Vec<usize> = (0..dir.len())
        .filter(|r| is_domain_head(inputs, *r) && inputs.counts(*r))
        .collect();
    // The writeback rule on the domain heads.
    let with_min_age: Vec<usize> = heads
        .iter()
        .copied()
        .filter(|r| policy(inputs, Attr::MinPwdAge, *r).is_some())
        .collect();
    if with_min_age.is_empty() {
        out.not_checked(
            Feature::PasswordWriteback,
            &[&MIN_PASSWORD_AGE],
            "no domain head object (objectClass domainDNS) with minPwdAge in the inputs: export it with ldifde -d \"DC=…\" -p Base",
        );
    } else {
        out.ran(Feature::PasswordWriteback);
    }
    for &row in &with_min_age {
        let ticks = policy(inputs, Attr::MinPwdAge, row).unwrap_or(0);
        if ticks != 0 {
            let hours = ticks.unsigned_abs() / (3600 * TICKS_PER_SECOND as u64);
            out.report(
                inputs,
                Finding::new(&MIN_PASSWORD_AGE, row, Attr::MinPwdAge, &ticks.to_string()).note(
                    format!(
                        "minimum password age {} in {}",
                        if hours % 24 == 0 {
                            crate::text::plural(hours / 24, "day", "days")
                        } else {
                            crate::text::plural(hours, "hour", "hours")
                        },
                        dir.dn.get(row).unwrap_or("")
                    ),
                ),
            );
        }
    }
    let users: Vec<usize> = (0..dir.len())
        .filter(|r| {
            matches!(dir.kind[*r], ObjectKind::User | ObjectKind::InetOrgPerson)
                && inputs.scope.in_scope(*r)
        })
        .collect();
    if users.is_empty() {
        out.not_checked(
            Feature::PasswordHashSync,
            FAMILY.rules,
            "no user in the sync scope",
        );
        return;
    }
    out.ran(Feature::PasswordHashSync);
    out.ran(Feature::PasswordWriteback);
    if !dir.extra.seen(Marks::SD) {
        out.not_checked(
            Feature::PasswordWriteback,
            DESCRIPTOR_RULES,
            NO_SECURITY_DESCRIPTORS,
        );
    } else {
        let marks = |r: &usize| dir.extra.marks(*r);
        let without = users.iter().filter(|r| !marks(r).has(Marks::SD)).count();
        let unreadable = users
            .iter()
            .filter(|r| marks(r).has(Marks::SD_MALFORMED))
            .count();
        for (n, why) in [
            (without, "without nTSecurityDescriptor in the export"),
            (unreadable, "whose security descriptor could not be read"),
        ] {
            if n > 0 {
                out.not_checked(
                    Feature::PasswordWriteback,
                    DESCRIPTOR_RULES,
                    format!(
                        "{} {why}",
                        crate::text::plural(
                            n as u64,
                            "user in the sync scope",
                            "users in the sync scope"
                        )
                    ),
                );
            }
        }
    }
    if at.is_none() {
        out.not_checked(
            Feature::PasswordHashSync,
            &[&PASSWORD_EXPIRED, &ACCOUNT_EXPIRED],
            NO_EXPORT_TIME,
        );
    }
    // The maximum password age of each user's domain, from its head.
    let max_age_of = |row: usize| -> Result<Option<i64>, ()> {
        let head = inputs
            .forests
            .domain_of_row(dir, row)
            .and_then(|d| d.head)
            .ok_or(())?;
        let ticks = policy(inputs, Attr::MaxPwdAge, head).ok_or(())?;
        Ok(max_age_seconds(ticks))
    };
    let without_policy = users.iter().filter(|r| max_age_of(**r).is_err()).count();
    if at.is_some() && without_policy > 0 {
        out.not_checked(
            Feature::PasswordHashSync,
            &[&PASSWORD_EXPIRED],
            format!(
                "{} in domains whose head object (objectClass domainDNS, with maxPwdAge) is not in the inputs",
                crate::text::plural(without_policy as u64, "user", "users")
            ),
        );
    }
    inputs.objects(
        &[ObjectKind::User, ObjectKind::InetOrgPerson],
        out,
        |row, found| {
            if inputs.scope.in_scope(row) {
                user(inputs, at, row, &max_age_of, found);
            }
        },
    );
}

fn user(
    inputs: &Inputs,
    at: Option<i64>,
    row: usize,
    max_age_of: &dyn Fn(usize) -> Result<Option<i64>, ()>,
    found: &mut Vec<Finding>,
) {
    let dir = inputs.dir;
    let uac = dir.int(Attr::UserAccountControl, row).unwrap_or(0);
    let enabled = uac & ACCOUNTDISABLE == 0;
    let pwd_last_set = dir.int(Attr::PwdLastSet, row);
    if enabled && pwd_last_set == Some(0) {
        found.push(
            Finding::new(&TEMPORARY_PASSWORD, row, Attr::PwdLastSet, "0").note(
                "must change password at next logon: the temporary password is not synchronized",
            ),
        );
    }
    if let (true, Some(at), Some(set)) = (
        enabled && uac & DONT_EXPIRE_PASSWORD == 0,
        at,
        pwd_last_set.and_then(filetime_seconds),
    ) {
        if let Ok(Some(max)) = max_age_of(row) {
            if set + max < at {
                found.push(
                    Finding::new(&PASSWORD_EXPIRED, row, Attr::PwdLastSet, &date(set)).note(
                        format!(
                            "password set {} days before the export ({}); the domain's maximum age is {} days",
                            (at - set).div_euclid(86_400),
                            date(at),
                            max / 86_400
                        ),
                    ),
                );
            }
        }
    }
    if let (true, Some(at), Some(expires)) = (
        enabled,
        at,
        dir.int(Attr::AccountExpires, row)
            .and_then(filetime_seconds),
    ) {
        if expires < at {
            found.push(
                Finding::new(&ACCOUNT_EXPIRED, row, Attr::AccountExpires, &date(expires)).note(
                    format!(
                        "account expired before the export ({}) and is enabled",
                        date(at)
                    ),
                ),
            );
        }
    }
    if dir.kind[row] == ObjectKind::InetOrgPerson {
        found.push(
            Finding::new(&INET_ORG_PERSON, row, Attr::ObjectClass, "inetOrgPerson")
                .note("password hash sync does not synchronize inetOrgPerson passwords"),
        );
    }
    let protected = dir.int(Attr::AdminCount, row) == Some(1);
    if enabled && protected {
        found.push(
            Finding::new(&PROTECTED_ACCOUNT, row, Attr::AdminCount, "1")
                .note("protected account (adminCount 1): writeback can't reset its password"),
        );
    }
    let marks = dir.extra.marks(row);
    if enabled && marks.has(Marks::SD) && !marks.has(Marks::SD_MALFORMED) {
        if marks.has(Marks::DACL_PROTECTED) && !protected {
            found.push(
                Finding::new(
                    &INHERITANCE_DISABLED,
                    row,
                    Attr::NtSecurityDescriptor,
                    "DACL protected",
                )
                .note("inheritance disabled: the writeback rights on the OU don't reach this user"),
            );
        }
        if marks.has(Marks::DENY_CHANGE_PASSWORD) {
            found.push(
                Finding::new(
                    &CANNOT_CHANGE_PASSWORD,
                    row,
                    Attr::NtSecurityDescriptor,
                    "deny Change Password",
                )
                .note(
                    "\"User cannot change password\": a password change from the cloud is refused",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_times() {
        // 42 days, as AD stores it.
        assert_eq!(max_age_seconds(-36_288_000_000_000), Some(42 * 86_400));
        assert_eq!(max_age_seconds(0), None);
        assert_eq!(max_age_seconds(i64::MIN), None);
        // 2026-11-30 12:00 UTC as a FILETIME.
        let filetime = (1_796_040_000 + 11_644_473_600) * TICKS_PER_SECOND;
        assert_eq!(filetime_seconds(filetime), Some(1_796_040_000));
        assert_eq!(filetime_seconds(0), None);
        assert_eq!(filetime_seconds(i64::MAX), None);
    }
}
