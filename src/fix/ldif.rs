//! The change file: LDIF modify records that `ldifde -i` imports (CRLF, `-` separators,
//! base64 where RFC 2849 requires it), and the undo file that reverses them.
//!
//! Comment lines (RFC 2849, note 2: a line that begins with `#` is a comment, ignored by
//! parsers; Microsoft documents ldifde's files as RFC 2849 LDIF, and LDIF files that open with
//! `#` lines are commonly imported with `ldifde -i`, e.g. sudo's Active Directory schema) open
//! each file and stand above every record that changes a name a user signs in with, so whoever
//! imports it sees them. They hold only ASCII words and attribute names, never a value: a value
//! may hold anything, and a comment can't be base64-encoded.

use super::{is_sign_in, Edit, Op};
use crate::ldif_out::value_line;

const EOL: &str = "\r\n";

fn line(out: &mut String, name: &str, value: &str) {
    let mut l = String::new();
    value_line(&mut l, name, value.as_bytes(), false);
    out.push_str(&l);
    out.push_str(EOL);
}

fn op(out: &mut String, kind: &str, attr: &str, value: &str) {
    out.push_str(kind);
    out.push_str(": ");
    out.push_str(attr);
    out.push_str(EOL);
    line(out, attr, value);
    out.push('-');
    out.push_str(EOL);
}

fn ops(out: &mut String, o: &Op) {
    match o {
        Op::Replace { attr, new, .. } => op(out, "replace", attr, new),
        Op::Add { attr, new } => op(out, "add", attr, new),
        Op::Swap { attr, old, new } => {
            op(out, "delete", attr, old);
            op(out, "add", attr, new);
        }
        Op::Delete { attr, value } => op(out, "delete", attr, value),
    }
}

/// The operation that undoes `o`.
fn inverse(o: &Op) -> Op {
    match o {
        Op::Replace { attr, old, new } => Op::Replace {
            attr: attr.clone(),
            old: new.clone(),
            new: old.clone(),
        },
        Op::Add { attr, new } => Op::Delete {
            attr: attr.clone(),
            value: new.clone(),
        },
        Op::Swap { attr, old, new } => Op::Swap {
            attr: attr.clone(),
            old: new.clone(),
            new: old.clone(),
        },
        Op::Delete { attr, value } => Op::Add {
            attr: attr.clone(),
            new: value.clone(),
        },
    }
}

/// The comment above a record that changes sign-in names, or `None`.
fn sign_in_comment(ops: &[Op]) -> Option<String> {
    let mut names: Vec<&str> = ops.iter().map(Op::attr).filter(|a| is_sign_in(a)).collect();
    names.dedup();
    (!names.is_empty()).then(|| {
        format!(
            "# sign-in name change ({}): tell the user before importing",
            names.join(", ")
        )
    })
}

/// One modify record per object, in the order the objects first appear, after `header`.
fn records<'a>(header: &str, edits: impl Iterator<Item = (&'a str, Op)>) -> String {
    let mut order: Vec<(String, Vec<Op>)> = Vec::new();
    for (dn, o) in edits {
        match order.iter_mut().find(|(d, _)| d == dn) {
            Some((_, list)) => list.push(o),
            None => order.push((dn.to_string(), vec![o])),
        }
    }
    let mut out = String::new();
    out.push_str(header);
    out.push_str(EOL);
    out.push_str(EOL);
    for (dn, list) in order {
        if let Some(comment) = sign_in_comment(&list) {
            out.push_str(&comment);
            out.push_str(EOL);
        }
        line(&mut out, "dn", &dn);
        out.push_str("changetype: modify");
        out.push_str(EOL);
        for o in &list {
            ops(&mut out, o);
        }
        out.push_str(EOL);
    }
    out
}

/// The change file.
pub fn changes(edits: &[Edit]) -> String {
    let header = format!(
        "# synclint fix: {} change{}. Import a few objects or a test OU first (ldifde -i -k -f FILE), and keep the undo file.",
        edits.len(),
        if edits.len() == 1 { "" } else { "s" }
    );
    records(&header, edits.iter().map(|e| (e.dn.as_str(), e.op.clone())))
}

/// The undo file: the inverse operations, last change first. Each `delete:` names a value the
/// change added and each `add:` the exact original value; the plan refused any change that
/// would leave another value equal to either ignoring case, so AD matches exactly that value.
pub fn undo(edits: &[Edit]) -> String {
    let header = format!(
        "# synclint fix undo: reverses the {} change{} of its change file.",
        edits.len(),
        if edits.len() == 1 { "" } else { "s" }
    );
    records(
        &header,
        edits.iter().rev().map(|e| (e.dn.as_str(), inverse(&e.op))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(dn: &str, op: Op) -> Edit {
        Edit {
            dn: dn.into(),
            op,
            sheet: "Character".into(),
            line: 2,
        }
    }

    #[test]
    fn sign_in_changes_carry_a_comment_and_values_never_do() {
        let edits = [
            edit(
                "CN=A,DC=x",
                Op::Replace {
                    attr: "userPrincipalName".into(),
                    old: "a b@x.com".into(),
                    new: "ab@x.com".into(),
                },
            ),
            edit(
                "CN=A,DC=x",
                Op::Replace {
                    attr: "sAMAccountName".into(),
                    old: "a#b".into(),
                    new: "ab".into(),
                },
            ),
            edit(
                "CN=B,DC=x",
                Op::Delete {
                    attr: "proxyAddresses".into(),
                    value: "smtp:b@x.local".into(),
                },
            ),
        ];
        let text = changes(&edits);
        assert!(text.starts_with("# synclint fix: 3 changes."), "{text}");
        assert!(text.contains("\r\n\r\n# sign-in name change (userPrincipalName, sAMAccountName): tell the user before importing\r\ndn: CN=A,DC=x\r\nchangetype: modify\r\n"), "{text}");
        assert!(text.contains("\r\n\r\ndn: CN=B,DC=x\r\n"), "{text}");
        assert_eq!(text.matches("\n#").count(), 1, "{text}");
        // Every comment line is ASCII and names no value.
        for line in text.lines().filter(|l| l.starts_with('#')) {
            assert!(line.is_ascii() && !line.contains("ab@x.com") && !line.contains("a#b"));
        }
        let undo = undo(&edits);
        assert!(undo.contains("# sign-in name change"), "{undo}");
        assert_eq!(changes(&[]), "# synclint fix: 0 changes. Import a few objects or a test OU first (ldifde -i -k -f FILE), and keep the undo file.\r\n\r\n");
    }
}
