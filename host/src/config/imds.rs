//! Discovery of the cluster's VPC, account and region from the EC2 instance
//! metadata service (IMDSv2), as upstream does on EKS nodes when
//! `CLUSTER_VPC_ID`, `AWS_ACCOUNT_ID` or `REGION` is left empty.
//!
//! Contract: [`discover`] asks only for the values [`Wanted`] names, with
//! aws-config's IMDS client (which honours `AWS_EC2_METADATA_SERVICE_ENDPOINT`
//! unless [`ImdsOptions::endpoint`] is given), within a bounded time (short
//! timeouts, few attempts). Every value it returns passes the shared identity
//! rules; otherwise the error names the setting, what went wrong, and how to
//! set the value instead.
//!
//! Where the values come from:
//! - region and account: the instance identity document
//!   (`/latest/dynamic/instance-identity/document`, `region` and `accountId`);
//! - VPC: the primary interface's MAC (`/latest/meta-data/mac`), then
//!   `/latest/meta-data/network/interfaces/macs/<mac>/vpc-id`.

use std::time::Duration;

use aws_config::imds::Client;

use super::IdentityField;

const IDENTITY_DOCUMENT: &str = "/latest/dynamic/instance-identity/document";
const MAC: &str = "/latest/meta-data/mac";

/// Which identity values to ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    /// `CLUSTER_VPC_ID` is empty.
    pub vpc_id: bool,
    /// `AWS_ACCOUNT_ID` is empty.
    pub account_id: bool,
    /// `REGION` is empty.
    pub region: bool,
}

impl Wanted {
    /// Whether any value is wanted.
    pub fn any(self) -> bool {
        self.vpc_id || self.account_id || self.region
    }
}

/// The values found; `None` for those not asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovered {
    pub vpc_id: Option<String>,
    pub account_id: Option<String>,
    pub region: Option<String>,
}

/// How the metadata service is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImdsOptions {
    /// The service's URL; `None`: aws-config's choice
    /// (`AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`).
    pub endpoint: Option<String>,
    /// The longest wait for a connection, and for an answer.
    pub timeout: Duration,
    /// Attempts per request, the first included.
    pub attempts: u32,
}

impl Default for ImdsOptions {
    /// One second per wait, two attempts: an unreachable service fails
    /// start-up within a few seconds.
    fn default() -> Self {
        Self {
            endpoint: None,
            timeout: Duration::from_secs(1),
            attempts: 2,
        }
    }
}

/// A value the metadata service could not give; the message names the
/// setting and how to set it.
#[derive(Debug, thiserror::Error)]
pub enum ImdsError {
    /// The endpoint given is not a URL.
    #[error(
        "the EC2 instance metadata endpoint `{endpoint}` is not a URL ({cause}); {}",
        how_to_set(*field)
    )]
    Endpoint {
        field: IdentityField,
        endpoint: String,
        cause: String,
    },
    /// The service did not answer, or answered with an error.
    #[error(
        "{} is not set and the EC2 instance metadata service did not answer \
         GET {path} ({cause}); {}",
        field.variable(),
        how_to_set(*field)
    )]
    Unanswered {
        field: IdentityField,
        path: String,
        cause: String,
    },
    /// The service answered something that is not a usable value.
    #[error(
        "{} is not set and the EC2 instance metadata service's answer to \
         GET {path} is not usable: {message}; {}",
        field.variable(),
        how_to_set(*field)
    )]
    BadAnswer {
        field: IdentityField,
        path: String,
        message: String,
    },
}

/// How to give a value without the metadata service.
fn how_to_set(field: IdentityField) -> String {
    let key = field.variable().to_ascii_lowercase();
    format!(
        "set the {} environment variable, `{key}` in the settings file, or --{}",
        field.variable(),
        key.replace('_', "-")
    )
}

/// Asks the metadata service for the `wanted` values (none: no request).
pub async fn discover(wanted: Wanted, options: &ImdsOptions) -> Result<Discovered, ImdsError> {
    let mut found = Discovered::default();
    let Some(first) = first_wanted(wanted) else {
        return Ok(found);
    };
    let client = client(options, first)?;
    if wanted.account_id || wanted.region {
        let field = if wanted.account_id {
            IdentityField::AccountId
        } else {
            IdentityField::Region
        };
        let text = get(&client, IDENTITY_DOCUMENT, field).await?;
        let document: serde_json::Value =
            serde_json::from_str(&text).map_err(|error| ImdsError::BadAnswer {
                field,
                path: IDENTITY_DOCUMENT.into(),
                message: format!("not a JSON document ({error})"),
            })?;
        if wanted.account_id {
            found.account_id = Some(member(&document, "accountId", IdentityField::AccountId)?);
        }
        if wanted.region {
            found.region = Some(member(&document, "region", IdentityField::Region)?);
        }
    }
    if wanted.vpc_id {
        let field = IdentityField::VpcId;
        let mac = get(&client, MAC, field).await?;
        let mac = mac.trim();
        if mac.is_empty() || mac.contains('/') {
            return Err(ImdsError::BadAnswer {
                field,
                path: MAC.into(),
                message: format!("`{mac}` is not a MAC address"),
            });
        }
        let path = format!("/latest/meta-data/network/interfaces/macs/{mac}/vpc-id");
        let vpc_id = get(&client, &path, field).await?;
        found.vpc_id = Some(valid(vpc_id.trim(), field, &path)?);
    }
    Ok(found)
}

/// The field named in an error about the client itself.
fn first_wanted(wanted: Wanted) -> Option<IdentityField> {
    [
        (wanted.vpc_id, IdentityField::VpcId),
        (wanted.account_id, IdentityField::AccountId),
        (wanted.region, IdentityField::Region),
    ]
    .into_iter()
    .find_map(|(asked, field)| asked.then_some(field))
}

fn client(options: &ImdsOptions, field: IdentityField) -> Result<Client, ImdsError> {
    let mut builder = Client::builder()
        .connect_timeout(options.timeout)
        .read_timeout(options.timeout)
        .operation_attempt_timeout(options.timeout * 2)
        .operation_timeout(options.timeout * 2 * options.attempts.max(1) + options.timeout)
        .max_attempts(options.attempts.max(1));
    if let Some(endpoint) = &options.endpoint {
        builder = builder
            .endpoint(endpoint)
            .map_err(|error| ImdsError::Endpoint {
                field,
                endpoint: endpoint.clone(),
                cause: error.to_string(),
            })?;
    }
    Ok(builder.build())
}

/// `GET path`, the error naming `field`.
async fn get(client: &Client, path: &str, field: IdentityField) -> Result<String, ImdsError> {
    client
        .get(path)
        .await
        .map(String::from)
        .map_err(|error| ImdsError::Unanswered {
            field,
            path: path.to_owned(),
            cause: chain(&error),
        })
}

/// The text member `name` of the identity document, checked as `field`.
fn member(
    document: &serde_json::Value,
    name: &str,
    field: IdentityField,
) -> Result<String, ImdsError> {
    let value = document
        .get(name)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| ImdsError::BadAnswer {
            field,
            path: IDENTITY_DOCUMENT.into(),
            message: format!("no text member `{name}`"),
        })?;
    valid(value.trim(), field, IDENTITY_DOCUMENT)
}

/// `value` if it passes `field`'s identity rule.
fn valid(value: &str, field: IdentityField, path: &str) -> Result<String, ImdsError> {
    field
        .check(value)
        .map(|()| value.to_owned())
        .map_err(|error| ImdsError::BadAnswer {
            field,
            path: path.to_owned(),
            message: error.to_string(),
        })
}

/// An error and its sources, joined by `: `.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests;
