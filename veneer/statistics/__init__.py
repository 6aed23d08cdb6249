"""Statistics Veneer reports to marketers: plain numbers in, plain numbers out."""
