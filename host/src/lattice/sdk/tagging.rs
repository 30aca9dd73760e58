//! Tags in bulk: the Resource Groups Tagging API's `GetResources`, up to
//! [`PAGE`] resources per request, in place of one `ListTagsForResource`
//! per listed resource.
//!
//! Contract:
//! - An account-wide listing (`ListServiceNetworks`, `ListServices`,
//!   `ListTargetGroups`; [`Bulk::Type`]) reads its type's tags afresh:
//!   `GetResources` with `ResourceTypeFilters` `vpc-lattice:<type>`, every
//!   page. What other controllers change (networks, target groups) is thus
//!   seen whenever the listing is read again.
//! - A listing under a parent (listeners, rules, service and VPC
//!   associations, access log subscriptions; [`Bulk::Account`]) takes its
//!   tags from one read of every VPC Lattice resource's tags
//!   (`ResourceTypeFilters` `vpc-lattice`), kept for [`ACCOUNT_MAX_AGE`] or
//!   until [`super::SdkLattice::forget_bulk_reads`] (the observed-state
//!   cache's refresh and drift check), whichever comes first: a read pass
//!   of an account pays one request per 100 resources instead of one per
//!   resource. A `TagResource` through this client updates the kept tags;
//!   a failed one forgets the resource's, so that they are read again.
//! - A listed resource the bulk answer does not hold has its tags read with
//!   `ListTagsForResource`: `GetResources` answers only resources that are
//!   or were tagged, and its index lags behind creates (AWS documents it as
//!   eventually consistent), so an absent resource may be an untagged one
//!   or a new one. Trellis tags everything it creates, so in an account it
//!   manages this is rare.
//! - A resource of another account (see
//!   [`super::SdkOptions::account_id`]) keeps no tags, as before.
//! - `GetResources` refused with an API error (`AccessDeniedException`
//!   from a policy without `tag:GetResources`, an endpoint that does not
//!   serve the API) is logged once and tags are read one resource at a
//!   time from then on; a transport failure or throttling (after the SDK's
//!   retries) falls back for that listing only.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use aws_sdk_resourcegroupstagging as tagging;
use aws_sdk_vpclattice::config::{BehaviorVersion, Region};

use super::{CallCounter, SdkLattice, SdkOptions};
use crate::lattice::error::LatticeError;
use crate::lattice::model::{Resource, Tags, arn_account};

/// Resources per `GetResources` page (the API's most).
pub const PAGE: i32 = 100;

/// How long the account's tags read for listings under a parent are kept.
pub const ACCOUNT_MAX_AGE: Duration = Duration::from_secs(60);

/// The `ResourceTypeFilters` value of every VPC Lattice resource.
const EVERY_LATTICE_TYPE: &str = "vpc-lattice";

/// How a listing's tags are read in bulk.
#[derive(Debug, Clone, Copy)]
pub enum Bulk {
    /// Every resource of this `ResourceTypeFilters` type
    /// (`vpc-lattice:service`), read afresh.
    Type(&'static str),
    /// The account's kept tags of every VPC Lattice resource.
    Account,
}

/// Tags read in bulk, and whether bulk reads work.
#[derive(Debug)]
pub struct BulkTags {
    /// `GetResources` was refused: tags are read one resource at a time.
    refused: AtomicBool,
    /// The account's tags by ARN, and when they were read.
    account: Mutex<Option<(Instant, HashMap<String, Tags>)>>,
}

impl BulkTags {
    /// Bulk reads that work (`enabled`), or tags read one resource at a
    /// time from the start (a client with no tagging configuration).
    pub fn new(enabled: bool) -> Self {
        Self {
            refused: AtomicBool::new(!enabled),
            account: Mutex::default(),
        }
    }

    fn account(&self) -> MutexGuard<'_, Option<(Instant, HashMap<String, Tags>)>> {
        self.account
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The kept account tags, unless too old.
    fn kept(&self) -> Option<HashMap<String, Tags>> {
        let mut account = self.account();
        match &*account {
            Some((read_at, tags)) if read_at.elapsed() < ACCOUNT_MAX_AGE => Some(tags.clone()),
            _ => {
                *account = None;
                None
            }
        }
    }

    /// Forgets the kept account tags.
    pub fn forget(&self) {
        *self.account() = None;
    }

    /// Records a `TagResource` of `arn`: `tags` added to its kept tags
    /// (`None`: the write failed and may or may not have happened, so its
    /// kept tags are forgotten).
    pub fn tagged(&self, arn: &str, tags: Option<&Tags>) {
        if let Some((_, kept)) = &mut *self.account() {
            match tags {
                Some(tags) => kept
                    .entry(arn.to_owned())
                    .or_default()
                    .extend(tags.iter().map(|(k, v)| (k.clone(), v.clone()))),
                None => {
                    kept.remove(arn);
                }
            }
        }
    }
}

/// A tagging client configuration with `config`'s region, HTTP client,
/// sleep and time source (not its credentials: a built configuration does
/// not give them away, so such a client is never used; see
/// [`BulkTags::new`]).
pub fn builder_like(config: &aws_sdk_vpclattice::Config) -> tagging::config::Builder {
    let mut builder = tagging::Config::builder().behavior_version(BehaviorVersion::latest());
    builder.set_region(config.region().cloned());
    if let Some(http) = config.http_client() {
        builder = builder.http_client(http);
    }
    if let Some(sleep) = config.sleep_impl() {
        builder = builder.sleep_impl(sleep);
    }
    if let Some(time) = config.time_source() {
        builder = builder.time_source(time);
    }
    builder
}

/// The tagging client: `builder` with `options`' endpoint
/// ([`SdkOptions::tagging_endpoint`]), region, retry and timeouts, counted
/// by `counter`.
pub fn client(
    mut builder: tagging::config::Builder,
    options: &SdkOptions,
    counter: &CallCounter,
) -> tagging::Client {
    if let Some(url) = options.tagging_endpoint() {
        builder = builder.endpoint_url(url);
    }
    if let Some(region) = &options.region {
        builder = builder.region(Region::new(region.clone()));
    }
    let config = builder
        .retry_config(options.retry_config())
        .retry_partition(SdkOptions::retry_partition("trellis-tagging"))
        .timeout_config(options.timeout_config())
        .interceptor(counter.clone())
        .build();
    tagging::Client::from_conf(config)
}

impl SdkLattice {
    /// Forgets the tags kept for listings under a parent: the next such
    /// listing reads the account's tags again.
    pub fn forget_bulk_reads(&self) {
        self.bulk.forget();
    }

    /// `resources` with their tags, read in bulk as `bulk` says (see the
    /// module's contract); a resource deleted before its tags could be read
    /// one by one is left out.
    pub(super) async fn tag_all<T: Resource>(
        &self,
        resources: Vec<T>,
        bulk: Bulk,
    ) -> Result<Vec<T>, LatticeError> {
        let own = |resource: &T| {
            self.account_id
                .as_deref()
                .is_none_or(|own| arn_account(resource.arn()) == own)
        };
        if !resources.iter().any(own) {
            return Ok(resources);
        }
        let read = match self.bulk_tags(bulk).await {
            Ok(read) => read,
            Err(error) => {
                let refused = matches!(error, LatticeError::Api { .. })
                    && !self.bulk.refused.swap(true, Ordering::SeqCst);
                if refused {
                    tracing::warn!(
                        %error,
                        "the Resource Groups Tagging API refused GetResources: \
                         reading tags one resource at a time (ListTagsForResource) from now on"
                    );
                }
                None
            }
        };
        let Some(read) = read else {
            return self
                .details(resources, |resource| self.tagged(resource))
                .await;
        };
        let mut tagged = Vec::with_capacity(resources.len());
        let mut absent = Vec::new();
        for (index, mut resource) in resources.into_iter().enumerate() {
            match read.get(resource.arn()) {
                Some(tags) => {
                    *resource.tags_mut() = tags.clone();
                    tagged.push((index, resource));
                }
                None if !own(&resource) => tagged.push((index, resource)),
                None => absent.push((index, resource)),
            }
        }
        if !absent.is_empty() {
            let read = self
                .details(absent, |(index, resource)| async move {
                    Ok((index, self.tagged(resource).await?))
                })
                .await?;
            tagged.extend(read);
            tagged.sort_by_key(|(index, _)| *index);
        }
        Ok(tagged.into_iter().map(|(_, resource)| resource).collect())
    }

    /// The tags `bulk` names, by ARN; `Ok(None)` when bulk reads were
    /// refused before.
    async fn bulk_tags(&self, bulk: Bulk) -> Result<Option<HashMap<String, Tags>>, LatticeError> {
        if self.bulk.refused.load(Ordering::SeqCst) {
            return Ok(None);
        }
        match bulk {
            Bulk::Type(resource_type) => self.get_resources(resource_type).await.map(Some),
            Bulk::Account => {
                if let Some(kept) = self.bulk.kept() {
                    return Ok(Some(kept));
                }
                let read = self.get_resources(EVERY_LATTICE_TYPE).await?;
                *self.bulk.account() = Some((Instant::now(), read.clone()));
                Ok(Some(read))
            }
        }
    }

    /// Every page of `GetResources` for `resource_type`: tags by ARN.
    async fn get_resources(
        &self,
        resource_type: &'static str,
    ) -> Result<HashMap<String, Tags>, LatticeError> {
        let mappings = self
            .all_pages(|token| async move {
                let page = self
                    .call("RESOURCE", resource_type, || {
                        self.tagging
                            .get_resources()
                            .resource_type_filters(resource_type)
                            .resources_per_page(PAGE)
                            .set_pagination_token(token)
                            .send()
                    })
                    .await?;
                let next = page.pagination_token().map(str::to_owned);
                Ok((page.resource_tag_mapping_list.unwrap_or_default(), next))
            })
            .await?;
        Ok(mappings
            .into_iter()
            .filter_map(|mapping| {
                let arn = mapping.resource_arn()?.to_owned();
                let tags = mapping
                    .tags()
                    .iter()
                    .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                    .collect();
                Some((arn, tags))
            })
            .collect())
    }
}
