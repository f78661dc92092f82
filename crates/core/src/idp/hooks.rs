//! The triggers around a user's creation: PreSignUp (for SignUp, AdminCreateUser and a first
//! federated sign-in) and PostConfirmation.

use crate::idp::service::UserPools;
use crate::store::UserRecord;
use cognate_proto::ApiError;
use cognate_proto::idp::{AttributeType, UserPoolType};

impl UserPools {
    /// The PreSignUp trigger for a user about to be created (not yet written). Applies
    /// autoVerifyEmail / autoVerifyPhone to the user and answers autoConfirmUser.
    pub(crate) fn pre_sign_up(
        &self,
        pool: &UserPoolType,
        user: &mut UserRecord,
        source: &str,
        client_id: Option<&str>,
        validation_data: Option<&[AttributeType]>,
        metadata: Option<std::collections::BTreeMap<String, String>>,
    ) -> Result<bool, ApiError> {
        let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.pre_sign_up.as_ref()) else { return Ok(false) };
        let attrs: Vec<(&str, &str)> = user
            .attributes
            .iter()
            .filter(|a| a.name != "sub")
            .map(|a| (a.name.as_str(), a.value.as_deref().unwrap_or_default()))
            .collect();
        let validation = validation_data.map(|v| {
            crate::triggers::attribute_map(v.iter().map(|a| (a.name.as_str(), a.value.as_deref().unwrap_or_default())))
        });
        let header = crate::triggers::EventHeader {
            trigger_source: source,
            user_pool_id: pool.id.as_deref().unwrap_or_default(),
            user_name: &user.username,
            client_id,
        };
        let mut request = serde_json::json!({
            "userAttributes": crate::triggers::attribute_map(attrs),
            "validationData": validation,
            "clientMetadata": metadata.unwrap_or_default(),
        });
        if source == "PreSignUp_ExternalProvider" {
            // As captured from Cognito: empty alias slots, empty validation data, and no client
            // metadata (a redirect cannot carry any).
            request["userAttributes"]["cognito:email_alias"] = "".into();
            request["userAttributes"]["cognito:phone_number_alias"] = "".into();
            request["validationData"] = serde_json::json!({});
            request.as_object_mut().expect("an object").remove("clientMetadata");
        }
        let event = crate::triggers::event(&header, request);
        let answer = self.run_trigger(arn, "PreSignUp", event)?;
        let flag = |name: &str| answer["response"][name].as_bool().unwrap_or(false);
        if flag("autoVerifyEmail") && user.attribute("email").is_some() {
            user.set_attribute("email_verified", "true");
        }
        if flag("autoVerifyPhone") && user.attribute("phone_number").is_some() {
            user.set_attribute("phone_number_verified", "true");
        }
        Ok(flag("autoConfirmUser"))
    }

    /// The PostConfirmation trigger, after the confirmation is committed.
    pub(crate) fn post_confirmation(
        &self,
        pool: &UserPoolType,
        user: &UserRecord,
        client_id: &str,
        source: &str,
        metadata: Option<std::collections::BTreeMap<String, String>>,
    ) -> Result<(), ApiError> {
        let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.post_confirmation.as_ref()) else {
            return Ok(());
        };
        let header = crate::triggers::EventHeader {
            trigger_source: source,
            user_pool_id: pool.id.as_deref().unwrap_or_default(),
            user_name: &user.username,
            client_id: Some(client_id),
        };
        let event = crate::triggers::event(
            &header,
            serde_json::json!({"userAttributes": crate::triggers::event_attributes(user), "clientMetadata": metadata.unwrap_or_default()}),
        );
        self.run_trigger(arn, "PostConfirmation", event).map(drop)
    }
}
