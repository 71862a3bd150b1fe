//! The presence schema's operations, answered as Graph answers them: the generated `Api`
//! trait implemented over the emulator's state. Every request is authenticated, checked
//! against the permission its operation names (`x-graph-permissions`), and counted against the
//! throttle before it acts; each change it makes reaches the subscriptions covering the user.

use crate::emulator::Shared;
use crate::identity::{self, Identity};
use crate::presence::PresenceError;
use crate::subscriptions::{self, Record};
use crate::throttle::Class;
use graph_presence_models::{
    GetPresencesByUserIdResponse, Nullable, Presence, PresenceCollectionResponse, Subscription,
    SubscriptionCollectionResponse,
};
use graph_presence_server::*;
use jiff::Timestamp;
use std::sync::Arc;

mod steps;
use steps::{filter_ids, subscription_view};

/// The most ids one getPresencesByUserId request may ask for.
const MAX_IDS: usize = 650;

/// The emulator as an implementation of the generated `Api`.
#[derive(Clone)]
pub(crate) struct EmulatorApi(pub Arc<Shared>);

/// Who is calling, and when.
struct Caller {
    identity: Identity,
    now: Timestamp,
}

/// Which user an operation's path names.
enum Target<'a> {
    /// `/me/…`: the signed-in user.
    Me,
    /// `/users/{id}/…` or `/communications/presences/{id}/…`.
    Id(&'a str),
}

impl From<PresenceError> for Failure {
    fn from(error: PresenceError) -> Failure {
        match error {
            PresenceError::BadRequest(message) => Failure::bad_request(message),
            PresenceError::NotFound(message) => Failure::new(404, "NotFound", message),
        }
    }
}

/// A success with no body.
macro_rules! done {
    ($response:ident) => {
        Ok($response::Success { status: 200 })
    };
}

impl Api for EmulatorApi {
    async fn me_get_presence(
        &self,
        request: MeGetPresenceRequest,
        context: Context,
    ) -> Result<MeGetPresenceResponse, Failure> {
        let body = self.read(&context, Target::Me, request.select.as_deref())?;
        Ok(MeGetPresenceResponse::Success { status: 200, body })
    }

    async fn user_get_presence(
        &self,
        request: UserGetPresenceRequest,
        context: Context,
    ) -> Result<UserGetPresenceResponse, Failure> {
        let target = Target::Id(&request.user_id);
        let body = self.read(&context, target, request.select.as_deref())?;
        Ok(UserGetPresenceResponse::Success { status: 200, body })
    }

    async fn communications_get_presence(
        &self,
        request: CommunicationsGetPresenceRequest,
        context: Context,
    ) -> Result<CommunicationsGetPresenceResponse, Failure> {
        let target = Target::Id(&request.presence_id);
        let body = self.read(&context, target, request.select.as_deref())?;
        Ok(CommunicationsGetPresenceResponse::Success { status: 200, body })
    }

    async fn communications_list_presences(
        &self,
        request: CommunicationsListPresencesRequest,
        context: Context,
    ) -> Result<CommunicationsListPresencesResponse, Failure> {
        let caller = self.enter(&context)?;
        let ids = request
            .filter
            .as_deref()
            .and_then(filter_ids)
            .ok_or_else(|| {
                Failure::bad_request(
                    "Listing presences needs $filter=id in ('{id}', …): Graph does not list a tenant's presences.",
                )
            })?;
        let value = self.presences(&caller, &ids, request.select.as_deref())?;
        let mut body = PresenceCollectionResponse::new();
        body.value = Some(value);
        Ok(CommunicationsListPresencesResponse::Success { status: 200, body })
    }

    async fn communications_get_presences_by_user_id(
        &self,
        request: CommunicationsGetPresencesByUserIdRequest,
        context: Context,
    ) -> Result<CommunicationsGetPresencesByUserIdResponse, Failure> {
        let caller = self.enter(&context)?;
        let value = self.presences(&caller, &request.body.ids, None)?;
        let mut body = GetPresencesByUserIdResponse::new();
        body.value = Some(value);
        Ok(CommunicationsGetPresencesByUserIdResponse::Success { status: 200, body })
    }

    async fn me_presence_set_presence(
        &self,
        request: MePresenceSetPresenceRequest,
        context: Context,
    ) -> Result<MePresenceSetPresenceResponse, Failure> {
        self.set_presence(&context, Target::Me, &request.body)?;
        done!(MePresenceSetPresenceResponse)
    }

    async fn user_presence_set_presence(
        &self,
        request: UserPresenceSetPresenceRequest,
        context: Context,
    ) -> Result<UserPresenceSetPresenceResponse, Failure> {
        self.set_presence(&context, Target::Id(&request.user_id), &request.body)?;
        done!(UserPresenceSetPresenceResponse)
    }

    async fn me_presence_clear_presence(
        &self,
        request: MePresenceClearPresenceRequest,
        context: Context,
    ) -> Result<MePresenceClearPresenceResponse, Failure> {
        self.clear_presence(&context, Target::Me, request.body.session_id.as_option())?;
        done!(MePresenceClearPresenceResponse)
    }

    async fn user_presence_clear_presence(
        &self,
        request: UserPresenceClearPresenceRequest,
        context: Context,
    ) -> Result<UserPresenceClearPresenceResponse, Failure> {
        let target = Target::Id(&request.user_id);
        self.clear_presence(&context, target, request.body.session_id.as_option())?;
        done!(UserPresenceClearPresenceResponse)
    }

    async fn me_presence_set_user_preferred_presence(
        &self,
        request: MePresenceSetUserPreferredPresenceRequest,
        context: Context,
    ) -> Result<MePresenceSetUserPreferredPresenceResponse, Failure> {
        let body = &request.body;
        self.act(&context, Target::Me, |user, caller| {
            let expiration = body.expiration_duration.as_option();
            user.set_user_preferred_presence(
                &body.availability,
                &body.activity,
                expiration,
                caller.now,
            )
        })?;
        done!(MePresenceSetUserPreferredPresenceResponse)
    }

    async fn user_presence_set_user_preferred_presence(
        &self,
        request: UserPresenceSetUserPreferredPresenceRequest,
        context: Context,
    ) -> Result<UserPresenceSetUserPreferredPresenceResponse, Failure> {
        let body = &request.body;
        self.act(&context, Target::Id(&request.user_id), |user, caller| {
            let expiration = body.expiration_duration.as_option();
            user.set_user_preferred_presence(
                &body.availability,
                &body.activity,
                expiration,
                caller.now,
            )
        })?;
        done!(UserPresenceSetUserPreferredPresenceResponse)
    }

    async fn me_presence_clear_user_preferred_presence(
        &self,
        _request: MePresenceClearUserPreferredPresenceRequest,
        context: Context,
    ) -> Result<MePresenceClearUserPreferredPresenceResponse, Failure> {
        self.act(&context, Target::Me, |user, caller| {
            user.clear_user_preferred_presence(caller.now);
            Ok(())
        })?;
        done!(MePresenceClearUserPreferredPresenceResponse)
    }

    async fn user_presence_clear_user_preferred_presence(
        &self,
        request: UserPresenceClearUserPreferredPresenceRequest,
        context: Context,
    ) -> Result<UserPresenceClearUserPreferredPresenceResponse, Failure> {
        self.act(&context, Target::Id(&request.user_id), |user, caller| {
            user.clear_user_preferred_presence(caller.now);
            Ok(())
        })?;
        done!(UserPresenceClearUserPreferredPresenceResponse)
    }

    async fn me_presence_set_status_message(
        &self,
        request: MePresenceSetStatusMessageRequest,
        context: Context,
    ) -> Result<MePresenceSetStatusMessageResponse, Failure> {
        let message = request.body.status_message.as_option();
        self.act(&context, Target::Me, |user, caller| {
            user.set_status_message(message, caller.now)
        })?;
        done!(MePresenceSetStatusMessageResponse)
    }

    async fn user_presence_set_status_message(
        &self,
        request: UserPresenceSetStatusMessageRequest,
        context: Context,
    ) -> Result<UserPresenceSetStatusMessageResponse, Failure> {
        let message = request.body.status_message.as_option();
        self.act(&context, Target::Id(&request.user_id), |user, caller| {
            user.set_status_message(message, caller.now)
        })?;
        done!(UserPresenceSetStatusMessageResponse)
    }

    async fn me_presence_set_automatic_location(
        &self,
        request: MePresenceSetAutomaticLocationRequest,
        context: Context,
    ) -> Result<MePresenceSetAutomaticLocationResponse, Failure> {
        let body = &request.body;
        self.act(&context, Target::Me, |user, caller| {
            user.set_automatic_location(
                &body.work_location_type,
                body.place_id.as_option().map(String::as_str),
                caller.now,
            )
        })?;
        done!(MePresenceSetAutomaticLocationResponse)
    }

    async fn user_presence_set_automatic_location(
        &self,
        request: UserPresenceSetAutomaticLocationRequest,
        context: Context,
    ) -> Result<UserPresenceSetAutomaticLocationResponse, Failure> {
        let body = &request.body;
        self.act(&context, Target::Id(&request.user_id), |user, caller| {
            user.set_automatic_location(
                &body.work_location_type,
                body.place_id.as_option().map(String::as_str),
                caller.now,
            )
        })?;
        done!(UserPresenceSetAutomaticLocationResponse)
    }

    async fn communications_presence_set_automatic_location(
        &self,
        request: CommunicationsPresenceSetAutomaticLocationRequest,
        context: Context,
    ) -> Result<CommunicationsPresenceSetAutomaticLocationResponse, Failure> {
        let body = &request.body;
        self.act(
            &context,
            Target::Id(&request.presence_id),
            |user, caller| {
                user.set_automatic_location(
                    &body.work_location_type,
                    body.place_id.as_option().map(String::as_str),
                    caller.now,
                )
            },
        )?;
        done!(CommunicationsPresenceSetAutomaticLocationResponse)
    }

    async fn me_presence_set_manual_location(
        &self,
        request: MePresenceSetManualLocationRequest,
        context: Context,
    ) -> Result<MePresenceSetManualLocationResponse, Failure> {
        let body = &request.body;
        self.act(&context, Target::Me, |user, caller| {
            user.set_manual_location(
                &body.work_location_type,
                body.place_id.as_option().map(String::as_str),
                caller.now,
            )
        })?;
        done!(MePresenceSetManualLocationResponse)
    }

    async fn user_presence_set_manual_location(
        &self,
        request: UserPresenceSetManualLocationRequest,
        context: Context,
    ) -> Result<UserPresenceSetManualLocationResponse, Failure> {
        let body = &request.body;
        self.act(&context, Target::Id(&request.user_id), |user, caller| {
            user.set_manual_location(
                &body.work_location_type,
                body.place_id.as_option().map(String::as_str),
                caller.now,
            )
        })?;
        done!(UserPresenceSetManualLocationResponse)
    }

    async fn communications_presence_set_manual_location(
        &self,
        request: CommunicationsPresenceSetManualLocationRequest,
        context: Context,
    ) -> Result<CommunicationsPresenceSetManualLocationResponse, Failure> {
        let body = &request.body;
        self.act(
            &context,
            Target::Id(&request.presence_id),
            |user, caller| {
                user.set_manual_location(
                    &body.work_location_type,
                    body.place_id.as_option().map(String::as_str),
                    caller.now,
                )
            },
        )?;
        done!(CommunicationsPresenceSetManualLocationResponse)
    }

    async fn me_presence_clear_automatic_location(
        &self,
        _request: MePresenceClearAutomaticLocationRequest,
        context: Context,
    ) -> Result<MePresenceClearAutomaticLocationResponse, Failure> {
        self.act(&context, Target::Me, |user, _| {
            user.clear_automatic_location();
            Ok(())
        })?;
        done!(MePresenceClearAutomaticLocationResponse)
    }

    async fn user_presence_clear_automatic_location(
        &self,
        request: UserPresenceClearAutomaticLocationRequest,
        context: Context,
    ) -> Result<UserPresenceClearAutomaticLocationResponse, Failure> {
        self.act(&context, Target::Id(&request.user_id), |user, _| {
            user.clear_automatic_location();
            Ok(())
        })?;
        done!(UserPresenceClearAutomaticLocationResponse)
    }

    async fn communications_presence_clear_automatic_location(
        &self,
        request: CommunicationsPresenceClearAutomaticLocationRequest,
        context: Context,
    ) -> Result<CommunicationsPresenceClearAutomaticLocationResponse, Failure> {
        self.act(&context, Target::Id(&request.presence_id), |user, _| {
            user.clear_automatic_location();
            Ok(())
        })?;
        done!(CommunicationsPresenceClearAutomaticLocationResponse)
    }

    async fn me_presence_clear_location(
        &self,
        _request: MePresenceClearLocationRequest,
        context: Context,
    ) -> Result<MePresenceClearLocationResponse, Failure> {
        self.act(&context, Target::Me, |user, _| {
            user.clear_location();
            Ok(())
        })?;
        done!(MePresenceClearLocationResponse)
    }

    async fn user_presence_clear_location(
        &self,
        request: UserPresenceClearLocationRequest,
        context: Context,
    ) -> Result<UserPresenceClearLocationResponse, Failure> {
        self.act(&context, Target::Id(&request.user_id), |user, _| {
            user.clear_location();
            Ok(())
        })?;
        done!(UserPresenceClearLocationResponse)
    }

    async fn communications_presence_clear_location(
        &self,
        request: CommunicationsPresenceClearLocationRequest,
        context: Context,
    ) -> Result<CommunicationsPresenceClearLocationResponse, Failure> {
        self.act(&context, Target::Id(&request.presence_id), |user, _| {
            user.clear_location();
            Ok(())
        })?;
        done!(CommunicationsPresenceClearLocationResponse)
    }

    async fn subscription_list_subscription(
        &self,
        _request: SubscriptionListSubscriptionRequest,
        context: Context,
    ) -> Result<SubscriptionListSubscriptionResponse, Failure> {
        let caller = self.enter(&context)?;
        let value = self
            .0
            .state()
            .subscriptions
            .of_app(&caller.identity.app_id)
            .map(subscription_view)
            .collect::<Result<Vec<_>, _>>()?;
        let mut body = SubscriptionCollectionResponse::new();
        body.value = Some(value);
        Ok(SubscriptionListSubscriptionResponse::Success { status: 200, body })
    }

    async fn subscription_create_subscription(
        &self,
        request: SubscriptionCreateSubscriptionRequest,
        context: Context,
    ) -> Result<SubscriptionCreateSubscriptionResponse, Failure> {
        let caller = self.enter(&context)?;
        let creator = Self::subscriber(&caller)?.to_owned();
        let body = &request.body;
        let expires = body
            .expiration_date_time
            .instant()
            .map_err(|e| Failure::bad_request(format!("expirationDateTime: {e}")))?;
        let certificate = match (
            body.encryption_certificate.as_option(),
            body.encryption_certificate_id.as_option(),
        ) {
            (Some(certificate), Some(id)) => Some(crate::emulator::certificate(certificate, id)?),
            _ => None,
        };
        let new = {
            let state = self.0.state();
            if state
                .subscriptions
                .held_by(&caller.identity.tenant, &caller.identity.app_id, &creator)
                .is_some()
            {
                return Err(Failure::new(
                    409,
                    "ExtensionError",
                    subscriptions::CONFLICT_MESSAGE,
                ));
            }
            state.subscriptions.check_create(
                &state.directory,
                caller.now,
                &body.resource,
                &body.change_type,
                &body.notification_url,
                body.lifecycle_notification_url
                    .as_option()
                    .map(String::as_str),
                body.client_state.as_option().map(String::as_str),
                expires,
                certificate,
                body.include_resource_data
                    .as_option()
                    .copied()
                    .unwrap_or(false),
            )?
        };
        self.0.validate_endpoints(&new).await?;
        let record = Record {
            id: uuid::Uuid::new_v4().to_string(),
            tenant: caller.identity.tenant.clone(),
            app_id: caller.identity.app_id.clone(),
            creator,
            resource: new.resource,
            users: new.users,
            notification_url: new.notification_url,
            lifecycle_url: new.lifecycle_url,
            client_state: new.client_state,
            expires: new.expires,
            certificate: new.certificate,
            token_expires: caller.identity.expires,
            reauthorization_sent: false,
        };
        let body = {
            let mut state = self.0.state();
            subscription_view(state.subscriptions.insert(record)?)?
        };
        self.0.wake();
        Ok(SubscriptionCreateSubscriptionResponse::Success { status: 201, body })
    }

    async fn subscription_get_subscription(
        &self,
        request: SubscriptionGetSubscriptionRequest,
        context: Context,
    ) -> Result<SubscriptionGetSubscriptionResponse, Failure> {
        let caller = self.enter(&context)?;
        let state = self.0.state();
        let record = state
            .subscriptions
            .get(&caller.identity.app_id, &request.subscription_id)?;
        let body = subscription_view(record)?;
        Ok(SubscriptionGetSubscriptionResponse::Success { status: 200, body })
    }

    async fn subscription_delete_subscription(
        &self,
        request: SubscriptionDeleteSubscriptionRequest,
        context: Context,
    ) -> Result<SubscriptionDeleteSubscriptionResponse, Failure> {
        let caller = self.enter(&context)?;
        self.0
            .state()
            .subscriptions
            .delete(&caller.identity.app_id, &request.subscription_id)?;
        Ok(SubscriptionDeleteSubscriptionResponse::Success { status: 204 })
    }

    async fn subscription_update_subscription(
        &self,
        request: SubscriptionUpdateSubscriptionRequest,
        context: Context,
    ) -> Result<SubscriptionUpdateSubscriptionResponse, Failure> {
        let caller = self.enter(&context)?;
        let expires = request
            .body
            .expiration_date_time
            .instant()
            .map_err(|e| Failure::bad_request(format!("expirationDateTime: {e}")))?;
        if let Some(url) = &request.body.notification_url {
            self.0.validate_url(url).await?;
        }
        let body = {
            let mut state = self.0.state();
            let record = state.subscriptions.renew(
                &caller.identity.app_id,
                &request.subscription_id,
                caller.now,
                expires,
                request.body.notification_url.clone(),
            )?;
            subscription_view(record)?
        };
        self.0.wake();
        Ok(SubscriptionUpdateSubscriptionResponse::Success { status: 200, body })
    }

    async fn subscription_reauthorize(
        &self,
        request: SubscriptionReauthorizeRequest,
        context: Context,
    ) -> Result<SubscriptionReauthorizeResponse, Failure> {
        let caller = self.enter(&context)?;
        self.0.state().subscriptions.reauthorize(
            &caller.identity.app_id,
            &request.subscription_id,
            caller.identity.expires,
        )?;
        self.0.wake();
        Ok(SubscriptionReauthorizeResponse::Success { status: 200 })
    }
}
