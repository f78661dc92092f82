//! User attributes against a pool's schema, with Cognito's messages.

use crate::idp::pools::schema_entry;
use cognate_proto::ApiError;
use cognate_proto::idp::{AttributeType, UserPoolType};

/// A problem with one attribute, worded as Cognito words it after the attribute's name.
fn problem(pool: &UserPoolType, attr: &AttributeType, updating: bool) -> Option<&'static str> {
    let Some(schema) = schema_entry(pool, &attr.name) else {
        return Some("Attribute does not exist in the schema.");
    };
    if updating && (schema.mutable == Some(false) || attr.name == "sub") {
        return Some("Attribute cannot be updated.");
    }
    if !updating && attr.name == "sub" {
        return Some("Attribute cannot be updated.");
    }
    None
}

/// Checks attributes supplied when a user is created: `Attributes did not conform to the
/// schema: <name>: <problem>\n...`, then the value checks.
pub(super) fn check_new(pool: &UserPoolType, attrs: &[AttributeType]) -> Result<(), ApiError> {
    let lines: String =
        attrs.iter().filter_map(|a| problem(pool, a, false).map(|p| format!("{}: {p}\n", a.name))).collect();
    if !lines.is_empty() {
        return Err(ApiError::invalid_parameter(format!("Attributes did not conform to the schema: {lines}")));
    }
    check_values(attrs)
}

/// Checks attributes supplied to an update: `user.<name>: <problem>` for each, one per line.
pub(crate) fn check_update(pool: &UserPoolType, attrs: &[AttributeType]) -> Result<(), ApiError> {
    let lines: String =
        attrs.iter().filter_map(|a| problem(pool, a, true).map(|p| format!("user.{}: {p}\n", a.name))).collect();
    if !lines.is_empty() {
        return Err(ApiError::invalid_parameter(lines));
    }
    check_values(attrs)
}

fn check_values(attrs: &[AttributeType]) -> Result<(), ApiError> {
    for a in attrs {
        let Some(value) = a.value.as_deref() else {
            return Err(ApiError::invalid_parameter(format!("Attribute value for {} must not be null", a.name)));
        };
        match a.name.as_str() {
            "email" if !is_email(value) => {
                return Err(ApiError::invalid_parameter("Invalid email address format."));
            }
            "phone_number" if !is_phone(value) => {
                return Err(ApiError::invalid_parameter("Invalid phone number format."));
            }
            _ => {}
        }
    }
    Ok(())
}

pub(super) fn is_email(value: &str) -> bool {
    let mut parts = value.split('@');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None)
            if !local.is_empty() && !domain.is_empty() && !value.chars().any(char::is_whitespace)
    )
}

/// E.164: a plus sign and up to fifteen digits.
pub(super) fn is_phone(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|d| (2..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("ab.co"));
        assert!(!is_email("a b@c.d"));
        assert!(is_phone("+15555550100"));
        assert!(!is_phone("5555550100"));
        assert!(!is_phone("+1555-555"));
    }
}
