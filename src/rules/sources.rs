//! The public documents the rules are taken from, cited by each [`Rule`](super::Rule) and
//! listed with every rule in docs/rules.md.

use super::Source;

pub static IDFIX: Source = Source {
    title: "IdFix, Microsoft's directory synchronization error remediation tool (source and rules)",
    url: "https://github.com/microsoft/idfix",
};

pub static PREPARE: Source = Source {
    title: "Prepare for directory synchronization to Microsoft 365",
    url:
        "https://learn.microsoft.com/microsoft-365/enterprise/prepare-for-directory-synchronization",
};

pub static NON_ROUTABLE_DOMAIN: Source = Source {
    title: "Prepare a non-routable domain for directory synchronization",
    url: "https://learn.microsoft.com/microsoft-365/enterprise/prepare-a-non-routable-domain-for-directory-synchronization",
};

pub static DOMAIN_USERS: Source = Source {
    title: "Synchronize domain users to Microsoft 365",
    url: "https://learn.microsoft.com/microsoft-365/admin/setup/manage-domain-users",
};

pub static UPN_POLICY: Source = Source {
    title: "Password policies and account restrictions in Microsoft Entra ID (UserPrincipalName policies)",
    url: "https://learn.microsoft.com/entra/identity/authentication/concept-sspr-policy",
};

pub static RESILIENCY: Source = Source {
    title: "Identity synchronization and duplicate attribute resiliency",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-syncservice-duplicate-attribute-resiliency",
};

pub static SYNC_ERRORS: Source = Source {
    title: "Understanding errors during Microsoft Entra synchronization",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-sync-errors",
};

pub static UPN_POPULATION: Source = Source {
    title: "Microsoft Entra UserPrincipalName population",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/plan-connect-userprincipalname",
};

pub static DEFAULT_CONFIGURATION: Source = Source {
    title: "Microsoft Entra Connect Sync: understanding the default configuration",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/concept-azure-ad-connect-sync-default-configuration",
};

pub static LARGE_OBJECT: Source = Source {
    title: "Handling LargeObject errors caused by userCertificate",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-largeobjecterror-usercertificate",
};

pub static PROXY_POPULATION: Source = Source {
    title: "How the proxyAddresses attribute is populated in Microsoft Entra ID",
    url: "https://learn.microsoft.com/troubleshoot/entra/entra-id/user-prov-sync/proxyaddresses-attribute-populate",
};

pub static EXCHANGE_ALIAS: Source = Source {
    title: "Set-Mailbox, the -Alias parameter (Exchange PowerShell)",
    url: "https://learn.microsoft.com/powershell/module/exchange/set-mailbox",
};

pub static CLOUD_SYNC: Source = Source {
    title: "What is Microsoft Entra Cloud Sync?",
    url: "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/what-is-cloud-sync",
};

pub static RANGE_RETRIEVAL: Source = Source {
    title: "MS-ADTS 3.1.1.3.1.3.3, range retrieval of attribute values",
    url: "https://learn.microsoft.com/openspecs/windows_protocols/ms-adts/e27b48db-6f82-44cd-9038-2e54f790cc1f",
};

pub static PRIVATE_USE_TLD: Source = Source {
    title: "ICANN: proposed top-level domain string for private use (.internal)",
    url: "https://www.icann.org/en/public-comment/proceeding/proposed-top-level-domain-string-for-private-use-24-01-2024",
};

pub static SPECIAL_USE_DOMAINS: Source = Source {
    title: "RFC 6761, Special-Use Domain Names",
    url: "https://www.rfc-editor.org/rfc/rfc6761",
};

pub static CLOUD_SYNC_COMPARISON: Source = Source {
    title: "Microsoft Entra Connect Sync or Cloud Sync: decision guide (comparison)",
    url: "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/connect-to-cloud-sync-decision-guide",
};

pub static CLOUD_SYNC_PREREQUISITES: Source = Source {
    title: "Prerequisites for Microsoft Entra Cloud Sync (known limitations)",
    url: "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-prerequisites",
};

pub static CLOUD_SYNC_FAQ: Source = Source {
    title: "Microsoft Entra Cloud Sync FAQ",
    url: "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/reference-cloud-sync-faq",
};

pub static CLOUD_SYNC_TOPOLOGIES: Source = Source {
    title: "Supported topologies for Microsoft Entra Cloud Sync",
    url: "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/plan-cloud-sync-topologies",
};

pub static CLOUD_SYNC_SKIPPED: Source = Source {
    title: "Cloud Sync troubleshooting: skipped objects (default exclusions)",
    url: "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-troubleshoot",
};

pub static CLOUD_SYNC_EXCHANGE: Source = Source {
    title: "Cloud Sync Exchange hybrid writeback",
    url: "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/exchange-hybrid",
};

pub static CLOUD_SYNC_MIGRATION_TOOL: Source = Source {
    title: "Migrate from Connect Sync to Cloud Sync with the migration tool",
    url: "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/migrate-connect-sync-cloud-sync-tool",
};

pub static SOURCE_ANCHOR: Source = Source {
    title: "Microsoft Entra Connect design concepts: sourceAnchor and ms-DS-ConsistencyGuid",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/plan-connect-design-concepts",
};

pub static EXISTING_TENANT: Source = Source {
    title: "Microsoft Entra Connect: when you have an existing tenant (soft and hard match)",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-install-existing-tenant",
};

pub static CUSTOM_INSTALL: Source = Source {
    title: "Custom installation of Microsoft Entra Connect (uniquely identifying users, group filtering)",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-install-custom",
};

pub static SYNC_FEATURES: Source = Source {
    title: "Microsoft Entra Connect Sync service features",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-syncservice-features",
};

pub static HARD_MATCH_HARDENING: Source = Source {
    title: "What's new in Microsoft Entra: Microsoft Entra Connect security hardening to prevent user account takeover",
    url: "https://learn.microsoft.com/entra/fundamentals/whats-new",
};

pub static SERVICE_LIMITS: Source = Source {
    title: "Microsoft Entra service limits and restrictions",
    url: "https://learn.microsoft.com/entra/identity/users/directory-service-limits-restrictions",
};

pub static GRAPH_DOMAIN: Source = Source {
    title: "domain resource type (Microsoft Graph)",
    url: "https://learn.microsoft.com/graph/api/resources/domain",
};

/// Every source, in the order docs/rules.md lists them.
pub static ALL: &[&Source] = &[
    &PREPARE,
    &UPN_POLICY,
    &NON_ROUTABLE_DOMAIN,
    &DOMAIN_USERS,
    &UPN_POPULATION,
    &PROXY_POPULATION,
    &RESILIENCY,
    &SYNC_ERRORS,
    &DEFAULT_CONFIGURATION,
    &LARGE_OBJECT,
    &EXCHANGE_ALIAS,
    &CLOUD_SYNC,
    &RANGE_RETRIEVAL,
    &SPECIAL_USE_DOMAINS,
    &PRIVATE_USE_TLD,
    &EXISTING_TENANT,
    &SYNC_FEATURES,
    &HARD_MATCH_HARDENING,
    &SERVICE_LIMITS,
    &GRAPH_DOMAIN,
    &IDFIX,
    &CLOUD_SYNC_COMPARISON,
    &CLOUD_SYNC_PREREQUISITES,
    &CLOUD_SYNC_FAQ,
    &CLOUD_SYNC_TOPOLOGIES,
    &CLOUD_SYNC_SKIPPED,
    &CLOUD_SYNC_EXCHANGE,
    &CLOUD_SYNC_MIGRATION_TOOL,
    &SOURCE_ANCHOR,
    &CUSTOM_INSTALL,
];
