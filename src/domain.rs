//! Is a DNS suffix usable in Microsoft 365? (special-use names, RFC 6761; never-delegated
//! TLDs; the public suffix list)
//!
//! Special-use and private-use names are recognised first (RFC 6761 and friends, ICANN's
//! .internal, the never-delegated .corp/.home/.mail, Microsoft's own .local/.lan examples);
//! everything else is looked up in the public suffix list of the maintained `psl` crate, which
//! carries every delegated TLD, IDN ones included (U-label or A-label), with no length cap —
//! unlike IdFix's frozen 2-17 letter list.
//!
//! Also Microsoft's own namespaces and which of them Entra's proxy calculation discards. A
//! leaf (it imports nothing of the crate): the rules, the tenant's matching, the Domains sheet
//! and `fix` judge domains through it alike.

/// How a domain's suffix stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuffixStatus {
    /// A delegated public suffix.
    Routable,
    /// Reserved or special-use: never routable (the reason says which).
    SpecialUse(&'static str),
    /// Not a delegated top-level domain (or a single label).
    NotDelegated,
    /// Not a syntactically valid domain at all.
    Invalid,
}

/// Special-use and private-use suffixes, with their reason.
const SPECIAL: &[(&str, &str)] = &[
    (
        "local",
        ".local is reserved for mDNS (RFC 6762) and Microsoft's non-routable example",
    ),
    (
        "lan",
        ".lan is not a delegated TLD (Microsoft's non-routable example)",
    ),
    (
        "internal",
        ".internal is reserved by ICANN for private use (July 2024)",
    ),
    ("corp", ".corp will not be delegated (ICANN 2018.02.04.12)"),
    ("home", ".home will not be delegated (ICANN 2018.02.04.12)"),
    ("mail", ".mail will not be delegated (ICANN 2018.02.04.12)"),
    ("test", ".test is special-use (RFC 6761)"),
    ("example", ".example is special-use (RFC 6761)"),
    ("invalid", ".invalid is special-use (RFC 6761)"),
    ("localhost", ".localhost is special-use (RFC 6761)"),
    ("onion", ".onion is special-use (RFC 7686)"),
    ("alt", ".alt is special-use (RFC 9476)"),
    ("home.arpa", "home.arpa is for home networks (RFC 8375)"),
    ("localdomain", ".localdomain is not a delegated TLD"),
    ("intranet", ".intranet is not a delegated TLD"),
    ("private", ".private is not a delegated TLD"),
];

thread_local! {
    /// Exports hold a handful of distinct domains over millions of addresses: judge each once.
    static JUDGED: std::cell::RefCell<rustc_hash::FxHashMap<String, SuffixStatus>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// Judges a domain (the part after `@`, or a UPN suffix).
pub fn suffix_status(domain: &str) -> SuffixStatus {
    JUDGED.with(|cache| {
        if let Some(status) = cache.borrow().get(domain) {
            return status.clone();
        }
        let status = judge(domain);
        let mut cache = cache.borrow_mut();
        if cache.len() < 100_000 {
            cache.insert(domain.to_string(), status.clone());
        }
        status
    })
}

fn judge(domain: &str) -> SuffixStatus {
    let domain = domain.trim_end_matches('.').to_lowercase();
    if domain.is_empty()
        || domain.starts_with('.')
        || domain.contains("..")
        || domain.chars().any(|c| c.is_whitespace() || c == '@')
    {
        return SuffixStatus::Invalid;
    }
    for (suffix, reason) in SPECIAL {
        if domain == *suffix
            || (domain.len() > suffix.len()
                && domain.ends_with(suffix)
                && domain.as_bytes()[domain.len() - suffix.len() - 1] == b'.')
        {
            return SuffixStatus::SpecialUse(reason);
        }
    }
    if !domain.contains('.') {
        return SuffixStatus::NotDelegated;
    }
    match psl::suffix(domain.as_bytes()) {
        Some(s) if s.is_known() => SuffixStatus::Routable,
        _ => SuffixStatus::NotDelegated,
    }
}

/// Microsoft's own namespaces (`*.onmicrosoft.com`, `*.microsoftonline.com`): routable.
pub fn is_microsoft_namespace(domain: &str) -> bool {
    ["onmicrosoft.com", "microsoftonline.com"]
        .iter()
        .any(|m| is_domain_or_below(domain, m))
}

/// Whether on-premises addresses in `domain` are discarded by Entra's proxy calculation:
/// Microsoft's namespaces, except a hybrid Exchange organisation's coexistence (remote
/// routing) domain `<tenant>.mail.onmicrosoft.com`. Every on-premises mailbox needs an address
/// there, and it must reach the tenant: a mailbox move to Exchange Online fails with "The
/// target mailbox doesn't have an smtp proxy matching '<domain>.mail.onmicrosoft.com'" when
/// the on-premises mailbox lacks it or it is not synced
/// (https://learn.microsoft.com/exchange/troubleshoot/move-or-migrate-mailboxes/no-smtp-proxy-matching).
pub fn is_discarded_namespace(domain: &str) -> bool {
    is_microsoft_namespace(domain) && !is_coexistence_domain(domain)
}

/// Whether Entra's proxy calculation discards an on-premises SMTP `address` for its domain
/// (the part after the last `@`; see [`is_discarded_namespace`]).
pub fn is_discarded_address(address: &str) -> bool {
    address
        .rsplit_once('@')
        .is_some_and(|(_, domain)| is_discarded_namespace(domain))
}

/// `<tenant>.mail.onmicrosoft.com`: the coexistence domain the Hybrid Configuration Wizard
/// adds to an Exchange organisation's email address policy.
pub fn is_coexistence_domain(domain: &str) -> bool {
    const COEXISTENCE: &str = "mail.onmicrosoft.com";
    domain.len() > COEXISTENCE.len() && is_domain_or_below(domain, COEXISTENCE)
}

/// `domain` is `parent` or a domain under it (case aside).
fn is_domain_or_below(domain: &str, parent: &str) -> bool {
    let (d, m) = (domain.as_bytes(), parent.as_bytes());
    d.len() >= m.len()
        && d[d.len() - m.len()..].eq_ignore_ascii_case(m)
        && (d.len() == m.len() || d[d.len() - m.len() - 1] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routable_special_and_undelegated() {
        assert_eq!(suffix_status("contoso.com"), SuffixStatus::Routable);
        assert_eq!(suffix_status("Contoso.CO.UK"), SuffixStatus::Routable);
        // Newer and long TLDs, IDN TLDs in both forms: IdFix's list rejects all of these.
        assert_eq!(suffix_status("x.app"), SuffixStatus::Routable);
        assert_eq!(suffix_status("x.vermögensberatung"), SuffixStatus::Routable);
        assert_eq!(
            suffix_status("x.xn--vermgensberatung-pwb"),
            SuffixStatus::Routable
        );
        assert_eq!(suffix_status("x.中国"), SuffixStatus::Routable);
        assert!(matches!(
            suffix_status("corp.contoso.local"),
            SuffixStatus::SpecialUse(_)
        ));
        assert!(matches!(
            suffix_status("x.home.arpa"),
            SuffixStatus::SpecialUse(_)
        ));
        assert!(matches!(
            suffix_status("a.internal"),
            SuffixStatus::SpecialUse(_)
        ));
        assert_eq!(suffix_status("x.notatld"), SuffixStatus::NotDelegated);
        assert_eq!(suffix_status("contoso"), SuffixStatus::NotDelegated);
        assert_eq!(suffix_status("a..b.com"), SuffixStatus::Invalid);
        assert_eq!(suffix_status(""), SuffixStatus::Invalid);
        // "mail" as a label elsewhere is fine; only the suffix counts.
        assert_eq!(suffix_status("mail.contoso.com"), SuffixStatus::Routable);
    }

    #[test]
    fn microsoft_namespaces() {
        assert!(is_microsoft_namespace("contoso.onmicrosoft.com"));
        assert!(is_microsoft_namespace("contoso.mail.onmicrosoft.com"));
        assert!(!is_microsoft_namespace("notonmicrosoft.com"));
        // The hybrid coexistence domain is Microsoft's, but kept by the proxy calculation.
        assert!(is_discarded_namespace("contoso.onmicrosoft.com"));
        assert!(is_discarded_namespace("Contoso.MicrosoftOnline.com"));
        assert!(!is_discarded_namespace("contoso.mail.onmicrosoft.com"));
        assert!(!is_discarded_namespace("Contoso.MAIL.OnMicrosoft.com"));
        assert!(is_discarded_namespace("mail.onmicrosoft.com"));
        assert!(!is_discarded_namespace("contoso.com"));
    }
}
