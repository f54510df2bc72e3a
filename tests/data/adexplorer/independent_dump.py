#!/usr/bin/env python3
"""Independent dump of an AD Explorer snapshot, made with c3c/ADExplorerSnapshot.py's parser.

It regenerates `detectionlab.expected.json` beside it: object counts per objectClass (the
most specific, that is last, value) and, for every user, its sAMAccountName, UPN, mail and
proxyAddresses.
synclint's own reader (src/ingest/adexplorer.rs) is tested against that file
(tests/it/adexplorer.rs), so the two readers share no code.

Needs a checkout of https://github.com/c3c/ADExplorerSnapshot.py (MIT; made with commit
f700904defac330802bbfedd1d8ffd9248f4ee24) and `pip install dissect.cstruct requests`.
Only the parser module (adexpsnapshot/parser/classes.py) is used; the two BloodHound helpers
it imports (time conversion, SID text) are not needed for these attributes and are stubbed.

    python3 independent_dump.py /path/to/ADExplorerSnapshot.py detectionlab.dat > detectionlab.expected.json
"""
import json
import sys
import types
from collections import Counter


def stub_bloodhound():
    utils = types.ModuleType("bloodhound.ad.utils")

    class ADUtils:
        @staticmethod
        def win_timestamp_to_unix(t):
            return (t - 116444736000000000) // 10_000_000 if t else 0

    utils.ADUtils = ADUtils
    acls = types.ModuleType("bloodhound.enumeration.acls")
    acls.LdapSid = lambda stream: "S-(stub)"
    for name in ["bloodhound", "bloodhound.ad", "bloodhound.enumeration"]:
        sys.modules[name] = types.ModuleType(name)
    sys.modules["bloodhound.ad.utils"] = utils
    sys.modules["bloodhound.enumeration.acls"] = acls


def main():
    checkout, snapshot = sys.argv[1], sys.argv[2]
    stub_bloodhound()
    sys.path.insert(0, checkout)
    # Import the parser module only: the package's __init__ pulls BloodHound and certipy.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "adexpsnapshot.parser.structure", f"{checkout}/adexpsnapshot/parser/structure.py"
    )
    structure = importlib.util.module_from_spec(spec)
    sys.modules["adexpsnapshot"] = types.ModuleType("adexpsnapshot")
    sys.modules["adexpsnapshot.parser"] = types.ModuleType("adexpsnapshot.parser")
    sys.modules["adexpsnapshot.parser.structure"] = structure
    spec.loader.exec_module(structure)
    spec = importlib.util.spec_from_file_location(
        "adexpsnapshot.parser.classes", f"{checkout}/adexpsnapshot/parser/classes.py"
    )
    classes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(classes)

    with open(snapshot, "rb") as fh:
        snap = classes.Snapshot(fh)
        snap.parseHeader()
        snap.parseProperties()
        snap.parseClasses()
        snap.parseObjectOffsets()
        per_class = Counter()
        users = []
        for obj in snap.objects:
            attrs = obj.attributes
            try:
                object_class = attrs.getAttribute("objectClass")
            except KeyError:
                object_class = []
            last = object_class[-1] if object_class else ""
            per_class[last] += 1
            if last.lower() in ("user", "inetorgperson"):
                def get(name):
                    try:
                        return attrs.getAttribute(name)
                    except KeyError:
                        return []

                dn = get("distinguishedName")
                users.append(
                    {
                        "dn": dn[0] if dn else None,
                        "sAMAccountName": get("sAMAccountName"),
                        "userPrincipalName": get("userPrincipalName"),
                        "mail": get("mail"),
                        "proxyAddresses": get("proxyAddresses"),
                    }
                )
        users.sort(key=lambda u: (u["dn"] or "").lower())
        out = {
            "tool": "c3c/ADExplorerSnapshot.py f700904 (adexpsnapshot.parser.classes)",
            "server": snap.header.server,
            "header_objects": snap.header.numObjects,
            "objects": sum(per_class.values()),
            "per_class": dict(sorted(per_class.items())),
            "users": users,
        }
        json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
