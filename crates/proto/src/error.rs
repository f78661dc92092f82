use std::borrow::Cow;
use std::fmt;

/// An error as the AWS JSON protocol carries it: `__type`, `message` and an HTTP status.
/// Constructors for every exception in the models are generated (`ApiError::user_not_found`,
/// ...); the ones here are the protocol's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub type_name: Cow<'static, str>,
    pub status: u16,
    pub message: Option<String>,
}

impl ApiError {
    pub fn new(type_name: &'static str, status: u16, message: impl Into<String>) -> Self {
        Self { type_name: Cow::Borrowed(type_name), status, message: Some(message.into()) }
    }

    /// An X-Amz-Target that names no operation of the service.
    pub fn unknown_operation() -> Self {
        Self { type_name: Cow::Borrowed("UnknownOperationException"), status: 400, message: None }
    }

    /// A body that is not JSON, or a value of the wrong JSON type.
    pub fn serialization(message: Option<String>) -> Self {
        Self { type_name: Cow::Borrowed("SerializationException"), status: 400, message }
    }

    /// A request that breaks the model's constraints, as the identity-pool service (and the
    /// AWS services generally) answers it; the user-pool API says InvalidParameterException.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationException", 400, message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.type_name, self.message.as_deref().unwrap_or(""))
    }
}

impl std::error::Error for ApiError {}
