//! STAGE 3: the rules over the finished IR. Each check is an independent
//! pass, `fn check(&Ir, &mut Sink)`, listed once in [`CHECKS`]; none stops
//! at the first finding.

pub mod addons;
pub mod arch;
mod capacity;
mod cidr_overlap;
mod control_plane;
mod etcd;
mod hostname;
mod ip_plan;
pub mod kubespray;
pub mod planner;
mod power;
pub mod secrets;
mod size_unit;
mod storage;
mod versions;
mod vlan;
mod vm_id;

use crate::diag::Sink;
use crate::ir::Ir;

pub type Check = fn(&Ir, &mut Sink);

/// Every check, in code order.
pub const CHECKS: &[(&str, Check)] = &[
    ("size_unit", size_unit::check),
    ("cidr_overlap", cidr_overlap::check),
    ("ip_plan", ip_plan::check),
    ("vlan", vlan::check),
    ("hostname", hostname::check),
    ("vm_id", vm_id::check),
    ("etcd", etcd::check),
    ("control_plane", control_plane::check),
    ("kubespray", kubespray::check),
    ("arch", arch::check),
    ("capacity", capacity::check),
    ("storage", storage::check),
    ("versions", versions::check),
    ("addons", addons::check),
    ("secrets", secrets::check),
    ("power", power::check),
];

pub fn run_all(ir: &Ir, sink: &mut Sink) {
    for (_, check) in CHECKS {
        check(ir, sink);
    }
}
