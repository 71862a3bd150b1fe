//! Built without the `redis` feature: every instance is alone, and each shared step is what
//! one process does by itself.

use super::super::{Mirror, Report};
use crate::error::MirrorError;
use crate::placement::Placement;
use std::collections::BTreeSet;

impl Mirror {
    pub(in crate::mirror) async fn refresh_shared(&mut self) -> Report {
        Report::default()
    }

    pub(in crate::mirror) async fn ask_owner(
        &mut self,
        _name: &str,
        _what: &'static str,
    ) -> Report {
        Report::default()
    }

    pub(in crate::mirror) async fn change_placement(
        &mut self,
        change: impl Fn(&mut Placement) -> Result<BTreeSet<String>, MirrorError>,
    ) -> Result<BTreeSet<String>, MirrorError> {
        let mut placement = self.placement();
        let changed = change(&mut placement)?;
        self.set_placement(placement);
        Ok(changed)
    }

    pub(in crate::mirror) async fn may_act(&mut self, _name: &str) -> bool {
        true
    }

    pub(in crate::mirror) async fn save_shared(&mut self, _report: &mut Report) {}

    pub(in crate::mirror) async fn release_leases(&mut self) {}

    pub(in crate::mirror) async fn forget_shared(&mut self, _users: &BTreeSet<String>) {}

    pub(in crate::mirror) fn leases_due(&self) -> jiff::Timestamp {
        jiff::Timestamp::MAX
    }
}
