//! Numbers in messages: thousands separators and plurals ("1 finding", "179,708 findings").

/// `n` with thousands separators (indicatif's, as the progress display shows them).
pub fn count(n: u64) -> String {
    indicatif::HumanCount(n).to_string()
}

/// `n` and the noun in the right number.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_plurals() {
        assert_eq!(plural(1, "finding", "findings"), "1 finding");
        assert_eq!(plural(0, "finding", "findings"), "0 findings");
        assert_eq!(plural(179_708, "finding", "findings"), "179,708 findings");
        assert_eq!(count(1_000_000), "1,000,000");
    }
}
