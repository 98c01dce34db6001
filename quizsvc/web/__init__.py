"""The web layer: HTTP middleware (bounds, rate limits, outage answers, security headers,
the request side of the audit log) and, beside it, the browser pages."""
