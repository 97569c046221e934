"""The shipped sample: Weibo's figures from its filings, cited, and how they are seeded
(`python -m analytics.weibo.seed`)."""
