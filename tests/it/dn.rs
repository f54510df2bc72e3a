//! Property tests of the DN module: any value survives escaping, and a DN built from escaped
//! values splits back into exactly those values, whatever special characters they hold.

use proptest::prelude::*;
use synclint::dn;

/// Values with every character RFC 4514 treats specially, spaces at either end, control
/// characters, a leading `#`, hex-looking text and non-ASCII letters.
fn value() -> impl Strategy<Value = String> {
    "[ #]?[a-zA-Z0-9 ,+\"\\\\<>;=#&/.\n\r\té王Ł-]{1,16}[ ]?"
}

proptest! {
    #[test]
    fn escape_then_unescape_is_identity(v in value()) {
        let escaped = dn::escape(&v);
        prop_assert_eq!(dn::unescape(&escaped), v.as_str());
    }

    #[test]
    fn rdn_values_come_back(
        values in prop::collection::vec(value(), 1..6),
        spaced in any::<bool>(),
        multi in prop::option::of(value()),
    ) {
        let separator = if spaced { " , " } else { "," };
        let mut text: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{}={}", if i == 0 { "CN" } else { "ou" }, dn::escape(v)))
            .collect();
        if let Some(m) = &multi {
            text[0] = format!("{}+UID={}", text[0], dn::escape(m));
        }
        let full = format!("{},DC=x,DC=com", text.join(separator));
        let got: Vec<String> = dn::rdns(&full)
            .map(|r| r.first().value().into_owned())
            .collect();
        prop_assert_eq!(&got[..values.len()], &values[..]);
        prop_assert_eq!(got.len(), values.len() + 2);
        prop_assert_eq!(dn::first_rdn_value(&full), values[0].as_str());
        if let Some(m) = &multi {
            let first = dn::rdns(&full).next().unwrap();
            let avas: Vec<String> = first.avas().map(|a| a.value().into_owned()).collect();
            prop_assert_eq!(avas, vec![values[0].clone(), m.clone()]);
        }
        let domain = dn::dns_domain(&full);
        prop_assert_eq!(domain.as_deref(), Some("x.com"));
        // The parent is under itself and the object under its parent, never the reverse.
        let parent = dn::parent(&full);
        prop_assert!(dn::is_under(&full, parent));
        prop_assert!(!dn::is_under(parent, &full));
        prop_assert!(dn::is_under(&full, "dc=X, dc=COM"));
        prop_assert_eq!(dn::normalized(&full), dn::normalized(&full.to_uppercase()));
    }
}
