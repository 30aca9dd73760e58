//! Leader election with a `coordination.k8s.io/v1` Lease: only the replica
//! holding the Lease reconciles.
//!
//! Contract: [`acquire`] returns once this replica holds the Lease (created
//! if missing, taken over once the holder let it expire or released it); the returned
//! [`Leadership`] renews it every [`RENEW_EVERY`] and resolves `lost()` when
//! a renewal cannot be made before the Lease would expire or another
//! replica took it. Writes use the Lease's resourceVersion, so two
//! replicas never both believe they won the same term. On shutdown the
//! holder gives the Lease up ([`Leadership::release`]): a standby takes it
//! on its next try instead of waiting for it to expire.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, ObjectMeta, PostParams};
use tokio::sync::watch;

use crate::config::LeaderElection;

/// How long a Lease is valid without renewal.
pub const LEASE_DURATION: Duration = Duration::from_secs(15);
/// How often the holder renews.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);
/// How often a standby replica tries to take the Lease.
const RETRY_EVERY: Duration = Duration::from_secs(2);

/// This replica holds the Lease while `lost()` has not resolved.
pub struct Leadership {
    lost: watch::Receiver<bool>,
    renewer: tokio::task::JoinHandle<()>,
    api: Api<Lease>,
    election: LeaderElection,
}

impl Leadership {
    /// Resolves when leadership is lost.
    pub async fn lost(&mut self) {
        let _ = self.lost.wait_for(|lost| *lost).await;
    }

    /// Gives the Lease up, as client-go's `ReleaseOnCancel` does: stops
    /// renewing, then — only if this replica still holds it — clears
    /// `holderIdentity` and sets `leaseDurationSeconds` to 1, guarded by the
    /// read resourceVersion (a Lease taken in between is left alone), so
    /// that a standby acquires it on its next try.
    pub async fn release(self) -> Result<(), kube::Error> {
        self.renewer.abort();
        let Some(mut lease) = self.api.get_opt(&self.election.lease_name).await? else {
            return Ok(());
        };
        let current = lease.spec.clone().unwrap_or_default();
        if current.holder_identity.as_deref() != Some(self.election.identity.as_str()) {
            return Ok(());
        }
        lease.spec = Some(LeaseSpec {
            holder_identity: None,
            lease_duration_seconds: Some(1),
            renew_time: Some(now()),
            ..current
        });
        match self
            .api
            .replace(&self.election.lease_name, &PostParams::default(), &lease)
            .await
        {
            Ok(_) => {
                tracing::info!(lease = %self.election.lease_name, "released the leader Lease");
                Ok(())
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
            Err(error) => Err(error),
        }
    }
}

impl Drop for Leadership {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

fn now() -> MicroTime {
    MicroTime(Timestamp::now())
}

fn expired(spec: &LeaseSpec) -> bool {
    let Some(MicroTime(renewed)) = spec.renew_time.clone() else {
        return true;
    };
    let seconds = i64::from(spec.lease_duration_seconds.unwrap_or(15));
    renewed + SignedDuration::from_secs(seconds) < Timestamp::now()
}

/// Tries once to hold the Lease; `Ok(true)` when this replica holds it.
async fn try_hold(api: &Api<Lease>, election: &LeaderElection) -> Result<bool, kube::Error> {
    let mine = LeaseSpec {
        holder_identity: Some(election.identity.clone()),
        lease_duration_seconds: Some(LEASE_DURATION.as_secs() as i32),
        renew_time: Some(now()),
        ..LeaseSpec::default()
    };
    let Some(mut lease) = api.get_opt(&election.lease_name).await? else {
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(election.lease_name.clone()),
                namespace: Some(election.namespace.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(LeaseSpec {
                acquire_time: Some(now()),
                lease_transitions: Some(0),
                ..mine
            }),
        };
        return match api.create(&PostParams::default(), &lease).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(error) => Err(error),
        };
    };
    let current = lease.spec.clone().unwrap_or_default();
    let held = current.holder_identity.as_deref() == Some(election.identity.as_str());
    let released = current.holder_identity.as_deref().is_none_or(str::is_empty);
    if !held && !released && !expired(&current) {
        return Ok(false);
    }
    lease.spec = Some(if held {
        LeaseSpec {
            acquire_time: current.acquire_time.clone(),
            lease_transitions: current.lease_transitions,
            ..mine
        }
    } else {
        LeaseSpec {
            acquire_time: Some(now()),
            lease_transitions: Some(current.lease_transitions.unwrap_or(0) + 1),
            ..mine
        }
    });
    match api
        .replace(&election.lease_name, &PostParams::default(), &lease)
        .await
    {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
        Err(error) => Err(error),
    }
}

/// Waits until this replica holds the Lease, then keeps renewing it.
pub async fn acquire(client: kube::Client, election: LeaderElection) -> Leadership {
    let api: Api<Lease> = Api::namespaced(client, &election.namespace);
    loop {
        match try_hold(&api, &election).await {
            Ok(true) => break,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, lease = %election.lease_name, "leader election"),
        }
        tokio::time::sleep(RETRY_EVERY).await;
    }
    tracing::info!(identity = %election.identity, lease = %election.lease_name, "became the leader");
    let (sender, lost) = watch::channel(false);
    let leadership_api = api.clone();
    let leadership_election = election.clone();
    let renewer = tokio::spawn(async move {
        let mut last_renewal = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(RENEW_EVERY).await;
            match try_hold(&api, &election).await {
                Ok(true) => last_renewal = tokio::time::Instant::now(),
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(%error, "could not renew the leader Lease");
                    if last_renewal.elapsed() >= LEASE_DURATION {
                        break;
                    }
                }
            }
        }
        let _ = sender.send(true);
    });
    Leadership {
        lost,
        renewer,
        api: leadership_api,
        election: leadership_election,
    }
}
