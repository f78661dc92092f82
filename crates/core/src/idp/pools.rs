//! User pools: creation with the defaults Cognito fills in, updates, deletion, listing and
//! custom attributes.

use crate::env::{ALNUM, RandomExt};
use crate::idp::lookup::{decode_token, encode_token, load_pool};
use crate::idp::service::UserPools;
use crate::password;
use crate::tokens::PoolKeysExt;
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Cognito's cap on custom attributes per pool.
const MAX_CUSTOM_ATTRIBUTES: usize = 50;

/// The standard attributes every pool has, in the order DescribeUserPool lists them (as
/// captured from real pools: the AWS CLI's `create-user-pool` example output).
pub fn standard_schema() -> Vec<SchemaAttributeType> {
    let string = |name: &str, min: &str, max: &str| SchemaAttributeType {
        name: Some(name.into()),
        attribute_data_type: Some(AttributeDataType::String),
        developer_only_attribute: Some(false),
        mutable: Some(true),
        required: Some(false),
        string_attribute_constraints: Some(StringAttributeConstraintsType {
            min_length: Some(min.into()),
            max_length: Some(max.into()),
        }),
        number_attribute_constraints: None,
    };
    let boolean = |name: &str| SchemaAttributeType {
        name: Some(name.into()),
        attribute_data_type: Some(AttributeDataType::Boolean),
        developer_only_attribute: Some(false),
        mutable: Some(true),
        required: Some(false),
        string_attribute_constraints: None,
        number_attribute_constraints: None,
    };
    let mut sub = string("sub", "1", "2048");
    sub.mutable = Some(false);
    sub.required = Some(true);
    vec![
        sub,
        string("name", "0", "2048"),
        string("given_name", "0", "2048"),
        string("family_name", "0", "2048"),
        string("middle_name", "0", "2048"),
        string("nickname", "0", "2048"),
        string("preferred_username", "0", "2048"),
        string("profile", "0", "2048"),
        string("picture", "0", "2048"),
        string("website", "0", "2048"),
        string("email", "0", "2048"),
        boolean("email_verified"),
        string("gender", "0", "2048"),
        string("birthdate", "10", "10"),
        string("zoneinfo", "0", "2048"),
        string("locale", "0", "2048"),
        string("phone_number", "0", "2048"),
        boolean("phone_number_verified"),
        string("address", "0", "2048"),
        SchemaAttributeType {
            name: Some("updated_at".into()),
            attribute_data_type: Some(AttributeDataType::Number),
            developer_only_attribute: Some(false),
            mutable: Some(true),
            required: Some(false),
            string_attribute_constraints: None,
            number_attribute_constraints: Some(NumberAttributeConstraintsType {
                min_value: Some("0".into()),
                max_value: None,
            }),
        },
    ]
}

/// Merges the request's `Schema` into the standard one: a standard attribute may be made
/// required or immutable or given other bounds; any other name becomes `custom:<name>`.
fn build_schema(requested: &[SchemaAttributeType]) -> Result<Vec<SchemaAttributeType>, ApiError> {
    let mut schema = standard_schema();
    let mut custom = Vec::new();
    for attr in requested {
        let name = attr.name.clone().unwrap_or_default();
        if let Some(std) = schema.iter_mut().find(|s| s.name.as_deref() == Some(name.as_str())) {
            if name == "sub" {
                continue;
            }
            if let Some(r) = attr.required {
                std.required = Some(r);
            }
            if let Some(m) = attr.mutable {
                std.mutable = Some(m);
            }
            if let Some(c) = &attr.string_attribute_constraints {
                let sc = std.string_attribute_constraints.get_or_insert_with(Default::default);
                if c.min_length.is_some() {
                    sc.min_length = c.min_length.clone();
                }
                if c.max_length.is_some() {
                    sc.max_length = c.max_length.clone();
                }
            }
            continue;
        }
        custom.push(attr.clone());
    }
    let mut existing = schema.clone();
    for attr in custom {
        let made = custom_attribute(&attr, &existing)?;
        existing.push(made.clone());
        schema.push(made);
    }
    Ok(schema)
}

/// Validates one custom attribute definition and gives it the form DescribeUserPool shows.
fn custom_attribute(
    attr: &SchemaAttributeType,
    existing: &[SchemaAttributeType],
) -> Result<SchemaAttributeType, ApiError> {
    let raw = attr.name.clone().unwrap_or_default();
    let name = if raw.starts_with("custom:") { raw.clone() } else { format!("custom:{raw}") };
    if attr.required == Some(true) {
        return Err(ApiError::invalid_parameter("Required custom attributes are not supported currently."));
    }
    if existing.iter().any(|s| s.name.as_deref() == Some(name.as_str())) {
        return Err(ApiError::invalid_parameter(format!("{name}: Existing attribute already has name {name}.")));
    }
    let data_type = attr.attribute_data_type.unwrap_or(AttributeDataType::String);
    let mut out = SchemaAttributeType {
        name: Some(name.clone()),
        attribute_data_type: Some(data_type),
        developer_only_attribute: Some(attr.developer_only_attribute.unwrap_or(false)),
        mutable: Some(attr.mutable.unwrap_or(true)),
        required: Some(false),
        string_attribute_constraints: None,
        number_attribute_constraints: None,
    };
    match data_type {
        AttributeDataType::String => {
            let given = attr.string_attribute_constraints.clone().unwrap_or_default();
            let max = given.max_length.clone();
            if let Some(max) = &max
                && max.parse::<u32>().map_or(true, |m| m > 2048)
            {
                return Err(ApiError::invalid_parameter(format!(
                    "{name}: String attributes cannot have a length of more than 2048"
                )));
            }
            out.string_attribute_constraints = Some(StringAttributeConstraintsType {
                min_length: given.min_length.or(Some("0".into())),
                max_length: max.or(Some("2048".into())),
            });
        }
        AttributeDataType::Number => {
            out.number_attribute_constraints = attr.number_attribute_constraints.clone().or(Some(Default::default()));
        }
        _ => {}
    }
    Ok(out)
}

/// `base` with the settings CreateUserPool sets and UpdateUserPool replaces (with their
/// defaults when absent: "If you don't provide a value for an attribute, Amazon Cognito sets it
/// to its default value", UpdateUserPool's API reference), taken from `input`, either request:
/// the two share these fields' names.
macro_rules! with_replaceable_settings {
    ($input:ident, $base:expr) => {
        UserPoolType {
            policies: Some(normalise_policies($input.policies)),
            deletion_protection: Some($input.deletion_protection.unwrap_or(DeletionProtectionType::Inactive)),
            lambda_config: Some($input.lambda_config.unwrap_or_default()),
            auto_verified_attributes: $input.auto_verified_attributes,
            verification_message_template: Some(normalise_verification(
                $input.verification_message_template,
                &$input.email_verification_message,
                &$input.email_verification_subject,
                &$input.sms_verification_message,
            )),
            email_verification_message: $input.email_verification_message,
            email_verification_subject: $input.email_verification_subject,
            sms_verification_message: $input.sms_verification_message,
            sms_authentication_message: $input.sms_authentication_message,
            user_attribute_update_settings: $input.user_attribute_update_settings,
            mfa_configuration: Some($input.mfa_configuration.unwrap_or(UserPoolMfaType::Off)),
            device_configuration: $input.device_configuration,
            email_configuration: Some(normalise_email($input.email_configuration)),
            sms_configuration: $input.sms_configuration,
            admin_create_user_config: Some(normalise_admin_create($input.admin_create_user_config)),
            user_pool_add_ons: $input.user_pool_add_ons,
            account_recovery_setting: $input.account_recovery_setting,
            ..$base
        }
    };
}

/// The policies as DescribeUserPool shows them: unset booleans are false, an unset minimum
/// length is 8 and temporary passwords last 7 days unless said otherwise.
fn normalise_policies(requested: Option<UserPoolPolicyType>) -> UserPoolPolicyType {
    let mut policies = requested.unwrap_or_default();
    let policy = match policies.password_policy.take() {
        None => password::default_policy(),
        Some(p) => PasswordPolicyType {
            minimum_length: Some(p.minimum_length.unwrap_or(8)),
            require_uppercase: Some(p.require_uppercase.unwrap_or(false)),
            require_lowercase: Some(p.require_lowercase.unwrap_or(false)),
            require_numbers: Some(p.require_numbers.unwrap_or(false)),
            require_symbols: Some(p.require_symbols.unwrap_or(false)),
            temporary_password_validity_days: Some(p.temporary_password_validity_days.unwrap_or(7)),
            password_history_size: p.password_history_size,
        },
    };
    policies.password_policy = Some(policy);
    if policies.sign_in_policy.is_none() {
        policies.sign_in_policy =
            Some(SignInPolicyType { allowed_first_auth_factors: Some(vec![AuthFactorType::Password]) });
    }
    policies
}

fn normalise_admin_create(requested: Option<AdminCreateUserConfigType>) -> AdminCreateUserConfigType {
    let mut c = requested.unwrap_or_default();
    c.allow_admin_create_user_only.get_or_insert(false);
    c.unused_account_validity_days.get_or_insert(7);
    c
}

fn normalise_verification(
    requested: Option<VerificationMessageTemplateType>,
    email_message: &Option<String>,
    email_subject: &Option<String>,
    sms_message: &Option<String>,
) -> VerificationMessageTemplateType {
    let mut t = requested.unwrap_or_default();
    t.default_email_option.get_or_insert(DefaultEmailOptionType::ConfirmWithCode);
    if t.email_message.is_none() {
        t.email_message = email_message.clone();
    }
    if t.email_subject.is_none() {
        t.email_subject = email_subject.clone();
    }
    if t.sms_message.is_none() {
        t.sms_message = sms_message.clone();
    }
    t
}

fn normalise_email(requested: Option<EmailConfigurationType>) -> EmailConfigurationType {
    let mut e = requested.unwrap_or_default();
    e.email_sending_account.get_or_insert(EmailSendingAccountType::CognitoDefault);
    e
}

impl UserPools {
    /// Creates a pool with a chosen id (seeding), unless one with that id exists. Answers
    /// whether it created one.
    pub fn seed_pool(&self, id: &str, input: CreateUserPoolRequest) -> Result<bool, ApiError> {
        if self.tx(|tx| tx.pool(id))?.is_some() {
            return Ok(false);
        }
        let region =
            id.split_once('_').map(|(r, _)| r.to_string()).unwrap_or_else(|| self.settings.default_region.clone());
        self.create_pool_with_id(&region, id.to_string(), input).map(|_| true)
    }

    fn create_pool_with_id(
        &self,
        region: &str,
        id: String,
        input: CreateUserPoolRequest,
    ) -> Result<CreateUserPoolResponse, ApiError> {
        if input.alias_attributes.is_some() && input.username_attributes.is_some() {
            return Err(ApiError::invalid_parameter(
                "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
            ));
        }
        crate::idp::mfa::validate_pool_mfa(input.mfa_configuration, input.sms_configuration.as_ref())?;
        crate::idp::mfa::check_sign_in_policy(input.policies.as_ref())?;
        let schema = build_schema(input.schema.as_deref().unwrap_or_default())?;
        let now = self.now();
        let arn = format!("arn:aws:cognito-idp:{region}:{}:userpool/{id}", self.settings.account_id);
        let pool = with_replaceable_settings!(
            input,
            UserPoolType {
                id: Some(id.clone()),
                name: Some(input.pool_name),
                arn: Some(arn),
                schema_attributes: Some(schema),
                alias_attributes: input.alias_attributes,
                username_attributes: input.username_attributes,
                user_pool_tags: Some(input.user_pool_tags.unwrap_or_default()),
                username_configuration: input.username_configuration,
                user_pool_tier: Some(input.user_pool_tier.unwrap_or(UserPoolTierType::Essentials)),
                key_configuration: input.key_configuration.clone(),
                issuer_configuration: input.issuer_configuration.clone(),
                creation_date: Some(now),
                last_modified_date: Some(now),
                estimated_number_of_users: Some(0),
                ..Default::default()
            }
        );
        // Each pool signs with keys of its own: two ready ones now if the reserve has them,
        // else made when the pool first needs them, so that a burst of new pools (most of
        // which a test suite never signs in to) waits for no key-making.
        let keys = crate::tokens::PoolKeys::ready(self.keys.as_ref(), self.rng.as_ref());
        self.tx(|tx| {
            tx.put_pool(&pool)?;
            crate::idp::mfa::on_pool_written(tx, &pool)?;
            match &keys {
                Some(k) => tx.put_keys(&id, k),
                None => Ok(()),
            }
        })?;
        Ok(CreateUserPoolResponse { user_pool: Some(pool) })
    }
}

/// The schema entry for `name`, if the pool has one.
pub(super) fn schema_entry<'a>(pool: &'a UserPoolType, name: &str) -> Option<&'a SchemaAttributeType> {
    pool.schema_attributes.iter().flatten().find(|s| s.name.as_deref() == Some(name))
}

/// Tags as a map, for the tag operations.
pub(super) fn tags_of(pool: &UserPoolType) -> BTreeMap<String, String> {
    pool.user_pool_tags.clone().unwrap_or_default()
}

pub(crate) fn create_user_pool(
    up: &UserPools,
    ctx: &RequestContext,
    input: CreateUserPoolRequest,
) -> Result<CreateUserPoolResponse, ApiError> {
    let region = up.region(ctx);
    let id = format!("{region}_{}", up.rng.string_from(ALNUM, 9));
    up.create_pool_with_id(&region, id, input)
}

pub(crate) fn describe_user_pool(
    up: &UserPools,
    input: DescribeUserPoolRequest,
) -> Result<DescribeUserPoolResponse, ApiError> {
    up.tx(|tx| {
        let mut pool = Arc::unwrap_or_clone(load_pool(tx, &input.user_pool_id)?);
        pool.estimated_number_of_users = Some(tx.count_users(&input.user_pool_id)?.min(i32::MAX as u64) as i32);
        Ok(DescribeUserPoolResponse { user_pool: Some(pool) })
    })
}

/// UpdateUserPool replaces every setting it can change: "If you don't provide a value for
/// an attribute, Amazon Cognito sets it to its default value" (API reference).
pub(crate) fn update_user_pool(
    up: &UserPools,
    input: UpdateUserPoolRequest,
) -> Result<UpdateUserPoolResponse, ApiError> {
    let now = up.now();
    crate::idp::mfa::check_sign_in_policy(input.policies.as_ref())?;
    up.tx(|tx| {
        let old = Arc::unwrap_or_clone(load_pool(tx, &input.user_pool_id)?);
        let pool = with_replaceable_settings!(
            input,
            UserPoolType {
                // What UpdateUserPool cannot change.
                id: old.id,
                arn: old.arn,
                name: input.pool_name.or(old.name),
                schema_attributes: old.schema_attributes,
                alias_attributes: old.alias_attributes,
                username_attributes: old.username_attributes,
                username_configuration: old.username_configuration,
                creation_date: old.creation_date,
                domain: old.domain,
                custom_domain: old.custom_domain,
                user_pool_tags: Some(input.user_pool_tags.or(old.user_pool_tags).unwrap_or_default()),
                user_pool_tier: Some(
                    input.user_pool_tier.or(old.user_pool_tier).unwrap_or(UserPoolTierType::Essentials),
                ),
                // The pool's encryption and issuer stay as they are unless named.
                key_configuration: input.key_configuration.clone().or(old.key_configuration),
                issuer_configuration: input.issuer_configuration.clone().or(old.issuer_configuration),
                last_modified_date: Some(now),
                estimated_number_of_users: Some(0),
                ..Default::default()
            }
        );
        tx.put_pool(&pool)?;
        crate::idp::mfa::on_pool_written(tx, &pool)?;
        Ok(UpdateUserPoolResponse::default())
    })
}

pub(crate) fn delete_user_pool(up: &UserPools, input: DeleteUserPoolRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        if pool.deletion_protection == Some(DeletionProtectionType::Active) {
            return Err(ApiError::invalid_parameter(
                "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
            ));
        }
        // rebuy-de/aws-nuke#330 quotes the refusal.
        if pool.domain.is_some() || pool.custom_domain.is_some() {
            return Err(ApiError::invalid_parameter(
                "User pool cannot be deleted. It has a domain configured that should be deleted first.",
            ));
        }
        tx.delete_pool(&input.user_pool_id)
    })
}

pub(crate) fn list_user_pools(up: &UserPools, input: ListUserPoolsRequest) -> Result<ListUserPoolsResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        let page = tx.pools(after.as_deref(), input.max_results as usize)?;
        let mut pools = Vec::new();
        for p in page.items {
            let replicated = crate::idp::replicas::regions(tx, p.id.as_deref().unwrap_or_default())?;
            pools.push(UserPoolDescriptionType {
                id: p.id,
                name: p.name,
                lambda_config: p.lambda_config,
                last_modified_date: p.last_modified_date,
                creation_date: p.creation_date,
                status: None,
                replica_regions: (!replicated.is_empty()).then_some(replicated),
            });
        }
        Ok(ListUserPoolsResponse { user_pools: Some(pools), next_token: page.next.as_deref().map(encode_token) })
    })
}

pub(crate) fn add_custom_attributes(
    up: &UserPools,
    input: AddCustomAttributesRequest,
) -> Result<AddCustomAttributesResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let mut pool = Arc::unwrap_or_clone(load_pool(tx, &input.user_pool_id)?);
        let mut schema = pool.schema_attributes.take().unwrap_or_default();
        for attr in &input.custom_attributes {
            let made = custom_attribute(attr, &schema)?;
            schema.push(made);
        }
        let custom_count =
            schema.iter().filter(|s| s.name.as_deref().is_some_and(|n| n.starts_with("custom:"))).count();
        if custom_count > MAX_CUSTOM_ATTRIBUTES {
            return Err(ApiError::limit_exceeded(format!(
                "A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
            )));
        }
        pool.schema_attributes = Some(schema);
        pool.last_modified_date = Some(now);
        tx.put_pool(&pool)?;
        Ok(AddCustomAttributesResponse::default())
    })
}
/// The names of the pool's required attributes, other than `sub` (which Cognito makes).
pub(crate) fn required_attributes(pool: &UserPoolType) -> impl Iterator<Item = &str> {
    pool.schema_attributes
        .iter()
        .flatten()
        .filter(|s| s.required == Some(true))
        .filter_map(|s| s.name.as_deref())
        .filter(|n| *n != "sub")
}
