//! The pod condition a Lattice target's health status gives (upstream's
//! `targetsSynthesizer` readiness sync).

/// A pod's readiness-gate condition, and whether to look again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateCondition {
    /// `True` or `False`.
    pub status: &'static str,
    /// `Healthy`, `HealthCheckUnavailable`, `Unused`, `Initial`,
    /// `Unhealthy` or `TargetNotFound`.
    pub reason: &'static str,
    /// Set for `Unhealthy`: "Target health check status: X".
    pub message: Option<String>,
    /// Whether the status may still change by itself (check again later).
    pub pending: bool,
}

impl GateCondition {
    fn new(status: &'static str, reason: &'static str, pending: bool) -> Self {
        Self {
            status,
            reason,
            message: None,
            pending,
        }
    }

    /// From the target's Lattice status, `None` when the target is not
    /// registered: `HEALTHY` → True/Healthy; `UNAVAILABLE` (health checks
    /// off) → True/HealthCheckUnavailable; `UNUSED` → False/Unused;
    /// `INITIAL` → False/Initial, pending; anything else → False/Unhealthy,
    /// pending; missing → False/TargetNotFound, pending.
    pub fn of(status: Option<&str>) -> Self {
        match status {
            Some("HEALTHY") => Self::new("True", "Healthy", false),
            Some("UNAVAILABLE") => Self::new("True", "HealthCheckUnavailable", false),
            Some("UNUSED") => Self::new("False", "Unused", false),
            Some("INITIAL") => Self::new("False", "Initial", true),
            Some(other) => Self {
                message: Some(format!("Target health check status: {other}")),
                ..Self::new("False", "Unhealthy", true)
            },
            None => Self::new("False", "TargetNotFound", true),
        }
    }

    /// How far from ready, for choosing among a pod's several targets:
    /// the condition of the least ready one is written.
    pub fn rank(&self) -> u8 {
        match self.reason {
            "TargetNotFound" => 0,
            "Unhealthy" => 1,
            "Initial" => 2,
            "Unused" => 3,
            "HealthCheckUnavailable" => 4,
            _ => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_as_upstreams() {
        let cases = [
            (Some("HEALTHY"), "True", "Healthy", false),
            (Some("UNAVAILABLE"), "True", "HealthCheckUnavailable", false),
            (Some("UNUSED"), "False", "Unused", false),
            (Some("INITIAL"), "False", "Initial", true),
            (Some("UNHEALTHY"), "False", "Unhealthy", true),
            (Some("DRAINING"), "False", "Unhealthy", true),
            (None, "False", "TargetNotFound", true),
        ];
        for (status, expected, reason, pending) in cases {
            let condition = GateCondition::of(status);
            assert_eq!(
                (condition.status, condition.reason, condition.pending),
                (expected, reason, pending),
                "{status:?}"
            );
        }
        assert_eq!(
            GateCondition::of(Some("UNHEALTHY")).message.as_deref(),
            Some("Target health check status: UNHEALTHY")
        );
    }
}
