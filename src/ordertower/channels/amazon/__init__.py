"""Amazon Seller Central order reports (flat-file TSV and the Amazon Sale Report CSV)."""
