//! Linking a federated identity to a user of the pool (AdminLinkProviderForUser) and undoing it
//! (AdminDisableProviderForUser). A link says: when this provider's user, known by this
//! attribute's value, signs in, sign in the linked user instead ("After Amazon Cognito matches
//! your federated user to a linked profile, they always sign in to that profile", developer
//! guide). The linked user's `identities` attribute lists its links, as Cognito's does.
//! Refusal texts are real AWS output where docs/research/client-secrets-and-links.md cites one.

use crate::idp::lookup::{find_user, load_pool};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// "The maximum number of federated identities linked to a user is five." (model)
const MAX_LINKS: usize = 5;
pub(crate) const SUBJECT: &str = "Cognito_Subject";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Link {
    pub provider: String,
    pub attribute: String,
    pub value: String,
    /// The linked user's key and `sub` (a user made again under the name is someone else).
    pub user_key: String,
    pub sub: String,
}

impl PoolDoc for Link {
    const KIND: &'static str = "provider-link";
}

fn link_key(provider: &str, attribute: &str, value: &str) -> String {
    format!("{provider}\u{0}{attribute}\u{0}{value}")
}

fn part<'a>(who: &'a ProviderUserIdentifierType, what: &str) -> Result<&'a str, ApiError> {
    let value = match what {
        "ProviderName" => who.provider_name.as_deref(),
        "ProviderAttributeName" => who.provider_attribute_name.as_deref(),
        _ => who.provider_attribute_value.as_deref(),
    };
    value.filter(|v| !v.is_empty()).ok_or_else(|| ApiError::invalid_parameter(format!("{what} is required.")))
}

fn is_social(kind: IdentityProviderTypeType) -> bool {
    !matches!(kind, IdentityProviderTypeType::Saml | IdentityProviderTypeType::Oidc)
}

/// The user a federated sign-in of `provider` with these claims is linked to, if any: by the
/// provider's subject, or by an attribute the provider's mapping fills.
pub(crate) fn linked_user(
    tx: &mut dyn Tx,
    pool_id: &str,
    provider: &str,
    subject: &str,
    mapped: &[(String, String)],
) -> Result<Option<UserRecord>, ApiError> {
    let by_subject = std::iter::once((SUBJECT, subject));
    let by_attribute = mapped.iter().map(|(a, v)| (a.as_str(), v.as_str()));
    for (attribute, value) in by_subject.chain(by_attribute) {
        let Some(link) = pool_docs::get::<Link>(tx, pool_id, Owner::Pool, &link_key(provider, attribute, value))?
        else {
            continue;
        };
        if let Some(user) = tx.user(pool_id, &link.user_key)?.filter(|u| u.sub == link.sub) {
            return Ok(Some(user));
        }
    }
    Ok(None)
}

fn identities(user: &UserRecord) -> Vec<Value> {
    user.attribute("identities").and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
}

pub(crate) fn admin_link_provider_for_user(
    up: &UserPools,
    input: AdminLinkProviderForUserRequest,
) -> Result<AdminLinkProviderForUserResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let source = &input.source_user;
        let provider_name = part(source, "ProviderName")?;
        let attribute = part(source, "ProviderAttributeName")?;
        let value = part(source, "ProviderAttributeValue")?;
        if provider_name == "Cognito" {
            return Err(ApiError::invalid_parameter(
                "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser",
            ));
        }
        let provider = tx
            .idp(&input.user_pool_id, provider_name)?
            .ok_or_else(|| ApiError::invalid_parameter(format!("Identity provider {provider_name} does not exist.")))?;
        let kind = provider.provider_type.unwrap_or(IdentityProviderTypeType::Oidc);
        if is_social(kind) && attribute != SUBJECT {
            return Err(ApiError::invalid_parameter(
                "Invalid SourceAttributeName and SourceProviderName combination: Linking on arbitrary attributes for social providers is not allowed",
            ));
        }
        let destination = &input.destination_user;
        if part(destination, "ProviderName")? != "Cognito" {
            return Err(ApiError::invalid_parameter("DestinationUser must be a user of the user pool (ProviderName Cognito)."));
        }
        let name = part(destination, "ProviderAttributeValue")?;
        let mut user = find_user(tx, &pool, name)?.ok_or_else(|| ApiError::user_not_found("User does not exist."))?;
        let key = link_key(provider_name, attribute, value);
        if let Some(existing) = pool_docs::get::<Link>(tx, &input.user_pool_id, Owner::Pool, &key)? {
            if existing.user_key == user.key && existing.sub == user.sub {
                return Err(ApiError::invalid_parameter("SourceUser is already linked to DestinationUser"));
            }
            if tx.user(&input.user_pool_id, &existing.user_key)?.is_some_and(|u| u.sub == existing.sub) {
                return Err(ApiError::invalid_parameter("SourceUser is already linked to another user."));
            }
        }
        // The provider's user must not have signed in already: a profile of its own is not
        // merged.
        if attribute == SUBJECT && find_user(tx, &pool, &format!("{provider_name}_{value}").to_lowercase())?.is_some() {
            return Err(ApiError::invalid_parameter(
                "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link",
            ));
        }
        let mut list = identities(&user);
        if list.len() >= MAX_LINKS {
            return Err(ApiError::limit_exceeded(format!(
                "A user can have at most {MAX_LINKS} linked identities."
            )));
        }
        list.push(json!({
            "userId": value,
            "providerName": provider_name,
            "providerType": kind.as_str(),
            "issuer": null,
            "primary": false,
            "dateCreated": (now * 1000.0) as i64,
        }));
        user.set_attribute("identities", &Value::Array(list).to_string());
        user.modified = now;
        tx.put_user(&input.user_pool_id, &user)?;
        let link = Link {
            provider: provider_name.into(),
            attribute: attribute.into(),
            value: value.into(),
            user_key: user.key.clone(),
            sub: user.sub.clone(),
        };
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, &key, &link)?;
        Ok(AdminLinkProviderForUserResponse {})
    })
}

pub(crate) fn admin_disable_provider_for_user(
    up: &UserPools,
    input: AdminDisableProviderForUserRequest,
) -> Result<AdminDisableProviderForUserResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let provider_name = part(&input.user, "ProviderName")?;
        let attribute = part(&input.user, "ProviderAttributeName")?;
        let value = part(&input.user, "ProviderAttributeValue")?;
        if provider_name == "Cognito" {
            // The pool's own user "can't use their password to sign in" any more.
            let mut user =
                find_user(tx, &pool, value)?.ok_or_else(|| ApiError::user_not_found("User does not exist."))?;
            user.password = None;
            user.modified = now;
            tx.put_user(&input.user_pool_id, &user)?;
            return Ok(AdminDisableProviderForUserResponse {});
        }
        tx.idp(&input.user_pool_id, provider_name)?
            .ok_or_else(|| ApiError::invalid_parameter(format!("Identity provider {provider_name} does not exist.")))?;
        let key = link_key(provider_name, attribute, value);
        let mut done = false;
        if let Some(link) = pool_docs::get::<Link>(tx, &input.user_pool_id, Owner::Pool, &key)? {
            pool_docs::delete::<Link>(tx, &input.user_pool_id, Owner::Pool, &key)?;
            if let Some(mut user) = tx.user(&input.user_pool_id, &link.user_key)?.filter(|u| u.sub == link.sub) {
                let list: Vec<Value> = identities(&user)
                    .into_iter()
                    .filter(|i| !(i["providerName"] == provider_name && i["userId"] == value && i["primary"] == false))
                    .collect();
                if list.is_empty() {
                    user.remove_attribute("identities");
                } else {
                    user.set_attribute("identities", &Value::Array(list).to_string());
                }
                user.modified = now;
                tx.put_user(&input.user_pool_id, &user)?;
            }
            done = true;
        }
        // The provider's own profile, if its user signed in unlinked, signs in no more.
        if attribute == SUBJECT
            && let Some(mut own) = find_user(tx, &pool, &format!("{provider_name}_{value}").to_lowercase())?
            && own.status == UserStatusType::ExternalProvider
        {
            own.enabled = false;
            own.modified = now;
            tx.put_user(&input.user_pool_id, &own)?;
            done = true;
        }
        if !done {
            return Err(ApiError::invalid_parameter(
                "Account isn't linked to anyone else, verify that the account has been linked",
            ));
        }
        Ok(AdminDisableProviderForUserResponse {})
    })
}
