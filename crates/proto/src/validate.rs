//! Enforces the model's input constraints the way AWS does, before a request reaches a
//! handler.
//!
//! Two kinds of failure, as the AWS JSON protocol has them:
//! - a value of the wrong JSON type is a `SerializationException` (the request cannot be read);
//! - a readable value that breaks a constraint (required, length, pattern, range, enum) is
//!   collected, and all of them are answered at once as
//!   `InvalidParameterException: 2 validation errors detected: Value ... at 'path' failed to
//!   satisfy constraint: ...; Value ...`.
//!
//! Paths name members in lowerCamelCase (`userPoolId`), list elements as
//! `userAttributes.1.member` (1-based) and map entries as `clientMetadata.key`.

use crate::ApiError;
use crate::model::{Kind, Service, Shape};
use fancy_regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub fn validate(service: &Service, shape: usize, body: &Value) -> Result<(), ApiError> {
    let mut v = Validator { service, errors: Vec::new() };
    v.check_value(shape, body, "")?;
    if v.errors.is_empty() {
        return Ok(());
    }
    let n = v.errors.len();
    let message = format!("{n} validation error{} detected: {}", if n == 1 { "" } else { "s" }, v.errors.join("; "));
    // The identity-pool service answers with the common AWS ValidationException; the user-pool
    // API with its own InvalidParameterException, same words.
    if service.target_prefix == crate::identity::SERVICE.target_prefix {
        Err(ApiError::validation(message))
    } else {
        Err(ApiError::invalid_parameter(message))
    }
}

struct Validator<'a> {
    service: &'a Service,
    errors: Vec<String>,
}

/// Coral's words for a value of the wrong JSON type.
fn type_error(expected: &Kind, found: &Value) -> ApiError {
    let message = match (expected, found) {
        (_, Value::Array(_)) => "Start of list found where not expected".to_string(),
        (_, Value::Object(_)) => "Start of structure or map found where not expected.".to_string(),
        (Kind::List { .. }, _) => "Expected list or null".to_string(),
        (Kind::Structure { .. } | Kind::Map { .. }, _) => "Expected null".to_string(),
        (kind, value) => {
            let found = match value {
                Value::Bool(true) => "TRUE_VALUE",
                Value::Bool(false) => "FALSE_VALUE",
                Value::Number(_) => "NUMBER_VALUE",
                Value::String(_) => "STRING_VALUE",
                _ => "VALUE",
            };
            let target = match kind {
                Kind::String { .. } => "a String",
                Kind::Integer { .. } => "an Integer",
                Kind::Long { .. } => "a Long",
                Kind::Boolean => "a Boolean",
                Kind::Timestamp => "a Date",
                Kind::Blob { .. } => "a ByteBuffer",
                _ => "the expected type",
            };
            format!("{found} can not be converted to {target}")
        }
    };
    ApiError::serialization(Some(message))
}

fn is_scalar(shape: &Shape) -> bool {
    !matches!(shape.kind, Kind::Structure { .. } | Kind::List { .. } | Kind::Map { .. } | Kind::Document)
}

/// Shapes whose model pattern the service does not apply as a validation error: a user pool
/// domain with a character the pattern forbids gets Cognito's own InvalidParameterException
/// ("The domain name contains an invalid character. ..."), and a custom domain
/// (`auth.example.com`) has dots the pattern has no room for.
const PATTERNS_CHECKED_BY_THE_SERVICE: &[&str] = &["DomainType"];

/// The constraints a scalar value breaks, in AWS's order (length, pattern, enum, range).
fn scalar_failures(shape: &Shape, value: &Value) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    let length = |len: usize, min: &Option<i64>, max: &Option<i64>, out: &mut Vec<String>| {
        let len = len as i64;
        if let Some(min) = min.filter(|m| len < *m) {
            out.push(format!("Member must have length greater than or equal to {min}"));
        }
        if let Some(max) = max.filter(|m| len > *m) {
            out.push(format!("Member must have length less than or equal to {max}"));
        }
    };
    match &shape.kind {
        Kind::String { min, max, pattern, enum_values } => {
            let Value::String(s) = value else {
                return Err(type_error(&shape.kind, value));
            };
            // Java counts UTF-16 code units.
            length(s.encode_utf16().count(), min, max, &mut out);
            let checked = !PATTERNS_CHECKED_BY_THE_SERVICE.contains(&shape.name);
            if let Some(p) = pattern.filter(|p| checked && !pattern_matches(p, s)) {
                out.push(format!("Member must satisfy regular expression pattern: {p}"));
            }
            if !enum_values.is_empty() && !enum_values.contains(&s.as_str()) {
                out.push(enum_constraint(enum_values));
            }
        }
        Kind::Integer { min, max } | Kind::Long { min, max } => {
            let Value::Number(n) = value else {
                return Err(type_error(&shape.kind, value));
            };
            let Some(n) = n.as_i64() else {
                return Err(ApiError::serialization(Some(format!(
                    "NUMBER_VALUE {n} can not be converted to an Integer"
                ))));
            };
            if matches!(shape.kind, Kind::Integer { .. }) && i32::try_from(n).is_err() {
                return Err(ApiError::serialization(Some(format!(
                    "NUMBER_VALUE {n} can not be converted to an Integer"
                ))));
            }
            if let Some(min) = min.filter(|m| n < *m) {
                out.push(format!("Member must have value greater than or equal to {min}"));
            }
            if let Some(max) = max.filter(|m| n > *m) {
                out.push(format!("Member must have value less than or equal to {max}"));
            }
        }
        Kind::Boolean if !value.is_boolean() => return Err(type_error(&shape.kind, value)),
        Kind::Timestamp if !value.is_number() => return Err(type_error(&shape.kind, value)),
        Kind::Blob { min, max } => {
            let Value::String(s) = value else {
                return Err(type_error(&shape.kind, value));
            };
            length(s.len() * 3 / 4, min, max, &mut out);
        }
        _ => {}
    }
    Ok(out)
}

/// Every constraint of a scalar shape, as AWS lists them inside `[...]` for list members and
/// map values: maximum, minimum, pattern, enum.
fn all_constraints(shape: &Shape) -> Vec<String> {
    let mut out = Vec::new();
    let (min, max) = match &shape.kind {
        Kind::String { min, max, .. } | Kind::Blob { min, max } => (*min, *max),
        _ => (None, None),
    };
    if let Some(max) = max {
        out.push(format!("Member must have length less than or equal to {max}"));
    }
    if let Some(min) = min {
        out.push(format!("Member must have length greater than or equal to {min}"));
    }
    match &shape.kind {
        Kind::String { pattern, enum_values, .. } => {
            if let Some(p) = pattern {
                out.push(format!("Member must satisfy regular expression pattern: {p}"));
            }
            if !enum_values.is_empty() {
                out.push(enum_constraint(enum_values));
            }
        }
        Kind::Integer { min, max } | Kind::Long { min, max } => {
            if let Some(max) = max {
                out.push(format!("Member must have value less than or equal to {max}"));
            }
            if let Some(min) = min {
                out.push(format!("Member must have value greater than or equal to {min}"));
            }
        }
        _ => {}
    }
    out
}

/// AWS prints an enum's values in the iteration order of a Java `HashSet` (captured messages:
/// `[OPTIONAL, OFF, ON]` for MfaConfiguration, `[SUPPRESS, RESEND]` for MessageAction).
fn enum_constraint(values: &[&str]) -> String {
    format!("Member must satisfy enum value set: [{}]", java_hash_set_order(values).join(", "))
}

fn java_hash_set_order<'a>(values: &[&'a str]) -> Vec<&'a str> {
    let java_hash = |s: &str| s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32));
    // HashSet(Collection) sizes its table to the next power of two of max(n / .75 + 1, 16).
    let wanted = ((values.len() as f64 / 0.75) as usize + 1).max(16);
    let buckets = wanted.next_power_of_two();
    let mut indexed: Vec<(usize, usize, &str)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = java_hash(v) as u32;
            (((h ^ (h >> 16)) as usize) & (buckets - 1), i, *v)
        })
        .collect();
    indexed.sort();
    indexed.into_iter().map(|(_, _, v)| v).collect()
}

impl Validator<'_> {
    fn shape(&self, i: usize) -> &'static Shape {
        // The generated tables are 'static; the service reference only borrows them.
        let shapes: &'static [Shape] = self.service.shapes;
        &shapes[i]
    }

    fn fail(&mut self, shape: &Shape, value: Option<&Value>, path: &str, constraint: String) {
        // Sensitive values are never shown, not even as null.
        let shown = match value {
            _ if shape.sensitive => "Value".to_string(),
            None => "Value null".to_string(),
            Some(v) => format!("Value '{}'", display(v)),
        };
        self.errors.push(format!("{shown} at '{path}' failed to satisfy constraint: {constraint}"));
    }

    fn check_value(&mut self, idx: usize, value: &Value, path: &str) -> Result<(), ApiError> {
        let shape = self.shape(idx);
        match &shape.kind {
            Kind::Structure { members } => {
                let Value::Object(map) = value else {
                    return Err(type_error(&shape.kind, value));
                };
                for m in members.iter() {
                    let child = join(path, &lower_camel(m.name));
                    match map.get(m.name) {
                        None | Some(Value::Null) => {
                            if m.required {
                                let member_shape = self.shape(m.shape);
                                self.fail(member_shape, None, &child, "Member must not be null".into());
                            }
                        }
                        Some(v) => self.check_value(m.shape, v, &child)?,
                    }
                }
            }
            Kind::List { member, min, max } => {
                let Value::Array(items) = value else {
                    return Err(type_error(&shape.kind, value));
                };
                self.check_length(shape, value, path, items.len(), *min, *max);
                let member_shape = self.shape(*member);
                if is_scalar(member_shape) {
                    // A list of scalars is judged as a whole at the list's own path.
                    let mut bad = false;
                    for item in items.iter().filter(|i| !i.is_null()) {
                        bad |= !scalar_failures(member_shape, item)?.is_empty();
                    }
                    if bad {
                        let inner = all_constraints(member_shape).join(", ");
                        self.fail(shape, Some(value), path, format!("Member must satisfy constraint: [{inner}]"));
                    }
                } else {
                    for (i, item) in items.iter().enumerate().filter(|(_, i)| !i.is_null()) {
                        self.check_value(*member, item, &format!("{path}.{}.member", i + 1))?;
                    }
                }
            }
            Kind::Map { key, value: value_shape, min, max } => {
                let Value::Object(entries) = value else {
                    return Err(type_error(&shape.kind, value));
                };
                self.check_length(shape, value, path, entries.len(), *min, *max);
                let (key_shape, value_shape_ref) = (self.shape(*key), self.shape(*value_shape));
                let mut bad_key = false;
                let mut bad_value = false;
                for (k, v) in entries {
                    bad_key |= !scalar_failures(key_shape, &Value::String(k.clone()))?.is_empty();
                    if v.is_null() {
                        continue;
                    }
                    if is_scalar(value_shape_ref) {
                        bad_value |= !scalar_failures(value_shape_ref, v)?.is_empty();
                    } else {
                        self.check_value(*value_shape, v, &format!("{path}.{k}"))?;
                    }
                }
                if bad_key {
                    let inner = all_constraints(key_shape).join(", ");
                    self.fail(shape, Some(value), path, format!("Map keys must satisfy constraint: [{inner}]"));
                }
                if bad_value {
                    let inner = all_constraints(value_shape_ref).join(", ");
                    self.fail(shape, Some(value), path, format!("Map value must satisfy constraint: [{inner}]"));
                }
            }
            _ if is_scalar(shape) => {
                for constraint in scalar_failures(shape, value)? {
                    self.fail(shape, Some(value), path, constraint);
                }
            }
            Kind::Document => {}
            _ => unreachable!("every kind is handled above"),
        }
        Ok(())
    }
    fn check_length(
        &mut self,
        shape: &Shape,
        value: &Value,
        path: &str,
        len: usize,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        let len = len as i64;
        if let Some(min) = min
            && len < min
        {
            self.fail(shape, Some(value), path, format!("Member must have length greater than or equal to {min}"));
        }
        if let Some(max) = max
            && len > max
        {
            self.fail(shape, Some(value), path, format!("Member must have length less than or equal to {max}"));
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
}

/// `UserPoolId` → `userPoolId`, as AWS names members in validation messages.
fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// A value as Java's `toString` shows it in AWS messages: strings bare, lists as `[a, b]`.
fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(display).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            format!("{{{}}}", map.iter().map(|(k, v)| format!("{k}={}", display(v))).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

/// Whether `value` matches the whole of the model's (Java) `pattern`.
pub fn pattern_matches(pattern: &'static str, value: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let regex = {
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.entry(pattern).or_insert_with(|| Regex::new(&format!("^(?:{})$", java_to_rust(pattern))).ok()).clone()
    };
    match regex {
        // A pattern that cannot be compiled here constrains nothing rather than rejecting all.
        None => true,
        Some(re) => re.is_match(value).unwrap_or(true),
    }
}

/// Java's `\w`, `\d` and `\s` are ASCII-only where Rust's are Unicode; spell them out.
fn java_to_rust(pattern: &str) -> String {
    let mut out = String::new();
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else { break };
                let (inside, outside) = match next {
                    'w' => ("0-9A-Za-z_", "[0-9A-Za-z_]"),
                    'd' => ("0-9", "[0-9]"),
                    's' => (" \\t\\n\\x0B\\f\\r", "[ \\t\\n\\x0B\\f\\r]"),
                    'S' if !in_class => ("", "[^ \\t\\n\\x0B\\f\\r]"),
                    _ => {
                        out.push('\\');
                        out.push(next);
                        continue;
                    }
                };
                if in_class && !inside.is_empty() {
                    out.push_str(inside);
                } else if in_class {
                    out.push_str("\\S");
                } else {
                    out.push_str(outside);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap());
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_classes_are_ascii() {
        assert!(pattern_matches("[\\w-]+_[0-9a-zA-Z]+", "us-east-1_abc"));
        assert!(!pattern_matches("[\\w-]+_[0-9a-zA-Z]+", "us-east-1"));
        assert!(!pattern_matches("[\\w]+", "é"));
        assert!(pattern_matches("[\\S]+", "abc!"));
        assert!(!pattern_matches("[\\S]+", "a b"));
        assert!(pattern_matches("[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+", "user@example.com"));
        assert!(pattern_matches("^[0-9A-Za-z\\.\\-_]*(?<!\\.)$", "abc.d"));
        assert!(!pattern_matches("^[0-9A-Za-z\\.\\-_]*(?<!\\.)$", "abc."));
    }

    #[test]
    fn every_model_pattern_compiles() {
        for svc in [&crate::idp::SERVICE, &crate::identity::SERVICE] {
            for shape in svc.shapes {
                if let Kind::String { pattern: Some(p), .. } = shape.kind {
                    let translated = format!("^(?:{})$", java_to_rust(p));
                    assert!(Regex::new(&translated).is_ok(), "{} pattern {p} -> {translated}", shape.name);
                }
            }
        }
    }

    #[test]
    fn messages_follow_aws() {
        let body = serde_json::json!({"UserPoolId": "bad id", "Username": ""});
        let idx = crate::idp::SERVICE.operation("AdminGetUser").unwrap().input.unwrap();
        let err = validate(&crate::idp::SERVICE, idx, &body).unwrap_err();
        assert_eq!(err.type_name, "InvalidParameterException");
        assert_eq!(
            err.message.unwrap(),
            "3 validation errors detected: Value 'bad id' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+; \
             Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
        );
        let err = validate(&crate::idp::SERVICE, idx, &serde_json::json!({"Username": "a"})).unwrap_err();
        assert_eq!(
            err.message.unwrap(),
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
        );
        let err =
            validate(&crate::idp::SERVICE, idx, &serde_json::json!({"UserPoolId": 5, "Username": "a"})).unwrap_err();
        assert_eq!(err.type_name, "SerializationException");
        assert_eq!(err.message.unwrap(), "NUMBER_VALUE can not be converted to a String");
    }

    #[test]
    fn list_members_are_judged_at_the_list() {
        let idx = crate::idp::SERVICE.operation("CreateUserPoolClient").unwrap().input.unwrap();
        let body = serde_json::json!({"UserPoolId": "us-east-1_abc", "ClientName": "c", "ExplicitAuthFlows": ["NOPE"]});
        let msg = validate(&crate::idp::SERVICE, idx, &body).unwrap_err().message.unwrap();
        assert!(msg.starts_with("1 validation error detected: Value '[NOPE]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ["), "{msg}");
    }

    #[test]
    fn enum_sets_print_in_java_hash_set_order() {
        assert_eq!(java_hash_set_order(&["OFF", "ON", "OPTIONAL"]), ["OPTIONAL", "OFF", "ON"]);
        assert_eq!(java_hash_set_order(&["RESEND", "SUPPRESS"]), ["SUPPRESS", "RESEND"]);
    }
}
