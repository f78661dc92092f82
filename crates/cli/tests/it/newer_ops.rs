//! The newer operations through the AWS SDK for Rust: client secret rotation, terms documents,
//! log delivery, provisioned limits and the SAML signing certificate, threat protection's
//! auth events and risk settings, user import jobs, provider links, GetClientToken, replicas,
//! and (as raw calls, the SDK having none) session tracking.

use crate::testkit::*;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

/// A client that signs in with USER_PASSWORD_AUTH (and refreshes) in `pool_id`, with what
/// `configure` adds.
async fn password_client(
    client: &Client,
    pool_id: &str,
    configure: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
) -> App {
    let made = create_client(client, pool_id, "app", |b| {
        configure(
            b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth),
        )
    })
    .await;
    App { pool_id: pool_id.to_string(), client_id: made.client_id.unwrap(), secret: made.client_secret }
}

#[tokio::test]
async fn a_client_secret_is_rotated_with_both_secrets_accepted_meanwhile() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "secrets").await;
    let app = password_client(&client, &pool_id, |b| b.generate_secret(true)).await;
    let first = app.secret.clone().expect("GenerateSecret gives the client a secret");
    user(&client, &pool_id, "ada", PW).await;

    let listed =
        client.list_user_pool_client_secrets().user_pool_id(&pool_id).client_id(&app.client_id).send().await.unwrap();
    assert_eq!(listed.client_secrets().len(), 1);
    let first_id = listed.client_secrets()[0].client_secret_id().unwrap().to_string();
    assert!(first_id.starts_with(&format!("{}--", app.client_id)), "secret id {first_id}");
    assert_eq!(listed.client_secrets()[0].client_secret_value(), None, "a listing never shows a value");
    assert!(listed.client_secrets()[0].client_secret_create_date().is_some());

    let added =
        client.add_user_pool_client_secret().user_pool_id(&pool_id).client_id(&app.client_id).send().await.unwrap();
    let descriptor = added.client_secret_descriptor().expect("the new secret's descriptor");
    let second = descriptor.client_secret_value().expect("a generated secret is returned once").to_string();
    let second_id = descriptor.client_secret_id().unwrap().to_string();
    assert_ne!(second, first);
    assert_ne!(second_id, first_id);

    let listed =
        client.list_user_pool_client_secrets().user_pool_id(&pool_id).client_id(&app.client_id).send().await.unwrap();
    let ids: Vec<_> = listed.client_secrets().iter().map(|s| s.client_secret_id().unwrap().to_string()).collect();
    assert_eq!(ids, [first_id.clone(), second_id.clone()], "oldest first");

    // Either secret signs in.
    for secret in [&first, &second] {
        let with = App { pool_id: pool_id.clone(), client_id: app.client_id.clone(), secret: Some(secret.clone()) };
        let tokens = sign_in(&client, &with, "ada", PW).await.expect("SECRET_HASH under this secret is accepted");
        assert!(tokens.access_token().is_some());
    }
    let wrong = App { pool_id: pool_id.clone(), client_id: app.client_id.clone(), secret: Some("not-a-secret".into()) };
    assert_eq!(sign_in(&client, &wrong, "ada", PW).await.unwrap_err().0, "NotAuthorizedException");

    // A third secret is one too many.
    let (code, _) = failure(
        client
            .add_user_pool_client_secret()
            .user_pool_id(&pool_id)
            .client_id(&app.client_id)
            .client_secret("aThirdSecretOfMyOwnChoosing0123456789")
            .send()
            .await,
    );
    assert_eq!(code, "LimitExceededException");

    // Dropping the first leaves the second as the client's secret.
    client
        .delete_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&app.client_id)
        .client_secret_id(&first_id)
        .send()
        .await
        .unwrap();
    let described = client
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&app.client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(described.client_secret(), Some(second.as_str()));
    let old = App { pool_id: pool_id.clone(), client_id: app.client_id.clone(), secret: Some(first.clone()) };
    assert_eq!(sign_in(&client, &old, "ada", PW).await.unwrap_err().0, "NotAuthorizedException");
    let new = App { pool_id: pool_id.clone(), client_id: app.client_id.clone(), secret: Some(second.clone()) };
    assert!(sign_in(&client, &new, "ada", PW).await.is_ok());
    let (code, _) = failure(
        client
            .delete_user_pool_client_secret()
            .user_pool_id(&pool_id)
            .client_id(&app.client_id)
            .client_secret_id(&second_id)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException", "the last secret stays");
}

#[tokio::test]
async fn terms_documents_are_created_found_by_client_listed_and_deleted() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "terms").await;
    let app_client = create_client(&client, &pool_id, "web", |b| b).await.client_id.unwrap();
    let create = || {
        client
            .create_terms()
            .user_pool_id(&pool_id)
            .client_id(&app_client)
            .terms_name("terms-of-use")
            .terms_source(TermsSourceType::Link)
            .enforcement(TermsEnforcementType::None)
            .links("cognito:default", "https://example.com/terms")
            .links("cognito:french", "https://example.com/fr/conditions")
            .send()
    };

    let made = create().await.unwrap().terms.unwrap();
    assert!(!made.terms_id().is_empty());
    assert_eq!(made.user_pool_id(), pool_id);
    assert_eq!(made.client_id(), app_client);
    assert_eq!(made.terms_name(), "terms-of-use");
    assert_eq!(made.terms_source(), &TermsSourceType::Link);
    assert_eq!(made.enforcement(), &TermsEnforcementType::None);
    assert_eq!(made.links().get("cognito:french").map(String::as_str), Some("https://example.com/fr/conditions"));

    let found = client
        .describe_terms_by_client()
        .user_pool_id(&pool_id)
        .client_id(&app_client)
        .terms_name("terms-of-use")
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    assert_eq!(found.terms_id(), made.terms_id());
    assert_eq!(found.links(), made.links());

    let (code, _) = failure(create().await);
    assert_eq!(code, "TermsExistsException");

    let listed = client.list_terms().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(listed.terms().len(), 1);
    assert_eq!(listed.terms()[0].terms_id(), made.terms_id());
    assert_eq!(listed.terms()[0].terms_name(), "terms-of-use");

    client.delete_terms().user_pool_id(&pool_id).terms_id(made.terms_id()).send().await.unwrap();
    assert!(client.list_terms().user_pool_id(&pool_id).send().await.unwrap().terms().is_empty());
    let (code, _) = failure(
        client
            .describe_terms_by_client()
            .user_pool_id(&pool_id)
            .client_id(&app_client)
            .terms_name("terms-of-use")
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = failure(client.delete_terms().user_pool_id(&pool_id).terms_id(made.terms_id()).send().await);
    assert_eq!(code, "ResourceNotFoundException");
}

fn category(name: &str) -> LimitDefinitionType {
    LimitDefinitionType::builder().limit_class(LimitClass::ApiCategory).attributes("Category", name).build().unwrap()
}

#[tokio::test]
async fn log_delivery_provisioned_limits_and_the_signing_certificate() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "settings").await;
    let group = "arn:aws:logs:us-east-1:123456789012:log-group:cognito-errors";

    // Log delivery: message errors into CloudWatch Logs.
    let errors = LogConfigurationType::builder()
        .log_level(LogLevel::Error)
        .event_source(EventSourceName::UserNotification)
        .cloud_watch_logs_configuration(CloudWatchLogsConfigurationType::builder().log_group_arn(group).build())
        .build()
        .unwrap();
    let set = client
        .set_log_delivery_configuration()
        .user_pool_id(&pool_id)
        .log_configurations(errors.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(set.log_delivery_configuration().unwrap().log_configurations(), std::slice::from_ref(&errors));
    let got = client.get_log_delivery_configuration().user_pool_id(&pool_id).send().await.unwrap();
    let got = got.log_delivery_configuration().unwrap();
    assert_eq!(got.user_pool_id(), pool_id);
    assert_eq!(got.log_configurations().len(), 1);
    let kept = &got.log_configurations()[0];
    assert_eq!(kept.log_level(), &LogLevel::Error);
    assert_eq!(kept.event_source(), &EventSourceName::UserNotification);
    assert_eq!(kept.cloud_watch_logs_configuration().and_then(|c| c.log_group_arn()), Some(group));

    let bare = LogConfigurationType::builder()
        .log_level(LogLevel::Error)
        .event_source(EventSourceName::UserNotification)
        .build()
        .unwrap();
    let (code, message) =
        failure(client.set_log_delivery_configuration().user_pool_id(&pool_id).log_configurations(bare).send().await);
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("have no destination: [userNotification]"), "{message}");
    let after = client.get_log_delivery_configuration().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(after.log_delivery_configuration().unwrap().log_configurations(), [errors], "a refusal keeps the old");

    // Provisioned limits: the default, a raise, and back.
    let limit = client.get_provisioned_limit().limit_definition(category("UserAuthentication")).send().await.unwrap();
    let limit = limit.limit().unwrap();
    assert_eq!((limit.provisioned_limit_value(), limit.free_limit_value()), (120, 120));
    assert_eq!(limit.limit_definition(), Some(&category("UserAuthentication")));
    let raised = client
        .update_provisioned_limit()
        .limit_definition(category("UserAuthentication"))
        .requested_limit_value(200)
        .send()
        .await
        .unwrap();
    assert_eq!(raised.limit().unwrap().provisioned_limit_value(), 200);
    let now = client.get_provisioned_limit().limit_definition(category("UserAuthentication")).send().await.unwrap();
    assert_eq!(now.limit().unwrap().provisioned_limit_value(), 200);
    client
        .update_provisioned_limit()
        .limit_definition(category("UserAuthentication"))
        .requested_limit_value(120)
        .send()
        .await
        .unwrap();
    let back = client.get_provisioned_limit().limit_definition(category("UserAuthentication")).send().await.unwrap();
    assert_eq!(back.limit().unwrap().provisioned_limit_value(), 120);
    let (code, _) = failure(
        client
            .update_provisioned_limit()
            .limit_definition(category("UserUpdate"))
            .requested_limit_value(50)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException", "UserUpdate cannot be provisioned");
    let (code, _) = failure(client.get_provisioned_limit().limit_definition(category("NoSuchCategory")).send().await);
    assert_eq!(code, "InvalidParameterException");

    // The SAML signing certificate: DER (a SEQUENCE), base64, the same each time.
    let cert = client.get_signing_certificate().user_pool_id(&pool_id).send().await.unwrap();
    let cert = cert.certificate().expect("a certificate").to_string();
    assert!(cert.starts_with("MII"), "{cert}");
    let der = STANDARD.decode(&cert).expect("plain base64, no PEM armour");
    assert_eq!(der[0], 0x30, "a DER SEQUENCE");
    let again = client.get_signing_certificate().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(again.certificate(), Some(cert.as_str()));
    let (code, _) = failure(client.get_signing_certificate().user_pool_id("us-east-1_nothere").send().await);
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn threat_protection_records_sign_ins_takes_feedback_and_keeps_risk_settings() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let add_ons =
        UserPoolAddOnsType::builder().advanced_security_mode(AdvancedSecurityModeType::Audit).build().unwrap();
    let pool_id =
        create_pool(&client, "risky", |b| b.user_pool_tier(UserPoolTierType::Plus).user_pool_add_ons(add_ons))
            .await
            .id
            .unwrap();
    let app = password_client(&client, &pool_id, |b| b).await;
    user(&client, &pool_id, "ada", PW).await;

    assert!(sign_in(&client, &app, "ada", PW).await.is_ok());
    assert_eq!(sign_in(&client, &app, "ada", "Wr0ng!password").await.unwrap_err().0, "NotAuthorizedException");

    let list = || client.admin_list_user_auth_events().user_pool_id(&pool_id).username("ada").send();
    let listed = list().await.unwrap();
    let events = listed.auth_events();
    let summary: Vec<_> = events.iter().map(|e| (e.event_type().cloned(), e.event_response().cloned())).collect();
    assert_eq!(
        summary,
        [
            (Some(EventType::SignIn), Some(EventResponseType::Fail)),
            (Some(EventType::SignIn), Some(EventResponseType::Pass)),
        ],
        "newest first"
    );
    let challenges = |e: &AuthEventType| -> Vec<_> {
        e.challenge_responses().iter().map(|c| (c.challenge_name().cloned(), c.challenge_response().cloned())).collect()
    };
    assert_eq!(challenges(&events[0]), [(Some(ChallengeName::Password), Some(ChallengeResponse::Failure))]);
    assert_eq!(challenges(&events[1]), [(Some(ChallengeName::Password), Some(ChallengeResponse::Success))]);
    for e in events {
        assert!(e.event_id().is_some() && e.creation_date().is_some());
        assert_eq!(e.event_risk().and_then(|r| r.risk_decision()), Some(&RiskDecisionType::NoRisk));
        assert!(e.event_feedback().is_none());
    }
    let failed_id = events[0].event_id().unwrap().to_string();

    client
        .admin_update_auth_event_feedback()
        .user_pool_id(&pool_id)
        .username("ada")
        .event_id(&failed_id)
        .feedback_value(FeedbackValueType::Invalid)
        .send()
        .await
        .unwrap();
    let listed = list().await.unwrap();
    assert_eq!(listed.auth_events().len(), 2, "feedback changes the event, adds none: {:?}", listed.auth_events());
    let failed = listed.auth_events().iter().find(|e| e.event_id() == Some(failed_id.as_str())).unwrap();
    let feedback = failed.event_feedback().expect("the feedback is on the event");
    assert_eq!(feedback.feedback_value(), &FeedbackValueType::Invalid);
    assert_eq!(feedback.provider(), "Admin");
    assert!(feedback.feedback_date().is_some());
    let (code, _) = failure(
        client
            .admin_update_auth_event_feedback()
            .user_pool_id(&pool_id)
            .username("ada")
            .event_id("00000000-0000-4000-8000-000000000000")
            .feedback_value(FeedbackValueType::Valid)
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");

    // Risk settings: an always-block range (not the test's own address: AUDIT lets it by anyway).
    let exceptions = RiskExceptionConfigurationType::builder()
        .blocked_ip_range_list("192.0.2.0/24")
        .blocked_ip_range_list("198.51.100.7")
        .skipped_ip_range_list("203.0.113.0/24")
        .build();
    let set = client
        .set_risk_configuration()
        .user_pool_id(&pool_id)
        .risk_exception_configuration(exceptions)
        .send()
        .await
        .unwrap();
    assert_eq!(set.risk_configuration().and_then(|r| r.user_pool_id()), Some(pool_id.as_str()));
    let described = client.describe_risk_configuration().user_pool_id(&pool_id).send().await.unwrap();
    let config = described.risk_configuration().expect("the pool's risk configuration");
    let kept = config.risk_exception_configuration().expect("the IP ranges are kept");
    assert_eq!(kept.blocked_ip_range_list(), ["192.0.2.0/24", "198.51.100.7"]);
    assert_eq!(kept.skipped_ip_range_list(), ["203.0.113.0/24"]);
    assert!(config.last_modified_date().is_some());
    let (code, _) = failure(
        client
            .set_risk_configuration()
            .user_pool_id(&pool_id)
            .risk_exception_configuration(
                RiskExceptionConfigurationType::builder().blocked_ip_range_list("not-a-cidr").build(),
            )
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert!(sign_in(&client, &app, "ada", PW).await.is_ok(), "AUDIT blocks nothing");

    // Without the add-on there are no events to list.
    let plain = pool(&client, "plain").await;
    user(&client, &plain, "bea", PW).await;
    let (code, _) = failure(client.admin_list_user_auth_events().user_pool_id(&plain).username("bea").send().await);
    assert_eq!(code, "UserPoolAddOnNotEnabledException");
}

/// A PUT of `body` to `url`, with the encryption header the URL signs if `encrypted`: the
/// status and body.
fn upload(url: &str, body: &str, encrypted: bool) -> (u16, String) {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut req = agent.put(url).header("Content-Type", "text/csv");
    if encrypted {
        req = req.header("x-amz-server-side-encryption", "aws:kms");
    }
    let mut resp = req.send(body.as_bytes()).expect("the upload is answered");
    (resp.status().as_u16(), resp.body_mut().read_to_string().unwrap_or_default())
}

#[tokio::test]
async fn a_user_import_job_takes_an_uploaded_file_and_imports_its_users() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id =
        create_pool(&client, "import", |b| b.auto_verified_attributes(VerifiedAttributeType::Email)).await.id.unwrap();

    let header = client.get_csv_header().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(header.user_pool_id(), Some(pool_id.as_str()));
    let columns = header.csv_header();
    assert_eq!(columns.last().map(String::as_str), Some("cognito:username"));
    assert!(columns.iter().any(|c| c == "email") && columns.iter().any(|c| c == "cognito:mfa_enabled"));
    assert!(!columns.iter().any(|c| c == "sub"));

    let role = "arn:aws:iam::123456789012:role/CognitoImport";
    let create = |name: &'static str| {
        client.create_user_import_job().user_pool_id(&pool_id).job_name(name).cloud_watch_logs_role_arn(role).send()
    };
    let job = create("first").await.unwrap().user_import_job.unwrap();
    let job_id = job.job_id().unwrap().to_string();
    assert_eq!(job.status(), Some(&UserImportJobStatusType::Created));
    assert_eq!(job.job_name(), Some("first"));
    assert_eq!(job.cloud_watch_logs_role_arn(), Some(role));
    let url = job.pre_signed_url().expect("a URL to upload the file to").to_string();

    let csv = "cognito:username,email,email_verified,cognito:mfa_enabled\n\
               imported1,imported1@example.com,true,false\n\
               imported2,imported2@example.com,TRUE,\n";
    let (status, body) = upload(&url, csv, false);
    assert_eq!(status, 403, "S3 wants the header the URL signs: {body}");
    assert!(body.contains("SignatureDoesNotMatch"), "{body}");
    let (status, body) = upload(&url, csv, true);
    assert_eq!(status, 200, "{body}");

    let started = client.start_user_import_job().user_pool_id(&pool_id).job_id(&job_id).send().await.unwrap();
    let started = started.user_import_job.unwrap();
    assert!(
        matches!(started.status(), Some(UserImportJobStatusType::Pending | UserImportJobStatusType::InProgress)),
        "{:?}",
        started.status()
    );
    assert!(started.start_date().is_some());

    let mut done = None;
    for _ in 0..100 {
        let described = client.describe_user_import_job().user_pool_id(&pool_id).job_id(&job_id).send().await.unwrap();
        let j = described.user_import_job.unwrap();
        if matches!(
            j.status(),
            Some(
                UserImportJobStatusType::Succeeded | UserImportJobStatusType::Failed | UserImportJobStatusType::Stopped
            )
        ) {
            done = Some(j);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let done = done.expect("the job ends within five seconds");
    assert_eq!(done.status(), Some(&UserImportJobStatusType::Succeeded), "{done:?}");
    assert_eq!((done.imported_users(), done.skipped_users(), done.failed_users()), (2, 0, 0));
    assert_eq!(done.completion_message(), Some("Import Job Completed Successfully."));
    assert!(done.completion_date().is_some());

    let imported = client.admin_get_user().user_pool_id(&pool_id).username("imported1").send().await.unwrap();
    assert_eq!(imported.user_status(), Some(&UserStatusType::ResetRequired));
    assert_eq!(attr_value(imported.user_attributes(), "email").as_deref(), Some("imported1@example.com"));
    assert_eq!(attr_value(imported.user_attributes(), "email_verified").as_deref(), Some("true"));
    assert!(attr_value(imported.user_attributes(), "sub").is_some());

    // A job started before its file came.
    let early = create("second").await.unwrap().user_import_job.unwrap();
    let early_id = early.job_id().unwrap().to_string();
    let (code, message) = failure(client.start_user_import_job().user_pool_id(&pool_id).job_id(&early_id).send().await);
    assert_eq!(code, "PreconditionNotMetException");
    assert_eq!(message, format!("No csv file was uploaded for {early_id}"));

    let jobs = client.list_user_import_jobs().user_pool_id(&pool_id).max_results(10).send().await.unwrap();
    let ids: Vec<_> = jobs.user_import_jobs().iter().map(|j| j.job_id().unwrap().to_string()).collect();
    assert_eq!(ids, [early_id.clone(), job_id.clone()], "newest first");
    let (code, _) = failure(client.stop_user_import_job().user_pool_id(&pool_id).job_id(&job_id).send().await);
    assert_eq!(code, "PreconditionNotMetException", "a finished job cannot be stopped");
}

fn subject(provider: &str, value: &str) -> ProviderUserIdentifierType {
    ProviderUserIdentifierType::builder()
        .provider_name(provider)
        .provider_attribute_name("Cognito_Subject")
        .provider_attribute_value(value)
        .build()
}

#[tokio::test]
async fn a_federated_subject_is_linked_to_a_user_and_unlinked() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "links").await;
    client
        .create_identity_provider()
        .user_pool_id(&pool_id)
        .provider_name("Corp")
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", "corp-client")
        .provider_details("client_secret", "corp-secret")
        .provider_details("authorize_scopes", "openid email")
        .provider_details("oidc_issuer", "https://idp.example.com")
        .provider_details("attributes_request_method", "GET")
        .send()
        .await
        .unwrap();
    user(&client, &pool_id, "ada", PW).await;
    let destination =
        ProviderUserIdentifierType::builder().provider_name("Cognito").provider_attribute_value("ada").build();
    let link = || {
        client
            .admin_link_provider_for_user()
            .user_pool_id(&pool_id)
            .destination_user(destination.clone())
            .source_user(subject("Corp", "corp-subject-1"))
            .send()
    };

    link().await.unwrap();
    let got = client.admin_get_user().user_pool_id(&pool_id).username("ada").send().await.unwrap();
    let identities = attr_value(got.user_attributes(), "identities").expect("the identities attribute");
    let identities: serde_json::Value = serde_json::from_str(&identities).expect("identities is JSON");
    let list = identities.as_array().expect("a list of links");
    assert_eq!(list.len(), 1, "{identities}");
    assert_eq!(list[0]["userId"], "corp-subject-1");
    assert_eq!(list[0]["providerName"], "Corp");
    assert_eq!(list[0]["providerType"], "OIDC");
    assert_eq!(list[0]["primary"], false);

    let (code, message) = failure(link().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterException", "SourceUser is already linked to DestinationUser")
    );
    let (code, _) = failure(
        client
            .admin_link_provider_for_user()
            .user_pool_id(&pool_id)
            .destination_user(destination.clone())
            .source_user(subject("NoSuchProvider", "x"))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");

    client
        .admin_disable_provider_for_user()
        .user_pool_id(&pool_id)
        .user(subject("Corp", "corp-subject-1"))
        .send()
        .await
        .unwrap();
    let got = client.admin_get_user().user_pool_id(&pool_id).username("ada").send().await.unwrap();
    assert_eq!(attr_value(got.user_attributes(), "identities"), None, "{:?}", got.user_attributes());
    let (code, message) = failure(
        client
            .admin_disable_provider_for_user()
            .user_pool_id(&pool_id)
            .user(subject("Corp", "corp-subject-1"))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("isn't linked"), "{message}");
    // Linking works again once undone.
    link().await.unwrap();
}

#[tokio::test]
async fn get_client_token_issues_a_machine_access_token() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "machines").await;
    client
        .create_resource_server()
        .user_pool_id(&pool_id)
        .identifier("api")
        .name("API")
        .scopes(ResourceServerScopeType::builder().scope_name("read").scope_description("Read").build().unwrap())
        .scopes(ResourceServerScopeType::builder().scope_name("write").scope_description("Write").build().unwrap())
        .send()
        .await
        .unwrap();
    let made = create_client(&client, &pool_id, "machine", |b| {
        b.generate_secret(true)
            // SDK 1.144 has no variant for the flow: it goes as the string it is.
            .explicit_auth_flows(ExplicitAuthFlowsType::from("ALLOW_CLIENT_TOKEN_AUTH"))
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_scopes("api/read")
            .allowed_o_auth_scopes("api/write")
    })
    .await;
    let client_id = made.client_id.unwrap();
    let secret = made.client_secret.expect("a secret");

    let out = client.get_client_token().client_id(&client_id).secret(&secret).send().await.unwrap();
    let result = out.client_authentication_result().expect("a result");
    assert_eq!(result.token_type(), Some("Bearer"));
    assert!(result.expires_in() > 0);
    let (header, claims) = jwt_parts(result.access_token().expect("an access token"));
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["client_id"], client_id.as_str());
    assert_eq!(claims["token_use"], "access");
    let mut scopes: Vec<&str> = claims["scope"].as_str().unwrap().split(' ').collect();
    scopes.sort();
    assert_eq!(scopes, ["api/read", "api/write"]);
    assert_eq!(claims["iss"], format!("{}/{pool_id}", cognate.url).as_str());

    let one = client.get_client_token().client_id(&client_id).secret(&secret).scopes("api/read").send().await.unwrap();
    let (_, claims) = jwt_parts(one.client_authentication_result().unwrap().access_token().unwrap());
    assert_eq!(claims["scope"], "api/read");

    let (code, _) = failure(
        client.get_client_token().client_id(&client_id).secret("wrongSecretOfTheRightShape0123456789").send().await,
    );
    assert_eq!(code, "NotAuthorizedException");
    let (code, _) =
        failure(client.get_client_token().client_id(&client_id).secret(&secret).scopes("api/delete").send().await);
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn a_pool_with_a_customer_managed_key_gets_one_replica() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let key = KeyConfigurationType::builder()
        .key_type(EncryptionKeyType::CustomerManagedKey)
        .kms_key_arn("arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab")
        .build();
    let primary = create_pool(&client, "replicated", |b| b.key_configuration(key)).await;
    let pool_id = primary.id.clone().unwrap();
    let arn = primary.arn.clone().unwrap();

    let made = client.create_user_pool_replica().user_pool_id(&pool_id).region_name("us-west-2").send().await.unwrap();
    let replica = made.user_pool_replica().expect("the replica");
    assert_eq!(replica.region_name(), Some("us-west-2"));
    assert_eq!(replica.status(), Some(&ReplicaStatusType::Creating));
    assert_eq!(replica.role(), Some(&ReplicaRoleType::Secondary));
    assert_eq!(replica.user_pool_arn(), Some(arn.replace(":us-east-1:", ":us-west-2:").as_str()));

    let listed = client.list_user_pool_replicas().user_pool_id(&pool_id).send().await.unwrap();
    let summary: Vec<_> = listed
        .user_pool_replicas()
        .iter()
        .map(|r| (r.region_name().unwrap().to_string(), r.role().cloned(), r.status().cloned()))
        .collect();
    assert_eq!(
        summary,
        [
            ("us-east-1".to_string(), Some(ReplicaRoleType::Primary), Some(ReplicaStatusType::Active)),
            ("us-west-2".to_string(), Some(ReplicaRoleType::Secondary), Some(ReplicaStatusType::Inactive)),
        ]
    );
    assert_eq!(listed.user_pool_replicas()[0].user_pool_arn(), Some(arn.as_str()));

    let (code, _) =
        failure(client.create_user_pool_replica().user_pool_id(&pool_id).region_name("eu-west-1").send().await);
    assert_eq!(code, "LimitExceededException");

    // A pool under AWS's own key cannot be replicated.
    let plain = pool(&client, "plain").await;
    let (code, _) =
        failure(client.create_user_pool_replica().user_pool_id(&plain).region_name("us-west-2").send().await);
    assert_eq!(code, "InvalidParameterException");

    // An ACTIVE replica is not deleted; an INACTIVE one is.
    client
        .update_user_pool_replica()
        .user_pool_id(&pool_id)
        .region_name("us-west-2")
        .status(UpdateReplicaStatusType::Active)
        .send()
        .await
        .unwrap();
    let (code, _) =
        failure(client.delete_user_pool_replica().user_pool_id(&pool_id).region_name("us-west-2").send().await);
    assert_eq!(code, "InvalidParameterException");
    client
        .update_user_pool_replica()
        .user_pool_id(&pool_id)
        .region_name("us-west-2")
        .status(UpdateReplicaStatusType::Inactive)
        .send()
        .await
        .unwrap();
    client.delete_user_pool_replica().user_pool_id(&pool_id).region_name("us-west-2").send().await.unwrap();
    let listed = client.list_user_pool_replicas().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(listed.user_pool_replicas().len(), 1, "only the primary is left");
}

#[tokio::test]
async fn tracked_sessions_are_listed_and_one_is_revoked() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "ada", PW).await;

    // Before tracking is on there is nothing to list.
    let before = cognate.call("AdminListUserSessions", json!({"UserPoolId": app.pool_id, "Username": "ada"}));
    assert_eq!((before.status, before.type_name()), (400, "OperationNotEnabledException"), "{before:?}");

    let set = cognate.call(
        "SetUserPoolSessionConfiguration",
        json!({"UserPoolId": app.pool_id, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 5}}),
    );
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.body["UserSessionTracking"], "ENABLED");
    let got = cognate.call("GetUserPoolSessionConfiguration", json!({"UserPoolId": app.pool_id}));
    assert_eq!(
        (got.body["UserSessionTracking"].as_str(), got.body["TokenSession"]["MaxPerUser"].as_i64()),
        (Some("ENABLED"), Some(5)),
        "{got:?}"
    );

    let first = sign_in(&client, &app, "ada", PW).await.unwrap();
    let second = sign_in(&client, &app, "ada", PW).await.unwrap();

    let listed = cognate.call("AdminListUserSessions", json!({"UserPoolId": app.pool_id, "Username": "ada"}));
    assert_eq!(listed.status, 200, "{listed:?}");
    let sessions = listed.body["Sessions"].as_array().expect("Sessions").clone();
    assert_eq!(sessions.len(), 2, "{listed:?}");
    for s in &sessions {
        assert_eq!(s["ClientId"], app.client_id.as_str());
        assert_eq!(s["SessionType"], "TOKEN");
        assert!(s["SessionId"].is_string() && s["CreateDate"].is_number(), "{s}");
    }

    // The user's own view marks the session its token belongs to.
    let own = cognate.call("ListUserSessions", json!({"AccessToken": second.access_token().unwrap()}));
    assert_eq!(own.status, 200, "{own:?}");
    let own_sessions = own.body["Sessions"].as_array().unwrap();
    assert_eq!(own_sessions.len(), 2);
    let current: Vec<_> = own_sessions.iter().filter(|s| s["IsCurrentSession"] == true).collect();
    assert_eq!(current.len(), 1, "{own:?}");
    let second_id = current[0]["SessionId"].as_str().unwrap().to_string();

    let revoked = cognate
        .call("AdminRevokeUserSession", json!({"UserPoolId": app.pool_id, "Username": "ada", "SessionId": second_id}));
    assert_eq!(revoked.status, 200, "{revoked:?}");

    let (code, _) = failure(refresh(&client, &app.client_id, second.refresh_token().unwrap()).await);
    assert_eq!(code, "NotAuthorizedException", "the revoked session's refresh token is refused");
    let again = refresh(&client, &app.client_id, first.refresh_token().unwrap()).await.unwrap();
    assert!(again.authentication_result().and_then(|r| r.access_token()).is_some(), "the other session lives on");

    let listed = cognate.call("AdminListUserSessions", json!({"UserPoolId": app.pool_id, "Username": "ada"}));
    let left = listed.body["Sessions"].as_array().unwrap();
    assert_eq!(left.len(), 1, "{listed:?}");
    assert_ne!(left[0]["SessionId"], second_id.as_str());

    let missing = cognate.call(
        "AdminRevokeUserSession",
        json!({"UserPoolId": app.pool_id, "Username": "ada", "SessionId": "tkn0000000000000000000000000"}),
    );
    assert_eq!(missing.type_name(), "ResourceNotFoundException", "{missing:?}");
}
