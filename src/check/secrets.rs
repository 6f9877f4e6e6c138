//! E0901: credentials written in plain text end up in `main.tf.json`, the
//! Ansible vars and every backup of both. They belong in `secret("NAME")`.

use crate::diag::{codes, Diagnostic, Sink};
use crate::ir::Ir;

pub fn check(ir: &Ir, sink: &mut Sink) {
    for c in &ir.plain_credentials {
        let var = c.value.to_ascii_uppercase().replace(['-', '.'], "_");
        sink.push(
            Diagnostic::new(
                &codes::PLAIN_SECRET,
                c.span,
                format!(
                    "`{}` looks like a credential and is written in plain text",
                    c.value
                ),
            )
            .label("this value would be written into the generated files")
            .help(format!(
                "use `{} = secret(\"{var}\")` and supply {var} when applying",
                c.value
            )),
        );
    }
}

/// Whether an attribute or key name looks like it holds a credential. Names
/// that *name* a Kubernetes Secret (`existingSecret`, `secretName`) do not.
pub fn credential_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    let names_a_secret = n.starts_with("existing")
        || n.ends_with("secretname")
        || n.ends_with("secret_name")
        || n.ends_with("secretref");
    let looks = n.contains("token")
        || n.contains("password")
        || n.contains("secret")
        || n.contains("credential")
        || n.ends_with("_key");
    looks && !names_a_secret
}

#[cfg(test)]
mod tests {
    use super::credential_name;

    #[test]
    fn credential_names() {
        for yes in [
            "api_token",
            "admin_password",
            "adminPassword",
            "client_secret",
            "credentials",
            "access_key",
            "secret_key",
        ] {
            assert!(credential_name(yes), "{yes}");
        }
        for no in [
            "existingSecret",
            "secretName",
            "ssh_keys",
            "keys",
            "monkey",
            "description",
        ] {
            assert!(!credential_name(no), "{no}");
        }
    }
}
