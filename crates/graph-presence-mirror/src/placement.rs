//! Which identity watches which users: pure decisions, no requests. Each identity holds at most
//! one subscription of at most [`MAX_IDS_PER_SUBSCRIPTION`] users. A subscription's resource
//! cannot be patched, so every identity whose users change is one subscription recreated;
//! placement keeps those few.

use crate::error::MirrorError;
use graph_presence_client::MAX_IDS_PER_SUBSCRIPTION;
use std::collections::{BTreeMap, BTreeSet};

/// Users by identity name; ids are kept lowercase (Graph's ids are GUIDs, matched in any
/// case).
pub(crate) type Placement = BTreeMap<String, BTreeSet<String>>;

/// Places `new` users (not placed yet) over the identities: the ones with the most room first,
/// so that the fewest subscriptions change. Refused, changing nothing, when they do not fit.
/// Returns the identities whose users changed.
pub(crate) fn add(
    placement: &mut Placement,
    new: &BTreeSet<String>,
) -> Result<BTreeSet<String>, MirrorError> {
    let placed: usize = placement.values().map(BTreeSet::len).sum();
    let room: usize = placement
        .values()
        .map(|users| MAX_IDS_PER_SUBSCRIPTION.saturating_sub(users.len()))
        .sum();
    if new.len() > room {
        let users = placed + new.len();
        let needed = users.div_ceil(MAX_IDS_PER_SUBSCRIPTION);
        let missing = (new.len() - room).div_ceil(MAX_IDS_PER_SUBSCRIPTION);
        return Err(MirrorError::NotEnoughIdentities {
            users,
            needed: needed.max(placement.len() + missing),
            have: placement.len(),
            missing,
        });
    }
    let mut by_room: Vec<(usize, String)> = placement
        .iter()
        .map(|(name, users)| {
            (
                MAX_IDS_PER_SUBSCRIPTION.saturating_sub(users.len()),
                name.clone(),
            )
        })
        .filter(|(room, _)| *room > 0)
        .collect();
    // Most room first; ties by name, so the same input places the same way.
    by_room.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut changed = BTreeSet::new();
    let mut pending = new.iter();
    for (room, name) in by_room {
        let Some(users) = placement.get_mut(&name) else {
            continue;
        };
        let before = users.len();
        users.extend(pending.by_ref().take(room).cloned());
        if users.len() > before {
            changed.insert(name);
        }
    }
    Ok(changed)
}

/// Removes users wherever they are; returns the identities whose users changed.
pub(crate) fn remove(placement: &mut Placement, gone: &BTreeSet<String>) -> BTreeSet<String> {
    let mut changed = BTreeSet::new();
    for (name, users) in placement.iter_mut() {
        let before = users.len();
        users.retain(|u| !gone.contains(u));
        if users.len() != before {
            changed.insert(name.clone());
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(range: std::ops::Range<usize>) -> BTreeSet<String> {
        range.map(|i| format!("u{i:05}")).collect()
    }

    fn pool(names: &[&str]) -> Placement {
        names
            .iter()
            .map(|n| ((*n).to_owned(), BTreeSet::new()))
            .collect()
    }

    #[test]
    fn users_fill_identities_up_to_650_each() {
        let mut placement = pool(&["a", "b", "c", "d"]);
        let changed = add(&mut placement, &ids(0..2000)).expect("fits");
        assert_eq!(changed.len(), 4);
        assert!(placement.values().all(|u| u.len() <= 650));
        assert_eq!(placement.values().map(BTreeSet::len).sum::<usize>(), 2000);
    }

    #[test]
    fn too_many_users_are_refused_with_the_missing_count_and_nothing_changes() {
        let mut placement = pool(&["a", "b"]);
        match add(&mut placement, &ids(0..2000)) {
            Err(MirrorError::NotEnoughIdentities {
                missing, needed, ..
            }) => {
                assert_eq!((missing, needed), (2, 4));
            }
            other => panic!("{other:?}"),
        }
        assert!(placement.values().all(BTreeSet::is_empty));
    }

    #[test]
    fn a_few_more_users_change_one_subscription_and_removals_only_theirs() {
        let mut placement = pool(&["a", "b", "c"]);
        add(&mut placement, &ids(0..1000)).expect("fits");
        let changed = add(&mut placement, &ids(1000..1010)).expect("fits");
        assert_eq!(changed.len(), 1, "{changed:?}");
        let in_a: BTreeSet<String> = placement["a"].iter().take(3).cloned().collect();
        assert_eq!(
            remove(&mut placement, &in_a),
            BTreeSet::from(["a".to_owned()])
        );
    }
}
