"""The grader: parse raw answers, grade them, and (later) record everything in SQL."""
