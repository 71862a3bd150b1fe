//! Keeping each identity's subscription: resumed after a restart, brought to its users after
//! a change of placement, renewed, recreated, and acted on after lifecycle notifications.

use super::{Mirror, Report};
use crate::subscription::{self, Action, RETRY_DELAY, later};
use graph_presence_models::LifecycleEventType;
use std::collections::BTreeSet;

impl Mirror {
    /// Renews every subscription saved (or recreates it), creates the missing ones, and
    /// reads every user once: changes made while the mirror was down are not in any
    /// notification.
    pub(super) async fn resume(&mut self) -> Report {
        let mut report = Report::default();
        let names: BTreeSet<String> = self.slots.keys().cloned().collect();
        let mut gone = BTreeSet::new();
        for (name, slot) in &mut self.slots {
            let Some(held) = slot.subscription.as_mut() else {
                continue;
            };
            if !slot.lease.owned() {
                continue;
            }
            if held.users != slot.users {
                continue; // replaced below
            }
            match subscription::renew(&slot.identity, &self.settings, held).await {
                Ok(true) => report.actions.push((name.clone(), Action::Renewed)),
                Ok(false) => {
                    slot.subscription = None;
                    gone.insert(name.clone());
                }
                Err(error) => report.failures.push(error),
            }
        }
        // Read below with everyone, not once more here.
        let (mut converged, _) = self.converge_slots(&names).await;
        for (name, action) in &mut converged.actions {
            if gone.contains(name) && *action == Action::Created {
                *action = Action::Recreated;
            }
        }
        report.merge(converged);
        let everyone = self.users();
        report.merge(self.read(everyone).await);
        report
    }

    /// Brings each named identity's subscription to its users, and reads the users of each
    /// new one (a change before it existed reached nobody).
    pub(super) async fn converge(&mut self, names: &BTreeSet<String>) -> Report {
        let (mut report, to_read) = self.converge_slots(names).await;
        // Shared, the records are written before the reads, which may take long.
        self.save_shared(&mut report).await;
        report.merge(self.read(to_read).await);
        report
    }

    /// [`Mirror::converge`] without the reads: the users of the new subscriptions, to read.
    pub(super) async fn converge_slots(
        &mut self,
        names: &BTreeSet<String>,
    ) -> (Report, BTreeSet<String>) {
        let mut report = Report::default();
        let mut to_read = BTreeSet::new();
        for name in names {
            if !self.may_act(name).await {
                continue;
            }
            let others: BTreeSet<String> = self
                .slots
                .iter()
                .filter(|(other, _)| *other != name)
                .filter_map(|(_, s)| s.subscription.as_ref().map(|h| h.id.clone()))
                .collect();
            let now = self.now();
            let Some(slot) = self.slots.get_mut(name) else {
                continue;
            };
            if !slot.needs_change() {
                continue;
            }
            let mut replacing = false;
            if let Some(held) = slot.subscription.take() {
                match subscription::delete(&slot.identity, &self.settings, &held.id).await {
                    Ok(()) => replacing = true,
                    Err(error) => {
                        report.failures.push(error);
                        slot.subscription = Some(held);
                        slot.retry_at = Some(later(now, RETRY_DELAY));
                        continue;
                    }
                }
                if slot.users.is_empty() {
                    report.actions.push((name.clone(), Action::Deleted));
                    continue;
                }
            }
            let created = subscription::create(
                &slot.identity,
                slot.signed_in.as_deref(),
                &self.settings,
                &slot.users,
                &others,
            )
            .await;
            match created {
                Ok((held, action)) => {
                    let action = match (action, replacing) {
                        (Action::Created, true) => Action::Recreated,
                        (action, _) => action,
                    };
                    tracing::info!(identity = %name, subscription_id = %held.id, users = held.users.len(), ?action, "presence mirror: subscription ready");
                    to_read.extend(held.users.iter().cloned());
                    slot.subscription = Some(held);
                    slot.retry_at = None;
                    report.actions.push((name.clone(), action));
                }
                Err(error) => {
                    tracing::warn!(identity = %name, error = %error, "presence mirror: no subscription; trying again later");
                    slot.retry_at = Some(later(now, RETRY_DELAY));
                    report.failures.push(error);
                }
            }
        }
        (report, to_read)
    }

    /// Renews one identity's subscription; one Graph no longer has is created again.
    pub(super) async fn renew(&mut self, name: &str) -> Report {
        let mut report = Report::default();
        if !self.may_act(name).await {
            return report;
        }
        let Some(slot) = self.slots.get_mut(name) else {
            return report;
        };
        let Some(held) = slot.subscription.as_mut() else {
            return report;
        };
        match subscription::renew(&slot.identity, &self.settings, held).await {
            Ok(true) => report.actions.push((name.to_owned(), Action::Renewed)),
            Ok(false) => return self.recreate(name).await,
            Err(error) => report.failures.push(error),
        }
        report
    }

    /// The identity's subscription is alive but quiet: deleted (Graph would answer a create
    /// with `409` while it exists, and the create would adopt it again), then made again and
    /// its users read. A failed delete keeps it, to judge at the next pass.
    pub(super) async fn replace(&mut self, name: &str) -> Report {
        let mut report = Report::default();
        if !self.may_act(name).await {
            return report;
        }
        let Some(slot) = self.slots.get(name) else {
            return report;
        };
        if let Some(held) = &slot.subscription
            && let Err(error) = subscription::delete(&slot.identity, &self.settings, &held.id).await
        {
            report.failures.push(error);
            return report;
        }
        report.merge(self.recreate(name).await);
        report
    }

    /// The identity's subscription is gone: made again, its users read.
    pub(super) async fn recreate(&mut self, name: &str) -> Report {
        if let Some(slot) = self.slots.get_mut(name) {
            slot.subscription = None;
            slot.retry_at = None;
        }
        let mut report = self.converge(&BTreeSet::from([name.to_owned()])).await;
        for (identity, action) in &mut report.actions {
            if identity == name && *action == Action::Created {
                *action = Action::Recreated;
            }
        }
        report
    }

    pub(super) async fn lifecycle(
        &mut self,
        subscription_id: &str,
        event: &LifecycleEventType,
    ) -> Report {
        let Some(name) = self
            .slots
            .iter()
            .find(|(_, s)| {
                s.subscription
                    .as_ref()
                    .is_some_and(|h| h.id == subscription_id)
            })
            .map(|(name, _)| name.clone())
        else {
            tracing::warn!(
                subscription_id = %crate::error::cut(subscription_id),
                "presence mirror: lifecycle notification for a subscription not held"
            );
            return Report::default();
        };
        // Owned by another instance: that one acts (reads can be made anywhere).
        let owned = self.slots.get(&name).is_some_and(|s| s.lease.owned());
        match event {
            LifecycleEventType::SubscriptionRemoved if !owned => {
                self.ask_owner(&name, "recreate").await
            }
            LifecycleEventType::ReauthorizationRequired if !owned => {
                self.ask_owner(&name, "reauthorize").await
            }
            LifecycleEventType::SubscriptionRemoved => self.recreate(&name).await,
            LifecycleEventType::Missed => {
                let users = self.users_of(subscription_id);
                self.read(users).await
            }
            LifecycleEventType::ReauthorizationRequired => {
                let mut report = Report::default();
                if !self.may_act(&name).await {
                    return report;
                }
                let Some(slot) = self.slots.get_mut(&name) else {
                    return report;
                };
                let Some(held) = slot.subscription.as_mut() else {
                    return report;
                };
                match subscription::reauthorize(&slot.identity, &self.settings, held).await {
                    Ok(true) => report.actions.push((name, Action::Reauthorized)),
                    Ok(false) => return self.recreate(&name).await,
                    Err(error) => report.failures.push(error),
                }
                report
            }
            other => {
                tracing::warn!(event = ?other, "presence mirror: lifecycle event not known");
                Report::default()
            }
        }
    }
}
