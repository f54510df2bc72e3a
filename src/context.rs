//! The analysis context: the options an analysis ran with and the exports it read, recorded
//! in its workbook (a hidden sheet) so that `fix` checks every chosen change under the same
//! profile, verified domains, suffix map and scope, against the same files, from any folder.
//!
//! It is stored as rows of text (a key, then its values) because a sheet survives every tool a
//! reviewer may save the workbook with (Excel, LibreOffice, openpyxl), where custom document
//! properties are not always kept.

use crate::ingest::{Encoding, Format};
use crate::rules::{Profile, RuleOptions};
use crate::scope::ScopeOptions;
use crate::vocab::Engine;
use clap::ValueEnum;
use std::path::{Component, Path, PathBuf};

/// The hidden sheet that holds the context.
pub const SHEET: &str = "Analysis context";

/// The first row's value: the layout of the rows below.
pub const LAYOUT: &str = "synclint-context-1";

/// An input's file name, as the workbook's Source column shows it: the part of its path after
/// the last `/` or `\\` (a path recorded on Windows may have either, and is read anywhere).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// One export the analysis read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedInput {
    /// As given on the command line.
    pub given: PathBuf,
    /// Absolute, at the time of the analysis.
    pub absolute: PathBuf,
    /// Relative to the workbook's folder (none when there is no such path, e.g. another drive).
    pub relative: Option<PathBuf>,
    pub sha256: String,
}

/// What an analysis ran with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalysisContext {
    pub profile: Profile,
    /// `--engine`: a workbook written before engines were modelled has none and means connect.
    pub engine: Engine,
    /// Lower case, sorted; `None` when none were given.
    pub verified_domains: Option<Vec<String>>,
    pub suffix_map: Vec<(String, String)>,
    pub include_ou: Vec<String>,
    pub exclude_ou: Vec<String>,
    pub include_group: Vec<String>,
    /// `--format` and `--encoding`, when forced.
    pub format: Option<Format>,
    pub encoding: Option<Encoding>,
    /// `--max-record-bytes`: a record larger than this was rejected, so fix must reject it too.
    pub max_record_bytes: usize,
    /// Written with `--redact`: the workbook's values are pseudonyms.
    pub redacted: bool,
    pub inputs: Vec<RecordedInput>,
}

impl Default for AnalysisContext {
    fn default() -> Self {
        AnalysisContext::new(&RuleOptions::default(), &ScopeOptions::default())
    }
}

/// Options given to `fix` that must agree with the analysis (`None`: not given).
#[derive(Clone, Debug, Default)]
pub struct GivenOptions {
    pub profile: Option<Profile>,
    pub engine: Option<Engine>,
    pub verified_domains: Option<Vec<String>>,
    pub suffix_map: Option<Vec<(String, String)>>,
    pub include_ou: Option<Vec<String>>,
    pub exclude_ou: Option<Vec<String>>,
    pub include_group: Option<Vec<String>>,
}

fn value_name<T: ValueEnum>(value: &T) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

fn sorted_lower(domains: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut d: Vec<String> = domains.into_iter().map(|d| d.to_lowercase()).collect();
    d.sort_unstable();
    d.dedup();
    d
}

impl AnalysisContext {
    /// The context of an analysis with these options (inputs added by [`Self::record_inputs`]).
    pub fn new(rules: &RuleOptions, scope: &ScopeOptions) -> AnalysisContext {
        AnalysisContext {
            profile: rules.profile,
            engine: rules.engine,
            verified_domains: rules
                .verified_domains
                .as_ref()
                .map(|v| sorted_lower(v.iter().cloned())),
            suffix_map: rules.suffix_map.clone(),
            include_ou: scope.include_ou.clone(),
            exclude_ou: scope.exclude_ou.clone(),
            include_group: scope.include_group.clone(),
            format: None,
            encoding: None,
            max_record_bytes: crate::ingest::ReadOptions::default().max_record_bytes,
            redacted: false,
            inputs: Vec::new(),
        }
    }

    /// Records the inputs (path as given and SHA-256) with their absolute path and their path
    /// relative to the folder of `workbook`.
    pub fn record_inputs<'a>(
        &mut self,
        workbook: &Path,
        inputs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        let folder = absolute(crate::output::folder_of(workbook));
        self.inputs = inputs
            .into_iter()
            .map(|(given, sha256)| {
                let absolute = absolute(Path::new(given));
                RecordedInput {
                    given: PathBuf::from(given),
                    relative: relative_path(&folder, &absolute),
                    absolute,
                    sha256: sha256.to_string(),
                }
            })
            .collect();
    }

    pub fn rule_options(&self) -> RuleOptions {
        RuleOptions {
            profile: self.profile,
            verified_domains: self
                .verified_domains
                .as_ref()
                .map(|v| v.iter().cloned().collect()),
            suffix_map: self.suffix_map.clone(),
            engine: self.engine,
            ..RuleOptions::default()
        }
    }

    pub fn scope_options(&self) -> ScopeOptions {
        ScopeOptions {
            include_ou: self.include_ou.clone(),
            exclude_ou: self.exclude_ou.clone(),
            include_group: self.include_group.clone(),
            engine: self.engine,
        }
    }

    /// The rows of the sheet: a key, then its values.
    pub fn to_rows(&self) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> = vec![
            vec!["layout".into(), LAYOUT.into()],
            vec!["synclint version".into(), env!("CARGO_PKG_VERSION").into()],
            vec!["profile".into(), value_name(&self.profile)],
            vec!["engine".into(), value_name(&self.engine)],
            vec![
                "verified domains given".into(),
                if self.verified_domains.is_some() {
                    "yes"
                } else {
                    "no"
                }
                .into(),
            ],
        ];
        for d in self.verified_domains.iter().flatten() {
            rows.push(vec!["verified domain".into(), d.clone()]);
        }
        for (old, new) in &self.suffix_map {
            rows.push(vec!["suffix map".into(), old.clone(), new.clone()]);
        }
        for ou in &self.include_ou {
            rows.push(vec!["include OU".into(), ou.clone()]);
        }
        for ou in &self.exclude_ou {
            rows.push(vec!["exclude OU".into(), ou.clone()]);
        }
        for g in &self.include_group {
            rows.push(vec!["include group".into(), g.clone()]);
        }
        rows.push(vec![
            "format".into(),
            self.format.as_ref().map_or("auto".into(), value_name),
        ]);
        rows.push(vec![
            "encoding".into(),
            self.encoding.as_ref().map_or("auto".into(), value_name),
        ]);
        rows.push(vec![
            "max record bytes".into(),
            self.max_record_bytes.to_string(),
        ]);
        rows.push(vec![
            "redacted".into(),
            if self.redacted { "yes" } else { "no" }.into(),
        ]);
        for i in &self.inputs {
            rows.push(vec![
                "input".into(),
                i.sha256.clone(),
                i.absolute.to_string_lossy().into_owned(),
                i.relative
                    .as_ref()
                    .map_or_else(String::new, |r| r.to_string_lossy().into_owned()),
                i.given.to_string_lossy().into_owned(),
            ]);
        }
        rows
    }

    /// Reads the rows back; says what is wrong with them otherwise.
    pub fn from_rows(rows: &[Vec<String>]) -> Result<AnalysisContext, String> {
        let cell = |row: &Vec<String>, i: usize| row.get(i).cloned().unwrap_or_default();
        let mut context = AnalysisContext::default();
        let mut layout = None;
        let mut verified_given = false;
        let mut verified = Vec::new();
        for row in rows {
            let value = cell(row, 1);
            match cell(row, 0).as_str() {
                "layout" => layout = Some(value),
                "profile" => {
                    context.profile = Profile::from_str(&value, true)
                        .map_err(|_| format!("unknown profile {value:?}"))?;
                }
                "engine" => {
                    context.engine = Engine::from_str(&value, true)
                        .map_err(|_| format!("unknown engine {value:?}"))?;
                }
                "include group" => context.include_group.push(value),
                "verified domains given" => verified_given = value == "yes",
                "verified domain" => verified.push(value),
                "suffix map" => context.suffix_map.push((value, cell(row, 2))),
                "include OU" => context.include_ou.push(value),
                "exclude OU" => context.exclude_ou.push(value),
                "format" if value != "auto" => {
                    context.format = Some(
                        Format::from_str(&value, true)
                            .map_err(|_| format!("unknown format {value:?}"))?,
                    );
                }
                "encoding" if value != "auto" => {
                    context.encoding = Some(
                        Encoding::from_str(&value, true)
                            .map_err(|_| format!("unknown encoding {value:?}"))?,
                    );
                }
                "max record bytes" => {
                    context.max_record_bytes = value
                        .parse()
                        .map_err(|_| format!("max record bytes {value:?} is not a number"))?;
                }
                "redacted" => context.redacted = value == "yes",
                "input" => {
                    let relative = cell(row, 3);
                    context.inputs.push(RecordedInput {
                        sha256: value,
                        absolute: PathBuf::from(cell(row, 2)),
                        relative: (!relative.is_empty()).then(|| PathBuf::from(relative)),
                        given: PathBuf::from(cell(row, 4)),
                    });
                }
                _ => {}
            }
        }
        match layout.as_deref() {
            Some(LAYOUT) => {}
            Some(other) => {
                return Err(format!(
                    "its analysis context has layout {other:?}, which this synclint does not know"
                ))
            }
            None => return Err("its analysis context has no layout row".into()),
        }
        context.verified_domains = verified_given.then(|| sorted_lower(verified));
        Ok(context)
    }

    /// Where each recorded input is now: beside the workbook as it was (the path relative to
    /// the workbook's folder, for a folder moved or copied whole), else at its absolute path.
    /// An input found at neither place is given by its absolute path, so that the error names it.
    pub fn locate_inputs(&self, workbook: &Path) -> Vec<PathBuf> {
        let folder = crate::output::folder_of(workbook);
        self.inputs
            .iter()
            .map(|i| {
                i.relative
                    .as_ref()
                    .map(|r| folder.join(r))
                    .filter(|p| p.is_file())
                    .unwrap_or_else(|| i.absolute.clone())
            })
            .collect()
    }

    /// Every option given to `fix` that differs from the analysis, said plainly.
    pub fn contradictions(&self, given: &GivenOptions) -> Vec<String> {
        let mut out = Vec::new();
        let mut differs = |flag: &str, theirs: String, ours: String| {
            out.push(format!(
                "{flag} {theirs} contradicts the analysis, which ran with {ours}"
            ));
        };
        let list = |v: &[String]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        if let Some(p) = given.profile.filter(|p| *p != self.profile) {
            differs(
                "--profile",
                value_name(&p),
                format!("--profile {}", value_name(&self.profile)),
            );
        }
        if let Some(e) = given.engine.filter(|e| *e != self.engine) {
            differs(
                "--engine",
                value_name(&e),
                format!("--engine {}", value_name(&self.engine)),
            );
        }
        if let Some(d) = &given.verified_domains {
            let d = sorted_lower(d.iter().cloned());
            if Some(&d) != self.verified_domains.as_ref() {
                differs(
                    "--verified-domain",
                    list(&d),
                    format!(
                        "verified domains: {}",
                        self.verified_domains
                            .as_deref()
                            .map_or("none given".into(), list)
                    ),
                );
            }
        }
        let pairs = |m: &[(String, String)]| -> Vec<String> {
            m.iter().map(|(o, n)| format!("{o}={n}")).collect()
        };
        if let Some(m) = &given.suffix_map {
            let (mut a, mut b) = (pairs(m), pairs(&self.suffix_map));
            a.sort();
            b.sort();
            if a != b {
                differs(
                    "--suffix-map",
                    list(&a),
                    format!("suffix map: {}", list(&b)),
                );
            }
        }
        for (flag, given, ours) in [
            ("--include-ou", &given.include_ou, &self.include_ou),
            ("--exclude-ou", &given.exclude_ou, &self.exclude_ou),
            ("--include-group", &given.include_group, &self.include_group),
        ] {
            if let Some(g) = given {
                let lower = |v: &[String]| {
                    let mut v: Vec<String> = v.iter().map(|s| s.to_lowercase()).collect();
                    v.sort();
                    v
                };
                if lower(g) != lower(ours) {
                    differs(flag, list(g), format!("{flag}: {}", list(ours)));
                }
            }
        }
        out
    }
}

/// `path` made absolute (without resolving links on Windows, where canonical paths take the
/// `\\?\` form that other tools do not read).
pub fn absolute(path: &Path) -> PathBuf {
    #[cfg(not(windows))]
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The path from folder `from` to `to` (both absolute), or `None` when there is none (another
/// drive).
pub fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            relative_path(&p("/a/b"), &p("/a/b/x.ldf")),
            Some(p("x.ldf"))
        );
        assert_eq!(
            relative_path(&p("/a/b/out"), &p("/a/c/x.ldf")),
            Some(p("../../c/x.ldf"))
        );
        assert_eq!(relative_path(&p("/"), &p("/x.ldf")), Some(p("x.ldf")));
    }

    #[test]
    fn rows_round_trip_and_contradictions_are_named() {
        let mut c = AnalysisContext::new(
            &RuleOptions {
                profile: Profile::IdfixDedicated,
                verified_domains: Some(["Contoso.com".to_string()].into_iter().collect()),
                suffix_map: vec![("contoso.local".into(), "contoso.com".into())],
                engine: Engine::CloudSync,
                ..RuleOptions::default()
            },
            &ScopeOptions {
                include_ou: vec!["OU=Staff,DC=contoso,DC=com".into()],
                include_group: vec!["CN=Pilot,OU=Groups,DC=contoso,DC=com".into()],
                engine: Engine::CloudSync,
                ..ScopeOptions::default()
            },
        );
        c.format = Some(Format::Ldif);
        c.encoding = Some(Encoding::Windows1252);
        c.max_record_bytes = 1 << 30;
        c.inputs.push(RecordedInput {
            given: "x.ldf".into(),
            absolute: "/data/x.ldf".into(),
            relative: Some("../data/x.ldf".into()),
            sha256: "ab".repeat(32),
        });
        let back = AnalysisContext::from_rows(&c.to_rows()).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.verified_domains, Some(vec!["contoso.com".to_string()]));

        // No verified domains given is not the same as an empty list.
        let none = AnalysisContext::default();
        assert_eq!(
            AnalysisContext::from_rows(&none.to_rows())
                .unwrap()
                .verified_domains,
            None
        );

        let agree = GivenOptions {
            profile: Some(Profile::IdfixDedicated),
            verified_domains: Some(vec!["CONTOSO.COM".into()]),
            ..GivenOptions::default()
        };
        assert!(c.contradictions(&agree).is_empty());
        let differ = GivenOptions {
            profile: Some(Profile::Entra),
            include_ou: Some(vec![]),
            ..GivenOptions::default()
        };
        let why = c.contradictions(&differ);
        assert_eq!(why.len(), 2, "{why:?}");
        let other_engine = GivenOptions {
            engine: Some(Engine::Connect),
            ..GivenOptions::default()
        };
        assert_eq!(
            c.contradictions(&other_engine),
            ["--engine connect contradicts the analysis, which ran with --engine cloud-sync"]
        );
        // A workbook from before engines were recorded means connect.
        let old: Vec<Vec<String>> = c
            .to_rows()
            .into_iter()
            .filter(|r| r[0] != "engine")
            .collect();
        assert_eq!(
            AnalysisContext::from_rows(&old).unwrap().engine,
            Engine::Connect
        );
        assert!(why[0].contains("--profile entra contradicts the analysis, which ran with --profile idfix-dedicated"), "{why:?}");

        let mut rows = c.to_rows();
        rows[0][1] = "synclint-context-99".into();
        assert!(AnalysisContext::from_rows(&rows).is_err());
    }
}
