//! One AdmissionReview of a pod: the answer, with the readiness gate's
//! patch when the pod needs it.
//!
//! Contract (upstream's `PodReadinessGateInjector`): only CREATE is
//! considered; any other operation, a pod that already lists the gate, or
//! one that is no Lattice target is allowed unchanged. A pod that is one is
//! allowed with a JSON patch appending the gate. When the objects cannot be
//! read the pod is denied, naming the read that failed. A review that is
//! not one of a pod is answered `invalid`.

use k8s_openapi::api::core::v1::Pod;
use kube::core::DynamicObject;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};

use super::inject::{gate_patch, has_gate, wants_gate};
use super::objects::Objects;

/// The answer to `review` (sent back as JSON).
pub async fn review(
    review: AdmissionReview<Pod>,
    objects: &Objects,
) -> AdmissionReview<DynamicObject> {
    let request: AdmissionRequest<Pod> = match review.try_into() {
        Ok(request) => request,
        Err(error) => return AdmissionResponse::invalid(error).into_review(),
    };
    answer(&request, objects).await.into_review()
}

async fn answer(request: &AdmissionRequest<Pod>, objects: &Objects) -> AdmissionResponse {
    let response = AdmissionResponse::from(request);
    let Some(pod) = request.object.as_ref() else {
        return response;
    };
    if request.operation != Operation::Create || has_gate(pod) {
        return response;
    }
    // A pod being created may not have its namespace in its metadata yet.
    let namespace = pod
        .metadata
        .namespace
        .clone()
        .or_else(|| request.namespace.clone())
        .unwrap_or_default();
    let pod_name = pod
        .metadata
        .name
        .clone()
        .or_else(|| pod.metadata.generate_name.clone())
        .unwrap_or_default();
    let objects = match objects.for_namespace(&namespace).await {
        Ok(objects) => objects,
        Err(error) => {
            tracing::warn!(namespace, pod = pod_name, %error, "pod refused: the webhook cannot read the cluster");
            return response.deny(error);
        }
    };
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    if !wants_gate(&namespace, &labels, &objects) {
        return response;
    }
    let patch = match serde_json::from_value::<json_patch::Patch>(gate_patch(pod)) {
        Ok(patch) => patch,
        Err(error) => return response.deny(error),
    };
    match response.clone().with_patch(patch) {
        Ok(patched) => {
            tracing::debug!(namespace, pod = pod_name, "readiness gate injected");
            patched
        }
        Err(error) => response.deny(error),
    }
}
