//! Client ID metadata documents (CIMD): an external OAuth client names itself by an `https` URL
//! as its `client_id`, and a pool's CIMD policy maps URL patterns to one of its app clients
//! (Create/Describe/Update/Delete/ListCIMDPolicies). At `/oauth2/authorize` the document at
//! that URL is fetched, checked and cached; it is the client's registration for the request
//! (its redirect URIs, its grant and response types), inside what the app client allows
//! (ListClientMetadataURLs shows the cache, UpdateClientMetadataURLState refreshes or drops an
//! entry). Facts, sources and what is UNCONFIRMED: docs/research/newest-operations.md §3.
//!
//! The fetch is IO, which core asks of the server through [`crate::env::MetadataFetcher`] (as it asks
//! Lambda invocations of [`crate::triggers::Lambda`]); a test may stage a document for a URL
//! instead (`POST /_cognate/client-metadata`), so a suite needs no network.

use crate::env::{Fetched, LOWER_ALNUM, MAX_DOCUMENT_BYTES, MetadataFetcher, RandomExt};
use crate::idp::lookup::{client_not_found, decode_token, encode_token, limit, load_pool};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// "If you don't set a value, the default is 86,400 seconds" (API_CreateCIMDPolicy); a
/// document's own `max-age` counts within one day to one year (CacheDurationType's range).
const DEFAULT_CACHE_SECONDS: i32 = 86_400;
const MIN_MAX_AGE: u64 = 86_400;
const MAX_MAX_AGE: u64 = 31_556_952;
impl PoolDoc for CIMDPolicyType {
    const KIND: &'static str = "cimd-policy";
}

/// The registration a valid document gives: RFC 7591 fields, with its defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Registration {
    redirect_uris: Vec<String>,
    grant_types: Vec<String>,
    response_types: Vec<String>,
}

/// A document in the cache, for one policy's URL.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    policy_id: String,
    url: String,
    cached: f64,
    expires: f64,
    registration: Registration,
}

impl PoolDoc for Cached {
    const KIND: &'static str = "cimd-document";
}

fn cache_key(policy_id: &str, url: &str) -> String {
    // Neither a policy id nor a URL holds a space.
    format!("{policy_id} {url}")
}

/// A document a test stands in for the network with.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Staged {
    status: u16,
    cache_control: Option<String>,
    body: String,
}

impl PoolDoc for Staged {
    const KIND: &'static str = "cimd-staged";
}

/// A URL is any pool's to resolve, so staged documents sit under a scope of their own.
const STAGED_SCOPE: &str = "cognate:client-metadata";

/// Whether a `client_id` names a metadata document (an app client's id cannot hold `:`).
pub(crate) fn is_url(client_id: &str) -> bool {
    client_id.starts_with("https://")
}

/// The draft's rules for a client_id URL (§3): https, a host, a path, no user or password, no
/// fragment, no `.` or `..` segment.
fn check_url(raw: &str) -> Result<(), String> {
    let url = url::Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) {
        return Err("the client_id must be an https URL with a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the client_id must not hold a user name or password".into());
    }
    if raw.contains('#') {
        return Err("the client_id must not have a fragment".into());
    }
    // The parser resolves dot segments away, so the request's own text is what is checked.
    let after_host = raw["https://".len()..].split_once('/').map_or("", |(_, path)| path);
    let path = after_host.split(['?']).next().unwrap_or_default();
    if path.is_empty() {
        return Err("the client_id must have a path".into());
    }
    if path
        .split('/')
        .any(|s| s == "." || s == ".." || s.eq_ignore_ascii_case("%2e") || s.eq_ignore_ascii_case("%2e%2e"))
    {
        return Err("the client_id must not have dot segments".into());
    }
    Ok(())
}

/// Whether `url` is one `pattern` admits: the pattern's text exactly, where `*` stands for any
/// run of characters (what `*` spans in Cognito is UNCONFIRMED).
fn matches(pattern: &str, url: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split yields one part at least");
    let Some(mut left) = url.strip_prefix(first) else { return false };
    let Some((last, middle)) = rest.split_last() else { return left.is_empty() };
    for part in middle {
        match left.find(part) {
            Some(at) => left = &left[at + part.len()..],
            None => return false,
        }
    }
    left.len() >= last.len() && left.ends_with(last)
}

fn policies(tx: &mut dyn Tx, pool_id: &str) -> Result<Vec<CIMDPolicyType>, ApiError> {
    let mut all: Vec<CIMDPolicyType> = pool_docs::all(tx, pool_id, Owner::Pool)?;
    all.sort_by(|a, b| a.creation_date.partial_cmp(&b.creation_date).unwrap_or(std::cmp::Ordering::Equal));
    Ok(all)
}

/// The pool's first policy (oldest first) with a pattern admitting `url`.
fn policy_for(tx: &mut dyn Tx, pool_id: &str, url: &str) -> Result<Option<CIMDPolicyType>, ApiError> {
    let all = policies(tx, pool_id)?;
    Ok(all.into_iter().find(|p| p.url_patterns.iter().flatten().any(|pattern| matches(pattern, url))))
}

fn not_found(policy_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("CIMD policy {policy_id} does not exist."))
}

fn find(tx: &mut dyn Tx, pool_id: &str, policy_id: &str) -> Result<CIMDPolicyType, ApiError> {
    pool_docs::get(tx, pool_id, Owner::Pool, policy_id)?.ok_or_else(|| not_found(policy_id))
}

/// The policy as it is answered: without ClientId once that client is gone ("Amazon Cognito
/// omits this value when the app client no longer exists", CIMDPolicyType).
fn shown(tx: &mut dyn Tx, mut policy: CIMDPolicyType) -> Result<CIMDPolicyType, ApiError> {
    if let Some(id) = &policy.client_id {
        let live = tx.client(id)?.is_some_and(|c| c.user_pool_id.as_deref() == Some(policy.user_pool_id.as_str()));
        if !live {
            policy.client_id = None;
        }
    }
    Ok(policy)
}

fn check_client(tx: &mut dyn Tx, pool_id: &str, client_id: &str) -> Result<(), ApiError> {
    tx.client(client_id)?
        .filter(|c| c.user_pool_id.as_deref() == Some(pool_id))
        .ok_or_else(|| client_not_found(client_id))?;
    Ok(())
}

pub(crate) fn create_cimd_policy(
    up: &UserPools,
    input: CreateCIMDPolicyRequest,
) -> Result<CreateCIMDPolicyResponse, ApiError> {
    let now = up.now();
    let id = up.rng.string_from(LOWER_ALNUM, 26);
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        check_client(tx, &input.user_pool_id, &input.client_id)?;
        let policy = CIMDPolicyType {
            cimd_policy_id: id.clone(),
            cache_duration: Some(input.cache_duration.unwrap_or(DEFAULT_CACHE_SECONDS)),
            client_id: Some(input.client_id.clone()),
            creation_date: Some(now),
            last_modified_date: Some(now),
            policy_name: input.policy_name.clone(),
            url_patterns: Some(input.url_patterns.clone()),
            user_pool_id: input.user_pool_id.clone(),
        };
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, &id, &policy)?;
        Ok(CreateCIMDPolicyResponse { cimd_policy: policy })
    })
}

pub(crate) fn describe_cimd_policy(
    up: &UserPools,
    input: DescribeCIMDPolicyRequest,
) -> Result<DescribeCIMDPolicyResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let policy = find(tx, &input.user_pool_id, &input.cimd_policy_id)?;
        Ok(DescribeCIMDPolicyResponse { cimd_policy: shown(tx, policy)? })
    })
}

/// ClientId and URLPatterns are required, so they are always replaced; the name and cache
/// duration only when given. Documents already cached keep their expiry.
pub(crate) fn update_cimd_policy(
    up: &UserPools,
    input: UpdateCIMDPolicyRequest,
) -> Result<UpdateCIMDPolicyResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let mut policy = find(tx, &input.user_pool_id, &input.cimd_policy_id)?;
        check_client(tx, &input.user_pool_id, &input.client_id)?;
        policy.client_id = Some(input.client_id.clone());
        policy.url_patterns = Some(input.url_patterns.clone());
        if let Some(name) = &input.policy_name {
            policy.policy_name = name.clone();
        }
        if let Some(seconds) = input.cache_duration {
            policy.cache_duration = Some(seconds);
        }
        policy.last_modified_date = Some(now);
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, &policy.cimd_policy_id, &policy)?;
        Ok(UpdateCIMDPolicyResponse { cimd_policy: policy })
    })
}

fn cached_of(tx: &mut dyn Tx, pool_id: &str, policy_id: &str) -> Result<Vec<Cached>, ApiError> {
    let all: Vec<Cached> = pool_docs::all(tx, pool_id, Owner::Pool)?;
    Ok(all.into_iter().filter(|c| c.policy_id == policy_id).collect())
}

/// The policy goes with the documents cached under it.
pub(crate) fn delete_cimd_policy(
    up: &UserPools,
    input: DeleteCIMDPolicyRequest,
) -> Result<DeleteCIMDPolicyResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let policy = find(tx, &input.user_pool_id, &input.cimd_policy_id)?;
        for cached in cached_of(tx, &input.user_pool_id, &policy.cimd_policy_id)? {
            pool_docs::delete::<Cached>(
                tx,
                &input.user_pool_id,
                Owner::Pool,
                &cache_key(&cached.policy_id, &cached.url),
            )?;
        }
        pool_docs::delete::<CIMDPolicyType>(tx, &input.user_pool_id, Owner::Pool, &policy.cimd_policy_id)?;
        Ok(DeleteCIMDPolicyResponse {})
    })
}

/// Oldest first, as many as MaxResults (at most 60), the token the last one's position.
pub(crate) fn list_cimd_policies(
    up: &UserPools,
    input: ListCIMDPoliciesRequest,
) -> Result<ListCIMDPoliciesResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let all = policies(tx, &input.user_pool_id)?;
        let start = match &after {
            Some(id) => all.iter().position(|p| p.cimd_policy_id == *id).map_or(all.len(), |i| i + 1),
            None => 0,
        };
        let size = limit(input.max_results, 60);
        let page: Vec<CIMDPolicyType> = all.iter().skip(start).take(size).cloned().collect();
        let next = (start + page.len() < all.len()).then(|| page.last().map(|p| encode_token(&p.cimd_policy_id)));
        let mut summaries = Vec::new();
        for policy in page {
            let p = shown(tx, policy)?;
            summaries.push(CIMDPolicySummaryType {
                cimd_policy_id: p.cimd_policy_id,
                cache_duration: p.cache_duration,
                client_id: p.client_id,
                creation_date: p.creation_date,
                last_modified_date: p.last_modified_date,
                policy_name: p.policy_name,
            });
        }
        Ok(ListCIMDPoliciesResponse { cimd_policies: summaries, next_token: next.flatten() })
    })
}

/// The documents cached under a policy, in URL order, each with when it was fetched and when
/// it will be fetched again.
pub(crate) fn list_client_metadata_urls(
    up: &UserPools,
    input: ListClientMetadataURLsRequest,
) -> Result<ListClientMetadataURLsResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let policy = find(tx, &input.user_pool_id, &input.cimd_policy_id)?;
        let mut all = cached_of(tx, &input.user_pool_id, &policy.cimd_policy_id)?;
        all.sort_by(|a, b| a.url.cmp(&b.url));
        let rest: Vec<Cached> =
            all.into_iter().filter(|c| after.as_ref().is_none_or(|position| c.url > *position)).collect();
        let size = limit(input.max_results, 60);
        let next = (rest.len() > size).then(|| encode_token(&rest[size - 1].url));
        let urls = rest
            .into_iter()
            .take(size)
            .map(|c| ClientMetadataURLType {
                url: c.url,
                cached_date: Some(c.cached),
                expiration_date: Some(c.expires),
            })
            .collect();
        Ok(ListClientMetadataURLsResponse { client_metadata_urls: urls, next_token: next })
    })
}

/// REFRESH fetches the cached URL's document again now (keeping the old entry when the fetch
/// fails, UNCONFIRMED); INVALIDATE drops it, so the next sign-in fetches it.
pub(crate) fn update_client_metadata_url_state(
    up: &UserPools,
    input: UpdateClientMetadataURLStateRequest,
) -> Result<UpdateClientMetadataURLStateResponse, ApiError> {
    let pool_id = input.user_pool_id.as_str();
    let key = cache_key(&input.cimd_policy_id, &input.url);
    let policy = up.tx(|tx| {
        load_pool(tx, pool_id)?;
        let policy = find(tx, pool_id, &input.cimd_policy_id)?;
        if pool_docs::get::<Cached>(tx, pool_id, Owner::Pool, &key)?.is_none() {
            return Err(ApiError::cached_cimdurl_does_not_exist(format!(
                "There is no cached client metadata document for URL {}.",
                input.url
            )));
        }
        Ok(policy)
    })?;
    match input.action {
        CIMDCacheActionType::Invalidate => up.tx(|tx| pool_docs::delete::<Cached>(tx, pool_id, Owner::Pool, &key))?,
        CIMDCacheActionType::Refresh => {
            let cached = up.fetch_registration(&policy, &input.url).map_err(|why| {
                ApiError::invalid_parameter(format!(
                    "The client metadata document at {} could not be refreshed: {why}",
                    input.url
                ))
            })?;
            up.tx(|tx| pool_docs::put(tx, pool_id, Owner::Pool, &key, &cached))?;
        }
    }
    Ok(UpdateClientMetadataURLStateResponse {})
}

/// How long a document is kept: its `Cache-Control` max-age when that is within one day and one
/// year, else the policy's CacheDuration (CIMDPolicyType).
fn lifetime(cache_control: Option<&str>, policy: &CIMDPolicyType) -> f64 {
    let max_age = cache_control.into_iter().flat_map(|h| h.split(',')).find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        name.trim().eq_ignore_ascii_case("max-age").then(|| value.trim().trim_matches('"').parse::<u64>().ok())?
    });
    match max_age {
        Some(seconds) if (MIN_MAX_AGE..=MAX_MAX_AGE).contains(&seconds) => seconds as f64,
        _ => f64::from(policy.cache_duration.unwrap_or(DEFAULT_CACHE_SECONDS)),
    }
}

fn strings(doc: &serde_json::Map<String, Value>, field: &str, default: &[&str]) -> Result<Vec<String>, String> {
    match doc.get(field) {
        None => Ok(default.iter().map(|s| s.to_string()).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| format!("{field} must hold strings")))
            .collect(),
        Some(_) => Err(format!("{field} must be an array")),
    }
}

/// The draft's checks of a fetched document (§4), and Cognito's: a 200 answer holding a JSON
/// object whose `client_id` is the URL exactly, a public client (`token_endpoint_auth_method`
/// `none`, no secret), and redirect URIs.
fn registration(url: &str, fetched: &Fetched) -> Result<Registration, String> {
    if fetched.status != 200 {
        return Err(format!("the document's URL answered {}", fetched.status));
    }
    if fetched.body.len() > MAX_DOCUMENT_BYTES {
        return Err(format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes"));
    }
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(&fetched.body) else {
        return Err("the document is not a JSON object".into());
    };
    if doc.get("client_id").and_then(Value::as_str) != Some(url) {
        return Err("the document's client_id is not its URL".into());
    }
    match doc.get("token_endpoint_auth_method") {
        None => {}
        Some(Value::String(method)) if method == "none" => {}
        Some(_) => return Err("a metadata document client must be public (token_endpoint_auth_method none)".into()),
    }
    if doc.contains_key("client_secret") || doc.contains_key("client_secret_expires_at") {
        return Err("a metadata document must not hold a client secret".into());
    }
    let redirect_uris = strings(&doc, "redirect_uris", &[])?;
    if redirect_uris.is_empty() {
        return Err("the document lists no redirect_uris".into());
    }
    // RFC 7591 §2: grant_types defaults to authorization_code, response_types to code.
    let grant_types = strings(&doc, "grant_types", &["authorization_code"])?;
    let response_types = strings(&doc, "response_types", &["code"])?;
    if grant_types.iter().any(|g| g == "client_credentials") {
        return Err("CIMD doesn't support the client_credentials grant".into());
    }
    Ok(Registration { redirect_uris, grant_types, response_types })
}

impl UserPools {
    /// Reaches metadata documents with `fetcher` (by default nothing is fetched).
    pub fn with_metadata_fetcher(mut self, fetcher: std::sync::Arc<dyn MetadataFetcher>) -> Self {
        self.metadata = fetcher;
        self
    }

    /// Stands `body` in for the network at `url` (with `status` and a `Cache-Control` value),
    /// or with `None` removes what was staged there.
    pub fn stage_client_metadata(
        &self,
        url: &str,
        staged: Option<(u16, Option<String>, String)>,
    ) -> Result<(), ApiError> {
        if !is_url(url) {
            return Err(ApiError::invalid_parameter("A client metadata URL must begin with https://."));
        }
        self.tx(|tx| match staged {
            Some((status, cache_control, body)) => {
                pool_docs::put(tx, STAGED_SCOPE, Owner::Pool, url, &Staged { status, cache_control, body })
            }
            None => pool_docs::delete::<Staged>(tx, STAGED_SCOPE, Owner::Pool, url),
        })
    }

    /// The document at `url`, checked, as the cache will hold it for `policy`.
    fn fetch_registration(&self, policy: &CIMDPolicyType, url: &str) -> Result<Cached, String> {
        let staged: Option<Staged> = self
            .tx(|tx| pool_docs::get(tx, STAGED_SCOPE, Owner::Pool, url))
            .map_err(|e| e.message.unwrap_or_default())?;
        let fetched = match staged {
            Some(s) => Fetched { status: s.status, cache_control: s.cache_control, body: s.body.into_bytes() },
            None => self.metadata.fetch(url)?,
        };
        let registration = registration(url, &fetched)?;
        let now = self.now();
        Ok(Cached {
            policy_id: policy.cimd_policy_id.clone(),
            url: url.to_string(),
            cached: now,
            expires: now + lifetime(fetched.cache_control.as_deref(), policy),
            registration,
        })
    }

    /// Before `/oauth2/authorize` checks a request whose client_id is a URL: the document is in
    /// the cache and current, fetched now if it was not. `Err` says why the request cannot go
    /// on (an invalid URL, no policy admitting it, a document that failed its checks); nothing
    /// is cached then (the draft: "MUST NOT cache error responses or invalid documents").
    pub(crate) fn resolve_metadata_client(
        &self,
        domain: Option<&str>,
        url: &str,
    ) -> Result<Result<(), String>, ApiError> {
        if let Err(why) = check_url(url) {
            return Ok(Err(why));
        }
        let now = self.now();
        let found = self.tx(|tx| {
            let Some(pool_id) = domain_pool(tx, domain)? else { return Ok(None) };
            let Some(policy) = policy_for(tx, &pool_id, url)? else { return Ok(None) };
            let cached: Option<Cached> =
                pool_docs::get(tx, &pool_id, Owner::Pool, &cache_key(&policy.cimd_policy_id, url))?;
            Ok(Some((pool_id, policy, cached.is_some_and(|c| c.expires > now))))
        })?;
        let Some((pool_id, policy, current)) = found else {
            return Ok(Err("no CIMD policy of the pool admits this client_id".into()));
        };
        if current {
            return Ok(Ok(()));
        }
        let cached = match self.fetch_registration(&policy, url) {
            Ok(cached) => cached,
            Err(why) => return Ok(Err(why)),
        };
        let key = cache_key(&policy.cimd_policy_id, url);
        self.tx(|tx| pool_docs::put(tx, &pool_id, Owner::Pool, &key, &cached))?;
        Ok(Ok(()))
    }
}

/// The pool whose domain a request reached: Cognito's OAuth endpoints are a domain's, and a
/// URL client_id says nothing of the pool.
fn domain_pool(tx: &mut dyn Tx, domain: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(domain) = domain else { return Ok(None) };
    Ok(tx.domain(domain)?.and_then(|d| d.user_pool_id))
}

/// The app client a URL client_id acts as at the domain's pool, as its cached document shapes
/// it: the document's redirect URIs, and only the OAuth flows both allow; never a secret
/// ("CIMD clients are public clients"). `None` when no policy admits the URL, its app client is
/// gone or nothing is cached for it.
pub(crate) fn metadata_client(
    tx: &mut dyn Tx,
    domain: Option<&str>,
    url: &str,
) -> Result<Option<(UserPoolClientType, Vec<String>)>, ApiError> {
    let Some(pool_id) = domain_pool(tx, domain)? else { return Ok(None) };
    let Some(policy) = policy_for(tx, &pool_id, url)? else { return Ok(None) };
    let Some(client_id) = &policy.client_id else { return Ok(None) };
    let Some(mut client) = tx.client(client_id)?.filter(|c| c.user_pool_id.as_deref() == Some(pool_id.as_str())) else {
        return Ok(None);
    };
    let cached: Option<Cached> = pool_docs::get(tx, &pool_id, Owner::Pool, &cache_key(&policy.cimd_policy_id, url))?;
    let Some(cached) = cached else { return Ok(None) };
    let r = &cached.registration;
    let has = |list: &[String], item: &str| list.iter().any(|v| v == item);
    let document_allows = |flow: &OAuthFlowType| match flow {
        OAuthFlowType::Code => has(&r.grant_types, "authorization_code") && has(&r.response_types, "code"),
        OAuthFlowType::Implicit => has(&r.grant_types, "implicit") && has(&r.response_types, "token"),
        OAuthFlowType::ClientCredentials => false,
    };
    client.allowed_oauth_flows =
        Some(client.allowed_oauth_flows.unwrap_or_default().into_iter().filter(document_allows).collect());
    client.callback_urls = Some(r.redirect_uris.clone());
    client.client_secret = None;
    Ok(Some((client, r.grant_types.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_spans_any_run_and_the_rest_is_exact() {
        assert!(matches("https://app.example.com/client.json", "https://app.example.com/client.json"));
        assert!(!matches("https://app.example.com/client.json", "https://app.example.com/client.json2"));
        assert!(matches("https://*.example.com/*", "https://a.b.example.com/c/d.json"));
        assert!(!matches("https://*.example.com/*", "https://example.org/c.json"));
        assert!(matches("https://example.com/*/meta", "https://example.com/x/meta"));
        assert!(!matches("https://example.com/*/meta", "https://example.com/x/meta/y"));
        assert!(!matches("https://example.com/a*a", "https://example.com/a"));
    }

    #[test]
    fn client_id_urls_follow_the_drafts_rules() {
        assert!(check_url("https://app.example.com/client.json").is_ok());
        assert!(check_url("https://app.example.com:8443/c").is_ok());
        for bad in [
            "https://app.example.com",
            "https://app.example.com/",
            "https://user:pw@app.example.com/c",
            "https://app.example.com/c#frag",
            "https://app.example.com/a/../c",
            "https://app.example.com/./c",
            "https://app.example.com/%2E%2E/c",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_documents_max_age_counts_only_within_a_day_and_a_year() {
        let policy = CIMDPolicyType { cache_duration: Some(200_000), ..Default::default() };
        assert_eq!(lifetime(Some("public, max-age=172800"), &policy), 172_800.0);
        assert_eq!(lifetime(Some("max-age=60"), &policy), 200_000.0);
        assert_eq!(lifetime(Some("no-store"), &policy), 200_000.0);
        assert_eq!(lifetime(None, &CIMDPolicyType::default()), 86_400.0);
    }
}
