"""Where a saved case leaves the portal: webhooks to help desks, delivered by the task queue."""
