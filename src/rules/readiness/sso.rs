//! Seamless SSO: the `AZUREADSSOACC` computer account Entra Connect creates in each forest,
//! whose Kerberos key Microsoft Entra ID shares (SL1201–SL1210).

use super::sources;
use super::{Feature, Inputs, Out, Readiness, NO_EXPORT_TIME, NO_SECURITY_DESCRIPTORS};
use crate::directory::{Attr, Marks, ObjectKind};
use crate::findings::{Finding, Severity};
use crate::rules::registry::Family;
use crate::rules::{Limit, Rule};

/// The account's sAMAccountName.
pub const SSO_ACCOUNT: &str = "AZUREADSSOACC$";
/// The service principal name browsers ask a Kerberos ticket for.
pub const SSO_SPN: &str = crate::directory::SEAMLESS_SSO_SPN;
/// Microsoft: roll the key over at least every 30 days.
pub const KEY_MAX_AGE_DAYS: i64 = 30;

const ACCOUNTDISABLE: i64 = 0x2;
const TRUSTED_FOR_DELEGATION: i64 = 0x8_0000;
const TRUSTED_TO_AUTH_FOR_DELEGATION: i64 = 0x100_0000;
const RC4: i64 = 0x4;
const AES128: i64 = 0x8;
const AES256: i64 = 0x10;

static SSO_SOURCES: &[&crate::vocab::Source] = &[
    &sources::SSO_QUICK_START,
    &sources::SSO_HOW_IT_WORKS,
    &sources::SSO_FAQ,
    &sources::SSO_TROUBLESHOOT,
];

#[allow(clippy::too_many_arguments)]
const fn sso_rule(
    code: &'static str,
    slug: &'static str,
    severity: Severity,
    attributes: &'static [Attr],
    entra: &'static str,
    source_note: &'static str,
    texts: [&'static str; 3],
    limits: &'static [Limit],
) -> Rule {
    super::rule(
        code,
        slug,
        severity,
        attributes,
        entra,
        SSO_SOURCES,
        source_note,
        texts,
        limits,
    )
}

pub static SSO_ACCOUNT_ABSENT: Rule = sso_rule(
    "SL1201",
    "sso-account-absent",
    Severity::Info,
    &[Attr::SamAccountName],
    "Seamless SSO is off in this forest until Entra Connect creates the account",
    "The export shows no AZUREADSSOACC; if Seamless SSO is already enabled for the forest, that is an error (81011/81013-style fallbacks to a password prompt).",
    [
        "A forest whose exported domains hold computer objects but no AZUREADSSOACC$ computer account.",
        "Seamless SSO needs the account in every forest whose users sign in with it; Entra Connect creates it when the feature is enabled. If SSO is already on, users of this forest get a password prompt.",
        "Nothing before enabling Seamless SSO; if it is already enabled, enable it again for this forest (Entra Connect, or Enable-AzureADSSOForest).",
    ],
    &[],
);

pub static SSO_ACCOUNT_DISABLED: Rule = sso_rule(
    "SL1202",
    "sso-account-disabled",
    Severity::Error,
    &[Attr::UserAccountControl],
    "Seamless SSO fails for the forest's users (the account must be present and enabled)",
    "",
    [
        "The AZUREADSSOACC$ computer account is disabled (userAccountControl has ACCOUNTDISABLE, 0x2).",
        "Microsoft's troubleshooting checklist: the account must be present and enabled in each forest; a disabled account breaks Kerberos ticket decryption for SSO.",
        "Enable the account, or disable and re-enable Seamless SSO for the forest so Connect recreates it.",
    ],
    &[],
);

pub static SSO_KEY_OLD: Rule = sso_rule(
    "SL1203",
    "sso-key-not-rolled-over",
    Severity::Warning,
    &[Attr::PwdLastSet],
    "none at once; a long-lived shared Kerberos key is a risk",
    "That pwdLastSet is the rollover date is observed in community tools, not stated by Microsoft; nothing else changes this account's password. Measured from the export's time, not the machine's clock.",
    [
        "The AZUREADSSOACC$ Kerberos decryption key (pwdLastSet) is more than 30 days older than the export.",
        "Microsoft recommends rolling the key over at least every 30 days; the key is shared with Entra ID and whoever holds it can forge tickets for SSO.",
        "Run Update-AzureADSSOForest for the forest (once, not twice in a row) with a Domain Admin that is not in Protected Users.",
    ],
    &[Limit {
        what: "days",
        max: KEY_MAX_AGE_DAYS as usize,
    }],
);

pub static SSO_RC4_ONLY: Rule = sso_rule(
    "SL1204",
    "sso-rc4-only",
    Severity::Warning,
    &[Attr::SupportedEncryptionTypes],
    "Seamless SSO stops when RC4 is disabled for Kerberos",
    "The bit values (RC4 0x4, AES128 0x8, AES256 0x10) are AD's; Microsoft says AES is recommended and to roll the key before switching.",
    [
        "msDS-SupportedEncryptionTypes on AZUREADSSOACC$ allows RC4 but neither AES128 nor AES256.",
        "RC4 is being retired for Kerberos; Microsoft recommends AES256 for the SSO account, set on msDS-SupportedEncryptionTypes.",
        "Roll the key over first (Update-AzureADSSOForest), then set msDS-SupportedEncryptionTypes to AES256 (decimal 16) on the account; in the other order SSO stops.",
    ],
    &[],
);

pub static SSO_ENCRYPTION_NOT_SET: Rule = sso_rule(
    "SL1205",
    "sso-encryption-types-not-set",
    Severity::Info,
    &[Attr::SupportedEncryptionTypes],
    "none known; the domain controllers' default decides",
    "Inference: without the attribute the KDC's default applies, which depends on the domain controllers' version and Kerberos hardening updates; not researched here. Advice only.",
    [
        "AZUREADSSOACC$ has no msDS-SupportedEncryptionTypes value (if the export was made with an -l list, it must name the attribute).",
        "The encryption type of the SSO key is then the domain controllers' default, which may be RC4.",
        "Set AES256 explicitly after a key rollover (see sso-rc4-only).",
    ],
    &[],
);

pub static SSO_DELEGATION: Rule = sso_rule(
    "SL1206",
    "sso-delegation-enabled",
    Severity::Error,
    &[Attr::UserAccountControl, Attr::AllowedToDelegateTo, Attr::AllowedToActOnBehalfOf],
    "Microsoft: Kerberos delegation must be disabled on the account",
    "Which attributes show delegation (TRUSTED_FOR_DELEGATION 0x80000, TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000, msDS-AllowedToDelegateTo, msDS-AllowedToActOnBehalfOfOtherIdentity) is AD's model; the rule itself is Microsoft's.",
    [
        "Kerberos delegation is enabled on AZUREADSSOACC$ (userAccountControl 0x80000 or 0x1000000, msDS-AllowedToDelegateTo or msDS-AllowedToActOnBehalfOfOtherIdentity set), or another account may delegate to the SSO service (its msDS-AllowedToDelegateTo names HTTP/autologon.microsoftazuread-sso.com).",
        "Microsoft requires that delegation stay off on the SSO account and that no other account have delegation permissions on it: delegation lets a service obtain SSO tickets for users.",
        "Clear the delegation flags and attributes on the account; remove the SSO SPN from other accounts' msDS-AllowedToDelegateTo.",
    ],
    &[],
);

pub static SSO_ACCOUNT_REPEATED: Rule = sso_rule(
    "SL1207",
    "sso-account-repeated",
    Severity::Info,
    &[Attr::SamAccountName],
    "none when intended (one per domain, enabled by PowerShell)",
    "One account per forest is what Connect creates; PowerShell can enable SSO per domain, so more than one can be legitimate (community checks flag it).",
    [
        "A forest holds more than one AZUREADSSOACC$ account (one per domain).",
        "Connect creates one per forest; more usually means SSO was enabled per domain with PowerShell, and every copy needs its key rolled over.",
        "Check that each is intended; roll each one's key over.",
    ],
    &[],
);

pub static SSO_ACCOUNT_UNPROTECTED: Rule = sso_rule(
    "SL1208",
    "sso-account-in-default-container",
    Severity::Info,
    &[Attr::Cn],
    "none at once; the account can be deleted or changed by mistake",
    "Inference: from an ldifde/csvde export only the location is visible, not whether the container is protected from accidental deletion or who may write it (that needs nTSecurityDescriptor). Advice only.",
    [
        "AZUREADSSOACC$ is in the default CN=Computers container.",
        "Microsoft: keep the account in an organizational unit protected from accidental deletion, where only Domain Admins can change it, and out of any quarantine or cleanup container; the default Computers container is where stale-computer cleanups look.",
        "Move the account to a protected OU managed by Domain Admins only.",
    ],
    &[],
);

pub static SSO_SPN_MISSING: Rule = sso_rule(
    "SL1209",
    "sso-spn-missing",
    Severity::Warning,
    &[Attr::ServicePrincipalName],
    "browsers get no Kerberos ticket for Seamless SSO: users of the forest see a password prompt",
    "That Connect creates the SPNs is Microsoft's; the exact value HTTP/autologon.microsoftazuread-sso.com is what community tools check (they also expect HTTP/aadg.windows.net.nsatc.net, not judged here).",
    [
        "The AZUREADSSOACC$ account's servicePrincipalName does not hold HTTP/autologon.microsoftazuread-sso.com.",
        "When Seamless SSO is enabled, Entra Connect registers the service principal names on the account; a browser asks the domain controller for a ticket to HTTP/autologon.microsoftazuread-sso.com, and without that SPN there is no ticket, so no single sign-on.",
        "Disable and re-enable Seamless SSO for the forest (Entra Connect, or Disable-/Enable-AzureADSSOForest), which recreates the account with its SPNs; don't add SPNs by hand.",
    ],
    &[],
);

pub static SSO_ACCOUNT_DELETABLE: Rule = sso_rule(
    "SL1210",
    "sso-account-not-protected-from-deletion",
    Severity::Warning,
    &[Attr::NtSecurityDescriptor],
    "none at once; if the account is deleted, Seamless SSO stops for the forest",
    "Microsoft asks for the account to be protected from deletion; that the protection shows as deny ACEs for Everyone on Delete and Delete Subtree (what \"Protect object from accidental deletion\" writes) is AD's model. Needs nTSecurityDescriptor in the export.",
    [
        "The AZUREADSSOACC$ account's security descriptor does not deny Everyone Delete and Delete Subtree: it is not protected from accidental deletion.",
        "Microsoft: keep the account where it is protected from accidental deletion and only Domain Admins can change it; a stale-computer cleanup that deletes it breaks Seamless SSO until it is enabled again.",
        "In Active Directory Users and Computers (Advanced Features), open the account, Object tab, tick \"Protect object from accidental deletion\"; or Set-ADObject -ProtectedFromAccidentalDeletion $true.",
    ],
    &[],
);

pub static FAMILY: Family = Family {
    name: "Seamless SSO",
    rules: &[
        &SSO_ACCOUNT_ABSENT,
        &SSO_ACCOUNT_DISABLED,
        &SSO_KEY_OLD,
        &SSO_RC4_ONLY,
        &SSO_ENCRYPTION_NOT_SET,
        &SSO_DELEGATION,
        &SSO_ACCOUNT_REPEATED,
        &SSO_ACCOUNT_UNPROTECTED,
        &SSO_SPN_MISSING,
        &SSO_ACCOUNT_DELETABLE,
    ],
    values: &[],
    check_value: None,
    check: None,
};

pub static READINESS: Readiness = Readiness {
    family: &FAMILY,
    feature: |_| Feature::SeamlessSso,
    run,
};

/// Whether object `row` is a Seamless SSO account.
pub fn is_sso_account(inputs: &Inputs, row: usize) -> bool {
    let dir = inputs.dir;
    dir.kind[row] == ObjectKind::Computer
        && match dir.text(Attr::SamAccountName, row) {
            Some(sam) => sam.eq_ignore_ascii_case(SSO_ACCOUNT),
            None => dir
                .text(Attr::Cn, row)
                .is_some_and(|cn| cn.eq_ignore_ascii_case("AZUREADSSOACC")),
        }
}

fn run(inputs: &Inputs, out: &mut Out) {
    let dir = inputs.dir;
    let mut accounts: Vec<usize> = Vec::new();
    let mut computers_per_forest = vec![0u64; inputs.forests.list.len()];
    let forest_index = |dn: &str| {
        inputs
            .forests
            .of_dn(dn)
            .and_then(|f| inputs.forests.list.iter().position(|g| std::ptr::eq(g, f)))
    };
    for row in 0..dir.len() {
        if dir.kind[row] != ObjectKind::Computer || !inputs.counts(row) {
            continue;
        }
        if let Some(f) = forest_index(dir.dn.get(row).unwrap_or("")) {
            computers_per_forest[f] += 1;
        }
        if is_sso_account(inputs, row) {
            accounts.push(row);
        }
    }
    let all = FAMILY.rules;
    if computers_per_forest.iter().all(|n| *n == 0) && accounts.is_empty() {
        out.not_checked(
            Feature::SeamlessSso,
            all,
            "the inputs hold no computer object (the AZUREADSSOACC$ account is one); export the domain with computers",
        );
    } else {
        out.ran(Feature::SeamlessSso);
    }
    // Per forest: absent, or more than one.
    for (f, forest) in inputs.forests.list.iter().enumerate() {
        let mine: Vec<usize> = accounts
            .iter()
            .copied()
            .filter(|r| forest_index(dir.dn.get(*r).unwrap_or("")) == Some(f))
            .collect();
        if mine.is_empty() && computers_per_forest[f] > 0 {
            // Absence means something only in an export of whole domains: one that starts at
            // a domain's root (its head object is in it), not a filtered or OU export.
            let root = crate::dn::normalized(&forest.root);
            let head = forest
                .domains
                .iter()
                .find(|d| crate::dn::normalized(&d.dn) == root)
                .and_then(|d| d.head)
                .or_else(|| forest.domains.iter().find_map(|d| d.head));
            if let Some(anchor) = head {
                out.report(
                    inputs,
                    Finding::new(
                        &SSO_ACCOUNT_ABSENT,
                        anchor,
                        Attr::SamAccountName,
                        &format!("no {SSO_ACCOUNT}"),
                    )
                    .note(format!(
                        "no AZUREADSSOACC$ account in {} (Seamless SSO not enabled there yet)",
                        forest.label()
                    )),
                );
            } else {
                out.not_checked(
                    Feature::SeamlessSso,
                    &[&SSO_ACCOUNT_ABSENT],
                    format!(
                        "whether {} has an AZUREADSSOACC$ account: the export does not start at a domain's root (no domain head object), so absence proves nothing",
                        forest.label()
                    ),
                );
            }
        }
        if mine.len() > 1 {
            for row in &mine {
                out.report(
                    inputs,
                    Finding::new(
                        &SSO_ACCOUNT_REPEATED,
                        *row,
                        Attr::SamAccountName,
                        SSO_ACCOUNT,
                    )
                    .note(format!(
                        "{} AZUREADSSOACC$ accounts in {}",
                        mine.len(),
                        forest.label()
                    )),
                );
            }
        }
    }
    if !accounts.is_empty() && !dir.extra.seen(Marks::SPN) {
        out.not_checked(
            Feature::SeamlessSso,
            &[&SSO_SPN_MISSING],
            "no object in the export has servicePrincipalName (an -l list without it?)",
        );
    }
    if !accounts.is_empty() && !dir.extra.seen(Marks::SD) {
        out.not_checked(
            Feature::SeamlessSso,
            &[&SSO_ACCOUNT_DELETABLE],
            NO_SECURITY_DESCRIPTORS,
        );
    }
    for &row in &accounts {
        account(inputs, out, row);
    }
    // Other accounts that may delegate to the SSO service.
    for (row, value) in dir.extra.with(Attr::AllowedToDelegateTo) {
        if accounts.contains(&row) || !inputs.counts(row) {
            continue;
        }
        if value
            .trim()
            .to_ascii_lowercase()
            .starts_with(&SSO_SPN.to_ascii_lowercase())
        {
            let name = dir.text(Attr::SamAccountName, row).unwrap_or("");
            out.report(
                inputs,
                Finding::new(&SSO_DELEGATION, row, Attr::AllowedToDelegateTo, value).note(format!(
                    "{name} may delegate to the Seamless SSO service ({SSO_SPN})"
                )),
            );
        }
    }
}

fn account(inputs: &Inputs, out: &mut Out, row: usize) {
    let dir = inputs.dir;
    let forest = inputs
        .forests
        .of_dn(dir.dn.get(row).unwrap_or(""))
        .map_or_else(|| "its forest".to_string(), |f| f.label());
    let uac = dir.int(Attr::UserAccountControl, row);
    if let Some(uac) = uac {
        if uac & ACCOUNTDISABLE != 0 {
            out.report(
                inputs,
                Finding::new(
                    &SSO_ACCOUNT_DISABLED,
                    row,
                    Attr::UserAccountControl,
                    &uac.to_string(),
                )
                .note(format!("AZUREADSSOACC$ disabled in {forest}")),
            );
        }
    }
    // Key age from the export's time.
    match (dir.int(Attr::PwdLastSet, row), inputs.time) {
        (_, None) => out.not_checked(Feature::SeamlessSso, &[&SSO_KEY_OLD], NO_EXPORT_TIME),
        (None, Some(_)) => out.not_checked(
            Feature::SeamlessSso,
            &[&SSO_KEY_OLD],
            "AZUREADSSOACC$ has no pwdLastSet in the export (an -l list without it?)",
        ),
        (Some(ticks), Some(time)) => {
            let set = crate::time::from_filetime(ticks);
            let days = set.map(|s| crate::time::days_between(s, time.seconds));
            if days.is_none_or(|d| d > KEY_MAX_AGE_DAYS) {
                let age = match (set, days) {
                    (Some(s), Some(d)) => format!(
                        "AZUREADSSOACC$ key {d} days old in {forest} (set {}, export time {})",
                        crate::time::display(s),
                        time.describe()
                    ),
                    _ => format!("AZUREADSSOACC$ key never set in {forest} (pwdLastSet {ticks})"),
                };
                out.report(
                    inputs,
                    Finding::new(&SSO_KEY_OLD, row, Attr::PwdLastSet, &ticks.to_string()).note(age),
                );
            }
        }
    }
    match dir.extra.value(Attr::SupportedEncryptionTypes, row) {
        None => out.report(
            inputs,
            Finding::new(&SSO_ENCRYPTION_NOT_SET, row, Attr::SupportedEncryptionTypes, "")
                .note(format!("AZUREADSSOACC$ in {forest}: encryption types not set (inferred: the DCs' default applies)")),
        ),
        Some(text) => match text.trim().parse::<i64>() {
            Ok(types) if types & RC4 != 0 && types & (AES128 | AES256) == 0 => out.report(
                inputs,
                Finding::new(&SSO_RC4_ONLY, row, Attr::SupportedEncryptionTypes, text)
                    .note(format!("AZUREADSSOACC$ in {forest} allows RC4 only")),
            ),
            _ => {}
        },
    }
    let mut delegation: Vec<String> = Vec::new();
    if let Some(uac) = uac {
        if uac & TRUSTED_FOR_DELEGATION != 0 {
            delegation.push("TRUSTED_FOR_DELEGATION".into());
        }
        if uac & TRUSTED_TO_AUTH_FOR_DELEGATION != 0 {
            delegation.push("TRUSTED_TO_AUTH_FOR_DELEGATION".into());
        }
    }
    let constrained = dir.extra.values(Attr::AllowedToDelegateTo, row).count();
    if constrained > 0 {
        delegation.push(format!("msDS-AllowedToDelegateTo ({constrained} values)"));
    }
    if dir.extra.value(Attr::AllowedToActOnBehalfOf, row).is_some() {
        delegation.push("msDS-AllowedToActOnBehalfOfOtherIdentity".into());
    }
    if !delegation.is_empty() {
        let (attr, value) = match uac {
            Some(u) if u & (TRUSTED_FOR_DELEGATION | TRUSTED_TO_AUTH_FOR_DELEGATION) != 0 => {
                (Attr::UserAccountControl, u.to_string())
            }
            _ if constrained > 0 => (
                Attr::AllowedToDelegateTo,
                dir.extra
                    .value(Attr::AllowedToDelegateTo, row)
                    .unwrap_or("")
                    .to_string(),
            ),
            _ => (Attr::AllowedToActOnBehalfOf, "(set)".to_string()),
        };
        out.report(
            inputs,
            Finding::new(&SSO_DELEGATION, row, attr, &value).note(format!(
                "delegation on AZUREADSSOACC$ in {forest}: {}",
                delegation.join(", ")
            )),
        );
    }
    let marks = dir.extra.marks(row);
    if dir.extra.seen(Marks::SPN) && !marks.has(Marks::SSO_SPN) {
        let (value, note) = if marks.has(Marks::SPN) {
            (
                "(other values)",
                format!("AZUREADSSOACC$ in {forest}: servicePrincipalName lacks {SSO_SPN}"),
            )
        } else {
            (
                "",
                format!("AZUREADSSOACC$ in {forest} has no servicePrincipalName"),
            )
        };
        out.report(
            inputs,
            Finding::new(&SSO_SPN_MISSING, row, Attr::ServicePrincipalName, value).note(note),
        );
    }
    if dir.extra.seen(Marks::SD) {
        if !marks.has(Marks::SD) {
            out.not_checked(
                Feature::SeamlessSso,
                &[&SSO_ACCOUNT_DELETABLE],
                format!("AZUREADSSOACC$ in {forest} has no nTSecurityDescriptor in the export"),
            );
        } else if marks.has(Marks::SD_MALFORMED) {
            out.not_checked(
                Feature::SeamlessSso,
                &[&SSO_ACCOUNT_DELETABLE],
                format!("the security descriptor of AZUREADSSOACC$ in {forest} could not be read"),
            );
        } else if !marks.has(Marks::DENY_DELETE) {
            out.report(
                inputs,
                Finding::new(
                    &SSO_ACCOUNT_DELETABLE,
                    row,
                    Attr::NtSecurityDescriptor,
                    "no deny Delete for Everyone",
                )
                .note(format!(
                    "AZUREADSSOACC$ in {forest} is not protected from accidental deletion"
                )),
            );
        }
    }
    let parent = crate::dn::parent(dir.dn.get(row).unwrap_or(""));
    if crate::dn::first_rdn_value(parent).eq_ignore_ascii_case("Computers")
        && crate::dn::rdns(parent)
            .next()
            .is_some_and(|r| r.first().is("CN"))
    {
        out.report(
            inputs,
            Finding::new(
                &SSO_ACCOUNT_UNPROTECTED,
                row,
                Attr::Cn,
                dir.text(Attr::Cn, row).unwrap_or("AZUREADSSOACC"),
            )
            .note(format!("AZUREADSSOACC$ in the default Computers container of {forest} (inferred: protection not visible in this export)")),
        );
    }
}
