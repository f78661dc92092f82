//! Devices through the AWS SDK for Rust: tracking, confirmation, status, listing and
//! forgetting. (The device's own SRP round is proved with Amplify and
//! amazon-cognito-identity-js in tests/js.)

use crate::testkit::{Cognate, PW, app, attr_value, failure, jwt_parts, password_auth, sign_in, user};
use aws_sdk_cognitoidentityprovider::types::*;
use base64::Engine as _;

#[tokio::test]
async fn devices_are_tracked_confirmed_and_forgotten() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    let untracked = sign_in(&client, &app, "nobody-yet", PW).await;
    assert!(untracked.is_err());
    user(&client, &app.pool_id, "xia", PW).await;
    let plain = sign_in(&client, &app, "xia", PW).await.unwrap();
    assert!(plain.new_device_metadata().is_none(), "pools without a DeviceConfiguration track nothing");

    client
        .update_user_pool()
        .user_pool_id(&app.pool_id)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let tokens = sign_in(&client, &app, "xia", PW).await.unwrap();
    let meta = tokens.new_device_metadata().unwrap();
    let device_key = meta.device_key().unwrap().to_string();
    assert!(device_key.starts_with("us-east-1_"));
    assert!(meta.device_group_key().unwrap().starts_with('-'));
    let (_, access) = jwt_parts(tokens.access_token().unwrap());
    assert_eq!(access["device_key"], device_key.as_str());
    let token = tokens.access_token().unwrap();

    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let confirmed = client
        .confirm_device()
        .access_token(token)
        .device_key(&device_key)
        .device_name("laptop")
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder().password_verifier(b64(&[7u8; 384])).salt(b64(&[9u8; 16])).build(),
        )
        .send()
        .await
        .unwrap();
    assert!(confirmed.user_confirmation_necessary(), "remembered only when the user says so");

    let device = client.get_device().access_token(token).device_key(&device_key).send().await.unwrap().device.unwrap();
    let attr = |d: &DeviceType, n: &str| attr_value(d.device_attributes(), n);
    assert_eq!(attr(&device, "device_name").as_deref(), Some("laptop"));
    assert_eq!(attr(&device, "dev:device_remembered_status").as_deref(), Some("not_remembered"));
    client
        .update_device_status()
        .access_token(token)
        .device_key(&device_key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();
    let listed = client.list_devices().access_token(token).send().await.unwrap();
    assert_eq!(listed.devices().len(), 1);
    assert_eq!(attr(&listed.devices()[0], "dev:device_remembered_status").as_deref(), Some("remembered"));
    let admin = client.admin_list_devices().user_pool_id(&app.pool_id).username("xia").send().await.unwrap();
    assert_eq!(admin.devices()[0].device_key(), Some(device_key.as_str()));

    // Signing in from the confirmed device asks the device to prove itself.
    let challenge = password_auth(&client, &app.client_id, "xia", PW)
        .auth_parameters("DEVICE_KEY", &device_key)
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.challenge_name(), Some(&ChallengeNameType::DeviceSrpAuth));
    assert!(challenge.session().is_some());

    client.forget_device().access_token(token).device_key(&device_key).send().await.unwrap();
    // A forgotten (or unknown) device key is refused after the password checks out.
    let (code, message) = failure(
        password_auth(&client, &app.client_id, "xia", PW).auth_parameters("DEVICE_KEY", &device_key).send().await,
    );
    assert_eq!((code.as_str(), message.as_str()), ("ResourceNotFoundException", "Device does not exist."));
    let (code, message) = failure(client.get_device().access_token(token).device_key(&device_key).send().await);
    assert_eq!((code.as_str(), message.as_str()), ("ResourceNotFoundException", "Device does not exist."));
    let (code, _) = failure(
        client.admin_get_device().user_pool_id(&app.pool_id).username("xia").device_key(&device_key).send().await,
    );
    assert_eq!(code, "ResourceNotFoundException");
}
