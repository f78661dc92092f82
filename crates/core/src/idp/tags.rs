//! Tags on user pools, addressed by the pool's ARN.

use crate::idp::pools::tags_of;
use crate::idp::service::UserPools;
use crate::store::Tx;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use std::sync::Arc;

/// The pool an ARN names (`arn:aws:cognito-idp:<region>:<account>:userpool/<id>`).
fn pool_by_arn(tx: &mut dyn Tx, arn: &str) -> Result<Arc<UserPoolType>, ApiError> {
    let not_found = || ApiError::resource_not_found(format!("The resource {arn} does not exist."));
    let id = arn.rsplit_once(":userpool/").map(|(_, id)| id).ok_or_else(not_found)?;
    tx.pool(id)?.filter(|p| p.arn.as_deref() == Some(arn)).ok_or_else(not_found)
}

pub(crate) fn tag_resource(up: &UserPools, input: TagResourceRequest) -> Result<TagResourceResponse, ApiError> {
    up.tx(|tx| {
        let mut pool = Arc::unwrap_or_clone(pool_by_arn(tx, &input.resource_arn)?);
        let mut tags = tags_of(&pool);
        tags.extend(input.tags.clone());
        if tags.len() > 50 {
            return Err(ApiError::invalid_parameter("A user pool can have at most 50 tags."));
        }
        pool.user_pool_tags = Some(tags);
        tx.put_pool(&pool)?;
        Ok(TagResourceResponse::default())
    })
}

pub(crate) fn untag_resource(up: &UserPools, input: UntagResourceRequest) -> Result<UntagResourceResponse, ApiError> {
    up.tx(|tx| {
        let mut pool = Arc::unwrap_or_clone(pool_by_arn(tx, &input.resource_arn)?);
        let mut tags = tags_of(&pool);
        for key in &input.tag_keys {
            tags.remove(key);
        }
        pool.user_pool_tags = Some(tags);
        tx.put_pool(&pool)?;
        Ok(UntagResourceResponse::default())
    })
}

pub(crate) fn list_tags_for_resource(
    up: &UserPools,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, ApiError> {
    up.tx(|tx| {
        let pool = pool_by_arn(tx, &input.resource_arn)?;
        Ok(ListTagsForResourceResponse { tags: Some(tags_of(&pool)) })
    })
}
