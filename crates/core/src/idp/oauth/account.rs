//! The managed login pages' account forms: sign-up and its confirmation code (which, in the
//! browser that signed up, signs the user in), a new code, and a forgotten password. Each
//! makes the request an app would make (SignUp, ConfirmSignUp, ResendConfirmationCode,
//! ForgotPassword, ConfirmForgotPassword), held to the model's constraints as an app's is, so
//! triggers, messages and errors are the API's own.

use crate::idp::lookup::{find_user, load_pool};
use crate::idp::oauth::authorize::Checked;
use crate::idp::oauth::{HostedStep, View, as_sent, shown};
use crate::idp::selfservice;
use crate::idp::service::UserPools;
use crate::store::AuthSession;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use std::collections::BTreeMap;

/// A sign-up in this browser, waiting for its code: its row's id is the confirm page's ticket.
const SIGN_UP: &str = "HOSTED_SIGN_UP";
/// As long as a sign-up code is valid (24 hours: ConfirmSignUp, API reference).
const SIGN_UP_SECONDS: f64 = 24.0 * 3600.0;

/// "We have sent a code by email to a***@e***." for a code's delivery.
fn sent(details: Option<&CodeDeliveryDetailsType>) -> Option<String> {
    let d = details?;
    let how = match d.delivery_medium {
        Some(DeliveryMediumType::Sms) => "SMS",
        _ => "email",
    };
    Some(format!("We have sent a code by {how} to {}.", d.destination.clone().unwrap_or_default()))
}

impl UserPools {
    /// The sign-up form for the client's pool: the username (or the attribute users sign in
    /// with), the password, and every other required attribute.
    pub(super) fn sign_up_view(
        &self,
        c: &Checked,
        username: String,
        values: BTreeMap<String, String>,
    ) -> Result<View, ApiError> {
        let (pool, terms) = self.tx(|tx| {
            let pool = load_pool(tx, &c.pool_id)?;
            // The pages are in English: its links, else the default ones.
            let terms = crate::idp::terms::sign_up_links(tx, &c.pool_id, &c.grant.client_id, "cognito:english")?;
            Ok((pool, terms))
        })?;
        let kinds = pool.username_attributes.clone().unwrap_or_default();
        let (username_label, as_username) = match kinds.as_slice() {
            [] => ("Username", None),
            [UsernameAttributeType::PhoneNumber] => ("Phone number", Some("phone_number")),
            _ => ("Email", Some("email")),
        };
        let attributes = crate::idp::pools::required_attributes(&pool)
            .filter(|n| Some(*n) != as_username)
            .map(str::to_string)
            .collect();
        Ok(View::SignUp { username_label: username_label.into(), attributes, username, values, terms })
    }

    pub(super) fn hosted_sign_up(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        username: &str,
        password: &str,
        attributes: Vec<(String, String)>,
    ) -> Result<HostedStep, ApiError> {
        let values: BTreeMap<String, String> = attributes.iter().cloned().collect();
        let request = SignUpRequest {
            client_id: c.grant.client_id.clone(),
            secret_hash: self.page_secret_hash(c, username),
            username: username.to_string(),
            password: Some(password.to_string()),
            user_attributes: Some(
                attributes.into_iter().map(|(name, value)| AttributeType { name, value: Some(value) }).collect(),
            ),
            ..Default::default()
        };
        let signed_up = as_sent("SignUp", request).and_then(|r| selfservice::sign_up(self, ctx, r));
        let made = match signed_up {
            Ok(made) => made,
            Err(e) => {
                let view = self.sign_up_view(c, username.to_string(), values)?;
                return self.page_saying(c, view, Some(shown(e)?), None);
            }
        };
        let now = self.now();
        let user = self.tx(|tx| {
            let pool = load_pool(tx, &c.pool_id)?;
            Ok(find_user(tx, &pool, username)?.filter(|u| u.sub == made.user_sub))
        })?;
        let Some(user) = user else {
            return Err(ApiError::internal_error("the user signed up is not there"));
        };
        // A user a PreSignUp trigger confirmed is signed in at once.
        if made.user_confirmed {
            return self.signed_in(ctx, c, &user);
        }
        let mut raw = [0u8; 32];
        self.rng.fill(&mut raw);
        let ticket = URL_SAFE_NO_PAD.encode(raw);
        self.tx(|tx| {
            self.store_session(
                tx,
                &AuthSession {
                    id: ticket.clone(),
                    pool_id: c.pool_id.clone(),
                    client_id: c.grant.client_id.clone(),
                    user_key: user.key.clone(),
                    sub: user.sub.clone(),
                    challenge: SIGN_UP.into(),
                    expires: now + SIGN_UP_SECONDS,
                    state: serde_json::Value::Null,
                },
            )
        })?;
        let destination = made.code_delivery_details.as_ref().and_then(|d| d.destination.clone());
        let view = View::Confirm { username: username.to_string(), destination, ticket: Some(ticket) };
        self.page_saying(c, view, None, sent(made.code_delivery_details.as_ref()))
    }

    pub(super) fn hosted_confirm(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        username: &str,
        code: &str,
        ticket: Option<String>,
    ) -> Result<HostedStep, ApiError> {
        let request = ConfirmSignUpRequest {
            client_id: c.grant.client_id.clone(),
            secret_hash: self.page_secret_hash(c, username),
            username: username.to_string(),
            confirmation_code: code.to_string(),
            ..Default::default()
        };
        if let Err(e) = as_sent("ConfirmSignUp", request).and_then(|r| selfservice::confirm_sign_up(self, r)) {
            let view = View::Confirm { username: username.to_string(), destination: None, ticket };
            return self.page_saying(c, view, Some(shown(e)?), None);
        }
        // Signed in only in the browser that signed up: its ticket names this very user.
        let now = self.now();
        let user = self.tx(|tx| {
            let Some(id) = ticket.as_deref() else { return Ok(None) };
            let Some(row) = tx.session(id)?.filter(|s| s.challenge == SIGN_UP) else { return Ok(None) };
            tx.delete_session(id)?;
            if row.pool_id != c.pool_id || row.expires < now {
                return Ok(None);
            }
            let pool = load_pool(tx, &c.pool_id)?;
            Ok(find_user(tx, &pool, username)?.filter(|u| u.key == row.user_key && u.sub == row.sub && u.enabled))
        })?;
        match user {
            Some(user) => self.signed_in(ctx, c, &user),
            None => {
                let view = View::SignIn { username: username.to_string() };
                self.page_saying(c, view, None, Some("Your account is confirmed. Sign in to continue.".into()))
            }
        }
    }

    /// A new sign-up code, and the confirm page again.
    pub(super) fn hosted_resend(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        username: &str,
        ticket: Option<String>,
    ) -> Result<HostedStep, ApiError> {
        let request = ResendConfirmationCodeRequest {
            client_id: c.grant.client_id.clone(),
            secret_hash: self.page_secret_hash(c, username),
            username: username.to_string(),
            ..Default::default()
        };
        let resent = as_sent("ResendConfirmationCode", request)
            .and_then(|r| selfservice::resend_confirmation_code(self, ctx, r));
        let (details, error) = match resent {
            Ok(r) => (r.code_delivery_details, None),
            Err(e) => (None, Some(shown(e)?)),
        };
        let destination = details.as_ref().and_then(|d| d.destination.clone());
        let view = View::Confirm { username: username.to_string(), destination, ticket };
        self.page_saying(c, view, error, sent(details.as_ref()))
    }

    pub(super) fn hosted_forgot(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        username: &str,
    ) -> Result<HostedStep, ApiError> {
        let request = ForgotPasswordRequest {
            client_id: c.grant.client_id.clone(),
            secret_hash: self.page_secret_hash(c, username),
            username: username.to_string(),
            ..Default::default()
        };
        match as_sent("ForgotPassword", request).and_then(|r| selfservice::forgot_password(self, ctx, r)) {
            Ok(r) => {
                let destination = r.code_delivery_details.as_ref().and_then(|d| d.destination.clone());
                let view = View::ConfirmForgotPassword { username: username.to_string(), destination };
                self.page_saying(c, view, None, sent(r.code_delivery_details.as_ref()))
            }
            Err(e) => self.page_saying(c, View::ForgotPassword, Some(shown(e)?), None),
        }
    }

    pub(super) fn hosted_confirm_forgot(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        username: &str,
        code: &str,
        password: &str,
        confirm: &str,
    ) -> Result<HostedStep, ApiError> {
        let again = View::ConfirmForgotPassword { username: username.to_string(), destination: None };
        if password != confirm {
            return self.page_saying(c, again, Some("Passwords do not match.".into()), None);
        }
        let request = ConfirmForgotPasswordRequest {
            client_id: c.grant.client_id.clone(),
            secret_hash: self.page_secret_hash(c, username),
            username: username.to_string(),
            confirmation_code: code.to_string(),
            password: password.to_string(),
            ..Default::default()
        };
        match as_sent("ConfirmForgotPassword", request).and_then(|r| selfservice::confirm_forgot_password(self, ctx, r))
        {
            Ok(_) => {
                let view = View::SignIn { username: username.to_string() };
                self.page_saying(c, view, None, Some("Your password has been changed. Sign in with it.".into()))
            }
            Err(e) => self.page_saying(c, again, Some(shown(e)?), None),
        }
    }
}
