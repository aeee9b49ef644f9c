"""Publication (提案公开): staff choose which replied proposals go public, redact passages, mark secrets."""
