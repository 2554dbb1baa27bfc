"""Where a saved case leaves the portal, and what happens to data over time: webhooks to help
desks, masking what customers type, retention. Empty until the first of them lands."""
