//! The change file: LDIF modify records that `ldifde -i` imports (CRLF, `-` separators,
//! base64 where RFC 2849 requires it), and the undo file that reverses them.

use super::{Edit, Op};
use crate::generate::writer::ldif_line;

const EOL: &str = "\r\n";

fn line(out: &mut String, name: &str, value: &str) {
    let mut l = String::new();
    ldif_line(&mut l, name, value.as_bytes(), false);
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

/// One modify record per object, in the order the objects first appear.
fn records<'a>(edits: impl Iterator<Item = (&'a str, Op)>) -> String {
    let mut order: Vec<(String, Vec<Op>)> = Vec::new();
    for (dn, o) in edits {
        match order.iter_mut().find(|(d, _)| d == dn) {
            Some((_, list)) => list.push(o),
            None => order.push((dn.to_string(), vec![o])),
        }
    }
    let mut out = String::new();
    for (dn, list) in order {
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
    records(edits.iter().map(|e| (e.dn.as_str(), e.op.clone())))
}

/// The undo file: the inverse operations, last change first. Each `delete:` names a value the
/// change added and each `add:` the exact original value; the plan refused any change that
/// would leave another value equal to either ignoring case, so AD matches exactly that value.
pub fn undo(edits: &[Edit]) -> String {
    records(edits.iter().rev().map(|e| (e.dn.as_str(), inverse(&e.op))))
}
