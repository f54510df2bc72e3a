//! The shared vocabulary of the pipeline: what a rule is ([`Rule`]), how bad and of which class
//! its findings are, what it recommends and which profiles run it. A leaf module: it imports
//! nothing from the rest of the crate but the attribute names, so rules, scope, findings and
//! the reports all depend on it and never on each other for these words.

use crate::directory::attrs::Attr;
use serde::Serialize;

/// How bad a finding is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: nothing breaks.
    Info,
    /// The object syncs, but renamed, degraded, or an address is lost.
    Warning,
    /// Sync fails, the value is quarantined, or the object is dropped.
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The issue class: one workbook sheet each.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Class {
    Duplicate,
    Collision,
    Character,
    Format,
    Suffix,
    Length,
    Blank,
    #[serde(rename = "Large object")]
    LargeObject,
    Advisory,
    /// Sign-in and device readiness (Seamless SSO, hybrid join, password hash sync,
    /// password writeback, other onboarding items): not a sync failure of the object, a
    /// feature that fails or weakens (`rules::readiness`).
    Readiness,
}

impl Class {
    pub const ALL: [Class; 10] = [
        Class::Duplicate,
        Class::Collision,
        Class::Character,
        Class::Format,
        Class::Suffix,
        Class::Length,
        Class::Blank,
        Class::LargeObject,
        Class::Advisory,
        Class::Readiness,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Duplicate => "Duplicate",
            Class::Collision => "Collision",
            Class::Character => "Character",
            Class::Format => "Format",
            Class::Suffix => "Suffix",
            Class::Length => "Length",
            Class::Blank => "Blank",
            Class::LargeObject => "Large object",
            Class::Advisory => "Advisory",
            Class::Readiness => "Readiness",
        }
    }
}

/// What synclint recommends doing with the value (IdFix's ACTION). It is shown, never acted
/// on: `fix` acts only on the Action a reviewer chose.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Action {
    /// Replace the value (with the suggestion, when there is one).
    Edit,
    /// Remove the value.
    Remove,
    /// Nothing to change in the directory (advisory, or accepted as is).
    Complete,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Edit => "EDIT",
            Action::Remove => "REMOVE",
            Action::Complete => "COMPLETE",
        }
    }
}

/// A rule's identity and documentation: what `synclint rules`, the workbook and docs/rules.md
/// show, and what its family's check reports findings under.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `SL101`.
    pub code: &'static str,
    pub slug: &'static str,
    pub class: Class,
    pub severity: Severity,
    pub attributes: &'static [Attr],
    /// IdFix's error type where one applies (Character, Format, TopLevelDomain, …).
    pub idfix: Option<&'static str>,
    /// The Entra error or outcome it leads to.
    pub entra: &'static str,
    /// The public documents the rule is taken from.
    pub sources: &'static [&'static Source],
    /// What the sources alone don't say (a limit IdFix gets wrong, an observation), or "".
    pub source_note: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    pub default_action: Action,
    /// Profiles that run it.
    pub profiles: &'static [Profile],
    /// The numeric limits the check applies (the same constants the check and its suggestions
    /// use), so the documentation shows the limit the code enforces.
    pub limits: &'static [Limit],
}

/// A public document a rule is taken from.
#[derive(Debug)]
pub struct Source {
    pub title: &'static str,
    pub url: &'static str,
}

/// A numeric limit a rule enforces: the most a value may have of `what`.
#[derive(Debug)]
pub struct Limit {
    pub what: &'static str,
    pub max: usize,
}

impl Rule {
    /// Whether `profile` runs the rule: the one place a rule's gating is decided.
    pub fn runs_in(&self, profile: Profile) -> bool {
        self.profiles.contains(&profile)
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.code == other.code
    }
}

/// Which rule set to apply.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
pub enum Profile {
    /// Microsoft's current documentation (Entra ID, Entra Connect).
    #[value(name = "entra")]
    #[serde(rename = "entra")]
    Entra,
    /// IdFix's Dedicated/ITAR rule set.
    #[value(name = "idfix-dedicated")]
    #[serde(rename = "idfix-dedicated")]
    IdfixDedicated,
}

/// Both profiles.
pub const ALL_PROFILES: &[Profile] = &[Profile::Entra, Profile::IdfixDedicated];
/// Only Microsoft's current rules.
pub const ENTRA: &[Profile] = &[Profile::Entra];
/// Only IdFix Dedicated.
pub const DEDICATED: &[Profile] = &[Profile::IdfixDedicated];

impl Profile {
    /// The name the command line and the reports use.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Entra => "entra",
            Profile::IdfixDedicated => "idfix-dedicated",
        }
    }
}

/// Which sync engine the directory is checked for: they scope, limit and anchor objects
/// differently (Microsoft's comparison:
/// <https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/connect-to-cloud-sync-decision-guide>).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
pub enum Engine {
    /// Microsoft Entra Connect Sync (the installed sync server).
    #[default]
    #[value(name = "connect")]
    #[serde(rename = "connect")]
    Connect,
    /// Microsoft Entra Cloud Sync (lightweight provisioning agents).
    #[value(name = "cloud-sync")]
    #[serde(rename = "cloud-sync")]
    CloudSync,
}

/// Both engines, in the order reports show them.
pub const ALL_ENGINES: &[Engine] = &[Engine::Connect, Engine::CloudSync];

impl Engine {
    /// The name the command line and the reports use.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Connect => "connect",
            Engine::CloudSync => "cloud-sync",
        }
    }

    /// The product name, for sentences.
    pub fn title(self) -> &'static str {
        match self {
            Engine::Connect => "Entra Connect Sync",
            Engine::CloudSync => "Entra Cloud Sync",
        }
    }
}
