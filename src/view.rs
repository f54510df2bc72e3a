//! One view of a finding for every output: the workbook's rows, the CSV and the JSON items
//! show a finding through [`FindingView`], which resolves once what they all need (the
//! object's DN, its OU path, where it came from, its class; the workbook names the source
//! file itself, without folders, `report::workbook::SourceNames`) and applies redaction
//! ([`crate::redact`], a policy on the data, not a report format) to every personal text.
//! An output that shows a DN or a value without going through here would leak it with
//! `--redact`.

use crate::directory::Directory;
use crate::findings::{Finding, FindingList};
use crate::redact::{show, Redactor};
use std::borrow::Cow;

/// Makes the views of one analysis's findings.
#[derive(Clone, Copy)]
pub struct Views<'d, 'r> {
    dir: &'d Directory,
    findings: &'d FindingList,
    redactor: Option<&'r Redactor>,
}

/// A finding as every output shows it.
pub struct FindingView<'a> {
    pub finding: &'a Finding,
    /// The DN as exported: for identities and lookups (finding ids, OU paths), never shown.
    pub real_dn: &'a str,
    /// The DN as shown (redacted with `--redact`).
    pub dn: Cow<'a, str>,
    /// The value as shown.
    pub value: Cow<'a, str>,
    /// The suggested value as shown; empty when there is none.
    pub suggested: Cow<'a, str>,
    pub object_class: &'a str,
    /// The export file and the line the object's record starts on.
    pub source: (&'a str, u64),
}

impl<'d, 'r> Views<'d, 'r> {
    pub fn new(
        dir: &'d Directory,
        findings: &'d FindingList,
        redactor: Option<&'r Redactor>,
    ) -> Views<'d, 'r> {
        Views {
            dir,
            findings,
            redactor,
        }
    }

    /// The view of `finding`.
    pub fn of<'f>(&self, finding: &'f Finding) -> FindingView<'f>
    where
        'd: 'f,
    {
        let row = finding.row as usize;
        let real_dn = self.dir.dn.get(row).unwrap_or("");
        FindingView {
            finding,
            real_dn,
            dn: self.dn(real_dn),
            value: self.value(finding.attribute.ldap_name(), finding.value(self.dir)),
            suggested: self.value(
                finding.attribute.ldap_name(),
                finding.suggested().unwrap_or(""),
            ),
            object_class: self.dir.object_class.get(row).unwrap_or(""),
            source: self.dir.source_location(row),
        }
    }

    /// The finding's note as shown (what the value conflicts with, why no suggestion was
    /// made …); empty when there is none. Written on request: a group's notes name up to 50
    /// holders each, and the JSON shows none.
    pub fn note_of<'f>(&self, finding: &'f Finding) -> Cow<'f, str>
    where
        'd: 'f,
    {
        let note = self.findings.note(self.dir, finding);
        if let Cow::Owned(shown) = self.note(&note) {
            return Cow::Owned(shown);
        }
        note
    }

    /// A DN as the outputs show it.
    pub fn dn<'t>(&self, dn: &'t str) -> Cow<'t, str> {
        show(self.redactor, dn, |r, v| r.dn(v))
    }

    /// A value of `attribute` as the outputs show it.
    pub fn value<'t>(&self, attribute: &str, value: &'t str) -> Cow<'t, str> {
        show(self.redactor, value, |r, v| r.value(attribute, v))
    }

    /// A note or a reason as the outputs show it.
    pub fn note<'t>(&self, note: &'t str) -> Cow<'t, str> {
        show(self.redactor, note, |r, v| r.note(v))
    }
}

impl<'a> FindingView<'a> {
    /// Where the object sits, `corp.contoso.com/Staff/Sales` (not personal: not redacted).
    pub fn ou_path(&self) -> String {
        crate::dn::ou_path(self.real_dn)
    }

    /// The source as one text, `file:line`.
    pub fn source_label(&self) -> String {
        format!("{}:{}", self.source.0, self.source.1)
    }
}

#[cfg(test)]
mod tests {
    use crate::dn::ou_path;

    #[test]
    fn ou_paths_are_canonical_and_sortable() {
        assert_eq!(
            ou_path("CN=Ana,OU=Sales,OU=Staff,DC=corp,DC=contoso,DC=com"),
            "corp.contoso.com/Staff/Sales"
        );
        assert_eq!(
            ou_path("CN=Smith\\, John,OU=Staff,DC=x,DC=com"),
            "x.com/Staff"
        );
        assert_eq!(ou_path("CN=a"), "");
    }
}
