//! The managed login pages' sign-in: `/oauth2/authorize` with no provider named, `/login`
//! (the form, and a browser still signed in skipping it), and the challenges a sign-in may
//! meet on the way (a new password, an MFA code, a choice of factor, an authenticator to set
//! up). The pages sign in through the API's own steps (`signin::begin`, `signin::answer`),
//! which end here in [`Answer::SignedIn`] instead of tokens: PostAuthentication runs, the
//! browser gets its session, the app gets a code (or, for the implicit grant, tokens).

use crate::env::RandomExt as _;
use crate::idp::branding::ui_customization_of;
use crate::idp::clients::secret_hash;
use crate::idp::lookup::load_pool;
use crate::idp::oauth::authorize::{Checked, check_request};
use crate::idp::oauth::{AuthorizeRequest, CODE, FLOW_SECONDS, Grant, HostedAnswer, redirect_error, refusal, to_app};
use crate::idp::oauth::{Form, HostedStep, Page, PageKind, View, shown};
use crate::idp::service::UserPools;
use crate::idp::signin::{self, Answer, Challenge};
use crate::store::{AuthSession, UserRecord};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde_json::json;
use std::collections::BTreeMap;

/// The field a code is answered in, by challenge.
fn code_key(challenge: ChallengeNameType) -> Option<&'static str> {
    match challenge {
        ChallengeNameType::SmsMfa => Some("SMS_MFA_CODE"),
        ChallengeNameType::SoftwareTokenMfa => Some("SOFTWARE_TOKEN_MFA_CODE"),
        ChallengeNameType::EmailOtp => Some("EMAIL_OTP_CODE"),
        _ => None,
    }
}

/// Whether the client signs users in with the pool's own passwords (it lists `COGNITO`): only
/// then do the pages' forms serve it.
fn lists_cognito(c: &Checked) -> bool {
    c.client.supported_identity_providers.iter().flatten().any(|p| p == "COGNITO")
}

/// Cognito's page for a way of signing in the client does not offer.
fn not_available() -> HostedStep {
    HostedStep::Go(refusal("Login option is not available. Please try another one"))
}

impl UserPools {
    /// `page` with what every page of this client shows around its form.
    pub(super) fn page(&self, c: &Checked, view: View) -> Result<HostedStep, ApiError> {
        let client_id = c.grant.client_id.as_str();
        let (pool, look) =
            self.tx(|tx| Ok((load_pool(tx, &c.pool_id)?, ui_customization_of(tx, &c.pool_id, Some(client_id))?)))?;
        let listed = c.client.supported_identity_providers.clone().unwrap_or_default();
        let logo = look.as_ref().and_then(|l| l.image.as_ref()).map(|image| {
            let kind = if image.starts_with("/9j/") { "image/jpeg" } else { "image/png" };
            format!("data:{kind};base64,{image}")
        });
        Ok(HostedStep::Show(Box::new(Page {
            view,
            error: None,
            notice: None,
            providers: listed.iter().filter(|p| p.as_str() != "COGNITO").cloned().collect(),
            password_sign_in: listed.iter().any(|p| p == "COGNITO"),
            sign_up: pool.admin_create_user_config.as_ref().and_then(|a| a.allow_admin_create_user_only) != Some(true),
            css: look.and_then(|l| l.css),
            logo,
        })))
    }

    /// [`UserPools::page`] with an error or a notice beside the form.
    pub(super) fn page_saying(
        &self,
        c: &Checked,
        view: View,
        error: Option<String>,
        notice: Option<String>,
    ) -> Result<HostedStep, ApiError> {
        let mut step = self.page(c, view)?;
        if let HostedStep::Show(page) = &mut step {
            page.error = error;
            page.notice = notice;
        }
        Ok(step)
    }

    /// The request's own checks, then `f`; a request that fails them answers where Cognito
    /// sends it.
    pub(super) fn checked(
        &self,
        req: &AuthorizeRequest,
        f: impl FnOnce(&Checked) -> Result<HostedStep, ApiError>,
    ) -> Result<HostedStep, ApiError> {
        match self.tx(|tx| check_request(tx, req))? {
            Ok(c) => f(&c),
            Err(answer) => Ok(HostedStep::Go(answer)),
        }
    }

    /// `/oauth2/authorize` naming no provider: straight back to the app if the browser is
    /// still signed in to the pool (unless `prompt=login`), else on to `/login`.
    pub(super) fn authorize_here(
        &self,
        ctx: &RequestContext,
        req: &AuthorizeRequest,
        browser: Option<&str>,
    ) -> Result<HostedStep, ApiError> {
        self.checked(req, |c| {
            if req.identity_provider.as_deref() == Some("COGNITO") && !lists_cognito(c) {
                return Ok(not_available());
            }
            let prompt = req.prompt.as_deref().unwrap_or_default();
            if prompt != "login"
                && let Some(user) = self.browser_user(&c.pool_id, browser)?
            {
                return self.issue_to_app(ctx, &c.grant, &c.pool_id, &user).map(HostedStep::Go);
            }
            if prompt == "none" {
                return Ok(HostedStep::Go(redirect_error(&c.grant, "login_required", None)));
            }
            Ok(HostedStep::Go(HostedAnswer::ToLogin))
        })
    }

    /// `GET` of a managed login page.
    pub fn hosted_page(
        &self,
        ctx: &RequestContext,
        req: AuthorizeRequest,
        kind: PageKind,
        browser: Option<&str>,
    ) -> Result<HostedStep, ApiError> {
        self.checked(&req, |c| match kind {
            PageKind::Login => {
                if req.prompt.as_deref() != Some("login")
                    && let Some(user) = self.browser_user(&c.pool_id, browser)?
                {
                    return self.issue_to_app(ctx, &c.grant, &c.pool_id, &user).map(HostedStep::Go);
                }
                self.page(c, View::SignIn { username: String::new() })
            }
            PageKind::SignUp | PageKind::Confirm { .. } | PageKind::ForgotPassword if !lists_cognito(c) => {
                Ok(not_available())
            }
            PageKind::SignUp => self.sign_up_view(c, String::new(), BTreeMap::new()).and_then(|v| self.page(c, v)),
            PageKind::Confirm { username } => self.page(c, View::Confirm { username, destination: None, ticket: None }),
            PageKind::ForgotPassword => self.page(c, View::ForgotPassword),
        })
    }

    /// `POST` of a managed login page's form.
    pub fn hosted_submit(
        &self,
        ctx: &RequestContext,
        req: AuthorizeRequest,
        form: Form,
    ) -> Result<HostedStep, ApiError> {
        self.checked(&req, |c| match form {
            _ if !lists_cognito(c) => Ok(not_available()),
            Form::SignIn { username, password } => self.hosted_sign_in(ctx, c, &username, &password),
            Form::Challenge(fields) => self.hosted_challenge(ctx, c, &fields),
            Form::SignUp { username, password, attributes } => {
                self.hosted_sign_up(ctx, c, &username, &password, attributes)
            }
            Form::Confirm { username, code, ticket } => self.hosted_confirm(ctx, c, &username, &code, ticket),
            Form::Resend { username, ticket } => self.hosted_resend(ctx, c, &username, ticket),
            Form::ForgotPassword { username } => self.hosted_forgot(ctx, c, &username),
            Form::ConfirmForgotPassword { username, code, password, confirm } => {
                self.hosted_confirm_forgot(ctx, c, &username, &code, &password, &confirm)
            }
        })
    }

    /// The SECRET_HASH the pages send for a client with a secret (they know it, as Cognito's do).
    pub(super) fn page_secret_hash(&self, c: &Checked, username: &str) -> Option<String> {
        let id = c.client.client_id.as_deref().unwrap_or_default();
        c.client.client_secret.as_deref().map(|secret| secret_hash(secret, username, id))
    }

    fn hosted_sign_in(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        username: &str,
        password: &str,
    ) -> Result<HostedStep, ApiError> {
        let mut params = BTreeMap::from([
            ("USERNAME".to_string(), username.to_string()),
            ("PASSWORD".to_string(), password.to_string()),
        ]);
        if let Some(hash) = self.page_secret_hash(c, username) {
            params.insert("SECRET_HASH".into(), hash);
        }
        let flow = AuthFlowType::AdminUserPasswordAuth;
        let answer = signin::begin(self, ctx, Some(&c.pool_id), true, &c.grant.client_id, flow, params);
        let retry = View::SignIn { username: username.to_string() };
        match self.settle_hosted(ctx, c, answer, username, retry.clone()) {
            // A user who signed in before confirming is sent a new code, and the confirm page.
            Err(e) if e.type_name == "UserNotConfirmedException" => self.hosted_resend(ctx, c, username, None),
            Err(e) if e.type_name == "PasswordResetRequiredException" => self.hosted_forgot(ctx, c, username),
            Err(e) => self.page_saying(c, retry, Some(shown(e)?), None),
            Ok(step) => Ok(step),
        }
    }

    /// What a sign-in step's answer shows: the next challenge's page, or (every factor passed)
    /// the way back to the app. A refusal comes back as the error, for the caller's page.
    fn settle_hosted(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        answer: Result<Answer, ApiError>,
        username: &str,
        retry: View,
    ) -> Result<HostedStep, ApiError> {
        match answer? {
            Answer::SignedIn(user) => match self.post_authentication(&c.pool_id, &user, &c.grant.client_id) {
                Ok(()) => self.signed_in(ctx, c, &user),
                Err(e) => self.page_saying(c, retry, Some(shown(e)?), None),
            },
            Answer::Challenge(challenge) => self.challenge_page(c, challenge, username),
            Answer::Refused(e) => Err(e),
            Answer::Tokens(_) | Answer::ResumeCustom(_) => {
                Err(ApiError::internal_error("a managed login sign-in answered as the API does"))
            }
        }
    }

    /// The page of a challenge.
    fn challenge_page(&self, c: &Checked, ch: Challenge, username: &str) -> Result<HostedStep, ApiError> {
        let session = ch.session.clone().unwrap_or_default();
        let username = ch.parameters.get("USER_ID_FOR_SRP").cloned().unwrap_or_else(|| username.to_string());
        let list = |key: &str| -> Vec<String> {
            ch.parameters.get(key).and_then(|v| serde_json::from_str(v).ok()).unwrap_or_default()
        };
        let view = match ch.name {
            ChallengeNameType::NewPasswordRequired => View::NewPassword {
                session,
                username,
                required: list("requiredAttributes")
                    .into_iter()
                    .map(|a| a.trim_start_matches("userAttributes.").to_string())
                    .collect(),
            },
            ChallengeNameType::SmsMfa | ChallengeNameType::EmailOtp | ChallengeNameType::SoftwareTokenMfa => {
                View::Code {
                    challenge: ch.name.as_str().to_string(),
                    session,
                    username,
                    destination: ch.parameters.get("CODE_DELIVERY_DESTINATION").cloned(),
                }
            }
            ChallengeNameType::SelectMfaType => View::SelectMfa { session, username, options: list("MFAS_CAN_CHOOSE") },
            ChallengeNameType::MfaSetup if list("MFAS_CAN_SETUP").iter().any(|f| f == "SOFTWARE_TOKEN_MFA") => {
                return self.totp_setup(c, &session, &username);
            }
            other => {
                let message = format!("This sign-in needs {}, which these pages cannot answer.", other.as_str());
                return self.page_saying(c, View::SignIn { username }, Some(message), None);
            }
        };
        self.page(c, view)
    }

    /// MFA_SETUP with an authenticator: a secret made for the sign-in's session, shown with
    /// its `otpauth://` URI (the pool's name as issuer, as Cognito's QR code has it).
    fn totp_setup(&self, c: &Checked, session: &str, username: &str) -> Result<HostedStep, ApiError> {
        let made = signin::associate_software_token(
            self,
            AssociateSoftwareTokenRequest { session: Some(session.to_string()), ..Default::default() },
        )?;
        let secret = made.secret_code.unwrap_or_default();
        let pool = self.tx(|tx| load_pool(tx, &c.pool_id))?;
        let issuer = pool.name.clone().unwrap_or_default();
        let uri = format!(
            "otpauth://totp/{}:{}?secret={secret}&issuer={}",
            crate::idp::oauth::percent(&issuer),
            crate::idp::oauth::percent(username),
            crate::idp::oauth::percent(&issuer),
        );
        let view =
            View::TotpSetup { session: made.session.unwrap_or_default(), username: username.to_string(), secret, uri };
        self.page(c, view)
    }

    /// An answer to the challenge a page showed.
    fn hosted_challenge(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        fields: &BTreeMap<String, String>,
    ) -> Result<HostedStep, ApiError> {
        let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let (name, mut session, username) = (field("challenge"), field("session"), field("username"));
        let start_over = |e: ApiError| {
            let view = View::SignIn { username: username.clone() };
            self.page_saying(c, view, Some(shown(e)?), None)
        };
        let Ok(challenge) = serde_json::from_value::<ChallengeNameType>(json!(name)) else {
            return start_over(ApiError::not_authorized("Invalid session for the user."));
        };
        let mut responses = BTreeMap::from([("USERNAME".to_string(), username.clone())]);
        if let Some(hash) = self.page_secret_hash(c, &username) {
            responses.insert("SECRET_HASH".into(), hash);
        }
        // What the page showed, to show again beside a refusal.
        let retry = match challenge {
            ChallengeNameType::NewPasswordRequired => {
                let required: Vec<String> = fields
                    .keys()
                    .filter_map(|k| k.strip_prefix("requiredAttributes[")?.strip_suffix(']'))
                    .map(str::to_string)
                    .collect();
                if field("password") != field("confirmPassword") {
                    let view = View::NewPassword { session: session.clone(), username: username.clone(), required };
                    return self.page_saying(c, view, Some("Passwords do not match.".into()), None);
                }
                responses.insert("NEW_PASSWORD".into(), field("password"));
                for name in &required {
                    responses.insert(format!("userAttributes.{name}"), field(&format!("requiredAttributes[{name}]")));
                }
                View::NewPassword { session: session.clone(), username: username.clone(), required }
            }
            ChallengeNameType::SelectMfaType => {
                responses.insert("ANSWER".into(), field("mfa_type"));
                let options = fields.get("options").map(|o| o.split(',').map(str::to_string).collect());
                View::SelectMfa {
                    session: session.clone(),
                    username: username.clone(),
                    options: options.unwrap_or_default(),
                }
            }
            ChallengeNameType::MfaSetup => {
                let verified = signin::verify_software_token(
                    self,
                    VerifySoftwareTokenRequest {
                        session: Some(session.clone()),
                        user_code: field("code"),
                        ..Default::default()
                    },
                );
                let retry = View::TotpSetup {
                    session: session.clone(),
                    username: username.clone(),
                    secret: field("secret"),
                    uri: field("uri"),
                };
                match verified {
                    Ok(v) => session = v.session.unwrap_or_default(),
                    Err(e) if e.type_name == "NotAuthorizedException" => return start_over(e),
                    Err(e) => return self.page_saying(c, retry, Some(shown(e)?), None),
                }
                retry
            }
            other => {
                let Some(key) = code_key(other) else {
                    return start_over(ApiError::not_authorized("Invalid session for the user."));
                };
                responses.insert(key.into(), field("code"));
                let destination = fields.get("destination").cloned().filter(|d| !d.is_empty());
                View::Code {
                    challenge: name.clone(),
                    session: session.clone(),
                    username: username.clone(),
                    destination,
                }
            }
        };
        let client_id = &c.grant.client_id;
        let answer = signin::answer(self, ctx, Some(&c.pool_id), true, client_id, challenge, Some(&session), responses);
        match self.settle_hosted(ctx, c, answer, &username, retry.clone()) {
            // A session that is gone, spent or expired cannot be answered again: start over.
            Err(e)
                if e.type_name == "NotAuthorizedException"
                    && e.message.as_deref().is_some_and(|m| m.contains("session")) =>
            {
                start_over(e)
            }
            Err(e) => self.page_saying(c, retry, Some(shown(e)?), None),
            Ok(step) => Ok(step),
        }
    }

    /// PostAuthentication for a sign-in on the pages: it belongs to the sign-in, not to the
    /// code's redemption (which runs PreTokenGeneration with `TokenGeneration_HostedAuth`).
    pub(super) fn post_authentication(
        &self,
        pool_id: &str,
        user: &UserRecord,
        client_id: &str,
    ) -> Result<(), ApiError> {
        let pool = self.tx(|tx| load_pool(tx, pool_id))?;
        let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.post_authentication.clone()) else {
            return Ok(());
        };
        let header = crate::triggers::EventHeader {
            trigger_source: "PostAuthentication_Authentication",
            user_pool_id: pool_id,
            user_name: &user.username,
            client_id: Some(client_id),
        };
        let request = json!({
            "userAttributes": crate::triggers::event_attributes(user),
            "newDeviceUsed": false,
            "clientMetadata": {},
        });
        self.run_trigger(&arn, "PostAuthentication", crate::triggers::event(&header, request)).map(|_| ())
    }

    /// The end of a sign-in on the pages: the browser's session, then the app's code.
    pub(super) fn signed_in(
        &self,
        ctx: &RequestContext,
        c: &Checked,
        user: &UserRecord,
    ) -> Result<HostedStep, ApiError> {
        let browser = self.open_browser(&c.pool_id, &c.grant.client_id, user)?;
        let answer = self.issue_to_app(ctx, &c.grant, &c.pool_id, user)?;
        Ok(HostedStep::SignedIn { answer, browser })
    }

    /// Back to the app with what `grant` asked for: a code (redeemed at `/oauth2/token`), or
    /// for the implicit grant the tokens themselves in the fragment, with no refresh token.
    pub(super) fn issue_to_app(
        &self,
        ctx: &RequestContext,
        grant: &Grant,
        pool_id: &str,
        user: &UserRecord,
    ) -> Result<HostedAnswer, ApiError> {
        let now = self.now();
        if grant.response_type == "token" {
            let minted = self.tx(|tx| {
                let pool = load_pool(tx, pool_id)?;
                let client = crate::idp::clients::load_client(tx, &grant.client_id)?;
                let mut minted = self.hosted_tokens(tx, ctx, &pool, &client, user, grant)?;
                minted.refresh_token = None;
                Ok(minted)
            })?;
            let result = match self.finish_hosted(minted, grant.nonce.clone()) {
                Ok(r) => r,
                Err(e) => {
                    let text = format!("{} ", e.message.unwrap_or_default());
                    return Ok(redirect_error(grant, "invalid_request", Some(&text)));
                }
            };
            let mut params = Vec::new();
            if grant.scopes.iter().any(|s| s == "openid") {
                params.push(("id_token".to_string(), result.id_token.clone().unwrap_or_default()));
            }
            params.push(("access_token".to_string(), result.access_token.clone().unwrap_or_default()));
            params.push(("expires_in".to_string(), result.expires_in.unwrap_or(3600).to_string()));
            params.push(("token_type".to_string(), "Bearer".into()));
            if let Some(s) = &grant.state {
                params.push(("state".to_string(), s.clone()));
            }
            return Ok(to_app(grant, params, true));
        }
        let code = self.tx(|tx| {
            let code = self.rng.uuid_v4();
            self.store_session(
                tx,
                &AuthSession {
                    id: code.clone(),
                    pool_id: pool_id.to_string(),
                    client_id: grant.client_id.clone(),
                    user_key: user.key.clone(),
                    sub: user.sub.clone(),
                    challenge: CODE.into(),
                    expires: now + FLOW_SECONDS,
                    state: serde_json::to_value(grant).expect("a grant serialises"),
                },
            )?;
            Ok(code)
        })?;
        let mut params = vec![("code".to_string(), code)];
        if let Some(s) = &grant.state {
            params.push(("state".to_string(), s.clone()));
        }
        Ok(to_app(grant, params, false))
    }
}
