//! Terms documents: an app client's terms of use and privacy policy, links by language that
//! the managed login sign-up page shows once the client has both (CreateTerms, model).
//!
//! A client holds at most one document of each name ("Terms document names must be unique to
//! the app client": TermsExistsException), a pool at most 40 ("Managed login terms documents
//! per user pool", Cognito quotas). Documents belong to their client and go with it.

use crate::env::RandomExt;
use crate::idp::lookup::{client_not_found, decode_token, encode_token, limit, load_pool};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use std::collections::BTreeMap;

const MAX_PER_POOL: usize = 40;

impl PoolDoc for TermsType {
    const KIND: &'static str = "terms";
}

fn check_client(tx: &mut dyn Tx, pool_id: &str, client_id: &str) -> Result<(), ApiError> {
    load_pool(tx, pool_id)?;
    tx.client(client_id)?
        .filter(|c| c.user_pool_id.as_deref() == Some(pool_id))
        .ok_or_else(|| client_not_found(client_id))?;
    Ok(())
}

fn not_found(terms_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Terms {terms_id} does not exist."))
}

/// Every document of the pool, in client then id order.
fn pool_terms(tx: &mut dyn Tx, pool_id: &str) -> Result<Vec<TermsType>, ApiError> {
    Ok(pool_docs::list_of_kind(tx, pool_id, None, MAX_PER_POOL * 2)?.items)
}

fn find(tx: &mut dyn Tx, pool_id: &str, terms_id: &str) -> Result<TermsType, ApiError> {
    pool_terms(tx, pool_id)?.into_iter().find(|t| t.terms_id == terms_id).ok_or_else(|| not_found(terms_id))
}

fn exists(name: &str, client_id: &str) -> ApiError {
    ApiError::terms_exists(format!("Terms with name {name} already exist for app client {client_id}."))
}

/// The links a document holds: one per language, `cognito:default` for the rest.
fn check_links(links: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if links.is_empty() {
        return Err(ApiError::invalid_parameter("Links must have at least one entry."));
    }
    Ok(())
}

fn put(tx: &mut dyn Tx, terms: &TermsType) -> Result<(), ApiError> {
    pool_docs::put(tx, &terms.user_pool_id, Owner::Client(&terms.client_id), &terms.terms_id, terms)
}

pub(crate) fn create_terms(up: &UserPools, input: CreateTermsRequest) -> Result<CreateTermsResponse, ApiError> {
    let now = up.now();
    let id = up.rng.uuid_v4();
    up.tx(|tx| {
        check_client(tx, &input.user_pool_id, &input.client_id)?;
        let links = input.links.clone().unwrap_or_default();
        check_links(&links)?;
        let all = pool_terms(tx, &input.user_pool_id)?;
        if all.iter().any(|t| t.client_id == input.client_id && t.terms_name == input.terms_name) {
            return Err(exists(&input.terms_name, &input.client_id));
        }
        if all.len() >= MAX_PER_POOL {
            return Err(ApiError::limit_exceeded(format!(
                "The user pool has the maximum of {MAX_PER_POOL} terms documents."
            )));
        }
        let terms = TermsType {
            terms_id: id.clone(),
            user_pool_id: input.user_pool_id.clone(),
            client_id: input.client_id.clone(),
            terms_name: input.terms_name.clone(),
            terms_source: input.terms_source,
            enforcement: input.enforcement,
            links,
            creation_date: now,
            last_modified_date: now,
        };
        put(tx, &terms)?;
        Ok(CreateTermsResponse { terms: Some(terms) })
    })
}

pub(crate) fn describe_terms(up: &UserPools, input: DescribeTermsRequest) -> Result<DescribeTermsResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        Ok(DescribeTermsResponse { terms: Some(find(tx, &input.user_pool_id, &input.terms_id)?) })
    })
}

pub(crate) fn describe_terms_by_client(
    up: &UserPools,
    input: DescribeTermsByClientRequest,
) -> Result<DescribeTermsByClientResponse, ApiError> {
    up.tx(|tx| {
        check_client(tx, &input.user_pool_id, &input.client_id)?;
        let mine: Vec<TermsType> = pool_docs::all(tx, &input.user_pool_id, Owner::Client(&input.client_id))?;
        let terms = mine.into_iter().find(|t| t.terms_name == input.terms_name).ok_or_else(|| {
            ApiError::resource_not_found(format!(
                "Terms {} do not exist for app client {}.",
                input.terms_name, input.client_id
            ))
        })?;
        Ok(DescribeTermsByClientResponse { terms: Some(terms) })
    })
}

/// Changes what the request names and nothing else.
pub(crate) fn update_terms(up: &UserPools, input: UpdateTermsRequest) -> Result<UpdateTermsResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let mut terms = find(tx, &input.user_pool_id, &input.terms_id)?;
        if let Some(name) = &input.terms_name
            && *name != terms.terms_name
        {
            let siblings: Vec<TermsType> = pool_docs::all(tx, &input.user_pool_id, Owner::Client(&terms.client_id))?;
            if siblings.iter().any(|t| t.terms_name == *name) {
                return Err(exists(name, &terms.client_id));
            }
            terms.terms_name = name.clone();
        }
        if let Some(links) = &input.links {
            check_links(links)?;
            terms.links = links.clone();
        }
        if let Some(source) = input.terms_source {
            terms.terms_source = source;
        }
        if let Some(enforcement) = input.enforcement {
            terms.enforcement = enforcement;
        }
        terms.last_modified_date = now;
        put(tx, &terms)?;
        Ok(UpdateTermsResponse { terms: Some(terms) })
    })
}

pub(crate) fn delete_terms(up: &UserPools, input: DeleteTermsRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let terms = find(tx, &input.user_pool_id, &input.terms_id)?;
        pool_docs::delete::<TermsType>(tx, &input.user_pool_id, Owner::Client(&terms.client_id), &terms.terms_id)
    })
}

pub(crate) fn list_terms(up: &UserPools, input: ListTermsRequest) -> Result<ListTermsResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let page = pool_docs::list_of_kind::<TermsType>(
            tx,
            &input.user_pool_id,
            after.as_deref(),
            limit(input.max_results, 60),
        )?;
        Ok(ListTermsResponse {
            terms: page
                .items
                .into_iter()
                .map(|t| TermsDescriptionType {
                    terms_id: t.terms_id,
                    terms_name: t.terms_name,
                    enforcement: t.enforcement,
                    creation_date: t.creation_date,
                    last_modified_date: t.last_modified_date,
                })
                .collect(),
            next_token: page.next.as_deref().map(encode_token),
        })
    })
}

/// The links the sign-up page shows for a client: both documents, each in `language` or else
/// in `cognito:default`; `None` until the client has both ("You must provide both types of
/// terms documents in at least one language before Amazon Cognito displays your terms
/// documents", CreateTerms).
pub(crate) fn sign_up_links(
    tx: &mut dyn Tx,
    pool_id: &str,
    client_id: &str,
    language: &str,
) -> Result<Option<(String, String)>, ApiError> {
    let mine: Vec<TermsType> = pool_docs::all(tx, pool_id, Owner::Client(client_id))?;
    let link = |name: &str| {
        let t = mine.iter().find(|t| t.terms_name == name)?;
        let url = t.links.get(language).or_else(|| t.links.get("cognito:default"))?;
        // A page links only to web addresses, never a `javascript:` one an admin could store.
        (url.starts_with("https://") || url.starts_with("http://")).then(|| url.clone())
    };
    Ok(link("terms-of-use").zip(link("privacy-policy")))
}
