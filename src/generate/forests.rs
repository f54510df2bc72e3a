//! Two forests for the engine checks (`synclint generate --forests`): contoso.com and
//! fabrikam.com, one LDIF export each, with every case where Entra Connect Sync and Entra
//! Cloud Sync differ planted once or a few times, and the truth of what was planted: which
//! rule each planted object must raise under which engine, and how `--engine-diff` must list
//! it. The truth is written down here case by case, as the objects are made, not derived from
//! the rules.

use super::writer::{ldif_file, ExportObject, LdifStyle};
use crate::vocab::Engine;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const A: &str = "DC=contoso,DC=com";
const B: &str = "DC=fabrikam,DC=com";
const A_SID: &str = "S-1-5-21-1000-2000-3000";
const B_SID: &str = "S-1-5-21-4000-5000-6000";
const CONNECT: &[Engine] = &[Engine::Connect];
const CLOUD: &[Engine] = &[Engine::CloudSync];
const BOTH: &[Engine] = &[Engine::Connect, Engine::CloudSync];

/// What to generate.
#[derive(Clone, Debug)]
pub struct ForestsOptions {
    /// Ordinary users in contoso.com (at least 10: the planted cases use the first ones).
    pub people: usize,
    /// Users in both forests (same person), at most `people / 2`.
    pub twins: usize,
    /// GALSync contacts in fabrikam.com mirroring contoso.com users.
    pub galsync: usize,
    /// Members of the big group, written in `member;range=` parts of 1,500.
    pub big_group_members: usize,
    /// Plain users added to contoso.com (to cross Cloud Sync's objects-per-domain limits).
    pub filler: usize,
    pub seed: u64,
}

impl Default for ForestsOptions {
    fn default() -> Self {
        ForestsOptions {
            people: 20,
            twins: 3,
            galsync: 3,
            big_group_members: 60_000,
            filler: 0,
            seed: 1,
        }
    }
}

/// A rule a planted object must raise, and under which engines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    pub dn: String,
    pub code: &'static str,
    pub engines: &'static [Engine],
}

/// The two exports and their truth.
pub struct ForestsExport {
    /// (forest, LDIF text): contoso.com first.
    pub files: Vec<(&'static str, String)>,
    /// Every engine rule (SL11xx) finding the inputs must give, per engine.
    pub planted: Vec<Planted>,
    /// Every line `--engine-diff` must list: (DN, kind label as `DiffKind::label` writes it).
    pub differences: Vec<(String, String)>,
    /// Objects of contoso.com's domain in Cloud Sync's scope (for the per-domain limits).
    pub contoso_in_cloud_scope: usize,
    /// Objects in scope under each engine (Connect, Cloud Sync).
    pub in_scope: (usize, usize),
    /// `--include-group` case: the group, its direct members, the member only nested.
    pub pilot: (String, Vec<String>, String),
}

struct Builder {
    rng: ChaCha8Rng,
    objects: [Vec<ExportObject>; 2],
    planted: Vec<Planted>,
    differences: Vec<(String, String)>,
    next_rid: u32,
    /// Per forest: whether an object with a ConsistencyGuid was written yet (SL1101).
    consistency_seen: [bool; 2],
    in_scope: (usize, usize),
    contoso_cloud: usize,
}

impl Builder {
    fn guid(&mut self) -> Vec<u8> {
        self.rng.random::<[u8; 16]>().to_vec()
    }

    fn sid(&mut self, forest: usize) -> Vec<u8> {
        self.next_rid += 1;
        sid_bytes(if forest == 0 { A_SID } else { B_SID }, self.next_rid)
    }

    fn plant(&mut self, dn: &str, code: &'static str, engines: &'static [Engine]) {
        self.planted.push(Planted {
            dn: dn.to_string(),
            code,
            engines,
        });
        if engines.len() == 1 {
            self.differ(dn, &format!("{code} only under {}", engines[0].name()));
        }
    }

    fn differ(&mut self, dn: &str, label: &str) {
        self.differences.push((dn.to_string(), label.to_string()));
    }

    /// Adds an object; `connect`/`cloud` say whether each engine syncs it.
    fn add(&mut self, forest: usize, o: ExportObject, connect: bool, cloud: bool) {
        let dn = o.dn.clone();
        if o.has("mS-DS-ConsistencyGuid") && connect && !self.consistency_seen[forest] {
            self.consistency_seen[forest] = true;
            self.plant(&dn, "SL1101", CONNECT);
        }
        self.in_scope.0 += usize::from(connect);
        self.in_scope.1 += usize::from(cloud);
        if cloud && crate::directory::domain_part(&dn) == A {
            self.contoso_cloud += 1;
        }
        match (connect, cloud) {
            (true, false) => self.differ(&dn, "in scope only under connect"),
            (false, true) => {
                self.differ(&dn, "in scope only under cloud-sync");
                self.planted.push(Planted {
                    dn: dn.clone(),
                    code: "SL1107",
                    engines: CLOUD,
                });
            }
            _ => {}
        }
        self.objects[forest].push(o);
    }

    /// A user both engines sync without complaint.
    fn user(&mut self, forest: usize, cn: &str, ou: &str, upn: &str) -> ExportObject {
        let base = if forest == 0 { A } else { B };
        let mut o = ExportObject::new(format!("CN={cn},{ou},{base}"));
        for c in ["top", "person", "organizationalPerson", "user"] {
            o.text("objectClass", c);
        }
        let alias = upn.split('@').next().unwrap_or(upn).to_string();
        let guid = self.guid();
        let sid = self.sid(forest);
        o.text("cn", cn)
            .text("displayName", cn)
            .text("givenName", cn.split(' ').next().unwrap_or(cn))
            .text("sn", cn.split(' ').next_back().unwrap_or(cn))
            .binary("objectGUID", guid)
            .binary("objectSid", sid)
            .text("userAccountControl", "512")
            .text(
                "sAMAccountName",
                alias.replace('.', "").chars().take(20).collect::<String>(),
            )
            .text("userPrincipalName", upn)
            .text("mail", upn)
            .text("mailNickname", alias)
            .text("proxyAddresses", format!("SMTP:{upn}"))
            .text("msExchRecipientTypeDetails", "1");
        o
    }

    fn group(&mut self, forest: usize, cn: &str, mail: &str) -> ExportObject {
        let base = if forest == 0 { A } else { B };
        let mut o = ExportObject::new(format!("CN={cn},OU=Groups,{base}"));
        o.text("objectClass", "top").text("objectClass", "group");
        let guid = self.guid();
        let sid = self.sid(forest);
        let alias = mail.split('@').next().unwrap_or(mail).to_string();
        o.text("cn", cn)
            .binary("objectGUID", guid)
            .binary("objectSid", sid)
            .text("groupType", "-2147483646")
            .text("sAMAccountName", cn.replace(' ', ""))
            .text("mail", mail)
            .text("mailNickname", alias)
            .text("proxyAddresses", format!("SMTP:{mail}"));
        o
    }

    fn contact(&mut self, forest: usize, cn: &str, ou: &str, mail: Option<&str>) -> ExportObject {
        let base = if forest == 0 { A } else { B };
        let mut o = ExportObject::new(format!("CN={cn},{ou},{base}"));
        for c in ["top", "person", "organizationalPerson", "contact"] {
            o.text("objectClass", c);
        }
        let guid = self.guid();
        o.text("cn", cn)
            .text("displayName", cn)
            .binary("objectGUID", guid);
        if let Some(mail) = mail {
            let alias: String = cn.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            o.text("mail", mail)
                .text("mailNickname", alias)
                .text("targetAddress", format!("SMTP:{mail}"))
                .text("proxyAddresses", format!("SMTP:{mail}"));
        }
        o
    }
}

/// A binary SID from its domain part and RID.
fn sid_bytes(domain: &str, rid: u32) -> Vec<u8> {
    let subs: Vec<u32> = domain
        .split('-')
        .skip(3)
        .filter_map(|s| s.parse().ok())
        .chain([rid])
        .collect();
    let mut out = vec![1, subs.len() as u8, 0, 0, 0, 0, 0, 5];
    for s in subs {
        out.extend(s.to_le_bytes());
    }
    out
}

fn sid_text(domain: &str, rid: u32) -> String {
    format!("{domain}-{rid}")
}

/// Generates both forests.
pub fn generate(options: &ForestsOptions) -> ForestsExport {
    let people = options.people.max(10);
    let twins = options.twins.min(people / 2);
    let galsync = options.galsync.min(people - twins);
    let mut b = Builder {
        rng: ChaCha8Rng::seed_from_u64(options.seed),
        objects: [Vec::new(), Vec::new()],
        planted: Vec::new(),
        differences: Vec::new(),
        next_rid: 1100,
        consistency_seen: [false, false],
        in_scope: (0, 0),
        contoso_cloud: 0,
    };
    let dn_of = |cn: &str, ou: &str, base: &str| format!("CN={cn},{ou},{base}");
    let person = |i: usize| format!("User {i}");
    let upn = |i: usize| format!("user{i}@contoso.com");

    // Ordinary people of contoso.com.
    let mut a_user_sid = Vec::new();
    for i in 0..people {
        let o = b.user(0, &person(i), "OU=Staff", &upn(i));
        a_user_sid.push(b.next_rid);
        b.add(0, o, true, true);
    }
    // The same people in fabrikam.com: same UPN, same mail, or the same primary SMTP only.
    let mut twin_rids = Vec::new();
    for i in 0..twins {
        let cn = format!("{} (Fabrikam)", person(i));
        let own = format!("user{i}@fabrikam.com");
        let mut o = match i % 3 {
            0 => b.user(1, &cn, "OU=Staff", &upn(i)),
            1 => {
                let mut o = b.user(1, &cn, "OU=Staff", &own);
                o.set("mail", upn(i));
                o.set("proxyAddresses", format!("SMTP:{}", upn(i)));
                o
            }
            _ => {
                let mut o = b.user(1, &cn, "OU=Staff", &own);
                o.set("mail", own.clone());
                o.set("proxyAddresses", format!("SMTP:{}", upn(i)));
                o.text("proxyAddresses", format!("smtp:{own}"));
                o
            }
        };
        o.set("sAMAccountName", format!("fab{i}"));
        twin_rids.push(b.next_rid);
        let dn = o.dn.clone();
        b.add(1, o, true, true);
        b.plant(&dn, "SL1114", CLOUD);
        b.plant(&dn_of(&person(i), "OU=Staff", A), "SL1114", CLOUD);
    }
    // GALSync contacts mirroring contoso.com users in fabrikam.com.
    for i in twins..twins + galsync {
        let o = b.contact(
            1,
            &format!("{} (GAL)", person(i)),
            "OU=GALSync",
            Some(&upn(i)),
        );
        let dn = o.dn.clone();
        b.add(1, o, true, true);
        b.plant(&dn, "SL1115", CLOUD);
    }
    // Cross-forest references: a manager in the other forest, a group managed from the other
    // forest, a member from the other forest as a foreign security principal (plus a
    // well-known one, which is no forest's); a child domain's manager in its own forest is not.
    let mut o = b.user(1, "Report To Contoso", "OU=Staff", "report@fabrikam.com");
    o.text("manager", dn_of(&person(0), "OU=Staff", A));
    let dn = o.dn.clone();
    b.add(1, o, true, true);
    b.plant(&dn, "SL1116", CLOUD);
    let mut o = b.group(1, "Fabrikam Team", "team@fabrikam.com");
    o.text("managedBy", dn_of(&person(1), "OU=Staff", A));
    let dn = o.dn.clone();
    b.add(1, o, true, true);
    b.plant(&dn, "SL1116", CLOUD);
    let mut o = b.group(0, "Cross Forest Team", "crossteam@contoso.com");
    o.text("member", dn_of(&person(2), "OU=Staff", A));
    if let Some(rid) = twin_rids.first() {
        o.text(
            "member",
            format!(
                "CN={},CN=ForeignSecurityPrincipals,{A}",
                sid_text(B_SID, *rid)
            ),
        );
    }
    o.text(
        "member",
        format!("CN=S-1-5-11,CN=ForeignSecurityPrincipals,{A}"),
    );
    let dn = o.dn.clone();
    let cross_member = !twin_rids.is_empty();
    b.add(0, o, true, true);
    if cross_member {
        b.plant(&dn, "SL1116", CLOUD);
    }
    let mut o = b.user(0, "Emea User", "OU=Staff,DC=emea", "emea.user@contoso.com");
    o.text("manager", dn_of(&person(3), "OU=Staff", A));
    b.add(0, o, true, true);

    // Source anchors.
    let mut o = b.user(0, "Stamped Same", "OU=Staff", "stamped.same@contoso.com");
    let own = match o.last_binary("objectGUID") {
        Some(g) => g.to_vec(),
        None => b.guid(),
    };
    o.binary("mS-DS-ConsistencyGuid", own);
    b.add(0, o, true, true);
    let source = b.user(
        0,
        "Migration Source",
        "OU=Staff",
        "migration.source@contoso.com",
    );
    let source_guid = source.last_binary("objectGUID").map(<[u8]>::to_vec);
    let source_dn = source.dn.clone();
    b.add(0, source, true, true);
    let mut o = b.user(1, "Migrated User", "OU=Staff", "migrated.user@fabrikam.com");
    if let Some(g) = source_guid {
        o.binary("mS-DS-ConsistencyGuid", g);
    }
    let dn = o.dn.clone();
    b.add(1, o, true, true);
    b.plant(&dn, "SL1102", BOTH);
    b.plant(&dn, "SL1103", BOTH);
    b.plant(&source_dn, "SL1103", BOTH);
    let mut o = b.user(0, "Odd Anchor", "OU=Staff", "odd.anchor@contoso.com");
    o.binary("mS-DS-ConsistencyGuid", vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    let dn = o.dn.clone();
    b.add(0, o, true, true);
    b.plant(&dn, "SL1104", BOTH);
    let shared = b.guid();
    for (forest, cn) in [(0, "Shared Anchor A"), (1, "Shared Anchor B")] {
        let mail = format!(
            "{}@{}",
            cn.to_lowercase().replace(' ', "."),
            if forest == 0 {
                "contoso.com"
            } else {
                "fabrikam.com"
            }
        );
        let mut o = b.user(forest, cn, "OU=Staff", &mail);
        o.binary("mS-DS-ConsistencyGuid", shared.clone());
        let dn = o.dn.clone();
        b.add(forest, o, true, true);
        b.plant(&dn, "SL1102", BOTH);
        b.plant(&dn, "SL1103", BOTH);
    }
    let mut o = b.group(0, "Anchored Group", "anchored.group@contoso.com");
    let cg = b.guid();
    o.binary("mS-DS-ConsistencyGuid", cg);
    let dn = o.dn.clone();
    b.add(0, o, true, true);
    b.plant(&dn, "SL1105", BOTH);
    b.plant(&dn, "SL1102", CLOUD);
    b.differ(&dn, "anchor changes");
    let mut o = b.contact(
        0,
        "Anchored Contact",
        "OU=Contacts",
        Some("anchored@partner.example.net"),
    );
    let cg = b.guid();
    o.binary("mS-DS-ConsistencyGuid", cg);
    let dn = o.dn.clone();
    b.add(0, o, true, true);
    b.plant(&dn, "SL1105", BOTH);
    b.plant(&dn, "SL1102", CLOUD);
    b.differ(&dn, "anchor changes");

    // The same objectSid on two users (a restored DC, a reused RID).
    b.next_rid += 1;
    let restored = sid_bytes(A_SID, b.next_rid);
    for cn in ["Restored One", "Restored Two"] {
        let mail = format!("{}@contoso.com", cn.to_lowercase().replace(' ', "."));
        let mut o = b.user(0, cn, "OU=Staff", &mail);
        o.set_binary("objectSid", restored.clone());
        let dn = o.dn.clone();
        b.add(0, o, true, true);
        b.plant(&dn, "SL1106", BOTH);
    }

    // Objects Connect skips by default and Cloud Sync does not.
    let mut o = b.user(
        0,
        "SystemMailbox{1f05a927-7709-4e35-9dbe-d0f608fb781a}",
        "CN=Users",
        "systemmailbox1f05@contoso.com",
    );
    o.set("msExchRecipientTypeDetails", "536870912");
    o.set("sAMAccountName", "SM_1f05a9277709");
    b.add(0, o, false, true);
    let mut o = b.user(
        0,
        "DiscoverySearchMailbox {D919BA05-46A6-415f-80AD-7E09334BB852}",
        "CN=Users",
        "discoverysearchmailbox@contoso.com",
    );
    o.set("msExchRecipientTypeDetails", "536870912");
    o.set("sAMAccountName", "SM_d919ba0546a6");
    b.add(0, o, false, true);
    let mut o = b.user(
        0,
        "MSOL_0123456789ab",
        "CN=Users",
        "msol_0123456789ab@contoso.com",
    );
    o.set("sAMAccountName", "MSOL_0123456789ab");
    b.add(0, o, false, true);
    let o = b.contact(0, "No Mail Contact", "OU=Contacts", None);
    b.add(0, o, false, true);
    // Skipped by both: a critical system object.
    let mut o = b.user(0, "krbtgt", "CN=Users", "krbtgt@contoso.com");
    o.text("isCriticalSystemObject", "TRUE");
    b.add(0, o, false, false);

    // inetOrgPerson: no password hash sync under either engine (SL1304; SL1117 is retired).
    let mut o = b.user(0, "Ines Org", "OU=Staff", "ines.org@contoso.com");
    o.text("objectClass", "inetOrgPerson");
    let dn = o.dn.clone();
    b.add(0, o, true, true);
    b.plant(&dn, "SL1304", BOTH);

    // A device Connect syncs (it has a certificate) and Cloud Sync does not.
    let mut o = ExportObject::new(format!("CN=WS0001,OU=Workstations,{A}"));
    for c in ["top", "person", "organizationalPerson", "user", "computer"] {
        o.text("objectClass", c);
    }
    let guid = b.guid();
    let sid = b.sid(0);
    let cert: Vec<u8> = (0..300).map(|_| b.rng.random::<u8>()).collect();
    o.text("cn", "WS0001")
        .binary("objectGUID", guid)
        .binary("objectSid", sid)
        .text("sAMAccountName", "WS0001$")
        .text("userAccountControl", "4096")
        .binary("userCertificate", cert);
    b.add(0, o, true, false);

    // Groups: 60,000 members in range parts (complete), and one whose last part is missing.
    let mut o = b.group(0, "All Staff Big", "allstaff@contoso.com");
    let total = options.big_group_members;
    let mut start = 0;
    while start < total {
        let end = (start + 1500).min(total);
        let name = if end == total {
            format!("member;range={start}-*")
        } else {
            format!("member;range={start}-{}", end - 1)
        };
        for m in start..end {
            o.text(&name, format!("CN=Bulk {m},OU=Bulk,{A}"));
        }
        start = end;
    }
    let dn = o.dn.clone();
    b.add(0, o, true, true);
    if total > crate::rules::engine::MAX_GROUP_MEMBERS {
        b.plant(&dn, "SL1110", CLOUD);
    }
    let mut o = b.group(0, "Partial Group", "partial@contoso.com");
    for m in 0..1500 {
        o.text("member;range=0-1499", format!("CN=Bulk {m},OU=Bulk,{A}"));
    }
    let dn = o.dn.clone();
    b.add(0, o, true, true);
    b.plant(&dn, "SL1111", CLOUD);

    // Group scoping: a pilot group with two direct members and a nested group's member.
    let mut nested = b.group(0, "Pilot Nested", "pilot.nested@contoso.com");
    nested.text("member", dn_of(&person(6), "OU=Staff", A));
    let nested_dn = nested.dn.clone();
    let mut pilot = b.group(0, "Pilot", "pilot@contoso.com");
    for i in [4, 5] {
        pilot.text("member", dn_of(&person(i), "OU=Staff", A));
    }
    pilot.text("member", nested_dn.clone());
    let pilot_dn = pilot.dn.clone();
    b.add(0, pilot, true, true);
    b.add(0, nested, true, true);

    // Filler: plain users in contoso.com.
    for i in 0..options.filler {
        let mut o = ExportObject::new(format!("CN=Filler {i},OU=Filler,{A}"));
        o.text("objectClass", "user");
        let guid = b.guid();
        o.binary("objectGUID", guid)
            .text("sAMAccountName", format!("filler{i}"))
            .text("userPrincipalName", format!("filler{i}@contoso.com"));
        b.add(0, o, true, true);
    }

    let style = LdifStyle::default();
    let files = vec![
        ("contoso.com", ldif_file(&b.objects[0], &style)),
        ("fabrikam.com", ldif_file(&b.objects[1], &style)),
    ];
    ForestsExport {
        files,
        planted: b.planted,
        differences: b.differences,
        contoso_in_cloud_scope: b.contoso_cloud,
        in_scope: b.in_scope,
        pilot: (
            pilot_dn,
            vec![
                dn_of(&person(4), "OU=Staff", A),
                dn_of(&person(5), "OU=Staff", A),
                nested_dn,
            ],
            dn_of(&person(6), "OU=Staff", A),
        ),
    }
}
