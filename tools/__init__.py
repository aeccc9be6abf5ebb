"""Test and benchmark tooling, never part of the product packages: a throwaway PostgreSQL server
(:mod:`tools.pgtemp`), the database load generator (:mod:`tools.db_load`), the bank fingerprint
(:mod:`tools.bank_hash`), and a served app with a headless Chromium (:mod:`tools.browser`)."""
