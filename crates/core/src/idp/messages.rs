//! The emails and SMS messages Cognito sends, rendered with the pool's templates and kept in
//! the outbox instead of being delivered.

use crate::env::RandomExt;
use crate::idp::service::{Mail, Outgoing, UserPools};
use crate::store::{OutboxMessage, PendingCode, Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::*;

/// How a custom sender's `code` is encrypted here, in place of the AWS Encryption SDK and
/// KMS: base64 of a 12-byte nonce, then AES-256-GCM ciphertext and tag, under the key
/// SHA-256("cognate:" + the pool's KMSKeyID). A local handler decrypts it with that key
/// (the README shows how); the outbox keeps the plain code for tests.
pub fn encrypt_sender_code(kms_key_id: &str, code: &str, nonce: [u8; 12]) -> String {
    use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    use base64::Engine as _;
    use sha2::Digest;
    let key_bytes = sha2::Sha256::new().chain_update(b"cognate:").chain_update(kms_key_id.as_bytes()).finalize();
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key_bytes).expect("a 32-byte key"));
    let mut data = code.as_bytes().to_vec();
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
        .expect("sealing a short code works");
    let mut out = nonce.to_vec();
    out.extend(data);
    out.extend(tag.as_ref());
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// Cognito's default templates (a pool created without any, as DescribeUserPool shows them).
pub const DEFAULT_CODE_SUBJECT: &str = "Your verification code";
pub const DEFAULT_CODE_MESSAGE: &str = "Your verification code is {####}. ";
pub const DEFAULT_INVITE_SUBJECT: &str = "Your temporary password";
pub const DEFAULT_INVITE_MESSAGE: &str = "Your username is {username} and temporary password is {####}. ";

/// The sign-in code's default text (a pool made in the console exports this
/// SmsAuthenticationMessage); the email subject's default is unconfirmed (docs/fidelity.md).
pub const DEFAULT_AUTH_MESSAGE: &str = "Your authentication code is {####}. ";
pub const DEFAULT_AUTH_SUBJECT: &str = "Your authentication code";

/// How long a code lasts (developer guide): sign-up and attribute codes a day, password
/// reset codes an hour.
pub const SIGN_UP_CODE_SECONDS: f64 = 86_400.0;
pub const RESET_CODE_SECONDS: f64 = 3_600.0;
/// Wrong guesses a code survives.
pub const MAX_CODE_FAILURES: u32 = 5;

/// `victim@gmail.com` → `v***@g***`, as Cognito masks destinations.
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

/// `+15555550100` → `+*******0100`: the length kept, the last four digits shown.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.trim_start_matches('+').chars().collect();
    let shown = digits.len().min(4);
    let hidden = digits.len() - shown;
    format!("+{}{}", "*".repeat(hidden), digits[hidden..].iter().collect::<String>())
}

fn render(template: &str, username: &str, code: &str) -> String {
    template.replace("{username}", username).replace("{####}", code)
}

/// Where a message about `attribute` goes, and how.
fn channel(user: &UserRecord, attribute: &str) -> Option<(DeliveryMediumType, String)> {
    let value = user.attribute(attribute)?.to_string();
    match attribute {
        "email" => Some((DeliveryMediumType::Email, value)),
        "phone_number" => Some((DeliveryMediumType::Sms, value)),
        _ => None,
    }
}

pub fn details(medium: DeliveryMediumType, attribute: &str, destination: &str) -> CodeDeliveryDetailsType {
    CodeDeliveryDetailsType {
        attribute_name: Some(attribute.to_string()),
        delivery_medium: Some(medium),
        destination: Some(match medium {
            DeliveryMediumType::Email => mask_email(destination),
            DeliveryMediumType::Sms => mask_phone(destination),
        }),
    }
}

/// Where a password-reset code goes: a verified email, else a verified phone number.
fn recovery_channel(user: &UserRecord) -> Option<&'static str> {
    if user.attribute("email").is_some() && user.attribute("email_verified") == Some("true") {
        Some("email")
    } else if user.attribute("phone_number").is_some() && user.attribute("phone_number_verified") == Some("true") {
        Some("phone_number")
    } else {
        None
    }
}

impl UserPools {
    /// One transaction that may send messages, then (once it has committed, outside it) the
    /// triggers that shape or send them.
    pub(crate) fn tx_sending<R>(
        &self,
        f: impl FnOnce(&mut dyn Tx, &mut Mail) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut mail = Mail::default();
        let answer = self.tx(|tx| f(tx, &mut mail))?;
        self.send_waiting(mail)?;
        Ok(answer)
    }

    /// Records a message in the outbox (and the log). In a pool with a CustomMessage trigger
    /// the message waits until the transaction commits: the trigger then writes it.
    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &self,
        tx: &mut dyn Tx,
        mail: &mut Mail,
        pool: &UserPoolType,
        user: &UserRecord,
        kind: &str,
        medium: DeliveryMediumType,
        destination: &str,
        subject: Option<String>,
        message: String,
        code: &str,
    ) -> Result<(), ApiError> {
        let pool_id = pool.id.as_deref().unwrap_or_default();
        let message = OutboxMessage {
            id: self.rng.uuid_v4(),
            pool_id: pool_id.to_string(),
            username: user.username.clone(),
            medium: medium.as_str().to_string(),
            destination: destination.to_string(),
            kind: kind.to_string(),
            subject,
            message,
            code: Some(code.to_string()),
            sent_at: self.clock.now_millis(),
        };
        let lambda = pool.lambda_config.as_ref();
        let sender = match medium {
            DeliveryMediumType::Email => {
                lambda.and_then(|l| l.custom_email_sender.as_ref()).map(|c| c.lambda_arn.clone())
            }
            DeliveryMediumType::Sms => lambda.and_then(|l| l.custom_sms_sender.as_ref()).map(|c| c.lambda_arn.clone()),
        };
        if let Some(arn) = sender {
            // Cognito sends nothing itself: the custom sender gets the code, encrypted.
            let attributes = crate::triggers::event_attributes(user);
            let kms = lambda.and_then(|l| l.kms_key_id.clone()).unwrap_or_default();
            mail.0.push(Outgoing { message, arn, attributes, sender: Some(kms) });
            return Ok(());
        }
        if let Some(arn) = lambda.and_then(|l| l.custom_message.clone()) {
            let attributes = crate::triggers::event_attributes(user);
            mail.0.push(Outgoing { message, arn, attributes, sender: None });
            return Ok(());
        }
        // The log is where a person watching cognate sees what Cognito would have sent.
        tracing::info!(pool = pool_id, to = destination, kind, code, "{} message", medium.as_str());
        tx.push_message(&message)
    }

    /// Runs the triggers for the messages a committed transaction left waiting, and writes
    /// them, outside any transaction.
    pub(crate) fn send_waiting(&self, mail: Mail) -> Result<(), ApiError> {
        for Outgoing { mut message, arn, attributes, sender } in mail.0 {
            let code = message.code.clone().unwrap_or_default();
            if let Some(kms) = sender {
                let (prefix, kind) = if message.medium == "SMS" {
                    ("CustomSMSSender", "customSMSSenderRequestV1")
                } else {
                    ("CustomEmailSender", "customEmailSenderRequestV1")
                };
                let source = format!("{prefix}_{}", trigger_kind(&message.kind));
                let header = crate::triggers::EventHeader {
                    trigger_source: &source,
                    user_pool_id: &message.pool_id,
                    user_name: &message.username,
                    client_id: None,
                };
                let mut nonce = [0u8; 12];
                self.rng.fill(&mut nonce);
                let request = serde_json::json!({
                    "type": kind,
                    "code": encrypt_sender_code(&kms, &code, nonce),
                    "userAttributes": attributes,
                    "clientMetadata": {},
                });
                self.run_trigger(&arn, prefix, crate::triggers::event(&header, request))?;
                tracing::info!(
                    pool = message.pool_id,
                    to = message.destination,
                    kind = message.kind,
                    code,
                    "{} message via {prefix}",
                    message.medium
                );
                self.store.tx(|tx| tx.push_message(&message))?;
                continue;
            }
            let source = format!("CustomMessage_{}", trigger_kind(&message.kind));
            let header = crate::triggers::EventHeader {
                trigger_source: &source,
                user_pool_id: &message.pool_id,
                user_name: &message.username,
                client_id: None,
            };
            let request = serde_json::json!({
                "userAttributes": attributes,
                "codeParameter": "{####}",
                "linkParameter": "{##Click Here##}",
                "usernameParameter": if message.kind == "AdminCreateUser" { Some("{username}") } else { None },
                "clientMetadata": {},
            });
            let answer = self.run_trigger(&arn, "CustomMessage", crate::triggers::event(&header, request))?;
            let response = &answer["response"];
            let field = if message.medium == "SMS" { "smsMessage" } else { "emailMessage" };
            if let Some(body) = response[field].as_str() {
                message.message = render(body, &message.username, &code);
            }
            if let Some(subject) = response["emailSubject"].as_str().filter(|_| message.medium == "EMAIL") {
                message.subject = Some(render(subject, &message.username, &code));
            }
            tracing::info!(
                pool = message.pool_id,
                to = message.destination,
                kind = message.kind,
                code,
                "{} message",
                message.medium
            );
            self.store.tx(|tx| tx.push_message(&message))?;
        }
        Ok(())
    }

    /// A new 6-digit code for `purpose`, sent about `attribute` with the verification
    /// template, remembered on the user (who the caller then saves).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send_code(
        &self,
        tx: &mut dyn Tx,
        mail: &mut Mail,
        pool: &UserPoolType,
        user: &mut UserRecord,
        purpose: &str,
        kind: &str,
        attribute: &str,
        validity: f64,
        pending_value: Option<String>,
    ) -> Result<Option<CodeDeliveryDetailsType>, ApiError> {
        let destination = match &pending_value {
            Some(v) => Some(v.clone()),
            None => user.attribute(attribute).map(str::to_string),
        };
        let Some(destination) = destination else { return Ok(None) };
        let medium = match attribute {
            "email" => DeliveryMediumType::Email,
            "phone_number" => DeliveryMediumType::Sms,
            _ => return Ok(None),
        };
        let code = self.rng.string_from(b"0123456789", 6);
        let template = pool.verification_message_template.clone().unwrap_or_default();
        let (subject, body) = match medium {
            DeliveryMediumType::Email => (
                Some(
                    template
                        .email_subject
                        .or(pool.email_verification_subject.clone())
                        .unwrap_or(DEFAULT_CODE_SUBJECT.into()),
                ),
                template
                    .email_message
                    .or(pool.email_verification_message.clone())
                    .unwrap_or(DEFAULT_CODE_MESSAGE.into()),
            ),
            DeliveryMediumType::Sms => (
                None,
                template.sms_message.or(pool.sms_verification_message.clone()).unwrap_or(DEFAULT_CODE_MESSAGE.into()),
            ),
        };
        let message = render(&body, &user.username, &code);
        self.deliver(tx, mail, pool, user, kind, medium, &destination, subject, message, &code)?;
        user.codes.insert(
            purpose.to_string(),
            PendingCode {
                code,
                expires: self.now() + validity,
                attribute: Some(attribute.to_string()),
                pending_value,
                sent_to: destination.clone(),
                failures: 0,
            },
        );
        Ok(Some(details(medium, attribute, &destination)))
    }

    /// A sign-in's one-time code (SMS_MFA, EMAIL_OTP, SMS_OTP), sent with the pool's
    /// authentication template (Cognito's defaults when the pool has none). Answers the code,
    /// which the caller keeps only as a digest.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn send_sign_in_code(
        &self,
        tx: &mut dyn Tx,
        mail: &mut Mail,
        pool: &UserPoolType,
        user: &UserRecord,
        medium: DeliveryMediumType,
        destination: &str,
        template: CodeTemplate<'_>,
    ) -> Result<String, ApiError> {
        let code = self.rng.string_from(b"0123456789", template.digits);
        let message = render(template.body.unwrap_or(DEFAULT_AUTH_MESSAGE), &user.username, &code);
        let subject =
            (medium == DeliveryMediumType::Email).then(|| template.subject.unwrap_or(DEFAULT_AUTH_SUBJECT).to_string());
        self.deliver(tx, mail, pool, user, "Authentication", medium, destination, subject, message, &code)?;
        Ok(code)
    }

    /// The invitation AdminCreateUser sends, with the temporary password.
    pub(super) fn send_invitation(
        &self,
        tx: &mut dyn Tx,
        mail: &mut Mail,
        pool: &UserPoolType,
        user: &UserRecord,
        mediums: &[DeliveryMediumType],
        temporary_password: &str,
    ) -> Result<(), ApiError> {
        let template =
            pool.admin_create_user_config.as_ref().and_then(|c| c.invite_message_template.clone()).unwrap_or_default();
        // DesiredDeliveryMediums defaults to SMS (API reference).
        let mediums = if mediums.is_empty() { &[DeliveryMediumType::Sms][..] } else { mediums };
        for medium in mediums {
            let attribute = match medium {
                DeliveryMediumType::Email => "email",
                DeliveryMediumType::Sms => "phone_number",
            };
            let Some((medium, destination)) = channel(user, attribute) else { continue };
            let (subject, body) = match medium {
                DeliveryMediumType::Email => (
                    Some(template.email_subject.clone().unwrap_or(DEFAULT_INVITE_SUBJECT.into())),
                    template.email_message.clone().unwrap_or(DEFAULT_INVITE_MESSAGE.into()),
                ),
                DeliveryMediumType::Sms => {
                    (None, template.sms_message.clone().unwrap_or(DEFAULT_INVITE_MESSAGE.into()))
                }
            };
            let message = render(&body, &user.username, temporary_password);
            self.deliver(
                tx,
                mail,
                pool,
                user,
                "AdminCreateUser",
                medium,
                &destination,
                subject,
                message,
                temporary_password,
            )?;
        }
        Ok(())
    }

    /// Checks a code the user typed against the one sent for `purpose`, and uses it up. A
    /// wrong guess is counted on the user, who the caller must save even though this fails:
    /// after five, the code is void and every answer is LimitExceededException.
    pub(super) fn take_code(&self, user: &mut UserRecord, purpose: &str, given: &str) -> Result<PendingCode, ApiError> {
        let mismatch = || ApiError::code_mismatch("Invalid verification code provided, please try again.");
        let Some(pending) = user.codes.get_mut(purpose) else { return Err(mismatch()) };
        if pending.failures >= MAX_CODE_FAILURES {
            return Err(ApiError::limit_exceeded("Attempt limit exceeded, please try after some time."));
        }
        if pending.code != given {
            pending.failures += 1;
            return Err(mismatch());
        }
        if pending.expires < self.now() {
            return Err(ApiError::expired_code("Invalid code provided, please request a code again."));
        }
        Ok(user.codes.remove(purpose).expect("the code was just found"))
    }

    /// The outbox, for `/_cognate/outbox`.
    pub fn outbox(&self, query: &crate::store::OutboxQuery) -> Result<Vec<OutboxMessage>, ApiError> {
        self.tx(|tx| tx.messages(query))
    }
}

/// The trigger-source suffix of a message kind: an administrator's password reset is sent as
/// a ForgotPassword message.
fn trigger_kind(kind: &str) -> &str {
    match kind {
        "AdminResetUserPassword" => "ForgotPassword",
        other => other,
    }
}

impl UserPools {
    /// Sends a password-reset code to the user's verified email or phone.
    pub(crate) fn send_reset_code(
        &self,
        tx: &mut dyn Tx,
        mail: &mut Mail,
        pool: &UserPoolType,
        user: &mut UserRecord,
        kind: &str,
    ) -> Result<CodeDeliveryDetailsType, ApiError> {
        let channel = recovery_channel(user).ok_or_else(|| {
            ApiError::invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            )
        })?;
        let delivery = self.send_code(tx, mail, pool, user, "forgot", kind, channel, RESET_CODE_SECONDS, None)?;
        delivery.ok_or_else(|| ApiError::internal_error("no delivery for a verified channel"))
    }
}

/// How a sign-in code is written: the pool's template, if any, and the code's length.
pub(crate) struct CodeTemplate<'a> {
    pub body: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub digits: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_email("victimsemail@gmail.com"), "v***@g***");
        assert_eq!(mask_phone("+15555550008"), "+*******0008");
    }
}
