//! Advice: nothing fails, but Microsoft recommends otherwise.

use super::proxy::parse;
use super::registry::Family;
use super::sources;
use super::{upn, Context, Rule, ENTRA};
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Action, Class, Finding, Severity};

pub static UPN_NOT_PRIMARY_SMTP: Rule = Rule {
    code: "SL901",
    slug: "upn-not-primary-smtp",
    class: Class::Advisory,
    severity: Severity::Info,
    attributes: &[Attr::UserPrincipalName, Attr::ProxyAddresses],
    idfix: None,
    entra: "none (users sign in with one address and mail with another)",
    sources: &[&sources::PROXY_POPULATION, &sources::UPN_POPULATION],
    source_note: "Microsoft recommends that the UPN equal the primary SMTP address.",
    what: "A mail-enabled user whose UPN differs from the primary SMTP address, when that address would itself be a valid UPN (routable, verified when verified domains are given).",
    why: "Microsoft recommends matching them so users have one identity; it also avoids the UPN becoming a stray secondary address.",
    fix: "Align the UPN with the primary SMTP address where that is the plan.",
    default_action: Action::Complete,
    profiles: ENTRA,
    limits: &[],
};

pub static MAIL_NOT_PRIMARY_SMTP: Rule = Rule {
    code: "SL902",
    slug: "mail-not-primary-smtp",
    class: Class::Advisory,
    severity: Severity::Info,
    attributes: &[Attr::Mail, Attr::ProxyAddresses],
    idfix: None,
    entra: "mail is replaced by the calculated primary SMTP address",
    sources: &[&sources::PROXY_POPULATION],
    source_note: "",
    what: "mail differs from the primary SMTP: value in proxyAddresses.",
    why: "Entra updates mail from the calculated primary SMTP address, so the on-premises mail value is not what appears in the cloud.",
    fix: "Make mail equal to the primary SMTP address.",
    default_action: Action::Complete,
    profiles: ENTRA,
    limits: &[],
};

pub static FAMILY: Family = Family {
    name: "advice",
    rules: &[&UPN_NOT_PRIMARY_SMTP, &MAIL_NOT_PRIMARY_SMTP],
    values: &[],
    check_value: None,
    check: Some(check),
};

/// The primary (upper-case SMTP:) address of an object.
pub fn primary_smtp<'a>(ctx: &'a Context, row: usize) -> Option<&'a str> {
    ctx.dir
        .proxy_addresses
        .get(row)
        .find(|v| v.starts_with("SMTP:"))
        .and_then(|v| parse(v).map(|(_, a)| a))
}

pub fn check(ctx: &Context, row: usize, out: &mut Vec<Finding>) {
    let Some(primary) = primary_smtp(ctx, row) else {
        return;
    };
    if matches!(
        ctx.dir.kind[row],
        ObjectKind::User | ObjectKind::InetOrgPerson
    ) {
        if let Some(upn) = ctx.dir.text(Attr::UserPrincipalName, row) {
            // Aligning is advice only when the address could be the UPN: one in a
            // non-routable or unverified domain, or with characters a UPN can't hold, can't.
            if !upn.eq_ignore_ascii_case(primary) && upn::is_clean(ctx, row, primary) {
                ctx.report(
                    out,
                    Finding::new(&UPN_NOT_PRIMARY_SMTP, row, Attr::UserPrincipalName, upn)
                        .note(format!("primary SMTP is {primary}")),
                );
            }
        }
    }
    if let Some(mail) = ctx.dir.text(Attr::Mail, row) {
        if !mail.eq_ignore_ascii_case(primary) {
            ctx.report(
                out,
                Finding::new(&MAIL_NOT_PRIMARY_SMTP, row, Attr::Mail, mail)
                    .note(format!("primary SMTP is {primary}")),
            );
        }
    }
}
