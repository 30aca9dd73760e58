//! Route matches, as written, with the Gateway API defaults the API server
//! fills in: an HTTPRoute rule without matches matches `PathPrefix /`; an
//! HTTP match without a path has `PathPrefix /`; a path without type is
//! `PathPrefix`, without value `/`; a header or query-parameter match
//! without type is `Exact`; a gRPC method match without type is `Exact`.

use gateway_api::apis::standard::grpcroutes::{
    GrpcRouteRulesMatches, GrpcRouteRulesMatchesHeadersType, GrpcRouteRulesMatchesMethodType,
};
use gateway_api::apis::standard::httproutes::{
    HttpRouteRulesMatches, HttpRouteRulesMatchesHeadersType, HttpRouteRulesMatchesMethod,
    HttpRouteRulesMatchesPath, HttpRouteRulesMatchesPathType, HttpRouteRulesMatchesQueryParamsType,
};

use crate::plugin::bindings::types::{
    PathMatch, PathMatchKind, RouteMatch, ValueMatch, ValueMatchKind,
};

/// The matches of an HTTPRoute rule; `None` (the field absent) is the
/// default match.
pub(super) fn http(matches: Option<&[HttpRouteRulesMatches]>) -> Vec<RouteMatch> {
    match matches {
        None => vec![default_http()],
        Some(matches) => matches.iter().map(http_match).collect(),
    }
}

/// The match of an HTTPRoute rule that names none: every request.
pub(super) fn default_http() -> RouteMatch {
    RouteMatch {
        path: Some(default_path()),
        ..empty()
    }
}

fn default_path() -> PathMatch {
    PathMatch {
        kind: PathMatchKind::PathPrefix,
        value: "/".into(),
    }
}

fn empty() -> RouteMatch {
    RouteMatch {
        path: None,
        method: None,
        headers: Vec::new(),
        query_params: None,
        grpc_service: None,
        grpc_method: None,
        grpc_match_kind: None,
    }
}

fn http_match(written: &HttpRouteRulesMatches) -> RouteMatch {
    let headers = written
        .headers
        .iter()
        .flatten()
        .map(|header| ValueMatch {
            kind: value_kind(matches!(
                header.r#type,
                Some(HttpRouteRulesMatchesHeadersType::RegularExpression)
            )),
            name: header.name.clone(),
            value: header.value.clone(),
        })
        .collect();
    let query_params = written.query_params.as_ref().map(|params| {
        params
            .iter()
            .map(|param| ValueMatch {
                kind: value_kind(matches!(
                    param.r#type,
                    Some(HttpRouteRulesMatchesQueryParamsType::RegularExpression)
                )),
                name: param.name.clone(),
                value: param.value.clone(),
            })
            .collect()
    });
    RouteMatch {
        path: Some(written.path.as_ref().map_or_else(default_path, path)),
        method: written
            .method
            .as_ref()
            .map(|method| method_name(method).into()),
        headers,
        query_params,
        ..empty()
    }
}

fn method_name(method: &HttpRouteRulesMatchesMethod) -> &'static str {
    match method {
        HttpRouteRulesMatchesMethod::Get => "GET",
        HttpRouteRulesMatchesMethod::Head => "HEAD",
        HttpRouteRulesMatchesMethod::Post => "POST",
        HttpRouteRulesMatchesMethod::Put => "PUT",
        HttpRouteRulesMatchesMethod::Delete => "DELETE",
        HttpRouteRulesMatchesMethod::Connect => "CONNECT",
        HttpRouteRulesMatchesMethod::Options => "OPTIONS",
        HttpRouteRulesMatchesMethod::Trace => "TRACE",
        HttpRouteRulesMatchesMethod::Patch => "PATCH",
    }
}

fn path(written: &HttpRouteRulesMatchesPath) -> PathMatch {
    let kind = match written.r#type {
        Some(HttpRouteRulesMatchesPathType::Exact) => PathMatchKind::Exact,
        Some(HttpRouteRulesMatchesPathType::RegularExpression) => PathMatchKind::RegularExpression,
        Some(HttpRouteRulesMatchesPathType::PathPrefix) | None => PathMatchKind::PathPrefix,
    };
    PathMatch {
        kind,
        value: written.value.clone().unwrap_or_else(|| "/".into()),
    }
}

/// A GRPCRoute match: `method.service`/`method.method` into the gRPC fields.
pub(super) fn grpc(written: &GrpcRouteRulesMatches) -> RouteMatch {
    let headers = written
        .headers
        .iter()
        .flatten()
        .map(|header| ValueMatch {
            kind: value_kind(matches!(
                header.r#type,
                Some(GrpcRouteRulesMatchesHeadersType::RegularExpression)
            )),
            name: header.name.clone(),
            value: header.value.clone(),
        })
        .collect();
    let method = written.method.as_ref();
    RouteMatch {
        headers,
        grpc_service: method.and_then(|method| method.service.clone()),
        grpc_method: method.and_then(|method| method.method.clone()),
        grpc_match_kind: method.map(|method| match method.r#type {
            Some(GrpcRouteRulesMatchesMethodType::RegularExpression) => "RegularExpression".into(),
            Some(GrpcRouteRulesMatchesMethodType::Exact) | None => "Exact".into(),
        }),
        ..empty()
    }
}

fn value_kind(regular_expression: bool) -> ValueMatchKind {
    if regular_expression {
        ValueMatchKind::RegularExpression
    } else {
        ValueMatchKind::Exact
    }
}
