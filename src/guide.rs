//! `synclint help export`: how to make the export synclint reads, with csvde and ldifde
//! command lines whose `-l` list comes from the rule registry (so it never drifts from what the
//! rules read).
//!
//! Sources: csvde and ldifde switches, https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2012-r2-and-2012/cc732101(v=ws.11)
//! and https://learn.microsoft.com/previous-versions/orphan-topics/ws.10/cc755456(v=ws.10);
//! attributes outside the global catalog ("In Global Catalog: False"):
//! https://learn.microsoft.com/windows/win32/adschema/a-iscriticalsystemobject,
//! https://learn.microsoft.com/windows/win32/adschema/a-ms-ds-consistencyguid,
//! https://learn.microsoft.com/windows/win32/adschema/a-thumbnailphoto.
//! PowerShell: Get-ADObject, https://learn.microsoft.com/powershell/module/activedirectory/get-adobject;
//! Export-Csv (Windows PowerShell 5.1 writes ASCII unless told -Encoding),
//! https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/export-csv?view=powershell-5.1.
//! AD Explorer snapshots: https://learn.microsoft.com/sysinternals/downloads/adexplorer.

use crate::ingest::powershell::calculated_property;
use crate::rules::registry::export_attributes;

/// The LDAP filter for users, contacts and groups (IdFix's; computers are left out).
pub const FILTER: &str = "(|(objectCategory=person)(objectCategory=group))";

/// The `-l` list of the configuration partition export: what the readiness checks read there.
pub const CONFIGURATION_ATTRIBUTES: [&str; 10] = [
    "objectClass",
    "cn",
    "whenChanged",
    "keywords",
    "uPNSuffixes",
    "msDS-Behavior-Version",
    "msDS-EnabledFeature",
    "nETBIOSName",
    "dnsRoot",
    "nCName",
];

/// The LDAP filter of the PowerShell command: users, contacts, groups and computers.
pub const POWERSHELL_FILTER: &str =
    "(|(objectCategory=person)(objectCategory=group)(objectCategory=computer))";

/// The PowerShell lines that export what synclint reads with the ActiveDirectory module:
/// `$attributes` (for -Properties) and `$columns` (for Select-Object, the multi-valued and
/// binary attributes joined as csvde writes them, since Export-Csv writes a collection as its
/// type name), both from the rule registry.
pub fn powershell_variables(server: &str) -> String {
    // ObjectClass and ObjectGUID are among Get-ADObject's default properties.
    let attributes: Vec<&str> = export_attributes()
        .into_iter()
        .filter(|a| !a.eq_ignore_ascii_case("objectClass") && !a.eq_ignore_ascii_case("objectGUID"))
        .collect();
    let quoted: Vec<String> = attributes.iter().map(|a| format!("'{a}'")).collect();
    let mut plain = vec![
        "'DistinguishedName'".to_string(),
        "'ObjectClass'".into(),
        "'ObjectGUID'".into(),
    ];
    let mut joined = Vec::new();
    for a in &attributes {
        match calculated_property(a) {
            Some(c) => joined.push(c),
            None => plain.push(format!("'{a}'")),
        }
    }
    let mut columns = plain.join(",");
    for c in joined {
        columns.push_str(",\n  ");
        columns.push_str(&c);
    }
    format!(
        "  $attributes = {}\n  $schema = (Get-ADRootDSE -Server {server}).schemaNamingContext\n  \
         $attributes = $attributes | Where-Object {{ Get-ADObject -Server {server} -SearchBase $schema -LDAPFilter \"(lDAPDisplayName=$_)\" }}\n  \
         $columns = {columns}\n",
        quoted.join(",")
    )
}

/// `DC=corp,DC=contoso,DC=com` for `corp.contoso.com`.
pub fn base_dn(domain: &str) -> String {
    domain
        .trim()
        .trim_end_matches('.')
        .split('.')
        .filter(|label| !label.is_empty())
        .map(|label| format!("DC={label}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The whole guide, with command lines for `domain` (a DNS domain name such as contoso.com).
pub fn export_guide(domain: &str) -> String {
    let domain = domain.trim().trim_end_matches('.');
    let base = base_dn(domain);
    let list = export_attributes().join(",");
    let name = domain.split('.').next().unwrap_or("export");
    let common = format!("-d \"{base}\" -p subtree -r \"{FILTER}\" -l \"{list}\"");
    format!(
        "\
HOW TO MAKE THE EXPORT

Run these on a domain-joined Windows machine (csvde and ldifde come with the AD DS role and
with RSAT's AD DS tools); an ordinary domain account can normally read every attribute listed.
Either format works; pick one.

One domain, from a domain controller of that domain (port 389, every attribute):
  csvde  -u -f {name}.csv -s dc01.{domain} {common}
  ldifde -u -f {name}.ldf -s dc01.{domain} {common}

  -u          Unicode (UTF-16) output: without it accented names go through the ANSI code
              page and can come out as '?'.
  -s          a domain controller of the domain (leave it out to use the one you logged on to).
  -d -p       the whole domain: everything under its root, subtree scope.
  -r          users, contacts and groups (as IdFix reads them; computers are left out).
  -l          every attribute synclint reads (`synclint rules --attributes` prints the list).
              Without -l every attribute is exported: a bigger file, the same findings.
  Do not add -m or -n: they drop objectGUID, the source anchor sync matches objects by.

Several domains: one export per domain, each from its own domain controller, then one
analysis of all the files (duplicates and collisions are found across them):
  csvde -u -f {name}.csv -s dc01.{domain} -d \"{base}\" ...
  csvde -u -f emea.csv -s dc01.emea.{domain} -d \"{emea}\" ...
  synclint analyze {name}.csv emea.csv

A whole forest in one file, from a global catalog (port 3268):
  ldifde -u -f forest.ldf -s gc01.{domain} -t 3268 {common}
  The global catalog holds every domain's objects but only the attributes of the partial
  attribute set. In a default schema it lacks isCriticalSystemObject (so system objects can't
  be told apart), mS-DS-ConsistencyGuid (the source anchor where it replaced objectGUID) and
  thumbnailPhoto (photo sizes go unchecked); extended schemas may leave out more. `synclint
  inspect forest.ldf` lists what an export lacks. -d covers the domains named under {domain};
  run it again with the root of any other tree in the forest. Prefer one export per domain on
  port 389 when you can.

With PowerShell instead (the ActiveDirectory module, from RSAT or on a domain controller):
{variables}  Get-ADObject -Server dc01.{domain} -SearchBase '{base}' -LDAPFilter '{ps_filter}' -Properties $attributes |
    Select-Object $columns |
    Export-Csv -Path {name}.csv -NoTypeInformation -Encoding UTF8

  $columns writes proxyAddresses, member and the certificates joined with ';' and binary
  values as X'hex', as csvde does: Export-Csv writes any other collection as its type name
  (Microsoft.ActiveDirectory.Management.ADPropertyValueCollection, System.Byte[]) and the
  values are lost; synclint says which attributes a file lost that way.
  -Encoding UTF8 keeps every character: Windows PowerShell 5.1 otherwise writes ASCII, with
  '?' for every accented or non-Latin letter. The $schema lines leave out what the schema
  lacks (msExch... without Exchange): Get-ADObject refuses an unknown name. Users, contacts, groups and computers are
  exported; `Get-ADUser -Filter * -Properties * | Export-Csv` is read too (the module's
  property names such as EmailAddress and Surname are mapped to mail and sn).
  A whole forest from a global catalog (the same attribute limits as above):
  Get-ADObject -Server gc01.{domain}:3268 -SearchBase '{base}' -LDAPFilter '{ps_filter}' -Properties $attributes |
    Select-Object $columns |
    Export-Csv -Path forest.csv -NoTypeInformation -Encoding UTF8

An AD Explorer snapshot instead (Sysinternals AD Explorer, a single program, no install):
File > Connect to dc01.{domain}, then File > Create Snapshot, and save {name}.dat. The snapshot
holds the whole domain with every attribute, plus the forest's configuration and schema
partitions (read, counted, and left out of scope). Give the .dat to synclint as it is:
  synclint analyze {name}.dat
  Objects are located by record number ({name}.dat:1234, the Nth object of the file); a
  damaged snapshot is read up to the damage, whose byte offset is reported.

A huge directory: split the export by OU, one file each (-d \"OU=Staff,{base}\", then
\"OU=Sales,{base}\", ...), or narrow -r, and pass every file to one `synclint analyze`.
synclint reads multi-GB files without holding them whole, and spills to disk when memory is
short (--spill); the exports themselves page through the directory without extra switches.

SIGN-IN AND DEVICE READINESS (Seamless SSO, hybrid join, password hash sync, writeback)

The readiness checks need two things the export above leaves out:

1. Computers. Seamless SSO's AZUREADSSOACC$ account and the devices are computer objects,
   which the IdFix filter above skips. Export the domain without -r (or with the PowerShell
   command, which includes computers):
  ldifde -u -f {name}.ldf -s dc01.{domain} -d \"{base}\" -p subtree -l \"{list}\"
   The export must start at the domain's root (its head object is in it): an export of one
   OU or a filtered one can't show that an account is absent.

2. The configuration partition, one per forest (any domain controller of the forest holds
   it), next to the domain exports. It is small; export it whole:
  ldifde -u -f config.ldf -s dc01.{domain} -d \"CN=Configuration,{base}\" -p subtree -l \"{config_list}\"
  csvde  -u -f config.csv -s dc01.{domain} -d \"CN=Configuration,{base}\" -p subtree -l \"{config_list}\"
   (-l may be left out: every attribute, a bigger file.) synclint ties it to its forest by its
   DN and reads the crossRefs (domains, NetBIOS names), CN=Partitions (uPNSuffixes, forest
   functional level, optional features) and the device registration service connection point;
   its objects are never counted as objects to synchronize. Only the part under CN=Services
   can show the SCP is missing: an export filtered to serviceConnectionPoint objects is empty
   when it is, so export the partition (or CN=Services) whole. In PowerShell the base is
   (Get-ADRootDSE).configurationNamingContext.
  synclint analyze {name}.ldf config.ldf

   Key ages and expiry are measured from the export's own time (the latest whenChanged,
   which the -l lists above include), or --as-of 2026-12-02; never from today's date.

3. Optional: security descriptors, for the checks of inheritance and \"User cannot change
   password\" (password writeback) and of the AZUREADSSOACC$ account's protection from
   accidental deletion. Add nTSecurityDescriptor to the -l list of the ldifde export in 1
   (ldifde writes it base64; it adds 1-4 KB an object, so it is not in the list above), with
   an account that may read permissions. AD Explorer snapshots carry it already. Without it
   those checks say \"not checked: the export has no security descriptors\".
  ldifde -u -f {name}.ldf -s dc01.{domain} -d \"{base}\" -p subtree -l \"{list},nTSecurityDescriptor\"

Then: synclint inspect {name}.csv   (format, objects, attributes missing)
      synclint analyze {name}.csv --verified-domain {domain}
",
        emea = base_dn(&format!("emea.{domain}")),
        variables = powershell_variables(&format!("dc01.{domain}")),
        ps_filter = POWERSHELL_FILTER,
        config_list = CONFIGURATION_ATTRIBUTES.join(","),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_holds_the_registry_list_and_the_domain() {
        assert_eq!(base_dn("corp.contoso.com."), "DC=corp,DC=contoso,DC=com");
        let guide = export_guide("fabrikam.com");
        let list = export_attributes().join(",");
        assert!(guide.contains(&format!("-l \"{list}\"")));
        assert!(guide.contains(
            "csvde  -u -f fabrikam.csv -s dc01.fabrikam.com -d \"DC=fabrikam,DC=com\" -p subtree"
        ));
        assert!(guide.contains("-t 3268"));
        assert!(guide.contains("File > Create Snapshot, and save fabrikam.dat"));
        assert!(guide.contains("DC=emea,DC=fabrikam,DC=com"));
        // PowerShell: every attribute the rules read, the multi-valued ones joined.
        for attr in export_attributes() {
            assert!(
                attr == "objectClass"
                    || attr == "objectGUID"
                    || guide.contains(&format!("'{attr}'")),
                "{attr}"
            );
        }
        assert!(guide.contains(
            "@{n='proxyAddresses';e={($_.proxyAddresses -replace ';','\\;') -join ';'}}"
        ));
        assert!(guide.contains("-Server gc01.fabrikam.com:3268 -SearchBase 'DC=fabrikam,DC=com'"));
        assert!(guide.contains("Export-Csv -Path fabrikam.csv -NoTypeInformation -Encoding UTF8"));
    }
}
