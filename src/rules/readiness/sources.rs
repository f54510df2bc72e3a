//! The public documents the readiness rules are taken from (listed with the others in
//! docs/rules.md). Families add theirs here, or in their own module and to [`ALL`].

use crate::vocab::Source;

pub static SSO_QUICK_START: Source = Source {
    title: "Microsoft Entra seamless single sign-on: Quickstart",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sso-quick-start",
};

pub static SSO_HOW_IT_WORKS: Source = Source {
    title: "Microsoft Entra seamless single sign-on: Technical deep dive",
    url:
        "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sso-how-it-works",
};

pub static SSO_FAQ: Source = Source {
    title: "Microsoft Entra seamless single sign-on: Frequently asked questions",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sso-faq",
};

pub static SSO_TROUBLESHOOT: Source = Source {
    title: "Troubleshoot Microsoft Entra seamless single sign-on",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-sso",
};

pub static HYBRID_JOIN_MANUAL: Source = Source {
    title: "Configure Microsoft Entra hybrid join manually (service connection point)",
    url: "https://learn.microsoft.com/entra/identity/devices/hybrid-join-manual",
};

pub static HYBRID_JOIN_TROUBLESHOOT: Source = Source {
    title: "Troubleshoot Microsoft Entra hybrid joined devices",
    url: "https://learn.microsoft.com/entra/identity/devices/troubleshoot-hybrid-join-windows-current",
};

pub static DEVICE_REGISTRATION: Source = Source {
    title: "How it works: Device registration",
    url: "https://learn.microsoft.com/entra/identity/devices/device-registration-how-it-works",
};

pub static HYBRID_JOIN_PLAN: Source = Source {
    title: "Plan your Microsoft Entra hybrid join implementation",
    url: "https://learn.microsoft.com/entra/identity/devices/hybrid-join-plan",
};

pub static CONNECT_PREREQUISITES: Source = Source {
    title: "Microsoft Entra Connect: Prerequisites",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-install-prerequisites",
};

pub static SHADOW_ATTRIBUTES: Source = Source {
    title: "Microsoft Entra Connect Sync service shadow attributes (UPN suffixes and verified domains)",
    url: "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-syncservice-shadow-attributes",
};

/// Every readiness source, for docs/rules.md.
pub static ALL: &[&Source] = &[
    &SSO_QUICK_START,
    &SSO_HOW_IT_WORKS,
    &SSO_FAQ,
    &SSO_TROUBLESHOOT,
    &HYBRID_JOIN_MANUAL,
    &HYBRID_JOIN_TROUBLESHOOT,
    &DEVICE_REGISTRATION,
    &HYBRID_JOIN_PLAN,
    &CONNECT_PREREQUISITES,
    &SHADOW_ATTRIBUTES,
    &super::devices::DEVICE_DISAPPEARANCE,
    &super::devices::SYNCED_ATTRIBUTES,
    &super::devices::HYBRID_JOIN_DOWNLEVEL,
    &super::devices::STALE_DEVICES,
    &super::passwords::PHS,
    &super::passwords::PHS_TROUBLESHOOT,
    &super::passwords::WRITEBACK,
    &super::passwords::WRITEBACK_TUTORIAL,
    &super::passwords::WRITEBACK_TROUBLESHOOT,
];
