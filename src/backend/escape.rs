//! Escaping source strings for their target, so a value is read back as
//! exactly what was written.

/// A literal string for Terraform JSON: `${` and `%{` start templates in
/// every string Terraform reads, so they are doubled (`$${`, `%%{`).
pub fn tf(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// [`tf`], borrowing `s` when there is nothing to double (names rarely
/// hold a `{`; a fleet's `nodes` output escapes thousands of them).
pub fn tf_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('{') {
        tf(s).into()
    } else {
        s.into()
    }
}

/// A Terraform identifier for a stack name: letters, digits, `_` and `-`,
/// starting with a letter or `_` (a leading digit gets `n_` in front).
pub fn tf_ident(name: &str) -> String {
    // Most names are identifiers already: one scan and one copy.
    let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    if name.bytes().all(plain) && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return name.to_string();
    }
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert_str(0, "n_");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_escaped() {
        assert_eq!(tf("${file(\"/etc/passwd\")}"), "$${file(\"/etc/passwd\")}");
        assert_eq!(tf("%{ if true }x%{ endif }"), "%%{ if true }x%%{ endif }");
        assert_eq!(tf("$ {} % { plain"), "$ {} % { plain");
        assert_eq!(tf("$${already}"), "$$${already}");
    }

    #[test]
    fn identifiers() {
        assert_eq!(tf_ident("master-2"), "master-2");
        assert_eq!(tf_ident("ubuntu-24.04"), "ubuntu-24_04");
        assert_eq!(tf_ident("1st"), "n_1st");
        assert_eq!(tf_ident("grafana.example.com"), "grafana_example_com");
    }
}
