//! How the managed login pages look: the classic hosted UI's customization (SetUICustomization,
//! GetUICustomization: CSS limited to Cognito's `-customizable` classes, and a logo) and managed
//! login branding styles (Create/Describe/Update/DeleteManagedLoginBranding,
//! DescribeManagedLoginBrandingByClient). The classic pages apply the CSS and the logo; a
//! style's settings are kept as given. Facts and sources: docs/fidelity.md, "Managed login".

use crate::env::RandomExt as _;
use crate::idp::domains::version_stamp;
use crate::idp::lookup::load_pool;
use crate::idp::service::UserPools;
use crate::store::{Tx, UiCustomization};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde_json::Value;

/// The selectors classic CSS may style (hosted-ui-classic-branding, "CSS classes").
const SELECTORS: [&str; 18] = [
    ".background-customizable",
    ".banner-customizable",
    ".errorMessage-customizable",
    ".idpButton-customizable",
    ".idpButton-customizable:hover",
    ".idpDescription-customizable",
    ".inputField-customizable",
    ".inputField-customizable:focus",
    ".label-customizable",
    ".legalText-customizable",
    ".logo-customizable",
    ".passwordCheck-notValid-customizable",
    ".passwordCheck-valid-customizable",
    ".redirect-customizable",
    ".socialButton-customizable",
    ".submitButton-customizable",
    ".submitButton-customizable:hover",
    ".textDescription-customizable",
];

/// A logo may be 100 KB (hosted-ui-classic-branding).
const MAX_IMAGE: usize = 100 * 1024;

/// Checks a classic style sheet: rules on Cognito's selectors only, no at-rules, nothing that
/// could end the `<style>` element the pages put it in.
fn check_css(css: &str) -> Result<(), ApiError> {
    let invalid = |why: String| ApiError::invalid_parameter(format!("Invalid CSS: {why}"));
    if css.contains('<') || css.contains('@') || css.contains('\\') {
        return Err(invalid("at-rules, '<' and escapes are not allowed.".into()));
    }
    let mut text = css.to_string();
    while let Some(start) = text.find("/*") {
        let end = text[start..].find("*/").map(|e| start + e + 2).unwrap_or(text.len());
        text.replace_range(start..end, " ");
    }
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|c| open + c).ok_or_else(|| invalid("a rule is not closed.".into()))?;
        if rest[open + 1..close].contains('{') {
            return Err(invalid("rules cannot nest.".into()));
        }
        for selector in rest[..open].split(',').map(str::trim) {
            if !SELECTORS.contains(&selector) {
                return Err(invalid(format!("{selector} is not a customizable class.")));
            }
        }
        rest = &rest[close + 1..];
    }
    if !rest.trim().is_empty() {
        return Err(invalid("text outside a rule.".into()));
    }
    Ok(())
}

/// The image's MIME type, if it is a PNG or a JPEG (the formats a logo may have).
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        _ => None,
    }
}

fn described(c: &UiCustomization, base: &str) -> UICustomizationType {
    UICustomizationType {
        user_pool_id: Some(c.pool_id.clone()),
        client_id: Some(c.client_id.clone()),
        image_url: c
            .image
            .as_ref()
            .map(|_| format!("{base}/{}/{}/{}/assets/images/image.jpg", c.pool_id, c.client_id, c.version)),
        css: c.css.clone(),
        css_version: c.css.as_ref().map(|_| c.version.clone()),
        last_modified_date: Some(c.modified),
        creation_date: Some(c.created),
    }
}

fn base(ctx: &RequestContext) -> &str {
    ctx.base_url.as_deref().unwrap_or("http://localhost:9229").trim_end_matches('/')
}

/// The pool's client `client_id`, or Cognito's refusal.
fn pool_client(tx: &mut dyn Tx, pool_id: &str, client_id: &str) -> Result<UserPoolClientType, ApiError> {
    tx.client(client_id)?
        .filter(|c| c.user_pool_id.as_deref() == Some(pool_id))
        .ok_or_else(|| ApiError::resource_not_found(format!("User pool client {client_id} does not exist.")))
}

pub(crate) fn set_ui_customization(
    up: &UserPools,
    ctx: &RequestContext,
    input: SetUICustomizationRequest,
) -> Result<SetUICustomizationResponse, ApiError> {
    let client_id = input.client_id.clone().unwrap_or_else(|| "ALL".into());
    if let Some(css) = &input.css {
        check_css(css)?;
    }
    let image = match &input.image_file {
        None => None,
        Some(encoded) => {
            let bytes = STANDARD
                .decode(encoded)
                .map_err(|_| ApiError::invalid_parameter("The image file is not valid Base64."))?;
            if bytes.len() > MAX_IMAGE || image_type(&bytes).is_none() {
                return Err(ApiError::invalid_parameter("The image file must be a PNG or JPEG of at most 100 KB."));
            }
            Some(encoded.clone())
        }
    };
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        if client_id != "ALL" {
            pool_client(tx, &input.user_pool_id, &client_id)?;
        }
        if pool.domain.is_none() && pool.custom_domain.is_none() {
            return Err(ApiError::invalid_parameter(
                "There has to be an existing domain associated with this user pool",
            ));
        }
        let created = tx.ui_customization(&input.user_pool_id, &client_id)?.map(|c| c.created).unwrap_or(now);
        let c = UiCustomization {
            pool_id: input.user_pool_id.clone(),
            client_id,
            css: input.css.clone(),
            image,
            version: version_stamp(now),
            created,
            modified: now,
        };
        tx.put_ui_customization(&c)?;
        Ok(SetUICustomizationResponse { ui_customization: described(&c, base(ctx)) })
    })
}

pub(crate) fn get_ui_customization(
    up: &UserPools,
    ctx: &RequestContext,
    input: GetUICustomizationRequest,
) -> Result<GetUICustomizationResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let found = ui_customization_of(tx, &input.user_pool_id, input.client_id.as_deref())?;
        // "Returns an empty object if you haven't applied hosted UI branding to either the
        // client or the user pool" (API reference).
        let ui_customization = found.map(|c| described(&c, base(ctx))).unwrap_or_default();
        Ok(GetUICustomizationResponse { ui_customization })
    })
}

/// A client's classic customization, else the pool's (`ALL`).
pub(crate) fn ui_customization_of(
    tx: &mut dyn Tx,
    pool_id: &str,
    client_id: Option<&str>,
) -> Result<Option<UiCustomization>, ApiError> {
    if let Some(id) = client_id.filter(|c| *c != "ALL")
        && let Some(own) = tx.ui_customization(pool_id, id)?
    {
        return Ok(Some(own));
    }
    tx.ui_customization(pool_id, "ALL")
}

impl UserPools {
    /// The logo a classic customization holds, for its ImageUrl: its MIME type and bytes.
    pub fn ui_logo(
        &self,
        pool_id: &str,
        client_id: &str,
        version: &str,
    ) -> Result<Option<(&'static str, Vec<u8>)>, ApiError> {
        let found = self.tx(|tx| tx.ui_customization(pool_id, client_id))?;
        let bytes = found.filter(|c| c.version == version).and_then(|c| c.image).and_then(|i| STANDARD.decode(i).ok());
        Ok(bytes.and_then(|b| image_type(&b).map(|t| (t, b))))
    }
}

/// `UseCognitoProvidedValues` with settings or assets beside it: the API reference says they
/// must be left out.
fn check_style(
    use_defaults: Option<bool>,
    settings: &Option<Value>,
    assets: &Option<Vec<AssetType>>,
) -> Result<(), ApiError> {
    if use_defaults == Some(true) && (settings.is_some() || assets.as_ref().is_some_and(|a| !a.is_empty())) {
        return Err(ApiError::invalid_parameter(
            "Settings and Assets cannot be specified when UseCognitoProvidedValues is true.",
        ));
    }
    Ok(())
}

/// `into` with `from`'s members laid over it, objects merged member by member: an update keeps
/// the settings it does not name (API reference, UpdateManagedLoginBranding).
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

fn no_style() -> ApiError {
    ApiError::resource_not_found("Managed login branding does not exist.")
}

pub(crate) fn create_managed_login_branding(
    up: &UserPools,
    input: CreateManagedLoginBrandingRequest,
) -> Result<CreateManagedLoginBrandingResponse, ApiError> {
    check_style(input.use_cognito_provided_values, &input.settings, &input.assets)?;
    let now = up.now();
    let id = up.rng.uuid_v4();
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        pool_client(tx, &input.user_pool_id, &input.client_id)?;
        if tx.branding_of_client(&input.user_pool_id, &input.client_id)?.is_some() {
            return Err(ApiError::managed_login_branding_exists(
                "A managed login branding style already exists for this app client.",
            ));
        }
        let branding = ManagedLoginBrandingType {
            managed_login_branding_id: Some(id.clone()),
            user_pool_id: Some(input.user_pool_id.clone()),
            use_cognito_provided_values: Some(input.use_cognito_provided_values.unwrap_or(false)),
            settings: input.settings.clone(),
            assets: Some(input.assets.clone().unwrap_or_default()),
            creation_date: Some(now),
            last_modified_date: Some(now),
        };
        tx.put_branding(&input.client_id, &branding)?;
        Ok(CreateManagedLoginBrandingResponse { managed_login_branding: Some(branding) })
    })
}

pub(crate) fn describe_managed_login_branding(
    up: &UserPools,
    input: DescribeManagedLoginBrandingRequest,
) -> Result<DescribeManagedLoginBrandingResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let (_, branding) = tx.branding(&input.user_pool_id, &input.managed_login_branding_id)?.ok_or_else(no_style)?;
        Ok(DescribeManagedLoginBrandingResponse { managed_login_branding: Some(branding) })
    })
}

pub(crate) fn describe_managed_login_branding_by_client(
    up: &UserPools,
    input: DescribeManagedLoginBrandingByClientRequest,
) -> Result<DescribeManagedLoginBrandingByClientResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        pool_client(tx, &input.user_pool_id, &input.client_id)?;
        // A client without a style is not found (hashicorp/terraform-provider-aws#45044).
        let branding = tx.branding_of_client(&input.user_pool_id, &input.client_id)?.ok_or_else(no_style)?;
        Ok(DescribeManagedLoginBrandingByClientResponse { managed_login_branding: Some(branding) })
    })
}

pub(crate) fn update_managed_login_branding(
    up: &UserPools,
    input: UpdateManagedLoginBrandingRequest,
) -> Result<UpdateManagedLoginBrandingResponse, ApiError> {
    check_style(input.use_cognito_provided_values, &input.settings, &input.assets)?;
    let pool_id = input.user_pool_id.clone().ok_or_else(|| ApiError::invalid_parameter("UserPoolId is required."))?;
    let id = input
        .managed_login_branding_id
        .clone()
        .ok_or_else(|| ApiError::invalid_parameter("ManagedLoginBrandingId is required."))?;
    let now = up.now();
    up.tx(|tx| {
        load_pool(tx, &pool_id)?;
        let (client_id, mut branding) = tx.branding(&pool_id, &id)?.ok_or_else(no_style)?;
        if input.use_cognito_provided_values == Some(true) {
            branding.use_cognito_provided_values = Some(true);
            branding.settings = None;
            branding.assets = Some(Vec::new());
        } else {
            if let Some(settings) = input.settings.clone() {
                let mut merged = branding.settings.take().unwrap_or(Value::Object(Default::default()));
                merge(&mut merged, settings);
                branding.settings = Some(merged);
                branding.use_cognito_provided_values = Some(false);
            }
            if let Some(assets) = input.assets.clone() {
                let mut kept = branding.assets.take().unwrap_or_default();
                kept.retain(|a| !assets.iter().any(|n| n.category == a.category && n.color_mode == a.color_mode));
                kept.extend(assets);
                branding.assets = Some(kept);
                branding.use_cognito_provided_values = Some(false);
            }
        }
        branding.last_modified_date = Some(now);
        tx.put_branding(&client_id, &branding)?;
        Ok(UpdateManagedLoginBrandingResponse { managed_login_branding: Some(branding) })
    })
}

pub(crate) fn delete_managed_login_branding(
    up: &UserPools,
    input: DeleteManagedLoginBrandingRequest,
) -> Result<(), ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        tx.branding(&input.user_pool_id, &input.managed_login_branding_id)?.ok_or_else(no_style)?;
        tx.delete_branding(&input.user_pool_id, &input.managed_login_branding_id)
    })
}

#[cfg(test)]
mod tests {
    use super::check_css;

    #[test]
    fn css_may_style_the_customizable_classes_only() {
        assert!(check_css(".banner-customizable { background-color: #000; }\n.submitButton-customizable:hover, .label-customizable { color: red }").is_ok());
        assert!(check_css("/* a comment */ .logo-customizable { max-width: 60%; }").is_ok());
        assert!(check_css("body { color: red }").is_err());
        assert!(check_css(".banner-customizable { x: y } </style><script>alert(1)</script>").is_err());
        assert!(check_css("@import url(x); .banner-customizable {}").is_err());
        assert!(check_css(".banner-customizable { color: red").is_err());
    }
}
