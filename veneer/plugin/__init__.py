"""What goes into the CMS: variant tagging for editors, and webhooks back to Veneer."""
