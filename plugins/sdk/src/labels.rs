//! The labels of the object's namespace, in `CallContext::namespace_labels`.

use crate::CallContext;

impl CallContext {
    /// The value of label `key` on the namespace of the object being
    /// translated; `None` when the namespace lacks it, for cluster-scoped
    /// objects, and for namespaces the host does not know.
    pub fn namespace_label(&self, key: &str) -> Option<&str> {
        self.namespace_labels
            .iter()
            .find(|label| label.key == key)
            .map(|label| label.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::context;

    #[test]
    fn finds_a_label_by_its_exact_key() {
        let ctx = context("{}", &[("team", "payments"), ("cost-center", "cc-1")]);
        assert_eq!(ctx.namespace_label("team"), Some("payments"));
        assert_eq!(ctx.namespace_label("cost-center"), Some("cc-1"));
        assert_eq!(ctx.namespace_label("Team"), None);
    }
}
