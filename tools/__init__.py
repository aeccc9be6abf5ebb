"""Test and benchmark tooling, never part of the product packages: a throwaway PostgreSQL server
(:mod:`tools.pgtemp`), the database load generator (:mod:`tools.db_load`) and the bank fingerprint
(:mod:`tools.bank_hash`)."""
