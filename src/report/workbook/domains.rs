//! The Domains sheet: every domain in UPNs, mail, proxyAddresses and targetAddress, with
//! objects per attribute, whether Entra can use it (routable) and whether it is verified.

use super::formats::{print_setup, table_columns, Formats};
use super::{count_in_parallel, Counts};
use crate::analyze::Analysis;
use crate::directory::Attr;
use crate::domain::{suffix_status, SuffixStatus};
use crate::rules::proxy::{is_smtp, parse};
use rust_xlsxwriter::{Table, TableStyle, Workbook, XlsxError};
use rustc_hash::FxHashMap;

/// The domain part of an address. (`memchr`'s `memrchr`: `str::rsplit_once` searches with
/// core's portable one, 0.7 % of the 1M field shape's full run in this sheet's count.)
pub(super) fn domain_of(address: &str) -> Option<&str> {
    let at = memchr::memrchr(b'@', address.as_bytes())?;
    address.get(at + 1..)
}

pub(super) fn domains_sheet(
    a: &Analysis,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let dir = &a.ingest.directory;
    // domain → objects per attribute: UPN, mail, proxyAddresses, targetAddress. Counted by
    // the domain as written (slices of the directory) in parallel, case folded after: an
    // allocation per value cost seconds at 10M objects.
    let raw = count_in_parallel(dir.len(), |row, seen: &mut Counts<4>| {
        if !a.scope.in_scope(row) {
            return;
        }
        if let Some(d) = dir.text(Attr::UserPrincipalName, row).and_then(domain_of) {
            seen.add(d, 0);
        }
        if let Some(d) = dir.text(Attr::Mail, row).and_then(domain_of) {
            seen.add(d, 1);
        }
        for p in dir.proxy_addresses.get(row) {
            if let Some(d) = parse(p)
                .filter(|(t, _)| is_smtp(t))
                .and_then(|(_, a)| domain_of(a))
            {
                seen.add(d, 2);
            }
        }
        if let Some(d) = dir
            .text(Attr::TargetAddress, row)
            .and_then(parse)
            .filter(|(t, _)| is_smtp(t))
            .and_then(|(_, a)| domain_of(a))
        {
            seen.add(d, 3);
        }
    });
    let mut seen: FxHashMap<String, [u64; 4]> = FxHashMap::default();
    for (domain, counts) in raw {
        let total = seen.entry(domain.to_lowercase()).or_default();
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
    }
    let mut domains: Vec<(String, [u64; 4])> = seen.into_iter().collect();
    domains.sort_by(|x, y| x.0.cmp(&y.0));
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("Domains")?;
    print_setup(ws, Some(0))?;
    let cols = [
        "Domain",
        "userPrincipalName",
        "mail",
        "proxyAddresses",
        "targetAddress",
        "Routable",
        "Verified",
        "Suggested mapping",
    ];
    // Domain, routable reason and verified state in full: widths from the longest text.
    let longest_domain = domains
        .iter()
        .map(|(d, _)| d.chars().count())
        .max()
        .unwrap_or(0);
    let longest_reason = domains
        .iter()
        .map(|(d, _)| routable_text(d).chars().count())
        .max()
        .unwrap_or(0);
    for (i, w) in [
        (longest_domain as f64 + 2.0).clamp(20.0, 60.0),
        19.0,
        12.0,
        16.0,
        15.0,
        (longest_reason as f64 + 2.0).clamp(12.0, 100.0),
        38.0,
        28.0,
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let columns = table_columns(&cols, f);
    ws.add_table(
        0,
        0,
        domains.len().max(1) as u32,
        cols.len() as u16 - 1,
        &Table::new()
            .set_columns(&columns)
            .set_style(TableStyle::Medium2),
    )?;
    for (i, (domain, n)) in domains.iter().enumerate() {
        let row = i as u32 + 1;
        let routable = routable_text(domain);
        let verified = match &a.options.verified_domains {
            Some(v) if v.contains(domain) => "yes",
            Some(_) => "no: not among --verified-domain",
            None => "not checked: pass --verified-domain",
        };
        let mapping = a
            .options
            .suffix_map
            .iter()
            .find(|(old, _)| old == domain)
            .map_or("", |(_, new)| new.as_str());
        ws.write_string(row, 0, domain)?;
        for (j, v) in n.iter().enumerate() {
            ws.write_number_with_format(row, j as u16 + 1, *v as f64, &f.number)?;
        }
        ws.write_string(row, 5, routable)?;
        ws.write_string(row, 6, verified)?;
        ws.write_string(row, 7, mapping)?;
    }
    Ok(domains.len())
}

/// Whether a domain can be used in Entra, with the reason when not.
pub(super) fn routable_text(domain: &str) -> String {
    match suffix_status(domain) {
        SuffixStatus::Routable => "yes".to_string(),
        SuffixStatus::SpecialUse(reason) => format!("no: {reason}"),
        SuffixStatus::NotDelegated => "no: not a delegated top-level domain".to_string(),
        SuffixStatus::Invalid => "no: not a valid domain".to_string(),
    }
}
