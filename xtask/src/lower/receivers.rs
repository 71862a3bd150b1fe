//! Webhooks and callbacks → [`model::Receiver`](crate::model::Receiver)s: each operation of
//! their path items lowered as the document's own are, at its route (made unique among the
//! receivers), with an operationId made from its name where the document gives none.

use super::Lowering;
use crate::model::{HttpMethod, Operation, Param, PathTemplate, Receiver, ReceiverKind};
use crate::names::{Case, Scope};
use crate::openapi::{Location, PathItem};
use std::collections::{BTreeMap, BTreeSet};

impl Lowering<'_> {
    /// The webhooks, then each operation's callbacks, in document order. `operations` are the
    /// document's own, whose ids the receivers' made ids avoid.
    pub(super) fn receivers(&mut self, operations: &[Operation]) -> Vec<Receiver> {
        let doc = self.doc;
        let mut sources: Vec<(ReceiverKind, &PathItem)> = doc
            .webhooks
            .iter()
            .map(|w| {
                (
                    ReceiverKind::Webhook {
                        name: w.name.clone(),
                    },
                    &w.item,
                )
            })
            .collect();
        for view in doc.paths.iter().flat_map(|item| &item.operations) {
            // An operation that was not lowered (reported) has no receivers either.
            let Some(parent) = self.operation_ids.get(&view.pointer) else {
                continue;
            };
            for callback in &view.callbacks {
                let kind = ReceiverKind::Callback {
                    operation_id: parent.clone(),
                    name: callback.name.clone(),
                    expression: callback.expression.clone(),
                };
                sources.push((kind, &callback.item));
            }
        }
        let declared = sources
            .iter()
            .flat_map(|(_, item)| &item.operations)
            .filter_map(|op| op.operation_id.as_deref());
        let mut made_ids = Scope::with_taken(
            operations
                .iter()
                .map(|o| o.operation_id.as_str())
                .chain(declared),
        );
        let mut ids: BTreeMap<String, String> = operations
            .iter()
            .map(|o| (o.operation_id.clone(), String::new()))
            .collect();
        let mut routes = Routes::default();
        let mut receivers = Vec::new();
        for (kind, item) in sources {
            let shared: Vec<(Param, Location)> = item
                .parameters
                .iter()
                .filter_map(|p| self.parameter_use(p))
                .collect();
            for view in &item.operations {
                let id = match &view.operation_id {
                    Some(id) => id.clone(),
                    None => {
                        let base = match &kind {
                            ReceiverKind::Webhook { name } => name.clone(),
                            ReceiverKind::Callback {
                                operation_id, name, ..
                            } => format!("{operation_id}_{name}"),
                        };
                        let id = match item.operations.len() {
                            1 => base,
                            _ => format!("{base}_{}", view.method.key()),
                        };
                        made_ids.unique(&id, Case::Pascal)
                    }
                };
                if let Some(first) = ids.get(&id) {
                    let first = match first.is_empty() {
                        true => "by an operation of `paths`".to_owned(),
                        false => format!("at {first}"),
                    };
                    self.report.problem(
                        &format!("{}/operationId", view.pointer),
                        format!("duplicate operationId `{id}` (first used {first})"),
                    );
                    continue;
                }
                ids.insert(id.clone(), view.pointer.clone());
                let route = routes.claim(&item.path, view.method);
                if route != item.path {
                    self.report.warning(
                        &view.pointer,
                        format!(
                            "route `{} {}` is another receiver's: this one is routed at `{}`",
                            view.method, item.path, route
                        ),
                    );
                }
                if let Some(operation) = self.operation(view, &route, &shared, id) {
                    receivers.push(Receiver {
                        kind: kind.clone(),
                        operation,
                    });
                }
            }
        }
        receivers
    }
}

/// The routes taken so far, by method.
#[derive(Default)]
struct Routes(BTreeSet<(String, HttpMethod)>);

impl Routes {
    /// `route` for `method`, or, when another receiver has it, the same with its first
    /// segment numbered (`/onData-2/data`).
    fn claim(&mut self, route: &PathTemplate, method: HttpMethod) -> PathTemplate {
        let text = route.as_str();
        let mut candidate = text.to_owned();
        let mut n = 1;
        while self.0.contains(&(candidate.clone(), method)) {
            n += 1;
            let rest = text.trim_start_matches('/');
            let (first, after) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            candidate = format!("/{first}-{n}{after}");
        }
        self.0.insert((candidate.clone(), method));
        PathTemplate::parse(&candidate).0
    }
}
