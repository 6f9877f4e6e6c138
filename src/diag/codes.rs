//! The table of every diagnostic code. Codes and slugs are a public contract
//! (language.md §3): never renumber, only add.

use super::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    pub code: &'static str,
    pub slug: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The explain page, `book/src/checks/<code>.md`, embedded in the binary.
    pub page: &'static str,
}

macro_rules! codes {
    ($($name:ident = $code:literal, $slug:literal, $sev:ident, $summary:literal;)*) => {
        $(pub const $name: Code = Code {
            code: $code,
            slug: $slug,
            severity: Severity::$sev,
            summary: $summary,
            page: include_str!(concat!("../../book/src/checks/", $code, ".md")),
        };)*
        /// Every code, in table order.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

codes! {
    SYNTAX = "E0101", "syntax", Error, "any parse error: what was expected, at the span";
    BAD_LITERAL = "E0102", "bad-literal", Error, "invalid IP, CIDR, range, size, duration or MAC";
    CIDR_HOST_BITS = "E0103", "cidr-host-bits", Error, "CIDR with host bits set";
    SIZE_UNIT = "E0104", "size-unit", Error, "a size that is not whole in the unit the target needs";
    DUPLICATE_NAME = "E0201", "duplicate-name", Error, "two blocks of one type with one name";
    UNKNOWN_NAME = "E0202", "unknown-name", Error, "unknown reference, block type, attribute, symbol or addon";
    MISSING_ATTRIBUTE = "E0203", "missing-attribute", Error, "a required attribute is missing";
    TYPE_MISMATCH = "E0204", "type-mismatch", Error, "a value of the wrong type";
    IMPORT = "E0205", "import", Error, "imported file missing, unreadable, or an import cycle";
    FUNCTION = "E0206", "function", Error, "a built-in function call that fails";
    CIDR_OVERLAP = "E0301", "cidr-overlap", Error, "networks, pod, service or tunnel CIDRs overlap";
    OUTSIDE_NETWORK = "E0302", "outside-network", Error, "an address outside the network it belongs to";
    DUPLICATE_ADDRESS = "E0303", "duplicate-address", Error, "an IP or MAC used twice";
    RESERVED_ADDRESS = "E0304", "reserved-address", Error, "an IP equal to the network, broadcast or gateway address";
    DHCP_CONFLICT = "E0305", "dhcp-conflict", Error, "a static IP inside the network's DHCP range";
    COUNT_OVERFLOW = "E0306", "count-overflow", Error, "consecutive IPs of a counted node run past the network";
    VLAN = "E0307", "vlan", Error, "VLAN tag out of range or shared by different networks";
    POOL_CONFLICT = "E0308", "pool-conflict", Error, "a MetalLB pool outside the network or overlapping other addresses";
    HOSTNAME = "E0309", "hostname", Error, "an invalid or duplicated hostname";
    VM_ID = "E0310", "vm-id", Error, "two VMs with one Proxmox VMID, or a VMID out of range";
    ETCD_EVEN = "E0401", "etcd-even", Error, "an even number of etcd members";
    ETCD_SINGLE = "W0402", "etcd-single", Warning, "a single etcd member";
    API_ENDPOINT = "E0403", "api-endpoint", Error, "several control planes without a separate API load balancer";
    NO_CONTROL_PLANE = "E0404", "no-control-plane", Error, "no node has the control_plane role";
    KUBESPRAY = "E0405", "kubespray", Error, "a setting the targeted Kubespray release rejects";
    ARCH_ADDON = "E0501", "arch-addon", Error, "an addon without images for a node architecture";
    ARCH_VM = "E0502", "arch-vm", Error, "a VM's arch differs from its hypervisor's";
    ARCH_IMAGE = "E0503", "arch-image", Error, "a VM whose image has no URL for its arch";
    CAPACITY = "E0601", "capacity", Error, "VMs ask for more memory or disk than the hypervisor has";
    OVERCOMMIT = "W0602", "overcommit", Warning, "vCPU above 4:1 or memory above 90 % of a hypervisor";
    MIN_MEMORY = "E0603", "min-memory", Error, "a node below the minimum memory for its role";
    REPLICAS = "E0701", "replicas", Error, "more storage replicas than nodes that can hold them";
    STORAGE_LAYOUT = "E0702", "storage-layout", Error, "a storage layout that cannot be built";
    VERSION_COMPAT = "W0801", "version-compat", Warning, "a version not known to work with the Kubernetes version";
    ADDON_CYCLE = "E0802", "addon-cycle", Error, "a cycle in addon ordering";
    ADDON_REQUIRES = "E0803", "addon-requires", Error, "an addon whose requirement is absent";
    POLICY_UNENFORCED = "W0804", "policy-unenforced", Warning, "network policies with a CNI that ignores them";
    PLAIN_SECRET = "E0901", "plain-secret", Error, "a credential given as a plain string";
    WOL_MAC = "E0902", "wol-mac", Error, "wake_on_lan without a MAC for every node";
    SLEEP_CRITICAL = "E0903", "sleep-critical", Error, "sleep_after on a node the cluster cannot lose";
    UNUSED_ALLOW = "W0904", "unused-allow", Warning, "an allow that suppresses nothing";
}

/// Look a code up by its code (`E0303`, any case) or its slug (`duplicate-address`).
pub fn lookup(key: &str) -> Option<&'static Code> {
    ALL.iter()
        .find(|c| c.code.eq_ignore_ascii_case(key) || c.slug == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_slugs_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(seen.insert(c.slug), "duplicate slug {}", c.slug);
            assert_eq!(
                c.code.starts_with('W'),
                c.severity == Severity::Warning,
                "{}",
                c.code
            );
        }
    }

    #[test]
    fn every_page_is_titled_with_its_code_and_slug() {
        for c in ALL {
            let first = c.page.lines().next().unwrap_or("");
            assert_eq!(
                first,
                format!("# {}: {}", c.code, c.slug),
                "page of {}",
                c.code
            );
        }
    }
}
